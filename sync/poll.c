#include "poll.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/names.h"

/* A refreshed file lands in the served tree: small text (lastsync is ~11 bytes). */
#define MAX_REFRESH_BYTES (64u << 10)

char *sync_state_dir(const struct profile *p)
{
	_cleanup_free_ char *sub = NULL;
	return asprintf(&sub, "sync/%s", p->name) < 0 ? NULL : state_path(sub);
}

/* pattern with "%u" replaced by host; NULL on ENOMEM. */
static char *expand_host(const char *pattern, const char *host)
{
	size_t n = strlen(pattern) + 1;
	char *s, *o;

	for (const char *q = pattern; (q = strstr(q, "%u")); q += 2)
		n += strlen(host);
	if (!(s = o = malloc(n)))
		return NULL;
	for (const char *q = pattern; *q; q++) {
		if (q[0] == '%' && q[1] == 'u') {
			o = stpcpy(o, host);
			q++;
		} else
			*o++ = *q;
	}
	*o = '\0';
	return s;
}

int poll_paths(const struct profile *p, const char *upstream, char ***ret)
{
	size_t n = strv_length(p->poll), m = strv_length(p->poll_refresh);
	_cleanup_free_ char *host = NULL;
	char **v = calloc(n + m + 1, sizeof(char *));
	const char *h = upstream + strlen("rsync://");

	if (!v || !(host = strndup(h, strcspn(h, ":/")))) {
		free(v);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n + m; i++) {
		v[i] = expand_host(i < n ? p->poll[i] : p->poll_refresh[i - n], host);
		/* A host name is a safe path component; anything else never reaches rsync. */
		if (!v[i] || check_relpath(v[i])) {
			int r = v[i] ? -EINVAL : -ENOMEM;
			strv_freep(&v);
			return r;
		}
	}
	*ret = v;
	return 0;
}

int poll_prepare(const char *state, uid_t uid, gid_t gid)
{
	_cleanup_free_ char *fresh = NULL;
	int r = mkdir_p(state, 0755);

	if (r < 0)
		return r;
	if (asprintf(&fresh, "%s/poll.new", state) < 0)
		return -ENOMEM;
	r = rm_tree(fresh);
	if (r < 0)
		return r;
	if (mkdir(fresh, 0755) < 0)
		return -errno;
	if (uid != (uid_t)-1 && (lchown(state, uid, gid) < 0 || lchown(fresh, uid, gid) < 0))
		return -errno;
	return 0;
}

/* 1 when both are regular files with the same bytes, 0 when not, -errno. */
static int same_file(const char *a, const char *b)
{
	_cleanup_close_ int fa = open(a, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_close_ int fb = open(b, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat sa, sb;
	char ba[65536], bb[65536];

	if (fa < 0 || fb < 0)
		return errno == ENOENT || errno == ELOOP ? 0 : -errno;
	if (fstat(fa, &sa) < 0 || fstat(fb, &sb) < 0)
		return -errno;
	if (!S_ISREG(sa.st_mode) || !S_ISREG(sb.st_mode) || sa.st_size != sb.st_size)
		return 0;
	for (;;) {
		ssize_t na = read(fa, ba, sizeof(ba));
		if (na < 0)
			return -errno;
		if (na == 0)
			return 1;
		/* Regular files of equal size: a short read on one is a short read on the other. */
		ssize_t nb = read(fb, bb, (size_t)na);
		if (nb != na)
			return nb < 0 ? -errno : 0;
		if (memcmp(ba, bb, (size_t)na) != 0)
			return 0;
	}
}

int poll_compare(const struct profile *p, const char *upstream, const char *state, bool *unchanged, time_t *since)
{
	_cleanup_strv_free_ char **paths = NULL;
	_cleanup_free_ char *kept = NULL;
	struct stat st;
	int r = poll_paths(p, upstream, &paths);

	*unchanged = false;
	*since = 0;
	if (r < 0)
		return r;
	if (asprintf(&kept, "%s/poll", state) < 0)
		return -ENOMEM;
	if (stat(kept, &st) < 0)
		return errno == ENOENT ? 0 : -errno;  /* never succeeded: nothing to compare */
	*since = st.st_mtime;
	/* Only the markers count; the refresh files change on every upstream run. */
	for (size_t i = 0; i < strv_length(p->poll); i++) {
		_cleanup_free_ char *a = NULL, *b = NULL;
		if (asprintf(&a, "%s/poll/%s", state, paths[i]) < 0 || asprintf(&b, "%s/poll.new/%s", state, paths[i]) < 0)
			return -ENOMEM;
		r = same_file(a, b);
		if (r <= 0)
			return r;
	}
	*unchanged = true;
	return 0;
}

int poll_refresh_tree(const struct profile *p, const char *state, const char *dest)
{
	for (char **f = p->poll_refresh; *f; f++) {
		_cleanup_free_ char *from = NULL, *to = NULL, *data = NULL;
		size_t len;
		if (asprintf(&from, "%s/poll.new/%s", state, *f) < 0 || asprintf(&to, "%s/%s", dest, *f) < 0)
			return -ENOMEM;
		int r = read_file_bounded(from, MAX_REFRESH_BYTES, &data, &len);
		if (r < 0)
			return r;
		r = write_file_atomic(to, data, len, 0644, false);
		if (r < 0)
			return r;
	}
	return 0;
}

int poll_commit(const char *state)
{
	_cleanup_free_ char *kept = NULL, *fresh = NULL;
	int r;

	if (asprintf(&kept, "%s/poll", state) < 0 || asprintf(&fresh, "%s/poll.new", state) < 0)
		return -ENOMEM;
	r = rm_tree(kept);
	if (r < 0)
		return r;
	return rename(fresh, kept) < 0 ? -errno : 0;
}

void poll_forget(const char *state)
{
	_cleanup_free_ char *kept = NULL;

	if (asprintf(&kept, "%s/poll", state) >= 0)
		rm_tree(kept);
}

int poll_record(const char *state, const char *result)
{
	_cleanup_free_ char *path = NULL, *line = NULL;
	int n;

	if (asprintf(&path, "%s/last-poll", state) < 0 || (n = asprintf(&line, "%lld %s\n", (long long)time(NULL), result)) < 0)
		return -ENOMEM;
	int r = write_file_atomic(path, line, (size_t)n, 0644, false);
	return r < 0 ? r : 0;
}
