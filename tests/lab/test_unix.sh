#!/usr/bin/env bash
# Lab: unix sockets as targets (unix://, http+unix://) and as cloudflared
# origins (unix:, unix+tls: ingress rules), and the dns probe's split-horizon
# note for a tunnel's hostnames.  The origins are real servers on unix
# sockets in this test's namespace: an HTTP app (fixtures/unix/http_unix.py,
# as gunicorn --bind unix: serves one) and nginx listening on unix: with
# and without TLS; the LAN's DNS server is dnsmasq in a second namespace.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq nginx openssl dnsmasq
PY=/usr/bin/python3
RUN=$ND_TMP/run
S=$ND_TMP/sock
mkdir -p "$RUN" "$S"
# nobody must reach the socket directory to meet the socket's own mode.
chmod 755 "$ND_TMP" "$S"

ns_add cli >/dev/null
ns_add lan >/dev/null
veth_pair cli vc 10.200.96.1/24 lan vl 10.200.96.2/24
ok $? "a link: cli 10.200.96.1 <-> lan 10.200.96.2"
# The system resolver of 'cli' is the LAN's dnsmasq too: nothing leaves.
mkdir -p "/etc/netns/nd-$$-cli"
at_exit rm -rf "/etc/netns/nd-$$-cli"
printf 'nameserver 10.200.96.2\noptions timeout:1 attempts:1\n' \
    >"/etc/netns/nd-$$-cli/resolv.conf"

app() {	# app NAME [ARGS...] - the fixture on $S/NAME.sock, its pid in APP_PID
	sim_spawn cli "$1" unix/http_unix.py --socket "$S/$1.sock" "${@:2}"
	APP_PID=$SIMPID
	grep -q '^READY' "$ND_TMP/$1.log"
}
nd() { nd_json cli --timeout 2s "$@"; }
ev() { jqo ".causes[0].evidence[] | select(.key==\"$1\") | .value"; }
# The targets probed, in report order, each once.
urls() { jqo '[.probes[].target] | reduce .[] as $t ([]; if index([$t]) then . else . + [$t] end) | join(" ")'; }
fid() { jqo "[.probes[] | select(.probe==\"$1\") | .findings[].id] | join(\" \")"; }

# --- unix://: every way a socket file fails ------------------------------------
app web
ok $? "the app listens on $S/web.sock"
nd "unix://$S/web.sock"
is "$RC" 0 "a listening socket: exit 0"
is "$(fid unix)" unix.ok "a listening socket: unix.ok"
is "$(jqo '.probes[0].address')" "unix:$S/web.sock" "the address is the socket"

nd "unix://$S/nope.sock"
is "$RC" 2 "no socket: exit 2"
is "$(first)" unix.missing "no socket: unix.missing"
nd "unix://$S/nodir/app.sock"
is "$(first)" unix.missing "no directory: unix.missing"

: >"$S/file"
nd "unix://$S/file"
is "$(first)" unix.not_socket "a regular file: unix.not_socket"
nd "unix://$S"
is "$(first)" unix.not_socket "a directory: unix.not_socket"
app dgram --dgram
nd "unix://$S/dgram.sock"
is "$(first)" unix.not_socket "a datagram socket: unix.not_socket"
like "$(jqo '.causes[0].summary')" 'datagram' "datagram: says so"

app stale
kill -9 "$APP_PID"; wait "$APP_PID" 2>/dev/null
[ -S "$S/stale.sock" ]
ok $? "a killed service leaves its socket file"
nd "unix://$S/stale.sock"
is "$(first)" unix.refused "a stale socket file: unix.refused"

# The backlog stays full: a deterministic wait for the whole deadline.
app stuck --stuck
nd --timeout 1s "unix://$S/stuck.sock"
is "$(first)" unix.timeout "a listener that never accepts: unix.timeout"
like "$(ev tries)" '^[0-9]+$' "unix.timeout: the tries as evidence"

app private --mode 0660
nd --user nobody "unix://$S/private.sock"
is "$RC" 1 "mode 0660, as nobody: exit 1 (a warning)"
is "$(first)" unix.permission_denied "mode 0660, as nobody: unix.permission_denied"
is "$(ev mode)" 0660 "permission denied: the mode as evidence"
is "$(ev uid)" 65534 "permission denied: the user netdoctor ran as"
like "$(jqo '.causes[0].fix[0]')" "sudo -u cloudflared netdoctor run unix://$S/private\\.sock" \
    "permission denied: the fix checks as cloudflared's user"
nd "unix://$S/private.sock"
is "$(fid unix)" unix.ok "mode 0660, as root: unix.ok"

# --- http+unix://: HTTP over the socket ---------------------------------------
nd "http+unix://app.example.com/login?a=1&nd-unix=$S/web.sock"
is "$RC" 0 "http+unix://: exit 0"
is "$(fid http)" http.ok "http+unix://: http.ok"
is "$(jqo '.probes[] | select(.probe=="http") | .findings[0].evidence.request')" \
    "http://app.example.com/login?a=1" "http+unix://: sent as http:// with the URL's Host"
grep -q '"GET /login?a=1 HTTP/1.1" 200' "$ND_TMP/web.log"
ok $? "the app got the request"
app teapot --status 418
nd "http+unix://app.example.com/?nd-unix=$S/teapot.sock"
is "$(first)" http.status_mismatch "418 over the socket: http.status_mismatch"
like "$(jqo '.causes[0].fix[0]')" "unix:$S/teapot\\.sock" "the fix names the socket, not an address"
nd "http+unix://app.example.com/?nd-unix=$S/nope.sock"
is "$(first)" unix.missing "http+unix:// to no socket: unix.missing"
is "$(jqo '.probes[] | select(.probe=="http") | .status')" skip "... and http is skipped"

# --- cloudflared's unix: and unix+tls: rules -------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$RUN/o.key" -out "$RUN/o.crt" -subj /CN=origin -days 2 >/dev/null 2>&1
nginx_conf "$RUN" <<NGINX
	server {
		listen unix:$S/nginx-tls.sock ssl;
		ssl_certificate $RUN/o.crt;
		ssl_certificate_key $RUN/o.key;
		return 200 "tls origin\n";
	}
	server {
		listen unix:$S/nginx.sock;
		return 200 "plain origin\n";
	}
NGINX
ns_spawn cli nginx -p "$RUN" -c "$RUN/nginx.conf" >"$ND_TMP/nginx.log" 2>&1
for _ in $(seq 100); do [ -S "$S/nginx.sock" ] && [ -S "$S/nginx-tls.sock" ] && break; sleep 0.05; done
[ -S "$S/nginx.sock" ] && [ -S "$S/nginx-tls.sock" ]
ok $? "nginx listens on unix: (plain and TLS)" || diag "$(cat "$ND_TMP/nginx.log" "$RUN/error.log" 2>/dev/null)"

cat >"$ND_TMP/config.yml" <<YAML
tunnel: homelab
ingress:
  - hostname: grafana.home.example.com
    service: unix:$S/web.sock
  - hostname: nas.home.example.com
    service: unix:$S/nginx-tls.sock
  - hostname: vault.home.example.com
    service: unix+tls:$S/nginx-tls.sock
  - hostname: wiki.home.example.com
    service: unix:$S/stale.sock
  - service: http_status:404
YAML
nd --cloudflared-config "$ND_TMP/config.yml"
is "$RC" 2 "ingress to unix sockets: exit 2"
is "$(urls)" \
    "http+unix://grafana.home.example.com/?nd-unix=$S/web.sock&nd-status=100-599 http+unix://nas.home.example.com/?nd-unix=$S/nginx-tls.sock&nd-status=100-599 unix://$S/nginx-tls.sock http+unix://wiki.home.example.com/?nd-unix=$S/stale.sock&nd-status=100-599" \
    "unix: becomes http+unix:// with the rule's Host, unix+tls: the socket alone"
is "$(jqo '[.probes[] | select(.target | test("grafana")) | .findings[0].id] | join(" ")')" \
    "unix.ok http.ok" "unix: to the app: unix.ok, http.ok"
is "$(jqo '[.causes[].id] | sort | join(" ")')" \
    "cftunnel.origin_scheme_mismatch unix.refused" "the TLS socket behind unix: and the stale one are the causes"
is "$(jqo '.causes[] | select(.id=="cftunnel.origin_scheme_mismatch") | .evidence[] | select(.key=="suggest") | .value')" \
    "unix+tls:$S/nginx-tls.sock" "unix: to a TLS socket: suggests unix+tls:"
like "$(cat "$ND_TMP/err.txt")" 'vault\.home\.example\.com -> unix\+tls:.*TLS over a unix socket is not checked' \
    "unix+tls: says what is left unchecked"
like "$(jqo '.causes[] | select(.id=="unix.refused") | .target')" 'wiki\.home\.example\.com' \
    "the stale socket's rule is named by its hostname"

# --- split horizon: the LAN's DNS answers a tunnel hostname with a LAN address ---------
ns_spawn lan dnsmasq --no-resolv --no-hosts --listen-address=10.200.96.2 --bind-interfaces \
    --port=53 --no-daemon --pid-file= \
    --address=/grafana.home.example.com/192.168.1.20 \
    --address=/nas.home.example.com/203.0.113.10 \
    --address=/vault.home.example.com/fd00:96::20 >"$ND_TMP/dnsmasq.log" 2>&1
for _ in $(seq 100); do [ "$(ns_exec lan ss -Hlun | grep -c '10.200.96.2:53 ')" -ge 1 ] && break; sleep 0.05; done
ok "$([ "$(ns_exec lan ss -Hlun | grep -c '10.200.96.2:53 ')" -ge 1 ] && echo 0 || echo 1)" \
    "dnsmasq answers for the LAN"
printf 'version: 1\ndns:\n  servers: [10.200.96.2]\n' >"$ND_TMP/netdoctor.yaml"
nd --config "$ND_TMP/netdoctor.yaml" --cloudflared-config "$ND_TMP/config.yml" --only dns,route
is "$(urls)" \
    "dns://10.200.96.2/grafana.home.example.com dns://10.200.96.2/nas.home.example.com dns://10.200.96.2/vault.home.example.com dns://10.200.96.2/wiki.home.example.com" \
    "dns.servers: one dns:// target per public hostname"
split_ids() { jqo "[.probes[] | select(.probe==\"dns\" and (.target | test(\"$1\"))) | .findings[].id] | join(\" \")"; }
is "$(split_ids grafana)" "dns.ok dns.split_horizon" "a LAN answer (192.168.1.20) for a tunnel hostname: dns.split_horizon"
is "$(split_ids nas)" "dns.ok" "control: a public-looking answer (203.0.113.10): no note"
is "$(jqo '.probes[] | select(.probe=="dns" and (.target | test("grafana"))) | .findings[1].severity')" \
    info "the note is info"
is "$(jqo '.probes[] | select(.probe=="dns" and (.target | test("grafana"))) | .findings[1].evidence.lan_answers')" \
    "192.168.1.20 (RFC 1918 private)" "the LAN answer and its range as evidence"
is "$(jqo '.probes[] | select(.probe=="dns" and (.target | test("grafana"))) | .findings[1].evidence.config')" \
    "$ND_TMP/config.yml:3" "the note names the ingress rule"
is "$(jqo '.probes[] | select(.probe=="dns" and (.target | test("grafana"))) | .status')" pass \
    "the note changes no verdict"
nd --config "$ND_TMP/netdoctor.yaml" --cloudflared-config "$ND_TMP/config.yml" --only dns,route \
    dns://10.200.96.2/grafana.home.example.com 2>/dev/null
like "$(cat "$ND_TMP/err.txt")" 'duplicate target dns://10\.200\.96\.2/grafana\.home\.example\.com' \
    "the same dns:// on the command line: a duplicate, named"
# A dns:// target given by hand, without dns.servers: annotated the same way.
nd --cloudflared-config "$ND_TMP/config.yml" --only dns,route \
    dns://10.200.96.2/grafana.home.example.com "dns://10.200.96.2/vault.home.example.com?type=AAAA"
is "$(jqo '[.probes[] | select(.probe=="dns")] | length')" 2 \
    "without dns.servers: no dns:// targets are added"
is "$RC" 0 "only notes: exit 0"
is "$(jqo '[.probes[] | select(.probe=="dns") | .findings[].id] | join(" ")')" \
    "dns.ok dns.split_horizon dns.ok dns.split_horizon" "a given dns:// target (A and AAAA) gets the note"
like "$(jqo '[.probes[].findings[] | select(.id=="dns.split_horizon") | .evidence.lan_answers] | join(" ")')" \
    'fd00:96::20 \(RFC 4193 unique local\)' "a ULA answer: dns.split_horizon"
is "$(first)" null "notes are no cause"
ns_exec cli "$ND_BIN" run --timeout 2s --cloudflared-config "$ND_TMP/config.yml" --only dns,route \
    dns://10.200.96.2/grafana.home.example.com >"$ND_TMP/split.txt" 2>&1
diag "$(cat "$ND_TMP/split.txt")"

done_testing
