/* What layout and onboard's layout step share: the layout of a host
 * configuration and the owner of the tree (the system user, created when
 * missing). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/hostconf.h"
#include "sync/layout.h"

/* hc may be NULL; binary NULL: the installed mirrorprov. */
void layout_conf_init(struct layout_conf *lc, const struct hostconf *hc, const char *root, const char *prefix,
		      const char *binary);

enum tree_owner_step { OWNER_LOOKUP, OWNER_CREATE };

/* The tree owner's ids (never with a prefix: then -1/-1), the system user
 * created when missing unless dry_run (then *would_create).  On failure
 * *failed says which step failed. */
int layout_tree_owner(const char *user, const char *prefix, bool dry_run, uid_t *uid, gid_t *gid, bool *would_create,
		      enum tree_owner_step *failed);

/* Free bytes of the filesystem holding path (or its nearest existing parent). */
int layout_free_space(const char *path, uint64_t *ret);

/* hc->path made absolute: the generated sync units name the file (and run from anywhere). */
int layout_config_absolute(struct hostconf *hc);
