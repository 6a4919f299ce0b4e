#include "strbuf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool strbuf_reserve(struct strbuf *sb, size_t more)
{
	if (sb->oom)
		return false;
	if (sb->len + more + 1 <= sb->cap)
		return true;
	size_t cap = sb->cap ? sb->cap : 256;
	while (cap < sb->len + more + 1) {
		if (cap > SIZE_MAX / 2) {
			sb->oom = true;
			return false;
		}
		cap *= 2;
	}
	char *b = realloc(sb->buf, cap);
	if (!b) {
		sb->oom = true;
		return false;
	}
	sb->buf = b;
	sb->cap = cap;
	return true;
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (!strbuf_reserve(sb, len))
		return;
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addc(struct strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !strbuf_reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

static void add_u16(struct strbuf *sb, unsigned v)
{
	static const char hex[] = "0123456789abcdef";
	char e[6] = { '\\', 'u', hex[(v >> 12) & 15], hex[(v >> 8) & 15], hex[(v >> 4) & 15], hex[v & 15] };
	strbuf_add(sb, e, sizeof(e));
}

/* Length of a valid UTF-8 sequence at s (code point in *cp), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t left, uint32_t *cp)
{
	size_t n;
	uint32_t c = s[0], min;

	if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07, min = 0x10000;
	else if (c >= 0xe0)
		n = 3, c &= 0x0f, min = 0x800;
	else if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f, min = 0x80;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

void strbuf_add_json_str(struct strbuf *sb, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	strbuf_addc(sb, '"');
	while (i < len) {
		size_t run = i;
		/* the common case: a run of printable ASCII copied at once */
		while (run < len && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
			run++;
		if (run > i) {
			strbuf_add(sb, s + i, run - i);
			i = run;
			continue;
		}
		unsigned char c = s[i];
		uint32_t cp;
		size_t n;
		switch (c) {
		case '"': strbuf_add(sb, "\\\"", 2); break;
		case '\\': strbuf_add(sb, "\\\\", 2); break;
		case '\n': strbuf_add(sb, "\\n", 2); break;
		case '\r': strbuf_add(sb, "\\r", 2); break;
		case '\t': strbuf_add(sb, "\\t", 2); break;
		case '\b': strbuf_add(sb, "\\b", 2); break;
		case '\f': strbuf_add(sb, "\\f", 2); break;
		default:
			if (c < 0x80) {
				add_u16(sb, c);
			} else if ((n = utf8_seq(s + i, len - i, &cp))) {
				if (cp >= 0x10000) {
					cp -= 0x10000;
					add_u16(sb, 0xd800 | (cp >> 10));
					add_u16(sb, 0xdc00 | (cp & 0x3ff));
				} else
					add_u16(sb, cp);
				i += n;
				continue;
			} else
				add_u16(sb, 0xdc00 | c);
		}
		i++;
	}
	strbuf_addc(sb, '"');
}

void strbuf_add_xml_text(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': strbuf_adds(sb, "&amp;"); break;
		case '<': strbuf_adds(sb, "&lt;"); break;
		case '>': strbuf_adds(sb, "&gt;"); break;
		default: strbuf_addc(sb, *s);
		}
	}
}

/* Length of the character at s and whether it may reach a terminal as it is:
 * not a C0 or C1 control or DEL, not a byte that is no part of valid UTF-8. */
static size_t next_char(const unsigned char *s, size_t left, bool *printable)
{
	uint32_t cp;
	size_t n;

	if (s[0] < 0x80) {
		*printable = s[0] >= 0x20 && s[0] != 0x7f;
		return 1;
	}
	n = utf8_seq(s, left, &cp);
	*printable = n && cp >= 0xa0;
	return n ? n : 1;
}

void strbuf_add_shell_word(struct strbuf *sb, const char *str)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=./:,+@%";
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t len = strlen(str);
	bool dollar = false;

	if (len && strspn(str, plain) == len) {
		strbuf_add(sb, str, len);
		return;
	}
	for (size_t i = 0, n; i < len && !dollar; i += n) {
		bool printable;
		n = next_char(s + i, len - i, &printable);
		dollar = !printable;
	}
	if (!dollar) {
		strbuf_addc(sb, '\'');
		for (const char *q; (q = strchr(str, '\'')); str = q + 1) {
			strbuf_add(sb, str, (size_t)(q - str));
			strbuf_add(sb, "'\\''", 4);
		}
		strbuf_adds(sb, str);
		strbuf_addc(sb, '\'');
		return;
	}
	strbuf_add(sb, "$'", 2);
	for (size_t i = 0; i < len;) {
		bool printable;
		size_t n = next_char(s + i, len - i, &printable);
		if (printable) {
			if (s[i] == '\\' || s[i] == '\'')
				strbuf_addc(sb, '\\');
			strbuf_add(sb, s + i, n);
		} else if (s[i] == '\n')
			strbuf_add(sb, "\\n", 2);
		else if (s[i] == '\t')
			strbuf_add(sb, "\\t", 2);
		else if (s[i] == '\r')
			strbuf_add(sb, "\\r", 2);
		else
			for (size_t k = i; k < i + n; k++) {
				/* always two digits: bash's \xHH ends there, a hex digit after it stays text */
				char e[4] = { '\\', 'x', hex[s[k] >> 4], hex[s[k] & 15] };
				strbuf_add(sb, e, sizeof(e));
			}
		i += n;
	}
	strbuf_addc(sb, '\'');
}

int strbuf_error(const struct strbuf *sb)
{
	return sb->oom ? -ENOMEM : 0;
}

char *strbuf_steal(struct strbuf *sb, size_t *len)
{
	if (sb->oom) {
		strbuf_free(sb);
		return NULL;
	}
	if (!sb->buf && !strbuf_reserve(sb, 0))
		return NULL;
	sb->buf[sb->len] = '\0';
	if (len)
		*len = sb->len;
	char *b = sb->buf;
	*sb = (struct strbuf){ 0 };
	return b;
}

void strbuf_free(struct strbuf *sb)
{
	free(sb->buf);
	*sb = (struct strbuf){ 0 };
}

void strbuf_add_dquoted(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_addc(sb, '\\');
		if (*s == '\n')
			strbuf_adds(sb, "\\n");
		else
			strbuf_addc(sb, *s);
	}
	strbuf_addc(sb, '"');
}
