/* Hostile configuration and profile files: nothing they name is read besides
 * themselves (@include), size limits hold, huge name lists stay cheap, and the
 * values that reach generated files or rsync's command line are refused when
 * they could change meaning there. */
#include <errno.h>
#include <fcntl.h>
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
#include "lib/hostconf.h"
#include "lib/macro.h"
#include "lib/names.h"
#include "sync/profile.h"

static char dir[] = "/tmp/mp-conf-hostile-XXXXXX";

static char *write_file(const char *name, const char *text, size_t repeat)
{
	char *path;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	for (size_t i = 0; i < repeat; i++)
		fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* libconfig would open the FIFO and wait for ever (or read any file as root). */
static void include_refused(void **state)
{
	_cleanup_free_ char *fifo = NULL, *path = NULL, *err = NULL, *text = NULL;
	struct hostconf hc;

	assert_true(asprintf(&fifo, "%s/fifo", dir) > 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_true(asprintf(&text, "mirror: { root = \"/srv/mirror\"; };\n \t@include \"%s\"\n", fifo) > 0);
	path = write_file("include.conf", text, 1);
	alarm(10);
	assert_int_equal(hostconf_load(path, 0, &hc, &err), -EINVAL);
	alarm(0);
	assert_non_null(err);
	assert_non_null(strstr(err, "include.conf:2: @include is not allowed"));
}

static void config_of_10mb_refused(void **state)
{
	_cleanup_free_ char *path = write_file("big.conf", "# padding padding padding padding padding padding\n",
					       10 << 20 >> 6);
	_cleanup_free_ char *err = NULL;
	struct hostconf hc;

	assert_int_equal(hostconf_load(path, 0, &hc, &err), -EFBIG);
	assert_non_null(strstr(err, "big.conf: File too large"));
}

static void profile_of_10mb_refused(void **state)
{
	_cleanup_free_ char *path = write_file("big.conf", "# padding padding padding padding padding padding\n",
					       10 << 20 >> 6);
	_cleanup_free_ char *err = NULL;
	struct profile p;

	assert_int_equal(profile_load_file(path, &p, &err), -EFBIG);
	assert_non_null(strstr(err, "big.conf: File too large"));
}

/* 10,000 names fit the 1 MiB bound of host.conf; repeats load one profile. */
static void ten_thousand_profile_names(void **state)
{
	_cleanup_free_ char *err = NULL, *path = NULL;
	struct hostconf hc;
	struct profile_set set;
	FILE *f;

	assert_true(asprintf(&path, "%s/many.conf", dir) > 0);
	assert_non_null(f = fopen(path, "w"));
	fputs("mirror: { root = \"/srv/mirror\"; profiles = [ \"fedora\"", f);
	for (int i = 1; i < 10000; i++)
		fputs(", \"fedora\"", f);
	fputs(" ]; };\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(hostconf_load(path, HOSTCONF_MIRROR, &hc, &err), 0);
	assert_int_equal(strv_length(hc.mirror.profiles), 10000);
	setenv(PROFILE_ENV_DIR, "profiles", 1);
	assert_int_equal(profile_load_list(hc.mirror.profiles, &set, &err), 0);
	assert_int_equal(set.n, 1);
	profile_set_free(&set);
	hostconf_free(&hc);
}

static const char profile_head[] = "description = \"%s\";\nupstream = [ \"rsync://127.0.0.1/x/\" ];\n"
				   "module = \"x\";\ndirectory = \"x\";\nmethod = \"rsync\";\n"
				   "rsync_options = [ \"-a\", \"%s\" ];\nschedule = \"hourly\";\nsize = \"1G\";\n"
				   "pull = \"public\";\nunverified = [ \"upstream\", \"pull\", \"method\", \"rsync_options\", "
				   "\"schedule\", \"size\" ];\n";

static int load_profile(const char *description, const char *option, char **err)
{
	_cleanup_free_ char *text = NULL, *path = NULL;
	struct profile p;
	int r;

	assert_true(asprintf(&text, profile_head, description, option) > 0);
	path = write_file("x.conf", text, 1);
	r = profile_load_file(path, &p, err);
	if (r == 0)
		profile_free(&p);
	return r;
}

/* "-avessh" is -a -v -e ssh: with an rsync:// source rsync runs that command. */
static void rsync_remote_shell_refused(void **state)
{
	static const char *const bad[] = { "-e", "-essh", "-avessh", "-ave", "--rsh=ssh", "--early-input=/etc/shadow",
					   "--write-batch=/etc/x", "--only-write-batch=/x", "--read-batch=/x" };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		_cleanup_free_ char *err = NULL;
		if (load_profile("ok", bad[i], &err) != -EINVAL)
			fail_msg("option %s accepted", bad[i]);
		assert_non_null(strstr(err, "is not allowed in a profile"));
	}
	_cleanup_free_ char *err = NULL;
	assert_int_equal(load_profile("ok", "--delete-excluded", &err), 0);
}

static void description_not_utf8_refused(void **state)
{
	_cleanup_free_ char *err = NULL, *err2 = NULL;

	assert_int_equal(load_profile("Caf\xc3\xa9 mirror", "-a", &err), 0);
	assert_int_equal(load_profile("Caf\xe9 mirror", "-a", &err2), -EINVAL);
	assert_non_null(strstr(err2, "is not valid UTF-8"));
	assert_true(utf8_valid("\xf4\x8f\xbf\xbf"));
	assert_false(utf8_valid("\xf4\x90\x80\x80"));  /* above U+10FFFF */
	assert_false(utf8_valid("\xed\xa0\x80"));      /* a surrogate */
	assert_false(utf8_valid("\xc0\xaf"));          /* overlong '/' */
	assert_false(utf8_valid("\xe2\x82"));          /* cut short */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(include_refused),
		cmocka_unit_test(config_of_10mb_refused),
		cmocka_unit_test(profile_of_10mb_refused),
		cmocka_unit_test(ten_thousand_profile_names),
		cmocka_unit_test(rsync_remote_shell_refused),
		cmocka_unit_test(description_not_utf8_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
