/* Every signature libblkid finds on a device (filesystems, RAID and LVM
 * members, partition tables including backup GPT and protective MBR), found
 * with wipefs's probe/hide/step-back loop rather than a single probe. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct signature {
	char *type;      /* "xfs", "gpt", "PMBR", "LVM2_member", ... */
	char *usage;     /* "filesystem", "raid", "partition-table", "crypto", ... */
	char *label;     /* NULL when none */
	char *uuid;      /* NULL when none */
	uint64_t offset; /* bytes from the start of the device */
};

struct signature_list {
	struct signature *v;
	size_t n;
};

/* Probes an open descriptor read-only.  Returns 0 (list may be empty) or
 * -errno when probing failed: callers that guard writes treat that as unsafe. */
int signatures_probe_fd(int fd, struct signature_list *ret);
int signatures_probe_path(const char *path, struct signature_list *ret);
void signature_list_free(struct signature_list *l);
/* The first filesystem-type hit (for fstype/label/uuid columns), or NULL. */
const struct signature *signature_list_filesystem(const struct signature_list *l);
/* The first partition-table hit, or NULL. */
const struct signature *signature_list_pttable(const struct signature_list *l);
