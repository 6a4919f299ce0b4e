#include "flplan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/macro.h"

#define MAX_DEPTH 256

/* flags: set by the walk of the local tree */
enum {
	E_SEEN = 1 << 0,       /* found locally */
	E_DIFFERS = 1 << 1,    /* locally of another type or size */
};

struct entry {
	uint64_t key;
	uint64_t size;
	int64_t mtime;
	uint8_t kind, access, flags;
	uint8_t unchanged;     /* same row in the old list: set by the old list's reader, which runs
				* at the same time as the walk (so each writes its own byte) */
	uint32_t offset;       /* of the row in the new list (at most 4 GiB, as fetched) */
};

struct table {
	struct entry *v;
	size_t n, cap;
	uint32_t *slot;       /* index + 1; 0 = empty */
	size_t mask;
	uint64_t k0, k1;      /* SipHash key */
};

/* SipHash-2-4 (Aumasson, Bernstein): keyed, so list contents cannot be
 * chosen to collide. */
#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                       \
	do {                                                                           \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);              \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                 \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                 \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);              \
	} while (0)

static uint64_t siphash(uint64_t k0, uint64_t k1, const void *data, size_t len)
{
	const uint8_t *in = data;
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t i, end = len - len % 8;

	for (i = 0; i < end; i += 8) {
		memcpy(&m, in + i, 8);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; i + j < len; j++)
		b |= (uint64_t)in[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static uint64_t key_of(const struct table *t, const char *path, size_t n)
{
	return siphash(t->k0, t->k1, path, n);
}

static struct entry *lookup(const struct table *t, uint64_t key)
{
	if (!t->slot)
		return NULL;
	for (size_t i = key & t->mask;; i = (i + 1) & t->mask) {
		uint32_t s = t->slot[i];
		if (!s)
			return NULL;
		if (t->v[s - 1].key == key)
			return &t->v[s - 1];
	}
}

static void slot_put(uint32_t *slot, size_t mask, uint64_t key, uint32_t idx)
{
	size_t i = key & mask;
	while (slot[i])
		i = (i + 1) & mask;
	slot[i] = idx;
}

static int table_grow(struct table *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap + t->cap / 2 : 1024;
		struct entry *v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	if (!t->slot || (t->n + 1) * 2 > t->mask + 1) {
		size_t size = t->slot ? (t->mask + 1) * 2 : 2048;
		uint32_t *slot = calloc(size, sizeof(*slot));
		if (!slot)
			return -ENOMEM;
		for (size_t i = 0; i < t->n; i++)
			slot_put(slot, size - 1, t->v[i].key, (uint32_t)i + 1);
		free(t->slot);
		t->slot = slot;
		t->mask = size - 1;
	}
	return 0;
}

struct ctx {
	const struct flplan_module *m;
	struct flplan *plan;
	struct table t;
	const char *list_name;   /* for messages */
	FILE *out;
	const char *prefix;
	size_t checksums_cap;
	char path[PATH_MAX + 1];
};

static bool mirrored(const struct entry *e)
{
	return e->access == FL_PUBLIC;
}

/* Pass 1 over the new list: index every entry. */
static int index_entry(void *ud, const struct fl_entry *fe, char **error)
{
	struct ctx *c = ud;
	uint64_t key = key_of(&c->t, fe->path, fe->path_len);
	int r;

	if (lookup(&c->t, key)) {
		if (asprintf(error, "%.*s listed twice", (int)fe->path_len, fe->path) < 0)
			*error = NULL;
		return -EEXIST;
	}
	if (fe->offset > UINT32_MAX)
		return -EFBIG;
	if ((r = table_grow(&c->t)) < 0)
		return r;
	c->t.v[c->t.n] = (struct entry){ .key = key, .size = fe->size, .mtime = fe->mtime, .kind = (uint8_t)fe->kind,
					 .access = (uint8_t)fe->access, .offset = (uint32_t)fe->offset };
	slot_put(c->t.slot, c->t.mask, key, (uint32_t)++c->t.n);
	return 0;
}

static int collect_checksum(void *ud, const struct fl_checksum *fc, char **error)
{
	struct ctx *c = ud;
	struct flplan *p = c->plan;

	for (size_t i = 0; i < p->n_checksums; i++)
		if (strlen(p->checksums[i].path) == fc->path_len && memcmp(p->checksums[i].path, fc->path, fc->path_len) == 0) {
			if (fc->digest > p->checksums[i].digest) {
				p->checksums[i].digest = fc->digest;
				memcpy(p->checksums[i].md, fc->md, fc->md_len);
				p->checksums[i].md_len = fc->md_len;
			}
			return 0;
		}
	if (fc->digest == FL_MD5)
		return 0;  /* MD5 proves nothing; the stronger ones above replace it anyway */
	if (p->n_checksums == c->checksums_cap) {
		size_t cap = c->checksums_cap ? c->checksums_cap * 2 : 64;
		struct flplan_checksum *v = realloc(p->checksums, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		p->checksums = v;
		c->checksums_cap = cap;
	}
	struct flplan_checksum *k = &p->checksums[p->n_checksums];
	*k = (struct flplan_checksum){ .digest = fc->digest, .md_len = fc->md_len };
	memcpy(k->md, fc->md, fc->md_len);
	if (!(k->path = strndup(fc->path, fc->path_len)))
		return -ENOMEM;
	p->n_checksums++;
	return 0;
}

/* The old list: rows that are the same as in the new list are unchanged. */
static int mark_unchanged(void *ud, const struct fl_entry *fe, char **error)
{
	struct ctx *c = ud;
	struct entry *e = lookup(&c->t, key_of(&c->t, fe->path, fe->path_len));

	if (e && e->mtime == fe->mtime && e->size == fe->size && e->kind == fe->kind && e->access == fe->access)
		e->unchanged = 1;
	return 0;
}

static int add_delete(struct flplan *p, const char *path)
{
	char **v = realloc(p->deletes, (p->n_deletes + 2) * sizeof(char *));
	if (!v)
		return -ENOMEM;
	p->deletes = v;
	if (!(v[p->n_deletes] = strdup(path)))
		return -ENOMEM;
	v[++p->n_deletes] = NULL;
	return 0;
}

static bool kept(const struct ctx *c, const char *name, size_t plen)
{
	if (plen)
		return false;
	for (char *const *k = c->m->keep; k && *k; k++)
		if (strcmp(*k, name) == 0)
			return true;
	return false;
}

static enum fl_kind local_kind(mode_t mode, bool *odd)
{
	*odd = !(S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode));
	return S_ISDIR(mode) ? FL_DIR : S_ISLNK(mode) ? FL_LINK : FL_FILE;
}

#define BATCH 32

/* Directory entries looked up together, so that the cache misses of their
 * hash table slots and entries overlap instead of following each other. */
struct item {
	char name[NAME_MAX + 1];
	unsigned char type;   /* d_type */
	struct entry *e;
};

static int walk(struct ctx *c, int dfd, size_t plen, bool doomed, int depth);

/* Sets c->path to the directory's path plus name; returns its length. */
static size_t path_to(struct ctx *c, size_t plen, const char *name)
{
	size_t nlen = strlen(name);

	if (plen)
		c->path[plen] = '/';
	memcpy(c->path + plen + (plen ? 1 : 0), name, nlen + 1);
	return plen + (plen ? 1 : 0) + nlen;
}

/* One local entry; c->path[0..plen) is its directory's relative path. */
static int visit(struct ctx *c, int dfd, const struct item *it, size_t plen, bool doomed, bool quiet, int depth)
{
	size_t len = path_to(c, plen, it->name);
	struct stat st;
	bool odd = false, gone = doomed, sized = true;
	enum fl_kind kind;
	int r = 0;

	if (quiet && (it->type == DT_REG || it->type == DT_LNK)) {
		kind = it->type == DT_REG ? FL_FILE : FL_LINK;
		sized = false;
	} else if (fstatat(dfd, it->name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : negative_errno();  /* ENOENT: gone meanwhile */
	else
		kind = local_kind(st.st_mode, &odd);
	c->plan->local_entries++;
	if (!gone) {
		struct entry *e = it->e;
		if (e && mirrored(e)) {
			e->flags |= E_SEEN;
			if (odd || e->kind != kind || (kind != FL_DIR && sized && (uint64_t)st.st_size != e->size))
				e->flags |= E_DIFFERS;
			/* A directory rsync will replace by a file: its contents go. */
			gone = kind == FL_DIR && e->kind != FL_DIR;
		} else {
			gone = true;
			r = add_delete(c->plan, c->path);
		}
	}
	if (gone) {
		if (kind == FL_DIR)
			c->plan->delete_dirs++;
		else
			c->plan->delete_files++;
	}
	if (r == 0 && kind == FL_DIR) {
		int fd = openat(dfd, it->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			r = errno == ENOENT ? 0 : negative_errno();
		else
			r = walk(c, fd, len, gone, depth + 1);
	}
	return r;
}

/* c->path[0..plen) is the directory's relative path ("" at the top). */
static int walk(struct ctx *c, int dfd, size_t plen, bool doomed, int depth)
{
	DIR *d = fdopendir(dfd);
	struct item *batch = malloc(BATCH * sizeof(*batch));
	struct dirent *de = NULL;
	int r = 0;

	if (!d || !batch) {
		r = d ? -ENOMEM : negative_errno();
		if (d)
			closedir(d);
		else
			close(dfd);
		free(batch);
		return r;
	}
	if (depth > MAX_DEPTH)
		r = -ELOOP;
	/* A directory whose ctime is older than the last successful run saw no
	 * file created, removed or renamed into it since: rsync only ever renames
	 * finished files into place, so its files are still as that run's
	 * planning found them (complete, of the listed size).  Their type comes
	 * from readdir and they need no stat; a row that changed in the list is
	 * transferred anyway.  `full` stats everything. */
	struct stat dst;
	bool quiet = !c->m->full && fstat(dfd, &dst) == 0 && dst.st_ctim.tv_sec < c->m->since;
	for (bool end = false; r == 0 && !end;) {
		size_t n = 0;
		while (n < BATCH && (errno = 0, de = readdir(d))) {
			const char *name = de->d_name;
			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, ".~tmp~") == 0 ||
			    kept(c, name, plen))
				continue;
			if (plen + 1 + strlen(name) > PATH_MAX) {
				r = -ENAMETOOLONG;
				break;
			}
			strcpy(batch[n].name, name);
			batch[n].type = de->d_type;
			batch[n++].e = NULL;
		}
		if (!de) {
			end = true;
			if (errno && r == 0)
				r = negative_errno();
		}
		if (!doomed) {
			uint64_t keys[BATCH];
			for (size_t i = 0; i < n; i++) {
				keys[i] = key_of(&c->t, c->path, path_to(c, plen, batch[i].name));
				__builtin_prefetch(&c->t.slot[keys[i] & c->t.mask]);
			}
			for (size_t i = 0; i < n; i++)
				if ((batch[i].e = lookup(&c->t, keys[i])))
					__builtin_prefetch(batch[i].e, 1);
		}
		for (size_t i = 0; i < n && r == 0; i++)
			r = visit(c, dfd, &batch[i], plen, doomed, quiet, depth);
		c->path[plen] = '\0';
	}
	closedir(d);
	free(batch);
	return r;
}

/* Counts e and says whether it is to be transferred. */
static bool wanted(struct ctx *c, const struct entry *e)
{
	struct flplan *p = c->plan;

	if (!mirrored(e))
		return false;
	if (!e->unchanged)
		p->changed++;
	if (!(e->flags & E_SEEN))
		p->missing++;
	else if (e->flags & E_DIFFERS)
		p->differ++;
	if (e->unchanged && (e->flags & (E_SEEN | E_DIFFERS)) == E_SEEN && e->mtime < c->m->since)
		return false;
	if (e->kind == FL_DIR)
		p->transfer_dirs++;
	else if (e->kind == FL_LINK)
		p->transfer_links++;
	else {
		p->transfer_files++;
		p->transfer_bytes += e->size;
	}
	return true;
}

static int emit(struct ctx *c, const char *path, size_t len)
{
	struct flplan *p = c->plan;
	size_t ns = p->transfer_files + p->transfer_dirs + p->transfer_links;

	if (ns <= FLPLAN_SAMPLES && !(p->transfer_sample[ns - 1] = strndup(path, len)))
		return -ENOMEM;
	if (c->out && (fputs(c->prefix ? c->prefix : "", c->out) == EOF || fwrite(path, 1, len, c->out) != len ||
		       fputc('\0', c->out) == EOF))
		return -EIO;
	return 0;
}

#define WINDOW (1 << 20)  /* > FILELIST_MAX_LINE */

/* The rows of the new list read again by their offsets, through a window:
 * sequential reads for a dense transfer set, a few seeks for a sparse one. */
struct rows {
	int fd;
	char *buf;
	uint64_t off;
	size_t len;
};

/* The path of the row at off (checked and indexed in pass 1). */
static int row_path(struct rows *w, uint64_t off, const char **path, size_t *len)
{
	const char *s, *nl = NULL;

	if (off >= w->off && off < w->off + w->len)
		nl = memchr(w->buf + (off - w->off), '\n', w->len - (size_t)(off - w->off));
	if (!nl) {
		ssize_t n = pread(w->fd, w->buf, WINDOW, (off_t)off);
		if (n <= 0)
			return n < 0 ? negative_errno() : -ESTALE;
		w->off = off;
		w->len = (size_t)n;
		nl = memchr(w->buf, '\n', w->len);
		if (!nl)
			return -ESTALE;
	}
	s = w->buf + (off - w->off);
	for (int tab = 0; tab < 3; tab++) {
		s = memchr(s, '\t', (size_t)(nl - s));
		if (!s++)
			return -ESTALE;
	}
	*path = s;
	*len = (size_t)(nl - s);
	return 0;
}

/* Pass 2: the transfer set, in list order. */
static int emit_transfer_set(struct ctx *c)
{
	struct rows w = { .fd = open(c->m->list, O_RDONLY | O_CLOEXEC), .buf = malloc(WINDOW) };
	int r = w.fd < 0 ? negative_errno() : w.buf ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && i < c->t.n; i++) {
		const struct entry *e = &c->t.v[i];
		const char *path;
		size_t len;
		if (!wanted(c, e))
			continue;
		r = row_path(&w, e->offset, &path, &len);
		if (r == 0 && key_of(&c->t, path, len) != e->key)
			r = -ESTALE;  /* the list changed since pass 1 */
		if (r == 0)
			r = emit(c, path, len);
	}
	if (w.fd >= 0)
		close(w.fd);
	free(w.buf);
	return r;
}

struct old_reader {
	struct ctx *c;
	bool used;
};

/* An unreadable or malformed old list counts as none. */
static void *read_old(void *arg)
{
	struct old_reader *o = arg;
	_cleanup_free_ char *err = NULL;
	struct fl_callbacks cb = { .entry = mark_unchanged, .ud = o->c, .trusted = true };
	struct fl_info info;

	o->used = filelist_parse_file(o->c->m->old_list, &cb, &info, &err) == 0;
	return NULL;
}

static int with_name(const char *list, int r, char **error)
{
	char *msg;

	if (*error && asprintf(&msg, "%s: %s", list, *error) >= 0) {
		free(*error);
		*error = msg;
	}
	return r;
}

/* Keep checksums of public files only. */
static void filter_checksums(struct ctx *c)
{
	struct flplan *p = c->plan;
	size_t j = 0;

	for (size_t i = 0; i < p->n_checksums; i++) {
		struct entry *e = lookup(&c->t, key_of(&c->t, p->checksums[i].path, strlen(p->checksums[i].path)));
		if (e && mirrored(e) && e->kind == FL_FILE)
			p->checksums[j++] = p->checksums[i];
		else
			free(p->checksums[i].path);
	}
	p->n_checksums = j;
}

int flplan_build(const struct flplan_module *m, FILE *files_from, const char *prefix, struct flplan *plan,
		 char **error)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct fl_info info;
	int r;

	*plan = (struct flplan){ 0 };
	*error = NULL;
	if (!c)
		return -ENOMEM;
	c->m = m;
	c->plan = plan;
	c->out = files_from;
	c->prefix = prefix;
	if (getrandom(&c->t.k0, sizeof(c->t.k0), 0) != sizeof(c->t.k0) ||
	    getrandom(&c->t.k1, sizeof(c->t.k1), 0) != sizeof(c->t.k1)) {
		r = -EIO;
		goto out;
	}

	struct fl_callbacks cb1 = { .entry = index_entry, .checksum = collect_checksum, .ud = c };
	r = filelist_parse_file(m->list, &cb1, &info, error);
	if (r < 0) {
		r = with_name(m->list, r, error);
		goto out;
	}
	plan->version = info.version;
	filter_checksums(c);

	/* The old list and the local tree are read at the same time. */
	struct old_reader old = { .c = c };
	pthread_t th;
	bool threaded = m->old_list && pthread_create(&th, NULL, read_old, &old) == 0;
	if (m->old_list && !threaded)
		read_old(&old);
	int dfd = open(m->local_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd >= 0)
		r = walk(c, dfd, 0, false, 0);
	else if (errno != ENOENT)
		r = negative_errno();
	if (threaded)
		pthread_join(th, NULL);
	plan->old_list_used = old.used;
	if (m->old_list && !old.used)
		for (size_t i = 0; i < c->t.n; i++)
			c->t.v[i].unchanged = 0;
	if (r < 0) {
		if (asprintf(error, "reading %s/%s: %s", m->local_dir, c->path, strerror(-r)) < 0)
			*error = NULL;
		goto out;
	}

	if ((r = emit_transfer_set(c)) < 0) {
		if (asprintf(error, "%s: %s", m->list, r == -ESTALE ? "changed while planning" : strerror(-r)) < 0)
			*error = NULL;
		goto out;
	}
	for (size_t i = 0; i < c->t.n; i++)
		plan->list_entries += mirrored(&c->t.v[i]);
	if (plan->local_entries)
		plan->delete_share = (double)(plan->delete_files + plan->delete_dirs) / (double)plan->local_entries;
out:
	free(c->t.v);
	free(c->t.slot);
	free(c);
	if (r < 0)
		flplan_free(plan);
	return r;
}

void flplan_free(struct flplan *plan)
{
	strv_freep(&plan->deletes);
	for (size_t i = 0; i <= FLPLAN_SAMPLES; i++)
		free(plan->transfer_sample[i]);
	for (size_t i = 0; i < plan->n_checksums; i++)
		free(plan->checksums[i].path);
	free(plan->checksums);
	*plan = (struct flplan){ 0 };
}
