#include "strv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

int strvec_push_take(struct strvec *sv, char *s)
{
	if (!s || sv->oom) {
		free(s);
		sv->oom = true;
		return -ENOMEM;
	}
	if (sv->n + 2 > sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 8;
		char **v = cap < SIZE_MAX / sizeof(*v) ? realloc(sv->v, cap * sizeof(*v)) : NULL;
		if (!v) {
			free(s);
			sv->oom = true;
			return -ENOMEM;
		}
		sv->v = v;
		sv->cap = cap;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

int strvec_push(struct strvec *sv, const char *s)
{
	return strvec_push_take(sv, sv->oom ? NULL : strdup(s));
}

int strvec_pushf(struct strvec *sv, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	if (sv->oom)
		return -ENOMEM;
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	return strvec_push_take(sv, r < 0 ? NULL : s);
}

int strvec_push_unique(struct strvec *sv, const char *s)
{
	if (sv->oom)
		return -ENOMEM;
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 0;
	return strvec_push(sv, s);
}

int strvec_error(const struct strvec *sv)
{
	return sv->oom ? -ENOMEM : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int strvec_steal(struct strvec *sv, bool sort, char ***ret)
{
	if (sv->oom || (!sv->v && !(sv->v = calloc(1, sizeof(*sv->v))))) {
		strvec_free(sv);
		return -ENOMEM;
	}
	if (sort && sv->n)
		qsort(sv->v, sv->n, sizeof(*sv->v), cmp_str);
	*ret = sv->v;
	*sv = (struct strvec){ 0 };
	return 0;
}

void strvec_free(struct strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	*sv = (struct strvec){ 0 };
}

size_t strv_length(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

bool strv_contains(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (strcmp(*v, s) == 0)
			return true;
	return false;
}

char **strv_split(const char *s, char sep)
{
	_cleanup_strvec_ struct strvec sv = { 0 };
	char **v;

	for (;;) {
		size_t len = strcspn(s, (char[]){ sep, '\0' });
		if (strvec_push_take(&sv, strndup(s, len)) < 0)
			return NULL;
		if (!s[len])
			break;
		s += len + 1;
	}
	return strvec_steal(&sv, false, &v) < 0 ? NULL : v;
}

char *strv_join(char *const *v, const char *sep)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };

	for (size_t i = 0; v && v[i]; i++) {
		if (i)
			strbuf_adds(&sb, sep);
		strbuf_adds(&sb, v[i]);
	}
	return strbuf_steal(&sb, NULL);
}

char *shell_quote(const char *s)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };

	strbuf_add_shell_word(&sb, s);
	return strbuf_steal(&sb, NULL);
}

char *strv_join_quoted(char *const *argv)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };

	for (size_t i = 0; argv && argv[i]; i++) {
		if (i)
			strbuf_addc(&sb, ' ');
		strbuf_add_shell_word(&sb, argv[i]);
	}
	return strbuf_steal(&sb, NULL);
}
