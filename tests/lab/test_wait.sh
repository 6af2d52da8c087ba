#!/usr/bin/env bash
# Lab: `netdoctor wait` against real peers that change state while it
# waits: the Talos apid simulator in maintenance mode, replaced after a few
# seconds by a configured one on the same port (what a node does after
# apply-config); a kube-apiserver simulator that is not ready, then ready;
# a port that never opens (the timeout, with the ranked report); a
# certificate that can never match (it gives up long before the timeout);
# bad usage (exit 3, one line); SIGINT (the report of the last complete
# round, exit 3); and the first run on an empty machine (one cause: no
# local Talos cluster).
#
# Timings are never asserted tightly: the checks are "it ended, and for the
# right reason"; the bounds only catch a wait that never ends.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq openssl
PY=/usr/bin/python3
$PY -c 'import grpc, cryptography' 2>/dev/null ||
    skip_all "python3-grpcio or python3-cryptography missing (make deps)"

PKI=$ND_TMP/pki
$PY "$ND_TOP/fixtures/pki/mkpki.py" "$PKI" >/dev/null || {
	echo "Bail out! mkpki.py failed"
	exit 1
}
ns_add wait >/dev/null

# sim NAME talos|k8s ARGS... - as in test_api.sh: starts a simulator in the
# namespace, waits for READY, sets PORT and SIMPID.
sim() {
	local name=$1 kind=$2
	shift 2
	sim_spawn wait "$name" "${kind}_sim.py" --pki "$PKI" "$@"
}
stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
# wt ARGS... - netdoctor wait in the namespace; RC, out.json/out.txt, err.txt.
wt() {
	ns_exec wait "$ND_BIN" wait "$@" >"$ND_TMP/out" 2>"$ND_TMP/err.txt"
	RC=$?
}
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# --- maintenance, then configured on the same port ---------------------------
sim m talos --listen 127.0.0.1:0 --mode maintenance-v1.12
TPORT=$PORT
# The switch: after 3 s the maintenance service goes and the configured API
# takes its port, as apid does once a machine config is applied.
(
	sleep 3
	kill "$SIMPID"
	while kill -0 "$SIMPID" 2>/dev/null; do sleep 0.05; done
	date +%s%N >"$ND_TMP/switched"
	exec ip netns exec "nd-$$-wait" "$PY" "$ND_TOP/fixtures/talos_sim.py" \
	    --pki "$PKI" --listen "127.0.0.1:$TPORT" --mode configured \
	    >"$ND_TMP/c.log" 2>&1
) &
SWITCHER=$!
wt --for configured --interval 1s --timeout 60s \
    --talosconfig "$PKI/talosconfig.yaml" "talos://127.0.0.1:$TPORT"
end=$(date +%s%N)
is "$RC" 0 "maintenance -> configured: exit 0 once configured"
like "$(cat "$ND_TMP/err.txt")" 'talos://127\.0\.0\.1:[0-9]+  - -> talos\.maintenance_mode' \
    "maintenance -> configured: stderr shows the maintenance state on the way"
like "$(cat "$ND_TMP/err.txt")" '-> talos\.configured  \(reached: configured\)' \
    "maintenance -> configured: stderr says the state was reached"
is "$(wc -c <"$ND_TMP/out")" 0 "maintenance -> configured: nothing on stdout"
if [ -s "$ND_TMP/switched" ]; then
	late=$(( (end - $(cat "$ND_TMP/switched")) / 1000000 ))
	# One interval (1 s) plus a round and the new API's start; wide on
	# purpose, it only has to catch "much later" or "never".
	ok "$([ "$late" -lt 15000 ] && echo 0 || echo 1)" \
	    "maintenance -> configured: returned soon after the switch (${late} ms)"
else
	ok 1 "maintenance -> configured: the switch happened"
fi
# The switcher exec'd the configured simulator: its pid is the server's.
stop "$SWITCHER"

# --- --for maintenance returns at once in maintenance mode -------------------
sim m2 talos --listen 127.0.0.1:0 --mode maintenance-v1.13
wt --for maintenance --timeout 30s "talos://127.0.0.1:$PORT"
is "$RC" 0 "--for maintenance on a node in maintenance mode: exit 0"
like "$(cat "$ND_TMP/err.txt")" '\(reached: maintenance\)' "--for maintenance: reached"
wt --for up --timeout 30s "talos://127.0.0.1:$PORT"
is "$RC" 0 "--for up on a node in maintenance mode: exit 0"
stop "$SIMPID"

# --- a Kubernetes API that becomes ready --------------------------------------
sim k1 k8s --listen 127.0.0.1:0 --mode not-ready
KPORT=$PORT
K1PID=$SIMPID
(
	sleep 3
	kill "$K1PID"
	while kill -0 "$K1PID" 2>/dev/null; do sleep 0.05; done
	exec ip netns exec "nd-$$-wait" "$PY" "$ND_TOP/fixtures/k8s_sim.py" \
	    --pki "$PKI" --listen "127.0.0.1:$KPORT" --mode ready \
	    >"$ND_TMP/k2.log" 2>&1
) &
SWITCHER=$!
wt --for ready --interval 1s --timeout 60s --progress json \
    --kubeconfig "$PKI/kubeconfig.yaml" "k8s://127.0.0.1:$KPORT"
is "$RC" 0 "not ready -> ready: exit 0"
ok "$(jq -e -s 'length > 1 and all(.[]; has("elapsed_s")) and (.[-1].result == "reached") and all(.[:-1][]; has("target") and has("from") and has("to"))' \
    "$ND_TMP/err.txt" >/dev/null 2>&1; echo $?)" \
    "--progress json: every stderr line is one JSON object"
is "$(jq -r -s '[.[] | select(.reached)] | .[0].state' "$ND_TMP/err.txt" 2>/dev/null)" ready \
    "--progress json: the last change says the state was reached"
like "$(jq -r -s '.[0].to' "$ND_TMP/err.txt" 2>/dev/null)" 'k8s\.not_ready' \
    "--progress json: not ready on the way"
stop "$SWITCHER"

# --- a port that never opens: the timeout, then the ranked report -------------
t0=$(date +%s%N)
wt --format json --timeout 3s --interval 1s "k8s://127.0.0.1:1"
took=$(ms "$t0")
is "$RC" 2 "a port that never opens: exit 2 at the timeout"
is "$(jq -r '.causes[0].id' "$ND_TMP/out")" tcp.refused \
    "a port that never opens: tcp.refused ranked first in the report"
is "$(jq -s 'length' "$ND_TMP/out")" 1 "--format json: exactly one report document on stdout"
like "$(cat "$ND_TMP/err.txt")" 'timed out after 3\.0s' "a port that never opens: says it timed out"
ok "$([ "$took" -ge 2900 ] && [ "$took" -lt 20000 ] && echo 0 || echo 1)" \
    "a port that never opens: waited about the 3 s (${took} ms)"

# --- a certificate that can never match: give up long before the timeout ------
sim wrongsan k8s --listen 127.0.0.1:0 --cert wrong-san
t0=$(date +%s%N)
wt --timeout 60s --interval 1s "k8s://127.0.0.1:$PORT"
took=$(ms "$t0")
is "$RC" 2 "a certificate that does not cover the address: exit 2"
like "$(head -1 "$ND_TMP/out")" 'CRITICAL' "the text report follows"
like "$(grep -m1 '^ *1\. ' "$ND_TMP/out")" 'tls\.name_mismatch' \
    "a certificate that does not cover the address: tls.name_mismatch ranked first"
like "$(cat "$ND_TMP/err.txt")" 'giving up on k8s://127\.0\.0\.1:[0-9]+: tls\.name_mismatch cannot go away by waiting' \
    "gives up and says why"
ok "$([ "$took" -lt 30000 ] && echo 0 || echo 1)" \
    "gave up long before the 60 s timeout (${took} ms)"
wt --timeout 3s --interval 1s --no-fail-fast "k8s://127.0.0.1:$PORT"
like "$(cat "$ND_TMP/err.txt")" 'timed out' "--no-fail-fast: waits to the timeout instead"
stop "$SIMPID"

# --- SIGINT: the report of the last complete round, exit 3 --------------------
ns_spawn wait "$ND_BIN" wait --format json --timeout 60s --interval 1s \
    "tcp://127.0.0.1:1" >"$ND_TMP/sig.json" 2>"$ND_TMP/sig.err"
WPID=$ND_PID
for i in $(seq 100); do
	grep -q 'tcp.refused' "$ND_TMP/sig.err" 2>/dev/null && break
	sleep 0.1
done
kill -INT "$WPID"
wait "$WPID"
is "$?" 3 "SIGINT: exit 3"
is "$(jq -r '.causes[0].id' "$ND_TMP/sig.json")" tcp.refused \
    "SIGINT: the last complete round's report on stdout"
like "$(cat "$ND_TMP/sig.err")" 'interrupted \(SIGINT\)' "SIGINT: says so on stderr"

# --- SIGINT into `run`: what finished, the rest probe.cancelled, exit 3 -------
# Silent targets: a router namespace that does not forward drops them.
ns_add drop >/dev/null
veth_pair wait vw 10.200.9.1/24 drop vd 10.200.9.254/24
ns_exec drop sysctl -qw net.ipv4.ip_forward=0
ns_exec wait ip route add 10.200.10.0/24 via 10.200.9.254
targets=(tcp://127.0.0.1:1)
for i in $(seq 1 20); do targets+=("tcp://10.200.10.$i:80"); done
ns_spawn wait "$ND_BIN" run --format json --timeout 60s "${targets[@]}" \
    >"$ND_TMP/run-sig.json" 2>"$ND_TMP/run-sig.err"
RPID=$ND_PID
# Signal only once all 20 connections are pending (SYN-SENT), so the run
# is under way and the refused one has its verdict, however slowly
# netdoctor starts on a loaded machine.
for i in $(seq 400); do
	[ "$(ns_exec wait ss -Htn state syn-sent | wc -l)" -ge 20 ] && break
	sleep 0.05
done
kill -INT "$RPID"
wait "$RPID"
is "$?" 3 "SIGINT into run: exit 3"
is "$(jq -r '.status' "$ND_TMP/run-sig.json")" unknown "SIGINT into run: a report, status unknown"
is "$(jq -r '[.probes[] | select(.target=="tcp://127.0.0.1:1" and .probe=="tcp") | .findings[0].id] | .[0]' \
    "$ND_TMP/run-sig.json")" tcp.refused "SIGINT into run: what finished keeps its verdict"
is "$(jq -r '[.probes[] | select(.probe=="tcp" and .status=="error") | .findings[0].id] | unique | join(",")' \
    "$ND_TMP/run-sig.json")" probe.cancelled "SIGINT into run: the silent ones are probe.cancelled"
is "$(jq -r '[.probes[] | select(.probe=="tcp" and .status=="error")] | length' "$ND_TMP/run-sig.json")" 20 \
    "SIGINT into run: all 20 silent targets reported"

# --- bad usage: exit 3 with one line --------------------------------------------
bad() {
	local want=$1 what=$2
	shift 2
	wt "$@"
	is "$RC" 3 "$what: exit 3"
	like "$(head -1 "$ND_TMP/err.txt")" "$want" "$what: says why"
}
bad '--timeout: must be more than 0' "--timeout 0" --timeout 0 tcp://127.0.0.1:1
bad "--timeout: '-1s' is not a duration" "negative --timeout" --timeout -1s tcp://127.0.0.1:1
bad "--timeout: 'soon' is not a duration" "unparseable --timeout" --timeout soon tcp://127.0.0.1:1
bad '--interval 5000 ms is longer than --timeout 1000 ms' "--interval past --timeout" \
    --timeout 1s --interval 5s tcp://127.0.0.1:1
bad '--for needs a value' "--for without a value" tcp://127.0.0.1:1 --for
bad '--for bogus: not a state' "unknown state" --for bogus tcp://127.0.0.1:1
bad '--for maintenance does not fit k8s://127\.0\.0\.1:6443: k8s:// targets wait for ok, ready, up' \
    "a state of another scheme" --for maintenance k8s://127.0.0.1:6443
bad 'name what to wait for' "nothing to wait for"
is "$(ns_exec wait "$ND_BIN" run --for ok tcp://127.0.0.1:1 2>&1 >/dev/null | head -1)" \
    "netdoctor: --for: only \`netdoctor wait\` takes it" "run --for: refused"

# --- the first run on an empty machine ---------------------------------------
# No talosconfig, kubeconfig or Docker socket (a fresh HOME, no $DOCKER_HOST
# pointing anywhere), 50000 and 6443 free: one cause a newcomer understands.
mkdir -p "$ND_TMP/home"
(cd "$ND_TMP/home" && HOME=$ND_TMP/home TALOSCONFIG= KUBECONFIG= \
    DOCKER_HOST=unix://$ND_TMP/home/no-docker.sock \
    ip netns exec "nd-$$-wait" "$ND_BIN" run --format json \
    >"$ND_TMP/out.json" 2>"$ND_TMP/err.txt")
is "$(jq -r '.causes | length' "$ND_TMP/out.json")" 1 "empty machine: one cause, not two refusals"
is "$(jq -r '.causes[0].id' "$ND_TMP/out.json")" talos.no_local_cluster \
    "empty machine: talos.no_local_cluster"
like "$(jq -r '.causes[0].explains | join(" ")' "$ND_TMP/out.json")" \
    'talos://127\.0\.0\.1:50000#tcp.*k8s://127\.0\.0\.1:6443#tcp' \
    "empty machine: both refusals folded under it"
like "$(jq -r '.causes[0].fix[0]' "$ND_TMP/out.json")" 'talosctl cluster create' \
    "empty machine: says how to create a cluster"

done_testing
