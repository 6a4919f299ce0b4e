/* `mirrorprov onboard` (app/onboard.h runs the steps): the verb's text and
 * JSON forms and the Ansible module (ansible.c) present the same struct
 * onboard. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>

#include "app/onboard.h"

/* Plans, presents the plan (a table in MODE_TEXT), applies it unless
 * dry_run with yes for the confirmation; *ret_doc receives {steps: [{name,
 * state, detail}], changed, dry_run[, failed]}, *ret_error the error's text
 * (NULL when it went well).  Returns a result of cli/mirrorprov.h, reported
 * on stderr unless MODE_QUIET. */
enum onboard_mode {
	MODE_TEXT,    /* the plan as a table, the steps' output on stdout */
	MODE_JSON,    /* the steps' output on stderr: stdout carries the document */
	MODE_QUIET,   /* nothing printed: the Ansible module */
};

int onboard_present(const struct onboard_options *o, bool yes, enum onboard_mode mode, json_object **ret_doc,
		    char **ret_error);

/* Ansible binary module mode (argv[0] is mirrorprov_onboard): argv[argc-1]
 * names the JSON arguments file; prints exactly one JSON object. */
int ansible_module_main(int argc, char **argv);
