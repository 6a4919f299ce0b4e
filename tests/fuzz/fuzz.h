/* Shared by the libFuzzer targets: each defines LLVMFuzzerTestOneInput and
 * treats every byte as hostile. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
