#include "device.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/macro.h"
#include "raid/lun.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev *, udev_unref)

static bool is_blockdev(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISBLK(st.st_mode);
}

int fs_resolve_device(const char *arg, char **ret_path)
{
	_cleanup_(udev_unrefp) struct udev *udev = NULL;
	struct san san;
	const struct lun *l;
	int r;

	if (!*arg)
		return -EINVAL;
	if (strchr(arg, '/'))
		return (*ret_path = strdup(arg)) ? 0 : -ENOMEM;
	if (!wwid_like(arg)) {
		if (asprintf(ret_path, "/dev/%s", arg) < 0)
			return -ENOMEM;
		if (is_blockdev(*ret_path))
			return 0;
		free(*ret_path);
		*ret_path = NULL;
		return -ENODEV;
	}
	if (!(udev = udev_new()))
		return -ENOMEM;
	r = lun_find_by_wwid(udev, arg, &san, &l);
	if (r == 0) {
		/* the kernel node (/dev/dm-0): it exists whether or not udev made the /dev/mapper link */
		*ret_path = strdup(l->devnode);
		r = *ret_path ? 0 : -ENOMEM;
	}
	san_free(&san);
	return r == -ENOENT || r == -EINVAL ? -ENODEV : r;
}
