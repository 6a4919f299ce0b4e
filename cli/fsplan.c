#include "fsplan.h"

#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "app/failure.h"
#include "fs/safety.h"
#include "geomopt.h"
#include "lib/size.h"
#include "lib/strv.h"
#include "mirrorprov.h"
#include "output.h"

static const struct col_def check_cols[] = {
	{ "CHECK", COLT_STR, 0, 0, "safety check, in the order they run" },
	{ "OK", COLT_BOOL, 0, 0, "passed" },
	{ "DETAIL", COLT_STR, 0, 0, "what was found" },
};

/* Table rows key the name "check" (its column); the JSON interface says "name". */
static json_object *checks_rows(const struct fs_checks *c, bool with_forced)
{
	json_object *rows = json_object_new_array();

	for (size_t i = 0; i < c->n; i++) {
		json_object *r = json_object_new_object();
		jset_str(r, with_forced ? "name" : "check", c->v[i].name);
		jset_bool(r, "ok", c->v[i].ok);
		if (with_forced)
			jset_bool(r, "forced", c->v[i].forced);
		jset_str(r, "detail", c->v[i].detail);
		json_object_array_add(rows, r);
	}
	return rows;
}

int checks_print(FILE *f, const struct fs_checks *c)
{
	_cleanup_json_ json_object *rows = checks_rows(c, false);
	struct col_select sel;

	cols_all(ARRAY_SIZE(check_cols), &sel);
	return out_table(f, "checks", check_cols, &sel, rows, false);
}

json_object *checks_to_json(const struct fs_checks *c)
{
	return checks_rows(c, true);
}

int checks_refuse(const struct fs_checks *c)
{
	struct app_error e = { 0 };
	int r = report_app_error(&e, checks_failure(c, &e));

	app_error_free(&e);
	return r;
}

static json_object *device_to_json(const struct mkfs_plan *p)
{
	json_object *o = json_object_new_object();
	char mm[32];

	jset_str(o, "path", p->path);
	if (!p->have_dev)
		return o;
	jset_str(o, "name", p->dev.name);
	snprintf(mm, sizeof(mm), "%u:%u", major(p->dev.devnum), minor(p->dev.devnum));
	jset_str(o, "devnum", mm);
	jset_u64(o, "size_bytes", p->dev.size_bytes);
	jset_str(o, "wwid", blockdev_wwid(&p->dev));
	jset_str(o, "vendor", p->dev.vendor);
	jset_str(o, "model", p->dev.model);
	jset_u64(o, "logical_sector", p->dev.logical_sector);
	jset_u64(o, "physical_sector", p->dev.physical_sector);
	jset_u64(o, "io_min", p->dev.io_min);
	jset_u64(o, "io_opt", p->dev.io_opt);
	jset_str(o, "io_hints", io_hints_verdict_to_string(p->hints));
	jset_bool(o, "io_hints_agree", !p->hints_disagree);
	return o;
}

json_object *mkfs_plan_to_json(const struct mkfs_plan *p)
{
	json_object *o = json_object_new_object(), *argv = json_object_new_array();

	json_object_object_add(o, "device", device_to_json(p));
	jset_str(o, "target", p->target);
	if (p->partitioned) {
		json_object *part = json_object_new_object();
		jset_str(part, "table", "gpt");
		jset_u64(part, "number", 1);
		jset_u64(part, "sector_size", p->part.sector);
		jset_u64(part, "start_sector", p->part.start);
		jset_u64(part, "end_sector", p->part.end);
		jset_u64(part, "size_bytes", (p->part.end - p->part.start + 1) * p->part.sector);
		jset_u64(part, "align_bytes", p->part.align_bytes);
		json_object_object_add(o, "partition", part);
	} else
		json_object_object_add(o, "partition", NULL);
	json_object_object_add(o, "geometry", geometry_to_json(&p->req.geom));
	for (char **a = p->mkfs_argv; a && *a; a++)
		json_object_array_add(argv, json_object_new_string(*a));
	json_object_object_add(o, "mkfs_argv", argv);
	jset_str(o, "label", p->req.label);
	json_object_object_add(o, "checks", checks_to_json(&p->checks));
	return o;
}

/* geometry_explain() with the first line after the label, the others under it. */
static void print_indented(FILE *f, const char *label, const struct raid_geometry *g)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	const char *first = label;

	if (!m)
		return;
	geometry_explain(m, g);
	fclose(m);
	for (char *line = text, *nl; line && *line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		fprintf(f, "%-11s%.*s\n", first, nl ? (int)(nl - line) : (int)strlen(line), line);
		first = "";
	}
}

void mkfs_plan_print(FILE *f, const struct mkfs_plan *p)
{
	char size[32], align[32], psize[32];
	_cleanup_free_ char *cmd = p->mkfs_argv ? strv_join_quoted(p->mkfs_argv) : NULL;
	_cleanup_esc_pool_ struct esc_pool e = { 0 };

	if (p->have_dev) {
		format_size_human(p->dev.size_bytes, size, sizeof(size));
		fprintf(f, "device:    %s (%s %u:%u), %s, WWID %s, model %s%s%s\n", esc(&e, p->path), esc(&e, p->dev.name),
			major(p->dev.devnum), minor(p->dev.devnum), size,
			blockdev_wwid(&p->dev) ? esc(&e, blockdev_wwid(&p->dev)) : "none", p->dev.vendor ? esc(&e, p->dev.vendor) : "",
			p->dev.vendor ? " " : "", p->dev.model ? esc(&e, p->dev.model) : "unknown");
	} else
		fprintf(f, "device:    %s\n", esc(&e, p->path ? p->path : p->req.device));
	if (p->partitioned) {
		format_size_human(p->part.align_bytes, align, sizeof(align));
		format_size_human((p->part.end - p->part.start + 1) * p->part.sector, psize, sizeof(psize));
		fprintf(f, "target:    %s: new GPT, partition 1 sectors %llu-%llu (%s), starts at %s = lcm(1 MiB, full stripe)\n",
			esc(&e, p->target), (unsigned long long)p->part.start, (unsigned long long)p->part.end, psize, align);
	} else if (p->target)
		fprintf(f, "target:    %s (the whole device, no partition table)\n", esc(&e, p->target));
	print_indented(f, "geometry:  ", &p->req.geom);
	if (p->have_dev)
		fprintf(f, "io hints:  minimum %llu, optimal %llu bytes: %s%s\n", (unsigned long long)p->dev.io_min,
			(unsigned long long)p->dev.io_opt, io_hints_verdict_to_string(p->hints),
			p->hints == IO_HINTS_REPORTED ? (p->hints_disagree ? ", differ from the plan" : ", agree") :
			p->hints == IO_HINTS_NONE ? "" : ", ignored");
	if (cmd)
		fprintf(f, "run:       %s\n", esc(&e, cmd));
	fputc('\n', f);
	checks_print(f, &p->checks);
}

void mkfs_plan_warn(const struct mkfs_plan *p)
{
	if (!p->have_dev)
		return;
	if (p->hints_disagree)
		log_warn("%s reports minimum/optimal I/O %llu/%llu bytes, the plan su %llu, full stripe %llu: "
			 "check the RAID options (mkfs.xfs will use the plan)", p->dev.name, (unsigned long long)p->dev.io_min,
			 (unsigned long long)p->dev.io_opt, (unsigned long long)p->req.geom.su_bytes,
			 (unsigned long long)p->req.geom.stripe_width_bytes);
	else if (p->hints == IO_HINTS_BOGUS || p->hints == IO_HINTS_INCONSISTENT)
		log_warn("%s reports %s I/O hints (minimum %llu, optimal %llu bytes): ignored", p->dev.name,
			 io_hints_verdict_to_string(p->hints), (unsigned long long)p->dev.io_min,
			 (unsigned long long)p->dev.io_opt);
	if (p->req.geom.stripe_width_bytes && p->dev.size_bytes / 16 < p->req.geom.stripe_width_bytes)
		log_warn("the full stripe (%llu bytes) is large for a %llu-byte device",
			 (unsigned long long)p->req.geom.stripe_width_bytes, (unsigned long long)p->dev.size_bytes);
}

int confirm_device(const char *what, const char *path, const char *name, const char *given, bool yes)
{
	char line[512];

	if (yes)
		return 0;
	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
		log_error("refused: confirm: no terminal to confirm on; pass --yes to %s %s", what, path);
		return -MP_EREFUSED;
	}
	fflush(stdout);
	_cleanup_esc_pool_ struct esc_pool e = { 0 };
	fprintf(stderr, "This will %s %s and destroy what is on it.\nType the device name (%s) to go on: ", what,
		esc(&e, path), esc(&e, name));
	if (!fgets(line, sizeof(line), stdin)) {
		return refuse("confirm: no answer");
	}
	line[strcspn(line, "\n")] = '\0';
	if (strcmp(line, path) == 0 || strcmp(line, name) == 0 || strcmp(line, given) == 0)
		return 0;
	return refuse("confirm: '%s' is not %s", line, name);
}

void xfs_geom_describe(const struct xfs_geom *g, char *buf, size_t len)
{
	char su[32];

	if (!g->sunit_blocks) {
		snprintf(buf, len, "sunit=0 swidth=0 blks (no stripe)");
		return;
	}
	format_size_human((uint64_t)g->sunit_blocks * g->blocksize, su, sizeof(su));
	snprintf(buf, len, "sunit=%u swidth=%u blks (su %s, sw %u)", g->sunit_blocks, g->swidth_blocks, su,
		 g->swidth_blocks / g->sunit_blocks);
}

json_object *xfs_geom_to_json(const struct xfs_geom *g)
{
	json_object *o = json_object_new_object();

	jset_str(o, "uuid", g->uuid);
	jset_str(o, "label", g->label);
	jset_u64(o, "blocksize", g->blocksize);
	jset_u64(o, "sunit_blocks", g->sunit_blocks);
	jset_u64(o, "swidth_blocks", g->swidth_blocks);
	jset_u64(o, "su_bytes", (uint64_t)g->sunit_blocks * g->blocksize);
	jset_u64(o, "sw", g->sunit_blocks ? g->swidth_blocks / g->sunit_blocks : 0);
	jset_u64(o, "logsunit_bytes", g->logsunit_bytes);
	jset_u64(o, "agcount", g->agcount);
	return o;
}

json_object *mount_plan_to_json(const struct mount_plan *p)
{
	json_object *o = json_object_new_object();

	jset_str(o, "device", p->path);
	jset_str(o, "mountpoint", p->mountpoint);
	jset_str(o, "uuid", p->uuid);
	jset_str(o, "label", p->label);
	jset_str(o, "options", p->options);
	jset_bool(o, "create_mountpoint", p->create_dir);
	jset_bool(o, "mounted", p->state == MOUNT_STATE_HERE);
	jset_str(o, "mounted_options", p->mounted_options);
	if (p->req.fstab && p->fstab.line) {
		json_object *f = json_object_new_object();
		jset_str(f, "path", p->req.fstab);
		jset_str(f, "line", p->fstab.line);
		jset_str(f, "verdict", fstab_verdict_to_string(p->fstab.verdict));
		jset_str(f, "conflict", p->fstab.conflict);
		json_object_object_add(o, "fstab", f);
	} else
		json_object_object_add(o, "fstab", NULL);
	json_object_object_add(o, "superblock", p->uuid ? xfs_geom_to_json(&p->sb) : NULL);
	json_object_object_add(o, "geometry", p->req.geom ? geometry_to_json(p->req.geom) : NULL);
	json_object_object_add(o, "checks", checks_to_json(&p->checks));
	return o;
}

void mount_plan_print(FILE *f, const struct mount_plan *p)
{
	_cleanup_esc_pool_ struct esc_pool e = { 0 };
	char geo[128];

	fprintf(f, "device:    %s%s%s%s%s\n", esc(&e, p->path ? p->path : p->req.device), p->uuid ? ", UUID " : "",
		p->uuid ? esc(&e, p->uuid) : "", p->label ? ", label " : "", p->label ? esc(&e, p->label) : "");
	if (p->uuid) {
		xfs_geom_describe(&p->sb, geo, sizeof(geo));
		fprintf(f, "on disk:   %s\n", geo);
	}
	fprintf(f, "mount:     %s%s, options %s%s\n", esc(&e, p->mountpoint), p->create_dir ? " (created)" : "",
		esc(&e, p->options), p->state == MOUNT_STATE_HERE ? " (already mounted)" : "");
	if (p->req.fstab && p->fstab.line)
		fprintf(f, "fstab:     %s: %s (%s)\n", esc(&e, p->req.fstab), esc(&e, p->fstab.line),
			fstab_verdict_to_string(p->fstab.verdict));
	else
		fprintf(f, "fstab:     not changed (--no-fstab)\n");
	fputc('\n', f);
	checks_print(f, &p->checks);
}
