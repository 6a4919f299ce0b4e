#include "mirrorctx.h"

#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/names.h"
#include "lib/strv.h"
#include "mirrorprov.h"

int mirrorctx_option(struct mirrorctx *ctx, int c, const char *arg)
{
	if (c == 'c')
		ctx->config = arg;
	else if (c == MIRRORCTX_OPT_ROOT)
		ctx->root = arg;
	else
		return 0;
	return 1;
}

int mirrorctx_load(struct mirrorctx *ctx)
{
	_cleanup_free_ char *err = NULL;
	const char *why;

	if (ctx->root && (why = check_abspath(ctx->root)))
		return usage_error("--root '%s' %s", ctx->root, why);
	/* Without -c the default file is optional when --root says where the tree is. */
	if (!ctx->config && ctx->root && access(HOSTCONF_DEFAULT_PATH, F_OK) < 0)
		return EXIT_OK;
	int r = hostconf_load(ctx->config, ctx->root ? 0 : HOSTCONF_MIRROR, &ctx->hc, &err);
	if (r == -ENOMEM)
		return log_errno(r, "loading the host configuration");
	if (r < 0) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	ctx->loaded = true;
	return mirrorctx_absolute_path(&ctx->hc);
}

int mirrorctx_absolute_path(struct hostconf *hc)
{
	if (!hc->path || hc->path[0] == '/')
		return EXIT_OK;
	char *abs = realpath(hc->path, NULL);
	if (!abs)
		return log_errno(-errno, "%s", hc->path);
	free(hc->path);
	hc->path = abs;
	return EXIT_OK;
}

void mirrorctx_free(struct mirrorctx *ctx)
{
	if (ctx->loaded)
		hostconf_free(&ctx->hc);
	ctx->loaded = false;
}

const char *mirrorctx_root(const struct mirrorctx *ctx)
{
	return ctx->root ? ctx->root : ctx->hc.mirror.root;
}

int mirrorctx_profiles(const struct mirrorctx *ctx, const char *profiles, struct profile_set *set)
{
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_free_ char *err = NULL;
	int r;

	if (profiles && !(names = strv_split(profiles, ',')))
		return log_errno(-ENOMEM, "profile list");
	char *const *list = names ? names : ctx->loaded && ctx->hc.has_mirror ? ctx->hc.mirror.profiles : NULL;
	if (!list || !list[0])
		return usage_error("no profiles: give --profile or mirror.profiles in the host configuration");
	r = profile_load_list(list, set, &err);
	if (r == -ENOMEM || (r < 0 && !err))
		return log_errno(r, "loading profiles");
	if (r < 0) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < set->n && r == EXIT_OK; i++)
		r = mirrorctx_upstream(ctx, &set->v[i], NULL, false);
	if (r != EXIT_OK)
		profile_set_free(set);
	return r;
}

int mirrorctx_upstream(const struct mirrorctx *ctx, struct profile *p, const char *override, bool required)
{
	_cleanup_free_ char *err = NULL, *key = NULL;
	const struct hostconf_profile *hp = ctx->loaded ? hostconf_profile(&ctx->hc, p->name) : NULL;
	const char *origin = "--upstream";

	if (!override && hp && hp->upstream) {
		if (asprintf(&key, "%s profile.%s.upstream", ctx->hc.path, p->name) < 0)
			return log_errno(-ENOMEM, "%s", p->name);
		override = hp->upstream;
		origin = key;
	}
	int r = profile_pick_upstream(p, override, origin, &err);
	if (r == -EDESTADDRREQ && !required)
		return EXIT_OK;
	if (r == -EDESTADDRREQ && err) {
		log_error("%s", err);
		return EXIT_USAGE;
	}
	return r < 0 ? log_errno(r, "%s", p->name) : EXIT_OK;
}

int mirrorctx_require_upstreams(const struct mirrorctx *ctx, struct profile_set *set)
{
	int r = EXIT_OK;

	for (size_t i = 0; i < set->n && r == EXIT_OK; i++)
		if (!set->v[i].upstream)
			r = mirrorctx_upstream(ctx, &set->v[i], NULL, true);
	for (size_t i = 0; i < set->n && r == EXIT_OK; i++)
		if (set->v[i].advice)
			log_warn("%s: %s", set->v[i].name, set->v[i].advice);
	return r;
}
