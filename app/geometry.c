#include "geometry.h"

#include <errno.h>
#include <libudev.h>
#include <stdio.h>
#include <string.h>

#include "lib/macro.h"
#include "raid/lun.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev *, udev_unref)

static int resolve_wwid(struct udev *udev, const char *wwid, struct geom_device *d, struct app_error *e)
{
	struct san san;
	const struct lun *l;
	int r = lun_find_by_wwid(udev, wwid, &san, &l);

	if (r == 0)
		snprintf(d->path, sizeof(d->path), "%s", l->devnode);
	san_free(&san);
	if (r == -ENOENT || r == -EINVAL)
		return app_fail(e, APP_BAD_INPUT, r, "no LUN has the WWID '%s' (a device is /dev/...)", wwid);
	if (r < 0)
		return app_fail(e, APP_FAILED, r, "cannot look for WWID '%s': %s", wwid, strerror(-r));
	return 0;
}

int geom_device_read(const char *device, struct geom_device *d, struct app_error *e)
{
	_cleanup_(udev_unrefp) struct udev *udev = udev_new();
	struct blockdev b;
	int r;

	if (!udev)
		return app_fail(e, APP_FAILED, -ENOMEM, "cannot use libudev");
	snprintf(d->path, sizeof(d->path), "%s", device);
	if (device[0] != '/' && (r = resolve_wwid(udev, device, d, e)) < 0)
		return r;
	r = blockdev_from_path(udev, d->path, &b);
	if (r == -ENOENT || r == -ENOTBLK)
		return app_fail(e, APP_BAD_INPUT, r, "'%s' is not a block device", d->path);
	if (r < 0)
		return app_fail(e, APP_FAILED, r, "cannot read '%s': %s", d->path, strerror(-r));
	d->io_min = b.io_min;
	d->io_opt = b.io_opt;
	d->physical_sector = b.physical_sector;
	d->verdict = io_hints_classify(b.io_min, b.io_opt, b.physical_sector);
	blockdev_free(&b);
	return 0;
}

int geom_device_match(const struct geom_device *d, const struct raid_geometry *g)
{
	if (!g->sw || !io_hints_chunk(d->io_min, d->physical_sector))
		return -1;
	if (d->verdict == IO_HINTS_REPORTED)
		return d->io_min == g->su_bytes && d->io_opt == g->stripe_width_bytes;
	return d->verdict == IO_HINTS_NONE ? d->io_min == g->su_bytes : -1;
}
