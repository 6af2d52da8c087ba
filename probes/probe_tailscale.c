/*
 * probe_tailscale.c - tailscale://[SOCKET]: asks tailscaled's LocalAPI on
 * its unix socket (libcurl on the run's loop, Host local-tailscaled.sock
 * as tailscale client/local/local.go sends it) for its status, prefs and
 * serve config, one request after the other, and judges them against the
 * run's other targets (docs/tailscale.md): is this host on the tailnet,
 * does it accept the subnet routes its targets sit behind, does MagicDNS
 * reach the system resolver, does `tailscale serve` cut TLS in front of
 * the Kubernetes or Talos API.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "http.h"
#include "netaddr.h"
#include "probe.h"
#include "sock.h"
#include "target.h"
#include "tsapi.h"
#include "util.h"

/* tailscale.key_expiring: the warning window. */
#define TS_EXPIRY_WARN_S	(14 * 24 * 3600)
/* /etc/resolv.conf is a few lines; more is not a resolver config. */
#define TS_RESOLV_MAX		(64 * 1024)

enum ts_step { TS_STATUS, TS_PREFS, TS_SERVE };

static const char *const ts_paths[] = {
	[TS_STATUS] = "/localapi/v0/status",
	[TS_PREFS] = "/localapi/v0/prefs",
	[TS_SERVE] = "/localapi/v0/serve-config",
};

struct ts_ctx {
	const char		*sock;
	CURL			*easy;
	struct curl_slist	*headers;
	bool			 added;
	enum ts_step		 step;
	struct nd_http_body	 buf;
	char			 errbuf[CURL_ERROR_SIZE];
	struct nd_ts_status	 st;
	struct nd_ts_prefs	 prefs;
	bool			 have_prefs;
	enum nd_status		 verdict;
	bool			 failing;	/* a WARN or CRIT finding */
};

static void
ts_release(struct nd_probe *p)
{
	struct ts_ctx *c = p->ctx;

	nd_http_easy_release(p, &c->easy, &c->added);
	curl_slist_free_all(c->headers);
	c->headers = NULL;
	nd_http_body_free(&c->buf);
}

static void
ts_cancel(struct nd_probe *p)
{
	ts_release(p);
}

/* Every tailnet address: what a daemon that is down takes with it. */
static void
ts_about_tailnet(struct nd_finding *f)
{
	static const uint8_t first[4] = { 100, 64, 0, 0 };
	static const uint8_t last[4] = { 100, 127, 255, 255 };

	nd_finding_about_range(f, AF_INET, first, last);
}

static void
ts_about_pfx(struct nd_finding *f, const struct nd_pfx *p)
{
	struct nd_iprange r;

	nd_pfx_span(p, &r);
	nd_finding_about_range(f, r.first.family, r.first.a, r.last.a);
}

static struct nd_finding *
ts_add(struct nd_probe *p, enum nd_code code, enum nd_sev sev,
    const char *summary)
{
	struct ts_ctx *c = p->ctx;
	struct nd_finding *f = nd_finding_add(p, code, "%s", summary);

	f->sev = sev;
	nd_evidence_add(f, "socket", "%s", c->sock);
	if (sev == ND_SEV_CRIT)
		c->verdict = ND_FAIL;
	else if (sev == ND_SEV_WARN && c->verdict == ND_PASS)
		c->verdict = ND_WARN;
	c->failing |= sev == ND_SEV_WARN || sev == ND_SEV_CRIT;
	return f;
}

static void
ts_api_error(struct nd_probe *p, const char *why)
{
	struct ts_ctx *c = p->ctx;
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_TAILSCALE_API_ERROR, "tailscaled at %s: %s",
	    c->sock, why);
	nd_evidence_add(f, "socket", "%s", c->sock);
	nd_evidence_add(f, "request", "GET %s", ts_paths[c->step]);
	nd_probe_done(p, ND_FAIL);
}

static void
ts_not_running(struct nd_probe *p, const char *why)
{
	struct ts_ctx *c = p->ctx;
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_TAILSCALE_NOT_RUNNING, "tailscaled is not "
	    "running: %s: this host has no tailnet address, no subnet routes "
	    "and no MagicDNS", why);
	nd_evidence_add(f, "socket", "%s", c->sock);
	ts_about_tailnet(f);
	nd_probe_done(p, ND_FAIL);
}

static void ts_done(void *, CURLcode);

static int
ts_request(struct nd_probe *p, enum ts_step step)
{
	struct ts_ctx *c = p->ctx;
	uint64_t now = nd_loop_now(p->run->loop), dl = nd_probe_deadline(p);
	long ms = dl > now ? (long)((dl - now) / 1000) : 1;
	char url[128];
	struct nd_http *h;
	int rc;

	ts_release(p);
	c->step = step;
	c->errbuf[0] = '\0';
	if ((c->easy = curl_easy_init()) == NULL ||
	    (h = nd_http_get(p->run)) == NULL)
		return -ENOMEM;
	nd_http_body_init(&c->buf, ND_TS_MAX_BODY);
	snprintf(url, sizeof(url), "http://" ND_TS_HOST "%s", ts_paths[step]);
	/* The LocalAPI wants no more than a Host it knows; Expect and
	   friends are curl's, not the LocalAPI's. */
	if ((c->headers = curl_slist_append(NULL, "Accept: application/json"))
	    == NULL)
		return -ENOMEM;
	curl_easy_setopt(c->easy, CURLOPT_UNIX_SOCKET_PATH, c->sock);
	curl_easy_setopt(c->easy, CURLOPT_URL, url);
	curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, ms > 0 ? ms : 1L);
	curl_easy_setopt(c->easy, CURLOPT_USERAGENT, "netdoctor/" ND_VERSION);
	curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, nd_http_body_write);
	curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &c->buf);
	curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS_STR, "http");
	if ((rc = nd_http_add(h, c->easy, ts_done, p)) < 0)
		return rc;
	c->added = true;
	return 0;
}

/* Whether a target of the run is inside p; the first one in *which. */
static bool
ts_needed(struct nd_probe *p, const struct nd_pfx *net, const char **which)
{
	char *const *v = p->target->x->others;
	struct nd_pfx a;
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		if (nd_pfx_parse(v[i], ND_PFX_ADDR, &a) == 0 &&
		    nd_pfx_contains(net, &a)) {
			if (which != NULL)
				*which = v[i];
			return true;
		}
	return false;
}

static bool
ts_is_default(const struct nd_ts_pfx *x)
{
	return x->p.bits == 0;	/* an exit node's 0.0.0.0/0 or ::/0 */
}

/* One of the peer's own addresses as a host prefix (AllowedIPs has them). */
static bool
ts_own_addr(const struct nd_ts_peer *peer, const struct nd_ts_pfx *x)
{
	size_t i;

	for (i = 0; i < peer->nips; i++)
		if (nd_pfx_same_addr(&peer->ips[i].p, &x->p) &&
		    x->p.bits == (x->p.family == AF_INET ? 32 : 128))
			return true;
	return false;
}

static void
ts_routes(struct nd_probe *p, const struct nd_ts_status *st,
    const struct nd_ts_prefs *pr)
{
	struct nd_arena *a = p->run->arena;
	const struct nd_ts_peer *peer;
	struct nd_finding *f;
	const char *which;
	size_t i, k;
	bool need;

	for (i = 0; i < st->npeers; i++) {
		peer = &st->peers[i];
		for (k = 0; !pr->route_all && k < peer->nprimary; k++) {
			if (ts_is_default(&peer->primary[k]))
				continue;
			which = NULL;
			need = ts_needed(p, &peer->primary[k].p, &which);
			/* A route no target needs is a note; the diagnosis
			   raises it when a target by name resolves there. */
			f = ts_add(p, ND_F_TAILSCALE_ROUTES_NOT_ACCEPTED,
			    need ? ND_SEV_WARN : ND_SEV_INFO, nd_arena_printf(a,
			    "%s routes %s%s%s%s, but this host does not accept "
			    "subnet routes (RouteAll false)", peer->name,
			    peer->primary[k].s, need ? " (the target " : "",
			    need ? which : "", need ? " is in it)" : ""));
			nd_evidence_add(f, "peer", "%s", peer->name);
			nd_evidence_add(f, "route", "%s", peer->primary[k].s);
			nd_evidence_add(f, "route_all", "false");
			if (need)
				nd_evidence_add(f, "target", "%s", which);
			ts_about_pfx(f, &peer->primary[k].p);
		}
		for (k = 0; k < peer->nallowed; k++) {
			const struct nd_ts_pfx *x = &peer->allowed[k];

			if (ts_is_default(x) || ts_own_addr(peer, x) ||
			    nd_ts_pfx_in(x, peer->primary, peer->nprimary))
				continue;
			which = NULL;
			need = ts_needed(p, &x->p, &which);
			f = ts_add(p, ND_F_TAILSCALE_ROUTE_NOT_APPROVED,
			    need ? ND_SEV_WARN : ND_SEV_INFO, nd_arena_printf(a,
			    "%s advertises %s, but it is not one of its primary "
			    "routes: the route is not approved%s%s", peer->name,
			    x->s, need ? ", and the target is in it: " : "",
			    need ? which : ""));
			nd_evidence_add(f, "peer", "%s", peer->name);
			nd_evidence_add(f, "route", "%s", x->s);
			nd_evidence_add(f, "primary_routes", "%zu",
			    peer->nprimary);
			ts_about_pfx(f, &x->p);
		}
	}
	/* This host as the subnet router: its own advertised routes. */
	for (k = 0; st->has_self && k < pr->nadvertise; k++) {
		const struct nd_ts_pfx *x = &pr->advertise[k];

		if (ts_is_default(x) ||
		    nd_ts_pfx_in(x, st->self.primary, st->self.nprimary))
			continue;
		f = ts_add(p, ND_F_TAILSCALE_ROUTE_NOT_APPROVED, ND_SEV_WARN,
		    nd_arena_printf(a, "this host (%s) advertises %s, but it "
		    "is not approved: peers do not route it here",
		    st->self.name, x->s));
		nd_evidence_add(f, "peer", "%s", st->self.name);
		nd_evidence_add(f, "route", "%s", x->s);
		nd_evidence_add(f, "advertised_by", "this host (prefs "
		    "AdvertiseRoutes)");
		ts_about_pfx(f, &x->p);
	}
}

static void
ts_relays(struct nd_probe *p, const struct nd_ts_status *st)
{
	const struct nd_ts_peer *peer;
	struct nd_finding *f;
	const char *which = NULL;
	size_t i, k;
	bool need;

	for (i = 0; i < st->npeers; i++) {
		peer = &st->peers[i];
		if (!peer->online || peer->cur_addr[0] != '\0' ||
		    peer->relay[0] == '\0')
			continue;
		need = false;
		for (k = 0; !need && k < peer->nips; k++)
			need = ts_needed(p, &peer->ips[k].p, &which);
		for (k = 0; !need && k < peer->nprimary; k++)
			need = !ts_is_default(&peer->primary[k]) &&
			    ts_needed(p, &peer->primary[k].p, &which);
		if (!need)
			continue;
		f = ts_add(p, ND_F_TAILSCALE_RELAY_ONLY, ND_SEV_INFO,
		    nd_arena_printf(p->run->arena, "%s (for the target %s) is "
		    "reached only through the DERP relay \"%s\": no direct "
		    "path", peer->name, which, peer->relay));
		nd_evidence_add(f, "peer", "%s", peer->name);
		nd_evidence_add(f, "relay", "%s", peer->relay);
		nd_evidence_add(f, "target", "%s", which);
	}
}

/* The test suite points this at a file of its own; see docs/tailscale.md. */
static const char *
ts_resolv_path(void)
{
	const char *e = getenv("NETDOCTOR_TEST_RESOLV_CONF");

	return e != NULL && *e != '\0' ? e : "/etc/resolv.conf";
}

static void
ts_magicdns(struct nd_probe *p, const struct nd_ts_status *st,
    const struct nd_ts_prefs *pr)
{
	const char *path = ts_resolv_path();
	char line[512], servers[256] = "", *s;
	struct nd_finding *f;
	bool magic = false, stub = false;
	size_t o = 0, total = 0;
	FILE *fp;

	if (!st->magicdns || !pr->corp_dns)
		return;
	if ((fp = fopen(path, "r")) == NULL)
		return;		/* no resolv.conf: c-ares' defaults, not ours */
	while (total < TS_RESOLV_MAX && fgets(line, sizeof(line), fp) != NULL) {
		total += strlen(line);
		s = line + strspn(line, " \t");
		if (strncmp(s, "nameserver", 10) != 0 || (s[10] != ' ' &&
		    s[10] != '\t'))
			continue;
		s += 10 + strspn(s + 10, " \t");
		s[strcspn(s, " \t\r\n#;")] = '\0';
		if (strcmp(s, ND_TS_MAGICDNS) == 0)
			magic = true;
		/* systemd-resolved's stub: tailscaled configures it over
		   D-Bus instead of rewriting the file. */
		if (strcmp(s, "127.0.0.53") == 0)
			stub = true;
		if (o + strlen(s) + 3 < sizeof(servers))
			o += (size_t)snprintf(servers + o, sizeof(servers) - o,
			    "%s%s", o ? ", " : "", s);
	}
	fclose(fp);
	nd_one_line(servers);
	if (magic || stub)
		return;
	f = ts_add(p, ND_F_TAILSCALE_MAGICDNS_BYPASSED, ND_SEV_WARN,
	    nd_arena_printf(p->run->arena, "MagicDNS is on, but %s does not "
	    "use " ND_TS_MAGICDNS " (nameservers: %s): tailnet names do not "
	    "resolve here", path, servers[0] != '\0' ? servers : "none"));
	nd_evidence_add(f, "resolv_conf", "%s", path);
	nd_evidence_add(f, "nameservers", "%s", servers);
	nd_evidence_add(f, "corp_dns", "true");
	nd_evidence_add(f, "magicdns_enabled", "true");
}

static void
ts_serve(struct nd_probe *p, const struct nd_ts_serve *sv)
{
	const struct nd_ts_tcp *x;
	struct nd_finding *f;
	char port[8];
	size_t i;

	for (i = 0; i < sv->ntcp; i++) {
		x = &sv->tcp[i];
		if ((x->port != 6443 && x->port != 50000) ||
		    !nd_ts_tcp_terminates_tls(x))
			continue;
		f = ts_add(p, ND_F_TAILSCALE_SERVE_TERMINATES_TLS, ND_SEV_WARN,
		    nd_arena_printf(p->run->arena, "tailscale serve terminates "
		    "TLS on port %u (%s): the %s API's client certificates "
		    "never reach it", x->port, x->https ? "\"HTTPS\": true" :
		    "\"TerminateTLS\"", x->port == 6443 ? "Kubernetes" :
		    "Talos"));
		snprintf(port, sizeof(port), "%u", x->port);
		nd_evidence_add(f, "port", "%s", port);
		nd_evidence_add(f, "handler", "%s", x->https ? "HTTPS" :
		    "TCPForward with TerminateTLS");
		if (x->forward != NULL)
			nd_evidence_add(f, "forward", "%s", x->forward);
		nd_evidence_add(f, "where", "%s", x->where);
		nd_evidence_add(f, "source", "LocalAPI serve-config");
	}
}

static const char *
ts_join(struct nd_arena *a, const struct nd_ts_pfx *v, size_t n)
{
	const char *s = "";
	size_t i;

	for (i = 0; i < n && i < 8; i++)
		s = nd_arena_printf(a, "%s%s%s", s, i ? ", " : "", v[i].s);
	return i < n ? nd_arena_printf(a, "%s, ...", s) : s;
}

static void
ts_state(struct nd_probe *p, const struct nd_ts_status *st,
    const struct nd_ts_prefs *pr)
{
	struct ts_ctx *c = p->ctx;
	struct nd_arena *a = p->run->arena;
	const char *bs = st->backend_state;
	struct nd_finding *f = NULL;
	size_t i;

	if (strcmp(bs, "NeedsLogin") == 0)
		f = ts_add(p, ND_F_TAILSCALE_NEEDS_LOGIN, ND_SEV_CRIT,
		    nd_arena_printf(a, "tailscaled at %s is logged out "
		    "(BackendState NeedsLogin%s): this host is not on the "
		    "tailnet", c->sock, st->has_auth_url ? ", a login URL is "
		    "waiting" : ""));
	else if (strcmp(bs, "NeedsMachineAuth") == 0)
		f = ts_add(p, ND_F_TAILSCALE_NEEDS_LOGIN, ND_SEV_CRIT,
		    nd_arena_printf(a, "tailscaled at %s waits for a tailnet "
		    "admin to approve this machine (BackendState "
		    "NeedsMachineAuth): it is not on the tailnet yet",
		    c->sock));
	else if (strcmp(bs, "Stopped") == 0)
		f = ts_add(p, ND_F_TAILSCALE_STOPPED, ND_SEV_CRIT,
		    nd_arena_printf(a, "Tailscale is stopped on this host "
		    "(BackendState Stopped%s): no tunnel, no subnet routes, no "
		    "MagicDNS", pr != NULL && !pr->want_running ?
		    ", WantRunning false: tailscale down" : ""));
	else {
		f = nd_finding_add(p, ND_F_TAILSCALE_NOT_RUNNING, "tailscaled "
		    "is not running: BackendState is %s, not Running: this "
		    "host has no tailnet address, no subnet routes and no "
		    "MagicDNS", bs);
		f->sev = ND_SEV_CRIT;
		nd_evidence_add(f, "socket", "%s", c->sock);
		c->verdict = ND_FAIL;
	}
	nd_evidence_add(f, "backend_state", "%s", bs);
	if (pr != NULL) {
		nd_evidence_add(f, "want_running", "%s", pr->want_running ?
		    "true" : "false");
		nd_evidence_add(f, "logged_out", "%s", pr->logged_out ? "true" :
		    "false");
	}
	for (i = 0; st->health != NULL && st->health[i] != NULL; i++)
		nd_evidence_add(f, nd_arena_printf(a, "health.%zu", i + 1), "%s",
		    st->health[i]);
	ts_about_tailnet(f);
}

static void
ts_judge(struct nd_probe *p, const struct nd_ts_serve *sv)
{
	struct ts_ctx *c = p->ctx;
	struct nd_arena *a = p->run->arena;
	const struct nd_ts_status *st = &c->st;
	const struct nd_ts_prefs *pr = &c->prefs;
	struct nd_finding *f;
	int64_t now = (int64_t)time(NULL), left;
	size_t i, online = 0, routes = 0;

	c->verdict = ND_PASS;
	if (strcmp(st->backend_state, "Running") != 0) {
		ts_state(p, st, c->have_prefs ? pr : NULL);
		nd_probe_done(p, c->verdict);
		return;
	}
	if (st->has_self && (st->self.expired || (st->self.key_expiry != 0 &&
	    st->self.key_expiry <= now))) {
		f = ts_add(p, ND_F_TAILSCALE_KEY_EXPIRED, ND_SEV_CRIT,
		    nd_arena_printf(a, "this node's Tailscale key has expired "
		    "(%s): it is off the tailnet until it logs in again",
		    st->self.name));
		nd_evidence_add(f, "key_expiry_unix", "%lld",
		    (long long)st->self.key_expiry);
		ts_about_tailnet(f);
	} else if (st->has_self && st->self.key_expiry != 0 &&
	    (left = st->self.key_expiry - now) < TS_EXPIRY_WARN_S) {
		f = ts_add(p, ND_F_TAILSCALE_KEY_EXPIRING, ND_SEV_WARN,
		    nd_arena_printf(a, "this node's Tailscale key expires in "
		    "%lld day%s (%lld h): then it drops off the tailnet",
		    (long long)(left / 86400), left / 86400 == 1 ? "" : "s",
		    (long long)(left / 3600)));
		nd_evidence_add(f, "key_expiry_unix", "%lld",
		    (long long)st->self.key_expiry);
		nd_evidence_add(f, "days_left", "%lld", (long long)(left /
		    86400));
	}
	ts_routes(p, st, pr);
	ts_relays(p, st);
	ts_magicdns(p, st, pr);
	ts_serve(p, sv);
	if (c->failing) {
		nd_probe_done(p, c->verdict);
		return;
	}
	for (i = 0; i < st->npeers; i++) {
		online += st->peers[i].online;
		routes += st->peers[i].nprimary;
	}
	f = nd_finding_add(p, ND_F_TAILSCALE_OK, "tailscaled at %s: Running "
	    "as %s%s%s, %zu peer%s (%zu online), %zu subnet route%s", c->sock,
	    st->has_self ? st->self.name : "?", st->tailnet != NULL ?
	    " on " : "", st->tailnet != NULL ? st->tailnet : "", st->npeers,
	    st->npeers == 1 ? "" : "s", online, routes, routes == 1 ? "" : "s");
	nd_evidence_add(f, "socket", "%s", c->sock);
	if (st->version != NULL)
		nd_evidence_add(f, "version", "%s", st->version);
	if (st->has_self)
		nd_evidence_add(f, "tailscale_ips", "%s", ts_join(a,
		    st->self.ips, st->self.nips));
	nd_evidence_add(f, "route_all", "%s", pr->route_all ? "true" :
	    "false");
	nd_evidence_add(f, "corp_dns", "%s", pr->corp_dns ? "true" : "false");
	nd_evidence_add(f, "magicdns", "%s", st->magicdns ? "true" : "false");
	for (i = 0; i < st->npeers && i < 16; i++)
		if (st->peers[i].nprimary > 0)
			nd_evidence_add(f, nd_arena_printf(a, "routes.%s",
			    st->peers[i].name), "%s", ts_join(a,
			    st->peers[i].primary, st->peers[i].nprimary));
	nd_evidence_add(f, "serve_tcp_ports", "%zu", sv->ntcp);
	nd_probe_done(p, ND_PASS);
}

/* The first line of an error body, bounded and printable. */
static const char *
ts_body_line(struct nd_arena *a, const struct nd_http_body *b)
{
	char line[96];

	nd_strlcpy(line, nd_http_body_str(b), sizeof(line));
	line[strcspn(line, "\r\n")] = '\0';
	nd_one_line(line);
	return nd_arena_strdup(a, line);
}

static void
ts_done(void *arg, CURLcode cc)
{
	struct nd_probe *p = arg;
	struct ts_ctx *c = p->ctx;
	struct nd_arena *a = p->run->arena;
	struct nd_ts_serve sv = { NULL, 0 };
	const char *line;
	char err[320];
	long http = 0;
	int rc;

	if (p->status != ND_RUNNING)
		return;
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &http);
	if (c->buf.over) {
		ts_api_error(p, nd_arena_printf(a, "the answer to GET %s is over "
		    "%u MiB; netdoctor stopped reading: not tailscaled's "
		    "LocalAPI, or a broken one", ts_paths[c->step],
		    ND_TS_MAX_BODY >> 20));
		return;
	}
	if (cc != CURLE_OK) {
		ts_api_error(p, cc == CURLE_OPERATION_TIMEDOUT ?
		    "no answer before the deadline (the socket accepts but "
		    "says nothing)" : nd_arena_printf(a, "%s",
		    c->errbuf[0] != '\0' ? c->errbuf : curl_easy_strerror(cc)));
		return;
	}
	if (http != 200 && c->step != TS_STATUS &&
	    strcmp(c->st.backend_state, "Running") != 0) {
		ts_judge(p, &sv);
		return;
	}
	if (http != 200) {
		line = ts_body_line(a, &c->buf);
		ts_api_error(p, nd_arena_printf(a, "answered HTTP %ld to GET %s"
		    "%s%s%s", http, ts_paths[c->step], line[0] ? " (" : "",
		    line, line[0] ? ")" : "") );
		if (http == 403)
			nd_evidence_add(p->findings[p->nfindings - 1], "hint",
			    "this user may not read tailscaled's state: sudo, "
			    "or sudo tailscale set --operator=$USER");
		else if (http == 404)
			nd_evidence_add(p->findings[p->nfindings - 1], "hint",
			    "something else listens on the socket: it is not "
			    "tailscaled's LocalAPI");
		return;
	}
	switch (c->step) {
	case TS_STATUS:
		rc = nd_ts_parse_status(a, c->buf.buf, c->buf.len, &c->st, err,
		    sizeof(err));
		break;
	case TS_PREFS:
		rc = nd_ts_parse_prefs(a, c->buf.buf, c->buf.len, &c->prefs,
		    err, sizeof(err));
		break;
	default:
		rc = nd_ts_parse_serve(a, c->buf.buf, c->buf.len, &sv, err,
		    sizeof(err));
		break;
	}
	/* A daemon that is not Running is judged by its state alone: its
	   prefs add detail, its serve config does not matter. */
	if (rc < 0 && c->step != TS_STATUS &&
	    strcmp(c->st.backend_state, "Running") != 0) {
		ts_judge(p, &sv);
		return;
	}
	if (rc < 0) {
		ts_api_error(p, err);
		return;
	}
	c->have_prefs |= c->step == TS_PREFS;
	if (c->step == TS_SERVE || (c->step == TS_PREFS &&
	    strcmp(c->st.backend_state, "Running") != 0)) {
		ts_judge(p, &sv);
		return;
	}
	if ((rc = ts_request(p, c->step + 1)) < 0) {
		nd_probe_local_error(p, -rc, "start the LocalAPI request");
		nd_probe_done(p, ND_ERROR);
	}
}

/*
 * One connect() of our own says what libcurl's "Couldn't connect" does
 * not: no socket, a refusing one (a daemon that died and left it), or a
 * user without access.  Returns 0 (or a full backlog: someone listens),
 * the connect's errno, or -errno when no socket could be made here.
 */
static int
ts_connect_errno(struct nd_probe *p, const char *path)
{
	int fd, rc = nd_sock_unix_connect(path, &fd);

	if (fd >= 0)
		nd_sock_close(p->run->loop, fd, 0);
	return rc >= 0 ? 0 : fd >= 0 ? -rc : rc;
}

static int
ts_start(struct nd_probe *p)
{
	struct ts_ctx *c = p->ctx;
	struct stat sb;
	int err;

	c->sock = p->target->x->path != NULL ? p->target->x->path :
	    ND_TS_SOCKET;
	c->step = TS_STATUS;
	if (stat(c->sock, &sb) < 0) {
		ts_not_running(p, nd_arena_printf(p->run->arena, "no socket at "
		    "%s (%s)", c->sock, strerror(errno)));
		return 0;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		ts_not_running(p, nd_arena_printf(p->run->arena, "%s is not a "
		    "socket", c->sock));
		return 0;
	}
	if ((err = ts_connect_errno(p, c->sock)) < 0) {
		nd_probe_local_error(p, -err, "open a unix socket");
		nd_probe_done(p, ND_ERROR);
		return 0;
	}
	if (err == ECONNREFUSED || err == ENOENT) {
		ts_not_running(p, nd_arena_printf(p->run->arena, "%s refuses "
		    "connections (a socket left behind by a daemon that "
		    "stopped)", c->sock));
		return 0;
	}
	if (err == EACCES || err == EPERM) {
		ts_api_error(p, nd_arena_printf(p->run->arena, "this user may "
		    "not connect to %s (%s): run netdoctor with sudo, or sudo "
		    "tailscale set --operator=$USER", c->sock, strerror(err)));
		return 0;
	}
	return ts_request(p, TS_STATUS);
}

static void
ts_expire(struct nd_probe *p)
{
	ts_api_error(p, "no answer before the deadline (the socket accepts but "
	    "says nothing)");
}

const struct nd_probe_ops nd_probe_tailscale = {
	.name = "tailscale",
	.layer = ND_L_HOST,
	.ctx_size = sizeof(struct ts_ctx),
	.start = ts_start,
	.expire = ts_expire,
	.cancel = ts_cancel,
};
