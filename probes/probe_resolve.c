/*
 * probe_resolve.c - resolve a target's host name with c-ares on the loop,
 * the way this host would (/etc/hosts, then the nameservers of
 * /etc/resolv.conf), and publish every address so each is probed on its
 * own (the blackbox_exporter "only the first address" complaint, #1512).
 *
 * c-ares 1.18 integration (libraries.md 3): ARES_OPT_SOCK_STATE_CB tells
 * us which sockets to watch, ares_process_fd() handles readiness, and one
 * timer follows ares_timeout().  c-ares may call our callback from inside
 * ares_getaddrinfo() or ares_process_fd(), where destroying the channel is
 * not allowed, so the callback only records the answer and a zero-delay
 * timer delivers the verdict.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include <ares.h>

#include "engine.h"
#include "options.h"
#include "probe.h"
#include "target.h"

#define RESOLVE_MAX_ADDRS	64

struct resolve_ctx {
	ares_channel		 ch;
	bool			 have_ch;
	struct nd_timer		 tmr;		/* ares_timeout, then verdict */
	bool			 answered;
	int			 status;	/* ARES_* */
	struct ares_addrinfo	*ai;
};

static void
resolve_cancel(struct nd_probe *p)
{
	struct resolve_ctx *c = p->ctx;

	nd_timer_disarm(p->run->loop, &c->tmr);
	if (c->have_ch) {
		/* Closes the sockets; sock_state_cb drops the watches. */
		ares_destroy(c->ch);
		c->have_ch = false;
	}
	if (c->ai != NULL) {
		ares_freeaddrinfo(c->ai);
		c->ai = NULL;
	}
}

static void
resolve_verdict(struct nd_probe *p)
{
	struct resolve_ctx *c = p->ctx;
	const struct ares_addrinfo_node *n;
	struct nd_finding *f;
	char list[512] = "", a[64];
	size_t used = 0, count = 0;

	if (c->status != ARES_SUCCESS || c->ai == NULL ||
	    c->ai->nodes == NULL) {
		if (c->status == ARES_ENOMEM || c->status == ARES_EFILE ||
		    c->status == ARES_ENOTINITIALIZED) {
			nd_probe_local_error(p, c->status == ARES_ENOMEM ?
			    ENOMEM : EIO, "run the resolver");
			nd_probe_done(p, ND_ERROR);
			return;
		}
		f = nd_finding_add(p, ND_F_RESOLVE_FAILED,
		    "%s did not resolve: %s", p->target->host,
		    ares_strerror(c->status != ARES_SUCCESS ? c->status :
		    ARES_ENODATA));
		nd_evidence_add(f, "host", "%s", p->target->host);
		nd_evidence_add(f, "ares_status", "%d", c->status);
		nd_evidence_add(f, "error", "%s", ares_strerror(c->status));
		nd_probe_done(p, ND_FAIL);
		return;
	}
	for (n = c->ai->nodes; n != NULL && count < RESOLVE_MAX_ADDRS;
	    n = n->ai_next) {
		const void *raw;

		if (n->ai_family == AF_INET)
			raw = &((const struct sockaddr_in *)n->ai_addr)->sin_addr;
		else if (n->ai_family == AF_INET6)
			raw = &((const struct sockaddr_in6 *)n->ai_addr)->
			    sin6_addr;
		else
			continue;
		nd_probe_publish_addr(p, n->ai_addr, n->ai_addrlen);
		inet_ntop(n->ai_family, raw, a, sizeof(a));
		if (used + strlen(a) + 2 < sizeof(list))
			used += (size_t)snprintf(list + used,
			    sizeof(list) - used, "%s%s", count ? "," : "", a);
		count++;
	}
	f = nd_finding_add(p, ND_F_RESOLVE_OK, "%s resolved to %s",
	    p->target->host, list);
	nd_evidence_add(f, "addresses", "%s", list);
	nd_evidence_add(f, "count", "%zu", p->npub);
	nd_probe_done(p, ND_PASS);
}

static void resolve_arm(struct nd_probe *);

static void
resolve_on_timer(struct nd_loop *l, void *arg)
{
	struct nd_probe *p = arg;
	struct resolve_ctx *c = p->ctx;

	(void)l;
	if (p->status != ND_RUNNING)
		return;
	if (c->answered) {
		resolve_verdict(p);
		return;
	}
	ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	resolve_arm(p);
}

static void
resolve_arm(struct nd_probe *p)
{
	struct resolve_ctx *c = p->ctx;
	struct timeval tv, *tvp;
	uint64_t now = nd_loop_now(p->run->loop);

	if (c->answered) {
		nd_timer_arm(p->run->loop, &c->tmr, now);
		return;
	}
	tvp = ares_timeout(c->ch, NULL, &tv);
	if (tvp != NULL)
		nd_timer_arm(p->run->loop, &c->tmr, now +
		    (uint64_t)tvp->tv_sec * 1000000u + (uint64_t)tvp->tv_usec);
	else
		nd_timer_disarm(p->run->loop, &c->tmr);
}

static void
resolve_on_fd(struct nd_loop *l, int fd, unsigned ev, void *arg)
{
	struct nd_probe *p = arg;
	struct resolve_ctx *c = p->ctx;

	(void)l;
	if (p->status != ND_RUNNING)
		return;
	ares_process_fd(c->ch,
	    ev & (ND_EV_READ | ND_EV_ERROR) ? fd : ARES_SOCKET_BAD,
	    ev & ND_EV_WRITE ? fd : ARES_SOCKET_BAD);
	resolve_arm(p);
}

static void
resolve_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct nd_probe *p = data;
	unsigned ev = (readable ? ND_EV_READ : 0) | (writable ? ND_EV_WRITE : 0);

	if (ev == 0)
		nd_loop_fd_del(p->run->loop, fd);
	else if (nd_loop_fd_set(p->run->loop, fd, ev, resolve_on_fd, p) < 0)
		nd_loop_fd_del(p->run->loop, fd);
}

static void
resolve_on_answer(void *arg, int status, int timeouts,
    struct ares_addrinfo *res)
{
	struct nd_probe *p = arg;
	struct resolve_ctx *c = p->ctx;

	(void)timeouts;
	if (p->status != ND_RUNNING || c->answered) {
		if (res != NULL)
			ares_freeaddrinfo(res);
		return;
	}
	c->answered = true;
	c->status = status;
	c->ai = res;
	/* Deliver from the loop, not from inside c-ares (see the top). */
	nd_timer_arm(p->run->loop, &c->tmr, nd_loop_now(p->run->loop));
}

static int
resolve_start(struct nd_probe *p)
{
	struct resolve_ctx *c = p->ctx;
	struct ares_options o;
	struct ares_addrinfo_hints hints;
	int64_t left_ms = p->run->opts->timeout_ms;
	int rc;

	nd_timer_init(&c->tmr, resolve_on_timer, p);
	memset(&o, 0, sizeof(o));
	o.sock_state_cb = resolve_sock_state;
	o.sock_state_cb_data = p;
	/* Two tries inside the probe's deadline (the retry doubles). */
	o.timeout = (int)(left_ms / 3 > 0 ? left_ms / 3 : 1);
	o.tries = 2;
	rc = ares_init_options(&c->ch, &o, ARES_OPT_SOCK_STATE_CB |
	    ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (rc != ARES_SUCCESS)
		return rc == ARES_ENOMEM ? -ENOMEM : -EIO;
	c->have_ch = true;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	/* NOSORT: RFC 6724 sorting would open a socket per address. */
	hints.ai_flags = ARES_AI_NOSORT;
	ares_getaddrinfo(c->ch, p->target->host, NULL, &hints,
	    resolve_on_answer, p);
	if (p->status == ND_RUNNING)
		resolve_arm(p);
	return 0;
}

static void
resolve_expire(struct nd_probe *p)
{
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_RESOLVE_FAILED,
	    "%s did not resolve within %lld ms: no nameserver answered",
	    p->target->host, (long long)p->run->opts->timeout_ms);
	nd_evidence_add(f, "host", "%s", p->target->host);
	nd_evidence_add(f, "error", "timeout");
	nd_probe_done(p, ND_FAIL);
}

const struct nd_probe_ops nd_probe_resolve = {
	.name = "resolve",
	.layer = ND_L_DNS,
	.ctx_size = sizeof(struct resolve_ctx),
	.fans_out = true,
	.start = resolve_start,
	.expire = resolve_expire,
	.cancel = resolve_cancel,
};
