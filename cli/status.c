#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/history.h"
#include "backend/status.h"
#include "lib/fileio.h"
#include "lib/size.h"
#include "mirrorctx.h"
#include "mirrorprov.h"
#include "output.h"
#include "statusrun.h"

static const struct verb_help status_help = {
	"mirrorprov status [-c HOST.conf] [--root DIR] [--profile NAME,...] [--prometheus FILE] [--html DIR]\n"
	"                  [-o COLUMNS] [-J]",
	MIRRORCTX_HELP
	"  -p, --profile LIST    profiles to show (default: mirror.profiles)\n"
	"      --prometheus FILE also write FILE for node_exporter's textfile collector\n"
	"      --html DIR        also write the public status page DIR/index.html\n"
	"  -o, --output LIST     columns to show\n"
	HELP_OPT_JSON HELP_OPT_HELP
	"\nExit status 0 when every profile is fresh, 4 when one is stale.\n",
};

static const struct col_def status_cols[] = {
	{ "PROFILE", COLT_STR, 0, 0, "content profile" },
	{ "STATE", COLT_STR, 0, 0, "fresh, or STALE when the last success is older than the threshold" },
	{ "LAST-SUCCESS", COLT_STR, 0, 0, "end of the last successful sync (UTC)" },
	{ "AGE", COLT_STR, 0, 0, "time since the last successful sync" },
	{ "RESULT", COLT_STR, 0, 0, "result of the last sync" },
	{ "LAG", COLT_STR, 0, 0, "upstream lag at the last successful sync" },
	{ "NEXT-RUN", COLT_STR, 0, 0, "next run of the sync timer (UTC)" },
	{ "DISK", COLT_STR, 0, 0, "used of the filesystem holding the tree" },
	{ "TREE", COLT_STR, 0, 0, "tree size at the last successful sync, of the profile's size" },
	{ "CHECKS", COLT_STR, 0, 0, "URLs passing at the last check" },
	{ "MESSAGE", COLT_STR, 0, 0, "why the last sync failed" },
};

static void utc(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!t)
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M", gmtime_r(&tt, &tm));
}

static json_object *table_rows(const struct status_report *rep)
{
	json_object *rows = json_object_new_array();

	for (size_t i = 0; i < rep->n; i++) {
		const struct profile_status *s = &rep->v[i];
		json_object *o = json_object_new_object();
		char buf[96], a[32], b[32];
		size_t pass = 0;

		jset_str(o, "profile", s->profile->name);
		jset_str(o, "state", s->stale ? "STALE" : "fresh");
		utc(s->success_time, buf, sizeof(buf));
		jset_str(o, "last_success", buf);
		if (s->success_time)
			status_format_duration(rep->now - s->success_time, buf, sizeof(buf));
		jset_str(o, "age", s->success_time ? buf : "-");
		jset_str(o, "result", s->last_result ? s->last_result : "never ran");
		if (s->has_lag)
			status_format_duration(s->lag, buf, sizeof(buf));
		jset_str(o, "lag", s->has_lag ? buf : "-");
		utc(s->next_run, buf, sizeof(buf));
		jset_str(o, "next_run", buf);
		format_size_human(s->fs_used, a, sizeof(a));
		format_size_human(s->fs_size, b, sizeof(b));
		snprintf(buf, sizeof(buf), "%s of %s", a, b);
		jset_str(o, "disk", s->has_fs ? buf : "-");
		format_size_human(s->tree_bytes, a, sizeof(a));
		format_size_human(s->profile->size, b, sizeof(b));
		snprintf(buf, sizeof(buf), "%s of ~%s", s->has_tree ? a : "-", b);
		jset_str(o, "tree", buf);
		for (size_t u = 0; u < s->n_checks; u++)
			pass += strcmp(s->checks[u].result ? s->checks[u].result : "", "pass") == 0;
		snprintf(buf, sizeof(buf), "%zu/%zu pass", pass, s->n_checks);
		jset_str(o, "checks", s->n_checks ? buf : "-");
		jset_str(o, "message", s->last_message);
		json_object_array_add(rows, o);
	}
	return rows;
}

static void jset_time(json_object *o, const char *k, int64_t t)
{
	json_object_object_add(o, k, t ? json_object_new_int64(t) : NULL);
}

static json_object *urls_json(const struct status_url *u, size_t n, bool prop)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		jset_str(o, "url", u[i].url);
		jset_str(o, prop ? "state" : "result", u[i].result);
		if (prop && u[i].result && strcmp(u[i].result, "behind") == 0)
			jset_u64(o, "behind_seconds", (unsigned long long)u[i].behind);
		if (u[i].detail)
			jset_str(o, "detail", u[i].detail);
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *report_json(const struct status_report *rep)
{
	json_object *doc = json_object_new_object(), *arr = json_object_new_array();

	json_object_object_add(doc, "time", json_object_new_int64(rep->now));
	jset_bool(doc, "stale", rep->any_stale);
	jset_u64(doc, "history_corrupt_lines", rep->scan.corrupt);
	for (size_t i = 0; i < rep->n; i++) {
		const struct profile_status *s = &rep->v[i];
		json_object *o = json_object_new_object();
		jset_str(o, "profile", s->profile->name);
		jset_bool(o, "stale", s->stale);
		jset_u64(o, "stale_after_seconds", s->stale_after);
		jset_time(o, "last_success", s->success_time);
		json_object_object_add(o, "age_seconds", s->success_time ? json_object_new_int64(rep->now - s->success_time) : NULL);
		jset_time(o, "last_run", s->last_time);
		jset_str(o, "last_result", s->last_result);
		jset_str(o, "last_message", s->last_message);
		json_object_object_add(o, "last_duration_seconds", s->last_time ? json_object_new_double(s->last_seconds) : NULL);
		jset_u64(o, "last_bytes", s->last_bytes);
		jset_u64(o, "last_files", s->last_files);
		json_object_object_add(o, "upstream_lag_seconds", s->has_lag ? json_object_new_int64(s->lag) : NULL);
		jset_time(o, "next_run", s->next_run);
		json_object_object_add(o, "fs_used_bytes", s->has_fs ? json_object_new_int64((int64_t)s->fs_used) : NULL);
		json_object_object_add(o, "fs_size_bytes", s->has_fs ? json_object_new_int64((int64_t)s->fs_size) : NULL);
		json_object_object_add(o, "tree_bytes", s->has_tree ? json_object_new_int64((int64_t)s->tree_bytes) : NULL);
		jset_u64(o, "expected_size_bytes", s->profile->size);
		jset_time(o, "last_check", s->check_time);
		json_object_object_add(o, "checks", urls_json(s->checks, s->n_checks, false));
		jset_time(o, "last_propagation", s->prop_time);
		json_object_object_add(o, "propagation", urls_json(s->props, s->n_props, true));
		json_object_array_add(arr, o);
	}
	json_object_object_add(doc, "profiles", arr);
	return doc;
}

/* The warning for skipped lines: they cost their record, never the run. */
static void warn_corrupt(const char *path, const struct status_report *rep)
{
	if (rep->scan.corrupt)
		log_warn("%s: %zu corrupt line%s skipped (the first at byte %llu)", path, rep->scan.corrupt,
			 rep->scan.corrupt == 1 ? "" : "s", (unsigned long long)rep->scan.first_corrupt);
}

int status_history_file(const struct mirrorctx *ctx, struct history_file *hf, char **path)
{
	const char *user = ctx->loaded && ctx->hc.has_mirror ? ctx->hc.mirror.user : NULL;
	struct passwd *pw;

	*hf = (struct history_file){ .uid = (uid_t)-1, .gid = (gid_t)-1 };
	if (!(*path = history_default_path()))
		return -ENOMEM;
	hf->path = *path;
	/* root hands the file to the mirror user, as whom the timers run sync */
	if (geteuid() == 0 && user && (pw = getpwnam(user)) && pw->pw_uid != 0) {
		hf->uid = pw->pw_uid;
		hf->gid = pw->pw_gid;
	}
	return 0;
}

int status_outputs(const struct mirrorctx *ctx, const struct profile_set *set, const char *history,
		   const char *prometheus, const char *html, struct status_report *rep)
{
	const struct hostconf *hc = ctx->loaded ? &ctx->hc : NULL;
	struct status_opts so = { .history = history, .root = mirrorctx_root(ctx), .timers = true };
	const char *host = hc && hc->has_host ? hc->host.name : NULL;
	char name[256];
	int r;

	so.now = time(NULL);
	if (html)
		so.series_since = so.now - 30 * 86400;
	if ((r = status_collect(set, &so, rep)) < 0)
		return log_errno(r, "reading %s", history);
	warn_corrupt(history, rep);
	if (prometheus && (r = status_write_prometheus(rep, prometheus)) < 0)
		return log_errno(r, "writing %s", prometheus);
	if (!host && gethostname(name, sizeof(name)) == 0) {
		name[sizeof(name) - 1] = '\0';
		host = name;
	}
	if (html && (r = status_write_html(rep, host ? host : "this mirror", html)) < 0)
		return log_errno(r, "writing %s/index.html", html);
	return EXIT_OK;
}

void status_after_run(const struct mirrorctx *ctx)
{
	const struct hostconf *hc = ctx->loaded && ctx->hc.has_mirror ? &ctx->hc : NULL;
	_cleanup_free_ char *history = NULL, *html = NULL;
	struct profile_set set = { 0 };
	struct status_report rep;

	if (!hc || (!hc->mirror.prometheus_file && !hc->mirror.status_path) || !hc->mirror.profiles ||
	    !hc->mirror.profiles[0])
		return;
	if (!(history = history_default_path()) || (hc->mirror.status_path && !(html = state_path("status")))) {
		log_warn("status not written: %s", strerror(ENOMEM));
		return;
	}
	if (mirrorctx_profiles(ctx, NULL, &set) != EXIT_OK)
		return;
	if (status_outputs(ctx, &set, history, hc->mirror.prometheus_file, html, &rep) == EXIT_OK)
		status_report_free(&rep);
	profile_set_free(&set);
}

int cmd_status(int argc, char **argv)
{
	enum { OPT_PROMETHEUS = 0x300, OPT_HTML };
	static const struct option longopts[] = {
		MIRRORCTX_LONGOPTS,
		{ "profile", required_argument, NULL, 'p' }, { "output", required_argument, NULL, 'o' },
		{ "prometheus", required_argument, NULL, OPT_PROMETHEUS }, { "html", required_argument, NULL, OPT_HTML },
		OPT_JSON, OPT_HELP, OPT_END,
	};
	struct mirrorctx ctx = { 0 };
	const char *profiles = NULL, *columns = NULL, *prometheus = NULL, *html = NULL, *bad;
	_cleanup_free_ char *history = NULL;
	struct profile_set set = { 0 };
	struct col_select sel, all;
	struct status_report rep;
	bool json = false;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:p:o:Jh", longopts, NULL)) != -1) {
		if (mirrorctx_option(&ctx, c, optarg))
			continue;
		switch (c) {
		case 'p':
			profiles = optarg;
			break;
		case 'o':
			columns = optarg;
			break;
		case OPT_PROMETHEUS:
			prometheus = optarg;
			break;
		case OPT_HTML:
			html = optarg;
			break;
		case 'J':
			json = true;
			break;
		case 'h':
			verb_print_help(&status_help);
			cols_print_help(stdout, status_cols, ARRAY_SIZE(status_cols));
			return EXIT_OK;
		default:
			return usage_error("try 'mirrorprov status --help'");
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	cols_all(ARRAY_SIZE(status_cols), &all);
	if (!columns)
		sel = all;
	else if ((r = cols_parse(status_cols, ARRAY_SIZE(status_cols), columns, &all, &sel, &bad)) < 0)
		return r == -EINVAL ? usage_error("unknown column '%s'", bad) : log_errno(r, "columns");
	if ((r = mirrorctx_load(&ctx)) != EXIT_OK)
		return r;
	if ((r = mirrorctx_profiles(&ctx, profiles, &set)) != EXIT_OK)
		goto out;
	if (!(history = history_default_path())) {
		r = log_errno(-ENOMEM, "history");
		goto out;
	}
	if ((r = status_outputs(&ctx, &set, history, prometheus, html, &rep)) != EXIT_OK)
		goto out;
	if (json) {
		_cleanup_json_ json_object *doc = report_json(&rep);
		r = out_json(stdout, doc) < 0 ? EXIT_FAIL : EXIT_OK;
	} else {
		_cleanup_json_ json_object *rows = table_rows(&rep);
		r = out_table(stdout, "status", status_cols, &sel, rows, false) < 0 ? EXIT_FAIL : EXIT_OK;
	}
	if (r == EXIT_OK && rep.any_stale)
		r = EXIT_STALE;
	status_report_free(&rep);
out:
	profile_set_free(&set);
	mirrorctx_free(&ctx);
	return r;
}
