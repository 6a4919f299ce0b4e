/* Running as the unprivileged user that owns data from the network.
 *
 * API:
 *   struct run_as u;
 *   r = run_as_lookup("mirror", &u);     // -ESRCH: no such user
 *   spawn_opts.user = &u;                 // the child drops to u before exec
 *   struct run_as_saved s;
 *   r = run_as_enter(&u, &s); ... files created here belong to u ... run_as_leave(&s);
 *   run_as_free(&u);
 *
 * Groups are resolved here, in the parent: the child of a fork may only make
 * async-signal-safe calls, and initgroups() reads /etc/group through NSS. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct run_as {
	char *name;
	char *home;        /* passwd home: $HOME of the child */
	uid_t uid;
	gid_t gid;
	gid_t *groups;     /* supplementary groups (getgrouplist) */
	size_t ngroups;
};

/* 0, -ESRCH when there is no such user, other -errno. */
int run_as_lookup(const char *name, struct run_as *ret);
/* Who handles data from the network: 0 when the caller is not root (it does
 * so itself, *ret empty); 1 and *ret when it is root and name is a user other
 * than root; -ESRCH when there is no such user, -EPERM when it is root. */
int run_as_unprivileged(const char *name, struct run_as *ret);
void run_as_free(struct run_as *u);

/* Drops what the process has (groups, gid, uid; real, effective and saved):
 * async-signal-safe (raw system calls), for the child between fork and exec. */
int run_as_drop(const struct run_as *u);

/* Temporarily the effective user (and groups) u, for creating files in a tree
 * u owns: a link planted there can lead nowhere u could not write anyway.
 * The process must be root and single-threaded; run_as_leave() restores. */
struct run_as_saved {
	uid_t euid;
	gid_t egid;
	gid_t *groups;
	int ngroups;
	bool active;
};
int run_as_enter(const struct run_as *u, struct run_as_saved *s);
void run_as_leave(struct run_as_saved *s);
