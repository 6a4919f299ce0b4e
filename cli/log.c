#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "mirrorprov.h"

const char *mp_verb;

/* Messages quote hostile text (arguments, file contents, server replies): a
 * newline or an escape sequence in it must not split the one-line error or
 * drive the terminal, so control characters are written as \xNN. */
static void put_escaped(FILE *f, const char *s, bool keep_lines)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c < 0x20 || c == 0x7f) && !(keep_lines && (c == '\n' || c == '\t')))
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

void print_untrusted(FILE *f, const char *s)
{
	put_escaped(f, s, true);
}

static void vlog(const char *kind, const char *fmt, va_list ap, const char *tail)
{
	_cleanup_free_ char *msg = NULL;

	fputs("mirrorprov: ", stderr);
	if (mp_verb)
		fprintf(stderr, "%s: ", mp_verb);
	if (kind)
		fprintf(stderr, "%s: ", kind);
	if (vasprintf(&msg, fmt, ap) < 0) {
		msg = NULL;
		fputs(fmt, stderr);
	} else
		put_escaped(stderr, msg, false);
	if (tail)
		fprintf(stderr, ": %s", tail);
	fputc('\n', stderr);
}

int log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(NULL, fmt, ap, NULL);
	va_end(ap);
	return -MP_EFAILED;
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("warning", fmt, ap, NULL);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(NULL, fmt, ap, NULL);
	va_end(ap);
}

int log_errno(int r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(NULL, fmt, ap, strerror(r < 0 ? -r : r));
	va_end(ap);
	return r < 0 ? r : r > 0 ? -r : -MP_EFAILED;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(NULL, fmt, ap, NULL);
	va_end(ap);
	return -MP_EUSAGE;
}

int refuse(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog("refused", fmt, ap, NULL);
	va_end(ap);
	return -MP_EREFUSED;
}

int exit_code(int r)
{
	switch (r) {
	case 0:
		return EXIT_OK;
	case -MP_EUSAGE:
		return EXIT_USAGE;
	case -MP_EREFUSED:
		return EXIT_REFUSED;
	default:
		return EXIT_FAIL;
	}
}

int report_app_error(const struct app_error *e, int r)
{
	if (!e->message)
		return log_errno(r, "failed");
	switch (e->kind) {
	case APP_BAD_INPUT:
		return usage_error("%s", e->message);
	case APP_REFUSED:
		return refuse("%s", e->message);
	default:
		log_error("%s", e->message);
		return r < 0 ? r : -MP_EFAILED;
	}
}
