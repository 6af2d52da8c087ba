#!/usr/bin/env bash
# Lab: hostile and broken peers (fixtures/hostile.py) in this test's
# namespace.  Each case: the run ends within its deadlines, peak RSS stays
# bounded, exactly one report comes out, and the finding names the peer's
# behaviour at the layer where it happened, never probe.local_error (that
# is for this host's own failures only).
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
PY=/usr/bin/python3
ns_add hostile >/dev/null

# peer MODE - starts fixtures/hostile.py on 127.0.0.1 (a free port), sets
# PORT and PEERPID.
peer() {
	local i line
	ns_spawn hostile "$PY" "$ND_TOP/fixtures/hostile.py" --listen 127.0.0.1:0 \
	    --mode "$1" >"$ND_TMP/peer.log" 2>&1
	PEERPID=$ND_PID
	for i in $(seq 200); do
		line=$(grep -m1 '^READY' "$ND_TMP/peer.log" 2>/dev/null)
		[ -n "$line" ] && break
		sleep 0.05
	done
	PORT=$(sed -E 's/^READY [^ ]*:([0-9]+).*/\1/' <<<"$line")
	[ -n "$line" ] || diag "hostile.py did not start: $(cat "$ND_TMP/peer.log")"
}
stop() { kill "$PEERPID" 2>/dev/null; wait "$PEERPID" 2>/dev/null; }
# nd ARGS... - a JSON run; RC, RSS (KiB, GNU time if present), out.json.
nd() {
	if [ -x /usr/bin/time ]; then
		ns_exec hostile /usr/bin/time -f %M -o "$ND_TMP/rss" "$ND_BIN" run \
		    --format json "$@" >"$ND_TMP/out.json" 2>"$ND_TMP/err.txt"
		RC=$?
		RSS=$(tail -1 "$ND_TMP/rss")
	else
		ns_exec hostile "$ND_BIN" run --format json "$@" \
		    >"$ND_TMP/out.json" 2>"$ND_TMP/err.txt"
		RC=$?
		RSS=0
	fi
}
jqo() { jq -r "$1" "$ND_TMP/out.json"; }
one_report() { is "$(jq -s 'length' "$ND_TMP/out.json" 2>/dev/null)" 1 "$1: exactly one report"; }
no_local() {
	is "$(jqo '[.probes[].findings[].id | select(. == "probe.local_error")] | length')" 0 \
	    "$1: no probe.local_error (a peer's behaviour is a finding)"
}
rss_under() {
	ok "$([ "${RSS:-0}" -lt $(( $2 * 1024 )) ] && echo 0 || echo 1)" \
	    "$1: peak RSS ${RSS:-?} KiB under $2 MiB"
}

# --- accepts, then resets every connection -------------------------------------
peer reset
nd "tcp://127.0.0.1:$PORT" "tls://127.0.0.1:$PORT"
one_report "reset"
is "$RC" 2 "reset: exit 2 (a network verdict, not UNKNOWN)"
no_local "reset"
like "$(jqo '[.causes[].summary] | join(" | ")')" 'reset' "reset: the cause says the peer reset"
# The same, many times over: the verdict must not depend on timing.
targets=()
for i in $(seq 1 200); do targets+=("tls://127.0.0.1:$PORT?sni=n$i.example"); done
codes=""
for k in 1 2 3; do
	nd "${targets[@]}"
	codes="$codes$RC"
done
is "$codes" 222 "reset, 200 targets, three runs: exit 2 every time"
no_local "reset x200"
rss_under "reset x200" 64
stop

# --- accepts and never speaks TLS --------------------------------------------------
peer silent
nd --timeout 1s "tls://127.0.0.1:$PORT"
one_report "silent"
is "$(jqo '.causes[0].id')" tls.handshake_failed "silent: tls.handshake_failed"
no_local "silent"
stop

# --- plain HTTP where TLS was expected -----------------------------------------------
peer http
nd --timeout 2s "tls://127.0.0.1:$PORT"
one_report "http on a TLS port"
is "$(jqo '.causes[0].id')" tls.handshake_failed "http on a TLS port: tls.handshake_failed"
no_local "http on a TLS port"
stop

# --- 64 KiB of garbage instead of a ServerHello ----------------------------------------
peer garbage
nd --timeout 2s "tls://127.0.0.1:$PORT" "talos://127.0.0.1:$PORT"
one_report "garbage"
is "$(jqo '[.causes[].id] | unique | join(",")')" tls.handshake_failed "garbage: tls.handshake_failed"
no_local "garbage"
rss_under "garbage" 64
stop

# --- a ServerHello that trickles one byte a second: ends at the deadline ------------------
peer trickle
t0=$(date +%s%N)
nd --timeout 2s "tls://127.0.0.1:$PORT"
took=$(( ($(date +%s%N) - t0) / 1000000 ))
one_report "trickle"
is "$(jqo '.causes[0].id')" tls.handshake_failed "trickle: tls.handshake_failed"
ok "$([ "$took" -lt 20000 ] && echo 0 || echo 1)" "trickle: ends at the deadline, not never (${took} ms)"
stop

# --- DNS: a record owned by another name is not an answer ------------------------------
peer dns-foreign
nd --timeout 2s "dns://127.0.0.1:$PORT/www.lab.test?expect=192.0.2.10"
one_report "dns foreign owner"
is "$(jqo '.causes[0].id')" dns.nxdomain "dns foreign owner: no data, not dns.wrong_answer"
like "$(jqo '.causes[0].evidence[] | select(.key=="ignored_records") | .value')" \
    'owned by evil\.example' "dns foreign owner: says which record was ignored"
stop

# --- DNS: replies with the wrong id, or garbage: silence as far as answers go -----------
for mode in dns-wrongid dns-garbage; do
	peer "$mode"
	nd --timeout 2s "dns://127.0.0.1:$PORT/www.lab.test"
	one_report "$mode"
	like "$(jqo '.causes[0].id')" '^dns\.' "$mode: a dns finding"
	no_local "$mode"
	stop
done

done_testing
