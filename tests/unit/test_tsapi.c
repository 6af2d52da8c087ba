/*
 * test_tsapi.c - the tailscaled LocalAPI parsers (core/wire/tsapi.c) on
 * bodies shaped like tailscaled's (fixtures/tailscale/ holds the full
 * recordings; these are trimmed to what each case needs): status with
 * Self, peers and subnet routes, a logged-out status, prefs, serve configs
 * of both kinds and null; wrong types, HTML and bad times as one-line
 * errors; RFC 3339 as Go writes it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "tsapi.h"
#include "util.h"

#define BODY(s)	(s), (sizeof(s) - 1)

static struct nd_arena *arena;
static char err[512];

static int
setup(void **state)
{
	(void)state;
	arena = nd_arena_new();
	err[0] = '\0';
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	nd_arena_free(arena);
	return 0;
}

static const char status[] =
"{\"Version\":\"1.78.1\",\"BackendState\":\"Running\",\"AuthURL\":\"\","
"\"TailscaleIPs\":[\"100.101.102.103\",\"fd7a:115c:a1e0::f901:6667\"],"
"\"Self\":{\"HostName\":\"laptop\",\"DNSName\":\"laptop.tail1234.ts.net.\","
"\"TailscaleIPs\":[\"100.101.102.103\"],\"CurAddr\":\"\",\"Relay\":\"fra\","
"\"Online\":true,\"KeyExpiry\":\"2027-05-20T08:14:03Z\"},"
"\"Health\":[\"one\",\"two\\nlines\"],"
"\"CurrentTailnet\":{\"Name\":\"alice@example.com\",\"MagicDNSSuffix\":"
"\"tail1234.ts.net\",\"MagicDNSEnabled\":true},"
"\"Peer\":{\"nodekey:1a\":{\"HostName\":\"router\",\"DNSName\":"
"\"router.tail1234.ts.net.\",\"TailscaleIPs\":[\"100.64.0.2\"],"
"\"AllowedIPs\":[\"100.64.0.2/32\",\"10.200.61.0/24\",\"10.200.62.0/24\"],"
"\"PrimaryRoutes\":[\"10.200.61.0/24\"],\"CurAddr\":\"198.51.100.7:41641\","
"\"Relay\":\"fra\",\"Online\":true,\"Active\":true,\"Tags\":null,"
"\"Unknown\":{\"x\":[1,2]}},"
"\"nodekey:2b\":{\"HostName\":\"cp\",\"TailscaleIPs\":[\"100.64.0.3\"],"
"\"CurAddr\":\"\",\"Relay\":\"ams\",\"Online\":true}},\"User\":null}";

static void
test_status(void **state)
{
	struct nd_ts_status st;
	const struct nd_ts_peer *r = NULL, *cp = NULL;
	size_t i;

	(void)state;
	assert_int_equal(nd_ts_parse_status(arena, BODY(status), &st, err,
	    sizeof(err)), 0);
	assert_string_equal(st.backend_state, "Running");
	assert_false(st.has_auth_url);
	assert_true(st.has_self);
	assert_string_equal(st.self.name, "laptop.tail1234.ts.net");
	assert_int_equal(st.self.key_expiry, 1810800843);
	assert_true(st.magicdns);
	assert_string_equal(st.tailnet, "alice@example.com");
	assert_string_equal(st.health[0], "one");
	assert_string_equal(st.health[1], "two?lines");
	assert_null(st.health[2]);
	assert_int_equal(st.npeers, 2);
	for (i = 0; i < st.npeers; i++) {
		if (strcmp(st.peers[i].name, "router.tail1234.ts.net") == 0)
			r = &st.peers[i];
		if (strcmp(st.peers[i].name, "cp") == 0)
			cp = &st.peers[i];
	}
	assert_non_null(r);
	assert_non_null(cp);
	assert_int_equal(r->nallowed, 3);
	assert_int_equal(r->nprimary, 1);
	assert_true(r->has_primary);
	assert_string_equal(r->primary[0].s, "10.200.61.0/24");
	assert_int_equal(r->primary[0].p.bits, 24);
	assert_true(nd_ts_pfx_in(&r->allowed[1], r->primary, r->nprimary));
	assert_false(nd_ts_pfx_in(&r->allowed[2], r->primary, r->nprimary));
	assert_string_equal(cp->cur_addr, "");
	assert_string_equal(cp->relay, "ams");
	assert_false(cp->has_primary);
}

static void
test_status_logged_out(void **state)
{
	struct nd_ts_status st;

	(void)state;
	assert_int_equal(nd_ts_parse_status(arena, BODY(
	    "{\"BackendState\":\"NeedsLogin\",\"AuthURL\":"
	    "\"https://login.tailscale.com/a/1f2e\",\"TailscaleIPs\":null,"
	    "\"Self\":{\"HostName\":\"laptop\",\"DNSName\":\"\","
	    "\"TailscaleIPs\":null},\"Health\":null,\"CurrentTailnet\":null,"
	    "\"Peer\":null}"), &st, err, sizeof(err)), 0);
	assert_string_equal(st.backend_state, "NeedsLogin");
	assert_true(st.has_auth_url);
	assert_string_equal(st.self.name, "laptop");
	assert_int_equal(st.npeers, 0);
	assert_false(st.magicdns);
	assert_null(st.health[0]);
}

static void
bad_status(const char *body, const char *want)
{
	struct nd_ts_status st;

	err[0] = '\0';
	assert_int_equal(nd_ts_parse_status(arena, body, strlen(body), &st,
	    err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
}

/* jansson words its own part of the message: only ours is checked. */
static void
bad_status_prefix(const char *body, const char *want)
{
	struct nd_ts_status st;

	err[0] = '\0';
	assert_int_equal(nd_ts_parse_status(arena, body, strlen(body), &st,
	    err, sizeof(err)), -EINVAL);
	assert_memory_equal(err, want, strlen(want));
	assert_null(strchr(err, '\n'));
}

static void
test_status_errors(void **state)
{
	(void)state;
	bad_status("{\"BackendState\":6}", "Tailscale LocalAPI status: "
	    "BackendState: expected a string");
	bad_status("{\"BackendState\":\"Running\",\"Peer\":[\"a\"]}",
	    "Tailscale LocalAPI status: Peer: expected an object (a map of "
	    "node keys)");
	bad_status("{\"BackendState\":\"Running\",\"Peer\":{\"k\":"
	    "{\"AllowedIPs\":\"10.0.0.0/8\"}}}", "Tailscale LocalAPI status: "
	    "Peer: AllowedIPs: expected a list");
	bad_status("{\"BackendState\":\"Running\",\"Self\":{\"TailscaleIPs\":"
	    "[\"100.64.0.999\"]}}", "Tailscale LocalAPI status: Self: "
	    "TailscaleIPs[0]: not an address or prefix");
	bad_status("{\"BackendState\":\"Running\",\"Self\":{\"KeyExpiry\":"
	    "\"tomorrow\"}}", "Tailscale LocalAPI status: Self: KeyExpiry: "
	    "not an RFC 3339 time");
	bad_status("{\"Version\":\"1\"}", "Tailscale LocalAPI status: no "
	    "BackendState: not tailscaled's status");
	bad_status("[1]", "Tailscale LocalAPI status: expected an object");
	bad_status_prefix("{\"BackendState\":\"Running\",\"BackendState\":"
	    "\"x\"}", "Tailscale LocalAPI status: not JSON (duplicate object "
	    "key");
	bad_status_prefix("<html><body>It works!</body></html>", "Tailscale "
	    "LocalAPI status: not JSON: an HTML page, not tailscaled (");
	bad_status_prefix("404 page not found\n", "Tailscale LocalAPI status: "
	    "not JSON (");
}

static void
test_prefs(void **state)
{
	struct nd_ts_prefs p;

	(void)state;
	assert_int_equal(nd_ts_parse_prefs(arena, BODY(
	    "{\"ControlURL\":\"https://controlplane.tailscale.com\","
	    "\"RouteAll\":false,\"ExitNodeID\":\"\",\"CorpDNS\":true,"
	    "\"WantRunning\":true,\"LoggedOut\":false,\"AdvertiseRoutes\":"
	    "[\"10.200.63.0/24\",\"0.0.0.0/0\"],\"Config\":{\"PrivateNodeKey\":"
	    "\"privkey:00\"}}"), &p, err, sizeof(err)), 0);
	assert_false(p.route_all);
	assert_true(p.corp_dns);
	assert_true(p.want_running);
	assert_null(p.exit_node_id);
	assert_int_equal(p.nadvertise, 2);
	assert_int_equal(p.advertise[1].p.bits, 0);
	assert_int_equal(nd_ts_parse_prefs(arena, BODY("{\"RouteAll\":\"yes\"}"),
	    &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "Tailscale LocalAPI prefs: RouteAll: expected "
	    "true or false");
	assert_int_equal(nd_ts_parse_prefs(arena, BODY("{\"message\":\"x\"}"),
	    &p, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "Tailscale LocalAPI prefs: no RouteAll or "
	    "WantRunning: not tailscaled's prefs");
}

static void
test_serve(void **state)
{
	struct nd_ts_serve sv;
	size_t i;
	bool seen6443 = false, seen443 = false, seenfg = false;

	(void)state;
	assert_int_equal(nd_ts_parse_serve(arena, BODY("null"), &sv, err,
	    sizeof(err)), 0);
	assert_int_equal(sv.ntcp, 0);
	assert_int_equal(nd_ts_parse_serve(arena, BODY("{}"), &sv, err,
	    sizeof(err)), 0);
	assert_int_equal(sv.ntcp, 0);
	assert_int_equal(nd_ts_parse_serve(arena, BODY(
	    "{\"TCP\":{\"443\":{\"HTTPS\":true},\"6443\":{\"TCPForward\":"
	    "\"127.0.0.1:6443\"}},\"Web\":{\"x:443\":{\"Handlers\":{\"/\":"
	    "{\"Proxy\":\"http://127.0.0.1:3000\"}}}},"
	    "\"Foreground\":{\"s1\":{\"TCP\":{\"50000\":{\"TCPForward\":"
	    "\"127.0.0.1:50000\",\"TerminateTLS\":\"n.ts.net\"}}}}}"), &sv, err,
	    sizeof(err)), 0);
	assert_int_equal(sv.ntcp, 3);
	for (i = 0; i < sv.ntcp; i++) {
		if (sv.tcp[i].port == 443) {
			seen443 = true;
			assert_true(nd_ts_tcp_terminates_tls(&sv.tcp[i]));
		}
		if (sv.tcp[i].port == 6443) {
			seen6443 = true;
			assert_false(nd_ts_tcp_terminates_tls(&sv.tcp[i]));
			assert_string_equal(sv.tcp[i].where, "serve config");
		}
		if (sv.tcp[i].port == 50000) {
			seenfg = true;
			assert_true(nd_ts_tcp_terminates_tls(&sv.tcp[i]));
			assert_string_equal(sv.tcp[i].where, "Foreground.s1");
		}
	}
	assert_true(seen443 && seen6443 && seenfg);
	assert_int_equal(nd_ts_parse_serve(arena, BODY(
	    "{\"TCP\":{\"http\":{\"HTTPS\":true}}}"), &sv, err, sizeof(err)),
	    -EINVAL);
	assert_string_equal(err, "Tailscale LocalAPI serve-config: serve "
	    "config.TCP: a key is not a port");
	assert_int_equal(nd_ts_parse_serve(arena, BODY(
	    "{\"TCP\":{\"6443\":{\"HTTPS\":\"true\"}}}"), &sv, err,
	    sizeof(err)), -EINVAL);
	assert_string_equal(err, "Tailscale LocalAPI serve-config: HTTPS: "
	    "expected true or false");
}

static void
test_time(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(nd_parse_rfc3339("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(nd_parse_rfc3339("2027-05-20T08:14:03.123456789Z",
	    &t), 0);
	assert_int_equal(t, 1810800843);
	assert_int_equal(nd_parse_rfc3339("2027-05-20T10:14:03+02:00", &t), 0);
	assert_int_equal(t, 1810800843);
	assert_int_equal(nd_parse_rfc3339("0001-01-01T00:00:00Z", &t), 0);
	assert_int_equal(nd_parse_rfc3339("2027-05-20 08:14:03Z", &t),
	    -EINVAL);
	assert_int_equal(nd_parse_rfc3339("2027-05-20T08:14:03", &t), -EINVAL);
	assert_int_equal(nd_parse_rfc3339("2027-5-20T08:14:03Z", &t), -EINVAL);
	assert_int_equal(nd_parse_rfc3339("", &t), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_logged_out, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_status_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_prefs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_time, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
