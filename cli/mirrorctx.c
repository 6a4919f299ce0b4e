#include "mirrorctx.h"

#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include "app/layout.h"
#include "app/profiles.h"
#include "lib/names.h"
#include "lib/strv.h"
#include "mirrorprov.h"

const struct opt mirrorctx_options[] = {
	OPT_CONFIG(struct mirrorctx, config),
	OPT_CALL("root", 0, "DIR", "mirror root (default: mirror.root of the host configuration)", struct mirrorctx,
		 root, opt_abspath),
	OPT_END,
};

int mirrorctx_load(struct mirrorctx *ctx)
{
	_cleanup_free_ char *err = NULL;
	const char *why;

	if (ctx->root && (why = check_abspath(ctx->root)))
		return usage_error("--root '%s' %s", ctx->root, why);
	/* Without -c the default file is optional when --root says where the tree is. */
	if (!ctx->config && ctx->root && access(HOSTCONF_DEFAULT_PATH, F_OK) < 0)
		return 0;
	int r = hostconf_load(ctx->config, ctx->root ? 0 : HOSTCONF_MIRROR, &ctx->hc, &err);
	if (r == -ENOMEM)
		return log_errno(r, "loading the host configuration");
	if (r < 0)
		return usage_error("%s", err);
	ctx->loaded = true;
	/* the generated sync units name the file */
	return (r = layout_config_absolute(&ctx->hc)) < 0 ? log_errno(r, "%s", ctx->hc.path) : 0;
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
	if (r < 0)
		return usage_error("%s", err);
	for (size_t i = 0; i < set->n && r == 0; i++)
		r = mirrorctx_upstream(ctx, &set->v[i], NULL, false);
	if (r < 0)
		profile_set_free(set);
	return r;
}

int mirrorctx_upstream(const struct mirrorctx *ctx, struct profile *p, const char *override, bool required)
{
	struct app_error e = { 0 };
	int r = profile_settle_upstream(ctx->loaded ? &ctx->hc : NULL, p, override, required, &e);

	if (r < 0)
		r = report_app_error(&e, r);
	app_error_free(&e);
	return r;
}

int mirrorctx_require_upstreams(const struct mirrorctx *ctx, struct profile_set *set)
{
	struct app_error e = { 0 };
	int r = profiles_require_upstreams(ctx->loaded ? &ctx->hc : NULL, set, &e);

	if (r < 0)
		r = report_app_error(&e, r);
	app_error_free(&e);
	for (size_t i = 0; i < set->n && r == 0; i++)
		if (set->v[i].advice)
			log_warn("%s: %s", set->v[i].name, set->v[i].advice);
	return r;
}
