#include "checkrun.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "lib/runas.h"
#include "lib/names.h"

#ifndef MIRRORPROV_VERSION
#define MIRRORPROV_VERSION "0.1"
#endif

#define URL_KINDS (URL_RSYNC + 1)   /* http, https, rsync */

/* What one profile's checks compare against: a sample of the local files and its markers. */
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

static int pick_files(const char *root, const struct profile *p, const struct checkrun_opts *o, struct prof_files *f)
{
	int k;

	if (asprintf(&f->local, "%s/%s", root, p->directory) < 0) {
		f->local = NULL;
		return -ENOMEM;
	}
	if ((k = check_pick_files(f->local, o->full, o->sample, &f->files)) < 0 ||
	    (k = check_expand_markers(f->local, p->freshness, &f->markers, &f->unmatched)) < 0)
		f->err = k;
	return 0;
}

/* One target per profile and URL of the host; owner[j] is the profile of target j. */
static int build_targets(const struct hostconf *hc, const struct profile_set *set, struct prof_files *pf,
			 struct checkrun_result *ret, struct check_target *t, size_t *owner)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct profile *p = &set->v[i];
		for (enum url_scheme s = URL_HTTP; s <= URL_RSYNC; s++) {
			if (!checkrun_base(hc, s))
				continue;
			struct url_check *u = &ret->v[ret->n];
			u->url = checkrun_url(hc, p, s);
			u->profile = strdup(p->name);
			if (!u->url || !u->profile) {
				free(u->url);
				free(u->profile);
				return -ENOMEM;
			}
			owner[ret->n] = i;
			t[ret->n++] = (struct check_target){ .profile = p->name, .url = u->url, .local = pf[i].local,
							     .files = pf[i].files, .markers = pf[i].markers };
		}
	}
	return 0;
}

/* Runs the targets whose local tree could be read: an unreadable one is not checked remotely. */
static int run_live(const struct check_target *t, const size_t *owner, const struct prof_files *pf,
		    const struct checkrun_opts *o, const struct run_as *user, struct checkrun_result *ret)
{
	struct check_opts co = { .ca_file = o->ca, .timeout = o->timeout, .per_host = o->per_host,
				 .user_agent = "mirrorprov/" MIRRORPROV_VERSION " (mirror URL check)",
				 .full_listing = o->full, .user = user };
	size_t n = ret->n ? ret->n : 1, live = 0;
	_cleanup_free_ struct check_target *lt = calloc(n, sizeof(*lt));
	_cleanup_free_ size_t *map = calloc(n, sizeof(size_t));
	_cleanup_free_ struct check_result *lres = calloc(n, sizeof(*lres));
	int r;

	if (!lt || !map || !lres)
		return -ENOMEM;
	for (size_t j = 0; j < ret->n; j++)
		if (!pf[owner[j]].err) {
			map[live] = j;
			lt[live++] = t[j];
		}
	r = check_run(lt, live, &co, lres);
	for (size_t j = 0; j < live; j++)
		ret->v[map[j]].res = lres[j];
	return r < 0 ? r : 0;
}

/* A local problem fails every URL of the profile. */
static void add_local_failure(struct check_result *res, const struct prof_files *f)
{
	if (f->err) {
		res->ok = false;
		res->failed++;
		if (asprintf(&res->first_failure, "local tree %s: %s", f->local, strerror(-f->err)) < 0)
			res->first_failure = NULL;
	} else if (f->unmatched) {
		res->ok = false;
		res->failed++;
		if (!res->first_failure &&
		    asprintf(&res->first_failure, "freshness marker '%s': no such local file", f->unmatched) < 0)
			res->first_failure = NULL;
	}
}

int checkrun_network_user(const struct hostconf *hc, struct run_as *user, const struct run_as **ret,
			  struct app_error *e)
{
	const char *name = hc->has_mirror ? hc->mirror.user : HOSTCONF_DEFAULT_USER;
	int r = run_as_unprivileged(name, user);

	if (r == -ESRCH)
		r = run_as_unprivileged("nobody", user);
	if (r == -EPERM)
		return app_fail(e, APP_BAD_INPUT, r, "mirror.user '%s' is root: data from the network is never handled "
				"as root", name);
	if (r < 0)
		return app_fail(e, APP_FAILED, r, "looking up mirror.user '%s' (or nobody): %s", name, strerror(-r));
	*ret = r > 0 ? user : NULL;
	return 0;
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
	     const struct checkrun_opts *o, struct checkrun_result *ret, struct app_error *e)
{
	_cleanup_(run_as_free) struct run_as user = { 0 };
	const struct run_as *as = NULL;
	size_t n = set->n * URL_KINDS + 1;
	_cleanup_free_ struct check_target *t = calloc(n, sizeof(*t));
	_cleanup_free_ struct prof_files *pf = calloc(set->n + 1, sizeof(*pf));
	_cleanup_free_ size_t *owner = calloc(n, sizeof(size_t));
	int r;

	*ret = (struct checkrun_result){ .v = calloc(n, sizeof(struct url_check)) };
	if ((r = checkrun_network_user(hc, &user, &as, e)) < 0) {
		free(ret->v);
		ret->v = NULL;
		return r;
	}
	if (!t || !pf || !owner || !ret->v)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < set->n; i++)
		r = pick_files(root, &set->v[i], o, &pf[i]);
	if (r == 0)
		r = build_targets(hc, set, pf, ret, t, owner);
	if (r == 0)
		r = run_live(t, owner, pf, o, as, ret);
	for (size_t j = 0; r == 0 && j < ret->n; j++) {
		add_local_failure(&ret->v[j].res, &pf[owner[j]]);
		if (!ret->v[j].res.ok && !ret->failed++)
			ret->first_failed = &ret->v[j];
	}
	for (size_t i = 0; pf && i < set->n; i++)
		prof_files_free(&pf[i]);
	if (r < 0) {
		checkrun_result_free(ret);
		return app_fail(e, APP_FAILED, r, "checking URLs: %s", strerror(-r));
	}
	return 0;
}

void checkrun_result_free(struct checkrun_result *r)
{
	for (size_t j = 0; j < r->n; j++) {
		free(r->v[j].profile);
		free(r->v[j].url);
		check_result_free(&r->v[j].res);
	}
	free(r->v);
	*r = (struct checkrun_result){ 0 };
}
