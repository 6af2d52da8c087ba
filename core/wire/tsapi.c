/*
 * tsapi.c - a defensive parser of tailscaled's LocalAPI answers (see
 * tsapi.h).  Field names and encodings are those of the Go types
 * tailscaled marshals: tailscale ipn/ipnstate/ipnstate.go (Status,
 * PeerStatus, TailnetStatus), ipn/prefs.go (Prefs), ipn/serve.go
 * (ServeConfig, TCPPortHandler).  Go writes netip values as strings,
 * time.Time as RFC 3339, nil slices and maps as null, which is accepted
 * wherever Go may write it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "arena.h"
#include "tsapi.h"
#include "util.h"

#define TS_STR_MAX	256	/* longest string kept (names, regions) */
#define TS_HEALTH_MAX	16	/* health messages kept */

struct tsp {
	struct nd_arena	*arena;
	char		*err;
	size_t		 errlen;
	const char	*what;		/* "status" */
	const char	*where;		/* "Peer", "Self", "" */
};

static int tserr(struct tsp *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static int
tserr(struct tsp *t, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(t->err, t->errlen, "Tailscale LocalAPI %s: %s%s%s", t->what,
	    t->where, t->where[0] != '\0' ? ": " : "", msg);
	nd_one_line(t->err);
	return -EINVAL;
}

/* A copy safe to print on one line and bounded (peers name themselves). */
static char *
tsafe(struct nd_arena *a, const char *s)
{
	char buf[TS_STR_MAX];

	nd_strlcpy(buf, s, sizeof(buf));
	nd_one_line(buf);
	return nd_arena_strdup(a, buf);
}

/* An optional string member; null is absent, another type an error. */
static int
tstr(struct tsp *t, json_t *o, const char *key, char **ret)
{
	json_t *v = json_object_get(o, key);

	*ret = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return tserr(t, "%s: expected a string", key);
	*ret = tsafe(t->arena, json_string_value(v));
	return 0;
}

static int
tbool(struct tsp *t, json_t *o, const char *key, bool *ret)
{
	json_t *v = json_object_get(o, key);

	*ret = false;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v))
		return tserr(t, "%s: expected true or false", key);
	*ret = json_is_true(v);
	return 0;
}

/* A list of netip.Addr or netip.Prefix strings; bare addresses become
   full-length prefixes. */
static int
tpfxs(struct tsp *t, json_t *o, const char *key, struct nd_ts_pfx **ret,
    size_t *ret_n, bool *present)
{
	json_t *v = json_object_get(o, key), *e;
	struct nd_ts_pfx *out;
	size_t i, n;

	*ret = NULL;
	*ret_n = 0;
	if (present != NULL)
		*present = v != NULL && !json_is_null(v);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return tserr(t, "%s: expected a list", key);
	n = json_array_size(v);
	if (n > ND_TS_MAX_PREFIXES)
		return tserr(t, "%s: more than %d entries", key,
		    ND_TS_MAX_PREFIXES);
	out = nd_arena_alloc(t->arena, (n + 1) * sizeof(*out));
	json_array_foreach(v, i, e) {
		if (!json_is_string(e))
			return tserr(t, "%s[%zu]: expected a string", key, i);
		if (nd_pfx_parse(json_string_value(e), ND_PFX_ADDR | ND_PFX_CIDR,
		    &out[i].p) != 0)
			return tserr(t, "%s[%zu]: not an address or prefix",
			    key, i);
		out[i].s = tsafe(t->arena, json_string_value(e));
	}
	*ret = out;
	*ret_n = n;
	return 0;
}


static int
tpeer(struct tsp *t, json_t *o, struct nd_ts_peer *ret)
{
	char *dns = NULL, *host = NULL, *exp = NULL;
	json_t *v;
	size_t n;
	int rc;

	memset(ret, 0, sizeof(*ret));
	if (!json_is_object(o))
		return tserr(t, "expected an object");
	if ((rc = tstr(t, o, "DNSName", &dns)) != 0 ||
	    (rc = tstr(t, o, "HostName", &host)) != 0 ||
	    (rc = tstr(t, o, "OS", &ret->os)) != 0 ||
	    (rc = tstr(t, o, "CurAddr", &ret->cur_addr)) != 0 ||
	    (rc = tstr(t, o, "Relay", &ret->relay)) != 0 ||
	    (rc = tstr(t, o, "KeyExpiry", &exp)) != 0 ||
	    (rc = tbool(t, o, "Online", &ret->online)) != 0 ||
	    (rc = tbool(t, o, "Active", &ret->active)) != 0 ||
	    (rc = tbool(t, o, "Expired", &ret->expired)) != 0 ||
	    (rc = tpfxs(t, o, "TailscaleIPs", &ret->ips, &ret->nips,
	    NULL)) != 0 ||
	    (rc = tpfxs(t, o, "AllowedIPs", &ret->allowed, &ret->nallowed,
	    NULL)) != 0 ||
	    (rc = tpfxs(t, o, "PrimaryRoutes", &ret->primary, &ret->nprimary,
	    &ret->has_primary)) != 0)
		return rc;
	/* DNSName ends with a dot (ipnstate.go: "host.<MagicDNSSuffix>."). */
	if (dns != NULL && (n = strlen(dns)) > 0) {
		if (dns[n - 1] == '.')
			dns[n - 1] = '\0';
		ret->name = dns;
	} else
		ret->name = host != NULL && host[0] != '\0' ? host : "?";
	if (ret->cur_addr == NULL)
		ret->cur_addr = "";
	if (ret->relay == NULL)
		ret->relay = "";
	if (exp != NULL && nd_parse_rfc3339(exp, &ret->key_expiry) != 0)
		return tserr(t, "KeyExpiry: not an RFC 3339 time");
	if ((v = json_object_get(o, "Tags")) != NULL && !json_is_null(v) &&
	    !json_is_array(v))
		return tserr(t, "Tags: expected a list");
	return 0;
}

static json_t *
tload(struct tsp *t, const char *body, size_t len, int *rc)
{
	json_error_t je;
	json_t *root;

	/* jansson bounds nesting itself (JSON_PARSER_MAX_DEPTH); the body
	   was bounded by the reader. */
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
	    &je);
	if (root == NULL) {
		/* An HTML page or plain text from something else on the
		   socket says more by its first byte than by jansson's. */
		*rc = tserr(t, "not JSON%s (%s at byte %d)", len > 0 &&
		    body[0] == '<' ? ": an HTML page, not tailscaled" : "",
		    je.text, je.position);
	}
	return root;
}

int
nd_ts_parse_status(struct nd_arena *a, const char *body, size_t len,
    struct nd_ts_status *ret, char *err, size_t errlen)
{
	struct tsp t = { a, err, errlen, "status", "" };
	struct nd_ts_status s;
	json_t *root, *v, *e;
	const char *key;
	char *auth = NULL, **health;
	size_t i, n;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	if ((root = tload(&t, body, len, &rc)) == NULL)
		return rc;
	if (!json_is_object(root)) {
		rc = tserr(&t, "expected an object");
		goto out;
	}
	if ((rc = tstr(&t, root, "BackendState", &s.backend_state)) != 0 ||
	    (rc = tstr(&t, root, "Version", &s.version)) != 0 ||
	    (rc = tstr(&t, root, "AuthURL", &auth)) != 0)
		goto out;
	if (s.backend_state == NULL) {
		rc = tserr(&t, "no BackendState: not tailscaled's status");
		goto out;
	}
	s.has_auth_url = auth != NULL && auth[0] != '\0';
	if ((v = json_object_get(root, "Self")) != NULL && !json_is_null(v)) {
		t.where = "Self";
		if ((rc = tpeer(&t, v, &s.self)) != 0)
			goto out;
		s.has_self = true;
	}
	t.where = "Health";
	health = nd_arena_alloc(a, (TS_HEALTH_MAX + 1) * sizeof(*health));
	if ((v = json_object_get(root, "Health")) != NULL && !json_is_null(v)) {
		if (!json_is_array(v)) {
			rc = tserr(&t, "expected a list");
			goto out;
		}
		n = 0;
		json_array_foreach(v, i, e) {
			if (!json_is_string(e)) {
				rc = tserr(&t, "item %zu: expected a string", i);
				goto out;
			}
			if (n < TS_HEALTH_MAX)
				health[n++] = tsafe(a, json_string_value(e));
		}
	}
	s.health = health;
	t.where = "CurrentTailnet";
	if ((v = json_object_get(root, "CurrentTailnet")) != NULL &&
	    !json_is_null(v)) {
		if (!json_is_object(v)) {
			rc = tserr(&t, "expected an object");
			goto out;
		}
		if ((rc = tstr(&t, v, "Name", &s.tailnet)) != 0 ||
		    (rc = tbool(&t, v, "MagicDNSEnabled", &s.magicdns)) != 0)
			goto out;
	}
	t.where = "Peer";
	if ((v = json_object_get(root, "Peer")) != NULL && !json_is_null(v)) {
		if (!json_is_object(v)) {
			rc = tserr(&t, "expected an object (a map of node keys)");
			goto out;
		}
		n = json_object_size(v);
		if (n > ND_TS_MAX_PEERS) {
			rc = tserr(&t, "more than %d peers", ND_TS_MAX_PEERS);
			goto out;
		}
		s.peers = nd_arena_alloc(a, (n + 1) * sizeof(*s.peers));
		json_object_foreach(v, key, e) {
			(void)key;	/* a node key: nothing to say about it */
			if ((rc = tpeer(&t, e, &s.peers[s.npeers])) != 0)
				goto out;
			s.npeers++;
		}
	}
	*ret = s;
out:
	json_decref(root);
	return rc;
}

int
nd_ts_parse_prefs(struct nd_arena *a, const char *body, size_t len,
    struct nd_ts_prefs *ret, char *err, size_t errlen)
{
	struct tsp t = { a, err, errlen, "prefs", "" };
	struct nd_ts_prefs p;
	json_t *root;
	int rc = 0;

	memset(&p, 0, sizeof(p));
	if ((root = tload(&t, body, len, &rc)) == NULL)
		return rc;
	if (!json_is_object(root)) {
		rc = tserr(&t, "expected an object");
		goto out;
	}
	if (json_object_get(root, "RouteAll") == NULL &&
	    json_object_get(root, "WantRunning") == NULL) {
		rc = tserr(&t, "no RouteAll or WantRunning: not tailscaled's "
		    "prefs");
		goto out;
	}
	if ((rc = tbool(&t, root, "RouteAll", &p.route_all)) != 0 ||
	    (rc = tbool(&t, root, "CorpDNS", &p.corp_dns)) != 0 ||
	    (rc = tbool(&t, root, "WantRunning", &p.want_running)) != 0 ||
	    (rc = tbool(&t, root, "LoggedOut", &p.logged_out)) != 0 ||
	    (rc = tstr(&t, root, "ExitNodeID", &p.exit_node_id)) != 0 ||
	    (rc = tpfxs(&t, root, "AdvertiseRoutes", &p.advertise,
	    &p.nadvertise, NULL)) != 0)
		goto out;
	if (p.exit_node_id != NULL && p.exit_node_id[0] == '\0')
		p.exit_node_id = NULL;
	*ret = p;
out:
	json_decref(root);
	return rc;
}

/* The TCP map of one ServeConfig (or ServiceConfig) into s. */
static int
tserve_tcp(struct tsp *t, json_t *cfg, const char *where,
    struct nd_ts_serve *s)
{
	json_t *tcp, *h;
	const char *key;
	struct nd_ts_tcp *x;
	uint16_t port;
	int rc;

	if (!json_is_object(cfg))
		return tserr(t, "%s: expected an object", where);
	if ((tcp = json_object_get(cfg, "TCP")) == NULL || json_is_null(tcp))
		return 0;
	if (!json_is_object(tcp))
		return tserr(t, "%s.TCP: expected an object", where);
	json_object_foreach(tcp, key, h) {
		/* Go writes map[uint16] keys as decimal strings. */
		if (nd_parse_port(key, &port) != 0)
			return tserr(t, "%s.TCP: a key is not a port", where);
		if (!json_is_object(h))
			return tserr(t, "%s.TCP.%u: expected an object", where,
			    port);
		if (s->ntcp >= ND_TS_MAX_PORTS)
			return tserr(t, "more than %d TCP handlers",
			    ND_TS_MAX_PORTS);
		s->tcp = nd_arena_grow(t->arena, s->tcp, s->ntcp, s->ntcp + 1,
		    sizeof(*s->tcp));
		x = &s->tcp[s->ntcp];
		memset(x, 0, sizeof(*x));
		x->port = port;
		x->where = nd_arena_strdup(t->arena, where);
		if ((rc = tbool(t, h, "HTTPS", &x->https)) != 0 ||
		    (rc = tbool(t, h, "HTTP", &x->http)) != 0 ||
		    (rc = tstr(t, h, "TCPForward", &x->forward)) != 0 ||
		    (rc = tstr(t, h, "TerminateTLS", &x->terminate_tls)) != 0)
			return rc;
		if (x->forward != NULL && x->forward[0] == '\0')
			x->forward = NULL;
		if (x->terminate_tls != NULL && x->terminate_tls[0] == '\0')
			x->terminate_tls = NULL;
		s->ntcp++;
	}
	return 0;
}

/* Services and Foreground hold ServeConfigs of their own, one level. */
static int
tserve_nested(struct tsp *t, json_t *root, const char *key,
    struct nd_ts_serve *s)
{
	json_t *m = json_object_get(root, key), *c;
	const char *name;
	char where[96];
	int rc;

	if (m == NULL || json_is_null(m))
		return 0;
	if (!json_is_object(m))
		return tserr(t, "%s: expected an object", key);
	json_object_foreach(m, name, c) {
		snprintf(where, sizeof(where), "%s.%.40s", key, name);
		nd_one_line(where);
		if ((rc = tserve_tcp(t, c, where, s)) != 0)
			return rc;
	}
	return 0;
}

int
nd_ts_parse_serve(struct nd_arena *a, const char *body, size_t len,
    struct nd_ts_serve *ret, char *err, size_t errlen)
{
	struct tsp t = { a, err, errlen, "serve-config", "" };
	struct nd_ts_serve s = { NULL, 0 };
	json_t *root;
	int rc = 0;

	if ((root = tload(&t, body, len, &rc)) == NULL)
		return rc;
	/* A nil *ServeConfig marshals as null: nothing is served. */
	if (!json_is_null(root) &&
	    ((rc = tserve_tcp(&t, root, "serve config", &s)) != 0 ||
	    (rc = tserve_nested(&t, root, "Services", &s)) != 0 ||
	    (rc = tserve_nested(&t, root, "Foreground", &s)) != 0))
		goto out;
	*ret = s;
out:
	json_decref(root);
	return rc;
}

bool
nd_ts_tcp_terminates_tls(const struct nd_ts_tcp *x)
{
	/* ipn/serve.go: HTTPS serves the port as HTTPS from the Web
	   handlers; TerminateTLS strips TLS before TCPForward. */
	return x->https || (x->forward != NULL && x->terminate_tls != NULL);
}

bool
nd_ts_pfx_in(const struct nd_ts_pfx *p, const struct nd_ts_pfx *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].p.bits == p->p.bits && nd_pfx_same_addr(&v[i].p, &p->p))
			return true;
	return false;
}
