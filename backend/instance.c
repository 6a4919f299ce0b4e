#include "instance.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/checkin.h"
#include "lib/conf.h"
#include "lib/macro.h"

/* The length of url without trailing slashes and a final "/xmlrpc": a
 * profile names MirrorManager by its web UI, host.conf (report_mirror.conf's
 * server=) by the XML-RPC endpoint below it. */
static size_t url_stem(const char *url)
{
	size_t n = strlen(url);
	while (n && url[n - 1] == '/')
		n--;
	if (n >= 7 && strncmp(url + n - 7, "/xmlrpc", 7) == 0)
		n -= 7;
	while (n && url[n - 1] == '/')
		n--;
	return n;
}

static bool same_url(const char *a, const char *b)
{
	if (!a || !b)
		return !a && !b;
	size_t na = url_stem(a), nb = url_stem(b);
	return na == nb && strncmp(a, b, na) == 0;
}

char *mm_xmlrpc_url(const char *url)
{
	char *r;
	return asprintf(&r, "%.*s/xmlrpc", (int)url_stem(url), url) < 0 ? NULL : r;
}

/* Does host.conf send some profile to an instance other than its default? */
static bool has_routes(const struct hostconf *hc)
{
	for (size_t i = 0; i < hc->n_profiles; i++)
		if (hc->profiles[i].backend)
			return true;
	return false;
}

static bool same_instance(const struct hostconf_backend *x, const char *type, const char *url)
{
	return strcmp(x->type, type) == 0 && same_url(x->url, url);
}

/* The instance of profile p (see instance.h), or NULL; *from_host says where it is declared. */
static const struct hostconf_backend *pick(const struct hostconf *hc, const struct profile *p, bool *from_host)
{
	const struct hostconf_profile *hp = hostconf_profile(hc, p->name);

	*from_host = true;
	if (hp && hp->backend)
		return hostconf_backend_find(hc, hp->backend);
	if (!p->backend)
		return NULL;
	/* by type and URL only: a password goes to the server it was made for */
	for (size_t i = 0; i < hc->n_backends; i++)
		if (same_instance(&hc->backends[i], p->backend, p->backend_url))
			return &hc->backends[i];
	if (hc->has_backend && same_instance(&hc->backend, p->backend, p->backend_url))
		return &hc->backend;
	*from_host = false;
	return NULL;
}

/* "https://mirrormanager.fedoraproject.org/xmlrpc" -> "mirrormanager.fedoraproject.org" */
static char *name_from_url(const char *url, const char *type)
{
	if (!url)
		return strdup(type);
	const char *h = strstr(url, "://");
	h = h ? h + 3 : url;
	return strndup(h, strcspn(h, "/:"));
}

static int add_profile(struct reg_group *g, const struct profile *p)
{
	const struct profile **v = realloc(g->profiles, (g->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	g->profiles = v;
	g->profiles[g->n++] = p;
	return 0;
}

/* The group of an instance, created on first use.  Host instances are the
 * same group by identity, profile defaults by type and URL. */
static struct reg_group *group_for(struct reg_plan *plan, const struct hostconf_backend *inst, bool from_host,
				   const struct profile *p)
{
	for (size_t i = 0; i < plan->n; i++) {
		struct reg_group *g = &plan->v[i];
		if (g->from_host != from_host)
			continue;
		if (from_host ? strcmp(g->inst.name, inst->name) == 0 : same_instance(&g->inst, p->backend, p->backend_url))
			return g;
	}
	struct reg_group *v = realloc(plan->v, (plan->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	plan->v = v;
	struct reg_group *g = &plan->v[plan->n];
	*g = (struct reg_group){ .from_host = from_host };
	if (from_host)
		g->inst = *inst;
	else {
		if (!(g->owned_name = name_from_url(p->backend_url, p->backend)))
			return NULL;
		g->inst = (struct hostconf_backend){ .name = g->owned_name, .type = p->backend, .url = p->backend_url };
		/* what host.conf would give it (a constant that parses) */
		(void)parse_duration(HOSTCONF_DEFAULT_BACKEND_TIMEOUT, &g->inst.timeout);
	}
	plan->n++;
	return g;
}

int reg_plan_build(const struct hostconf *hc, const struct profile_set *set, const char *type, bool listed,
		   struct reg_plan *plan, char **error)
{
	*plan = (struct reg_plan){ .legacy = hc->has_backend && !hc->n_backends && !has_routes(hc) };
	*error = NULL;
	for (size_t i = 0; i < set->n; i++) {
		const struct profile *p = &set->v[i];
		struct hostconf_backend legacy, dflt;
		const struct hostconf_backend *inst;
		bool from_host = true;
		int r = 0;

		if (plan->legacy) {
			/* before instances: the one backend, with --backend as its type */
			legacy = hc->backend;
			if (type)
				legacy.type = (char *)type;
			bool mine = p->backend && strcmp(p->backend, legacy.type) == 0;
			inst = listed || mine ? &legacy : NULL;
		} else {
			inst = pick(hc, p, &from_host);
			if (!inst && !from_host) {
				dflt = (struct hostconf_backend){ .type = p->backend, .url = p->backend_url };
				inst = &dflt;
			}
			if (inst && type && strcmp(inst->type, type) != 0)
				inst = NULL;
		}
		if (!inst && listed && !type) {
			r = asprintf(error, "profile '%s' names no backend instance: set profile.%s.backend in %s", p->name,
				     p->name, hc->path ? hc->path : "the host configuration");
			reg_plan_free(plan);
			return r < 0 ? -ENOMEM : -EINVAL;
		}
		if (!inst) {
			const struct profile **v = realloc(plan->unassigned, (plan->n_unassigned + 1) * sizeof(*v));
			if (!v)
				goto oom;
			plan->unassigned = v;
			v[plan->n_unassigned++] = p;
			continue;
		}
		struct reg_group *g = group_for(plan, inst, from_host, p);
		if (!g || (r = add_profile(g, p)) < 0)
			goto oom;
	}
	return 0;
oom:
	reg_plan_free(plan);
	return -ENOMEM;
}

void reg_plan_free(struct reg_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->v[i].owned_name);
		free(plan->v[i].profiles);
	}
	free(plan->v);
	free(plan->unassigned);
	*plan = (struct reg_plan){ 0 };
}

bool reg_instance_prints(const struct hostconf *hc, const struct hostconf_backend *inst)
{
	static const char *const manual[] = { "debian", "almalinux", "launchpad", "archlinux" };

	for (size_t i = 0; i < ARRAY_SIZE(manual); i++)
		if (strcmp(inst->type, manual[i]) == 0)
			return true;
	/* MirrorManager's checkin refuses public hosts (mirror-backends.md §5);
	 * a MirrorCache the host has no token for is the project's own, where a
	 * human asks for the server to be added */
	if (strcmp(inst->type, "mirrormanager") == 0)
		return !hc->host.private_mirror;
	if (strcmp(inst->type, "mirrorcache") == 0)
		return !inst->password_file;
	return false;
}

int reg_group_categories(const struct reg_group *g, const char *root, struct checkin_category **ret,
			 char ***ret_paths, size_t *ret_n)
{
	size_t max = 0, n = 0;

	for (size_t i = 0; i < g->n; i++)
		max += g->profiles[i]->n_categories;
	_cleanup_free_ struct checkin_category *cats = calloc(max + 1, sizeof(*cats));
	_cleanup_strv_free_ char **paths = calloc(max + 1, sizeof(char *));
	if (!cats || !paths)
		return -ENOMEM;
	for (size_t i = 0; i < g->n; i++)
		for (size_t c = 0; c < g->profiles[i]->n_categories; c++) {
			const struct profile_category *pc = &g->profiles[i]->categories[c];
			bool seen = false;
			for (size_t k = 0; k < n && !seen; k++)
				seen = strcmp(cats[k].name, pc->name) == 0;
			if (seen)
				continue;
			if (asprintf(&paths[n], "%s/%s", root, pc->topdir) < 0) {
				paths[n] = NULL;
				return -ENOMEM;
			}
			cats[n] = (struct checkin_category){ .name = pc->name, .path = paths[n] };
			n++;
		}
	*ret = TAKE_PTR(cats);
	*ret_paths = TAKE_PTR(paths);
	*ret_n = n;
	return 0;
}
