/* Shared by the libFuzzer targets: each defines LLVMFuzzerTestOneInput and
 * treats every byte as hostile. */
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parsers take NUL-terminated text: a private copy, so reads past the
 * input's end are caught by ASan. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A property the fuzzer must never break: abort() so libFuzzer keeps the input. */
#define FUZZ_ASSERT(cond)      \
	do {                   \
		if (!(cond))   \
			abort(); \
	} while (0)

/* For loaders that take a path: a private flat directory (on tmpfs when there
 * is one), emptied and removed at exit; fuzz_input_file() writes the input to
 * NAME in it and returns the path. */
static char fuzz_dir[256];

static void fuzz_dir_remove(void)
{
	DIR *d = opendir(fuzz_dir);
	struct dirent *de;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	rmdir(fuzz_dir);
}

static inline const char *fuzz_input_file(const char *name, const uint8_t *data, size_t size)
{
	static char path[320];
	int fd;

	if (!fuzz_dir[0]) {
		/* tests/fuzz/run.sh names a directory it removes itself: a crashing
		 * run never gets to the atexit() handler */
		const char *base = getenv("FUZZ_TMPDIR");
		snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/mp-fuzz-XXXXXX",
			 base && *base ? base : access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
		if (!mkdtemp(fuzz_dir))
			abort();
		atexit(fuzz_dir_remove);
	}
	snprintf(path, sizeof(path), "%s/%s", fuzz_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size) || close(fd) < 0)
		abort();
	return path;
}
