/* fstab editing (fs/fstab.c, fstab_edit()): input fstab + requested entry ->
 * output fstab.  Checked against libmount, the parser mount(8) itself uses:
 *  - no line other than the requested one changes: every line libmount does
 *    not see as an entry for the same mount point or device comes out byte for
 *    byte, in order; at most one line is new (ours);
 *  - when the input parses cleanly, so does the output, and the output holds
 *    exactly one entry for the mount point, with our source, type, options,
 *    freq and passno as libmount reads them back (escaping);
 *  - a conflict without force leaves the text as it was.
 * Input: "SPEC\1TARGET\1FSTYPE\1OPTIONS\1ALIAS\2FSTAB" (first byte's low bit:
 * force), or just FSTAB with a realistic entry. */
#include <errno.h>
#include <libmount.h>
#include <stdbool.h>

#include "fs/fstab.h"
#include "lib/macro.h"
#include "fuzz.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct libmnt_table *, mnt_unref_table)

static int count_error(struct libmnt_table *tb, const char *file, int line)
{
	int *n = mnt_table_get_userdata(tb);
	(*n)++;
	return 1;  /* skip the line, go on */
}

/* Parses text as mount(8) reads /etc/fstab (mnt_table_parse_fstab(): fstab
 * format, not guessed); *errors counts the lines libmount rejected. */
static struct libmnt_table *parse(const char *text, size_t len, int *errors)
{
	struct libmnt_table *tb = mnt_new_table();
	const char *path = fuzz_input_file("fstab", (const uint8_t *)text, len);

	*errors = 0;
	if (!tb)
		abort();
	mnt_table_set_userdata(tb, errors);
	mnt_table_set_parser_errcb(tb, count_error);
	if (mnt_table_parse_fstab(tb, path) < 0)
		(*errors)++;
	return tb;
}

static void strip_slashes(char *s)
{
	size_t n = strlen(s);
	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
}

static bool same_target(const char *a, const char *b)
{
	_cleanup_free_ char *x = strdup(a), *y = strdup(b);
	strip_slashes(x);
	strip_slashes(y);
	return strcmp(x, y) == 0;
}

/* Is this one line, as libmount reads it, an entry for our mount point or device? */
static bool line_is_ours(const char *line, size_t len, const struct fstab_entry *w)
{
	int errors;
	_cleanup_(mnt_unref_tablep) struct libmnt_table *tb = parse(line, len, &errors);
	struct libmnt_fs *fs = NULL;
	bool ours = false;

	if (mnt_table_first_fs(tb, &fs) == 0 && fs) {
		const char *src = mnt_fs_get_source(fs), *tgt = mnt_fs_get_target(fs);
		ours = (tgt && same_target(tgt, w->target)) ||
		       (src && (strcasecmp(src, w->spec) == 0 || (w->alias && strcmp(src, w->alias) == 0)));
	}
	/* A line libmount cannot read may still be ours to fstab_edit (its own,
	 * laxer split): only lines libmount reads as someone else's are protected. */
	return ours || errors;
}

static void check_lines_kept(const char *in, size_t inlen, const char *out, size_t outlen, const char *ours,
			     const struct fstab_entry *w)
{
	size_t i = 0, o = 0;
	bool added = false;

	while (i < inlen) {
		const char *nl = memchr(in + i, '\n', inlen - i);
		size_t l = (nl ? (size_t)(nl - in) : inlen) - i;
		bool protected_ = !line_is_ours(in + i, l, w);
		if (o + l <= outlen && memcmp(out + o, in + i, l) == 0 && (o + l == outlen || out[o + l] == '\n')) {
			o += l + (o + l < outlen);   /* kept */
		} else {
			FUZZ_ASSERT(!protected_);
			/* replaced by ours, or dropped */
			size_t ol = strlen(ours);
			if (!added && o + ol <= outlen && memcmp(out + o, ours, ol) == 0 &&
			    (o + ol == outlen || out[o + ol] == '\n')) {
				added = true;
				o += ol + (o + ol < outlen);
			}
		}
		i += l + (nl != NULL);
	}
	/* what is left is our appended line */
	if (o < outlen) {
		size_t ol = strlen(ours);
		FUZZ_ASSERT(!added && outlen - o == ol + 1 && memcmp(out + o, ours, ol) == 0 && out[outlen - 1] == '\n');
	}
}

static void check_readback(const struct fstab_edit *e, const struct fstab_entry *w)
{
	int errors, n = 0;
	_cleanup_(mnt_unref_tablep) struct libmnt_table *tb = parse(e->text, e->len, &errors);
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;

	FUZZ_ASSERT(errors == 0);
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		const char *tgt = mnt_fs_get_target(fs);
		if (!tgt || !same_target(tgt, w->target))
			continue;
		n++;
		FUZZ_ASSERT(strcmp(mnt_fs_get_source(fs), w->spec) == 0 || strcasecmp(mnt_fs_get_source(fs), w->spec) == 0);
		FUZZ_ASSERT(strcmp(mnt_fs_get_fstype(fs), w->fstype) == 0);
		FUZZ_ASSERT(mnt_fs_get_options(fs) && strcmp(mnt_fs_get_options(fs), w->options) == 0);
		FUZZ_ASSERT(mnt_fs_get_freq(fs) == w->freq && mnt_fs_get_passno(fs) == w->passno);
	}
	mnt_free_iter(it);
	FUZZ_ASSERT(n == 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fstab_entry w = { "UUID=1b4e28ba-2fa1-11d2-883f-0016d3cca427", "/dev/sdf", "/srv/mirror", "xfs",
				 "noatime,logbsize=256k", 0, 0 };
	_cleanup_free_ char *copy = fuzz_strndup(data, size);
	const char *text = copy;
	size_t len = size;
	bool force = size && (data[0] & 1);
	char *hdr_end = memchr(copy, '\2', size), *fields[5] = { 0 };
	struct fstab_edit e;
	int errors;

	if (hdr_end) {
		*hdr_end = '\0';
		char *p = copy;
		for (int i = 0; i < 5; i++) {
			fields[i] = p;
			p = strchr(p, '\1');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (!fields[4])
			return 0;
		w = (struct fstab_entry){ fields[0], *fields[4] ? fields[4] : NULL, fields[1], fields[2], fields[3], 0, 2 };
		text = hdr_end + 1;
		len = size - (size_t)(text - copy);
	}
	if (fstab_edit(text, len, &w, force, &e) < 0)
		return 0;   /* a field fstab_edit refuses */
	FUZZ_ASSERT(e.text && e.line && !strchr(e.line, '\n'));
	if (e.verdict == FSTAB_CONFLICT || e.verdict == FSTAB_UNCHANGED)
		FUZZ_ASSERT(e.len == len && memcmp(e.text, text, len) == 0);
	else
		check_lines_kept(text, len, e.text, e.len, e.line, &w);
	mnt_unref_table(parse(text, len, &errors));
	if (errors == 0 && !memchr(text, '\0', len) && e.verdict != FSTAB_CONFLICT)
		check_readback(&e, &w);
	fstab_edit_free(&e);
	return 0;
}
