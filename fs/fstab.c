#include "fstab.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/macro.h"
#include "lib/mountinfo.h"

#define FSTAB_FIELDS 6

const char *fstab_verdict_to_string(enum fstab_verdict v)
{
	switch (v) {
	case FSTAB_ADD: return "add";
	case FSTAB_UNCHANGED: return "unchanged";
	case FSTAB_CONFLICT: return "conflict";
	default: return "replace";
	}
}

/* fstab(5) escapes as octal: whitespace (libmount splits fields at any
 * isspace() byte, not only space and tab), backslash, and '#' (a first field
 * starting with it would make the whole line a comment). */
static char *escape_field(const char *s)
{
	char *out = malloc(strlen(s) * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		if (isspace((unsigned char)*s) || *s == '\\' || *s == '#')
			o += sprintf(o, "\\%03o", (unsigned char)*s);
		else
			*o++ = *s;
	}
	*o = '\0';
	return out;
}

char *fstab_format(const struct fstab_entry *e)
{
	_cleanup_free_ char *spec = escape_field(e->spec), *target = escape_field(e->target),
			    *fstype = escape_field(e->fstype), *options = escape_field(e->options);
	char *line;

	if (!spec || !target || !fstype || !options)
		return NULL;
	if (asprintf(&line, "%s %s %s %s %d %d", spec, target, fstype, options, e->freq, e->passno) < 0)
		return NULL;
	return line;
}

/* "/srv/mirror/" and "/srv/mirror" are the same mount point. */
static void strip_slashes(char *s)
{
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
}

struct parsed {
	char *f[FSTAB_FIELDS];   /* unescaped; freq/passno may be NULL */
	size_t n;
};

/* Splits one line (a private copy) into fields; 0 for a comment or blank. */
static size_t parse_line(char *line, struct parsed *p)
{
	char *save = NULL, *tok;

	/* As libmount reads it: trailing whitespace (a CRLF line's \r too) goes,
	 * fields are split at blanks only; any other byte belongs to its field. */
	size_t n = strlen(line);
	while (n && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	memset(p, 0, sizeof(*p));
	tok = strtok_r(line, " \t", &save);
	if (!tok || tok[0] == '#')
		return 0;
	for (; tok && p->n < FSTAB_FIELDS; tok = strtok_r(NULL, " \t", &save)) {
		unescape_octal(tok);
		p->f[p->n++] = tok;
	}
	if (p->n >= 2)
		strip_slashes(p->f[1]);
	return p->n;
}

static bool spec_equal(const char *a, const char *b)
{
	/* tags compare case-insensitively in their value (UUIDs are hex) */
	if (strncmp(a, "UUID=", 5) == 0 && strncmp(b, "UUID=", 5) == 0)
		return strcasecmp(a + 5, b + 5) == 0;
	return strcmp(a, b) == 0;
}

static bool entry_matches(const struct parsed *p, const struct fstab_entry *w, const char *target)
{
	if (p->n < 2)
		return false;
	return strcmp(p->f[1], target) == 0 || spec_equal(p->f[0], w->spec) || (w->alias && strcmp(p->f[0], w->alias) == 0);
}

static bool entry_same(const struct parsed *p, const struct fstab_entry *w, const char *target)
{
	char num[16];

	if (p->n < 4 || !spec_equal(p->f[0], w->spec) || strcmp(p->f[1], target) != 0 || strcmp(p->f[2], w->fstype) != 0 ||
	    strcmp(p->f[3], w->options) != 0)
		return false;
	snprintf(num, sizeof(num), "%d", w->freq);
	if (strcmp(p->n > 4 ? p->f[4] : "0", num) != 0)
		return false;
	snprintf(num, sizeof(num), "%d", w->passno);
	return strcmp(p->n > 5 ? p->f[5] : "0", num) == 0;
}

static bool field_ok(const char *s)
{
	return s && *s && !strchr(s, '\n');
}

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np)
			return -ENOMEM;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

void fstab_edit_done(struct fstab_edit *e)
{
	free(e->text);
	free(e->line);
	free(e->conflict);
	memset(e, 0, sizeof(*e));
}

int fstab_edit(const char *text, size_t len, const struct fstab_entry *want, bool force, struct fstab_edit *e)
{
	_cleanup_free_ char *target = NULL;
	struct buf out = { 0 };
	size_t pos = 0, lineno = 0;
	bool same = false, written = false;
	int r = 0;

	memset(e, 0, sizeof(*e));
	if (!field_ok(want->spec) || !field_ok(want->target) || !field_ok(want->fstype) || !field_ok(want->options) ||
	    strpbrk(want->fstype, " \t") || strpbrk(want->options, " \t"))
		return -EINVAL;
	if (!(target = strdup(want->target)) || !(e->line = fstab_format(want)))
		goto oom;
	strip_slashes(target);

	/* First pass: is there a differing entry, or the same one? */
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		_cleanup_free_ char *copy = strndup(text + pos, end - pos);
		struct parsed p;
		if (!copy)
			goto oom;
		lineno++;
		if (parse_line(copy, &p) && entry_matches(&p, want, target)) {
			if (entry_same(&p, want, target))
				same = true;
			else if (!e->conflict) {
				if (!(e->conflict = strndup(text + pos, end - pos)))
					goto oom;
				e->conflict_lineno = lineno;
			}
		}
		pos = end + 1;
	}
	if (e->conflict && !force)
		e->verdict = FSTAB_CONFLICT;
	else if (e->conflict)
		e->verdict = FSTAB_REPLACE;
	else
		e->verdict = same ? FSTAB_UNCHANGED : FSTAB_ADD;
	if (e->verdict != FSTAB_REPLACE) {
		if (buf_add(&out, text, len) < 0)
			goto oom;
		if (e->verdict == FSTAB_ADD &&
		    ((len && text[len - 1] != '\n' && buf_add(&out, "\n", 1) < 0) || buf_add(&out, e->line, strlen(e->line)) < 0 ||
		     buf_add(&out, "\n", 1) < 0))
			goto oom;
		goto done;
	}

	/* Replace: the first matching line becomes ours, the other matches go. */
	for (pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		_cleanup_free_ char *copy = strndup(text + pos, end - pos);
		struct parsed p;
		if (!copy)
			goto oom;
		if (parse_line(copy, &p) && entry_matches(&p, want, target)) {
			if (!written && (buf_add(&out, e->line, strlen(e->line)) < 0 || (nl && buf_add(&out, "\n", 1) < 0)))
				goto oom;
			written = true;
		} else if (buf_add(&out, text + pos, end - pos + (nl ? 1 : 0)) < 0)
			goto oom;
		pos = end + 1;
	}
done:
	if (!out.p && buf_add(&out, "", 0) < 0)
		goto oom;
	e->text = out.p;
	e->len = out.len;
	return r;
oom:
	free(out.p);
	fstab_edit_done(e);
	return -ENOMEM;
}
