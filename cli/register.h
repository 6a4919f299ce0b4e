/* `mirrorprov register` (app/register.h runs it): its options, the run as the
 * verb and a file-list sync's checkin do it, and the printing of what each
 * backend instance did, shared with onboard's register step. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "app/register.h"
#include "checkrun.h"
#include "mirrorctx.h"

struct register_options {
	struct mirrorctx ctx;   /* loaded */
	const char *backend;    /* --backend: only the instances of this type */
	const char *profiles;   /* --profile, else mirror.profiles */
	bool no_send, skip_check, json;
	struct checkrun_opts check;
};

/* Loads the profiles and registers them; reports itself (cli/mirrorprov.h). */
int register_run(const struct register_options *opt);

/* What one instance did: text on f, or (json) one JSON object per instance;
 * host: the host's name (MirrorBrain's enable hint). */
void register_print_outcome(FILE *f, bool json, const char *host, const struct reg_plan *plan,
			    const struct reg_outcome *o);
/* Its errors as one line each (the refusal, each skipped category); returns its result. */
int register_report_outcome(const struct reg_outcome *o);
