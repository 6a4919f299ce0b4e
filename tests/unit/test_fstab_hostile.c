/* fstab editing against libmount, the parser mount(8) uses (bugs the fuzzer
 * found, kept as regressions): what we write reads back as our entry, and a
 * line libmount sees as an entry for our mount point is one we see too. */
#include <errno.h>
#include <libmount.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fs/fstab.h"
#include "lib/macro.h"

#define UUID "1b4e28ba-2fa1-11d2-883f-0016d3cca427"

static const struct fstab_entry want = { "UUID=" UUID, "/dev/sdf", "/srv/mirror", "xfs", "noatime", 0, 0 };

/* The entry libmount reads for target from text (mnt_table_parse_fstab, as mount -a). */
static struct libmnt_fs *read_back(const char *text, const char *target, struct libmnt_table **tb)
{
	char path[] = "/tmp/mp-fstab-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	*tb = mnt_new_table();
	assert_int_equal(mnt_table_parse_fstab(*tb, path), 0);
	unlink(path);
	return mnt_table_find_target(*tb, target, MNT_ITER_FORWARD);
}

/* A first field starting with '#' made the whole line a comment. */
static void hash_in_spec_is_escaped(void **state)
{
	struct fstab_entry w = want;
	struct fstab_edit e;
	struct libmnt_table *tb;

	w.spec = "#odd-label";
	assert_int_equal(fstab_edit("", 0, &w, false, &e), 0);
	assert_string_equal(e.line, "\\043odd-label /srv/mirror xfs noatime 0 0");
	struct libmnt_fs *fs = read_back(e.text, "/srv/mirror", &tb);
	assert_non_null(fs);
	assert_string_equal(mnt_fs_get_source(fs), "#odd-label");
	mnt_unref_table(tb);
	fstab_edit_free(&e);
}

/* libmount splits at blanks only: \r, \v and \f belong to the field. */
static void other_whitespace_is_escaped(void **state)
{
	struct fstab_entry w = want;
	struct fstab_edit e;
	struct libmnt_table *tb;

	w.target = "/srv/a\rb\vc\fd";
	w.options = "noatime,x\\y";
	assert_int_equal(fstab_edit("", 0, &w, false, &e), 0);
	assert_string_equal(e.line, "UUID=" UUID " /srv/a\\015b\\013c\\014d xfs noatime,x\\134y 0 0");
	struct libmnt_fs *fs = read_back(e.text, w.target, &tb);
	assert_non_null(fs);
	assert_string_equal(mnt_fs_get_options(fs), "noatime,x\\y");
	mnt_unref_table(tb);
	fstab_edit_free(&e);
}

/* "a\rb /srv/mirror ..." is, for mount, an entry for /srv/mirror: replacing
 * ours must not leave it behind as a second one. */
static void carriage_return_inside_a_line(void **state)
{
	static const char text[] = "/dev/old\rx /srv/mirror ext4 defaults 0 2\n";
	struct fstab_edit e;
	struct libmnt_table *tb;

	assert_int_equal(fstab_edit(text, strlen(text), &want, false, &e), 0);
	assert_int_equal(e.verdict, FSTAB_CONFLICT);
	fstab_edit_free(&e);
	assert_int_equal(fstab_edit(text, strlen(text), &want, true, &e), 0);
	assert_int_equal(e.verdict, FSTAB_REPLACE);
	struct libmnt_fs *fs = read_back(e.text, "/srv/mirror", &tb);
	assert_string_equal(mnt_fs_get_source(fs), "UUID=" UUID);
	assert_int_equal(mnt_table_get_nents(tb), 1);
	mnt_unref_table(tb);
	fstab_edit_free(&e);
}

/* A file edited on Windows: the same entry with CRLF is unchanged. */
static void crlf_line_is_the_same_entry(void **state)
{
	static const char text[] = "UUID=" UUID " /srv/mirror xfs noatime 0 0\r\n";
	struct fstab_edit e;

	assert_int_equal(fstab_edit(text, strlen(text), &want, false, &e), 0);
	assert_int_equal(e.verdict, FSTAB_UNCHANGED);
	fstab_edit_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_in_spec_is_escaped),
		cmocka_unit_test(other_whitespace_is_escaped),
		cmocka_unit_test(carriage_return_inside_a_line),
		cmocka_unit_test(crlf_line_is_the_same_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
