/*
 * nodeip.c - the kubelet node IP and etcd address Talos would pick (see
 * nodeip.h and talos-wire.md 6).
 *
 * Loading reads only the keys the computation needs from the v1alpha1
 * document and ignores the hundreds of others, so that the secrets a
 * machine config holds (machine.token, the CA keys) are never copied,
 * never compared and never quoted in an error.
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
#include "ytree.h"

/*
 * Machine configs carry certificates and, with inline manifests, whole
 * CNI manifests: a few hundred KiB is normal, so the bounds are wider than
 * netdoctor.yaml's.
 */
#define MC_MAX_BYTES	(4 * 1024 * 1024)
#define MC_MAX_DEPTH	64
#define MC_MAX_NODES	200000

#define SHOW_MAX	64	/* longest value quoted in an error */
#define WHERE_MAX	128	/* "machine.network.interfaces[3].vlans[2]" */

/* Talos' defaults (cluster.network in v1alpha1_provider.go). */
#define DEFAULT_POD_SUBNET	"10.244.0.0/16"
#define DEFAULT_SERVICE_SUBNET	"10.96.0.0/12"

/* ---- addresses ---- */

enum vkind {
	V_IP,		/* a bare address: vip.ip, nameservers */
	V_ADDR,		/* an interface address, CIDR or bare */
	V_SUBNET,	/* CIDR: podSubnets, serviceSubnets */
	V_FILTER,	/* FilterIPs syntax: optional "!", CIDR or bare */
};

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

/* ---- growable NULL-terminated string arrays ---- */

struct strv {
	char		**v;
	size_t		  n, cap;
};

static void
strv_push(struct nd_arena *arena, struct strv *sv, char *s)
{
	if (sv->n + 1 >= sv->cap) {
		sv->cap = sv->cap == 0 ? 8 : sv->cap * 2;
		sv->v = nd_arena_grow(arena, sv->v, sv->n, sv->cap,
		    sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

/* An empty array rather than NULL, so that callers can always iterate. */
static char **
strv_done(struct nd_arena *arena, struct strv *sv)
{
	if (sv->v == NULL)
		return nd_arena_alloc(arena, sizeof(char *));
	return sv->v;
}

/* ---- loading ---- */

struct mparse {
	struct nd_ycheck ck;
	struct nd_mc	*mc;
	struct strv	 addresses, vips, vip_keys;
};

#define merr(mp, ...)	nd_ycheck_err(&(mp)->ck, __VA_ARGS__)

/*
 * The value of key in map as a mapping, NULL when absent or null.  A key
 * we read given twice is refused, as Talos' YAML decoder (yaml.v3) refuses
 * it; keys we do not read are not looked at.
 */
static int
get_map(struct mparse *mp, const struct nd_ynode *map, const char *where,
    const char *key, const struct nd_ynode **ret)
{
	struct nd_ykv kv;
	int rc;

	if ((rc = nd_yget(&mp->ck, map, where, key, ND_Y_MAP, false,
	    &kv)) != 0)
		return rc;
	*ret = kv.v;
	return 0;
}

/* Checks one address-like value; where names it in the message. */
static int
check_value(struct mparse *mp, const struct nd_ynode *e, const char *where,
    enum vkind kind)
{
	static const char *const what[] = {
		[V_IP] = "an IP address",
		[V_ADDR] = "an address (CIDR)",
		[V_SUBNET] = "a subnet",
		[V_FILTER] = "a subnet",
	};
	const char *s;
	struct nd_pfx p;
	int ok, rc;

	if ((rc = nd_ywant(&mp->ck, e, e->line, where, ND_Y_SCALAR,
	    NULL)) != 0)
		return rc;
	s = e->str;
	if (kind == V_FILTER && s[0] == '!')
		s++;
	ok = parse_pfx(s, kind != V_SUBNET, &p) == 0;
	/* A VIP or a nameserver is one address, not a network. */
	if (ok && kind == V_IP)
		ok = nd_pfx_parse(s, ND_PFX_ADDR, &p) == 0;
	if (!ok)
		return merr(mp, e->line, "%s: '%.*s%s' is not %s", where,
		    ND_YSHOW(e->str, e->len), what[kind]);
	return 0;
}

/*
 * A list of checked strings; *ret is NULL when the key is absent, so that
 * "not set" (Talos' default applies) differs from an empty list.
 */
static int
get_list(struct mparse *mp, const struct nd_ynode *map, const char *where,
    const char *key, enum vkind kind, struct strv *add, char ***ret)
{
	char name[WHERE_MAX], ename[WHERE_MAX + 24];
	struct strv sv = { NULL, 0, 0 };
	const struct nd_ynode *v;
	struct nd_ykv kv;
	size_t i;
	int rc;

	if ((rc = nd_yget(&mp->ck, map, where, key, ND_Y_SEQ, false,
	    &kv)) != 0)
		return rc;
	if ((v = kv.v) == NULL) {
		if (ret != NULL)
			*ret = NULL;
		return 0;
	}
	snprintf(name, sizeof(name), "%s%s%s", where, *where ? "." : "", key);
	for (i = 0; i < v->n; i++) {
		snprintf(ename, sizeof(ename), "%s[%zu]", name, i);
		if ((rc = check_value(mp, v->kids[i], ename, kind)) != 0)
			return rc;
		strv_push(mp->ck.arena, add != NULL ? add : &sv,
		    v->kids[i]->str);
	}
	if (ret != NULL)
		*ret = strv_done(mp->ck.arena, &sv);
	return 0;
}

/* vip.ip of an interface or VLAN, remembered with where it was written. */
static int
get_vip(struct mparse *mp, const struct nd_ynode *map, const char *where,
    const char *short_where)
{
	char name[WHERE_MAX];
	const struct nd_ynode *vip;
	struct nd_ykv ip;
	int rc;

	if ((rc = get_map(mp, map, where, "vip", &vip)) != 0 || vip == NULL)
		return rc;
	snprintf(name, sizeof(name), "%s.vip", where);
	if ((rc = nd_yfind(&mp->ck, vip, name, "ip", &ip)) != 0 ||
	    ip.v == NULL)
		return rc;
	snprintf(name, sizeof(name), "%s.vip.ip", where);
	if ((rc = check_value(mp, ip.v, name, V_IP)) != 0)
		return rc;
	strv_push(mp->ck.arena, &mp->vips, ip.v->str);
	strv_push(mp->ck.arena, &mp->vip_keys, nd_arena_printf(mp->ck.arena,
	    "%s.vip.ip", short_where));
	return 0;
}

/* Addresses and the VIP of an interface or a VLAN. */
static int
get_link(struct mparse *mp, const struct nd_ynode *link, const char *where,
    const char *short_where)
{
	struct nd_ykv kv;
	struct nd_pfx p;
	char *cidr;
	int rc;

	if ((rc = get_list(mp, link, where, "addresses", V_ADDR,
	    &mp->addresses, NULL)) != 0)
		return rc;
	/* The single address of configs written before "addresses". */
	if ((rc = nd_yget_str(&mp->ck, link, where, "cidr", false, &cidr,
	    &kv)) != 0)
		return rc;
	if (cidr != NULL && parse_pfx(cidr, true, &p) != 0)
		return merr(mp, kv.v->line, "%s.cidr: '%.*s%s' is not an "
		    "address (CIDR)", where, ND_YSHOW(cidr, kv.v->len));
	if (cidr != NULL)
		strv_push(mp->ck.arena, &mp->addresses, cidr);
	return get_vip(mp, link, where, short_where);
}

static int
get_interfaces(struct mparse *mp, const struct nd_ynode *net)
{
	static const char where[] = "machine.network.interfaces";
	/* Sized so that each name fits in the next: no truncation. */
	char name[64], sname[48], vlist[WHERE_MAX], vname[WHERE_MAX];
	char vsname[WHERE_MAX];
	const struct nd_ynode *ifs, *ifc, *vlans;
	struct nd_ykv kv;
	char *dummy;
	size_t i, j;
	int rc;

	if ((rc = nd_yget(&mp->ck, net, "machine.network", "interfaces",
	    ND_Y_SEQ, false, &kv)) != 0 || (ifs = kv.v) == NULL)
		return rc;
	for (i = 0; i < ifs->n; i++) {
		ifc = ifs->kids[i];
		snprintf(name, sizeof(name), "%s[%zu]", where, i);
		snprintf(sname, sizeof(sname), "interfaces[%zu]", i);
		if ((rc = nd_ywant_item(&mp->ck, ifs, i, where, ND_Y_MAP,
		    NULL)) != 0)
			return rc;
		/* Only its type is checked: the name does not matter here. */
		if ((rc = nd_yget_str(&mp->ck, ifc, name, "interface", false,
		    &dummy, NULL)) != 0)
			return rc;
		if ((rc = get_link(mp, ifc, name, sname)) != 0)
			return rc;
		if ((rc = nd_yget(&mp->ck, ifc, name, "vlans", ND_Y_SEQ, false,
		    &kv)) != 0)
			return rc;
		if ((vlans = kv.v) == NULL)
			continue;
		snprintf(vlist, sizeof(vlist), "%s.vlans", name);
		for (j = 0; j < vlans->n; j++) {
			if ((rc = nd_ywant_item(&mp->ck, vlans, j, vlist,
			    ND_Y_MAP, NULL)) != 0)
				return rc;
			snprintf(vname, sizeof(vname), "%s.vlans[%zu]", name,
			    j);
			snprintf(vsname, sizeof(vsname), "%s.vlans[%zu]",
			    sname, j);
			if ((rc = get_link(mp, vlans->kids[j], vname,
			    vsname)) != 0)
				return rc;
		}
	}
	return 0;
}

static int
get_machine(struct mparse *mp, const struct nd_ynode *machine)
{
	static const char *const types[] = { "controlplane", "worker",
	    "init" };
	const struct nd_ynode *net, *kubelet, *nodeip;
	struct nd_mc *mc = mp->mc;
	struct nd_ykv kv;
	size_t i;
	int rc;

	if ((rc = nd_yget_str(&mp->ck, machine, "machine", "type", false,
	    &mc->type, &kv)) != 0)
		return rc;
	for (i = 0; mc->type != NULL && i < sizeof(types) / sizeof(types[0]);
	    i++)
		if (strcmp(mc->type, types[i]) == 0)
			break;
	if (mc->type != NULL && i == sizeof(types) / sizeof(types[0]))
		return merr(mp, kv.v->line, "machine.type: '%.*s%s' is not one "
		    "of controlplane, worker, init",
		    ND_YSHOW(mc->type, kv.v->len));
	if ((rc = get_map(mp, machine, "machine", "network", &net)) != 0)
		return rc;
	if (net != NULL) {
		if ((rc = nd_yget_str(&mp->ck, net, "machine.network",
		    "hostname", false, &mc->hostname, NULL)) != 0)
			return rc;
		if ((rc = get_interfaces(mp, net)) != 0)
			return rc;
		if ((rc = get_list(mp, net, "machine.network", "nameservers",
		    V_IP, NULL, &mc->nameservers)) != 0)
			return rc;
	}
	if ((rc = get_map(mp, machine, "machine", "kubelet", &kubelet)) != 0 ||
	    kubelet == NULL)
		return rc;
	if ((rc = get_map(mp, kubelet, "machine.kubelet", "nodeIP",
	    &nodeip)) != 0 || nodeip == NULL)
		return rc;
	return get_list(mp, nodeip, "machine.kubelet.nodeIP", "validSubnets",
	    V_FILTER, NULL, &mc->valid_subnets);
}

static int
get_cluster(struct mparse *mp, const struct nd_ynode *cluster)
{
	const struct nd_ynode *net = NULL, *cp = NULL, *etcd = NULL;
	struct nd_arena *arena = mp->ck.arena;
	struct nd_mc *mc = mp->mc;
	int rc;

	if (cluster != NULL &&
	    ((rc = get_map(mp, cluster, "cluster", "network", &net)) != 0 ||
	    (rc = get_map(mp, cluster, "cluster", "controlPlane", &cp)) != 0 ||
	    (rc = get_map(mp, cluster, "cluster", "etcd", &etcd)) != 0))
		return rc;
	if (net != NULL &&
	    ((rc = get_list(mp, net, "cluster.network", "podSubnets",
	    V_SUBNET, NULL, &mc->pod_subnets)) != 0 ||
	    (rc = get_list(mp, net, "cluster.network", "serviceSubnets",
	    V_SUBNET, NULL, &mc->service_subnets)) != 0))
		return rc;
	if (cp != NULL && (rc = nd_yget_str(&mp->ck, cp,
	    "cluster.controlPlane", "endpoint", false, &mc->endpoint,
	    NULL)) != 0)
		return rc;
	if (etcd != NULL && (rc = get_list(mp, etcd, "cluster.etcd",
	    "advertisedSubnets", V_FILTER, NULL, &mc->etcd_subnets)) != 0)
		return rc;
	/* Talos' defaults apply to an absent or empty list alike. */
	if (mc->pod_subnets == NULL || mc->pod_subnets[0] == NULL) {
		mc->pod_subnets = nd_arena_alloc(arena, 2 * sizeof(char *));
		mc->pod_subnets[0] = nd_arena_strdup(arena,
		    DEFAULT_POD_SUBNET);
	}
	if (mc->service_subnets == NULL || mc->service_subnets[0] == NULL) {
		mc->service_subnets = nd_arena_alloc(arena,
		    2 * sizeof(char *));
		mc->service_subnets[0] = nd_arena_strdup(arena,
		    DEFAULT_SERVICE_SUBNET);
	}
	return 0;
}

/* One v1alpha1 document into *ret. */
static int
load_v1alpha1(struct mparse *mp, const struct nd_ynode *doc,
    struct nd_mc **ret)
{
	const struct nd_ynode *cluster;
	struct nd_arena *arena = mp->ck.arena;
	struct nd_ykv machine;
	int rc;

	mp->mc = nd_arena_alloc(arena, sizeof(*mp->mc));
	memset(&mp->addresses, 0, sizeof(mp->addresses));
	memset(&mp->vips, 0, sizeof(mp->vips));
	memset(&mp->vip_keys, 0, sizeof(mp->vip_keys));
	if ((rc = nd_yget(&mp->ck, doc, NULL, "machine", ND_Y_MAP, true,
	    &machine)) != 0)
		return rc;
	if ((rc = get_map(mp, doc, "", "cluster", &cluster)) != 0)
		return rc;
	if ((rc = get_machine(mp, machine.v)) != 0 ||
	    (rc = get_cluster(mp, cluster)) != 0)
		return rc;
	mp->mc->path = nd_arena_strdup(arena, mp->ck.path);
	mp->mc->line = doc->line;
	mp->mc->addresses = strv_done(arena, &mp->addresses);
	mp->mc->vips = strv_done(arena, &mp->vips);
	mp->mc->vip_keys = strv_done(arena, &mp->vip_keys);
	*ret = mp->mc;
	return 0;
}

/*
 * Talos 1.12+ documents that carry what the v1alpha1 keys used to:
 * Layer2VIPConfig (its name is the VIP), LinkConfig addresses and the
 * HostnameConfig hostname.  They
 * count for every v1alpha1 config of the file, as Talos merges them.
 */
static int
load_extra(struct mparse *mp, const struct nd_ynode *doc, struct strv *addrs,
    struct strv *vips, struct strv *vip_keys, char **hostname)
{
	struct nd_arena *arena = mp->ck.arena;
	const struct nd_ynode *v, *a;
	struct nd_ykv kind, kv;
	char name[WHERE_MAX];
	size_t i;
	int rc;

	if ((rc = nd_yfind(&mp->ck, doc, NULL, "kind", &kind)) != 0 ||
	    kind.v == NULL || kind.v->kind != ND_Y_SCALAR)
		return rc;
	if (strcmp(kind.v->str, "Layer2VIPConfig") == 0) {
		if ((rc = nd_yget(&mp->ck, doc, "Layer2VIPConfig", "name",
		    ND_Y_SCALAR, true, &kv)) != 0 ||
		    (rc = check_value(mp, kv.v, "Layer2VIPConfig.name",
		    V_IP)) != 0)
			return rc;
		strv_push(arena, vips, kv.v->str);
		strv_push(arena, vip_keys, nd_arena_printf(arena,
		    "Layer2VIPConfig on line %d", doc->line));
		return 0;
	}
	if (strcmp(kind.v->str, "HostnameConfig") == 0)
		return nd_yget_str(&mp->ck, doc, "HostnameConfig", "hostname",
		    false, hostname, NULL);
	if (strcmp(kind.v->str, "LinkConfig") != 0)
		return 0;
	if ((rc = nd_yget(&mp->ck, doc, "LinkConfig", "addresses", ND_Y_SEQ,
	    false, &kv)) != 0 || (v = kv.v) == NULL)
		return rc;
	for (i = 0; i < v->n; i++) {
		snprintf(name, sizeof(name), "LinkConfig.addresses[%zu]", i);
		if ((rc = nd_ywant_item(&mp->ck, v, i, "LinkConfig.addresses",
		    ND_Y_MAP, NULL)) != 0 ||
		    (rc = nd_yfind(&mp->ck, v->kids[i], name, "address",
		    &kv)) != 0)
			return rc;
		if ((a = kv.v) == NULL)
			continue;
		snprintf(name, sizeof(name), "LinkConfig.addresses[%zu]"
		    ".address", i);
		if ((rc = check_value(mp, a, name, V_ADDR)) != 0)
			return rc;
		strv_push(arena, addrs, a->str);
	}
	return 0;
}

/* Appends src to the NULL-terminated *dst. */
static void
append(struct nd_arena *arena, char ***dst, char **src)
{
	struct strv sv = { NULL, 0, 0 };
	size_t i;

	if (src == NULL || src[0] == NULL)
		return;
	for (i = 0; *dst != NULL && (*dst)[i] != NULL; i++)
		strv_push(arena, &sv, (*dst)[i]);
	for (i = 0; src[i] != NULL; i++)
		strv_push(arena, &sv, src[i]);
	*dst = sv.v;
}

int
nd_mc_load(struct nd_arena *arena, const char *path, struct nd_mc ***ret,
    char *err, size_t errlen)
{
	/* Machine configs hold the cluster's keys: never quote bytes. */
	static const struct nd_ytree_opts opts = {
		.prefix = NULL,
		.max_bytes = MC_MAX_BYTES,
		.max_depth = MC_MAX_DEPTH,
		.max_nodes = MC_MAX_NODES,
		.quiet_values = true,
		.multi_doc = true,
	};
	struct mparse mp = { .ck = { .arena = arena, .path = path,
	    .err = err, .errlen = errlen, .quiet_values = true } };
	struct strv addrs = { NULL, 0, 0 }, vips = { NULL, 0, 0 },
	    vip_keys = { NULL, 0, 0 };
	const struct nd_ynode *doc;
	struct nd_ykv ver, machine;
	struct nd_ynode *docs;
	struct nd_mc **list, *mc = NULL;
	char *hostname = NULL;
	size_t i, n = 0;
	int rc;

	if ((rc = nd_ytree_load(arena, path, &opts, &docs,
	    err, errlen)) != 0)
		return rc;
	list = nd_arena_alloc(arena, (docs->n + 1) * sizeof(*list));
	for (i = 0; i < docs->n; i++) {
		doc = docs->kids[i];
		if (doc->kind != ND_Y_MAP)
			continue;
		if ((rc = nd_yfind(&mp.ck, doc, NULL, "version", &ver)) != 0 ||
		    (rc = nd_yfind(&mp.ck, doc, NULL, "machine",
		    &machine)) != 0)
			return rc;
		if (ver.v == NULL || ver.v->kind != ND_Y_SCALAR ||
		    strcmp(ver.v->str, "v1alpha1") != 0 || machine.k == NULL) {
			if ((rc = load_extra(&mp, doc, &addrs, &vips,
			    &vip_keys, &hostname)) != 0)
				return rc;
			continue;
		}
		if ((rc = load_v1alpha1(&mp, doc, &mc)) != 0)
			return rc;
		list[n++] = mc;
	}
	for (i = 0; i < n; i++) {
		append(arena, &list[i]->addresses, addrs.v);
		append(arena, &list[i]->vips, vips.v);
		append(arena, &list[i]->vip_keys, vip_keys.v);
		if (list[i]->hostname == NULL)
			list[i]->hostname = hostname;
	}
	*ret = list;
	return 0;
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
	struct strv		 trace, excluded, candidates, overlay;
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
	strv_push(c->arena, &c->trace, line);
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
	strv_push(c->arena, &c->candidates, c->cands[c->ncands].s);
	c->ncands++;
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
	struct strv sv = { NULL, 0, 0 };
	bool v4 = false, v6 = false;
	struct nd_pfx p;
	size_t i;

	for (i = 0; c->mc->service_subnets != NULL &&
	    c->mc->service_subnets[i] != NULL; i++) {
		if (parse_pfx(c->mc->service_subnets[i], true, &p) != 0)
			continue;
		if (p.family == AF_INET && !v4) {
			strv_push(c->arena, &sv, "0.0.0.0/0");
			v4 = true;
		} else if (p.family == AF_INET6 && !v6) {
			strv_push(c->arena, &sv, "::/0");
			v6 = true;
		}
	}
	if (sv.n == 0)
		strv_push(c->arena, &sv, "0.0.0.0/0");
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
			strv_push(c->arena, &c->excluded, nd_arena_printf(
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
			strv_push(c->arena, &c->excluded, nd_arena_printf(
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
			strv_push(c->arena, &c->excluded, nd_arena_printf(
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
	struct strv subs = { NULL, 0, 0 };
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
		strv_push(c->arena, &subs, mc->etcd_subnets[i]);
	for (i = 0; mc->vips != NULL && mc->vips[i] != NULL; i++)
		strv_push(c->arena, &subs, nd_arena_printf(c->arena, "!%s",
		    mc->vips[i]));
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
	strv_push(c->arena, &c->overlay, cd->s);
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
	r.candidates = strv_done(arena, &c.candidates);
	r.excluded = strv_done(arena, &c.excluded);
	r.trace = strv_done(arena, &c.trace);
	r.overlay = strv_done(arena, &c.overlay);
	*ret = r;
}
