/* fs/ arithmetic and parsing: partition layout, WWID spellings, mount option
 * policy, superblock parsing and geometry comparison. */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <xfs/xfs.h>
#include <xfs/xfs_format.h>

#include "fs/checks.h"
#include "fs/device.h"
#include "fs/mount.h"
#include "fs/partition.h"
#include "fs/xfs.h"

static struct raid_geometry geom(enum raid_level l, unsigned disks, unsigned spares, uint64_t chunk)
{
	struct raid_input in = { .level = l, .disks = disks, .spares = spares, .chunk = chunk, .chunk_source = CHUNK_OPTION };
	struct raid_geometry g;
	const char *why;

	assert_int_equal(raid_geometry_compute(&in, &g, &why), 0);
	return g;
}

static void layout_reference_case(void **state)
{
	struct raid_geometry g = geom(RAID6, 15, 1, 65536);
	struct part_layout l;

	assert_int_equal(partition_layout(64ULL << 30, 512, &g, &l), 0);
	assert_int_equal(l.start, 26624);          /* 13 MiB */
	assert_int_equal(l.align_bytes, 13 << 20);
	assert_int_equal((l.end + 1) * 512 % 851968, 0);   /* ends on a full stripe */
	assert_true(l.end <= (64ULL << 30) / 512 - 34);     /* backup GPT fits */
	assert_true((64ULL << 30) / 512 - 34 - l.end < 851968 / 512);  /* and no stripe is wasted */
}

static void layout_other_rows(void **state)
{
	static const struct { unsigned disks; uint64_t chunk; uint64_t start; } rows[] = {
		{ 10, 65536, 2048 }, { 12, 65536, 10240 }, { 14, 65536, 6144 }, { 16, 65536, 14336 },
		{ 15, 131072, 26624 }, { 16, 262144, 14336 }, { 14, 524288, 12288 },
	};
	struct part_layout l;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct raid_geometry g = geom(RAID6, rows[i].disks, 0, rows[i].chunk);
		assert_int_equal(partition_layout(1ULL << 40, 512, &g, &l), 0);
		assert_int_equal(l.start, rows[i].start);
	}
	/* 4 KiB logical sectors: the same byte offset, in bigger sectors */
	struct raid_geometry g = geom(RAID6, 15, 1, 65536);
	assert_int_equal(partition_layout(1ULL << 40, 4096, &g, &l), 0);
	assert_int_equal(l.start, 26624 / 8);
	assert_true(l.end <= (1ULL << 40) / 4096 - 6);
	/* raid1: no stripe, 1 MiB alignment */
	g = geom(RAID1, 2, 0, 65536);
	assert_int_equal(partition_layout(1ULL << 30, 512, &g, &l), 0);
	assert_int_equal(l.start, 2048);
	assert_int_equal((l.end + 1) % 2048, 0);
}

static void layout_too_small(void **state)
{
	struct raid_geometry g = geom(RAID6, 15, 1, 65536);
	struct part_layout l;

	assert_int_equal(partition_layout(27 << 19, 512, &g, &l), -ENOSPC);
	assert_int_equal(partition_layout(4096, 512, &g, &l), -ENOSPC);
	assert_int_equal(partition_layout(1ULL << 30, 1000, &g, &l), -EINVAL);
}

static void partition_names(void **state)
{
	char b[64];

	partition_name("sdf", b, sizeof(b));
	assert_string_equal(b, "sdf1");
	partition_name("loop0", b, sizeof(b));
	assert_string_equal(b, "loop0p1");
	partition_name("nvme0n1", b, sizeof(b));
	assert_string_equal(b, "nvme0n1p1");
}

static void wwids(void **state)
{
	assert_true(wwid_matches("naa.600d02310009a3e15c2e8f1d7a4b3c90", "wwn-0x600D02310009A3E15C2E8F1D7A4B3C90"));
	assert_true(wwid_matches("3600d02310009a3e15c2e8f1d7a4b3c90", "naa.600d02310009a3e15c2e8f1d7a4b3c90"));
	assert_true(wwid_matches("0x600d02310009a3e1", "600d02310009a3e1"));
	assert_false(wwid_matches("naa.600d02310009a3e15c2e8f1d7a4b3c90", "naa.600d02310009a3e15c2e8f1d7a4b3c91"));
	assert_false(wwid_matches("naa.600d0231", NULL));
	assert_false(wwid_matches("naa.xyz", "naa.xyw"));
	assert_true(wwid_matches("/dev/disk/by-id/dm-uuid-mpath-3600d02310009a3e15c2e8f1d7a4b3c90",
				 "naa.600d02310009a3e15c2e8f1d7a4b3c90"));
	assert_true(wwid_like("naa.600d02310009a3e1"));
	assert_true(wwid_like("wwn-0x600d02310009a3e1"));
	assert_false(wwid_like("/dev/sdf"));
	assert_false(wwid_like("sdf"));
	assert_true(wwid_like("3600d02310009a3e15c2e8f1d7a4b3c90"));
	assert_false(wwid_like("loop0"));
}

static void mount_options(void **state)
{
	struct mount_opt_issue m[MOUNT_OPT_ISSUES_MAX];

	assert_int_equal(mount_options_check(MOUNT_DEFAULT_OPTIONS, m, MOUNT_OPT_ISSUES_MAX), 0);
	assert_int_equal(mount_options_check("noatime,nobarrier", m, MOUNT_OPT_ISSUES_MAX), 1);
	assert_string_equal(m[0].name, "nobarrier");
	assert_int_equal(m[0].cls, MOPT_REMOVED);
	assert_int_equal(mount_options_check("delaylog,attr2,ikeep,sunit=128,swidth=1664", m, MOUNT_OPT_ISSUES_MAX), 5);
	assert_int_equal(m[0].cls, MOPT_REMOVED);
	assert_int_equal(m[1].cls, MOPT_DEPRECATED);
	assert_int_equal(m[2].cls, MOPT_DEPRECATED);
	assert_int_equal(m[3].cls, MOPT_REWRITES_SB);
	assert_int_equal(m[4].cls, MOPT_REWRITES_SB);
	assert_int_equal(mount_options_check("barriers,attr2x", m, MOUNT_OPT_ISSUES_MAX), 0);
	assert_int_equal(mount_options_check("noatime,,x", m, MOUNT_OPT_ISSUES_MAX), -EINVAL);
	assert_int_equal(mount_options_check("noatime,", m, MOUNT_OPT_ISSUES_MAX), -EINVAL);
	assert_int_equal(mount_options_check("", m, MOUNT_OPT_ISSUES_MAX), -EINVAL);
	assert_int_equal(mount_options_check("no atime", m, MOUNT_OPT_ISSUES_MAX), -EINVAL);
}

static void superblock(void **state)
{
	unsigned char buf[512] = { 0 };
	struct xfs_dsb *sb = (struct xfs_dsb *)buf;
	struct xfs_geom x;
	char why[256];
	struct raid_geometry g = geom(RAID6, 15, 1, 65536);

	assert_int_equal(xfs_parse_superblock(buf, sizeof(buf), &x), -EMEDIUMTYPE);
	sb->sb_magicnum = htobe32(XFS_SB_MAGIC);
	sb->sb_blocksize = htobe32(4096);
	sb->sb_unit = htobe32(16);
	sb->sb_width = htobe32(208);
	sb->sb_logsunit = htobe32(65536);
	memcpy(sb->sb_fname, "mirror", 6);
	assert_int_equal(xfs_parse_superblock(buf, sizeof(buf), &x), 0);
	assert_int_equal(x.sunit_blocks, 16);
	assert_int_equal(x.swidth_blocks, 208);
	assert_string_equal(x.label, "mirror");
	assert_string_equal(x.uuid, "00000000-0000-0000-0000-000000000000");
	assert_true(xfs_geom_matches(&x, &g, why, sizeof(why)));
	g = geom(RAID6, 16, 0, 65536);
	assert_false(xfs_geom_matches(&x, &g, why, sizeof(why)));
	assert_non_null(strstr(why, "sw 13"));
	g = geom(RAID1, 2, 0, 65536);
	assert_false(xfs_geom_matches(&x, &g, why, sizeof(why)));
	x.sunit_blocks = x.swidth_blocks = 0;
	assert_true(xfs_geom_matches(&x, &g, why, sizeof(why)));
	assert_int_equal(xfs_parse_superblock(buf, 100, &x), -EMEDIUMTYPE);
}

static void checks(void **state)
{
	struct fs_checks c = { 0 };

	assert_int_equal(fs_checks_add(&c, "a", true, "fine"), 0);
	assert_null(fs_checks_failed(&c));
	assert_int_equal(fs_checks_add(&c, "b", false, "bad %d", 1), 0);
	assert_int_equal(fs_checks_add(&c, "c", false, "bad too"), 0);
	assert_string_equal(fs_checks_failed(&c)->name, "b");
	assert_string_equal(fs_checks_find(&c, "c")->detail, "bad too");
	for (int i = 3; i < FS_CHECKS_MAX; i++)
		assert_int_equal(fs_checks_add(&c, "x", true, "x"), 0);
	assert_int_equal(fs_checks_add(&c, "y", true, "y"), -E2BIG);
	fs_checks_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layout_reference_case),
		cmocka_unit_test(layout_other_rows),
		cmocka_unit_test(layout_too_small),
		cmocka_unit_test(partition_names),
		cmocka_unit_test(wwids),
		cmocka_unit_test(mount_options),
		cmocka_unit_test(superblock),
		cmocka_unit_test(checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
