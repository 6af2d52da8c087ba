/*
 * fuzz_ytree.c - differential harness for the fast YAML reader
 * (core/wire/yfast.c) against libyaml (ytree.c, libyaml_only).
 *
 * Invariants, for any input:
 *   - the fast reader either refuses (ND_YFAST_REFUSED, the buffer it
 *     was allowed to write unchanged, the out-parameter untouched) or
 *     libyaml accepts the input too and both build the same tree: kinds,
 *     lines, plain flags, text and order (nd_ytree_dump), whether the
 *     scalars are copied or left in the buffer;
 *   - nd_ytree_parse(), which tries the fast reader first, answers
 *     exactly as libyaml alone: the same return code, the same message
 *     and the same tree.
 * Small bounds (depth 6, 40 nodes) make the inputs reach them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "yfast.h"
#include "ytree.h"

#include "fuzz_common.h"

/* The tree as text, or the error as "rc=N MESSAGE". */
static const char *
answer(struct nd_arena *a, const char *buf, size_t len,
    const struct nd_ytree_opts *o)
{
	struct nd_ynode *root = NULL;
	const char *dump;
	char err[512];
	int rc;

	rc = nd_ytree_parse(a, "in", buf, len, o, &root, err, sizeof(err));
	if (rc != 0)
		return nd_arena_printf(a, "rc=%d %s", rc, err);
	dump = nd_ytree_dump(a, root);
	FUZZ_CHECK(dump != NULL);
	return dump;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_ytree_opts o = { .max_bytes = 64 * 1024, .max_depth = 6,
	    .max_nodes = 40 };
	struct nd_ynode *copied, *inplace = NULL;
	struct nd_arena *a = nd_arena_new();
	char *buf = fuzz_cstr(data, size), *own;
	const char *slow, *fast, *dflt;
	int rc, rc2;

	/* Every other input without bounds that bite. */
	if (size > 0 && data[0] % 2 == 0) {
		o.max_depth = 64;
		o.max_nodes = 100000;
	}
	o.libyaml_only = true;
	slow = answer(a, buf, size, &o);
	o.libyaml_only = false;
	dflt = answer(a, buf, size, &o);
	FUZZ_CHECK(strcmp(slow, dflt) == 0);

	own = nd_arena_alloc(a, size + 1);
	memcpy(own, buf, size);
	rc = nd_yfast_parse(a, buf, NULL, size, &o, &copied);
	rc2 = nd_yfast_parse(a, own, own, size, &o, &inplace);
	FUZZ_CHECK(rc == rc2);
	if (rc == 0) {
		fast = nd_ytree_dump(a, copied);
		FUZZ_CHECK(fast != NULL);
		if (strcmp(fast, slow) != 0)
			fprintf(stderr, "fast:\n%s\nlibyaml:\n%s\n", fast, slow);
		FUZZ_CHECK(strcmp(fast, slow) == 0);
		FUZZ_CHECK(strcmp(nd_ytree_dump(a, inplace), slow) == 0);
	} else {
		FUZZ_CHECK(rc == ND_YFAST_REFUSED);
		FUZZ_CHECK(inplace == NULL);
		FUZZ_CHECK(memcmp(own, buf, size) == 0);
	}
	free(buf);
	nd_arena_free(a);
	return 0;
}
