#!/usr/bin/env bash
# `make demo`: a small lab of network namespaces with seeded faults, then
# `netdoctor run` against it.  Everything is removed on exit.
#
#   laptop  (netdoctor runs here)
#     lo        127.0.0.1:50000: a Talos node in maintenance mode (the
#               python3-grpcio simulator); nothing on 127.0.0.1:6443;
#               127.0.0.1:6444: a kube-apiserver whose certificate names
#               172.30.0.2 but not 127.0.0.1 (a port-mapped second cluster)
#     vr 10.200.2.1/24 -> router 10.200.2.254, the default route; the router
#               does not forward, like a home router that has never heard of
#               the Docker bridge 10.5.0.0/24 inside the laptop's VM
#     vn 10.200.3.1/24 -> nas 10.200.3.10, whose firewall drops everything
#     no IPv6 route at all
#     vl 10.200.60.1/24 -> a LAN bridge with two "nodes" that both answer
#               for the LoadBalancer IP 10.200.60.61 (Cilium and a stale
#               MetalLB speaker); nobody answers for 10.200.60.62
#   router  also runs the Pi-hole (dnsmasq, fixtures/dns/pihole.conf) on
#           10.200.53.2: a stale record for stale.int.lab.test and a
#           blocked ads.lab.test; the laptop's resolv.conf points at it
set -u
. "$(dirname "$0")/lib.sh"
need_root

ns_add laptop >/dev/null
ns_add router >/dev/null
ns_add nas >/dev/null
veth_pair laptop vr 10.200.2.1/24 router vrr 10.200.2.254/24
veth_pair laptop vn 10.200.3.1/24 nas vnn 10.200.3.10/24
ns_exec router sysctl -qw net.ipv4.ip_forward=0
ns_add lan >/dev/null
ns_exec lan ip link add br0 type bridge
ns_exec lan ip link set br0 up
for n in laptop:vl nodea:e0 nodeb:e0; do
	ns=${n%%:*}
	[ "$ns" = laptop ] || ns_add "$ns" >/dev/null
	ns_exec lan ip link add "p-$ns" type veth peer name "${n##*:}" netns "nd-$$-$ns"
	ns_exec lan ip link set "p-$ns" master br0
	ns_exec lan ip link set "p-$ns" up
	ns_exec "$ns" ip link set "${n##*:}" up
done
ns_exec laptop ip addr add 10.200.60.1/24 dev vl
ns_exec nodea ip addr add 10.200.60.61/24 dev e0
ns_exec nodeb ip addr add 10.200.60.61/24 dev e0
ns_exec laptop ip route add default via 10.200.2.254
# The NAS's firewall: its MAC never sees our frames (a drop, not a reject).
ns_exec laptop ip neigh replace 10.200.3.10 lladdr 02:00:5e:00:53:10 nud permanent dev vn
ns_exec router ip addr add 10.200.53.2/32 dev lo
ns_exec laptop ip route add 10.200.53.2/32 via 10.200.2.254
ns_spawn router dnsmasq --conf-file="$ND_TOP/fixtures/dns/pihole.conf" \
    --listen-address=10.200.53.2 --port=53 --no-daemon --pid-file= >"$ND_TMP/dns.log" 2>&1
mkdir -p "/etc/netns/nd-$$-laptop"
at_exit rm -rf "/etc/netns/nd-$$-laptop"
echo "nameserver 10.200.53.2" >"/etc/netns/nd-$$-laptop/resolv.conf"
/usr/bin/python3 "$ND_TOP/fixtures/pki/mkpki.py" "$ND_TMP/pki" >/dev/null || exit 1
ns_spawn laptop /usr/bin/python3 "$ND_TOP/fixtures/talos_sim.py" --pki "$ND_TMP/pki" \
    --mode maintenance-v1.12 --listen 127.0.0.1:50000 >"$ND_TMP/talos.log" 2>&1
ns_spawn laptop /usr/bin/python3 "$ND_TOP/fixtures/k8s_sim.py" --pki "$ND_TMP/pki" \
    --cert wrong-san --listen 127.0.0.1:6444 >"$ND_TMP/k8s.log" 2>&1
for _ in $(seq 100); do
	grep -q '^READY' "$ND_TMP/talos.log" && grep -q '^READY' "$ND_TMP/k8s.log" && break
	sleep 0.05
done
grep -q '^READY' "$ND_TMP/talos.log" || { echo "demo: the Talos simulator did not start" >&2; exit 1; }

echo "\$ netdoctor run -c fixtures/demo/netdoctor.yaml      (inside the 'laptop' namespace)"
echo
color=--no-color
[ -t 1 ] && [ -z "${NO_COLOR:-}" ] && color=--color
ns_exec laptop "$ND_BIN" run $color -c "$ND_TOP/fixtures/demo/netdoctor.yaml"
rc=$?
echo
echo "(netdoctor exited $rc: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; this lab is broken on purpose)"
exit 0
