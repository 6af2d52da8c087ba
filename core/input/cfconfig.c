/*
 * cfconfig.c - cloudflared's config.yml (see cfconfig.h).
 *
 * What cloudflared accepts is its ingress package's rules (cloudflared's
 * ingress/ingress.go and ingress/config.go): an ingress rule has
 * hostname, path, service and originRequest and nothing else; a service
 * is a URL (http, https, ws, wss, tcp, ssh, rdp, smb), unix:PATH,
 * unix+tls:PATH, http_status:NNN, hello_world, bastion or socks-proxy; an
 * http(s) service has no path; and the last rule matches every request.
 * The top level holds any of cloudflared's command-line flags as keys, so
 * only the keys read here are checked there.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "cfconfig.h"
#include "config.h"
#include "discover.h"
#include "inventory.h"
#include "target.h"
#include "util.h"
#include "ytree.h"

#define CF_MAX_BYTES	(1024 * 1024)
#define CF_MAX_DEPTH	16
#define CF_MAX_NODES	100000
#define CF_MAX_RULES	1024

/* Any HTTP answer means the origin is there; the status is the app's. */
#define CF_ANY_STATUS	"nd-status=100-599"

struct cfp {
	struct nd_ycheck	 ck;
	struct nd_cfconfig	 cfg;
	bool			 def_noverify;	/* top-level originRequest */
	char			*def_server_name;
};

#define cferr(cp, ...)	nd_ycheck_err(&(cp)->ck, __VA_ARGS__)

/*
 * originRequest: the two keys that change what is checked.  A rule's own
 * keys override the top level's; a key it does not give keeps them.
 */
static int
origin_request(struct cfp *cp, const struct nd_ynode *map, const char *where,
    bool *noverify, char **server_name)
{
	struct nd_ykv kv;
	char *sn = NULL;
	bool nv = false;
	int rc;

	if (map == NULL)
		return 0;
	if ((rc = nd_yfind(&cp->ck, map, where, "noTLSVerify", &kv)) != 0)
		return rc;
	if (kv.k != NULL) {
		if ((rc = nd_yget_bool(&cp->ck, map, where, "noTLSVerify",
		    &nv)) != 0)
			return rc;
		*noverify = nv;
	}
	if ((rc = nd_yget_str(&cp->ck, map, where, "originServerName", false,
	    &sn, NULL)) != 0)
		return rc;
	if (sn != NULL)
		*server_name = sn;
	return 0;
}

static bool
has_port(const char *auth)
{
	const char *rb = strchr(auth, ']');

	return strchr(rb != NULL ? rb : auth, ':') != NULL;
}

/*
 * unix:PATH is HTTP over the socket, unix+tls:PATH HTTPS (cloudflared's
 * ingress/ingress.go and origin_service.go), with the eyeball's Host.
 * unix: becomes http+unix:// with the rule's hostname as Host (a
 * wildcard or catch-all rule has no one name: localhost); unix+tls:
 * becomes unix://, the socket alone: a TLS handshake over a unix socket
 * is not made here, so its certificate is not judged.
 */
static int
unix_target(struct cfp *cp, struct nd_cf_rule *r, const char *name)
{
	const char *s = r->service, *path = strchr(s, ':') + 1;
	bool tls = strncmp(s, "unix+tls:", 9) == 0;
	const char *host = r->hostname != NULL && strchr(r->hostname, '*') ==
	    NULL ? r->hostname : "localhost";
	struct nd_target *t;
	char *enc, perr[512];

	/* The path is a query value: what would end or escape it, escaped. */
	enc = nd_arena_alloc(cp->ck.arena, 3 * strlen(path) + 1);
	(void)nd_pct_encode(enc, path, "/");
	r->target = tls ? nd_arena_printf(cp->ck.arena, "unix://%s", enc) :
	    nd_arena_printf(cp->ck.arena, "http+unix://%s/?nd-unix=%s&"
	    CF_ANY_STATUS, host, enc);
	if (nd_target_parse(cp->ck.arena, r->target, "check", &t, perr,
	    sizeof(perr)) != 0)
		return cferr(cp, r->line, "%s: '%.*s%s' is not a usable socket: "
		    "%s", name, ND_YSHOW(s, strlen(s)), perr);
	if (tls)
		r->note = "the socket only: TLS over a unix socket is not "
		    "checked";
	return 0;
}

/* A service URL to the target that checks it from this host. */
static int
service_target(struct cfp *cp, struct nd_cf_rule *r, const char *name)
{
	static const struct {
		const char	*scheme, *as;
		unsigned	 port;	/* 0: the URL must give one */
	} map[] = {
		{ "http", "http", 80 }, { "ws", "http", 80 },
		{ "https", "https", 443 }, { "wss", "https", 443 },
		{ "tcp", "tcp", 0 }, { "ssh", "tcp", 22 },
		{ "rdp", "tcp", 3389 }, { "smb", "tcp", 445 },
	};
	const char *s = r->service, *sep = strstr(s, "://"), *a, *end;
	struct nd_target *t;
	char auth[300], perr[512];
	size_t i, slen, alen;

	if (strncmp(s, "http_status:", 12) == 0) {
		if (strlen(s + 12) != 3 || strspn(s + 12, "0123456789") != 3)
			return cferr(cp, r->line, "%s: 'http_status:' takes a "
			    "status of three digits, got '%.*s%s'", name,
			    ND_YSHOW(s, strlen(s)));
		r->none_why = "cloudflared answers it itself";
		return 0;
	}
	if (strcmp(s, "hello_world") == 0 || strcmp(s, "bastion") == 0 ||
	    strcmp(s, "socks-proxy") == 0) {
		r->none_why = "cloudflared serves it itself";
		return 0;
	}
	if (strncmp(s, "unix:", 5) == 0 || strncmp(s, "unix+tls:", 9) == 0)
		return unix_target(cp, r, name);
	if (sep == NULL || sep == s)
		return cferr(cp, r->line, "%s: '%.*s%s' is not a URL (http://"
		    "HOST:PORT, https://, tcp://, ssh://, unix:PATH, "
		    "http_status:NNN)", name, ND_YSHOW(s, strlen(s)));
	slen = (size_t)(sep - s);
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strlen(map[i].scheme) == slen &&
		    strncasecmp(map[i].scheme, s, slen) == 0)
			break;
	if (i == sizeof(map) / sizeof(map[0]))
		return cferr(cp, r->line, "%s: '%.*s%s': cloudflared does not "
		    "proxy '%.*s://' (http, https, ws, wss, tcp, ssh, rdp, "
		    "smb)", name, ND_YSHOW(s, strlen(s)), (int)(slen > 16 ? 16 :
		    slen), s);
	a = sep + 3;
	end = a + strcspn(a, "/?#");
	alen = (size_t)(end - a);
	if (alen == 0 || alen >= sizeof(auth))
		return cferr(cp, r->line, "%s: '%.*s%s' has no host", name,
		    ND_YSHOW(s, strlen(s)));
	memcpy(auth, a, alen);
	auth[alen] = '\0';
	/* cloudflared: "ingress rules don't support proxying to a
	   different path on the origin service". */
	if (*end != '\0' && strcmp(end, "/") != 0)
		return cferr(cp, r->line, "%s: '%.*s%s': a service has no path "
		    "or query (cloudflared refuses it)", name,
		    ND_YSHOW(s, strlen(s)));
	if (map[i].port == 0 && !has_port(auth))
		return cferr(cp, r->line, "%s: '%.*s%s' needs a port", name,
		    ND_YSHOW(s, strlen(s)));
	if (strcmp(map[i].as, "tcp") == 0)
		r->target = nd_arena_printf(cp->ck.arena, "tcp://%s%s", auth,
		    has_port(auth) ? "" : nd_arena_printf(cp->ck.arena, ":%u",
		    map[i].port));
	else
		r->target = nd_arena_printf(cp->ck.arena, "%s://%s/?"
		    CF_ANY_STATUS, map[i].as, auth);
	if (nd_target_parse(cp->ck.arena, r->target, "check", &t, perr,
	    sizeof(perr)) != 0)
		return cferr(cp, r->line, "%s: '%.*s%s' is not a usable URL: "
		    "%s", name, ND_YSHOW(s, strlen(s)), perr);
	/*
	 * originServerName: cloudflared's TLS name for the origin; with an IP
	 * literal host the check connects there and sends that name.
	 */
	if (strcmp(map[i].as, "https") == 0 && r->server_name != NULL &&
	    t->host_is_ip)
		r->target = nd_arena_printf(cp->ck.arena, "https://%s:%u/?"
		    "nd-connect=%s%s%s&" CF_ANY_STATUS, r->server_name,
		    t->port, strchr(t->host, ':') ? "[" : "", t->host,
		    strchr(t->host, ':') ? "]" : "");
	return 0;
}

static int
one_rule(struct cfp *cp, const struct nd_ynode *seq, size_t i,
    struct nd_cf_rule *r)
{
	static const struct nd_ykey keys[] = {
		{ "hostname", NULL }, { "path", NULL }, { "service", NULL },
		{ "originRequest", NULL },
	};
	const struct nd_ynode *m = seq->kids[i];
	char *name = nd_arena_printf(cp->ck.arena, "ingress[%zu]", i);
	struct nd_ykv kv;
	int rc;

	if ((rc = nd_ywant_item(&cp->ck, seq, i, "ingress", ND_Y_MAP,
	    "a rule (hostname, path, service)")) != 0)
		return rc;
	r->line = m->line;
	if ((rc = nd_ywalk(&cp->ck, m, name, keys, 4, NULL)) != 0 ||
	    (rc = nd_yget_str(&cp->ck, m, name, "hostname", false,
	    &r->hostname, NULL)) != 0 ||
	    (rc = nd_yget_str(&cp->ck, m, name, "path", false, &r->path,
	    NULL)) != 0 ||
	    (rc = nd_yget_str(&cp->ck, m, name, "service", true, &r->service,
	    NULL)) != 0 ||
	    (rc = nd_yget(&cp->ck, m, name, "originRequest", ND_Y_MAP, false,
	    &kv)) != 0)
		return rc;
	r->noverify = cp->def_noverify;
	r->server_name = cp->def_server_name;
	if ((rc = origin_request(cp, kv.v, nd_arena_printf(cp->ck.arena,
	    "%s.originRequest", name), &r->noverify, &r->server_name)) != 0)
		return rc;
	if (r->hostname != NULL && strcmp(r->hostname, "*") == 0)
		r->hostname = NULL;
	return service_target(cp, r, nd_arena_printf(cp->ck.arena,
	    "%s.service", name));
}

int
nd_cfconfig_load(struct nd_arena *arena, const char *path,
    struct nd_cfconfig *ret, char *err, size_t errlen)
{
	/* A config.yml may hold a token: errors never echo its values. */
	static const struct nd_ytree_opts opts = {
		.prefix = "cloudflared config ",
		.max_bytes = CF_MAX_BYTES,
		.max_depth = CF_MAX_DEPTH,
		.max_nodes = CF_MAX_NODES,
		.quiet_values = true,
	};
	/* Key names are no secret: checks may name them and suggest one. */
	struct cfp cp = { .ck = { .arena = arena, .prefix = opts.prefix,
	    .path = path, .err = err, .errlen = errlen } };
	const struct nd_cf_rule *last;
	struct nd_ynode *root;
	struct nd_ykv kv;
	char *cred = NULL;
	size_t i;
	int rc;

	if ((rc = nd_ytree_load(arena, path, &opts, &root, err, errlen)) != 0)
		return rc;
	if (root == NULL)
		return cferr(&cp, 0, "empty file (expected tunnel: and "
		    "ingress:)");
	if ((rc = nd_ywant(&cp.ck, root, 0, "the top level", ND_Y_MAP,
	    NULL)) != 0 ||
	    (rc = nd_yget_str(&cp.ck, root, NULL, "tunnel", false,
	    &cp.cfg.tunnel, NULL)) != 0 ||
	    /* Named, never opened: it holds the tunnel's secret. */
	    (rc = nd_yget_str(&cp.ck, root, NULL, "credentials-file", false,
	    &cred, NULL)) != 0 ||
	    (rc = nd_yget(&cp.ck, root, NULL, "originRequest", ND_Y_MAP, false,
	    &kv)) != 0 ||
	    (rc = origin_request(&cp, kv.v, "originRequest", &cp.def_noverify,
	    &cp.def_server_name)) != 0 ||
	    (rc = nd_yget(&cp.ck, root, NULL, "ingress", ND_Y_SEQ, true,
	    &kv)) != 0)
		return rc;
	if (kv.v->n == 0)
		return cferr(&cp, kv.k->line, "ingress: no rules");
	if (kv.v->n > CF_MAX_RULES)
		return cferr(&cp, kv.k->line, "ingress: %zu rules, at most %d",
		    kv.v->n, CF_MAX_RULES);
	cp.cfg.rules = nd_arena_alloc(arena, kv.v->n * sizeof(*cp.cfg.rules));
	for (i = 0; i < kv.v->n; i++) {
		if ((rc = one_rule(&cp, kv.v, i, &cp.cfg.rules[i])) != 0)
			return rc;
		cp.cfg.nrules++;
	}
	last = &cp.cfg.rules[cp.cfg.nrules - 1];
	if (last->hostname != NULL || last->path != NULL)
		return cferr(&cp, last->line, "the last ingress rule must match "
		    "every request (no hostname, or '*', and no path), e.g. "
		    "'- service: http_status:404'; cloudflared refuses this "
		    "config too");
	cp.cfg.path = nd_arena_strdup(arena, path);
	*ret = cp.cfg;
	return 0;
}

/* Whether netdoctor.yaml's dns.expect already asks for host. */
static bool
cfg_asks(const struct nd_config *cfg, const char *host)
{
	size_t i;

	for (i = 0; i < cfg->ndns_expect; i++)
		if (strcasecmp(cfg->dns_expect[i].name, host) == 0)
			return true;
	return false;
}

/*
 * A public hostname is a question for the LAN's DNS servers too: does one
 * answer it with a LAN address (split horizon, the dns probe's note)?
 * Only for dns.servers, the servers the LAN's clients ask: the system's
 * resolver is asked by the resolve probe already, and a wildcard names no
 * record to ask for.
 */
static void
dns_targets(struct nd_arena *a, const struct nd_cfconfig *cf,
    const struct nd_cf_rule *r, const struct nd_config *cfg,
    struct nd_discovery *d)
{
	size_t k;

	if (cfg == NULL || cfg->dns_servers == NULL || r->hostname == NULL ||
	    strchr(r->hostname, '*') != NULL || cfg_asks(cfg, r->hostname))
		return;
	for (k = 0; cfg->dns_servers[k] != NULL; k++) {
		const char *s = cfg->dns_servers[k];
		bool v6 = strchr(s, ':') != NULL;

		nd_discovery_add(a, d, nd_arena_printf(a, "dns://%s%s%s/%s",
		    v6 ? "[" : "", s, v6 ? "]" : "", r->hostname),
		    nd_arena_printf(a, "%s:%d (ingress %s, dns.servers)",
		    cf->path, r->line, r->hostname));
	}
}

void
nd_cfconfig_targets(struct nd_arena *a, const struct nd_cfconfig *cf,
    const struct nd_config *cfg, struct nd_discovery *d)
{
	size_t i;

	for (i = 0; i < cf->nrules; i++) {
		const struct nd_cf_rule *r = &cf->rules[i];

		dns_targets(a, cf, r, cfg, d);

		if (r->target == NULL) {
			nd_discovery_note(a, d, "%s:%d: ingress %s -> %s: %s",
			    cf->path, r->line, r->hostname != NULL ?
			    r->hostname : "*", r->service, r->none_why);
			continue;
		}
		nd_discovery_add(a, d, r->target, nd_arena_printf(a, "%s:%d "
		    "(ingress %s)", cf->path, r->line, r->hostname != NULL ?
		    r->hostname : "*"));
		if (r->note != NULL)
			nd_discovery_note(a, d, "%s:%d: ingress %s -> %s: %s",
			    cf->path, r->line, r->hostname != NULL ?
			    r->hostname : "*", r->service, r->note);
	}
}

/* cloudflared's matching: exact, or "*.example.com" for any subdomain. */
static bool
host_matches(const char *pattern, const char *host)
{
	size_t pl = strlen(pattern), hl = strlen(host);

	if (strcasecmp(pattern, host) == 0)
		return true;
	return pl > 2 && pattern[0] == '*' && pattern[1] == '.' &&
	    hl > pl - 1 && strcasecmp(host + hl - (pl - 1), pattern + 1) == 0;
}

void
nd_cfconfig_annotate(struct nd_arena *a, const struct nd_cfconfig *cf,
    struct nd_inventory *inv)
{
	size_t i, k;

	for (i = 0; i < inv->ntargets; i++) {
		struct nd_target *t = inv->targets[i];
		bool web = t->scheme == ND_S_HTTP || t->scheme == ND_S_HTTPS;

		for (k = 0; k < cf->nrules; k++) {
			const struct nd_cf_rule *r = &cf->rules[k];

			if (r->target != NULL && t->cf_hostname == NULL &&
			    strcmp(r->target, t->url) == 0) {
				t->cf_hostname = nd_arena_strdup(a,
				    r->hostname != NULL ? r->hostname : "*");
				t->cf_rule = nd_arena_printf(a, "%s:%d",
				    cf->path, r->line);
				t->cf_noverify = r->noverify;
				t->cf_tunnel = cf->tunnel;
			}
			if (web && t->host != NULL && r->hostname != NULL &&
			    host_matches(r->hostname, t->host))
				t->cf_tunnel = cf->tunnel;
			/* The first rule for the name, as cloudflared's. */
			if (t->scheme == ND_S_DNS && t->cf_rule == NULL &&
			    r->hostname != NULL && host_matches(r->hostname,
			    t->x->qname)) {
				t->cf_rule = nd_arena_printf(a, "%s:%d",
				    cf->path, r->line);
				t->cf_tunnel = cf->tunnel;
			}
		}
		if (t->scheme == ND_S_CLOUDFLARED)
			t->cf_tunnel = cf->tunnel;
	}
}
