/* The options of a verb, declared once (as git's parse-options and
 * util-linux do): one table per verb gives getopt_long's arrays and the
 * --help text.  A value lands in the verb's options struct at `offset`; a
 * table may include a shared group (geometry, configuration, URL checks) at
 * the offset of that group's struct.  -h/--help is every verb's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct opt;

/* Stores arg (or, for a flag, true) into field; 0, or -MP_EUSAGE after a usage_error(). */
typedef int (*opt_parse_fn)(void *field, const char *arg, const struct opt *o);

struct opt {
	const char *name;      /* long name; NULL ends the table (unless include is set) */
	char key;              /* short option letter, or 0 */
	const char *arg;       /* argument name for --help; NULL: a flag (no argument) */
	const char *help;      /* "\n" starts a continuation line; NULL: accepted, not listed (an alias) */
	size_t offset;         /* where the value goes */
	opt_parse_fn parse;    /* NULL: a flag sets a bool, an argument is stored as a const char * */
	const struct opt *include;  /* a group table whose offsets start at offset */
	const char *heading;   /* with include: a line printed before the group in --help */
};

/* The options every verb spells the same; a verb lists those it takes. */
struct common_opts {
	bool dry_run, force, yes, json;
};

#define HELP_DRY_RUN "print the plan and stop before changing anything"
#define HELP_FORCE "override a refusal that --help names"
#define HELP_YES "do not ask for confirmation (required without a terminal)"
#define HELP_JSON "print JSON instead of a human-readable form"

/* T is the verb's options struct, whose member `c` is its struct common_opts. */
#define OPT_DRY_RUN(T, help) { "dry-run", 'n', NULL, help, offsetof(T, c.dry_run) }
#define OPT_FORCE(T, help) { "force", 'f', NULL, help, offsetof(T, c.force) }
#define OPT_YES(T) { "yes", 'y', NULL, HELP_YES, offsetof(T, c.yes) }
#define OPT_JSON(T) { "json", 'J', NULL, HELP_JSON, offsetof(T, c.json) }
#define OPT_FLAG(name, key, help, T, field) { name, key, NULL, help, offsetof(T, field) }
#define OPT_STRING(name, key, arg, help, T, field) { name, key, arg, help, offsetof(T, field) }
#define OPT_CALL(name, key, arg, help, T, field, fn) { name, key, arg, help, offsetof(T, field), fn }
#define OPT_GROUP(group, T, field) { .include = group, .offset = offsetof(T, field) }
#define OPT_GROUP_HEADING(group, T, field, text) { .include = group, .offset = offsetof(T, field), .heading = text }
#define OPT_END { NULL }

/* Parse callbacks for a string that must be an absolute, clean path
 * (check_abspath), or an rsync://HOST[:PORT]/MODULE/ source (check_rsync_source). */
int opt_abspath(void *field, const char *arg, const struct opt *o);
int opt_rsync_source(void *field, const char *arg, const struct opt *o);
