/*
 * dnsq.c - shared c-ares channels on nd_loop.
 *
 * Each channel is watched through ARES_OPT_SOCK_STATE_CB, advanced with
 * ares_process_fd() on readiness and on its own timer, which follows
 * ares_timeout().  Requests are heap objects owned by c-ares until their
 * callback: c-ares 1.18 cannot cancel one query without cancelling the
 * whole channel, so a cancelled request only forgets its caller and is
 * freed when c-ares calls back (an answer, a timeout, or ares_destroy).
 *
 * The channel's sockets go through ares_set_socket_functions(), so that
 * what c-ares drops silently (a reply with the wrong id or to another
 * question, garbage, a truncated answer it retries over TCP) can be told
 * to the probe whose query got no answer (nd_dnsq_seen()).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "arena.h"
#include "dnsmsg.h"
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
/*
 * The question sent under each id, by the whole 16-bit id: c-ares picks a
 * random id that no query in flight holds, so a query in flight keeps its
 * slot until its reply came (a slot by id modulo a smaller size was taken
 * over by another query in flight often enough to count its real reply
 * as a stray).  512 KiB per server from calloc; only the pages the ids
 * fall on are touched.  The questions asked, by hash, tell a reply with
 * a wrong id from one to a question never asked; a question pushed out
 * by a later one makes the first kind look like the second, both odd.
 */
#define DNSQ_ID_SLOTS		65536
#define DNSQ_Q_SLOTS		1024
#define DNSQ_ODD_MAX		32	/* questions with odd replies */

struct dnsq_sent {
	uint32_t	 qhash;		/* 0: empty */
	uint16_t	 id, qtype;
};

/* Odd replies to one question (allocated on the first). */
struct dnsq_odd {
	uint32_t	 qhash;
	uint16_t	 qtype;
	unsigned	 wrong_id, other_question, truncated;
	char		 other[272];
};

struct nd_dnsq_req;

struct dnsq_chan {
	char		 key[64];	/* "10.0.0.1:53", "[::1]:5353", "system" */
	ares_channel	 ch;
	struct nd_dnsq	*q;
	struct nd_timer	 tmr;
	size_t		 inflight;
	struct nd_dnsq_req *wait_head, *wait_tail;	/* not yet sent */
	int		 tcp_fd;	/* c-ares' TCP socket, -1 */
	struct dnsq_sent sent[DNSQ_ID_SLOTS];	/* by id */
	struct dnsq_sent asked[DNSQ_Q_SLOTS];	/* by qhash; id unused */
	struct dnsq_odd	*odd;		/* DNSQ_ODD_MAX, NULL until needed */
	size_t		 nodd;
	struct nd_dnsq_seen seen;	/* the per-server counts */
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

/* FNV-1a over the name, case folded (RFC 4343), and the type. */
static uint32_t
dnsq_qhash(const char *name, unsigned qtype)
{
	uint32_t h = 2166136261u;

	for (; *name != '\0'; name++) {
		unsigned char ch = (unsigned char)*name;

		h = (h ^ (ch >= 'A' && ch <= 'Z' ? ch + 32u : ch)) * 16777619u;
	}
	h = (h ^ qtype) * 16777619u;
	return h != 0 ? h : 1;
}

static struct dnsq_odd *
dnsq_odd(struct dnsq_chan *c, uint32_t qhash, uint16_t qtype)
{
	size_t i;

	for (i = 0; i < c->nodd; i++)
		if (c->odd[i].qhash == qhash && c->odd[i].qtype == qtype)
			return &c->odd[i];
	if (c->odd == NULL &&
	    (c->odd = calloc(DNSQ_ODD_MAX, sizeof(*c->odd))) == NULL)
		return NULL;
	if (c->nodd == DNSQ_ODD_MAX)
		return NULL;
	c->odd[c->nodd].qhash = qhash;
	c->odd[c->nodd].qtype = qtype;
	return &c->odd[c->nodd++];
}

/* One datagram from the server: an answer c-ares will take, or not. */
static void
dnsq_inspect(struct dnsq_chan *c, const uint8_t *b, size_t n, size_t full)
{
	struct nd_dns_head h;
	const struct dnsq_sent *s;
	struct dnsq_odd *o;
	const char *why = NULL;
	uint32_t qh;

	if (nd_dns_head(b, n, &h, &why) < 0 || !h.qr || h.qdcount == 0) {
		c->seen.garbage++;
		if (c->seen.garbage_why == NULL)
			c->seen.garbage_why = why != NULL ? why : !h.qr ?
			    "a query, not a response" : "no question";
		goto odd;
	}
	qh = dnsq_qhash(h.qname, h.qtype);
	s = &c->sent[h.id];
	if (s->qhash != 0) {
		if (s->qhash == qh && s->qtype == h.qtype) {
			if (h.tc && (o = dnsq_odd(c, qh, h.qtype)) != NULL)
				o->truncated++;
			return;
		}
		if ((o = dnsq_odd(c, s->qhash, s->qtype)) != NULL &&
		    o->other_question++ == 0)
			snprintf(o->other, sizeof(o->other), "%s %s", h.qname,
			    h.qtype == 28 ? "AAAA" : h.qtype == 1 ? "A" :
			    "(another type)");
		goto odd;
	}
	s = &c->asked[qh % DNSQ_Q_SLOTS];
	if (s->qhash == qh && s->qtype == h.qtype &&
	    (o = dnsq_odd(c, qh, h.qtype)) != NULL)
		o->wrong_id++;
	else
		c->seen.strays++;
odd:
	if (full > c->seen.largest)
		c->seen.largest = full;
}

static ares_socket_t
dnsq_sock_open(int domain, int type, int protocol, void *data)
{
	struct dnsq_chan *c = data;
	/* With socket functions set, c-ares 1.18 leaves the socket as made. */
	int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);

	if (fd >= 0 && type == SOCK_STREAM) {
		c->tcp_fd = fd;
		c->seen.tcp_connects++;
	}
	return fd;
}

static int
dnsq_sock_close(ares_socket_t fd, void *data)
{
	struct dnsq_chan *c = data;

	if (fd == c->tcp_fd)
		c->tcp_fd = -1;
	return close(fd);
}

static int
dnsq_sock_connect(ares_socket_t fd, const struct sockaddr *sa,
    ares_socklen_t len, void *data)
{
	(void)data;
	return connect(fd, sa, len);
}

static ares_ssize_t
dnsq_sock_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags,
    struct sockaddr *from, ares_socklen_t *fromlen, void *data)
{
	struct dnsq_chan *c = data;
	ssize_t n;

	if (fd == c->tcp_fd) {
		n = recvfrom(fd, buf, len, flags, from, fromlen);
		if (n == 0)
			c->seen.tcp_closed++;
		else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			c->seen.tcp_error = errno;
		return n;
	}
	/* MSG_TRUNC: the datagram's whole size, c-ares gets what fits. */
	n = recvfrom(fd, buf, len, flags | MSG_TRUNC, from, fromlen);
	if (n > 0) {
		dnsq_inspect(c, buf, (size_t)n < len ? (size_t)n : len,
		    (size_t)n);
		if ((size_t)n > len)
			n = (ssize_t)len;
	}
	return n;
}

/* c-ares sends a UDP query as one buffer (ares_process.c socket_write). */
static ares_ssize_t
dnsq_sock_sendv(ares_socket_t fd, const struct iovec *iov, int n, void *data)
{
	struct dnsq_chan *c = data;
	struct nd_dns_head h;
	ssize_t rc = writev(fd, iov, n);

	if (rc > 0 && fd != c->tcp_fd && n == 1 &&
	    nd_dns_head(iov[0].iov_base, iov[0].iov_len, &h, NULL) == 0) {
		struct dnsq_sent *s = &c->sent[h.id];

		s->qhash = dnsq_qhash(h.qname, h.qtype);
		s->id = h.id;
		s->qtype = h.qtype;
		c->asked[s->qhash % DNSQ_Q_SLOTS] = *s;
	}
	return rc;
}

static const struct ares_socket_functions dnsq_sock_funcs = {
	dnsq_sock_open, dnsq_sock_close, dnsq_sock_connect,
	dnsq_sock_recvfrom, dnsq_sock_sendv,
};

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
	c->tcp_fd = -1;
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
	ares_set_socket_functions(c->ch, &dnsq_sock_funcs, c);
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

void
nd_dnsq_seen(struct nd_run *run, const struct sockaddr *server,
    const char *name, int qtype, struct nd_dnsq_seen *out)
{
	struct dnsq_chan *c = dnsq_chan(run, server);
	uint32_t qh = dnsq_qhash(name, (unsigned)qtype);
	size_t i;

	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return;
	*out = c->seen;
	for (i = 0; i < c->nodd; i++) {
		const struct dnsq_odd *o = &c->odd[i];

		if (o->qhash != qh || o->qtype != qtype)
			continue;
		out->wrong_id = o->wrong_id;
		out->other_question = o->other_question;
		out->truncated = o->truncated;
		memcpy(out->other, o->other, sizeof(out->other));
	}
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
		free(q->chans[i]->odd);
		free(q->chans[i]);
	}
	free(q);
}
