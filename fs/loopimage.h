/* Rehearsal images: a sparse file attached to a loop device (losetup), so the
 * whole pipeline can run with no hardware.  Re-runs reuse the attachment. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Creates path as a sparse file of size bytes unless it exists.  1 created,
 * 0 it existed, -errno. */
int loop_image_create(const char *path, uint64_t size);
/* The loop device the image is attached to ("/dev/loop3"), read-write
 * attachments only unless want_ro, whose read-only ones are looked for instead.
 * 1 found (*ret set), 0 none, -errno (-ENOENT: no losetup). */
int loop_image_find(const char *path, bool want_ro, char **ret);
/* losetup --find --show --partscan [--read-only] path. */
int loop_image_attach(const char *path, bool read_only, char **ret);
int loop_image_detach(const char *loopdev);
