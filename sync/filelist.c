#include "filelist.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "lib/names.h"

static const struct {
	const char *name;
	size_t md_len;
} digests[FL_N_DIGESTS] = {
	[FL_MD5] = { "MD5", 16 },       [FL_SHA1] = { "SHA1", 20 },     [FL_SHA224] = { "SHA224", 28 },
	[FL_SHA256] = { "SHA256", 32 }, [FL_SHA384] = { "SHA384", 48 }, [FL_SHA512] = { "SHA512", 64 },
};

const char *fl_digest_name(enum fl_digest d)
{
	return (unsigned)d < FL_N_DIGESTS ? digests[d].name : NULL;
}

enum section { SEC_NONE, SEC_VERSION, SEC_FILES, SEC_CHECKSUMS, SEC_OTHER, SEC_END };

#define BUF_SIZE (256 * 1024)  /* holds any line whole */

struct parser {
	FILE *f;
	const struct fl_callbacks *cb;
	struct fl_info *info;
	char **error;
	char *line;            /* into buf, NUL-terminated in place of its '\n' */
	size_t len;
	char *buf;
	size_t beg, end;       /* unread bytes of buf */
	uint64_t base;         /* offset in the input of buf[0] */
	bool eof;
	enum section sec;
	enum fl_digest digest;
	bool seen_version, seen_files;
};

static int fail(struct parser *p, int r, const char *fmt, ...) _printf_(3, 4);
static int fail(struct parser *p, int r, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(*p->error);
	if (!msg || asprintf(p->error, "line %llu: %s", (unsigned long long)p->info->lines, msg) < 0)
		*p->error = NULL;
	return r;
}

/* 1: a line in p->line (without '\n'), 0: end of input, < 0: error.  A NUL
 * byte is kept (and refused later as a control character). */
static int read_line(struct parser *p, char *buf)
{
	for (;;) {
		char *start = buf + p->beg, *nl = memchr(start, '\n', p->end - p->beg);
		if (nl || (p->eof && p->end > p->beg)) {
			if (!nl)
				nl = buf + p->end;  /* the last line has no '\n' */
			p->info->lines++;
			p->len = (size_t)(nl - start);
			if (p->len > FILELIST_MAX_LINE)
				return fail(p, -EBADMSG, "longer than %d bytes", FILELIST_MAX_LINE);
			*nl = '\0';
			p->line = start;
			p->beg = (size_t)(nl - buf) + (nl < buf + p->end);
			return 1;
		}
		if (p->eof)
			return 0;
		if (p->end - p->beg > FILELIST_MAX_LINE) {
			p->info->lines++;
			return fail(p, -EBADMSG, "longer than %d bytes", FILELIST_MAX_LINE);
		}
		memmove(buf, start, p->end - p->beg);
		p->base += p->beg;
		p->end -= p->beg;
		p->beg = 0;
		size_t n = fread(buf + p->end, 1, BUF_SIZE - p->end, p->f);
		if (n == 0) {
			if (ferror(p->f))
				return -EIO;
			p->eof = true;
		}
		p->end += n;
	}
}

const char *fl_check_path(const char *s, size_t n)
{
	if (n == 0)
		return "empty path";
	if (n > FILELIST_MAX_PATH)
		return "path longer than 4095 bytes";
	if (s[0] == '/')
		return "absolute path";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "control character in path";
	for (size_t i = 0; i < n;) {
		size_t c = i;
		while (c < n && s[c] != '/')
			c++;
		size_t len = c - i;
		if (len == 0)
			return "empty path component";
		if (len > 255)
			return "path component longer than 255 bytes";
		if ((len == 1 && s[i] == '.') || (len == 2 && s[i] == '.' && s[i + 1] == '.'))
			return "'.' or '..' in path";
		i = c + 1;
		if (c == n - 1)
			return "trailing '/' in path";
	}
	/* s is NUL-terminated at n by every caller (a line, or a walked name);
	 * the UTF-8 check only for the rare path that is not ASCII. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return utf8_valid(s) ? NULL : "path is not valid UTF-8";
	return NULL;
}

/* Unsigned decimal, no sign, no leading '+', at most 19 digits. */
static bool parse_u64(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 19)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	*v = x;
	return true;
}

static int parse_header(struct parser *p)
{
	const char *name = p->line + 1;
	size_t n = p->len - 2;

	if (p->sec == SEC_END)
		return fail(p, -EBADMSG, "section after [End]");
#define IS(lit) (n == strlen(lit) && memcmp(name, lit, n) == 0)
	if (IS("Version")) {
		if (p->seen_version)
			return fail(p, -EBADMSG, "second [Version]");
		p->sec = SEC_VERSION;
		return 0;
	}
	if (!p->seen_version)
		return fail(p, -EBADMSG, "[Version] must come first");
	if (IS("Files")) {
		if (p->seen_files)
			return fail(p, -EBADMSG, "second [Files]");
		p->sec = SEC_FILES;
		p->seen_files = true;
		return 0;
	}
	if (IS("End")) {
		if (!p->seen_files)
			return fail(p, -EBADMSG, "[End] before [Files]");
		p->sec = SEC_END;
		return 0;
	}
	if (n > 10 && memcmp(name, "Checksums ", 10) == 0) {
		for (unsigned d = 0; d < FL_N_DIGESTS; d++)
			if (n - 10 == strlen(digests[d].name) && memcmp(name + 10, digests[d].name, n - 10) == 0) {
				p->sec = SEC_CHECKSUMS;
				p->digest = (enum fl_digest)d;
				return 0;
			}
	}
#undef IS
	/* A section a newer create-filelist may add within the same version:
	 * skipped, as quick-fedora-mirror skips it. */
	p->sec = SEC_OTHER;
	return 0;
}

static int parse_version(struct parser *p)
{
	uint64_t v;

	if (p->seen_version)
		return fail(p, -EBADMSG, "[Version] holds more than one line");
	if (!parse_u64(p->line, p->len, &v) || v == 0)
		return fail(p, -EBADMSG, "[Version] is not a positive integer");
	if (v > FILELIST_MAX_VERSION)
		return fail(p, -EPROTONOSUPPORT, "list format version %llu is newer than this mirrorprov reads (%d at most)",
			    (unsigned long long)v, FILELIST_MAX_VERSION);
	p->info->version = (unsigned)v;
	p->seen_version = true;
	return 0;
}

static int parse_files_row(struct parser *p)
{
	char *f[4];
	size_t n[3];
	struct fl_entry e = { 0 };
	uint64_t mtime;
	const char *why;

	f[0] = p->line;
	for (int i = 1; i < 4; i++) {
		f[i] = memchr(f[i - 1], '\t', p->len - (size_t)(f[i - 1] - p->line));
		if (!f[i])
			return fail(p, -EBADMSG, "a [Files] row needs 4 tab-separated fields");
		n[i - 1] = (size_t)(f[i] - f[i - 1]);
		f[i]++;
	}
	if (!parse_u64(f[0], n[0], &mtime) || mtime > INT64_MAX)
		return fail(p, -EBADMSG, "timestamp is not a decimal number of seconds");
	e.mtime = (int64_t)mtime;
	if (n[1] < 1 || n[1] > 2)
		return fail(p, -EBADMSG, "unknown entry type");
	switch (f[1][0]) {
	case 'f': e.kind = FL_FILE; break;
	case 'd': e.kind = FL_DIR; break;
	case 'l': e.kind = FL_LINK; break;
	default: return fail(p, -EBADMSG, "unknown entry type");
	}
	if (n[1] == 2) {
		if (f[1][1] == '*')
			e.access = FL_RESTRICTED;
		else if (f[1][1] == '-')
			e.access = FL_UNREADABLE;
		else
			return fail(p, -EBADMSG, "unknown entry type");
	}
	if (!parse_u64(f[2], n[2], &e.size))
		return fail(p, -EBADMSG, "size is not a decimal number");
	if (e.size > FILELIST_MAX_SIZE)
		return fail(p, -EBADMSG, "size %llu is implausible (over 1 PiB)", (unsigned long long)e.size);
	e.path = f[3];
	e.path_len = p->len - (size_t)(f[3] - p->line);
	e.offset = p->base + (uint64_t)(p->line - p->buf);
	if (!(p->cb && p->cb->trusted) && (why = fl_check_path(e.path, e.path_len)))
		return fail(p, -EBADMSG, "%s", why);
	if (++p->info->entries > FILELIST_MAX_ENTRIES)
		return fail(p, -E2BIG, "more than %d entries", FILELIST_MAX_ENTRIES);
	return p->cb && p->cb->entry ? p->cb->entry(p->cb->ud, &e, p->error) : 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int parse_checksum_row(struct parser *p)
{
	struct fl_checksum c = { .digest = p->digest, .md_len = digests[p->digest].md_len };
	const char *tab = memchr(p->line, '\t', p->len);
	const char *why;

	if (!tab || (size_t)(tab - p->line) != 2 * c.md_len)
		return fail(p, -EBADMSG, "a [Checksums %s] row is %zu hex digits, a tab and a path", digests[p->digest].name,
			    2 * c.md_len);
	for (size_t i = 0; i < c.md_len; i++) {
		int hi = hexval(p->line[2 * i]), lo = hexval(p->line[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return fail(p, -EBADMSG, "checksum is not hexadecimal");
		c.md[i] = (uint8_t)(hi << 4 | lo);
	}
	c.path = tab + 1;
	c.path_len = p->len - (size_t)(c.path - p->line);
	if (!(p->cb && p->cb->trusted) && (why = fl_check_path(c.path, c.path_len)))
		return fail(p, -EBADMSG, "%s", why);
	p->info->checksums++;
	return p->cb && p->cb->checksum ? p->cb->checksum(p->cb->ud, &c, p->error) : 0;
}

static int parse_line(struct parser *p)
{
	if (p->len == 0) {
		/* A blank line ends a section (create-filelist writes one between sections). */
		if (p->sec != SEC_END)
			p->sec = SEC_NONE;
		return 0;
	}
	if (p->line[0] == '[' && p->line[p->len - 1] == ']' && p->len > 2)
		return parse_header(p);
	switch (p->sec) {
	case SEC_VERSION:
		return parse_version(p);
	case SEC_FILES:
		return parse_files_row(p);
	case SEC_CHECKSUMS:
		return parse_checksum_row(p);
	case SEC_OTHER:
		return 0;
	case SEC_END:
		return fail(p, -EBADMSG, "text after [End]");
	default:
		return fail(p, -EBADMSG, "text outside a section");
	}
}

int filelist_parse(FILE *f, const struct fl_callbacks *cb, struct fl_info *info, char **error)
{
	struct parser *p = calloc(1, sizeof(*p));
	char *buf = malloc(BUF_SIZE + 1);
	int r;

	*info = (struct fl_info){ 0 };
	*error = NULL;
	if (!p || !buf) {
		free(p);
		free(buf);
		return -ENOMEM;
	}
	*p = (struct parser){ .f = f, .cb = cb, .info = info, .error = error, .buf = buf };
	while ((r = read_line(p, buf)) > 0)
		if ((r = parse_line(p)) < 0)
			break;
	if (r == 0 && p->sec != SEC_END)
		r = fail(p, -ENODATA, "no [End]: the list is truncated");
	else if (r == 0 && !p->seen_version)
		r = fail(p, -EBADMSG, "no [Version]");
	free(buf);
	free(p);
	return r;
}

int filelist_parse_file(const char *path, const struct fl_callbacks *cb, struct fl_info *info, char **error)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");

	*info = (struct fl_info){ 0 };
	*error = NULL;
	if (!f)
		return negative_errno();
	return filelist_parse(f, cb, info, error);
}
