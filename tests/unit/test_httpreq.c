/*
 * test_httpreq.c - the request-head reader of `netdoctor serve`
 * (core/wire/httpreq.h): complete and partial heads, the bounds, the
 * errors the server turns into 400/414/431/505, query parameters and the
 * Accept negotiation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "httpreq.h"

static int
parse(const char *s, struct nd_httpreq *r, char *err)
{
	return nd_httpreq_parse(s, strlen(s), r, err, 160);
}

static void
test_probe_request(void **state)
{
	const char *s = "GET /probe?target=tcp%3A%2F%2F127.0.0.1%3A6443&module="
	    "tcp+fast HTTP/1.1\r\nHost: x\r\nAccept: application/"
	    "openmetrics-text;version=1.0.0,text/plain;q=0.5\r\n"
	    "X-Prometheus-Scrape-Timeout-Seconds: 9.5\r\n\r\nGET /";
	struct nd_httpreq r;
	char err[160], v[64];

	(void)state;
	assert_int_equal(parse(s, &r, err), 1);
	assert_int_equal(r.head_len, strlen(s) - 5);
	assert_int_equal(r.method.n, 3);
	assert_memory_equal(r.path.p, "/probe", 6);
	assert_int_equal(r.path.n, 6);
	assert_int_equal(r.minor, 1);
	assert_true(r.keep_alive);
	assert_true(r.scrape_timeout > 9.49 && r.scrape_timeout < 9.51);
	assert_true(nd_httpreq_wants_openmetrics(r.accept));
	assert_int_equal(nd_httpreq_param(r.query, "target", v, sizeof(v)),
	    20);
	assert_string_equal(v, "tcp://127.0.0.1:6443");
	assert_int_equal(nd_httpreq_param(r.query, "module", v, sizeof(v)), 8);
	assert_string_equal(v, "tcp fast");
	assert_int_equal(nd_httpreq_param(r.query, "x", v, sizeof(v)),
	    -ENOENT);
	assert_int_equal(nd_httpreq_param(r.query, "target", v, 8), -E2BIG);
}

static void
test_partial_and_bounds(void **state)
{
	struct nd_httpreq r;
	char err[160], *big;

	(void)state;
	assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n", &r, err), 0);
	assert_int_equal(parse("GET / HTT", &r, err), 0);
	big = malloc(ND_HTTPREQ_MAX + 10);
	assert_non_null(big);
	memset(big, 'a', ND_HTTPREQ_MAX + 10);
	memcpy(big, "GET /?q=", 8);
	assert_int_equal(nd_httpreq_parse(big, ND_HTTPREQ_MAX + 10, &r, err,
	    160), -E2BIG);
	assert_non_null(strstr(err, "request line"));
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	assert_int_equal(nd_httpreq_parse(big, ND_HTTPREQ_MAX, &r, err, 160),
	    -E2BIG);
	assert_non_null(strstr(err, "head"));
	free(big);
}

static void
test_errors(void **state)
{
	struct nd_httpreq r;
	char err[160];

	(void)state;
	assert_int_equal(parse("GET /probe?target=x\r\n\r\n", &r, err),
	    -EPROTO);
	assert_string_equal(err, "the request line has no HTTP version");
	assert_int_equal(parse("GET / HTTP/2.0\r\n\r\n", &r, err), -EPROTO);
	assert_int_equal(parse("GET http://x/ HTTP/1.1\r\n\r\n", &r, err),
	    -EINVAL);
	assert_int_equal(parse("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", &r,
	    err), -EINVAL);
	assert_int_equal(parse("G(T / HTTP/1.1\r\n\r\n", &r, err), -EINVAL);
	assert_int_equal(parse("GET /\x01 HTTP/1.1\r\n\r\n", &r, err), -EINVAL);
}

static void
test_connection_and_accept(void **state)
{
	struct nd_httpreq r;
	char err[160], v[16];
	struct nd_strv q = { "a=%zz&b=%00&c=&d", 16 };

	(void)state;
	assert_int_equal(parse("GET / HTTP/1.0\n\n", &r, err), 1);
	assert_false(r.keep_alive);
	assert_int_equal(parse("GET / HTTP/1.0\nConnection: Keep-Alive\n\n",
	    &r, err), 1);
	assert_true(r.keep_alive);
	assert_int_equal(parse("GET / HTTP/1.1\r\nConnection: x, close\r\n\r\n",
	    &r, err), 1);
	assert_false(r.keep_alive);
	assert_int_equal(r.scrape_timeout, -1);
	assert_int_equal(parse("GET / HTTP/1.1\r\nAccept: application/"
	    "openmetrics-text;q=0\r\n\r\n", &r, err), 1);
	assert_false(nd_httpreq_wants_openmetrics(r.accept));
	assert_int_equal(parse("GET / HTTP/1.1\r\nAccept: text/plain\r\n\r\n",
	    &r, err), 1);
	assert_false(nd_httpreq_wants_openmetrics(r.accept));
	assert_int_equal(nd_httpreq_param(q, "a", v, sizeof(v)), -EINVAL);
	assert_int_equal(nd_httpreq_param(q, "b", v, sizeof(v)), -EINVAL);
	assert_int_equal(nd_httpreq_param(q, "c", v, sizeof(v)), 0);
	assert_int_equal(nd_httpreq_param(q, "d", v, sizeof(v)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_request),
		cmocka_unit_test(test_partial_and_bounds),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_connection_and_accept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
