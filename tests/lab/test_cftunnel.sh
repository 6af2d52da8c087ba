#!/usr/bin/env bash
# Lab: Cloudflare Tunnel, both ends.  'cli' is the host that runs
# cloudflared and netdoctor: cloudflared's metrics server replayed by
# fixtures/cloudflare/cloudflared_sim.py on 127.0.0.1:20241, the origins
# (Grafana as a Python web server on 127.0.0.1:3000, nginx speaking TLS on
# 127.0.0.1:3443 and plain HTTP on 127.0.0.1:3080).  'edge' is Cloudflare's
# edge for grafana.home.example.com, replayed by
# fixtures/cloudflare/edge_sim.py on 10.200.90.2:443 (the documented
# answers: 530 + 1033, 530 + 1016, 502, 522, 524, in text, HTML and JSON).
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq nginx openssl
PY=/usr/bin/python3
F=$ND_TOP/fixtures/cloudflare
RUN=$ND_TMP/run
PKI=$ND_TMP/pki
mkdir -p "$RUN" "$PKI"

# A test CA and a certificate for *.home.example.com (EC P-256).
(
	cd "$PKI" || exit 1
	openssl ecparam -name prime256v1 -genkey -noout -out ca.key &&
	openssl req -x509 -new -key ca.key -days 30 -subj "/CN=cftunnel lab CA" -out ca.crt &&
	openssl ecparam -name prime256v1 -genkey -noout -out edge.key &&
	openssl req -new -key edge.key -subj "/CN=*.home.example.com" -out edge.csr &&
	printf 'subjectAltName=DNS:*.home.example.com,DNS:127.0.0.1,IP:127.0.0.1\n' >edge.ext &&
	openssl x509 -req -in edge.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
	    -days 30 -extfile edge.ext -out edge.crt
) >/dev/null 2>&1 || { echo "Bail out! openssl failed"; exit 1; }

ns_add cli >/dev/null
ns_add edge >/dev/null
veth_pair cli vc 10.200.90.1/24 edge ve 10.200.90.2/24
ok $? "a link: cli 10.200.90.1 <-> edge 10.200.90.2"

# --- the origins ----------------------------------------------------------------
mkdir -p "$RUN/www"
echo '<title>Grafana</title>' >"$RUN/www/index.html"
nginx_conf "$RUN" <<NGINX
	server {
		listen 127.0.0.1:3443 ssl;
		ssl_certificate $PKI/edge.crt;
		ssl_certificate_key $PKI/edge.key;
		root $RUN/www;
	}
	server {
		listen 127.0.0.1:3080;
		root $RUN/www;
	}
NGINX
ns_spawn cli nginx -p "$RUN" -c "$RUN/nginx.conf" >"$ND_TMP/nginx.log" 2>&1
GRAFANA=
grafana() {	# grafana up|down - the origin on 127.0.0.1:3000
	if [ -n "$GRAFANA" ]; then kill "$GRAFANA"; wait "$GRAFANA" 2>/dev/null; GRAFANA=; fi
	[ "$1" = up ] || return 0
	ns_spawn cli "$PY" -m http.server --bind 127.0.0.1 --directory "$RUN/www" 3000 \
	    >"$ND_TMP/grafana.log" 2>&1
	GRAFANA=$ND_PID
	wait_for_port cli 127.0.0.1 3000 || diag "grafana: $(cat "$ND_TMP/grafana.log")"
}
grafana up
EDGE=
edge() {	# edge MODE [FORMAT]
	if [ -n "$EDGE" ]; then kill "$EDGE"; wait "$EDGE" 2>/dev/null; fi
	ns_spawn edge "$PY" "$F/edge_sim.py" --listen 10.200.90.2:443 \
	    --cert "$PKI/edge.crt" --key "$PKI/edge.key" --mode "$1" \
	    --format "${2:-auto}" >"$ND_TMP/edge.log" 2>&1
	EDGE=$ND_PID
	wait_for_port edge 10.200.90.2 443 || diag "edge_sim: $(cat "$ND_TMP/edge.log")"
}
CFD=
cloudflared() {	# cloudflared CONNECTIONS [MODE] [ADDR:PORT] - or "down"
	if [ -n "$CFD" ]; then kill "$CFD"; wait "$CFD" 2>/dev/null; CFD=; fi
	[ "$1" = down ] && return 0
	local l=${3:-127.0.0.1:20241}
	ns_spawn cli "$PY" "$F/cloudflared_sim.py" --listen "$l" \
	    --connections "$1" --mode "${2:-ok}" >"$ND_TMP/cloudflared.log" 2>&1
	CFD=$ND_PID
	wait_for_port cli "${l%:*}" "${l##*:}" || diag "cloudflared_sim: $(cat "$ND_TMP/cloudflared.log")"
}
wait_for_port cli 127.0.0.1 3443 && wait_for_port cli 127.0.0.1 3080
ok $? "nginx origins listen (TLS 3443, plain 3080)" || diag "$(cat "$ND_TMP/nginx.log" "$RUN/error.log" 2>/dev/null)"

# config.yml as cloudflared reads it; the credentials file holds a secret
# that must never reach a report.
mkconfig() {	# mkconfig SERVICE-OF-GRAFANA
	cat >"$ND_TMP/config.yml" <<YAML
tunnel: homelab
credentials-file: $ND_TMP/6ff42ae2.json
ingress:
  - hostname: grafana.home.example.com
    service: $1
  - hostname: nas.home.example.com
    service: https://127.0.0.1:3443
    originRequest:
      noTLSVerify: true
  - service: http_status:404
YAML
}
echo '{"AccountTag":"x","TunnelSecret":"c2VjcmV0LXR1bm5lbC1rZXk=","TunnelID":"6ff42ae2"}' \
    >"$ND_TMP/6ff42ae2.json"

nd() { nd_json cli --timeout 2s "$@"; }
ev() { jqo ".causes[0].evidence[] | select(.key==\"$1\") | .value"; }
probe_id() { jqo ".probes[] | select(.probe==\"$1\") | .findings[0].id" | head -1; }
U="https://grafana.home.example.com/?nd-connect=10.200.90.2&nd-ca=$PKI/ca.crt"
C=cloudflared://127.0.0.1:20241

# --- the Done-when: one command, five states ------------------------------------------
mkconfig http://127.0.0.1:3000
done_when() {	# done_when NAME - runs the Done-when command, keeps its text
	ns_exec cli "$ND_BIN" run --timeout 2s "$U" "$C" \
	    --cloudflared-config "$ND_TMP/config.yml" >"$ND_TMP/$1.txt" 2>&1
	nd "$U" "$C" --cloudflared-config "$ND_TMP/config.yml"
}

edge ok
cloudflared 4
done_when healthy
is "$RC" 0 "healthy: exit 0"
is "$(probe_id cloudflared)" cftunnel.ok "healthy: cftunnel.ok"
is "$(jqo '.probes[] | select(.probe=="cloudflared") | .findings[0].evidence.ha_connections')" 4 \
    "healthy: 4 HA connections as evidence"
is "$(jqo '.probes[] | select(.probe=="cloudflared") | .findings[0].evidence.tunnel')" homelab \
    "healthy: the tunnel's name from config.yml"

# 1. No connector at all: the edge says 1033 and nothing runs here.
edge 1033
cloudflared down
done_when no-connector
is "$RC" 2 "no connector: exit 2"
is "$(first)" cftunnel.not_connected "no connector (1033): cftunnel.not_connected first"
like "$(jqo '.causes[0].explains | join(" ")')" 'cloudflared://127\.0\.0\.1:20241#tcp' \
    "no connector: explains the refused metrics port"
like "$(jqo '.causes[0].fix[0]')" 'cloudflared tunnel info homelab' "no connector: the fix names the tunnel"
is "$(ev error_code)" 1033 "1033: the code as evidence"
like "$(ev ray_id)" '^[0-9a-f]{16}$' "1033: the Ray ID as evidence"
is "$(ev colo)" AMS "1033: the data centre as evidence"
is "$(jqo '.causes | length')" 1 "no connector: one cause"

# 2. The origin is down, the local connector healthy: the edge says 502.
edge 502
cloudflared 4
grafana down
done_when origin-down
is "$(first)" tcp.refused "origin down (502): the origin's refusal ranked first"
like "$(jqo '.causes[0].target')" '^http://127\.0\.0\.1:3000/' "origin down: the rule's service is the target"
like "$(jqo '.causes[0].explains | join(" ")')" 'grafana\.home\.example\.com.*#http' \
    "origin down: it explains the edge's 502"
is "$(probe_id cloudflared)" cftunnel.ok "origin down: the local connector is healthy"
is "$(jqo '[.probes[].findings[].id] | map(select(.=="cftunnel.origin_unreachable")) | length')" 1 \
    "origin down: the edge's answer is cftunnel.origin_unreachable"
grafana up
nd "$U"
is "$(first)" cftunnel.origin_unreachable "502 alone: cftunnel.origin_unreachable"
like "$(jqo '.causes[0].fix[0]')" 'cloudflared tunnel ingress rule https://grafana\.home\.example\.com' \
    "502: the fix is cloudflared tunnel ingress rule"

# 3. Origin DNS (1016).
edge 1016
done_when origin-dns
is "$(first)" cftunnel.origin_dns_error "origin DNS (1016): cftunnel.origin_dns_error first"
like "$(jqo '.causes[0].fix[0]')" 'route dns --overwrite-dns homelab grafana\.home\.example\.com' \
    "1016: the fix re-routes the hostname to the tunnel"

# 4. The rule says http:// where the origin speaks TLS.
edge 502
mkconfig http://127.0.0.1:3443
done_when scheme
is "$(first)" cftunnel.origin_scheme_mismatch "TLS where the rule says http: cftunnel.origin_scheme_mismatch first"
is "$(ev suggest)" https://127.0.0.1:3443 "scheme mismatch: suggests https://"
like "$(ev config)" 'config\.yml:4$' "scheme mismatch: names the rule's line"
like "$(jqo '.causes[0].explains | join(" ")')" 'grafana\.home\.example\.com.*#http' \
    "scheme mismatch: it explains the edge's 502"
# ... and the reverse: https:// for a plain-HTTP port.
mkconfig https://127.0.0.1:3080
nd "$U" --cloudflared-config "$ND_TMP/config.yml"
is "$(first)" cftunnel.origin_scheme_mismatch "plain HTTP where the rule says https: cftunnel.origin_scheme_mismatch"
is "$(ev suggest)" http://127.0.0.1:3080 "reverse mismatch: suggests http://"
mkconfig http://127.0.0.1:3000

# 5. cloudflared runs but holds no edge connection.
edge 1033
cloudflared 0
done_when no-edge
is "$(first)" cftunnel.no_connections "cloudflared without edge connections: cftunnel.no_connections first"
like "$(jqo '.causes[0].explains | join(" ")')" 'grafana\.home\.example\.com.*#http' \
    "no edge connections: explains the edge's 1033"
is "$(jqo '.causes | length')" 1 "no edge connections: one cause"
for s in healthy no-connector origin-down origin-dns scheme no-edge; do
	diag "--- $s" "$(cat "$ND_TMP/$s.txt")"
done
# The credentials file is named, never read.
! grep -q 'c2VjcmV0' "$ND_TMP"/*.txt "$ND_TMP/out.json"
ok $? "the credentials file's secret is in no report"

# --- the edge's formats and its other errors --------------------------------------------
for fmt in text html json; do
	edge 1033 "$fmt"
	nd "$U"
	is "$(first)" cftunnel.not_connected "1033 as $fmt: cftunnel.not_connected"
done
edge 1016 html
nd "$U"
is "$(first)" cftunnel.origin_dns_error "1016 as HTML: cftunnel.origin_dns_error"
edge 502 json
nd "$U"
is "$(first)" cftunnel.origin_unreachable "502 as JSON: cftunnel.origin_unreachable"
for code in 522 524; do
	edge "$code" html
	nd "$U"
	is "$(first)" cftunnel.edge_error "$code: cftunnel.edge_error"
	is "$(ev error_code)" "$code" "$code: the code as evidence"
done

# --- the local end ---------------------------------------------------------------------------
cloudflared 2
nd "$C"
is "$RC" 1 "2 HA connections: exit 1"
is "$(first)" cftunnel.degraded "2 HA connections: cftunnel.degraded"
cloudflared 3 no-ha
nd "$C"
is "$(first)" cftunnel.degraded "no HA gauge: readyConnections decides (3: degraded)"
like "$(ev ha_connections)" 'unknown' "no HA gauge: says so"
cloudflared 4 garbage
nd "$C"
is "$(first)" cftunnel.not_cloudflared "garbage: cftunnel.not_cloudflared"
cloudflared 4 big-ready
nd "$C"
is "$(first)" cftunnel.not_cloudflared "a 1 MiB /ready: cftunnel.not_cloudflared"
is "$(ev body_over_bound)" 65536 "1 MiB /ready: stopped at 64 KiB"
cloudflared 4 other-app
nd "$C"
is "$(first)" cftunnel.not_cloudflared "another program on the port: cftunnel.not_cloudflared"
# No PORT: the first of 20241-20245 that answers.
cloudflared 4 ok 127.0.0.1:20243
nd cloudflared://
is "$(jqo '.probes[] | select(.probe=="cloudflared") | .address')" 127.0.0.1:20243 \
    "cloudflared:// finds the metrics server on 20243"
is "$(first)" null "cloudflared:// on 20243: no cause"

# --- bad config.yml: exit 3 with file and line ---------------------------------------------------
badcfg() {	# badcfg DESC REGEX - config.yml from stdin
	cat >"$ND_TMP/bad.yml"
	out=$(ns_exec cli "$ND_BIN" run --cloudflared-config "$ND_TMP/bad.yml" 2>&1)
	rc=$?
	is "$rc" 3 "$1: exit 3"
	like "$out" "$2" "$1: names file and line"
}
badcfg "no catch-all rule" 'bad\.yml:3: the last ingress rule must match every request' < <(printf 'tunnel: t\ningress:\n  - hostname: a.example.com\n    service: http://127.0.0.1:1\n')
badcfg "an unknown key in a rule" "bad\.yml:4: unknown key 'servce' in 'ingress\[0\]' \(did you mean 'service'\?\)" < <(printf 'tunnel: t\ningress:\n  - hostname: a.example.com\n    servce: http://127.0.0.1:1\n  - service: http_status:404\n')
badcfg "a service that is no URL" "bad\.yml:3: ingress\[0\]\.service: 'localhost:8080' is not a URL" < <(printf 'tunnel: t\ningress:\n  - hostname: a.example.com\n    service: localhost:8080\n  - service: http_status:404\n')
badcfg "a YAML error" 'bad\.yml:4: column 1: YAML syntax error' < <(printf 'tunnel: t\ningress:\n  - hostname: [a\n')

done_testing
