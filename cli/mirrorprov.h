/* Shared by every verb in cli/: the verb table entry, logging and exit codes.
 * Only cli/ reports to the user; the layers below return -errno. */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "lib/macro.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,     /* the operation failed */
	EXIT_USAGE = 2,    /* bad usage or invalid input */
	EXIT_REFUSED = 3,  /* a safety check refused a destructive operation */
	EXIT_STALE = 4,    /* status: a profile is stale beyond its threshold */
};

enum verb_flags {
	VERB_NEEDS_ROOT = 1 << 0,
	VERB_DESTRUCTIVE = 1 << 1,
};

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	unsigned flags;
	const char *summary;
};

/* Text of a verb's --help: synopsis line(s) and option lines. */
struct verb_help {
	const char *synopsis;
	const char *options;
};

extern const char *mp_verb;   /* the running verb, for messages */

void log_error(const char *fmt, ...) _printf_(1, 2);
void log_warn(const char *fmt, ...) _printf_(1, 2);
void log_info(const char *fmt, ...) _printf_(1, 2);
/* log_error() with ": <strerror(-r)>" appended; returns EXIT_FAIL. */
int log_errno(int r, const char *fmt, ...) _printf_(2, 3);
/* One-line usage error plus a pointer to --help; returns EXIT_USAGE. */
int usage_error(const char *fmt, ...) _printf_(1, 2);

int verb_print_help(const struct verb_help *h);

/* Text from outside (a server's reply) for a person: lines and tabs kept,
 * other control characters (terminal escapes, \r) shown as \xNN. */
void print_untrusted(FILE *f, const char *s);

/* Escaped copies (control characters as \xNN, newlines too) of outside text
 * that a printed plan or message quotes: a device path, a mount point, a
 * label.  esc() returns s itself when it has nothing to escape, NULL for NULL;
 * the copies live until esc_pool_free(). */
struct esc_pool {
	char *v[24];
	size_t n;
};
const char *esc(struct esc_pool *pool, const char *s);
void esc_pool_free(struct esc_pool *pool);
#define _cleanup_esc_pool_ _cleanup_(esc_pool_free)

/* getopt's complaint as one line (main() silences getopt itself: opterr = 0),
 * for the '?' case of a verb's option loop; returns EXIT_USAGE. */
int option_error(char *const argv[], const char *shortopts);

/* The same spelling of the common options in every verb. */
#define OPT_HELP    { "help", no_argument, NULL, 'h' }
#define OPT_DRY_RUN { "dry-run", no_argument, NULL, 'n' }
#define OPT_FORCE   { "force", no_argument, NULL, 'f' }
#define OPT_JSON    { "json", no_argument, NULL, 'J' }
#define OPT_YES     { "yes", no_argument, NULL, 'y' }
#define OPT_END     { NULL, 0, NULL, 0 }

#define HELP_OPT_HELP    "  -h, --help            show this help\n"
#define HELP_OPT_DRY_RUN "  -n, --dry-run         print the plan and stop before changing anything\n"
#define HELP_OPT_FORCE   "  -f, --force           override a refusal that --help names\n"
#define HELP_OPT_JSON    "  -J, --json            print JSON instead of a human-readable form\n"
#define HELP_OPT_YES     "  -y, --yes             do not ask for confirmation (required without a terminal)\n"

/* Verb handlers (one file per verb in cli/). */
int cmd_geometry(int argc, char **argv);
int cmd_profiles(int argc, char **argv);
int cmd_layout(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_raid_inspect(int argc, char **argv);
int cmd_mkfs(int argc, char **argv);
int cmd_mount(int argc, char **argv);
int cmd_onboard(int argc, char **argv);
int cmd_status(int argc, char **argv);
