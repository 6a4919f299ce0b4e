/* String vectors (NULL-terminated char **, what execve() and the sysfs
 * listings use) and shell quoting for showing an argv to a person.
 *
 * Two shapes, one set of rules:
 * - a plain vector `char **v`: NULL-terminated, every element malloc()ed,
 *   freed with strv_freep() / _cleanup_strv_free_ (lib/macro.h); NULL counts
 *   as the empty vector in every function here;
 * - struct strvec, a vector being built (git's strvec): v is NULL-terminated
 *   whenever n > 0, NULL while nothing was added.  Allocation failure is
 *   sticky, as in struct strbuf: the push functions return -ENOMEM and add
 *   nothing, later pushes do nothing, strvec_error() says so once at the end.
 *   The vector is never left half-built: on failure it holds what it held. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

struct strvec {
	char **v;
	size_t n, cap;
	bool oom;
};

/* Appends a copy of s.  0 or -ENOMEM. */
int strvec_push(struct strvec *sv, const char *s);
/* Appends s itself, taking it: on failure s is freed.  NULL s is -ENOMEM, so
 * strvec_push_take(sv, strdup(x)) needs no check of its own. */
int strvec_push_take(struct strvec *sv, char *s);
int strvec_pushf(struct strvec *sv, const char *fmt, ...) _printf_(2, 3);
/* Appends a copy of s unless an equal string is there (linear: for short vectors). */
int strvec_push_unique(struct strvec *sv, const char *s);
/* -ENOMEM after a failed allocation, else 0. */
int strvec_error(const struct strvec *sv);
/* Hands the vector over, sorted with strcmp() when sort is set; an empty
 * vector becomes a one-element {NULL} array, so the result is never NULL.
 * -ENOMEM (and sv freed) after any failed allocation. */
int strvec_steal(struct strvec *sv, bool sort, char ***ret);
void strvec_free(struct strvec *sv);

#define _cleanup_strvec_ _cleanup_(strvec_free)

size_t strv_length(char *const *v);
bool strv_contains(char *const *v, const char *s);
/* "a,b,c" split at sep into a new vector ("" gives {""}); NULL when out of memory. */
char **strv_split(const char *s, char sep);
/* The elements joined with sep between them; NULL when out of memory. */
char *strv_join(char *const *v, const char *sep);

/* s as one shell word (strbuf_add_shell_word() of lib/strbuf.h states the
 * rules: plain, '…' with '\'' for an embedded quote, or $'…' for control
 * bytes and invalid UTF-8).  The caller frees it; NULL when out of memory. */
char *shell_quote(const char *s);
/* argv as one line of shell words separated by blanks, for a person to read
 * or paste (mirrorprov itself never runs a shell); NULL when out of memory. */
char *strv_join_quoted(char *const *argv);
