#!/usr/bin/env bash
# Lab: the dns probe against real dnsmasq servers (fixtures/dns/: a Pi-hole
# in each blocking mode, its upstream, and "the resolver this host really
# uses"), in this test's own namespaces.  The client reaches the servers
# through a gateway, as a laptop reaches a Pi-hole on another subnet.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq dnsmasq
D=$ND_TOP/fixtures/dns

ns_add srv >/dev/null
ns_add cli >/dev/null
veth_pair cli vc 10.200.54.1/24 srv vs 10.200.54.2/24
for a in 1 2 3; do ns_exec srv ip addr add "10.200.53.$a/32" dev lo; done
ns_exec cli ip route add 10.200.53.0/24 via 10.200.54.2
for s in upstream:3 pihole:2 router:1; do
	ns_spawn srv dnsmasq --conf-file="$D/${s%%:*}.conf" \
	    --listen-address="10.200.53.${s##*:}" --port=53 --no-daemon \
	    --pid-file= >"$ND_TMP/${s%%:*}.log" 2>&1
done
ns_spawn srv /usr/bin/python3 "$D/bad_dns.py" 10.200.54.2 5353 >"$ND_TMP/bad.log" 2>&1
for _ in $(seq 100); do
	[ "$(ns_exec srv ss -Hlun | grep -c ':53 ')" -ge 3 ] && grep -q READY "$ND_TMP/bad.log" && break
	sleep 0.05
done
ok "$([ "$(ns_exec srv ss -Hlun | grep -c ':53 ')" -ge 3 ] && echo 0 || echo 1)" \
    "three dnsmasq servers listen"

mkdir -p "/etc/netns/nd-$$-cli"
at_exit rm -rf "/etc/netns/nd-$$-cli"
resolv() { printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$1" >"/etc/netns/nd-$$-cli/resolv.conf"; }
nd() { nd_json cli --timeout 2s "$@"; }
ev() { jqo ".causes[0].evidence[] | select(.key==\"$1\") | .value"; }
PH=dns://10.200.53.2
UP=upstream=10.200.53.3

# This host uses the Pi-hole itself: no resolver comparison needed.
resolv 10.200.53.2
nd "$PH/sonarr.int.lab.test?expect=10.200.30.61"
is "$RC" 0 "correct Pi-hole record: exit 0"
is "$(jqo '.probes[] | select(.probe=="dns") | .findings[0].id')" dns.ok "correct record: dns.ok"
like "$(jqo '.probes[] | select(.probe=="dns") | .findings[0].evidence.answers')" '10\.200\.30\.61 ttl=300' \
    "correct record: answer and TTL as evidence"

nd "$PH/stale.int.lab.test?expect=10.200.30.62"
is "$(first)" dns.wrong_answer "stale record: dns.wrong_answer first"
is "$(ev got)" 10.200.30.50 "stale record: shows what it answers"
is "$(ev expected)" 10.200.30.62 "stale record: and what was expected"

nd "$PH/ads.lab.test"
is "$(first)" dns.blocked "NULL blocking: dns.blocked first"
like "$(jqo '.causes[0].summary')" 'unspecified address' "NULL blocking: names the mode"
like "$(ev answers)" '0\.0\.0\.0 ttl=2' "NULL blocking: 0.0.0.0 with TTL 2 as evidence"
nd "$PH/ads.lab.test?type=AAAA"
is "$(first)" dns.blocked "NULL blocking, AAAA (::): dns.blocked"
nd "$PH/ipblock.lab.test"
is "$(first)" dns.blocked "IP blocking mode (own address, TTL 2): dns.blocked"
nd "$PH/tracker.lab.test?$UP"
is "$(first)" dns.blocked "NXDOMAIN blocking with an upstream that has it: dns.blocked"
like "$(ev upstream_answer)" '^NOERROR 10\.200\.40\.10' "NXDOMAIN blocking: the upstream's answer as evidence"
nd "$PH/nodata.lab.test?$UP"
is "$(first)" dns.blocked "NODATA blocking with an upstream that has it: dns.blocked"
nd "$PH/tracker.lab.test"
is "$(first)" dns.nxdomain "NXDOMAIN without an upstream to compare: dns.nxdomain"

nd "$PH/missing.int.lab.test?$UP"
is "$(first)" dns.nxdomain "missing local record: dns.nxdomain first"
like "$(jqo '.causes[0].summary')" 'the upstream agrees' "missing record: the upstream agrees"
like "$(jqo '.causes[0].fix[0]')" 'missing\.int\.lab\.test' "missing record: the fix names the record"

nd "$PH/servfail.lab.test"
is "$(first)" dns.servfail "DNSSEC-bogus name: dns.servfail first"

nd "$PH/refused.example"
is "$(first)" dns.refused "no upstream for the name: dns.refused first"
like "$(jqo '.causes[0].summary')" 'not on its subnet.*LOCAL' \
    "refused from another subnet: points at Pi-hole's listening mode"

nd "dns://10.200.54.2:5399/sonarr.int.lab.test"
is "$(first)" dns.server_unreachable "nothing on the port: dns.server_unreachable"
is "$(ev icmp)" "port unreachable" "nothing on the port: ICMP port unreachable, told apart"
t0=$(date +%s%N)
ns_exec cli "$ND_BIN" run --format json --timeout 1s "$PH/timeout.lab.test" >"$ND_TMP/out.json" 2>/dev/null
t1=$(date +%s%N)
is "$(first)" dns.server_unreachable "a silent answer path: dns.server_unreachable"
is "$(ev icmp)" none "silence: no ICMP either"
ok "$(( (t1 - t0) / 1000000 < 10000 ? 0 : 1 ))" "silence: bounded by the 1 s deadline (10x margin)"

nd "dns://10.200.54.2:5353/x.lab.test"
is "$(first)" dns.malformed_answer "an answer with rdata past the end: dns.malformed_answer"

# This host really asks the router, which answers differently.
resolv 10.200.53.1
nd "$PH/sonarr.int.lab.test?expect=10.200.30.61"
is "$RC" 1 "resolver mismatch: exit 1 (WARNING)"
is "$(first)" dns.resolver_mismatch "this host's resolver differs: dns.resolver_mismatch first"
is "$(ev system_nameservers)" 10.200.53.1 "resolver mismatch: names the resolver this host uses"
like "$(ev system_answer)" '10\.200\.30\.99' "resolver mismatch: what this host would get"

# Bad input: one clear line, exit 3, no query sent.
out=$(ns_exec cli "$ND_BIN" run "$PH/x.lab.test?expect=10.200.1.300" 2>&1)
is "$?" 3 "invalid expect= address: exit 3"
like "$out" 'expect' "invalid expect=: the message names it"
long=$(printf 'a%.0s' $(seq 64))
out=$(ns_exec cli "$ND_BIN" run "$PH/$long.lab.test" 2>&1)
is "$?" 3 "a label over 63 bytes: exit 3"

done_testing
