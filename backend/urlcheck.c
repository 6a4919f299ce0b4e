#include "urlcheck.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fileio.h"
#include "lib/macro.h"
#include "lib/names.h"
#include "lib/spawn.h"
#include "lib/strbuf.h"
#include "lib/strv.h"

#define MAX_ACTIVE 64                   /* easy handles in the multi at once */
#define MARKER_MAX_BYTES (1ull << 30)   /* a freshness marker larger than this is not fetched */
#define RSYNC_LIST_MAX ((size_t)512 << 20)   /* captured rsync listing */
#define DOWNLOAD_TIMEOUT 600            /* seconds for one marker download */
#define STRINGIFY_MAX_FETCH "256 MiB"   /* CHECK_FETCH_MAX in words */
#define RSYNC_FULL_TIMEOUT (4 * 3600)   /* a --full listing of a large module */

DEFINE_TRIVIAL_CLEANUP_FUNC(CURLM *, curl_multi_cleanup)
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free)

/* ---- results ---- */

/* A failed check with its position in check order (base 0, files, markers). */
static int fail(struct check_result *r, size_t *first_idx, size_t idx, const char *fmt, ...) _printf_(4, 5);
static int fail(struct check_result *r, size_t *first_idx, size_t idx, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	r->ok = false;
	r->failed++;
	if (r->first_failure && idx >= *first_idx)
		return 0;
	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	free(r->first_failure);
	r->first_failure = msg;
	*first_idx = idx;
	return 0;
}

void check_result_free(struct check_result *r)
{
	free(r->first_failure);
	*r = (struct check_result){ 0 };
}

/* SHA-256 and size of what fd reads; the first bytes into head when given. */
static int sha256_fd(int fd, unsigned char md[32], uint64_t *size, char *head, size_t *head_len)
{
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char buf[65536];
	ssize_t n;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
		return -ENOMEM;
	*size = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (head && *size < CHECK_HEAD_MAX) {
			size_t k = CHECK_HEAD_MAX - *size < (size_t)n ? CHECK_HEAD_MAX - *size : (size_t)n;
			memcpy(head + *size, buf, k);
			*head_len = *size + k;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	if (n < 0)
		return negative_errno();
	return EVP_DigestFinal_ex(ctx, md, NULL) ? 0 : -EIO;
}

/* A regular file only: a FIFO or a link to /dev/zero in the mirror user's tree
 * would hang the check. */
int check_sha256_file(const char *path, unsigned char md[32], uint64_t *size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return negative_errno();
	return S_ISREG(st.st_mode) ? sha256_fd(fd, md, size, NULL, NULL) : -EINVAL;
}

/* A file the user's rsync wrote: read as that user (a link it planted leads
 * only where the user may read anyway). */
static int sha256_file_as(const struct run_as *user, const char *path, unsigned char md[32], uint64_t *size)
{
	struct run_as_saved saved = { 0 };
	int r = user ? run_as_enter(user, &saved) : 0;

	if (r < 0)
		return r;
	r = check_sha256_file(path, md, size);
	run_as_leave(&saved);
	return r;
}

static char *local_path(const char *local, const char *rel)
{
	char *p;
	return asprintf(&p, "%s/%s", local, rel) < 0 ? NULL : p;
}

/* ---- HTTP(S) ---- */

enum req_kind { REQ_BASE, REQ_FILE, REQ_MARKER, REQ_FETCH };

struct req {
	size_t target;
	size_t idx;               /* position in check order */
	enum req_kind kind;
	const char *rel;
	char *url;
	uint64_t local_size;
	unsigned char local_md[32];
	EVP_MD_CTX *md;           /* markers: hash of the download */
	uint64_t got;
	bool too_big;
	struct check_fetched *out; /* REQ_FETCH: where the download goes */
	CURL *easy;               /* while in the multi */
	char errbuf[CURL_ERROR_SIZE];
};

struct req_list {
	struct req *v;
	size_t n, cap;
};

static int req_push(struct req_list *l, const struct req *q)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct req *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *q;
	return 0;
}

static void req_list_free(struct req_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].easy)
			curl_easy_cleanup(l->v[i].easy);
		EVP_MD_CTX_free(l->v[i].md);
		free(l->v[i].url);
	}
	free(l->v);
	*l = (struct req_list){ 0 };
}

/* URL path of a relative file name: everything but unreserved characters and '/' escaped. */
static char *url_for(const char *base, const char *rel)
{
	struct strbuf sb = { 0 };

	strbuf_adds(&sb, base);
	if (rel) {
		strbuf_addc(&sb, '/');
		for (const unsigned char *p = (const unsigned char *)rel; *p; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			    strchr("/-._~", *p))
				strbuf_addc(&sb, (char)*p);
			else
				strbuf_addf(&sb, "%%%02X", *p);
		}
	}
	return strbuf_steal(&sb, NULL);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct req *q = userdata;
	size_t n = size * nmemb;

	if (q->out && q->got < CHECK_HEAD_MAX) {
		size_t k = CHECK_HEAD_MAX - q->got < n ? CHECK_HEAD_MAX - q->got : n;
		memcpy(q->out->head + q->got, data, k);
		q->out->head_len = q->got + k;
	}
	q->got += n;
	/* more than the local copy: not identical, stop reading (a fetch: over the limit) */
	if (q->got > q->local_size) {
		q->too_big = true;
		return 0;
	}
	EVP_DigestUpdate(q->md, data, n);
	return n;
}

static CURL *req_handle(struct req *q, const struct check_opts *o, struct curl_slist *headers)
{
	CURL *e = curl_easy_init();

	if (!e)
		return NULL;
	curl_easy_setopt(e, CURLOPT_URL, q->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, q);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);   /* the crawler does not follow either */
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)o->timeout);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, q->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file);
	if (q->kind == REQ_MARKER || q->kind == REQ_FETCH) {
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(e, CURLOPT_WRITEDATA, q);
		curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)DOWNLOAD_TIMEOUT);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)o->timeout);
	} else {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
		curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)o->timeout);
	}
	return e;
}

static const char *kind_what(const struct req *q)
{
	return q->kind == REQ_BASE ? "base URL" : q->rel;
}

/* A fetched marker: its hash and head, or why there is none. */
static int fetch_done(struct req *q, CURL *e, CURLcode cc)
{
	struct check_fetched *f = q->out;
	long status = 0;

	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK && q->too_big)
		f->error = strdup("larger than " STRINGIFY_MAX_FETCH);
	else if (cc != CURLE_OK)
		f->error = strdup(q->errbuf[0] ? q->errbuf : curl_easy_strerror(cc));
	else if (status != 200)
		return asprintf(&f->error, "HTTP %ld", status) < 0 ? -ENOMEM : 0;
	else if (!EVP_DigestFinal_ex(q->md, f->md, NULL))
		return -EIO;
	else {
		f->ok = true;
		f->size = q->got;
		return 0;
	}
	return f->error ? 0 : -ENOMEM;
}

static int req_free(struct req *q, CURL *e, CURLcode cc, struct check_result *r, size_t *first)
{
	long status = 0;
	curl_off_t clen = -1;

	if (q->kind == REQ_FETCH)
		return fetch_done(q, e, cc);
	if (cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && q->too_big))
		return fail(r, first, q->idx, "%s: %s", kind_what(q), q->errbuf[0] ? q->errbuf : curl_easy_strerror(cc));
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (q->kind == REQ_BASE)
		return status < 400 ? 0 : fail(r, first, q->idx, "base URL: HTTP %ld", status);
	if (status != 200)
		return fail(r, first, q->idx, "%s: HTTP %ld", q->rel, status);
	if (q->kind == REQ_FILE) {
		curl_easy_getinfo(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &clen);
		if (clen < 0)
			return fail(r, first, q->idx, "%s: no Content-Length", q->rel);
		if ((uint64_t)clen != q->local_size)
			return fail(r, first, q->idx, "%s: size %lld, local %llu", q->rel, (long long)clen,
				    (unsigned long long)q->local_size);
		return 0;
	}
	unsigned char md[32];
	if (q->too_big || q->got != q->local_size)
		return fail(r, first, q->idx, "%s: differs from the local copy (%s bytes, local %llu)", q->rel,
			    q->too_big ? "more" : "fewer", (unsigned long long)q->local_size);
	if (!EVP_DigestFinal_ex(q->md, md, NULL))
		return -EIO;
	if (memcmp(md, q->local_md, sizeof(md)) != 0)
		return fail(r, first, q->idx, "%s: differs from the local copy (SHA-256)", q->rel);
	return 0;
}

/* The requests of one target; local sizes and hashes are read here. */
static int add_target_reqs(struct req_list *reqs, size_t ti, const struct check_target *t,
			   struct check_result *r, size_t *first)
{
	size_t idx = 0;
	struct req q;
	int k;

	q = (struct req){ .target = ti, .idx = idx++, .kind = REQ_BASE, .url = url_for(t->url, NULL) };
	if (!q.url || (k = req_push(reqs, &q)) < 0) {
		free(q.url);
		return -ENOMEM;
	}
	for (int pass = 0; pass < 2; pass++) {
		char *const *list = pass == 0 ? t->files : t->markers;
		for (size_t i = 0; list && list[i]; i++, idx++) {
			_cleanup_free_ char *lp = local_path(t->local, list[i]);
			struct stat st;
			if (!lp)
				return -ENOMEM;
			q = (struct req){ .target = ti, .idx = idx, .kind = pass ? REQ_MARKER : REQ_FILE, .rel = list[i] };
			if (pass == 0) {
				if (stat(lp, &st) < 0) {
					if ((k = fail(r, first, idx, "%s: gone from the local tree", list[i])) < 0)
						return k;
					continue;
				}
				q.local_size = (uint64_t)st.st_size;
				r->files++;
			} else {
				if ((k = check_sha256_file(lp, q.local_md, &q.local_size)) < 0 || q.local_size > MARKER_MAX_BYTES) {
					if ((k = fail(r, first, idx, "%s: cannot read the local copy", list[i])) < 0)
						return k;
					continue;
				}
				if (!(q.md = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(q.md, EVP_sha256(), NULL)) {
					EVP_MD_CTX_free(q.md);
					return -ENOMEM;
				}
				r->markers++;
			}
			if (!(q.url = url_for(t->url, list[i])) || req_push(reqs, &q) < 0) {
				EVP_MD_CTX_free(q.md);
				free(q.url);
				return -ENOMEM;
			}
		}
	}
	return 0;
}

/* Runs the requests, at most MAX_ACTIVE in the multi and per_host per host. */
static int http_run(struct req_list *l, const struct check_opts *o, struct check_result *res, size_t *first)
{
	_cleanup_(curl_multi_cleanupp) CURLM *m = curl_multi_init();
	struct curl_slist *headers = NULL;
	size_t next = 0, active = 0;
	int r = 0;

	if (!m)
		return -ENOMEM;
	/* the crawler's headers; keep-alive comes with connection reuse in the multi */
	headers = curl_slist_append(headers, "Pragma: no-cache");
	headers = curl_slist_append(headers, "Connection: Keep-Alive");
	if (!headers)
		return -ENOMEM;
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, (long)o->per_host);
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)MAX_ACTIVE);

	while (r == 0 && (next < l->n || active)) {
		while (next < l->n && active < MAX_ACTIVE) {
			struct req *q = &l->v[next++];
			if (!(q->easy = req_handle(q, o, headers)) || curl_multi_add_handle(m, q->easy) != CURLM_OK) {
				r = -ENOMEM;
				break;
			}
			active++;
		}
		int running, left;
		if (!r && (curl_multi_perform(m, &running) != CURLM_OK ||
			   curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK))
			r = -EIO;
		CURLMsg *msg;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			CURL *e = msg->easy_handle;
			CURLcode cc = msg->data.result;
			struct req *q;
			curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&q);
			int k = req_free(q, e, cc, &res[q->target], &first[q->target]);
			if (k < 0 && !r)
				r = k;
			curl_multi_remove_handle(m, e);
			curl_easy_cleanup(e);
			q->easy = NULL;
			active--;
		}
	}
	/* after an internal error the rest leaves the multi before it is cleaned up */
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].easy) {
			curl_multi_remove_handle(m, l->v[i].easy);
			curl_easy_cleanup(l->v[i].easy);
			l->v[i].easy = NULL;
		}
	curl_slist_free_all(headers);
	return r;
}

/* ---- rsync ---- */

static int listed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct check_listed *)a)->path, ((const struct check_listed *)b)->path);
}

/* rsync prints a byte it considers unprintable (control characters, and in the
 * C locale every byte above 0x7f) as \#ooo, and a backslash before '#' as
 * \#134: decode in place so names compare with the local ones. */
static void rsync_unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r;) {
		if (r[0] == '\\' && r[1] == '#' && r[2] >= '0' && r[2] <= '3' && r[3] >= '0' && r[3] <= '7' &&
		    r[4] >= '0' && r[4] <= '7' && (r[2] != '0' || r[3] != '0' || r[4] != '0')) {
			*w++ = (char)((r[2] - '0') * 64 + (r[3] - '0') * 8 + (r[4] - '0'));
			r += 5;
		} else
			*w++ = *r++;
	}
	*w = '\0';
}

int check_parse_listing(char *out, struct check_listed **ret, size_t *n)
{
	struct check_listed *v = NULL;
	size_t cnt = 0, cap = 0;

	for (char *line = out, *nl; line && *line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		char mode[16], *p = line;
		unsigned long long size;
		int off = 0;
		/* exactly one blank before the name: a name may start with blanks */
		if (sscanf(p, "%15s %llu %*s %*s%n", mode, &size, &off) < 2 || off == 0 || p[off] != ' ' ||
		    !p[off + 1])
			continue;
		off++;
		rsync_unescape(p + off);
		if (cnt == cap) {
			cap = cap ? cap * 2 : 256;
			struct check_listed *nv = realloc(v, cap * sizeof(*nv));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[cnt++] = (struct check_listed){ .path = p + off, .size = size, .regular = mode[0] == '-' };
	}
	/* never NULL: qsort() and bsearch() must not get a null base, even for 0 entries */
	if (!v && !(v = calloc(1, sizeof(*v))))
		return -ENOMEM;
	qsort(v, cnt, sizeof(*v), listed_cmp);
	*ret = v;
	*n = cnt;
	return 0;
}

static void first_line(const char *s, char *buf, size_t len)
{
	if (!s)
		s = "";
	while (*s == '\n')
		s++;
	snprintf(buf, len, "%.*s", (int)strcspn(s, "\n"), s);
}

/* rsync exit 0, or 23/24 (some files missing or vanished) when allowed. */
static bool rsync_ok(const struct spawn_result *sr, bool partial_ok)
{
	return !sr->timed_out && (sr->exit_code == 0 || (partial_ok && (sr->exit_code == 23 || sr->exit_code == 24)));
}

static int rsync_fail(struct check_result *r, size_t *first, size_t idx, const char *what, const struct spawn_result *sr)
{
	char line[256];

	if (sr->timed_out)
		return fail(r, first, idx, "%s: rsync timed out", what);
	first_line(sr->err, line, sizeof(line));
	return fail(r, first, idx, "%s: rsync exit %d%s%s", what, sr->exit_code, *line ? ": " : "", line);
}

/* rsync with the crawler's options, then per-call arguments. */
static int rsync_argv(struct strvec *a, const struct check_opts *o)
{
	int r;
	if ((r = strvec_push(a, "rsync")) < 0 || (r = strvec_push(a, "--no-motd")) < 0 ||
	    (r = strvec_push(a, "--no-human-readable")) < 0 || (r = strvec_pushf(a, "--timeout=%u", o->timeout)) < 0 ||
	    (r = strvec_pushf(a, "--contimeout=%u", o->timeout)) < 0 || (r = strvec_push(a, "--exclude=.~tmp~")) < 0)
		return r;
	return 0;
}

static int rsync_spawn(struct strvec *a, const struct check_opts *o, unsigned timeout, size_t max_capture,
		       struct spawn_result *sr)
{
	struct spawn_opts so = { .capture_stdout = 1, .capture_stderr = 1, .timeout_sec = timeout,
				 .max_capture = max_capture, .user = o->user };
	return spawn_run(a->v, &so, sr);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct spawn_result *, spawn_result_free)

static int rsync_check_files(const struct check_target *t, const struct check_opts *o, bool full_listing,
			     const char *tmp, struct check_result *r, size_t *first)
{
	_cleanup_strvec_ struct strvec a = { 0 };
	struct spawn_result sr = { 0 };
	_cleanup_(spawn_result_freep) struct spawn_result *srp = &sr;
	_cleanup_free_ struct check_listed *v = NULL;
	size_t nv, nfiles = 0;
	int k;

	while (t->files && t->files[nfiles])
		nfiles++;
	if (!nfiles)
		return 0;
	/* the whole module for --full (as the crawler does), else just the sampled files */
	if ((k = rsync_argv(&a, o)) < 0 || (k = strvec_push(&a, "--list-only")) < 0)
		return k;
	if (full_listing) {
		if ((k = strvec_push(&a, "-r")) < 0 || (k = strvec_pushf(&a, "%s/", t->url)) < 0)
			return k;
	} else {
		if ((k = strvec_push(&a, "-R")) < 0)
			return k;
		for (size_t i = 0; i < nfiles; i++)
			if ((k = strvec_pushf(&a, "%s/./%s", t->url, t->files[i])) < 0)
				return k;
		/* several sources need a destination; --list-only writes nothing there */
		if ((k = strvec_pushf(&a, "%s/list", tmp)) < 0)
			return k;
	}
	k = rsync_spawn(&a, o, full_listing ? RSYNC_FULL_TIMEOUT : 10 * o->timeout, RSYNC_LIST_MAX, &sr);
	if (k < 0)
		return k;
	r->files += (unsigned)nfiles;
	if (!rsync_ok(&sr, true))
		return rsync_fail(r, first, 1, "file listing", &sr);
	if (sr.out_len >= RSYNC_LIST_MAX)
		return fail(r, first, 1, "file listing: larger than %zu MiB", RSYNC_LIST_MAX >> 20);
	if ((k = check_parse_listing(sr.out ? sr.out : (char *)"", &v, &nv)) < 0)
		return k;
	for (size_t i = 0; i < nfiles; i++) {
		_cleanup_free_ char *lp = local_path(t->local, t->files[i]);
		struct check_listed key = { .path = t->files[i] }, *hit;
		struct stat st;
		if (!lp)
			return -ENOMEM;
		if (stat(lp, &st) < 0)
			k = fail(r, first, 1 + i, "%s: gone from the local tree", t->files[i]);
		else if (!(hit = bsearch(&key, v, nv, sizeof(*v), listed_cmp)) || !hit->regular)
			k = fail(r, first, 1 + i, "%s: missing", t->files[i]);
		else if (hit->size != (uint64_t)st.st_size)
			k = fail(r, first, 1 + i, "%s: size %llu, local %llu", t->files[i],
				 (unsigned long long)hit->size, (unsigned long long)st.st_size);
		if (k < 0)
			return k;
	}
	return 0;
}

/* rsync -R of url's files into tmp/markers/, none larger than max_size, as o->user. */
static int rsync_download(const char *url, char *const *files, size_t n, uint64_t max_size, const struct check_opts *o,
			  const char *tmp, struct spawn_result *sr)
{
	_cleanup_strvec_ struct strvec a = { 0 };
	int k;

	if ((k = rsync_argv(&a, o)) < 0 || (k = strvec_push(&a, "-R")) < 0 ||
	    (k = strvec_pushf(&a, "--max-size=%llu", (unsigned long long)(max_size + 1))) < 0)
		return k;
	for (size_t i = 0; i < n; i++)
		if ((k = strvec_pushf(&a, "%s/./%s", url, files[i])) < 0)
			return k;
	if ((k = strvec_pushf(&a, "%s/markers/", tmp)) < 0)
		return k;
	return rsync_spawn(&a, o, DOWNLOAD_TIMEOUT, 0, sr);
}

static int rsync_check_markers(const struct check_target *t, const struct check_opts *o, size_t idx0,
			       const char *tmp, struct check_result *r, size_t *first)
{
	struct spawn_result sr = { 0 };
	_cleanup_(spawn_result_freep) struct spawn_result *srp = &sr;
	uint64_t largest = 0;
	size_t n = 0;
	int k;

	while (t->markers && t->markers[n])
		n++;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *lp = local_path(t->local, t->markers[i]);
		struct stat st;
		if (lp && stat(lp, &st) == 0 && (uint64_t)st.st_size > largest)
			largest = (uint64_t)st.st_size;
	}
	/* nothing larger than the largest local marker is fetched: it could not be identical */
	if ((k = rsync_download(t->url, t->markers, n, largest, o, tmp, &sr)) < 0)
		return k;
	if (!rsync_ok(&sr, true))
		return rsync_fail(r, first, idx0, "freshness markers", &sr);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *lp = local_path(t->local, t->markers[i]), *dl = NULL;
		unsigned char a_md[32], b_md[32];
		uint64_t a_size, b_size;
		if (!lp || asprintf(&dl, "%s/markers/%s", tmp, t->markers[i]) < 0)
			return -ENOMEM;
		r->markers++;
		if (check_sha256_file(lp, a_md, &a_size) < 0)
			k = fail(r, first, idx0 + i, "%s: cannot read the local copy", t->markers[i]);
		else if (sha256_file_as(o->user, dl, b_md, &b_size) < 0)
			k = fail(r, first, idx0 + i, "%s: missing (or larger than the local copy)", t->markers[i]);
		else if (a_size != b_size || memcmp(a_md, b_md, sizeof(a_md)) != 0)
			k = fail(r, first, idx0 + i, "%s: differs from the local copy (SHA-256)", t->markers[i]);
		if (k < 0)
			return k;
	}
	return 0;
}

/* A directory rsync writes into, as o->user. */
static int rsync_tmpdir(char *tmp, const struct check_opts *o)
{
	int k;

	if (!mkdtemp(tmp))
		return negative_errno();
	if (o->user && chown(tmp, o->user->uid, o->user->gid) < 0) {
		k = negative_errno();
		rmdir(tmp);
		return k;
	}
	return 0;
}

/* What rsync left there is the user's: removed as the user, so that a link it
 * swaps in for a directory leads nowhere root could delete (left behind when
 * that is impossible). */
static void rsync_tmpdir_remove(const char *tmp, const struct check_opts *o)
{
	struct run_as_saved saved = { 0 };

	if (!o->user || run_as_enter(o->user, &saved) == 0) {
		rm_tree(tmp);
		run_as_leave(&saved);
	}
}

static int rsync_target(const struct check_target *t, const struct check_opts *o, bool full_listing,
			struct check_result *r, size_t *first)
{
	_cleanup_strvec_ struct strvec a = { 0 };
	struct spawn_result sr = { 0 };
	_cleanup_(spawn_result_freep) struct spawn_result *srp = &sr;
	char tmp[] = "/tmp/mirrorprov-check-XXXXXX";
	size_t nfiles = 0;
	int k;

	/* the base URL: its top-level listing */
	if ((k = rsync_argv(&a, o)) < 0 || (k = strvec_push(&a, "--list-only")) < 0 || (k = strvec_pushf(&a, "%s/", t->url)) < 0)
		return k;
	if ((k = rsync_spawn(&a, o, 3 * o->timeout, 0, &sr)) < 0)
		return k;
	if (!rsync_ok(&sr, false))
		return rsync_fail(r, first, 0, "base URL", &sr);
	if ((k = rsync_tmpdir(tmp, o)) < 0)
		return k;
	while (t->files && t->files[nfiles])
		nfiles++;
	k = rsync_check_files(t, o, full_listing, tmp, r, first);
	if (k >= 0)
		k = rsync_check_markers(t, o, 1 + nfiles, tmp, r, first);
	rsync_tmpdir_remove(tmp, o);
	return k;
}

/* ---- entry ---- */

int check_run(const struct check_target *t, size_t n, const struct check_opts *o, struct check_result *res)
{
	_cleanup_(req_list_free) struct req_list reqs = { 0 };
	_cleanup_free_ size_t *first = calloc(n ? n : 1, sizeof(*first));
	int r;

	if (!first)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		res[i] = (struct check_result){ .ok = true };
		enum url_scheme s = url_scheme(t[i].url);
		if (s == URL_INVALID)
			return -EPROTONOSUPPORT;   /* ftp:// and everything else */
		if (s != URL_RSYNC && (r = add_target_reqs(&reqs, i, &t[i], &res[i], &first[i])) < 0)
			return r;
	}
	if ((r = http_run(&reqs, o, res, first)) < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (url_scheme(t[i].url) != URL_RSYNC)
			continue;
		if ((r = rsync_target(&t[i], o, o->full_listing, &res[i], &first[i])) < 0)
			return r;
	}
	return 0;
}

/* ---- fetching markers (propagation) ---- */

static int rsync_fetch(const char *url, char *const *markers, size_t n, const struct check_opts *o,
		       struct check_fetched *out)
{
	struct spawn_result sr = { 0 };
	_cleanup_(spawn_result_freep) struct spawn_result *srp = &sr;
	char tmp[] = "/tmp/mirrorprov-fetch-XXXXXX", line[256];
	int k;

	if ((k = rsync_tmpdir(tmp, o)) < 0)
		return k;
	k = rsync_download(url, markers, n, CHECK_FETCH_MAX, o, tmp, &sr);
	first_line(sr.err, line, sizeof(line));
	for (size_t i = 0; k >= 0 && i < n; i++) {
		_cleanup_free_ char *dl = NULL;
		struct check_fetched *f = &out[i];
		if (asprintf(&dl, "%s/markers/%s", tmp, markers[i]) < 0) {
			k = -ENOMEM;
			break;
		}
		/* written by the unprivileged rsync: read as a regular file only, never through a link */
		_cleanup_close_ int fd = open(dl, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    sha256_fd(fd, f->md, &f->size, f->head, &f->head_len) == 0)
			f->ok = true;
		else if (sr.timed_out)
			f->error = strdup("rsync timed out");
		else if (!rsync_ok(&sr, true))
			k = asprintf(&f->error, "rsync exit %d%s%s", sr.exit_code, *line ? ": " : "", line) < 0 ? -ENOMEM : 0;
		else
			f->error = strdup("missing (or larger than " STRINGIFY_MAX_FETCH ")");
		if (!f->ok && !f->error && k >= 0)
			k = -ENOMEM;
	}
	rsync_tmpdir_remove(tmp, o);
	return k < 0 ? k : 0;
}

int check_fetch_markers(const char *url, char *const *markers, const struct check_opts *o, struct check_fetched *out)
{
	_cleanup_(req_list_free) struct req_list reqs = { 0 };
	struct check_result dummy = { 0 };
	size_t n = 0, first = 0;
	int r;

	while (markers && markers[n])
		n++;
	for (size_t i = 0; i < n; i++)
		out[i] = (struct check_fetched){ 0 };
	switch (url_scheme(url)) {
	case URL_RSYNC:
		return n ? rsync_fetch(url, markers, n, o, out) : 0;
	case URL_INVALID:
		return -EPROTONOSUPPORT;
	default:
		break;
	}
	for (size_t i = 0; i < n; i++) {
		struct req q = { .kind = REQ_FETCH, .rel = markers[i], .local_size = CHECK_FETCH_MAX, .out = &out[i] };
		if (!(q.md = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(q.md, EVP_sha256(), NULL) ||
		    !(q.url = url_for(url, markers[i])) || req_push(&reqs, &q) < 0) {
			EVP_MD_CTX_free(q.md);
			free(q.url);
			return -ENOMEM;
		}
	}
	r = http_run(&reqs, o, &dummy, &first);
	check_result_free(&dummy);
	return r;
}

void check_fetched_free(struct check_fetched *f, size_t n)
{
	for (size_t i = 0; f && i < n; i++) {
		free(f[i].error);
		f[i].error = NULL;
	}
}

/* ---- the local side ---- */

static bool hidden(const char *name)
{
	return name[0] == '.';
}

/* nftw() has no user pointer */
static struct strvec *walk_out;
static size_t walk_prefix;

static int collect_file(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (ftw->level > 0 && hidden(path + ftw->base))
		return flag == FTW_D ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
	if (flag == FTW_F && S_ISREG(st->st_mode) && strvec_push(walk_out, path + walk_prefix) < 0)
		return FTW_STOP;
	return FTW_CONTINUE;
}

/* One random walk from local down to a file; 0 and *ret NULL when it hit an empty directory. */
static int descend(const char *local, char **ret)
{
	_cleanup_free_ char *rel = strdup("");
	*ret = NULL;

	for (unsigned depth = 0; rel && depth < 64; depth++) {
		_cleanup_free_ char *dir = rel[0] ? local_path(local, rel) : strdup(local);
		_cleanup_strvec_ struct strvec names = { 0 };
		DIR *d = dir ? opendir(dir) : NULL;
		struct dirent *de;
		int r = 0;

		if (!d)
			return dir ? 0 : -ENOMEM;
		while ((de = readdir(d)))
			if (!hidden(de->d_name) && (de->d_type == DT_DIR || de->d_type == DT_REG || de->d_type == DT_UNKNOWN))
				if ((r = strvec_push(&names, de->d_name)) < 0)
					break;
		closedir(d);
		if (r < 0)
			return r;
		if (!names.n)
			return 0;
		uint32_t pick;
		if (getrandom(&pick, sizeof(pick), 0) != sizeof(pick))
			pick = (uint32_t)rand();
		_cleanup_free_ char *next = rel[0] ? local_path(rel, names.v[pick % names.n]) : strdup(names.v[pick % names.n]);
		_cleanup_free_ char *full = next ? local_path(local, next) : NULL;
		struct stat st;
		if (!full)
			return -ENOMEM;
		if (lstat(full, &st) < 0)
			return 0;
		free(rel);
		rel = TAKE_PTR(next);
		if (S_ISREG(st.st_mode)) {
			*ret = TAKE_PTR(rel);
			return 0;
		}
		if (!S_ISDIR(st.st_mode))
			return 0;
	}
	return rel ? 0 : -ENOMEM;
}

int check_pick_files(const char *local, bool full, size_t n, char ***ret)
{
	_cleanup_strvec_ struct strvec out = { 0 };
	int r;

	if (full) {
		walk_out = &out;
		walk_prefix = strlen(local) + 1;
		r = nftw(local, collect_file, 32, FTW_PHYS | FTW_ACTIONRETVAL);
		walk_out = NULL;
		if (r != 0)
			return r < 0 ? negative_errno() : -ENOMEM;
		return strvec_steal(&out, true, ret);
	}
	/* random descents: cheap on a tree of millions of files, biased towards
	 * small directories, different files on each run */
	for (size_t tries = 0; out.n < n && tries < 20 * n; tries++) {
		_cleanup_free_ char *f = NULL;
		if ((r = descend(local, &f)) < 0)
			return r;
		if (!f)
			continue;
		if ((r = strvec_push_unique(&out, f)) < 0)
			return r;
	}
	return strvec_steal(&out, true, ret);
}

int check_expand_markers(const char *local, char *const *patterns, char ***ret, const char **unmatched)
{
	_cleanup_strvec_ struct strvec out = { 0 };
	size_t plen = strlen(local) + 1;
	int r;

	*unmatched = NULL;
	for (size_t i = 0; patterns && patterns[i]; i++) {
		size_t before = out.n;
		size_t len = strlen(patterns[i]);
		_cleanup_free_ char *pat = NULL;
		glob_t g;

		/* "dir/" means the files in dir */
		if (asprintf(&pat, "%s/%s%s", local, patterns[i], len && patterns[i][len - 1] == '/' ? "*" : "") < 0)
			return -ENOMEM;
		if (glob(pat, 0, NULL, &g) == 0) {
			for (size_t j = 0; j < g.gl_pathc; j++) {
				struct stat st;
				if (stat(g.gl_pathv[j], &st) == 0 && S_ISREG(st.st_mode) &&
				    (r = strvec_push(&out, g.gl_pathv[j] + plen)) < 0) {
					globfree(&g);
					return r;
				}
			}
			globfree(&g);
		}
		if (out.n == before && !*unmatched)
			*unmatched = patterns[i];
	}
	return strvec_steal(&out, true, ret);
}
