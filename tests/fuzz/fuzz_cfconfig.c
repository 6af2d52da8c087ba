/*
 * fuzz_cfconfig.c - libFuzzer harness for cloudflared's config.yml
 * (core/input/cfconfig.h), fed through a memfd as the loader reads files.
 * Invariants: a loaded config has at least one rule, its last rule
 * matches everything, every rule has a service and either a target that
 * parses as a netdoctor target or a reason for having none; a refused
 * config says why in one line.
 */
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "cfconfig.h"
#include "target.h"

#include "fuzz_common.h"

static int memfd = -1;
static char path[64];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_arena *a;
	struct nd_cfconfig cf;
	struct nd_target *t;
	char err[512] = "", perr[512];
	size_t i, off = 0;
	ssize_t n;

	if (memfd == -1) {
		memfd = memfd_create("nd-fuzz-cfconfig", MFD_CLOEXEC);
		FUZZ_CHECK(memfd != -1);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	FUZZ_CHECK(ftruncate(memfd, 0) == 0);
	while (off < size) {
		n = pwrite(memfd, data + off, size - off, (off_t)off);
		FUZZ_CHECK(n > 0);
		off += (size_t)n;
	}
	a = nd_arena_new();
	if (nd_cfconfig_load(a, path, &cf, err, sizeof(err)) == 0) {
		FUZZ_CHECK(cf.nrules > 0);
		FUZZ_CHECK(cf.rules[cf.nrules - 1].hostname == NULL &&
		    cf.rules[cf.nrules - 1].path == NULL);
		for (i = 0; i < cf.nrules; i++) {
			const struct nd_cf_rule *r = &cf.rules[i];

			FUZZ_CHECK(r->service != NULL && r->line > 0);
			FUZZ_CHECK((r->target != NULL) != (r->none_why != NULL));
			if (r->target != NULL)
				FUZZ_CHECK(nd_target_parse(a, r->target, "fuzz",
				    &t, perr, sizeof(perr)) == 0);
		}
	} else {
		FUZZ_CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
	}
	nd_arena_free(a);
	return 0;
}
