/*
 * test_http.c - the bounded body buffer (core/clients/http.c): what it
 * keeps, that it never allocates past its bound, that the first byte past
 * it stops the transfer (fed by hand, and by libcurl reading a file:// URL,
 * where the stop must come out as CURLE_WRITE_ERROR), and its string view.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http.h"

static size_t
feed(struct nd_http_body *b, const char *s)
{
	char tmp[256];
	size_t n = strlen(s);

	/* libcurl's data is not NUL-terminated and may not be written to. */
	assert_true(n <= sizeof(tmp));
	memcpy(tmp, s, n);
	return nd_http_body_write(tmp, 1, n, b);
}

static void
test_within_bound(void **state)
{
	struct nd_http_body b;

	(void)state;
	nd_http_body_init(&b, 10);
	assert_string_equal(nd_http_body_str(&b), "");
	assert_int_equal(feed(&b, "hello"), 5);
	assert_int_equal(feed(&b, "world"), 5);
	assert_false(b.over);
	assert_int_equal(b.len, 10);
	assert_int_equal(b.arrived, 10);
	assert_true(b.cap <= b.max + 1);
	assert_string_equal(nd_http_body_str(&b), "helloworld");
	nd_http_body_free(&b);
	assert_null(b.buf);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 0);
	nd_http_body_free(&b);		/* twice is fine */
}

static void
test_past_bound(void **state)
{
	struct nd_http_body b;

	(void)state;
	nd_http_body_init(&b, 8);
	assert_int_equal(feed(&b, "12345"), 5);
	/* Keeps what fits, then asks libcurl to stop. */
	assert_int_equal(feed(&b, "6789a"), 0);
	assert_true(b.over);
	assert_int_equal(b.len, 8);
	assert_int_equal(b.arrived, 10);
	assert_true(b.cap <= b.max + 1);
	assert_string_equal(nd_http_body_str(&b), "12345678");
	nd_http_body_free(&b);

	/* A bound of 0 takes nothing and allocates nothing. */
	nd_http_body_init(&b, 0);
	assert_int_equal(feed(&b, "x"), 0);
	assert_true(b.over);
	assert_null(b.buf);
	nd_http_body_free(&b);
}

static void
test_growth_capped(void **state)
{
	struct nd_http_body b;
	char chunk[1000];
	size_t i, max = 40000;

	(void)state;
	memset(chunk, 'a', sizeof(chunk));
	nd_http_body_init(&b, max);
	for (i = 0; i < 40; i++) {
		assert_int_equal(nd_http_body_write(chunk, 1, sizeof(chunk), &b),
		    sizeof(chunk));
		assert_true(b.cap <= max + 1);
	}
	assert_false(b.over);
	assert_int_equal(b.len, max);
	assert_int_equal(nd_http_body_write(chunk, 1, 1, &b), 0);
	assert_true(b.over);
	assert_true(b.cap <= max + 1);
	assert_int_equal(strlen(nd_http_body_str(&b)), max);
	nd_http_body_free(&b);
}

/* libcurl turns the 0 into CURLE_WRITE_ERROR and stops reading. */
static void
test_libcurl_stops(void **state)
{
	char path[] = "/tmp/nd-test-http.XXXXXX", url[64], block[4096];
	struct nd_http_body b;
	CURL *easy;
	CURLcode rc;
	FILE *f;
	int fd, i;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	memset(block, 'z', sizeof(block));
	for (i = 0; i < 256; i++)		/* 1 MiB */
		assert_int_equal(fwrite(block, 1, sizeof(block), f),
		    sizeof(block));
	fclose(f);
	snprintf(url, sizeof(url), "file://%s", path);

	assert_non_null(easy = curl_easy_init());
	nd_http_body_init(&b, 32 * 1024);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, nd_http_body_write);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(easy);
	assert_int_equal(rc, CURLE_WRITE_ERROR);
	assert_true(b.over);
	assert_int_equal(b.len, 32 * 1024);
	assert_true(b.arrived < 1024 * 1024);	/* stopped, not drained */
	curl_easy_cleanup(easy);
	nd_http_body_free(&b);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_within_bound),
		cmocka_unit_test(test_past_bound),
		cmocka_unit_test(test_growth_capped),
		cmocka_unit_test(test_libcurl_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
