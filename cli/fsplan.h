/* Printing the plans of the fs/ layer (mkfs, mount) for people and as JSON;
 * shared by the mkfs, mount and onboard verbs. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "fs/checks.h"
#include "fs/mkfs.h"

/* The checks as a table (CHECK, OK, DETAIL) or a JSON array of {name, ok, forced, detail}. */
int checks_print(FILE *f, const struct fs_checks *c);
json_object *checks_to_json(const struct fs_checks *c);
/* refuse("NAME: DETAIL") for the first failed check: -MP_EREFUSED. */
int checks_refuse(const struct fs_checks *c);


json_object *mkfs_plan_to_json(const struct mkfs_plan *p);
void mkfs_plan_print(FILE *f, const struct mkfs_plan *p);
/* Warnings about the device's own I/O hints against the plan. */
void mkfs_plan_warn(const struct mkfs_plan *p);
/* Reads "type the device name" from the terminal, or requires --yes.
 * Returns 0 to go on, -MP_EREFUSED (after logging) otherwise. */
int confirm_device(const char *what, const char *path, const char *name, const char *given, bool yes);
/* After mkfs_plan_apply(): the error as one line and its result (cli/mirrorprov.h); on success
 * the partition, mkfs.xfs's output and the verified superblock on f (f NULL, as with -J:
 * only mkfs.xfs's warnings, on stderr). */
int mkfs_report_apply_error(const struct mkfs_plan *p, const struct mkfs_result *res, int r);
void mkfs_report_success(FILE *f, const struct mkfs_plan *p, const struct mkfs_result *res);

#include "fs/mount.h"

json_object *mount_plan_to_json(const struct mount_plan *p);
void mount_plan_print(FILE *f, const struct mount_plan *p);
/* "sunit=16 swidth=208 blks (su 64 KiB, sw 13)" */
void xfs_geom_describe(const struct xfs_geom *g, char *buf, size_t len);
json_object *xfs_geom_to_json(const struct xfs_geom *g);
/* Removed options are bad input (-MP_EUSAGE, logged); deprecated ones warn. */
int mount_vet_options(const char *opts);
/* After mount_plan_apply(), as the mount verb reports it. */
int mount_report_apply_error(const struct mount_plan *p, const struct mount_result *res, int r);
void mount_report_success(FILE *f, const struct mount_plan *p, const struct mount_result *res);
