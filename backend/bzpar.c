#include "bzpar.h"

#include <bzlib.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/macro.h"

/* 512 KiB chunks in 100 kB blocks: bzip2 sorts the long common prefixes of a
 * dirtree twice as fast as in 900 kB blocks, and the output grows by ~2%. */
#define CHUNK (512u * 1024)
#define BLOCK100K 1
#define MAX_WORKERS 15

struct job {
	char *in;
	size_t in_len;
	char *out;
	unsigned out_len;
	int err;
};

struct bzpar {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct job **jobs;
	size_t njobs, cap, next;
	bool finishing;
	pthread_t workers[MAX_WORKERS];
	size_t nworkers;
	char *cur;          /* the chunk being filled */
	size_t cur_len;
};

static void compress_job(struct job *j)
{
	/* bzip2's documented worst case: input + 1% + 600 bytes */
	unsigned cap = (unsigned)(j->in_len + j->in_len / 100 + 600);

	j->out = malloc(cap);
	if (!j->out) {
		j->err = -ENOMEM;
		return;
	}
	j->out_len = cap;
	if (BZ2_bzBuffToBuffCompress(j->out, &j->out_len, j->in, (unsigned)j->in_len, BLOCK100K, 0, 0) != BZ_OK)
		j->err = -EIO;
	free(j->in);
	j->in = NULL;
}

/* Takes queued jobs until the queue is empty and no more will come. */
static void *work(void *arg)
{
	struct bzpar *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (p->next == p->njobs && !p->finishing)
			pthread_cond_wait(&p->more, &p->lock);
		if (p->next == p->njobs)
			break;
		struct job *j = p->jobs[p->next++];
		pthread_mutex_unlock(&p->lock);
		compress_job(j);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int bzpar_new(struct bzpar **ret)
{
	struct bzpar *p = calloc(1, sizeof(*p));
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->more, NULL);
	/* the caller's thread compresses too once it has finished feeding */
	size_t want = ncpu > 1 ? (size_t)ncpu - 1 : 0;
	if (want > MAX_WORKERS)
		want = MAX_WORKERS;
	while (p->nworkers < want && pthread_create(&p->workers[p->nworkers], NULL, work, p) == 0)
		p->nworkers++;
	*ret = p;
	return 0;
}

static int queue_cur(struct bzpar *p)
{
	struct job *j = calloc(1, sizeof(*j));
	int r = 0;

	if (!j)
		return -ENOMEM;
	j->in = TAKE_PTR(p->cur);
	j->in_len = p->cur_len;
	p->cur_len = 0;
	pthread_mutex_lock(&p->lock);
	if (p->njobs == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct job **a = realloc(p->jobs, cap * sizeof(*a));
		if (a) {
			p->jobs = a;
			p->cap = cap;
		} else
			r = -ENOMEM;
	}
	if (!r) {
		p->jobs[p->njobs++] = j;
		pthread_cond_signal(&p->more);
	}
	pthread_mutex_unlock(&p->lock);
	if (r) {
		free(j->in);
		free(j);
	}
	return r;
}

int bzpar_feed(struct bzpar *p, const void *data, size_t len)
{
	const char *d = data;
	int r;

	while (len) {
		if (!p->cur && !(p->cur = malloc(CHUNK)))
			return -ENOMEM;
		size_t n = CHUNK - p->cur_len < len ? CHUNK - p->cur_len : len;
		memcpy(p->cur + p->cur_len, d, n);
		p->cur_len += n;
		d += n;
		len -= n;
		if (p->cur_len == CHUNK && (r = queue_cur(p)) < 0)
			return r;
	}
	return 0;
}

/* No more jobs will come; with abort, queued ones are dropped too. */
static void end_queue(struct bzpar *p, bool abort)
{
	pthread_mutex_lock(&p->lock);
	p->finishing = true;
	if (abort)
		p->next = p->njobs;
	pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->lock);
}

static void join_workers(struct bzpar *p)
{
	for (size_t i = 0; i < p->nworkers; i++)
		pthread_join(p->workers[i], NULL);
	p->nworkers = 0;
}

int bzpar_finish(struct bzpar *p, unsigned char **ret, size_t *len)
{
	size_t total = 0, off = 0;
	int r;

	/* an empty input still makes one (empty) stream */
	if ((p->cur_len || !p->njobs) && (r = queue_cur(p)) < 0)
		return r;
	end_queue(p, false);
	work(p);
	join_workers(p);
	for (size_t i = 0; i < p->njobs; i++) {
		if (p->jobs[i]->err)
			return p->jobs[i]->err;
		total += p->jobs[i]->out_len;
	}
	unsigned char *out = malloc(total ? total : 1);
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < p->njobs; i++) {
		memcpy(out + off, p->jobs[i]->out, p->jobs[i]->out_len);
		off += p->jobs[i]->out_len;
	}
	*ret = out;
	*len = total;
	return 0;
}

void bzpar_free(struct bzpar *p)
{
	if (!p)
		return;
	end_queue(p, true);
	join_workers(p);
	for (size_t i = 0; i < p->njobs; i++) {
		free(p->jobs[i]->in);
		free(p->jobs[i]->out);
		free(p->jobs[i]);
	}
	free(p->jobs);
	free(p->cur);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->more);
	free(p);
}
