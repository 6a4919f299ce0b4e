/* The RAID geometry options shared by geometry, mkfs, mount and onboard. */
#pragma once

#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "block/blockdev.h"
#include "raid/geometry.h"

enum {
	GEOMOPT_BASE = 0x1000,
	GEOMOPT_RAID0 = GEOMOPT_BASE,   /* GEOMOPT_BASE + enum raid_level */
	GEOMOPT_LEVEL = GEOMOPT_BASE + 0x10,
	GEOMOPT_DISKS,
	GEOMOPT_SPANS,
	GEOMOPT_SPARE,
	GEOMOPT_CHUNK,
	GEOMOPT_DEVICE,
};

#define GEOMOPT_LONGOPTS                                           \
	{ "raid0", required_argument, NULL, GEOMOPT_BASE + RAID0 },   \
	{ "raid1", required_argument, NULL, GEOMOPT_BASE + RAID1 },   \
	{ "raid5", required_argument, NULL, GEOMOPT_BASE + RAID5 },   \
	{ "raid6", required_argument, NULL, GEOMOPT_BASE + RAID6 },   \
	{ "raid10", required_argument, NULL, GEOMOPT_BASE + RAID10 }, \
	{ "raid50", required_argument, NULL, GEOMOPT_BASE + RAID50 }, \
	{ "raid60", required_argument, NULL, GEOMOPT_BASE + RAID60 }, \
	{ "level", required_argument, NULL, GEOMOPT_LEVEL },          \
	{ "disks", required_argument, NULL, GEOMOPT_DISKS },          \
	{ "spans", required_argument, NULL, GEOMOPT_SPANS },          \
	{ "spare", required_argument, NULL, GEOMOPT_SPARE },          \
	{ "spares", required_argument, NULL, GEOMOPT_SPARE },         \
	{ "chunk", required_argument, NULL, GEOMOPT_CHUNK },          \
	{ "device", required_argument, NULL, GEOMOPT_DEVICE }

#define GEOMOPT_HELP \
	"  --raid0|--raid1|--raid5|--raid6|--raid10|--raid50|--raid60 DISKS\n" \
	"                        RAID level and number of member disks (spares not counted)\n" \
	"  --level LEVEL --disks N\n" \
	"                        the same, spelled out (LEVEL: raid0 … raid60)\n" \
	"  --spans N             spans of a raid50/raid60 set (default 2)\n" \
	"  --spare N             hot spares: never part of the stripe\n" \
	"  --chunk SIZE          per-disk strip (\"stripe size\" on many controllers);\n" \
	"                        bytes or k/K/KiB, m/M/MiB (default 64k)\n" \
	"  --device DEV          read the I/O hints of DEV (a node or a WWID): its\n" \
	"                        minimum_io_size is the chunk when --chunk is absent\n"

/* What --device read: the device's own I/O hints. */
struct geom_device {
	char path[256];        /* the node read (a WWID resolved to its node) */
	uint64_t io_min, io_opt;
	unsigned physical_sector;
	enum io_hints_verdict verdict;
};

struct geom_opts {
	bool given;            /* any geometry option seen */
	struct raid_input in;
	const char *level_arg; /* for messages */
	const char *device;    /* --device argument, NULL when not given */
	struct geom_device dev;  /* filled by geomopt_compute() when device is set */
};

void geomopt_init(struct geom_opts *o);
/* Handles one getopt result; returns 1 if consumed, 0 if not ours, or EXIT_USAGE
 * (after logging) on a bad value. */
int geomopt_handle(struct geom_opts *o, int c, const char *arg);
/* Validates and computes; logs and returns EXIT_USAGE on bad input (a missing
 * or unknown --device too), EXIT_FAIL when the device cannot be read.  With
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
