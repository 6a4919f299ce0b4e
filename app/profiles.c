#include "profiles.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"

int profile_settle_upstream(const struct hostconf *hc, struct profile *p, const char *override, bool required,
			    struct app_error *e)
{
	_cleanup_free_ char *err = NULL, *key = NULL;
	const struct hostconf_profile *hp = hc ? hostconf_profile(hc, p->name) : NULL;
	const char *origin = "--upstream";
	int r;

	if (!override && hp && hp->upstream) {
		if (asprintf(&key, "%s profile.%s.upstream", hc->path, p->name) < 0)
			return -ENOMEM;
		override = hp->upstream;
		origin = key;
	}
	r = profile_pick_upstream(p, override, origin, &err);
	if (r == -EDESTADDRREQ && !required)
		return 0;
	if (r == -EDESTADDRREQ && err)
		return app_fail(e, APP_BAD_INPUT, r, "%s", err);
	return r < 0 ? app_fail(e, APP_FAILED, r, "%s: %s", p->name, strerror(-r)) : 0;
}

int profiles_require_upstreams(const struct hostconf *hc, struct profile_set *set, struct app_error *e)
{
	int r = 0;

	for (size_t i = 0; i < set->n && r == 0; i++)
		if (!set->v[i].upstream)
			r = profile_settle_upstream(hc, &set->v[i], NULL, true, e);
	return r;
}
