#include <errno.h>
#include <libudev.h>
#include <stdio.h>
#include <string.h>

#include "app/failure.h"
#include "fsplan.h"
#include "geomopt.h"
#include "mirrorprov.h"
#include "output.h"

struct mkfs_options {
	struct common_opts c;
	struct geom_opts geom;
	struct mkfs_request req;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev *, udev_unref)

static void mkfs_init(void *opts)
{
	geomopt_init(&((struct mkfs_options *)opts)->geom);
}

static int opt_label(void *field, const char *arg, const struct opt *o)
{
	if (!*arg || strlen(arg) > 12 || strpbrk(arg, " \t\n"))
		return usage_error("label '%s' must be 1 to 12 bytes without spaces", arg);
	*(const char **)field = arg;
	return 0;
}

/* mkfs.xfs's stderr: its warnings on success, the reason on failure. */
static void show_mkfs_stderr(const char *err, bool as_warnings)
{
	char *copy, *line, *save = NULL;

	if (!err || !*err || !(copy = strdup(err)))
		return;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "mkfs.xfs: ", 10) == 0)
			line += 10;
		if (as_warnings)
			log_warn("mkfs.xfs: %s", line);
		else
			fprintf(stderr, "mkfs.xfs: %s\n", line);
	}
	free(copy);
}

int mkfs_report_apply_error(const struct mkfs_plan *p, const struct mkfs_result *res, int r)
{
	struct app_error e = { 0 };

	if (r == -ECANCELED)
		show_mkfs_stderr(res->err, false);
	r = report_app_error(&e, mkfs_apply_failure(p, res, r, &e));
	app_error_free(&e);
	return r;
}

void mkfs_report_success(FILE *f, const struct mkfs_plan *p, const struct mkfs_result *res)
{
	_cleanup_esc_pool_ struct esc_pool e = { 0 };

	if (f && p->partitioned)
		fprintf(f, "partitioned: %s (GPT), %s starts at sector %llu\n", esc(&e, p->path), esc(&e, res->node),
			(unsigned long long)p->part.start);
	if (f && res->out)
		fputs(res->out, f);
	show_mkfs_stderr(res->err, true);
	if (f)
		fprintf(f, "verified: superblock of %s has sunit=%u swidth=%u blks (block size %u), label \"%s\", UUID %s\n",
			esc(&e, res->node), res->sb.sunit_blocks, res->sb.swidth_blocks, res->sb.blocksize,
			esc(&e, res->sb.label), esc(&e, res->sb.uuid));
}

static json_object *result_to_json(const struct mkfs_result *res)
{
	json_object *o = json_object_new_object();

	jset_str(o, "node", res->node);
	jset_str(o, "mkfs_stdout", res->out);
	jset_str(o, "mkfs_stderr", res->err);
	json_object_object_add(o, "superblock", xfs_geom_to_json(&res->sb));
	return o;
}

static int build_plan(struct udev *udev, const struct mkfs_request *req, struct mkfs_plan *plan)
{
	int r = mkfs_plan_build(udev, req, plan);

	if (r == -EOPNOTSUPP)
		r = usage_error("--partition needs a whole disk; %s is a partition or a device-mapper device "
				"(format the whole map instead)", plan->path);
	else if (r == -ENOSPC)
		r = usage_error("%s is too small for a partition aligned to the full stripe", plan->path);
	else if (r < 0)
		r = log_errno(r, "cannot build the plan for %s", req->device);
	if (r < 0)
		mkfs_plan_free(plan);
	return r;
}

/* Confirmation, then the apply; its result into doc (with -J). */
static int apply(struct udev *udev, struct mkfs_plan *plan, const struct mkfs_options *o, json_object *doc)
{
	struct mkfs_result res = { 0 };
	int r = confirm_device("format", plan->path, plan->dev.name, o->req.device, o->c.yes);

	if (r < 0)
		return r;
	/* a confirmation prompt may have taken minutes: check again */
	if ((r = mkfs_plan_apply(udev, plan, !o->c.yes, &res)) < 0)
		r = mkfs_report_apply_error(plan, &res, r);
	else {
		mkfs_report_success(o->c.json ? NULL : stdout, plan, &res);
		if (doc)
			json_object_object_add(doc, "result", result_to_json(&res));
	}
	mkfs_result_free(&res);
	return r;
}

static int mkfs_run(void *opts, int argc, char **argv)
{
	_cleanup_(udev_unrefp) struct udev *udev = NULL;
	struct mkfs_options o = *(struct mkfs_options *)opts;
	struct mkfs_plan plan;
	_cleanup_json_ json_object *doc = NULL;
	int r;

	o.req.device = argv[0];
	o.req.force = o.c.force;
	o.req.lock = !o.c.dry_run;
	if (!o.geom.given)
		return usage_error("no RAID geometry given (e.g. --raid6 15 --spare 1 --chunk 64k)");
	if ((r = geomopt_compute(&o.geom, &o.req.geom)))
		return r;
	if (!(udev = udev_new()))
		return log_errno(-ENOMEM, "cannot use libudev");
	if ((r = build_plan(udev, &o.req, &plan)) < 0)
		return r;
	geometry_warn(&o.req.geom);
	mkfs_plan_warn(&plan);
	if (o.c.json) {
		doc = mkfs_plan_to_json(&plan);
		jset_bool(doc, "dry_run", o.c.dry_run);
	} else
		mkfs_plan_print(stdout, &plan);
	if (fs_checks_failed(&plan.checks))
		r = checks_refuse(&plan.checks);
	else if (!o.c.dry_run)
		r = apply(udev, &plan, &o, doc);
	if (doc && out_json(stdout, doc) < 0 && !r)
		r = -MP_EFAILED;
	mkfs_plan_free(&plan);
	return r;
}

static const struct opt mkfs_opts[] = {
	OPT_GROUP(geomopt_options, struct mkfs_options, geom),
	OPT_CALL("label", 'L', "L", "filesystem label (at most 12 bytes)", struct mkfs_options, req.label, opt_label),
	OPT_FLAG("partition", 0, "write a GPT with one partition aligned to the full stripe", struct mkfs_options,
		 req.partition),
	OPT_STRING("expect-wwid", 0, "ID", "refuse unless the device has this WWID", struct mkfs_options,
		   req.expect_wwid),
	OPT_FLAG("no-discard", 0, "do not discard the blocks (mkfs.xfs -K)", struct mkfs_options, req.no_discard),
	OPT_FORCE(struct mkfs_options, "format even though signatures (filesystem, RAID, LVM,\n"
				       "partition table) were found; never overrides the other checks"),
	OPT_JSON(struct mkfs_options),
	OPT_END,
};

const struct verb verb_mkfs = {
	.name = "mkfs",
	.summary = "format a RAID LUN as XFS with the right stripe, safely",
	.flags = VERB_NEEDS_ROOT | VERB_DESTRUCTIVE,
	.synopsis = "mirrorprov mkfs GEOMETRY-OPTIONS [--label L] [--partition] [--expect-wwid ID]\n"
		    "                [--no-discard] [-n] [-f] [-y] [-J] DEVICE",
	.options = mkfs_opts,
	.help_tail = "\nDEVICE: /dev/sdf, /dev/mapper/mpatha, /dev/disk/by-id/..., or a WWID (naa.…, wwn-0x…).\n",
	.opts_size = sizeof(struct mkfs_options),
	.init = mkfs_init,
	.args_min = 1,
	.args_max = 1,
	.args_missing = "no DEVICE given",
	.run = mkfs_run,
};
