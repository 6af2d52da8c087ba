/*
 * test_cfmetrics.c - cloudflared's metrics server answers
 * (core/wire/cfmetrics.c): /ready's JSON as metrics/readiness.go writes
 * it, and one gauge out of the Prometheus text format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "cfmetrics.h"

static int
ready(const char *s, long *st, long *rc, char *why, size_t n)
{
	return nd_cf_ready_parse(s, strlen(s), st, rc, why, n);
}

static void
test_ready(void **state)
{
	long st = -1, rc = -1;
	char why[96];

	(void)state;
	assert_int_equal(ready("{\"status\":200,\"readyConnections\":4}", &st,
	    &rc, why, sizeof(why)), 0);
	assert_int_equal(st, 200);
	assert_int_equal(rc, 4);
	assert_int_equal(ready("{\"status\":503,\"readyConnections\":0}", &st,
	    &rc, why, sizeof(why)), 0);
	assert_int_equal(st, 503);
	assert_int_equal(rc, 0);
	/* Refused, and the outputs left alone. */
	st = rc = 7;
	assert_int_equal(ready("<h1>Welcome to nginx!</h1>", &st, &rc, why,
	    sizeof(why)), -EINVAL);
	assert_string_equal(why, "not JSON");
	assert_int_equal(ready("[1,2]", &st, &rc, why, sizeof(why)), -EINVAL);
	assert_int_equal(ready("{\"status\":\"200\",\"readyConnections\":4}",
	    &st, &rc, why, sizeof(why)), -EINVAL);
	assert_int_equal(ready("{\"status\":200,\"readyConnections\":-1}", &st,
	    &rc, why, sizeof(why)), -EINVAL);
	assert_int_equal(ready("{\"status\":200,\"status\":200,"
	    "\"readyConnections\":1}", &st, &rc, why, sizeof(why)), -EINVAL);
	assert_int_equal(ready("", &st, &rc, why, sizeof(why)), -EINVAL);
	assert_int_equal(nd_cf_ready_parse(NULL, 3, &st, &rc, why, 1), -EINVAL);
	assert_string_equal(why, "");
	assert_int_equal(st, 7);
	assert_int_equal(rc, 7);
}

static void
test_prom(void **state)
{
	static const char m[] =
	    "# HELP cloudflared_tunnel_ha_connections_x other\n"
	    "cloudflared_tunnel_ha_connections_x 9\n"
	    "# TYPE cloudflared_tunnel_ha_connections gauge\n"
	    "cloudflared_tunnel_ha_connections 3\n";
	double v = -1;

	(void)state;
	assert_true(nd_prom_looks_like(m, strlen(m)));
	assert_int_equal(nd_prom_value(m, strlen(m),
	    "cloudflared_tunnel_ha_connections", &v), 0);
	assert_true(v == 3);
	/* Labels, a '}' inside a quoted value, a timestamp, CRLF. */
	assert_int_equal(nd_prom_value("x{a=\"}\\\"\",b=\"c\"} 2.5e0 1700\r\n",
	    31, "x", &v), 0);
	assert_true(v == 2.5);
	assert_int_equal(nd_prom_value("x 4", 3, "x", &v), 0);
	assert_true(v == 4);
	assert_int_equal(nd_prom_value("x_total 4\n", 10, "x", &v), -ENOENT);
	assert_int_equal(nd_prom_value("x four\n", 7, "x", &v), -EINVAL);
	assert_int_equal(nd_prom_value("x NaN\n", 6, "x", &v), -EINVAL);
	assert_int_equal(nd_prom_value("x{a=\"1 2\n", 9, "x", &v), -ENOENT);
	assert_int_equal(nd_prom_value("x \n", 3, "x", &v), -EINVAL);
	assert_int_equal(nd_prom_value(NULL, 3, "x", &v), -ENOENT);
	assert_false(nd_prom_looks_like("garbage", 7));
	assert_false(nd_prom_looks_like(NULL, 7));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready),
		cmocka_unit_test(test_prom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
