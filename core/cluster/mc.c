/*
 * mc.c - loads Talos machine configs (see mc.h).
 *
 * Loading reads only the keys the node-IP computation needs from the
 * v1alpha1 document and ignores the hundreds of others, so that the
 * secrets a machine config holds (machine.token, the CA keys) are never
 * copied, never compared and never quoted in an error.  The schema is
 * checked with ytree.h's accessors, the addresses with netaddr.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "mc.h"
#include "netaddr.h"
#include "tsapi.h"
#include "ytree.h"

/*
 * Machine configs carry certificates and, with inline manifests, whole
 * CNI manifests: a few hundred KiB is normal, so the bounds are wider than
 * netdoctor.yaml's.
 */
#define MC_MAX_BYTES	(4 * 1024 * 1024)
#define MC_MAX_DEPTH	64
#define MC_MAX_NODES	200000

#define WHERE_MAX	128	/* "machine.network.interfaces[3].vlans[2]" */

/*
 * Talos' defaults (cluster.network in Talos
 * pkg/machinery/config/types/v1alpha1/v1alpha1_provider.go).
 */
#define DEFAULT_POD_SUBNET	"10.244.0.0/16"
#define DEFAULT_SERVICE_SUBNET	"10.96.0.0/12"

enum vkind {
	V_IP,		/* a bare address: vip.ip, nameservers */
	V_ADDR,		/* an interface address, CIDR or bare */
	V_SUBNET,	/* CIDR: podSubnets, serviceSubnets */
	V_FILTER,	/* FilterIPs syntax: optional "!", CIDR or bare */
};

/* ---- growable NULL-terminated string arrays ---- */

void
nd_mc_strv_push(struct nd_arena *arena, struct nd_mc_strv *sv, char *s)
{
	if (sv->n + 1 >= sv->cap) {
		sv->cap = sv->cap == 0 ? 8 : sv->cap * 2;
		sv->v = nd_arena_grow(arena, sv->v, sv->n, sv->cap,
		    sizeof(*sv->v));
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

char **
nd_mc_strv_done(struct nd_arena *arena, struct nd_mc_strv *sv)
{
	if (sv->v == NULL)
		return nd_arena_alloc(arena, sizeof(char *));
	return sv->v;
}

/* ---- loading ---- */

struct mparse {
	struct nd_ycheck ck;
	struct nd_mc	*mc;
	struct nd_mc_strv	 addresses, vips, vip_keys;
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
	ok = nd_pfx_parse(s, kind == V_SUBNET ? ND_PFX_CIDR :
	    ND_PFX_ADDR | ND_PFX_CIDR, &p) == 0;
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
    const char *key, enum vkind kind, struct nd_mc_strv *add, char ***ret)
{
	char name[WHERE_MAX], ename[WHERE_MAX + 24];
	struct nd_mc_strv sv = { NULL, 0, 0 };
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
		nd_mc_strv_push(mp->ck.arena, add != NULL ? add : &sv,
		    v->kids[i]->str);
	}
	if (ret != NULL)
		*ret = nd_mc_strv_done(mp->ck.arena, &sv);
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
	nd_mc_strv_push(mp->ck.arena, &mp->vips, ip.v->str);
	nd_mc_strv_push(mp->ck.arena, &mp->vip_keys,
	    nd_arena_printf(mp->ck.arena, "%s.vip.ip", short_where));
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
	if (cidr != NULL && nd_pfx_parse(cidr, ND_PFX_ADDR | ND_PFX_CIDR,
	    &p) != 0)
		return merr(mp, kv.v->line, "%s.cidr: '%.*s%s' is not an "
		    "address (CIDR)", where, ND_YSHOW(cidr, kv.v->len));
	if (cidr != NULL)
		nd_mc_strv_push(mp->ck.arena, &mp->addresses, cidr);
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
	mp->mc->addresses = nd_mc_strv_done(arena, &mp->addresses);
	mp->mc->vips = nd_mc_strv_done(arena, &mp->vips);
	mp->mc->vip_keys = nd_mc_strv_done(arena, &mp->vip_keys);
	*ret = mp->mc;
	return 0;
}

/* What the tailscale extension's document says, for every config. */
struct ts_ext {
	int			 line;
	struct nd_mc_strv	 routes;
	struct nd_mc_tls_port	*tls;
	size_t			 ntls;
};

/*
 * The ExtensionServiceConfig named tailscale (Talos
 * pkg/machinery/config/types/runtime/extensions): environment is a list
 * of KEY=VALUE strings read by the siderolabs tailscale extension's
 * containerboot (tailscale cmd/containerboot: TS_ROUTES, TS_SERVE_CONFIG,
 * TS_AUTHKEY, ...), configFiles are files mounted into it.  Values other
 * than TS_ROUTES and TS_SERVE_CONFIG are never looked at, and no value is
 * ever quoted in an error: TS_AUTHKEY lives here.
 */
static int
load_tailscale(struct mparse *mp, const struct nd_ynode *doc,
    struct ts_ext *ts)
{
	static const char W[] = "ExtensionServiceConfig tailscale";
	struct nd_arena *arena = mp->ck.arena;
	const struct nd_ynode *env, *files, *e;
	struct nd_ts_serve sv;
	struct nd_ykv kv;
	struct nd_pfx pfx;
	char name[WHERE_MAX], *serve = NULL, *mount, *content, *r, *tok, *next;
	char err[256];
	size_t i, k;
	int rc;

	ts->line = doc->line;
	if ((rc = nd_yget(&mp->ck, doc, W, "environment", ND_Y_SEQ, false,
	    &kv)) != 0)
		return rc;
	for (i = 0; (env = kv.v) != NULL && i < env->n; i++) {
		snprintf(name, sizeof(name), "%s.environment", W);
		if ((rc = nd_ywant_item(&mp->ck, env, i, name, ND_Y_SCALAR,
		    "a KEY=VALUE string")) != 0)
			return rc;
		e = env->kids[i];
		if (strncmp(e->str, "TS_SERVE_CONFIG=", 16) == 0) {
			serve = e->str + 16;
			continue;
		}
		if (strncmp(e->str, "TS_ROUTES=", 10) != 0)
			continue;
		/* containerboot splits TS_ROUTES on commas. */
		r = nd_arena_strdup(arena, e->str + 10);
		for (tok = r; tok != NULL; tok = next) {
			if ((next = strchr(tok, ',')) != NULL)
				*next++ = '\0';
			tok += strspn(tok, " ");
			tok[strcspn(tok, " ")] = '\0';
			if (*tok == '\0')
				continue;	/* "a,,b", a trailing comma */
			if (nd_pfx_parse(tok, ND_PFX_CIDR, &pfx) != 0)
				return merr(mp, e->line, "%s.environment[%zu]: "
				    "TS_ROUTES must be a comma-separated list of "
				    "subnets (CIDR)", W, i);
			nd_mc_strv_push(arena, &ts->routes, tok);
		}
	}
	if (serve == NULL || (rc = nd_yget(&mp->ck, doc, W, "configFiles",
	    ND_Y_SEQ, false, &kv)) != 0 || (files = kv.v) == NULL)
		return rc;
	for (i = 0; i < files->n; i++) {
		snprintf(name, sizeof(name), "%s.configFiles", W);
		if ((rc = nd_ywant_item(&mp->ck, files, i, name, ND_Y_MAP,
		    NULL)) != 0)
			return rc;
		snprintf(name, sizeof(name), "%s.configFiles[%zu]", W, i);
		if ((rc = nd_yget_str(&mp->ck, files->kids[i], name,
		    "mountPath", false, &mount, NULL)) != 0 ||
		    (rc = nd_yget_str(&mp->ck, files->kids[i], name, "content",
		    false, &content, &kv)) != 0)
			return rc;
		if (mount == NULL || content == NULL ||
		    strcmp(mount, serve) != 0)
			continue;
		if (nd_ts_parse_serve(arena, content, strlen(content), &sv, err,
		    sizeof(err)) != 0)
			return merr(mp, kv.v->line, "%s.content: the serve "
			    "config TS_SERVE_CONFIG names is not what `tailscale "
			    "serve` reads: %s", name, err);
		for (k = 0; k < sv.ntcp; k++)
			if (nd_ts_tcp_terminates_tls(&sv.tcp[k])) {
				ts->tls = nd_arena_grow(arena, ts->tls, ts->ntls,
				    ts->ntls + 1, sizeof(*ts->tls));
				ts->tls[ts->ntls].port = sv.tcp[k].port;
				ts->tls[ts->ntls++].how = sv.tcp[k].https ?
				    "\"HTTPS\": true" : "TerminateTLS";
			}
	}
	return 0;
}

/*
 * Talos 1.12+ documents that carry what the v1alpha1 keys used to:
 * Layer2VIPConfig (its name is the VIP), LinkConfig addresses and the
 * HostnameConfig hostname.  They
 * count for every v1alpha1 config of the file, as Talos merges them.
 */
static int
load_extra(struct mparse *mp, const struct nd_ynode *doc,
    struct nd_mc_strv *addrs, struct nd_mc_strv *vips,
    struct nd_mc_strv *vip_keys, char **hostname, struct ts_ext *ts)
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
		nd_mc_strv_push(arena, vips, kv.v->str);
		nd_mc_strv_push(arena, vip_keys, nd_arena_printf(arena,
		    "Layer2VIPConfig on line %d", doc->line));
		return 0;
	}
	if (strcmp(kind.v->str, "ExtensionServiceConfig") == 0) {
		if ((rc = nd_yget(&mp->ck, doc, "ExtensionServiceConfig",
		    "name", ND_Y_SCALAR, false, &kv)) != 0 || kv.v == NULL ||
		    strcmp(kv.v->str, "tailscale") != 0)
			return rc;
		return load_tailscale(mp, doc, ts);
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
		nd_mc_strv_push(arena, addrs, a->str);
	}
	return 0;
}

/* Appends src to the NULL-terminated *dst. */
static void
append(struct nd_arena *arena, char ***dst, char **src)
{
	struct nd_mc_strv sv = { NULL, 0, 0 };
	size_t i;

	if (src == NULL || src[0] == NULL)
		return;
	for (i = 0; *dst != NULL && (*dst)[i] != NULL; i++)
		nd_mc_strv_push(arena, &sv, (*dst)[i]);
	for (i = 0; src[i] != NULL; i++)
		nd_mc_strv_push(arena, &sv, src[i]);
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
	struct nd_mc_strv addrs = { NULL, 0, 0 }, vips = { NULL, 0, 0 },
	    vip_keys = { NULL, 0, 0 };
	struct ts_ext ts = { 0, { NULL, 0, 0 }, NULL, 0 };
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
			    &vip_keys, &hostname, &ts)) != 0)
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
		list[i]->ts_line = ts.line;
		list[i]->ts_routes = ts.routes.v;
		list[i]->ts_serve_tls = ts.tls;
		list[i]->nts_serve_tls = ts.ntls;
	}
	*ret = list;
	return 0;
}
