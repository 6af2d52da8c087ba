#!/usr/bin/env bash
#
# tests/check/fuzz_replay.sh - standing check (TAP): every input of the
# fuzz corpora in tests/fuzz/corpus/ replays clean through its harness
# built with gcc and ASan+UBSan (`make fuzz-replay`, tests/fuzz/fuzz.mk).
# gcc only, no clang or libFuzzer; a few seconds once built.  Before the
# top Makefile includes tests/fuzz/fuzz.mk, the fragment is named on the
# command line instead.
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 2
cd "$top" || exit 2

echo "1..1"
name="fuzz corpora replay clean under ASan+UBSan"

if ! command -v gcc >/dev/null 2>&1; then
	echo "ok 1 - $name # SKIP gcc not installed"
	exit 0
fi

# `make check` may run with SAN=1 or CI=true; they pass through, and the
# fuzz build ignores SAN.  -j: two cores build the library in seconds.
jobs=$(nproc 2>/dev/null || echo 2)
mk=(make -s --no-print-directory -j"$jobs")
if ! make -n fuzz-replay >/dev/null 2>&1; then
	mk+=(-f Makefile -f tests/fuzz/fuzz.mk)
fi

out=$(mktemp "${TMPDIR:-/tmp}/nd-fuzz-replay.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT

if "${mk[@]}" fuzz-replay >"$out" 2>&1; then
	echo "ok 1 - $name"
	sed 's/^/# /' "$out"
else
	rc=$?
	echo "not ok 1 - $name"
	echo "# ${mk[*]} fuzz-replay: exit status $rc"
	tail -n 60 "$out" | sed 's/^/# /'
fi
exit 0
