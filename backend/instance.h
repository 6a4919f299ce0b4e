/* Which backend instance registers which profile, for `register`.
 *
 * Each project runs its own registration channel (issue 14): Fedora, EPEL and
 * CentOS Stream share Fedora's MirrorManager, RPM Fusion and Rocky run their
 * own, Debian takes a form, Ubuntu Launchpad, ...  A profile names its
 * default instance (backend.type and backend.url in the profile); host.conf
 * declares instances with what the host needs to use them (password file,
 * program, timeout) and may send a profile to another one.
 *
 * A profile's instance, first match wins:
 *   1. host.conf names one for it (profile.NAME.backend);
 *   2. a host.conf instance (backends, or the backend group) of the same type
 *      and URL as the profile's default: never by type alone, so a password
 *      only ever goes to the server it was made for;
 *   3. the profile's default, as the profile states it (no credentials).
 * Legacy mode, a host.conf whose only instance is the single `backend` group
 * (files written before instances existed): as before, the profiles of that
 * group's type, or all of --profile, go to it and the others are left out.
 *
 *   struct reg_plan plan;
 *   r = reg_plan_build(hc, &set, type, listed, &plan, &err);
 *   for each plan.v[i]: its instance, its profiles, reg_group_categories()
 *   reg_plan_free(&plan);
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "lib/hostconf.h"
#include "sync/profile.h"

/* One instance and the profiles it registers.  The instance's strings are
 * borrowed from the host configuration or the profile (name may be owned). */
struct reg_group {
	struct hostconf_backend inst;
	bool from_host;              /* declared in host.conf (else a profile's default) */
	char *owned_name;            /* inst.name when derived from the URL */
	const struct profile **profiles;
	size_t n;
};

struct reg_plan {
	struct reg_group *v;
	size_t n;
	bool legacy;                 /* host.conf has only the single backend group */
	const struct profile **unassigned;   /* profiles no instance registers */
	size_t n_unassigned;
};

/* Groups set by instance.  type (--backend, or NULL) keeps only instances
 * of that type (legacy: it replaces the backend group's type); listed says
 * the profiles were named on the command line.  -EINVAL with *error when a
 * listed profile has no instance. */
int reg_plan_build(const struct hostconf *hc, const struct profile_set *set, const char *type, bool listed,
		   struct reg_plan *plan, char **error);
void reg_plan_free(struct reg_plan *plan);

/* MirrorManager's XML-RPC endpoint for an instance URL (its web UI or the
 * endpoint itself): "https://mirrormanager.fedoraproject.org/xmlrpc". */
char *mm_xmlrpc_url(const char *url);

/* Is the instance's channel a document a human submits (a sheet, a stanza,
 * a YAML file) rather than a call mirrorprov makes? */
bool reg_instance_prints(const struct hostconf *hc, const struct hostconf_backend *inst);

/* The MirrorManager categories of a group's profiles, each once, with their
 * top directories below root (malloc'd in paths, NULL-terminated). */
struct checkin_category;
int reg_group_categories(const struct reg_group *g, const char *root, struct checkin_category **cats,
			 char ***paths, size_t *n);
