#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "macro.h"
#include "runas.h"

extern char **environ;

#define DEFAULT_MAX_CAPTURE (16u << 20)

/* The path execve() gets for name (searched in PATH unless it has a '/'). */
static int find_program(const char *name, char *buf, size_t size)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/')) {
		if (access(name, X_OK) < 0 || strlen(name) >= size)
			return -ENOENT;
		strcpy(buf, name);
		return 0;
	}
	if (!path)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		if (n && n + strlen(name) + 2 < size) {
			snprintf(buf, size, "%.*s/%s", (int)n, path, name);
			struct stat st;
			if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) && access(buf, X_OK) == 0)
				return 0;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return -ENOENT;
}

int spawn_find_program(const char *name)
{
	char buf[4096];
	return find_program(name, buf, sizeof(buf));
}

/* What a program run as another user keeps of the caller's environment: PATH,
 * the locale and time zone, and the proxy addressed to rsync.  Never root's
 * HOME or XDG_RUNTIME_DIR, agent sockets, tokens, passwords or whatever else
 * the admin's shell, ansible or systemd put there. */
static bool env_kept(const char *e)
{
	static const char *const keep[] = { "PATH=", "LANG=", "LANGUAGE=", "TZ=", "RSYNC_PROXY=" };

	if (strncmp(e, "LC_", 3) == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
		if (strncmp(e, keep[i], strlen(keep[i])) == 0)
			return true;
	return false;
}

/* env_kept() of the caller's environment, with HOME, USER and LOGNAME of u. */
static char **user_environ(const struct run_as *u)
{
	size_t n = 0, j = 0;
	for (char **e = environ; *e; e++)
		n++;
	char **v = calloc(n + 4, sizeof(char *));
	if (!v)
		return NULL;
	for (char **e = environ; *e; e++)
		if (env_kept(*e) && !(v[j++] = strdup(*e)))
			goto fail;
	if (asprintf(&v[j++], "HOME=%s", u->home) < 0 || asprintf(&v[j++], "USER=%s", u->name) < 0 ||
	    asprintf(&v[j++], "LOGNAME=%s", u->name) < 0) {
		v[--j] = NULL;
		goto fail;
	}
	return v;
fail:
	strv_freep(&v);
	return NULL;
}

/* In the child, before it becomes the user: nothing of root's may stay
 * reachable.  Every descriptor above stderr closes on exec (the report pipe
 * already does, and stays usable until then), whatever the caller inherited;
 * and the controlling terminal is given up, so that the user's program can
 * neither open /dev/tty nor push keystrokes into root's shell (TIOCSTI), while
 * it stays in the foreground process group (^C still reaches it). */
static void child_isolate(void)
{
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		for (int fd = 3; fd < 65536; fd++)
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (tty >= 0) {
		(void)ioctl(tty, TIOCNOTTY);
		close(tty);
	}
}

static int redirect(int fd, const char *path, int flags)
{
	int f = open(path, flags | O_CLOEXEC);
	if (f < 0 || dup2(f, fd) < 0)
		return negative_errno();
	if (f != fd)
		close(f);
	return 0;
}

/* Between fork and execve: async-signal-safe calls only.  A failure is
 * reported through report (close-on-exec) as an errno value. */
static _Noreturn void child_exec(const char *path, char *const argv[], char *const envp[],
				 const struct spawn_opts *opts, int outw, int errw, int report)
{
	int r = redirect(0, opts->stdin_path ? opts->stdin_path : "/dev/null", O_RDONLY);
	if (r == 0 && outw >= 0 && dup2(outw, 1) < 0)
		r = negative_errno();
	else if (r == 0 && outw < 0 && !opts->inherit_stdout)
		r = redirect(1, "/dev/null", O_WRONLY);
	if (r == 0 && errw >= 0 && dup2(errw, 2) < 0)
		r = negative_errno();
	else if (r == 0 && errw < 0 && !opts->inherit_stderr)
		r = redirect(2, "/dev/null", O_WRONLY);
	if (r == 0) {
		child_isolate();
		r = run_as_drop(opts->user);
	}
	/* The user's program starts in /: the caller's directory may be closed to
	 * it (root working in /root, mode 0700), and rsync and ftpsync return to
	 * theirs by path (ftpsync's "cd $BASEDIR").  Every path handed over is absolute. */
	if (r == 0 && opts->user && chdir("/") < 0)
		r = negative_errno();
	if (r == 0) {
		execve(path, argv, envp);
		r = negative_errno();
	}
	int e = -r;
	(void)!write(report, &e, sizeof(e));
	_exit(127);
}

/* fork + execve as opts->user (posix_spawn cannot change ids); 0 and *pid, or -errno. */
static int fork_exec(const char *path, char *const argv[], const struct spawn_opts *opts, int outw, int errw,
		     pid_t *pid)
{
	_cleanup_strv_free_ char **env = opts->envp ? NULL : user_environ(opts->user);
	_cleanup_close_ int rd = -1;
	int rep[2], e = 0;

	if (!opts->envp && !env)
		return -ENOMEM;
	if (pipe2(rep, O_CLOEXEC) < 0)
		return negative_errno();
	rd = rep[0];
	*pid = fork();
	if (*pid < 0) {
		close(rep[1]);
		return negative_errno();
	}
	if (*pid == 0)
		child_exec(path, argv, opts->envp ? opts->envp : env, opts, outw, errw, rep[1]);
	close(rep[1]);
	ssize_t n;
	while ((n = read(rd, &e, sizeof(e))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(e)) {
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
		return -e;
	}
	return 0;
}

struct sink {
	int fd;
	char *buf;
	size_t len, cap, max;
};

static int sink_read(struct sink *s)
{
	char tmp[65536];
	ssize_t n = read(s->fd, tmp, sizeof(tmp));

	if (n <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return 1;
		close(s->fd);
		s->fd = -1;
		return 0;
	}
	size_t keep = s->len + (size_t)n > s->max ? s->max - s->len : (size_t)n;
	if (keep) {
		if (s->len + keep + 1 > s->cap) {
			size_t cap = s->cap ? s->cap : 4096;
			while (cap < s->len + keep + 1)
				cap *= 2;
			char *b = realloc(s->buf, cap);
			if (!b)
				return -ENOMEM;
			s->buf = b;
			s->cap = cap;
		}
		memcpy(s->buf + s->len, tmp, keep);
		s->len += keep;
		s->buf[s->len] = '\0';
	}
	return 1;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int spawn_run(char *const argv[], const struct spawn_opts *opts, struct spawn_result *res)
{
	static const struct spawn_opts defaults = { .inherit_stdout = 1, .inherit_stderr = 1 };
	posix_spawn_file_actions_t fa;
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, r;
	struct sink sinks[2];
	pid_t pid;

	char path[4096];

	if (!opts)
		opts = &defaults;
	memset(res, 0, sizeof(*res));
	if (find_program(argv[0], path, sizeof(path)) < 0)
		return -ENOENT;
	if ((opts->capture_stdout && pipe2(outp, O_CLOEXEC) < 0) ||
	    (opts->capture_stderr && pipe2(errp, O_CLOEXEC) < 0)) {
		r = negative_errno();
		goto fail_pipes;
	}

	if (opts->user)
		r = fork_exec(path, argv, opts, outp[1], errp[1], &pid);
	else {
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, opts->stdin_path ? opts->stdin_path : "/dev/null", O_RDONLY, 0);
		if (opts->capture_stdout)
			posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
		else if (!opts->inherit_stdout)
			posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		if (opts->capture_stderr)
			posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
		else if (!opts->inherit_stderr)
			posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
		r = -posix_spawn(&pid, path, &fa, NULL, argv, opts->envp ? opts->envp : environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	if (outp[1] >= 0)
		close(outp[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	outp[1] = errp[1] = -1;
	if (r < 0)
		goto fail_pipes;

	size_t max = opts->max_capture ? opts->max_capture : DEFAULT_MAX_CAPTURE;
	sinks[0] = (struct sink){ .fd = outp[0], .max = max };
	sinks[1] = (struct sink){ .fd = errp[0], .max = max };
	long long deadline = opts->timeout_sec ? now_ms() + (long long)opts->timeout_sec * 1000 : 0;
	int killed = 0;

	for (;;) {
		struct pollfd pfd[2];
		int n = 0, map[2];
		for (int i = 0; i < 2; i++)
			if (sinks[i].fd >= 0) {
				pfd[n] = (struct pollfd){ .fd = sinks[i].fd, .events = POLLIN };
				map[n++] = i;
			}
		if (!n && !deadline)
			break;
		if (!n) {
			/* Nothing to read: poll the child for exit with the deadline in mind. */
			pid_t w = waitpid(pid, &res->status, WNOHANG);
			if (w == pid)
				goto reaped;
		}
		int wait_ms = -1;
		if (deadline) {
			long long left = deadline - now_ms();
			if (left <= 0) {
				/* Past SIGKILL's grace period only a process the child left
				 * behind can hold the pipes open: stop waiting for it. */
				if (killed >= 2)
					break;
				kill(pid, killed ? SIGKILL : SIGTERM);
				res->timed_out = 1;
				killed++;
				deadline = now_ms() + 2000;
				left = 2000;
			}
			wait_ms = n ? (int)left : (left > 50 ? 50 : (int)left);
		}
		if (n && poll(pfd, (nfds_t)n, wait_ms) < 0 && errno != EINTR)
			break;
		if (!n) {
			struct timespec ts = { 0, (long)wait_ms * 1000000L };
			nanosleep(&ts, NULL);
			continue;
		}
		for (int i = 0; i < n; i++)
			if (pfd[i].revents && sink_read(&sinks[map[i]]) == -ENOMEM) {
				kill(pid, SIGKILL);
				break;
			}
	}
	while (waitpid(pid, &res->status, 0) < 0 && errno == EINTR)
		;
reaped:
	for (int i = 0; i < 2; i++)
		if (sinks[i].fd >= 0)
			close(sinks[i].fd);
	res->out = sinks[0].buf;
	res->out_len = sinks[0].len;
	res->err = sinks[1].buf;
	res->err_len = sinks[1].len;
	if (WIFEXITED(res->status)) {
		res->exit_code = WEXITSTATUS(res->status);
		/* posix_spawnp reports exec failure as exit 127 */
	} else {
		res->exit_code = -1;
		res->signal = WIFSIGNALED(res->status) ? WTERMSIG(res->status) : 0;
	}
	return 0;

fail_pipes:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	return r;
}

void spawn_result_free(struct spawn_result *res)
{
	free(res->out);
	free(res->err);
	res->out = res->err = NULL;
}
