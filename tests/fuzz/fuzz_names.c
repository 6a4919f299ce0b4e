/* The gatekeepers between configuration text and generated files or command
 * lines (lib/names.c).  Properties, checked on every input line: an accepted
 * name, path or URL contains nothing a shell, rsyncd.conf, nginx, a systemd
 * unit or fstab would treat specially (whitespace, quotes, ';', '#', '\\',
 * control bytes, non-ASCII), no '.'/'..' component, and url_join() never
 * produces a doubled slash after the host; utf8_valid() agrees with glibc. */
#include <locale.h>
#include <wchar.h>

#include "lib/macro.h"
#include "lib/names.h"
#include "fuzz.h"

static bool plain(const char *s, const char *extra)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr(extra, *p)))
			return false;
	return true;
}

static bool has_dot_component(const char *s)
{
	size_t n = strlen(s);

	return !strcmp(s, ".") || !strcmp(s, "..") || !strncmp(s, "./", 2) || !strncmp(s, "../", 3) ||
	       strstr(s, "/./") || strstr(s, "/../") || (n >= 2 && !strcmp(s + n - 2, "/.")) ||
	       (n >= 3 && !strcmp(s + n - 3, "/.."));
}

/* An independent decoder: glibc's, in the C.UTF-8 locale (which also takes
 * surrogates and the old forms above U+10FFFF: those are refused here). */
static bool glibc_utf8(const char *s)
{
	static locale_t loc;
	mbstate_t st = { 0 };
	size_t left = strlen(s);

	if (!loc && !(loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0)))
		abort();
	locale_t old = uselocale(loc);
	bool ok = true;
	while (left) {
		wchar_t wc;
		size_t n = mbrtowc(&wc, s, left, &st);
		if (n == (size_t)-1 || n == (size_t)-2 || (wc >= 0xd800 && wc <= 0xdfff) || wc > 0x10ffff) {
			ok = false;
			break;
		}
		s += n, left -= n;
	}
	uselocale(old);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_strndup(data, size);

	if (!check_safe_name(s))
		FUZZ_ASSERT(plain(s, "._-") && *s != '.' && *s != '-' && strlen(s) <= 64);
	if (!check_relpath(s))
		FUZZ_ASSERT(plain(s, "._-/") && *s != '/' && !strstr(s, "//") && !has_dot_component(s));
	FUZZ_ASSERT(check_relpath_or_empty(s) == (*s ? check_relpath(s) : NULL));
	if (!check_abspath(s))
		FUZZ_ASSERT(*s == '/' && plain(s, "._+@:-/") && !strstr(s, "//") && !has_dot_component(s));
	if (!check_url(s)) {
		const char *path = strchr(strstr(s, "://") + 3, '/');
		FUZZ_ASSERT(url_scheme(s) != URL_INVALID && (!path || !has_dot_component(path)));
		for (const unsigned char *p = (const unsigned char *)s; *p; p++)
			FUZZ_ASSERT(*p > ' ' && *p < 0x7f && !strchr("\"'\\;#`<>{}|", *p));
		/* Joined at exactly one slash, whatever slashes either side brings. */
		_cleanup_free_ char *j = url_join(s, "/sub/dir/");
		size_t bl = strlen(s);
		while (bl && s[bl - 1] == '/')
			bl--;
		FUZZ_ASSERT(j && strncmp(j, s, bl) == 0 && strcmp(j + bl, "/sub/dir") == 0);
	}
	FUZZ_ASSERT(utf8_valid(s) == glibc_utf8(s));
	if (!check_rsync_source(s))
		FUZZ_ASSERT(url_scheme(s) == URL_RSYNC && strchr(strstr(s, "://") + 3, '/'));
	return 0;
}
