#include "mkfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <limits.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

#include "fs/device.h"
#include "fs/safety.h"
#include "lib/size.h"
#include "lib/spawn.h"
#include "lib/strv.h"

#define MKFS_PROG "mkfs.xfs"
#define LOCK_WAIT_MS 5000

static int build_argv(struct mkfs_plan *p)
{
	const struct raid_geometry *g = &p->req.geom;
	_cleanup_strvec_ struct strvec a = { 0 };
	char dopt[64];

	raid_geometry_mkfs_dopt(g, dopt, sizeof(dopt));
	/* RAID1 has no stripe: keep mkfs.xfs from adopting the device's hints. */
	if (!*dopt && p->hints != IO_HINTS_NONE)
		snprintf(dopt, sizeof(dopt), "noalign");
	strvec_push(&a, MKFS_PROG);
	strvec_push(&a, "-f");
	if (*dopt) {
		strvec_push(&a, "-d");
		strvec_push(&a, dopt);
	}
	if (p->req.label) {
		strvec_push(&a, "-L");
		strvec_push(&a, p->req.label);
	}
	if (p->req.no_discard)
		strvec_push(&a, "-K");
	strvec_push(&a, p->target);
	return strvec_steal(&a, false, &p->mkfs_argv);
}

static void classify_hints(struct mkfs_plan *p)
{
	const struct raid_geometry *g = &p->req.geom;

	p->hints = io_hints_classify(p->dev.io_min, p->dev.io_opt, p->dev.physical_sector);
	if (p->hints != IO_HINTS_REPORTED)
		return;
	p->hints_disagree = !g->sw || p->dev.io_min != g->su_bytes || p->dev.io_opt != g->stripe_width_bytes;
}

/* flock(LOCK_EX) on the whole disk of path: udev and other well-behaved tools
 * keep off it while we check and write (systemd's BLOCK_DEVICE_LOCKING).
 * udev's own shared lock is short, so wait a little.  -ENOTBLK and friends
 * are left to the gate to report.  Plain sysfs: this runs before anything else. */
static int lock_whole_disk(const char *path, int *ret_fd)
{
	_cleanup_free_ char *node = NULL;
	_cleanup_close_ int fd = -1;
	struct timespec ts = { 0, 20 * 1000000L };
	char sys[64], real[PATH_MAX];
	struct stat st;

	if (stat(path, &st) < 0)
		return negative_errno();
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	/* a partition's sysfs directory sits inside its disk's */
	snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/partition", major(st.st_rdev), minor(st.st_rdev));
	if (access(sys, F_OK) == 0) {
		snprintf(sys, sizeof(sys), "/sys/dev/block/%u:%u/..", major(st.st_rdev), minor(st.st_rdev));
		if (!realpath(sys, real) || asprintf(&node, "/dev/%s", strrchr(real, '/') + 1) < 0)
			return -ENODEV;
	}
	fd = open(node ? node : path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return negative_errno();
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += 20) {
		if (errno != EWOULDBLOCK || waited >= LOCK_WAIT_MS)
			return errno == EWOULDBLOCK ? -EBUSY : negative_errno();
		nanosleep(&ts, NULL);
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

/* libblkid reads the first and last 512 KiB of the disk one block at a time;
 * start both reads now so they run while the gate reads sysfs and the mount
 * table (the open lock fd keeps the pages cached for the probe). */
static void prefetch_ends(int fd)
{
	uint64_t size = 0;

	if (ioctl(fd, BLKGETSIZE64, &size) < 0 || size < (2u << 20))
		return;
	(void)posix_fadvise(fd, 0, 512 << 10, POSIX_FADV_WILLNEED);
	(void)posix_fadvise(fd, (off_t)(size - (512 << 10)), 512 << 10, POSIX_FADV_WILLNEED);
}

int mkfs_plan_build(struct udev *udev, const struct mkfs_request *req, struct mkfs_plan *p)
{
	struct gate_request gate = { .expect_wwid = req->expect_wwid, .force = req->force };
	int r;

	memset(p, 0, sizeof(*p));
	p->lock_fd = -1;
	p->req = *req;
	r = fs_resolve_device(req->device, &p->path);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return fs_checks_add(&p->checks, "block-device", false, "no device found for %s", req->device);
	gate.path = p->path;
	/* Locked from the check to the write; a device that cannot be locked is
	 * refused by the gate (not a block device) or at apply (busy). */
	if (req->lock && lock_whole_disk(p->path, &p->lock_fd) == 0)
		prefetch_ends(p->lock_fd);
	if ((r = safety_gate(udev, &gate, &p->dev, &p->checks)) < 0)
		return r;
	p->have_dev = p->dev.name != NULL;
	if (!p->have_dev)
		return 0;
	classify_hints(p);
	if (req->partition) {
		char pname[128];
		if (p->dev.is_partition || p->dev.dm_uuid)
			return -EOPNOTSUPP;
		if ((r = partition_layout(p->dev.size_bytes, p->dev.logical_sector ? p->dev.logical_sector : 512,
					  &req->geom, &p->part)) < 0)
			return r;
		p->partitioned = true;
		partition_name(p->dev.name, pname, sizeof(pname));
		if (asprintf(&p->target, "/dev/%s", pname) < 0)
			return -ENOMEM;
	} else if (!(p->target = strdup(p->path)))
		return -ENOMEM;
	return build_argv(p);
}

void mkfs_plan_free(struct mkfs_plan *p)
{
	free(p->path);
	free(p->target);
	strv_freep(&p->mkfs_argv);
	if (p->have_dev)
		blockdev_free(&p->dev);
	fs_checks_free(&p->checks);
	if (p->lock_fd >= 0)
		close(p->lock_fd);
	memset(p, 0, sizeof(*p));
	p->lock_fd = -1;
}

void mkfs_result_free(struct mkfs_result *res)
{
	fs_checks_free(&res->recheck);
	free(res->node);
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}

static int run_mkfs(struct mkfs_plan *p, struct mkfs_result *res)
{
	struct spawn_opts o = { .capture_stdout = 1, .capture_stderr = 1 };
	struct spawn_result sr = { 0 };
	size_t n = 0;
	int r;

	while (p->mkfs_argv[n + 1])
		n++;
	/* the partition node the kernel actually made */
	if (strcmp(p->mkfs_argv[n], res->node) != 0) {
		char *s = strdup(res->node);
		if (!s)
			return -ENOMEM;
		free(p->mkfs_argv[n]);
		p->mkfs_argv[n] = s;
	}
	r = spawn_run(p->mkfs_argv, &o, &sr);
	if (r < 0)
		return r;
	res->exit_code = sr.exit_code;
	res->signal = sr.signal;
	res->out = TAKE_PTR(sr.out);
	res->err = TAKE_PTR(sr.err);
	spawn_result_free(&sr);
	return res->exit_code == 0 && !res->signal ? 0 : -ECANCELED;
}

int mkfs_plan_apply(struct udev *udev, struct mkfs_plan *p, bool recheck, struct mkfs_result *res)
{
	struct gate_request gate = { .path = p->path, .expect_wwid = p->req.expect_wwid, .force = p->req.force };
	struct blockdev again;
	int r;

	memset(res, 0, sizeof(*res));
	if (spawn_find_program(MKFS_PROG) < 0)
		return -ENOENT;
	res->failed = MKFS_STEP_LOCK;
	if (p->lock_fd < 0) {
		if ((r = lock_whole_disk(p->path, &p->lock_fd)) < 0)
			return r;
		recheck = true;
	}
	/* The device may have changed while the plan was shown: check again,
	 * locked.  Without a prompt, its users alone: one may have appeared while
	 * the gate read its samples.  (The lock keeps udev off, not losetup or a
	 * process; from here to mkfs.xfs's exclusive open is milliseconds.) */
	res->failed = MKFS_STEP_GATE;
	gate.users_only = !recheck;
	r = safety_gate(udev, &gate, &again, &res->recheck);
	if (again.name)
		blockdev_free(&again);
	if (r < 0)
		return r;
	if (fs_checks_failed(&res->recheck))
		return -EPERM;

	res->failed = MKFS_STEP_PARTITION;
	if (p->partitioned) {
		/* O_EXCL for our own writes; mkfs.xfs takes its own exclusive open
		 * of the partition, which a claim on the whole disk would block, so
		 * only the flock spans the whole operation. */
		_cleanup_close_ int fd = open(p->path, O_RDWR | O_EXCL | O_CLOEXEC);
		if (fd < 0)
			return errno == EBUSY ? -EBUSY : negative_errno();
		if ((r = partition_write(fd, p->path, p->dev.name, &p->part, p->req.label, &res->node)) < 0)
			return r;
	} else if (!(res->node = strdup(p->target)))
		return -ENOMEM;

	res->failed = MKFS_STEP_MKFS;
	if ((r = run_mkfs(p, res)) < 0)
		return r;
	/* mkfs.xfs wiped the old partition table (--force); drop the kernel's
	 * stale partitions so nothing reads them as devices any more. */
	if (!p->partitioned && !p->dev.is_partition && p->dev.partitions[0])
		(void)ioctl(p->lock_fd, BLKRRPART, 0);

	res->failed = MKFS_STEP_VERIFY;
	if ((r = xfs_read_superblock(res->node, &res->sb)) < 0)
		return r;
	if (!xfs_geom_matches(&res->sb, &p->req.geom, res->why, sizeof(res->why)))
		return -EBADMSG;
	res->failed = MKFS_STEP_NONE;
	return 0;
}
