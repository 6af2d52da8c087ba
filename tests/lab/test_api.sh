#!/usr/bin/env bash
# Lab: the tls, talos and k8s probes against real peers: the Talos apid
# simulator on python3-grpcio (fixtures/talos_sim.py), a kube-apiserver
# simulator over real TLS (fixtures/k8s_sim.py), a real PKI
# (fixtures/pki/mkpki.py).  Every peer runs inside this test's namespace on
# its loopback; each scenario checks the cause ranked first.
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
ns_add api >/dev/null

# sim NAME talos|k8s ARGS... - starts a simulator on 127.0.0.1, waits for
# its READY line, and sets PORT (the bound port) and SIMPID.
sim() {
	local name=$1 kind=$2
	shift 2
	sim_spawn api "$name" "${kind}_sim.py" --pki "$PKI" "$@"
}
nd() { nd_json api --timeout 2s "$@"; }

# --- maintenance mode, both generations --------------------------------------
sim m12 talos --listen 127.0.0.1:50000 --mode maintenance-v1.12
nd talos://127.0.0.1:50000 k8s://127.0.0.1:6443
is "$RC" 2 "maintenance 1.12: exit 2"
is "$(first)" talos.maintenance_mode "maintenance 1.12: talos.maintenance_mode ranked first"
is "$(jqo '.causes | length')" 1 "maintenance 1.12: the refused Kubernetes port is explained, not a cause"
like "$(jqo '.causes[0].explains | join(" ")')" 'k8s://127\.0\.0\.1:6443#tcp' \
    "maintenance 1.12: it explains k8s://127.0.0.1:6443#tcp"
is "$(jqo '.causes[0].fix[0]')" \
    "talosctl apply-config --insecure --nodes 127.0.0.1:50000 --file controlplane.yaml   # worker.yaml for a worker" \
    "maintenance 1.12: the exact apply-config command"
is "$(jqo '.causes[0].evidence[] | select(.key=="grpc_message") | .value')" \
    "API is not implemented in maintenance mode" "maintenance 1.12: the gRPC message as evidence"
is "$(jqo '.causes[0].evidence[] | select(.key=="cert_cn") | .value')" \
    maintenance-service.talos.dev "maintenance 1.12: the maintenance certificate CN as evidence"
kill "$SIMPID"; wait "$SIMPID" 2>/dev/null

sim m13 talos --listen 127.0.0.1:0 --mode maintenance-v1.13
nd "talos://127.0.0.1:$PORT"
is "$(first)" talos.maintenance_mode "maintenance 1.13: talos.maintenance_mode ranked first"
is "$(jqo '.causes[0].evidence[] | select(.key=="features") | .value')" absent \
    "maintenance 1.13: Version answered without features"
is "$(jqo '.causes[0].evidence[] | select(.key=="talos_version") | .value')" v1.13.0 \
    "maintenance 1.13: the Talos version as evidence"
kill "$SIMPID"; wait "$SIMPID" 2>/dev/null

# --- a configured node ---------------------------------------------------------
sim cfg talos --listen 127.0.0.1:50000 --mode configured --trustd 127.0.0.1:50001
sim k8s k8s --listen 127.0.0.1:6443 --mode ready
nd talos://127.0.0.1:50000
is "$(first)" tls.client_cert_required "configured, no talosconfig: tls.client_cert_required first"
like "$(jqo '.causes[0].summary')" 'signed by O=talos' "configured: the CertificateRequest names O=talos"

nd --talosconfig "$PKI/talosconfig.yaml" --kubeconfig "$PKI/kubeconfig.yaml" \
    talos://127.0.0.1:50000 k8s://127.0.0.1:6443
is "$RC" 0 "healthy configured node with a valid talosconfig: exit 0"
is "$(jqo '.causes | length')" 0 "healthy: no causes"
is "$(jqo '.probes[] | select(.probe=="talos") | .findings[0].id')" talos.configured \
    "healthy: talos.configured"
like "$(jqo '.probes[] | select(.probe=="talos") | .findings[0].evidence.role')" \
    '^control plane' "healthy: trustd on 50001 says control plane"
is "$(jqo '.probes[] | select(.probe=="k8s") | .findings[0].id')" k8s.ready "healthy: k8s.ready"
is "$(jqo '.probes[] | select(.probe=="tls" and (.target|startswith("k8s"))) | .findings[0].id')" tls.ok \
    "healthy: tls.ok for the Kubernetes API"
is "$(jqo '.probes[] | select(.probe=="tls" and (.target|startswith("talos"))) | .findings[0].evidence.client_cert')" \
    required "healthy: the tls probe saw that apid requires a client certificate"
# Key material never reaches a report.
key_b64=$(sed -n 's/^ *key: *//p' "$PKI/talosconfig.yaml" | head -1 | cut -c1-40)
ok "$(grep -c -F -e "$key_b64" -e 'PRIVATE KEY' "$ND_TMP/out.json" "$ND_TMP/err.txt" | awk -F: '{s+=$2} END {print (s==0)?0:1}')" \
    "no key material in the report or on stderr"

nd --talosconfig "$PKI/talosconfig-foreign.yaml" talos://127.0.0.1:50000
is "$(first)" talos.client_cert_rejected "another cluster's talosconfig: talos.client_cert_rejected first"
is "$(jqo '.causes | length')" 1 "another cluster's talosconfig: tls.untrusted is explained by it"
nd --talosconfig "$PKI/talosconfig-expired.yaml" talos://127.0.0.1:50000
is "$(first)" talos.client_cert_rejected "expired talosconfig: talos.client_cert_rejected first"
is "$(jqo '.causes[0].evidence[] | select(.key=="client_cert_expired") | .value')" yes \
    "expired talosconfig: says the client certificate expired"
like "$(jqo '.causes[0].summary')" 'expired on 2024-02-01' "expired talosconfig: summary names the date"

kill "$SIMPID"; wait "$SIMPID" 2>/dev/null	# the Kubernetes API goes away
nd --talosconfig "$PKI/talosconfig.yaml" talos://127.0.0.1:50000 k8s://127.0.0.1:6443
is "$(first)" k8s.not_bootstrapped "configured, Kubernetes port refused: k8s.not_bootstrapped first"
is "$(jqo '.causes[0].fix[0]')" "talosctl bootstrap --nodes 127.0.0.1   # once, on one control-plane node" \
    "not bootstrapped: the bootstrap command"
is "$(jqo '.causes | length')" 1 "not bootstrapped: the refused port is explained, not a second cause"

# --- not a Talos API -------------------------------------------------------------
sim http11 k8s --listen 127.0.0.1:0 --mode ready
nd "talos://127.0.0.1:$PORT"
is "$(first)" talos.not_talos_api "TLS without h2: talos.not_talos_api first"
like "$(jqo '.causes[0].summary')" 'h2' "TLS without h2: says gRPC needs h2"
for mode in huge-frame truncated-proto goaway; do
	sim "$mode" talos --listen 127.0.0.1:0 --mode "$mode"
	t0=$(date +%s%N)
	nd "talos://127.0.0.1:$PORT"
	t1=$(date +%s%N)
	is "$(first)" talos.not_talos_api "$mode: talos.not_talos_api first"
	# "Ends", not "ends fast": 10x the deadline holds on a loaded machine.
	ok "$(( (t1 - t0) / 1000000 < 20000 ? 0 : 1 ))" "$mode: ends by its 2 s deadline, not never"
	[ "$mode" = goaway ] && like "$(jqo '.causes[0].summary')" \
	    'sent HTTP/2 GOAWAY \(NO_ERROR, error code 0; last stream 0\)' \
	    "goaway: the finding names GOAWAY and its error code"
	kill "$SIMPID"; wait "$SIMPID" 2>/dev/null
done

sim unavail talos --listen 127.0.0.1:0 --mode unavailable
nd "talos://127.0.0.1:$PORT"
is "$(first)" talos.api_error "apid up, machined not: talos.api_error first"
is "$(jqo '.causes[0].evidence[] | select(.key=="grpc_status") | .value')" 14 \
    "api error: grpc-status 14 (Unavailable) as evidence"

# --- TLS failures --------------------------------------------------------------------
sim plain talos --listen 127.0.0.1:0 --mode plaintext-http
nd "talos://127.0.0.1:$PORT"
is "$(first)" tls.handshake_failed "plain HTTP: tls.handshake_failed first"
like "$(jqo '.causes[0].summary')" 'plain HTTP' "plain HTTP: says what the port speaks"
sim garbage talos --listen 127.0.0.1:0 --mode garbage-tls
nd "talos://127.0.0.1:$PORT"
is "$(first)" tls.handshake_failed "garbage instead of a ServerHello: tls.handshake_failed"
sim silent talos --listen 127.0.0.1:0 --mode silent
t0=$(date +%s%N)
ns_exec api "$ND_BIN" run --format json --timeout 1s "tls://127.0.0.1:$PORT" >"$ND_TMP/out.json" 2>/dev/null
t1=$(date +%s%N)
is "$(first)" tls.handshake_failed "accepts TCP, never speaks TLS: tls.handshake_failed"
ok "$(( (t1 - t0) / 1000000 < 10000 ? 0 : 1 ))" "never speaks TLS: ends by its 1 s deadline (10x margin)"

sim wrongsan k8s --listen 127.0.0.1:0 --cert wrong-san
nd "k8s://127.0.0.1:$PORT"
is "$(first)" tls.name_mismatch "certificate without the 127.0.0.1 SAN: tls.name_mismatch first"
like "$(jqo '.causes[0].fix[0]')" 'certSANs' "name mismatch: the fix names certSANs"
sim expired k8s --listen 127.0.0.1:0 --cert expired-server
nd "k8s://127.0.0.1:$PORT"
is "$(first)" tls.expired "expired server certificate: tls.expired first"
sim future k8s --listen 127.0.0.1:0 --cert future-server
nd "k8s://127.0.0.1:$PORT"
is "$(first)" tls.not_yet_valid "certificate valid from 2030: tls.not_yet_valid first"
sim untrusted k8s --listen 127.0.0.1:0 --mode ready
nd "tls://127.0.0.1:$PORT?ca=$PKI/talos-ca.crt"
is "$(first)" tls.untrusted "CA from another cluster: tls.untrusted first"

# --- Kubernetes API ----------------------------------------------------------------------
sim notready k8s --listen 127.0.0.1:0 --mode not-ready
nd --kubeconfig "$PKI/kubeconfig.yaml" "k8s://127.0.0.1:$PORT"
is "$(first)" k8s.not_ready "readyz failing: k8s.not_ready first"
like "$(jqo '.causes[0].summary')" 'etcd' "not ready: names the failing checks"
sim anon k8s --listen 127.0.0.1:0 --mode anonymous-401
nd "k8s://127.0.0.1:$PORT"
is "$RC" 0 "anonymous 401: the API server is up, exit 0"
is "$(jqo '.probes[] | select(.probe=="k8s") | .findings[0].id')" k8s.ready "anonymous 401: k8s.ready"
nd --kubeconfig "$PKI/kubeconfig-token.yaml" "k8s://127.0.0.1:$PORT"
like "$(jqo '.probes[] | select(.probe=="k8s") | .findings[0].summary')" 'is ready' \
    "bearer token from the kubeconfig: ready"
ok "$(grep -c 'test-token-123' "$ND_TMP/out.json" "$ND_TMP/err.txt" | awk -F: '{s+=$2} END {print (s==0)?0:1}')" \
    "the bearer token never reaches the report"
sim grpc talos --listen 127.0.0.1:0 --mode maintenance-v1.13
nd "k8s://127.0.0.1:$PORT"
is "$(first)" k8s.not_k8s_api "a gRPC server on a k8s:// target: k8s.not_k8s_api first"
# A body past the 32 KiB the k8s probe reads (50 MB, or one that never
# ends) stops the request at the bound, not at the deadline, and says why
# (the summary would say "before the deadline" otherwise; no stopwatch,
# which a loaded machine could fail).
for mode in huge-version endless-readyz; do
	sim "$mode" k8s --listen 127.0.0.1:0 --mode "$mode"
	nd "k8s://127.0.0.1:$PORT"
	is "$(first)" k8s.not_k8s_api "$mode: k8s.not_k8s_api first"
	like "$(jqo '.causes[0].summary')" 'answered HTTP 200 with a body over 32 KiB; netdoctor stopped reading' \
	    "$mode: says the body was over the bound"
	is "$(jqo '.causes[0].evidence[] | select(.key=="body_over_bound") | .value')" 32768 \
	    "$mode: body_over_bound as evidence"
	kill "$SIMPID"; wait "$SIMPID" 2>/dev/null
done

# --- unusable credentials: exit 3 with one line naming the file -------------------------
printf 'context: lab\ncontexts:\n  lab:\n    endpoints: [127.0.0.1]\n    ca: "!!notbase64"\n' >"$ND_TMP/bad-talosconfig"
nd --talosconfig "$ND_TMP/bad-talosconfig" talos://127.0.0.1:50000
is "$RC" 3 "malformed talosconfig: exit 3"
like "$(head -1 "$ND_TMP/err.txt")" 'bad-talosconfig:5: .*base64' "malformed talosconfig: file, line, what"
printf 'apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts: [ {name: x, context: {cluster: c, user: u}} ]\n' >"$ND_TMP/bad-kubeconfig"
nd --kubeconfig "$ND_TMP/bad-kubeconfig" k8s://127.0.0.1:6443
is "$RC" 3 "kubeconfig naming a missing cluster: exit 3"
like "$(head -1 "$ND_TMP/err.txt")" "bad-kubeconfig.*cluster 'c'" "bad kubeconfig: names the missing cluster"

done_testing
