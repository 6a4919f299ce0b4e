/* Registration with each mirror backend as it really works: the argv of the
 * backend's own CLI (mirrorbits, MirrorBrain's mb), the JSON MirrorCache's
 * REST API takes, and the texts a human submits where there is no API
 * (MirrorManager registration sheet, Debian Mirrors.masterlist stanza,
 * AlmaLinux mirrors.d YAML).  No secret ever goes into argv or a text. */
#pragma once

#include <json-c/json.h>

#include "backend/instance.h"
#include "lib/hostconf.h"
#include "lib/strbuf.h"
#include "sync/profile.h"

/* The URLs of one profile (or of one MirrorManager category) on this host,
 * no trailing slash; NULL where the host has no such base URL. */
struct reg_urls {
	char *http, *https, *rsync;
};

/* topdir: below the mirror root as served over http(s); rsync_path: module[/path]. */
int reg_urls_for(const struct hostconf *hc, const char *topdir, const char *rsync_path, struct reg_urls *ret);
/* The URLs of a profile's tree, or of its category c (NULL: the profile itself). */
int reg_urls_profile(const struct hostconf *hc, const struct profile *p, const struct profile_category *c,
		     struct reg_urls *ret);
void reg_urls_free(struct reg_urls *u);

/* mirrorbits [-h HOST -p PORT] -a add -http URL [-rsync URL] ... NAME: the
 * password is read by mirrorbits from stdin (-a), never given in argv.
 * With enable, the argv of `mirrorbits ... enable NAME` instead. */
int mirrorbits_argv(const struct hostconf *hc, const struct hostconf_backend *inst, const struct reg_urls *u,
		    bool enable, char ***ret);
/* mb new NAME -H URL [-R URL] -c COUNTRY ... (mb reads its own database configuration). */
int mirrorbrain_argv(const struct hostconf *hc, const struct hostconf_backend *inst, const struct reg_urls *u,
		     char ***ret);
/* The body of MirrorCache's POST /rest/server. */
json_object *mirrorcache_body(const struct hostconf *hc, const struct reg_urls *u);

/* Continent of an ISO 3166 country from tzdata's zone.tab: "Europe",
 * "North America", ...; *code gets MirrorCache's region ("eu", "na", ...).
 * NULL when unknown. */
const char *country_continent(const char *cc, const char **code);
/* "Germany" for "DE" from tzdata's iso3166.tab, or NULL (malloc'd). */
char *country_name(const char *cc);

/* Public MirrorManager hosts: what to enter in the web UI of the group's
 * instance, by form, with the categories of the group's profiles. */
int mm_sheet(const struct hostconf *hc, const struct reg_group *g, struct strbuf *out);
/* Debian: the Mirrors.masterlist stanza for the submission form. */
int debian_stanza(const struct hostconf *hc, const struct profile *p, struct strbuf *out);
/* AlmaLinux: mirrors.d/<host>.yml for the pull request. */
int almalinux_yaml(const struct hostconf *hc, const struct profile *p, struct strbuf *out);

/* A document for a manual instance: its kind ("registration-sheet",
 * "masterlist-stanza", ...), the profile it is for (NULL: all of the group's),
 * a title line for the terminal (NULL: the text has its own) and the text. */
struct reg_document {
	const char *kind;
	const char *profile;
	char *title;
	char *text;
};

/* The documents of a group whose instance prints (reg_instance_prints()):
 * one per instance (MirrorManager, Launchpad, Arch, MirrorCache sheets) or
 * one per profile (Debian stanza, AlmaLinux YAML). */
int reg_documents(const struct hostconf *hc, const struct reg_group *g, struct reg_document **docs, size_t *n);
void reg_documents_free(struct reg_document *docs, size_t n);
