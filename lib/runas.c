#include "runas.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "macro.h"

int run_as_lookup(const char *name, struct run_as *ret)
{
	struct passwd pw, *res = NULL;
	char buf[16384];
	int n = 32;

	*ret = (struct run_as){ 0 };
	int r = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (r != 0)
		return -r;
	if (!res)
		return -ESRCH;
	ret->uid = pw.pw_uid;
	ret->gid = pw.pw_gid;
	ret->name = strdup(pw.pw_name);
	ret->home = strdup(pw.pw_dir);
	if (!ret->name || !ret->home)
		goto nomem;
	for (;;) {
		gid_t *g = realloc(ret->groups, (size_t)n * sizeof(gid_t));
		if (!g)
			goto nomem;
		ret->groups = g;
		int want = n;
		if (getgrouplist(pw.pw_name, pw.pw_gid, g, &want) >= 0) {
			ret->ngroups = (size_t)want;
			return 0;
		}
		if (want <= n || want > 65536)
			goto nomem;
		n = want;
	}
nomem:
	run_as_free(ret);
	return -ENOMEM;
}

int run_as_unprivileged(const char *name, struct run_as *ret)
{
	*ret = (struct run_as){ 0 };
	if (geteuid() != 0)
		return 0;
	int r = run_as_lookup(name, ret);
	if (r < 0)
		return r;
	if (ret->uid == 0) {
		run_as_free(ret);
		return -EPERM;
	}
	return 1;
}

void run_as_free(struct run_as *u)
{
	free(u->name);
	free(u->home);
	free(u->groups);
	*u = (struct run_as){ 0 };
}

/* Raw system calls: glibc's wrappers synchronise all threads (setxid), which
 * is neither needed nor safe in a forked child. */
int run_as_drop(const struct run_as *u)
{
	if (syscall(SYS_setgroups, u->ngroups, u->groups) < 0 ||
	    syscall(SYS_setresgid, u->gid, u->gid, u->gid) < 0 ||
	    syscall(SYS_setresuid, u->uid, u->uid, u->uid) < 0)
		return negative_errno();
	/* A uid that can still become root again is no drop at all. */
	if (u->uid != 0 && syscall(SYS_setresuid, 0, 0, 0) == 0)
		return -EPERM;
	return 0;
}

int run_as_enter(const struct run_as *u, struct run_as_saved *s)
{
	*s = (struct run_as_saved){ .euid = geteuid(), .egid = getegid() };
	int n = getgroups(0, NULL);
	if (n < 0)
		return negative_errno();
	s->groups = calloc((size_t)n + 1, sizeof(gid_t));
	if (!s->groups)
		return -ENOMEM;
	s->ngroups = getgroups(n, s->groups);
	if (s->ngroups < 0 || setgroups(u->ngroups, u->groups) < 0) {
		int r = negative_errno();
		free(s->groups);
		return r;
	}
	if (setegid(u->gid) < 0 || seteuid(u->uid) < 0) {
		int r = negative_errno();
		/* euid is still ours here, so this succeeds; if not, we stay less privileged */
		if (setegid(s->egid) == 0)
			(void)setgroups((size_t)s->ngroups, s->groups);
		free(s->groups);
		return r;
	}
	s->active = true;
	return 0;
}

void run_as_leave(struct run_as_saved *s)
{
	if (!s->active)
		return;
	/* Failing to regain root is harmless (we stay unprivileged), but say nothing and go on. */
	if (seteuid(s->euid) == 0 && setegid(s->egid) == 0)
		(void)setgroups((size_t)s->ngroups, s->groups);
	free(s->groups);
	*s = (struct run_as_saved){ 0 };
}
