/*
 * config.c - loads netdoctor.yaml v1 (DESIGN.md 4.3) with libyaml.
 *
 * Two passes.  The first, ytree.c, turns the file into a small bounded
 * tree in the arena (no aliases, no deep nesting, one document).  The
 * second checks that tree against the schema, one function per section, so
 * every error can name the file, the line and the key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "config.h"
#include "target.h"
#include "util.h"
#include "ytree.h"

#define CONFIG_MAX_BYTES	(1024 * 1024)
#define CONFIG_MAX_DEPTH	16
/* Far above any real config; bounds the tree a 1 MiB file can build. */
#define CONFIG_MAX_NODES	100000
/* Each expect name becomes a target per server; keep the product sane. */
#define CONFIG_MAX_EXPECT	1024
#define L2_POOL_MAX		256
#define SHOW_MAX		64	/* longest value echoed in an error */
#define KEY_SUGGEST_LEN		32	/* longest key given a "did you mean" */

struct cparse {
	struct nd_arena		*arena;
	const char		*path;
	char			*err;
	size_t			 errlen;
	struct nd_config	 cfg;
};

struct keydef {
	const char	*name;
	int		(*fn)(struct cparse *, const struct nd_ynode *key,
			    const struct nd_ynode *val);
};

/* "PATH:LINE: what", or "PATH: what" for line 0; returns -EINVAL. */
static int
cerr(struct cparse *cp, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
cerr(struct cparse *cp, int line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = nd_ytree_verr(cp->err, cp->errlen, NULL, cp->path, line, fmt,
	    ap);
	va_end(ap);
	return rc;
}

/* Values are echoed cut to SHOW_MAX so that the reason still fits. */
static int
show_len(const struct nd_ynode *v)
{
	return (int)(v->len > SHOW_MAX ? SHOW_MAX : v->len);
}

static const char *
show_more(const struct nd_ynode *v)
{
	return v->len > SHOW_MAX ? "..." : "";
}

/* What a node is, for "must be X, got Y" messages. */
static const char *
describe(const struct nd_ynode *v)
{
	long long dummy;

	switch (v->kind) {
	case ND_Y_SEQ:
		return "a list";
	case ND_Y_MAP:
		return "a mapping";
	case ND_Y_SCALAR:
		break;
	}
	if (nd_ytree_is_null(v))
		return "an empty value";
	if (v->plain && nd_parse_int(v->str, LLONG_MIN, LLONG_MAX,
	    &dummy) == 0)
		return "a number";
	return "a string";
}

/* ---- the schema ---- */

/* Edit distance, for "did you mean"; keys are short. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[KEY_SUGGEST_LEN + 1], diag, up;

	if (la > KEY_SUGGEST_LEN || lb > KEY_SUGGEST_LEN)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best;

			up = row[j];
			best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/*
 * Checks a mapping against defs: every key known, none twice.  where is
 * "the top level" or "'dns'".
 */
static int
walk_map(struct cparse *cp, const struct nd_ynode *map, const char *where,
    const struct keydef *defs, size_t ndefs)
{
	int seen[16] = { 0 };
	const struct nd_ynode *k, *v;
	size_t i, d, best, dist, bestdist;
	int rc;

	if (ndefs > sizeof(seen) / sizeof(seen[0]))
		return cerr(cp, map->line, "internal error: too many keys "
		    "in %s", where);
	for (i = 0; i + 1 < map->n; i += 2) {
		k = map->kids[i];
		v = map->kids[i + 1];
		if (k->kind != ND_Y_SCALAR)
			return cerr(cp, k->line, "keys must be strings, got "
			    "%s in %s", describe(k), where);
		for (d = 0; d < ndefs; d++)
			if (strcmp(k->str, defs[d].name) == 0)
				break;
		if (d == ndefs) {
			bestdist = SIZE_MAX;
			for (best = d = 0; d < ndefs; d++)
				if ((dist = distance(k->str, defs[d].name)) <
				    bestdist) {
					bestdist = dist;
					best = d;
				}
			/* Two edits catch swaps and single typos. */
			if (bestdist <= 2 && k->len > 2)
				return cerr(cp, k->line, "unknown key '%.*s%s' "
				    "in %s (did you mean '%s'?)",
				    show_len(k), k->str, show_more(k), where,
				    defs[best].name);
			return cerr(cp, k->line, "unknown key '%.*s%s' in %s",
			    show_len(k), k->str, show_more(k), where);
		}
		if (seen[d] != 0)
			return cerr(cp, k->line, "duplicate key '%s' in %s "
			    "(first on line %d)", defs[d].name, where,
			    seen[d]);
		seen[d] = k->line;
		if (defs[d].fn != NULL && (rc = defs[d].fn(cp, k, v)) != 0)
			return rc;
	}
	return 0;
}

static int
want_kind(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v,
    const char *name, enum nd_ykind kind, const char *what)
{
	if (v->kind == kind && !nd_ytree_is_null(v))
		return 0;
	return cerr(cp, k->line, "'%s' must be %s, got %s", name, what,
	    describe(v));
}

/* A non-empty scalar. */
static int
get_string(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v, const char *name, const char *what, char **ret)
{
	int rc;

	if ((rc = want_kind(cp, k, v, name, ND_Y_SCALAR, what)) != 0)
		return rc;
	if (v->len == 0)
		return cerr(cp, v->line, "'%s' must not be empty", name);
	*ret = v->str;
	return 0;
}

/* A leading "~/" means $HOME, as in a shell; "~user" is not expanded. */
/*
 * dir (the first dlen bytes of a path) joined with rel, leading "./" and
 * "../" taken off lexically where dir has a component to spare, so a
 * report shows lab/cp01.yaml rather than lab/demo/../cp01.yaml.
 */
static char *
join_dir(struct nd_arena *a, const char *dir, size_t dlen, const char *rel)
{
	const char *prev;
	size_t plen;

	for (;;) {
		if (strncmp(rel, "./", 2) == 0) {
			rel += 2;
			continue;
		}
		if (strncmp(rel, "../", 3) != 0 || dlen == 0)
			break;
		for (prev = dir + dlen; prev > dir && prev[-1] != '/'; prev--)
			continue;
		plen = dlen - (size_t)(prev - dir);
		if ((plen == 2 && strncmp(prev, "..", 2) == 0) ||
		    (plen == 1 && *prev == '.'))
			break;
		dlen = prev > dir ? (size_t)(prev - dir) - 1 : 0;
		if (dlen == 0 && *dir == '/')
			return nd_arena_printf(a, "/%s", rel + 3);
		rel += 3;
		if (dlen == 0)
			return nd_arena_strdup(a, rel);
	}
	return nd_arena_printf(a, "%.*s/%s", (int)dlen, dir, rel);
}

static int
expand_path(struct cparse *cp, const struct nd_ynode *v, const char *name,
    char **ret)
{
	const char *home;

	const char *slash;

	if (strcmp(v->str, "~") != 0 && strncmp(v->str, "~/", 2) != 0) {
		/*
		 * A relative path is relative to the file that names it (as
		 * in a kubeconfig), so `netdoctor -c lab/netdoctor.yaml` run
		 * from anywhere finds lab/'s files.
		 */
		slash = strrchr(cp->path, '/');
		if (v->str[0] == '/' || slash == NULL)
			*ret = v->str;
		else
			*ret = join_dir(cp->arena, cp->path,
			    (size_t)(slash - cp->path), v->str);
		return 0;
	}
	home = getenv("HOME");
	if (home == NULL || *home == '\0')
		return cerr(cp, v->line, "%s: cannot expand '~': $HOME is "
		    "not set", name);
	*ret = nd_arena_printf(cp->arena, "%s%s", home, v->str + 1);
	return 0;
}

static int
get_path(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v,
    const char *name, char **ret)
{
	char *s;
	int rc;

	if ((rc = get_string(cp, k, v, name, "a path", &s)) != 0)
		return rc;
	return expand_path(cp, v, name, ret);
}

static int
check_ip(struct cparse *cp, const struct nd_ynode *v, const char *name,
    bool v4only)
{
	struct in_addr a;

	if (v->kind != ND_Y_SCALAR || nd_ytree_is_null(v))
		return cerr(cp, v->line, "%s: expected an IP address, got %s",
		    name, describe(v));
	if (v4only && inet_pton(AF_INET, v->str, &a) != 1)
		return cerr(cp, v->line, "%s: '%.*s%s' is not an IPv4 address",
		    name, show_len(v), v->str, show_more(v));
	if (!nd_is_ip_literal(v->str))
		return cerr(cp, v->line, "%s: '%.*s%s' is not an IP address",
		    name, show_len(v), v->str, show_more(v));
	return 0;
}

/* A list of IP literals into a NULL-terminated array. */
static int
get_ip_list(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v, const char *name, bool v4only, bool nonempty,
    char ***ret)
{
	char **ips;
	size_t i;
	int rc;

	if (v->kind != ND_Y_SEQ)
		return cerr(cp, k->line, "'%s' must be a list of %s addresses, "
		    "got %s", name, v4only ? "IPv4" : "IP", describe(v));
	if (nonempty && v->n == 0)
		return cerr(cp, k->line, "'%s' must list at least one address",
		    name);
	ips = nd_arena_alloc(cp->arena, (v->n + 1) * sizeof(*ips));
	for (i = 0; i < v->n; i++) {
		if ((rc = check_ip(cp, v->kids[i], name, v4only)) != 0)
			return rc;
		ips[i] = v->kids[i]->str;
	}
	ips[v->n] = NULL;
	*ret = ips;
	return 0;
}

static int
k_version(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	long long ver;

	if (v->kind != ND_Y_SCALAR || nd_parse_int(v->str, 0, INT_MAX,
	    &ver) != 0)
		return cerr(cp, k->line, "'version' must be a number, got %s",
		    describe(v));
	if (ver != 1)
		return cerr(cp, v->line, "version %lld is not supported (this "
		    "netdoctor reads version 1)", ver);
	return 0;
}

static int
k_targets(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	struct nd_config *c = &cp->cfg;
	struct nd_target *t;
	char terr[512], *origin;
	size_t i;
	int rc;

	if (v->kind != ND_Y_SEQ)
		return cerr(cp, k->line, "'targets' must be a list of target "
		    "URLs, got %s", describe(v));
	c->targets = nd_arena_alloc(cp->arena, (v->n + 1) *
	    sizeof(*c->targets));
	for (i = 0; i < v->n; i++) {
		const struct nd_ynode *u = v->kids[i];

		if (u->kind != ND_Y_SCALAR)
			return cerr(cp, u->line, "targets: expected a target "
			    "URL, got %s", describe(u));
		origin = nd_arena_printf(cp->arena, "%s:%d", cp->path,
		    u->line);
		terr[0] = '\0';
		if ((rc = nd_target_parse(cp->arena, u->str, origin, &t,
		    terr, sizeof(terr))) != 0)
			return cerr(cp, u->line, "%s", terr);
		c->targets[c->ntargets++] = t;
	}
	return 0;
}

static int
k_talosconfig(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	return get_path(cp, k, v, "talos.talosconfig", &cp->cfg.talosconfig);
}

static int
k_talos_context(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	return get_string(cp, k, v, "talos.context", "a string",
	    &cp->cfg.talos_context);
}

static const struct keydef talos_keys[] = {
	{ "talosconfig", k_talosconfig },
	{ "context", k_talos_context },
};

static int
k_talos(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	int rc;

	if ((rc = want_kind(cp, k, v, "talos", ND_Y_MAP, "a mapping")) != 0)
		return rc;
	return walk_map(cp, v, "'talos'", talos_keys,
	    sizeof(talos_keys) / sizeof(talos_keys[0]));
}

static int
k_kubeconfig(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	return get_path(cp, k, v, "kubernetes.kubeconfig",
	    &cp->cfg.kubeconfig);
}

static int
k_kube_context(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	return get_string(cp, k, v, "kubernetes.context", "a string",
	    &cp->cfg.kube_context);
}

static const struct keydef kube_keys[] = {
	{ "kubeconfig", k_kubeconfig },
	{ "context", k_kube_context },
};

static int
k_kubernetes(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	int rc;

	if ((rc = want_kind(cp, k, v, "kubernetes", ND_Y_MAP,
	    "a mapping")) != 0)
		return rc;
	return walk_map(cp, v, "'kubernetes'", kube_keys,
	    sizeof(kube_keys) / sizeof(kube_keys[0]));
}

static int
k_servers(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	return get_ip_list(cp, k, v, "dns.servers", false, false,
	    &cp->cfg.dns_servers);
}

static int
k_upstream(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	int rc;

	if ((rc = want_kind(cp, k, v, "dns.upstream", ND_Y_SCALAR,
	    "an IP address")) != 0 ||
	    (rc = check_ip(cp, v, "dns.upstream", false)) != 0)
		return rc;
	cp->cfg.dns_upstream = v->str;
	return 0;
}

/* Names are case-insensitive (RFC 4343) and "x." is "x". */
static bool
same_name(const struct nd_ynode *a, const struct nd_ynode *b)
{
	size_t la = a->len, lb = b->len;

	if (la > 0 && a->str[la - 1] == '.')
		la--;
	if (lb > 0 && b->str[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a->str, b->str, la) == 0;
}

static int
k_expect(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	struct nd_config *c = &cp->cfg;
	struct nd_dns_expect *e;
	const struct nd_ynode *name, *ips;
	const char *why;
	size_t i, j, bad;
	int rc;

	if (v->kind != ND_Y_MAP)
		return cerr(cp, k->line, "'dns.expect' must be a mapping of "
		    "names to address lists, got %s", describe(v));
	if (v->n / 2 > CONFIG_MAX_EXPECT)
		return cerr(cp, k->line, "dns.expect: %zu names, at most %d",
		    v->n / 2, CONFIG_MAX_EXPECT);
	c->dns_expect = nd_arena_alloc(cp->arena, (v->n / 2 + 1) *
	    sizeof(*c->dns_expect));
	for (i = 0; i + 1 < v->n; i += 2) {
		name = v->kids[i];
		ips = v->kids[i + 1];
		if (name->kind != ND_Y_SCALAR)
			return cerr(cp, name->line, "dns.expect: keys must be "
			    "names, got %s", describe(name));
		if ((why = nd_dns_name_problem(name->str, name->len,
		    &bad)) != NULL)
			return cerr(cp, name->line, "dns.expect: '%.*s%s' is "
			    "not a DNS name: %s", show_len(name), name->str,
			    show_more(name), why);
		for (j = 0; j < i; j += 2)
			if (same_name(v->kids[j], name))
				return cerr(cp, name->line, "duplicate key "
				    "'%.*s%s' in 'dns.expect' (first on line "
				    "%d)", show_len(name), name->str,
				    show_more(name), v->kids[j]->line);
		e = &c->dns_expect[c->ndns_expect];
		e->name = name->str;
		e->line = name->line;
		if ((rc = get_ip_list(cp, name, ips, "dns.expect", false, true,
		    &e->ips)) != 0)
			return rc;
		c->ndns_expect++;
	}
	return 0;
}

static const struct keydef dns_keys[] = {
	{ "servers", k_servers },
	{ "upstream", k_upstream },
	{ "expect", k_expect },
};

static int
k_dns(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	int rc;

	if ((rc = want_kind(cp, k, v, "dns", ND_Y_MAP, "a mapping")) != 0)
		return rc;
	return walk_map(cp, v, "'dns'", dns_keys,
	    sizeof(dns_keys) / sizeof(dns_keys[0]));
}

static int
k_interface(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	int rc;

	if ((rc = want_kind(cp, k, v, "l2.interface", ND_Y_SCALAR,
	    "an interface name")) != 0)
		return rc;
	if (!nd_is_ifname(v->str, v->len))
		return cerr(cp, v->line, "l2.interface: '%.*s%s' is not an "
		    "interface name (1-15 characters of letters, digits, "
		    "'.', '_', '-', '@')", show_len(v), v->str, show_more(v));
	cp->cfg.l2_interface = v->str;
	return 0;
}

static int
k_addresses(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	int rc;

	if (cp->cfg.l2_pool != NULL)
		return cerr(cp, k->line, "l2: give 'addresses' or 'pool', not "
		    "both");
	if ((rc = get_ip_list(cp, k, v, "l2.addresses", true, true,
	    &cp->cfg.l2_addresses)) != 0)
		return rc;
	if (v->n > L2_POOL_MAX)
		return cerr(cp, k->line, "l2.addresses: %zu addresses, at most "
		    "%d", v->n, L2_POOL_MAX);
	return 0;
}

/* Splits "A-B" (blanks around '-' allowed) into two IPv4 addresses. */
static int
parse_pool(const char *s, uint32_t *ret_a, uint32_t *ret_b)
{
	const char *dash = strchr(s, '-');
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	struct in_addr ia, ib;
	size_t la, lb;
	const char *pb;

	if (dash == NULL || strchr(dash + 1, '-') != NULL)
		return -EINVAL;
	for (la = (size_t)(dash - s); la > 0 && s[la - 1] == ' '; la--)
		continue;
	for (pb = dash + 1; *pb == ' '; pb++)
		continue;
	lb = strlen(pb);
	if (la == 0 || la >= sizeof(a) || lb == 0 || lb >= sizeof(b))
		return -EINVAL;
	memcpy(a, s, la);
	a[la] = '\0';
	memcpy(b, pb, lb + 1);
	if (inet_pton(AF_INET, a, &ia) != 1 || inet_pton(AF_INET, b, &ib) != 1)
		return -EINVAL;
	*ret_a = ntohl(ia.s_addr);
	*ret_b = ntohl(ib.s_addr);
	return 0;
}

static int
k_pool(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	struct in_addr ia, ib;
	char sa[INET_ADDRSTRLEN], sb[INET_ADDRSTRLEN];
	uint32_t a, b;
	int rc;

	if (cp->cfg.l2_addresses != NULL)
		return cerr(cp, k->line, "l2: give 'addresses' or 'pool', not "
		    "both");
	if ((rc = want_kind(cp, k, v, "l2.pool", ND_Y_SCALAR,
	    "a range A-B")) != 0)
		return rc;
	if (parse_pool(v->str, &a, &b) != 0)
		return cerr(cp, v->line, "l2.pool: '%.*s%s' is not a range "
		    "A-B of IPv4 addresses", show_len(v), v->str,
		    show_more(v));
	ia.s_addr = htonl(a);
	ib.s_addr = htonl(b);
	if (inet_ntop(AF_INET, &ia, sa, sizeof(sa)) == NULL ||
	    inet_ntop(AF_INET, &ib, sb, sizeof(sb)) == NULL)
		return cerr(cp, v->line, "l2.pool: cannot format addresses");
	if (a > b)
		return cerr(cp, v->line, "l2.pool: %s comes after %s", sa, sb);
	if (b - a >= L2_POOL_MAX)
		return cerr(cp, v->line, "l2.pool: %llu addresses, at most %d",
		    (unsigned long long)(b - a) + 1, L2_POOL_MAX);
	cp->cfg.l2_pool = nd_arena_printf(cp->arena, "%s-%s", sa, sb);
	cp->cfg.l2_pool_line = v->line;
	return 0;
}

static const struct keydef l2_keys[] = {
	{ "interface", k_interface },
	{ "addresses", k_addresses },
	{ "pool", k_pool },
};

static int
k_l2(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	int rc;

	if ((rc = want_kind(cp, k, v, "l2", ND_Y_MAP, "a mapping")) != 0)
		return rc;
	cp->cfg.l2_line = k->line;
	return walk_map(cp, v, "'l2'", l2_keys,
	    sizeof(l2_keys) / sizeof(l2_keys[0]));
}

static int
k_machine_configs(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	char **paths;
	size_t i;
	int rc;

	if (v->kind != ND_Y_SEQ)
		return cerr(cp, k->line, "'machine_configs' must be a list of "
		    "paths, got %s", describe(v));
	paths = nd_arena_alloc(cp->arena, (v->n + 1) * sizeof(*paths));
	for (i = 0; i < v->n; i++) {
		const struct nd_ynode *p = v->kids[i];

		if (p->kind != ND_Y_SCALAR || nd_ytree_is_null(p) ||
		    p->len == 0)
			return cerr(cp, p->line, "machine_configs: expected a "
			    "path, got %s", describe(p));
		if ((rc = expand_path(cp, p, "machine_configs",
		    &paths[i])) != 0)
			return rc;
	}
	cp->cfg.machine_configs = paths;
	return 0;
}

static int
k_host_ports(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	struct nd_config *c = &cp->cfg;
	size_t i;

	if (v->kind != ND_Y_SEQ)
		return cerr(cp, k->line, "'host_ports' must be a list of "
		    "ports, got %s", describe(v));
	c->host_ports = nd_arena_alloc(cp->arena, (v->n + 1) *
	    sizeof(*c->host_ports));
	c->host_port_lines = nd_arena_alloc(cp->arena, (v->n + 1) *
	    sizeof(*c->host_port_lines));
	for (i = 0; i < v->n; i++) {
		const struct nd_ynode *p = v->kids[i];

		if (p->kind != ND_Y_SCALAR)
			return cerr(cp, p->line, "host_ports: expected a port, "
			    "got %s", describe(p));
		if (nd_parse_port(p->str, &c->host_ports[i]) != 0)
			return cerr(cp, p->line, "host_ports: %.*s%s is not a "
			    "port (1-65535)", show_len(p), p->str,
			    show_more(p));
		c->host_port_lines[i] = p->line;
	}
	c->nhost_ports = v->n;
	return 0;
}

static int
k_timeout(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	int64_t ms;
	int rc;

	if ((rc = want_kind(cp, k, v, "timeout", ND_Y_SCALAR,
	    "a duration")) != 0)
		return rc;
	rc = nd_parse_duration_ms(v->str, &ms);
	if (rc == -ERANGE)
		return cerr(cp, v->line, "timeout: '%.*s%s' is longer than "
		    "24h", show_len(v), v->str, show_more(v));
	if (rc != 0)
		return cerr(cp, v->line, "timeout: '%.*s%s' is not a duration "
		    "(e.g. 5s, 250ms)", show_len(v), v->str, show_more(v));
	if (ms == 0)
		return cerr(cp, v->line, "timeout: must be greater than 0");
	cp->cfg.timeout_ms = ms;
	return 0;
}

/* version is checked before the rest, so it has no handler here. */
static const struct keydef top_keys[] = {
	{ "version", NULL },
	{ "targets", k_targets },
	{ "talos", k_talos },
	{ "kubernetes", k_kubernetes },
	{ "dns", k_dns },
	{ "l2", k_l2 },
	{ "machine_configs", k_machine_configs },
	{ "host_ports", k_host_ports },
	{ "timeout", k_timeout },
};

static int
check_top(struct cparse *cp, const struct nd_ynode *root)
{
	size_t i;
	int rc;

	if (root->kind != ND_Y_MAP)
		return cerr(cp, root->line, "the top level must be a mapping "
		    "starting with 'version: 1', got %s", describe(root));
	/*
	 * The version decides what the other keys mean, so a file from a
	 * newer netdoctor gets "version 2 is not supported" rather than a
	 * complaint about a key this version does not know.
	 */
	for (i = 0; i + 1 < root->n; i += 2) {
		const struct nd_ynode *k = root->kids[i];

		if (k->kind == ND_Y_SCALAR && strcmp(k->str, "version") == 0)
			break;
	}
	if (i + 1 >= root->n)
		return cerr(cp, root->line, "missing 'version: 1' at the top "
		    "level");
	if ((rc = k_version(cp, root->kids[i], root->kids[i + 1])) != 0)
		return rc;
	return walk_map(cp, root, "the top level", top_keys,
	    sizeof(top_keys) / sizeof(top_keys[0]));
}

int
nd_config_load(struct nd_arena *arena, const char *path,
    struct nd_config *ret, char *err, size_t errlen)
{
	/* netdoctor.yaml holds no secrets: errors may quote it. */
	static const struct nd_ytree_opts opts = {
		.prefix = NULL,
		.max_bytes = CONFIG_MAX_BYTES,
		.max_depth = CONFIG_MAX_DEPTH,
		.max_nodes = CONFIG_MAX_NODES,
		.quiet_values = false,
	};
	struct cparse cp = { .arena = arena, .path = path, .err = err,
	    .errlen = errlen };
	struct nd_ynode *root;
	int rc;

	if ((rc = nd_ytree_load(arena, path, &opts, &root, err,
	    errlen)) != 0)
		return rc;
	if (root == NULL)
		return cerr(&cp, 0, "empty file (expected a mapping starting "
		    "with 'version: 1')");
	if ((rc = check_top(&cp, root)) != 0)
		return rc;
	cp.cfg.path = nd_arena_strdup(arena, path);
	*ret = cp.cfg;
	return 0;
}
