/*
 * test_diagnose.c - causes and ranking over hand-built probe graphs:
 * gating explanations, the unroutable-private rule, the rank order of
 * docs/contracts.md 5.3 (severity, explains, layer, confidence, input order), and
 * the overall status rollup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "engine.h"
#include "finding.h"
#include "probe.h"
#include "diagnose.h"
#include "target.h"
#include "util.h"

static const struct nd_probe_ops ops_route = { .name = "route",
    .layer = ND_L_ROUTE };
static const struct nd_probe_ops ops_tcp = { .name = "tcp",
    .layer = ND_L_TCP };

struct world {
	struct nd_arena		*arena;
	struct nd_run		 run;
	struct nd_probe		*probes[32];
	size_t			 n;
};

static struct nd_target *
mk_target(struct world *w, const char *url, size_t index)
{
	struct nd_target *t = nd_target_new(w->arena);

	t->url = nd_arena_strdup(w->arena, url);
	t->host = nd_arena_strdup(w->arena, "10.0.0.1");
	t->host_is_ip = true;
	t->port = 6443;
	t->index = index;
	return t;
}

static struct nd_probe *
mk_probe(struct world *w, const struct nd_probe_ops *ops,
    const struct nd_target *t, enum nd_status st)
{
	struct nd_probe *p = nd_arena_alloc(w->arena, sizeof(*p));
	struct nd_endpoint *ep = nd_arena_alloc(w->arena, sizeof(*ep));

	ep->target = t;
	ep->addrstr = "10.0.0.1";
	ep->label = "10.0.0.1:6443";
	p->ops = ops;
	p->run = &w->run;
	p->target = t;
	p->ep = ep;
	p->status = st;
	p->id = nd_arena_printf(w->arena, "%s#%s", t->url, ops->name);
	p->served = nd_arena_alloc(w->arena, sizeof(*p->served));
	p->served[0] = ep;
	p->nserved = 1;
	p->index = w->n;
	w->probes[w->n++] = p;
	return p;
}

static void
need(struct world *w, struct nd_probe *p, struct nd_probe *n)
{
	p->needs = nd_arena_grow(w->arena, p->needs, p->nneeds,
	    p->nneeds + 1, sizeof(*p->needs));
	p->needs[p->nneeds++] = n;
	if (p->status == ND_SKIP)
		p->blocked_by = n->status == ND_SKIP ? n->blocked_by : n;
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	w->arena = nd_arena_new();
	w->run.timeout_ms = 1000;
	w->run.arena = w->arena;
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	nd_arena_free(w->arena);
	free(w);
	return 0;
}

static void
test_no_route_explains_blocked_tcp(void **state)
{
	struct world *w = *state;
	struct nd_target *a = mk_target(w, "talos://10.0.0.1:50000", 0);
	struct nd_target *b = mk_target(w, "k8s://10.0.0.1:6443", 1);
	struct nd_probe *route = mk_probe(w, &ops_route, a, ND_FAIL);
	struct nd_probe *t1 = mk_probe(w, &ops_tcp, a, ND_SKIP);
	struct nd_probe *t2 = mk_probe(w, &ops_tcp, b, ND_SKIP);
	struct nd_cause *c;
	size_t n;

	/* One shared route instance behind both targets. */
	nd_finding_add(route, ND_F_ROUTE_NO_ROUTE, "no route");
	need(w, t1, route);
	need(w, t2, route);
	nd_diagnose(w->arena, w->probes, w->n, &c, &n);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].finding->def->id, "route.no_route");
	assert_int_equal(c[0].rank, 1);
	assert_int_equal(c[0].nexplains, 2);
	assert_ptr_equal(c[0].explains[0], t1);
	assert_ptr_equal(c[0].explains[1], t2);
}

static void
test_unroutable_private_explains_timeout(void **state)
{
	struct world *w = *state;
	struct nd_target *a = mk_target(w, "tcp://172.30.0.2:6443", 0);
	struct nd_probe *route = mk_probe(w, &ops_route, a, ND_PASS);
	struct nd_probe *tcp = mk_probe(w, &ops_tcp, a, ND_FAIL);
	struct nd_finding *note;
	struct nd_cause *c;
	size_t n;

	nd_finding_add(route, ND_F_ROUTE_OK, "routed via eth0");
	note = nd_finding_add(route, ND_F_ROUTE_UNROUTABLE_PRIVATE, "private");
	note->sev = ND_SEV_INFO;
	nd_finding_add(tcp, ND_F_TCP_TIMEOUT, "silent");
	need(w, tcp, route);
	nd_diagnose(w->arena, w->probes, w->n, &c, &n);
	/* The timeout is explained, not a cause of its own. */
	assert_int_equal(n, 1);
	assert_string_equal(c[0].finding->def->id, "route.unroutable_private");
	assert_int_equal(c[0].sev, ND_SEV_CRIT);
	assert_int_equal(c[0].nexplains, 1);
	assert_ptr_equal(c[0].explains[0], tcp);
}

static void
test_unroutable_private_alone_is_no_cause(void **state)
{
	struct world *w = *state;
	struct nd_target *a = mk_target(w, "tcp://192.168.1.10:22", 0);
	struct nd_probe *route = mk_probe(w, &ops_route, a, ND_PASS);
	struct nd_probe *tcp = mk_probe(w, &ops_tcp, a, ND_PASS);
	struct nd_finding *note;
	struct nd_cause *c;
	size_t n;

	note = nd_finding_add(route, ND_F_ROUTE_UNROUTABLE_PRIVATE, "private");
	note->sev = ND_SEV_INFO;
	nd_finding_add(tcp, ND_F_TCP_CONNECTED, "ok");
	need(w, tcp, route);
	nd_diagnose(w->arena, w->probes, w->n, &c, &n);
	assert_int_equal(n, 0);
}

static void
test_rank_order(void **state)
{
	struct world *w = *state;
	struct nd_target *t0 = mk_target(w, "tcp://10.0.0.1:1", 0);
	struct nd_target *t1 = mk_target(w, "tcp://10.0.0.1:2", 1);
	struct nd_target *t2 = mk_target(w, "tcp://10.0.0.1:3", 2);
	struct nd_target *t3 = mk_target(w, "tcp://10.0.0.1:4", 3);
	struct nd_probe *warn = mk_probe(w, &ops_tcp, t0, ND_WARN);
	struct nd_probe *refused1 = mk_probe(w, &ops_tcp, t1, ND_FAIL);
	struct nd_probe *refused2 = mk_probe(w, &ops_tcp, t2, ND_FAIL);
	struct nd_probe *route = mk_probe(w, &ops_route, t3, ND_FAIL);
	struct nd_probe *blocked = mk_probe(w, &ops_tcp, t3, ND_SKIP);
	struct nd_probe *err = mk_probe(w, &ops_tcp, t0, ND_ERROR);
	struct nd_finding *slow;
	struct nd_cause *c;
	size_t n;

	slow = nd_finding_add(warn, ND_F_TCP_SLOW_CONNECT, "slow");
	slow->sev = ND_SEV_WARN;
	nd_finding_add(refused1, ND_F_TCP_REFUSED, "refused 2");
	nd_finding_add(refused2, ND_F_TCP_REFUSED, "refused 3");
	nd_finding_add(route, ND_F_ROUTE_BLACKHOLE, "blackhole");
	need(w, blocked, route);
	nd_finding_add(err, ND_F_PROBE_LOCAL_ERROR, "EMFILE");
	nd_diagnose(w->arena, w->probes, w->n, &c, &n);
	assert_int_equal(n, 5);
	/* Critical and explaining one probe beats critical explaining none. */
	assert_string_equal(c[0].finding->def->id, "route.blackhole");
	/* Equal severity, explains and layer: input order. */
	assert_string_equal(c[1].finding->summary, "refused 2");
	assert_string_equal(c[2].finding->summary, "refused 3");
	/* WARNING outranks UNKNOWN (Monitoring Plugins rollup order). */
	assert_string_equal(c[3].finding->def->id, "tcp.slow_connect");
	assert_string_equal(c[4].finding->def->id, "probe.local_error");
	for (size_t i = 0; i < n; i++)
		assert_int_equal(c[i].rank, i + 1);
}

static void
test_lower_layer_first_on_ties(void **state)
{
	struct world *w = *state;
	struct nd_target *t0 = mk_target(w, "tcp://10.0.0.1:1", 0);
	struct nd_target *t1 = mk_target(w, "tcp://10.0.0.2:1", 1);
	struct nd_probe *tcp = mk_probe(w, &ops_tcp, t0, ND_FAIL);
	struct nd_probe *route = mk_probe(w, &ops_route, t1, ND_FAIL);
	struct nd_cause *c;
	size_t n;

	nd_finding_add(tcp, ND_F_TCP_REFUSED, "refused");
	nd_finding_add(route, ND_F_ROUTE_NO_ROUTE, "no route");
	nd_diagnose(w->arena, w->probes, w->n, &c, &n);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].finding->def->id, "route.no_route");
	assert_string_equal(c[1].finding->def->id, "tcp.refused");
}

static void
test_fix_expansion(void **state)
{
	struct world *w = *state;
	struct nd_target *t = mk_target(w, "tcp://10.0.0.1:6443", 0);
	struct nd_probe *tcp = mk_probe(w, &ops_tcp, t, ND_FAIL);
	struct nd_finding *f = nd_finding_add(tcp, ND_F_ROUTE_NO_ROUTE, "x");
	const char *fix = nd_fix_expand(w->arena, f);

	/* {addr} from the endpoint, {port} from the target. */
	assert_non_null(strstr(fix, "ip route add 10.0.0.1 via"));
	assert_non_null(strstr(fix, "127.0.0.1:6443"));
	assert_null(strchr(fix, '{'));
}

/* A value longer than the fix's room is cut there, not past it. */
static void
test_fix_expansion_bounded(void **state)
{
	struct world *w = *state;
	struct nd_target *t = mk_target(w, "tcp://10.0.0.1:6443", 0);
	struct nd_probe *tcp = mk_probe(w, &ops_tcp, t, ND_FAIL);
	struct nd_finding *f = nd_finding_add(tcp, ND_F_ROUTE_NO_ROUTE, "x");
	char big[2000];
	const char *fix;
	size_t i;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	/* Evidence comes before the endpoint for {addr}. */
	nd_evidence_add(f, "addr", "%s", big);
	fix = nd_fix_expand(w->arena, f);
	assert_int_equal(strlen(fix), 1023);
	assert_memory_equal(fix, "ip route add aaa", 16);
	for (i = 13; i < 1023; i++)
		assert_int_equal(fix[i], 'a');
}

/* A shadowed range explains the timeouts of the addresses inside it,
   matched on typed addresses, not on the evidence text. */
static void
test_subject_covers(void **state)
{
	struct world *w = *state;
	struct nd_target *plan = mk_target(w, "addrplan://", 0);
	struct nd_target *in = mk_target(w, "tcp://10.0.0.1:6443", 1);
	struct nd_target *out = mk_target(w, "tcp://10.0.1.1:6443", 2);
	struct nd_probe *pp = mk_probe(w, &ops_route, plan, ND_FAIL);
	struct nd_probe *t1 = mk_probe(w, &ops_tcp, in, ND_FAIL);
	struct nd_probe *t2 = mk_probe(w, &ops_tcp, out, ND_FAIL);
	struct nd_finding *sh;
	uint8_t lo[4] = { 10, 0, 0, 0 }, hi[4] = { 10, 0, 0, 255 };
	struct nd_cause *c;
	size_t n, i;

	t1->ep->addr.sin.sin_family = AF_INET;
	inet_pton(AF_INET, "10.0.0.1", &t1->ep->addr.sin.sin_addr);
	t1->ep->addrlen = sizeof(t1->ep->addr.sin);
	t2->ep->addr.sin.sin_family = AF_INET;
	inet_pton(AF_INET, "10.0.1.1", &t2->ep->addr.sin.sin_addr);
	t2->ep->addrlen = sizeof(t2->ep->addr.sin);
	sh = nd_finding_add(pp, ND_F_PLAN_SHADOWED, "shadowed");
	/* Evidence text that would mislead a text match: the value counts. */
	nd_evidence_add(sh, "range", "10.0.1.0/24");
	nd_finding_about_range(sh, AF_INET, lo, hi);
	nd_finding_add(t1, ND_F_TCP_TIMEOUT, "silent");
	nd_finding_add(t2, ND_F_TCP_TIMEOUT, "silent");
	nd_diagnose(w->arena, w->probes, w->n, &c, &n);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		if (strcmp(c[i].finding->def->id, "plan.shadowed") == 0)
			break;
	assert_true(i < n);
	assert_int_equal(c[i].nexplains, 1);
	assert_ptr_equal(c[i].explains[0], t1);
	assert_string_equal(c[1 - i].finding->def->id, "tcp.timeout");
	assert_ptr_equal(c[1 - i].finding->probe, t2);
}

static const struct nd_probe_ops ops_gateway = { .name = "gateway",
    .layer = ND_L_CONFIG };
static const struct nd_probe_ops ops_http = { .name = "http",
    .layer = ND_L_APP };

static struct nd_target *
mk_web(struct world *w, const char *url, const char *host, size_t index)
{
	struct nd_target *t = mk_target(w, url, index);

	t->scheme = ND_S_HTTPS;
	t->host = nd_arena_strdup(w->arena, host);
	t->host_is_ip = false;
	nd_target_xw(w->arena, t)->connect = nd_arena_strdup(w->arena,
	    "10.0.0.1");
	return t;
}

/*
 * A route its Gateway refused explains the proxy's 404 for its host
 * names, a wildcard hostname covering names below it, matched on the
 * finding's typed names, not on its evidence; other names keep their own
 * cause.
 */
static void
test_route_not_accepted_explains_404(void **state)
{
	struct world *w = *state;
	struct nd_target *gt = mk_target(w, "gateway://", 0);
	struct nd_target *a = mk_web(w, "https://sonarr.lab/?nd-connect=10.0.0.1",
	    "Sonarr.Lab", 1);
	struct nd_target *b = mk_web(w, "https://x.media.lab/?nd-connect=10.0.0.1",
	    "x.media.lab", 2);
	struct nd_target *c = mk_web(w, "https://radarr.lab/?nd-connect=10.0.0.1",
	    "radarr.lab", 3);
	struct nd_probe *gp = mk_probe(w, &ops_gateway, gt, ND_FAIL);
	struct nd_probe *h1 = mk_probe(w, &ops_http, a, ND_FAIL);
	struct nd_probe *h2 = mk_probe(w, &ops_http, b, ND_FAIL);
	struct nd_probe *h3 = mk_probe(w, &ops_http, c, ND_FAIL);
	char *names[] = { "sonarr.lab", "*.media.lab", NULL };
	struct nd_finding *f;
	struct nd_cause *cs;
	size_t n, i;

	f = nd_finding_add(gp, ND_F_GATEWAY_ROUTE_NOT_ACCEPTED, "refused");
	nd_evidence_add(f, "hostname.1", "radarr.lab");	/* misleading */
	nd_finding_about_names(f, names);
	nd_finding_add(h1, ND_F_HTTP_ROUTE_NOT_FOUND, "404");
	nd_finding_add(h2, ND_F_HTTP_ROUTE_NOT_FOUND, "404");
	nd_finding_add(h3, ND_F_HTTP_ROUTE_NOT_FOUND, "404");
	nd_diagnose(w->arena, w->probes, w->n, &cs, &n);
	assert_int_equal(n, 2);
	assert_string_equal(cs[0].finding->def->id,
	    "gateway.route_not_accepted");
	assert_int_equal(cs[0].nexplains, 2);
	for (i = 0; i < cs[0].nexplains; i++)
		assert_true(cs[0].explains[i] == h1 || cs[0].explains[i] == h2);
	assert_string_equal(cs[1].finding->def->id, "http.route_not_found");
	assert_ptr_equal(cs[1].finding->probe, h3);
	/* Gateway API wildcards: any depth below, never the parent name. */
	assert_true(nd_hostname_match("*.media.lab", "a.b.media.lab"));
	assert_false(nd_hostname_match("*.media.lab", "media.lab"));
	assert_false(nd_hostname_match("*.media.lab", "xmedia.lab"));
	assert_true(nd_hostname_match("sonarr.lab.", "SONARR.lab"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_route_explains_blocked_tcp,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unroutable_private_explains_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unroutable_private_alone_is_no_cause, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rank_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lower_layer_first_on_ties,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fix_expansion_bounded,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fix_expansion, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_subject_covers, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_route_not_accepted_explains_404, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
