/* fstab editing as a pure function: text in, text and verdict out.  Comments,
 * blank lines and unrelated entries come out byte for byte. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct fstab_entry {
	const char *spec;      /* "UUID=…" */
	const char *alias;     /* another spelling of the same device ("/dev/sdf"), or NULL */
	const char *target;    /* mount point, absolute, unescaped */
	const char *fstype;
	const char *options;
	int freq, passno;
};

enum fstab_verdict {
	FSTAB_ADD,        /* no entry for this mount point or device: appended */
	FSTAB_UNCHANGED,  /* an entry already says the same: text returned as it was */
	FSTAB_CONFLICT,   /* an entry for the mount point or device says something else */
	FSTAB_REPLACE,    /* ... and force: replaced in place, duplicates dropped */
};

struct fstab_edit {
	enum fstab_verdict verdict;
	char *text;            /* the new content (NUL-terminated, may contain NULs from the input) */
	size_t len;
	char *line;            /* the entry line we want, without newline */
	char *conflict;        /* the first differing line (CONFLICT/REPLACE), without newline */
	size_t conflict_lineno;  /* 1-based */
};

/* Never fails on odd input (it is kept as it is); -ENOMEM or -EINVAL (an
 * entry field empty or holding a newline). */
int fstab_edit(const char *text, size_t len, const struct fstab_entry *want, bool force, struct fstab_edit *ret);
void fstab_edit_free(struct fstab_edit *e);

/* One fstab line for the entry (fields escaped as \040 etc.), no newline. */
char *fstab_format(const struct fstab_entry *e);
const char *fstab_verdict_to_string(enum fstab_verdict v);
