/* The URL checks of `check`, also run by `register` before it registers. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/hostconf.h"
#include "options.h"
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

/* --full, --sample, --ca, --timeout, --per-host over a struct checkrun_opts. */
extern const struct opt checkrun_options[];

#define CHECKRUN_NCOLS 7
extern const struct col_def checkrun_cols[CHECKRUN_NCOLS];

/* Checks each profile of set at every URL of the host (http, https, rsync),
 * local tree under root.  Appends one row per profile x URL to rows; *all_ok
 * tells whether every row passed.  Returns 0 when the checks ran (cli/mirrorprov.h). */
int checkrun(const struct hostconf *hc, const char *root, const struct profile_set *set,
	     const struct checkrun_opts *o, json_object *rows, bool *all_ok);
