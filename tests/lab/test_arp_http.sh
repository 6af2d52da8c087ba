#!/usr/bin/env bash
# Lab: ARP explains the web failure.  A bridge with ports to 'cli' (netdoctor),
# 'web' (a real HTTP server, Python's http.server, on the Gateway's
# address 10.200.90.70) and 'old' (a node that once held the address: no web
# server).  When 'old' takes the address too, two stations answer ARP for
# it; the laptop's neighbour entry is pinned to whichever one the test wants,
# so the outcome does not depend on which reply came last.  Nobody holds
# 10.200.90.71.  The targets come from a netdoctor.yaml (l2: and http:).
set -u
. "$(dirname "$0")/lib.sh"
need_root
need_cmd jq
PY=/usr/bin/python3
VIP=10.200.90.70
NONE=10.200.90.71

ns_add br >/dev/null
ns_exec br ip link add br0 type bridge
ns_exec br ip link set br0 up
i=0
for n in cli web old; do
	ns_add "$n" >/dev/null
	i=$((i + 1))
	ns_exec br ip link add "p$i" type veth peer name e0 netns "$(_nd_ns "$n")"
	ns_exec br ip link set "p$i" master br0
	ns_exec br ip link set "p$i" up
	ns_exec "$n" ip link set e0 up
done
ns_exec cli ip addr add 10.200.90.1/24 dev e0
ns_exec web ip addr add 10.200.90.10/24 dev e0
ns_exec web ip addr add "$VIP/24" dev e0
ns_exec old ip addr add 10.200.90.11/24 dev e0
mac_web=$(ns_exec web cat /sys/class/net/e0/address)
mac_old=$(ns_exec old cat /sys/class/net/e0/address)

mkdir -p "$ND_TMP/www"
echo "Sonarr Ready" >"$ND_TMP/www/index.html"
ns_spawn web "$PY" -m http.server --bind "$VIP" --directory "$ND_TMP/www" 80 \
    >"$ND_TMP/web.log" 2>&1
wait_for_port web "$VIP" 80
ok $? "a real web server listens on $VIP:80" || diag "$(cat "$ND_TMP/web.log")"

# The configuration under test: the pool address and the page behind it.
cat >"$ND_TMP/netdoctor.yaml" <<EOF
version: 1
l2:
  interface: e0
  addresses: [$VIP]
http:
  - url: http://sonarr.lab.test/
    connect: $VIP
    body: Sonarr Ready
EOF
# pin MAC - the laptop's neighbour entry for the address, as ARP left it.
pin() { ns_exec cli ip neigh replace "$VIP" lladdr "$1" dev e0 nud permanent; }
nd() { nd_json cli --timeout 2s "$@"; }
# probe NAME: the JSON of the probe NAME of the web target.
probe() { jqo ".probes[] | select(.probe==\"$1\" and (.target | startswith(\"http://\")))"; }
pid() { probe "$1" | jq -r .id; }
fid() { probe "$1" | jq -r '.findings[0].id'; }
WEB="http://sonarr.lab.test/?nd-connect=$VIP&nd-body=Sonarr%20Ready"

# One owner: the page is there.
pin "$mac_web"
nd -c "$ND_TMP/netdoctor.yaml"
is "$RC" 0 "one owner: exit 0" || diag "$(cat "$ND_TMP/err.txt")"
is "$(jqo '[.probes[] | select(.probe=="arp") | .findings[0].id] | join(",")')" arp.ok \
    "one owner: arp.ok"
is "$(fid http)" http.ok "one owner: the real server's page, with its text"
is "$(probe http | jq -r .target)" "$WEB" "the http: entry is the URL it stands for"
like "$(probe http | jq -r .origin)" 'netdoctor\.yaml:6$' "the web target's origin is the entry's line"

# Two owners, the laptop's cache on the one without a web server.
ns_exec old ip addr add "$VIP/24" dev e0
pin "$mac_old"
nd -c "$ND_TMP/netdoctor.yaml"
is "$RC" 2 "two owners, cache on the old node: exit 2"
is "$(first)" arp.duplicate_ip "two owners: arp.duplicate_ip ranked first"
like "$(jqo '.causes[0].summary')" "^2 MACs answer ARP for 10\\.200\\.90\\.70" \
    "two owners: both MACs in the summary"
is "$(jqo '.causes | length')" 1 "two owners: the web failure is not a cause of its own"
is "$(fid tcp)" tcp.refused "two owners: the old node refuses the connection"
is "$(probe http | jq -r .status)" skip "two owners: the request is not sent"
is "$(probe http | jq -r .blocked_by)" "$(pid tcp)" "two owners: http blocked_by the refused tcp probe"
explains=$(jqo '.causes[0].explains | join(" ")')
like "$explains" "$(pid tcp | sed 's/[.?]/\\&/g')" "two owners: the cause explains the refused connection"
like "$explains" "$(pid http | sed 's/[.?]/\\&/g')" "two owners: and the page behind it"
(cd "$ND_TMP" && ns_exec cli "$ND_BIN" run --timeout 2s -c netdoctor.yaml) >"$ND_TMP/dup.txt" 2>&1
diag "$(cat "$ND_TMP/netdoctor.yaml" "$ND_TMP/dup.txt")"

# Two owners, the cache on the web server: the page works, the conflict
# is still the cause (the next ARP reply may move the address).
pin "$mac_web"
nd -c "$ND_TMP/netdoctor.yaml"
is "$(first)" arp.duplicate_ip "two owners, cache on the web server: arp.duplicate_ip still first"
is "$(fid http)" http.ok "two owners, cache on the web server: the page answers"
is "$(jqo '.causes | length')" 1 "two owners, page up: nothing else to fold"

# Nobody owns the address: the connection fails, the page with it.
nd "arp://e0/$NONE" "http://sonarr.lab.test/?nd-connect=$NONE"
is "$RC" 2 "no owner: exit 2"
is "$(first)" arp.no_responder "no owner: arp.no_responder ranked first"
is "$(jqo '.causes | length')" 1 "no owner: the web failure is folded under it"
like "$(fid tcp)" '^tcp\.(timeout|host_unreachable)$' "no owner: the connection gets no answer"
is "$(probe http | jq -r .blocked_by)" "$(pid tcp)" "no owner: http blocked_by the tcp probe"
explains=$(jqo '.causes[0].explains | join(" ")')
like "$explains" "#tcp@10\\.200\\.90\\.71" "no owner: the cause explains the connection"
like "$explains" "#http@10\\.200\\.90\\.71" "no owner: and the page behind it"

done_testing
