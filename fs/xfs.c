#include "xfs.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <xfs/xfs.h>
#include <xfs/xfs_format.h>

#include "lib/macro.h"
#include "lib/mountinfo.h"

static void format_uuid(const unsigned char *u, char *buf)
{
	snprintf(buf, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3],
		 u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

int xfs_parse_superblock(const void *buf, size_t len, struct xfs_geom *g)
{
	const struct xfs_dsb *sb = buf;

	if (len < sizeof(*sb) || be32toh(sb->sb_magicnum) != XFS_SB_MAGIC)
		return -EMEDIUMTYPE;
	memset(g, 0, sizeof(*g));
	g->blocksize = be32toh(sb->sb_blocksize);
	g->sunit_blocks = be32toh(sb->sb_unit);
	g->swidth_blocks = be32toh(sb->sb_width);
	g->logsunit_bytes = be32toh(sb->sb_logsunit);
	g->agcount = be32toh(sb->sb_agcount);
	g->data_blocks = be64toh(sb->sb_dblocks);
	memcpy(g->label, sb->sb_fname, sizeof(sb->sb_fname));
	g->label[sizeof(sb->sb_fname)] = '\0';
	format_uuid((const unsigned char *)&sb->sb_uuid, g->uuid);
	if (g->blocksize < 512 || g->blocksize > 65536)
		return -EMEDIUMTYPE;
	return 0;
}

int xfs_read_superblock(const char *path, struct xfs_geom *ret)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	char buf[512];
	ssize_t n;

	_Static_assert(sizeof(struct xfs_dsb) <= sizeof(buf), "superblock fits one sector");
	if (fd < 0)
		return negative_errno();
	n = pread(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return negative_errno();
	return xfs_parse_superblock(buf, (size_t)n, ret);
}

int xfs_live_geometry(const char *mountpoint, struct xfs_geom *g)
{
	_cleanup_close_ int fd = open(mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct xfs_fsop_geom geo = { 0 };
	char label[FSLABEL_MAX] = "";

	if (fd < 0)
		return negative_errno();
	if (ioctl(fd, XFS_IOC_FSGEOMETRY, &geo) < 0)
		return negative_errno();
	memset(g, 0, sizeof(*g));
	g->blocksize = geo.blocksize;
	g->sunit_blocks = geo.sunit;
	g->swidth_blocks = geo.swidth;
	g->logsunit_bytes = geo.logsunit;
	g->agcount = geo.agcount;
	g->data_blocks = geo.datablocks;
	format_uuid(geo.uuid, g->uuid);
	if (ioctl(fd, FS_IOC_GETFSLABEL, label) == 0)
		snprintf(g->label, sizeof(g->label), "%.12s", label);
	return 0;
}

bool xfs_geom_matches(const struct xfs_geom *x, const struct raid_geometry *g, char *why, size_t len)
{
	uint64_t su = (uint64_t)x->sunit_blocks * x->blocksize;
	unsigned sw = x->sunit_blocks ? x->swidth_blocks / x->sunit_blocks : 0;

	if (!g->sw) {
		if (!x->sunit_blocks && !x->swidth_blocks)
			return true;
		snprintf(why, len, "filesystem has sunit=%u swidth=%u blocks, the plan has no stripe", x->sunit_blocks,
			 x->swidth_blocks);
		return false;
	}
	if (su == g->su_bytes && sw == g->sw && x->swidth_blocks == x->sunit_blocks * sw)
		return true;
	snprintf(why, len, "filesystem has sunit=%u swidth=%u blocks (su %llu bytes, sw %u), the plan su=%llu sw=%u",
		 x->sunit_blocks, x->swidth_blocks, (unsigned long long)su, sw, (unsigned long long)g->su_bytes, g->sw);
	return false;
}

int xfs_state_probe(const char *path, struct xfs_state *s)
{
	struct mount_table t = { 0 };
	struct stat st;
	const char *targets[1];
	int r;

	memset(s, 0, sizeof(*s));
	if (stat(path, &st) < 0)
		return negative_errno();
	if (!S_ISBLK(st.st_mode))
		return -ENOTBLK;
	r = xfs_read_superblock(path, &s->geom);
	if (r < 0 && r != -EMEDIUMTYPE)
		return r;
	s->is_xfs = r == 0;
	if ((r = mountinfo_load(&t)) < 0)
		return r;
	if (mountinfo_find_dev(&t, st.st_rdev, targets, 1) && !(s->mountpoint = strdup(targets[0])))
		r = -ENOMEM;
	mount_table_free(&t);
	return r;
}

void xfs_state_free(struct xfs_state *s)
{
	free(s->mountpoint);
	s->mountpoint = NULL;
}

bool xfs_state_matches(const struct xfs_state *s, const char *label, const struct raid_geometry *g,
		       const char *mountpoint, char *why, size_t len)
{
	if (!s->is_xfs) {
		snprintf(why, len, "no XFS filesystem");
		return false;
	}
	if (label && strcmp(label, s->geom.label) != 0) {
		snprintf(why, len, "label is \"%s\", not \"%s\"", s->geom.label, label);
		return false;
	}
	if (g && !xfs_geom_matches(&s->geom, g, why, len))
		return false;
	if (mountpoint && (!s->mountpoint || strcmp(mountpoint, s->mountpoint) != 0)) {
		if (s->mountpoint)
			snprintf(why, len, "mounted on %s, not %s", s->mountpoint, mountpoint);
		else
			snprintf(why, len, "not mounted");
		return false;
	}
	return true;
}
