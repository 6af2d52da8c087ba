/*
 * probe_http.c - does http(s)://HOST/PATH answer as a browser would want?
 * One request with libcurl on the loop (clients/http.c), to the endpoint
 * the layers below tested (the resolved address, or nd-connect's), with
 * the URL's host as Host header and TLS server name, so that a Gateway's
 * listener and route see exactly what a browser would send.
 *
 * HTTP/1.1, or HTTP/2 when ALPN offers it.  Redirects are not followed: a
 * 3xx is an answer (200-399 are expected by default) and its Location is
 * evidence.  The answer is classified by core/wire/httpclass.c: the page,
 * another status, or a reply the proxy made up (no route, no healthy
 * upstream, upstream connect error).
 *
 * Bounds: 32 KiB of headers, the first 64 KiB of the body, one deadline.
 * Headers past the bound end the probe with http.protocol_error; a body
 * past the bound is judged on its first 64 KiB (a large page is no
 * fault); a peer that trickles or stalls meets the deadline
 * (http.timeout).  Nothing here grows past those bounds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "http.h"
#include "httpclass.h"
#include "probe.h"
#include "target.h"

/* libcurl's own timer runs past the deadline: expire() is the one path. */
#define HTTP_CURL_SLACK_MS	1000

struct http_ctx {
	CURL			*easy;
	struct curl_slist	*connect_to;
	struct nd_http_body	 body;
	char			*hdr;		/* the header block, bounded */
	size_t			 hlen;
	bool			 hdr_over;
	bool			 added;
	char			 errbuf[CURL_ERROR_SIZE];
	struct nd_h2_seen	 h2;	/* GOAWAY, RST_STREAM: no curl API */
};

static void
http_cancel(struct nd_probe *p)
{
	struct http_ctx *c = p->ctx;

	nd_http_easy_release(p, &c->easy, &c->added);
	curl_slist_free_all(c->connect_to);
	c->connect_to = NULL;
	nd_http_body_free(&c->body);
	free(c->hdr);
	c->hdr = NULL;
	c->hlen = 0;
}

/*
 * CURLOPT_HEADERFUNCTION: every header line of every response (1xx
 * included), kept up to ND_HTTP_HEADERS_MAX.  A peer that sends headers
 * for ever is cut there: returning less than n makes libcurl fail the
 * transfer (CURLOPT_HEADERFUNCTION(3)).
 */
static size_t
http_on_header(char *data, size_t size, size_t n, void *arg)
{
	struct http_ctx *c = arg;
	size_t len = size * n;
	char *b;

	if (c->hlen + len > ND_HTTP_HEADERS_MAX) {
		c->hdr_over = true;
		return 0;
	}
	if ((b = realloc(c->hdr, c->hlen + len + 1)) == NULL)
		return 0;
	c->hdr = b;
	memcpy(c->hdr + c->hlen, data, len);
	c->hlen += len;
	c->hdr[c->hlen] = '\0';
	return len;
}

/* "200-399" or "200,301-399": what the URL expects, for evidence. */
static void
http_expected(const struct nd_target *t, char *out, size_t len)
{
	size_t i, o = 0;

	if (t->x->nstatus == 0) {
		snprintf(out, len, "200-399");
		return;
	}
	out[0] = '\0';
	for (i = 0; i < t->x->nstatus && o + 16 < len; i++) {
		if (t->x->status[i].lo == t->x->status[i].hi)
			o += (size_t)snprintf(out + o, len - o, "%s%u",
			    i ? "," : "", t->x->status[i].lo);
		else
			o += (size_t)snprintf(out + o, len - o, "%s%u-%u",
			    i ? "," : "", t->x->status[i].lo,
			    t->x->status[i].hi);
	}
}

/* The evidence every http finding carries: who answered, and how. */
static void
http_evidence(struct nd_probe *p, struct nd_finding *f,
    const struct nd_http_headers *h, bool failing)
{
	struct http_ctx *c = p->ctx;
	curl_off_t ttfb = 0;
	char exp[ND_HTTP_STATUS_MAX * 8 + 8], snip[ND_HTTP_SNIPPET * 4 + 8];

	nd_evidence_add(f, "hostname", "%s", p->target->host);
	nd_evidence_add(f, "request", "%s", p->target->x->request);
	if (h->status > 0)
		nd_evidence_add(f, "status", "%ld", h->status);
	http_expected(p->target, exp, sizeof(exp));
	nd_evidence_add(f, "expected", "%s", exp);
	if (h->version[0] != '\0')
		nd_evidence_add(f, "http_version", "%s", h->version);
	if (h->server[0] != '\0')
		nd_evidence_add(f, "server", "%s", h->server);
	if (h->content_type[0] != '\0')
		nd_evidence_add(f, "content_type", "%s", h->content_type);
	if (h->location[0] != '\0')
		nd_evidence_add(f, "location", "%s", h->location);
	if (h->via[0] != '\0')
		nd_evidence_add(f, "via", "%s", h->via);
	if (h->envoy[0] != '\0')
		nd_evidence_add(f, "x_envoy", "%s", h->envoy);
	if (h->cf_ray[0] != '\0')
		nd_evidence_add(f, "cf_ray", "%s", h->cf_ray);
	if (h->status > 0 && c->easy != NULL &&
	    curl_easy_getinfo(c->easy, CURLINFO_STARTTRANSFER_TIME_T,
	    &ttfb) == CURLE_OK && ttfb > 0)
		nd_evidence_add(f, "ttfb_ms", "%.1f", (double)ttfb / 1000.0);
	if (h->content_length >= 0)
		nd_evidence_add(f, "content_length", "%lld", h->content_length);
	nd_evidence_add(f, "body_bytes", "%zu%s", c->body.len, c->body.over ?
	    " (netdoctor stopped reading at 64 KiB)" : "");
	if (failing && c->body.len > 0) {
		nd_http_escape(nd_http_body_str(&c->body), c->body.len,
		    ND_HTTP_SNIPPET, snip, sizeof(snip));
		nd_evidence_add(f, "body", "%s", snip);
	}
}

static void
http_protocol_error(struct nd_probe *p, const struct nd_http_headers *h,
    const char *why)
{
	struct http_ctx *c = p->ctx;
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_HTTP_PROTOCOL_ERROR, "%s does not answer "
	    "HTTP for %s: %s", p->ep->label, p->target->host, why);
	http_evidence(p, f, h, true);
	if (c->errbuf[0] != '\0')
		nd_evidence_add(f, "curl_error", "%s", c->errbuf);
	nd_probe_done(p, ND_FAIL);
}

static void
http_timeout(struct nd_probe *p, const struct nd_http_headers *h)
{
	struct http_ctx *c = p->ctx;
	struct nd_finding *f;

	if (h->status > 0)
		f = nd_finding_add(p, ND_F_HTTP_TIMEOUT, "%s answered %ld for "
		    "%s but the body did not end within %lld ms (%zu bytes "
		    "read)", p->ep->label, h->status, p->target->host,
		    (long long)p->run->timeout_ms, c->body.len);
	else
		f = nd_finding_add(p, ND_F_HTTP_TIMEOUT, "%s accepted the "
		    "request for %s but sent no status line within %lld ms",
		    p->ep->label, p->target->host,
		    (long long)p->run->timeout_ms);
	http_evidence(p, f, h, true);
	nd_evidence_add(f, "timeout_ms", "%lld", (long long)p->run->timeout_ms);
	nd_evidence_add(f, "header_bytes", "%zu", c->hlen);
	nd_probe_done(p, ND_FAIL);
}

/*
 * An ingress rule's origin that speaks TLS where the rule says http://,
 * known by the server's own answer to plain HTTP (nginx's and Go's).  The
 * reverse, https:// to a plain-HTTP port, is the tls probe's to see.
 */
static void
http_scheme_mismatch(struct nd_probe *p, const struct nd_http_headers *h,
    const char *why)
{
	const struct nd_target *t = p->target;
	const char *sock = nd_target_unix(t);
	struct nd_arena *a = p->run->arena;
	struct nd_finding *f;
	char *svc, *tls;

	svc = sock != NULL ? nd_arena_printf(a, "unix:%s", sock) :
	    nd_arena_printf(a, "http://%s:%u", t->host, t->port);
	tls = sock != NULL ? nd_arena_printf(a, "unix+tls:%s", sock) :
	    nd_arena_printf(a, "https://%s:%u", t->host, t->port);
	f = nd_finding_add(p, ND_F_CFTUNNEL_ORIGIN_SCHEME_MISMATCH, "the "
	    "ingress rule for %s (%s) names %s but that %s speaks TLS: "
	    "cloudflared gets no HTTP answer and the edge shows 502",
	    t->cf_hostname, t->cf_rule, svc, sock != NULL ? "socket" : "port");
	http_evidence(p, f, h, true);
	nd_evidence_add(f, "cf_hostname", "%s", t->cf_hostname);
	nd_evidence_add(f, "config", "%s", t->cf_rule);
	nd_evidence_add(f, "service", "%s", svc);
	nd_evidence_add(f, "suggest", "%s", tls);
	nd_evidence_add(f, "why", "%s", why);
	nd_probe_done(p, ND_FAIL);
}

/* An error Cloudflare's edge made itself (httpclass.h). */
static void
http_cloudflare(struct nd_probe *p, const struct nd_http_headers *h,
    enum nd_http_class hc)
{
	struct http_ctx *c = p->ctx;
	const struct nd_target *t = p->target;
	struct nd_finding *f;
	int code = nd_http_cf_code(nd_http_body_str(&c->body), c->body.len);
	char ray[32], colo[16];

	nd_http_cf_ray(h->cf_ray, ray, sizeof(ray), colo, sizeof(colo));
	switch (hc) {
	case ND_HC_CF_NOT_CONNECTED:
		f = nd_finding_add(p, ND_F_CFTUNNEL_NOT_CONNECTED, "Cloudflare's "
		    "edge answered %ld with error 1033 for %s: no cloudflared "
		    "is connected for %s", h->status, t->host,
		    t->cf_tunnel != NULL ? t->cf_tunnel : "its tunnel");
		break;
	case ND_HC_CF_ORIGIN_DNS:
		f = nd_finding_add(p, ND_F_CFTUNNEL_ORIGIN_DNS_ERROR, "Cloudflare's "
		    "edge answered %ld with error 1016 for %s: the hostname's "
		    "record points at a name Cloudflare cannot resolve (a "
		    "deleted tunnel?)", h->status, t->host);
		break;
	case ND_HC_CF_ORIGIN_UNREACHABLE:
		f = nd_finding_add(p, ND_F_CFTUNNEL_ORIGIN_UNREACHABLE,
		    "Cloudflare's edge answered 502 for %s: the tunnel is "
		    "connected but cloudflared cannot reach the origin service",
		    t->host);
		break;
	default:
		if (code != 0)
			f = nd_finding_add(p, ND_F_CFTUNNEL_EDGE_ERROR,
			    "Cloudflare's edge answered %ld with error %d for "
			    "%s (Ray ID %s)", h->status, code, t->host, ray);
		else
			f = nd_finding_add(p, ND_F_CFTUNNEL_EDGE_ERROR,
			    "Cloudflare's edge answered %ld for %s (Ray ID %s)",
			    h->status, t->host, ray);
		break;
	}
	http_evidence(p, f, h, true);
	nd_evidence_add(f, "error_code", "%d", code != 0 ? code :
	    (int)h->status);
	nd_evidence_add(f, "ray_id", "%s", ray);
	if (colo[0] != '\0')
		nd_evidence_add(f, "colo", "%s", colo);
	nd_evidence_add(f, "tunnel", "%s", t->cf_tunnel != NULL ?
	    t->cf_tunnel : "NAME");
	nd_probe_done(p, ND_FAIL);
}

/* A complete (or bounded) answer: what it means. */
static void
http_judge(struct nd_probe *p, const struct nd_http_headers *h)
{
	struct http_ctx *c = p->ctx;
	const struct nd_target *t = p->target;
	struct nd_finding *f;
	char why[160], exp[ND_HTTP_STATUS_MAX * 8 + 8];
	enum nd_http_class hc;
	bool expected = nd_target_status_ok(t, h->status);

	hc = nd_http_classify(h, expected, t->x->body,
	    nd_http_body_str(&c->body), c->body.len, why, sizeof(why));
	http_expected(t, exp, sizeof(exp));
	switch (hc) {
	case ND_HC_OK:
		f = nd_finding_add(p, ND_F_HTTP_OK, "%s answered %ld%s%s%s for "
		    "%s%s%s%s", p->ep->label, h->status,
		    h->server[0] ? " (server: " : "", h->server,
		    h->server[0] ? ")" : "", t->host, h->location[0] ?
		    ", redirecting to " : "", h->location, t->x->body != NULL ?
		    ", with the expected text" : "");
		http_evidence(p, f, h, false);
		nd_probe_done(p, ND_PASS);
		return;
	case ND_HC_BODY_MISMATCH:
		f = nd_finding_add(p, ND_F_HTTP_BODY_MISMATCH, "%s answered %ld "
		    "for %s, but the first %zu bytes of the page do not contain "
		    "'%s'", p->ep->label, h->status, t->host, c->body.len,
		    t->x->body);
		http_evidence(p, f, h, true);
		nd_evidence_add(f, "want", "%s", t->x->body);
		break;
	case ND_HC_ROUTE_NOT_FOUND:
		f = nd_finding_add(p, ND_F_HTTP_ROUTE_NOT_FOUND, "the proxy at "
		    "%s has no route for %s: it answered %ld itself (%s)",
		    p->ep->label, t->host, h->status, why);
		http_evidence(p, f, h, true);
		break;
	case ND_HC_NO_HEALTHY_UPSTREAM:
		f = nd_finding_add(p, ND_F_HTTP_NO_HEALTHY_UPSTREAM, "the proxy "
		    "at %s has a route for %s but answered %ld \"no healthy "
		    "upstream\": the route's Service has no ready endpoint",
		    p->ep->label, t->host, h->status);
		http_evidence(p, f, h, true);
		break;
	case ND_HC_UPSTREAM_CONNECT_ERROR:
		f = nd_finding_add(p, ND_F_HTTP_UPSTREAM_CONNECT_ERROR, "the "
		    "proxy at %s could not get an answer from the backend of "
		    "%s: %ld \"upstream connect error\", reset reason: %s",
		    p->ep->label, t->host, h->status, why);
		http_evidence(p, f, h, true);
		nd_evidence_add(f, "reset_reason", "%s", why);
		break;
	case ND_HC_PLAIN_HTTP_TO_TLS:
		if (t->cf_hostname != NULL) {
			http_scheme_mismatch(p, h, why);
			return;
		}
		http_protocol_error(p, h, "plain HTTP was sent to a TLS port "
		    "(use https://)");
		return;
	case ND_HC_CF_NOT_CONNECTED:
	case ND_HC_CF_ORIGIN_UNREACHABLE:
	case ND_HC_CF_ORIGIN_DNS:
	case ND_HC_CF_EDGE_ERROR:
		http_cloudflare(p, h, hc);
		return;
	case ND_HC_STATUS_MISMATCH:
	default:
		f = nd_finding_add(p, ND_F_HTTP_STATUS_MISMATCH, "%s answered "
		    "%ld%s%s%s for %s, expected %s", p->ep->label, h->status,
		    h->server[0] ? " (server: " : "", h->server,
		    h->server[0] ? ")" : "", t->host, exp);
		http_evidence(p, f, h, true);
		break;
	}
	nd_probe_done(p, ND_FAIL);
}

/* What libcurl's error means when no status line came. */
static const char *
http_no_status(CURLcode rc)
{
	switch (rc) {
	case CURLE_GOT_NOTHING:
		return "the connection was closed before any status line";
	case CURLE_RECV_ERROR:
		return "the connection was reset before any status line";
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_WEIRD_SERVER_REPLY:
		return "the answer is not HTTP (TLS on an http:// port, or "
		    "another protocol)";
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return "an HTTP/2 protocol error";
	case CURLE_SSL_CONNECT_ERROR:
		return "the TLS handshake for the request failed";
	case CURLE_COULDNT_CONNECT:
		return "the connection for the request failed";
	default:
		return curl_easy_strerror(rc);
	}
}

/*
 * What an HTTP/2 server did instead of answering, when libcurl's error
 * alone would hide it: GOAWAY or RST_STREAM with their codes, or a header
 * block that never ended (nghttp2 stops it after too many CONTINUATION
 * frames, before the 32 KiB bound here is reached).
 */
static bool
http_h2_why(const struct http_ctx *c, char *why, size_t len)
{
	if (c->h2.goaway >= 0)
		snprintf(why, len, "the server sent HTTP/2 GOAWAY (%s, error "
		    "code %ld; last stream %lu) instead of an answer",
		    nd_h2_error_name(c->h2.goaway), c->h2.goaway,
		    c->h2.goaway_last);
	else if (c->h2.rst >= 0)
		snprintf(why, len, "the server reset the request's HTTP/2 "
		    "stream (RST_STREAM %s, error code %ld) instead of an "
		    "answer", nd_h2_error_name(c->h2.rst), c->h2.rst);
	else if (strstr(c->errbuf, "CONTINUATION") != NULL)
		snprintf(why, len, "the HTTP/2 header block did not end: "
		    "too many CONTINUATION frames (nghttp2's limit), netdoctor "
		    "stopped reading");
	else
		return false;
	return true;
}

static void
http_done(void *arg, CURLcode rc)
{
	struct nd_probe *p = arg;
	struct http_ctx *c = p->ctx;
	struct nd_http_headers h;
	char why[200];

	if (p->status != ND_RUNNING)
		return;
	nd_http_headers_parse(c->hdr != NULL ? c->hdr : "", c->hlen, &h);
	if (c->hdr_over) {
		http_protocol_error(p, &h, "more than 32 KiB of headers; "
		    "netdoctor stopped reading");
		return;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		http_timeout(p, &h);
		return;
	}
	/* Over the body bound is an answer, judged on its first 64 KiB. */
	if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && c->body.over) ||
	    (h.status > 0 && rc == CURLE_PARTIAL_FILE)) {
		if (h.status == 0) {
			http_protocol_error(p, &h, "no status line");
			return;
		}
		http_judge(p, &h);
		return;
	}
	if (h.status > 0) {
		/* The status came, then the connection broke: say both. */
		snprintf(why, sizeof(why), "it answered %ld, then the transfer "
		    "failed: %s", h.status, curl_easy_strerror(rc));
		http_protocol_error(p, &h, why);
		return;
	}
	http_protocol_error(p, &h, http_h2_why(c, why, sizeof(why)) ?
	    why : http_no_status(rc));
}

static int
http_start(struct nd_probe *p)
{
	struct http_ctx *c = p->ctx;
	const struct nd_endpoint *ep = p->ep;
	bool v6 = ep->addr.sa.sa_family == AF_INET6;
	uint64_t now = nd_loop_now(p->run->loop), dl = nd_probe_deadline(p);
	long left_ms = dl > now ? (long)((dl - now) / 1000) : 1;
	struct nd_http *hc = nd_http_get(p->run);
	const char *sock = nd_target_unix(p->target);
	char to[INET6_ADDRSTRLEN + 16];
	int rc;

	nd_http_body_init(&c->body, ND_HTTP_BODY_MAX);
	if (hc == NULL || (c->easy = curl_easy_init()) == NULL)
		return -ENOMEM;
	/*
	 * CURLOPT_CONNECT_TO(3) "::ADDR:PORT": connect to the endpoint the
	 * layers below tested whatever the URL's host and port, while the
	 * Host header and the TLS server name stay the URL's.  http+unix://
	 * connects to the socket the unix probe tested instead
	 * (CURLOPT_UNIX_SOCKET_PATH(3)), as cloudflared's unix: origins do.
	 */
	if (sock != NULL)
		curl_easy_setopt(c->easy, CURLOPT_UNIX_SOCKET_PATH, sock);
	else {
		snprintf(to, sizeof(to), "::%s%s%s:%u", v6 ? "[" : "",
		    ep->addrstr, v6 ? "]" : "", p->target->port);
		if ((c->connect_to = curl_slist_append(NULL, to)) == NULL)
			return -ENOMEM;
		curl_easy_setopt(c->easy, CURLOPT_CONNECT_TO, c->connect_to);
	}
	curl_easy_setopt(c->easy, CURLOPT_URL, p->target->x->request);
	curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS,
	    left_ms + HTTP_CURL_SLACK_MS);
	curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->easy, CURLOPT_USERAGENT, "netdoctor/" ND_VERSION);
	curl_easy_setopt(c->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->easy, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c->easy, CURLOPT_FORBID_REUSE, 1L);
	/*
	 * The tls probe below judged the certificate (against nd-ca or the
	 * system store, for the URL's host); when it failed, this probe never
	 * starts.  Verifying again would only repeat that verdict.
	 */
	curl_easy_setopt(c->easy, CURLOPT_SSL_VERIFYPEER, 0L);
	curl_easy_setopt(c->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	nd_h2_watch(c->easy, strncmp(p->target->x->request, "https://", 8) ==
	    0, &c->h2);
	curl_easy_setopt(c->easy, CURLOPT_HEADERFUNCTION, http_on_header);
	curl_easy_setopt(c->easy, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, nd_http_body_write);
	curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &c->body);
	if ((rc = nd_http_add(hc, c->easy, http_done, p)) < 0)
		return rc;
	c->added = true;
	return 0;
}

static void
http_expire(struct nd_probe *p)
{
	struct http_ctx *c = p->ctx;
	struct nd_http_headers h;

	nd_http_headers_parse(c->hdr != NULL ? c->hdr : "", c->hlen, &h);
	http_timeout(p, &h);
}

const struct nd_probe_ops nd_probe_http = {
	.name = "http",
	.layer = ND_L_APP,
	.ctx_size = sizeof(struct http_ctx),
	.start = http_start,
	.expire = http_expire,
	.cancel = http_cancel,
};
