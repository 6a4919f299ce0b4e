#include "checkrun.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/names.h"
#include "mirrorprov.h"

const struct col_def checkrun_cols[CHECKRUN_NCOLS] = {
	{ "PROFILE", COLT_STR, 0, 0, "content profile" },
	{ "URL", COLT_STR, 0, 0, "the profile's URL on this host" },
	{ "RESULT", COLT_STR, 0, 0, "pass or FAIL" },
	{ "FILES", COLT_NUM, 0, 0, "files checked for presence and size" },
	{ "MARKERS", COLT_NUM, 0, 0, "freshness markers compared byte for byte" },
	{ "FAILED", COLT_NUM, 0, 0, "checks that failed" },
	{ "FIRST-FAILURE", COLT_STR, 0, 0, "the first failed check" },
};

static int parse_uint(const struct opt *opt, const char *arg, unsigned long min, unsigned long max,
		      unsigned long *ret)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max)
		return usage_error("--%s '%s' is not a whole number from %lu to %lu", opt->name, arg, min, max);
	*ret = v;
	return 0;
}

static int opt_sample(void *field, const char *arg, const struct opt *opt)
{
	unsigned long v;
	int r = parse_uint(opt, arg, 0, 100000, &v);

	if (!r)
		*(size_t *)field = v;
	return r;
}

static int opt_unsigned(void *field, const char *arg, const struct opt *opt)
{
	unsigned long v;
	int r = parse_uint(opt, arg, 1, strcmp(opt->name, "timeout") == 0 ? 3600 : 64, &v);

	if (!r)
		*(unsigned *)field = (unsigned)v;
	return r;
}

const struct opt checkrun_options[] = {
	OPT_FLAG("full", 0, "check every file (default: a random sample)", struct checkrun_opts, full),
	OPT_CALL("sample", 0, "N", "files per profile and URL (default 20)", struct checkrun_opts, sample, opt_sample),
	OPT_STRING("ca", 0, "FILE", "also trust this CA certificate for https", struct checkrun_opts, ca),
	OPT_CALL("timeout", 0, "SEC", "connect, HEAD and stall timeout (default 10)", struct checkrun_opts, timeout,
		 opt_unsigned),
	OPT_CALL("per-host", 0, "N", "concurrent connections per host (default 4)", struct checkrun_opts, per_host,
		 opt_unsigned),
	OPT_END,
};

json_object *checkrun_rows(const struct checkrun_result *cr)
{
	json_object *rows = json_object_new_array();

	for (size_t j = 0; j < cr->n; j++) {
		const struct check_result *r = &cr->v[j].res;
		json_object *o = json_object_new_object();
		jset_str(o, "profile", cr->v[j].profile);
		jset_str(o, "url", cr->v[j].url);
		jset_str(o, "result", r->ok ? "pass" : "FAIL");
		jset_u64(o, "files", r->files);
		jset_u64(o, "markers", r->markers);
		jset_u64(o, "failed", r->failed);
		jset_str(o, "first_failure", r->first_failure);
		json_object_array_add(rows, o);
	}
	return rows;
}

int checkrun_print(FILE *f, const struct checkrun_result *cr, const struct col_select *sel, bool json)
{
	_cleanup_json_ json_object *rows = checkrun_rows(cr);
	struct col_select all;

	cols_all(CHECKRUN_NCOLS, &all);
	return out_table(f, "checks", checkrun_cols, sel ? sel : &all, rows, json);
}
