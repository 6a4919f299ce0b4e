/* The URL checks of `check`, also run by `register` before it registers. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/hostconf.h"
#include "lib/names.h"
#include "lib/runas.h"
#include "output.h"
#include "sync/profile.h"

struct checkrun_opts {
	bool full;            /* every file instead of a sample */
	size_t sample;        /* files per profile and URL */
	const char *ca;       /* --ca FILE */
	unsigned timeout;     /* seconds */
	unsigned per_host;
};

#define CHECKRUN_DEFAULTS { .sample = 20, .timeout = 10, .per_host = 4 }

enum { OPT_CHECK_FULL = 0x200, OPT_CHECK_SAMPLE, OPT_CHECK_CA, OPT_CHECK_TIMEOUT, OPT_CHECK_PER_HOST };

#define CHECKRUN_LONGOPTS                                                          \
	{ "full", no_argument, NULL, OPT_CHECK_FULL },                             \
	{ "sample", required_argument, NULL, OPT_CHECK_SAMPLE },                   \
	{ "ca", required_argument, NULL, OPT_CHECK_CA },                           \
	{ "timeout", required_argument, NULL, OPT_CHECK_TIMEOUT },                 \
	{ "per-host", required_argument, NULL, OPT_CHECK_PER_HOST }

#define CHECKRUN_HELP                                                                          \
	"      --full            check every file (default: a random sample)\n"                   \
	"      --sample N        files per profile and URL (default 20)\n"                        \
	"      --ca FILE         also trust this CA certificate for https\n"                      \
	"      --timeout SEC     connect, HEAD and stall timeout (default 10)\n"                  \
	"      --per-host N      concurrent connections per host (default 4)\n"

/* 1 when c was one of the options above (stored), 0 when not, or an exit code. */
int checkrun_option(struct checkrun_opts *o, int c, const char *arg);

extern const struct col_def checkrun_cols[];
extern const size_t checkrun_ncols;

/* Who runs the rsync client for the checks (it talks to the network):
 * mirror.user, or nobody while there is none; *ret NULL when the caller is not
 * root (it runs it itself).  Reports errors itself; returns an exit code. */
int checkrun_network_user(const struct hostconf *hc, struct run_as *user, const struct run_as **ret);
/* The host's base URL of scheme s (NULL when not configured), and p's URL below it, malloc'd. */
const char *checkrun_base(const struct hostconf *hc, enum url_scheme s);
char *checkrun_url(const struct hostconf *hc, const struct profile *p, enum url_scheme s);

/* Checks each profile of set at every URL of the host (http, https, rsync),
 * local tree under root.  Appends one row per profile x URL to rows; *all_ok
 * tells whether every row passed.  Returns EXIT_OK when the checks ran. */
int checkrun(const struct hostconf *hc, const char *root, const struct profile_set *set,
	     const struct checkrun_opts *o, json_object *rows, bool *all_ok);
