/* The safety gate in front of every destructive block-device operation.
 * Checks run in this order and are all recorded (the first failure is the one
 * reported): block-device, not-mounted, no-holders, no-loop, not-open,
 * not-system-disk, wwid, no-signatures, blank, aligned, exclusive.  Only
 * no-signatures and blank can be forced: a user of the device never.
 * Nothing here writes to the device. */
#pragma once

#include <libudev.h>
#include <stdbool.h>
#include <sys/types.h>

#include "fs/checks.h"
#include "block/blockdev.h"

struct gate_request {
	const char *path;          /* resolved device node */
	const char *expect_wwid;   /* NULL: not checked */
	bool force;                /* overrides no-signatures and blank only */
	bool users_only;           /* the checks of who uses the device, and exclusive, only:
				    * the last look right before writing */
};

/* Runs the gate.  dev receives the device facts when the first check passed
 * (blockdev_free() it; zeroed otherwise).  Returns 0 when the gate ran (see
 * fs_checks_failed()), -errno when it could not (out of memory). */
int safety_gate(struct udev *udev, const struct gate_request *req, struct blockdev *dev, struct fs_checks *checks);

/* Mount points and swap areas on any device of the stack (the device, its
 * partitions, its holders).  Writes a description of the first one into
 * *what (caller frees).  Returns 1 in use, 0 not, -errno when the mount table
 * or /proc/swaps cannot be read (callers treat that as in use). */
int device_in_use(struct udev *udev, dev_t devnum, char **what);
