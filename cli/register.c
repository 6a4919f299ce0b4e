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
	"  -b, --backend TYPE    mirrormanager, mirrorbits, mirrorbrain, mirrorcache, debian or\n"
	"                        almalinux (default: backend.type)\n"
	"  -p, --profile LIST    profiles to register (default: those of mirror.profiles whose\n"
	"                        backend is TYPE)\n"
	"      --no-send         show what would be sent (the checkin JSON, the commands, the\n"
	"                        request body) and send nothing\n"
	"      --skip-check      register without checking the URLs first\n"
	"check options (run before anything is sent):\n"
	CHECKRUN_HELP
	HELP_OPT_JSON HELP_OPT_HELP,
};

enum { OPT_NO_SEND = 0x100, OPT_SKIP_CHECK };

#define RUN_TIMEOUT 120       /* seconds for one mirrorbits/mb call */

/* The profiles to register: --profile as given, else those of mirror.profiles for this backend. */
static int pick_profiles(const struct register_options *opt, const char *type, struct profile_set *set)
{
	int r = mirrorctx_profiles(&opt->ctx, opt->profiles, set);
	if (r != EXIT_OK || opt->profiles)
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
	return EXIT_OK;
}

static int print_text(const char *backend, const char *kind, const char *profile, const char *text, bool json)
{
	if (!json)
		return fputs(text, stdout) < 0 ? EXIT_FAIL : EXIT_OK;
	_cleanup_json_ json_object *o = json_object_new_object();
	jset_str(o, "backend", backend);
	jset_str(o, "kind", kind);
	jset_str(o, "profile", profile);
	jset_str(o, "text", text);
	return out_json(stdout, o) < 0 ? EXIT_FAIL : EXIT_OK;
}

/* Texts a human submits: the MirrorManager sheet, Debian stanzas, AlmaLinux YAML. */
static int print_documents(const struct hostconf *hc, const char *type, const struct profile_set *set, bool json)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };
	int r;

	if (strcmp(type, "mirrormanager") == 0) {
		if ((r = mm_sheet(hc, set, &sb)) < 0)
			return log_errno(r, "registration sheet");
		return print_text(type, "registration-sheet", NULL, sb.buf, json);
	}
	for (size_t i = 0; i < set->n; i++) {
		strbuf_free(&sb);
		bool deb = strcmp(type, "debian") == 0;
		r = deb ? debian_stanza(hc, &set->v[i], &sb) : almalinux_yaml(hc, &set->v[i], &sb);
		if (r < 0)
			return log_errno(r, "%s", set->v[i].name);
		if (!json && i)
			putchar('\n');
		if (!json)
			printf(deb ? "# Mirrors.masterlist stanza for %s (submit at https://www.debian.org/mirror/submit)\n"
				   : "# mirrors.d/%s.yml (pull request to https://github.com/AlmaLinux/mirrors)\n",
			       deb ? set->v[i].name : hc->host.name);
		if ((r = print_text(type, deb ? "masterlist-stanza" : "mirrors.d-yaml", set->v[i].name, sb.buf, json)))
			return r;
	}
	return EXIT_OK;
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
	return EXIT_OK;
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

static int register_checkin(const struct register_options *opt, const struct hostconf *hc, const char *root,
			    const struct profile_set *set)
{
	_cleanup_(clear_secret) char *password = NULL;
	size_t ncats = 0, k = 0;
	int r;

	if (!hc->backend.url)
		return usage_error("backend.url (the MirrorManager XML-RPC URL) is not set");
	if (!opt->no_send && (r = read_password(hc, &password)) != EXIT_OK)
		return r;
	for (size_t i = 0; i < set->n; i++)
		ncats += set->v[i].n_categories;
	if (!ncats)
		return usage_error("the profiles name no MirrorManager category");
	_cleanup_free_ struct checkin_category *cats = calloc(ncats, sizeof(*cats));
	_cleanup_strv_free_ char **paths = calloc(ncats + 1, sizeof(char *));
	if (!cats || !paths)
		return log_errno(-ENOMEM, "checkin");
	for (size_t i = 0; i < set->n; i++)
		for (size_t c = 0; c < set->v[i].n_categories; c++, k++) {
			if (asprintf(&paths[k], "%s/%s", root, set->v[i].categories[c].topdir) < 0)
				return log_errno(-ENOMEM, "checkin");
			cats[k] = (struct checkin_category){ .name = set->v[i].categories[c].name, .path = paths[k] };
		}
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
		return out_json(stdout, o) < 0 ? EXIT_FAIL : EXIT_OK;
	}
	explicit_bzero(json.buf, json.len);
	if ((r = checkin_request(payload, &req)) < 0)
		return log_errno(r, "checkin request");

	char err[CURL_ERROR_SIZE];
	_cleanup_free_ char *body = NULL, *reply = NULL;
	long status = 0;
	bool tty = isatty(STDERR_FILENO);
	struct http_post post = { .url = hc->backend.url, .content_type = "text/xml", .body = req.buf, .len = req.len,
				  .ca_file = opt->check.ca, .connect_timeout = opt->check.timeout,
				  .timeout = (unsigned)hc->backend.timeout, .progress = tty ? show_wait : NULL,
				  .progress_data = (void *)hc };
	r = http_post(&post, &status, &body, err);
	if (tty)
		fputs("\r\033[K", stderr);   /* the waiting line goes away */
	if (r == -ETIME)
		return log_error("checkin: no reply from %s within %llu s (backend.timeout); MirrorManager may still be "
				 "processing it (a first checkin of a large tree takes many minutes): confirm with "
				 "\"Last Checked In\" on the host's page of the MirrorManager web interface, or run "
				 "register again later (a checkin of an unchanged tree is faster)",
				 hc->backend.url, (unsigned long long)hc->backend.timeout), EXIT_FAIL;
	if (r == -EFBIG)
		return log_error("checkin: the reply of %s is larger than %u bytes", hc->backend.url, HTTP_REPLY_MAX), EXIT_FAIL;
	if (r < 0)
		return log_error("checkin: %s: %s", hc->backend.url, err), EXIT_FAIL;
	if (status != 200)
		return log_error("checkin: %s answered HTTP %ld", hc->backend.url, status), EXIT_FAIL;
	r = xmlrpc_reply_string(body, &reply);
	if (r == -EREMOTEIO)
		return log_error("checkin: XML-RPC fault: %s", reply ? reply : "(no message)"), EXIT_FAIL;
	if (r < 0)
		return log_error("checkin: %s did not answer with an XML-RPC string", hc->backend.url), EXIT_FAIL;

	bool ok = checkin_succeeded(reply);
	_cleanup_json_ json_object *missing = json_object_new_array();
	for (size_t i = 0; ok && i < ncats; i++)
		if (checkin_category_missing(reply, cats[i].name))
			json_object_array_add(missing, json_object_new_string(cats[i].name));
	if (opt->json) {
		_cleanup_json_ json_object *o = json_object_new_object();
		size_t dirs = 0;
		for (size_t i = 0; i < ncats; i++)
			dirs += cats[i].stats.dirs;
		jset_str(o, "backend", "mirrormanager");
		jset_bool(o, "ok", ok && json_object_array_length(missing) == 0);
		jset_str(o, "reply", reply);
		json_object_object_add(o, "categories_not_on_host", json_object_get(missing));
		jset_u64(o, "directories", dirs);
		if (out_json(stdout, o) < 0)
			return EXIT_FAIL;
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
		log_error("checkin refused by %s: %.*s", hc->backend.url, (int)n, n ? reply : "(empty reply)");
		return EXIT_FAIL;
	}
	for (size_t i = 0; i < json_object_array_length(missing); i++)
		log_error("category '%s' is not set up for this host in MirrorManager (add it in the web UI)",
			  json_object_get_string(json_object_array_get_idx(missing, i)));
	return json_object_array_length(missing) ? EXIT_FAIL : EXIT_OK;
}

/* The command as a shell line, for reading and pasting. */
static int print_argv(char *const *argv)
{
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

static int register_cli(const struct register_options *opt, const struct hostconf *hc, const char *type,
			const struct profile_set *set)
{
	bool bits = strcmp(type, "mirrorbits") == 0;
	const char *stdin_path = NULL;
	int r;

	if (bits && hc->backend.password_file) {
		/* mirrorbits reads it on stdin: checked (and refused) here as for a checkin. */
		_cleanup_(clear_secret) char *password = NULL;
		if ((r = read_password(hc, &password)) != EXIT_OK)
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
		if ((r = print_argv(add)) < 0 || (enable && (r = print_argv(enable)) < 0))
			return log_errno(r, "%s arguments", type);
		if (opt->no_send)
			continue;
		if ((r = run_tool(add, stdin_path, bits ? "mirrorbits add" : "mb new")) != EXIT_OK ||
		    (enable && (r = run_tool(enable, stdin_path, "mirrorbits enable")) != EXIT_OK))
			return r;
	}
	if (!bits && !opt->no_send)
		printf("new MirrorBrain mirrors start disabled: enable with 'mb enable %s' once scanned\n", hc->host.name);
	return EXIT_OK;
}

static int register_mirrorcache(const struct register_options *opt, const struct hostconf *hc,
				const struct profile_set *set)
{
	_cleanup_(clear_secret) char *token = NULL;
	_cleanup_free_ char *url = NULL;
	int r;

	if (!hc->backend.url)
		return usage_error("backend.url (the MirrorCache instance) is not set");
	if (!opt->no_send && hc->backend.password_file && (r = read_password(hc, &token)) != EXIT_OK)
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
		printf("POST %s %s\n", url, text);
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
			return log_error("%s: %s", url, r == -EFBIG ? "reply too large" : err), EXIT_FAIL;
		printf("HTTP %ld ", status);
		print_untrusted(stdout, reply);
		putchar('\n');
		if (status < 200 || status >= 300)
			return log_error("MirrorCache refused the server: HTTP %ld", status), EXIT_FAIL;
	}
	return EXIT_OK;
}

int register_run(const struct register_options *opt)
{
	static const char *const types[] = { "mirrormanager", "mirrorbits", "mirrorbrain", "mirrorcache",
					     "debian", "almalinux" };
	const struct hostconf *hc = &opt->ctx.hc;
	const char *type = register_backend_type(opt);
	struct profile_set set = { 0 };
	bool known = false;
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
	if (r != EXIT_OK) {
		profile_set_free(&set);
		return r;
	}

	bool prints = register_prints(opt);
	/* a host is never registered with URLs that do not work */
	if (!prints && !opt->no_send && !opt->skip_check) {
		_cleanup_json_ json_object *rows = json_object_new_array();
		struct col_select sel;
		bool ok;
		time_t start = time(NULL);
		cols_all(checkrun_ncols, &sel);
		r = checkrun(hc, mirrorctx_root(&opt->ctx), &set, &opt->check, rows, &ok);
		if (r == EXIT_OK)
			status_note_checks(&opt->ctx, rows, start);
		if (r == EXIT_OK && !ok) {
			out_table(stderr, "checks", checkrun_cols, &sel, rows, false);
			log_error("the URL checks failed, nothing registered (--skip-check overrides)");
			r = EXIT_FAIL;
		}
	}
	if (r == EXIT_OK) {
		if (prints)
			r = print_documents(hc, type, &set, opt->json);
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

const char *register_backend_type(const struct register_options *opt)
{
	const struct hostconf *hc = &opt->ctx.hc;

	return opt->backend ? opt->backend : opt->ctx.loaded && hc->has_backend ? hc->backend.type : NULL;
}

bool register_prints(const struct register_options *opt)
{
	const char *type = register_backend_type(opt);

	return type && (strcmp(type, "debian") == 0 || strcmp(type, "almalinux") == 0 ||
			(strcmp(type, "mirrormanager") == 0 && !(opt->ctx.loaded && opt->ctx.hc.host.private_mirror)));
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
