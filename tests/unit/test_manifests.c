/*
 * test_manifests.c - nd_manifests_parse(): the Kubernetes API server's
 * list answers (compact JSON, as gateway+k8s:// reads them) go through the
 * loader of --manifests, into the same objects: Gateways with their
 * status, routes with hostnames, parentRefs and status.parents, each
 * answer named as their source; typed lists whose items leave kind out;
 * JSON escapes; and answers that are not the list asked for, refused with
 * the request's name.  The files themselves are tested by
 * tests/lab/test_manifests.sh and test_gateway.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "arena.h"
#include "manifests.h"

static struct nd_arena *arena;
static char err[512];

static int
setup(void **state)
{
	(void)state;
	arena = nd_arena_new();
	err[0] = '\0';
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nd_arena_free(arena);
	arena = NULL;
	return 0;
}

#define GW_GET	"GET /apis/gateway.networking.k8s.io/v1/gateways"
#define RT_GET	"GET /apis/gateway.networking.k8s.io/v1/httproutes"

/* As the API server encodes them: sorted keys, no spaces. */
static const char gateways[] =
    "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"items\":[{"
    "\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"kind\":\"Gateway\","
    "\"metadata\":{\"generation\":2,\"name\":\"home-gw\",\"namespace\":"
    "\"gateway\",\"resourceVersion\":\"48113\",\"uid\":\"0b4f\"},\"spec\":"
    "{\"gatewayClassName\":\"cilium\",\"listeners\":[{\"hostname\":"
    "\"*.int.example.be\",\"name\":\"https\",\"port\":443,\"protocol\":"
    "\"HTTPS\"}]},\"status\":{\"addresses\":[{\"type\":\"IPAddress\","
    "\"value\":\"192.0.2.61\"}],\"conditions\":[{\"lastTransitionTime\":"
    "\"2026-11-20T09:12:45Z\",\"message\":\"Gateway \\u003cnot\\u003e "
    "programmed \\/ no resources\",\"observedGeneration\":2,\"reason\":"
    "\"NoResources\",\"status\":\"False\",\"type\":\"Programmed\"}]}}],"
    "\"kind\":\"GatewayList\",\"metadata\":{\"resourceVersion\":\"48213\"}}";

/* Items without kind and apiVersion: they are the list's. */
static const char routes[] =
    "{\"apiVersion\":\"gateway.networking.k8s.io/v1\",\"items\":[{"
    "\"metadata\":{\"name\":\"wiki\",\"namespace\":\"tools\"},\"spec\":{"
    "\"hostnames\":[\"wiki.int.example.be\"],\"parentRefs\":[{\"name\":"
    "\"home-gw\",\"namespace\":\"gateway\",\"sectionName\":\"https\"}]},"
    "\"status\":{\"parents\":[{\"conditions\":[{\"reason\":"
    "\"NotAllowedByListeners\",\"status\":\"False\",\"type\":\"Accepted\"}],"
    "\"controllerName\":\"io.cilium/gateway-controller\",\"parentRef\":{"
    "\"name\":\"home-gw\",\"namespace\":\"gateway\",\"sectionName\":"
    "\"https\"}}]}}],\"kind\":\"HTTPRouteList\",\"metadata\":{"
    "\"resourceVersion\":\"48213\"}}";

static void
answer(struct nd_mf_answer *a, const char *name, const char *kind,
    const char *buf)
{
	a->name = name;
	a->kind = kind;
	a->buf = buf;
	a->len = strlen(buf);
}

static void
test_lists(void **state)
{
	struct nd_mf_answer ans[2];
	struct nd_manifests mf;
	const struct nd_mf_lb *gw;
	const struct nd_mf_route *r;
	const struct nd_mf_cond *c;

	(void)state;
	answer(&ans[0], GW_GET, "GatewayList", gateways);
	answer(&ans[1], RT_GET, "HTTPRouteList", routes);
	assert_int_equal(nd_manifests_parse(arena, ans, 2, &mf, err,
	    sizeof(err)), 0);
	assert_string_equal(err, "");

	gw = nd_manifests_gateway(&mf, "gateway/home-gw");
	assert_non_null(gw);
	assert_true(gw->has_status);
	assert_int_equal(gw->nstatus_addrs, 1);
	assert_string_equal(gw->ips[0], "192.0.2.61");
	assert_string_equal(gw->src, GW_GET);
	assert_int_equal(gw->listeners[0]->port, 443);
	c = nd_manifests_cond(gw->conds, "Programmed");
	assert_non_null(c);
	assert_string_equal(c->reason, "NoResources");
	assert_string_equal(c->message, "Gateway <not> programmed / no "
	    "resources");
	assert_string_equal(c->src, GW_GET);

	r = mf.routes[0];
	assert_non_null(r);
	assert_null(mf.routes[1]);
	assert_string_equal(r->kind, "HTTPRoute");
	assert_string_equal(r->ns, "tools");
	assert_string_equal(r->hostnames[0], "wiki.int.example.be");
	assert_string_equal(r->parents[0], "gateway/home-gw");
	assert_true(r->has_status);
	assert_string_equal(r->sparents[0]->gw, "gateway/home-gw");
	assert_string_equal(r->sparents[0]->section, "https");
	assert_string_equal(nd_manifests_cond(r->sparents[0]->conds,
	    "Accepted")->reason, "NotAllowedByListeners");
	assert_string_equal(r->src, RT_GET);
	assert_int_equal(mf.nfiles, 2);
}

/* An empty list is a cluster without objects, not an error. */
static void
test_empty(void **state)
{
	struct nd_mf_answer a;
	struct nd_manifests mf;

	(void)state;
	answer(&a, GW_GET, "GatewayList", "{\"apiVersion\":\"gateway."
	    "networking.k8s.io/v1\",\"items\":[],\"kind\":\"GatewayList\","
	    "\"metadata\":{\"resourceVersion\":\"7\"}}");
	assert_int_equal(nd_manifests_parse(arena, &a, 1, &mf, err,
	    sizeof(err)), 0);
	assert_null(mf.lbs[0]);
	assert_null(mf.routes[0]);
	assert_false(nd_manifests_has_status(&mf));
}

static void
refused(const char *kind, const char *body, const char *want)
{
	struct nd_mf_answer a;
	struct nd_manifests mf;

	answer(&a, GW_GET, kind, body);
	err[0] = '\0';
	assert_int_equal(nd_manifests_parse(arena, &a, 1, &mf, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
}

static void
test_not_the_list(void **state)
{
	(void)state;
	refused("GatewayList", "{\"kind\":\"Status\",\"apiVersion\":\"v1\","
	    "\"status\":\"Failure\",\"code\":500}", GW_GET ": not a "
	    "GatewayList: kind Status");
	refused("GatewayList", "{\"kind\":\"GatewayList\"}", GW_GET ": not a "
	    "GatewayList: no items");
	refused("GatewayList", "{\"kind\":\"HTTPRouteList\",\"items\":[]}",
	    GW_GET ": not a GatewayList: kind HTTPRouteList");
	refused("GatewayList", "[1,2]", GW_GET ": not a GatewayList: no kind");
	refused("GatewayList", "", GW_GET ": not a GatewayList: no JSON "
	    "document");
	refused("GatewayList", "{\"kind\":\"GatewayList\",\"items\":[{\"kind\":"
	    "\"Gateway\",\"apiVersion\":\"gateway.networking.k8s.io/v1\","
	    "\"metadata\":{\"name\":\"g\"},\"status\":{\"conditions\":\"x\"}}]}",
	    GW_GET ":1: Gateway g: status.conditions: must be a list, got a "
	    "string");
	/* Cut short: libyaml blames the end of the input. */
	refused("GatewayList", "{\"kind\":\"GatewayList\",\"items\":[",
	    GW_GET ":2: column 1: YAML syntax error: did not find expected "
	    "node content (while parsing a flow node at line 2)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_the_list, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
