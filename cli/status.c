#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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
#include "app/checkrun.h"
#include "checkrun.h"
#include "lib/names.h"
#include "lib/runas.h"
#include "lib/strv.h"
#include "statusrun.h"
#include "sync/syncrun.h"

#ifndef MIRRORPROV_VERSION
#define MIRRORPROV_VERSION "0.1"
#endif

static const struct col_def propagation_cols[] = {
	{ "PROFILE", COLT_STR, 0, 0, "content profile" },
	{ "URL", COLT_STR, 0, 0, "the profile's URL on this host" },
	{ "STATE", COLT_STR, 0, 0, "current, behind by N, different, or error (upstream unreadable)" },
	{ "DETAIL", COLT_STR, 0, 0, "the first marker that differs, or why it could not be fetched" },
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

	if (!t || !gmtime_r(&tt, &tm))
		snprintf(buf, len, "-");
	else
		strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
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
		/* the failing URLs by scheme: "2/3 pass, https FAIL" */
		int k = 0;
		for (size_t u = 0; u < s->n_checks; u++)
			pass += strcmp(s->checks[u].result ? s->checks[u].result : "", "pass") == 0;
		k = snprintf(buf, sizeof(buf), "%zu/%zu pass", pass, s->n_checks);
		for (size_t u = 0; u < s->n_checks && k > 0 && (size_t)k < sizeof(buf); u++)
			if (strcmp(s->checks[u].result ? s->checks[u].result : "", "pass"))
				k += snprintf(buf + k, sizeof(buf) - k, ", %.*s FAIL", (int)strcspn(s->checks[u].url, ":"),
					      s->checks[u].url);
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
	_cleanup_(run_as_free) struct run_as u = { 0 };

	*hf = (struct history_file){ .uid = (uid_t)-1, .gid = (gid_t)-1 };
	if (!(*path = history_default_path()))
		return -ENOMEM;
	hf->path = *path;
	/* root hands the file to the mirror user, as whom the timers run sync */
	if (user && run_as_unprivileged(user, &u) > 0) {
		hf->uid = u.uid;
		hf->gid = u.gid;
	}
	return 0;
}

int status_outputs(const struct mirrorctx *ctx, const struct profile_set *set, const char *history,
		   const char *prometheus, const char *html, bool after_run, struct status_report *rep)
{
	const struct hostconf *hc = ctx->loaded ? &ctx->hc : NULL;
	struct status_opts so = { .history = history, .root = mirrorctx_root(ctx), .timers = true };
	const char *host = hc && hc->has_host ? hc->host.name : NULL, *what = history;
	char name[256];
	int r;

	so.now = time(NULL);
	if (html)
		so.series_since = so.now - 30 * 86400;
	if ((r = status_collect(set, &so, rep)) == 0) {
		warn_corrupt(history, rep);
		if (rep->no_history && !after_run)
			log_warn("no history yet (%s): no sync or check has run here", history);
		if (!host && gethostname(name, sizeof(name)) == 0) {
			name[sizeof(name) - 1] = '\0';
			host = name;
		}
		if (prometheus && (r = status_write_prometheus(rep, prometheus)) < 0)
			what = prometheus;
		else if (html && (r = status_write_html(rep, host ? host : "this mirror", html)) < 0)
			what = html;
		if (r < 0)
			status_report_free(rep);
	}
	if (r == 0)
		return 0;
	/* after a sync or check the run itself is what counts */
	if (after_run) {
		log_warn("status not written (%s: %s)", what, strerror(-r));
		return -MP_EFAILED;
	}
	return log_errno(r, "%s", what);
}

/* The page root wrote belongs to mirror.user, as the history does: the timers
 * run sync as that user, and it must be able to replace the page. */
static void give_page(const struct mirrorctx *ctx, const char *dir)
{
	_cleanup_free_ char *path = NULL, *page = NULL;
	struct history_file hf;

	if (!dir || status_history_file(ctx, &hf, &path) < 0 || hf.uid == (uid_t)-1 ||
	    asprintf(&page, "%s/index.html", dir) < 0)
		return;
	if (chown(dir, hf.uid, hf.gid) < 0 || chown(page, hf.uid, hf.gid) < 0)
		log_warn("%s: cannot give it to mirror.user: %s", dir, strerror(errno));
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
	if (mirrorctx_profiles(ctx, NULL, &set) != 0)
		return;
	if (status_outputs(ctx, &set, history, hc->mirror.prometheus_file, html, true, &rep) == 0) {
		status_report_free(&rep);
		give_page(ctx, html);
	}
	profile_set_free(&set);
}

void status_note_sync(const struct mirrorctx *ctx, const struct profile *p, const char *root, int r,
		      const struct sync_result *res, time_t start)
{
	_cleanup_free_ char *path = NULL;
	struct history_file hf;
	char host[256] = "";
	int k = status_history_file(ctx, &hf, &path);

	if (ctx->loaded && ctx->hc.has_host)
		snprintf(host, sizeof(host), "%s", ctx->hc.host.name);
	else if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	if (k == 0)
		k = status_record_sync(&hf, p, root, host, r, res, start, time(NULL));
	if (k < 0)
		log_warn("this run is not in the history %s: %s", path ? path : "", strerror(-k));
	status_after_run(ctx);
}

void status_note_checks(const struct mirrorctx *ctx, json_object *rows, time_t start)
{
	_cleanup_free_ char *path = NULL;
	struct history_file hf;
	int r = status_history_file(ctx, &hf, &path);

	if (r == 0)
		r = status_record_checks(&hf, rows, start, time(NULL));
	if (r < 0)
		log_warn("this check is not in the history %s: %s", path ? path : "", strerror(-r));
	status_after_run(ctx);
}

void note_checks(const struct mirrorctx *ctx, const struct checkrun_result *cr, time_t start)
{
	_cleanup_json_ json_object *rows = checkrun_rows(cr);

	status_note_checks(ctx, rows, start);
}

struct prop_options {
	const char *upstream, *ca;
	unsigned timeout;
};

/* One profile: fetch and compare, append to the history, add rows. */
static int propagate_one(const struct mirrorctx *ctx, const struct profile *p, const struct prop_options *po,
			 const struct check_opts *co, const struct history_file *hf, json_object *rows, bool *all_current)
{
	const struct hostconf *hc = &ctx->hc;
	_cleanup_free_ char *local = NULL, *trace = NULL;
	_cleanup_strvec_ struct strvec urls = { 0 };
	json_object *rec = NULL, *arr;
	time_t start = time(NULL);
	int r;

	for (enum url_scheme s = URL_HTTP; s <= URL_RSYNC; s++)
		if (checkrun_base(hc, s))
			strvec_push_take(&urls, checkrun_url(hc, p, s));
	if (asprintf(&local, "%s/%s", mirrorctx_root(ctx), p->directory) < 0 || strvec_error(&urls) < 0)
		return log_errno(-ENOMEM, "propagation");
	if (sync_trace_path(p, hc->host.name, &trace) < 0)
		trace = NULL;
	struct propagation_request rq = { .profile = p, .local = local, .own_trace = trace,
					  .upstream = p->upstream, .urls = urls.v,
					  .opts = co };
	r = propagation_run(&rq, &rec);
	if (r == -ENODATA) {
		log_error("%s: none of the profile's freshness markers is in %s (not synced yet?)", p->name, local);
		*all_current = false;
		return 0;
	}
	if (r < 0)
		return log_errno(r, "%s: fetching the freshness markers", p->name);
	json_object_object_add(rec, "start", json_object_new_int64(start));
	if ((r = history_append(hf, "propagation", p->name, time(NULL), rec)) < 0)
		log_warn("this run is not in the history %s: %s", hf->path, strerror(-r));
	json_object_object_get_ex(rec, "urls", &arr);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *u = json_object_array_get_idx(arr, i), *v, *o = json_object_new_object();
		const char *state = json_object_object_get_ex(u, "state", &v) ? json_object_get_string(v) : "";
		char buf[64];
		jset_str(o, "profile", p->name);
		json_object_object_get_ex(u, "url", &v);
		jset_str(o, "url", json_object_get_string(v));
		if (strcmp(state, "behind") == 0 && json_object_object_get_ex(u, "behind_seconds", &v)) {
			strcpy(buf, "behind by ");
			status_format_duration(json_object_get_int64(v), buf + 10, sizeof(buf) - 10);
			jset_str(o, "state", buf);
			json_object_object_add(o, "behind_seconds", json_object_get(v));
		} else
			jset_str(o, "state", state);
		jset_str(o, "detail", json_object_object_get_ex(u, "detail", &v) ? json_object_get_string(v) : NULL);
		*all_current &= strcmp(state, "current") == 0;
		json_object_array_add(rows, o);
	}
	json_object_put(rec);
	return 0;
}

static int run_propagation(const struct mirrorctx *ctx, const struct profile_set *set, const struct prop_options *po,
			   bool json)
{
	_cleanup_(run_as_free) struct run_as user = { 0 };
	_cleanup_free_ char *path = NULL;
	_cleanup_json_ json_object *rows = json_object_new_array();
	struct check_opts co = { .ca_file = po->ca, .timeout = po->timeout, .per_host = 4,
				 .user_agent = "mirrorprov/" MIRRORPROV_VERSION " (propagation check)" };
	struct history_file hf;
	struct col_select all;
	bool current = true;
	int r;

	if (!ctx->loaded || !ctx->hc.has_host)
		return usage_error("the host configuration has no host section (its URLs are what is compared)");
	struct app_error e = { 0 };
	if ((r = checkrun_network_user(&ctx->hc, &user, &co.user, &e)) < 0) {
		r = report_app_error(&e, r);
		app_error_free(&e);
		return r;
	}
	if ((r = status_history_file(ctx, &hf, &path)) < 0)
		return log_errno(r, "history");
	for (size_t i = 0; i < set->n && r == 0; i++)
		r = propagate_one(ctx, &set->v[i], po, &co, &hf, rows, &current);
	if (r != 0)
		return r;
	status_after_run(ctx);
	cols_all(ARRAY_SIZE(propagation_cols), &all);
	if ((r = out_table(stdout, "propagation", propagation_cols, &all, rows, json)) < 0)
		return r;
	return current ? 0 : -MP_EFAILED;
}

struct status_options {
	struct common_opts c;
	struct mirrorctx ctx;
	const char *profiles, *columns, *prometheus, *html;
	bool propagation;
	struct prop_options po;
};

static void status_init(void *opts)
{
	((struct status_options *)opts)->po.timeout = 10;
}

static int opt_timeout(void *field, const char *arg, const struct opt *o)
{
	char *end;

	errno = 0;
	unsigned long t = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || t < 1 || t > 3600)
		return usage_error("--timeout '%s' is not a whole number from 1 to 3600", arg);
	*(unsigned *)field = (unsigned)t;
	return 0;
}

/* What goes with what. */
static int check_combination(const struct status_options *o)
{
	if (o->propagation && (o->prometheus || o->html || o->columns))
		return usage_error("--propagation takes neither --prometheus, --html nor --output");
	if (!o->propagation && (o->po.upstream || o->po.ca || o->po.timeout != 10))
		return usage_error("--upstream, --ca and --timeout go with --propagation");
	if (o->po.upstream && (!o->profiles || strchr(o->profiles, ',')))
		return usage_error("--upstream needs one --profile");
	return 0;
}

/* where each profile pulls from: --upstream, host.conf profile.NAME.upstream, the default */
static int propagation(struct status_options *o, struct profile_set *set)
{
	int r = 0;

	for (size_t i = 0; i < set->n && r == 0; i++)
		r = mirrorctx_upstream(&o->ctx, &set->v[i], o->po.upstream, true);
	return r < 0 ? r : run_propagation(&o->ctx, set, &o->po, o->c.json);
}

static int show(struct status_options *o, const struct profile_set *set, const struct col_select *sel)
{
	_cleanup_free_ char *history = history_default_path();
	struct status_report rep;
	int r;

	if (!history)
		return log_errno(-ENOMEM, "history");
	if ((r = status_outputs(&o->ctx, set, history, o->prometheus, o->html, false, &rep)) < 0)
		return r;
	if (o->c.json) {
		_cleanup_json_ json_object *doc = report_json(&rep);
		r = out_json(stdout, doc);
	} else {
		_cleanup_json_ json_object *rows = table_rows(&rep);
		r = out_table(stdout, "status", status_cols, sel, rows, false);
	}
	if (r == 0 && rep.any_stale)
		r = -MP_ESTALE;
	status_report_free(&rep);
	return r;
}

static int status_main(void *opts, int argc, char **argv)
{
	struct status_options *o = opts;
	struct profile_set set = { 0 };
	struct col_select sel, all;
	const char *bad;
	int r;

	if ((r = check_combination(o)) < 0)
		return r;
	cols_all(ARRAY_SIZE(status_cols), &all);
	if (!o->columns)
		sel = all;
	else if ((r = cols_parse(status_cols, ARRAY_SIZE(status_cols), o->columns, &all, &sel, &bad)) < 0)
		return r == -EINVAL ? usage_error("unknown column '%s'", bad) : log_errno(r, "columns");
	if ((r = mirrorctx_load(&o->ctx)) == 0 && (r = mirrorctx_profiles(&o->ctx, o->profiles, &set)) == 0)
		r = o->propagation ? propagation(o, &set) : show(o, &set, &sel);
	profile_set_free(&set);
	mirrorctx_free(&o->ctx);
	return r;
}

static const struct opt status_opts[] = {
	OPT_GROUP(mirrorctx_options, struct status_options, ctx),
	OPT_STRING("profile", 'p', "LIST", "profiles to show (default: mirror.profiles)", struct status_options, profiles),
	OPT_STRING("prometheus", 0, "FILE", "also write FILE for node_exporter's textfile collector",
		   struct status_options, prometheus),
	OPT_STRING("html", 0, "DIR", "also write the public status page DIR/index.html", struct status_options, html),
	OPT_STRING("output", 'o', "LIST", "columns to show", struct status_options, columns),
	OPT_FLAG("propagation", 0, "compare the freshness markers of upstream and of each URL of the host",
		 struct status_options, propagation),
	OPT_CALL("upstream", 'u', "URL", "with --propagation and one profile: this upstream instead of the profile's",
		 struct status_options, po.upstream, opt_rsync_source),
	OPT_STRING("ca", 0, "FILE", "also trust this CA certificate for https", struct status_options, po.ca),
	OPT_CALL("timeout", 0, "SEC", "connect and stall timeout of the fetches (default 10)", struct status_options,
		 po.timeout, opt_timeout),
	OPT_JSON(struct status_options),
	OPT_END,
};

const struct verb verb_status = {
	.name = "status",
	.summary = "how fresh each profile is; Prometheus textfile and status page",
	.synopsis = "mirrorprov status [-c HOST.conf] [--root DIR] [--profile NAME,...] [--prometheus FILE] [--html DIR]\n"
		    "                  [-o COLUMNS] [-J]\n"
		    " mirrorprov status --propagation [-c HOST.conf] [--profile NAME,...] [--upstream URL] [--ca FILE]\n"
		    "                  [--timeout SEC] [-J]",
	.options = status_opts,
	.help_tail = "\nExit status 0 when every profile is fresh, 4 when one is stale; with --propagation\n"
		     "0 when every URL is current, 1 otherwise.\n",
	.columns = status_cols,
	.ncolumns = ARRAY_SIZE(status_cols),
	.opts_size = sizeof(struct status_options),
	.init = status_init,
	.run = status_main,
};
