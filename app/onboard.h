/* onboard: the whole server from one host configuration, as a plan of steps
 * (device, geometry, mkfs, mount, layout, sync, check, register), each done
 * (already true), change (what it will do) or blocked (why not).  The verb,
 * its -J form and the Ansible module render the same struct onboard. */
#pragma once

#include <libudev.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "app/app.h"
#include "app/checkrun.h"
#include "app/register.h"
#include "fs/mkfs.h"
#include "fs/mount.h"
#include "lib/hostconf.h"
#include "raid/geometry.h"
#include "sync/profile.h"
#include "sync/syncrun.h"

struct onboard_options {
	const char *config;     /* NULL: the default host configuration */
	const char *image;      /* rehearsal image file, or NULL */
	uint64_t image_size;    /* bytes, for creating the image; 0: not given */
	const char *prefix;     /* fstab and configuration files under this directory */
	struct checkrun_opts check;
	bool sync, force, dry_run;
};

enum step_state { STEP_DONE, STEP_CHANGE, STEP_BLOCKED };
enum { S_DEVICE, S_GEOMETRY, S_MKFS, S_MOUNT, S_LAYOUT, S_SYNC, S_CHECK, S_REGISTER, _S_MAX };
extern const char *const onboard_step_names[_S_MAX];
extern const char *const step_state_names[];

struct onboard_step {
	enum step_state state;
	char *detail;     /* what is true, what will be done, or why not */
	char *output;     /* after applying: what was done, lines for people (NULL: nothing to say) */
};

struct onboard;

/* What the caller does around the steps: present them, ask before formatting. */
struct onboard_observer {
	void *userdata;
	void (*applying)(void *userdata, const struct onboard *ob, int step);
	void (*applied)(void *userdata, const struct onboard *ob, int step, int r);
	/* Before anything is written when the mkfs step formats: 0 to go on, else <0 (reported). */
	int (*confirm)(void *userdata, const struct onboard *ob);
	/* After each profile's first sync (the run's result, from start), for the history. */
	void (*synced)(void *userdata, const struct onboard *ob, const struct profile *p, int r,
		       const struct sync_result *res, time_t start);
	/* The register step, after each backend instance (app/register.h). */
	void (*registered)(void *userdata, const struct onboard *ob, const struct reg_plan *plan,
			   const struct reg_outcome *o);
};

struct onboard {
	const struct onboard_options *o;
	struct udev *udev;
	struct hostconf hc;
	bool loaded;
	const struct hostconf_storage *st;
	struct raid_geometry geom;
	struct profile_set set;
	char *profiles_error;     /* NULL when the profiles loaded */
	char *device;             /* the storage device node (NULL: the image is not created yet) */
	char *probe_loop;         /* read-only attachment made for planning, detached at the end */
	char *fstab, *record;     /* under the prefix */
	bool deferred;            /* check and register wait for the first sync */
	struct onboard_step steps[_S_MAX];
	int blocked;              /* the first blocked step, or -1 */
	bool changes;             /* a step is to change */
	bool changed;             /* a step was applied */
	int failed;               /* the step that failed, or -1 */
	struct app_error error;   /* why load, plan or apply failed */
	/* the results of the last applied step, for its presentation */
	struct mkfs_plan mkfs;
	struct mkfs_result mkfs_res;
	struct mount_plan mount;
	struct mount_result mount_res;
	struct checkrun_result checks;
	time_t checks_start;      /* when the check step's run began */
};

/* Loads the host configuration and the profiles; -errno with ob->error set. */
int onboard_load(struct onboard *ob, const struct onboard_options *o);
/* Plans every step; -errno (ob->error) when a step could not even be planned. */
int onboard_plan(struct onboard *ob);
/* Applies the steps to change, in order, stopping at the first failure
 * (ob->failed, ob->error); not when blocked or dry_run. */
int onboard_apply(struct onboard *ob, const struct onboard_observer *obs);
void onboard_free(struct onboard *ob);
