/*
 * test_inventory.c - the order of a run's targets (command line, config
 * targets, derived dns/l2/host_ports targets), what the derived targets
 * contain, and duplicate detection naming both origins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "config.h"
#include "inventory.h"
#include "target.h"

static struct nd_arena *arena;
static char err[1024];
static char path[64];

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

static void
load_cfg(const char *yaml, struct nd_config *c)
{
	size_t len = strlen(yaml);
	int fd;

	snprintf(path, sizeof(path), "/tmp/nd-test-inventory-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, yaml, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	memset(c, 0, sizeof(*c));
	if (nd_config_load(arena, path, c, err, sizeof(err)) != 0)
		print_error("config: %s\n", err);
	assert_int_equal(unlink(path), 0);
	assert_string_equal(err, "");
}

static void
assert_origin(const struct nd_target *t, int line)
{
	char want[100];

	snprintf(want, sizeof(want), "%s:%d", path, line);
	assert_string_equal(t->origin, want);
}

/*
 * A derived target must be exactly what its URL says: parsing the URL
 * gives the same key and the same probe chain.
 */
static void
assert_url_round_trips(const struct nd_target *t)
{
	struct nd_target *p = NULL;
	char perr[512];

	assert_int_equal(nd_target_parse(arena, t->url, "x", &p, perr,
	    sizeof(perr)), 0);
	assert_string_equal(nd_target_key(arena, p),
	    nd_target_key(arena, t));
	assert_ptr_equal(nd_target_chain(p)[0], nd_target_chain(t)[0]);
}

static void
test_order_and_derived(void **state)
{
	const char *urls[] = { "tcp://127.0.0.1:1", "talos://10.0.0.1" };
	struct nd_inventory inv;
	struct nd_config c;
	struct nd_target *t;
	size_t i;

	(void)state;
	load_cfg("version: 1\n"
	    "targets:\n"
	    "  - k8s://127.0.0.1:6444\n"
	    "dns:\n"
	    "  servers: [1.1.1.1, 'fd00::53']\n"
	    "  upstream: 9.9.9.9\n"
	    "  expect:\n"
	    "    a.lab: [10.0.0.5, 'fd00::5', 10.0.0.6]\n"
	    "l2:\n"
	    "  interface: eth0\n"
	    "  pool: 10.0.0.60-10.0.0.62\n"
	    "host_ports: [6443,\n"
	    "  50000]\n", &c);
	assert_int_equal(nd_inventory_build(arena, urls, NULL, 2, &c, &inv, err,
	    sizeof(err)), 0);
	assert_int_equal(inv.ntargets, 10);
	for (i = 0; i < inv.ntargets; i++)
		assert_int_equal(inv.targets[i]->index, i);

	t = inv.targets[0];
	assert_string_equal(t->url, "tcp://127.0.0.1:1");
	assert_string_equal(t->origin, "command line");
	t = inv.targets[1];
	assert_string_equal(t->url, "talos://10.0.0.1");
	assert_string_equal(t->origin, "command line");
	t = inv.targets[2];
	assert_string_equal(t->url, "k8s://127.0.0.1:6444");
	assert_origin(t, 3);
	/* The config's own target, not a copy (inventory.h). */
	assert_ptr_equal(t, c.targets[0]);
	assert_int_equal(c.targets[0]->index, 2);

	t = inv.targets[3];
	assert_string_equal(t->url, "dns://1.1.1.1/a.lab?expect=10.0.0.5,"
	    "10.0.0.6&upstream=9.9.9.9");
	assert_int_equal(t->scheme, ND_S_DNS);
	assert_string_equal(t->host, "1.1.1.1");
	assert_true(t->host_is_ip);
	assert_int_equal(t->port, 53);
	assert_string_equal(t->x->qname, "a.lab");
	assert_string_equal(t->x->qtype, "A");
	assert_string_equal(t->x->expect[0], "10.0.0.5");
	assert_string_equal(t->x->expect[1], "10.0.0.6");
	assert_null(t->x->expect[2]);
	assert_string_equal(t->x->upstream, "9.9.9.9");
	assert_origin(t, 8);
	t = inv.targets[4];
	assert_string_equal(t->url, "dns://1.1.1.1/a.lab?expect=fd00::5&"
	    "type=AAAA&upstream=9.9.9.9");
	assert_string_equal(t->x->qtype, "AAAA");
	assert_string_equal(t->x->expect[0], "fd00::5");
	assert_null(t->x->expect[1]);
	t = inv.targets[5];
	assert_string_equal(t->url, "dns://[fd00::53]/a.lab?expect=10.0.0.5,"
	    "10.0.0.6&upstream=9.9.9.9");
	assert_string_equal(t->host, "fd00::53");
	t = inv.targets[6];
	assert_string_equal(t->url, "dns://[fd00::53]/a.lab?expect=fd00::5&"
	    "type=AAAA&upstream=9.9.9.9");

	t = inv.targets[7];
	assert_string_equal(t->url, "arp://eth0/10.0.0.60,10.0.0.61,"
	    "10.0.0.62");
	assert_int_equal(t->scheme, ND_S_ARP);
	assert_null(t->host);
	assert_string_equal(t->x->iface, "eth0");
	assert_string_equal(t->x->ips[0], "10.0.0.60");
	assert_string_equal(t->x->ips[2], "10.0.0.62");
	assert_null(t->x->ips[3]);
	assert_origin(t, 9);

	t = inv.targets[8];
	assert_string_equal(t->url, "port://6443");
	assert_int_equal(t->scheme, ND_S_PORT);
	assert_int_equal(t->port, 6443);
	assert_null(t->host);
	assert_origin(t, 12);
	t = inv.targets[9];
	assert_string_equal(t->url, "port://50000");
	assert_origin(t, 13);

	for (i = 3; i < inv.ntargets; i++)
		assert_url_round_trips(inv.targets[i]);
}

/*
 * http: entries come after targets: wherever the file writes them, and
 * before the targets the other sections imply.
 */
static void
test_http_order(void **state)
{
	struct nd_inventory inv;
	struct nd_config c;

	(void)state;
	load_cfg("version: 1\n"
	    "host_ports: [80]\n"
	    "http:\n"
	    "  - url: http://web.lab/\n"
	    "    connect: 10.0.0.80\n"
	    "targets: [\"tcp://10.0.0.80:80\"]\n", &c);
	assert_int_equal(nd_inventory_build(arena, NULL, NULL, 0, &c, &inv, err,
	    sizeof(err)), 0);
	assert_int_equal(inv.ntargets, 3);
	assert_string_equal(inv.targets[0]->url, "tcp://10.0.0.80:80");
	assert_string_equal(inv.targets[1]->url, "http://web.lab/?"
	    "nd-connect=10.0.0.80");
	assert_int_equal(inv.targets[1]->scheme, ND_S_HTTP);
	assert_origin(inv.targets[1], 4);
	/* The config's own target, not a copy (inventory.h). */
	assert_ptr_equal(inv.targets[1], c.http[0]);
	assert_url_round_trips(inv.targets[1]);
	assert_string_equal(inv.targets[2]->url, "port://80");
}

static void
test_empty(void **state)
{
	struct nd_inventory inv = { (struct nd_target **)0x1, 99 };
	struct nd_config c;

	(void)state;
	assert_int_equal(nd_inventory_build(arena, NULL, NULL, 0, NULL, &inv, err,
	    sizeof(err)), 0);
	assert_int_equal(inv.ntargets, 0);

	/* dns.expect without servers derives nothing (yet). */
	load_cfg("version: 1\ndns:\n  expect: {a.lab: [10.0.0.1]}\n", &c);
	assert_int_equal(nd_inventory_build(arena, NULL, NULL, 0, &c, &inv, err,
	    sizeof(err)), 0);
	assert_int_equal(inv.ntargets, 0);
}

static void
expect_error(const char *const *urls, size_t n, const struct nd_config *c,
    const char *want)
{
	struct nd_inventory inv = { (struct nd_target **)0x1, 99 };

	assert_int_equal(nd_inventory_build(arena, urls, NULL, n, c, &inv, err,
	    sizeof(err)), -EINVAL);
	assert_ptr_equal(inv.targets, (struct nd_target **)0x1);
	assert_int_equal(inv.ntargets, 99);
	assert_string_equal(err, want);
}

/* As expect_error, with an origin for each URL. */
static void
expect_error_o(const char *const *urls, const char *const *origins, size_t n,
    const char *want)
{
	struct nd_inventory inv = { (struct nd_target **)0x1, 99 };

	assert_int_equal(nd_inventory_build(arena, urls, origins, n, NULL, &inv,
	    err, sizeof(err)), -EINVAL);
	assert_int_equal(inv.ntargets, 99);
	assert_string_equal(err, want);
}

static void
test_duplicates(void **state)
{
	const char *cli[] = { "tcp://127.0.0.1:1" };
	const char *cli6[] = { "tcp://[::1]:80" };
	const char *twice[] = { "port://80", "tls://h:1", "port://80" };
	const char *cliport[] = { "port://6443" };
	const char *cliweb[] = {
		"https://a.example/?nd-status=200&nd-connect=10.0.0.1" };
	struct nd_config c;
	char want[300];

	(void)state;
	load_cfg("version: 1\ntargets: [\"tcp://127.0.0.1:1\"]\n", &c);
	snprintf(want, sizeof(want), "duplicate target tcp://127.0.0.1:1 "
	    "(command line and %s:2)", path);
	expect_error(cli, 1, &c, want);

	load_cfg("version: 1\ntargets:\n  - tcp://[0:0::1]:80\n", &c);
	snprintf(want, sizeof(want), "duplicate target tcp://[::1]:80 "
	    "(command line and %s:3, where it is written tcp://[0:0::1]:80)",
	    path);
	expect_error(cli6, 1, &c, want);

	expect_error(twice, 3, NULL, "duplicate target port://80 (command "
	    "line and command line)");

	/* An http: entry is its URL: typed in another order, it repeats. */
	load_cfg("version: 1\nhttp:\n  - url: https://a.example/\n"
	    "    connect: 10.0.0.1\n    status: 200\n", &c);
	snprintf(want, sizeof(want), "duplicate target https://a.example/?"
	    "nd-status=200&nd-connect=10.0.0.1 (command line and %s:3, where "
	    "it is written https://a.example/?nd-connect=10.0.0.1&"
	    "nd-status=200)", path);
	expect_error(cliweb, 1, &c, want);

	load_cfg("version: 1\nhost_ports: [6443]\n", &c);
	snprintf(want, sizeof(want), "duplicate target port://6443 (command "
	    "line and %s:2)", path);
	expect_error(cliport, 1, &c, want);

	load_cfg("version: 1\nhost_ports:\n  - 80\n  - 443\n  - 80\n", &c);
	snprintf(want, sizeof(want), "duplicate target port://80 (%s:3 and "
	    "%s:5)", path, path);
	expect_error(NULL, 0, &c, want);
}

/*
 * Many targets: duplicates written differently (case, a trailing dot, the
 * order of a list, another spelling of an IPv6 address, a key longer
 * than the stack buffer) are found wherever they are, and the pair
 * reported is the earliest second occurrence with the first occurrence
 * of its key, as a reader meets them.
 */
static void
test_duplicates_many(void **state)
{
	enum { N = 3000 };
	const char **urls = nd_arena_alloc(arena, N * sizeof(*urls));
	const char **orig = nd_arena_alloc(arena, N * sizeof(*orig));
	char *longa, *longb, big[4096];
	struct nd_inventory inv;
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		urls[i] = nd_arena_printf(arena, "dns://10.0.0.1/n%zu.lab?"
		    "expect=10.1.%zu.%zu,10.2.%zu.%zu", i, i / 250, i % 250,
		    i / 250, i % 250);
		orig[i] = nd_arena_printf(arena, "o%zu", i);
	}
	urls[20] = "dns://[fd00::53]/v6.lab?type=AAAA&expect=fd00::1,"
	    "fd00::2";
	longa = nd_arena_alloc(arena, 1300);
	longb = nd_arena_alloc(arena, 1300);
	memcpy(longa, "https://Long.Lab./", 18);
	memset(longa + 18, 'p', 1200);
	memcpy(longb, "https://long.lab/", 17);
	memset(longb + 17, 'p', 1200);
	urls[30] = longa;
	assert_int_equal(nd_inventory_build(arena, urls, orig, N, NULL, &inv,
	    err, sizeof(err)), 0);
	assert_int_equal(inv.ntargets, N);

	/* Three duplicates; 2000 is the earliest second occurrence. */
	urls[2000] = "DNS://10.0.0.1/N1500.LAB.?expect=10.2.6.0,10.1.6.0";
	urls[2500] = "dns://10.0.0.1/n10.lab?expect=10.2.0.10,10.1.0.10&type=A";
	urls[2600] = "dns://10.0.0.1/n10.lab.?expect=10.1.0.10,10.2.0.10";
	urls[2999] = "dns://[fd00:0:0::53]:53/V6.lab?expect=FD00::2,fd00:0::1"
	    "&type=aaaa";
	urls[2998] = longb;
	expect_error_o(urls, orig, N, "duplicate target dns://10.0.0.1/"
	    "n1500.lab?expect=10.1.6.0,10.2.6.0 (o1500 and o2000, where it is "
	    "written DNS://10.0.0.1/N1500.LAB.?expect=10.2.6.0,10.1.6.0)");
	/* Without it, the first of n10's repeats, not its third. */
	urls[2000] = "dns://10.0.0.1/n2000.lab?expect=10.1.8.0";
	expect_error_o(urls, orig, N, "duplicate target dns://10.0.0.1/"
	    "n10.lab?expect=10.1.0.10,10.2.0.10 (o10 and o2500, where it is "
	    "written dns://10.0.0.1/n10.lab?expect=10.2.0.10,10.1.0.10&"
	    "type=A)");
	urls[2500] = "dns://10.0.0.1/n2500.lab?expect=10.1.10.0";
	urls[2600] = "dns://10.0.0.1/n2600.lab?expect=10.1.10.100";
	assert_int_equal(nd_inventory_build(arena, urls, orig, N, NULL, &inv,
	    big, sizeof(big)), -EINVAL);
	assert_int_equal(strncmp(big, "duplicate target https://Long.Lab./ppp",
	    38), 0);
	assert_non_null(strstr(big, "ppp (o30 and o2998, where it is written "
	    "https://long.lab/ppp"));
	urls[2998] = "tcp://10.0.0.1:1";
	expect_error_o(urls, orig, N, "duplicate target dns://[fd00::53]/"
	    "v6.lab?type=AAAA&expect=fd00::1,fd00::2 (o20 and o2999, where it "
	    "is written dns://[fd00:0:0::53]:53/V6.lab?expect=FD00::2,"
	    "fd00:0::1&type=aaaa)");
	urls[2999] = "tcp://10.0.0.1:2";
	assert_int_equal(nd_inventory_build(arena, urls, orig, N, NULL, &inv,
	    err, sizeof(err)), 0);
	for (i = 0; i < N; i++)
		assert_int_equal(inv.targets[i]->index, i);

	/* Lists that sort: the same addresses and MACs in another order. */
	urls[0] = "arp://eth0/10.0.0.3,10.0.0.1,10.0.0.2?mac=AA:bb:cc:dd:ee:ff,"
	    "00:11:22:33:44:55";
	urls[1] = "arp://eth0/10.0.0.2,10.0.0.3,10.0.0.1?mac=00:11:22:33:44:55,"
	    "aa:bb:cc:dd:ee:FF";
	expect_error_o(urls, orig, 2, "duplicate target arp://eth0/10.0.0.3,"
	    "10.0.0.1,10.0.0.2?mac=AA:bb:cc:dd:ee:ff,00:11:22:33:44:55 (o0 and "
	    "o1, where it is written arp://eth0/10.0.0.2,10.0.0.3,10.0.0.1?"
	    "mac=00:11:22:33:44:55,aa:bb:cc:dd:ee:FF)");
}

static void
test_errors(void **state)
{
	const char *badurl[] = { "tcp://h:1", "tcp://h:0" };
	struct nd_config c;
	static uint16_t ports[65535];
	char want[300];
	size_t i;

	(void)state;
	expect_error(badurl, 2, NULL, "tcp://h:0: column 9: port 0 out of "
	    "range 1-65535");

	load_cfg("version: 1\n\nl2:\n  addresses: [10.0.0.1]\n", &c);
	snprintf(want, sizeof(want), "%s:3: l2: 'interface' is required (the "
	    "interface to send ARP requests on)", path);
	expect_error(NULL, 0, &c, want);

	load_cfg("version: 1\nl2:\n  interface: eth0\n", &c);
	snprintf(want, sizeof(want), "%s:2: l2: give 'addresses' or 'pool' to "
	    "check", path);
	expect_error(NULL, 0, &c, want);

	/* A hand-built config gets the same limits as a loaded one. */
	memset(&c, 0, sizeof(c));
	c.path = "x.yaml";
	c.l2_interface = "eth0";
	c.l2_pool = "10.0.0.0-10.0.1.0";
	c.l2_line = 4;
	c.l2_pool_line = 5;
	expect_error(NULL, 0, &c, "x.yaml:5: l2.pool: '10.0.0.0-10.0.1.0' "
	    "must be 1 to 256 addresses");

	/* Every port at once: the duplicate check must stay fast. */
	memset(&c, 0, sizeof(c));
	c.path = "x.yaml";
	for (i = 0; i < 65535; i++)
		ports[i] = (uint16_t)(i + 1);
	c.host_ports = ports;
	c.nhost_ports = 65535;
	{
		struct nd_inventory inv;

		assert_int_equal(nd_inventory_build(arena, NULL, NULL, 0, &c, &inv,
		    err, sizeof(err)), 0);
		assert_int_equal(inv.ntargets, 65535);
		assert_string_equal(inv.targets[4095]->url, "port://4096");
		assert_string_equal(inv.targets[4095]->origin, "x.yaml");
	}
	/* Over the cap: 100,001 distinct command-line targets. */
	{
		struct nd_inventory inv;
		const char **urls = nd_arena_alloc(arena, 100001 * sizeof(*urls));

		for (i = 0; i < 100001; i++)
			urls[i] = nd_arena_printf(arena, "tcp://10.%u.%u.%u:1",
			    (unsigned)(i >> 16) & 255, (unsigned)(i >> 8) & 255,
			    (unsigned)i & 255);
		assert_int_equal(nd_inventory_build(arena, urls, NULL, 100001, NULL,
		    &inv, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "more than 100000 targets"));
		/* The earliest second occurrence is the one reported. */
		urls[0] = "tcp://10.0.0.9:1";
		urls[1] = "tcp://10.0.0.5:1";
		urls[2] = "tcp://10.0.0.5:1";
		urls[3] = "tcp://10.0.0.9:1";
		assert_int_equal(nd_inventory_build(arena, urls, NULL, 4, NULL, &inv,
		    err, sizeof(err)), -EINVAL);
		assert_string_equal(err, "duplicate target tcp://10.0.0.5:1 "
		    "(command line and command line)");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_and_derived, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_http_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_duplicates_many, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
