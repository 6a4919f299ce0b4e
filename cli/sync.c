#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app/failure.h"
#include "lib/conf.h"
#include "lib/names.h"
#include "lib/size.h"
#include "lib/strv.h"
#include "mirrorctx.h"
#include "mirrorprov.h"
#include "output.h"
#include "sync/syncrun.h"

struct sync_options {
	struct common_opts c;
	struct mirrorctx ctx;
	const char *upstream;
	uint64_t timeout;
};

/* The commands of a dry run: one line each, or {profile, method, directory, commands: [[argv]]}. */
static int print_plan(const struct profile *p, const char *dest, char ***plan, bool json)
{
	if (!json) {
		for (char ***a = plan; *a; a++) {
			/* quoted for reading (and pasting): the program itself never goes through a shell */
			_cleanup_free_ char *line = strv_join_quoted(*a);
			if (!line)
				return log_errno(-ENOMEM, "sync");
			puts(line);
		}
		return 0;
	}
	_cleanup_json_ json_object *o = json_object_new_object(), *cmds = json_object_new_array();
	for (char ***a = plan; *a; a++) {
		json_object *argv = json_object_new_array();
		for (char **s = *a; *s; s++)
			json_object_array_add(argv, json_object_new_string(*s));
		json_object_array_add(cmds, argv);
	}
	jset_str(o, "profile", p->name);
	jset_str(o, "method", sync_method_name(p->method));
	jset_str(o, "directory", dest);
	json_object_object_add(o, "commands", json_object_get(cmds));
	return out_json(stdout, o);
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
	out_json(stdout, o);
}

static void print_result(const struct profile *p, const struct sync_result *res, bool progress)
{
	char bytes[32];

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

	if (r < 0) {
		if (!err)
			return log_errno(r, "loading profile %s", name);
		return usage_error("%s", err);
	}
	struct sync_request rq = {
		.profile = &p,
		.root = mirrorctx_root(&opt->ctx),
		.upstream = opt->upstream,
		.host_name = hc && hc->has_host ? hc->host.name : NULL,
		.admin_email = hc && hc->has_host ? hc->host.admin_email : NULL,
		.user = hc && hc->has_mirror ? hc->mirror.user : NULL,
		.timeout = opt->timeout,
		.progress = !opt->c.json && !opt->c.dry_run && isatty(STDOUT_FILENO),
	};
	if (asprintf(&dest, "%s/%s", rq.root, p.directory) < 0)
		dest = NULL;

	if (opt->c.dry_run) {
		char ***plan;
		r = sync_plan_argv(&rq, &plan);
		if (r == 0) {
			r = print_plan(&p, dest, plan, opt->c.json);
			sync_plan_free(plan);
		} else
			r = log_errno(r, "building the sync commands");
		profile_free(&p);
		return r;
	}

	r = sync_run(&rq, &res);
	if (opt->c.json)
		print_result_json(&p, dest, &res, r);
	int rc = 0;
	if (r < 0)
		rc = report_failure(r, &p, dest, rq.user, &res);
	else if (!opt->c.json)
		print_result(&p, &res, rq.progress);
	sync_result_free(&res);
	profile_free(&p);
	return rc;
}

static int opt_upstream(void *field, const char *arg, const struct opt *o)
{
	const char *why = check_rsync_source(arg);

	if (why)
		return usage_error("--upstream '%s' %s", arg, why);
	*(const char **)field = arg;
	return 0;
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
	OPT_CALL("upstream", 'u', "URL", "pull from rsync://HOST[:PORT]/MODULE/ instead of the profile's upstream",
		 struct sync_options, upstream, opt_upstream),
	OPT_CALL("timeout", 't', "DUR", "give up after DUR (\"90min\", \"6h\"; default: the profile's timeout)",
		 struct sync_options, timeout, opt_timeout),
	OPT_DRY_RUN(struct sync_options, "print the commands and stop"),
	OPT_JSON(struct sync_options),
	OPT_END,
};

const struct verb verb_sync = {
	.name = "sync",
	.summary = "sync one profile from its upstream",
	.synopsis = "mirrorprov sync [-c HOST.conf] [--root DIR] [--upstream URL] [--timeout DURATION] [-n] [-J] NAME",
	.options = sync_opts,
	.opts_size = sizeof(struct sync_options),
	.args_min = 1,
	.args_max = 1,
	.args_missing = "no profile name given",
	.args_extra = "sync takes one profile name",
	.run = sync_main,
};
