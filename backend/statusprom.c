/* The status as a node_exporter textfile-collector file (Prometheus text
 * exposition format 0.0.4): every family with HELP and TYPE, base units in
 * the names (_seconds, _bytes, _timestamp_seconds), no _total since nothing
 * here is a counter: each value is the state after the last run. */
#include "status.h"

#include <errno.h>
#include <string.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/strbuf.h"

static void family(struct strbuf *sb, const char *name, const char *help)
{
	strbuf_addf(sb, "# HELP mirrorprov_%s %s\n# TYPE mirrorprov_%s gauge\n", name, help, name);
}

static void sample(struct strbuf *sb, const char *name, const char *profile, const char *url, double v)
{
	strbuf_addf(sb, "mirrorprov_%s{profile=", name);
	strbuf_add_dquoted(sb, profile);
	if (url) {
		strbuf_adds(sb, ",url=");
		strbuf_add_dquoted(sb, url);
	}
	strbuf_addf(sb, "} %.17g\n", v);
}

/* Each per-profile family: name, help, and which value a profile has (false: none). */
struct prom_family {
	const char *name, *help;
	bool (*get)(const struct profile_status *s, double *v);
};

#define GETTER(fn, cond, expr)                                               \
	static bool fn(const struct profile_status *s, double *v)            \
	{                                                                    \
		if (!(cond))                                                 \
			return false;                                        \
		*v = (double)(expr);                                         \
		return true;                                                 \
	}

GETTER(g_success, s->success_time, s->success_time)
GETTER(g_last, s->last_time, s->last_time)
GETTER(g_last_ok, s->last_time, s->last_result && strcmp(s->last_result, "ok") == 0)
GETTER(g_duration, s->last_time, s->last_seconds)
GETTER(g_bytes, s->last_time, s->last_bytes)
GETTER(g_files, s->last_time, s->last_files)
GETTER(g_lag, s->has_lag, s->lag)
GETTER(g_stale, true, s->stale)
GETTER(g_threshold, true, s->stale_after)
GETTER(g_next, s->next_run, s->next_run)
GETTER(g_fs_size, s->has_fs, s->fs_size)
GETTER(g_fs_used, s->has_fs, s->fs_used)
GETTER(g_tree, s->has_tree, s->tree_bytes)
GETTER(g_expected, true, s->profile->size)
GETTER(g_check_time, s->check_time, s->check_time)

static const struct prom_family families[] = {
	{ "sync_last_success_timestamp_seconds", "End of the last successful sync.", g_success },
	{ "sync_last_run_timestamp_seconds", "End of the last sync, successful or not.", g_last },
	{ "sync_last_run_success", "1 when the last sync succeeded, else 0.", g_last_ok },
	{ "sync_duration_seconds", "Duration of the last sync.", g_duration },
	{ "sync_transferred_bytes", "Bytes of file data the last sync transferred.", g_bytes },
	{ "sync_transferred_files", "Regular files the last sync transferred.", g_files },
	{ "upstream_lag_seconds", "At the last successful sync: its end minus the time the upstream's freshness marker states.", g_lag },
	{ "stale", "1 when the last successful sync is older than the profile's threshold (or none), else 0.", g_stale },
	{ "stale_threshold_seconds", "Age of the last successful sync beyond which the profile is stale.", g_threshold },
	{ "sync_next_run_timestamp_seconds", "Next run of the profile's systemd timer.", g_next },
	{ "filesystem_size_bytes", "Size of the filesystem holding the profile's tree.", g_fs_size },
	{ "filesystem_used_bytes", "Used bytes of the filesystem holding the profile's tree.", g_fs_used },
	{ "tree_size_bytes", "Size of the profile's tree at the last successful sync (rsync's total file size).", g_tree },
	{ "tree_expected_size_bytes", "Approximate size the profile states for its tree.", g_expected },
	{ "check_last_run_timestamp_seconds", "End of the last URL check of the profile.", g_check_time },
};

int status_write_prometheus(const struct status_report *rep, const char *path)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };
	double v;
	int r;

	for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
		family(&sb, families[f].name, families[f].help);
		for (size_t i = 0; i < rep->n; i++)
			if (families[f].get(&rep->v[i], &v))
				sample(&sb, families[f].name, rep->v[i].profile->name, NULL, v);
	}
	family(&sb, "check_up", "1 when the last check of the URL passed, else 0.");
	for (size_t i = 0; i < rep->n; i++)
		for (size_t u = 0; u < rep->v[i].n_checks; u++) {
			const struct status_url *c = &rep->v[i].checks[u];
			sample(&sb, "check_up", rep->v[i].profile->name, c->url, c->result && strcmp(c->result, "pass") == 0);
		}
	family(&sb, "propagation_current", "1 when the URL served the upstream's freshness markers at the last propagation check, else 0.");
	for (size_t i = 0; i < rep->n; i++)
		for (size_t u = 0; u < rep->v[i].n_props; u++) {
			const struct status_url *c = &rep->v[i].props[u];
			sample(&sb, "propagation_current", rep->v[i].profile->name, c->url,
			       c->result && strcmp(c->result, "current") == 0);
		}
	family(&sb, "history_corrupt_lines", "Lines of the history file skipped as corrupt while reading it.");
	strbuf_addf(&sb, "mirrorprov_history_corrupt_lines %zu\n", rep->scan.corrupt);
	if ((r = strbuf_error(&sb)) < 0)
		return r;
	r = write_file_atomic(path, sb.buf, sb.len, 0644, false);
	return r < 0 ? r : 0;
}
