#include "size.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *suffix;
	unsigned shift;
} size_suffixes[] = {
	{ "", 0 },
	{ "k", 10 }, { "K", 10 }, { "KiB", 10 },
	{ "m", 20 }, { "M", 20 }, { "MiB", 20 },
	{ "g", 30 }, { "G", 30 }, { "GiB", 30 },
	{ "t", 40 }, { "T", 40 }, { "TiB", 40 },
};

static int parse_digits(const char *s, const char **end, uint64_t *ret)
{
	uint64_t v = 0;
	const char *p = s;

	if (!p || !isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*end = p;
	*ret = v;
	return 0;
}

int parse_size(const char *s, uint64_t *ret)
{
	const char *end;
	uint64_t v;
	int r = parse_digits(s, &end, &v);

	for (size_t i = 0; r == 0 && i < sizeof(size_suffixes) / sizeof(size_suffixes[0]); i++) {
		unsigned shift = size_suffixes[i].shift;
		if (strcmp(end, size_suffixes[i].suffix) != 0)
			continue;
		if (shift && v > (UINT64_MAX >> shift))
			return -ERANGE;
		*ret = v << shift;
		return 0;
	}
	return r < 0 ? r : -EINVAL;
}

int parse_count(const char *s, uint64_t max, uint64_t *ret)
{
	const char *end;
	uint64_t v;
	int r = parse_digits(s, &end, &v);

	if (r == 0 && *end)
		r = -EINVAL;
	else if (r == 0 && v > max)
		r = -ERANGE;
	else if (r == 0)
		*ret = v;
	return r;
}

void format_size_suffix(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "kmgt";
	unsigned i = 0;

	while (bytes && !(bytes & 1023) && i < 4) {
		bytes >>= 10;
		i++;
	}
	if (i)
		snprintf(buf, len, "%llu%c", (unsigned long long)bytes, units[i - 1]);
	else
		snprintf(buf, len, "%llu", (unsigned long long)bytes);
}

void format_size_human(uint64_t bytes, char *buf, size_t len)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned i = 0;
	double v = (double)bytes;

	while (v >= 1024.0 && i < 6) {
		v /= 1024.0;
		i++;
	}
	if (i == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else if (bytes % (1ULL << (10 * i)) == 0)
		snprintf(buf, len, "%llu %s", (unsigned long long)(bytes >> (10 * i)), units[i]);
	else
		snprintf(buf, len, "%.1f %s", v, units[i]);
}

uint64_t gcd_u64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

uint64_t lcm_u64(uint64_t a, uint64_t b)
{
	uint64_t g;

	if (!a || !b)
		return 0;
	g = gcd_u64(a, b);
	a /= g;
	if (a > UINT64_MAX / b)
		return 0;
	return a * b;
}
