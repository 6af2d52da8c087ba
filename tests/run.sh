#!/usr/bin/env bash
#
# tests/run.sh - the `make check` runner.  The Makefile builds ./netdoctor and
# every unit test into $OBJDIR/tests/test_*, then runs
#
#	OBJDIR=build/release tests/run.sh
#
# which runs, in order:
#   unit   $OBJDIR/tests/test_*   cmocka binaries; counts come from cmocka's
#                                 "[  PASSED  ] N test(s)." style summaries
#   lab    tests/lab/test_*.sh    TAP scripts with real peers in network
#                                 namespaces (they skip themselves unless root)
#   check  tests/check/*.sh       TAP standing checks (banned calls, man lint)
#
# Each runs under `timeout` (TEST_TIMEOUT seconds, default 300) with its output
# kept in a temporary file: a passing test prints one line (plus its skip
# reasons), a failing one prints its whole output, indented.  The last line
# is always "N passed, N failed" with ", N skipped" appended when some were,
# and the exit status is 1 when anything failed, else 0.
#
# Environment:
#   OBJDIR        build tree with tests/test_* (default build/release)
#   TESTS=REGEX   run only tests whose path matches the extended regex,
#                 e.g. TESTS=range, TESTS=lab/, TESTS='test_(range|cli)'
#   TEST_TIMEOUT  per-test limit in seconds (default 300)
#   VERBOSE=1     print every test's output, not only failures'
# Exported to the tests: ND_TOP (source tree), ND_BIN (./netdoctor, or
# keepjson in front of it: see below), OBJDIR, ND_JSON_DIR.
#
# TAP as read here: "ok N - text" passes, "not ok N - text" fails,
# "ok ... # SKIP why" is skipped, "not ok ... # TODO why" is skipped (known
# breakage), "Bail out!" fails, and a "1..N" plan that the test lines do not
# meet fails once.  A test that exits non-zero (or times out) without a
# failure of its own counts as one failure named after it.
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || exit 2
cd "$top" || exit 2

OBJDIR=${OBJDIR:-build/release}
TESTS=${TESTS:-}
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
VERBOSE=${VERBOSE:-0}
ND_TOP=$top
ND_BIN=${ND_BIN:-$top/netdoctor}
export OBJDIR ND_TOP ND_BIN
# Every JSON report the tests make is kept and validated against the
# schema at the end (tests/check/schema.sh): the tests run keepjson, which
# runs the real binary (tests/tools/keepjson.c).  ND_JSON_DIR is writable
# by every user, as some tests drop to nobody.
ND_JSON_DIR=
if [ -x "$OBJDIR/tools/keepjson" ] && [ -z "${ND_REAL_BIN:-}" ]; then
	ND_JSON_DIR=$(mktemp -d "${TMPDIR:-/tmp}/nd-json.XXXXXX") || exit 2
	chmod 1777 "$ND_JSON_DIR"
	ND_REAL_BIN=$ND_BIN
	ND_BIN=$(cd "$OBJDIR/tools" && pwd)/keepjson
	export ND_REAL_BIN ND_JSON_DIR ND_BIN
fi
# We parse cmocka's standard output format; not its TAP, subunit or XML.
unset CMOCKA_MESSAGE_OUTPUT CMOCKA_XML_FILE

if [ -n "$TESTS" ]; then
	[[ x =~ $TESTS ]]
	if [ $? -eq 2 ]; then
		echo "tests/run.sh: TESTS='$TESTS' is not a valid extended regex" >&2
		exit 2
	fi
fi
if ! [[ $TEST_TIMEOUT =~ ^[1-9][0-9]*$ ]]; then
	echo "tests/run.sh: TEST_TIMEOUT must be a whole number of seconds" >&2
	exit 2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nd-check.XXXXXX") || exit 2
cur=		# pid of the running `timeout`, for the signal handler
passed=0
failed=0
skipped=0
failures=()	# "name: why" for the recap
seq=0

on_signal() {
	# timeout(1) runs the test in its own process group, which the
	# terminal's ^C does not reach: pass the stop on.
	if [ -n "$cur" ]; then
		kill -TERM "$cur" 2>/dev/null
		wait "$cur" 2>/dev/null
	fi
	rm -rf "$tmp" ${ND_JSON_DIR:+"$ND_JSON_DIR"}
	echo
	echo "tests/run.sh: interrupted"
	trap - EXIT
	exit "$1"
}
trap 'rm -rf "$tmp" ${ND_JSON_DIR:+"$ND_JSON_DIR"}' EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP

selected() {
	[ -z "$TESTS" ] || [[ $1 =~ $TESTS ]]
}

now_us() {
	local t=${EPOCHREALTIME/[.,]/}

	printf '%s' "$t"
}

# run_captured OUT CMD... - runs CMD with the time limit, output to OUT.
# Sets rc, timed_out (0/1) and secs ("1.2s").
run_captured() {
	local out=$1 t0 t1 ds
	shift

	t0=$(now_us)
	timeout -k 10 "$TEST_TIMEOUT" "$@" >"$out" 2>&1 </dev/null &
	cur=$!
	# The braces keep bash's "Segmentation fault" job notices off the
	# terminal; the exit status says it all.
	{ wait "$cur"; } 2>/dev/null
	rc=$?
	cur=
	t1=$(now_us)
	ds=$(((t1 - t0) / 100000))
	secs="$((ds / 10)).$((ds % 10))s"
	# 124: timeout(1) fired; 137: its KILL 10 s later, or a plain KILL.
	timed_out=0
	if [ "$rc" -eq 124 ] ||
	    { [ "$rc" -eq 137 ] && [ $((t1 - t0)) -ge $((TEST_TIMEOUT * 1000000)) ]; }; then
		timed_out=1
	fi
}

# Prints OUT's lines indented: all of them, or once each line matching REGEX.
show() {
	local out=$1 re=${2:-} line
	local -A seen=()

	while IFS= read -r line || [ -n "$line" ]; do
		if [ -z "$re" ]; then
			printf '    | %s\n' "$line"
		elif [[ $line =~ $re ]] && [ -z "${seen[$line]:-}" ]; then
			seen[$line]=1
			printf '    | %s\n' "$line"
		fi
	done <"$out"
}

# The lines that say what was skipped, in TAP and in cmocka output.
skip_re='[^\\]#[[:space:]]*([Ss][Kk][Ii][Pp]|[Tt][Oo][Dd][Oo])|^\[ +SKIPPED +\] [^0-9]'

# report KIND NAME P F S OUT NOTE - one result line, then output as needed.
report() {
	local kind=$1 name=$2 p=$3 f=$4 s=$5 out=$6 note=$7 word=PASS counts

	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	counts="$p passed, $f failed"
	[ "$s" -eq 0 ] || counts+=", $s skipped"
	[ "$f" -eq 0 ] || word=FAIL
	if [ "$f" -eq 0 ] && [ "$p" -eq 0 ] && [ "$s" -gt 0 ]; then
		word=SKIP
	fi
	printf '%-4s  %-5s %-40s %s (%s)\n' "$word" "$kind" "$name" "$counts" \
	    "$secs"
	[ -z "$note" ] || printf '    ! %s\n' "$note"
	if [ "$f" -gt 0 ] || [ "$VERBOSE" = 1 ]; then
		show "$out"
		[ "$f" -eq 0 ] || failures+=("$kind $name${note:+: $note}")
	elif [ "$s" -gt 0 ]; then
		show "$out" "$skip_re"
	fi
}

# Why a test that ran out of time, crashed or failed stopped.
exit_note() {
	if [ "$timed_out" -eq 1 ]; then
		printf 'timed out after %s s' "$TEST_TIMEOUT"
	elif [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ]; then
		printf 'killed by signal %d (exit %d)' $((rc - 128)) "$rc"
	elif [ "$rc" -ne 0 ]; then
		printf 'exit status %d' "$rc"
	fi
}

# ---------------------------------------------------------------- unit

run_unit() {
	local bin=$1 name out line p=0 f=0 s=0 summary=0 note
	local re_p='^\[ +PASSED +\] ([0-9]+) test\(s\)'
	local re_f='^\[ +FAILED +\] ([0-9]+) test\(s\)'
	local re_s='^\[ +SKIPPED +\] ([0-9]+) test\(s\)'

	name=$(basename "$bin")
	seq=$((seq + 1))
	out=$tmp/$seq.out
	run_captured "$out" "$bin"
	while IFS= read -r line; do
		if [[ $line =~ $re_p ]]; then
			p=$((p + BASH_REMATCH[1]))
			summary=1
		elif [[ $line =~ $re_f ]]; then
			f=$((f + BASH_REMATCH[1]))
			summary=1
		elif [[ $line =~ $re_s ]]; then
			s=$((s + BASH_REMATCH[1]))
		fi
	done <"$out"
	note=$(exit_note)
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed, sanitizer abort, group setup failure ...
	elif [ "$timed_out" -eq 1 ]; then
		f=$((f + 1))
	elif [ "$summary" -eq 0 ]; then
		f=1
		note="no cmocka summary in its output"
	fi
	report unit "$name" "$p" "$f" "$s" "$out" "$note"
}

# ---------------------------------------------------------------- TAP

run_tap() {
	local kind=$1 script=$2 out line p=0 f=0 s=0 n=0 plan='' note bail=0

	seq=$((seq + 1))
	out=$tmp/$seq.out
	run_captured "$out" bash "$script"
	while IFS= read -r line || [ -n "$line" ]; do
		if [[ $line =~ ^(not\ )?ok([[:space:]]|$) ]]; then
			n=$((n + 1))
			if [ -z "${BASH_REMATCH[1]}" ]; then
				if [[ $line =~ [^\\]#[[:space:]]*[Ss][Kk][Ii][Pp] ]]; then
					s=$((s + 1))
				else
					p=$((p + 1))
				fi
			elif [[ $line =~ [^\\]#[[:space:]]*[Tt][Oo][Dd][Oo] ]]; then
				s=$((s + 1))
			else
				f=$((f + 1))
			fi
		elif [[ $line =~ ^1\.\.([0-9]+) ]]; then
			plan=${BASH_REMATCH[1]}
		elif [[ $line =~ ^Bail\ out! ]]; then
			bail=1
		fi
	done <"$out"
	note=$(exit_note)
	if [ "$plan" = 0 ] && [ "$n" -eq 0 ]; then
		s=1	# "1..0 # SKIP why": the whole script skipped
	elif [ -n "$plan" ] && [ "$plan" -ne "$n" ]; then
		f=$((f + 1))
		note="planned $plan tests, ran $n${note:+; $note}"
	elif [ "$bail" -eq 1 ]; then
		f=$((f + 1))
		note="bailed out${note:+; $note}"
	elif [ "$timed_out" -eq 1 ]; then
		f=$((f + 1))
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	elif [ "$n" -eq 0 ] && [ -z "$plan" ]; then
		f=1
		note="no TAP output"
	fi
	report "$kind" "${script#tests/}" "$p" "$f" "$s" "$out" "$note"
}

# Lab namespaces are named nd-<pid>-<name>; one whose script is gone was
# leaked by a lab test (or lib.sh): report it and remove it.
lab_namespaces() {
	ip netns list 2>/dev/null | awk '$1 ~ /^nd-[0-9]+-/ { print $1 }' | sort
}

check_lab_leaks() {
	local before=$1 ns pid leaked=()

	while IFS= read -r ns; do
		[ -n "$ns" ] || continue
		pid=${ns#nd-}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null && continue
		leaked+=("$ns")
		ip netns del "$ns" 2>/dev/null
	done < <(comm -13 "$before" <(lab_namespaces))
	if [ ${#leaked[@]} -gt 0 ]; then
		secs=0.0s
		printf 'leaked namespace %s\n' "${leaked[@]}" >"$tmp/leak.out"
		report lab "(namespace leak check)" 0 1 0 "$tmp/leak.out" \
		    "namespaces left behind (removed now): ${leaked[*]}"
	fi
}

# ---------------------------------------------------------------- main

shopt -s nullglob

units=()
for bin in "$OBJDIR"/tests/test_*; do
	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi
	selected "$bin" && units+=("$bin")
done
labs=()
for script in tests/lab/test_*.sh; do
	selected "$script" && labs+=("$script")
done
checks=()
for script in tests/check/*.sh; do
	selected "$script" && checks+=("$script")
done

if [ ! -d "$OBJDIR/tests" ] && [ -z "$TESTS" ]; then
	echo "note: no $OBJDIR/tests: unit tests not built (use make check)"
fi
if [ $((${#units[@]} + ${#labs[@]} + ${#checks[@]})) -eq 0 ] &&
    [ -n "$TESTS" ]; then
	echo "note: TESTS='$TESTS' matches no test"
fi

for bin in "${units[@]}"; do
	run_unit "$bin"
done

if [ ${#labs[@]} -gt 0 ]; then
	ns_before=$tmp/ns.before
	lab_namespaces >"$ns_before"
	for script in "${labs[@]}"; do
		run_tap lab "$script"
	done
	check_lab_leaks "$ns_before"
fi

for script in "${checks[@]}"; do
	run_tap check "$script"
done

if [ ${#failures[@]} -gt 0 ]; then
	echo
	echo "failed:"
	printf '  %s\n' "${failures[@]}"
fi
summary="$passed passed, $failed failed"
[ "$skipped" -eq 0 ] || summary+=", $skipped skipped"
echo "$summary"
[ "$failed" -eq 0 ]
