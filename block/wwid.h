/* WWIDs (SCSI/NVMe world-wide identifiers) in the spellings people, udev,
 * sysfs and multipath-tools use, and how to compare them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Canonical form of a WWID for comparison: "naa.<lower hex>" for the NAA
 * spellings naa.600d…, wwn-0x600d…, 0x600d…, 3600d… (udev ID_SERIAL, mpath
 * uuid suffix, scsi-3… links; also with a /dev/disk/by-id/ prefix); other
 * designators (eui., t10.) unchanged.  Returns -EINVAL for an empty or
 * over-long string. */
int wwid_normalize(const char *in, char *out, size_t len);

/* Does the argument look like a WWID rather than a path or kernel name? */
bool wwid_like(const char *arg);

/* Two spellings of the same WWID (wwid_normalize())? */
bool wwid_matches(const char *a, const char *b);
