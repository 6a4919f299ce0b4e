/* `mirrorprov sync` for method filelist: quick-fedora-mirror's protocol, for
 * all file-list profiles of a host in one run.
 *
 *   1. fetch every module's list (one rsync call from a master, else one per
 *      module) into STATE/incoming/;
 *   2. every list byte-identical to the last successful run's: stop
 *      ("upstream unchanged"), unless full;
 *   3. plan each changed module (sync/flplan.h), refuse a malformed,
 *      truncated or too new list, refuse a list that would delete more than
 *      the profile's max_delete percent of the local tree (it looks truncated);
 *   4. one rsync --files-from for all modules when their upstreams are the
 *      directories of one master module (rsync://HOST/fedora-buffet/fedora/,
 *      …/epel/: the master is found from the upstreams) named locally as
 *      there, so hard links between modules stay hard links, as with one
 *      rsync -H; else one call per module; retry exits 5, 10, 23, 30, 35 with doubling delays,
 *      accept 24 (files vanished upstream meanwhile);
 *   5. after a complete transfer, delete what the lists no longer hold;
 *   6. verify every file the lists give a checksum for (the strongest digest
 *      listed, SHA-1 at the weakest; MD5 is ignored), fetch a mismatch once
 *      more with --ignore-times, fail if it still differs;
 *   7. install the new lists last: into the module's top directory (for
 *      downstream mirrors) and STATE/last/, and write STATE/last-run.
 * An interrupted or failed run leaves the old lists in place, so the next run
 * plans the same work again.
 *
 * STATE is $STATE_DIRECTORY/filelist (systemd's StateDirectory=) or
 * /var/lib/mirrorprov/filelist.  One run at a time: a second run waits for
 * the lock (within its timeout) and then usually finds the upstream unchanged,
 * so the timers of several file-list profiles may overlap freely. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sync/flplan.h"
#include "sync/profile.h"
#include "sync/syncrun.h"

#define FLSYNC_MARGIN 5  /* seconds: quick-fedora-mirror's "paranoia" backdating of the last run's start */

enum flsync_step {
	FLS_LISTS,     /* the lists were fetched */
	FLS_PLANNING,  /* res->current is being planned */
	FLS_TRANSFER,  /* the transfer starts */
	FLS_DELETE,
	FLS_VERIFY,
	FLS_INSTALL,
};

struct flsync_result;

struct flsync_request {
	const struct profile *const *profiles;  /* method filelist, each with its upstream settled
						 * (profile_pick_upstream): the module's root, its list on top */
	size_t n;
	const char *root;          /* mirror root */
	const char *state_dir;     /* NULL: state_path("filelist") (lib/fileio.h) */
	const char *user;          /* mirror.user: runs rsync and owns the tree and the state when
				    * the caller is root; NULL: HOSTCONF_DEFAULT_USER */
	uint64_t timeout;          /* seconds for the run; 0: the longest of the profiles' */
	bool dry_run;              /* fetch the lists and plan; change nothing in the tree */
	bool full;                 /* plan every module even when its list is unchanged */
	bool progress;             /* rsync --info=progress2 on stdout during the transfer */
	unsigned max_tries;        /* rsync attempts; 0: 10 (quick-fedora-mirror's MAXRETRIES) */
	unsigned retry_delay;      /* seconds before the second attempt, doubled after; 0: 2 */
	void (*on_step)(void *ud, enum flsync_step step, const struct flsync_result *res);
	void *ud;
};

struct flsync_module {
	const struct profile *profile;
	bool changed;              /* its list differs from the last successful run's */
	bool planned;
	bool own_call;             /* transferred in a call of its own: named otherwise than below the
				    * master, or pulled from an upstream of its own */
	struct flplan plan;
};

struct flsync_result {
	struct flsync_module *modules;
	size_t n;
	size_t current;            /* FLS_PLANNING: the module */
	bool unchanged;            /* every list as in the last successful run: nothing done */
	int64_t last_start;        /* start of the last successful run, 0: none */
	/* totals over the planned modules */
	size_t transfer_files, transfer_dirs, transfer_links;
	uint64_t transfer_bytes;   /* listed sizes of the files to transfer */
	size_t delete_files, delete_dirs;
	/* what happened */
	unsigned rsync_runs, retries;
	uint64_t list_bytes;       /* bytes received fetching the lists */
	uint64_t received;         /* bytes received by every rsync call (--stats; not with progress) */
	uint64_t files_moved;      /* regular files the transfer wrote (same) */
	size_t deleted, verified, refetched;
	int exit_code;             /* of the rsync call that failed */
	bool timed_out;
	const char *refused_module;  /* -ECANCELED: the module whose list deletes too much */
	uint64_t refused;          /* entries rsync refused to create (devices, specials, unsafe
				    * links) plus what adopting a tree synced as root removed */
	char *message;
	double seconds;
};

/* 0: complete, unchanged, or planned (dry run).
 * -EBADMSG, -EPROTONOSUPPORT (list version), -ENODATA (no [End]), -EEXIST
 * (a path listed twice), -E2BIG: a list is refused (res->message); nothing changed.
 * -ECANCELED: a list would delete more than max_delete (res->refused_module); nothing changed.
 * -EIO: rsync failed (res->exit_code, res->message); -ETIMEDOUT;
 * -EILSEQ: a file still fails its checksum (res->message);
 * -EBUSY: another sync holds a module's directory (res->message);
 * -ENOENT: rsync is missing; -ENOTDIR: the mirror root is missing; -EINVAL: bad request. */
int flsync_run(const struct flsync_request *rq, struct flsync_result *res);
void flsync_result_free(struct flsync_result *res);

/* The profiles one run covers: named first, then every other profile of
 * host_profiles (mirror.profiles; may be NULL) with method filelist (their
 * upstreams not yet settled).  Errors as profile_load_list(). */
int flsync_group(const struct profile *named, char *const *host_profiles, struct profile_set *set, char **error);

/* Module i's part of a run (r: flsync_run()'s return) as the result of a
 * sync of its own, for the history: files and bytes its plan transferred
 * (bytes received when the run had this module only), the tree size its list
 * gives, poll "unchanged" (its list was: nothing pulled, skipped), "changed"
 * or "forced" (full).  res->message is a copy. */
int flsync_module_result(const struct flsync_result *fres, size_t i, int r, bool full, struct sync_result *res);
