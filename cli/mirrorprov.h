/* Shared by every verb in cli/: the verb table entry, logging and the return
 * convention.  Only cli/ reports to the user; the layers below return -errno.
 *
 * Return convention inside cli/: a function returns 0 on success, else a
 * negative number and has reported the problem on stderr already:
 *   -errno        the operation failed                          -> exit 1
 *   -MP_EUSAGE    bad usage or invalid input                    -> exit 2
 *   -MP_EREFUSED  a safety check refused a destructive operation -> exit 3
 * -MP_EFAILED is a failure with no errno behind it (a check that did not
 * pass, a server that said no) -> exit 1; -MP_ESTALE: status found a stale
 * profile -> exit 4.  The MP_E* values lie above the
 * errno range (MAX_ERRNO is 4095), so a -errno is never one of them.
 * exit_code() maps a result to the EXIT_* codes, once, in main(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/macro.h"
#include "options.h"

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,     /* the operation failed */
	EXIT_USAGE = 2,    /* bad usage or invalid input */
	EXIT_REFUSED = 3,  /* a safety check refused a destructive operation */
	EXIT_STALE = 4,    /* status: a profile is stale beyond its threshold */
};

enum {
	MP_EFAILED = 4096 + EXIT_FAIL,
	MP_EUSAGE = 4096 + EXIT_USAGE,
	MP_EREFUSED = 4096 + EXIT_REFUSED,
	MP_ESTALE = 4096 + EXIT_STALE,
};

/* The exit code of a result of the convention above. */
int exit_code(int r);

enum verb_flags {
	VERB_NEEDS_ROOT = 1 << 0,   /* the dispatcher refuses other users, except for --dry-run */
	VERB_DESTRUCTIVE = 1 << 1,  /* the dispatcher gives it -n/--dry-run and -y/--yes */
};

struct col_def;

/* A verb: its options and help, and its handler.  The options struct (size
 * opts_size, zeroed, then init) begins with a struct common_opts `c`. */
struct verb {
	const char *name;
	const char *summary;
	unsigned flags;
	const char *synopsis;       /* the usage line(s) of --help */
	const struct opt *options;  /* the verb's table (without -h, and -n/-y of a destructive verb) */
	const char *help_tail;      /* text after the options, or NULL */
	const struct col_def *columns;   /* listed by --help for -o, or NULL */
	size_t ncolumns;
	size_t opts_size;
	void (*init)(void *opts);   /* defaults, or NULL */
	unsigned args_min, args_max;     /* positional arguments */
	const char *args_missing;   /* the usage error when fewer than args_min are given */
	const char *args_extra;     /* ... when more than args_max (default: "unexpected argument 'X'") */
	/* opts parsed; argv/argc: the positional arguments */
	int (*run)(void *opts, int argc, char **argv);
};

extern const char *mp_verb;   /* the running verb, for messages */

/* Parses argv (argv[0] is the verb) into a fresh options struct, prints
 * --help, enforces the verb's flags and runs it; returns a result of the
 * convention above (0 after --help). */
int verb_dispatch(const struct verb *v, int argc, char **argv);
/* A verb's --help: synopsis, one line per option ("  -x, --long ARG   text"), columns. */
void verb_print_help(FILE *f, const struct verb *v);
/* The verbs, in the order of `mirrorprov help` (main.c). */
extern const struct verb verb_raid_inspect, verb_geometry, verb_mkfs, verb_mount, verb_profiles, verb_layout,
	verb_sync, verb_check, verb_register, verb_status, verb_onboard;

/* log_error() returns -MP_EFAILED; log_errno() appends ": <strerror(-r)>"
 * and returns r; usage_error() returns -MP_EUSAGE; refuse() writes
 * "refused: ..." and returns -MP_EREFUSED.  Text is escaped (print_untrusted). */
int log_error(const char *fmt, ...) _printf_(1, 2);
void log_warn(const char *fmt, ...) _printf_(1, 2);
void log_info(const char *fmt, ...) _printf_(1, 2);
int log_errno(int r, const char *fmt, ...) _printf_(2, 3);
int usage_error(const char *fmt, ...) _printf_(1, 2);
int refuse(const char *fmt, ...) _printf_(1, 2);
struct app_error;
/* The error of the application layer (app/app.h) reported by its class; returns the result. */
int report_app_error(const struct app_error *e, int r);

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

/* getopt's complaint ('?' or ':' with opterr = 0) as one line; -MP_EUSAGE. */
int option_error(char *const argv[], const char *shortopts);
