#!/usr/bin/env bash
# The L2 benchmark: a 21-address pool (the 192.168.30.60-80 shape, here
# 10.200.60.60-80) probed in one window on a bridge in this benchmark's own
# namespaces, side by side with arp-scan on the same interface and
# addresses.  Five addresses have an owner, one of them two (a duplicate).
set -u
. "$(dirname "$0")/../lab/lib.sh"
need_root
need_cmd arp-scan jq
REPEAT=${REPEAT:-7}

ns_add br >/dev/null
ns_exec br ip link add br0 type bridge
ns_exec br ip link set br0 up
i=0
for n in probe a b c d e f; do
	ns_add "$n" >/dev/null
	i=$((i + 1))
	ns_exec br ip link add "p$i" type veth peer name e0 netns "nd-$$-$n"
	ns_exec br ip link set "p$i" master br0
	ns_exec br ip link set "p$i" up
	ns_exec "$n" ip link set e0 up
done
ns_exec probe ip addr add 10.200.60.1/24 dev e0
for x in a:61 b:62 c:63 d:64 e:65 f:65; do
	ns_exec "${x%%:*}" ip addr add "10.200.60.${x##*:}/24" dev e0
done
sleep 0.3
ips=$(seq -s, -f '10.200.60.%g' 60 80)

ns_exec probe "$ND_BIN" run --format json "arp://e0/$ips" >"$ND_TMP/r.json"
echo "netdoctor: $(jq -r '[.probes[0].findings[] | .id] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' "$ND_TMP/r.json")"
echo "arp-scan:  $(ns_exec probe arp-scan -q -I e0 10.200.60.60-10.200.60.80 | grep -c '^10\.') answer lines, $(ns_exec probe arp-scan -I e0 10.200.60.60-10.200.60.80 | grep -c "DUP:") marked (DUP: n)"
/usr/bin/python3 "$ND_TOP/tests/bench/measure.py" "$REPEAT" \
    arp-scan "ip netns exec nd-$$-probe arp-scan -q -I e0 10.200.60.60-10.200.60.80" \
    netdoctor "ip netns exec nd-$$-probe $ND_BIN run --format json arp://e0/$ips"
