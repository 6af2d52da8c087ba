/*
 * probe_dns.c - what a DNS server (a Pi-hole) answers for a name, against
 * what the cluster expects, with Pi-hole blocking verdicts
 * (docs/monitoring-plugins.md 2: NULL 0.0.0.0/:: TTL 2, IP mode own address TTL 2,
 * NXDOMAIN and NODATA modes, EDE 15 "Blocked"; REFUSED for the local-only
 * listening mode and the rate limit).
 *
 * Up to three queries run at once through core/dnsq.c (c-ares):
 *   the server itself, for the verdict;
 *   the upstream (?upstream=), to tell a blocked name from a missing one
 *     in NXDOMAIN/NODATA modes, where nothing else can;
 *   this host's own resolvers (/etc/resolv.conf), unless the server is one
 *     of them, to see whether this host would get the same answer.
 * Answers are parsed by core/dnsmsg.c (bounded; c-ares is not trusted to
 * have parsed a hostile message the way we need).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "dnsmsg.h"
#include "dnsq.h"
#include "netaddr.h"
#include "probe.h"
#include "target.h"
#include "util.h"

enum dns_q { Q_SERVER, Q_UPSTREAM, Q_SYSTEM, Q__N };

/*
 * What the verdict needs from one answer, kept in the arena.  The parsed
 * message itself (several KiB, room for 64 answers) lives on the stack:
 * 10,000 probes holding full copies cost more page faults than queries.
 */
struct dns_res {
	int			 rcode;
	bool			 aa;
	size_t			 nanswers;
	struct nd_dns_addr	*answers;
	uint16_t		 ede[ND_DNS_MAX_EDE];
	size_t			 nede;
	const char		*ede_text;	/* "" when none */
	const char		*cname;		/* "" when none */
	size_t			 nforeign;	/* records of another owner */
	const char		*foreign;	/* the first such owner, "" */
};

struct dns_answer {
	bool			 asked, done;
	int			 status;	/* ARES_* */
	uint64_t		 rtt_us;
	const char		*why;		/* parse failure */
	struct dns_res		*msg;		/* arena; NULL: no answer */
};

struct dns_ctx {
	struct nd_dnsq_req	*req[Q__N];
	struct dns_answer	 a[Q__N];
	int			 qtype;
	size_t			 pending;
};

static const char *const dns_needs[] = { "route", "resolve", NULL };

static void
dns_cancel(struct nd_probe *p)
{
	struct dns_ctx *c = p->ctx;
	int i;

	for (i = 0; i < Q__N; i++) {
		nd_dnsq_cancel(c->req[i]);
		c->req[i] = NULL;
	}
}

/* "10.0.0.1 ttl=300, 10.0.0.2 ttl=300" */
static const char *
dns_list(struct nd_probe *p, const struct dns_res *m, bool ttl)
{
	char buf[512];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; m != NULL && i < m->nanswers && o + 64 < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, ttl ?
		    "%s%s ttl=%u" : "%s%s", i ? ", " : "", m->answers[i].text,
		    m->answers[i].ttl);
	return nd_arena_strdup(p->run->arena, o ? buf : "(none)");
}

static bool dns_addr_is(const struct nd_dns_addr *, const char *);

static bool
dns_has(const struct dns_res *m, const char *ip)
{
	size_t i;

	for (i = 0; i < m->nanswers; i++)
		if (dns_addr_is(&m->answers[i], ip))
			return true;
	return false;
}

/* Same set of addresses (order and duplicates aside). */
static bool
dns_same(const struct dns_res *a, const struct dns_res *b)
{
	size_t i;

	for (i = 0; i < a->nanswers; i++)
		if (!dns_has(b, a->answers[i].text))
			return false;
	for (i = 0; i < b->nanswers; i++)
		if (!dns_has(a, b->answers[i].text))
			return false;
	return true;
}

/* The Pi-hole signatures that need no second opinion. */
static const char *
dns_block_signature(const struct nd_probe *p, const struct dns_res *m)
{
	size_t i, zero = 0, own = 0;

	for (i = 0; i < m->nede; i++)
		if (m->ede[i] >= 15 && m->ede[i] <= 17)	/* RFC 8914 4.16-18 */
			return m->ede[i] == 15 ? "Extended DNS Error 15 (Blocked)" :
			    m->ede[i] == 16 ? "Extended DNS Error 16 (Censored)" :
			    "Extended DNS Error 17 (Filtered)";
	for (i = 0; i < m->nanswers; i++) {
		static const uint8_t z[16];

		if (memcmp(m->answers[i].addr, z, m->answers[i].family ==
		    AF_INET ? 4 : 16) == 0)
			zero++;
		if (strcmp(m->answers[i].text, p->ep->addrstr) == 0 &&
		    m->answers[i].ttl <= 2)
			own++;
	}
	if (m->nanswers > 0 && zero == m->nanswers)
		return "the unspecified address (Pi-hole NULL blocking mode)";
	if (m->nanswers > 0 && own == m->nanswers)
		return "the Pi-hole's own address with TTL 2 (Pi-hole IP "
		    "blocking mode)";
	return NULL;
}

static void
dns_evidence(struct nd_probe *p, struct nd_finding *f)
{
	struct dns_ctx *c = p->ctx;
	const struct dns_res *m = c->a[Q_SERVER].msg;
	size_t i;

	nd_evidence_add(f, "qname", "%s", p->target->x->qname);
	nd_evidence_add(f, "qtype", "%s", c->qtype == 28 ? "AAAA" : "A");
	nd_evidence_add(f, "server", "%s", p->ep->label);
	/* tailscaled answers this address itself, on tailscale0 only
	   (tailscale net/tsaddr TailscaleServiceIP): silence there is
	   tailscaled's, not a DNS server's. */
	if (strcmp(p->ep->addrstr, "100.100.100.100") == 0)
		nd_evidence_add(f, "resolver", "Tailscale MagicDNS: tailscaled "
		    "answers 100.100.100.100 while it runs and is logged in "
		    "(tailscale status; netdoctor run tailscale://)");
	if (c->a[Q_SERVER].done)
		nd_evidence_add(f, "query_ms", "%llu.%03llu",
		    (unsigned long long)(c->a[Q_SERVER].rtt_us / 1000),
		    (unsigned long long)(c->a[Q_SERVER].rtt_us % 1000));
	if (m != NULL) {
		nd_evidence_add(f, "rcode", "%s", nd_dns_rcode_name(m->rcode));
		nd_evidence_add(f, "aa", "%s", m->aa ? "yes" : "no");
		nd_evidence_add(f, "answers", "%s", dns_list(p, m, true));
		if (m->cname[0] != '\0')
			nd_evidence_add(f, "cname", "%s", m->cname);
		/* Said, since "no data" alone would hide a poisoning try. */
		if (m->nforeign > 0)
			nd_evidence_add(f, "ignored_records", "%zu owned by %s%s, "
			    "neither the question nor a CNAME target of it",
			    m->nforeign, m->foreign, m->nforeign > 1 ?
			    " and others" : "");
		for (i = 0; i < m->nede; i++)
			nd_evidence_add(f, "ede", "%u%s%s", m->ede[i],
			    m->ede_text[0] ? " " : "", m->ede_text);
	}
}

static void
dns_upstream_evidence(struct nd_probe *p, struct nd_finding *f)
{
	struct dns_ctx *c = p->ctx;
	const struct dns_answer *u = &c->a[Q_UPSTREAM];

	if (!u->asked)
		return;
	nd_evidence_add(f, "upstream", "%s", p->target->x->upstream);
	if (u->msg != NULL)
		nd_evidence_add(f, "upstream_answer", "%s %s",
		    nd_dns_rcode_name(u->msg->rcode), dns_list(p, u->msg, false));
	else
		nd_evidence_add(f, "upstream_answer", "%s",
		    ares_strerror(u->status));
}

static const char *
dns_expected(struct nd_probe *p)
{
	char buf[512];
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; p->target->x->expect[i] != NULL && o + 48 < sizeof(buf);
	    i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s%s",
		    i ? ", " : "", p->target->x->expect[i]);
	return nd_arena_strdup(p->run->arena, buf);
}

static bool
dns_addr_is(const struct nd_dns_addr *a, const char *ip)
{
	unsigned char want[16];
	int fam = strchr(ip, ':') != NULL ? AF_INET6 : AF_INET;

	return a->family == fam && inet_pton(fam, ip, want) == 1 &&
	    memcmp(a->addr, want, fam == AF_INET ? 4 : 16) == 0;
}

/* The server's answers equal expect= exactly (as sets). */
static bool
dns_matches_expect(struct nd_probe *p, const struct dns_res *m)
{
	char *const *e = p->target->x->expect;
	size_t i, k;

	for (k = 0; e[k] != NULL; k++)
		if (!dns_has(m, e[k]))
			return false;
	for (i = 0; i < m->nanswers; i++) {
		for (k = 0; e[k] != NULL; k++)
			if (dns_addr_is(&m->answers[i], e[k]))
				break;
		if (e[k] == NULL)
			return false;
	}
	return true;
}

/*
 * The resolvers this host uses: which one, in words, when it is a known
 * stand-in for "not the Pi-hole".
 */
static const char *
dns_system_words(const char *servers)
{
	if (strstr(servers, "100.100.100.100") != NULL)
		return " (Tailscale MagicDNS)";
	if (strstr(servers, "127.0.0.53") != NULL)
		return " (systemd-resolved's stub)";
	return "";
}

static void
dns_compare_system(struct nd_probe *p, enum nd_status *st)
{
	struct dns_ctx *c = p->ctx;
	const struct dns_answer *y = &c->a[Q_SYSTEM];
	const struct dns_res *s = c->a[Q_SERVER].msg;
	const char *servers;
	struct nd_finding *f;

	if (!y->asked || s == NULL)
		return;
	if (y->msg != NULL && y->msg->rcode == s->rcode && dns_same(s, y->msg))
		return;
	servers = nd_dnsq_system_servers(p->run);
	f = nd_finding_add(p, ND_F_DNS_RESOLVER_MISMATCH,
	    "this host asks %s%s, which answers %s %s for %s, but %s answers "
	    "%s %s", servers, dns_system_words(servers),
	    y->msg != NULL ? nd_dns_rcode_name(y->msg->rcode) :
	    ares_strerror(y->status), y->msg != NULL ? dns_list(p, y->msg,
	    false) : "", p->target->x->qname, p->ep->label,
	    nd_dns_rcode_name(s->rcode), dns_list(p, s, false));
	nd_evidence_add(f, "system_nameservers", "%s", servers);
	nd_evidence_add(f, "system_answer", "%s", y->msg != NULL ?
	    dns_list(p, y->msg, true) : ares_strerror(y->status));
	nd_evidence_add(f, "server_answer", "%s", dns_list(p, s, true));
	nd_evidence_add(f, "qname", "%s", p->target->x->qname);
	if (*st == ND_PASS)
		*st = ND_WARN;
}

/*
 * Split horizon: a public hostname of a cloudflared ingress rule that this
 * server answers with a LAN address.  Its clients reach the service
 * directly and bypass the tunnel, which is often meant (a local record for
 * speed) and sometimes a leftover; so a note, which changes no verdict.
 */
static void
dns_split_horizon(struct nd_probe *p, const struct dns_res *m)
{
	const struct nd_target *t = p->target;
	struct nd_arena *a = p->run->arena;
	struct nd_finding *f;
	const char *lan = NULL, *r, *first = NULL;
	size_t i;

	if (t->cf_rule == NULL)
		return;
	for (i = 0; i < m->nanswers; i++) {
		if ((r = nd_addr_lan_range(m->answers[i].family,
		    m->answers[i].addr)) == NULL)
			continue;
		lan = nd_arena_printf(a, "%s%s%s (%s)", lan != NULL ? lan : "",
		    lan != NULL ? ", " : "", m->answers[i].text, r);
		if (first == NULL)
			first = m->answers[i].text;
	}
	if (lan == NULL)
		return;
	f = nd_finding_add(p, ND_F_DNS_SPLIT_HORIZON, "%s answers %s, a "
	    "hostname of the Cloudflare Tunnel%s%s, with the LAN address %s: "
	    "clients that ask it bypass the tunnel (fine when meant)",
	    p->ep->label, t->x->qname, t->cf_tunnel != NULL ? " " : "",
	    t->cf_tunnel != NULL ? t->cf_tunnel : "", first);
	nd_evidence_add(f, "qname", "%s", t->x->qname);
	nd_evidence_add(f, "server", "%s", p->ep->label);
	nd_evidence_add(f, "lan_answers", "%s", lan);
	nd_evidence_add(f, "config", "%s", t->cf_rule);
	if (t->cf_tunnel != NULL)
		nd_evidence_add(f, "tunnel", "%s", t->cf_tunnel);
}

/*
 * No answer was accepted (silence, or c-ares' timeout): say what did
 * arrive instead, since c-ares drops replies that do not match the query
 * and retries a truncated one over TCP without a word.  how ends the
 * sentence of the silent case.  Returns the finding.
 */
static struct nd_finding *
dns_no_answer(struct nd_probe *p, const char *how)
{
	struct dns_ctx *c = p->ctx;
	struct nd_dnsq_seen w;
	struct nd_finding *f;
	const char *name = p->target->x->qname, *label = p->ep->label;
	unsigned odd;

	nd_dnsq_seen(p->run, &p->ep->addr.sa, name, c->qtype, &w);
	odd = w.wrong_id + w.other_question + w.strays;
	if (w.truncated > 0) {
		f = nd_finding_add(p, ND_F_DNS_TCP_FALLBACK_FAILED,
		    "%s answered the query for %s over UDP with a truncated "
		    "message (TC=1), and the retry over TCP %s%s", label, name,
		    w.tcp_error != 0 ? "failed: " : w.tcp_closed > 0 ?
		    "was closed by the server without an answer" :
		    w.tcp_connects > 0 ? "got no answer before the deadline" :
		    "could not start before the deadline",
		    w.tcp_error != 0 ? strerror(w.tcp_error) : "");
		nd_evidence_add(f, "truncated_answers", "%u", w.truncated);
		nd_evidence_add(f, "tcp_connections", "%u", w.tcp_connects);
	} else if (c->a[Q_SERVER].status == ARES_ECONNREFUSED) {
		f = nd_finding_add(p, ND_F_DNS_SERVER_UNREACHABLE,
		    "nothing answers DNS at %s: the host sent ICMP port "
		    "unreachable (it is up, the DNS server is not)", label);
		nd_evidence_add(f, "icmp", "port unreachable");
	} else if (w.wrong_id > 0) {
		f = nd_finding_add(p, ND_F_DNS_MISMATCHED_REPLY,
		    "%s did not answer the query for %s: replies arrived, but "
		    "with the wrong id: %u of them", label, name, w.wrong_id);
	} else if (w.other_question > 0) {
		f = nd_finding_add(p, ND_F_DNS_MISMATCHED_REPLY,
		    "%s did not answer the query for %s: replies with its id "
		    "answered another question (%s): %u of them", label, name,
		    w.other, w.other_question);
	} else if (w.garbage > 0) {
		f = nd_finding_add(p, ND_F_DNS_MALFORMED_ANSWER,
		    "%s did not answer the query for %s: %u datagram%s arrived "
		    "that %s not a DNS reply (%s; the largest was %zu bytes)",
		    label, name, w.garbage, w.garbage == 1 ? "" : "s",
		    w.garbage == 1 ? "is" : "are", w.garbage_why, w.largest);
	} else if (w.strays > 0) {
		f = nd_finding_add(p, ND_F_DNS_MISMATCHED_REPLY,
		    "%s did not answer the query for %s: %u replies arrived "
		    "that answer no question netdoctor asked", label, name,
		    w.strays);
	} else {
		f = nd_finding_add(p, ND_F_DNS_SERVER_UNREACHABLE,
		    "%s did not answer the query for %s%s", label, name, how);
		nd_evidence_add(f, "icmp", "none");
		return f;
	}
	if (w.wrong_id > 0)
		nd_evidence_add(f, "wrong_id_replies", "%u", w.wrong_id);
	if (w.other_question > 0)
		nd_evidence_add(f, "other_question_replies", "%u (%s)",
		    w.other_question, w.other);
	if (w.garbage > 0)
		nd_evidence_add(f, "garbage_datagrams", "%u (%s)", w.garbage,
		    w.garbage_why);
	if (odd + w.garbage > 0)
		nd_evidence_add(f, "largest_datagram_bytes", "%zu", w.largest);
	return f;
}

static void
dns_verdict(struct nd_probe *p)
{
	struct dns_ctx *c = p->ctx;
	const struct dns_answer *s = &c->a[Q_SERVER], *u = &c->a[Q_UPSTREAM];
	const struct dns_res *m = s->msg;
	const char *name = p->target->x->qname, *sig;
	struct nd_finding *f;
	enum nd_status st = ND_FAIL;
	bool upstream_has = u->msg != NULL && u->msg->rcode == 0 &&
	    u->msg->nanswers > 0;
	const struct nd_route_facts *rf = p->ep->facts.route;
	bool onlink = rf == NULL || rf->gateway[0] == '\0';

	if (m == NULL) {
		char how[128];

		if (s->why != NULL) {
			f = nd_finding_add(p, ND_F_DNS_MALFORMED_ANSWER,
			    "%s answered %s with a malformed DNS message: %s",
			    p->ep->label, name, s->why);
		} else {
			snprintf(how, sizeof(how), " (%s): no reply, not even "
			    "an ICMP error", ares_strerror(s->status));
			f = dns_no_answer(p, how);
		}
		dns_evidence(p, f);
		nd_probe_done(p, ND_FAIL);
		return;
	}
	if (m->rcode == 5) {
		f = nd_finding_add(p, ND_F_DNS_REFUSED,
		    "%s refused the query for %s: %s", p->ep->label, name,
		    onlink ? "this host is on its subnet, so this looks like "
		    "Pi-hole's per-client rate limit (or an access list)" :
		    "this host is not on its subnet (the route goes through a "
		    "gateway), which Pi-hole's default listening mode (LOCAL) "
		    "refuses");
		nd_evidence_add(f, "client_on_link", "%s", onlink ? "yes" :
		    "no");
		dns_evidence(p, f);
	} else if (m->rcode == 2) {
		f = nd_finding_add(p, ND_F_DNS_SERVFAIL,
		    "%s answered SERVFAIL for %s: it could not resolve it itself",
		    p->ep->label, name);
		dns_evidence(p, f);
	} else if ((sig = dns_block_signature(p, m)) != NULL ||
	    ((m->rcode == 3 || (m->rcode == 0 && m->nanswers == 0)) &&
	    upstream_has)) {
		f = nd_finding_add(p, ND_F_DNS_BLOCKED,
		    "%s blocks %s: it answers %s", p->ep->label, name,
		    sig != NULL ? sig : m->rcode == 3 ? "NXDOMAIN while the "
		    "upstream resolver has an answer (NXDOMAIN blocking mode)" :
		    "no data while the upstream resolver has an answer (NODATA "
		    "blocking mode)");
		dns_evidence(p, f);
		dns_upstream_evidence(p, f);
	} else if (m->rcode == 3 || m->nanswers == 0) {
		f = nd_finding_add(p, ND_F_DNS_NXDOMAIN,
		    m->rcode == 3 ? "%s says %s does not exist (NXDOMAIN)%s" :
		    "%s has no %s record for %s%s", p->ep->label,
		    m->rcode == 3 ? name : c->qtype == 28 ? "AAAA" : "A",
		    m->rcode == 3 ? (u->asked ? ", and the upstream agrees" :
		    "") : name, m->rcode == 3 ? "" : m->nforeign > 0 ?
		    " (NOERROR; the only records in the answer belong to another "
		    "name and were ignored)" : " (NOERROR, empty answer)");
		dns_evidence(p, f);
		dns_upstream_evidence(p, f);
		if (p->target->x->expect != NULL)
			nd_evidence_add(f, "expected", "%s", dns_expected(p));
	} else if (p->target->x->expect != NULL && !dns_matches_expect(p, m)) {
		f = nd_finding_add(p, ND_F_DNS_WRONG_ANSWER,
		    "%s answers %s with %s, expected %s", p->ep->label, name,
		    dns_list(p, m, false), dns_expected(p));
		nd_evidence_add(f, "expected", "%s", dns_expected(p));
		nd_evidence_add(f, "got", "%s", dns_list(p, m, false));
		dns_evidence(p, f);
		dns_split_horizon(p, m);
	} else {
		f = nd_finding_add(p, ND_F_DNS_OK, "%s answers %s with %s%s",
		    p->ep->label, name, dns_list(p, m, false),
		    p->target->x->expect != NULL ? ", as expected" : "");
		dns_evidence(p, f);
		dns_split_horizon(p, m);
		st = ND_PASS;
	}
	if (st == ND_PASS)
		dns_compare_system(p, &st);
	nd_probe_done(p, st);
}

static void
dns_on_answer(struct nd_probe *p, enum dns_q q, int status,
    const uint8_t *abuf, size_t alen, uint64_t rtt)
{
	struct dns_ctx *c = p->ctx;
	struct dns_answer *a = &c->a[q];
	struct nd_dns_msg m;

	c->req[q] = NULL;	/* dnsq frees it after this call */
	a->done = true;
	a->status = status;
	a->rtt_us = rtt;
	if (abuf != NULL && alen > 0 && nd_dns_parse(abuf, alen, &m,
	    &a->why) == 0) {
		struct nd_arena *ar = p->run->arena;
		struct dns_res *r = nd_arena_alloc(ar, sizeof(*r));

		r->rcode = m.rcode;
		r->aa = m.aa;
		r->nanswers = m.nanswers;
		r->answers = nd_arena_alloc(ar, m.nanswers * sizeof(*r->answers));
		memcpy(r->answers, m.answers, m.nanswers * sizeof(*r->answers));
		memcpy(r->ede, m.ede, sizeof(r->ede));
		r->nede = m.nede;
		r->ede_text = m.ede_text[0] ? nd_arena_strdup(ar, m.ede_text) : "";
		r->cname = m.cname[0] ? nd_arena_strdup(ar, m.cname) : "";
		r->nforeign = m.nforeign;
		r->foreign = m.nforeign > 0 ? nd_arena_strdup(ar, m.foreign) :
		    "";
		a->msg = r;
	}
	if (--c->pending == 0 && p->status == ND_RUNNING)
		dns_verdict(p);
}

static void
dns_on_server(void *arg, int status, int timeouts, const uint8_t *abuf,
    size_t alen, uint64_t rtt)
{
	(void)timeouts;
	dns_on_answer(arg, Q_SERVER, status, abuf, alen, rtt);
}

static void
dns_on_upstream(void *arg, int status, int timeouts, const uint8_t *abuf,
    size_t alen, uint64_t rtt)
{
	(void)timeouts;
	dns_on_answer(arg, Q_UPSTREAM, status, abuf, alen, rtt);
}

static void
dns_on_system(void *arg, int status, int timeouts, const uint8_t *abuf,
    size_t alen, uint64_t rtt)
{
	(void)timeouts;
	dns_on_answer(arg, Q_SYSTEM, status, abuf, alen, rtt);
}

/* Is the server itself among this host's resolvers?  Then no comparison. */
static bool
dns_server_is_system(struct nd_probe *p)
{
	const char *sys = nd_dnsq_system_servers(p->run);
	size_t n = strlen(p->ep->addrstr);
	const char *s;

	if (p->target->port != 53)
		return false;
	for (s = sys; (s = strstr(s, p->ep->addrstr)) != NULL; s += n)
		if ((s == sys || s[-1] == ',') && (s[n] == '\0' || s[n] == ','))
			return true;
	return false;
}

static int
dns_ask(struct nd_probe *p, enum dns_q q, const struct sockaddr *server,
    nd_dnsq_cb cb)
{
	struct dns_ctx *c = p->ctx;
	int rc;

	c->a[q].asked = true;
	c->pending++;
	rc = nd_dnsq_query(p->run, server, p->target->x->qname, c->qtype, cb, p,
	    &c->req[q]);
	if (rc < 0)
		c->pending--;
	return rc;
}

static int
dns_start(struct nd_probe *p)
{
	struct dns_ctx *c = p->ctx;
	struct sockaddr_storage up;
	int rc;

	c->qtype = p->target->x->qtype != NULL &&
	    strcmp(p->target->x->qtype, "AAAA") == 0 ? 28 : 1;
	/*
	 * Count every query before sending any: an answer can come back
	 * inside nd_dnsq_query (c-ares rejects a bad name at once).
	 */
	c->pending = 1;
	if (p->target->x->upstream != NULL) {
		memset(&up, 0, sizeof(up));
		if (strchr(p->target->x->upstream, ':') != NULL) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&up;

			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(53);
			inet_pton(AF_INET6, p->target->x->upstream,
			    &s6->sin6_addr);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&up;

			s4->sin_family = AF_INET;
			s4->sin_port = htons(53);
			inet_pton(AF_INET, p->target->x->upstream,
			    &s4->sin_addr);
		}
		if ((rc = dns_ask(p, Q_UPSTREAM, (struct sockaddr *)&up,
		    dns_on_upstream)) < 0)
			return rc;
	}
	if (!dns_server_is_system(p) && (rc = dns_ask(p, Q_SYSTEM, NULL,
	    dns_on_system)) < 0)
		return rc;
	c->pending--;	/* the server query below counts itself again */
	return dns_ask(p, Q_SERVER, &p->ep->addr.sa, dns_on_server);
}

static void
dns_expire(struct nd_probe *p)
{
	struct dns_ctx *c = p->ctx;
	struct nd_finding *f;
	char how[64];

	if (c->a[Q_SERVER].done) {
		/* Only a comparison query is late: judge without it. */
		if (!c->a[Q_UPSTREAM].done)
			c->a[Q_UPSTREAM].asked = false;
		if (!c->a[Q_SYSTEM].done)
			c->a[Q_SYSTEM].asked = false;
		dns_verdict(p);
		return;
	}
	snprintf(how, sizeof(how), " within %lld ms",
	    (long long)p->run->timeout_ms);
	f = dns_no_answer(p, how);
	dns_evidence(p, f);
	nd_probe_done(p, ND_FAIL);
}

const struct nd_probe_ops nd_probe_dns = {
	.name = "dns",
	.layer = ND_L_DNS,
	.needs = dns_needs,
	.ctx_size = sizeof(struct dns_ctx),
	.start = dns_start,
	.expire = dns_expire,
	.cancel = dns_cancel,
};
