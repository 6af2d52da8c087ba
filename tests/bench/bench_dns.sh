#!/usr/bin/env bash
# The DNS benchmark: N (10,000) queries against a local dnsmasq playing the
# Pi-hole, side by side with dnsperf against the same server and data, in
# a namespace of the benchmark's own.  netdoctor gets N dns:// targets with
# expect= (one query each, at most 256 in flight per server: core/dnsq.c);
# dnsperf its default 100 outstanding.  Throughput includes netdoctor's
# start-up, config parsing and the JSON report; latencies are per query.
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

nd_w=() nd_run=() nd_p50=() nd_p99=() dp_q=() dp_p50=() dp_p99=()
for ((r = 0; r < REPEAT; r++)); do
	t0=$(date +%s%N)
	ns_exec bdns "$ND_BIN" run --format json -c "$ND_TMP/bench.yaml" >"$ND_TMP/r.json"
	t1=$(date +%s%N)
	nd_w+=($(( (t1 - t0) / 1000 )))
	nd_run+=("$(jq -r '.duration_ms' "$ND_TMP/r.json")")
	read -r p50 p99 < <(jq -r '[.probes[] | select(.probe=="dns") | .findings[0].evidence.query_ms | tonumber] | sort |
	    "\(.[length/2|floor]) \(.[length*99/100|floor])"' "$ND_TMP/r.json")
	nd_p50+=("$p50")
	nd_p99+=("$p99")
	# dnsperf: one pass over the same N names; -v prints each latency.
	ns_exec bdns dnsperf -s 10.200.53.2 -d "$ND_TMP/queries" -n 1 -v >"$ND_TMP/dp.txt" 2>&1
	dp_q+=("$(awk '/Queries per second:/ {print $4}' "$ND_TMP/dp.txt")")
	read -r p50 p99 < <(awk '$1 == ">" {print $NF * 1000}' "$ND_TMP/dp.txt" | sort -g |
	    awk '{a[NR]=$1} END {print a[int(NR/2)+1], a[int(NR*0.99)+1]}')
	dp_p50+=("$p50")
	dp_p99+=("$p99")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ndw=$(median "${nd_w[@]}")
printf '%-44s %12s %10s %10s\n' "" "queries/s" "p50 ms" "p99 ms"
awk -v n="$N" -v us="$ndw" -v a="$(median "${nd_p50[@]}")" -v b="$(median "${nd_p99[@]}")" \
    'BEGIN {printf "%-44s %12.0f %10.3f %10.3f\n", "netdoctor run (whole process, " n " targets)", n / (us / 1e6), a, b}'
awk -v n="$N" -v ms="$(median "${nd_run[@]}")" \
    'BEGIN {printf "%-44s %12.0f\n", "netdoctor, the query phase (duration_ms)", n / (ms / 1e3)}'
awk -v q="$(median "${dp_q[@]}")" -v a="$(median "${dp_p50[@]}")" -v b="$(median "${dp_p99[@]}")" \
    'BEGIN {printf "%-44s %12.0f %10.3f %10.3f\n", "dnsperf -n 1 (queries only)", q, a, b}'
echo "(medians of $REPEAT runs; latency = from sending a query to its answer, for both tools)"
