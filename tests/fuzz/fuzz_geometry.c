/* Geometry arguments through the very path the CLI takes: the input is an
 * argument vector (one argument per line) handed to the dispatcher, which runs
 * getopt over the verb's option table, the geometry callbacks and
 * geomopt_compute(), then prints the plan (to /dev/null: libFuzzer's
 * -close_fd_mask=3).  Independently, the arithmetic of
 * raid_geometry_compute() is checked on the first bytes read as raw numbers.
 *
 * The fuzzer must never reach a device of the host (tests touch only devices
 * they made; it was seen holding /dev/loop3 open).  Two walls:
 *  - every path it could hand to --device is replaced by a regular file in its
 *    private directory, so --device parsing and the "not a block device" path
 *    stay covered.  getopt takes a path as an argument of its own (it starts
 *    with '/') or after the first '=' of "--opt=VALUE" (abbreviated names
 *    included);
 *  - anything else is a WWID: resolving it scans every block device and probes
 *    its signatures.  The target runs only inside an empty umockdev testbed
 *    (it re-executes itself under umockdev-run), so /sys and /dev show no
 *    device of the host. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Under umockdev's preload library a sanitizer log_path kills the target at
 * start (as tests/run.sh notes for ASan): its reports go to stderr instead,
 * which is the fuzz log that tests/fuzz/run.sh reads. */
static void drop_log_path(const char *var)
{
	const char *v = getenv(var);
	char *out, *save = NULL;

	if (!v || !strstr(v, "log_path="))
		return;
	_cleanup_free_ char *copy = strdup(v);
	if (!copy || !(out = calloc(strlen(v) + 1, 1)))
		abort();
	for (char *o = strtok_r(copy, ":", &save); o; o = strtok_r(NULL, ":", &save))
		if (strncmp(o, "log_path=", 9) != 0)
			strcat(strcat(out, *out ? ":" : ""), o);
	setenv(var, out, 1);
	free(out);
}

/* Outside a umockdev testbed: run again inside an empty one, or not at all. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char **v;

	if (getenv("UMOCKDEV_DIR"))
		return 0;
	drop_log_path("UBSAN_OPTIONS");
	drop_log_path("ASAN_OPTIONS");
	if (!(v = calloc((size_t)*argc + 3, sizeof(char *))))
		abort();
	v[0] = "umockdev-run";
	v[1] = "--";
	memcpy(v + 2, *argv, (size_t)*argc * sizeof(char *));
	execvp(v[0], v);
	fprintf(stderr, "fuzz_geometry: cannot run under umockdev-run (%s): refusing to scan the host's devices\n",
		strerror(errno));
	abort();
}

/* a with any path in it replaced by the fake device (see above): a itself, or
 * a copy in buf. */
static char *no_host_path(char *a, char *buf, size_t len)
{
	static const char *fake;
	char *eq = strchr(a, '=');

	if (!fake)
		fake = strdup(fuzz_input_file("not-a-device", (const uint8_t *)"", 0));
	if (a[0] == '/')
		return (char *)fake;
	if (eq && strchr(eq + 1, '/') == eq + 1) {
		/* a long name is cut (it matches no option either way), never the path */
		snprintf(buf, len, "%.*s=%s", (int)(eq - a < 256 ? eq - a : 256), a, fake);
		return buf;
	}
	return a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_strndup(data, size);
	char *argv[MAX_ARGS + 2], *save = NULL;
	static char bufs[MAX_ARGS + 1][640];
	int argc = 0;

	check_math(data, size);
	argv[argc++] = "geometry";
	/* strtok_r drops empty lines: getopt never sees "" from a shell either way. */
	for (char *a = strtok_r(text, "\n", &save); a && argc <= MAX_ARGS; a = strtok_r(NULL, "\n", &save)) {
		argv[argc] = no_host_path(a, bufs[argc], sizeof(bufs[argc]));
		argc++;
	}
	argv[argc] = NULL;
	mp_verb = "geometry";
	(void)verb_dispatch(&verb_geometry, argc, argv);
	return 0;
}
