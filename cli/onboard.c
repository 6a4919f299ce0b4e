#include "onboard.h"

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backend/urlcheck.h"
#include "fs/device.h"
#include "fs/loopimage.h"
#include "fs/partition.h"
#include "fsplan.h"
#include "geomopt.h"
#include "lib/fileio.h"
#include "lib/names.h"
#include "lib/size.h"
#include "lib/strv.h"
#include "lib/strbuf.h"
#include "mirrorprov.h"
#include "output.h"
#include "raid/lun.h"
#include "statusrun.h"
#include "steps.h"
#include "sync/layout.h"

/* Test hook: SIGKILL ourselves right after applying step N (1-based), to prove re-runs converge. */
#define STOP_AFTER_ENV "MIRRORPROV_ONBOARD_STOP_AFTER"
#define REGISTER_RECORD "/var/lib/mirrorprov/onboard.registered"

static const struct verb_help onboard_help = {
	"mirrorprov onboard [-c HOST.conf] [-n] [-y] [-f] [--sync] [--image FILE --image-size SIZE]\n"
	"                   [--prefix DIR] [check options] [-J]",
	"  -c, --config FILE     host configuration (default " HOSTCONF_DEFAULT_PATH ")\n"
	"      --sync            run the first sync of each profile not synced yet\n"
	"      --image FILE      rehearse on a sparse image file attached to a loop device\n"
	"                        instead of storage.device (created when missing)\n"
	"      --image-size SIZE size of the image when it is created (e.g. 4G)\n"
	"      --prefix DIR      write the fstab and configuration files under DIR instead of /\n"
	"                        (as layout --prefix; no user is created)\n"
	CHECKRUN_HELP
	HELP_OPT_DRY_RUN
	"  -f, --force           format a device that holds signatures (mkfs --force)\n"
	HELP_OPT_YES HELP_OPT_JSON HELP_OPT_HELP
	"\nSteps: device, geometry, mkfs, mount, layout, sync, check, register; each is done\n"
	"(already true), change (what it will do) or blocked (why not; nothing is written).\n",
};

enum step_state { STEP_DONE, STEP_CHANGE, STEP_BLOCKED };
static const char *const state_names[] = { [STEP_DONE] = "done", [STEP_CHANGE] = "change", [STEP_BLOCKED] = "blocked" };

enum { S_DEVICE, S_GEOMETRY, S_MKFS, S_MOUNT, S_LAYOUT, S_SYNC, S_CHECK, S_REGISTER, _S_MAX };
static const char *const step_names[] = { "device", "geometry", "mkfs", "mount", "layout", "sync", "check", "register" };

struct step {
	enum step_state state;
	char *detail;
};

struct onboard {
	const struct onboard_options *o;
	struct udev *udev;
	struct mirrorctx ctx;
	const struct hostconf_storage *st;
	struct raid_geometry geom;
	struct profile_set set;
	char *profiles_error;     /* NULL when the profiles loaded */
	char *device;             /* the storage device node (NULL: the image is not created yet) */
	char *probe_loop;         /* read-only attachment made for planning, detached at the end */
	char *fstab, *record;     /* under the prefix */
	bool deferred;            /* check and register wait for the first sync */
	struct step steps[_S_MAX];
};

static const struct col_def step_cols[] = {
	{ "STEP", COLT_STR, 0, 0, "the step, in the order they run", "name" },
	{ "STATE", COLT_STR, 0, 0, "done, change or blocked" },
	{ "DETAIL", COLT_STR, 0, 0, "what is true, what will be done, or why not" },
};

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev *, udev_unref)

static int set_step(struct onboard *ob, int i, enum step_state s, const char *fmt, ...) _printf_(4, 5);
static int set_step(struct onboard *ob, int i, enum step_state s, const char *fmt, ...)
{
	va_list ap;
	char *d;

	va_start(ap, fmt);
	int r = vasprintf(&d, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	free(ob->steps[i].detail);
	ob->steps[i] = (struct step){ s, d };
	return 0;
}

static bool any_change_before(const struct onboard *ob, int i)
{
	for (int j = 0; j < i; j++)
		if (ob->steps[j].state == STEP_CHANGE)
			return true;
	return false;
}

static const char *root_dir(const struct onboard *ob)
{
	return ob->ctx.hc.mirror.root;
}

/* What mkfs formats and mount mounts: the device, or its partition 1. */
static char *target_node(const struct onboard *ob)
{
	_cleanup_free_ char *real = realpath(ob->device, NULL);
	char name[128], *t;

	if (!ob->st->partition)
		return strdup(ob->device);
	partition_name(basename(real ? real : ob->device), name, sizeof(name));
	return asprintf(&t, "/dev/%s", name) < 0 ? NULL : t;
}

/* --- planning ------------------------------------------------------------------ */

static int plan_image(struct onboard *ob)
{
	const char *img = ob->o->image;
	char size[32];
	struct stat st;
	int r;

	if (stat(img, &st) < 0) {
		if (errno != ENOENT)
			return set_step(ob, S_DEVICE, STEP_BLOCKED, "cannot use image %s: %s", img, strerror(errno));
		if (!ob->o->image_size)
			return set_step(ob, S_DEVICE, STEP_BLOCKED, "image %s does not exist and no --image-size was given", img);
		format_size_human(ob->o->image_size, size, sizeof(size));
		return set_step(ob, S_DEVICE, STEP_CHANGE, "create the sparse image %s (%s) and attach it to a loop device",
				img, size);
	}
	if (!S_ISREG(st.st_mode))
		return set_step(ob, S_DEVICE, STEP_BLOCKED, "image %s is not a regular file", img);
	format_size_human((uint64_t)st.st_size, size, sizeof(size));
	if ((r = loop_image_find(img, false, &ob->device)) < 0)
		return set_step(ob, S_DEVICE, STEP_BLOCKED, "cannot list the loop devices (losetup): %s", strerror(-r));
	if (r > 0)
		return set_step(ob, S_DEVICE, STEP_DONE, "image %s (%s) is attached to %s", img, size, ob->device);
	/* A read-only attachment lets the later steps look at what the image holds. */
	if ((r = loop_image_attach(img, true, &ob->probe_loop)) < 0)
		return set_step(ob, S_DEVICE, STEP_BLOCKED, "cannot attach %s to a loop device (losetup): %s", img,
				strerror(-r));
	if (!(ob->device = strdup(ob->probe_loop)))
		return -ENOMEM;
	return set_step(ob, S_DEVICE, STEP_CHANGE, "attach the image %s (%s) to a loop device", img, size);
}

static int plan_device(struct onboard *ob)
{
	const char *dev = ob->st->device;
	struct stat st;

	if (ob->o->image)
		return plan_image(ob);
	if (wwid_like(dev)) {
		_cleanup_(san_free) struct san san = { 0 };
		const struct lun *l;
		char size[32];
		int r = lun_find_by_wwid(ob->udev, dev, &san, &l);
		if (r == -ENOENT)
			return set_step(ob, S_DEVICE, STEP_BLOCKED, "no LUN has WWID %s (see mirrorprov raid-inspect)", dev);
		if (r < 0)
			return set_step(ob, S_DEVICE, STEP_BLOCKED, "cannot scan the LUNs: %s", strerror(-r));
		if (!(ob->device = strdup(l->device)))
			return -ENOMEM;
		format_size_human(l->size_bytes, size, sizeof(size));
		return set_step(ob, S_DEVICE, STEP_DONE, "WWID %s is %s (%s%s%s%s%s)", dev, l->device, size,
				l->vendor ? ", " : "", l->vendor ? l->vendor : "", l->model ? " " : "", l->model ? l->model : "");
	}
	if (stat(dev, &st) < 0 || !S_ISBLK(st.st_mode))
		return set_step(ob, S_DEVICE, STEP_BLOCKED, "%s is not a block device", dev);
	if (!(ob->device = strdup(dev)))
		return -ENOMEM;
	return set_step(ob, S_DEVICE, STEP_DONE, "%s", dev);
}

static int plan_geometry(struct onboard *ob)
{
	struct raid_input in = {
		.level = raid_level_from_string(ob->st->raid_level),
		.disks = ob->st->raid_disks,
		.spares = ob->st->raid_spares,
		.spans = ob->st->raid_spans,
		.chunk = ob->st->raid_chunk,
		.chunk_source = ob->st->raid_chunk ? CHUNK_OPTION : CHUNK_DEFAULT,
	};
	const char *why = NULL;
	char dopt[64], chunk[32];

	if (raid_geometry_compute(&in, &ob->geom, &why) < 0)
		return set_step(ob, S_GEOMETRY, STEP_BLOCKED, "storage.raid: %s", why ? why : "invalid");
	raid_geometry_mkfs_dopt(&ob->geom, dopt, sizeof(dopt));
	format_size_human(ob->geom.chunk_bytes, chunk, sizeof(chunk));
	return set_step(ob, S_GEOMETRY, STEP_DONE, "%s of %u disks (%u data), %u spare, chunk %s: %s%s",
			raid_level_to_string(ob->geom.level), ob->geom.disks, ob->geom.data_disks, ob->geom.spares, chunk,
			*dopt ? "mkfs.xfs -d " : "no stripe", dopt);
}

static int plan_mkfs(struct onboard *ob)
{
	const struct hostconf_storage *st = ob->st;
	_cleanup_free_ char *target = NULL, *cmd = NULL;
	struct xfs_state xs;
	struct mkfs_plan p;
	char why[256], dopt[64];
	int r;

	if (ob->steps[S_DEVICE].state == STEP_BLOCKED || ob->steps[S_GEOMETRY].state == STEP_BLOCKED)
		return set_step(ob, S_MKFS, STEP_BLOCKED, "needs the %s", ob->steps[S_DEVICE].state == STEP_BLOCKED ?
				"storage device" : "geometry");
	if (!ob->device) {
		raid_geometry_mkfs_dopt(&ob->geom, dopt, sizeof(dopt));
		return set_step(ob, S_MKFS, STEP_CHANGE, "format the new image%s: mkfs.xfs -f%s%s -L %s",
				st->partition ? " (GPT, partition 1 aligned to the full stripe)" : "",
				*dopt ? " -d " : "", dopt, st->label);
	}
	if (!(target = target_node(ob)))
		return -ENOMEM;
	if (xfs_state_probe(target, &xs) == 0) {
		bool same = xfs_state_matches(&xs, st->label, &ob->geom, NULL, why, sizeof(why));
		if (same)
			r = set_step(ob, S_MKFS, STEP_DONE, "%s holds XFS \"%s\" with sunit=%u swidth=%u blks as planned",
				     target, xs.geom.label, xs.geom.sunit_blocks, xs.geom.swidth_blocks);
		xfs_state_free(&xs);
		if (same)
			return r;
	}
	struct mkfs_request req = { .device = ob->device, .geom = ob->geom, .label = st->label,
				    .partition = st->partition, .force = ob->o->force };
	r = mkfs_plan_build(ob->udev, &req, &p);
	if (r == -EOPNOTSUPP)
		r = set_step(ob, S_MKFS, STEP_BLOCKED, "storage.partition needs a whole disk; %s is a partition or a "
			     "device-mapper device", p.path);
	else if (r == -ENOSPC)
		r = set_step(ob, S_MKFS, STEP_BLOCKED, "%s is too small for a partition aligned to the full stripe", p.path);
	else if (r < 0)
		r = set_step(ob, S_MKFS, STEP_BLOCKED, "cannot build the mkfs plan for %s: %s", ob->device, strerror(-r));
	else if (fs_checks_failed(&p.checks)) {
		const struct fs_check *f = fs_checks_failed(&p.checks);
		r = set_step(ob, S_MKFS, STEP_BLOCKED, "refused: %s: %s%s", f->name, f->detail,
			     strcmp(f->name, "no-signatures") == 0 || strcmp(f->name, "blank") == 0 ? "; --force formats over it" : "");
	} else if (!(cmd = strv_join_quoted(p.mkfs_argv)))
		r = -ENOMEM;
	else if (p.partitioned)
		r = set_step(ob, S_MKFS, STEP_CHANGE, "GPT with partition 1 at sector %llu, then %s",
			     (unsigned long long)p.part.start, cmd);
	else
		r = set_step(ob, S_MKFS, STEP_CHANGE, "%s", cmd);
	mkfs_plan_free(&p);
	return r;
}

static void mount_request_init(const struct onboard *ob, const char *target, struct mount_request *req)
{
	*req = (struct mount_request){ .device = target, .mountpoint = ob->st->mountpoint,
				       .options = ob->st->mount_options, .fstab = ob->fstab, .geom = &ob->geom };
}

static int plan_mount(struct onboard *ob)
{
	struct mount_opt_issue issues[MOUNT_OPT_ISSUES_MAX];
	_cleanup_free_ char *target = NULL;
	struct mount_request req;
	struct mount_plan p;
	int n, r;

	n = mount_options_check(ob->st->mount_options, issues, MOUNT_OPT_ISSUES_MAX);
	for (int i = 0; i < n && i < MOUNT_OPT_ISSUES_MAX; i++)
		if (issues[i].cls == MOPT_REMOVED)
			return set_step(ob, S_MOUNT, STEP_BLOCKED, "storage.mount_options: '%s' is %s", issues[i].name,
					issues[i].reason);
	if (n < 0)
		return set_step(ob, S_MOUNT, STEP_BLOCKED, "storage.mount_options '%s' are malformed", ob->st->mount_options);
	if (ob->steps[S_MKFS].state == STEP_BLOCKED)
		return set_step(ob, S_MOUNT, STEP_BLOCKED, "needs the filesystem");
	if (ob->steps[S_MKFS].state != STEP_DONE)
		return set_step(ob, S_MOUNT, STEP_CHANGE, "mount the new filesystem on %s (%s), entry in %s",
				ob->st->mountpoint, ob->st->mount_options, ob->fstab);
	if (!(target = target_node(ob)))
		return -ENOMEM;
	mount_request_init(ob, target, &req);
	r = mount_plan_build(&req, &p);
	if (r < 0)
		r = set_step(ob, S_MOUNT, STEP_BLOCKED, "cannot plan the mount of %s: %s", target, strerror(-r));
	else if (fs_checks_failed(&p.checks)) {
		const struct fs_check *f = fs_checks_failed(&p.checks);
		r = set_step(ob, S_MOUNT, STEP_BLOCKED, "refused: %s: %s", f->name, f->detail);
	} else if (mount_plan_is_noop(&p))
		r = set_step(ob, S_MOUNT, STEP_DONE, "%s is mounted on %s; %s has its entry", target, p.mountpoint, ob->fstab);
	else
		r = set_step(ob, S_MOUNT, STEP_CHANGE, "%s%s on %s (%s); %s: %s", p.state == MOUNT_STATE_HERE ? "keep " : "mount ",
			     target, p.mountpoint, p.options, ob->fstab, fstab_verdict_to_string(p.fstab.verdict));
	mount_plan_free(&p);
	return r;
}

/* Blocks a step that needs the profiles when they did not load. */
static bool profiles_missing(struct onboard *ob, int i, int *r)
{
	if (!ob->profiles_error)
		return false;
	*r = set_step(ob, i, STEP_BLOCKED, "%s", ob->profiles_error);
	return true;
}

static int layout_build(const struct onboard *ob, struct layout_conf *lc, struct layout_plan *plan)
{
	layout_conf_init(lc, &ob->ctx.hc, root_dir(ob), ob->o->prefix, NULL);
	return layout_plan_build(lc, &ob->set, plan);
}

static int plan_layout(struct onboard *ob)
{
	struct layout_conf lc;
	struct layout_plan p;
	int r;

	if (profiles_missing(ob, S_LAYOUT, &r))
		return r;
	r = layout_build(ob, &lc, &p);
	if (r == -EINVAL)
		return set_step(ob, S_LAYOUT, STEP_BLOCKED, "a name or path is unsafe for the generated files");
	if (r < 0)
		return set_step(ob, S_LAYOUT, STEP_BLOCKED, "cannot build the layout plan: %s", strerror(-r));
	if (!p.changes)
		r = set_step(ob, S_LAYOUT, STEP_DONE, "%zu directories and files in place (tree, rsyncd, nginx, sync timers)",
			     p.n);
	else
		r = set_step(ob, S_LAYOUT, STEP_CHANGE, "create or update %zu of %zu directories and files (tree, rsyncd, "
			     "nginx, sync timers)", p.changes, p.n);
	layout_plan_free(&p);
	return r;
}

/* Has the profile been synced: do its freshness markers exist locally? */
static bool profile_synced(const struct onboard *ob, const struct profile *p)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_strv_free_ char **m = NULL;
	const char *unmatched = NULL;

	if (asprintf(&dir, "%s/%s", root_dir(ob), p->directory) < 0)
		return false;
	return check_expand_markers(dir, p->freshness, &m, &unmatched) >= 0 && !unmatched;
}

/* "a, b" of the profiles (not) synced; with_upstream: "a from rsync://… (origin), …". */
static char *profile_names(const struct onboard *ob, bool synced, bool with_upstream)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };

	for (size_t i = 0; i < ob->set.n; i++) {
		const struct profile *p = &ob->set.v[i];
		if (profile_synced(ob, p) != synced)
			continue;
		strbuf_addf(&sb, "%s%s", sb.len ? ", " : "", p->name);
		if (with_upstream)
			strbuf_addf(&sb, " from %s (%s)", p->upstream, p->upstream_origin);
	}
	return strbuf_error(&sb) < 0 ? NULL : strdup(sb.len ? sb.buf : "");
}

static int plan_sync(struct onboard *ob)
{
	_cleanup_free_ char *todo = NULL, *done = NULL;
	int r;

	if (profiles_missing(ob, S_SYNC, &r))
		return r;
	if (!(todo = profile_names(ob, false, true)) || !(done = profile_names(ob, true, false)))
		return -ENOMEM;
	if (!*todo)
		return set_step(ob, S_SYNC, STEP_DONE, "%s synced (freshness markers present)", done);
	if (!ob->o->sync) {
		ob->deferred = true;
		return set_step(ob, S_SYNC, STEP_DONE, "not requested: %s not synced yet (--sync runs the first sync, "
				"the sync timers do otherwise)", todo);
	}
	return set_step(ob, S_SYNC, STEP_CHANGE, "first sync of %s", todo);
}

static const char *url_kinds(const struct hostconf *hc)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "%s%s%s%s%s", hc->host.url_http ? "http" : "",
		 hc->host.url_http && hc->host.url_https ? ", " : "", hc->host.url_https ? "https" : "",
		 hc->host.url_rsync ? ", " : "", hc->host.url_rsync ? "rsync" : "");
	return buf;
}

static int plan_check(struct onboard *ob)
{
	_cleanup_json_ json_object *rows = NULL;
	bool ok;
	int r;

	if (profiles_missing(ob, S_CHECK, &r))
		return r;
	if (ob->deferred)
		return set_step(ob, S_CHECK, STEP_DONE, "deferred until the first sync (the tree is empty)");
	if (any_change_before(ob, S_CHECK))
		return set_step(ob, S_CHECK, STEP_CHANGE, "check the %s URLs of each profile", url_kinds(&ob->ctx.hc));
	/* Everything else is in place: whether the URLs work is a fact to look at now. */
	rows = json_object_new_array();
	if ((r = checkrun(&ob->ctx.hc, root_dir(ob), &ob->set, &ob->o->check, rows, &ok)) != EXIT_OK)
		return set_step(ob, S_CHECK, STEP_BLOCKED, "the URL checks could not run");
	size_t n = json_object_array_length(rows), bad = 0;
	const char *first = NULL, *url = NULL;
	for (size_t i = 0; i < n; i++) {
		json_object *row = json_object_array_get_idx(rows, i), *v;
		if (json_object_object_get_ex(row, "result", &v) && strcmp(json_object_get_string(v), "pass") != 0 && !bad++) {
			json_object_object_get_ex(row, "url", &v);
			url = json_object_get_string(v);
			json_object_object_get_ex(row, "first_failure", &v);
			first = json_object_get_string(v);
		}
	}
	if (ok)
		return set_step(ob, S_CHECK, STEP_DONE, "%zu URLs pass (%s)", n, url_kinds(&ob->ctx.hc));
	return set_step(ob, S_CHECK, STEP_CHANGE, "re-check: %zu of %zu URLs fail now (%s: %s)", bad, n,
			url ? url : "?", first ? first : "?");
}

static struct register_options register_opts(const struct onboard *ob)
{
	/* the check step has just run the same checks */
	return (struct register_options){ .ctx = ob->ctx, .skip_check = true, .check = ob->o->check };
}

/* What the register record says: what was registered, with whom. */
static char *register_record_text(const struct onboard *ob, const char *type)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };

	strbuf_addf(&sb, "backend %s\nhost %s\nprofiles", type, ob->ctx.hc.host.name);
	for (size_t i = 0; i < ob->set.n; i++)
		strbuf_addf(&sb, " %s", ob->set.v[i].name);
	strbuf_addc(&sb, '\n');
	return strbuf_error(&sb) < 0 ? NULL : strdup(sb.buf);
}

static int plan_register(struct onboard *ob)
{
	struct register_options ro = register_opts(ob);
	const char *type = register_backend_type(&ro);
	_cleanup_free_ char *want = NULL, *have = NULL;
	int r;

	if (!type)
		return set_step(ob, S_REGISTER, STEP_DONE, "no backend section: nothing to register");
	if (profiles_missing(ob, S_REGISTER, &r))
		return r;
	if (ob->deferred)
		return set_step(ob, S_REGISTER, STEP_DONE, "deferred until the first sync");
	if (!(want = register_record_text(ob, type)))
		return -ENOMEM;
	if (read_file_bounded(ob->record, 64 * 1024, &have, NULL) >= 0 && strcmp(have, want) == 0)
		return set_step(ob, S_REGISTER, STEP_DONE, "registered with %s (%s)", type, ob->record);
	if (register_prints(&ro))
		return set_step(ob, S_REGISTER, STEP_CHANGE, "print the %s registration document (the submission is manual)", type);
	return set_step(ob, S_REGISTER, STEP_CHANGE, "register with %s%s%s", type, ob->ctx.hc.backend.url ? " at " : "",
			ob->ctx.hc.backend.url ? ob->ctx.hc.backend.url : "");
}

static int (*const planners[_S_MAX])(struct onboard *) = {
	plan_device, plan_geometry, plan_mkfs, plan_mount, plan_layout, plan_sync, plan_check, plan_register,
};

/* --- applying ------------------------------------------------------------------ */

static int apply_device(struct onboard *ob)
{
	_cleanup_free_ char *dev = NULL;
	_cleanup_esc_pool_ struct esc_pool e = { 0 };
	int r;

	if (!ob->o->image)
		return EXIT_OK;
	if ((r = loop_image_create(ob->o->image, ob->o->image_size)) < 0)
		return log_errno(r, "cannot create the image %s", ob->o->image);
	if (r > 0)
		printf("created %s\n", esc(&e, ob->o->image));
	if (ob->probe_loop) {
		loop_image_detach(ob->probe_loop);
		free(ob->probe_loop);
		ob->probe_loop = NULL;
	}
	if ((r = loop_image_find(ob->o->image, false, &dev)) == 0)
		r = loop_image_attach(ob->o->image, false, &dev);
	if (r < 0)
		return log_errno(r, "cannot attach %s to a loop device (losetup)", ob->o->image);
	printf("attached %s to %s\n", esc(&e, ob->o->image), esc(&e, dev));
	free(ob->device);
	ob->device = TAKE_PTR(dev);
	return EXIT_OK;
}

static int apply_geometry(struct onboard *ob)
{
	return EXIT_OK;
}

static int apply_mkfs(struct onboard *ob)
{
	struct mkfs_request req = { .device = ob->device, .geom = ob->geom, .label = ob->st->label,
				    .partition = ob->st->partition, .force = ob->o->force };
	struct mkfs_result res = { 0 };
	struct mkfs_plan p;
	int r = mkfs_plan_build(ob->udev, &req, &p);

	if (r < 0)
		r = log_errno(r, "cannot build the mkfs plan for %s", ob->device);
	else if (fs_checks_failed(&p.checks))
		r = checks_refuse(&p.checks);
	else if ((r = mkfs_plan_apply(ob->udev, &p, false, &res)) < 0)
		r = mkfs_report_apply_error(&p, &res, r);
	else
		mkfs_report_success(&p, &res, false);
	mkfs_result_free(&res);
	mkfs_plan_free(&p);
	return r;
}

static int apply_mount(struct onboard *ob)
{
	_cleanup_free_ char *target = target_node(ob), *dir = NULL;
	struct mount_result res = { 0 };
	struct mount_request req;
	struct mount_plan p;
	int r;

	if (!target || !(dir = strdup(ob->fstab)))
		return log_errno(-ENOMEM, "mount");
	if ((r = mkdir_p(dirname(dir), 0755)) < 0)
		return log_errno(r, "cannot create the directory of %s", ob->fstab);
	mount_request_init(ob, target, &req);
	r = mount_plan_build(&req, &p);
	if (r < 0)
		r = log_errno(r, "cannot build the plan for %s", target);
	else if (fs_checks_failed(&p.checks))
		r = checks_refuse(&p.checks);
	else if ((r = mount_plan_apply(&p, &res)) < 0)
		r = mount_report_apply_error(&p, &res, r);
	else
		mount_report_success(&p, &res);
	mount_plan_free(&p);
	return r;
}

static int apply_layout(struct onboard *ob)
{
	struct layout_conf lc;
	struct layout_plan p;
	const char *failed = NULL;
	uid_t uid;
	gid_t gid;
	int r = layout_build(ob, &lc, &p);

	if (r < 0)
		return log_errno(r, "building the layout plan");
	r = layout_tree_owner(lc.user, lc.prefix, false, &uid, &gid);
	if (r == EXIT_OK && (r = layout_plan_apply(&p, uid, gid, &failed)) < 0)
		r = log_errno(r, "writing %s", failed);
	else if (r == EXIT_OK)
		printf("layout: %zu directories and files created or updated\n", p.changes);
	layout_plan_free(&p);
	return r;
}

static int apply_sync(struct onboard *ob)
{
	const struct hostconf *hc = &ob->ctx.hc;

	for (size_t i = 0; i < ob->set.n; i++) {
		const struct profile *p = &ob->set.v[i];
		struct sync_request rq = { .profile = p, .root = root_dir(ob), .host_name = hc->host.name,
					   .admin_email = hc->host.admin_email, .user = hc->mirror.user };
		struct sync_result res;
		_cleanup_free_ char *dest = NULL;
		int r;

		if (profile_synced(ob, p))
			continue;
		if (asprintf(&dest, "%s/%s", rq.root, p->directory) < 0)
			return log_errno(-ENOMEM, "sync");
		time_t start = time(NULL);
		r = sync_run(&rq, &res);
		status_note_sync(&ob->ctx, p, rq.root, r, &res, start);
		if (r < 0)
			r = sync_report_failure(r, p, dest, rq.user, &res);
		else
			printf("%s: synced from %s in %.1f s\n", p->name, p->upstream, res.seconds);
		sync_result_free(&res);
		if (r)
			return r;
	}
	return EXIT_OK;
}

static int apply_check(struct onboard *ob)
{
	_cleanup_json_ json_object *rows = json_object_new_array();
	struct col_select sel;
	bool ok;
	time_t start = time(NULL);
	int r = checkrun(&ob->ctx.hc, root_dir(ob), &ob->set, &ob->o->check, rows, &ok);

	if (r != EXIT_OK)
		return r;
	status_note_checks(&ob->ctx, rows, start);
	cols_all(checkrun_ncols, &sel);
	out_table(ok ? stdout : stderr, "checks", checkrun_cols, &sel, rows, false);
	if (ok)
		return EXIT_OK;
	log_error("the URL checks failed; nothing registered");
	return EXIT_FAIL;
}

static int apply_register(struct onboard *ob)
{
	struct register_options ro = register_opts(ob);
	_cleanup_free_ char *text = register_record_text(ob, register_backend_type(&ro)), *dir = NULL;
	int r;

	if (!text || !(dir = strdup(ob->record)))
		return log_errno(-ENOMEM, "register");
	if ((r = register_run(&ro)) != EXIT_OK)
		return r;
	if ((r = mkdir_p(dirname(dir), 0755)) < 0 || (r = write_file_atomic(ob->record, text, strlen(text), 0644, false)) < 0)
		return log_errno(r, "registered, but cannot write %s", ob->record);
	return EXIT_OK;
}

static int (*const appliers[_S_MAX])(struct onboard *) = {
	apply_device, apply_geometry, apply_mkfs, apply_mount, apply_layout, apply_sync, apply_check, apply_register,
};

/* --- the run --------------------------------------------------------------------- */

static int load(struct onboard *ob)
{
	const struct onboard_options *o = ob->o;
	_cleanup_free_ char *err = NULL;
	int r;

	r = hostconf_load(o->config, HOSTCONF_HOST | HOSTCONF_STORAGE | HOSTCONF_MIRROR, &ob->ctx.hc, &err);
	if (r == -ENOMEM || (r < 0 && !err))
		return log_errno(r, "loading the host configuration");
	if (r < 0) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	ob->ctx.loaded = true;
	ob->st = &ob->ctx.hc.storage;
	if ((r = mirrorctx_absolute_path(&ob->ctx.hc)) != EXIT_OK)
		return r;
	r = profile_load_list(ob->ctx.hc.mirror.profiles, &ob->set, &err);
	if (r == -ENOMEM)
		return log_errno(r, "loading profiles");
	if (r < 0 && !(ob->profiles_error = err ? TAKE_PTR(err) : strdup(strerror(-r))))
		return log_errno(-ENOMEM, "loading profiles");
	if (r == 0 && !ob->set.n && !(ob->profiles_error = strdup("mirror.profiles names no profile")))
		return log_errno(-ENOMEM, "loading profiles");
	/* No plan without an upstream the project allows for every profile. */
	if (r == 0 && (r = mirrorctx_require_upstreams(&ob->ctx, &ob->set)) != EXIT_OK)
		return r;
	if (asprintf(&ob->fstab, "%s/etc/fstab", o->prefix ? o->prefix : "") < 0 ||
	    asprintf(&ob->record, "%s" REGISTER_RECORD, o->prefix ? o->prefix : "") < 0)
		return log_errno(-ENOMEM, "onboard");
	return EXIT_OK;
}

static void onboard_free(struct onboard *ob)
{
	if (ob->probe_loop)
		loop_image_detach(ob->probe_loop);
	free(ob->probe_loop);
	free(ob->device);
	free(ob->fstab);
	free(ob->record);
	free(ob->profiles_error);
	for (int i = 0; i < _S_MAX; i++)
		free(ob->steps[i].detail);
	profile_set_free(&ob->set);
	mirrorctx_free(&ob->ctx);
}

static json_object *plan_doc(const struct onboard *ob, json_object **ret_rows)
{
	json_object *doc = json_object_new_object(), *rows = json_object_new_array();
	struct col_select sel;

	for (int i = 0; i < _S_MAX; i++) {
		json_object *r = json_object_new_object();
		jset_str(r, "name", step_names[i]);
		jset_str(r, "state", state_names[ob->steps[i].state]);
		jset_str(r, "detail", ob->steps[i].detail);
		json_object_array_add(rows, r);
	}
	cols_all(ARRAY_SIZE(step_cols), &sel);
	json_object_object_add(doc, "steps", out_table_json(step_cols, &sel, rows));
	*ret_rows = rows;
	return doc;
}

/* Asks before formatting (the device, or the image), before anything is written. */
static int confirm(const struct onboard *ob)
{
	const char *what = ob->o->image ? ob->o->image : ob->device;
	_cleanup_free_ char *copy = strdup(what);

	if (!copy)
		return log_errno(-ENOMEM, "confirm");
	return confirm_device("format", what, basename(copy), ob->o->image ? ob->o->image : ob->st->device, ob->o->yes);
}

static void stop_if_asked(int step)
{
	const char *e = getenv(STOP_AFTER_ENV);

	if (e && atoi(e) == step + 1) {
		fflush(stdout);
		fflush(stderr);
		raise(SIGKILL);
	}
}

int onboard_run(const struct onboard_options *o, json_object **ret_doc)
{
	_cleanup_(udev_unrefp) struct udev *udev = udev_new();
	_cleanup_json_ json_object *rows = NULL;
	struct onboard ob = { .o = o, .udev = udev };
	_cleanup_esc_pool_ struct esc_pool e = { 0 };
	bool changes = false, changed = false;
	int r, blocked = -1;

	*ret_doc = NULL;
	if (!udev)
		return log_errno(-ENOMEM, "cannot use libudev");
	if ((r = load(&ob)) != EXIT_OK) {
		onboard_free(&ob);
		return r;
	}
	for (int i = 0; i < _S_MAX; i++) {
		if ((r = planners[i](&ob)) < 0) {
			onboard_free(&ob);
			return log_errno(r, "planning the %s step", step_names[i]);
		}
		changes |= ob.steps[i].state == STEP_CHANGE;
		if (ob.steps[i].state == STEP_BLOCKED && blocked < 0)
			blocked = i;
	}
	json_object *doc = *ret_doc = plan_doc(&ob, &rows);
	if (!o->json) {
		struct col_select sel;
		cols_all(ARRAY_SIZE(step_cols), &sel);
		out_table(stdout, "steps", step_cols, &sel, rows, false);
	}

	r = EXIT_OK;
	if (blocked >= 0) {
		log_error("blocked: %s: %s", step_names[blocked], ob.steps[blocked].detail);
		r = EXIT_REFUSED;
	} else if (!changes) {
		if (!o->json)
			puts("no changes");
	} else if (!o->dry_run && (ob.steps[S_MKFS].state != STEP_CHANGE || (r = confirm(&ob)) == EXIT_OK)) {
		for (int i = 0; i < _S_MAX && r == EXIT_OK; i++) {
			if (ob.steps[i].state == STEP_CHANGE) {
				if (!o->json)
					printf("\n==> %s: %s\n", step_names[i], esc(&e, ob.steps[i].detail));
				fflush(stdout);
				if ((r = appliers[i](&ob)) != EXIT_OK)
					jset_str(doc, "failed", step_names[i]);
				else
					changed = true;
			}
			stop_if_asked(i);
		}
		if (r == EXIT_OK && !o->json)
			puts("\nonboard: complete");
	}
	jset_bool(doc, "changed", o->dry_run ? changes && blocked < 0 : changed);
	jset_bool(doc, "dry_run", o->dry_run);
	onboard_free(&ob);
	return r;
}

enum { OPT_SYNC = 0x100, OPT_IMAGE, OPT_IMAGE_SIZE, OPT_PREFIX };

int cmd_onboard(int argc, char **argv)
{
	static const char shortopts[] = "c:nfyJh";
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' }, { "sync", no_argument, NULL, OPT_SYNC },
		{ "image", required_argument, NULL, OPT_IMAGE }, { "image-size", required_argument, NULL, OPT_IMAGE_SIZE },
		{ "prefix", required_argument, NULL, OPT_PREFIX },
		CHECKRUN_LONGOPTS, OPT_DRY_RUN, OPT_FORCE, OPT_YES, OPT_JSON, OPT_HELP, OPT_END,
	};
	struct onboard_options o = { .check = CHECKRUN_DEFAULTS };
	_cleanup_json_ json_object *doc = NULL;
	const char *why;
	int c, r, saved = -1;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if ((r = checkrun_option(&o.check, c, optarg)) == 1)
			continue;
		if (r)
			return r;
		switch (c) {
		case 'c': o.config = optarg; break;
		case OPT_SYNC: o.sync = true; break;
		case OPT_IMAGE: o.image = optarg; break;
		case OPT_IMAGE_SIZE:
			if (parse_size(optarg, &o.image_size) < 0 || o.image_size < 16 * 1024 * 1024)
				return usage_error("--image-size '%s' is not a size of at least 16 MiB (e.g. 4G)", optarg);
			break;
		case OPT_PREFIX:
			if ((why = check_abspath(optarg)))
				return usage_error("--prefix '%s' %s", optarg, why);
			o.prefix = optarg;
			break;
		case 'n': o.dry_run = true; break;
		case 'f': o.force = true; break;
		case 'y': o.yes = true; break;
		case 'J': o.json = true; break;
		case 'h': return verb_print_help(&onboard_help);
		default: return option_error(argv, shortopts);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (o.image_size && !o.image)
		return usage_error("--image-size needs --image");
	if (o.json) {
		/* the steps' own output goes to stderr: stdout carries one JSON document */
		fflush(stdout);
		if ((saved = dup(STDOUT_FILENO)) < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			return log_errno(-errno, "redirecting output");
	}
	r = onboard_run(&o, &doc);
	if (saved >= 0) {
		fflush(stdout);
		dup2(saved, STDOUT_FILENO);
		close(saved);
		if (doc && out_json(stdout, doc) < 0 && !r)
			r = EXIT_FAIL;
	}
	return r;
}
