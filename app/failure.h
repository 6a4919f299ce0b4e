/* Why an applied plan failed, as one line of text and its class: shared by
 * the verbs (mkfs, mount, sync) and onboard's steps.  Each returns r (or the
 * refusal's -EPERM) with e set. */
#pragma once

#include "app/app.h"
#include "fs/checks.h"
#include "fs/mkfs.h"
#include "fs/mount.h"
#include "lib/hostconf.h"
#include "sync/profile.h"
#include "sync/syncrun.h"

/* "NAME: DETAIL" of the first failed check, class APP_REFUSED. */
int checks_failure(const struct fs_checks *c, struct app_error *e);
int mkfs_apply_failure(const struct mkfs_plan *p, const struct mkfs_result *res, int r, struct app_error *e);
int mount_apply_failure(const struct mount_plan *p, const struct mount_result *res, int r, struct app_error *e);
/* user: mirror.user (NULL: the default), who runs the sync. */
int sync_failure(int r, const struct profile *p, const char *dest, const char *user, const struct sync_result *res,
		 struct app_error *e);
