#!/usr/bin/env bash
# The service path's benchmark (make bench), in a namespace of its own:
# N (1,000) https:// targets on loopback, one nginx serving N names of one
# wildcard certificate over HTTP/1.1, every target given nd-connect= and
# nd-ca= in a netdoctor.yaml; `netdoctor run --format json` side by side
# with `curl --parallel --parallel-max 100` fetching the same URLs with
# --resolve (one process, like netdoctor), median wall time and peak RSS
# over REPEAT interleaved runs.  netdoctor does more per target than curl:
# a route lookup, a TCP connect of its own, a TLS handshake of its own
# (the certificate judged), then the request.  Figures are printed, never
# asserted.
set -u
. "$(dirname "$0")/../lab/lib.sh"
need_root
need_cmd nginx curl jq openssl
REPEAT=${REPEAT:-5}
N=${N:-1000}

PKI=$ND_TMP/pki RUN=$ND_TMP/run
mkdir -p "$PKI" "$RUN"
(
	cd "$PKI" || exit 1
	openssl ecparam -name prime256v1 -genkey -noout -out ca.key
	openssl req -x509 -new -key ca.key -days 30 -subj "/CN=bench CA" -out ca.crt
	openssl ecparam -name prime256v1 -genkey -noout -out w.key
	openssl req -new -key w.key -subj "/CN=*.bench.example.be" -out w.csr
	printf 'subjectAltName=DNS:*.bench.example.be\n' >w.ext
	openssl x509 -req -in w.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
	    -days 30 -extfile w.ext -out w.crt
) >/dev/null 2>&1 || { echo "Bail out! openssl failed"; exit 1; }
cat >"$RUN/nginx.conf" <<NGINX
user root;
daemon off;
worker_processes 2;
worker_rlimit_nofile 65536;
pid $RUN/nginx.pid;
error_log $RUN/error.log warn;
events { worker_connections 8192; }
http {
	access_log off;
	client_body_temp_path $RUN/body;
	proxy_temp_path $RUN/proxy;
	fastcgi_temp_path $RUN/fastcgi;
	uwsgi_temp_path $RUN/uwsgi;
	scgi_temp_path $RUN/scgi;
	server {
		listen 127.0.0.1:443 ssl backlog=4096;
		server_name *.bench.example.be;
		ssl_certificate $PKI/w.crt;
		ssl_certificate_key $PKI/w.key;
		location / { return 200 "ok\n"; }
	}
}
NGINX
ns_add bench >/dev/null
ns_exec bench sysctl -qw net.ipv4.tcp_tw_reuse=1
ns_exec bench sysctl -qw net.ipv4.ip_local_port_range="10000 60999"
ns_exec bench sysctl -qw net.core.somaxconn=4096
ns_spawn bench nginx -p "$RUN" -c "$RUN/nginx.conf" >"$ND_TMP/nginx.log" 2>&1
wait_for_port bench 127.0.0.1 443 || { echo "Bail out! nginx: $(cat "$ND_TMP/nginx.log")"; exit 1; }

cfg=$ND_TMP/bench.yaml curlcfg=$ND_TMP/curl.cfg
{
	echo "version: 1"
	echo "timeout: 10s"
	echo "targets:"
	for ((i = 1; i <= N; i++)); do
		echo "  - https://h$i.bench.example.be/?nd-connect=127.0.0.1&nd-ca=$PKI/ca.crt"
	done
} >"$cfg"
{
	for ((i = 1; i <= N; i++)); do
		echo "resolve = h$i.bench.example.be:443:127.0.0.1"
		echo "url = https://h$i.bench.example.be/"
		echo "output = /dev/null"
	done
} >"$curlcfg"
CURL="curl --parallel --parallel-max 100 --http1.1 -s --no-progress-meter --cacert $PKI/ca.crt -K $curlcfg"

echo "== $N https:// targets on loopback (one nginx, one wildcard, HTTP/1.1), $REPEAT runs each"
ns_exec bench "$ND_BIN" run --format json -c "$cfg" >"$ND_TMP/r.json"
echo "netdoctor check: exit $?, $(jq -r '[.probes[] | select(.probe=="http") | .findings[0].id] | group_by(.) | map("\(.[0])=\(length)") | join(" ")' "$ND_TMP/r.json")"
echo "curl check: $(ns_exec bench bash -c "$CURL -w '%{http_code}\n' -o /dev/null" | sort | uniq -c | tr '\n' ' ')"
before=()
[ -n "${ND_BIN_BEFORE:-}" ] &&
    before=(netdoctor-before "ip netns exec $(_nd_ns bench) $ND_BIN_BEFORE run --format json -c $cfg")
/usr/bin/python3 "$ND_TOP/tests/bench/measure.py" "$REPEAT" \
    netdoctor "ip netns exec $(_nd_ns bench) $ND_BIN run --format json -c $cfg" \
    "${before[@]}" \
    curl-parallel-100 "ip netns exec $(_nd_ns bench) $CURL"
