/*
 * fuzz_httpclass.c - libFuzzer harness for the HTTP answer classifier
 * (core/wire/httpclass.h): the header block and first body bytes any peer
 * can send.
 *
 * The input is a header block, then "\r\n\r\n", then the body (no
 * separator: all of it is headers and the body is empty); its first byte's
 * low bit says whether the status counts as expected, and the second byte
 * picks a wanted text.  Invariants: every header field is a NUL-ended
 * string without control characters inside its buffer; the status is 0
 * or three digits; the verdict is one of the enum's; why is one short line;
 * the escaped snippet is printable ASCII and never overruns its buffer;
 * Cloudflare's error code is 0, 5xx or 1xxx, and only an edge's answer
 * (server: cloudflare and cf-ray) that was not expected is the edge's.
 */
#include <stdint.h>
#include <string.h>

#include "httpclass.h"

#include "fuzz_common.h"

static void
check_field(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	FUZZ_CHECK(n < cap);
	FUZZ_CHECK(!fuzz_has_ctl(s));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const wants[] = { NULL, "", "Sonarr", "a" };
	const char *buf = (const char *)data, *sep;
	size_t hlen = size, blen = 0, n;
	struct nd_http_headers h;
	enum nd_http_class c;
	char why[160], snip[ND_HTTP_SNIPPET * 4 + 8];
	bool expected = size > 0 && (data[0] & 1);
	const char *want = size > 1 ? wants[data[1] & 3] : NULL;

	sep = size >= 4 ? memmem(buf, size, "\r\n\r\n", 4) : NULL;
	if (sep != NULL) {
		hlen = (size_t)(sep - buf) + 4;
		blen = size - hlen;
	}
	nd_http_headers_parse(buf, hlen, &h);
	check_field(h.version, sizeof(h.version));
	check_field(h.server, sizeof(h.server));
	check_field(h.content_type, sizeof(h.content_type));
	check_field(h.location, sizeof(h.location));
	check_field(h.via, sizeof(h.via));
	check_field(h.cf_ray, sizeof(h.cf_ray));
	check_field(h.envoy, sizeof(h.envoy));
	FUZZ_CHECK(h.status == 0 || (h.status >= 0 && h.status <= 999));
	FUZZ_CHECK(h.content_length >= -1);

	memset(why, 'x', sizeof(why));
	c = nd_http_classify(&h, expected, want, buf + hlen, blen, why,
	    sizeof(why));
	FUZZ_CHECK(c >= ND_HC_OK && c <= ND_HC__LAST);
	check_field(why, sizeof(why));
	FUZZ_CHECK(strcmp(nd_http_class_name(c), "?") != 0);
	if (expected && c != ND_HC_PLAIN_HTTP_TO_TLS)
		FUZZ_CHECK(c == ND_HC_OK || c == ND_HC_BODY_MISMATCH);
	/* A short why buffer is cut, never overrun. */
	(void)nd_http_classify(&h, expected, want, buf + hlen, blen, why, 1);
	FUZZ_CHECK(why[0] == '\0');

	/* Cloudflare: the code is 0 or in range, the Ray ID cut. */
	{
		int code = nd_http_cf_code(buf + hlen, blen);
		char id[32], colo[8];

		FUZZ_CHECK(code == 0 || (code >= 500 && code <= 599) ||
		    (code >= 1000 && code <= 1999));
		nd_http_cf_ray(h.cf_ray, id, sizeof(id), colo, sizeof(colo));
		check_field(id, sizeof(id));
		check_field(colo, sizeof(colo));
		if (c >= ND_HC_CF_NOT_CONNECTED)
			FUZZ_CHECK(nd_http_cf_edge(&h) && !expected);
	}
	nd_http_escape(buf + hlen, blen, ND_HTTP_SNIPPET, snip, sizeof(snip));
	n = strnlen(snip, sizeof(snip));
	FUZZ_CHECK(n < sizeof(snip));
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(snip[i] >= 0x20 && snip[i] < 0x7f);
	nd_http_escape(buf, size, ND_HTTP_SNIPPET, snip, 7);
	FUZZ_CHECK(strnlen(snip, 7) < 7);
	return 0;
}
