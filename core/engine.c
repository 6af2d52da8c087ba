/*
 * engine.c - plan the probe DAG, gate on prerequisites, run on the loop.
 *
 * Nothing here starts a probe from inside another probe's callback:
 * nd_probe_done() only records the verdict and queues dependents, and
 * engine_pump() starts queued probes between loop iterations.  That keeps
 * re-entrancy out of the probes (redis ae's lesson, the other way round).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "arena.h"
#include "engine.h"
#include "inventory.h"
#include "probe.h"
#include "target.h"
#include "util.h"

#define ENGINE_INFLIGHT_MAX	8192
#define ENGINE_FD_RESERVE	64

/* The fact setters an instance called (nd_engine.wrote). */
#define FACTS_ROUTE	0x1u
#define FACTS_RTT	0x2u
#define FACTS_TLS	0x4u

/*
 * What the engine keeps of one instance while the run goes, apart from
 * struct nd_probe: nothing reads it once every probe ended, and a run of
 * 10,000 targets kept some 800 KB of it until the report was written.
 * By plan order in chunks that never move (the deadline is on the loop's
 * timer heap), in the scratch arena, freed by engine_run_ended().
 */
#define STATE_CHUNK	512

struct probe_state {
	struct nd_timer		 deadline;
	struct nd_probe		**deps;		/* probes that need this one */
	struct nd_probe		*next_ready;
	struct engine_fanout	*fan;		/* fans_out only */
	uint32_t		 ndeps, deps_cap;
	uint32_t		 served_cap;
	uint32_t		 nwaiting;	/* needs not finished */
	enum nd_status		 prepared;	/* ND_PENDING, or the verdict
						   prepare() reached */
	bool			 queued;
	bool			 held;		/* prepare() or start() ran,
						   cancel() has not */
};

/* What only a fans_out instance keeps. */
struct engine_fanout {
	const struct nd_probe_ops **rest;	/* the chain after it */
	size_t			 nrest;
	struct sockaddr_storage	*pub;		/* published addresses */
	size_t			 pub_cap;
};

/* The instances of one ops with an inflight_max: running and waiting. */
struct engine_kind {
	const struct nd_probe_ops *ops;
	size_t			 running;
	struct nd_probe		*wait_head, *wait_tail;	/* via next_ready */
};

struct share_slot {
	const char		*key;
	struct nd_probe		*probe;
};

struct nd_engine {
	struct nd_run		*run;
	struct nd_probe		**probes;
	/*
	 * What only the run uses, freed when it ended: by probe index, the
	 * state and the fact setters called; the arena holds the dependents,
	 * the fan-out state, the share keys and the plan's ops arrays.
	 */
	struct probe_state	**state;	/* nchunks of STATE_CHUNK */
	size_t			 nchunks;
	uint8_t			*wrote;		/* FACTS_* */
	struct nd_arena		*scratch;
	size_t			 nprobes, probes_cap;
	size_t			 nfinal;
	size_t			 running;
	size_t			 max_inflight;
	struct nd_probe		*ready_head, *ready_tail;
	struct engine_kind	*kinds;		/* ops with an inflight_max */
	size_t			 nkinds;
	struct share_slot	*share;		/* open addressing */
	size_t			 share_cap, nshare;
	/*
	 * The plan's last address and its strings: the targets of one
	 * server (10,000 dns:// names) share them rather than each parsing
	 * and formatting the same address again.
	 */
	const char		*last_ip;	/* the literal parsed */
	struct sockaddr_storage	 last_ss;	/* ... to this */
	socklen_t		 last_sslen;
	struct sockaddr_storage	 last_ep;	/* with the port */
	socklen_t		 last_eplen;
	const char		*last_addrstr, *last_label;
	struct nd_timer		 budget;
	/*
	 * nd_engine_start(): the pump runs from this timer, armed for "now"
	 * whenever a probe becomes ready or ends, so starting queued probes
	 * and the end of the run happen between callbacks, never inside one.
	 */
	struct nd_timer		 pump;
	bool			 started, ended;
	nd_engine_done_fn	 done;
	void			*done_arg;
	bool			 budget_hit;
	bool			 progress_shown;
	uint64_t		 t0, t1, t_progress;
};

static void	engine_finish(struct nd_probe *, enum nd_status);
static void	engine_progress(struct nd_engine *, bool);

/*
 * p's run state; NULL once the run ended (or for a probe of another
 * engine: a `wait` round's run is shared by two).
 */
static struct probe_state *
engine_state(const struct nd_engine *e, const struct nd_probe *p)
{
	if (e == NULL || e->state == NULL || p->index >= e->nprobes ||
	    e->probes[p->index] != p)
		return NULL;
	return &e->state[p->index / STATE_CHUNK][p->index % STATE_CHUNK];
}

/*
 * Every probe ended and was released, its deadline disarmed: what only
 * the run used goes before diagnosis and the report grow the arena.
 */
static void
engine_run_ended(struct nd_engine *e)
{
	free(e->state);
	free(e->wrote);
	free(e->share);
	free(e->kinds);
	nd_arena_free(e->scratch);
	e->state = NULL;
	e->wrote = NULL;
	e->share = NULL;
	e->kinds = NULL;
	e->scratch = NULL;
	e->nchunks = e->share_cap = e->nshare = e->nkinds = 0;
}

/*
 * cancel(), once, for a probe that holds something: it started, or it was
 * prepared (a capture handle) and may never start, because a need failed,
 * the run was cancelled or its engine is freed first (a serve scrape).
 */
static void
engine_release(struct nd_engine *e, struct nd_probe *p)
{
	struct probe_state *ps = engine_state(e, p);

	if (ps == NULL || !ps->held)
		return;
	ps->held = false;
	if (p->ops->cancel != NULL)
		p->ops->cancel(p);
}

/* Something changed: let the pump look once the current callback ends. */
static void
engine_poke(struct nd_engine *e)
{
	if (e->started && !e->ended && !nd_timer_armed(&e->pump))
		nd_timer_arm(e->run->loop, &e->pump, nd_loop_now(e->run->loop));
}

/*
 * Probes a target's scheme asks for but this build does not have: they
 * wait for their needs like any probe, then end UNKNOWN with
 * probe.unsupported instead of being dropped silently.
 */
static int
unsupported_start(struct nd_probe *p)
{
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_PROBE_UNSUPPORTED,
	    "the %s probe is not built into this netdoctor yet: %s was checked "
	    "only up to the layer below", p->ops->name, p->target->url);
	nd_evidence_add(f, "probe", "%s", p->ops->name);
	nd_probe_done(p, ND_ERROR);
	return 0;
}

static struct share_slot *
engine_share_slot(struct nd_engine *e, const char *key)
{
	size_t i;

	if (e->share_cap == 0)
		return NULL;
	i = nd_hash(key, strlen(key)) & (e->share_cap - 1);
	while (e->share[i].key != NULL && strcmp(e->share[i].key, key) != 0)
		i = (i + 1) & (e->share_cap - 1);
	return &e->share[i];
}

static void
engine_share_put(struct nd_engine *e, const char *key, struct nd_probe *p)
{
	struct share_slot *s;

	if ((e->nshare + 1) * 2 > e->share_cap) {
		struct share_slot *old = e->share;
		size_t i, oldcap = e->share_cap;

		e->share_cap = oldcap ? oldcap * 2 : 64;
		e->share = calloc(e->share_cap, sizeof(*e->share));
		if (e->share == NULL)
			abort();	/* LCOV_EXCL_LINE: OutOfMemory */
		for (i = 0; i < oldcap; i++)
			if (old[i].key != NULL)
				*engine_share_slot(e, old[i].key) = old[i];
		free(old);
	}
	s = engine_share_slot(e, key);
	s->key = key;
	s->probe = p;
	e->nshare++;
}

static size_t
engine_derive_inflight(void)
{
	struct rlimit rl;
	size_t n;

	/*
	 * A probe holds at most two fds at a time (a socket, a netlink or
	 * c-ares socket); keep some for stdio, the report and libraries.
	 */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return 256;
	if (rl.rlim_cur <= ENGINE_FD_RESERVE + 2)
		return 1;
	n = (size_t)(rl.rlim_cur - ENGINE_FD_RESERVE) / 2;
	return n > ENGINE_INFLIGHT_MAX ? ENGINE_INFLIGHT_MAX : n;
}

struct nd_engine *
nd_engine_new(struct nd_run *run)
{
	struct nd_engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	if ((e->scratch = nd_arena_new()) == NULL) {
		free(e);
		return NULL;
	}
	e->run = run;
	run->engine = e;
	e->max_inflight = run->max_inflight ? run->max_inflight :
	    engine_derive_inflight();
	return e;
}

void
nd_engine_free(struct nd_engine *e)
{
	size_t i;

	if (e == NULL)
		return;
	/* Release whatever a probe still holds (an aborted run). */
	for (i = 0; e->state != NULL && i < e->nprobes; i++) {
		struct nd_probe *p = e->probes[i];

		/*
		 * Final before cancel(), as in nd_probe_done(): a callback
		 * fired during teardown must see a finished probe, or it ends
		 * the probe and cancels it again.
		 */
		if (p->status == ND_RUNNING)
			p->status = ND_ERROR;
		engine_release(e, p);
		nd_timer_disarm(e->run->loop, &engine_state(e, p)->deadline);
	}
	nd_timer_disarm(e->run->loop, &e->budget);
	nd_timer_disarm(e->run->loop, &e->pump);
	engine_run_ended(e);
	free(e->probes);
	free(e);
}

static bool
engine_name_in(const char *name, const char *const *list)
{
	if (list == NULL)
		return false;
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

static const struct nd_probe_ops *
engine_ops(struct nd_engine *e, const char *name)
{
	const struct nd_probe_ops *ops = e->run->find_ops != NULL ?
	    e->run->find_ops(name) : nd_registry_find(name);
	struct nd_probe_ops *u;

	if (ops != NULL)
		return ops;
	u = nd_arena_alloc(e->run->arena, sizeof(*u));
	u->name = nd_arena_strdup(e->run->arena, name);
	u->layer = ND_L_APP;
	u->start = unsupported_start;
	return u;
}

static void
engine_link(struct nd_engine *e, struct nd_probe *p, struct nd_probe *need)
{
	struct probe_state *ns = engine_state(e, need);

	p->needs = nd_arena_grow(e->run->arena, p->needs, p->nneeds,
	    p->nneeds + 1, sizeof(*p->needs));
	p->needs[p->nneeds++] = need;
	if (ns->ndeps == ns->deps_cap) {
		ns->deps_cap = ns->deps_cap ? ns->deps_cap * 2 : 2;
		ns->deps = nd_arena_grow(e->scratch, ns->deps, ns->ndeps,
		    ns->deps_cap, sizeof(*ns->deps));
	}
	ns->deps[ns->ndeps++] = p;
	if (need->status == ND_PENDING || need->status == ND_RUNNING)
		engine_state(e, p)->nwaiting++;
}

static void
engine_serve(struct nd_engine *e, struct nd_probe *p, struct nd_endpoint *ep)
{
	struct probe_state *ps = engine_state(e, p);

	if (p->nserved == 0) {
		/* The first endpoint is p->ep: no array for the usual case. */
		p->served = &p->ep;
		ps->served_cap = 1;
	} else if (p->nserved == ps->served_cap) {
		ps->served_cap *= 2;
		p->served = nd_arena_grow(e->run->arena, p->served, p->nserved,
		    ps->served_cap, sizeof(*p->served));
	}
	p->served[p->nserved++] = ep;
}

/*
 * An endpoint that joins a shared instance after it handed facts up gets
 * them too (probe.h: "written into every endpoint the probe serves").
 */
static void
engine_join_facts(const struct nd_engine *e, const struct nd_probe *p,
    struct nd_endpoint *ep)
{
	const struct nd_endpoint *from = p->served[0];
	unsigned w = e->wrote[p->index];

	if (w & FACTS_ROUTE)
		ep->facts.route = from->facts.route;
	if (w & FACTS_RTT)
		ep->facts.rtt_us = from->facts.rtt_us;
	if (w & FACTS_TLS)
		ep->facts.tls = from->facts.tls;
}

static void
engine_wrote(struct nd_probe *p, unsigned what)
{
	struct nd_engine *e = p->run->engine;

	if (engine_state(e, p) != NULL)
		e->wrote[p->index] |= what;
}

static struct engine_kind *
engine_kind(struct nd_engine *e, const struct nd_probe_ops *ops)
{
	struct engine_kind *k;
	size_t i;

	/* A handful of ops at most: a list is enough. */
	for (i = 0; i < e->nkinds; i++)
		if (e->kinds[i].ops == ops)
			return &e->kinds[i];
	k = reallocarray(e->kinds, e->nkinds + 1, sizeof(*k));
	if (k == NULL)
		abort();	/* LCOV_EXCL_LINE: OutOfMemory */
	e->kinds = k;
	k = &e->kinds[e->nkinds++];
	memset(k, 0, sizeof(*k));
	k->ops = ops;
	return k;
}

/* An instance of ops ended: the first one waiting gets its slot. */
static void
engine_kind_release(struct nd_engine *e, const struct nd_probe_ops *ops)
{
	struct engine_kind *k = engine_kind(e, ops);
	struct nd_probe *p = k->wait_head;

	if (k->running > 0)
		k->running--;
	if (p == NULL)
		return;
	k->wait_head = engine_state(e, p)->next_ready;
	if (k->wait_head == NULL)
		k->wait_tail = NULL;
	/* Ahead of the ready queue: it has waited since it was ready. */
	engine_state(e, p)->next_ready = e->ready_head;
	e->ready_head = p;
	if (e->ready_tail == NULL)
		e->ready_tail = p;
	engine_poke(e);
}

static void
engine_enqueue(struct nd_engine *e, struct nd_probe *p)
{
	struct probe_state *ps = engine_state(e, p);

	if (ps->queued)
		return;
	ps->queued = true;
	ps->next_ready = NULL;
	if (e->ready_tail != NULL)
		engine_state(e, e->ready_tail)->next_ready = p;
	else
		e->ready_head = p;
	e->ready_tail = p;
	engine_poke(e);
}

/*
 * "URL#NAME" or "URL#NAME@ADDR": copied, not printf'd (one per probe,
 * 10,000 of them in a large plan).
 */
static char *
engine_id(struct nd_arena *a, const char *url, const char *name,
    const char *addr)
{
	size_t ul = strlen(url), nl = strlen(name);
	size_t al = addr != NULL ? strlen(addr) : 0;
	char *id = nd_arena_alloc_raw(a, ul + nl + al + 3), *o = id;

	memcpy(o, url, ul);
	o += ul;
	*o++ = '#';
	memcpy(o, name, nl);
	o += nl;
	if (addr != NULL) {
		*o++ = '@';
		memcpy(o, addr, al);
		o += al;
	}
	*o = '\0';
	return id;
}

static struct nd_probe *
engine_new_probe(struct nd_engine *e, const struct nd_probe_ops *ops,
    struct nd_endpoint *ep)
{
	struct nd_arena *a = e->run->arena;
	struct nd_probe *p = nd_arena_alloc(a, sizeof(*p));
	const struct nd_target *t = ep->target;

	struct probe_state *ps;

	p->ops = ops;
	p->run = e->run;
	p->target = t;
	p->ep = ep;
	p->status = ND_PENDING;
	if (ops->ctx_size > 0)
		p->ctx = nd_arena_alloc(a, ops->ctx_size);
	/* Probes of a target given by name say which address they tested. */
	p->id = engine_id(a, t->url, ops->name, t->host != NULL &&
	    !t->host_is_ip && ep->addrlen > 0 ? ep->addrstr : NULL);
	if (e->nprobes == e->probes_cap) {
		size_t ncap = e->probes_cap ? e->probes_cap * 2 : 64;
		struct nd_probe **np = realloc(e->probes, ncap * sizeof(*np));
		uint8_t *nw = realloc(e->wrote, ncap);

		if (np == NULL || nw == NULL)
			abort();	/* LCOV_EXCL_LINE: OutOfMemory */
		memset(nw + e->probes_cap, 0, ncap - e->probes_cap);
		e->probes = np;
		e->wrote = nw;
		e->probes_cap = ncap;
	}
	if (e->nprobes == e->nchunks * STATE_CHUNK) {
		struct probe_state **nc = reallocarray(e->state,
		    e->nchunks + 1, sizeof(*nc));

		if (nc == NULL)
			abort();	/* LCOV_EXCL_LINE: OutOfMemory */
		e->state = nc;
		nc[e->nchunks++] = nd_arena_alloc(e->scratch, STATE_CHUNK *
		    sizeof(**nc));
	}
	p->index = (uint32_t)e->nprobes;
	e->probes[e->nprobes++] = p;
	ps = engine_state(e, p);
	nd_timer_init(&ps->deadline, NULL, NULL);
	if (ops->fans_out)
		ps->fan = nd_arena_alloc(e->scratch, sizeof(*ps->fan));
	engine_serve(e, p, ep);
	return p;
}

/*
 * Instantiates ops[0..n) for one endpoint.  first_need is the probe the
 * chain continues from (a finished fan-out probe) or NULL.
 */
static void
engine_chain(struct nd_engine *e, const struct nd_probe_ops **ops, size_t n,
    struct nd_endpoint *ep, struct nd_probe *first_need)
{
	struct nd_probe *made[16];
	size_t i, j, nmade = 0;

	if (first_need != NULL)
		made[nmade++] = first_need;
	for (i = 0; i < n && nmade < ND_ARRAY_SIZE(made); i++) {
		struct nd_probe *p = NULL;
		char key[256];

		if (ops[i]->share_key != NULL) {
			struct nd_probe tmp = { .ops = ops[i], .run = e->run,
			    .target = ep->target, .ep = ep };
			struct share_slot *s;

			if (ops[i]->share_key(&tmp, key, sizeof(key)) == 0) {
				/*
				 * "NAME|KEY", on the stack: only a new
				 * slot's key is kept (10,000 targets behind
				 * one route lookup made 10,000 copies).
				 */
				char full[sizeof(key) + 64];
				size_t nl = strlen(ops[i]->name);
				size_t kl = strlen(key);

				if (nl + 1 + kl < sizeof(full)) {
					memcpy(full, ops[i]->name, nl);
					full[nl] = '|';
					memcpy(full + nl + 1, key, kl + 1);
				} else {
					full[0] = '\0';	/* not shared */
				}
				s = full[0] != '\0' ? engine_share_slot(e, full) :
				    NULL;
				if (s != NULL && s->key != NULL) {
					p = s->probe;
					engine_serve(e, p, ep);
					engine_join_facts(e, p, ep);
				} else {
					p = engine_new_probe(e, ops[i], ep);
					if (full[0] != '\0')
						engine_share_put(e,
						    nd_arena_strdup(e->scratch,
						    full), p);
				}
			}
		}
		if (p == NULL)
			p = engine_new_probe(e, ops[i], ep);
		/*
		 * A shared instance keeps the needs of its first endpoint;
		 * later endpoints only reach it after their own fan-out
		 * passed, which is the same gate.
		 */
		if (p->nserved == 1 && p->nneeds == 0 && ops[i]->needs != NULL) {
			for (j = 0; j < nmade; j++)
				if (engine_name_in(made[j]->ops->name,
				    ops[i]->needs))
					engine_link(e, p, made[j]);
		} else if (p->nserved == 1 && ops[i]->needs == NULL &&
		    nmade > 0) {
			/* No declared needs: the probe below it in the chain. */
			engine_link(e, p, made[nmade - 1]);
		}
		made[nmade++] = p;
	}
	/* Gate whatever is ready now or already blocked. */
	for (j = first_need != NULL ? 1 : 0; j < nmade; j++) {
		struct nd_probe *p = made[j];
		size_t k;

		if (p->status != ND_PENDING)
			continue;
		for (k = 0; k < p->nneeds; k++) {
			const struct nd_probe *nd = p->needs[k];

			if (nd->status == ND_FAIL || nd->status == ND_ERROR ||
			    nd->status == ND_SKIP) {
				p->blocked_by = nd->status == ND_SKIP ?
				    nd->blocked_by : nd;
				engine_finish(p, ND_SKIP);
				break;
			}
		}
		if (p->status == ND_PENDING &&
		    engine_state(e, p)->nwaiting == 0)
			engine_enqueue(e, p);
	}
}

/*
 * sa's address ("::1") and label, the address and the port ("[::1]:6443"),
 * in one allocation.
 */
static void
engine_addr_strings(struct nd_arena *a, const struct sockaddr *sa,
    const char **addrstr, const char **label)
{
	char addr[INET6_ADDRSTRLEN], port[8], *s, *o;
	size_t n, pn;
	bool v4 = sa->sa_family == AF_INET;
	unsigned pv;

	if (v4) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		n = nd_ipv4_ntop(&in->sin_addr, addr);
		pv = ntohs(in->sin_port);
	} else {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof(addr));
		n = strlen(addr);
		pv = ntohs(in6->sin6_port);
	}
	o = nd_utoa(port + sizeof(port), pv);
	pn = (size_t)(port + sizeof(port) - o);
	/* "ADDR\0" then "ADDR:PORT\0" or "[ADDR]:PORT\0". */
	s = nd_arena_alloc_raw(a, 2 * n + pn + 5);
	memcpy(s, addr, n);
	s[n] = '\0';
	*addrstr = s;
	*label = o = s + n + 1;
	if (!v4)
		*o++ = '[';
	memcpy(o, addr, n);
	o += n;
	if (!v4)
		*o++ = ']';
	*o++ = ':';
	memcpy(o, port + sizeof(port) - pn, pn);
	o[pn] = '\0';
}

static struct nd_endpoint *
engine_endpoint(struct nd_engine *e, const struct nd_target *t,
    const struct sockaddr *sa, socklen_t salen)
{
	struct nd_arena *a = e->run->arena;
	struct nd_endpoint *ep = nd_arena_alloc(a, sizeof(*ep));

	ep->target = t;
	ep->addrstr = "";
	if (sa != NULL && salen <= sizeof(ep->addr)) {
		memcpy(&ep->addr, sa, salen);
		ep->addrlen = salen;
		if (sa->sa_family == AF_INET)
			ep->addr.sin.sin_port = htons(t->port);
		else
			ep->addr.sin6.sin6_port = htons(t->port);
		/* Arena strings are immutable: one copy per address. */
		if (salen != e->last_eplen ||
		    memcmp(&ep->addr, &e->last_ep, salen) != 0) {
			engine_addr_strings(a, &ep->addr.sa, &e->last_addrstr,
			    &e->last_label);
			memcpy(&e->last_ep, &ep->addr, salen);
			e->last_eplen = salen;
		}
		ep->addrstr = e->last_addrstr;
		ep->label = e->last_label;
	} else if (nd_target_unix(t) != NULL) {
		ep->label = nd_arena_printf(a, "unix:%s", nd_target_unix(t));
	} else if (t->host != NULL) {
		ep->addrstr = t->host;
		ep->label = nd_arena_printf(a, "%s:%u", t->host, t->port);
	} else if (t->x->iface != NULL) {
		ep->label = t->x->iface;
	} else {
		ep->label = nd_arena_printf(a, ":%u", t->port);
	}
	return ep;
}

static int
engine_literal_addr(struct nd_engine *e, const char *ip,
    struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	if (e->last_ip != NULL && strcmp(ip, e->last_ip) == 0) {
		*ss = e->last_ss;
		*len = e->last_sslen;
		return 0;
	}
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		*len = sizeof(*in);
	} else if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		*len = sizeof(*in6);
	} else {
		return -EINVAL;
	}
	e->last_ip = ip;
	e->last_ss = *ss;
	e->last_sslen = *len;
	return 0;
}

int
nd_engine_plan(struct nd_engine *e, const struct nd_inventory *inv,
    char *err, size_t errlen)
{
	const char *const *last = NULL;
	const struct nd_probe_ops **ops = NULL;
	size_t i, n = 0;

	/* A probe or two per target: a large run's state starts large. */
	nd_arena_expect(e->scratch, inv->ntargets * sizeof(struct probe_state));
	for (i = 0; i < inv->ntargets; i++) {
		const struct nd_target *t = inv->targets[i];
		const char *const *chain = nd_target_chain(t);
		const char *ip;
		struct nd_endpoint *ep;
		size_t k;

		/*
		 * Chains are the schemes' static tables: targets of one
		 * scheme in a row share one ops array (read only).
		 */
		if (chain != last) {
			for (k = 0; chain[k] != NULL; k++)
				;
			ops = nd_arena_alloc(e->scratch, (k + 1) *
			    sizeof(*ops));
			for (k = 0, n = 0; chain[k] != NULL; k++)
				if (nd_probe_selected(e->run->only,
				    e->run->skip, chain[k]))
					ops[n++] = engine_ops(e, chain[k]);
			last = chain;
		}
		if (n == 0)
			continue;
		if (ops[0]->fans_out) {
			struct nd_probe *p;
			struct engine_fanout *fan;

			ep = engine_endpoint(e, t, NULL, 0);
			p = engine_new_probe(e, ops[0], ep);
			fan = engine_state(e, p)->fan;
			fan->rest = ops + 1;
			fan->nrest = n - 1;
			engine_enqueue(e, p);
			continue;
		}
		/* An IP literal, or a name with nd-connect's address. */
		if ((ip = nd_target_ip(t)) != NULL) {
			struct sockaddr_storage ss;
			socklen_t len;

			if (engine_literal_addr(e, ip, &ss, &len) < 0) {
				snprintf(err, errlen, "%s: bad address %s",
				    t->url, ip);
				return -EINVAL;
			}
			ep = engine_endpoint(e, t, (struct sockaddr *)&ss, len);
		} else {
			ep = engine_endpoint(e, t, NULL, 0);
		}
		engine_chain(e, ops, n, ep, NULL);
	}
	return 0;
}

uint64_t
nd_probe_deadline(const struct nd_probe *p)
{
	const struct probe_state *ps = engine_state(p->run->engine, p);

	return ps != NULL ? ps->deadline.when : 0;
}

void
nd_facts_set_route(struct nd_probe *p, const char *oif, const char *gateway,
    const char *src)
{
	size_t i;

	struct nd_route_facts *rf = nd_arena_alloc(p->run->arena, sizeof(*rf));

	nd_strlcpy(rf->oif, oif, sizeof(rf->oif));
	nd_strlcpy(rf->gateway, gateway, sizeof(rf->gateway));
	nd_strlcpy(rf->src, src, sizeof(rf->src));
	engine_wrote(p, FACTS_ROUTE);
	for (i = 0; i < p->nserved; i++)
		p->served[i]->facts.route = rf;
}

void
nd_facts_set_rtt(struct nd_probe *p, uint64_t rtt_us)
{
	size_t i;

	engine_wrote(p, FACTS_RTT);
	for (i = 0; i < p->nserved; i++)
		p->served[i]->facts.rtt_us = rtt_us;
}

void
nd_facts_set_tls(struct nd_probe *p, struct nd_tls_facts *tf)
{
	size_t i;

	engine_wrote(p, FACTS_TLS);
	for (i = 0; i < p->nserved; i++)
		p->served[i]->facts.tls = tf;
}

void
nd_probe_publish_addr(struct nd_probe *p, const struct sockaddr *sa,
    socklen_t len)
{
	struct nd_engine *e = p->run->engine;
	struct probe_state *ps = engine_state(e, p);
	struct engine_fanout *fan = ps != NULL ? ps->fan : NULL;
	size_t i;

	if (len > sizeof(struct sockaddr_storage) || fan == NULL)
		return;
	for (i = 0; i < p->npub; i++)
		if (memcmp(&fan->pub[i], sa, len) == 0)
			return;		/* the resolver may repeat itself */
	if (p->npub == fan->pub_cap) {
		fan->pub_cap = fan->pub_cap ? fan->pub_cap * 2 : 4;
		fan->pub = nd_arena_grow(e->scratch, fan->pub, p->npub,
		    fan->pub_cap, sizeof(*fan->pub));
	}
	memset(&fan->pub[p->npub], 0, sizeof(fan->pub[p->npub]));
	memcpy(&fan->pub[p->npub], sa, len);
	p->npub++;
}

void
nd_probe_measure(struct nd_probe *p, double seconds)
{
	p->measured_s = seconds;
}

struct nd_finding *
nd_probe_local_error(struct nd_probe *p, int err, const char *what)
{
	struct nd_finding *f;

	f = nd_finding_add(p, ND_F_PROBE_LOCAL_ERROR,
	    "netdoctor could not %s for %s: %s", what, p->ep->label,
	    strerror(err));
	nd_evidence_add(f, "errno", "%d", err);
	nd_evidence_add(f, "error", "%s", strerror(err));
	return f;
}

static void
engine_skip_deps(struct nd_engine *e, struct nd_probe *p)
{
	const struct nd_probe *root = p->status == ND_SKIP ? p->blocked_by : p;
	const struct probe_state *ps = engine_state(e, p);
	size_t i;

	for (i = 0; i < ps->ndeps; i++) {
		struct nd_probe *d = ps->deps[i];

		if (d->status != ND_PENDING)
			continue;
		d->blocked_by = root;
		engine_finish(d, ND_SKIP);
	}
}

/* Records a final status and wakes or blocks the dependents. */
static void
engine_finish(struct nd_probe *p, enum nd_status st)
{
	struct nd_engine *e = p->run->engine;
	struct probe_state *ps = engine_state(e, p);
	size_t i;

	p->status = st;
	e->nfinal++;
	engine_release(e, p);
	engine_poke(e);
	if (st != ND_PASS && st != ND_WARN) {
		engine_skip_deps(e, p);
		return;
	}
	for (i = 0; i < ps->ndeps; i++) {
		struct nd_probe *d = ps->deps[i];
		struct probe_state *ds = engine_state(e, d);

		if (ds->nwaiting > 0)
			ds->nwaiting--;
		if (d->status == ND_PENDING && ds->nwaiting == 0)
			engine_enqueue(e, d);
	}
	if (p->ops->fans_out) {
		for (i = 0; i < p->npub; i++) {
			const struct sockaddr *sa =
			    (const struct sockaddr *)&ps->fan->pub[i];
			socklen_t len = sa->sa_family == AF_INET6 ?
			    sizeof(struct sockaddr_in6) :
			    sizeof(struct sockaddr_in);
			struct nd_endpoint *ep;

			ep = engine_endpoint(e, p->target, sa, len);
			engine_chain(e, ps->fan->rest, ps->fan->nrest, ep, p);
		}
	}
}

void
nd_probe_done(struct nd_probe *p, enum nd_status st)
{
	struct nd_engine *e = p->run->engine;

	if (p->status != ND_RUNNING)
		return;		/* a second verdict is a probe bug: keep the first */
	p->t_end = nd_loop_now(p->run->loop);
	nd_timer_disarm(p->run->loop, &engine_state(e, p)->deadline);
	e->running--;
	if (p->ops->inflight_max > 0)
		engine_kind_release(e, p->ops);
	/*
	 * The status is final before cancel() runs, so a library callback
	 * fired while the probe tears down (c-ares calls its callbacks from
	 * ares_destroy) sees a finished probe and does nothing.
	 */
	p->status = st;
	engine_release(e, p);
	engine_finish(p, st);
}

static void
engine_deadline(struct nd_loop *l, void *arg)
{
	struct nd_probe *p = arg;

	(void)l;
	if (p->status != ND_RUNNING)
		return;
	if (p->ops->expire != NULL)
		p->ops->expire(p);
	if (p->status == ND_RUNNING) {
		nd_finding_add(p, ND_F_PROBE_LOCAL_ERROR,
		    "the %s probe reached its deadline without a verdict",
		    p->ops->name);
		nd_probe_done(p, ND_ERROR);
	}
}

size_t
nd_engine_prepare(struct nd_engine *e)
{
	size_t i, n = 0;

	for (i = 0; i < e->nprobes; i++) {
		struct nd_probe *p = e->probes[i];
		struct probe_state *ps = engine_state(e, p);
		int st;

		ps->prepared = ND_PENDING;
		if (p->ops->prepare == NULL || p->status != ND_PENDING)
			continue;
		n++;
		ps->held = true;
		if ((st = p->ops->prepare(p)) != 0)
			ps->prepared = (enum nd_status)st;
	}
	return n;
}

static void
engine_start(struct nd_engine *e, struct nd_probe *p)
{
	struct nd_loop *l = e->run->loop;
	struct probe_state *ps = engine_state(e, p);
	int64_t ms = p->ops->deadline_ms != NULL ? p->ops->deadline_ms(p) :
	    e->run->timeout_ms;
	int rc;

	ps->queued = false;
	if (p->status != ND_PENDING)
		return;
	p->status = ND_RUNNING;
	ps->held = true;
	e->running++;
	p->t_start = nd_loop_now(l);
	nd_timer_init(&ps->deadline, engine_deadline, p);
	nd_timer_arm(l, &ps->deadline, p->t_start + (uint64_t)ms * 1000u);
	if (ps->prepared != ND_PENDING) {
		/* prepare() already recorded why it cannot run. */
		nd_probe_done(p, ps->prepared);
		return;
	}
	rc = p->ops->start(p);
	if (rc < 0 && p->status == ND_RUNNING) {
		nd_probe_local_error(p, -rc, "start the probe");
		nd_probe_done(p, ND_ERROR);
	}
}

/*
 * Whether p may start now under its ops' inflight_max; if not it waits
 * (still queued) until an instance of the same ops ends.
 */
static bool
engine_kind_admit(struct nd_engine *e, struct nd_probe *p)
{
	struct engine_kind *k = engine_kind(e, p->ops);

	if (k->running < p->ops->inflight_max) {
		k->running++;
		return true;
	}
	engine_state(e, p)->next_ready = NULL;
	if (k->wait_tail != NULL)
		engine_state(e, k->wait_tail)->next_ready = p;
	else
		k->wait_head = p;
	k->wait_tail = p;
	return false;
}

static void
engine_pump(struct nd_engine *e)
{
	while (e->ready_head != NULL && e->running < e->max_inflight) {
		struct nd_probe *p = e->ready_head;

		e->ready_head = engine_state(e, p)->next_ready;
		if (e->ready_head == NULL)
			e->ready_tail = NULL;
		if (p->ops->inflight_max > 0 && p->status == ND_PENDING &&
		    !engine_kind_admit(e, p))
			continue;
		engine_start(e, p);
	}
}

/*
 * Ends what is still open with one finding: the run's budget ended
 * (`check`), or the run was interrupted.  Fanned-out chains are planned
 * when their resolve probe ends, so the loop goes on until nothing is
 * open.
 */
static void
engine_end_open(struct nd_engine *e, enum nd_code code)
{
	size_t k, i;

	/*
	 * An interrupted run ends each open probe with its own finding, so it
	 * goes from the top of the plan down: a dependent ends before the need
	 * that would otherwise turn it into a SKIP.  The budget keeps the
	 * gating (what waited on an unfinished need is blocked by it).
	 */
	for (k = 0; k < e->nprobes; k++) {
		struct nd_probe *p;

		i = code == ND_F_PROBE_CANCELLED ? e->nprobes - 1 - k : k;
		p = e->probes[i];

		if (p->status != ND_RUNNING && p->status != ND_PENDING)
			continue;
		if (code == ND_F_PROBE_CANCELLED)
			nd_finding_add(p, code, "the run was interrupted "
			    "before the %s probe %s", p->ops->name,
			    p->status == ND_RUNNING ? "finished" : "could start");
		else
			nd_finding_add(p, code, "the run's %lld ms budget ended "
			    "before the %s probe %s",
			    (long long)e->run->budget_ms, p->ops->name,
			    p->status == ND_RUNNING ? "finished" :
			    "could start");
		if (p->status == ND_RUNNING) {
			nd_probe_done(p, ND_ERROR);
		} else {
			engine_state(e, p)->queued = false;
			engine_finish(p, ND_ERROR);
		}
	}
	e->ready_head = e->ready_tail = NULL;
	for (k = 0; k < e->nkinds; k++)
		e->kinds[k].wait_head = e->kinds[k].wait_tail = NULL;
}

/* `check`: the run's budget ended; nothing still open gets a verdict. */
static void
engine_budget(struct nd_loop *l, void *arg)
{
	struct nd_engine *e = arg;

	(void)l;
	e->budget_hit = true;
	engine_end_open(e, ND_F_PROBE_BUDGET_EXCEEDED);
}

void
nd_engine_cancel(struct nd_engine *e)
{
	if (e != NULL)
		engine_end_open(e, ND_F_PROBE_CANCELLED);
}

static void
engine_progress(struct nd_engine *e, bool last)
{
	uint64_t now;

	if (e->run->progress == NULL)
		return;
	if (last) {
		if (e->progress_shown)
			e->run->progress(e->nfinal, e->nprobes, 0);
		return;
	}
	now = nd_loop_now(e->run->loop);
	if (now - e->t0 < 500000 || now - e->t_progress < 200000)
		return;
	e->t_progress = now;
	e->progress_shown = true;
	e->run->progress(e->nfinal, e->nprobes, e->running);
}

/* The run ended (rc 0) or cannot go on (-errno): stop and tell. */
static void
engine_end(struct nd_engine *e, int rc)
{
	struct nd_loop *l = e->run->loop;

	e->ended = true;
	nd_timer_disarm(l, &e->budget);
	nd_timer_disarm(l, &e->pump);
	e->t1 = nd_loop_now(l);
	engine_progress(e, true);
	/* What still runs (a loop failure) keeps its state until freed. */
	if (e->nfinal >= e->nprobes)
		engine_run_ended(e);
	/* Last: the callback may free the engine. */
	if (e->done != NULL)
		e->done(e->done_arg, rc);
}

/* Starts what is ready; ends the run when nothing is left to do. */
static void
engine_step(struct nd_engine *e)
{
	engine_pump(e);
	if (e->nfinal >= e->nprobes)
		engine_end(e, 0);
	else if (e->running == 0 && e->ready_head == NULL)
		engine_end(e, -EDEADLK);	/* nothing runs or can: a bug */
}

static void
engine_pump_timer(struct nd_loop *l, void *arg)
{
	(void)l;
	engine_step(arg);
}

void
nd_engine_start(struct nd_engine *e, nd_engine_done_fn done, void *arg)
{
	struct nd_loop *l = e->run->loop;

	e->done = done;
	e->done_arg = arg;
	e->t0 = nd_loop_now(l);
	nd_timer_init(&e->budget, engine_budget, e);
	nd_timer_init(&e->pump, engine_pump_timer, e);
	if (e->run->budget_ms > 0)
		nd_timer_arm(l, &e->budget,
		    e->t0 + (uint64_t)e->run->budget_ms * 1000u);
	e->started = true;
	engine_poke(e);
}

bool
nd_engine_ended(const struct nd_engine *e)
{
	return e->ended;
}

struct engine_wait {
	bool	done;
	int	rc;
};

static void
engine_run_done(void *arg, int rc)
{
	struct engine_wait *w = arg;

	w->done = true;
	w->rc = rc;
}

int
nd_engine_run(struct nd_engine *e)
{
	struct nd_loop *l = e->run->loop;
	struct engine_wait w = { false, 0 };
	int rc;

	nd_engine_start(e, engine_run_done, &w);
	for (;;) {
		/*
		 * Step before each wait as well as from the pump timer: what a
		 * probe's end made ready starts at the time it ended, not one
		 * loop round later.
		 */
		engine_step(e);
		if (w.done)
			break;
		engine_progress(e, false);
		/* Wake for the progress line even when nothing happens. */
		rc = nd_loop_run_once(l, e->run->progress != NULL ? 200000 :
		    1000000);
		if (rc < 0) {
			e->done = NULL;
			engine_end(e, rc);
			return rc;
		}
	}
	return w.rc;
}

struct nd_probe *const *
nd_engine_probes(const struct nd_engine *e, size_t *n)
{
	*n = e->nprobes;
	return e->probes;
}

uint64_t
nd_engine_elapsed_us(const struct nd_engine *e)
{
	return e->t1 - e->t0;
}

size_t
nd_engine_max_inflight(const struct nd_engine *e)
{
	return e->max_inflight;
}
