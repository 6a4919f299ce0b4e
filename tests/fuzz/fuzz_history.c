/* The history file as status reads it (backend/history.c, backend/status.c)
 * and the page and textfile made from it (statushtml.c, statusprom.c): the
 * history holds text from upstreams (rsync's messages) and may be damaged.
 * Properties: the scan never fails on content; the page never carries a
 * script element or a control character; every textfile line is a comment or
 * one sample. */
#include <errno.h>

#include "backend/status.h"
#include "lib/fileio.h"
#include "lib/macro.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct profile v[2] = {
		{ .name = (char *)"fedora", .description = (char *)"Fedora <Linux>", .schedule = (char *)"hourly",
		  .timeout = 3600, .directory = (char *)"fedora", .size = 1 },
		{ .name = (char *)"a", .schedule = (char *)"*-*-* 00/6:00:00", .directory = (char *)"a" },
	};
	struct profile_set set = { .v = v, .n = 2 };
	const char *path = fuzz_input_file("history.jsonl", data, size);
	struct status_opts o = { .history = path, .now = 1800000000, .series_since = 1800000000 - 30 * 86400 };
	struct status_report rep;
	_cleanup_free_ char *dir = strdup(path), *prom = NULL, *page = NULL, *text = NULL;
	size_t len;

	FUZZ_ASSERT(dir);
	*strrchr(dir, '/') = '\0';
	FUZZ_ASSERT(asprintf(&prom, "%s/m.prom", dir) > 0 && asprintf(&page, "%s/index.html", dir) > 0);
	int r = status_collect(&set, &o, &rep);
	if (r == -ENOMEM)
		return 0;
	FUZZ_ASSERT(r == 0);
	FUZZ_ASSERT(status_write_html(&rep, "mirror.test", dir) == 0);
	FUZZ_ASSERT(status_write_prometheus(&rep, prom) == 0);
	status_report_free(&rep);

	FUZZ_ASSERT(read_file_bounded(page, 64 << 20, &text, &len) == 0);
	FUZZ_ASSERT(!strstr(text, "<script") && !strstr(text, "<SCRIPT"));
	for (size_t i = 0; i < len; i++)
		FUZZ_ASSERT((unsigned char)text[i] >= 0x20 || text[i] == '\n' || text[i] == '\t');
	free(text);
	text = NULL;
	FUZZ_ASSERT(read_file_bounded(prom, 64 << 20, &text, &len) == 0);
	for (char *line = text; *line; line = strchr(line, '\n') + 1) {
		FUZZ_ASSERT(strchr(line, '\n'));
		FUZZ_ASSERT(strncmp(line, "# ", 2) == 0 || strncmp(line, "mirrorprov_", 11) == 0);
	}
	return 0;
}
