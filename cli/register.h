/* The registration run of the register verb, also onboard's register step
 * (through its observer: the run still prints). */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include "app/onboard.h"
#include "checkrun.h"
#include "mirrorctx.h"

struct register_options {
	struct mirrorctx ctx;   /* loaded */
	const char *backend;    /* NULL: backend.type */
	const char *profiles;   /* NULL: those of mirror.profiles for the backend */
	bool no_send, skip_check, json;
	FILE *out;              /* what is printed or sent, for people (JSON with json) */
	struct checkrun_opts check;
};

/* `mirrorprov register` after option parsing; reports itself, returns a result of cli/mirrorprov.h. */
int register_run(const struct register_options *opt);
