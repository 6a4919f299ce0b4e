/* The options and the table of the URL checks (app/checkrun.h) that
 * `check`, `register` and `onboard` run. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "app/checkrun.h"
#include "options.h"
#include "output.h"

/* --full, --sample, --ca, --timeout, --per-host over a struct checkrun_opts. */
extern const struct opt checkrun_options[];

#define CHECKRUN_NCOLS 7
extern const struct col_def checkrun_cols[CHECKRUN_NCOLS];

/* One row per profile and URL. */
json_object *checkrun_rows(const struct checkrun_result *cr);
/* The table (sel NULL: every column) or {"checks": [...]}. */
int checkrun_print(FILE *f, const struct checkrun_result *cr, const struct col_select *sel, bool json);
