/* libcurl and libcrypto are loaded on first use, not at program start.
 *
 * Linked normally they pull in some 30 shared libraries (gnutls, krb5, ldap,
 * ...) and add about 10 ms to every start of every verb, while only check and
 * register use them.  This file defines the few entry points the backend
 * calls under their real names; each resolves the real function from a
 * dlopen()ed library (RTLD_LOCAL, so there is no symbol clash) the first time.
 * If the library is missing the call fails the way the library itself reports
 * failure (NULL, or an error code). */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>

static void *curl_lib, *crypto_lib;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT, crypto_once = PTHREAD_ONCE_INIT;

static void open_curl(void)
{
	curl_lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
}

static void open_crypto(void)
{
	crypto_lib = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
}

static void *curl_sym(const char *name)
{
	pthread_once(&curl_once, open_curl);
	return curl_lib ? dlsym(curl_lib, name) : NULL;
}

static void *crypto_sym(const char *name)
{
	pthread_once(&crypto_once, open_crypto);
	return crypto_lib ? dlsym(crypto_lib, name) : NULL;
}

/* Resolves once per function; `fail` is returned when the library is absent. */
#define FORWARD(lib, ret, name, fail, params, args)            \
	ret name params                                        \
	{                                                      \
		static ret(*fn) params;                        \
		if (!fn)                                       \
			fn = (ret(*) params)lib##_sym(#name);  \
		if (!fn)                                       \
			return fail;                           \
		return fn args;                                \
	}

#define FORWARD_VOID(lib, name, params, args)                  \
	void name params                                       \
	{                                                      \
		static void(*fn) params;                       \
		if (!fn)                                       \
			fn = (void(*) params)lib##_sym(#name); \
		if (fn)                                        \
			fn args;                               \
	}

FORWARD(curl, CURL *, curl_easy_init, NULL, (void), ())
FORWARD_VOID(curl, curl_easy_cleanup, (CURL *h), (h))
FORWARD(curl, CURLcode, curl_easy_perform, CURLE_FAILED_INIT, (CURL *h), (h))
FORWARD(curl, const char *, curl_easy_strerror, "libcurl is not installed", (CURLcode c), (c))
FORWARD(curl, CURLM *, curl_multi_init, NULL, (void), ())
FORWARD(curl, CURLMcode, curl_multi_cleanup, CURLM_INTERNAL_ERROR, (CURLM *m), (m))
FORWARD(curl, CURLMcode, curl_multi_add_handle, CURLM_INTERNAL_ERROR, (CURLM *m, CURL *h), (m, h))
FORWARD(curl, CURLMcode, curl_multi_remove_handle, CURLM_INTERNAL_ERROR, (CURLM *m, CURL *h), (m, h))
FORWARD(curl, CURLMcode, curl_multi_perform, CURLM_INTERNAL_ERROR, (CURLM *m, int *running), (m, running))
FORWARD(curl, CURLMcode, curl_multi_poll, CURLM_INTERNAL_ERROR,
	(CURLM *m, struct curl_waitfd *fds, unsigned n, int timeout_ms, int *numfds), (m, fds, n, timeout_ms, numfds))
FORWARD(curl, CURLMsg *, curl_multi_info_read, NULL, (CURLM *m, int *left), (m, left))
FORWARD(curl, struct curl_slist *, curl_slist_append, NULL, (struct curl_slist *l, const char *s), (l, s))
FORWARD_VOID(curl, curl_slist_free_all, (struct curl_slist *l), (l))

FORWARD(crypto, EVP_MD_CTX *, EVP_MD_CTX_new, NULL, (void), ())
FORWARD_VOID(crypto, EVP_MD_CTX_free, (EVP_MD_CTX *c), (c))
FORWARD(crypto, const EVP_MD *, EVP_sha256, NULL, (void), ())
FORWARD(crypto, const EVP_MD *, EVP_get_digestbyname, NULL, (const char *name), (name))
FORWARD(crypto, int, EVP_DigestInit_ex, 0, (EVP_MD_CTX *c, const EVP_MD *t, ENGINE *e), (c, t, e))
FORWARD(crypto, int, EVP_DigestUpdate, 0, (EVP_MD_CTX *c, const void *d, size_t n), (c, d, n))
FORWARD(crypto, int, EVP_DigestFinal_ex, 0, (EVP_MD_CTX *c, unsigned char *md, unsigned int *n), (c, md, n))

/* The variadic setters: the option number says the argument's type
 * (CURLOPTTYPE_LONG < OBJECTPOINT/FUNCTIONPOINT < OFF_T < BLOB). */
#define FORWARD_OPT(name, handle_t, code_t, opt_t, fail)                        \
	code_t name(handle_t h, opt_t opt, ...)                                  \
	{                                                                        \
		static code_t (*fn)(handle_t, opt_t, ...);                       \
		va_list ap;                                                      \
		code_t r;                                                        \
		if (!fn)                                                         \
			fn = (code_t(*)(handle_t, opt_t, ...))curl_sym(#name);   \
		if (!fn)                                                         \
			return fail;                                             \
		va_start(ap, opt);                                               \
		if ((int)opt < CURLOPTTYPE_OBJECTPOINT)                          \
			r = fn(h, opt, va_arg(ap, long));                        \
		else if ((int)opt >= CURLOPTTYPE_OFF_T && (int)opt < CURLOPTTYPE_BLOB) \
			r = fn(h, opt, va_arg(ap, curl_off_t));                  \
		else                                                             \
			r = fn(h, opt, va_arg(ap, void *));                      \
		va_end(ap);                                                      \
		return r;                                                        \
	}

FORWARD_OPT(curl_easy_setopt, CURL *, CURLcode, CURLoption, CURLE_FAILED_INIT)
FORWARD_OPT(curl_multi_setopt, CURLM *, CURLMcode, CURLMoption, CURLM_INTERNAL_ERROR)

/* getinfo: every info the backend asks for returns through one pointer. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	static CURLcode (*fn)(CURL *, CURLINFO, ...);
	va_list ap;
	void *p;

	if (!fn)
		fn = (CURLcode(*)(CURL *, CURLINFO, ...))curl_sym("curl_easy_getinfo");
	if (!fn)
		return CURLE_FAILED_INIT;
	va_start(ap, info);
	p = va_arg(ap, void *);
	va_end(ap);
	return fn(h, info, p);
}
