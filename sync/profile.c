#include "profile.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/macro.h"
#include "lib/names.h"

#ifndef MIRRORPROV_DATADIR
#define MIRRORPROV_DATADIR "/usr/share/mirrorprov"
#endif

static const char *const method_names[] = { [SYNC_RSYNC] = "rsync", [SYNC_TWO_STAGE] = "two-stage",
					    [SYNC_FTPSYNC] = "ftpsync", [SYNC_FILELIST] = "filelist" };
static const char *const pull_names[] = { [PULL_PUBLIC] = "public", [PULL_TIER1] = "tier1", [PULL_SITE] = "site" };
static const char *const fact_keys[] = { PROFILE_FACT_KEYS };
static const char *const trace_names[] = { [TRACE_NONE] = "none", [TRACE_DEBIAN] = "debian",
					   [TRACE_TIMESTAMP] = "timestamp" };

const char *sync_method_name(enum sync_method m)
{
	return method_names[m];
}

const char *pull_rule_name(enum pull_rule r)
{
	return pull_names[r];
}

static int lookup(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static const char *check_method(const char *s)
{
	return lookup(method_names, ARRAY_SIZE(method_names), s) < 0 ? "is not one of rsync, two-stage, ftpsync, filelist" : NULL;
}

static const char *check_pull(const char *s)
{
	return lookup(pull_names, ARRAY_SIZE(pull_names), s) < 0 ? "is not one of public, tier1, site" : NULL;
}

static const char *check_fact_key(const char *s)
{
	return lookup(fact_keys, ARRAY_SIZE(fact_keys), s) < 0 ? "is not a fact key (see mirrorprov-profiles(7))" : NULL;
}

static const char *check_https(const char *s)
{
	const char *why = check_url(s);
	return why ? why : url_scheme(s) == URL_HTTPS ? NULL : "must be an https:// URL";
}

static const char *check_web(const char *s)
{
	const char *why = check_url(s);
	return why ? why : url_scheme(s) == URL_RSYNC ? "must be an http:// or https:// URL" : NULL;
}

/* YYYY-MM-DD */
static const char *check_date(const char *s)
{
	static const char shape[] = "dddd-dd-dd";
	for (size_t i = 0; i < sizeof(shape); i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return "is not a date YYYY-MM-DD";
	return NULL;
}

static const char *check_archive(const char *s)
{
	return *s ? check_safe_name(s) : NULL;
}

static const char *check_trace_format(const char *s)
{
	return lookup(trace_names, ARRAY_SIZE(trace_names), s) < 0 ? "is not one of none, debian, timestamp" : NULL;
}

/* Text that reaches comments and unit descriptions: printable, no quoting or
 * specifier characters, so no generator has to guess an escape. */
static const char *check_text(const char *s)
{
	if (strlen(s) > 200)
		return "is longer than 200 characters";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < ' ' || *p == 0x7f || strchr("\"\\%$`;{}[]", *p))
			return "contains a control character or one of \" \\ % $ ` ; { } [ ]";
	/* systemd drops a unit line that is not UTF-8; rsync shows the bytes raw. */
	if (!utf8_valid(s))
		return "is not valid UTF-8";
	return NULL;
}

/* rsync filter patterns: printable, no leading/trailing space, never absolute parents. */
static const char *check_pattern(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 256)
		return "must be 1 to 256 characters";
	if (s[0] == ' ' || s[n - 1] == ' ')
		return "has leading or trailing space";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < ' ' || *p >= 0x7f || strchr("\"'\\`$;{}", *p))
			return "contains a control, quote or shell character";
	if (strstr(s, ".."))
		return "contains '..'";
	return NULL;
}

static const char *check_relative_pattern(const char *s)
{
	return s[0] == '/' ? "must be relative to the profile's directory" : check_pattern(s);
}

/* Options that run commands, send or write files outside the tree, or change
 * what rsync is are not a profile's business. */
static const char *check_rsync_option(const char *s)
{
	static const char *const refused[] = { "-e", "--rsh", "--rsync-path", "--daemon", "--server", "--config",
					       "--remove-source-files", "--files-from", "--password-file",
					       "--write-devices", "--log-file", "--early-input", "--write-batch",
					       "--only-write-batch", "--read-batch", "--sender" };
	const char *why = check_pattern(s);

	if (why)
		return why;
	if (s[0] != '-')
		return "is not an option (must start with '-')";
	/* Short options cluster: "-avessh" is -a -v -e ssh, a remote shell command. */
	if (s[1] != '-' && strchr(s, 'e'))
		return "is not allowed in a profile (-e runs a command)";
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		size_t n = strlen(refused[i]);
		if (strncmp(s, refused[i], n) == 0 && (s[n] == '\0' || s[n] == '='))
			return "is not allowed in a profile";
	}
	return NULL;
}

static const char *check_calendar(const char *s)
{
	if (strlen(s) > 100 || !str_in_charset(s, "*/:,.~ -"))
		return "is not a systemd calendar expression";
	return NULL;
}

/* A relative path in which "%h" (or, with u, "%u") stands for a host name. */
static const char *check_path_with(const char *s, bool u)
{
	char buf[1100];
	size_t j = 0;

	for (size_t i = 0; s[i] && j < sizeof(buf) - 1; i++) {
		if (s[i] == '%' && (s[i + 1] == 'h' || (u && s[i + 1] == 'u')))
			i++;
		buf[j++] = s[i];
	}
	buf[j] = '\0';
	return check_relpath(buf);
}

static const char *check_trace_file(const char *s)
{
	return check_path_with(s, false);
}

/* Marker paths: "%u" is the upstream's host name (Debian's project/trace/HOST). */
static const char *check_poll_path(const char *s)
{
	return check_path_with(s, true);
}

#define P(m) offsetof(struct profile, m)
#define C(m) offsetof(struct profile_category, m)

#define S(m) offsetof(struct profile_source, m)

static const struct conf_field source_schema[] = {
	{ .key = "url", .kind = CK_STR, .flags = CF_REQUIRED, .offset = S(url), .check = check_web },
	{ .key = "supports", .kind = CK_STRV, .flags = CF_REQUIRED | CF_NONEMPTY, .offset = S(supports), .check = check_fact_key },
	{ .key = "checked", .kind = CK_STR, .flags = CF_REQUIRED, .offset = S(checked), .check = check_date },
	{ .key = "note", .kind = CK_STR, .flags = CF_NONEMPTY, .offset = S(note), .check = check_text },
	{ .key = NULL },
};

static const struct conf_field category_schema[] = {
	{ .key = "name", .kind = CK_STR, .flags = CF_REQUIRED | CF_NONEMPTY, .offset = C(name), .check = check_text },
	{ .key = "path", .kind = CK_STR, .offset = C(path), .check = check_relpath_or_empty, .def = "" },
	{ .key = NULL },
};

/* A list of groups ( { … }, … ) into a calloc'd array of elements of size
 * elem, each loaded with schema. */
static int group_list_parse(const char *file, const config_setting_t *s, const struct conf_field *schema,
			    size_t elem, void **ret, size_t *n, char **error)
{
	int len = config_setting_type(s) == CONFIG_TYPE_LIST ? config_setting_length(s) : -1;
	char *v;

	if (len < 0) {
		*error = conf_error(file, config_setting_source_line(s), "'%s' must be a list ( { ... }, ... )",
				    config_setting_name(s));
		return -EINVAL;
	}
	v = calloc((size_t)len + 1, elem);
	if (!v)
		return -ENOMEM;
	*ret = v;
	for (int i = 0; i < len; i++) {
		int r = conf_load_group(file, config_setting_get_elem(s, (unsigned)i), schema, v + (size_t)i * elem, error);
		if (r < 0)
			return r;
		(*n)++;
	}
	return 0;
}

static void group_list_free(const struct conf_field *schema, size_t elem, void **v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		conf_free_fields(schema, (char *)*v + i * elem);
	free(*v);
	*v = NULL;
	*n = 0;
}

static void categories_free(void *base)
{
	struct profile *p = base;

	for (size_t i = 0; i < p->n_categories; i++)
		free(p->categories[i].topdir);
	group_list_free(category_schema, sizeof(*p->categories), (void **)&p->categories, &p->n_categories);
}

/* categories = ( { name = "Fedora Linux"; path = "linux"; }, … ); */
static int categories_parse(const char *file, const config_setting_t *s, void *base, char **error)
{
	struct profile *p = base;
	return group_list_parse(file, s, category_schema, sizeof(*p->categories), (void **)&p->categories,
				&p->n_categories, error);
}

static void sources_free(void *base)
{
	struct profile *p = base;
	group_list_free(source_schema, sizeof(*p->sources), (void **)&p->sources, &p->n_sources);
}

/* sources = ( { url = "https://…"; supports = [ "pull" ]; checked = "2026-12-01"; note = "…"; }, … ); */
static int sources_parse(const char *file, const config_setting_t *s, void *base, char **error)
{
	struct profile *p = base;
	return group_list_parse(file, s, source_schema, sizeof(*p->sources), (void **)&p->sources, &p->n_sources,
				error);
}

static const struct conf_field backend_schema[] = {
	{ .key = "type", .kind = CK_STR, .flags = CF_REQUIRED, .offset = P(backend), .check = check_safe_name },
	{ .key = "url", .kind = CK_STR, .offset = P(backend_url), .check = check_web },
	{ .key = NULL },
};

static const struct conf_field profile_schema[] = {
	{ .key = "description", .kind = CK_STR, .flags = CF_REQUIRED | CF_NONEMPTY, .offset = P(description), .check = check_text },
	{ .key = "upstream", .kind = CK_STRV, .offset = P(upstreams), .check = check_rsync_source },
	{ .key = "pull", .kind = CK_STR, .flags = CF_REQUIRED, .offset = P(pull_name), .check = check_pull },
	{ .key = "upstream_list", .kind = CK_STR, .offset = P(upstream_list), .check = check_https },
	{ .key = "module", .kind = CK_STR, .flags = CF_REQUIRED, .offset = P(module), .check = check_safe_name },
	{ .key = "directory", .kind = CK_STR, .flags = CF_REQUIRED, .offset = P(directory), .check = check_relpath },
	{ .key = "http_path", .kind = CK_STR, .offset = P(http_path) },
	{ .key = "method", .kind = CK_STR, .flags = CF_REQUIRED, .offset = P(method_name), .check = check_method },
	{ .key = "rsync_options", .kind = CK_STRV, .offset = P(rsync_options), .check = check_rsync_option },
	{ .key = "excludes", .kind = CK_STRV, .offset = P(excludes), .check = check_pattern },
	{ .key = "index_files", .kind = CK_STRV, .offset = P(index_files), .check = check_pattern },
	{ .key = "schedule", .kind = CK_STR, .flags = CF_REQUIRED, .offset = P(schedule), .check = check_calendar },
	{ .key = "random_delay", .kind = CK_DURATION, .offset = P(random_delay), .def = "0" },
	{ .key = "timeout", .kind = CK_DURATION, .offset = P(timeout), .def = "6h" },
	{ .key = "stale_after", .kind = CK_DURATION, .offset = P(stale_after) },
	{ .key = "freshness", .kind = CK_STRV, .offset = P(freshness), .check = check_relative_pattern },
	{ .key = "poll", .kind = CK_STRV, .offset = P(poll), .check = check_poll_path },
	{ .key = "poll_refresh", .kind = CK_STRV, .offset = P(poll_refresh), .check = check_relpath },
	{ .key = "archive", .kind = CK_STR, .offset = P(archive), .check = check_archive },
	{ .key = "trace_file", .kind = CK_STR, .offset = P(trace_file), .check = check_trace_file },
	{ .key = "trace_format", .kind = CK_STR, .offset = P(trace_format_name), .check = check_trace_format, .def = "none" },
	{ .key = "backend", .kind = CK_GROUP, .offset = P(has_backend), .sub = backend_schema },
	{ .key = "categories", .kind = CK_CUSTOM, .offset = 0, .parse = categories_parse, .free = categories_free },
	{ .key = "filelist", .kind = CK_STR, .offset = P(filelist), .check = check_safe_name },
	{ .key = "filelist_dir", .kind = CK_STR, .offset = P(filelist_dir), .check = check_relpath },
	{ .key = "filelist_extra", .kind = CK_STRV, .offset = P(filelist_extra), .check = check_safe_name },
	{ .key = "max_delete", .kind = CK_UINT, .offset = P(max_delete), .def = "10", .min = 1, .max = 100 },
	{ .key = "size", .kind = CK_SIZE, .flags = CF_REQUIRED, .offset = P(size) },
	{ .key = "advice", .kind = CK_STR, .flags = CF_NONEMPTY, .offset = P(advice), .check = check_text },
	{ .key = "sources", .kind = CK_CUSTOM, .offset = 0, .parse = sources_parse, .free = sources_free },
	{ .key = "unverified", .kind = CK_STRV, .offset = P(unverified), .check = check_fact_key },
	{ .key = NULL },
};

void profile_free(struct profile *p)
{
	conf_free_fields(profile_schema, p);
	free(p->name);
	free(p->file);
	free(p->upstream_origin);
	*p = (struct profile){ 0 };
}

/* Rules across keys; also fills the derived fields. */
static int profile_finish(struct profile *p, char **error)
{
	_cleanup_free_ char *want = NULL;

	if (asprintf(&want, "/%s/", p->directory) < 0)
		return -ENOMEM;
	if (p->http_path && strcmp(p->http_path, want) != 0) {
		*error = conf_error(p->file, 1, "http_path must be \"%s\" (the tree is served as laid out)", want);
		return -EINVAL;
	}
	free(p->http_path);
	p->http_path = TAKE_PTR(want);
	p->method = (enum sync_method)lookup(method_names, ARRAY_SIZE(method_names), p->method_name);
	p->trace_format = (enum trace_format)lookup(trace_names, ARRAY_SIZE(trace_names), p->trace_format_name);
	if (p->method != SYNC_FTPSYNC && !p->rsync_options[0]) {
		*error = conf_error(p->file, 1, "method %s needs rsync_options", p->method_name);
		return -EINVAL;
	}
	if (p->method == SYNC_TWO_STAGE && !p->index_files[0]) {
		*error = conf_error(p->file, 1, "method two-stage needs index_files");
		return -EINVAL;
	}
	/* ftpsync expands EXCLUDE unquoted: a blank would split a pattern into
	 * two arguments, the second one a path for rsync to copy. */
	for (char **e = p->excludes; p->method == SYNC_FTPSYNC && *e; e++)
		if (strpbrk(*e, " \t")) {
			*error = conf_error(p->file, 1, "excludes: '%s' contains a blank, which ftpsync would split", *e);
			return -EINVAL;
		}
	if (p->method == SYNC_FILELIST && !p->filelist) {
		*error = conf_error(p->file, 1, "method filelist needs filelist (the list's name)");
		return -EINVAL;
	}
	if (p->method != SYNC_FILELIST && (p->filelist || p->filelist_dir || p->filelist_extra[0])) {
		*error = conf_error(p->file, 1, "filelist keys need method filelist");
		return -EINVAL;
	}
	/* With --files-from, -r would send each listed directory whole. */
	for (char **o = p->rsync_options; p->method == SYNC_FILELIST && *o; o++)
		if (strcmp(*o, "--recursive") == 0 || ((*o)[1] != '-' && strchr(*o, 'r'))) {
			*error = conf_error(p->file, 1, "method filelist: rsync_options must not recurse ('%s'): the list names "
					    "every entry", *o);
			return -EINVAL;
		}
	if (p->method == SYNC_FILELIST && !p->filelist_dir && !(p->filelist_dir = strdup(p->directory)))
		return -ENOMEM;
	p->pull = (enum pull_rule)lookup(pull_names, ARRAY_SIZE(pull_names), p->pull_name);
	if (p->pull == PULL_PUBLIC && !p->upstreams[0]) {
		*error = conf_error(p->file, 1, "pull public needs an upstream");
		return -EINVAL;
	}
	/* No default where the project allows none: the admin must choose. */
	if (p->pull != PULL_PUBLIC && (p->upstreams[0] || !p->upstream_list)) {
		*error = conf_error(p->file, 1, "pull %s takes no upstream but an upstream_list (where the project lists the mirrors to pull from)",
				    p->pull_name);
		return -EINVAL;
	}
	if ((p->method == SYNC_FTPSYNC) != (p->archive != NULL)) {
		*error = conf_error(p->file, 1, "archive (ftpsync's archive name) goes with method ftpsync, and only with it");
		return -EINVAL;
	}
	/* One poll per method: a file-list run compares its lists (flsync.h step 2). */
	if (p->method == SYNC_FILELIST && p->poll[0]) {
		*error = conf_error(p->file, 1, "method filelist polls with its file lists: poll does not apply");
		return -EINVAL;
	}
	if (p->poll_refresh[0] && !p->poll[0]) {
		*error = conf_error(p->file, 1, "poll_refresh needs poll");
		return -EINVAL;
	}
	_cleanup_free_ const char **keys = profile_fact_keys(p);
	if (!keys)
		return -ENOMEM;
	for (const char **k = keys; *k; k++) {
		_cleanup_free_ const struct profile_source **src = profile_fact_sources(p, *k);
		if (!src)
			return -ENOMEM;
		if (!src[0] && !profile_fact_unverified(p, *k)) {
			*error = conf_error(p->file, 1, "%s: no source supports it; add it to a source's supports or to unverified", *k);
			return -EINVAL;
		}
	}
	if (p->trace_format != TRACE_NONE && !p->trace_file) {
		*error = conf_error(p->file, 1, "trace_format %s needs trace_file", p->trace_format_name);
		return -EINVAL;
	}
	for (size_t i = 0; i < p->n_categories; i++) {
		struct profile_category *c = &p->categories[i];
		c->topdir = *c->path ? url_join(p->directory, c->path) : strdup(p->directory);
		if (!c->topdir)
			return -ENOMEM;
	}
	return 0;
}

const char **profile_fact_keys(const struct profile *p)
{
	const bool set[] = { p->upstreams[0], true, p->upstream_list, true, p->archive, p->rsync_options[0],
			     p->excludes[0], p->index_files[0], true, p->freshness[0], p->poll[0],
			     p->poll_refresh[0], p->trace_file, p->has_backend, p->n_categories, true, p->advice };
	const char **v = calloc(ARRAY_SIZE(fact_keys) + 1, sizeof(char *));
	size_t n = 0;

	_Static_assert(ARRAY_SIZE(set) == ARRAY_SIZE(fact_keys), "one flag per fact key");
	for (size_t i = 0; v && i < ARRAY_SIZE(fact_keys); i++)
		if (set[i])
			v[n++] = fact_keys[i];
	return v;
}

const struct profile_source **profile_fact_sources(const struct profile *p, const char *key)
{
	const struct profile_source **v = calloc(p->n_sources + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; v && i < p->n_sources; i++)
		if (strv_contains(p->sources[i].supports, key))
			v[n++] = &p->sources[i];
	return v;
}

bool profile_fact_unverified(const struct profile *p, const char *key)
{
	return strv_contains(p->unverified, key);
}

int profile_pick_upstream(struct profile *p, const char *override, const char *origin, char **error)
{
	*error = NULL;
	free(p->upstream_origin);
	p->upstream_origin = NULL;
	p->upstream = NULL;
	if (override) {
		p->upstream = override;
		p->upstream_origin = strdup(origin);
	} else if (p->pull == PULL_PUBLIC) {
		p->upstream = p->upstreams[0];
		p->upstream_origin = strdup("profile default");
	} else {
		static const char *const why[] = { [PULL_TIER1] = "allows pulls only from a tier-1 mirror",
						   [PULL_SITE] = "asks for a real site, not a DNS rotation" };
		if (asprintf(error, "%s: no upstream: %s %s; set profile.%s.upstream in the host configuration (mirrors to pull from: %s)",
			     p->name, p->description, why[p->pull], p->name, p->upstream_list) < 0)
			*error = NULL;
		return -EDESTADDRREQ;
	}
	return p->upstream_origin ? 0 : -ENOMEM;
}

static int name_from_path(const char *path, char **ret)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n <= 5 || strcmp(base + n - 5, ".conf") != 0)
		return -EINVAL;
	*ret = strndup(base, n - 5);
	return *ret ? 0 : -ENOMEM;
}

int profile_load_file(const char *path, struct profile *p, char **error)
{
	_cleanup_free_ char *name = NULL;
	int r;

	*p = (struct profile){ 0 };
	*error = NULL;
	r = name_from_path(path, &name);
	if (r == -ENOMEM)
		return r;
	const char *why = r < 0 ? "a profile file must be named NAME.conf" : check_safe_name(name);
	if (why) {
		*error = conf_error(path, 0, "profile name %s", why);
		return -EINVAL;
	}
	r = conf_load_file(path, profile_schema, p, error);
	if (r < 0)
		return r;
	p->name = TAKE_PTR(name);
	if (!(p->file = strdup(path)))
		r = -ENOMEM;
	else
		r = profile_finish(p, error);
	if (r < 0)
		profile_free(p);
	return r;
}

/* An uninstalled build (TREE/build/mirrorprov) reads the profiles of its own
 * source tree, not those of an installed version: TREE/profiles when TREE, the
 * parent of the binary's directory, holds a Makefile next to profiles/. */
static bool source_tree_profiles(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	for (int i = 0; i < 2; i++) {
		if (!(slash = strrchr(exe, '/')) || slash == exe)
			return false;
		*slash = '\0';
	}
	if (snprintf(buf, size, "%s/Makefile", exe) >= (int)size || access(buf, F_OK) < 0)
		return false;
	return snprintf(buf, size, "%s/profiles", exe) < (int)size && access(buf, F_OK) == 0;
}

const char *const *profile_search_path(void)
{
	static char tree[PATH_MAX];
	static const char *env_path[2];
	static const char *std_path[] = { PROFILE_ETC_DIR, MIRRORPROV_DATADIR "/profiles", NULL };
	static bool looked;
	const char *env = getenv(PROFILE_ENV_DIR);

	if (env && *env) {
		env_path[0] = env;
		return env_path;
	}
	if (!looked && source_tree_profiles(tree, sizeof(tree)))
		std_path[1] = tree;
	looked = true;
	return std_path;
}

static int find_profile(const char *name, char **ret)
{
	for (const char *const *d = profile_search_path(); *d; d++) {
		char *path;
		if (asprintf(&path, "%s/%s.conf", *d, name) < 0)
			return -ENOMEM;
		if (access(path, F_OK) == 0) {
			*ret = path;
			return 0;
		}
		free(path);
	}
	return -ENOENT;
}

int profile_load(const char *name, struct profile *p, char **error)
{
	_cleanup_free_ char *path = NULL;
	const char *why = check_safe_name(name);
	int r;

	*error = NULL;
	if (why) {
		*error = conf_error("profile", 0, "name '%s' %s", name, why);
		return -EINVAL;
	}
	r = find_profile(name, &path);
	if (r == -ENOENT && asprintf(error, "unknown profile '%s'", name) < 0)
		*error = NULL;
	if (r < 0)
		return r;
	return profile_load_file(path, p, error);
}

void profile_set_free(struct profile_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		profile_free(&set->v[i]);
	free(set->v);
	*set = (struct profile_set){ 0 };
}

int profile_load_list(char *const *names, struct profile_set *set, char **error)
{
	size_t n = strv_length(names);

	*set = (struct profile_set){ 0 };
	*error = NULL;
	set->v = calloc(n ? n : 1, sizeof(*set->v));
	if (!set->v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool seen = false;
		for (size_t j = 0; j < set->n && !seen; j++)
			seen = strcmp(set->v[j].name, names[i]) == 0;
		if (seen)
			continue;  /* a repeated name counts once */
		int r = profile_load(names[i], &set->v[set->n], error);
		if (r < 0) {
			profile_set_free(set);
			return r;
		}
		set->n++;
	}
	return 0;
}

/* Names of NAME.conf files in every search directory, sorted, each once. */
static int collect_names(char ***ret)
{
	_cleanup_strvec_ struct strvec v = { 0 };

	for (const char *const *d = profile_search_path(); *d; d++) {
		DIR *dir = opendir(*d);
		struct dirent *de;
		if (!dir)
			continue;
		while ((de = readdir(dir))) {
			char *name;
			if (name_from_path(de->d_name, &name) < 0)
				continue;
			if (de->d_name[0] == '.' || strv_contains(v.v, name)) {
				free(name);
				continue;
			}
			if (strvec_push_take(&v, name) < 0) {
				closedir(dir);
				return -ENOMEM;
			}
		}
		closedir(dir);
	}
	return strvec_steal(&v, true, ret);
}

int profile_load_all(struct profile_set *set, char **error)
{
	_cleanup_strv_free_ char **names = NULL;
	int r;

	*set = (struct profile_set){ 0 };
	*error = NULL;
	r = collect_names(&names);
	return r < 0 ? r : profile_load_list(names, set, error);
}
