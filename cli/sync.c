#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app/failure.h"
#include "lib/conf.h"
#include "lib/names.h"
#include "lib/size.h"
#include "lib/strv.h"
#include "mirrorctx.h"
#include "mirrorprov.h"
#include "output.h"
#include "statusrun.h"
#include "syncfl.h"
#include "sync/syncrun.h"

struct sync_options {
	struct common_opts c;
	struct mirrorctx ctx;
	const char *upstream;
	uint64_t timeout;
	bool full;
};

static json_object *argv_json(char **argv)
{
	json_object *a = json_object_new_array();

	for (char **s = argv; *s; s++)
		json_object_array_add(a, json_object_new_string(*s));
	return a;
}

/* One command as shell words, for reading and pasting (it never goes through a shell). */
static int print_command(char **argv)
{
	_cleanup_free_ char *line = strv_join_quoted(argv);

	if (!line)
		return log_errno(-ENOMEM, "sync");
	puts(line);
	return 0;
}

/* The commands of a dry run (the poll of the upstream's markers first, when
 * there is one): one line each, or {profile, method, directory, upstream,
 * poll, commands: [[argv]]}. */
static int print_plan(const struct profile *p, const char *dest, char **poll, char ***plan, bool json)
{
	int r = 0;

	if (!json) {
		if (poll)
			r = print_command(poll);
		for (char ***a = plan; r == 0 && *a; a++)
			r = print_command(*a);
		return r;
	}
	_cleanup_json_ json_object *o = json_object_new_object(), *cmds = json_object_new_array();
	for (char ***a = plan; *a; a++)
		json_object_array_add(cmds, argv_json(*a));
	jset_str(o, "profile", p->name);
	jset_str(o, "method", sync_method_name(p->method));
	jset_str(o, "directory", dest);
	jset_str(o, "upstream", p->upstream);
	json_object_object_add(o, "poll", poll ? argv_json(poll) : NULL);
	json_object_object_add(o, "commands", json_object_get(cmds));
	return out_json(stdout, o);
}

static int dry_run(const struct sync_request *rq, const struct profile *p, const char *dest, bool json)
{
	_cleanup_strv_free_ char **poll = NULL;
	char ***plan = NULL;
	int r = sync_poll_argv(rq, &poll);

	if (r == 0)
		r = sync_plan_argv(rq, &plan);
	if (r < 0)
		r = log_errno(r, "building the sync commands");
	else
		r = print_plan(p, dest, poll, plan, json);
	if (plan)
		sync_plan_free(plan);
	return r;
}

static int report_failure(int r, const struct profile *p, const char *dest, const char *user,
			  const struct sync_result *res)
{
	struct app_error e = { 0 };

	r = report_app_error(&e, sync_failure(r, p, dest, user, res, &e));
	app_error_free(&e);
	return r;
}

static void print_result_json(const struct profile *p, const char *dest, const struct sync_result *res, int r)
{
	_cleanup_json_ json_object *o = json_object_new_object();

	jset_str(o, "profile", p->name);
	jset_str(o, "method", sync_method_name(p->method));
	jset_str(o, "directory", dest);
	jset_bool(o, "complete", r == 0);
	jset_u64(o, "stages", res->stages);
	jset_u64(o, "exit_code", (unsigned long long)res->exit_code);
	jset_bool(o, "timed_out", res->timed_out);
	jset_u64(o, "files", res->files);
	jset_u64(o, "bytes", res->bytes);
	jset_u64(o, "refused", res->refused);
	json_object_object_add(o, "seconds", json_object_new_double(res->seconds));
	jset_str(o, "trace", res->trace);
	jset_str(o, "message", res->message);
	jset_str(o, "upstream", p->upstream);
	jset_str(o, "poll", res->poll);
	jset_bool(o, "skipped", res->skipped);
	if (res->skipped)
		jset_u64(o, "unchanged_since", (unsigned long long)res->unchanged_since);
	out_json(stdout, o);
}

static void print_result(const struct profile *p, const struct sync_result *res, bool progress)
{
	char bytes[32], since[64];
	struct tm tm;

	if (res->skipped) {
		strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&res->unchanged_since, &tm));
		printf("%s: upstream unchanged since %s (last successful sync); nothing to do (--full forces a run)\n",
		       p->name, since);
		return;
	}
	format_size_human(res->bytes, bytes, sizeof(bytes));
	if (progress || p->method == SYNC_FTPSYNC)
		printf("%s: complete in %.1f s\n", p->name, res->seconds);
	else
		printf("%s: complete: %llu files, %s transferred in %.1f s (%u %s)\n", p->name,
		       (unsigned long long)res->files, bytes, res->seconds, res->stages, res->stages == 1 ? "pass" : "stages");
	if (res->refused)
		printf("%s: refused %llu upstream entries (devices, special files, links leading out of the tree)\n",
		       p->name, (unsigned long long)res->refused);
}

static int run_sync(const struct sync_options *opt, const char *name)
{
	_cleanup_free_ char *err = NULL, *dest = NULL;
	const struct hostconf *hc = opt->ctx.loaded ? &opt->ctx.hc : NULL;
	struct profile p;
	struct sync_result res;
	int r = profile_load(name, &p, &err);

	if (r < 0)
		return err ? usage_error("%s", err) : log_errno(r, "loading profile %s", name);
	r = mirrorctx_upstream(&opt->ctx, &p, opt->upstream, true);
	if (r == 0 && p.method == SYNC_FILELIST)
		r = sync_filelist(&opt->ctx, &p, opt->upstream != NULL, opt->timeout, opt->c.dry_run, opt->c.json,
				  opt->full);
	if (r < 0 || p.method == SYNC_FILELIST) {
		profile_free(&p);
		return r;
	}
	struct sync_request rq = {
		.profile = &p,
		.root = mirrorctx_root(&opt->ctx),
		.full = opt->full,
		.host_name = hc && hc->has_host ? hc->host.name : NULL,
		.admin_email = hc && hc->has_host ? hc->host.admin_email : NULL,
		.user = hc && hc->has_mirror ? hc->mirror.user : NULL,
		.timeout = opt->timeout,
		.progress = !opt->c.json && !opt->c.dry_run && isatty(STDOUT_FILENO),
	};
	if (asprintf(&dest, "%s/%s", rq.root, p.directory) < 0)
		dest = NULL;
	if (opt->c.dry_run) {
		r = dry_run(&rq, &p, dest, opt->c.json);
		profile_free(&p);
		return r;
	}
	time_t start = time(NULL);
	r = sync_run(&rq, &res);
	if (res.poll_message)
		log_warn("%s: %s", p.name, res.poll_message);
	status_note_sync(&opt->ctx, &p, rq.root, r, &res, start);
	if (opt->c.json)
		print_result_json(&p, dest, &res, r);
	if (r < 0)
		r = report_failure(r, &p, dest, rq.user, &res);
	else if (!opt->c.json)
		print_result(&p, &res, rq.progress);
	sync_result_free(&res);
	profile_free(&p);
	return r;
}

static int opt_timeout(void *field, const char *arg, const struct opt *o)
{
	uint64_t *t = field;

	if (parse_duration(arg, t) < 0 || !*t)
		return usage_error("--timeout '%s' is not a duration (e.g. \"90min\", \"6h\")", arg);
	return 0;
}

static int sync_main(void *opts, int argc, char **argv)
{
	struct sync_options *opt = opts;
	int r = mirrorctx_load(&opt->ctx);

	if (r == 0)
		r = run_sync(opt, argv[0]);
	mirrorctx_free(&opt->ctx);
	return r;
}

static const struct opt sync_opts[] = {
	OPT_GROUP(mirrorctx_options, struct sync_options, ctx),
	OPT_CALL("upstream", 'u', "URL", "pull from rsync://HOST[:PORT]/MODULE/ instead of host.conf's\n"
					"profile.NAME.upstream or the profile's default", struct sync_options, upstream,
		 opt_rsync_source),
	OPT_FLAG("full", 0, "run even when the upstream's freshness markers are unchanged", struct sync_options, full),
	OPT_CALL("timeout", 't', "DUR", "give up after DUR (\"90min\", \"6h\"; default: the profile's timeout)",
		 struct sync_options, timeout, opt_timeout),
	OPT_DRY_RUN(struct sync_options, "print the commands and stop (method filelist: fetch the lists, print\n"
					 "what would be transferred and deleted, and stop)"),
	OPT_JSON(struct sync_options),
	OPT_END,
};

const struct verb verb_sync = {
	.name = "sync",
	.summary = "sync one profile from its upstream",
	.synopsis = "mirrorprov sync [-c HOST.conf] [--root DIR] [--upstream URL] [--timeout DURATION] [--full] [-n] [-J]\n"
		    "                NAME",
	.options = sync_opts,
	.opts_size = sizeof(struct sync_options),
	.args_min = 1,
	.args_max = 1,
	.help_tail = "\nMethod filelist: naming one such profile runs all file-list profiles of the host together.\n",
	.args_missing = "no profile name given",
	.args_extra = "sync takes one profile name",
	.run = sync_main,
};
