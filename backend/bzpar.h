/* bzip2 compression of a growing text in parallel: fed data is cut into fixed
 * chunks, each compressed as its own bz2 stream by worker threads while the
 * caller goes on producing; the result is the streams concatenated, which
 * bunzip2 and Python's bz2.decompress() read as one.  The output depends only
 * on the input, not on the number of threads. */
#pragma once

#include <stddef.h>

struct bzpar;

int bzpar_new(struct bzpar **ret);
/* Copies data; full chunks go to the workers at once. */
int bzpar_feed(struct bzpar *p, const void *data, size_t len);
/* Compresses what is left, waits for the workers, hands over the bz2 data. */
int bzpar_finish(struct bzpar *p, unsigned char **ret, size_t *len);
void bzpar_free(struct bzpar *p);
