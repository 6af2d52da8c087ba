/*
 * nodeip.c - the kubelet node IP and etcd address Talos would pick (see
 * nodeip.h), from a machine config mc.c loaded.
 *
 * The computation mirrors Talos: nodeip_config.go builds validSubnets and
 * the excludes, and siderolabs/net FilterIPs applies them in order over the
 * routed addresses.  Every step is written to the trace so that a user sees
 * why an address was or was not picked.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "netaddr.h"
#include "nodeip.h"
#include "util.h"

#define SHOW_MAX	64	/* longest value quoted in an error */

/* ---- addresses ---- */

/*
 * Parses "addr/bits", or a bare address as /32 or /128 when bare_ok
 * (siderolabs/net ParseCIDR: "the address is presumed to be on a solo
 * network").  The address keeps its host bits.
 */
static int
parse_pfx(const char *s, bool bare_ok, struct nd_pfx *ret)
{
	return nd_pfx_parse(s, bare_ok ? ND_PFX_ADDR | ND_PFX_CIDR :
	    ND_PFX_CIDR, ret);
}

/* True when ip lies in cidr. */
static bool
in_net(const struct nd_pfx *ip, const char *cidr)
{
	struct nd_pfx net;

	return nd_pfx_parse(cidr, ND_PFX_CIDR, &net) == 0 &&
	    nd_pfx_contains(&net, ip);
}

static char *
addr_str(struct nd_arena *arena, const struct nd_pfx *p)
{
	char buf[ND_PFX_TEXT_MAX];

	if (nd_addr_format(p, buf, sizeof(buf)) < 0)
		return nd_arena_strdup(arena, "?");
	return nd_arena_strdup(arena, buf);
}

/* ---- the computation ---- */

struct cand {
	struct nd_pfx	 p;	/* with the length it was given */
	char		*s;	/* the bare address */
};

struct comp {
	struct nd_arena		*arena;
	const struct nd_mc	*mc;
	struct cand		*cands;
	size_t			 ncands;
	struct nd_mc_strv		 trace, excluded, candidates, overlay;
	const char		*ts_addr;	/* collect_tailscale()'s stand-in */
};

static void
step(struct comp *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
step(struct comp *c, const char *fmt, ...)
{
	va_list ap;
	char *line;

	va_start(ap, fmt);
	line = nd_arena_vprintf(c->arena, fmt, ap);
	va_end(ap);
	/* Lines quote the config; a newline must not forge another step. */
	nd_one_line(line);
	nd_mc_strv_push(c->arena, &c->trace, line);
}

/* "a, b, c" of candidate indices, or "none". */
static char *
join_idx(struct comp *c, const size_t *idx, size_t n)
{
	char *s;
	size_t i;

	if (n == 0)
		return nd_arena_strdup(c->arena, "none");
	s = c->cands[idx[0]].s;
	for (i = 1; i < n; i++)
		s = nd_arena_printf(c->arena, "%s, %s", s, c->cands[idx[i]].s);
	return s;
}

static char *
join_strs(struct nd_arena *arena, char *const *v)
{
	char *s;
	size_t i;

	if (v == NULL || v[0] == NULL)
		return nd_arena_strdup(arena, "none");
	s = v[0];
	for (i = 1; v[i] != NULL; i++)
		s = nd_arena_printf(arena, "%s, %s", s, v[i]);
	return s;
}

/*
 * Why Talos would not route an address: it takes the node IP from the
 * routed addresses (network/node_address.go), which leave out loopback,
 * link-local and SideroLink's tunnel.
 */
static const char *
unrouted(const struct nd_pfx *p)
{
	static const struct {
		const char	*net;
		const char	*why;
	} skip[] = {
		{ "127.0.0.0/8", "loopback" },
		{ "169.254.0.0/16", "link-local" },
		{ "0.0.0.0/32", "unspecified" },
		{ "::1/128", "loopback" },
		{ "::/128", "unspecified" },
		{ "fe80::/10", "link-local" },
		{ "fdae:41e4:649b:9303::/64", "SideroLink" },
	};
	size_t i;

	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (in_net(p, skip[i].net))
			return skip[i].why;
	return NULL;
}

static void
add_cand(struct comp *c, const char *s)
{
	const char *why;
	struct nd_pfx p;
	size_t i;

	if (parse_pfx(s, true, &p) != 0) {
		step(c, "ignored '%.*s': not an address", SHOW_MAX, s);
		return;
	}
	if ((why = unrouted(&p)) != NULL) {
		step(c, "ignored %s: %s addresses are not routed, Talos never "
		    "picks them", addr_str(c->arena, &p), why);
		return;
	}
	for (i = 0; i < c->ncands; i++)
		if (nd_pfx_same_addr(&c->cands[i].p, &p))
			return;
	c->cands = nd_arena_grow(c->arena, c->cands, c->ncands, c->ncands + 1,
	    sizeof(*c->cands));
	c->cands[c->ncands].p = p;
	c->cands[c->ncands].s = addr_str(c->arena, &p);
	nd_mc_strv_push(c->arena, &c->candidates, c->cands[c->ncands].s);
	c->ncands++;
}

/*
 * The tailscale extension gives tailscale0 an address from the tailnet at
 * run time (100.64.0.0/10, and one in fd7a:115c:a1e0::/48: tailscale
 * net/tsaddr), which Talos then routes and may pick like any other.  Its
 * value is the tailnet's choice; TS_ADDR4 and TS_ADDR6 stand for it, and
 * the trace says so.  Nothing is added when the node already holds one
 * (this host, live).
 */
#define TS_ADDR4	"100.64.0.1"
#define TS_ADDR6	"fd7a:115c:a1e0::1"

static void
collect_tailscale(struct comp *c)
{
	size_t i, before = c->ncands;

	if (c->mc->ts_line == 0)
		return;
	for (i = 0; i < c->ncands; i++)
		if (in_net(&c->cands[i].p, "100.64.0.0/10"))
			return;
	add_cand(c, TS_ADDR4);
	add_cand(c, TS_ADDR6);
	if (c->ncands > before) {
		c->ts_addr = TS_ADDR4;
		step(c, "candidates: + %s and %s, standing for the addresses "
		    "tailscale0 gets from the tailnet at run time (the "
		    "tailscale extension, ExtensionServiceConfig on line %d; "
		    "100.64.0.0/10 and fd7a:115c:a1e0::/48)", TS_ADDR4, TS_ADDR6,
		    c->mc->ts_line);
	}
}

static void
collect(struct comp *c, const char *const *addrs)
{
	const struct nd_mc *mc = c->mc;
	size_t i;

	if (addrs != NULL) {
		for (i = 0; addrs[i] != NULL; i++)
			add_cand(c, addrs[i]);
		step(c, "candidates: %s (the node's addresses)",
		    join_strs(c->arena, c->candidates.v));
		collect_tailscale(c);
		return;
	}
	for (i = 0; mc->addresses != NULL && mc->addresses[i] != NULL; i++)
		add_cand(c, mc->addresses[i]);
	/* The VIP leader carries the VIP as an address: the worst case. */
	for (i = 0; mc->vips != NULL && mc->vips[i] != NULL; i++)
		add_cand(c, mc->vips[i]);
	step(c, "candidates: %s (the machine config's static addresses%s)",
	    join_strs(c->arena, c->candidates.v), mc->vips != NULL &&
	    mc->vips[0] != NULL ? ", and its VIPs as the VIP leader holds them" :
	    "");
	collect_tailscale(c);
}

/*
 * siderolabs/net FilterIPs, one subnet: a positive one appends the
 * candidates it contains that are not picked yet, in candidate order; a
 * "!" one removes the picked ones it contains.  Returns the new count, or
 * -1 when the subnet does not parse (Talos then fails the whole
 * computation).  removed gets the removed indices when not NULL.
 */
static int
filter_one(struct comp *c, const char *subnet, size_t *picked, size_t n,
    size_t *removed, size_t *nremoved)
{
	bool neg = subnet[0] == '!';
	struct nd_pfx net;
	size_t i, j, k;

	if (parse_pfx(subnet + neg, true, &net) != 0)
		return -1;
	*nremoved = 0;
	if (!neg) {
		for (i = 0; i < c->ncands; i++) {
			if (!nd_pfx_contains(&net, &c->cands[i].p))
				continue;
			for (j = 0; j < n && picked[j] != i; j++)
				continue;
			if (j == n)
				picked[n++] = i;
		}
		return (int)n;
	}
	for (j = 0, k = 0; j < n; j++) {
		if (nd_pfx_contains(&net, &c->cands[picked[j]].p)) {
			if (removed != NULL)
				removed[(*nremoved)++] = picked[j];
			continue;
		}
		picked[k++] = picked[j];
	}
	return (int)k;
}

static bool
matches_any(const struct comp *c, const char *subnet)
{
	struct nd_pfx net;
	size_t i;

	if (parse_pfx(subnet, true, &net) != 0)
		return false;
	for (i = 0; i < c->ncands; i++)
		if (nd_pfx_contains(&net, &c->cands[i].p))
			return true;
	return false;
}

/* Applies subs in order, tracing each; returns the count or -1. */
static int
filter(struct comp *c, char *const *subs, size_t *picked, const char *what)
{
	size_t before, i, nrem, *rem;
	int n = 0, rc;

	rem = nd_arena_alloc(c->arena, (c->ncands + 1) * sizeof(*rem));
	for (i = 0; subs != NULL && subs[i] != NULL; i++) {
		before = (size_t)n;
		rc = filter_one(c, subs[i], picked, (size_t)n, rem, &nrem);
		if (rc < 0) {
			step(c, "%s: '%.*s' is not a subnet: Talos stops here "
			    "(failed to parse subnet)", what, SHOW_MAX,
			    subs[i]);
			return -1;
		}
		n = rc;
		if (subs[i][0] == '!')
			step(c, "%s %s removes %s", what, subs[i],
			    nrem == 0 ? "nothing picked" : join_idx(c, rem,
			    nrem));
		else if (!matches_any(c, subs[i]))
			step(c, "%s %s matches nothing", what, subs[i]);
		else
			step(c, "%s %s adds %s", what, subs[i],
			    (size_t)n == before ? "nothing new" :
			    join_idx(c, picked + before, (size_t)n - before));
	}
	return n;
}

/*
 * Talos' default when validSubnets is empty (nodeip_config.go): the whole
 * address space of each family the service subnets use.
 */
static char **
default_valid(struct comp *c)
{
	struct nd_mc_strv sv = { NULL, 0, 0 };
	bool v4 = false, v6 = false;
	struct nd_pfx p;
	size_t i;

	for (i = 0; c->mc->service_subnets != NULL &&
	    c->mc->service_subnets[i] != NULL; i++) {
		if (parse_pfx(c->mc->service_subnets[i], true, &p) != 0)
			continue;
		if (p.family == AF_INET && !v4) {
			nd_mc_strv_push(c->arena, &sv, "0.0.0.0/0");
			v4 = true;
		} else if (p.family == AF_INET6 && !v6) {
			nd_mc_strv_push(c->arena, &sv, "::/0");
			v6 = true;
		}
	}
	if (sv.n == 0)
		nd_mc_strv_push(c->arena, &sv, "0.0.0.0/0");
	return sv.v;
}

/*
 * Removes the excludes from picked, the way Talos appends them to the
 * subnets as "!" entries: pod subnets, service subnets, then every VIP.
 * Returns the new count; *all_vips tells whether everything removed was a
 * VIP.
 */
static size_t
exclude(struct comp *c, size_t *picked, size_t n, bool *any, bool *all_vips)
{
	const struct nd_mc *mc = c->mc;
	size_t i, j, nrem, *rem;
	char *neg;
	int rc;

	rem = nd_arena_alloc(c->arena, (c->ncands + 1) * sizeof(*rem));
	*any = false;
	*all_vips = true;
	for (i = 0; mc->pod_subnets != NULL && mc->pod_subnets[i] != NULL;
	    i++) {
		neg = nd_arena_printf(c->arena, "!%s", mc->pod_subnets[i]);
		if ((rc = filter_one(c, neg, picked, n, rem, &nrem)) < 0)
			continue;
		n = (size_t)rc;
		for (j = 0; j < nrem; j++) {
			step(c, "excluded %s: in pod subnet %s "
			    "(cluster.network.podSubnets)", c->cands[rem[j]].s,
			    mc->pod_subnets[i]);
			nd_mc_strv_push(c->arena, &c->excluded, nd_arena_printf(
			    c->arena, "%s (pod subnet)", c->cands[rem[j]].s));
			*any = true;
			*all_vips = false;
		}
	}
	for (i = 0; mc->service_subnets != NULL &&
	    mc->service_subnets[i] != NULL; i++) {
		neg = nd_arena_printf(c->arena, "!%s", mc->service_subnets[i]);
		if ((rc = filter_one(c, neg, picked, n, rem, &nrem)) < 0)
			continue;
		n = (size_t)rc;
		for (j = 0; j < nrem; j++) {
			step(c, "excluded %s: in service subnet %s "
			    "(cluster.network.serviceSubnets)",
			    c->cands[rem[j]].s, mc->service_subnets[i]);
			nd_mc_strv_push(c->arena, &c->excluded, nd_arena_printf(
			    c->arena, "%s (service subnet)",
			    c->cands[rem[j]].s));
			*any = true;
			*all_vips = false;
		}
	}
	/* "filter out any virtual IPs, they can't be node IPs either" */
	for (i = 0; mc->vips != NULL && mc->vips[i] != NULL; i++) {
		neg = nd_arena_printf(c->arena, "!%s", mc->vips[i]);
		if ((rc = filter_one(c, neg, picked, n, rem, &nrem)) < 0)
			continue;
		n = (size_t)rc;
		for (j = 0; j < nrem; j++) {
			step(c, "excluded %s: it is a VIP (%s)",
			    c->cands[rem[j]].s, mc->vip_keys != NULL &&
			    mc->vip_keys[i] != NULL ? mc->vip_keys[i] : "vip");
			nd_mc_strv_push(c->arena, &c->excluded, nd_arena_printf(
			    c->arena, "%s (VIP)", c->cands[rem[j]].s));
			*any = true;
		}
	}
	return n;
}

static bool
is_vip(const struct comp *c, const struct cand *cd)
{
	struct nd_pfx p;
	size_t i;

	for (i = 0; c->mc->vips != NULL && c->mc->vips[i] != NULL; i++)
		if (parse_pfx(c->mc->vips[i], true, &p) == 0 &&
		    nd_pfx_same_addr(&p, &cd->p))
			return true;
	return false;
}

/* The first candidate that is neither a VIP nor in skip_net, or NULL. */
static const struct cand *
other_cand(const struct comp *c, const struct cand *skip)
{
	size_t i;

	for (i = 0; i < c->ncands; i++)
		if (!is_vip(c, &c->cands[i]) && (skip == NULL ||
		    !nd_pfx_same_addr(&skip->p, &c->cands[i].p)))
			return &c->cands[i];
	return NULL;
}

/*
 * etcd (controllers/etcd/config.go, spec.go): every address that
 * advertisedSubnets matches, VIPs excluded; without advertisedSubnets the
 * first routed address that is not a VIP.  Returns its candidate or NULL.
 */
static const struct cand *
etcd_pick(struct comp *c)
{
	const struct nd_mc *mc = c->mc;
	size_t *picked, n, i, nrem;
	struct nd_mc_strv subs = { NULL, 0, 0 };
	int rc;

	if (mc->type != NULL && strcmp(mc->type, "worker") == 0) {
		step(c, "etcd: none (a worker runs no etcd)");
		return NULL;
	}
	if (mc->etcd_subnets == NULL || mc->etcd_subnets[0] == NULL) {
		for (i = 0; i < c->ncands; i++)
			if (!is_vip(c, &c->cands[i]))
				break;
		if (i == c->ncands) {
			step(c, "etcd: advertisedSubnets not set, and no "
			    "routed address but VIPs: etcd has nothing to "
			    "advertise");
			return NULL;
		}
		step(c, "etcd: advertisedSubnets not set -> the first routed "
		    "address that is not a VIP: %s", c->cands[i].s);
		return &c->cands[i];
	}
	for (i = 0; mc->etcd_subnets[i] != NULL; i++)
		nd_mc_strv_push(c->arena, &subs, mc->etcd_subnets[i]);
	for (i = 0; mc->vips != NULL && mc->vips[i] != NULL; i++)
		nd_mc_strv_push(c->arena, &subs, nd_arena_printf(c->arena,
		    "!%s", mc->vips[i]));
	picked = nd_arena_alloc(c->arena, (c->ncands + 1) * sizeof(*picked));
	n = 0;
	for (i = 0; i < subs.n; i++) {
		if ((rc = filter_one(c, subs.v[i], picked, n, NULL,
		    &nrem)) < 0) {
			step(c, "etcd: advertisedSubnets entry '%.*s' is not a "
			    "subnet", SHOW_MAX, subs.v[i]);
			return NULL;
		}
		n = (size_t)rc;
	}
	step(c, "etcd: advertisedSubnets %s (VIPs excluded) -> advertises %s",
	    join_strs(c->arena, mc->etcd_subnets), join_idx(c, picked, n));
	return n > 0 ? &c->cands[picked[0]] : NULL;
}

static void
overlay_check(struct comp *c, const struct cand *cd)
{
	const struct cand *under;
	size_t i;

	if (cd == NULL || !in_net(&cd->p, "100.64.0.0/10"))
		return;
	for (i = 0; c->overlay.v != NULL && c->overlay.v[i] != NULL; i++)
		if (strcmp(c->overlay.v[i], cd->s) == 0)
			return;
	nd_mc_strv_push(c->arena, &c->overlay, cd->s);
	for (i = 0; i < c->ncands; i++)
		if (!in_net(&c->cands[i].p, "100.64.0.0/10") &&
		    !is_vip(c, &c->cands[i]))
			break;
	under = i < c->ncands ? &c->cands[i] : NULL;
	if (under != NULL)
		step(c, "overlay: %s is in 100.64.0.0/10 (CGNAT, Tailscale) "
		    "while the node also has the underlay address %s",
		    cd->s, under->s);
	else
		step(c, "overlay: %s is in 100.64.0.0/10 (CGNAT, Tailscale)",
		    cd->s);
}

void
nd_nodeip_compute(struct nd_arena *arena, const struct nd_mc *mc,
    const char *const *addrs, struct nd_nodeip *ret)
{
	struct comp c = { .arena = arena, .mc = mc };
	struct nd_nodeip r;
	const struct cand *v4 = NULL, *v6 = NULL, *etcd, *cd, *own;
	char **valid;
	size_t *picked, n, i;
	bool any_excl = false, all_vips = false;
	int rc;

	memset(&r, 0, sizeof(r));
	collect(&c, addrs);

	if (mc->valid_subnets != NULL && mc->valid_subnets[0] != NULL) {
		valid = mc->valid_subnets;
		step(&c, "validSubnets: %s (as written)",
		    join_strs(arena, valid));
	} else {
		valid = default_valid(&c);
		step(&c, "validSubnets: %s (default: "
		    "machine.kubelet.nodeIP.validSubnets is not set; one per "
		    "service subnet family)", join_strs(arena, valid));
	}
	picked = nd_arena_alloc(arena, (c.ncands + 1) * sizeof(*picked));
	if ((rc = filter(&c, valid, picked, "validSubnets")) < 0)
		n = 0;
	else
		n = exclude(&c, picked, (size_t)rc, &any_excl, &all_vips);
	step(&c, "candidates after filtering: %s", join_idx(&c, picked, n));

	/* nodeip.go keeps the first address of each family. */
	for (i = 0; i < n; i++) {
		cd = &c.cands[picked[i]];
		if (cd->p.family == AF_INET && v4 == NULL)
			v4 = cd;
		else if (cd->p.family == AF_INET6 && v6 == NULL)
			v6 = cd;
		else
			step(&c, "skipped %s: one node IP per family (Talos: "
			    "node IP skipped, please use .machine.kubelet"
			    ".nodeIP to provide explicit subnet for the node "
			    "IP)", cd->s);
	}
	if (v4 != NULL)
		step(&c, "node IP: %s", v4->s);
	if (v6 != NULL)
		step(&c, "node IP (IPv6): %s", v6->s);
	if (v4 == NULL && v6 == NULL) {
		r.only_vips = rc > 0 && any_excl && all_vips;
		step(&c, "node IP: none -> the kubelet will not start (Talos: "
		    "no suitable node IP found)");
		own = other_cand(&c, NULL);
		if (r.only_vips && own != NULL)
			step(&c, "fix: validSubnets matched only VIPs; select "
			    "the node's own address instead: "
			    "machine.kubelet.nodeIP.validSubnets: [%s/%d]",
			    own->s, own->p.family == AF_INET ? 32 : 128);
		else if (r.only_vips)
			step(&c, "fix: validSubnets matched only VIPs; give "
			    "the node a secondary address of its own and a "
			    "/32 validSubnet for it");
	}
	overlay_check(&c, v4);

	etcd = etcd_pick(&c);
	overlay_check(&c, etcd);
	if (etcd != NULL && v4 != NULL && etcd != v4 &&
	    etcd->p.family == AF_INET && !nd_pfx_contains(&v4->p, &etcd->p) &&
	    !nd_pfx_contains(&etcd->p, &v4->p))
		step(&c, "etcd advertises %s, on another network than the "
		    "kubelet node IP %s", etcd->s, v4->s);

	r.node_ip = v4 != NULL ? v4->s : NULL;
	r.node_ip6 = v6 != NULL ? v6->s : NULL;
	r.etcd_ip = etcd != NULL ? etcd->s : NULL;
	r.candidates = nd_mc_strv_done(arena, &c.candidates);
	r.excluded = nd_mc_strv_done(arena, &c.excluded);
	r.trace = nd_mc_strv_done(arena, &c.trace);
	r.overlay = nd_mc_strv_done(arena, &c.overlay);
	r.ts_addr = c.ts_addr;
	*ret = r;
}
