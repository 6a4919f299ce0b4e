#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parse a byte count with an optional binary suffix: k/K/KiB, m/M/MiB,
 * g/G/GiB, t/T/TiB (all powers of 1024).  Returns 0, -EINVAL for malformed
 * text (negative numbers included) or -ERANGE on overflow. */
int parse_size(const char *s, uint64_t *ret);

/* Parse a plain non-negative decimal count no larger than max. */
int parse_count(const char *s, uint64_t max, uint64_t *ret);

/* "64k", "1m", "1536" — the shortest exact spelling mkfs.xfs accepts. */
void format_size_suffix(uint64_t bytes, char *buf, size_t len);

/* "64 KiB", "50.9 TiB" — for people; exact when the value is a whole unit. */
void format_size_human(uint64_t bytes, char *buf, size_t len);

static inline bool is_power_of_2(uint64_t v)
{
	return v && !(v & (v - 1));
}

uint64_t gcd_u64(uint64_t a, uint64_t b);
/* Least common multiple; 0 on overflow. */
uint64_t lcm_u64(uint64_t a, uint64_t b);
