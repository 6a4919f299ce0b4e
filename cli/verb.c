/* The dispatcher: a verb's option table into getopt_long's arrays and its
 * --help, the common refusals (root, unknown options, stray arguments) in one
 * place, then the verb's handler. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/names.h"
#include "mirrorprov.h"
#include "output.h"

#define OPTS_MAX 64
#define KEY_LONG 0x100   /* getopt's value of a long-only option: KEY_LONG + its index */
#define HELP_COLUMN 24

/* A table entry with the offset of its value in the verb's options struct. */
struct flat_opt {
	const struct opt *o;
	size_t offset;
};

struct flat {
	size_t n;
	struct flat_opt v[OPTS_MAX];
};

static const struct opt help_opts[] = { { "help", 'h', NULL, "show this help" }, OPT_END };
static const struct opt destructive_opts[] = {
	{ "dry-run", 'n', NULL, HELP_DRY_RUN, offsetof(struct common_opts, dry_run) },
	{ "yes", 'y', NULL, HELP_YES, offsetof(struct common_opts, yes) },
	OPT_END,
};

static int flatten(const struct opt *t, size_t base, struct flat *f)
{
	for (; t->name || t->include; t++) {
		if (t->include) {
			if (flatten(t->include, base + t->offset, f) < 0)
				return -E2BIG;
			continue;
		}
		if (f->n == OPTS_MAX)
			return -E2BIG;
		f->v[f->n++] = (struct flat_opt){ t, base + t->offset };
	}
	return 0;
}

static int verb_options(const struct verb *v, struct flat *f)
{
	f->n = 0;
	if (v->options && flatten(v->options, 0, f) < 0)
		return -E2BIG;
	if ((v->flags & VERB_DESTRUCTIVE) && flatten(destructive_opts, 0, f) < 0)
		return -E2BIG;
	return flatten(help_opts, 0, f);
}

/* --- --help ------------------------------------------------------------------------ */

/* "  -c, --config FILE     text": the form bash-completion's _parse_help reads. */
static void print_option(FILE *out, const struct opt *o)
{
	char left[128];
	int n = snprintf(left, sizeof(left), "  %c%c%s--%s%s%s", o->key ? '-' : ' ', o->key ? o->key : ' ',
			 o->key ? ", " : "  ", o->name, o->arg ? " " : "", o->arg ? o->arg : "");

	fputs(left, out);
	for (const char *h = o->help; *h;) {
		size_t len = strcspn(h, "\n");
		if (n > HELP_COLUMN - 2) {
			fputc('\n', out);
			n = 0;
		}
		fprintf(out, "%*s%.*s", HELP_COLUMN - n, "", (int)len, h);
		n = HELP_COLUMN + 1;   /* a continuation line starts on a new line */
		h += len + (h[len] == '\n');
	}
	fputc('\n', out);
}

static void print_table_help(FILE *out, const struct opt *t)
{
	for (; t->name || t->include; t++) {
		if (t->include) {
			if (t->heading)
				fprintf(out, "%s\n", t->heading);
			print_table_help(out, t->include);
		} else if (t->help)
			print_option(out, t);
	}
}

void verb_print_help(FILE *f, const struct verb *v)
{
	fprintf(f, "Usage:\n %s\n\nOptions:\n", v->synopsis);
	if (v->options)
		print_table_help(f, v->options);
	if (v->flags & VERB_DESTRUCTIVE)
		print_table_help(f, destructive_opts);
	print_table_help(f, help_opts);
	if (v->help_tail)
		fputs(v->help_tail, f);
	fputs("\nSee mirrorprov(8) for details.\n", f);
	if (v->columns)
		cols_print_help(f, v->columns, v->ncolumns);
}

/* --- parsing ------------------------------------------------------------------------ */

static void build_getopt(const struct flat *f, struct option *longopts, char *shortopts)
{
	char *s = shortopts;

	*s++ = ':';   /* a missing argument is ':', an unknown option '?' */
	for (size_t i = 0; i < f->n; i++) {
		const struct opt *o = f->v[i].o;
		longopts[i] = (struct option){ o->name, o->arg ? required_argument : no_argument, NULL,
					       o->key ? o->key : KEY_LONG + (int)i };
		if (o->key) {
			*s++ = o->key;
			if (o->arg)
				*s++ = ':';
		}
	}
	*s = '\0';
	longopts[f->n] = (struct option){ 0 };
}

static const struct flat_opt *find_key(const struct flat *f, int c)
{
	if (c >= KEY_LONG && (size_t)(c - KEY_LONG) < f->n)
		return &f->v[c - KEY_LONG];
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].o->key && f->v[i].o->key == c)
			return &f->v[i];
	return NULL;
}

/* Stops at -h/--help (*help); a bad option or value is reported. */
static int parse(const struct verb *v, const struct flat *f, int argc, char **argv, void *opts, bool *help)
{
	struct option longopts[OPTS_MAX + 1];
	char shortopts[2 * OPTS_MAX + 2];
	int c, r;

	build_getopt(f, longopts, shortopts);
	optind = 0;
	opterr = 0;   /* one message of our own, with the argument escaped */
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct flat_opt *fo = c == '?' || c == ':' ? NULL : find_key(f, c);
		if (!fo)
			return option_error(argv, shortopts);
		if ((*help = fo->o->key == 'h' && strcmp(fo->o->name, "help") == 0))
			return 0;
		void *field = (char *)opts + fo->offset;
		if (fo->o->parse) {
			if ((r = fo->o->parse(field, optarg, fo->o)) < 0)
				return r;
		} else if (fo->o->arg)
			*(const char **)field = optarg;
		else
			*(bool *)field = true;
	}
	return 0;
}

static int check_args(const struct verb *v, int nargs, char **args)
{
	if ((unsigned)nargs < v->args_min)
		return usage_error("%s", v->args_missing);
	if ((unsigned)nargs > v->args_max && v->args_extra)
		return usage_error("%s", v->args_extra);
	if ((unsigned)nargs > v->args_max)
		return usage_error("unexpected argument '%s'", args[v->args_max]);
	return 0;
}

int verb_dispatch(const struct verb *v, int argc, char **argv)
{
	_cleanup_free_ void *opts = calloc(1, v->opts_size ? v->opts_size : sizeof(struct common_opts));
	struct flat f;
	bool help = false;
	int r;

	if (!opts)
		return log_errno(-ENOMEM, "options");
	if (verb_options(v, &f) < 0)
		return log_errno(-E2BIG, "too many options");
	if (v->init)
		v->init(opts);
	if ((r = parse(v, &f, argc, argv, opts, &help)) < 0)
		return r;
	if (help) {
		verb_print_help(stdout, v);
		return 0;
	}
	if ((r = check_args(v, argc - optind, argv + optind)) < 0)
		return r;
	if ((v->flags & VERB_NEEDS_ROOT) && geteuid() != 0 && !((struct common_opts *)opts)->dry_run)
		return log_error("needs root (-n/--dry-run shows the plan without it)");
	return v->run(opts, argc - optind, argv + optind);
}

int opt_abspath(void *field, const char *arg, const struct opt *o)
{
	const char *why = check_abspath(arg);

	if (why)
		return usage_error("--%s '%s' %s", o->name, arg, why);
	*(const char **)field = arg;
	return 0;
}

int opt_rsync_source(void *field, const char *arg, const struct opt *o)
{
	const char *why = check_rsync_source(arg);

	if (why)
		return usage_error("--%s '%s' %s", o->name, arg, why);
	*(const char **)field = arg;
	return 0;
}
