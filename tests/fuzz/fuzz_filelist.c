/* fullfiletimelist-* text from an upstream: sync/filelist.c and the planner
 * (sync/flplan.c) on it.  Properties: every entry handed on has a relative,
 * clean path (no '.', '..', empty component, control character, invalid
 * UTF-8), a known type and a plausible size; an accepted list has a version
 * of at most 3 and an [End]; a failure explains itself as "line N: …"; the
 * planner, comparing an accepted list with itself and an absent tree,
 * transfers every public entry and deletes nothing. */
#include <errno.h>

#include "lib/macro.h"
#include "sync/filelist.h"
#include "sync/flplan.h"
#include "fuzz.h"

static int on_entry(void *ud, const struct fl_entry *e, char **error)
{
	size_t *public = ud;
	_cleanup_free_ char *path = strndup(e->path, e->path_len);

	FUZZ_ASSERT(path && strlen(path) == e->path_len);
	FUZZ_ASSERT(!fl_check_path(path, e->path_len));
	FUZZ_ASSERT(path[0] != '/' && !strstr(path, "//") && strcmp(path, "..") && strncmp(path, "../", 3));
	FUZZ_ASSERT(e->kind <= FL_LINK && e->access <= FL_UNREADABLE && e->size <= FILELIST_MAX_SIZE);
	*public += e->access == FL_PUBLIC;
	return 0;
}

static int on_checksum(void *ud, const struct fl_checksum *c, char **error)
{
	FUZZ_ASSERT(c->digest < FL_N_DIGESTS && c->md_len >= 16 && c->md_len <= 64);
	FUZZ_ASSERT(!memchr(c->path, '\n', c->path_len));
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *err = NULL, *err2 = NULL;
	size_t public = 0;
	struct fl_callbacks cb = { .entry = on_entry, .checksum = on_checksum, .ud = &public };
	struct fl_info info;
	FILE *f = fmemopen((void *)data, size ? size : 1, "r");
	int r;

	if (!f)
		return 0;
	r = size ? filelist_parse(f, &cb, &info, &err) : -ENODATA;
	fclose(f);
	if (r < 0) {
		FUZZ_ASSERT(r == -ENOMEM || (err && strncmp(err, "line ", 5) == 0) || (!size && r == -ENODATA));
		return 0;
	}
	FUZZ_ASSERT(info.version >= 1 && info.version <= FILELIST_MAX_VERSION);

	const char *path = fuzz_input_file("fullfiletimelist-fuzz", data, size);
	char local[300];
	snprintf(local, sizeof(local), "%s.absent", path);
	struct flplan_module m = { .list = path, .old_list = path, .local_dir = local, .since = INT64_MAX };
	struct flplan p;
	r = flplan_build(&m, NULL, NULL, &p, &err2);
	if (r < 0) {
		FUZZ_ASSERT(r == -ENOMEM || r == -EEXIST);  /* a path listed twice */
		return 0;
	}
	FUZZ_ASSERT(p.list_entries == public && p.missing == public && p.changed == 0);
	FUZZ_ASSERT(p.transfer_files + p.transfer_dirs + p.transfer_links == public);
	FUZZ_ASSERT(p.n_deletes == 0 && p.local_entries == 0);
	flplan_free(&p);
	return 0;
}
