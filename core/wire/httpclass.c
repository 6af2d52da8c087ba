/*
 * httpclass.c - an HTTP answer's header block and first body bytes to a
 * verdict (httpclass.h).
 *
 * Envoy's local replies are what a Gateway API implementation built on it
 * (Envoy Gateway, Cilium, Istio, Contour) answers when it cannot forward
 * the request; their texts come from Envoy's router
 * (source/common/router/router.cc, "no healthy upstream" and "upstream
 * connect error or disconnect/reset before headers. ..." with
 * content-type text/plain) and its route-not-found reply (404, empty
 * body, no x-envoy-upstream-service-time since nothing upstream ran).
 * A header the proxy adds to everything it forwards
 * (x-envoy-upstream-service-time) is what tells a forwarded 404 apart.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "httpclass.h"

/* Copies [s, s + n) into out (NUL-ended, cut), control bytes as '?'. */
static void
hc_copy(char *out, size_t outlen, const char *s, size_t n)
{
	size_t i;

	if (outlen == 0)
		return;
	if (n >= outlen)
		n = outlen - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[n] = '\0';
}

/* Appends "sep" and [s, s + n) to the NUL-ended out, cut to outlen. */
static void
hc_append(char *out, size_t outlen, const char *sep, const char *s, size_t n)
{
	size_t o = strnlen(out, outlen), k = strlen(sep);

	if (o + 1 >= outlen)
		return;
	if (o > 0) {
		if (k > outlen - o - 1)
			k = outlen - o - 1;
		memcpy(out + o, sep, k);
		o += k;
	}
	hc_copy(out + o, outlen - o, s, n);
}

static void
hc_say(char *why, size_t whylen, const char *text)
{
	hc_copy(why, whylen, text, strlen(text));
}

static bool
hc_name_is(const char *name, size_t n, const char *want)
{
	return strlen(want) == n && strncasecmp(name, want, n) == 0;
}

/* "HTTP/1.1 200 OK", "HTTP/2 404": the version and the status. */
static void
hc_status_line(const char *s, size_t n, struct nd_http_headers *h)
{
	size_t sp = 0, i;
	long st = 0;

	while (sp < n && s[sp] != ' ')
		sp++;
	hc_copy(h->version, sizeof(h->version), s, sp);
	/* RFC 9112 4: status-code = 3DIGIT after one space. */
	if (sp + 4 > n || (sp + 4 < n && s[sp + 4] != ' '))
		return;
	for (i = sp + 1; i < sp + 4; i++) {
		if (s[i] < '0' || s[i] > '9')
			return;
		st = st * 10 + (s[i] - '0');
	}
	h->status = st;
}

static long long
hc_length(const char *s, size_t n)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > 18)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static void
hc_header(const char *s, size_t n, struct nd_http_headers *h)
{
	const char *colon = memchr(s, ':', n), *v;
	size_t nlen, vlen;

	if (colon == NULL)
		return;
	nlen = (size_t)(colon - s);
	v = colon + 1;
	vlen = n - nlen - 1;
	/* RFC 9110 5.5: optional whitespace around the value. */
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	h->nheaders++;
	if (hc_name_is(s, nlen, "server"))
		hc_copy(h->server, sizeof(h->server), v, vlen);
	else if (hc_name_is(s, nlen, "content-type"))
		hc_copy(h->content_type, sizeof(h->content_type), v, vlen);
	else if (hc_name_is(s, nlen, "location"))
		hc_copy(h->location, sizeof(h->location), v, vlen);
	else if (hc_name_is(s, nlen, "via"))
		hc_append(h->via, sizeof(h->via), ", ", v, vlen);
	else if (hc_name_is(s, nlen, "cf-ray"))
		hc_copy(h->cf_ray, sizeof(h->cf_ray), v, vlen);
	else if (hc_name_is(s, nlen, "content-length"))
		h->content_length = hc_length(v, vlen);
	else if (nlen > 8 && strncasecmp(s, "x-envoy-", 8) == 0) {
		if (hc_name_is(s, nlen, "x-envoy-upstream-service-time"))
			h->envoy_upstream = true;
		hc_append(h->envoy, sizeof(h->envoy), "; ", s, n);
	}
}

void
nd_http_headers_parse(const char *buf, size_t len,
    struct nd_http_headers *h)
{
	size_t i = 0, n;

	memset(h, 0, sizeof(*h));
	h->content_length = -1;
	if (len > ND_HTTP_HEADERS_MAX)
		len = ND_HTTP_HEADERS_MAX;
	while (i < len) {
		const char *s = buf + i, *nl = memchr(s, '\n', len - i);

		n = nl != NULL ? (size_t)(nl - s) : len - i;
		i += n + (nl != NULL);
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (n >= 5 && memcmp(s, "HTTP/", 5) == 0) {
			/* A new response (after a 1xx): only the last counts. */
			memset(h, 0, sizeof(*h));
			h->content_length = -1;
			hc_status_line(s, n, h);
			continue;
		}
		hc_header(s, n, h);
	}
}

static const char *
hc_find(const char *body, size_t len, const char *what)
{
	size_t n = strlen(what);

	if (body == NULL || n == 0 || n > len)
		return NULL;
	return memmem(body, len, what, n);
}

/*
 * Envoy: "... before headers. reset reason: connection failure" or "...
 * retried and the latest reset reason: remote connection failure,
 * transport failure reason: delayed connect error: 111": the text from
 * "reset reason" to the end of the line.
 */
static void
hc_reset_reason(const char *body, size_t len, char *why, size_t whylen)
{
	const char *r = hc_find(body, len, "reset reason: ");
	size_t n;

	if (r == NULL) {
		hc_say(why, whylen, "no reset reason given");
		return;
	}
	r += strlen("reset reason: ");
	for (n = 0; r + n < body + len && r[n] != '\n' && r[n] != '\r'; n++)
		continue;
	hc_copy(why, whylen, r, n);
}

static bool
hc_has(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

bool
nd_http_cf_edge(const struct nd_http_headers *h)
{
	return strcasecmp(h->server, "cloudflare") == 0 && h->cf_ray[0] != '\0';
}

static bool
hc_digit(char c)
{
	return c >= '0' && c <= '9';
}

int
nd_http_cf_code(const char *b, size_t len)
{
	size_t i, j, k, n;
	int v;

	if (b == NULL)
		return 0;
	if (len > ND_HTTP_BODY_MAX)
		len = ND_HTTP_BODY_MAX;
	/*
	 * "error", an optional "_code", " code" or "-code", at most four of
	 * ` :"'=>-`, then the number: three digits (5xx) or four (1xxx), and
	 * no digit after them.
	 */
	for (i = 0; i + 5 < len; i++) {
		if (strncasecmp(b + i, "error", 5) != 0)
			continue;
		j = i + 5;
		if (j + 5 <= len && (b[j] == '_' || b[j] == ' ' ||
		    b[j] == '-') && strncasecmp(b + j + 1, "code", 4) == 0)
			j += 5;
		for (k = 0; j < len && k < 4 && b[j] != '\0' &&
		    strchr(" :\"'=>-", b[j]) != NULL; k++)
			j++;
		for (n = 0, v = 0; j < len && n < 5 && hc_digit(b[j]); n++, j++)
			v = v * 10 + (b[j] - '0');
		if (j < len && hc_digit(b[j]))
			continue;
		if ((n == 4 && v >= 1000 && v <= 1999) ||
		    (n == 3 && v >= 500 && v <= 599))
			return v;
	}
	return 0;
}

void
nd_http_cf_ray(const char *ray, char *id, size_t idlen, char *colo,
    size_t colen)
{
	const char *dash = strchr(ray, '-');
	size_t n = dash != NULL ? (size_t)(dash - ray) : strlen(ray);

	hc_copy(id, idlen, ray, n);
	if (dash != NULL)
		hc_copy(colo, colen, dash + 1, strlen(dash + 1));
	else if (colen > 0)
		colo[0] = '\0';
}

/* The edge's own answers; ND_HC_OK when the answer is not the edge's. */
static enum nd_http_class
hc_cloudflare(const struct nd_http_headers *h, const char *body, size_t len,
    char *why, size_t whylen)
{
	int code = nd_http_cf_code(body, len);
	char text[96];

	if (!nd_http_cf_edge(h))
		return ND_HC_OK;
	if (code != 0)
		snprintf(text, sizeof(text), "error code %d from Cloudflare's "
		    "edge", code);
	else
		snprintf(text, sizeof(text), "status %ld from Cloudflare's "
		    "edge", h->status);
	if (h->status == 530 && code == 1033) {
		hc_say(why, whylen, text);
		return ND_HC_CF_NOT_CONNECTED;
	}
	if (h->status == 530 && code == 1016) {
		hc_say(why, whylen, text);
		return ND_HC_CF_ORIGIN_DNS;
	}
	if (h->status == 502) {
		hc_say(why, whylen, text);
		return ND_HC_CF_ORIGIN_UNREACHABLE;
	}
	/* 520-527 and 530 are statuses only the edge sends. */
	if (code != 0 || (h->status >= 520 && h->status <= 527) ||
	    h->status == 530) {
		hc_say(why, whylen, text);
		return ND_HC_CF_EDGE_ERROR;
	}
	return ND_HC_OK;
}

enum nd_http_class
nd_http_classify(const struct nd_http_headers *h, bool expected,
    const char *want, const char *body, size_t len, char *why, size_t whylen)
{
	const char *w;
	bool envoy = hc_has(h->server, "envoy");

	if (whylen > 0)
		why[0] = '\0';
	if (len > ND_HTTP_BODY_MAX)
		len = ND_HTTP_BODY_MAX;
	/* nginx's answer to plain HTTP on a TLS port (ngx_http_special_response.c). */
	if (h->status == 400 && hc_find(body, len, "The plain HTTP request "
	    "was sent to HTTPS port") != NULL) {
		hc_say(why, whylen, "the server says: the plain HTTP request "
		    "was sent to HTTPS port");
		return ND_HC_PLAIN_HTTP_TO_TLS;
	}
	/* Go's net/http server (its answer to plain HTTP on a TLS port). */
	if (h->status == 400 && hc_find(body, len, "Client sent an HTTP "
	    "request to an HTTPS server") != NULL) {
		hc_say(why, whylen, "the server says: client sent an HTTP "
		    "request to an HTTPS server");
		return ND_HC_PLAIN_HTTP_TO_TLS;
	}
	if (expected) {
		if (want != NULL && want[0] != '\0' &&
		    hc_find(body, len, want) == NULL) {
			hc_say(why, whylen, "the expected text is not in the "
			    "body");
			return ND_HC_BODY_MISMATCH;
		}
		return ND_HC_OK;
	}
	{
		enum nd_http_class cf = hc_cloudflare(h, body, len, why,
		    whylen);

		if (cf != ND_HC_OK)
			return cf;
	}
	if (h->status == 503 && hc_find(body, len, "no healthy upstream")) {
		hc_say(why, whylen, "no healthy upstream");
		return ND_HC_NO_HEALTHY_UPSTREAM;
	}
	if ((h->status == 502 || h->status == 503 || h->status == 504) &&
	    (w = hc_find(body, len, "upstream connect error or "
	    "disconnect/reset before headers")) != NULL) {
		hc_reset_reason(w, len - (size_t)(w - body), why, whylen);
		return ND_HC_UPSTREAM_CONNECT_ERROR;
	}
	if (h->status == 404) {
		if (envoy && !h->envoy_upstream) {
			hc_say(why, whylen, "server: envoy and no "
			    "x-envoy-upstream-service-time: the proxy "
			    "forwarded nothing");
			return ND_HC_ROUTE_NOT_FOUND;
		}
		/* ingress-nginx's default backend (its 404 page text). */
		if (hc_find(body, len, "default backend - 404") != NULL) {
			hc_say(why, whylen, "the ingress controller's default "
			    "backend answered");
			return ND_HC_ROUTE_NOT_FOUND;
		}
		if (len == 0 && h->content_length <= 0 && !h->envoy_upstream &&
		    (envoy || strncasecmp(h->server, "nginx", 5) == 0)) {
			hc_say(why, whylen, "an empty 404 from the proxy");
			return ND_HC_ROUTE_NOT_FOUND;
		}
	}
	return ND_HC_STATUS_MISMATCH;
}

const char *
nd_http_class_name(enum nd_http_class c)
{
	switch (c) {
	case ND_HC_OK:
		return "ok";
	case ND_HC_STATUS_MISMATCH:
		return "status_mismatch";
	case ND_HC_BODY_MISMATCH:
		return "body_mismatch";
	case ND_HC_ROUTE_NOT_FOUND:
		return "route_not_found";
	case ND_HC_NO_HEALTHY_UPSTREAM:
		return "no_healthy_upstream";
	case ND_HC_UPSTREAM_CONNECT_ERROR:
		return "upstream_connect_error";
	case ND_HC_PLAIN_HTTP_TO_TLS:
		return "protocol_error";
	case ND_HC_CF_NOT_CONNECTED:
		return "cftunnel.not_connected";
	case ND_HC_CF_ORIGIN_UNREACHABLE:
		return "cftunnel.origin_unreachable";
	case ND_HC_CF_ORIGIN_DNS:
		return "cftunnel.origin_dns_error";
	case ND_HC_CF_EDGE_ERROR:
		return "cftunnel.edge_error";
	}
	return "?";
}

void
nd_http_escape(const char *s, size_t len, size_t max, char *out,
    size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0, n = len < max ? len : max;

	if (outlen == 0)
		return;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[5];
		size_t k = 0;

		if (c == '\r' || c == '\n' || c == '\t' || c == '\\') {
			e[k++] = '\\';
			e[k++] = c == '\r' ? 'r' : c == '\n' ? 'n' :
			    c == '\t' ? 't' : '\\';
		} else if (c < 0x20 || c >= 0x7f) {
			e[k++] = '\\';
			e[k++] = 'x';
			e[k++] = hex[c >> 4];
			e[k++] = hex[c & 15];
		} else
			e[k++] = (char)c;
		if (o + k + 1 > outlen)
			break;
		memcpy(out + o, e, k);
		o += k;
	}
	if (i < len && o + 4 <= outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}
