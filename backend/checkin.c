#include "checkin.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend/bzpar.h"
#include "lib/macro.h"

static void add_key_str(struct strbuf *sb, const char *k, const char *v, bool comma)
{
	if (comma)
		strbuf_add(sb, ", ", 2);
	strbuf_add_json_str(sb, k, strlen(k));
	strbuf_add(sb, ": ", 2);
	strbuf_add_json_str(sb, v, strlen(v));
}

static void base64url(const unsigned char *in, size_t len, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = tab[(v >> 6) & 63];
		*out++ = tab[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < len ? (unsigned)in[i + 1] << 8 : 0);
		*out++ = tab[v >> 18];
		*out++ = tab[(v >> 12) & 63];
		*out++ = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

struct build {
	struct strbuf *json;
	struct bzpar *bz;
	size_t fed;       /* bytes of json handed to bz */
	bool first;
};

/* Hands the new JSON text to the compressor in pieces of at least 256 KiB. */
static int feed(struct build *b, bool all)
{
	size_t n = b->json->len - b->fed;
	int r;

	if (strbuf_error(b->json))
		return -ENOMEM;
	if (!b->bz || (!all && n < 256 * 1024))
		return 0;
	if ((r = bzpar_feed(b->bz, b->json->buf + b->fed, n)) < 0)
		return r;
	b->fed += n;
	return 0;
}

static int add_dir(const char *path, size_t len, void *userdata)
{
	struct build *b = userdata;

	if (!b->first)
		strbuf_add(b->json, ", ", 2);
	b->first = false;
	strbuf_add_json_str(b->json, path, len);
	strbuf_add(b->json, ": {}", 4);
	return feed(b, false);
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct bzpar *, bzpar_free)

/* Same separators and key order as report_mirror's json.dumps(), so for the
 * same walk order the text is byte for byte what report_mirror would send. */
int checkin_build(struct checkin_config *c, bool redact, struct strbuf *sb, char **payload,
		  size_t *payload_len, const struct checkin_category **failed)
{
	_cleanup_(bzpar_freep) struct bzpar *bz = NULL;
	struct build b = { .json = sb };
	int r;

	if (payload && (r = bzpar_new(&bz)) < 0)
		return r;
	b.bz = bz;
	strbuf_adds(sb, "{\"version\": 0, \"global\": {");
	add_key_str(sb, "enabled", "1", false);
	add_key_str(sb, "server", c->server, true);
	strbuf_adds(sb, "}, \"site\": {");
	add_key_str(sb, "enabled", "1", false);
	add_key_str(sb, "name", c->site, true);
	add_key_str(sb, "password", redact ? "********" : c->password, true);
	strbuf_adds(sb, "}, \"host\": {");
	add_key_str(sb, "enabled", "1", false);
	add_key_str(sb, "name", c->host, true);
	if (c->user_active)
		add_key_str(sb, "user_active", c->user_active, true);
	strbuf_adds(sb, "}, \"stats\": {}");
	for (size_t i = 0; i < c->ncats; i++) {
		struct checkin_category *cat = &c->cats[i];
		_cleanup_free_ char *lower = strdup(cat->name);
		if (!lower)
			return -ENOMEM;
		for (char *p = lower; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		strbuf_add(sb, ", ", 2);
		strbuf_add_json_str(sb, lower, strlen(lower));
		strbuf_adds(sb, ": {\"enabled\": \"1\", \"dirtree\": {");
		b.first = true;
		r = dirtree_walk(cat->path, add_dir, &b, &cat->stats);
		if (r < 0) {
			*failed = cat;
			return r;
		}
		strbuf_adds(sb, "}}");
	}
	strbuf_addc(sb, '}');
	if ((r = feed(&b, true)) < 0 || !payload)
		return r;

	_cleanup_free_ unsigned char *z = NULL;
	size_t zlen;
	if ((r = bzpar_finish(bz, &z, &zlen)) < 0)
		return r;
	size_t olen = (zlen + 2) / 3 * 4;
	char *out = malloc(olen + 1);
	if (!out)
		return -ENOMEM;
	base64url(z, zlen, out);
	*payload = out;
	if (payload_len)
		*payload_len = olen;
	return 0;
}

int checkin_request(const char *payload, struct strbuf *sb)
{
	strbuf_adds(sb, "<?xml version='1.0'?>\n<methodCall>\n<methodName>checkin</methodName>\n"
			"<params>\n<param>\n<value><string>");
	/* the base64url alphabet needs no XML escaping */
	strbuf_adds(sb, payload);
	strbuf_adds(sb, "</string></value>\n</param>\n</params>\n</methodCall>\n");
	return strbuf_error(sb);
}

/* Decodes the five XML entities and numeric character references of s[0..len). */
static int xml_unescape(const char *s, size_t len, char **ret)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < len;) {
		if (s[i] != '&') {
			size_t run = i;
			while (run < len && s[run] != '&')
				run++;
			strbuf_add(&sb, s + i, run - i);
			i = run;
			continue;
		}
		const char *semi = memchr(s + i, ';', len - i);
		if (!semi) {
			strbuf_free(&sb);
			return -EBADMSG;
		}
		size_t n = (size_t)(semi - (s + i)) + 1;
		static const struct { const char *ent; char c; } ents[] = {
			{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' }, { "&quot;", '"' }, { "&apos;", '\'' },
		};
		bool done = false;
		for (size_t k = 0; k < ARRAY_SIZE(ents); k++)
			if (n == strlen(ents[k].ent) && memcmp(s + i, ents[k].ent, n) == 0) {
				strbuf_addc(&sb, ents[k].c);
				done = true;
			}
		if (!done && n > 3 && s[i + 1] == '#') {
			bool hex = s[i + 2] == 'x';
			char *end;
			unsigned long cp = strtoul(s + i + 2 + hex, &end, hex ? 16 : 10);
			if (end != semi || cp == 0 || cp > 0x10ffff) {
				strbuf_free(&sb);
				return -EBADMSG;
			}
			char u[4];
			size_t ul;
			if (cp < 0x80)
				u[0] = (char)cp, ul = 1;
			else if (cp < 0x800)
				u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 63)), ul = 2;
			else if (cp < 0x10000)
				u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 63)),
				u[2] = (char)(0x80 | (cp & 63)), ul = 3;
			else
				u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 63)),
				u[2] = (char)(0x80 | ((cp >> 6) & 63)), u[3] = (char)(0x80 | (cp & 63)), ul = 4;
			strbuf_add(&sb, u, ul);
			done = true;
		}
		if (!done) {
			strbuf_free(&sb);
			return -EBADMSG;
		}
		i += n;
	}
	*ret = strbuf_steal(&sb, NULL);
	return *ret ? 0 : -ENOMEM;
}

/* The text between <tag> and </tag> after from, or NULL. */
static const char *element(const char *from, const char *tag, size_t *len)
{
	char open[32], close[32];
	const char *a, *b;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if (!(a = strstr(from, open)))
		return NULL;
	a += strlen(open);
	if (!(b = strstr(a, close)))
		return NULL;
	*len = (size_t)(b - a);
	return a;
}

int xmlrpc_reply_string(const char *body, char **ret)
{
	const char *resp = strstr(body, "<methodResponse>"), *v;
	size_t len;
	int r;

	if (!resp)
		return -EBADMSG;
	if (strstr(resp, "<fault>")) {
		/* faultString's value follows its <name> */
		const char *fs = strstr(resp, "<name>faultString</name>");
		if (fs && (v = element(fs, "string", &len)) && (r = xml_unescape(v, len, ret)) == 0)
			return -EREMOTEIO;
		*ret = NULL;
		return -EREMOTEIO;
	}
	if (!(v = element(resp, "value", &len)))
		return -EBADMSG;
	/* <value><string>x</string></value>, or a bare <value>x</value> (also a string) */
	const char *inner = v;
	size_t ilen = len;
	while (ilen && isspace((unsigned char)*inner))
		inner++, ilen--;
	if (ilen >= 9 && strncmp(inner, "<string>", 8) == 0) {
		const char *end = strstr(inner, "</string>");
		if (!end || end > v + len)
			return -EBADMSG;
		return xml_unescape(inner + 8, (size_t)(end - inner - 8), ret);
	}
	if (strncmp(inner, "<string/>", 9) == 0)
		return xml_unescape("", 0, ret);
	if (memchr(v, '<', len))
		return -EBADMSG;   /* some other type: not what checkin returns */
	return xml_unescape(v, len, ret);
}

bool checkin_succeeded(const char *reply)
{
	static const char ok[] = "checked in successful";
	size_t n = strlen(reply);

	while (n && isspace((unsigned char)reply[n - 1]))
		n--;
	return n >= sizeof(ok) - 1 && memcmp(reply + n - (sizeof(ok) - 1), ok, sizeof(ok) - 1) == 0;
}

bool checkin_category_missing(const char *reply, const char *cat)
{
	size_t cl = strlen(cat);

	for (const char *p = reply; (p = strstr(p, "Category ")); p++) {
		const char *name = p + 9;
		if (strncasecmp(name, cat, cl) == 0 && strncmp(name + cl, " directories updated:", 21) == 0)
			return false;
	}
	return true;
}

/* MirrorManager's message on one line, without its "error checking in". */
static char *refusal_line(const char *reply)
{
	char *line = strdup(reply), *tail;
	size_t n;

	if (!line)
		return NULL;
	for (char *p = line; *p; p++)
		if (*p == '\n')
			*p = ' ';
	tail = strstr(line, "error checking in");
	n = tail ? (size_t)(tail - line) : strlen(line);
	while (n && line[n - 1] == ' ')
		n--;
	line[n] = '\0';
	return line;
}

static int list_missing(const char *reply, const struct checkin_category *cats, size_t ncats, char ***ret)
{
	size_t k = 0;

	if (!(*ret = calloc(ncats + 1, sizeof(char *))))
		return -ENOMEM;
	for (size_t i = 0; i < ncats; i++)
		if (checkin_category_missing(reply, cats[i].name) && !((*ret)[k++] = strdup(cats[i].name)))
			return -ENOMEM;
	return 0;
}

int checkin_exchange(const struct http_post *post, const struct checkin_category *cats, size_t ncats,
		     struct checkin_outcome *out)
{
	_cleanup_free_ char *body = NULL;
	int r;

	_Static_assert(sizeof(out->err) >= CURL_ERROR_SIZE, "http_post() writes CURL_ERROR_SIZE bytes");
	*out = (struct checkin_outcome){ 0 };
	if ((r = http_post(post, &out->status, &body, out->err)) < 0)
		return r;
	if (out->status != 200)
		return -EPROTO;
	if ((r = xmlrpc_reply_string(body, &out->reply)) < 0)
		return r;
	out->ok = checkin_succeeded(out->reply);
	if (!out->ok)
		return (out->refusal = refusal_line(out->reply)) ? 0 : -ENOMEM;
	return list_missing(out->reply, cats, ncats, &out->missing);
}

void checkin_outcome_free(struct checkin_outcome *o)
{
	free(o->reply);
	free(o->refusal);
	strv_freep(&o->missing);
}
