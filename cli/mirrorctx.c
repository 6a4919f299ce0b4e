#include "mirrorctx.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/names.h"
#include "mirrorprov.h"

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
