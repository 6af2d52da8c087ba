/*
 * fuzz_manifests.c - libFuzzer harness for nd_manifests_load(),
 * nd_manifests_parse() and nd_manifests_route_ips() (core/manifests.h):
 * Kubernetes YAML, and an API server's JSON list answers, that are not
 * ours to trust.  The same input is read both ways: as a file, and as
 * the answer to GET .../gateways (a GatewayList).
 *
 * The input goes into a memfd opened again through /proc/self/fd/N, as in
 * fuzz_nodeip.c.  Invariants: success gives NULL-terminated lists whose
 * blocks have a range the address plan accepts or ignores, LoadBalancer
 * IPs that parse, routes with hostnames and parents arrays, and route_ips
 * only from Gateways; Gateways with listener and condition arrays whose
 * ports are 0-65535 and whose conditions have a type, routes with
 * parentRef and status.parents arrays whose entries name a Gateway;
 * failure is a negative errno and one line of error.
 */
#include <sys/mman.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "addrplan.h"
#include "arena.h"
#include "manifests.h"

#include "fuzz_common.h"

static int memfd = -1;
static char path[64];

/* The invariants of a load that succeeded. */
static void
check(struct nd_arena *a, const struct nd_manifests *m)
{
	struct nd_manifests mf = *m;
	struct nd_addrplan plan = { NULL, 0, 0 };
	unsigned char b[16];
	size_t i, k;
	char **ips;

	for (i = 0; mf.blocks[i] != NULL; i++)
		FUZZ_CHECK(mf.blocks[i]->range != NULL);
	for (i = 0; mf.lbs[i] != NULL; i++) {
		const struct nd_mf_lb *lb = mf.lbs[i];

		for (k = 0; lb->ips[k] != NULL; k++)
			FUZZ_CHECK(inet_pton(AF_INET, lb->ips[k], b) == 1 ||
			    inet_pton(AF_INET6, lb->ips[k], b) == 1);
		if (strcmp(lb->kind, "Gateway") != 0)
			continue;
		FUZZ_CHECK(lb->listeners != NULL && lb->conds != NULL);
		for (k = 0; lb->listeners[k] != NULL; k++)
			FUZZ_CHECK(lb->listeners[k]->port >= 0 &&
			    lb->listeners[k]->port <= 65535);
		for (k = 0; lb->conds[k] != NULL; k++)
			FUZZ_CHECK(lb->conds[k]->type != NULL &&
			    k < ND_MF_MAX_CONDS);
		FUZZ_CHECK(nd_manifests_gateway(&mf, nd_arena_printf(a,
		    "%s/%s", lb->ns, lb->name)) != NULL);
	}
	for (i = 0; mf.routes[i] != NULL; i++) {
		FUZZ_CHECK(mf.routes[i]->hostnames != NULL &&
		    mf.routes[i]->parents != NULL &&
		    mf.routes[i]->refs != NULL &&
		    mf.routes[i]->sparents != NULL);
		for (k = 0; mf.routes[i]->refs[k] != NULL; k++)
			FUZZ_CHECK(strcmp(mf.routes[i]->refs[k]->gw,
			    mf.routes[i]->parents[k]) == 0);
		for (k = 0; mf.routes[i]->sparents[k] != NULL; k++)
			FUZZ_CHECK(strchr(mf.routes[i]->sparents[k]->gw,
			    '/') != NULL &&
			    mf.routes[i]->sparents[k]->conds != NULL);
		ips = nd_manifests_route_ips(a, &mf, mf.routes[i]);
		FUZZ_CHECK(ips != NULL);
	}
	nd_addrplan_from_manifests(a, &plan, &mf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_arena *a;
	struct nd_manifests mf;
	struct nd_mf_answer ans = { "GET /apis/gateway.networking.k8s.io/v1/"
	    "gateways", "GatewayList", (const char *)data, size };
	char err[512] = "";
	size_t off = 0;
	ssize_t n;

	if (memfd == -1) {
		memfd = memfd_create("nd-fuzz-manifests", MFD_CLOEXEC);
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
	if (nd_manifests_load(a, path, &mf, err, sizeof(err)) == 0)
		check(a, &mf);
	else
		FUZZ_CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
	err[0] = '\0';
	if (size <= ND_MF_MAX_BYTES &&
	    nd_manifests_parse(a, &ans, 1, &mf, err, sizeof(err)) == 0)
		check(a, &mf);
	else if (size <= ND_MF_MAX_BYTES)
		FUZZ_CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
	nd_arena_free(a);
	return 0;
}
