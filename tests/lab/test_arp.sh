#!/usr/bin/env bash
# Lab: the arp probe on a real bridge.  A bridge namespace with veth ports
# to the probing namespace and to "node" namespaces: one node owns an
# address, two own the same one, none owns a third (an L2-announced pool
# where announcement broke).  Plus the interface checks, the privilege
# case, --listen, and capture-file replay.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq setpriv

ns_add br >/dev/null
ns_exec br ip link add br0 type bridge
ns_exec br ip link set br0 up
i=0
for n in probe n1 n2 n3; do
	ns_add "$n" >/dev/null
	i=$((i + 1))
	ns_exec br ip link add "p$i" type veth peer name e0 netns "nd-$$-$n"
	ns_exec br ip link set "p$i" master br0
	ns_exec br ip link set "p$i" up
	ns_exec "$n" ip link set e0 up
done
ns_exec probe ip addr add 10.200.60.1/24 dev e0
ns_exec n1 ip addr add 10.200.60.61/24 dev e0	# the one owner of .61
ns_exec n2 ip addr add 10.200.60.62/24 dev e0	# .62 has two owners
ns_exec n3 ip addr add 10.200.60.62/24 dev e0
mac1=$(ns_exec n1 cat /sys/class/net/e0/address)
# Nobody owns .63.  Wait for the bridge ports to forward (no STP: at once).
sleep 0.2

nd() { nd_json probe "$@"; }

nd arp://e0/10.200.60.61
is "$RC" 0 "one owner: exit 0"
is "$(jqo '.probes[0].findings[0].id')" arp.ok "one owner: arp.ok"
like "$(jqo '.probes[0].findings[0].summary')" "^$mac1 answers" "one owner: names its MAC"

nd arp://e0/10.200.60.62
is "$(first)" arp.duplicate_ip "two owners: arp.duplicate_ip first"
like "$(jqo '.causes[0].summary')" '^2 MACs answer ARP for 10\.200\.60\.62' "two owners: both MACs"
like "$(jqo '.causes[0].evidence[] | select(.key=="macs") | .value')" '[0-9]+ replies' \
    "two owners: reply counts per MAC as evidence"

nd arp://e0/10.200.60.63
is "$(first)" arp.no_responder "nobody: arp.no_responder first"
like "$(jqo '.causes[0].fix[0]')" 'ciliuml2announcementpolicy' "nobody: the fix points at the L2 policy"

nd "arp://e0/10.200.60.61?mac=02:00:00:00:00:01"
is "$RC" 1 "unexpected announcer: exit 1 (WARNING)"
is "$(first)" arp.unexpected_responder "unexpected announcer: arp.unexpected_responder first"
nd "arp://e0/10.200.60.61?mac=$mac1"
is "$RC" 0 "the expected announcer: exit 0"

# Fewer, shorter rounds when asked.
nd "arp://e0/10.200.60.61?tries=1&window=100ms"
is "$(jqo '.probes[0].findings[0].evidence.requests_sent')" 1 "?tries=1: one round of requests"
is "$(jqo '.probes[0].findings[0].id')" arp.ok "?tries=1&window=100ms: still arp.ok"

# The whole pool in one window: one probe, one finding per address.
t0=$(date +%s%N)
nd arp://e0/10.200.60.61,10.200.60.62,10.200.60.63
t1=$(date +%s%N)
is "$(jqo '[.causes[].id] | sort | join(",")')" "arp.duplicate_ip,arp.no_responder" \
    "a pool: the duplicate and the silent address are both causes"
diag "pool of 3 in one window: $(( (t1 - t0) / 1000000 )) ms"

# Interface findings.
nd arp://nope0/10.200.60.61
is "$(first)" link.missing "no such interface: link.missing"
nd arp://e0/10.200.99.9
is "$(first)" link.outside_subnet "address outside the interface's subnets: link.outside_subnet first"
ns_exec probe ip link add dummyv type veth peer name dummyp
ns_exec probe ip link set dummyv up
nd arp://dummyv/10.200.60.61
is "$(first)" link.no_carrier "up, but its peer is down: link.no_carrier"
ns_exec probe ip link set dummyv down
nd arp://dummyv/10.200.60.61
is "$(first)" link.down "administratively down: link.down"

# Without CAP_NET_RAW: UNKNOWN with the hint, not a network verdict.
ns_exec probe setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
    --bounding-set=-all "$ND_BIN" run --format json arp://e0/10.200.60.61 \
    >"$ND_TMP/out.json" 2>/dev/null
RC=$?
is "$RC" 3 "no CAP_NET_RAW: exit 3 (UNKNOWN)"
is "$(first)" probe.needs_privilege "no CAP_NET_RAW: probe.needs_privilege"
like "$(jqo '.causes[0].fix[0]')" 'setcap cap_net_raw\+ep' "no CAP_NET_RAW: the setcap hint"
# As root with --user: captures, then runs as nobody.
nd --user nobody arp://e0/10.200.60.61
is "$RC" 0 "--user nobody: the capture still works after the drop"

# Passive: a failover seen on the wire (gratuitous ARP from n2, then n3).
# A window far longer than the steps inside it, so a loaded machine still
# fits both announcements (and the capture's start) into it.
ns_exec probe "$ND_BIN" run --format json --listen 8s arp://e0/10.200.60.70 \
    >"$ND_TMP/out.json" 2>/dev/null &
lpid=$!
sleep 1
ns_exec n2 ip addr add 10.200.60.70/24 dev e0
# arping waits for answers after sending: in the background.
ns_exec n2 arping -q -U -c 1 -I e0 10.200.60.70 >/dev/null 2>&1 &
sleep 1
ns_exec n2 ip addr del 10.200.60.70/24 dev e0
ns_exec n3 ip addr add 10.200.60.70/24 dev e0
ns_exec n3 arping -q -U -c 1 -I e0 10.200.60.70 >/dev/null 2>&1 &
wait "$lpid"
diag "passive run: $(jq -c '[.probes[0].findings[] | .id, .summary]' "$ND_TMP/out.json" 2>&1)"
if command -v arping >/dev/null; then
	is "$(first)" arp.duplicate_ip "passive: two announcers in the window: arp.duplicate_ip"
	like "$(jqo '.causes[0].evidence[] | select(.key=="announcer_changes") | .value')" '^[1-9]' \
	    "passive: the announcer change is in the timeline"
else
	skip "arping is not installed" "passive failover"
	skip "arping is not installed" "passive timeline"
fi

# Offline replay of recorded captures.
P=$ND_TOP/fixtures/arp
if [ -f "$P/dup.pcap" ]; then
	"$ND_BIN" run --format json "arp+pcap://$P/dup.pcap/10.200.60.61" >"$ND_TMP/out.json" 2>/dev/null
	is "$(first)" arp.duplicate_ip "replay dup.pcap: arp.duplicate_ip"
	"$ND_BIN" run --format json "arp+pcap://$P/single.pcap/10.200.60.61" >"$ND_TMP/out.json" 2>/dev/null
	is "$(jqo '.probes[0].findings[0].id')" arp.ok "replay single.pcap: arp.ok"
	"$ND_BIN" run --format json "arp+pcap://$P/flap.pcap/10.200.60.62" >"$ND_TMP/out.json" 2>/dev/null
	is "$(jqo '.causes[0].evidence[] | select(.key=="announcer_changes") | .value')" 2 \
	    "replay flap.pcap: two announcer changes"
	"$ND_BIN" run --format json "arp+pcap://$P/malformed.pcap/10.200.60.63" >"$ND_TMP/out.json" 2>/dev/null
	like "$(jqo '.probes[0].findings[0].evidence.malformed_frames')" '^[1-9]' \
	    "replay malformed.pcap: malformed frames counted, not fatal"
	"$ND_BIN" run --format json "arp+pcap://$P/linux-sll.pcap/10.200.60.61" >"$ND_TMP/out.json" 2>/dev/null
	is "$?" 3 "replay a non-Ethernet capture: exit 3"
else
	skip "fixtures/arp/*.pcap missing" "capture replay"
fi

# Prepared but never started: each arp probe opens its capture in prepare(),
# and with one probe at a time and a budget far shorter than one probe's
# window, seven of eight end at the budget without starting.  Each must
# still close its capture (the engine releases every prepared probe once;
# serve plans anew for every scrape, so a leak there grows per scrape).
# Speed-independent: a slower machine leaves as many probes waiting.
# A sanitizer build (make SAN=1) does not run under valgrind: its own
# leak checker covers the memory there, not the sockets.
if ! command -v valgrind >/dev/null; then
	skip "valgrind is not installed" "prepared arp probes released"
elif ! valgrind -q "$ND_BIN" --version >/dev/null 2>&1; then
	skip "netdoctor does not run under valgrind (a sanitizer build)" \
	    "prepared arp probes released"
else
	targets=()
	for i in $(seq 70 77); do targets+=("arp://e0/10.200.60.$i"); done
	ns_exec probe valgrind --leak-check=full --track-fds=yes \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=97 \
	    "$ND_BIN" check --format json --max-inflight 1 --budget 200ms \
	    "${targets[@]}" >"$ND_TMP/out.json" 2>"$ND_TMP/vg.txt"
	RC=$?
	is "$(jqo '[.probes[].findings[].id | select(. == "probe.budget_exceeded")] | length')" 8 \
	    "prepared, budget ended: all eight arp probes end probe.budget_exceeded"
	ok "$([ "$RC" != 97 ] && echo 0 || echo 1)" "prepared, never started: valgrind finds no leak"
	is "$(grep -c 'Open pf-17 socket' "$ND_TMP/vg.txt")" 0 \
	    "prepared, never started: no capture socket left open at exit"
	[ "$RC" = 97 ] && diag "$(grep -A8 'definitely lost in' "$ND_TMP/vg.txt" | head -40)"
fi

done_testing
