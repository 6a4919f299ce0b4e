#include "http.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/macro.h"
#include "lib/strbuf.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(CURL *, curl_easy_cleanup)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct curl_slist *, curl_slist_free_all)

struct sink {
	struct strbuf sb;
	bool too_big;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct sink *s = userdata;
	size_t n = size * nmemb;

	if (s->sb.len + n > HTTP_REPLY_MAX) {
		s->too_big = true;
		return 0;
	}
	strbuf_add(&s->sb, data, n);
	return strbuf_error(&s->sb) ? 0 : n;
}

struct ticker {
	const struct http_post *p;
	struct timespec start;
	unsigned shown;
};

static int on_progress(void *data, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct ticker *t = data;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	unsigned elapsed = (unsigned)(now.tv_sec - t->start.tv_sec);
	if (elapsed > t->shown) {
		t->shown = elapsed;
		t->p->progress(t->p->progress_data, elapsed);
	}
	return 0;
}

static int curl_errno(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}

int http_post(const struct http_post *p, long *status, char **reply, char *err)
{
	_cleanup_(curl_easy_cleanupp) CURL *e = curl_easy_init();
	_cleanup_(curl_slist_free_allp) struct curl_slist *h = NULL;
	_cleanup_free_ char *ctype = NULL, *auth = NULL;
	struct sink s = { 0 };
	CURLcode cc;

	err[0] = '\0';
	if (!e || asprintf(&ctype, "Content-Type: %s", p->content_type) < 0)
		return -ENOMEM;
	if (!(h = curl_slist_append(h, ctype)))
		return -ENOMEM;
	if (p->bearer) {
		if (asprintf(&auth, "Authorization: Bearer %s", p->bearer) < 0)
			return -ENOMEM;
		struct curl_slist *h2 = curl_slist_append(h, auth);
		explicit_bzero(auth, strlen(auth));
		if (!h2)
			return -ENOMEM;
		h = h2;
	}
	curl_easy_setopt(e, CURLOPT_URL, p->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_POST, 1L);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, p->body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)p->len);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)p->connect_timeout);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)p->timeout);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "mirrorprov");
	if (p->ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, p->ca_file);
	struct ticker t = { .p = p };
	if (p->progress) {
		clock_gettime(CLOCK_MONOTONIC, &t.start);
		curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(e, CURLOPT_XFERINFODATA, &t);
		curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	}
	cc = curl_easy_perform(e);
	if (s.too_big) {
		strbuf_free(&s.sb);
		return -EFBIG;
	}
	if (cc != CURLE_OK) {
		curl_off_t connected = 0;
		if (!err[0])
			snprintf(err, CURL_ERROR_SIZE, "%s", curl_easy_strerror(cc));
		strbuf_free(&s.sb);
		/* Connected, so the request went out: the server may still be working on it. */
		if (cc == CURLE_OPERATION_TIMEDOUT && curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connected) == CURLE_OK &&
		    connected > 0)
			return -ETIME;
		return curl_errno(cc);
	}
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	*reply = strbuf_steal(&s.sb, NULL);
	return *reply ? 0 : -ENOMEM;
}
