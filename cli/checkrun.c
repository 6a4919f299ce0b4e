#include "checkrun.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend/urlcheck.h"
#include "lib/names.h"
#include "mirrorprov.h"

#ifndef MIRRORPROV_VERSION
#define MIRRORPROV_VERSION "0.1"
#endif

const struct col_def checkrun_cols[] = {
	{ "PROFILE", COLT_STR, 0, 0, "content profile" },
	{ "URL", COLT_STR, 0, 0, "the profile's URL on this host" },
	{ "RESULT", COLT_STR, 0, 0, "pass or FAIL" },
	{ "FILES", COLT_NUM, 0, 0, "files checked for presence and size" },
	{ "MARKERS", COLT_NUM, 0, 0, "freshness markers compared byte for byte" },
	{ "FAILED", COLT_NUM, 0, 0, "checks that failed" },
	{ "FIRST-FAILURE", COLT_STR, 0, 0, "the first failed check" },
};
const size_t checkrun_ncols = ARRAY_SIZE(checkrun_cols);

static int parse_uint(const char *opt, const char *arg, unsigned long min, unsigned long max, unsigned long *ret)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max)
		return usage_error("%s '%s' is not a whole number from %lu to %lu", opt, arg, min, max);
	*ret = v;
	return 0;
}

int checkrun_option(struct checkrun_opts *o, int c, const char *arg)
{
	unsigned long v;
	int r;

	switch (c) {
	case OPT_CHECK_FULL:
		o->full = true;
		return 1;
	case OPT_CHECK_SAMPLE:
		if ((r = parse_uint("--sample", arg, 0, 100000, &v)))
			return r;
		o->sample = v;
		return 1;
	case OPT_CHECK_CA:
		o->ca = arg;
		return 1;
	case OPT_CHECK_TIMEOUT:
		if ((r = parse_uint("--timeout", arg, 1, 3600, &v)))
			return r;
		o->timeout = (unsigned)v;
		return 1;
	case OPT_CHECK_PER_HOST:
		if ((r = parse_uint("--per-host", arg, 1, 64, &v)))
			return r;
		o->per_host = (unsigned)v;
		return 1;
	}
	return 0;
}

struct prof_files {
	char **files, **markers;
	char *local;
	const char *unmatched;   /* a freshness pattern with no local file */
	int err;                 /* the local tree could not be read */
};

static void prof_files_free(struct prof_files *f)
{
	strv_freep(&f->files);
	strv_freep(&f->markers);
	free(f->local);
}

static void add_row(json_object *rows, const char *profile, const char *url, const struct check_result *r)
{
	json_object *o = json_object_new_object();
	jset_str(o, "profile", profile);
	jset_str(o, "url", url);
	jset_str(o, "result", r->ok ? "pass" : "FAIL");
	jset_u64(o, "files", r->files);
	jset_u64(o, "markers", r->markers);
	jset_u64(o, "failed", r->failed);
	jset_str(o, "first_failure", r->first_failure);
	json_object_array_add(rows, o);
}

int checkrun_network_user(const struct hostconf *hc, struct run_as *user, const struct run_as **ret)
{
	const char *uname = hc->has_mirror ? hc->mirror.user : HOSTCONF_DEFAULT_USER;
	int r = run_as_unprivileged(uname, user);

	if (r == -ESRCH)
		r = run_as_unprivileged("nobody", user);
	if (r == -EPERM)
		return usage_error("mirror.user '%s' is root: data from the network is never handled as root", uname);
	if (r < 0)
		return log_errno(r, "looking up mirror.user '%s' (or nobody)", uname);
	*ret = r > 0 ? user : NULL;
	return EXIT_OK;
}

const char *checkrun_base(const struct hostconf *hc, enum url_scheme s)
{
	return s == URL_HTTP ? hc->host.url_http : s == URL_HTTPS ? hc->host.url_https : hc->host.url_rsync;
}

char *checkrun_url(const struct hostconf *hc, const struct profile *p, enum url_scheme s)
{
	return url_join(checkrun_base(hc, s), s == URL_RSYNC ? p->module : p->http_path);
}

int checkrun(const struct hostconf *hc, const char *root, const struct profile_set *set,
	     const struct checkrun_opts *o, json_object *rows, bool *all_ok)
{
	const size_t per = URL_RSYNC + 1;   /* http, https, rsync */
	size_t n = set->n * per, nt = 0;
	_cleanup_free_ struct check_target *t = calloc(n ? n : 1, sizeof(*t));
	_cleanup_free_ struct check_result *res = calloc(n ? n : 1, sizeof(*res));
	_cleanup_free_ struct prof_files *pf = calloc(set->n ? set->n : 1, sizeof(*pf));
	_cleanup_free_ char **urls = calloc(n ? n : 1, sizeof(char *));
	_cleanup_free_ size_t *owner = calloc(n ? n : 1, sizeof(size_t));
	struct check_opts co = { .ca_file = o->ca, .timeout = o->timeout, .per_host = o->per_host,
				 .user_agent = "mirrorprov/" MIRRORPROV_VERSION " (mirror URL check)",
				 .full_listing = o->full };
	_cleanup_(run_as_free) struct run_as user = { 0 };
	int r = checkrun_network_user(hc, &user, &co.user);
	if (r != EXIT_OK)
		return r;

	if (!t || !res || !pf || !urls || !owner)
		return log_errno(-ENOMEM, "checks");
	*all_ok = true;
	for (size_t i = 0; i < set->n && r == EXIT_OK; i++) {
		const struct profile *p = &set->v[i];
		int k;

		if (asprintf(&pf[i].local, "%s/%s", root, p->directory) < 0)
			return log_errno(-ENOMEM, "checks");
		if ((k = check_pick_files(pf[i].local, o->full, o->sample, &pf[i].files)) < 0 ||
		    (k = check_expand_markers(pf[i].local, p->freshness, &pf[i].markers, &pf[i].unmatched)) < 0)
			pf[i].err = k;
		for (enum url_scheme s = URL_HTTP; s <= URL_RSYNC; s++) {
			if (!checkrun_base(hc, s))
				continue;
			char *u = checkrun_url(hc, p, s);
			if (!u) {
				r = log_errno(-ENOMEM, "checks");
				break;
			}
			urls[nt] = u;
			owner[nt] = i;
			t[nt] = (struct check_target){ .profile = p->name, .url = u, .local = pf[i].local,
						       .files = pf[i].files, .markers = pf[i].markers };
			nt++;
		}
	}
	if (r == EXIT_OK) {
		/* a profile whose local tree is unreadable is not checked remotely */
		size_t live = 0;
		_cleanup_free_ struct check_target *lt = calloc(nt ? nt : 1, sizeof(*lt));
		_cleanup_free_ size_t *map = calloc(nt ? nt : 1, sizeof(size_t));
		_cleanup_free_ struct check_result *lres = calloc(nt ? nt : 1, sizeof(*lres));
		if (!lt || !map || !lres)
			return log_errno(-ENOMEM, "checks");
		for (size_t j = 0; j < nt; j++)
			if (!pf[owner[j]].err) {
				map[live] = j;
				lt[live++] = t[j];
			}
		int k = check_run(lt, live, &co, lres);
		if (k < 0)
			r = log_errno(k, "checking URLs");
		for (size_t j = 0; j < live; j++)
			res[map[j]] = lres[j];
	}
	for (size_t j = 0; j < nt; j++) {
		const struct prof_files *f = &pf[owner[j]];
		if (r == EXIT_OK) {
			if (f->err) {
				res[j].ok = false;
				res[j].failed++;
				if (asprintf(&res[j].first_failure, "local tree %s: %s", f->local, strerror(-f->err)) < 0)
					res[j].first_failure = NULL;
			} else if (f->unmatched) {
				res[j].ok = false;
				res[j].failed++;
				if (!res[j].first_failure &&
				    asprintf(&res[j].first_failure, "freshness marker '%s': no such local file", f->unmatched) < 0)
					res[j].first_failure = NULL;
			}
			*all_ok &= res[j].ok;
			add_row(rows, t[j].profile, t[j].url, &res[j]);
		}
		check_result_free(&res[j]);
		free(urls[j]);
	}
	for (size_t i = 0; i < set->n; i++)
		prof_files_free(&pf[i]);
	return r;
}
