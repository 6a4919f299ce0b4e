/* What mirror backends and mirrors send back (backend/): the MirrorManager
 * XML-RPC reply (xmlrpc_reply_string, checkin_succeeded,
 * checkin_category_missing) and rsync --list-only listings (check_parse_listing).
 * Properties:
 *  - any text parses or is refused, never more;
 *  - a string sent through our own XML escaping in a methodResponse comes back
 *    byte for byte, and our JSON string encoding always parses (json-c) and
 *    gives valid UTF-8 text back unchanged;
 *  - a file name, printed the way rsync prints it (\#ooo escapes), is read
 *    back as the same name and size, and a listing comes out sorted. */
#include <errno.h>
#include <json-c/json.h>

#include "backend/urlcheck.h"
#include "backend/checkin.h"
#include "lib/macro.h"
#include "lib/names.h"
#include "lib/strbuf.h"
#include "fuzz.h"

static void reply(const char *body)
{
	_cleanup_free_ char *s = NULL;
	int r = xmlrpc_reply_string(body, &s);

	FUZZ_ASSERT(r == 0 || r == -EBADMSG || r == -EREMOTEIO || r == -ENOMEM);
	if (r == 0) {
		FUZZ_ASSERT(s);
		(void)checkin_succeeded(s);
		(void)checkin_category_missing(s, "Fedora Linux");
	}
}

static void xml_round_trip(const char *text)
{
	_cleanup_(strbuf_free) struct strbuf sb = { 0 };
	_cleanup_free_ char *back = NULL;

	strbuf_adds(&sb, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><string>");
	strbuf_add_xml_text(&sb, text);
	strbuf_adds(&sb, "</string></value>\n</param>\n</params>\n</methodResponse>\n");
	FUZZ_ASSERT(!strbuf_error(&sb));
	FUZZ_ASSERT(xmlrpc_reply_string(sb.buf, &back) == 0 && strcmp(back, text) == 0);
}

static bool has_4byte_utf8(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p >= 0xf0)
			return true;
	return false;
}

static void json_round_trip(const char *text)
{
	_cleanup_(strbuf_free) struct strbuf sb = { 0 };

	strbuf_add_json_str(&sb, text, strlen(text));
	FUZZ_ASSERT(!strbuf_error(&sb));
	json_object *o = json_tokener_parse(sb.buf);
	FUZZ_ASSERT(o && json_object_is_type(o, json_type_string));
	/* json-c 0.16 decodes some valid surrogate pairs (e.g. \udaf6\udd65 for
	 * U+CD965) as U+FFFD, so it is the oracle only for the BMP; the real reader
	 * of this JSON, MirrorManager's Python, decodes them all (test_checkin). */
	if (utf8_valid(text) && !has_4byte_utf8(text))
		FUZZ_ASSERT(strcmp(json_object_get_string(o), text) == 0);
	json_object_put(o);
}

/* One line as rsync --list-only --no-h prints it (the C locale's escapes). */
static void listing_round_trip(const char *name, uint64_t size)
{
	_cleanup_(strbuf_free) struct strbuf sb = { 0 };
	_cleanup_free_ struct check_listed *v = NULL;
	size_t n;

	if (!*name)
		return;
	strbuf_addf(&sb, "drwxr-xr-x           4096 2024/05/01 10:00:00 .\n-rw-r--r-- %14llu 2024/05/01 10:00:00 ",
		    (unsigned long long)size);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || (*p == '\\' && p[1] == '#'))
			strbuf_addf(&sb, "\\#%03o", *p);
		else
			strbuf_addc(&sb, (char)*p);
	}
	strbuf_addc(&sb, '\n');
	FUZZ_ASSERT(!strbuf_error(&sb));
	FUZZ_ASSERT(check_parse_listing(sb.buf, &v, &n) == 0 && n == 2);
	const struct check_listed *f = v[0].regular ? &v[0] : &v[1];
	FUZZ_ASSERT(f->regular && f->size == size && strcmp(f->path, name) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_strndup(data, size);
	_cleanup_free_ char *copy = fuzz_strndup(data, size);
	_cleanup_free_ struct check_listed *v = NULL;
	uint64_t fsize = 0;
	size_t n;

	reply(text);
	xml_round_trip(text);
	json_round_trip(text);
	memcpy(&fsize, data, size < 8 ? size : 8);
	listing_round_trip(text, fsize);

	FUZZ_ASSERT(check_parse_listing(copy, &v, &n) == 0);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(v[i].path >= copy && v[i].path < copy + size + 1);
		if (i)
			FUZZ_ASSERT(strcmp(v[i - 1].path, v[i].path) <= 0);
	}
	return 0;
}
