#!/usr/bin/env bash
# Lab: hostile and broken peers (fixtures/hostile.py) in this test's
# namespace.  Each case: the run ends within its deadlines, peak RSS stays
# bounded, exactly one report comes out, and the finding names the peer's
# behaviour at the layer where it happened, never probe.local_error (that
# is for this host's own failures only).
#
# Cases other lab files already check with all four properties (ends, RSS
# where it matters, one report, the finding):
#   a 4 GiB gRPC message, GOAWAY at once: test_api.sh (talos_sim.py
#     huge-frame, goaway), repeated here with RSS and one report;
#   50 MB and never-ending bodies, endless headers, a trickled body:
#     test_http.sh (headers-forever, body-4g, body-forever, trickle) and
#     test_api.sh (huge-version, endless-readyz);
#   Docker: test_docker.sh (hang, oversize, trickle-headers, huge-length),
#     the last two repeated here with RSS.
# Only here: a 160 KiB certificate (tls), and HTTP/2 GOAWAY, RST_STREAM and
# endless CONTINUATION frames against the http probe (hostile.py h2-*),
# and that a TCP run maps no OpenSSL while a TLS run loads it on demand.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
PY=/usr/bin/python3
ns_add hostile >/dev/null

# peer MODE - fixtures/hostile.py on 127.0.0.1 (a free port).
peer() { sim_spawn hostile peer hostile.py --listen 127.0.0.1:0 --mode "$1"; }
stop() { kill "$SIMPID" 2>/dev/null; wait "$SIMPID" 2>/dev/null; }
# nd ARGS... - a JSON run; RC, RSS (KiB, GNU time if present), TOOK (ms),
# out.json.
nd() {
	local t0=$(date +%s%N)

	if [ -x /usr/bin/time ]; then
		ns_exec hostile /usr/bin/time -f %M -o "$ND_TMP/rss" "$ND_BIN" run \
		    --format json "$@" >"$ND_TMP/out.json" 2>"$ND_TMP/err.txt"
		RC=$?
		RSS=$(tail -1 "$ND_TMP/rss")
	else
		ns_exec hostile "$ND_BIN" run --format json "$@" \
		    >"$ND_TMP/out.json" 2>"$ND_TMP/err.txt"
		RC=$?
		RSS=0
	fi
	TOOK=$(( ($(date +%s%N) - t0) / 1000000 ))
}
# ended NAME SECONDS - the run ended within 10x its deadline: "ends", not
# "ends fast", which a loaded machine could miss.
ended() {
	ok "$([ "$TOOK" -lt $(( $2 * 10000 )) ] && echo 0 || echo 1)" \
	    "$1: ended (${TOOK} ms; deadline $2 s, margin 10x)"
}
# four NAME SECONDS ID - ends, RSS under 64 MiB, one report, cause ID.
four() {
	ended "$1" "$2"
	rss_under "$1" 64
	one_report "$1"
	is "$(jqo '.causes[0].id')" "$3" "$1: $3"
}
one_report() { is "$(jq -s 'length' "$ND_TMP/out.json" 2>/dev/null)" 1 "$1: exactly one report"; }
no_local() {
	is "$(jqo '[.probes[].findings[].id | select(. == "probe.local_error")] | length')" 0 \
	    "$1: no probe.local_error (a peer's behaviour is a finding)"
}
rss_under() {
	ok "$([ "${RSS:-0}" -lt $(( $2 * 1024 )) ] && echo 0 || echo 1)" \
	    "$1: peak RSS ${RSS:-?} KiB under $2 MiB"
}

# --- accepts, then resets every connection -------------------------------------
peer reset
nd "tcp://127.0.0.1:$PORT" "tls://127.0.0.1:$PORT"
one_report "reset"
is "$RC" 2 "reset: exit 2 (a network verdict, not UNKNOWN)"
no_local "reset"
like "$(jqo '[.causes[].summary] | join(" | ")')" 'reset' "reset: the cause says the peer reset"
# The same, many times over: the verdict must not depend on timing.
targets=()
for i in $(seq 1 200); do targets+=("tls://127.0.0.1:$PORT?sni=n$i.example"); done
codes=""
for k in 1 2 3; do
	nd "${targets[@]}"
	codes="$codes$RC"
done
is "$codes" 222 "reset, 200 targets, three runs: exit 2 every time"
no_local "reset x200"
rss_under "reset x200" 64
stop

# --- accepts and never speaks TLS --------------------------------------------------
peer silent
nd --timeout 1s "tls://127.0.0.1:$PORT"
one_report "silent"
is "$(jqo '.causes[0].id')" tls.handshake_failed "silent: tls.handshake_failed"
no_local "silent"
# OpenSSL, libcurl and libpcap are loaded on first use, not linked: the
# dynamic loader's own trace (LD_DEBUG=files names every object it maps,
# dlopen()ed ones too) shows a TCP run without them and a TLS run loading
# libssl when its probe starts.
libs=$(readelf -d "$ND_BIN" | sed -nE 's/.*Shared library: \[(.*)\]/\1/p' | tr '\n' ' ')
unlike "$libs" 'libssl|libcrypto|libcurl|libpcap' "linked libraries: none of OpenSSL, libcurl, libpcap ($libs)"
ns_exec hostile env LD_DEBUG=files "$ND_BIN" run --format json "tcp://127.0.0.1:$PORT" \
    >"$ND_TMP/out.json" 2>"$ND_TMP/ld.txt"
unlike "$(grep -o 'file=[^ ]*' "$ND_TMP/ld.txt" | sort -u | tr '\n' ' ')" 'libssl|libcrypto|libcurl|libpcap' \
    "a tcp:// run maps no OpenSSL, libcurl or libpcap"
is "$(jqo '.probes[] | select(.probe=="tcp") | .status')" pass "the tcp run itself passed"
ns_exec hostile env LD_DEBUG=files "$ND_BIN" run --format json --timeout 1s \
    "tls://127.0.0.1:$PORT" >"$ND_TMP/out.json" 2>"$ND_TMP/ld.txt"
like "$(grep 'file=libssl' "$ND_TMP/ld.txt" | head -1)" 'file=libssl\.so\.3.*dynamically loaded' \
    "a tls:// run loads libssl.so.3 on demand"
is "$(jqo '.causes[0].id')" tls.handshake_failed "the same verdict with OpenSSL loaded on demand"
stop

# --- plain HTTP where TLS was expected -----------------------------------------------
peer http
nd --timeout 2s "tls://127.0.0.1:$PORT"
one_report "http on a TLS port"
is "$(jqo '.causes[0].id')" tls.handshake_failed "http on a TLS port: tls.handshake_failed"
no_local "http on a TLS port"
stop

# --- 64 KiB of garbage instead of a ServerHello ----------------------------------------
peer garbage
nd --timeout 2s "tls://127.0.0.1:$PORT" "talos://127.0.0.1:$PORT"
one_report "garbage"
is "$(jqo '[.causes[].id] | unique | join(",")')" tls.handshake_failed "garbage: tls.handshake_failed"
no_local "garbage"
rss_under "garbage" 64
stop

# --- a ServerHello that trickles one byte a second: ends at the deadline ------------------
peer trickle
t0=$(date +%s%N)
nd --timeout 2s "tls://127.0.0.1:$PORT"
took=$(( ($(date +%s%N) - t0) / 1000000 ))
one_report "trickle"
is "$(jqo '.causes[0].id')" tls.handshake_failed "trickle: tls.handshake_failed"
ok "$([ "$took" -lt 20000 ] && echo 0 || echo 1)" "trickle: ends at the deadline, not never (${took} ms)"
stop

# --- a 160 KiB certificate: past OpenSSL's limit for a chain ----------------------
if "$PY" -c 'import cryptography' 2>/dev/null; then
	peer tls-bigcert
	nd --timeout 2s "tls://127.0.0.1:$PORT"
	four "160 KiB certificate" 2 "tls.handshake_failed"
	like "$(jqo '.causes[0].summary')" \
	    'sent a certificate chain too large to accept \(over 102400 bytes, OpenSSL.s limit' \
	    "160 KiB certificate: says the chain was too large, and the limit"
	is "$(jqo '.causes[0].evidence[] | select(.key=="limit_bytes") | .value')" 102400 \
	    "160 KiB certificate: limit_bytes"
	no_local "160 KiB certificate"
	stop
else
	skip "python3-cryptography missing" "160 KiB certificate"
fi

# --- HTTP/2 over TLS (ALPN h2): GOAWAY, RST_STREAM, a header block that never ends --
# The http probe's finding names the frame and its error code (read from
# libcurl's verbose text, nd_h2_watch), or says the headers did not end.
if "$PY" -c 'import h2, cryptography' 2>/dev/null; then
	for mode in h2-goaway h2-rst h2-headers-flood; do
		sim_spawn hostile h2 hostile.py \
		    --listen 127.0.0.1:0 --mode "$mode" --pem-out "$ND_TMP/h2.pem"
		nd --timeout 2s "https://lab.test:$PORT/?nd-connect=127.0.0.1&nd-ca=$ND_TMP/h2.pem"
		four "http $mode" 2 "http.protocol_error"
		is "$(jqo '.probes[] | select(.probe=="tls") | .findings[0].evidence.alpn')" h2 \
		    "http $mode: TLS negotiated h2"
		no_local "http $mode"
		case $mode in
		h2-goaway) want='HTTP/2 GOAWAY \(ENHANCE_YOUR_CALM, error code 11; last stream 0\)' ;;
		h2-rst) want='RST_STREAM INTERNAL_ERROR, error code 2' ;;
		*) want='header block did not end: too many CONTINUATION frames|more than 32 KiB of headers' ;;
		esac
		like "$(jqo '.causes[0].summary')" "$want" "http $mode: the summary says what the server did"
		stop
	done
else
	skip "python3-h2/cryptography missing" "http h2-goaway, h2-rst, h2-headers-flood"
fi

# --- DNS: a record owned by another name is not an answer ------------------------------
peer dns-foreign
nd --timeout 2s "dns://127.0.0.1:$PORT/www.lab.test?expect=192.0.2.10"
one_report "dns foreign owner"
is "$(jqo '.causes[0].id')" dns.nxdomain "dns foreign owner: no data, not dns.wrong_answer"
like "$(jqo '.causes[0].evidence[] | select(.key=="ignored_records") | .value')" \
    'owned by evil\.example' "dns foreign owner: says which record was ignored"
stop

# --- DNS: what arrived instead of an answer, said ---------------------------------
dnsq() { nd --timeout 2s "dns://127.0.0.1:$PORT/www.lab.test"; }
summary() { jqo '.causes[0].summary'; }
peer dns-wrongid
dnsq
four "dns wrong id" 2 "dns.mismatched_reply"
like "$(summary)" 'replies arrived, but with the wrong id: [1-9][0-9]* of them' \
    "dns wrong id: says replies came, with the wrong id, and how many"
no_local "dns wrong id"
stop
peer dns-otherq
dnsq
four "dns other question" 2 "dns.mismatched_reply"
like "$(summary)" 'answered another question \(evil\.example A\)' \
    "dns other question: names the question answered"
stop
peer dns-garbage
dnsq
four "dns 64 KiB garbage" 2 "dns.malformed_answer"
like "$(summary)" 'not a DNS reply .*the largest was 65507 bytes' \
    "dns 64 KiB garbage: says garbage came, and how large"
stop
peer dns-loop
dnsq
four "dns compression loop" 2 "dns.malformed_answer"
like "$(summary)" 'compression pointer does not point backwards' \
    "dns compression loop: says why the message is unreadable"
stop
peer dns-tc-hang
dnsq
four "dns TC=1, TCP hangs" 2 "dns.tcp_fallback_failed"
like "$(summary)" 'truncated message \(TC=1\), and the retry over TCP got no answer' \
    "dns TC=1, TCP hangs: says truncated, and the TCP retry got nothing"
stop

# --- gRPC: a 4 GiB message announced, GOAWAY at once (talos_sim.py) --------------
PKI=$ND_TMP/pki
if "$PY" -c 'import grpc, h2, cryptography' 2>/dev/null &&
    "$PY" "$ND_TOP/fixtures/pki/mkpki.py" "$PKI" >/dev/null 2>&1; then
	for mode in huge-frame goaway; do
		sim_spawn hostile sim talos_sim.py \
		    --pki "$PKI" --listen 127.0.0.1:0 --mode "$mode"
		nd --timeout 2s "talos://127.0.0.1:$PORT"
		four "grpc $mode" 2 "talos.not_talos_api"
		stop
	done
	like "$(jqo '.causes[0].summary')" 'GOAWAY \(NO_ERROR, error code 0' "grpc goaway: names GOAWAY and its code"
else
	skip "python3-grpcio/h2/cryptography missing" "grpc huge-frame and goaway"
fi

# --- Docker: endless headers, 1 TB announced (docker_sim.py) ------------------------
for mode in trickle-headers huge-length; do
	usim "$ND_TOP/fixtures/docker/docker_sim.py" "$ND_TMP/dk.sock" \
	    "$ND_TOP/fixtures/docker/talos-1.7" --mode "$mode"
	nd --timeout 2s "docker://$ND_TMP/dk.sock"
	four "docker $mode" 2 "docker.api_error"
	usim_stop
done

# --- 2,000 targets against a peer that resets everything ---------------------------
# Needs two fds a probe at most; the run sizes its inflight from the limit.
peer reset
targets=()
for i in $(seq 1 2000); do targets+=("tls://127.0.0.1:$PORT?sni=n$i.example"); done
if (ulimit -n 8192) 2>/dev/null; then
	ulimit -n 8192
	nd --timeout 5s "${targets[@]}"
	ended "reset x2000" 5
	rss_under "reset x2000" 64
	one_report "reset x2000"
	is "$(jqo '[.probes[] | select(.probe=="tls")] | length')" 2000 "reset x2000: 2,000 tls probes"
	# A reset can come before the accept (tcp fails, tls is skipped) or
	# after it (tcp connected, tls fails): which one is the kernel's
	# timing, both are the peer's answer.
	like "$(jqo '[.probes[] | select(.probe=="tls") | .status] | unique | join(",")')" \
	    '^(fail|skip|fail,skip)$' "reset x2000: every tls probe fails, or is skipped by the tcp failure below it"
	like "$(jqo '[.probes[] | select(.probe=="tcp") | .status] | unique | join(",")')" \
	    '^(fail|pass|fail,pass)$' "reset x2000: every tcp probe has a verdict (refused, or connected then reset)"
	like "$(jqo '[.causes[].summary] | join(" | ")')" 'reset' "reset x2000: the cause says the peer reset"
	no_local "reset x2000"
else
	skip "cannot raise RLIMIT_NOFILE to 8192" "reset x2000"
fi
stop

done_testing
