/* Content profiles: one libconfig file per mirrored project (profiles/NAME.conf).
 *
 * API:
 *   struct profile p;  _cleanup_free_ char *err = NULL;
 *   r = profile_load("fedora", &p, &err);          // search path below; err = "FILE:LINE: reason"
 *   ... p.module, p.directory, p.categories[i].name / .topdir ...
 *   profile_free(&p);
 *
 *   struct profile_set set;
 *   r = profile_load_all(&set, &err);              // every profile, sorted by name
 *   r = profile_load_list(names, &set, &err);      // the named ones, in the given order
 *   profile_set_free(&set);
 *
 * Search path: $MIRRORPROV_PROFILE_DIR alone when set (tests, reviews);
 * otherwise /etc/mirrorprov/profiles (local overrides, same file name wins)
 * then MIRRORPROV_DATADIR/profiles (/usr/share/mirrorprov/profiles), or for
 * an uninstalled build (SRC/build/mirrorprov) SRC/profiles instead.
 *
 * A profile is rejected with "FILE:LINE: reason" for an unknown key, a missing
 * required key, a module that is not a safe rsync module name, a directory or
 * category path that escapes the mirror root ('..', absolute), a non-rsync://
 * upstream, or an unknown method.  All paths are relative to the mirror root
 * (hostconf mirror.root) unless stated otherwise. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROFILE_ENV_DIR "MIRRORPROV_PROFILE_DIR"
#define PROFILE_ETC_DIR "/etc/mirrorprov/profiles"

enum sync_method {
	SYNC_RSYNC,      /* one rsync pass with rsync_options */
	SYNC_TWO_STAGE,  /* stage 1 without index files and deletions, stage 2 everything */
	SYNC_FTPSYNC,    /* Debian's ftpsync with a generated ftpsync.conf */
	SYNC_FILELIST,   /* quick-fedora-mirror's method: the module's file list decides (sync/flsync.h) */
};

/* Where a mirror may pull from, by the project's rules. */
enum pull_rule {
	PULL_PUBLIC,  /* the profile's upstream is open to every mirror */
	PULL_TIER1,   /* only from a tier-1 mirror the project lists: host.conf names it */
	PULL_SITE,    /* from a real site the admin picks (no DNS rotation): host.conf names it */
};

enum trace_format {
	TRACE_NONE,
	TRACE_DEBIAN,     /* project/trace/HOST: a date line and "Key: value" lines */
	TRACE_TIMESTAMP,  /* seconds since the epoch (Arch "lastsync") */
};

/* A mirror-backend category (MirrorManager "Fedora Linux", …). */
struct profile_category {
	char *name;
	char *path;    /* below the profile's directory as written; "" = the directory itself */
	char *topdir;  /* relative to the mirror root: directory[/path] (what backends register) */
};

/* Where a fact comes from: a page or file of the project, what it supports
 * (profile keys, see PROFILE_FACT_KEYS), when it was checked. */
struct profile_source {
	char *url;
	char **supports;  /* fact keys */
	char *checked;    /* YYYY-MM-DD */
	char *note;       /* what the source says, or NULL */
};

/* The keys that state a fact about the upstream project: each must be named
 * by a source's `supports` or listed in `unverified`. */
#define PROFILE_FACT_KEYS                                                                            \
	"upstream", "pull", "upstream_list", "method", "archive", "rsync_options", "excludes",         \
	"index_files", "schedule", "freshness", "poll", "poll_refresh", "trace_file", "backend",      \
	"categories", "size", "advice"

struct profile {
	char *name;             /* file name without ".conf"; a safe name */
	char *file;             /* where it was loaded from */
	char *description;
	char **upstreams;       /* rsync://HOST/MODULE/… as documented by the project (empty unless
				 * pull is public); the first is the default */
	enum pull_rule pull;
	char *upstream_list;    /* where the project lists the mirrors to pull from (https URL) */
	const char *upstream;   /* the one this host pulls from: profile_pick_upstream(); NULL before */
	char *upstream_origin;  /* "profile default", "host.conf profile.NAME.upstream", "--upstream" */
	char *module;           /* rsync module the mirror exports */
	char *directory;        /* below the mirror root */
	char *http_path;        /* "/directory/": the tree is served as laid out */
	enum sync_method method;
	char **rsync_options;   /* client options, e.g. -aSH --delete-delay --delay-updates */
	char **excludes;        /* patterns neither pulled nor exported */
	char **index_files;     /* two-stage: patterns held back to stage 2 (Packages*, Release*, …) */
	char *schedule;         /* systemd OnCalendar= expression */
	uint64_t random_delay;  /* seconds, RandomizedDelaySec= */
	uint64_t timeout;       /* seconds a sync may run */
	uint64_t stale_after;   /* seconds without a successful sync before status calls it stale; 0: from schedule */
	char **freshness;       /* files that show how fresh the mirror is, below the directory */
	char **poll;            /* freshness markers fetched before a full run ("%u" = upstream host);
				 * unchanged since the last success: the run is skipped */
	char **poll_refresh;    /* upstream files copied into the tree on a skipped run (Arch lastsync) */
	char *archive;          /* ftpsync archive name: "" = ftpsync.conf, "security" = ftpsync-security.conf */
	char *trace_file;       /* written on success, below the directory; "%h" = host name; or NULL */
	enum trace_format trace_format;
	bool has_backend;
	char *backend;          /* backend.type: "mirrormanager", "debian", "almalinux", "launchpad", … or NULL */
	char *backend_url;      /* backend.url: the project's instance (public URL), or NULL */
	struct profile_category *categories;
	size_t n_categories;
	uint64_t size;          /* approximate bytes */
	char *advice;           /* what the project says about mirroring this at all, for the plan, or NULL */
	struct profile_source *sources;
	size_t n_sources;
	char **unverified;      /* fact keys no source confirms */
	char *method_name;      /* "rsync", "two-stage", "ftpsync" or "filelist" as written */
	char *pull_name;
	/* method filelist */
	char *filelist;         /* the list's name in the module's top directory: "fullfiletimelist-fedora" */
	char *filelist_dir;     /* the module's directory below a master module holding all modules
				 * (fedora-buffet): an upstream ending in /DIR/ shares the master's
				 * rsync call with the other modules; default: directory */
	char **filelist_extra;  /* other files of the top directory fetched with each change, never deleted */
	uint64_t max_delete;    /* percent of the local tree a list may delete before it looks truncated */
	char *trace_format_name;
};

struct profile_set {
	struct profile *v;
	size_t n;
};

/* Loads one file.  The profile name is the file name without ".conf". */
int profile_load_file(const char *path, struct profile *p, char **error);
/* Finds NAME.conf on the search path.  -ENOENT with *error "unknown profile 'x'". */
int profile_load(const char *name, struct profile *p, char **error);
int profile_load_all(struct profile_set *set, char **error);
int profile_load_list(char *const *names, struct profile_set *set, char **error);
void profile_free(struct profile *p);
void profile_set_free(struct profile_set *set);

/* The directories searched, in order (NULL-terminated, static storage). */
const char *const *profile_search_path(void);
const char *sync_method_name(enum sync_method m);
const char *pull_rule_name(enum pull_rule r);

/* Settles p->upstream: override (from --upstream or host.conf, origin says
 * which) when given, else the profile's default when the project allows
 * public pulls.  -EDESTADDRREQ when it does not: *error then names the
 * host.conf key and where the project lists the mirrors to pull from. */
int profile_pick_upstream(struct profile *p, const char *override, const char *origin, char **error);
/* The sources that support fact key (NULL-terminated vector of pointers into
 * p, malloc'd), and whether the profile marks it unverified. */
const struct profile_source **profile_fact_sources(const struct profile *p, const char *key);
bool profile_fact_unverified(const struct profile *p, const char *key);
/* The fact keys the profile sets (static strings, NULL-terminated, malloc'd vector). */
const char **profile_fact_keys(const struct profile *p);
