/* From what the user typed (a path, a kernel name or a WWID) to a device node. */
#pragma once

#include <stdbool.h>

#include "block/wwid.h"

/* The one place device arguments are resolved, for mkfs, mount and onboard.
 * A path is returned as given; a WWID in any spelling block/wwid.h knows
 * (naa.…, wwn-0x…, 0x…, 3…, eui.…, t10.…) is looked up among the LUNs (the
 * multipath map, never a bare path of it); a bare kernel name becomes
 * /dev/NAME.  -ENODEV when nothing matches. */
int fs_resolve_device(const char *arg, char **ret_path);
