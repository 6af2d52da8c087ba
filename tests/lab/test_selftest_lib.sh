#!/usr/bin/env bash
# test_selftest_lib.sh - lib.sh itself: namespaces, veth links, the address
# and ownership guards, wait_for_port, and that nothing is left behind when
# a lab script exits or is stopped by TERM.
set -u
# shellcheck source=tests/lab/lib.sh
. "$(dirname "$0")/lib.sh"
need_root

LIB=$ND_TOP/tests/lab/lib.sh

ns_names() {
	ip netns list | awk '{ print $1 }'
}

A=$(ns_add a)
B=$(ns_add b)
is "$A" "nd-$$-a" "ns_add names the namespace nd-<pid>-<name>"
ns_names | grep -qxF "$A" && ns_names | grep -qxF "$B"
ok $? "both namespaces exist"
like "$(ns_exec a ip -o link show lo)" "<LOOPBACK,UP" "lo is up in $A"

veth_pair a va 10.200.0.1/24 b vb 10.200.0.2/24
ok $? "veth_pair a va 10.200.0.1/24 b vb 10.200.0.2/24"
like "$(ns_exec a ip -o -4 addr show dev va)" "inet 10\.200\.0\.1/24" \
    "va has its address"
like "$(ns_exec b ip -o link show vb)" "state UP" "vb is up"
! ip link show va >/dev/null 2>&1 && ! ip link show vb >/dev/null 2>&1
ok $? "no veth end in the root namespace"

# Reachability without extra tools: a closed port answers RST.
out=$(ns_exec a timeout 3 bash -c 'exec 3<>/dev/tcp/10.200.0.2/9' 2>&1)
like "$out" "Connection refused" "a reaches b (RST from a closed port)"
if command -v ping >/dev/null 2>&1; then
	ns_exec a ping -c1 -W1 10.200.0.2 >/dev/null
	ok $? "ping a -> b"
else
	skip "ping is not installed (iputils-ping)" "ping a -> b"
fi

veth_pair a v6a 2001:db8::1/64 b v6b 2001:db8::2/64
ok $? "veth_pair with IPv6 documentation addresses"

veth_pair a x1 8.8.8.8/24 b x2 10.200.1.2/24 2>/dev/null
is "$?" 2 "veth_pair refuses addresses outside the lab ranges"
ns_exec nd-1-notours true 2>/dev/null
is "$?" 125 "ns_exec refuses a namespace it did not create"

if command -v perl >/dev/null 2>&1; then
	# shellcheck disable=SC2016 # perl code
	ns_spawn b perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(LocalAddr => "10.200.0.2:8080",
		    Listen => 5, ReuseAddr => 1) or die "listen: $!";
		while (my $c = $s->accept) { close $c }' >/dev/null 2>&1
	wait_for_port b 10.200.0.2 8080
	ok $? "wait_for_port sees a listener on 10.200.0.2:8080"
	ns_exec a timeout 3 bash -c 'exec 3<>/dev/tcp/10.200.0.2/8080'
	ok $? "a connects to the listener in b"
else
	skip "perl is not installed" "wait_for_port sees a listener"
	skip "perl is not installed" "a connects to the listener in b"
fi
t0=${EPOCHREALTIME/[.,]/}
wait_for_port b 10.200.0.2 8081 300
rc=$?
t1=${EPOCHREALTIME/[.,]/}
is "$rc" 1 "wait_for_port gives up on a port nobody listens on"
# 300 ms asked, 5 s the default: under 4.5 s is the limit, on any machine.
ok "$(( (t1 - t0) / 1000 < 4500 ? 0 : 1 ))" "wait_for_port honours its limit"

# True once pid $1 has exited (a zombie its parent has yet to reap counts),
# within 30 s: a loaded machine (make check beside a CPU hog) is slow to
# kill, and the passing case returns at once.
gone_within_30s() {
	local i state

	for ((i = 0; i < 600; i++)); do
		state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
		case $state in "" | Z) return 0 ;; esac
		sleep 0.05
	done
	return 1
}

# A script that exits normally takes its namespaces and processes along.
out=$(bash -c '
	set -u
	. "$1"
	ns_add gone >/dev/null || exit 1
	ns_spawn gone sleep 60 >/dev/null 2>&1
	echo "nd-$$-gone $ND_PID"
' child "$LIB")
read -r gone pid <<<"$out"
like "$gone" "^nd-[0-9]+-gone$" "child script made a namespace"
ns_names | grep -qxF "${gone:-none}"
is "$?" 1 "its namespace is gone after it exits"
gone_within_30s "${pid:-0}"
ok $? "the process it left in the namespace was killed"

# So does one stopped by TERM (run.sh's time limit) in the middle of a wait.
ready=$ND_TMP/ready
bash -c '
	set -u
	. "$1"
	ns_add term >/dev/null || exit 1
	echo "nd-$$-term" >"$2"
	ns_spawn term sleep 60
	wait "$ND_PID"
' child "$LIB" "$ready" &
child=$!
for ((i = 0; i < 600; i++)); do
	[ -s "$ready" ] && break
	sleep 0.05
done
termed=$(cat "$ready" 2>/dev/null)
ns_names | grep -qxF "${termed:-none}"
ok $? "TERM child made its namespace"
kill -TERM "$child"
wait "$child"
is "$?" 143 "TERM child exits with 128+15"
ns_names | grep -qxF "${termed:-none}"
is "$?" 1 "its namespace is gone after TERM"

done_testing
