/* Is a device blank?  libblkid only looks where a signature belongs (the
 * start, the end, a few fixed offsets), so a filesystem whose first superblock
 * or whose partition table was wiped, or raw data such as a tar stream, reads
 * as empty to it.  This reads small samples spread over the device and names
 * what it finds in them: secondary copies of filesystem metadata, headers, or
 * just non-zero bytes.
 *
 * Samples: the first and the last 16 MiB (partition starts, the area a
 * wipe leaves behind, GPT and RAID metadata at the end), 1 MiB centred on
 * each k/64 of the size, k = 1..63 (mkfs.xfs makes 4 or 32 allocation groups
 * on all but the largest disks, so their superblocks fall into these; a
 * filesystem with data has some in most of them), and 4 KiB where an ext2/3/4
 * backup superblock lives (sparse_super: groups 1 and powers of 3, 5, 7; with
 * 4 KiB blocks everywhere, with 1 or 2 KiB blocks in the first GiB: about 45
 * places on 50 TiB).  About 95 MiB whatever the size, in some 110 reads: one
 * or two seconds of seeks on a disk array of spinning disks, never the whole
 * device. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLANK_EDGE_BYTES (16ULL << 20)
#define BLANK_SAMPLES 64
#define BLANK_SAMPLE_BYTES (1ULL << 20)

struct blank_report {
	unsigned samples;          /* reads made */
	unsigned nonzero;          /* of which held non-zero bytes */
	uint64_t bytes_read;
	bool found;                /* something non-zero: the fields below say what */
	uint64_t offset;           /* of the structure named (the first of the highest rank), else of
				    * the first non-zero byte */
	char what[160];            /* "XFS allocation-group superblock (AG 1 of 4, 4096-byte blocks)";
				    * empty: unrecognised */
	char why[96];              /* what it means, e.g. "a filesystem whose first superblock was wiped" */
	uint8_t head[16];          /* the first bytes at offset (unrecognised data) */
	int rank;                  /* of what: 2 a superblock or header, 1 an XFS AG header, 0 nothing named */
};

/* Reads the samples of the first size bytes of fd (read-only; page cache, with
 * read-ahead requested for all samples first).  Returns 0 (see found) or
 * -errno; a short read before size is -EIO: a device that ends early is not
 * known to be blank. */
int blank_scan_fd(int fd, uint64_t size, struct blank_report *ret);

/* Names a known structure at the start of buf (one sector or more, located at
 * device offset off): writes what/why and returns its rank (1, 2), else 0. */
int blank_identify(const uint8_t *buf, size_t len, uint64_t off, struct blank_report *r);
