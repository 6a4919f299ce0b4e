#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"

int read_file_bounded(const char *path, size_t max, char **ret, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	size_t used = 0, cap = 0;

	if (fd < 0)
		return negative_errno();
	for (;;) {
		if (used + 1 >= cap) {
			if (cap > max + 1)
				return -EFBIG;
			size_t ncap = cap ? cap * 2 : 4096;
			if (ncap > max + 2)
				ncap = max + 2;
			char *b = realloc(buf, ncap);
			if (!b)
				return -ENOMEM;
			buf = b;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + used, cap - used - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max)
			return -EFBIG;
	}
	if (!buf && !(buf = malloc(1)))
		return -ENOMEM;
	buf[used] = '\0';
	if (len)
		*len = used;
	*ret = TAKE_PTR(buf);
	return 0;
}

int read_attr(const char *path, char **ret)
{
	char *s;
	size_t len;
	int r = read_file_bounded(path, 4096, &s, &len);

	if (r < 0)
		return r;
	s[strcspn(s, "\n")] = '\0';
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
		s[--len] = '\0';
	*ret = s;
	return 0;
}

static int same_content(const char *path, const void *data, size_t len)
{
	_cleanup_free_ char *old = NULL;
	size_t olen;

	if (read_file_bounded(path, len, &old, &olen) < 0)
		return 0;
	return olen == len && memcmp(old, data, len) == 0;
}

static int fsync_dir_of(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	_cleanup_close_ int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return negative_errno();
	return fsync(dfd) < 0 ? negative_errno() : 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, bool keep_backup)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	const char *p = data;
	size_t left = len;
	int r;

	/* A link (an fstab or configuration kept elsewhere): its target is what is
	 * replaced; replacing the link itself would leave the real file stale. */
	_cleanup_free_ char *target = NULL;
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		if (!(target = realpath(path, NULL)))
			return negative_errno();
		path = target;
	}
	if (same_content(path, data, len))
		return 0;
	if (asprintf(&tmp, "%s.mirrorprov-XXXXXX", path) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	while (left) {
		ssize_t n = write(fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = negative_errno();
			goto fail;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		r = negative_errno();
		goto fail;
	}
	if (keep_backup && access(path, F_OK) == 0) {
		_cleanup_free_ char *bak = NULL;
		if (asprintf(&bak, "%s~", path) < 0) {
			bak = NULL;
			r = -ENOMEM;
			goto fail;
		}
		(void)unlink(bak);
		if (link(path, bak) < 0) {
			r = negative_errno();
			goto fail;
		}
	}
	if (rename(tmp, path) < 0) {
		r = negative_errno();
		goto fail;
	}
	r = fsync_dir_of(path);
	return r < 0 ? r : 1;
fail:
	(void)unlink(tmp);
	return r;
}

int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = strdup(path);

	if (!p)
		return -ENOMEM;
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return negative_errno();
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return negative_errno();
	struct stat st;
	if (stat(p, &st) < 0)
		return negative_errno();
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

char *state_path(const char *sub)
{
	const char *base = getenv(STATE_ENV_DIR);
	char *s;

	if (!base || *base != '/')
		base = STATE_DIR;
	return asprintf(&s, "%.*s/%s", (int)strcspn(base, ":"), base, sub) < 0 ? NULL : s;
}

static int rm_tree_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

int rm_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	return nftw(path, rm_tree_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 ? -errno : 0;
}
