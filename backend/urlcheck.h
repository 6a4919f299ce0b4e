/* URL checks the way the MirrorManager crawler makes them, with the local tree
 * as the truth: the base URL answers, files exist with the local size, and the
 * freshness markers are byte-identical (SHA-256 of the full download).
 * HTTP(S) requests run concurrently on one libcurl multi handle (keep-alive,
 * a bounded number of connections per host, TLS verified); rsync URLs are
 * listed with the rsync client. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/runas.h"

struct check_target {
	const char *profile;
	const char *url;          /* http://, https:// or rsync:// base, no trailing slash */
	const char *local;        /* the local directory served at url */
	char *const *files;       /* relative paths to find with the local size (NULL-terminated) */
	char *const *markers;     /* relative paths that must be byte-identical */
};

struct check_opts {
	const char *ca_file;      /* extra trust anchor for https, or NULL */
	unsigned timeout;         /* seconds: connect, HEAD, stalled download, rsync I/O (default 10) */
	unsigned per_host;        /* concurrent connections per host (default 4) */
	const char *user_agent;
	bool full_listing;        /* rsync: one recursive listing of the module (for --full) */
	const struct run_as *user; /* runs the rsync client (it talks to the network); NULL: the caller */
};

struct check_result {
	bool ok;
	unsigned files, markers;  /* how many were checked */
	unsigned failed;          /* how many checks failed (base, files, markers) */
	char *first_failure;      /* "WHAT: why" of the first failed check in check order, or NULL */
};

/* Runs every check of every target; res[i] receives target i's verdict.
 * Returns 0 when the checks ran (look at res[].ok), -errno when they could not. */
int check_run(const struct check_target *t, size_t n, const struct check_opts *o, struct check_result *res);
void check_result_free(struct check_result *r);

/* The files to check below local: every regular file with --full (full), or a
 * random sample of n found by random descent.  Names starting with '.' (hidden,
 * partial transfers) are skipped.  Sorted, NULL-terminated. */
int check_pick_files(const char *local, bool full, size_t n, char ***ret);
/* Freshness patterns (glob(7), relative to local; "dir/" = the files in dir)
 * expanded against the local tree.  *unmatched gets the first pattern that
 * matched nothing (static storage of the caller's pattern), or NULL. */
int check_expand_markers(const char *local, char *const *patterns, char ***ret, const char **unmatched);

/* A freshness marker downloaded for comparison (propagation). */
#define CHECK_HEAD_MAX 4096                     /* bytes kept of its start: where markers state their time */
#define CHECK_FETCH_MAX (256ull << 20)          /* a larger marker is not fetched */
struct check_fetched {
	bool ok;
	unsigned char md[32];     /* SHA-256 of the whole download */
	uint64_t size;
	char head[CHECK_HEAD_MAX];
	size_t head_len;
	char *error;              /* why it could not be fetched ("HTTP 404", "missing", "rsync exit 10: ...") */
};

/* Downloads each of markers (relative paths) below url (http, https: in this
 * process, hashed and only its head kept; rsync: by the rsync client as
 * o->user into a private directory, read back without following links) into
 * out[i].  0 when the fetches ran (look at out[i].ok), -errno when they could not. */
int check_fetch_markers(const char *url, char *const *markers, const struct check_opts *o, struct check_fetched *out);
void check_fetched_free(struct check_fetched *f, size_t n);

/* SHA-256 and size of a local file (libcrypto, loaded on first use). */
int check_sha256_file(const char *path, unsigned char md[32], uint64_t *size);

/* One entry of rsync --list-only --no-h output. */
struct check_listed {
	const char *path;      /* into the parsed text, \#ooo escapes decoded */
	uint64_t size;
	bool regular;
};

/* Parses the "MODE SIZE DATE TIME PATH" lines of rsync --list-only --no-h in
 * place (other lines are skipped) into a vector sorted by path (never NULL; free it). */
int check_parse_listing(char *out, struct check_listed **ret, size_t *n);
