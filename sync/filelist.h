/* fullfiletimelist-* parser: the file lists Fedora-family upstreams publish
 * for quick-fedora-mirror (create-filelist writes them).
 *
 * Format, as written by create-filelist and read by quick-fedora-mirror
 * (pkking/quick-mirror-openeuler @ 1a6f8c1, `create-filelist` main(),
 * `quick-fedora-mirror` check_file_list_version(), awk_extract_*()):
 *
 *   [Version]
 *   2                                   one integer; quick-fedora-mirror handles <= 3
 *
 *   [Files]
 *   MTIME<TAB>TYPE<TAB>SIZE<TAB>PATH    one row per entry, PATH relative to the module
 *
 *   [Checksums SHA1]                    also MD5, SHA256, SHA512 in Fedora's lists today
 *   HEX<TAB>PATH
 *
 *   [End]
 *
 * A blank line ends a section.  MTIME is int(max(st_mtime, st_ctime)), so a
 * new hard link to a file changes its row.  TYPE is f (file), d (directory)
 * or l (symlink, SIZE = length of the target), followed by '*' for an entry in
 * a restricted (not world-readable) directory or '-' for a not world-readable
 * entry; quick-fedora-mirror mirrors only the plain f, d, l entries unless
 * PREBITFLIP is set (tier 1).  A list without [End] is truncated.
 *
 * The parser streams: it holds one line (at most FILELIST_MAX_LINE bytes),
 * hands each entry and checksum to a callback and validates everything that
 * would be dangerous later: paths that are absolute, contain '.' or '..'
 * components, empty components, control characters or invalid UTF-8; sizes
 * above FILELIST_MAX_SIZE; versions above FILELIST_MAX_VERSION; unknown types;
 * text outside a section.  Errors come back as "line N: reason". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FILELIST_MAX_VERSION 3
#define FILELIST_MAX_LINE 8192            /* PATH_MAX plus the three fields, with room */
#define FILELIST_MAX_PATH 4095
#define FILELIST_MAX_SIZE (1ULL << 50)    /* 1 PiB: no single mirrored file is larger */
#define FILELIST_MAX_ENTRIES 50000000     /* fedora-buffet as a whole is ~12.4 million */

enum fl_kind { FL_FILE, FL_DIR, FL_LINK };

enum fl_access {
	FL_PUBLIC,      /* "f", "d", "l" */
	FL_RESTRICTED,  /* "f*": below a directory that is not world-readable */
	FL_UNREADABLE,  /* "f-": not world-readable itself */
};

/* Ordered weakest to strongest: the planner trusts the strongest one present. */
enum fl_digest { FL_MD5, FL_SHA1, FL_SHA224, FL_SHA256, FL_SHA384, FL_SHA512, FL_N_DIGESTS };

struct fl_entry {
	const char *path;      /* valid during the callback only */
	size_t path_len;
	int64_t mtime;
	uint64_t size;
	enum fl_kind kind;
	enum fl_access access;
	uint64_t offset;       /* of the row's first byte in the list */
};

struct fl_checksum {
	const char *path;      /* valid during the callback only */
	size_t path_len;
	enum fl_digest digest;
	uint8_t md[64];        /* binary digest */
	size_t md_len;
};

struct fl_callbacks {
	/* < 0 stops the parse and is returned (the callback sets *error or not). */
	int (*entry)(void *ud, const struct fl_entry *e, char **error);
	int (*checksum)(void *ud, const struct fl_checksum *c, char **error);
	void *ud;
	/* A list this program checked before (read again, or installed by it):
	 * the path rules are not applied again; the structure still is. */
	bool trusted;
};

struct fl_info {
	unsigned version;
	size_t entries, checksums;
	uint64_t lines;
};

/* Parses the list from f.  0 on a complete list.  -EBADMSG: malformed or
 * hostile (*error "line N: …"); -EPROTONOSUPPORT: version above
 * FILELIST_MAX_VERSION; -ENODATA: no [End] (truncated); -E2BIG: more than
 * FILELIST_MAX_ENTRIES entries; -errno from reading or a callback. */
int filelist_parse(FILE *f, const struct fl_callbacks *cb, struct fl_info *info, char **error);
int filelist_parse_file(const char *path, const struct fl_callbacks *cb, struct fl_info *info, char **error);

/* "SHA256", …; NULL when out of range. */
const char *fl_digest_name(enum fl_digest d);
/* Path rule for entries and checksums (also applied to local names):
 * NULL when acceptable, else a reason. */
const char *fl_check_path(const char *s, size_t n);
