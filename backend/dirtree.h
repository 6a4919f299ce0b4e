/* The directory list MirrorManager's checkin wants: every directory below a
 * category's top directory, relative to it, "" for the top itself — the
 * directories os.walk() visits in report_mirror, in the same order (symbolic
 * links are not followed, unreadable directories are left out). */
#pragma once

#include <stddef.h>

struct dirtree_stats {
	size_t dirs;           /* directories reported */
	size_t dirs_read;      /* directories opened and listed */
	size_t leaves_skipped; /* known by their link count to hold no subdirectory: not read */
	size_t unreadable;     /* left out because they could not be opened */
};

/* Called for each directory, path relative to the root ("" first); a negative
 * return stops the walk and is returned. */
typedef int (*dirtree_fn)(const char *path, size_t len, void *userdata);

/* Walks root depth first in directory order.  A directory whose link count says
 * it has no subdirectories is not read, on file systems known to keep directory
 * link counts (XFS, ext2/3/4, tmpfs); elsewhere (btrfs, NFS, ...) every directory
 * is read.  Returns 0 or -errno (root unreadable, -ENAMETOOLONG, -ELOOP beyond
 * 4096 levels). */
int dirtree_walk(const char *root, dirtree_fn fn, void *userdata, struct dirtree_stats *stats);
