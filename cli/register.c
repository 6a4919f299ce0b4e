#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/checkin.h"
#include "backend/http.h"
#include "backend/register.h"
#include "checkrun.h"
#include "lib/spawn.h"
#include "lib/strv.h"
#include "mirrorctx.h"
#include "mirrorprov.h"
#include "output.h"
#include "register.h"
#include "statusrun.h"

#define RUN_TIMEOUT 120       /* seconds for one mirrorbits/mb call */

/* The profiles to register: --profile as given, else those of mirror.profiles for this backend. */
static int pick_profiles(const struct register_options *opt, const char *type, struct profile_set *set)
{
	int r = mirrorctx_profiles(&opt->ctx, opt->profiles, set);
	if (r != 0 || opt->profiles)
		return r;
	size_t j = 0;
	for (size_t i = 0; i < set->n; i++) {
		if (set->v[i].backend && strcmp(set->v[i].backend, type) == 0)
			set->v[j++] = set->v[i];
		else
			profile_free(&set->v[i]);
	}
	set->n = j;
	if (!j)
		return usage_error("no profile in mirror.profiles registers with %s; name them with --profile", type);
	return 0;
}

static int print_text(FILE *out, const char *backend, const char *kind, const char *profile, const char *text, bool json)
{
	if (!json)
		return fputs(text, out) < 0 ? -MP_EFAILED : 0;
	_cleanup_json_ json_object *o = json_object_new_object();
	jset_str(o, "backend", backend);
	jset_str(o, "kind", kind);
	jset_str(o, "profile", profile);
	jset_str(o, "text", text);
	return out_json(out, o) < 0 ? -MP_EFAILED : 0;
}

/* Texts a human submits: the MirrorManager sheet, Debian stanzas, AlmaLinux YAML. */
static int print_documents(FILE *out, const struct hostconf *hc, const char *type, const struct profile_set *set, bool json)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };
	int r;

	if (strcmp(type, "mirrormanager") == 0) {
		if ((r = mm_sheet(hc, set, &sb)) < 0)
			return log_errno(r, "registration sheet");
		return print_text(out, type, "registration-sheet", NULL, sb.buf, json);
	}
	for (size_t i = 0; i < set->n; i++) {
		strbuf_free(&sb);
		bool deb = strcmp(type, "debian") == 0;
		r = deb ? debian_stanza(hc, &set->v[i], &sb) : almalinux_yaml(hc, &set->v[i], &sb);
		if (r < 0)
			return log_errno(r, "%s", set->v[i].name);
		if (!json && i)
			fputc('\n', out);
		if (!json)
			fprintf(out, deb ? "# Mirrors.masterlist stanza for %s (submit at https://www.debian.org/mirror/submit)\n"
				   : "# mirrors.d/%s.yml (pull request to https://github.com/AlmaLinux/mirrors)\n",
			       deb ? set->v[i].name : hc->host.name);
		if ((r = print_text(out, type, deb ? "masterlist-stanza" : "mirrors.d-yaml", set->v[i].name, sb.buf, json)))
			return r;
	}
	return 0;
}

static int read_password(const struct hostconf *hc, char **ret)
{
	int r;

	if (!hc->backend.password_file)
		return usage_error("backend.password_file is not set");
	r = hostconf_read_secret(hc->backend.password_file, ret);
	if (r == -EPERM)
		return usage_error("password file %s may be read by group or others (or another user owns it); "
				   "chmod 600 it", hc->backend.password_file);
	if (r == -ENODATA)
		return usage_error("password file %s is empty or its first line is empty", hc->backend.password_file);
	if (r < 0)
		return log_errno(r, "reading password file %s", hc->backend.password_file);
	return 0;
}

static void clear_secret(char **s)
{
	if (*s) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
	}
}

/* Elapsed time on a terminal while MirrorManager works (one line, rewritten in place). */
static void show_wait(void *data, unsigned elapsed)
{
	const struct hostconf *hc = data;
	fprintf(stderr, "\rmirrorprov: register: waiting for the checkin reply: %u s of at most %llu s (backend.timeout)",
		elapsed, (unsigned long long)hc->backend.timeout);
}

static int checkin_failed(const struct hostconf *hc, const struct checkin_outcome *oc, int r)
{
	const char *url = hc->backend.url;

	switch (r) {
	case -ETIME:
		return log_error("checkin: no reply from %s within %llu s (backend.timeout); MirrorManager may still be "
				 "processing it (a first checkin of a large tree takes many minutes): confirm with "
				 "\"Last Checked In\" on the host's page of the MirrorManager web interface, or run "
				 "register again later (a checkin of an unchanged tree is faster)",
				 url, (unsigned long long)hc->backend.timeout);
	case -EFBIG:
		return log_error("checkin: the reply of %s is larger than %u bytes", url, HTTP_REPLY_MAX);
	case -EPROTO:
		return log_error("checkin: %s answered HTTP %ld", url, oc->status);
	case -EREMOTEIO:
		return log_error("checkin: XML-RPC fault: %s", oc->reply ? oc->reply : "(no message)");
	case -EBADMSG:
		return log_error("checkin: %s did not answer with an XML-RPC string", url);
	case -ENOMEM:
		return log_errno(r, "checkin");
	default:
		return log_error("checkin: %s: %s", url, oc->err);
	}
}

/* The server's answer: printed (or JSON), a refusal or skipped categories as errors. */
static int checkin_report(const struct register_options *opt, const char *url, const struct checkin_category *cats,
			  size_t ncats, const struct checkin_outcome *oc)
{
	FILE *out = opt->out;
	int r = 0;

	if (opt->json) {
		_cleanup_json_ json_object *o = json_object_new_object(), *missing = json_object_new_array();
		size_t dirs = 0;
		for (size_t i = 0; i < ncats; i++)
			dirs += cats[i].stats.dirs;
		for (char **m = oc->missing; m && *m; m++)
			json_object_array_add(missing, json_object_new_string(*m));
		jset_str(o, "backend", "mirrormanager");
		jset_bool(o, "ok", oc->ok && !(oc->missing && oc->missing[0]));
		jset_str(o, "reply", oc->reply);
		json_object_object_add(o, "categories_not_on_host", json_object_get(missing));
		jset_u64(o, "directories", dirs);
		r = out_json(out, o);
	} else if (oc->ok) {
		print_untrusted(out, oc->reply);
		if (!oc->reply[0] || oc->reply[strlen(oc->reply) - 1] != '\n')
			fputc('\n', out);
	}
	if (!oc->ok)
		return log_error("checkin refused by %s: %s", url, *oc->refusal ? oc->refusal : "(empty reply)");
	for (char **m = oc->missing; m && *m; m++)
		r = log_error("category '%s' is not set up for this host in MirrorManager (add it in the web UI)", *m);
	return r;
}

/* The MirrorManager categories of the profiles, each with its top directory under root. */
static int categories_of(const struct profile_set *set, const char *root, struct checkin_category **ret_cats,
			 char ***ret_paths, size_t *ret_n)
{
	size_t n = 0, k = 0;

	for (size_t i = 0; i < set->n; i++)
		n += set->v[i].n_categories;
	*ret_n = n;
	*ret_cats = calloc(n + 1, sizeof(**ret_cats));
	*ret_paths = calloc(n + 1, sizeof(char *));
	if (!*ret_cats || !*ret_paths)
		return -ENOMEM;
	for (size_t i = 0; i < set->n; i++)
		for (size_t c = 0; c < set->v[i].n_categories; c++, k++) {
			char *path;
			if (asprintf(&path, "%s/%s", root, set->v[i].categories[c].topdir) < 0)
				return -ENOMEM;
			(*ret_paths)[k] = path;
			(*ret_cats)[k] = (struct checkin_category){ .name = set->v[i].categories[c].name,
								    .path = (*ret_paths)[k] };
		}
	return 0;
}

static int register_checkin(const struct register_options *opt, const struct hostconf *hc, const char *root,
			    const struct profile_set *set)
{
	FILE *out = opt->out;
	_cleanup_(clear_secret) char *password = NULL;
	size_t ncats;
	int r;

	if (!hc->backend.url)
		return usage_error("backend.url (the MirrorManager XML-RPC URL) is not set");
	if (!opt->no_send && (r = read_password(hc, &password)) != 0)
		return r;
	_cleanup_free_ struct checkin_category *cats = NULL;
	_cleanup_strv_free_ char **paths = NULL;
	if ((r = categories_of(set, root, &cats, &paths, &ncats)) < 0)
		return log_errno(r, "checkin");
	if (!ncats)
		return usage_error("the profiles name no MirrorManager category");
	struct checkin_config cc = { .server = hc->backend.url, .site = hc->host.site,
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
	if (opt->no_send) {
		/* the object report_mirror would send, password hidden */
		_cleanup_json_ json_object *o = json_tokener_parse(json.buf);
		if (!o)
			return log_errno(-EBADMSG, "checkin JSON");
		return out_json(out, o) < 0 ? -MP_EFAILED : 0;
	}
	explicit_bzero(json.buf, json.len);
	if ((r = checkin_request(payload, &req)) < 0)
		return log_errno(r, "checkin request");

	bool tty = isatty(STDERR_FILENO);
	struct http_post post = { .url = hc->backend.url, .content_type = "text/xml", .body = req.buf, .len = req.len,
				  .ca_file = opt->check.ca, .connect_timeout = opt->check.timeout,
				  .timeout = (unsigned)hc->backend.timeout, .progress = tty ? show_wait : NULL,
				  .progress_data = (void *)hc };
	struct checkin_outcome oc;
	r = checkin_exchange(&post, cats, ncats, &oc);
	if (tty)
		fputs("\r\033[K", stderr);   /* the waiting line goes away */
	if (r < 0)
		r = checkin_failed(hc, &oc, r);
	else
		r = checkin_report(opt, hc->backend.url, cats, ncats, &oc);
	checkin_outcome_free(&oc);
	return r;
}

/* The command as a shell line, for reading and pasting. */
static int print_argv(FILE *out, char *const *argv)
{
	_cleanup_free_ char *line = strv_join_quoted(argv);

	if (!line)
		return -ENOMEM;
	fprintf(out, "$ %s\n", line);
	return 0;
}

/* Runs argv (stdin from the password file for mirrorbits -a); output passed through. */
static int run_tool(FILE *out, char *const *argv, const char *stdin_path, const char *what)
{
	struct spawn_opts so = { .stdin_path = stdin_path, .capture_stdout = 1, .capture_stderr = 1,
				 .timeout_sec = RUN_TIMEOUT, .max_capture = 64 * 1024 };
	struct spawn_result sr = { 0 };
	int r = spawn_run(argv, &so, &sr);

	if (r < 0) {
		log_errno(r, "running %s", argv[0]);
		return -MP_EFAILED;
	}
	if (sr.out)
		fputs(sr.out, out);
	if (sr.err)
		fputs(sr.err, stderr);
	r = 0;
	if (sr.timed_out) {
		log_error("%s timed out after %u s", what, RUN_TIMEOUT);
		r = -MP_EFAILED;
	} else if (sr.exit_code) {
		log_error("%s failed with exit code %d", what, sr.exit_code);
		r = -MP_EFAILED;
	}
	spawn_result_free(&sr);
	return r;
}

static int register_cli(const struct register_options *opt, const struct hostconf *hc, const char *type,
			const struct profile_set *set)
{
	FILE *out = opt->out;
	bool bits = strcmp(type, "mirrorbits") == 0;
	const char *stdin_path = NULL;
	int r;

	if (bits && hc->backend.password_file) {
		/* mirrorbits reads it on stdin: checked (and refused) here as for a checkin. */
		_cleanup_(clear_secret) char *password = NULL;
		if ((r = read_password(hc, &password)) < 0)
			return r;
		stdin_path = hc->backend.password_file;
	}
	for (size_t i = 0; i < set->n; i++) {
		struct reg_urls u;
		_cleanup_strv_free_ char **add = NULL, **enable = NULL;
		if ((r = reg_urls_profile(hc, &set->v[i], NULL, &u)) < 0)
			return log_errno(r, "URLs");
		r = bits ? mirrorbits_argv(hc, &u, false, &add) : mirrorbrain_argv(hc, &u, &add);
		if (r >= 0 && bits)
			r = mirrorbits_argv(hc, &u, true, &enable);
		reg_urls_free(&u);
		if (r < 0)
			return log_errno(r, "%s arguments", type);
		if ((r = print_argv(out, add)) < 0 || (enable && (r = print_argv(out, enable)) < 0))
			return log_errno(r, "%s arguments", type);
		if (opt->no_send)
			continue;
		if ((r = run_tool(out, add, stdin_path, bits ? "mirrorbits add" : "mb new")) != 0 ||
		    (enable && (r = run_tool(out, enable, stdin_path, "mirrorbits enable")) != 0))
			return r;
	}
	if (!bits && !opt->no_send)
		fprintf(out, "new MirrorBrain mirrors start disabled: enable with 'mb enable %s' once scanned\n", hc->host.name);
	return 0;
}

static int register_mirrorcache(const struct register_options *opt, const struct hostconf *hc,
				const struct profile_set *set)
{
	FILE *out = opt->out;
	_cleanup_(clear_secret) char *token = NULL;
	_cleanup_free_ char *url = NULL;
	int r;

	if (!hc->backend.url)
		return usage_error("backend.url (the MirrorCache instance) is not set");
	if (!opt->no_send && hc->backend.password_file && (r = read_password(hc, &token)) != 0)
		return r;
	size_t n = strlen(hc->backend.url);
	if (asprintf(&url, "%.*s/rest/server", (int)(n && hc->backend.url[n - 1] == '/' ? n - 1 : n), hc->backend.url) < 0)
		return log_errno(-ENOMEM, "URL");
	for (size_t i = 0; i < set->n; i++) {
		struct reg_urls u;
		if ((r = reg_urls_profile(hc, &set->v[i], NULL, &u)) < 0)
			return log_errno(r, "URLs");
		_cleanup_json_ json_object *body = mirrorcache_body(hc, &u);
		reg_urls_free(&u);
		if (!body)
			return log_errno(-ENOMEM, "request body");
		const char *text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
		fprintf(out, "POST %s %s\n", url, text);
		if (opt->no_send)
			continue;
		char err[CURL_ERROR_SIZE];
		_cleanup_free_ char *reply = NULL;
		long status = 0;
		struct http_post post = { .url = url, .content_type = "application/json", .body = text,
					  .len = strlen(text), .bearer = token, .ca_file = opt->check.ca,
					  .connect_timeout = opt->check.timeout, .timeout = 60 };
		r = http_post(&post, &status, &reply, err);
		if (r < 0)
			return log_error("%s: %s", url, r == -EFBIG ? "reply too large" : err);
		fprintf(out, "HTTP %ld ", status);
		print_untrusted(out, reply);
		fputc('\n', out);
		if (status < 200 || status >= 300)
			return log_error("MirrorCache refused the server: HTTP %ld", status);
	}
	return 0;
}

/* A host is never registered with URLs that do not work. */
static int check_first(const struct register_options *opt, const struct profile_set *set)
{
	struct checkrun_result cr;
	struct app_error e = { 0 };
	time_t start = time(NULL);
	int r = checkrun(&opt->ctx.hc, mirrorctx_root(&opt->ctx), set, &opt->check, &cr, &e);

	if (r < 0) {
		r = report_app_error(&e, r);
		app_error_free(&e);
		return r;
	}
	note_checks(&opt->ctx, &cr, start);
	if (cr.failed) {
		checkrun_print(stderr, &cr, NULL, false);
		r = log_error("the URL checks failed, nothing registered (--skip-check overrides)");
	}
	checkrun_result_free(&cr);
	return r;
}

int register_run(const struct register_options *opt)
{
	static const char *const types[] = { "mirrormanager", "mirrorbits", "mirrorbrain", "mirrorcache",
					     "debian", "almalinux" };
	const struct hostconf *hc = &opt->ctx.hc;
	const char *type = register_backend_type(opt->ctx.loaded ? hc : NULL, opt->backend);
	struct profile_set set = { 0 };
	bool known = false, prints;
	int r;

	for (size_t i = 0; type && i < ARRAY_SIZE(types); i++)
		known |= strcmp(type, types[i]) == 0;
	if (!opt->ctx.loaded || !hc->has_host)
		r = usage_error("the host configuration has no host section");
	else if (!type)
		r = usage_error("no backend: give --backend or backend.type in the host configuration");
	else if (!known)
		r = usage_error("unknown backend '%s'", type);
	else
		r = pick_profiles(opt, type, &set);
	prints = r == 0 && register_prints(hc, type);
	if (r == 0 && !prints && !opt->no_send && !opt->skip_check)
		r = check_first(opt, &set);
	if (r == 0) {
		if (prints)
			r = print_documents(opt->out, hc, type, &set, opt->json);
		else if (strcmp(type, "mirrormanager") == 0)
			r = register_checkin(opt, hc, mirrorctx_root(&opt->ctx), &set);
		else if (strcmp(type, "mirrorcache") == 0)
			r = register_mirrorcache(opt, hc, &set);
		else
			r = register_cli(opt, hc, type, &set);
	}
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
	v->r.out = stdout;
	if (r == 0)
		r = register_run(&v->r);
	mirrorctx_free(&v->r.ctx);
	return r;
}

static const struct opt register_opts[] = {
	OPT_GROUP(mirrorctx_options, struct register_verb, r.ctx),
	OPT_STRING("backend", 'b', "TYPE", "mirrormanager, mirrorbits, mirrorbrain, mirrorcache, debian or\n"
					   "almalinux (default: backend.type)", struct register_verb, r.backend),
	OPT_STRING("profile", 'p', "LIST", "profiles to register (default: those of mirror.profiles whose\n"
					   "backend is TYPE)", struct register_verb, r.profiles),
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
