#!/usr/bin/env bash
# Memory of pending TLS handshakes (make bench runs every
# tests/bench/bench_*.sh): N tls:// targets whose peer accepts the TCP
# connection and never answers the ClientHello (fixtures/hostile.py
# --mode silent), in a namespace of its own, for N = 1, 250, 500, 1000 and
# 2000.  Every handshake waits until --timeout, so the peak RSS is what
# that many pending probes hold at once.  Figures are printed, never
# asserted (peak RSS over REPEAT interleaved runs, and the wall time).
set -u
. "$(dirname "$0")/../lab/lib.sh"
need_root
REPEAT=${REPEAT:-3}
SIZES=${SIZES:-1 250 500 1000 2000}
TIMEOUT=${TIMEOUT:-2s}

ns=$(ns_add tlsmem)
ns_exec tlsmem sysctl -qw net.ipv4.ip_local_port_range="20000 60999"
# One listener on every loopback address (127.0.0.0/8 is local); each
# target is another address, as duplicates are rejected.
ns_exec tlsmem bash -c 'ulimit -n 65536; exec /usr/bin/python3 "$@"' _ \
    "$ND_TOP/fixtures/hostile.py" --listen 0.0.0.0:4433 --mode silent \
    >"$ND_TMP/hostile.log" 2>&1 &
wait_for_port tlsmem 0.0.0.0 4433 || { echo "the silent listener did not start"; exit 1; }

cmds=()
for n in $SIZES; do
	targets=()
	for ((i = 0; i < n; i++)); do
		targets+=("tls://127.0.$((1 + i / 250)).$((1 + i % 250)):4433")
	done
	printf '%s\n' "${targets[@]}" >"$ND_TMP/t$n"
	cmds+=("tls-$n" "ip netns exec $ns $ND_BIN run --format json --timeout $TIMEOUT ${targets[*]}")
	[ -n "${ND_BIN_BEFORE:-}" ] &&
	    cmds+=("tls-$n-before" "ip netns exec $ns $ND_BIN_BEFORE run --format json --timeout $TIMEOUT ${targets[*]}")
done
last=${SIZES##* }
ns_exec tlsmem "$ND_BIN" run --format json --timeout "$TIMEOUT" \
    $(cat "$ND_TMP/t$last") >"$ND_TMP/r.json"
echo "check ($last targets): $(jq -r '[.probes[] | select(.probe=="tls") | .findings[0].id] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' "$ND_TMP/r.json")"
echo "== $SIZES silent tls:// targets, --timeout $TIMEOUT, $REPEAT runs each"
/usr/bin/python3 "$ND_TOP/tests/bench/measure.py" "$REPEAT" "${cmds[@]}"
