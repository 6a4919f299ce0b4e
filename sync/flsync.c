#include "flsync.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdbool.h>
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
#include "sync/syncrun.h"

#define RSYNC_IO_TIMEOUT "--timeout=600"  /* quick-fedora-mirror's RSYNCTIMEOUT */
#define LIST_MAX_SIZE "--max-size=4G"     /* a list is ~100 MB for the largest module */

static double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct run {
	const struct flsync_request *rq;
	struct flsync_result *res;
	const char *master;      /* the master module all upstreams are directories of, or NULL */
	char **src;              /* each module's upstream, ending in '/' */
	char *state;
	double deadline;
	time_t started;
	bool gone;               /* the last rsync failed because listed files are gone */
	int *dir_locks;          /* one per module */
	const struct run_as *user;  /* runs rsync and owns the tree and the state; NULL: the caller */
};

static void step(struct run *x, enum flsync_step s)
{
	if (x->rq->on_step)
		x->rq->on_step(x->rq->ud, s, x->res);
}

static void set_message(struct flsync_result *res, const char *fmt, ...) _printf_(2, 3);
static void set_message(struct flsync_result *res, const char *fmt, ...)
{
	va_list ap;

	free(res->message);
	va_start(ap, fmt);
	if (vasprintf(&res->message, fmt, ap) < 0)
		res->message = NULL;
	va_end(ap);
}

/* Options every rsync of this run gets, the hardening of every sync among them. */
static void add_common(struct strvec *a, char *const *profile_options)
{
	strvec_push(a, "--no-motd");
	strvec_push(a, RSYNC_IO_TIMEOUT);
	sync_rsync_hardening(a, profile_options);
}

static bool retryable(int code)
{
	/* quick-fedora-mirror's do_rsync(): protocol start, socket I/O, partial
	 * transfer, timeouts. */
	return code == 5 || code == 10 || code == 23 || code == 30 || code == 35;
}

/* Runs rsync until it succeeds, fails for good or the deadline passes.
 * capture: collect --stats (else stdout goes to the terminal). */
static int rsync_call(struct run *x, char **argv, bool capture, uint64_t *received)
{
	unsigned tries = x->rq->max_tries ? x->rq->max_tries : 10;
	unsigned delay = x->rq->retry_delay ? x->rq->retry_delay : 2;

	for (unsigned t = 1;; t++) {
		struct spawn_opts opts = { .capture_stdout = capture, .inherit_stdout = 1, .capture_stderr = 1,
					   .user = x->user };
		struct spawn_result sr;
		double left = x->deadline - now_sec();
		int r;

		if (left < 1) {
			x->res->timed_out = true;
			return -ETIMEDOUT;
		}
		opts.timeout_sec = (unsigned)left;
		x->res->rsync_runs++;
		r = spawn_run(argv, &opts, &sr);
		if (r < 0)
			return r;
		uint64_t got = rsync_stat_field(sr.out, "Total bytes received: ");
		x->res->received += got;
		if (received)
			*received += got;
		x->res->files_moved += rsync_stat_field(sr.out, "Number of regular files transferred: ");
		x->res->refused += rsync_count_refused(sr.out);
		int code = sr.exit_code;
		bool gone = code == 23 && sr.err && strstr(sr.err, "link_stat") && strstr(sr.err, "No such file");
		/* The daemon refused for good (unknown module, access denied): no retry.
		 * "max connections" is the 5 worth waiting for. */
		bool refused = code == 5 && sr.err && strstr(sr.err, "@ERROR") && !strstr(sr.err, "max connections");
		x->gone = gone;
		if (sr.timed_out) {
			x->res->timed_out = true;
			r = -ETIMEDOUT;
		} else if (code == 0 || code == 24) {
			/* 24: files vanished upstream during the run; the next list says so. */
			r = 0;
		} else {
			x->res->exit_code = code;
			char *nl = sr.err ? strrchr(sr.err, '\n') : NULL;
			while (nl && nl > sr.err && nl[1] == '\0') {
				*nl = '\0';
				nl = strrchr(sr.err, '\n');
			}
			if (gone)
				set_message(x->res, "upstream changed during the run (listed files are gone); the next run retries");
			else
				set_message(x->res, "%s", nl ? nl + 1 : sr.err ? sr.err : "");
			r = -EIO;
		}
		spawn_result_free(&sr);
		/* A listed file that is gone means the list is outdated: retrying cannot help. */
		if (r != -EIO || gone || refused || !retryable(code) || t >= tries)
			return r;
		unsigned wait = delay << (t - 1 < 16 ? t - 1 : 16);
		if (now_sec() + wait >= x->deadline)
			return r;
		x->res->retries++;
		sleep(wait);
	}
}

static char *incoming_list(const struct run *x, const struct profile *p)
{
	char *s;
	return asprintf(&s, "%s/incoming/%s/%s", x->state, p->filelist_dir, p->filelist) < 0 ? NULL : s;
}

static char *last_list(const struct run *x, const struct profile *p)
{
	char *s;
	return asprintf(&s, "%s/last/%s.list", x->state, p->name) < 0 ? NULL : s;
}

/* 1: same bytes, 0: different or one is missing, < 0: error. */
static int same_file(const char *a, const char *b)
{
	_cleanup_fclose_ FILE *fa = fopen(a, "re");
	_cleanup_fclose_ FILE *fb = fopen(b, "re");
	char ba[65536], bb[65536];
	size_t na, nb;
	struct stat sa, sb;

	if (!fa || !fb)
		return 0;
	if (fstat(fileno(fa), &sa) < 0 || fstat(fileno(fb), &sb) < 0)
		return negative_errno();
	if (sa.st_size != sb.st_size)
		return 0;
	do {
		na = fread(ba, 1, sizeof(ba), fa);
		nb = fread(bb, 1, sizeof(bb), fb);
		if (na != nb || memcmp(ba, bb, na) != 0)
			return 0;
	} while (na == sizeof(ba));
	return ferror(fa) || ferror(fb) ? -EIO : 1;
}

static FILE *open_files_from(const struct run *x, const char *name, char **path)
{
	if (asprintf(path, "%s/%s", x->state, name) < 0) {
		*path = NULL;
		return NULL;
	}
	/* Written anew: a run as root leaves them root's in the user's directory. */
	if (unlink(*path) < 0 && errno != ENOENT)
		return NULL;
	return fopen(*path, "wxe");
}

/* Files in the state directory and the tree are made as the user (see run_as_enter). */
static int as_user(const struct run *x, struct run_as_saved *saved)
{
	*saved = (struct run_as_saved){ 0 };
	return x->user ? run_as_enter(x->user, saved) : 0;
}

/* fn(x) as the user: for the files this process writes in the state and the
 * tree.  Never around a spawn (the child drops from root to the user). */
static int as_user_do(struct run *x, int (*fn)(struct run *x))
{
	struct run_as_saved saved;
	int r = as_user(x, &saved);

	if (r == 0) {
		r = fn(x);
		run_as_leave(&saved);
	}
	return r;
}

static int mkdir_incoming(struct run *x)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < x->res->n; i++) {
		_cleanup_free_ char *dir = NULL;
		if (asprintf(&dir, "%s/incoming/%s", x->state, x->res->modules[i].profile->filelist_dir) < 0)
			return -ENOMEM;
		r = mkdir_p(dir, 0755);
	}
	return r;
}

/* Step 1: every module's list into STATE/incoming/DIR/LIST (kept between
 * runs, so rsync's quick check skips an unchanged list): one call from the
 * master, else one per module. */
static int fetch_from(struct run *x, const char *src, const char *list_from, const char *dest)
{
	_cleanup_strvec_ struct strvec a = { 0 };

	strvec_push(&a, "rsync");
	/* Regular files only (no -l, -D): a list that is a symlink is not fetched. */
	strvec_push(&a, "-t");
	strvec_push(&a, "--compress");
	strvec_push(&a, LIST_MAX_SIZE);
	add_common(&a, NULL);
	strvec_pushf(&a, "--files-from=%s", list_from);
	strvec_push(&a, "--from0");
	strvec_push(&a, "--stats");
	strvec_push(&a, "--no-human-readable");
	strvec_push(&a, src);
	strvec_pushf(&a, "%s/", dest);
	int r = strvec_error(&a) ?: rsync_call(x, a.v, true, &x->res->list_bytes);
	if (r == -EIO && x->gone) {
		set_message(x->res, "a list is missing upstream (%s)", src);
		return -ENODATA;
	}
	return r;
}

static int fetch_lists(struct run *x)
{
	int r = as_user_do(x, mkdir_incoming);

	for (size_t i = 0; r == 0 && i < x->res->n; i++) {
		const struct profile *p = x->res->modules[i].profile;
		_cleanup_free_ char *ff_path = NULL, *dest = NULL;
		_cleanup_fclose_ FILE *ff = open_files_from(x, "lists-from", &ff_path);
		if (!ff)
			return ff_path ? negative_errno() : -ENOMEM;
		for (size_t j = x->master ? 0 : i; j < (x->master ? x->res->n : i + 1); j++) {
			const struct profile *q = x->res->modules[j].profile;
			fprintf(ff, "%s%s%s%c", x->master ? q->filelist_dir : "", x->master ? "/" : "", q->filelist, '\0');
		}
		if (fclose(TAKE_PTR(ff)) != 0)
			return -EIO;
		if ((x->master ? asprintf(&dest, "%s/incoming", x->state)
			       : asprintf(&dest, "%s/incoming/%s", x->state, p->filelist_dir)) < 0)
			return -ENOMEM;
		r = fetch_from(x, x->master ? x->master : x->src[i], ff_path, dest);
		if (r == -ENODATA && !x->master)
			set_message(x->res, "%s: %s is missing upstream (%s)", p->name, p->filelist, x->src[i]);
		if (x->master)
			break;
	}
	if (r < 0)
		return r;
	for (size_t i = 0; i < x->res->n; i++) {
		_cleanup_free_ char *path = incoming_list(x, x->res->modules[i].profile);
		struct stat st;
		if (!path)
			return -ENOMEM;
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			set_message(x->res, "%s: %s is missing upstream", x->res->modules[i].profile->name,
				    x->res->modules[i].profile->filelist);
			return -ENODATA;
		}
	}
	return 0;
}

/* STATE/last-run: "start=EPOCH" of the last successful run, then its counts. */
static int64_t read_last_start(const struct run *x)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	size_t len;

	if (asprintf(&path, "%s/last-run", x->state) < 0 || read_file_bounded(path, 4096, &text, &len) < 0)
		return 0;
	return strncmp(text, "start=", 6) == 0 ? strtoll(text + 6, NULL, 10) : 0;
}

static bool is_delete_option(const char *o)
{
	return strncmp(o, "--delete", 8) == 0 || strncmp(o, "--max-delete", 12) == 0;
}

/* Step 3: plan the changed modules into the files-from lists. */
static int plan_modules(struct run *x, FILE *shared, FILE **own)
{
	struct flsync_result *res = x->res;

	for (size_t i = 0; i < res->n; i++) {
		struct flsync_module *m = &res->modules[i];
		const struct profile *p = m->profile;
		_cleanup_free_ char *list = incoming_list(x, p), *old = last_list(x, p);
		_cleanup_free_ char *local = NULL, *prefix = NULL, *err = NULL;
		_cleanup_strv_free_ char **keep = NULL;
		size_t nk = 0;
		int r;

		if (!m->changed && !x->rq->full)
			continue;
		res->current = i;
		step(x, FLS_PLANNING);
		if (!list || !old || asprintf(&local, "%s/%s", x->rq->root, p->directory) < 0 ||
		    asprintf(&prefix, "%s/", p->directory) < 0)
			return -ENOMEM;
		if (!(keep = calloc(strv_length(p->filelist_extra) + 2, sizeof(char *))) || !(keep[nk++] = strdup(p->filelist)))
			return -ENOMEM;
		for (char **e = p->filelist_extra; *e; e++)
			if (!(keep[nk++] = strdup(*e)))
				return -ENOMEM;
		bool have_old = access(old, F_OK) == 0;
		struct flplan_module fm = {
			.list = list, .old_list = have_old ? old : NULL, .local_dir = local, .keep = keep,
			/* A module without an old list is new to this host: everything counts. */
			.since = have_old && res->last_start ? res->last_start - FLSYNC_MARGIN : 0,
			.full = x->rq->full,
		};
		FILE *out = m->own_call ? own[i] : shared;
		r = flplan_build(&fm, out, m->own_call ? "" : prefix, &m->plan, &err);
		if (r < 0) {
			set_message(res, "%s: %s", p->name, err ? err : strerror(-r));
			return r;
		}
		m->planned = true;
		/* The extra files of the top directory come with every change of the list. */
		for (char **e = p->filelist_extra; *e; e++)
			fprintf(out, "%s%s%c", m->own_call ? "" : prefix, *e, '\0');
		res->transfer_files += m->plan.transfer_files;
		res->transfer_dirs += m->plan.transfer_dirs;
		res->transfer_links += m->plan.transfer_links;
		res->transfer_bytes += m->plan.transfer_bytes;
		res->delete_files += m->plan.delete_files;
		res->delete_dirs += m->plan.delete_dirs;
		if (m->plan.delete_share * 100.0 > (double)p->max_delete) {
			res->refused_module = p->name;
			set_message(res,
				    "%s: the list looks truncated: it would delete %zu of %zu local entries (%.0f %%, more than "
				    "max_delete %llu %%); nothing was changed",
				    p->name, m->plan.delete_files + m->plan.delete_dirs, m->plan.local_entries,
				    m->plan.delete_share * 100.0, (unsigned long long)p->max_delete);
			return -ECANCELED;
		}
	}
	return 0;
}

static int transfer_argv(struct run *x, const struct profile *p, const char *files_from, const char *src,
			 const char *dest, bool ignore_times, char ***ret)
{
	_cleanup_strvec_ struct strvec a = { 0 };

	strvec_push(&a, "rsync");
	/* Deletions are this run's own step, after the transfer is complete. */
	for (char **o = p->rsync_options; *o; o++)
		if (!is_delete_option(*o))
			strvec_push(&a, *o);
	add_common(&a, p->rsync_options);
	for (char **e = p->excludes; *e; e++)
		strvec_pushf(&a, "--exclude=%s", *e);
	/* A directory the list now names as a file is replaced. */
	strvec_push(&a, "--force");
	if (ignore_times)
		strvec_push(&a, "--ignore-times");
	strvec_pushf(&a, "--files-from=%s", files_from);
	strvec_push(&a, "--from0");
	sync_rsync_output(&a, x->rq->progress);
	strvec_push(&a, src);
	strvec_pushf(&a, "%s/", dest);
	return strvec_steal(&a, false, ret);
}

static bool file_empty(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && st.st_size == 0;
}

/* Step 4: one call for the modules named as below the master, one for each other. */
static int transfer(struct run *x, const char *shared_path, char **own_paths, bool ignore_times)
{
	struct flsync_result *res = x->res;
	int r = 0;

	for (size_t i = 0; i <= res->n && r == 0; i++) {
		bool shared = i == res->n;
		const char *ff = shared ? shared_path : own_paths[i];
		_cleanup_free_ char *src = NULL, *dest = NULL;
		_cleanup_strv_free_ char **argv = NULL;
		const struct profile *p = NULL;

		if (!ff || file_empty(ff))
			continue;
		if (shared) {
			for (size_t j = 0; j < res->n && !p; j++)
				if (res->modules[j].planned && !res->modules[j].own_call)
					p = res->modules[j].profile;
			if (!p)
				continue;
			src = strdup(x->master);
			dest = strdup(x->rq->root);
		} else {
			p = res->modules[i].profile;
			src = strdup(x->src[i]);
			if (asprintf(&dest, "%s/%s", x->rq->root, p->directory) < 0)
				dest = NULL;
		}
		if (!src || !dest)
			return -ENOMEM;
		if ((r = mkdir_p(dest, 0755)) < 0)
			return r;
		if ((r = transfer_argv(x, p, ff, src, dest, ignore_times, &argv)) < 0)
			return r;
		r = rsync_call(x, argv, !x->rq->progress, NULL);
	}
	return r;
}

/* Opens the parent directory of rel below dfd without following a symlink
 * anywhere on the way, so a link that rsync placed meanwhile cannot redirect
 * a deletion out of the tree.  *name points into rel. */
static int open_parent(int dfd, const char *rel, const char **name)
{
	_cleanup_free_ char *copy = strdup(rel);
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
	char *s, *slash;

	if (!copy || fd < 0) {
		if (fd >= 0)
			close(fd);
		return copy ? negative_errno() : -ENOMEM;
	}
	for (s = copy; (slash = strchr(s, '/')); s = slash + 1) {
		*slash = '\0';
		int nfd = openat(fd, s, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int e = errno;
		close(fd);
		if (nfd < 0)
			return -e;
		fd = nfd;
	}
	*name = rel + (s - copy);
	return fd;
}

static int remove_tree_at(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return errno == ENOTDIR || errno == ELOOP ? (unlinkat(dfd, name, 0) < 0 ? negative_errno() : 0)
							   : errno == ENOENT ? 0 : negative_errno();
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	struct dirent *de;
	while (r == 0 && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN)
			r = remove_tree_at(fd, de->d_name);
		else if (unlinkat(fd, de->d_name, 0) < 0 && errno != ENOENT)
			r = negative_errno();
	}
	closedir(d);
	if (r == 0 && unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		r = negative_errno();
	return r;
}

/* The module's local directory, never through a symlink. */
static int open_module(const struct run *x, const struct flsync_module *m)
{
	_cleanup_free_ char *local = NULL;
	int fd;

	if (asprintf(&local, "%s/%s", x->rq->root, m->profile->directory) < 0)
		return -ENOMEM;
	fd = open(local, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? negative_errno() : fd;
}

/* Step 5: what the lists no longer hold. */
static int delete_stale(struct run *x)
{
	for (size_t i = 0; i < x->res->n; i++) {
		struct flsync_module *m = &x->res->modules[i];
		_cleanup_close_ int dfd = -1;

		if (!m->planned || !m->plan.n_deletes)
			continue;
		if ((dfd = open_module(x, m)) < 0)
			return dfd;
		for (char **d = m->plan.deletes; *d; d++) {
			const char *name;
			int r = open_parent(dfd, *d, &name);
			if (r == -ENOENT)
				continue;
			if (r >= 0) {
				int pfd = r;
				r = remove_tree_at(pfd, name);
				close(pfd);
			}
			if (r < 0) {
				set_message(x->res, "%s: cannot delete %s: %s", m->profile->name, *d, strerror(-r));
				return r;
			}
			x->res->deleted++;
		}
	}
	return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free)

/* 1: matches, 0: differs or is missing, < 0: cannot check. */
static int check_digest(int dfd, const struct flplan_checksum *c)
{
	static const char *const names[FL_N_DIGESTS] = { [FL_SHA1] = "SHA1", [FL_SHA224] = "SHA224",
							  [FL_SHA256] = "SHA256", [FL_SHA384] = "SHA384",
							  [FL_SHA512] = "SHA512" };
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = names[c->digest] ? EVP_get_digestbyname(names[c->digest]) : NULL;
	unsigned char out[EVP_MAX_MD_SIZE], buf[65536];
	unsigned int n = 0;
	const char *name;
	ssize_t got;

	if (!ctx || !md || !EVP_DigestInit_ex(ctx, md, NULL))
		return -ENOPKG;  /* libcrypto is missing */
	int pfd = open_parent(dfd, c->path, &name);
	if (pfd < 0)
		return pfd == -ENOENT ? 0 : pfd;
	/* O_NONBLOCK: a FIFO planted in the tree must not hold the run (as root) for ever. */
	int fd = openat(pfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	close(pfd);
	if (fd < 0)
		return errno == ENOENT || errno == ELOOP ? 0 : negative_errno();
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 0;
	}
	while ((got = read(fd, buf, sizeof(buf))) > 0)
		EVP_DigestUpdate(ctx, buf, (size_t)got);
	close(fd);
	if (got < 0 || !EVP_DigestFinal_ex(ctx, out, &n))
		return -EIO;
	return n == c->md_len && memcmp(out, c->md, n) == 0;
}

/* Step 6: the files the lists give checksums for.  Mismatches are written to
 * ff (relative to the module, or with prefix) and counted in *bad. */
static int verify(struct run *x, FILE *shared, FILE **own, size_t *bad, char **first_bad)
{
	*bad = 0;
	for (size_t i = 0; i < x->res->n; i++) {
		struct flsync_module *m = &x->res->modules[i];
		_cleanup_close_ int dfd = -1;

		if (!m->planned || !m->plan.n_checksums)
			continue;
		if ((dfd = open_module(x, m)) < 0)
			return dfd;
		for (size_t k = 0; k < m->plan.n_checksums; k++) {
			const struct flplan_checksum *c = &m->plan.checksums[k];
			int r = check_digest(dfd, c);
			if (r < 0)
				return r;
			x->res->verified++;
			if (r)
				continue;
			if (!*first_bad && asprintf(first_bad, "%s/%s (%s)", m->profile->directory, c->path,
						    fl_digest_name(c->digest)) < 0)
				*first_bad = NULL;
			(*bad)++;
			if (m->own_call)
				fprintf(own[i], "%s%c", c->path, '\0');
			else
				fprintf(shared, "%s/%s%c", m->profile->directory, c->path, '\0');
		}
	}
	return 0;
}

/* Copies src to dst through a temporary file in dst's directory and a rename. */
static int install_copy(const char *src, const char *dst)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int in = open(src, O_RDONLY | O_CLOEXEC);
	char buf[65536];
	ssize_t n;
	int out, r = 0;

	if (in < 0)
		return negative_errno();
	if (asprintf(&tmp, "%s.mirrorprov-tmp", dst) < 0)
		return -ENOMEM;
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (out < 0)
		return negative_errno();
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			r = -EIO;
			break;
		}
	if (n < 0)
		r = negative_errno();
	/* Upstream's time (rsync -t kept it): the marker's time for status' lag, and
	 * what downstream mirrors see, as with quick-fedora-mirror's rsync of the list. */
	struct stat st;
	if (r == 0 && fstat(in, &st) == 0) {
		struct timespec t[2] = { st.st_atim, st.st_mtim };
		if (futimens(out, t) < 0)
			r = negative_errno();
	}
	if (r == 0 && fsync(out) < 0)
		r = negative_errno();
	if (close(out) < 0 && r == 0)
		r = negative_errno();
	if (r == 0 && rename(tmp, dst) < 0)
		r = negative_errno();
	if (r < 0)
		unlink(tmp);
	return r;
}

/* Step 7: the new lists become the last successful run's. */
static int install(struct run *x)
{
	_cleanup_free_ char *lastdir = NULL, *rec_path = NULL, *rec = NULL;
	int r;

	if (asprintf(&lastdir, "%s/last", x->state) < 0)
		return -ENOMEM;
	if ((r = mkdir_p(lastdir, 0755)) < 0)
		return r;
	for (size_t i = 0; i < x->res->n; i++) {
		struct flsync_module *m = &x->res->modules[i];
		_cleanup_free_ char *src = incoming_list(x, m->profile), *last = last_list(x, m->profile), *pub = NULL;
		if (!m->planned)
			continue;
		if (!src || !last || asprintf(&pub, "%s/%s/%s", x->rq->root, m->profile->directory, m->profile->filelist) < 0)
			return -ENOMEM;
		/* The published copy first: downstream mirrors see a list only once the tree matches it. */
		if ((r = install_copy(src, pub)) < 0 || (r = install_copy(src, last)) < 0) {
			set_message(x->res, "%s: installing the list: %s", m->profile->name, strerror(-r));
			return r;
		}
	}
	const struct flsync_result *s = x->res;
	if (asprintf(&rec_path, "%s/last-run", x->state) < 0 ||
	    asprintf(&rec,
		     "start=%lld\nend=%lld\ntransfer_files=%zu\ntransfer_dirs=%zu\ntransfer_links=%zu\ntransfer_bytes=%llu\n"
		     "received_bytes=%llu\nlist_bytes=%llu\ndeleted=%zu\ndelete_files=%zu\ndelete_dirs=%zu\nverified=%zu\n"
		     "refetched=%zu\n",
		     (long long)x->started, (long long)time(NULL), s->transfer_files, s->transfer_dirs,
		     s->transfer_links, (unsigned long long)s->transfer_bytes, (unsigned long long)s->received,
		     (unsigned long long)s->list_bytes, s->deleted, s->delete_files, s->delete_dirs, s->verified,
		     s->refetched) < 0)
		return -ENOMEM;
	r = write_file_atomic(rec_path, rec, strlen(rec), 0644, false);
	return r < 0 ? r : 0;
}

static int lock_state(struct run *x, int *fd)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/lock", x->state) < 0)
		return -ENOMEM;
	*fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (*fd < 0)
		return negative_errno();
	/* Wait: the run that holds the lock does this run's work too. */
	while (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			return negative_errno();
		if (now_sec() + 1 >= x->deadline) {
			x->res->timed_out = true;
			return -ETIMEDOUT;
		}
		sleep(1);
	}
	return 0;
}

/* Each module's directory, as sync_run() locks it for the other methods. */
static int lock_dirs(struct run *x)
{
	if (!(x->dir_locks = malloc(x->res->n * sizeof(int))))
		return -ENOMEM;
	for (size_t i = 0; i < x->res->n; i++)
		x->dir_locks[i] = -1;
	for (size_t i = 0; i < x->res->n; i++) {
		const struct profile *p = x->res->modules[i].profile;
		_cleanup_free_ char *dir = NULL;
		int r;

		if (asprintf(&dir, "%s/%s", x->rq->root, p->directory) < 0)
			return -ENOMEM;
		if (!x->rq->dry_run && (r = mkdir_p(dir, 0755)) < 0)
			return r;
		/* Never through a link: the tree is adopted (chowned) below. */
		x->dir_locks[i] = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (x->dir_locks[i] < 0) {
			if (errno == ENOENT && x->rq->dry_run)
				continue;
			return negative_errno();
		}
		if (flock(x->dir_locks[i], LOCK_EX | LOCK_NB) < 0) {
			if (errno != EWOULDBLOCK)
				return negative_errno();
			set_message(x->res, "another sync of %s is running (it holds the lock on %s)", p->name, dir);
			return -EBUSY;
		}
		if ((r = sync_own_tree(x->dir_locks[i], x->user, &x->res->refused)) < 0)
			return r;
	}
	return 0;
}

static int run_locked(struct run *x)
{
	struct flsync_result *res = x->res;
	_cleanup_free_ char *shared_path = NULL, *fix_path = NULL, *first_bad = NULL;
	_cleanup_fclose_ FILE *shared = NULL;
	char **own_paths = NULL;
	FILE **own = NULL;
	bool any_changed = false;
	int r;

	res->last_start = read_last_start(x);
	if ((r = fetch_lists(x)) < 0)
		return r;
	for (size_t i = 0; i < res->n; i++) {
		_cleanup_free_ char *a = incoming_list(x, res->modules[i].profile), *b = last_list(x, res->modules[i].profile);
		if (!a || !b)
			return -ENOMEM;
		if ((r = same_file(a, b)) < 0)
			return r;
		res->modules[i].changed = r == 0;
		any_changed |= r == 0;
	}
	step(x, FLS_LISTS);
	if (!any_changed && !x->rq->full) {
		res->unchanged = true;
		return 0;
	}

	own = calloc(res->n, sizeof(*own));
	own_paths = calloc(res->n, sizeof(*own_paths));
	if (!own || !own_paths || !(shared = open_files_from(x, "transfer-from", &shared_path))) {
		r = own && own_paths && shared_path ? negative_errno() : -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < res->n; i++) {
		char name[80];
		if (!res->modules[i].own_call)
			continue;
		snprintf(name, sizeof(name), "transfer-from.%zu", i);
		if (!(own[i] = open_files_from(x, name, &own_paths[i]))) {
			r = -EIO;
			goto out;
		}
	}
	r = plan_modules(x, shared, own);
	for (size_t i = 0; i < res->n; i++)
		if (own[i] && fclose(own[i]) != 0 && r == 0)
			r = -EIO;
	memset(own, 0, res->n * sizeof(*own));
	if (fclose(TAKE_PTR(shared)) != 0 && r == 0)
		r = -EIO;
	if (r < 0 || x->rq->dry_run)
		goto out;

	step(x, FLS_TRANSFER);
	if ((r = transfer(x, shared_path, own_paths, false)) < 0)
		goto out;
	step(x, FLS_DELETE);
	if ((r = as_user_do(x, delete_stale)) < 0)
		goto out;

	step(x, FLS_VERIFY);
	for (int pass = 0; pass < 2; pass++) {
		size_t bad;
		free(TAKE_PTR(fix_path));
		_cleanup_fclose_ FILE *fix = open_files_from(x, "refetch-from", &fix_path);
		if (!fix) {
			r = -EIO;
			goto out;
		}
		for (size_t i = 0; i < res->n; i++)
			if (res->modules[i].own_call) {
				char name[80];
				snprintf(name, sizeof(name), "refetch-from.%zu", i);
				free(own_paths[i]);
				if (!(own[i] = open_files_from(x, name, &own_paths[i]))) {
					r = -EIO;
					goto out;
				}
			}
		free(first_bad);
		first_bad = NULL;
		r = verify(x, fix, own, &bad, &first_bad);
		for (size_t i = 0; i < res->n; i++)
			if (own[i])
				fclose(own[i]);
		memset(own, 0, res->n * sizeof(*own));
		if (fclose(TAKE_PTR(fix)) != 0 && r == 0)
			r = -EIO;
		if (r < 0) {
			if (r == -ENOPKG)
				set_message(res, "cannot verify checksums: libcrypto (libssl3) is not installed");
			goto out;
		}
		if (!bad)
			break;
		if (pass == 1) {
			set_message(res, "%zu file(s) differ from the list's checksum even when fetched again, e.g. %s", bad,
				    first_bad ? first_bad : "?");
			r = -EILSEQ;
			goto out;
		}
		/* rsync's quick check (size and time) would keep the bad copy: compare contents. */
		res->refetched += bad;
		if ((r = transfer(x, fix_path, own_paths, true)) < 0)
			goto out;
	}

	step(x, FLS_INSTALL);
	r = as_user_do(x, install);
out:
	for (size_t i = 0; own && i < res->n; i++)
		if (own[i])
			fclose(own[i]);
	for (size_t i = 0; own_paths && i < res->n; i++)
		free(own_paths[i]);
	free(own);
	free(own_paths);
	return r;
}

/* The state lock (as the user, who owns the state), then the trees' locks and
 * ownership (as root: adopting a tree changes owners), then the run (rsync is
 * spawned as the user; what this process writes is written as the user). */
static int run_all(struct run *x, const char *base, int *lock)
{
	struct run_as_saved saved;
	int r = mkdir_p(base, 0755);

	/* The base is this program's own ($STATE_DIRECTORY/filelist): the user's. */
	if (r == 0 && x->user && chown(base, x->user->uid, x->user->gid) < 0)
		r = negative_errno();
	if (r == 0 && (r = as_user(x, &saved)) == 0) {
		if ((r = mkdir_p(x->state, 0755)) == 0)
			r = lock_state(x, lock);
		run_as_leave(&saved);
	}
	if (r == 0)
		r = lock_dirs(x);
	return r < 0 ? r : run_locked(x);
}

int flsync_module_result(const struct flsync_result *fres, size_t i, int r, bool full, struct sync_result *res)
{
	const struct flsync_module *m = i < fres->n ? &fres->modules[i] : NULL;

	*res = (struct sync_result){ .stages = fres->rsync_runs, .exit_code = fres->exit_code,
				     .timed_out = fres->timed_out, .refused = fres->refused, .seconds = fres->seconds };
	if (m && m->planned) {
		res->files = fres->n == 1 ? fres->files_moved : m->plan.transfer_files;
		res->bytes = fres->n == 1 ? fres->received : m->plan.transfer_bytes;
		res->tree_bytes = m->plan.list_bytes;
	}
	/* The module's list is its poll marker: unchanged, nothing was pulled for it. */
	if (m)
		res->poll = full ? "forced" : m->changed ? "changed" : "unchanged";
	res->skipped = r == 0 && m && !m->planned;
	if (fres->message && !(res->message = strdup(fres->message)))
		return -ENOMEM;
	return 0;
}

void flsync_result_free(struct flsync_result *res)
{
	for (size_t i = 0; i < res->n; i++)
		flplan_free(&res->modules[i].plan);
	free(res->modules);
	free(res->message);
	*res = (struct flsync_result){ 0 };
}

/* The state of one mirror root: BASE/NAME, NAME the root without its leading
 * '/', with '/' as '-' and every other byte but [A-Za-z0-9.] (and a leading
 * '.') as _XX: "/srv/mirror" -> "srv-mirror", one-to-one, never "." or "..",
 * so the lists of one tree never answer for another. */
static char *state_for_root(const char *base, const char *root)
{
	size_t n = strlen(base);
	char *s = malloc(n + 3 * strlen(root) + 3), *o;

	if (!s)
		return NULL;
	memcpy(s, base, n);
	o = s + n;
	*o++ = '/';
	char *name = o;
	for (const unsigned char *c = (const unsigned char *)root + (*root == '/'); *c; c++)
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    (*c == '.' && o > name))
			*o++ = (char)*c;
		else if (*c == '/')
			*o++ = '-';
		else
			o += sprintf(o, "_%02x", *c);
	if (o == name)
		*o++ = '-';  /* the root "/" */
	*o = '\0';
	return s;
}

/* rsync://HOST/MASTER/ when every upstream is MASTER/DIR/ with its module's
 * filelist_dir (the layout of fedora-buffet), else NULL. */
static char *find_master(const struct run *x)
{
	char *master = NULL;

	for (size_t i = 0; i < x->res->n; i++) {
		const char *dir = x->res->modules[i].profile->filelist_dir, *src = x->src[i];
		size_t n = strlen(src), d = strlen(dir);
		bool under = n > d + 2 && src[n - d - 2] == '/' && strncmp(src + n - d - 1, dir, d) == 0;
		if (!under || (master && (strlen(master) != n - d - 1 || strncmp(master, src, n - d - 1) != 0)) ||
		    (!master && !(master = strndup(src, n - d - 1)))) {
			free(master);
			return NULL;
		}
	}
	/* A master must still name a module: rsync://HOST/MODULE/. */
	if (master && check_rsync_source(master)) {
		free(master);
		return NULL;
	}
	return master;
}

int flsync_run(const struct flsync_request *rq, struct flsync_result *res)
{
	struct run x = { .rq = rq, .res = res, .started = time(NULL) };
	_cleanup_close_ int lock = -1;
	double t0 = now_sec();
	uint64_t timeout = rq->timeout;
	struct stat st;
	int r;

	*res = (struct flsync_result){ 0 };
	if (!rq->n)
		return -EINVAL;
	_cleanup_strv_free_ char **src = calloc(rq->n + 1, sizeof(char *));
	x.src = src;
	if (!src || !(res->modules = calloc(rq->n, sizeof(*res->modules))))
		return -ENOMEM;
	res->n = rq->n;
	for (size_t i = 0; i < rq->n; i++) {
		const struct profile *p = rq->profiles[i];
		if (p->method != SYNC_FILELIST || !p->upstream || check_rsync_source(p->upstream))
			return -EINVAL;
		res->modules[i].profile = p;
		if (asprintf(&x.src[i], "%s%s", p->upstream, p->upstream[strlen(p->upstream) - 1] == '/' ? "" : "/") < 0)
			return -ENOMEM;
		if (!rq->timeout && p->timeout > timeout)
			timeout = p->timeout;
	}
	_cleanup_free_ char *master = find_master(&x);
	x.master = master;
	for (size_t i = 0; i < rq->n; i++)
		res->modules[i].own_call = !master || strcmp(rq->profiles[i]->filelist_dir, rq->profiles[i]->directory) != 0;
	x.deadline = t0 + (double)timeout;
	/* A missing root usually means an unmounted filesystem: never fill the disk below it. */
	if (stat(rq->root, &st) < 0 || !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	_cleanup_(run_as_free) struct run_as user = { 0 };
	const char *why;
	if ((r = sync_user_resolve(rq->user, &user, &why)) < 0) {
		if (why)
			set_message(res, "mirror.user '%s' %s", rq->user ? rq->user : HOSTCONF_DEFAULT_USER, why);
		return why ? -ESRCH : r;
	}
	x.user = r > 0 ? &user : NULL;
	_cleanup_free_ char *base = rq->state_dir ? strdup(rq->state_dir) : state_path("filelist");
	if (!base || !(x.state = state_for_root(base, rq->root)))
		return -ENOMEM;
	r = run_all(&x, base, &lock);
	for (size_t i = 0; x.dir_locks && i < res->n; i++)
		if (x.dir_locks[i] >= 0)
			close(x.dir_locks[i]);
	free(x.dir_locks);
	free(x.state);
	res->seconds = now_sec() - t0;
	return r;
}

int flsync_group(const struct profile *named, char *const *host_profiles, struct profile_set *set, char **error)
{
	_cleanup_strv_free_ char **names = NULL;
	struct profile_set all;
	size_t n = 0;
	int r;

	*set = (struct profile_set){ 0 };
	*error = NULL;
	if (!(names = calloc(strv_length(host_profiles) + 2, sizeof(char *))) || !(names[n++] = strdup(named->name)))
		return -ENOMEM;
	for (char *const *h = host_profiles; h && *h; h++)
		if (strcmp(*h, named->name) != 0 && !(names[n++] = strdup(*h)))
			return -ENOMEM;
	if ((r = profile_load_list(names, &all, error)) < 0)
		return r;
	/* Keep the named one and the host's other file-list profiles. */
	size_t j = 0;
	for (size_t i = 0; i < all.n; i++) {
		struct profile *p = &all.v[i];
		if (i == 0 || p->method == SYNC_FILELIST)
			all.v[j++] = *p;
		else
			profile_free(p);
	}
	all.n = j;
	*set = all;
	return 0;
}
