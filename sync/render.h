/* Generators for the files `mirrorprov layout` writes: pure functions from
 * structs to text (no I/O), so they are unit-testable and fuzzable.
 *
 * Every value that reaches a generated file is re-checked here with the
 * lib/names.h rules: a generator refuses with -EINVAL rather than escape a
 * name into a different meaning.  Free text (descriptions) may not carry line
 * breaks, quotes, backslashes or systemd '%' specifiers, so it needs no
 * escaping in any of the three formats. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sync/profile.h"

struct layout_conf {
	const char *root;             /* absolute mirror root, e.g. /srv/mirror/pub */
	const char *user;             /* tree owner and sync user */
	const char *host_name;        /* server_name, motd, trace; NULL: "_" / "this mirror" */
	const char *tls_certificate;  /* NULL: HTTP only */
	const char *tls_key;
	uint64_t max_connections;     /* rsyncd; 0: HOSTCONF_DEFAULT_MAX_CONNECTIONS (no host configuration) */
	const char *hostconf_path;    /* passed to `mirrorprov sync -c`; NULL: --root is passed */
	const char *mirrorprov;       /* absolute path of the binary for ExecStart= */
	const char *prefix;           /* where configuration files go ("" or NULL: /) */
	const char *status_path;      /* URL path of the status page ("/status/") or NULL */
};

#define RSYNCD_CONF_PATH "/etc/rsyncd.conf"
#define RSYNCD_MOTD_PATH "/etc/mirrorprov/rsyncd.motd"
#define RSYNCD_LOCK_PATH "/run/mirrorprov-rsyncd.lock"
#define RSYNCD_LOG_PATH "/var/log/mirrorprov/rsyncd.log"
#define NGINX_SITE_PATH "/etc/nginx/sites-available/mirrorprov"
#define NGINX_ENABLED_PATH "/etc/nginx/sites-enabled/mirrorprov"
#define UNIT_DIR "/etc/systemd/system"
/* Installed templates mirrorprov-sync@.service and .timer (contrib/systemd/);
 * a profile's units are their instances mirrorprov-sync@NAME, configured by
 * drop-ins in UNIT_DIR/mirrorprov-sync@NAME.{service,timer}.d/. */
#define SYNC_UNIT_TEMPLATE "mirrorprov-sync@"
#define SYNC_SERVICE_DROPIN "layout.conf"
#define SYNC_TIMER_DROPIN "schedule.conf"

/* Each returns 0 and a malloc'd NUL-terminated text in *ret, -EINVAL for a
 * value that fails its safety check, -ENOMEM. */
int render_rsyncd_conf(const struct layout_conf *lc, const struct profile_set *set, char **ret);
int render_rsyncd_motd(const struct layout_conf *lc, const struct profile_set *set, char **ret);
int render_nginx_site(const struct layout_conf *lc, const struct profile_set *set, char **ret);
/* The drop-ins of a profile's sync units: the service's settings, the timer's schedule. */
int render_sync_service(const struct layout_conf *lc, const struct profile *p, char **ret);
int render_sync_timer(const struct layout_conf *lc, const struct profile *p, char **ret);

/* "mirrorprov-sync@NAME" (without suffix), malloc'd. */
char *sync_unit_name(const struct profile *p);
/* Its timer, "mirrorprov-sync@NAME.timer" (layout enables it, status asks
 * systemd for its next run: one spelling), malloc'd. */
char *sync_timer_name(const struct profile *p);
