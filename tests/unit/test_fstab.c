/* fstab editing: a pure function, so every case (and random input) is cheap. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fs/fstab.h"

#define UUID "0b5c0a57-1d0e-4a55-9d4e-6b1f1c2a3b4c"
#define LINE "UUID=" UUID " /srv/mirror xfs noatime,logbsize=256k 0 0"

static const struct fstab_entry want = {
	.spec = "UUID=" UUID, .alias = "/dev/sdf", .target = "/srv/mirror", .fstype = "xfs",
	.options = "noatime,logbsize=256k",
};

static const char fixture[] =
	"# /etc/fstab: static file system information.\n"
	"#\n"
	"# <file system> <mount point>   <type>  <options>       <dump>  <pass>\n"
	"UUID=aaaa / ext4 errors=remount-ro 0 1\n"
	"\n"
	"UUID=bbbb\tnone\tswap\tsw\t0\t0\n"
	"   # an indented comment with trailing blanks   \n"
	"/dev/sr0 /media/cdrom0 udf,iso9660 user,noauto 0 0\n";

static void edit(const char *text, bool force, struct fstab_edit *e)
{
	assert_int_equal(fstab_edit(text, strlen(text), &want, force, e), 0);
}

static void add_keeps_every_byte(void **state)
{
	struct fstab_edit e;

	edit(fixture, false, &e);
	assert_int_equal(e.verdict, FSTAB_ADD);
	assert_int_equal(e.len, strlen(fixture) + strlen(LINE) + 1);
	assert_memory_equal(e.text, fixture, strlen(fixture));
	assert_string_equal(e.text + strlen(fixture), LINE "\n");
	fstab_edit_free(&e);
}

static void add_after_missing_newline(void **state)
{
	struct fstab_edit e;

	edit("/dev/sda1 / ext4 defaults 0 1", false, &e);
	assert_string_equal(e.text, "/dev/sda1 / ext4 defaults 0 1\n" LINE "\n");
	fstab_edit_free(&e);
	edit("", false, &e);
	assert_string_equal(e.text, LINE "\n");
	fstab_edit_free(&e);
}

static void same_entry_is_unchanged(void **state)
{
	struct fstab_edit e;
	char text[1024];

	/* other spacing, a trailing slash and a missing dump/pass still say the same */
	snprintf(text, sizeof(text), "%sUUID=%s\t/srv/mirror/  xfs  noatime,logbsize=256k\n", fixture, UUID);
	edit(text, false, &e);
	assert_int_equal(e.verdict, FSTAB_UNCHANGED);
	assert_string_equal(e.text, text);
	fstab_edit_free(&e);
}

static void differing_entry_conflicts(void **state)
{
	struct fstab_edit e;
	char text[1024];

	snprintf(text, sizeof(text), "%sUUID=%s /srv/mirror xfs defaults 0 0\n# tail\n", fixture, UUID);
	edit(text, false, &e);
	assert_int_equal(e.verdict, FSTAB_CONFLICT);
	assert_int_equal(e.conflict_lineno, 9);
	assert_string_equal(e.conflict, "UUID=" UUID " /srv/mirror xfs defaults 0 0");
	assert_string_equal(e.text, text);   /* untouched */
	fstab_edit_free(&e);

	edit(text, true, &e);
	assert_int_equal(e.verdict, FSTAB_REPLACE);
	char expect[1024];
	snprintf(expect, sizeof(expect), "%s%s\n# tail\n", fixture, LINE);
	assert_string_equal(e.text, expect);
	fstab_edit_free(&e);
}

static void same_mountpoint_other_device_conflicts(void **state)
{
	struct fstab_edit e;

	edit("/dev/sdb1 /srv/mirror ext4 defaults 0 2\n/dev/sdf /srv/other xfs defaults 0 0\n", false, &e);
	assert_int_equal(e.verdict, FSTAB_CONFLICT);
	assert_int_equal(e.conflict_lineno, 1);
	fstab_edit_free(&e);
	/* both lines match (mount point, device alias): force keeps one, ours, in the first place */
	edit("/dev/sdb1 /srv/mirror ext4 defaults 0 2\n# c\n/dev/sdf /srv/other xfs defaults 0 0\n", true, &e);
	assert_string_equal(e.text, LINE "\n# c\n");
	fstab_edit_free(&e);
}

static void escaped_mountpoint(void **state)
{
	struct fstab_entry w = want;
	struct fstab_edit e;

	w.target = "/srv/my mirror";
	assert_int_equal(fstab_edit("", 0, &w, false, &e), 0);
	assert_string_equal(e.line, "UUID=" UUID " /srv/my\\040mirror xfs noatime,logbsize=256k 0 0");
	char *again = strdup(e.text);
	fstab_edit_free(&e);
	assert_int_equal(fstab_edit(again, strlen(again), &w, false, &e), 0);
	assert_int_equal(e.verdict, FSTAB_UNCHANGED);
	fstab_edit_free(&e);
	free(again);
}

static void bad_entry(void **state)
{
	struct fstab_entry w = want;
	struct fstab_edit e;

	w.options = "noatime, logbsize=256k";
	assert_int_equal(fstab_edit("", 0, &w, false, &e), -EINVAL);
	w.options = "";
	assert_int_equal(fstab_edit("", 0, &w, false, &e), -EINVAL);
}

/* Random bytes in, and always: no crash, the input kept as a prefix (ADD) or
 * whole (UNCHANGED/CONFLICT), exactly one line of ours after REPLACE. */
static void random_input(void **state)
{
	static const char alphabet[] = " \t\n#/=UUIDxfs\\0401abc,";
	char text[512];
	unsigned seed = 12345;

	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(rand_r(&seed) % (sizeof(text) - 1));
		struct fstab_edit e;
		for (size_t i = 0; i < len; i++)
			text[i] = (rand_r(&seed) % 50) ? alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)] : (char)rand_r(&seed);
		if (round % 7 == 0 && len > strlen(LINE) + 2)
			memcpy(text + len / 2, "\n" LINE "\n", strlen(LINE) + 2 < len / 2 ? strlen(LINE) + 2 : len / 2);
		assert_int_equal(fstab_edit(text, len, &want, round & 1, &e), 0);
		switch (e.verdict) {
		case FSTAB_ADD:
			assert_true(e.len > len);
			assert_memory_equal(e.text, text, len);
			break;
		case FSTAB_UNCHANGED:
		case FSTAB_CONFLICT:
			assert_int_equal(e.len, len);
			assert_memory_equal(e.text, text, len);
			break;
		case FSTAB_REPLACE:
			assert_non_null(strstr(e.text, LINE));
			break;
		}
		fstab_edit_free(&e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_keeps_every_byte),
		cmocka_unit_test(add_after_missing_newline),
		cmocka_unit_test(same_entry_is_unchanged),
		cmocka_unit_test(differing_entry_conflicts),
		cmocka_unit_test(same_mountpoint_other_device_conflicts),
		cmocka_unit_test(escaped_mountpoint),
		cmocka_unit_test(bad_entry),
		cmocka_unit_test(random_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
