#!/usr/bin/env bash
# Lab: the service path.  http:// and https:// targets against real web
# peers on a LAN of two namespaces: 'cli' (netdoctor, a laptop whose
# resolver is the Pi-hole) and 'gw' (the home lab): nginx and HAProxy on
# 10.200.80.61 (TLS with a certificate per SNI, a wildcard among them, Host
# routing, 404/502/503 answers), a Gateway's Envoy replayed by
# fixtures/web/envoy_sim.py on 10.200.80.63 (its local replies: no route,
# no healthy upstream, upstream connect error), misbehaving peers on
# 10.200.80.61:9001-9008, and a dnsmasq Pi-hole on 10.200.80.53 whose
# record for sonarr.int.example.be still points at the old Gateway
# address 10.200.80.50, which nobody holds any more.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq nginx haproxy dnsmasq openssl
PY=/usr/bin/python3
W=$ND_TOP/fixtures/web

PKI=$ND_TMP/pki
RUN=$ND_TMP/run
mkdir -p "$RUN"
sh "$W/mkcerts.sh" "$PKI" || { echo "Bail out! mkcerts.sh failed"; exit 1; }
CA="nd-ca=$PKI/ca.crt"

ns_add cli >/dev/null
ns_add gw >/dev/null
veth_pair cli vc 10.200.80.1/24 gw vg 10.200.80.61/24
ok $? "a LAN: cli 10.200.80.1 <-> gw 10.200.80.61"
for a in 53 63; do ip -n "$(_nd_ns gw)" addr add "10.200.80.$a/24" dev vg; done

# --- the peers ----------------------------------------------------------------
sub() { sed -e "s|@PKI@|$PKI|g" -e "s|@RUN@|$RUN|g" -e "s|@ADDR@|10.200.80.61|g" "$1"; }
sub "$W/nginx.conf" >"$RUN/nginx.conf"
head -c 1048576 /dev/zero >"$RUN/big.bin"
ns_spawn gw nginx -p "$RUN" -c "$RUN/nginx.conf" >"$ND_TMP/nginx.log" 2>&1
for n in wildcard other; do cat "$PKI/$n.crt" "$PKI/$n.key" >"$RUN/$n.pem"; done
printf '%s *.int.example.be\n%s other.example.be\n' "$RUN/wildcard.pem" \
    "$RUN/other.pem" >"$RUN/certs.lst"
sub "$W/haproxy.cfg" >"$RUN/haproxy.cfg"
ns_spawn gw haproxy -f "$RUN/haproxy.cfg" -db >"$ND_TMP/haproxy.log" 2>&1
ns_spawn gw dnsmasq --no-daemon --no-resolv --no-hosts --pid-file= \
    --listen-address=10.200.80.53 --bind-interfaces --local=/int.example.be/ \
    --host-record=sonarr.int.example.be,10.200.80.50,300 \
    --host-record=lidarr.int.example.be,10.200.80.63,300 \
    >"$ND_TMP/dns.log" 2>&1
i=0
for m in headers-forever body-4g body-forever trickle silent garbage close tls-alert; do
	i=$((i + 1))
	ns_spawn gw "$PY" "$W/envoy_sim.py" --listen "10.200.80.61:$((9000 + i))" \
	    --mode "$m" >"$ND_TMP/bad-$m.log" 2>&1
done
# envoy ROUTE... - (re)starts the Gateway's Envoy on 10.200.80.63:443.
ENVOY=
envoy() {
	if [ -n "$ENVOY" ]; then kill "$ENVOY"; wait "$ENVOY" 2>/dev/null; fi
	ns_spawn gw "$PY" "$W/envoy_sim.py" --listen 10.200.80.63:443 --tls "$PKI" \
	    --unknown-sni reset "$@" >"$ND_TMP/envoy.log" 2>&1
	ENVOY=$ND_PID
	wait_for_port gw 10.200.80.63 443 || diag "envoy_sim: $(cat "$ND_TMP/envoy.log")"
}
envoy --cert .int.example.be=wildcard --route sonarr.int.example.be=ok
up=0
for p in 443 80 8443 9001 9008; do wait_for_port gw 10.200.80.61 $p && up=$((up + 1)); done
is "$up" 5 "nginx (443, 80), HAProxy (8443) and the misbehaving peers listen" ||
    diag "$(cat "$ND_TMP/nginx.log" "$ND_TMP/haproxy.log")"

mkdir -p "/etc/netns/$(_nd_ns cli)"
at_exit rm -rf "/etc/netns/$(_nd_ns cli)"
echo "nameserver 10.200.80.53" >"/etc/netns/$(_nd_ns cli)/resolv.conf"

# The deadline: 2 s, many times what a healthy answer takes here; cases
# that must end before it, whatever the machine's speed, set a longer one.
TMO=2s
nd() { nd_json cli --timeout "$TMO" "$@"; }
ev() { jqo ".causes[0].evidence[] | select(.key==\"$1\") | .value"; }
hid() { jqo '.probes[] | select(.probe=="http") | .findings[0].id'; }
hev() { jqo ".probes[] | select(.probe==\"http\") | .findings[0].evidence.$1"; }
NG=nd-connect=10.200.80.61
GW=nd-connect=10.200.80.63

# --- the Done-when scenario: one URL, the states of the Gateway ------------------
U="https://sonarr.int.example.be/?$GW&$CA"
nd "$U"
is "$RC" 0 "healthy route: exit 0"
is "$(hid)" http.ok "healthy route: http.ok"
is "$(hev server)" envoy "healthy route: server envoy as evidence"
like "$(hev x_envoy)" 'x-envoy-upstream-service-time' "healthy route: the upstream time as evidence"
like "$(hev ttfb_ms)" '^[0-9.]+$' "healthy route: time to first byte"
cp "$ND_TMP/out.json" "$ND_TMP/healthy.json"
# The Nagios perfdata of each layer that ran: the TCP connect, the TLS
# handshake, the DNS query, and the days the certificate has left.
ns_exec cli "$ND_BIN" run --format nagios --timeout "$TMO" "$U" \
    "dns://10.200.80.53/sonarr.int.example.be" >"$ND_TMP/perf.txt" 2>&1
is "$?" 0 "nagios: a healthy route and its name, exit 0"
perf=$(sed -n '1s/^[^|]*|//p' "$ND_TMP/perf.txt")
for l in tcp_connect tls_handshake dns_query; do
	like "$perf" "'$l'=[0-9.]+s;[^ ]*;0;[0-9.]+" "nagios perfdata: $l in seconds"
done
days=$(sed -nE "s/.*'cert_days'=([0-9.]+);.*/\1/p" <<<"$perf")
ok "$(awk -v d="${days:-x}" 'BEGIN { exit !(d + 0 > 1 && d + 0 < 40000) }'; echo $?)" \
    "nagios perfdata: cert_days ${days:-missing} (the lab's certificate is valid)"

envoy --cert .int.example.be=wildcard --route radarr.int.example.be=ok
nd "$U"
is "$RC" 2 "no route for the host: exit 2"
is "$(first)" http.route_not_found "no route for the host: http.route_not_found first"
like "$(jqo '.causes[0].fix[0]')" 'kubectl get httproute -A -o wide.*sonarr\.int\.example\.be' \
    "no route: the fix names the HTTPRoutes and the host"
nd "https://lidarr.int.example.be/?$GW&$CA"
is "$(first)" http.route_not_found "another host without a route: http.route_not_found"

envoy --cert .int.example.be=wildcard --route sonarr.int.example.be=no-endpoints
nd "$U"
is "$(first)" http.no_healthy_upstream "a Service without endpoints: http.no_healthy_upstream first"
like "$(jqo '.causes[0].fix[0]')" 'endpointslices' "no healthy upstream: the fix names the EndpointSlices"

envoy --cert .int.example.be=wildcard --route sonarr.int.example.be=reset
nd "$U"
is "$(first)" http.upstream_connect_error "a backend that refuses: http.upstream_connect_error first"
is "$(ev reset_reason)" "connection failure" "upstream connect error: Envoy's reset reason as evidence"

envoy --cert .int.example.be=other --route sonarr.int.example.be=ok
nd "$U"
is "$(first)" tls.name_mismatch "a certificate that does not cover the name: tls.name_mismatch first"
is "$(ev name)" sonarr.int.example.be "name mismatch: the URL's host is checked, not nd-connect's IP"
like "$(jqo '.causes[0].explains | join(" ")')" '#http@10\.200\.80\.63' "name mismatch: it blocks the http probe"
is "$(jqo '.causes | length')" 1 "name mismatch: one cause"

# Gateway API listener wildcards match any depth, certificate wildcards one
# label: the route is served, with a certificate that does not cover it.
envoy --cert .int.example.be=wildcard --route sonarr.media.int.example.be=ok
nd "https://sonarr.media.int.example.be/?$GW&$CA"
is "$RC" 2 "wildcard depth at the Gateway: exit 2"
is "$(first)" tls.name_mismatch "wildcard depth at the Gateway: tls.name_mismatch first"
like "$(ev wildcard)" '^\*\.int\.example\.be covers exactly one label' \
    "wildcard depth at the Gateway: the wildcard covers one label"
is "$(jqo '.causes | length')" 1 "wildcard depth at the Gateway: one cause, the page folded under it"

envoy --cert .int.example.be=wildcard --route sonarr.int.example.be=ok
nd "dns://10.200.80.53/sonarr.int.example.be?expect=10.200.80.63" \
    "https://sonarr.int.example.be/?$CA"
is "$RC" 2 "stale Pi-hole record: exit 2"
is "$(first)" dns.wrong_answer "stale Pi-hole record: dns.wrong_answer ranked first"
is "$(jqo '.causes | length')" 1 "stale record: the web failure is folded under it"
like "$(jqo '.causes[0].explains | join(" ")')" 'https://sonarr\.int\.example\.be/\?nd-ca=[^ ]*#tcp@10\.200\.80\.50' \
    "stale record: it explains the connection to the old Gateway address"
like "$(jqo '.causes[0].explains | join(" ")')" '#http@10\.200\.80\.50' "stale record: and the page behind it"
ns_exec cli "$ND_BIN" run --timeout 2s "dns://10.200.80.53/sonarr.int.example.be?expect=10.200.80.63" \
    "https://sonarr.int.example.be/?$CA" >"$ND_TMP/done-when.txt" 2>&1
diag "$(cat "$ND_TMP/done-when.txt")"
nd "https://nxhost.int.example.be/?$CA" "dns://10.200.80.53/nxhost.int.example.be"
is "$(first)" dns.nxdomain "a missing record: dns.nxdomain first"
like "$(jqo '.causes[0].explains | join(" ")')" 'nxhost\.int\.example\.be/\?nd-ca=[^ ]*#resolve' \
    "a missing record: it explains the web target's failed resolve"

# --- TLS by SNI ---------------------------------------------------------------------
envoy --cert .int.example.be=wildcard --route sonarr.int.example.be=ok
nd "https://sonarr.example.org/?$GW&$CA"
is "$(first)" tls.handshake_failed "an SNI nothing serves (reset): tls.handshake_failed"
like "$(jqo '.causes[0].summary')" 'reset the connection right after the ClientHello for sonarr\.example\.org' \
    "unknown SNI: says the server reset right after the ClientHello"
nd "https://nobody.example.org/?$NG&$CA"
is "$(first)" tls.handshake_failed "an SNI nginx rejects: tls.handshake_failed"
like "$(jqo '.causes[0].summary')" 'ClientHello for nobody\.example\.org with alert 112 unrecognized_name' \
    "nginx ssl_reject_handshake: the alert named"
nd "https://sonarr.media.int.example.be/?$NG&$CA"
is "$(first)" tls.name_mismatch "wildcard depth: tls.name_mismatch"
like "$(ev wildcard)" '^\*\.int\.example\.be covers exactly one label' "wildcard depth: says the wildcard covers one label"
like "$(jqo '.causes[0].summary')" 'sonarr\.media\.int\.example\.be has 2 there' "wildcard depth: in the summary too"
nd "https://media.int.example.be/?$NG&$CA&nd-status=404"
is "$(hid)" http.ok "the wildcard covers one label: TLS passes (and an expected 404 is ok)"
nd "https://sonarr.int.example.be/?$NG"
is "$(first)" tls.untrusted "no nd-ca: judged against the system trust store"
like "$(ev ca_source)" 'system trust store' "untrusted: names the system trust store"

# --- nginx and HAProxy answers ----------------------------------------------------------
nd "https://sonarr.int.example.be/?$NG&$CA&nd-body=Sonarr%20Ready"
is "$(hid)" http.ok "nginx: the page with the expected text"
is "$(hev http_version)" HTTP/2 "nginx: HTTP/2 by ALPN"
nd "https://sonarr.int.example.be/?$NG&$CA&nd-body=Radarr"
is "$(first)" http.body_mismatch "nginx: another page: http.body_mismatch"
is "$(ev want)" Radarr "body mismatch: the wanted text as evidence"
like "$(ev body)" 'Sonarr Ready\\n' "body mismatch: the first bytes of the body, escaped"
nd "https://sonarr.int.example.be/login?$NG&$CA"
is "$(hid)" http.ok "a redirect is an answer (not followed)"
like "$(hev location)" '/login/$' "redirect: Location as evidence"
nd "https://sonarr.int.example.be/login?$NG&$CA&nd-status=200"
is "$(first)" http.status_mismatch "a redirect where nd-status=200: http.status_mismatch"
nd "https://radarr.int.example.be/?$NG&$CA"
is "$(first)" http.status_mismatch "nginx's own 502: http.status_mismatch"
is "$(ev status)" 502 "502: the status as evidence"
like "$(ev server)" '^nginx' "502: server nginx"
nd "https://lidarr.int.example.be/?$NG&$CA"
is "$(first)" http.status_mismatch "nginx's 404 page (an application could send it): http.status_mismatch"
nd "http://sonarr.int.example.be/?$NG"
is "$(hid)" http.ok "http:// answered by a redirect to https://"
like "$(hev location)" '^https://sonarr\.int\.example\.be/' "http://: the redirect's Location"
nd "http://sonarr.int.example.be:443/?$NG"
is "$(first)" http.protocol_error "http:// to a TLS port: http.protocol_error"
like "$(jqo '.causes[0].summary')" 'plain HTTP was sent to a TLS port' "http:// to TLS: says so"
nd "https://sonarr.int.example.be:8443/?$NG&$CA"
is "$(hid)" http.ok "HAProxy: the certificate by SNI and the Host's backend"
nd "https://other.example.be:8443/?$NG&$CA"
is "$(first)" http.status_mismatch "HAProxy without a server: its 503 is a status mismatch"
nd "https://sonarr.int.example.be/big?$NG&$CA"
is "$(hid)" http.ok "a 1 MiB page: judged on its first 64 KiB"
like "$(hev body_bytes)" '^65536 \(netdoctor stopped reading' "1 MiB page: stopped at 64 KiB"

# --- bounds: peers that misbehave ---------------------------------------------------------
bad() { nd "http://bad.lab.test:$1/?$NG"; }
bad 9001
is "$(first)" http.protocol_error "headers without end: http.protocol_error"
like "$(jqo '.causes[0].summary')" 'more than 32 KiB of headers' "headers without end: cut at 32 KiB"
# The bound, not the deadline, ends it: an answer judged (a deadline gives
# http.timeout) on 64 KiB (without the bound the peer would send all 4 GiB
# well within 60 s), and the probe ends before half the deadline.
TMO=60s
bad 9002
TMO=2s
is "$(hid)" http.ok "a 4 GiB Content-Length: judged on 64 KiB"
is "$(hev content_length)" 4294967296 "4 GiB: the announced length as evidence"
like "$(hev body_bytes)" '^65536 \(netdoctor stopped reading' "4 GiB: the bound stopped the reading"
is "$(jqo '.probes[] | select(.probe=="http") | .elapsed_ms < 30000')" true \
    "4 GiB: ends at the bound, not the deadline"
bad 9003
like "$(hev body_bytes)" '^65536 ' "a chunked body without end: stopped at 64 KiB"
bad 9004
is "$(first)" http.timeout "a trickling body: http.timeout"
like "$(jqo '.causes[0].summary')" 'answered 200 .* the body did not end' "trickle: the status came, the body did not end"
bad 9005
is "$(first)" http.timeout "a silent peer: http.timeout"
like "$(jqo '.causes[0].summary')" 'no status line' "silent: no status line"
bad 9006
is "$(first)" http.protocol_error "garbage: http.protocol_error"
bad 9007
is "$(first)" http.protocol_error "closed without a status line: http.protocol_error"
like "$(jqo '.causes[0].summary')" 'closed before any status line' "closed: says so"
bad 9008
is "$(first)" http.protocol_error "TLS bytes on an http:// port: http.protocol_error"

# --- ARP explains the web failure -------------------------------------------------------------
nd "arp://vc/10.200.80.62" "https://sonarr.int.example.be/?nd-connect=10.200.80.62&$CA"
is "$(first)" arp.no_responder "nobody holds the Gateway's IP: arp.no_responder ranked first"
is "$(jqo '.causes | length')" 1 "no responder: the connection failure is folded under it"
like "$(jqo '.causes[0].explains | join(" ")')" '#tcp@10\.200\.80\.62.*#http@10\.200\.80\.62' \
    "no responder: explains the tcp and http probes to that address"

# --- bad input: exit 3, the column -----------------------------------------------------------------
for u in "https://h.lab/#x" "https://u@h.lab/" "https://h.lab/?nd-status=999" \
    "https://h.lab/?nd-connect=gw.lab" "https://h.lab/?nd-nope=1"; do
	out=$(ns_exec cli "$ND_BIN" run "$u" 2>&1)
	rc=$?
	is "$rc" 3 "bad URL $u: exit 3"
	like "$out" 'column [0-9]+' "bad URL $u: names the column"
done

done_testing
