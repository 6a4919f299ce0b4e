/* mount as a plan: mount point, one fstab line, libmount, and the live XFS
 * geometry read back.  Build is read-only; apply changes only what differs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "fs/checks.h"
#include "fs/fstab.h"
#include "fs/xfs.h"
#include "raid/geometry.h"

#define MOUNT_DEFAULT_OPTIONS "noatime,logbsize=256k"

enum mount_opt_class {
	MOPT_REMOVED,       /* the kernel refuses the mount */
	MOPT_DEPRECATED,    /* mounts, with a warning in the kernel log */
	MOPT_REWRITES_SB,   /* sunit=/swidth=: rewrites the superblock */
};

struct mount_opt_issue {
	char name[32];
	enum mount_opt_class cls;
	const char *reason;  /* static */
};

#define MOUNT_OPT_ISSUES_MAX 16

/* Classifies XFS mount options.  Returns the number of issues (up to max are
 * stored), or -EINVAL for a list with whitespace or an empty option. */
int mount_options_check(const char *opts, struct mount_opt_issue *issues, size_t max);

struct mount_request {
	const char *device;              /* as given */
	const char *mountpoint;          /* absolute */
	const char *options;             /* NULL: MOUNT_DEFAULT_OPTIONS */
	const char *fstab;               /* NULL: leave fstab alone */
	const struct raid_geometry *geom; /* NULL: not compared */
	bool force;                      /* replace a differing fstab entry; allow sunit=/swidth=; mount twice */
};

enum mount_state {
	MOUNT_STATE_NONE,       /* not mounted */
	MOUNT_STATE_HERE,       /* mounted on the mount point already */
};

struct mount_plan {
	struct mount_request req;
	char *path;                      /* resolved device */
	dev_t devnum;
	char *mountpoint;                /* normalised */
	const char *options;
	char *uuid, *label;              /* from libblkid */
	struct xfs_geom sb;              /* the superblock */
	bool create_dir;
	enum mount_state state;
	char *mounted_options;           /* per-mount options when mounted here */
	struct mount_opt_issue issues[MOUNT_OPT_ISSUES_MAX];
	size_t nissues;
	struct fstab_edit fstab;         /* valid when req.fstab */
	struct fs_checks checks;         /* block-device, xfs, options, mount-point, not-mounted-elsewhere, fstab, geometry */
};

/* Returns 0 (see fs_checks_failed()), -EINVAL for bad options or a relative
 * mount point, other -errno (the fstab cannot be read). */
int mount_plan_build(const struct mount_request *req, struct mount_plan *plan);
void mount_plan_free(struct mount_plan *plan);
/* Nothing to do: mounted here, and the fstab (if any) already says so. */
bool mount_plan_is_noop(const struct mount_plan *plan);

struct mount_result {
	bool created_dir, mounted, fstab_written;
	struct xfs_geom live;            /* XFS_IOC_FSGEOMETRY */
	char why[256];                   /* geometry mismatch */
	char mount_error[256];           /* libmount's message */
	const char *failed;              /* step: "mkdir", "mount", "fstab", "geometry" */
};

/* Creates the directory, mounts, writes the fstab (only after the mount worked,
 * so a failing mount never leaves a line that breaks the next boot) and reads
 * the live geometry.  -EBADMSG when it differs from req.geom. */
int mount_plan_apply(struct mount_plan *plan, struct mount_result *res);
