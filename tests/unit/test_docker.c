/*
 * test_docker.c - the Docker Engine API parsers (core/docker.c) on bodies
 * shaped like dockerd's (API 1.41+: a Talos v1.7 control plane publishing
 * on 127.0.0.1, a v1.6 one on 0.0.0.0 listed for IPv4 and IPv6, exposed
 * but unpublished ports), wrong types and bad JSON as one-line errors, the
 * item cap, the bridge name rule, $DOCKER_HOST; and the address-plan
 * ranges (core/addrplan.c) that the audit intersects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addrplan.h"
#include "arena.h"
#include "docker.h"

/* A string literal and its length. */
#define BODY(s)	(s), (sizeof(s) - 1)

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
	return 0;
}

static const char containers[] =
"[{\"Id\":\"8f1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8\","
"\"Names\":[\"/talos-default-controlplane-1\"],"
"\"Image\":\"ghcr.io/siderolabs/talos:v1.8.3\",\"ImageID\":\"sha256:aa\","
"\"Command\":\"/sbin/init\",\"Created\":1732300000,"
"\"Ports\":[{\"IP\":\"127.0.0.1\",\"PrivatePort\":50000,\"PublicPort\":33291,"
"\"Type\":\"tcp\"},{\"IP\":\"127.0.0.1\",\"PrivatePort\":6443,"
"\"PublicPort\":36443,\"Type\":\"tcp\"}],"
"\"Labels\":{\"talos.cluster.name\":\"talos-default\",\"talos.owned\":\"true\","
"\"talos.type\":\"controlplane\"},\"State\":\"running\",\"Status\":\"Up 2 hours\","
"\"HostConfig\":{\"NetworkMode\":\"talos-default\"},"
"\"NetworkSettings\":{\"Networks\":{\"talos-default\":{\"IPAMConfig\":"
"{\"IPv4Address\":\"10.5.0.2\"},\"Links\":null,\"Aliases\":null,"
"\"NetworkID\":\"3f2a\",\"EndpointID\":\"e1\",\"Gateway\":\"10.5.0.1\","
"\"IPAddress\":\"10.5.0.2\",\"IPPrefixLen\":24,\"IPv6Gateway\":\"\","
"\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,"
"\"MacAddress\":\"02:42:0a:05:00:02\",\"DriverOpts\":null}}},\"Mounts\":[]},"
"{\"Id\":\"1234567890abcdef\",\"Names\":[\"/old-cp\"],"
"\"Image\":\"ghcr.io/siderolabs/talos:v1.6.7\",\"Labels\":{},"
"\"Ports\":[{\"IP\":\"0.0.0.0\",\"PrivatePort\":50000,\"PublicPort\":50000,"
"\"Type\":\"tcp\"},{\"IP\":\"::\",\"PrivatePort\":50000,\"PublicPort\":50000,"
"\"Type\":\"tcp\"},{\"PrivatePort\":6443,\"Type\":\"tcp\"}],"
"\"State\":\"running\",\"NetworkSettings\":{\"Networks\":{}}}]";

static void
test_containers(void **state)
{
	struct nd_dk_container **v;
	const char *ip;
	unsigned pub;

	(void)state;
	assert_int_equal(nd_docker_parse_containers(arena, containers,
	    sizeof(containers) - 1, &v, err, sizeof(err)), 0);
	assert_non_null(v[0]);
	assert_non_null(v[1]);
	assert_null(v[2]);
	assert_string_equal(v[0]->name, "talos-default-controlplane-1");
	assert_string_equal(v[0]->id, "8f1c2b3a4d5e");
	assert_true(v[0]->talos);
	assert_string_equal(v[0]->talos_cluster, "talos-default");
	assert_string_equal(v[0]->talos_type, "controlplane");
	assert_int_equal(v[0]->neps, 1);
	assert_string_equal(v[0]->eps[0].network, "talos-default");
	assert_string_equal(v[0]->eps[0].ip, "10.5.0.2");
	assert_null(v[0]->eps[0].ip6);		/* "" is none */
	assert_true(nd_dk_published(v[0], 50000, &ip, &pub));
	assert_string_equal(ip, "127.0.0.1");
	assert_int_equal(pub, 33291);
	assert_true(nd_dk_published(v[0], 6443, &ip, &pub));
	assert_int_equal(pub, 36443);
	assert_false(nd_dk_published(v[0], 50001, &ip, &pub));

	/* By image alone; a wildcard binding is reachable on 127.0.0.1. */
	assert_true(v[1]->talos);
	assert_true(nd_dk_published(v[1], 50000, &ip, &pub));
	assert_string_equal(ip, "127.0.0.1");
	assert_int_equal(pub, 50000);
	/* Exposed, not published: the first incident. */
	assert_false(nd_dk_published(v[1], 6443, &ip, &pub));
	assert_true(nd_dk_exposes(v[1], 6443));
	assert_false(nd_dk_exposes(v[1], 8080));
}

static const char networks[] =
"[{\"Name\":\"bridge\",\"Id\":\"aa11bb22cc33dd44ee55\",\"Created\":\"2024-11-20T10:00:00Z\","
"\"Scope\":\"local\",\"Driver\":\"bridge\",\"EnableIPv6\":false,\"IPAM\":{"
"\"Driver\":\"default\",\"Options\":null,\"Config\":[{\"Subnet\":\"172.17.0.0/16\","
"\"Gateway\":\"172.17.0.1\"}]},\"Internal\":false,\"Attachable\":false,"
"\"Ingress\":false,\"ConfigFrom\":{\"Network\":\"\"},\"ConfigOnly\":false,"
"\"Containers\":{},\"Options\":{\"com.docker.network.bridge.name\":\"docker0\"},"
"\"Labels\":{}},"
"{\"Name\":\"talos-default\",\"Id\":\"3f2a9c1d7e4b5a6978\",\"Driver\":\"bridge\","
"\"IPAM\":{\"Driver\":\"default\",\"Config\":[{\"Subnet\":\"10.5.0.0/24\","
"\"Gateway\":\"10.5.0.1\"}]},\"Options\":{},\"Labels\":{\"talos.owned\":\"true\","
"\"talos.cluster.name\":\"talos-default\"}},"
"{\"Name\":\"host\",\"Id\":\"77\",\"Driver\":\"host\",\"IPAM\":{\"Config\":[]},"
"\"Options\":{},\"Labels\":{}}]";

static void
test_networks(void **state)
{
	struct nd_dk_network **v;

	(void)state;
	assert_int_equal(nd_docker_parse_networks(arena, networks,
	    sizeof(networks) - 1, &v, err, sizeof(err)), 0);
	assert_string_equal(v[0]->bridge, "docker0");
	assert_string_equal(v[0]->subnets[0], "172.17.0.0/16");
	assert_null(v[0]->subnets[1]);
	/* A user bridge is br- and the id's first 12 hex digits. */
	assert_string_equal(v[1]->bridge, "br-3f2a9c1d7e4b");
	assert_string_equal(v[1]->talos_cluster, "talos-default");
	assert_null(v[2]->bridge);		/* not a bridge */
	assert_null(v[2]->subnets[0]);
	assert_null(v[3]);
}

static void
bad_containers(const char *body, const char *want)
{
	struct nd_dk_container **v = NULL;

	assert_int_equal(nd_docker_parse_containers(arena, body, strlen(body),
	    &v, err, sizeof(err)), -EINVAL);
	assert_null(v);
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' lacks '%s'", err, want);
	assert_null(strchr(err, '\n'));
}

static void
test_bad(void **state)
{
	struct nd_dk_network **n = NULL;

	(void)state;
	bad_containers("[{\"Names\":[\"/x\"],\"Ports\":\"50000\"}]",
	    "containers: item 0: Ports: expected a list");
	bad_containers("[{},{\"Ports\":[{\"PrivatePort\":\"abc\"}]}]",
	    "item 1: PrivatePort: expected a port number");
	bad_containers("[{\"Ports\":[{\"PrivatePort\":70000}]}]",
	    "PrivatePort: expected a port number");
	bad_containers("[{\"Names\":{\"a\":1}}]", "Names: expected a list");
	bad_containers("[{\"Labels\":[1]}]", "Labels: expected an object");
	bad_containers("[{\"Ports\":[{\"IP\":\"1.2.3.4\\nX\",\"PublicPort\":1}]}]",
	    "Ports[0].IP: not an IP address");
	bad_containers("[{\"NetworkSettings\":{\"Networks\":{\"n\":{"
	    "\"IPAddress\":\"10.5.0\"}}}}]", "Networks.n: not an IP address");
	bad_containers("[{\"Id\":1}]", "Id: expected a string");
	bad_containers("{\"message\":\"x\"}", "containers: expected a list");
	bad_containers("[{\"Names\":[\"/x\"]", "containers: not JSON");
	bad_containers("", "not JSON");
	bad_containers("[1]", "item 0: expected an object");
	bad_containers("[{\"Id\":\"a\",\"Id\":\"b\"}]", "not JSON");
	assert_int_equal(nd_docker_parse_networks(arena,
	    BODY("[{\"Name\":\"n\",\"IPAM\":{\"Config\":7}}]"), &n, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "IPAM.Config: expected a list"));
	assert_int_equal(nd_docker_parse_networks(arena,
	    BODY("[{\"Name\":\"n\",\"IPAM\":{\"Config\":[{\"Subnet\":"
	    "\"10.5.0.0\"}]}}]"), &n, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "Subnet: not a subnet"));
	assert_int_equal(nd_docker_parse_networks(arena, BODY("[{}]"), &n, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "Name: missing"));
	assert_null(n);
}

static void
test_caps_and_safety(void **state)
{
	struct nd_dk_container **v;
	size_t n = ND_DOCKER_MAX_ITEMS + 1, i, len = 2 + n * 3;
	char *big = malloc(len + 1), *p = big;
	const char *m;

	(void)state;
	*p++ = '[';
	for (i = 0; i < n; i++) {
		memcpy(p, i ? ",{}" : "{}", i ? 3 : 2);
		p += i ? 3 : 2;
	}
	*p++ = ']';
	*p = '\0';
	assert_int_equal(nd_docker_parse_containers(arena, big, strlen(big),
	    &v, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than the 20000"));
	free(big);
	/* Control characters from the daemon never reach a report line. */
	assert_int_equal(nd_docker_parse_containers(arena,
	    BODY("[{\"Names\":[\"/evil\\u001b[31m\\nname\"]}]"), &v, err,
	    sizeof(err)), 0);
	assert_null(strchr(v[0]->name, '\n'));
	assert_null(strchr(v[0]->name, '\033'));
	m = nd_docker_message(arena, BODY("{\"message\":\"page not found\"}"));
	assert_string_equal(m, "page not found");
	assert_null(nd_docker_message(arena, BODY("<html>")));
}

static void
test_socket(void **state)
{
	char why[256] = "";

	(void)state;
	unsetenv("DOCKER_HOST");
	assert_string_equal(nd_docker_socket(arena, why, sizeof(why)),
	    "/var/run/docker.sock");
	setenv("DOCKER_HOST", "unix:///run/user/1000/docker.sock", 1);
	assert_string_equal(nd_docker_socket(arena, why, sizeof(why)),
	    "/run/user/1000/docker.sock");
	setenv("DOCKER_HOST", "tcp://10.0.0.5:2375", 1);
	assert_null(nd_docker_socket(arena, why, sizeof(why)));
	assert_non_null(strstr(why, "only a local unix:// socket"));
	unsetenv("DOCKER_HOST");
}

static void
test_plan(void **state)
{
	struct nd_addrplan p = { NULL, 0, 0 };

	(void)state;
	nd_addrplan_add(arena, &p, ND_C_LB_POOL, "192.168.30.60-192.168.30.80",
	    "the pool", "x.yaml:3", NULL);
	nd_addrplan_add(arena, &p, ND_C_POD, "192.168.30.64/28", "pods",
	    "mc:1", NULL);
	nd_addrplan_add(arena, &p, ND_C_SERVICE, "10.96.0.0/12", "svc",
	    "mc:1", NULL);
	nd_addrplan_add(arena, &p, ND_C_NODE, "10.111.255.255", "node",
	    "mc:1", NULL);
	nd_addrplan_add(arena, &p, ND_C_NODE, "fd00::1", "node6", "mc:1",
	    NULL);
	nd_addrplan_add(arena, &p, ND_C_DOCKER, "fd00::/64", "docker6", "d",
	    "br-1");
	/* Refused quietly: the loaders already named bad input. */
	nd_addrplan_add(arena, &p, ND_C_POD, "10.0.0.0/33", "x", "x", NULL);
	nd_addrplan_add(arena, &p, ND_C_POD, "10.0.0.9-10.0.0.1", "x", "x",
	    NULL);
	nd_addrplan_add(arena, &p, ND_C_POD, "nope", "x", "x", NULL);
	/* The same claim twice is one. */
	nd_addrplan_add(arena, &p, ND_C_SERVICE, "10.96.0.0/12", "svc",
	    "mc2:1", NULL);
	assert_int_equal(p.n, 6);
	assert_true(nd_claim_overlaps(p.claims[0], p.claims[1]));
	assert_true(nd_claim_contains(p.claims[2], p.claims[3]));
	assert_false(nd_claim_overlaps(p.claims[0], p.claims[2]));
	assert_true(nd_claim_contains(p.claims[5], p.claims[4]));
	assert_false(nd_claim_overlaps(p.claims[4], p.claims[3]));	/* v6/v4 */
	assert_string_equal(nd_claim_describe(arena, p.claims[5]),
	    "docker6 fd00::/64 (d, br-1)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_containers, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_networks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_caps_and_safety, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
