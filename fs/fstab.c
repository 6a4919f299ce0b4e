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

void fstab_edit_free(struct fstab_edit *e)
{
	free(e->text);
	free(e->line);
	free(e->conflict);
	memset(e, 0, sizeof(*e));
}

static void buf_freep(struct buf *b)
{
	free(b->p);
}

struct line {
	const char *s;
	size_t len;
	bool nl;   /* ends with a newline (the last line may not) */
};

static bool next_line(const char *text, size_t len, size_t *pos, struct line *l)
{
	const char *nl;
	size_t end;

	if (*pos >= len)
		return false;
	nl = memchr(text + *pos, '\n', len - *pos);
	end = nl ? (size_t)(nl - text) : len;
	*l = (struct line){ text + *pos, end - *pos, nl != NULL };
	*pos = end + 1;
	return true;
}

/* 1 when the line is an entry for our mount point or device (*same: it says
 * exactly what we want), 0 when not, -ENOMEM. */
static int line_matches(const struct line *l, const struct fstab_entry *w, const char *target, bool *same)
{
	_cleanup_free_ char *copy = strndup(l->s, l->len);
	struct parsed p;

	if (!copy)
		return -ENOMEM;
	if (!parse_line(copy, &p) || !entry_matches(&p, w, target))
		return 0;
	*same = entry_same(&p, w, target);
	return 1;
}

static int build(const char *text, size_t len, const struct fstab_entry *want, const char *target, bool force,
		 struct fstab_edit *e, struct buf *out)
{
	struct line l;
	size_t pos = 0, lineno = 0;
	bool same = false, written = false, s;
	int r;

	/* First pass: is there a differing entry, or the same one? */
	while (next_line(text, len, &pos, &l)) {
		lineno++;
		if ((r = line_matches(&l, want, target, &s)) < 0)
			return r;
		if (r && s)
			same = true;
		else if (r && !e->conflict) {
			if (!(e->conflict = strndup(l.s, l.len)))
				return -ENOMEM;
			e->conflict_lineno = lineno;
		}
	}
	e->verdict = e->conflict ? (force ? FSTAB_REPLACE : FSTAB_CONFLICT) : same ? FSTAB_UNCHANGED : FSTAB_ADD;

	if (e->verdict != FSTAB_REPLACE) {
		if (buf_add(out, text, len) < 0)
			return -ENOMEM;
		if (e->verdict == FSTAB_ADD &&
		    ((len && text[len - 1] != '\n' && buf_add(out, "\n", 1) < 0) ||
		     buf_add(out, e->line, strlen(e->line)) < 0 || buf_add(out, "\n", 1) < 0))
			return -ENOMEM;
		return 0;
	}
	/* Replace: the first matching line becomes ours, the other matches go. */
	for (pos = 0; next_line(text, len, &pos, &l);) {
		if ((r = line_matches(&l, want, target, &s)) < 0)
			return r;
		if (r && !written) {
			written = true;
			r = buf_add(out, e->line, strlen(e->line));
		} else if (!r)
			r = buf_add(out, l.s, l.len);
		else
			continue;
		if (r < 0 || (l.nl && buf_add(out, "\n", 1) < 0))
			return -ENOMEM;
	}
	return 0;
}

int fstab_edit(const char *text, size_t len, const struct fstab_entry *want, bool force, struct fstab_edit *e)
{
	_cleanup_free_ char *target = NULL;
	_cleanup_(buf_freep) struct buf out = { 0 };
	int r;

	memset(e, 0, sizeof(*e));
	if (!field_ok(want->spec) || !field_ok(want->target) || !field_ok(want->fstype) || !field_ok(want->options) ||
	    strpbrk(want->fstype, " \t") || strpbrk(want->options, " \t"))
		return -EINVAL;
	if (!(target = strdup(want->target)) || !(e->line = fstab_format(want))) {
		fstab_edit_free(e);
		return -ENOMEM;
	}
	strip_slashes(target);
	if ((r = build(text, len, want, target, force, e, &out)) < 0 || (!out.p && buf_add(&out, "", 0) < 0)) {
		fstab_edit_free(e);
		return r < 0 ? r : -ENOMEM;
	}
	e->text = TAKE_PTR(out.p);
	e->len = out.len;
	return 0;
}
