/* `mirrorprov sync NAME`: one profile's sync, by its method.
 *
 *   rsync      one pass with the profile's options and excludes
 *   two-stage  stage 1: everything but the index files, deleting nothing;
 *              stage 2: everything, with deletions (the Debian/Ubuntu archive rule)
 *   ftpsync    writes $HOME/.config/ftpsync/ftpsync.conf (archive "") or
 *              ftpsync-ARCHIVE.conf, ftpsync's own naming, and runs
 *              `ftpsync sync:archive:ARCHIVE` (Debian's tool does both stages)
 *
 * The profile's directory is locked (flock on the directory, non-blocking) for
 * the whole run; the run has a deadline.  A profile with `poll` markers first
 * fetches only those (sync/poll.h) and skips the run when they are unchanged
 * since the last success, unless rq->full.  On success every freshness
 * pattern must match, the trace file the project expects is written and the
 * polled markers are kept for the next comparison. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "lib/hostconf.h"
#include "lib/runas.h"
#include "lib/strv.h"
#include "sync/profile.h"

/* Applied to everything rsync creates: no set-id bit, nothing writable by group or others. */
#define SYNC_CHMOD "ug-s,go-w"

struct sync_request {
	const struct profile *profile;
	const char *root;          /* mirror root; the profile's directory is below */
	const char *upstream;      /* NULL: the profile's settled upstream (profile_pick_upstream()) */
	const char *host_name;     /* for trace files and ftpsync; NULL: gethostname() */
	const char *admin_email;   /* ftpsync MAILTO / INFO_MAINTAINER; NULL: "root" */
	const char *user;          /* mirror.user: runs the tools and owns the tree when the
				    * caller is root; NULL: HOSTCONF_DEFAULT_USER */
	uint64_t timeout;          /* seconds for the whole run; 0: the profile's */
	bool progress;             /* rsync --info=progress2 on the caller's stdout */
	bool full;                 /* run even when the poll finds upstream unchanged */
};

struct sync_result {
	unsigned stages;           /* rsync/ftpsync runs started */
	int exit_code;             /* of the run that failed, or 0 */
	bool timed_out;
	uint64_t files, bytes;     /* from rsync --stats (not with progress or ftpsync) */
	uint64_t tree_bytes;       /* rsync --stats "Total file size" of the last pass: the whole tree */
	uint64_t refused;          /* devices, specials and unsafe links rsync did not create (idem),
				    * plus what adopting a tree synced as root removed or cleared */
	double seconds;
	char *message;             /* last line of the failing tool's stderr, or what is missing */
	char *trace;               /* trace file written, relative to the directory */
	bool skipped;              /* the poll found upstream unchanged: no run */
	time_t unchanged_since;    /* skipped: when the kept markers were fetched */
	const char *poll;          /* "unchanged", "changed", "failed", "forced" or NULL (no poll) */
	char *poll_message;        /* poll failed (the run went ahead): why */
};

/* 0 when the mirror is complete (or upstream unchanged: res->skipped).
 * -EDESTADDRREQ: no upstream settled; -EBUSY: another sync holds the lock;
 * -ETIMEDOUT; -EIO: the tool failed (res->exit_code, res->message);
 * -ENODATA: the tool succeeded but a freshness marker is missing (res->message);
 * -ENOENT: rsync or ftpsync is not installed; -ENOTDIR: the mirror root does
 * not exist (an unmounted filesystem: nothing is created); -ESRCH: the caller
 * is root and the user cannot run the sync (res->message says why); other -errno. */
int sync_run(const struct sync_request *rq, struct sync_result *res);
void sync_result_free(struct sync_result *res);

/* The rsync argv that fetches the poll markers into the state directory, or
 * *ret = NULL when the profile has none. */
int sync_poll_argv(const struct sync_request *rq, char ***ret);

/* The argv of each rsync stage (NULL-terminated vectors in a NULL-terminated
 * list); for --dry-run display and tests.  ftpsync profiles give one argv. */
int sync_plan_argv(const struct sync_request *rq, char ****ret);
void sync_plan_free(char ***plan);

/* Who runs the tools: 0 when the caller is not root (it runs them itself);
 * 1 and *ret when it is root and name (NULL: HOSTCONF_DEFAULT_USER) is a user
 * other than root; -errno with *why set when that user does not exist or
 * is root. */
int sync_user_resolve(const char *name, struct run_as *ret, const char **why);

/* The profile's trace file for host (its "%h" replaced), relative to the
 * profile's directory, malloc'd; *ret NULL when the profile has none.
 * -EINVAL when the result is not a safe relative path. */
int sync_trace_path(const struct profile *p, const char *host, char **ret);

/* The tree belongs to the user who syncs it (fd: a profile's directory):
 * done once, when it does not (a tree an earlier sync as root wrote: devices,
 * specials and links out of the tree removed, set-id and go-w bits cleared,
 * each counted in *refused).  Nothing to do when user is NULL. */
int sync_own_tree(int fd, const struct run_as *user, uint64_t *refused);

/* The rsync options every sync adds after the profile's (one place for them):
 * --no-devices --no-specials --safe-links --chmod=SYNC_CHMOD. */
void sync_rsync_hardening(struct strvec *a, char *const *profile_options);
/* --info=progress2 on a terminal, else --stats and the names rsync refused. */
void sync_rsync_output(struct strvec *a, bool progress);
/* A number of rsync --stats --no-human-readable output ("Total bytes received: "); 0 when absent. */
uint64_t rsync_stat_field(const char *out, const char *key);
/* Entries rsync refused to create (its "skipping non-regular file" and
 * "ignoring unsafe symlink" lines in the output of sync_rsync_output()). */
uint64_t rsync_count_refused(const char *out);

/* rsync(1) EXIT VALUES as a message; NULL for unknown codes. */
const char *rsync_exit_message(int code);
