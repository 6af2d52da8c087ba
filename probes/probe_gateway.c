/*
 * probe_gateway.c - gateway://: the Gateway API status sections that
 * --manifests read (`kubectl get gateway,httproute,grpcroute -A -o yaml`,
 * or a GitOps tree exported with status).  A status is what the Gateway
 * controller did with an object; the manifest is only what was asked.
 * Like the address plan, this judges data loaded before the run: no I/O.
 *
 * Conditions and reasons are those of gateway-api's apis/v1
 * (gateway_types.go: GatewayConditionType Accepted and Programmed, reason
 * AddressNotAssigned; shared_types.go: RouteConditionType Accepted and
 * ResolvedRefs with their reasons).  Findings about a route carry its
 * hostnames as their typed subject, so that the diagnosis ties a route
 * the Gateway refused to the 404 its host names then get.
 */
#include <errno.h>
#include <string.h>

#include "arena.h"
#include "manifests.h"
#include "probe.h"
#include "target.h"

/* Evidence items listing objects; a finding keeps ND_EVIDENCE_MAX. */
#define GW_LIST_MAX	16

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

static int
gateway_start(struct nd_probe *p)
{
	const struct nd_target *t = p->target;
	struct gw_count n = { 0, 0, 0, false };
	struct nd_finding *f;
	size_t m, i;

	/*
	 * Only the inputs fill the trees in (and refuse gateway:// without
	 * them); a target made elsewhere (serve's /probe) has none, and
	 * "nothing judged" must not read as healthy.
	 */
	if (t->nmanifests == 0) {
		nd_probe_local_error(p, EINVAL, "judge the Gateway API "
		    "status (gateway:// needs --manifests with status sections)");
		nd_probe_done(p, ND_ERROR);
		return 0;
	}
	for (m = 0; m < t->nmanifests; m++) {
		const struct nd_manifests *mf = &t->manifests[m];

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
		return 0;
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
	unjudged(p, t->manifests, t->nmanifests, f);
	nd_probe_done(p, ND_PASS);
	return 0;
}

const struct nd_probe_ops nd_probe_gateway = {
	.name = "gateway",
	.layer = ND_L_CONFIG,
	.start = gateway_start,
};
