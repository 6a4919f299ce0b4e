#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"

extern char **environ;

#define DEFAULT_MAX_CAPTURE (16u << 20)

int spawn_find_program(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? 0 : -ENOENT;
	if (!path)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		if (n && n + strlen(name) + 2 < sizeof(buf)) {
			snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
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

	if (!opts)
		opts = &defaults;
	memset(res, 0, sizeof(*res));
	if (spawn_find_program(argv[0]) < 0)
		return -ENOENT;
	if ((opts->capture_stdout && pipe2(outp, O_CLOEXEC) < 0) ||
	    (opts->capture_stderr && pipe2(errp, O_CLOEXEC) < 0)) {
		r = negative_errno();
		goto fail_pipes;
	}

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

	r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, opts->envp ? opts->envp : environ);
	posix_spawn_file_actions_destroy(&fa);
	if (outp[1] >= 0)
		close(outp[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	outp[1] = errp[1] = -1;
	if (r != 0) {
		r = -r;
		goto fail_pipes;
	}

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
