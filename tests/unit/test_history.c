/* backend/history and backend/status: appends (head first, a torn line ended),
 * compaction to the newest whole lines, the backwards scan across chunk
 * boundaries with corrupt and over-long lines, concurrent appenders, marker
 * times and schedule intervals. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend/history.h"
#include "backend/status.h"
#include "lib/fileio.h"
#include "lib/macro.h"

struct fixture {
	char dir[64];
	char path[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/mp-history-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/history.jsonl", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static struct history_file hf_of(const struct fixture *f)
{
	return (struct history_file){ .path = f->path, .uid = (uid_t)-1, .gid = (gid_t)-1 };
}

static int append_n(const struct history_file *hf, const char *profile, int64_t t, int n)
{
	json_object *body = json_object_new_object();
	json_object_object_add(body, "result", json_object_new_string("ok"));
	json_object_object_add(body, "pad", json_object_new_string("0123456789012345678901234567890123456789"));
	int r = 0;
	for (int i = 0; i < n && r == 0; i++)
		r = history_append(hf, "sync", profile, t + i, body);
	json_object_put(body);
	return r;
}

struct seen {
	int64_t times[4096];
	size_t n;
	size_t parse_from;   /* parse only records with time >= this */
};

static enum history_want want_all(const struct history_head *h, void *userdata)
{
	struct seen *s = userdata;
	return (size_t)h->time >= s->parse_from ? HISTORY_PARSE : HISTORY_SKIP;
}

static int visit_all(const struct history_head *h, json_object *rec, void *userdata)
{
	struct seen *s = userdata;
	json_object *v;
	assert_true(json_object_object_get_ex(rec, "result", &v));
	if (s->n < ARRAY_SIZE(s->times))
		s->times[s->n++] = h->time;
	return 0;
}

static void append_head_first(void **state)
{
	struct fixture *f = *state;
	struct history_file hf = hf_of(f);
	_cleanup_free_ char *text = NULL;
	size_t len;

	assert_int_equal(append_n(&hf, "fedora", 100, 1), 0);
	assert_int_equal(read_file_bounded(f->path, 4096, &text, &len), 0);
	assert_true(strncmp(text, "{\"type\":\"sync\",\"profile\":\"fedora\",\"time\":100,\"result\":\"ok\"", 58) == 0);
	assert_int_equal(text[len - 1], '\n');
	/* unsafe names never reach the file */
	assert_int_equal(history_append(&hf, "sync", "../x", 1, NULL), -EINVAL);
	assert_int_equal(history_append(&hf, "sync\n", "x", 1, NULL), -EINVAL);
	/* a record over the limit is refused whole */
	json_object *big = json_object_new_object();
	char *pad = malloc(HISTORY_RECORD_MAX + 1);
	memset(pad, 'a', HISTORY_RECORD_MAX);
	pad[HISTORY_RECORD_MAX] = '\0';
	json_object_object_add(big, "pad", json_object_new_string(pad));
	assert_int_equal(history_append(&hf, "sync", "fedora", 1, big), -E2BIG);
	json_object_put(big);
	free(pad);
	struct stat st;
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal((size_t)st.st_size, len);
}

static void torn_line_and_corrupt(void **state)
{
	struct fixture *f = *state;
	struct history_file hf = hf_of(f);
	struct history_scan_stats st;
	struct seen s = { 0 };
	FILE *fp;

	assert_int_equal(append_n(&hf, "fedora", 100, 2), 0);
	fp = fopen(f->path, "a");
	fputs("garbage\n[1,2]\n{\"type\":\"sync\",\"profile\":\"a b\",\"time\":1}\n\n{\"type\":\"sync\",\"profile\":\"fedora\",\"ti", fp);
	fclose(fp);
	assert_int_equal(append_n(&hf, "fedora", 200, 1), 0);
	assert_int_equal(history_scan_back(f->path, want_all, visit_all, &s, &st), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.times[0], 200);   /* newest first, the torn line did not eat it */
	assert_int_equal(s.times[1], 101);
	assert_int_equal(s.times[2], 100);
	assert_int_equal(st.corrupt, 4);      /* garbage, [1,2], the unsafe profile, the torn line */
	assert_int_equal(st.records, 3);
	assert_int_equal(history_scan_back("/nonexistent/h", want_all, visit_all, &s, &st), -ENOENT);
}

/* Records in many chunks (the scan reads 1 MiB at a time), a line longer than a
 * chunk in the middle, and records skipped on their head alone. */
static void scan_across_chunks(void **state)
{
	struct fixture *f = *state;
	struct history_file hf = hf_of(f);
	struct history_scan_stats st;
	struct seen *s = calloc(1, sizeof(*s));
	FILE *fp;

	assert_int_equal(append_n(&hf, "fedora", 0, 12000), 0);
	fp = fopen(f->path, "a");
	for (int i = 0; i < (3 << 20); i++)
		fputc('x', fp);
	fputc('\n', fp);
	fclose(fp);
	assert_int_equal(append_n(&hf, "fedora", 12000, 12000), 0);
	s->parse_from = 23000;
	assert_int_equal(history_scan_back(f->path, want_all, visit_all, s, &st), 0);
	assert_int_equal(st.records, 24000);
	assert_true(st.corrupt >= 1);
	assert_int_equal(s->n, 1000);
	for (size_t i = 0; i < s->n; i++)
		assert_int_equal(s->times[i], 23999 - (int64_t)i);
	free(s);
}

static void compaction_keeps_newest(void **state)
{
	struct fixture *f = *state;
	struct history_file hf = hf_of(f);
	struct history_scan_stats st;
	struct seen *s = calloc(1, sizeof(*s));
	struct stat sb;

	hf.max_bytes = 64 * 1024;
	hf.keep_bytes = 16 * 1024;
	assert_int_equal(append_n(&hf, "fedora", 0, 2000), 0);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_true(sb.st_size <= 64 * 1024 + 200);
	assert_int_equal(sb.st_mode & 0777, 0644);
	assert_int_equal(history_scan_back(f->path, want_all, visit_all, s, &st), 0);
	assert_int_equal(st.corrupt, 0);
	assert_int_equal(s->times[0], 1999);
	for (size_t i = 1; i < s->n; i++)
		assert_int_equal(s->times[i], s->times[i - 1] - 1);   /* no gap: whole lines, in order */
	free(s);
}

/* Four processes append at once, with compaction: every record is whole. */
static void concurrent_appenders(void **state)
{
	struct fixture *f = *state;
	struct history_file hf = hf_of(f);
	struct history_scan_stats st;
	struct seen *s;

	hf.max_bytes = 256 * 1024;
	hf.keep_bytes = 200 * 1024;
	for (int p = 0; p < 4; p++) {
		pid_t pid = fork();
		if (pid == 0) {
			char name[8];
			snprintf(name, sizeof(name), "p%d", p);
			_exit(append_n(&hf, name, 0, 500) == 0 ? 0 : 1);
		}
	}
	for (int p = 0; p < 4; p++) {
		int status;
		wait(&status);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	s = calloc(1, sizeof(*s));   /* after the forks: the children leave nothing of theirs behind */
	assert_int_equal(history_scan_back(f->path, want_all, visit_all, s, &st), 0);
	assert_int_equal(st.corrupt, 0);
	assert_int_equal(st.records, 2000);
	free(s);
}

static void marker_times(void **state)
{
	static const char trace[] = "Tue Dec  1 12:00:01 UTC 2026\nDate: Tue, 01 Dec 2026 12:00:01 +0000\n";
	static const char repomd[] = "<?xml version=\"1.0\"?>\n<repomd><revision>1764590400</revision></repomd>\n";

	assert_int_equal(marker_time_of_text("1764590400\n", 11), 1764590400);
	assert_int_equal(marker_time_of_text(trace, sizeof(trace) - 1), 1796126401);
	assert_int_equal(marker_time_of_text(repomd, sizeof(repomd) - 1), 1764590400);
	assert_int_equal(marker_time_of_text("CentOS-Stream-9-20231201.0\n", 27), 0);
	assert_int_equal(marker_time_of_text("<revision>12a</revision>", 24), 0);
	assert_int_equal(marker_time_of_text("", 0), 0);
}

static void schedule_intervals(void **state)
{
	assert_int_equal(calendar_interval("hourly"), 3600);
	assert_int_equal(calendar_interval("daily"), 86400);
	assert_int_equal(calendar_interval("*-*-* 00/6:00:00"), 6 * 3600);
	assert_int_equal(calendar_interval("*-*-* 00/4:17:00"), 4 * 3600);
	assert_int_equal(calendar_interval("*:0/15"), 15 * 60);
	assert_int_equal(calendar_interval("Mon *-*-* 03:00:00"), 0);
	struct profile p = { .schedule = (char *)"*-*-* 00/4:00:00", .timeout = 12 * 3600 };
	assert_int_equal(status_stale_after(&p), 20 * 3600);
	p.stale_after = 3600;
	assert_int_equal(status_stale_after(&p), 3600);
}

static void timers_output(void **state)
{
	/* systemd prints the properties in its own order; a unit without a next run says nothing */
	char text[] = "NextElapseUSecRealtime=@1796145000\nId=mirrorprov-sync@fedora.timer\n\n"
		      "Id=mirrorprov-sync@debian.timer\nNextElapseUSecRealtime=\n\n"
		      "Id=mirrorprov-sync@epel.timer\nNextElapseUSecRealtime=@1796149999\n";
	char *ids[] = { "mirrorprov-sync@epel.timer", "mirrorprov-sync@debian.timer", "mirrorprov-sync@fedora.timer" };
	int64_t next[3];

	status_parse_timers(text, ids, 3, next);
	assert_int_equal(next[0], 1796149999);
	assert_int_equal(next[1], 0);
	assert_int_equal(next[2], 1796145000);
	status_parse_timers(NULL, ids, 3, next);
	assert_int_equal(next[0], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(append_head_first, setup, teardown),
		cmocka_unit_test_setup_teardown(torn_line_and_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(scan_across_chunks, setup, teardown),
		cmocka_unit_test_setup_teardown(compaction_keeps_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_appenders, setup, teardown),
		cmocka_unit_test(marker_times),
		cmocka_unit_test(schedule_intervals),
		cmocka_unit_test(timers_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
