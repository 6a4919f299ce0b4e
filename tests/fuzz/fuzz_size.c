/* Size and count arguments (--chunk, disk counts): lib/size.c.  Properties:
 * a parsed size prints back (format_size_suffix) to text that parses to the
 * same value; counts never exceed their maximum. */
#include <errno.h>
#include <stdio.h>

#include "lib/macro.h"
#include "lib/size.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_strndup(data, size);
	char buf[64], human[64];
	uint64_t v, back, c;
	int r;

	r = parse_size(s, &v);
	FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r == 0) {
		format_size_suffix(v, buf, sizeof(buf));
		FUZZ_ASSERT(parse_size(buf, &back) == 0 && back == v);
		format_size_human(v, human, sizeof(human));
		FUZZ_ASSERT(human[0] >= '0' && human[0] <= '9');
		if (v)
			FUZZ_ASSERT(lcm_u64(v, 1024 * 1024) == 0 || lcm_u64(v, 1024 * 1024) % v == 0);
	}
	r = parse_count(s, UINT32_MAX, &c);
	FUZZ_ASSERT(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r == 0)
		FUZZ_ASSERT(c <= UINT32_MAX);
	return 0;
}
