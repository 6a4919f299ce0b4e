/* One column definition drives both the human table (libsmartcols) and the
 * JSON form (json-c): rows are built once as typed JSON objects. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum col_type {
	COLT_STR,
	COLT_NUM,
	COLT_BOOL,
	COLT_SIZE,   /* bytes: a number in JSON, "50.9 TiB" for people */
	COLT_STRV,   /* array of strings; comma-joined for people */
};

struct col_def {
	const char *name;   /* header, upper case; the JSON key is its lower-case form */
	enum col_type type;
	double whint;
	int flags;          /* SCOLS_FL_* */
	const char *help;
	const char *key;    /* JSON key when not the lower-case name ("SIZE" -> "size_bytes"); may be omitted */
};

#define COLS_MAX 64

struct col_select {
	size_t n;
	size_t idx[COLS_MAX];
};

/* "NAME,SIZE" (or "+EXTRA" to add to the defaults) into a selection; a column
 * may be named by its header or by its JSON key.
 * Returns -EINVAL and sets *bad to the unknown name (pointing into a static copy). */
int cols_parse(const struct col_def *cols, size_t ncols, const char *list,
	       const struct col_select *defaults, struct col_select *sel, const char **bad);
void cols_all(size_t ncols, struct col_select *sel);
/* The JSON key of a column (key, else "MIN-IO" -> "min_io"); buf must hold 64 bytes. */
const char *col_key(const struct col_def *c, char *buf);

/* Print rows (a json array of objects, keys as col_key(); "children" arrays make a tree). */
int out_table(FILE *f, const char *name, const struct col_def *cols, const struct col_select *sel,
	      json_object *rows, bool json);
/* Only the selected keys, recursively through "children": for embedding in larger documents. */
json_object *out_table_json(const struct col_def *cols, const struct col_select *sel, json_object *rows);

/* Pretty JSON document followed by a newline. */
int out_json(FILE *f, json_object *o);
/* The same on one line (the Ansible module's reply). */
int out_json_line(FILE *f, json_object *o);

/* Column list for --help. */
void cols_print_help(FILE *f, const struct col_def *cols, size_t ncols);

static inline void json_object_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_object_putp)))

/* Small typed setters; NULL strings become JSON null. */
void jset_str(json_object *o, const char *k, const char *v);
void jset_u64(json_object *o, const char *k, unsigned long long v);
void jset_bool(json_object *o, const char *k, bool v);
