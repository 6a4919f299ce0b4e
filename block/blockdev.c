#include "blockdev.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/strv.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref)

/* Junk optimal transfer lengths seen from USB bridges and some arrays. */
#define IO_OPT_JUNK 33553920ULL  /* 0xFFFF * 512: libfdisk blacklists it */
#define IO_OPT_TOO_LARGE (16ULL << 20)

enum io_hints_verdict io_hints_classify(uint64_t io_min, uint64_t io_opt, unsigned physical_sector)
{
	if (io_opt == 0)
		return IO_HINTS_NONE;
	if (io_opt == IO_OPT_JUNK || io_opt >= IO_OPT_TOO_LARGE)
		return IO_HINTS_BOGUS;
	if (io_min == 0 || io_opt < io_min || io_opt % io_min)
		return IO_HINTS_INCONSISTENT;
	if (physical_sector && io_min % physical_sector)
		return IO_HINTS_INCONSISTENT;
	return IO_HINTS_REPORTED;
}

uint64_t io_hints_chunk(uint64_t io_min, unsigned physical_sector)
{
	if (io_min <= 4096 || io_min <= physical_sector || io_min % 4096 || io_min >= IO_OPT_TOO_LARGE)
		return 0;
	return io_min;
}

const char *io_hints_verdict_to_string(enum io_hints_verdict v)
{
	switch (v) {
	case IO_HINTS_REPORTED: return "reported";
	case IO_HINTS_BOGUS: return "bogus";
	case IO_HINTS_INCONSISTENT: return "inconsistent";
	default: return "none";
	}
}

int sysfs_list_dir(const char *syspath, const char *sub, char ***ret)
{
	_cleanup_strvec_ struct strvec v = { 0 };
	_cleanup_free_ char *path = NULL;
	DIR *d;
	struct dirent *de;

	if (asprintf(&path, "%s/%s", syspath, sub) < 0)
		return -ENOMEM;
	d = opendir(path);
	if (d) {
		while ((de = readdir(d)))
			if (de->d_name[0] != '.' && strvec_push(&v, de->d_name) < 0)
				break;
		closedir(d);
	}
	return strvec_steal(&v, true, ret);
}

int sysfs_parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	/* strtoull() would also take blanks and a sign, and turn "-1" into 2^64-1 */
	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end && *end != '\n' && *end != ' ')
		return -EINVAL;
	*ret = v;
	return 0;
}

uint64_t udev_attr_u64(struct udev_device *d, const char *attr)
{
	uint64_t v;

	return sysfs_parse_u64(udev_device_get_sysattr_value(d, attr), &v) < 0 ? 0 : v;
}

static char *dup_trim(const char *s)
{
	if (!s)
		return NULL;
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		n--;
	return n ? strndup(s, n) : NULL;
}

char *udev_attr_str(struct udev_device *d, const char *attr)
{
	return dup_trim(udev_device_get_sysattr_value(d, attr));
}

void blockdev_free(struct blockdev *b)
{
	free(b->name);
	free(b->devnode);
	free(b->syspath);
	free(b->disk_name);
	free(b->wwid);
	free(b->vendor);
	free(b->model);
	free(b->rev);
	free(b->dm_name);
	free(b->dm_uuid);
	strv_freep(&b->holders);
	strv_freep(&b->slaves);
	strv_freep(&b->partitions);
	memset(b, 0, sizeof(*b));
}

/* Partitions are the children of the disk whose names start with the disk's name
 * and have a "partition" attribute (umockdev also shows them in /sys/block). */
static int list_partitions(struct udev_device *d, char ***ret)
{
	char **all = NULL, **v;
	size_t n = 0;
	const char *syspath = udev_device_get_syspath(d);
	int r = sysfs_list_dir(syspath, "", &all);

	if (r < 0)
		return r;
	v = all;
	for (char **s = all; *s; s++) {
		_cleanup_free_ char *p = NULL;
		struct stat st;
		if (asprintf(&p, "%s/%s/partition", syspath, *s) < 0) {
			strv_freep(&all);
			return -ENOMEM;
		}
		if (stat(p, &st) == 0)
			v[n++] = *s;
		else
			free(*s);
	}
	v[n] = NULL;
	*ret = v;
	return 0;
}

int blockdev_from_udev(struct udev_device *d, struct blockdev *b)
{
	struct udev_device *disk = d, *scsi;
	const char *s, *type;
	int r;

	memset(b, 0, sizeof(*b));
	b->scsi_type = -1;
	if (!udev_device_get_subsystem(d) || strcmp(udev_device_get_subsystem(d), "block") != 0)
		return -ENOTBLK;
	b->name = strdup(udev_device_get_sysname(d));
	b->syspath = strdup(udev_device_get_syspath(d));
	s = udev_device_get_devnode(d);
	if (s && *s != '/') {
		if (asprintf(&b->devnode, "/dev/%s", s) < 0)
			b->devnode = NULL;
	} else
		b->devnode = s ? strdup(s) : NULL;
	if (!b->devnode && asprintf(&b->devnode, "/dev/%s", b->name) < 0)
		b->devnode = NULL;
	b->devnum = udev_device_get_devnum(d);
	type = udev_device_get_devtype(d);
	b->is_partition = type && strcmp(type, "partition") == 0;
	b->disk_devnum = b->devnum;
	if (b->is_partition) {
		disk = udev_device_get_parent_with_subsystem_devtype(d, "block", "disk");
		b->disk_name = strdup(disk ? udev_device_get_sysname(disk) : b->name);
		if (disk)
			b->disk_devnum = udev_device_get_devnum(disk);
		else
			disk = d;
		uint64_t start = udev_attr_u64(d, "start");
		b->start_bytes = start <= UINT64_MAX / 512 ? start * 512 : 0;
	} else
		b->disk_name = strdup(b->name);
	if (!b->name || !b->syspath || !b->devnode || !b->disk_name)
		goto oom;

	uint64_t sectors = udev_attr_u64(d, "size");
	b->size_bytes = sectors <= UINT64_MAX / 512 ? sectors * 512 : 0;
	/* Queue limits belong to the whole disk. */
	b->logical_sector = (unsigned)udev_attr_u64(disk, "queue/logical_block_size");
	b->physical_sector = (unsigned)udev_attr_u64(disk, "queue/physical_block_size");
	b->io_min = udev_attr_u64(disk, "queue/minimum_io_size");
	b->io_opt = udev_attr_u64(disk, "queue/optimal_io_size");
	b->alignment_offset = udev_attr_u64(d, "alignment_offset");

	scsi = udev_device_get_parent_with_subsystem_devtype(disk, "scsi", "scsi_device");
	if (scsi) {
		const char *t = udev_device_get_sysattr_value(scsi, "type");
		uint64_t type;
		b->scsi_type = sysfs_parse_u64(t, &type) == 0 && type <= 0x1f ? (int)type : -1;
		b->vendor = dup_trim(udev_device_get_sysattr_value(scsi, "vendor"));
		b->model = dup_trim(udev_device_get_sysattr_value(scsi, "model"));
		b->rev = dup_trim(udev_device_get_sysattr_value(scsi, "rev"));
		b->wwid = dup_trim(udev_device_get_sysattr_value(scsi, "wwid"));
	}
	if (!b->wwid) {
		s = udev_device_get_property_value(disk, "ID_WWN_WITH_EXTENSION");
		if (!s)
			s = udev_device_get_property_value(disk, "ID_WWN");
		b->wwid = dup_trim(s);
	}
	b->dm_name = dup_trim(udev_device_get_sysattr_value(d, "dm/name"));
	b->dm_uuid = dup_trim(udev_device_get_sysattr_value(d, "dm/uuid"));

	if ((r = sysfs_list_dir(b->syspath, "holders", &b->holders)) < 0 ||
	    (r = sysfs_list_dir(b->syspath, "slaves", &b->slaves)) < 0)
		goto fail;
	if (b->is_partition) {
		if (!(b->partitions = calloc(1, sizeof(char *))))
			goto oom;
	} else if ((r = list_partitions(d, &b->partitions)) < 0)
		goto fail;
	return 0;
oom:
	r = -ENOMEM;
fail:
	blockdev_free(b);
	return r;
}

int blockdev_from_devnum(struct udev *udev, dev_t devnum, struct blockdev *ret)
{
	_cleanup_(udev_device_unrefp) struct udev_device *d = udev_device_new_from_devnum(udev, 'b', devnum);

	if (!d)
		return errno ? -errno : -ENODEV;
	return blockdev_from_udev(d, ret);
}

int blockdev_from_path(struct udev *udev, const char *path, struct blockdev *ret)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return negative_errno();
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	return blockdev_from_devnum(udev, st.st_rdev, ret);
}

static int stack_add(dev_t *out, size_t max, size_t *n, dev_t dev)
{
	for (size_t i = 0; i < *n && i < max; i++)
		if (out[i] == dev)
			return 0;
	if (*n < max)
		out[*n] = dev;
	(*n)++;
	return 1;
}

static int stack_walk(struct udev *udev, dev_t devnum, dev_t *out, size_t max, size_t *n, unsigned depth)
{
	struct blockdev b;
	int r;

	if (depth > 16)
		return -ELOOP;   /* holder chains are short; a cycle is hostile */
	if (!stack_add(out, max, n, devnum))
		return 0;
	r = blockdev_from_devnum(udev, devnum, &b);
	if (r < 0)
		return r;
	for (int pass = 0; pass < 2 && r >= 0; pass++)
		for (char **s = pass ? b.holders : b.partitions; *s && r >= 0; s++) {
			_cleanup_(udev_device_unrefp) struct udev_device *c =
				udev_device_new_from_subsystem_sysname(udev, "block", *s);
			if (c)
				r = stack_walk(udev, udev_device_get_devnum(c), out, max, n, depth + 1);
		}
	blockdev_free(&b);
	return r;
}

int blockdev_stack(struct udev *udev, dev_t devnum, dev_t *out, size_t max)
{
	size_t n = 0;
	int r = stack_walk(udev, devnum, out, max, &n, 0);

	return r < 0 ? r : (int)n;
}

bool devnum_in(const dev_t *devs, size_t n, dev_t d)
{
	for (size_t i = 0; i < n; i++)
		if (devs[i] == d)
			return true;
	return false;
}

void loop_users_free(struct loop_user *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].backing_file);
	free(v);
}

/* What loop device NAME reads: its backing node's rdev and its inode's st_dev.
 * -ENXIO when it is not bound (or went away). */
static int loop_backing(const char *name, const char *backing_file, dev_t *rdev, dev_t *fsdev)
{
	_cleanup_free_ char *node = NULL, *devattr = NULL, *attr = NULL;
	struct loop_info64 li;
	struct stat st;
	unsigned ma, mi;

	if (asprintf(&node, "/dev/%s", name) < 0 || asprintf(&attr, "/sys/block/%s/dev", name) < 0)
		return -ENOMEM;
	/* the node must be the loop device sysfs names: /dev may hold anything */
	if (read_attr(attr, &devattr) == 0 && sscanf(devattr, "%u:%u", &ma, &mi) == 2) {
		_cleanup_close_ int fd = open(node, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == makedev(ma, mi)) {
			if (ioctl(fd, LOOP_GET_STATUS64, &li) == 0) {
				*rdev = (dev_t)li.lo_rdevice;
				*fsdev = (dev_t)li.lo_device;
				return 0;
			}
			if (errno == ENXIO)
				return -ENXIO;
		}
	}
	/* not root: the path the kernel reports, as it is now */
	if (!backing_file || stat(backing_file, &st) < 0)
		return -ENXIO;
	*rdev = S_ISBLK(st.st_mode) ? st.st_rdev : 0;
	*fsdev = st.st_dev;
	return 0;
}

int loop_users_find(const dev_t *devs, size_t n, struct loop_user **ret, size_t *nret)
{
	_cleanup_strv_free_ char **names = NULL;
	struct loop_user *v = NULL;
	size_t k = 0;
	int r;

	*ret = NULL;
	*nret = 0;
	if ((r = sysfs_list_dir("/sys", "block", &names)) < 0)
		return r;
	for (char **s = names; *s; s++) {
		_cleanup_free_ char *fpath = NULL, *opath = NULL, *spath = NULL, *file = NULL, *off = NULL, *lim = NULL;
		dev_t rdev = 0, fsdev = 0;
		uint64_t offset = 0, sizelimit = 0;
		if (strncmp(*s, "loop", 4) != 0 || strlen(*s) >= sizeof(v->name))
			continue;
		if (asprintf(&fpath, "/sys/block/%s/loop/backing_file", *s) < 0 ||
		    asprintf(&opath, "/sys/block/%s/loop/offset", *s) < 0 ||
		    asprintf(&spath, "/sys/block/%s/loop/sizelimit", *s) < 0)
			goto oom;
		/* an unbound loop device has no loop/ directory */
		if (read_attr(fpath, &file) < 0 && access(opath, F_OK) < 0)
			continue;
		if (read_attr(opath, &off) == 0)
			(void)sysfs_parse_u64(off, &offset);
		if (read_attr(spath, &lim) == 0)
			(void)sysfs_parse_u64(lim, &sizelimit);
		if ((r = loop_backing(*s, file, &rdev, &fsdev)) == -ENOMEM)
			goto fail;
		if (r < 0 || !(devnum_in(devs, n, rdev) || devnum_in(devs, n, fsdev)))
			continue;
		struct loop_user *nv = realloc(v, (k + 1) * sizeof(*v));
		if (!nv)
			goto oom;
		v = nv;
		v[k] = (struct loop_user){ .via_file = !devnum_in(devs, n, rdev), .offset = offset,
					   .sizelimit = sizelimit, .backing_file = TAKE_PTR(file) };
		v[k].via = v[k].via_file ? fsdev : rdev;
		snprintf(v[k].name, sizeof(v[k].name), "%s", *s);
		k++;
	}
	*ret = v;
	*nret = k;
	return 0;
oom:
	r = -ENOMEM;
fail:
	loop_users_free(v, k);
	return r;
}

/* The first fd of /proc/PID that is one of devs: 1 and *which, 0 none,
 * -EACCES when (some of) its fds cannot be read, -ENOENT when it is gone. */
static int process_holds(int procfd, const char *pid, const dev_t *devs, size_t n, dev_t *which)
{
	_cleanup_free_ char *path = NULL;
	struct dirent *de;
	struct stat st;
	int dfd, r = 0;
	DIR *d;

	if (asprintf(&path, "%s/fd", pid) < 0)
		return -ENOMEM;
	if ((dfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno == EACCES || errno == EPERM ? -EACCES : -ENOENT;
	if (!(d = fdopendir(dfd))) {
		r = errno == ENOMEM ? -ENOMEM : -ENOENT;
		close(dfd);
		return r;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		/* follows the link to the open file itself; closed meanwhile = skipped */
		if (fstatat(dfd, de->d_name, &st, 0) < 0) {
			if (errno == EACCES || errno == EPERM)
				r = -EACCES;
			continue;
		}
		if (S_ISBLK(st.st_mode) && devnum_in(devs, n, st.st_rdev)) {
			*which = st.st_rdev;
			r = 1;
			break;
		}
	}
	closedir(d);
	return r;
}

int device_openers_find(const dev_t *devs, size_t n, pid_t skip, struct device_opener **ret, size_t *nret,
			unsigned *unreadable)
{
	_cleanup_close_ int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct device_opener *v = NULL;
	struct dirent *de;
	size_t k = 0;
	DIR *d;

	*ret = NULL;
	*nret = 0;
	*unreadable = 0;
	if (procfd < 0 || !(d = opendir("/proc")))
		return negative_errno();
	while ((de = readdir(d))) {
		_cleanup_free_ char *commpath = NULL, *comm = NULL;
		char *end;
		dev_t which;
		long pid = strtol(de->d_name, &end, 10);
		int r;
		if (*end || pid <= 0 || pid == skip)
			continue;
		r = process_holds(procfd, de->d_name, devs, n, &which);
		if (r == -EACCES)
			(*unreadable)++;
		if (r == -ENOMEM)
			goto oom;
		if (r <= 0)
			continue;
		struct device_opener *nv = realloc(v, (k + 1) * sizeof(*v));
		if (!nv || asprintf(&commpath, "/proc/%ld/comm", pid) < 0) {
			if (nv)
				v = nv;
			goto oom;
		}
		v = nv;
		v[k] = (struct device_opener){ .pid = (pid_t)pid, .devnum = which };
		snprintf(v[k].comm, sizeof(v[k].comm), "%s", read_attr(commpath, &comm) == 0 ? comm : "?");
		k++;
	}
	closedir(d);
	*ret = v;
	*nret = k;
	return 0;
oom:
	closedir(d);
	free(v);
	return -ENOMEM;
}

const char *blockdev_wwid(const struct blockdev *b)
{
	if (b->wwid)
		return b->wwid;
	if (b->dm_uuid && strncmp(b->dm_uuid, "mpath-", 6) == 0)
		return b->dm_uuid + 6;
	return NULL;
}

static int dm_attr(const char *kname, const char *attr, char **ret)
{
	_cleanup_free_ char *p = NULL;

	if (asprintf(&p, "/sys/class/block/%s/dm/%s", kname, attr) < 0)
		return -ENOMEM;
	return read_attr(p, ret);
}

int blockdev_multipath_map(const struct blockdev *b, char **ret_kname, char **ret_name)
{
	for (char **h = b->holders; *h; h++) {
		_cleanup_free_ char *uuid = NULL, *name = NULL;
		int r = dm_attr(*h, "uuid", &uuid);
		if (r == -ENOMEM)
			return r;
		if (r < 0 || strncmp(uuid, "mpath-", 6) != 0)
			continue;
		if (ret_name) {
			if ((r = dm_attr(*h, "name", &name)) == -ENOMEM || (r < 0 && !(name = strdup(*h))))
				return -ENOMEM;
			*ret_name = TAKE_PTR(name);
		}
		if (ret_kname && !(*ret_kname = strdup(*h))) {
			if (ret_name)
				free(TAKE_PTR(*ret_name));
			return -ENOMEM;
		}
		return 1;
	}
	return 0;
}
