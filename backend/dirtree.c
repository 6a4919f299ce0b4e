#include "dirtree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/macro.h"

#define MAX_DEPTH 4096

/* File systems where a directory's link count is 2 + its number of subdirectories. */
static bool fs_counts_subdirs(long f_type)
{
	switch ((unsigned long)f_type) {
	case 0x58465342:  /* XFS */
	case 0xEF53:      /* ext2, ext3, ext4 */
	case 0x01021994:  /* tmpfs */
		return true;
	}
	return false;
}

struct walker {
	dirtree_fn fn;
	void *userdata;
	struct dirtree_stats *st;
	dev_t trusted_dev;   /* the root's device, when its link counts can be trusted */
	bool trusted;
	char path[PATH_MAX];
};

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)

/* Lists the open directory dfd whose relative path is w->path[0..plen). */
static int walk_dir(struct walker *w, int dfd, size_t plen, unsigned depth)
{
	_cleanup_(closedirp) DIR *d = fdopendir(dfd);
	struct dirent *de;
	int r;

	if (!d) {
		close(dfd);
		return negative_errno();
	}
	if (depth > MAX_DEPTH)
		return -ELOOP;
	while ((errno = 0, de = readdir(d))) {
		const char *name = de->d_name;
		struct stat st;

		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
			continue;
		if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
			continue;   /* vanished meanwhile, or not a directory (symlinks are not followed) */

		size_t nlen = strlen(name), clen = plen + (plen ? 1 : 0) + nlen;
		if (clen >= sizeof(w->path))
			return -ENAMETOOLONG;
		if (plen)
			w->path[plen] = '/';
		memcpy(w->path + plen + (plen ? 1 : 0), name, nlen + 1);

		/* No subdirectories and readable by anyone: nothing to learn by opening it.
		 * Otherwise open it, to see its subdirectories or whether we may read it. */
		if (w->trusted && st.st_dev == w->trusted_dev && st.st_nlink == 2 &&
		    (st.st_mode & (S_IROTH | S_IXOTH)) == (S_IROTH | S_IXOTH)) {
			if ((r = w->fn(w->path, clen, w->userdata)) < 0)
				return r;
			w->st->dirs++;
			w->st->leaves_skipped++;
		} else {
			int cfd = openat(dirfd(d), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0) {
				w->st->unreadable++;
			} else {
				if ((r = w->fn(w->path, clen, w->userdata)) < 0) {
					close(cfd);
					return r;
				}
				w->st->dirs++;
				w->st->dirs_read++;
				if ((r = walk_dir(w, cfd, clen, depth + 1)))
					return r;
			}
		}
		w->path[plen] = '\0';
	}
	return errno ? -errno : 0;
}

int dirtree_walk(const char *root, dirtree_fn fn, void *userdata, struct dirtree_stats *stats)
{
	_cleanup_free_ struct walker *w = calloc(1, sizeof(*w));
	struct statfs sfs;
	struct stat st;
	int fd, r = 0;

	if (!w)
		return -ENOMEM;
	*stats = (struct dirtree_stats){ 0 };
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0 || fstatfs(fd, &sfs) < 0 || (r = fn("", 0, userdata)) < 0) {
		r = r < 0 ? r : negative_errno();
		close(fd);
		return r;
	}
	*w = (struct walker){ .fn = fn, .userdata = userdata, .st = stats,
			      .trusted = fs_counts_subdirs(sfs.f_type), .trusted_dev = st.st_dev };
	stats->dirs = stats->dirs_read = 1;
	return walk_dir(w, fd, 0, 0);
}
