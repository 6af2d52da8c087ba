#!/usr/bin/env bash
# Lab: self-test of the DNS fixtures (fixtures/dns/README.md).  Starts the
# router, Pi-hole and upstream dnsmasq instances on 10.200.53.1-3 port 53 in
# a namespace and checks every row of the README's record table with dig,
# once with +rec and once with +norec: rcode, answer section (TTL, type,
# data) and EDE code.  Then a few cases outside the table (TCP, upstream
# down) and bench-hosts.sh, with one dnsperf pass when dnsperf is installed.
set -u
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
need_root
need_cmd dig dnsmasq awk

FX=$ND_TOP/fixtures/dns
ROUTER=10.200.53.1
PIHOLE=10.200.53.2
UPSTREAM=10.200.53.3
BENCH=10.200.53.4
ns_add dns >/dev/null
for a in $ROUTER $PIHOLE $UPSTREAM $BENCH; do
	ns_exec dns ip addr add "$a/32" dev lo || echo "Bail out! cannot add $a"
done
diag "$(dnsmasq --version | head -1)" "$(dig -v 2>&1 | head -1)"

# start NAME CONF ADDR [EXTRA...] - one dnsmasq in the namespace, logging
# queries to $ND_TMP/NAME.log; ND_PID is its pid.
start() {
	local name=$1 conf=$2 addr=$3
	shift 3
	ns_spawn dns dnsmasq --conf-file="$conf" --listen-address="$addr" \
	    --port=53 --no-daemon --pid-file= --log-queries=extra \
	    --log-facility=- "$@" >"$ND_TMP/$name.log" 2>&1
	wait_for_port dns "$addr" 53
	ok $? "$name dnsmasq listens on $addr:53"
}

start upstream "$FX/upstream.conf" $UPSTREAM
UPSTREAM_PID=$ND_PID
start pihole "$FX/pihole.conf" $PIHOLE
start router "$FX/router.conf" $ROUTER

# dq DIG-ARGS... - one query; sets DQ to "RCODE|ANSWERS|EDE" where ANSWERS
# is "TTL TYPE DATA" lines joined by ";" (or "-") and EDE the EDE codes
# joined by "," (or "-").  RCODE is NOREPLY when dig got no answer.
DQ=
dq() {
	local out rcode ans ede

	out=$(ns_exec dns dig +tries=1 +time=1 +noall +comments +answer "$@" 2>&1)
	rcode=$(sed -n 's/^;; ->>HEADER<<-.* status: \([A-Z]*\),.*/\1/p' <<<"$out")
	ans=$(awk '!/^;/ && NF >= 5 {
		d = $5
		for (i = 6; i <= NF; i++) d = d " " $i
		print $2 " " $4 " " d
	}' <<<"$out" | paste -sd';')
	ede=$(sed -n 's/^; EDE: \([0-9]*\).*/\1/p' <<<"$out" | paste -sd,)
	DQ="${rcode:-NOREPLY}|${ans:--}|${ede:--}"
	DQ_OUT=$out
}

# ttl_cached EXPECTED-ANSWERS GOT - for rows whose TTL is written "300*": a
# forwarded answer from the router's cache counts down, so any TTL from 1 up
# to the written one passes (and is rewritten to the written one).
ttl_cached() {
	awk -v want="$1" -v got="$2" 'BEGIN {
		ne = split(want, e, ";"); ng = split(got, g, ";")
		out = ""
		for (i = 1; i <= ng; i++) {
			split(g[i], gf, " "); split(e[i], ef, " ")
			t = ef[1]; sub(/\*$/, "", t)
			if (i <= ne && ef[1] ~ /\*$/ && gf[1] >= 1 && gf[1] <= t + 0)
				sub(/^[0-9]+/, ef[1], g[i])
			out = out (i > 1 ? ";" : "") g[i]
		}
		print out
	}'
}

# ------------------------------------------------------------ README table

# Rows "| server | `name` | type | rcode | `answer` | EDE | case |".
table=$(awk -F'|' '
	/^\| (pihole|upstream|router) \| `[a-z0-9.-]+` \| [A-Z]+ \|/ {
		for (i = 2; i <= 7; i++) {
			f = $i
			gsub(/`/, "", f); gsub(/^ +| +$/, "", f)
			if (f == "—") f = "-"
			printf "%s%s", f, (i < 7 ? "\t" : "\n")
		}
	}' "$FX/README.md")
rows=$(grep -c . <<<"$table")
is "$rows" 35 "README table: 35 record rows parsed"

declare -A addr=([pihole]=$PIHOLE [upstream]=$UPSTREAM [router]=$ROUTER)
while IFS=$'\t' read -r srv name type rcode answer ede; do
	[ -n "$srv" ] || continue
	want="$rcode|$answer|$ede"
	for mode in +rec +norec; do
		dq "$mode" "@${addr[$srv]}" "$name" "$type"
		got=$DQ
		if [[ $answer == *'*'* ]]; then
			got_ans=${got#*|}
			got_ans=${got_ans%|*}
			got="${got%%|*}|$(ttl_cached "$answer" "$got_ans")|${got##*|}"
		fi
		is "$got" "$want" "$srv $name $type $mode: $rcode ${answer} EDE ${ede}" ||
		    diag "$DQ_OUT"
	done
done <<<"$table"

# A forwarded answer from the router's cache really does count down (the
# table only bounds it): after a second, the TTL is below 300.
dq @$ROUTER tracker.lab.test A
sleep 1.1
dq @$ROUTER tracker.lab.test A
like "$DQ" '^NOERROR\|(299|29[0-8]) A 10\.200\.40\.10\|-$' \
    "router: cached tracker.lab.test TTL counts down from 300"

# ------------------------------------------------------------ outside the table

dq +tcp @$PIHOLE servfail.lab.test A
is "$DQ" "SERVFAIL|-|6" "pihole servfail.lab.test over TCP: SERVFAIL, EDE 6"
dq +tcp @$PIHOLE ads.lab.test A
is "$DQ" "NOERROR|2 A 0.0.0.0|-" "pihole ads.lab.test over TCP: 0.0.0.0 TTL 2"
t0=${EPOCHREALTIME/[.,]/}
# dig would wait 30 s for a held connection: half of that tells the two
# apart on any machine.
dq +tcp +time=30 @$PIHOLE timeout.lab.test A
t1=${EPOCHREALTIME/[.,]/}
is "$DQ" "NOREPLY|-|-" "pihole timeout.lab.test over TCP: no answer"
[ $(((t1 - t0) / 1000)) -lt 15000 ]
ok $? "pihole timeout.lab.test over TCP: connection closed, not held ($(((t1 - t0) / 1000)) ms)"

# Each of the Pi-hole's verdicts is logged as expected (dnsmasq's own view).
for pat in 'config ads.lab.test is 0.0.0.0' 'config tracker.lab.test is NXDOMAIN' \
    'config nodata.lab.test is NODATA-IPv4' 'validation servfail.lab.test is BOGUS' \
    'config error is REFUSED \(EDE: not ready\)' 'forwarded timeout.lab.test to 127.0.0.1#9'; do
	grep -Eq "$pat" "$ND_TMP/pihole.log"
	ok $? "pihole log: $pat"
done

# With the upstream gone, SERVFAIL turns into no reply at all.
kill "$UPSTREAM_PID"
wait "$UPSTREAM_PID" 2>/dev/null
dq @$PIHOLE servfail.lab.test A
is "$DQ" "NOREPLY|-|-" "upstream stopped: pihole servfail.lab.test gets no reply"
dq @$PIHOLE sonarr.int.lab.test A
is "$DQ" "NOERROR|300 A 10.200.30.61|-" "upstream stopped: local records still answer"

# ------------------------------------------------------------ bench-hosts.sh

BH=$FX/bench-hosts.sh
"$BH" 10000 "$ND_TMP/bench.hosts"
ok $? "bench-hosts.sh 10000 FILE exits 0"
is "$(grep -vc '^#' "$ND_TMP/bench.hosts")" 10000 "bench hosts: 10000 entries"
is "$(grep -v '^#' "$ND_TMP/bench.hosts" | head -1)" "10.200.0.1 bench-0.lab.test" \
    "bench hosts: first entry"
is "$(sed -n 252p "$ND_TMP/bench.hosts")" "10.200.1.1 bench-250.lab.test" \
    "bench hosts: entry 250 starts the next /24"
is "$(tail -1 "$ND_TMP/bench.hosts")" "10.200.39.250 bench-9999.lab.test" \
    "bench hosts: last entry"
is "$(awk '{print $1}' "$ND_TMP/bench.hosts" | sort | uniq -d | head -1)" "" \
    "bench hosts: no address twice"
is "$(wc -l <"$ND_TMP/bench.hosts.queries")" 10000 "bench queries: 10000 lines"
is "$(sed -n '1p;$p' "$ND_TMP/bench.hosts.queries" | paste -sd,)" \
    "bench-0.lab.test A,bench-9999.lab.test A" "bench queries: first and last"
"$BH" 3 "$ND_TMP/b3" "$ND_TMP/q3"
is "$(paste -sd, "$ND_TMP/q3")" "bench-0.lab.test A,bench-1.lab.test A,bench-2.lab.test A" \
    "bench-hosts.sh N FILE QUERYFILE writes QUERYFILE"
for bad in 0 64001 x; do
	"$BH" "$bad" "$ND_TMP/bad" 2>/dev/null
	is "$?" 2 "bench-hosts.sh $bad: usage error (exit 2)"
done

start bench "$FX/pihole.conf" $BENCH --addn-hosts="$ND_TMP/bench.hosts"
dq @$BENCH bench-0.lab.test A
is "$DQ" "NOERROR|0 A 10.200.0.1|-" "bench pihole: bench-0.lab.test"
dq @$BENCH bench-9999.lab.test A
is "$DQ" "NOERROR|0 A 10.200.39.250|-" "bench pihole: bench-9999.lab.test"
dq @$BENCH ads.lab.test A
is "$DQ" "NOERROR|2 A 0.0.0.0|-" "bench pihole: the fixture records are still there"
if command -v dnsperf >/dev/null 2>&1; then
	out=$(ns_exec dns dnsperf -s $BENCH -d "$ND_TMP/bench.hosts.queries" -n 1 2>&1)
	like "$out" 'Queries completed: +10000 ' "dnsperf: 10000 queries completed"
	like "$out" 'Response codes: +NOERROR 10000 \(100\.00%\)' "dnsperf: all NOERROR" ||
	    diag "$out"
	diag "$(grep -E 'Queries per second|Average Latency' <<<"$out")"
else
	skip "dnsperf is not installed" "dnsperf: 10000 queries completed"
	skip "dnsperf is not installed" "dnsperf: all NOERROR"
fi

done_testing
