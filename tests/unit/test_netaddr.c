/*
 * test_netaddr.c - addresses, prefixes, ranges and l2 pools (netaddr.h):
 * the strict text forms, the round trip through format, containment and
 * overlap, and bad input left untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "addrplan.h"
#include "arena.h"
#include "netaddr.h"

/* A value no parser returns, to show that failures leave *ret alone. */
static void
poison(void *p, size_t n)
{
	memset(p, 0x5a, n);
}

/* Parses s with flags, which must succeed, and formats it back. */
static void
pfx_ok(const char *s, unsigned flags, int family, int bits, const char *fmt)
{
	char buf[ND_PFX_TEXT_MAX];
	struct nd_pfx p, q;

	if (nd_pfx_parse(s, flags, &p) != 0) {
		print_error("'%s' should parse\n", s);
		fail();
	}
	assert_int_equal(p.family, family);
	assert_int_equal(p.bits, bits);
	assert_int_equal(nd_pfx_format(&p, buf, sizeof(buf)),
	    (int)strlen(fmt));
	assert_string_equal(buf, fmt);
	/* The text reads back as the same value. */
	assert_int_equal(nd_pfx_parse(buf, ND_PFX_CIDR, &q), 0);
	assert_memory_equal(&p, &q, sizeof(p));
}

static void
pfx_bad(const char *s, unsigned flags)
{
	struct nd_pfx p, untouched;

	poison(&p, sizeof(p));
	untouched = p;
	if (nd_pfx_parse(s, flags, &p) != -EINVAL) {
		print_error("'%s' should not parse\n", s);
		fail();
	}
	assert_memory_equal(&p, &untouched, sizeof(p));
}

static void
test_pfx_parse(void **state)
{
	const unsigned both = ND_PFX_ADDR | ND_PFX_CIDR;

	(void)state;
	pfx_ok("10.0.0.5", ND_PFX_ADDR, AF_INET, 32, "10.0.0.5/32");
	pfx_ok("10.0.0.5/24", both, AF_INET, 24, "10.0.0.5/24");
	pfx_ok("0.0.0.0/0", ND_PFX_CIDR, AF_INET, 0, "0.0.0.0/0");
	pfx_ok("fd00::1", both, AF_INET6, 128, "fd00::1/128");
	pfx_ok("FD00:0::/64", ND_PFX_CIDR, AF_INET6, 64, "fd00::/64");
	pfx_ok("::ffff:10.0.0.1", ND_PFX_ADDR, AF_INET6, 128,
	    "::ffff:10.0.0.1/128");
	pfx_ok("::/0", ND_PFX_CIDR, AF_INET6, 0, "::/0");

	/* What the flags leave out. */
	pfx_bad("10.0.0.5", ND_PFX_CIDR);
	pfx_bad("10.0.0.0/8", ND_PFX_ADDR);
	pfx_bad("10.0.0.0/8", 0);
	/* Addresses inet_pton refuses. */
	pfx_bad("", both);
	pfx_bad("/8", both);
	pfx_bad("10.0.0", both);
	pfx_bad("10.0.0.256", both);
	pfx_bad("010.0.0.1", both);
	pfx_bad("[::1]", both);
	pfx_bad("fe80::1%eth0", both);
	pfx_bad(" 10.0.0.1", both);
	pfx_bad("localhost", both);
	pfx_bad("1111:2222:3333:4444:5555:6666:7777:8888:9999", both);
	/* Lengths as Go's netip.ParsePrefix reads them. */
	pfx_bad("10.0.0.0/", both);
	pfx_bad("10.0.0.0/33", both);
	pfx_bad("fd00::/129", both);
	pfx_bad("10.0.0.0/08", both);
	pfx_bad("10.0.0.0/+8", both);
	pfx_bad("10.0.0.0/-1", both);
	pfx_bad("10.0.0.0/ 8", both);
	pfx_bad("10.0.0.0/8 ", both);
	pfx_bad("10.0.0.0/8/8", both);
	pfx_bad("10.0.0.0/99999999999999999999", both);
	pfx_bad(NULL, both);
}

static void
test_format(void **state)
{
	struct nd_pfx p;
	char buf[ND_PFX_TEXT_MAX];

	(void)state;
	assert_int_equal(nd_pfx_parse("192.168.30.61/24", ND_PFX_CIDR, &p), 0);
	assert_int_equal(nd_addr_format(&p, buf, sizeof(buf)), 13);
	assert_string_equal(buf, "192.168.30.61");
	/* Too small: -ENOSPC and buf untouched; exactly enough: fine. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(nd_addr_format(&p, buf, 13), -ENOSPC);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(nd_addr_format(&p, buf, 14), 13);
	assert_int_equal(nd_pfx_format(&p, buf, 16), -ENOSPC);
	assert_int_equal(nd_pfx_format(&p, buf, 17), 16);
	assert_string_equal(buf, "192.168.30.61/24");
	/* The longest text fits ND_PFX_TEXT_MAX. */
	assert_int_equal(nd_pfx_parse("ffff:ffff:ffff:ffff:ffff:ffff:"
	    "255.255.255.255/128", ND_PFX_CIDR, &p), 0);
	assert_true(nd_pfx_format(&p, buf, sizeof(buf)) > 0);
	/* Values no parser returns. */
	p.family = AF_UNIX;
	assert_int_equal(nd_addr_format(&p, buf, sizeof(buf)), -EINVAL);
	p.family = AF_INET;
	p.bits = 33;
	assert_int_equal(nd_pfx_format(&p, buf, sizeof(buf)), -EINVAL);
}

static void
test_sockaddr(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct sockaddr sa = { .sa_family = AF_UNIX };
	struct nd_pfx p, want;

	(void)state;
	assert_int_equal(inet_pton(AF_INET, "10.5.0.2", &sin.sin_addr), 1);
	assert_int_equal(nd_pfx_from_sockaddr((struct sockaddr *)&sin, &p),
	    0);
	assert_int_equal(nd_pfx_parse("10.5.0.2", ND_PFX_ADDR, &want), 0);
	assert_memory_equal(&p, &want, sizeof(p));
	assert_int_equal(inet_pton(AF_INET6, "fd00::2", &sin6.sin6_addr), 1);
	assert_int_equal(nd_pfx_from_sockaddr((struct sockaddr *)&sin6, &p),
	    0);
	assert_int_equal(nd_pfx_parse("fd00::2", ND_PFX_ADDR, &want), 0);
	assert_memory_equal(&p, &want, sizeof(p));
	assert_int_equal(nd_pfx_from_sockaddr(&sa, &p), -EAFNOSUPPORT);
}

/* Whether addr lies in the prefix net (both texts valid). */
static bool
in(const char *net, const char *addr)
{
	struct nd_pfx n, a;

	assert_int_equal(nd_pfx_parse(net, ND_PFX_ADDR | ND_PFX_CIDR, &n), 0);
	assert_int_equal(nd_pfx_parse(addr, ND_PFX_ADDR | ND_PFX_CIDR, &a),
	    0);
	return nd_pfx_contains(&n, &a);
}

static void
test_contains_and_order(void **state)
{
	struct nd_pfx x, y;

	(void)state;
	assert_true(in("10.0.0.0/8", "10.255.255.255"));
	assert_false(in("10.0.0.0/8", "11.0.0.0"));
	assert_true(in("100.64.0.0/10", "100.127.0.1"));
	assert_false(in("100.64.0.0/10", "100.128.0.1"));
	/* Host bits of the network do not matter; the address's length
	   does not either. */
	assert_true(in("10.0.0.5/24", "10.0.0.200/8"));
	assert_true(in("0.0.0.0/0", "1.2.3.4"));
	assert_false(in("0.0.0.0/0", "::1"));
	assert_true(in("::/0", "fd00::1"));
	assert_true(in("fe80::/10", "febf::1"));
	assert_false(in("fe80::/10", "fec0::1"));
	assert_true(in("10.0.0.5", "10.0.0.5/24"));
	assert_false(in("10.0.0.5", "10.0.0.6"));

	assert_int_equal(nd_pfx_parse("10.0.0.9", ND_PFX_ADDR, &x), 0);
	assert_int_equal(nd_pfx_parse("10.0.0.10/8", ND_PFX_CIDR, &y), 0);
	assert_int_equal(nd_addr_cmp(&x, &y), -1);
	assert_int_equal(nd_addr_cmp(&y, &x), 1);
	assert_false(nd_pfx_same_addr(&x, &y));
	assert_int_equal(nd_pfx_parse("::1", ND_PFX_ADDR, &y), 0);
	assert_int_equal(nd_addr_cmp(&x, &y), -1);	/* IPv4 first */
	assert_int_equal(nd_pfx_parse("10.0.0.9/32", ND_PFX_CIDR, &y), 0);
	assert_true(nd_pfx_same_addr(&x, &y));
}

static void
test_next(void **state)
{
	struct nd_pfx p;
	char buf[ND_PFX_TEXT_MAX];

	(void)state;
	assert_int_equal(nd_pfx_parse("10.0.0.255", ND_PFX_ADDR, &p), 0);
	assert_true(nd_addr_next(&p));
	nd_addr_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.1.0");
	assert_int_equal(nd_pfx_parse("255.255.255.255", ND_PFX_ADDR, &p), 0);
	assert_false(nd_addr_next(&p));
	nd_addr_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "255.255.255.255");
	assert_int_equal(nd_pfx_parse("fd00::ffff", ND_PFX_ADDR, &p), 0);
	assert_true(nd_addr_next(&p));
	nd_addr_format(&p, buf, sizeof(buf));
	assert_string_equal(buf, "fd00::1:0");
}

/* Parses s as a range, which must succeed, and checks its text. */
static void
range_ok(const char *s, const char *fmt, uint64_t size)
{
	char buf[ND_IPRANGE_TEXT_MAX];
	struct nd_iprange r, q;

	if (nd_iprange_parse(s, &r) != 0) {
		print_error("'%s' should parse as a range\n", s);
		fail();
	}
	assert_int_equal(nd_iprange_format(&r, buf, sizeof(buf)),
	    (int)strlen(fmt));
	assert_string_equal(buf, fmt);
	assert_true(nd_iprange_size(&r) == size);
	assert_int_equal(nd_iprange_parse(buf, &q), 0);
	assert_memory_equal(&r, &q, sizeof(r));
}

static void
range_bad(const char *s, int want)
{
	struct nd_iprange r, untouched;

	poison(&r, sizeof(r));
	untouched = r;
	if (nd_iprange_parse(s, &r) != want) {
		print_error("'%s' should fail with %d\n", s, want);
		fail();
	}
	assert_memory_equal(&r, &untouched, sizeof(r));
}

static void
test_iprange(void **state)
{
	(void)state;
	range_ok("192.168.30.60-192.168.30.80", "192.168.30.60-192.168.30.80",
	    21);
	range_ok("172.18.0.0/16", "172.18.0.0-172.18.255.255", 65536);
	range_ok("10.0.0.5/24", "10.0.0.0-10.0.0.255", 256);
	range_ok("10.0.0.5", "10.0.0.5", 1);
	range_ok("10.0.0.5-10.0.0.5", "10.0.0.5", 1);
	range_ok("0.0.0.0/0", "0.0.0.0-255.255.255.255", 4294967296ull);
	range_ok("fd00::/120", "fd00::-fd00::ff", 256);
	range_ok("fd00::/64", "fd00::-fd00::ffff:ffff:ffff:ffff",
	    UINT64_MAX);
	range_ok("::/0", "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    UINT64_MAX);

	range_bad("10.0.0.9-10.0.0.1", -ERANGE);
	range_bad("10.0.0.1-fd00::1", -EINVAL);
	range_bad("10.0.0.1 - 10.0.0.2", -EINVAL);
	range_bad("10.0.0.1-", -EINVAL);
	range_bad("-10.0.0.1", -EINVAL);
	range_bad("10.0.0.1-10.0.0.2-10.0.0.3", -EINVAL);
	range_bad("10.0.0.0/8-10.0.0.9", -EINVAL);
	range_bad("10.0.0.0/33", -EINVAL);
	range_bad("", -EINVAL);
	range_bad(NULL, -EINVAL);
}

/* Whether range a and range b (texts) overlap, and a covers b. */
static void
relate(const char *a, const char *b, bool overlaps, bool covers)
{
	struct nd_iprange x, y;

	assert_int_equal(nd_iprange_parse(a, &x), 0);
	assert_int_equal(nd_iprange_parse(b, &y), 0);
	if (nd_iprange_overlaps(&x, &y) != overlaps ||
	    nd_iprange_overlaps(&y, &x) != overlaps ||
	    nd_iprange_covers(&x, &y) != covers) {
		print_error("%s and %s\n", a, b);
		fail();
	}
}

static void
test_relations(void **state)
{
	struct nd_iprange r;
	struct nd_pfx p;

	(void)state;
	relate("172.18.0.0/16", "172.18.0.100-172.18.0.200", true, true);
	relate("172.18.0.100-172.18.0.200", "172.18.0.0/16", true, false);
	relate("10.0.0.0-10.0.0.10", "10.0.0.10-10.0.0.20", true, false);
	relate("10.0.0.0-10.0.0.10", "10.0.0.11-10.0.0.20", false, false);
	relate("10.0.0.0/8", "::/0", false, false);
	relate("fd00::/8", "fd00::5", true, true);

	assert_int_equal(nd_iprange_parse("10.0.0.10-10.0.0.20", &r), 0);
	assert_int_equal(nd_pfx_parse("10.0.0.20/8", ND_PFX_CIDR, &p), 0);
	assert_true(nd_iprange_contains(&r, &p));
	assert_int_equal(nd_pfx_parse("10.0.0.21", ND_PFX_ADDR, &p), 0);
	assert_false(nd_iprange_contains(&r, &p));
	assert_int_equal(nd_pfx_parse("::ffff:10.0.0.15", ND_PFX_ADDR, &p),
	    0);
	assert_false(nd_iprange_contains(&r, &p));
}

static void
test_pool(void **state)
{
	char buf[ND_IPRANGE_TEXT_MAX];
	struct nd_iprange r, untouched;
	struct nd_pfx a, b;

	(void)state;
	assert_int_equal(nd_pool_parse("10.0.0.1 - 10.0.0.9", &r), 0);
	assert_int_equal(nd_iprange_format(&r, buf, sizeof(buf)), 17);
	assert_string_equal(buf, "10.0.0.1-10.0.0.9");
	assert_int_equal(nd_pool_parse("10.0.0.0-10.0.0.255", &r), 0);
	assert_true(nd_iprange_size(&r) == ND_L2_POOL_MAX);
	assert_int_equal(nd_pool_parse("10.0.0.7-10.0.0.7", &r), 0);
	assert_true(nd_iprange_size(&r) == 1);

	poison(&r, sizeof(r));
	untouched = r;
	assert_int_equal(nd_pool_parse("10.0.0.0-10.0.1.0", &r), -E2BIG);
	assert_int_equal(nd_pool_parse("0.0.0.0-255.255.255.255", &r),
	    -E2BIG);
	assert_int_equal(nd_pool_parse("10.0.0.9-10.0.0.1", &r), -ERANGE);
	assert_int_equal(nd_pool_parse("10.0.0.1", &r), -EINVAL);
	assert_int_equal(nd_pool_parse("10.0.0.1-", &r), -EINVAL);
	assert_int_equal(nd_pool_parse("fd00::1-fd00::2", &r), -EINVAL);
	assert_int_equal(nd_pool_parse("10.0.0.1-10.0.0.2-10.0.0.3", &r),
	    -EINVAL);
	assert_int_equal(nd_pool_parse("10.0.0.0/24", &r), -EINVAL);
	assert_int_equal(nd_pool_parse("\t10.0.0.1-10.0.0.2", &r), -EINVAL);
	assert_int_equal(nd_pool_parse("", &r), -EINVAL);
	assert_memory_equal(&r, &untouched, sizeof(r));

	/* split gives both addresses as written, in any order. */
	assert_int_equal(nd_pool_split("10.0.0.9 -10.0.0.1", &a, &b), 0);
	nd_addr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.9");
	nd_addr_format(&b, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.1");
}

/* The address plan's containment tests, typed and from text. */
static void
test_addrplan(void **state)
{
	struct nd_addrplan plan = { NULL, 0, 0 };
	struct nd_arena *arena = nd_arena_new();
	struct nd_iprange r;
	struct nd_pfx p;

	(void)state;
	assert_int_equal(nd_iprange_parse("192.168.30.60-192.168.30.80", &r),
	    0);
	assert_int_equal(nd_pfx_parse("192.168.30.70", ND_PFX_ADDR, &p), 0);
	assert_true(nd_addrplan_range_contains(&r, &p));
	assert_int_equal(nd_pfx_parse("192.168.30.81", ND_PFX_ADDR, &p), 0);
	assert_false(nd_addrplan_range_contains(&r, &p));

	assert_true(nd_addrplan_text_contains("172.18.0.0/16", "172.18.3.4"));
	assert_true(nd_addrplan_text_contains("10.0.0.1-10.0.0.9",
	    "10.0.0.9"));
	assert_true(nd_addrplan_text_contains("10.0.0.0/8", "10.1.0.0/16"));
	assert_false(nd_addrplan_text_contains("10.1.0.0/16", "10.0.0.0/8"));
	assert_false(nd_addrplan_text_contains("10.0.0.0/8", "fd00::1"));
	assert_false(nd_addrplan_text_contains("10.0.0.0/8", "10.0.0.300"));
	assert_false(nd_addrplan_text_contains("10.0.0/8", "10.0.0.1"));
	assert_false(nd_addrplan_text_contains("10.0.0.9-10.0.0.1",
	    "10.0.0.5"));

	/* Text that is no range is ignored; the same claim is kept once. */
	nd_addrplan_add(arena, &plan, ND_C_DOCKER, "172.18.0.0/16", "n",
	    "docker", NULL);
	nd_addrplan_add(arena, &plan, ND_C_DOCKER, "172.18.0.5/16", "n",
	    "docker", NULL);
	nd_addrplan_add(arena, &plan, ND_C_DOCKER, "172.18.0.0/08", "n",
	    "docker", NULL);
	nd_addrplan_add(arena, &plan, ND_C_LB_POOL, "nope", "p", "x", NULL);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.claims[0]->family, AF_INET);
	assert_int_equal(plan.claims[0]->first[1], 18);
	assert_int_equal(plan.claims[0]->last[2], 255);
	nd_arena_free(arena);
}

static void
test_private_range(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	(void)state;
	assert_int_equal(inet_pton(AF_INET, "10.5.0.2", &sin.sin_addr), 1);
	assert_string_equal(nd_addr_private_range((struct sockaddr *)&sin),
	    "RFC 1918 private");
	assert_int_equal(inet_pton(AF_INET, "100.100.1.1", &sin.sin_addr), 1);
	assert_string_equal(nd_addr_private_range((struct sockaddr *)&sin),
	    "RFC 6598 CGNAT");
	assert_int_equal(inet_pton(AF_INET, "1.1.1.1", &sin.sin_addr), 1);
	assert_null(nd_addr_private_range((struct sockaddr *)&sin));
}

/* What a LAN answer is for dns.split_horizon: private or link-local. */
static void
test_lan_range(void **state)
{
	static const struct {
		const char *ip, *want;
	} cases[] = {
		{ "192.168.1.20", "RFC 1918 private" },
		{ "172.31.255.1", "RFC 1918 private" },
		{ "100.64.0.1", "RFC 6598 CGNAT" },
		{ "169.254.10.1", "RFC 3927 link-local" },
		{ "fd00:96::20", "RFC 4193 unique local" },
		{ "fe80::1", "RFC 4291 link-local" },
		{ "febf::1", "RFC 4291 link-local" },
		{ "fec0::1", NULL },
		{ "203.0.113.10", NULL },
		{ "172.32.0.1", NULL },
		{ "2001:db8::1", NULL },
	};
	uint8_t a[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fam = strchr(cases[i].ip, ':') != NULL ? AF_INET6 : AF_INET;
		const char *got;

		assert_int_equal(inet_pton(fam, cases[i].ip, a), 1);
		got = nd_addr_lan_range(fam, a);
		if (cases[i].want == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].want);
	}
	assert_null(nd_addr_lan_range(AF_UNIX, a));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pfx_parse),
		cmocka_unit_test(test_lan_range),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_sockaddr),
		cmocka_unit_test(test_contains_and_order),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_iprange),
		cmocka_unit_test(test_relations),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_addrplan),
		cmocka_unit_test(test_private_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
