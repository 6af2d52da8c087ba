/*
 * config.c - loads netdoctor.yaml v1 with libyaml.
 *
 * Two passes.  The first, ytree.c, turns the file into a small bounded
 * tree in the arena (no aliases, no deep nesting, one document).  The
 * second checks that tree against the schema with ytree.h's accessors,
 * one function per section, so every error can name the file, the line
 * and the key.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "config.h"
#include "engine.h"
#include "netaddr.h"
#include "target.h"
#include "util.h"
#include "ytree.h"

#define CONFIG_MAX_BYTES	(1024 * 1024)
#define CONFIG_MAX_DEPTH	16
/* Far above any real config; bounds the tree a 1 MiB file can build. */
#define CONFIG_MAX_NODES	100000
/* Each expect name becomes a target per server; keep the product sane. */
#define CONFIG_MAX_EXPECT	1024

#define NKEYS(a)		(sizeof(a) / sizeof((a)[0]))

/*
 * The key handlers' context: the checker and the config being built.
 * The tree, the file's text and what only the checks need are in tmp,
 * freed when the load ends (a 10,000-target file is some 1.5 MB of
 * tree); what the config keeps is in ck.arena, so a string it keeps
 * from the tree is copied (keep()).
 */
struct cparse {
	struct nd_ycheck	 ck;
	struct nd_arena		*tmp;
	struct nd_config	 cfg;
	struct nd_module	*mod;	/* the module being read */
};

/* A scalar's text in the arena that outlives the tree. */
static char *
keep(struct cparse *cp, const struct nd_ynode *v)
{
	return nd_arena_strndup(cp->ck.arena, v->str, v->len);
}

/* Reports through the checker: "PATH:LINE: what"; returns -EINVAL. */
#define cerr(cp, ...)	nd_ycheck_err(&(cp)->ck, __VA_ARGS__)

/* ---- the schema ---- */

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
	const char *home, *slash, *path = cp->ck.path;

	if (strcmp(v->str, "~") != 0 && strncmp(v->str, "~/", 2) != 0) {
		/*
		 * A relative path is relative to the file that names it (as
		 * in a kubeconfig), so `netdoctor -c lab/netdoctor.yaml` run
		 * from anywhere finds lab/'s files.
		 */
		slash = strrchr(path, '/');
		if (v->str[0] == '/' || slash == NULL)
			*ret = keep(cp, v);
		else
			*ret = join_dir(cp->ck.arena, path,
			    (size_t)(slash - path), v->str);
		return 0;
	}
	home = getenv("HOME");
	if (home == NULL || *home == '\0')
		return cerr(cp, v->line, "%s: cannot expand '~': "
		    "$HOME is not set", name);
	*ret = nd_arena_printf(cp->ck.arena, "%s%s", home, v->str + 1);
	return 0;
}

static int
get_path(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v, const char *name, char **ret)
{
	char *s;
	int rc;

	if ((rc = nd_ywant_str(&cp->ck, v, k->line, name, "a path", &s)) != 0)
		return rc;
	return expand_path(cp, v, name, ret);
}

/* One IP literal (v is a scalar), IPv4 only when v4only. */
static int
check_ip(struct cparse *cp, const struct nd_ynode *v, const char *name,
    bool v4only)
{
	struct nd_pfx p;

	if (nd_pfx_parse(v->str, ND_PFX_ADDR, &p) != 0)
		return cerr(cp, v->line, "%s: '%.*s%s' is not %s address", name,
		    ND_YSHOW(v->str, v->len), v4only ? "an IPv4" : "an IP");
	if (v4only && p.family != AF_INET)
		return cerr(cp, v->line, "%s: '%.*s%s' is not an IPv4 address",
		    name, ND_YSHOW(v->str, v->len));
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

	if ((rc = nd_ywant(&cp->ck, v, k->line, name, ND_Y_SEQ, v4only ?
	    "a list of IPv4 addresses" : "a list of IP addresses")) != 0)
		return rc;
	if (nonempty && v->n == 0)
		return cerr(cp, k->line, "%s: must list at least "
		    "one address", name);
	ips = nd_arena_alloc(cp->ck.arena, (v->n + 1) * sizeof(*ips));
	for (i = 0; i < v->n; i++) {
		if ((rc = nd_ywant_item(&cp->ck, v, i, name, ND_Y_SCALAR,
		    v4only ? "an IPv4 address" : "an IP address")) != 0 ||
		    (rc = check_ip(cp, v->kids[i], name, v4only)) != 0)
			return rc;
		ips[i] = keep(cp, v->kids[i]);
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
		return cerr(cp, k->line, "version: must be a "
		    "number, got %s", nd_ytree_describe(v));
	if (ver != 1)
		return cerr(cp, v->line, "version %lld is not "
		    "supported (this netdoctor reads version 1)", ver);
	return 0;
}

/* line's digits and a NUL at p: "%d" without printf, per target. */
static void
put_line(char *p, unsigned line)
{
	char d[24], *s = nd_utoa(d + sizeof(d), line);
	size_t n = (size_t)(d + sizeof(d) - s);

	memcpy(p, s, n);
	p[n] = '\0';
}

static int
k_targets(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	struct nd_config *c = &cp->cfg;
	struct nd_target *t;
	char terr[512], obuf[256], *origin;
	size_t i, plen = strlen(cp->ck.path);
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, "targets", ND_Y_SEQ,
	    "a list of target URLs")) != 0)
		return rc;
	c->targets = nd_arena_alloc(cp->ck.arena, (v->n + 1) *
	    sizeof(*c->targets));
	/* "PATH:" once; each target writes only its line after it. */
	if (plen + 16 <= sizeof(obuf)) {
		memcpy(obuf, cp->ck.path, plen);
		obuf[plen] = ':';
	}
	for (i = 0; i < v->n; i++) {
		const struct nd_ynode *u = v->kids[i];

		if ((rc = nd_ywant_item(&cp->ck, v, i, "targets", ND_Y_SCALAR,
		    "a target URL")) != 0)
			return rc;
		if (plen + 16 <= sizeof(obuf) && u->line > 0) {
			put_line(obuf + plen + 1, (unsigned)u->line);
			origin = obuf;
		} else
			origin = nd_arena_printf(cp->tmp, "%s:%d",
			    cp->ck.path, u->line);
		terr[0] = '\0';
		if ((rc = nd_target_parse(cp->ck.arena, u->str, origin, &t,
		    terr, sizeof(terr))) != 0)
			return cerr(cp, u->line, "%s", terr);
		c->targets[c->ntargets++] = t;
	}
	return 0;
}

/*
 * ---- http: web targets as mappings ----
 *
 * An entry is the http(s):// URL it stands for: its keys become the
 * URL's nd- parameters and the URL parser judges the whole, so the rules
 * are the parser's; only the blame is moved from a column to the key.
 */
enum { W_URL, W_CONNECT, W_STATUS, W_BODY, W_CA, W_N };

static const char *const web_keys[W_N] = {
	[W_URL] = "url",
	[W_CONNECT] = "connect",
	[W_STATUS] = "status",
	[W_BODY] = "body",
	[W_CA] = "ca",
};

struct cweb {
	const struct nd_ynode	*k[W_N], *v[W_N];
};

static int
w_key(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cweb *w = arg;
	size_t i;

	for (i = 0; i < W_N; i++)
		if (strcmp(k->str, web_keys[i]) == 0) {
			w->k[i] = k;
			w->v[i] = v;
		}
	return 0;
}

static const struct nd_ykey http_keys[] = {
	{ "url", w_key },
	{ "connect", w_key },
	{ "status", w_key },
	{ "body", w_key },
	{ "ca", w_key },
};

/* status: 200, "200,301-399" or a list of them, as nd-status writes it. */
static int
web_status(struct cparse *cp, const char *name, const struct nd_ynode *k,
    const struct nd_ynode *v, char **ret)
{
	char *s;
	size_t i, len = 1, o = 0;
	int rc;

	if (v == NULL || v->kind != ND_Y_SEQ)
		return nd_ywant_str(&cp->ck, v, k->line, name,
		    "a status, a range such as 301-399 or a list of them", ret);
	if (v->n == 0)
		return cerr(cp, k->line, "%s: must list at least one status",
		    name);
	for (i = 0; i < v->n; i++) {
		if ((rc = nd_ywant_item(&cp->ck, v, i, name, ND_Y_SCALAR,
		    "a status or a range such as 301-399")) != 0)
			return rc;
		len += v->kids[i]->len + 1;
	}
	s = nd_arena_alloc(cp->ck.arena, len);
	for (i = 0; i < v->n; i++) {
		if (i > 0)
			s[o++] = ',';
		memcpy(s + o, v->kids[i]->str, v->kids[i]->len);
		o += v->kids[i]->len;
	}
	s[o] = '\0';
	*ret = s;
	return 0;
}

/* One entry (a mapping) of http: into a target. */
static int
web_entry(struct cparse *cp, const struct nd_ynode *e, size_t idx,
    struct nd_target **ret)
{
	/* connect and status are read raw by the parser: keep their text. */
	static const char *const keep[W_N] = {
		[W_CONNECT] = ":[]",
		[W_STATUS] = ",",
		[W_BODY] = "",
		[W_CA] = "/",
	};
	const char *where = nd_arena_printf(cp->tmp, "http[%zu]", idx);
	const char *origin = nd_arena_printf(cp->tmp, "%s:%d",
	    cp->ck.path, e->line);
	struct cweb w;
	struct nd_target *t;
	char *val[W_N] = { NULL }, *url, msg[512];
	size_t i, n, len, at, end[W_N] = { 0 };
	int rc, last = W_URL;

	memset(&w, 0, sizeof(w));
	if ((rc = nd_ywalk(&cp->ck, e, where, http_keys, NKEYS(http_keys),
	    &w)) != 0)
		return rc;
	for (i = 0; i < W_N; i++) {
		const char *name = nd_arena_printf(cp->tmp, "%s.%s", where,
		    web_keys[i]);

		if (w.k[i] == NULL)
			continue;
		if (i == W_STATUS)
			rc = web_status(cp, name, w.k[i], w.v[i], &val[i]);
		else if (i == W_CA)
			rc = get_path(cp, w.k[i], w.v[i], name, &val[i]);
		else
			rc = nd_ywant_str(&cp->ck, w.v[i], w.k[i]->line, name,
			    i == W_URL ? "an http:// or https:// URL" : NULL,
			    &val[i]);
		if (rc != 0)
			return rc;
	}
	if (val[W_URL] == NULL)
		return cerr(cp, e->line, "%s.url: missing", where);
	/* The URL alone first: its own mistakes and its scheme. */
	if (nd_target_parse_at(cp->tmp, val[W_URL], origin, &t, msg,
	    sizeof(msg), &at) != 0)
		return cerr(cp, w.v[W_URL]->line, "%s.url: %s", where, msg);
	if (t->scheme != ND_S_HTTP && t->scheme != ND_S_HTTPS)
		return cerr(cp, w.v[W_URL]->line, "%s.url: '%.*s%s' is not an "
		    "http:// or https:// URL (targets: takes the other "
		    "schemes)", where, ND_YSHOW(w.v[W_URL]->str,
		    w.v[W_URL]->len));

	len = strlen(val[W_URL]) + 1;
	for (i = W_CONNECT; i < W_N; i++)
		if (val[i] != NULL)
			len += 5 + strlen(web_keys[i]) + 3 * strlen(val[i]);
	url = nd_arena_alloc(cp->tmp, len);
	n = strlen(val[W_URL]);
	memcpy(url, val[W_URL], n + 1);
	end[W_URL] = n;
	for (i = W_CONNECT; i < W_N; i++) {
		if (val[i] == NULL)
			continue;
		/* "?" or "&" first, unless the URL ends in one already. */
		if (strchr(url, '?') == NULL)
			url[n++] = '?';
		else if (url[n - 1] != '?' && url[n - 1] != '&')
			url[n++] = '&';
		n += (size_t)snprintf(url + n, len - n, "nd-%s=", web_keys[i]);
		n += nd_pct_encode(url + n, val[i], keep[i]);
		end[i] = n;
		last = (int)i;
	}
	if (nd_target_parse_at(cp->ck.arena, url, origin, &t, msg,
	    sizeof(msg), &at) != 0) {
		/* The key whose text holds the offset; past the end, the last. */
		for (i = W_URL; i < W_N; i++)
			if (val[i] != NULL && at < end[i])
				break;
		if (i == W_N)
			i = (size_t)last;
		return cerr(cp, w.v[i]->line, "%s.%s: %s", where, web_keys[i],
		    msg);
	}
	*ret = t;
	return 0;
}

static int
k_http(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	struct nd_config *c = &cp->cfg;
	size_t i;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, "http", ND_Y_SEQ,
	    "a list of mappings (url, connect, status, body, ca)")) != 0)
		return rc;
	c->http = nd_arena_alloc(cp->ck.arena, (v->n + 1) * sizeof(*c->http));
	for (i = 0; i < v->n; i++) {
		if ((rc = nd_ywant_item(&cp->ck, v, i, "http", ND_Y_MAP,
		    "a mapping (url, connect, status, body, ca)")) != 0 ||
		    (rc = web_entry(cp, v->kids[i], i, &c->http[i])) != 0)
			return rc;
		c->nhttp++;
	}
	return 0;
}

static int
k_talosconfig(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;

	return get_path(cp, k, v, "talos.talosconfig", &cp->cfg.talosconfig);
}

static int
k_talos_context(void *arg, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	struct cparse *cp = arg;

	return nd_ywant_str(&cp->ck, v, k->line, "talos.context", NULL,
	    &cp->cfg.talos_context);
}

static const struct nd_ykey talos_keys[] = {
	{ "talosconfig", k_talosconfig },
	{ "context", k_talos_context },
};

static int
k_talos(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, "talos", ND_Y_MAP,
	    NULL)) != 0)
		return rc;
	return nd_ywalk(&cp->ck, v, "talos", talos_keys, NKEYS(talos_keys),
	    cp);
}

static int
k_kubeconfig(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;

	return get_path(cp, k, v, "kubernetes.kubeconfig",
	    &cp->cfg.kubeconfig);
}

static int
k_kube_context(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;

	return nd_ywant_str(&cp->ck, v, k->line, "kubernetes.context", NULL,
	    &cp->cfg.kube_context);
}

static const struct nd_ykey kube_keys[] = {
	{ "kubeconfig", k_kubeconfig },
	{ "context", k_kube_context },
};

static int
k_kubernetes(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, "kubernetes", ND_Y_MAP,
	    NULL)) != 0)
		return rc;
	return nd_ywalk(&cp->ck, v, "kubernetes", kube_keys, NKEYS(kube_keys),
	    cp);
}

static int
k_servers(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;

	return get_ip_list(cp, k, v, "dns.servers", false, false,
	    &cp->cfg.dns_servers);
}

static int
k_upstream(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, "dns.upstream", ND_Y_SCALAR,
	    "an IP address")) != 0 ||
	    (rc = check_ip(cp, v, "dns.upstream", false)) != 0)
		return rc;
	cp->cfg.dns_upstream = keep(cp, v);
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
k_expect(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	struct nd_config *c = &cp->cfg;
	struct nd_dns_expect *e;
	const struct nd_ynode *name, *ips;
	const char *why;
	size_t i, j, bad;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, "dns.expect", ND_Y_MAP,
	    "a mapping of names to address lists")) != 0)
		return rc;
	if (v->n / 2 > CONFIG_MAX_EXPECT)
		return cerr(cp, k->line, "dns.expect: %zu names, "
		    "at most %d", v->n / 2, CONFIG_MAX_EXPECT);
	c->dns_expect = nd_arena_alloc(cp->ck.arena, (v->n / 2 + 1) *
	    sizeof(*c->dns_expect));
	for (i = 0; i + 1 < v->n; i += 2) {
		name = v->kids[i];
		ips = v->kids[i + 1];
		if (name->kind != ND_Y_SCALAR)
			return cerr(cp, name->line, "keys must be "
			    "strings, got %s in 'dns.expect'",
			    nd_ytree_describe(name));
		if ((why = nd_dns_name_problem(name->str, name->len,
		    &bad)) != NULL)
			return cerr(cp, name->line, "dns.expect: "
			    "'%.*s%s' is not a DNS name: %s",
			    ND_YSHOW(name->str, name->len), why);
		/* The same name in another spelling repeats the key, too. */
		for (j = 0; j < i; j += 2)
			if (same_name(v->kids[j], name))
				return cerr(cp, name->line,
				    "dns.expect.%.*s%s: given twice (first on "
				    "line %d)", ND_YSHOW(name->str, name->len),
				    v->kids[j]->line);
		e = &c->dns_expect[c->ndns_expect];
		e->name = keep(cp, name);
		e->line = name->line;
		if ((rc = get_ip_list(cp, name, ips, "dns.expect", false, true,
		    &e->ips)) != 0)
			return rc;
		c->ndns_expect++;
	}
	return 0;
}

static const struct nd_ykey dns_keys[] = {
	{ "servers", k_servers },
	{ "upstream", k_upstream },
	{ "expect", k_expect },
};

static int
k_dns(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, "dns", ND_Y_MAP, NULL)) != 0)
		return rc;
	return nd_ywalk(&cp->ck, v, "dns", dns_keys, NKEYS(dns_keys), cp);
}

static int
k_interface(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, "l2.interface", ND_Y_SCALAR,
	    "an interface name")) != 0)
		return rc;
	if (!nd_is_ifname(v->str, v->len))
		return cerr(cp, v->line, "l2.interface: '%.*s%s' "
		    "is not an interface name (1-15 characters of letters, "
		    "digits, '.', '_', '-', '@')", ND_YSHOW(v->str, v->len));
	cp->cfg.l2_interface = keep(cp, v);
	return 0;
}

static int
k_addresses(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	int rc;

	if (cp->cfg.l2_pool != NULL)
		return cerr(cp, k->line, "l2: give 'addresses' or "
		    "'pool', not both");
	if ((rc = get_ip_list(cp, k, v, "l2.addresses", true, true,
	    &cp->cfg.l2_addresses)) != 0)
		return rc;
	if (v->n > ND_L2_POOL_MAX)
		return cerr(cp, k->line, "l2.addresses: %zu "
		    "addresses, at most %d", v->n, ND_L2_POOL_MAX);
	return 0;
}

static int
k_pool(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	char sa[ND_PFX_TEXT_MAX], sb[ND_PFX_TEXT_MAX];
	struct nd_iprange r;
	struct nd_pfx a, b;
	int rc;

	if (cp->cfg.l2_addresses != NULL)
		return cerr(cp, k->line, "l2: give 'addresses' or 'pool', not "
		    "both");
	if ((rc = nd_ywant(&cp->ck, v, k->line, "l2.pool", ND_Y_SCALAR,
	    "a range A-B")) != 0)
		return rc;
	if (nd_pool_split(v->str, &a, &b) != 0)
		return cerr(cp, v->line, "l2.pool: '%.*s%s' is not a range A-B "
		    "of IPv4 addresses", ND_YSHOW(v->str, v->len));
	if (nd_addr_format(&a, sa, sizeof(sa)) < 0 ||
	    nd_addr_format(&b, sb, sizeof(sb)) < 0)
		return cerr(cp, v->line, "l2.pool: cannot format addresses");
	rc = nd_pool_parse(v->str, &r);
	if (rc == -ERANGE)
		return cerr(cp, v->line, "l2.pool: %s comes after %s", sa, sb);
	if (rc == -E2BIG) {
		r.first = a;
		r.last = b;
		return cerr(cp, v->line, "l2.pool: %llu addresses, at most %d",
		    (unsigned long long)nd_iprange_size(&r), ND_L2_POOL_MAX);
	}
	if (rc != 0)
		return cerr(cp, v->line, "l2.pool: '%.*s%s' is not a range A-B "
		    "of IPv4 addresses", ND_YSHOW(v->str, v->len));
	/* Written the way inventory.c and the address plan read it back. */
	cp->cfg.l2_pool = nd_arena_printf(cp->ck.arena, "%s-%s", sa, sb);
	cp->cfg.l2_pool_line = v->line;
	return 0;
}

static const struct nd_ykey l2_keys[] = {
	{ "interface", k_interface },
	{ "addresses", k_addresses },
	{ "pool", k_pool },
};

static int
k_l2(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, "l2", ND_Y_MAP, NULL)) != 0)
		return rc;
	cp->cfg.l2_line = k->line;
	return nd_ywalk(&cp->ck, v, "l2", l2_keys, NKEYS(l2_keys), cp);
}

static int
k_machine_configs(void *arg, const struct nd_ynode *k,
    const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	const struct nd_ynode *p;
	char **paths, *s;
	size_t i;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, "machine_configs", ND_Y_SEQ,
	    "a list of paths")) != 0)
		return rc;
	paths = nd_arena_alloc(cp->ck.arena, (v->n + 1) * sizeof(*paths));
	for (i = 0; i < v->n; i++) {
		p = v->kids[i];
		/* The item's name is built only for its message. */
		if ((p->kind != ND_Y_SCALAR || p->len == 0 ||
		    nd_ytree_is_null(p)) &&
		    (rc = nd_ywant_str(&cp->ck, p, p->line, nd_arena_printf(
		    cp->ck.arena, "machine_configs[%zu]", i), "a path",
		    &s)) != 0)
			return rc;
		if ((rc = expand_path(cp, p, "machine_configs",
		    &paths[i])) != 0)
			return rc;
	}
	cp->cfg.machine_configs = paths;
	return 0;
}

static int
k_host_ports(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	struct nd_config *c = &cp->cfg;
	size_t i;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, "host_ports", ND_Y_SEQ,
	    "a list of ports")) != 0)
		return rc;
	c->host_ports = nd_arena_alloc(cp->ck.arena, (v->n + 1) *
	    sizeof(*c->host_ports));
	c->host_port_lines = nd_arena_alloc(cp->ck.arena, (v->n + 1) *
	    sizeof(*c->host_port_lines));
	for (i = 0; i < v->n; i++) {
		const struct nd_ynode *p = v->kids[i];

		if ((rc = nd_ywant_item(&cp->ck, v, i, "host_ports",
		    ND_Y_SCALAR, "a port")) != 0)
			return rc;
		if (nd_parse_port(p->str, &c->host_ports[i]) != 0)
			return cerr(cp, p->line, "host_ports: "
			    "%.*s%s is not a port (1-65535)",
			    ND_YSHOW(p->str, p->len));
		c->host_port_lines[i] = p->line;
	}
	c->nhost_ports = v->n;
	return 0;
}

static int
k_timeout(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	int64_t ms;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, "timeout", ND_Y_SCALAR,
	    "a duration")) != 0)
		return rc;
	rc = nd_parse_duration_ms(v->str, &ms);
	if (rc == -ERANGE)
		return cerr(cp, v->line, "timeout: '%.*s%s' is "
		    "longer than 24h", ND_YSHOW(v->str, v->len));
	if (rc != 0)
		return cerr(cp, v->line, "timeout: '%.*s%s' is not "
		    "a duration (e.g. 5s, 250ms)", ND_YSHOW(v->str, v->len));
	if (ms == 0)
		return cerr(cp, v->line, "timeout: must be greater "
		    "than 0");
	cp->cfg.timeout_ms = ms;
	return 0;
}

/* ---- modules: (netdoctor serve; docs/contracts.md) ---- */

static int
m_timeout(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	const char *name = nd_arena_printf(cp->ck.arena, "modules.%s.timeout",
	    cp->mod->name);
	int64_t ms;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, name, ND_Y_SCALAR,
	    "a duration")) != 0)
		return rc;
	if (nd_parse_duration_ms(v->str, &ms) != 0 || ms <= 0)
		return cerr(cp, v->line, "%s: '%.*s%s' is not a duration "
		    "(e.g. 5s, 250ms)", name, ND_YSHOW(v->str, v->len));
	cp->mod->timeout_ms = ms;
	return 0;
}

/* only: / skip: a list of probe names this build knows. */
static int
m_probes(struct cparse *cp, const struct nd_ynode *k,
    const struct nd_ynode *v, const char *key, const char ***ret)
{
	const char *name = nd_arena_printf(cp->ck.arena, "modules.%s.%s",
	    cp->mod->name, key);
	const char **list;
	size_t i;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, name, ND_Y_SEQ,
	    "a list of probe names")) != 0)
		return rc;
	if (v->n == 0)
		return cerr(cp, k->line, "%s: must name at least one probe",
		    name);
	list = nd_arena_alloc(cp->ck.arena, (v->n + 1) * sizeof(*list));
	for (i = 0; i < v->n; i++) {
		if ((rc = nd_ywant_item(&cp->ck, v, i, name, ND_Y_SCALAR,
		    "a probe name")) != 0)
			return rc;
		if (nd_registry_find(v->kids[i]->str) == NULL)
			return cerr(cp, v->kids[i]->line, "%s: unknown probe "
			    "'%.*s%s' (netdoctor list shows the probes)", name,
			    ND_YSHOW(v->kids[i]->str, v->kids[i]->len));
		list[i] = keep(cp, v->kids[i]);
	}
	list[v->n] = NULL;
	*ret = list;
	return 0;
}

static int
m_only(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;

	return m_probes(cp, k, v, "only", &cp->mod->only);
}

static int
m_skip(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;

	return m_probes(cp, k, v, "skip", &cp->mod->skip);
}

static int
m_talosconfig(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;

	return get_path(cp, k, v, nd_arena_printf(cp->ck.arena,
	    "modules.%s.talosconfig", cp->mod->name), &cp->mod->talosconfig);
}

static int
m_kubeconfig(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;

	return get_path(cp, k, v, nd_arena_printf(cp->ck.arena,
	    "modules.%s.kubeconfig", cp->mod->name), &cp->mod->kubeconfig);
}

/* success: the worst status that still counts as probe_success 1. */
static int
m_success(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	const char *name = nd_arena_printf(cp->ck.arena, "modules.%s.success",
	    cp->mod->name);
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, name, ND_Y_SCALAR,
	    "ok or warning")) != 0)
		return rc;
	if (strcmp(v->str, "ok") == 0)
		cp->mod->warning_fails = true;
	else if (strcmp(v->str, "warning") == 0)
		cp->mod->warning_fails = false;
	else
		return cerr(cp, v->line, "%s: must be ok or warning, got "
		    "'%.*s%s'", name, ND_YSHOW(v->str, v->len));
	return 0;
}

static const struct nd_ykey module_keys[] = {
	{ "timeout", m_timeout },
	{ "only", m_only },
	{ "skip", m_skip },
	{ "talosconfig", m_talosconfig },
	{ "kubeconfig", m_kubeconfig },
	{ "success", m_success },
};

static int
k_modules(void *arg, const struct nd_ynode *k, const struct nd_ynode *v)
{
	struct cparse *cp = arg;
	struct nd_config *c = &cp->cfg;
	size_t i, j;
	int rc;

	if ((rc = nd_ywant(&cp->ck, v, k->line, "modules", ND_Y_MAP,
	    "a mapping of module names to settings")) != 0)
		return rc;
	c->modules = nd_arena_alloc(cp->ck.arena, (v->n / 2 + 1) *
	    sizeof(*c->modules));
	for (i = 0; i + 1 < v->n; i += 2) {
		const struct nd_ynode *mk = v->kids[i], *mv = v->kids[i + 1];
		struct nd_module *m = &c->modules[c->nmodules];

		if (mk->kind != ND_Y_SCALAR || mk->len == 0 || mk->len > 64)
			return cerr(cp, mk->line, "modules: a module name must "
			    "be a word of 1 to 64 characters");
		for (j = 0; j < mk->len; j++)
			if (strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-",
			    mk->str[j]) == NULL)
				return cerr(cp, mk->line, "modules: '%.*s%s' "
				    "is not a module name (letters, digits, "
				    "'_', '.', '-')", ND_YSHOW(mk->str,
				    mk->len));
		for (j = 0; j < c->nmodules; j++)
			if (strcmp(c->modules[j].name, mk->str) == 0)
				return cerr(cp, mk->line, "modules.%s: given "
				    "twice (first on line %d)", mk->str,
				    c->modules[j].line);
		m->name = keep(cp, mk);
		m->line = mk->line;
		cp->mod = m;
		c->nmodules++;
		/* An empty module (name: {} or name:) is the defaults. */
		if (nd_ytree_is_null(mv))
			continue;
		if ((rc = nd_ywant(&cp->ck, mv, mk->line, nd_arena_printf(
		    cp->ck.arena, "modules.%s", m->name), ND_Y_MAP, NULL)) != 0)
			return rc;
		if ((rc = nd_ywalk(&cp->ck, mv, nd_arena_printf(cp->ck.arena,
		    "modules.%s", m->name), module_keys, NKEYS(module_keys),
		    cp)) != 0)
			return rc;
	}
	return 0;
}

/* version is checked before the rest, so it has no handler here. */
static const struct nd_ykey top_keys[] = {
	{ "version", NULL },
	{ "targets", k_targets },
	{ "http", k_http },
	{ "talos", k_talos },
	{ "kubernetes", k_kubernetes },
	{ "dns", k_dns },
	{ "l2", k_l2 },
	{ "machine_configs", k_machine_configs },
	{ "host_ports", k_host_ports },
	{ "timeout", k_timeout },
	{ "modules", k_modules },
};

static int
check_top(struct cparse *cp, const struct nd_ynode *root)
{
	size_t i;
	int rc;

	if (root->kind != ND_Y_MAP)
		return cerr(cp, root->line, "the top level must be "
		    "a mapping starting with 'version: 1', got %s",
		    nd_ytree_describe(root));
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
		return cerr(cp, root->line, "missing 'version: 1' "
		    "at the top level");
	if ((rc = k_version(cp, root->kids[i], root->kids[i + 1])) != 0)
		return rc;
	return nd_ywalk(&cp->ck, root, NULL, top_keys, NKEYS(top_keys), cp);
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
	struct cparse cp = { .ck = { .arena = arena, .path = path,
	    .err = err, .errlen = errlen } };
	struct nd_ynode *root;
	int rc;

	cp.tmp = nd_arena_new();
	if ((rc = nd_ytree_load(cp.tmp, path, &opts, &root, err,
	    errlen)) != 0)
		goto out;
	if (root == NULL) {
		rc = cerr(&cp, 0, "empty file (expected a mapping "
		    "starting with 'version: 1')");
		goto out;
	}
	if ((rc = check_top(&cp, root)) != 0)
		goto out;
	cp.cfg.path = nd_arena_strdup(arena, path);
	*ret = cp.cfg;
out:
	nd_arena_free(cp.tmp);
	return rc;
}
