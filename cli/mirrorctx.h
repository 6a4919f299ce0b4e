/* The host configuration and mirror root as layout and sync take them:
 * -c FILE (default /etc/mirrorprov/host.conf, optional when absent and
 * --root is given) and --root DIR (overrides mirror.root). */
#pragma once

#include "lib/hostconf.h"
#include "sync/profile.h"

#define MIRRORCTX_HELP                                                                          \
	"  -c, --config FILE     host configuration (default " HOSTCONF_DEFAULT_PATH ")\n"        \
	"      --root DIR        mirror root (default: mirror.root of the host configuration)\n"

enum { MIRRORCTX_OPT_ROOT = 0x2000 };

#define MIRRORCTX_LONGOPTS                                              \
	{ "config", required_argument, NULL, 'c' },                     \
	{ "root", required_argument, NULL, MIRRORCTX_OPT_ROOT }

struct mirrorctx {
	const char *config;   /* -c, or NULL */
	const char *root;     /* --root, or NULL */
	struct hostconf hc;   /* loaded when a configuration was found */
	bool loaded;
};

/* getopt handler for -c/--root: 1 when c was one of them, else 0. */
int mirrorctx_option(struct mirrorctx *ctx, int c, const char *arg);
/* Loads the configuration and settles the root; reports errors itself and
 * returns an exit code (EXIT_OK on success). */
int mirrorctx_load(struct mirrorctx *ctx);
void mirrorctx_free(struct mirrorctx *ctx);
/* hc->path made absolute: the generated sync units name the file (run from
 * anywhere).  Reports errors itself and returns an exit code. */
int mirrorctx_absolute_path(struct hostconf *hc);
/* The effective mirror root. */
const char *mirrorctx_root(const struct mirrorctx *ctx);
/* The profiles named in profiles ("a,b", --profile) or else mirror.profiles,
 * each with its upstream settled where it can be (mirrorctx_upstream());
 * reports errors itself and returns an exit code. */
int mirrorctx_profiles(const struct mirrorctx *ctx, const char *profiles, struct profile_set *set);
/* Settles p->upstream: override (--upstream), else host.conf
 * profile.NAME.upstream, else the profile's default where the project allows
 * public pulls.  required: no upstream is a usage error naming the host.conf
 * key (EXIT_USAGE); otherwise it is left NULL. */
int mirrorctx_upstream(const struct mirrorctx *ctx, struct profile *p, const char *override, bool required);
/* mirrorctx_upstream(required) for every profile of set; then, for a plan,
 * each profile's advice (what the project says about mirroring it) as a warning. */
int mirrorctx_require_upstreams(const struct mirrorctx *ctx, struct profile_set *set);
