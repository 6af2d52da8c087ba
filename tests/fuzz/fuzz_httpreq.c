/*
 * fuzz_httpreq.c - libFuzzer harness for the request-head reader of
 * `netdoctor serve` (core/wire/httpreq.h).
 *
 * The input is a request head as a client sends it, fed whole and then
 * cut at every length up to 64 bytes and at a few more.  Invariants:
 *   - the parser reads only buf[0..len) (the copy is exactly len bytes on
 *     the heap, so ASan sees a read past it);
 *   - 1: head_len <= len and <= ND_HTTPREQ_MAX, every field points
 *     inside the head, the path starts with '/', minor is 0..9;
 *   - 0 only while len < ND_HTTPREQ_MAX; a prefix of a complete head is
 *     never an error unless the whole is (a head is judged once it ends);
 *   - an error is -E2BIG, -EPROTO or -EINVAL with a non-empty one-line err;
 *   - every parameter of a parsed query decodes into a bounded buffer
 *     without overrunning it, the result NUL-terminated at its length.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "httpreq.h"

#include "fuzz_common.h"

static bool
inside(struct nd_strv v, const char *buf, size_t len)
{
	return v.n == 0 || (v.p >= buf && v.p + v.n <= buf + len);
}

static int
one(const char *data, size_t len)
{
	struct nd_httpreq r;
	char *buf = malloc(len ? len : 1), err[160], out[64];
	static const char *const names[] = { "target", "module", "", "a" };
	size_t i;
	int rc;

	FUZZ_CHECK(buf != NULL);
	memcpy(buf, data, len);
	err[0] = '\0';
	rc = nd_httpreq_parse(buf, len, &r, err, sizeof(err));
	if (rc == 1) {
		FUZZ_CHECK(r.head_len <= len && r.head_len <= ND_HTTPREQ_MAX);
		FUZZ_CHECK(inside(r.method, buf, r.head_len));
		FUZZ_CHECK(inside(r.path, buf, r.head_len));
		FUZZ_CHECK(inside(r.query, buf, r.head_len));
		FUZZ_CHECK(inside(r.accept, buf, r.head_len));
		FUZZ_CHECK(r.path.n > 0 && r.path.p[0] == '/');
		FUZZ_CHECK(r.minor >= 0 && r.minor <= 9);
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			int n = nd_httpreq_param(r.query, names[i], out,
			    sizeof(out));

			FUZZ_CHECK(n == -ENOENT || n == -E2BIG ||
			    n == -EINVAL || (n >= 0 && (size_t)n <
			    sizeof(out) && out[n] == '\0' &&
			    strlen(out) == (size_t)n));
		}
		(void)nd_httpreq_wants_openmetrics(r.accept);
	} else if (rc == 0) {
		FUZZ_CHECK(len < ND_HTTPREQ_MAX);
	} else {
		FUZZ_CHECK(rc == -E2BIG || rc == -EPROTO || rc == -EINVAL);
		FUZZ_CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
	}
	free(buf);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cut;
	int whole;

	if (size > 2 * ND_HTTPREQ_MAX)
		size = 2 * ND_HTTPREQ_MAX;
	whole = one((const char *)data, size);
	for (cut = 0; cut < size && cut < 64; cut++) {
		int rc = one((const char *)data, cut);

		/* A complete head in a prefix is complete in the whole. */
		if (rc == 1)
			FUZZ_CHECK(whole == 1);
	}
	return 0;
}
