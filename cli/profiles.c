#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/size.h"
#include "lib/strv.h"
#include "mirrorprov.h"
#include "output.h"
#include "sync/profile.h"

struct profiles_options {
	struct common_opts c;
	const char *columns;
};

static const struct col_def profile_cols[] = {
	{ "NAME", COLT_STR, 0, 0, "profile name" },
	{ "DESCRIPTION", COLT_STR, 0, 0, "what is mirrored" },
	{ "MODULE", COLT_STR, 0, 0, "rsync module exported" },
	{ "HTTP-PATH", COLT_STR, 0, 0, "path served over HTTP(S)" },
	{ "METHOD", COLT_STR, 0, 0, "sync method: rsync, two-stage, ftpsync" },
	{ "SCHEDULE", COLT_STR, 0, 0, "systemd OnCalendar= of the sync timer" },
	{ "SIZE", COLT_SIZE, 0, 0, "approximate size" },
	{ "BACKEND", COLT_STR, 0, 0, "registration backend" },
	{ "CATEGORIES", COLT_STRV, 0, 0, "mirror-backend categories" },
	{ "UPSTREAM", COLT_STR, 0, 0, "default upstream rsync source (none: host.conf names it)" },
	{ "PULL", COLT_STR, 0, 0, "pull rule: public, tier1, site" },
	{ "FILE", COLT_STR, 0, 0, "where the profile was read from" },
};

static const struct col_select default_cols = { 7, { 0, 1, 2, 4, 5, 6, 7 } };

static json_object *strv_json(char *const *v)
{
	json_object *a = json_object_new_array();
	for (; v && *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

static json_object *profile_row(const struct profile *p)
{
	json_object *r = json_object_new_object(), *cats = json_object_new_array();

	jset_str(r, "name", p->name);
	jset_str(r, "description", p->description);
	jset_str(r, "module", p->module);
	jset_str(r, "http_path", p->http_path);
	jset_str(r, "method", sync_method_name(p->method));
	jset_str(r, "schedule", p->schedule);
	jset_u64(r, "size", p->size);
	jset_str(r, "backend", p->backend);
	for (size_t i = 0; i < p->n_categories; i++)
		json_object_array_add(cats, json_object_new_string(p->categories[i].name));
	json_object_object_add(r, "categories", cats);
	jset_str(r, "upstream", p->upstreams[0]);
	jset_str(r, "pull", pull_rule_name(p->pull));
	jset_str(r, "file", p->file);
	return r;
}

static json_object *sources_json(const struct profile *p)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < p->n_sources; i++) {
		const struct profile_source *src = &p->sources[i];
		json_object *o = json_object_new_object();
		jset_str(o, "url", src->url);
		json_object_object_add(o, "supports", strv_json(src->supports));
		jset_str(o, "checked", src->checked);
		jset_str(o, "note", src->note);
		json_object_array_add(a, o);
	}
	return a;
}

/* { KEY: { "sources": [ URL, … ], "unverified": bool }, … } for every fact the profile states. */
static json_object *facts_json(const struct profile *p)
{
	_cleanup_free_ const char **keys = profile_fact_keys(p);
	json_object *o = json_object_new_object();

	for (const char **k = keys; k && *k; k++) {
		_cleanup_free_ const struct profile_source **src = profile_fact_sources(p, *k);
		json_object *f = json_object_new_object(), *urls = json_object_new_array();
		for (const struct profile_source **s = src; s && *s; s++)
			json_object_array_add(urls, json_object_new_string((*s)->url));
		json_object_object_add(f, "sources", urls);
		jset_bool(f, "unverified", profile_fact_unverified(p, *k));
		json_object_object_add(o, *k, f);
	}
	return o;
}

/* Everything about one profile: the list row plus the details. */
static json_object *profile_json(const struct profile *p)
{
	json_object *o = profile_row(p), *cats = json_object_new_array();

	jset_str(o, "directory", p->directory);
	json_object_object_add(o, "upstreams", strv_json(p->upstreams));
	json_object_object_add(o, "rsync_options", strv_json(p->rsync_options));
	json_object_object_add(o, "excludes", strv_json(p->excludes));
	json_object_object_add(o, "index_files", strv_json(p->index_files));
	jset_u64(o, "random_delay_sec", p->random_delay);
	jset_u64(o, "timeout_sec", p->timeout);
	json_object_object_add(o, "freshness", strv_json(p->freshness));
	jset_str(o, "trace_file", p->trace_file);
	for (size_t i = 0; i < p->n_categories; i++) {
		json_object *c = json_object_new_object();
		jset_str(c, "name", p->categories[i].name);
		jset_str(c, "topdir", p->categories[i].topdir);
		json_object_array_add(cats, c);
	}
	json_object_object_add(o, "categories", cats);
	jset_str(o, "upstream_list", p->upstream_list);
	json_object_object_add(o, "poll", strv_json(p->poll));
	json_object_object_add(o, "poll_refresh", strv_json(p->poll_refresh));
	jset_str(o, "archive", p->archive);
	jset_str(o, "backend_url", p->backend_url);
	jset_str(o, "advice", p->advice);
	json_object_object_add(o, "sources", sources_json(p));
	json_object_object_add(o, "facts", facts_json(p));
	return o;
}

static void print_strv(const char *key, char *const *v)
{
	if (!v || !*v)
		return;
	printf("%-14s", key);
	for (; *v; v++)
		printf(" %s", *v);
	putchar('\n');
}

static void print_facts(const struct profile *p)
{
	_cleanup_free_ const char **keys = profile_fact_keys(p);

	printf("\nfacts and their sources:\n");
	for (const char **k = keys; k && *k; k++) {
		_cleanup_free_ const struct profile_source **src = profile_fact_sources(p, *k);
		printf("  %-14s", *k);
		for (size_t i = 0; src && src[i]; i++)
			printf(" [%zu]", (size_t)(src[i] - p->sources) + 1);
		if (profile_fact_unverified(p, *k))
			printf(" UNVERIFIED");
		putchar('\n');
	}
	printf("\nsources:\n");
	for (size_t i = 0; i < p->n_sources; i++) {
		const struct profile_source *src = &p->sources[i];
		printf("  [%zu] %s (checked %s)\n", i + 1, src->url, src->checked);
		if (src->note)
			printf("      %s\n", src->note);
	}
	if (!p->n_sources)
		printf("  none: every fact above is unverified\n");
}

static void print_profile(const struct profile *p)
{
	char size[32];

	format_size_human(p->size, size, sizeof(size));
	printf("%-14s %s\n%-14s %s\n", "name:", p->name, "description:", p->description);
	printf("%-14s %s\n", "pull:", pull_rule_name(p->pull));
	print_strv("upstream:", p->upstreams);
	if (p->upstream_list)
		printf("%-14s %s\n", "upstream list:", p->upstream_list);
	printf("%-14s %s\n%-14s %s\n%-14s %s\n%-14s %s\n", "module:", p->module, "directory:", p->directory,
	       "http path:", p->http_path, "method:", sync_method_name(p->method));
	if (p->archive)
		printf("%-14s %s (ftpsync%s%s.conf)\n", "archive:", *p->archive ? p->archive : "(main)",
		       *p->archive ? "-" : "", p->archive);
	print_strv("rsync options:", p->rsync_options);
	print_strv("excludes:", p->excludes);
	print_strv("index files:", p->index_files);
	printf("%-14s %s, random delay %llus, timeout %llus\n", "schedule:", p->schedule,
	       (unsigned long long)p->random_delay, (unsigned long long)p->timeout);
	print_strv("freshness:", p->freshness);
	print_strv("poll:", p->poll);
	print_strv("poll refresh:", p->poll_refresh);
	if (p->trace_file)
		printf("%-14s %s\n", "trace file:", p->trace_file);
	if (p->backend)
		printf("%-14s %s%s%s\n", "backend:", p->backend, p->backend_url ? " " : "", p->backend_url ? p->backend_url : "");
	for (size_t i = 0; i < p->n_categories; i++)
		printf("%-14s %s -> %s/\n", i ? "" : "categories:", p->categories[i].name, p->categories[i].topdir);
	printf("%-14s %s (approximate)\n", "size:", size);
	if (p->advice)
		printf("%-14s %s\n", "advice:", p->advice);
	printf("%-14s %s\n", "file:", p->file);
	print_facts(p);
}

static int profile_error(int r, const char *err)
{
	if (r == -ENOMEM || !err)
		return log_errno(r, "loading profiles");
	return usage_error("%s", err);
}

static int show(const char *name, bool json)
{
	_cleanup_free_ char *err = NULL;
	struct profile p;
	int r = profile_load(name, &p, &err);

	if (r < 0)
		return profile_error(r, err);
	if (json) {
		_cleanup_json_ json_object *o = profile_json(&p);
		r = out_json(stdout, o);
	} else
		print_profile(&p);
	profile_free(&p);
	return r < 0 ? -MP_EFAILED : 0;
}

static int no_profiles(void)
{
	_cleanup_free_ char *where = strv_join((char *const *)profile_search_path(), ", ");

	if (!where)
		return log_errno(-ENOMEM, "listing profiles");
	log_error("no profiles found (looked in %s)", where);
	return EXIT_FAIL;
}

static int list(const struct profiles_options *opt)
{
	_cleanup_free_ char *err = NULL;
	_cleanup_json_ json_object *rows = NULL;
	struct profile_set set;
	struct col_select sel = default_cols;
	const char *bad;
	int r;

	if (opt->columns && cols_parse(profile_cols, ARRAY_SIZE(profile_cols), opt->columns, &default_cols, &sel, &bad) < 0)
		return usage_error("unknown column '%s'", bad);
	r = profile_load_all(&set, &err);
	if (r < 0)
		return profile_error(r, err);
	if (set.n == 0) {
		profile_set_free(&set);
		return no_profiles();
	}
	rows = json_object_new_array();
	for (size_t i = 0; i < set.n; i++)
		json_object_array_add(rows, profile_row(&set.v[i]));
	profile_set_free(&set);
	return out_table(stdout, "profiles", profile_cols, &sel, rows, opt->c.json) < 0 ? -MP_EFAILED : 0;
}

static int profiles_main(void *opts, int argc, char **argv)
{
	struct profiles_options *opt = opts;

	if (argc == 0)
		return list(opt);
	if (strcmp(argv[0], "show") != 0)
		return usage_error("unknown subcommand '%s' (expected 'show NAME')", argv[0]);
	if (argc != 2)
		return usage_error("'show' takes exactly one profile name");
	return show(argv[1], opt->c.json);
}

static const struct opt profiles_opts[] = {
	OPT_STRING("output", 'o', "COLUMNS", "columns to print (\"+COL\" adds to the default set)",
		   struct profiles_options, columns),
	OPT_JSON(struct profiles_options),
	OPT_END,
};

const struct verb verb_profiles = {
	.name = "profiles",
	.summary = "list the content profiles, or show one",
	.synopsis = "mirrorprov profiles [-J] [-o COLUMNS]\n"
		    " mirrorprov profiles show NAME [-J]",
	.options = profiles_opts,
	.help_tail = "\nProfiles are read from $" PROFILE_ENV_DIR " when set, else from " PROFILE_ETC_DIR "\n"
		     "and the installed defaults (the same name in /etc wins).\n",
	.columns = profile_cols,
	.ncolumns = ARRAY_SIZE(profile_cols),
	.opts_size = sizeof(struct profiles_options),
	.args_max = ~0u,   /* "show NAME" is checked by the verb */
	.run = profiles_main,
};
