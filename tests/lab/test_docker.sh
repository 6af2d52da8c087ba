#!/usr/bin/env bash
# Lab: the docker probe and discovery against recorded Docker Engine API
# answers (fixtures/docker/<scenario>/, replayed on a unix socket by
# fixtures/docker/docker_sim.py: the Docker engine cannot run here), every
# bad-daemon mode, discovery's order and --print-plan, and one end-to-end
# run: a bare `netdoctor run` that finds a Talos container through Docker,
# follows its published port to a real Talos simulator in maintenance mode,
# and blames the unpublished container's bridge IP on docker.port_not_published.
# netdoctor runs in a namespace of our own (lo only), with HOME and the
# credential variables pointed at an empty directory.
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq

PY=/usr/bin/python3
DK=$ND_TOP/fixtures/docker
SOCK=$ND_TMP/docker.sock
ns_add dk >/dev/null
mkdir -p "$ND_TMP/home"

# sim SCENARIO [ARGS...]: (re)starts the Docker simulator on $SOCK.
at_exit usim_stop
sim() { usim "$DK/docker_sim.py" "$SOCK" "$DK/$1" "${@:2}"; }
# nd ARGS...: netdoctor in the namespace with an empty home.
nd() {
	ns_exec dk env -u TALOSCONFIG -u KUBECONFIG -u DOCKER_HOST \
	    HOME="$ND_TMP/home" ${NDENV:-} "$ND_BIN" run --format json "$@" \
	    >"$ND_TMP/out.json" 2>"$ND_TMP/err"
	RC=$?
}
jqo() { jq -r "$1" "$ND_TMP/out.json"; }
# plan [VAR=VALUE...]: --print-plan into $ND_TMP/plan, with an empty home,
# no talosconfig or kubeconfig unless given, and $NDENV.
plan() {
	ns_exec dk env -u TALOSCONFIG -u KUBECONFIG -u DOCKER_HOST \
	    HOME="$ND_TMP/home" ${NDENV:-} "$@" "$ND_BIN" run --print-plan \
	    >"$ND_TMP/plan" 2>&1
}
ev() { jqo "[.causes[$1].evidence[] | select(.key==\"$2\") | .value] | join(\",\")"; }
dkfind() { jqo '.probes[] | select(.probe=="docker") | .findings[0].id'; }

# --- the docker probe, scenario by scenario --------------------------------
sim talos-1.7
nd "docker://$SOCK"
is "$RC" 0 "talos-1.7: exit 0"
is "$(dkfind)" docker.ok "talos-1.7: docker.ok"
like "$(jqo '.probes[0].findings[0].summary')" '3 running containers|2 running containers, 2 of them Talos, 4 networks' \
    "talos-1.7: counts containers, Talos ones and networks"
like "$(jqo '.probes[0].findings[0].evidence | to_entries | map(.value) | join("|")')" \
    'talos-default-controlplane-1 10\.5\.0\.2 \(talos-default\) 127\.0\.0\.1:33291->50000 127\.0\.0\.1:36443->6443' \
    "talos-1.7: evidence has the control plane, its IP and published ports"
like "$(jqo '.probes[0].findings[0].evidence | to_entries | map(.value) | join("|")')" \
    'talos-default 10\.5\.0\.0/24 on br-[0-9a-f]{12}' "talos-1.7: and its network's bridge"

sim talos-unpublished
nd "docker://$SOCK"
is "$RC" 2 "unpublished: exit 2"
is "$(jqo '.causes[0].id')" docker.port_not_published "unpublished: docker.port_not_published first"
like "$(jqo '.causes[0].summary')" \
    'talos-default-controlplane-1: Talos API port 50000 is not published to the host, only on 10\.5\.0\.2' \
    "unpublished: names the container, the port and its bridge IP"
is "$(ev 0 exposed)" "yes (EXPOSE, no -p)" "unpublished: exposed, not published"
like "$(jqo '.causes[0].fix | join(" ")')" 'docker run -p 127\.0\.0\.1:50000:50000' "unpublished: the fix publishes it"
is "$(jqo '[.causes[].id] | join(",")')" docker.port_not_published,docker.port_not_published \
    "unpublished: 50000 and 6443 both reported"

sim talos-1.6
nd "docker://$SOCK"
is "$(dkfind)" docker.ok "talos-1.6 (0.0.0.0 and ::): docker.ok"
sim kind-holds-6443
nd "docker://$SOCK"
is "$(dkfind)" docker.ok "kind next to Talos: docker.ok"
like "$(jqo '.probes[0].findings[0].evidence | to_entries | map(.value) | join("|")')" \
    'kind-control-plane 172\.18\.0\.2 \(kind\) 127\.0\.0\.1:6443->6443' "kind next to Talos: names kind's 6443"
sim no-talos
nd "docker://$SOCK"
like "$(jqo '.probes[0].findings[0].summary')" '2 running containers, 0 of them Talos' "no Talos: docker.ok, 0 Talos"
sim empty
nd "docker://$SOCK"
is "$(dkfind)" docker.ok "empty engine: docker.ok"

# --- a daemon that misbehaves: docker.api_error, bounded in time ------------
api_error() {
	local mode=$1 want=$2 timeout=${3:-1s}

	sim talos-1.7 --mode "$mode"
	nd --timeout "$timeout" "docker://$SOCK"
	is "$RC" 1 "$mode: exit 1"
	is "$(jqo '.causes[0].id')" docker.api_error "$mode: docker.api_error"
	like "$(jqo '.causes[0].summary')" "$want" "$mode: says why"
}
api_error error500 'answered HTTP 500: Error response from daemon: .*no space left'
api_error malformed 'Docker API containers: not JSON'
api_error wrong-types 'Docker API containers: item 0: Id: expected a string'
api_error close 'Docker at .*: '
start=$(date +%s%N)
api_error hang 'no answer before the deadline'
ms=$(( ($(date +%s%N) - start) / 1000000 ))
# The margin is wide on purpose: this checks "ends", not "ends fast", and
# must hold on a loaded machine.
is "$([ "$ms" -lt 20000 ] && echo bounded || echo "${ms} ms")" bounded \
    "hang: the run ends at its deadline (--timeout 1s), not never"
# Bytes that arrive but never make an answer: say what arrived, not
# "no answer".  Ends at the deadline (checked with a 20x margin).
start=$(date +%s%N)
api_error trickle-headers 'its headers were still arriving at the deadline \([0-9]+ bytes'
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$([ "$ms" -lt 20000 ] && echo bounded || echo "${ms} ms")" bounded \
    "trickle-headers: the run ends at its deadline (--timeout 1s)"
# 1 TB announced: refused at the headers, without waiting for the body
# (a deadline far above that, so only the refusal can end it in time).
start=$(date +%s%N)
api_error huge-length 'announces 1000000000000 bytes \(Content-Length\), over the 32 MiB' 60s
ms=$(( ($(date +%s%N) - start) / 1000000 ))
is "$([ "$ms" -lt 30000 ] && echo early || echo "${ms} ms")" early \
    "huge-length: refused at the headers, not at the 60 s deadline"
is "$(jqo '.causes[0].evidence[] | select(.key=="content_length") | .value')" 1000000000000 \
    "huge-length: the announced length as evidence"
sim talos-1.7 --mode huge
# 8 MiB to read and parse: a deadline a slow (sanitizer, loaded) machine
# cannot miss; the run ends when the answer is judged.
nd --timeout 60s "docker://$SOCK"
is "$(dkfind)" docker.ok "8 MiB of containers: parsed within bounds"
# 40 MiB must arrive before netdoctor can say it is too much: a deadline
# far above the time that takes, so a busy machine cannot turn the
# verdict into "no answer before the deadline".
api_error oversize 'the answer (is over 32 MiB|announces [0-9]+ bytes \(Content-Length\), over the 32 MiB)' 60s
nd "docker://$ND_TMP/nothing.sock"
is "$(jqo '.causes[0].id')" docker.api_error "no socket there: docker.api_error"
NDENV="DOCKER_HOST=tcp://10.0.0.5:2375" nd docker://
like "$(jqo '.causes[0].summary')" 'only a local unix:// socket' "DOCKER_HOST=tcp://: says what is supported"

# --- discovery ---------------------------------------------------------------
plan
is "$?" 0 "nothing to find: --print-plan exits 0"
like "$(cat "$ND_TMP/plan")" 'docker: no socket at /var/run/docker.sock|docker: /var/run/docker.sock' \
    "nothing to find: says it looked for Docker"
like "$(cat "$ND_TMP/plan")" 'talosconfig: none \(\$TALOSCONFIG unset' "nothing to find: says it looked for a talosconfig"
like "$(cat "$ND_TMP/plan")" 'built-in default' "nothing to find: falls back to the built-in default"

sim talos-1.7
NDENV="DOCKER_HOST=unix://$SOCK"
plan
like "$(cat "$ND_TMP/plan")" "docker: $SOCK: 2 running containers, 2 Talos" "discovery: asks Docker"
like "$(cat "$ND_TMP/plan")" 'talos://127\.0\.0\.1:33291
      probes: route, tcp, tls, talos
      from: docker container talos-default-controlplane-1' \
    "discovery: the published 50000 becomes talos://127.0.0.1:33291"
like "$(cat "$ND_TMP/plan")" 'k8s://127\.0\.0\.1:36443' "discovery: the published 6443 becomes k8s://"
is "$(grep -c '10\.5\.0\.' "$ND_TMP/plan")" 0 \
    "discovery: no bridge IP for a container that publishes its ports (a Mac cannot route there)"
# With the network's bridge on this host (Linux), the bridge IP is probed too.
br=br-$(jq -r '.[] | select(.Name=="talos-default") | .Id[0:12]' "$DK/talos-1.7/networks.json")
ip -n "$(_nd_ns dk)" link add "$br" type bridge
cp "$ND_TMP/plan" "$ND_TMP/plan1"
plan
like "$(cat "$ND_TMP/plan")" 'talos://10\.5\.0\.2:50000
      probes: route, tcp, tls, talos
      from: docker container talos-default-controlplane-1 on network talos-default' \
    "discovery: the bridge IP too when the bridge ($br) is on this host"
ip -n "$(_nd_ns dk)" link del "$br"
unlike_built=$(grep -c 'built-in default' "$ND_TMP/plan1")
is "$unlike_built" 0 "discovery: no built-in default when Docker gave targets"

# Three control planes, only the first publishing (Talos 1.7+): no bridge
# IPs for the others, whose cluster is reachable through the first.
sim talos-1.7-ha
plan
is "$(grep -c '10\.5\.0\.' "$ND_TMP/plan")" 0 "HA cluster: no bridge IP for the unpublished control planes"
nd "docker://$SOCK"
is "$(dkfind)" docker.ok "HA cluster: docker.ok (one control plane publishes, that is enough)"
sim talos-1.7

# A talosconfig comes first; the same endpoint from Docker is not repeated.
cat >"$ND_TMP/talosconfig" <<'EOF'
context: lab
contexts:
  lab:
    endpoints: [127.0.0.1:33291]
    nodes: [10.5.0.2]
EOF
plan TALOSCONFIG="$ND_TMP/talosconfig"
like "$(cat "$ND_TMP/plan")" 'talos://127\.0\.0\.1:33291
      probes: route, tcp, tls, talos
      from: talosconfig .*talosconfig \(context lab\)' "discovery: the talosconfig first"
is "$(grep -c '^  talos://127.0.0.1:33291' "$ND_TMP/plan")" 1 "discovery: a target found twice is planned once"

# --- end to end: a bare run, Docker -> a real Talos simulator ----------------
PKI=$ND_TMP/pki
"$PY" "$ND_TOP/fixtures/pki/mkpki.py" "$PKI" >/dev/null || { echo "Bail out! mkpki.py failed"; exit 1; }
ns_spawn dk "$PY" "$ND_TOP/fixtures/talos_sim.py" --pki "$PKI" --mode maintenance-v1.12 \
    --listen 127.0.0.1:0 >"$ND_TMP/talos.log" 2>&1
for _ in $(seq 200); do grep -q '^READY' "$ND_TMP/talos.log" && break; sleep 0.05; done
TPORT=$(sed -nE 's/^READY [^ ]*:([0-9]+).*/\1/p' "$ND_TMP/talos.log")
is "${TPORT:+started}" started "the Talos simulator listens (port ${TPORT:-?})"
sim talos-1.7 --host-port "50000=$TPORT" --host-port 6443=1
nd --timeout 2s
is "$(jqo '.causes[0].id')" talos.maintenance_mode \
    "bare run: the Talos container found through Docker is in maintenance mode"
like "$(jqo '.causes[0].fix | join(" ")')" "talosctl apply-config --insecure --nodes 127\\.0\\.0\\.1:$TPORT" \
    "bare run: the fix names the published port"
like "$(cat "$ND_TMP/err")" 'looked for:' "bare run: says on stderr what it looked at"
is "$(jqo "[.probes[] | select(.target==\"talos://127.0.0.1:$TPORT\") | .origin] | unique | join(\",\")")" \
    "docker container talos-default-controlplane-1" "bare run: the JSON says where the target came from"

sim talos-unpublished
NDENV="DOCKER_HOST=unix://$SOCK"
plan
like "$(cat "$ND_TMP/plan")" 'talos://10\.5\.0\.2:50000
      probes: route, tcp, tls, talos
      from: docker container talos-default-controlplane-1 on network talos-default' \
    "discovery, unpublished: the bridge IP is all there is, for the route probe"
nd --timeout 1s
is "$(jqo '.causes[0].id')" docker.port_not_published "bare run, unpublished: docker.port_not_published first"
like "$(jqo '[.causes[0].explains[]?] | join(",")')" 'talos://10\.5\.0\.2:50000#route' \
    "bare run, unpublished: it explains the unreachable bridge IP"

done_testing
