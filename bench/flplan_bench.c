/* Bench driver: mirrorprov's file-list planning (sync/flplan.c) of one module:
 * parse the new and the old list, compare, walk the local tree, write the
 * transfer set.  usage: flplan_bench NEW OLD LOCAL_DIR SINCE FILES_FROM [full]
 * ("full": stat every local entry).  Prints "SECONDS TRANSFER DELETE". */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lib/macro.h"
#include "sync/flplan.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char *keep[] = { "fullfiletimelist-fedora", NULL };
	_cleanup_free_ char *err = NULL;
	struct flplan p;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: flplan_bench NEW OLD LOCAL_DIR SINCE FILES_FROM [full]\n");
		return 2;
	}
	struct flplan_module m = { .list = argv[1], .old_list = argv[2], .local_dir = argv[3], .keep = keep,
				   .since = strtoll(argv[4], NULL, 10), .full = argc == 7 };
	FILE *ff = fopen(argv[5], "we");
	double t0 = now();
	int r = ff ? flplan_build(&m, ff, "fedora/", &p, &err) : -1;
	if (ff)
		fclose(ff);
	if (r < 0) {
		fprintf(stderr, "flplan_bench: %s\n", err ? err : "failed");
		return 1;
	}
	printf("%.3f %zu %zu\n", now() - t0, p.transfer_files + p.transfer_dirs + p.transfer_links,
	       p.delete_files + p.delete_dirs);
	flplan_free(&p);
	return 0;
}
