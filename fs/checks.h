/* The result list of a safety gate or plan: named checks in a fixed order. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/macro.h"

struct fs_check {
	const char *name;   /* static, e.g. "not-mounted" */
	bool ok;
	bool forced;        /* failed, but --force overrides it (ok is then true) */
	char *detail;       /* one line, lower case */
};

#define FS_CHECKS_MAX 16

struct fs_checks {
	struct fs_check v[FS_CHECKS_MAX];
	size_t n;
};

/* Appends a check; -ENOMEM or -E2BIG on failure. */
int fs_checks_add(struct fs_checks *c, const char *name, bool ok, const char *fmt, ...) _printf_(4, 5);
/* The first check that failed and was not forced, or NULL. */
const struct fs_check *fs_checks_failed(const struct fs_checks *c);
const struct fs_check *fs_checks_find(const struct fs_checks *c, const char *name);
void fs_checks_free(struct fs_checks *c);
