#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "backend/checkin.h"
#include "backend/http.h"
#include "backend/register.h"
#include "checkrun.h"
#include "lib/spawn.h"
#include "lib/strv.h"
#include "mirrorctx.h"
#include "mirrorprov.h"
#include "output.h"
#include "statusrun.h"
#include "steps.h"

static const struct verb_help register_help = {
	"mirrorprov register [-c HOST.conf] [--root DIR] [--backend TYPE] [--profile NAME,...]\n"
	"                    [--no-send] [--skip-check] [check options] [-J]",
	MIRRORCTX_HELP
	"  -b, --backend TYPE    only the instances of TYPE: mirrormanager, mirrorbits, mirrorbrain,\n"
	"                        mirrorcache, debian, almalinux, launchpad or archlinux\n"
	"  -p, --profile LIST    profiles to register (default: mirror.profiles), each with its\n"
	"                        own backend instance\n"
	"      --no-send         show what would be sent (the checkin JSON, the commands, the\n"
	"                        request body) and send nothing\n"
	"      --skip-check      register without checking the URLs first\n"
	"check options (run before anything is sent):\n"
	CHECKRUN_HELP
	HELP_OPT_JSON HELP_OPT_HELP,
};

enum { OPT_NO_SEND = 0x100, OPT_SKIP_CHECK };

#define POST_TIMEOUT 60       /* seconds for one MirrorCache request */
#define RUN_TIMEOUT 120       /* seconds for one mirrorbits/mb call */

static const char *const backend_types[] = { "mirrormanager", "mirrorbits", "mirrorbrain", "mirrorcache",
					     "debian", "almalinux", "launchpad", "archlinux" };

/* One instance's run: its group, and in JSON mode the entry it fills. */
struct reg_run {
	const struct register_options *opt;
	const struct hostconf *hc;
	const struct reg_group *g;
	bool legacy;
	json_object *entry;   /* NULL without -J */
};

static void print_document(const struct reg_run *rr, const struct reg_document *d, bool first)
{
	if (rr->entry) {
		json_object *o = json_object_new_object();
		jset_str(o, "backend", rr->g->inst.type);
		jset_str(o, "kind", d->kind);
		jset_str(o, "profile", d->profile);
		jset_str(o, "text", d->text);
		if (!rr->legacy) {
			json_object *docs = json_object_object_get(rr->entry, "documents");
			json_object_array_add(docs, o);
			return;
		}
		/* before instances: one object per document */
		out_json(stdout, o);
		json_object_put(o);
		return;
	}
	if (!first)
		putchar('\n');
	if (d->title)
		puts(d->title);
	fputs(d->text, stdout);
}

/* Texts a human submits: sheets, Debian stanzas, AlmaLinux YAML. */
static int print_documents(const struct reg_run *rr)
{
	struct reg_document *docs;
	size_t n;
	int r = reg_documents(rr->hc, rr->g, &docs, &n);

	if (r < 0)
		return log_errno(r, "%s: registration document", rr->g->inst.name);
	if (rr->entry)
		json_object_object_add(rr->entry, "documents", json_object_new_array());
	for (size_t i = 0; i < n; i++)
		print_document(rr, &docs[i], i == 0);
	reg_documents_free(docs, n);
	return EXIT_OK;
}

static int password_refused(int r, const char *file)
{
	if (r == -EPERM)
		return usage_error("password file %s may be read by group or others (or another user owns it); "
				   "chmod 600 it", file);
	if (r == -ENODATA)
		return usage_error("password file %s is empty or its first line is empty", file);
	return log_errno(r, "reading password file %s", file);
}

static int read_password(const struct reg_run *rr, char **ret)
{
	const struct hostconf_backend *inst = &rr->g->inst;
	int r;

	if (!inst->password_file && !rr->g->from_host)
		return usage_error("%s at %s needs a password: declare the instance in backends with this url and "
				   "its password_file", inst->type, inst->url ? inst->url : "(no url)");
	if (!inst->password_file)
		return usage_error("backend instance '%s': password_file is not set", inst->name);
	r = hostconf_read_secret(inst->password_file, ret);
	return r < 0 ? password_refused(r, inst->password_file) : EXIT_OK;
}

static void clear_secret(char **s)
{
	if (*s) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
	}
}

/* Before any instance sends: every password it will need is there, not
 * empty and private, so one misconfigured instance does not leave the others
 * half done. */
static int check_passwords(const struct register_options *opt, const struct reg_plan *plan)
{
	for (size_t i = 0; !opt->no_send && i < plan->n; i++) {
		const struct reg_group *g = &plan->v[i];
		struct reg_run rr = { .g = g };
		_cleanup_(clear_secret) char *pw = NULL;
		int r;
		if (reg_instance_prints(&opt->ctx.hc, &g->inst))
			continue;
		if ((g->inst.password_file || strcmp(g->inst.type, "mirrormanager") == 0) &&
		    (r = read_password(&rr, &pw)) != EXIT_OK)
			return r;
	}
	return EXIT_OK;
}

/* The host.conf key that sets the instance's checkin timeout, for messages. */
struct wait_info {
	unsigned long long timeout;
	char key[96];
};

static void wait_info_init(struct wait_info *w, const struct reg_group *g)
{
	w->timeout = (unsigned long long)g->inst.timeout;
	if (!g->from_host)
		snprintf(w->key, sizeof(w->key), "default; set it in backends");
	else if (strcmp(g->inst.name, HOSTCONF_DEFAULT_BACKEND) == 0)
		snprintf(w->key, sizeof(w->key), "backend.timeout");
	else
		snprintf(w->key, sizeof(w->key), "backends.%s.timeout", g->inst.name);
}

/* Elapsed time on a terminal while MirrorManager works (one line, rewritten in place). */
static void show_wait(void *data, unsigned elapsed)
{
	const struct wait_info *w = data;
	fprintf(stderr, "\rmirrorprov: register: waiting for the checkin reply: %u s of at most %llu s (%s)",
		elapsed, w->timeout, w->key);
}

static int register_checkin(const struct reg_run *rr, const char *root)
{
	const struct hostconf *hc = rr->hc;
	const struct hostconf_backend *inst = &rr->g->inst;
	const struct register_options *opt = rr->opt;
	_cleanup_(clear_secret) char *password = NULL;
	_cleanup_free_ struct checkin_category *cats = NULL;
	_cleanup_strv_free_ char **paths = NULL;
	_cleanup_free_ char *url = NULL;
	size_t ncats;
	int r;

	if (!inst->url)
		return usage_error("backend instance '%s': url (the MirrorManager XML-RPC URL) is not set", inst->name);
	if (!(url = mm_xmlrpc_url(inst->url)))
		return log_errno(-ENOMEM, "checkin");
	if (!opt->no_send && (r = read_password(rr, &password)) != EXIT_OK)
		return r;
	if ((r = reg_group_categories(rr->g, root, &cats, &paths, &ncats)) < 0)
		return log_errno(r, "checkin");
	if (!ncats)
		return usage_error("the profiles name no MirrorManager category");
	struct checkin_config cc = { .server = url, .site = hc->host.site,
				     .password = password ? password : "", .host = hc->host.name,
				     .cats = cats, .ncats = ncats };
	_cleanup_strbuf_ struct strbuf json = { 0 }, req = { 0 };
	_cleanup_free_ char *payload = NULL;
	const struct checkin_category *bad = NULL;

	r = checkin_build(&cc, opt->no_send, &json, opt->no_send ? NULL : &payload, NULL, &bad);
	if (r < 0) {
		if (bad)
			return log_errno(r, "category '%s': cannot walk %s", bad->name, bad->path);
		return log_errno(r, "building the checkin");
	}
	json_object *sent = json_object_new_array();
	for (size_t i = 0; i < ncats; i++)
		json_object_array_add(sent, json_object_new_string(cats[i].name));
	if (rr->entry)
		json_object_object_add(rr->entry, "categories", sent);
	else
		json_object_put(sent);
	if (opt->no_send) {
		/* the object report_mirror would send, password hidden */
		json_object *o = json_tokener_parse(json.buf);
		if (!o)
			return log_errno(-EBADMSG, "checkin JSON");
		if (rr->entry) {
			json_object_object_add(rr->entry, "sent", o);
			return EXIT_OK;
		}
		r = out_json(stdout, o) < 0 ? EXIT_FAIL : EXIT_OK;
		json_object_put(o);
		return r;
	}
	explicit_bzero(json.buf, json.len);
	if ((r = checkin_request(payload, &req)) < 0)
		return log_errno(r, "checkin request");

	char err[CURL_ERROR_SIZE];
	_cleanup_free_ char *body = NULL, *reply = NULL;
	long status = 0;
	bool tty = isatty(STDERR_FILENO);
	struct wait_info wait;
	wait_info_init(&wait, rr->g);
	struct http_post post = { .url = url, .content_type = "text/xml", .body = req.buf, .len = req.len,
				  .ca_file = opt->check.ca, .connect_timeout = opt->check.timeout,
				  .timeout = (unsigned)inst->timeout, .progress = tty ? show_wait : NULL,
				  .progress_data = &wait };
	r = http_post(&post, &status, &body, err);
	if (tty)
		fputs("\r\033[K", stderr);   /* the waiting line goes away */
	if (r == -ETIME)
		return log_error("checkin: no reply from %s within %llu s (%s); MirrorManager may still be "
				 "processing it (a first checkin of a large tree takes many minutes): confirm with "
				 "\"Last Checked In\" on the host's page of the MirrorManager web interface, or run "
				 "register again later (a checkin of an unchanged tree is faster)",
				 url, wait.timeout, wait.key), EXIT_FAIL;
	if (r == -EFBIG)
		return log_error("checkin: the reply of %s is larger than %u bytes", url, HTTP_REPLY_MAX), EXIT_FAIL;
	if (r < 0)
		return log_error("checkin: %s: %s", url, err), EXIT_FAIL;
	if (status != 200)
		return log_error("checkin: %s answered HTTP %ld", url, status), EXIT_FAIL;
	r = xmlrpc_reply_string(body, &reply);
	if (r == -EREMOTEIO)
		return log_error("checkin: XML-RPC fault: %s", reply ? reply : "(no message)"), EXIT_FAIL;
	if (r < 0)
		return log_error("checkin: %s did not answer with an XML-RPC string", url), EXIT_FAIL;

	bool ok = checkin_succeeded(reply);
	_cleanup_json_ json_object *missing = json_object_new_array();
	for (size_t i = 0; ok && i < ncats; i++)
		if (checkin_category_missing(reply, cats[i].name))
			json_object_array_add(missing, json_object_new_string(cats[i].name));
	if (rr->entry) {
		size_t dirs = 0;
		for (size_t i = 0; i < ncats; i++)
			dirs += cats[i].stats.dirs;
		jset_bool(rr->entry, "ok", ok && json_object_array_length(missing) == 0);
		jset_str(rr->entry, "reply", reply);
		json_object_object_add(rr->entry, "categories_not_on_host", json_object_get(missing));
		jset_u64(rr->entry, "directories", dirs);
	} else if (ok) {
		print_untrusted(stdout, reply);
		if (!reply[0] || reply[strlen(reply) - 1] != '\n')
			putchar('\n');
	}
	if (!ok) {
		/* MirrorManager's message on one line, without its "error checking in" */
		for (char *p = reply; *p; p++)
			if (*p == '\n')
				*p = ' ';
		char *tail = strstr(reply, "error checking in");
		size_t n = tail ? (size_t)(tail - reply) : strlen(reply);
		while (n && reply[n - 1] == ' ')
			n--;
		log_error("checkin refused by %s: %.*s", url, (int)n, n ? reply : "(empty reply)");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < json_object_array_length(missing); i++)
		log_error("category '%s' is not set up for this host in MirrorManager (add it in the web UI)",
			  json_object_get_string(json_object_array_get_idx(missing, i)));
	return json_object_array_length(missing) ? EXIT_FAIL : EXIT_OK;
}

/* The command as a shell line for reading and pasting, or in -J an argv array. */
static int print_argv(char *const *argv, json_object *entry)
{
	if (entry) {
		json_object *cmd = json_object_new_array();
		for (size_t i = 0; argv[i]; i++)
			json_object_array_add(cmd, json_object_new_string(argv[i]));
		json_object_array_add(json_object_object_get(entry, "commands"), cmd);
		return 0;
	}
	_cleanup_free_ char *line = strv_join_quoted(argv);

	if (!line)
		return -ENOMEM;
	printf("$ %s\n", line);
	return 0;
}

/* Runs argv (stdin from the password file for mirrorbits -a); output passed through. */
static int run_tool(char *const *argv, const char *stdin_path, const char *what)
{
	struct spawn_opts so = { .stdin_path = stdin_path, .capture_stdout = 1, .capture_stderr = 1,
				 .timeout_sec = RUN_TIMEOUT, .max_capture = 64 * 1024 };
	struct spawn_result sr = { 0 };
	int r = spawn_run(argv, &so, &sr);

	if (r < 0) {
		log_errno(r, "running %s", argv[0]);
		return EXIT_FAIL;
	}
	if (sr.out)
		fputs(sr.out, stdout);
	if (sr.err)
		fputs(sr.err, stderr);
	r = EXIT_OK;
	if (sr.timed_out) {
		log_error("%s timed out after %u s", what, RUN_TIMEOUT);
		r = EXIT_FAIL;
	} else if (sr.exit_code) {
		log_error("%s failed with exit code %d", what, sr.exit_code);
		r = EXIT_FAIL;
	}
	spawn_result_free(&sr);
	return r;
}

static int register_cli(const struct reg_run *rr)
{
	const struct hostconf_backend *inst = &rr->g->inst;
	bool bits = strcmp(inst->type, "mirrorbits") == 0;
	const char *stdin_path = NULL;
	int r;

	if (bits && inst->password_file) {
		/* mirrorbits reads it on stdin: checked (and refused) here as for a checkin. */
		_cleanup_(clear_secret) char *password = NULL;
		if ((r = read_password(rr, &password)) != EXIT_OK)
			return r;
		stdin_path = inst->password_file;
	}
	if (rr->entry)
		json_object_object_add(rr->entry, "commands", json_object_new_array());
	for (size_t i = 0; i < rr->g->n; i++) {
		struct reg_urls u;
		_cleanup_strv_free_ char **add = NULL, **enable = NULL;
		if ((r = reg_urls_profile(rr->hc, rr->g->profiles[i], NULL, &u)) < 0)
			return log_errno(r, "URLs");
		r = bits ? mirrorbits_argv(rr->hc, inst, &u, false, &add) : mirrorbrain_argv(rr->hc, inst, &u, &add);
		if (r >= 0 && bits)
			r = mirrorbits_argv(rr->hc, inst, &u, true, &enable);
		reg_urls_free(&u);
		if (r < 0)
			return log_errno(r, "%s arguments", inst->type);
		if ((r = print_argv(add, rr->entry)) < 0 || (enable && (r = print_argv(enable, rr->entry)) < 0))
			return log_errno(r, "%s arguments", inst->type);
		if (rr->opt->no_send)
			continue;
		if ((r = run_tool(add, stdin_path, bits ? "mirrorbits add" : "mb new")) != EXIT_OK ||
		    (enable && (r = run_tool(enable, stdin_path, "mirrorbits enable")) != EXIT_OK))
			return r;
	}
	if (!bits && !rr->opt->no_send && !rr->entry)
		printf("new MirrorBrain mirrors start disabled: enable with 'mb enable %s' once scanned\n", rr->hc->host.name);
	return EXIT_OK;
}

static int register_mirrorcache(const struct reg_run *rr)
{
	const struct hostconf_backend *inst = &rr->g->inst;
	const struct register_options *opt = rr->opt;
	_cleanup_(clear_secret) char *token = NULL;
	_cleanup_free_ char *url = NULL;
	int r;

	if (!inst->url)
		return usage_error("backend instance '%s': url (the MirrorCache instance) is not set", inst->name);
	if (!opt->no_send && inst->password_file && (r = read_password(rr, &token)) != EXIT_OK)
		return r;
	size_t n = strlen(inst->url);
	if (asprintf(&url, "%.*s/rest/server", (int)(n && inst->url[n - 1] == '/' ? n - 1 : n), inst->url) < 0)
		return log_errno(-ENOMEM, "URL");
	if (rr->entry)
		json_object_object_add(rr->entry, "requests", json_object_new_array());
	for (size_t i = 0; i < rr->g->n; i++) {
		struct reg_urls u;
		if ((r = reg_urls_profile(rr->hc, rr->g->profiles[i], NULL, &u)) < 0)
			return log_errno(r, "URLs");
		_cleanup_json_ json_object *body = mirrorcache_body(rr->hc, &u);
		reg_urls_free(&u);
		if (!body)
			return log_errno(-ENOMEM, "request body");
		const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
		json_object *req = NULL;
		if (rr->entry) {
			req = json_object_new_object();
			jset_str(req, "url", url);
			json_object_object_add(req, "body", json_object_get(body));
			json_object_array_add(json_object_object_get(rr->entry, "requests"), req);
		} else
			printf("POST %s %s\n", url, text);
		if (opt->no_send)
			continue;
		char err[CURL_ERROR_SIZE];
		_cleanup_free_ char *reply = NULL;
		long status = 0;
		struct http_post post = { .url = url, .content_type = "application/json", .body = text,
					  .len = strlen(text), .bearer = token, .ca_file = opt->check.ca,
					  .connect_timeout = opt->check.timeout, .timeout = POST_TIMEOUT };
		r = http_post(&post, &status, &reply, err);
		if (r < 0)
			return log_error("%s: %s", url, r == -EFBIG ? "reply too large" : err), EXIT_FAIL;
		if (req) {
			jset_u64(req, "status", (unsigned long long)status);
			jset_str(req, "reply", reply);
		} else {
			printf("HTTP %ld ", status);
			print_untrusted(stdout, reply);
			putchar('\n');
		}
		if (status < 200 || status >= 300)
			return log_error("MirrorCache refused the server: HTTP %ld", status), EXIT_FAIL;
	}
	return EXIT_OK;
}

/* A host is never registered with URLs that do not work: the checks of the
 * profiles some instance sends (not prints) for. */
static int check_before_sending(const struct register_options *opt, const struct reg_plan *plan)
{
	const struct hostconf *hc = &opt->ctx.hc;
	struct profile_set view = { 0 };
	int r = EXIT_OK;

	for (size_t i = 0; i < plan->n; i++)
		if (!reg_instance_prints(hc, &plan->v[i].inst))
			view.n += plan->v[i].n;
	if (!view.n || opt->no_send || opt->skip_check)
		return EXIT_OK;
	/* a borrowed view: the profiles stay owned by the caller's set */
	if (!(view.v = calloc(view.n, sizeof(*view.v))))
		return log_errno(-ENOMEM, "checks");
	view.n = 0;
	for (size_t i = 0; i < plan->n; i++)
		for (size_t k = 0; !reg_instance_prints(hc, &plan->v[i].inst) && k < plan->v[i].n; k++)
			view.v[view.n++] = *plan->v[i].profiles[k];
	_cleanup_json_ json_object *rows = json_object_new_array();
	struct col_select sel;
	bool ok;
	time_t start = time(NULL);
	cols_all(checkrun_ncols, &sel);
	r = checkrun(hc, mirrorctx_root(&opt->ctx), &view, &opt->check, rows, &ok);
	if (r == EXIT_OK)
		status_note_checks(&opt->ctx, rows, start);
	if (r == EXIT_OK && !ok) {
		out_table(stderr, "checks", checkrun_cols, &sel, rows, false);
		log_error("the URL checks failed, nothing registered (--skip-check overrides)");
		r = EXIT_FAIL;
	}
	free(view.v);
	return r;
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

/* Registers one instance's profiles through its channel. */
static int register_group(const struct register_options *opt, const struct reg_plan *plan, const struct reg_group *g)
{
	const struct hostconf *hc = &opt->ctx.hc;
	struct reg_run rr = { .opt = opt, .hc = hc, .g = g, .legacy = plan->legacy };
	bool prints = reg_instance_prints(hc, &g->inst);
	int r;

	if (opt->json && !(plan->legacy && prints))
		rr.entry = group_entry(g);
	else if (opt->json)
		rr.entry = json_object_new_object();   /* collects nothing: documents print themselves */
	if (!opt->json && !plan->legacy) {
		printf("== %s: %s%s%s, profiles", g->inst.name, g->inst.type, g->inst.url ? " at " : "",
		       g->inst.url ? g->inst.url : "");
		for (size_t i = 0; i < g->n; i++)
			printf(" %s", g->profiles[i]->name);
		putchar('\n');
	}
	if (prints)
		r = print_documents(&rr);
	else if (strcmp(g->inst.type, "mirrormanager") == 0)
		r = register_checkin(&rr, mirrorctx_root(&opt->ctx));
	else if (strcmp(g->inst.type, "mirrorcache") == 0)
		r = register_mirrorcache(&rr);
	else
		r = register_cli(&rr);
	if (rr.entry && !(plan->legacy && prints)) {
		if (!json_object_object_get_ex(rr.entry, "ok", NULL))
			jset_bool(rr.entry, "ok", r == EXIT_OK);
		if (out_json(stdout, rr.entry) < 0 && r == EXIT_OK)
			r = EXIT_FAIL;
	}
	json_object_put(rr.entry);
	if (!opt->json && !plan->legacy && rr.g != &plan->v[plan->n - 1])
		putchar('\n');
	return r;
}

int register_run(const struct register_options *opt)
{
	const struct hostconf *hc = &opt->ctx.hc;
	_cleanup_free_ char *err = NULL;
	struct profile_set set = { 0 };
	struct reg_plan plan = { 0 };
	bool known = false;
	int r;

	for (size_t i = 0; opt->backend && i < ARRAY_SIZE(backend_types); i++)
		known |= strcmp(opt->backend, backend_types[i]) == 0;
	if (!opt->ctx.loaded || !hc->has_host)
		return usage_error("the host configuration has no host section");
	if (opt->backend && !known)
		return usage_error("unknown backend '%s'", opt->backend);
	if ((r = mirrorctx_profiles(&opt->ctx, opt->profiles, &set)) != EXIT_OK)
		return r;
	r = reg_plan_build(hc, &set, opt->backend, opt->profiles != NULL, &plan, &err);
	if (r == -EINVAL)
		r = usage_error("%s", err);
	else if (r < 0)
		r = log_errno(r, "register");
	else if (!plan.n && plan.legacy)
		r = usage_error("no profile in mirror.profiles registers with %s; name them with --profile",
				opt->backend ? opt->backend : hc->backend.type);
	else if (!plan.n)
		r = usage_error("no profile names a backend instance%s%s", opt->backend ? " of type " : "",
				opt->backend ? opt->backend : "");
	else if ((r = check_passwords(opt, &plan)) == EXIT_OK)
		r = check_before_sending(opt, &plan);
	for (size_t i = 0; r == EXIT_OK && !plan.legacy && !opt->backend && i < plan.n_unassigned; i++)
		log_warn("profile '%s' names no backend instance: not registered", plan.unassigned[i]->name);
	/* every instance gets its turn (one refusing does not stop the others);
	 * the exit status is the worst */
	for (size_t i = 0, ok = r == EXIT_OK; ok && i < plan.n; i++) {
		int g = register_group(opt, &plan, &plan.v[i]);
		if (g > r)
			r = g;
	}
	reg_plan_free(&plan);
	profile_set_free(&set);
	return r;
}

const char *register_backend_type(const struct register_options *opt)
{
	const struct hostconf *hc = &opt->ctx.hc;

	return opt->backend ? opt->backend : opt->ctx.loaded && hc->has_backend ? hc->backend.type : NULL;
}

bool register_prints(const struct register_options *opt)
{
	const char *type = register_backend_type(opt);

	if (!type)
		return false;
	struct hostconf_backend inst = opt->ctx.hc.backend;
	inst.type = (char *)type;
	return reg_instance_prints(&opt->ctx.hc, &inst);
}

int cmd_register(int argc, char **argv)
{
	static const char shortopts[] = "c:b:p:Jh";
	static const struct option longopts[] = {
		MIRRORCTX_LONGOPTS,
		{ "backend", required_argument, NULL, 'b' }, { "profile", required_argument, NULL, 'p' },
		{ "no-send", no_argument, NULL, OPT_NO_SEND }, { "skip-check", no_argument, NULL, OPT_SKIP_CHECK },
		CHECKRUN_LONGOPTS, OPT_JSON, OPT_HELP, OPT_END,
	};
	struct register_options opt = { .check = CHECKRUN_DEFAULTS };
	int c, r;

	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (mirrorctx_option(&opt.ctx, c, optarg) || (r = checkrun_option(&opt.check, c, optarg)) == 1)
			continue;
		if (r)
			return r;
		switch (c) {
		case 'b': opt.backend = optarg; break;
		case 'p': opt.profiles = optarg; break;
		case OPT_NO_SEND: opt.no_send = true; break;
		case OPT_SKIP_CHECK: opt.skip_check = true; break;
		case 'J': opt.json = true; break;
		case 'h': return verb_print_help(&register_help);
		default: return option_error(argv, shortopts);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if ((r = mirrorctx_load(&opt.ctx)) != EXIT_OK)
		return r;
	r = register_run(&opt);
	mirrorctx_free(&opt.ctx);
	return r;
}
