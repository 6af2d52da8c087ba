/*
 * probe_k8s.c - is the Kubernetes API server behind k8s://HOST[:PORT] up
 * and ready?  GET /version, then GET /readyz?verbose, with libcurl on the
 * loop and the kubeconfig's client certificate or token when there is one.
 *
 * An anonymous 401 or 403 answered as a Kubernetes Status object means the
 * server is up (it authenticated the request, and refused it); readiness is
 * then not visible.  /readyz?verbose lists each check as "[+]name ok" or
 * "[-]name failed: reason withheld" and ends with "readyz check passed" or
 * "readyz check failed" (HTTP 200 or 500).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "http.h"
#include "probe.h"
#include "target.h"
#include "util.h"

#define K8S_MAX_BODY	(32 * 1024)

enum k8s_step { K8S_VERSION, K8S_READYZ };

struct k8s_ctx {
	struct nd_http_conn	 conn;
	enum k8s_step		 step;
	struct nd_http_body	 body;
	long			 version_http;
	char			 git_version[64];
	bool			 version_status;	/* a k8s Status object */
	bool			 authed;		/* we sent credentials */
};

static void
k8s_cancel(struct nd_probe *p)
{
	struct k8s_ctx *c = p->ctx;

	nd_http_conn_free(&c->conn, p);
	nd_http_body_free(&c->body);
}

static void k8s_done(void *, CURLcode);

static int
k8s_request(struct nd_probe *p, enum k8s_step step)
{
	struct k8s_ctx *c = p->ctx;
	int rc;

	nd_http_conn_free(&c->conn, p);
	c->step = step;
	nd_http_body_free(&c->body);
	nd_http_body_init(&c->body, K8S_MAX_BODY);
	rc = nd_http_conn_kube(&c->conn, p, step == K8S_VERSION ? "/version" :
	    "/readyz?verbose", &c->body, &c->authed);
	if (rc < 0)
		return rc;
	return nd_http_conn_start(&c->conn, p, k8s_done, p);
}

static void
k8s_not_api(struct nd_probe *p, const char *why, long http)
{
	struct k8s_ctx *c = p->ctx;
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_K8S_NOT_K8S_API,
	    "%s does not answer like a Kubernetes API server: %s",
	    p->ep->label, why);
	nd_evidence_add(f, "path", "%s", c->step == K8S_VERSION ? "/version" :
	    "/readyz?verbose");
	if (http > 0)
		nd_evidence_add(f, "http_status", "%ld", http);
	/* Over the bound, libcurl's own error only says the write failed. */
	if (c->body.over)
		nd_evidence_add(f, "body_over_bound", "%zu", c->body.max);
	else if (c->conn.errbuf[0] != '\0')
		nd_evidence_add(f, "curl_error", "%s", c->conn.errbuf);
	nd_probe_done(p, ND_FAIL);
}

/* A JSON body; for /version the gitVersion, or a Status object. */
static bool
k8s_parse_version(struct k8s_ctx *c)
{
	json_t *v = json_loadb(nd_http_body_str(&c->body), c->body.len, 0,
	    NULL);
	const char *kind, *gv;
	bool ok = false;

	if (v == NULL)
		return false;
	kind = json_string_value(json_object_get(v, "kind"));
	gv = json_string_value(json_object_get(v, "gitVersion"));
	if (gv != NULL) {
		nd_strlcpy(c->git_version, gv, sizeof(c->git_version));
		ok = true;
	} else if (kind != NULL && strcmp(kind, "Status") == 0) {
		c->version_status = true;
		ok = true;
	}
	json_decref(v);
	return ok;
}

/* "[-]etcd failed: reason withheld" lines, joined, bounded. */
static void
k8s_failed_checks(const char *body, char *out, size_t len)
{
	const char *s = body;
	size_t o = 0;

	out[0] = '\0';
	while ((s = strstr(s, "[-]")) != NULL) {
		size_t n = strcspn(s + 3, "\r\n");

		if (o + n + 3 >= len)
			break;
		o += (size_t)snprintf(out + o, len - o, "%s%.*s", o ? "; " : "",
		    (int)n, s + 3);
		s += 3 + n;
	}
}

static void
k8s_readyz(struct nd_probe *p, long http)
{
	struct k8s_ctx *c = p->ctx;
	const char *body = nd_http_body_str(&c->body);
	struct nd_finding *f;
	char failed[512];

	if (http == 401 || http == 403) {
		f = nd_finding_add(p, ND_F_K8S_READY, "the Kubernetes API server "
		    "at %s is up (HTTP %ld to %s requests%s%s); readiness is "
		    "not visible without credentials", p->ep->label, http,
		    c->authed ? "our" : "anonymous", c->git_version[0] ?
		    ", " : "", c->git_version);
		nd_evidence_add(f, "readyz", "HTTP %ld", http);
		if (c->git_version[0] != '\0')
			nd_evidence_add(f, "git_version", "%s", c->git_version);
		nd_evidence_add(f, "auth", "%s", c->authed ? "kubeconfig" :
		    "anonymous");
		nd_probe_done(p, ND_PASS);
		return;
	}
	if (http == 200 && strstr(body, "check passed") != NULL) {
		f = nd_finding_add(p, ND_F_K8S_READY, "the Kubernetes API server "
		    "at %s is ready%s%s", p->ep->label, c->git_version[0] ?
		    ": " : "", c->git_version);
		if (c->git_version[0] != '\0')
			nd_evidence_add(f, "git_version", "%s", c->git_version);
		nd_evidence_add(f, "readyz", "ok");
		nd_probe_done(p, ND_PASS);
		return;
	}
	k8s_failed_checks(body, failed, sizeof(failed));
	if ((http == 500 || http == 503) && (failed[0] != '\0' ||
	    strstr(body, "check failed") != NULL)) {
		f = nd_finding_add(p, ND_F_K8S_NOT_READY, "the Kubernetes API "
		    "server at %s answers but is not ready: %s", p->ep->label,
		    failed[0] ? failed : "readyz check failed");
		nd_evidence_add(f, "http_status", "%ld", http);
		nd_evidence_add(f, "failed_checks", "%s", failed);
		if (c->git_version[0] != '\0')
			nd_evidence_add(f, "git_version", "%s", c->git_version);
		nd_probe_done(p, ND_FAIL);
		return;
	}
	k8s_not_api(p, "/readyz?verbose did not answer with readyz checks",
	    http);
}

static void
k8s_done(void *arg, CURLcode rc)
{
	struct nd_probe *p = arg;
	struct k8s_ctx *c = p->ctx;
	long http = 0;
	int err;

	if (p->status != ND_RUNNING)
		return;
	curl_easy_getinfo(c->conn.easy, CURLINFO_RESPONSE_CODE, &http);
	if (rc == CURLE_WRITE_ERROR && c->body.over) {
		char why[128];

		/* An answer, but not one an API server gives: say so now. */
		snprintf(why, sizeof(why), "%s answered HTTP %ld with a body "
		    "over %d KiB; netdoctor stopped reading", c->step ==
		    K8S_VERSION ? "/version" : "/readyz?verbose", http,
		    K8S_MAX_BODY / 1024);
		k8s_not_api(p, why, http);
		return;
	}
	if (rc != CURLE_OK) {
		k8s_not_api(p, rc == CURLE_OPERATION_TIMEDOUT ? "no HTTP answer "
		    "before the deadline" : curl_easy_strerror(rc), http);
		return;
	}
	if (c->step == K8S_READYZ) {
		k8s_readyz(p, http);
		return;
	}
	c->version_http = http;
	if (!k8s_parse_version(c) || (http != 200 && http != 401 &&
	    http != 403)) {
		char why[96];

		snprintf(why, sizeof(why), "/version answered HTTP %ld without "
		    "Kubernetes version JSON", http);
		k8s_not_api(p, why, http);
		return;
	}
	if ((err = k8s_request(p, K8S_READYZ)) < 0) {
		nd_probe_local_error(p, -err, "start the /readyz request");
		nd_probe_done(p, ND_ERROR);
	}
}

static int
k8s_start(struct nd_probe *p)
{
	return k8s_request(p, K8S_VERSION);
}

static void
k8s_expire(struct nd_probe *p)
{
	k8s_not_api(p, "no HTTP answer before the deadline", 0);
}

const struct nd_probe_ops nd_probe_k8s = {
	.name = "k8s",
	.layer = ND_L_APP,
	.ctx_size = sizeof(struct k8s_ctx),
	.start = k8s_start,
	.expire = k8s_expire,
	.cancel = k8s_cancel,
};
