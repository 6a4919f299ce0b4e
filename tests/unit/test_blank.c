/* The blank check on sparse image files: zeros pass; hand-made secondary
 * structures are named at their offsets; other bytes are reported raw; a file
 * shorter than the size asked for is an error, never "blank". */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "block/blank.h"

#define GiB (1ULL << 30)

static int image(uint64_t size)
{
	char path[] = "/tmp/mp-test-blank.XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	return fd;
}

static void put(int fd, uint64_t off, const void *p, size_t len)
{
	assert_int_equal(pwrite(fd, p, len, (off_t)off), (ssize_t)len);
}

static void put_be32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
}

static void zeros_are_blank(void **state)
{
	struct blank_report r;
	int fd = image(64 * GiB);

	assert_int_equal(blank_scan_fd(fd, 64 * GiB, &r), 0);
	assert_false(r.found);
	assert_int_equal(r.nonzero, 0);
	/* 16 MiB at each end, 63 x 1 MiB, 4 KiB probes: under 96 MiB */
	assert_true(r.bytes_read > 94 * (1ULL << 20) && r.bytes_read < 96 * (1ULL << 20));
	close(fd);
}

static void xfs_ag_superblock_named(void **state)
{
	uint8_t sb[512] = "XFSB";
	struct blank_report r;
	int fd = image(64 * GiB);

	put_be32(sb + 4, 4096);                 /* blocksize */
	put_be32(sb + 84, 4194304);             /* agblocks: 16 GiB */
	put_be32(sb + 88, 4);                   /* agcount */
	sb[102] = 2;                            /* sectsize 512 */
	put(fd, 32 * GiB, sb, sizeof(sb));
	assert_int_equal(blank_scan_fd(fd, 64 * GiB, &r), 0);
	assert_true(r.found);
	assert_int_equal(r.offset, 32 * GiB);
	assert_string_equal(r.what, "XFS allocation-group superblock (AG 2 of 4, 4096-byte blocks)");
	close(fd);
}

static void ext_backup_superblock_named(void **state)
{
	uint8_t sb[1024] = { 0 };
	struct blank_report r;
	int fd = image(4 * GiB);

	sb[0] = 1;                              /* s_inodes_count */
	sb[24] = 2;                             /* s_log_block_size: 4096 */
	sb[33] = 0x80;                          /* s_blocks_per_group 32768 */
	sb[56] = 0x53, sb[57] = 0xEF;
	sb[90] = 3;                             /* s_block_group_nr */
	put(fd, 3 * 128ULL * (1 << 20), sb, sizeof(sb));
	assert_int_equal(blank_scan_fd(fd, 4 * GiB, &r), 0);
	assert_true(r.found);
	assert_int_equal(r.offset, 3 * 128ULL * (1 << 20));
	assert_string_equal(r.what, "ext2/3/4 backup superblock (block group 3, 4096-byte blocks)");
	close(fd);
}

static void raw_bytes_reported(void **state)
{
	struct blank_report r;
	int fd = image(GiB);

	put(fd, GiB - 100, "junk", 4);
	assert_int_equal(blank_scan_fd(fd, GiB, &r), 0);
	assert_true(r.found);
	assert_string_equal(r.what, "");
	assert_int_equal(r.offset, GiB - 100);
	assert_memory_equal(r.head, "junk", 4);
	assert_int_equal(r.nonzero, 1);
	close(fd);
}

static void short_device_is_an_error(void **state)
{
	struct blank_report r;
	int fd = image(GiB);

	assert_int_equal(blank_scan_fd(fd, 2 * GiB, &r), -EIO);
	close(fd);
}

static void small_device(void **state)
{
	struct blank_report r;
	int fd = image(20 << 20);

	put(fd, (20 << 20) - 1, "x", 1);
	assert_int_equal(blank_scan_fd(fd, 20 << 20, &r), 0);
	assert_true(r.found);
	assert_int_equal(r.offset, (20 << 20) - 1);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zeros_are_blank),
		cmocka_unit_test(xfs_ag_superblock_named),
		cmocka_unit_test(ext_backup_superblock_named),
		cmocka_unit_test(raw_bytes_reported),
		cmocka_unit_test(short_device_is_an_error),
		cmocka_unit_test(small_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
