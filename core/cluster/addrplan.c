/*
 * addrplan.c - collecting the address plan (see addrplan.h).
 */
#include <string.h>

#include "addrplan.h"
#include "arena.h"
#include "config.h"
#include "docker.h"
#include "manifests.h"
#include "mc.h"
#include "netaddr.h"

/* The claim's range, as a value. */
static void
claim_range(const struct nd_claim *c, struct nd_iprange *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->first.family = ret->last.family = c->family;
	ret->first.bits = ret->last.bits = c->family == AF_INET ? 32 : 128;
	memcpy(ret->first.a, c->first, 16);
	memcpy(ret->last.a, c->last, 16);
}

void
nd_addrplan_add(struct nd_arena *a, struct nd_addrplan *p,
    enum nd_claim_role role, const char *text, const char *what,
    const char *source, const char *dev)
{
	struct nd_iprange r;
	struct nd_claim c, *n;
	size_t i;

	if (text == NULL || nd_iprange_parse(text, &r) != 0)
		return;
	memset(&c, 0, sizeof(c));
	c.family = r.first.family;
	memcpy(c.first, r.first.a, 16);
	memcpy(c.last, r.last.a, 16);
	for (i = 0; i < p->n; i++)
		if (p->claims[i]->role == role && memcmp(p->claims[i]->first,
		    c.first, 16) == 0 && memcmp(p->claims[i]->last, c.last,
		    16) == 0 && strcmp(p->claims[i]->what, what) == 0)
			return;
	if (p->n + 1 >= p->cap) {
		p->claims = nd_arena_grow(a, p->claims, p->cap, p->cap ?
		    p->cap * 2 : 16, sizeof(*p->claims));
		p->cap = p->cap ? p->cap * 2 : 16;
	}
	n = nd_arena_alloc(a, sizeof(*n));
	*n = c;
	n->role = role;
	n->text = nd_arena_strdup(a, text);
	n->what = nd_arena_strdup(a, what);
	n->source = nd_arena_strdup(a, source);
	n->dev = dev != NULL ? nd_arena_strdup(a, dev) : NULL;
	p->claims[p->n++] = n;
}

void
nd_addrplan_from_config(struct nd_arena *a, struct nd_addrplan *p,
    const struct nd_config *cfg)
{
	const char *src;
	size_t i;

	if (cfg == NULL)
		return;
	src = nd_arena_printf(a, "%s:%d", cfg->path != NULL ? cfg->path :
	    "config", cfg->l2_pool_line ? cfg->l2_pool_line : cfg->l2_line);
	if (cfg->l2_pool != NULL)
		nd_addrplan_add(a, p, ND_C_LB_POOL, cfg->l2_pool,
		    "the LoadBalancer pool (l2.pool)", src, NULL);
	for (i = 0; cfg->l2_addresses != NULL && cfg->l2_addresses[i] != NULL;
	    i++)
		nd_addrplan_add(a, p, ND_C_LB_IP, cfg->l2_addresses[i],
		    "the LoadBalancer IP (l2.addresses)", src, NULL);
}

void
nd_addrplan_from_mc(struct nd_arena *a, struct nd_addrplan *p,
    const struct nd_mc *mc)
{
	const char *src = nd_arena_printf(a, "%s:%d", mc->path, mc->line);
	const char *node = mc->hostname != NULL ? mc->hostname : "a node";
	size_t i;

	for (i = 0; mc->addresses != NULL && mc->addresses[i] != NULL; i++) {
		char ip[64];
		size_t n = strcspn(mc->addresses[i], "/");

		nd_addrplan_add(a, p, ND_C_NODE_NET, mc->addresses[i],
		    nd_arena_printf(a, "%s's network", node), src, NULL);
		if (n < sizeof(ip)) {
			memcpy(ip, mc->addresses[i], n);
			ip[n] = '\0';
			nd_addrplan_add(a, p, ND_C_NODE, ip, nd_arena_printf(a,
			    "%s's address", node), src, NULL);
		}
	}
	for (i = 0; mc->vips != NULL && mc->vips[i] != NULL; i++)
		nd_addrplan_add(a, p, ND_C_VIP, mc->vips[i], nd_arena_printf(a,
		    "%s's VIP", node), src, NULL);
	/* The tailscale extension's TS_ROUTES: the node's own network, as
	   it advertises it to the tailnet. */
	for (i = 0; mc->ts_routes != NULL && mc->ts_routes[i] != NULL; i++)
		nd_addrplan_add(a, p, ND_C_NODE_NET, mc->ts_routes[i],
		    nd_arena_printf(a, "the subnet %s advertises to the tailnet "
		    "(TS_ROUTES)", node), nd_arena_printf(a, "%s:%d", mc->path,
		    mc->ts_line), NULL);
	for (i = 0; mc->pod_subnets != NULL && mc->pod_subnets[i] != NULL; i++)
		nd_addrplan_add(a, p, ND_C_POD, mc->pod_subnets[i],
		    "the pod subnet", src, NULL);
	for (i = 0; mc->service_subnets != NULL &&
	    mc->service_subnets[i] != NULL; i++)
		nd_addrplan_add(a, p, ND_C_SERVICE, mc->service_subnets[i],
		    "the service subnet", src, NULL);
}

void
nd_addrplan_from_manifests(struct nd_arena *a, struct nd_addrplan *p,
    const struct nd_manifests *mf)
{
	size_t i, k;

	for (i = 0; mf->blocks[i] != NULL; i++)
		if (!mf->blocks[i]->disabled)
			nd_addrplan_add(a, p, ND_C_LB_POOL, mf->blocks[i]->range,
			    nd_arena_printf(a, "the LoadBalancer pool %s",
			    mf->blocks[i]->pool), mf->blocks[i]->src, NULL);
	for (i = 0; mf->lbs[i] != NULL; i++)
		for (k = 0; mf->lbs[i]->ips[k] != NULL; k++)
			nd_addrplan_add(a, p, ND_C_LB_IP, mf->lbs[i]->ips[k],
			    nd_arena_printf(a, "the LoadBalancer IP of %s %s/%s",
			    mf->lbs[i]->kind, mf->lbs[i]->ns, mf->lbs[i]->name),
			    mf->lbs[i]->src, NULL);
}

void
nd_addrplan_from_docker(struct nd_arena *a, struct nd_addrplan *p,
    const struct nd_docker *dk)
{
	struct nd_dk_network *const *nets = dk->networks;
	size_t i, k;

	/* Cluster nodes that are containers: their network is meant to
	   carry the cluster (Talos in Docker, kind with MetalLB). */
	for (i = 0; dk->containers != NULL && dk->containers[i] != NULL; i++) {
		const struct nd_dk_container *c = dk->containers[i];

		if (!c->talos && c->kind_cluster == NULL)
			continue;
		for (k = 0; k < c->neps; k++)
			nd_addrplan_add(a, p, ND_C_CONTAINER, c->eps[k].ip,
			    nd_arena_printf(a, "container %s", c->name),
			    "docker", NULL);
	}
	for (i = 0; nets != NULL && nets[i] != NULL; i++)
		for (k = 0; nets[i]->subnets[k] != NULL; k++)
			nd_addrplan_add(a, p, ND_C_DOCKER, nets[i]->subnets[k],
			    nd_arena_printf(a, "Docker network %s", nets[i]->name),
			    "docker", nets[i]->bridge);
}

bool
nd_claim_overlaps(const struct nd_claim *a, const struct nd_claim *b)
{
	struct nd_iprange x, y;

	claim_range(a, &x);
	claim_range(b, &y);
	return nd_iprange_overlaps(&x, &y);
}

bool
nd_claim_contains(const struct nd_claim *a, const struct nd_claim *b)
{
	struct nd_iprange x, y;

	claim_range(a, &x);
	claim_range(b, &y);
	return nd_iprange_covers(&x, &y);
}

bool
nd_addrplan_range_contains(const struct nd_iprange *range,
    const struct nd_pfx *addr)
{
	return nd_iprange_contains(range, addr);
}

bool
nd_addrplan_text_contains(const char *text, const char *ip)
{
	struct nd_iprange r, a;

	if (nd_iprange_parse(text, &r) != 0 || nd_iprange_parse(ip, &a) != 0)
		return false;
	/* An address is the common case; a range must fit whole. */
	if (nd_pfx_same_addr(&a.first, &a.last))
		return nd_addrplan_range_contains(&r, &a.first);
	return nd_iprange_covers(&r, &a);
}

const char *
nd_claim_describe(struct nd_arena *a, const struct nd_claim *c)
{
	return nd_arena_printf(a, "%s %s (%s%s%s)", c->what, c->text, c->source,
	    c->dev != NULL ? ", " : "", c->dev != NULL ? c->dev : "");
}
