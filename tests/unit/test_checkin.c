/* The checkin payload: walk order and link-count skipping, JSON text, the
 * base64url(bz2()) encoding round trip, XML-RPC replies and their verdicts. */
#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend/checkin.h"
#include "backend/dirtree.h"
#include "lib/strbuf.h"

static char tmpl[] = "/tmp/mp-test-checkin-XXXXXX";

static void mk(const char *rel, mode_t mode)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", tmpl, rel);
	assert_int_equal(mkdir(p, mode), 0);
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(tmpl));
	mk("releases", 0755);
	mk("releases/40", 0755);
	mk("releases/40/Everything", 0755);
	mk("releases/41", 0755);
	mk("updates", 0755);
	mk("private", 0700);   /* unreadable by others: opened, not assumed */
	char p[512];
	snprintf(p, sizeof(p), "%s/releases/40/Everything/repomd.xml", tmpl);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	snprintf(p, sizeof(p), "%s/link", tmpl);
	assert_int_equal(symlink("releases", p), 0);   /* not followed, not listed */
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	return system(cmd) == 0 ? 0 : -1;
}

static int collect(const char *path, size_t len, void *userdata)
{
	struct strbuf *sb = userdata;
	assert_int_equal(strlen(path), len);
	strbuf_add(sb, path, len);
	strbuf_addc(sb, '|');
	return 0;
}

static int count_lines(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_walk(void **state)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };
	struct dirtree_stats st;

	assert_int_equal(dirtree_walk(tmpl, collect, &sb, &st), 0);
	assert_int_equal(st.dirs, 7);
	assert_int_equal(st.dirs_read + st.leaves_skipped, 7);
	/* every directory once, each parent before its children, no symlink */
	assert_non_null(strstr(sb.buf, "|"));
	assert_true(strncmp(sb.buf, "|", 1) == 0);
	assert_int_equal(count_lines(sb.buf, "|"), 7);
	assert_null(strstr(sb.buf, "link"));
	assert_true(strstr(sb.buf, "|releases|") < strstr(sb.buf, "|releases/40|"));
	assert_true(strstr(sb.buf, "|releases/40|") < strstr(sb.buf, "|releases/40/Everything|"));
	assert_non_null(strstr(sb.buf, "|private|"));
	assert_non_null(strstr(sb.buf, "|updates|"));
}

static void test_walk_missing(void **state)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };
	struct dirtree_stats st;
	assert_int_equal(dirtree_walk("/nonexistent/mp", collect, &sb, &st), -ENOENT);
}

static char *bunzip(const char *b64, size_t *len)
{
	/* urlsafe base64 back to bytes */
	size_t n = strlen(b64), o = 0;
	unsigned char *bin = malloc(n);
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n && b64[i] != '='; i++) {
		const char *tab = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
		const char *q = strchr(tab, b64[i]);
		assert_non_null(q);
		acc = acc << 6 | (uint32_t)(q - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			bin[o++] = (unsigned char)(acc >> bits);
		}
	}
	assert_int_equal(n % 4, 0);
	/* bunzip2 every concatenated stream */
	size_t cap = 1 << 24, used = 0;
	char *out = malloc(cap);
	bz_stream z = { 0 };
	size_t in_off = 0;
	while (in_off < o) {
		assert_int_equal(BZ2_bzDecompressInit(&z, 0, 0), BZ_OK);
		z.next_in = (char *)bin + in_off;
		z.avail_in = (unsigned)(o - in_off);
		z.next_out = out + used;
		z.avail_out = (unsigned)(cap - used);
		int r = BZ2_bzDecompress(&z);
		assert_int_equal(r, BZ_STREAM_END);
		used = cap - z.avail_out;
		in_off = o - z.avail_in;
		BZ2_bzDecompressEnd(&z);
	}
	free(bin);
	*len = used;
	return out;
}

static void test_build_and_encode(void **state)
{
	struct checkin_category cats[] = { { .name = "Fedora Linux", .path = tmpl } };
	struct checkin_config c = { .server = "https://mm.example.org/xmlrpc", .site = "Example \"U\"",
				    .password = "s3cret", .host = "mirror.example.edu", .user_active = "1",
				    .cats = cats, .ncats = 1 };
	_cleanup_strbuf_ struct strbuf json = { 0 }, shown = { 0 };
	_cleanup_free_ char *payload = NULL;
	const struct checkin_category *bad = NULL;
	size_t plen, dlen;

	assert_int_equal(checkin_build(&c, false, &json, &payload, &plen, &bad), 0);
	assert_int_equal(strlen(payload), plen);
	assert_true(strncmp(json.buf, "{\"version\": 0, \"global\": {\"enabled\": \"1\", \"server\": "
			    "\"https://mm.example.org/xmlrpc\"}, \"site\": {\"enabled\": \"1\", \"name\": "
			    "\"Example \\\"U\\\"\", \"password\": \"s3cret\"}, \"host\": {\"enabled\": \"1\", "
			    "\"name\": \"mirror.example.edu\", \"user_active\": \"1\"}, \"stats\": {}, "
			    "\"fedora linux\": {\"enabled\": \"1\", \"dirtree\": {\"\": {}, ", 263) == 0);
	assert_non_null(strstr(json.buf, "\"releases/40/Everything\": {}"));
	assert_string_equal(json.buf + json.len - 3, "}}}");

	_cleanup_free_ char *plain = bunzip(payload, &dlen);
	assert_int_equal(dlen, json.len);
	assert_memory_equal(plain, json.buf, dlen);

	/* shown form: the secret replaced */
	assert_int_equal(checkin_build(&c, true, &shown, NULL, NULL, &bad), 0);
	assert_null(strstr(shown.buf, "s3cret"));
	assert_non_null(strstr(shown.buf, "\"password\": \"********\""));

	cats[0].path = "/nonexistent/mp";
	strbuf_free(&json);
	assert_int_equal(checkin_build(&c, false, &json, NULL, NULL, &bad), -ENOENT);
	assert_ptr_equal(bad, &cats[0]);
}

static void test_encode_large(void **state)
{
	/* many chunks, compressed in parallel, decode to the same text */
	struct checkin_category cat = { .name = "X", .path = tmpl };
	struct checkin_config c = { .server = "s", .password = "p", .host = "h", .cats = &cat, .ncats = 1 };
	_cleanup_strbuf_ struct strbuf json = { 0 };
	_cleanup_free_ char *payload = NULL;
	const struct checkin_category *bad;
	size_t plen, dlen;

	_cleanup_free_ char *big = malloc(3u << 20);
	for (size_t i = 0; i < (3u << 20) - 1; i++)
		big[i] = (char)('a' + (i * 7919 % 26));
	big[(3u << 20) - 1] = '\0';
	c.site = big;
	assert_int_equal(checkin_build(&c, false, &json, &payload, &plen, &bad), 0);
	_cleanup_free_ char *plain = bunzip(payload, &dlen);
	assert_int_equal(dlen, json.len);
	assert_memory_equal(plain, json.buf, dlen);
}

static void test_json_str(void **state)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };
	const char in[] = "a\"b\\c\n\x01\x7f" "\xc3\xa9" "\xf0\x9f\x98\x80" "\xff" "z";
	strbuf_add_json_str(&sb, in, sizeof(in) - 1);
	/* as Python's json.dumps(os.fsdecode(b)) writes it */
	assert_string_equal(sb.buf, "\"a\\\"b\\\\c\\n\\u0001\\u007f\\u00e9\\ud83d\\ude00\\udcffz\"");
}

static void test_request(void **state)
{
	_cleanup_strbuf_ struct strbuf sb = { 0 };
	assert_int_equal(checkin_request("QlpoOTFBWSZTW-_=", &sb), 0);
	assert_non_null(strstr(sb.buf, "<methodName>checkin</methodName>"));
	assert_non_null(strstr(sb.buf, "<value><string>QlpoOTFBWSZTW-_=</string></value>"));
}

static void test_reply(void **state)
{
	char *s = NULL;
	const char *ok = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><string>"
			 "Category Fedora Linux directories updated: 0  added: 2  deleted 0\n"
			 "checked in successful</string></value>\n</param>\n</params>\n</methodResponse>\n";
	assert_int_equal(xmlrpc_reply_string(ok, &s), 0);
	assert_true(checkin_succeeded(s));
	assert_false(checkin_category_missing(s, "fedora linux"));
	assert_true(checkin_category_missing(s, "Fedora EPEL"));
	free(s);

	const char *bad = "<methodResponse><params><param><value>Config file site name or password "
			  "incorrect.\nerror checking in</value></param></params></methodResponse>";
	assert_int_equal(xmlrpc_reply_string(bad, &s), 0);
	assert_false(checkin_succeeded(s));
	assert_string_equal(s, "Config file site name or password incorrect.\nerror checking in");
	free(s);

	const char *ent = "<methodResponse><params><param><value><string>a &lt;b&gt; &amp; &#233;&#x41;"
			  "</string></value></param></params></methodResponse>";
	assert_int_equal(xmlrpc_reply_string(ent, &s), 0);
	assert_string_equal(s, "a <b> & \xc3\xa9" "A");
	free(s);

	const char *fault = "<methodResponse><fault><value><struct><member><name>faultCode</name><value>"
			    "<int>1</int></value></member><member><name>faultString</name><value><string>"
			    "boom</string></value></member></struct></value></fault></methodResponse>";
	assert_int_equal(xmlrpc_reply_string(fault, &s), -EREMOTEIO);
	assert_string_equal(s, "boom");
	free(s);

	assert_int_equal(xmlrpc_reply_string("<html>502 Bad Gateway</html>", &s), -EBADMSG);
	assert_int_equal(xmlrpc_reply_string("<methodResponse><params><param><value><int>1</int>"
					     "</value></param></params></methodResponse>", &s), -EBADMSG);
	assert_false(checkin_succeeded("checked in successful, or not"));
	assert_true(checkin_succeeded("x\nchecked in successful\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_walk_missing),
		cmocka_unit_test(test_build_and_encode),
		cmocka_unit_test(test_encode_large),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_reply),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
