#include "names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 64

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool name_char(char c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '-';
}

bool str_in_charset(const char *s, const char *extra)
{
	for (const char *p = s; *p; p++)
		if (!is_alnum(*p) && !strchr(extra, *p))
			return false;
	return *s != '\0';
}

const char *check_safe_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return "is empty";
	if (n > NAME_MAX_LEN)
		return "is longer than 64 characters";
	if (!is_alnum(s[0]))
		return "must start with a letter or digit";
	for (size_t i = 0; i < n; i++)
		if (!name_char(s[i]))
			return "may contain only letters, digits, '.', '_' and '-'";
	return NULL;
}

/* Components separated by '/', each made of allowed characters, none "." or "..". */
static const char *check_components(const char *s, bool (*allowed)(char))
{
	const char *p = s;

	for (;;) {
		size_t n = strcspn(p, "/");
		if (n == 0)
			return "has an empty path component";
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return "contains '.' or '..'";
		for (size_t i = 0; i < n; i++)
			if (!allowed(p[i]))
				return "contains a character outside [A-Za-z0-9._-]";
		if (!p[n])
			return NULL;
		p += n + 1;
	}
}

const char *check_relpath(const char *s)
{
	if (!*s)
		return "is empty";
	if (s[0] == '/')
		return "must be relative (escapes the mirror root)";
	if (strlen(s) > 1024)
		return "is too long";
	return check_components(s, name_char);
}

const char *check_relpath_or_empty(const char *s)
{
	return *s ? check_relpath(s) : NULL;
}

static bool abspath_char(char c)
{
	return name_char(c) || c == '+' || c == '@' || c == ':';
}

const char *check_abspath(const char *s)
{
	if (s[0] != '/')
		return "must be an absolute path";
	if (strlen(s) > 1024)
		return "is too long";
	if (!s[1])
		return NULL;
	const char *r = check_components(s + 1, abspath_char);
	return r && strstr(r, "character") ? "contains a character outside [A-Za-z0-9._+@:-]" : r;
}

static bool url_char(char c)
{
	/* Printable ASCII without space, quotes, backslash, braces, '<>', '`', '#', '?', ';'. */
	return c > ' ' && c < 0x7f && !strchr("\"'\\{}<>`#?;|^", c);
}

static const struct {
	const char *prefix;
	enum url_scheme scheme;
} schemes[] = {
	{ "http://", URL_HTTP },
	{ "https://", URL_HTTPS },
	{ "rsync://", URL_RSYNC },
};

enum url_scheme url_scheme(const char *s)
{
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncmp(s, schemes[i].prefix, strlen(schemes[i].prefix)) == 0)
			return schemes[i].scheme;
	return URL_INVALID;
}

/* The part after "scheme://", or NULL. */
static const char *url_rest(const char *s)
{
	const char *p = strstr(s, "://");
	return p ? p + 3 : NULL;
}

const char *check_url(const char *s)
{
	if (strncasecmp(s, "ftp://", 6) == 0 || strncasecmp(s, "ftps://", 7) == 0)
		return "ftp:// is not accepted (the mirror networks dropped FTP)";
	if (url_scheme(s) == URL_INVALID)
		return "must start with http://, https:// or rsync://";
	if (strlen(s) > 2048)
		return "is too long";
	for (const char *p = s; *p; p++)
		if (!url_char(*p))
			return "contains a space, quote, control or other unsafe character";
	const char *host = url_rest(s);
	size_t hlen = strcspn(host, "/");
	if (hlen == 0 || host[0] == ':')
		return "has no host";
	if (memchr(host, '@', hlen))
		return "must not carry user information";
	if (strstr(host, "/../") || strstr(host, "/./"))
		return "contains '.' or '..' path components";
	size_t len = strlen(s);
	if ((len >= 3 && strcmp(s + len - 3, "/..") == 0) || (len >= 2 && strcmp(s + len - 2, "/.") == 0))
		return "contains '.' or '..' path components";
	return NULL;
}

const char *check_rsync_source(const char *s)
{
	const char *why = check_url(s);

	if (why)
		return why;
	if (url_scheme(s) != URL_RSYNC)
		return "must be an rsync:// URL";
	const char *host = url_rest(s);
	const char *mod = strchr(host, '/');
	if (!mod || !mod[1] || mod[1] == '/')
		return "names no rsync module (rsync://HOST/MODULE/)";
	return NULL;
}

char *url_join(const char *base, const char *path)
{
	size_t bl = strlen(base);
	char *r;

	while (bl && base[bl - 1] == '/')
		bl--;
	while (*path == '/')
		path++;
	size_t pl = strlen(path);
	while (pl && path[pl - 1] == '/')
		pl--;
	if (pl == 0) {
		if (asprintf(&r, "%.*s", (int)bl, base) < 0)
			return NULL;
	} else if (asprintf(&r, "%.*s/%.*s", (int)bl, base, (int)pl, path) < 0)
		return NULL;
	return r;
}
