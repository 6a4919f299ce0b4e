#include "syncrun.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/names.h"
#include "lib/runas.h"
#include "lib/spawn.h"
#include "lib/strv.h"
#include "sync/flsync.h"
#include "sync/poll.h"

#ifndef MIRRORPROV_VERSION
#define MIRRORPROV_VERSION "0.1"
#endif

const char *rsync_exit_message(int code)
{
	static const struct {
		int code;
		const char *msg;
	} codes[] = {
		{ 1, "syntax or usage error" },
		{ 2, "protocol incompatibility" },
		{ 3, "errors selecting input/output files or directories" },
		{ 4, "requested action not supported" },
		{ 5, "error starting client-server protocol (unknown module or refused by upstream?)" },
		{ 6, "daemon unable to append to log file" },
		{ 10, "error in socket I/O (upstream unreachable?)" },
		{ 11, "error in file I/O (disk full?)" },
		{ 12, "error in rsync protocol data stream" },
		{ 13, "errors with program diagnostics" },
		{ 14, "error in IPC code" },
		{ 20, "received SIGUSR1 or SIGINT" },
		{ 21, "some error returned by waitpid()" },
		{ 22, "error allocating core memory buffers" },
		{ 23, "partial transfer due to error" },
		{ 24, "partial transfer: source files vanished (upstream changed during the run)" },
		{ 25, "the --max-delete limit stopped deletions" },
		{ 30, "timeout in data send/receive" },
		{ 35, "timeout waiting for daemon connection" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		if (codes[i].code == code)
			return codes[i].msg;
	return NULL;
}

static bool is_delete_option(const char *o)
{
	return strncmp(o, "--delete", 8) == 0 || strncmp(o, "--max-delete", 12) == 0;
}

static const char *upstream_of(const struct sync_request *rq)
{
	return rq->upstream ? rq->upstream : rq->profile->upstream;
}

enum stage { STAGE_ALL, STAGE_1, STAGE_2 };

void sync_rsync_hardening(struct strvec *a, char *const *profile_options)
{
	/* After the profile's options, so that they win over -a's -D.  Upstream data is
	 * hostile: no device or special file, no symlink leading out of the tree (rsync
	 * itself says which it refused), and no set-id bit or group/world write
	 * permission on anything (a local user could otherwise alter what is served). */
	strvec_push(a, "--no-devices");
	strvec_push(a, "--no-specials");
	if (!strv_contains(profile_options, "--safe-links"))
		strvec_push(a, "--safe-links");
	strvec_push(a, "--chmod=" SYNC_CHMOD);
}

void sync_rsync_output(struct strvec *a, bool progress)
{
	if (progress) {
		strvec_push(a, "--info=progress2");
		return;
	}
	strvec_push(a, "--stats");
	strvec_push(a, "--no-human-readable");
	/* "ignoring unsafe symlink" needs --info=name1; an empty --out-format keeps
	 * the names themselves to one newline each. */
	strvec_push(a, "--info=name1");
	strvec_push(a, "--out-format=");
}

static int rsync_argv(const struct sync_request *rq, enum stage stage, char ***ret)
{
	const struct profile *p = rq->profile;
	const char *src = upstream_of(rq);
	bool has_delete = false;
	_cleanup_strvec_ struct strvec a = { 0 };

	strvec_push(&a, "rsync");
	for (char **o = p->rsync_options; *o; o++) {
		if (is_delete_option(*o)) {
			has_delete = true;
			if (stage == STAGE_1)
				continue;  /* stage 1 deletes nothing */
		}
		strvec_push(&a, *o);
	}
	sync_rsync_hardening(&a, p->rsync_options);
	if (stage == STAGE_2 && !has_delete) {
		strvec_push(&a, "--delete");
		strvec_push(&a, "--delete-after");
	}
	for (char **e = p->excludes; *e; e++)
		strvec_pushf(&a, "--exclude=%s", *e);
	if (stage == STAGE_1)
		for (char **e = p->index_files; *e; e++)
			strvec_pushf(&a, "--exclude=%s", *e);
	sync_rsync_output(&a, rq->progress);
	strvec_pushf(&a, "%s%s", src, src[strlen(src) - 1] == '/' ? "" : "/");
	strvec_pushf(&a, "%s/%s/", rq->root, p->directory);
	return strvec_steal(&a, false, ret);
}

/* "sync:archive:" names the main archive (ftpsync.conf), as ftpsync's own pushes do. */
static int ftpsync_argv(const struct sync_request *rq, char ***ret)
{
	_cleanup_strvec_ struct strvec a = { 0 };

	strvec_push(&a, "ftpsync");
	strvec_pushf(&a, "sync:archive:%s", rq->profile->archive);
	return strvec_steal(&a, false, ret);
}

/* Only the marker files, each under its own path (-R and the "/./" anchor),
 * no links, devices or anything large: a poll is a few bytes to a few MB. */
int sync_poll_argv(const struct sync_request *rq, char ***ret)
{
	const char *src = upstream_of(rq);
	_cleanup_free_ char *state = NULL;
	_cleanup_strv_free_ char **paths = NULL;
	_cleanup_strvec_ struct strvec a = { 0 };
	int r;

	*ret = NULL;
	if (!rq->profile->poll[0])
		return 0;
	if (!(state = sync_state_dir(rq->profile)))
		return -ENOMEM;
	r = poll_paths(rq->profile, src, &paths);
	if (r < 0)
		return r;
	strvec_push(&a, "rsync");
	strvec_push(&a, "--relative");
	strvec_push(&a, "--no-motd");
	strvec_push(&a, "--timeout=120");
	strvec_push(&a, "--max-size=512M");
	for (char **f = paths; *f; f++)
		strvec_pushf(&a, "%s%s./%s", src, src[strlen(src) - 1] == '/' ? "" : "/", *f);
	strvec_pushf(&a, "%s/poll.new/", state);
	return strvec_steal(&a, false, ret);
}

void sync_plan_free(char ***plan)
{
	for (char ***s = plan; s && *s; s++)
		strv_freep(s);
	free(plan);
}

int sync_plan_argv(const struct sync_request *rq, char ****ret)
{
	char ***plan = calloc(3, sizeof(char **));
	int r;

	if (!plan)
		return -ENOMEM;
	switch (rq->profile->method) {
	case SYNC_RSYNC:
		r = rsync_argv(rq, STAGE_ALL, &plan[0]);
		break;
	case SYNC_TWO_STAGE:
		r = rsync_argv(rq, STAGE_1, &plan[0]);
		if (r == 0)
			r = rsync_argv(rq, STAGE_2, &plan[1]);
		break;
	case SYNC_FTPSYNC:
		r = ftpsync_argv(rq, &plan[0]);
		break;
	default:
		r = -EOPNOTSUPP;  /* filelist: its commands depend on the lists (sync/flsync.h) */
		break;
	}
	if (r < 0) {
		sync_plan_free(plan);
		return r;
	}
	*ret = plan;
	return 0;
}

void sync_result_free(struct sync_result *res)
{
	free(res->message);
	free(res->trace);
	free(res->poll_message);
	res->message = res->trace = res->poll_message = NULL;
}

static double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The value of rsync's statistics line "KEY N": at the start of a line only,
 * since the lines above may quote an upstream's file name. */
uint64_t rsync_stat_field(const char *out, const char *key)
{
	size_t n = strlen(key);

	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, n) == 0)
			return strtoull(l + n, NULL, 10);
	return 0;
}

/* The last non-empty line of text, malloc'd. */
static char *last_line(const char *text)
{
	if (!text)
		return NULL;
	size_t end = strlen(text);
	while (end && (text[end - 1] == '\n' || text[end - 1] == '\r'))
		end--;
	size_t start = end;
	while (start && text[start - 1] != '\n')
		start--;
	return end > start ? strndup(text + start, end - start) : NULL;
}

/* Lines of rsync's stdout that name an entry it refused to create. */
uint64_t rsync_count_refused(const char *out)
{
	static const char *const refusals[] = { "skipping non-regular file \"", "ignoring unsafe symlink \"" };
	uint64_t n = 0;

	for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
		for (size_t i = 0; i < ARRAY_SIZE(refusals); i++)
			n += strncmp(l, refusals[i], strlen(refusals[i])) == 0;
	return n;
}

static int run_tool(char **argv, const struct sync_request *rq, const struct run_as *user, double deadline,
		    struct sync_result *res)
{
	struct spawn_opts opts = { .capture_stdout = !rq->progress, .inherit_stdout = 1, .capture_stderr = 1,
				   .user = user };
	struct spawn_result sr;
	double left = deadline - now_sec();
	int r;

	if (left < 1) {
		res->timed_out = true;
		return -ETIMEDOUT;
	}
	opts.timeout_sec = (unsigned)left;
	res->stages++;
	r = spawn_run(argv, &opts, &sr);
	if (r < 0)
		return r;
	res->files += rsync_stat_field(sr.out, "Number of regular files transferred: ");
	res->bytes += rsync_stat_field(sr.out, "Total transferred file size: ");
	res->tree_bytes = rsync_stat_field(sr.out, "Total file size: ");
	res->refused += rsync_count_refused(sr.out);
	if (sr.timed_out) {
		res->timed_out = true;
		r = -ETIMEDOUT;
	} else if (sr.exit_code != 0) {
		res->exit_code = sr.exit_code;
		free(res->message);
		res->message = last_line(sr.err);
		r = -EIO;
	}
	spawn_result_free(&sr);
	return r;
}

/* POSIX shell single quotes: the only safe way to hand text to a sourced config. */
static void put_sh(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s='", key);
	for (const char *s = value; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputs("'\n", f);
}

static int write_ftpsync_conf(const struct sync_request *rq, const char *host, const char *home)
{
	const struct profile *p = rq->profile;
	const char *src = upstream_of(rq);
	_cleanup_free_ char *dir = NULL, *path = NULL, *to = NULL, *buf = NULL, *rhost = NULL, *excl = NULL;
	size_t len = 0;
	int r;

	if (asprintf(&dir, "%s/.config/ftpsync", home) < 0 ||
	    asprintf(&path, "%s/ftpsync%s%s.conf", dir, *p->archive ? "-" : "", p->archive) < 0 ||
	    asprintf(&to, "%s/%s/", rq->root, p->directory) < 0)
		return -ENOMEM;
	/* rsync://HOST[:PORT]/PATH: ftpsync names the upstream host in its trace. */
	const char *h = src + strlen("rsync://");
	rhost = strndup(h, strcspn(h, ":/"));
	FILE *f = open_memstream(&buf, &len);
	if (!f || !rhost) {
		if (f)
			fclose(f);
		return -ENOMEM;
	}
	fprintf(f, "# Generated by mirrorprov sync from profile %s; local changes are overwritten.\n", p->name);
	put_sh(f, "MIRRORNAME", host);
	put_sh(f, "TO", to);
	put_sh(f, "RSYNC_SOURCE", src);
	put_sh(f, "RSYNC_HOST", rhost);
	put_sh(f, "MAILTO", rq->admin_email ? rq->admin_email : "root");
	put_sh(f, "INFO_MAINTAINER", rq->admin_email ? rq->admin_email : "root");
	for (char **e = p->excludes; *e; e++) {
		char *n;
		if (asprintf(&n, "%s%s--exclude=%s", excl ? excl : "", excl ? " " : "", *e) < 0) {
			fclose(f);
			return -ENOMEM;
		}
		free(excl);
		excl = n;
	}
	if (excl)
		put_sh(f, "EXCLUDE", excl);
	/* ftpsync's own options already leave out devices and specials and add --safe-links. */
	put_sh(f, "RSYNC_EXTRA", "--no-devices --no-specials --safe-links --chmod=" SYNC_CHMOD);
	if (fclose(f) != 0)
		return -ENOMEM;
	r = mkdir_p(dir, 0755);
	return r < 0 ? r : write_file_atomic(path, buf, len, 0644, false);
}

/* Every freshness pattern must match something: else the tree is not a complete mirror. */
static int check_freshness(const struct sync_request *rq, struct sync_result *res)
{
	for (char **f = rq->profile->freshness; *f; f++) {
		_cleanup_free_ char *pat = NULL;
		glob_t g;
		if (asprintf(&pat, "%s/%s/%s", rq->root, rq->profile->directory, *f) < 0)
			return -ENOMEM;
		int gr = glob(pat, GLOB_NOSORT, NULL, &g);
		globfree(&g);
		if (gr != 0) {
			free(res->message);
			if (asprintf(&res->message, "freshness marker %s is missing upstream", *f) < 0)
				res->message = NULL;
			return -ENODATA;
		}
	}
	return 0;
}

int sync_trace_path(const struct profile *p, const char *host, char **ret)
{
	char *rel;
	size_t j = 0;

	*ret = NULL;
	if (!p->trace_file)
		return 0;
	if (!(rel = malloc(strlen(p->trace_file) + strlen(host) + 1)))
		return -ENOMEM;
	for (const char *s = p->trace_file; *s; s++) {
		if (s[0] == '%' && s[1] == 'h') {
			strcpy(rel + j, host);
			j += strlen(host);
			s++;
		} else
			rel[j++] = *s;
	}
	rel[j] = '\0';
	if (check_relpath(rel)) {
		free(rel);
		return -EINVAL;
	}
	*ret = rel;
	return 0;
}

static int write_trace(const struct sync_request *rq, const char *host, time_t started, struct sync_result *res)
{
	const struct profile *p = rq->profile;
	_cleanup_free_ char *rel = NULL, *path = NULL, *text = NULL;
	char now[64], start[64];
	time_t t = time(NULL);
	struct tm tm;
	int r;

	if (p->trace_format == TRACE_NONE || p->method == SYNC_FTPSYNC)
		return 0;  /* ftpsync writes its own trace */
	if ((r = sync_trace_path(p, host, &rel)) < 0)
		return r;
	if (asprintf(&path, "%s/%s/%s", rq->root, p->directory, rel) < 0)
		return -ENOMEM;
	if (p->trace_format == TRACE_TIMESTAMP)
		r = asprintf(&text, "%lld\n", (long long)t);
	else {
		strftime(now, sizeof(now), "%a %b %e %H:%M:%S UTC %Y", gmtime_r(&t, &tm));
		strftime(start, sizeof(start), "%a, %d %b %Y %H:%M:%S +0000", gmtime_r(&started, &tm));
		r = asprintf(&text, "%s\nDate: %s\nDate-Started: %s\nCreator: mirrorprov " MIRRORPROV_VERSION
			     "\nRunning on host: %s\nMaintainer: %s\nUpstream-Mirror: %s\n",
			     now, now, start, host, rq->admin_email ? rq->admin_email : "root", upstream_of(rq));
	}
	if (r < 0) {
		text = NULL;
		return -ENOMEM;
	}
	_cleanup_free_ char *parent = strndup(path, strrchr(path, '/') - path);
	if (!parent)
		return -ENOMEM;
	if ((r = mkdir_p(parent, 0755)) < 0)
		return r;
	r = write_file_atomic(path, text, strlen(text), 0644, false);
	if (r < 0)
		return r;
	res->trace = TAKE_PTR(rel);
	return 0;
}

/* Files in the tree and in the user's home are made as that user (see run_as_enter). */
static int as_user(const struct run_as *user, struct run_as_saved *saved)
{
	*saved = (struct run_as_saved){ 0 };
	return user ? run_as_enter(user, saved) : 0;
}

static int sync_locked(const struct sync_request *rq, const struct run_as *user, const char *host, double deadline,
		       struct sync_result *res)
{
	const struct profile *p = rq->profile;
	time_t started = time(NULL);
	struct run_as_saved saved;
	char ***plan = NULL;
	int r;

	if (p->method == SYNC_FTPSYNC) {
		const char *home = user ? user->home : getenv("HOME");
		if (!home || check_abspath(home))
			return -EINVAL;
		if ((r = as_user(user, &saved)) < 0)
			return r;
		r = write_ftpsync_conf(rq, host, home);
		run_as_leave(&saved);
		if (r < 0)
			return r;
	}
	r = sync_plan_argv(rq, &plan);
	if (r < 0)
		return r;
	for (char ***argv = plan; *argv && r == 0; argv++)
		r = run_tool(*argv, rq, user, deadline, res);
	sync_plan_free(plan);
	if (r == 0 && (r = as_user(user, &saved)) == 0) {
		r = check_freshness(rq, res);
		if (r == 0)
			r = write_trace(rq, host, started, res);
		run_as_leave(&saved);
	}
	return r;
}

/* Does a symlink at depth (directories below the tree's top) with this target
 * lead out of the tree?  The rule of rsync's --safe-links. */
static bool link_escapes(const char *target, unsigned depth)
{
	long level = depth;

	if (target[0] == '/')
		return true;
	for (const char *s = target; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (--level < 0)
				return true;
		} else if (n && !(n == 1 && s[0] == '.'))
			level++;
		s += n + (s[n] == '/');
	}
	return false;
}

/* What an earlier sync as root may have left that a sync as the user would not
 * create: a device, FIFO or socket, a link out of the tree (removed), a set-id
 * bit or group/world write permission (cleared).  0 when e is fine, 1 when it
 * was dealt with, -errno. */
static int adopt_entry(int dfd, const char *name, const struct stat *st, unsigned depth)
{
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) || S_ISFIFO(st->st_mode) || S_ISSOCK(st->st_mode))
		return unlinkat(dfd, name, 0) < 0 ? negative_errno() : 1;
	if (S_ISLNK(st->st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return negative_errno();
		target[n] = '\0';
		if (!link_escapes(target, depth))
			return 0;
		return unlinkat(dfd, name, 0) < 0 ? negative_errno() : 1;
	}
	if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
		return 0;
	if (!(st->st_mode & (S_ISUID | S_ISGID | S_IWGRP | S_IWOTH)))
		return 0;
	/* never through a link that replaced the entry since it was looked at */
	return fchmodat(dfd, name, st->st_mode & 07777 & ~(mode_t)(S_ISUID | S_ISGID | S_IWGRP | S_IWOTH),
			AT_SYMLINK_NOFOLLOW) < 0 ? negative_errno() : 1;
}

/* chown -R of what an earlier sync as root left, cleaned as adopt_entry() says,
 * without following a link or leaving the filesystem; depth-limited so that a
 * hostile tree cannot exhaust file descriptors.  *fixed counts what was cleaned. */
static int adopt_tree(int dfd, const struct run_as *user, dev_t dev, unsigned depth, uint64_t *fixed)
{
	DIR *d;
	struct dirent *e;
	int r = 0;

	if (depth > 256)
		return -ELOOP;
	if (fchown(dfd, user->uid, user->gid) < 0)
		return negative_errno();
	int fd = dup(dfd);
	if (fd < 0 || !(d = fdopendir(fd))) {
		r = negative_errno();
		if (fd >= 0)
			close(fd);
		return r;
	}
	while (r == 0 && (e = readdir(d))) {
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			r = errno == ENOENT ? 0 : negative_errno();
			continue;
		}
		int k = adopt_entry(dfd, e->d_name, &st, depth);
		if (k < 0) {
			r = k;
			continue;
		}
		*fixed += (uint64_t)k;
		/* removed (a device, FIFO, socket or link out of the tree): nothing to chown */
		if (k && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
			continue;
		if (S_ISDIR(st.st_mode) && st.st_dev == dev) {
			_cleanup_close_ int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = sub < 0 ? negative_errno() : adopt_tree(sub, user, dev, depth + 1, fixed);
		} else if (!S_ISDIR(st.st_mode) && fchownat(dfd, e->d_name, user->uid, user->gid, AT_SYMLINK_NOFOLLOW) < 0 &&
			   errno != ENOENT)
			r = negative_errno();
	}
	closedir(d);
	return r;
}

/* The tree belongs to the user who syncs it: fd is the profile's directory.
 * Done once, when it does not (a tree an earlier version synced as root).
 * The owner decides, not the group: the user can change the group of its
 * directory, and must not be able to make root walk a tree it controls. */
int sync_own_tree(int fd, const struct run_as *user, uint64_t *refused)
{
	struct stat st;

	if (!user)
		return 0;
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (st.st_uid == user->uid)
		return 0;
	return adopt_tree(fd, user, st.st_dev, 0, refused);
}

int sync_user_resolve(const char *name, struct run_as *ret, const char **why)
{
	int r = run_as_unprivileged(name ? name : HOSTCONF_DEFAULT_USER, ret);

	*why = r == -ESRCH ? "does not exist (mirrorprov layout creates it)"
	       : r == -EPERM ? "is root: data from the network is never handled as root" : NULL;
	return r;
}

/* A file-list profile on its own (onboard's first sync): sync/flsync.h. */
static int sync_filelist_one(const struct sync_request *rq, struct sync_result *res)
{
	/* The same profile pulling from rq->upstream (a shallow copy: only read). */
	struct profile p = *rq->profile;
	const struct profile *v[] = { &p };
	struct flsync_request frq = { .profiles = v, .n = 1, .root = rq->root, .user = rq->user, .timeout = rq->timeout,
				      .full = rq->full, .progress = rq->progress };
	struct flsync_result fres;
	int r;

	p.upstream = upstream_of(rq);
	r = flsync_run(&frq, &fres);
	res->stages = fres.rsync_runs;
	res->exit_code = fres.exit_code;
	res->timed_out = fres.timed_out;
	res->files = fres.files_moved;
	res->bytes = fres.received;
	res->refused = fres.refused;
	res->seconds = fres.seconds;
	res->message = TAKE_PTR(fres.message);
	flsync_result_free(&fres);
	/* The failures sync_run() documents; the others say what happened in the message. */
	return r == -EIO || r == -ETIMEDOUT || r == -ENOENT || r == -ENOTDIR || r == -EBUSY || r == -ESRCH || r >= 0 ? r
	       : res->message ? -ENODATA : r;
}

/* The state directory belongs to the user: root makes it (its parents are
 * root's) and hands it over; everything inside is done as the user, so that a
 * link the user plants there leads nowhere root would write, read or delete. */
static int state_own(const char *state, const struct run_as *user)
{
	int r = mkdir_p(state, 0755);

	if (r < 0 || !user)
		return r;
	_cleanup_close_ int fd = open(state, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 || fchown(fd, user->uid, user->gid) < 0 ? negative_errno() : 0;
}

/* Fetches the markers; 1 when the run can be skipped (the refresh files are
 * then already in the tree), 0 to run.  A failed poll never blocks a sync:
 * it is noted and the full run goes ahead, as syncrepo's and ftpsync-cron's do
 * when their fetch fails. */
static int poll_upstream(const struct sync_request *rq, const struct run_as *user, const char *state,
			 const char *dest, double deadline, struct sync_result *res)
{
	_cleanup_strv_free_ char **argv = NULL;
	struct sync_result pr = { 0 };
	struct run_as_saved saved;
	bool unchanged;
	/* The fetch runs as the user: the state directory is that user's. */
	int r = state_own(state, user);

	if (r == 0 && (r = as_user(user, &saved)) == 0) {
		r = poll_prepare(state, (uid_t)-1, (gid_t)-1);
		run_as_leave(&saved);
	}
	if (r == 0)
		r = sync_poll_argv(rq, &argv);
	if (r == 0)
		r = run_tool(argv, rq, user, deadline, &pr);
	if (r < 0) {
		res->poll = "failed";
		if (asprintf(&res->poll_message, "polling %s failed (%s%s%s); running in full", upstream_of(rq),
			     pr.exit_code ? rsync_exit_message(pr.exit_code) ?: "rsync failed" : strerror(-r),
			     pr.message ? ": " : "", pr.message ? pr.message : "") < 0)
			res->poll_message = NULL;
		sync_result_free(&pr);
		return 0;
	}
	sync_result_free(&pr);
	if (rq->full) {
		res->poll = "forced";
		return 0;
	}
	if ((r = as_user(user, &saved)) == 0) {
		r = poll_compare(rq->profile, upstream_of(rq), state, &unchanged, &res->unchanged_since);
		run_as_leave(&saved);
	}
	if (r < 0) {
		res->poll = "failed";
		if (asprintf(&res->poll_message, "comparing the markers in %s failed (%s); running in full", state,
			     strerror(-r)) < 0)
			res->poll_message = NULL;
		return 0;
	}
	res->poll = unchanged ? "unchanged" : "changed";
	if (!unchanged)
		return 0;
	if ((r = as_user(user, &saved)) == 0) {
		r = poll_refresh_tree(rq->profile, state, dest);
		run_as_leave(&saved);
	}
	return r < 0 ? r : 1;
}

static int sync_polled(const struct sync_request *rq, const struct run_as *user, const char *host, const char *dest,
		       struct sync_result *res)
{
	double deadline = now_sec() + (double)(rq->timeout ? rq->timeout : rq->profile->timeout);
	_cleanup_free_ char *state = NULL;
	int r;

	/* One deadline for the poll and the run: --timeout bounds the whole sync. */
	if (!rq->profile->poll[0])
		return sync_locked(rq, user, host, deadline, res);
	if (!(state = sync_state_dir(rq->profile)))
		return -ENOMEM;
	bool ran = false;
	r = poll_upstream(rq, user, state, dest, deadline, res);
	if (r == 1) {
		res->skipped = true;
		r = 0;
	} else if (r == 0) {
		r = sync_locked(rq, user, host, deadline, res);
		ran = true;
	}
	struct run_as_saved saved;
	int k = as_user(user, &saved);
	if (k < 0)
		return r < 0 ? r : k;
	/* Kept after success only.  A failed run may have changed the tree:
	 * forget the old markers too, so the next run is a full one. */
	if (ran && r == 0 && strcmp(res->poll, "failed") != 0)
		r = poll_commit(state);
	else if (ran && r < 0)
		poll_forget(state);
	if (res->poll && (k = poll_record(state, res->poll)) < 0 && r == 0)
		r = k;
	run_as_leave(&saved);
	return r;
}

int sync_run(const struct sync_request *rq, struct sync_result *res)
{
	_cleanup_free_ char *dest = NULL;
	_cleanup_close_ int fd = -1;
	char host[256];
	double t0 = now_sec();
	int r;

	*res = (struct sync_result){ 0 };
	if (!upstream_of(rq))
		return -EDESTADDRREQ;
	if (check_rsync_source(upstream_of(rq)))
		return -EINVAL;
	if (rq->profile->method == SYNC_FILELIST)
		return sync_filelist_one(rq, res);
	if (rq->host_name)
		snprintf(host, sizeof(host), "%s", rq->host_name);
	else if (gethostname(host, sizeof(host)) < 0)
		return negative_errno();
	if (check_safe_name(host))
		return -EINVAL;
	/* A missing root usually means an unmounted filesystem: never fill the disk below it. */
	struct stat st;
	if (stat(rq->root, &st) < 0 || !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	_cleanup_(run_as_free) struct run_as user = { 0 };
	const char *why;
	r = sync_user_resolve(rq->user, &user, &why);
	if (r < 0) {
		if (why && asprintf(&res->message, "%s", why) < 0)
			res->message = NULL;
		return why ? -ESRCH : r;
	}
	const struct run_as *as = r > 0 ? &user : NULL;
	if (asprintf(&dest, "%s/%s", rq->root, rq->profile->directory) < 0)
		return -ENOMEM;
	r = mkdir_p(dest, 0755);
	if (r < 0)
		return r;
	/* The directory itself is the lock: every run for this tree sees it, whoever starts it. */
	fd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? -EBUSY : negative_errno();
	if ((r = sync_own_tree(fd, as, &res->refused)) < 0)
		return r;
	r = sync_polled(rq, as, host, dest, res);
	res->seconds = now_sec() - t0;
	return r;
}
