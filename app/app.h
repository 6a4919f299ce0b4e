/* The application layer: what a verb does, as structs; cli/ parses the
 * arguments and presents them.  Functions here return 0 or -errno and never
 * print; what went wrong is also told as text in a struct app_error, with its
 * class (a failure, bad input, a safety refusal) for the exit code. */
#pragma once

#include <stdarg.h>

#include "lib/macro.h"

enum app_error_kind {
	APP_FAILED,      /* the operation failed */
	APP_BAD_INPUT,   /* the configuration or an argument is wrong */
	APP_REFUSED,     /* a safety check refused */
};

struct app_error {
	enum app_error_kind kind;
	char *message;   /* one line, unescaped (the caller escapes it for a terminal) */
};

/* Sets the error (the first one wins) and returns r (-ENOMEM when the text
 * cannot be made; -EINVAL when r is 0). */
int app_fail(struct app_error *e, enum app_error_kind kind, int r, const char *fmt, ...) _printf_(4, 5);
void app_error_free(struct app_error *e);
