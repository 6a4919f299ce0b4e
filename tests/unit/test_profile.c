/* Profiles: every shipped profile loads with the facts other verbs rely on;
 * every broken fixture is rejected with the right FILE:LINE. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/conf.h"
#include "lib/macro.h"
#include "sync/profile.h"

#define BAD "tests/fixtures/profiles-bad/"

static const char *const shipped[] = {
	"almalinux", "archlinux", "centos-stream", "debian", "debian-security", "epel", "fedora",
	"fedora-archive", "fedora-secondary", "opensuse", "rocky", "rpmfusion", "ubuntu", "ubuntu-releases",
};

static void all_shipped_load(void **state)
{
	struct profile_set set;
	_cleanup_free_ char *err = NULL;

	setenv(PROFILE_ENV_DIR, "profiles", 1);
	int r = profile_load_all(&set, &err);
	if (r < 0)
		fail_msg("%s", err);
	assert_int_equal(set.n, ARRAY_SIZE(shipped));
	for (size_t i = 0; i < set.n; i++) {
		const struct profile *p = &set.v[i];
		assert_string_equal(p->name, shipped[i]);
		/* A default upstream exactly where the project allows public pulls. */
		assert_true(p->pull == PULL_PUBLIC ? p->upstreams[0] != NULL : p->upstreams[0] == NULL && p->upstream_list);
		/* Every project names where a mirror registers. */
		assert_true(p->has_backend || strcmp(p->name, "debian-security") == 0);
		assert_true(p->n_sources > 0);
		assert_true(p->size > 0);
		assert_non_null(p->freshness[0]);
		char want[128];
		snprintf(want, sizeof(want), "/%s/", p->directory);
		assert_string_equal(p->http_path, want);
		/* Debian and Ubuntu require module == HTTP path; we keep it for every profile. */
		assert_string_equal(p->module, p->directory);
	}
	profile_set_free(&set);
}

static void facts(void **state)
{
	struct profile p;
	_cleanup_free_ char *err = NULL;

	setenv(PROFILE_ENV_DIR, "profiles", 1);
	assert_int_equal(profile_load("fedora", &p, &err), 0);
	assert_int_equal(p.method, SYNC_FILELIST);
	assert_string_equal(p.filelist, "fullfiletimelist-fedora");
	assert_string_equal(p.filelist_dir, "fedora");
	assert_int_equal(p.max_delete, 10);
	assert_int_equal(p.pull, PULL_TIER1);
	assert_null(p.upstreams[0]);
	assert_string_equal(p.backend, "mirrormanager");
	assert_string_equal(p.backend_url, "https://mirrormanager.fedoraproject.org/");
	assert_string_equal(p.poll[0], "fullfiletimelist-fedora");
	assert_true(profile_fact_unverified(&p, "schedule"));
	_cleanup_free_ const struct profile_source **src = profile_fact_sources(&p, "pull");
	assert_non_null(src[0]);
	assert_string_equal(src[0]->url, "https://fedoraproject.org/wiki/Infrastructure/Mirroring/Tiering");
	assert_string_equal(src[0]->checked, "2026-12-01");
	/* No default: picking one needs host.conf, and the refusal says where to look. */
	assert_int_equal(profile_pick_upstream(&p, NULL, NULL, &err), -EDESTADDRREQ);
	assert_non_null(strstr(err, "profile.fedora.upstream"));
	assert_non_null(strstr(err, "Infrastructure/Mirroring/Tiering"));
	free(err);
	err = NULL;
	assert_int_equal(profile_pick_upstream(&p, "rsync://tier1.example.org/fedora/", "host.conf", &err), 0);
	assert_string_equal(p.upstream, "rsync://tier1.example.org/fedora/");
	assert_int_equal(p.n_categories, 1);
	assert_string_equal(p.categories[0].name, "Fedora Linux");
	assert_string_equal(p.categories[0].topdir, "fedora/linux");
	assert_string_equal(p.freshness[0], "fullfiletimelist-fedora");
	assert_int_equal(p.random_delay, 1200);
	assert_int_equal(p.timeout, 6 * 3600);
	profile_free(&p);

	assert_int_equal(profile_load("rpmfusion", &p, &err), 0);
	assert_int_equal(p.n_categories, 4);
	assert_string_equal(p.categories[3].name, "RPMFUSION nonfree EL");
	assert_string_equal(p.categories[3].topdir, "rpmfusion/nonfree/el");
	profile_free(&p);

	assert_int_equal(profile_load("fedora-archive", &p, &err), 0);
	assert_string_equal(p.filelist_dir, "archive");  /* quick-fedora-mirror's MODULEMAPPING */
	profile_free(&p);

	assert_int_equal(profile_load("epel", &p, &err), 0);
	assert_string_equal(p.categories[0].topdir, "epel");
	profile_free(&p);

	assert_int_equal(profile_load("ubuntu", &p, &err), 0);
	assert_int_equal(p.method, SYNC_TWO_STAGE);
	assert_int_equal(strv_length(p.index_files), 4);
	assert_int_equal(p.trace_format, TRACE_DEBIAN);
	assert_string_equal(p.trace_file, "project/trace/%h");
	profile_free(&p);

	assert_int_equal(profile_load("debian", &p, &err), 0);
	assert_int_equal(p.method, SYNC_FTPSYNC);
	assert_int_equal(p.pull, PULL_SITE);
	assert_string_equal(p.archive, "");            /* ftpsync.conf */
	assert_string_equal(p.poll[0], "project/trace/%u");
	profile_free(&p);

	assert_int_equal(profile_load("debian-security", &p, &err), 0);
	assert_string_equal(p.archive, "security");    /* ftpsync-security.conf */
	assert_non_null(strstr(p.description, "recommends not mirroring"));
	assert_string_equal(p.rsync_options[0] ? p.rsync_options[0] : "", "");
	profile_free(&p);

	/* Arch: lastsync is upstream's, never written here; lastupdate gates the run. */
	assert_int_equal(profile_load("archlinux", &p, &err), 0);
	assert_int_equal(p.trace_format, TRACE_NONE);
	assert_null(p.trace_file);
	assert_string_equal(p.poll[0], "lastupdate");
	assert_string_equal(p.poll_refresh[0], "lastsync");
	assert_int_equal(p.pull, PULL_TIER1);
	profile_free(&p);

	assert_int_equal(profile_load("ubuntu", &p, &err), 0);
	assert_int_equal(profile_pick_upstream(&p, NULL, NULL, &err), 0);
	assert_string_equal(p.upstream, p.upstreams[0]);
	assert_string_equal(p.upstream_origin, "profile default");
	profile_free(&p);
}

static void unknown_and_unsafe_names(void **state)
{
	struct profile p;
	char *err = NULL;

	setenv(PROFILE_ENV_DIR, "profiles", 1);
	assert_int_equal(profile_load("nosuch", &p, &err), -ENOENT);
	assert_string_equal(err, "unknown profile 'nosuch'");
	free(err);
	assert_int_equal(profile_load("../etc/passwd", &p, &err), -EINVAL);
	assert_non_null(strstr(err, "must start with"));
	free(err);

	struct profile_set set;
	char *names[] = { "epel", "fedora", "epel", NULL };
	assert_int_equal(profile_load_list(names, &set, &err), 0);
	assert_int_equal(set.n, 2);
	profile_set_free(&set);
	char *bad[] = { "fedora", "nosuch", NULL };
	assert_int_equal(profile_load_list(bad, &set, &err), -ENOENT);
	assert_int_equal(set.n, 0);
	free(err);
}

static const struct {
	const char *file, *msg;
} bads[] = {
	{ "unknown-key", ":9: unknown key 'colour'" },
	{ "missing-module", ":1: missing required key 'module'" },
	{ "unsafe-module", ":3: module: 'x]y' may contain only" },
	{ "dotdot-directory", ":4: directory: '../etc' contains '.' or '..'" },
	{ "absolute-directory", ":4: directory: '/etc' must be relative (escapes the mirror root)" },
	{ "escaping-category", ":10: path: 'a/../../b' contains '.' or '..'" },
	{ "ftp-upstream", ":2: upstream: 'ftp://127.0.0.1/x/' ftp:// is not accepted" },
	{ "bad-method", ":5: method: 'wget' is not one of" },
	{ "refused-option", ":6: rsync_options: '--rsh=evil' is not allowed" },
	{ "two-stage-no-index", ":1: method two-stage needs index_files" },
	{ "filelist-no-list", ":1: method filelist needs filelist (the list's name)" },
	{ "filelist-recursive", ":1: method filelist: rsync_options must not recurse ('-rlptSH')" },
	{ "filelist-keys-rsync", ":1: filelist keys need method filelist" },
	{ "filelist-unsafe-name", ":6: filelist: '../fullfiletimelist-x'" },
	{ "http-path-mismatch", ":1: http_path must be \"/x/\"" },
	{ "specifier-description", ":1: description: 'Broken %n' contains" },
	{ "bad-size", ":8: 'size' must be a size" },
	{ "syntax-error", ":3: syntax error" },
	{ "unsourced-fact", ":1: size: no source supports it" },
	{ "tier1-with-default", ":1: pull tier1 takes no upstream" },
	{ "bad-fact-key", ":11: unverified: 'colour' is not a fact key" },
	{ "bad-source-date", ":12: checked: '1 Dec 2026' is not a date" },
};

static void broken_fixtures(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(bads); i++) {
		char path[256];
		struct profile p;
		_cleanup_free_ char *err = NULL;

		snprintf(path, sizeof(path), BAD "%s.conf", bads[i].file);
		int r = profile_load_file(path, &p, &err);
		if (r != -EINVAL || !err || strncmp(err, path, strlen(path)) != 0 || !strstr(err, bads[i].msg))
			fail_msg("%s: r=%d err=%s (want %s)", bads[i].file, r, err ? err : "(null)", bads[i].msg);
		assert_null(p.name);
	}
}

static void env_dir_overrides(void **state)
{
	struct profile_set set;
	_cleanup_free_ char *err = NULL;

	/* The broken fixtures directory: loading all stops at the first broken file, by name. */
	setenv(PROFILE_ENV_DIR, BAD, 1);
	assert_int_equal(profile_search_path()[0], getenv(PROFILE_ENV_DIR));
	assert_null(profile_search_path()[1]);
	assert_int_equal(profile_load_all(&set, &err), -EINVAL);
	assert_non_null(strstr(err, "absolute-directory.conf:4:"));
	unsetenv(PROFILE_ENV_DIR);
	assert_string_equal(profile_search_path()[0], PROFILE_ETC_DIR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(all_shipped_load),
		cmocka_unit_test(facts),
		cmocka_unit_test(unknown_and_unsafe_names),
		cmocka_unit_test(broken_fixtures),
		cmocka_unit_test(env_dir_overrides),
	};
	return cmocka_run_group_tests_name("profile", tests, NULL, NULL);
}
