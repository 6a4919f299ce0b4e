/* Facts about one block device, read through libudev/sysfs (works on real
 * systems and inside umockdev testbeds), and the verdict on its I/O hints. */
#pragma once

#include <libudev.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum io_hints_verdict {
	IO_HINTS_NONE,          /* optimal_io_size 0: the device reports no stripe */
	IO_HINTS_REPORTED,      /* plausible: su = minimum, width = optimal */
	IO_HINTS_BOGUS,         /* known junk, e.g. 33553920 (0xFFFF * 512) */
	IO_HINTS_INCONSISTENT,  /* optimal is not a multiple of minimum */
};

struct blockdev {
	char *name;             /* kernel name: sdf, dm-0, loop3, sdf1 */
	char *devnode;          /* /dev/sdf (as udev names it) */
	char *syspath;
	dev_t devnum;
	bool is_partition;
	char *disk_name;        /* the whole disk of a partition, else == name */
	dev_t disk_devnum;      /* its device number, else == devnum */
	uint64_t start_bytes;   /* where a partition starts on its disk, else 0 */
	uint64_t size_bytes;
	unsigned logical_sector, physical_sector;
	uint64_t io_min, io_opt, alignment_offset;
	char *wwid;             /* device/wwid, else ID_WWN_WITH_EXTENSION/ID_WWN, else NULL */
	char *vendor, *model, *rev;
	int scsi_type;          /* SCSI peripheral type, -1 when not SCSI */
	char *dm_name, *dm_uuid;
	char **holders;         /* sorted kernel names, NULL-terminated, never NULL */
	char **slaves;
	char **partitions;
};

int blockdev_from_devnum(struct udev *udev, dev_t devnum, struct blockdev *ret);
/* path must be a block device node (or a link to one); -ENOTBLK otherwise. */
int blockdev_from_path(struct udev *udev, const char *path, struct blockdev *ret);
int blockdev_from_udev(struct udev_device *d, struct blockdev *ret);
void blockdev_free(struct blockdev *b);

/* The device's WWID; a multipath map has no SCSI wwid of its own, its dm
 * uuid is "mpath-" + WWID.  NULL when unknown. */
const char *blockdev_wwid(const struct blockdev *b);

/* The dm-multipath map holding the device (a path of it): the holder whose
 * dm/uuid starts "mpath-", the prefix multipath-tools gives its maps.
 * Returns 1 with its kernel name ("dm-3") in *ret_kname and its map name
 * ("mpatha"; the kernel name when dm/name is unreadable) in *ret_name (either
 * may be NULL; the caller frees), 0 when there is none, -ENOMEM. */
int blockdev_multipath_map(const struct blockdev *b, char **ret_kname, char **ret_name);

/* Room for every device number of one stack (blockdev_stack()).  A GPT disk
 * has up to 128 partitions (the default table size), each of which may carry
 * a holder (dm-crypt, LVM, md): 1 + 128 + 128 devices, and a holder may have
 * partitions of its own.  512 dev_t are 4 KiB on the stack.  The safety gate
 * refuses a larger stack ("cannot tell"); raid-inspect looks at the first 512
 * for mounts (mkfs runs the gate again). */
#define BLOCKDEV_STACK_MAX 512

/* Every device number whose mount or use makes the device busy: the device,
 * its partitions and, transitively, all holders (and their partitions).  The
 * one walker of holder stacks (raid-inspect and the safety gate use it).
 * Returns the count (may exceed max; only max are stored) or -errno. */
int blockdev_stack(struct udev *udev, dev_t devnum, dev_t *out, size_t max);

enum io_hints_verdict io_hints_classify(uint64_t io_min, uint64_t io_opt, unsigned physical_sector);
const char *io_hints_verdict_to_string(enum io_hints_verdict v);
/* minimum_io_size when it plausibly is a RAID chunk (a multiple of 4 KiB above
 * both 4 KiB and the physical sector, below 16 MiB), else 0: plain disks
 * report their sector size there. */
uint64_t io_hints_chunk(uint64_t io_min, unsigned physical_sector);

/* Sorted names in <syspath>/<sub>/ (missing directory = empty). */
int sysfs_list_dir(const char *syspath, const char *sub, char ***ret);
/* Integer sysfs attribute of d ("queue/minimum_io_size"); 0 when absent or unparsable. */
uint64_t udev_attr_u64(struct udev_device *d, const char *attr);
/* The text of an integer attribute: decimal digits, then nothing, a newline or
 * a blank.  -EINVAL (NULL, sign, junk) or -ERANGE. */
int sysfs_parse_u64(const char *s, uint64_t *ret);
/* Text sysfs attribute of d, blanks and newline trimmed; NULL when absent or empty. */
char *udev_attr_str(struct udev_device *d, const char *attr);

/* Is d one of devs[0..n)? */
bool devnum_in(const dev_t *devs, size_t n, dev_t d);

/* A loop device that reads through to a device of a set: through its node, or
 * through a file on a filesystem on it. */
struct loop_user {
	char name[32];          /* loop3 */
	dev_t via;              /* the device of the set it uses */
	bool via_file;          /* a file on via's filesystem, not via's node */
	uint64_t offset;        /* loop/offset, bytes */
	uint64_t sizelimit;     /* loop/sizelimit, bytes; 0: to the end */
	char *backing_file;     /* the kernel's name ("… (deleted)" included); NULL when unknown */
};

/* Every loop device backed by one of devs[0..n).  The backing device and
 * inode come from LOOP_GET_STATUS64 (lo_rdevice, lo_device), so a deleted or
 * renamed backing path still counts; when the ioctl is denied (not root),
 * loop/backing_file is stat()ed instead.  Loop devices that vanish meanwhile
 * are skipped.  *ret (free with loop_users_free()) gets *nret entries.
 * Returns 0 or -errno (-ENOMEM; a /sys/block that cannot be listed). */
int loop_users_find(const dev_t *devs, size_t n, struct loop_user **ret, size_t *nret);
void loop_users_free(struct loop_user *v, size_t n);

/* A process that holds a device of a set open. */
struct device_opener {
	pid_t pid;
	char comm[17];          /* /proc/PID/comm, "?" when unreadable */
	dev_t devnum;           /* which device of the set */
};

/* Processes other than skip with a /proc/PID/fd entry whose st_rdev is one of
 * devs[0..n) (at most one entry per process).  Processes that exit meanwhile
 * are skipped; those whose fds cannot be read (EACCES: not root, hidepid) are
 * counted in *unreadable.  Returns 0 or -errno (-ENOMEM, /proc unreadable). */
int device_openers_find(const dev_t *devs, size_t n, pid_t skip, struct device_opener **ret, size_t *nret,
			unsigned *unreadable);
