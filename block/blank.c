#include "blank.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/macro.h"

/* On-disk layouts: xfsprogs include/xfs_format.h (xfs_dsb, xfs_agf, xfs_agi),
 * e2fsprogs lib/ext2fs/ext2_fs.h (ext2_super_block), UEFI 2.10 §5.3.2 (GPT
 * header), POSIX pax "ustar" header, mdadm super1.c, LVM2 label.c,
 * cryptsetup luks1/luks2 headers. */
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[1] << 8 | p[0]); }
static bool pow2_in(uint64_t v, uint64_t lo, uint64_t hi) { return v >= lo && v <= hi && !(v & (v - 1)); }

/* A filesystem's superblock says more than one of its AG headers: rank 2 and 1. */
static int found(struct blank_report *r, int rank, const char *why, const char *fmt, ...) _printf_(4, 5);
static int found(struct blank_report *r, int rank, const char *why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->what, sizeof(r->what), fmt, ap);
	va_end(ap);
	snprintf(r->why, sizeof(r->why), "%s", why);
	return rank;
}

static int xfs_sb(const uint8_t *b, uint64_t off, struct blank_report *r)
{
	uint32_t bs = be32(b + 4), agblocks = be32(b + 84), agcount = be32(b + 88);
	uint64_t agbytes = (uint64_t)agblocks * bs;

	if (memcmp(b, "XFSB", 4) != 0 || !pow2_in(bs, 512, 65536) || !pow2_in(be16(b + 102), 512, 32768) || !agblocks ||
	    !agcount)
		return 0;
	if (off && off % agbytes == 0 && off / agbytes < agcount)
		return found(r, 2, "a filesystem whose first superblock was wiped",
			     "XFS allocation-group superblock (AG %llu of %u, %u-byte blocks)",
			     (unsigned long long)(off / agbytes), agcount, bs);
	return found(r, 2, off ? "the filesystem of a partition whose table was wiped?" : "an XFS filesystem",
		     "XFS superblock (%u allocation groups of %u %u-byte blocks)", agcount, agblocks, bs);
}

static int xfs_ag_header(const uint8_t *b, uint64_t off, struct blank_report *r)
{
	bool agf = memcmp(b, "XAGF", 4) == 0;

	if (!agf && memcmp(b, "XAGI", 4) != 0)
		return 0;
	if (be32(b + 4) != 1 || !be32(b + 12))   /* versionnum, length */
		return 0;
	return found(r, 1, off < 65536 ? "a filesystem whose first superblock was wiped" : "an XFS filesystem",
		     "XFS allocation-group header (%s of AG %u)", agf ? "AGF" : "AGI", be32(b + 8));
}

/* ext2/3/4 superblocks start on a 1 KiB boundary; the magic is at 56. */
static int ext_sb(const uint8_t *b, uint64_t off, struct blank_report *r)
{
	uint32_t logbs = le32(b + 24), bpg = le32(b + 32);
	unsigned group = le16(b + 90);

	if (off % 1024 || le16(b + 56) != 0xEF53 || logbs > 6 || !bpg || bpg > 8u * (1024u << logbs) || !le32(b + 0) ||
	    le32(b + 76) > 1)
		return 0;
	if (group)
		return found(r, 2, "a filesystem whose first superblock was wiped",
			     "ext2/3/4 backup superblock (block group %u, %u-byte blocks)", group, 1024u << logbs);
	return found(r, 2, off == 1024 ? "an ext2/3/4 filesystem" : "the filesystem of a partition whose table was wiped?",
		     "ext2/3/4 superblock (%u-byte blocks)", 1024u << logbs);
}

static int other_header(const uint8_t *b, uint64_t off, struct blank_report *r)
{
	if (memcmp(b, "EFI PART", 8) == 0)
		return found(r, 2, "a partition table", "GPT header");
	if (memcmp(b + 257, "ustar", 5) == 0) {
		char name[41];
		size_t i;
		/* bytes from the device: printable ASCII only */
		for (i = 0; i < sizeof(name) - 1 && b[i]; i++)
			name[i] = b[i] >= 0x20 && b[i] < 0x7f && b[i] != '"' ? (char)b[i] : '?';
		name[i] = '\0';
		return found(r, 2, "raw data written to the disk", "tar archive header (member \"%s\")", name);
	}
	if (le32(b) == 0xa92b4efc && le32(b + 4) == 1)
		return found(r, 2, "a RAID member", "md RAID superblock (version 1)");
	if (memcmp(b, "LABELONE", 8) == 0)
		return found(r, 2, "an LVM physical volume", "LVM2 label");
	if (memcmp(b, "LUKS\xba\xbe", 6) == 0 || memcmp(b, "SKUL\xba\xbe", 6) == 0)
		return found(r, 2, "an encrypted volume", "LUKS header");
	return 0;
}

int blank_identify(const uint8_t *buf, size_t len, uint64_t off, struct blank_report *r)
{
	int k;

	if (len < 512)
		return 0;
	if ((k = xfs_sb(buf, off, r)) || (k = xfs_ag_header(buf, off, r)) || (k = ext_sb(buf, off, r)))
		return k;
	return other_header(buf, off, r);
}

/* Word ORs over 512-byte blocks, which the compiler vectorises; b is 8-byte aligned. */
static bool all_zero(const uint8_t *b, size_t len)
{
	const uint64_t *w = (const uint64_t *)b;
	size_t blocks = len / 512;

	for (size_t i = 0; i < blocks; i++) {
		uint64_t acc = 0;
		for (size_t k = 0; k < 64; k++)
			acc |= w[i * 64 + k];
		if (acc)
			return false;
	}
	for (size_t i = blocks * 512; i < len; i++)
		if (b[i])
			return false;
	return true;
}

struct sample {
	uint64_t off, len;
};

static int cmp_sample(const void *a, const void *b)
{
	const struct sample *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* The places to read, sorted, within [0, size); returns the count. */
static size_t plan_samples(uint64_t size, struct sample *v, size_t max)
{
	size_t n = 0;

	v[n++] = (struct sample){ 0, size < BLANK_EDGE_BYTES ? size : BLANK_EDGE_BYTES };
	if (size > BLANK_EDGE_BYTES)
		v[n++] = (struct sample){ size - (size < 2 * BLANK_EDGE_BYTES ? size - BLANK_EDGE_BYTES : BLANK_EDGE_BYTES),
					  size < 2 * BLANK_EDGE_BYTES ? size - BLANK_EDGE_BYTES : BLANK_EDGE_BYTES };
	for (unsigned k = 1; k < BLANK_SAMPLES && size > 2 * BLANK_EDGE_BYTES; k++) {
		uint64_t c = size / 4096 * k / BLANK_SAMPLES * 4096;
		if (c >= BLANK_EDGE_BYTES + BLANK_SAMPLE_BYTES / 2 && c + BLANK_SAMPLE_BYTES / 2 <= size - BLANK_EDGE_BYTES)
			v[n++] = (struct sample){ c - BLANK_SAMPLE_BYTES / 2, BLANK_SAMPLE_BYTES };
	}
	/* ext2/3/4 backup superblocks (sparse_super): groups 1 and powers of 3, 5, 7.
	 * With 1 KiB blocks a group is 8 MiB and starts 1 KiB in; mke2fs picks 1
	 * and 2 KiB blocks only for filesystems below 512 MiB, so those are
	 * looked for in the first GiB only. */
	for (uint64_t group_bytes = 8 << 20; group_bytes <= 128 << 20; group_bytes *= 4) {
		uint64_t end = group_bytes < (128 << 20) && size > (1ULL << 30) ? 1ULL << 30 : size;
		for (unsigned base = 3; base <= 7; base += 2)
			for (uint64_t g = base == 3 ? 1 : base; g * group_bytes + 4096 <= end && n < max; g *= base)
				if (g * group_bytes >= BLANK_EDGE_BYTES)
					v[n++] = (struct sample){ g * group_bytes, 4096 };
	}
	qsort(v, n, sizeof(*v), cmp_sample);
	return n;
}

/* Scans one sample: the first non-zero byte and the first structure named. */
static void scan(const uint8_t *b, const struct sample *s, struct blank_report *r)
{
	size_t first = 0;

	if (all_zero(b, s->len))
		return;
	r->nonzero++;
	while (b[first] == 0)
		first++;
	for (size_t at = first - first % 512; at + 512 <= s->len && r->rank < 2; at += 512) {
		struct blank_report t = *r;
		int k = blank_identify(b + at, s->len - at, s->off + at, &t);
		if (k > r->rank) {
			*r = t;
			r->rank = k;
			r->offset = s->off + at;
			r->found = true;
		}
	}
	if (!r->found) {
		r->found = true;
		r->offset = s->off + first;
		memcpy(r->head, b + first, s->len - first < sizeof(r->head) ? s->len - first : sizeof(r->head));
	}
}

int blank_scan_fd(int fd, uint64_t size, struct blank_report *r)
{
	struct sample v[2 + BLANK_SAMPLES + 128];
	_cleanup_free_ uint8_t *buf = NULL;
	size_t n = plan_samples(size, v, ARRAY_SIZE(v));

	memset(r, 0, sizeof(*r));
	if (posix_memalign((void **)&buf, 4096, BLANK_EDGE_BYTES) != 0)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint64_t got = 0;
		while (got < v[i].len) {
			ssize_t k = pread(fd, buf + got, v[i].len - got, (off_t)(v[i].off + got));
			if (k < 0 && errno == EINTR)
				continue;
			/* O_DIRECT refused (a tmpfs file, odd alignment): read through the cache */
			if (k < 0 && errno == EINVAL && (fcntl(fd, F_GETFL) & O_DIRECT) &&
			    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_DIRECT) == 0)
				continue;
			if (k < 0)
				return negative_errno();
			if (k == 0)
				return -EIO;
			got += (uint64_t)k;
		}
		r->samples++;
		r->bytes_read += got;
		scan(buf, &v[i], r);
	}
	return 0;
}
