#include "register.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/http.h"
#include "lib/macro.h"
#include "lib/spawn.h"

#define POST_TIMEOUT 60       /* seconds for one MirrorCache request */
#define RUN_TIMEOUT 120       /* seconds for one mirrorbits/mb call */

static const char *const backend_types[] = { "mirrormanager", "mirrorbits", "mirrorbrain", "mirrorcache",
					     "debian", "almalinux", "launchpad", "archlinux" };

bool register_backend_known(const char *type)
{
	for (size_t i = 0; i < ARRAY_SIZE(backend_types); i++)
		if (strcmp(type, backend_types[i]) == 0)
			return true;
	return false;
}

static void clear_secret(char **s)
{
	if (*s) {
		explicit_bzero(*s, strlen(*s));
		free(*s);
	}
}

static int password_refused(int r, const char *file, struct app_error *e)
{
	if (r == -EPERM)
		return app_fail(e, APP_BAD_INPUT, r, "password file %s may be read by group or others (or another user "
				"owns it); chmod 600 it", file);
	if (r == -ENODATA)
		return app_fail(e, APP_BAD_INPUT, r, "password file %s is empty or its first line is empty", file);
	return app_fail(e, APP_FAILED, r, "reading password file %s: %s", file, strerror(-r));
}

static int read_password(const struct reg_group *g, char **ret, struct app_error *e)
{
	const struct hostconf_backend *inst = &g->inst;
	int r;

	if (!inst->password_file && !g->from_host)
		return app_fail(e, APP_BAD_INPUT, -EINVAL, "%s at %s needs a password: declare the instance in backends "
				"with this url and its password_file", inst->type, inst->url ? inst->url : "(no url)");
	if (!inst->password_file)
		return app_fail(e, APP_BAD_INPUT, -EINVAL, "backend instance '%s': password_file is not set", inst->name);
	r = hostconf_read_secret(inst->password_file, ret);
	return r < 0 ? password_refused(r, inst->password_file, e) : 0;
}

/* Before any instance sends: every password it will need is there, not
 * empty and private, so one misconfigured instance does not leave the others
 * half done. */
static int check_passwords(const struct register_request *rq, const struct reg_plan *plan, struct app_error *e)
{
	for (size_t i = 0; !rq->no_send && i < plan->n; i++) {
		const struct reg_group *g = &plan->v[i];
		_cleanup_(clear_secret) char *pw = NULL;
		int r;
		if (reg_instance_prints(rq->hc, &g->inst))
			continue;
		if ((g->inst.password_file || strcmp(g->inst.type, "mirrormanager") == 0) &&
		    (r = read_password(g, &pw, e)) < 0)
			return r;
	}
	return 0;
}

void register_timeout_key(const struct reg_group *g, char *buf, size_t len)
{
	if (!g->from_host)
		snprintf(buf, len, "default; set it in backends");
	else if (strcmp(g->inst.name, HOSTCONF_DEFAULT_BACKEND) == 0)
		snprintf(buf, len, "backend.timeout");
	else
		snprintf(buf, len, "backends.%s.timeout", g->inst.name);
}

/* --- MirrorManager: the checkin ------------------------------------------------------ */

static int checkin_payload(const struct register_request *rq, const char *url, struct reg_outcome *o,
			   struct checkin_category *cats, size_t ncats, struct strbuf *req)
{
	_cleanup_(clear_secret) char *password = NULL;
	_cleanup_strbuf_ struct strbuf json = { 0 };
	_cleanup_free_ char *payload = NULL;
	const struct checkin_category *bad = NULL;
	int r;

	if (!rq->no_send && (r = read_password(o->g, &password, &o->error)) < 0)
		return r;
	struct checkin_config cc = { .server = url, .site = rq->hc->host.site, .password = password ? password : "",
				     .host = rq->hc->host.name, .cats = cats, .ncats = ncats };
	r = checkin_build(&cc, rq->no_send, &json, rq->no_send ? NULL : &payload, NULL, &bad);
	if (r < 0 && bad)
		return app_fail(&o->error, APP_FAILED, r, "category '%s': cannot walk %s: %s", bad->name, bad->path,
				strerror(-r));
	if (r < 0)
		return app_fail(&o->error, APP_FAILED, r, "building the checkin: %s", strerror(-r));
	for (size_t i = 0; i < ncats; i++)
		o->dirs += cats[i].stats.dirs;
	if (rq->no_send) {
		/* the object report_mirror would send, password hidden */
		if (!(o->sent = json_tokener_parse(json.buf)))
			return app_fail(&o->error, APP_FAILED, -EBADMSG, "checkin JSON: %s", strerror(EBADMSG));
		return 0;
	}
	explicit_bzero(json.buf, json.len);
	if ((r = checkin_request(payload, req)) < 0)
		return app_fail(&o->error, APP_FAILED, r, "checkin request: %s", strerror(-r));
	return 0;
}

static int checkin_failed(const struct reg_group *g, const char *url, const struct checkin_outcome *oc, int r,
			  struct app_error *e)
{
	switch (r) {
	case -ETIME: {
		char key[96];
		register_timeout_key(g, key, sizeof(key));
		return app_fail(e, APP_FAILED, r, "checkin: no reply from %s within %llu s (%s); MirrorManager may still be "
				"processing it (a first checkin of a large tree takes many minutes): confirm with \"Last "
				"Checked In\" on the host's page of the MirrorManager web interface, or run register again "
				"later (a checkin of an unchanged tree is faster)", url,
				(unsigned long long)g->inst.timeout, key);
	}
	case -EFBIG:
		return app_fail(e, APP_FAILED, r, "checkin: the reply of %s is larger than %u bytes", url, HTTP_REPLY_MAX);
	case -EPROTO:
		return app_fail(e, APP_FAILED, r, "checkin: %s answered HTTP %ld", url, oc->status);
	case -EREMOTEIO:
		return app_fail(e, APP_FAILED, r, "checkin: XML-RPC fault: %s", oc->reply ? oc->reply : "(no message)");
	case -EBADMSG:
		return app_fail(e, APP_FAILED, r, "checkin: %s did not answer with an XML-RPC string", url);
	case -ENOMEM:
		return r;
	default:
		return app_fail(e, APP_FAILED, r, "checkin: %s: %s", url, oc->err);
	}
}

/* MirrorManager takes minutes to answer a first checkin: the caller may show the wait. */
struct wait_forward {
	const struct register_observer *obs;
	const struct reg_group *g;
};

static void waiting(void *data, unsigned elapsed)
{
	const struct wait_forward *w = data;

	w->obs->waiting(w->obs->userdata, w->g, elapsed);
}

static int register_checkin(const struct register_request *rq, const struct register_observer *obs,
			    struct reg_outcome *o)
{
	const struct hostconf_backend *inst = &o->g->inst;
	_cleanup_free_ struct checkin_category *cats = NULL;
	_cleanup_strv_free_ char **paths = NULL;
	_cleanup_strbuf_ struct strbuf req = { 0 };
	_cleanup_free_ char *url = NULL;
	size_t ncats;
	int r;

	if (!inst->url)
		return app_fail(&o->error, APP_BAD_INPUT, -EINVAL, "backend instance '%s': url (the MirrorManager "
				"XML-RPC URL) is not set", inst->name);
	if (!(url = mm_xmlrpc_url(inst->url)))
		return -ENOMEM;
	if ((r = reg_group_categories(o->g, rq->root, &cats, &paths, &ncats)) < 0)
		return app_fail(&o->error, APP_FAILED, r, "checkin: %s", strerror(-r));
	if (!ncats)
		return app_fail(&o->error, APP_BAD_INPUT, -EINVAL, "the profiles name no MirrorManager category");
	if (!(o->categories = calloc(ncats + 1, sizeof(char *))))
		return -ENOMEM;
	for (size_t i = 0; i < ncats; i++)
		if (!(o->categories[i] = strdup(cats[i].name)))
			return -ENOMEM;
	if ((r = checkin_payload(rq, url, o, cats, ncats, &req)) < 0 || rq->no_send)
		return r;
	struct wait_forward w = { obs, o->g };
	struct http_post post = { .url = url, .content_type = "text/xml", .body = req.buf, .len = req.len,
				  .ca_file = rq->check->ca, .connect_timeout = rq->check->timeout,
				  .timeout = (unsigned)inst->timeout, .progress = obs->waiting ? waiting : NULL,
				  .progress_data = &w };
	if ((r = checkin_exchange(&post, cats, ncats, &o->checkin)) < 0)
		return checkin_failed(o->g, url, &o->checkin, r, &o->error);
	o->checked_in = true;
	if (!o->checkin.ok)
		return app_fail(&o->error, APP_FAILED, -EREMOTEIO, "checkin refused by %s: %s", url,
				*o->checkin.refusal ? o->checkin.refusal : "(empty reply)");
	/* each category MirrorManager skipped is said by the caller, one line each */
	return o->checkin.missing && o->checkin.missing[0] ? -ENOENT : 0;
}

/* --- mirrorbits, MirrorBrain: their own command-line tools ---------------------------- */

static int add_command(struct reg_outcome *o, char **argv, size_t profile)
{
	struct reg_command *v = realloc(o->cmds, (o->ncmds + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	o->cmds = v;
	v[o->ncmds++] = (struct reg_command){ .argv = argv, .profile = profile };
	return 0;
}

/* Runs a command (stdin from the password file for mirrorbits -a). */
static int run_tool(struct reg_command *c, const char *stdin_path, unsigned timeout, const char *what,
		    struct app_error *e)
{
	struct spawn_opts so = { .stdin_path = stdin_path, .capture_stdout = 1, .capture_stderr = 1,
				 .timeout_sec = timeout, .max_capture = 64 * 1024 };
	struct spawn_result sr = { 0 };
	int r = spawn_run(c->argv, &so, &sr);

	if (r < 0)
		return app_fail(e, APP_FAILED, r, "running %s: %s", c->argv[0], strerror(-r));
	c->ran = true;
	c->out = TAKE_PTR(sr.out);
	c->err = TAKE_PTR(sr.err);
	if (sr.timed_out)
		r = app_fail(e, APP_FAILED, -ETIMEDOUT, "%s timed out after %u s", what, timeout);
	else if (sr.exit_code)
		r = app_fail(e, APP_FAILED, -EIO, "%s failed with exit code %d", what, sr.exit_code);
	spawn_result_free(&sr);
	return r;
}

/* The commands of one profile: add (and, for mirrorbits, enable). */
static int profile_commands(const struct register_request *rq, struct reg_outcome *o, size_t i, bool bits)
{
	const struct hostconf_backend *inst = &o->g->inst;
	char **add = NULL, **enable = NULL;
	struct reg_urls u;
	int r;

	if ((r = reg_urls_profile(rq->hc, o->g->profiles[i], NULL, &u)) < 0)
		return app_fail(&o->error, APP_FAILED, r, "URLs: %s", strerror(-r));
	r = bits ? mirrorbits_argv(rq->hc, inst, &u, false, &add) : mirrorbrain_argv(rq->hc, inst, &u, &add);
	if (r >= 0 && bits)
		r = mirrorbits_argv(rq->hc, inst, &u, true, &enable);
	reg_urls_free(&u);
	if (r >= 0 && (r = add_command(o, add, i)) >= 0)
		add = NULL;
	if (r >= 0 && enable && (r = add_command(o, enable, i)) >= 0)
		enable = NULL;
	strv_freep(&add);
	strv_freep(&enable);
	return r < 0 ? app_fail(&o->error, APP_FAILED, r, "%s arguments: %s", inst->type, strerror(-r)) : 0;
}

static int register_cli(const struct register_request *rq, struct reg_outcome *o)
{
	const struct hostconf_backend *inst = &o->g->inst;
	bool bits = strcmp(inst->type, "mirrorbits") == 0;
	const char *stdin_path = NULL;
	int r;

	if (bits && inst->password_file) {
		/* mirrorbits reads it on stdin: checked (and refused) here as for a checkin */
		_cleanup_(clear_secret) char *password = NULL;
		if ((r = read_password(o->g, &password, &o->error)) < 0)
			return r;
		stdin_path = inst->password_file;
	}
	for (size_t i = 0; i < o->g->n; i++) {
		size_t first = o->ncmds;
		if ((r = profile_commands(rq, o, i, bits)) < 0)
			return r;
		for (size_t k = first; !rq->no_send && k < o->ncmds; k++) {
			const char *what = !bits ? "mb new" : k == first ? "mirrorbits add" : "mirrorbits enable";
			if ((r = run_tool(&o->cmds[k], stdin_path, RUN_TIMEOUT, what, &o->error)) < 0)
				return r;
		}
	}
	return 0;
}

/* --- MirrorCache: its REST API ----------------------------------------------------------- */

static int mirrorcache_post(const struct register_request *rq, struct reg_outcome *o, const char *token,
			    struct reg_post *p)
{
	const char *text = json_object_to_json_string_ext(p->body, JSON_C_TO_STRING_PLAIN);
	char err[CURL_ERROR_SIZE];
	struct http_post post = { .url = p->url, .content_type = "application/json", .body = text, .len = strlen(text),
				  .bearer = token, .ca_file = rq->check->ca, .connect_timeout = rq->check->timeout,
				  .timeout = POST_TIMEOUT };
	int r = http_post(&post, &p->status, &p->reply, err);

	if (r < 0)
		return app_fail(&o->error, APP_FAILED, r, "%s: %s", p->url, r == -EFBIG ? "reply too large" : err);
	p->sent = true;
	if (p->status < 200 || p->status >= 300)
		return app_fail(&o->error, APP_FAILED, -EREMOTEIO, "MirrorCache refused the server: HTTP %ld", p->status);
	return 0;
}

static int register_mirrorcache(const struct register_request *rq, struct reg_outcome *o)
{
	const struct hostconf_backend *inst = &o->g->inst;
	_cleanup_(clear_secret) char *token = NULL;
	_cleanup_free_ char *url = NULL;
	int r;

	if (!inst->url)
		return app_fail(&o->error, APP_BAD_INPUT, -EINVAL, "backend instance '%s': url (the MirrorCache "
				"instance) is not set", inst->name);
	if (!rq->no_send && inst->password_file && (r = read_password(o->g, &token, &o->error)) < 0)
		return r;
	size_t n = strlen(inst->url);
	if (asprintf(&url, "%.*s/rest/server", (int)(n && inst->url[n - 1] == '/' ? n - 1 : n), inst->url) < 0)
		return -ENOMEM;
	if (!(o->posts = calloc(o->g->n + 1, sizeof(*o->posts))))
		return -ENOMEM;
	for (size_t i = 0; i < o->g->n; i++) {
		struct reg_post *p = &o->posts[o->nposts];
		struct reg_urls u;
		if ((r = reg_urls_profile(rq->hc, o->g->profiles[i], NULL, &u)) < 0)
			return app_fail(&o->error, APP_FAILED, r, "URLs: %s", strerror(-r));
		p->body = mirrorcache_body(rq->hc, &u);
		reg_urls_free(&u);
		if (!p->body || !(p->url = strdup(url)))
			return -ENOMEM;
		o->nposts++;
		if (!rq->no_send && (r = mirrorcache_post(rq, o, token, p)) < 0)
			return r;
	}
	return 0;
}

/* --- the run ------------------------------------------------------------------------------- */

/* A host is never registered with URLs that do not work: the checks of the
 * profiles some instance sends (not prints) for. */
static int check_before_sending(const struct register_request *rq, struct register_report *rep)
{
	const struct reg_plan *plan = &rep->plan;
	struct profile_set view = { 0 };
	int r;

	for (size_t i = 0; i < plan->n; i++)
		if (!reg_instance_prints(rq->hc, &plan->v[i].inst))
			view.n += plan->v[i].n;
	if (!view.n || rq->no_send || rq->skip_check)
		return 0;
	/* a borrowed view: the profiles stay owned by the caller's set */
	if (!(view.v = calloc(view.n, sizeof(*view.v))))
		return -ENOMEM;
	view.n = 0;
	for (size_t i = 0; i < plan->n; i++)
		for (size_t k = 0; !reg_instance_prints(rq->hc, &plan->v[i].inst) && k < plan->v[i].n; k++)
			view.v[view.n++] = *plan->v[i].profiles[k];
	r = checkrun(rq->hc, rq->root, &view, rq->check, &rep->checks, &rep->error);
	free(view.v);
	if (r < 0)
		return r;
	if (rep->checks.failed)
		return app_fail(&rep->error, APP_FAILED, -EREMOTEIO,
				"the URL checks failed, nothing registered (--skip-check overrides)");
	return 0;
}

static int plan_instances(const struct register_request *rq, struct register_report *rep)
{
	_cleanup_free_ char *err = NULL;
	int r = reg_plan_build(rq->hc, rq->set, rq->backend, rq->listed, &rep->plan, &err);

	if (r == -EINVAL)
		return app_fail(&rep->error, APP_BAD_INPUT, r, "%s", err);
	if (r < 0)
		return app_fail(&rep->error, APP_FAILED, r, "register: %s", strerror(-r));
	if (!rep->plan.n && rep->plan.legacy)
		return app_fail(&rep->error, APP_BAD_INPUT, -ENOENT, "no profile in mirror.profiles registers with %s; "
				"name them with --profile", rq->backend ? rq->backend : rq->hc->backend.type);
	if (!rep->plan.n)
		return app_fail(&rep->error, APP_BAD_INPUT, -ENOENT, "no profile names a backend instance%s%s",
				rq->backend ? " of type " : "", rq->backend ? rq->backend : "");
	return 0;
}

static void outcome_free(struct reg_outcome *o)
{
	reg_documents_free(o->docs, o->ndocs);
	strv_freep(&o->categories);
	if (o->sent)
		json_object_put(o->sent);
	checkin_outcome_free(&o->checkin);
	for (size_t i = 0; i < o->ncmds; i++) {
		strv_freep(&o->cmds[i].argv);
		free(o->cmds[i].out);
		free(o->cmds[i].err);
	}
	free(o->cmds);
	for (size_t i = 0; i < o->nposts; i++) {
		free(o->posts[i].url);
		json_object_put(o->posts[i].body);
		free(o->posts[i].reply);
	}
	free(o->posts);
	app_error_free(&o->error);
}

static int register_group(const struct register_request *rq, const struct register_observer *obs,
			  const struct reg_group *g, struct reg_outcome *o)
{
	*o = (struct reg_outcome){ .g = g, .prints = reg_instance_prints(rq->hc, &g->inst) };
	if (o->prints) {
		int r = reg_documents(rq->hc, g, &o->docs, &o->ndocs);
		return r < 0 ? app_fail(&o->error, APP_FAILED, r, "%s: registration document: %s", g->inst.name,
					strerror(-r)) : 0;
	}
	if (strcmp(g->inst.type, "mirrormanager") == 0)
		return register_checkin(rq, obs, o);
	if (strcmp(g->inst.type, "mirrorcache") == 0)
		return register_mirrorcache(rq, o);
	return register_cli(rq, o);
}

int registration_run(const struct register_request *rq, const struct register_observer *obs,
		 struct register_report *rep)
{
	int r, worst = 0;

	*rep = (struct register_report){ 0 };
	if ((r = plan_instances(rq, rep)) < 0 || (r = check_passwords(rq, &rep->plan, &rep->error)) < 0 ||
	    (r = check_before_sending(rq, rep)) < 0)
		return r;
	if (obs->planned)
		obs->planned(obs->userdata, &rep->plan);
	/* every instance gets its turn: one refusing does not stop the others */
	for (size_t i = 0; i < rep->plan.n; i++) {
		struct reg_outcome o;
		o.r = register_group(rq, obs, &rep->plan.v[i], &o);
		obs->registered(obs->userdata, &rep->plan, &o);
		if (o.r < 0 && !worst)
			worst = o.r;
		outcome_free(&o);
	}
	return worst;
}

void register_report_free(struct register_report *rep)
{
	reg_plan_free(&rep->plan);
	checkrun_result_free(&rep->checks);
	app_error_free(&rep->error);
}
