/* The blank check's naming of what a device holds (block/blank.c): the bytes
 * come from the disk, so hostile.  Properties: the input is read only within
 * its first sector (ASan: the copy is exactly 512 bytes), the rank is 0, 1 or
 * 2, and what is named is printable ASCII (no terminal escapes from a tar
 * member name). */
#include <string.h>

#include "block/blank.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *sector = calloc(1, 512);
	struct blank_report r = { 0 };
	uint64_t off = 0;
	int k;

	if (!sector)
		return 0;
	/* the first 8 bytes choose the device offset (AG and group arithmetic) */
	if (size >= 8) {
		memcpy(&off, data, 8);
		data += 8, size -= 8;
	}
	memcpy(sector, data, size < 512 ? size : 512);
	k = blank_identify(sector, 512, off, &r);
	FUZZ_ASSERT(k >= 0 && k <= 2);
	FUZZ_ASSERT(memchr(r.what, '\0', sizeof(r.what)) && memchr(r.why, '\0', sizeof(r.why)));
	FUZZ_ASSERT((k == 0) == (r.what[0] == '\0'));
	for (const char *c = r.what; *c; c++)
		FUZZ_ASSERT(*c >= 0x20 && *c < 0x7f);
	free(sector);
	return 0;
}
