/* /proc/self/mountinfo (or MIRRORPROV_MOUNTINFO) text: lib/mountinfo.c.
 * Properties: every kept entry has all fields; a decoded field is never longer
 * than its escaped form; lookups by device agree with the table. */
#include <errno.h>
#include <sys/sysmacros.h>

#include "lib/macro.h"
#include "lib/mountinfo.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_strndup(data, size);
	_cleanup_free_ char *esc = fuzz_strndup(data, size);
	struct mount_table t;
	const char *targets[4];
	size_t before = strlen(esc);
	int r;

	unescape_octal(esc);
	FUZZ_ASSERT(strlen(esc) <= before);

	r = mountinfo_parse(text, &t);
	if (r < 0) {
		FUZZ_ASSERT(r == -ENOMEM);
		return 0;
	}
	for (size_t i = 0; i < t.n; i++) {
		const struct mount_entry *e = &t.v[i];
		FUZZ_ASSERT(e->root && e->target && e->fstype && e->source && e->options && e->super_options);
		FUZZ_ASSERT(!strchr(e->fstype, '\n') && !strchr(e->options, ' '));
		size_t n = mountinfo_find_dev(&t, makedev(e->major, e->minor), targets, 4);
		FUZZ_ASSERT(n >= 1);
	}
	mount_table_free(&t);
	return 0;
}
