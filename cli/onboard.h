/* `mirrorprov onboard` (app/onboard.h runs the steps): the verb's text and
 * JSON forms and the Ansible module (ansible.c) present the same struct
 * onboard. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "app/onboard.h"

enum onboard_mode {
	MODE_TEXT,    /* the plan as a table, the steps' output on stdout */
	MODE_JSON,    /* the steps' output on stderr: stdout carries the document */
	MODE_QUIET,   /* the text form into a buffer, errors not printed: the Ansible module */
};

/* What onboard_present() leaves for its caller. */
struct onboard_view {
	json_object *doc;   /* {steps: [{name, state, detail}], changed, dry_run[, failed]}; NULL when not planned */
	char *error;        /* the error's text, NULL when it went well */
	char *output;       /* MODE_QUIET: what MODE_TEXT would have printed */
};

/* Loads, plans, presents the plan, applies it unless dry_run (yes: no
 * confirmation).  Returns a result of cli/mirrorprov.h, reported on stderr
 * unless MODE_QUIET. */
int onboard_present(const struct onboard_options *o, bool yes, enum onboard_mode mode, struct onboard_view *v);
void onboard_view_free(struct onboard_view *v);

/* Ansible binary module mode (argv[0] is mirrorprov_onboard): argv[argc-1]
 * names the JSON arguments file; prints exactly one JSON object. */
int ansible_module_main(int argc, char **argv);
