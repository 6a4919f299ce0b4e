/* XFS on-disk and live geometry: the superblock (struct xfs_dsb) and
 * XFS_IOC_FSGEOMETRY, compared with a planned RAID geometry. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "raid/geometry.h"

struct xfs_geom {
	uint32_t blocksize;
	uint32_t sunit_blocks, swidth_blocks;   /* filesystem blocks, as xfs_info */
	uint32_t logsunit_bytes;                /* bytes, as the superblock says */
	uint32_t agcount;
	uint64_t data_blocks;
	char label[13];
	char uuid[37];
};

/* Reads the primary superblock.  -EMEDIUMTYPE when the device holds no XFS. */
int xfs_read_superblock(const char *path, struct xfs_geom *ret);
/* Parses a 512-byte superblock sector (pure; for tests). */
int xfs_parse_superblock(const void *buf, size_t len, struct xfs_geom *ret);
/* XFS_IOC_FSGEOMETRY on a mounted filesystem; -ENOTTY when it is not XFS. */
int xfs_live_geometry(const char *mountpoint, struct xfs_geom *ret);

/* Does the filesystem carry the planned stripe (none for RAID1)?  On a mismatch
 * why says what differs. */
bool xfs_geom_matches(const struct xfs_geom *x, const struct raid_geometry *g, char *why, size_t len);

/* What is on a device already: for "is this an XFS with label L and geometry G
 * mounted at M?" (mkfs re-runs, onboard plans). */
struct xfs_state {
	bool is_xfs;
	struct xfs_geom geom;        /* valid when is_xfs */
	char *mountpoint;            /* first mount point of the device, or NULL */
};

int xfs_state_probe(const char *path, struct xfs_state *ret);
void xfs_state_free(struct xfs_state *s);
/* NULL arguments are not compared.  On false, why names the first difference. */
bool xfs_state_matches(const struct xfs_state *s, const char *label, const struct raid_geometry *g,
		       const char *mountpoint, char *why, size_t len);
