#!/usr/bin/env bash
# Lab: the route and tcp probes against real kernels in network namespaces.
# Each scenario checks the ranked first cause, the exit code and, where a
# layer is blocked, that the probe above it is skipped with blocked_by.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq

# nd NS ARGS... - runs netdoctor in NS with JSON output into $ND_TMP/out.json,
# sets RC to its exit code.
nd() {
	local ns=$1
	shift
	ns_exec "$ns" "$ND_BIN" run --format json "$@" >"$ND_TMP/out.json" \
	    2>"$ND_TMP/err.txt"
	RC=$?
}
jqo() { jq -r "$1" "$ND_TMP/out.json"; }

# --- a namespace with no routes at all -----------------------------------
ns_add bare >/dev/null
nd bare tcp://10.200.9.9:6443
is "$RC" 2 "no route: exit 2 (CRITICAL)"
is "$(jqo '.causes | length')" 1 "no route: exactly one cause"
is "$(jqo '.causes[0].id')" route.no_route "no route: route.no_route ranked first"
is "$(jqo '.probes[] | select(.probe=="tcp") | .status')" skip "no route: tcp is skipped"
is "$(jqo '.probes[] | select(.probe=="tcp") | .blocked_by')" \
    "tcp://10.200.9.9:6443#route" "no route: tcp blocked_by the route probe"
is "$(jqo '.causes[0].explains[0]')" "tcp://10.200.9.9:6443#tcp" \
    "no route: the cause explains the skipped tcp probe"

# Two targets behind one missing route: one cause that explains both.
nd bare tcp://10.200.9.9:6443 tcp://10.200.9.9:50000
is "$(jqo '.causes | length')" 1 "shared route: one cause for two targets"
is "$(jqo '.causes[0].explains | length')" 2 "shared route: it explains both tcp probes"
is "$(jqo '[.probes[] | select(.probe=="route")] | length')" 1 \
    "shared route: one route lookup per destination"

# --- blackhole and prohibit routes -----------------------------------------
ip -n "$(ns_add holes)" route add blackhole 10.200.7.0/24
ip -n "$(ns_add holes2)" route add prohibit 10.200.8.0/24
nd holes tcp://10.200.7.7:80
is "$(jqo '.causes[0].id')" route.blackhole "blackhole: route.blackhole ranked first"
is "$(jqo '.causes[0].evidence[] | select(.key=="route_type") | .value')" blackhole \
    "blackhole: evidence names the route type"
nd holes2 tcp://10.200.8.8:80
is "$(jqo '.causes[0].id')" route.blackhole "prohibit: route.blackhole ranked first"
is "$(jqo '.causes[0].evidence[] | select(.key=="route_type") | .value')" prohibit \
    "prohibit: evidence names the route type"

# --- a client, a gateway that does not forward, a peer ---------------------
# client 10.200.1.1 <-> peer 10.200.1.2 ; client 10.200.2.1 <-> gw 10.200.2.254
ns_add client >/dev/null
ns_add peer >/dev/null
ns_add gw >/dev/null
veth_pair client vc 10.200.1.1/24 peer vp 10.200.1.2/24
veth_pair client vg 10.200.2.1/24 gw vgw 10.200.2.254/24
ns_exec gw sysctl -qw net.ipv4.ip_forward=0
ns_exec client ip route add default via 10.200.2.254
ns_spawn peer /usr/bin/python3 "$ND_TOP/fixtures/listen.py" 10.200.1.2:8080
wait_for_port peer 10.200.1.2 8080
ok $? "peer listener is up"

# An accepting listener: every layer passes, no causes, exit 0.
nd client tcp://10.200.1.2:8080
is "$RC" 0 "listener: exit 0"
is "$(jqo '.status')" ok "listener: status ok"
is "$(jqo '.causes | length')" 0 "listener: no causes"
is "$(jqo '.probes[] | select(.probe=="tcp") | .findings[0].id')" tcp.connected \
    "listener: tcp.connected"
is "$(jqo '.probes[] | select(.probe=="route") | .findings[0].id')" route.ok \
    "listener: route.ok"
like "$(jqo '.probes[] | select(.probe=="tcp") | .findings[0].evidence.rtt_us')" '^[0-9]+$' \
    "listener: connect RTT is evidence"

# A closed port on a live host: RST.
nd client tcp://10.200.1.2:9
is "$RC" 2 "refused: exit 2"
is "$(jqo '.causes[0].id')" tcp.refused "refused: tcp.refused ranked first"

# Silence: a neighbour entry that points at a MAC nobody has.
ns_exec client ip neigh add 10.200.1.99 lladdr 02:00:00:00:00:99 nud permanent dev vc
t0=$(date +%s%N)
nd client --timeout 1s tcp://10.200.1.99:80
t1=$(date +%s%N)
is "$(jqo '.causes[0].id')" tcp.timeout "silent drop: tcp.timeout ranked first"
is "$(jqo '.causes[0].evidence[] | select(.key=="timeout_ms") | .value')" 1000 \
    "silent drop: evidence carries the deadline"
diag "silent drop run took $(( (t1 - t0) / 1000000 )) ms"

# Nobody answers ARP on the link: the kernel reports EHOSTUNREACH.
nd client --timeout 5s tcp://10.200.1.50:80
is "$(jqo '.causes[0].id')" tcp.host_unreachable "no ARP answer: tcp.host_unreachable"

# A private address only the default gateway covers, which drops it.
nd client --timeout 1s tcp://172.30.0.2:6443
is "$RC" 2 "unroutable private: exit 2"
is "$(jqo '.causes | length')" 1 "unroutable private: one cause, the timeout is explained"
is "$(jqo '.causes[0].id')" route.unroutable_private \
    "unroutable private: route.unroutable_private ranked first"
is "$(jqo '.causes[0].explains[0]')" "tcp://172.30.0.2:6443#tcp" \
    "unroutable private: it explains the tcp timeout"
like "$(jqo '.causes[0].fix[0]')" '127\.0\.0\.1:6443' \
    "unroutable private: the fix says to publish the port on 127.0.0.1"

# check: the run's budget cancels what is still open.
ns_exec client "$ND_BIN" check --budget 300ms --timeout 5s --format json \
    tcp://10.200.1.99:80 >"$ND_TMP/out.json" 2>/dev/null
RC=$?
is "$RC" 3 "budget: exit 3 (UNKNOWN)"
is "$(jqo '.causes[0].id')" probe.budget_exceeded "budget: probe.budget_exceeded"

# Names: /etc/netns/NS/hosts is bind-mounted over /etc/hosts by ip netns exec.
mkdir -p "/etc/netns/nd-$$-client"
at_exit rm -rf "/etc/netns/nd-$$-client"
printf '10.200.1.2 web.lab.test\n10.200.1.99 web.lab.test\n10.200.1.98 web.lab.test\n' \
    >"/etc/netns/nd-$$-client/hosts"
ns_exec client ip neigh add 10.200.1.98 lladdr 02:00:00:00:00:98 nud permanent dev vc
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"/etc/netns/nd-$$-client/resolv.conf"
nd client --timeout 1s tcp://web.lab.test:8080
is "$(jqo '.probes[] | select(.probe=="resolve") | .findings[0].id')" resolve.ok \
    "name: resolve.ok"
is "$(jqo '[.probes[] | select(.probe=="tcp")] | length')" 3 \
    "name: every address gets its own tcp probe"
is "$(jqo '.probes[] | select(.id=="tcp://web.lab.test:8080#tcp@10.200.1.2") | .status')" pass \
    "name: 10.200.1.2 connects"
is "$(jqo '.causes[0].id')" tcp.timeout "name: the silent addresses are the cause"
is "$(jqo '.causes | length')" 1 "name: one cause for the two silent addresses"
like "$(jqo '.causes[0].summary')" '^2 of 3 addresses of web\.lab\.test fail the same way' \
    "name: a partial failure is said as such"
is "$(jqo '.causes[0].evidence[] | select(.key=="addresses") | .value')" "10.200.1.99, 10.200.1.98" \
    "name: the failing addresses as evidence"
nd client --timeout 1s tcp://missing.lab.test:80
is "$(jqo '.causes[0].id')" resolve.failed "unknown name: resolve.failed"
is "$(jqo '.probes[] | select(.probe=="route") | .id' | wc -l | tr -d ' ')" 0 \
    "unknown name: nothing above resolve is planned"

done_testing
