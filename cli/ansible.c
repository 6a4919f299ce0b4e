/* mirrorprov as an Ansible binary module: the last argument names the JSON
 * file of module arguments; the reply is exactly one JSON object on stdout,
 * whatever happens (the steps' own output is returned in it). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/size.h"
#include "lib/strbuf.h"
#include "mirrorprov.h"
#include "onboard.h"
#include "output.h"

#define ARGS_MAX (1 << 20)

struct module_args {
	struct onboard_options o;
	char *config_file;      /* an inline config written out; unlinked at the end */
};

/* One JSON value as a libconfig value; objects become groups. */
static int add_value(struct strbuf *sb, json_object *v, int depth)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		strbuf_add_dquoted(sb, json_object_get_string(v));
		return 0;
	case json_type_int:
		strbuf_addf(sb, "%lld%s", (long long)json_object_get_int64(v),
			    json_object_get_int64(v) > 2147483647LL || json_object_get_int64(v) < -2147483648LL ? "L" : "");
		return 0;
	case json_type_double:
		strbuf_addf(sb, "%.17g", json_object_get_double(v));
		return 0;
	case json_type_boolean:
		strbuf_adds(sb, json_object_get_boolean(v) ? "true" : "false");
		return 0;
	case json_type_array:
		strbuf_adds(sb, "[ ");
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			json_object *e = json_object_array_get_idx(v, i);
			if (json_object_is_type(e, json_type_object) || json_object_is_type(e, json_type_array))
				return -EINVAL;
			if (i)
				strbuf_adds(sb, ", ");
			if (add_value(sb, e, depth) < 0)
				return -EINVAL;
		}
		strbuf_adds(sb, " ]");
		return 0;
	case json_type_object:
		if (depth > 4)
			return -EINVAL;
		strbuf_adds(sb, "{\n");
		json_object_object_foreach(v, key, val) {
			if (!*key || strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(key))
				return -EINVAL;
			strbuf_addf(sb, "%*s%s = ", 2 * (depth + 1), "", key);
			if (add_value(sb, val, depth + 1) < 0)
				return -EINVAL;
			strbuf_adds(sb, ";\n");
		}
		strbuf_addf(sb, "%*s}", 2 * depth, "");
		return 0;
	default:
		return -EINVAL;
	}
}

/* A boolean as Ansible may pass it: true, or a string such as "yes". */
static int flag_value(json_object *v, bool *ret)
{
	static const char *const yes[] = { "true", "True", "yes", "on", "1" };
	static const char *const no[] = { "false", "False", "no", "off", "0" };
	const char *s;

	if (json_object_is_type(v, json_type_boolean)) {
		*ret = json_object_get_boolean(v);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return -EINVAL;
	s = json_object_get_string(v);
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (strcmp(s, yes[i]) == 0 || strcmp(s, no[i]) == 0) {
			*ret = strcmp(s, yes[i]) == 0;
			return 0;
		}
	return -EINVAL;
}

/* *msg = the formatted message, or the fixed one when formatting fails. */
static void __attribute__((format(printf, 3, 4))) set_msg(char **msg, const char *fixed, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(msg, fmt, ap) < 0)
		*msg = strdup(fixed);
	va_end(ap);
}

/* The host configuration given inline as an object: written to a private temp file. */
static int inline_config(json_object *cfg, struct module_args *a, char **msg)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };
	char path[] = "/tmp/mirrorprov-onboard-XXXXXX.conf";
	int fd;

	json_object_object_foreach(cfg, key, val) {
		if (!json_object_is_type(val, json_type_object)) {
			set_msg(msg, "config: a section is not an object", "config: section '%s' is not an object", key);
			return -EINVAL;
		}
		strbuf_addf(&sb, "%s: ", key);
		if (add_value(&sb, val, 0) < 0) {
			set_msg(msg, "config: a section holds a value that is not a string, number, boolean or list",
				"config: section '%s' holds a value that is not a string, number, boolean or list", key);
			return -EINVAL;
		}
		strbuf_adds(&sb, ";\n");
	}
	if (strbuf_error(&sb) < 0 || !sb.buf)
		return -ENOMEM;
	if ((fd = mkstemps(path, 5)) < 0)
		return -errno;
	if (!(a->config_file = strdup(path))) {
		close(fd);
		unlink(path);
		return -ENOMEM;
	}
	int r = write(fd, sb.buf, sb.len) == (ssize_t)sb.len ? 0 : -EIO;
	close(fd);
	a->o.config = a->config_file;
	return r;
}

static int parse_args(const char *file, struct module_args *a, char **msg)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_json_ json_object *args = NULL;
	int r;

	if ((r = read_file_bounded(file, ARGS_MAX, &text, NULL)) < 0) {
		set_msg(msg, "cannot read the arguments file", "cannot read the arguments file %s: %s", file, strerror(-r));
		return r;
	}
	if (!(args = json_tokener_parse(text)) || !json_object_is_type(args, json_type_object)) {
		set_msg(msg, "the arguments file does not hold a JSON object",
			"the arguments file %s does not hold a JSON object", file);
		return -EINVAL;
	}
	a->o = (struct onboard_options){ .check = CHECKRUN_DEFAULTS };
	json_object_object_foreach(args, key, v) {
		json_type t = json_object_get_type(v);
		bool str = t == json_type_string, null = t == json_type_null, flag;
		if (strcmp(key, "_ansible_check_mode") == 0 && flag_value(v, &flag) == 0)
			a->o.dry_run = flag;
		else if (strncmp(key, "_ansible_", 9) == 0 || null)
			continue;
		else if (strcmp(key, "config") == 0 && str)
			a->o.config = strdup(json_object_get_string(v));
		else if (strcmp(key, "config") == 0 && t == json_type_object) {
			if ((r = inline_config(v, a, msg)) < 0) {
				if (!*msg)
					set_msg(msg, "config: cannot write it out", "config: cannot write it out: %s", strerror(-r));
				return r;
			}
		} else if (strcmp(key, "image") == 0 && str)
			a->o.image = strdup(json_object_get_string(v));
		else if (strcmp(key, "prefix") == 0 && str && json_object_get_string(v)[0] == '/')
			a->o.prefix = strdup(json_object_get_string(v));
		else if (strcmp(key, "ca") == 0 && str)
			a->o.check.ca = strdup(json_object_get_string(v));
		else if (strcmp(key, "image_size") == 0 && (str || t == json_type_int)) {
			if (t == json_type_int ? (a->o.image_size = (uint64_t)json_object_get_int64(v)) == 0
					       : parse_size(json_object_get_string(v), &a->o.image_size) < 0) {
				set_msg(msg, "image_size is not a size (e.g. 4G)", "image_size '%s' is not a size (e.g. 4G)",
					json_object_get_string(v));
				return -EINVAL;
			}
		} else if (strcmp(key, "sync") == 0 && flag_value(v, &flag) == 0)
			a->o.sync = flag;
		else if (strcmp(key, "force") == 0 && flag_value(v, &flag) == 0)
			a->o.force = flag;
		else {
			set_msg(msg, "unsupported parameter or wrong type", "unsupported parameter or wrong type: %s", key);
			return -EINVAL;
		}
	}
	return 0;
}

static void args_free(struct module_args *a)
{
	if (a->config_file) {
		unlink(a->config_file);
		free(a->config_file);
	} else
		free((char *)a->o.config);
	free((char *)a->o.image);
	free((char *)a->o.prefix);
	free((char *)a->o.check.ca);
}

int ansible_module_main(int argc, char **argv)
{
	struct module_args a = { 0 };
	struct onboard_view v = { 0 };
	_cleanup_json_ json_object *reply = json_object_new_object();
	_cleanup_free_ char *msg = NULL;
	json_object *changed = NULL, *steps = NULL, *doc;
	int r = -MP_EUSAGE;

	if (argc < 2)
		msg = strdup("no argument file provided (run as an Ansible module)");
	else if (parse_args(argv[argc - 1], &a, &msg) == 0)
		r = onboard_present(&a.o, true, MODE_QUIET, &v);
	doc = v.doc;
	if (!msg && v.error)
		msg = TAKE_PTR(v.error);
	if (!msg && r != 0)
		set_msg(&msg, "onboard failed", "onboard failed with exit code %d", exit_code(r));
	bool ch = doc && json_object_object_get_ex(doc, "changed", &changed) && json_object_get_boolean(changed);
	if (!doc || !json_object_object_get_ex(doc, "steps", &steps))
		steps = NULL;
	if (!msg && r == 0)
		msg = strdup(a.o.dry_run ? (ch ? "changes planned (check mode)" : "no changes") : ch ? "onboarded" : "no changes");
	jset_bool(reply, "changed", ch);
	jset_bool(reply, "failed", r != 0);
	jset_str(reply, "msg", msg ? msg : "out of memory");
	json_object_object_add(reply, "steps", steps ? json_object_get(steps) : json_object_new_array());
	jset_u64(reply, "rc", (unsigned long long)exit_code(r));
	jset_str(reply, "stdout", v.output ? v.output : "");
	onboard_view_free(&v);
	args_free(&a);
	if (out_json_line(stdout, reply) < 0)
		return -MP_EFAILED;
	return r < 0 ? -MP_EFAILED : 0;
}
