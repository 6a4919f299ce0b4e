#include "register.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "checkrun.h"
#include "lib/strv.h"
#include "mirrorctx.h"
#include "mirrorprov.h"
#include "output.h"
#include "statusrun.h"

static json_object *strv_json(char *const *v)
{
	json_object *a = json_object_new_array();

	for (; v && *v; v++)
		json_object_array_add(a, json_object_new_string(*v));
	return a;
}

static json_object *group_entry(const struct reg_group *g)
{
	json_object *o = json_object_new_object(), *names = json_object_new_array();

	jset_str(o, "instance", g->inst.name);
	jset_str(o, "backend", g->inst.type);
	jset_str(o, "url", g->inst.url);
	jset_str(o, "declared", g->from_host ? "host.conf" : "profile");
	for (size_t i = 0; i < g->n; i++)
		json_object_array_add(names, json_object_new_string(g->profiles[i]->name));
	json_object_object_add(o, "profiles", names);
	return o;
}

static json_object *document_json(const struct reg_outcome *o, const struct reg_document *d)
{
	json_object *j = json_object_new_object();

	jset_str(j, "backend", o->g->inst.type);
	jset_str(j, "kind", d->kind);
	jset_str(j, "profile", d->profile);
	jset_str(j, "text", d->text);
	return j;
}

/* The instance's JSON entry: the group, then what its channel did. */
static json_object *outcome_json(const struct reg_outcome *o)
{
	json_object *e = group_entry(o->g), *a = NULL;

	if (o->prints) {
		json_object_object_add(e, "documents", a = json_object_new_array());
		for (size_t i = 0; i < o->ndocs; i++)
			json_object_array_add(a, document_json(o, &o->docs[i]));
	}
	if (o->categories)
		json_object_object_add(e, "categories", strv_json(o->categories));
	if (o->sent)
		json_object_object_add(e, "sent", json_object_get(o->sent));
	if (o->checked_in) {
		jset_bool(e, "ok", o->checkin.ok && !(o->checkin.missing && o->checkin.missing[0]));
		jset_str(e, "reply", o->checkin.reply);
		json_object_object_add(e, "categories_not_on_host", strv_json(o->checkin.missing));
		jset_u64(e, "directories", o->dirs);
	}
	if (o->ncmds)
		json_object_object_add(e, "commands", a = json_object_new_array());
	for (size_t i = 0; i < o->ncmds; i++)
		json_object_array_add(a, strv_json(o->cmds[i].argv));
	if (o->nposts)
		json_object_object_add(e, "requests", a = json_object_new_array());
	for (size_t i = 0; i < o->nposts; i++) {
		json_object *p = json_object_new_object();
		jset_str(p, "url", o->posts[i].url);
		json_object_object_add(p, "body", json_object_get(o->posts[i].body));
		if (o->posts[i].sent) {
			jset_u64(p, "status", (unsigned long long)o->posts[i].status);
			jset_str(p, "reply", o->posts[i].reply);
		}
		json_object_array_add(a, p);
	}
	if (!json_object_object_get_ex(e, "ok", NULL))
		jset_bool(e, "ok", o->r == 0);
	return e;
}

static void print_documents(FILE *f, const struct reg_outcome *o)
{
	for (size_t i = 0; i < o->ndocs; i++) {
		if (i)
			fputc('\n', f);
		if (o->docs[i].title)
			fprintf(f, "%s\n", o->docs[i].title);
		fputs(o->docs[i].text, f);
	}
}

/* Each profile's commands ("$ ..."), then what they printed. */
static void print_commands(FILE *f, bool json, const struct reg_outcome *o)
{
	for (size_t i = 0; i < o->ncmds;) {
		size_t end = i;
		while (end < o->ncmds && o->cmds[end].profile == o->cmds[i].profile)
			end++;
		for (size_t k = i; !json && k < end; k++) {
			_cleanup_free_ char *line = strv_join_quoted(o->cmds[k].argv);
			fprintf(f, "$ %s\n", line ? line : o->cmds[k].argv[0]);
		}
		for (size_t k = i; k < end; k++) {
			if (o->cmds[k].out)
				fputs(o->cmds[k].out, json ? stderr : f);
			if (o->cmds[k].err)
				fputs(o->cmds[k].err, stderr);
		}
		i = end;
	}
}

static void print_posts(FILE *f, const struct reg_outcome *o)
{
	for (size_t i = 0; i < o->nposts; i++) {
		const struct reg_post *p = &o->posts[i];
		fprintf(f, "POST %s %s\n", p->url, json_object_to_json_string_ext(p->body, JSON_C_TO_STRING_PLAIN));
		if (!p->sent)
			continue;
		fprintf(f, "HTTP %ld ", p->status);
		print_untrusted(f, p->reply);
		fputc('\n', f);
	}
}

static void print_text(FILE *f, const char *host, const struct reg_plan *plan, const struct reg_outcome *o)
{
	const struct reg_group *g = o->g;

	if (!plan->legacy) {
		fprintf(f, "== %s: %s%s%s, profiles", g->inst.name, g->inst.type, g->inst.url ? " at " : "",
			g->inst.url ? g->inst.url : "");
		for (size_t i = 0; i < g->n; i++)
			fprintf(f, " %s", g->profiles[i]->name);
		fputc('\n', f);
	}
	print_documents(f, o);
	if (o->sent)
		out_json(f, o->sent);
	if (o->checked_in && o->checkin.ok) {
		print_untrusted(f, o->checkin.reply);
		if (!o->checkin.reply[0] || o->checkin.reply[strlen(o->checkin.reply) - 1] != '\n')
			fputc('\n', f);
	}
	print_commands(f, false, o);
	if (strcmp(g->inst.type, "mirrorbrain") == 0 && o->ncmds && o->cmds[0].ran && o->r == 0)
		fprintf(f, "new MirrorBrain mirrors start disabled: enable with 'mb enable %s' once scanned\n", host);
	print_posts(f, o);
	if (!plan->legacy && g != &plan->v[plan->n - 1])
		fputc('\n', f);
}

void register_print_outcome(FILE *f, bool json, const char *host, const struct reg_plan *plan,
			    const struct reg_outcome *o)
{
	if (!json) {
		print_text(f, host, plan, o);
		return;
	}
	if (plan->legacy && o->prints) {
		/* before instances: one object per document */
		for (size_t i = 0; i < o->ndocs; i++) {
			_cleanup_json_ json_object *d = document_json(o, &o->docs[i]);
			out_json(f, d);
		}
		return;
	}
	_cleanup_json_ json_object *e = outcome_json(o);
	print_commands(f, true, o);
	out_json(f, e);
}

int register_report_outcome(const struct reg_outcome *o)
{
	int r = o->r;

	if (o->error.message)
		r = report_app_error(&o->error, o->r);
	for (char **m = o->checkin.missing; o->checked_in && m && *m; m++)
		r = log_error("category '%s' is not set up for this host in MirrorManager (add it in the web UI)", *m);
	return r;
}

/* Prints each instance as it is done; the worst result wins. */
struct presenter {
	const struct register_options *opt;
	int worst;
	bool waited;   /* a waiting line is on the terminal */
};

static void planned(void *userdata, const struct reg_plan *plan)
{
	const struct presenter *p = userdata;

	for (size_t i = 0; !plan->legacy && !p->opt->backend && i < plan->n_unassigned; i++)
		log_warn("profile '%s' names no backend instance: not registered", plan->unassigned[i]->name);
}

/* Elapsed time on a terminal while MirrorManager works (one line, rewritten in place). */
static void waiting(void *userdata, const struct reg_group *g, unsigned elapsed)
{
	struct presenter *p = userdata;
	char key[96];

	if (!isatty(STDERR_FILENO))
		return;
	register_timeout_key(g, key, sizeof(key));
	fprintf(stderr, "\rmirrorprov: register: waiting for the checkin reply: %u s of at most %llu s (%s)", elapsed,
		(unsigned long long)g->inst.timeout, key);
	p->waited = true;
}

static void registered(void *userdata, const struct reg_plan *plan, const struct reg_outcome *o)
{
	struct presenter *p = userdata;
	int r;

	if (p->waited)
		fputs("\r\033[K", stderr);   /* the waiting line goes away */
	p->waited = false;
	register_print_outcome(stdout, p->opt->json, p->opt->ctx.hc.host.name, plan, o);
	if ((r = register_report_outcome(o)) < 0 && exit_code(r) > exit_code(p->worst))
		p->worst = r;
}

static int run(const struct register_options *opt, const struct profile_set *set)
{
	const struct register_request rq = { .hc = &opt->ctx.hc, .root = mirrorctx_root(&opt->ctx), .set = set,
					     .backend = opt->backend, .listed = opt->profiles != NULL,
					     .no_send = opt->no_send, .skip_check = opt->skip_check, .check = &opt->check };
	struct presenter p = { opt, 0, false };
	const struct register_observer obs = { &p, planned, waiting, registered };
	struct register_report rep;
	time_t start = time(NULL);
	int r = registration_run(&rq, &obs, &rep);

	if (rep.checks.n)
		note_checks(&opt->ctx, &rep.checks, start);
	if (r < 0 && rep.error.message) {
		if (rep.checks.failed)
			checkrun_print(stderr, &rep.checks, NULL, false);
		p.worst = report_app_error(&rep.error, r);
	}
	register_report_free(&rep);
	return p.worst;
}

int register_run(const struct register_options *opt)
{
	struct profile_set set = { 0 };
	int r;

	if (!opt->ctx.loaded || !opt->ctx.hc.has_host)
		return usage_error("the host configuration has no host section");
	if (opt->backend && !register_backend_known(opt->backend))
		return usage_error("unknown backend '%s'", opt->backend);
	if ((r = mirrorctx_profiles(&opt->ctx, opt->profiles, &set)) < 0)
		return r;
	r = run(opt, &set);
	profile_set_free(&set);
	return r;
}

struct register_verb {
	struct common_opts c;
	struct register_options r;
};

static void register_init(void *opts)
{
	((struct register_verb *)opts)->r.check = (struct checkrun_opts)CHECKRUN_DEFAULTS;
}

static int register_main(void *opts, int argc, char **argv)
{
	struct register_verb *v = opts;
	int r = mirrorctx_load(&v->r.ctx);

	v->r.json = v->c.json;
	if (r == 0)
		r = register_run(&v->r);
	mirrorctx_free(&v->r.ctx);
	return r;
}

static const struct opt register_opts[] = {
	OPT_GROUP(mirrorctx_options, struct register_verb, r.ctx),
	OPT_STRING("backend", 'b', "TYPE", "only the instances of TYPE: mirrormanager, mirrorbits, mirrorbrain,\n"
					   "mirrorcache, debian, almalinux, launchpad or archlinux",
		   struct register_verb, r.backend),
	OPT_STRING("profile", 'p', "LIST", "profiles to register (default: mirror.profiles), each with its\n"
					   "own backend instance", struct register_verb, r.profiles),
	OPT_FLAG("no-send", 0, "show what would be sent (the checkin JSON, the commands, the\n"
			       "request body) and send nothing", struct register_verb, r.no_send),
	OPT_FLAG("skip-check", 0, "register without checking the URLs first", struct register_verb, r.skip_check),
	OPT_GROUP_HEADING(checkrun_options, struct register_verb, r.check, "check options (run before anything is sent):"),
	OPT_JSON(struct register_verb),
	OPT_END,
};

const struct verb verb_register = {
	.name = "register",
	.summary = "register the host with its mirror backend",
	.synopsis = "mirrorprov register [-c HOST.conf] [--root DIR] [--backend TYPE] [--profile NAME,...]\n"
		    "                    [--no-send] [--skip-check] [check options] [-J]",
	.options = register_opts,
	.opts_size = sizeof(struct register_verb),
	.init = register_init,
	.run = register_main,
};
