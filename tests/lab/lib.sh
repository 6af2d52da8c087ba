# shellcheck shell=bash
#
# tests/lab/lib.sh - helpers for lab tests: TAP output and throwaway network
# namespaces with veth links, so tests run real peers without touching the
# host's interfaces or routes (docs/architecture.md 6: hermetic tests).
#
# Use from a bash script with `set -u`:
#
#	. "$(dirname "$0")/lib.sh"
#	need_root
#	A=$(ns_add a); B=$(ns_add b)	# nd-<pid>-a, nd-<pid>-b
#	veth_pair a va 10.200.0.1/24 b vb 10.200.0.2/24
#	ns_spawn b some-server --listen 10.200.0.2:8080 >"$ND_TMP/log" 2>&1
#	wait_for_port b 10.200.0.2 8080; ok $? "server listens"
#	out=$(ns_exec a "$ND_BIN" run tcp://10.200.0.2:8080)
#	like "$out" "tcp.connected" "netdoctor sees the server"
#	done_testing
#
# Namespace arguments are either the short name given to ns_add ("a") or the
# full name it printed.  Every namespace is deleted, and every process still
# running inside it killed, when the script exits, fails, or gets INT, TERM
# or HUP (run.sh's time limit sends TERM).  Addresses must come from the
# ranges reserved for these tests: 10.200.0.0/16, 172.30.0.0/16, the
# documentation nets 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, and for
# IPv6 2001:db8::/32 or fd00::/8.
#
# Call the TAP helpers from the script's own shell, not from $(...) or a
# pipeline: the counters live in shell variables.  ns_add works in $(...)
# because the namespace list is kept in a file.  A long wait that must stay
# interruptible by TERM is `cmd & wait $!` (bash runs traps only between
# foreground commands).
#
# Exported for tests: ND_TOP (source tree), ND_BIN (netdoctor binary),
# ND_TMP (scratch directory removed on exit).

[ -n "${_ND_LAB_LIB:-}" ] && return 0
_ND_LAB_LIB=1

ND_TOP=${ND_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
ND_BIN=${ND_BIN:-$ND_TOP/netdoctor}
ND_TMP=$(mktemp -d "${TMPDIR:-/tmp}/nd-lab.XXXXXX") || {
	echo "Bail out! lib.sh: mktemp failed"
	exit 1
}
export ND_TOP ND_BIN ND_TMP

_nd_owner=$BASHPID
_nd_nsfile=$ND_TMP/.namespaces	# one full name a line, in creation order
_nd_atexit=()
_nd_cleaned=
: >"$_nd_nsfile"

# ---------------------------------------------------------------- TAP

_nd_n=0
_nd_pass=0
_nd_fail=0
_nd_skip=0
_nd_plan=

# A description is one line and must not start a TAP directive by accident.
_nd_desc() {
	local d=${1//$'\n'/ }
	printf '%s' "${d//#/\\#}"
}

# diag LINE... - TAP comments, one per line of each argument.
diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$(printf '%s\n' "$@")"
}

# plan N - announce N tests up front (optional; done_testing prints it
# otherwise).
plan() {
	_nd_plan=$1
	printf '1..%d\n' "$1"
}

_nd_pass() {
	_nd_n=$((_nd_n + 1))
	_nd_pass=$((_nd_pass + 1))
	printf 'ok %d - %s\n' "$_nd_n" "$(_nd_desc "$1")"
}

_nd_fail() {
	_nd_n=$((_nd_n + 1))
	_nd_fail=$((_nd_fail + 1))
	printf 'not ok %d - %s\n' "$_nd_n" "$(_nd_desc "$1")"
}

# ok EXIT_CODE DESC - passes when EXIT_CODE is 0:  cmd; ok $? "cmd works"
ok() {
	local rc=${1:-} desc=${2:-}

	if [ "$rc" = 0 ]; then
		_nd_pass "$desc"
		return 0
	fi
	_nd_fail "$desc"
	diag "  exit code: ${rc:-(none)}"
	return 1
}

# is GOT EXPECTED DESC - exact string comparison.
is() {
	if [ "$1" = "$2" ]; then
		_nd_pass "${3:-}"
		return 0
	fi
	_nd_fail "${3:-}"
	diag "       got: '$1'" "  expected: '$2'"
	return 1
}

# like GOT REGEX DESC - bash extended regex match ([[ =~ ]]).
like() {
	if [[ $1 =~ $2 ]]; then
		_nd_pass "${3:-}"
		return 0
	fi
	_nd_fail "${3:-}"
	diag "       got: '$1'" "  expected to match: '$2'"
	return 1
}

# unlike GOT REGEX DESC - GOT does not match the regex.
unlike() {
	if ! [[ $1 =~ $2 ]]; then
		_nd_pass "${3:-}"
		return 0
	fi
	_nd_fail "${3:-}"
	diag "       got: '$1'" "  expected not to match: '$2'"
	return 1
}

# skip REASON DESC - a test that cannot run here.
skip() {
	_nd_n=$((_nd_n + 1))
	_nd_skip=$((_nd_skip + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_nd_n" "$(_nd_desc "${2:-}")" \
	    "$(_nd_desc "${1:-}")"
}

# skip_all REASON - the whole script cannot run here: one skipped test, exit 0.
skip_all() {
	printf 'ok 1 - %s # SKIP %s\n' "$(basename "$0")" "$(_nd_desc "$1")"
	exit 0
}

# done_testing - prints the plan if none was given and the totals; returns
# 1 when a test failed or the plan was not met, so it can end the script.
done_testing() {
	local rc=0

	[ -n "$_nd_plan" ] || printf '1..%d\n' "$_nd_n"
	printf '# %d passed, %d failed, %d skipped\n' \
	    "$_nd_pass" "$_nd_fail" "$_nd_skip"
	if [ -n "$_nd_plan" ] && [ "$_nd_plan" -ne "$_nd_n" ]; then
		diag "planned $_nd_plan tests but ran $_nd_n"
		rc=1
	fi
	[ "$_nd_fail" -eq 0 ] || rc=1
	return "$rc"
}

# need_cmd CMD... - skip the whole script unless every command exists.
need_cmd() {
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
		    skip_all "$c is not installed"
	done
}

# need_root - skip the whole script unless we can make network namespaces.
need_root() {
	local probe="nd-$$-probe"

	[ "$(id -u)" -eq 0 ] ||
	    skip_all "not root (lab tests need root for network namespaces)"
	need_cmd ip ss
	# Root in an unprivileged container still lacks CAP_SYS_ADMIN.
	ip netns add "$probe" 2>/dev/null ||
	    skip_all "cannot create network namespaces here"
	ip netns del "$probe"
}

# ---------------------------------------------------------------- namespaces

# Full name of a namespace argument.
_nd_ns() {
	case $1 in
	nd-*)	printf '%s' "$1" ;;
	*)	printf 'nd-%s-%s' "$$" "$1" ;;
	esac
}

# Succeeds for namespaces this script made; everything else is off limits.
_nd_owned() {
	if grep -qxF -- "$1" "$_nd_nsfile" 2>/dev/null; then
		return 0
	fi
	echo "lib.sh: namespace '$1' was not created by this script" >&2
	return 1
}

# ns_add NAME - creates namespace nd-<pid>-NAME with lo up, prints its name.
ns_add() {
	local ns

	if [[ ! ${1:-} =~ ^[A-Za-z0-9_.-]{1,32}$ ]]; then
		echo "lib.sh: ns_add: bad name '${1:-}'" >&2
		return 2
	fi
	ns=$(_nd_ns "$1")
	ip netns add "$ns" || return 1
	printf '%s\n' "$ns" >>"$_nd_nsfile"
	ip -n "$ns" link set lo up || return 1
	printf '%s\n' "$ns"
}

# ns_exec NS CMD... - runs CMD inside namespace NS.
ns_exec() {
	local ns

	ns=$(_nd_ns "${1:?ns_exec NS CMD...}")
	shift
	_nd_owned "$ns" || return 125
	ip netns exec "$ns" "$@"
}

# ns_spawn NS CMD... - starts CMD in the background inside NS and sets
# ND_PID to its pid (the command's own: `ip netns exec` execs it, whereas
# `ns_exec ... &` would give the pid of a bash subshell).  Redirect as usual:
# `ns_spawn b server >"$ND_TMP/server.log" 2>&1`.  Whatever still runs in
# the namespace is killed on exit.
ND_PID=
ns_spawn() {
	local ns

	ns=$(_nd_ns "${1:?ns_spawn NS CMD...}")
	shift
	_nd_owned "$ns" || return 125
	ip netns exec "$ns" "$@" &
	# shellcheck disable=SC2034 # read by the calling script
	ND_PID=$!
}

# Succeeds when $1 is ADDR/LEN inside the ranges reserved for lab tests.
_nd_addr_ok() {
	local a=$1 ip len

	[[ $a == */* ]] || return 1
	ip=${a%/*}
	len=${a#*/}
	[[ $len =~ ^[0-9]{1,3}$ ]] || return 1
	if [[ $ip =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}$ ]]; then
		[ "$len" -le 32 ] || return 1
		case $ip in
		10.200.* | 172.30.* | 192.0.2.* | 198.51.100.* | 203.0.113.*)
			return 0 ;;
		esac
		return 1
	fi
	[ "$len" -le 128 ] || return 1
	case ${ip,,} in
	2001:db8:* | fd*:*) return 0 ;;
	esac
	return 1
}

# Adds ADDR/LEN to IF in NS; IPv6 skips duplicate address detection so the
# address is usable at once.
_nd_addr_add() {
	local extra=()

	[[ $3 == *:* ]] && extra=(nodad)
	ip -n "$1" addr add "$3" dev "$2" "${extra[@]}"
}

# veth_pair NS1 IF1 ADDR1 NS2 IF2 ADDR2 - a veth link between two of our
# namespaces, made inside NS1 with its peer created straight in NS2, so no
# end ever exists in the root namespace.  ADDRs are CIDR ("10.200.0.1/24")
# or "-" for none.
veth_pair() {
	local ns1 ns2 a

	if [ $# -ne 6 ]; then
		echo "lib.sh: usage: veth_pair NS1 IF1 ADDR1 NS2 IF2 ADDR2" >&2
		return 2
	fi
	ns1=$(_nd_ns "$1")
	ns2=$(_nd_ns "$4")
	_nd_owned "$ns1" && _nd_owned "$ns2" || return 2
	for a in "$3" "$6"; do
		if [ "$a" != - ] && ! _nd_addr_ok "$a"; then
			echo "lib.sh: veth_pair: $a is outside the lab ranges" >&2
			return 2
		fi
	done
	ip -n "$ns1" link add "$2" type veth peer name "$5" netns "$ns2" ||
	    return 1
	if [ "$3" != - ]; then _nd_addr_add "$ns1" "$2" "$3" || return 1; fi
	if [ "$6" != - ]; then _nd_addr_add "$ns2" "$5" "$6" || return 1; fi
	ip -n "$ns1" link set "$2" up && ip -n "$ns2" link set "$5" up
}

# nginx_conf DIR - writes DIR/nginx.conf for one foreground nginx worker
# that keeps its pid, logs and temporary files in DIR; the server blocks
# of its http {} section come from standard input.
nginx_conf() {
	local servers

	servers=$(cat)
	cat >"$1/nginx.conf" <<NGINX
user root;
daemon off;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $1/body;
	proxy_temp_path $1/proxy;
	fastcgi_temp_path $1/fastcgi;
	uwsgi_temp_path $1/uwsgi;
	scgi_temp_path $1/scgi;
$servers
}
NGINX
}

# wait_for_port NS ADDR PORT [TIMEOUT_MS] - waits (default 5000 ms, polling
# every 50 ms) until something in NS listens on TCP ADDR:PORT, a wildcard
# address included.  Returns 0 when it does, 1 on timeout.
wait_for_port() {
	local ns addr=$2 port=$3 limit=${4:-5000} now deadline

	ns=$(_nd_ns "$1")
	_nd_owned "$ns" || return 2
	now=${EPOCHREALTIME/[.,]/}
	deadline=$((now + limit * 1000))
	while :; do
		if ip netns exec "$ns" ss -Hltn "sport = :$port" 2>/dev/null |
		    awk -v a="$addr" '
			{
				l = $4
				sub(/:[0-9]+$/, "", l)
				gsub(/[][]/, "", l)
				sub(/%.*/, "", l)
				if (l == a || l == "*" || l == "::" ||
				    (l == "0.0.0.0" && a !~ /:/))
					found = 1
			}
			END { exit !found }'; then
			return 0
		fi
		now=${EPOCHREALTIME/[.,]/}
		[ "$now" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# ---------------------------------------------------------------- netdoctor

# nd_json NS ARG... - `netdoctor run --format json ARG...` inside NS: the
# report in $ND_TMP/out.json, standard error in $ND_TMP/err.txt, the exit
# code in RC.  jqo FILTER reads the report; first is its first cause's id.
RC=
nd_json() {
	local ns=${1:?nd_json NS ARG...}

	shift
	ns_exec "$ns" "$ND_BIN" run --format json "$@" >"$ND_TMP/out.json" \
	    2>"$ND_TMP/err.txt"
	RC=$?
}
jqo() { jq -r "$1" "$ND_TMP/out.json"; }
first() { jqo '.causes[0].id'; }

# usim SCRIPT SOCK SCENARIO [ARGS...] - (re)starts a unix-socket simulator
# (fixtures/*/SCRIPT: docker_sim.py, tailscale_sim.py) on SOCK with the
# scenario directory SCENARIO, in this shell's namespace; it prints "ready"
# once it listens.  Waits up to 30 s (a loaded machine is slow to start
# Python) and sets SIMPID; usim_stop ends it (register it with at_exit).
SIMPID=
usim_stop() {
	[ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null && wait "$SIMPID" 2>/dev/null
	SIMPID=
}
usim() {
	local script=$1 sock=$2 scen=$3 i

	shift 3
	usim_stop
	rm -f "$sock" "$ND_TMP/sim.log"
	/usr/bin/python3 "$script" --socket "$sock" --scenario "$scen" "$@" \
	    >"$ND_TMP/sim.log" 2>&1 &
	SIMPID=$!
	for i in $(seq 600); do
		grep -q '^ready' "$ND_TMP/sim.log" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "Bail out! ${script##*/} did not start (${scen##*/} $*)"
	exit 1
}

# sim_spawn NS NAME SCRIPT ARGS... - starts fixtures/SCRIPT, a simulator
# that prints "READY ADDR:PORT ..." once it listens, in NS with
# /usr/bin/python3 (its output in $ND_TMP/NAME.log), waits up to 10 s for
# that line and sets PORT (the port it bound) and SIMPID.  When the line
# never comes, a diag says what the simulator printed instead.
sim_spawn() {
	local ns=$1 name=$2 script=$3 i line=
	shift 3
	ns_spawn "$ns" /usr/bin/python3 "$ND_TOP/fixtures/$script" "$@" \
	    >"$ND_TMP/$name.log" 2>&1
	SIMPID=$ND_PID
	for i in $(seq 200); do
		line=$(grep -m1 '^READY' "$ND_TMP/$name.log" 2>/dev/null)
		[ -n "$line" ] && break
		sleep 0.05
	done
	PORT=$(sed -E 's/^READY [^ ]*:([0-9]+).*/\1/' <<<"$line")
	[ -n "$line" ] || diag "$name did not start: $(cat "$ND_TMP/$name.log")"
}

# ---------------------------------------------------------------- cleanup

# at_exit CMD... - runs CMD on exit, before the namespaces go (last first).
at_exit() {
	_nd_atexit+=("$(printf '%q ' "$@")")
}

# Kills what runs in a namespace: TERM, up to 1 s of grace, then KILL.
_nd_ns_kill() {
	local ns=$1 i pids

	pids=$(ip netns pids "$ns" 2>/dev/null)
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086 # one pid a word
	kill $pids 2>/dev/null
	for ((i = 0; i < 20; i++)); do
		sleep 0.05
		pids=$(ip netns pids "$ns" 2>/dev/null)
		[ -n "$pids" ] || return 0
	done
	# shellcheck disable=SC2086
	kill -KILL $pids 2>/dev/null
}

_nd_cleanup() {
	local i ns

	# Subshells and $(...) share our variables but not our namespaces.
	[ "$BASHPID" = "$_nd_owner" ] || return 0
	[ -z "$_nd_cleaned" ] || return 0
	_nd_cleaned=1
	# Our background jobs die below; bash need not report each one.
	disown -a 2>/dev/null
	for ((i = ${#_nd_atexit[@]} - 1; i >= 0; i--)); do
		eval "${_nd_atexit[i]}" || true
	done
	if [ -s "$_nd_nsfile" ]; then
		while IFS= read -r ns; do
			_nd_ns_kill "$ns"
			ip netns del "$ns" 2>/dev/null
		done < <(tac "$_nd_nsfile")
	fi
	rm -rf "$ND_TMP"
}

_nd_on_signal() {
	_nd_cleanup
	trap - EXIT
	exit "$1"
}

trap '_nd_cleanup' EXIT
trap '_nd_on_signal 129' HUP
trap '_nd_on_signal 130' INT
trap '_nd_on_signal 143' TERM
