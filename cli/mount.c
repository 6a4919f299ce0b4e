#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app/failure.h"
#include "fsplan.h"
#include "geomopt.h"
#include "mirrorprov.h"
#include "output.h"

struct mount_options {
	struct common_opts c;
	struct geom_opts geom;
	struct raid_geometry g;
	struct mount_request req;
	bool no_fstab;
};

static void mount_init(void *opts)
{
	struct mount_options *o = opts;

	geomopt_init(&o->geom);
	o->req.fstab = "/etc/fstab";
}

/* The positional arguments and what depends on more than one option. */
static int settle_args(struct mount_options *o, char **argv)
{
	int r;

	o->req.device = argv[0];
	o->req.mountpoint = argv[1];
	o->req.force = o->c.force;
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
	struct app_error e = { 0 };

	r = report_app_error(&e, mount_apply_failure(p, res, r, &e));
	app_error_free(&e);
	return r;
}

void mount_report_success(FILE *f, const struct mount_plan *p, const struct mount_result *res)
{
	_cleanup_esc_pool_ struct esc_pool e = { 0 };
	const char *dev = esc(&e, p->path), *mnt = esc(&e, p->mountpoint);
	char geo[128];

	if (mount_plan_is_noop(p))
		fprintf(f, "nothing to change: %s is mounted on %s%s\n", dev, mnt,
			p->req.fstab ? " and the fstab entry is in place" : "");
	if (res->created_dir)
		fprintf(f, "created %s\n", mnt);
	if (res->mounted)
		fprintf(f, "mounted %s on %s (%s)\n", dev, mnt, esc(&e, p->options));
	if (p->req.fstab)
		fprintf(f, "fstab %s: %s\n", esc(&e, p->req.fstab),
			res->fstab_written ? (p->fstab.verdict == FSTAB_REPLACE ? "entry replaced (previous file kept as ~)" :
						       "entry added (previous file kept as ~)") : "unchanged");
	xfs_geom_describe(&res->live, geo, sizeof(geo));
	fprintf(f, "live geometry: %s\n", geo);
}

static int mount_run(void *opts, int argc, char **argv)
{
	struct mount_options o = *(struct mount_options *)opts;
	struct mount_plan plan;
	struct mount_result res = { 0 };
	_cleanup_json_ json_object *doc = NULL;
	int r;

	if ((r = settle_args(&o, argv)))
		return r;
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
	if (o.c.json) {
		doc = mount_plan_to_json(&plan);
		jset_bool(doc, "dry_run", o.c.dry_run);
	} else
		mount_plan_print(stdout, &plan);

	if (fs_checks_failed(&plan.checks))
		r = checks_refuse(&plan.checks);
	else if (!o.c.dry_run) {
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
			mount_report_success(stdout, &plan, &res);
	}
	if (doc && out_json(stdout, doc) < 0 && !r)
		r = -MP_EFAILED;
	mount_plan_free(&plan);
	return r;
}

static const struct opt mount_opts[] = {
	OPT_STRING("options", 'o', "O", "mount options (default " MOUNT_DEFAULT_OPTIONS ")", struct mount_options,
		   req.options),
	OPT_STRING("fstab", 0, "PATH", "the fstab to keep the entry in (default /etc/fstab)", struct mount_options,
		   req.fstab),
	OPT_FLAG("no-fstab", 0, "mount only, leave the fstab alone", struct mount_options, no_fstab),
	OPT_GROUP_HEADING(geomopt_options, struct mount_options, geom,
			  "geometry options (with these, fail unless the filesystem has this stripe):"),
	OPT_DRY_RUN(struct mount_options, HELP_DRY_RUN),
	OPT_FORCE(struct mount_options, "replace a differing fstab entry, allow sunit=/swidth=,\n"
					"mount a filesystem that is mounted elsewhere"),
	OPT_JSON(struct mount_options),
	OPT_END,
};

const struct verb verb_mount = {
	.name = "mount",
	.summary = "mount an XFS with an fstab entry and check its live geometry",
	.flags = VERB_NEEDS_ROOT,
	.synopsis = "mirrorprov mount [--options O] [--fstab PATH | --no-fstab] [GEOMETRY-OPTIONS] [-n] [-f] [-J]\n"
		    "                 DEVICE MOUNTPOINT",
	.options = mount_opts,
	.opts_size = sizeof(struct mount_options),
	.init = mount_init,
	.args_min = 2,
	.args_max = 2,
	.args_missing = "DEVICE and MOUNTPOINT are required",
	.run = mount_run,
};
