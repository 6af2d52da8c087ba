/*
 * fuzz_tsapi.c - libFuzzer harness for the tailscaled LocalAPI parsers
 * (core/wire/tsapi.h): status, prefs and serve config, which anything
 * listening on tailscaled's socket may answer with.
 *
 * Invariants: a parse either fails with one line of error or yields
 * bounded lists of parsed prefixes and printable strings; serve ports are
 * 1..65535.
 */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "tsapi.h"

#include "fuzz_common.h"

static void
check_str(const char *s)
{
	if (s == NULL)
		return;
	for (; *s != '\0'; s++)
		FUZZ_CHECK((unsigned char)*s >= 0x20 && *s != 0x7f);
}

static void
check_peer(const struct nd_ts_peer *p)
{
	size_t i;

	check_str(p->name);
	check_str(p->relay);
	check_str(p->cur_addr);
	FUZZ_CHECK(p->nips <= ND_TS_MAX_PREFIXES);
	FUZZ_CHECK(p->nallowed <= ND_TS_MAX_PREFIXES);
	for (i = 0; i < p->nprimary; i++) {
		check_str(p->primary[i].s);
		FUZZ_CHECK(p->primary[i].p.bits <= 128);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_arena *a = nd_arena_new();
	struct nd_ts_status st;
	struct nd_ts_prefs pr;
	struct nd_ts_serve sv;
	char err[256];
	size_t i;

	if (nd_ts_parse_status(a, (const char *)data, size, &st, err,
	    sizeof(err)) == 0) {
		check_str(st.backend_state);
		FUZZ_CHECK(st.npeers <= ND_TS_MAX_PEERS);
		if (st.has_self)
			check_peer(&st.self);
		for (i = 0; i < st.npeers; i++)
			check_peer(&st.peers[i]);
		for (i = 0; st.health[i] != NULL; i++)
			check_str(st.health[i]);
	} else
		FUZZ_CHECK(strchr(err, '\n') == NULL);
	if (nd_ts_parse_prefs(a, (const char *)data, size, &pr, err,
	    sizeof(err)) == 0)
		FUZZ_CHECK(pr.nadvertise <= ND_TS_MAX_PREFIXES);
	else
		FUZZ_CHECK(strchr(err, '\n') == NULL);
	if (nd_ts_parse_serve(a, (const char *)data, size, &sv, err,
	    sizeof(err)) == 0) {
		FUZZ_CHECK(sv.ntcp <= ND_TS_MAX_PORTS);
		for (i = 0; i < sv.ntcp; i++) {
			FUZZ_CHECK(sv.tcp[i].port >= 1 && sv.tcp[i].port <= 65535);
			check_str(sv.tcp[i].where);
			(void)nd_ts_tcp_terminates_tls(&sv.tcp[i]);
		}
	} else
		FUZZ_CHECK(strchr(err, '\n') == NULL);
	nd_arena_free(a);
	return 0;
}
