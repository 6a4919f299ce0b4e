/* `mirrorprov sync` of a method-filelist profile (sync/flsync.h runs it). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "mirrorctx.h"

/* named->upstream settled: one run for it and the host's other file-list
 * profiles with an upstream; alone when its upstream came from --upstream.
 * Reports itself (cli/mirrorprov.h's convention). */
int sync_filelist(const struct mirrorctx *ctx, const struct profile *named, bool alone, uint64_t timeout,
		  bool dry_run, bool json, bool full);
