/* The host configuration and mirror root as layout and sync take them:
 * -c FILE (default /etc/mirrorprov/host.conf, optional when absent and
 * --root is given) and --root DIR (overrides mirror.root). */
#pragma once

#include "lib/hostconf.h"
#include "options.h"
#include "sync/profile.h"

/* -c/--config and --root over a struct mirrorctx. */
extern const struct opt mirrorctx_options[];
/* -c/--config alone, into the const char * field of T (onboard). */
#define OPT_CONFIG(T, field) \
	OPT_STRING("config", 'c', "FILE", "host configuration (default " HOSTCONF_DEFAULT_PATH ")", T, field)

struct mirrorctx {
	const char *config;   /* -c, or NULL */
	const char *root;     /* --root, or NULL */
	struct hostconf hc;   /* loaded when a configuration was found */
	bool loaded;
};

/* Loads the configuration and settles the root; reports errors itself
 * (cli/mirrorprov.h's convention). */
int mirrorctx_load(struct mirrorctx *ctx);
void mirrorctx_free(struct mirrorctx *ctx);
/* The effective mirror root. */
const char *mirrorctx_root(const struct mirrorctx *ctx);
/* The profiles named in profiles ("a,b", --profile) or else mirror.profiles,
 * each with its upstream settled where it can be (mirrorctx_upstream());
 * reports errors itself. */
int mirrorctx_profiles(const struct mirrorctx *ctx, const char *profiles, struct profile_set *set);
/* profile_settle_upstream() (app/profiles.h) of the loaded configuration,
 * --upstream as override; reports errors itself. */
int mirrorctx_upstream(const struct mirrorctx *ctx, struct profile *p, const char *override, bool required);
/* mirrorctx_upstream(required) for every profile of set; then, for a plan,
 * each profile's advice (what the project says about mirroring it) as a warning. */
int mirrorctx_require_upstreams(const struct mirrorctx *ctx, struct profile_set *set);
