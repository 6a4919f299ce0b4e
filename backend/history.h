/* The history file: one JSON object per line, appended by every sync, check
 * and propagation run, read by `mirrorprov status`.
 *
 * Where: $STATE_DIRECTORY (systemd's StateDirectory=, the first entry; tests
 * set it) or /var/lib/mirrorprov, then history.jsonl.  The mirrorprov process
 * itself writes it: as mirror.user under the sync units (User= in the unit
 * layout writes), as root when an admin runs a verb by hand; root hands the
 * file to mirror.user (history_file.uid) so that both keep appending.  Mode
 * 0644: everyone may read it, the public page shows nothing secret.
 *
 * Every line starts with a fixed head, written in this order so that the
 * reader can skip records without parsing them:
 *   {"type":"sync","profile":"fedora","time":1764600000,...}
 * type is "sync", "check" or "propagation"; time is when the run ended.
 *
 * Appends are atomic per record: the record and its newline go out in one
 * write() on an O_APPEND descriptor.  Linux holds the inode lock for the whole
 * write to a regular file, so no other append can land inside a record; records
 * are at most HISTORY_RECORD_MAX bytes.  mirrorprov writers also hold flock()
 * while appending, which orders them with compaction.  A torn line (a crash or
 * a full disk in the middle of a write) is ended before the next record so that
 * it costs only itself.
 *
 * Bounded: when an append leaves the file over HISTORY_MAX_BYTES, it is
 * compacted to its newest whole lines within HISTORY_KEEP_BYTES (copied beside it,
 * renamed over it, under the lock; an appender that waited on the old file
 * notices the rename and appends to the new one).
 *
 * Reading goes backwards from the end in bounded chunks, so `status` touches
 * only the records it needs; a line that is not a JSON object with that head
 * is counted as corrupt and skipped. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HISTORY_FILE "history.jsonl"
#define HISTORY_RECORD_MAX (64u * 1024)
/* A year of 14 profiles synced every 15 minutes is about 190 MiB: the file
 * keeps at least 14 months of that. */
#define HISTORY_MAX_BYTES (320ull << 20)
#define HISTORY_KEEP_BYTES (224ull << 20)

/* STATE/history.jsonl (lib/fileio.h state_path()), malloc'd; NULL on ENOMEM. */
char *history_default_path(void);

struct history_file {
	const char *path;
	/* Owner of the file; (uid_t)-1: leave it.  The generated timers run sync
	 * as mirror.user while root runs it by hand, so root hands the file (and
	 * a compacted copy) to mirror.user and both can keep appending. */
	uid_t uid;
	gid_t gid;
	uint64_t max_bytes, keep_bytes;   /* 0: HISTORY_MAX_BYTES, HISTORY_KEEP_BYTES */
};

/* Appends {"type":type,"profile":profile,"time":time, ...body's members}.
 * body is not consumed.  -E2BIG for a record over HISTORY_RECORD_MAX,
 * -EINVAL for a type or profile that is not a safe name, -EPERM (as root)
 * for a file with several links or of another owner than root or hf->uid,
 * other -errno.  The file is opened without following a link. */
int history_append(const struct history_file *hf, const char *type, const char *profile, int64_t time,
		   json_object *body);

/* Times past the end of year 9999 are corrupt (gmtime() has no answer for some). */
#define HISTORY_TIME_MAX 253402300799LL

struct history_head {
	char type[16];
	char profile[128];
	int64_t time;
};

/* Before parsing a record: HISTORY_PARSE to get it, HISTORY_SKIP, HISTORY_STOP. */
enum history_want { HISTORY_SKIP, HISTORY_PARSE, HISTORY_STOP };
typedef enum history_want (*history_want_fn)(const struct history_head *h, void *userdata);
/* A parsed record (borrowed: take a reference to keep it).  Non-zero stops the scan. */
typedef int (*history_visit_fn)(const struct history_head *h, json_object *rec, void *userdata);

struct history_scan_stats {
	size_t records;           /* well-formed records seen */
	size_t corrupt;           /* lines skipped */
	uint64_t first_corrupt;   /* byte offset of the corrupt line nearest the start */
};

/* Newest record first.  0 when the scan ended (stopped or at the start of the
 * file); -ENOENT when there is no history yet; other -errno. */
int history_scan_back(const char *path, history_want_fn want, history_visit_fn visit, void *userdata,
		      struct history_scan_stats *stats);
