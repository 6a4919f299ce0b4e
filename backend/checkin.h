/* MirrorManager's XML-RPC checkin (what report_mirror does): the config object,
 * its wire encoding base64url(bz2(JSON)), the methodCall and the reply. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "backend/dirtree.h"
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
