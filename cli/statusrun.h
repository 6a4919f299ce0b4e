/* Glue between the verbs that run (sync, check) and the status outputs. */
#pragma once

#include "backend/history.h"
#include "backend/status.h"
#include "mirrorctx.h"

/* The history file and the owner it must keep (mirror.user when run as root). */
int status_history_file(const struct mirrorctx *ctx, struct history_file *hf, char **path);
/* Collects the status of set and writes the Prometheus file and the page when
 * given; reports errors itself; rep is filled on EXIT_OK. */
int status_outputs(const struct mirrorctx *ctx, const struct profile_set *set, const char *history,
		   const char *prometheus, const char *html, struct status_report *rep);
/* After a sync or check: the outputs host.conf asks for (mirror.prometheus_file,
 * mirror.status_path), for all of mirror.profiles; failures are warnings. */
void status_after_run(const struct mirrorctx *ctx);
