/* Poll before pulling: before a full run, fetch only the upstream's
 * freshness markers (profile key `poll`: Arch lastupdate, Debian
 * project/trace/HOST, Fedora fullfiletimelist-*, …) into the profile's state
 * directory; when every one is byte-identical to the copy kept from the last
 * successful run, the run is skipped.  As Arch's syncrepo and Debian's
 * ftpsync-cron do, but with the same rsync transport, user and hardening as
 * the sync itself, and with the markers kept outside the served tree.
 *
 * State directory: $STATE_DIRECTORY (systemd's StateDirectory=, the first
 * entry; tests set it) or /var/lib/mirrorprov, then sync/NAME/:
 *   poll/       markers of the last successful run (installed after success only)
 *   poll.new/   markers fetched by this run
 *   last-poll   "EPOCH RESULT" of the last poll (unchanged, changed, failed, forced)
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

#include "sync/profile.h"


/* STATE/sync/NAME, malloc'd (NULL on ENOMEM). */
char *sync_state_dir(const struct profile *p);

/* The files to fetch (poll, then poll_refresh), "%u" replaced by the
 * upstream's host: a malloc'd NULL-terminated vector. */
int poll_paths(const struct profile *p, const char *upstream, char ***ret);
/* Creates state/ and an empty state/poll.new/ for the fetch, both given to
 * uid:gid unless uid is -1 (the fetch runs as the mirror user). */
int poll_prepare(const char *state, uid_t uid, gid_t gid);

/* After the fetch: *unchanged when every marker exists in poll.new and
 * poll and is byte-identical; *since is when the kept markers were fetched. */
int poll_compare(const struct profile *p, const char *upstream, const char *state, bool *unchanged, time_t *since);

/* A skipped run: copies the poll_refresh files (Arch lastsync) into the tree
 * at dest, atomically, as the full run would have. */
int poll_refresh_tree(const struct profile *p, const char *state, const char *dest);

/* After a successful run: poll.new becomes poll. */
int poll_commit(const char *state);

/* After a failed run: no kept markers, the next run is a full one. */
void poll_forget(const char *state);

/* Writes state/last-poll. */
int poll_record(const char *state, const char *result);
