/*
 * test_talos_pb.c - the VersionResponse decoder and gRPC unframing on
 * hand-encoded bytes (field numbers from docs/talos.md 3), including the
 * malformed inputs a hostile or broken peer can send.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "talos_pb.h"

/* A tiny encoder for the tests: key, length, bytes. */
struct enc {
	uint8_t	b[1024];
	size_t	n;
};

static void
put_varint(struct enc *e, uint64_t v)
{
	do {
		e->b[e->n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v != 0);
}

static void
put_bytes(struct enc *e, unsigned field, const void *p, size_t len)
{
	put_varint(e, (uint64_t)field << 3 | 2);
	put_varint(e, len);
	memcpy(e->b + e->n, p, len);
	e->n += len;
}

static void
put_str(struct enc *e, unsigned field, const char *s)
{
	put_bytes(e, field, s, strlen(s));
}

/* Version{version: VersionInfo{...}, platform{...}, features?{rbac}} */
static void
version_msg(struct enc *out, bool features)
{
	struct enc info = { .n = 0 }, plat = { .n = 0 }, feat = { .n = 0 };
	struct enc ver = { .n = 0 };

	put_str(&info, 1, "v1.12.11");
	put_str(&info, 2, "2e80771b");
	put_str(&info, 4, "go1.25.12");
	put_str(&info, 5, "linux");
	put_str(&info, 6, "amd64");
	put_str(&plat, 1, "metal");
	put_str(&plat, 2, "metal");
	put_bytes(&ver, 2, info.b, info.n);
	put_bytes(&ver, 3, plat.b, plat.n);
	if (features) {
		put_varint(&feat, 1 << 3 | 0);
		put_varint(&feat, 1);
		put_bytes(&ver, 4, feat.b, feat.n);
	}
	/* An unknown field must be skipped: fixed64 field 9. */
	put_varint(&ver, 9 << 3 | 1);
	memset(ver.b + ver.n, 0xab, 8);
	ver.n += 8;
	put_bytes(out, 1, ver.b, ver.n);
}

static void
test_configured_and_maintenance(void **state)
{
	struct enc e = { .n = 0 };
	struct nd_talos_version v;
	const char *why;

	(void)state;
	version_msg(&e, true);
	assert_int_equal(nd_talos_version_decode(e.b, e.n, &v, &why), 0);
	assert_int_equal(v.nmessages, 1);
	assert_true(v.has_version);
	assert_true(v.has_features);
	assert_true(v.rbac);
	assert_string_equal(v.tag, "v1.12.11");
	assert_string_equal(v.arch, "amd64");
	assert_string_equal(v.platform, "metal");

	e.n = 0;
	version_msg(&e, false);
	version_msg(&e, true);		/* a second node: ignored */
	assert_int_equal(nd_talos_version_decode(e.b, e.n, &v, &why), 0);
	assert_int_equal(v.nmessages, 2);
	assert_false(v.has_features);
	assert_string_equal(v.os, "linux");

	/* An empty message is a valid, empty VersionResponse. */
	assert_int_equal(nd_talos_version_decode(e.b, 0, &v, &why), 0);
	assert_int_equal(v.nmessages, 0);
}

static void
test_malformed(void **state)
{
	struct enc e = { .n = 0 };
	struct nd_talos_version v;
	const char *why;
	size_t cut;
	static const uint8_t long_varint[] = { 0x08, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	static const uint8_t group[] = { 0x0b };		/* field 1, type 3 */
	static const uint8_t field0[] = { 0x02, 0x00 };		/* field 0 */
	static const uint8_t past_end[] = { 0x0a, 0xc8, 0x01, 0x00 };

	(void)state;
	version_msg(&e, true);
	/* Every truncation of a valid message is either valid or rejected. */
	for (cut = 0; cut < e.n; cut++) {
		int rc = nd_talos_version_decode(e.b, cut, &v, &why);

		assert_true(rc == 0 || (rc == -EBADMSG && why != NULL));
	}
	assert_int_equal(nd_talos_version_decode(e.b, e.n - 3, &v, &why),
	    -EBADMSG);
	assert_int_equal(nd_talos_version_decode(long_varint,
	    sizeof(long_varint), &v, &why), -EBADMSG);
	assert_int_equal(nd_talos_version_decode(group, sizeof(group), &v,
	    &why), -EBADMSG);
	assert_int_equal(nd_talos_version_decode(field0, sizeof(field0), &v,
	    &why), -EBADMSG);
	assert_int_equal(nd_talos_version_decode(past_end, sizeof(past_end),
	    &v, &why), -EBADMSG);
	assert_string_equal(why, "a length-delimited field runs past the end");
}

static void
test_hostile_strings(void **state)
{
	struct enc e = { .n = 0 }, ver = { .n = 0 }, info = { .n = 0 };
	struct nd_talos_version v;
	const char *why;
	char big[300];

	(void)state;
	memset(big, 'x', sizeof(big));
	big[0] = '\x1b';		/* an escape sequence for the terminal */
	big[1] = '\n';
	put_bytes(&info, 1, big, sizeof(big));
	put_bytes(&ver, 2, info.b, info.n);
	put_bytes(&e, 1, ver.b, ver.n);
	assert_int_equal(nd_talos_version_decode(e.b, e.n, &v, &why), 0);
	assert_int_equal(strlen(v.tag), sizeof(v.tag) - 1);	/* truncated */
	assert_int_equal(v.tag[0], '?');
	assert_int_equal(v.tag[1], '?');
}

static void
test_deep_nesting(void **state)
{
	struct enc a = { .n = 0 }, b = { .n = 0 };
	struct nd_talos_version v;
	const char *why;
	int i;

	(void)state;
	/* messages -> version -> ... deeper than the decoder descends is fine
	 * (unknown fields are not walked), so nest the known path only. */
	put_str(&a, 1, "deep");
	for (i = 0; i < 3; i++) {
		b.n = 0;
		put_bytes(&b, i == 0 ? 2 : 1, a.b, a.n);
		a = b;
	}
	assert_int_equal(nd_talos_version_decode(a.b, a.n, &v, &why), 0);
}

static void
test_grpc_unframe(void **state)
{
	static const uint8_t ok[] = { 0, 0, 0, 0, 3, 'a', 'b', 'c' };
	static const uint8_t huge[] = { 0, 0xff, 0xff, 0xff, 0xff, 1, 2 };
	static const uint8_t comp[] = { 1, 0, 0, 0, 1, 'x' };
	static const uint8_t shortmsg[] = { 0, 0, 0, 0, 9, 'x' };
	const uint8_t *m;
	size_t mlen;
	uint32_t ann;
	const char *why;

	(void)state;
	assert_int_equal(nd_grpc_unframe(ok, sizeof(ok), 1024, &m, &mlen, &ann,
	    &why), 0);
	assert_int_equal(mlen, 3);
	assert_memory_equal(m, "abc", 3);
	assert_int_equal(nd_grpc_unframe(huge, sizeof(huge), 1024, &m, &mlen,
	    &ann, &why), -EBADMSG);
	assert_int_equal(ann, 0xffffffffu);
	assert_int_equal(nd_grpc_unframe(comp, sizeof(comp), 1024, &m, &mlen,
	    &ann, &why), -EBADMSG);
	assert_int_equal(nd_grpc_unframe(shortmsg, sizeof(shortmsg), 1024, &m,
	    &mlen, &ann, &why), -EBADMSG);
	assert_int_equal(nd_grpc_unframe(ok, 4, 1024, &m, &mlen, &ann, &why),
	    -EBADMSG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_configured_and_maintenance),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_grpc_unframe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
