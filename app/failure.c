#include "failure.h"

#include <errno.h>
#include <string.h>

int checks_failure(const struct fs_checks *c, struct app_error *e)
{
	const struct fs_check *f = fs_checks_failed(c);

	return app_fail(e, APP_REFUSED, -EPERM, "%s: %s", f ? f->name : "unknown", f ? f->detail : "a safety check failed");
}

static int mkfs_known_failure(const struct mkfs_plan *p, const struct mkfs_result *res, int r, struct app_error *e)
{
	switch (r) {
	case -ENOENT:
		if (res->failed == MKFS_STEP_NONE)
			return app_fail(e, APP_FAILED, r, "mkfs.xfs not found in PATH (install xfsprogs); nothing was written");
		break;
	case -EPERM:
		return checks_failure(&res->recheck, e);
	case -EBUSY:
		if (res->failed <= MKFS_STEP_PARTITION)
			return app_fail(e, APP_REFUSED, r, "exclusive: %s is locked or opened exclusively by another "
				       "program; nothing was written", p->path);
		break;
	case -ECANCELED:
		if (res->signal)
			return app_fail(e, APP_FAILED, r, "mkfs.xfs was killed by signal %d (%s); %s is in an unknown state",
					res->signal, strsignal(res->signal), res->node);
		return app_fail(e, APP_FAILED, r, "mkfs.xfs failed with exit code %d; %s is in an unknown state",
				res->exit_code, res->node);
	case -EBADMSG:
		return app_fail(e, APP_FAILED, r, "the new superblock on %s does not match the plan: %s", res->node, res->why);
	case -ENXIO:
		if (res->failed == MKFS_STEP_PARTITION)
			return app_fail(e, APP_FAILED, r, "the kernel did not add partition 1 of %s (no partition scanning, "
					"e.g. a loop device without -P)", p->path);
		break;
	}
	return 0;
}

int mkfs_apply_failure(const struct mkfs_plan *p, const struct mkfs_result *res, int r, struct app_error *e)
{
	int k = mkfs_known_failure(p, res, r, e);

	if (k < 0)
		return k;
	if (res->failed == MKFS_STEP_PARTITION)
		return app_fail(e, APP_FAILED, r, "cannot partition %s: %s", p->path, strerror(-r));
	if (res->failed == MKFS_STEP_VERIFY)
		return app_fail(e, APP_FAILED, r, "cannot read the new superblock of %s: %s", res->node, strerror(-r));
	if (res->failed == MKFS_STEP_MKFS)
		return app_fail(e, APP_FAILED, r, "cannot run mkfs.xfs: %s", strerror(-r));
	return app_fail(e, APP_FAILED, r, "cannot format %s: %s", p->path, strerror(-r));
}

int mount_apply_failure(const struct mount_plan *p, const struct mount_result *res, int r, struct app_error *e)
{
	if (r == -EBADMSG)
		return app_fail(e, APP_FAILED, r, "the mounted filesystem on %s does not have the planned stripe: %s",
				p->mountpoint, res->why);
	if (strcmp(res->failed, "mount") == 0)
		return app_fail(e, APP_FAILED, r, "cannot mount %s on %s: %s", p->path, p->mountpoint,
				*res->mount_error ? res->mount_error : strerror(-r));
	if (strcmp(res->failed, "fstab") == 0)
		return app_fail(e, APP_FAILED, r, "mounted, but cannot write %s: %s", p->req.fstab, strerror(-r));
	if (strcmp(res->failed, "mkdir") == 0)
		return app_fail(e, APP_FAILED, r, "cannot create %s: %s", p->mountpoint, strerror(-r));
	return app_fail(e, APP_FAILED, r, "cannot read the geometry of %s (XFS_IOC_FSGEOMETRY): %s", p->mountpoint,
			strerror(-r));
}

int sync_failure(int r, const struct profile *p, const char *dest, const char *user, const struct sync_result *res,
		 struct app_error *e)
{
	const char *tool = p->method == SYNC_FTPSYNC ? "ftpsync" : "rsync";
	const char *what = p->method == SYNC_FTPSYNC ? NULL : rsync_exit_message(res->exit_code);

	switch (r) {
	case -EBUSY:
		return app_fail(e, APP_FAILED, r, "another sync of %s is running (it holds the lock on %s)", p->name, dest);
	case -ETIMEDOUT:
		return app_fail(e, APP_FAILED, r, "%s: timed out after %.0f s; the mirror is incomplete", p->name,
				res->seconds);
	case -ENODATA:
		return app_fail(e, APP_FAILED, r, "%s: %s; the mirror is incomplete", p->name,
				res->message ? res->message : "a freshness marker is missing");
	case -ENOENT:
		return app_fail(e, APP_FAILED, r, "%s is not installed", tool);
	case -ESRCH:
		return app_fail(e, APP_BAD_INPUT, r, "mirror.user '%s' %s", user ? user : HOSTCONF_DEFAULT_USER,
				res->message ? res->message : "cannot run the sync");
	case -ENOTDIR:
		return app_fail(e, APP_FAILED, r, "the mirror root of %s does not exist (filesystem not mounted?)", dest);
	case -EIO:
		return app_fail(e, APP_FAILED, r, "%s: %s exited with %d%s%s%s%s%s", p->name, tool, res->exit_code,
				what ? " (" : "", what ? what : "", what ? ")" : "", res->message ? ": " : "",
				res->message ? res->message : "");
	default:
		return app_fail(e, APP_FAILED, r, "%s: %s", p->name, strerror(-r));
	}
}
