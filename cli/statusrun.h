/* Glue between the verbs that run (sync, check) and the status outputs. */
#pragma once

#include "backend/history.h"
#include "backend/status.h"
#include <json-c/json.h>
#include <stdbool.h>
#include <time.h>

#include "app/checkrun.h"
#include "mirrorctx.h"
#include "sync/syncrun.h"

/* The history file and the owner it must keep (mirror.user when run as root). */
int status_history_file(const struct mirrorctx *ctx, struct history_file *hf, char **path);
/* Collects the status of set and writes the Prometheus file and the page when
 * given; reports errors itself (as warnings after_run); rep is filled on EXIT_OK. */
int status_outputs(const struct mirrorctx *ctx, const struct profile_set *set, const char *history,
		   const char *prometheus, const char *html, bool after_run, struct status_report *rep);
/* A sync or check run into the history whatever its result (a history that
 * cannot be written is a warning: the mirror is what the run was for), then
 * status_after_run(). */
void status_note_sync(const struct mirrorctx *ctx, const struct profile *p, const char *root, int r,
		      const struct sync_result *res, time_t start);
void status_note_checks(const struct mirrorctx *ctx, json_object *rows, time_t start);
/* The same for a check run's results (app/checkrun.h). */
void note_checks(const struct mirrorctx *ctx, const struct checkrun_result *cr, time_t start);
/* After a sync or check: the outputs host.conf asks for (mirror.prometheus_file,
 * mirror.status_path), for all of mirror.profiles; failures are warnings. */
void status_after_run(const struct mirrorctx *ctx);
