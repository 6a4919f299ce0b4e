/* Resource limits of the shared readers and the process runner: oversized
 * files are refused with bounded memory, endless sources do not hang, and a
 * child (or a grandchild holding its pipes) cannot outlive its timeout. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/fileio.h"
#include "lib/mountinfo.h"
#include "lib/spawn.h"

static char *sparse_file(off_t size)
{
	char *path = strdup("/tmp/mp-limits-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, size), 0);
	close(fd);
	return path;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A 1 MB sysfs attribute: read_attr() keeps at most 4 KiB. */
static void attr_of_1mb_refused(void **state)
{
	char *path = sparse_file(1 << 20), *v = NULL;

	assert_int_equal(read_attr(path, &v), -EFBIG);
	assert_null(v);
	unlink(path);
	free(path);
}

static void endless_file_refused(void **state)
{
	char *v = NULL;

	assert_int_equal(read_file_bounded("/dev/zero", 1 << 20, &v, NULL), -EFBIG);
	assert_null(v);
}

static void bound_is_exact(void **state)
{
	char *path = sparse_file(4096), *v = NULL;
	size_t len;

	assert_int_equal(read_file_bounded(path, 4096, &v, &len), 0);
	assert_int_equal(len, 4096);
	free(v);
	assert_int_equal(read_file_bounded(path, 4095, &v, &len), -EFBIG);
	unlink(path);
	free(path);
}

/* mountinfo is bounded at 64 MiB (MOUNTINFO_MAX). */
static void mountinfo_over_64mib_refused(void **state)
{
	char *path = sparse_file((64 << 20) + 1);
	struct mount_table t;

	setenv("MIRRORPROV_MOUNTINFO", path, 1);
	assert_int_equal(mountinfo_load(&t), -EFBIG);
	unsetenv("MIRRORPROV_MOUNTINFO");
	unlink(path);
	free(path);
}

/* 100 MB on a captured stream: only max_capture bytes are kept, the child is
 * drained (not blocked) and finishes. */
static void capture_is_bounded(void **state)
{
	char *argv[] = { "head", "-c", "100000000", "/dev/zero", NULL };
	struct spawn_opts o = { .capture_stdout = 1, .max_capture = 1 << 20, .timeout_sec = 60 };
	struct spawn_result res;

	assert_int_equal(spawn_run(argv, &o, &res), 0);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(res.out_len, 1 << 20);
	spawn_result_free(&res);
}

static void timeout_kills_child(void **state)
{
	char *argv[] = { "sleep", "30", NULL };
	struct spawn_opts o = { .capture_stdout = 1, .timeout_sec = 1 };
	struct spawn_result res;
	long long t0 = now_ms();

	assert_int_equal(spawn_run(argv, &o, &res), 0);
	assert_true(res.timed_out);
	assert_true(now_ms() - t0 < 5000);
	spawn_result_free(&res);
}

/* The child exits at once but leaves a background process holding the
 * captured pipe: the timeout must still end the wait. */
static void timeout_with_grandchild_holding_pipe(void **state)
{
	char *argv[] = { "sh", "-c", "sleep 9 & echo started", NULL };
	struct spawn_opts o = { .capture_stdout = 1, .timeout_sec = 1 };
	struct spawn_result res;
	long long t0 = now_ms();

	assert_int_equal(spawn_run(argv, &o, &res), 0);
	assert_true(now_ms() - t0 < 8000);
	assert_true(res.timed_out);
	assert_non_null(res.out);
	assert_string_equal(res.out, "started\n");
	spawn_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(attr_of_1mb_refused),
		cmocka_unit_test(endless_file_refused),
		cmocka_unit_test(bound_is_exact),
		cmocka_unit_test(mountinfo_over_64mib_refused),
		cmocka_unit_test(capture_is_bounded),
		cmocka_unit_test(timeout_kills_child),
		cmocka_unit_test(timeout_with_grandchild_holding_pipe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
