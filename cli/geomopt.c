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

int geomopt_handle(struct geom_opts *o, int c, const char *arg)
{
	uint64_t v;
	int r;

	if (c >= GEOMOPT_BASE + RAID0 && c < GEOMOPT_BASE + _RAID_LEVEL_MAX) {
		if (o->in.level != RAID_INVALID)
			return usage_error("more than one RAID level given");
		o->in.level = (enum raid_level)(c - GEOMOPT_BASE);
		o->level_arg = raid_level_to_string(o->in.level);
		if ((r = count_arg("disk count", arg, &o->in.disks)))
			return r;
		o->given = true;
		return 1;
	}
	switch (c) {
	case GEOMOPT_LEVEL:
		if (o->in.level != RAID_INVALID)
			return usage_error("more than one RAID level given");
		o->in.level = raid_level_from_string(arg);
		if (o->in.level == RAID_INVALID)
			return usage_error("unknown RAID level '%s' (raid0, raid1, raid5, raid6, raid10, raid50, raid60)", arg);
		o->level_arg = arg;
		break;
	case GEOMOPT_DISKS:
		if ((r = count_arg("disk count", arg, &o->in.disks)))
			return r;
		break;
	case GEOMOPT_SPANS:
		if ((r = count_arg("span count", arg, &v)))
			return r;
		if (v == 0)
			return usage_error("span count must be at least 2");
		o->in.spans = v;
		break;
	case GEOMOPT_SPARE:
		if ((r = count_arg("spare count", arg, &o->in.spares)))
			return r;
		break;
	case GEOMOPT_CHUNK:
		r = parse_size(arg, &v);
		if (r == -ERANGE)
			return usage_error("chunk size '%s' is too large", arg);
		if (r < 0)
			return usage_error("chunk size '%s' is not a size (bytes, or k/KiB, m/MiB)", arg);
		if (v == 0)
			return usage_error("chunk size must not be 0");
		o->in.chunk = v;
		o->in.chunk_source = CHUNK_OPTION;
		break;
	default:
		return 0;
	}
	o->given = true;
	return 1;
}

int geomopt_compute(struct geom_opts *o, struct raid_geometry *g)
{
	const char *reason = NULL;

	if (o->in.level == RAID_INVALID)
		return usage_error("no RAID level given (e.g. --raid6 15)");
	if (o->in.disks == 0)
		return usage_error("no disk count given (e.g. --raid6 15 or --disks 15)");
	if (raid_geometry_compute(&o->in, g, &reason) < 0)
		return usage_error("%s", reason);
	return 0;
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
