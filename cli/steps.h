/* Pieces of the layout, sync and register verbs that onboard runs as its
 * steps (the mkfs and mount ones are in fsplan.h). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "checkrun.h"
#include "lib/hostconf.h"
#include "mirrorctx.h"
#include "sync/render.h"
#include "sync/syncrun.h"

/* The layout of a host configuration (hc may be NULL); binary NULL: the installed mirrorprov. */
void layout_conf_init(struct layout_conf *lc, const struct hostconf *hc, const char *root, const char *prefix,
		      const char *binary);
/* The tree owner's ids, the system user created when missing (never with a
 * prefix: then -1/-1).  Reports errors itself; returns an exit code. */
int layout_tree_owner(const char *user, const char *prefix, bool dry_run, uid_t *uid, gid_t *gid);

/* A failed sync_run() as one line; returns the exit code. */
int sync_report_failure(int r, const struct profile *p, const char *dest, const char *user,
			const struct sync_result *res);

/* `mirrorprov sync` of a method-filelist profile (named->upstream settled):
 * one run for it and the host's other file-list profiles with an upstream
 * (cli/syncfl.c); alone when its upstream came from --upstream.  Returns an
 * exit code. */
int sync_filelist(const struct mirrorctx *ctx, const struct profile *named, bool alone, uint64_t timeout,
		  bool dry_run, bool json, bool full);

struct register_options {
	struct mirrorctx ctx;   /* loaded */
	const char *backend;    /* NULL: backend.type */
	const char *profiles;   /* NULL: those of mirror.profiles for the backend */
	bool no_send, skip_check, json;
	struct checkrun_opts check;
};

/* `mirrorprov register` after option parsing; reports itself, returns an exit code. */
int register_run(const struct register_options *opt);
/* The backend type in effect, or NULL. */
const char *register_backend_type(const struct register_options *opt);
/* Does the backend only take a printed document (sheet, stanza, YAML)? */
bool register_prints(const struct register_options *opt);
