#!/usr/bin/env bash
# Lab: the tailscale probe against tailscaled LocalAPI answers
# (fixtures/tailscale/<scenario>/, replayed on a unix socket by
# fixtures/tailscale/tailscale_sim.py: tailscaled cannot log in here),
# every verdict and every bad-socket mode, and the laptop of the issue: a
# namespace of our own whose routes are real, with a TUN tailscale0 where
# Tailscale would put its routes, where a logged-out tailscaled and a
# subnet route not accepted are ranked above (and explain) the unreachable
# node behind them.  netdoctor runs in that namespace with an empty home;
# /etc/resolv.conf is replaced by a file of the test's own
# (NETDOCTOR_TEST_RESOLV_CONF, test-only).
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq

PY=/usr/bin/python3
TS=$ND_TOP/fixtures/tailscale
SOCK=$ND_TMP/tailscaled.sock
RESOLV=$ND_TMP/resolv.conf
ns_add lap >/dev/null
LAP=$(_nd_ns lap)
mkdir -p "$ND_TMP/home"
printf 'nameserver 100.100.100.100\nsearch tail1234.ts.net\n' >"$RESOLV"

at_exit usim_stop
# sim SCENARIO [ARGS...]: (re)starts the LocalAPI simulator on $SOCK.
sim() { usim "$TS/tailscale_sim.py" "$SOCK" "$TS/$1" "${@:2}"; }
# nd ARGS...: netdoctor in the laptop namespace, JSON into $ND_TMP/out.json.
nd() {
	ns_exec lap env -u TALOSCONFIG -u KUBECONFIG -u DOCKER_HOST \
	    HOME="$ND_TMP/home" NETDOCTOR_TEST_RESOLV_CONF="$RESOLV" \
	    "$ND_BIN" run --format json "$@" >"$ND_TMP/out.json" 2>"$ND_TMP/err"
	RC=$?
}
jqo() { jq -r "$1" "$ND_TMP/out.json"; }
tsids() { jqo '[.probes[] | select(.probe=="tailscale") | .findings[].id] | join(",")'; }
ts0() { jqo '[.probes[] | select(.probe=="tailscale") | .findings[0]][0]'; }
ev() { jqo "[.causes[$1].evidence[] | select(.key==\"$2\") | .value] | join(\",\")"; }

# --- one verdict per scenario -----------------------------------------------
sim running
nd "tailscale://$SOCK"
is "$RC" 0 "running: exit 0"
is "$(tsids)" tailscale.ok "running: tailscale.ok"
like "$(jqo '[.probes[0].findings[0].summary] | .[0]')" \
    'Running as laptop\.tail1234\.ts\.net on alice@example\.com, 2 peers \(2 online\), 1 subnet route' \
    "running: names the node, the tailnet, peers and routes"
like "$(jqo '.probes[0].findings[0].evidence | to_entries | map(.value) | join("|")')" \
    '10\.200\.61\.0/24' "running: evidence lists the router's subnet route"

nd "tailscale://$SOCK" tcp://100.64.0.3:6443 --only tailscale
is "$(tsids)" tailscale.relay_only,tailscale.ok "relay: tailscale.relay_only as a note next to tailscale.ok"
like "$(jqo '.probes[0].findings[0].summary')" \
    'talos-cp-1\.tail1234\.ts\.net \(for the target 100\.64\.0\.3\) is reached only through the DERP relay "ams"' \
    "relay: names the peer, the target and the DERP region"

sim needs-login
nd "tailscale://$SOCK"
is "$RC" 2 "needs-login: exit 2"
is "$(jqo '.causes[0].id')" tailscale.needs_login "needs-login: tailscale.needs_login"
like "$(jqo '.causes[0].summary')" 'is logged out \(BackendState NeedsLogin, a login URL is waiting\)' \
    "needs-login: says logged out"
is "$(jqo '[.. | strings | select(test("login.tailscale.com/a/"))] | length')" 0 \
    "needs-login: the login URL (a credential) is never reported"

sim needs-machine-auth
nd "tailscale://$SOCK"
is "$(jqo '.causes[0].id')" tailscale.needs_login "needs-machine-auth: tailscale.needs_login"
like "$(jqo '.causes[0].summary')" 'approve this machine \(BackendState NeedsMachineAuth\)' \
    "needs-machine-auth: says an admin must approve it"

sim stopped
nd "tailscale://$SOCK"
is "$(jqo '.causes[0].id')" tailscale.stopped "stopped: tailscale.stopped"
like "$(jqo '.causes[0].summary')" 'WantRunning false: tailscale down' "stopped: says tailscale down"
is "$(jqo '.causes[0].fix | join(" ")')" "sudo tailscale up" "stopped: the fix is tailscale up"

sim running --key-expiry-days 5
nd "tailscale://$SOCK"
is "$RC" 1 "key expiring: exit 1"
is "$(jqo '.causes[0].id')" tailscale.key_expiring "key expiring in 5 days: tailscale.key_expiring"
like "$(ev 0 days_left)" '^[45]$' "key expiring: days_left"
sim running --key-expiry-days 30
nd "tailscale://$SOCK"
is "$(tsids)" tailscale.ok "key expiring in 30 days: fine"
sim running --key-expiry-days -2
nd "tailscale://$SOCK"
is "$(jqo '.causes[0].id')" tailscale.key_expired "key expired 2 days ago: tailscale.key_expired"

sim routes-not-approved
nd "tailscale://$SOCK" tcp://10.200.62.10:6443 --only tailscale
is "$(jqo '.causes[0].id')" tailscale.route_not_approved "routes-not-approved: tailscale.route_not_approved"
is "$(jqo '[.causes[].id] | join(",")')" tailscale.route_not_approved,tailscale.route_not_approved \
    "routes-not-approved: the peer's route and this host's own"
like "$(jqo '[.causes[].summary] | join("|")')" \
    'router\.tail1234\.ts\.net advertises 10\.200\.62\.0/24, but it is not one of its primary routes' \
    "routes-not-approved: names the peer and the route"
like "$(jqo '[.causes[].summary] | join("|")')" \
    'this host \(laptop\.tail1234\.ts\.net\) advertises 10\.200\.63\.0/24, but it is not approved' \
    "routes-not-approved: and this host's own advertised route"

sim serve-https
nd "tailscale://$SOCK"
is "$(jqo '.causes[0].id')" tailscale.serve_terminates_tls "serve HTTPS on 6443: tailscale.serve_terminates_tls"
like "$(jqo '.causes[0].summary')" 'port 6443 \("HTTPS": true\): the Kubernetes API' "serve HTTPS: names port and API"
is "$(jqo '[.causes[].id] | length')" 1 "serve HTTPS: 443 is none of netdoctor's business"
sim serve-terminate
nd "tailscale://$SOCK"
is "$(jqo '.causes[0].id')" tailscale.serve_terminates_tls "serve TerminateTLS on 50000: tailscale.serve_terminates_tls"
like "$(jqo '.causes[0].summary')" 'port 50000 \("TerminateTLS"\): the Talos API' "serve TerminateTLS: names port and API"
sim serve-forward
nd "tailscale://$SOCK"
is "$(tsids)" tailscale.ok "serve TCPForward: plain forwarding is fine"

# --- MagicDNS -----------------------------------------------------------------
sim running
printf '# Generated by NetworkManager\nnameserver 10.200.60.1\n' >"$RESOLV"
nd "tailscale://$SOCK"
is "$(jqo '.causes[0].id')" tailscale.magicdns_bypassed "resolv.conf rewritten: tailscale.magicdns_bypassed"
is "$(ev 0 nameservers)" 10.200.60.1 "magicdns_bypassed: names the nameservers in use"
printf 'nameserver 127.0.0.53\noptions edns0\n' >"$RESOLV"
nd "tailscale://$SOCK"
is "$(tsids)" tailscale.ok "systemd-resolved's stub: tailscaled configures it over D-Bus, fine"
printf 'nameserver 100.100.100.100\n' >"$RESOLV"

# --- a socket that is not tailscaled: tailscale.api_error, bounded ----------
api_error() {
	local mode=$1 want=$2 timeout=${3:-2s}

	sim running --mode "$mode"
	nd --timeout "$timeout" "tailscale://$SOCK"
	is "$RC" 1 "$mode: exit 1"
	is "$(jqo '.causes[0].id')" tailscale.api_error "$mode: tailscale.api_error"
	like "$(jqo '.causes[0].summary')" "$want" "$mode: says why"
}
api_error notfound 'answered HTTP 404 to GET /localapi/v0/status \(404 page not found\)'
is "$(ev 0 hint)" "something else listens on the socket: it is not tailscaled's LocalAPI" "notfound: says it is not tailscaled"
api_error html 'not JSON: an HTML page, not tailscaled'
api_error forbidden 'answered HTTP 403 to GET /localapi/v0/status \(status access denied\)'
api_error wrong-types 'Tailscale LocalAPI status: BackendState: expected a string'
api_error malformed 'Tailscale LocalAPI status: not JSON'
api_error close 'tailscaled at .*: '
# 100 MiB must start arriving before netdoctor can say it is too much: a
# deadline far above the time 16 MiB takes, so a busy machine cannot turn
# the verdict into "no answer before the deadline".
api_error huge 'the answer to GET /localapi/v0/status is over 16 MiB' 60s
start=$(date +%s%N)
api_error hang 'no answer before the deadline' 1s
ms=$(( ($(date +%s%N) - start) / 1000000 ))
# Wide on purpose: this checks "ends", not "ends fast".
is "$([ "$ms" -lt 20000 ] && echo bounded || echo "${ms} ms")" bounded \
    "hang: the run ends at its deadline (--timeout 1s), not never"
usim_stop

# --- no tailscaled ---------------------------------------------------------
nd "tailscale://$ND_TMP/nothing.sock"
is "$(jqo '.causes[0].id')" tailscale.not_running "no socket: tailscale.not_running"
like "$(jqo '.causes[0].summary')" "no socket at $ND_TMP/nothing\\.sock" "no socket: names the path"
# A socket file nobody listens on: what a daemon that died leaves behind.
"$PY" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' "$ND_TMP/stale.sock"
nd "tailscale://$ND_TMP/stale.sock"
is "$(jqo '.causes[0].id')" tailscale.not_running "stale socket: tailscale.not_running"
like "$(jqo '.causes[0].summary')" 'refuses connections' "stale socket: says it refuses"
: >"$ND_TMP/plain-file"
nd "tailscale://$ND_TMP/plain-file"
is "$RC" 3 "a path that is not a socket: exit 3"
like "$(cat "$ND_TMP/err")" "$ND_TMP/plain-file is not a socket" "not a socket: the error names it"

# --- the laptop: real routes in our namespace ------------------------------
# The home LAN: the laptop 10.200.60.20, its router 10.200.60.1 (another
# namespace that forwards nothing), the router as the default gateway.
ns_add gw >/dev/null
veth_pair lap eth0 10.200.60.20/24 gw eth0 10.200.60.1/24
ip -n "$LAP" route add default via 10.200.60.1
# tailscale0 as tailscaled makes it, a TUN device (here with nobody
# reading it, so what is routed into it is dropped), without addresses
# (none from the lab ranges would be real).
ip -n "$LAP" tuntap add dev tailscale0 mode tun
ip -n "$LAP" link set tailscale0 up

# 1. Routes not accepted: 10.200.61.0/24 sits behind the tailnet's subnet
#    router, this laptop never ran --accept-routes, so its packets go to
#    the LAN gateway and die there.
sim routes-not-accepted
nd --timeout 1s "tailscale://$SOCK" tcp://10.200.61.10:6443
is "$RC" 2 "routes not accepted: exit 2"
is "$(jqo '.causes[0].id')" tailscale.routes_not_accepted \
    "routes not accepted: tailscale.routes_not_accepted ranked first"
like "$(jqo '.causes[0].summary')" 'router\.tail1234\.ts\.net routes 10\.200\.61\.0/24 \(the target 10\.200\.61\.10 is in it\)' \
    "routes not accepted: names the router, the subnet and the target"
like "$(jqo '[.causes[0].explains[]?] | join(",")')" 'tcp://10\.200\.61\.10:6443#tcp' \
    "routes not accepted: it explains the node's TCP timeout"
is "$(jqo '[.causes[] | select(.id=="tcp.timeout" or .id=="route.unroutable_private")] | length')" 0 \
    "routes not accepted: the timeout is not a cause of its own"
is "$(jqo '.causes[0].fix | join(" ")')" "sudo tailscale set --accept-routes   # or: tailscale up --accept-routes" \
    "routes not accepted: the fix accepts routes"
is "$(jqo '.causes[0].severity')" critical "routes not accepted: as grave as what it explains"

# Without a default route the node has no route at all: same cause.
ip -n "$LAP" route del default
nd --timeout 1s "tailscale://$SOCK" tcp://10.200.61.10:6443
is "$(jqo '.causes[0].id')" tailscale.routes_not_accepted "no default route: tailscale.routes_not_accepted first"
like "$(jqo '[.causes[0].explains[]?] | join(",")')" 'tcp://10\.200\.61\.10:6443#route' \
    "no default route: it explains route.no_route"

# 2. Accepted: tailscaled's route is in the table; the route probe says so.
sim running
ip -n "$LAP" route add 10.200.61.0/24 dev tailscale0
nd --only route "tcp://10.200.61.10:6443"
like "$(jqo '.probes[0].findings[0].evidence | to_entries | map(.value) | join("|")')" \
    'tailscale0: Tailscale carries it' "accepted: the route probe says the route goes through tailscale0"
ip -n "$LAP" route del 10.200.61.0/24 dev tailscale0

# 3. Logged out: the tailnet address of the control plane has no route
#    (tailscaled removed them); the cause is the login, not the node.
sim needs-login
nd --timeout 1s "tailscale://$SOCK" tcp://100.64.0.3:6443
is "$(jqo '.causes[0].id')" tailscale.needs_login "logged out: tailscale.needs_login named as the cause"
like "$(jqo '[.causes[0].explains[]?] | join(",")')" 'tcp://100\.64\.0\.3:6443#route' \
    "logged out: it explains the tailnet node's missing route"
is "$(jqo '[.causes[].id] | join(",")')" tailscale.needs_login "logged out: the only cause"

# 4. MagicDNS unanswered: 100.100.100.100 is routed into tailscale0, but a
#    stopped tailscaled answers nothing there.
sim stopped
ip -n "$LAP" route add 100.100.100.100/32 dev tailscale0
nd --timeout 1s "tailscale://$SOCK" dns://100.100.100.100/talos-cp-1.tail1234.ts.net
is "$(jqo '[.probes[] | select(.probe=="dns") | .findings[0].id] | .[0]')" dns.server_unreachable \
    "MagicDNS silent: dns.server_unreachable"
like "$(jqo '[.probes[] | select(.probe=="dns") | .findings[0].evidence.resolver] | .[0]')" \
    'Tailscale MagicDNS' "MagicDNS silent: explained as Tailscale's resolver"
is "$(jqo '.causes[0].id')" tailscale.stopped "MagicDNS silent: tailscale.stopped is the cause"
like "$(jqo '[.causes[0].explains[]?] | join(",")')" 'dns://100\.100\.100\.100/talos-cp-1\.tail1234\.ts\.net#dns' \
    "MagicDNS silent: it explains the DNS failure"
ip -n "$LAP" route del 100.100.100.100/32 dev tailscale0
usim_stop

# --- discovery: the default socket, in a mount namespace of our own --------
if ns_exec lap unshare -m --propagation private sh -c 'mount -t tmpfs nd /run 2>/dev/null' ; then
	ns_exec lap unshare -m --propagation private sh -c '
		mount -t tmpfs nd /run && mkdir -p /run/tailscale &&
		"$1" -c "import socket; s=socket.socket(socket.AF_UNIX); s.bind(\"/run/tailscale/tailscaled.sock\"); s.listen(1)" &&
		env -u TALOSCONFIG -u KUBECONFIG -u DOCKER_HOST HOME="$2" "$3" run --print-plan' \
	    sh "$PY" "$ND_TMP/home" "$ND_BIN" >"$ND_TMP/plan" 2>&1
	like "$(cat "$ND_TMP/plan")" 'tailscale://
      probes: tailscale
      from: tailscale /var/run/tailscale/tailscaled\.sock' "discovery: the default socket becomes tailscale://"
else
	skip "discovery: no private mount namespace here" 1
fi
ns_exec lap env -u TALOSCONFIG -u KUBECONFIG -u DOCKER_HOST HOME="$ND_TMP/home" \
    "$ND_BIN" run --print-plan >"$ND_TMP/plan" 2>&1
like "$(cat "$ND_TMP/plan")" 'tailscale: no socket at /var/run/tailscale/tailscaled\.sock|tailscale: /var/run' \
    "discovery: says it looked for tailscaled"

done_testing
