/* The dispatcher over a verb's option table: values land at their offsets
 * (groups included at theirs), common refusals, and --help in the form bash
 * completion's _parse_help reads. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/mirrorprov.h"

struct group {
	const char *where;
	bool loud;
};

struct fake_options {
	struct common_opts c;
	bool flag;
	const char *name;
	unsigned count;
	struct group g;
};

static struct fake_options seen;
static int seen_argc;
static char *seen_arg0;

static int opt_count(void *field, const char *arg, const struct opt *o)
{
	if (strcmp(arg, "many") == 0)
		return usage_error("--%s '%s' is not a number", o->name, arg);
	*(unsigned *)field = (unsigned)atoi(arg);
	return 0;
}

static const struct opt group_opts[] = {
	OPT_STRING("where", 'w', "DIR", "a group option", struct group, where),
	OPT_FLAG("loud", 0, "another one,\nover two lines", struct group, loud),
	OPT_FLAG("shout", 0, NULL, struct group, loud),   /* an alias, not listed */
	OPT_END,
};

static const struct opt fake_opts[] = {
	OPT_FLAG("flag", 'F', "a flag", struct fake_options, flag),
	OPT_STRING("name", 0, "NAME", "a string", struct fake_options, name),
	OPT_CALL("count", 'k', "N", "a number", struct fake_options, count, opt_count),
	OPT_GROUP_HEADING(group_opts, struct fake_options, g, "group:"),
	OPT_JSON(struct fake_options),
	OPT_END,
};

static int fake_run(void *opts, int argc, char **argv)
{
	seen = *(struct fake_options *)opts;
	seen_argc = argc;
	seen_arg0 = argc ? argv[0] : NULL;
	return 0;
}

static const struct verb fake = {
	.name = "fake",
	.flags = VERB_DESTRUCTIVE,
	.synopsis = "mirrorprov fake [options] ARG",
	.options = fake_opts,
	.opts_size = sizeof(struct fake_options),
	.args_min = 1,
	.args_max = 1,
	.args_missing = "no ARG given",
	.run = fake_run,
};

static int dispatch(char *const *args)
{
	char *argv[16];
	int argc = 0;

	while (args[argc])
		argv[argc] = args[argc], argc++;
	argv[argc] = NULL;
	memset(&seen, 0, sizeof(seen));
	seen_argc = -1;
	return verb_dispatch(&fake, argc, argv);
}

static void values_at_their_offsets(void **state)
{
	char *args[] = { "fake", "-F", "--name", "n1", "-k", "7", "x", "--where=/srv", "--shout", "-Jny", NULL };

	assert_int_equal(dispatch(args), 0);
	assert_true(seen.flag);
	assert_string_equal(seen.name, "n1");
	assert_int_equal(seen.count, 7);
	assert_string_equal(seen.g.where, "/srv");
	assert_true(seen.g.loud);
	assert_true(seen.c.json && seen.c.dry_run && seen.c.yes && !seen.c.force);
	assert_int_equal(seen_argc, 1);
	assert_string_equal(seen_arg0, "x");
}

static void usage_errors(void **state)
{
	char *unknown[] = { "fake", "--nope", "x", NULL };
	char *missing[] = { "fake", "x", "--name", NULL };
	char *bad_value[] = { "fake", "--count", "many", "x", NULL };
	char *no_arg[] = { "fake", "-F", NULL };
	char *extra[] = { "fake", "x", "y", NULL };
	char *no_force[] = { "fake", "-f", "x", NULL };   /* not in this verb's table */

	assert_int_equal(dispatch(unknown), -MP_EUSAGE);
	assert_int_equal(dispatch(missing), -MP_EUSAGE);
	assert_int_equal(dispatch(bad_value), -MP_EUSAGE);
	assert_int_equal(dispatch(no_arg), -MP_EUSAGE);
	assert_int_equal(dispatch(extra), -MP_EUSAGE);
	assert_int_equal(dispatch(no_force), -MP_EUSAGE);
	assert_int_equal(seen_argc, -1);   /* the handler never ran */
	assert_int_equal(exit_code(-MP_EUSAGE), EXIT_USAGE);
	assert_int_equal(exit_code(-MP_EREFUSED), EXIT_REFUSED);
	assert_int_equal(exit_code(-MP_EFAILED), EXIT_FAIL);
	assert_int_equal(exit_code(-ENOENT), EXIT_FAIL);
	assert_int_equal(exit_code(0), EXIT_OK);
}

static void help_stops(void **state)
{
	char *args[] = { "fake", "--name", "n", "--help", "--nope", NULL };
	FILE *saved = stdout;

	stdout = fopen("/dev/null", "w");
	assert_int_equal(dispatch(args), 0);   /* --help wins over what follows, the handler does not run */
	fclose(stdout);
	stdout = saved;
	assert_int_equal(seen_argc, -1);
}

static void help_lines(void **state)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	verb_print_help(f, &fake);
	fclose(f);
	assert_non_null(strstr(text, "\n  -F, --flag            a flag\n"));
	assert_non_null(strstr(text, "\n      --name NAME       a string\n"));
	assert_non_null(strstr(text, "\ngroup:\n  -w, --where DIR       a group option\n"));
	assert_non_null(strstr(text, "\n      --loud            another one,\n                        over two lines\n"));
	assert_null(strstr(text, "--shout"));
	/* a destructive verb has -n and -y from the dispatcher; -h is every verb's */
	assert_non_null(strstr(text, "\n  -n, --dry-run "));
	assert_non_null(strstr(text, "\n  -y, --yes "));
	assert_non_null(strstr(text, "\n  -h, --help            show this help\n"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values_at_their_offsets),
		cmocka_unit_test(usage_errors),
		cmocka_unit_test(help_stops),
		cmocka_unit_test(help_lines),
	};

	mp_verb = "fake";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
