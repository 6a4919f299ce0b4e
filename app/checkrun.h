/* The URL-check run of `check`, `register` and onboard's check step: each
 * profile of a set at every URL of the host (http, https, rsync), against the
 * local tree. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"
#include "backend/urlcheck.h"
#include "lib/hostconf.h"
#include "lib/names.h"
#include "lib/runas.h"
#include "sync/profile.h"

struct checkrun_opts {
	bool full;            /* every file instead of a sample */
	size_t sample;        /* files per profile and URL */
	const char *ca;       /* --ca FILE */
	unsigned timeout;     /* seconds */
	unsigned per_host;
};

#define CHECKRUN_DEFAULTS { .sample = 20, .timeout = 10, .per_host = 4 }

/* One profile at one URL. */
struct url_check {
	char *profile;         /* the profile's name */
	char *url;
	struct check_result res;   /* a local tree that cannot be read or lacks a marker fails here too */
};

struct checkrun_result {
	size_t n;
	struct url_check *v;
	size_t failed;         /* entries that did not pass */
	const struct url_check *first_failed;   /* NULL when all passed */
};

/* Who runs the rsync client for the checks (it talks to the network):
 * mirror.user, or nobody while there is none; *ret NULL when the caller is not
 * root (it runs it itself).  Root as mirror.user is APP_BAD_INPUT. */
int checkrun_network_user(const struct hostconf *hc, struct run_as *user, const struct run_as **ret,
			  struct app_error *e);
/* The host's base URL of scheme s (NULL when not configured), and p's URL below it, malloc'd. */
const char *checkrun_base(const struct hostconf *hc, enum url_scheme s);
char *checkrun_url(const struct hostconf *hc, const struct profile *p, enum url_scheme s);

/* Checks each profile of set at every URL of the host, local tree under root;
 * the rsync client runs as mirror.user (nobody while there is none), never as
 * root.  0 when the checks ran (whatever they found), else -errno with e. */
int checkrun(const struct hostconf *hc, const char *root, const struct profile_set *set,
	     const struct checkrun_opts *o, struct checkrun_result *ret, struct app_error *e);
void checkrun_result_free(struct checkrun_result *r);
