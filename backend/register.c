#include "register.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/macro.h"
#include "lib/names.h"
#include "lib/strv.h"

#define ZONE_TAB "/usr/share/zoneinfo/zone.tab"
#define ISO3166_TAB "/usr/share/zoneinfo/iso3166.tab"

int reg_urls_for(const struct hostconf *hc, const char *topdir, const char *rsync_path, struct reg_urls *u)
{
	*u = (struct reg_urls){ 0 };
	if ((hc->host.url_http && !(u->http = url_join(hc->host.url_http, topdir))) ||
	    (hc->host.url_https && !(u->https = url_join(hc->host.url_https, topdir))) ||
	    (hc->host.url_rsync && !(u->rsync = url_join(hc->host.url_rsync, rsync_path)))) {
		reg_urls_free(u);
		return -ENOMEM;
	}
	return 0;
}

int reg_urls_profile(const struct hostconf *hc, const struct profile *p, const struct profile_category *c,
		     struct reg_urls *ret)
{
	_cleanup_free_ char *rsync_path = c ? url_join(p->module, c->path) : strdup(p->module);

	if (!rsync_path)
		return -ENOMEM;
	/* the tree is served over http(s) as laid out below the mirror root */
	return reg_urls_for(hc, c ? c->topdir : p->http_path, rsync_path, ret);
}

void reg_urls_free(struct reg_urls *u)
{
	free(u->http);
	free(u->https);
	free(u->rsync);
	*u = (struct reg_urls){ 0 };
}

/* NULL-terminated argv built from pieces; NULL pieces are skipped in pairs. */
static int make_argv(char ***ret, const char *const *parts, size_t n)
{
	_cleanup_strvec_ struct strvec v = { 0 };

	for (size_t i = 0; i < n; i++)
		if (parts[i])
			strvec_push(&v, parts[i]);
	return strvec_steal(&v, false, ret);
}

/* An option and its value, both left out when the value is NULL. */
#define OPTVAL(o, v) (v) ? (o) : NULL, (v)

int mirrorbits_argv(const struct hostconf *hc, const struct hostconf_backend *inst, const struct reg_urls *u,
		    bool enable, char ***ret)
{
	_cleanup_free_ char *host = NULL;
	const char *port = NULL;
	/* mirrorbits takes one http URL; https is preferred when both exist */
	const char *http = u->https ? u->https : u->http;

	if (inst->rpc) {
		const char *colon = strrchr(inst->rpc, ':');
		if (!(host = strndup(inst->rpc, (size_t)(colon - inst->rpc))))
			return -ENOMEM;
		port = colon + 1;
	}
	const char *prog = inst->program ? inst->program : "mirrorbits";
	/* -a: mirrorbits reads the RPC password from stdin, so it never shows in argv */
	const char *ask = inst->password_file ? "-a" : NULL;
	if (enable) {
		const char *parts[] = { prog, OPTVAL("-h", host), OPTVAL("-p", port), ask, "enable", hc->host.name };
		return make_argv(ret, parts, ARRAY_SIZE(parts));
	}
	const char *parts[] = {
		prog, OPTVAL("-h", host), OPTVAL("-p", port), ask, "add",
		"-http", http, OPTVAL("-rsync", u->rsync),
		"-sponsor-name", hc->host.site, OPTVAL("-sponsor-url", hc->host.site_url),
		"-admin-email", hc->host.admin_email,
		hc->host.name,
	};
	return make_argv(ret, parts, ARRAY_SIZE(parts));
}

int mirrorbrain_argv(const struct hostconf *hc, const struct hostconf_backend *inst, const struct reg_urls *u,
		     char ***ret)
{
	const char *http = u->https ? u->https : u->http;
	const char *region;
	char cc[3] = { 0 };

	/* mb wants lower-case country codes and a region (continent) code */
	for (int i = 0; i < 2 && hc->host.country[i]; i++)
		cc[i] = (char)(hc->host.country[i] | 0x20);
	if (!country_continent(hc->host.country, &region))
		region = NULL;
	const char *parts[] = {
		inst->program ? inst->program : "mb", "new", hc->host.name,
		"-H", http, OPTVAL("-R", u->rsync), "-c", cc, OPTVAL("-r", region),
		"-e", hc->host.admin_email, "--operator-name", hc->host.site,
		OPTVAL("--operator-url", hc->host.site_url),
	};
	return make_argv(ret, parts, ARRAY_SIZE(parts));
}

/* "https://host:port/path" -> host[:port] and /path */
static int split_url(const char *url, char **host, const char **path)
{
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	size_t n = strcspn(h, "/");
	*path = h[n] ? h + n : "";
	*host = strndup(h, n);
	return *host ? 0 : -ENOMEM;
}

json_object *mirrorcache_body(const struct hostconf *hc, const struct reg_urls *u)
{
	_cleanup_free_ char *host = NULL;
	const char *path, *region = NULL;
	char cc[3] = { 0 };

	if (split_url(u->https ? u->https : u->http, &host, &path) < 0)
		return NULL;
	for (int i = 0; i < 2 && hc->host.country[i]; i++)
		cc[i] = (char)(hc->host.country[i] | 0x20);
	country_continent(hc->host.country, &region);
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "hostname", json_object_new_string(host));
	json_object_object_add(o, "urldir", json_object_new_string(path));
	json_object_object_add(o, "enabled", json_object_new_int(1));
	json_object_object_add(o, "country", json_object_new_string(cc));
	json_object_object_add(o, "region", json_object_new_string(region ? region : ""));
	json_object_object_add(o, "sponsor", json_object_new_string(hc->host.site));
	json_object_object_add(o, "sponsor_url", json_object_new_string(hc->host.site_url ? hc->host.site_url : ""));
	json_object_object_add(o, "comment", json_object_new_string(hc->host.admin_email));
	return o;
}

/* The first line of a tzdata table whose first field is cc; fields split on tabs. */
static char *tab_line(const char *file, const char *cc, char **fields, size_t nfields)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	while (getline(&line, &cap, f) > 0) {
		if (line[0] == '#' || strncasecmp(line, cc, 2) != 0 || line[2] != '\t')
			continue;
		line[strcspn(line, "\n")] = '\0';
		char *save = NULL, *tok = strtok_r(line, "\t", &save);
		for (size_t i = 0; i < nfields; i++, tok = strtok_r(NULL, "\t", &save))
			fields[i] = tok;
		return line;
	}
	free(line);
	return NULL;
}

char *country_name(const char *cc)
{
	char *fields[2] = { 0 };
	_cleanup_free_ char *line = tab_line(ISO3166_TAB, cc, fields, 2);
	return line && fields[1] ? strdup(fields[1]) : NULL;
}

const char *country_continent(const char *cc, const char **code)
{
	/* tzdata has no continents; the first time zone's area gives it, with
	 * America split by the countries of South America */
	static const char *const south[] = { "AR", "BO", "BR", "CL", "CO", "EC", "FK", "GF", "GY",
					     "PE", "PY", "SR", "UY", "VE", NULL };
	static const struct { const char *area, *name, *code; } areas[] = {
		{ "Europe/", "Europe", "eu" }, { "Atlantic/", "Europe", "eu" }, { "Asia/", "Asia", "as" },
		{ "Indian/", "Asia", "as" }, { "Africa/", "Africa", "af" }, { "Australia/", "Oceania", "oc" },
		{ "Pacific/", "Oceania", "oc" }, { "America/", "North America", "na" },
	};
	char *fields[3] = { 0 };
	_cleanup_free_ char *line = tab_line(ZONE_TAB, cc, fields, 3);

	*code = NULL;
	if (!line || !fields[2])
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(areas); i++) {
		if (strncmp(fields[2], areas[i].area, strlen(areas[i].area)) != 0)
			continue;
		if (strcmp(areas[i].code, "na") == 0)
			for (size_t s = 0; south[s]; s++)
				if (strcasecmp(south[s], cc) == 0) {
					*code = "sa";
					return "South America";
				}
		*code = areas[i].code;
		return areas[i].name;
	}
	return NULL;
}

static const char *yesno(bool b)
{
	return b ? "yes" : "no";
}

static void sheet_field(struct strbuf *sb, const char *label, const char *value)
{
	strbuf_addf(sb, "  %-22s %s\n", label, value);
}

int mm_sheet(const struct hostconf *hc, const struct reg_group *g, struct strbuf *sb)
{
	const struct hostconf_host *h = &hc->host;
	const char *url = g->inst.url;
	_cleanup_free_ char *ui = NULL;
	char num[32];

	/* the web UI lives where the XML-RPC endpoint does, without /xmlrpc */
	if (url) {
		size_t n = strlen(url);
		if (n > 7 && strcmp(url + n - 7, "/xmlrpc") == 0)
			n -= 7;
		if (!(ui = strndup(url, n)))
			return -ENOMEM;
	}
	strbuf_addf(sb, "MirrorManager registration sheet for %s\n\n", h->name);
	strbuf_addf(sb, "This step is manual.  MirrorManager has no interface that creates sites, hosts\n"
			"or URLs, and its checkin refuses public hosts: log in to the web UI%s%s\n"
			"and enter these values in its forms.  Run `mirrorprov check` first: the crawler\n"
			"disables a host whose URLs do not serve current content.\n\n",
		    ui ? " at " : "", ui ? ui : "");
	strbuf_adds(sb, "Site (/site/new)\n");
	sheet_field(sb, "Name:", h->site);
	sheet_field(sb, "Organization URL:", h->site_url ? h->site_url : "(required: host.site_url is not set)");
	sheet_field(sb, "Password:", "(choose one; not used by public hosts)");
	sheet_field(sb, "Private:", yesno(h->private_mirror));
	sheet_field(sb, "User active:", "yes");
	strbuf_adds(sb, "\nHost (/host/<site id>/new)\n");
	sheet_field(sb, "Name:", h->name);
	sheet_field(sb, "Country:", h->country);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)h->bandwidth_mbit);
	sheet_field(sb, "Bandwidth (Mbit/s):", num);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)h->max_connections);
	sheet_field(sb, "Max connections:", num);
	sheet_field(sb, "Private:", yesno(h->private_mirror));
	sheet_field(sb, "Internet2:", "no");
	if (h->asn) {
		snprintf(num, sizeof(num), "%llu", (unsigned long long)h->asn);
		sheet_field(sb, "ASN:", num);
		sheet_field(sb, "ASN clients:", "yes");
	} else
		sheet_field(sb, "ASN:", "(none)");
	sheet_field(sb, "Robot email:", h->admin_email);
	sheet_field(sb, "User active:", "yes");

	strbuf_adds(sb, "\nCategories (/host/<host id>/category/new), then each URL (…/url/new):\n");
	bool any = false;
	for (size_t i = 0; i < g->n; i++) {
		const struct profile *p = g->profiles[i];
		for (size_t c = 0; c < p->n_categories; c++) {
			struct reg_urls u;
			int r = reg_urls_profile(hc, p, &p->categories[c], &u);
			if (r < 0)
				return r;
			strbuf_addf(sb, "  %s\n", p->categories[c].name);
			/* https first: what mirrorlists hand out by default */
			const char *list[] = { u.https, u.http, u.rsync };
			for (size_t k = 0; k < ARRAY_SIZE(list); k++)
				if (list[k])
					strbuf_addf(sb, "    %s\n", list[k]);
			reg_urls_free(&u);
			any = true;
		}
	}
	if (!any)
		strbuf_adds(sb, "  (no profile of this host names a MirrorManager category)\n");

	strbuf_adds(sb, "\nUpstream rsync ACL (/host/<host id>/host_acl_ip/new), one entry per address:\n");
	for (size_t i = 0; h->addresses && h->addresses[i]; i++)
		strbuf_addf(sb, "  %s\n", h->addresses[i]);
	if (!h->addresses || !h->addresses[0])
		strbuf_adds(sb, "  (host.addresses is not set: list the server's public IPv4 and IPv6 addresses)\n");
	return strbuf_error(sb);
}

/* "rsync://ftp.de.debian.org/debian/" -> "ftp.de.debian.org" */
static char *url_host(const char *url)
{
	_cleanup_free_ char *host = NULL;
	const char *path;
	if (split_url(url, &host, &path) < 0)
		return NULL;
	return TAKE_PTR(host);
}

/* "City, State" -> city and state (either may be NULL) */
static void split_location(const char *loc, char **city, char **state)
{
	*city = *state = NULL;
	if (!loc)
		return;
	const char *comma = strchr(loc, ',');
	*city = comma ? strndup(loc, (size_t)(comma - loc)) : strdup(loc);
	if (comma) {
		comma++;
		while (*comma == ' ')
			comma++;
		*state = *comma ? strdup(comma) : NULL;
	}
}

int debian_stanza(const struct hostconf *hc, const struct profile *p, struct strbuf *sb)
{
	const struct hostconf_host *h = &hc->host;
	_cleanup_free_ char *country = country_name(h->country);
	/* the upstream this host pulls from (profile default or host.conf's) */
	_cleanup_free_ char *upstream = p->upstream ? url_host(p->upstream) : NULL;
	bool v6 = false;

	for (size_t i = 0; h->addresses && h->addresses[i]; i++)
		v6 |= strchr(h->addresses[i], ':') != NULL;
	strbuf_addf(sb, "Site: %s\n", h->name);
	strbuf_adds(sb, "Type: leaf\n");
	if (h->url_http)
		strbuf_addf(sb, "Archive-http: %s\n", p->http_path);
	if (h->url_rsync)
		strbuf_addf(sb, "Archive-rsync: %s/\n", p->module);
	if (upstream)
		strbuf_addf(sb, "Archive-upstream: %s\n", upstream);
	if (h->addresses && h->addresses[0])
		strbuf_addf(sb, "IPv6: %s\n", yesno(v6));
	strbuf_addf(sb, "Maintainer: %s <%s>\n", h->site, h->admin_email);
	strbuf_addf(sb, "Country: %s%s%s\n", h->country, country ? " " : "", country ? country : "");
	if (h->location)
		strbuf_addf(sb, "Location: %s\n", h->location);
	strbuf_addf(sb, "Sponsor: %s%s%s\n", h->site, h->site_url ? " " : "", h->site_url ? h->site_url : "");
	return strbuf_error(sb);
}

/* A YAML scalar, double-quoted unless plainly safe. */
static void yaml_scalar(struct strbuf *sb, const char *s)
{
	bool plain = *s && !strchr("-?:,[]{}#&*!|>'\"%@` ", *s) && !strstr(s, ": ") && !strstr(s, " #") &&
		     s[strlen(s) - 1] != ' ' && s[strlen(s) - 1] != ':';
	for (const char *p = s; plain && *p; p++)
		plain = (unsigned char)*p >= 0x20 && *p != 0x7f;
	if (plain) {
		strbuf_adds(sb, s);
		return;
	}
	strbuf_addc(sb, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_addc(sb, '\\');
		if ((unsigned char)*p < 0x20)
			strbuf_addf(sb, "\\x%02x", (unsigned char)*p);
		else
			strbuf_addc(sb, *p);
	}
	strbuf_addc(sb, '"');
}

static void yaml_kv(struct strbuf *sb, const char *indent, const char *k, const char *v)
{
	if (!v)
		return;
	strbuf_addf(sb, "%s%s: ", indent, k);
	yaml_scalar(sb, v);
	strbuf_addc(sb, '\n');
}

/* systemd OnCalendar of the profile as AlmaLinux's update_frequency ("3h"), or NULL. */
static char *update_frequency(const char *schedule)
{
	unsigned n;
	char *r;

	if (!schedule)
		return NULL;
	if (strcmp(schedule, "hourly") == 0)
		return strdup("1h");
	if (sscanf(schedule, "*-*-* 00/%u:00:00", &n) == 1 && n > 0 && n <= 24)
		return asprintf(&r, "%uh", n) < 0 ? NULL : r;
	if (strcmp(schedule, "daily") == 0)
		return strdup("24h");
	return NULL;
}

int almalinux_yaml(const struct hostconf *hc, const struct profile *p, struct strbuf *sb)
{
	const struct hostconf_host *h = &hc->host;
	_cleanup_free_ char *freq = update_frequency(p->schedule), *city = NULL, *state = NULL;
	struct reg_urls u;
	const char *code;
	int r;

	if ((r = reg_urls_profile(hc, p, NULL, &u)) < 0)
		return r;
	split_location(h->location, &city, &state);
	yaml_kv(sb, "", "name", h->name);
	strbuf_adds(sb, "address:\n");
	const char *keys[] = { "http", "https", "rsync" };
	const char *vals[] = { u.http, u.https, u.rsync };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		/* AlmaLinux lists directory URLs with their trailing slash */
		_cleanup_free_ char *slash = NULL;
		if (vals[i] && asprintf(&slash, "%s/", vals[i]) < 0) {
			reg_urls_free(&u);
			return -ENOMEM;
		}
		yaml_kv(sb, "  ", keys[i], slash);
	}
	reg_urls_free(&u);
	yaml_kv(sb, "", "update_frequency", freq);
	yaml_kv(sb, "", "sponsor", h->site);
	yaml_kv(sb, "", "sponsor_url", h->site_url);
	yaml_kv(sb, "", "email", h->admin_email);
	strbuf_adds(sb, "geolocation:\n");
	yaml_kv(sb, "  ", "continent", country_continent(h->country, &code));
	yaml_kv(sb, "  ", "country", h->country);
	yaml_kv(sb, "  ", "state_province", state);
	yaml_kv(sb, "  ", "city", city);
	strbuf_addf(sb, "private: %s\n", h->private_mirror ? "true" : "false");
	if (h->asn)
		strbuf_addf(sb, "asn: %llu\n", (unsigned long long)h->asn);
	return strbuf_error(sb);
}
