/* Planning a file-list sync of one module: what to transfer, what to delete.
 *
 *   struct flplan_module m = { .list = "…/new/fullfiletimelist-fedora",
 *                              .old_list = "…/last/fullfiletimelist-fedora",
 *                              .local_dir = "/srv/mirror/fedora", .since = last_start - 5 };
 *   struct flplan plan;
 *   r = flplan_build(&m, files_from, "fedora/", &plan, &err);
 *   ... plan.transfer_files, plan.deletes.v[i] ...
 *   flplan_free(&plan);
 *
 * Transfer (quick-fedora-mirror's rules, process_module()): every entry whose
 * row differs from the old list or is absent there; every entry with a
 * timestamp at or after `since`; every entry missing locally, of another type
 * locally, or (files, links) of another size.  Sizes are read (stat) only in
 * directories changed since `since`, unless `full`: rsync renames finished
 * files into place, so a directory that did not change holds what the last
 * run found.  Only public entries (f, d, l)
 * are mirrored: restricted ones ('*', '-') are treated as absent, as
 * quick-fedora-mirror does without PREBITFLIP.
 * Delete: every local entry the list does not hold, except `keep` names at the
 * top (the list itself, extra files) and rsync's ".~tmp~" directories (an
 * interrupted --delay-updates transfer parks everything there; the next rsync
 * uses it and cleans up).  A directory counts once in `deletes` and all of its
 * contents count towards delete_share.
 *
 * Memory: 32 bytes per list entry plus a 4-byte index slot (the paths are not
 * kept: the list is read twice, the second time to write the transfer set).
 * The hash is SipHash-2-4 with a random key, so a hostile list cannot make
 * two paths collide or the table degrade. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sync/filelist.h"

#define FLPLAN_SAMPLES 10

struct flplan_module {
	const char *list;            /* the new list */
	const char *old_list;        /* the list of the last successful run; NULL or missing: none */
	const char *local_dir;       /* the module's local directory (may not exist yet) */
	char *const *keep;           /* NULL-terminated names at the top never deleted; may be NULL */
	int64_t since;               /* the last successful run's start (minus the margin): entries with
				      * mtime >= since are transferred; INT64_MAX: none by time */
	bool full;                   /* stat every local entry (else not those in directories that
				      * did not change since `since`, see walk()) */
};

struct flplan_checksum {
	char *path;                  /* relative to the module */
	enum fl_digest digest;       /* the strongest the list gives for this path */
	uint8_t md[64];
	size_t md_len;
};

struct flplan {
	unsigned version;
	size_t list_entries;         /* public entries in the new list */
	size_t local_entries;        /* found locally (without .~tmp~) */
	size_t changed;              /* rows new or different since the old list */
	size_t missing, differ;      /* missing locally; other type or size locally */
	size_t transfer_files, transfer_dirs, transfer_links;
	uint64_t transfer_bytes;     /* sum of the listed sizes of transferred files */
	size_t delete_files, delete_dirs;  /* all local entries that go, directories' contents included */
	double delete_share;         /* (delete_files + delete_dirs) / local_entries */
	char **deletes;              /* NULL-terminated relative paths, a directory once */
	size_t n_deletes;
	char *transfer_sample[FLPLAN_SAMPLES + 1];
	struct flplan_checksum *checksums;  /* of public files, strongest digest each */
	size_t n_checksums;
	bool old_list_used;
};

/* Builds the plan; writes each path to transfer, prefixed with prefix and
 * terminated by '\0' (rsync --from0 --files-from), to files_from unless it is
 * NULL.  Errors: those of filelist_parse() for the new list (error names the
 * list and line), -EEXIST for a path listed twice; the local tree is only
 * read.  An unreadable or malformed old list counts as none. */
int flplan_build(const struct flplan_module *m, FILE *files_from, const char *prefix, struct flplan *plan,
		 char **error);
void flplan_free(struct flplan *plan);
