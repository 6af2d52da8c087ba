/*
 * diagnose.c - from findings to ranked root causes (docs/contracts.md 5.3).
 *
 * A failing finding is a root-cause candidate when its probe's
 * prerequisites passed (a skipped probe has no findings, so every failing
 * finding qualifies).  A cause explains the probes its probe blocked.
 * Rules (diag_rules) add what one probe cannot see alone, across layers
 * and targets: a note on a passing lower probe becomes the cause of a
 * failure above it, a Talos node in maintenance mode explains the refused
 * Kubernetes port on the same host; the explained finding is then not
 * ranked on its own.  Rank: severity, then how many
 * probes the cause explains, then lower layer first, then confidence, then
 * input order (a stable sort).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "finding.h"
#include "probe.h"
#include "diagnose.h"
#include "target.h"

/*
 * Rules: a finding `when` explains a `symptom` on another probe related by
 * `scope`.  The cause is `when` itself, or a finding the rule synthesises
 * (`cause`, e.g. k8s.not_bootstrapped from talos.configured + a refused
 * Kubernetes port), attributed to the first symptom's probe.  Explained
 * symptoms are not causes of their own.
 */
enum diag_scope {
	DIAG_BELOW,	/* `when` is on a probe the symptom's probe needs */
	DIAG_ABOVE,	/* `when` is on a probe that needs the symptom's */
	DIAG_HOST,	/* same address, the symptom on a `scheme` target */
	DIAG_SAME_IP,	/* same probe, same subject (one address of a pool) */
	DIAG_COVERS,	/* the symptom's address is inside `when`'s subject */
	DIAG_NAME,	/* the symptom's target is a web URL for the name
			   `when` asked about, reached by resolving it */
	DIAG_BUILTIN,	/* both on the built-in default's targets, `when` on
			   a `scheme` target */
	DIAG_SERVES,	/* the symptom's target is a web URL whose host is
			   one of `when`'s subject names (a route's
			   hostnames); a subject without names: whose
			   address is inside `when`'s subject */
	DIAG_CFORIGIN,	/* `when` on an ingress rule's origin, the symptom on
			   a web URL for a hostname the rule serves */
	DIAG_CFEDGE,	/* `when` on cloudflared://, the symptom on a web URL */
	DIAG_CFLOCAL,	/* `when` on a web URL, the symptom on cloudflared:// */
};

/*
 * Cloudflare Tunnel: the origin of an ingress rule that fails from this
 * host is why the edge answers 502 for the rule's hostname (cloudflared
 * reaches it from here, or from a host like it).
 */
#define CF_ORIGIN_RULE(w) \
	{ w, { ND_F_CFTUNNEL_ORIGIN_UNREACHABLE }, 1, DIAG_CFORIGIN, -1, w }

static const struct diag_rule {
	enum nd_code	 when;
	enum nd_code	 symptoms[8];
	size_t		 nsymptoms;	/* 0: any WARN or CRIT finding */
	enum diag_scope	 scope;
	int		 scheme;	/* DIAG_HOST: symptom target scheme */
	enum nd_code	 cause;		/* == when, or synthesised */
} diag_rules[] = {
	/* A subnet router carries the target's network, but this host does
	   not take its routes (Linux: --accept-routes is off by default),
	   or nobody approved the route: before the default route's silence
	   below claims the same symptoms. */
	{ ND_F_TAILSCALE_ROUTES_NOT_ACCEPTED, { ND_F_ROUTE_NO_ROUTE,
	  ND_F_ROUTE_UNROUTABLE_PRIVATE, ND_F_TCP_TIMEOUT,
	  ND_F_TCP_HOST_UNREACHABLE }, 4, DIAG_COVERS, -1,
	  ND_F_TAILSCALE_ROUTES_NOT_ACCEPTED },
	{ ND_F_TAILSCALE_ROUTE_NOT_APPROVED, { ND_F_ROUTE_NO_ROUTE,
	  ND_F_ROUTE_UNROUTABLE_PRIVATE, ND_F_TCP_TIMEOUT,
	  ND_F_TCP_HOST_UNREACHABLE }, 4, DIAG_COVERS, -1,
	  ND_F_TAILSCALE_ROUTE_NOT_APPROVED },
	/* tailscaled down, logged out or stopped: tailnet addresses
	   (100.64.0.0/10, MagicDNS's 100.100.100.100 among them) go silent. */
	{ ND_F_TAILSCALE_NOT_RUNNING, { ND_F_ROUTE_NO_ROUTE, ND_F_TCP_TIMEOUT,
	  ND_F_TCP_HOST_UNREACHABLE, ND_F_DNS_SERVER_UNREACHABLE }, 4,
	  DIAG_COVERS, -1, ND_F_TAILSCALE_NOT_RUNNING },
	{ ND_F_TAILSCALE_NEEDS_LOGIN, { ND_F_ROUTE_NO_ROUTE, ND_F_TCP_TIMEOUT,
	  ND_F_TCP_HOST_UNREACHABLE, ND_F_DNS_SERVER_UNREACHABLE }, 4,
	  DIAG_COVERS, -1, ND_F_TAILSCALE_NEEDS_LOGIN },
	{ ND_F_TAILSCALE_STOPPED, { ND_F_ROUTE_NO_ROUTE, ND_F_TCP_TIMEOUT,
	  ND_F_TCP_HOST_UNREACHABLE, ND_F_DNS_SERVER_UNREACHABLE }, 4,
	  DIAG_COVERS, -1, ND_F_TAILSCALE_STOPPED },
	{ ND_F_TAILSCALE_KEY_EXPIRED, { ND_F_ROUTE_NO_ROUTE, ND_F_TCP_TIMEOUT,
	  ND_F_TCP_HOST_UNREACHABLE, ND_F_DNS_SERVER_UNREACHABLE }, 4,
	  DIAG_COVERS, -1, ND_F_TAILSCALE_KEY_EXPIRED },
	/* A private target only the default route covers, then silence. */
	{ ND_F_ROUTE_UNROUTABLE_PRIVATE,
	  { ND_F_TCP_TIMEOUT, ND_F_TCP_HOST_UNREACHABLE }, 2, DIAG_BELOW, -1,
	  ND_F_ROUTE_UNROUTABLE_PRIVATE },
	/* The maintenance CA is the node's own: untrusted by design. */
	{ ND_F_TALOS_MAINTENANCE_MODE, { ND_F_TLS_UNTRUSTED }, 1, DIAG_ABOVE,
	  -1, ND_F_TALOS_MAINTENANCE_MODE },
	/* No machine config: nothing serves Kubernetes on that host. */
	{ ND_F_TALOS_MAINTENANCE_MODE, { ND_F_TCP_REFUSED }, 1, DIAG_HOST,
	  ND_S_K8S, ND_F_TALOS_MAINTENANCE_MODE },
	/* Another cluster's talosconfig: its CA trusts neither side. */
	{ ND_F_TALOS_CLIENT_CERT_REJECTED, { ND_F_TLS_UNTRUSTED }, 1,
	  DIAG_ABOVE, -1, ND_F_TALOS_CLIENT_CERT_REJECTED },
	/* Configured, yet the Kubernetes port refuses: never bootstrapped. */
	{ ND_F_TALOS_CONFIGURED, { ND_F_TCP_REFUSED }, 1, DIAG_HOST, ND_S_K8S,
	  ND_F_K8S_NOT_BOOTSTRAPPED },
	/* Nothing named, nothing found, and the default's Talos port
	   refuses: no local cluster, said once for both APIs. */
	{ ND_F_TCP_REFUSED, { ND_F_TCP_REFUSED }, 1, DIAG_BUILTIN, ND_S_TALOS,
	  ND_F_TALOS_NO_LOCAL_CLUSTER },
	/* An address off the interface's subnets: nobody there answers it. */
	{ ND_F_LINK_OUTSIDE_SUBNET, { ND_F_ARP_NO_RESPONDER }, 1, DIAG_SAME_IP,
	  -1, ND_F_LINK_OUTSIDE_SUBNET },
	/* A Talos container that publishes nothing: its bridge IP is all
	   there is, and this host does not reach it (the first incident). */
	{ ND_F_DOCKER_PORT_NOT_PUBLISHED, { ND_F_ROUTE_UNROUTABLE_PRIVATE,
	  ND_F_ROUTE_NO_ROUTE, ND_F_TCP_TIMEOUT, ND_F_TCP_HOST_UNREACHABLE }, 4,
	  DIAG_COVERS, -1, ND_F_DOCKER_PORT_NOT_PUBLISHED },
	/* This host routes the range into a bridge or overlay: nothing
	   there answers for the cluster. */
	{ ND_F_PLAN_SHADOWED, { ND_F_TCP_TIMEOUT, ND_F_TCP_HOST_UNREACHABLE,
	  ND_F_TCP_REFUSED, ND_F_DNS_SERVER_UNREACHABLE }, 4, DIAG_COVERS, -1,
	  ND_F_PLAN_SHADOWED },
	/*
	 * The Pi-hole answers a web name with a stale address, none, or a
	 * blocking one: whatever then fails on the way to that page (the
	 * resolve, the connection, TLS, the request) is its consequence.
	 */
	{ ND_F_DNS_WRONG_ANSWER, { 0 }, 0, DIAG_NAME, -1,
	  ND_F_DNS_WRONG_ANSWER },
	{ ND_F_DNS_NXDOMAIN, { 0 }, 0, DIAG_NAME, -1, ND_F_DNS_NXDOMAIN },
	{ ND_F_DNS_BLOCKED, { 0 }, 0, DIAG_NAME, -1, ND_F_DNS_BLOCKED },
	/* Nobody, or more than one station, owns the address on the LAN:
	   connections to it fail or flap, and the pages behind it with them. */
	{ ND_F_ARP_NO_RESPONDER, { ND_F_TCP_TIMEOUT, ND_F_TCP_HOST_UNREACHABLE,
	  ND_F_TCP_REFUSED, ND_F_TLS_HANDSHAKE_FAILED, ND_F_HTTP_TIMEOUT,
	  ND_F_HTTP_PROTOCOL_ERROR }, 6, DIAG_COVERS, -1,
	  ND_F_ARP_NO_RESPONDER },
	{ ND_F_ARP_DUPLICATE_IP, { ND_F_TCP_TIMEOUT, ND_F_TCP_HOST_UNREACHABLE,
	  ND_F_TCP_REFUSED, ND_F_TLS_HANDSHAKE_FAILED, ND_F_HTTP_TIMEOUT,
	  ND_F_HTTP_PROTOCOL_ERROR, ND_F_HTTP_STATUS_MISMATCH }, 7,
	  DIAG_COVERS, -1, ND_F_ARP_DUPLICATE_IP },
	/*
	 * The Gateway's status says why its proxy answers as it does (after
	 * DNS and ARP: a page never reached is theirs).  A route its Gateway
	 * refused has no route in the proxy: its names get the proxy's 404.
	 */
	{ ND_F_GATEWAY_ROUTE_NOT_ACCEPTED, { ND_F_HTTP_ROUTE_NOT_FOUND,
	  ND_F_HTTP_STATUS_MISMATCH, ND_F_HTTP_BODY_MISMATCH }, 3, DIAG_SERVES,
	  -1, ND_F_GATEWAY_ROUTE_NOT_ACCEPTED },
	/* A backendRef that names nothing: the proxy answers 500 or 503. */
	{ ND_F_GATEWAY_BACKEND_UNRESOLVED, { ND_F_HTTP_STATUS_MISMATCH,
	  ND_F_HTTP_NO_HEALTHY_UPSTREAM, ND_F_HTTP_UPSTREAM_CONNECT_ERROR,
	  ND_F_HTTP_ROUTE_NOT_FOUND, ND_F_HTTP_BODY_MISMATCH }, 5, DIAG_SERVES,
	  -1, ND_F_GATEWAY_BACKEND_UNRESOLVED },
	/* No data plane, or no address: nothing answers for its names. */
	{ ND_F_GATEWAY_NOT_PROGRAMMED, { ND_F_TCP_REFUSED, ND_F_TCP_TIMEOUT,
	  ND_F_TCP_HOST_UNREACHABLE, ND_F_TLS_HANDSHAKE_FAILED,
	  ND_F_HTTP_ROUTE_NOT_FOUND, ND_F_HTTP_TIMEOUT,
	  ND_F_HTTP_PROTOCOL_ERROR, ND_F_HTTP_STATUS_MISMATCH }, 8,
	  DIAG_SERVES, -1, ND_F_GATEWAY_NOT_PROGRAMMED },
	{ ND_F_GATEWAY_NO_ADDRESS, { ND_F_TCP_REFUSED, ND_F_TCP_TIMEOUT,
	  ND_F_TCP_HOST_UNREACHABLE, ND_F_TLS_HANDSHAKE_FAILED,
	  ND_F_HTTP_ROUTE_NOT_FOUND, ND_F_HTTP_TIMEOUT,
	  ND_F_HTTP_PROTOCOL_ERROR, ND_F_HTTP_STATUS_MISMATCH }, 8,
	  DIAG_SERVES, -1, ND_F_GATEWAY_NO_ADDRESS },
	/* The local cloudflared holds no edge connection: the edge's 1033. */
	{ ND_F_CFTUNNEL_NO_CONNECTIONS, { ND_F_CFTUNNEL_NOT_CONNECTED }, 1,
	  DIAG_CFEDGE, -1, ND_F_CFTUNNEL_NO_CONNECTIONS },
	/* No connector at the edge, and none runs here: one cause. */
	{ ND_F_CFTUNNEL_NOT_CONNECTED, { ND_F_TCP_REFUSED, ND_F_TCP_TIMEOUT },
	  2, DIAG_CFLOCAL, -1, ND_F_CFTUNNEL_NOT_CONNECTED },
	CF_ORIGIN_RULE(ND_F_CFTUNNEL_ORIGIN_SCHEME_MISMATCH),
	CF_ORIGIN_RULE(ND_F_TCP_REFUSED),
	CF_ORIGIN_RULE(ND_F_TCP_TIMEOUT),
	CF_ORIGIN_RULE(ND_F_TCP_HOST_UNREACHABLE),
	CF_ORIGIN_RULE(ND_F_RESOLVE_FAILED),
	CF_ORIGIN_RULE(ND_F_TLS_HANDSHAKE_FAILED),
	CF_ORIGIN_RULE(ND_F_HTTP_PROTOCOL_ERROR),
	CF_ORIGIN_RULE(ND_F_HTTP_TIMEOUT),
};

/* cloudflared's hostname match: exact, or "*.example.com", or "*". */
static bool
diag_cf_host(const char *pattern, const char *host)
{
	size_t pl = strlen(pattern), hl = strlen(host);

	if (strcmp(pattern, "*") == 0 || strcasecmp(pattern, host) == 0)
		return true;
	return pl > 2 && pattern[0] == '*' && pattern[1] == '.' &&
	    hl > pl - 1 && strcasecmp(host + hl - (pl - 1), pattern + 1) == 0;
}

static bool
diag_web(const struct nd_target *t)
{
	return t->scheme == ND_S_HTTP || t->scheme == ND_S_HTTPS;
}

/* "Sonarr.Lab." and "sonarr.lab" are one name (RFC 4343, the root). */
static bool
diag_same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 1 && a[la - 1] == '.')
		la--;
	if (lb > 1 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

struct diag_state {
	struct nd_arena		*arena;
	struct nd_cause		*causes;
	size_t			 ncauses, cap;
	/* findings already explained by a rule: not causes themselves */
	const struct nd_finding	**explained;
	size_t			 nexplained, explained_cap;
	/*
	 * One pass over every probe gathers what the diagnosis reads: the
	 * ids the run produced, the failing findings and the skipped probes
	 * (heap, in probe order).  Passing probes are never visited again:
	 * 10,000 of them each cost their cache misses once, not thrice.
	 */
	bool			 seen[ND_F__COUNT];
	const void		**failing;	/* struct nd_finding */
	size_t			 nfailing, failing_cap;
	const void		**skipped;	/* struct nd_probe */
	size_t			 nskipped, skipped_cap;
};

/* Appends x to a heap array that grows by doubling. */
static void
diag_push(const void ***v, size_t *n, size_t *cap, const void *x)
{
	if (*n == *cap) {
		const void **nv;

		*cap = *cap ? *cap * 2 : 64;
		if ((nv = reallocarray(*v, *cap, sizeof(**v))) == NULL)
			abort();	/* LCOV_EXCL_LINE: OutOfMemory */
		*v = nv;
	}
	(*v)[(*n)++] = x;
}

static void
diag_scan(struct diag_state *s, struct nd_probe *const *probes, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct nd_probe *p = probes[i];

		for (j = 0; j < p->nfindings; j++) {
			const struct nd_finding *f = p->findings[j];

			s->seen[f->def->code] = true;
			if (nd_finding_failing(f))
				diag_push(&s->failing, &s->nfailing,
				    &s->failing_cap, f);
		}
		if (p->status == ND_SKIP && p->blocked_by != NULL)
			diag_push(&s->skipped, &s->nskipped,
			    &s->skipped_cap, p);
	}
}


/* The cause for f, new unless one of the first `known` causes is it. */
static struct nd_cause *
diag_cause(struct diag_state *s, const struct nd_finding *f, enum nd_sev sev,
    size_t known)
{
	struct nd_cause *c;
	size_t i;

	for (i = 0; i < known && i < s->ncauses; i++)
		if (s->causes[i].finding == f)
			return &s->causes[i];
	if (s->ncauses == s->cap) {
		struct nd_cause *nc;

		/*
		 * A working array on the heap, copied into the arena at its
		 * size once the diagnosis ends: doubling in the arena kept
		 * every old copy (1.3 MB for 5,000 causes).
		 */
		s->cap = s->cap ? s->cap * 2 : 16;
		if ((nc = reallocarray(s->causes, s->cap,
		    sizeof(*s->causes))) == NULL)
			abort();	/* LCOV_EXCL_LINE: OutOfMemory */
		s->causes = nc;
	}
	c = &s->causes[s->ncauses++];
	memset(c, 0, sizeof(*c));
	c->finding = f;
	c->sev = sev;
	c->confidence = f->def->confidence;
	c->layer = f->def->layer;
	c->order = f->probe->target->index * 1000000u + f->probe->index;
	c->fix = nd_fix_expand(s->arena, f);
	c->summary = f->summary;
	return c;
}

static void
diag_explain(struct diag_state *s, struct nd_cause *c, const struct nd_probe *p)
{
	size_t i;

	for (i = 0; i < c->nexplains; i++)
		if (c->explains[i] == p)
			return;
	/* Arrays grow by doubling; the count doubles as the capacity test. */
	if ((c->nexplains & (c->nexplains - 1)) == 0)
		c->explains = nd_arena_grow(s->arena, c->explains,
		    c->nexplains, c->nexplains ? c->nexplains * 2 : 1,
		    sizeof(*c->explains));
	c->explains[c->nexplains++] = p;
}

static bool
diag_is_explained(const struct diag_state *s, const struct nd_finding *f)
{
	size_t i;

	for (i = 0; i < s->nexplained; i++)
		if (s->explained[i] == f)
			return true;
	return false;
}

/* Does p (transitively) need q? */
static bool
diag_needs(const struct nd_probe *p, const struct nd_probe *q, int depth)
{
	size_t i;

	if (depth > 16)
		return false;
	for (i = 0; i < p->nneeds; i++)
		if (p->needs[i] == q || diag_needs(p->needs[i], q, depth + 1))
			return true;
	return false;
}

static bool
diag_related(const struct diag_rule *r, const struct nd_finding *when,
    const struct nd_probe *sym, const struct nd_finding *symf)
{
	const struct nd_probe *wp = when->probe;

	switch (r->scope) {
	case DIAG_BELOW:
		return diag_needs(sym, wp, 0);
	case DIAG_ABOVE:
		return diag_needs(wp, sym, 0);
	case DIAG_HOST:
		return wp->ep->addrlen > 0 && sym->ep->addrlen > 0 &&
		    (r->scheme < 0 || (int)sym->target->scheme == r->scheme) &&
		    strcmp(wp->ep->addrstr, sym->ep->addrstr) == 0;
	case DIAG_SAME_IP:
		return wp == sym && nd_subject_equal(when->subject,
		    symf->subject);
	case DIAG_COVERS:
		return sym->ep->addrlen > 0 && nd_subject_covers(when->subject,
		    &sym->ep->addr.sa);
	case DIAG_NAME:
		return wp->target->x->qname != NULL &&
		    sym->target->host != NULL &&
		    (sym->target->scheme == ND_S_HTTP ||
		    sym->target->scheme == ND_S_HTTPS) &&
		    nd_target_ip(sym->target) == NULL &&
		    diag_same_name(wp->target->x->qname, sym->target->host);
	case DIAG_BUILTIN:
		return wp->target->builtin && sym->target->builtin &&
		    (int)wp->target->scheme == r->scheme;
	case DIAG_SERVES:
		if (sym->target->host == NULL ||
		    (sym->target->scheme != ND_S_HTTP &&
		    sym->target->scheme != ND_S_HTTPS))
			return false;
		if (when->subject != NULL && when->subject->names != NULL)
			return nd_subject_names(when->subject,
			    sym->target->host);
		return sym->ep->addrlen > 0 &&
		    nd_subject_covers(when->subject, &sym->ep->addr.sa);
	case DIAG_CFORIGIN:
		return wp->target->cf_hostname != NULL && diag_web(sym->target) &&
		    sym->target->cf_hostname == NULL &&
		    sym->target->host != NULL &&
		    diag_cf_host(wp->target->cf_hostname, sym->target->host);
	case DIAG_CFEDGE:
		return wp->target->scheme == ND_S_CLOUDFLARED &&
		    diag_web(sym->target);
	case DIAG_CFLOCAL:
		return diag_web(wp->target) &&
		    sym->target->scheme == ND_S_CLOUDFLARED;
	}
	return false;
}

/* The causes a rule makes rather than finds. */
static struct nd_finding *
diag_synthesise(struct diag_state *s, const struct diag_rule *r,
    const struct nd_finding *when, struct nd_probe *sym)
{
	struct nd_finding *f = nd_arena_alloc(s->arena, sizeof(*f));
	const char *tag = nd_evidence_get(when, "tag");

	f->def = &nd_finding_defs[r->cause];
	f->sev = f->def->sev;
	f->probe = sym;
	if (r->cause == ND_F_TALOS_NO_LOCAL_CLUSTER) {
		/* Attributed to the Talos port's own probe, where it shows. */
		f->probe = when->probe;
		f->summary = nd_arena_printf(s->arena, "no local Talos cluster "
		    "is running: nothing was named on the command line, no "
		    "talosconfig, kubeconfig or Docker socket was found, and "
		    "the built-in default %s refuses connections",
		    when->probe->ep->label);
		f->ev = nd_arena_alloc(s->arena, 2 * sizeof(*f->ev));
		f->ev[f->nev].key = "looked_for";
		f->ev[f->nev++].value = "./netdoctor.yaml, $TALOSCONFIG or "
		    "~/.talos/config, $KUBECONFIG or ~/.kube/config, "
		    "/var/run/docker.sock";
		f->ev[f->nev].key = "refused";
		f->ev[f->nev++].value = when->probe->ep->label;
		return f;
	}
	f->summary = nd_arena_printf(s->arena, "the Talos node at %s is "
	    "configured (Talos %s) but nothing listens on its Kubernetes API "
	    "at %s: the cluster was never bootstrapped", when->probe->ep->label,
	    tag != NULL ? tag : "?", sym->ep->label);
	f->ev = nd_arena_alloc(s->arena, 3 * sizeof(*f->ev));
	f->ev[f->nev].key = "talos";
	f->ev[f->nev++].value = when->probe->target->url;
	f->ev[f->nev].key = "talos_version";
	f->ev[f->nev++].value = tag != NULL ? tag : "?";
	f->ev[f->nev].key = "kubernetes";
	f->ev[f->nev++].value = sym->target->url;
	return f;
}

/*
 * Whether f can start the rule at all, checked once per finding rather
 * than once per pair: the built-in default's rule starts from a refusal,
 * and 5,000 refused targets must not cost 25 million comparisons.
 */
static bool
diag_when_ok(const struct diag_rule *r, const struct nd_finding *f)
{
	if (r->scope == DIAG_BUILTIN)
		return f->probe->target->builtin &&
		    (int)f->probe->target->scheme == r->scheme;
	return true;
}

static void
diag_rules_apply(struct diag_state *s, struct nd_probe *const *probes,
    size_t n)
{
	const struct nd_finding **whens = NULL;
	size_t r, i, j, k, w, nwhen, cap = 0;

	for (r = 0; r < ND_ARRAY_SIZE(diag_rules); r++) {
		const struct diag_rule *rule = &diag_rules[r];
		struct nd_finding **made = NULL;

		/*
		 * A rule whose starting id the run did not produce needs no
		 * pass over every finding (10,000 targets, 30-odd rules).
		 */
		if (!s->seen[rule->when])
			continue;
		/* Every finding this rule starts from, once. */
		nwhen = 0;
		for (i = 0; i < n; i++)
			for (j = 0; j < probes[i]->nfindings; j++) {
				struct nd_finding *f = probes[i]->findings[j];

				if (f->def->code != rule->when ||
				    !diag_when_ok(rule, f))
					continue;
				if (nwhen == cap) {
					cap = cap ? cap * 2 : 8;
					whens = realloc(whens, cap *
					    sizeof(*whens));
					if (whens == NULL)
						abort();	/* LCOV_EXCL_LINE */
				}
				whens[nwhen++] = f;
			}
		if (nwhen == 0)
			continue;
		made = nd_arena_alloc(s->arena, nwhen * sizeof(*made));
		for (i = 0; i < n; i++) {
			struct nd_probe *p = probes[i];

			for (j = 0; j < p->nfindings; j++) {
				struct nd_finding *sym = p->findings[j];
				struct nd_cause *c;

				for (k = 0; k < rule->nsymptoms; k++)
					if (sym->def->code == rule->symptoms[k])
						break;
				if (rule->nsymptoms == 0 ? (sym->sev !=
				    ND_SEV_WARN && sym->sev != ND_SEV_CRIT) ||
				    sym->def->code == rule->when :
				    k == rule->nsymptoms)
					continue;
				if (diag_is_explained(s, sym))
					continue;
				for (w = 0; w < nwhen; w++)
					if (diag_related(rule, whens[w], p, sym))
						break;
				if (w == nwhen)
					continue;
				if (rule->cause == rule->when) {
					c = diag_cause(s, whens[w],
					    whens[w]->def->sev, s->ncauses);
				} else {
					if (made[w] == NULL)
						made[w] = diag_synthesise(s,
						    rule, whens[w], p);
					c = diag_cause(s, made[w],
					    made[w]->sev, s->ncauses);
				}
				/* A cause is at least as grave as what it explains. */
				c->sev = nd_sev_worse(c->sev, sym->sev);
				diag_explain(s, c, p);
				if (s->nexplained == s->explained_cap) {
					s->explained_cap = s->explained_cap ?
					    s->explained_cap * 2 : 16;
					s->explained = nd_arena_grow(s->arena,
					    s->explained, s->nexplained,
					    s->explained_cap,
					    sizeof(*s->explained));
				}
				s->explained[s->nexplained++] = sym;
			}
		}
	}
	free(whens);
}

static int
diag_cmp(const void *va, const void *vb)
{
	const struct nd_cause *a = va, *b = vb;

	if (nd_sev_rank(a->sev) != nd_sev_rank(b->sev))
		return nd_sev_rank(b->sev) - nd_sev_rank(a->sev);
	if (a->nexplains != b->nexplains)
		return a->nexplains > b->nexplains ? -1 : 1;
	if (a->layer != b->layer)
		return (int)a->layer - (int)b->layer;
	if (a->confidence != b->confidence)
		return b->confidence - a->confidence;
	return a->order < b->order ? -1 : a->order > b->order;
}

/*
 * Links every probe to the causes that explain it directly (its own
 * failing finding, or the probes a rule's cause explained), as chains of
 * nodes, so that each blocked probe finds its causes without a scan.
 */
static void
diag_blocked(struct diag_state *s, struct nd_probe *const *probes, size_t n)
{
	struct node { size_t cause, next; } *node = NULL;
	size_t *head, nnode = 0, cap = 0, i, j, k;

	/* Nothing to explain, or nothing skipped to be explained. */
	if (s->ncauses == 0 || s->nskipped == 0)
		return;
	if ((head = calloc(n, sizeof(*head))) == NULL)
		abort();	/* LCOV_EXCL_LINE: OutOfMemory */
	for (k = 0; k < s->ncauses; k++) {
		const struct nd_cause *c = &s->causes[k];

		/* Anchors: its own probe, then what a rule made it explain. */
		for (j = 0; j <= c->nexplains; j++) {
			size_t idx = j == 0 ? c->finding->probe->index :
			    c->explains[j - 1]->index;

			if (idx >= n)
				continue;
			if (nnode + 1 >= cap) {
				cap = cap ? cap * 2 : 64;
				node = realloc(node, cap * sizeof(*node));
				if (node == NULL)
					abort();	/* LCOV_EXCL_LINE */
			}
			/* Node 0 is unused: 0 ends a chain. */
			nnode++;
			node[nnode].cause = k;
			node[nnode].next = head[idx];
			head[idx] = nnode;
		}
	}
	for (i = 0; i < s->nskipped; i++) {
		const struct nd_probe *p = s->skipped[i];

		if (p->blocked_by->index >= n)
			continue;
		for (j = head[p->blocked_by->index]; j != 0; j = node[j].next)
			diag_explain(s, &s->causes[node[j].cause], p);
	}
	free(head);
	free(node);
}

static int
diag_merge_cmp(const void *va, const void *vb)
{
	const struct nd_cause *a = *(const struct nd_cause *const *)va;
	const struct nd_cause *b = *(const struct nd_cause *const *)vb;
	size_t ta = a->finding->probe->target->index;
	size_t tb = b->finding->probe->target->index;

	if (ta != tb)
		return ta < tb ? -1 : 1;
	if (a->finding->def != b->finding->def)
		return a->finding->def < b->finding->def ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/*
 * A target given by name is probed once per address; the same failure on
 * several of its addresses is one cause, said as such ("2 of 3 addresses
 * of api.lab:6443 refuse"), explaining the other addresses' probes.
 * Merged-away causes are removed from the list.
 */
static void
diag_merge_addresses(struct diag_state *s, struct nd_probe *const *probes,
    size_t n)
{
	struct nd_cause **v = calloc(s->ncauses + 1, sizeof(*v));
	size_t i, j, k, nv = 0, out;

	if (v == NULL)
		abort();	/* LCOV_EXCL_LINE: OutOfMemory */
	for (i = 0; i < s->ncauses; i++) {
		const struct nd_probe *p = s->causes[i].finding->probe;

		if (p->target->host != NULL && !p->target->host_is_ip &&
		    p->ep->addrlen > 0)
			v[nv++] = &s->causes[i];
	}
	qsort(v, nv, sizeof(*v), diag_merge_cmp);
	for (i = 0; i < nv; i = j) {
		struct nd_cause *c = v[i];
		const struct nd_probe *cp = c->finding->probe;
		char addrs[512];
		size_t o, total = 0;

		for (j = i + 1; j < nv &&
		    v[j]->finding->probe->target == cp->target &&
		    v[j]->finding->def == c->finding->def; j++)
			;
		if (j - i < 2)
			continue;
		for (k = 0; k < n; k++)
			total += probes[k]->target == cp->target &&
			    probes[k]->ops == cp->ops;
		o = (size_t)snprintf(addrs, sizeof(addrs), "%s", cp->ep->addrstr);
		for (k = i + 1; k < j; k++) {
			struct nd_cause *d = v[k];
			size_t e;

			diag_explain(s, c, d->finding->probe);
			for (e = 0; e < d->nexplains; e++)
				diag_explain(s, c, d->explains[e]);
			if (o + 50 < sizeof(addrs))
				o += (size_t)snprintf(addrs + o, sizeof(addrs) - o,
				    ", %s", d->finding->probe->ep->addrstr);
			d->finding = NULL;	/* merged away */
		}
		c->addresses = nd_arena_strdup(s->arena, addrs);
		c->summary = nd_arena_printf(s->arena, "%zu of %zu addresses of "
		    "%s fail the same way: %s", j - i, total, cp->target->host,
		    c->finding->summary);
	}
	free(v);
	for (i = 0, out = 0; i < s->ncauses; i++)
		if (s->causes[i].finding != NULL)
			s->causes[out++] = s->causes[i];
	s->ncauses = out;
}

void
nd_diagnose(struct nd_arena *arena, struct nd_probe *const *probes, size_t n,
    struct nd_cause **ret, size_t *ret_n)
{
	struct diag_state s = { .arena = arena };
	size_t i, nrule;

	diag_scan(&s, probes, n);
	diag_rules_apply(&s, probes, n);
	/* Findings are unique, so only the rules' causes can repeat. */
	nrule = s.ncauses;
	for (i = 0; i < s.nfailing; i++) {
		const struct nd_finding *f = s.failing[i];

		if (!diag_is_explained(&s, f))
			diag_cause(&s, f, f->sev, nrule);
	}
	diag_blocked(&s, probes, n);
	diag_merge_addresses(&s, probes, n);
	/* qsort is not stable; `order` is unique, which makes it so. */
	if (s.ncauses > 1)
		qsort(s.causes, s.ncauses, sizeof(*s.causes), diag_cmp);
	for (i = 0; i < s.ncauses; i++)
		s.causes[i].rank = i + 1;
	*ret = nd_arena_grow(arena, s.causes, s.ncauses, s.ncauses + 1,
	    sizeof(*s.causes));
	free(s.causes);
	free(s.failing);
	free(s.skipped);
	*ret_n = s.ncauses;
}

static const char *
fix_lookup(const struct nd_finding *f, const char *key)
{
	const struct nd_target *t = f->probe->target;
	const char *v = nd_evidence_get(f, key);
	static __thread char port[8];

	if (v != NULL)
		return v;
	/* The machine the probe talked to: nd-connect's, when given. */
	if (strcmp(key, "host") == 0 && t->host != NULL)
		return nd_target_ip(t) != NULL ? nd_target_ip(t) : t->host;
	if (strcmp(key, "addr") == 0 && f->probe->ep->addrstr[0] != '\0')
		return f->probe->ep->addrstr;
	/* http+unix://: the socket is where it connected ("unix:PATH"). */
	if (strcmp(key, "addr") == 0 && nd_target_unix(t) != NULL)
		return f->probe->ep->label;
	if (strcmp(key, "port") == 0 && t->port != 0) {
		snprintf(port, sizeof(port), "%u", t->port);
		return port;
	}
	if (strcmp(key, "url") == 0)
		return t->url;
	if (strcmp(key, "iface") == 0 && t->x->iface != NULL)
		return t->x->iface;
	return NULL;
}

const char *
nd_fix_expand(struct nd_arena *a, const struct nd_finding *f)
{
	const char *s = f->def->fix;
	char out[1024], key[32];
	size_t o = 0;

	if (strchr(s, '{') == NULL)
		return s;	/* nothing to fill in: the table's own text */
	while (*s != '\0' && o + 1 < sizeof(out)) {
		const char *end, *v;
		size_t klen, n;

		/* The text up to the next brace in one piece. */
		if ((n = (size_t)(strchrnul(s, '{') - s)) > 0) {
			if (n > sizeof(out) - 1 - o)
				n = sizeof(out) - 1 - o;
			memcpy(out + o, s, n);
			o += n;
			s += n;
			continue;
		}
		if ((end = strchr(s, '}')) == NULL ||
		    (klen = (size_t)(end - s - 1)) == 0 || klen >= sizeof(key)) {
			out[o++] = *s++;
			continue;
		}
		memcpy(key, s + 1, klen);
		key[klen] = '\0';
		if ((v = fix_lookup(f, key)) == NULL) {
			out[o++] = *s++;	/* leave unknown keys visible */
			continue;
		}
		n = strnlen(v, sizeof(out) - 1 - o);
		memcpy(out + o, v, n);
		o += n;
		s = end + 1;
	}
	out[o] = '\0';
	return nd_arena_strdup(a, out);
}
