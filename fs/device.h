/* From what the user typed (a path, a kernel name or a WWID) to a device node. */
#pragma once

#include <stdbool.h>

/* The one place device arguments are resolved, for mkfs, mount and onboard.
 * A path is returned as given; a WWID in any spelling raid/lun.h knows
 * (naa.…, wwn-0x…, 0x…, 3…, eui.…, t10.…) is looked up among the LUNs (the
 * multipath map, never a bare path of it); a bare kernel name becomes
 * /dev/NAME.  -ENODEV when nothing matches. */
int fs_resolve_device(const char *arg, char **ret_path);

/* Does the argument look like a WWID rather than a path or kernel name? */
bool wwid_like(const char *arg);

/* Two spellings of the same WWID (wwid_normalize() of raid/lun.h)? */
bool wwid_matches(const char *a, const char *b);
