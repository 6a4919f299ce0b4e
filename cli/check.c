#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "checkrun.h"
#include "mirrorctx.h"
#include "mirrorprov.h"
#include "output.h"
#include "statusrun.h"

struct check_options {
	struct common_opts c;
	struct mirrorctx ctx;
	const char *profiles;
	const char *columns;
	struct checkrun_opts run;
};

static void check_init(void *opts)
{
	((struct check_options *)opts)->run = (struct checkrun_opts)CHECKRUN_DEFAULTS;
}

static int check_main(void *opts, int argc, char **argv)
{
	struct check_options *opt = opts;
	struct profile_set set = { 0 };
	struct col_select sel, all;
	const char *bad;
	int r;

	cols_all(CHECKRUN_NCOLS, &all);
	if (!opt->columns)
		sel = all;
	else if ((r = cols_parse(checkrun_cols, CHECKRUN_NCOLS, opt->columns, &all, &sel, &bad)) < 0)
		return r == -EINVAL ? usage_error("unknown column '%s'", bad) : log_errno(r, "columns");
	if ((r = mirrorctx_load(&opt->ctx)) < 0)
		return r;
	if (!opt->ctx.loaded || !opt->ctx.hc.has_host)
		r = usage_error("the host configuration has no host section (its URLs are what is checked)");
	else
		r = mirrorctx_profiles(&opt->ctx, opt->profiles, &set);
	if (r < 0) {
		mirrorctx_free(&opt->ctx);
		return r;
	}
	struct checkrun_result cr;
	struct app_error e = { 0 };
	time_t start = time(NULL);
	r = checkrun(&opt->ctx.hc, mirrorctx_root(&opt->ctx), &set, &opt->run, &cr, &e);
	profile_set_free(&set);
	if (r == 0)
		note_checks(&opt->ctx, &cr, start);
	mirrorctx_free(&opt->ctx);
	if (r < 0) {
		r = report_app_error(&e, r);
		app_error_free(&e);
		return r;
	}
	r = checkrun_print(stdout, &cr, &sel, opt->c.json);
	if (r == 0 && cr.failed)
		r = -MP_EFAILED;
	checkrun_result_free(&cr);
	return r;
}

static const struct opt check_opts[] = {
	OPT_GROUP(mirrorctx_options, struct check_options, ctx),
	OPT_STRING("profile", 'p', "LIST", "profiles to check (default: mirror.profiles)", struct check_options, profiles),
	OPT_GROUP(checkrun_options, struct check_options, run),
	OPT_STRING("output", 'o', "LIST", "columns to show", struct check_options, columns),
	OPT_JSON(struct check_options),
	OPT_END,
};

const struct verb verb_check = {
	.name = "check",
	.summary = "check the host's URLs the way the mirror crawlers do",
	.synopsis = "mirrorprov check [-c HOST.conf] [--root DIR] [--profile NAME,...] [--full] [--sample N]\n"
		    "                 [--ca FILE] [--timeout SEC] [--per-host N] [-o COLUMNS] [-J]",
	.options = check_opts,
	.columns = checkrun_cols,
	.ncolumns = CHECKRUN_NCOLS,
	.opts_size = sizeof(struct check_options),
	.init = check_init,
	.run = check_main,
};
