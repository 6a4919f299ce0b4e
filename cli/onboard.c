#include "onboard.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsplan.h"
#include "lib/size.h"
#include "mirrorctx.h"
#include "mirrorprov.h"
#include "output.h"
#include "register.h"
#include "statusrun.h"

static const struct col_def step_cols[] = {
	{ "STEP", COLT_STR, 0, 0, "the step, in the order they run", "name" },
	{ "STATE", COLT_STR, 0, 0, "done, change or blocked" },
	{ "DETAIL", COLT_STR, 0, 0, "what is true, what will be done, or why not" },
};

/* Where the steps' own output goes: stdout for people; stderr when stdout
 * carries the JSON document; a buffer for the Ansible module's reply.  The
 * table and the "==>" lines go with it, except in the JSON form. */
struct presenter {
	enum onboard_mode mode;
	FILE *out;
	bool yes;
};

static json_object *plan_rows(const struct onboard *ob)
{
	json_object *rows = json_object_new_array();

	for (int i = 0; i < _S_MAX; i++) {
		json_object *r = json_object_new_object();
		jset_str(r, "name", onboard_step_names[i]);
		jset_str(r, "state", step_state_names[ob->steps[i].state]);
		jset_str(r, "detail", ob->steps[i].detail);
		json_object_array_add(rows, r);
	}
	return rows;
}

static json_object *plan_doc(const struct onboard *ob)
{
	_cleanup_json_ json_object *rows = plan_rows(ob);
	json_object *doc = json_object_new_object();
	struct col_select sel;

	cols_all(ARRAY_SIZE(step_cols), &sel);
	json_object_object_add(doc, "steps", out_table_json(step_cols, &sel, rows));
	if (ob->failed >= 0)
		jset_str(doc, "failed", onboard_step_names[ob->failed]);
	jset_bool(doc, "changed", ob->o->dry_run ? ob->changes && ob->blocked < 0 : ob->changed);
	jset_bool(doc, "dry_run", ob->o->dry_run);
	return doc;
}

static void print_plan(const struct onboard *ob, FILE *f)
{
	_cleanup_json_ json_object *rows = plan_rows(ob);
	struct col_select sel;

	cols_all(ARRAY_SIZE(step_cols), &sel);
	out_table(f, "steps", step_cols, &sel, rows, false);
}

static void applying(void *userdata, const struct onboard *ob, int i)
{
	const struct presenter *p = userdata;
	_cleanup_esc_pool_ struct esc_pool e = { 0 };

	if (p->mode != MODE_JSON)
		fprintf(p->out, "\n==> %s: %s\n", onboard_step_names[i], esc(&e, ob->steps[i].detail));
	fflush(p->out);
}

/* What a step did, as the verbs mkfs, mount and check say it. */
static void applied(void *userdata, const struct onboard *ob, int i, int r)
{
	const struct presenter *p = userdata;

	if (r == 0 && i == S_MKFS)
		mkfs_report_success(p->out, &ob->mkfs, &ob->mkfs_res);
	else if (r == 0 && i == S_MOUNT)
		mount_report_success(p->out, &ob->mount, &ob->mount_res);
	else if (i == S_CHECK && ob->checks.n) {
		struct mirrorctx ctx = { .hc = ob->hc, .loaded = true };
		note_checks(&ctx, &ob->checks, ob->checks_start);
		checkrun_print(r == 0 ? p->out : stderr, &ob->checks, NULL, false);
	}
	else if (i != S_REGISTER && ob->steps[i].output)
		print_untrusted(p->out, ob->steps[i].output);   /* it quotes paths and names */
}

/* Each first sync into the history, as the sync verb does. */
static void synced(void *userdata, const struct onboard *ob, const struct profile *prof, int r,
		   const struct sync_result *res, time_t start)
{
	struct mirrorctx ctx = { .hc = ob->hc, .loaded = true };

	status_note_sync(&ctx, prof, ob->hc.mirror.root, r, res, start);
}

/* Asks before formatting (the device, or the image), before anything is written. */
static int confirm(void *userdata, const struct onboard *ob)
{
	const struct presenter *p = userdata;
	const char *what = ob->o->image ? ob->o->image : ob->device;
	_cleanup_free_ char *copy = strdup(what);

	if (!copy)
		return log_errno(-ENOMEM, "confirm");
	return confirm_device("format", what, basename(copy), ob->o->image ? ob->o->image : ob->st->device, p->yes);
}

/* Each backend instance as the register verb prints it; its errors too, but for the Ansible module. */
static void registered(void *userdata, const struct onboard *ob, const struct reg_plan *plan,
		       const struct reg_outcome *o)
{
	const struct presenter *p = userdata;

	register_print_outcome(p->out, false, ob->hc.host.name, plan, o);
	if (p->mode != MODE_QUIET)
		register_report_outcome(o);
}

static int report_failure(const struct onboard *ob, enum onboard_mode mode, int r, struct onboard_view *v)
{
	if (ob->error.message && !(v->error = strdup(ob->error.message)))
		return -ENOMEM;
	if (mode == MODE_QUIET)
		return r;
	/* the register step's instances reported their own errors */
	if (ob->failed == S_REGISTER)
		return r;
	return report_app_error(&ob->error, r);
}

static int apply(struct onboard *ob, struct presenter *p, struct onboard_view *v)
{
	const struct onboard_observer obs = { p, applying, applied, confirm, synced, registered };
	int r = onboard_apply(ob, &obs);

	if (r < 0 && ob->failed >= 0)
		return report_failure(ob, p->mode, r, v);
	if (r == 0 && ob->changed && p->mode != MODE_JSON)
		fputs("\nonboard: complete\n", p->out);
	return r;
}

static int present(struct onboard *ob, struct presenter *p, struct onboard_view *v)
{
	int r;

	if ((r = onboard_plan(ob)) < 0)
		return report_failure(ob, p->mode, r, v);
	if (p->mode != MODE_JSON)
		print_plan(ob, p->out);
	if (ob->blocked >= 0) {
		app_fail(&ob->error, APP_REFUSED, -EPERM, "blocked: %s: %s", onboard_step_names[ob->blocked],
			 ob->steps[ob->blocked].detail);
		r = report_failure(ob, p->mode, -EPERM, v);
	} else if (!ob->changes && p->mode != MODE_JSON)
		fputs("no changes\n", p->out);
	else
		r = apply(ob, p, v);
	v->doc = plan_doc(ob);
	return r;
}

int onboard_present(const struct onboard_options *o, bool yes, enum onboard_mode mode, struct onboard_view *v)
{
	struct presenter p = { mode, mode == MODE_TEXT ? stdout : stderr, yes };
	struct onboard ob;
	size_t len;
	int r;

	*v = (struct onboard_view){ 0 };
	if (mode == MODE_QUIET && !(p.out = open_memstream(&v->output, &len)))
		return log_errno(-errno, "onboard");
	if ((r = onboard_load(&ob, o)) < 0)
		r = report_failure(&ob, mode, r, v);
	else {
		/* what each project says about mirroring it */
		for (size_t i = 0; mode != MODE_QUIET && i < ob.set.n; i++)
			if (ob.set.v[i].advice)
				log_warn("%s: %s", ob.set.v[i].name, ob.set.v[i].advice);
		r = present(&ob, &p, v);
	}
	onboard_free(&ob);
	if (mode == MODE_QUIET)
		fclose(p.out);
	return r;
}

void onboard_view_free(struct onboard_view *v)
{
	if (v->doc)
		json_object_put(v->doc);
	free(v->error);
	free(v->output);
}

struct onboard_verb {
	struct common_opts c;
	struct onboard_options o;
};

static void onboard_init(void *opts)
{
	((struct onboard_verb *)opts)->o.check = (struct checkrun_opts)CHECKRUN_DEFAULTS;
}

static int opt_image_size(void *field, const char *arg, const struct opt *o)
{
	uint64_t *size = field;

	if (parse_size(arg, size) < 0 || *size < 16 * 1024 * 1024)
		return usage_error("--image-size '%s' is not a size of at least 16 MiB (e.g. 4G)", arg);
	return 0;
}

static int onboard_main(void *opts, int argc, char **argv)
{
	struct onboard_verb *v = opts;
	struct onboard_view view;
	int r;

	if (v->o.image_size && !v->o.image)
		return usage_error("--image-size needs --image");
	v->o.dry_run = v->c.dry_run;
	v->o.force = v->c.force;
	r = onboard_present(&v->o, v->c.yes, v->c.json ? MODE_JSON : MODE_TEXT, &view);
	if (v->c.json && view.doc && out_json(stdout, view.doc) < 0 && !r)
		r = -MP_EFAILED;
	onboard_view_free(&view);
	return r;
}

static const struct opt onboard_opts[] = {
	OPT_CONFIG(struct onboard_verb, o.config),
	OPT_FLAG("sync", 0, "run the first sync of each profile not synced yet", struct onboard_verb, o.sync),
	OPT_STRING("image", 0, "FILE", "rehearse on a sparse image file attached to a loop device\n"
				       "instead of storage.device (created when missing)", struct onboard_verb, o.image),
	OPT_CALL("image-size", 0, "SIZE", "size of the image when it is created (e.g. 4G)", struct onboard_verb,
		 o.image_size, opt_image_size),
	OPT_CALL("prefix", 0, "DIR", "write the fstab and configuration files under DIR instead of /\n"
				     "(as layout --prefix; no user is created)", struct onboard_verb, o.prefix, opt_abspath),
	OPT_GROUP(checkrun_options, struct onboard_verb, o.check),
	OPT_FORCE(struct onboard_verb, "format a device that holds signatures (mkfs --force)"),
	OPT_JSON(struct onboard_verb),
	OPT_END,
};

const struct verb verb_onboard = {
	.name = "onboard",
	.summary = "the whole server from one host configuration, as a plan",
	.flags = VERB_NEEDS_ROOT | VERB_DESTRUCTIVE,
	.synopsis = "mirrorprov onboard [-c HOST.conf] [-n] [-y] [-f] [--sync] [--image FILE --image-size SIZE]\n"
		    "                   [--prefix DIR] [check options] [-J]",
	.options = onboard_opts,
	.help_tail = "\nSteps: device, geometry, mkfs, mount, layout, sync, check, register; each is done\n"
		     "(already true), change (what it will do) or blocked (why not; nothing is written).\n",
	.opts_size = sizeof(struct onboard_verb),
	.init = onboard_init,
	.run = onboard_main,
};
