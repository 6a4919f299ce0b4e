/* Table-driven loading of libconfig files into plain structs.
 *
 * A schema is an array of struct conf_field ending with { NULL }.  Each field
 * names a key, its kind and where the value goes (offsetof into the caller's
 * struct).  conf_load_file() reads the file (bounded), parses it with libconfig
 * and fills the struct; every problem is reported as one malloc'd message
 * "FILE:LINE: reason" (unknown key, missing required key, wrong type, a check
 * that failed) and -EINVAL.  conf_free_fields() frees what a schema allocated,
 * so the owner's free function is one call.  Used by lib/hostconf.c and
 * sync/profile.c. */
#pragma once

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strv.h"   /* CK_STRV fields are plain string vectors */

enum conf_kind {
	CK_STR,       /* char *                                          */
	CK_UINT,      /* uint64_t, integer setting within [min, max]      */
	CK_BOOL,      /* bool                                            */
	CK_SIZE,      /* uint64_t bytes: "64k", "2T" (lib/size.h) or an integer */
	CK_DURATION,  /* uint64_t seconds: "90s", "30min", "6h", "1d" or an integer */
	CK_STRV,      /* char **, NULL-terminated; from a list/array of strings */
	CK_GROUP,     /* nested group: sub fields; offset -> bool "present" or CONF_NO_OFFSET */
	CK_CUSTOM,    /* parse()/free() callbacks do the work                */
};

#define CONF_NO_OFFSET ((size_t)-1)

enum conf_flags {
	CF_REQUIRED = 1 << 0,
	CF_NONEMPTY = 1 << 1,   /* CK_STRV: at least one element */
};

struct conf_field;

/* Custom parser: returns 0 or -errno with *error set ("FILE:LINE: ..."). */
typedef int (*conf_parse_fn)(const char *file, const config_setting_t *s, void *base, char **error);
typedef void (*conf_free_fn)(void *base);

struct conf_field {
	const char *key;
	enum conf_kind kind;
	unsigned flags;
	size_t offset;
	/* CK_STR/CK_STRV: NULL when acceptable, else the reason (lib/names.h checks fit). */
	const char *(*check)(const char *value);
	const char *def;              /* default as text, applied when absent (scalars only) */
	uint64_t min, max;            /* CK_UINT range; max 0 means unbounded */
	const struct conf_field *sub; /* CK_GROUP */
	conf_parse_fn parse;          /* CK_CUSTOM */
	conf_free_fn free;            /* CK_CUSTOM */
};

/* Reads and parses path (at most 1 MiB) against schema into base.  On failure
 * everything allocated so far is freed and *error holds the
 * message (NULL only on ENOMEM). */
int conf_load_file(const char *path, const struct conf_field *schema, void *base, char **error);
/* Same for a group that is already parsed (custom parsers of lists of groups). */
int conf_load_group(const char *file, const config_setting_t *group, const struct conf_field *schema,
		    void *base, char **error);
/* Same, keys named "prefix.key" in messages (prefix may be NULL). */
int conf_load_group_at(const char *file, const config_setting_t *group, const struct conf_field *schema,
		       void *base, const char *prefix, char **error);
void conf_free_fields(const struct conf_field *schema, void *base);

/* "FILE:LINE: " + printf text, malloc'd; line 0 prints "FILE: ". */
char *conf_error(const char *file, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* "90s", "30min"/"30m", "6h", "1d", "2w" or plain seconds. */
int parse_duration(const char *s, uint64_t *ret);

