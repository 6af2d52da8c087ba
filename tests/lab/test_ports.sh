#!/usr/bin/env bash
# Lab: the ports probe (sock_diag + /proc) in a namespace of its own: a
# listener holding 6443 (the "6443 is taken by a kind cluster" case), one
# on [::]:50000 and one on 127.0.0.1 only.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq setpriv

ns_add ports >/dev/null
ns_spawn ports /usr/bin/python3 "$ND_TOP/fixtures/listen.py" 0.0.0.0:6443 '[::]:50000' \
    127.0.0.1:8080 >/dev/null 2>&1
lpid=$ND_PID
wait_for_port ports 0.0.0.0 6443
ok $? "the listener holds 6443"
nd() {
	ns_exec ports "$ND_BIN" run --format json "$@" >"$ND_TMP/out.json" 2>/dev/null
	RC=$?
}
jqo() { jq -r "$1" "$ND_TMP/out.json"; }

nd port://6443
is "$RC" 2 "6443 taken: exit 2"
is "$(jqo '.causes[0].id')" host.port_in_use "6443 taken: host.port_in_use first"
is "$(jqo '.causes[0].evidence[] | select(.key=="pid") | .value')" "$lpid" \
    "6443 taken: names the owning pid"
is "$(jqo '.causes[0].evidence[] | select(.key=="command") | .value')" python3 \
    "6443 taken: names the command"
nd port://50000
is "$(jqo '.causes[0].evidence[] | select(.key=="address") | .value')" "::" \
    "an IPv6 wildcard listener is found too"
nd port://6444
is "$RC" 0 "a free port: exit 0"
is "$(jqo '.probes[0].findings[0].id')" host.port_free "a free port: host.port_free"
nd port://10.200.0.1:8080
is "$(jqo '.probes[0].findings[0].id')" host.port_free \
    "8080 on another address than the 127.0.0.1 listener: free"
nd port://8080
is "$(jqo '.causes[0].id')" host.port_in_use "8080 on any address collides with 127.0.0.1:8080"

# Another user cannot see root's process, but still sees the port taken.
ns_exec ports setpriv --reuid=65534 --regid=65534 --clear-groups "$ND_BIN" run \
    --format json port://6443 >"$ND_TMP/out.json" 2>/dev/null
like "$(jqo '.causes[0].summary')" 'not visible to this user' \
    "unprivileged: says the owner is not visible, still host.port_in_use"

done_testing
