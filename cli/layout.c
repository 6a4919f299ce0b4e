#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/conf.h"
#include "lib/names.h"
#include "lib/size.h"
#include "lib/strv.h"
#include "mirrorctx.h"
#include "mirrorprov.h"
#include "output.h"
#include "app/layout.h"
#include "sync/layout.h"

#ifndef MIRRORPROV_BINARY
#define MIRRORPROV_BINARY "/usr/local/sbin/mirrorprov"
#endif

struct layout_options {
	struct common_opts c;
	struct mirrorctx ctx;
	const char *profiles;   /* --profile, comma-separated */
	const char *prefix;
	const char *binary;
	bool enable;
};

static const struct col_def item_cols[] = {
	{ "ACTION", COLT_STR, 0, 0, "create, update or unchanged" },
	{ "TYPE", COLT_STR, 0, 0, "dir, file or symlink" },
	{ "PATH", COLT_STR, 0, 0, "what is written" },
};

static const char *const kind_names[] = { [LK_DIR] = "dir", [LK_FILE] = "file", [LK_SYMLINK] = "symlink" };

static void warn_space(const char *root, uint64_t need)
{
	uint64_t avail = 0;
	char a[32], b[32];

	if (layout_free_space(root, &avail) < 0 || need <= avail)
		return;
	format_size_human(need, a, sizeof(a));
	format_size_human(avail, b, sizeof(b));
	log_warn("the profiles need about %s but the filesystem under %s has %s free", a, root, b);
}

/* Where each profile pulls from, and who said so. */
static void print_upstreams(const struct profile_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		printf("%s pulls from %s (%s)\n", set->v[i].name, set->v[i].upstream, set->v[i].upstream_origin);
}

static json_object *upstreams_json(const struct profile_set *set)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < set->n; i++) {
		json_object *o = json_object_new_object();
		jset_str(o, "profile", set->v[i].name);
		jset_str(o, "upstream", set->v[i].upstream);
		jset_str(o, "origin", set->v[i].upstream_origin);
		jset_str(o, "pull", pull_rule_name(set->v[i].pull));
		jset_str(o, "advice", set->v[i].advice);
		json_object_array_add(a, o);
	}
	return a;
}

static int print_plan(const struct layout_plan *plan, const struct profile_set *set, bool json, bool only_changes)
{
	_cleanup_json_ json_object *rows = json_object_new_array();
	struct col_select sel;

	for (size_t i = 0; i < plan->n; i++) {
		const struct layout_item *it = &plan->v[i];
		if (only_changes && it->action == LA_UNCHANGED)
			continue;
		json_object *r = json_object_new_object();
		jset_str(r, "action", layout_action_name(it->action));
		jset_str(r, "type", kind_names[it->kind]);
		jset_str(r, "path", it->path);
		json_object_array_add(rows, r);
	}
	cols_all(ARRAY_SIZE(item_cols), &sel);
	if (json) {
		_cleanup_json_ json_object *doc = json_object_new_object();
		jset_u64(doc, "changes", plan->changes);
		jset_u64(doc, "total_size", plan->total_size);
		json_object_object_add(doc, "upstreams", upstreams_json(set));
		json_object_object_add(doc, "items", out_table_json(item_cols, &sel, rows));
		return out_json(stdout, doc);
	}
	if (!plan->changes) {
		puts("no changes");
		return 0;
	}
	return out_table(stdout, "items", item_cols, &sel, rows, false);
}

static int print_diffs(const struct layout_plan *plan, const struct profile_set *set)
{
	print_upstreams(set);
	for (size_t i = 0; i < plan->n; i++) {
		_cleanup_free_ char *d = NULL;
		int r = layout_item_diff(&plan->v[i], &d);
		if (r < 0)
			return log_errno(r, "diff of %s", plan->v[i].path);
		fputs(d, stdout);
	}
	if (!plan->changes)
		puts("no changes");
	return 0;
}

/* The tree owner, the system user created when missing (said in a dry run). */
static int tree_owner(const char *user, const char *prefix, bool dry_run, uid_t *uid, gid_t *gid)
{
	enum tree_owner_step failed;
	bool would_create;
	int r = layout_tree_owner(user, prefix, dry_run, uid, gid, &would_create, &failed);

	if (r < 0)
		return log_errno(r, failed == OWNER_CREATE ? "creating system user '%s'" : "looking up user '%s'", user);
	if (would_create)
		log_info("would create system user '%s'", user);
	return 0;
}

/* The sync timers: started with --enable, else the command that starts them. */
static int enable_timers(const struct profile_set *set, bool enable, bool dry_run)
{
	_cleanup_strv_free_ char **argv = NULL;
	_cleanup_free_ char *err = NULL, *timers = NULL;
	int r = layout_timers_argv(set, "enable", &argv);

	if (r < 0 || !(timers = strv_join(argv + 2, " ")))
		return log_errno(-ENOMEM, "listing the sync timers");
	if (!enable || dry_run) {
		log_info("%s the syncs: systemctl daemon-reload; systemctl enable --now %s",
			 enable ? "would start" : "to start", timers);
		return 0;
	}
	r = layout_enable(set, &err);
	if (r < 0 && err)
		return log_error("%s", err);
	if (r < 0)
		return log_errno(r, "running systemctl");
	log_info("started the sync timers (systemctl list-timers '" SYNC_UNIT_TEMPLATE "*')");
	return 0;
}

static int run_layout(struct layout_options *opt)
{
	const struct hostconf *hc = opt->ctx.loaded ? &opt->ctx.hc : NULL;
	struct layout_conf lc;
	struct profile_set set;
	struct layout_plan plan;
	uid_t uid;
	gid_t gid;
	const char *failed = NULL;
	int r;

	layout_conf_init(&lc, hc, mirrorctx_root(&opt->ctx), opt->prefix, opt->binary);
	if ((r = mirrorctx_profiles(&opt->ctx, opt->profiles, &set)) != 0)
		return r;
	if ((r = mirrorctx_require_upstreams(&opt->ctx, &set)) < 0) {
		profile_set_free(&set);
		return r;
	}
	r = layout_plan_build(&lc, &set, &plan);
	if (r < 0) {
		profile_set_free(&set);
		return r == -EINVAL ? usage_error("a name or path is unsafe for the generated files")
				    : log_errno(r, "building the layout plan");
	}
	warn_space(lc.root, plan.total_size);
	r = tree_owner(lc.user, opt->prefix, opt->c.dry_run, &uid, &gid);
	if (r == 0 && opt->c.dry_run)
		r = opt->c.json ? print_plan(&plan, &set, true, false) : print_diffs(&plan, &set);
	else if (r == 0) {
		int ar = layout_plan_apply(&plan, uid, gid, &failed);
		if (ar < 0)
			r = log_errno(ar, "writing %s", failed);
		else
			r = print_plan(&plan, &set, opt->c.json, true);
	}
	if (r == 0 && !opt->prefix)
		r = enable_timers(&set, opt->enable, opt->c.dry_run);
	layout_plan_free(&plan);
	profile_set_free(&set);
	return r;
}

static int layout_main(void *opts, int argc, char **argv)
{
	struct layout_options *opt = opts;
	int r;

	if (opt->prefix && opt->enable)
		return usage_error("--enable starts the timers of this system; not with --prefix");
	r = mirrorctx_load(&opt->ctx);

	if (r == 0)
		r = run_layout(opt);
	mirrorctx_free(&opt->ctx);
	return r;
}

static const struct opt layout_opts[] = {
	OPT_GROUP(mirrorctx_options, struct layout_options, ctx),
	OPT_STRING("profile", 'p', "LIST", "profiles to lay out (default: mirror.profiles)", struct layout_options,
		   profiles),
	OPT_CALL("prefix", 0, "DIR", "write the configuration files under DIR instead of /\n"
				     "(the tree is still created at the root; no user is created)",
		 struct layout_options, prefix, opt_abspath),
	OPT_CALL("binary", 0, "PATH", "the mirrorprov the sync units run (default " MIRRORPROV_BINARY ")",
		 struct layout_options, binary, opt_abspath),
	OPT_FLAG("enable", 0, "start the profiles' sync timers (systemctl enable --now)", struct layout_options, enable),
	OPT_DRY_RUN(struct layout_options, HELP_DRY_RUN),
	OPT_JSON(struct layout_options),
	OPT_END,
};

const struct verb verb_layout = {
	.name = "layout",
	.summary = "create the mirror tree, rsyncd, nginx and sync timers",
	.synopsis = "mirrorprov layout [-c HOST.conf] [--root DIR] [--profile NAME,...] [--prefix DIR] [--enable] [-n] [-J]",
	.options = layout_opts,
	.opts_size = sizeof(struct layout_options),
	.run = layout_main,
};
