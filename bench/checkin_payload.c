/* Bench driver: the checkin payload of one category rooted at argv[1], written
 * to argv[2].  Prints the seconds taken; what the walk did on stderr. */
#include <stdio.h>
#include <time.h>

#include "backend/checkin.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct checkin_category cat = { .name = "Fedora Linux", .path = argc > 1 ? argv[1] : "." };
	struct checkin_config c = { .server = "http://127.0.0.1/xmlrpc", .site = "Example", .password = "x",
				    .host = "mirror.example.edu", .cats = &cat, .ncats = 1 };
	const struct checkin_category *bad;
	_cleanup_strbuf_ struct strbuf json = { 0 };
	_cleanup_free_ char *payload = NULL;
	size_t plen;

	if (argc != 3) {
		fprintf(stderr, "usage: checkin_payload DIR OUT\n");
		return 2;
	}
	double t0 = now();
	if (checkin_build(&c, false, &json, &payload, &plen, &bad) < 0)
		return 1;
	double t1 = now();
	FILE *f = fopen(argv[2], "w");
	if (!f || fwrite(payload, 1, plen, f) != plen || fclose(f))
		return 1;
	fprintf(stderr, "  %zu dirs: %zu read, %zu known leaves not read; JSON %zu bytes, payload %zu bytes\n",
		cat.stats.dirs, cat.stats.dirs_read, cat.stats.leaves_skipped, json.len, plen);
	printf("%.3f\n", t1 - t0);
	return 0;
}
