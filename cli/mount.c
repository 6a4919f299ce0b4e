#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fsplan.h"
#include "geomopt.h"
#include "mirrorprov.h"
#include "output.h"

static const struct verb_help mount_help = {
	"mirrorprov mount [--options O] [--fstab PATH | --no-fstab] [GEOMETRY-OPTIONS] [-n] [-f] [-J]\n"
	"                 DEVICE MOUNTPOINT",
	"  -o, --options O       mount options (default " MOUNT_DEFAULT_OPTIONS ")\n"
	"  --fstab PATH          the fstab to keep the entry in (default /etc/fstab)\n"
	"  --no-fstab            mount only, leave the fstab alone\n"
	GEOMOPT_HELP
	"                        with these, fail unless the filesystem has this stripe\n"
	HELP_OPT_DRY_RUN
	"  -f, --force           replace a differing fstab entry, allow sunit=/swidth=,\n"
	"                        mount a filesystem that is mounted elsewhere\n"
	HELP_OPT_JSON HELP_OPT_HELP,
};

enum { OPT_FSTAB = 0x100, OPT_NO_FSTAB };

struct mount_options {
	struct geom_opts geom;
	struct raid_geometry g;
	struct mount_request req;
	bool no_fstab, dry_run, json;
};

static int parse_args(int argc, char **argv, struct mount_options *o)
{
	static const char shortopts[] = "o:nfJh";
	static const struct option longopts[] = {
		GEOMOPT_LONGOPTS,
		{ "options", required_argument, NULL, 'o' },
		{ "fstab", required_argument, NULL, OPT_FSTAB },
		{ "no-fstab", no_argument, NULL, OPT_NO_FSTAB },
		OPT_DRY_RUN, OPT_FORCE, OPT_JSON, OPT_HELP, OPT_END,
	};
	int c, r;

	geomopt_init(&o->geom);
	o->req.fstab = "/etc/fstab";
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		r = geomopt_handle(&o->geom, c, optarg);
		if (r == 1)
			continue;
		if (r)
			return r;
		switch (c) {
		case 'o':
			o->req.options = optarg;
			break;
		case OPT_FSTAB:
			o->req.fstab = optarg;
			break;
		case OPT_NO_FSTAB:
			o->no_fstab = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'f':
			o->req.force = true;
			break;
		case 'J':
			o->json = true;
			break;
		case 'h':
			verb_print_help(&mount_help);
			return -1;
		default:
			return option_error(argv, shortopts);
		}
	}
	if (argc - optind != 2)
		return usage_error(argc - optind < 2 ? "DEVICE and MOUNTPOINT are required" : "unexpected argument '%s'",
				   argv[optind + 2 < argc ? optind + 2 : 0]);
	o->req.device = argv[optind];
	o->req.mountpoint = argv[optind + 1];
	if (o->req.mountpoint[0] != '/')
		return usage_error("mount point '%s' must be an absolute path", o->req.mountpoint);
	if (o->no_fstab)
		o->req.fstab = NULL;
	if (o->geom.given) {
		if ((r = geomopt_compute(&o->geom, &o->g)))
			return r;
		o->req.geom = &o->g;
	}
	return 0;
}

/* Removed options are bad input (exit 2); deprecated ones only warn.  The
 * superblock-rewriting ones are a check of the plan (--force). */
int mount_vet_options(const char *opts)
{
	struct mount_opt_issue issues[MOUNT_OPT_ISSUES_MAX];
	int n = mount_options_check(opts, issues, MOUNT_OPT_ISSUES_MAX);

	if (n < 0)
		return usage_error("mount options '%s' are malformed (comma-separated, no spaces or empty items)", opts);
	for (int i = 0; i < n && i < MOUNT_OPT_ISSUES_MAX; i++)
		if (issues[i].cls == MOPT_REMOVED)
			return usage_error("mount option '%s' is %s", issues[i].name, issues[i].reason);
	for (int i = 0; i < n && i < MOUNT_OPT_ISSUES_MAX; i++)
		if (issues[i].cls == MOPT_DEPRECATED)
			log_warn("mount option '%s' is %s", issues[i].name, issues[i].reason);
	return 0;
}

int mount_report_apply_error(const struct mount_plan *p, const struct mount_result *res, int r)
{
	if (r == -EBADMSG) {
		log_error("the mounted filesystem on %s does not have the planned stripe: %s", p->mountpoint, res->why);
		return EXIT_FAIL;
	}
	if (strcmp(res->failed, "mount") == 0) {
		log_error("cannot mount %s on %s: %s", p->path, p->mountpoint,
			  *res->mount_error ? res->mount_error : strerror(-r));
		return EXIT_FAIL;
	}
	if (strcmp(res->failed, "fstab") == 0)
		return log_errno(r, "mounted, but cannot write %s", p->req.fstab);
	if (strcmp(res->failed, "mkdir") == 0)
		return log_errno(r, "cannot create %s", p->mountpoint);
	return log_errno(r, "cannot read the geometry of %s (XFS_IOC_FSGEOMETRY)", p->mountpoint);
}

void mount_report_success(const struct mount_plan *p, const struct mount_result *res)
{
	_cleanup_esc_pool_ struct esc_pool e = { 0 };
	const char *dev = esc(&e, p->path), *mnt = esc(&e, p->mountpoint);
	char geo[128];

	if (mount_plan_is_noop(p))
		printf("nothing to change: %s is mounted on %s%s\n", dev, mnt,
		       p->req.fstab ? " and the fstab entry is in place" : "");
	if (res->created_dir)
		printf("created %s\n", mnt);
	if (res->mounted)
		printf("mounted %s on %s (%s)\n", dev, mnt, esc(&e, p->options));
	if (p->req.fstab)
		printf("fstab %s: %s\n", esc(&e, p->req.fstab),
		       res->fstab_written ? (p->fstab.verdict == FSTAB_REPLACE ? "entry replaced (previous file kept as ~)" :
						      "entry added (previous file kept as ~)") : "unchanged");
	xfs_geom_describe(&res->live, geo, sizeof(geo));
	printf("live geometry: %s\n", geo);
}

int cmd_mount(int argc, char **argv)
{
	struct mount_options o = { 0 };
	struct mount_plan plan;
	struct mount_result res = { 0 };
	_cleanup_json_ json_object *doc = NULL;
	int r;

	if ((r = parse_args(argc, argv, &o)))
		return r < 0 ? EXIT_OK : r;
	if ((r = mount_vet_options(o.req.options ? o.req.options : MOUNT_DEFAULT_OPTIONS)))
		return r;
	r = mount_plan_build(&o.req, &plan);
	if (r == -EINVAL)
		r = usage_error("invalid mount point or options");
	else if (r < 0)
		r = log_errno(r, "cannot build the plan for %s", o.req.device);
	if (r) {
		mount_plan_free(&plan);
		return r;
	}
	if (o.json) {
		doc = mount_plan_to_json(&plan);
		jset_bool(doc, "dry_run", o.dry_run);
	} else
		mount_plan_print(stdout, &plan);

	if (fs_checks_failed(&plan.checks))
		r = checks_refuse(&plan.checks);
	else if (!o.dry_run) {
		int a = mount_plan_apply(&plan, &res);
		if (a < 0)
			r = mount_report_apply_error(&plan, &res, a);
		else if (doc) {
			json_object *j = json_object_new_object();
			jset_bool(j, "created_mountpoint", res.created_dir);
			jset_bool(j, "mounted", res.mounted);
			jset_bool(j, "fstab_written", res.fstab_written);
			jset_bool(j, "changed", res.created_dir || res.mounted || res.fstab_written);
			json_object_object_add(j, "live_geometry", xfs_geom_to_json(&res.live));
			json_object_object_add(doc, "result", j);
		} else
			mount_report_success(&plan, &res);
	}
	if (doc && out_json(stdout, doc) < 0 && !r)
		r = EXIT_FAIL;
	mount_plan_free(&plan);
	return r;
}
