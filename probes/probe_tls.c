/*
 * probe_tls.c - one TLS handshake of our own, non-blocking on the loop
 * (OpenSSL 3, docs/library-notes.md 6), then the certificate judged on its own.
 *
 * The handshake runs with SSL_VERIFY_NONE so that it completes even for an
 * expired, foreign or mismatched certificate: a diagnostic tool reports
 * *why* a verifying client would refuse, instead of failing blind.  Trust
 * is judged only against a CA the user gave (?ca=, the talosconfig, the
 * kubeconfig).
 *
 * Client certificates: this probe never presents one.  When the server
 * asks for one (msg callback: an inbound CertificateRequest), a TLS 1.3
 * server only rejects the anonymous client after the handshake, on the
 * first read (docs/talos.md 2, docs/library-notes.md 6: alert 116, or a plain EOF
 * from grpc-core), so the probe reads for a short while to see.  The
 * rejection is a cause (tls.client_cert_required) only when no credentials
 * are available for the layer above; with credentials, the talos and k8s
 * probes authenticate and judge the certificate themselves.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "arena.h"
#include "creds.h"
#include "probe.h"
#include "sock.h"
#include "target.h"
#include "tlsalert.h"
#include "tlsctx.h"
#include "tlsobs.h"
#include "util.h"

/* How long to wait after the handshake for a TLS 1.3 rejection. */
#define TLS_REJECT_WAIT_US	300000u
/*
 * Handshakes in flight at once.  One that waits on a silent peer holds
 * some 40 KiB (OpenSSL's 21 KiB handshake buffer, the SSL object, the
 * session, the key share) until the deadline: 2,000 of them were 90 MiB.
 * The rest wait their turn (docs/performance.md).
 */
#define TLS_INFLIGHT_MAX	1000

struct tls_ctx {
	int		 fd;
	SSL_CTX		*sctx;
	SSL		*ssl;
	struct nd_timer	 tmr;		/* the post-handshake read window */
	bool		 handshaken;
	struct nd_tlsobs obs;		/* first bytes, CertificateRequest,
					   alerts */
	char		 ca_source[64];	/* where the trust anchor came from */
	bool		 have_ca;
};

static void
tls_cancel(struct nd_probe *p)
{
	struct tls_ctx *c = p->ctx;

	nd_timer_disarm(p->run->loop, &c->tmr);
	if (c->ssl != NULL) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->sctx != NULL) {
		SSL_CTX_free(c->sctx);
		c->sctx = NULL;
	}
	nd_sock_close(p->run->loop, c->fd, 1);
	c->fd = -1;
}

/* "HTTP/" -> `HTTP/`; other bytes in hex: what a non-TLS peer sent. */
static void
tls_first_bytes(const struct tls_ctx *c, char *out, size_t len)
{
	size_t i, o = 0;
	bool printable = c->obs.nfirst > 0;

	for (i = 0; i < c->obs.nfirst; i++)
		if (c->obs.first[i] < 0x20 || c->obs.first[i] > 0x7e)
			printable = false;
	for (i = 0; i < c->obs.nfirst && o + 4 < len; i++)
		o += (size_t)snprintf(out + o, len - o, printable ? "%c" :
		    "%02x", c->obs.first[i]);
	out[o] = '\0';
}

static const char *
tls_guess(const struct tls_ctx *c)
{
	if (c->obs.nfirst >= 5 && memcmp(c->obs.first, "HTTP/", 5) == 0)
		return "the port speaks plain HTTP, not TLS";
	if (c->obs.nfirst >= 3 && c->obs.first[0] == 0 && c->obs.first[3] == 4)
		return "the port speaks plaintext HTTP/2 (h2c), not TLS";
	if (c->obs.nfirst >= 3 && memcmp(c->obs.first, "SSH", 3) == 0)
		return "the port speaks SSH, not TLS";
	if (c->obs.nfirst > 0 && (c->obs.first[0] < 0x14 ||
	    c->obs.first[0] > 0x18))
		return "the peer answered with bytes that are not a TLS record";
	return NULL;
}

static struct nd_finding *
tls_failed(struct nd_probe *p, const char *what)
{
	struct tls_ctx *c = p->ctx;
	struct nd_finding *f;
	unsigned long e = ERR_peek_last_error();
	const char *guess = tls_guess(c);
	char seen[40];
	const struct nd_target *t = p->target;

	/*
	 * An ingress rule's origin (--cloudflared-config) named https:// that
	 * answers the ClientHello in plain HTTP: the rule's scheme is wrong,
	 * which is what the user must change, not the server.
	 */
	if (t->cf_hostname != NULL && c->obs.nfirst >= 5 &&
	    memcmp(c->obs.first, "HTTP/", 5) == 0) {
		f = nd_finding_add(p, ND_F_CFTUNNEL_ORIGIN_SCHEME_MISMATCH, "the "
		    "ingress rule for %s (%s) names https://%s:%u but that port "
		    "speaks plain HTTP: cloudflared's TLS handshake fails and "
		    "the edge shows 502", t->cf_hostname, t->cf_rule, t->host,
		    t->port);
		nd_evidence_add(f, "cf_hostname", "%s", t->cf_hostname);
		nd_evidence_add(f, "config", "%s", t->cf_rule);
		nd_evidence_add(f, "service", "https://%s:%u", t->host, t->port);
		nd_evidence_add(f, "suggest", "http://%s:%u", t->host, t->port);
		tls_first_bytes(c, seen, sizeof(seen));
		nd_evidence_add(f, "peer_sent", "%s", seen);
		ERR_clear_error();
		return f;
	}
	f = nd_finding_add(p, ND_F_TLS_HANDSHAKE_FAILED,
	    "%s accepted TCP but the TLS handshake failed: %s", p->ep->label,
	    guess != NULL ? guess : what);
	nd_evidence_add(f, "stage", "%s", what);
	if (e != 0 && ERR_reason_error_string(e) != NULL)
		nd_evidence_add(f, "openssl", "%s", ERR_reason_error_string(e));
	if (c->obs.alert >= 0)
		nd_evidence_add(f, "alert", "%d %s", c->obs.alert,
		    nd_tls_alert_name(c->obs.alert));
	if (c->obs.nfirst > 0) {
		tls_first_bytes(c, seen, sizeof(seen));
		nd_evidence_add(f, "peer_sent", "%s", seen);
	}
	ERR_clear_error();
	return f;
}

/* The name sent in SNI: ?sni=, else the host when it is a name. */
static const char *
tls_sni(const struct nd_probe *p)
{
	if (p->target->x->sni != NULL)
		return p->target->x->sni;
	/* SNI carries names only, never an IP literal (RFC 6066 3). */
	if (p->target->host != NULL && !p->target->host_is_ip)
		return p->target->host;
	return NULL;
}

/*
 * A web page is refused by browsers for the certificate's faults, so for
 * https:// they fail the layer (and block the http probe above it); the
 * API schemes keep going, their probes judge with credentials.
 */
static enum nd_status
tls_cert_fault(const struct nd_probe *p)
{
	return p->target->scheme == ND_S_HTTPS ? ND_FAIL : ND_WARN;
}

/*
 * When name is not covered but a wildcard SAN would cover it at another
 * depth: "*.int.example.be covers one label ...".  RFC 6125 6.4.3: the
 * wildcard stands for exactly one left-most label, so *.int.example.be
 * covers sonarr.int.example.be and not sonarr.media.int.example.be.
 */
static bool
tls_wildcard_note(X509 *leaf, const char *name, char *out, size_t len)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(leaf, NID_subject_alt_name,
	    NULL, NULL);
	size_t nlen = strlen(name);
	bool found = false;
	int i;

	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens) && !found;
	    i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const char *d, *dot;
		size_t dlen, labels = 0, k;

		if (g->type != GEN_DNS)
			continue;
		d = (const char *)ASN1_STRING_get0_data(g->d.dNSName);
		dlen = (size_t)ASN1_STRING_length(g->d.dNSName);
		if (dlen < 3 || dlen != strlen(d) || d[0] != '*' || d[1] != '.')
			continue;
		/* The suffix after "*" (".int.example.be") ends the name... */
		if (nlen <= dlen - 1 || strcasecmp(name + nlen - (dlen - 1),
		    d + 1) != 0)
			continue;
		/* ...with more than one label in the wildcard's place. */
		for (k = 0; k < nlen - (dlen - 1); k++)
			labels += name[k] == '.';
		if (labels == 0)
			continue;
		dot = name + nlen - (dlen - 1);
		snprintf(out, len, "%s covers exactly one label in place of "
		    "'*' (RFC 6125 6.4.3), and %s has %zu there (%.*s)", d,
		    name, labels + 1, (int)(dot - name), name);
		found = true;
	}
	GENERAL_NAMES_free(gens);
	return found;
}

/* Does a layer above present a client certificate for this target? */
static bool
tls_creds_above(const struct nd_probe *p)
{
	const struct nd_creds_set *cs = p->run->creds;

	if (cs == NULL)
		return false;
	if (p->target->scheme == ND_S_TALOS)
		return cs->talos != NULL && cs->talos->crt.len > 0;
	if (nd_scheme_kube(p->target->scheme))
		return cs->kube != NULL && (cs->kube->crt.len > 0 ||
		    cs->kube->token != NULL);
	return false;
}

static void
tls_name(const X509_NAME *n, char *out, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int k;

	out[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253) >= 0 &&
	    (k = BIO_read(b, out, (int)len - 1)) > 0)
		out[k] = '\0';
	BIO_free(b);
}

static void
tls_key(X509 *x, char *out, size_t len)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	char group[32] = "";
	size_t glen = 0;

	if (k == NULL) {
		snprintf(out, len, "?");
		return;
	}
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_ED25519:
		snprintf(out, len, "ED25519");
		break;
	case EVP_PKEY_EC:
		EVP_PKEY_get_utf8_string_param(k, "group", group,
		    sizeof(group), &glen);
		snprintf(out, len, "EC %.16s", group);
		break;
	case EVP_PKEY_RSA:
		snprintf(out, len, "RSA %d", EVP_PKEY_get_bits(k));
		break;
	default:
		snprintf(out, len, "%s", OBJ_nid2sn(EVP_PKEY_get_base_id(k)));
	}
}

static void
tls_time(const ASN1_TIME *t, char *out, size_t len)
{
	struct tm tm;

	if (ASN1_TIME_to_tm(t, &tm) != 1) {
		snprintf(out, len, "?");
		return;
	}
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The certificate against the address or name we used (RFC 6125). */
static bool
tls_name_ok(const struct nd_probe *p, X509 *leaf, const char **used)
{
	const struct nd_target *t = p->target;

	if (t->x->sni != NULL) {
		*used = t->x->sni;
		return X509_check_host(leaf, t->x->sni, 0,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
	}
	if (t->host != NULL && !t->host_is_ip) {
		*used = t->host;
		return X509_check_host(leaf, t->host, 0,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
	}
	*used = p->ep->addrstr;
	return X509_check_ip_asc(leaf, p->ep->addrstr, 0) == 1;
}

static void
tls_facts(struct nd_probe *p, X509 *leaf, bool rejected)
{
	struct tls_ctx *c = p->ctx;
	struct nd_tls_facts *tf = nd_arena_alloc(p->run->arena, sizeof(*tf));
	STACK_OF(X509_NAME) *cas = SSL_get_client_CA_list(c->ssl);
	const unsigned char *alpn = NULL;
	unsigned alen = 0;
	size_t i, o = 0;

	nd_strlcpy(tf->version, SSL_get_version(c->ssl), sizeof(tf->version));
	SSL_get0_alpn_selected(c->ssl, &alpn, &alen);
	if (alen > 0 && alen < sizeof(tf->alpn)) {
		memcpy(tf->alpn, alpn, alen);
		tf->alpn[alen] = '\0';
	}
	X509_NAME_get_text_by_NID(X509_get_subject_name(leaf), NID_commonName,
	    tf->cn, sizeof(tf->cn));
	tf->issuer_empty = X509_NAME_entry_count(X509_get_issuer_name(leaf))
	    == 0;
	tf->certreq = c->obs.certreq;
	tf->client_rejected = rejected;
	tls_key(leaf, tf->key, sizeof(tf->key));
	for (i = 0; cas != NULL && i < (size_t)sk_X509_NAME_num(cas) &&
	    o + 8 < sizeof(tf->ca_names); i++) {
		char n[128];

		tls_name(sk_X509_NAME_value(cas, (int)i), n, sizeof(n));
		o += (size_t)snprintf(tf->ca_names + o, sizeof(tf->ca_names) - o,
		    "%s%s", o ? "; " : "", n[0] ? n : "(empty)");
	}
	/* The tls probe is the one writer of these facts. */
	nd_facts_set_tls(p, tf);
}

static void
tls_judge(struct nd_probe *p, bool rejected)
{
	struct tls_ctx *c = p->ctx;
	X509 *leaf = SSL_get1_peer_certificate(c->ssl);
	const struct nd_tls_facts *tf;
	struct nd_finding *f, *ok;
	char subj[256], issuer[256], sans[512], nb[32], na[32], fp[100];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0, i;
	size_t o, nsans;
	const char *used = "";
	enum nd_status st = ND_PASS;
	long vr;

	if (leaf == NULL) {
		tls_failed(p, "the server sent no certificate");
		nd_probe_done(p, ND_FAIL);
		return;
	}
	tls_facts(p, leaf, rejected);
	tf = p->ep->facts.tls;
	tls_name(X509_get_subject_name(leaf), subj, sizeof(subj));
	tls_name(X509_get_issuer_name(leaf), issuer, sizeof(issuer));
	nsans = nd_tlsobs_sans(leaf, sans, sizeof(sans));
	tls_time(X509_get0_notBefore(leaf), nb, sizeof(nb));
	tls_time(X509_get0_notAfter(leaf), na, sizeof(na));
	fp[0] = '\0';
	X509_digest(leaf, EVP_sha256(), md, &mdlen);
	for (i = 0, o = 0; i < mdlen && o + 4 < sizeof(fp); i++)
		o += (size_t)snprintf(fp + o, sizeof(fp) - o, "%s%02X",
		    i ? ":" : "", md[i]);

	ok = nd_finding_add(p, ND_F_TLS_OK, "%s: %s%s%s, certificate %s "
	    "(%s) issued by %s", p->ep->label, tf->version,
	    tf->alpn[0] ? " with ALPN " : " without ALPN", tf->alpn,
	    subj[0] ? subj : "(empty subject)", tf->key,
	    issuer[0] ? issuer : "an empty issuer");
	nd_evidence_add(ok, "version", "%s", tf->version);
	nd_evidence_add(ok, "cipher", "%s", SSL_get_cipher_name(c->ssl));
	nd_evidence_add(ok, "alpn", "%s", tf->alpn[0] ? tf->alpn : "none");
	nd_evidence_add(ok, "subject", "%s", subj);
	nd_evidence_add(ok, "issuer", "%s", issuer);
	nd_evidence_add(ok, "sans", "%s", sans);
	nd_evidence_add(ok, "san_count", "%zu", nsans);
	nd_evidence_add(ok, "key", "%s", tf->key);
	nd_evidence_add(ok, "not_before", "%s", nb);
	nd_evidence_add(ok, "not_after", "%s", na);
	nd_evidence_add(ok, "sha256", "%s", fp);
	nd_evidence_add(ok, "chain_length", "%d",
	    sk_X509_num(SSL_get_peer_cert_chain(c->ssl)));
	nd_evidence_add(ok, "client_cert", "%s", !c->obs.certreq ?
	    "not requested" : rejected ? "required" :
	    "optional or accepted later");
	if (c->obs.certreq)
		nd_evidence_add(ok, "client_ca_names", "%s", tf->ca_names);

	/*
	 * cloudflared's originRequest.noTLSVerify: the connector accepts any
	 * certificate from this origin, so none of its faults is one here.
	 */
	if (p->target->cf_noverify)
		nd_evidence_add(ok, "verify", "off (originRequest.noTLSVerify "
		    "in %s)", p->target->cf_rule);
	else if (!tls_name_ok(p, leaf, &used)) {
		char wild[256];
		bool web = p->target->scheme == ND_S_HTTP ||
		    p->target->scheme == ND_S_HTTPS;
		bool w = tls_wildcard_note(leaf, used, wild, sizeof(wild));
		const char *pp = nd_scheme_kube(p->target->scheme) ?
		    "/cluster/apiServer/certSANs/-" : "/machine/certSANs/-";

		f = nd_finding_add(p, ND_F_TLS_NAME_MISMATCH,
		    "the certificate of %s does not cover %s: its names are "
		    "%s%s%s", p->ep->label, used, sans[0] ? sans : "(no SANs)",
		    w ? "; " : "", w ? wild : "");
		nd_evidence_add(f, "name", "%s", used);
		nd_evidence_add(f, "sans", "%s", sans);
		nd_evidence_add(f, "san_count", "%zu", nsans);
		if (w)
			nd_evidence_add(f, "wildcard", "%s", wild);
		/* Where Talos takes extra SANs from (docs/talos.md 2.1, 5.1). */
		nd_evidence_add(f, "config_key", "%s",
		    nd_scheme_kube(p->target->scheme) ?
		    "cluster.apiServer.certSANs" :
		    p->target->scheme == ND_S_TALOS ? "machine.certSANs" :
		    web ? "the certificate the server picks for that name "
		    "(cert-manager: the Certificate's dnsNames; Gateway API: "
		    "the listener's hostname and tls.certificateRefs)" :
		    "the certificate's SANs (Talos: machine.certSANs or "
		    "cluster.apiServer.certSANs)");
		if (!web)
			nd_evidence_add(f, "patch_path", "%s", pp);
		nd_evidence_add(f, "how", "%s", web ? " (kubectl get "
		    "certificate,gateway -A -o wide)" : nd_arena_printf(
		    p->run->arena, ": talosctl patch mc --nodes NODE --patch "
		    "'[{\"op\":\"add\",\"path\":\"%s\",\"value\":\"%s\"}]'",
		    pp, used));
		st = tls_cert_fault(p);
	}
	if (p->target->cf_noverify)
		;
	else if (X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0) {
		f = nd_finding_add(p, ND_F_TLS_EXPIRED,
		    "the certificate of %s expired on %s", p->ep->label, na);
		nd_evidence_add(f, "not_after", "%s", na);
		st = tls_cert_fault(p);
	} else if (X509_cmp_current_time(X509_get0_notBefore(leaf)) > 0) {
		f = nd_finding_add(p, ND_F_TLS_NOT_YET_VALID,
		    "the certificate of %s is valid only from %s: a clock is "
		    "wrong", p->ep->label, nb);
		nd_evidence_add(f, "not_before", "%s", nb);
		if (st != ND_FAIL)
			st = tls_cert_fault(p);
	}
	vr = SSL_get_verify_result(c->ssl);
	if (c->have_ca && !p->target->cf_noverify && vr != X509_V_OK &&
	    vr != X509_V_ERR_CERT_HAS_EXPIRED &&
	    vr != X509_V_ERR_CERT_NOT_YET_VALID) {
		f = nd_finding_add(p, ND_F_TLS_UNTRUSTED,
		    "the certificate of %s is not signed by the CA from %s: %s",
		    p->ep->label, c->ca_source,
		    X509_verify_cert_error_string(vr));
		nd_evidence_add(f, "ca_source", "%s", c->ca_source);
		nd_evidence_add(f, "verify_error", "%ld %s", vr,
		    X509_verify_cert_error_string(vr));
		nd_evidence_add(f, "issuer", "%s", issuer);
		if (st != ND_FAIL)
			st = tls_cert_fault(p);
	}
	if (rejected && !tls_creds_above(p)) {
		f = nd_finding_add(p, ND_F_TLS_CLIENT_CERT_REQUIRED,
		    "%s requires a client certificate%s%s and none was given",
		    p->ep->label, tf->ca_names[0] ? " signed by " : "",
		    tf->ca_names);
		nd_evidence_add(f, "client_ca_names", "%s", tf->ca_names);
		if (c->obs.alert >= 0)
			nd_evidence_add(f, "alert", "%d %s", c->obs.alert,
			    nd_tls_alert_name(c->obs.alert));
		else
			nd_evidence_add(f, "alert", "none: the server closed "
			    "the connection");
		nd_evidence_add(f, "version", "%s", tf->version);
		st = ND_FAIL;
	}
	X509_free(leaf);
	nd_probe_done(p, st);
}

static void tls_on_io(struct nd_loop *, int, unsigned, void *);

/*
 * A handshake message larger than OpenSSL takes: it stops reading it and
 * fails with "excessive message size".  For the server's Certificate the
 * bound is the context's max_cert_list (100 KiB by default,
 * SSL_CTX_set_max_cert_list(3)); the state still names the message being
 * read.  Its announced size is not exposed, so the bound is what is said.
 * This is the peer's behaviour (a chain too large for clients built on
 * OpenSSL), so a handshake failure, not a local error.
 */
static bool
tls_oversize(struct nd_probe *p)
{
	struct tls_ctx *c = p->ctx;
	unsigned long e = ERR_peek_last_error();
	struct nd_finding *f;
	char what[200];
	bool cert = SSL_get_state(c->ssl) == TLS_ST_CR_CERT;
	long max = SSL_get_max_cert_list(c->ssl);

	if (ERR_GET_LIB(e) != ERR_LIB_SSL ||
	    ERR_GET_REASON(e) != SSL_R_EXCESSIVE_MESSAGE_SIZE)
		return false;
	if (cert)
		snprintf(what, sizeof(what), "the server sent a certificate "
		    "chain too large to accept (over %ld bytes, OpenSSL's "
		    "limit for a certificate chain)", max);
	else
		snprintf(what, sizeof(what), "the server sent a handshake "
		    "message too large to accept (over OpenSSL's limit for "
		    "that message)");
	f = tls_failed(p, what);
	if (cert)
		nd_evidence_add(f, "limit_bytes", "%ld", max);
	nd_probe_done(p, ND_FAIL);
	return true;
}

/* After the handshake: does the server cut the anonymous client? */
static void
tls_read_after(struct nd_probe *p)
{
	struct tls_ctx *c = p->ctx;
	char buf[512];
	int n, e;

	ERR_clear_error();
	n = SSL_read(c->ssl, buf, sizeof(buf));
	if (n > 0) {
		tls_judge(p, false);	/* data: the server accepted us */
		return;
	}
	e = SSL_get_error(c->ssl, n);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		nd_loop_fd_set(p->run->loop, c->fd, e == SSL_ERROR_WANT_READ ?
		    ND_EV_READ : ND_EV_WRITE, tls_on_io, p);
		return;
	}
	ERR_clear_error();
	tls_judge(p, true);		/* an alert or EOF */
}

static void
tls_on_window(struct nd_loop *l, void *arg)
{
	struct nd_probe *p = arg;

	(void)l;
	/* No rejection within the window: optional, or accepted. */
	if (p->status == ND_RUNNING)
		tls_judge(p, false);
}

static void
tls_handshake(struct nd_probe *p)
{
	struct tls_ctx *c = p->ctx;
	int rc, e, serr;
	uint64_t now, until;

	ERR_clear_error();
	errno = 0;
	rc = SSL_connect(c->ssl);
	serr = errno;	/* the socket's, for SSL_ERROR_SYSCALL */
	if (rc == 1) {
		c->handshaken = true;
		if (!c->obs.certreq) {
			tls_judge(p, false);
			return;
		}
		now = nd_loop_now(p->run->loop);
		until = now + TLS_REJECT_WAIT_US;
		if (until > nd_probe_deadline(p))
			until = nd_probe_deadline(p);
		nd_timer_arm(p->run->loop, &c->tmr, until);
		tls_read_after(p);
		return;
	}
	e = SSL_get_error(c->ssl, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		if (nd_loop_fd_set(p->run->loop, c->fd, e == SSL_ERROR_WANT_READ
		    ? ND_EV_READ : ND_EV_WRITE, tls_on_io, p) < 0) {
			nd_probe_local_error(p, EIO, "watch the TLS socket");
			nd_probe_done(p, ND_ERROR);
		}
		return;
	}
	/* TLS 1.2 servers reject a missing client certificate here. */
	if (c->obs.certreq && !tls_creds_above(p)) {
		struct nd_finding *f = nd_finding_add(p,
		    ND_F_TLS_CLIENT_CERT_REQUIRED, "%s requires a client "
		    "certificate and none was given (the handshake failed)",
		    p->ep->label);

		if (c->obs.alert >= 0)
			nd_evidence_add(f, "alert", "%d %s", c->obs.alert,
			    nd_tls_alert_name(c->obs.alert));
		ERR_clear_error();
		nd_probe_done(p, ND_FAIL);
		return;
	}
	/*
	 * Nothing but a reset, a close or an alert in answer to the
	 * ClientHello: the server picks what to serve by SNI and has nothing
	 * for this name (an Envoy with no filter chain for it, an nginx with
	 * ssl_reject_handshake, a Gateway without such a listener).
	 */
	if (tls_sni(p) != NULL && (c->obs.nfirst == 0 ||
	    (c->obs.first[0] == 21 && c->obs.alert >= 0))) {
		char what[200];
		struct nd_finding *f;

		if (c->obs.nfirst > 0)
			snprintf(what, sizeof(what), "the server answered the "
			    "ClientHello for %s with alert %d %s: nothing "
			    "there serves that name", tls_sni(p), c->obs.alert,
			    nd_tls_alert_name(c->obs.alert));
		else
			snprintf(what, sizeof(what), "the server %s the "
			    "connection right after the ClientHello for %s: "
			    "nothing there serves that name", serr ==
			    ECONNRESET ? "reset" : "closed", tls_sni(p));
		f = tls_failed(p, what);
		nd_evidence_add(f, "sni", "%s", tls_sni(p));
		nd_probe_done(p, ND_FAIL);
		return;
	}
	if (tls_oversize(p))
		return;
	/* errno is still the read's: a reset is the peer's, said as such. */
	tls_failed(p, e == SSL_ERROR_SYSCALL && (serr == ECONNRESET ||
	    serr == EPIPE) ? "the peer reset the connection during the "
	    "handshake" : e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN ?
	    "the peer closed the connection during the handshake" :
	    "the handshake was refused");
	nd_probe_done(p, ND_FAIL);
}

static void
tls_on_io(struct nd_loop *l, int fd, unsigned ev, void *arg)
{
	struct nd_probe *p = arg;
	struct tls_ctx *c = p->ctx;

	(void)l;
	(void)fd;
	(void)ev;
	if (c->handshaken)
		tls_read_after(p);
	else
		tls_handshake(p);
}

/* What a context of the run is set up with: its trust anchors. */
struct tls_trust {
	const char		*file;	/* ?ca=, nd-ca=: a PEM file */
	bool			 system;	/* the system store */
	const struct nd_pem	*pem;	/* the talosconfig's or kubeconfig's */
};

static int
tls_ctx_setup(SSL_CTX *sctx, void *arg, bool *have_ca)
{
	static const unsigned char alpn[] = "\x02h2\x08http/1.1";
	const struct tls_trust *tr = arg;
	X509_STORE *store = SSL_CTX_get_cert_store(sctx);
	BIO *b;
	X509 *x;
	int n = 0;

	SSL_CTX_set_min_proto_version(sctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(sctx, SSL_VERIFY_NONE, NULL);
	/* The observer's argument is set on each SSL (tls_start). */
	nd_tlsobs_attach(sctx, NULL);
	/* SSL_CTX_set_alpn_protos returns 0 on success (docs/library-notes.md 6). */
	if (SSL_CTX_set_alpn_protos(sctx, alpn, sizeof(alpn) - 1) != 0)
		return -ENOMEM;
	*have_ca = false;
	if (tr->file != NULL) {
		if (SSL_CTX_load_verify_locations(sctx, tr->file, NULL) != 1) {
			ERR_clear_error();
			return -ENOENT;
		}
		*have_ca = true;
		return 0;
	}
	if (tr->system) {
		if (SSL_CTX_set_default_verify_paths(sctx) != 1) {
			ERR_clear_error();
			return -ENOENT;
		}
		*have_ca = true;
		return 0;
	}
	if (tr->pem == NULL || tr->pem->len == 0)
		return 0;
	if ((b = BIO_new_mem_buf(tr->pem->data, (int)tr->pem->len)) == NULL)
		return -ENOMEM;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		n += X509_STORE_add_cert(store, x) == 1;
		X509_free(x);
	}
	BIO_free(b);
	ERR_clear_error();
	*have_ca = n > 0;
	return 0;
}

/*
 * The trust anchor: ?ca=FILE (nd-ca=), else the system store for a web
 * page, else the credentials of the scheme; the context comes from the
 * run's cache (clients/tlsctx.c), one per anchor.
 */
static int
tls_load_ca(struct nd_probe *p)
{
	struct tls_ctx *c = p->ctx;
	const struct nd_creds_set *cs = p->run->creds;
	struct tls_trust tr = { NULL, false, NULL };
	const char *key;

	if (p->target->x->ca != NULL) {
		tr.file = p->target->x->ca;
		key = nd_arena_printf(p->run->arena, "ca=%s", tr.file);
		snprintf(c->ca_source, sizeof(c->ca_source), "%s",
		    p->target->scheme == ND_S_HTTPS ? "nd-ca=" : "?ca=");
	} else if (p->target->scheme == ND_S_HTTPS) {
		/* A web page is trusted as a browser would: the system's CAs. */
		tr.system = true;
		key = "system";
		snprintf(c->ca_source, sizeof(c->ca_source),
		    "the system trust store");
	} else if (cs != NULL && p->target->scheme == ND_S_TALOS &&
	    cs->talos != NULL) {
		tr.pem = &cs->talos->ca;
		key = "talosconfig";
		snprintf(c->ca_source, sizeof(c->ca_source), "the talosconfig");
	} else if (cs != NULL && nd_scheme_kube(p->target->scheme) &&
	    cs->kube != NULL) {
		tr.pem = &cs->kube->ca;
		key = "kubeconfig";
		snprintf(c->ca_source, sizeof(c->ca_source), "the kubeconfig");
	} else
		key = "none";
	return nd_tlsctx_get(p->run, key, tls_ctx_setup, &tr, &c->sctx,
	    &c->have_ca);
}

static void
tls_on_connected(struct nd_loop *l, int fd, unsigned ev, void *arg)
{
	struct nd_probe *p = arg;
	int err = nd_sock_error(fd);

	(void)l;
	(void)ev;
	if (err != 0) {
		/* tcp passed a moment ago; report what changed. */
		struct nd_finding *f = tls_failed(p, err == ECONNRESET ?
		    "the peer reset the TCP connection before the handshake" :
		    "the TCP connection for the handshake failed");

		nd_evidence_add(f, "errno", "%d %s", err, strerror(err));
		nd_probe_done(p, ND_FAIL);
		return;
	}
	tls_handshake(p);
}

static int
tls_start(struct nd_probe *p)
{
	struct tls_ctx *c = p->ctx;
	const char *sni;
	int rc;

	c->fd = -1;
	nd_tlsobs_init(&c->obs);
	nd_timer_init(&c->tmr, tls_on_window, p);
	if ((rc = tls_load_ca(p)) == -ENOMEM)
		return rc;
	if (rc < 0) {
		struct nd_finding *f = nd_probe_local_error(p, -rc,
		    "read the CA file given with ?ca=");

		nd_evidence_add(f, "ca", "%s", p->target->x->ca);
		nd_probe_done(p, ND_ERROR);
		return 0;
	}
	if ((c->ssl = SSL_new(c->sctx)) == NULL)
		return -ENOMEM;
	SSL_set_msg_callback_arg(c->ssl, &c->obs);
	sni = tls_sni(p);
	/* The macro casts away const; the call only copies the name. */
	if (sni != NULL && SSL_ctrl(c->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME,
	    TLSEXT_NAMETYPE_host_name, (void *)(uintptr_t)sni) != 1)
		return -EINVAL;
	rc = nd_sock_connect(p->ep, &c->fd);
	if (rc < 0 && c->fd < 0)
		return rc;
	if (rc < 0) {
		struct nd_finding *f = tls_failed(p, -rc == ECONNRESET ?
		    "the peer reset the TCP connection before the handshake" :
		    "the TCP connection for the handshake failed");

		nd_evidence_add(f, "errno", "%d %s", -rc, strerror(-rc));
		nd_probe_done(p, ND_FAIL);
		return 0;
	}
	SSL_set_fd(c->ssl, c->fd);
	if (rc == 0) {
		tls_handshake(p);
		return 0;
	}
	return nd_loop_fd_set(p->run->loop, c->fd, ND_EV_WRITE,
	    tls_on_connected, p);
}

static void
tls_expire(struct nd_probe *p)
{
	struct tls_ctx *c = p->ctx;
	struct nd_finding *f;

	if (c->handshaken) {
		/* The read window ran into the deadline: judge what we have. */
		tls_judge(p, false);
		return;
	}
	f = tls_failed(p, c->obs.nfirst > 0 ? "the handshake did not finish in "
	    "time" : "no answer to the ClientHello in time");
	nd_evidence_add(f, "timeout_ms", "%lld",
	    (long long)p->run->timeout_ms);
	nd_probe_done(p, ND_FAIL);
}

const struct nd_probe_ops nd_probe_tls = {
	.name = "tls",
	.layer = ND_L_TLS,
	.ctx_size = sizeof(struct tls_ctx),
	.inflight_max = TLS_INFLIGHT_MAX,
	.start = tls_start,
	.expire = tls_expire,
	.cancel = tls_cancel,
};
