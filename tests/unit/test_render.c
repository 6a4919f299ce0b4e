/* The layout generators as pure functions: what they emit, and that they
 * refuse values that would change the meaning of a generated file. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/macro.h"
#include "sync/render.h"
#include "sync/syncrun.h"

static char *no_strings[] = { NULL };
static char *excl[] = { ".~tmp~/", "/other", "*.links.tar.gz*", NULL };
static char *up[] = { "rsync://up.example.org/arch/", NULL };
static char *opts[] = { "-rlptH", "--delete-delay", "--delay-updates", NULL };
static char *index_files[] = { "Packages*", "Release*", NULL };

static struct profile make_profile(void)
{
	return (struct profile){
		.name = "arch", .description = "Arch Linux", .upstreams = up, .upstream = "rsync://up.example.org/arch/", .module = "archlinux",
		.directory = "archlinux", .http_path = "/archlinux/", .method = SYNC_RSYNC,
		.rsync_options = opts, .excludes = excl, .index_files = no_strings, .schedule = "hourly",
		.random_delay = 600, .timeout = 3600, .freshness = no_strings,
	};
}

static const struct layout_conf lc = {
	.root = "/srv/mirror/pub", .user = "mirror", .host_name = "mirror.example.org",
	.tls_certificate = "/etc/ssl/c.pem", .tls_key = "/etc/ssl/k.pem", .mirrorprov = "/usr/sbin/mirrorprov",
	.hostconf_path = "/etc/mirrorprov/host.conf",
};

static void rsyncd(void **state)
{
	struct profile p = make_profile();
	struct profile_set set = { &p, 1 };
	_cleanup_free_ char *s = NULL;

	assert_int_equal(render_rsyncd_conf(&lc, &set, &s), 0);
	assert_non_null(strstr(s, "\n[archlinux]\n\tcomment = Arch Linux\n\tpath = /srv/mirror/pub/archlinux\n"));
	/* one exclude line, .~tmp~/ once */
	assert_non_null(strstr(s, "\texclude = .~tmp~/ /other *.links.tar.gz*\n"));
	assert_non_null(strstr(s, "dont compress = *\n"));
	assert_non_null(strstr(s, "max connections = 100\n"));
	assert_non_null(strstr(s, "read only = yes\n"));
}

static void refusals(void **state)
{
	struct profile p = make_profile();
	struct profile_set set = { &p, 1 };
	struct layout_conf bad = lc;
	char *s = NULL;
	char *spaced[] = { "a b", NULL };

	p.excludes = spaced;  /* would split into two patterns */
	assert_int_equal(render_rsyncd_conf(&lc, &set, &s), -EINVAL);
	p = make_profile();
	p.module = "x]\n[etc";
	assert_int_equal(render_rsyncd_conf(&lc, &set, &s), -EINVAL);
	p = make_profile();
	p.directory = "../etc";
	assert_int_equal(render_nginx_site(&lc, &set, &s), -EINVAL);
	p = make_profile();
	p.description = "100% \"Arch\"";
	assert_int_equal(render_sync_service(&lc, &p, &s), -EINVAL);
	p = make_profile();
	p.schedule = "hourly\nExecStartPre=/bin/sh";
	assert_int_equal(render_sync_timer(&lc, &p, &s), -EINVAL);
	p = make_profile();
	bad.root = "/srv/mirror; include /etc";
	assert_int_equal(render_nginx_site(&bad, &set, &s), -EINVAL);
	bad = lc;
	bad.user = "root\nUser=root";
	assert_int_equal(render_sync_service(&bad, &p, &s), -EINVAL);
	assert_null(s);
}

static void nginx(void **state)
{
	struct profile p = make_profile();
	struct profile_set set = { &p, 1 };
	struct layout_conf plain = lc;
	_cleanup_free_ char *s = NULL, *h = NULL;

	assert_int_equal(render_nginx_site(&lc, &set, &s), 0);
	assert_non_null(strstr(s, "\tlisten 443 ssl;\n"));
	assert_non_null(strstr(s, "\tssl_certificate /etc/ssl/c.pem;\n"));
	assert_non_null(strstr(s, "\troot /srv/mirror/pub;\n"));
	assert_non_null(strstr(s, "\tautoindex on;\n"));
	assert_non_null(strstr(s, "no-cache, must-revalidate"));
	assert_null(strstr(s, "return 301"));
	plain.tls_certificate = plain.tls_key = NULL;
	assert_int_equal(render_nginx_site(&plain, &set, &h), 0);
	assert_null(strstr(h, "ssl"));
}

static void units(void **state)
{
	struct profile p = make_profile();
	_cleanup_free_ char *svc = NULL, *tmr = NULL, *name = sync_unit_name(&p);

	/* Drop-ins of the template's instance: ExecStart= and OnCalendar= reset
	 * the template's own before setting the profile's. */
	assert_string_equal(name, "mirrorprov-sync@arch");
	/* layout enables it and status asks systemd for its next run by this one name */
	_cleanup_free_ char *timer = sync_timer_name(&p);
	assert_string_equal(timer, "mirrorprov-sync@arch.timer");
	assert_int_equal(render_sync_service(&lc, &p, &svc), 0);
	assert_non_null(strstr(svc, "\nExecStart=\nExecStart=/usr/sbin/mirrorprov sync -c /etc/mirrorprov/host.conf arch\n"));
	assert_non_null(strstr(svc, "\nUser=mirror\n"));
	assert_non_null(strstr(svc, "\nTimeoutStartSec=3900\n"));
	assert_int_equal(render_sync_timer(&lc, &p, &tmr), 0);
	assert_non_null(strstr(tmr, "\n[Timer]\nOnCalendar=\nOnCalendar=hourly\nRandomizedDelaySec=600\n"));
}

static void sync_commands(void **state)
{
	struct profile p = make_profile();
	struct sync_request rq = { .profile = &p, .root = "/srv/m" };
	char ***plan;

	assert_int_equal(sync_plan_argv(&rq, &plan), 0);
	assert_non_null(plan[0]);
	assert_null(plan[1]);
	assert_string_equal(plan[0][0], "rsync");
	assert_string_equal(plan[0][2], "--delete-delay");
	sync_plan_free(plan);

	p.method = SYNC_TWO_STAGE;
	p.index_files = index_files;
	rq.upstream = "rsync://127.0.0.1:1/x";   /* no trailing slash: one is added */
	assert_int_equal(sync_plan_argv(&rq, &plan), 0);
	size_t n0 = 0, n1 = 0;
	bool del0 = false, idx0 = false, idx1 = false;
	for (; plan[0][n0]; n0++) {
		del0 |= strncmp(plan[0][n0], "--delete", 8) == 0;
		idx0 |= strcmp(plan[0][n0], "--exclude=Packages*") == 0;
	}
	for (; plan[1][n1]; n1++)
		idx1 |= strcmp(plan[1][n1], "--exclude=Packages*") == 0;
	assert_false(del0);   /* stage 1 deletes nothing */
	assert_true(idx0);    /* and holds back the index files */
	assert_false(idx1);
	assert_string_equal(plan[0][n0 - 2], "rsync://127.0.0.1:1/x/");
	assert_string_equal(plan[1][n1 - 1], "/srv/m/archlinux/");
	sync_plan_free(plan);

	assert_string_equal(rsync_exit_message(24),
			    "partial transfer: source files vanished (upstream changed during the run)");
	assert_null(rsync_exit_message(99));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rsyncd),
		cmocka_unit_test(refusals),
		cmocka_unit_test(nginx),
		cmocka_unit_test(units),
		cmocka_unit_test(sync_commands),
	};
	return cmocka_run_group_tests_name("render", tests, NULL, NULL);
}
