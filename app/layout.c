#include "layout.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "lib/macro.h"

/* Not the mirror root: ftpsync keeps its configuration and logs in $HOME, which must not be served. */
#define MIRROR_USER_HOME "/var/lib/mirrorprov"

#ifndef MIRRORPROV_BINARY
#define MIRRORPROV_BINARY "/usr/local/sbin/mirrorprov"
#endif

void layout_conf_init(struct layout_conf *lc, const struct hostconf *hc, const char *root, const char *prefix,
		      const char *binary)
{
	*lc = (struct layout_conf){
		.root = root,
		.user = hc && hc->has_mirror ? hc->mirror.user : HOSTCONF_DEFAULT_USER,
		.host_name = hc && hc->has_host ? hc->host.name : NULL,
		.tls_certificate = hc && hc->has_mirror ? hc->mirror.tls_certificate : NULL,
		.tls_key = hc && hc->has_mirror ? hc->mirror.tls_key : NULL,
		.max_connections = hc && hc->has_host ? hc->host.max_connections : 0,
		.hostconf_path = hc ? hc->path : NULL,
		.mirrorprov = binary ? binary : MIRRORPROV_BINARY,
		.prefix = prefix,
		.status_path = hc && hc->has_mirror ? hc->mirror.status_path : NULL,
	};
}

int layout_tree_owner(const char *user, const char *prefix, bool dry_run, uid_t *uid, gid_t *gid, bool *would_create,
		      enum tree_owner_step *failed)
{
	int r;

	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	*would_create = false;
	*failed = OWNER_LOOKUP;
	if (prefix)
		return 0;
	r = layout_user_lookup(user, uid, gid);
	if (r == -ENOENT && dry_run) {
		*would_create = true;
		return 0;
	}
	if (r == -ENOENT) {
		*failed = OWNER_CREATE;
		if ((r = layout_user_create(user, MIRROR_USER_HOME)) < 0)
			return r;
		*failed = OWNER_LOOKUP;
		r = layout_user_lookup(user, uid, gid);
	}
	return r;
}

/* Free bytes of the filesystem holding path (or its nearest existing parent). */
int layout_free_space(const char *path, uint64_t *ret)
{
	_cleanup_free_ char *p = strdup(path);
	struct statvfs sv;

	if (!p)
		return -ENOMEM;
	while (statvfs(p, &sv) < 0) {
		char *slash = strrchr(p, '/');
		if (errno != ENOENT || !slash)
			return -errno;
		if (slash == p) {
			p[1] = '\0';
		} else
			*slash = '\0';
	}
	*ret = (uint64_t)sv.f_bavail * sv.f_frsize;
	return 0;
}

int layout_config_absolute(struct hostconf *hc)
{
	char *abs;

	if (!hc->path || hc->path[0] == '/')
		return 0;
	if (!(abs = realpath(hc->path, NULL)))
		return -errno;
	free(hc->path);
	hc->path = abs;
	return 0;
}
