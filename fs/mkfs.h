/* mkfs as a plan: build (facts, layout, argv, safety gate; no writes), then
 * apply (lock, re-check, partition, mkfs.xfs, superblock verification). */
#pragma once

#include <libudev.h>
#include <stdbool.h>

#include "fs/checks.h"
#include "fs/partition.h"
#include "fs/xfs.h"
#include "block/blockdev.h"
#include "raid/geometry.h"

struct mkfs_request {
	const char *device;         /* as given: a path, kernel name or WWID */
	struct raid_geometry geom;
	const char *label;          /* NULL: none */
	const char *expect_wwid;    /* NULL: not checked */
	bool partition;             /* GPT with one stripe-aligned partition */
	bool no_discard;
	bool force;                 /* format over existing signatures */
	bool lock;                  /* take the whole-disk flock before the gate and hold it
	                             * until mkfs_plan_free() (not for dry runs) */
};

struct mkfs_plan {
	struct mkfs_request req;    /* strings borrowed from the caller */
	char *path;                 /* the resolved device node */
	bool have_dev;              /* dev is valid */
	struct blockdev dev;
	bool partitioned;
	struct part_layout part;
	char *target;               /* what mkfs.xfs formats: the device or its partition 1 */
	char **mkfs_argv;           /* NULL-terminated */
	enum io_hints_verdict hints;
	bool hints_disagree;        /* plausible device hints that differ from the plan */
	struct fs_checks checks;
	int lock_fd;                /* the whole disk, flock(LOCK_EX), or -1 */
};

/* Builds the plan and runs the safety gate (read-only).  Returns 0 (see
 * fs_checks_failed(&plan->checks)), -EOPNOTSUPP for --partition on a partition
 * or device-mapper device, -ENOSPC when no aligned partition fits, other -errno. */
int mkfs_plan_build(struct udev *udev, const struct mkfs_request *req, struct mkfs_plan *plan);
void mkfs_plan_free(struct mkfs_plan *plan);

enum mkfs_step {
	MKFS_STEP_NONE,
	MKFS_STEP_LOCK,       /* flock on the whole disk */
	MKFS_STEP_GATE,       /* the gate re-run under the lock refused */
	MKFS_STEP_PARTITION,
	MKFS_STEP_MKFS,
	MKFS_STEP_VERIFY,
};

struct mkfs_result {
	enum mkfs_step failed;      /* where apply stopped */
	struct fs_checks recheck;   /* the gate under the lock */
	char *node;                 /* the formatted node */
	int exit_code, signal;      /* of mkfs.xfs */
	char *out, *err;            /* its output */
	struct xfs_geom sb;         /* the new superblock */
	char why[256];              /* verification mismatch */
};

/* Applies a plan whose gate passed.  The gate runs again under the lock, in
 * full when recheck is set (time has passed since the plan, e.g. a
 * confirmation prompt) or the plan was built without the lock, else its
 * checks of the device's users only.  Returns 0; -ENOENT when mkfs.xfs is
 * not in PATH (nothing written); -EPERM when the gate under the lock refused
 * (nothing written); -EBUSY when the disk is locked or claimed by someone else;
 * -ECANCELED when mkfs.xfs failed or was killed (see exit_code/signal);
 * -EBADMSG when the new superblock does not carry the planned stripe. */
int mkfs_plan_apply(struct udev *udev, struct mkfs_plan *plan, bool recheck, struct mkfs_result *res);
void mkfs_result_free(struct mkfs_result *res);
