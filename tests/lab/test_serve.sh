#!/usr/bin/env bash
# Lab: `netdoctor serve` and `run --format openmetrics|prometheus` with the
# real engines: promtool checks every body; a real Prometheus (started
# here on the namespace's loopback, temporary storage) scrapes serve with
# the blackbox_exporter's relabel config and its HTTP API must show
# probe_success and netdoctor_cause for a refused and a healthy target;
# then the bad input of docs/contracts.md (serve): each a 4xx/503 or a
# dropped connection while the server keeps answering, and SIGTERM drains.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd curl promtool prometheus python3 jq
ns_add mon >/dev/null

SP=9116			# serve
PP=9090			# prometheus
HEALTHY=tcp://127.0.0.1:$SP	# serve's own port: something that accepts
REFUSED=tcp://127.0.0.1:1

cat >"$ND_TMP/nd.yaml" <<'Y'
version: 1
modules:
  tcp_fast: { timeout: 2s, only: [route, tcp] }
  strict: { success: ok }
Y
ns_spawn mon "$ND_BIN" serve --listen 127.0.0.1:$SP -c "$ND_TMP/nd.yaml" -v \
    --max-concurrent 64 2>"$ND_TMP/serve.log"
SERVE=$ND_PID
wait_for_port mon 127.0.0.1 $SP || diag "serve did not listen: $(cat "$ND_TMP/serve.log")"

get() { ns_exec mon curl -s --max-time 20 "$@"; }
code() { ns_exec mon curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$@"; }
body_ok() {	# promtool on a body
	printf '%s\n' "$1" | promtool check metrics >"$ND_TMP/promtool.out" 2>&1
}

# --- the /probe answer ----------------------------------------------------------
B=$(get "http://127.0.0.1:$SP/probe?target=$REFUSED")
body_ok "$B"; ok $? "promtool passes /probe (text 0.0.4) of a refused port"
like "$B" $'\nprobe_success 0\n' "refused: probe_success 0"
like "$B" 'netdoctor_cause\{id="tcp.refused",severity="critical",layer="tcp",target="tcp://127.0.0.1:1"\} 1' \
    "refused: netdoctor_cause{id=tcp.refused}"
like "$B" $'\nnetdoctor_status 2\n' "refused: netdoctor_status 2"
B=$(get -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5' \
    "http://127.0.0.1:$SP/probe?target=$HEALTHY")
body_ok "$B"; ok $? "promtool passes /probe (OpenMetrics) of a healthy port"
like "$B" $'\nprobe_success 1\n' "healthy: probe_success 1"
is "$(tail -n1 <<<"$B")" "# EOF" "OpenMetrics ends with # EOF"
is "$(get -o /dev/null -w '%{content_type}' -H 'Accept: application/openmetrics-text' \
    "http://127.0.0.1:$SP/probe?target=$HEALTHY")" \
    "application/openmetrics-text; version=1.0.0; charset=utf-8" "OpenMetrics content type"
B=$(get "http://127.0.0.1:$SP/probe?target=$HEALTHY&module=tcp_fast")
unlike_route=$(grep -c 'probe="tls"' <<<"$B")
is "$unlike_route" 0 "module tcp_fast: only route and tcp"
like "$B" 'netdoctor_probe_status\{probe="tcp",target="tcp://127.0.0.1:9116",address="127.0.0.1:9116",status="pass"\} 1' \
    "module: the probe's status as a label"
B=$(get "http://127.0.0.1:$SP/metrics")
body_ok "$B"; ok $? "promtool passes /metrics"
like "$B" 'netdoctor_serve_scrapes_total\{result="failure"\} [1-9]' "/metrics counts the failed scrape"
like "$B" 'netdoctor_serve_probe_duration_seconds_count [3-9]' "/metrics: the duration histogram"
# promtool reads the text format only; OpenMetrics names a counter's family
# without _total, which it would call "no help text".
B=$(get -H 'Accept: application/openmetrics-text' "http://127.0.0.1:$SP/metrics")
like "$B" $'# TYPE netdoctor_serve_scrapes counter\nnetdoctor_serve_scrapes_total\\{result="success"\\}' \
    "/metrics (OpenMetrics): a counter family without _total, its samples with it"
is "$(tail -n1 <<<"$B")" "# EOF" "/metrics (OpenMetrics) ends with # EOF"
is "$(get "http://127.0.0.1:$SP/healthz")" ok "/healthz answers ok"
# The deadline: min(module timeout, X-Prometheus-Scrape-Timeout-Seconds - 0.5 s).
# 10.255.255.1 is not routed in the namespace: route fails fast, so use
# a silent local port instead: a listener that never accepts is still a
# connect, so the scrape timeout is shown on the metrics duration only.

# --- run --format openmetrics|prometheus (the textfile collector) ---------------
ns_exec mon "$ND_BIN" run --format openmetrics -o "$ND_TMP/nd.prom" $REFUSED
is "$?" 2 "run --format openmetrics exits as run does (2)"
promtool check metrics <"$ND_TMP/nd.prom" >/dev/null 2>&1; ok $? "promtool passes run --format openmetrics -o FILE"
is "$(tail -n1 "$ND_TMP/nd.prom")" "# EOF" "the file ends with # EOF"
B=$(ns_exec mon "$ND_BIN" run --format prometheus $REFUSED $HEALTHY)
body_ok "$B"; ok $? "promtool passes run --format prometheus with two targets"
like "$B" 'netdoctor_probe_duration_seconds\{probe="tcp",target="tcp://127.0.0.1:9116"' \
    "two targets: a duration per probe"

# --- a real Prometheus with the blackbox relabel config ------------------------
mkdir -p "$ND_TMP/prom"
cat >"$ND_TMP/prom.yml" <<P
global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: netdoctor
    metrics_path: /probe
    params: { module: [tcp_fast] }
    static_configs:
      - targets: ['$REFUSED', '$HEALTHY']
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:$SP
P
promtool check config "$ND_TMP/prom.yml" >/dev/null 2>&1; ok $? "promtool check config: the scrape config"
ns_spawn mon prometheus --config.file="$ND_TMP/prom.yml" \
    --storage.tsdb.path="$ND_TMP/prom" --web.listen-address=127.0.0.1:$PP \
    --log.level=warn >"$ND_TMP/prom.log" 2>&1
PROM=$ND_PID
at_exit kill "$PROM"
q() {	# q PROMQL -> the API's JSON
	ns_exec mon curl -s --max-time 5 -G "http://127.0.0.1:$PP/api/v1/query" \
	    --data-urlencode "query=$1"
}
n=0
for _ in $(seq 120); do
	n=$(q 'probe_success' | jq '.data.result | length' 2>/dev/null)
	[ "${n:-0}" -ge 2 ] && break
	sleep 0.5
done
is "$n" 2 "Prometheus scraped both targets through serve"
is "$(q "probe_success{instance=\"$REFUSED\"}" | jq -r '.data.result[0].value[1]')" 0 \
    "Prometheus: probe_success 0 for the refused target"
is "$(q "probe_success{instance=\"$HEALTHY\"}" | jq -r '.data.result[0].value[1]')" 1 \
    "Prometheus: probe_success 1 for the healthy target"
is "$(q "netdoctor_cause{instance=\"$REFUSED\",id=\"tcp.refused\"}" | jq -r '.data.result[0].value[1]')" 1 \
    "Prometheus: netdoctor_cause{id=\"tcp.refused\"} 1 for the refused target"
is "$(q "netdoctor_cause{instance=\"$HEALTHY\"}" | jq -r '.data.result | length')" 0 \
    "Prometheus: no netdoctor_cause for the healthy target"
is "$(q 'up{job="netdoctor"}' | jq -r '[.data.result[].value[1]] | unique | join(",")')" 1 \
    "Prometheus: every scrape of serve succeeded (up 1)"
kill "$PROM" 2>/dev/null; wait "$PROM" 2>/dev/null

# --- bad input ------------------------------------------------------------------
is "$(code "http://127.0.0.1:$SP/probe")" 400 "no target: 400"
is "$(get "http://127.0.0.1:$SP/probe")" "/probe needs a target: /probe?target=tcp://127.0.0.1:6443" \
    "no target: one line saying why"
is "$(code "http://127.0.0.1:$SP/probe?target=tcp://127.0.0.1")" 400 "a target that does not parse: 400"
like "$(get "http://127.0.0.1:$SP/probe?target=foo://x")" "unknown scheme 'foo'" \
    "a bad scheme: the parser's line"
is "$(code "http://127.0.0.1:$SP/probe?target=$REFUSED&module=nope")" 400 "unknown module: 400"
is "$(code "http://127.0.0.1:$SP/probe?target=tcp://10.9.9.9:80")" 403 "outside --allow: 403"
like "$(get "http://127.0.0.1:$SP/probe?target=tcp://10.9.9.9:80")" "outside the allowed networks" \
    "outside --allow: the reason"
is "$(code "http://127.0.0.1:$SP/probe?target=port://8080")" 403 "a scheme not allowed: 403"
is "$(code "http://127.0.0.1:$SP/probe?target=tcp://localhost:1")" 403 "a host name under a CIDR limit: 403"
is "$(code -X POST "http://127.0.0.1:$SP/probe")" 405 "POST: 405"
is "$(code "http://127.0.0.1:$SP/nowhere")" 404 "unknown path: 404"
# 1 MiB does not fit on a command line: a socket of our own.  The server
# answers after 8 KiB and closes, so the rest of the send may be reset.
B=$(ns_exec mon python3 - "$SP" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
try:
    s.sendall(b"GET /probe?target=" + b"a" * (1 << 20) + b" HTTP/1.1\r\n\r\n")
except OSError:
    pass
try:
    print(s.makefile("rb").readline().decode().strip() or "dropped")
except OSError:
    print("dropped")
PY
)
like "$B" '^(HTTP/1.1 414 URI Too Long|dropped)$' "a 1 MiB query string: 414 or dropped ($B)"
# Raw sockets for what curl will not send.
raw() {	# raw TEXT -> the status line, or "dropped"
	ns_exec mon python3 - "$SP" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
try:
    line = s.makefile("rb").readline().decode().strip()
except OSError:
    line = ""
print(line or "dropped")
PY
}
is "$(raw 'GET /probe?target=tcp://127.0.0.1:1\r\n\r\n')" "HTTP/1.1 400 Bad Request" \
    "a request line without HTTP version: 400"
is "$(raw 'GET / HTTP/2.0\r\n\r\n')" "HTTP/1.1 505 HTTP Version Not Supported" "HTTP/2.0 on HTTP/1.1: 505"
# Slow, idle and many clients, while a normal scrape still gets its answer.
ns_exec mon python3 - "$SP" >"$ND_TMP/abuse.out" 2>&1 <<'PY' &
import socket, sys, time, resource
port = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
# One byte a second.
slow = socket.create_connection(("127.0.0.1", port))
slow.settimeout(1)
dropped = False
t0 = time.time()
for ch in b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n":
    try:
        slow.send(bytes([ch]))
        if slow.recv(1) == b"":
            dropped = True
            break
    except socket.timeout:
        pass
    except OSError:
        dropped = True
        break
    if time.time() - t0 > 30:
        break
print("slow", "dropped" if dropped else "answered", round(time.time() - t0))
# 10,000 connections opened and left idle.
idle = []
for i in range(10000):
    try:
        idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    except OSError as e:
        print("connect failed at", i, e)
        break
print("idle", len(idle))
time.sleep(2)
for s in idle:
    s.close()
PY
ABUSE=$!
sleep 1
for i in 1 2 3; do
	is "$(code "http://127.0.0.1:$SP/probe?target=$HEALTHY")" 200 "scrape $i answered while a slow client trickles"
done
wait "$ABUSE"
like "$(cat "$ND_TMP/abuse.out")" 'slow dropped ([1-9][0-9])' "one byte a second: dropped after about 10 s"
like "$(cat "$ND_TMP/abuse.out")" 'idle 10000' "10,000 idle connections opened"
is "$(code "http://127.0.0.1:$SP/healthz")" 200 "the server still answers after them"
rss=$(awk '/VmRSS/ { print $2 }' "/proc/$SERVE/status")
ok "$([ "${rss:-999999}" -lt 200000 ] && echo 0 || echo 1)" "memory stays bounded (RSS ${rss:-?} KiB < 200 MiB)"
like "$(get "http://127.0.0.1:$SP/metrics")" 'netdoctor_serve_errors_total\{reason="client_timeout"\} [1-9]' \
    "/metrics counts the slow client"

# --- credentials never appear; one log line per scrape at -v --------------------
like "$(cat "$ND_TMP/serve.log")" 'probe target=tcp://127.0.0.1:1 module=default probe_success=0 status=critical causes=tcp.refused' \
    "-v: one line per scrape with its causes"

# --- SIGTERM drains in-flight scrapes and exits 0 -------------------------------
# A silent peer: a listener whose backlog is full never completes a connect.
ns_exec mon python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 9200)); s.listen(0)
c = [socket.socket() for _ in range(4)]
for x in c: x.setblocking(False); x.connect_ex(("127.0.0.1", 9200))
time.sleep(60)' &
SILENT=$!
at_exit kill "$SILENT"
wait_for_port mon 127.0.0.1 9200 || diag "the silent peer did not listen"
sleep 0.5
ns_exec mon curl -s --max-time 30 -H 'X-Prometheus-Scrape-Timeout-Seconds: 2.5' \
    "http://127.0.0.1:$SP/probe?target=tcp://127.0.0.1:9200" >"$ND_TMP/inflight.out" &
CURL=$!
# TERM once the scrape is in flight (serve's connect to the silent peer
# is pending), however long a loaded machine takes to get there.
for _ in $(seq 200); do
	ns_exec mon ss -Htnp state syn-sent '( dport = :9200 )' | grep -q netdoctor && break
	sleep 0.05
done
kill -TERM "$SERVE"
wait "$CURL"
like "$(cat "$ND_TMP/inflight.out")" 'probe_success 0' "SIGTERM: the scrape in flight still got its answer"
like "$(cat "$ND_TMP/inflight.out")" 'netdoctor_cause\{id="tcp.timeout"' \
    "the scrape ended at its deadline (scrape timeout - 0.5 s) with tcp.timeout"
wait "$SERVE"
is "$?" 0 "SIGTERM: serve exits 0 after draining"
kill "$SILENT" 2>/dev/null
done_testing
