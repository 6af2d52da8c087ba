/*
 * test_nodeip.c - Talos machine configs (fixtures/machineconfigs/) loaded
 * field by field, the node IP computation against docs/talos.md 6 (the
 * FilterIPs "!" order, VIP and pod/service exclusion, per-family pick,
 * etcd), every class of bad input with its exact message and line, and
 * that no secret of a machine config reaches an error.  Fixtures are read
 * from $ND_TOP (tests/run.sh sets it) or the current directory; other
 * files are written with mkstemp(3) under /tmp and removed again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "nodeip.h"
#include "ytree.h"

static struct nd_arena *arena;
static char err[1024];

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

static const char *
fixture(const char *name)
{
	const char *top = getenv("ND_TOP");

	return nd_arena_printf(arena, "%s/fixtures/machineconfigs/%s",
	    top != NULL ? top : ".", name);
}

/* Loads a fixture that must hold exactly one machine config. */
static struct nd_mc *
load_one(const char *name)
{
	struct nd_mc **mcs = NULL;
	int rc;

	rc = nd_mc_load(arena, fixture(name), &mcs, err, sizeof(err));
	if (rc != 0)
		print_error("%s: %s\n", name, err);
	assert_int_equal(rc, 0);
	assert_non_null(mcs[0]);
	assert_null(mcs[1]);
	return mcs[0];
}

static size_t
count(char *const *v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

static bool
has_line(char *const *v, const char *line)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		if (strcmp(v[i], line) == 0)
			return true;
	return false;
}

#define assert_trace(r, line) do {					\
	if (!has_line((r)->trace, (line))) {				\
		size_t i_;						\
									\
		print_error("missing trace line: %s\n", (line));	\
		for (i_ = 0; (r)->trace[i_] != NULL; i_++)		\
			print_error("  | %s\n", (r)->trace[i_]);	\
		fail();							\
	}								\
} while (0)

static void
assert_strv(char *const *got, const char *const *want)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++) {
		assert_non_null(got[i]);
		assert_string_equal(got[i], want[i]);
	}
	assert_null(got[i]);
}

/* ---- fixtures ---- */

static void
test_vip_excluded(void **state)
{
	struct nd_mc *mc = load_one("vip-excluded.yaml");
	struct nd_nodeip r;

	(void)state;
	assert_int_equal(mc->line, 1);
	assert_string_equal(mc->type, "controlplane");
	assert_string_equal(mc->hostname, "cp1");
	assert_string_equal(mc->endpoint, "https://192.168.30.50:6443");
	assert_strv(mc->addresses, (const char *[]){ "192.168.30.51/24",
	    NULL });
	assert_strv(mc->vips, (const char *[]){ "192.168.30.50", NULL });
	assert_strv(mc->vip_keys, (const char *[]){ "interfaces[0].vip.ip",
	    NULL });
	assert_strv(mc->valid_subnets, (const char *[]){ "192.168.30.50/32",
	    NULL });
	assert_strv(mc->pod_subnets, (const char *[]){ "10.244.0.0/16",
	    NULL });
	assert_strv(mc->service_subnets, (const char *[]){ "10.96.0.0/12",
	    NULL });
	assert_strv(mc->nameservers, (const char *[]){ "192.168.30.1",
	    NULL });
	assert_null(mc->etcd_subnets);

	nd_nodeip_compute(arena, mc, NULL, &r);
	assert_null(r.node_ip);
	assert_null(r.node_ip6);
	assert_true(r.only_vips);
	assert_strv(r.candidates, (const char *[]){ "192.168.30.51",
	    "192.168.30.50", NULL });
	assert_strv(r.excluded, (const char *[]){ "192.168.30.50 (VIP)",
	    NULL });
	assert_int_equal(count(r.overlay), 0);
	assert_trace(&r, "validSubnets: 192.168.30.50/32 (as written)");
	assert_trace(&r, "validSubnets 192.168.30.50/32 adds 192.168.30.50");
	assert_trace(&r, "excluded 192.168.30.50: it is a VIP "
	    "(interfaces[0].vip.ip)");
	assert_trace(&r, "candidates after filtering: none");
	assert_trace(&r, "node IP: none -> the kubelet will not start (Talos: "
	    "no suitable node IP found)");
	assert_trace(&r, "fix: validSubnets matched only VIPs; select the "
	    "node's own address instead: machine.kubelet.nodeIP.validSubnets: "
	    "[192.168.30.51/32]");
	/* etcd excludes the VIP too, and has no advertisedSubnets. */
	assert_string_equal(r.etcd_ip, "192.168.30.51");

	/* The live node without its own address: the other fix. */
	nd_nodeip_compute(arena, mc, (const char *[]){ "192.168.30.50/24",
	    NULL }, &r);
	assert_null(r.node_ip);
	assert_true(r.only_vips);
	assert_null(r.etcd_ip);
	assert_trace(&r, "fix: validSubnets matched only VIPs; give the node "
	    "a secondary address of its own and a /32 validSubnet for it");
}

static void
test_good(void **state)
{
	struct nd_mc *mc = load_one("good.yaml");
	struct nd_nodeip r;

	(void)state;
	assert_strv(mc->nameservers, (const char *[]){ "192.168.30.1",
	    "1.1.1.1", NULL });
	nd_nodeip_compute(arena, mc, NULL, &r);
	assert_string_equal(r.node_ip, "192.168.30.51");
	assert_null(r.node_ip6);
	assert_false(r.only_vips);
	assert_string_equal(r.etcd_ip, "192.168.30.51");
	assert_strv(r.excluded, (const char *[]){ "192.168.30.50 (VIP)",
	    NULL });
	assert_trace(&r, "validSubnets 192.168.30.0/24 adds 192.168.30.51, "
	    "192.168.30.50");
	assert_trace(&r, "candidates after filtering: 192.168.30.51");
	assert_trace(&r, "node IP: 192.168.30.51");
	assert_int_equal(count(r.overlay), 0);
}

static void
test_tailscale(void **state)
{
	struct nd_mc *mc = load_one("tailscale.yaml");
	struct nd_nodeip r;

	(void)state;
	assert_strv(mc->addresses, (const char *[]){ "192.168.30.52/24",
	    "100.101.102.103/32", NULL });
	assert_int_equal(count(mc->vips), 0);
	nd_nodeip_compute(arena, mc, NULL, &r);
	assert_string_equal(r.node_ip, "100.101.102.103");
	assert_strv(r.overlay, (const char *[]){ "100.101.102.103", NULL });
	assert_string_equal(r.etcd_ip, "192.168.30.52");
	assert_trace(&r, "overlay: 100.101.102.103 is in 100.64.0.0/10 "
	    "(CGNAT, Tailscale) while the node also has the underlay address "
	    "192.168.30.52");
}

static void
test_nothing_matches(void **state)
{
	struct nd_mc *mc = load_one("nothing-matches.yaml");
	struct nd_nodeip r;

	(void)state;
	assert_string_equal(mc->type, "worker");
	nd_nodeip_compute(arena, mc, NULL, &r);
	assert_null(r.node_ip);
	assert_false(r.only_vips);
	assert_null(r.etcd_ip);
	assert_int_equal(count(r.excluded), 0);
	assert_trace(&r, "validSubnets 10.99.0.0/16 matches nothing");
	assert_trace(&r, "candidates after filtering: none");
	assert_trace(&r, "etcd: none (a worker runs no etcd)");
}

static void
test_etcd_mismatch(void **state)
{
	struct nd_mc *mc = load_one("etcd-mismatch.yaml");
	struct nd_nodeip r;

	(void)state;
	assert_strv(mc->etcd_subnets, (const char *[]){ "10.10.0.0/16",
	    NULL });
	nd_nodeip_compute(arena, mc, NULL, &r);
	assert_string_equal(r.node_ip, "192.168.30.53");
	assert_string_equal(r.etcd_ip, "10.10.0.53");
	assert_trace(&r, "etcd: advertisedSubnets 10.10.0.0/16 (VIPs "
	    "excluded) -> advertises 10.10.0.53");
	assert_trace(&r, "etcd advertises 10.10.0.53, on another network "
	    "than the kubelet node IP 192.168.30.53");
}

static void
test_multidoc(void **state)
{
	struct nd_mc *mc = load_one("multidoc.yaml");
	struct nd_nodeip r;

	(void)state;
	assert_int_equal(mc->line, 1);
	/* Talos 1.12 documents: HostnameConfig, LinkConfig, Layer2VIP. */
	assert_string_equal(mc->hostname, "cp112");
	assert_strv(mc->addresses, (const char *[]){ "192.168.40.11/24",
	    NULL });
	assert_strv(mc->vips, (const char *[]){ "192.168.40.10", NULL });
	assert_strv(mc->vip_keys, (const char *[]){ "Layer2VIPConfig on line "
	    "48", NULL });
	/* cluster.network without subnets: Talos' defaults. */
	assert_strv(mc->pod_subnets, (const char *[]){ "10.244.0.0/16",
	    NULL });
	assert_strv(mc->service_subnets, (const char *[]){ "10.96.0.0/12",
	    NULL });
	nd_nodeip_compute(arena, mc, NULL, &r);
	assert_string_equal(r.node_ip, "192.168.40.11");
	assert_trace(&r, "excluded 192.168.40.10: it is a VIP "
	    "(Layer2VIPConfig on line 48)");
}

static const char *const broken[][2] = {
	{ "bad-cidr.yaml", ":20: machine.kubelet.nodeIP.validSubnets[1]: "
	    "'10.0.0/8' is not a subnet" },
	{ "bad-vip.yaml", ":30: machine.network.interfaces[0].vip.ip: "
	    "'192.168.30.50/32' is not an IP address" },
	{ "wrong-type.yaml", ":48: cluster.network.podSubnets: must be a "
	    "list, got a string" },
	{ "alias.yaml", ":31: anchors and aliases are not supported" },
	{ "syntax-error.yaml", ":31: column 20: YAML syntax error: did not "
	    "find expected ',' or ']' (while parsing a flow sequence at line "
	    "30)" },
	{ "bad-tailscale-extension.yaml", ":73: ExtensionServiceConfig "
	    "tailscale.environment[2]: must be a KEY=VALUE string, got a "
	    "mapping" },
};

static void
test_broken_fixtures(void **state)
{
	struct nd_mc **mcs = (struct nd_mc **)(uintptr_t)0x1;
	const char *want;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		assert_int_equal(nd_mc_load(arena, fixture(broken[i][0]), &mcs,
		    err, sizeof(err)), -EINVAL);
		want = nd_arena_printf(arena, "%s%s", fixture(broken[i][0]),
		    broken[i][1]);
		assert_string_equal(err, want);
		/* Out-parameters are written only on success. */
		assert_ptr_equal(mcs, (struct nd_mc **)(uintptr_t)0x1);
		assert_null(strstr(err, "FAKE"));
		assert_null(strstr(err, "tskey"));
	}
}

/* ---- errors from small files ---- */

/* Loads data from a temporary file; returns nd_mc_load's result. */
static int
load_text(const char *data, struct nd_mc ***ret, char *path, size_t plen)
{
	int fd, rc;

	snprintf(path, plen, "/tmp/nd-test-nodeip-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, strlen(data)), (ssize_t)strlen(data));
	assert_int_equal(close(fd), 0);
	rc = nd_mc_load(arena, path, ret, err, sizeof(err));
	unlink(path);
	return rc;
}

static void
bad(const char *yaml, const char *want)
{
	char path[64], *full;
	struct nd_mc **mcs;

	assert_int_equal(load_text(yaml, &mcs, path, sizeof(path)), -EINVAL);
	full = nd_arena_printf(arena, "%s%s", path, want);
	if (strcmp(err, full) != 0)
		print_error("yaml:\n%s\n", yaml);
	assert_string_equal(err, full);
	assert_null(strstr(err, "SECRET"));
}

#define HEAD	"version: v1alpha1\nmachine:\n  token: SECRET-TOKEN\n"

static void
test_errors(void **state)
{
	(void)state;
	bad(HEAD "  type: [a]\n", ":4: machine.type: must be a string, got "
	    "a list");
	bad(HEAD "  type: master\n", ":4: machine.type: 'master' is not one "
	    "of controlplane, worker, init");
	bad(HEAD "  network: []\n", ":4: machine.network: must be a mapping, "
	    "got a list");
	bad(HEAD "  network:\n    interfaces:\n      eth0: {}\n", ":5: "
	    "machine.network.interfaces: must be a list, got a mapping");
	bad(HEAD "  network:\n    interfaces:\n      - eth0\n", ":6: "
	    "machine.network.interfaces[0]: must be a mapping, got a string");
	bad(HEAD "  network:\n    interfaces:\n      - interface: eth0\n"
	    "        addresses: [10.0.0.5/24, 10.0.0.300/24]\n", ":7: "
	    "machine.network.interfaces[0].addresses[1]: '10.0.0.300/24' is "
	    "not an address (CIDR)");
	bad(HEAD "  network:\n    interfaces:\n      - interface: eth0\n"
	    "        addresses: [10.0.0.5/33]\n", ":7: "
	    "machine.network.interfaces[0].addresses[0]: '10.0.0.5/33' is "
	    "not an address (CIDR)");
	bad(HEAD "  network:\n    interfaces:\n      - interface: eth0\n"
	    "        vlans:\n          - vlanId: 5\n            vip:\n"
	    "              ip: nope\n", ":10: machine.network.interfaces[0]"
	    ".vlans[0].vip.ip: 'nope' is not an IP address");
	bad(HEAD "  network:\n    interfaces:\n      - interface: eth0\n"
	    "        vlans: 5\n", ":7: machine.network.interfaces[0].vlans: "
	    "must be a list, got a number");
	bad(HEAD "  network:\n    nameservers: [1.1.1.1, dns.google]\n",
	    ":5: machine.network.nameservers[1]: 'dns.google' is not an IP "
	    "address");
	bad(HEAD "  kubelet:\n    nodeIP:\n      validSubnets: 10.0.0.0/8\n",
	    ":6: machine.kubelet.nodeIP.validSubnets: must be a list, got a "
	    "string");
	bad(HEAD "  kubelet:\n    nodeIP:\n      validSubnets:\n"
	    "        - 10.0.0.0/8\n        - {a: b}\n", ":8: "
	    "machine.kubelet.nodeIP.validSubnets[1]: must be a string, got a "
	    "mapping");
	bad(HEAD "  kubelet:\n    nodeIP:\n      validSubnets: ['!']\n", ":6: "
	    "machine.kubelet.nodeIP.validSubnets[0]: '!' is not a subnet");
	bad(HEAD "  kubelet:\n    nodeIP:\n      validSubnets: ['10.0.0.0/08']"
	    "\n", ":6: machine.kubelet.nodeIP.validSubnets[0]: '10.0.0.0/08' "
	    "is not a subnet");
	bad(HEAD "cluster:\n  network:\n    podSubnets: [10.244.0.1]\n", ":6: "
	    "cluster.network.podSubnets[0]: '10.244.0.1' is not a subnet");
	bad(HEAD "cluster:\n  network:\n    serviceSubnets: [fd00::/200]\n",
	    ":6: cluster.network.serviceSubnets[0]: 'fd00::/200' is not a "
	    "subnet");
	bad(HEAD "cluster:\n  controlPlane:\n    endpoint: {}\n", ":6: "
	    "cluster.controlPlane.endpoint: must be a string, got a mapping");
	bad(HEAD "cluster:\n  etcd:\n    advertisedSubnets: [10.1.0.0/x]\n",
	    ":6: cluster.etcd.advertisedSubnets[0]: '10.1.0.0/x' is not a "
	    "subnet");
	bad(HEAD "cluster: 5\n", ":4: cluster: must be a mapping, got a "
	    "number");
	bad(HEAD "  type: worker\n  type: controlplane\n", ":5: machine.type: "
	    "given twice (first on line 4)");
	/* A control character in a value is not echoed raw. */
	bad(HEAD "  type: \"a\\nb\"\n", ":4: machine.type: 'a?b' is not one "
	    "of controlplane, worker, init");
	bad(HEAD "---\napiVersion: v1alpha1\nkind: Layer2VIPConfig\nname: x\n",
	    ":7: Layer2VIPConfig.name: 'x' is not an IP address");
	bad(HEAD "---\napiVersion: v1alpha1\nkind: LinkConfig\naddresses:\n"
	    "  - address: 1.2.3\n", ":8: LinkConfig.addresses[0].address: "
	    "'1.2.3' is not an address (CIDR)");
	bad("version: v1alpha1\nmachine: x\n", ":2: machine: must be a "
	    "mapping, got a string");
	bad("version: v1alpha1\nmachine:\n", ":2: machine: must be a "
	    "mapping, got an empty value");
	/* Keys that recognise a document are read, so checked, too. */
	bad(HEAD "version: v1alpha1\n", ":4: version: given twice (first on "
	    "line 1)");
	bad(HEAD "---\nkind: LinkConfig\nkind: x\n", ":6: kind: given twice "
	    "(first on line 5)");
}

static void
test_lenient(void **state)
{
	char path[64];
	struct nd_mc **mcs;

	(void)state;
	/* Unknown keys, of any type, are ignored; so are other docs. */
	assert_int_equal(load_text(HEAD "  features: {rbac: true}\n"
	    "  sysctls: [1, 2]\n  type: init\nfoo: bar\n---\nkind: Other\n"
	    "---\n- a list document\n---\n", &mcs, path, sizeof(path)), 0);
	assert_non_null(mcs[0]);
	assert_null(mcs[1]);
	assert_string_equal(mcs[0]->type, "init");
	assert_null(mcs[0]->hostname);
	assert_int_equal(count(mcs[0]->addresses), 0);
	assert_null(mcs[0]->valid_subnets);
	assert_null(mcs[0]->nameservers);

	/* No v1alpha1 document: no config, not an error (the probe says). */
	assert_int_equal(load_text("apiVersion: v1alpha1\nkind: "
	    "HostnameConfig\nhostname: x\n", &mcs, path, sizeof(path)), 0);
	assert_null(mcs[0]);
	assert_int_equal(load_text("", &mcs, path, sizeof(path)), 0);
	assert_null(mcs[0]);

	/* Two machine configs in one file; the second's line. */
	assert_int_equal(load_text(HEAD "  type: worker\n---\n# c\n" HEAD,
	    &mcs, path, sizeof(path)), 0);
	assert_int_equal(mcs[0]->line, 1);
	assert_int_equal(mcs[1]->line, 7);
	assert_null(mcs[2]);

	/* An empty podSubnets list takes the default too. */
	assert_int_equal(load_text(HEAD "cluster:\n  network:\n"
	    "    podSubnets: []\n    serviceSubnets: [fd00:10:96::/112]\n",
	    &mcs, path, sizeof(path)), 0);
	assert_strv(mcs[0]->pod_subnets, (const char *[]){ "10.244.0.0/16",
	    NULL });
	assert_strv(mcs[0]->service_subnets, (const char *[]){
	    "fd00:10:96::/112", NULL });

	/* Missing file: -ENOENT with the path. */
	assert_int_equal(nd_mc_load(arena, "/nonexistent/mc.yaml", &mcs, err,
	    sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/mc.yaml: cannot read: No such "
	    "file or directory");
}

/* ---- the computation on hand-made configs ---- */

static char *d_pod[] = { "10.244.0.0/16", NULL };
static char *d_svc[] = { "10.96.0.0/12", NULL };
static char *no_vips[] = { NULL };

static struct nd_mc
mk(char **valid)
{
	struct nd_mc mc;

	memset(&mc, 0, sizeof(mc));
	mc.type = "controlplane";
	mc.valid_subnets = valid;
	mc.pod_subnets = d_pod;
	mc.service_subnets = d_svc;
	mc.vips = no_vips;
	return mc;
}

/* validSubnets over addrs: the node IP (v4, or v6 when no v4). */
static const char *
pick(char **valid, const char *const *addrs)
{
	struct nd_mc mc = mk(valid);
	struct nd_nodeip r;

	nd_nodeip_compute(arena, &mc, addrs, &r);
	return r.node_ip != NULL ? r.node_ip : r.node_ip6 != NULL ?
	    r.node_ip6 : "none";
}

static void
test_filter_order(void **state)
{
	const char *const a3[] = { "10.0.0.3/8", "10.0.0.4/8", NULL };
	const char *const mix[] = { "192.168.1.1/24", "10.0.0.1/8", NULL };

	(void)state;
	/* The docs' example: "!" removes what was picked before it. */
	assert_string_equal(pick((char *[]){ "10.0.0.0/8", "!10.0.0.3/32",
	    NULL }, a3), "10.0.0.4");
	assert_string_equal(pick((char *[]){ "10.0.0.0/8", NULL }, a3),
	    "10.0.0.3");
	/* "!" first removes nothing (nothing picked yet); the positive
	 * entry after it adds .3 back: FilterIPs processes in order. */
	assert_string_equal(pick((char *[]){ "!10.0.0.3/32", "10.0.0.0/8",
	    NULL }, a3), "10.0.0.3");
	/* A bare address is /32. */
	assert_string_equal(pick((char *[]){ "10.0.0.0/8", "!10.0.0.3",
	    NULL }, a3), "10.0.0.4");
	assert_string_equal(pick((char *[]){ "10.0.0.4", NULL }, a3),
	    "10.0.0.4");
	/* Removing everything. */
	assert_string_equal(pick((char *[]){ "10.0.0.0/8", "!10.0.0.0/24",
	    NULL }, a3), "none");
	/* Picks follow subnet order, then address order. */
	assert_string_equal(pick((char *[]){ "10.0.0.0/8", "192.168.0.0/16",
	    NULL }, mix), "10.0.0.1");
	assert_string_equal(pick((char *[]){ "192.168.0.0/16", "10.0.0.0/8",
	    NULL }, mix), "192.168.1.1");
	/* Default: the whole IPv4 space (IPv4 service subnet). */
	assert_string_equal(pick(NULL, mix), "192.168.1.1");
}

static void
test_filter_trace(void **state)
{
	struct nd_mc mc = mk((char *[]){ "!10.0.0.3/32", "10.0.0.0/8",
	    "10.0.0.0/8", "!10.0.0.0/8", NULL });
	struct nd_nodeip r;

	(void)state;
	nd_nodeip_compute(arena, &mc, (const char *[]){ "10.0.0.3/8", "junk",
	    "127.0.0.1/8", "fe80::1/64", "10.0.0.3", NULL }, &r);
	assert_strv(r.candidates, (const char *[]){ "10.0.0.3", NULL });
	assert_trace(&r, "ignored 'junk': not an address");
	assert_trace(&r, "ignored 127.0.0.1: loopback addresses are not "
	    "routed, Talos never picks them");
	assert_trace(&r, "ignored fe80::1: link-local addresses are not "
	    "routed, Talos never picks them");
	assert_trace(&r, "candidates: 10.0.0.3 (the node's addresses)");
	assert_trace(&r, "validSubnets !10.0.0.3/32 removes nothing picked");
	assert_trace(&r, "validSubnets 10.0.0.0/8 adds 10.0.0.3");
	assert_trace(&r, "validSubnets 10.0.0.0/8 adds nothing new");
	assert_trace(&r, "validSubnets !10.0.0.0/8 removes 10.0.0.3");
	assert_null(r.node_ip);
	assert_false(r.only_vips);
}

static void
test_excludes(void **state)
{
	struct nd_mc mc = mk(NULL);
	struct nd_nodeip r;

	(void)state;
	mc.vips = (char *[]){ "192.168.1.50", NULL };
	mc.vip_keys = (char *[]){ "interfaces[1].vlans[0].vip.ip", NULL };
	nd_nodeip_compute(arena, &mc, (const char *[]){ "10.244.1.1/24",
	    "10.96.0.10/32", "192.168.1.50/32", "192.168.1.9/24", NULL }, &r);
	assert_trace(&r, "validSubnets: 0.0.0.0/0 (default: "
	    "machine.kubelet.nodeIP.validSubnets is not set; one per service "
	    "subnet family)");
	assert_strv(r.excluded, (const char *[]){ "10.244.1.1 (pod subnet)",
	    "10.96.0.10 (service subnet)", "192.168.1.50 (VIP)", NULL });
	assert_trace(&r, "excluded 10.244.1.1: in pod subnet 10.244.0.0/16 "
	    "(cluster.network.podSubnets)");
	assert_trace(&r, "excluded 10.96.0.10: in service subnet 10.96.0.0/12 "
	    "(cluster.network.serviceSubnets)");
	assert_trace(&r, "excluded 192.168.1.50: it is a VIP "
	    "(interfaces[1].vlans[0].vip.ip)");
	assert_string_equal(r.node_ip, "192.168.1.9");
	assert_false(r.only_vips);

	/* A pod-subnet address and a VIP excluded: not "only VIPs". */
	nd_nodeip_compute(arena, &mc, (const char *[]){ "10.244.1.1/24",
	    "192.168.1.50/32", NULL }, &r);
	assert_null(r.node_ip);
	assert_false(r.only_vips);
}

static void
test_ipv6(void **state)
{
	struct nd_mc mc = mk(NULL);
	struct nd_nodeip r;

	(void)state;
	/* Dual-stack services: both defaults, one pick per family. */
	mc.service_subnets = (char *[]){ "10.96.0.0/12", "fd00:10:96::/112",
	    NULL };
	mc.pod_subnets = (char *[]){ "10.244.0.0/16", "fd00:10:244::/56",
	    NULL };
	nd_nodeip_compute(arena, &mc, (const char *[]){ "2001:db8::5/64",
	    "192.168.1.9/24", "2001:db8::6/64", "192.168.1.10/24",
	    "fd00:10:244::7/64", NULL }, &r);
	assert_trace(&r, "validSubnets: 0.0.0.0/0, ::/0 (default: "
	    "machine.kubelet.nodeIP.validSubnets is not set; one per service "
	    "subnet family)");
	assert_string_equal(r.node_ip, "192.168.1.9");
	assert_string_equal(r.node_ip6, "2001:db8::5");
	assert_trace(&r, "node IP (IPv6): 2001:db8::5");
	assert_trace(&r, "excluded fd00:10:244::7: in pod subnet "
	    "fd00:10:244::/56 (cluster.network.podSubnets)");
	assert_trace(&r, "skipped 192.168.1.10: one node IP per family (Talos: "
	    "node IP skipped, please use .machine.kubelet.nodeIP to provide "
	    "explicit subnet for the node IP)");

	/* IPv6-only services: IPv4 addresses are not valid by default. */
	mc.service_subnets = (char *[]){ "fd00:10:96::/112", NULL };
	nd_nodeip_compute(arena, &mc, (const char *[]){ "192.168.1.9/24",
	    "2001:db8::5/64", NULL }, &r);
	assert_null(r.node_ip);
	assert_string_equal(r.node_ip6, "2001:db8::5");

	/* Bare IPv6 is /128; "!" with IPv6; uncompressed forms match. */
	assert_string_equal(pick((char *[]){ "2001:db8::/32",
	    "!2001:db8:0:0:0:0:0:5", NULL }, (const char *[]){
	    "2001:db8::5/64", "2001:db8::6/64", NULL }), "2001:db8::6");
	assert_string_equal(pick((char *[]){ "2001:db8::5", NULL },
	    (const char *[]){ "2001:db8::6/64", "2001:db8::5/64", NULL }),
	    "2001:db8::5");
	/* An IPv4 subnet never matches an IPv6 address. */
	assert_string_equal(pick((char *[]){ "0.0.0.0/0", NULL },
	    (const char *[]){ "2001:db8::5/64", NULL }), "none");
}

static void
test_etcd(void **state)
{
	struct nd_mc mc = mk(NULL);
	struct nd_nodeip r;

	(void)state;
	mc.vips = (char *[]){ "10.0.0.50", NULL };
	mc.vip_keys = (char *[]){ "interfaces[0].vip.ip", NULL };
	/* No advertisedSubnets: the first routed address, not the VIP. */
	nd_nodeip_compute(arena, &mc, (const char *[]){ "10.0.0.50/24",
	    "10.0.0.5/24", NULL }, &r);
	assert_string_equal(r.etcd_ip, "10.0.0.5");
	/* advertisedSubnets with "!" and the VIP auto-excluded. */
	mc.etcd_subnets = (char *[]){ "10.0.0.0/24", "!10.0.0.5", NULL };
	nd_nodeip_compute(arena, &mc, (const char *[]){ "10.0.0.50/24",
	    "10.0.0.5/24", "10.0.0.6/24", NULL }, &r);
	assert_string_equal(r.etcd_ip, "10.0.0.6");
	assert_trace(&r, "etcd: advertisedSubnets 10.0.0.0/24, !10.0.0.5 (VIPs "
	    "excluded) -> advertises 10.0.0.6");
	/* Nothing matching. */
	mc.etcd_subnets = (char *[]){ "172.16.0.0/12", NULL };
	nd_nodeip_compute(arena, &mc, (const char *[]){ "10.0.0.5/24", NULL },
	    &r);
	assert_null(r.etcd_ip);
	assert_string_equal(r.node_ip, "10.0.0.5");
	assert_trace(&r, "etcd: advertisedSubnets 172.16.0.0/12 (VIPs "
	    "excluded) -> advertises none");
}

/* ---- secrets ---- */

/* The tailscale extension: tailscale0's run-time address is a candidate. */
static void
test_tailscale_extension(void **state)
{
	struct nd_mc *mc = load_one("tailscale-extension.yaml");
	struct nd_nodeip r;

	(void)state;
	assert_strv(mc->addresses, (const char *[]){ "192.168.30.53/24",
	    NULL });
	assert_true(mc->ts_line > 0);
	assert_strv(mc->ts_routes, (const char *[]){ "192.168.30.0/24",
	    NULL });
	assert_int_equal(mc->nts_serve_tls, 1);
	assert_int_equal(mc->ts_serve_tls[0].port, 6443);
	assert_string_equal(mc->ts_serve_tls[0].how, "\"HTTPS\": true");
	nd_nodeip_compute(arena, mc, NULL, &r);
	assert_string_equal(r.node_ip, "100.64.0.1");
	assert_string_equal(r.ts_addr, "100.64.0.1");
	assert_strv(r.candidates, (const char *[]){ "192.168.30.53",
	    "100.64.0.1", "fd7a:115c:a1e0::1", NULL });
	assert_string_equal(r.etcd_ip, "192.168.30.53");
	assert_strv(r.overlay, (const char *[]){ "100.64.0.1", NULL });

	/* Live on the node, tailscale0 already holds its address. */
	nd_nodeip_compute(arena, mc, (const char *[]){ "192.168.30.53/24",
	    "100.101.1.2/32", NULL }, &r);
	assert_string_equal(r.node_ip, "100.101.1.2");
	assert_null(r.ts_addr);

	mc = load_one("tailscale-extension-lan.yaml");
	assert_int_equal(mc->nts_serve_tls, 0);
	nd_nodeip_compute(arena, mc, NULL, &r);
	assert_string_equal(r.node_ip, "192.168.30.53");
	assert_int_equal(count(r.overlay), 0);
}

static void
test_no_secrets(void **state)
{
	static const char *const ok[] = { "vip-excluded.yaml", "good.yaml",
	    "tailscale.yaml", "nothing-matches.yaml", "etcd-mismatch.yaml",
	    "multidoc.yaml", "tailscale-extension.yaml" };
	struct nd_mc **mcs;
	struct nd_nodeip r;
	size_t i, j, k;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(nd_mc_load(arena, fixture(ok[i]), &mcs, err,
		    sizeof(err)), 0);
		for (j = 0; mcs[j] != NULL; j++) {
			nd_nodeip_compute(arena, mcs[j], NULL, &r);
			for (k = 0; r.trace[k] != NULL; k++)
				assert_null(strstr(r.trace[k], "FAKE"));
			for (k = 0; mcs[j]->ts_routes != NULL &&
			    mcs[j]->ts_routes[k] != NULL; k++)
				assert_null(strstr(mcs[j]->ts_routes[k],
				    "tskey"));
		}
	}
	/* A syntax error and a bad byte next to a secret: not quoted. */
	bad("version: v1alpha1\nmachine:\n  token: SECRET-x: [\n",
	    ":3: column 18: YAML syntax error: mapping values are not "
	    "allowed in this context");
	bad("version: v1alpha1\nmachine:\n  token: SECRET\x01\n",
	    ":3: column 16: invalid YAML input: control characters are not "
	    "allowed");
	bad("version: v1alpha1\nmachine:\n  ca: &SECRET {}\n",
	    ":3: anchors and aliases are not supported");
	/* The tailscale extension's document holds the auth key. */
	bad("version: v1alpha1\nmachine: {}\n---\nkind: ExtensionServiceConfig\n"
	    "name: tailscale\nenvironment:\n  - TS_AUTHKEY=SECRET\n"
	    "  - TS_ROUTES=10.0.0.0/24,SECRET\n", ":8: ExtensionServiceConfig "
	    "tailscale.environment[1]: TS_ROUTES must be a comma-separated "
	    "list of subnets (CIDR)");
	bad("version: v1alpha1\nmachine: {}\n---\nkind: ExtensionServiceConfig\n"
	    "name: tailscale\nenvironment:\n  - TS_AUTHKEY=SECRET\n"
	    "  - TS_SERVE_CONFIG=/s.json\nconfigFiles:\n  - mountPath: /s.json\n"
	    "    content: '{\"TCP\": {\"SECRET\": {}}}'\n", ":11: "
	    "ExtensionServiceConfig tailscale.configFiles[0].content: the serve "
	    "config TS_SERVE_CONFIG names is not what `tailscale serve` reads: "
	    "Tailscale LocalAPI serve-config: serve config.TCP: a key is not a "
	    "port");
}

/* ---- ytree multi_doc ---- */

static void
test_ytree_multi(void **state)
{
	static const struct nd_ytree_opts opts = { .max_bytes = 4096,
	    .max_depth = 4, .max_nodes = 6, .multi_doc = true };
	struct nd_ynode *root;
	char path[64];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/nd-test-nodeip-XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, "a: 1\n---\n---\n- x\n", 17), 17);
	assert_int_equal(close(fd), 0);
	assert_int_equal(nd_ytree_load(arena, path, &opts, &root, err,
	    sizeof(err)), 0);
	assert_int_equal(root->kind, ND_Y_SEQ);
	assert_int_equal(root->n, 3);
	assert_int_equal(root->kids[0]->kind, ND_Y_MAP);
	assert_int_equal(root->kids[0]->line, 1);
	assert_true(nd_ytree_is_null(root->kids[1]));
	assert_int_equal(root->kids[2]->kind, ND_Y_SEQ);
	assert_int_equal(root->kids[2]->line, 4);
	/* The documents' nodes count together: 3 + 1 + 2 + 1 = 7 > 6. */
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "---\nb\n", 6), 6);
	assert_int_equal(close(fd), 0);
	assert_int_equal(nd_ytree_load(arena, path, &opts, &root, err,
	    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":6: more than 6 values"));
	/* Empty: a sequence without kids, not NULL. */
	assert_int_equal(truncate(path, 0), 0);
	assert_int_equal(nd_ytree_load(arena, path, &opts, &root, err,
	    sizeof(err)), 0);
	assert_non_null(root);
	assert_int_equal(root->n, 0);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tailscale_extension,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_vip_excluded, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tailscale, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nothing_matches, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_etcd_mismatch, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_multidoc, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_broken_fixtures, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lenient, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_filter_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_filter_trace, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_excludes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_etcd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_secrets, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ytree_multi, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
