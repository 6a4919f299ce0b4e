/* One GPT partition aligned to the RAID stripe: starts at lcm(1 MiB, su*sw)
 * and ends on a full-stripe boundary, written with libfdisk. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "raid/geometry.h"

struct part_layout {
	unsigned sector;        /* logical sector size of the disk */
	uint64_t start, end;    /* in logical sectors; end inclusive */
	uint64_t align_bytes;   /* lcm(1 MiB, su*sw): the start */
	uint64_t unit_bytes;    /* the partition size is a multiple of this (full stripe, or 1 MiB) */
};

/* Pure arithmetic for a disk of size_bytes.  -ENOSPC when no aligned
 * partition fits, -EINVAL for a bad sector size. */
int partition_layout(uint64_t size_bytes, unsigned sector, const struct raid_geometry *g, struct part_layout *ret);

/* Kernel name of partition 1 of a disk: "sdf1", "loop0p1", "nvme0n1p1". */
void partition_name(const char *disk, char *buf, size_t len);

/* Writes a new GPT with the one partition (GPT name: label, may be NULL) to fd,
 * the whole disk opened read-write; makes the kernel add the partition
 * (BLKRRPART, else BLKPG) and waits for its node, checking its start.
 * *ret_node receives the node path. */
int partition_write(int fd, const char *disk_path, const char *disk_name, const struct part_layout *l,
		    const char *label, char **ret_node);
