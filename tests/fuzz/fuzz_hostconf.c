/* The host configuration (lib/hostconf.c over lib/conf.c and libconfig), read
 * from a file as hostconf_load() does for every verb.  Properties: a failure
 * always explains itself as "FILE:…"; whatever is accepted passed the checks
 * that keep it out of trouble in generated files and on command lines. */
#include <errno.h>

#include "lib/hostconf.h"
#include "lib/macro.h"
#include "lib/names.h"
#include "fuzz.h"

static void check_accepted(const struct hostconf *hc)
{
	const char *urls[] = { hc->host.url_http, hc->host.url_https, hc->host.url_rsync, hc->host.site_url,
			       hc->backend.url };
	const char *paths[] = { hc->storage.mountpoint, hc->mirror.root, hc->mirror.tls_certificate,
				hc->mirror.tls_key, hc->backend.password_file };

	for (size_t i = 0; i < ARRAY_SIZE(urls); i++)
		FUZZ_ASSERT(!urls[i] || !check_url(urls[i]));
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		FUZZ_ASSERT(!paths[i] || !check_abspath(paths[i]));
	if (hc->has_host)
		FUZZ_ASSERT(hc->host.name && (hc->host.url_http || hc->host.url_https));
	if (hc->has_storage)
		FUZZ_ASSERT(!check_safe_name(hc->storage.label) && !strpbrk(hc->storage.mount_options, " \t\n\\#"));
	if (hc->has_mirror) {
		FUZZ_ASSERT(!check_safe_name(hc->mirror.user) && hc->mirror.profiles);
		for (char **p = hc->mirror.profiles; *p; p++)
			FUZZ_ASSERT(!check_safe_name(*p));
	}
	/* every instance passed the backend group's checks; every route resolves */
	for (size_t i = 0; i < hc->n_backends; i++) {
		const struct hostconf_backend *b = &hc->backends[i];
		FUZZ_ASSERT(!check_safe_name(b->name) && strcmp(b->name, HOSTCONF_DEFAULT_BACKEND) != 0 && b->type);
		FUZZ_ASSERT(!b->url || !check_url(b->url));
		FUZZ_ASSERT(!b->password_file || !check_abspath(b->password_file));
	}
	for (size_t i = 0; i < hc->n_profiles; i++)
		FUZZ_ASSERT(!hc->profiles[i].backend || hostconf_backend_find(hc, hc->profiles[i].backend));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_input_file("host.conf", data, size);
	struct hostconf hc;
	_cleanup_free_ char *err = NULL;
	int r;

	r = hostconf_load(path, 0, &hc, &err);
	if (r < 0) {
		FUZZ_ASSERT(r == -ENOMEM || (err && strncmp(err, path, strlen(path)) == 0));
		return 0;
	}
	check_accepted(&hc);
	hostconf_free(&hc);
	return 0;
}
