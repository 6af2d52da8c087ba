#!/usr/bin/env bash
# Lab: self-test of the Talos / Kubernetes fixtures (fixtures/README.md).
# Generates the test PKI, starts every simulator mode on 127.0.0.1 (and ::1)
# inside a namespace and checks each against real clients: openssl s_client,
# a small grpcio client (/usr/bin/python3), curl, and raw sockets.
set -u
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_cmd openssl curl base64 sha256sum
PY=/usr/bin/python3
if ! "$PY" -c 'import grpc, cryptography, h2' 2>/dev/null; then
	skip_all "/usr/bin/python3 lacks grpcio, cryptography or h2 (python3-h2)"
fi

FX=$ND_TOP/fixtures
PKI=$ND_TMP/pki
M=/machine.MachineService/Version
ns_add fx >/dev/null

# ------------------------------------------------------------ helpers

# vclient.py TARGET METHOD CA [CRT KEY] - one unary gRPC call with an empty
# request; prints "status=CODE msg=..." or, on OK, the decoded Version.
# VC_TIMEOUT (seconds, default 5) and VC_TOKEN (metadata "token") optional.
cat >"$ND_TMP/vclient.py" <<'EOF'
import os, sys, grpc

def varint(b, i):
    n = s = 0
    while True:
        if i >= len(b):
            raise ValueError("truncated varint")
        c = b[i]; i += 1; n |= (c & 0x7F) << s; s += 7
        if not c & 0x80:
            return n, i

def fields(b):
    i, out = 0, []
    while i < len(b):
        key, i = varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            ln, i = varint(b, i)
            if i + ln > len(b):
                raise ValueError("truncated field %d" % num)
            v, i = b[i:i + ln], i + ln
        else:
            raise ValueError("wire type %d" % wt)
        out.append((num, v))
    return out

rd = lambda p: open(p, "rb").read() if p else None
target, method, ca, crt, key = (sys.argv[1:] + [""] * 5)[:5]
md = [("token", os.environ["VC_TOKEN"])] if "VC_TOKEN" in os.environ else None
with grpc.secure_channel(target, grpc.ssl_channel_credentials(
        rd(ca), rd(key), rd(crt))) as ch:
    try:
        resp = ch.unary_unary(method)(
            b"", timeout=float(os.environ.get("VC_TIMEOUT", 5)), metadata=md)
    except grpc.RpcError as e:
        print("status=%s msg=%s" % (e.code().name, e.details()))
        sys.exit(0)
try:
    (num, ver), = fields(resp)
    f = dict(fields(ver))
    vi, pi = dict(fields(f[2])), dict(fields(f[3]))
    feat = "absent" if 4 not in f else "rbac=%d" % dict(fields(f[4])).get(1, 0)
    print("status=OK tag=%s os=%s arch=%s platform=%s features=%s" % (
        vi[1].decode(), vi[5].decode(), vi[6].decode(), pi[1].decode(), feat))
except (ValueError, KeyError) as e:
    print("status=OK decode=error (%s)" % e)
EOF

# rawio.py HOST PORT - sends a TLS-ClientHello-looking record, reads until
# EOF or 1.5 s of silence; prints "bytes=N first=XX end=eof|timeout" and
# the bytes received as hex on a second line.
cat >"$ND_TMP/rawio.py" <<'EOF'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3)
s.sendall(bytes.fromhex("160301002f0100002b0303") + bytes(32) + b"\x00\x00\x02\x13\x01\x01\x00")
s.settimeout(1.5)
got, end = b"", "eof"
try:
    while len(got) < 65536:
        d = s.recv(4096)
        if not d:
            break
        got += d
except socket.timeout:
    end = "timeout"
print("bytes=%d first=%s end=%s" % (len(got), got[:1].hex() or "-", end))
print(got.hex())
EOF

vc() { ns_exec fx "$PY" "$ND_TMP/vclient.py" "$@" 2>>"$ND_TMP/vclient.err"; }

# wait_ready FILE - waits up to 10 s for the READY line of a simulator.
wait_ready() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -q '^READY ' "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# start NAME CMD... - starts a simulator in the namespace, checks READY.
declare -A SIM_PID
start() {
	local name=$1
	shift
	ns_spawn fx "$@" >"$ND_TMP/$name.out" 2>"$ND_TMP/$name.err"
	SIM_PID[$name]=$ND_PID
}

# stop_sim NAME - SIGTERM, then up to 3 s for a clean exit; sets STOP_RC
# to the exit status (124 when it had to be killed).  Not for $(...): only
# this shell can wait for its children.
STOP_RC=
stop_sim() {
	local pid=${SIM_PID[$1]} i st
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 60; i++)); do
		st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
		[ -z "$st" ] || [ "$st" = Z ] && break
		sleep 0.05
	done
	if [ -n "$st" ] && [ "$st" != Z ]; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		STOP_RC=124
		return
	fi
	wait "$pid" 2>/dev/null
	STOP_RC=$?
}

# sclient PORT ARGS... - openssl s_client output (stdin closed at once).
sclient() {
	local port=$1
	shift
	ns_exec fx timeout 5 openssl s_client -connect "127.0.0.1:$port" \
	    "$@" </dev/null 2>&1
}

# http PORT PATH CURLARGS... - prints the HTTP code; body in $ND_TMP/body.
http() {
	local port=$1 path=$2
	shift 2
	ns_exec fx curl -sk -o "$ND_TMP/body" -w '%{http_code}' "$@" \
	    "https://127.0.0.1:$port$path"
}
body() { cat "$ND_TMP/body"; }

# b64field FILE KEY - decodes the first "KEY: base64" value in a YAML file.
b64field() {
	sed -n "s/^ *$2: *//p" "$1" | head -n 1 | base64 -d
}

# ------------------------------------------------------------ PKI

"$PY" "$FX/pki/mkpki.py" "$PKI"
ok $? "mkpki.py writes the PKI"
sum1=$(cd "$PKI" && sha256sum -- * | sha256sum)
"$PY" "$FX/pki/mkpki.py" "$PKI"
is "$(cd "$PKI" && sha256sum -- * | sha256sum)" "$sum1" \
    "mkpki.py is idempotent (a second run rewrites nothing)"
rm -f "$PKI/wrong-san.key"
"$PY" "$FX/pki/mkpki.py" "$PKI" && [ -s "$PKI/wrong-san.key" ]
ok $? "mkpki.py regenerates an incomplete set"

x509() { openssl x509 -in "$PKI/$1.crt" -noout "${@:2}" 2>&1; }
is "$(x509 talos-ca -subject)" "subject=O = talos" "talos-ca subject O=talos"
like "$(x509 talos-ca -text)" "Public Key Algorithm: ED25519" "talos-ca is Ed25519"
is "$(x509 talos-ca -ext basicConstraints | tail -n 1 | tr -d ' ')" \
    "CA:TRUE" "talos-ca is a CA"
is "$(x509 talos-server -subject)" "subject=CN = talos-cp-1" "talos-server CN"
like "$(x509 talos-server -text)" "Public Key Algorithm: ED25519" \
    "talos-server is Ed25519"
is "$(x509 talos-server -ext subjectAltName | tail -n 1 | tr -d ' ')" \
    "DNS:talos-cp-1,IPAddress:127.0.0.1,IPAddress:0:0:0:0:0:0:0:1,IPAddress:10.200.1.2,IPAddress:10.200.1.3" \
    "talos-server SANs"
is "$(x509 talos-admin -subject)" "subject=O = os:admin, CN = admin" \
    "talos-admin subject"
is "$(x509 talos-admin -ext extendedKeyUsage | tail -n 1 | tr -d ' ')" \
    "TLSWebClientAuthentication" "talos-admin EKU is clientAuth only"
is "$(head -n 1 "$PKI/talos-admin-ed25519.key")" \
    "-----BEGIN ED25519 PRIVATE KEY-----" "Talos-style key header"
is "$(sed 1d "$PKI/talos-admin-ed25519.key" | sed '$d')" \
    "$(sed 1d "$PKI/talos-admin.key" | sed '$d')" \
    "Talos-style key has the same PKCS#8 body as talos-admin.key"
is "$(x509 maint -subject)" "subject=CN = maintenance-service.talos.dev" \
    "maint CN"
is "$(x509 maint -issuer)" "issuer=" "maint issuer DN is empty"
like "$(x509 maint -text)" "Public Key Algorithm: ED25519" "maint is Ed25519"
nb=$(date -d "$(x509 maint -startdate | cut -d= -f2)" +%s)
na=$(date -d "$(x509 maint -enddate | cut -d= -f2)" +%s)
is "$((na - nb))" 86400 "maint is valid for 24 h"
is "$(x509 maint -ext subjectAltName | tail -n 1 | tr -d ' ')" \
    "IPAddress:127.0.0.1,IPAddress:0:0:0:0:0:0:0:1,IPAddress:10.200.1.2,IPAddress:10.200.1.3" \
    "maint SANs"
out=$(cd "$PKI" && openssl verify -CAfile talos-ca.crt talos-server.crt \
    talos-admin.crt talos-norole.crt 2>&1)
is "$out" $'talos-server.crt: OK\ntalos-admin.crt: OK\ntalos-norole.crt: OK' \
    "talos leaves verify against talos-ca"
out=$(cd "$PKI" && openssl verify -CAfile talos-ca.crt foreign-admin.crt 2>&1)
like "$out" "unable to get local issuer certificate" \
    "foreign-admin does not verify against talos-ca"
is "$(x509 foreign-ca -subject)" "subject=O = talos" "foreign-ca also O=talos"
out=$(cd "$PKI" && openssl verify -CAfile foreign-ca.crt foreign-admin.crt 2>&1)
is "$out" "foreign-admin.crt: OK" "foreign-admin verifies against foreign-ca"
out=$(cd "$PKI" && openssl verify -CAfile talos-ca.crt expired-admin.crt 2>&1)
like "$out" "certificate has expired" "expired-admin is expired"
is "$(x509 expired-admin -startdate -enddate | tr '\n' ' ')" \
    "notBefore=Jan  1 00:00:00 2024 GMT notAfter=Feb  1 00:00:00 2024 GMT " \
    "expired-admin dates"
is "$(x509 k8s-ca -subject)" "subject=O = kubernetes" "k8s-ca subject"
like "$(x509 k8s-ca -text)" "ASN1 OID: prime256v1" "k8s-ca is ECDSA P-256"
is "$(x509 k8s-apiserver -subject)" \
    "subject=O = kube-master, CN = kube-apiserver" "k8s-apiserver subject"
is "$(x509 k8s-apiserver -ext subjectAltName | tail -n 1 | tr -d ' ')" \
    "DNS:kubernetes,DNS:kubernetes.default,DNS:localhost,IPAddress:127.0.0.1,IPAddress:10.200.1.2" \
    "k8s-apiserver SANs"
is "$(cat "$PKI/k8s-apiserver.crt" "$PKI/k8s-ca.crt" | sha256sum)" \
    "$(sha256sum <"$PKI/k8s-apiserver-chain.crt")" "chain = leaf + k8s-ca"
is "$(x509 k8s-admin -subject)" "subject=O = system:masters, CN = admin" \
    "k8s-admin subject"
out=$(cd "$PKI" && openssl verify -CAfile k8s-ca.crt k8s-apiserver.crt \
    k8s-admin.crt wrong-san.crt 2>&1)
is "$out" $'k8s-apiserver.crt: OK\nk8s-admin.crt: OK\nwrong-san.crt: OK' \
    "k8s leaves verify against k8s-ca"
is "$(x509 wrong-san -ext subjectAltName | tail -n 1 | tr -d ' ')" \
    "IPAddress:172.30.0.2,DNS:talos-cp-1" "wrong-san SANs"
like "$(cd "$PKI" && openssl verify -CAfile k8s-ca.crt expired-server.crt 2>&1)" \
    "certificate has expired" "expired-server is expired"
like "$(cd "$PKI" && openssl verify -CAfile k8s-ca.crt future-server.crt 2>&1)" \
    "certificate is not yet valid" "future-server is not yet valid"

TC=$PKI/talosconfig.yaml
is "$(sed -n 1p "$TC")" "context: lab" "talosconfig names its context"
like "$(cat "$TC")" $'contexts:\n  lab:\n    endpoints:\n      - 127.0.0.1\n' \
    "talosconfig context lab with endpoints [127.0.0.1]"
is "$(b64field "$TC" ca | sha256sum)" "$(sha256sum <"$PKI/talos-ca.crt")" \
    "talosconfig ca = base64(talos-ca.crt)"
is "$(b64field "$TC" crt | sha256sum)" "$(sha256sum <"$PKI/talos-admin.crt")" \
    "talosconfig crt = base64(talos-admin.crt)"
is "$(b64field "$TC" key | sha256sum)" \
    "$(sha256sum <"$PKI/talos-admin-ed25519.key")" \
    "talosconfig key = base64(ED25519 PRIVATE KEY pem)"
is "$(b64field "$PKI/talosconfig-foreign.yaml" ca | sha256sum)" \
    "$(sha256sum <"$PKI/foreign-ca.crt")" "talosconfig-foreign has foreign-ca"
is "$(b64field "$PKI/talosconfig-expired.yaml" crt | sha256sum)" \
    "$(sha256sum <"$PKI/expired-admin.crt")" \
    "talosconfig-expired has expired-admin"
KC=$PKI/kubeconfig.yaml
like "$(cat "$KC")" "server: https://127.0.0.1:6443" "kubeconfig server"
like "$(cat "$KC")" "current-context: admin@lab" "kubeconfig current-context"
is "$(b64field "$KC" certificate-authority-data | sha256sum)" \
    "$(sha256sum <"$PKI/k8s-ca.crt")" "kubeconfig CA data = k8s-ca.crt"
b64field "$KC" client-certificate-data >"$ND_TMP/kc.crt"
b64field "$KC" client-key-data >"$ND_TMP/kc.key"
is "$(sha256sum <"$ND_TMP/kc.crt")" "$(sha256sum <"$PKI/k8s-admin.crt")" \
    "kubeconfig client cert = k8s-admin.crt"
is "$(sed -n 's/^ *token: *//p' "$PKI/kubeconfig-token.yaml")" \
    "test-token-123" "kubeconfig-token user token"
# What a C client does with the talosconfig key: rewrite the header.
b64field "$TC" crt >"$ND_TMP/tc.crt"
b64field "$TC" ca >"$ND_TMP/tc-ca.crt"
b64field "$TC" key | sed 's/ED25519 PRIVATE KEY/PRIVATE KEY/' >"$ND_TMP/tc.key"

# ------------------------------------------------------------ start sims

declare -A TP=([maintenance-v1.12]=50001 [maintenance-v1.13]=50002
    [configured]=50003 [agent]=50004 [truncated-proto]=50005
    [huge-frame]=50006 [goaway]=50007 [garbage-tls]=50008 [silent]=50009
    [plaintext-http]=50010)
TRUSTD=50101
for m in "${!TP[@]}"; do
	args=(--listen "127.0.0.1:${TP[$m]}" --mode "$m" --pki "$PKI")
	[ "$m" = maintenance-v1.12 ] && args+=(--listen "[::1]:${TP[$m]}")
	[ "$m" = configured ] && args+=(--trustd "127.0.0.1:$TRUSTD")
	start "t-$m" "$PY" "$FX/talos_sim.py" "${args[@]}"
done
declare -A KP=([ready]=56001 [not-ready]=56002 [anonymous-401]=56003
    [anonymous-403]=56004 [starting]=56005)
for m in "${!KP[@]}"; do
	start "k-$m" "$PY" "$FX/k8s_sim.py" --listen "127.0.0.1:${KP[$m]}" \
	    --pki "$PKI" --mode "$m" --client-ca
done
declare -A CP=([k8s-apiserver-chain]=56011 [wrong-san]=56012
    [expired-server]=56013 [future-server]=56014)
for c in "${!CP[@]}"; do
	start "c-$c" "$PY" "$FX/k8s_sim.py" --listen "127.0.0.1:${CP[$c]}" \
	    --pki "$PKI" --cert "$c"
done

for m in maintenance-v1.12 maintenance-v1.13 configured agent \
    truncated-proto huge-frame goaway garbage-tls silent plaintext-http; do
	wait_ready "$ND_TMP/t-$m.out"
	want="READY 127.0.0.1:${TP[$m]}"
	[ "$m" = maintenance-v1.12 ] && want+=" [::1]:${TP[$m]}"
	want+=" mode=$m"
	[ "$m" = configured ] && want+=" trustd=127.0.0.1:$TRUSTD"
	is "$(cat "$ND_TMP/t-$m.out")" "$want" "talos_sim $m: READY line" ||
	    diag "$(cat "$ND_TMP/t-$m.err")"
done
for m in ready not-ready anonymous-401 anonymous-403 starting; do
	wait_ready "$ND_TMP/k-$m.out"
	is "$(cat "$ND_TMP/k-$m.out")" \
	    "READY 127.0.0.1:${KP[$m]} mode=$m cert=k8s-apiserver-chain" \
	    "k8s_sim $m: READY line" || diag "$(cat "$ND_TMP/k-$m.err")"
done
for c in k8s-apiserver-chain wrong-san expired-server future-server; do
	wait_ready "$ND_TMP/c-$c.out"
	is "$(cat "$ND_TMP/c-$c.out")" \
	    "READY 127.0.0.1:${CP[$c]} mode=ready cert=$c" \
	    "k8s_sim --cert $c: READY line" || diag "$(cat "$ND_TMP/c-$c.err")"
done
# grpcio binds IPv4 listeners as v4-mapped IPv6 ([::ffff:127.0.0.1]), which
# lib.sh's wait_for_port does not match: look with ss directly.
ns_exec fx ss -Hltn "sport = :$TRUSTD" | grep -Eq ' (\[::ffff:)?127\.0\.0\.1\]?:'
ok $? "trustd listener is up"

# ------------------------------------------------------------ Talos TLS

for m in maintenance-v1.12 maintenance-v1.13; do
	out=$(sclient "${TP[$m]}" -alpn h2)
	like "$out" $'\nsubject=CN = maintenance-service.talos.dev\n' \
	    "$m: s_client sees CN maintenance-service.talos.dev"
	like "$out" $'\nissuer=\n' "$m: s_client sees an empty issuer"
	like "$out" "No client certificate CA names sent" \
	    "$m: no client certificate requested"
	[[ $out != *"Acceptable client certificate CA names"* ]]
	ok $? "$m: no acceptable-CA list"
	like "$out" "ALPN protocol: h2" "$m: ALPN h2"
	like "$out" "Peer signature type: [Ee][Dd]25519" "$m: Ed25519 signature"
	is "$(sed -n '/^Certificate chain/,/^---/p' <<<"$out" |
	    grep -E '^ *[0-9]+ s:|^   i:')" \
	    $' 0 s:CN = maintenance-service.talos.dev\n   i:' \
	    "$m: chain is the leaf alone, empty issuer"
done
like "$(sclient "${TP[maintenance-v1.12]}")" "No ALPN negotiated" \
    "maintenance: no ALPN unless the client offers h2"
out=$(sclient "${TP[configured]}" -alpn h2)
like "$out" $'\nsubject=CN = talos-cp-1\n' "configured: CN talos-cp-1"
like "$out" $'\nissuer=O = talos\n' "configured: issuer O=talos"
like "$out" $'Acceptable client certificate CA names\nO = talos\n' \
    "configured: CertificateRequest names O = talos"
like "$out" "ALPN protocol: h2" "configured: ALPN h2"
out=$(sclient "${TP[configured]}" -alpn h2 -CAfile "$PKI/talos-ca.crt" \
    -verify_ip 127.0.0.1 -cert "$PKI/talos-admin.crt" \
    -key "$PKI/talos-admin.key")
like "$out" "Verify return code: 0 \(ok\)" \
    "configured: server cert verifies against talos-ca for IP 127.0.0.1"
out=$(sclient "$TRUSTD" -alpn h2)
like "$out" $'\nsubject=CN = talos-cp-1\n' "trustd: CN talos-cp-1"
like "$out" "No client certificate CA names sent" "trustd: no client cert asked"

# ------------------------------------------------------------ Talos gRPC

MA=$PKI/maint.crt	# trusting the maintenance leaf itself (pinning)
is "$(vc "127.0.0.1:${TP[maintenance-v1.12]}" $M "$MA")" \
    "status=UNIMPLEMENTED msg=API is not implemented in maintenance mode" \
    "maintenance-v1.12: Version -> UNIMPLEMENTED, exact message"
is "$(vc "[::1]:${TP[maintenance-v1.12]}" $M "$MA")" \
    "status=UNIMPLEMENTED msg=API is not implemented in maintenance mode" \
    "maintenance-v1.12: same over IPv6 [::1]"
is "$(vc "127.0.0.1:${TP[maintenance-v1.12]}" \
    /machine.MachineService/ServiceList "$MA")" \
    "status=UNIMPLEMENTED msg=method ServiceList not implemented" \
    "maintenance-v1.12: other methods -> method <Name> not implemented"
is "$(vc "127.0.0.1:${TP[maintenance-v1.13]}" $M "$MA")" \
    "status=OK tag=v1.13.0 os=linux arch=amd64 platform=metal features=absent" \
    "maintenance-v1.13: Version OK, features (field 4) absent"
is "$(vc "127.0.0.1:${TP[agent]}" $M "$MA")" \
    "status=UNIMPLEMENTED msg=API is not implemented in maintenance mode" \
    "agent: Version -> maintenance message"
is "$(vc "127.0.0.1:${TP[agent]}" /machine.MachineService/Upgrade "$MA")" \
    "status=UNIMPLEMENTED msg=API is not implemented in agent mode" \
    "agent: Upgrade -> agent message"
CF=127.0.0.1:${TP[configured]}
is "$(vc "$CF" $M "$PKI/talos-ca.crt" "$PKI/talos-admin.crt" \
    "$PKI/talos-admin.key")" \
    "status=OK tag=v1.12.11 os=linux arch=amd64 platform=metal features=rbac=1" \
    "configured + admin cert: Version OK with rbac"
is "$(vc "$CF" $M "$ND_TMP/tc-ca.crt" "$ND_TMP/tc.crt" "$ND_TMP/tc.key")" \
    "status=OK tag=v1.12.11 os=linux arch=amd64 platform=metal features=rbac=1" \
    "configured + talosconfig.yaml credentials (header rewritten): OK"
is "$(vc "$CF" $M "$PKI/talos-ca.crt" "$PKI/talos-norole.crt" \
    "$PKI/talos-norole.key")" "status=PERMISSION_DENIED msg=not authorized" \
    "configured + cert without os:* role: PERMISSION_DENIED not authorized"
like "$(vc "$CF" $M "$PKI/talos-ca.crt" "$PKI/foreign-admin.crt" \
    "$PKI/foreign-admin.key")" "^status=UNAVAILABLE " \
    "configured + foreign cert: TLS failure (UNAVAILABLE)"
like "$(vc "$CF" $M "$PKI/talos-ca.crt" "$PKI/expired-admin.crt" \
    "$PKI/expired-admin.key")" "^status=UNAVAILABLE " \
    "configured + expired cert: TLS failure (UNAVAILABLE)"
like "$(vc "$CF" $M "$PKI/talos-ca.crt")" "^status=UNAVAILABLE " \
    "configured + no client cert: TLS failure (UNAVAILABLE)"
like "$(vc "$CF" $M "$PKI/foreign-ca.crt" "$PKI/talos-admin.crt" \
    "$PKI/talos-admin.key")" "^status=UNAVAILABLE .*certificate verify failed" \
    "configured with the foreign CA as trust root: server cert rejected"
is "$(vc "127.0.0.1:$TRUSTD" /securityapi.SecurityService/Certificate \
    "$PKI/talos-ca.crt")" "status=UNAUTHENTICATED msg=missing token" \
    "trustd: Certificate without token -> UNAUTHENTICATED missing token"
is "$(VC_TOKEN=nope vc "127.0.0.1:$TRUSTD" \
    /securityapi.SecurityService/Certificate "$PKI/talos-ca.crt")" \
    "status=UNAUTHENTICATED msg=invalid token" "trustd: bad token -> invalid token"
is "$(vc "127.0.0.1:${TP[truncated-proto]}" $M "$MA")" \
    "status=OK decode=error (truncated field 1)" \
    "truncated-proto: Version OK but the protobuf is truncated"

# ------------------------------------------------------------ bad servers

printf '\0\0\0\0\0' >"$ND_TMP/empty.grpc"
grpc_curl() {
	ns_exec fx curl -sk --http2 -m 3 -H 'content-type: application/grpc' \
	    -H 'te: trailers' --data-binary "@$ND_TMP/empty.grpc" "$@" \
	    "https://127.0.0.1:$port$M"
}
port=${TP[huge-frame]}
grpc_curl -o "$ND_TMP/huge.bin" 2>/dev/null
rc=$?
is "$(od -An -tx1 -N5 "$ND_TMP/huge.bin" | tr -d ' \n')" 00ffffffff \
    "huge-frame: gRPC frame header announces 0xffffffff bytes"
is "$(stat -c %s "$ND_TMP/huge.bin")" 13 "huge-frame: only 8 body bytes follow"
is "$rc" 28 "huge-frame: the stream stays open (curl times out)"
like "$(VC_TIMEOUT=2 vc "127.0.0.1:$port" $M "$MA")" \
    "^status=(DEADLINE_EXCEEDED|RESOURCE_EXHAUSTED) " \
    "huge-frame: grpcio gets no response"
port=${TP[goaway]}
like "$(grpc_curl -v -o /dev/null 2>&1)" "GOAWAY, error=0, last_stream=0" \
    "goaway: curl sees GOAWAY(NO_ERROR, last_stream=0)"
like "$(vc "127.0.0.1:$port" $M "$MA")" "^status=UNAVAILABLE msg=.*GOAWAY" \
    "goaway: grpcio reports UNAVAILABLE GOAWAY"

raw() { ns_exec fx "$PY" "$ND_TMP/rawio.py" 127.0.0.1 "$1" 2>&1; }
out=$(raw "${TP[garbage-tls]}")
like "$out" "^bytes=64 first=[89a-f][0-9a-f] end=eof" \
    "garbage-tls: 64 non-TLS bytes, then close"
out=$(sclient "${TP[garbage-tls]}" -alpn h2)
rc=$?
[ "$rc" -ne 0 ] && [[ $out == *"wrong version number"* ]]
ok $? "garbage-tls: s_client fails (wrong version number)" ||
    diag "rc=$rc" "$out"
out=$(raw "${TP[silent]}")
like "$out" "^bytes=0 first=- end=timeout" "silent: connection open, no byte"
ns_exec fx timeout 2 openssl s_client -connect "127.0.0.1:${TP[silent]}" \
    </dev/null >/dev/null 2>&1
is "$?" 124 "silent: s_client hangs in the handshake until killed"
out=$(raw "${TP[plaintext-http]}")
is "$out" $'bytes=28 first=48 end=eof\n'"$(printf 'HTTP/1.1 400 Bad Request\r\n\r\n' | od -An -tx1 | tr -d ' \n')" \
    "plaintext-http: exactly 'HTTP/1.1 400 Bad Request' then close"
ns_exec fx curl -sk -m 3 -o /dev/null "https://127.0.0.1:${TP[plaintext-http]}/"
is "$?" 35 "plaintext-http: curl over TLS fails in the handshake (35)"

# ------------------------------------------------------------ Kubernetes

p=${KP[ready]}
is "$(http "$p" /version)" 200 "k8s ready: /version 200"
like "$(body)" '"gitVersion": "v1.31.2"' "k8s ready: /version JSON"
is "$(http "$p" '/readyz?verbose')" 200 "k8s ready: /readyz?verbose 200"
like "$(body)" $'^\\[\\+\\]ping ok\n\\[\\+\\]log ok\n\\[\\+\\]etcd ok\n.*\nreadyz check passed$' \
    "k8s ready: verbose readyz text"
is "$(http "$p" /readyz)" 200 "k8s ready: /readyz 200"
is "$(body)" ok "k8s ready: /readyz body ok"
is "$(http "$p" /version -H 'Authorization: Bearer wrong')" 401 \
    "k8s ready: a bad bearer token is 401"
is "$(http "$p" /api/v1/nodes)" 403 "k8s ready: anonymous non-public path 403"
p=${KP[not-ready]}
is "$(http "$p" '/readyz?verbose')" 500 "k8s not-ready: /readyz?verbose 500"
like "$(body)" $'\n\\[-\\]etcd failed: reason withheld\n.*\nreadyz check failed$' \
    "k8s not-ready: etcd failed, check failed"
is "$(http "$p" /version)" 200 "k8s not-ready: /version still 200"
p=${KP[starting]}
is "$(http "$p" '/readyz?verbose')" 500 "k8s starting: /readyz 500"
like "$(body)" '\[-\]poststarthook/rbac/bootstrap-roles failed: reason withheld' \
    "k8s starting: post-start hook not finished"
p=${KP[anonymous-401]}
is "$(http "$p" /version)" 401 "k8s anonymous-401: /version 401"
like "$(body)" '"reason": "Unauthorized"' "k8s anonymous-401: Status body"
is "$(http "$p" '/readyz?verbose')" 401 "k8s anonymous-401: /readyz 401"
is "$(http "$p" /version -H 'Authorization: Bearer test-token-123')" 200 \
    "k8s anonymous-401: bearer token 200"
is "$(http "$p" /version --cert "$ND_TMP/kc.crt" --key "$ND_TMP/kc.key")" 200 \
    "k8s anonymous-401: kubeconfig client cert 200"
is "$(http "$p" /version --cert "$PKI/foreign-admin.crt" \
    --key "$PKI/foreign-admin.key")" 000 \
    "k8s anonymous-401: a cert from another CA fails the handshake"
p=${KP[anonymous-403]}
is "$(http "$p" /version)" 403 "k8s anonymous-403: /version 403"
like "$(body)" 'forbidden: User \\"system:anonymous\\" cannot get path \\"/version\\"' \
    "k8s anonymous-403: forbidden message"
is "$(http "$p" /version -H 'Authorization: Bearer test-token-123')" 200 \
    "k8s anonymous-403: bearer token 200"

# Server certificates, verified by curl against k8s-ca.
kcurl() {
	ns_exec fx curl -sS -m 3 -o /dev/null --cacert "$PKI/k8s-ca.crt" "$@" 2>&1
}
kcurl "https://127.0.0.1:${CP[k8s-apiserver-chain]}/version"
ok $? "k8s-apiserver-chain verifies for https://127.0.0.1"
out=$(sclient "${CP[k8s-apiserver-chain]}" -showcerts)
is "$(grep -c -- '-----BEGIN CERTIFICATE-----' <<<"$out")" 2 \
    "k8s-apiserver-chain: leaf + CA served"
out=$(kcurl "https://127.0.0.1:${CP[wrong-san]}/version")
like "$out" "\(60\).*no alternative certificate subject name matches target host name '127.0.0.1'" \
    "wrong-san: curl rejects the name 127.0.0.1"
kcurl --resolve "talos-cp-1:${CP[wrong-san]}:127.0.0.1" \
    "https://talos-cp-1:${CP[wrong-san]}/version"
ok $? "wrong-san: verifies as talos-cp-1"
like "$(kcurl "https://127.0.0.1:${CP[expired-server]}/version")" \
    "\(60\).*certificate has expired" "expired-server: curl says expired"
like "$(kcurl "https://127.0.0.1:${CP[future-server]}/version")" \
    "\(60\).*certificate is not yet valid" "future-server: not yet valid"

# ------------------------------------------------------------ shutdown

for name in "${!SIM_PID[@]}"; do
	stop_sim "$name"
	is "$STOP_RC" 0 "$name exits 0 on SIGTERM" ||
	    diag "$(tail -n 5 "$ND_TMP/$name.err")"
done
done_testing
