/* Host configuration loader: the documented example, every rejection with its
 * FILE:LINE, secret-file modes, and the name/path/URL checks it relies on. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/conf.h"
#include "lib/hostconf.h"
#include "lib/macro.h"
#include "lib/names.h"

static char tmpdir[] = "/tmp/mp-hostconf-XXXXXX";

static const char *write_tmp(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void example_loads(void **state)
{
	struct hostconf hc;
	_cleanup_free_ char *err = NULL;

	assert_int_equal(hostconf_load("tests/fixtures/hostconf/example.conf",
				       HOSTCONF_HOST | HOSTCONF_STORAGE | HOSTCONF_MIRROR | HOSTCONF_BACKEND, &hc, &err), 0);
	assert_null(err);
	assert_string_equal(hc.host.name, "mirror.example.edu");
	assert_string_equal(hc.host.country, "DE");
	assert_int_equal(hc.host.bandwidth_mbit, 10000);
	assert_int_equal(hc.host.asn, 553);
	assert_false(hc.host.private_mirror);
	assert_string_equal(hc.host.url_rsync, "rsync://mirror.example.edu/");
	assert_string_equal(hc.storage.raid_level, "raid6");
	assert_int_equal(hc.storage.raid_disks, 15);
	assert_int_equal(hc.storage.raid_spares, 1);
	assert_int_equal(hc.storage.raid_chunk, 65536);
	assert_string_equal(hc.storage.mount_options, "noatime,logbsize=256k");
	assert_string_equal(hc.mirror.root, "/srv/mirror/pub");
	assert_int_equal(strv_length(hc.mirror.profiles), 4);
	assert_string_equal(hc.mirror.profiles[3], "debian");
	assert_string_equal(hc.backend.type, "mirrormanager");
	assert_string_equal(hc.backend.password_file, "/etc/mirrorprov/backend.secret");
	assert_int_equal(hc.n_profiles, 3);
	assert_string_equal(hostconf_profile(&hc, "debian")->upstream, "rsync://debian.example.net/debian/");
	assert_null(hostconf_profile(&hc, "ubuntu"));
	assert_int_equal(hc.backend.timeout, 1800);
	hostconf_free(&hc);
	assert_null(hc.host.name);
}

#define HOST_OK "host: { name = \"m.example.org\"; site = \"S\"; admin_email = \"a@example.org\"; " \
		"country = \"DE\"; bandwidth_mbit = 1000; urls: { https = \"https://m.example.org/\"; }; };\n"

static void defaults_and_optional_sections(void **state)
{
	struct hostconf hc;
	_cleanup_free_ char *err = NULL;
	const char *p = write_tmp("min.conf", "mirror: { root = \"/srv/m\"; };\n");

	assert_int_equal(hostconf_load(p, HOSTCONF_MIRROR, &hc, &err), 0);
	assert_true(hc.has_mirror);
	assert_false(hc.has_host);
	assert_string_equal(hc.mirror.user, "mirror");
	assert_string_equal(hc.mirror.http_server, "nginx");
	assert_non_null(hc.mirror.profiles);
	assert_null(hc.mirror.profiles[0]);
	hostconf_free(&hc);

	assert_int_equal(hostconf_load(p, HOSTCONF_BACKEND, &hc, &err), -EINVAL);
	assert_non_null(strstr(err, "min.conf: missing section 'backend'"));

	/* one default each, stated once (hostconf.h), applied by the loader */
	free(err);
	err = NULL;
	p = write_tmp("min.conf", HOST_OK "backend: { type = \"mirrormanager\"; };\n");
	assert_int_equal(hostconf_load(p, HOSTCONF_BACKEND, &hc, &err), 0);
	assert_int_equal(hc.backend.timeout, 30 * 60);
	assert_int_equal(hc.host.max_connections, HOSTCONF_DEFAULT_MAX_CONNECTIONS);
	hostconf_free(&hc);
}

struct bad {
	const char *text;
	const char *msg;   /* expected after "FILE" */
};

static const struct bad bads[] = {
	{ "backend: { type = \"mirrormanager\"; timeout = 0; };\n", "'backend.timeout' must be between 1 and 86400" },
	{ "backend: { type = \"mirrormanager\"; timeout = \"2d\"; };\n", "'backend.timeout' must be between 1 and 86400" },
	{ "backend: { type = \"mirrormanager\"; timeout = \"soon\"; };\n", "'backend.timeout' must be a duration" },
	{ "mirror: {\n  root = \"/srv\";\n  usr = \"x\";\n};\n", ":3: unknown key 'usr'" },
	{ "mirorr: { root = \"/srv\"; };\n", ":1: unknown key 'mirorr'" },
	{ "mirror: {\n  user = \"x\";\n};\n", ":1: missing required key 'mirror.root'" },
	{ "mirror: { root = \"srv\"; };\n", ":1: mirror.root: 'srv' must be an absolute path" },
	{ "mirror: { root = \"/srv/../etc\"; };\n", "contains '.' or '..'" },
	{ "mirror: { root = \"/srv\"; user = \"bad user\"; };\n", "mirror.user: 'bad user' may contain only" },
	{ "mirror: { root = \"/srv\"; profiles = [ \"fedora\", \"../x\" ]; };\n", "'../x' must start with" },
	{ "mirror: { root = \"/srv\"; root = \"/x\"; };\n", ":1: duplicate setting name" },
	{ "mirror: { root = 5; };\n", ":1: 'mirror.root' must be a string" },
	{ "mirror: { root = \"/srv\"\n", ":2: syntax error" },
	{ "mirror: { root = \"/srv\"; tls_key = \"/k\"; };\n", "tls_certificate and mirror.tls_key go together" },
	{ "mirror: { root = \"/srv\"; http_server = \"apache\"; };\n", "is not supported" },
	{ "mirror: { root = \"/srv\"; status_path = \"status\"; };\n", "mirror.status_path: 'status' must start and end with '/'" },
	{ "mirror: { root = \"/srv\"; status_path = \"/\"; };\n", "must start and end with '/'" },
	{ "mirror: { root = \"/srv\"; status_path = \"/a b/\"; };\n", "must be made of safe names" },
	{ "mirror: { root = \"/srv\"; status_path = \"/../\"; };\n", "must be made of safe names" },
	{ "mirror: { root = \"/srv\"; status_path = \"/s;x/\"; };\n", "must be made of safe names" },
	{ "mirror: { root = \"/srv\"; prometheus_file = \"/var/lib/m.txt\"; };\n", "must end in .prom" },
	{ "mirror: { root = \"/srv\"; prometheus_file = \"m.prom\"; };\n", "must be an absolute path" },
	{ "profile: { arch: { upstream = \"http://x.example/a/\"; }; };\n", "upstream: 'http://x.example/a/'" },
	{ "profile: { arch: { upstream = \"rsync://x.example/\"; }; };\n", "upstream: 'rsync://x.example/'" },
	{ "profile: {\n arch: { upstrem = \"rsync://x.example/a/\"; };\n};\n", ":2: unknown key 'upstrem'" },
	{ "profile: { arch = \"rsync://x.example/a/\"; };\n", "profile.arch: must be a group" },
	{ "profile = [ \"arch\" ];\n", "'profile' must be a group" },
	{ "host: { name = \"m.example.org\"; site = \"S\"; admin_email = \"a@example.org\";\n"
	  "country = \"DE\"; bandwidth_mbit = 1000;\n urls: { http = \"ftp://m.example.org/\"; }; };\n",
	  ":3: host.urls.http: 'ftp://m.example.org/' ftp:// is not accepted" },
	{ "host: { name = \"m.example.org\"; site = \"S\"; admin_email = \"a@example.org\";\n"
	  "country = \"DE\"; bandwidth_mbit = 1000;\n urls: { rsync = \"rsync://m.example.org/\"; }; };\n",
	  "host.urls needs an http or https URL" },
	{ "host: { name = \"m.example.org\"; site = \"S\"; admin_email = \"a@example.org\";\n"
	  "country = \"de\"; bandwidth_mbit = 1000; urls: { https = \"https://m/\"; }; };\n", ":2: host.country" },
	{ "host: { name = \"m.example.org\"; site = \"S\"; admin_email = \"a@example.org\";\n"
	  "country = \"DE\"; bandwidth_mbit = -5; urls: { https = \"https://m/\"; }; };\n",
	  ":2: 'host.bandwidth_mbit' must not be negative" },
	{ "host: { name = \"m.example.org\"; site = \"S\"; admin_email = \"a@example.org\";\n"
	  "country = \"DE\"; bandwidth_mbit = 0; urls: { https = \"https://m/\"; }; };\n", "must be between 1 and" },
	{ "host: { name = \"m.example.org\"; site = \"S\"; admin_email = \"nobody\";\n"
	  "country = \"DE\"; bandwidth_mbit = 10; urls: { https = \"https://m/\"; }; };\n", "is not an e-mail address" },
	{ "host: { name = \"m.example.org\"; site = \"S\"; admin_email = \"a@example.org\";\n"
	  "country = \"DE\"; bandwidth_mbit = 10; urls: { https = \"http://m/\"; }; };\n", "must be an https:// URL" },
	{ HOST_OK "storage: {\n device = \"/dev/sdb\";\n raid: { level = \"raid7\"; disks = 4; };\n"
	  " mountpoint = \"/srv/mirror\"; };\n", ":4: storage.raid.level: 'raid7' is not one of" },
	{ "storage: { device = \"/dev/sdb\"; raid: { level = \"raid6\"; disks = 4; chunk = \"64kb\"; };\n"
	  " mountpoint = \"/srv\"; };\n", ":1: 'storage.raid.chunk' must be a size" },
	{ "storage: { device = \"/etc/passwd\"; raid: { level = \"raid6\"; disks = 4; }; mountpoint = \"/srv\"; };\n",
	  "must be a WWID or a /dev path" },
	{ "storage: { device = \"wwn-1\"; raid: { level = \"raid6\"; disks = 4; }; mountpoint = \"/srv\";\n"
	  " label = \"averyveryverylonglabel\"; };\n", ":2: storage.label" },
	{ "storage: { device = \"wwn-1\"; raid: { level = \"raid6\"; disks = 4; }; mountpoint = \"/srv\";\n"
	  " mount_options = \"noatime;reboot\"; };\n", "storage.mount_options" },
	{ "backend: { type = \"sourceforge\"; };\n", "backend.type: 'sourceforge' is not one of" },
	{ "backend: { type = \"mirrormanager\"; url = \"rsync://x/y/\"; };\n", "must be an http:// or https:// URL" },
	{ "backends: {\n rpmfusion: { type = \"mirrormanager\";\n url = \"ftp://x/\"; };\n};\n",
	  ":3: backends.rpmfusion.url: 'ftp://x/'" },
	{ "backends: {\n rocky: { type = \"mirrormanager\"; pasword_file = \"/x\"; };\n};\n", ":2: unknown key 'pasword_file'" },
	{ "backends: {\n default: { type = \"debian\"; };\n};\n", ":2: backends: name 'default' is reserved" },
	{ "backends: { x: { type = \"debian\"; timeout = \"soon\"; }; };\n", "'backends.x.timeout' must be a duration" },
	{ "backends: { rocky: { type = \"mirrormanager\"; }; };\nprofile: {\n fedora: { backend = \"rocky\"; };\n"
	  " epel: {\n  backend = \"fedora-mm\"; };\n};\n", ":5: profile.epel.backend: unknown backend instance 'fedora-mm'" },
	{ "profile: { fedora: { backend = \"default\"; }; };\n", ":1: profile.fedora.backend: unknown backend instance 'default'" },
	{ "profile: { fedora: { backend = 3; }; };\n", "'profile.fedora.backend' must be a string" },
};

/* Named instances beside the single backend group; routes to either. */
static void instances(void **state)
{
	const char *p = write_tmp("bad.conf",
				  "backend: { type = \"mirrorbits\"; rpc = \"localhost:3390\"; };\n"
				  "backends: {\n"
				  "  rpmfusion: { type = \"mirrormanager\"; url = \"https://mm.example.org/xmlrpc\";\n"
				  "               password_file = \"/etc/mirrorprov/rpmfusion.secret\"; timeout = \"2min\"; };\n"
				  "  launchpad: { type = \"launchpad\"; };\n"
				  "};\n"
				  "profile: { rocky: { backend = \"rpmfusion\"; }; almalinux: { backend = \"default\"; }; };\n");
	struct hostconf hc;
	_cleanup_free_ char *err = NULL;

	assert_int_equal(hostconf_load(p, HOSTCONF_BACKEND, &hc, &err), 0);
	assert_string_equal(hc.backend.name, "default");
	assert_int_equal(hc.n_backends, 2);
	assert_string_equal(hc.backends[0].name, "rpmfusion");
	assert_int_equal(hc.backends[0].timeout, 120);
	assert_int_equal(hc.backends[0].line, 3);
	assert_null(hc.backends[1].password_file);
	assert_ptr_equal(hostconf_backend_find(&hc, hostconf_profile(&hc, "rocky")->backend), &hc.backends[0]);
	assert_ptr_equal(hostconf_backend_find(&hc, hostconf_profile(&hc, "almalinux")->backend), &hc.backend);
	assert_null(hostconf_profile(&hc, "fedora"));
	hostconf_free(&hc);
}

static void rejections(void **state)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct hostconf hc;
		_cleanup_free_ char *err = NULL;
		const char *p = write_tmp("bad.conf", bads[i].text);
		int r = hostconf_load(p, 0, &hc, &err);
		if (r != -EINVAL || !err || !strstr(err, bads[i].msg) || strncmp(err, p, strlen(p)) != 0)
			fail_msg("case %zu: r=%d err=%s (want %s)", i, r, err ? err : "(null)", bads[i].msg);
		assert_null(hc.mirror.root);
	}
}

static void missing_file(void **state)
{
	struct hostconf hc;
	_cleanup_free_ char *err = NULL;

	assert_int_equal(hostconf_load("/nonexistent/host.conf", 0, &hc, &err), -ENOENT);
	assert_string_equal(err, "/nonexistent/host.conf: No such file or directory");
}

static void secret_file(void **state)
{
	const char *p = write_tmp("secret", "s3cret\nsecond line\n");
	_cleanup_free_ char *s = NULL;

	chmod(p, 0644);
	assert_int_equal(hostconf_check_secret_file(p), -EPERM);
	assert_int_equal(hostconf_read_secret(p, &s), -EPERM);
	chmod(p, 0640);
	assert_int_equal(hostconf_check_secret_file(p), -EPERM);
	chmod(p, 0600);
	assert_int_equal(hostconf_read_secret(p, &s), 0);
	assert_string_equal(s, "s3cret");
	/* empty, or an empty first line: refused rather than sent as an empty password */
	static const char *const empties[] = { "", "\n", "\nsecond line\n", " \t\r\n" };
	for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		char *e = NULL;
		p = write_tmp("secret", empties[i]);
		chmod(p, 0600);
		assert_int_equal(hostconf_read_secret(p, &e), -ENODATA);
		assert_null(e);
	}
	assert_int_equal(hostconf_check_secret_file(tmpdir), -EINVAL);
	assert_int_equal(hostconf_check_secret_file("/nonexistent"), -ENOENT);
}

static void names(void **state)
{
	assert_null(check_safe_name("fedora-secondary"));
	assert_null(check_safe_name("a.b_c"));
	assert_non_null(check_safe_name(""));
	assert_non_null(check_safe_name("-x"));
	assert_non_null(check_safe_name(".hidden"));
	assert_non_null(check_safe_name("a]b"));
	assert_non_null(check_safe_name("a/b"));
	assert_non_null(check_safe_name("a b"));
	assert_non_null(check_safe_name("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));

	assert_null(check_relpath("fedora/linux"));
	assert_non_null(check_relpath("/fedora"));
	assert_non_null(check_relpath("fedora/../.."));
	assert_non_null(check_relpath(".."));
	assert_non_null(check_relpath("a//b"));
	assert_non_null(check_relpath("a/"));
	assert_non_null(check_relpath("a/./b"));
	assert_non_null(check_relpath(""));
	assert_null(check_relpath_or_empty(""));

	assert_null(check_abspath("/srv/mirror"));
	assert_null(check_abspath("/"));
	assert_non_null(check_abspath("/srv/../etc"));
	assert_non_null(check_abspath("/srv/a b"));
	assert_non_null(check_abspath("/srv/a;b"));
	assert_non_null(check_abspath("srv"));

	assert_null(check_url("https://mirror.example.edu/pub/"));
	assert_null(check_url("rsync://127.0.0.1:8873/fedora/"));
	assert_non_null(check_url("ftp://mirror.example.edu/"));
	assert_non_null(check_url("FTP://mirror.example.edu/"));
	assert_non_null(check_url("gopher://x/"));
	assert_non_null(check_url("http:///x"));
	assert_non_null(check_url("http://user@x/"));
	assert_non_null(check_url("http://x/a b"));
	assert_non_null(check_url("http://x/\"a"));
	assert_non_null(check_url("http://x/../etc"));
	assert_non_null(check_url("http://x/a/.."));
	assert_int_equal(url_scheme("rsync://x/"), URL_RSYNC);
	assert_int_equal(url_scheme("https://x/"), URL_HTTPS);

	assert_null(check_rsync_source("rsync://dl.fedoraproject.org/fedora-enchilada/"));
	assert_non_null(check_rsync_source("rsync://dl.fedoraproject.org/"));
	assert_non_null(check_rsync_source("https://dl.fedoraproject.org/x/"));

	_cleanup_free_ char *a = url_join("https://m.example.org/", "/fedora/linux/");
	_cleanup_free_ char *b = url_join("https://m.example.org", "");
	assert_string_equal(a, "https://m.example.org/fedora/linux");
	assert_string_equal(b, "https://m.example.org");
}

static void durations(void **state)
{
	uint64_t v;

	assert_int_equal(parse_duration("90", &v), 0); assert_int_equal(v, 90);
	assert_int_equal(parse_duration("30min", &v), 0); assert_int_equal(v, 1800);
	assert_int_equal(parse_duration("6h", &v), 0); assert_int_equal(v, 21600);
	assert_int_equal(parse_duration("1d", &v), 0); assert_int_equal(v, 86400);
	assert_int_equal(parse_duration("3500s", &v), 0); assert_int_equal(v, 3500);
	assert_int_equal(parse_duration("6 h", &v), -EINVAL);
	assert_int_equal(parse_duration("-1h", &v), -EINVAL);
	assert_int_equal(parse_duration("h", &v), -EINVAL);
	assert_int_equal(parse_duration("99999999999999999999w", &v), -ERANGE);
}

static int setup(void **state)
{
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];
	const char *files[] = { "min.conf", "bad.conf", "secret" };
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(cmd, sizeof(cmd), "%s/%s", tmpdir, files[i]);
		unlink(cmd);
	}
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(example_loads),
		cmocka_unit_test(defaults_and_optional_sections),
		cmocka_unit_test(rejections),
		cmocka_unit_test(instances),
		cmocka_unit_test(missing_file),
		cmocka_unit_test(secret_file),
		cmocka_unit_test(names),
		cmocka_unit_test(durations),
	};
	return cmocka_run_group_tests_name("hostconf", tests, setup, teardown);
}
