#include "lun.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/macro.h"
#include "lib/mountinfo.h"
#include "lib/strv.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_device *, udev_device_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct udev_enumerate *, udev_enumerate_unref)

#define MOUNTS_PER_DEV 16

/* "/name" followed by a digit (or anything when !digit) somewhere in p. */
static bool has_component(const char *p, const char *name, bool digit)
{
	size_t n = strlen(name);

	for (const char *s = strstr(p, name); s; s = strstr(s + 1, name))
		if (!digit || isdigit((unsigned char)s[n]))
			return true;
	return false;
}

enum transport transport_from_syspath(const char *p)
{
	if (!p)
		return TRANSPORT_UNKNOWN;
	/* The SCSI transports, in path_id's handle_scsi() order. */
	if (strstr(p, "/rport-"))
		return TRANSPORT_FC;
	if (strstr(p, "/end_device-"))
		return TRANSPORT_SAS;
	if (has_component(p, "/session", true))
		return TRANSPORT_ISCSI;
	if (has_component(p, "/ata", true))
		return TRANSPORT_SATA;
	if (strstr(p, "/vmbus_"))
		return TRANSPORT_HYPERV;
	/* Then the buses path_id meets further up the chain. */
	if (has_component(p, "/usb", true))
		return TRANSPORT_USB;
	if (has_component(p, "/virtio", true))
		return TRANSPORT_VIRTIO;
	if (has_component(p, "/nvme", false))
		return TRANSPORT_NVME;
	if (has_component(p, "/mmc", true))
		return TRANSPORT_MMC;
	if (strncmp(p, "/sys/devices/virtual/block/loop", 31) == 0)
		return TRANSPORT_LOOP;
	if (strstr(p, "/devices/virtual/"))
		return TRANSPORT_VIRTUAL;
	if (has_component(p, "/host", true) && has_component(p, "/target", true))
		return TRANSPORT_SCSI;
	return TRANSPORT_UNKNOWN;
}

const char *transport_to_string(enum transport t)
{
	static const char *const names[] = {
		[TRANSPORT_UNKNOWN] = "unknown", [TRANSPORT_FC] = "fc",       [TRANSPORT_SAS] = "sas",
		[TRANSPORT_ISCSI] = "iscsi",     [TRANSPORT_SATA] = "sata",   [TRANSPORT_HYPERV] = "hyperv",
		[TRANSPORT_USB] = "usb",         [TRANSPORT_VIRTIO] = "virtio", [TRANSPORT_NVME] = "nvme",
		[TRANSPORT_MMC] = "mmc",         [TRANSPORT_LOOP] = "loop",   [TRANSPORT_SCSI] = "scsi",
		[TRANSPORT_VIRTUAL] = "virtual",
	};
	return (unsigned)t < ARRAY_SIZE(names) ? names[t] : "unknown";
}

int devname_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return strcmp(a, b);
}

/* ---- building blocks ------------------------------------------------------ */

_printf_(3, 4) static int add_problem(struct strvec *problems, int err, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (err) {
		size_t l = strlen(buf);
		snprintf(buf + l, sizeof(buf) - l, ": %s", strerror(-err));
	}
	return strvec_push_unique(problems, buf);
}

static void hba_free(struct fc_hba *h)
{
	free(h->name);
	free(h->port_name);
	free(h->node_name);
	free(h->port_id);
	free(h->port_state);
	free(h->port_type);
	free(h->speed);
	free(h->symbolic_name);
	free(h->driver);
	free(h->pci);
}

static void port_free(struct fc_port *p)
{
	free(p->name);
	free(p->target);
	free(p->port_name);
	free(p->node_name);
	free(p->port_id);
	free(p->roles);
	free(p->port_state);
}

static void path_free(struct lun_path *p)
{
	free(p->name);
	free(p->hctl);
	free(p->rport);
	free(p->target_port);
	free(p->state);
}

static void lun_free(struct lun *l)
{
	for (size_t i = 0; i < l->npaths; i++)
		path_free(&l->paths[i]);
	free(l->paths);
	free(l->wwid);
	free(l->name);
	free(l->device);
	free(l->devnode);
	free(l->multipath);
	free(l->vendor);
	free(l->model);
	free(l->rev);
	signature_list_free(&l->signatures);
	strv_freep(&l->mountpoints);
	strv_freep(&l->holders);
	strv_freep(&l->partitions);
	free(l->reason);
}

void san_free(struct san *s)
{
	for (size_t i = 0; i < s->nhbas; i++)
		hba_free(&s->hbas[i]);
	for (size_t i = 0; i < s->nports; i++)
		port_free(&s->ports[i]);
	for (size_t i = 0; i < s->nluns; i++)
		lun_free(&s->luns[i]);
	free(s->hbas);
	free(s->ports);
	free(s->luns);
	strv_freep(&s->problems);
	memset(s, 0, sizeof(*s));
}

/* Grows *v (of *n elements of size sz) by one zeroed element; returns it or NULL. */
static void *grow(void *v, size_t *n, size_t sz)
{
	char **pv = v;
	char *nv = realloc(*pv, (*n + 1) * sz);

	if (!nv)
		return NULL;
	*pv = nv;
	memset(nv + *n * sz, 0, sz);
	return nv + (*n)++ * sz;
}

/* Calls fn for every device of a subsystem, in syspath order. */
static int foreach_device(struct udev *udev, const char *subsystem, struct san *s,
			  int (*fn)(struct udev *, struct udev_device *, struct san *))
{
	_cleanup_(udev_enumerate_unrefp) struct udev_enumerate *e = udev_enumerate_new(udev);
	struct udev_list_entry *entry;
	int r;

	if (!e)
		return -ENOMEM;
	if ((r = udev_enumerate_add_match_subsystem(e, subsystem)) < 0 || (r = udev_enumerate_scan_devices(e)) < 0)
		return r;
	udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(e)) {
		_cleanup_(udev_device_unrefp) struct udev_device *d =
			udev_device_new_from_syspath(udev, udev_list_entry_get_name(entry));
		if (!d)
			continue;   /* vanished while we looked */
		if ((r = fn(udev, d, s)) < 0)
			return r;
	}
	return 0;
}

/* ---- HBAs and remote ports ------------------------------------------------ */

static int add_hba(struct udev *udev, struct udev_device *d, struct san *s)
{
	struct fc_hba *h = grow(&s->hbas, &s->nhbas, sizeof(*h));
	struct udev_device *pci;

	if (!h)
		return -ENOMEM;
	if (!(h->name = strdup(udev_device_get_sysname(d))))
		return -ENOMEM;
	if (sscanf(h->name, "host%u", &h->host_no) != 1)
		h->host_no = ~0u;
	h->port_name = udev_attr_str(d, "port_name");
	h->node_name = udev_attr_str(d, "node_name");
	h->port_id = udev_attr_str(d, "port_id");
	h->port_state = udev_attr_str(d, "port_state");
	h->port_type = udev_attr_str(d, "port_type");
	h->speed = udev_attr_str(d, "speed");
	h->symbolic_name = udev_attr_str(d, "symbolic_name");
	pci = udev_device_get_parent_with_subsystem_devtype(d, "pci", NULL);
	if (pci) {
		const char *drv = udev_device_get_driver(pci);
		h->pci = strdup(udev_device_get_sysname(pci));
		h->driver = drv ? strdup(drv) : NULL;
	}
	if (!h->driver) {
		_cleanup_(udev_device_unrefp) struct udev_device *sh =
			udev_device_new_from_subsystem_sysname(udev, "scsi_host", h->name);
		if (sh)
			h->driver = udev_attr_str(sh, "proc_name");
	}
	return 0;
}

static int add_port(struct udev *udev, struct udev_device *d, struct san *s)
{
	struct fc_port *p = grow(&s->ports, &s->nports, sizeof(*p));
	unsigned channel, number;
	const char *tid;
	char *end;

	if (!p)
		return -ENOMEM;
	if (!(p->name = strdup(udev_device_get_sysname(d))))
		return -ENOMEM;
	if (sscanf(p->name, "rport-%u:%u-%u", &p->host_no, &channel, &number) != 3)
		p->host_no = ~0u;
	p->port_name = udev_attr_str(d, "port_name");
	p->node_name = udev_attr_str(d, "node_name");
	p->port_id = udev_attr_str(d, "port_id");
	p->roles = udev_attr_str(d, "roles");
	p->port_state = udev_attr_str(d, "port_state");
	/* The rport number is not the target id: scsi_target_id is. */
	tid = udev_device_get_sysattr_value(d, "scsi_target_id");
	if (tid && p->host_no != ~0u) {
		long id = strtol(tid, &end, 10);
		if (end != tid && id >= 0 && asprintf(&p->target, "target%u:%u:%ld", p->host_no, channel, id) < 0)
			p->target = NULL;
	}
	return 0;
}

static int cmp_hba(const void *a, const void *b)
{
	const struct fc_hba *x = a, *y = b;
	return x->host_no != y->host_no ? (x->host_no < y->host_no ? -1 : 1) : strcmp(x->name, y->name);
}

static int cmp_port(const void *a, const void *b)
{
	const struct fc_port *x = a, *y = b;
	return x->host_no != y->host_no ? (x->host_no < y->host_no ? -1 : 1) : devname_cmp(x->name, y->name);
}

static const struct fc_port *find_port(const struct san *s, const char *rport)
{
	for (size_t i = 0; rport && i < s->nports; i++)
		if (strcmp(s->ports[i].name, rport) == 0)
			return &s->ports[i];
	return NULL;
}

/* ---- disks ---------------------------------------------------------------- */

struct disk {
	struct blockdev b;
	enum transport transport;
	char *key;             /* normalized WWID, NULL when unknown */
	struct lun_path path;
};

struct disk_list {
	struct disk *v;
	size_t n;
	unsigned flags;
	const struct san *san;
};

static void disk_list_free(struct disk_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		blockdev_free(&l->v[i].b);
		free(l->v[i].key);
		path_free(&l->v[i].path);
	}
	free(l->v);
}

/* Array access LUNs and "no LUN mapped" placeholders look like disks. */
static bool is_pseudo_lun(const char *model)
{
	return model && (strcmp(model, "Universal Xport") == 0 || strcmp(model, "LUNZ") == 0);
}

static int add_disk(struct udev *udev, struct udev_device *d, struct disk_list *l, enum transport t)
{
	struct blockdev b;
	struct udev_device *scsi;
	struct disk *k;
	const char *rp;
	int r;

	if ((r = blockdev_from_udev(d, &b)) < 0)
		return r;
	if ((b.scsi_type >= 0 && b.scsi_type != 0) || is_pseudo_lun(b.model) ||
	    (t == TRANSPORT_LOOP && b.size_bytes == 0)) {
		blockdev_free(&b);
		return 0;
	}
	if (!(k = grow(&l->v, &l->n, sizeof(*k)))) {
		blockdev_free(&b);
		return -ENOMEM;
	}
	k->b = b;
	k->transport = t;
	k->path.host_no = -1;
	k->path.devnum = b.devnum;
	if (!(k->path.name = strdup(b.name)))
		return -ENOMEM;
	if (b.wwid) {
		char buf[256];
		if (wwid_normalize(b.wwid, buf, sizeof(buf)) == 0 && !(k->key = strdup(buf)))
			return -ENOMEM;
	}
	scsi = udev_device_get_parent_with_subsystem_devtype(d, "scsi", "scsi_device");
	if (scsi) {
		k->path.hctl = strdup(udev_device_get_sysname(scsi));
		k->path.state = udev_attr_str(scsi, "state");
		if (k->path.hctl && sscanf(k->path.hctl, "%d:", &k->path.host_no) != 1)
			k->path.host_no = -1;
	}
	rp = strstr(b.syspath, "/rport-");
	if (rp) {
		k->path.rport = strndup(rp + 1, strcspn(rp + 1, "/"));
		const struct fc_port *p = find_port(l->san, k->path.rport);
		if (p && p->port_name)
			k->path.target_port = strdup(p->port_name);
	}
	return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir)

/* Every block device, one at a time: a udev enumeration would hold all of them
 * (thousands of paths on a big SAN) in memory at once.  /sys/class/block, not
 * /sys/block, which umockdev fills with partitions too. */
static int scan_disks(struct udev *udev, struct disk_list *l)
{
	_cleanup_(closedirp) DIR *dir = opendir("/sys/class/block");
	struct dirent *de;
	int r;

	if (!dir)
		return negative_errno();
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_(udev_device_unrefp) struct udev_device *d =
			udev_device_new_from_subsystem_sysname(udev, "block", de->d_name);
		const char *type = d ? udev_device_get_devtype(d) : NULL;
		if (!type || strcmp(type, "disk") != 0)
			continue;   /* gone meanwhile, or a partition */
		enum transport t = transport_from_syspath(udev_device_get_syspath(d));
		if (t == TRANSPORT_VIRTUAL || (t != TRANSPORT_FC && !(l->flags & LUN_SCAN_ALL)))
			continue;
		if ((r = add_disk(udev, d, l, t)) < 0)
			return r;
	}
	return 0;
}

/* By WWID (unknown last), then path name. */
static int cmp_disk(const void *a, const void *b)
{
	const struct disk *x = a, *y = b;

	if (!x->key != !y->key)
		return x->key ? -1 : 1;
	int c = x->key ? strcmp(x->key, y->key) : 0;
	return c ? c : devname_cmp(x->b.name, y->b.name);
}

/* ---- one LUN from its group of paths -------------------------------------- */

/* The multipath map holding any path of the group. */
static int find_map(struct udev *udev, struct disk *g, size_t n, struct udev_device **ret)
{
	*ret = NULL;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *kname = NULL;
		int r = blockdev_multipath_map(&g[i].b, &kname, NULL);
		if (r < 0)
			return r;
		if (r > 0 && (*ret = udev_device_new_from_subsystem_sysname(udev, "block", kname)))
			return 0;
	}
	return 0;
}

static bool same_names(char **a, struct disk *g, size_t n)
{
	if (strv_length(a) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (char **s = a; *s && !found; s++)
			found = strcmp(*s, g[i].b.name) == 0;
		if (!found)
			return false;
	}
	return true;
}

static int add_stack(struct udev *udev, dev_t dev, bool deep, dev_t *devs, size_t *n)
{
	dev_t buf[BLOCKDEV_STACK_MAX];
	int c = 1;

	buf[0] = dev;
	if (deep && (c = blockdev_stack(udev, dev, buf, BLOCKDEV_STACK_MAX)) < 0)
		return c;
	for (int i = 0; i < c && i < BLOCKDEV_STACK_MAX; i++) {
		size_t j;
		for (j = 0; j < *n && devs[j] != buf[i]; j++)
			;
		if (j == *n && *n < BLOCKDEV_STACK_MAX)
			devs[(*n)++] = buf[i];
	}
	return 0;
}

static int lun_mounts(struct udev *udev, struct lun *l, const struct blockdev *src, struct disk *g, size_t n,
		      const char *map, const struct mount_table *mt)
{
	_cleanup_strvec_ struct strvec mps = { 0 };
	dev_t devs[BLOCKDEV_STACK_MAX];
	size_t ndevs = 0;
	int r;

	/* Walk the holder stack only where there is one: most LUNs stand alone. */
	r = add_stack(udev, src->devnum, src->holders[0] || src->partitions[0], devs, &ndevs);
	for (size_t i = 0; r >= 0 && i < n; i++) {
		bool foreign = g[i].b.partitions[0] != NULL;
		for (char **h = g[i].b.holders; *h; h++)
			foreign |= !map || strcmp(*h, map) != 0;
		r = add_stack(udev, g[i].b.devnum, foreign, devs, &ndevs);
	}
	if (r < 0)
		return r;
	for (size_t i = 0; i < ndevs; i++) {
		const char *targets[MOUNTS_PER_DEV];
		size_t m = mountinfo_find_dev(mt, devs[i], targets, MOUNTS_PER_DEV);
		for (size_t j = 0; j < m && j < MOUNTS_PER_DEV; j++)
			strvec_push_unique(&mps, targets[j]);
	}
	return strvec_steal(&mps, false, &l->mountpoints);
}

static int lun_holders(struct lun *l, const struct blockdev *src, struct disk *g, size_t n, const char *map)
{
	_cleanup_strvec_ struct strvec v = { 0 };

	for (size_t i = 0; i <= n; i++)
		for (char **h = i < n ? g[i].b.holders : src->holders; *h; h++)
			if (!map || strcmp(*h, map) != 0)
				strvec_push_unique(&v, *h);
	return strvec_steal(&v, false, &l->holders);
}

static int build_lun(struct udev *udev, struct san *s, struct strvec *problems, struct disk *g, size_t n,
		     const struct mount_table *mt)
{
	_cleanup_(udev_device_unrefp) struct udev_device *mapdev = NULL;
	_cleanup_(blockdev_free) struct blockdev mb = { 0 };
	struct blockdev *src = &g[0].b;
	const char *map = NULL;
	struct lun *l;
	char reason[256];
	int r;

	if ((r = find_map(udev, g, n, &mapdev)) < 0)
		return r;
	if (mapdev) {
		if ((r = blockdev_from_udev(mapdev, &mb)) < 0)
			return r;
		src = &mb;
		map = mb.name;
	}
	if (!(l = grow(&s->luns, &s->nluns, sizeof(*l))))
		return -ENOMEM;
	l->transport = g[0].transport;
	l->scsi_type = g[0].b.scsi_type;
	l->wwid = TAKE_PTR(g[0].b.wwid);
	l->vendor = TAKE_PTR(g[0].b.vendor);
	l->model = TAKE_PTR(g[0].b.model);
	l->rev = TAKE_PTR(g[0].b.rev);
	if (map) {
		l->multipath = strdup(mb.dm_name ? mb.dm_name : mb.name);
		l->name = strdup(l->multipath ? l->multipath : "");
		if (mb.dm_name && asprintf(&l->device, "/dev/mapper/%s", mb.dm_name) < 0)
			l->device = NULL;
		if (!same_names(mb.slaves, g, n) &&
		    (r = add_problem(problems, 0, "multipath map %s does not hold exactly the paths of its LUN", mb.name)) < 0)
			return r;
	} else
		l->name = strdup(src->name);
	if (!l->device)
		l->device = strdup(src->devnode);
	l->devnode = strdup(src->devnode);
	l->devnum = src->devnum;
	l->size_bytes = src->size_bytes;
	l->logical_sector = src->logical_sector;
	l->physical_sector = src->physical_sector;
	l->io_min = src->io_min;
	l->io_opt = src->io_opt;
	l->io_hints = io_hints_classify(src->io_min, src->io_opt, src->physical_sector);
	if (!l->name || !l->device || !l->devnode || !(l->paths = calloc(n, sizeof(*l->paths))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		l->paths[i] = g[i].path;
		memset(&g[i].path, 0, sizeof(g[i].path));
	}
	l->npaths = n;

	if ((r = lun_holders(l, src, g, n, map)) < 0)
		return r;
	if (!mt)
		l->mount_unknown = true;
	else if ((r = lun_mounts(udev, l, src, g, n, map, mt)) < 0)
		return r;
	l->partitions = TAKE_PTR(src->partitions);
	l->probe_error = signatures_probe_path(l->devnode, &l->signatures);
	if (l->probe_error == -ENOMEM)
		return -ENOMEM;
	if (l->probe_error < 0 && (r = add_problem(problems, l->probe_error, "cannot read signatures of %s", l->device)) < 0)
		return r;
	l->candidate = lun_is_candidate(l, reason, sizeof(reason));
	if (!l->candidate && !(l->reason = strdup(reason)))
		return -ENOMEM;
	return 0;
}

static int cmp_lun(const void *a, const void *b)
{
	const struct lun *x = a, *y = b;

	if (x->transport != y->transport)
		return x->transport < y->transport ? -1 : 1;
	return devname_cmp(x->name, y->name);
}

bool lun_is_candidate(const struct lun *l, char *buf, size_t len)
{
	if (l->transport != TRANSPORT_FC)
		snprintf(buf, len, "not a Fibre Channel LUN (%s)", transport_to_string(l->transport));
	else if (l->scsi_type != 0)
		snprintf(buf, len, "not a disk (SCSI type %d)", l->scsi_type);
	else if (l->mount_unknown)
		snprintf(buf, len, "the mount table could not be read");
	else if (l->mountpoints && l->mountpoints[0])
		snprintf(buf, len, "mounted on %s", l->mountpoints[0]);
	else if (l->holders && l->holders[0])
		snprintf(buf, len, "in use by %s", l->holders[0]);
	else if (l->probe_error < 0)
		snprintf(buf, len, "signatures could not be read: %s", strerror(-l->probe_error));
	else if (l->signatures.n) {
		const struct signature *sg = &l->signatures.v[0];
		snprintf(buf, len, "holds a %s: %s",
			 sg->usage && strcmp(sg->usage, "partition-table") == 0 ? "partition table" : "signature", sg->type);
	} else if (l->partitions && l->partitions[0])
		snprintf(buf, len, "has partition %s", l->partitions[0]);
	else if (l->npaths > 1 && !l->multipath)
		snprintf(buf, len, "%zu paths but no multipath map", l->npaths);
	else if (l->size_bytes == 0)
		snprintf(buf, len, "size is 0");
	else
		return true;
	return false;
}

/* qsort() must not get the NULL base an empty vector has (UB, and fatal in
 * the sanitizer build on a host without FC HBAs). */
static void sort_vec(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n)
		qsort(v, n, size, cmp);
}

static int scan(struct udev *udev, unsigned flags, struct san *s)
{
	_cleanup_(disk_list_free) struct disk_list dl = { .flags = flags, .san = s };
	_cleanup_(mount_table_free) struct mount_table mt = { 0 };
	_cleanup_strvec_ struct strvec problems = { 0 };
	bool have_mt;
	int r;

	if ((r = foreach_device(udev, "fc_host", s, add_hba)) < 0 ||
	    (r = foreach_device(udev, "fc_remote_ports", s, add_port)) < 0)
		return r;
	sort_vec(s->hbas, s->nhbas, sizeof(*s->hbas), cmp_hba);
	sort_vec(s->ports, s->nports, sizeof(*s->ports), cmp_port);

	r = mountinfo_load(&mt);
	have_mt = r >= 0;
	if (!have_mt && (r = add_problem(&problems, r, "cannot read the mount table")) < 0)
		return r;

	if ((r = scan_disks(udev, &dl)) < 0)
		return r;
	sort_vec(dl.v, dl.n, sizeof(*dl.v), cmp_disk);
	for (size_t i = 0, j; i < dl.n; i = j) {
		for (j = i + 1; j < dl.n && dl.v[i].key && dl.v[j].key && strcmp(dl.v[i].key, dl.v[j].key) == 0; j++)
			;
		if ((r = build_lun(udev, s, &problems, dl.v + i, j - i, have_mt ? &mt : NULL)) < 0)
			return r;
	}
	sort_vec(s->luns, s->nluns, sizeof(*s->luns), cmp_lun);
	return strvec_steal(&problems, false, &s->problems);
}

int lun_scan(struct udev *udev, unsigned flags, struct san *s)
{
	int r;

	memset(s, 0, sizeof(*s));
	r = scan(udev, flags, s);
	if (r < 0)
		san_free(s);
	return r;
}

const struct lun *san_find_wwid(const struct san *s, const char *wwid)
{
	char want[256], have[256];

	if (wwid_normalize(wwid, want, sizeof(want)) < 0)
		return NULL;
	for (size_t i = 0; i < s->nluns; i++)
		if (s->luns[i].wwid && wwid_normalize(s->luns[i].wwid, have, sizeof(have)) == 0 &&
		    strcmp(want, have) == 0)
			return &s->luns[i];
	return NULL;
}

int lun_find_by_wwid(struct udev *udev, const char *wwid, struct san *san, const struct lun **ret)
{
	char buf[256];
	int r;

	if (wwid_normalize(wwid, buf, sizeof(buf)) < 0) {
		memset(san, 0, sizeof(*san));
		return -EINVAL;
	}
	if ((r = lun_scan(udev, LUN_SCAN_ALL, san)) < 0)
		return r;
	*ret = san_find_wwid(san, wwid);
	return *ret ? 0 : -ENOENT;
}
