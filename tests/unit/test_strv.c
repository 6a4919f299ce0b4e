/* lib/strv: the string vector, and shell quoting checked against bash itself
 * (every quoted word is read back by `bash -c 'printf %s WORD'`). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/macro.h"
#include "lib/spawn.h"
#include "lib/strv.h"

static void strvec_builds(void **state)
{
	_cleanup_strvec_ struct strvec sv = { 0 };
	_cleanup_strv_free_ char **v = NULL;

	assert_int_equal(strvec_push(&sv, "b"), 0);
	assert_int_equal(strvec_pushf(&sv, "--timeout=%u", 30u), 0);
	assert_int_equal(strvec_push_take(&sv, strdup("a")), 0);
	assert_int_equal(strvec_push_unique(&sv, "b"), 0);
	assert_int_equal(strvec_push(&sv, ""), 0);
	assert_int_equal(sv.n, 4);
	assert_null(sv.v[4]);
	for (int i = 0; i < 100; i++)   /* growth keeps the NULL at the end */
		assert_int_equal(strvec_pushf(&sv, "x%d", i), 0);
	assert_int_equal(sv.n, 104);
	assert_null(sv.v[104]);
	assert_int_equal(strvec_error(&sv), 0);
	assert_int_equal(strvec_steal(&sv, true, &v), 0);
	assert_null(sv.v);
	assert_string_equal(v[0], "");
	assert_string_equal(v[1], "--timeout=30");
	assert_string_equal(v[2], "a");
	assert_string_equal(v[3], "b");
	assert_int_equal(strv_length(v), 104);
	assert_true(strv_contains(v, "x99"));
	assert_false(strv_contains(v, "x100"));
	assert_false(strv_contains(NULL, "a"));
	assert_int_equal(strv_length(NULL), 0);
}

static void strvec_empty_and_oom(void **state)
{
	_cleanup_strvec_ struct strvec sv = { 0 };
	_cleanup_strv_free_ char **v = NULL;

	/* empty: a {NULL} vector, never NULL */
	assert_int_equal(strvec_steal(&sv, true, &v), 0);
	assert_non_null(v);
	assert_null(v[0]);
	/* a failed push is sticky and frees what it was given */
	assert_int_equal(strvec_push_take(&sv, NULL), -ENOMEM);
	assert_int_equal(strvec_push_take(&sv, strdup("leak?")), -ENOMEM);
	assert_int_equal(strvec_push(&sv, "x"), -ENOMEM);
	assert_int_equal(sv.n, 0);
	assert_int_equal(strvec_error(&sv), -ENOMEM);
	char **w = (char **)1;
	assert_int_equal(strvec_steal(&sv, false, &w), -ENOMEM);
	assert_ptr_equal(w, (char **)1);
	assert_false(sv.oom);   /* freed and reset */
}

static void split_join(void **state)
{
	_cleanup_strv_free_ char **a = strv_split("fedora,,epel", ',');
	_cleanup_strv_free_ char **b = strv_split("", ',');
	_cleanup_strv_free_ char **c = strv_split("one", ',');
	_cleanup_free_ char *j = strv_join(a, " | ");
	_cleanup_free_ char *e = strv_join(NULL, ",");

	assert_int_equal(strv_length(a), 3);
	assert_string_equal(a[1], "");
	assert_int_equal(strv_length(b), 1);
	assert_string_equal(b[0], "");
	assert_int_equal(strv_length(c), 1);
	assert_string_equal(j, "fedora |  | epel");
	assert_string_equal(e, "");
}

static const struct {
	const char *in, *out;
} quoted[] = {
	{ "mkfs.xfs", "mkfs.xfs" },
	{ "su=64k,sw=13", "su=64k,sw=13" },
	{ "rsync://up.example.org/a/", "rsync://up.example.org/a/" },
	{ "100%", "100%" },
	{ "", "''" },
	{ "with blank", "'with blank'" },
	{ "it's", "'it'\\''s'" },
	{ "'", "''\\'''" },
	{ "''", "''\\'''\\'''" },
	{ "$(id)`id`", "'$(id)`id`'" },
	{ "a\\b", "'a\\b'" },
	{ "--filter=R .~tmp~", "'--filter=R .~tmp~'" },
	{ "~root", "'~root'" },
	{ "*.iso", "'*.iso'" },
	{ "a;b&c|d>e", "'a;b&c|d>e'" },
	{ "!x", "'!x'" },
	{ "Grüße/日本", "'Grüße/日本'" },       /* printable UTF-8 stays readable */
	{ "a\nb", "$'a\\nb'" },
	{ "\t\r", "$'\\t\\r'" },
	{ "\x1b[31mred", "$'\\x1b[31mred'" },     /* no escape sequence reaches the terminal */
	{ "\x1b" "a", "$'\\x1ba'" },                /* \xHH takes two digits: the a stays text */
	{ "\x7f", "$'\\x7f'" },
	{ "c1\xc2\x9b" "2J", "$'c1\\xc2\\x9b2J'" },  /* U+009B, the 8-bit CSI */
	{ "x\xffy", "$'x\\xffy'" },                 /* not UTF-8 */
	{ "\xc3", "$'\\xc3'" },                     /* cut UTF-8 sequence */
	{ "it's\n\\", "$'it\\'s\\n\\\\'" },
	{ "ü\x01", "$'ü\\x01'" },
};

static void quote_rules(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(quoted); i++) {
		_cleanup_free_ char *q = shell_quote(quoted[i].in);
		assert_non_null(q);
		if (strcmp(q, quoted[i].out) != 0)
			fail_msg("case %zu: got %s, want %s", i, q, quoted[i].out);
	}
	char *argv[] = { "mkfs.xfs", "-L", "it's", "", "/dev/sdf", NULL };
	_cleanup_free_ char *line = strv_join_quoted(argv);
	assert_string_equal(line, "mkfs.xfs -L 'it'\\''s' '' /dev/sdf");
}

/* What bash makes of "printf %s WORD". */
static void bash_reads_back(const char *in)
{
	_cleanup_free_ char *q = shell_quote(in), *script = NULL;
	struct spawn_opts o = { .capture_stdout = 1, .inherit_stderr = 1, .timeout_sec = 10 };
	struct spawn_result r = { 0 };

	assert_non_null(q);
	assert_true(asprintf(&script, "printf %%s %s", q) > 0);
	char *argv[] = { "bash", "-c", script, NULL };
	assert_int_equal(spawn_run(argv, &o, &r), 0);
	assert_int_equal(r.exit_code, 0);
	if (r.out_len != strlen(in) || memcmp(r.out ? r.out : "", in, r.out_len) != 0)
		fail_msg("%s: bash read back %zu bytes, want %zu", q, r.out_len, strlen(in));
	spawn_result_free(&r);
}

static void quote_round_trips(void **state)
{
	char all[256];

	for (size_t i = 0; i < ARRAY_SIZE(quoted); i++)
		bash_reads_back(quoted[i].in);
	/* every byte but NUL, as one word */
	for (int c = 1; c < 256; c++)
		all[c - 1] = (char)c;
	all[255] = '\0';
	bash_reads_back(all);
	/* and one at a time, also next to a quote and a hex digit */
	for (int c = 1; c < 256; c++) {
		char s[5] = { '\'', (char)c, 'f', (char)c, '\0' };
		bash_reads_back(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strvec_builds),
		cmocka_unit_test(strvec_empty_and_oom),
		cmocka_unit_test(split_join),
		cmocka_unit_test(quote_rules),
		cmocka_unit_test(quote_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
