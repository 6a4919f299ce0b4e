#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "backend/urlcheck.h"
#include "lib/macro.h"
#include "lib/spawn.h"
#include "lib/strv.h"
#include "sync/render.h"

#define MARKER_HEAD_MAX (64u * 1024)   /* a marker's time is stated near its start */
#define STATUS_LOOKBACK (30 * 86400)   /* for the last check and propagation run */

static void json_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}
#define _cleanup_jobj_ _cleanup_(json_putp)

/* "Tue Dec  1 12:00:01 UTC 2026", the first line of a Debian trace. */
static int64_t debian_trace_time(const char *line)
{
	struct tm tm = { 0 };
	const char *e = strptime(line, "%a %b %d %H:%M:%S UTC %Y", &tm);
	return e && (*e == '\0' || *e == '\n') ? (int64_t)timegm(&tm) : 0;
}

int64_t marker_time_of_text(const char *text, size_t len)
{
	char head[256];
	size_t n = strcspn(text, "\n");
	const char *rev;

	if (n >= sizeof(head) || n > len)
		n = len < sizeof(head) - 1 ? len : sizeof(head) - 1;
	memcpy(head, text, n);
	head[n] = '\0';
	/* an epoch (Arch lastupdate and lastsync, AlmaLinux TIME) */
	if (n && n <= 12 && strspn(head, "0123456789") == n)
		return strtoll(head, NULL, 10);
	int64_t t = debian_trace_time(head);
	if (t)
		return t;
	/* repomd.xml: <revision>EPOCH</revision> */
	if ((rev = memmem(text, len, "<revision>", 10))) {
		rev += 10;
		size_t d = 0;
		while (rev + d < text + len && d < 12 && rev[d] >= '0' && rev[d] <= '9')
			d++;
		if (d && rev + d < text + len && rev[d] == '<')
			return strtoll(rev, NULL, 10);
	}
	return 0;
}

int marker_read(const char *path, struct marker_info *m)
{
	unsigned char md[32];
	uint64_t size;
	char head[MARKER_HEAD_MAX + 1];
	struct stat st;
	ssize_t n;
	int r;

	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if ((n = read(fd, head, MARKER_HEAD_MAX)) < 0)
		return negative_errno();
	head[n] = '\0';
	if ((r = check_sha256_file(path, md, &size)) < 0)
		return r;
	for (int i = 0; i < 32; i++)
		sprintf(m->sha256 + 2 * i, "%02x", md[i]);
	m->time = marker_time_of_text(head, (size_t)n);
	m->time_from = m->time ? "content" : "mtime";
	if (!m->time)
		m->time = (int64_t)st.st_mtime;
	return 0;
}

uint64_t calendar_interval(const char *s)
{
	static const struct {
		const char *name;
		uint64_t sec;
	} names[] = {
		{ "minutely", 60 }, { "hourly", 3600 }, { "daily", 86400 }, { "weekly", 604800 },
		{ "monthly", 2678400 },
	};
	const char *time_part = strrchr(s, ' ');
	const char *slash;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].sec;
	time_part = time_part ? time_part + 1 : s;
	if (!strchr(time_part, ':') || !(slash = strchr(time_part, '/')))
		return strchr(time_part, ':') && !strchr(s, '-') ? 86400 : 0;
	/* the field the repetition is in: hours (before the first ':') or minutes */
	unsigned long every = strtoul(slash + 1, NULL, 10);
	if (!every)
		return 0;
	return slash < strchr(time_part, ':') ? every * 3600 : every * 60;
}

uint64_t status_stale_after(const struct profile *p)
{
	uint64_t every = calendar_interval(p->schedule);

	if (p->stale_after)
		return p->stale_after;
	return 2 * (every ? every : 86400) + p->timeout;
}

static void jadd_str(json_object *o, const char *k, const char *v)
{
	if (v)
		json_object_object_add(o, k, json_object_new_string(v));
}

static void jadd_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static json_object *marker_json(const struct marker_info *m)
{
	json_object *o = json_object_new_object();
	jadd_str(o, "path", m->path);
	if (m->sha256[0])
		jadd_str(o, "sha256", m->sha256);
	jadd_int(o, "time", m->time);
	jadd_str(o, "time_from", m->time_from);
	return o;
}

/* The newest upstream freshness marker in the tree (not the host's own trace). */
static int newest_marker(const struct profile *p, const char *local, const char *own_trace, struct marker_info *best)
{
	_cleanup_strv_free_ char **files = NULL;
	const char *unmatched;
	int r = check_expand_markers(local, p->freshness, &files, &unmatched);

	if (r < 0)
		return r;
	*best = (struct marker_info){ 0 };
	for (char **f = files; *f; f++) {
		_cleanup_free_ char *path = NULL;
		struct marker_info m = { 0 };
		if (own_trace && strcmp(*f, own_trace) == 0)
			continue;
		if (asprintf(&path, "%s/%s", local, *f) < 0)
			return -ENOMEM;
		if (marker_read(path, &m) < 0 || m.time <= best->time)
			continue;
		snprintf(m.path, sizeof(m.path), "%s", *f);
		*best = m;
	}
	return best->time ? 0 : -ENOENT;
}

static const char *result_name(int r)
{
	switch (r) {
	case 0:
		return "ok";
	case -ETIMEDOUT:
		return "timeout";
	case -EBUSY:
		return "busy";
	case -EIO:
	case -ENODATA:
		return "failed";
	default:
		return "error";
	}
}

int status_record_sync(const struct history_file *hf, const struct profile *p, const char *root, const char *host,
		       int r, const struct sync_result *res, time_t start, time_t end)
{
	_cleanup_jobj_ json_object *o = json_object_new_object();
	_cleanup_free_ char *local = NULL, *trace = NULL;
	struct marker_info up, own = { 0 };
	struct statvfs vfs;

	if (!o || asprintf(&local, "%s/%s", root, p->directory) < 0)
		return -ENOMEM;
	jadd_int(o, "start", start);
	jadd_str(o, "result", result_name(r));
	jadd_str(o, "upstream", p->upstream);
	jadd_str(o, "poll", res->poll);   /* "unchanged": the poll found nothing new, nothing was pulled */
	if (r < 0 && res->exit_code)
		jadd_int(o, "exit_code", res->exit_code);
	if (r < 0 && res->message)
		jadd_str(o, "message", res->message);
	else if (r < 0) {
		char what[64];
		if (res->exit_code)
			snprintf(what, sizeof(what), "%s exited with %d", p->method == SYNC_FTPSYNC ? "ftpsync" : "rsync",
				 res->exit_code);
		jadd_str(o, "message", res->exit_code ? what : strerror(-r));
	}
	jadd_int(o, "files", (int64_t)res->files);
	jadd_int(o, "bytes", (int64_t)res->bytes);
	if (res->tree_bytes)
		jadd_int(o, "tree_bytes", (int64_t)res->tree_bytes);
	/* the host's own trace (ftpsync writes it itself): the local side, never upstream's */
	if (sync_trace_path(p, host, &trace) < 0)
		trace = NULL;
	if (r == 0 && newest_marker(p, local, trace, &up) == 0) {
		json_object_object_add(o, "upstream_marker", marker_json(&up));
		_cleanup_free_ char *tp = NULL;
		if (trace && asprintf(&tp, "%s/%s", local, trace) >= 0 && marker_read(tp, &own) == 0)
			snprintf(own.path, sizeof(own.path), "%s", trace);
		int64_t served = own.time ? own.time : (int64_t)end;
		if (own.time)
			json_object_object_add(o, "local_marker", marker_json(&own));
		/* A run the poll skipped pulled nothing: the lag is still the last pull's. */
		if (!res->skipped)
			jadd_int(o, "lag_seconds", served > up.time ? served - up.time : 0);
	}
	if (statvfs(local, &vfs) == 0) {
		jadd_int(o, "fs_used_bytes", (int64_t)((vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize));
		jadd_int(o, "fs_size_bytes", (int64_t)(vfs.f_blocks * vfs.f_frsize));
	}
	return history_append(hf, "sync", p->name, end, o);
}

int status_record_checks(const struct history_file *hf, json_object *rows, time_t start, time_t end)
{
	size_t n = json_object_array_length(rows);
	int ret = 0;

	/* rows come grouped by profile, in the order checkrun() made them */
	for (size_t i = 0; i < n;) {
		json_object *row = json_object_array_get_idx(rows, i), *v;
		const char *prof = json_object_object_get_ex(row, "profile", &v) ? json_object_get_string(v) : "";
		_cleanup_jobj_ json_object *o = json_object_new_object();
		json_object *urls = json_object_new_array();
		bool ok = true;

		jadd_int(o, "start", start);
		for (; i < n; i++) {
			json_object *r = json_object_array_get_idx(rows, i), *u = json_object_new_object(), *f;
			if (!json_object_object_get_ex(r, "profile", &v) || strcmp(json_object_get_string(v), prof)) {
				json_object_put(u);
				break;
			}
			json_object_object_foreach(r, k, val) {
				if (strcmp(k, "profile") && (strcmp(k, "first_failure") || val))
					json_object_object_add(u, k, json_object_get(val));
			}
			ok &= json_object_object_get_ex(r, "result", &f) && strcmp(json_object_get_string(f), "pass") == 0;
			json_object_array_add(urls, u);
		}
		jadd_str(o, "result", ok ? "pass" : "FAIL");
		json_object_object_add(o, "urls", urls);
		int r = history_append(hf, "check", prof, end, o);
		if (r < 0 && !ret)
			ret = r;
	}
	return ret;
}

/* ---- collecting ---- */

/* What the scan still looks for, per profile. */
enum need {
	NEED_LAST = 1 << 0,    /* the newest sync */
	NEED_OK = 1 << 1,      /* the newest successful one */
	NEED_TREE = 1 << 2,    /* the newest tree size (a run the poll skipped has none) */
	NEED_CHECK = 1 << 3,
	NEED_PROP = 1 << 4,
	NEED_LAG = 1 << 5,     /* the newest lag (idem) */
	NEED_ALL = (1 << 6) - 1,
};

struct collect {
	const struct status_opts *o;
	struct status_report *rep;
	unsigned *need;   /* per profile: enum need bits still missing */
	size_t missing;   /* profiles with any need left */
	bool lookback_open;
};

static struct profile_status *find(struct collect *c, const char *name, size_t *idx)
{
	for (size_t i = 0; i < c->rep->n; i++)
		if (strcmp(c->rep->v[i].profile->name, name) == 0) {
			*idx = i;
			return &c->rep->v[i];
		}
	return NULL;
}

/* Marks what profile i no longer needs; counts the profiles with nothing left. */
static void got(struct collect *c, size_t i, unsigned what)
{
	if (c->need[i] && !(c->need[i] &= ~what))
		c->missing--;
}

static enum history_want want(const struct history_head *h, void *userdata)
{
	struct collect *c = userdata;
	size_t i;
	bool in_series = c->o->series_since && h->time >= c->o->series_since;

	/* checks, propagation runs and lags older than this are not looked for:
	 * without any, the scan would read the whole file to say "not checked" */
	if (h->time < c->rep->now - STATUS_LOOKBACK && c->lookback_open) {
		c->lookback_open = false;
		for (size_t k = 0; k < c->rep->n; k++)
			got(c, k, NEED_CHECK | NEED_PROP | NEED_LAG);
	}
	if (!c->missing && !in_series)
		return HISTORY_STOP;
	if (!find(c, h->profile, &i))
		return HISTORY_SKIP;
	if (strcmp(h->type, "sync") == 0)
		return in_series || c->need[i] & (NEED_LAST | NEED_OK | NEED_TREE | NEED_LAG) ? HISTORY_PARSE : HISTORY_SKIP;
	if (strcmp(h->type, "check") == 0)
		return c->need[i] & NEED_CHECK ? HISTORY_PARSE : HISTORY_SKIP;
	if (strcmp(h->type, "propagation") == 0)
		return c->need[i] & NEED_PROP ? HISTORY_PARSE : HISTORY_SKIP;
	return HISTORY_SKIP;
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;
	return json_object_object_get_ex(o, k, &v) && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
											       : NULL;
}

static bool jint(json_object *o, const char *k, int64_t *ret)
{
	json_object *v;
	if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_int))
		return false;
	*ret = json_object_get_int64(v);
	return *ret >= 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int series_add(struct status_series *s, int64_t t, double v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct status_point *p = realloc(s->v, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		s->v = p;
		s->cap = cap;
	}
	s->v[s->n++] = (struct status_point){ t, v };
	return 0;
}

static void series_reverse(struct status_series *s)
{
	for (size_t i = 0, j = s->n ? s->n - 1 : 0; i < j; i++, j--) {
		struct status_point t = s->v[i];
		s->v[i] = s->v[j];
		s->v[j] = t;
	}
}

static int take_urls(json_object *rec, struct status_url **ret, size_t *n)
{
	json_object *urls;
	size_t len;

	if (!json_object_object_get_ex(rec, "urls", &urls) || !json_object_is_type(urls, json_type_array))
		return 0;
	len = json_object_array_length(urls);
	if (!(*ret = calloc(len ? len : 1, sizeof(**ret))))
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		json_object *u = json_object_array_get_idx(urls, i);
		const char *url = jstr(u, "url");
		if (!url)
			continue;
		struct status_url *s = &(*ret)[(*n)++];
		s->url = strdup(url);
		s->result = dup_or_null(jstr(u, "result") ? jstr(u, "result") : jstr(u, "state"));
		s->detail = dup_or_null(jstr(u, "first_failure") ? jstr(u, "first_failure") : jstr(u, "detail"));
		jint(u, "behind_seconds", &s->behind);
		if (!s->url)
			return -ENOMEM;
	}
	return 0;
}

static int visit_sync(struct collect *c, size_t i, const struct history_head *h, json_object *rec)
{
	struct profile_status *s = &c->rep->v[i];
	const char *result = jstr(rec, "result");
	int64_t start = h->time, v;
	bool ok = result && strcmp(result, "ok") == 0;

	if (!jint(rec, "start", &start) || start > h->time)
		start = h->time;   /* no start, or a damaged one: no duration */
	if (c->need[i] & NEED_LAST) {
		got(c, i, NEED_LAST);
		s->last_time = h->time;
		s->last_result = strdup(result ? result : "unknown");
		s->last_message = dup_or_null(jstr(rec, "message"));
		s->last_seconds = (double)(h->time - start);
		if (jint(rec, "bytes", &v))
			s->last_bytes = (uint64_t)v;
		if (jint(rec, "files", &v))
			s->last_files = (uint64_t)v;
		if (!s->last_result)
			return -ENOMEM;
	}
	if (ok && c->need[i] & NEED_OK) {
		got(c, i, NEED_OK);
		s->success_time = h->time;
	}
	if (ok && c->need[i] & NEED_LAG && jint(rec, "lag_seconds", &s->lag)) {
		got(c, i, NEED_LAG);
		s->has_lag = true;
	}
	if (ok && c->need[i] & NEED_TREE && jint(rec, "tree_bytes", &v)) {
		got(c, i, NEED_TREE);
		s->has_tree = true;
		s->tree_bytes = (uint64_t)v;
	}
	if (c->o->series_since && h->time >= c->o->series_since) {
		int64_t used, size;
		if (series_add(&s->duration, h->time, (double)(h->time - start)) < 0)
			return -ENOMEM;
		if (ok && jint(rec, "lag_seconds", &v) && series_add(&s->lag_series, h->time, (double)v) < 0)
			return -ENOMEM;
		if (jint(rec, "fs_used_bytes", &used) && jint(rec, "fs_size_bytes", &size) && size > 0 &&
		    series_add(&s->disk_used, h->time, (double)used) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int visit(const struct history_head *h, json_object *rec, void *userdata)
{
	struct collect *c = userdata;
	size_t i;
	int r = 0;

	if (!find(c, h->profile, &i))
		return 0;
	if (strcmp(h->type, "sync") == 0)
		r = visit_sync(c, i, h, rec);
	else if (strcmp(h->type, "check") == 0 && c->need[i] & NEED_CHECK) {
		got(c, i, NEED_CHECK);
		c->rep->v[i].check_time = h->time;
		r = take_urls(rec, &c->rep->v[i].checks, &c->rep->v[i].n_checks);
	} else if (strcmp(h->type, "propagation") == 0 && c->need[i] & NEED_PROP) {
		got(c, i, NEED_PROP);
		c->rep->v[i].prop_time = h->time;
		r = take_urls(rec, &c->rep->v[i].props, &c->rep->v[i].n_props);
	}
	return r < 0 ? r : 0;
}

void status_parse_timers(char *text, char *const *ids, size_t n, int64_t *next)
{
	char *rest = text, *id = NULL;
	int64_t t = 0;

	for (size_t i = 0; i < n; i++)
		next[i] = 0;
	/* blocks of "Key=value" lines in systemd's order, one per unit, separated by an empty line */
	for (char *line = rest ? strsep(&rest, "\n") : NULL; line; line = rest ? strsep(&rest, "\n") : NULL) {
		if (strncmp(line, "Id=", 3) == 0)
			id = line + 3;
		else if (strncmp(line, "NextElapseUSecRealtime=@", 24) == 0)
			t = strtoll(line + 24, NULL, 10);
		if (*line && rest)
			continue;
		for (size_t i = 0; id && t > 0 && i < n; i++)
			if (strcmp(id, ids[i]) == 0)
				next[i] = t;
		id = NULL;
		t = 0;
	}
}

/* NextElapseUSecRealtime of each profile's timer, from one systemctl call. */
static void next_runs(struct status_report *rep)
{
	_cleanup_strvec_ struct strvec a = { 0 };
	struct spawn_opts so = { .capture_stdout = 1, .timeout_sec = 5, .max_capture = 1 << 20 };
	struct spawn_result sr;

	if (access("/run/systemd/system", F_OK) < 0 || rep->n == 0)
		return;
	strvec_push(&a, "systemctl");
	strvec_push(&a, "show");
	strvec_push(&a, "--timestamp=unix");
	strvec_push(&a, "--property=Id,NextElapseUSecRealtime");
	for (size_t i = 0; i < rep->n; i++)
		strvec_push_take(&a, sync_timer_name(rep->v[i].profile));
	if (strvec_error(&a) < 0 || spawn_run(a.v, &so, &sr) < 0)
		return;
	int64_t next[rep->n];
	status_parse_timers(sr.out, a.v + 4, rep->n, next);
	for (size_t i = 0; i < rep->n; i++)
		rep->v[i].next_run = next[i];
	spawn_result_free(&sr);
}

int status_collect(const struct profile_set *set, const struct status_opts *o, struct status_report *rep)
{
	struct collect c = { .o = o, .rep = rep, .lookback_open = true };
	int r;

	*rep = (struct status_report){ .now = o->now ? o->now : (int64_t)time(NULL) };
	rep->v = calloc(set->n ? set->n : 1, sizeof(*rep->v));
	c.need = calloc(set->n + 1, sizeof(*c.need));
	if (!rep->v || !c.need) {
		r = -ENOMEM;
		goto out;
	}
	rep->n = set->n;
	for (size_t i = 0; i < set->n; i++) {
		rep->v[i].profile = &set->v[i];
		c.need[i] = NEED_ALL;
	}
	c.missing = set->n;
	r = history_scan_back(o->history, want, visit, &c, &rep->scan);
	if (r == -ENOENT) {
		rep->no_history = true;
		r = 0;
	}
	if (r < 0)
		goto out;
	for (size_t i = 0; i < rep->n; i++) {
		struct profile_status *s = &rep->v[i];
		_cleanup_free_ char *local = NULL;
		struct statvfs vfs;

		series_reverse(&s->duration);
		series_reverse(&s->lag_series);
		series_reverse(&s->disk_used);
		s->stale_after = status_stale_after(s->profile);
		s->stale = !s->success_time || rep->now - s->success_time > (int64_t)s->stale_after;
		rep->any_stale |= s->stale;
		if (o->root && asprintf(&local, "%s/%s", o->root, s->profile->directory) >= 0 &&
		    statvfs(local, &vfs) == 0) {
			s->has_fs = true;
			s->fs_used = (vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize;
			s->fs_size = vfs.f_blocks * vfs.f_frsize;
		}
	}
	if (o->timers)
		next_runs(rep);
out:
	free(c.need);
	if (r < 0)
		status_report_free(rep);
	return r;
}

static void urls_free(struct status_url *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(u[i].url);
		free(u[i].result);
		free(u[i].detail);
	}
	free(u);
}

void status_report_free(struct status_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		struct profile_status *s = &rep->v[i];
		free(s->last_result);
		free(s->last_message);
		urls_free(s->checks, s->n_checks);
		urls_free(s->props, s->n_props);
		free(s->duration.v);
		free(s->lag_series.v);
		free(s->disk_used.v);
	}
	free(rep->v);
	*rep = (struct status_report){ 0 };
}
