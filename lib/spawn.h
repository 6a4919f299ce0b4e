/* Running external programs: always posix_spawn (or, to change user,
 * fork + execve) with an argv array, never a shell. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "runas.h"

struct spawn_opts {
	const char *stdin_path;    /* NULL: /dev/null */
	int capture_stdout;        /* collect stdout into out->out */
	int capture_stderr;        /* collect stderr into out->err */
	int inherit_stdout;        /* when not captured: 1 pass through, 0 /dev/null */
	int inherit_stderr;
	char *const *envp;         /* NULL: the caller's environment */
	unsigned timeout_sec;      /* 0: none; on expiry the child gets SIGTERM, then SIGKILL */
	size_t max_capture;        /* bytes kept of each captured stream; 0: 16 MiB */
	const struct run_as *user; /* NULL: as the caller; else the child drops groups, gid
				    * and uid to this user (caller must be root) and gets
				    * its HOME, USER, LOGNAME and of the caller's
				    * environment only PATH, LANG, LC_*, TZ and
				    * RSYNC_PROXY (unless envp is given); it has no
				    * controlling terminal and no descriptor but 0-2 */
};

struct spawn_result {
	int status;     /* raw wait status */
	int exit_code;  /* 0..255, or -1 when killed by a signal */
	int signal;     /* terminating signal or 0 */
	int timed_out;
	char *out;      /* NUL-terminated, or NULL */
	size_t out_len;
	char *err;
	size_t err_len;
};

/* Runs argv[0] (searched in PATH) and waits.  Returns 0 when it ran (look at
 * res->exit_code), -ENOENT when the program is not found, -EPERM (or another
 * -errno) when the child could not become opts->user, other -errno on failure. */
int spawn_run(char *const argv[], const struct spawn_opts *opts, struct spawn_result *res);
void spawn_result_free(struct spawn_result *res);

/* Is the program in PATH (or an existing path)? */
int spawn_find_program(const char *name);
