/* fullfiletimelist parser (sync/filelist.c) and the planner (sync/flplan.c):
 * the format of create-filelist, every refusal of a hostile or broken list,
 * and the transfer/delete sets against a real local tree. */
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

#include "lib/macro.h"
#include "sync/filelist.h"
#include "sync/flplan.h"

struct seen {
	size_t files, dirs, links, restricted, unreadable, checksums;
	uint64_t bytes;
	enum fl_digest last_digest;
	char last_path[256];
};

static int on_entry(void *ud, const struct fl_entry *e, char **error)
{
	struct seen *s = ud;
	s->files += e->kind == FL_FILE;
	s->dirs += e->kind == FL_DIR;
	s->links += e->kind == FL_LINK;
	s->restricted += e->access == FL_RESTRICTED;
	s->unreadable += e->access == FL_UNREADABLE;
	s->bytes += e->size;
	snprintf(s->last_path, sizeof(s->last_path), "%.*s", (int)e->path_len, e->path);
	return 0;
}

static int on_checksum(void *ud, const struct fl_checksum *c, char **error)
{
	struct seen *s = ud;
	s->checksums++;
	s->last_digest = c->digest;
	return 0;
}

/* Parses text; returns the result code, *err the message. */
static int parse(const char *text, size_t len, struct seen *s, struct fl_info *info, char **err)
{
	FILE *f = fmemopen((void *)text, len, "r");
	struct fl_callbacks cb = { .entry = on_entry, .checksum = on_checksum, .ud = s };

	assert_non_null(f);
	*s = (struct seen){ 0 };
	int r = filelist_parse(f, &cb, info, err);
	fclose(f);
	return r;
}

#define HEAD "[Version]\n2\n\n[Files]\n"
#define TAIL "\n[Checksums SHA1]\n\n[End]\n"

static const char good[] =
	"[Version]\n3\n\n[Files]\n"
	"1700000000\tf\t26\tfile0\n"
	"1700000001\tf\t3\tdir1/file1\n"
	"1700000002\td\t4096\tdir1\n"
	"1700000003\tl\t5\tdir1/link\n"
	"1700000004\tf*\t7\tsecret/x\n"
	"1700000005\td-\t4096\tsecret\n"
	"1700000006\tf\t1125899906842624\tbig.iso\n"
	"\n[Checksums SHA1]\n"
	"da39a3ee5e6b4b0d3255bfef95601890afd80709\tfile0\n"
	"\n[Checksums MD5]\n"
	"d41d8cd98f00b204e9800998ecf8427e\tfile0\n"
	"\n[Checksums SHA256]\n"
	"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\tfile0\n"
	"\n[Checksums SHA512]\n"
	"\n[Some Future Section]\nwhatever\tis here\n"
	"\n[End]\n\n";

static void parses_create_filelist_format(void **state)
{
	struct seen s;
	struct fl_info info;
	_cleanup_free_ char *err = NULL;

	assert_int_equal(parse(good, strlen(good), &s, &info, &err), 0);
	assert_null(err);
	assert_int_equal(info.version, 3);
	assert_int_equal(info.entries, 7);
	assert_int_equal(s.files, 4);
	assert_int_equal(s.dirs, 2);
	assert_int_equal(s.links, 1);
	assert_int_equal(s.restricted, 1);
	assert_int_equal(s.unreadable, 1);
	assert_int_equal(s.checksums, 3);
	assert_int_equal(s.last_digest, FL_SHA256);
	assert_string_equal(s.last_path, "big.iso");
}

struct bad {
	const char *text;
	int r;
	const char *msg;
};

static void refuses_broken_and_hostile_lists(void **state)
{
	static const struct bad bads[] = {
		{ HEAD "1\tf\t1\ta" "\n", -ENODATA, "line 5: no [End]: the list is truncated" },
		{ HEAD "1\tf\t1\ta" "\n[Checksums SHA1]\n", -ENODATA, "no [End]" },
		{ "[Version]\n4\n\n[Files]\n" TAIL, -EPROTONOSUPPORT, "line 2: list format version 4 is newer" },
		{ "[Version]\nx\n\n[Files]\n" TAIL, -EBADMSG, "line 2: [Version] is not a positive integer" },
		{ "[Files]\n1\tf\t1\ta\n" TAIL, -EBADMSG, "line 1: [Version] must come first" },
		{ "[Version]\n2\n3\n" TAIL, -EBADMSG, "line 3: [Version] holds more than one line" },
		{ HEAD "1\tf\t1\t../../etc/passwd\n" TAIL, -EBADMSG, "line 5: '.' or '..' in path" },
		{ HEAD "1\tf\t1\ta/../b\n" TAIL, -EBADMSG, "'.' or '..' in path" },
		{ HEAD "1\tf\t1\ta/./b\n" TAIL, -EBADMSG, "'.' or '..' in path" },
		{ HEAD "1\tf\t1\t/etc/passwd\n" TAIL, -EBADMSG, "absolute path" },
		{ HEAD "1\tf\t1\ta//b\n" TAIL, -EBADMSG, "empty path component" },
		{ HEAD "1\tf\t1\ta/\n" TAIL, -EBADMSG, "trailing '/'" },
		{ HEAD "1\tf\t1\t\n" TAIL, -EBADMSG, "empty path" },
		{ HEAD "1\tf\t1\ta\x1b[2Jb\n" TAIL, -EBADMSG, "control character in path" },
		{ HEAD "1\tf\t1\ta\tb\n" TAIL, -EBADMSG, "control character in path" },
		{ HEAD "1\tf\t1\ta\rb\n" TAIL, -EBADMSG, "control character in path" },
		{ HEAD "1\tf\t1\tcaf\xe9\n" TAIL, -EBADMSG, "not valid UTF-8" },
		{ HEAD "1\tf\t2251799813685248\ta\n" TAIL, -EBADMSG, "implausible (over 1 PiB)" },
		{ HEAD "1\tf\t99999999999999999999\ta\n" TAIL, -EBADMSG, "size is not a decimal number" },
		{ HEAD "1\tf\t-1\ta\n" TAIL, -EBADMSG, "size is not a decimal number" },
		{ HEAD "1\tf\t+1\ta\n" TAIL, -EBADMSG, "size is not a decimal number" },
		{ HEAD "-5\tf\t1\ta\n" TAIL, -EBADMSG, "timestamp is not a decimal" },
		{ HEAD "1\tx\t1\ta\n" TAIL, -EBADMSG, "unknown entry type" },
		{ HEAD "1\tf+\t1\ta\n" TAIL, -EBADMSG, "unknown entry type" },
		{ HEAD "1\tf\t1\n" TAIL, -EBADMSG, "needs 4 tab-separated fields" },
		{ HEAD "1 f 1 a\n" TAIL, -EBADMSG, "needs 4 tab-separated fields" },
		{ HEAD "\n1\tf\t1\ta\n" TAIL, -EBADMSG, "line 6: text outside a section" },
		{ HEAD TAIL "junk\n", -EBADMSG, "text after [End]" },
		{ HEAD TAIL "[Files]\n", -EBADMSG, "section after [End]" },
		{ HEAD "\n[Files]\n" TAIL, -EBADMSG, "second [Files]" },
		{ "[Version]\n2\n\n[End]\n", -EBADMSG, "[End] before [Files]" },
		{ HEAD "\n[Checksums SHA256]\nda39a3ee5e6b4b0d3255bfef95601890afd80709\ta\n" TAIL, -EBADMSG,
		  "a [Checksums SHA256] row is 64 hex digits" },
		{ HEAD "\n[Checksums SHA1]\nzz39a3ee5e6b4b0d3255bfef95601890afd80709\ta\n" TAIL, -EBADMSG,
		  "checksum is not hexadecimal" },
		{ HEAD "\n[Checksums SHA1]\nda39a3ee5e6b4b0d3255bfef95601890afd80709\t../a\n" TAIL, -EBADMSG,
		  "'.' or '..' in path" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bads); i++) {
		struct seen s;
		struct fl_info info;
		_cleanup_free_ char *err = NULL;
		int r = parse(bads[i].text, strlen(bads[i].text), &s, &info, &err);
		if (r != bads[i].r || !err || !strstr(err, bads[i].msg))
			fail_msg("case %zu: r=%d err=%s (want %d %s)", i, r, err ? err : "(null)", bads[i].r, bads[i].msg);
	}
}

static void refuses_nul_and_overlong_lines(void **state)
{
	static const char nul[] = HEAD "1\tf\t1\ta\0b\n" TAIL;
	struct seen s;
	struct fl_info info;
	char *err = NULL;

	assert_int_equal(parse(nul, sizeof(nul) - 1, &s, &info, &err), -EBADMSG);
	assert_non_null(strstr(err, "control character"));
	free(err);

	size_t n = FILELIST_MAX_LINE + 100;
	char *big = malloc(strlen(HEAD) + n + strlen(TAIL) + 32);
	assert_non_null(big);
	strcpy(big, HEAD "1\tf\t1\t");
	size_t len = strlen(big);
	memset(big + len, 'a', n);
	strcpy(big + len + n, "\n" TAIL);
	assert_int_equal(parse(big, strlen(big), &s, &info, &err), -EBADMSG);
	assert_non_null(strstr(err, "line 5: longer than 8192 bytes"));
	free(err);
	free(big);
}

/* --- planner ------------------------------------------------------------------------ */

static char dir[] = "/tmp/mp-flplan-XXXXXX";

static void put(const char *rel, const char *content)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static bool sample_has(const struct flplan *p, const char *path)
{
	for (size_t i = 0; i < FLPLAN_SAMPLES && p->transfer_sample[i]; i++)
		if (strcmp(p->transfer_sample[i], path) == 0)
			return true;
	return false;
}

static void plans_transfer_and_delete(void **state)
{
	/* Local tree: same, changed-size, extra file, extra dir with content, .~tmp~, kept list. */
	put("tree/a/same.rpm", "12345");
	put("tree/a/size.rpm", "1");
	put("tree/a/extra.rpm", "x");
	put("tree/gone/x", "x");
	put("tree/gone/y", "y");
	put("tree/a/.~tmp~/partial", "p");
	put("tree/fullfiletimelist-m", "old list");
	put("tree/secret/s", "s");
	/* old list: a/same.rpm and a/size.rpm at t=100; new list adds a/new.rpm, changes a/moved.rpm's time */
	put("old", HEAD "100\tf\t5\ta/same.rpm\n100\tf\t1\ta/size.rpm\n100\td\t4096\ta\n" TAIL);
	put("new", HEAD "100\tf\t5\ta/same.rpm\n100\tf\t2\ta/size.rpm\n300\tf\t3\ta/new.rpm\n100\td\t4096\ta\n"
		   "100\tf*\t1\tsecret/s\n100\td-\t4096\tsecret\n"
		   "\n[Checksums MD5]\nd41d8cd98f00b204e9800998ecf8427e\ta/same.rpm\n"
		   "\n[Checksums SHA1]\nda39a3ee5e6b4b0d3255bfef95601890afd80709\ta/same.rpm\n"
		   "\n[Checksums SHA512]\n" "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
		   "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e\ta/same.rpm\n"
		   "\n[End]\n");
	char list[300], old[300], local[300], ffp[300];
	snprintf(list, sizeof(list), "%s/new", dir);
	snprintf(old, sizeof(old), "%s/old", dir);
	snprintf(local, sizeof(local), "%s/tree", dir);
	snprintf(ffp, sizeof(ffp), "%s/ff", dir);
	char *keep[] = { "fullfiletimelist-m", NULL };
	struct flplan_module m = { .list = list, .old_list = old, .local_dir = local, .keep = keep, .since = 200 };
	struct flplan p;
	_cleanup_free_ char *err = NULL;
	FILE *ff = fopen(ffp, "w");

	assert_int_equal(flplan_build(&m, ff, "m/", &p, &err), 0);
	fclose(ff);
	assert_int_equal(p.version, 2);
	assert_int_equal(p.list_entries, 4);          /* the restricted two are not mirrored */
	assert_int_equal(p.transfer_files, 2);        /* size.rpm (size differs), new.rpm (missing, new) */
	assert_int_equal(p.transfer_dirs, 0);
	assert_int_equal(p.transfer_bytes, 5);
	assert_true(sample_has(&p, "a/size.rpm") && sample_has(&p, "a/new.rpm") && !sample_has(&p, "a/same.rpm"));
	assert_int_equal(p.missing, 1);
	assert_int_equal(p.differ, 1);
	/* local: a, a/same, a/size, a/extra, gone, gone/x, gone/y, secret, secret/s (not .~tmp~, not the list) */
	assert_int_equal(p.local_entries, 9);
	assert_int_equal(p.delete_files, 4);          /* a/extra.rpm, gone/x, gone/y, secret/s */
	assert_int_equal(p.delete_dirs, 2);           /* gone, secret */
	assert_int_equal(p.n_deletes, 3);             /* a/extra.rpm, gone, secret: a directory once */
	assert_in_range((long)(p.delete_share * 1000), 666, 667);
	assert_int_equal(p.n_checksums, 1);
	assert_int_equal(p.checksums[0].digest, FL_SHA512);  /* the strongest listed wins */
	assert_string_equal(p.checksums[0].path, "a/same.rpm");
	flplan_free(&p);

	char buf[256] = { 0 };
	int fd = open(ffp, O_RDONLY);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_int_equal(n, strlen("m/a/size.rpm") + 1 + strlen("m/a/new.rpm") + 1);
	assert_string_equal(buf, "m/a/size.rpm");
	assert_string_equal(buf + strlen(buf) + 1, "m/a/new.rpm");

	/* Without an old list everything at or after `since` goes (rsync skips what is equal). */
	m.old_list = NULL;
	m.since = 0;
	assert_int_equal(flplan_build(&m, NULL, NULL, &p, &err), 0);
	assert_int_equal(p.transfer_files + p.transfer_dirs, 4);
	assert_int_equal(p.changed, 4);
	flplan_free(&p);
}

static void refuses_duplicates_and_names_the_list(void **state)
{
	char list[300], local[300];
	struct flplan_module m = { .list = list, .local_dir = local, .since = 0 };
	struct flplan p;
	_cleanup_free_ char *err = NULL;

	put("dup", HEAD "1\tf\t1\ta\n2\tf\t1\ta\n" TAIL);
	snprintf(list, sizeof(list), "%s/dup", dir);
	snprintf(local, sizeof(local), "%s/none", dir);
	assert_int_equal(flplan_build(&m, NULL, NULL, &p, &err), -EEXIST);
	assert_non_null(strstr(err, "dup: a listed twice"));
	free(TAKE_PTR(err));

	put("trunc", HEAD "1\tf\t1\ta\n");
	snprintf(list, sizeof(list), "%s/trunc", dir);
	assert_int_equal(flplan_build(&m, NULL, NULL, &p, &err), -ENODATA);
	assert_non_null(strstr(err, "/trunc: line 5: no [End]"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_create_filelist_format),
		cmocka_unit_test(refuses_broken_and_hostile_lists),
		cmocka_unit_test(refuses_nul_and_overlong_lines),
		cmocka_unit_test(plans_transfer_and_delete),
		cmocka_unit_test(refuses_duplicates_and_names_the_list),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
