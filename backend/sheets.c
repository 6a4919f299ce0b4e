/* The documents of manual registration channels: what a human enters in
 * Launchpad's mirror form, in an Arch mirror request, or sends to the admins
 * of a project's MirrorCache; and the dispatcher over every manual type. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/register.h"
#include "lib/macro.h"

static void field(struct strbuf *sb, const char *label, const char *value)
{
	strbuf_addf(sb, "  %-22s %s\n", label, value);
}

static void field_u64(struct strbuf *sb, const char *label, uint64_t v, const char *unit)
{
	char num[48];
	snprintf(num, sizeof(num), "%llu%s", (unsigned long long)v, unit);
	field(sb, label, num);
}

/* The profile's http(s)/rsync URLs as "label: URL" fields; "(none)" where the host has none. */
static int url_fields(struct strbuf *sb, const struct hostconf *hc, const struct profile *p, const char *http_label,
		      const char *https_label, const char *rsync_label)
{
	struct reg_urls u;
	int r = reg_urls_profile(hc, p, NULL, &u);

	if (r < 0)
		return r;
	field(sb, https_label, u.https ? u.https : "(none)");
	field(sb, http_label, u.http ? u.http : "(none)");
	field(sb, rsync_label, u.rsync ? u.rsync : "(none)");
	reg_urls_free(&u);
	return 0;
}

static void addresses(struct strbuf *sb, const struct hostconf_host *h, const char *label)
{
	strbuf_addf(sb, "%s\n", label);
	for (size_t i = 0; h->addresses && h->addresses[i]; i++)
		strbuf_addf(sb, "  %s\n", h->addresses[i]);
	if (!h->addresses || !h->addresses[0])
		strbuf_adds(sb, "  (host.addresses is not set: list the server's public IPv4 and IPv6 addresses)\n");
}

static const char *where(const struct reg_group *g, const char *fallback)
{
	return g->inst.url ? g->inst.url : fallback;
}

/* Launchpad's "Register a new mirror" form (lib/lp/registry/browser/
 * distributionmirror.py, DistributionMirrorAddView): one mirror per content,
 * the archive and the release images are registered separately. */
static int launchpad_sheet(const struct hostconf *hc, const struct reg_group *g, struct strbuf *sb)
{
	const struct hostconf_host *h = &hc->host;
	_cleanup_free_ char *country = country_name(h->country);

	strbuf_addf(sb, "Launchpad mirror registration sheet for %s\n\n", h->name);
	strbuf_addf(sb, "This step is manual: log in to Launchpad, open %s\n"
			"and register one mirror per block below.  Launchpad's prober then checks the\n"
			"mirror's freshness before it is listed.\n",
		    where(g, "https://launchpad.net/ubuntu/+newmirror"));
	for (size_t i = 0; i < g->n; i++) {
		const struct profile *p = g->profiles[i];
		/* the release images live in their own tree (ubuntu-releases) */
		bool release = strstr(p->name, "release") != NULL;
		int r;
		strbuf_addf(sb, "\n%s (%s)\n", p->name, p->description);
		field(sb, "Display name:", h->name);
		field(sb, "Description:", h->site);
		if ((r = url_fields(sb, hc, p, "HTTP URL:", "HTTPS URL:", "Rsync URL:")) < 0)
			return r;
		field_u64(sb, "Speed:", h->bandwidth_mbit, " Mbit/s (pick the nearest)");
		field(sb, "Country:", country ? country : h->country);
		field(sb, "Content:", release ? "CD Image" : "Archive");
		field(sb, "Official candidate:", "yes");
	}
	return strbuf_error(sb);
}

/* Arch: a mirror request in Arch's GitLab (RFC 0029, formerly the bug
 * tracker) with what DeveloperWiki:NewMirrors asks for. */
static int archlinux_sheet(const struct hostconf *hc, const struct reg_group *g, struct strbuf *sb)
{
	const struct hostconf_host *h = &hc->host;
	_cleanup_free_ char *country = country_name(h->country);

	strbuf_addf(sb, "Arch Linux mirror request for %s\n\n", h->name);
	strbuf_addf(sb, "This step is manual: open a mirror request at %s\n"
			"with these values.  Arch's mirror check reads lastsync from every URL.\n\n",
		    where(g, "https://gitlab.archlinux.org/archlinux/infrastructure/-/issues"));
	field(sb, "Mirror domain name:", h->name);
	field(sb, "Location:", h->location ? h->location : "(host.location is not set)");
	field(sb, "Country:", country ? country : h->country);
	field(sb, "Tier:", "2");
	field_u64(sb, "Bandwidth:", h->bandwidth_mbit, " Mbit/s");
	field(sb, "Admin contact:", h->admin_email);
	for (size_t i = 0; i < g->n; i++) {
		const struct profile *p = g->profiles[i];
		int r;
		strbuf_addf(sb, "\n%s\n", p->name);
		if ((r = url_fields(sb, hc, p, "HTTP URL:", "HTTPS URL:", "Rsync URL:")) < 0)
			return r;
		field(sb, "Syncs from:", p->upstream ? p->upstream : "(the tier-1 mirror you pull from: profile.archlinux.upstream)");
	}
	strbuf_adds(sb, "\n");
	addresses(sb, h, "Addresses the mirror syncs from (tier-1 rsync ACLs):");
	return strbuf_error(sb);
}

/* A MirrorCache the host has no token for (openSUSE's): the values of its
 * server table (POST /rest/server, see mirrorcache_body()) for its admins. */
static int mirrorcache_sheet(const struct hostconf *hc, const struct reg_group *g, struct strbuf *sb)
{
	strbuf_addf(sb, "MirrorCache server sheet for %s\n\n", hc->host.name);
	strbuf_addf(sb, "This step is manual: the MirrorCache at %s adds servers through its\n"
			"admins.  Send them these values (one server per directory).\n",
		    where(g, "(backend url not set)"));
	for (size_t i = 0; i < g->n; i++) {
		struct reg_urls u;
		int r = reg_urls_profile(hc, g->profiles[i], NULL, &u);
		if (r < 0)
			return r;
		json_object *o = mirrorcache_body(hc, &u);
		reg_urls_free(&u);
		if (!o)
			return -ENOMEM;
		strbuf_addf(sb, "\n%s\n", g->profiles[i]->name);
		json_object_object_foreach(o, key, val) {
			strbuf_addf(sb, "  %-22s %s\n", key, json_object_get_string(val));
		}
		json_object_put(o);
	}
	return strbuf_error(sb);
}

void reg_documents_free(struct reg_document *docs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(docs[i].title);
		free(docs[i].text);
	}
	free(docs);
}

int reg_documents(const struct hostconf *hc, const struct reg_group *g, struct reg_document **ret, size_t *ret_n)
{
	static const struct {
		const char *type, *kind;
		int (*sheet)(const struct hostconf *, const struct reg_group *, struct strbuf *);
	} per_instance[] = {
		{ "mirrormanager", "registration-sheet", mm_sheet },
		{ "launchpad", "launchpad-sheet", launchpad_sheet },
		{ "archlinux", "mirror-request", archlinux_sheet },
		{ "mirrorcache", "server-sheet", mirrorcache_sheet },
	};
	bool deb = strcmp(g->inst.type, "debian") == 0;
	_cleanup_strbuf_ struct strbuf sb = { 0 };
	struct reg_document *docs;
	int r;

	*ret = NULL;
	*ret_n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(per_instance); i++) {
		if (strcmp(g->inst.type, per_instance[i].type) != 0)
			continue;
		if ((r = per_instance[i].sheet(hc, g, &sb)) < 0)
			return r;
		if (!(docs = calloc(1, sizeof(*docs))))
			return -ENOMEM;
		docs[0] = (struct reg_document){ .kind = per_instance[i].kind, .text = strbuf_steal(&sb, NULL) };
		if (!docs[0].text) {
			free(docs);
			return -ENOMEM;
		}
		*ret = docs;
		*ret_n = 1;
		return 0;
	}
	if (!deb && strcmp(g->inst.type, "almalinux") != 0)
		return -EOPNOTSUPP;
	if (!(docs = calloc(g->n + 1, sizeof(*docs))))
		return -ENOMEM;
	for (size_t i = 0; i < g->n; i++) {
		const struct profile *p = g->profiles[i];
		strbuf_free(&sb);
		r = deb ? debian_stanza(hc, p, &sb) : almalinux_yaml(hc, p, &sb);
		docs[i] = (struct reg_document){ .kind = deb ? "masterlist-stanza" : "mirrors.d-yaml", .profile = p->name };
		if (r >= 0 && (!(docs[i].text = strbuf_steal(&sb, NULL)) ||
			       (deb ? asprintf(&docs[i].title, "# Mirrors.masterlist stanza for %s (submit at "
								"https://www.debian.org/mirror/submit)", p->name)
				    : asprintf(&docs[i].title, "# mirrors.d/%s.yml (pull request to "
								"https://github.com/AlmaLinux/mirrors)", hc->host.name)) < 0))
			r = -ENOMEM;
		if (r < 0) {
			docs[i].title = NULL;
			reg_documents_free(docs, i + 1);
			return r;
		}
	}
	*ret = docs;
	*ret_n = g->n;
	return 0;
}
