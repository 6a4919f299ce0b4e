/* From what the user typed (a path, a kernel name or a WWID) to a device node. */
#pragma once

#include <stdbool.h>

/* The one place device arguments are resolved, for mkfs, mount and onboard.
 * A path is returned as given; "naa.…", "wwn-0x…", "eui.…", "0x…" are looked up
 * under /dev/disk/by-id (a multipath map before a bare path); a bare kernel name
 * becomes /dev/NAME.  -ENODEV when nothing matches. */
int fs_resolve_device(const char *arg, char **ret_path);

/* Does the argument look like a WWID rather than a path? */
bool wwid_like(const char *arg);

/* Compares two WWID spellings: case and the naa./eui./wwn-0x/0x prefixes are
 * ignored, and the SCSI designator-type digit multipath puts in front ("3…"). */
bool wwid_matches(const char *a, const char *b);
