#include "device.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/macro.h"

static const char *const wwid_prefixes[] = { "naa.", "eui.", "wwn-0x", "0x" };

/* Lower-case hex digits of a WWID without its prefix; NULL when it is not one. */
static char *wwid_hex(const char *s)
{
	char *v, *p;

	for (size_t i = 0; i < ARRAY_SIZE(wwid_prefixes); i++)
		if (strncasecmp(s, wwid_prefixes[i], strlen(wwid_prefixes[i])) == 0) {
			s += strlen(wwid_prefixes[i]);
			break;
		}
	if (strlen(s) < 8)
		return NULL;
	if (!(v = strdup(s)))
		return NULL;
	for (p = v; *p; p++) {
		if (!isxdigit((unsigned char)*p)) {
			free(v);
			return NULL;
		}
		*p = (char)tolower((unsigned char)*p);
	}
	return v;
}

bool wwid_like(const char *arg)
{
	_cleanup_free_ char *h = NULL;

	if (strchr(arg, '/'))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(wwid_prefixes); i++)
		if (strncasecmp(arg, wwid_prefixes[i], strlen(wwid_prefixes[i])) == 0)
			return (h = wwid_hex(arg)) != NULL;
	return false;
}

bool wwid_matches(const char *a, const char *b)
{
	_cleanup_free_ char *x = a ? wwid_hex(a) : NULL;
	_cleanup_free_ char *y = b ? wwid_hex(b) : NULL;
	size_t lx, ly;

	if (!x || !y)
		return false;
	lx = strlen(x);
	ly = strlen(y);
	if (lx == ly)
		return strcmp(x, y) == 0;
	/* multipath/scsi_id spell NAA ids with the designator type in front: 3 + naa */
	if (lx == ly + 1 && x[0] == '3')
		return strcmp(x + 1, y) == 0;
	if (ly == lx + 1 && y[0] == '3')
		return strcmp(y + 1, x) == 0;
	return false;
}

static int try_path(const char *fmt, const char *arg, char **ret)
{
	char *p;
	struct stat st;

	if (asprintf(&p, fmt, arg) < 0)
		return -ENOMEM;
	if (stat(p, &st) == 0 && S_ISBLK(st.st_mode)) {
		*ret = p;
		return 0;
	}
	free(p);
	return -ENODEV;
}

/* Interim resolver until raid/lun.h (LUN discovery) provides one: udev's by-id
 * links, the multipath map first so a bare path is never picked. */
int fs_resolve_device(const char *arg, char **ret_path)
{
	static const char *const by_id[] = {
		"/dev/disk/by-id/dm-uuid-mpath-3%s", "/dev/disk/by-id/dm-uuid-mpath-%s",
		"/dev/disk/by-id/wwn-0x%s", "/dev/disk/by-id/scsi-3%s", "/dev/disk/by-id/scsi-%s",
	};
	_cleanup_free_ char *hex = NULL;

	if (!*arg)
		return -EINVAL;
	if (strchr(arg, '/'))
		return (*ret_path = strdup(arg)) ? 0 : -ENOMEM;
	if (!wwid_like(arg))
		return try_path("/dev/%s", arg, ret_path);
	if (!(hex = wwid_hex(arg)))
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(by_id); i++)
		if (try_path(by_id[i], hex, ret_path) == 0)
			return 0;
	return -ENODEV;
}
