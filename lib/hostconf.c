#include "hostconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "fileio.h"
#include "macro.h"
#include "names.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

static const char *one_of(const char *s, const char *const *allowed, const char *why)
{
	for (; *allowed; allowed++)
		if (strcmp(s, *allowed) == 0)
			return NULL;
	return why;
}

static const char *check_fqdn(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 253)
		return "is not a host name";
	if (!str_in_charset(s, "-."))
		return "is not a host name (letters, digits, '-' and '.')";
	if (s[0] == '.' || s[0] == '-' || strstr(s, ".."))
		return "is not a host name";
	return NULL;
}

static const char *check_email(const char *s)
{
	const char *at = strchr(s, '@');

	if (!at || at == s || !at[1] || strchr(at + 1, '@'))
		return "is not an e-mail address";
	for (const char *p = s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("\"'\\<>(),;:[]`", *p))
			return "is not an e-mail address";
	return check_fqdn(at + 1) ? "is not an e-mail address" : NULL;
}

static const char *check_country(const char *s)
{
	if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
		return "is not an ISO 3166 alpha-2 code in upper case (e.g. \"DE\")";
	return NULL;
}

static const char *check_scheme(const char *s, enum url_scheme want, const char *why)
{
	const char *r = check_url(s);
	return r ? r : url_scheme(s) == want ? NULL : why;
}

static const char *check_http(const char *s)
{
	return check_scheme(s, URL_HTTP, "must be an http:// URL");
}

static const char *check_https(const char *s)
{
	return check_scheme(s, URL_HTTPS, "must be an https:// URL");
}

static const char *check_rsync(const char *s)
{
	return check_scheme(s, URL_RSYNC, "must be an rsync:// URL");
}

static const char *check_web(const char *s)
{
	const char *r = check_url(s);
	return r ? r : url_scheme(s) == URL_RSYNC ? "must be an http:// or https:// URL" : NULL;
}

static const char *check_ip(const char *s)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1 ? NULL : "is not an IPv4 or IPv6 address";
}

static const char *check_program(const char *s)
{
	return s[0] == '/' ? check_abspath(s) : check_safe_name(s);
}

/* HOST:PORT, HOST a name or [IPv6] */
static const char *check_hostport(const char *s)
{
	const char *colon = strrchr(s, ':');
	char *end;

	if (!colon || colon == s)
		return "must be HOST:PORT";
	for (const char *p = s; p < colon; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr(".-:[]", *p)))
			return "must be HOST:PORT";
	unsigned long port = strtoul(colon + 1, &end, 10);
	return *end || !colon[1] || port == 0 || port > 65535 ? "has no valid port" : NULL;
}

static const char *check_raid_level(const char *s)
{
	static const char *const levels[] = { "raid0", "raid1", "raid5", "raid6", "raid10", "raid50", "raid60", NULL };
	return one_of(s, levels, "is not one of raid0, raid1, raid5, raid6, raid10, raid50, raid60");
}

static const char *check_device(const char *s)
{
	if (s[0] == '/')
		return strncmp(s, "/dev/", 5) == 0 ? check_abspath(s) : "must be a WWID or a /dev path";
	return str_in_charset(s, "._:-") ? NULL : "must be a WWID or a /dev path";
}

static const char *check_label(const char *s)
{
	return strlen(s) > 12 ? "is longer than the 12 characters XFS allows" : check_safe_name(s);
}

static const char *check_mount_options(const char *s)
{
	return str_in_charset(s, ",=._-") ? NULL : "must be non-empty and made of [A-Za-z0-9,=._-]";
}

static const char *check_http_server(const char *s)
{
	static const char *const servers[] = { "nginx", NULL };
	return one_of(s, servers, "is not supported (only \"nginx\")");
}

/* "/status/": safe names between slashes (it goes into the nginx site). */
static const char *check_url_path(const char *s)
{
	size_t n = strlen(s);
	_cleanup_free_ char *mid = NULL;

	if (n < 3 || s[0] != '/' || s[n - 1] != '/')
		return "must start and end with '/' and name a directory, e.g. \"/status/\"";
	if (!(mid = strndup(s + 1, n - 2)))
		return "out of memory";
	return check_relpath(mid) ? "must be made of safe names between '/'" : NULL;
}

/* node_exporter's textfile collector reads *.prom files only. */
static const char *check_prom_file(const char *s)
{
	size_t n = strlen(s);
	return check_abspath(s) ? check_abspath(s) : n < 6 || strcmp(s + n - 5, ".prom") ? "must end in .prom" : NULL;
}

static const char *check_backend_type(const char *s)
{
	static const char *const types[] = { "mirrormanager", "mirrorbits", "mirrorbrain", "mirrorcache",
					     "debian", "almalinux", "launchpad", "archlinux", NULL };
	return one_of(s, types, "is not one of mirrormanager, mirrorbits, mirrorbrain, mirrorcache, debian, almalinux, "
				"launchpad, archlinux");
}

#define H(m) offsetof(struct hostconf, host.m)
#define S(m) offsetof(struct hostconf, storage.m)
#define M(m) offsetof(struct hostconf, mirror.m)
#define B(m) offsetof(struct hostconf_backend, m)

static const struct conf_field urls_fields[] = {
	{ .key = "http", .kind = CK_STR, .offset = H(url_http), .check = check_http },
	{ .key = "https", .kind = CK_STR, .offset = H(url_https), .check = check_https },
	{ .key = "rsync", .kind = CK_STR, .offset = H(url_rsync), .check = check_rsync },
	{ .key = NULL },
};

static const struct conf_field host_fields[] = {
	{ .key = "name", .kind = CK_STR, .flags = CF_REQUIRED, .offset = H(name), .check = check_fqdn },
	{ .key = "site", .kind = CK_STR, .flags = CF_REQUIRED | CF_NONEMPTY, .offset = H(site) },
	{ .key = "site_url", .kind = CK_STR, .offset = H(site_url), .check = check_web },
	{ .key = "admin_email", .kind = CK_STR, .flags = CF_REQUIRED, .offset = H(admin_email), .check = check_email },
	{ .key = "country", .kind = CK_STR, .flags = CF_REQUIRED, .offset = H(country), .check = check_country },
	{ .key = "bandwidth_mbit", .kind = CK_UINT, .flags = CF_REQUIRED, .offset = H(bandwidth_mbit), .min = 1, .max = 100000000 },
	{ .key = "max_connections", .kind = CK_UINT, .offset = H(max_connections), .min = 1, .max = 1000000,
	  .def = STRINGIFY(HOSTCONF_DEFAULT_MAX_CONNECTIONS) },
	{ .key = "asn", .kind = CK_UINT, .offset = H(asn), .max = 4294967295u },
	{ .key = "private", .kind = CK_BOOL, .offset = H(private_mirror), .def = "false" },
	{ .key = "urls", .kind = CK_GROUP, .flags = CF_REQUIRED, .offset = CONF_NO_OFFSET, .sub = urls_fields },
	{ .key = "addresses", .kind = CK_STRV, .offset = H(addresses), .check = check_ip },
	{ .key = "location", .kind = CK_STR, .flags = CF_NONEMPTY, .offset = H(location) },
	{ .key = NULL },
};

static const struct conf_field raid_fields[] = {
	{ .key = "level", .kind = CK_STR, .flags = CF_REQUIRED, .offset = S(raid_level), .check = check_raid_level },
	{ .key = "disks", .kind = CK_UINT, .flags = CF_REQUIRED, .offset = S(raid_disks), .min = 1, .max = 4096 },
	{ .key = "spares", .kind = CK_UINT, .offset = S(raid_spares), .max = 4096 },
	{ .key = "spans", .kind = CK_UINT, .offset = S(raid_spans), .max = 4096 },
	{ .key = "chunk", .kind = CK_SIZE, .offset = S(raid_chunk) },
	{ .key = NULL },
};

static const struct conf_field storage_fields[] = {
	{ .key = "device", .kind = CK_STR, .flags = CF_REQUIRED, .offset = S(device), .check = check_device },
	{ .key = "raid", .kind = CK_GROUP, .flags = CF_REQUIRED, .offset = CONF_NO_OFFSET, .sub = raid_fields },
	{ .key = "partition", .kind = CK_BOOL, .offset = S(partition), .def = "false" },
	{ .key = "label", .kind = CK_STR, .offset = S(label), .check = check_label, .def = "mirror" },
	{ .key = "mountpoint", .kind = CK_STR, .flags = CF_REQUIRED, .offset = S(mountpoint), .check = check_abspath },
	{ .key = "mount_options", .kind = CK_STR, .offset = S(mount_options), .check = check_mount_options, .def = "noatime" },
	{ .key = NULL },
};

static const struct conf_field mirror_fields[] = {
	{ .key = "root", .kind = CK_STR, .flags = CF_REQUIRED, .offset = M(root), .check = check_abspath },
	{ .key = "user", .kind = CK_STR, .offset = M(user), .check = check_safe_name, .def = HOSTCONF_DEFAULT_USER },
	{ .key = "profiles", .kind = CK_STRV, .offset = M(profiles), .check = check_safe_name },
	{ .key = "http_server", .kind = CK_STR, .offset = M(http_server), .check = check_http_server, .def = "nginx" },
	{ .key = "tls_certificate", .kind = CK_STR, .offset = M(tls_certificate), .check = check_abspath },
	{ .key = "tls_key", .kind = CK_STR, .offset = M(tls_key), .check = check_abspath },
	{ .key = "status_path", .kind = CK_STR, .offset = M(status_path), .check = check_url_path },
	{ .key = "prometheus_file", .kind = CK_STR, .offset = M(prometheus_file), .check = check_prom_file },
	{ .key = NULL },
};

static const struct conf_field backend_fields[] = {
	{ .key = "type", .kind = CK_STR, .flags = CF_REQUIRED, .offset = B(type), .check = check_backend_type },
	{ .key = "url", .kind = CK_STR, .offset = B(url), .check = check_web },
	{ .key = "password_file", .kind = CK_STR, .offset = B(password_file), .check = check_abspath },
	{ .key = "program", .kind = CK_STR, .offset = B(program), .check = check_program },
	{ .key = "rpc", .kind = CK_STR, .offset = B(rpc), .check = check_hostport },
	{ .key = "timeout", .kind = CK_DURATION, .offset = B(timeout), .min = 1, .max = 86400,
	  .def = HOSTCONF_DEFAULT_BACKEND_TIMEOUT },
	{ .key = NULL },
};

static void backend_free(struct hostconf_backend *b)
{
	conf_free_fields(backend_fields, b);
	free(b->name);
	*b = (struct hostconf_backend){ 0 };
}

/* One instance group, its keys named "prefix.key" in messages. */
static int backend_load(const char *file, const config_setting_t *s, const char *name, const char *prefix,
			struct hostconf_backend *b, char **error)
{
	int r = conf_load_group_at(file, s, backend_fields, b, prefix, error);
	if (r < 0)
		return r;
	b->line = (unsigned)config_setting_source_line(s);
	if (!(b->name = strdup(name))) {
		backend_free(b);
		return -ENOMEM;
	}
	return 0;
}

static int single_backend_parse(const char *file, const config_setting_t *s, void *base, char **error)
{
	struct hostconf *hc = base;
	int r = backend_load(file, s, HOSTCONF_DEFAULT_BACKEND, "backend", &hc->backend, error);

	hc->has_backend = r == 0;
	return r;
}

static void single_backend_free(void *base)
{
	struct hostconf *hc = base;

	backend_free(&hc->backend);
	hc->has_backend = false;
}

static void backends_free(void *base)
{
	struct hostconf *hc = base;

	for (size_t i = 0; i < hc->n_backends; i++)
		backend_free(&hc->backends[i]);
	free(hc->backends);
	hc->backends = NULL;
	hc->n_backends = 0;
}

/* backends: { NAME: { type = ...; ... }; ... }; */
static int backends_parse(const char *file, const config_setting_t *s, void *base, char **error)
{
	struct hostconf *hc = base;
	int n = config_setting_is_group(s) ? config_setting_length(s) : -1;

	if (n < 0) {
		*error = conf_error(file, (unsigned)config_setting_source_line(s), "'backends' must be a group { NAME: { ... }; }");
		return -EINVAL;
	}
	if (!(hc->backends = calloc((size_t)n + 1, sizeof(*hc->backends))))
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(e);
		_cleanup_free_ char *prefix = NULL;
		const char *why = check_safe_name(name);
		if (!why && strcmp(name, HOSTCONF_DEFAULT_BACKEND) == 0)
			why = "is reserved for the backend group";
		if (why) {
			*error = conf_error(file, (unsigned)config_setting_source_line(e), "backends: name '%s' %s", name, why);
			return -EINVAL;
		}
		if (asprintf(&prefix, "backends.%s", name) < 0)
			return -ENOMEM;
		int r = backend_load(file, e, name, prefix, &hc->backends[i], error);
		if (r < 0)
			return r;
		hc->n_backends++;
	}
	return 0;
}

static const struct conf_field profile_fields[] = {
	{ .key = "upstream", .kind = CK_STR, .offset = offsetof(struct hostconf_profile, upstream), .check = check_rsync_source },
	{ .key = "backend", .kind = CK_STR, .offset = offsetof(struct hostconf_profile, backend), .check = check_safe_name },
	{ .key = NULL },
};

static void profiles_free(void *base)
{
	struct hostconf *hc = base;

	for (size_t i = 0; i < hc->n_profiles; i++) {
		conf_free_fields(profile_fields, &hc->profiles[i]);
		free(hc->profiles[i].name);
	}
	free(hc->profiles);
	hc->profiles = NULL;
	hc->n_profiles = 0;
}

/* profile: { archlinux: { upstream = "…"; backend = "…"; }; … } — one group per
 * profile name.  A backend names an instance; it is checked once the whole
 * file is read (hostconf_validate). */
static int profiles_parse(const char *file, const config_setting_t *s, void *base, char **error)
{
	struct hostconf *hc = base;
	int n = config_setting_is_group(s) ? config_setting_length(s) : -1;

	if (n < 0) {
		*error = conf_error(file, config_setting_source_line(s), "'profile' must be a group { NAME: { ... }; ... }");
		return -EINVAL;
	}
	hc->profiles = calloc((size_t)n + 1, sizeof(*hc->profiles));
	if (!hc->profiles)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(g), *why = check_safe_name(name);
		_cleanup_free_ char *prefix = NULL;
		if (why || !config_setting_is_group(g)) {
			*error = conf_error(file, config_setting_source_line(g), "profile.%s: %s", name,
					    why ? why : "must be a group { upstream = ...; }");
			return -EINVAL;
		}
		struct hostconf_profile *hp = &hc->profiles[hc->n_profiles];
		if (!(hp->name = strdup(name)) || asprintf(&prefix, "profile.%s", name) < 0) {
			prefix = NULL;
			return -ENOMEM;
		}
		hc->n_profiles++;
		int r = conf_load_group_at(file, g, profile_fields, hp, prefix, error);
		if (r < 0)
			return r;
		const config_setting_t *b = config_setting_get_member(g, "backend");
		hp->backend_line = b ? (unsigned)config_setting_source_line(b) : 0;
	}
	return 0;
}

const struct hostconf_profile *hostconf_profile(const struct hostconf *hc, const char *name)
{
	for (size_t i = 0; hc && i < hc->n_profiles; i++)
		if (strcmp(hc->profiles[i].name, name) == 0)
			return &hc->profiles[i];
	return NULL;
}

static const struct conf_field hostconf_schema[] = {
	{ .key = "host", .kind = CK_GROUP, .offset = offsetof(struct hostconf, has_host), .sub = host_fields },
	{ .key = "storage", .kind = CK_GROUP, .offset = offsetof(struct hostconf, has_storage), .sub = storage_fields },
	{ .key = "mirror", .kind = CK_GROUP, .offset = offsetof(struct hostconf, has_mirror), .sub = mirror_fields },
	{ .key = "backend", .kind = CK_CUSTOM, .offset = 0, .parse = single_backend_parse, .free = single_backend_free },
	{ .key = "backends", .kind = CK_CUSTOM, .offset = 0, .parse = backends_parse, .free = backends_free },
	{ .key = "profile", .kind = CK_CUSTOM, .offset = 0, .parse = profiles_parse, .free = profiles_free },
	{ .key = NULL },
};

const struct hostconf_backend *hostconf_backend_find(const struct hostconf *hc, const char *name)
{
	if (hc->has_backend && strcmp(name, HOSTCONF_DEFAULT_BACKEND) == 0)
		return &hc->backend;
	for (size_t i = 0; i < hc->n_backends; i++)
		if (strcmp(hc->backends[i].name, name) == 0)
			return &hc->backends[i];
	return NULL;
}

void hostconf_free(struct hostconf *hc)
{
	conf_free_fields(hostconf_schema, hc);
	free(hc->path);
	*hc = (struct hostconf){ 0 };
}

/* Rules that span keys. */
static int hostconf_validate(const struct hostconf *hc, unsigned need, char **error)
{
	static const struct {
		unsigned bit;
		const char *name;
	} sections[] = {
		{ HOSTCONF_HOST, "host" }, { HOSTCONF_STORAGE, "storage" },
		{ HOSTCONF_MIRROR, "mirror" }, { HOSTCONF_BACKEND, "backend" },
	};
	const bool has[] = { hc->has_host, hc->has_storage, hc->has_mirror, hc->has_backend };

	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		if ((need & sections[i].bit) && !has[i]) {
			*error = conf_error(hc->path, 0, "missing section '%s'", sections[i].name);
			return -EINVAL;
		}
	if (hc->has_host && !hc->host.url_http && !hc->host.url_https) {
		*error = conf_error(hc->path, 0, "host.urls needs an http or https URL");
		return -EINVAL;
	}
	if (hc->has_mirror && !!hc->mirror.tls_certificate != !!hc->mirror.tls_key) {
		*error = conf_error(hc->path, 0, "mirror.tls_certificate and mirror.tls_key go together");
		return -EINVAL;
	}
	for (size_t i = 0; i < hc->n_profiles; i++)
		if (hc->profiles[i].backend && !hostconf_backend_find(hc, hc->profiles[i].backend)) {
			*error = conf_error(hc->path, hc->profiles[i].backend_line,
					    "profile.%s.backend: unknown backend instance '%s' (declare it in backends%s)",
					    hc->profiles[i].name, hc->profiles[i].backend,
					    hc->has_backend ? ", or name \"default\" for the backend group" : "");
			return -EINVAL;
		}
	return 0;
}

int hostconf_load(const char *path, unsigned need, struct hostconf *hc, char **error)
{
	int r;

	*hc = (struct hostconf){ 0 };
	if (!path)
		path = HOSTCONF_DEFAULT_PATH;
	r = conf_load_file(path, hostconf_schema, hc, error);
	if (r < 0)
		return r;
	if (!(hc->path = strdup(path))) {
		hostconf_free(hc);
		return -ENOMEM;
	}
	r = hostconf_validate(hc, need, error);
	if (r < 0)
		hostconf_free(hc);
	return r;
}

static int check_secret_fd(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_mode & 0077)
		return -EPERM;
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return -EPERM;
	return 0;
}

int hostconf_check_secret_file(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	return fd < 0 ? negative_errno() : check_secret_fd(fd);
}

int hostconf_read_secret(const char *path, char **ret)
{
	char *s;
	int r = hostconf_check_secret_file(path);

	if (r < 0)
		return r;
	r = read_attr(path, &s);
	if (r < 0)
		return r;
	if (!*s) {
		/* Sent as is, an empty password fails later with a misleading "wrong password". */
		free(s);
		return -ENODATA;
	}
	*ret = s;
	return 0;
}
