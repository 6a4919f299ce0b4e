/* A growable byte buffer for building large texts (JSON payloads, XML) fast.
 * Allocation failure is sticky: check strbuf_error() once at the end. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

struct strbuf {
	char *buf;      /* always NUL-terminated once anything was added */
	size_t len, cap;
	bool oom;
};

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) _printf_(2, 3);
/* A JSON string literal, quotes included, ASCII only: like Python's json.dumps
 * (ensure_ascii), bytes that are not valid UTF-8 become \udcXX as Python's
 * surrogateescape file names do, so both sides decode to the same object. */
void strbuf_add_json_str(struct strbuf *sb, const char *s, size_t len);
/* s in double quotes with backslash, double quote and newline escaped (\\, \", \n):
 * a libconfig string, a Prometheus label value. */
void strbuf_add_dquoted(struct strbuf *sb, const char *s);
/* Text with &, <, > escaped for an XML element. */
void strbuf_add_xml_text(struct strbuf *sb, const char *s);
/* s as one word bash reads back as exactly s, for showing a command:
 * - s itself when it is not empty and made only of  A-Z a-z 0-9 - _ = . / : , + @ %
 * - $'…' when s holds a control byte (C0, DEL, or a C1 control U+0080..U+009F
 *   in UTF-8) or bytes that are not valid UTF-8, as bash's printf %q and GNU
 *   ls show them: \n \t \r by name, other such bytes as \xHH, \ and '
 *   escaped, valid UTF-8 kept.  Nothing printed can drive the terminal, and
 *   the word pastes back intact ($'…' is bash, ksh, zsh and POSIX.1-2024;
 *   dash 0.5.12 lacks it);
 * - else '…', each embedded ' written as '\'' (git's sq_quote). */
void strbuf_add_shell_word(struct strbuf *sb, const char *s);
/* -ENOMEM after a failed allocation, else 0. */
int strbuf_error(const struct strbuf *sb);
/* Hands the buffer over (never NULL unless out of memory). */
char *strbuf_steal(struct strbuf *sb, size_t *len);
void strbuf_free(struct strbuf *sb);

#define _cleanup_strbuf_ _cleanup_(strbuf_free)
