#!/usr/bin/env bash
# Lab: --manifests.  The home-lab tree of fixtures/manifests, moved into the
# lab's ranges (192.168.30.x -> 10.200.30.x, the policy's interface -> vl),
# on a LAN of two namespaces: 'laptop' (netdoctor, its resolver the Pi-hole)
# and 'node' (answers ARP for the Gateway's IP 10.200.30.61, and runs the
# Pi-hole, dnsmasq, on 10.200.30.53 with a stale record for the route's
# hostname).  Nobody announces the Pi-hole Service's own IP 10.200.30.45,
# and a Docker-like bridge on the laptop shadows the legacy pool.  Then
# every bad manifest, and the walk's bounds.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq dnsmasq

ns_add laptop >/dev/null
ns_add node >/dev/null
veth_pair laptop vl 10.200.30.1/24 node e0 10.200.30.61/24
ok $? "a LAN: laptop vl 10.200.30.1 <-> node e0 10.200.30.61"
ip -n "$(_nd_ns node)" addr add 10.200.30.53/24 dev e0
ns_spawn node dnsmasq --no-daemon --no-resolv --no-hosts --pid-file= \
    --listen-address=10.200.30.53 --bind-interfaces \
    --address=/sonarr.int.example.be/10.200.30.50 >"$ND_TMP/dns.log" 2>&1
mkdir -p "/etc/netns/$(_nd_ns laptop)"
at_exit rm -rf "/etc/netns/$(_nd_ns laptop)"
echo "nameserver 10.200.30.53" >"/etc/netns/$(_nd_ns laptop)/resolv.conf"
ip -n "$(_nd_ns laptop)" link add br-0123456789ab type bridge &&
    ip -n "$(_nd_ns laptop)" link set br-0123456789ab up &&
    ip -n "$(_nd_ns laptop)" addr add 10.200.31.1/28 dev br-0123456789ab
ok $? "a Docker-like bridge br-0123456789ab over 10.200.31.0/28 on the laptop"

MF=$ND_TMP/mf
cp -r "$ND_TOP/fixtures/manifests" "$MF"
find "$MF" -name '*.yaml' -exec sed -i -e 's/192\.168\.30\./10.200.30./g' \
    -e 's/192\.168\.31\./10.200.31./g' -e 's/\^eth\[0-9\]+/^vl$/' {} +

nd() {
	ns_exec laptop "$ND_BIN" run "$@" >"$ND_TMP/out" 2>"$ND_TMP/err"
	RC=$?
}
jqo() { jq -r "$1" "$ND_TMP/out"; }

# --- the plan ---------------------------------------------------------------
nd --manifests "$MF" --print-plan
is "$RC" 0 "--print-plan: exit 0"
like "$(cat "$ND_TMP/out")" 'manifests: 7 files, 8 objects: 3 pool blocks, 2 LoadBalancer Services/Gateways, 1 route' \
    "--print-plan: counts what it read (.archive/ skipped, kustomization.yaml ignored)"
like "$(cat "$ND_TMP/out")" 'arp://vl/10\.200\.30\.45,10\.200\.30\.61
      probes: arp
      from: manifests: LoadBalancer IPs, interface from home-l2.s interfaces' \
    "--print-plan: one ARP target for the Gateway's and the Service's IPs"
like "$(cat "$ND_TMP/out")" 'dns://10\.200\.30\.53/sonarr\.int\.example\.be\?expect=10\.200\.30\.61
      probes: route, dns
      from: manifests: HTTPRoute media/sonarr \(.*apps/sonarr\.yaml:26\)' \
    "--print-plan: the route's hostname must resolve to its Gateway, asked of this host's resolver"
like "$(cat "$ND_TMP/out")" 'https://sonarr\.int\.example\.be/\?nd-connect=10\.200\.30\.61
      probes: route, tcp, tls, http
      from: manifests: HTTPRoute media/sonarr via Gateway gateway/home-gw' \
    "--print-plan: and the page itself through the Gateway's address"
is "$(grep -c 'must-not-be-read\|10\.99\.' "$ND_TMP/out")" 0 "--print-plan: nothing from a hidden directory"

# A name netdoctor.yaml already expects is asked once, as the config says.
printf 'version: 1\ndns:\n  servers: [10.200.30.53]\n  expect: { sonarr.int.example.be: [10.200.30.61] }\n' \
    >"$ND_TMP/nd.yaml"
nd -c "$ND_TMP/nd.yaml" --manifests "$MF" --print-plan
is "$RC" 0 "config + manifests naming the same host: exit 0, no duplicate"
is "$(grep -c '^  dns://' "$ND_TMP/out")" 1 "config + manifests: one dns:// target"
like "$(cat "$ND_TMP/out")" 'from: .*nd\.yaml:4' "config + manifests: the config's, with its line"

# --- the run ----------------------------------------------------------------
nd --format json --manifests "$MF"
is "$RC" 2 "run: exit 2"
is "$(jqo '[.causes[].id] | sort | join(",")')" \
    arp.no_responder,dns.wrong_answer,plan.shadowed,tcp.refused \
    "run: the unannounced Service IP, the stale record, the shadowed pool, no web server on the Gateway's address"
is "$(jqo '.causes[] | select(.id=="tcp.refused") | .target')" \
    'https://sonarr.int.example.be/?nd-connect=10.200.30.61' "run: the page is asked of the Gateway's address"
like "$(jqo '.causes[] | select(.id=="arp.no_responder") | .summary')" '10\.200\.30\.45' \
    "run: nobody announces the Pi-hole Service's IP"
like "$(jqo '.causes[] | select(.id=="dns.wrong_answer") | .summary')" \
    'sonarr\.int\.example\.be with 10\.200\.30\.50, expected 10\.200\.30\.61' \
    "run: the stale record against the Gateway's IP"
like "$(jqo '.causes[] | select(.id=="plan.shadowed") | .summary')" \
    'LoadBalancer pool legacy-pool 10\.200\.31\.0/28 is shadowed on this host by the route 10\.200\.31\.0/28 dev br-0123456789ab' \
    "run: the legacy pool shadowed by the bridge, both named"
like "$(jqo '.causes[] | select(.id=="plan.shadowed") | .evidence[] | select(.key=="claim") | .value')" \
    'pool-v114\.yaml:8' "run: with the manifest's file and line"
is "$(jqo '[.probes[] | select(.probe=="arp") | .findings[] | select(.id=="arp.ok")] | length')" 1 \
    "run: the Gateway's IP has its one announcer"

# --- bad manifests: exit 3, file and line -----------------------------------
bad() {
	nd --manifests "$ND_TOP/fixtures/manifests-bad/$1"
	is "$RC" 3 "$1: exit 3"
	like "$(cat "$ND_TMP/err")" "$1:$2: .*$3" "$1: names line $2 and what"
}
bad bad-cidr.yaml 6 "CiliumLoadBalancerIPPool p: cidr '192\\.168\\.30/24' is not a CIDR"
bad start-after-stop.yaml 6 'start 192\.168\.30\.80 is after stop'
bad blocks-not-list.yaml 5 'spec\.blocks: must be a list, got a string'
bad bad-annotation.yaml 6 "io\\.cilium/lb-ipam-ips: 'nope' is not an IP address"
bad hostnames-not-list.yaml 5 'spec\.hostnames: must be a list of strings, got a string'
bad list-wrong-type.yaml 7 'Service x: spec\.loadBalancerIP: must be a string, got a list'
bad syntax.yaml 2 'column 1: YAML syntax error'
printf 'apiVersion: v1\nkind: Service\nmetadata: { name: a }\nspec: { type: ClusterIP }\nspec: { type: LoadBalancer }\n' \
    >"$ND_TMP/twice.yaml"
nd --manifests "$ND_TMP/twice.yaml"
is "$RC" 3 "a repeated key: exit 3"
like "$(cat "$ND_TMP/err")" 'twice\.yaml:5: Service a: spec: given twice \(first on line 4\)' \
    "a repeated key: names both lines"
nd --manifests "$ND_TMP/none"
is "$RC" 3 "a missing directory: exit 3"
like "$(cat "$ND_TMP/err")" 'none: cannot open: No such file or directory' "a missing directory: says so"

# --- bounds ------------------------------------------------------------------
mkdir -p "$ND_TMP/many" && for i in $(seq 1001); do : >"$ND_TMP/many/f$i.yaml"; done
nd --manifests "$ND_TMP/many"
is "$RC" 3 "1001 files: exit 3"
like "$(cat "$ND_TMP/err")" 'more than 1000 YAML files' "1001 files: names the bound"
mkdir -p "$ND_TMP/loop/a" && ln -s .. "$ND_TMP/loop/a/up" && ln -s "$ND_TMP/loop" "$ND_TMP/loop/self"
cp "$MF/cilium/pool.yaml" "$ND_TMP/loop/a/"
nd --manifests "$ND_TMP/loop" --print-plan
is "$RC" 0 "symlinked directories (a loop): not followed, no hang"
like "$(cat "$ND_TMP/out")" 'manifests: 1 files' "symlinked directories: the one real file read once"
mkdir -p "$ND_TMP/deep/1/2/3/4/5/6/7/8/9"
nd --manifests "$ND_TMP/deep"
is "$RC" 3 "directories 9 deep: exit 3"
like "$(cat "$ND_TMP/err")" 'nested more than 8 directories deep' "directories 9 deep: says so"
python3 -c 'print("kind: List\napiVersion: v1\nitems: " + "[" * 5000 + "]" * 5000)' >"$ND_TMP/nest.yaml"
nd --manifests "$ND_TMP/nest.yaml"
is "$RC" 3 "5000 nested lists: exit 3, not a deep recursion"
printf 'apiVersion: v1\nkind: Service\nmetadata: &m { name: a }\nspec: { type: LoadBalancer }\n' \
    >"$ND_TMP/alias.yaml"
nd --manifests "$ND_TMP/alias.yaml"
is "$RC" 3 "an alias (YAML bomb material): exit 3"
like "$(cat "$ND_TMP/err")" 'alias\.yaml:3: .*anchors and aliases are not supported' "an alias: names the line"
python3 -c 'import sys; sys.stdout.write(("# " + "x" * 98 + "\n") * 50000)' >"$ND_TMP/big.yaml"
nd --manifests "$ND_TMP/big.yaml"
is "$RC" 3 "a 5 MB manifest: exit 3"
like "$(cat "$ND_TMP/err")" 'file is larger than 4 MiB' "a 5 MB manifest: says so"

done_testing
