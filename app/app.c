#include "app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

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
