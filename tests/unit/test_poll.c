/* Poll before pulling (sync/poll.c): marker paths, the byte-for-byte
 * comparison with the markers of the last successful run, the refresh copy
 * and the commit — on a temporary state directory, no network. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/conf.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "sync/poll.h"

static char *poll_debian[] = { "project/trace/%u", NULL };
static char *poll_arch[] = { "lastupdate", NULL };
static char *refresh_arch[] = { "lastsync", NULL };
static char *none[] = { NULL };

static char tmp[] = "/tmp/mp-test-poll-XXXXXX";

static void put(const char *dir, const char *rel, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	_cleanup_free_ char *parent = strndup(path, strrchr(path, '/') - path);
	assert_int_equal(mkdir_p(parent, 0755), 0);
	assert_true(write_file_atomic(path, text, strlen(text), 0644, false) >= 0);
}

static void paths(void **state)
{
	struct profile p = { .name = "debian", .poll = poll_debian, .poll_refresh = none };
	_cleanup_strv_free_ char **v = NULL;

	assert_int_equal(poll_paths(&p, "rsync://ftp.example.de:8873/debian/", &v), 0);
	assert_string_equal(v[0], "project/trace/ftp.example.de");   /* the host, never the port */
	assert_null(v[1]);
	strv_freep(&v);
	v = NULL;
	/* "%u" only ever becomes a safe path component. */
	assert_int_equal(poll_paths(&p, "rsync://../debian/", &v), -EINVAL);
}

static void compare_refresh_commit(void **state)
{
	struct profile p = { .name = "archlinux", .poll = poll_arch, .poll_refresh = refresh_arch };
	_cleanup_free_ char *st = NULL, *tree = NULL, *data = NULL;
	bool unchanged;
	time_t since;
	size_t len;

	assert_non_null(mkdtemp(tmp));
	assert_true(asprintf(&st, "%s/state/sync/archlinux", tmp) > 0);
	assert_true(asprintf(&tree, "%s/tree", tmp) > 0);
	assert_int_equal(mkdir_p(tree, 0755), 0);

	/* Never succeeded: nothing kept, never "unchanged". */
	assert_int_equal(poll_prepare(st, (uid_t)-1, (gid_t)-1), 0);
	put(st, "poll.new/lastupdate", "100\n");
	put(st, "poll.new/lastsync", "200\n");
	assert_int_equal(poll_compare(&p, "rsync://t1.example.org/archlinux/", st, &unchanged, &since), 0);
	assert_false(unchanged);
	assert_int_equal(poll_commit(st), 0);

	/* The same lastupdate, a new lastsync: unchanged, and lastsync is refreshed. */
	assert_int_equal(poll_prepare(st, (uid_t)-1, (gid_t)-1), 0);
	put(st, "poll.new/lastupdate", "100\n");
	put(st, "poll.new/lastsync", "300\n");
	assert_int_equal(poll_compare(&p, "rsync://t1.example.org/archlinux/", st, &unchanged, &since), 0);
	assert_true(unchanged);
	assert_true(since > 0);
	assert_int_equal(poll_refresh_tree(&p, st, tree), 0);
	char path[512];
	snprintf(path, sizeof(path), "%s/lastsync", tree);
	assert_int_equal(read_file_bounded(path, 64, &data, &len), 0);
	assert_string_equal(data, "300\n");

	/* One byte differs: changed.  A marker missing upstream: changed. */
	assert_int_equal(poll_prepare(st, (uid_t)-1, (gid_t)-1), 0);
	put(st, "poll.new/lastupdate", "101\n");
	assert_int_equal(poll_compare(&p, "rsync://t1.example.org/archlinux/", st, &unchanged, &since), 0);
	assert_false(unchanged);
	assert_int_equal(poll_prepare(st, (uid_t)-1, (gid_t)-1), 0);
	assert_int_equal(poll_compare(&p, "rsync://t1.example.org/archlinux/", st, &unchanged, &since), 0);
	assert_false(unchanged);

	/* A failed run forgets the kept markers. */
	poll_forget(st);
	snprintf(path, sizeof(path), "%s/poll", st);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(poll_record(st, "failed"), 0);
	assert_int_equal(rm_tree(tmp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paths),
		cmocka_unit_test(compare_refresh_commit),
	};
	return cmocka_run_group_tests_name("poll", tests, NULL, NULL);
}
