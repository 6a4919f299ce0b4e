#include "partition.h"

#include <ctype.h>
#include <errno.h>
#include <libfdisk.h>
#include <linux/blkpg.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/size.h"

#define MIB (1024ULL * 1024ULL)
#define GPT_ENTRIES_BYTES 16384ULL   /* 128 entries of 128 bytes */
#define LINUX_FS_GUID "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
#define NODE_WAIT_MS 10000

DEFINE_TRIVIAL_CLEANUP_FUNC(struct fdisk_context *, fdisk_unref_context)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fdisk_partition *, fdisk_unref_partition)

int partition_layout(uint64_t size_bytes, unsigned sector, const struct raid_geometry *g, struct part_layout *l)
{
	uint64_t total, last_usable, end_bytes;

	if (sector < 512 || !is_power_of_2(sector))
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	l->sector = sector;
	l->align_bytes = raid_geometry_align_bytes(g);
	l->unit_bytes = g->stripe_width_bytes ? g->stripe_width_bytes : MIB;
	if (!l->align_bytes || l->align_bytes % sector || l->unit_bytes % sector)
		return -EINVAL;
	total = size_bytes / sector;
	/* The backup GPT: header in the last sector, the entry array before it. */
	if (total < 2 + GPT_ENTRIES_BYTES / sector)
		return -ENOSPC;
	last_usable = total - 2 - (GPT_ENTRIES_BYTES + sector - 1) / sector;
	end_bytes = (last_usable + 1) * sector / l->unit_bytes * l->unit_bytes;
	if (end_bytes <= l->align_bytes)
		return -ENOSPC;
	l->start = l->align_bytes / sector;
	l->end = end_bytes / sector - 1;
	return 0;
}

void partition_name(const char *disk, char *buf, size_t len)
{
	size_t n = strlen(disk);

	snprintf(buf, len, "%s%s1", disk, n && isdigit((unsigned char)disk[n - 1]) ? "p" : "");
}

static int write_label(int fd, const char *disk_path, const struct part_layout *l, const char *label)
{
	_cleanup_(fdisk_unref_contextp) struct fdisk_context *cxt = fdisk_new_context();
	_cleanup_(fdisk_unref_partitionp) struct fdisk_partition *pa = fdisk_new_partition();
	_cleanup_(fdisk_unref_partitionp) struct fdisk_partition *got = NULL;
	struct fdisk_parttype *type;
	int r;

	if (!cxt || !pa)
		return -ENOMEM;
	if ((r = fdisk_assign_device_by_fd(cxt, fd, disk_path, 0)) < 0)
		return r;
	/* Whatever else is on the disk (only with --force) must not survive next to the GPT. */
	fdisk_enable_wipe(cxt, 1);
	if (fdisk_get_sector_size(cxt) != l->sector)
		return -EIO;
	if ((r = fdisk_create_disklabel(cxt, "gpt")) < 0)
		return r;
	if (fdisk_get_last_lba(cxt) < l->end)
		return -ENOSPC;
	type = fdisk_label_get_parttype_from_string(fdisk_get_label(cxt, NULL), LINUX_FS_GUID);
	if ((r = fdisk_partition_set_partno(pa, 0)) < 0 || (r = fdisk_partition_set_start(pa, l->start)) < 0 ||
	    (r = fdisk_partition_set_size(pa, l->end - l->start + 1)) < 0 ||
	    (r = fdisk_partition_size_explicit(pa, 1)) < 0 || (type && (r = fdisk_partition_set_type(pa, type)) < 0) ||
	    (label && (r = fdisk_partition_set_name(pa, label)) < 0)) {
		fdisk_unref_parttype(type);
		return r;
	}
	fdisk_unref_parttype(type);
	if ((r = fdisk_add_partition(cxt, pa, NULL)) < 0)
		return r;
	/* libfdisk must not have moved it to its own grain */
	if ((r = fdisk_get_partition(cxt, 0, &got)) < 0)
		return r;
	if (fdisk_partition_get_start(got) != l->start || fdisk_partition_get_end(got) != l->end)
		return -ERANGE;
	if ((r = fdisk_write_disklabel(cxt)) < 0)
		return r;
	if (fsync(fd) < 0)
		return negative_errno();
	return fdisk_deassign_device(cxt, 1);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* The partition's "dev" attribute, once the kernel has added it. */
static int sysfs_partition(const char *pname, dev_t *devnum, uint64_t *start512)
{
	_cleanup_free_ char *p = NULL, *dev = NULL, *start = NULL;
	unsigned ma, mi;

	if (asprintf(&p, "/sys/class/block/%s/dev", pname) < 0)
		return -ENOMEM;
	if (read_attr(p, &dev) < 0 || sscanf(dev, "%u:%u", &ma, &mi) != 2)
		return -ENOENT;
	free(p);
	if (asprintf(&p, "/sys/class/block/%s/start", pname) < 0)
		return -ENOMEM;
	if (read_attr(p, &start) < 0)
		return -ENOENT;
	*start512 = strtoull(start, NULL, 10);
	*devnum = makedev(ma, mi);
	return 0;
}

static int add_partition_blkpg(int fd, const struct part_layout *l)
{
	struct blkpg_partition p = {
		.start = (long long)(l->start * l->sector),
		.length = (long long)((l->end - l->start + 1) * l->sector),
		.pno = 1,
	};
	struct blkpg_ioctl_arg a = { .op = BLKPG_ADD_PARTITION, .datalen = sizeof(p), .data = &p };

	return ioctl(fd, BLKPG, &a) < 0 ? negative_errno() : 0;
}

/* The kernel's partition and its node: BLKRRPART first; BLKPG (what partx -a
 * does) when the rescan did not add it; then wait for devtmpfs/udev to create
 * the node, and make it ourselves as the last resort. */
static int settle_partition(int fd, const char *disk_name, const struct part_layout *l, char **ret_node)
{
	_cleanup_free_ char *node = NULL;
	char pname[128];
	dev_t devnum = 0;
	uint64_t start512 = 0;
	struct stat st;
	int r, waited;

	partition_name(disk_name, pname, sizeof(pname));
	if (ioctl(fd, BLKRRPART, 0) < 0 || sysfs_partition(pname, &devnum, &start512) < 0) {
		r = add_partition_blkpg(fd, l);
		if (r < 0 && r != -EBUSY)
			return r;
	}
	for (waited = 0; (r = sysfs_partition(pname, &devnum, &start512)) == -ENOENT && waited < NODE_WAIT_MS; waited += 20)
		sleep_ms(20);
	if (r < 0)
		return r == -ENOENT ? -ENXIO : r;
	if (start512 * 512 != l->start * l->sector)
		return -ERANGE;
	if (asprintf(&node, "/dev/%s", pname) < 0)
		return -ENOMEM;
	for (; waited < NODE_WAIT_MS; waited += 20) {
		if (stat(node, &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == devnum)
			break;
		sleep_ms(20);
	}
	if (waited >= NODE_WAIT_MS && mknod(node, S_IFBLK | 0660, devnum) < 0 && errno != EEXIST)
		return negative_errno();
	*ret_node = TAKE_PTR(node);
	return 0;
}

int partition_write(int fd, const char *disk_path, const char *disk_name, const struct part_layout *l,
		    const char *label, char **ret_node)
{
	int r = write_label(fd, disk_path, l, label);

	if (r < 0)
		return r;
	return settle_partition(fd, disk_name, l, ret_node);
}
