/*
 * probe_talos.c - what the Talos API on talos://HOST[:PORT] really is:
 * one unary gRPC call, /machine.MachineService/Version, over HTTP/2 with
 * libcurl on the loop (docs/library-notes.md 2; docs/talos.md 1-3).
 *
 *   maintenance, Talos <= 1.12  Version -> grpc-status 12 Unimplemented
 *                               "API is not implemented in maintenance mode"
 *   maintenance, Talos >= 1.13  Version -> OK, VersionResponse without the
 *                               features field (4)
 *   configured                  mutual TLS; Version -> OK with features
 *   wrong client certificate    TLS alert (unknown_ca, certificate_expired,
 *                               certificate_required) or EOF after the
 *                               handshake; or PermissionDenied without a role
 *   not Talos                   no h2, no gRPC, an HTTP error, no protobuf
 *
 * The request is the 5-byte gRPC frame of an empty google.protobuf.Empty.
 * The answer is read into a bounded buffer; a frame that announces more
 * than that is reported, not allocated.  gRPC core may reset the stream
 * before curl sent the request body (docs/library-notes.md 2.3: CURLE_HTTP2_STREAM);
 * that is retried once.  On port 50000 of a configured node, a TCP connect
 * to 50001 (trustd, control planes only; docs/talos.md 2) tells a control
 * plane from a worker.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "arena.h"
#include "creds.h"
#include "http.h"
#include "probe.h"
#include "sock.h"
#include "talos_pb.h"
#include "target.h"
#include "tlsalert.h"
#include "util.h"

#define TALOS_MAX_ANSWER	(16 * 1024)	/* a VersionResponse is ~200 B */
#define TALOS_TRUSTD_PORT	50001
#define TALOS_APID_PORT		50000
#define TALOS_TRUSTD_WAIT_US	1000000u

struct talos_ctx {
	struct nd_http_conn	 conn;
	struct nd_http_body	 body;
	/* A gRPC message header announced more than the body may hold. */
	bool			 announced_over;
	char			 grpc_status[8];	/* "" = none seen */
	char			 grpc_message[256];
	char			 content_type[64];
	int			 tries;
	struct nd_h2_seen	 h2;		/* a GOAWAY instead of an answer */
	/* the trustd check */
	int			 fd;
	struct nd_timer		 tmr;
	struct nd_finding	*configured;
};

static const struct nd_pem *
talos_pem(const struct nd_probe *p, int which)
{
	const struct nd_creds_set *cs = p->run->creds;

	if (cs == NULL || cs->talos == NULL)
		return NULL;
	return which == 0 ? &cs->talos->crt : &cs->talos->key;
}

static void
talos_cancel(struct nd_probe *p)
{
	struct talos_ctx *c = p->ctx;

	nd_http_conn_free(&c->conn, p);
	nd_timer_disarm(p->run->loop, &c->tmr);
	nd_sock_close(p->run->loop, c->fd, 1);
	c->fd = -1;
	nd_http_body_free(&c->body);
}

static size_t
talos_on_body(char *data, size_t size, size_t n, void *arg)
{
	struct talos_ctx *c = arg;
	const uint8_t *b;
	size_t rc = nd_http_body_write(data, size, n, &c->body);

	/* Past the bound the body has stopped the transfer itself. */
	if (rc != size * n)
		return rc;
	/*
	 * A message header announcing more than we accept ends the transfer
	 * now (curl: CURLE_WRITE_ERROR) instead of waiting for gigabytes.
	 */
	b = (const uint8_t *)c->body.buf;
	if (c->body.len >= 5 && ((uint32_t)b[1] << 24 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 8 | b[4]) > TALOS_MAX_ANSWER - 5) {
		c->announced_over = true;
		return 0;
	}
	return rc;
}

/* grpc-message is percent-encoded (gRPC PROTOCOL-HTTP2.md). */
static void
talos_pct_decode(char *dst, size_t dlen, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < dlen; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < n && (hi = nd_hexval(s[i + 1])) >= 0 &&
		    (lo = nd_hexval(s[i + 2])) >= 0) {
			int v = hi << 4 | lo;

			dst[o++] = v >= 0x20 && v < 0x7f ? (char)v : '?';
			i += 2;
		} else {
			dst[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
		}
	}
	dst[o] = '\0';
}

/*
 * Every header line, trailers included: a trailers-only answer is one
 * HEADERS frame, and real trailers arrive after the blank line
 * (docs/library-notes.md 2.1, 2.2).
 */
static size_t
talos_on_header(char *line, size_t size, size_t n, void *arg)
{
	struct talos_ctx *c = arg;
	size_t len = size * n, vlen;
	const char *v;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	if ((v = memchr(line, ':', len)) == NULL)
		return size * n;
	vlen = len - (size_t)(v - line) - 1;
	for (v++; vlen > 0 && *v == ' '; v++, vlen--)
		;
	if (len >= 12 && strncasecmp(line, "grpc-status:", 12) == 0)
		talos_pct_decode(c->grpc_status, sizeof(c->grpc_status), v,
		    vlen);
	else if (len >= 13 && strncasecmp(line, "grpc-message:", 13) == 0)
		talos_pct_decode(c->grpc_message, sizeof(c->grpc_message), v,
		    vlen);
	else if (len >= 13 && strncasecmp(line, "content-type:", 13) == 0)
		talos_pct_decode(c->content_type, sizeof(c->content_type), v,
		    vlen);
	return size * n;
}

static void talos_done(void *, CURLcode);

static int
talos_request(struct nd_probe *p)
{
	static const char empty_frame[5] = { 0, 0, 0, 0, 0 };
	struct talos_ctx *c = p->ctx;
	struct curl_slist *h = NULL;
	int rc;

	nd_http_conn_free(&c->conn, p);
	nd_http_body_free(&c->body);
	nd_http_body_init(&c->body, TALOS_MAX_ANSWER);
	c->announced_over = false;
	c->grpc_status[0] = c->grpc_message[0] = c->content_type[0] = '\0';
	rc = nd_http_conn_init(&c->conn, p, "/machine.MachineService/Version",
	    talos_pem(p, 0), talos_pem(p, 1));
	if (rc < 0)
		return rc;
	h = curl_slist_append(h, "content-type: application/grpc");
	h = curl_slist_append(h, "te: trailers");
	h = curl_slist_append(h, "Expect:");
	h = curl_slist_append(h, "Accept:");
	if (h == NULL)
		return -ENOMEM;
	c->conn.headers = h;
	curl_easy_setopt(c->conn.easy, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c->conn.easy, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c->conn.easy, CURLOPT_POSTFIELDS, empty_frame);
	curl_easy_setopt(c->conn.easy, CURLOPT_POSTFIELDSIZE, 5L);
	curl_easy_setopt(c->conn.easy, CURLOPT_WRITEFUNCTION, talos_on_body);
	curl_easy_setopt(c->conn.easy, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->conn.easy, CURLOPT_HEADERFUNCTION, talos_on_header);
	curl_easy_setopt(c->conn.easy, CURLOPT_HEADERDATA, c);
	nd_h2_watch(c->conn.easy, true, &c->h2);	/* gRPC over TLS */
	c->tries++;
	return nd_http_conn_start(&c->conn, p, talos_done, p);
}

static void
talos_not_api(struct nd_probe *p, const char *why)
{
	struct talos_ctx *c = p->ctx;
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_TALOS_NOT_TALOS_API,
	    "%s is not a Talos API: %s", p->ep->label, why);
	if (c->content_type[0] != '\0')
		nd_evidence_add(f, "content_type", "%s", c->content_type);
	if (c->grpc_status[0] != '\0')
		nd_evidence_add(f, "grpc_status", "%s", c->grpc_status);
	if (c->grpc_message[0] != '\0')
		nd_evidence_add(f, "grpc_message", "%s", c->grpc_message);
	if (c->conn.errbuf[0] != '\0')
		nd_evidence_add(f, "curl_error", "%s", c->conn.errbuf);
	nd_probe_done(p, ND_FAIL);
}

static void
talos_maintenance(struct nd_probe *p, const char *how,
    const struct nd_talos_version *v)
{
	struct talos_ctx *c = p->ctx;
	const struct nd_tls_facts *tf = p->ep->facts.tls;
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_TALOS_MAINTENANCE_MODE,
	    "the Talos node at %s is in maintenance mode: no machine config "
	    "applied (%s)", p->ep->label, how);
	if (c->grpc_status[0] != '\0')
		nd_evidence_add(f, "grpc_status", "%s", c->grpc_status);
	if (c->grpc_message[0] != '\0')
		nd_evidence_add(f, "grpc_message", "%s", c->grpc_message);
	if (v != NULL && v->tag[0] != '\0')
		nd_evidence_add(f, "talos_version", "%s", v->tag);
	if (v != NULL)
		nd_evidence_add(f, "features", "absent");
	if (tf != NULL) {
		nd_evidence_add(f, "cert_cn", "%s", tf->cn);
		nd_evidence_add(f, "cert_issuer", "%s", tf->issuer_empty ?
		    "(empty: the node's own maintenance CA)" : "not empty");
		nd_evidence_add(f, "client_cert_requested", "%s",
		    tf->certreq ? "yes" : "no");
	}
	nd_probe_done(p, ND_FAIL);
}

/* The talosconfig's own certificate, to say when it expired. */
static void
talos_own_cert(struct nd_probe *p, struct nd_finding *f)
{
	const struct nd_pem *crt = talos_pem(p, 0);
	char na[32];
	struct tm tm;
	BIO *b;
	X509 *x = NULL;

	if (crt == NULL || crt->len == 0)
		return;
	if ((b = BIO_new_mem_buf(crt->data, (int)crt->len)) != NULL) {
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
		BIO_free(b);
	}
	if (x == NULL)
		return;
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1) {
		strftime(na, sizeof(na), "%Y-%m-%dT%H:%M:%SZ", &tm);
		nd_evidence_add(f, "client_cert_not_after", "%s", na);
		if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0)
			nd_evidence_add(f, "client_cert_expired", "yes");
	}
	X509_free(x);
}

static void
talos_rejected(struct nd_probe *p, const char *why)
{
	struct talos_ctx *c = p->ctx;
	const struct nd_creds_set *cs = p->run->creds;
	const char *hint = c->conn.tls.alert >= 0 ?
	    nd_tls_alert_hint(c->conn.tls.alert) : NULL;
	struct nd_finding *f;
	const char *expired;

	f = nd_finding_add(p, ND_F_TALOS_CLIENT_CERT_REJECTED,
	    "the Talos API at %s rejected the talosconfig's client "
	    "certificate", p->ep->label);
	if (c->conn.tls.alert >= 0)
		nd_evidence_add(f, "alert", "%d %s", c->conn.tls.alert,
		    nd_tls_alert_name(c->conn.tls.alert));
	if (c->grpc_status[0] != '\0')
		nd_evidence_add(f, "grpc_status", "%s", c->grpc_status);
	if (c->grpc_message[0] != '\0')
		nd_evidence_add(f, "grpc_message", "%s", c->grpc_message);
	if (cs != NULL && cs->talos != NULL) {
		nd_evidence_add(f, "talosconfig", "%s", cs->talos->path);
		nd_evidence_add(f, "context", "%s", cs->talos->context);
	}
	if (p->ep->facts.tls != NULL && p->ep->facts.tls->ca_names[0])
		nd_evidence_add(f, "server_accepts_cas", "%s",
		    p->ep->facts.tls->ca_names);
	talos_own_cert(p, f);
	if (c->conn.errbuf[0] != '\0')
		nd_evidence_add(f, "curl_error", "%s", c->conn.errbuf);
	/* Say the most specific reason we have. */
	expired = nd_evidence_get(f, "client_cert_expired") != NULL ?
	    nd_evidence_get(f, "client_cert_not_after") : NULL;
	if (hint != NULL)
		why = hint;
	else if (expired != NULL)
		why = nd_arena_printf(p->run->arena, "it expired on %s",
		    expired);
	else if (c->grpc_status[0] == '\0')
		why = "the server closed the connection right after the TLS "
		    "handshake, without an alert: it is not signed by this "
		    "cluster's Talos CA, or not valid";
	f->summary = nd_arena_printf(p->run->arena, "%s: %s", f->summary, why);
	nd_probe_done(p, ND_FAIL);
}

static void
talos_trustd_verdict(struct nd_probe *p, const char *role)
{
	struct talos_ctx *c = p->ctx;

	nd_evidence_add(c->configured, "role", "%s", role);
	nd_probe_done(p, ND_PASS);
}

static void
talos_on_trustd(struct nd_loop *l, int fd, unsigned ev, void *arg)
{
	struct nd_probe *p = arg;
	int err = nd_sock_error(fd);

	(void)l;
	(void)ev;
	talos_trustd_verdict(p, err == 0 ? "control plane (trustd listens on "
	    "50001)" : err == ECONNREFUSED ? "worker (nothing listens on "
	    "50001)" : "unknown (50001 did not answer)");
}

static void
talos_on_trustd_timeout(struct nd_loop *l, void *arg)
{
	(void)l;
	talos_trustd_verdict(arg, "unknown (50001 did not answer in time)");
}

/* Connect to trustd on the same address; only meaningful on 50000. */
static void
talos_check_trustd(struct nd_probe *p)
{
	struct talos_ctx *c = p->ctx;
	struct nd_endpoint ep = *p->ep;
	uint64_t now = nd_loop_now(p->run->loop), until;
	int rc;

	if (p->target->port != TALOS_APID_PORT) {
		talos_trustd_verdict(p, "unknown (the API port is mapped, so "
		    "50001 says nothing)");
		return;
	}
	if (ep.addr.sa.sa_family == AF_INET6)
		ep.addr.sin6.sin6_port = htons(TALOS_TRUSTD_PORT);
	else
		ep.addr.sin.sin_port = htons(TALOS_TRUSTD_PORT);
	rc = nd_sock_connect(&ep, &c->fd);
	if (rc != 1) {
		talos_trustd_verdict(p, rc == 0 ? "control plane (trustd "
		    "listens on 50001)" : rc == -ECONNREFUSED ? "worker "
		    "(nothing listens on 50001)" : "unknown");
		return;
	}
	until = now + TALOS_TRUSTD_WAIT_US;
	if (until > nd_probe_deadline(p))
		until = nd_probe_deadline(p);
	nd_timer_arm(p->run->loop, &c->tmr, until);
	if (nd_loop_fd_set(p->run->loop, c->fd, ND_EV_WRITE, talos_on_trustd,
	    p) < 0)
		talos_trustd_verdict(p, "unknown");
}

static void
talos_configured(struct nd_probe *p, const struct nd_talos_version *v)
{
	struct talos_ctx *c = p->ctx;
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_TALOS_CONFIGURED,
	    "the Talos node at %s is configured: Talos %s (%s/%s, platform %s)",
	    p->ep->label, v->tag[0] ? v->tag : "?", v->os[0] ? v->os : "?",
	    v->arch[0] ? v->arch : "?", v->platform[0] ? v->platform : "?");
	nd_evidence_add(f, "tag", "%s", v->tag);
	nd_evidence_add(f, "sha", "%s", v->sha);
	nd_evidence_add(f, "arch", "%s", v->arch);
	nd_evidence_add(f, "platform", "%s", v->platform);
	nd_evidence_add(f, "mode", "%s", v->mode);
	nd_evidence_add(f, "rbac", "%s", v->rbac ? "true" : "false");
	if (v->hostname[0] != '\0')
		nd_evidence_add(f, "hostname", "%s", v->hostname);
	c->configured = f;
	talos_check_trustd(p);
}

static void
talos_grpc_answer(struct nd_probe *p)
{
	struct talos_ctx *c = p->ctx;
	struct nd_talos_version v;
	const uint8_t *msg;
	size_t mlen;
	uint32_t announced = 0;
	const char *why;
	long long status;
	size_t got = c->body.len;
	bool over = c->body.over;
	int rc;

	if (c->grpc_status[0] == '\0') {
		talos_not_api(p, "an HTTP/2 answer without a gRPC status");
		return;
	}
	if (nd_parse_int(c->grpc_status, 0, 99, &status) < 0) {
		talos_not_api(p, "a gRPC status that is not a number");
		return;
	}
	switch (status) {
	case 0:
		break;
	case 12:	/* Unimplemented */
		if (strstr(c->grpc_message, "maintenance mode") != NULL) {
			talos_maintenance(p, "Talos 1.12 or older: Version is "
			    "not implemented in maintenance mode", NULL);
			return;
		}
		talos_not_api(p, "Version is not implemented (grpc-status 12)");
		return;
	case 7:		/* PermissionDenied */
	case 16:	/* Unauthenticated */
		talos_rejected(p, status == 7 ? "the certificate has no role "
		    "(Organization os:admin, os:operator or os:reader)" :
		    "the API did not authenticate the client");
		return;
	default: {
		struct nd_finding *f = nd_finding_add(p, ND_F_TALOS_API_ERROR,
		    "the Talos API at %s answered Version with gRPC status %lld: "
		    "%s", p->ep->label, status, c->grpc_message);

		nd_evidence_add(f, "grpc_status", "%lld", status);
		nd_evidence_add(f, "grpc_message", "%s", c->grpc_message);
		nd_probe_done(p, ND_FAIL);
		return;
	}
	}
	rc = nd_grpc_unframe((const uint8_t *)c->body.buf, c->body.len,
	    TALOS_MAX_ANSWER - 5, &msg, &mlen, &announced, &why);
	if (rc == 0 && over) {
		/* A whole message, and then more than a unary answer holds. */
		why = "the answer goes on past one gRPC message and the "
		    "16 KiB netdoctor reads";
		rc = -EBADMSG;
	}
	if (rc == 0)
		rc = nd_talos_version_decode(msg, mlen, &v, &why);
	if (rc < 0) {
		struct nd_finding *f;

		/* talos_not_api() ends the probe, which frees the body. */
		talos_not_api(p, why);
		f = p->findings[p->nfindings - 1];
		nd_evidence_add(f, "bytes_received", "%zu%s", got, over ||
		    c->announced_over ? " (more were discarded)" : "");
		if (over)
			nd_evidence_add(f, "body_over_bound", "%d",
			    TALOS_MAX_ANSWER);
		if (announced > 0)
			nd_evidence_add(f, "announced_length", "%u", announced);
		return;
	}
	if (v.nmessages == 0 || !v.has_version) {
		talos_not_api(p, "the answer is not a Talos VersionResponse");
		return;
	}
	if (!v.has_features) {
		talos_maintenance(p, "Talos 1.13 or newer: Version answers "
		    "without the features field", &v);
		return;
	}
	talos_configured(p, &v);
}

static void
talos_done(void *arg, CURLcode rc)
{
	struct nd_probe *p = arg;
	struct talos_ctx *c = p->ctx;
	long http = 0, ver = 0;

	if (p->status != ND_RUNNING)
		return;
	curl_easy_getinfo(c->conn.easy, CURLINFO_RESPONSE_CODE, &http);
	curl_easy_getinfo(c->conn.easy, CURLINFO_HTTP_VERSION, &ver);
	/* gRPC core may reset before reading our body (docs/library-notes.md 2.3). */
	if (rc == CURLE_HTTP2_STREAM && c->grpc_status[0] == '\0' &&
	    c->tries < 2) {
		if (talos_request(p) == 0)
			return;
	}
	if (rc == CURLE_WRITE_ERROR && (c->body.over || c->announced_over)) {
		/* talos_on_body stopped it: let the unframing say why. */
		c->grpc_status[0] = '0';
		c->grpc_status[1] = '\0';
		talos_grpc_answer(p);
		return;
	}
	if (rc == CURLE_OK || (rc == CURLE_HTTP2_STREAM &&
	    c->grpc_status[0] != '\0')) {
		if (ver != CURL_HTTP_VERSION_2_0) {
			talos_not_api(p, "the server does not speak HTTP/2 (ALPN "
			    "h2), which gRPC needs");
			return;
		}
		if (http != 200 || strncmp(c->content_type,
		    "application/grpc", 16) != 0) {
			char why[160];

			snprintf(why, sizeof(why), "HTTP %ld with content-type "
			    "'%s', not a gRPC answer", http, c->content_type);
			talos_not_api(p, why);
			return;
		}
		talos_grpc_answer(p);
		return;
	}
	/*
	 * No HTTP answer.  With our certificate presented and asked for, a
	 * cut after the handshake is the server refusing it (TLS 1.3 sends
	 * the alert, or grpc-core just closes: docs/library-notes.md 2.5).
	 */
	if (c->conn.presented && (c->conn.tls.certreq ||
	    c->conn.tls.alert >= 0) && http == 0 && rc != CURLE_OPERATION_TIMEDOUT) {
		talos_rejected(p, curl_easy_strerror(rc));
		return;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		talos_not_api(p, "no gRPC answer before the deadline");
		return;
	}
	if (c->h2.goaway >= 0) {
		char why[200];

		snprintf(why, sizeof(why), "it sent HTTP/2 GOAWAY (%s, error "
		    "code %ld; last stream %lu) instead of an answer%s",
		    nd_h2_error_name(c->h2.goaway), c->h2.goaway,
		    c->h2.goaway_last, c->h2.goaway_last == 0 ? ": it would not "
		    "process the request" : "");
		talos_not_api(p, why);
		return;
	}
	talos_not_api(p, curl_easy_strerror(rc));
}

static int
talos_start(struct nd_probe *p)
{
	struct talos_ctx *c = p->ctx;
	const struct nd_tls_facts *tf = p->ep->facts.tls;

	c->fd = -1;
	nd_timer_init(&c->tmr, talos_on_trustd_timeout, p);
	/* grpc-go >= 1.67 closes connections without ALPN h2 (PR #7535). */
	if (tf != NULL && strcmp(tf->alpn, "h2") != 0) {
		talos_not_api(p, tf->alpn[0] != '\0' ? "TLS negotiates ALPN "
		    "other than h2, and gRPC needs h2" : "TLS without ALPN h2, "
		    "which gRPC needs");
		return 0;
	}
	return talos_request(p);
}

static void
talos_expire(struct nd_probe *p)
{
	struct talos_ctx *c = p->ctx;

	if (c->configured != NULL) {
		talos_trustd_verdict(p, "unknown (50001 did not answer in time)");
		return;
	}
	talos_not_api(p, "no gRPC answer before the deadline");
}

const struct nd_probe_ops nd_probe_talos = {
	.name = "talos",
	.layer = ND_L_APP,
	.ctx_size = sizeof(struct talos_ctx),
	.start = talos_start,
	.expire = talos_expire,
	.cancel = talos_cancel,
};
