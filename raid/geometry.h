/* XFS stripe geometry of a hardware RAID set: pure arithmetic, no I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum raid_level {
	RAID_INVALID = -1,
	RAID0,
	RAID1,
	RAID5,
	RAID6,
	RAID10,
	RAID50,
	RAID60,
	_RAID_LEVEL_MAX,
};

#define GEOM_DEFAULT_CHUNK (64u * 1024u)
#define GEOM_SECTOR 512u
#define GEOM_FSBLOCK 4096u
/* mkfs.xfs rejects a stripe width above INT_MAX bytes (xfs_validate_stripe_geometry). */
#define GEOM_MAX_WIDTH 2147483647ULL
#define GEOM_MAX_DISKS 4096u

enum chunk_source {
	CHUNK_DEFAULT,
	CHUNK_OPTION,
	CHUNK_DEVICE,
};

struct raid_input {
	enum raid_level level;
	uint64_t disks;
	uint64_t spares;
	uint64_t spans;         /* 0: not given */
	uint64_t chunk;         /* bytes; 0: not given */
	enum chunk_source chunk_source;
};

struct raid_geometry {
	enum raid_level level;
	unsigned disks, spares, spans;
	unsigned data_disks, parity_disks;  /* parity_disks: parity or mirror copies */
	uint64_t chunk_bytes;
	enum chunk_source chunk_source;
	uint64_t su_bytes;                  /* 0 for raid1 */
	unsigned sw;                        /* 0 for raid1 */
	uint64_t stripe_width_bytes;
	uint64_t sunit_sectors, swidth_sectors;
	uint64_t sunit_blocks, swidth_blocks;
	bool chunk_not_pow2;                /* accepted, but worth a warning */
};

enum raid_level raid_level_from_string(const char *s);
const char *raid_level_to_string(enum raid_level l);
bool raid_level_has_spans(enum raid_level l);

/* Validates and computes.  On -EINVAL/-ERANGE *reason names the problem
 * (a static string, lower case, no full stop). */
int raid_geometry_compute(const struct raid_input *in, struct raid_geometry *g, const char **reason);

/* "su=64k,sw=13" into buf; empty for raid1. */
void raid_geometry_mkfs_dopt(const struct raid_geometry *g, char *buf, size_t len);

/* First sector of a partition aligned to the full stripe: lcm(1 MiB, su*sw) / 512. */
uint64_t raid_geometry_align_bytes(const struct raid_geometry *g);

const char *chunk_source_to_string(enum chunk_source s);
