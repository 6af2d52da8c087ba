/*
 * test_engine.c - the engine (core/engine.c) on fake probes: the DAG it
 * plans from each target's chain, gating on needs, shared instances,
 * fan-out of a name's addresses, per-probe deadlines and the run budget,
 * cancel() bookkeeping, max_inflight and --only/--skip.
 *
 * Why: every verdict netdoctor prints rests on these rules ("tcp was
 * skipped because route failed", one route lookup per address, a probe
 * that hangs becomes probe.local_error at --timeout), and the real probes
 * can only exercise them with a network.  Here nothing touches one.
 *
 * How: struct nd_run.find_ops binds the chain names of the real schemes
 * (resolve, route, tcp, tls) to the fake ops below, which declare the same
 * needs, share_key and fans_out as the real ones.  A script (struct rule)
 * says per probe name, and optionally per endpoint address or target, what
 * start() does: end at once with a verdict, end later from a timer, or hang
 * until expire(), the engine's deadline or the budget ends it.  Every start/expire/cancel is counted
 * in the probe's ctx and numbered in one sequence, so tests assert exact
 * statuses, blocked_by pointers, counts and orders.
 *
 * Time is fake (nd_loop_set_clock).  An eventfd that is always readable is
 * watched on the loop: every loop round its callback advances the clock by
 * one tick before that round's timers run, so the loop never sleeps, every
 * timer of a round sees the same time, and deadlines fire at exact fake
 * times whatever the machine's speed.  No sockets, no root, no sleeping.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "arena.h"
#include "engine.h"
#include "finding.h"
#include "inventory.h"
#include "loop.h"
#include "probe.h"
#include "target.h"

#define FX_T0		1000000000u	/* fake boot time (usec), not 0 */
#define FX_TICK_US	1000u		/* fake time per loop round */
#define FX_MAX_ROUNDS	100000u		/* 100 fake seconds: a runaway run */
#define FX_TIMEOUT_MS	100		/* --timeout unless a test says */
#define FX_MAX_TARGETS	96
#define FX_MAX_STARTS	256

/* ------------------------------------------------------------ the script */

enum act {
	A_END,		/* start() ends the probe with .st */
	A_LATER,	/* a timer ends it with .st after .after_ms */
	A_HANG,		/* nothing ends it but expire, the engine or the budget */
};

/* The first rule that matches a probe applies; none: end at once, PASS. */
struct rule {
	const char	*name;		/* probe name; NULL ends a script */
	const char	*addr;		/* endpoint address (host for a name
					   target before fan-out); NULL: any */
	const char	*target;	/* target URL; NULL: any */
	enum act	 act;
	enum nd_status	 st;		/* A_END, A_LATER: the verdict */
	int64_t		 after_ms;	/* A_LATER */
	const char	*finding;	/* recorded with the verdict ("tcp.refused") */
	const char	*publish[6];	/* fans_out: addresses published at start */
	enum nd_status	 expire_st;	/* expire() ends with it; ND_PENDING: it
					   leaves the probe running */
	int64_t		 deadline_ms;	/* tls' deadline_ms(); 0: run->timeout_ms */
	int		 start_rc;	/* start()'s return value */
	bool		 report_in_cancel;	/* cancel() calls nd_probe_done, as
					   a library callback fired during
					   teardown would (c-ares) */
};

static const struct rule rule_default = { .act = A_END, .st = ND_PASS };

/* What one fake instance saw (its ctx, zeroed by the engine). */
struct fake_ctx {
	const struct rule *rule;
	struct nd_timer	 later;		/* A_LATER */
	unsigned	 prepares, starts, expires, cancels, later_fired;
	unsigned	 seq_start, seq_cancel;	/* fx.seq at start(), cancel() */
	uint64_t	 deadline;	/* nd_probe_deadline() seen in start() */
	uint64_t	 t_expire;	/* fake clock in expire() */
	enum nd_status	 status_at_cancel;
};

/* ------------------------------------------------------------ the fixture */

struct fx {
	struct nd_arena		*arena;
	struct nd_loop		*loop;
	struct nd_run		 run;
	struct nd_engine	*e;
	struct nd_target	*targets[FX_MAX_TARGETS];
	struct nd_inventory	 inv;
	const struct rule	*script;

	uint64_t		 now;		/* the fake clock */
	int			 tickfd;	/* eventfd, always readable */
	unsigned		 rounds;
	uint64_t		 break_at;	/* break the loop then; 0: never */
	int			 epfd;		/* the loop's epoll fd */

	unsigned		 seq;		/* start/cancel event numbers */
	unsigned		 prepares, releases;	/* prepare(), and cancel()
						   of a prepared probe */
	enum nd_status		 prepare_st;	/* what prepare() returns */
	long			 running, max_running;
	long			 tls_running, tls_max_running;
	bool			 tls_capped;	/* "tls" is fake_tls_capped */
	struct nd_probe		*started[FX_MAX_STARTS];	/* start order */
	size_t			 nstarted;
};

/* find_ops takes no argument: the fake probes reach the fixture here. */
static struct fx *fx_cur;

static uint64_t
fx_clock(void *arg)
{
	return ((const struct fx *)arg)->now;
}

/*
 * The ticker: fds are dispatched before timers, so the round's timers run
 * at the advanced time.  At break_at it puts /dev/null where the loop's
 * epoll fd was, so the next epoll_wait fails and nd_engine_run returns an
 * error with probes still running (the "the run stopped" path of main.c).
 */
static void
fx_tick(struct nd_loop *l, int fd, unsigned events, void *arg)
{
	struct fx *fx = arg;

	(void)l;
	(void)fd;
	(void)events;
	fx->now += FX_TICK_US;
	if (++fx->rounds > FX_MAX_ROUNDS)
		fail_msg("the run did not end in %u fake seconds",
		    FX_MAX_ROUNDS / 1000u);
	if (fx->break_at != 0 && fx->now >= fx->break_at) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		assert_true(null >= 0);
		assert_int_equal(dup2(null, fx->epfd), fx->epfd);
		close(null);
		fx->break_at = 0;
	}
}

static const struct nd_probe_ops *fake_find(const char *);

static struct fx *
fx_new(void)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	int lowest;

	assert_non_null(fx);
	fx->arena = nd_arena_new();
	/* epoll_create1 takes the lowest free fd: remember which one. */
	lowest = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(lowest >= 0);
	close(lowest);
	fx->loop = nd_loop_new();
	assert_non_null(fx->loop);
	fx->epfd = lowest;
	fx->now = FX_T0;
	nd_loop_set_clock(fx->loop, fx_clock, fx);
	fx->tickfd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(fx->tickfd >= 0);
	fx->run.arena = fx->arena;
	fx->run.loop = fx->loop;
	fx->run.timeout_ms = FX_TIMEOUT_MS;
	fx->run.max_inflight = 64;	/* not RLIMIT_NOFILE's */
	fx->run.find_ops = fake_find;
	fx_cur = fx;
	return fx;
}

static void
fx_free(struct fx *fx)
{
	nd_engine_free(fx->e);
	nd_loop_fd_del(fx->loop, fx->tickfd);
	close(fx->tickfd);
	nd_loop_free(fx->loop);
	nd_arena_free(fx->arena);
	free(fx);
	fx_cur = NULL;
}

static int
setup(void **state)
{
	*state = fx_new();
	return 0;
}

static int
teardown(void **state)
{
	fx_free(*state);
	return 0;
}

static struct nd_target *
fx_target(struct fx *fx, const char *url)
{
	struct nd_target *t = NULL;
	char err[256];

	assert_true(fx->inv.ntargets < FX_MAX_TARGETS);
	if (nd_target_parse(fx->arena, url, "test", &t, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	t->index = fx->inv.ntargets;
	fx->targets[fx->inv.ntargets++] = t;
	return t;
}

/* nd_engine_new reads the settings: call after the test set them. */
static void
fx_plan(struct fx *fx)
{
	char err[256] = "";

	fx->inv.targets = fx->targets;
	fx->e = nd_engine_new(&fx->run);
	assert_non_null(fx->e);
	if (nd_engine_plan(fx->e, &fx->inv, err, sizeof(err)) != 0)
		fail_msg("plan: %s", err);
}

static int
fx_run(struct fx *fx)
{
	assert_int_equal(nd_loop_fd_set(fx->loop, fx->tickfd, ND_EV_READ,
	    fx_tick, fx), 0);
	return nd_engine_run(fx->e);
}

/* ------------------------------------------------------------ fake probes */

static const struct rule *
script_find(const struct nd_probe *p)
{
	const struct rule *r;

	for (r = fx_cur->script; r != NULL && r->name != NULL; r++)
		if (strcmp(r->name, p->ops->name) == 0 && (r->addr == NULL ||
		    strcmp(r->addr, p->ep->addrstr) == 0) &&
		    (r->target == NULL || strcmp(r->target, p->target->url) == 0))
			return r;
	return &rule_default;
}

static void
fake_publish(struct nd_probe *p, const char *ip)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, ip, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		nd_probe_publish_addr(p, (struct sockaddr *)&sin, sizeof(sin));
		return;
	}
	assert_int_equal(inet_pton(AF_INET6, ip, &sin6.sin6_addr), 1);
	sin6.sin6_family = AF_INET6;
	nd_probe_publish_addr(p, (struct sockaddr *)&sin6, sizeof(sin6));
}

/*
 * The verdict.  A route or tcp that passes hands its facts up like the
 * real one (tcp's "rtt" is the target's port, to tell endpoints apart).
 */
static void
fake_end(struct nd_probe *p, const struct rule *r)
{
	bool pass = r->st == ND_PASS || r->st == ND_WARN;

	if (r->finding != NULL) {
		const struct nd_finding_def *d = nd_finding_def_by_id(r->finding);

		assert_non_null(d);
		nd_finding_add(p, d->code, "scripted %s", r->finding);
	}
	if (pass && strcmp(p->ops->name, "route") == 0)
		nd_facts_set_route(p, "eth0", "10.0.0.254", "10.0.0.2");
	if (pass && strcmp(p->ops->name, "tcp") == 0)
		nd_facts_set_rtt(p, p->target->port);
	nd_probe_done(p, r->st);
}

static void
fake_later(struct nd_loop *l, void *arg)
{
	struct nd_probe *p = arg;
	struct fake_ctx *c = p->ctx;

	(void)l;
	c->later_fired++;
	fake_end(p, c->rule);
}

static int
fake_start(struct nd_probe *p)
{
	struct fx *fx = fx_cur;
	struct fake_ctx *c = p->ctx;
	const struct rule *r = script_find(p);
	size_t i;

	c->rule = r;
	c->starts++;
	c->seq_start = ++fx->seq;
	c->deadline = nd_probe_deadline(p);
	if (++fx->running > fx->max_running)
		fx->max_running = fx->running;
	if (p->ops->inflight_max > 0 &&
	    ++fx->tls_running > fx->tls_max_running)
		fx->tls_max_running = fx->tls_running;
	assert_true(fx->nstarted < FX_MAX_STARTS);
	fx->started[fx->nstarted++] = p;
	for (i = 0; i < ND_ARRAY_SIZE(r->publish) && r->publish[i] != NULL;
	    i++)
		fake_publish(p, r->publish[i]);
	switch (r->act) {
	case A_END:
		fake_end(p, r);
		break;
	case A_LATER:
		nd_timer_init(&c->later, fake_later, p);
		nd_timer_arm(p->run->loop, &c->later, nd_loop_now(p->run->loop) +
		    (uint64_t)r->after_ms * 1000u);
		break;
	case A_HANG:
		break;
	}
	return r->start_rc;
}

static void
fake_expire(struct nd_probe *p)
{
	struct fake_ctx *c = p->ctx;

	c->expires++;
	c->t_expire = nd_loop_now(p->run->loop);
	if (c->rule->expire_st != ND_PENDING) {
		nd_finding_add(p, ND_F_TCP_TIMEOUT, "scripted timeout");
		nd_probe_done(p, c->rule->expire_st);
	}
}

static void
fake_cancel(struct nd_probe *p)
{
	struct fake_ctx *c = p->ctx;

	c->cancels++;
	c->seq_cancel = ++fx_cur->seq;
	c->status_at_cancel = p->status;
	if (c->prepares > 0)
		fx_cur->releases++;
	if (c->starts > 0) {
		fx_cur->running--;
		if (p->ops->inflight_max > 0)
			fx_cur->tls_running--;
	}
	nd_timer_disarm(p->run->loop, &c->later);
	if (c->rule != NULL && c->rule->report_in_cancel)
		nd_probe_done(p, ND_FAIL);
}

/* As probe_route.c: one lookup per destination address. */
static int
fake_route_key(const struct nd_probe *p, char *buf, size_t len)
{
	if (p->ep->addrlen == 0)
		return -EINVAL;
	snprintf(buf, len, "%s", p->ep->addrstr);
	return 0;
}

/* As probe_arp.c: takes a handle before the run, which cancel() frees. */
static int
fake_prepare(struct nd_probe *p)
{
	struct fake_ctx *c = p->ctx;

	c->prepares++;
	fx_cur->prepares++;
	return (int)fx_cur->prepare_st;
}

static int64_t
fake_deadline_ms(const struct nd_probe *p)
{
	const struct rule *r = script_find(p);

	return r->deadline_ms > 0 ? r->deadline_ms : p->run->timeout_ms;
}

/* The needs of probes/probe_{route,tcp}.c; tls declares none (tcp below). */
static const char *const route_needs[] = { "resolve", NULL };
static const char *const tcp_needs[] = { "route", "resolve", NULL };

static const struct nd_probe_ops fake_resolve = {
	.name = "resolve",
	.layer = ND_L_DNS,
	.ctx_size = sizeof(struct fake_ctx),
	.fans_out = true,
	.start = fake_start,
	.expire = fake_expire,
	.cancel = fake_cancel,
};

static const struct nd_probe_ops fake_route = {
	.name = "route",
	.layer = ND_L_ROUTE,
	.needs = route_needs,
	.ctx_size = sizeof(struct fake_ctx),
	.share_key = fake_route_key,
	.start = fake_start,
	.expire = fake_expire,
	.cancel = fake_cancel,
};

static const struct nd_probe_ops fake_tcp = {
	.name = "tcp",
	.layer = ND_L_TCP,
	.needs = tcp_needs,
	.ctx_size = sizeof(struct fake_ctx),
	.start = fake_start,
	.expire = fake_expire,
	.cancel = fake_cancel,
};

static const struct nd_probe_ops fake_tls = {
	.name = "tls",
	.layer = ND_L_TLS,
	.ctx_size = sizeof(struct fake_ctx),
	.prepare = fake_prepare,
	.deadline_ms = fake_deadline_ms,
	.start = fake_start,
	.expire = fake_expire,
	.cancel = fake_cancel,
};

/* As probe_tls.c, with a cap of 2 handshakes in flight. */
static const struct nd_probe_ops fake_tls_capped = {
	.name = "tls",
	.layer = ND_L_TLS,
	.ctx_size = sizeof(struct fake_ctx),
	.inflight_max = 2,
	.start = fake_start,
	.expire = fake_expire,
	.cancel = fake_cancel,
};

/* Any other name ("talos", "k8s") is unknown: the engine's stand-in. */
static const struct nd_probe_ops *const fake_ops[] = {
	&fake_resolve, &fake_route, &fake_tcp, &fake_tls,
};

static const struct nd_probe_ops *
fake_find(const char *name)
{
	size_t i;

	if (fx_cur->tls_capped && strcmp(name, "tls") == 0)
		return &fake_tls_capped;
	for (i = 0; i < ND_ARRAY_SIZE(fake_ops); i++)
		if (strcmp(fake_ops[i]->name, name) == 0)
			return fake_ops[i];
	return NULL;
}

/* ------------------------------------------------------------ assertions */

static struct nd_probe *const *
probes(const struct fx *fx, size_t *n)
{
	return nd_engine_probes(fx->e, n);
}

static struct nd_probe *
probe(const struct fx *fx, const char *id)
{
	struct nd_probe *const *v;
	size_t i, n;

	v = probes(fx, &n);
	for (i = 0; i < n; i++)
		if (strcmp(v[i]->id, id) == 0)
			return v[i];
	fail_msg("no probe %s", id);
	return NULL;
}

static size_t
nprobes(const struct fx *fx)
{
	size_t n;

	(void)probes(fx, &n);
	return n;
}

static size_t
count_named(const struct fx *fx, const char *name)
{
	struct nd_probe *const *v;
	size_t i, n, k = 0;

	v = probes(fx, &n);
	for (i = 0; i < n; i++)
		k += strcmp(v[i]->ops->name, name) == 0;
	return k;
}

static bool
is_fake(const struct nd_probe *p)
{
	return p->ops->start == fake_start;
}

static const struct fake_ctx *
ctx(const struct nd_probe *p)
{
	assert_true(is_fake(p));
	assert_non_null(p->ctx);
	return p->ctx;
}

static const struct nd_finding *
finding(const struct nd_probe *p, const char *id)
{
	size_t i;

	for (i = 0; i < p->nfindings; i++)
		if (strcmp(p->findings[i]->def->id, id) == 0)
			return p->findings[i];
	return NULL;
}

static bool
needs(const struct nd_probe *p, const struct nd_probe *need)
{
	size_t i;

	for (i = 0; i < p->nneeds; i++)
		if (p->needs[i] == need)
			return true;
	return false;
}

/* b started only after a had ended (and been cancelled). */
static void
assert_started_after(const struct nd_probe *b, const struct nd_probe *a)
{
	assert_int_equal(ctx(a)->cancels, 1);
	assert_int_equal(ctx(b)->starts, 1);
	assert_true(ctx(b)->seq_start > ctx(a)->seq_cancel);
	assert_true(b->t_start >= a->t_end);
}

/* Never started; released only if it was prepared. */
static void
assert_never_started(const struct nd_probe *p)
{
	assert_int_equal(ctx(p)->starts, 0);
	assert_int_equal(ctx(p)->cancels, ctx(p)->prepares);
	assert_int_equal(p->t_start, 0);
}

/*
 * probe.h: cancel() exactly once for every probe that started or was
 * prepared, right after it ended, with its status already final; never
 * for one that did neither.
 */
static void
assert_cancel_contract(const struct fx *fx)
{
	struct nd_probe *const *v;
	size_t i, n;

	v = probes(fx, &n);
	for (i = 0; i < n; i++) {
		const struct fake_ctx *c;

		if (!is_fake(v[i]))
			continue;
		c = ctx(v[i]);
		if (c->starts > 1 || c->prepares > 1 || c->cancels !=
		    (c->starts > 0 || c->prepares > 0 ? 1u : 0u))
			fail_msg("%s: %u prepares, %u starts, %u cancels",
			    v[i]->id, c->prepares, c->starts, c->cancels);
		if (c->cancels == 1 && (c->status_at_cancel == ND_PENDING ||
		    c->status_at_cancel == ND_RUNNING))
			fail_msg("%s: cancel() saw status %s", v[i]->id,
			    nd_status_name(c->status_at_cancel));
	}
}

/* Every probe of target t that --only/--skip selects is planned, no other. */
static void
assert_plan_is_selection(const struct fx *fx, const struct nd_target *t)
{
	const char *const *chain = nd_target_chain(t);
	struct nd_probe *const *v;
	size_t i, k, n;

	v = probes(fx, &n);
	for (k = 0; chain[k] != NULL; k++) {
		size_t planned = 0;

		for (i = 0; i < n; i++)
			planned += v[i]->target == t &&
			    strcmp(v[i]->ops->name, chain[k]) == 0;
		if (planned != (nd_probe_selected(fx->run.only, fx->run.skip,
		    chain[k]) ? 1u : 0u))
			fail_msg("%s: %zu %s planned", t->url, planned,
			    chain[k]);
	}
	for (i = 0; i < n; i++)
		if (v[i]->target == t)
			assert_true(nd_probe_selected(fx->run.only,
			    fx->run.skip, v[i]->ops->name));
}

/* ------------------------------------------------------------ gating */

/* route -> tcp -> tls with route ending st: the rest never starts. */
static void
check_failed_route_blocks_chain(struct fx *fx, enum nd_status st)
{
	const struct rule script[] = {
		{ .name = "route", .st = st, .finding = "route.no_route" },
		{ .name = NULL },
	};
	struct nd_probe *route, *tcp, *tls;

	fx->script = script;
	fx_target(fx, "tls://10.0.0.1:443");
	fx_plan(fx);
	assert_int_equal(nprobes(fx), 3);
	route = probe(fx, "tls://10.0.0.1:443#route");
	tcp = probe(fx, "tls://10.0.0.1:443#tcp");
	tls = probe(fx, "tls://10.0.0.1:443#tls");
	/* tcp declares route; tls declares nothing: the probe below it. */
	assert_int_equal(route->nneeds, 0);
	assert_int_equal(tcp->nneeds, 1);
	assert_ptr_equal(tcp->needs[0], route);
	assert_int_equal(tls->nneeds, 1);
	assert_ptr_equal(tls->needs[0], tcp);

	assert_int_equal(fx_run(fx), 0);
	assert_int_equal(route->status, st);
	assert_int_equal(tcp->status, ND_SKIP);
	assert_int_equal(tls->status, ND_SKIP);
	/* blocked_by is the root cause, not the skipped probe in between. */
	assert_ptr_equal(tcp->blocked_by, route);
	assert_ptr_equal(tls->blocked_by, route);
	assert_int_equal(ctx(route)->starts, 1);
	assert_never_started(tcp);
	assert_never_started(tls);
	assert_int_equal(fx->nstarted, 1);
	assert_cancel_contract(fx);
}

static void
test_gating_fail_skips_chain(void **state)
{
	check_failed_route_blocks_chain(*state, ND_FAIL);
}

static void
test_gating_error_skips_chain(void **state)
{
	check_failed_route_blocks_chain(*state, ND_ERROR);
}

static void
test_gating_middle_failure(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "tcp", .st = ND_FAIL, .finding = "tcp.refused" },
		{ .name = NULL },
	};
	struct nd_probe *route, *tcp, *tls;

	fx->script = script;
	fx_target(fx, "tls://10.0.0.1:443");
	fx_plan(fx);
	assert_int_equal(fx_run(fx), 0);
	route = probe(fx, "tls://10.0.0.1:443#route");
	tcp = probe(fx, "tls://10.0.0.1:443#tcp");
	tls = probe(fx, "tls://10.0.0.1:443#tls");
	assert_int_equal(route->status, ND_PASS);
	assert_int_equal(tcp->status, ND_FAIL);
	assert_non_null(finding(tcp, "tcp.refused"));
	assert_int_equal(tls->status, ND_SKIP);
	assert_ptr_equal(tls->blocked_by, tcp);
	assert_null(route->blocked_by);
	assert_null(tcp->blocked_by);
	assert_started_after(tcp, route);
	assert_never_started(tls);
	assert_cancel_contract(fx);
}

/* route ends st later, from a timer: tcp waits for it, tls for tcp. */
static void
check_route_opens_gate(struct fx *fx, enum nd_status st)
{
	const struct rule script[] = {
		{ .name = "route", .act = A_LATER, .after_ms = 7, .st = st },
		{ .name = "tcp", .act = A_LATER, .after_ms = 3, .st = ND_PASS },
		{ .name = NULL },
	};
	struct nd_probe *route, *tcp, *tls;

	fx->script = script;
	fx_target(fx, "tls://10.0.0.1:443");
	fx_plan(fx);
	assert_int_equal(fx_run(fx), 0);
	route = probe(fx, "tls://10.0.0.1:443#route");
	tcp = probe(fx, "tls://10.0.0.1:443#tcp");
	tls = probe(fx, "tls://10.0.0.1:443#tls");
	assert_int_equal(route->status, st);
	assert_int_equal(tcp->status, ND_PASS);
	assert_int_equal(tls->status, ND_PASS);
	assert_int_equal(route->t_start, FX_T0);
	assert_int_equal(route->t_end, FX_T0 + 7000);
	assert_int_equal(tcp->t_start, FX_T0 + 7000);
	assert_int_equal(tls->t_start, FX_T0 + 10000);
	assert_started_after(tcp, route);
	assert_started_after(tls, tcp);
	assert_ptr_equal(fx->started[0], route);
	assert_ptr_equal(fx->started[1], tcp);
	assert_ptr_equal(fx->started[2], tls);
	assert_int_equal(fx->nstarted, 3);
	assert_cancel_contract(fx);
}

static void
test_gating_pass_opens_after_end(void **state)
{
	check_route_opens_gate(*state, ND_PASS);
}

static void
test_gating_warn_opens_after_end(void **state)
{
	check_route_opens_gate(*state, ND_WARN);
}

/* A chain name with no probe in this build waits, then says so. */
static void
test_gating_unknown_probe_unsupported(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "tls", .addr = "10.0.0.2", .st = ND_FAIL,
		    .finding = "tls.handshake_failed" },
		{ .name = NULL },
	};
	struct nd_probe *tls1, *talos1, *tls2, *talos2;

	fx->script = script;
	fx_target(fx, "talos://10.0.0.1:50000");
	fx_target(fx, "talos://10.0.0.2:50000");
	fx_plan(fx);
	assert_int_equal(nprobes(fx), 8);
	assert_int_equal(fx_run(fx), 0);
	tls1 = probe(fx, "talos://10.0.0.1:50000#tls");
	talos1 = probe(fx, "talos://10.0.0.1:50000#talos");
	tls2 = probe(fx, "talos://10.0.0.2:50000#tls");
	talos2 = probe(fx, "talos://10.0.0.2:50000#talos");
	assert_false(is_fake(talos1));
	assert_ptr_equal(talos1->needs[0], tls1);
	assert_int_equal(tls1->status, ND_PASS);
	assert_int_equal(talos1->status, ND_ERROR);
	assert_int_equal(talos1->nfindings, 1);
	assert_non_null(finding(talos1, "probe.unsupported"));
	assert_true(talos1->t_start >= tls1->t_end);
	assert_int_equal(tls2->status, ND_FAIL);
	assert_int_equal(talos2->status, ND_SKIP);
	assert_ptr_equal(talos2->blocked_by, tls2);
	assert_int_equal(talos2->nfindings, 0);
	assert_cancel_contract(fx);
}

/* ------------------------------------------------------------ sharing */

static void
test_share_one_instance_blocks_both(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "route", .addr = "10.0.0.1", .st = ND_FAIL,
		    .finding = "route.no_route" },
		{ .name = NULL },
	};
	struct nd_probe *route, *tcp1, *tcp2, *tls2, *route3, *tcp3;

	fx->script = script;
	fx_target(fx, "tcp://10.0.0.1:1");
	fx_target(fx, "tls://10.0.0.1:2");
	fx_target(fx, "tcp://10.0.0.3:1");
	fx_plan(fx);
	/* route once for 10.0.0.1 (named after its first target), once for .3 */
	assert_int_equal(nprobes(fx), 6);
	assert_int_equal(count_named(fx, "route"), 2);
	route = probe(fx, "tcp://10.0.0.1:1#route");
	tcp1 = probe(fx, "tcp://10.0.0.1:1#tcp");
	tcp2 = probe(fx, "tls://10.0.0.1:2#tcp");
	tls2 = probe(fx, "tls://10.0.0.1:2#tls");
	route3 = probe(fx, "tcp://10.0.0.3:1#route");
	tcp3 = probe(fx, "tcp://10.0.0.3:1#tcp");
	assert_int_equal(route->nserved, 2);
	assert_ptr_equal(route->served[0], tcp1->ep);
	assert_ptr_equal(route->served[1], tcp2->ep);
	assert_int_equal(route3->nserved, 1);
	assert_true(needs(tcp1, route));
	assert_true(needs(tcp2, route));
	assert_true(needs(tcp3, route3));

	assert_int_equal(fx_run(fx), 0);
	assert_int_equal(ctx(route)->starts, 1);
	assert_int_equal(route->status, ND_FAIL);
	assert_int_equal(tcp1->status, ND_SKIP);
	assert_int_equal(tcp2->status, ND_SKIP);
	assert_int_equal(tls2->status, ND_SKIP);
	assert_ptr_equal(tcp1->blocked_by, route);
	assert_ptr_equal(tcp2->blocked_by, route);
	assert_ptr_equal(tls2->blocked_by, route);
	assert_never_started(tcp1);
	assert_never_started(tcp2);
	assert_never_started(tls2);
	/* The other address is not affected. */
	assert_int_equal(route3->status, ND_PASS);
	assert_int_equal(tcp3->status, ND_PASS);
	assert_int_equal(fx->nstarted, 3);
	assert_cancel_contract(fx);
}

/* A passing shared route opens both gates and hands its facts to both. */
static void
test_share_pass_serves_both(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "route", .act = A_LATER, .after_ms = 5, .st = ND_PASS },
		{ .name = NULL },
	};
	struct nd_probe *route, *tcp1, *tcp2, *tls2;

	fx->script = script;
	fx_target(fx, "tcp://10.0.0.1:1");
	fx_target(fx, "tls://10.0.0.1:2");
	fx_plan(fx);
	assert_int_equal(fx_run(fx), 0);
	assert_int_equal(nprobes(fx), 4);
	route = probe(fx, "tcp://10.0.0.1:1#route");
	tcp1 = probe(fx, "tcp://10.0.0.1:1#tcp");
	tcp2 = probe(fx, "tls://10.0.0.1:2#tcp");
	tls2 = probe(fx, "tls://10.0.0.1:2#tls");
	assert_int_equal(ctx(route)->starts, 1);
	assert_started_after(tcp1, route);
	assert_started_after(tcp2, route);
	assert_started_after(tls2, tcp2);
	assert_int_equal(tcp1->status, ND_PASS);
	assert_int_equal(tcp2->status, ND_PASS);
	assert_int_equal(tls2->status, ND_PASS);
	assert_string_equal(tcp1->ep->facts.route->oif, "eth0");
	assert_string_equal(tcp2->ep->facts.route->oif, "eth0");
	assert_string_equal(tcp2->ep->facts.route->gateway, "10.0.0.254");
	assert_string_equal(tcp2->ep->label, "10.0.0.1:2");
	assert_cancel_contract(fx);
}

/*
 * A name that resolves to the address of a literal target joins that
 * target's route instance after it finished: the endpoint that joined
 * late must still get the route's facts (probe_dns reads the gateway).
 */
static void
test_share_late_join_gets_facts(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "resolve", .act = A_LATER, .after_ms = 5,
		    .st = ND_PASS, .publish = { "10.0.0.1" } },
		{ .name = "tcp", .target = "tcp://svc.example:80",
		    .st = ND_FAIL, .finding = "tcp.refused" },
		{ .name = NULL },
	};
	struct nd_probe *route, *resolve, *tcp1, *tcp2;

	fx->script = script;
	fx_target(fx, "tcp://10.0.0.1:1");
	fx_target(fx, "tcp://svc.example:80");
	fx_plan(fx);
	assert_int_equal(fx_run(fx), 0);
	assert_int_equal(nprobes(fx), 4);
	assert_int_equal(count_named(fx, "route"), 1);
	route = probe(fx, "tcp://10.0.0.1:1#route");
	resolve = probe(fx, "tcp://svc.example:80#resolve");
	tcp1 = probe(fx, "tcp://10.0.0.1:1#tcp");
	tcp2 = probe(fx, "tcp://svc.example:80#tcp@10.0.0.1");
	assert_int_equal(route->status, ND_PASS);
	assert_true(route->t_end < resolve->t_end);	/* it joined late */
	assert_int_equal(ctx(route)->starts, 1);
	assert_int_equal(route->nserved, 2);
	assert_ptr_equal(route->served[1], tcp2->ep);
	assert_true(needs(tcp2, route));
	assert_true(needs(tcp2, resolve));
	assert_int_equal(tcp1->status, ND_PASS);
	assert_int_equal(tcp2->status, ND_FAIL);
	assert_string_equal(tcp1->ep->facts.route->oif, "eth0");
	assert_string_equal(tcp2->ep->facts.route->oif, "eth0");
	assert_string_equal(tcp2->ep->facts.route->gateway, "10.0.0.254");
	assert_string_equal(tcp2->ep->facts.route->src, "10.0.0.2");
	/* Only the route's facts: not the rtt tcp://10.0.0.1:1's tcp wrote. */
	assert_int_equal(tcp1->ep->facts.rtt_us, 1);
	assert_int_equal(tcp2->ep->facts.rtt_us, 0);
	assert_cancel_contract(fx);
}

/*
 * A chain that joins a shared instance that already failed is blocked by
 * it at once, without starting.
 */
static void
test_share_late_join_failed_instance_blocks(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "resolve", .act = A_LATER, .after_ms = 5,
		    .st = ND_PASS, .publish = { "10.0.0.1" } },
		{ .name = "route", .st = ND_FAIL, .finding = "route.no_route" },
		{ .name = NULL },
	};
	struct nd_probe *route, *resolve, *tcp2;

	fx->script = script;
	fx_target(fx, "tcp://10.0.0.1:1");
	fx_target(fx, "tcp://svc.example:80");
	fx_plan(fx);
	assert_int_equal(fx_run(fx), 0);
	assert_int_equal(nprobes(fx), 4);
	route = probe(fx, "tcp://10.0.0.1:1#route");
	resolve = probe(fx, "tcp://svc.example:80#resolve");
	tcp2 = probe(fx, "tcp://svc.example:80#tcp@10.0.0.1");
	assert_int_equal(route->status, ND_FAIL);
	assert_true(route->t_end < resolve->t_end);
	assert_int_equal(resolve->status, ND_PASS);
	assert_int_equal(tcp2->status, ND_SKIP);
	assert_ptr_equal(tcp2->blocked_by, route);
	assert_never_started(tcp2);
	assert_int_equal(fx->nstarted, 2);
	assert_cancel_contract(fx);
}

/* Enough keys to grow the share table several times. */
static void
test_share_many_keys(void **state)
{
	struct fx *fx = *state;
	char url[64], id[64];
	unsigned i;

	for (i = 1; i <= 40; i++) {
		snprintf(url, sizeof(url), "tcp://10.1.0.%u:1", i);
		fx_target(fx, url);
		snprintf(url, sizeof(url), "tcp://10.1.0.%u:2", i);
		fx_target(fx, url);
	}
	fx_plan(fx);
	assert_int_equal(count_named(fx, "route"), 40);
	assert_int_equal(count_named(fx, "tcp"), 80);
	assert_int_equal(fx_run(fx), 0);
	for (i = 1; i <= 40; i++) {
		struct nd_probe *route;

		snprintf(id, sizeof(id), "tcp://10.1.0.%u:1#route", i);
		route = probe(fx, id);
		assert_int_equal(route->nserved, 2);
		assert_int_equal(ctx(route)->starts, 1);
		assert_int_equal(route->status, ND_PASS);
	}
	assert_int_equal(fx->nstarted, 120);
	assert_cancel_contract(fx);
}

/* ------------------------------------------------------------ fan-out */

static void
test_fanout_chain_per_address(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "resolve", .act = A_LATER, .after_ms = 5,
		    .st = ND_PASS, .finding = "resolve.ok",
		    .publish = { "10.0.0.1", "10.0.0.2", "10.0.0.1",
		    "2001:db8::1" } },
		{ .name = "route", .addr = "10.0.0.2", .st = ND_FAIL,
		    .finding = "route.no_route" },
		{ .name = NULL },
	};
	static const char *const want[] = {
		"tcp://svc.example:80#resolve",
		"tcp://svc.example:80#route@10.0.0.1",
		"tcp://svc.example:80#tcp@10.0.0.1",
		"tcp://svc.example:80#route@10.0.0.2",
		"tcp://svc.example:80#tcp@10.0.0.2",
		"tcp://svc.example:80#route@2001:db8::1",
		"tcp://svc.example:80#tcp@2001:db8::1",
	};
	static const char *const addrs[] = { "10.0.0.1", "10.0.0.2",
	    "2001:db8::1" };
	struct nd_probe *const *v;
	struct nd_probe *resolve, *route, *tcp;
	char id[80];
	size_t i, n;

	fx->script = script;
	fx_target(fx, "tcp://svc.example:80");
	fx_plan(fx);
	/* Nothing per address before the name resolved. */
	assert_int_equal(nprobes(fx), 1);
	resolve = probe(fx, "tcp://svc.example:80#resolve");
	assert_int_equal(fx_run(fx), 0);

	v = probes(fx, &n);
	assert_int_equal(n, ND_ARRAY_SIZE(want));
	for (i = 0; i < n; i++) {
		assert_string_equal(v[i]->id, want[i]);
		assert_int_equal(v[i]->index, i);
	}
	assert_int_equal(resolve->status, ND_PASS);
	assert_int_equal(resolve->npub, 3);	/* 10.0.0.1 once */
	for (i = 0; i < ND_ARRAY_SIZE(addrs); i++) {
		snprintf(id, sizeof(id), "tcp://svc.example:80#route@%s",
		    addrs[i]);
		route = probe(fx, id);
		snprintf(id, sizeof(id), "tcp://svc.example:80#tcp@%s",
		    addrs[i]);
		tcp = probe(fx, id);
		assert_int_equal(route->nneeds, 1);
		assert_ptr_equal(route->needs[0], resolve);
		assert_int_equal(tcp->nneeds, 2);
		assert_true(needs(tcp, resolve));
		assert_true(needs(tcp, route));
		assert_ptr_equal(route->ep, tcp->ep);
		assert_string_equal(tcp->ep->addrstr, addrs[i]);
		assert_started_after(route, resolve);
		assert_int_equal(ctx(route)->starts, 1);
	}
	tcp = probe(fx, "tcp://svc.example:80#tcp@10.0.0.1");
	assert_string_equal(tcp->ep->label, "10.0.0.1:80");
	assert_int_equal(tcp->ep->addr.sin.sin_port, htons(80));
	assert_int_equal(tcp->status, ND_PASS);
	tcp = probe(fx, "tcp://svc.example:80#tcp@2001:db8::1");
	assert_string_equal(tcp->ep->label, "[2001:db8::1]:80");
	assert_int_equal(tcp->ep->addrlen, sizeof(struct sockaddr_in6));
	assert_int_equal(tcp->ep->addr.sin6.sin6_port, htons(80));
	assert_int_equal(tcp->status, ND_PASS);
	/* One address failing blocks only its own chain. */
	route = probe(fx, "tcp://svc.example:80#route@10.0.0.2");
	tcp = probe(fx, "tcp://svc.example:80#tcp@10.0.0.2");
	assert_int_equal(route->status, ND_FAIL);
	assert_int_equal(tcp->status, ND_SKIP);
	assert_ptr_equal(tcp->blocked_by, route);
	assert_never_started(tcp);
	assert_cancel_contract(fx);
}

/* Addresses published by a resolve that then fails are not probed. */
static void
test_fanout_failed_resolve_plans_nothing(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "resolve", .addr = "svc.example", .st = ND_FAIL,
		    .finding = "resolve.failed", .publish = { "10.0.0.1" } },
		/* Hangs past its deadline: the engine ends it ERROR. */
		{ .name = "resolve", .addr = "db.example", .act = A_HANG,
		    .publish = { "10.0.0.5", "10.0.0.6" } },
		{ .name = NULL },
	};
	struct nd_probe *r1, *r2;

	fx->script = script;
	fx_target(fx, "tcp://svc.example:80");
	fx_target(fx, "tls://db.example:443");
	fx_plan(fx);
	assert_int_equal(fx_run(fx), 0);
	assert_int_equal(nprobes(fx), 2);
	r1 = probe(fx, "tcp://svc.example:80#resolve");
	r2 = probe(fx, "tls://db.example:443#resolve");
	assert_int_equal(r1->status, ND_FAIL);
	assert_int_equal(r2->status, ND_ERROR);
	assert_int_equal(ctx(r2)->expires, 1);
	assert_int_equal(r1->npub, 1);
	assert_int_equal(r2->npub, 2);
	assert_int_equal(fx->nstarted, 2);
	assert_cancel_contract(fx);
}

/* ------------------------------------------------------------ deadlines */

static void
test_deadline_expire_gives_verdict(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "tcp", .act = A_HANG, .expire_st = ND_FAIL },
		{ .name = NULL },
	};
	struct nd_probe *route, *tcp;
	const uint64_t deadline = FX_T0 + FX_TIMEOUT_MS * 1000u;

	fx->script = script;
	fx_target(fx, "tcp://10.0.0.1:1");
	fx_plan(fx);
	assert_int_equal(fx_run(fx), 0);
	route = probe(fx, "tcp://10.0.0.1:1#route");
	tcp = probe(fx, "tcp://10.0.0.1:1#tcp");
	assert_int_equal(route->status, ND_PASS);
	assert_int_equal(ctx(route)->expires, 0);
	assert_int_equal(tcp->t_start, FX_T0);
	assert_int_equal(ctx(tcp)->deadline, deadline);	/* asked in start() */
	/* The run ended: its state (the deadline with it) is freed. */
	assert_int_equal(nd_probe_deadline(tcp), 0);
	assert_int_equal(ctx(tcp)->expires, 1);
	assert_int_equal(ctx(tcp)->t_expire, deadline);	/* not a tick early */
	assert_int_equal(tcp->t_end, deadline);
	assert_int_equal(tcp->status, ND_FAIL);
	/* expire() gave the verdict: the engine added nothing. */
	assert_int_equal(tcp->nfindings, 1);
	assert_non_null(finding(tcp, "tcp.timeout"));
	assert_int_equal(nd_engine_elapsed_us(fx->e), FX_TIMEOUT_MS * 1000u);
	assert_cancel_contract(fx);
}

/* expire() leaves it running: the engine ends it; deadline_ms() is used. */
static void
test_deadline_engine_ends_silent_probe(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "tls", .act = A_HANG, .deadline_ms = 250 },
		{ .name = "tcp", .addr = "10.0.0.2", .act = A_HANG },
		{ .name = NULL },
	};
	struct nd_probe *tcp, *tls;

	fx->script = script;
	fx_target(fx, "tls://10.0.0.1:443");
	fx_target(fx, "tcp://10.0.0.2:1");
	fx_plan(fx);
	assert_int_equal(fx_run(fx), 0);
	/* tcp: the run's --timeout (the ops have no deadline_ms). */
	tcp = probe(fx, "tcp://10.0.0.2:1#tcp");
	assert_int_equal(ctx(tcp)->expires, 1);
	assert_int_equal(ctx(tcp)->t_expire, FX_T0 + 100000);
	assert_int_equal(tcp->t_end, FX_T0 + 100000);
	assert_int_equal(tcp->status, ND_ERROR);
	assert_int_equal(tcp->nfindings, 1);
	assert_non_null(finding(tcp, "probe.local_error"));
	/* tls://10.0.0.1's tcp passed at once; its tls has 250 ms. */
	tls = probe(fx, "tls://10.0.0.1:443#tls");
	assert_int_equal(tls->t_start, FX_T0);
	assert_int_equal(ctx(tls)->deadline, FX_T0 + 250000);
	assert_int_equal(ctx(tls)->expires, 1);
	assert_int_equal(ctx(tls)->t_expire, FX_T0 + 250000);
	assert_int_equal(tls->t_end, FX_T0 + 250000);
	assert_int_equal(tls->status, ND_ERROR);
	assert_int_equal(tls->nfindings, 1);
	assert_non_null(finding(tls, "probe.local_error"));
	assert_int_equal(nd_engine_elapsed_us(fx->e), 250000);
	assert_cancel_contract(fx);
}

/* ------------------------------------------------------------ budget */

/*
 * max_inflight 1 and a 50 ms budget: route@.1 passes at once, route@.2
 * runs (it would pass at 80 ms), route@.3 and tcp@.1 wait for a slot.
 */
static void
test_budget_ends_running_and_pending(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "route", .addr = "10.0.0.2", .act = A_LATER,
		    .after_ms = 80, .st = ND_PASS },
		{ .name = NULL },
	};
	struct nd_probe *r1, *t1, *r2, *t2, *r3, *t3;
	const struct nd_finding *f;

	fx->script = script;
	fx->run.max_inflight = 1;
	fx->run.timeout_ms = 1000;
	fx->run.budget_ms = 50;
	fx_target(fx, "tcp://10.0.0.1:1");
	fx_target(fx, "tcp://10.0.0.2:1");
	fx_target(fx, "tcp://10.0.0.3:1");
	fx_plan(fx);
	assert_int_equal(fx_run(fx), 0);
	r1 = probe(fx, "tcp://10.0.0.1:1#route");
	t1 = probe(fx, "tcp://10.0.0.1:1#tcp");
	r2 = probe(fx, "tcp://10.0.0.2:1#route");
	t2 = probe(fx, "tcp://10.0.0.2:1#tcp");
	r3 = probe(fx, "tcp://10.0.0.3:1#route");
	t3 = probe(fx, "tcp://10.0.0.3:1#tcp");
	assert_int_equal(nd_engine_elapsed_us(fx->e), 50000);

	assert_int_equal(r1->status, ND_PASS);
	assert_int_equal(r1->nfindings, 0);
	/* Running at the budget: ended ERROR, cancelled, its timer gone. */
	assert_int_equal(r2->status, ND_ERROR);
	assert_int_equal(r2->t_end, FX_T0 + 50000);
	assert_non_null(f = finding(r2, "probe.budget_exceeded"));
	assert_non_null(strstr(f->summary, "finished"));
	assert_int_equal(ctx(r2)->cancels, 1);
	assert_int_equal(ctx(r2)->later_fired, 0);
	assert_int_equal(ctx(r2)->expires, 0);
	/* Ready but waiting for a slot: ended ERROR, never started. */
	assert_int_equal(t1->status, ND_ERROR);
	assert_non_null(f = finding(t1, "probe.budget_exceeded"));
	assert_non_null(strstr(f->summary, "could start"));
	assert_never_started(t1);
	assert_int_equal(r3->status, ND_ERROR);
	assert_non_null(finding(r3, "probe.budget_exceeded"));
	assert_never_started(r3);
	/* Waiting for a need the budget ended: skipped by it. */
	assert_int_equal(t2->status, ND_SKIP);
	assert_ptr_equal(t2->blocked_by, r2);
	assert_never_started(t2);
	assert_int_equal(t3->status, ND_SKIP);
	assert_ptr_equal(t3->blocked_by, r3);
	assert_never_started(t3);

	assert_int_equal(fx->nstarted, 2);
	assert_int_equal(fx->max_running, 1);
	/* No deadline, budget or probe timer left on the loop: the ticker. */
	assert_int_equal(nd_loop_pending(fx->loop), 1);
	assert_cancel_contract(fx);
}

/* ------------------------------------------------------------ cancel() */

static void
test_cancel_once_whatever_ended_it(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		/* .1: tcp ends by itself, later */
		{ .name = "tcp", .addr = "10.0.0.1", .act = A_LATER,
		    .after_ms = 10, .st = ND_FAIL, .finding = "tcp.refused" },
		/* .2: expire() ends it */
		{ .name = "tcp", .addr = "10.0.0.2", .act = A_HANG,
		    .expire_st = ND_FAIL },
		/* .3: the engine ends it at the deadline */
		{ .name = "tcp", .addr = "10.0.0.3", .act = A_HANG },
		/* .4: start() fails */
		{ .name = "route", .addr = "10.0.0.4", .act = A_HANG,
		    .start_rc = -EACCES },
		/* .5: the budget ends it (its own deadline is later) */
		{ .name = "tls", .addr = "10.0.0.5", .act = A_HANG,
		    .deadline_ms = 1000 },
		/* .6: cancel() tries a second verdict, which is dropped */
		{ .name = "route", .addr = "10.0.0.6", .st = ND_PASS,
		    .report_in_cancel = true },
		{ .name = NULL },
	};
	const struct nd_finding *f;
	struct nd_probe *p;

	fx->script = script;
	fx->run.budget_ms = 500;
	fx_target(fx, "tcp://10.0.0.1:1");
	fx_target(fx, "tcp://10.0.0.2:1");
	fx_target(fx, "tcp://10.0.0.3:1");
	fx_target(fx, "tcp://10.0.0.4:1");
	fx_target(fx, "tls://10.0.0.5:443");
	fx_target(fx, "tcp://10.0.0.6:1");
	fx_plan(fx);
	assert_int_equal(fx_run(fx), 0);
	assert_int_equal(nd_engine_elapsed_us(fx->e), 500000);

	p = probe(fx, "tcp://10.0.0.1:1#tcp");
	assert_int_equal(p->status, ND_FAIL);
	assert_int_equal(ctx(p)->later_fired, 1);
	assert_int_equal(ctx(p)->expires, 0);
	p = probe(fx, "tcp://10.0.0.2:1#tcp");
	assert_int_equal(p->status, ND_FAIL);
	assert_int_equal(ctx(p)->expires, 1);
	p = probe(fx, "tcp://10.0.0.3:1#tcp");
	assert_int_equal(p->status, ND_ERROR);
	assert_int_equal(ctx(p)->expires, 1);
	assert_non_null(finding(p, "probe.local_error"));
	p = probe(fx, "tcp://10.0.0.4:1#route");
	assert_int_equal(p->status, ND_ERROR);
	assert_non_null(f = finding(p, "probe.local_error"));
	assert_string_equal(nd_evidence_get(f, "errno"), "13");
	assert_int_equal(probe(fx, "tcp://10.0.0.4:1#tcp")->status, ND_SKIP);
	p = probe(fx, "tls://10.0.0.5:443#tls");
	assert_int_equal(p->status, ND_ERROR);
	assert_int_equal(ctx(p)->expires, 0);
	assert_non_null(finding(p, "probe.budget_exceeded"));
	p = probe(fx, "tcp://10.0.0.6:1#route");
	assert_int_equal(p->status, ND_PASS);
	assert_int_equal(probe(fx, "tcp://10.0.0.6:1#tcp")->status, ND_PASS);

	assert_int_equal(fx->running, 0);
	assert_int_equal(nd_loop_pending(fx->loop), 1);
	assert_cancel_contract(fx);
}

/*
 * The loop fails at 20 ms with three probes running: nd_engine_run
 * returns the error and nd_engine_free must cancel exactly those, once
 * each, with their status final, as nd_probe_done would (route@.2's
 * cancel() reports like a c-ares callback fired from ares_destroy).
 */
static void
test_free_aborted_run_cancels_running(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "tcp", .addr = "10.0.0.1", .act = A_HANG },
		{ .name = "route", .addr = "10.0.0.2", .act = A_HANG,
		    .report_in_cancel = true },
		{ .name = "route", .addr = "10.0.0.3", .act = A_LATER,
		    .after_ms = 50, .st = ND_PASS },
		{ .name = NULL },
	};
	struct nd_probe *r1, *t1, *r2, *t2, *r3, *t3;
	char path[64], link[64];
	ssize_t len;

	/* The fd fx_new saw taken by epoll_create1 is the loop's. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fx->epfd);
	len = readlink(path, link, sizeof(link) - 1);
	assert_true(len > 0);
	link[len] = '\0';
	assert_string_equal(link, "anon_inode:[eventpoll]");

	fx->script = script;
	fx->run.timeout_ms = 1000;
	fx->break_at = FX_T0 + 20000;
	fx_target(fx, "tcp://10.0.0.1:1");
	fx_target(fx, "tcp://10.0.0.2:1");
	fx_target(fx, "tcp://10.0.0.3:1");
	fx_plan(fx);
	assert_int_equal(fx_run(fx), -EINVAL);
	r1 = probe(fx, "tcp://10.0.0.1:1#route");
	t1 = probe(fx, "tcp://10.0.0.1:1#tcp");
	r2 = probe(fx, "tcp://10.0.0.2:1#route");
	t2 = probe(fx, "tcp://10.0.0.2:1#tcp");
	r3 = probe(fx, "tcp://10.0.0.3:1#route");
	t3 = probe(fx, "tcp://10.0.0.3:1#tcp");
	assert_int_equal(r1->status, ND_PASS);
	assert_int_equal(t1->status, ND_RUNNING);
	assert_int_equal(r2->status, ND_RUNNING);
	assert_int_equal(r3->status, ND_RUNNING);
	assert_int_equal(t2->status, ND_PENDING);
	assert_int_equal(t3->status, ND_PENDING);
	assert_int_equal(fx->running, 3);

	nd_engine_free(fx->e);
	fx->e = NULL;
	assert_int_equal(ctx(r1)->cancels, 1);
	assert_int_equal(ctx(t1)->cancels, 1);
	assert_int_equal(ctx(r2)->cancels, 1);
	assert_int_equal(ctx(r3)->cancels, 1);
	assert_int_equal(ctx(r3)->later_fired, 0);
	assert_int_equal(ctx(t1)->expires + ctx(r2)->expires +
	    ctx(r3)->expires, 0);
	assert_never_started(t2);
	assert_never_started(t3);
	assert_int_equal(fx->running, 0);
	/* Every deadline disarmed: only the ticker's watch is left. */
	assert_int_equal(nd_loop_pending(fx->loop), 1);
	{
		struct nd_probe *all[] = { r1, t1, r2, t2, r3, t3 };
		size_t i;

		for (i = 0; i < ND_ARRAY_SIZE(all); i++) {
			const struct fake_ctx *c = ctx(all[i]);

			if (c->cancels == 1 && (c->status_at_cancel ==
			    ND_RUNNING || c->status_at_cancel == ND_PENDING))
				fail_msg("%s: cancel() saw status %s",
				    all[i]->id,
				    nd_status_name(c->status_at_cancel));
		}
	}
}

static void
test_free_after_plan_starts_nothing(void **state)
{
	struct fx *fx = *state;
	struct nd_probe *const *v;
	struct nd_probe *p[4];	/* the engine's array goes with it */
	size_t i, n;

	fx_target(fx, "tls://10.0.0.1:443");
	fx_target(fx, "tcp://svc.example:80");
	fx_plan(fx);
	v = probes(fx, &n);
	assert_int_equal(n, 4);	/* route, tcp, tls; resolve */
	memcpy(p, v, sizeof(p));
	nd_engine_free(fx->e);
	fx->e = NULL;
	for (i = 0; i < n; i++)
		assert_never_started(p[i]);
	assert_int_equal(fx->nstarted, 0);
	assert_int_equal(nd_loop_pending(fx->loop), 0);
}

/* ------------------------------------------------------------ max_inflight */

static void
run_five_targets(struct fx *fx, size_t max_inflight)
{
	const struct rule script[] = {
		{ .name = "route", .addr = "10.0.0.1", .act = A_LATER,
		    .after_ms = 4, .st = ND_PASS },
		{ .name = "route", .addr = "10.0.0.2", .act = A_LATER,
		    .after_ms = 1, .st = ND_PASS },
		{ .name = "route", .addr = "10.0.0.3", .act = A_LATER,
		    .after_ms = 6, .st = ND_PASS },
		{ .name = "route", .act = A_LATER, .after_ms = 2,
		    .st = ND_PASS },
		{ .name = "tcp", .act = A_LATER, .after_ms = 3, .st = ND_PASS },
		{ .name = NULL },
	};
	struct nd_probe *const *v;
	size_t i, n;
	char url[64];

	fx->script = script;
	fx->run.max_inflight = max_inflight;
	for (i = 1; i <= 5; i++) {
		snprintf(url, sizeof(url), "tcp://10.0.0.%zu:1", i);
		fx_target(fx, url);
	}
	fx_plan(fx);
	assert_int_equal(nd_engine_max_inflight(fx->e), max_inflight);
	assert_int_equal(fx_run(fx), 0);
	v = probes(fx, &n);
	assert_int_equal(n, 10);
	for (i = 0; i < n; i++) {
		assert_int_equal(v[i]->status, ND_PASS);
		assert_int_equal(ctx(v[i])->starts, 1);
	}
	assert_int_equal(fx->nstarted, 10);
	assert_int_equal(fx->running, 0);
	/* The limit is reached, never passed. */
	assert_int_equal(fx->max_running, (long)max_inflight);
	/* The ready queue is FIFO: plan order first. */
	assert_string_equal(fx->started[0]->id, "tcp://10.0.0.1:1#route");
	assert_cancel_contract(fx);
}

static void
test_max_inflight_two(void **state)
{
	struct fx *fx = *state;

	run_five_targets(fx, 2);
	assert_string_equal(fx->started[1]->id, "tcp://10.0.0.2:1#route");
	/* route@.2 ends first (1 ms): route@.3 takes its slot. */
	assert_string_equal(fx->started[2]->id, "tcp://10.0.0.3:1#route");
}

static void
test_max_inflight_one_serializes(void **state)
{
	struct fx *fx = *state;
	size_t i;

	run_five_targets(fx, 1);
	for (i = 1; i < fx->nstarted; i++)
		assert_started_after(fx->started[i], fx->started[i - 1]);
}

/*
 * An ops' inflight_max: five handshakes that take 5 ms each run two at a
 * time, the others wait their turn in plan order with their deadline not
 * started, while the probes of other ops are not held back by them.
 */
static void
test_inflight_max_per_ops(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "tls", .act = A_LATER, .after_ms = 5, .st = ND_PASS },
		{ .name = "tcp", .act = A_LATER, .after_ms = 5, .st = ND_PASS },
		{ .name = NULL },
	};
	struct nd_probe *const *v;
	struct nd_probe *tls[5];
	size_t i, n, ntls = 0;
	char url[64];

	fx->script = script;
	fx->tls_capped = true;
	for (i = 1; i <= 5; i++) {
		snprintf(url, sizeof(url), "tls://10.0.0.%zu:443", i);
		fx_target(fx, url);
	}
	fx_plan(fx);
	assert_int_equal(fx_run(fx), 0);
	v = probes(fx, &n);
	assert_int_equal(n, 15);
	for (i = 0; i < n; i++) {
		assert_int_equal(v[i]->status, ND_PASS);
		assert_int_equal(ctx(v[i])->starts, 1);
		if (strcmp(v[i]->ops->name, "tls") == 0)
			tls[ntls++] = v[i];
	}
	assert_int_equal(ntls, 5);
	assert_int_equal(fx->tls_max_running, 2);
	/* The five tcp probes ran at once: the cap is tls' alone. */
	assert_true(fx->max_running >= 5);
	/*
	 * Three waited for a slot: each started when an earlier one ended,
	 * and its deadline counts from its start, not from when it was ready.
	 */
	for (i = 0, n = 0; i < 5; i++) {
		size_t j, ended = 0;

		for (j = 0; j < 5; j++)
			ended += j != i && tls[j]->t_end <= tls[i]->t_start;
		n += ended > 0;
		assert_int_equal(ctx(tls[i])->deadline,
		    tls[i]->t_start + (uint64_t)FX_TIMEOUT_MS * 1000u);
	}
	assert_int_equal(n, 3);
	assert_cancel_contract(fx);
}

/* ------------------------------------------------------------ --only/--skip */

static void
test_skip_not_planned(void **state)
{
	struct fx *fx = *state;
	static const char *const skip[] = { "tcp", NULL };
	struct nd_target *t1, *t2;
	struct nd_probe *route, *tls;
	size_t i;

	fx->run.skip = skip;
	t1 = fx_target(fx, "tls://10.0.0.1:443");
	t2 = fx_target(fx, "tcp://10.0.0.2:1");
	fx_plan(fx);
	assert_int_equal(nprobes(fx), 3);
	assert_int_equal(count_named(fx, "tcp"), 0);
	assert_plan_is_selection(fx, t1);
	assert_plan_is_selection(fx, t2);
	route = probe(fx, "tls://10.0.0.1:443#route");
	tls = probe(fx, "tls://10.0.0.1:443#tls");
	/* Without tcp, the probe below tls is route. */
	assert_int_equal(tls->nneeds, 1);
	assert_ptr_equal(tls->needs[0], route);
	(void)probe(fx, "tcp://10.0.0.2:1#route");

	assert_int_equal(fx_run(fx), 0);
	for (i = 0; i < fx->nstarted; i++)
		assert_string_not_equal(fx->started[i]->ops->name, "tcp");
	assert_int_equal(fx->nstarted, 3);
	assert_started_after(tls, route);
	assert_cancel_contract(fx);
}

static void
test_only_planned(void **state)
{
	struct fx *fx = *state;
	static const char *const only[] = { "tcp", "tls", NULL };
	static const char *const skip[] = { "tls", NULL };	/* skip wins */
	struct nd_target *t1, *t2, *t3;
	struct nd_probe *tcp1, *tcp2, *tcp3;

	fx->run.only = only;
	fx->run.skip = skip;
	t1 = fx_target(fx, "tls://10.0.0.1:443");
	t2 = fx_target(fx, "tcp://svc.example:80");
	t3 = fx_target(fx, "tcp://10.0.0.3:1");
	fx_plan(fx);
	assert_plan_is_selection(fx, t1);
	assert_plan_is_selection(fx, t2);
	assert_plan_is_selection(fx, t3);
	assert_int_equal(nprobes(fx), 3);
	tcp1 = probe(fx, "tls://10.0.0.1:443#tcp");
	/* No resolve: no fan-out, the endpoint is the name itself. */
	tcp2 = probe(fx, "tcp://svc.example:80#tcp");
	assert_int_equal(tcp2->ep->addrlen, 0);
	assert_string_equal(tcp2->ep->label, "svc.example:80");
	tcp3 = probe(fx, "tcp://10.0.0.3:1#tcp");
	/* Its needs are not planned: nothing gates it. */
	assert_int_equal(tcp1->nneeds, 0);
	assert_int_equal(tcp2->nneeds, 0);
	assert_int_equal(tcp3->nneeds, 0);
	assert_false(nd_probe_selected(only, skip, "tls"));
	assert_false(nd_probe_selected(only, skip, "route"));
	assert_true(nd_probe_selected(only, skip, "tcp"));

	assert_int_equal(fx_run(fx), 0);
	assert_int_equal(fx->nstarted, 3);
	assert_int_equal(tcp1->status, ND_PASS);
	assert_int_equal(tcp2->status, ND_PASS);
	assert_int_equal(tcp3->status, ND_PASS);
	assert_cancel_contract(fx);
}

/* ------------------------------------------------------------ nd_engine_start */

/* What a done callback saw (nd_engine_start). */
struct done_rec {
	struct nd_engine	*e;
	unsigned		 calls;
	int			 rc;
	uint64_t		 when;		/* fake clock */
	unsigned		 order;		/* 1 = first done */
	bool			 free_in_done;	/* frees its engine in done */
	unsigned		*counter;
};

static void
rec_done(void *arg, int rc)
{
	struct done_rec *d = arg;

	d->calls++;
	d->rc = rc;
	d->when = fx_cur->now;
	d->order = ++*d->counter;
	assert_true(nd_engine_ended(d->e));
	if (d->free_in_done) {
		nd_engine_free(d->e);
		d->e = NULL;
	}
}

/* Turns the loop until both ran to their end (bounded by fx_tick). */
static void
fx_turn_until(struct fx *fx, const struct done_rec *a, const struct done_rec *b)
{
	assert_int_equal(nd_loop_fd_set(fx->loop, fx->tickfd, ND_EV_READ,
	    fx_tick, fx), 0);
	while (a->calls == 0 || (b != NULL && b->calls == 0))
		assert_true(nd_loop_run_once(fx->loop, 1000000) >= 0);
	/* A few more rounds: no second done. */
	for (int i = 0; i < 5; i++)
		assert_true(nd_loop_run_once(fx->loop, 1000000) >= 0);
}

/*
 * Two runs on one loop (netdoctor serve): each its own nd_run, engine and
 * inventory; they overlap in time, end in the order of their probes'
 * times, and each done is called once.  The shorter one frees its engine
 * inside its done callback, which the engine must allow.
 */
static void
test_start_two_runs_share_one_loop(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "tcp", .target = "tcp://10.0.0.1:1", .act = A_LATER,
		    .after_ms = 30, .st = ND_FAIL, .finding = "tcp.refused" },
		{ .name = "tcp", .target = "tcp://10.0.0.2:2", .act = A_LATER,
		    .after_ms = 5, .st = ND_PASS },
		{ .name = NULL },
	};
	struct nd_run run2;
	struct nd_inventory inv2;
	struct nd_target *t2[1];
	struct nd_engine *e2;
	struct done_rec d1 = { 0 }, d2 = { 0 };
	unsigned counter = 0;
	char err[256] = "";
	struct nd_probe *const *pv;
	size_t n, i;

	fx->script = script;
	fx_target(fx, "tcp://10.0.0.1:1");
	fx_plan(fx);
	run2 = fx->run;
	run2.engine = NULL;
	assert_int_equal(nd_target_parse(fx->arena, "tcp://10.0.0.2:2", "test",
	    &t2[0], err, sizeof(err)), 0);
	inv2.targets = t2;
	inv2.ntargets = 1;
	assert_non_null(e2 = nd_engine_new(&run2));
	assert_int_equal(nd_engine_plan(e2, &inv2, err, sizeof(err)), 0);

	d1.e = fx->e;
	d1.counter = &counter;
	d2.e = e2;
	d2.counter = &counter;
	d2.free_in_done = true;
	nd_engine_start(fx->e, rec_done, &d1);
	nd_engine_start(e2, rec_done, &d2);
	/* start returns at once: nothing ended yet. */
	assert_int_equal(d1.calls + d2.calls, 0);
	assert_false(nd_engine_ended(fx->e));
	fx_turn_until(fx, &d1, &d2);

	assert_int_equal(d1.calls, 1);
	assert_int_equal(d2.calls, 1);
	assert_int_equal(d1.rc, 0);
	assert_int_equal(d2.rc, 0);
	assert_null(d2.e);			/* freed in its done */
	assert_int_equal(d2.order, 1);		/* 5 ms before 30 ms */
	assert_int_equal(d1.order, 2);
	assert_true(d2.when < d1.when);
	assert_true(d1.when >= FX_T0 + 30000);
	pv = nd_engine_probes(fx->e, &n);
	for (i = 0; i < n; i++)
		if (strcmp(pv[i]->ops->name, "tcp") == 0)
			assert_int_equal(pv[i]->status, ND_FAIL);
	assert_true(nd_engine_elapsed_us(fx->e) >= 30000);
}

/* Cancelling a started run ends it through done, once, every probe ended. */
static void
test_start_cancel_calls_done(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "tcp", .act = A_HANG, .expire_st = ND_PENDING },
		{ .name = NULL },
	};
	struct done_rec d = { 0 };
	unsigned counter = 0;
	struct nd_probe *const *pv;
	size_t n, i;

	fx->script = script;
	fx->run.timeout_ms = 60000;
	fx_target(fx, "tls://10.0.0.1:443");
	fx_plan(fx);
	d.e = fx->e;
	d.counter = &counter;
	nd_engine_start(fx->e, rec_done, &d);
	assert_int_equal(nd_loop_fd_set(fx->loop, fx->tickfd, ND_EV_READ,
	    fx_tick, fx), 0);
	for (i = 0; i < 10; i++)
		assert_true(nd_loop_run_once(fx->loop, 1000000) >= 0);
	assert_int_equal(d.calls, 0);		/* tcp hangs */
	nd_engine_cancel(fx->e);
	fx_turn_until(fx, &d, NULL);
	assert_int_equal(d.calls, 1);
	assert_int_equal(d.rc, 0);
	pv = nd_engine_probes(fx->e, &n);
	for (i = 0; i < n; i++)
		assert_true(pv[i]->status != ND_RUNNING &&
		    pv[i]->status != ND_PENDING);
	assert_cancel_contract(fx);
}

/* ------------------------------------------------------------ prepare() */

/*
 * A prepared probe holds what prepare() opened (the arp probe's capture
 * handle) whether or not it ever starts: every way it can end without
 * starting releases it, once, as one that ran is (serve runs a plan per
 * scrape, so a leak here grows with every scrape).
 */
static void
test_prepared_released_when_skipped(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "route", .addr = "10.0.0.1", .st = ND_FAIL,
		    .finding = "route.no_route" },
		{ .name = NULL },
	};
	struct nd_probe *skipped, *ran;

	fx->script = script;
	fx_target(fx, "tls://10.0.0.1:443");
	fx_target(fx, "tls://10.0.0.2:443");
	fx_plan(fx);
	assert_int_equal(nd_engine_prepare(fx->e), 2);
	assert_int_equal(fx_run(fx), 0);
	skipped = probe(fx, "tls://10.0.0.1:443#tls");
	ran = probe(fx, "tls://10.0.0.2:443#tls");
	assert_int_equal(skipped->status, ND_SKIP);
	assert_never_started(skipped);
	assert_int_equal(ctx(skipped)->cancels, 1);
	assert_int_equal(ctx(skipped)->status_at_cancel, ND_SKIP);
	assert_int_equal(ran->status, ND_PASS);
	assert_int_equal(ctx(ran)->starts, 1);
	assert_int_equal(fx->prepares, 2);
	assert_int_equal(fx->releases, fx->prepares);
	assert_cancel_contract(fx);
}

/* A signal before the run started (session.c): nothing starts. */
static void
test_prepared_released_when_cancelled_before_start(void **state)
{
	struct fx *fx = *state;
	struct nd_probe *const *v;
	size_t i, n;

	fx_target(fx, "tls://10.0.0.1:443");
	fx_target(fx, "tls://10.0.0.2:443");
	fx_target(fx, "tls://10.0.0.3:443");
	fx_plan(fx);
	assert_int_equal(nd_engine_prepare(fx->e), 3);
	nd_engine_cancel(fx->e);
	assert_int_equal(fx_run(fx), 0);
	assert_int_equal(fx->nstarted, 0);
	v = probes(fx, &n);
	for (i = 0; i < n; i++) {
		assert_int_equal(v[i]->status, ND_ERROR);
		assert_non_null(finding(v[i], "probe.cancelled"));
		assert_never_started(v[i]);
	}
	assert_int_equal(fx->prepares, 3);
	assert_int_equal(fx->releases, fx->prepares);
	assert_cancel_contract(fx);
}

/* prepare() already failed: the probe ends with it and is released once. */
static void
test_prepare_failed_released_once(void **state)
{
	struct fx *fx = *state;
	struct nd_probe *tls;

	fx->prepare_st = ND_ERROR;
	fx_target(fx, "tls://10.0.0.1:443");
	fx_plan(fx);
	assert_int_equal(nd_engine_prepare(fx->e), 1);
	assert_int_equal(fx_run(fx), 0);
	tls = probe(fx, "tls://10.0.0.1:443#tls");
	assert_int_equal(tls->status, ND_ERROR);
	assert_int_equal(ctx(tls)->starts, 0);
	assert_int_equal(ctx(tls)->cancels, 1);
	assert_int_equal(fx->releases, 1);
	assert_cancel_contract(fx);
}

/*
 * The engine freed while a prepared probe still waits for its need (a
 * scrape whose loop failed, an aborted round), or before it started at
 * all (a plan thrown away after prepare): released by nd_engine_free.
 */
static void
test_prepared_released_by_free(void **state)
{
	struct fx *fx = *state;
	const struct rule script[] = {
		{ .name = "tcp", .act = A_HANG },
		{ .name = NULL },
	};
	struct nd_probe *tls;

	fx->script = script;
	fx->run.timeout_ms = 1000;
	fx->break_at = FX_T0 + 20000;
	fx_target(fx, "tls://10.0.0.1:443");
	fx_plan(fx);
	assert_int_equal(nd_engine_prepare(fx->e), 1);
	assert_int_equal(fx_run(fx), -EINVAL);
	tls = probe(fx, "tls://10.0.0.1:443#tls");
	assert_int_equal(tls->status, ND_PENDING);
	assert_int_equal(fx->releases, 0);
	nd_engine_free(fx->e);
	fx->e = NULL;
	assert_int_equal(ctx(tls)->starts, 0);
	assert_int_equal(ctx(tls)->cancels, 1);
	assert_int_equal(fx->releases, 1);
	assert_int_equal(fx->running, 0);

	fx_target(fx, "tls://10.0.0.2:443");
	fx_plan(fx);
	assert_int_equal(nd_engine_prepare(fx->e), 2);
	nd_engine_free(fx->e);
	fx->e = NULL;
	assert_int_equal(fx->prepares, 3);
	assert_int_equal(fx->releases, fx->prepares);
}

/* ------------------------------------------------------------ main */

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_gating_fail_skips_chain),
		T(test_gating_error_skips_chain),
		T(test_gating_middle_failure),
		T(test_gating_pass_opens_after_end),
		T(test_gating_warn_opens_after_end),
		T(test_gating_unknown_probe_unsupported),
		T(test_share_one_instance_blocks_both),
		T(test_share_pass_serves_both),
		T(test_share_late_join_gets_facts),
		T(test_share_late_join_failed_instance_blocks),
		T(test_share_many_keys),
		T(test_fanout_chain_per_address),
		T(test_fanout_failed_resolve_plans_nothing),
		T(test_deadline_expire_gives_verdict),
		T(test_deadline_engine_ends_silent_probe),
		T(test_budget_ends_running_and_pending),
		T(test_cancel_once_whatever_ended_it),
		T(test_free_aborted_run_cancels_running),
		T(test_free_after_plan_starts_nothing),
		T(test_max_inflight_two),
		T(test_max_inflight_one_serializes),
		T(test_inflight_max_per_ops),
		T(test_skip_not_planned),
		T(test_only_planned),
		T(test_start_two_runs_share_one_loop),
		T(test_start_cancel_calls_done),
		T(test_prepared_released_when_skipped),
		T(test_prepared_released_when_cancelled_before_start),
		T(test_prepare_failed_released_once),
		T(test_prepared_released_by_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
