/*
 * httpclass.h - what an HTTP answer means, as a pure function of its
 * status, header block and the first bytes of its body: the page the URL
 * promised, another status, or an answer a proxy made up because it could
 * not reach the application (Envoy's local replies: no route for the
 * Host, no healthy upstream, an upstream that reset).  No I/O, bounded:
 * the probe feeds it what libcurl delivered, the fuzzer feeds it anything.
 */
#ifndef ND_HTTPCLASS_H
#define ND_HTTPCLASS_H

#include <stdbool.h>
#include <stddef.h>

#define ND_HTTP_HEADERS_MAX	(32 * 1024)	/* the header block kept */
#define ND_HTTP_BODY_MAX	(64 * 1024)	/* the body read */
#define ND_HTTP_SNIPPET		200	/* body bytes shown for a failure */

/*
 * The headers that say who answered, each cut to its buffer (NUL-ended,
 * control characters replaced by '?').  Only the last response of the
 * block counts: a "HTTP/" status line starts over (1xx interim answers).
 */
struct nd_http_headers {
	long	 status;		/* from the status line; 0: none */
	char	 version[12];		/* "HTTP/1.1", "HTTP/2" */
	char	 server[96];
	char	 content_type[96];
	char	 location[256];
	char	 via[128];
	char	 cf_ray[64];
	char	 envoy[256];		/* "x-envoy-NAME: VALUE; ..." */
	bool	 envoy_upstream;	/* x-envoy-upstream-service-time */
	long long content_length;	/* -1 when absent or not a number */
	size_t	 nheaders;		/* header lines of that response */
};

/* Reads a header block (lines ending in "\r\n" or "\n"); never fails. */
void	nd_http_headers_parse(const char *buf, size_t len,
	    struct nd_http_headers *);

enum nd_http_class {
	ND_HC_OK,			/* expected status (and body) */
	ND_HC_STATUS_MISMATCH,		/* another status, from the app */
	ND_HC_BODY_MISMATCH,		/* expected status, text missing */
	ND_HC_ROUTE_NOT_FOUND,		/* the proxy matched no route */
	ND_HC_NO_HEALTHY_UPSTREAM,	/* the route's backend has no endpoint */
	ND_HC_UPSTREAM_CONNECT_ERROR,	/* the backend refused or reset */
	ND_HC_PLAIN_HTTP_TO_TLS,	/* http:// to a TLS port */
};

/*
 * Classifies an answer.  expected: the status is one the URL expects;
 * want: text the body must contain (NULL: none); body/len: the first
 * bytes of the body (len at most ND_HTTP_BODY_MAX is looked at).
 * why: one line of explanation (at most whylen bytes, always
 * NUL-terminated when whylen > 0), e.g. the reset reason Envoy gave.
 */
enum nd_http_class nd_http_classify(const struct nd_http_headers *,
	    bool expected, const char *want, const char *body, size_t len,
	    char *why, size_t whylen);

/* "ok", "status_mismatch", ...: the finding id's second half. */
const char *nd_http_class_name(enum nd_http_class);

/*
 * Writes the first bytes of s (len bytes, NULs allowed) into out as
 * printable text: "\r", "\n", "\t", "\\" and "\xNN" for the other control
 * bytes and for bytes >= 0x7f, at most max input bytes ("..." appended
 * when cut).  out is always NUL-terminated (outlen > 0).
 */
void	nd_http_escape(const char *s, size_t len, size_t max, char *out,
	    size_t outlen);

#endif /* ND_HTTPCLASS_H */
