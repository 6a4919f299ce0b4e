/* Propagation, as MirrorManager's statistics show it, for this host: the
 * profile's freshness markers fetched from upstream and from each of the host's
 * own URLs with the URL-check fetcher (backend/urlcheck.c), compared by SHA-256
 * and, where the marker states one, by time. */
#include "status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/urlcheck.h"
#include "lib/macro.h"
#include "lib/strv.h"

static void hex(const unsigned char md[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

/* The markers to compare: the profile's freshness files in the local tree,
 * without the host's own trace (no other host serves it). */
static int marker_list(const struct profile *p, const char *local, const char *own_trace, char ***ret)
{
	_cleanup_strv_free_ char **files = NULL;
	_cleanup_strvec_ struct strvec v = { 0 };
	const char *unmatched;
	int r = check_expand_markers(local, p->freshness, &files, &unmatched);

	if (r < 0)
		return r;
	for (char **f = files; *f; f++)
		if (!own_trace || strcmp(*f, own_trace))
			strvec_push(&v, *f);
	return strvec_steal(&v, false, ret);
}

/* One URL against upstream: "current", "behind" (by *behind seconds),
 * "different" or "error", and *detail. */
static const char *compare(char *const *markers, const struct check_fetched *up, const struct check_fetched *u,
			   int64_t *behind, char **detail)
{
	const char *state = "current";

	*behind = 0;
	*detail = NULL;
	for (size_t i = 0; markers[i]; i++) {
		if (up[i].ok && u[i].ok && up[i].size == u[i].size && memcmp(up[i].md, u[i].md, 32) == 0)
			continue;
		if (!up[i].ok) {
			if (!*detail && asprintf(detail, "upstream %s: %s", markers[i], up[i].error) < 0)
				*detail = NULL;
			return "error";
		}
		if (!u[i].ok) {
			if (!*detail && asprintf(detail, "%s: %s", markers[i], u[i].error) < 0)
				*detail = NULL;
			state = "different";
			continue;
		}
		int64_t tu = marker_time_of_text(up[i].head, up[i].head_len);
		int64_t th = marker_time_of_text(u[i].head, u[i].head_len);
		if (tu && th && th < tu) {
			if (tu - th > *behind)
				*behind = tu - th;
			if (strcmp(state, "current") == 0)
				state = "behind";
		} else
			state = "different";
		if (!*detail && asprintf(detail, "%s differs%s", markers[i], tu && th && th < tu ? " (older)" : "") < 0)
			*detail = NULL;
	}
	/* "different" wins over "behind": a marker that is not an older copy is no lag */
	return state;
}

static json_object *fetched_json(char *const *markers, const struct check_fetched *f)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; markers[i]; i++) {
		json_object *o = json_object_new_object();
		char sha[65];
		json_object_object_add(o, "path", json_object_new_string(markers[i]));
		if (f[i].ok) {
			hex(f[i].md, sha);
			json_object_object_add(o, "sha256", json_object_new_string(sha));
			int64_t t = marker_time_of_text(f[i].head, f[i].head_len);
			if (t)
				json_object_object_add(o, "time", json_object_new_int64(t));
		} else
			json_object_object_add(o, "error", json_object_new_string(f[i].error));
		json_object_array_add(a, o);
	}
	return a;
}

int propagation_run(const struct propagation_request *rq, json_object **ret)
{
	_cleanup_strv_free_ char **markers = NULL;
	_cleanup_free_ struct check_fetched *up = NULL, *u = NULL;
	_cleanup_free_ char *upstream = strdup(rq->upstream);
	json_object *rec = NULL, *urls;
	size_t n;
	int r;

	if (!upstream)
		return -ENOMEM;
	/* "rsync://host/module/" and "rsync://host/module": the same base */
	for (size_t l = strlen(upstream); l > 1 && upstream[l - 1] == '/'; l--)
		upstream[l - 1] = '\0';
	if ((r = marker_list(rq->profile, rq->local, rq->own_trace, &markers)) < 0)
		return r;
	n = strv_length(markers);
	if (!n)
		return -ENODATA;
	up = calloc(n, sizeof(*up));
	u = calloc(n, sizeof(*u));
	if (!up || !u)
		return -ENOMEM;
	if ((r = check_fetch_markers(upstream, markers, rq->opts, up)) < 0)
		goto out;
	rec = json_object_new_object();
	json_object *uo = json_object_new_object();
	json_object_object_add(uo, "url", json_object_new_string(upstream));
	json_object_object_add(uo, "markers", fetched_json(markers, up));
	json_object_object_add(rec, "upstream", uo);
	urls = json_object_new_array();
	json_object_object_add(rec, "urls", urls);
	for (char *const *url = rq->urls; *url; url++) {
		_cleanup_free_ char *detail = NULL;
		int64_t behind;
		if ((r = check_fetch_markers(*url, markers, rq->opts, u)) < 0)
			break;
		const char *state = compare(markers, up, u, &behind, &detail);
		json_object *o = json_object_new_object();
		json_object_object_add(o, "url", json_object_new_string(*url));
		json_object_object_add(o, "state", json_object_new_string(state));
		if (strcmp(state, "behind") == 0)
			json_object_object_add(o, "behind_seconds", json_object_new_int64(behind));
		if (detail)
			json_object_object_add(o, "detail", json_object_new_string(detail));
		json_object_array_add(urls, o);
		check_fetched_free(u, n);
	}
out:
	check_fetched_free(up, n);
	check_fetched_free(u, n);
	if (r < 0) {
		json_object_put(rec);
		return r;
	}
	*ret = rec;
	return 0;
}
