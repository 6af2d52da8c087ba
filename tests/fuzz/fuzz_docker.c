/*
 * fuzz_docker.c - libFuzzer harness for the Docker Engine API parsers
 * (core/docker.h): the container and network lists a daemon, or anything
 * listening on its socket, sends back.
 *
 * Invariants: a parse either fails with one line of error or yields
 * NULL-terminated lists whose strings hold no control character, ports in
 * 0..65535, and subnets that the address plan can take.
 */
#include <stdint.h>
#include <string.h>

#include "addrplan.h"
#include "arena.h"
#include "docker.h"

#include "fuzz_common.h"

static void
check_str(const char *s)
{
	if (s == NULL)
		return;
	for (; *s != '\0'; s++)
		FUZZ_CHECK((unsigned char)*s >= 0x20 && *s != 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_arena *a = nd_arena_new();
	struct nd_dk_container **cs;
	struct nd_dk_network **ns;
	struct nd_docker dk = { "s", NULL, NULL };
	struct nd_addrplan plan = { NULL, 0, 0 };
	char err[256];
	size_t i, k;

	if (nd_docker_parse_containers(a, (const char *)data, size, &cs, err,
	    sizeof(err)) == 0) {
		for (i = 0; cs[i] != NULL; i++) {
			check_str(cs[i]->name);
			check_str(cs[i]->image);
			for (k = 0; k < cs[i]->nports; k++) {
				FUZZ_CHECK(cs[i]->ports[k].priv <= 65535);
				FUZZ_CHECK(cs[i]->ports[k].pub <= 65535);
			}
			for (k = 0; k < cs[i]->neps; k++)
				check_str(cs[i]->eps[k].network);
		}
		dk.containers = cs;
	} else
		FUZZ_CHECK(strchr(err, '\n') == NULL);
	if (nd_docker_parse_networks(a, (const char *)data, size, &ns, err,
	    sizeof(err)) == 0) {
		for (i = 0; ns[i] != NULL; i++) {
			check_str(ns[i]->name);
			check_str(ns[i]->bridge);
			FUZZ_CHECK(ns[i]->subnets != NULL);
		}
		dk.networks = ns;
		nd_addrplan_from_docker(a, &plan, &dk);
	} else
		FUZZ_CHECK(strchr(err, '\n') == NULL);
	check_str(nd_docker_message(a, (const char *)data, size));
	nd_arena_free(a);
	return 0;
}
