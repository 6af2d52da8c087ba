#!/usr/bin/env bash
# Lab: gateway+k8s://, the Gateway API status read from the live cluster.
# No kube-apiserver can run here: fixtures/k8s_sim.py replays its list
# answers (GatewayList, HTTPRouteList, GRPCRouteList as the API server
# encodes custom resources) from the trees of fixtures/manifests-gateway,
# over real TLS with the kubeconfig's client certificate or token
# (fixtures/pki/mkpki.py), plus RBAC's 403, the 404 of a cluster without
# the CRDs and a list past netdoctor's bound.  Two namespaces: 'cli'
# (netdoctor, and the API server on its loopback) and 'gw' (the Gateway's
# Envoy, fixtures/web/envoy_sim.py, on 10.200.91.61:443), so that a route
# the Gateway refused is tied to the 404 its page gets.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq openssl
PY=/usr/bin/python3
W=$ND_TOP/fixtures/web
$PY -c 'import cryptography, yaml' 2>/dev/null ||
    skip_all "python3-cryptography or python3-yaml missing (make deps)"

KPKI=$ND_TMP/kpki
$PY "$ND_TOP/fixtures/pki/mkpki.py" "$KPKI" >/dev/null || {
	echo "Bail out! mkpki.py failed"
	exit 1
}
WPKI=$ND_TMP/wpki
sh "$W/mkcerts.sh" "$WPKI" || { echo "Bail out! mkcerts.sh failed"; exit 1; }

ns_add cli >/dev/null
ns_add gw >/dev/null
veth_pair cli vc 10.200.91.1/24 gw vg 10.200.91.61/24
ok $? "a LAN: cli 10.200.91.1 <-> gw 10.200.91.61 (the Gateway's address)"
# The Gateway's Envoy: wiki's HTTPRoute is refused in the broken cluster,
# so the proxy has no route for it (envoy_sim answers 404 for any host
# without --route).
ns_spawn gw "$PY" "$W/envoy_sim.py" --listen 10.200.91.61:443 --tls "$WPKI" \
    --cert .int.example.be=wildcard --route sonarr.int.example.be=ok \
    >"$ND_TMP/envoy.log" 2>&1
wait_for_port gw 10.200.91.61 443
ok $? "the Gateway's Envoy listens on 443" || diag "$(cat "$ND_TMP/envoy.log")"
export SSL_CERT_FILE=$WPKI/ca.crt

MF=$ND_TMP/mf
cp -r "$ND_TOP/fixtures/manifests-gateway" "$MF"
find "$MF" -name '*.yaml' -exec sed -i 's/192\.168\.30\./10.200.91./g' {} +
# A kubeconfig whose token the API server does not know: 401 everywhere.
sed 's/test-token-123/expired-token-0/' "$KPKI/kubeconfig-token.yaml" \
    >"$ND_TMP/kubeconfig-expired.yaml"

# api NAME ARGS... - starts the API server replay on the loopback of
# 'cli', waits for its READY line, sets PORT and SIMPID.
api() {
	local name=$1
	shift
	sim_spawn cli "$name" k8s_sim.py --pki "$KPKI" --listen 127.0.0.1:0 "$@"
}
stop_api() { kill "$SIMPID"; wait "$SIMPID" 2>/dev/null; }
# The deadline is far from what any answer here takes (a few ms on
# loopback): a run that reached it would be a bug, not a slow machine.
nd() { nd_json cli --timeout 20s "$@"; }
gw() { jqo ".probes[] | select(.probe==\"gateway\") | .findings[0]$1"; }
ev() { gw ".evidence[\"$1\"] // \"\""; }
cause() { jqo ".causes[] | select(.id==\"$1\" and (.summary | test(\"$2\")))"; }

# --- the plan ------------------------------------------------------------------
ns_exec cli "$ND_BIN" run --print-plan gateway+k8s://127.0.0.1:6443 >"$ND_TMP/out" 2>&1
like "$(cat "$ND_TMP/out")" 'gateway\+k8s://127\.0\.0\.1:6443
      probes: route, tcp, tls, k8s, gateway' \
    "plan: the API server's layers first, then the judge"

# --- a healthy cluster, read with the client certificate ------------------------
api healthy --client-ca --gateway "$MF/healthy/gateway-api.yaml"
nd --kubeconfig "$KPKI/kubeconfig.yaml" "gateway+k8s://127.0.0.1:$PORT"
is "$RC" 0 "healthy: exit 0" || diag "$(cat "$ND_TMP/err.txt") $(jqo '.causes[] | .id + " " + .summary')"
is "$(gw .id)" gateway.ok "healthy: gateway.ok"
like "$(gw .summary)" '1 Gateway programmed with an address, 3 routes accepted with resolved references' \
    "healthy: the Gateway and the HTTPRoutes and GRPCRoute of the cluster, judged"
is "$(ev from)" "the API server at 127.0.0.1:$PORT" "healthy: it says where the status came from"
is "$(ev not_served)" "" "healthy: every list served"
is "$(jqo '.probes[] | select(.probe=="k8s") | .findings[0].id')" k8s.ready \
    "healthy: the k8s probe below it saw a ready API server"
stop_api

# --- CRDs of gateway-api v1.0: no grpcroutes, the rest judged ------------------
api v10 --gateway "$MF/healthy/gateway-api.yaml" --gateway-crds gateways,httproutes
nd --kubeconfig "$KPKI/kubeconfig-token.yaml" "gateway+k8s://127.0.0.1:$PORT"
is "$RC" 0 "v1.0 CRDs: exit 0"
like "$(gw .summary)" '1 Gateway programmed with an address, 2 routes accepted' \
    "v1.0 CRDs: the Gateway and the HTTPRoutes judged"
like "$(ev not_served)" '^grpcroutes \(HTTP 404' "v1.0 CRDs: grpcroutes named as not served"
stop_api

# --- every verdict, from the cluster, and the page the refused route gets -------
api broken --gateway "$MF/broken/gateway-api.yaml"
nd --kubeconfig "$KPKI/kubeconfig-token.yaml" "gateway+k8s://127.0.0.1:$PORT" \
    'https://wiki.int.example.be/?nd-connect=10.200.91.61'
is "$RC" 2 "broken: exit 2"
is "$(jqo '[.causes[].id] | sort | join(",")')" \
    gateway.backend_unresolved,gateway.no_address,gateway.not_programmed,gateway.route_not_accepted,gateway.route_not_accepted \
    "broken: the status findings are the causes, the wiki page's 404 none of its own"
like "$(cause gateway.route_not_accepted wiki | jq -r .summary)" \
    'HTTPRoute tools/wiki is not accepted \(Gateway gateway/home-gw, listener https\): NotAllowedByListeners' \
    "route_not_accepted: the route, its Gateway, the reason"
like "$(cause gateway.route_not_accepted wiki | jq -r '.explains | join(" ")')" \
    'https://wiki\.int\.example\.be/\?nd-connect=10\.200\.91\.61#http@10\.200\.91\.61' \
    "route_not_accepted explains the wiki page, tied by its hostname"
is "$(jqo '.probes[] | select(.probe=="http") | .findings[0].id')" http.route_not_found \
    "the wiki page itself got the proxy's 404 (http.route_not_found)"
like "$(cause gateway.route_not_accepted sabnzbd | jq -r .summary)" NoMatchingListenerHostname \
    "route_not_accepted: NoMatchingListenerHostname"
like "$(cause gateway.backend_unresolved lidarr | jq -r .summary)" \
    'BackendNotFound: Service "lidarr" not found' "backend_unresolved: BackendNotFound"
like "$(cause gateway.not_programmed lab-gw | jq -r .summary)" \
    'Programmed Unknown, reason Pending: Waiting for controller' "not_programmed: Pending"
like "$(cause gateway.no_address iot-gw | jq -r .summary)" AddressNotAssigned \
    "no_address: AddressNotAssigned"
is "$(cause gateway.no_address iot-gw | jq -r '.evidence[] | select(.key=="source") | .value')" \
    "GET /apis/gateway.networking.k8s.io/v1/gateways" "the evidence names the list it came from"
stop_api

# --- RBAC: gateways may be listed, httproutes not --------------------------------
api forbidden --mode gateway-forbidden --gateway "$MF/healthy/gateway-api.yaml"
nd --kubeconfig "$KPKI/kubeconfig-token.yaml" "gateway+k8s://127.0.0.1:$PORT"
is "$RC" 2 "forbidden: exit 2"
is "$(jqo '.causes[0].id')" gateway.forbidden "forbidden: gateway.forbidden"
like "$(jqo '.causes[0].summary')" \
    'refused to list httproutes\.gateway\.networking\.k8s\.io \(HTTP 403 Forbidden.*User "token-user" cannot list resource "httproutes"' \
    "forbidden: the resource, the status and the user the API server named"
is "$(jqo '.causes[0].evidence[] | select(.key=="resource") | .value')" httproutes \
    "forbidden: the resource as evidence"
like "$(jqo '.causes[0].fix[0]')" '^kubectl auth can-i list httproutes\.gateway\.networking\.k8s\.io -A' \
    "forbidden: the fix is the can-i for that resource"
stop_api

# --- credentials the API server does not accept: 401 ----------------------------
api unauthorized --gateway "$MF/healthy/gateway-api.yaml"
nd --kubeconfig "$ND_TMP/kubeconfig-expired.yaml" "gateway+k8s://127.0.0.1:$PORT"
is "$(jqo '.causes[0].id')" gateway.forbidden "401: gateway.forbidden"
like "$(jqo '.causes[0].summary')" 'HTTP 401 Unauthorized: the credentials were not accepted' \
    "401: says the credentials were refused, not RBAC"
is "$(jqo '.causes[0].evidence[] | select(.key=="auth") | .value')" "the kubeconfig's token" \
    "401: which credentials went out"
stop_api

# --- no Gateway API CRDs: 404 on the group ----------------------------------------
api nocrds
nd --kubeconfig "$KPKI/kubeconfig-token.yaml" "gateway+k8s://127.0.0.1:$PORT"
is "$RC" 2 "no CRDs: exit 2"
is "$(jqo '.causes[0].id')" gateway.api_unavailable "no CRDs: gateway.api_unavailable"
like "$(jqo '.causes[0].summary')" 'does not serve gateways\.gateway\.networking\.k8s\.io/v1 \(HTTP 404 NotFound\)' \
    "no CRDs: the resource and the API server's reason"
like "$(jqo '.causes[0].fix[0]')" '^kubectl get crd gateways\.gateway\.networking\.k8s\.io' \
    "no CRDs: the fix looks for the CRDs, then installs them"
stop_api

# --- a list past the bound: 50 MB announced, 4 MiB read -------------------------
api huge --mode huge-gateways
nd --kubeconfig "$KPKI/kubeconfig-token.yaml" "gateway+k8s://127.0.0.1:$PORT"
is "$(jqo '.causes[0].id')" gateway.api_error "huge list: gateway.api_error"
like "$(jqo '.causes[0].summary')" 'HTTP 200 with a body over 4 MiB; netdoctor stopped reading' \
    "huge list: stopped at the bound, not at the deadline"
is "$(jqo '.causes[0].evidence[] | select(.key=="body_over_bound") | .value')" 4194304 \
    "huge list: the bound as evidence"
stop_api

# --- gateway+k8s:// URL errors ---------------------------------------------------------
ns_exec cli "$ND_BIN" run gateway+k8s:// >"$ND_TMP/out" 2>&1
is "$?" 3 "gateway+k8s:// without the API server: exit 3"
ns_exec cli "$ND_BIN" run gateway+k8s://127.0.0.1:6443/apis >"$ND_TMP/out" 2>&1
like "$(cat "$ND_TMP/out")" 'gateway\+k8s:// takes no path' "gateway+k8s:// with a path: says why"

done_testing
