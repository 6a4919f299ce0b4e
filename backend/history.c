#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/names.h"

#define SCAN_CHUNK (1u << 20)   /* > HISTORY_RECORD_MAX: a record always fits */

char *history_default_path(void)
{
	return state_path(HISTORY_FILE);
}

static char *record_text(const char *type, const char *profile, int64_t time, json_object *body, size_t *len)
{
	json_object *o = json_object_new_object();
	const char *s;
	char *line = NULL;

	if (!o)
		return NULL;
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "profile", json_object_new_string(profile));
	json_object_object_add(o, "time", json_object_new_int64(time));
	if (body) {
		json_object_object_foreach(body, k, v) {
			if (strcmp(k, "type") && strcmp(k, "profile") && strcmp(k, "time"))
				json_object_object_add(o, k, json_object_get(v));
		}
	}
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	/* room for a newline before (ending a torn line) and after */
	if (s && (line = malloc(strlen(s) + 3)))
		*len = (size_t)sprintf(line, "\n%s\n", s);
	json_object_put(o);
	return line;
}

/* Opens path for appending with the lock held, on the file that is at path now
 * (a compaction may have renamed a new one over the file we first opened). */
static int open_locked(const char *path, struct stat *st)
{
	for (int tries = 0; tries < 16; tries++) {
		_cleanup_close_ int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0644);
		struct stat now;

		if (fd < 0)
			return negative_errno();
		if (flock(fd, LOCK_EX) < 0 || fstat(fd, st) < 0)
			return negative_errno();
		if (!S_ISREG(st->st_mode))
			return -EINVAL;
		if (stat(path, &now) == 0 && now.st_dev == st->st_dev && now.st_ino == st->st_ino)
			return TAKE_FD(fd);
	}
	return -EAGAIN;
}

/* Keeps the newest whole lines within keep bytes: copied beside the file (in
 * chunks, never the whole file in memory), given its owner, renamed over it
 * while the caller holds the lock on the old one (fd). */
static int compact(const char *path, int fd, const struct stat *old, uint64_t keep)
{
	_cleanup_free_ char *tmp = NULL, *buf = malloc(SCAN_CHUNK);
	_cleanup_close_ int out = -1;
	uint64_t size = (uint64_t)old->st_size, from;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	if (size <= keep)
		return 0;
	/* from: just past the first newline at or after size - keep */
	for (from = size - keep;;) {
		ssize_t n = pread(fd, buf, SCAN_CHUNK, (off_t)from);
		if (n <= 0)
			return n < 0 ? negative_errno() : 0;
		char *nl = memchr(buf, '\n', (size_t)n);
		if (nl) {
			from += (uint64_t)(nl - buf) + 1;
			break;
		}
		from += (uint64_t)n;
	}
	if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
		return -ENOMEM;
	if ((out = mkostemp(tmp, O_CLOEXEC)) < 0)
		return negative_errno();
	if (fchmod(out, old->st_mode & 0777) < 0 ||
	    (old->st_uid != geteuid() && fchown(out, old->st_uid, old->st_gid) < 0))
		r = negative_errno();
	while (r == 0 && from < size) {
		ssize_t n = pread(fd, buf, SCAN_CHUNK, (off_t)from);
		if (n <= 0) {
			r = n < 0 ? negative_errno() : -EIO;
			break;
		}
		for (ssize_t done = 0; r == 0 && done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));
			if (w <= 0)
				r = w < 0 ? negative_errno() : -EIO;
			else
				done += w;
		}
		from += (uint64_t)n;
	}
	if (r == 0 && (fsync(out) < 0 || rename(tmp, path) < 0))
		r = negative_errno();
	if (r < 0)
		unlink(tmp);
	return r;
}

int history_append(const struct history_file *hf, const char *type, const char *profile, int64_t time,
		   json_object *body)
{
	_cleanup_free_ char *line = NULL, *dir = NULL;
	_cleanup_close_ int fd = -1;
	uint64_t max = hf->max_bytes ? hf->max_bytes : HISTORY_MAX_BYTES;
	uint64_t keep = hf->keep_bytes ? hf->keep_bytes : HISTORY_KEEP_BYTES;
	struct stat st;
	size_t len;
	char last = '\n';

	if (check_safe_name(type) || check_safe_name(profile))
		return -EINVAL;
	if (!(line = record_text(type, profile, time, body, &len)))
		return -ENOMEM;
	if (len - 1 > HISTORY_RECORD_MAX)
		return -E2BIG;
	if (!(dir = strdup(hf->path)))
		return -ENOMEM;
	if (strrchr(dir, '/') && strrchr(dir, '/') != dir) {
		*strrchr(dir, '/') = '\0';
		int r = mkdir_p(dir, 0755);
		if (r < 0)
			return r;
	}
	if ((fd = open_locked(hf->path, &st)) < 0)
		return fd;
	if (hf->uid != (uid_t)-1 && (st.st_uid != hf->uid || st.st_gid != hf->gid)) {
		if (fchown(fd, hf->uid, hf->gid) < 0)
			return negative_errno();
		st.st_uid = hf->uid;
		st.st_gid = hf->gid;
	}
	/* A torn last line is ended first so that it does not swallow this record. */
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
		return negative_errno();
	const char *data = last == '\n' ? line + 1 : line;
	size_t n = last == '\n' ? len - 1 : len;
	ssize_t w = write(fd, data, n);
	if (w < 0)
		return negative_errno();
	if ((size_t)w != n)
		return -ENOSPC;
	st.st_size += (off_t)n;
	if ((uint64_t)st.st_size > max)
		return compact(hf->path, fd, &st, keep);
	return 0;
}

/* *p at key, then a name up to the next '"' into buf: *p moves past both. */
static bool take_name(const char **p, const char *end, const char *key, char *buf, size_t size)
{
	size_t k = strlen(key);
	const char *q;

	if ((size_t)(end - *p) <= k || memcmp(*p, key, k))
		return false;
	*p += k;
	if (!(q = memchr(*p, '"', end - *p)) || (size_t)(q - *p) >= size)
		return false;
	memcpy(buf, *p, q - *p);
	buf[q - *p] = '\0';
	*p = q;
	return true;
}

/* The head as the writer puts it: {"type":"T","profile":"P","time":N followed
 * by ',' or '}'.  false when the line has another shape (parse it instead). */
static bool fast_head(const char *s, size_t len, struct history_head *h)
{
	static const char k3[] = "\",\"time\":";
	const char *end = s + len, *p = s;
	int64_t t = 0;

	if (!take_name(&p, end, "{\"type\":\"", h->type, sizeof(h->type)) ||
	    !take_name(&p, end, "\",\"profile\":\"", h->profile, sizeof(h->profile)))
		return false;
	if ((size_t)(end - p) < sizeof(k3) || memcmp(p, k3, sizeof(k3) - 1))
		return false;
	p += sizeof(k3) - 1;
	if (p == end || *p < '0' || *p > '9')
		return false;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (t > HISTORY_TIME_MAX / 10)
			return false;
		t = t * 10 + (*p - '0');
	}
	if (p == end || (*p != ',' && *p != '}') || t > HISTORY_TIME_MAX)
		return false;
	h->time = t;
	return !check_safe_name(h->type) && !check_safe_name(h->profile);
}

static bool head_of(json_object *o, struct history_head *h)
{
	json_object *t, *p, *tm;
	const char *ts, *ps;

	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "type", &t) ||
	    !json_object_object_get_ex(o, "profile", &p) || !json_object_object_get_ex(o, "time", &tm) ||
	    !json_object_is_type(t, json_type_string) || !json_object_is_type(p, json_type_string) ||
	    !json_object_is_type(tm, json_type_int))
		return false;
	ts = json_object_get_string(t);
	ps = json_object_get_string(p);
	if (check_safe_name(ts) || check_safe_name(ps) || strlen(ts) >= sizeof(h->type) ||
	    strlen(ps) >= sizeof(h->profile) || json_object_get_int64(tm) < 0 ||
	    json_object_get_int64(tm) > HISTORY_TIME_MAX)
		return false;
	strcpy(h->type, ts);
	strcpy(h->profile, ps);
	h->time = json_object_get_int64(tm);
	return true;
}

static json_object *parse_line(json_tokener *tok, const char *s, size_t len)
{
	json_object *o;

	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, s, (int)len);
	if (o && (json_tokener_get_error(tok) != json_tokener_success || json_tokener_get_parse_end(tok) != len)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static void corrupt(struct history_scan_stats *st, uint64_t off)
{
	st->corrupt++;
	st->first_corrupt = off;
}

/* One line (no newline).  1 to stop the scan. */
static int visit_line(const char *s, size_t len, uint64_t off, json_tokener *tok, history_want_fn want,
		      history_visit_fn visit, void *userdata, struct history_scan_stats *st)
{
	struct history_head h;
	json_object *o = NULL;
	int r = 0;

	if (len == 0)
		return 0;
	if (len > HISTORY_RECORD_MAX) {
		corrupt(st, off);
		return 0;
	}
	if (!fast_head(s, len, &h)) {
		if (!(o = parse_line(tok, s, len)) || !head_of(o, &h)) {
			json_object_put(o);
			corrupt(st, off);
			return 0;
		}
	}
	switch (want(&h, userdata)) {
	case HISTORY_STOP:
		r = 1;
		break;
	case HISTORY_SKIP:
		st->records++;   /* unparsed: counted as a record on the writer's word */
		break;
	case HISTORY_PARSE:
		if (!o && !(o = parse_line(tok, s, len))) {
			corrupt(st, off);
			break;
		}
		st->records++;
		r = visit(&h, o, userdata) != 0;
		break;
	}
	json_object_put(o);
	return r;
}

int history_scan_back(const char *path, history_want_fn want, history_visit_fn visit, void *userdata,
		      struct history_scan_stats *stats)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *buf = malloc(SCAN_CHUNK);
	json_tokener *tok = json_tokener_new();
	struct history_scan_stats st = { 0 };
	struct stat sb;
	uint64_t end;      /* file offset just past the unvisited part */
	int r = 0;

	if (fd < 0 || !buf || !tok) {
		r = fd < 0 ? negative_errno() : -ENOMEM;
		goto out;
	}
	if (fstat(fd, &sb) < 0) {
		r = negative_errno();
		goto out;
	}
	end = (uint64_t)sb.st_size;
	/* Each round reads the chunk that ends at `end` and visits its whole lines,
	 * newest first; a line cut by the chunk's start is read again next round. */
	while (end > 0) {
		uint64_t start = end > SCAN_CHUNK ? end - SCAN_CHUNK : 0;
		size_t n = (size_t)(end - start), got = 0;

		while (got < n) {
			ssize_t k = pread(fd, buf + got, n - got, (off_t)(start + got));
			if (k <= 0) {
				r = k < 0 ? negative_errno() : -EIO;
				goto out;
			}
			got += (size_t)k;
		}
		size_t e = n;       /* end of the current line within buf */
		if (buf[e - 1] == '\n')
			e--;
		for (;;) {
			char *nl = e ? memrchr(buf, '\n', e) : NULL;
			if (!nl && start > 0) {
				/* the line may begin before this chunk: read it again whole,
				 * unless it fills the chunk (longer than any record) */
				if (e + 1 >= n)
					corrupt(&st, start);
				end = e + 1 >= n ? start : start + e;
				break;
			}
			size_t b = nl ? (size_t)(nl - buf) + 1 : 0;
			if (visit_line(buf + b, e - b, start + b, tok, want, visit, userdata, &st))
				goto out;
			if (!nl) {
				end = 0;
				break;
			}
			e = b - 1;
		}
	}
out:
	if (tok)
		json_tokener_free(tok);
	if (stats)
		*stats = st;
	return r;
}
