#include "layout.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/spawn.h"
#include "lib/strv.h"

#define MAX_CONFIG_BYTES (4u << 20)

const char *layout_action_name(enum layout_action a)
{
	static const char *const names[] = { [LA_UNCHANGED] = "unchanged", [LA_CREATE] = "create",
					     [LA_UPDATE] = "update" };
	return names[a];
}

void layout_plan_free(struct layout_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->v[i].path);
		free(plan->v[i].content);
	}
	free(plan->v);
	*plan = (struct layout_plan){ 0 };
}

static enum layout_action file_action(const char *path, const char *content)
{
	_cleanup_free_ char *old = NULL;
	size_t len;

	if (access(path, F_OK) < 0)
		return LA_CREATE;
	if (read_file_bounded(path, MAX_CONFIG_BYTES, &old, &len) < 0)
		return LA_UPDATE;
	return len == strlen(content) && memcmp(old, content, len) == 0 ? LA_UNCHANGED : LA_UPDATE;
}

static enum layout_action link_action(const char *path, const char *target)
{
	char buf[4096];
	struct stat st;
	ssize_t n;

	if (lstat(path, &st) < 0)
		return LA_CREATE;
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return LA_UPDATE;
	buf[n] = '\0';
	return strcmp(buf, target) == 0 ? LA_UNCHANGED : LA_UPDATE;
}

static enum layout_action dir_action(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? LA_UNCHANGED : LA_CREATE;
}

/* Adds an item; takes ownership of path and content (also on failure). */
static int add_item(struct layout_plan *plan, enum layout_kind kind, char *path, char *content, mode_t mode)
{
	struct layout_item *v = realloc(plan->v, (plan->n + 1) * sizeof(*v));
	if (!v || !path || (kind != LK_DIR && !content)) {
		if (v)
			plan->v = v;
		free(path);
		free(content);
		return -ENOMEM;
	}
	plan->v = v;
	struct layout_item *it = &v[plan->n++];
	*it = (struct layout_item){ .kind = kind, .path = path, .content = content, .mode = mode };
	it->action = kind == LK_DIR ? dir_action(path) : kind == LK_FILE ? file_action(path, content)
									: link_action(path, content);
	if (it->action != LA_UNCHANGED)
		plan->changes++;
	return 0;
}

static char *prefixed(const struct layout_conf *lc, const char *path)
{
	char *s;
	const char *pre = lc->prefix ? lc->prefix : "";
	size_t n = strlen(pre);

	while (n && pre[n - 1] == '/')
		n--;
	return asprintf(&s, "%.*s%s", (int)n, pre, path) < 0 ? NULL : s;
}

typedef int (*render_set_fn)(const struct layout_conf *, const struct profile_set *, char **);
typedef int (*render_one_fn)(const struct layout_conf *, const struct profile *, char **);

static int add_rendered(struct layout_plan *plan, const struct layout_conf *lc, const char *path, int r,
			char *text, bool backup)
{
	if (r < 0)
		return r;
	r = add_item(plan, LK_FILE, prefixed(lc, path), text, 0644);
	if (r == 0)
		plan->v[plan->n - 1].backup = backup;
	return r;
}

static int add_unit(struct layout_plan *plan, const struct layout_conf *lc, const struct profile *p,
		    render_one_fn render, const char *suffix, const char *dropin)
{
	_cleanup_free_ char *name = sync_unit_name(p), *path = NULL;
	char *text = NULL;

	if (!name || asprintf(&path, UNIT_DIR "/%s.%s.d/%s", name, suffix, dropin) < 0)
		return -ENOMEM;
	int r = render(lc, p, &text);
	return add_rendered(plan, lc, path, r, text, false);
}

int layout_plan_build(const struct layout_conf *lc, const struct profile_set *set, struct layout_plan *plan)
{
	static const struct {
		const char *path;
		render_set_fn render;
		bool backup;
	} files[] = {
		{ RSYNCD_CONF_PATH, render_rsyncd_conf, true },
		{ RSYNCD_MOTD_PATH, render_rsyncd_motd, false },
		{ NGINX_SITE_PATH, render_nginx_site, false },
	};
	int r = 0;

	*plan = (struct layout_plan){ 0 };
	for (size_t i = 0; i < set->n && r == 0; i++) {
		char *dir;
		plan->total_size += set->v[i].size;
		if (asprintf(&dir, "%s/%s", lc->root, set->v[i].directory) < 0)
			dir = NULL;
		r = add_item(plan, LK_DIR, dir, NULL, 0755);
		if (r == 0)
			plan->v[plan->n - 1].tree = true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(files) && r == 0; i++) {
		char *text = NULL;
		r = files[i].render(lc, set, &text);
		r = add_rendered(plan, lc, files[i].path, r, text, files[i].backup);
	}
	if (r == 0)
		r = add_item(plan, LK_SYMLINK, prefixed(lc, NGINX_ENABLED_PATH), strdup("../sites-available/mirrorprov"),
			     0777);
	for (size_t i = 0; i < set->n && r == 0; i++) {
		r = add_unit(plan, lc, &set->v[i], render_sync_service, "service", SYNC_SERVICE_DROPIN);
		if (r == 0)
			r = add_unit(plan, lc, &set->v[i], render_sync_timer, "timer", SYNC_TIMER_DROPIN);
	}
	if (r < 0)
		layout_plan_free(plan);
	return r;
}

static int mkdir_parent(const char *path)
{
	_cleanup_free_ char *copy = strdup(path);
	return copy ? mkdir_p(dirname(copy), 0755) : -ENOMEM;
}

static int replace_symlink(const char *path, const char *target)
{
	_cleanup_free_ char *tmp = NULL;

	if (asprintf(&tmp, "%s.mirrorprov-new", path) < 0)
		return -ENOMEM;
	(void)unlink(tmp);
	if (symlink(target, tmp) < 0)
		return negative_errno();
	if (rename(tmp, path) < 0) {
		int r = negative_errno();
		(void)unlink(tmp);
		return r;
	}
	return 0;
}

static int apply_item(const struct layout_item *it, uid_t uid, gid_t gid)
{
	int r;

	if (it->action == LA_UNCHANGED)
		return 0;
	switch (it->kind) {
	case LK_DIR:
		r = mkdir_p(it->path, it->mode);
		if (r == 0 && it->tree && uid != (uid_t)-1) {
			/* the directory itself, never what a link put in its place leads to
			 * (whoever may write to the mirror root could plant one) */
			_cleanup_close_ int fd = open(it->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0 || fchown(fd, uid, gid) < 0)
				r = negative_errno();
		}
		return r;
	case LK_FILE:
		r = mkdir_parent(it->path);
		return r < 0 ? r : write_file_atomic(it->path, it->content, strlen(it->content), it->mode, it->backup);
	case LK_SYMLINK:
		r = mkdir_parent(it->path);
		return r < 0 ? r : replace_symlink(it->path, it->content);
	}
	return -EINVAL;
}

int layout_plan_apply(const struct layout_plan *plan, uid_t uid, gid_t gid, const char **failed)
{
	for (size_t i = 0; i < plan->n; i++) {
		int r = apply_item(&plan->v[i], uid, gid);
		if (r < 0) {
			*failed = plan->v[i].path;
			return r;
		}
	}
	return 0;
}

int layout_item_diff(const struct layout_item *it, char **ret)
{
	char tmp[] = "/tmp/mirrorprov-diff-XXXXXX";
	struct spawn_result res = { 0 };
	int r;

	if (it->action == LA_UNCHANGED)
		return (*ret = strdup("")) ? 0 : -ENOMEM;
	if (it->kind == LK_DIR)
		return asprintf(ret, "mkdir %s\n", it->path) < 0 ? -ENOMEM : 0;
	if (it->kind == LK_SYMLINK)
		return asprintf(ret, "ln -sf %s %s\n", it->content, it->path) < 0 ? -ENOMEM : 0;

	_cleanup_close_ int fd = mkstemp(tmp);
	if (fd < 0)
		return negative_errno();
	size_t len = strlen(it->content);
	r = write(fd, it->content, len) == (ssize_t)len ? 0 : -EIO;
	if (r == 0) {
		char *argv[] = { "diff", "-u", "--label", it->path, "--label", it->path,
				 it->action == LA_CREATE ? "/dev/null" : it->path, tmp, NULL };
		struct spawn_opts opts = { .capture_stdout = 1, .capture_stderr = 1 };
		r = spawn_run(argv, &opts, &res);
		if (r == 0 && res.exit_code > 1)
			r = -EIO;
		if (r == 0) {
			*ret = res.out ? TAKE_PTR(res.out) : strdup("");
			r = *ret ? 0 : -ENOMEM;
		}
		spawn_result_free(&res);
	}
	(void)unlink(tmp);
	return r;
}

int layout_user_lookup(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int r = getpwnam_r(user, &pw, buf, sizeof(buf), &res);

	if (r != 0)
		return -r;
	if (!res)
		return -ENOENT;
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	return 0;
}

int layout_user_create(const char *user, const char *home)
{
	char *argv[] = { "useradd", "--system", "--user-group", "--home-dir", (char *)home, "--create-home",
			 "--shell", "/usr/sbin/nologin", "--comment", "mirror content (mirrorprov)", (char *)user, NULL };
	struct spawn_opts opts = { .capture_stdout = 1, .capture_stderr = 1 };
	struct spawn_result res;
	int r = spawn_run(argv, &opts, &res);

	if (r < 0)
		return r;
	r = res.exit_code == 0 ? 0 : -EIO;
	spawn_result_free(&res);
	return r;
}

int layout_timers_argv(const struct profile_set *set, const char *verb, char ***ret)
{
	_cleanup_strvec_ struct strvec v = { 0 };

	strvec_push(&v, "systemctl");
	strvec_push(&v, verb);
	for (size_t i = 0; i < set->n; i++)
		strvec_push_take(&v, sync_timer_name(&set->v[i]));
	return strvec_steal(&v, false, ret);
}

/* Runs argv; a failure is -EIO with the last line of its stderr (systemctl
 * reports what it did first, the error last) in *error. */
static int run_systemctl(char *const *argv, char **error)
{
	struct spawn_opts opts = { .capture_stdout = 1, .capture_stderr = 1, .timeout_sec = 120 };
	struct spawn_result res = { 0 };
	int r = spawn_run(argv, &opts, &res);

	if (r == 0 && res.exit_code != 0) {
		char *e = res.err ? res.err : "";
		size_t len = strlen(e);
		while (len && e[len - 1] == '\n')
			e[--len] = '\0';
		char *nl = strrchr(e, '\n');
		r = -EIO;
		if (asprintf(error, "systemctl %s: %s", argv[1], nl ? nl + 1 : *e ? e : "failed") < 0)
			*error = NULL;
	}
	spawn_result_free(&res);
	return r;
}

int layout_enable(const struct profile_set *set, char **error)
{
	char *reload[] = { "systemctl", "daemon-reload", NULL };
	_cleanup_strv_free_ char **enable = NULL, **start = NULL;
	int r;

	*error = NULL;
	if ((r = layout_timers_argv(set, "enable", &enable)) < 0 || (r = layout_timers_argv(set, "start", &start)) < 0)
		return r;
	if ((r = run_systemctl(reload, error)) < 0 || (r = run_systemctl(enable, error)) < 0)
		return r;
	return run_systemctl(start, error);
}
