#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "mirrorprov.h"

const char *mp_verb;

/* The one escaping function for text from outside (arguments, file contents,
 * device labels, server replies): a newline or an escape sequence in it must
 * not split a one-line error, forge a plan line or drive the terminal, so
 * control characters (C0, DEL, and C1 as UTF-8 encodes them) are written as \xNN. */
static bool is_control(const unsigned char *s)
{
	return *s < 0x20 || *s == 0x7f || (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f);
}

static void put_escaped(FILE *f, const char *s, bool keep_lines)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (!is_control(p) || (keep_lines && (*p == '\n' || *p == '\t')))
			fputc(*p, f);
		else if (*p == 0xc2) {
			fprintf(f, "\\x%02x\\x%02x", p[0], p[1]);
			p++;
		} else
			fprintf(f, "\\x%02x", *p);
	}
}

const char *esc(struct esc_pool *pool, const char *s)
{
	bool plain = true;
	char *buf = NULL;
	size_t len = 0;

	if (!s)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)s; *p && plain; p++)
		plain = !is_control(p);
	if (plain)
		return s;
	FILE *m = pool->n < ARRAY_SIZE(pool->v) ? open_memstream(&buf, &len) : NULL;
	if (!m)
		return "(unprintable)";
	put_escaped(m, s, false);
	if (fclose(m) != 0) {
		free(buf);
		return "(unprintable)";
	}
	return pool->v[pool->n++] = buf;
}

void esc_pool_free(struct esc_pool *pool)
{
	for (size_t i = 0; i < pool->n; i++)
		free(pool->v[i]);
	pool->n = 0;
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

int option_error(char *const argv[], const char *shortopts)
{
	const char *prev = optind > 0 ? argv[optind - 1] : "";
	const char *eq = strchr(prev, '=');
	bool is_long = strncmp(prev, "--", 2) == 0;
	const char *verb = mp_verb ? mp_verb : "VERB";

	/* getopt says which through optopt: 0 for an unknown long option, else the
	 * short option (or the long option's value) that was unknown or misused. */
	if (optopt == 0)
		return usage_error("unknown option '%s' (see mirrorprov %s --help)", prev, verb);
	if (optopt < 0x80 && !strchr(shortopts, optopt))
		return usage_error("unknown option '-%c' (see mirrorprov %s --help)", optopt, verb);
	if (is_long && eq)
		return usage_error("option '%.*s' takes no argument", (int)(eq - prev), prev);
	if (is_long)
		return usage_error("option '%s' needs an argument", prev);
	return usage_error("option '-%c' needs an argument", optopt);
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
	case -MP_ESTALE:
		return EXIT_STALE;
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
