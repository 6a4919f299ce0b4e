#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mirrorprov.h"
#include "onboard.h"

#ifndef MIRRORPROV_VERSION
#define MIRRORPROV_VERSION "0.1"
#endif

/* The verbs, in the order of the workflow. */
static const struct verb *const verbs[] = {
	&verb_raid_inspect, &verb_geometry, &verb_mkfs, &verb_mount, &verb_profiles, &verb_layout, &verb_sync,
	&verb_check, &verb_register, &verb_status, &verb_onboard,
};

static void list_verbs(FILE *f)
{
	fprintf(f, "Usage: mirrorprov VERB [OPTIONS]\n\n"
		   "Provision a public mirror server from an FC RAID LUN to a registered mirror.\n\n"
		   "Verbs:\n");
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(f, "  %-14s %s\n", verbs[i]->name, verbs[i]->summary);
	fprintf(f, "  %-14s %s\n", "help", "list the verbs");
	fprintf(f, "\nRun 'mirrorprov VERB --help' for a verb's options; see mirrorprov(8).\n");
}

static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64];

	if (la >= ARRAY_SIZE(row) || lb >= ARRAY_SIZE(row))
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static const struct verb *closest_verb(const char *name)
{
	const struct verb *best = NULL;
	unsigned best_d = 3;  /* suggest only near misses */

	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		unsigned d = edit_distance(name, verbs[i]->name);
		if (strncmp(name, verbs[i]->name, strlen(name)) == 0 && strlen(name) >= 2)
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = verbs[i];
		}
	}
	return best;
}

static int finish_stdout(int rc)
{
	/* A full disk or closed pipe must not look like success. */
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		log_error("write error on standard output: %s", strerror(errno));
		return rc ? rc : EXIT_FAIL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *name = argc > 1 ? argv[1] : NULL;
	const char *self = strrchr(argv[0], '/');
	size_t len;

	/* Installed or linked as an Ansible module: argv[0] selects the mode (Ansible
	 * runs its copy as AnsiballZ_mirrorprov_onboard). */
	self = self ? self + 1 : argv[0];
	len = strlen(self);
	if (strcmp(self, "mirrorprov_onboard") == 0 ||
	    (len > 19 && strcmp(self + len - 19, "_mirrorprov_onboard") == 0)) {
		mp_verb = "onboard";
		return finish_stdout(exit_code(ansible_module_main(argc, argv)));
	}

	if (!name || strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
		list_verbs(stdout);
		return finish_stdout(name ? EXIT_OK : EXIT_USAGE);
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("mirrorprov %s\n", MIRRORPROV_VERSION);
		return finish_stdout(EXIT_OK);
	}

	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		if (strcmp(name, verbs[i]->name) != 0)
			continue;
		mp_verb = verbs[i]->name;
		return finish_stdout(exit_code(verb_dispatch(verbs[i], argc - 1, argv + 1)));
	}

	const struct verb *near = closest_verb(name);
	if (near)
		log_error("unknown verb '%s', did you mean '%s'?", name, near->name);
	else
		log_error("unknown verb '%s'; run 'mirrorprov help' for the list", name);
	return EXIT_USAGE;
}
