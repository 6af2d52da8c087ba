/*
 * fuzz_nodeip.c - libFuzzer harness for nd_mc_load() and
 * nd_nodeip_compute() (core/nodeip.h).
 *
 * The input goes into a memfd opened again through /proc/self/fd/N, as in
 * fuzz_config.c.  Invariants:
 *   - success: every config has a line, pod and service subnets (the
 *     defaults at least), parallel vips and vip_keys; the computation
 *     picks node IPs only from its candidates, an IPv4 node_ip and an
 *     IPv6 node_ip6, and writes trace lines without control characters;
 *   - failure: a negative errno, *ret untouched, err one non-empty line.
 * That secrets stay out of errors is checked by tests/unit/test_nodeip.c:
 * a mutation may move a secret into a key whose value errors do quote.
 */
#include <sys/mman.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "nodeip.h"
#include "util.h"

#include "fuzz_common.h"

static int memfd = -1;
static char path[64];

static void
init_once(void)
{
	if (memfd != -1)
		return;
	memfd = memfd_create("nd-fuzz-nodeip", MFD_CLOEXEC);
	FUZZ_CHECK(memfd != -1);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
}

static void
put_input(const uint8_t *data, size_t size)
{
	size_t off = 0;
	ssize_t n;

	FUZZ_CHECK(ftruncate(memfd, 0) == 0);
	while (off < size) {
		n = pwrite(memfd, data + off, size - off, (off_t)off);
		FUZZ_CHECK(n > 0);
		off += (size_t)n;
	}
}

static bool
in_list(char *const *v, const char *s)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static void
check_mc(struct nd_arena *a, const struct nd_mc *mc)
{
	struct nd_nodeip r;
	size_t i;

	FUZZ_CHECK(mc->line >= 1);
	FUZZ_CHECK(mc->pod_subnets != NULL && mc->pod_subnets[0] != NULL);
	FUZZ_CHECK(mc->service_subnets != NULL &&
	    mc->service_subnets[0] != NULL);
	FUZZ_CHECK(mc->addresses != NULL && mc->vips != NULL &&
	    mc->vip_keys != NULL);
	for (i = 0; mc->vips[i] != NULL; i++)
		FUZZ_CHECK(mc->vip_keys[i] != NULL);
	FUZZ_CHECK(mc->vip_keys[i] == NULL);
	nd_nodeip_compute(a, mc, NULL, &r);
	FUZZ_CHECK(r.trace != NULL && r.candidates != NULL &&
	    r.excluded != NULL && r.overlay != NULL);
	for (i = 0; r.trace[i] != NULL; i++)
		FUZZ_CHECK(!fuzz_has_ctl(r.trace[i]));
	FUZZ_CHECK(r.node_ip == NULL || (fuzz_is_ipv4(r.node_ip) &&
	    in_list(r.candidates, r.node_ip)));
	FUZZ_CHECK(r.node_ip6 == NULL || (fuzz_is_ipv6(r.node_ip6) &&
	    in_list(r.candidates, r.node_ip6)));
	FUZZ_CHECK(r.etcd_ip == NULL || in_list(r.candidates, r.etcd_ip));
	FUZZ_CHECK(!r.only_vips || (r.node_ip == NULL && r.node_ip6 == NULL));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_mc **mcs = NULL;
	struct nd_arena *a;
	char err[512];
	size_t i;
	int rc;

	init_once();
	put_input(data, size);
	a = nd_arena_new();
	rc = nd_mc_load(a, path, &mcs, err, sizeof(err));
	if (rc == 0) {
		FUZZ_CHECK(mcs != NULL);
		for (i = 0; mcs[i] != NULL; i++)
			check_mc(a, mcs[i]);
	} else {
		FUZZ_CHECK(rc < 0);
		FUZZ_CHECK(mcs == NULL);
		fuzz_check_err(err, sizeof(err));
	}
	nd_arena_free(a);
	return 0;
}
