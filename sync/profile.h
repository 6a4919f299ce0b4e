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

struct profile {
	char *name;             /* file name without ".conf"; a safe name */
	char *file;             /* where it was loaded from */
	char *description;
	char **upstreams;       /* rsync://HOST/MODULE/… as documented by the project, first is used */
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
	char **freshness;       /* files that show how fresh the mirror is, below the directory */
	char *trace_file;       /* written on success, below the directory; "%h" = host name; or NULL */
	enum trace_format trace_format;
	char *backend;          /* registration: "mirrormanager", "debian", "almalinux", … or NULL */
	struct profile_category *categories;
	size_t n_categories;
	uint64_t size;          /* approximate bytes */
	char *method_name;      /* "rsync", "two-stage" or "ftpsync" as written */
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
