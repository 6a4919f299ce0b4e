/* `mirrorprov sync NAME` for a profile of method filelist: one run for every
 * file-list profile of the host (sync/flsync.h); presentation only. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend/instance.h"
#include "lib/macro.h"
#include "lib/size.h"
#include "mirrorprov.h"
#include "output.h"
#include "register.h"
#include "statusrun.h"
#include "syncfl.h"
#include "sync/flsync.h"
#include "sync/syncrun.h"

static void human(uint64_t bytes, char *buf, size_t len)
{
	format_size_human(bytes, buf, len);
}

/* Progress on a terminal (stderr, so stdout stays the summary). */
static void on_step(void *ud, enum flsync_step s, const struct flsync_result *res)
{
	char b[32];

	switch (s) {
	case FLS_LISTS:
		human(res->list_bytes, b, sizeof(b));
		fprintf(stderr, "lists: %zu fetched (%s received)\n", res->n, b);
		break;
	case FLS_PLANNING:
		fprintf(stderr, "planning %s ...\n", res->modules[res->current].profile->name);
		break;
	case FLS_TRANSFER:
		human(res->transfer_bytes, b, sizeof(b));
		fprintf(stderr, "transfer: %zu files (%s), %zu directories, %zu links\n", res->transfer_files, b,
			res->transfer_dirs, res->transfer_links);
		break;
	case FLS_DELETE:
		fprintf(stderr, "delete: %zu files, %zu directories\n", res->delete_files, res->delete_dirs);
		break;
	case FLS_VERIFY:
		fputs("verifying checksums ...\n", stderr);
		break;
	case FLS_INSTALL:
		fputs("installing the new lists\n", stderr);
		break;
	}
}

static json_object *jstrv(char *const *v, size_t max)
{
	json_object *a = json_object_new_array();
	for (size_t i = 0; v && v[i] && i < max; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *module_json(const struct flsync_module *m)
{
	json_object *o = json_object_new_object(), *t = json_object_new_object(), *d = json_object_new_object();
	const struct flplan *p = &m->plan;

	jset_str(o, "profile", m->profile->name);
	jset_str(o, "directory", m->profile->directory);
	jset_bool(o, "changed", m->changed);
	jset_bool(o, "planned", m->planned);
	jset_bool(o, "own_rsync_call", m->own_call);
	if (m->planned) {
		jset_u64(o, "list_version", p->version);
		jset_u64(o, "list_entries", p->list_entries);
		jset_u64(o, "local_entries", p->local_entries);
		jset_u64(o, "changed_entries", p->changed);
		jset_u64(o, "missing", p->missing);
		jset_u64(o, "differ", p->differ);
		jset_u64(t, "files", p->transfer_files);
		jset_u64(t, "dirs", p->transfer_dirs);
		jset_u64(t, "links", p->transfer_links);
		jset_u64(t, "bytes", p->transfer_bytes);
		json_object_object_add(t, "first", jstrv(p->transfer_sample, FLPLAN_SAMPLES));
		jset_u64(d, "files", p->delete_files);
		jset_u64(d, "dirs", p->delete_dirs);
		json_object_object_add(d, "share", json_object_new_double(p->delete_share));
		jset_u64(d, "max_percent", m->profile->max_delete);
		json_object_object_add(d, "first", jstrv(p->deletes, FLPLAN_SAMPLES));
		jset_u64(o, "checksums", p->n_checksums);
	}
	json_object_object_add(o, "transfer", t);
	json_object_object_add(o, "delete", d);
	return o;
}

static void print_json(const struct flsync_result *res, int r, bool dry_run)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	json_object *mods = json_object_new_array();

	jset_str(o, "method", "filelist");
	jset_bool(o, "dry_run", dry_run);
	jset_bool(o, "complete", r == 0 && !dry_run);
	jset_bool(o, "unchanged", res->unchanged);
	for (size_t i = 0; i < res->n; i++)
		json_object_array_add(mods, module_json(&res->modules[i]));
	json_object_object_add(o, "modules", mods);
	jset_u64(o, "transfer_files", res->transfer_files);
	jset_u64(o, "transfer_dirs", res->transfer_dirs);
	jset_u64(o, "transfer_links", res->transfer_links);
	jset_u64(o, "transfer_bytes", res->transfer_bytes);
	jset_u64(o, "delete_files", res->delete_files);
	jset_u64(o, "delete_dirs", res->delete_dirs);
	jset_u64(o, "list_bytes", res->list_bytes);
	jset_u64(o, "received_bytes", res->received);
	jset_u64(o, "files_moved", res->files_moved);
	jset_u64(o, "deleted", res->deleted);
	jset_u64(o, "verified", res->verified);
	jset_u64(o, "refetched", res->refetched);
	jset_u64(o, "refused", res->refused);
	jset_u64(o, "rsync_runs", res->rsync_runs);
	jset_u64(o, "retries", res->retries);
	jset_u64(o, "exit_code", (unsigned long long)res->exit_code);
	jset_bool(o, "timed_out", res->timed_out);
	json_object_object_add(o, "seconds", json_object_new_double(res->seconds));
	jset_str(o, "message", res->message);
	out_json(stdout, o);
}

static void print_first(const char *what, char *const *v, size_t total)
{
	size_t i;

	for (i = 0; v && v[i] && i < FLPLAN_SAMPLES; i++) {
		printf("  %s ", what);
		print_untrusted(stdout, v[i]);
		putchar('\n');
	}
	if (total > i)
		printf("  ... and %zu more\n", total - i);
}

static void print_plan(const struct flsync_result *res)
{
	for (size_t i = 0; i < res->n; i++) {
		const struct flsync_module *m = &res->modules[i];
		const struct flplan *p = &m->plan;
		char b[32];

		if (!m->planned) {
			printf("%s: list unchanged\n", m->profile->name);
			continue;
		}
		human(p->transfer_bytes, b, sizeof(b));
		printf("%s: %zu listed, %zu local; transfer %zu files (%s), %zu directories, %zu links; delete %zu files, "
		       "%zu directories (%.1f %% of the tree)\n",
		       m->profile->name, p->list_entries, p->local_entries, p->transfer_files, b, p->transfer_dirs,
		       p->transfer_links, p->delete_files, p->delete_dirs, p->delete_share * 100.0);
		print_first("transfer", p->transfer_sample, p->transfer_files + p->transfer_dirs + p->transfer_links);
		print_first("delete  ", p->deletes, p->n_deletes);
	}
}

static int report_failure(int r, const struct flsync_result *res, const char *names)
{
	const char *msg = res->message;

	switch (r) {
	case -ECANCELED:
		log_error("%s", msg ? msg : "a list would delete too much");
		return -MP_EREFUSED;
	case -EBADMSG:
	case -EPROTONOSUPPORT:
	case -ENODATA:
	case -EEXIST:
	case -E2BIG:
		log_error("%s; nothing was changed", msg ? msg : strerror(-r));
		return -MP_EFAILED;
	case -EIO: {
		const char *what = rsync_exit_message(res->exit_code);
		log_error("%s: rsync exited with %d%s%s%s%s%s; the mirror is incomplete, the next run redoes the work", names,
			  res->exit_code, what ? " (" : "", what ? what : "", what ? ")" : "", msg ? ": " : "", msg ? msg : "");
		return -MP_EFAILED;
	}
	case -ESRCH:
		return usage_error("%s", msg ? msg : "mirror.user cannot run the sync");
	case -EBUSY:
		return log_error("%s", msg ? msg : "another sync is running");
	case -ETIMEDOUT:
		log_error("%s: timed out after %.0f s; the mirror is incomplete", names, res->seconds);
		return -MP_EFAILED;
	case -EILSEQ:
		return log_error("%s: %s", names, msg ? msg : "checksum mismatch");
	case -ENOENT:
		return log_error("rsync is not installed");
	case -ENOTDIR:
		return log_error("the mirror root does not exist (filesystem not mounted?)");
	default:
		if (msg)
			log_error("%s: %s", names, msg);
		return msg ? -MP_EFAILED : log_errno(r, "%s", names);
	}
}

/* After a sync that changed something: the MirrorManager checkin of a private
 * host (as quick-fedora-mirror checks in when CHECKIN_SITE is set), for the
 * changed profiles a MirrorManager instance declared in host.conf (backend or
 * backends, with its url) registers, by `register`'s plan and code; no URL
 * check (the mirror is private: nobody crawls it). */
static int checkin_changed(const struct mirrorctx *ctx, const struct flsync_result *res)
{
	const struct hostconf *hc = ctx->loaded ? &ctx->hc : NULL;
	_cleanup_free_ char *names = NULL, *err = NULL;
	struct profile_set view = { 0 };
	struct reg_plan plan = { 0 };
	size_t len = 0;
	int r;

	if (!hc || !hc->has_host || !hc->host.private_mirror || (!hc->has_backend && !hc->n_backends))
		return 0;
	/* a borrowed view of the changed profiles: the plan points into it */
	if (!(view.v = calloc(res->n + 1, sizeof(*view.v))))
		return log_errno(-ENOMEM, "checkin");
	for (size_t i = 0; i < res->n; i++)
		if (res->modules[i].planned) {
			view.v[view.n++] = *res->modules[i].profile;
			len += strlen(res->modules[i].profile->name) + 1;
		}
	if ((r = reg_plan_build(hc, &view, NULL, false, &plan, &err)) < 0 || !(names = calloc(1, len + 1))) {
		free(view.v);
		reg_plan_free(&plan);
		return log_errno(r < 0 ? r : -ENOMEM, "checkin");
	}
	for (size_t i = 0; i < plan.n; i++) {
		const struct reg_group *g = &plan.v[i];
		if (!g->from_host || strcmp(g->inst.type, "mirrormanager") != 0 || !g->inst.url)
			continue;
		for (size_t k = 0; k < g->n; k++)
			strcat(strcat(names, *names ? "," : ""), g->profiles[k]->name);
	}
	reg_plan_free(&plan);
	free(view.v);
	if (!*names)
		return 0;
	struct register_options ro = { .ctx = *ctx, .profiles = names, .skip_check = true };
	return register_run(&ro);
}

/* The profiles that run together: those with an upstream (named first), and their names "a,b". */
static int pick_group(const struct mirrorctx *ctx, const struct profile *named, struct profile_set *set,
		      const struct profile ***ret, size_t *ret_n, char **ret_names)
{
	size_t len = 0, n = 0;
	int r;

	/* The others pull from where host.conf says; one without an upstream is left out. */
	for (size_t i = 1; i < set->n; i++)
		if ((r = mirrorctx_upstream(ctx, &set->v[i], NULL, false)) < 0)
			return r;
	const struct profile **v = calloc(set->n, sizeof(*v));
	for (size_t i = 0; v && i < set->n; i++) {
		const struct profile *p = i ? &set->v[i] : named;
		if (!p->upstream) {
			log_warn("%s: no upstream in host.conf (profile.%s.upstream): not synced with %s", p->name, p->name,
				 named->name);
			continue;
		}
		v[n++] = p;
		len += strlen(p->name) + 1;
	}
	if (!v || !(*ret_names = calloc(1, len + 1))) {
		free(v);
		return log_errno(-ENOMEM, "sync");
	}
	for (size_t i = 0; i < n; i++)
		strcat(strcat(*ret_names, i ? "," : ""), v[i]->name);
	*ret = v;
	*ret_n = n;
	return 0;
}

static void print_result(const struct flsync_result *res, const char *names, bool dry_run)
{
	char b[32], g[32];

	if (res->unchanged) {
		human(res->list_bytes, b, sizeof(b));
		printf("%s: upstream unchanged (lists: %s received) in %.1f s\n", names, b, res->seconds);
		return;
	}
	if (dry_run) {
		print_plan(res);
		return;
	}
	human(res->transfer_bytes, b, sizeof(b));
	human(res->received, g, sizeof(g));
	printf("%s: complete: %zu files (%s listed, %s received), %zu directories, %zu links transferred; "
	       "%zu deleted; %zu checksums verified; %.1f s\n",
	       names, res->transfer_files, b, g, res->transfer_dirs, res->transfer_links, res->deleted, res->verified,
	       res->seconds);
	if (res->refused)
		printf("%s: refused %llu upstream entries\n", names, (unsigned long long)res->refused);
}

/* Each module's run into the history, as sync does for the other methods. */
static void note_modules(const struct mirrorctx *ctx, const struct flsync_result *res, const struct profile **v,
			 size_t n, const char *root, int r, bool dry_run, bool full, time_t start)
{
	if (dry_run)
		return;
	for (size_t i = 0; i < n; i++) {
		struct sync_result one;
		if (flsync_module_result(res, i, r, full, &one) == 0)
			status_record_run(ctx, v[i], root, r, &one, start);
		sync_result_free(&one);
	}
	status_after_run(ctx);
}

int sync_filelist(const struct mirrorctx *ctx, const struct profile *named, bool alone, uint64_t timeout,
		  bool dry_run, bool json, bool full)
{
	const struct hostconf *hc = ctx->loaded ? &ctx->hc : NULL;
	_cleanup_free_ char *err = NULL, *names = NULL;
	_cleanup_free_ const struct profile **v = NULL;
	struct profile_set set;
	struct flsync_result res;
	size_t n = 0;
	char *const *host = !alone && hc && hc->has_mirror ? hc->mirror.profiles : NULL;
	int r = flsync_group(named, host, &set, &err);

	if (r < 0)
		return err ? usage_error("%s", err) : log_errno(r, "loading profiles");
	if ((r = pick_group(ctx, named, &set, &v, &n, &names)) < 0) {
		profile_set_free(&set);
		return r;
	}
	bool tty = !json && isatty(STDERR_FILENO);
	struct flsync_request rq = {
		.profiles = v, .n = n, .root = mirrorctx_root(ctx), .timeout = timeout,
		.user = hc && hc->has_mirror ? hc->mirror.user : NULL,
		.dry_run = dry_run, .full = full, .progress = tty && !dry_run && isatty(STDOUT_FILENO),
		.on_step = tty ? on_step : NULL,
	};
	time_t start = time(NULL);
	r = flsync_run(&rq, &res);
	note_modules(ctx, &res, v, n, rq.root, r, dry_run, full, start);
	int rc = r < 0 ? report_failure(r, &res, names) : 0;
	if (json)
		print_json(&res, r, dry_run);
	else if (r == 0)
		print_result(&res, names, dry_run);
	/* -J output is one document: such runs leave the checkin to `register -J`. */
	if (r == 0 && !dry_run && !json && !res.unchanged)
		rc = checkin_changed(ctx, &res);
	flsync_result_free(&res);
	profile_set_free(&set);
	return rc;
}
