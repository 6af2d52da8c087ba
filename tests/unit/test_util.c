/*
 * test_util.c - the bounded parsers every other module relies on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define UNTOUCHED	(-777)

static void
dur_ok(const char *s, int64_t want)
{
	int64_t ms = UNTOUCHED;

	assert_int_equal(nd_parse_duration_ms(s, &ms), 0);
	assert_int_equal(ms, want);
}

static void
dur_bad(const char *s, int want_rc)
{
	int64_t ms = UNTOUCHED;

	assert_int_equal(nd_parse_duration_ms(s, &ms), want_rc);
	assert_int_equal(ms, UNTOUCHED);
}

static void
test_duration(void **state)
{
	(void)state;
	dur_ok("5s", 5000);
	dur_ok("250ms", 250);
	dur_ok("1.5s", 1500);
	dur_ok("2", 2000);
	dur_ok("0", 0);
	dur_ok("0.001s", 1);
	dur_ok("1.250", 1250);
	dur_ok("1.0ms", 1);
	dur_ok("1.5000s", 1500);
	dur_ok("86400s", 86400000);
	dur_ok("86400000ms", 86400000);

	dur_bad("", -EINVAL);
	dur_bad(NULL, -EINVAL);
	dur_bad("-1s", -EINVAL);
	dur_bad("+1s", -EINVAL);
	dur_ok("5m", 300000);
	dur_ok("1.5m", 90000);
	dur_ok("2h", 7200000);
	dur_ok("0.001h", 3600);
	dur_bad("24.001h", -ERANGE);
	dur_bad("5d", -EINVAL);
	dur_bad("5mm", -EINVAL);
	dur_bad("s", -EINVAL);
	dur_bad("ms", -EINVAL);
	dur_bad("1e3", -EINVAL);
	dur_bad(" 5s", -EINVAL);
	dur_bad("5s ", -EINVAL);
	dur_bad("5 s", -EINVAL);
	dur_bad("5S", -EINVAL);
	dur_bad("1.", -EINVAL);
	dur_bad(".5s", -EINVAL);
	dur_bad("1..5s", -EINVAL);
	dur_bad("0x10", -EINVAL);
	/* Finer than a millisecond would silently round. */
	dur_bad("1.5ms", -EINVAL);
	dur_bad("0.0005s", -EINVAL);
	dur_bad("99999999999s", -ERANGE);
	dur_bad("99999999999999999999999999999999s", -ERANGE);
	dur_bad("86400.001s", -ERANGE);
	dur_bad("86400001ms", -ERANGE);
	/* A syntax error wins over a range error. */
	dur_bad("99999999999x", -EINVAL);
}

static void
port_ok(const char *s, uint16_t want)
{
	uint16_t p = 7;

	assert_int_equal(nd_parse_port(s, &p), 0);
	assert_int_equal(p, want);
}

static void
port_bad(const char *s, int want_rc)
{
	uint16_t p = 7;

	assert_int_equal(nd_parse_port(s, &p), want_rc);
	assert_int_equal(p, 7);
}

static void
test_port(void **state)
{
	(void)state;
	port_ok("1", 1);
	port_ok("80", 80);
	port_ok("6443", 6443);
	port_ok("65535", 65535);
	port_ok("0080", 80);

	port_bad("0", -ERANGE);
	port_bad("65536", -ERANGE);
	port_bad("99999999999999999999999", -ERANGE);
	port_bad("6443x", -EINVAL);
	port_bad("", -EINVAL);
	port_bad(NULL, -EINVAL);
	port_bad("+80", -EINVAL);
	port_bad("-1", -EINVAL);
	port_bad(" 80", -EINVAL);
	port_bad("80 ", -EINVAL);
	port_bad("0x50", -EINVAL);
}

static void
test_int(void **state)
{
	long long v = 7;

	(void)state;
	assert_int_equal(nd_parse_int("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(nd_parse_int("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(nd_parse_int("+5", -10, 10, &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(nd_parse_int("9223372036854775807", 0, INT64_MAX,
	    &v), 0);
	assert_true(v == INT64_MAX);

	v = 7;
	assert_int_equal(nd_parse_int("101", 0, 100, &v), -ERANGE);
	assert_int_equal(nd_parse_int("-1", 0, 100, &v), -ERANGE);
	assert_int_equal(nd_parse_int("9223372036854775808", 0, INT64_MAX,
	    &v), -ERANGE);
	assert_int_equal(nd_parse_int("abc", 0, 100, &v), -EINVAL);
	assert_int_equal(nd_parse_int("", 0, 100, &v), -EINVAL);
	assert_int_equal(nd_parse_int(NULL, 0, 100, &v), -EINVAL);
	assert_int_equal(nd_parse_int("-", 0, 100, &v), -EINVAL);
	assert_int_equal(nd_parse_int("1 ", 0, 100, &v), -EINVAL);
	assert_int_equal(nd_parse_int(" 1", 0, 100, &v), -EINVAL);
	assert_int_equal(nd_parse_int("1.0", 0, 100, &v), -EINVAL);
	assert_int_equal(nd_parse_int("5", 10, 0, &v), -EINVAL);
	assert_int_equal(v, 7);
}

static void
test_strlcpy(void **state)
{
	char buf[6];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(nd_strlcpy(buf, "hello world", sizeof(buf)), 11);
	assert_string_equal(buf, "hello");
	assert_int_equal(nd_strlcpy(buf, "hi", sizeof(buf)), 2);
	assert_string_equal(buf, "hi");
	assert_int_equal(nd_strlcpy(buf, "", sizeof(buf)), 0);
	assert_string_equal(buf, "");
	buf[0] = 'q';
	assert_int_equal(nd_strlcpy(buf, "abc", 0), 3);
	assert_int_equal(buf[0], 'q');
	assert_int_equal(nd_strlcpy(buf, "abc", 1), 3);
	assert_string_equal(buf, "");
}

static void
test_ip_literal(void **state)
{
	(void)state;
	assert_true(nd_is_ip_literal("127.0.0.1"));
	assert_true(nd_is_ip_literal("0.0.0.0"));
	assert_true(nd_is_ip_literal("::1"));
	assert_true(nd_is_ip_literal("::"));
	assert_true(nd_is_ip_literal("fe80::1"));
	assert_true(nd_is_ip_literal("::ffff:10.0.0.1"));
	assert_false(nd_is_ip_literal("[::1]"));
	assert_false(nd_is_ip_literal("fe80::1%eth0"));
	assert_false(nd_is_ip_literal("1.2.3"));
	assert_false(nd_is_ip_literal("1.2.3.256"));
	assert_false(nd_is_ip_literal("01.2.3.4"));
	assert_false(nd_is_ip_literal("localhost"));
	assert_false(nd_is_ip_literal(""));
	assert_false(nd_is_ip_literal(NULL));
}

/* The dotted quad is inet_ntop's, byte for byte, for every octet value. */
static void
test_ipv4_ntop(void **state)
{
	unsigned char a[4];
	char got[16], want[INET_ADDRSTRLEN];
	unsigned i, j;

	(void)state;
	for (i = 0; i < 256; i++) {
		for (j = 0; j < 4; j++) {
			a[0] = a[1] = a[2] = a[3] = (unsigned char)(255 - i);
			a[j] = (unsigned char)i;
			assert_non_null(inet_ntop(AF_INET, a, want,
			    sizeof(want)));
			assert_int_equal(nd_ipv4_ntop(a, got), strlen(want));
			assert_string_equal(got, want);
		}
	}
}

static void
test_dns_name(void **state)
{
	char name[300];
	size_t off = 999;

	(void)state;
	assert_null(nd_dns_name_problem("a", 1, &off));
	assert_null(nd_dns_name_problem("sonarr.int.example.be.", 22, &off));
	assert_null(nd_dns_name_problem("_srv-x.A1", 9, &off));
	assert_int_equal(off, 999);

	assert_string_equal(nd_dns_name_problem("", 0, &off), "empty name");
	assert_int_equal(off, 0);
	assert_string_equal(nd_dns_name_problem(".", 1, &off), "empty label");
	assert_int_equal(off, 0);
	assert_string_equal(nd_dns_name_problem("a..b", 4, &off),
	    "empty label");
	assert_int_equal(off, 2);
	assert_string_equal(nd_dns_name_problem(".a", 2, &off),
	    "empty label");
	assert_int_equal(off, 0);
	assert_string_equal(nd_dns_name_problem("a.b..", 5, &off),
	    "empty label");
	assert_int_equal(off, 4);
	assert_string_equal(nd_dns_name_problem("ab c", 4, &off),
	    "character not allowed in a name (letters, digits, '-', '_' and "
	    "'.')");
	assert_int_equal(off, 2);
	/* Only the first len bytes count. */
	assert_null(nd_dns_name_problem("ab c", 2, &off));

	memset(name, 'a', sizeof(name));
	assert_null(nd_dns_name_problem(name, 63, &off));
	assert_string_equal(nd_dns_name_problem(name, 64, &off),
	    "label longer than 63 characters");
	assert_int_equal(off, 0);
	/* 63+1+63+1+63+1+61 = 253 characters */
	name[63] = name[127] = name[191] = '.';
	assert_null(nd_dns_name_problem(name, 253, &off));
	name[253] = '.';
	assert_null(nd_dns_name_problem(name, 254, &off));
	name[253] = 'a';
	assert_string_equal(nd_dns_name_problem(name, 254, &off),
	    "name longer than 253 characters");
	assert_int_equal(off, 253);
}

static void
test_ifname(void **state)
{
	(void)state;
	assert_true(nd_is_ifname("eth0", 4));
	assert_true(nd_is_ifname("br-lan.10@x_y", 13));
	assert_true(nd_is_ifname("abcdefghijklmno", 15));
	assert_false(nd_is_ifname("abcdefghijklmnop", 16));
	assert_false(nd_is_ifname("", 0));
	assert_false(nd_is_ifname("eth 0", 5));
	assert_false(nd_is_ifname("eth/0", 5));
	assert_false(nd_is_ifname("eth:0", 5));
}

static void
test_one_line(void **state)
{
	char s[] = "a\nb\rc\td\x1b[31me\x7f";
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	nd_one_line(s);
	assert_string_equal(s, "a?b?c?d?[31me?");
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	nd_fputs_safe("x\ny\x1bz", f);
	fclose(f);
	assert_string_equal(buf, "x?y?z");
	free(buf);
}

/* nd_utoa writes what "%llu" does, ending where it is told. */
static void
test_utoa(void **state)
{
	static const unsigned long long v[] = { 0, 7, 10, 65535, 1000000,
	    18446744073709551615ull };
	char buf[32], want[32], *s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		buf[sizeof(buf) - 1] = '\0';
		s = nd_utoa(buf + sizeof(buf) - 1, v[i]);
		snprintf(want, sizeof(want), "%llu", v[i]);
		assert_string_equal(s, want);
	}
}

/* Equal bytes hash equal; the length counts, zero bytes included. */
static void
test_hash(void **state)
{
	const char k[] = "dns|10.200.53.2|53|q=bench-1.lab.test|t=A";

	(void)state;
	assert_true(nd_hash(k, sizeof(k) - 1) == nd_hash(strdupa(k),
	    sizeof(k) - 1));
	assert_true(nd_hash(k, sizeof(k) - 1) != nd_hash(k, sizeof(k) - 2));
	assert_true(nd_hash("a", 1) != nd_hash("a\0", 2));
	assert_true(nd_hash("", 0) != nd_hash("\0", 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_line),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_strlcpy),
		cmocka_unit_test(test_ip_literal),
		cmocka_unit_test(test_ipv4_ntop),
		cmocka_unit_test(test_dns_name),
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_utoa),
		cmocka_unit_test(test_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
