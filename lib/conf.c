#include "conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "size.h"

#define CONF_MAX_BYTES (1u << 20)

char *conf_error(const char *file, unsigned line, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	char *r;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return NULL;
	if ((line ? asprintf(&r, "%s:%u: %s", file, line, msg) : asprintf(&r, "%s: %s", file, msg)) < 0)
		return NULL;
	return r;
}

int parse_duration(const char *s, uint64_t *ret)
{
	static const struct {
		const char *unit;
		uint64_t mult;
	} units[] = {
		{ "", 1 }, { "s", 1 }, { "sec", 1 }, { "m", 60 }, { "min", 60 },
		{ "h", 3600 }, { "d", 86400 }, { "w", 604800 },
	};
	char *end;
	uint64_t v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (v > UINT64_MAX / units[i].mult)
			return -ERANGE;
		*ret = v * units[i].mult;
		return 0;
	}
	return -EINVAL;
}

static void *field_ptr(void *base, const struct conf_field *f)
{
	return f->offset == CONF_NO_OFFSET ? NULL : (char *)base + f->offset;
}

/* Where the loader is: for messages. */
struct ctx {
	const char *file;
	char **error;
};

static int fail(const struct ctx *c, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(const struct ctx *c, const config_setting_t *s, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	*c->error = msg ? conf_error(c->file, s ? config_setting_source_line(s) : 0, "%s", msg) : NULL;
	return -EINVAL;
}

static bool is_int(const config_setting_t *s)
{
	int t = config_setting_type(s);
	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static const char *kind_name(enum conf_kind k)
{
	switch (k) {
	case CK_STR:
		return "a string";
	case CK_UINT:
		return "a whole number";
	case CK_BOOL:
		return "true or false";
	case CK_SIZE:
		return "a size (e.g. \"64k\", \"2T\")";
	case CK_DURATION:
		return "a duration (e.g. \"30min\", \"6h\")";
	case CK_STRV:
		return "a list of strings";
	case CK_GROUP:
		return "a group";
	default:
		return "valid";
	}
}

/* A scalar from its text form (a string setting or a default). */
static int scalar_from_text(const struct conf_field *f, const char *text, void *dst)
{
	switch (f->kind) {
	case CK_STR:
		return (*(char **)dst = strdup(text)) ? 0 : -ENOMEM;
	case CK_BOOL:
		if (strcmp(text, "true") && strcmp(text, "false"))
			return -EINVAL;
		*(bool *)dst = strcmp(text, "true") == 0;
		return 0;
	case CK_UINT:
		return parse_count(text, f->max ? f->max : UINT64_MAX, dst);
	case CK_SIZE:
		return parse_size(text, dst);
	case CK_DURATION:
		return parse_duration(text, dst);
	default:
		return -EINVAL;
	}
}

static int load_strv(const struct ctx *c, const struct conf_field *f, const config_setting_t *s, char ***dst,
		     const char *key)
{
	int t = config_setting_type(s);
	int n = (t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST) ? config_setting_length(s) : -1;
	char **v;

	if (n < 0)
		return fail(c, s, "'%s' must be %s", key, kind_name(f->kind));
	if (n == 0 && (f->flags & CF_NONEMPTY))
		return fail(c, s, "'%s' must not be empty", key);
	v = calloc((size_t)n + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	*dst = v;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *str = config_setting_get_string(e);
		if (!str)
			return fail(c, e, "'%s' must be %s", key, kind_name(f->kind));
		const char *why = f->check ? f->check(str) : NULL;
		if (why)
			return fail(c, e, "%s: '%s' %s", key, str, why);
		if (!(v[i] = strdup(str)))
			return -ENOMEM;
	}
	return 0;
}

static int load_fields(const struct ctx *c, const config_setting_t *group, const struct conf_field *schema,
		       void *base, const char *prefix);

static int load_value(const struct ctx *c, const struct conf_field *f, const config_setting_t *s, void *base,
		      const char *key)
{
	void *dst = field_ptr(base, f);
	int r;

	switch (f->kind) {
	case CK_STR: {
		const char *str = config_setting_get_string(s);
		if (!str)
			return fail(c, s, "'%s' must be %s", key, kind_name(f->kind));
		if ((f->flags & CF_NONEMPTY) && !*str)
			return fail(c, s, "'%s' must not be empty", key);
		const char *why = f->check ? f->check(str) : NULL;
		if (why)
			return fail(c, s, "%s: '%s' %s", key, str, why);
		return scalar_from_text(f, str, dst);
	}
	case CK_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL)
			return fail(c, s, "'%s' must be %s", key, kind_name(f->kind));
		*(bool *)dst = config_setting_get_bool(s);
		return 0;
	case CK_UINT:
	case CK_SIZE:
	case CK_DURATION:
		if (is_int(s)) {
			long long v = config_setting_get_int64(s);
			if (v < 0)
				return fail(c, s, "'%s' must not be negative", key);
			*(uint64_t *)dst = (uint64_t)v;
		} else if (f->kind != CK_UINT && config_setting_type(s) == CONFIG_TYPE_STRING) {
			r = scalar_from_text(f, config_setting_get_string(s), dst);
			if (r < 0)
				return fail(c, s, "'%s' must be %s", key, kind_name(f->kind));
		} else
			return fail(c, s, "'%s' must be %s", key, kind_name(f->kind));
		/* A duration with a range (a timeout: 0 would mean none) is checked like a number. */
		if ((f->kind == CK_UINT || (f->kind == CK_DURATION && f->max)) &&
		    (*(uint64_t *)dst < f->min || (f->max && *(uint64_t *)dst > f->max)))
			return fail(c, s, "'%s' must be between %llu and %llu", key, (unsigned long long)f->min,
				    (unsigned long long)f->max);
		return 0;
	case CK_STRV:
		return load_strv(c, f, s, dst, key);
	case CK_GROUP:
		if (!config_setting_is_group(s))
			return fail(c, s, "'%s' must be %s", key, kind_name(f->kind));
		if (dst)
			*(bool *)dst = true;
		return load_fields(c, s, f->sub, base, key);
	case CK_CUSTOM:
		return f->parse(c->file, s, base, c->error);
	}
	return -EINVAL;
}

static int load_absent(const struct ctx *c, const struct conf_field *f, const config_setting_t *group, void *base,
		       const char *key)
{
	if (f->flags & CF_REQUIRED) {
		/* The top-level group has no line: point at the start of the file. */
		unsigned line = config_setting_source_line(group);
		*c->error = conf_error(c->file, line ? line : 1, "missing required key '%s'", key);
		return -EINVAL;
	}
	if (f->kind == CK_STRV)
		return (*(char ***)field_ptr(base, f) = calloc(1, sizeof(char *))) ? 0 : -ENOMEM;
	if (!f->def)
		return 0;
	return scalar_from_text(f, f->def, field_ptr(base, f));
}

static int load_fields(const struct ctx *c, const config_setting_t *group, const struct conf_field *schema,
		       void *base, const char *prefix)
{
	int n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(m);
		const struct conf_field *f = schema;
		while (f->key && strcmp(f->key, name) != 0)
			f++;
		if (!f->key)
			return fail(c, m, "unknown key '%s'", name);
	}
	for (const struct conf_field *f = schema; f->key; f++) {
		_cleanup_free_ char *key = NULL;
		const config_setting_t *m = config_setting_get_member(group, f->key);
		int r;

		if (asprintf(&key, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", f->key) < 0) {
			key = NULL;
			return -ENOMEM;
		}
		r = m ? load_value(c, f, m, base, key) : load_absent(c, f, group, base, key);
		if (r < 0)
			return r;
	}
	return 0;
}

int conf_load_group(const char *file, const config_setting_t *group, const struct conf_field *schema, void *base,
		    char **error)
{
	return conf_load_group_at(file, group, schema, base, NULL, error);
}

int conf_load_group_at(const char *file, const config_setting_t *group, const struct conf_field *schema, void *base,
		       const char *prefix, char **error)
{
	struct ctx c = { file, error };
	int r;

	*error = NULL;
	if (!config_setting_is_group(group)) {
		fail(&c, group, "%s%sexpected a group { ... }", prefix ? prefix : "", prefix ? ": " : "");
		return -EINVAL;
	}
	r = load_fields(&c, group, schema, base, prefix);
	if (r < 0)
		conf_free_fields(schema, base);
	return r;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(config_t *, config_destroy)

/* libconfig (1.5 has no hook to stop it) reads any file an "@include" line
 * names, relative to the working directory: a FIFO or /dev/stdin hangs the
 * load, a large file bypasses CONF_MAX_BYTES.  Our files never need one.
 * Returns the 1-based line of the first @include (its scanner accepts one at
 * the start of a line after blanks), or 0. */
static unsigned include_line(const char *text)
{
	unsigned line = 1;

	for (const char *p = text; *p; line++) {
		p += strspn(p, " \t\r\f\v");
		if (strncmp(p, "@include", 8) == 0)
			return line;
		p = strchrnul(p, '\n');
		if (*p)
			p++;
	}
	return 0;
}

int conf_load_file(const char *path, const struct conf_field *schema, void *base, char **error)
{
	_cleanup_free_ char *text = NULL;
	config_t cfg;
	int r;

	*error = NULL;
	r = read_file_bounded(path, CONF_MAX_BYTES, &text, NULL);
	if (r < 0) {
		*error = conf_error(path, 0, "%s", strerror(-r));
		return r;
	}
	unsigned inc = include_line(text);
	if (inc) {
		*error = conf_error(path, inc, "@include is not allowed");
		return -EINVAL;
	}
	config_init(&cfg);
	_cleanup_(config_destroyp) config_t *cfgp = &cfg;
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		*error = conf_error(path, (unsigned)config_error_line(&cfg), "%s", config_error_text(&cfg));
		return -EINVAL;
	}
	return conf_load_group(path, config_root_setting(&cfg), schema, base, error);
}

void conf_free_fields(const struct conf_field *schema, void *base)
{
	for (const struct conf_field *f = schema; f->key; f++) {
		void *p = field_ptr(base, f);
		switch (f->kind) {
		case CK_STR:
			free(*(char **)p);
			*(char **)p = NULL;
			break;
		case CK_STRV:
			strv_freep(p);
			*(char ***)p = NULL;
			break;
		case CK_GROUP:
			conf_free_fields(f->sub, base);
			if (p)
				*(bool *)p = false;
			break;
		case CK_CUSTOM:
			f->free(base);
			break;
		default:
			break;
		}
	}
}
