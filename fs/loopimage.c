#include "loopimage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/macro.h"
#include "lib/spawn.h"

int loop_image_create(const char *path, uint64_t size)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return errno == EEXIST ? 0 : negative_errno();
	if (ftruncate(fd, (off_t)size) < 0 || fsync(fd) < 0) {
		int r = negative_errno();
		unlink(path);
		return r;
	}
	return 1;
}

static int run_losetup(char *const *argv, char **ret_out)
{
	struct spawn_opts o = { .capture_stdout = 1, .capture_stderr = 1, .timeout_sec = 60 };
	struct spawn_result sr = { 0 };
	int r = spawn_run(argv, &o, &sr);

	if (r == 0 && sr.exit_code != 0)
		r = -EIO;
	if (r == 0 && ret_out) {
		*ret_out = sr.out;
		sr.out = NULL;
	}
	spawn_result_free(&sr);
	return r;
}

int loop_image_find(const char *path, bool want_ro, char **ret)
{
	_cleanup_free_ char *abs = realpath(path, NULL), *out = NULL;
	char *save = NULL;
	int r;

	*ret = NULL;
	if (!abs)
		return errno == ENOENT ? 0 : negative_errno();
	char *argv[] = { "losetup", "--associated", abs, "--noheadings", "--output", "NAME,RO", NULL };
	if ((r = run_losetup(argv, &out)) < 0)
		return r;
	for (char *line = strtok_r(out ? out : (char[]){ "" }, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[256];
		int ro;
		if (sscanf(line, "%255s %d", name, &ro) != 2 || (ro != 0) != want_ro)
			continue;
		if (!(*ret = strdup(name)))
			return -ENOMEM;
		return 1;
	}
	return 0;
}

int loop_image_attach(const char *path, bool read_only, char **ret)
{
	_cleanup_free_ char *out = NULL;
	char *argv[] = { "losetup", "--find", "--show", "--partscan", read_only ? "--read-only" : (char *)path,
			 read_only ? (char *)path : NULL, NULL };
	int r = run_losetup(argv, &out);

	if (r < 0)
		return r;
	if (!out || out[0] != '/')
		return -EIO;
	out[strcspn(out, "\n")] = '\0';
	*ret = TAKE_PTR(out);
	return 0;
}

int loop_image_detach(const char *loopdev)
{
	char *argv[] = { "losetup", "--detach", (char *)loopdev, NULL };

	return run_losetup(argv, NULL);
}
