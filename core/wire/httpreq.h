/*
 * httpreq.h - the head of an HTTP/1.1 request as `netdoctor serve` reads
 * it (RFC 9112 2-5: request line, header fields, CRLF CRLF), and the
 * parameters of its query string (the form encoding of the WHATWG URL
 * standard, which Prometheus' relabelled __param_* values use).
 *
 * Bounded: the head is at most ND_HTTPREQ_MAX bytes, a decoded parameter
 * at most what the caller's buffer holds.  The parser keeps pointers into
 * the caller's buffer and allocates nothing.
 */
#ifndef ND_HTTPREQ_H
#define ND_HTTPREQ_H

#include <stdbool.h>
#include <stddef.h>

#define ND_HTTPREQ_MAX		8192	/* request line + headers */

struct nd_strv {
	const char	*p;
	size_t		 n;
};

struct nd_httpreq {
	struct nd_strv	 method;	/* "GET" */
	struct nd_strv	 path;		/* "/probe", without the query */
	struct nd_strv	 query;		/* after '?', without '#'; n 0 if none */
	int		 minor;		/* HTTP/1.minor */
	bool		 keep_alive;	/* 1.1 without "close", or 1.0 with
					   "keep-alive" */
	struct nd_strv	 accept;	/* the Accept field, n 0 if absent */
	/* X-Prometheus-Scrape-Timeout-Seconds, -1 when absent or bad. */
	double		 scrape_timeout;
	size_t		 head_len;	/* bytes up to and with CRLF CRLF */
};

/*
 * Parses the head at the start of buf[0..len).  Returns 1 with *ret
 * filled when a whole head is there, 0 when more bytes are needed (and
 * len is still under ND_HTTPREQ_MAX), or a negative errno with one line
 * in err: -E2BIG (no end of head within ND_HTTPREQ_MAX: 431, or 414 when
 * the request line alone is that long), -EPROTO (no HTTP/1.x version:
 * 505 or a plain 400), -EINVAL (malformed: 400).  A bare LF ends lines
 * too (RFC 9112 2.2 lets a server accept it).
 */
int	nd_httpreq_parse(const char *buf, size_t len, struct nd_httpreq *ret,
	    char *err, size_t errlen);

/*
 * The first parameter called name in a query string, '+' and %XX
 * decoded, into out (NUL-terminated).  Returns its length, -ENOENT when
 * absent, -E2BIG when it does not fit in outlen - 1, -EINVAL for a bad
 * escape or a decoded NUL.
 */
int	nd_httpreq_param(struct nd_strv query, const char *name, char *out,
	    size_t outlen);

/* Whether an Accept field asks for OpenMetrics text (q above 0). */
bool	nd_httpreq_wants_openmetrics(struct nd_strv accept);

#endif /* ND_HTTPREQ_H */
