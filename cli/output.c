#include "output.h"

#include <ctype.h>
#include <errno.h>
#include <libsmartcols.h>
#include <string.h>

#include "lib/macro.h"
#include "lib/names.h"
#include "lib/size.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct libscols_table *, scols_unref_table)

const char *col_key(const struct col_def *c, char *buf)
{
	size_t i;

	if (c->key)
		return c->key;
	for (i = 0; c->name[i] && i < 63; i++)
		buf[i] = c->name[i] == '-' ? '_' : (char)tolower((unsigned char)c->name[i]);
	buf[i] = '\0';
	return buf;
}

void cols_all(size_t ncols, struct col_select *sel)
{
	sel->n = ncols < COLS_MAX ? ncols : COLS_MAX;
	for (size_t i = 0; i < sel->n; i++)
		sel->idx[i] = i;
}

int cols_parse(const struct col_def *cols, size_t ncols, const char *list,
	       const struct col_select *defaults, struct col_select *sel, const char **bad)
{
	static char badbuf[64];
	_cleanup_free_ char *copy = NULL;
	char *save = NULL, *tok;

	if (*list == '+') {
		*sel = *defaults;
		list++;
	} else
		sel->n = 0;
	copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < ncols; i++)
			if (strcasecmp(tok, cols[i].name) == 0 || (cols[i].key && strcmp(tok, cols[i].key) == 0))
				break;
		if (i == ncols) {
			snprintf(badbuf, sizeof(badbuf), "%s", tok);
			*bad = badbuf;
			return -EINVAL;
		}
		if (sel->n == COLS_MAX)
			return -E2BIG;
		sel->idx[sel->n++] = i;
	}
	if (!sel->n) {
		*bad = "";
		return -EINVAL;
	}
	return 0;
}

void cols_print_help(FILE *f, const struct col_def *cols, size_t ncols)
{
	fputs("\nAvailable output columns (-o):\n", f);
	for (size_t i = 0; i < ncols; i++)
		fprintf(f, "  %14s  %s\n", cols[i].name, cols[i].help);
}

static char *cell_text(const struct col_def *c, json_object *v)
{
	char buf[64];

	if (!v)
		return strdup("");
	switch (c->type) {
	case COLT_BOOL:
		return strdup(json_object_get_boolean(v) ? "yes" : "no");
	case COLT_SIZE:
		format_size_human((uint64_t)json_object_get_uint64(v), buf, sizeof(buf));
		return strdup(buf);
	case COLT_STRV: {
		size_t n = json_object_array_length(v), len = 1;
		for (size_t i = 0; i < n; i++)
			len += strlen(json_object_get_string(json_object_array_get_idx(v, i))) + 1;
		char *s = calloc(1, len);
		if (!s)
			return NULL;
		for (size_t i = 0; i < n; i++) {
			if (i)
				strcat(s, ",");
			strcat(s, json_object_get_string(json_object_array_get_idx(v, i)));
		}
		return s;
	}
	default:
		return strdup(json_object_get_string(v));
	}
}

static int add_lines(struct libscols_table *tb, struct libscols_line *parent, const struct col_def *cols,
		     const struct col_select *sel, json_object *rows)
{
	size_t n = json_object_array_length(rows);

	for (size_t r = 0; r < n; r++) {
		json_object *row = json_object_array_get_idx(rows, r), *children;
		struct libscols_line *ln = scols_table_new_line(tb, parent);
		if (!ln)
			return -ENOMEM;
		for (size_t i = 0; i < sel->n; i++) {
			char key[64];
			json_object *v = NULL;
			const struct col_def *c = &cols[sel->idx[i]];
			json_object_object_get_ex(row, col_key(c, key), &v);
			char *text = cell_text(c, v);
			if (!text || scols_line_refer_data(ln, i, text) < 0) {
				free(text);
				return -ENOMEM;
			}
		}
		if (json_object_object_get_ex(row, "children", &children)) {
			int rc = add_lines(tb, ln, cols, sel, children);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

json_object *out_table_json(const struct col_def *cols, const struct col_select *sel, json_object *rows)
{
	json_object *arr = json_object_new_array();
	size_t n = json_object_array_length(rows);

	for (size_t r = 0; r < n; r++) {
		json_object *row = json_object_array_get_idx(rows, r), *out = json_object_new_object(), *ch;
		for (size_t i = 0; i < sel->n; i++) {
			char buf[64];
			json_object *v = NULL;
			const char *key = col_key(&cols[sel->idx[i]], buf);
			json_object_object_get_ex(row, key, &v);
			json_object_object_add(out, key, v ? json_object_get(v) : NULL);
		}
		if (json_object_object_get_ex(row, "children", &ch))
			json_object_object_add(out, "children", out_table_json(cols, sel, ch));
		json_object_array_add(arr, out);
	}
	return arr;
}

static int out_json_flags(FILE *f, json_object *o, int flags)
{
	const char *s = json_object_to_json_string_ext(o, flags | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return -ENOMEM;
	/* json-c copies string bytes as they are; names from disks, servers and
	 * file systems need not be UTF-8, and JSON must be.  Such a byte (only in
	 * a string: json-c escapes the rest) becomes \udcXX, Python's
	 * surrogateescape spelling, so the original bytes can be recovered. */
	while (*s) {
		const char *run = s;
		for (size_t n; *s && (n = utf8_char_len(s)); s += n)
			;
		fwrite(run, 1, (size_t)(s - run), f);
		if (*s)
			fprintf(f, "\\udc%02x", (unsigned char)*s++);
	}
	fputc('\n', f);
	return 0;
}

int out_json(FILE *f, json_object *o)
{
	return out_json_flags(f, o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
}

int out_json_line(FILE *f, json_object *o)
{
	return out_json_flags(f, o, JSON_C_TO_STRING_PLAIN);
}

int out_table(FILE *f, const char *name, const struct col_def *cols, const struct col_select *sel,
	      json_object *rows, bool json)
{
	if (json) {
		_cleanup_json_ json_object *doc = json_object_new_object();
		json_object_object_add(doc, name, out_table_json(cols, sel, rows));
		return out_json(f, doc);
	}

	_cleanup_(scols_unref_tablep) struct libscols_table *tb = scols_new_table();
	if (!tb)
		return -ENOMEM;
	for (size_t i = 0; i < sel->n; i++) {
		const struct col_def *c = &cols[sel->idx[i]];
		int flags = c->flags;
		if (c->type == COLT_NUM || c->type == COLT_SIZE)
			flags |= SCOLS_FL_RIGHT;
		if (!scols_table_new_column(tb, c->name, c->whint, flags))
			return -ENOMEM;
	}
	int r = add_lines(tb, NULL, cols, sel, rows);
	if (r < 0)
		return r;
	scols_table_set_stream(tb, f);
	return scols_print_table(tb);
}

void jset_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

void jset_u64(json_object *o, const char *k, unsigned long long v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

void jset_bool(json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}
