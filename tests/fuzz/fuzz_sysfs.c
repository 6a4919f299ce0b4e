/* What raid-inspect reads from sysfs and udev (raid/lun.c, block/blockdev.c):
 * WWIDs in every spelling (device/wwid, ID_WWN, by-id links, mpath uuids),
 * sysfs device paths (transport), kernel names (sorting) and numeric
 * attributes.  Input: NUL-separated strings.  Properties: a normalized NAA
 * WWID is "naa." + lower-case hex and normalizes to itself; the output never
 * overruns the buffer it was given (ASan: exact-size heap buffer); the name
 * order is a total order (qsort relies on it); an integer attribute is read
 * only when it is plain decimal (no sign, no junk), with its exact value. */
#include <errno.h>

#include "lib/macro.h"
#include "block/blockdev.h"
#include "raid/lun.h"
#include "fuzz.h"

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void check_wwid(const char *s, size_t len)
{
	_cleanup_free_ char *out = malloc(len ? len : 1);
	char again[80];

	if (!out || wwid_normalize(s, out, len) < 0)
		return;
	FUZZ_ASSERT(strlen(out) < len);
	if (strncmp(out, "naa.", 4) == 0 && strspn(out + 4, "0123456789abcdef") == strlen(out + 4) &&
	    (strlen(out) == 20 || strlen(out) == 36)) {
		FUZZ_ASSERT(wwid_normalize(out, again, sizeof(again)) == 0 && strcmp(again, out) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_strndup(data, size);
	const char *part[3] = { "", "", "" };

	/* up to three NUL-separated strings */
	for (size_t i = 0, at = 0; i < 3 && at <= size; i++) {
		part[i] = s + at;
		at += strlen(s + at) + 1;
	}
	const char *a = part[0], *b = part[1], *c = part[2];

	check_wwid(a, size ? data[size - 1] % 72 : 0);
	check_wwid(a, 64);
	(void)transport_to_string(transport_from_syspath(a));

	FUZZ_ASSERT(devname_cmp(a, a) == 0);
	FUZZ_ASSERT(sign(devname_cmp(a, b)) == -sign(devname_cmp(b, a)));
	FUZZ_ASSERT((devname_cmp(a, b) == 0) == (strcmp(a, b) == 0));
	if (devname_cmp(a, b) <= 0 && devname_cmp(b, c) <= 0)
		FUZZ_ASSERT(devname_cmp(a, c) <= 0);

	uint64_t v;
	if (sysfs_parse_u64(a, &v) == 0) {
		char buf[32];
		FUZZ_ASSERT(*a >= '0' && *a <= '9');
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
		size_t digits = strspn(a, "0123456789"), zeros = strspn(a, "0");
		FUZZ_ASSERT(a[digits] == '\0' || a[digits] == '\n' || a[digits] == ' ');
		FUZZ_ASSERT(v == 0 ? zeros == digits : strncmp(a + zeros, buf, digits - zeros) == 0);
	}

	if (size >= 20) {
		uint64_t min = 0, opt = 0;
		memcpy(&min, data, 8);
		memcpy(&opt, data + 8, 8);
		unsigned phys = (unsigned)data[16] << 8 | data[17];
		(void)io_hints_verdict_to_string(io_hints_classify(min, opt, phys));
	}
	return 0;
}
