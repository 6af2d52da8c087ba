/*
 * curlload.c - libcurl, loaded when a probe first needs it.
 *
 * libcurl pulls in some thirty shared libraries (GnuTLS, LDAP, Kerberos,
 * SSH, IDN, ...) and the dynamic loader resolves every symbol of every one
 * of them when the process starts: two thirds of what a `netdoctor check`
 * of one TCP port cost before anything was sent (docs/performance.md).  So
 * netdoctor does not link libcurl.  This file defines the libcurl
 * functions netdoctor calls, with libcurl's own prototypes (curl/curl.h,
 * its compile-time type checks included); the first call dlopen()s
 * libcurl and each definition forwards to the real function.
 *
 * The variadic setters take exactly one argument whose type the option
 * number encodes (the CURLOPTTYPE_* and CURLINFO_* bases of curl/curl.h
 * and curl/multi.h), which is how libcurl itself reads them.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stddef.h>

#include <curl/curl.h>

/*
 * Loaded RTLD_LOCAL, so the executable's own definitions below are not what
 * libcurl calls, and RTLD_LAZY, so its functions bind on first call as
 * they did when it was linked.
 */
#define ND_CURL_SONAME	"libcurl.so.4"

static struct {
	int		 state;		/* 0 not tried, 1 loaded, -1 failed */
	void		*dl;
	CURLcode	(*global_init)(long);
	void		(*global_cleanup)(void);
	CURL		*(*easy_init)(void);
	void		(*easy_cleanup)(CURL *);
	void		(*easy_reset)(CURL *);
	CURLcode	(*easy_perform)(CURL *);
	CURLcode	(*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	(*easy_getinfo)(CURL *, CURLINFO, ...);
	const char	*(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		(*slist_free_all)(struct curl_slist *);
	CURLM		*(*multi_init)(void);
	CURLMcode	(*multi_cleanup)(CURLM *);
	CURLMcode	(*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode	(*multi_add_handle)(CURLM *, CURL *);
	CURLMcode	(*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode	(*multi_socket_action)(CURLM *, curl_socket_t, int,
			    int *);
	CURLMsg		*(*multi_info_read)(CURLM *, int *);
} api;

#define LOAD(field, name) \
	do { \
		*(void **)(&api.field) = dlsym(api.dl, name); \
		if (api.field == NULL) \
			goto fail; \
	} while (0)

static int
curl_load(void)
{
	if (api.state != 0)
		return api.state;
	api.state = -1;
	if ((api.dl = dlopen(ND_CURL_SONAME, RTLD_LAZY | RTLD_LOCAL)) == NULL)
		return -1;
	LOAD(global_init, "curl_global_init");
	LOAD(global_cleanup, "curl_global_cleanup");
	LOAD(easy_init, "curl_easy_init");
	LOAD(easy_cleanup, "curl_easy_cleanup");
	LOAD(easy_reset, "curl_easy_reset");
	LOAD(easy_perform, "curl_easy_perform");
	LOAD(easy_setopt, "curl_easy_setopt");
	LOAD(easy_getinfo, "curl_easy_getinfo");
	LOAD(easy_strerror, "curl_easy_strerror");
	LOAD(slist_append, "curl_slist_append");
	LOAD(slist_free_all, "curl_slist_free_all");
	LOAD(multi_init, "curl_multi_init");
	LOAD(multi_cleanup, "curl_multi_cleanup");
	LOAD(multi_setopt, "curl_multi_setopt");
	LOAD(multi_add_handle, "curl_multi_add_handle");
	LOAD(multi_remove_handle, "curl_multi_remove_handle");
	LOAD(multi_socket_action, "curl_multi_socket_action");
	LOAD(multi_info_read, "curl_multi_info_read");
	api.state = 1;
	return 1;
fail:
	dlclose(api.dl);
	api.dl = NULL;
	return -1;
}

/* The type-checking macros of curl/curl.h stand for these names. */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt

CURLcode
curl_global_init(long flags)
{
	return curl_load() > 0 ? api.global_init(flags) : CURLE_FAILED_INIT;
}

void
curl_global_cleanup(void)
{
	if (api.state > 0)
		api.global_cleanup();
}

CURL *
curl_easy_init(void)
{
	return curl_load() > 0 ? api.easy_init() : NULL;
}

void
curl_easy_cleanup(CURL *h)
{
	if (api.state > 0)
		api.easy_cleanup(h);
}

void
curl_easy_reset(CURL *h)
{
	if (api.state > 0)
		api.easy_reset(h);
}

CURLcode
curl_easy_perform(CURL *h)
{
	return curl_load() > 0 ? api.easy_perform(h) : CURLE_FAILED_INIT;
}

CURLcode
curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	CURLcode rc;
	va_list ap;

	if (curl_load() <= 0)
		return CURLE_FAILED_INIT;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = api.easy_setopt(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = api.easy_setopt(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = api.easy_setopt(h, opt, va_arg(ap, void (*)(void)));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = api.easy_setopt(h, opt, va_arg(ap, curl_off_t));
	else
		rc = api.easy_setopt(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode
curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	CURLcode rc;
	va_list ap;

	if (curl_load() <= 0)
		return CURLE_FAILED_INIT;
	/* Every CURLINFO_* takes a pointer to where the answer goes. */
	va_start(ap, info);
	rc = api.easy_getinfo(h, info, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

const char *
curl_easy_strerror(CURLcode code)
{
	return curl_load() > 0 ? api.easy_strerror(code) :
	    "libcurl (" ND_CURL_SONAME ") could not be loaded";
}

struct curl_slist *
curl_slist_append(struct curl_slist *l, const char *s)
{
	return curl_load() > 0 ? api.slist_append(l, s) : NULL;
}

void
curl_slist_free_all(struct curl_slist *l)
{
	if (api.state > 0)
		api.slist_free_all(l);
}

CURLM *
curl_multi_init(void)
{
	return curl_load() > 0 ? api.multi_init() : NULL;
}

CURLMcode
curl_multi_cleanup(CURLM *m)
{
	return api.state > 0 ? api.multi_cleanup(m) : CURLM_BAD_HANDLE;
}

CURLMcode
curl_multi_setopt(CURLM *m, CURLMoption opt, ...)
{
	CURLMcode rc;
	va_list ap;

	if (curl_load() <= 0)
		return CURLM_INTERNAL_ERROR;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = api.multi_setopt(m, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = api.multi_setopt(m, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = api.multi_setopt(m, opt, va_arg(ap, void (*)(void)));
	else
		rc = api.multi_setopt(m, opt, va_arg(ap, curl_off_t));
	va_end(ap);
	return rc;
}

CURLMcode
curl_multi_add_handle(CURLM *m, CURL *h)
{
	return curl_load() > 0 ? api.multi_add_handle(m, h) :
	    CURLM_INTERNAL_ERROR;
}

CURLMcode
curl_multi_remove_handle(CURLM *m, CURL *h)
{
	return api.state > 0 ? api.multi_remove_handle(m, h) :
	    CURLM_BAD_HANDLE;
}

CURLMcode
curl_multi_socket_action(CURLM *m, curl_socket_t s, int ev, int *running)
{
	return curl_load() > 0 ? api.multi_socket_action(m, s, ev, running) :
	    CURLM_INTERNAL_ERROR;
}

CURLMsg *
curl_multi_info_read(CURLM *m, int *left)
{
	return curl_load() > 0 ? api.multi_info_read(m, left) : NULL;
}
