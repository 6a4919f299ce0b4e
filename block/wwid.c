#include "wwid.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "lib/macro.h"

int wwid_normalize(const char *in, char *out, size_t len)
{
	static const char *const prefixes[] = { "/dev/disk/by-id/", "dm-uuid-", "mpath-", "wwn-", "scsi-" };
	const char *s = in, *hex = NULL;
	size_t n;

	if (!in || !*in)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (strncmp(s, prefixes[i], strlen(prefixes[i])) == 0)
			s += strlen(prefixes[i]);
	if (strncasecmp(s, "naa.", 4) == 0)
		hex = s + 4;
	else if (strncasecmp(s, "0x", 2) == 0)
		hex = s + 2;
	else if (s[0] == '3' && (strlen(s) == 17 || strlen(s) == 33))
		hex = s + 1;   /* udev ID_SERIAL: "3" marks an NAA designator */
	else if (strlen(s) == 16 || strlen(s) == 32)
		hex = s;
	n = hex ? strlen(hex) : 0;
	if (hex && (n == 16 || n == 32) && strspn(hex, "0123456789abcdefABCDEF") == n) {
		if (n + 5 > len)
			return -EINVAL;
		memcpy(out, "naa.", 4);
		for (size_t i = 0; i <= n; i++)
			out[4 + i] = (char)tolower((unsigned char)hex[i]);
		return 0;
	}
	if (strlen(s) + 1 > len)
		return -EINVAL;
	strcpy(out, s);
	return 0;
}

bool wwid_like(const char *arg)
{
	char n[256];

	if (strchr(arg, '/') || wwid_normalize(arg, n, sizeof(n)) < 0)
		return false;
	return strncmp(n, "naa.", 4) == 0 || strncasecmp(n, "eui.", 4) == 0 || strncasecmp(n, "t10.", 4) == 0;
}

bool wwid_matches(const char *a, const char *b)
{
	char x[256], y[256];

	if (!a || !b || wwid_normalize(a, x, sizeof(x)) < 0 || wwid_normalize(b, y, sizeof(y)) < 0)
		return false;
	return strcasecmp(x, y) == 0;
}
