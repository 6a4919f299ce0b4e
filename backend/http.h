/* One bounded HTTP POST (XML-RPC checkin, MirrorCache REST). */
#pragma once

#include <stddef.h>

#define HTTP_REPLY_MAX (1u << 20)   /* a backend reply larger than 1 MiB is refused */

struct http_post {
	const char *url;
	const char *content_type;
	const char *body;
	size_t len;
	const char *bearer;        /* secret for "Authorization: Bearer", or NULL; never logged */
	const char *ca_file;       /* extra trust anchor, or NULL */
	unsigned connect_timeout;  /* seconds */
	unsigned timeout;          /* seconds for the whole request */
	/* Called about once a second while the request runs (NULL: not called). */
	void (*progress)(void *data, unsigned elapsed_sec);
	void *progress_data;
};

/* 0 with the status and the reply body (NUL-terminated, at most HTTP_REPLY_MAX
 * bytes: -EFBIG beyond); -EHOSTUNREACH/-ECONNREFUSED/-ETIMEDOUT/-EIO with a
 * curl message in err (CURL_ERROR_SIZE bytes) when the request failed; -ETIME
 * when it was sent but no reply came within timeout. */
int http_post(const struct http_post *p, long *status, char **reply, char *err);
