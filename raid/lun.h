/* LUN discovery: Fibre Channel HBAs and target ports, disks grouped into LUNs
 * by WWID with their paths and dm-multipath map, what is on each LUN, and
 * whether it is a safe candidate to format.  Reads libudev/sysfs (works inside
 * umockdev testbeds), libblkid and the mount table; returns structs, never
 * prints.  Used by raid-inspect, and by mkfs/onboard to resolve a WWID and to
 * re-check candidacy. */
#pragma once

#include <libudev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "block/blockdev.h"
#include "block/signatures.h"
#include "block/wwid.h"

/* How a disk is attached, decided from its sysfs device path the way udev's
 * path_id builtin does (never from vendor strings). */
enum transport {
	TRANSPORT_UNKNOWN,
	TRANSPORT_FC,      /* .../rport-H:C-N/targetH:C:T/... */
	TRANSPORT_SAS,     /* .../end_device-H:N/... */
	TRANSPORT_ISCSI,   /* .../sessionN/... */
	TRANSPORT_SATA,    /* libata: .../ataN/... */
	TRANSPORT_HYPERV,  /* .../vmbus_.../ */
	TRANSPORT_USB,
	TRANSPORT_VIRTIO,
	TRANSPORT_NVME,
	TRANSPORT_MMC,
	TRANSPORT_LOOP,
	TRANSPORT_SCSI,    /* another SCSI host (SPI, RAID controller, ...) */
	TRANSPORT_VIRTUAL, /* dm, md, zram and friends: never a LUN */
};

enum transport transport_from_syspath(const char *syspath);
const char *transport_to_string(enum transport t);

/* One fc_host: an FC HBA port, with or without link. */
struct fc_hba {
	char *name;            /* "host7" */
	unsigned host_no;
	char *port_name, *node_name, *port_id;   /* "0x21000024ff3dc9a0" */
	char *port_state;      /* "Online", "Linkdown", ...; NULL when unreadable */
	char *port_type, *speed, *symbolic_name;
	char *driver;          /* "qla2xxx", "lpfc" */
	char *pci;             /* "0000:07:00.0", NULL when not on PCI */
};

/* One remote port (fc_remote_ports) as seen by one HBA. */
struct fc_port {
	char *name;            /* "rport-7:0-1" */
	unsigned host_no;
	char *target;          /* "target7:0:0" (from scsi_target_id), NULL when not a SCSI target */
	char *port_name, *node_name, *port_id, *roles, *port_state;
};

struct lun_path {
	char *name;            /* "sdb" */
	char *hctl;            /* "7:0:0:0", NULL when not SCSI */
	int host_no;           /* -1 when not SCSI */
	char *rport;           /* "rport-7:0-1" for FC paths, else NULL */
	char *target_port;     /* the target's WWPN for FC paths, else NULL */
	char *state;           /* SCSI device state: "running", "offline", ... */
	dev_t devnum;
};

struct lun {
	char *wwid;            /* as the kernel reports it (naa.…), NULL when unknown */
	enum transport transport;
	char *name;            /* short name: "mpatha" or "sdf" */
	char *device;          /* node to use: /dev/mapper/mpatha, or /dev/sdf */
	char *devnode;         /* kernel node of device: /dev/dm-0, /dev/sdf */
	dev_t devnum;
	char *multipath;       /* dm name of the multipath map, NULL when none */
	struct lun_path *paths;
	size_t npaths;
	char *vendor, *model, *rev;
	int scsi_type;
	uint64_t size_bytes;
	unsigned logical_sector, physical_sector;
	uint64_t io_min, io_opt;          /* of the device (a map has stacked limits) */
	enum io_hints_verdict io_hints;
	struct signature_list signatures;
	int probe_error;       /* 0, or -errno when signatures could not be read */
	char **mountpoints;    /* of the device, its partitions, holders and paths */
	bool mount_unknown;    /* the mount table could not be read */
	char **holders;        /* kernel names holding it, the own multipath map excluded */
	char **partitions;     /* kernel partitions of the device */
	bool candidate;
	char *reason;          /* why not a candidate; NULL when it is one */
};

struct san {
	struct fc_hba *hbas;
	size_t nhbas;
	struct fc_port *ports;
	size_t nports;
	struct lun *luns;
	size_t nluns;
	char **problems;       /* devices that could not be read fully; NULL-terminated */
};

enum {
	LUN_SCAN_ALL = 1 << 0, /* list non-FC disks too (they are never candidates) */
};

/* Scans the system.  Returns 0 (some devices may be unreadable: see
 * san->problems) or -errno when the scan itself failed.  Non-disk LUNs (SCSI
 * type != 0, access LUNs such as "Universal Xport" and EMC "LUNZ") are
 * skipped.  LUNs are sorted FC first, then by name; paths by name. */
int lun_scan(struct udev *udev, unsigned flags, struct san *ret);
void san_free(struct san *s);

/* The LUN of the scanned san whose WWID matches (any spelling above), or NULL. */
const struct lun *san_find_wwid(const struct san *s, const char *wwid);
/* Scans everything (LUN_SCAN_ALL) into *san and points *ret at the LUN with
 * that WWID.  -ENOENT when no LUN has it; *san must be san_free() either way. */
int lun_find_by_wwid(struct udev *udev, const char *wwid, struct san *san, const struct lun **ret);

/* The candidate rule: an FC disk LUN (SCSI type 0) whose signatures were read
 * and are none, not mounted, no partitions, no holder but its own multipath
 * map, and, with several paths, a multipath map.  Returns true, or false with
 * the reason written to buf. */
bool lun_is_candidate(const struct lun *l, char *buf, size_t len);

/* Whole-disk device names ordered the way people count them: sdb < sdz < sdaa. */
int devname_cmp(const char *a, const char *b);
