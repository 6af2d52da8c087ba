#!/usr/bin/env bash
# The command line's contracts (docs/contracts.md 2, 3): the done-when case
# tcp://127.0.0.1:1 in every format, bad input as exit 3 with one line naming
# the input and the position, list/explain/probe/--version/--help.  Traffic
# goes to 127.0.0.1 only; no namespace, so no root needed.
set -u
. "$(dirname "$0")/lib.sh"
need_cmd jq

out() { "$ND_BIN" "$@" >"$ND_TMP/out" 2>"$ND_TMP/err"; RC=$?; }

# --- tcp://127.0.0.1:1 ranks tcp.refused first and exits 2 in every format --
out run tcp://127.0.0.1:1
is "$RC" 2 "text: exit 2"
like "$(sed -n '/Root causes/{n;p;}' "$ND_TMP/out")" '^ 1\. CRITICAL +tcp\.refused' \
    "text: tcp.refused is cause 1"
out run --format json tcp://127.0.0.1:1
is "$RC" 2 "json: exit 2"
is "$(jq -r '.causes[0].id' "$ND_TMP/out")" tcp.refused "json: tcp.refused first"
is "$(jq -r '.schema' "$ND_TMP/out")" netdoctor.report.v1 "json: schema id"
is "$(jq -r '.exit_code' "$ND_TMP/out")" 2 "json: exit_code field"
is "$(jq -r '[.probes[].status] | join(",")' "$ND_TMP/out")" pass,fail \
    "json: probe statuses"
like "$(jq -r '.started' "$ND_TMP/out")" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' \
    "json: started is ISO 8601 UTC"
out run --format nagios tcp://127.0.0.1:1
is "$RC" 2 "nagios: exit 2"
like "$(head -1 "$ND_TMP/out")" '^NETDOCTOR CRITICAL - 127\.0\.0\.1:1 refused .*\| .duration.=[0-9.]+s;;;0' \
    "nagios: first line with perfdata"
like "$(sed -n 2p "$ND_TMP/out")" '^\\_\[CRITICAL\] tcp://127\.0\.0\.1:1: ' \
    "nagios: one subcheck line per target"
out check tcp://127.0.0.1:1
is "$RC" 2 "check: exit 2, nagios by default"
like "$(head -1 "$ND_TMP/out")" '^NETDOCTOR CRITICAL' "check: nagios output"
out run --format markdown tcp://127.0.0.1:1
is "$RC" 2 "markdown: exit 2"
like "$(cat "$ND_TMP/out")" '1\. \*\*critical\*\* `tcp\.refused`' "markdown: cause list"

# -o writes the file, nothing on stdout.
out run --format json -o "$ND_TMP/report.json" tcp://127.0.0.1:1
is "$RC" 2 "-o: exit 2"
is "$(jq -r '.causes[0].id' "$ND_TMP/report.json")" tcp.refused "-o: report in the file"
is "$(wc -c <"$ND_TMP/out" | tr -d ' ')" 0 "-o: nothing on stdout"
out run -o /nonexistent-dir/r.json tcp://127.0.0.1:1
is "$RC" 3 "-o into a missing directory: exit 3"

# --- thresholds: a connect time outside -w is WARNING (tcp.slow_connect) ---
python3_bin=/usr/bin/python3
$python3_bin "$ND_TOP/fixtures/listen.py" 127.0.0.1:47611 >/dev/null 2>&1 &
lpid=$!
at_exit kill "$lpid"
for _ in $(seq 50); do ss -Hltn 'sport = :47611' | grep -q . && break; sleep 0.1; done
out check -w 0:0 tcp://127.0.0.1:47611
is "$RC" 1 "-w 0:0: exit 1 (WARNING)"
like "$(head -1 "$ND_TMP/out")" '^NETDOCTOR WARNING - connecting to 127\.0\.0\.1:47611 took' \
    "-w: the slow connect is the summary"
like "$(cat "$ND_TMP/out")" "'127\.0\.0\.1:47611'=[0-9.]+s;0;;0;5\.000" \
    "-w: perfdata carries the range and the timeout"
out check -w 0:0 -c 0:0 --format json tcp://127.0.0.1:47611
is "$RC" 2 "-c 0:0: exit 2 (CRITICAL)"
is "$(jq -r '.causes[0].id' "$ND_TMP/out")" tcp.slow_connect "-c: tcp.slow_connect"
out check -w 10 -c 20 tcp://127.0.0.1:47611
is "$RC" 0 "-w 10 -c 20: exit 0"
like "$(head -1 "$ND_TMP/out")" '^NETDOCTOR OK - 1 target, every layer passed' "OK line"

# --- probe NAME TARGET: the probe and what it needs, nothing above ---------
out probe route --format json tcp://127.0.0.1:1
is "$RC" 0 "probe route: exit 0"
is "$(jq -r '[.probes[].probe] | join(",")' "$ND_TMP/out")" route "probe route: only route ran"
out probe tls tcp://127.0.0.1:1
is "$RC" 3 "probe NAME not in the chain: exit 3"
like "$(cat "$ND_TMP/err")" "tcp:// targets have no 'tls' probe \(they have: route tcp\)" \
    "probe: names the chain"

# --- list, explain, version, help -------------------------------------------
out list
is "$RC" 0 "list: exit 0"
like "$(cat "$ND_TMP/out")" 'route\.unroutable_private' "list: finding ids"
is "$(grep -c 'probe not built yet' "$ND_TMP/out")" 0 "list: every probe is built"
like "$(cat "$ND_TMP/out")" 'docker +layer host' "list: the docker probe"
like "$(cat "$ND_TMP/out")" 'addrplan +layer config' "list: the addrplan probe"
out explain route.no_route
is "$RC" 0 "explain: exit 0"
like "$(cat "$ND_TMP/out")" 'fix: ip route add' "explain: the fix"
out explain tcp.refsued
is "$RC" 3 "explain unknown id: exit 3"
like "$(cat "$ND_TMP/err")" 'did you mean tcp\.connected, tcp\.refused' "explain: suggests ids"
out --version
like "$(cat "$ND_TMP/out")" '^netdoctor [0-9]+\.[0-9]+\.[0-9]+$' "--version"
out --help
is "$RC" 0 "--help: exit 0"
like "$(cat "$ND_TMP/out")" 'usage: netdoctor run' "--help: usage"

# --- bad input: exit 3, one line naming the input and the position ---------
bad() {
	local want=$1 desc=$2
	shift 2
	out "$@"
	is "$RC" 3 "$desc: exit 3"
	like "$(head -1 "$ND_TMP/err")" "$want" "$desc: message"
}
bad 'tcp://127\.0\.0\.1:65536: column 17: port 65536' "port 65536" run tcp://127.0.0.1:65536
bad 'tcp://127\.0\.0\.1:0: column 17: port 0' "port 0" run tcp://127.0.0.1:0
bad 'ftp://x:1: column 1: unknown scheme' "unknown scheme" run ftp://x:1
bad 'tcp:/127\.0\.0\.1:1' "malformed URL" run tcp:/127.0.0.1:1
bad 'tcp://127\.0\.0\.1: column' "missing port" run tcp://127.0.0.1
bad "duplicate target tcp://127\\.0\\.0\\.1:1 \\(command line and command line\\)" \
    "duplicate target" run tcp://127.0.0.1:1 tcp://127.0.0.1:1
bad '--timeout: .5x. is not a duration' "bad duration" run --timeout 5x tcp://127.0.0.1:1
bad "-w: '10:5' is not a threshold range" "bad range" check -w 10:5 tcp://127.0.0.1:1
bad "unknown command 'rnu'" "unknown command" rnu
bad "unknown option '--frobnicate'" "unknown option" run --frobnicate
bad "--only: unknown probe 'tpc'" "unknown probe" run --only tpc tcp://127.0.0.1:1
bad "--format: unknown format 'xml'" "unknown format" run --format xml

printf 'version: 1\ntargets: [ "tcp://127.0.0.1:1" ]\ntagrets: []\n' >"$ND_TMP/typo.yaml"
bad "typo\\.yaml:3: unknown key 'tagrets'" "config unknown key" run -c "$ND_TMP/typo.yaml"
printf 'version: 1\ntargets: [ "tcp://127.0.0.1:1"\n' >"$ND_TMP/syntax.yaml"
bad "syntax\\.yaml:[0-9]+: .*" "config YAML syntax error" run -c "$ND_TMP/syntax.yaml"
bad "nope\\.yaml: cannot read: No such file or directory" "config unreadable" \
    run -c "$ND_TMP/nope.yaml"
printf 'version: 1\ntargets:\n  - "tcp://127.0.0.1:1"\n' >"$ND_TMP/dup.yaml"
bad "duplicate target tcp://127\\.0\\.0\\.1:1 \\(command line and .*dup\\.yaml:3\\)" \
    "duplicate across CLI and config" run -c "$ND_TMP/dup.yaml" tcp://127.0.0.1:1

# A config file that works.
printf 'version: 1\ntargets: [ "tcp://127.0.0.1:1" ]\ntimeout: 2s\n' >"$ND_TMP/good.yaml"
out run --format json -c "$ND_TMP/good.yaml"
is "$RC" 2 "config: its target runs"
is "$(jq -r '.causes[0].id' "$ND_TMP/out")" tcp.refused "config: tcp.refused"

done_testing
