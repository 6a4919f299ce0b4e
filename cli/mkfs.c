#include <errno.h>
#include <libudev.h>
#include <stdio.h>
#include <string.h>

#include "fsplan.h"
#include "geomopt.h"
#include "mirrorprov.h"
#include "output.h"

static const struct verb_help mkfs_help = {
	"mirrorprov mkfs GEOMETRY-OPTIONS [--label L] [--partition] [--expect-wwid ID]\n"
	"                [--no-discard] [-n] [-f] [-y] [-J] DEVICE",
	GEOMOPT_HELP
	"  -L, --label L         filesystem label (at most 12 bytes)\n"
	"  --partition           write a GPT with one partition aligned to the full stripe\n"
	"  --expect-wwid ID      refuse unless the device has this WWID\n"
	"  --no-discard          do not discard the blocks (mkfs.xfs -K)\n"
	HELP_OPT_DRY_RUN
	"  -f, --force           format even though signatures (filesystem, RAID, LVM,\n"
	"                        partition table) were found; never overrides the other checks\n"
	HELP_OPT_YES HELP_OPT_JSON HELP_OPT_HELP
	"\nDEVICE: /dev/sdf, /dev/mapper/mpatha, /dev/disk/by-id/..., or a WWID (naa.…, wwn-0x…).\n",
};

enum { OPT_LABEL = 0x100, OPT_PARTITION, OPT_EXPECT_WWID, OPT_NO_DISCARD };

struct mkfs_options {
	struct geom_opts geom;
	struct mkfs_request req;
	bool dry_run, yes, json;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev *, udev_unref)

static int parse_args(int argc, char **argv, struct mkfs_options *o)
{
	static const char shortopts[] = "L:nfyJh";
	static const struct option longopts[] = {
		GEOMOPT_LONGOPTS,
		{ "label", required_argument, NULL, 'L' },
		{ "partition", no_argument, NULL, OPT_PARTITION },
		{ "expect-wwid", required_argument, NULL, OPT_EXPECT_WWID },
		{ "no-discard", no_argument, NULL, OPT_NO_DISCARD },
		OPT_DRY_RUN, OPT_FORCE, OPT_YES, OPT_JSON, OPT_HELP, OPT_END,
	};
	int c, r;

	geomopt_init(&o->geom);
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		r = geomopt_handle(&o->geom, c, optarg);
		if (r == 1)
			continue;
		if (r)
			return r;
		switch (c) {
		case 'L':
			if (!*optarg || strlen(optarg) > 12 || strpbrk(optarg, " \t\n"))
				return usage_error("label '%s' must be 1 to 12 bytes without spaces", optarg);
			o->req.label = optarg;
			break;
		case OPT_PARTITION:
			o->req.partition = true;
			break;
		case OPT_EXPECT_WWID:
			o->req.expect_wwid = optarg;
			break;
		case OPT_NO_DISCARD:
			o->req.no_discard = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'f':
			o->req.force = true;
			break;
		case 'y':
			o->yes = true;
			break;
		case 'J':
			o->json = true;
			break;
		case 'h':
			verb_print_help(&mkfs_help);
			return -1;
		default:
			return option_error(argv, shortopts);
		}
	}
	if (optind >= argc)
		return usage_error("no DEVICE given");
	if (optind + 1 < argc)
		return usage_error("unexpected argument '%s'", argv[optind + 1]);
	o->req.device = argv[optind];
	if (!o->geom.given)
		return usage_error("no RAID geometry given (e.g. --raid6 15 --spare 1 --chunk 64k)");
	return geomopt_compute(&o->geom, &o->req.geom);
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
	switch (r) {
	case -ENOENT:
		if (res->failed == MKFS_STEP_NONE) {
			log_error("mkfs.xfs not found in PATH (install xfsprogs); nothing was written");
			return EXIT_FAIL;
		}
		break;
	case -EPERM:
		return checks_refuse(&res->recheck);
	case -EBUSY:
		if (res->failed <= MKFS_STEP_PARTITION) {
			log_error("refused: exclusive: %s is locked or opened exclusively by another program; nothing was written",
				  p->path);
			return EXIT_REFUSED;
		}
		break;
	case -ECANCELED:
		show_mkfs_stderr(res->err, false);
		if (res->signal)
			log_error("mkfs.xfs was killed by signal %d (%s); %s is in an unknown state", res->signal,
				  strsignal(res->signal), res->node);
		else
			log_error("mkfs.xfs failed with exit code %d; %s is in an unknown state", res->exit_code, res->node);
		return EXIT_FAIL;
	case -EBADMSG:
		log_error("the new superblock on %s does not match the plan: %s", res->node, res->why);
		return EXIT_FAIL;
	case -ENXIO:
		if (res->failed == MKFS_STEP_PARTITION) {
			log_error("the kernel did not add partition 1 of %s (no partition scanning, e.g. a loop device without -P)",
				  p->path);
			return EXIT_FAIL;
		}
		break;
	}
	if (res->failed == MKFS_STEP_PARTITION)
		return log_errno(r, "cannot partition %s", p->path);
	if (res->failed == MKFS_STEP_VERIFY)
		return log_errno(r, "cannot read the new superblock of %s", res->node);
	if (res->failed == MKFS_STEP_MKFS)
		return log_errno(r, "cannot run mkfs.xfs");
	return log_errno(r, "cannot format %s", p->path);
}

void mkfs_report_success(const struct mkfs_plan *p, const struct mkfs_result *res, bool json)
{
	_cleanup_esc_pool_ struct esc_pool e = { 0 };

	if (!json) {
		if (p->partitioned)
			printf("partitioned: %s (GPT), %s starts at sector %llu\n", esc(&e, p->path), esc(&e, res->node),
			       (unsigned long long)p->part.start);
		if (res->out)
			fputs(res->out, stdout);
	}
	show_mkfs_stderr(res->err, true);
	if (!json)
		printf("verified: superblock of %s has sunit=%u swidth=%u blks (block size %u), label \"%s\", UUID %s\n",
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

int cmd_mkfs(int argc, char **argv)
{
	_cleanup_(udev_unrefp) struct udev *udev = NULL;
	struct mkfs_options o = { 0 };
	struct mkfs_plan plan;
	struct mkfs_result res = { 0 };
	_cleanup_json_ json_object *doc = NULL;
	int r;

	if ((r = parse_args(argc, argv, &o)))
		return r < 0 ? EXIT_OK : r;
	if (!(udev = udev_new()))
		return log_errno(-ENOMEM, "cannot use libudev");
	o.req.lock = !o.dry_run;

	r = mkfs_plan_build(udev, &o.req, &plan);
	if (r == -EOPNOTSUPP)
		r = usage_error("--partition needs a whole disk; %s is a partition or a device-mapper device "
				"(format the whole map instead)", plan.path);
	else if (r == -ENOSPC)
		r = usage_error("%s is too small for a partition aligned to the full stripe", plan.path);
	else if (r < 0)
		r = log_errno(r, "cannot build the plan for %s", o.req.device);
	if (r) {
		mkfs_plan_free(&plan);
		return r;
	}

	geometry_warn(&o.req.geom);
	mkfs_plan_warn(&plan);
	if (o.json) {
		doc = mkfs_plan_to_json(&plan);
		jset_bool(doc, "dry_run", o.dry_run);
	} else
		mkfs_plan_print(stdout, &plan);

	if (fs_checks_failed(&plan.checks))
		r = checks_refuse(&plan.checks);
	else if (o.dry_run)
		r = EXIT_OK;
	else if ((r = confirm_device("format", plan.path, plan.dev.name, o.req.device, o.yes)) == 0) {
		/* a confirmation prompt may have taken minutes: check again */
		int a = mkfs_plan_apply(udev, &plan, !o.yes, &res);
		if (a < 0)
			r = mkfs_report_apply_error(&plan, &res, a);
		else {
			mkfs_report_success(&plan, &res, o.json);
			if (doc)
				json_object_object_add(doc, "result", result_to_json(&res));
		}
	}
	if (doc && out_json(stdout, doc) < 0 && !r)
		r = EXIT_FAIL;
	mkfs_result_free(&res);
	mkfs_plan_free(&plan);
	return r;
}
