/*
 * httpreq.c - a bounded reader of HTTP/1.1 request heads (see httpreq.h).
 *
 * Only what `netdoctor serve` needs is kept: the method, the target's path
 * and query (origin-form, RFC 9112 3.2.1), the version, and three fields.
 * Everything else is checked for shape (a field name is a token, RFC 9110
 * 5.1) and skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "httpreq.h"
#include "util.h"

/* tchar of RFC 9110 5.6.2. */
static bool
is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || (c != '\0' && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

/* The end of the line starting at p (the LF), or NULL within end. */
static const char *
line_end(const char *p, const char *end)
{
	return memchr(p, '\n', (size_t)(end - p));
}

static bool
strv_ieq(struct nd_strv s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && strncasecmp(s.p, lit, n) == 0;
}

/* Whether the comma-separated list v holds token (any case). */
static bool
list_has(struct nd_strv v, const char *token)
{
	size_t i = 0, n = strlen(token);

	while (i < v.n) {
		size_t s, e;

		while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t' ||
		    v.p[i] == ','))
			i++;
		s = i;
		while (i < v.n && v.p[i] != ',')
			i++;
		e = i;
		while (e > s && (v.p[e - 1] == ' ' || v.p[e - 1] == '\t'))
			e--;
		if (e - s == n && strncasecmp(v.p + s, token, n) == 0)
			return true;
	}
	return false;
}

static double
parse_seconds(struct nd_strv v)
{
	char buf[32], *end;
	double d;

	if (v.n == 0 || v.n >= sizeof(buf))
		return -1;
	memcpy(buf, v.p, v.n);
	buf[v.n] = '\0';
	errno = 0;
	d = strtod(buf, &end);
	if (errno != 0 || *end != '\0' || !(d > 0) || d > 86400)
		return -1;
	return d;
}

static int
parse_request_line(const char *p, const char *eol, struct nd_httpreq *r,
    char *err, size_t errlen)
{
	const char *sp1, *sp2, *t, *q;

	sp1 = memchr(p, ' ', (size_t)(eol - p));
	if (sp1 == NULL || sp1 == p) {
		snprintf(err, errlen, "malformed request line");
		return -EINVAL;
	}
	for (t = p; t < sp1; t++)
		if (!is_tchar((unsigned char)*t)) {
			snprintf(err, errlen, "malformed method");
			return -EINVAL;
		}
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (sp2 == NULL) {
		snprintf(err, errlen, "the request line has no HTTP version");
		return -EPROTO;
	}
	if ((size_t)(eol - sp2 - 1) != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    sp2[8] < '0' || sp2[8] > '9') {
		snprintf(err, errlen, "only HTTP/1.x is spoken here");
		return -EPROTO;
	}
	r->method.p = p;
	r->method.n = (size_t)(sp1 - p);
	r->minor = sp2[8] - '0';
	if (sp1[1] != '/') {
		snprintf(err, errlen, "the request target must be a path "
		    "(origin-form)");
		return -EINVAL;
	}
	for (t = sp1 + 1; t < sp2; t++)
		if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f) {
			snprintf(err, errlen, "a control character or space "
			    "in the request target");
			return -EINVAL;
		}
	r->path.p = sp1 + 1;
	q = memchr(r->path.p, '?', (size_t)(sp2 - r->path.p));
	t = memchr(r->path.p, '#', (size_t)(sp2 - r->path.p));
	if (t == NULL)
		t = sp2;
	if (q != NULL && q < t) {
		r->path.n = (size_t)(q - r->path.p);
		r->query.p = q + 1;
		r->query.n = (size_t)(t - q - 1);
	} else {
		r->path.n = (size_t)(t - r->path.p);
	}
	return 0;
}

int
nd_httpreq_parse(const char *buf, size_t len, struct nd_httpreq *ret,
    char *err, size_t errlen)
{
	struct nd_httpreq r;
	const char *p = buf, *end, *eol, *first_eol;
	struct nd_strv conn = { NULL, 0 };
	int rc;

	if (len > ND_HTTPREQ_MAX)
		len = ND_HTTPREQ_MAX;
	end = buf + len;
	/* RFC 9112 2.2: ignore at least one empty line before the request. */
	while (p < end && (*p == '\r' || *p == '\n') && p - buf < 4)
		p++;
	if ((first_eol = line_end(p, end)) == NULL) {
		if (len >= ND_HTTPREQ_MAX) {
			snprintf(err, errlen, "the request line is longer "
			    "than %d bytes", ND_HTTPREQ_MAX);
			return -E2BIG;
		}
		return 0;
	}
	/* The whole head first: a partial one is only "need more". */
	for (eol = first_eol;;) {
		const char *n = eol + 1;

		if (n < end && *n == '\n') {
			end = n + 1;
			break;
		}
		if (n + 1 < end && n[0] == '\r' && n[1] == '\n') {
			end = n + 2;
			break;
		}
		if ((eol = line_end(n, end)) == NULL) {
			if (len >= ND_HTTPREQ_MAX) {
				snprintf(err, errlen, "the request head is "
				    "longer than %d bytes", ND_HTTPREQ_MAX);
				return -E2BIG;
			}
			return 0;
		}
	}
	memset(&r, 0, sizeof(r));
	r.scrape_timeout = -1;
	r.head_len = (size_t)(end - buf);
	eol = first_eol;
	if ((rc = parse_request_line(p, eol > p && eol[-1] == '\r' ? eol - 1 :
	    eol, &r, err, errlen)) < 0)
		return rc;
	for (p = eol + 1; p < end; p = eol + 1) {
		const char *le, *colon, *v, *ve, *t;
		struct nd_strv name, val;

		eol = line_end(p, end);
		le = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		if (le == p)
			break;		/* the empty line */
		colon = memchr(p, ':', (size_t)(le - p));
		if (colon == NULL || colon == p) {
			snprintf(err, errlen, "a header line without a name");
			return -EINVAL;
		}
		for (t = p; t < colon; t++)
			if (!is_tchar((unsigned char)*t)) {
				/* RFC 9112 5.1: no space before the colon. */
				snprintf(err, errlen, "malformed header name");
				return -EINVAL;
			}
		for (v = colon + 1; v < le && (*v == ' ' || *v == '\t'); v++)
			;
		for (ve = le; ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--)
			;
		for (t = v; t < ve; t++)
			if ((unsigned char)*t < 0x20 && *t != '\t') {
				snprintf(err, errlen, "a control character in "
				    "a header value");
				return -EINVAL;
			}
		name.p = p;
		name.n = (size_t)(colon - p);
		val.p = v;
		val.n = (size_t)(ve - v);
		if (strv_ieq(name, "accept"))
			r.accept = val;
		else if (strv_ieq(name, "connection"))
			conn = val;
		else if (strv_ieq(name, "x-prometheus-scrape-timeout-seconds"))
			r.scrape_timeout = parse_seconds(val);
	}
	r.keep_alive = r.minor >= 1 ? !list_has(conn, "close") :
	    list_has(conn, "keep-alive");
	*ret = r;
	return 1;
}

/* Decodes s[0..n) into out; the length or a negative errno. */
static int
decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	if (outlen == 0)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int h, l;

			if (i + 2 >= n || (h = nd_hexval(s[i + 1])) < 0 ||
			    (l = nd_hexval(s[i + 2])) < 0)
				return -EINVAL;
			c = (char)(h * 16 + l);
			i += 2;
			if (c == '\0')
				return -EINVAL;
		}
		if (o + 1 >= outlen)
			return -E2BIG;
		out[o++] = c;
	}
	out[o] = '\0';
	return (int)o;
}

int
nd_httpreq_param(struct nd_strv q, const char *name, char *out,
    size_t outlen)
{
	size_t i = 0, nlen = strlen(name);

	while (i < q.n) {
		size_t s = i, eq, e;

		while (i < q.n && q.p[i] != '&')
			i++;
		e = i;
		i++;		/* past '&' */
		for (eq = s; eq < e && q.p[eq] != '='; eq++)
			;
		/* Parameter names here are plain words: compare raw. */
		if (eq - s != nlen || memcmp(q.p + s, name, nlen) != 0)
			continue;
		if (eq == e)
			return decode("", 0, out, outlen);
		return decode(q.p + eq + 1, e - eq - 1, out, outlen);
	}
	return -ENOENT;
}

bool
nd_httpreq_wants_openmetrics(struct nd_strv a)
{
	size_t i = 0;
	static const char om[] = "application/openmetrics-text";

	while (i < a.n) {
		size_t s, e, k;
		bool zero = false;

		while (i < a.n && (a.p[i] == ' ' || a.p[i] == ','))
			i++;
		s = i;
		while (i < a.n && a.p[i] != ',')
			i++;
		e = i;
		if (e - s < sizeof(om) - 1 ||
		    strncasecmp(a.p + s, om, sizeof(om) - 1) != 0)
			continue;
		/* A q of 0 means "not this one" (RFC 9110 12.4.2). */
		for (k = s; k + 2 < e; k++)
			if ((a.p[k] == ';' || a.p[k] == ' ') &&
			    strncasecmp(a.p + k + 1, "q=0", 3) == 0) {
				size_t j = k + 4;

				zero = true;
				if (j < e && a.p[j] == '.')
					for (j++; j < e && a.p[j] >= '0' &&
					    a.p[j] <= '9'; j++)
						if (a.p[j] != '0')
							zero = false;
			}
		if (!zero)
			return true;
	}
	return false;
}
