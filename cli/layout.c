#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "lib/conf.h"
#include "lib/names.h"
#include "lib/size.h"
#include "lib/strv.h"
#include "mirrorctx.h"
#include "mirrorprov.h"
#include "output.h"
#include "steps.h"
#include "sync/layout.h"

/* Not the mirror root: ftpsync keeps its configuration and logs in $HOME, which must not be served. */
#define MIRROR_USER_HOME "/var/lib/mirrorprov"

#ifndef MIRRORPROV_BINARY
#define MIRRORPROV_BINARY "/usr/local/sbin/mirrorprov"
#endif

static const struct verb_help layout_help = {
	"mirrorprov layout [-c HOST.conf] [--root DIR] [--profile NAME,...] [--prefix DIR] [--enable] [-n] [-J]",
	MIRRORCTX_HELP
	"  -p, --profile LIST    profiles to lay out (default: mirror.profiles)\n"
	"      --prefix DIR      write the configuration files under DIR instead of /\n"
	"                        (the tree is still created at the root; no user is created)\n"
	"      --binary PATH     the mirrorprov the sync units run (default " MIRRORPROV_BINARY ")\n"
	"      --enable          start the profiles' sync timers (systemctl enable --now)\n"
	HELP_OPT_DRY_RUN HELP_OPT_JSON HELP_OPT_HELP,
};

enum { OPT_PREFIX = 0x100, OPT_BINARY, OPT_ENABLE };

struct layout_options {
	struct mirrorctx ctx;
	const char *profiles;   /* --profile, comma-separated */
	const char *prefix;
	const char *binary;
	bool dry_run, json, enable;
};

static const struct col_def item_cols[] = {
	{ "ACTION", COLT_STR, 0, 0, "create, update or unchanged" },
	{ "TYPE", COLT_STR, 0, 0, "dir, file or symlink" },
	{ "PATH", COLT_STR, 0, 0, "what is written" },
};

static const char *const kind_names[] = { [LK_DIR] = "dir", [LK_FILE] = "file", [LK_SYMLINK] = "symlink" };

/* Free bytes of the filesystem holding path (or its nearest existing parent). */
static int free_space(const char *path, uint64_t *ret)
{
	_cleanup_free_ char *p = strdup(path);
	struct statvfs sv;

	if (!p)
		return -ENOMEM;
	while (statvfs(p, &sv) < 0) {
		char *slash = strrchr(p, '/');
		if (errno != ENOENT || !slash)
			return -errno;
		if (slash == p) {
			p[1] = '\0';
		} else
			*slash = '\0';
	}
	*ret = (uint64_t)sv.f_bavail * sv.f_frsize;
	return 0;
}

static void warn_space(const char *root, uint64_t need)
{
	uint64_t avail = 0;
	char a[32], b[32];

	if (free_space(root, &avail) < 0 || need <= avail)
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
	return EXIT_OK;
}

int layout_tree_owner(const char *user, const char *prefix, bool dry_run, uid_t *uid, gid_t *gid)
{
	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (prefix)
		return EXIT_OK;
	int r = layout_user_lookup(user, uid, gid);
	if (r == -ENOENT && dry_run) {
		log_info("would create system user '%s'", user);
		return EXIT_OK;
	}
	if (r == -ENOENT) {
		r = layout_user_create(user, MIRROR_USER_HOME);
		if (r < 0)
			return log_errno(r, "creating system user '%s'", user);
		r = layout_user_lookup(user, uid, gid);
	}
	return r < 0 ? log_errno(r, "looking up user '%s'", user) : EXIT_OK;
}

void layout_conf_init(struct layout_conf *lc, const struct hostconf *hc, const char *root, const char *prefix,
		      const char *binary)
{
	*lc = (struct layout_conf){
		.root = root,
		.user = hc && hc->has_mirror ? hc->mirror.user : HOSTCONF_DEFAULT_USER,
		.host_name = hc && hc->has_host ? hc->host.name : NULL,
		.tls_certificate = hc && hc->has_mirror ? hc->mirror.tls_certificate : NULL,
		.tls_key = hc && hc->has_mirror ? hc->mirror.tls_key : NULL,
		.max_connections = hc && hc->has_host ? hc->host.max_connections : 0,
		.hostconf_path = hc ? hc->path : NULL,
		.mirrorprov = binary ? binary : MIRRORPROV_BINARY,
		.prefix = prefix,
		.status_path = hc && hc->has_mirror ? hc->mirror.status_path : NULL,
	};
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
		return EXIT_OK;
	}
	r = layout_enable(set, &err);
	if (r < 0 && err) {
		log_error("%s", err);
		return EXIT_FAIL;
	}
	if (r < 0)
		return log_errno(r, "running systemctl");
	log_info("started the sync timers (systemctl list-timers '" SYNC_UNIT_TEMPLATE "*')");
	return EXIT_OK;
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
	if ((r = mirrorctx_profiles(&opt->ctx, opt->profiles, &set)) != EXIT_OK)
		return r;
	if ((r = mirrorctx_require_upstreams(&opt->ctx, &set)) != EXIT_OK) {
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
	r = layout_tree_owner(lc.user, opt->prefix, opt->dry_run, &uid, &gid);
	if (r == EXIT_OK && opt->dry_run)
		r = opt->json ? (print_plan(&plan, &set, true, false) < 0 ? EXIT_FAIL : EXIT_OK) : print_diffs(&plan, &set);
	else if (r == EXIT_OK) {
		int ar = layout_plan_apply(&plan, uid, gid, &failed);
		if (ar < 0)
			r = log_errno(ar, "writing %s", failed);
		else
			r = print_plan(&plan, &set, opt->json, true) < 0 ? EXIT_FAIL : EXIT_OK;
	}
	if (r == EXIT_OK && !opt->prefix)
		r = enable_timers(&set, opt->enable, opt->dry_run);
	layout_plan_free(&plan);
	profile_set_free(&set);
	return r;
}

int cmd_layout(int argc, char **argv)
{
	static const char shortopts[] = "c:p:nJh";
	static const struct option longopts[] = {
		MIRRORCTX_LONGOPTS,
		{ "profile", required_argument, NULL, 'p' }, { "prefix", required_argument, NULL, OPT_PREFIX },
		{ "binary", required_argument, NULL, OPT_BINARY }, { "enable", no_argument, NULL, OPT_ENABLE },
		OPT_DRY_RUN, OPT_JSON, OPT_HELP, OPT_END,
	};
	struct layout_options opt = { 0 };
	const char *why;
	int c, r;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (mirrorctx_option(&opt.ctx, c, optarg))
			continue;
		switch (c) {
		case 'p':
			opt.profiles = optarg;
			break;
		case OPT_PREFIX:
			opt.prefix = optarg;
			break;
		case OPT_BINARY:
			opt.binary = optarg;
			break;
		case OPT_ENABLE:
			opt.enable = true;
			break;
		case 'n':
			opt.dry_run = true;
			break;
		case 'J':
			opt.json = true;
			break;
		case 'h':
			return verb_print_help(&layout_help);
		default:
			return option_error(argv, shortopts);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (opt.prefix && (why = check_abspath(opt.prefix)))
		return usage_error("--prefix '%s' %s", opt.prefix, why);
	if (opt.prefix && opt.enable)
		return usage_error("--enable starts the timers of this system; not with --prefix");
	if (opt.binary && (why = check_abspath(opt.binary)))
		return usage_error("--binary '%s' %s", opt.binary, why);
	r = mirrorctx_load(&opt.ctx);
	if (r == EXIT_OK)
		r = run_layout(&opt);
	mirrorctx_free(&opt.ctx);
	return r;
}
