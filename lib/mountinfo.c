#include "mountinfo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "fileio.h"
#include "macro.h"

/* 64 MiB is far more than any real table; a larger file is hostile. */
#define MOUNTINFO_MAX (64u << 20)

void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' &&
		    r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else
			*w++ = *r;
	}
	*w = '\0';
}

static void entry_free(struct mount_entry *e)
{
	free(e->root);
	free(e->target);
	free(e->fstype);
	free(e->source);
	free(e->options);
	free(e->super_options);
}

void mount_table_free(struct mount_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		entry_free(&t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

static int parse_line(char *line, struct mount_entry *e)
{
	char *f[11] = { 0 }, *save = NULL, *tok;
	int n = 0, sep = -1;

	/* id parent maj:min root target options [optional...] - fstype source superopts */
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (sep < 0 && n >= 6 && strcmp(tok, "-") == 0) {
			sep = n;
			continue;
		}
		if (n < 6 || sep >= 0) {
			if (n >= 6 && sep >= 0 && n - sep >= 3)
				break;
			f[n < 6 ? n : 6 + (n - sep)] = tok;
		}
		n++;
	}
	if (sep < 0 || !f[2] || !f[6] || !f[7])
		return -EINVAL;
	unsigned ma, mi;
	char extra;
	if (sscanf(f[2], "%u:%u%c", &ma, &mi, &extra) != 2)
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	e->major = ma;
	e->minor = mi;
	e->root = strdup(f[3]);
	e->target = strdup(f[4]);
	e->options = strdup(f[5]);
	e->fstype = strdup(f[6]);
	e->source = strdup(f[7]);
	e->super_options = strdup(f[8] ? f[8] : "");
	if (!e->root || !e->target || !e->options || !e->fstype || !e->source || !e->super_options) {
		entry_free(e);
		return -ENOMEM;
	}
	unescape_octal(e->root);
	unescape_octal(e->target);
	unescape_octal(e->source);
	return 0;
}

int mountinfo_parse(const char *text, struct mount_table *t)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL;
	int skipped = 0;

	if (!copy)
		return -ENOMEM;
	memset(t, 0, sizeof(*t));
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct mount_entry e;
		int r = parse_line(line, &e);
		if (r == -ENOMEM)
			goto oom;
		if (r < 0) {
			skipped++;
			continue;
		}
		struct mount_entry *v = realloc(t->v, (t->n + 1) * sizeof(*v));
		if (!v) {
			entry_free(&e);
			goto oom;
		}
		t->v = v;
		t->v[t->n++] = e;
	}
	return skipped;
oom:
	mount_table_free(t);
	return -ENOMEM;
}

int mountinfo_load(struct mount_table *t)
{
	const char *path = getenv("MIRRORPROV_MOUNTINFO");
	_cleanup_free_ char *text = NULL;
	int r;

	r = read_file_bounded(path && *path ? path : "/proc/self/mountinfo", MOUNTINFO_MAX, &text, NULL);
	if (r < 0)
		return r;
	r = mountinfo_parse(text, t);
	return r < 0 ? r : 0;
}

size_t mountinfo_find_dev(const struct mount_table *t, dev_t dev, const char **targets, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].major == major(dev) && t->v[i].minor == minor(dev)) {
			if (n < max)
				targets[n] = t->v[i].target;
			n++;
		}
	return n;
}
