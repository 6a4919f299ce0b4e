/* Safety checks for names, paths and URLs that come from configuration and end
 * up in generated files (rsyncd.conf, nginx sites, systemd units) or on the
 * wire.  Each check returns NULL when the text is acceptable, otherwise a short
 * lower-case reason ("contains '..'") suitable for "FILE:LINE: key: reason". */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* [A-Za-z0-9][A-Za-z0-9._-]*, at most 64 characters: rsync modules, profile
 * names, systemd unit name parts, user names, file names. */
const char *check_safe_name(const char *s);
/* A relative path below a root: components are safe names joined by single
 * '/', no '.', '..', leading '/' or trailing '/'. */
const char *check_relpath(const char *s);
/* check_relpath(), or the empty string (the root itself). */
const char *check_relpath_or_empty(const char *s);
/* An absolute path made of [A-Za-z0-9._+@:-] components, no '..' or '.'. */
const char *check_abspath(const char *s);
/* http://, https:// or rsync://HOST[:PORT][/PATH]; ftp:// and others refused;
 * no whitespace, quotes, control characters, user info, query or fragment. */
const char *check_url(const char *s);
/* An rsync source: rsync://HOST[:PORT]/MODULE[/PATH] (a module is required). */
const char *check_rsync_source(const char *s);

/* Is s non-empty and made only of ASCII letters, digits and the characters in extra? */
bool str_in_charset(const char *s, const char *extra);

/* The scheme of a URL that passed check_url(): "http", "https" or "rsync". */
enum url_scheme { URL_HTTP, URL_HTTPS, URL_RSYNC, URL_INVALID };
enum url_scheme url_scheme(const char *s);

/* base + "/" + path without doubled or trailing slashes (the form registered
 * with mirror backends).  Returns a malloc'd string or NULL on ENOMEM. */
char *url_join(const char *base, const char *path);
