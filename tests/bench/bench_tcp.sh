#!/usr/bin/env bash
# The TCP benchmarks (make bench runs every tests/bench/bench_*.sh), in namespaces of
# their own (never on the host's interfaces):
#  1. 10,000 TCP targets on loopback, half listening, half closed, given in
#     a netdoctor.yaml: `netdoctor run --format json` vs `nmap -sT -Pn -n -T5`
#     on the same ports vs a bare epoll connect loop; median wall time and
#     peak RSS over REPEAT interleaved runs.
#  2. 300 silent targets with --timeout 1s: the whole run's wall time.
# Figures are printed, never asserted: the machine is shared and noisy.
set -u
. "$(dirname "$0")/../lab/lib.sh"
need_root
need_cmd nmap cc
REPEAT=${REPEAT:-7}
N=${N:-10000}
FIRST=20000
LAST=$((FIRST + N - 1))
HALF=$((FIRST + N / 2 - 1))

cc -O2 -o "$ND_TMP/connect_loop" "$ND_TOP/tests/bench/connect_loop.c" || exit 1

ns=$(ns_add bench)
# Many short connections: let the client reuse TIME_WAIT ports between runs.
ns_exec bench sysctl -qw net.ipv4.tcp_tw_reuse=1
ns_exec bench sysctl -qw net.ipv4.ip_local_port_range="32768 60999"
# One process holding N/2 listeners.
listen_args=()
for ((p = FIRST; p <= HALF; p++)); do listen_args+=("127.0.0.1:$p"); done
ns_exec bench bash -c 'ulimit -n 65536; exec /usr/bin/python3 "$@"' _ \
    "$ND_TOP/fixtures/listen.py" "${listen_args[@]}" &
for _ in $(seq 200); do
	[ "$(ns_exec bench ss -Hltn | wc -l)" -ge $((N / 2)) ] && break
	sleep 0.1
done
echo "listeners up: $(ns_exec bench ss -Hltn | wc -l) of $((N / 2))"

cfg=$ND_TMP/bench.yaml
{
	echo "version: 1"
	echo "timeout: 5s"
	echo "targets:"
	for ((p = FIRST; p <= LAST; p++)); do echo "  - tcp://127.0.0.1:$p"; done
} >"$cfg"

echo "== 1. $N TCP targets on loopback (${FIRST}-${LAST}; half listening), $REPEAT runs each"
ns_exec bench "$ND_BIN" run --format json -c "$cfg" >"$ND_TMP/r.json"
echo "netdoctor check: $(jq -r '[.probes[] | select(.probe=="tcp") | .findings[0].id] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' "$ND_TMP/r.json"), route probes: $(jq '[.probes[] | select(.probe=="route")] | length' "$ND_TMP/r.json")"
echo "nmap check: $(ns_exec bench nmap -sT -Pn -n -T5 -p "$FIRST-$LAST" 127.0.0.1 | grep -E 'open|closed ports|Not shown' | head -3 | tr '\n' ' ')"
echo "bare loop check: $(ns_exec bench "$ND_TMP/connect_loop" "$FIRST" "$LAST")"
# ND_BIN_BEFORE=/path/to/an/older/netdoctor adds it to the same
# interleaved runs: before/after figures from one machine state.
#
# Timed inside the namespace (measure.py itself runs there), so the ratios
# are the programs' own: `ip netns exec` sets up a mount namespace per
# call, 10 to 150 ms on a busy machine, which would be charged to every
# command alike and flatten the ratios.  The same rounds timed from
# outside (the way this benchmark used to, with that set-up included) and
# the set-up alone are printed after.
before=() before_in=()
if [ -n "${ND_BIN_BEFORE:-}" ]; then
	before=(netdoctor-before "ip netns exec $ns $ND_BIN_BEFORE run --format json -c $cfg")
	before_in=(netdoctor-before "$ND_BIN_BEFORE run --format json -c $cfg")
fi
echo "-- timed inside the namespace (the programs alone):"
ns_exec bench /usr/bin/python3 "$ND_TOP/tests/bench/measure.py" "$REPEAT" \
    connect_loop "$ND_TMP/connect_loop $FIRST $LAST" \
    netdoctor "$ND_BIN run --format json -c $cfg" \
    "${before_in[@]}" \
    nmap "nmap -sT -Pn -n -T5 -p $FIRST-$LAST 127.0.0.1"
echo "-- timed from outside, \`ip netns exec\` included:"
/usr/bin/python3 "$ND_TOP/tests/bench/measure.py" "$REPEAT" \
    connect_loop "ip netns exec $ns $ND_TMP/connect_loop $FIRST $LAST" \
    netdoctor "ip netns exec $ns $ND_BIN run --format json -c $cfg" \
    "${before[@]}" \
    nmap "ip netns exec $ns nmap -sT -Pn -n -T5 -p $FIRST-$LAST 127.0.0.1" \
    netns-exec-alone "ip netns exec $ns true"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"

echo
echo "== 2. 300 silent targets, --timeout 1s"
sns=$(ns_add silent)
ns_add drop >/dev/null
veth_pair silent vs 10.200.2.1/24 drop vd 10.200.2.254/24
ns_exec drop sysctl -qw net.ipv4.ip_forward=0
ns_exec silent ip route add 10.200.4.0/22 via 10.200.2.254
targets=()
for ((i = 0; i < 300; i++)); do
	targets+=("tcp://10.200.$((4 + i / 250)).$((1 + i % 250)):80")
done
ns_exec silent "$ND_BIN" run --format json --timeout 1s "${targets[@]}" >"$ND_TMP/s.json"
echo "check: $(jq -r '[.causes[].id] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' "$ND_TMP/s.json")"
before=()
[ -n "${ND_BIN_BEFORE:-}" ] &&
    before=(netdoctor-300-before "ip netns exec $sns $ND_BIN_BEFORE run --format json --timeout 1s ${targets[*]}")
/usr/bin/python3 "$ND_TOP/tests/bench/measure.py" "$REPEAT" \
    netdoctor-300 "ip netns exec $sns $ND_BIN run --format json --timeout 1s ${targets[*]}" \
    "${before[@]}"
