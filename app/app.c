#include "app.h"

#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int app_fail(struct app_error *e, enum app_error_kind kind, int r, const char *fmt, ...)
{
	va_list ap;

	if (r >= 0)
		r = -EINVAL;
	if (e->message)
		return r;
	va_start(ap, fmt);
	if (vasprintf(&e->message, fmt, ap) < 0)
		e->message = NULL;
	va_end(ap);
	e->kind = kind;
	return e->message ? r : -ENOMEM;
}

void app_error_free(struct app_error *e)
{
	free(e->message);
	e->message = NULL;
}

char *argv_join(char *const *argv)
{
	size_t len = 1;
	char *s;

	for (char *const *a = argv; *a; a++)
		len += strlen(*a) + 3;
	if (!(s = calloc(1, len)))
		return NULL;
	for (char *const *a = argv; *a; a++) {
		if (a != argv)
			strcat(s, " ");
		/* quote what a shell would split */
		bool q = strpbrk(*a, " \t'\"$\\") != NULL || !**a;
		if (q)
			strcat(s, "'");
		strcat(s, *a);
		if (q)
			strcat(s, "'");
	}
	return s;
}
