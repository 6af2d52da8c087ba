#!/usr/bin/env bash
# The DNS benchmark: N (10,000) queries against a local dnsmasq playing the
# Pi-hole, side by side with dnsperf against the same server and data, in
# a namespace of the benchmark's own.  netdoctor gets N dns:// targets with
# expect= (one query each, at most 256 in flight per server: core/dnsq.c);
# dnsperf its default 100 outstanding.  Latencies are per query.
#
# Two netdoctor rates: the query phase (the engine's run, the report's
# duration_ms) and the whole process, exec to exit: start-up, config
# parsing, planning, diagnosis, writing the JSON report and exit
# included.  The whole process is timed inside the namespace (bash's
# `time`), so the mount-namespace set-up of `ip netns exec` itself, 10 to
# 40 ms here and paid by dnsperf too, is not charged to netdoctor; it is
# printed apart.
# dnsperf's rate is its own, queries only.  ND_BIN_BEFORE=/path/to/an/older/
# netdoctor adds it to the same interleaved runs (docs/performance.md).
set -u
. "$(dirname "$0")/../lab/lib.sh"
need_root
need_cmd jq dnsmasq dnsperf
N=${N:-10000}
REPEAT=${REPEAT:-5}
D=$ND_TOP/fixtures/dns

ns_add bdns >/dev/null
ns_exec bdns ip addr add 10.200.53.2/32 dev lo
sh "$D/bench-hosts.sh" "$N" "$ND_TMP/hosts" "$ND_TMP/queries"
ns_spawn bdns dnsmasq --conf-file="$D/pihole.conf" --addn-hosts="$ND_TMP/hosts" \
    --listen-address=10.200.53.2 --port=53 --no-daemon --pid-file= \
    >"$ND_TMP/dnsmasq.log" 2>&1
for _ in $(seq 100); do ns_exec bdns ss -Hlun | grep -q '10.200.53.2:53 ' && break; sleep 0.05; done
mkdir -p "/etc/netns/nd-$$-bdns"
at_exit rm -rf "/etc/netns/nd-$$-bdns"
# This host's resolver is the server itself: no comparison queries.
echo "nameserver 10.200.53.2" >"/etc/netns/nd-$$-bdns/resolv.conf"
{
	echo "version: 1"
	echo "timeout: 5s"
	echo "targets:"
	awk '!/^#/ && /bench-/ {printf "  - \"dns://10.200.53.2/%s?expect=%s\"\n", $2, $1}' "$ND_TMP/hosts"
} >"$ND_TMP/bench.yaml"

ns_exec bdns "$ND_BIN" run --format json -c "$ND_TMP/bench.yaml" >"$ND_TMP/r.json"
echo "check: $(jq -r '[.probes[] | select(.probe=="dns") | .findings[0].id] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' "$ND_TMP/r.json")"

# One netdoctor run inside the namespace: prints "WALL_US DURATION_MS P50 P99"
# (the report's query latencies, ms).
nd_once() {
	local out=$ND_TMP/r.json t
	# The shell's truncation of the last run's 6.5 MB report happens
	# before exec, yet inside `time` (4 to 20 ms on this VM's ext4): the
	# file goes first, untimed, so the figure is exec to exit.
	rm -f "$out"
	# shellcheck disable=SC2016 # expanded by the inner bash
	t=$(ns_exec bdns bash -c 'TIMEFORMAT=%6R; { time "$0" run --format json \
	    -c "$1" >"$2" 2>"$2.err"; } 2>&1' "$1" "$ND_TMP/bench.yaml" "$out")
	printf '%.0f %s\n' "$(awk -v t="$t" 'BEGIN {print t * 1e6}')" \
	    "$(jq -r '.duration_ms as $d | [.probes[] | select(.probe=="dns") |
	    .findings[0].evidence.query_ms | tonumber] | sort |
	    "\($d) \(.[length/2|floor]) \(.[length*99/100|floor])"' "$out")"
}

bins=("$ND_BIN")
[ -n "${ND_BIN_BEFORE:-}" ] && bins+=("$ND_BIN_BEFORE")
declare -A w d p50 p99
ns_w=() dp_q=() dp_p50=() dp_p99=()
for ((r = 0; r < REPEAT; r++)); do
	for ((b = 0; b < ${#bins[@]}; b++)); do
		read -r a c e f < <(nd_once "${bins[b]}")
		w[$b]+="$a " d[$b]+="$c " p50[$b]+="$e " p99[$b]+="$f "
	done
	t0=$(date +%s%N)
	ns_exec bdns true
	t1=$(date +%s%N)
	ns_w+=($(( (t1 - t0) / 1000 )))
	# dnsperf: one pass over the same N names; -v prints each latency.
	ns_exec bdns dnsperf -s 10.200.53.2 -d "$ND_TMP/queries" -n 1 -v >"$ND_TMP/dp.txt" 2>&1
	dp_q+=("$(awk '/Queries per second:/ {print $4}' "$ND_TMP/dp.txt")")
	read -r e f < <(awk '$1 == ">" {print $NF * 1000}' "$ND_TMP/dp.txt" | sort -g |
	    awk '{a[NR]=$1} END {print a[int(NR/2)+1], a[int(NR*0.99)+1]}')
	dp_p50+=("$e")
	dp_p99+=("$f")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
printf '%-46s %10s %8s %8s\n' "" "queries/s" "p50 ms" "p99 ms"
for ((b = 0; b < ${#bins[@]}; b++)); do
	# shellcheck disable=SC2086 # the lists are words
	awk -v n="$N" -v us="$(median ${w[$b]})" -v ms="$(median ${d[$b]})" \
	    -v a="$(median ${p50[$b]})" -v c="$(median ${p99[$b]})" \
	    -v tag="$([ "$b" = 1 ] && echo " BEFORE")" 'BEGIN {
		printf "%-46s %10.0f %8.3f %8.3f\n", "netdoctor" tag ", query phase (duration_ms)",
		    n / (ms / 1e3), a, c
		printf "%-46s %10.0f   (%.0f %% of the query phase)\n",
		    "netdoctor" tag ", whole process (" n " targets)",
		    n / (us / 1e6), 100 * (ms * 1e3) / us }'
done
awk -v q="$(median "${dp_q[@]}")" -v a="$(median "${dp_p50[@]}")" -v b="$(median "${dp_p99[@]}")" \
    'BEGIN {printf "%-46s %10.0f %8.3f %8.3f\n", "dnsperf -n 1 (queries only)", q, a, b}'
echo "(medians of $REPEAT interleaved runs; latency = from sending a query to its answer,"
echo " for both tools; \`ip netns exec\` alone, not counted above: $(median "${ns_w[@]}") us)"
