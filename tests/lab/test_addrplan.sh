#!/usr/bin/env bash
# Lab: the address-plan audit (addrplan://) in a namespace of our own, whose
# routing table we shape: a Docker-like bridge shadowing the nodes' LAN, a
# LoadBalancer pool inside the pod subnet, a service subnet holding this
# host's own network, and a clean plan.  Only --only nodeip,addrplan runs,
# so nothing is sent: both probes read files and this host's tables.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq

MC=$ND_TOP/fixtures/machineconfigs
ns_add plan >/dev/null
ns=$(_nd_ns plan)

nd() {
	ns_exec plan "$ND_BIN" run --format json --only nodeip,addrplan "$@" \
	    >"$ND_TMP/out.json" 2>"$ND_TMP/err"
	RC=$?
}
jqo() { jq -r "$1" "$ND_TMP/out.json"; }
ev() { jqo "[.causes[$1].evidence[] | select(.key==\"$2\") | .value] | join(\",\")"; }
plan_finding() { jqo '.probes[] | select(.probe=="addrplan") | .findings[0].id'; }

# --- a clean plan: the machine config alone --------------------------------
nd --machine-config "$MC/good.yaml"
is "$RC" 0 "clean plan: exit 0"
is "$(plan_finding)" plan.ok "clean plan: plan.ok"
like "$(jqo '.probes[] | select(.probe=="addrplan") | .findings[0].summary')" \
    'no overlap, none shadowed' "clean plan: says what was checked"
is "$(jqo '[.probes[] | select(.probe=="addrplan")] | length')" 1 \
    "the audit is added by itself when there are ranges"

# --- a LoadBalancer pool inside the pod subnet -----------------------------
cat >"$ND_TMP/pool.yaml" <<EOF
version: 1
l2: { interface: eth9, pool: 10.244.7.10-10.244.7.20 }
machine_configs: [ $MC/good.yaml ]
EOF
nd -c "$ND_TMP/pool.yaml"
is "$RC" 2 "pool in the pod subnet: exit 2"
is "$(jqo '.causes[0].id')" plan.overlap "pool in the pod subnet: plan.overlap first"
like "$(jqo '.causes[0].summary')" \
    'LoadBalancer pool .*10\.244\.7\.10-10\.244\.7\.20 overlaps the pod subnet 10\.244\.0\.0/16' \
    "pool in the pod subnet: names both ranges"
like "$(ev 0 one)$(ev 0 other)" "pool\\.yaml:2.*good\\.yaml:1|good\\.yaml:1.*pool\\.yaml:2" \
    "pool in the pod subnet: names where each is written"

# --- a bridge on this host shadows the nodes' LAN ---------------------------
ip -n "$ns" link add br-3f2a9c1d7e4b type bridge && ip -n "$ns" link set br-3f2a9c1d7e4b up &&
    ip -n "$ns" addr add 192.168.30.1/24 dev br-3f2a9c1d7e4b
ok $? "a Docker-like bridge br-3f2a9c1d7e4b with 192.168.30.0/24 (no traffic)"
nd --machine-config "$MC/good.yaml"
is "$RC" 2 "shadowed: exit 2"
is "$(jqo '.causes[0].id')" plan.shadowed "shadowed: plan.shadowed first"
like "$(jqo '.causes[0].summary')" \
    '192\.168\.30\.5[01] is shadowed on this host by the route 192\.168\.30\.0/24 dev br-3f2a9c1d7e4b \(a Docker bridge\)' \
    "shadowed: names the claim, the route and the bridge"
like "$(jqo '.causes[0].fix | join(" ")')" 'ip route get 192\.168\.30\.5[01]' "shadowed: the fix checks the route"
# The node's API behind the shadow: the bridge eats it (nothing is attached
# to it, so nothing leaves this namespace), and the shadow explains it.
ns_exec plan "$ND_BIN" run --format json --timeout 1s --machine-config "$MC/good.yaml" \
    tcp://192.168.30.51:50000 >"$ND_TMP/out.json" 2>/dev/null
is "$(jqo '.causes[0].id')" plan.shadowed "shadowed + a target inside: plan.shadowed first"
like "$(jqo '[.causes[] | select(.id=="plan.shadowed") | .explains[]?] | join(",")')" \
    'tcp://192\.168\.30\.51:50000#tcp' "shadowed + a target inside: it explains the target's failure"
is "$(jqo '[.causes[].id] | map(select(startswith("tcp."))) | length')" 0 \
    "shadowed + a target inside: the TCP failure is no cause of its own"
ip -n "$ns" link del br-3f2a9c1d7e4b

# --- the service subnet holds this host's own network -----------------------
ip -n "$ns" link add eth0 type veth peer name eth0p && ip -n "$ns" link set eth0 up &&
    ip -n "$ns" addr add 10.100.5.2/24 dev eth0
ok $? "eth0 with 10.100.5.2/24, inside the default service subnet 10.96.0.0/12"
nd --machine-config "$MC/good.yaml"
is "$(jqo '.causes[0].id')" plan.overlap "service subnet over the LAN: plan.overlap"
like "$(jqo '.causes[0].summary')" \
    'the service subnet 10\.96\.0\.0/12 overlaps this host.s network 10\.100\.5\.0/24 on eth0' \
    "service subnet over the LAN: names the interface"

# --- addrplan:// asked for explicitly, with nothing to audit ----------------
ns_exec plan "$ND_BIN" run --format json addrplan:// >"$ND_TMP/out.json" 2>/dev/null
is "$(plan_finding)" plan.ok "addrplan:// alone: plan.ok (this host's routes only)"
out=$("$ND_BIN" run addrplan://x 2>&1)
is "$?" 3 "addrplan://x: exit 3"
like "$out" 'addrplan:// takes nothing after it' "addrplan://x: says why"

done_testing
