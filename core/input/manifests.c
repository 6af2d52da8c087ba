/*
 * manifests.c - reading Kubernetes YAML for --manifests (see manifests.h).
 *
 * Field names follow the upstream types: Cilium's CiliumLoadBalancerIPPool
 * (spec.blocks[].cidr|start|stop, and spec.cidrs[].cidr before Cilium
 * 1.15), CiliumL2AnnouncementPolicy (spec.interfaces, loadBalancerIPs),
 * the io.cilium/lb-ipam-ips annotation (lbipam.cilium.io/ips since 1.16),
 * Gateway API Gateway (spec.addresses, spec.infrastructure.annotations,
 * spec.listeners, status.addresses, status.conditions) and
 * HTTPRoute/GRPCRoute/TLSRoute (hostnames, parentRefs whose kind defaults
 * to Gateway and namespace to the route's, status.parents[].parentRef and
 * .conditions), as in gateway-api's apis/v1/gateway_types.go,
 * httproute_types.go and shared_types.go.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "arena.h"
#include "manifests.h"
#include "netaddr.h"
#include "util.h"
#include "ytree.h"

#define MF_MAX_DOC_DEPTH	64
#define MF_MAX_NODES		200000

struct mfv {			/* a growing NULL-terminated array */
	void	**v;
	size_t	  n, cap;
};

struct mfparse {
	/* ck.path is the file being read; ck.subject the object in it. */
	struct nd_ycheck ck;
	bool		 lineless;	/* an API answer: one line of JSON */
	size_t		 nfiles, ndocs, nobjects, total;
	struct mfv	 blocks, policies, lbs, routes;
};

#define mferr(m, ...)	nd_ycheck_err(&(m)->ck, __VA_ARGS__)

static int
mfv_push(struct mfparse *m, struct mfv *v, void *x)
{
	struct nd_ycheck file = m->ck;

	/* A bound of the whole run, not of the object being read. */
	file.subject = NULL;
	if (++m->nobjects > ND_MF_MAX_OBJECTS)
		return nd_ycheck_err(&file, 0, "more than %d objects netdoctor "
		    "reads", ND_MF_MAX_OBJECTS);
	if (v->n + 1 >= v->cap) {
		v->v = nd_arena_grow(m->ck.arena, v->v, v->cap, v->cap ?
		    v->cap * 2 : 8, sizeof(*v->v));
		v->cap = v->cap ? v->cap * 2 : 8;
	}
	v->v[v->n++] = x;
	return 0;
}

static void **
mfv_done(struct nd_arena *a, struct mfv *v)
{
	return v->v != NULL ? v->v : nd_arena_alloc(a, sizeof(void *));
}

/*
 * --- typed access: absent or null is fine, a wrong type is an error ---
 *
 * Errors read "PATH:LINE: KIND NAME: FIELD: what", the object being the
 * checker's subject.
 */

/* The value of where.key if it is of kind, NULL when absent or null. */
static int
get(struct mfparse *m, const struct nd_ynode *map, const char *where,
    const char *key, enum nd_ykind kind, const struct nd_ynode **ret)
{
	struct nd_ykv kv;
	int rc;

	if ((rc = nd_yget(&m->ck, map, where, key, kind, false, &kv)) != 0)
		return rc;
	*ret = kv.v;
	return 0;
}

static int
str(struct mfparse *m, const struct nd_ynode *map, const char *where,
    const char *key, char **ret)
{
	return nd_yget_str(&m->ck, map, where, key, false, ret, NULL);
}

/* "where[i]", for the fields of a list item. */
static const char *
item(struct mfparse *m, const char *where, size_t i)
{
	return nd_arena_printf(m->ck.arena, "%s[%zu]", where, i);
}

static bool
is_ip(const char *s)
{
	struct nd_pfx p;

	return nd_pfx_parse(s, ND_PFX_ADDR, &p) == 0;
}

/*
 * A CIDR whose address and prefix parse: "10.0.0.0/8", "fd00::/64", as
 * Cilium's netip.ParsePrefix reads them.
 */
static bool
is_cidr(const char *s)
{
	struct nd_pfx p;

	return nd_pfx_parse(s, ND_PFX_CIDR, &p) == 0;
}

/* "a, b ,c" -> IPs; every item must be an address. */
static int
ip_list(struct mfparse *m, const struct nd_ynode *v, const char *field,
    char ***ret)
{
	char **out, *copy, *tok, *save = NULL;
	size_t n = 1, k = 0;
	const char *p;

	for (p = v->str; *p != '\0'; p++)
		n += *p == ',';
	out = nd_arena_alloc(m->ck.arena, (n + 1) * sizeof(*out));
	copy = nd_arena_strdup(m->ck.arena, v->str);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (!is_ip(tok))
			return mferr(m, v->line, "%s: '%.64s' is not an IP "
			    "address", field, tok);
		out[k++] = tok;
	}
	*ret = out;
	return 0;
}

/*
 * metadata's name and namespace; the object becomes the subject of the
 * errors that follow ("Service x").
 */
static int
meta(struct mfparse *m, const struct nd_ynode *doc, const char *kind,
    char **ns, char **name)
{
	const struct nd_ynode *md;
	int rc;

	m->ck.subject = kind;
	if ((rc = get(m, doc, NULL, "metadata", ND_Y_MAP, &md)) != 0 ||
	    (rc = str(m, md, "metadata", "name", name)) != 0 ||
	    (rc = str(m, md, "metadata", "namespace", ns)) != 0)
		return rc;
	if (*name == NULL)
		*name = "(unnamed)";
	if (*ns == NULL)
		*ns = "default";
	m->ck.subject = nd_arena_printf(m->ck.arena, "%s %s", kind, *name);
	return 0;
}

/* Where an object was read: "FILE:LINE", or the request it came from. */
static char *
src(struct mfparse *m, const struct nd_ynode *n)
{
	if (m->lineless)
		return nd_arena_strdup(m->ck.arena, m->ck.path);
	return nd_arena_printf(m->ck.arena, "%s:%d", m->ck.path, n->line);
}

/*
 * A port: a number 1-65535 (listeners[].port, parentRefs[].port); 0 when
 * absent.
 */
static int
port(struct mfparse *m, const struct nd_ynode *map, const char *where,
    const char *key, int *ret)
{
	struct nd_ykv kv;
	uint16_t v;
	char *s;
	int rc;

	*ret = 0;
	if ((rc = nd_yget_str(&m->ck, map, where, key, false, &s,
	    &kv)) != 0 || kv.v == NULL)
		return rc;
	if (nd_parse_port(kv.v->str, &v) != 0)
		return mferr(m, nd_ykv_line(&kv, map), "%s.%s: '%.*s%s' is not "
		    "a port (1-65535)", where, key, ND_YSHOW(kv.v->str,
		    kv.v->len));
	*ret = (int)v;
	return 0;
}

/*
 * status.conditions or status.parents[i].conditions: the first
 * ND_MF_MAX_CONDS kept (Gateway API allows 8 per list), each a mapping.
 */
static int
conditions(struct mfparse *m, const struct nd_ynode *map, const char *where,
    struct nd_mf_cond ***ret)
{
	const struct nd_ynode *list;
	struct nd_mf_cond **out, *c;
	const char *w, *field;
	size_t i, k = 0;
	int rc;

	field = nd_arena_printf(m->ck.arena, "%s.conditions", where);
	if ((rc = get(m, map, where, "conditions", ND_Y_SEQ, &list)) != 0)
		return rc;
	out = nd_arena_alloc(m->ck.arena, (ND_MF_MAX_CONDS + 1) *
	    sizeof(*out));
	for (i = 0; list != NULL && i < list->n && k < ND_MF_MAX_CONDS; i++) {
		if ((rc = nd_ywant_item(&m->ck, list, i, field, ND_Y_MAP,
		    NULL)) != 0)
			return rc;
		c = nd_arena_alloc(m->ck.arena, sizeof(*c));
		w = item(m, field, i);
		if ((rc = str(m, list->kids[i], w, "type", &c->type)) != 0 ||
		    (rc = str(m, list->kids[i], w, "status", &c->status)) != 0 ||
		    (rc = str(m, list->kids[i], w, "reason", &c->reason)) != 0 ||
		    (rc = str(m, list->kids[i], w, "message", &c->message)) != 0)
			return rc;
		if (c->type == NULL)
			continue;
		c->src = src(m, list->kids[i]);
		out[k++] = c;
	}
	*ret = out;
	return 0;
}

/* --- the kinds --------------------------------------------------------- */

static int
add_block(struct mfparse *m, const struct nd_ynode *list, size_t i,
    const char *name, bool disabled, bool legacy)
{
	const char *field = legacy ? "spec.cidrs" : "spec.blocks";
	const struct nd_ynode *node = list->kids[i];
	struct nd_mf_block *blk;
	char *cidr, *start, *stop;
	struct nd_pfx a, b;
	const char *where;
	int rc;

	if ((rc = nd_ywant_item(&m->ck, list, i, field, ND_Y_MAP,
	    NULL)) != 0)
		return rc;
	where = item(m, field, i);
	if ((rc = str(m, node, where, "cidr", &cidr)) != 0 ||
	    (rc = str(m, node, where, "start", &start)) != 0 ||
	    (rc = str(m, node, where, "stop", &stop)) != 0)
		return rc;
	blk = nd_arena_alloc(m->ck.arena, sizeof(*blk));
	blk->pool = nd_arena_strdup(m->ck.arena, name);
	blk->src = src(m, node);
	blk->disabled = disabled;
	if (cidr != NULL) {
		if (!is_cidr(cidr))
			return mferr(m, node->line, "cidr '%.64s' is not a "
			    "CIDR", cidr);
		blk->range = cidr;
	} else if (start != NULL) {
		if (stop == NULL)
			stop = start;
		if (nd_pfx_parse(start, ND_PFX_ADDR, &a) != 0 ||
		    nd_pfx_parse(stop, ND_PFX_ADDR, &b) != 0)
			return mferr(m, node->line, "start/stop "
			    "'%.64s'-'%.64s' are not IP addresses", start,
			    stop);
		if (nd_addr_cmp(&a, &b) > 0)
			return mferr(m, node->line, "start %s is after stop "
			    "%s", start, stop);
		blk->range = nd_arena_printf(m->ck.arena, "%s-%s", start, stop);
	} else
		return mferr(m, node->line, "a block needs cidr or start");
	return mfv_push(m, &m->blocks, blk);
}

static int
load_pool(struct mfparse *m, const struct nd_ynode *doc)
{
	const struct nd_ynode *spec, *list;
	char *ns, *name;
	bool disabled;
	size_t i;
	int rc;

	if ((rc = meta(m, doc, "CiliumLoadBalancerIPPool", &ns, &name)) != 0 ||
	    (rc = get(m, doc, NULL, "spec", ND_Y_MAP, &spec)) != 0 ||
	    (rc = nd_yget_bool(&m->ck, spec, "spec", "disabled",
	    &disabled)) != 0 ||
	    (rc = get(m, spec, "spec", "blocks", ND_Y_SEQ, &list)) != 0)
		return rc;
	for (i = 0; list != NULL && i < list->n; i++)
		if ((rc = add_block(m, list, i, name, disabled, false)) != 0)
			return rc;
	/* Cilium 1.14 and older */
	if ((rc = get(m, spec, "spec", "cidrs", ND_Y_SEQ, &list)) != 0)
		return rc;
	for (i = 0; list != NULL && i < list->n; i++)
		if ((rc = add_block(m, list, i, name, disabled, true)) != 0)
			return rc;
	return 0;
}

static int
load_policy(struct mfparse *m, const struct nd_ynode *doc)
{
	struct nd_mf_policy *p = nd_arena_alloc(m->ck.arena, sizeof(*p));
	const struct nd_ynode *spec;
	char *ns;
	int rc;

	if ((rc = meta(m, doc, "CiliumL2AnnouncementPolicy", &ns,
	    &p->name)) != 0 ||
	    (rc = get(m, doc, NULL, "spec", ND_Y_MAP, &spec)) != 0 ||
	    (rc = nd_yget_strlist(&m->ck, spec, "spec", "interfaces",
	    &p->interfaces)) != 0 ||
	    (rc = nd_yget_bool(&m->ck, spec, "spec", "loadBalancerIPs",
	    &p->lb_ips)) != 0)
		return rc;
	p->src = src(m, doc);
	return mfv_push(m, &m->policies, p);
}

/*
 * The LB-IPAM annotation, under its current or its older name: *ret is
 * NULL when neither is there.
 */
static int
lbipam(struct mfparse *m, const struct nd_ynode *annotations,
    const char *where, const char **key, const struct nd_ynode **ret)
{
	int rc;

	*key = "lbipam.cilium.io/ips";
	if ((rc = get(m, annotations, where, *key, ND_Y_SCALAR, ret)) != 0 ||
	    *ret != NULL)
		return rc;
	*key = "io.cilium/lb-ipam-ips";
	return get(m, annotations, where, *key, ND_Y_SCALAR, ret);
}

static int
load_service(struct mfparse *m, const struct nd_ynode *doc)
{
	const struct nd_ynode *spec, *md, *ann, *v, *lbip = NULL, *st, *lbst;
	const struct nd_ynode *ing;
	struct nd_mf_lb *lb;
	const char *key;
	char *type, **ips = NULL, *ip;
	size_t i, k = 0;
	int rc;

	lb = nd_arena_alloc(m->ck.arena, sizeof(*lb));
	if ((rc = meta(m, doc, "Service", &lb->ns, &lb->name)) != 0 ||
	    (rc = get(m, doc, NULL, "spec", ND_Y_MAP, &spec)) != 0 ||
	    (rc = str(m, spec, "spec", "type", &type)) != 0)
		return rc;
	if (type == NULL || strcmp(type, "LoadBalancer") != 0)
		return 0;
	if ((rc = get(m, doc, NULL, "metadata", ND_Y_MAP, &md)) != 0 ||
	    (rc = get(m, md, "metadata", "annotations", ND_Y_MAP,
	    &ann)) != 0 ||
	    (rc = lbipam(m, ann, "metadata.annotations", &key, &v)) != 0)
		return rc;
	/* The field counts only when there is no annotation. */
	if (v == NULL && (rc = get(m, spec, "spec", "loadBalancerIP",
	    ND_Y_SCALAR, &lbip)) != 0)
		return rc;
	if (v != NULL) {
		if ((rc = ip_list(m, v, key, &ips)) != 0)
			return rc;
		lb->ips_from = nd_arena_strdup(m->ck.arena, key);
	} else if (lbip != NULL) {
		if ((rc = ip_list(m, lbip, "spec.loadBalancerIP", &ips)) != 0)
			return rc;
		lb->ips_from = "spec.loadBalancerIP";
	} else {
		if ((rc = get(m, doc, NULL, "status", ND_Y_MAP, &st)) != 0 ||
		    (rc = get(m, st, "status", "loadBalancer", ND_Y_MAP,
		    &lbst)) != 0 ||
		    (rc = get(m, lbst, "status.loadBalancer", "ingress",
		    ND_Y_SEQ, &ing)) != 0)
			return rc;
		ips = nd_arena_alloc(m->ck.arena, ((ing != NULL ? ing->n : 0) +
		    1) * sizeof(*ips));
		for (i = 0; ing != NULL && i < ing->n; i++) {
			if ((rc = nd_ywant_item(&m->ck, ing, i,
			    "status.loadBalancer.ingress", ND_Y_MAP,
			    NULL)) != 0 ||
			    (rc = str(m, ing->kids[i], item(m,
			    "status.loadBalancer.ingress", i), "ip",
			    &ip)) != 0)
				return rc;
			if (ip != NULL && is_ip(ip))
				ips[k++] = ip;
		}
		lb->ips_from = "status.loadBalancer.ingress";
	}
	lb->kind = "Service";
	lb->ips = ips;
	lb->src = src(m, doc);
	return mfv_push(m, &m->lbs, lb);
}

/* A Gateway's listeners: which names, on which port, with what. */
static int
load_listeners(struct mfparse *m, const struct nd_ynode *spec,
    struct nd_mf_lb *lb)
{
	const struct nd_ynode *ls;
	struct nd_mf_listener *l;
	const char *where;
	size_t i, k = 0;
	int rc;

	if ((rc = get(m, spec, "spec", "listeners", ND_Y_SEQ, &ls)) != 0)
		return rc;
	lb->listeners = nd_arena_alloc(m->ck.arena, ((ls != NULL ? ls->n :
	    0) + 1) * sizeof(*lb->listeners));
	for (i = 0; ls != NULL && i < ls->n; i++) {
		l = nd_arena_alloc(m->ck.arena, sizeof(*l));
		where = item(m, "spec.listeners", i);
		if ((rc = nd_ywant_item(&m->ck, ls, i, "spec.listeners",
		    ND_Y_MAP, NULL)) != 0 ||
		    (rc = str(m, ls->kids[i], where, "name", &l->name)) != 0 ||
		    (rc = str(m, ls->kids[i], where, "protocol",
		    &l->protocol)) != 0 ||
		    (rc = str(m, ls->kids[i], where, "hostname",
		    &l->hostname)) != 0 ||
		    (rc = port(m, ls->kids[i], where, "port", &l->port)) != 0)
			return rc;
		lb->listeners[k++] = l;
	}
	return 0;
}

static int
load_gateway(struct mfparse *m, const struct nd_ynode *doc)
{
	const struct nd_ynode *spec, *addrs, *infra, *ann, *v, *status, *st;
	struct nd_mf_lb *lb = nd_arena_alloc(m->ck.arena, sizeof(*lb));
	const char *key, *where;
	char **ips, **more, *type, *value;
	size_t i, k = 0, n;
	int rc;

	if ((rc = meta(m, doc, "Gateway", &lb->ns, &lb->name)) != 0 ||
	    (rc = get(m, doc, NULL, "spec", ND_Y_MAP, &spec)) != 0 ||
	    (rc = get(m, spec, "spec", "addresses", ND_Y_SEQ, &addrs)) != 0 ||
	    (rc = get(m, doc, NULL, "status", ND_Y_MAP, &status)) != 0 ||
	    (rc = get(m, status, "status", "addresses", ND_Y_SEQ, &st)) != 0 ||
	    (rc = get(m, spec, "spec", "infrastructure", ND_Y_MAP,
	    &infra)) != 0 ||
	    (rc = get(m, infra, "spec.infrastructure", "annotations",
	    ND_Y_MAP, &ann)) != 0)
		return rc;
	n = (addrs != NULL ? addrs->n : 0) + (st != NULL ? st->n : 0) + 1;
	ips = nd_arena_alloc(m->ck.arena, (n + 64) * sizeof(*ips));
	for (i = 0; addrs != NULL && i < addrs->n; i++) {
		where = item(m, "spec.addresses", i);
		if ((rc = nd_ywant_item(&m->ck, addrs, i, "spec.addresses",
		    ND_Y_MAP, NULL)) != 0 ||
		    (rc = str(m, addrs->kids[i], where, "type", &type)) != 0 ||
		    (rc = str(m, addrs->kids[i], where, "value",
		    &value)) != 0)
			return rc;
		if (value == NULL || (type != NULL && strcmp(type, "IPAddress") !=
		    0))
			continue;
		if (!is_ip(value))
			return mferr(m, addrs->kids[i]->line, "spec.addresses: "
			    "'%.64s' is not an IP address", value);
		ips[k++] = value;
		lb->ips_from = "spec.addresses";
	}
	if (k == 0 && (rc = lbipam(m, ann, "spec.infrastructure.annotations",
	    &key, &v)) != 0)
		return rc;
	if (k == 0 && v != NULL) {
		if ((rc = ip_list(m, v, key, &more)) != 0)
			return rc;
		for (i = 0; more[i] != NULL && k < n + 63; i++)
			ips[k++] = more[i];
		lb->ips_from = nd_arena_strdup(m->ck.arena, key);
	}
	for (i = 0; k == 0 && st != NULL && i < st->n; i++) {
		if ((rc = nd_ywant_item(&m->ck, st, i, "status.addresses",
		    ND_Y_MAP, NULL)) != 0 ||
		    (rc = str(m, st->kids[i], item(m, "status.addresses", i),
		    "value", &value)) != 0)
			return rc;
		if (value != NULL && is_ip(value))
			ips[k++] = value;
		lb->ips_from = "status.addresses";
	}
	lb->kind = "Gateway";
	lb->ips = ips;
	lb->src = src(m, doc);
	if ((rc = load_listeners(m, spec, lb)) != 0)
		return rc;
	/* `status: {}` is no status: nothing has reconciled it yet, or the
	   file is a GitOps manifest. */
	lb->has_status = status != NULL && status->n > 0;
	lb->nstatus_addrs = st != NULL ? st->n : 0;
	if (status != NULL && (rc = conditions(m, status, "status",
	    &lb->conds)) != 0)
		return rc;
	if (lb->conds == NULL)
		lb->conds = nd_arena_alloc(m->ck.arena, sizeof(*lb->conds));
	return mfv_push(m, &m->lbs, lb);
}

/*
 * status.parents: what each controller says about each parent.  Entries
 * for parents that are not Gateways (a Service, for mesh routes) are
 * skipped like the parentRefs that name them.
 */
static int
load_route_status(struct mfparse *m, const struct nd_ynode *doc,
    struct nd_mf_route *r)
{
	const struct nd_ynode *st, *list, *ref;
	struct nd_mf_rparent *sp;
	char *pk, *pns, *pname;
	const char *where, *rw;
	size_t i, k = 0;
	int rc;

	if ((rc = get(m, doc, NULL, "status", ND_Y_MAP, &st)) != 0 ||
	    (rc = get(m, st, "status", "parents", ND_Y_SEQ, &list)) != 0)
		return rc;
	/* A route's status always has parents, empty until some controller
	   accepts or refuses it; `status: {}` says nothing. */
	r->has_status = st != NULL && nd_ytree_peek(st, "parents") != NULL;
	r->sparents = nd_arena_alloc(m->ck.arena, ((list != NULL ? list->n :
	    0) + 1) * sizeof(*r->sparents));
	for (i = 0; list != NULL && i < list->n; i++) {
		where = item(m, "status.parents", i);
		if ((rc = nd_ywant_item(&m->ck, list, i, "status.parents",
		    ND_Y_MAP, NULL)) != 0 ||
		    (rc = get(m, list->kids[i], where, "parentRef", ND_Y_MAP,
		    &ref)) != 0)
			return rc;
		sp = nd_arena_alloc(m->ck.arena, sizeof(*sp));
		rw = nd_arena_printf(m->ck.arena, "%s.parentRef", where);
		if ((rc = str(m, ref, rw, "kind", &pk)) != 0 ||
		    (rc = str(m, ref, rw, "namespace", &pns)) != 0 ||
		    (rc = str(m, ref, rw, "name", &pname)) != 0 ||
		    (rc = str(m, ref, rw, "sectionName", &sp->section)) != 0 ||
		    (rc = str(m, list->kids[i], where, "controllerName",
		    &sp->controller)) != 0 ||
		    (rc = conditions(m, list->kids[i], where, &sp->conds)) != 0)
			return rc;
		if (pname == NULL || (pk != NULL && strcmp(pk, "Gateway") != 0))
			continue;
		sp->gw = nd_arena_printf(m->ck.arena, "%s/%s", pns != NULL ?
		    pns : r->ns, pname);
		sp->src = src(m, list->kids[i]);
		r->sparents[k++] = sp;
	}
	return 0;
}

static int
load_route(struct mfparse *m, const struct nd_ynode *doc, const char *kind)
{
	struct nd_mf_route *r = nd_arena_alloc(m->ck.arena, sizeof(*r));
	const struct nd_ynode *spec, *refs;
	char **parents, *pk, *pns, *pname, *section;
	struct nd_mf_parentref *pr;
	const char *where;
	size_t i, k = 0;
	int rc, pport;

	if ((rc = meta(m, doc, kind, &r->ns, &r->name)) != 0 ||
	    (rc = get(m, doc, NULL, "spec", ND_Y_MAP, &spec)) != 0 ||
	    (rc = nd_yget_strlist(&m->ck, spec, "spec", "hostnames",
	    &r->hostnames)) != 0 ||
	    (rc = get(m, spec, "spec", "parentRefs", ND_Y_SEQ, &refs)) != 0)
		return rc;
	parents = nd_arena_alloc(m->ck.arena, ((refs != NULL ? refs->n : 0) +
	    1) * sizeof(*parents));
	r->refs = nd_arena_alloc(m->ck.arena, ((refs != NULL ? refs->n : 0) +
	    1) * sizeof(*r->refs));
	for (i = 0; refs != NULL && i < refs->n; i++) {
		where = item(m, "spec.parentRefs", i);
		if ((rc = nd_ywant_item(&m->ck, refs, i, "spec.parentRefs",
		    ND_Y_MAP, NULL)) != 0 ||
		    (rc = str(m, refs->kids[i], where, "kind", &pk)) != 0 ||
		    (rc = str(m, refs->kids[i], where, "namespace",
		    &pns)) != 0 ||
		    (rc = str(m, refs->kids[i], where, "name", &pname)) != 0 ||
		    (rc = str(m, refs->kids[i], where, "sectionName",
		    &section)) != 0 ||
		    (rc = port(m, refs->kids[i], where, "port", &pport)) != 0)
			return rc;
		if (pname == NULL || (pk != NULL && strcmp(pk, "Gateway") != 0))
			continue;
		pr = nd_arena_alloc(m->ck.arena, sizeof(*pr));
		pr->gw = parents[k] = nd_arena_printf(m->ck.arena, "%s/%s",
		    pns != NULL ? pns : r->ns, pname);
		pr->section = section;
		pr->port = pport;
		r->refs[k++] = pr;
	}
	if (r->hostnames == NULL)
		r->hostnames = nd_arena_alloc(m->ck.arena, sizeof(char *));
	r->kind = nd_arena_strdup(m->ck.arena, kind);
	r->parents = parents;
	r->src = src(m, doc);
	if ((rc = load_route_status(m, doc, r)) != 0)
		return rc;
	return mfv_push(m, &m->routes, r);
}

static int load_doc(struct mfparse *, const struct nd_ynode *,
    const char *, const char *);

/*
 * One object, or a list of them (kubectl's "List", or an API server's
 * typed "GatewayList").  An item of a typed list may leave out kind and
 * apiVersion, as the API server's list answers for built-in types do:
 * they are the list's, less "List".  lkind and lapi are the list's kind
 * and apiVersion for its items, NULL for a document.
 */
static int
load_doc(struct mfparse *m, const struct nd_ynode *doc, const char *lkind,
    const char *lapi)
{
	const struct nd_ynode *items;
	struct nd_ykv kind_n, api_n;
	const char *kind, *api;
	size_t i, n;
	int rc;

	m->ck.subject = NULL;
	if (doc->kind != ND_Y_MAP)
		return 0;
	if ((rc = nd_yfind(&m->ck, doc, NULL, "kind", &kind_n)) != 0 ||
	    (rc = nd_yfind(&m->ck, doc, NULL, "apiVersion", &api_n)) != 0)
		return rc;
	if (kind_n.v != NULL && kind_n.v->kind == ND_Y_SCALAR) {
		kind = kind_n.v->str;
		api = api_n.v != NULL && api_n.v->kind == ND_Y_SCALAR ?
		    api_n.v->str : "";
	} else if (kind_n.k == NULL && lkind != NULL && lkind[0] != '\0') {
		kind = lkind;
		api = lapi;
	} else
		return 0;	/* kustomization.yaml, Helm values: not ours */
	m->ndocs++;
	n = strlen(kind);
	if (lkind == NULL && n >= 4 && strcmp(kind + n - 4, "List") == 0) {
		m->ck.subject = kind;
		if ((rc = get(m, doc, NULL, "items", ND_Y_SEQ, &items)) != 0)
			return rc;
		lkind = nd_arena_strndup(m->ck.arena, kind, n - 4);
		for (i = 0; items != NULL && i < items->n; i++)
			if ((rc = load_doc(m, items->kids[i], lkind,
			    api)) != 0)
				return rc;
		return 0;
	}
	if (strcmp(kind, "CiliumLoadBalancerIPPool") == 0 &&
	    strncmp(api, "cilium.io/", 10) == 0)
		return load_pool(m, doc);
	if (strcmp(kind, "CiliumL2AnnouncementPolicy") == 0 &&
	    strncmp(api, "cilium.io/", 10) == 0)
		return load_policy(m, doc);
	if (strcmp(kind, "Service") == 0 && strcmp(api, "v1") == 0)
		return load_service(m, doc);
	if (strncmp(api, "gateway.networking.k8s.io/", 26) == 0) {
		if (strcmp(kind, "Gateway") == 0)
			return load_gateway(m, doc);
		if (strcmp(kind, "HTTPRoute") == 0 ||
		    strcmp(kind, "GRPCRoute") == 0 ||
		    strcmp(kind, "TLSRoute") == 0)
			return load_route(m, doc, kind);
	}
	return 0;
}

static const struct nd_ytree_opts mf_yopts = {
	.prefix = NULL,
	.max_bytes = ND_MF_MAX_BYTES,
	.max_depth = MF_MAX_DOC_DEPTH,
	.max_nodes = MF_MAX_NODES,
	.quiet_values = false,
	.multi_doc = true,
};

static int
load_docs(struct mfparse *m, const struct nd_ynode *docs)
{
	size_t i;
	int rc;

	for (i = 0; i < docs->n; i++)
		if ((rc = load_doc(m, docs->kids[i], NULL, NULL)) != 0)
			return rc;
	m->ck.subject = NULL;
	return 0;
}

static int
load_file(struct mfparse *m, const char *path, off_t size)
{
	struct nd_ynode *docs;
	int rc;

	if (++m->nfiles > ND_MF_MAX_FILES)
		return mferr(m, 0, "more than %d YAML files (netdoctor reads "
		    "at most that many)", ND_MF_MAX_FILES);
	m->total += size > 0 ? (size_t)size : 0;
	if (m->total > ND_MF_MAX_TOTAL)
		return mferr(m, 0, "the manifests hold more than %u MiB of "
		    "YAML", ND_MF_MAX_TOTAL >> 20);
	m->ck.path = path;
	if ((rc = nd_ytree_load(m->ck.arena, path, &mf_yopts, &docs,
	    m->ck.err, m->ck.errlen)) != 0)
		return rc;
	return load_docs(m, docs);
}

/*
 * An API server's answer to a list request: one JSON document, a mapping
 * of the kind asked for ("GatewayList") with its items.
 */
static int
load_answer(struct mfparse *m, const struct nd_mf_answer *ans)
{
	const struct nd_ynode *doc = NULL, *kind = NULL;
	struct nd_ynode *docs;
	int rc;

	m->ck.path = ans->name;
	if ((rc = nd_ytree_parse(m->ck.arena, ans->name, ans->buf, ans->len,
	    &mf_yopts, &docs, m->ck.err, m->ck.errlen)) != 0)
		return rc;
	if (docs->n == 1)
		doc = docs->kids[0];
	if (doc == NULL)
		return mferr(m, 0, "not a %s: no JSON document", ans->kind);
	if (doc->kind == ND_Y_MAP)
		kind = nd_ytree_peek(doc, "kind");
	if (kind == NULL || kind->kind != ND_Y_SCALAR)
		return mferr(m, 0, "not a %s: no kind", ans->kind);
	if (strcmp(kind->str, ans->kind) != 0)
		return mferr(m, 0, "not a %s: kind %.64s", ans->kind,
		    kind->str);
	if (nd_ytree_peek(doc, "items") == NULL)
		return mferr(m, 0, "not a %s: no items", ans->kind);
	return load_docs(m, docs);
}

static bool
yaml_name(const char *n)
{
	size_t l = strlen(n);

	return (l > 5 && strcmp(n + l - 5, ".yaml") == 0) ||
	    (l > 4 && strcmp(n + l - 4, ".yml") == 0);
}

static int
walk(struct mfparse *m, const char *dir, int depth)
{
	struct dirent **ents = NULL;
	struct stat st;
	char *p;
	int n, i, rc = 0;

	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0) {
		m->ck.path = dir;
		return mferr(m, 0, "cannot read the directory: %s",
		    strerror(errno));
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (ents[i]->d_name[0] == '.')
			continue;	/* ., .., .git, editor files */
		p = nd_arena_printf(m->ck.arena, "%s/%s", dir,
		    ents[i]->d_name);
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth + 1 > ND_MF_MAX_DEPTH) {
				m->ck.path = p;
				rc = mferr(m, 0, "nested more than %d directories "
				    "deep", ND_MF_MAX_DEPTH);
			} else
				rc = walk(m, p, depth + 1);
			continue;
		}
		/* A symlink to a file is read; one to a directory is not
		   followed, so a link loop cannot trap the walk. */
		if (!yaml_name(ents[i]->d_name) || (S_ISLNK(st.st_mode) &&
		    (stat(p, &st) < 0 || !S_ISREG(st.st_mode))) ||
		    !S_ISREG(st.st_mode))
			continue;
		rc = load_file(m, p, st.st_size);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return rc;
}

static void
mf_result(struct mfparse *m, struct nd_manifests *ret)
{
	struct nd_arena *a = m->ck.arena;

	ret->blocks = (struct nd_mf_block **)mfv_done(a, &m->blocks);
	ret->policies = (struct nd_mf_policy **)mfv_done(a, &m->policies);
	ret->lbs = (struct nd_mf_lb **)mfv_done(a, &m->lbs);
	ret->routes = (struct nd_mf_route **)mfv_done(a, &m->routes);
	ret->nfiles = m->nfiles;
	ret->ndocs = m->ndocs;
}

int
nd_manifests_load(struct nd_arena *a, const char *path,
    struct nd_manifests *ret, char *err, size_t errlen)
{
	struct mfparse m;
	struct stat st;
	int rc;

	memset(&m, 0, sizeof(m));
	m.ck.arena = a;
	m.ck.err = err;
	m.ck.errlen = errlen;
	m.ck.path = path;
	if (stat(path, &st) < 0)
		return mferr(&m, 0, "cannot open: %s", strerror(errno));
	rc = S_ISDIR(st.st_mode) ? walk(&m, path, 0) :
	    load_file(&m, path, st.st_size);
	if (rc != 0)
		return rc;
	mf_result(&m, ret);
	return 0;
}

int
nd_manifests_parse(struct nd_arena *a, const struct nd_mf_answer *ans,
    size_t n, struct nd_manifests *ret, char *err, size_t errlen)
{
	struct mfparse m;
	size_t i;
	int rc;

	memset(&m, 0, sizeof(m));
	m.ck.arena = a;
	m.ck.err = err;
	m.ck.errlen = errlen;
	m.lineless = true;
	for (i = 0; i < n; i++) {
		if ((rc = load_answer(&m, &ans[i])) != 0)
			return rc;
		m.nfiles++;
	}
	mf_result(&m, ret);
	return 0;
}

char **
nd_manifests_route_ips(struct nd_arena *a, const struct nd_manifests *mf,
    const struct nd_mf_route *r)
{
	char **out;
	size_t i, j, k, n = 0, o = 0;

	for (i = 0; mf->lbs[i] != NULL; i++)
		for (k = 0; mf->lbs[i]->ips[k] != NULL; k++)
			n++;
	out = nd_arena_alloc(a, (n + 1) * sizeof(*out));
	for (j = 0; r->parents[j] != NULL; j++)
		for (i = 0; mf->lbs[i] != NULL; i++) {
			const struct nd_mf_lb *lb = mf->lbs[i];
			size_t nl = strlen(lb->ns);

			if (strcmp(lb->kind, "Gateway") != 0 ||
			    strncmp(r->parents[j], lb->ns, nl) != 0 ||
			    r->parents[j][nl] != '/' ||
			    strcmp(r->parents[j] + nl + 1, lb->name) != 0)
				continue;
			for (k = 0; lb->ips[k] != NULL && o < n; k++)
				out[o++] = lb->ips[k];
		}
	return out;
}

const struct nd_mf_lb *
nd_manifests_gateway(const struct nd_manifests *mf, const char *gw)
{
	size_t i, nl;

	for (i = 0; mf->lbs[i] != NULL; i++) {
		const struct nd_mf_lb *lb = mf->lbs[i];

		nl = strlen(lb->ns);
		if (strcmp(lb->kind, "Gateway") == 0 &&
		    strncmp(gw, lb->ns, nl) == 0 && gw[nl] == '/' &&
		    strcmp(gw + nl + 1, lb->name) == 0)
			return lb;
	}
	return NULL;
}

bool
nd_manifests_host_match(const char *pattern, const char *host)
{
	return pattern == NULL || nd_hostname_match(pattern, host);
}

const struct nd_mf_cond *
nd_manifests_cond(struct nd_mf_cond *const *conds, const char *type)
{
	for (; conds != NULL && *conds != NULL; conds++)
		if (strcmp((*conds)->type, type) == 0)
			return *conds;
	return NULL;
}

bool
nd_manifests_has_status(const struct nd_manifests *mf)
{
	size_t i;

	for (i = 0; mf->lbs[i] != NULL; i++)
		if (mf->lbs[i]->has_status)
			return true;
	for (i = 0; mf->routes[i] != NULL; i++)
		if (mf->routes[i]->has_status)
			return true;
	return false;
}
