#include "checks.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int fs_checks_add(struct fs_checks *c, const char *name, bool ok, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	if (c->n >= FS_CHECKS_MAX)
		return -E2BIG;
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	c->v[c->n++] = (struct fs_check){ .name = name, .ok = ok, .detail = s };
	return 0;
}

const struct fs_check *fs_checks_failed(const struct fs_checks *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (!c->v[i].ok)
			return &c->v[i];
	return NULL;
}

const struct fs_check *fs_checks_find(const struct fs_checks *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

void fs_checks_free(struct fs_checks *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].detail);
	memset(c, 0, sizeof(*c));
}
