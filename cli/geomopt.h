/* The RAID geometry options shared by geometry, mkfs, mount and onboard. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "app/geometry.h"
#include "raid/geometry.h"

#include "options.h"

/* --raid6 DISKS, --level/--disks, --spans, --spare, --chunk, --device: a
 * group of options over a struct geom_opts. */
extern const struct opt geomopt_options[];

struct geom_opts {
	bool given;            /* any geometry option seen */
	struct raid_input in;
	const char *level_arg; /* for messages */
	const char *device;    /* --device argument, NULL when not given */
	struct geom_device dev;  /* filled by geomopt_compute() when device is set */
};

void geomopt_init(struct geom_opts *o);
/* Validates and computes; logs and returns -MP_EUSAGE on bad input (a missing
 * or unknown --device too), -errno when the device cannot be read.  With
 * --device and no --chunk, a plausible minimum_io_size is the chunk. */
int geomopt_compute(struct geom_opts *o, struct raid_geometry *g);

/* With --device: 1 when the device's hints equal the computed su and stripe
 * width (su alone when it reports no width), 0 when they differ, -1 when there
 * is nothing to compare (no --device, no usable hints, no stripe). */
int geomopt_device_match(const struct geom_opts *o, const struct raid_geometry *g);
/* The "device" object of the JSON interface (NULL without --device). */
json_object *geomopt_device_json(const struct geom_opts *o, const struct raid_geometry *g);
/* One line on the device's hints for people. */
void geomopt_device_explain(FILE *f, const struct geom_opts *o, const struct raid_geometry *g);
/* Warnings: no usable chunk on the device, bogus hints, hints that disagree. */
void geomopt_device_warn(const struct geom_opts *o, const struct raid_geometry *g);

/* The geometry object of the JSON interface (also embedded by mkfs and onboard). */
json_object *geometry_to_json(const struct raid_geometry *g);
/* One- or two-line explanation of the arithmetic, then the mkfs line. */
void geometry_explain(FILE *f, const struct raid_geometry *g);
/* Warn about assumptions (default chunk, non-power-of-two chunk). */
void geometry_warn(const struct raid_geometry *g);
