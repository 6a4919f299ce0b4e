#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "checkrun.h"
#include "mirrorctx.h"
#include "mirrorprov.h"
#include "output.h"
#include "statusrun.h"

static const struct verb_help check_help = {
	"mirrorprov check [-c HOST.conf] [--root DIR] [--profile NAME,...] [--full] [--sample N]\n"
	"                 [--ca FILE] [--timeout SEC] [--per-host N] [-o COLUMNS] [-J]",
	MIRRORCTX_HELP
	"  -p, --profile LIST    profiles to check (default: mirror.profiles)\n"
	CHECKRUN_HELP
	"  -o, --output LIST     columns to show\n"
	HELP_OPT_JSON HELP_OPT_HELP,
};

struct check_options {
	struct mirrorctx ctx;
	const char *profiles;
	const char *columns;
	struct checkrun_opts run;
	bool json;
};

int cmd_check(int argc, char **argv)
{
	static const char shortopts[] = "c:p:o:Jh";
	static const struct option longopts[] = {
		MIRRORCTX_LONGOPTS,
		{ "profile", required_argument, NULL, 'p' }, { "output", required_argument, NULL, 'o' },
		CHECKRUN_LONGOPTS, OPT_JSON, OPT_HELP, OPT_END,
	};
	struct check_options opt = { .run = CHECKRUN_DEFAULTS };
	struct profile_set set = { 0 };
	struct col_select sel, all;
	const char *bad;
	bool ok;
	int c, r;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (mirrorctx_option(&opt.ctx, c, optarg) || (r = checkrun_option(&opt.run, c, optarg)) == 1)
			continue;
		if (r)
			return r;
		switch (c) {
		case 'p':
			opt.profiles = optarg;
			break;
		case 'o':
			opt.columns = optarg;
			break;
		case 'J':
			opt.json = true;
			break;
		case 'h':
			verb_print_help(&check_help);
			cols_print_help(stdout, checkrun_cols, checkrun_ncols);
			return EXIT_OK;
		default:
			return option_error(argv, shortopts);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	cols_all(checkrun_ncols, &all);
	if (!opt.columns)
		sel = all;
	else if ((r = cols_parse(checkrun_cols, checkrun_ncols, opt.columns, &all, &sel, &bad)) < 0)
		return r == -EINVAL ? usage_error("unknown column '%s'", bad) : log_errno(r, "columns");
	if ((r = mirrorctx_load(&opt.ctx)) != EXIT_OK)
		return r;
	if (!opt.ctx.loaded || !opt.ctx.hc.has_host) {
		mirrorctx_free(&opt.ctx);
		return usage_error("the host configuration has no host section (its URLs are what is checked)");
	}
	if ((r = mirrorctx_profiles(&opt.ctx, opt.profiles, &set)) != EXIT_OK) {
		mirrorctx_free(&opt.ctx);
		return r;
	}
	_cleanup_json_ json_object *rows = json_object_new_array();
	time_t start = time(NULL);
	r = checkrun(&opt.ctx.hc, mirrorctx_root(&opt.ctx), &set, &opt.run, rows, &ok);
	profile_set_free(&set);
	if (r == EXIT_OK)
		status_note_checks(&opt.ctx, rows, start);
	mirrorctx_free(&opt.ctx);
	if (r != EXIT_OK)
		return r;
	if (out_table(stdout, "checks", checkrun_cols, &sel, rows, opt.json) < 0)
		return EXIT_FAIL;
	return ok ? EXIT_OK : EXIT_FAIL;
}
