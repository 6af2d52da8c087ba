/*
 * manifests.c - reading Kubernetes YAML for --manifests (see manifests.h).
 *
 * Field names follow the upstream types: Cilium's CiliumLoadBalancerIPPool
 * (spec.blocks[].cidr|start|stop, and spec.cidrs[].cidr before Cilium
 * 1.15), CiliumL2AnnouncementPolicy (spec.interfaces, loadBalancerIPs),
 * the io.cilium/lb-ipam-ips annotation (lbipam.cilium.io/ips since 1.16),
 * Gateway API Gateway (spec.addresses, spec.infrastructure.annotations,
 * status.addresses) and HTTPRoute/GRPCRoute/TLSRoute (hostnames,
 * parentRefs whose kind defaults to Gateway and namespace to the route's).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "manifests.h"
#include "ytree.h"

#define MF_MAX_DOC_DEPTH	64
#define MF_MAX_NODES		200000

struct mfv {			/* a growing NULL-terminated array */
	void	**v;
	size_t	  n, cap;
};

struct mfparse {
	struct nd_arena	*arena;
	char		*err;
	size_t		 errlen;
	const char	*path;		/* the file being read */
	size_t		 nfiles, ndocs, nobjects, total;
	struct mfv	 blocks, policies, lbs, routes;
};

static int mferr(struct mfparse *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
mferr(struct mfparse *m, int line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = nd_ytree_verr(m->err, m->errlen, NULL, m->path, line, fmt, ap);
	va_end(ap);
	return rc;
}

static int
mfv_push(struct mfparse *m, struct mfv *v, void *x)
{
	if (++m->nobjects > ND_MF_MAX_OBJECTS)
		return mferr(m, 0, "more than %d objects netdoctor reads",
		    ND_MF_MAX_OBJECTS);
	if (v->n + 1 >= v->cap) {
		v->v = nd_arena_grow(m->arena, v->v, v->cap, v->cap ? v->cap * 2 :
		    8, sizeof(*v->v));
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

/* --- typed access: absent or null is fine, a wrong type is an error --- */

static const struct nd_ynode *
get(const struct nd_ynode *map, const char *key)
{
	const struct nd_ynode *v = nd_ytree_peek(map, key);

	return nd_ytree_is_null(v) ? NULL : v;
}

static int
want(struct mfparse *m, const struct nd_ynode *v, enum nd_ykind kind,
    const char *what, const char *field)
{
	static const char *const names[] = { "a string", "a list", "a map" };

	if (v == NULL || v->kind == kind)
		return 0;
	return mferr(m, v->line, "%s: %s: expected %s", what, field,
	    names[kind]);
}

static int
str(struct mfparse *m, const struct nd_ynode *map, const char *key,
    const char *what, char **ret)
{
	const struct nd_ynode *v = get(map, key);
	int rc;

	*ret = NULL;
	if ((rc = want(m, v, ND_Y_SCALAR, what, key)) != 0)
		return rc;
	if (v != NULL)
		*ret = v->str;
	return 0;
}

static bool
is_ip(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* A CIDR whose address and prefix parse: "10.0.0.0/8", "fd00::/64". */
static bool
is_cidr(const char *s)
{
	char ip[64], *end;
	size_t n = strcspn(s, "/");
	long bits;

	if (s[n] != '/' || n == 0 || n >= sizeof(ip))
		return false;
	memcpy(ip, s, n);
	ip[n] = '\0';
	bits = strtol(s + n + 1, &end, 10);
	if (*end != '\0' || end == s + n + 1 || bits < 0)
		return false;
	return is_ip(ip) && bits <= (strchr(ip, ':') != NULL ? 128 : 32);
}

static int
cmp_ip(const char *a, const char *b)
{
	unsigned char x[16] = { 0 }, y[16] = { 0 };
	int fa = strchr(a, ':') != NULL ? AF_INET6 : AF_INET;
	int fb = strchr(b, ':') != NULL ? AF_INET6 : AF_INET;

	if (fa != fb)
		return fa < fb ? -1 : 1;
	inet_pton(fa, a, x);
	inet_pton(fb, b, y);
	return memcmp(x, y, 16);
}

/* "a, b ,c" -> IPs; every item must be an address. */
static int
ip_list(struct mfparse *m, const struct nd_ynode *v, const char *what,
    const char *field, char ***ret)
{
	char **out, *copy, *tok, *save = NULL;
	size_t n = 1, k = 0;
	const char *p;

	for (p = v->str; *p != '\0'; p++)
		n += *p == ',';
	out = nd_arena_alloc(m->arena, (n + 1) * sizeof(*out));
	copy = nd_arena_strdup(m->arena, v->str);
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	    tok = strtok_r(NULL, ", ", &save)) {
		if (!is_ip(tok))
			return mferr(m, v->line, "%s: %s: '%.64s' is not an IP "
			    "address", what, field, tok);
		out[k++] = tok;
	}
	*ret = out;
	return 0;
}

static int
meta(struct mfparse *m, const struct nd_ynode *doc, const char *kind,
    char **ns, char **name, char **what)
{
	const struct nd_ynode *md = get(doc, "metadata");
	int rc;

	*ns = *name = NULL;
	if ((rc = want(m, md, ND_Y_MAP, kind, "metadata")) != 0 ||
	    (rc = str(m, md, "name", kind, name)) != 0 ||
	    (rc = str(m, md, "namespace", kind, ns)) != 0)
		return rc;
	if (*name == NULL)
		*name = "(unnamed)";
	if (*ns == NULL)
		*ns = "default";
	*what = nd_arena_printf(m->arena, "%s %s", kind, *name);
	return 0;
}

static char *
src(struct mfparse *m, const struct nd_ynode *n)
{
	return nd_arena_printf(m->arena, "%s:%d", m->path, n->line);
}

/* --- the kinds --------------------------------------------------------- */

static int
add_block(struct mfparse *m, const struct nd_ynode *b, const char *name,
    const char *what, bool disabled, bool legacy)
{
	struct nd_mf_block *blk;
	char *cidr, *start, *stop;
	int rc;

	if ((rc = want(m, b, ND_Y_MAP, what, legacy ? "spec.cidrs[]" :
	    "spec.blocks[]")) != 0 ||
	    (rc = str(m, b, "cidr", what, &cidr)) != 0 ||
	    (rc = str(m, b, "start", what, &start)) != 0 ||
	    (rc = str(m, b, "stop", what, &stop)) != 0)
		return rc;
	blk = nd_arena_alloc(m->arena, sizeof(*blk));
	blk->pool = nd_arena_strdup(m->arena, name);
	blk->src = src(m, b);
	blk->disabled = disabled;
	if (cidr != NULL) {
		if (!is_cidr(cidr))
			return mferr(m, b->line, "%s: cidr '%.64s' is not a "
			    "CIDR", what, cidr);
		blk->range = cidr;
	} else if (start != NULL) {
		if (stop == NULL)
			stop = start;
		if (!is_ip(start) || !is_ip(stop))
			return mferr(m, b->line, "%s: start/stop '%.64s'-'%.64s' "
			    "are not IP addresses", what, start, stop);
		if (cmp_ip(start, stop) > 0)
			return mferr(m, b->line, "%s: start %s is after stop %s",
			    what, start, stop);
		blk->range = nd_arena_printf(m->arena, "%s-%s", start, stop);
	} else
		return mferr(m, b->line, "%s: a block needs cidr or start",
		    what);
	return mfv_push(m, &m->blocks, blk);
}

static int
load_pool(struct mfparse *m, const struct nd_ynode *doc)
{
	const struct nd_ynode *spec = get(doc, "spec"), *list, *dis;
	char *ns, *name, *what;
	bool disabled;
	size_t i;
	int rc;

	if ((rc = meta(m, doc, "CiliumLoadBalancerIPPool", &ns, &name,
	    &what)) != 0 ||
	    (rc = want(m, spec, ND_Y_MAP, what, "spec")) != 0)
		return rc;
	dis = get(spec, "disabled");
	if ((rc = want(m, dis, ND_Y_SCALAR, what, "spec.disabled")) != 0)
		return rc;
	disabled = dis != NULL && strcmp(dis->str, "true") == 0;
	list = get(spec, "blocks");
	if ((rc = want(m, list, ND_Y_SEQ, what, "spec.blocks")) != 0)
		return rc;
	for (i = 0; list != NULL && i < list->n; i++)
		if ((rc = add_block(m, list->kids[i], name, what, disabled,
		    false)) != 0)
			return rc;
	list = get(spec, "cidrs");	/* Cilium 1.14 and older */
	if ((rc = want(m, list, ND_Y_SEQ, what, "spec.cidrs")) != 0)
		return rc;
	for (i = 0; list != NULL && i < list->n; i++)
		if ((rc = add_block(m, list->kids[i], name, what, disabled,
		    true)) != 0)
			return rc;
	return 0;
}

static int
strings(struct mfparse *m, const struct nd_ynode *seq, const char *what,
    const char *field, char ***ret)
{
	char **out;
	size_t i;
	int rc;

	*ret = NULL;
	if ((rc = want(m, seq, ND_Y_SEQ, what, field)) != 0 || seq == NULL)
		return rc;
	out = nd_arena_alloc(m->arena, (seq->n + 1) * sizeof(*out));
	for (i = 0; i < seq->n; i++) {
		if ((rc = want(m, seq->kids[i], ND_Y_SCALAR, what, field)) != 0)
			return rc;
		out[i] = seq->kids[i]->str;
	}
	*ret = out;
	return 0;
}

static int
load_policy(struct mfparse *m, const struct nd_ynode *doc)
{
	const struct nd_ynode *spec = get(doc, "spec"), *lb;
	struct nd_mf_policy *p = nd_arena_alloc(m->arena, sizeof(*p));
	char *ns, *what;
	int rc;

	if ((rc = meta(m, doc, "CiliumL2AnnouncementPolicy", &ns, &p->name,
	    &what)) != 0 ||
	    (rc = want(m, spec, ND_Y_MAP, what, "spec")) != 0 ||
	    (rc = strings(m, get(spec, "interfaces"), what, "spec.interfaces",
	    &p->interfaces)) != 0)
		return rc;
	lb = get(spec, "loadBalancerIPs");
	if ((rc = want(m, lb, ND_Y_SCALAR, what, "spec.loadBalancerIPs")) != 0)
		return rc;
	p->lb_ips = lb != NULL && strcmp(lb->str, "true") == 0;
	p->src = src(m, doc);
	return mfv_push(m, &m->policies, p);
}

/* The LB-IPAM annotation, under its current or its older name. */
static const struct nd_ynode *
lbipam(const struct nd_ynode *annotations, const char **key)
{
	const struct nd_ynode *v;

	*key = "lbipam.cilium.io/ips";
	if ((v = get(annotations, *key)) != NULL)
		return v;
	*key = "io.cilium/lb-ipam-ips";
	return get(annotations, *key);
}

static int
load_service(struct mfparse *m, const struct nd_ynode *doc)
{
	const struct nd_ynode *spec = get(doc, "spec"), *md, *ann, *v, *ing;
	struct nd_mf_lb *lb;
	const char *key;
	char *type, *what, **ips = NULL;
	size_t i, k = 0;
	int rc;

	lb = nd_arena_alloc(m->arena, sizeof(*lb));
	if ((rc = meta(m, doc, "Service", &lb->ns, &lb->name, &what)) != 0 ||
	    (rc = want(m, spec, ND_Y_MAP, what, "spec")) != 0 ||
	    (rc = str(m, spec, "type", what, &type)) != 0)
		return rc;
	if (type == NULL || strcmp(type, "LoadBalancer") != 0)
		return 0;
	md = get(doc, "metadata");
	ann = get(md, "annotations");
	if ((rc = want(m, ann, ND_Y_MAP, what, "metadata.annotations")) != 0)
		return rc;
	if ((v = lbipam(ann, &key)) != NULL) {
		if ((rc = want(m, v, ND_Y_SCALAR, what, key)) != 0 ||
		    (rc = ip_list(m, v, what, key, &ips)) != 0)
			return rc;
		lb->ips_from = nd_arena_strdup(m->arena, key);
	} else if ((v = get(spec, "loadBalancerIP")) != NULL) {
		if ((rc = want(m, v, ND_Y_SCALAR, what,
		    "spec.loadBalancerIP")) != 0 ||
		    (rc = ip_list(m, v, what, "spec.loadBalancerIP", &ips)) != 0)
			return rc;
		lb->ips_from = "spec.loadBalancerIP";
	} else {
		ing = get(get(get(doc, "status"), "loadBalancer"), "ingress");
		if ((rc = want(m, ing, ND_Y_SEQ, what,
		    "status.loadBalancer.ingress")) != 0)
			return rc;
		ips = nd_arena_alloc(m->arena, ((ing != NULL ? ing->n : 0) + 1) *
		    sizeof(*ips));
		for (i = 0; ing != NULL && i < ing->n; i++) {
			char *ip;

			if ((rc = str(m, ing->kids[i], "ip", what,
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

static int
load_gateway(struct mfparse *m, const struct nd_ynode *doc)
{
	const struct nd_ynode *spec = get(doc, "spec"), *addrs, *ann, *v, *st;
	struct nd_mf_lb *lb = nd_arena_alloc(m->arena, sizeof(*lb));
	const char *key;
	char *what, **ips, **more;
	size_t i, k = 0, n;
	int rc;

	if ((rc = meta(m, doc, "Gateway", &lb->ns, &lb->name, &what)) != 0 ||
	    (rc = want(m, spec, ND_Y_MAP, what, "spec")) != 0)
		return rc;
	addrs = get(spec, "addresses");
	st = get(get(doc, "status"), "addresses");
	ann = get(get(spec, "infrastructure"), "annotations");
	if ((rc = want(m, addrs, ND_Y_SEQ, what, "spec.addresses")) != 0 ||
	    (rc = want(m, st, ND_Y_SEQ, what, "status.addresses")) != 0 ||
	    (rc = want(m, ann, ND_Y_MAP, what,
	    "spec.infrastructure.annotations")) != 0)
		return rc;
	n = (addrs != NULL ? addrs->n : 0) + (st != NULL ? st->n : 0) + 1;
	ips = nd_arena_alloc(m->arena, (n + 64) * sizeof(*ips));
	for (i = 0; addrs != NULL && i < addrs->n; i++) {
		char *type, *value;

		if ((rc = want(m, addrs->kids[i], ND_Y_MAP, what,
		    "spec.addresses[]")) != 0 ||
		    (rc = str(m, addrs->kids[i], "type", what, &type)) != 0 ||
		    (rc = str(m, addrs->kids[i], "value", what, &value)) != 0)
			return rc;
		if (value == NULL || (type != NULL && strcmp(type, "IPAddress") !=
		    0))
			continue;
		if (!is_ip(value))
			return mferr(m, addrs->kids[i]->line, "%s: "
			    "spec.addresses: '%.64s' is not an IP address", what,
			    value);
		ips[k++] = value;
		lb->ips_from = "spec.addresses";
	}
	if (k == 0 && (v = lbipam(ann, &key)) != NULL) {
		if ((rc = want(m, v, ND_Y_SCALAR, what, key)) != 0 ||
		    (rc = ip_list(m, v, what, key, &more)) != 0)
			return rc;
		for (i = 0; more[i] != NULL && k < n + 63; i++)
			ips[k++] = more[i];
		lb->ips_from = nd_arena_strdup(m->arena, key);
	}
	for (i = 0; k == 0 && st != NULL && i < st->n; i++) {
		char *value;

		if ((rc = str(m, st->kids[i], "value", what, &value)) != 0)
			return rc;
		if (value != NULL && is_ip(value))
			ips[k++] = value;
		lb->ips_from = "status.addresses";
	}
	lb->kind = "Gateway";
	lb->ips = ips;
	lb->src = src(m, doc);
	return mfv_push(m, &m->lbs, lb);
}

static int
load_route(struct mfparse *m, const struct nd_ynode *doc, const char *kind)
{
	const struct nd_ynode *spec = get(doc, "spec"), *refs;
	struct nd_mf_route *r = nd_arena_alloc(m->arena, sizeof(*r));
	char *what, **parents;
	size_t i, k = 0;
	int rc;

	if ((rc = meta(m, doc, kind, &r->ns, &r->name, &what)) != 0 ||
	    (rc = want(m, spec, ND_Y_MAP, what, "spec")) != 0 ||
	    (rc = strings(m, get(spec, "hostnames"), what, "spec.hostnames",
	    &r->hostnames)) != 0)
		return rc;
	refs = get(spec, "parentRefs");
	if ((rc = want(m, refs, ND_Y_SEQ, what, "spec.parentRefs")) != 0)
		return rc;
	parents = nd_arena_alloc(m->arena, ((refs != NULL ? refs->n : 0) + 1) *
	    sizeof(*parents));
	for (i = 0; refs != NULL && i < refs->n; i++) {
		char *pk, *pns, *pname;

		if ((rc = want(m, refs->kids[i], ND_Y_MAP, what,
		    "spec.parentRefs[]")) != 0 ||
		    (rc = str(m, refs->kids[i], "kind", what, &pk)) != 0 ||
		    (rc = str(m, refs->kids[i], "namespace", what, &pns)) != 0 ||
		    (rc = str(m, refs->kids[i], "name", what, &pname)) != 0)
			return rc;
		if (pname == NULL || (pk != NULL && strcmp(pk, "Gateway") != 0))
			continue;
		parents[k++] = nd_arena_printf(m->arena, "%s/%s",
		    pns != NULL ? pns : r->ns, pname);
	}
	if (r->hostnames == NULL)
		r->hostnames = nd_arena_alloc(m->arena, sizeof(char *));
	r->kind = nd_arena_strdup(m->arena, kind);
	r->parents = parents;
	r->src = src(m, doc);
	return mfv_push(m, &m->routes, r);
}

static int load_doc(struct mfparse *, const struct nd_ynode *, int);

static int
load_doc(struct mfparse *m, const struct nd_ynode *doc, int depth)
{
	const struct nd_ynode *kind_n, *api_n, *items;
	const char *kind, *api;
	size_t i;
	int rc;

	if (doc->kind != ND_Y_MAP)
		return 0;
	kind_n = get(doc, "kind");
	api_n = get(doc, "apiVersion");
	if (kind_n == NULL || kind_n->kind != ND_Y_SCALAR)
		return 0;	/* kustomization.yaml, Helm values: not ours */
	kind = kind_n->str;
	api = api_n != NULL && api_n->kind == ND_Y_SCALAR ? api_n->str : "";
	m->ndocs++;
	if (depth == 0 && strlen(kind) >= 4 &&
	    strcmp(kind + strlen(kind) - 4, "List") == 0) {
		items = get(doc, "items");
		if ((rc = want(m, items, ND_Y_SEQ, kind, "items")) != 0)
			return rc;
		for (i = 0; items != NULL && i < items->n; i++)
			if ((rc = load_doc(m, items->kids[i], 1)) != 0)
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

static int
load_file(struct mfparse *m, const char *path, off_t size)
{
	static const struct nd_ytree_opts opts = {
		.prefix = NULL,
		.max_bytes = ND_MF_MAX_BYTES,
		.max_depth = MF_MAX_DOC_DEPTH,
		.max_nodes = MF_MAX_NODES,
		.quiet_values = false,
		.multi_doc = true,
	};
	struct nd_ynode *docs;
	size_t i;
	int rc;

	if (++m->nfiles > ND_MF_MAX_FILES)
		return mferr(m, 0, "more than %d YAML files (netdoctor reads "
		    "at most that many)", ND_MF_MAX_FILES);
	m->total += size > 0 ? (size_t)size : 0;
	if (m->total > ND_MF_MAX_TOTAL)
		return mferr(m, 0, "the manifests hold more than %u MiB of "
		    "YAML", ND_MF_MAX_TOTAL >> 20);
	m->path = path;
	if ((rc = nd_ytree_load(m->arena, path, &opts, &docs, m->err,
	    m->errlen)) != 0)
		return rc;
	for (i = 0; i < docs->n; i++)
		if ((rc = load_doc(m, docs->kids[i], 0)) != 0)
			return rc;
	return 0;
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
		m->path = dir;
		return mferr(m, 0, "cannot read the directory: %s",
		    strerror(errno));
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (ents[i]->d_name[0] == '.')
			continue;	/* ., .., .git, editor files */
		p = nd_arena_printf(m->arena, "%s/%s", dir, ents[i]->d_name);
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (depth + 1 > ND_MF_MAX_DEPTH) {
				m->path = p;
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

int
nd_manifests_load(struct nd_arena *a, const char *path,
    struct nd_manifests *ret, char *err, size_t errlen)
{
	struct mfparse m;
	struct stat st;
	int rc;

	memset(&m, 0, sizeof(m));
	m.arena = a;
	m.err = err;
	m.errlen = errlen;
	m.path = path;
	if (stat(path, &st) < 0)
		return mferr(&m, 0, "cannot open: %s", strerror(errno));
	rc = S_ISDIR(st.st_mode) ? walk(&m, path, 0) :
	    load_file(&m, path, st.st_size);
	if (rc != 0)
		return rc;
	ret->blocks = (struct nd_mf_block **)mfv_done(a, &m.blocks);
	ret->policies = (struct nd_mf_policy **)mfv_done(a, &m.policies);
	ret->lbs = (struct nd_mf_lb **)mfv_done(a, &m.lbs);
	ret->routes = (struct nd_mf_route **)mfv_done(a, &m.routes);
	ret->nfiles = m.nfiles;
	ret->ndocs = m.ndocs;
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
