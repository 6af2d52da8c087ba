#!/usr/bin/env bash
# The API-layer benchmark: full talos:// chains (route, tcp, tls, gRPC
# Version) against the Talos simulator in a namespace of this benchmark's
# own, side by side with `openssl s_client` (the TLS handshake alone) and
# curl's command line (TLS + the same gRPC call), each run one by one.
#   N (200) chains at once; REPEAT (5) runs of each; medians printed.
set -u
. "$(dirname "$0")/../lab/lib.sh"
need_root
need_cmd jq openssl curl
N=${N:-200}
REPEAT=${REPEAT:-5}
MODE=${MODE:-maintenance-v1.13}
PY=/usr/bin/python3
PKI=$ND_TMP/pki
$PY "$ND_TOP/fixtures/pki/mkpki.py" "$PKI" >/dev/null || exit 1
ns_add bapi >/dev/null

first=51100
args=()
targets=()
for ((i = 0; i < N; i++)); do
	args+=(--listen "127.0.0.1:$((first + i))")
	targets+=("talos://127.0.0.1:$((first + i))")
done
ns_spawn bapi "$PY" "$ND_TOP/fixtures/talos_sim.py" --pki "$PKI" --mode "$MODE" \
    "${args[@]}" >"$ND_TMP/sim.log" 2>&1
for _ in $(seq 200); do grep -q '^READY' "$ND_TMP/sim.log" && break; sleep 0.05; done
grep -q '^READY' "$ND_TMP/sim.log" || { echo "simulator did not start"; cat "$ND_TMP/sim.log"; exit 1; }
printf '\x00\x00\x00\x00\x00' >"$ND_TMP/empty.grpc"

echo "== $N concurrent talos:// chains against the simulator ($MODE), $REPEAT runs"
ns_exec bapi "$ND_BIN" run --format json "${targets[@]}" >"$ND_TMP/r.json"
echo "check: $(jq -r '[.probes[] | select(.probe=="talos") | .findings[0].id] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' "$ND_TMP/r.json")"
echo "per-chain time inside one run (route+tcp+tls+talos elapsed), ms: $(jq -r '
    [.probes[] | {t: .target, e: .elapsed_ms}] | group_by(.t) | map(map(.e) | add) | sort |
    "median \(.[length/2|floor] | . * 1000 | round / 1000)  p90 \(.[length*9/10|floor] | . * 1000 | round / 1000)  max \(.[-1] | . * 1000 | round / 1000)"' "$ND_TMP/r.json")"

walls=()
for ((r = 0; r < REPEAT; r++)); do
	t0=$(date +%s%N)
	ns_exec bapi "$ND_BIN" run --format json "${targets[@]}" >/dev/null
	t1=$(date +%s%N)
	walls+=($(( (t1 - t0) / 1000 )))
done
one=()
for ((r = 0; r < REPEAT * 4; r++)); do
	t0=$(date +%s%N)
	ns_exec bapi "$ND_BIN" run --format json "${targets[0]}" >/dev/null
	t1=$(date +%s%N)
	one+=($(( (t1 - t0) / 1000 )))
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# The peers, one call at a time, as a script would do them.
seq_run() {	# seq_run CMD-TEMPLATE -> total usec for N calls (PORT substituted)
	local t0 t1 i
	t0=$(date +%s%N)
	for ((i = 0; i < N; i++)); do
		ns_exec bapi bash -c "${1//PORT/$((first + i))}" >/dev/null 2>&1
	done
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000 ))
}
ossl=()
crl=()
for ((r = 0; r < (REPEAT < 3 ? REPEAT : 3); r++)); do
	ossl+=("$(seq_run 'openssl s_client -connect 127.0.0.1:PORT -alpn h2 -brief </dev/null')")
	crl+=("$(seq_run "curl -sk --http2 -o /dev/null -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @$ND_TMP/empty.grpc https://127.0.0.1:PORT/machine.MachineService/Version")")
done
nd_m=$(median "${walls[@]}")
one_m=$(median "${one[@]}")
os_m=$(median "${ossl[@]}")
cu_m=$(median "${crl[@]}")
printf '%-34s %12s %14s %12s\n' "tool" "$N calls, s" "per call, ms" "calls/s"
row() { awk -v n="$2" -v us="$3" -v name="$1" 'BEGIN {printf "%-34s %12.3f %14.2f %12.0f\n", name, us/1e6, us/1000/n, n/(us/1e6)}'; }
row "netdoctor, $N chains at once" "$N" "$nd_m"
row "netdoctor, 1 chain per run" 1 "$one_m"
row "openssl s_client, one by one" "$N" "$os_m"
row "curl --http2 gRPC, one by one" "$N" "$cu_m"
echo "(netdoctor figures include process start-up, the report and, per chain, route+tcp+tls+gRPC)"
