/*
 * probe_cloudflared.c - does the local cloudflared hold its connections to
 * Cloudflare's edge?  Asks its metrics server, as a Kubernetes readiness
 * probe would: GET /ready (200 with readyConnections when at least one
 * connection is registered, 503 when none is), then GET /metrics for
 * cloudflared_tunnel_ha_connections (cloudflared's metrics/readiness.go
 * and connection/metrics.go; core/wire/cfmetrics.h reads both).
 *
 * cloudflared keeps 4 connections to at least two data centres by default
 * (--ha-connections); fewer still serve traffic but one more loss takes
 * the tunnel down, hence cftunnel.degraded below 4.  A port that answers
 * anything else (garbage, another service, a /ready body over 64 KiB) is
 * cftunnel.not_cloudflared: a finding about the peer, never a crash.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cfmetrics.h"
#include "http.h"
#include "probe.h"
#include "target.h"

/* The deadline is the probe's; libcurl's own timer only backs it up. */
#define CFD_CURL_SLACK_MS	1000
#define CFD_HA_DEFAULT		4	/* cloudflared --ha-connections */

enum cfd_step { CFD_READY, CFD_METRICS };

struct cfd_ctx {
	CURL			*easy;
	struct nd_http_body	 body;
	enum cfd_step		 step;
	bool			 added;
	long			 ready_http;	/* /ready's status */
	long			 ready;		/* readyConnections */
	char			 errbuf[CURL_ERROR_SIZE];
};

static void
cfd_release(struct nd_probe *p)
{
	struct cfd_ctx *c = p->ctx;

	nd_http_easy_release(p, &c->easy, &c->added);
	nd_http_body_free(&c->body);
}

static void
cfd_cancel(struct nd_probe *p)
{
	cfd_release(p);
}

static const char *
cfd_path(const struct cfd_ctx *c)
{
	return c->step == CFD_READY ? "/ready" : "/metrics";
}

static void
cfd_not_cloudflared(struct nd_probe *p, long http, const char *why)
{
	struct cfd_ctx *c = p->ctx;
	struct nd_finding *f;
	char snip[200];

	f = nd_finding_add(p, ND_F_CFTUNNEL_NOT_CLOUDFLARED, "%s does not "
	    "answer like cloudflared's metrics server: %s %s", p->ep->label,
	    cfd_path(c), why);
	nd_evidence_add(f, "path", "%s", cfd_path(c));
	if (http > 0)
		nd_evidence_add(f, "http_status", "%ld", http);
	if (c->body.len > 0) {
		size_t i, n = c->body.len < 60 ? c->body.len : 60;
		const char *b = nd_http_body_str(&c->body);

		/* The first bytes, control characters as '?'. */
		for (i = 0; i < n; i++)
			snip[i] = (unsigned char)b[i] < 0x20 ||
			    (unsigned char)b[i] >= 0x7f ? '?' : b[i];
		snip[n] = '\0';
		nd_evidence_add(f, "body", "%s%s", snip, c->body.len > n ?
		    "..." : "");
	}
	if (c->body.over)
		nd_evidence_add(f, "body_over_bound", "%zu", c->body.max);
	else if (c->errbuf[0] != '\0')
		nd_evidence_add(f, "curl_error", "%s", c->errbuf);
	nd_evidence_add(f, "tunnel", "%s", p->target->cf_tunnel != NULL ?
	    p->target->cf_tunnel : "NAME");
	nd_probe_done(p, ND_FAIL);
}

/* The verdict from /ready and, when it gave one, the HA gauge. */
static void
cfd_judge(struct nd_probe *p, double ha, const char *ha_note)
{
	struct cfd_ctx *c = p->ctx;
	struct nd_finding *f;
	long conns = ha >= 0 ? (long)ha : c->ready;
	const char *tun = p->target->cf_tunnel;

	if (c->ready_http != 200 || c->ready == 0 || conns <= 0) {
		f = nd_finding_add(p, ND_F_CFTUNNEL_NO_CONNECTIONS, "cloudflared "
		    "at %s runs but holds no connection to Cloudflare's edge "
		    "(/ready %ld, readyConnections %ld): every hostname of %s "
		    "gets error 1033", p->ep->label, c->ready_http, c->ready,
		    tun != NULL ? tun : "its tunnel");
		nd_probe_done(p, ND_FAIL);
	} else if (conns < CFD_HA_DEFAULT) {
		f = nd_finding_add(p, ND_F_CFTUNNEL_DEGRADED, "cloudflared at %s "
		    "holds %ld of its %d edge connections", p->ep->label,
		    conns, CFD_HA_DEFAULT);
		nd_probe_done(p, ND_WARN);
	} else {
		f = nd_finding_add(p, ND_F_CFTUNNEL_OK, "cloudflared at %s is "
		    "ready with %ld edge connections", p->ep->label, conns);
		nd_probe_done(p, ND_PASS);
	}
	nd_evidence_add(f, "ready_status", "%ld", c->ready_http);
	nd_evidence_add(f, "ready_connections", "%ld", c->ready);
	if (ha >= 0)
		nd_evidence_add(f, "ha_connections", "%ld", (long)ha);
	else
		nd_evidence_add(f, "ha_connections", "unknown (%s)", ha_note);
	nd_evidence_add(f, "tunnel", "%s", tun != NULL ? tun : "NAME");
}

static void cfd_done(void *, CURLcode);

static int
cfd_request(struct nd_probe *p, enum cfd_step step)
{
	struct cfd_ctx *c = p->ctx;
	const struct nd_endpoint *ep = p->ep;
	bool v6 = ep->addr.sa.sa_family == AF_INET6;
	uint64_t now = nd_loop_now(p->run->loop), dl = nd_probe_deadline(p);
	long left_ms = dl > now ? (long)((dl - now) / 1000) : 1;
	struct nd_http *hc = nd_http_get(p->run);
	char url[INET6_ADDRSTRLEN + 32];
	int rc;

	cfd_release(p);
	c->step = step;
	c->errbuf[0] = '\0';
	nd_http_body_init(&c->body, step == CFD_READY ? ND_CF_READY_MAX :
	    ND_CF_METRICS_MAX);
	if (hc == NULL || (c->easy = curl_easy_init()) == NULL)
		return -ENOMEM;
	/* The endpoint the tcp probe tested, whatever the host's name. */
	snprintf(url, sizeof(url), "http://%s%s%s:%u%s", v6 ? "[" : "",
	    ep->addrstr, v6 ? "]" : "", p->target->port, cfd_path(c));
	curl_easy_setopt(c->easy, CURLOPT_URL, url);
	curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS,
	    left_ms + CFD_CURL_SLACK_MS);
	curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->easy, CURLOPT_USERAGENT, "netdoctor/" ND_VERSION);
	curl_easy_setopt(c->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->easy, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, nd_http_body_write);
	curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &c->body);
	if ((rc = nd_http_add(hc, c->easy, cfd_done, p)) < 0)
		return rc;
	c->added = true;
	return 0;
}

static void
cfd_done(void *arg, CURLcode rc)
{
	struct nd_probe *p = arg;
	struct cfd_ctx *c = p->ctx;
	const char *body = nd_http_body_str(&c->body);
	long http = 0;
	double ha = -1;
	char why[96];
	int err;

	if (p->status != ND_RUNNING)
		return;
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &http);
	if (c->step == CFD_READY) {
		if (rc == CURLE_WRITE_ERROR && c->body.over) {
			cfd_not_cloudflared(p, http, "answered with a body over "
			    "64 KiB; netdoctor stopped reading");
			return;
		}
		if (rc != CURLE_OK) {
			char msg[CURL_ERROR_SIZE + 32];

			snprintf(msg, sizeof(msg), "gave no HTTP answer (%s)",
			    rc == CURLE_OPERATION_TIMEDOUT ? "none before the "
			    "deadline" : c->errbuf[0] != '\0' ? c->errbuf :
			    curl_easy_strerror(rc));
			cfd_not_cloudflared(p, http, msg);
			return;
		}
		if ((http != 200 && http != 503) || nd_cf_ready_parse(body,
		    c->body.len, &c->ready_http, &c->ready, why,
		    sizeof(why)) < 0) {
			char msg[160];

			snprintf(msg, sizeof(msg), "answered HTTP %ld with %s",
			    http, http != 200 && http != 503 ? "a status "
			    "cloudflared does not send" : why);
			cfd_not_cloudflared(p, http, msg);
			return;
		}
		/* The body's status is the answer's (readiness.go). */
		c->ready_http = http;
		if ((err = cfd_request(p, CFD_METRICS)) < 0) {
			nd_probe_local_error(p, -err, "start the /metrics "
			    "request");
			nd_probe_done(p, ND_ERROR);
		}
		return;
	}
	/*
	 * /metrics only refines /ready's count: a metrics page that cannot
	 * be read leaves the verdict to /ready, and says so.
	 */
	if ((rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && c->body.over)) &&
	    http == 200) {
		err = nd_prom_value(body, c->body.len, ND_CF_HA_METRIC, &ha);
		if (err < 0 || ha < 0 || ha > 1000) {
			ha = -1;
			cfd_judge(p, ha, err == -ENOENT ? "no " ND_CF_HA_METRIC
			    " in /metrics" : "its value is not a count");
			return;
		}
		cfd_judge(p, ha, NULL);
		return;
	}
	snprintf(why, sizeof(why), "/metrics: %s", rc != CURLE_OK ?
	    curl_easy_strerror(rc) : "not HTTP 200");
	cfd_judge(p, -1, why);
}

static int
cfd_start(struct nd_probe *p)
{
	return cfd_request(p, CFD_READY);
}

static void
cfd_expire(struct nd_probe *p)
{
	struct cfd_ctx *c = p->ctx;

	if (c->step == CFD_METRICS) {
		cfd_judge(p, -1, "/metrics did not answer before the deadline");
		return;
	}
	cfd_not_cloudflared(p, 0, "gave no answer before the deadline");
}

const struct nd_probe_ops nd_probe_cloudflared = {
	.name = "cloudflared",
	.layer = ND_L_APP,
	.ctx_size = sizeof(struct cfd_ctx),
	.start = cfd_start,
	.expire = cfd_expire,
	.cancel = cfd_cancel,
};
