/* The device half of the geometry options: a RAID LUN's own I/O hints, read
 * from a node or a WWID, and whether they agree with a computed stripe. */
#pragma once

#include <stdint.h>

#include "app/app.h"
#include "block/blockdev.h"
#include "raid/geometry.h"

struct geom_device {
	char path[256];        /* the node read (a WWID resolved to its node) */
	uint64_t io_min, io_opt;
	unsigned physical_sector;
	enum io_hints_verdict verdict;
};

/* Reads the hints of device: a node directly, anything else taken for a WWID
 * and resolved.  An unknown WWID or a path that is no block device is
 * APP_BAD_INPUT. */
int geom_device_read(const char *device, struct geom_device *d, struct app_error *e);
/* 1 when the hints equal the computed su and stripe width (su alone when the
 * device reports no width), 0 when they differ, -1 when there is nothing to
 * compare (no usable hints, no stripe). */
int geom_device_match(const struct geom_device *d, const struct raid_geometry *g);
