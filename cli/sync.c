#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/macro.h"
#include "lib/names.h"
#include "lib/size.h"
#include "lib/strv.h"
#include "mirrorctx.h"
#include "mirrorprov.h"
#include "output.h"
#include "statusrun.h"
#include "steps.h"
#include "sync/syncrun.h"

static const struct verb_help sync_help = {
	"mirrorprov sync [-c HOST.conf] [--root DIR] [--upstream URL] [--timeout DURATION] [--full] [-n] [-J] NAME",
	MIRRORCTX_HELP
	"  -u, --upstream URL    pull from rsync://HOST[:PORT]/MODULE/ instead of host.conf's\n"
	"                        profile.NAME.upstream or the profile's default\n"
	"      --full            run even when the upstream's freshness markers are unchanged\n"
	"  -t, --timeout DUR     give up after DUR (\"90min\", \"6h\"; default: the profile's timeout)\n"
	"  -n, --dry-run         print the commands and stop (method filelist: fetch the lists, print\n"
	"                        what would be transferred and deleted, and stop)\n"
	"Method filelist: naming one such profile runs all file-list profiles of the host together.\n"
	HELP_OPT_JSON HELP_OPT_HELP,
};

struct sync_options {
	struct mirrorctx ctx;
	const char *upstream;
	uint64_t timeout;
	bool dry_run, json, full;
};

enum { OPT_FULL = 0x100 };

/* One command as shell words, for reading and pasting (it never goes through a shell). */
static int print_command(char **argv)
{
	_cleanup_free_ char *line = strv_join_quoted(argv);
	return line ? (puts(line), 0) : -ENOMEM;
}

int sync_report_failure(int r, const struct profile *p, const char *dest, const char *user,
			const struct sync_result *res)
{
	switch (r) {
	case -EBUSY:
		log_error("another sync of %s is running (it holds the lock on %s)", p->name, dest);
		return EXIT_FAIL;
	case -ETIMEDOUT:
		log_error("%s: timed out after %.0f s; the mirror is incomplete", p->name, res->seconds);
		return EXIT_FAIL;
	case -ENODATA:
		log_error("%s: %s; the mirror is incomplete", p->name, res->message ? res->message : "a freshness marker is missing");
		return EXIT_FAIL;
	case -ENOENT:
		log_error("%s is not installed", p->method == SYNC_FTPSYNC ? "ftpsync" : "rsync");
		return EXIT_FAIL;
	case -ESRCH:
		log_error("mirror.user '%s' %s", user ? user : HOSTCONF_DEFAULT_USER, res->message ? res->message : "cannot run the sync");
		return EXIT_USAGE;
	case -ENOTDIR:
		log_error("the mirror root of %s does not exist (filesystem not mounted?)", dest);
		return EXIT_FAIL;
	case -EIO: {
		const char *tool = p->method == SYNC_FTPSYNC ? "ftpsync" : "rsync";
		const char *what = p->method == SYNC_FTPSYNC ? NULL : rsync_exit_message(res->exit_code);
		log_error("%s: %s exited with %d%s%s%s%s%s", p->name, tool, res->exit_code, what ? " (" : "",
			  what ? what : "", what ? ")" : "", res->message ? ": " : "", res->message ? res->message : "");
		return EXIT_FAIL;
	}
	default:
		return log_errno(r, "%s", p->name);
	}
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
		log_error("%s", err);
		return EXIT_USAGE;
	}
	r = mirrorctx_upstream(&opt->ctx, &p, opt->upstream, true);
	if (r == EXIT_OK && p.method == SYNC_FILELIST)
		r = sync_filelist(&opt->ctx, &p, opt->upstream != NULL, opt->timeout, opt->dry_run, opt->json, opt->full);
	if (r != EXIT_OK || p.method == SYNC_FILELIST) {
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
		.progress = !opt->json && !opt->dry_run && isatty(STDOUT_FILENO),
	};
	if (asprintf(&dest, "%s/%s", rq.root, p.directory) < 0)
		dest = NULL;

	if (opt->dry_run) {
		_cleanup_strv_free_ char **poll = NULL;
		char ***plan = NULL;
		r = sync_poll_argv(&rq, &poll);
		if (r == 0 && poll)
			r = print_command(poll);
		if (r == 0)
			r = sync_plan_argv(&rq, &plan);
		for (char ***a = plan; r == 0 && *a; a++)
			r = print_command(*a);
		if (plan)
			sync_plan_free(plan);
		profile_free(&p);
		return r < 0 ? log_errno(r, "building the sync commands") : EXIT_OK;
	}

	time_t start = time(NULL);
	r = sync_run(&rq, &res);
	if (res.poll_message)
		log_warn("%s: %s", p.name, res.poll_message);
	status_note_sync(&opt->ctx, &p, rq.root, r, &res, start);
	if (opt->json) {
		_cleanup_json_ json_object *o = json_object_new_object();
		jset_str(o, "profile", p.name);
		jset_str(o, "method", sync_method_name(p.method));
		jset_str(o, "directory", dest);
		jset_bool(o, "complete", r == 0);
		jset_u64(o, "stages", res.stages);
		jset_u64(o, "exit_code", (unsigned long long)res.exit_code);
		jset_bool(o, "timed_out", res.timed_out);
		jset_u64(o, "files", res.files);
		jset_u64(o, "bytes", res.bytes);
		jset_u64(o, "refused", res.refused);
		json_object_object_add(o, "seconds", json_object_new_double(res.seconds));
		jset_str(o, "trace", res.trace);
		jset_str(o, "message", res.message);
		jset_str(o, "upstream", p.upstream);
		jset_str(o, "poll", res.poll);
		jset_bool(o, "skipped", res.skipped);
		if (res.skipped)
			jset_u64(o, "unchanged_since", (unsigned long long)res.unchanged_since);
		out_json(stdout, o);
	}
	int rc = EXIT_OK;
	if (r < 0)
		rc = sync_report_failure(r, &p, dest, rq.user, &res);
	else if (!opt->json && res.skipped) {
		char since[64];
		struct tm tm;
		strftime(since, sizeof(since), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&res.unchanged_since, &tm));
		printf("%s: upstream unchanged since %s (last successful sync); nothing to do (--full forces a run)\n",
		       p.name, since);
	} else if (!opt->json) {
		char bytes[32];
		format_size_human(res.bytes, bytes, sizeof(bytes));
		if (rq.progress || p.method == SYNC_FTPSYNC)
			printf("%s: complete in %.1f s\n", p.name, res.seconds);
		else
			printf("%s: complete: %llu files, %s transferred in %.1f s (%u %s)\n", p.name,
			       (unsigned long long)res.files, bytes, res.seconds, res.stages,
			       res.stages == 1 ? "pass" : "stages");
		if (res.refused)
			printf("%s: refused %llu upstream entries (devices, special files, links leading out of the tree)\n",
			       p.name, (unsigned long long)res.refused);
	}
	sync_result_free(&res);
	profile_free(&p);
	return rc;
}

int cmd_sync(int argc, char **argv)
{
	static const char shortopts[] = "c:u:t:nJh";
	static const struct option longopts[] = {
		MIRRORCTX_LONGOPTS,
		{ "upstream", required_argument, NULL, 'u' }, { "timeout", required_argument, NULL, 't' },
		{ "full", no_argument, NULL, OPT_FULL },
		OPT_DRY_RUN, OPT_JSON, OPT_HELP, OPT_END,
	};
	struct sync_options opt = { 0 };
	const char *why;
	int c, r;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (mirrorctx_option(&opt.ctx, c, optarg))
			continue;
		switch (c) {
		case 'u':
			if ((why = check_rsync_source(optarg)))
				return usage_error("--upstream '%s' %s", optarg, why);
			opt.upstream = optarg;
			break;
		case 't':
			if (parse_duration(optarg, &opt.timeout) < 0 || !opt.timeout)
				return usage_error("--timeout '%s' is not a duration (e.g. \"90min\", \"6h\")", optarg);
			break;
		case OPT_FULL:
			opt.full = true;
			break;
		case 'n':
			opt.dry_run = true;
			break;
		case 'J':
			opt.json = true;
			break;
		case 'h':
			return verb_print_help(&sync_help);
		default:
			return option_error(argv, shortopts);
		}
	}
	if (optind + 1 != argc)
		return usage_error(optind == argc ? "no profile name given" : "sync takes one profile name");
	r = mirrorctx_load(&opt.ctx);
	if (r == EXIT_OK)
		r = run_sync(&opt, argv[optind]);
	mirrorctx_free(&opt.ctx);
	return r;
}
