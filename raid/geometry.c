#include "geometry.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/size.h"

static const char *const level_names[_RAID_LEVEL_MAX] = {
	[RAID0] = "raid0",   [RAID1] = "raid1",   [RAID5] = "raid5",  [RAID6] = "raid6",
	[RAID10] = "raid10", [RAID50] = "raid50", [RAID60] = "raid60",
};

enum raid_level raid_level_from_string(const char *s)
{
	if (!s)
		return RAID_INVALID;
	for (int i = 0; i < _RAID_LEVEL_MAX; i++)
		if (strcmp(s, level_names[i]) == 0 || strcmp(s, level_names[i] + 4) == 0)
			return (enum raid_level)i;
	return RAID_INVALID;
}

const char *raid_level_to_string(enum raid_level l)
{
	return l >= 0 && l < _RAID_LEVEL_MAX ? level_names[l] : NULL;
}

bool raid_level_has_spans(enum raid_level l)
{
	return l == RAID50 || l == RAID60;
}

const char *chunk_source_to_string(enum chunk_source s)
{
	switch (s) {
	case CHUNK_OPTION: return "option";
	case CHUNK_DEVICE: return "device";
	default: return "default";
	}
}

#define FAIL(err, msg)                  \
	do {                            \
		*reason = (msg);        \
		return -(err);          \
	} while (0)

/* Parity disks per span for the striped-parity levels. */
static unsigned parity_per_span(enum raid_level l)
{
	return (l == RAID5 || l == RAID50) ? 1 : 2;
}

int raid_geometry_compute(const struct raid_input *in, struct raid_geometry *g, const char **reason)
{
	static const char *unused;
	unsigned n, spans = 1, data;

	if (!reason)
		reason = &unused;
	memset(g, 0, sizeof(*g));

	if (in->level <= RAID_INVALID || in->level >= _RAID_LEVEL_MAX)
		FAIL(EINVAL, "unknown RAID level");
	if (in->disks > GEOM_MAX_DISKS)
		FAIL(ERANGE, "too many disks (at most 4096)");
	if (in->spares > GEOM_MAX_DISKS)
		FAIL(ERANGE, "too many hot spares (at most 4096)");
	n = (unsigned)in->disks;

	if (in->spans && !raid_level_has_spans(in->level))
		FAIL(EINVAL, "--spans applies only to raid50 and raid60");

	switch (in->level) {
	case RAID0:
		if (n < 2)
			FAIL(EINVAL, "raid0 needs at least 2 disks");
		data = n;
		break;
	case RAID1:
		if (n < 2)
			FAIL(EINVAL, "raid1 needs at least 2 disks");
		data = 0;
		break;
	case RAID5:
		if (n < 3)
			FAIL(EINVAL, "raid5 needs at least 3 disks");
		data = n - 1;
		break;
	case RAID6:
		if (n < 4)
			FAIL(EINVAL, "raid6 needs at least 4 disks");
		data = n - 2;
		break;
	case RAID10:
		if (n < 4)
			FAIL(EINVAL, "raid10 needs at least 4 disks");
		if (n % 2)
			FAIL(EINVAL, "raid10 needs an even number of disks");
		data = n / 2;
		break;
	case RAID50:
	case RAID60: {
		unsigned per, min = in->level == RAID50 ? 3 : 4;
		spans = in->spans ? (in->spans > GEOM_MAX_DISKS ? 0 : (unsigned)in->spans) : 2;
		if (spans < 2)
			FAIL(EINVAL, "raid50 and raid60 need at least 2 spans");
		if (n % spans)
			FAIL(EINVAL, "disks are not divisible by spans");
		per = n / spans;
		if (per < min)
			FAIL(EINVAL, in->level == RAID50 ? "each raid50 span needs at least 3 disks"
							 : "each raid60 span needs at least 4 disks");
		data = spans * (per - parity_per_span(in->level));
		break;
	}
	default:
		FAIL(EINVAL, "unknown RAID level");
	}

	g->level = in->level;
	g->disks = n;
	g->spares = (unsigned)in->spares;
	g->spans = raid_level_has_spans(in->level) ? spans : 0;
	g->data_disks = in->level == RAID1 ? 1 : data;
	g->parity_disks = n - g->data_disks;
	g->chunk_source = in->chunk ? in->chunk_source : CHUNK_DEFAULT;
	g->chunk_bytes = in->chunk ? in->chunk : GEOM_DEFAULT_CHUNK;

	if (g->chunk_bytes % GEOM_FSBLOCK)
		FAIL(EINVAL, "chunk is not a multiple of 4 KiB");
	if (g->chunk_bytes > GEOM_MAX_WIDTH)
		FAIL(ERANGE, "chunk is larger than the 2 GiB stripe width mkfs.xfs accepts");
	g->chunk_not_pow2 = !is_power_of_2(g->chunk_bytes);

	if (in->level == RAID1)
		return 0;   /* mirrors do not stripe: plain mkfs.xfs */

	if (g->chunk_bytes * data > GEOM_MAX_WIDTH)
		FAIL(ERANGE, "stripe width su*sw exceeds the 2 GiB - 1 byte mkfs.xfs accepts");

	g->su_bytes = g->chunk_bytes;
	g->sw = data;
	g->stripe_width_bytes = g->su_bytes * data;
	g->sunit_sectors = g->su_bytes / GEOM_SECTOR;
	g->swidth_sectors = g->stripe_width_bytes / GEOM_SECTOR;
	g->sunit_blocks = g->su_bytes / GEOM_FSBLOCK;
	g->swidth_blocks = g->stripe_width_bytes / GEOM_FSBLOCK;
	return 0;
}

void raid_geometry_mkfs_dopt(const struct raid_geometry *g, char *buf, size_t len)
{
	char su[32];

	if (!g->sw) {
		if (len)
			buf[0] = '\0';
		return;
	}
	format_size_suffix(g->su_bytes, su, sizeof(su));
	snprintf(buf, len, "su=%s,sw=%u", su, g->sw);
}

uint64_t raid_geometry_align_bytes(const struct raid_geometry *g)
{
	const uint64_t mib = 1024 * 1024;

	return g->stripe_width_bytes ? lcm_u64(mib, g->stripe_width_bytes) : mib;
}
