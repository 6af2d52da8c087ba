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
	/* Cloudflare's edge answered itself (server: cloudflare + cf-ray). */
	ND_HC_CF_NOT_CONNECTED,		/* 530 + 1033: no connector */
	ND_HC_CF_ORIGIN_UNREACHABLE,	/* 502: the connector cannot reach
					   the origin */
	ND_HC_CF_ORIGIN_DNS,		/* 530 + 1016 */
	ND_HC_CF_EDGE_ERROR,		/* another error the edge made */
};
#define ND_HC__LAST	ND_HC_CF_EDGE_ERROR

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

/*
 * Cloudflare's edge.  Every answer it proxies carries `server:
 * cloudflare` and a cf-ray header, so those two say "the edge is in the
 * path", not "the edge made this answer"; the answer is the edge's own
 * when it carries one of its error codes or a status only the edge uses
 * (520-527, 530).  Error pages carry the code in each of their formats
 * (developers.cloudflare.com/fundamentals/reference/error-responses/):
 * "error code: 1033" in the plain text non-browser clients get,
 * `<span class="cf-error-code">1033</span>` and "Error code 1033" in the
 * HTML page, "error_code": 1033 in the JSON of Accept: application/json.
 * Only the number is matched: Cloudflare rewords its titles ("Argo Tunnel
 * error" became "Cloudflare Tunnel error").
 */
bool	nd_http_cf_edge(const struct nd_http_headers *);

/* The 1xxx (or 5xx) error code the body names, 0 when none. */
int	nd_http_cf_code(const char *body, size_t len);

/*
 * cf-ray "8c5e1f2a3b4c5d6e-AMS": the Ray ID (before the '-') and the data
 * centre (after it, "" when absent), each cut to its buffer.
 */
void	nd_http_cf_ray(const char *cf_ray, char *id, size_t idlen, char *colo,
	    size_t colen);

/*
 * "ok", "status_mismatch", ...: the finding id's second half (http.X);
 * the whole id for the edge's answers ("cftunnel.not_connected").
 */
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
