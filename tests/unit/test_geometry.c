/* Geometry arithmetic: every level, spares, spans, chunk sizes and rejections. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "lib/size.h"
#include "raid/geometry.h"

#define K 1024ULL
#define M (1024ULL * 1024ULL)

struct gcase {
	enum raid_level level;
	uint64_t disks, spares, spans, chunk;
	int err;            /* expected -errno, 0 for success */
	unsigned data, sw;  /* expected on success */
	const char *dopt;   /* expected -d argument */
};

static const struct gcase cases[] = {
	/* the reference case: RAID6 15 + 1 spare, 64 KiB */
	{ RAID6, 15, 1, 0, 64 * K, 0, 13, 13, "su=64k,sw=13" },
	{ RAID6, 16, 0, 0, 256 * K, 0, 14, 14, "su=256k,sw=14" },
	{ RAID6, 4, 0, 0, 4 * K, 0, 2, 2, "su=4k,sw=2" },
	{ RAID6, 12, 2, 0, 128 * K, 0, 10, 10, "su=128k,sw=10" },
	{ RAID6, 24, 0, 0, 1 * M, 0, 22, 22, "su=1m,sw=22" },
	{ RAID5, 3, 0, 0, 64 * K, 0, 2, 2, "su=64k,sw=2" },
	{ RAID5, 9, 1, 0, 512 * K, 0, 8, 8, "su=512k,sw=8" },
	{ RAID5, 16, 0, 0, 8 * K, 0, 15, 15, "su=8k,sw=15" },
	{ RAID0, 2, 0, 0, 64 * K, 0, 2, 2, "su=64k,sw=2" },
	{ RAID0, 8, 0, 0, 32 * K, 0, 8, 8, "su=32k,sw=8" },
	{ RAID10, 4, 0, 0, 64 * K, 0, 2, 2, "su=64k,sw=2" },
	{ RAID10, 12, 1, 0, 256 * K, 0, 6, 6, "su=256k,sw=6" },
	{ RAID50, 12, 0, 2, 64 * K, 0, 10, 10, "su=64k,sw=10" },
	{ RAID50, 12, 0, 3, 64 * K, 0, 9, 9, "su=64k,sw=9" },
	{ RAID50, 6, 0, 0, 64 * K, 0, 4, 4, "su=64k,sw=4" },  /* spans default to 2 */
	{ RAID60, 16, 2, 2, 128 * K, 0, 12, 12, "su=128k,sw=12" },
	{ RAID60, 24, 0, 4, 64 * K, 0, 16, 16, "su=64k,sw=16" },
	{ RAID1, 2, 0, 0, 64 * K, 0, 1, 0, "" },
	{ RAID1, 3, 1, 0, 0, 0, 1, 0, "" },
	{ RAID6, 15, 1, 0, 0, 0, 13, 13, "su=64k,sw=13" },     /* default chunk */
	{ RAID6, 14, 0, 0, 96 * K, 0, 12, 12, "su=96k,sw=12" }, /* not a power of two: accepted */
	/* rejections */
	{ RAID6, 3, 0, 0, 64 * K, -EINVAL, 0, 0, NULL },
	{ RAID5, 2, 0, 0, 64 * K, -EINVAL, 0, 0, NULL },
	{ RAID0, 1, 0, 0, 64 * K, -EINVAL, 0, 0, NULL },
	{ RAID1, 1, 0, 0, 64 * K, -EINVAL, 0, 0, NULL },
	{ RAID10, 7, 0, 0, 64 * K, -EINVAL, 0, 0, NULL },       /* odd */
	{ RAID10, 2, 0, 0, 64 * K, -EINVAL, 0, 0, NULL },
	{ RAID50, 13, 0, 2, 64 * K, -EINVAL, 0, 0, NULL },      /* not divisible */
	{ RAID60, 6, 0, 2, 64 * K, -EINVAL, 0, 0, NULL },       /* span of 3 too small */
	{ RAID50, 12, 0, 1, 64 * K, -EINVAL, 0, 0, NULL },
	{ RAID6, 15, 0, 2, 64 * K, -EINVAL, 0, 0, NULL },       /* spans on raid6 */
	{ RAID6, 15, 0, 0, 6 * K, -EINVAL, 0, 0, NULL },        /* not a multiple of 4 KiB */
	{ RAID6, 15, 0, 0, 1000, -EINVAL, 0, 0, NULL },
	{ RAID6, 2050, 0, 0, 1 * M, -ERANGE, 0, 0, NULL },      /* width above 2 GiB - 1 */
	{ RAID0, 2048, 0, 0, 1 * M, -ERANGE, 0, 0, NULL },      /* exactly 2 GiB */
	{ RAID0, 2047, 0, 0, 1 * M, 0, 2047, 2047, "su=1m,sw=2047" },
	{ RAID6, 5000, 0, 0, 64 * K, -ERANGE, 0, 0, NULL },     /* too many disks */
	{ RAID6, 15, 0, 0, 1ULL << 40, -ERANGE, 0, 0, NULL },   /* huge chunk */
	{ RAID_INVALID, 15, 0, 0, 64 * K, -EINVAL, 0, 0, NULL },
};

static void run_case(void **state)
{
	const struct gcase *c = *state;
	struct raid_input in = { .level = c->level, .disks = c->disks, .spares = c->spares,
				 .spans = c->spans, .chunk = c->chunk,
				 .chunk_source = c->chunk ? CHUNK_OPTION : CHUNK_DEFAULT };
	struct raid_geometry g;
	const char *reason = NULL;
	char dopt[64];
	int r = raid_geometry_compute(&in, &g, &reason);

	assert_int_equal(r, c->err);
	if (r < 0) {
		assert_non_null(reason);
		return;
	}
	assert_int_equal(g.data_disks, c->data);
	assert_int_equal(g.sw, c->sw);
	assert_int_equal(g.parity_disks, g.disks - g.data_disks);
	raid_geometry_mkfs_dopt(&g, dopt, sizeof(dopt));
	assert_string_equal(dopt, c->dopt);
	if (g.sw) {
		assert_int_equal(g.stripe_width_bytes, g.su_bytes * g.sw);
		assert_int_equal(g.sunit_sectors * 512, g.su_bytes);
		assert_int_equal(g.swidth_blocks * 4096, g.stripe_width_bytes);
	} else {
		assert_int_equal(g.su_bytes, 0);
	}
}

static void reference_case_units(void **state)
{
	struct raid_input in = { .level = RAID6, .disks = 15, .spares = 1, .chunk = 64 * K,
				 .chunk_source = CHUNK_OPTION };
	struct raid_geometry g;

	assert_int_equal(raid_geometry_compute(&in, &g, NULL), 0);
	assert_int_equal(g.su_bytes, 65536);
	assert_int_equal(g.sw, 13);
	assert_int_equal(g.sunit_sectors, 128);
	assert_int_equal(g.swidth_sectors, 1664);
	assert_int_equal(g.sunit_blocks, 16);
	assert_int_equal(g.swidth_blocks, 208);
	assert_int_equal(g.spares, 1);
	assert_int_equal(raid_geometry_align_bytes(&g), 13 * M);
	assert_int_equal(raid_geometry_align_bytes(&g) / 512, 26624);
}

static void alignment_table(void **state)
{
	static const struct { uint64_t chunk, data, sector; } rows[] = {
		{ 64 * K, 8, 2048 }, { 64 * K, 10, 10240 }, { 64 * K, 12, 6144 }, { 64 * K, 13, 26624 },
		{ 64 * K, 14, 14336 }, { 128 * K, 13, 26624 }, { 256 * K, 14, 14336 }, { 512 * K, 12, 12288 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct raid_input in = { .level = RAID0, .disks = rows[i].data, .chunk = rows[i].chunk };
		struct raid_geometry g;
		assert_int_equal(raid_geometry_compute(&in, &g, NULL), 0);
		assert_int_equal(raid_geometry_align_bytes(&g) / 512, rows[i].sector);
	}
}

static void default_chunk_flagged(void **state)
{
	struct raid_input in = { .level = RAID6, .disks = 15 };
	struct raid_geometry g;
	assert_int_equal(raid_geometry_compute(&in, &g, NULL), 0);
	assert_int_equal(g.chunk_source, CHUNK_DEFAULT);
	assert_int_equal(g.chunk_bytes, 64 * K);
	in.chunk = 96 * K;
	assert_int_equal(raid_geometry_compute(&in, &g, NULL), 0);
	assert_true(g.chunk_not_pow2);
}

static void level_names(void **state)
{
	assert_int_equal(raid_level_from_string("raid6"), RAID6);
	assert_int_equal(raid_level_from_string("6"), RAID6);
	assert_int_equal(raid_level_from_string("raid60"), RAID60);
	assert_int_equal(raid_level_from_string("raid7"), RAID_INVALID);
	assert_int_equal(raid_level_from_string(""), RAID_INVALID);
	assert_string_equal(raid_level_to_string(RAID10), "raid10");
}

static void sizes(void **state)
{
	uint64_t v;
	char buf[32];

	assert_int_equal(parse_size("64k", &v), 0); assert_int_equal(v, 65536);
	assert_int_equal(parse_size("64KiB", &v), 0); assert_int_equal(v, 65536);
	assert_int_equal(parse_size("1M", &v), 0); assert_int_equal(v, M);
	assert_int_equal(parse_size("4096", &v), 0); assert_int_equal(v, 4096);
	assert_int_equal(parse_size("2T", &v), 0); assert_int_equal(v, 2ULL << 40);
	assert_int_equal(parse_size("-64k", &v), -EINVAL);
	assert_int_equal(parse_size("64kb", &v), -EINVAL);
	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("k", &v), -EINVAL);
	assert_int_equal(parse_size(" 64k", &v), -EINVAL);
	assert_int_equal(parse_size("99999999999999999999", &v), -ERANGE);
	assert_int_equal(parse_size("17179869184T", &v), -ERANGE);
	assert_int_equal(parse_count("15", 100, &v), 0); assert_int_equal(v, 15);
	assert_int_equal(parse_count("101", 100, &v), -ERANGE);
	assert_int_equal(parse_count("1.5", 100, &v), -EINVAL);
	format_size_suffix(65536, buf, sizeof(buf)); assert_string_equal(buf, "64k");
	format_size_suffix(M, buf, sizeof(buf)); assert_string_equal(buf, "1m");
	format_size_suffix(96 * K, buf, sizeof(buf)); assert_string_equal(buf, "96k");
	format_size_suffix(1000, buf, sizeof(buf)); assert_string_equal(buf, "1000");
	format_size_human(109366476800ULL * 512, buf, sizeof(buf)); assert_string_equal(buf, "50.9 TiB");
	format_size_human(851968, buf, sizeof(buf)); assert_string_equal(buf, "832 KiB");
	assert_int_equal(lcm_u64(M, 851968), 13 * M);
	assert_int_equal(lcm_u64(UINT64_MAX, UINT64_MAX - 1), 0);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) + 5];
	size_t n = 0;
	static char names[sizeof(cases) / sizeof(cases[0])][64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(names[i], sizeof(names[i]), "%s_%llu_disks_spares%llu_spans%llu_chunk%llu",
			 raid_level_to_string(cases[i].level) ? raid_level_to_string(cases[i].level) : "invalid",
			 (unsigned long long)cases[i].disks, (unsigned long long)cases[i].spares,
			 (unsigned long long)cases[i].spans, (unsigned long long)cases[i].chunk);
		tests[n++] = (struct CMUnitTest){ names[i], run_case, NULL, NULL, (void *)&cases[i] };
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(reference_case_units);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(alignment_table);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(default_chunk_flagged);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(level_names);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(sizes);
	return _cmocka_run_group_tests("geometry", tests, n, NULL, NULL);
}
