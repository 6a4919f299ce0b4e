#include <errno.h>
#include <libsmartcols.h>
#include <libudev.h>
#include <stdio.h>
#include <string.h>

#include "lib/size.h"
#include "mirrorprov.h"
#include "output.h"
#include "raid/lun.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev *, udev_unref)

struct raid_inspect_options {
	struct common_opts c;
	bool all;
	const char *columns;
};

/* One table for every row of the tree (HBA, target port, LUN, path); in JSON
 * only the LUN rows are printed with it. */
static const struct col_def cols[] = {
	{ "NAME", COLT_STR, 0.2, SCOLS_FL_TREE, "HBA, remote port, LUN (map or disk) or path name" },
	{ "TYPE", COLT_STR, 0, 0, "hba, port, lun or path" },
	{ "WWN", COLT_STR, 0, 0, "HBA or target port WWPN, LUN WWID" },
	{ "STATE", COLT_STR, 0, 0, "port state of an HBA or remote port, SCSI state of a path" },
	{ "SPEED", COLT_STR, 0, 0, "HBA link speed" },
	{ "HCTL", COLT_STR, 0, 0, "Host:Channel:Target:LUN of a path" },
	{ "DEVICE", COLT_STR, 0, 0, "device node to use", "device" },
	{ "WWID", COLT_STR, 0, 0, "LUN WWID (device/wwid, else udev ID_WWN)" },
	{ "TRAN", COLT_STR, 0, 0, "transport: fc, sas, iscsi, sata, ...", "transport" },
	{ "SIZE", COLT_SIZE, 0, 0, "size", "size_bytes" },
	{ "VENDOR", COLT_STR, 0, 0, "SCSI vendor" },
	{ "MODEL", COLT_STR, 0, 0, "SCSI model (HBA: driver; remote port: roles)" },
	{ "REV", COLT_STR, 0, 0, "SCSI revision" },
	{ "PATHS", COLT_STRV, 0, 0, "paths (JSON: objects with name, hctl, host, target_port, state)" },
	{ "MPATH", COLT_STR, 0, 0, "dm-multipath map name", "multipath" },
	{ "LOG-SEC", COLT_NUM, 0, 0, "logical sector size", "logical_sector_size" },
	{ "PHY-SEC", COLT_NUM, 0, 0, "physical sector size", "physical_sector_size" },
	{ "MIN-IO", COLT_SIZE, 0, 0, "minimum I/O size (stripe unit hint)", "minimum_io_size" },
	{ "OPT-IO", COLT_SIZE, 0, 0, "optimal I/O size (stripe width hint)", "optimal_io_size" },
	{ "HINTS", COLT_STR, 0, 0, "I/O hints verdict: reported, none, bogus, inconsistent", "io_hints" },
	{ "SIGNATURES", COLT_STRV, 0, 0, "every signature libblkid finds" },
	{ "FSTYPE", COLT_STR, 0, 0, "filesystem (or RAID/LVM member) type" },
	{ "LABEL", COLT_STR, 0, 0, "filesystem label" },
	{ "UUID", COLT_STR, 0, 0, "filesystem UUID" },
	{ "PTTYPE", COLT_STR, 0, 0, "partition table type" },
	{ "MOUNTED", COLT_BOOL, 0, 0, "the LUN, a partition or a holder is mounted" },
	{ "MOUNTPOINTS", COLT_STRV, 0, 0, "mount points of the LUN, its partitions and holders" },
	{ "HOLDERS", COLT_STRV, 0, 0, "holders other than the LUN's own multipath map" },
	{ "CANDIDATE", COLT_BOOL, 0, 0, "safe to format: blank, unused FC disk LUN" },
	{ "REASON", COLT_STR, 0, 0, "why the LUN is not a candidate" },
};

enum { C_NAME, C_TYPE, C_WWN, C_STATE, C_SPEED, C_HCTL, C_DEVICE, C_WWID, C_TRAN, C_SIZE, C_VENDOR, C_MODEL,
       C_REV, C_PATHS, C_MPATH, C_LOGSEC, C_PHYSEC, C_MINIO, C_OPTIO, C_HINTS, C_SIGS, C_FSTYPE, C_LABEL,
       C_UUID, C_PTTYPE, C_MOUNTED, C_MOUNTPOINTS, C_HOLDERS, C_CANDIDATE, C_REASON };

static const struct col_select human_default = {
	14, { C_NAME, C_TYPE, C_WWN, C_STATE, C_SPEED, C_HCTL, C_TRAN, C_SIZE, C_MODEL, C_HINTS, C_FSTYPE,
	      C_MOUNTPOINTS, C_CANDIDATE, C_REASON },
};

/* The keys of the luns[] objects of the JSON interface, in this order. */
static const struct col_select json_default = {
	20, { C_WWID, C_DEVICE, C_TRAN, C_SIZE, C_VENDOR, C_MODEL, C_PATHS, C_MPATH, C_MINIO, C_OPTIO, C_HINTS,
	      C_FSTYPE, C_LABEL, C_UUID, C_PTTYPE, C_MOUNTED, C_MOUNTPOINTS, C_HOLDERS, C_CANDIDATE, C_REASON },
};

static json_object *strv_json(char **v)
{
	json_object *a = json_object_new_array();

	for (; v && *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

static void set_host(json_object *o, const char *key, int host_no)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "host%d", host_no);
	jset_str(o, key, host_no >= 0 ? buf : NULL);
}

static json_object *path_json(const struct lun_path *p)
{
	json_object *o = json_object_new_object();

	jset_str(o, "name", p->name);
	jset_str(o, "hctl", p->hctl);
	set_host(o, "host", p->host_no);
	jset_str(o, "target_port", p->target_port);
	jset_str(o, "state", p->state);
	return o;
}

static json_object *path_row(const struct lun_path *p)
{
	json_object *o = json_object_new_object();

	jset_str(o, "name", p->name);
	jset_str(o, "type", "path");
	jset_str(o, "state", p->state);
	jset_str(o, "hctl", p->hctl);
	return o;
}

/* A LUN row; for people the paths are names and follow as children, rport
 * limits them to the paths through one remote port. */
static json_object *lun_row(const struct lun *l, bool human, const char *rport)
{
	json_object *o = json_object_new_object(), *paths = json_object_new_array(), *children = NULL;
	const struct signature *fs = signature_list_filesystem(&l->signatures);
	const struct signature *pt = signature_list_pttable(&l->signatures);
	json_object *sigs = json_object_new_array();

	jset_str(o, "name", l->name);
	jset_str(o, "type", "lun");
	jset_str(o, "wwn", l->wwid);
	jset_str(o, "device", l->device);
	jset_str(o, "wwid", l->wwid);
	jset_str(o, "transport", transport_to_string(l->transport));
	jset_u64(o, "size_bytes", l->size_bytes);
	jset_str(o, "vendor", l->vendor);
	jset_str(o, "model", l->model);
	jset_str(o, "rev", l->rev);
	if (human)
		children = json_object_new_array();
	for (size_t i = 0; i < l->npaths; i++) {
		const struct lun_path *p = &l->paths[i];
		json_object_array_add(paths, human ? json_object_new_string(p->name) : path_json(p));
		if (human && (!rport || (p->rport && strcmp(p->rport, rport) == 0)))
			json_object_array_add(children, path_row(p));
	}
	json_object_object_add(o, "paths", paths);
	jset_str(o, "multipath", l->multipath);
	jset_u64(o, "logical_sector_size", l->logical_sector);
	jset_u64(o, "physical_sector_size", l->physical_sector);
	jset_u64(o, "minimum_io_size", l->io_min);
	jset_u64(o, "optimal_io_size", l->io_opt);
	jset_str(o, "io_hints", io_hints_verdict_to_string(l->io_hints));
	for (size_t i = 0; i < l->signatures.n; i++)
		json_object_array_add(sigs, json_object_new_string(l->signatures.v[i].type));
	json_object_object_add(o, "signatures", sigs);
	jset_str(o, "fstype", fs ? fs->type : NULL);
	jset_str(o, "label", fs ? fs->label : NULL);
	jset_str(o, "uuid", fs ? fs->uuid : NULL);
	jset_str(o, "pttype", pt ? pt->type : NULL);
	if (l->mount_unknown)
		json_object_object_add(o, "mounted", NULL);
	else
		jset_bool(o, "mounted", l->mountpoints && l->mountpoints[0]);
	json_object_object_add(o, "mountpoints", strv_json(l->mountpoints));
	json_object_object_add(o, "holders", strv_json(l->holders));
	jset_bool(o, "candidate", l->candidate);
	jset_str(o, "reason", l->reason);
	if (children)
		json_object_object_add(o, "children", children);
	return o;
}

static bool lun_uses_rport(const struct lun *l, const char *rport)
{
	for (size_t i = 0; i < l->npaths; i++)
		if (l->paths[i].rport && strcmp(l->paths[i].rport, rport) == 0)
			return true;
	return false;
}

static bool is_target_port(const struct fc_port *p)
{
	return p->target || (p->roles && strstr(p->roles, "FCP Target"));
}

/* HBA -> remote port -> LUN -> paths; LUNs seen through no listed port at the end. */
static json_object *tree_rows(const struct san *s)
{
	json_object *rows = json_object_new_array();
	bool placed[s->nluns + 1];

	memset(placed, 0, sizeof(placed));
	for (size_t h = 0; h < s->nhbas; h++) {
		const struct fc_hba *hba = &s->hbas[h];
		json_object *hr = json_object_new_object(), *ports = json_object_new_array();
		jset_str(hr, "name", hba->name);
		jset_str(hr, "type", "hba");
		jset_str(hr, "wwn", hba->port_name);
		jset_str(hr, "state", hba->port_state);
		jset_str(hr, "speed", hba->speed);
		jset_str(hr, "transport", "fc");
		jset_str(hr, "model", hba->driver);
		for (size_t p = 0; p < s->nports; p++) {
			const struct fc_port *port = &s->ports[p];
			if (port->host_no != hba->host_no)
				continue;
			json_object *pr = json_object_new_object(), *luns = json_object_new_array();
			jset_str(pr, "name", port->name);
			jset_str(pr, "type", "port");
			jset_str(pr, "wwn", port->port_name);
			jset_str(pr, "state", port->port_state);
			jset_str(pr, "model", port->roles);
			for (size_t i = 0; i < s->nluns; i++)
				if (lun_uses_rport(&s->luns[i], port->name)) {
					json_object_array_add(luns, lun_row(&s->luns[i], true, port->name));
					placed[i] = true;
				}
			json_object_object_add(pr, "children", luns);
			json_object_array_add(ports, pr);
		}
		json_object_object_add(hr, "children", ports);
		json_object_array_add(rows, hr);
	}
	for (size_t i = 0; i < s->nluns; i++)
		if (!placed[i])
			json_object_array_add(rows, lun_row(&s->luns[i], true, NULL));
	return rows;
}

static void print_summary(const struct san *s)
{
	size_t online = 0, targets = 0, fc = 0, cand = 0;

	for (size_t i = 0; i < s->nhbas; i++)
		online += s->hbas[i].port_state && strcmp(s->hbas[i].port_state, "Online") == 0;
	for (size_t i = 0; i < s->nports; i++)
		targets += is_target_port(&s->ports[i]);
	for (size_t i = 0; i < s->nluns; i++) {
		fc += s->luns[i].transport == TRANSPORT_FC;
		cand += s->luns[i].candidate;
	}
	printf("\n%zu FC HBA%s (%zu online), %zu target port%s, %zu LUN%s", s->nhbas, s->nhbas == 1 ? "" : "s",
	       online, targets, targets == 1 ? "" : "s", fc, fc == 1 ? "" : "s");
	if (s->nluns > fc)
		printf(", %zu other disk%s", s->nluns - fc, s->nluns - fc == 1 ? "" : "s");
	printf(", %zu candidate%s%s", cand, cand == 1 ? "" : "s", cand ? ":" : "");
	for (size_t i = 0, k = 0; i < s->nluns; i++)
		if (s->luns[i].candidate) {
			char size[32];
			format_size_human(s->luns[i].size_bytes, size, sizeof(size));
			printf("%s %s %s", k++ ? "," : "", s->luns[i].device, size);
		}
	putchar('\n');
}

static json_object *hosts_json(const struct san *s)
{
	json_object *hosts = json_object_new_array();

	for (size_t h = 0; h < s->nhbas; h++) {
		const struct fc_hba *hba = &s->hbas[h];
		json_object *o = json_object_new_object(), *targets = json_object_new_array();
		jset_str(o, "host", hba->name);
		jset_str(o, "port_name", hba->port_name);
		jset_str(o, "node_name", hba->node_name);
		jset_str(o, "port_state", hba->port_state);
		jset_str(o, "speed", hba->speed);
		jset_str(o, "driver", hba->driver);
		jset_str(o, "pci_address", hba->pci);
		for (size_t p = 0; p < s->nports; p++) {
			const struct fc_port *port = &s->ports[p];
			if (port->host_no != hba->host_no)
				continue;
			json_object *t = json_object_new_object();
			jset_str(t, "rport", port->name);
			jset_str(t, "target", port->target);
			jset_str(t, "port_name", port->port_name);
			jset_str(t, "node_name", port->node_name);
			jset_str(t, "port_id", port->port_id);
			jset_str(t, "roles", port->roles);
			jset_str(t, "port_state", port->port_state);
			json_object_array_add(targets, t);
		}
		json_object_object_add(o, "targets", targets);
		json_object_array_add(hosts, o);
	}
	return hosts;
}

static int print_json(const struct san *s, const struct col_select *sel)
{
	_cleanup_json_ json_object *doc = json_object_new_object();
	_cleanup_json_ json_object *rows = json_object_new_array();

	for (size_t i = 0; i < s->nluns; i++)
		json_object_array_add(rows, lun_row(&s->luns[i], false, NULL));
	json_object_object_add(doc, "hosts", hosts_json(s));
	json_object_object_add(doc, "luns", out_table_json(cols, sel, rows));
	return out_json(stdout, doc);
}

static int raid_inspect_run(void *opts, int argc, char **argv)
{
	struct raid_inspect_options *o = opts, opt = *o;
	struct col_select sel;
	struct san san;
	_cleanup_(udev_unrefp) struct udev *udev = NULL;
	int r;

	sel = opt.c.json ? json_default : human_default;
	if (opt.columns) {
		const char *bad = NULL;
		r = cols_parse(cols, ARRAY_SIZE(cols), opt.columns, opt.c.json ? &json_default : &human_default, &sel, &bad);
		if (r == -E2BIG)
			return usage_error("too many columns");
		if (r < 0)
			return usage_error("unknown column '%s' (see 'mirrorprov raid-inspect --help')", bad);
	}

	if (!(udev = udev_new()))
		return log_errno(-ENOMEM, "cannot use libudev");
	r = lun_scan(udev, opt.all ? LUN_SCAN_ALL : 0, &san);
	if (r < 0)
		return log_errno(r, "cannot scan the block devices");
	for (char **p = san.problems; *p; p++)
		log_warn("%s", *p);

	if (opt.c.json)
		r = print_json(&san, &sel);
	else {
		_cleanup_json_ json_object *rows = tree_rows(&san);
		r = out_table(stdout, "luns", cols, &sel, rows, false);
		if (r >= 0)
			print_summary(&san);
	}
	san_free(&san);
	return r < 0 ? log_errno(r, "cannot print the result") : 0;
}

static const struct opt raid_inspect_opts[] = {
	OPT_FLAG("all", 'a', "list non-FC disks too (never candidates)", struct raid_inspect_options, all),
	OPT_STRING("output", 'o', "COLUMNS", "columns of the LUN table (\"+COL\" adds to the defaults)",
		   struct raid_inspect_options, columns),
	OPT_JSON(struct raid_inspect_options),
	OPT_END,
};

const struct verb verb_raid_inspect = {
	.name = "raid-inspect",
	.summary = "list FC HBAs, target ports and LUNs; say which LUN is safe to format",
	.synopsis = "mirrorprov raid-inspect [--all] [-o COLUMNS] [-J]",
	.options = raid_inspect_opts,
	.columns = cols,
	.ncolumns = ARRAY_SIZE(cols),
	.opts_size = sizeof(struct raid_inspect_options),
	.run = raid_inspect_run,
};
