/*
 * dnsq.c - shared c-ares channels on nd_loop.
 *
 * Each channel is watched through ARES_OPT_SOCK_STATE_CB, advanced with
 * ares_process_fd() on readiness and on its own timer, which follows
 * ares_timeout().  Requests are heap objects owned by c-ares until their
 * callback: c-ares 1.18 cannot cancel one query without cancelling the
 * whole channel, so a cancelled request only forgets its caller and is
 * freed when c-ares calls back (an answer, a timeout, or ares_destroy).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "arena.h"
#include "dnsq.h"
#include "engine.h"
#include "loop.h"
#include "options.h"

#define DNSQ_MAX_CHANNELS	64
/*
 * Queries in flight per server; the rest wait in order.  A burst of
 * thousands on one UDP socket overflows receive buffers (ours, the
 * server's) and turns into retries (dnsmasq lost 0.6% at 256 here, and a
 * lost query costs a whole c-ares timeout); dnsperf defaults to 100.
 */
#define DNSQ_MAX_INFLIGHT	128

struct nd_dnsq_req;

struct dnsq_chan {
	char		 key[64];	/* "10.0.0.1:53", "[::1]:5353", "system" */
	ares_channel	 ch;
	struct nd_dnsq	*q;
	struct nd_timer	 tmr;
	size_t		 inflight;
	struct nd_dnsq_req *wait_head, *wait_tail;	/* not yet sent */
};

struct nd_dnsq {
	struct nd_loop	*loop;
	struct dnsq_chan *chans[DNSQ_MAX_CHANNELS];
	size_t		 nchans;
	char		 system_servers[256];
};

struct nd_dnsq_req {
	nd_dnsq_cb	 cb;		/* NULL once cancelled */
	nd_dnsq_ai_cb	 ai_cb;		/* or this, for getaddrinfo */
	void		*arg;
	struct dnsq_chan *chan;
	struct nd_dnsq_req *next;	/* waiting list */
	uint64_t	 sent;		/* monotonic usec */
	int		 qtype;
	char		 name[256];
};

static void dnsq_arm(struct dnsq_chan *);

static void
dnsq_on_timer(struct nd_loop *l, void *arg)
{
	struct dnsq_chan *c = arg;

	(void)l;
	ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dnsq_arm(c);
}

static void
dnsq_arm(struct dnsq_chan *c)
{
	struct timeval tv, *tvp = ares_timeout(c->ch, NULL, &tv);

	if (tvp == NULL) {
		nd_timer_disarm(c->q->loop, &c->tmr);
		return;
	}
	nd_timer_arm(c->q->loop, &c->tmr, nd_loop_now(c->q->loop) +
	    (uint64_t)tvp->tv_sec * 1000000u + (uint64_t)tvp->tv_usec);
}

static void
dnsq_on_fd(struct nd_loop *l, int fd, unsigned ev, void *arg)
{
	struct dnsq_chan *c = arg;

	(void)l;
	ares_process_fd(c->ch,
	    ev & (ND_EV_READ | ND_EV_ERROR) ? fd : ARES_SOCKET_BAD,
	    ev & ND_EV_WRITE ? fd : ARES_SOCKET_BAD);
	dnsq_arm(c);
}

static void
dnsq_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct dnsq_chan *c = data;
	unsigned ev = (readable ? ND_EV_READ : 0) | (writable ? ND_EV_WRITE : 0);

	if (ev == 0 || nd_loop_fd_set(c->q->loop, fd, ev, dnsq_on_fd, c) < 0)
		nd_loop_fd_del(c->q->loop, fd);
}

/* c-ares' library init, once, on the first channel (a run without DNS
   skips it); cleaned up at exit. */
static int
dnsq_library_init(void)
{
	static int done;

	if (done == 0) {
		if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
			return -ENOMEM;
		done = 1;
		(void)atexit(ares_library_cleanup);
	}
	return 0;
}

static void
dnsq_key(const struct sockaddr *sa, char *key, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (sa == NULL) {
		snprintf(key, len, "system");
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(key, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(key, len, "%s:%u", a, ntohs(s4->sin_port));
	}
}

static struct nd_dnsq *
dnsq_get(struct nd_run *run)
{
	if (run->dnsq == NULL) {
		run->dnsq = calloc(1, sizeof(*run->dnsq));
		if (run->dnsq != NULL)
			run->dnsq->loop = run->loop;
	}
	return run->dnsq;
}

static struct dnsq_chan *
dnsq_chan(struct nd_run *run, const struct sockaddr *server)
{
	struct nd_dnsq *q = dnsq_get(run);
	struct ares_options o;
	struct dnsq_chan *c;
	char key[64];
	int64_t t = run->timeout_ms;
	int mask;
	size_t i;

	if (q == NULL)
		return NULL;
	dnsq_key(server, key, sizeof(key));
	for (i = 0; i < q->nchans; i++)
		if (strcmp(q->chans[i]->key, key) == 0)
			return q->chans[i];
	if (q->nchans == DNSQ_MAX_CHANNELS || (c = calloc(1, sizeof(*c))) ==
	    NULL)
		return NULL;
	snprintf(c->key, sizeof(c->key), "%s", key);
	c->q = q;
	nd_timer_init(&c->tmr, dnsq_on_timer, c);
	memset(&o, 0, sizeof(o));
	o.sock_state_cb = dnsq_sock_state;
	o.sock_state_cb_data = c;
	/*
	 * Two tries, the second waiting twice as long (c-ares), end at 3/4 of
	 * the probe's deadline: c-ares reports the silence, not the engine.
	 */
	o.timeout = (int)(t / 4 > 0 ? t / 4 : 1);
	o.tries = 2;
	/*
	 * NOCHECKRESP: REFUSED and SERVFAIL are verdicts, not reasons to try
	 * another server (docs/library-notes.md 3).  EDNS lets a Pi-hole attach an
	 * Extended DNS Error (RFC 8914, "Blocked").
	 */
	o.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH | ARES_FLAG_EDNS;
	o.ednspsz = 1232;
	mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ;
	if (dnsq_library_init() < 0 ||
	    ares_init_options(&c->ch, &o, mask) != ARES_SUCCESS) {
		free(c);
		return NULL;
	}
	if (server != NULL && ares_set_servers_ports_csv(c->ch, key) !=
	    ARES_SUCCESS) {
		ares_destroy(c->ch);
		free(c);
		return NULL;
	}
	q->chans[q->nchans++] = c;
	return c;
}

static void dnsq_send(struct dnsq_chan *, struct nd_dnsq_req *);

static void
dnsq_on_answer(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct nd_dnsq_req *r = arg;
	struct dnsq_chan *c = r->chan;

	c->inflight--;
	if (r->cb != NULL)
		r->cb(r->arg, status, timeouts, abuf, alen > 0 ? (size_t)alen :
		    0, nd_loop_now(c->q->loop) - r->sent);
	free(r);
	/* A slot is free: the oldest waiting query goes (unless cancelled). */
	while (c->wait_head != NULL && c->inflight < DNSQ_MAX_INFLIGHT &&
	    status != ARES_EDESTRUCTION) {
		struct nd_dnsq_req *w = c->wait_head;

		c->wait_head = w->next;
		if (c->wait_head == NULL)
			c->wait_tail = NULL;
		if (w->cb == NULL) {
			free(w);
			continue;
		}
		dnsq_send(c, w);
	}
}

static void
dnsq_send(struct dnsq_chan *c, struct nd_dnsq_req *r)
{
	c->inflight++;
	r->sent = nd_loop_now(c->q->loop);
	/* May call back at once (a bad name): callers must be ready. */
	ares_query(c->ch, r->name, 1 /* C_IN */, r->qtype, dnsq_on_answer, r);
}

int
nd_dnsq_query(struct nd_run *run, const struct sockaddr *server,
    const char *name, int qtype, nd_dnsq_cb cb, void *arg,
    struct nd_dnsq_req **ret)
{
	struct dnsq_chan *c = dnsq_chan(run, server);
	struct nd_dnsq_req *r;

	if (c == NULL)
		return -ENOMEM;
	if (strlen(name) >= sizeof(r->name))
		return -ENAMETOOLONG;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -ENOMEM;
	r->cb = cb;
	r->arg = arg;
	r->chan = c;
	r->qtype = qtype;
	memcpy(r->name, name, strlen(name) + 1);
	*ret = r;
	if (c->inflight >= DNSQ_MAX_INFLIGHT) {
		if (c->wait_tail != NULL)
			c->wait_tail->next = r;
		else
			c->wait_head = r;
		c->wait_tail = r;
		return 0;
	}
	dnsq_send(c, r);
	dnsq_arm(c);
	return 0;
}

void
nd_dnsq_cancel(struct nd_dnsq_req *r)
{
	if (r != NULL) {
		r->cb = NULL;
		r->ai_cb = NULL;
	}
}

static void
dnsq_on_addrinfo(void *arg, int status, int timeouts,
    struct ares_addrinfo *res)
{
	struct nd_dnsq_req *r = arg;

	r->chan->inflight--;
	(void)timeouts;
	if (r->ai_cb != NULL)
		r->ai_cb(r->arg, status, res);
	else if (res != NULL)
		ares_freeaddrinfo(res);
	free(r);
}

int
nd_dnsq_getaddrinfo(struct nd_run *run, const char *name, nd_dnsq_ai_cb cb,
    void *arg, struct nd_dnsq_req **ret)
{
	struct dnsq_chan *c = dnsq_chan(run, NULL);
	struct ares_addrinfo_hints hints;
	struct nd_dnsq_req *r;

	if (c == NULL || (r = calloc(1, sizeof(*r))) == NULL)
		return -ENOMEM;
	r->ai_cb = cb;
	r->arg = arg;
	r->chan = c;
	*ret = r;
	c->inflight++;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	/* NOSORT: RFC 6724 sorting would open a socket per address. */
	hints.ai_flags = ARES_AI_NOSORT;
	ares_getaddrinfo(c->ch, name, NULL, &hints, dnsq_on_addrinfo, r);
	dnsq_arm(c);
	return 0;
}

ares_channel *
nd_dnsq_channel(struct nd_run *run, const struct sockaddr *server)
{
	struct dnsq_chan *c = dnsq_chan(run, server);

	return c != NULL ? &c->ch : NULL;
}

const char *
nd_dnsq_system_servers(struct nd_run *run)
{
	struct dnsq_chan *c = dnsq_chan(run, NULL);
	struct ares_addr_port_node *list = NULL, *n;
	size_t o = 0;
	char *out;

	if (c == NULL)
		return "";
	out = c->q->system_servers;
	if (out[0] != '\0' || ares_get_servers_ports(c->ch, &list) !=
	    ARES_SUCCESS)
		return out;
	for (n = list; n != NULL && o + 48 < sizeof(c->q->system_servers);
	    n = n->next) {
		char a[INET6_ADDRSTRLEN];

		inet_ntop(n->family, &n->addr, a, sizeof(a));
		o += (size_t)snprintf(out + o, sizeof(c->q->system_servers) - o,
		    "%s%s", o ? "," : "", a);
	}
	ares_free_data(list);
	return out;
}

void
nd_dnsq_free(struct nd_dnsq *q)
{
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->nchans; i++) {
		struct nd_dnsq_req *w, *next;

		/* Never sent: nobody else knows them. */
		for (w = q->chans[i]->wait_head; w != NULL; w = next) {
			next = w->next;
			free(w);
		}
		q->chans[i]->wait_head = NULL;
		/* Calls back every pending request (ARES_EDESTRUCTION). */
		ares_destroy(q->chans[i]->ch);
		nd_timer_disarm(q->loop, &q->chans[i]->tmr);
		free(q->chans[i]);
	}
	free(q);
}
