/* /proc/self/mountinfo, or the file named by MIRRORPROV_MOUNTINFO (tests). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct mount_entry {
	unsigned major, minor;
	char *root;        /* unescaped */
	char *target;      /* mount point, unescaped */
	char *fstype;
	char *source;
	char *options;     /* per-mount options */
	char *super_options;
};

struct mount_table {
	struct mount_entry *v;
	size_t n;
};

/* Parses mountinfo text (bounded by the caller).  Malformed lines are skipped;
 * returns the number of skipped lines or -errno. */
int mountinfo_parse(const char *text, struct mount_table *t);
/* Loads the live table.  An unreadable table is an error: callers that guard
 * writes must treat it as "possibly mounted". */
int mountinfo_load(struct mount_table *t);
void mount_table_free(struct mount_table *t);
/* Mount points of dev (major:minor), NULL-terminated, caller frees the vector only. */
size_t mountinfo_find_dev(const struct mount_table *t, dev_t dev, const char **targets, size_t max);

/* Decodes the \ooo escapes of mountinfo/fstab fields in place. */
void unescape_octal(char *s);
