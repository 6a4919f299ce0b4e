#include "safety.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "fs/device.h"
#include "lib/fileio.h"
#include "lib/mountinfo.h"
#include "block/blank.h"
#include "block/signatures.h"
#include "lib/size.h"

/* Kernel name of a device number ("loop0p1"), or "M:m" when sysfs does not know it. */
static void devnum_name(dev_t d, char *buf, size_t len)
{
	char link[64], target[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(d), minor(d));
	n = readlink(link, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		const char *base = strrchr(target, '/');
		snprintf(buf, len, "%.63s", base ? base + 1 : target);
	} else
		snprintf(buf, len, "%u:%u", major(d), minor(d));
}

/* The mount table and the active swap areas, read once per gate. */
struct in_use {
	int err;                    /* either could not be read: everything counts as in use */
	struct mount_table mounts;
	dev_t swaps[64];            /* a swap file counts as its filesystem's device */
	char *swap_paths[64];
	size_t nswaps;
};

static void in_use_free(struct in_use *u)
{
	mount_table_free(&u->mounts);
	for (size_t i = 0; i < u->nswaps; i++)
		free(u->swap_paths[i]);
	memset(u, 0, sizeof(*u));
}

static int in_use_load(struct in_use *u)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	int r;

	memset(u, 0, sizeof(*u));
	if ((r = mountinfo_load(&u->mounts)) < 0 || (r = read_file_bounded("/proc/swaps", 1 << 20, &text, NULL)) < 0) {
		u->err = r;
		return r == -ENOMEM ? r : 0;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strpbrk(line, " \t");
		struct stat st;
		if (line[0] != '/' || !sp || u->nswaps >= ARRAY_SIZE(u->swaps))
			continue;
		*sp = '\0';
		unescape_octal(line);
		if (stat(line, &st) < 0)
			continue;
		if (!(u->swap_paths[u->nswaps] = strdup(line)))
			return -ENOMEM;
		u->swaps[u->nswaps++] = S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
	}
	return 0;
}

/* 1 and a description when a device of the stack is mounted or swap, else 0. */
static int stack_in_use(const struct in_use *u, const dev_t *stack, size_t n, char **what)
{
	char name[64];

	for (size_t i = 0; i < u->mounts.n; i++) {
		const struct mount_entry *m = &u->mounts.v[i];
		dev_t d = makedev(m->major, m->minor);
		if (devnum_in(stack, n, d)) {
			devnum_name(d, name, sizeof(name));
			return asprintf(what, "%s is mounted on %s (%s)", name, m->target, m->fstype) < 0 ? -ENOMEM : 1;
		}
	}
	for (size_t i = 0; i < u->nswaps; i++)
		if (devnum_in(stack, n, u->swaps[i])) {
			devnum_name(u->swaps[i], name, sizeof(name));
			return asprintf(what, "%s is in use as swap (%s)", name, u->swap_paths[i]) < 0 ? -ENOMEM : 1;
		}
	return 0;
}

int device_in_use(struct udev *udev, dev_t devnum, char **what)
{
	_cleanup_(in_use_free) struct in_use u = { 0 };
	dev_t stack[BLOCKDEV_STACK_MAX];
	int n, r;

	*what = NULL;
	if ((r = in_use_load(&u)) < 0 || (r = u.err) < 0)
		return r;
	n = blockdev_stack(udev, devnum, stack, BLOCKDEV_STACK_MAX);
	return n < 0 ? n : n > BLOCKDEV_STACK_MAX ? -E2BIG : stack_in_use(&u, stack, (size_t)n, what);
}

static int check_mounted(const struct in_use *u, const dev_t *stack, int n, const struct blockdev *dev,
			 struct fs_checks *c)
{
	_cleanup_free_ char *what = NULL;
	int r;

	if (u->err)
		return fs_checks_add(c, "not-mounted", false, "cannot read the mount table or /proc/swaps (%s): treated as mounted",
				     strerror(-u->err));
	if (n < 0)
		return fs_checks_add(c, "not-mounted", false, "cannot list the devices stacked on %s: treated as mounted",
				     dev->name);
	if ((r = stack_in_use(u, stack, (size_t)n, &what)) < 0)
		return r;
	if (r > 0)
		return fs_checks_add(c, "not-mounted", false, "%s", what);
	return fs_checks_add(c, "not-mounted", true, "nothing on %s, its partitions or holders is mounted or swap", dev->name);
}

static int check_holders(struct udev *udev, const struct blockdev *dev, struct fs_checks *c)
{
	_cleanup_free_ char *mpath = NULL;
	int r = blockdev_multipath_map(dev, NULL, &mpath);

	if (r < 0)
		return r;
	if (r > 0)
		return fs_checks_add(c, "no-holders", false, "%s is a path of multipath map %s: use /dev/mapper/%s", dev->name,
				     mpath, mpath);
	if (dev->holders[0])
		return fs_checks_add(c, "no-holders", false, "%s is held by %s (device-mapper, md or LVM)", dev->name,
				     dev->holders[0]);
	/* a partition's sysfs directory sits inside its disk's */
	if (dev->is_partition) {
		_cleanup_strv_free_ char **h = NULL;
		if (sysfs_list_dir(dev->syspath, "../holders", &h) < 0)
			return -ENOMEM;
		if (h[0])
			return fs_checks_add(c, "no-holders", false, "%s, the disk of %s, is held by %s (device-mapper, md or LVM)",
					     dev->disk_name, dev->name, h[0]);
	}
	for (char **p = dev->partitions; *p; p++) {
		_cleanup_free_ char *path = NULL;
		_cleanup_strv_free_ char **h = NULL;
		if (asprintf(&path, "%s/%s", dev->syspath, *p) < 0)
			return -ENOMEM;
		if (sysfs_list_dir(path, "holders", &h) < 0)
			return -ENOMEM;
		if (h[0])
			return fs_checks_add(c, "no-holders", false, "partition %s is held by %s (device-mapper, md or LVM)", *p,
					     h[0]);
	}
	return fs_checks_add(c, "no-holders", true, "no device-mapper, md or LVM device uses %s", dev->name);
}

/* " (the disk of PART)" when d is the disk of the partition dev: a user of the
 * whole disk, named as such. */
static void via_disk(const struct blockdev *dev, dev_t d, char *buf, size_t len)
{
	buf[0] = '\0';
	if (dev->is_partition && d == dev->disk_devnum)
		snprintf(buf, len, " (the disk of %.40s)", dev->name);
}

/* Does a loop device over the whole disk read any sector of the partition dev? */
static bool loop_reaches(const struct loop_user *l, const struct blockdev *dev)
{
	uint64_t end = l->sizelimit && l->offset + l->sizelimit > l->offset ? l->offset + l->sizelimit : UINT64_MAX;

	return l->via_file || l->via != dev->disk_devnum || !dev->is_partition ||
	       (l->offset < dev->start_bytes + dev->size_bytes && end > dev->start_bytes);
}

/* Loop devices reading the device, a partition, a holder or, over the
 * partition's sectors, the disk of a partition: they take no exclusive claim
 * and leave no holder link, and whatever is mounted from them is written
 * through to the target. */
static int check_loop(const dev_t *stack, int n, const struct blockdev *dev, struct fs_checks *c)
{
	struct loop_user *v = NULL;
	size_t k = 0, hit = 0, first = 0;
	char via[64], disk[64], more[48] = "";
	int r;

	if (n < 0)
		return fs_checks_add(c, "no-loop", false, "cannot list the devices stacked on %s: treated as in use", dev->name);
	if ((r = loop_users_find(stack, (size_t)n, &v, &k)) < 0)
		return r == -ENOMEM ? r : fs_checks_add(c, "no-loop", false, "cannot list the loop devices (%s): treated as in use",
							strerror(-r));
	for (size_t i = 0; i < k; i++)
		if (loop_reaches(&v[i], dev) && hit++ == 0)
			first = i;
	if (hit == 0) {
		loop_users_free(v, k);
		return fs_checks_add(c, "no-loop", true, "no loop device is backed by %s, its partitions or holders%s",
				     dev->name, dev->is_partition ? ", or by its sectors of the disk" : "");
	}
	const struct loop_user *l = &v[first];
	devnum_name(l->via, via, sizeof(via));
	via_disk(dev, l->via, disk, sizeof(disk));
	if (hit > 1)
		snprintf(more, sizeof(more), " (and %zu more loop devices)", hit - 1);
	if (l->via_file)
		r = fs_checks_add(c, "no-loop", false, "%s is backed by %s, a file on %s's filesystem%s", l->name,
				  l->backing_file ? l->backing_file : "a file", via, more);
	else
		r = fs_checks_add(c, "no-loop", false, "%s is backed by %s%s from offset %llu%s", l->name, via, disk,
				  (unsigned long long)l->offset, more);
	loop_users_free(v, k);
	return r;
}

#define OPEN_RESCANS 11   /* 100 ms apart */

/* Processes holding a node of the stack open: a running dd, a database on the
 * raw device, a shell redirection; only a mount or an O_EXCL open shows up
 * elsewhere.  Our own process holds the disk lock and is skipped. */
static int check_open(const dev_t *stack, int n, const struct blockdev *dev, struct fs_checks *c)
{
	_cleanup_free_ struct device_opener *v = NULL;
	size_t k = 0;
	unsigned hidden = 0;
	char name[64], disk[64];
	int r;

	if (n < 0)
		return fs_checks_add(c, "not-open", false, "cannot list the devices stacked on %s: treated as in use", dev->name);
	/* udev, blkid, lsblk and monitoring agents open a disk for milliseconds:
	 * only a process that keeps it open for a second is a user */
	for (int tries = 0; tries < OPEN_RESCANS; tries++) {
		if (tries) {
			free(TAKE_PTR(v));
			(void)nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
		}
		if ((r = device_openers_find(stack, (size_t)n, getpid(), &v, &k, &hidden)) < 0)
			return r == -ENOMEM ? r : fs_checks_add(c, "not-open", false, "cannot read /proc (%s): treated as in use",
								strerror(-r));
		if (k == 0)
			break;
	}
	if (k == 0)
		return fs_checks_add(c, "not-open", true, "no process has %s, its partitions or holders open%s", dev->name,
				     hidden ? " (some processes could not be inspected)" : "");
	devnum_name(v[0].devnum, name, sizeof(name));
	via_disk(dev, v[0].devnum, disk, sizeof(disk));
	if (k == 1)
		return fs_checks_add(c, "not-open", false, "process %d (%s) has %s%s open", (int)v[0].pid, v[0].comm, name,
				     disk);
	return fs_checks_add(c, "not-open", false, "process %d (%s) has %s%s open (and %zu more processes)", (int)v[0].pid,
			     v[0].comm, name, disk, k - 1);
}

/* The disk (and partitions, holders) of a device mounted on /, /boot or used as swap. */
static int check_system_disk(struct udev *udev, const struct in_use *u, const dev_t *stack, int n,
			     const struct blockdev *dev, struct fs_checks *c)
{
	static const char *const system_mounts[] = { "/", "/boot", "/boot/efi" };
	dev_t disk_stack[BLOCKDEV_STACK_MAX];
	char name[64];

	if (u->err)
		return fs_checks_add(c, "not-system-disk", false, "cannot read the mount table or /proc/swaps (%s)",
				     strerror(-u->err));
	/* The whole disk counts, also when the target is one of its partitions. */
	if (dev->is_partition) {
		n = blockdev_stack(udev, dev->disk_devnum, disk_stack, BLOCKDEV_STACK_MAX);
		stack = disk_stack;
	}
	if (n < 0 || n > BLOCKDEV_STACK_MAX)
		return fs_checks_add(c, "not-system-disk", false, "cannot list the devices stacked on %s", dev->disk_name);
	for (size_t i = 0; i < u->mounts.n; i++) {
		const struct mount_entry *m = &u->mounts.v[i];
		for (size_t k = 0; k < ARRAY_SIZE(system_mounts); k++)
			if (strcmp(m->target, system_mounts[k]) == 0 && devnum_in(stack, (size_t)n, makedev(m->major, m->minor))) {
				devnum_name(makedev(m->major, m->minor), name, sizeof(name));
				return fs_checks_add(c, "not-system-disk", false, "%s holds %s, the device of %s", dev->disk_name,
						     name, m->target);
			}
	}
	for (size_t i = 0; i < u->nswaps; i++)
		if (devnum_in(stack, (size_t)n, u->swaps[i])) {
			devnum_name(u->swaps[i], name, sizeof(name));
			return fs_checks_add(c, "not-system-disk", false, "%s holds %s, used as swap", dev->disk_name, name);
		}
	return fs_checks_add(c, "not-system-disk", true, "%s holds none of /, /boot and swap", dev->disk_name);
}

static int check_wwid(const struct blockdev *dev, const char *expect, struct fs_checks *c)
{
	const char *wwid = blockdev_wwid(dev);

	if (!expect)
		return fs_checks_add(c, "wwid", true, "not checked (no --expect-wwid); device WWID %s", wwid ? wwid : "unknown");
	if (!wwid)
		return fs_checks_add(c, "wwid", false, "%s reports no WWID, expected %s", dev->name, expect);
	if (!wwid_matches(wwid, expect))
		return fs_checks_add(c, "wwid", false, "%s has WWID %s, expected %s", dev->name, wwid, expect);
	return fs_checks_add(c, "wwid", true, "%s matches --expect-wwid", wwid);
}

/* Appends "TYPE at offset N[ of PART][ (label "L")]" for every hit to *buf. */
static int describe_signatures(const char *part, const struct signature_list *l, char **buf)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct signature *g = &l->v[i];
		char *s;
		if (asprintf(&s, "%s%s%s at offset %llu%s%s%s%s%s", *buf ? *buf : "", *buf ? ", " : "", g->type,
			     (unsigned long long)g->offset, part ? " of " : "", part ? part : "",
			     g->label ? " (label \"" : "", g->label ? g->label : "", g->label ? "\")" : "") < 0)
			return -ENOMEM;
		free(*buf);
		*buf = s;
	}
	return 0;
}

static int check_signatures(const struct blockdev *dev, const char *path, bool force, struct fs_checks *c)
{
	_cleanup_free_ char *found = NULL;
	struct signature_list l = { 0 };
	int r = signatures_probe_path(path, &l);

	if (r < 0)
		return fs_checks_add(c, "no-signatures", false, "cannot probe %s for signatures (%s): treated as in use", path,
				     strerror(-r));
	r = describe_signatures(NULL, &l, &found);
	signature_list_free(&l);
	for (char **p = dev->partitions; r >= 0 && *p; p++) {
		_cleanup_free_ char *node = NULL;
		if (asprintf(&node, "/dev/%s", *p) < 0)
			return -ENOMEM;
		r = signatures_probe_path(node, &l);
		if (r < 0)
			return fs_checks_add(c, "no-signatures", false, "cannot probe partition %s (%s): treated as in use", node,
					     strerror(-r));
		r = describe_signatures(*p, &l, &found);
		signature_list_free(&l);
	}
	if (r < 0)
		return r;
	if (!found)
		return fs_checks_add(c, "no-signatures", true, "no filesystem, RAID, LVM or partition-table signature");
	if (force) {
		r = fs_checks_add(c, "no-signatures", true, "found %s: overwritten because of --force", found);
		if (r >= 0)
			c->v[c->n - 1].forced = true;
		return r;
	}
	return fs_checks_add(c, "no-signatures", false, "found %s (--force overwrites)", found);
}

/* Data libblkid cannot name: a wiped table or first superblock, raw data. */
static int check_blank(const struct blockdev *dev, const char *path, bool force, struct fs_checks *c)
{
	/* O_DIRECT: 95 MiB that would only push useful pages out of the cache */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECT);
	struct blank_report b;
	char total[32], read[32], what[384];
	int r;

	if (fd < 0 || (r = blank_scan_fd(fd, dev->size_bytes, &b)) < 0)
		return fs_checks_add(c, "blank", false, "cannot read samples of %s (%s): treated as in use", path,
				     strerror(fd < 0 ? errno : -r));
	format_size_human(dev->size_bytes, total, sizeof(total));
	format_size_human(b.bytes_read, read, sizeof(read));
	if (!b.found)
		return fs_checks_add(c, "blank", true, "%u samples (%s of %s) read as zeros", b.samples, read, total);
	if (b.what[0])
		snprintf(what, sizeof(what), "%s at offset %llu: %s", b.what, (unsigned long long)b.offset, b.why);
	else {
		char hex[3 * sizeof(b.head) + 1] = "", text[sizeof(b.head) + 1];
		for (size_t i = 0; i < sizeof(b.head); i++) {
			snprintf(hex + 3 * i, 4, "%02x ", b.head[i]);
			text[i] = b.head[i] >= 0x20 && b.head[i] < 0x7f ? (char)b.head[i] : '.';
		}
		text[sizeof(b.head)] = '\0';
		hex[3 * sizeof(b.head) - 1] = '\0';
		snprintf(what, sizeof(what), "unrecognised data at offset %llu (%s |%s|; %u of %u samples hold data)",
			 (unsigned long long)b.offset, hex, text, b.nonzero, b.samples);
	}
	if (!force)
		return fs_checks_add(c, "blank", false, "%s (--force overwrites)", what);
	if ((r = fs_checks_add(c, "blank", true, "%s: overwritten because of --force", what)) >= 0)
		c->v[c->n - 1].forced = true;
	return r;
}

static int check_aligned(const struct blockdev *dev, struct fs_checks *c)
{
	if (dev->alignment_offset)
		return fs_checks_add(c, "aligned", false, "%s reports alignment offset %llu bytes", dev->name,
				     (unsigned long long)dev->alignment_offset);
	return fs_checks_add(c, "aligned", true, "alignment offset 0");
}

int safety_gate(struct udev *udev, const struct gate_request *req, struct blockdev *dev, struct fs_checks *c)
{
	struct stat st;
	int r;

	memset(dev, 0, sizeof(*dev));
	if (stat(req->path, &st) < 0)
		return fs_checks_add(c, "block-device", false, "%s: %s", req->path, strerror(errno));
	if (!S_ISBLK(st.st_mode))
		return fs_checks_add(c, "block-device", false, "%s is not a block device", req->path);
	if ((r = blockdev_from_devnum(udev, st.st_rdev, dev)) < 0)
		return fs_checks_add(c, "block-device", false, "%s: cannot read its facts from udev/sysfs (%s)", req->path,
				     strerror(-r));
	if ((r = fs_checks_add(c, "block-device", true, "%s is block device %s (%u:%u)", req->path, dev->name,
			       major(dev->devnum), minor(dev->devnum))) < 0)
		return r;
	/* one mount table, one swap list and one holder walk for all checks */
	_cleanup_(in_use_free) struct in_use u = { 0 };
	dev_t stack[BLOCKDEV_STACK_MAX + 1];
	int n = blockdev_stack(udev, dev->devnum, stack, BLOCKDEV_STACK_MAX);
	if (n > BLOCKDEV_STACK_MAX)
		n = -E2BIG;
	/* A partition's disk: mounted, opened or read by a loop device, it reaches
	 * the partition's sectors (its other partitions do not). */
	if (n >= 0 && dev->is_partition && dev->disk_devnum != dev->devnum)
		stack[n++] = dev->disk_devnum;
	if ((r = in_use_load(&u)) < 0 ||
	    (r = check_mounted(&u, stack, n, dev, c)) < 0 ||
	    (r = check_holders(udev, dev, c)) < 0 ||
	    (r = check_loop(stack, n, dev, c)) < 0 ||
	    (r = check_open(stack, n, dev, c)) < 0)
		return r;
	if (!req->users_only &&
	    ((r = check_system_disk(udev, &u, stack, n, dev, c)) < 0 ||
	     (r = check_wwid(dev, req->expect_wwid, c)) < 0 ||
	     (r = check_signatures(dev, req->path, req->force, c)) < 0 ||
	     (r = check_blank(dev, req->path, req->force, c)) < 0 ||
	     (r = check_aligned(dev, c)) < 0))
		return r;
	/* The kernel's own view: EBUSY when mounted, held or opened exclusively. */
	_cleanup_close_ int fd = open(req->path, O_RDONLY | O_EXCL | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return fs_checks_add(c, "exclusive", false, "cannot open %s exclusively: %s", req->path, strerror(errno));
	return fs_checks_add(c, "exclusive", true, "%s can be opened exclusively", req->path);
}
