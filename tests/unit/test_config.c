/*
 * test_config.c - netdoctor.yaml v1 (docs/contracts.md 4): a complete file field
 * by field, and every class of bad input with its exact one-line message
 * and line number.  Files are written with mkstemp(3) under /tmp and
 * removed again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "target.h"

/* Every scheme, in the order of schemes.def (errors list them). */
#define SCHEMES	"tcp, unix, tls, talos, k8s, http, https, http+unix, " \
	"cloudflared, dns, arp, arp+pcap, port, machineconfig, docker, " \
	"tailscale, addrplan, gateway, gateway+k8s"

static struct nd_arena *arena;
static char err[1024];
static char path[64];

static int
setup(void **state)
{
	(void)state;
	arena = nd_arena_new();
	err[0] = '\0';
	path[0] = '\0';
	/* Tests expand "~/" against a known home. */
	assert_int_equal(setenv("HOME", "/home/tester", 1), 0);
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

static void
write_tmp(const char *data, size_t len)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/nd-test-config-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* Loads data from a temporary file; *c is left alone on failure. */
static int
load_n(const char *data, size_t len, struct nd_config *c)
{
	int rc;

	write_tmp(data, len);
	rc = nd_config_load(arena, path, c, err, sizeof(err));
	assert_int_equal(unlink(path), 0);
	return rc;
}

static int
load(const char *yaml, struct nd_config *c)
{
	return load_n(yaml, strlen(yaml), c);
}

/* want is the message after the path, e.g. ":2: unknown key ...". */
static void
bad_n(const char *data, size_t len, const char *want)
{
	struct nd_config c, untouched;
	char full[1200];

	memset(&c, 0x5a, sizeof(c));
	memcpy(&untouched, &c, sizeof(c));
	assert_int_equal(load_n(data, len, &c), -EINVAL);
	assert_memory_equal(&c, &untouched, sizeof(c));
	snprintf(full, sizeof(full), "%s%s", path, want);
	assert_string_equal(err, full);
}

static void
bad(const char *yaml, const char *want)
{
	bad_n(yaml, strlen(yaml), want);
}

/*
 * Each target's origin is "PATH:LINE" (written without printf: the path
 * once, the line per target), a path too long for that buffer included.
 */
static void
test_target_origins(void **state)
{
	char yaml[4096], want[700], dir[300], lpath[600];
	struct nd_config c;
	size_t i, o;
	int fd;

	(void)state;
	o = (size_t)snprintf(yaml, sizeof(yaml), "version: 1\ntargets:\n");
	for (i = 0; i < 120; i++)
		o += (size_t)snprintf(yaml + o, sizeof(yaml) - o,
		    "  - tcp://10.0.0.%zu:1\n", i + 1);
	assert_true(o < sizeof(yaml));
	assert_int_equal(load(yaml, &c), 0);
	assert_int_equal(c.ntargets, 120);
	for (i = 0; i < 120; i++) {
		snprintf(want, sizeof(want), "%s:%zu", path, i + 3);
		assert_string_equal(c.targets[i]->origin, want);
	}

	/* A path of 250 bytes and more takes the other way: same text. */
	memset(dir, 'd', sizeof(dir));
	memcpy(dir, "/tmp/nd-test-config-", 20);
	dir[250] = '\0';
	(void)rmdir(dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(lpath, sizeof(lpath), "%s/netdoctor.yaml", dir);
	fd = open(lpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, yaml, o), (ssize_t)o);
	assert_int_equal(close(fd), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(nd_config_load(arena, lpath, &c, err, sizeof(err)), 0);
	assert_int_equal(unlink(lpath), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(c.ntargets, 120);
	snprintf(want, sizeof(want), "%s:122", lpath);
	assert_string_equal(c.targets[119]->origin, want);
}

static void
test_complete(void **state)
{
	const char *yaml =
	    "# netdoctor.yaml\n"
	    "version: 1\n"
	    "targets: [ \"talos://127.0.0.1:50000\", "
	    "\"k8s://127.0.0.1:6444\" ]\n"
	    "talos:  { talosconfig: ~/.talos/config, context: homelab }\n"
	    "kubernetes: { kubeconfig: /etc/kube.conf, context: "
	    "admin@homelab }\n"
	    "dns:\n"
	    "  servers: [192.168.30.45, \"fd00::53\"]\n"
	    "  upstream: 1.1.1.1\n"
	    "  expect:\n"
	    "    sonarr.int.example.be: [192.168.30.61]\n"
	    "    v6.example: ['fd00::61', 10.0.0.1]\n"
	    "l2:\n"
	    "  interface: eth0\n"
	    "  addresses: [192.168.30.61, 192.168.30.62]\n"
	    "machine_configs: [ talos/clusterconfig/cp01.yaml, ~/cp02.yaml ]\n"
	    "host_ports:\n"
	    "  - 6443\n"
	    "  - 50000\n"
	    "  - '80'\n"
	    "timeout: 1.5s\n";
	struct nd_config c;
	char origin[100];

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(load(yaml, &c), 0);
	assert_string_equal(err, "");
	assert_string_equal(c.path, path);

	assert_int_equal(c.ntargets, 2);
	assert_int_equal(c.targets[0]->scheme, ND_S_TALOS);
	assert_string_equal(c.targets[0]->url, "talos://127.0.0.1:50000");
	assert_int_equal(c.targets[0]->port, 50000);
	snprintf(origin, sizeof(origin), "%s:3", path);
	assert_string_equal(c.targets[0]->origin, origin);
	assert_int_equal(c.targets[1]->scheme, ND_S_K8S);
	assert_int_equal(c.targets[1]->port, 6444);
	assert_string_equal(c.targets[1]->origin, origin);

	assert_string_equal(c.talosconfig, "/home/tester/.talos/config");
	assert_string_equal(c.talos_context, "homelab");
	assert_string_equal(c.kubeconfig, "/etc/kube.conf");
	assert_string_equal(c.kube_context, "admin@homelab");

	assert_string_equal(c.dns_servers[0], "192.168.30.45");
	assert_string_equal(c.dns_servers[1], "fd00::53");
	assert_null(c.dns_servers[2]);
	assert_string_equal(c.dns_upstream, "1.1.1.1");
	assert_int_equal(c.ndns_expect, 2);
	assert_string_equal(c.dns_expect[0].name, "sonarr.int.example.be");
	assert_int_equal(c.dns_expect[0].line, 10);
	assert_string_equal(c.dns_expect[0].ips[0], "192.168.30.61");
	assert_null(c.dns_expect[0].ips[1]);
	assert_string_equal(c.dns_expect[1].name, "v6.example");
	assert_int_equal(c.dns_expect[1].line, 11);
	assert_string_equal(c.dns_expect[1].ips[0], "fd00::61");
	assert_string_equal(c.dns_expect[1].ips[1], "10.0.0.1");
	assert_null(c.dns_expect[1].ips[2]);

	assert_string_equal(c.l2_interface, "eth0");
	assert_string_equal(c.l2_addresses[0], "192.168.30.61");
	assert_string_equal(c.l2_addresses[1], "192.168.30.62");
	assert_null(c.l2_addresses[2]);
	assert_null(c.l2_pool);
	assert_int_equal(c.l2_line, 12);
	assert_int_equal(c.l2_pool_line, 0);

	/* Relative to the config file's directory (/tmp here). */
	assert_string_equal(c.machine_configs[0],
	    "/tmp/talos/clusterconfig/cp01.yaml");
	assert_string_equal(c.machine_configs[1], "/home/tester/cp02.yaml");
	assert_null(c.machine_configs[2]);

	assert_int_equal(c.nhost_ports, 3);
	assert_int_equal(c.host_ports[0], 6443);
	assert_int_equal(c.host_ports[1], 50000);
	assert_int_equal(c.host_ports[2], 80);
	assert_int_equal(c.host_port_lines[0], 17);
	assert_int_equal(c.host_port_lines[1], 18);
	assert_int_equal(c.host_port_lines[2], 19);

	assert_int_equal(c.timeout_ms, 1500);
}

static void
test_minimal_and_pool(void **state)
{
	struct nd_config c;

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(load("version: 1\n", &c), 0);
	assert_int_equal(c.ntargets, 0);
	assert_null(c.talosconfig);
	assert_null(c.dns_servers);
	assert_int_equal(c.ndns_expect, 0);
	assert_null(c.l2_interface);
	assert_int_equal(c.l2_line, 0);
	assert_null(c.machine_configs);
	assert_int_equal(c.nhost_ports, 0);
	assert_int_equal(c.timeout_ms, 0);

	memset(&c, 0, sizeof(c));
	assert_int_equal(load("---\nversion: 1\ntargets: []\nhost_ports: []\n"
	    "l2:\n  interface: br0\n  pool: 10.0.0.250 - 10.0.1.3\n"
	    "timeout: 250ms\n...\n", &c), 0);
	assert_int_equal(c.ntargets, 0);
	assert_int_equal(c.nhost_ports, 0);
	assert_string_equal(c.l2_interface, "br0");
	assert_string_equal(c.l2_pool, "10.0.0.250-10.0.1.3");
	assert_null(c.l2_addresses);
	assert_int_equal(c.l2_line, 5);
	assert_int_equal(c.l2_pool_line, 7);
	assert_int_equal(c.timeout_ms, 250);
}

/* modules: for netdoctor serve. */
static void
test_modules(void **state)
{
	struct nd_config c;

	(void)state;
	assert_int_equal(load("version: 1\nmodules:\n"
	    "  tcp_fast: { timeout: 2s, only: [route, tcp] }\n"
	    "  strict:\n    success: ok\n    skip: [route]\n"
	    "    talosconfig: /etc/talosconfig\n"
	    "  plain:\n", &c), 0);
	assert_int_equal(c.nmodules, 3);
	assert_string_equal(c.modules[0].name, "tcp_fast");
	assert_int_equal(c.modules[0].line, 3);
	assert_int_equal(c.modules[0].timeout_ms, 2000);
	assert_string_equal(c.modules[0].only[1], "tcp");
	assert_null(c.modules[0].only[2]);
	assert_false(c.modules[0].warning_fails);
	assert_true(c.modules[1].warning_fails);
	assert_string_equal(c.modules[1].skip[0], "route");
	assert_string_equal(c.modules[1].talosconfig, "/etc/talosconfig");
	assert_string_equal(c.modules[2].name, "plain");
	assert_int_equal(c.modules[2].timeout_ms, 0);

	bad("version: 1\nmodules:\n  m:\n    timout: 3s\n", ":4: unknown "
	    "key 'timout' in 'modules.m' (did you mean 'timeout'?)");
	bad("version: 1\nmodules:\n  m: { only: [tcpp] }\n", ":3: "
	    "modules.m.only: unknown probe 'tcpp' (netdoctor list shows the "
	    "probes)");
	bad("version: 1\nmodules:\n  m: { success: maybe }\n", ":3: "
	    "modules.m.success: must be ok or warning, got 'maybe'");
	bad("version: 1\nmodules:\n  m: { timeout: soon }\n", ":3: "
	    "modules.m.timeout: 'soon' is not a duration (e.g. 5s, 250ms)");
	bad("version: 1\nmodules:\n  a b: {}\n", ":3: modules: 'a b' is not "
	    "a module name (letters, digits, '_', '.', '-')");
	bad("version: 1\nmodules: [a]\n", ":2: modules: must be a mapping of "
	    "module names to settings, got a list");
}

static void
test_unknown_key(void **state)
{
	(void)state;
	bad("version: 1\ntagrets: []\n", ":2: unknown key 'tagrets' in the "
	    "top level (did you mean 'targets'?)");
	bad("version: 1\nfrobnicate: 1\n", ":2: unknown key 'frobnicate' in "
	    "the top level");
	bad("version: 1\ndns:\n  servers: []\n\n  upstrem: 1.1.1.1\n",
	    ":5: unknown key 'upstrem' in 'dns' (did you mean 'upstream'?)");
	bad("version: 1\nl2: {interface: eth0, adresses: [10.0.0.1]}\n",
	    ":2: unknown key 'adresses' in 'l2' (did you mean 'addresses'?)");
	bad("version: 1\ntalos:\n  context: x\n  key: y\n", ":4: unknown key "
	    "'key' in 'talos'");
	bad("version: 1\nkubernetes:\n  kubeconfg: x\n", ":3: unknown key "
	    "'kubeconfg' in 'kubernetes' (did you mean 'kubeconfig'?)");
	bad("version: 1\n[a]: 1\n", ":2: keys must be strings, got a list in "
	    "the top level");
}

static void
test_duplicate_key(void **state)
{
	(void)state;
	bad("version: 1\ntimeout: 5s\ntimeout: 6s\n", ":3: timeout: given "
	    "twice (first on line 2)");
	bad("version: 1\nversion: 1\n", ":2: version: given twice (first on "
	    "line 1)");
	bad("version: 1\nl2:\n  interface: a\n  interface: b\n", ":4: "
	    "l2.interface: given twice (first on line 3)");
	bad("version: 1\ndns:\n  expect:\n    a.b: [1.1.1.1]\n"
	    "    A.B.: [1.1.1.2]\n", ":5: dns.expect.A.B.: given twice (first "
	    "on line 4)");
}

static void
test_wrong_type(void **state)
{
	(void)state;
	bad("version: 1\nhost_ports: 80\n", ":2: host_ports: must be a list "
	    "of ports, got a number");
	bad("version: 1\nhost_ports: all\n", ":2: host_ports: must be a list "
	    "of ports, got a string");
	bad("version: 1\nhost_ports: [[80]]\n", ":2: host_ports[0]: must be a "
	    "port, got a list");
	bad("version: 1\ntargets: {a: b}\n", ":2: targets: must be a list of "
	    "target URLs, got a mapping");
	bad("version: 1\ntargets:\n  - {a: b}\n", ":3: targets[0]: must be a "
	    "target URL, got a mapping");
	bad("version: 1\ndns: [1.1.1.1]\n", ":2: dns: must be a mapping, got "
	    "a list");
	bad("version: 1\ntalos:\ntimeout: 5s\n", ":2: talos: must be a "
	    "mapping, got an empty value");
	bad("version: 1\ntalos: {context: [a]}\n", ":2: talos.context: must "
	    "be a string, got a list");
	bad("version: 1\nkubernetes: {kubeconfig: ''}\n", ":2: "
	    "kubernetes.kubeconfig: must not be empty");
	bad("version: 1\ndns: {servers: 1.1.1.1}\n", ":2: dns.servers: must "
	    "be a list of IP addresses, got a string");
	bad("version: 1\ndns: {servers: [1.1.1.1, [a]]}\n", ":2: "
	    "dns.servers[1]: must be an IP address, got a list");
	bad("version: 1\ndns: {expect: [a]}\n", ":2: dns.expect: must be a "
	    "mapping of names to address lists, got a list");
	bad("version: 1\ndns: {expect: {a.b: 1.1.1.1}}\n", ":2: dns.expect: "
	    "must be a list of IP addresses, got a string");
	bad("version: 1\ndns: {expect: {a.b: []}}\n", ":2: dns.expect: must "
	    "list at least one address");
	bad("version: 1\ndns: {expect: {[a]: [1.1.1.1]}}\n", ":2: keys must "
	    "be strings, got a list in 'dns.expect'");
	bad("version: 1\nmachine_configs: a.yaml\n", ":2: machine_configs: "
	    "must be a list of paths, got a string");
	bad("version: 1\nmachine_configs: [~]\n", ":2: machine_configs[0]: "
	    "must be a path, got an empty value");
	bad("version: 1\nmachine_configs: [a, '']\n", ":2: "
	    "machine_configs[1]: must not be empty");
	bad("version: 1\ntimeout: [5s]\n", ":2: timeout: must be a duration, "
	    "got a list");
	bad("version: 1\nl2: {pool: [a]}\n", ":2: l2.pool: must be a range "
	    "A-B, got a list");
}

static void
test_bad_values(void **state)
{
	(void)state;
	bad("version: 1\nhost_ports:\n  - 80\n  - 70000\n", ":4: host_ports: "
	    "70000 is not a port (1-65535)");
	bad("version: 1\nhost_ports: [0]\n", ":2: host_ports: 0 is not a port "
	    "(1-65535)");
	bad("version: 1\nhost_ports: [http]\n", ":2: host_ports: http is not "
	    "a port (1-65535)");
	bad("version: 1\ntimeout: 5d\n", ":2: timeout: '5d' is not a duration "
	    "(e.g. 5s, 250ms)");
	bad("version: 1\ntimeout: 0s\n", ":2: timeout: must be greater than "
	    "0");
	bad("version: 1\ntimeout: 100000s\n", ":2: timeout: '100000s' is "
	    "longer than 24h");
	bad("version: 1\ndns:\n  servers: [1.1.1.1, 1.2.3]\n", ":3: "
	    "dns.servers: '1.2.3' is not an IP address");
	bad("version: 1\ndns:\n  upstream: one.one\n", ":3: dns.upstream: "
	    "'one.one' is not an IP address");
	bad("version: 1\ndns:\n  expect:\n    a.b: [1.1.1.1, x]\n", ":4: "
	    "dns.expect: 'x' is not an IP address");
	bad("version: 1\ndns:\n  expect:\n    a..b: [1.1.1.1]\n", ":4: "
	    "dns.expect: 'a..b' is not a DNS name: empty label");
	bad("version: 1\nl2:\n  addresses: [10.0.0.1, 'fd00::1']\n", ":3: "
	    "l2.addresses: 'fd00::1' is not an IPv4 address");
	bad("version: 1\nl2:\n  interface: this-name-is-too-long\n", ":3: "
	    "l2.interface: 'this-name-is-too-long' is not an interface name "
	    "(1-15 characters of letters, digits, '.', '_', '-', '@')");
	bad("version: 1\nl2:\n  pool: 10.0.0.9-10.0.0.1\n", ":3: l2.pool: "
	    "10.0.0.9 comes after 10.0.0.1");
	bad("version: 1\nl2:\n  pool: 10.0.0.0-10.0.1.0\n", ":3: l2.pool: 257 "
	    "addresses, at most 256");
	bad("version: 1\nl2:\n  pool: 10.0.0.1\n", ":3: l2.pool: '10.0.0.1' "
	    "is not a range A-B of IPv4 addresses");
	bad("version: 1\nl2:\n  pool: 10.0.0.1-10.0.0.2\n  addresses: "
	    "[10.0.0.1]\n", ":4: l2: give 'addresses' or 'pool', not both");
}

static void
test_home(void **state)
{
	struct nd_config c;

	(void)state;
	assert_int_equal(unsetenv("HOME"), 0);
	bad("version: 1\ntalos:\n  talosconfig: ~/x\n", ":3: "
	    "talos.talosconfig: cannot expand '~': $HOME is not set");
	/* "~user/" and a '~' elsewhere are plain relative paths. */
	assert_int_equal(load("version: 1\nmachine_configs: [~bob/x, a~/b]\n",
	    &c), 0);
	assert_string_equal(c.machine_configs[0], "/tmp/~bob/x");
	assert_string_equal(c.machine_configs[1], "/tmp/a~/b");
	/* "./" and "../" are taken off lexically (the config is in /tmp). */
	assert_int_equal(load("version: 1\nmachine_configs: [./a.yaml, "
	    "../b.yaml, x/../c.yaml]\n", &c), 0);
	assert_string_equal(c.machine_configs[0], "/tmp/a.yaml");
	assert_string_equal(c.machine_configs[1], "/b.yaml");
	assert_string_equal(c.machine_configs[2], "/tmp/x/../c.yaml");
}

static void
test_version(void **state)
{
	(void)state;
	bad("targets: []\n", ":1: missing 'version: 1' at the top level");
	bad("\n\nversion: 2\nfuture_key: 1\n", ":3: version 2 is not "
	    "supported (this netdoctor reads version 1)");
	bad("version: one\n", ":1: version: must be a number, got a string");
	bad("version: [1]\n", ":1: version: must be a number, got a list");
	bad("version:\n", ":1: version: must be a number, got an empty "
	    "value");
}

static void
test_document_shape(void **state)
{
	(void)state;
	bad("", ": empty file (expected a mapping starting with 'version: "
	    "1')");
	bad("# only a comment\n\n", ": empty file (expected a mapping "
	    "starting with 'version: 1')");
	bad("- version: 1\n", ":1: the top level must be a mapping starting "
	    "with 'version: 1', got a list");
	bad("version 1\n", ":1: the top level must be a mapping starting with "
	    "'version: 1', got a string");
	bad("version: 1\n---\nversion: 1\n", ":2: more than one YAML "
	    "document; multiple documents are not supported");
}

static void
test_yaml_errors(void **state)
{
	(void)state;
	bad("version: 1\ntargets: [a, b\nfoo: 1\n", ":3: column 4: YAML "
	    "syntax error: did not find expected ',' or ']' (while parsing a "
	    "flow sequence at line 2)");
	bad("version: 1\n  x: 2\n", ":2: column 4: YAML syntax error: "
	    "mapping values are not allowed in this context");
	bad("version: 1\ntargets: \"abc\n", ":3: column 1: YAML syntax error: "
	    "found unexpected end of stream (while scanning a quoted scalar "
	    "at line 2)");
	bad_n("version: 1\nx: a\0b\n", 17, ":2: column 5: invalid YAML input: "
	    "control characters are not allowed (byte 0x00)");
	bad("version: 1\nx: \xff\n", ":2: column 4: invalid YAML input: "
	    "invalid leading UTF-8 octet (byte 0xff)");
	bad("version: 1\ntargets: [\"a\\0b\"]\n", ":2: NUL character in a "
	    "value");
}

static void
test_aliases_and_depth(void **state)
{
	char deep[100];
	size_t i, n;

	(void)state;
	bad("version: 1\nx: &a 1\ny: *a\n", ":2: anchor '&a' refused: anchors "
	    "and aliases are not supported");
	bad("version: 1\ntargets: *a\n", ":2: anchors and aliases are not "
	    "supported");

	/* The top mapping is level 1; 15 more fit, the 16th does not. */
	n = (size_t)snprintf(deep, sizeof(deep), "version: 1\nx: ");
	for (i = 0; i < 16; i++)
		deep[n++] = '[';
	for (i = 0; i < 16; i++)
		deep[n++] = ']';
	deep[n++] = '\n';
	deep[n] = '\0';
	assert_int_equal(strlen(deep), 14 + 32 + 1);
	bad(deep, ":2: nesting deeper than 16 levels is not supported");
	n = (size_t)snprintf(deep, sizeof(deep), "version: 1\nx: ");
	for (i = 0; i < 15; i++)
		deep[n++] = '[';
	for (i = 0; i < 15; i++)
		deep[n++] = ']';
	deep[n++] = '\n';
	deep[n] = '\0';
	bad(deep, ":2: unknown key 'x' in the top level");
}

static void
test_target_error(void **state)
{
	(void)state;
	bad("version: 1\ntargets:\n  - tcp://127.0.0.1:1\n"
	    "  - tcp://127.0.0.1:65536\n", ":4: tcp://127.0.0.1:65536: column "
	    "17: port 65536 out of range 1-65535");
	bad("version: 1\ntargets: [\"gopher://x\"]\n", ":2: gopher://x: column "
	    "1: unknown scheme 'gopher' (known: " SCHEMES ")");
}

/*
 * http: each entry is the http(s):// URL it stands for, judged by the URL
 * parser; errors name the entry's key and its line instead of a column.
 */
static void
test_http(void **state)
{
	const char *yaml =
	    "version: 1\n"
	    "http:\n"
	    "  - url: https://sonarr.int.example.be/?a=1\n"
	    "    connect: 192.168.30.61\n"
	    "    status: [200, 301-399]\n"
	    "    body: \"Sonarr & co #1 100%\"\n"
	    "    ca: lab/ca.pem\n"
	    "  - url: http://[fd00::80]:8080/x?\n"
	    "    connect: '[fd00::81]:81'\n"
	    "    status: 503\n"
	    "  - {url: 'https://a.example', ca: ~/ca.pem}\n"
	    "targets: [\"tcp://127.0.0.1:1\"]\n";
	struct nd_config c;
	struct nd_target *t, *u;
	char origin[100], want[200], perr[256];

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(load(yaml, &c), 0);
	assert_int_equal(c.ntargets, 1);
	assert_int_equal(c.nhttp, 3);

	t = c.http[0];
	assert_int_equal(t->scheme, ND_S_HTTPS);
	assert_string_equal(t->host, "sonarr.int.example.be");
	assert_int_equal(t->port, 443);
	assert_string_equal(t->x->connect, "192.168.30.61");
	assert_string_equal(t->x->reqpath, "/?a=1");
	assert_string_equal(t->x->body, "Sonarr & co #1 100%");
	/* A relative path is the config file's directory's, as elsewhere. */
	assert_string_equal(t->x->ca, "/tmp/lab/ca.pem");
	assert_int_equal(t->x->nstatus, 2);
	assert_int_equal(t->x->status[0].lo, 200);
	assert_int_equal(t->x->status[0].hi, 200);
	assert_int_equal(t->x->status[1].lo, 301);
	assert_int_equal(t->x->status[1].hi, 399);
	snprintf(origin, sizeof(origin), "%s:3", path);
	assert_string_equal(t->origin, origin);
	/* Its url is the equivalent URL: typed, it is the same target. */
	assert_string_equal(t->url, "https://sonarr.int.example.be/?a=1&"
	    "nd-connect=192.168.30.61&nd-status=200,301-399&nd-body=Sonarr"
	    "%20%26%20co%20%231%20100%25&nd-ca=/tmp/lab/ca.pem");
	assert_int_equal(nd_target_parse(arena, t->url, "x", &u, perr,
	    sizeof(perr)), 0);
	assert_string_equal(nd_target_key(arena, u), nd_target_key(arena, t));

	t = c.http[1];
	assert_int_equal(t->scheme, ND_S_HTTP);
	assert_string_equal(t->host, "fd00::80");
	assert_string_equal(t->x->connect, "fd00::81");
	assert_int_equal(t->port, 81);
	assert_string_equal(t->x->reqpath, "/x");
	assert_int_equal(t->x->nstatus, 1);
	assert_int_equal(t->x->status[0].lo, 503);
	assert_null(t->x->body);
	assert_null(t->x->ca);
	assert_string_equal(t->url, "http://[fd00::80]:8080/x?"
	    "nd-connect=[fd00::81]:81&nd-status=503");

	t = c.http[2];
	assert_string_equal(t->url, "https://a.example?nd-ca=/home/tester/"
	    "ca.pem");
	assert_string_equal(t->x->ca, "/home/tester/ca.pem");
	assert_null(t->x->connect);
	assert_int_equal(t->x->nstatus, 0);
	snprintf(origin, sizeof(origin), "%s:11", path);
	assert_string_equal(t->origin, origin);

	memset(&c, 0, sizeof(c));
	assert_int_equal(load("version: 1\nhttp: []\n", &c), 0);
	assert_int_equal(c.nhttp, 0);

	bad("version: 1\nhttp: https://a/\n", ":2: http: must be a list of "
	    "mappings (url, connect, status, body, ca), got a string");
	bad("version: 1\nhttp:\n  - https://a/\n", ":3: http[0]: must be a "
	    "mapping (url, connect, status, body, ca), got a string");
	bad("version: 1\nhttp:\n  - url: https://a/\n    stauts: 200\n",
	    ":4: unknown key 'stauts' in 'http[0]' (did you mean 'status'?)");
	bad("version: 1\nhttp:\n  - url: https://a/\n    url: https://b/\n",
	    ":4: http[0].url: given twice (first on line 3)");
	bad("version: 1\nhttp:\n  - url: https://a/\n  - connect: 10.0.0.1\n"
	    "    status: 200\n", ":4: http[1].url: missing");
	bad("version: 1\nhttp:\n  - url: ''\n", ":3: http[0].url: must not "
	    "be empty");
	bad("version: 1\nhttp:\n  - url: tcp://10.0.0.1:80\n    connect: "
	    "10.0.0.2\n", ":3: http[0].url: 'tcp://10.0.0.1:80' is not an "
	    "http:// or https:// URL (targets: takes the other schemes)");
	bad("version: 1\nhttp:\n  - url: gopher://a/\n", ":3: http[0].url: "
	    "unknown scheme 'gopher' (known: " SCHEMES ")");
	bad("version: 1\nhttp:\n  - url: https://a:99999/\n", ":3: "
	    "http[0].url: port 99999 out of range 1-65535");
	bad("version: 1\nhttp:\n  - url: https://a/#top\n    connect: "
	    "10.0.0.1\n", ":3: http[0].url: a fragment ('#...') is never "
	    "sent to the server; remove it");
	bad("version: 1\nhttp:\n  - url: https://a/\n    status: 999\n",
	    ":4: http[0].status: nd-status: status 999 out of range 100-599");
	bad("version: 1\nhttp:\n  - url: https://a/\n    status: [200, "
	    "399-301]\n", ":4: http[0].status: nd-status: range 399-301 runs "
	    "backwards");
	bad("version: 1\nhttp:\n  - url: https://a/\n    status: []\n",
	    ":4: http[0].status: must list at least one status");
	bad("version: 1\nhttp:\n  - url: https://a/\n    status: [[200]]\n",
	    ":4: http[0].status[0]: must be a status or a range such as "
	    "301-399, got a list");
	bad("version: 1\nhttp:\n  - url: https://a/\n    connect: gateway\n",
	    ":4: http[0].connect: nd-connect 'gateway' is not an IP address "
	    "(nd-connect=IP[:PORT], IPv6 in brackets)");
	/* A value cannot smuggle in a parameter of its own. */
	bad("version: 1\nhttp:\n  - url: https://a/\n    connect: "
	    "\"10.0.0.1&nd-body=x\"\n", ":4: http[0].connect: nd-connect "
	    "'10.0.0.1%26nd-body%3Dx' is not an IP address "
	    "(nd-connect=IP[:PORT], IPv6 in brackets)");
	bad("version: 1\nhttp:\n  - url: https://a/\n    connect: "
	    "10.0.0.1:0\n", ":4: http[0].connect: port 0 out of range "
	    "1-65535");
	bad("version: 1\nhttp:\n  - url: http://a/\n    body: ok\n"
	    "    ca: /etc/ca.pem\n", ":5: http[0].ca: nd-ca is for https:// "
	    "(http:// has no certificate to check)");
	bad("version: 1\nhttp:\n  - url: https://a/\n    body: \"a\\tb\"\n",
	    ":4: http[0].body: percent-escape '%09' decodes to a control "
	    "character");
	bad("version: 1\nhttp:\n  - url: https://a/?nd-connect=10.0.0.1\n"
	    "    connect: 10.0.0.2\n", ":4: http[0].connect: repeated "
	    "parameter 'nd-connect'");
	bad("version: 1\nhttp:\n  - url: https://a/?nd-colour=red\n", ":3: "
	    "http[0].url: unknown netdoctor parameter 'nd-colour' (https:// "
	    "takes nd-connect, nd-status, nd-body, nd-ca)");
	bad("version: 1\nhttp:\n  - url: https://a/\n    body:\n", ":4: "
	    "http[0].body: must be a string, got an empty value");
	snprintf(want, sizeof(want), ":4: http[0].body: URL longer than "
	    "4096 bytes");
	{
		char big[5000];
		int n = snprintf(big, sizeof(big), "version: 1\nhttp:\n  - "
		    "url: https://a/\n    body: ");

		memset(big + n, 'x', 4100);
		memcpy(big + n + 4100, "\n", 2);
		bad(big, want);
	}
}

static void
test_file_errors(void **state)
{
	struct nd_config c;
	char *big;
	size_t max = 1024 * 1024, n;

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(nd_config_load(arena, "/nonexistent/netdoctor.yaml",
	    &c, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "/nonexistent/netdoctor.yaml: cannot read: "
	    "No such file or directory");
	assert_int_equal(nd_config_load(arena, "/tmp", &c, err, sizeof(err)),
	    -EISDIR);
	assert_string_equal(err, "/tmp: cannot read: Is a directory");

	/* Exactly 1 MiB loads; one byte more does not. */
	big = malloc(max + 2);
	assert_non_null(big);
	n = (size_t)snprintf(big, max, "version: 1\n#");
	memset(big + n, 'x', max - n - 1);
	big[max - 1] = '\n';
	big[max] = '\0';
	assert_int_equal(load_n(big, max, &c), 0);
	big[max] = '\n';
	assert_int_equal(load_n(big, max + 1, &c), -EFBIG);
	free(big);
	{
		char want[128];

		snprintf(want, sizeof(want), "%s: file is larger than 1 MiB",
		    path);
		assert_string_equal(err, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_complete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_origins, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_modules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_minimal_and_pool, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_type, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_home, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_document_shape, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_yaml_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_aliases_and_depth, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_target_error, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_http, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_errors, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
