/* The registration run of `register` and of onboard's register step: the
 * instances that register the profiles (backend/instance.h), the passwords
 * and URL checks before anything is sent, then each instance through its
 * channel: the documents a human submits, the MirrorManager checkin, the
 * mirrorbits/mb commands, the MirrorCache requests.  What each instance did
 * comes back as a struct reg_outcome, for cli/ to print as text or JSON. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"
#include "app/checkrun.h"
#include "backend/checkin.h"
#include "backend/instance.h"
#include "backend/register.h"
#include "lib/hostconf.h"
#include "sync/profile.h"

struct register_request {
	const struct hostconf *hc;
	const char *root;                  /* the mirror root */
	const struct profile_set *set;     /* the profiles (upstreams settled) */
	const char *backend;               /* --backend: only the instances of this type, or NULL */
	bool listed;                       /* the profiles were named on the command line */
	bool no_send, skip_check;
	const struct checkrun_opts *check;
};

/* A command of mirrorbits or mb: shown, then (unless no_send) run. */
struct reg_command {
	char **argv;
	size_t profile;          /* index into the group's profiles */
	bool ran;
	char *out, *err;         /* what it printed (from outside: escape it for a terminal) */
};

/* A MirrorCache request. */
struct reg_post {
	char *url;
	json_object *body;
	bool sent;
	long status;
	char *reply;             /* from outside */
};

/* What one instance's registration did. */
struct reg_outcome {
	const struct reg_group *g;
	bool prints;                     /* its channel is a document a human submits */
	struct reg_document *docs;
	size_t ndocs;
	char **categories;               /* MirrorManager: the categories sent */
	json_object *sent;               /* MirrorManager with no_send: the checkin object, password hidden */
	bool checked_in;                 /* the checkin was answered: checkin holds the answer */
	struct checkin_outcome checkin;
	size_t dirs;                     /* directories reported in the checkin */
	struct reg_command *cmds;
	size_t ncmds;
	struct reg_post *posts;
	size_t nposts;
	int r;                           /* 0, or -errno with error set */
	struct app_error error;
};

struct register_observer {
	void *userdata;
	/* Before the first instance, the checks passed (or NULL). */
	void (*planned)(void *userdata, const struct reg_plan *plan);
	/* While MirrorManager works on a checkin (seconds so far), or NULL. */
	void (*waiting)(void *userdata, const struct reg_group *g, unsigned elapsed);
	/* After each instance, in plan order. */
	void (*registered)(void *userdata, const struct reg_plan *plan, const struct reg_outcome *o);
};

struct register_report {
	struct reg_plan plan;
	struct checkrun_result checks;   /* the URL checks run first (n == 0: none ran) */
	struct app_error error;          /* why no instance ran */
};

/* Plans, checks the passwords and the URLs, then registers instance by
 * instance (one failing does not stop the others).  0 when all went well;
 * else -errno: report->error when no instance ran, else the outcomes said it. */
int registration_run(const struct register_request *rq, const struct register_observer *obs,
		 struct register_report *report);
void register_report_free(struct register_report *report);

/* The host.conf key that sets the instance's checkin timeout, for messages. */
void register_timeout_key(const struct reg_group *g, char *buf, size_t len);
/* Is type one of the backends register knows? */
bool register_backend_known(const char *type);
