#include "mount.h"

#include <errno.h>
#include <libmount.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs/device.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/mountinfo.h"
#include "block/signatures.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_context *, mnt_free_context)

static const struct {
	const char *name;
	enum mount_opt_class cls;
	const char *reason;
} xfs_opts[] = {
	{ "barrier", MOPT_REMOVED, "removed in Linux 4.19 (write barriers are always on); the mount would fail" },
	{ "nobarrier", MOPT_REMOVED, "removed in Linux 4.19 (write barriers are always on); the mount would fail" },
	{ "delaylog", MOPT_REMOVED, "removed in Linux 4.0 (delayed logging is always on); the mount would fail" },
	{ "nodelaylog", MOPT_REMOVED, "removed in Linux 4.0 (delayed logging is always on); the mount would fail" },
	{ "osyncisdsync", MOPT_REMOVED, "removed in Linux 4.0; the mount would fail" },
	{ "osyncisosync", MOPT_REMOVED, "removed in Linux 4.0; the mount would fail" },
	{ "ihashsize", MOPT_REMOVED, "removed in Linux 4.0; the mount would fail" },
	{ "irixsgid", MOPT_REMOVED, "removed in Linux 4.0; the mount would fail" },
	{ "attr2", MOPT_DEPRECATED, "deprecated, removal scheduled for September 2025 (attr2 is the default)" },
	{ "noattr2", MOPT_DEPRECATED, "deprecated, removal scheduled for September 2025" },
	{ "ikeep", MOPT_DEPRECATED, "deprecated, removal scheduled for September 2025" },
	{ "noikeep", MOPT_DEPRECATED, "deprecated, removal scheduled for September 2025" },
	{ "sunit", MOPT_REWRITES_SB, "rewrites the stripe unit in the superblock (set it with mkfs instead)" },
	{ "swidth", MOPT_REWRITES_SB, "rewrites the stripe width in the superblock (set it with mkfs instead)" },
};

int mount_options_check(const char *opts, struct mount_opt_issue *issues, size_t max)
{
	const char *s = opts;
	size_t n = 0;

	if (!*opts || strpbrk(opts, " \t\n\\#"))
		return -EINVAL;
	while (*s) {
		size_t len = strcspn(s, ","), nlen = strcspn(s, ",=");
		if (!len)
			return -EINVAL;
		if (nlen > len)
			nlen = len;
		for (size_t i = 0; i < ARRAY_SIZE(xfs_opts); i++) {
			if (strlen(xfs_opts[i].name) != nlen || strncmp(s, xfs_opts[i].name, nlen) != 0)
				continue;
			if (n < max) {
				snprintf(issues[n].name, sizeof(issues[n].name), "%s", xfs_opts[i].name);
				issues[n].cls = xfs_opts[i].cls;
				issues[n].reason = xfs_opts[i].reason;
			}
			n++;
		}
		s += len;
		if (*s == ',' && !*++s)
			return -EINVAL;
	}
	return (int)n;
}

static int check_options(struct mount_plan *p)
{
	for (size_t i = 0; i < p->nissues; i++) {
		const struct mount_opt_issue *m = &p->issues[i];
		if (m->cls == MOPT_REMOVED)
			return fs_checks_add(&p->checks, "options", false, "%s: %s", m->name, m->reason);
		if (m->cls == MOPT_REWRITES_SB) {
			int r = fs_checks_add(&p->checks, "options", p->req.force, "%s= %s%s", m->name, m->reason,
					      p->req.force ? ": allowed by --force" : " (--force allows it)");
			if (r >= 0 && p->req.force)
				p->checks.v[p->checks.n - 1].forced = true;
			return r;
		}
	}
	return fs_checks_add(&p->checks, "options", true, "%s", p->options);
}

/* Filesystem type, UUID and label through libblkid, and the XFS superblock. */
static int check_xfs(struct mount_plan *p)
{
	struct signature_list l = { 0 };
	const struct signature *fs;
	int r = signatures_probe_path(p->path, &l);

	if (r < 0)
		return fs_checks_add(&p->checks, "xfs", false, "cannot probe %s: %s", p->path, strerror(-r));
	fs = signature_list_filesystem(&l);
	if (!fs || strcmp(fs->type, "xfs") != 0 || !fs->uuid) {
		r = fs_checks_add(&p->checks, "xfs", false, "%s holds %s, not an XFS filesystem", p->path,
				  fs ? fs->type : l.n ? l.v[0].type : "no filesystem");
		signature_list_free(&l);
		return r;
	}
	p->uuid = strdup(fs->uuid);
	p->label = fs->label ? strdup(fs->label) : NULL;
	signature_list_free(&l);
	if (!p->uuid)
		return -ENOMEM;
	if ((r = xfs_read_superblock(p->path, &p->sb)) < 0)
		return fs_checks_add(&p->checks, "xfs", false, "cannot read the superblock of %s: %s", p->path, strerror(-r));
	return fs_checks_add(&p->checks, "xfs", true, "XFS, UUID %s%s%s%s", p->uuid, p->label ? ", label \"" : "",
			     p->label ? p->label : "", p->label ? "\"" : "");
}

/* Where the device and the mount point are mounted now. */
static int check_mount_state(struct mount_plan *p)
{
	struct mount_table t = { 0 };
	char real[PATH_MAX];
	const char *here = p->mountpoint, *elsewhere = NULL, *other = NULL;
	struct stat st;
	int r;

	if (stat(p->mountpoint, &st) < 0) {
		if (errno != ENOENT)
			return fs_checks_add(&p->checks, "mount-point", false, "%s: %s", p->mountpoint, strerror(errno));
		p->create_dir = true;
	} else if (!S_ISDIR(st.st_mode))
		return fs_checks_add(&p->checks, "mount-point", false, "%s exists and is not a directory", p->mountpoint);
	else if (realpath(p->mountpoint, real))
		here = real;

	if ((r = mountinfo_load(&t)) < 0)
		return r;
	for (size_t i = 0; i < t.n; i++) {
		const struct mount_entry *m = &t.v[i];
		bool ours = makedev(m->major, m->minor) == p->devnum;
		if (strcmp(m->target, here) == 0) {
			if (ours) {
				p->state = MOUNT_STATE_HERE;
				free(p->mounted_options);
				if (!(p->mounted_options = strdup(m->super_options ? m->super_options : "")))
					r = -ENOMEM;
			} else
				other = m->source;   /* the last mount on top is the visible one */
		} else if (ours && !elsewhere)
			elsewhere = m->target;
	}
	if (p->state == MOUNT_STATE_HERE)
		other = NULL;
	if (r >= 0) {
		if (other)
			r = fs_checks_add(&p->checks, "mount-point", false, "%s is already a mount point of %s", p->mountpoint, other);
		else
			r = fs_checks_add(&p->checks, "mount-point", true, "%s%s", p->mountpoint,
					  p->create_dir ? " will be created" : p->state == MOUNT_STATE_HERE ? " already has it mounted" : "");
	}
	if (r >= 0 && elsewhere && p->state != MOUNT_STATE_HERE) {
		r = fs_checks_add(&p->checks, "not-mounted-elsewhere", p->req.force, "%s is mounted on %s%s", p->path, elsewhere,
				  p->req.force ? ": mounted a second time because of --force" : " (--force mounts it again)");
		if (r >= 0 && p->req.force)
			p->checks.v[p->checks.n - 1].forced = true;
	} else if (r >= 0)
		r = fs_checks_add(&p->checks, "not-mounted-elsewhere", true, "%s is not mounted elsewhere", p->path);
	mount_table_free(&t);
	return r;
}

static int check_fstab(struct mount_plan *p)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	struct fstab_entry want = {
		.alias = p->path, .target = p->mountpoint, .fstype = "xfs", .options = p->options,
	};
	_cleanup_free_ char *spec = NULL;
	int r = read_file_bounded(p->req.fstab, 4 << 20, &text, &len);

	if (r == -ENOENT)
		len = 0;
	else if (r < 0)
		return r;
	if (asprintf(&spec, "UUID=%s", p->uuid) < 0)
		return -ENOMEM;
	want.spec = spec;
	if ((r = fstab_edit(text ? text : "", len, &want, p->req.force, &p->fstab)) < 0)
		return r;
	switch (p->fstab.verdict) {
	case FSTAB_ADD:
		return fs_checks_add(&p->checks, "fstab", true, "%s: add %s", p->req.fstab, p->fstab.line);
	case FSTAB_UNCHANGED:
		return fs_checks_add(&p->checks, "fstab", true, "%s already has %s", p->req.fstab, p->fstab.line);
	case FSTAB_CONFLICT:
		return fs_checks_add(&p->checks, "fstab", false, "%s line %zu says %s (--force replaces it)", p->req.fstab,
				     p->fstab.conflict_lineno, p->fstab.conflict);
	default:
		r = fs_checks_add(&p->checks, "fstab", true, "%s line %zu replaced by --force: was %s", p->req.fstab,
				  p->fstab.conflict_lineno, p->fstab.conflict);
		if (r >= 0)
			p->checks.v[p->checks.n - 1].forced = true;
		return r;
	}
}

int mount_plan_build(const struct mount_request *req, struct mount_plan *p)
{
	struct stat st;
	char why[256];
	int r;

	memset(p, 0, sizeof(*p));
	p->req = *req;
	p->options = req->options ? req->options : MOUNT_DEFAULT_OPTIONS;
	r = mount_options_check(p->options, p->issues, MOUNT_OPT_ISSUES_MAX);
	if (r < 0)
		return r;
	p->nissues = (size_t)r < MOUNT_OPT_ISSUES_MAX ? (size_t)r : MOUNT_OPT_ISSUES_MAX;
	if (req->mountpoint[0] != '/' || strchr(req->mountpoint, '\n'))
		return -EINVAL;
	if (!(p->mountpoint = strdup(req->mountpoint)))
		return -ENOMEM;
	for (size_t n = strlen(p->mountpoint); n > 1 && p->mountpoint[n - 1] == '/';)
		p->mountpoint[--n] = '\0';

	r = fs_resolve_device(req->device, &p->path);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return fs_checks_add(&p->checks, "block-device", false, "no device found for %s", req->device);
	if (stat(p->path, &st) < 0 || !S_ISBLK(st.st_mode))
		return fs_checks_add(&p->checks, "block-device", false, "%s is not a block device", p->path);
	p->devnum = st.st_rdev;
	if ((r = fs_checks_add(&p->checks, "block-device", true, "%s (%u:%u)", p->path, major(st.st_rdev),
			       minor(st.st_rdev))) < 0 ||
	    (r = check_xfs(p)) < 0 || (r = check_options(p)) < 0 || (r = check_mount_state(p)) < 0)
		return r;
	if (req->fstab && p->uuid && (r = check_fstab(p)) < 0)
		return r;
	if (req->geom && p->uuid) {
		if (xfs_geom_matches(&p->sb, req->geom, why, sizeof(why)))
			r = fs_checks_add(&p->checks, "geometry", true, "superblock sunit=%u swidth=%u blks as planned",
					  p->sb.sunit_blocks, p->sb.swidth_blocks);
		else
			r = fs_checks_add(&p->checks, "geometry", false, "%s", why);
	}
	return r;
}

void mount_plan_free(struct mount_plan *p)
{
	free(p->path);
	free(p->mountpoint);
	free(p->uuid);
	free(p->label);
	free(p->mounted_options);
	fstab_edit_free(&p->fstab);
	fs_checks_free(&p->checks);
	memset(p, 0, sizeof(*p));
}

bool mount_plan_is_noop(const struct mount_plan *p)
{
	return p->state == MOUNT_STATE_HERE && (!p->req.fstab || p->fstab.verdict == FSTAB_UNCHANGED);
}

static int do_mount(struct mount_plan *p, struct mount_result *res)
{
	_cleanup_(mnt_free_contextp) struct libmnt_context *cxt = mnt_new_context();
	int rc, err;

	if (!cxt)
		return -ENOMEM;
	if (mnt_context_set_source(cxt, p->path) || mnt_context_set_target(cxt, p->mountpoint) ||
	    mnt_context_set_fstype(cxt, "xfs") || mnt_context_set_options(cxt, p->options) ||
	    mnt_context_set_optsmode(cxt, MNT_OMODE_NOTAB))
		return -ENOMEM;
	rc = mnt_context_mount(cxt);
	if (rc == 0 && mnt_context_get_status(cxt) == 1)
		return 0;
	err = mnt_context_get_syscall_errno(cxt);
	mnt_context_get_excode(cxt, rc, res->mount_error, sizeof(res->mount_error));
	return err > 0 ? -err : rc < 0 ? rc : -EIO;
}

int mount_plan_apply(struct mount_plan *p, struct mount_result *res)
{
	struct stat st;
	mode_t mode = 0644;
	int r;

	memset(res, 0, sizeof(*res));
	if (p->create_dir) {
		res->failed = "mkdir";
		if ((r = mkdir_p(p->mountpoint, 0755)) < 0)
			return r;
		res->created_dir = true;
	}
	if (p->state != MOUNT_STATE_HERE) {
		res->failed = "mount";
		if ((r = do_mount(p, res)) < 0)
			return r;
		res->mounted = true;
	}
	if (p->req.fstab && (p->fstab.verdict == FSTAB_ADD || p->fstab.verdict == FSTAB_REPLACE)) {
		res->failed = "fstab";
		if (stat(p->req.fstab, &st) == 0)
			mode = st.st_mode & 07777;
		if ((r = write_file_atomic(p->req.fstab, p->fstab.text, p->fstab.len, mode, true)) < 0)
			return r;
		res->fstab_written = r > 0;
	}
	res->failed = "geometry";
	if ((r = xfs_live_geometry(p->mountpoint, &res->live)) < 0)
		return r;
	if (p->req.geom && !xfs_geom_matches(&res->live, p->req.geom, res->why, sizeof(res->why)))
		return -EBADMSG;
	res->failed = NULL;
	return 0;
}
