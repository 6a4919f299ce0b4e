/* How fresh each profile of the host is: the facts `mirrorprov status` shows,
 * collected from the history file (backend/history.h), the tree, the
 * filesystem and systemd's timers; and the records sync and check append.
 *
 * Freshness: a profile is stale when its last successful sync ended longer ago
 * than its threshold (profile key stale_after; by default twice the interval of
 * its schedule plus its timeout: one missed run and one that used all of its
 * time), or when it never synced successfully.
 *
 * Upstream lag: when the last successful sync finished (the local trace, or the
 * end of the run) minus the time the upstream's freshness marker states (Debian
 * and Ubuntu project/trace/master, Arch lastupdate, an epoch in a file, a
 * repomd.xml <revision>, else the marker's mtime, which rsync -t keeps): how
 * long after upstream published its state this host served it. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "backend/history.h"
#include "backend/urlcheck.h"
#include "sync/profile.h"
#include "sync/syncrun.h"

/* A freshness marker as found in a tree or fetched from a URL. */
struct marker_info {
	char path[512];        /* relative to the profile's directory */
	char sha256[65];       /* hex, "" when unknown */
	int64_t time;          /* what the marker states; 0 when unknown */
	const char *time_from; /* "content" or "mtime" (static) */
};

/* The time a marker's content states (see above), given its text; 0 when none. */
int64_t marker_time_of_text(const char *text, size_t len);
/* path's hash and time (content, else mtime).  -errno when it cannot be read. */
int marker_read(const char *path, struct marker_info *m);

/* Default threshold of a profile (stale_after, else from schedule and timeout). */
uint64_t status_stale_after(const struct profile *p);
/* Seconds between runs of a systemd OnCalendar= expression of the shapes the
 * profiles use (hourly, daily, weekly, *-*-* 00/6:00:00, *:0/15); 0 when not understood. */
uint64_t calendar_interval(const char *schedule);

/* Appends the record of one sync run (r: sync_run()'s return; host: the name
 * in the host's own trace file). */
int status_record_sync(const struct history_file *hf, const struct profile *p, const char *root, const char *host,
		       int r, const struct sync_result *res, time_t start, time_t end);
/* Appends one check record per profile from the rows of checkrun()
 * ({profile, url, result, failed, first_failure}). */
int status_record_checks(const struct history_file *hf, json_object *rows, time_t start, time_t end);

struct status_url {
	char *url;
	char *result;          /* check: "pass"/"FAIL"; propagation: "current", "behind", "different", "error" */
	char *detail;          /* first failure, or NULL */
	int64_t behind;        /* propagation "behind": seconds */
};

struct status_point {
	int64_t t;
	double v;
};

struct status_series {
	struct status_point *v;
	size_t n, cap;
};

struct profile_status {
	const struct profile *profile;
	uint64_t stale_after;
	bool stale;
	/* the newest sync record */
	int64_t last_time;           /* 0: never ran */
	char *last_result;           /* "ok", "failed", "timeout", "busy", "error" */
	char *last_message;
	double last_seconds;
	uint64_t last_bytes, last_files;
	/* the newest successful one */
	int64_t success_time;        /* 0: never */
	bool has_lag;
	int64_t lag;
	bool has_tree;
	uint64_t tree_bytes;         /* rsync's "Total file size" of the tree */
	/* now */
	int64_t next_run;            /* from the systemd timer; 0 unknown */
	bool has_fs;
	uint64_t fs_used, fs_size;
	/* the newest check and propagation records */
	int64_t check_time, prop_time;
	struct status_url *checks, *props;
	size_t n_checks, n_props;
	/* since status_opts.series_since, oldest first */
	struct status_series duration, lag_series, disk_used;
};

struct status_report {
	int64_t now;
	struct profile_status *v;
	size_t n;
	bool any_stale;
	struct history_scan_stats scan;
	bool no_history;
};

struct status_opts {
	const char *history;     /* file */
	const char *root;        /* mirror root */
	int64_t now;             /* 0: time(NULL) */
	int64_t series_since;    /* 0: no series */
	bool timers;             /* ask systemd for the next run */
};

int status_collect(const struct profile_set *set, const struct status_opts *o, struct status_report *rep);
void status_report_free(struct status_report *rep);

struct propagation_request {
	const struct profile *profile;
	const char *local;         /* the profile's tree: which markers to compare */
	const char *own_trace;    /* the host's trace file (relative), not compared; or NULL */
	const char *upstream;     /* rsync:// (or http) base of the upstream tree */
	char *const *urls;        /* the host's own URLs of the tree, NULL-terminated */
	const struct check_opts *opts;
};

/* Fetches the markers from upstream and from each URL; *ret is the history
 * record body: {"upstream": {url, markers: [{path, sha256, time}|{path, error}]},
 * "urls": [{url, state, behind_seconds, detail}]} with state "current",
 * "behind", "different" or "error" (upstream could not be read).
 * -ENODATA when the tree has none of the profile's markers. */
int propagation_run(const struct propagation_request *rq, json_object **ret);

/* `systemctl show --timestamp=unix --property=Id,NextElapseUSecRealtime
 * UNIT...` output (text is cut up): next[i] the next run of unit ids[i], 0
 * when it has none. */
void status_parse_timers(char *text, char *const *ids, size_t n, int64_t *next);

/* "3 d 4 h", "2 h 5 min", "40 s": the two largest units. */
void status_format_duration(int64_t seconds, char *buf, size_t len);
/* node_exporter textfile (written beside path, renamed over it). */
int status_write_prometheus(const struct status_report *rep, const char *path);
/* DIR/index.html, the public page (written beside, renamed over). */
int status_write_html(const struct status_report *rep, const char *host, const char *dir);
