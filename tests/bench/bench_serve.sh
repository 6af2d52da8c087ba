#!/usr/bin/env bash
# `netdoctor serve` side by side with prometheus-blackbox-exporter, both in
# one namespace of their own, on the same loopback targets:
#   tcp    a listener that accepts and closes; netdoctor tcp://, the
#          exporter's tcp prober
#   https  a TLS listener (a certificate made here); netdoctor tls://
#          (route, tcp, tls: the http:// probe is not on this branch, so
#          no HTTP request is made on either side) and the exporter's tcp
#          prober with tls: true; both verify the chain and the name
# For each: scrapes per second with CLIENTS concurrent scrapers (keep-alive
# connections, python3 threads) for SECONDS, p50 and p99 scrape latency,
# then each server's RSS before and after SCRAPES more scrapes.
# Figures are printed, never asserted: the machine is shared and noisy.
set -u
. "$(dirname "$0")/../lab/lib.sh"
need_root
need_cmd prometheus-blackbox-exporter python3 openssl curl
CLIENTS=${CLIENTS:-50}
SECONDS_RUN=${SECONDS_RUN:-30}
SCRAPES=${SCRAPES:-10000}
ns_add bench >/dev/null

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj /CN=localhost -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
    -keyout "$ND_TMP/key.pem" -out "$ND_TMP/cert.pem" 2>/dev/null || exit 1
cat >"$ND_TMP/peers.py" <<'PY'
import socket, ssl, sys, threading
d = sys.argv[1]
def plain():
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 7000)); s.listen(4096)
    while True:
        c, _ = s.accept(); c.close()
def tls():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(d + "/cert.pem", d + "/key.pem")
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 7443)); s.listen(4096)
    def one(c):
        try:
            t = ctx.wrap_socket(c, server_side=True); t.recv(1); t.close()
        except OSError:
            c.close()
    while True:
        c, _ = s.accept()
        threading.Thread(target=one, args=(c,), daemon=True).start()
threading.Thread(target=plain, daemon=True).start()
tls()
PY
ns_spawn bench python3 "$ND_TMP/peers.py" "$ND_TMP" >"$ND_TMP/peers.log" 2>&1
cat >"$ND_TMP/bb.yml" <<Y
modules:
  tcp_connect: { prober: tcp, timeout: 5s }
  tls_connect:
    prober: tcp
    timeout: 5s
    tcp: { tls: true, tls_config: { ca_file: $ND_TMP/cert.pem, server_name: localhost } }
Y
ns_spawn bench "$ND_BIN" serve --listen 127.0.0.1:9116 --max-concurrent 512 2>"$ND_TMP/nd.log"
NDPID=$ND_PID
ns_spawn bench prometheus-blackbox-exporter --config.file="$ND_TMP/bb.yml" \
    --web.listen-address=127.0.0.1:9115 --log.level=error >"$ND_TMP/bb.log" 2>&1
BBPID=$ND_PID
for p in 7000 7443 9115 9116; do
	wait_for_port bench 127.0.0.1 $p 10000 || { echo "port $p did not open"; exit 1; }
done

# load URL CLIENTS SECONDS|-N -> "scrapes/s p50_ms p99_ms errors"
load() {
	ns_exec bench python3 - "$@" <<'PY'
import http.client, sys, threading, time, urllib.parse
url, clients, dur = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
u = urllib.parse.urlsplit(url)
path = u.path + "?" + u.query
lat, errs, lock = [], [0], threading.Lock()
total = int(-dur) if dur < 0 else None
left = [total]
def worker():
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    mine = []
    end = time.time() + (dur if dur > 0 else 1e9)
    while time.time() < end:
        if total is not None:
            with lock:
                if left[0] <= 0: break
                left[0] -= 1
        t = time.perf_counter()
        try:
            c.request("GET", path); r = c.getresponse(); b = r.read()
            ok = r.status == 200 and (b"probe_success 1" in b)
        except Exception:
            ok = False; c.close(); c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        mine.append(time.perf_counter() - t)
        if not ok:
            with lock: errs[0] += 1
    with lock: lat.extend(mine)
t0 = time.time()
th = [threading.Thread(target=worker) for _ in range(clients)]
[t.start() for t in th]; [t.join() for t in th]
el = time.time() - t0
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000 if lat else 0
print("%.0f %.2f %.2f %d" % (len(lat) / el, p(0.5), p(0.99), errs[0]))
PY
}
rss() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }

ND_TCP="http://127.0.0.1:9116/probe?target=tcp://127.0.0.1:7000"
ND_TLS="http://127.0.0.1:9116/probe?target=tls://127.0.0.1:7443%3Fca%3D${ND_TMP//\//%2F}%2Fcert.pem%26sni%3Dlocalhost"
BB_TCP="http://127.0.0.1:9115/probe?target=127.0.0.1:7000&module=tcp_connect"
BB_TLS="http://127.0.0.1:9115/probe?target=127.0.0.1:7443&module=tls_connect"
for u in "$ND_TCP" "$ND_TLS" "$BB_TCP" "$BB_TLS"; do
	ns_exec bench curl -s "$u" | grep -q '^probe_success 1' ||
	    echo "warning: $u does not succeed: $(ns_exec bench curl -s "$u" | grep -E 'cause|probe_success')"
done

printf '%-8s %-22s %10s %9s %9s %7s\n' target server scrapes/s p50_ms p99_ms errors
for t in tcp https; do
	for s in netdoctor blackbox_exporter; do
		case $t/$s in
		tcp/netdoctor) u=$ND_TCP ;; https/netdoctor) u=$ND_TLS ;;
		tcp/blackbox_exporter) u=$BB_TCP ;; https/blackbox_exporter) u=$BB_TLS ;;
		esac
		read -r rate p50 p99 errs < <(load "$u" "$CLIENTS" "$SECONDS_RUN")
		printf '%-8s %-22s %10s %9s %9s %7s\n' "$t" "$s" "$rate" "$p50" "$p99" "$errs"
	done
done
echo
printf '%-22s %14s %14s   (%s more scrapes, tcp then https, %s clients)\n' server \
    "RSS before KiB" "RSS after KiB" "$SCRAPES" "$CLIENTS"
for s in netdoctor blackbox_exporter; do
	if [ $s = netdoctor ]; then pid=$NDPID; a=$ND_TCP; b=$ND_TLS; else pid=$BBPID; a=$BB_TCP; b=$BB_TLS; fi
	before=$(rss "$pid")
	load "$a" "$CLIENTS" "-$((SCRAPES / 2))" >/dev/null
	load "$b" "$CLIENTS" "-$((SCRAPES / 2))" >/dev/null
	printf '%-22s %14s %14s\n' "$s" "$before" "$(rss "$pid")"
done
