/* Bounded reads and atomic writes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Reads at most max bytes (NUL-terminated).  -EFBIG when the file is larger. */
int read_file_bounded(const char *path, size_t max, char **ret, size_t *len);

/* Reads a sysfs-style attribute: first line, trailing whitespace removed,
 * at most 4 KiB.  NULL-safe callers: returns -errno on failure. */
int read_attr(const char *path, char **ret);

/* Writes data to path atomically: temp file in the same directory, fsync,
 * rename, fsync of the directory.  When keep_backup, the previous file is
 * hard-linked to path~ first.  Returns 1 when written, 0 when the file already
 * held exactly this content (not rewritten), -errno on failure (path untouched).
 * When path is a symlink, its target is replaced (and backed up), the link kept. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, bool keep_backup);

/* mkdir -p with mode for the directories it creates. */
int mkdir_p(const char *path, mode_t mode);

#define STATE_ENV_DIR "STATE_DIRECTORY"
#define STATE_DIR "/var/lib/mirrorprov"
/* STATE/sub, malloc'd (NULL on ENOMEM): STATE is $STATE_DIRECTORY (systemd's
 * StateDirectory=; the first of a ':'-separated list; tests set it) when it
 * is absolute, else /var/lib/mirrorprov. */
char *state_path(const char *sub);
/* rm -r path without following symlinks; a missing path is not an error. */
int rm_tree(const char *path);
