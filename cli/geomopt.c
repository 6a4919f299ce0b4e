#include "geomopt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/size.h"
#include "mirrorprov.h"
#include "output.h"

void geomopt_init(struct geom_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->in.level = RAID_INVALID;
}

static int count_arg(const char *what, const char *arg, uint64_t *ret)
{
	int r = parse_count(arg, UINT32_MAX, ret);
	if (r == -ERANGE)
		return usage_error("%s '%s' is out of range", what, arg);
	if (r < 0)
		return usage_error("%s '%s' is not a non-negative whole number", what, arg);
	return 0;
}

static int set_level(struct geom_opts *o, enum raid_level level, const char *arg)
{
	if (o->in.level != RAID_INVALID)
		return usage_error("more than one RAID level given");
	o->in.level = level;
	o->level_arg = arg;
	o->given = true;
	return 0;
}

/* --raid6 DISKS: the option's name is the level. */
static int opt_raid(void *field, const char *arg, const struct opt *opt)
{
	struct geom_opts *o = field;
	enum raid_level level = raid_level_from_string(opt->name);

	return set_level(o, level, raid_level_to_string(level)) ?: count_arg("disk count", arg, &o->in.disks);
}

static int opt_level(void *field, const char *arg, const struct opt *opt)
{
	enum raid_level level = raid_level_from_string(arg);

	if (((struct geom_opts *)field)->in.level == RAID_INVALID && level == RAID_INVALID)
		return usage_error("unknown RAID level '%s' (raid0, raid1, raid5, raid6, raid10, raid50, raid60)", arg);
	return set_level(field, level, arg);
}

static int opt_disks(void *field, const char *arg, const struct opt *opt)
{
	struct geom_opts *o = field;

	o->given = true;
	return count_arg("disk count", arg, &o->in.disks);
}

static int opt_spans(void *field, const char *arg, const struct opt *opt)
{
	struct geom_opts *o = field;
	uint64_t v;
	int r;

	o->given = true;
	if ((r = count_arg("span count", arg, &v)))
		return r;
	if (v == 0)
		return usage_error("span count must be at least 2");
	o->in.spans = v;
	return 0;
}

static int opt_spare(void *field, const char *arg, const struct opt *opt)
{
	struct geom_opts *o = field;

	o->given = true;
	return count_arg("spare count", arg, &o->in.spares);
}

static int opt_chunk(void *field, const char *arg, const struct opt *opt)
{
	struct geom_opts *o = field;
	uint64_t v;
	int r = parse_size(arg, &v);

	o->given = true;
	if (r == -ERANGE)
		return usage_error("chunk size '%s' is too large", arg);
	if (r < 0)
		return usage_error("chunk size '%s' is not a size (bytes, or k/KiB, m/MiB)", arg);
	if (v == 0)
		return usage_error("chunk size must not be 0");
	o->in.chunk = v;
	o->in.chunk_source = CHUNK_OPTION;
	return 0;
}

static int opt_device(void *field, const char *arg, const struct opt *opt)
{
	struct geom_opts *o = field;

	o->given = true;
	o->device = arg;
	return 0;
}

#define RAID_OPT(level, help) { #level, 0, "DISKS", help, 0, opt_raid }
const struct opt geomopt_options[] = {
	RAID_OPT(raid0, "RAID level and number of member disks (spares not counted)"),
	RAID_OPT(raid1, "the same for RAID 1"),
	RAID_OPT(raid5, "the same for RAID 5"),
	RAID_OPT(raid6, "the same for RAID 6"),
	RAID_OPT(raid10, "the same for RAID 10"),
	RAID_OPT(raid50, "the same for RAID 50"),
	RAID_OPT(raid60, "the same for RAID 60"),
	{ "level", 0, "LEVEL", "the level spelled out (raid0 ... raid60), with --disks", 0, opt_level },
	{ "disks", 0, "N", "number of member disks, with --level", 0, opt_disks },
	{ "spans", 0, "N", "spans of a raid50/raid60 set (default 2)", 0, opt_spans },
	{ "spare", 0, "N", "hot spares: never part of the stripe", 0, opt_spare },
	{ "spares", 0, "N", NULL, 0, opt_spare },
	{ "chunk", 0, "SIZE", "per-disk strip (\"stripe size\" on many controllers);\n"
			      "bytes or k/K/KiB, m/M/MiB (default 64k)", 0, opt_chunk },
	{ "device", 0, "DEV", "read the I/O hints of DEV (a node or a WWID): its\n"
			      "minimum_io_size is the chunk when --chunk is absent", 0, opt_device },
	OPT_END,
};

int geomopt_compute(struct geom_opts *o, struct raid_geometry *g)
{
	const char *reason = NULL;
	int r;

	if (o->in.level == RAID_INVALID)
		return usage_error("no RAID level given (e.g. --raid6 15)");
	if (o->in.disks == 0)
		return usage_error("no disk count given (e.g. --raid6 15 or --disks 15)");
	if (o->device) {
		struct app_error e = { 0 };
		r = geom_device_read(o->device, &o->dev, &e);
		if (r < 0) {
			r = report_app_error(&e, r);
			app_error_free(&e);
			return r;
		}
		if (!o->in.chunk && (o->in.chunk = io_hints_chunk(o->dev.io_min, o->dev.physical_sector)))
			o->in.chunk_source = CHUNK_DEVICE;
	}
	if (raid_geometry_compute(&o->in, g, &reason) < 0)
		return usage_error("%s", reason);
	return 0;
}

int geomopt_device_match(const struct geom_opts *o, const struct raid_geometry *g)
{
	return o->device ? geom_device_match(&o->dev, g) : -1;
}

json_object *geomopt_device_json(const struct geom_opts *o, const struct raid_geometry *g)
{
	json_object *j;
	int m = geomopt_device_match(o, g);

	if (!o->device)
		return NULL;
	j = json_object_new_object();
	jset_str(j, "path", o->dev.path);
	jset_u64(j, "minimum_io_size", o->dev.io_min);
	jset_u64(j, "optimal_io_size", o->dev.io_opt);
	jset_str(j, "io_hints", io_hints_verdict_to_string(o->dev.verdict));
	if (m < 0)
		json_object_object_add(j, "matches", NULL);
	else
		jset_bool(j, "matches", m);
	return j;
}

void geomopt_device_explain(FILE *f, const struct geom_opts *o, const struct raid_geometry *g)
{
	char min[32], opt[32];
	int m = geomopt_device_match(o, g);

	if (!o->device)
		return;
	format_size_human(o->dev.io_min, min, sizeof(min));
	format_size_human(o->dev.io_opt, opt, sizeof(opt));
	fprintf(f, "device %s: minimum I/O %s, optimal I/O %s (%s)%s\n", o->dev.path, min, opt,
		io_hints_verdict_to_string(o->dev.verdict),
		m > 0 ? ": agrees with the computed stripe" : m == 0 ? ": DISAGREES with the computed stripe" : "");
}

void geomopt_device_warn(const struct geom_opts *o, const struct raid_geometry *g)
{
	const struct geom_device *d = &o->dev;
	char min[32], opt[32], su[32], width[32];

	if (!o->device)
		return;
	format_size_human(d->io_min, min, sizeof(min));
	format_size_human(d->io_opt, opt, sizeof(opt));
	format_size_human(g->su_bytes, su, sizeof(su));
	format_size_human(g->stripe_width_bytes, width, sizeof(width));
	if (g->chunk_source == CHUNK_DEFAULT)
		log_warn("%s reports no usable chunk (minimum I/O %s)", d->path, min);
	if (d->verdict == IO_HINTS_BOGUS || d->verdict == IO_HINTS_INCONSISTENT)
		log_warn("%s reports %s I/O hints (minimum %llu, optimal %llu bytes): ignored", d->path,
			 io_hints_verdict_to_string(d->verdict), (unsigned long long)d->io_min,
			 (unsigned long long)d->io_opt);
	if (geomopt_device_match(o, g) == 0)
		log_warn("%s reports minimum/optimal I/O %s/%s but the computed stripe unit/width is %s/%s: "
			 "check the RAID level, disk count and chunk", d->path, min, opt, su, width);
}

json_object *geometry_to_json(const struct raid_geometry *g)
{
	json_object *o = json_object_new_object(), *args = json_object_new_array();
	char dopt[64];

	jset_str(o, "level", raid_level_to_string(g->level));
	jset_u64(o, "disks", g->disks);
	jset_u64(o, "spares", g->spares);
	jset_u64(o, "spans", g->spans);
	jset_u64(o, "data_disks", g->data_disks);
	jset_u64(o, "parity_disks", g->parity_disks);
	jset_u64(o, "chunk_bytes", g->chunk_bytes);
	jset_str(o, "chunk_source", chunk_source_to_string(g->chunk_source));
	jset_u64(o, "su_bytes", g->su_bytes);
	jset_u64(o, "sw", g->sw);
	jset_u64(o, "stripe_width_bytes", g->stripe_width_bytes);
	jset_u64(o, "sunit_sectors", g->sunit_sectors);
	jset_u64(o, "swidth_sectors", g->swidth_sectors);
	jset_u64(o, "sunit_blocks", g->sunit_blocks);
	jset_u64(o, "swidth_blocks", g->swidth_blocks);
	raid_geometry_mkfs_dopt(g, dopt, sizeof(dopt));
	if (*dopt) {
		json_object_array_add(args, json_object_new_string("-d"));
		json_object_array_add(args, json_object_new_string(dopt));
	}
	json_object_object_add(o, "mkfs_args", args);
	return o;
}

static void upper(char *dst, const char *src, size_t len)
{
	size_t i;
	for (i = 0; src[i] && i + 1 < len; i++)
		dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
	dst[i] = '\0';
}

void geometry_explain(FILE *f, const struct raid_geometry *g)
{
	char lvl[16], chunk[32], width[32], dopt[64], spares[64] = "";

	upper(lvl, raid_level_to_string(g->level), sizeof(lvl));
	if (g->spares)
		snprintf(spares, sizeof(spares), "; %u hot spare%s (not in the stripe)", g->spares,
			 g->spares == 1 ? "" : "s");

	switch (g->level) {
	case RAID1:
		fprintf(f, "%s: %u disks mirrored, no striping%s\n", lvl, g->disks, spares);
		fprintf(f, "mkfs.xfs (no stripe options)\n");
		return;
	case RAID0:
		fprintf(f, "%s: %u disks = %u data, no parity%s\n", lvl, g->disks, g->data_disks, spares);
		break;
	case RAID10:
		fprintf(f, "%s: %u disks = %u data + %u mirror copies%s\n", lvl, g->disks, g->data_disks,
			g->parity_disks, spares);
		break;
	case RAID50:
	case RAID60:
		fprintf(f, "%s: %u disks in %u spans of %u = %u data + %u parity%s\n", lvl, g->disks, g->spans,
			g->disks / g->spans, g->data_disks, g->parity_disks, spares);
		break;
	default:
		fprintf(f, "%s: %u disks = %u data + %u parity%s\n", lvl, g->disks, g->data_disks,
			g->parity_disks, spares);
	}
	format_size_human(g->chunk_bytes, chunk, sizeof(chunk));
	format_size_human(g->stripe_width_bytes, width, sizeof(width));
	fprintf(f, "chunk %s (%s) x %u data disks = full stripe %s\n", chunk,
		g->chunk_source == CHUNK_DEFAULT ? "assumed default" :
		g->chunk_source == CHUNK_DEVICE ? "from the device's minimum I/O size" : "given",
		g->sw, width);
	raid_geometry_mkfs_dopt(g, dopt, sizeof(dopt));
	fprintf(f, "mkfs.xfs -d %s\n", dopt);
}

void geometry_warn(const struct raid_geometry *g)
{
	if (g->chunk_source == CHUNK_DEFAULT)
		log_warn("no --chunk given; assuming a 64 KiB chunk: check the controller's strip size");
	if (g->chunk_not_pow2)
		log_warn("chunk %llu bytes is not a power of two; accepted, but check the controller",
			 (unsigned long long)g->chunk_bytes);
}
