/* backend/instance.c: which instance registers which profile. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "backend/instance.h"
#include "lib/macro.h"

static char tmpdir[] = "/tmp/mp-instance-XXXXXX";

static void load(const char *text, struct hostconf *hc)
{
	char path[300];
	_cleanup_free_ char *err = NULL;

	snprintf(path, sizeof(path), "%s/host.conf", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	if (hostconf_load(path, 0, hc, &err) < 0)
		fail_msg("%s", err);
	unlink(path);
}

/* Profiles with only what the plan reads. */
static struct profile P(const char *name, const char *type, const char *url)
{
	return (struct profile){ .name = (char *)name, .backend = (char *)type, .backend_url = (char *)url };
}

static const char *FEDORA = "https://mirrormanager.fedoraproject.org/";
static const char *ROCKY = "https://mirrors.rockylinux.org/mirrormanager/";

/* A group's "instance: profile profile ..." */
static void expect_group(const struct reg_plan *plan, size_t i, const char *want)
{
	char buf[300];
	int n = snprintf(buf, sizeof(buf), "%s:", plan->v[i].inst.name);
	for (size_t k = 0; k < plan->v[i].n; k++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %s", plan->v[i].profiles[k]->name);
	assert_string_equal(buf, want);
}

static void defaults_grouped_by_url(void **state)
{
	struct profile v[] = { P("fedora", "mirrormanager", FEDORA), P("rocky", "mirrormanager", ROCKY),
			       P("epel", "mirrormanager", "https://mirrormanager.fedoraproject.org"),
			       P("debian", "debian", "https://www.debian.org/mirror/submit"), P("bare", NULL, NULL) };
	struct profile_set set = { v, ARRAY_SIZE(v) };
	struct hostconf hc;
	struct reg_plan plan;
	_cleanup_free_ char *err = NULL;

	/* a host.conf instance names Fedora's by its XML-RPC endpoint */
	load("backends: { fed: { type = \"mirrormanager\"; url = \"https://mirrormanager.fedoraproject.org/xmlrpc\";"
	     " password_file = \"/etc/f.secret\"; }; };\n", &hc);
	assert_int_equal(reg_plan_build(&hc, &set, NULL, false, &plan, &err), 0);
	assert_false(plan.legacy);
	assert_int_equal(plan.n, 3);
	expect_group(&plan, 0, "fed: fedora epel");
	assert_true(plan.v[0].from_host);
	assert_string_equal(plan.v[0].inst.password_file, "/etc/f.secret");
	expect_group(&plan, 1, "mirrors.rockylinux.org: rocky");
	assert_false(plan.v[1].from_host);
	assert_null(plan.v[1].inst.password_file);
	expect_group(&plan, 2, "www.debian.org: debian");
	assert_int_equal(plan.n_unassigned, 1);
	assert_string_equal(plan.unassigned[0]->name, "bare");
	reg_plan_free(&plan);

	/* --backend keeps the instances of one type */
	assert_int_equal(reg_plan_build(&hc, &set, "debian", false, &plan, &err), 0);
	assert_int_equal(plan.n, 1);
	expect_group(&plan, 0, "www.debian.org: debian");
	reg_plan_free(&plan);

	/* a profile named on the command line without any instance */
	struct profile_set one = { &v[4], 1 };
	assert_int_equal(reg_plan_build(&hc, &one, NULL, true, &plan, &err), -EINVAL);
	assert_non_null(strstr(err, "profile 'bare' names no backend instance: set profile.bare.backend"));
	hostconf_free(&hc);
}

/* fedora and rocky (MirrorManager, two instances), almalinux (pull request) */
static struct profile_set three(void)
{
	static struct profile v[3];
	v[0] = P("fedora", "mirrormanager", FEDORA);
	v[1] = P("rocky", "mirrormanager", ROCKY);
	v[2] = P("almalinux", "almalinux", "https://github.com/AlmaLinux/mirrors");
	return (struct profile_set){ v, ARRAY_SIZE(v) };
}

static void routes_and_default_group(void **state)
{
	struct profile_set set = three();
	struct hostconf hc;
	struct reg_plan plan;
	_cleanup_free_ char *err = NULL;

	/* beside other instances the backend group is matched by type and URL; a route wins */
	load("backend: { type = \"mirrormanager\"; url = \"https://mirrormanager.fedoraproject.org/xmlrpc\"; };\n"
	     "backends: { lab: { type = \"mirrorbits\"; }; };\n"
	     "profile: { rocky: { backend = \"lab\"; }; };\n", &hc);
	assert_int_equal(reg_plan_build(&hc, &set, NULL, false, &plan, &err), 0);
	assert_int_equal(plan.n, 3);
	expect_group(&plan, 0, "default: fedora");
	expect_group(&plan, 1, "lab: rocky");
	assert_string_equal(plan.v[1].inst.type, "mirrorbits");
	expect_group(&plan, 2, "github.com: almalinux");
	reg_plan_free(&plan);
	hostconf_free(&hc);

	/* a backend group of the same type but another server never takes a profile */
	load("backend: { type = \"mirrormanager\"; url = \"https://mirrormanager.fedoraproject.org/xmlrpc\";\n"
	     " password_file = \"/etc/f.secret\"; };\n"
	     "backends: { lab: { type = \"mirrorbits\"; }; };\n", &hc);
	assert_int_equal(reg_plan_build(&hc, &set, NULL, false, &plan, &err), 0);
	expect_group(&plan, 1, "mirrors.rockylinux.org: rocky");
	assert_null(plan.v[1].inst.password_file);
	reg_plan_free(&plan);
	hostconf_free(&hc);
}

static void legacy_single_backend(void **state)
{
	struct profile_set set = three();
	struct hostconf hc;
	struct reg_plan plan;
	_cleanup_free_ char *err = NULL;

	load("backend: { type = \"mirrormanager\"; url = \"https://mm.example.org/xmlrpc\"; };\n", &hc);
	/* as before instances: the profiles of its type, in one group */
	assert_int_equal(reg_plan_build(&hc, &set, NULL, false, &plan, &err), 0);
	assert_true(plan.legacy);
	assert_int_equal(plan.n, 1);
	expect_group(&plan, 0, "default: fedora rocky");
	assert_string_equal(plan.v[0].inst.url, "https://mm.example.org/xmlrpc");
	reg_plan_free(&plan);
	/* --backend replaces its type; --profile sends all named ones */
	assert_int_equal(reg_plan_build(&hc, &set, "almalinux", false, &plan, &err), 0);
	expect_group(&plan, 0, "default: almalinux");
	assert_string_equal(plan.v[0].inst.type, "almalinux");
	reg_plan_free(&plan);
	assert_int_equal(reg_plan_build(&hc, &set, NULL, true, &plan, &err), 0);
	expect_group(&plan, 0, "default: fedora rocky almalinux");
	reg_plan_free(&plan);
	hostconf_free(&hc);
}

static void xmlrpc_url(void **state)
{
	const char *cases[][2] = {
		{ "https://mirrormanager.fedoraproject.org/", "https://mirrormanager.fedoraproject.org/xmlrpc" },
		{ "https://mirrors.rpmfusion.org/mm", "https://mirrors.rpmfusion.org/mm/xmlrpc" },
		{ "http://127.0.0.1:8/xmlrpc", "http://127.0.0.1:8/xmlrpc" },
		{ "http://127.0.0.1:8/xmlrpc/", "http://127.0.0.1:8/xmlrpc" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *u = mm_xmlrpc_url(cases[i][0]);
		assert_string_equal(u, cases[i][1]);
	}
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_grouped_by_url),
		cmocka_unit_test(routes_and_default_group),
		cmocka_unit_test(legacy_single_backend),
		cmocka_unit_test(xmlrpc_url),
	};
	return cmocka_run_group_tests_name("instance", tests, setup, teardown);
}
