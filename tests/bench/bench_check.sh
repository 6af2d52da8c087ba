#!/usr/bin/env bash
# One Nagios check of one listening TCP port: `netdoctor check tcp://...`
# side by side with the Monitoring Plugins' check_tcp against the same
# port, REPEAT (41) interleaved runs each (median wall time and peak RSS),
# then the instructions each executes from exec to exit (valgrind's
# callgrind: a count that does not depend on how busy the machine is).
# Figures are printed, never asserted.
set -u
. "$(dirname "$0")/../lab/lib.sh"
need_root
need_cmd valgrind
CHECK_TCP=/usr/lib/nagios/plugins/check_tcp
[ -x "$CHECK_TCP" ] || skip_all "check_tcp missing (monitoring-plugins-basic: make deps)"
REPEAT=${REPEAT:-41}

ns=$(ns_add check)
ns_spawn check /usr/bin/python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 5601)); s.listen(1024)
print("READY", flush=True)
while True:
    c, _ = s.accept(); c.close()
' >"$ND_TMP/listen.log" 2>&1
for i in $(seq 100); do grep -q READY "$ND_TMP/listen.log" && break; sleep 0.05; done

echo "== netdoctor check vs check_tcp, one listening port, $REPEAT runs each"
echo "netdoctor: $(ns_exec check "$ND_BIN" check tcp://127.0.0.1:5601 | head -1)"
echo "check_tcp: $(ns_exec check "$CHECK_TCP" -H 127.0.0.1 -p 5601)"
before=()
[ -n "${ND_BIN_BEFORE:-}" ] &&
    before=(netdoctor-before "ip netns exec $ns $ND_BIN_BEFORE check tcp://127.0.0.1:5601")
/usr/bin/python3 "$ND_TOP/tests/bench/measure.py" "$REPEAT" \
    check_tcp "ip netns exec $ns $CHECK_TCP -H 127.0.0.1 -p 5601" \
    netdoctor "ip netns exec $ns $ND_BIN check tcp://127.0.0.1:5601" \
    "${before[@]}"

echo
echo "== instructions from exec to exit (callgrind)"
count() {
	ns_exec check valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
	    sed -n 's/.*Collected : //p'
}
printf '%-18s %12s\n' check_tcp "$(count "$CHECK_TCP" -H 127.0.0.1 -p 5601)"
printf '%-18s %12s\n' netdoctor "$(count "$ND_BIN" check tcp://127.0.0.1:5601)"
[ -n "${ND_BIN_BEFORE:-}" ] &&
    printf '%-18s %12s\n' netdoctor-before "$(count "$ND_BIN_BEFORE" check tcp://127.0.0.1:5601)"
printf '%-18s %12s\n' "shared libraries" "check_tcp $(ldd "$CHECK_TCP" | wc -l), netdoctor $(ldd "$ND_BIN" | wc -l)"
