/*
 * probe_gateway.c - the Gateway API status: what the Gateway controller
 * did with each Gateway and route (the manifest is only what was asked).
 * One judge, two sources:
 *
 *   gateway://            the status sections --manifests read (`kubectl
 *                         get gateway,httproute,grpcroute -A -o yaml`, or
 *                         a GitOps tree exported with status); data
 *                         loaded before the run, no I/O.
 *   gateway+k8s://HOST    the live cluster: GET /apis/gateway.networking.
 *                         k8s.io/v1/{gateways,httproutes,grpcroutes}, one
 *                         after the other with libcurl on the loop and the
 *                         kubeconfig's credentials (read-only, the verb
 *                         list), each answer bounded; the JSON lists go
 *                         through the manifests loader, so both sources
 *                         give the judge the same objects.
 *
 * A refusal of the API server is a finding: 401/403 (RBAC or credentials),
 * 404 (the CRDs are not installed; on grpcroutes alone: CRDs older than
 * v1.1, which have no GRPCRoute, and the rest is judged), or anything else
 * that is not the list asked for.  A refused or silent port is the tcp
 * probe's, an API server that is not one the k8s probe's: both sit below.
 *
 * Conditions and reasons are those of gateway-api's apis/v1
 * (gateway_types.go: GatewayConditionType Accepted and Programmed, reason
 * AddressNotAssigned; shared_types.go: RouteConditionType Accepted and
 * ResolvedRefs with their reasons).  Findings about a route carry its
 * hostnames as their typed subject, so that the diagnosis ties a route
 * the Gateway refused to the 404 its host names then get.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "arena.h"
#include "http.h"
#include "manifests.h"
#include "probe.h"
#include "target.h"

/* Evidence items listing objects; a finding keeps ND_EVIDENCE_MAX. */
#define GW_LIST_MAX	16

/* One list answer: what one file of --manifests may hold. */
#define GW_MAX_BODY	ND_MF_MAX_BYTES
#define GW_API		"/apis/gateway.networking.k8s.io/v1/"

/* What gateway+k8s:// lists, in this order (gateway-api's apis/v1). */
static const struct gw_list {
	const char	*resource;	/* the URL's plural */
	const char	*kind;		/* its answer's kind */
	bool		 optional;	/* 404 means older CRDs, not none */
} gw_lists[] = {
	{ "gateways", "GatewayList", false },
	{ "httproutes", "HTTPRouteList", false },
	/* GRPCRoute joined the standard channel in v1.1.0. */
	{ "grpcroutes", "GRPCRouteList", true },
};
#define GW_NLISTS	(sizeof(gw_lists) / sizeof(gw_lists[0]))

struct gw_ctx {
	struct nd_http_conn	 conn;
	struct nd_http_body	 body[GW_NLISTS];
	size_t			 step;		/* the list being read */
	bool			 absent[GW_NLISTS];	/* optional, 404 */
	bool			 authed;	/* credentials went out */
};

struct gw_count {
	size_t	gateways, routes;	/* judged */
	size_t	unjudged;		/* without a status section */
	bool	bad;
};

static bool
is_true(const struct nd_mf_cond *c)
{
	return c != NULL && c->status != NULL && strcmp(c->status, "True") == 0;
}

static bool
is_false(const struct nd_mf_cond *c)
{
	return c != NULL && c->status != NULL &&
	    strcmp(c->status, "False") == 0;
}

/* "httproute" for kubectl, from "HTTPRoute". */
static char *
lower(struct nd_arena *a, const char *s)
{
	char *out = nd_arena_strdup(a, s), *p;

	for (p = out; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return out;
}

/* The hostnames of every route that names gw among its parents. */
static char **
gw_hostnames(struct nd_arena *a, const struct nd_manifests *mf,
    const struct nd_mf_lb *gw)
{
	const char *key = nd_arena_printf(a, "%s/%s", gw->ns, gw->name);
	size_t i, j, k, n = 0, o = 0;
	char **out;

	for (i = 0; mf->routes[i] != NULL; i++)
		for (k = 0; mf->routes[i]->hostnames[k] != NULL; k++)
			n++;
	out = nd_arena_alloc(a, (n + 1) * sizeof(*out));
	for (i = 0; mf->routes[i] != NULL; i++)
		for (j = 0; mf->routes[i]->parents[j] != NULL; j++) {
			if (strcmp(mf->routes[i]->parents[j], key) != 0)
				continue;
			for (k = 0; mf->routes[i]->hostnames[k] != NULL &&
			    o < n; k++)
				out[o++] = mf->routes[i]->hostnames[k];
			break;
		}
	return out;
}

static void
cond_evidence(struct nd_finding *f, const struct nd_mf_cond *c)
{
	if (c == NULL)
		return;
	nd_evidence_add(f, "condition", "%s", c->type);
	nd_evidence_add(f, "status", "%s", c->status != NULL ? c->status :
	    "(none)");
	nd_evidence_add(f, "reason", "%s", c->reason != NULL ? c->reason :
	    "(none)");
	if (c->message != NULL)
		nd_evidence_add(f, "message", "%.300s", c->message);
	nd_evidence_add(f, "condition_source", "%s", c->src);
}

/* What the Gateway's subject is: its routes' names and its address. */
static void
gw_subject(struct nd_probe *p, struct nd_finding *f,
    const struct nd_manifests *mf, const struct nd_mf_lb *gw)
{
	char **names = gw_hostnames(p->run->arena, mf, gw);

	nd_finding_about_names(f, names);
	nd_finding_about_ip(f, gw->ips[0]);
	if (names[0] != NULL)
		nd_evidence_add(f, "hostnames", "%s%s", names[0],
		    names[1] != NULL ? ", ..." : "");
}

static void
judge_gateway(struct nd_probe *p, const struct nd_manifests *mf,
    const struct nd_mf_lb *gw, struct gw_count *n)
{
	const struct nd_mf_cond *acc, *prog, *bad = NULL;
	struct nd_finding *f;
	bool no_addr;

	n->gateways++;
	acc = nd_manifests_cond(gw->conds, "Accepted");
	prog = nd_manifests_cond(gw->conds, "Programmed");
	/* Refused outright first: it is why it is not programmed. */
	if (is_false(acc))
		bad = acc;
	else if (prog != NULL && !is_true(prog))
		bad = prog;
	else if (prog == NULL && acc != NULL && !is_true(acc))
		bad = acc;
	/* A missing address has its own finding: the pool, not the class. */
	no_addr = gw->nstatus_addrs == 0 && (bad == NULL ||
	    (bad->reason != NULL && strcmp(bad->reason,
	    "AddressNotAssigned") == 0));
	if (no_addr) {
		f = nd_finding_add(p, ND_F_GATEWAY_NO_ADDRESS, "Gateway %s/%s "
		    "has no address in its status%s%s%s%s", gw->ns, gw->name,
		    bad != NULL ? ": " : "", bad != NULL ? bad->reason : "",
		    bad != NULL && bad->message != NULL ? ": " : "",
		    bad != NULL && bad->message != NULL ? bad->message : "");
	} else if (bad != NULL) {
		f = nd_finding_add(p, ND_F_GATEWAY_NOT_PROGRAMMED, "Gateway "
		    "%s/%s is not programmed: %s %s, reason %s%s%s", gw->ns,
		    gw->name, bad->type, bad->status != NULL ? bad->status :
		    "(no status)", bad->reason != NULL ? bad->reason : "(none)",
		    bad->message != NULL ? ": " : "", bad->message != NULL ?
		    bad->message : "");
	} else
		return;
	n->bad = true;
	nd_evidence_add(f, "kind", "Gateway");
	nd_evidence_add(f, "ns", "%s", gw->ns);
	nd_evidence_add(f, "name", "%s", gw->name);
	nd_evidence_add(f, "source", "%s", gw->src);
	if (bad == NULL)
		nd_evidence_add(f, "condition", "Programmed True, "
		    "status.addresses empty");
	cond_evidence(f, bad);
	nd_evidence_add(f, "status_addresses", "%zu", gw->nstatus_addrs);
	gw_subject(p, f, mf, gw);
}

/* One refusal of one route by one parent. */
static struct nd_finding *
route_finding(struct nd_probe *p, enum nd_code code,
    const struct nd_manifests *mf, const struct nd_mf_route *r,
    const char *parent, const char *section, const struct nd_mf_cond *c,
    const char *what)
{
	struct nd_arena *a = p->run->arena;
	const struct nd_mf_lb *gw = nd_manifests_gateway(mf, parent);
	const char *slash = strchr(parent, '/');
	struct nd_finding *f;
	size_t k;

	f = nd_finding_add(p, code, "%s %s/%s %s (Gateway %s%s%s): %s%s%s",
	    r->kind, r->ns, r->name, what, parent, section != NULL ?
	    ", listener " : "", section != NULL ? section : "", c != NULL &&
	    c->reason != NULL ? c->reason : "no controller wrote a status for "
	    "this parent: the Gateway does not exist, or no controller owns "
	    "its class", c != NULL && c->message != NULL ? ": " : "",
	    c != NULL && c->message != NULL ? c->message : "");
	nd_evidence_add(f, "kind", "%s", r->kind);
	nd_evidence_add(f, "kindlc", "%s", lower(a, r->kind));
	nd_evidence_add(f, "ns", "%s", r->ns);
	nd_evidence_add(f, "name", "%s", r->name);
	nd_evidence_add(f, "parent", "%s", parent);
	if (section != NULL)
		nd_evidence_add(f, "listener", "%s", section);
	nd_evidence_add(f, "gwns", "%.*s", (int)(slash - parent), parent);
	nd_evidence_add(f, "gwname", "%s", slash + 1);
	nd_evidence_add(f, "source", "%s", r->src);
	cond_evidence(f, c);
	if (c == NULL) {
		nd_evidence_add(f, "condition", "Accepted");
		nd_evidence_add(f, "reason", "(none: no status.parents entry "
		    "for this Gateway)");
	}
	for (k = 0; r->hostnames[k] != NULL && k < GW_LIST_MAX; k++)
		nd_evidence_add(f, nd_arena_printf(a, "hostname.%zu", k + 1),
		    "%s", r->hostnames[k]);
	/* A route without hostnames takes every name its listener allows:
	   then it is about the Gateway's address. */
	nd_finding_about_names(f, r->hostnames);
	if (r->hostnames[0] == NULL && gw != NULL)
		nd_finding_about_ip(f, gw->ips[0]);
	return f;
}

/* Is the Gateway in this tree, with a status that says it is not working?
   Then its own finding says why its routes have no status. */
static bool
gw_failing(const struct nd_manifests *mf, const char *parent)
{
	const struct nd_mf_lb *gw = nd_manifests_gateway(mf, parent);

	return gw != NULL && gw->has_status &&
	    !is_true(nd_manifests_cond(gw->conds, "Programmed"));
}

static void
judge_route(struct nd_probe *p, const struct nd_manifests *mf,
    const struct nd_mf_route *r, struct gw_count *n)
{
	const struct nd_mf_cond *acc, *rr;
	size_t i, j;

	n->routes++;
	for (i = 0; r->sparents[i] != NULL; i++) {
		const struct nd_mf_rparent *sp = r->sparents[i];

		acc = nd_manifests_cond(sp->conds, "Accepted");
		rr = nd_manifests_cond(sp->conds, "ResolvedRefs");
		if (!is_true(acc)) {
			route_finding(p, ND_F_GATEWAY_ROUTE_NOT_ACCEPTED, mf, r,
			    sp->gw, sp->section, acc, "is not accepted");
			n->bad = true;
		}
		if (is_false(rr)) {
			route_finding(p, ND_F_GATEWAY_BACKEND_UNRESOLVED, mf, r,
			    sp->gw, sp->section, rr, "has a backendRef that "
			    "does not resolve");
			n->bad = true;
		}
	}
	/*
	 * A parent no controller answered for: a Gateway that does not exist
	 * or whose class no controller owns (a controller writes
	 * status.parents only for the parents it manages).  When that Gateway
	 * is in the tree and failing, its own finding is the cause.
	 */
	for (j = 0; r->refs[j] != NULL; j++) {
		for (i = 0; r->sparents[i] != NULL; i++)
			if (strcmp(r->sparents[i]->gw, r->refs[j]->gw) == 0)
				break;
		if (r->sparents[i] != NULL || gw_failing(mf, r->refs[j]->gw))
			continue;
		route_finding(p, ND_F_GATEWAY_ROUTE_NOT_ACCEPTED, mf, r,
		    r->refs[j]->gw, r->refs[j]->section, NULL,
		    "is not accepted");
		n->bad = true;
	}
}

/* Objects without status: named in the verdict, never judged. */
static void
unjudged(struct nd_probe *p, const struct nd_manifests *mfs, size_t nmfs,
    struct nd_finding *f)
{
	struct nd_arena *a = p->run->arena;
	size_t m, i, k = 0;

	for (m = 0; m < nmfs; m++) {
		const struct nd_manifests *mf = &mfs[m];

		for (i = 0; mf->lbs[i] != NULL; i++)
			if (strcmp(mf->lbs[i]->kind, "Gateway") == 0 &&
			    !mf->lbs[i]->has_status && k++ < GW_LIST_MAX)
				nd_evidence_add(f, nd_arena_printf(a,
				    "no_status.%zu", k), "Gateway %s/%s (%s)",
				    mf->lbs[i]->ns, mf->lbs[i]->name,
				    mf->lbs[i]->src);
		for (i = 0; mf->routes[i] != NULL; i++)
			if (!mf->routes[i]->has_status && k++ < GW_LIST_MAX)
				nd_evidence_add(f, nd_arena_printf(a,
				    "no_status.%zu", k), "%s %s/%s (%s)",
				    mf->routes[i]->kind, mf->routes[i]->ns,
				    mf->routes[i]->name, mf->routes[i]->src);
	}
}

/*
 * Judges the trees and ends the probe.  from says where they came from,
 * for gateway.ok's evidence; absent, if not NULL, is what gateway+k8s://
 * could not list without that being a fault.
 */
static void
judge(struct nd_probe *p, const struct nd_manifests *mfs, size_t nmfs,
    const char *from, const char *absent)
{
	struct gw_count n = { 0, 0, 0, false };
	struct nd_finding *f;
	size_t m, i;

	for (m = 0; m < nmfs; m++) {
		const struct nd_manifests *mf = &mfs[m];

		for (i = 0; mf->lbs[i] != NULL; i++) {
			if (strcmp(mf->lbs[i]->kind, "Gateway") != 0)
				continue;
			if (mf->lbs[i]->has_status)
				judge_gateway(p, mf, mf->lbs[i], &n);
			else
				n.unjudged++;
		}
		for (i = 0; mf->routes[i] != NULL; i++) {
			if (mf->routes[i]->has_status)
				judge_route(p, mf, mf->routes[i], &n);
			else
				n.unjudged++;
		}
	}
	if (n.bad) {
		nd_probe_done(p, ND_FAIL);
		return;
	}
	f = nd_finding_add(p, ND_F_GATEWAY_OK, "Gateway API status: %zu "
	    "Gateway%s programmed with an address, %zu route%s accepted with "
	    "resolved references%s", n.gateways, n.gateways == 1 ? "" : "s",
	    n.routes, n.routes == 1 ? "" : "s", n.unjudged > 0 ?
	    nd_arena_printf(p->run->arena, "; %zu object%s without a status "
	    "section not judged", n.unjudged, n.unjudged == 1 ? "" : "s") :
	    "");
	nd_evidence_add(f, "gateways", "%zu", n.gateways);
	nd_evidence_add(f, "routes", "%zu", n.routes);
	nd_evidence_add(f, "without_status", "%zu", n.unjudged);
	nd_evidence_add(f, "from", "%s", from);
	if (absent != NULL)
		nd_evidence_add(f, "not_served", "%s", absent);
	unjudged(p, mfs, nmfs, f);
	nd_probe_done(p, ND_PASS);
}

/* ---- gateway+k8s://: the lists from the API server ---- */

static void
gw_cancel(struct nd_probe *p)
{
	struct gw_ctx *c = p->ctx;
	size_t i;

	if (c == NULL)
		return;
	nd_http_conn_free(&c->conn, p);
	for (i = 0; i < GW_NLISTS; i++)
		nd_http_body_free(&c->body[i]);
}

/* A metav1.Status answer's reason and message; false when it is none. */
static bool
gw_status(const struct nd_http_body *b, char *reason, size_t rlen,
    char *msg, size_t mlen)
{
	json_t *v = json_loadb(nd_http_body_str(b), b->len, 0, NULL);
	const char *kind, *r, *m;
	bool ok;

	if (v == NULL)
		return false;
	kind = json_string_value(json_object_get(v, "kind"));
	r = json_string_value(json_object_get(v, "reason"));
	m = json_string_value(json_object_get(v, "message"));
	ok = kind != NULL && strcmp(kind, "Status") == 0;
	if (ok) {
		snprintf(reason, rlen, "%s", r != NULL ? r : "");
		snprintf(msg, mlen, "%s", m != NULL ? m : "");
	}
	json_decref(v);
	return ok;
}

/* The evidence every API finding has: which list, how it went. */
static void
gw_api_evidence(struct nd_probe *p, struct nd_finding *f, long http)
{
	struct gw_ctx *c = p->ctx;

	nd_evidence_add(f, "resource", "%s", gw_lists[c->step].resource);
	nd_evidence_add(f, "path", GW_API "%s", gw_lists[c->step].resource);
	if (http > 0)
		nd_evidence_add(f, "http_status", "%ld", http);
	/* A certificate counts only when the server asked for one. */
	nd_evidence_add(f, "auth", "%s", !c->authed ? "anonymous (no "
	    "kubeconfig credentials)" : !c->conn.presented ?
	    "the kubeconfig's token" : c->conn.tls.certreq ?
	    "the kubeconfig's client certificate" : "anonymous (the server "
	    "did not ask for the kubeconfig's client certificate)");
}

static void
gw_api_error(struct nd_probe *p, long http, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
gw_api_error(struct nd_probe *p, long http, const char *fmt, ...)
{
	struct gw_ctx *c = p->ctx;
	struct nd_finding *f;
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	f = nd_finding_add(p, ND_F_GATEWAY_API_ERROR, "the API server at %s "
	    "gave no usable answer to the list of %s.gateway.networking.k8s.io: "
	    "%s", p->ep->label, gw_lists[c->step].resource, why);
	gw_api_evidence(p, f, http);
	/* Over the bound, libcurl's own error only says the write failed. */
	if (c->body[c->step].over)
		nd_evidence_add(f, "body_over_bound", "%zu",
		    c->body[c->step].max);
	else if (c->conn.errbuf[0] != '\0')
		nd_evidence_add(f, "curl_error", "%s", c->conn.errbuf);
	nd_probe_done(p, ND_FAIL);
}

/* Every list read: one judge for them all. */
static void
gw_judge_lists(struct nd_probe *p)
{
	struct gw_ctx *c = p->ctx;
	struct nd_arena *a = p->run->arena;
	struct nd_mf_answer ans[GW_NLISTS];
	struct nd_manifests *mf = nd_arena_alloc(a, sizeof(*mf));
	const char *absent = NULL;
	size_t i, n = 0, step[GW_NLISTS];
	char err[512];

	for (i = 0; i < GW_NLISTS; i++) {
		if (c->absent[i]) {
			absent = nd_arena_printf(a, "%s (HTTP 404: Gateway API "
			    "CRDs older than v1.1)", gw_lists[i].resource);
			continue;
		}
		ans[n].name = nd_arena_printf(a, "GET " GW_API "%s",
		    gw_lists[i].resource);
		ans[n].kind = gw_lists[i].kind;
		ans[n].buf = nd_http_body_str(&c->body[i]);
		ans[n].len = c->body[i].len;
		step[n++] = i;
	}
	if (nd_manifests_parse(a, ans, n, mf, err, sizeof(err)) < 0) {
		/* The error starts with the name of the answer it is about. */
		for (i = 0; i < n; i++)
			if (strncmp(err, ans[i].name, strlen(ans[i].name)) == 0)
				c->step = step[i];
		gw_api_error(p, 200, "%s", err);
		return;
	}
	judge(p, mf, 1, nd_arena_printf(a, "the API server at %s", p->ep->label),
	    absent);
}

static void gw_done(void *, CURLcode);

static int
gw_request(struct nd_probe *p, size_t step)
{
	struct gw_ctx *c = p->ctx;
	int rc;

	nd_http_conn_free(&c->conn, p);
	c->step = step;
	nd_http_body_init(&c->body[step], GW_MAX_BODY);
	rc = nd_http_conn_kube(&c->conn, p, nd_arena_printf(p->run->arena,
	    GW_API "%s", gw_lists[step].resource), &c->body[step], &c->authed);
	if (rc < 0)
		return rc;
	return nd_http_conn_start(&c->conn, p, gw_done, p);
}

/* The next list, or the judge after the last. */
static void
gw_next(struct nd_probe *p)
{
	struct gw_ctx *c = p->ctx;
	int err;

	if (c->step + 1 == GW_NLISTS) {
		gw_judge_lists(p);
		return;
	}
	if ((err = gw_request(p, c->step + 1)) < 0) {
		nd_probe_local_error(p, -err, "start the Gateway API list "
		    "request");
		nd_probe_done(p, ND_ERROR);
	}
}

static void
gw_refused(struct nd_probe *p, long http, const char *reason,
    const char *msg)
{
	struct gw_ctx *c = p->ctx;
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_GATEWAY_FORBIDDEN, "the API server at %s "
	    "refused to list %s.gateway.networking.k8s.io (HTTP %ld %s)%s%s",
	    p->ep->label, gw_lists[c->step].resource, http, http == 401 ?
	    "Unauthorized: the credentials were not accepted" : "Forbidden: "
	    "RBAC does not allow the verb list", msg[0] != '\0' ? ": " : "",
	    msg);
	gw_api_evidence(p, f, http);
	nd_evidence_add(f, "verb", "list");
	nd_evidence_add(f, "api_group", "gateway.networking.k8s.io");
	if (reason[0] != '\0')
		nd_evidence_add(f, "reason", "%s", reason);
	if (msg[0] != '\0')
		nd_evidence_add(f, "message", "%.300s", msg);
	nd_probe_done(p, ND_FAIL);
}

static void
gw_done(void *arg, CURLcode rc)
{
	struct nd_probe *p = arg;
	struct gw_ctx *c = p->ctx;
	const struct nd_http_body *b = &c->body[c->step];
	char reason[64], msg[512];
	long http = 0;
	bool st;

	if (p->status != ND_RUNNING)
		return;
	curl_easy_getinfo(c->conn.easy, CURLINFO_RESPONSE_CODE, &http);
	if (rc == CURLE_WRITE_ERROR && b->over) {
		gw_api_error(p, http, "HTTP %ld with a body over %d MiB; "
		    "netdoctor stopped reading there rather than judge part of "
		    "the list", http, GW_MAX_BODY >> 20);
		return;
	}
	if (rc != CURLE_OK) {
		gw_api_error(p, http, "%s", rc == CURLE_OPERATION_TIMEDOUT ?
		    "no answer before the deadline" : curl_easy_strerror(rc));
		return;
	}
	if (http == 200) {
		gw_next(p);
		return;
	}
	/* An error answer: a Status, small; the lists are parsed once, later. */
	st = gw_status(b, reason, sizeof(reason), msg, sizeof(msg));
	if (http == 401 || http == 403) {
		gw_refused(p, http, st ? reason : "", st ? msg : "");
		return;
	}
	if (http == 404 && st && gw_lists[c->step].optional) {
		c->absent[c->step] = true;
		gw_next(p);
		return;
	}
	if (http == 404 && st) {
		struct nd_finding *f = nd_finding_add(p,
		    ND_F_GATEWAY_API_UNAVAILABLE, "the API server at %s does "
		    "not serve %s.gateway.networking.k8s.io/v1 (HTTP 404 %s): "
		    "the Gateway API CRDs are not installed", p->ep->label,
		    gw_lists[c->step].resource, reason);

		gw_api_evidence(p, f, http);
		if (msg[0] != '\0')
			nd_evidence_add(f, "message", "%.300s", msg);
		nd_probe_done(p, ND_FAIL);
		return;
	}
	gw_api_error(p, http, "HTTP %ld%s%s%s", http, st ? " " : " without a "
	    "Kubernetes Status", st ? reason : "", st && msg[0] != '\0' ?
	    nd_arena_printf(p->run->arena, ": %.300s", msg) : "");
}

static void
gateway_expire(struct nd_probe *p)
{
	gw_api_error(p, 0, "no answer before the deadline");
}

static int
gateway_start(struct nd_probe *p)
{
	const struct nd_target *t = p->target;

	if (t->scheme == ND_S_GATEWAY_K8S)
		return gw_request(p, 0);
	/*
	 * Only the inputs fill the trees in (and refuse gateway:// without
	 * them); a target made elsewhere (serve's /probe) has none, and
	 * "nothing judged" must not read as healthy.
	 */
	if (t->x->nmanifests == 0) {
		nd_probe_local_error(p, EINVAL, "judge the Gateway API "
		    "status (gateway:// needs --manifests with status sections)");
		nd_probe_done(p, ND_ERROR);
		return 0;
	}
	judge(p, t->x->manifests, t->x->nmanifests, "--manifests", NULL);
	return 0;
}

const struct nd_probe_ops nd_probe_gateway = {
	.name = "gateway",
	.layer = ND_L_CONFIG,
	.ctx_size = sizeof(struct gw_ctx),
	.start = gateway_start,
	.expire = gateway_expire,
	.cancel = gw_cancel,
};
