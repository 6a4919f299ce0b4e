#include "signatures.h"

#include <blkid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(blkid_probe, blkid_free_probe)

/* A hostile or broken device must not make us loop for ever. */
#define MAX_SIGNATURES 64

static char *lookup_dup(blkid_probe pr, const char *name)
{
	const char *v = NULL;

	if (blkid_probe_lookup_value(pr, name, &v, NULL) < 0 || !v || !*v)
		return NULL;
	return strdup(v);
}

void signature_list_free(struct signature_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].type);
		free(l->v[i].usage);
		free(l->v[i].label);
		free(l->v[i].uuid);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int add_hit(blkid_probe pr, struct signature_list *l, bool *hidden)
{
	const char *type = NULL, *off = NULL, *magic = NULL;
	size_t magic_len = 0;
	bool pt = false;

	*hidden = false;
	if (blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0) {
		if (blkid_probe_lookup_value(pr, "SBMAGIC_OFFSET", &off, NULL) == 0)
			blkid_probe_lookup_value(pr, "SBMAGIC", &magic, &magic_len);
	} else if (blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL) == 0) {
		pt = true;
		if (blkid_probe_lookup_value(pr, "PTMAGIC_OFFSET", &off, NULL) == 0)
			blkid_probe_lookup_value(pr, "PTMAGIC", &magic, &magic_len);
	} else
		return 0;

	struct signature *v = realloc(l->v, (l->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	l->v = v;
	struct signature *s = &l->v[l->n];
	memset(s, 0, sizeof(*s));
	s->type = strdup(type);
	s->usage = pt ? strdup("partition-table") : lookup_dup(pr, "USAGE");
	if (!pt) {
		s->label = lookup_dup(pr, "LABEL");
		s->uuid = lookup_dup(pr, "UUID");
	} else
		s->uuid = lookup_dup(pr, "PTUUID");
	s->offset = off ? strtoull(off, NULL, 10) : 0;
	l->n++;
	if (!s->type)
		return -ENOMEM;
	/* Hide the magic so the next round finds what lies behind it (wipefs). */
	if (off && magic && magic_len) {
		if (blkid_probe_hide_range(pr, s->offset, magic_len) < 0)
			return -EIO;
		*hidden = true;
	}
	return 0;
}

int signatures_probe_fd(int fd, struct signature_list *ret)
{
	_cleanup_(blkid_free_probep) blkid_probe pr = blkid_new_probe();
	struct signature_list l = { 0 };
	int r;

	if (!pr)
		return -ENOMEM;
	if (blkid_probe_set_device(pr, fd, 0, 0) < 0)
		return -EIO;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_MAGIC | BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE |
						      BLKID_SUBLKS_LABEL | BLKID_SUBLKS_UUID | BLKID_SUBLKS_BADCSUM);
	blkid_probe_enable_partitions(pr, 1);
	blkid_probe_set_partitions_flags(pr, BLKID_PARTS_MAGIC | BLKID_PARTS_FORCE_GPT);

	for (;;) {
		bool hidden;
		r = blkid_do_probe(pr);
		if (r == 1)
			break;          /* nothing (more) */
		if (r < 0) {
			signature_list_free(&l);
			return -EIO;
		}
		r = add_hit(pr, &l, &hidden);
		if (r < 0) {
			signature_list_free(&l);
			return r;
		}
		if (!hidden || l.n >= MAX_SIGNATURES)
			break;          /* cannot look behind this one; one hit is enough to refuse */
		blkid_probe_step_back(pr);
	}
	*ret = l;
	return 0;
}

int signatures_probe_path(const char *path, struct signature_list *ret)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return negative_errno();
	return signatures_probe_fd(fd, ret);
}

const struct signature *signature_list_filesystem(const struct signature_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].usage && strcmp(l->v[i].usage, "partition-table") != 0)
			return &l->v[i];
	return NULL;
}

const struct signature *signature_list_pttable(const struct signature_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].usage && strcmp(l->v[i].usage, "partition-table") == 0)
			return &l->v[i];
	return NULL;
}
