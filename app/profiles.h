/* Where each profile pulls from on this host. */
#pragma once

#include <stdbool.h>

#include "app/app.h"
#include "lib/hostconf.h"
#include "sync/profile.h"

/* Settles p->upstream: override (--upstream), else host.conf
 * profile.NAME.upstream (hc may be NULL), else the profile's default where
 * the project allows public pulls.  required: no upstream is bad input naming
 * the host.conf key (-EDESTADDRREQ); otherwise it is left NULL. */
int profile_settle_upstream(const struct hostconf *hc, struct profile *p, const char *override, bool required,
			    struct app_error *e);
/* profile_settle_upstream(required) for every profile of set that has none yet. */
int profiles_require_upstreams(const struct hostconf *hc, struct profile_set *set, struct app_error *e);
