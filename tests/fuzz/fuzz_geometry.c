/* Geometry arguments through the very path the CLI takes: the input is an
 * argument vector (one argument per line) handed to the dispatcher, which runs
 * getopt over the verb's option table, the geometry callbacks and
 * geomopt_compute(), then prints the plan (to /dev/null: libFuzzer's
 * -close_fd_mask=3).  Independently, the arithmetic of
 * raid_geometry_compute() is checked on the first bytes read as raw numbers. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "cli/mirrorprov.h"
#include "lib/size.h"
#include "raid/geometry.h"
#include "fuzz.h"

#define MAX_ARGS 32

static uint64_t take_u64(const uint8_t **p, size_t *left)
{
	uint64_t v = 0;

	for (int i = 0; i < 8 && *left; i++, (*p)++, (*left)--)
		v = v << 8 | **p;
	return v;
}

/* Whatever the numbers, a computed geometry is self-consistent and within what mkfs.xfs accepts. */
static void check_math(const uint8_t *data, size_t size)
{
	struct raid_input in = { 0 };
	struct raid_geometry g;
	const char *reason = NULL;
	char dopt[64];

	if (size < 1)
		return;
	in.level = (enum raid_level)((int)(data[0] % (_RAID_LEVEL_MAX + 2)) - 1);
	data++, size--;
	in.disks = take_u64(&data, &size) % 8200;
	in.spares = take_u64(&data, &size);
	in.spans = take_u64(&data, &size) % 64;
	in.chunk = take_u64(&data, &size);
	in.chunk_source = CHUNK_OPTION;
	if (raid_geometry_compute(&in, &g, &reason) < 0) {
		FUZZ_ASSERT(reason && *reason);
		return;
	}
	FUZZ_ASSERT(g.data_disks + g.parity_disks == g.disks);
	FUZZ_ASSERT(g.chunk_bytes % GEOM_FSBLOCK == 0);
	raid_geometry_mkfs_dopt(&g, dopt, sizeof(dopt));
	if (g.level == RAID1) {
		FUZZ_ASSERT(g.sw == 0 && dopt[0] == '\0');
		return;
	}
	FUZZ_ASSERT(g.sw >= 1 && g.su_bytes * g.sw == g.stripe_width_bytes);
	FUZZ_ASSERT(g.stripe_width_bytes <= GEOM_MAX_WIDTH);
	FUZZ_ASSERT(g.sunit_sectors * GEOM_SECTOR == g.su_bytes && g.swidth_blocks * GEOM_FSBLOCK == g.stripe_width_bytes);
	FUZZ_ASSERT(raid_geometry_align_bytes(&g) % g.stripe_width_bytes == 0);
	FUZZ_ASSERT(strncmp(dopt, "su=", 3) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_strndup(data, size);
	char *argv[MAX_ARGS + 2], *save = NULL;
	int argc = 0;

	check_math(data, size);
	argv[argc++] = "geometry";
	/* strtok_r drops empty lines: getopt never sees "" from a shell either way. */
	for (char *a = strtok_r(text, "\n", &save); a && argc <= MAX_ARGS; a = strtok_r(NULL, "\n", &save))
		argv[argc++] = a;
	argv[argc] = NULL;
	mp_verb = "geometry";
	(void)verb_dispatch(&verb_geometry, argc, argv);
	return 0;
}
