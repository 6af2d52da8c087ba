/*
 * test_httpclass.c - an HTTP answer to a verdict (core/wire/httpclass.c):
 * the header block read field by field, Envoy's local replies told apart
 * from forwarded answers, the expected status and text, and the escaping
 * of a failing body.  The texts are Envoy's (source/common/router/
 * router.cc) and nginx's, as they arrive on the wire.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "httpclass.h"

static enum nd_http_class
classify(const char *hdr, bool expected, const char *want, const char *body,
    char *why, size_t whylen)
{
	struct nd_http_headers h;

	nd_http_headers_parse(hdr, strlen(hdr), &h);
	return nd_http_classify(&h, expected, want, body, strlen(body), why,
	    whylen);
}

static void
test_headers(void **state)
{
	static const char hdr[] =
	    "HTTP/1.1 100 Continue\r\n\r\n"
	    "HTTP/1.1 302 Found\r\n"
	    "Server:  nginx/1.22.1 \r\n"
	    "Content-Type: text/html\r\n"
	    "Location: https://sonarr.int.example.be/login\r\n"
	    "Via: 1.1 a\r\nvia: 2 b\r\n"
	    "x-envoy-upstream-service-time: 3\r\n"
	    "X-Envoy-Decorator-Operation: sonarr.media:8989/*\r\n"
	    "cf-ray: 8a1b2c3d4e5f-AMS\r\n"
	    "content-length: 4294967296\r\n"
	    "x-bad: a\x01\x7f" "b\r\n"
	    "no colon here\r\n\r\n";
	struct nd_http_headers h;

	(void)state;
	nd_http_headers_parse(hdr, sizeof(hdr) - 1, &h);
	assert_int_equal(h.status, 302);
	assert_string_equal(h.version, "HTTP/1.1");
	assert_string_equal(h.server, "nginx/1.22.1");
	assert_string_equal(h.content_type, "text/html");
	assert_string_equal(h.location, "https://sonarr.int.example.be/login");
	assert_string_equal(h.via, "1.1 a, 2 b");
	assert_string_equal(h.cf_ray, "8a1b2c3d4e5f-AMS");
	assert_true(h.envoy_upstream);
	assert_string_equal(h.envoy, "x-envoy-upstream-service-time: 3; "
	    "X-Envoy-Decorator-Operation: sonarr.media:8989/*");
	assert_true(h.content_length == 4294967296LL);
	assert_int_equal(h.nheaders, 10);

	/* HTTP/2 as libcurl hands it over; bare "\n" line ends too. */
	nd_http_headers_parse("HTTP/2 404\nserver: envoy\ncontent-length: x\n",
	    43, &h);
	assert_int_equal(h.status, 404);
	assert_string_equal(h.version, "HTTP/2");
	assert_true(h.content_length == -1);
	assert_false(h.envoy_upstream);
	/* No status line at all, or a broken one. */
	nd_http_headers_parse("", 0, &h);
	assert_int_equal(h.status, 0);
	nd_http_headers_parse("HTTP/1.1 2000 x\r\n", 17, &h);
	assert_int_equal(h.status, 0);
	nd_http_headers_parse("HTTP/1.1 20", 11, &h);
	assert_int_equal(h.status, 0);
}

static void
test_envoy_local_replies(void **state)
{
	char why[160];

	(void)state;
	/* No route for the Host: an empty 404 that nothing upstream made. */
	assert_int_equal(classify("HTTP/1.1 404 Not Found\r\ndate: x\r\n"
	    "server: envoy\r\ncontent-length: 0\r\n\r\n", false, NULL, "", why,
	    sizeof(why)), ND_HC_ROUTE_NOT_FOUND);
	assert_non_null(strstr(why, "x-envoy-upstream-service-time"));
	/* Istio's spelling of the server header. */
	assert_int_equal(classify("HTTP/2 404\r\nserver: istio-envoy\r\n\r\n",
	    false, NULL, "", why, sizeof(why)), ND_HC_ROUTE_NOT_FOUND);
	/* The application's own 404, forwarded. */
	assert_int_equal(classify("HTTP/1.1 404 Not Found\r\nserver: envoy\r\n"
	    "x-envoy-upstream-service-time: 3\r\n\r\n", false, NULL,
	    "404 page not found\n", why, sizeof(why)), ND_HC_STATUS_MISMATCH);
	assert_int_equal(classify("HTTP/1.1 503 Service Unavailable\r\n"
	    "content-length: 19\r\ncontent-type: text/plain\r\nserver: envoy\r\n"
	    "\r\n", false, NULL, "no healthy upstream", why, sizeof(why)),
	    ND_HC_NO_HEALTHY_UPSTREAM);
	assert_int_equal(classify("HTTP/1.1 503 Service Unavailable\r\n"
	    "server: envoy\r\n\r\n", false, NULL, "upstream connect error or "
	    "disconnect/reset before headers. reset reason: connection "
	    "failure", why, sizeof(why)), ND_HC_UPSTREAM_CONNECT_ERROR);
	assert_string_equal(why, "connection failure");
	assert_int_equal(classify("HTTP/1.1 503 x\r\n\r\n", false, NULL,
	    "upstream connect error or disconnect/reset before headers. "
	    "retried and the latest reset reason: remote connection failure, "
	    "transport failure reason: delayed connect error: 111\nmore", why,
	    sizeof(why)), ND_HC_UPSTREAM_CONNECT_ERROR);
	assert_string_equal(why, "remote connection failure, transport "
	    "failure reason: delayed connect error: 111");
	assert_int_equal(classify("HTTP/1.1 502 x\r\n\r\n", false, NULL,
	    "upstream connect error or disconnect/reset before headers.", why,
	    sizeof(why)), ND_HC_UPSTREAM_CONNECT_ERROR);
	assert_string_equal(why, "no reset reason given");
	/* An empty 404 from nginx, and ingress-nginx's default backend. */
	assert_int_equal(classify("HTTP/1.1 404 Not Found\r\nServer: nginx\r\n"
	    "Content-Length: 0\r\n\r\n", false, NULL, "", why, sizeof(why)),
	    ND_HC_ROUTE_NOT_FOUND);
	assert_int_equal(classify("HTTP/1.1 404 Not Found\r\n\r\n", false,
	    NULL, "default backend - 404", why, sizeof(why)),
	    ND_HC_ROUTE_NOT_FOUND);
	/* nginx's own 404 page: could be the application's. */
	assert_int_equal(classify("HTTP/1.1 404 Not Found\r\nServer: nginx\r\n"
	    "\r\n", false, NULL, "<html><center><h1>404 Not Found</h1>"
	    "</center></html>", why, sizeof(why)), ND_HC_STATUS_MISMATCH);
	/* A truncated why buffer stays a string. */
	assert_int_equal(classify("HTTP/1.1 503 x\r\n\r\n", false, NULL,
	    "no healthy upstream", why, 4), ND_HC_NO_HEALTHY_UPSTREAM);
	assert_string_equal(why, "no ");
}

static void
test_expected(void **state)
{
	char why[160];

	(void)state;
	/* An expected status wins, even one a proxy made. */
	assert_int_equal(classify("HTTP/1.1 404 x\r\nserver: envoy\r\n\r\n",
	    true, NULL, "", why, sizeof(why)), ND_HC_OK);
	assert_int_equal(classify("HTTP/1.1 200 OK\r\n\r\n", true,
	    "Sonarr", "<title>Sonarr</title>", why, sizeof(why)), ND_HC_OK);
	assert_int_equal(classify("HTTP/1.1 200 OK\r\n\r\n", true,
	    "Radarr", "<title>Sonarr</title>", why, sizeof(why)),
	    ND_HC_BODY_MISMATCH);
	assert_int_equal(classify("HTTP/1.1 200 OK\r\n\r\n", true, "",
	    "", why, sizeof(why)), ND_HC_OK);
	assert_int_equal(classify("HTTP/1.1 400 Bad Request\r\n\r\n", false,
	    NULL, "<center>The plain HTTP request was sent to HTTPS port"
	    "</center>", why, sizeof(why)), ND_HC_PLAIN_HTTP_TO_TLS);
	assert_string_equal(nd_http_class_name(ND_HC_PLAIN_HTTP_TO_TLS),
	    "protocol_error");
	assert_string_equal(nd_http_class_name(ND_HC_ROUTE_NOT_FOUND),
	    "route_not_found");
}


/*
 * Cloudflare's edge, in the three formats its error pages come in
 * (developers.cloudflare.com/fundamentals/reference/error-responses/):
 * the number is matched, never the wording.
 */
#define CF_HDR(st) "HTTP/2 " st "\r\nserver: cloudflare\r\n" \
	"cf-ray: 8c5e1f2a3b4c5d6e-AMS\r\ncache-control: private, max-age=0, " \
	"no-store, no-cache, must-revalidate\r\n\r\n"

static void
test_cloudflare(void **state)
{
	static const char html1033[] = "<title>grafana.home.example.com | "
	    "1033: Argo Tunnel error</title><h1><span class=\"cf-error-type\" "
	    "data-translate=\"error\">Error</span><span class=\"cf-error-code\">"
	    "1033</span></h1>";
	static const char json1016[] = "{\"type\":\"https://developers."
	    "cloudflare.com/support/troubleshooting/http-status-codes/"
	    "cloudflare-1xxx-errors/error-1016/\",\"title\":\"Error 1016: "
	    "Origin DNS error\",\"status\":530,\"error_code\": 1016,"
	    "\"ray_id\":\"8c5e1f2a3b4c5d6e\"}";
	struct nd_http_headers h;
	char why[160], id[32], colo[8];

	(void)state;
	assert_int_equal(classify(CF_HDR("530"), false, NULL,
	    "error code: 1033", why, sizeof(why)), ND_HC_CF_NOT_CONNECTED);
	assert_string_equal(why, "error code 1033 from Cloudflare's edge");
	assert_int_equal(classify(CF_HDR("530"), false, NULL, html1033, why,
	    sizeof(why)), ND_HC_CF_NOT_CONNECTED);
	assert_int_equal(classify(CF_HDR("530"), false, NULL, json1016, why,
	    sizeof(why)), ND_HC_CF_ORIGIN_DNS);
	assert_int_equal(classify(CF_HDR("502"), false, NULL,
	    "error code: 502", why, sizeof(why)),
	    ND_HC_CF_ORIGIN_UNREACHABLE);
	assert_int_equal(classify(CF_HDR("522"), false, NULL,
	    "<span class=\"code-label\">Error code 522</span>", why,
	    sizeof(why)), ND_HC_CF_EDGE_ERROR);
	assert_int_equal(classify(CF_HDR("524"), false, NULL, "", why,
	    sizeof(why)), ND_HC_CF_EDGE_ERROR);
	assert_string_equal(why, "status 524 from Cloudflare's edge");
	assert_int_equal(classify(CF_HDR("403"), false, NULL,
	    "error code: 1020", why, sizeof(why)), ND_HC_CF_EDGE_ERROR);
	/* 530 with another code is the edge's, said with the code. */
	assert_int_equal(classify(CF_HDR("530"), false, NULL,
	    "error code: 1034", why, sizeof(why)), ND_HC_CF_EDGE_ERROR);
	/* The origin's own 404 passes through the edge: the app's answer. */
	assert_int_equal(classify(CF_HDR("404"), false, NULL, "Not Found",
	    why, sizeof(why)), ND_HC_STATUS_MISMATCH);
	/* An expected answer through the edge is fine. */
	assert_int_equal(classify(CF_HDR("200"), true, NULL, "ok", why,
	    sizeof(why)), ND_HC_OK);
	/* Without cf-ray, a server calling itself cloudflare is no edge. */
	assert_int_equal(classify("HTTP/1.1 530 x\r\nserver: cloudflare\r\n"
	    "\r\n", false, NULL, "error code: 1033", why, sizeof(why)),
	    ND_HC_STATUS_MISMATCH);
	assert_int_equal(classify("HTTP/1.1 530 x\r\nserver: nginx\r\n"
	    "cf-ray: 1-AMS\r\n\r\n", false, NULL, "error code: 1033", why,
	    sizeof(why)), ND_HC_STATUS_MISMATCH);

	/* The code reader: numbers in range, nothing glued to them. */
	assert_int_equal(nd_http_cf_code("error code: 1033", 16), 1033);
	assert_int_equal(nd_http_cf_code("ERROR_CODE=1016", 15), 1016);
	assert_int_equal(nd_http_cf_code("Error 1033: x", 13), 1033);
	assert_int_equal(nd_http_cf_code("error code: 10330", 17), 0);
	assert_int_equal(nd_http_cf_code("error code: 2033", 16), 0);
	assert_int_equal(nd_http_cf_code("error code: 404", 15), 0);
	assert_int_equal(nd_http_cf_code("error code: 1033", 14), 0);
	assert_int_equal(nd_http_cf_code("error", 5), 0);
	assert_int_equal(nd_http_cf_code(NULL, 9), 0);
	assert_int_equal(nd_http_cf_code("error\0 1033", 11), 0);

	nd_http_cf_ray("8c5e1f2a3b4c5d6e-AMS", id, sizeof(id), colo,
	    sizeof(colo));
	assert_string_equal(id, "8c5e1f2a3b4c5d6e");
	assert_string_equal(colo, "AMS");
	nd_http_cf_ray("abc", id, sizeof(id), colo, sizeof(colo));
	assert_string_equal(id, "abc");
	assert_string_equal(colo, "");
	nd_http_cf_ray("0123456789-ABCDEFGHIJ", id, 4, colo, 4);
	assert_string_equal(id, "012");
	assert_string_equal(colo, "ABC");

	nd_http_headers_parse(CF_HDR("530"), strlen(CF_HDR("530")), &h);
	assert_true(nd_http_cf_edge(&h));
	assert_string_equal(nd_http_class_name(ND_HC_CF_NOT_CONNECTED),
	    "cftunnel.not_connected");
	assert_string_equal(nd_http_class_name(ND_HC_CF_EDGE_ERROR),
	    "cftunnel.edge_error");
	assert_string_equal(nd_http_class_name(ND_HC_CF_ORIGIN_UNREACHABLE),
	    "cftunnel.origin_unreachable");
	assert_string_equal(nd_http_class_name(ND_HC_CF_ORIGIN_DNS),
	    "cftunnel.origin_dns_error");
	/* Go's answer to plain HTTP on its TLS port. */
	assert_int_equal(classify("HTTP/1.0 400 Bad Request\r\n\r\n", false,
	    NULL, "Client sent an HTTP request to an HTTPS server.\n", why,
	    sizeof(why)), ND_HC_PLAIN_HTTP_TO_TLS);
}

static void
test_escape(void **state)
{
	char out[64];

	(void)state;
	nd_http_escape("a\r\nb\t\\\x01\xff", 8, 200, out, sizeof(out));
	assert_string_equal(out, "a\\r\\nb\\t\\\\\\x01\\xff");
	nd_http_escape("abcdef", 6, 3, out, sizeof(out));
	assert_string_equal(out, "abc...");
	/* NULs in a body are bytes like the others. */
	nd_http_escape("a\0b", 3, 200, out, sizeof(out));
	assert_string_equal(out, "a\\x00b");
	/* Cut by the output buffer, never past it. */
	nd_http_escape("\x01\x02\x03", 3, 200, out, 6);
	assert_string_equal(out, "\\x01");
	nd_http_escape("x", 1, 200, out, 1);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_envoy_local_replies),
		cmocka_unit_test(test_expected),
		cmocka_unit_test(test_cloudflare),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
