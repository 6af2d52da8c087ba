/*
 * fuzz_talos_pb.c - libFuzzer harness for the Talos VersionResponse
 * decoder and gRPC unframing (core/talos_pb.h): the bytes a Talos API (or
 * anything pretending to be one) sends back.
 *
 * Invariants: a decode either fails with a reason or fills only bounded,
 * printable, NUL-terminated strings; unframing never points outside the
 * input and never accepts a length over its limit.
 */
#include <stdint.h>
#include <string.h>

#include "talos_pb.h"

#include "fuzz_common.h"

static void
check_str(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);

	FUZZ_CHECK(n < cap);
	for (; *s != '\0'; s++)
		FUZZ_CHECK(*s >= 0x20 && *s < 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct nd_talos_version v;
	const uint8_t *msg;
	size_t mlen;
	uint32_t ann;
	const char *why = NULL;
	int rc;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	rc = nd_talos_version_decode(copy, size, &v, &why);
	if (rc == 0) {
		check_str(v.hostname, sizeof(v.hostname));
		check_str(v.error, sizeof(v.error));
		check_str(v.tag, sizeof(v.tag));
		check_str(v.sha, sizeof(v.sha));
		check_str(v.built, sizeof(v.built));
		check_str(v.go_version, sizeof(v.go_version));
		check_str(v.os, sizeof(v.os));
		check_str(v.arch, sizeof(v.arch));
		check_str(v.platform, sizeof(v.platform));
		check_str(v.mode, sizeof(v.mode));
	} else {
		FUZZ_CHECK(why != NULL && why[0] != '\0');
	}
	why = NULL;
	rc = nd_grpc_unframe(copy, size, 1024, &msg, &mlen, &ann, &why);
	if (rc == 0) {
		FUZZ_CHECK(mlen <= 1024 && mlen == ann);
		FUZZ_CHECK(msg == copy + 5 && msg + mlen <= copy + size);
		(void)nd_talos_version_decode(msg, mlen, &v, &why);
	} else {
		FUZZ_CHECK(why != NULL);
	}
	free(copy);
	return 0;
}
