#include <stdio.h>

#include "geomopt.h"
#include "mirrorprov.h"
#include "output.h"

struct geometry_options {
	struct common_opts c;
	struct geom_opts geom;
};

static const struct col_def unit_cols[] = {
	{ "UNIT", COLT_STR, 0, 0, "unit of the row" },
	{ "SUNIT", COLT_NUM, 0, 0, "stripe unit" },
	{ "SWIDTH", COLT_NUM, 0, 0, "stripe width" },
	{ "WHERE", COLT_STR, 0, 0, "where this unit is met" },
};

static void unit_row(json_object *rows, const char *unit, uint64_t su, uint64_t sw, const char *where)
{
	json_object *r = json_object_new_object();
	jset_str(r, "unit", unit);
	jset_u64(r, "sunit", su);
	jset_u64(r, "swidth", sw);
	jset_str(r, "where", where);
	json_object_array_add(rows, r);
}

static int print_units(const struct raid_geometry *g)
{
	_cleanup_json_ json_object *rows = json_object_new_array();
	struct col_select sel;

	unit_row(rows, "bytes", g->su_bytes, g->stripe_width_bytes, "mkfs.xfs -d su=/sw=, lsblk MIN-IO/OPT-IO");
	unit_row(rows, "512-byte sectors", g->sunit_sectors, g->swidth_sectors,
		 "mkfs.xfs -d sunit=/swidth=, mount options, /proc/mounts");
	unit_row(rows, "4 KiB blocks", g->sunit_blocks, g->swidth_blocks, "xfs_info, superblock, XFS_IOC_FSGEOMETRY");
	cols_all(ARRAY_SIZE(unit_cols), &sel);
	putchar('\n');
	return out_table(stdout, "units", unit_cols, &sel, rows, false);
}

static void geometry_init(void *opts)
{
	geomopt_init(&((struct geometry_options *)opts)->geom);
}

static int geometry_run(void *opts, int argc, char **argv)
{
	struct geometry_options *opt = opts;
	struct raid_geometry g;
	int r;

	if ((r = geomopt_compute(&opt->geom, &g)))
		return r;
	geometry_warn(&g);
	geomopt_device_warn(&opt->geom, &g);
	if (opt->c.json) {
		_cleanup_json_ json_object *o = geometry_to_json(&g);
		json_object *dev = geomopt_device_json(&opt->geom, &g);
		if (dev)
			json_object_object_add(o, "device", dev);
		return out_json(stdout, o);
	}
	geometry_explain(stdout, &g);
	geomopt_device_explain(stdout, &opt->geom, &g);
	return g.sw ? print_units(&g) : 0;
}

static const struct opt geometry_opts[] = {
	OPT_GROUP(geomopt_options, struct geometry_options, geom),
	OPT_JSON(struct geometry_options),
	OPT_END,
};

const struct verb verb_geometry = {
	.name = "geometry",
	.summary = "compute XFS stripe unit and width for a RAID set",
	.synopsis = "mirrorprov geometry (--raid0|--raid1|--raid5|--raid6|--raid10|--raid50|--raid60) DISKS\n"
		    "                    [--spans N] [--spare N] [--chunk SIZE] [--device DEV] [-J]",
	.options = geometry_opts,
	.opts_size = sizeof(struct geometry_options),
	.init = geometry_init,
	.run = geometry_run,
};
