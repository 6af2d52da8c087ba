#!/usr/bin/env bash
# Lab: the nodeip probe over the machine configs in fixtures/machineconfigs
# (each finding id first in its own fixture), bad files as exit 3 naming the
# file and line, machine_configs: in netdoctor.yaml, and the "node is this
# host" path: a namespace of our own holding the node's addresses on dummy
# links, with its own UTS namespace for the hostname.  Nothing is sent: the
# probe only reads files and this host's addresses.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq unshare

MC=$ND_TOP/fixtures/machineconfigs
ns_add mc >/dev/null

# nd HOSTNAME ARGS...: netdoctor in the namespace under a hostname of ours.
nd() {
	local h=$1

	shift
	ns_exec mc unshare --uts sh -c 'hostname "$1"; shift; exec "$@"' sh "$h" \
	    "$ND_BIN" run --format json "$@" >"$ND_TMP/out.json" 2>"$ND_TMP/err"
	RC=$?
}
jqo() { jq -r "$1" "$ND_TMP/out.json"; }
ev() { jqo ".causes[0].evidence[] | select(.key==\"$1\") | .value"; }

# --- every finding id ranked first in its fixture ---------------------------
nd lab-host --machine-config "$MC/vip-excluded.yaml"
is "$RC" 2 "vip-excluded: exit 2"
is "$(jqo '.causes[0].id')" nodeip.vip_excluded "vip-excluded: nodeip.vip_excluded first"
like "$(jqo '.causes[0].fix')" 'validSubnets: \[192\.168\.30\.51/32\]' \
    "vip-excluded: the fix selects the node's own address"
like "$(jqo '[.causes[0].evidence[] | select(.key | startswith("step.")) | .value] | join("|")')" 'excluded 192\.168\.30\.50: it is a VIP' \
    "vip-excluded: the steps show the VIP excluded"
is "$(ev addresses_from)" "the machine config" "not this host: the config's addresses"

nd lab-host --machine-config "$MC/nothing-matches.yaml"
is "$RC" 2 "nothing-matches: exit 2"
is "$(jqo '.causes[0].id')" nodeip.no_valid_address \
    "nothing-matches: nodeip.no_valid_address first"

nd lab-host --machine-config "$MC/tailscale.yaml"
is "$RC" 1 "tailscale: exit 1"
is "$(jqo '.causes[0].id')" nodeip.overlay_subnet "tailscale: nodeip.overlay_subnet first"
like "$(jqo '.causes[0].summary')" 'while the node also has 192\.168\.30\.52' \
    "tailscale: names the underlay address"

# The tailscale extension: only a LAN address is written, tailscale0's
# address comes at run time, and validSubnets picks it (the incident of
# docs/tailscale.md).  Never "no valid address"; the secrets never shown.
nd lab-host --machine-config "$MC/tailscale-extension.yaml"
is "$RC" 1 "tailscale extension: exit 1"
is "$(jqo '.causes[0].id')" nodeip.overlay_subnet "tailscale extension: nodeip.overlay_subnet first"
like "$(jqo '.causes[0].summary')" "tailscale0's 100\.64\.0\.0/10 address .*the tailscale extension adds it at run time.*while the node also has 192\.168\.30\.53" \
    "tailscale extension: the node IP is tailscale0's run-time address, the LAN one exists"
like "$(ev tailscale_extension)" 'ExtensionServiceConfig tailscale on line [0-9]+: tailscale0 gets a 100\.64\.0\.0/10 address' \
    "tailscale extension: the evidence says the address comes from the extension"
like "$(ev tailscale_routes)" '^192\.168\.30\.0/24 \(TS_ROUTES' "tailscale extension: TS_ROUTES is the advertised subnet"
is "$(jqo '[.causes[] | select(.id=="nodeip.no_valid_address")] | length')" 0 \
    "tailscale extension: never nodeip.no_valid_address"
is "$(jqo '[.causes[] | select(.id=="etcd.subnet_mismatch")][0].summary')" \
    "cp-ts-ext: etcd would advertise 192.168.30.53, the kubelet node IP is tailscale0's 100.64.0.0/10 address (100.64.0.1 stands for it: the tailscale extension adds it at run time)" \
    "tailscale extension: etcd picks the LAN: etcd.subnet_mismatch"
is "$(jqo '[.causes[] | select(.id=="tailscale.serve_terminates_tls")][0].summary')" \
    'cp-ts-ext: the tailscale extension'"'"'s serve config terminates TLS on port 6443 ("HTTPS": true): the Kubernetes API'"'"'s client certificates never reach it' \
    "tailscale extension: TS_SERVE_CONFIG with HTTPS on 6443: tailscale.serve_terminates_tls"
is "$(jqo '[.causes[] | select(.id=="plan.overlap")] | length')" 0 \
    "tailscale extension: TS_ROUTES is the node's own network in the address plan"
secrets() { grep -c -e tskey -e DONOTPRINT -e DO-NOT-PRINT "$@" | awk -F: '{s+=$NF} END {print s+0}'; }
ns_exec mc "$ND_BIN" run --format text --machine-config "$MC/tailscale-extension.yaml" >"$ND_TMP/out.txt" 2>&1
ns_exec mc "$ND_BIN" run --format nagios --machine-config "$MC/tailscale-extension.yaml" >"$ND_TMP/out.nagios" 2>&1
is "$(secrets "$ND_TMP/out.json" "$ND_TMP/err" "$ND_TMP/out.txt" "$ND_TMP/out.nagios")" 0 \
    "tailscale extension: TS_AUTHKEY and the config's keys appear in no report"
nd lab-host --machine-config "$MC/tailscale-extension-lan.yaml"
is "$(jqo '[.probes[] | select(.probe=="nodeip") | .findings[].id] | join(",")')" nodeip.ok \
    "tailscale extension, validSubnets on the LAN, TCPForward serve: nodeip.ok"
nd lab-host --machine-config "$MC/bad-tailscale-extension.yaml"
is "$RC" 3 "tailscale extension, a wrong environment entry: exit 3"
like "$(cat "$ND_TMP/err")" 'bad-tailscale-extension\.yaml:[0-9]+: ExtensionServiceConfig tailscale\.environment\[2\]: must be a KEY=VALUE string' \
    "tailscale extension, bad: names the file, line and entry"
is "$(secrets "$ND_TMP/out.json" "$ND_TMP/err")" 0 "tailscale extension, bad: the error quotes no secret"

nd lab-host --machine-config "$MC/magicdns-no-tailscale.yaml"
is "$RC" 1 "MagicDNS without Tailscale: exit 1"
is "$(jqo '.causes[0].id')" nodeip.overlay_subnet "MagicDNS without Tailscale: nodeip.overlay_subnet"
like "$(jqo '.causes[0].summary')" 'nameserver 100\.100\.100\.100 .*MagicDNS' \
    "MagicDNS without Tailscale: names the nameserver"

nd lab-host --machine-config "$MC/etcd-mismatch.yaml"
is "$RC" 1 "etcd-mismatch: exit 1"
is "$(jqo '.causes[0].id')" etcd.subnet_mismatch "etcd-mismatch: etcd.subnet_mismatch first"
is "$(ev etcd_advertised_subnets)" 10.10.0.0/16 "etcd-mismatch: shows advertisedSubnets"

for f in good multidoc; do
	nd lab-host --machine-config "$MC/$f.yaml"
	is "$RC" 0 "$f: exit 0"
	is "$(jqo '.probes[0].findings[0].id')" nodeip.ok "$f: nodeip.ok"
done
like "$(jqo '.probes[0].findings[0].summary')" 'cp112: .* 192\.168\.40\.11$' \
    "multidoc: Layer2VIPConfig's VIP excluded, LinkConfig's address picked"

# Several configs in one run: each probed, the worst first.
nd lab-host --machine-config "$MC/good.yaml" --machine-config "$MC/vip-excluded.yaml"
is "$(jqo '[.probes[] | select(.probe=="nodeip") | .status] | join(",")')" pass,fail \
    "two configs: two nodeip probes"
is "$(jqo '.causes[0].id')" nodeip.vip_excluded "two configs: the failing one first"

# machine_configs: in netdoctor.yaml, paths relative to the file.
mkdir -p "$ND_TMP/cfg"
cp "$MC/vip-excluded.yaml" "$ND_TMP/cfg/cp01.yaml"
printf 'version: 1\nmachine_configs: [ cp01.yaml ]\n' >"$ND_TMP/cfg/netdoctor.yaml"
nd lab-host -c "$ND_TMP/cfg/netdoctor.yaml"
is "$(jqo '.causes[0].id')" nodeip.vip_excluded "machine_configs: from netdoctor.yaml"

# --- bad files: exit 3, one line naming the file and line ------------------
bad() {
	nd lab-host --machine-config "$MC/$1"
	is "$RC" 3 "$1: exit 3"
	like "$(cat "$ND_TMP/err")" "$1:$2: " "$1: the error names the file and line $2"
}
bad bad-cidr.yaml 20
bad bad-vip.yaml 30
bad wrong-type.yaml 48
bad alias.yaml 31
bad syntax-error.yaml 31
nd lab-host --machine-config "$ND_TMP/none.yaml"
is "$RC" 3 "a missing file: exit 3"
printf 'version: v1alpha1\n' >"$ND_TMP/empty.yaml"
printf 'apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: x\n' >"$ND_TMP/other.yaml"
nd lab-host --machine-config "$ND_TMP/other.yaml"
is "$RC" 3 "no v1alpha1 document: exit 3"
like "$(cat "$ND_TMP/err")" 'no Talos machine config' "no v1alpha1 document: says so"
# A YAML bomb: deep nesting is refused, not recursed into.
python3 -c 'print("version: v1alpha1\nmachine: " + "[" * 100000 + "]" * 100000)' \
    >"$ND_TMP/deep.yaml"
nd lab-host --machine-config "$ND_TMP/deep.yaml"
is "$RC" 3 "100,000 nested lists: exit 3"
# A multi-megabyte file is refused before it is parsed.
python3 -c 'import sys; sys.stdout.write("version: v1alpha1\n" + ("# " + "x" * 98 + "\n") * 50000)' \
    >"$ND_TMP/big.yaml"
nd lab-host --machine-config "$ND_TMP/big.yaml"
is "$RC" 3 "a 5 MB machine config: exit 3"
like "$(cat "$ND_TMP/err")" 'big\.yaml: file is larger than 4 MiB' "a 5 MB machine config: says so"

# --- the node is this host: its live addresses, not the config's -----------
ns=$(_nd_ns mc)
# veth pairs inside the one namespace: the dummy module may be missing.
ip -n "$ns" link add eth0 type veth peer name eth0p && ip -n "$ns" link set eth0 up &&
    ip -n "$ns" addr add 10.200.30.51/24 dev eth0
ok $? "a dummy eth0 with 10.200.30.51/24"
# A DHCP node (no static addresses): known by its hostname.
cat >"$ND_TMP/dhcp.yaml" <<'EOF'
version: v1alpha1
machine:
  type: controlplane
  network:
    hostname: labnode
    interfaces:
      - interface: eth0
        dhcp: true
        vip:
          ip: 10.200.30.50
  kubelet:
    nodeIP:
      validSubnets: [ VALID ]
cluster:
  controlPlane:
    endpoint: https://10.200.30.50:6443
EOF
sed 's#VALID#10.200.30.0/24#' "$ND_TMP/dhcp.yaml" >"$ND_TMP/dhcp-ok.yaml"
nd labnode --machine-config "$ND_TMP/dhcp-ok.yaml"
is "$RC" 0 "this host, DHCP: exit 0"
is "$(jqo '.probes[0].findings[0].evidence.addresses_from')" \
    "this host" "this host, DHCP: the live addresses are used"
like "$(jqo '.probes[0].findings[0].summary')" '10\.200\.30\.51$' \
    "this host, DHCP: node IP from eth0"
nd other --machine-config "$ND_TMP/dhcp-ok.yaml"
is "$RC" 0 "another host, DHCP: exit 0"
is "$(jqo '.probes[0].findings[0].id')" nodeip.addresses_unknown \
    "another host, DHCP: nodeip.addresses_unknown (depends on the lease)"
sed 's#VALID#10.200.30.50/32#' "$ND_TMP/dhcp.yaml" >"$ND_TMP/dhcp-vip.yaml"
nd other --machine-config "$ND_TMP/dhcp-vip.yaml"
is "$(jqo '.causes[0].id')" nodeip.vip_excluded \
    "another host, DHCP, validSubnets only the VIP: nodeip.vip_excluded all the same"
like "$(jqo '.causes[0].fix | join(" ")')" 'validSubnets: \[NODE_ADDRESS/32\]' \
    "another host, DHCP: the fix says where the node's own address goes"

ip -n "$ns" link add tailscale0 type veth peer name ts0p &&
    ip -n "$ns" link set tailscale0 up &&
    ip -n "$ns" addr add 100.100.1.2/32 dev tailscale0
ok $? "a dummy tailscale0 with 100.100.1.2/32"
sed 's#VALID#100.64.0.0/10#' "$ND_TMP/dhcp.yaml" >"$ND_TMP/dhcp-ts.yaml"
nd labnode --machine-config "$ND_TMP/dhcp-ts.yaml"
is "$(jqo '.causes[0].id')" nodeip.overlay_subnet "this host: a Tailscale node IP, overlay"
like "$(jqo '.causes[0].summary')" '100\.100\.1\.2, .* also has 10\.200\.30\.51' \
    "this host: names the Tailscale and the underlay address"
# MagicDNS with a Tailscale interface present is fine.
sed 's#VALID#10.200.30.0/24#; s#^  network:#  network:\n    nameservers: [ 100.100.100.100 ]#' \
    "$ND_TMP/dhcp.yaml" >"$ND_TMP/dhcp-dns.yaml"
nd labnode --machine-config "$ND_TMP/dhcp-dns.yaml"
is "$RC" 0 "this host: MagicDNS with tailscale0 up is fine"

done_testing
