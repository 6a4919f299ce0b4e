/* `mirrorprov onboard`: the whole server from one host configuration, as a
 * plan of steps (device, geometry, mkfs, mount, layout, sync, check,
 * register), each done, change or blocked; shared by the verb and the Ansible
 * module (ansible.c). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "checkrun.h"

struct onboard_options {
	const char *config;     /* NULL: the default host configuration */
	const char *image;      /* rehearsal image file, or NULL */
	uint64_t image_size;    /* bytes, for creating the image; 0: not given */
	const char *prefix;     /* fstab and configuration files under this directory */
	struct checkrun_opts check;
	bool sync, force, dry_run, yes, json;
};

/* Builds and prints the plan (the table unless json), then applies it unless
 * dry_run.  *ret_doc receives {steps: [{name, state, detail}], changed}.
 * Reports errors itself and returns a result of cli/mirrorprov.h. */
int onboard_run(const struct onboard_options *o, json_object **ret_doc);

/* Ansible binary module mode (argv[0] is mirrorprov_onboard): argv[argc-1]
 * names the JSON arguments file; prints exactly one JSON object. */
int ansible_module_main(int argc, char **argv);
