/* Content profiles (sync/profile.c over lib/conf.c and libconfig), loaded from
 * a file as profile_load() does.  Properties: a failure explains itself as
 * "FILE:…"; an accepted profile has a safe module name, paths that stay below
 * the mirror root, rsync:// upstreams (a default exactly when the project
 * allows public pulls), category top directories below its own directory,
 * relative poll markers and no fact without a source or an "unverified". */
#include <errno.h>

#include "lib/macro.h"
#include "lib/names.h"
#include "sync/profile.h"
#include "fuzz.h"

static void check_accepted(const struct profile *p)
{
	FUZZ_ASSERT(!check_safe_name(p->name) && !check_safe_name(p->module));
	FUZZ_ASSERT(!check_relpath(p->directory));
	FUZZ_ASSERT(p->upstreams && (p->pull == PULL_PUBLIC) == (p->upstreams[0] != NULL));
	FUZZ_ASSERT(p->pull == PULL_PUBLIC || p->upstream_list);
	for (char **u = p->upstreams; *u; u++)
		FUZZ_ASSERT(!check_rsync_source(*u));
	for (size_t i = 0; i < p->n_categories; i++) {
		const char *t = p->categories[i].topdir;
		FUZZ_ASSERT(!check_relpath(t) && strncmp(t, p->directory, strlen(p->directory)) == 0);
	}
	for (char **f = p->freshness; f && *f; f++)
		FUZZ_ASSERT(**f != '/' && !strstr(*f, ".."));
	for (char **f = p->poll; f && *f; f++)
		FUZZ_ASSERT(**f != '/' && !strstr(*f, ".."));
	_cleanup_free_ const char **keys = profile_fact_keys(p);
	for (const char **k = keys; k && *k; k++) {
		_cleanup_free_ const struct profile_source **src = profile_fact_sources(p, *k);
		FUZZ_ASSERT(!src || src[0] || profile_fact_unverified(p, *k));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_file("fuzz.conf", data, size);
	struct profile p;
	_cleanup_free_ char *err = NULL;
	int r;

	r = profile_load_file(path, &p, &err);
	if (r < 0) {
		FUZZ_ASSERT(r == -ENOMEM || (err && strncmp(err, path, strlen(path)) == 0));
		return 0;
	}
	check_accepted(&p);
	profile_free(&p);
	return 0;
}
