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

#include "app/failure.h"
#include "app/layout.h"
#include "app/profiles.h"
#include "backend/urlcheck.h"
#include "fs/device.h"
#include "fs/loopimage.h"
#include "fs/partition.h"
#include "lib/fileio.h"
#include "lib/names.h"
#include "lib/size.h"
#include "lib/strbuf.h"
#include "lib/strv.h"
#include "raid/lun.h"
#include "sync/layout.h"
#include "sync/syncrun.h"

/* Test hook: SIGKILL ourselves right after applying step N (1-based), to prove re-runs converge. */
#define STOP_AFTER_ENV "MIRRORPROV_ONBOARD_STOP_AFTER"
#define REGISTER_RECORD "/var/lib/mirrorprov/onboard.registered"

const char *const step_state_names[] = { [STEP_DONE] = "done", [STEP_CHANGE] = "change", [STEP_BLOCKED] = "blocked" };
const char *const onboard_step_names[_S_MAX] = { "device", "geometry", "mkfs", "mount", "layout", "sync", "check",
						  "register" };


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
	ob->steps[i].state = s;
	ob->steps[i].detail = d;
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
	return ob->hc.mirror.root;
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
			     strcmp(f->name, "no-signatures") == 0 || strcmp(f->name, "blank") == 0 ?
			     "; --force formats over it" : "");
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
	layout_conf_init(lc, &ob->hc, root_dir(ob), ob->o->prefix, NULL);
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
	struct checkrun_result cr;
	struct app_error e = { 0 };
	int r;

	if (profiles_missing(ob, S_CHECK, &r))
		return r;
	if (ob->deferred)
		return set_step(ob, S_CHECK, STEP_DONE, "deferred until the first sync (the tree is empty)");
	if (any_change_before(ob, S_CHECK))
		return set_step(ob, S_CHECK, STEP_CHANGE, "check the %s URLs of each profile", url_kinds(&ob->hc));
	/* Everything else is in place: whether the URLs work is a fact to look at now. */
	if (checkrun(&ob->hc, root_dir(ob), &ob->set, &ob->o->check, &cr, &e) < 0) {
		r = set_step(ob, S_CHECK, STEP_BLOCKED, "the URL checks could not run: %s", e.message ? e.message : "?");
		app_error_free(&e);
		return r;
	}
	if (!cr.failed)
		r = set_step(ob, S_CHECK, STEP_DONE, "%zu URLs pass (%s)", cr.n, url_kinds(&ob->hc));
	else
		r = set_step(ob, S_CHECK, STEP_CHANGE, "re-check: %zu of %zu URLs fail now (%s: %s)", cr.failed, cr.n,
			     cr.first_failed->url, cr.first_failed->res.first_failure ? cr.first_failed->res.first_failure : "?");
	checkrun_result_free(&cr);
	return r;
}

/* What onboard registers is what `register` would (app/register.c): one
 * registration per backend instance, from the same plan.  A host.conf with
 * neither backend nor backends registers nothing here. */
static int register_plan(const struct onboard *ob, struct reg_plan *plan)
{
	_cleanup_free_ char *err = NULL;

	*plan = (struct reg_plan){ 0 };
	if (!ob->hc.has_backend && !ob->hc.n_backends)
		return 0;
	/* not listed: never -EINVAL */
	return reg_plan_build(&ob->hc, &ob->set, NULL, false, plan, &err);
}

/* What the register record says: what was registered, with whom.  The
 * single backend group keeps the record written before instances existed. */
static char *register_record_text(const struct onboard *ob, const struct reg_plan *plan)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };

	if (plan->legacy) {
		strbuf_addf(&sb, "backend %s\nhost %s\nprofiles", ob->hc.backend.type, ob->hc.host.name);
		for (size_t i = 0; i < ob->set.n; i++)
			strbuf_addf(&sb, " %s", ob->set.v[i].name);
		strbuf_addc(&sb, '\n');
		return strbuf_error(&sb) < 0 ? NULL : strdup(sb.buf);
	}
	strbuf_addf(&sb, "host %s\n", ob->hc.host.name);
	for (size_t i = 0; i < plan->n; i++) {
		const struct reg_group *g = &plan->v[i];
		strbuf_addf(&sb, "backend %s %s %s profiles", g->inst.name, g->inst.type, g->inst.url ? g->inst.url : "-");
		for (size_t k = 0; k < g->n; k++)
			strbuf_addf(&sb, " %s", g->profiles[k]->name);
		strbuf_addc(&sb, '\n');
	}
	return strbuf_error(&sb) < 0 ? NULL : strdup(sb.buf);
}

/* "register with fedora-mm (mirrormanager at URL): fedora epel; print the
 * debian registration document: debian" */
static int register_detail(struct onboard *ob, const struct reg_plan *plan)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };

	for (size_t i = 0; i < plan->n; i++) {
		const struct reg_group *g = &plan->v[i];
		if (reg_instance_prints(&ob->hc, &g->inst))
			strbuf_addf(&sb, "%sprint the %s registration document (the submission is manual)", i ? "; " : "",
				    g->inst.type);
		else
			strbuf_addf(&sb, "%sregister with %s (%s%s%s)", i ? "; " : "", g->inst.name, g->inst.type,
				    g->inst.url ? " at " : "", g->inst.url ? g->inst.url : "");
		strbuf_addc(&sb, ':');
		for (size_t k = 0; k < g->n; k++)
			strbuf_addf(&sb, " %s", g->profiles[k]->name);
	}
	if (strbuf_error(&sb) < 0)
		return -ENOMEM;
	return set_step(ob, S_REGISTER, STEP_CHANGE, "%s", sb.buf);
}

static int plan_register(struct onboard *ob)
{
	_cleanup_free_ char *want = NULL, *have = NULL;
	struct reg_plan plan;
	int r;

	if (!ob->hc.has_backend && !ob->hc.n_backends)
		return set_step(ob, S_REGISTER, STEP_DONE, "no backend or backends section: nothing to register");
	if (profiles_missing(ob, S_REGISTER, &r))
		return r;
	if (ob->deferred)
		return set_step(ob, S_REGISTER, STEP_DONE, "deferred until the first sync");
	if ((r = register_plan(ob, &plan)) < 0)
		return r;
	if (!plan.n)
		r = set_step(ob, S_REGISTER, STEP_DONE, "no backend instance registers these profiles: nothing to register");
	else if (!(want = register_record_text(ob, &plan)))
		r = -ENOMEM;
	else if (read_file_bounded(ob->record, 64 * 1024, &have, NULL) >= 0 && strcmp(have, want) == 0)
		r = set_step(ob, S_REGISTER, STEP_DONE, "registered (%s)", ob->record);
	else
		r = register_detail(ob, &plan);
	reg_plan_free(&plan);
	return r;
}


/* --- applying: each sets ob->error on failure and the step's output ---------------- */

static int say(struct onboard *ob, int i, const char *fmt, ...) _printf_(3, 4);
static int say(struct onboard *ob, int i, const char *fmt, ...)
{
	_cleanup_free_ char *line = NULL;
	char *joined;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	if (asprintf(&joined, "%s%s\n", ob->steps[i].output ? ob->steps[i].output : "", line) < 0)
		return -ENOMEM;
	free(ob->steps[i].output);
	ob->steps[i].output = joined;
	return 0;
}

static int apply_device(struct onboard *ob)
{
	_cleanup_free_ char *dev = NULL;
	const char *img = ob->o->image;
	int r;

	if (!img)
		return 0;
	if ((r = loop_image_create(img, ob->o->image_size)) < 0)
		return app_fail(&ob->error, APP_FAILED, r, "cannot create the image %s: %s", img, strerror(-r));
	if (r > 0)
		say(ob, S_DEVICE, "created %s", img);
	if (ob->probe_loop) {
		loop_image_detach(ob->probe_loop);
		free(TAKE_PTR(ob->probe_loop));
	}
	if ((r = loop_image_find(img, false, &dev)) == 0)
		r = loop_image_attach(img, false, &dev);
	if (r < 0)
		return app_fail(&ob->error, APP_FAILED, r, "cannot attach %s to a loop device (losetup): %s", img,
				strerror(-r));
	say(ob, S_DEVICE, "attached %s to %s", img, dev);
	free(ob->device);
	ob->device = TAKE_PTR(dev);
	return 0;
}

static int apply_geometry(struct onboard *ob)
{
	return 0;
}

static int apply_mkfs(struct onboard *ob)
{
	struct mkfs_request req = { .device = ob->device, .geom = ob->geom, .label = ob->st->label,
				    .partition = ob->st->partition, .force = ob->o->force };
	int r = mkfs_plan_build(ob->udev, &req, &ob->mkfs);

	if (r < 0)
		return app_fail(&ob->error, APP_FAILED, r, "cannot build the mkfs plan for %s: %s", ob->device, strerror(-r));
	if (fs_checks_failed(&ob->mkfs.checks))
		return checks_failure(&ob->mkfs.checks, &ob->error);
	if ((r = mkfs_plan_apply(ob->udev, &ob->mkfs, false, &ob->mkfs_res)) < 0)
		return mkfs_apply_failure(&ob->mkfs, &ob->mkfs_res, r, &ob->error);
	return 0;
}

static int apply_mount(struct onboard *ob)
{
	_cleanup_free_ char *target = target_node(ob), *dir = NULL;
	struct mount_request req;
	int r;

	if (!target || !(dir = strdup(ob->fstab)))
		return -ENOMEM;
	if ((r = mkdir_p(dirname(dir), 0755)) < 0)
		return app_fail(&ob->error, APP_FAILED, r, "cannot create the directory of %s: %s", ob->fstab, strerror(-r));
	mount_request_init(ob, target, &req);
	if ((r = mount_plan_build(&req, &ob->mount)) < 0)
		return app_fail(&ob->error, APP_FAILED, r, "cannot build the plan for %s: %s", target, strerror(-r));
	if (fs_checks_failed(&ob->mount.checks))
		return checks_failure(&ob->mount.checks, &ob->error);
	if ((r = mount_plan_apply(&ob->mount, &ob->mount_res)) < 0)
		return mount_apply_failure(&ob->mount, &ob->mount_res, r, &ob->error);
	return 0;
}

static int apply_layout(struct onboard *ob)
{
	enum tree_owner_step owner_failed;
	struct layout_conf lc;
	struct layout_plan p;
	const char *failed = NULL;
	bool would_create;
	uid_t uid;
	gid_t gid;
	int r = layout_build(ob, &lc, &p);

	if (r < 0)
		return app_fail(&ob->error, APP_FAILED, r, "building the layout plan: %s", strerror(-r));
	if ((r = layout_tree_owner(lc.user, lc.prefix, false, &uid, &gid, &would_create, &owner_failed)) < 0)
		app_fail(&ob->error, APP_FAILED, r, "%s '%s': %s", owner_failed == OWNER_CREATE ? "creating system user" :
			 "looking up user", lc.user, strerror(-r));
	else if ((r = layout_plan_apply(&p, uid, gid, &failed)) < 0)
		app_fail(&ob->error, APP_FAILED, r, "writing %s: %s", failed, strerror(-r));
	else
		say(ob, S_LAYOUT, "layout: %zu directories and files created or updated", p.changes);
	layout_plan_free(&p);
	return r;
}

static int apply_sync(struct onboard *ob, const struct onboard_observer *obs)
{
	for (size_t i = 0; i < ob->set.n; i++) {
		const struct profile *p = &ob->set.v[i];
		struct sync_request rq = { .profile = p, .root = root_dir(ob), .host_name = ob->hc.host.name,
					   .admin_email = ob->hc.host.admin_email, .user = ob->hc.mirror.user };
		struct sync_result res;
		_cleanup_free_ char *dest = NULL;
		int r;

		if (profile_synced(ob, p))
			continue;
		if (asprintf(&dest, "%s/%s", rq.root, p->directory) < 0)
			return -ENOMEM;
		time_t start = time(NULL);
		r = sync_run(&rq, &res);
		if (obs->synced)
			obs->synced(obs->userdata, ob, p, r, &res, start);
		if (r < 0)
			sync_failure(r, p, dest, rq.user, &res, &ob->error);
		else
			say(ob, S_SYNC, "%s: synced from %s in %.1f s", p->name, p->upstream, res.seconds);
		sync_result_free(&res);
		if (r < 0)
			return r;
	}
	return 0;
}

static int apply_check(struct onboard *ob)
{
	int r;

	ob->checks_start = time(NULL);
	r = checkrun(&ob->hc, root_dir(ob), &ob->set, &ob->o->check, &ob->checks, &ob->error);

	if (r < 0)
		return r;
	if (ob->checks.failed)
		return app_fail(&ob->error, APP_FAILED, -EREMOTEIO, "the URL checks failed; nothing registered");
	return 0;
}

struct register_forward {
	struct onboard *ob;
	const struct onboard_observer *obs;
};

/* Each instance's outcome to the caller; the first failure is the step's error. */
static void registered(void *userdata, const struct reg_plan *plan, const struct reg_outcome *o)
{
	struct register_forward *f = userdata;

	f->obs->registered(f->obs->userdata, f->ob, plan, o);
	if (o->r < 0 && o->error.message)
		app_fail(&f->ob->error, o->error.kind, o->r, "%s", o->error.message);
	else if (o->r < 0)
		app_fail(&f->ob->error, APP_FAILED, o->r, "%s: a category is not set up for this host in MirrorManager",
			 o->g->inst.name);
}

static int apply_register(struct onboard *ob, const struct onboard_observer *obs)
{
	_cleanup_free_ char *text = NULL, *dir = NULL;
	/* the check step has just run the same checks */
	const struct register_request rq = { .hc = &ob->hc, .root = root_dir(ob), .set = &ob->set, .skip_check = true,
					     .check = &ob->o->check };
	struct register_forward f = { ob, obs };
	const struct register_observer robs = { &f, NULL, NULL, registered };
	struct register_report rep;
	struct reg_plan plan;
	int r;

	if ((r = register_plan(ob, &plan)) < 0)
		return r;
	text = register_record_text(ob, &plan);
	reg_plan_free(&plan);
	if (!text || !(dir = strdup(ob->record)))
		return -ENOMEM;
	r = registration_run(&rq, &robs, &rep);
	if (r < 0 && rep.error.message)
		app_fail(&ob->error, rep.error.kind, r, "%s", rep.error.message);
	register_report_free(&rep);
	if (r < 0)
		return r;
	if ((r = mkdir_p(dirname(dir), 0755)) < 0 || (r = write_file_atomic(ob->record, text, strlen(text), 0644, false)) < 0)
		return app_fail(&ob->error, APP_FAILED, r, "registered, but cannot write %s: %s", ob->record, strerror(-r));
	return 0;
}

static int apply_step(struct onboard *ob, int i, const struct onboard_observer *obs)
{
	static int (*const appliers[_S_MAX])(struct onboard *) = {
		apply_device, apply_geometry, apply_mkfs, apply_mount, apply_layout, NULL, apply_check, NULL,
	};

	return i == S_REGISTER ? apply_register(ob, obs) : i == S_SYNC ? apply_sync(ob, obs) : appliers[i](ob);
}

/* --- the run --------------------------------------------------------------------- */

/* The host configuration, its file name made absolute (the sync units name it). */
static int load_config(struct onboard *ob, const char *config)
{
	_cleanup_free_ char *err = NULL;
	int r = hostconf_load(config, HOSTCONF_HOST | HOSTCONF_STORAGE | HOSTCONF_MIRROR, &ob->hc, &err);

	if (r == -ENOMEM || (r < 0 && !err))
		return app_fail(&ob->error, APP_FAILED, r, "loading the host configuration: %s", strerror(-r));
	if (r < 0)
		return app_fail(&ob->error, APP_BAD_INPUT, r, "%s", err);
	ob->loaded = true;
	ob->st = &ob->hc.storage;
	if ((r = layout_config_absolute(&ob->hc)) < 0)
		return app_fail(&ob->error, APP_FAILED, r, "%s: %s", ob->hc.path, strerror(-r));
	return 0;
}

int onboard_load(struct onboard *ob, const struct onboard_options *o)
{
	_cleanup_free_ char *err = NULL;
	const char *prefix = o->prefix ? o->prefix : "";
	int r;

	*ob = (struct onboard){ .o = o, .blocked = -1, .failed = -1 };
	if (!(ob->udev = udev_new()))
		return app_fail(&ob->error, APP_FAILED, -ENOMEM, "cannot use libudev");
	if ((r = load_config(ob, o->config)) < 0)
		return r;
	r = profile_load_list(ob->hc.mirror.profiles, &ob->set, &err);
	if (r == -ENOMEM)
		return app_fail(&ob->error, APP_FAILED, r, "loading profiles: %s", strerror(-r));
	if (r < 0 && !(ob->profiles_error = err ? TAKE_PTR(err) : strdup(strerror(-r))))
		return -ENOMEM;
	if (r == 0 && !ob->set.n && !(ob->profiles_error = strdup("mirror.profiles names no profile")))
		return -ENOMEM;
	/* No plan without an upstream the project allows for every profile. */
	if (r == 0 && (r = profiles_require_upstreams(&ob->hc, &ob->set, &ob->error)) < 0)
		return r;
	if (asprintf(&ob->fstab, "%s/etc/fstab", prefix) < 0 || asprintf(&ob->record, "%s" REGISTER_RECORD, prefix) < 0)
		return -ENOMEM;
	return 0;
}

int onboard_plan(struct onboard *ob)
{
	static int (*const planners[_S_MAX])(struct onboard *) = {
		plan_device, plan_geometry, plan_mkfs, plan_mount, plan_layout, plan_sync, plan_check, plan_register,
	};
	int r;

	for (int i = 0; i < _S_MAX; i++) {
		if ((r = planners[i](ob)) < 0)
			return app_fail(&ob->error, APP_FAILED, r, "planning the %s step: %s", onboard_step_names[i],
					strerror(-r));
		ob->changes |= ob->steps[i].state == STEP_CHANGE;
		if (ob->steps[i].state == STEP_BLOCKED && ob->blocked < 0)
			ob->blocked = i;
	}
	return 0;
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

int onboard_apply(struct onboard *ob, const struct onboard_observer *obs)
{
	int r = 0;

	if (ob->blocked >= 0 || !ob->changes || ob->o->dry_run)
		return 0;
	if (ob->steps[S_MKFS].state == STEP_CHANGE && (r = obs->confirm(obs->userdata, ob)) < 0)
		return r;
	for (int i = 0; i < _S_MAX && r == 0; i++) {
		if (ob->steps[i].state == STEP_CHANGE) {
			obs->applying(obs->userdata, ob, i);
			if ((r = apply_step(ob, i, obs)) < 0)
				ob->failed = i;
			else
				ob->changed = true;
			obs->applied(obs->userdata, ob, i, r);
		}
		stop_if_asked(i);
	}
	return r;
}

void onboard_free(struct onboard *ob)
{
	if (ob->probe_loop)
		loop_image_detach(ob->probe_loop);
	free(ob->probe_loop);
	free(ob->device);
	free(ob->fstab);
	free(ob->record);
	free(ob->profiles_error);
	for (int i = 0; i < _S_MAX; i++) {
		free(ob->steps[i].detail);
		free(ob->steps[i].output);
	}
	profile_set_free(&ob->set);
	if (ob->loaded)
		hostconf_free(&ob->hc);
	mkfs_result_free(&ob->mkfs_res);
	mkfs_plan_free(&ob->mkfs);
	mount_plan_free(&ob->mount);
	checkrun_result_free(&ob->checks);
	app_error_free(&ob->error);
	if (ob->udev)
		udev_unref(ob->udev);
}
