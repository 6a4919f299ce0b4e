/* MirrorManager's XML-RPC checkin (what report_mirror does): the config object,
 * its wire encoding base64url(bz2(JSON)), the methodCall and the reply. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "backend/dirtree.h"
#include "backend/http.h"
#include "lib/strbuf.h"

struct checkin_category {
	const char *name;      /* MirrorManager category, e.g. "Fedora Linux" */
	const char *path;      /* its local top directory */
	struct dirtree_stats stats;   /* filled by checkin_build() */
};

struct checkin_config {
	const char *server;    /* the XML-RPC URL */
	const char *site;
	const char *password;
	const char *host;
	const char *user_active;   /* "1"/"0", or NULL to leave it unchanged */
	struct checkin_category *cats;
	size_t ncats;
};

/* Walks every category's top directory and builds the config object as JSON
 * text in *json: version 0; global, site, host, stats; one section per category,
 * its name in lower case as report_mirror sends it, with enabled "1" and the
 * dirtree.  With redact the password is replaced by "********" (for showing).
 * When payload is not NULL it also gets the wire form base64url(bz2(JSON)),
 * '=' padded: the text is compressed in chunks while the walk goes on, each
 * chunk one bz2 stream, in parallel; bz2.decompress() (and bunzip2) read the
 * concatenated streams as one.  On a walk failure *failed names the category. */
int checkin_build(struct checkin_config *c, bool redact, struct strbuf *json, char **payload,
		  size_t *payload_len, const struct checkin_category **failed);

/* The XML-RPC methodCall of checkin(payload). */
int checkin_request(const char *payload, struct strbuf *out);

/* The string an XML-RPC methodResponse carries, entities decoded.  -EBADMSG when
 * the reply is not a methodResponse with one string; a <fault> gives -EREMOTEIO
 * with the fault string in *ret. */
int xmlrpc_reply_string(const char *body, char **ret);

/* MirrorManager reports success only by the reply's suffix. */
bool checkin_succeeded(const char *reply);
/* Is category cat missing from the reply's "Category X directories updated"
 * lines?  MirrorManager silently skips categories the host does not have. */
bool checkin_category_missing(const char *reply, const char *cat);

/* What one checkin exchange came to. */
struct checkin_outcome {
	long status;           /* HTTP status */
	char *reply;           /* the XML-RPC string, or the fault string (from the server: escape it) */
	bool ok;               /* MirrorManager says it checked the host in */
	char **missing;        /* categories it skipped: the host does not have them (NULL-terminated) */
	char *refusal;         /* !ok: its message on one line, without "error checking in" */
	char err[256];         /* the transport's message when the request failed */
};

/* POSTs the methodCall to post->url and reads the reply against the categories
 * sent.  0 when the server answered (ok, missing, refusal tell what); else
 * -EFBIG (reply over HTTP_REPLY_MAX), a transport error with err, -EPROTO
 * (status not 200), -EREMOTEIO (an XML-RPC fault, in reply) or -EBADMSG (no
 * XML-RPC string). */
int checkin_exchange(const struct http_post *post, const struct checkin_category *cats, size_t ncats,
		     struct checkin_outcome *out);
void checkin_outcome_free(struct checkin_outcome *o);
