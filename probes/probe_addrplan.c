/*
 * probe_addrplan.c - addrplan://: the address-plan audit (docs/talos.md 8).
 * Intersects the ranges main collected (LoadBalancer pools and IPs, VIPs,
 * node addresses, pod and service subnets, Docker networks) with each
 * other and with this host's routing table, and reports overlaps and
 * shadowing with both sides named.  The routing table is one netlink dump
 * (local, bounded, no network I/O), read synchronously like the ports
 * probe's sock_diag dump.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "addrplan.h"
#include "arena.h"
#include "probe.h"
#include "target.h"

/* Host routes kept from the dump; a host has tens, a router thousands. */
#define PLAN_MAX_ROUTES	4096

struct plan_walk {
	struct nd_probe		*p;
	struct nd_addrplan	*host;	/* this host's routes */
	struct nl_cache		*links;
};

/* Which pairs of roles must never share an address. */
static bool
plan_conflict(enum nd_claim_role a, enum nd_claim_role b)
{
	static const unsigned char m[][2] = {
		{ ND_C_LB_POOL, ND_C_POD }, { ND_C_LB_POOL, ND_C_SERVICE },
		{ ND_C_LB_POOL, ND_C_DOCKER }, { ND_C_LB_POOL, ND_C_NODE },
		{ ND_C_LB_POOL, ND_C_VIP },
		{ ND_C_LB_IP, ND_C_POD }, { ND_C_LB_IP, ND_C_SERVICE },
		{ ND_C_LB_IP, ND_C_NODE }, { ND_C_LB_IP, ND_C_VIP },
		{ ND_C_VIP, ND_C_POD }, { ND_C_VIP, ND_C_SERVICE },
		{ ND_C_NODE_NET, ND_C_POD }, { ND_C_NODE_NET, ND_C_SERVICE },
		{ ND_C_POD, ND_C_SERVICE },
		{ ND_C_DOCKER, ND_C_POD }, { ND_C_DOCKER, ND_C_SERVICE },
	};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if ((m[i][0] == a && m[i][1] == b) ||
		    (m[i][0] == b && m[i][1] == a))
			return true;
	return false;
}

/* Interfaces that carry containers or overlays, never the LAN. */
static bool
plan_foreign_dev(const char *dev)
{
	static const char *const pfx[] = { "docker", "br-", "tailscale",
	    "wg", "cni", "flannel", "cilium", "vxlan", "virbr", "lxc", "veth",
	    "kube-", "podman", "cali", "tunl", "weave", "genev",
	    "nodelocaldns" };
	size_t i;

	for (i = 0; dev != NULL && i < sizeof(pfx) / sizeof(pfx[0]); i++)
		if (strncmp(dev, pfx[i], strlen(pfx[i])) == 0)
			return true;
	return false;
}

static void
plan_route_cb(struct nl_object *obj, void *arg)
{
	struct plan_walk *w = arg;
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct nl_addr *dst = rtnl_route_get_dst(r);
	struct rtnl_nexthop *nh;
	char text[INET6_ADDRSTRLEN + 8], dev[IF_NAMESIZE] = "";
	int ifindex = 0;

	if (w->host->n >= PLAN_MAX_ROUTES || dst == NULL ||
	    rtnl_route_get_table(r) != RT_TABLE_MAIN ||
	    nl_addr_get_prefixlen(dst) == 0 ||
	    (rtnl_route_get_family(r) != AF_INET &&
	    rtnl_route_get_family(r) != AF_INET6))
		return;
	if (rtnl_route_get_type(r) != RTN_UNICAST &&
	    rtnl_route_get_type(r) != RTN_BLACKHOLE &&
	    rtnl_route_get_type(r) != RTN_UNREACHABLE)
		return;
	if (rtnl_route_get_nnexthops(r) > 0 &&
	    (nh = rtnl_route_nexthop_n(r, 0)) != NULL)
		ifindex = rtnl_route_nh_get_ifindex(nh);
	if (ifindex > 0)
		rtnl_link_i2name(w->links, ifindex, dev, sizeof(dev));
	if (rtnl_route_get_type(r) != RTN_UNICAST)
		snprintf(dev, sizeof(dev), "%s", rtnl_route_get_type(r) ==
		    RTN_BLACKHOLE ? "blackhole" : "unreachable");
	nl_addr2str(dst, text, sizeof(text));
	/* IPv6 link-local and multicast routes are on every interface. */
	if (strncmp(text, "fe80:", 5) == 0 || strncmp(text, "ff00:", 5) == 0)
		return;
	nd_addrplan_add(w->p->run->arena, w->host, ND_C_HOST_NET, text,
	    nd_arena_printf(w->p->run->arena, "this host's route to"), "this "
	    "host", dev[0] != '\0' ? dev : NULL);
}

/* Reads the main routing table; 0 or -errno. */
static int
plan_host_routes(struct nd_probe *p, struct nd_addrplan *host)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *routes = NULL, *links = NULL;
	struct plan_walk w = { p, host, NULL };
	int rc = -ENOMEM;

	if (sk == NULL)
		goto out;
	if ((rc = nl_connect(sk, NETLINK_ROUTE)) < 0 ||
	    (rc = rtnl_link_alloc_cache(sk, AF_UNSPEC, &links)) < 0 ||
	    (rc = rtnl_route_alloc_cache(sk, AF_UNSPEC, 0, &routes)) < 0) {
		rc = -EIO;
		goto out;
	}
	w.links = links;
	nl_cache_foreach(routes, plan_route_cb, &w);
	rc = 0;
out:
	nl_cache_free(routes);
	nl_cache_free(links);
	nl_socket_free(sk);
	return rc;
}

/* The most specific host route holding c's first address, or NULL. */
static const struct nd_claim *
plan_winner(const struct nd_addrplan *host, const struct nd_claim *c)
{
	const struct nd_claim *best = NULL;
	struct nd_claim one = *c;
	size_t i;

	memcpy(one.last, one.first, 16);
	for (i = 0; i < host->n; i++) {
		const struct nd_claim *h = host->claims[i];

		if (nd_claim_contains(h, &one) && (best == NULL ||
		    nd_claim_contains(best, h)))
			best = h;
	}
	return best;
}

/* Whether a node container lives inside h (the cluster runs there). */
static bool
plan_nodes_inside(const struct nd_addrplan *plan, const struct nd_claim *h)
{
	size_t i;

	for (i = 0; i < plan->n; i++)
		if (plan->claims[i]->role == ND_C_CONTAINER &&
		    nd_claim_overlaps(h, plan->claims[i]))
			return true;
	return false;
}

static bool
plan_shadows(struct nd_probe *p, const struct nd_addrplan *plan,
    const struct nd_addrplan *host)
{
	struct nd_arena *a = p->run->arena;
	struct nd_finding *f;
	size_t i;
	bool any = false;

	for (i = 0; i < plan->n; i++) {
		const struct nd_claim *c = plan->claims[i], *h;

		if (c->role != ND_C_LB_POOL && c->role != ND_C_LB_IP &&
		    c->role != ND_C_VIP && c->role != ND_C_NODE)
			continue;
		if ((h = plan_winner(host, c)) == NULL ||
		    !plan_foreign_dev(h->dev) || plan_nodes_inside(plan, h))
			continue;
		f = nd_finding_add(p, ND_F_PLAN_SHADOWED, "%s %s is shadowed on "
		    "this host by the route %s dev %s%s: traffic to it goes "
		    "into %s, not to the cluster", c->what, c->text, h->text,
		    h->dev, plan_foreign_dev(h->dev) && (strncmp(h->dev, "br-",
		    3) == 0 || strncmp(h->dev, "docker", 6) == 0) ?
		    " (a Docker bridge)" : "", h->dev);
		nd_evidence_add(f, "claim", "%s", nd_claim_describe(a, c));
		nd_evidence_add(f, "route", "%s dev %s", h->text, h->dev);
		nd_evidence_add(f, "dev", "%s", h->dev);
		nd_evidence_add(f, "range", "%s", c->text);
		nd_finding_about_range(f, c->family, c->first, c->last);
		any = true;
	}
	return any;
}

static bool
plan_overlaps(struct nd_probe *p, const struct nd_addrplan *plan,
    const struct nd_addrplan *host)
{
	struct nd_arena *a = p->run->arena;
	struct nd_finding *f;
	size_t i, j;
	bool any = false;

	for (i = 0; i < plan->n; i++)
		for (j = i + 1; j < plan->n; j++) {
			const struct nd_claim *x = plan->claims[i];
			const struct nd_claim *y = plan->claims[j];

			if (!plan_conflict(x->role, y->role) ||
			    !nd_claim_overlaps(x, y))
				continue;
			f = nd_finding_add(p, ND_F_PLAN_OVERLAP, "%s %s overlaps "
			    "%s %s", x->what, x->text, y->what, y->text);
			nd_evidence_add(f, "one", "%s", nd_claim_describe(a, x));
			nd_evidence_add(f, "other", "%s",
			    nd_claim_describe(a, y));
			any = true;
		}
	/* Pod and service subnets must not hold this host's own networks:
	   the node would route its LAN into the cluster. */
	for (i = 0; i < plan->n; i++)
		for (j = 0; j < host->n; j++) {
			const struct nd_claim *x = plan->claims[i];
			const struct nd_claim *y = host->claims[j];

			if ((x->role != ND_C_POD && x->role != ND_C_SERVICE) ||
			    y->dev == NULL || plan_foreign_dev(y->dev) ||
			    strcmp(y->dev, "lo") == 0 || !nd_claim_overlaps(x, y))
				continue;
			f = nd_finding_add(p, ND_F_PLAN_OVERLAP, "%s %s overlaps "
			    "this host's network %s on %s", x->what, x->text,
			    y->text, y->dev);
			nd_evidence_add(f, "one", "%s", nd_claim_describe(a, x));
			nd_evidence_add(f, "other", "%s",
			    nd_claim_describe(a, y));
			any = true;
		}
	return any;
}

static int
addrplan_start(struct nd_probe *p)
{
	struct nd_addrplan *plan = p->target->x->plan, host = { NULL, 0, 0 };
	struct nd_arena *a = p->run->arena;
	struct nd_finding *f;
	bool bad;
	size_t i;
	int rc;

	if (plan == NULL)
		plan = nd_arena_alloc(a, sizeof(*plan));
	if ((rc = plan_host_routes(p, &host)) < 0) {
		nd_probe_local_error(p, -rc, "read this host's routing table");
		nd_probe_done(p, ND_ERROR);
		return 0;
	}
	bad = plan_overlaps(p, plan, &host);
	bad |= plan_shadows(p, plan, &host);
	if (bad) {
		nd_probe_done(p, ND_FAIL);
		return 0;
	}
	f = nd_finding_add(p, ND_F_PLAN_OK, "address plan: %zu range%s, no "
	    "overlap, none shadowed by this host's %zu route%s", plan->n,
	    plan->n == 1 ? "" : "s", host.n, host.n == 1 ? "" : "s");
	for (i = 0; i < plan->n && i < 32; i++)
		nd_evidence_add(f, nd_arena_printf(a, "range.%zu", i + 1), "%s",
		    nd_claim_describe(a, plan->claims[i]));
	nd_probe_done(p, ND_PASS);
	return 0;
}

const struct nd_probe_ops nd_probe_addrplan = {
	.name = "addrplan",
	.layer = ND_L_CONFIG,
	.start = addrplan_start,
};
