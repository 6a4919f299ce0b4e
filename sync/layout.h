/* `mirrorprov layout` as a plan: the directories and files it would create,
 * each with its action, built without changing anything; then applied with
 * atomic writes (unchanged files are not rewritten). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sync/profile.h"
#include "sync/render.h"

enum layout_kind { LK_DIR, LK_FILE, LK_SYMLINK };
enum layout_action { LA_UNCHANGED, LA_CREATE, LA_UPDATE };

struct layout_item {
	enum layout_kind kind;
	char *path;            /* where it is written (prefix included) */
	char *content;         /* LK_FILE: new text; LK_SYMLINK: link target */
	mode_t mode;
	bool tree;             /* LK_DIR below the mirror root: owned by the mirror user */
	bool backup;           /* keep PATH~ when replacing a file someone else may have written */
	enum layout_action action;
};

struct layout_plan {
	struct layout_item *v;
	size_t n;
	uint64_t total_size;   /* sum of the profiles' approximate sizes */
	size_t changes;        /* items whose action is not LA_UNCHANGED */
};

int layout_plan_build(const struct layout_conf *lc, const struct profile_set *set, struct layout_plan *plan);
void layout_plan_free(struct layout_plan *plan);
/* Creates the tree (owned by uid/gid when uid != -1) and writes the files.
 * On failure *failed names the item's path (pointer into the plan). */
int layout_plan_apply(const struct layout_plan *plan, uid_t uid, gid_t gid, const char **failed);
/* A unified diff of one file item (old file or /dev/null against the new
 * text), via diff(1).  *ret is "" for an unchanged item. */
int layout_item_diff(const struct layout_item *it, char **ret);
const char *layout_action_name(enum layout_action a);

/* The tree owner: 0 and its ids, or -ENOENT when there is no such user. */
int layout_user_lookup(const char *user, uid_t *uid, gid_t *gid);
/* useradd --system (own group, home created, no login shell). */
int layout_user_create(const char *user, const char *home);

/* systemctl VERB mirrorprov-sync@NAME.timer ... for the profiles (NULL-terminated, malloc'd). */
int layout_timers_argv(const struct profile_set *set, const char *verb, char ***ret);
/* Starts the profiles' sync timers as `systemctl enable --now` would, in steps
 * that also work offline (a chroot): daemon-reload, enable, start.  -EIO with
 * "systemctl VERB: its last line of stderr" in *error when one fails, -ENOENT
 * without systemctl. */
int layout_enable(const struct profile_set *set, char **error);
