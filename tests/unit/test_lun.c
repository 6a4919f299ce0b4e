/* The deciding pieces of LUN discovery: transport from the device path, WWID
 * spellings, the candidate rule, name order, the chunk taken from I/O hints. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "raid/lun.h"

static void transports(void **state)
{
	static const struct {
		const char *path;
		enum transport t;
	} cases[] = {
		{ "/sys/devices/pci0000:00/0000:00:03.0/0000:07:00.0/host7/rport-7:0-1/target7:0:0/7:0:0:0/block/sdb",
		  TRANSPORT_FC },
		/* NPIV vport: still an rport below */
		{ "/sys/devices/pci0000:00/0000:00:03.0/0000:07:00.0/host7/vport-7:0-0/host9/rport-9:0-0/target9:0:0/9:0:0:1/block/sdk",
		  TRANSPORT_FC },
		{ "/sys/devices/pci0000:00/0000:00:1c.0/0000:02:00.0/host0/port-0:0/end_device-0:0/target0:0:0/0:0:0:0/block/sdb",
		  TRANSPORT_SAS },
		{ "/sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0/host0/port-0:0/expander-0:0/port-0:0:11/end_device-0:0:11/target0:0:11/0:0:11:0/block/sdl",
		  TRANSPORT_SAS },
		{ "/sys/devices/platform/host9/session1/target9:0:0/9:0:0:0/block/sdc", TRANSPORT_ISCSI },
		{ "/sys/devices/pci0000:00/0000:00:17.0/ata1/host0/target0:0:0/0:0:0:0/block/sda", TRANSPORT_SATA },
		{ "/sys/devices/pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdd", TRANSPORT_USB },
		{ "/sys/devices/pci0000:00/0000:00:04.0/virtio1/block/vda", TRANSPORT_VIRTIO },
		{ "/sys/devices/pci0000:00/0000:00:05.0/virtio2/host2/target2:0:0/2:0:0:0/block/sdb", TRANSPORT_VIRTIO },
		{ "/sys/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1", TRANSPORT_NVME },
		{ "/sys/devices/virtual/block/loop3", TRANSPORT_LOOP },
		{ "/sys/devices/virtual/block/dm-0", TRANSPORT_VIRTUAL },
		{ "/sys/devices/virtual/block/md127", TRANSPORT_VIRTUAL },
		{ "/sys/devices/pci0000:00/0000:00:1f.0/0000:18:00.0/host2/target2:2:0/2:2:0:0/block/sdc", TRANSPORT_SCSI },
		/* names that only look like transports */
		{ "/sys/devices/platform/atari/block/xd0", TRANSPORT_UNKNOWN },
		{ "/sys/devices/platform/sessionmgr/block/xd1", TRANSPORT_UNKNOWN },
		{ NULL, TRANSPORT_UNKNOWN },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(transport_from_syspath(cases[i].path), cases[i].t);
	assert_string_equal(transport_to_string(TRANSPORT_FC), "fc");
	assert_string_equal(transport_to_string(TRANSPORT_ISCSI), "iscsi");
	assert_string_equal(transport_to_string((enum transport)99), "unknown");
}

static void wwids(void **state)
{
	static const char *const same[] = {
		"naa.600d02310009a3e15c2e8f1d7a4b3c90",
		"NAA.600D02310009A3E15C2E8F1D7A4B3C90",
		"wwn-0x600d02310009a3e15c2e8f1d7a4b3c90",
		"/dev/disk/by-id/wwn-0x600d02310009a3e15c2e8f1d7a4b3c90",
		"0x600d02310009a3e15c2e8f1d7a4b3c90",
		"3600d02310009a3e15c2e8f1d7a4b3c90",
		"scsi-3600d02310009a3e15c2e8f1d7a4b3c90",
		"mpath-3600d02310009a3e15c2e8f1d7a4b3c90",
		"600d02310009a3e15c2e8f1d7a4b3c90",
	};
	char buf[128], small[8];

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		assert_int_equal(wwid_normalize(same[i], buf, sizeof(buf)), 0);
		assert_string_equal(buf, "naa.600d02310009a3e15c2e8f1d7a4b3c90");
	}
	assert_int_equal(wwid_normalize("0x5002538e40a1b2c3", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "naa.5002538e40a1b2c3");
	/* not NAA: kept as they are */
	assert_int_equal(wwid_normalize("eui.0025385b71b08a4c", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "eui.0025385b71b08a4c");
	assert_int_equal(wwid_normalize("naa.60xd", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "naa.60xd");
	assert_int_equal(wwid_normalize("", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(wwid_normalize(NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(wwid_normalize("naa.600d02310009a3e15c2e8f1d7a4b3c90", small, sizeof(small)), -EINVAL);
}

static char *none[] = { NULL };
static char *held[] = { "dm-2", NULL };
static char *mounted[] = { "/srv/mirror", NULL };
static char *parts[] = { "sdf1", NULL };

/* A blank single-path FC LUN: the one that may be formatted. */
static struct lun blank(void)
{
	struct lun l = {
		.transport = TRANSPORT_FC,
		.scsi_type = 0,
		.size_bytes = 1ULL << 40,
		.npaths = 1,
		.mountpoints = none,
		.holders = none,
		.partitions = none,
	};
	return l;
}

static void expect(const struct lun *l, const char *reason)
{
	char buf[256];

	if (!reason) {
		assert_true(lun_is_candidate(l, buf, sizeof(buf)));
		return;
	}
	assert_false(lun_is_candidate(l, buf, sizeof(buf)));
	assert_string_equal(buf, reason);
}

static void candidates(void **state)
{
	struct signature xfs = { .type = "xfs", .usage = "filesystem" };
	struct signature gpt = { .type = "gpt", .usage = "partition-table" };
	struct lun l = blank();

	expect(&l, NULL);
	l.transport = TRANSPORT_SAS;
	expect(&l, "not a Fibre Channel LUN (sas)");
	l = blank();
	l.transport = TRANSPORT_ISCSI;
	expect(&l, "not a Fibre Channel LUN (iscsi)");
	l = blank();
	l.scsi_type = 13;
	expect(&l, "not a disk (SCSI type 13)");
	l = blank();
	l.mountpoints = mounted;
	l.holders = held;   /* mounted is said first */
	expect(&l, "mounted on /srv/mirror");
	l = blank();
	l.mount_unknown = true;
	expect(&l, "the mount table could not be read");
	l = blank();
	l.holders = held;
	expect(&l, "in use by dm-2");
	l = blank();
	l.probe_error = -EACCES;
	expect(&l, "signatures could not be read: Permission denied");
	l = blank();
	l.signatures = (struct signature_list){ &xfs, 1 };
	expect(&l, "holds a signature: xfs");
	l.signatures = (struct signature_list){ &gpt, 1 };
	expect(&l, "holds a partition table: gpt");
	l = blank();
	l.partitions = parts;
	expect(&l, "has partition sdf1");
	l = blank();
	l.npaths = 2;
	expect(&l, "2 paths but no multipath map");
	l.multipath = "mpatha";
	expect(&l, NULL);
	l = blank();
	l.size_bytes = 0;
	expect(&l, "size is 0");
}

static void names(void **state)
{
	assert_true(devname_cmp("sdb", "sdz") < 0);
	assert_true(devname_cmp("sdz", "sdaa") < 0);
	assert_true(devname_cmp("rport-7:0-2", "rport-7:0-10") < 0);
	assert_int_equal(devname_cmp("sdb", "sdb"), 0);
}

static void chunk_from_hints(void **state)
{
	assert_int_equal(io_hints_chunk(262144, 512), 262144);
	assert_int_equal(io_hints_chunk(65536, 4096), 65536);
	assert_int_equal(io_hints_chunk(8192, 512), 8192);
	assert_int_equal(io_hints_chunk(512, 512), 0);          /* a plain disk's sector */
	assert_int_equal(io_hints_chunk(4096, 4096), 0);
	assert_int_equal(io_hints_chunk(4096, 512), 0);         /* too small for a chunk */
	assert_int_equal(io_hints_chunk(6144 * 2, 512), 12288); /* odd, but 4 KiB aligned */
	assert_int_equal(io_hints_chunk(10000, 512), 0);
	assert_int_equal(io_hints_chunk(16u << 20, 512), 0);
	assert_int_equal(io_hints_chunk(0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(transports),
		cmocka_unit_test(wwids),
		cmocka_unit_test(candidates),
		cmocka_unit_test(names),
		cmocka_unit_test(chunk_from_hints),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
