#!/usr/bin/env bash
# Lab: the Gateway API status (gateway://) and the chain --manifests plans
# for every HTTPRoute hostname: DNS at the Pi-hole expecting the Gateway's
# address, ARP for that address, then the page through it with nd-connect.
# The trees are fixtures/manifests-gateway (kubectl get
# gateway,httproute,grpcroute -A -o yaml output, one healthy and one where
# every verdict shows), moved into the lab's range (192.168.30.x ->
# 10.200.90.x).  A LAN of two namespaces: 'cli' (netdoctor) and 'gw' (the
# home lab): the Gateway's Envoy replayed by fixtures/web/envoy_sim.py on
# 10.200.90.61:443 (TLS, the wildcard certificate) and :80, a dnsmasq
# Pi-hole on 10.200.90.53 answering every route hostname with the Gateway.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq dnsmasq openssl
PY=/usr/bin/python3
W=$ND_TOP/fixtures/web

PKI=$ND_TMP/pki
sh "$W/mkcerts.sh" "$PKI" || { echo "Bail out! mkcerts.sh failed"; exit 1; }

ns_add cli >/dev/null
ns_add gw >/dev/null
veth_pair cli vc 10.200.90.1/24 gw vg 10.200.90.61/24
ok $? "a LAN: cli 10.200.90.1 <-> gw 10.200.90.61 (the Gateway's address)"
ip -n "$(_nd_ns gw)" addr add 10.200.90.53/24 dev vg
hosts=
for h in sonarr.int.example.be bazarr.int.example.be wiki.int.example.be \
    lidarr.int.example.be immich-ml.int.example.be jellyfin.lan.example.be \
    sabnzbd.int.example.be; do
	hosts="$hosts --host-record=$h,10.200.90.61,300"
done
# shellcheck disable=SC2086
ns_spawn gw dnsmasq --no-daemon --no-resolv --no-hosts --pid-file= \
    --listen-address=10.200.90.53 --bind-interfaces $hosts >"$ND_TMP/dns.log" 2>&1
# The Gateway's Envoy: the routes the healthy cluster has; wiki and
# sabnzbd have none (their HTTPRoutes are refused in the broken tree), and
# lidarr's backend Service does not exist (no healthy upstream).
ns_spawn gw "$PY" "$W/envoy_sim.py" --listen 10.200.90.61:443 --tls "$PKI" \
    --cert .int.example.be=wildcard --route sonarr.int.example.be=ok \
    --route bazarr.int.example.be=ok --route lidarr.int.example.be=no-endpoints \
    >"$ND_TMP/envoy443.log" 2>&1
ns_spawn gw "$PY" "$W/envoy_sim.py" --listen 10.200.90.61:80 \
    --route jellyfin.lan.example.be=ok >"$ND_TMP/envoy80.log" 2>&1
up=0
for p in 443 80; do wait_for_port gw 10.200.90.61 $p && up=$((up + 1)); done
wait_for_port gw 10.200.90.53 53 2>/dev/null || true
is "$up" 2 "the Gateway's Envoy listens on 443 and 80" ||
    diag "$(cat "$ND_TMP/envoy443.log" "$ND_TMP/envoy80.log")"

MF=$ND_TMP/mf
cp -r "$ND_TOP/fixtures/manifests-gateway" "$MF"
find "$MF" -name '*.yaml' -exec sed -i -e 's/192\.168\.30\./10.200.90./g' \
    -e 's/\^eth0\$/^vc$/' {} +
printf 'version: 1\ndns:\n  servers: [10.200.90.53]\n' >"$ND_TMP/nd.yaml"
# The laptop's resolver is the Pi-hole, as at home.
mkdir -p "/etc/netns/$(_nd_ns cli)"
at_exit rm -rf "/etc/netns/$(_nd_ns cli)"
echo "nameserver 10.200.90.53" >"/etc/netns/$(_nd_ns cli)/resolv.conf"

# The test CA stands in for the system trust store (OpenSSL reads
# SSL_CERT_FILE), as the derived targets carry no nd-ca=.
export SSL_CERT_FILE=$PKI/ca.crt
nd() {
	ns_exec cli "$ND_BIN" run --timeout 3s "$@" >"$ND_TMP/out" 2>"$ND_TMP/err"
	RC=$?
}
jqo() { jq -r "$1" "$ND_TMP/out"; }

# --- the plan: DNS -> ARP -> HTTPS for every route hostname ------------------
nd -c "$ND_TMP/nd.yaml" --manifests "$MF/healthy" --print-plan
is "$RC" 0 "--print-plan: exit 0"
plan=$(cat "$ND_TMP/out")
like "$plan" 'arp://vc/10\.200\.90\.61
      probes: arp
      from: manifests: LoadBalancer IPs, interface from home-l2.s interfaces' \
    "plan: ARP for the Gateway's address, on the policy's interface"
for h in sonarr.int.example.be bazarr.int.example.be; do
	like "$plan" "dns://10\\.200\\.90\\.53/${h//./\\.}\\?expect=10\\.200\\.90\\.61
      probes: route, dns" "plan: $h must resolve to the Gateway at the Pi-hole"
	like "$plan" "https://${h//./\\.}/\\?nd-connect=10\\.200\\.90\\.61
      probes: route, tcp, tls, http
      from: manifests: HTTPRoute media/${h%%.*} via Gateway gateway/home-gw" \
	    "plan: $h through the Gateway's address, its route named"
done
like "$plan" 'http://jellyfin\.lan\.example\.be/\?nd-connect=10\.200\.90\.61
      probes: route, tcp, http' "plan: http:// for a route on an HTTP-only listener"
like "$plan" 'dns://10\.200\.90\.53/immich-ml\.int\.example\.be' "plan: a GRPCRoute's hostname is asked of DNS"
is "$(grep -c 'https\?://immich-ml' <<<"$plan")" 0 "plan: but gets no web target (no GET / for gRPC)"
like "$plan" 'gateway://
      probes: gateway
      from: manifests: the Gateway API status sections' "plan: gateway:// added by itself"
like "$plan" '4 Gateway API objects with a status section \(gateway://\), 1 without one, not judged' \
    "plan: a note counts the objects with and without status"

# --- a healthy cluster: every link of every chain passes --------------------
nd -c "$ND_TMP/nd.yaml" --manifests "$MF/healthy" --format json
is "$RC" 0 "healthy: exit 0" || diag "$(jqo '.causes[] | .id + " " + .summary')"
is "$(jqo '[.probes[] | select(.probe=="gateway") | .findings[0].id] | join(",")')" gateway.ok \
    "healthy: gateway.ok"
like "$(jqo '.probes[] | select(.probe=="gateway") | .findings[0].summary')" \
    '1 Gateway programmed with an address, 3 routes accepted with resolved references; 1 object without a status section not judged' \
    "healthy: the verdict counts what it judged and what it did not"
like "$(jqo '.probes[] | select(.probe=="gateway") | .findings[0].evidence["no_status.1"]')" \
    'HTTPRoute media/bazarr \(.*gitops/bazarr\.yaml:3\)' "healthy: the GitOps route without status is named, not judged"
is "$(jqo '[.probes[] | select(.probe=="http") | .findings[0].id] | unique | join(",")')" http.ok \
    "healthy: every route hostname answers through the Gateway"
is "$(jqo '[.probes[] | select(.probe=="http")] | length')" 3 "healthy: three pages (sonarr, bazarr, jellyfin)"
is "$(jqo '[.probes[] | select(.probe=="dns") | .findings[0].id] | unique | join(",")')" dns.ok \
    "healthy: the Pi-hole answers every hostname with the Gateway"
is "$(jqo '[.probes[] | select(.probe=="arp") | .findings[0].id] | join(",")')" arp.ok \
    "healthy: the Gateway's address has its one announcer"

# --- every verdict, and the status explaining what the pages get -------------
nd -c "$ND_TMP/nd.yaml" --manifests "$MF/broken" --format json
is "$RC" 2 "broken: exit 2"
is "$(jqo '[.causes[].id] | sort | join(",")')" \
    gateway.backend_unresolved,gateway.no_address,gateway.not_programmed,gateway.route_not_accepted,gateway.route_not_accepted \
    "broken: the status findings are the causes, no http.* of their own"
cause() { jqo ".causes[] | select(.id==\"$1\" and (.summary | test(\"$2\")))"; }
like "$(cause gateway.route_not_accepted wiki | jq -r .summary)" \
    'HTTPRoute tools/wiki is not accepted \(Gateway gateway/home-gw, listener https\): NotAllowedByListeners: HTTPRoute is not allowed' \
    "route_not_accepted: the route, its Gateway and listener, the reason and message"
like "$(cause gateway.route_not_accepted wiki | jq -r '.explains | join(" ")')" \
    'https://wiki\.int\.example\.be/\?nd-connect=10\.200\.90\.61#http@10\.200\.90\.61' \
    "route_not_accepted explains the wiki page's http.route_not_found"
is "$(jqo '.probes[] | select(.target | test("wiki")) | select(.probe=="http") | .findings[0].id')" \
    http.route_not_found "the wiki page itself got the proxy's 404 (http.route_not_found)"
like "$(cause gateway.route_not_accepted wiki | jq -r '.fix[0]')" \
    '^kubectl describe httproute -n tools wiki .*kubectl get gateway -n gateway home-gw -o yaml' \
    "route_not_accepted: the fix names the route and the Gateway"
like "$(cause gateway.route_not_accepted sabnzbd | jq -r .summary)" 'NoMatchingListenerHostname' \
    "route_not_accepted: NoMatchingListenerHostname"
like "$(cause gateway.route_not_accepted sabnzbd | jq -r '.explains | join(" ")')" \
    'http://sabnzbd\.int\.example\.be/\?nd-connect=10\.200\.90\.61#http' \
    "route_not_accepted explains the http:// page on the listener it named"
like "$(cause gateway.backend_unresolved lidarr | jq -r .summary)" \
    'HTTPRoute media/lidarr has a backendRef that does not resolve .*BackendNotFound: Service "lidarr" not found' \
    "backend_unresolved: BackendNotFound with the controller's message"
like "$(cause gateway.backend_unresolved lidarr | jq -r '.explains | join(" ")')" \
    'https://lidarr\.int\.example\.be/.*#http' "backend_unresolved explains lidarr's no healthy upstream"
like "$(cause gateway.not_programmed lab-gw | jq -r .summary)" \
    'Gateway gateway/lab-gw is not programmed: Programmed Unknown, reason Pending: Waiting for controller' \
    "not_programmed: no controller for the class (Pending)"
is "$(cause gateway.not_programmed lab-gw | jq -r '.fix[0]')" \
    'kubectl get gateway -n gateway lab-gw -o yaml   # status.conditions: Programmed Pending; kubectl get gatewayclass (ACCEPTED, CONTROLLER)' \
    "not_programmed: the fix names the Gateway"
like "$(cause gateway.no_address iot-gw | jq -r .summary)" \
    'Gateway gateway/iot-gw has no address in its status: AddressNotAssigned' "no_address: AddressNotAssigned"
is "$(jqo '[.causes[] | select(.summary | test("grafana"))] | length')" 0 \
    "a route of the Gateway no controller owns: folded under that Gateway's finding"
ns_exec cli "$ND_BIN" run --timeout 3s -c "$ND_TMP/nd.yaml" --manifests "$MF/broken" \
    >"$ND_TMP/broken.txt" 2>&1
diag "$(cat "$ND_TMP/broken.txt")"

# --- plain manifests: no status, no verdict -----------------------------------
nd --manifests "$ND_TOP/fixtures/manifests" --print-plan
is "$RC" 0 "plain GitOps manifests: exit 0"
like "$(cat "$ND_TMP/out")" '2 Gateway API objects without a status section \(plain manifests\): no Gateway status check' \
    "plain manifests: a note says why there is no Gateway verdict"
is "$(grep -c '^  gateway://' "$ND_TMP/out")" 0 "plain manifests: no gateway:// target"
nd gateway://
is "$RC" 3 "gateway:// with nothing to judge: exit 3"
like "$(cat "$ND_TMP/err")" 'gateway://: nothing to judge' "gateway:// alone: says why"
nd gateway://x
is "$RC" 3 "gateway://x: exit 3"
like "$(cat "$ND_TMP/err")" 'gateway:// takes nothing after it' "gateway://x: says why"

# --- bad status sections: exit 3 with the line ---------------------------------
bad() {
	nd --manifests "$ND_TOP/fixtures/manifests-bad/$1"
	is "$RC" 3 "$1: exit 3"
	like "$(cat "$ND_TMP/err")" "$1:$2: .*$3" "$1: names line $2 and what"
}
bad conditions-not-list.yaml 8 'Gateway gw: status\.conditions: must be a list, got a string'
bad listener-port.yaml 9 "Gateway gw: spec\\.listeners\\[0\\]\\.port: 'https' is not a port"
bad parent-not-map.yaml 10 'HTTPRoute r: status\.parents\[0\]: must be a mapping, got a string'

done_testing
