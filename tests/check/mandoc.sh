#!/usr/bin/env bash
#
# tests/check/mandoc.sh - standing check (TAP): every man page in man/ passes
# `mandoc -Tlint -W warning` with no message, one test per page.
set -u

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 2
cd "$top" || exit 2
shopt -s nullglob

pages=(man/*.[0-9])
if [ ${#pages[@]} -eq 0 ]; then
	echo "1..1"
	echo "ok 1 - mandoc -Tlint man/*.[0-9] # SKIP no man pages yet"
	exit 0
fi
if ! command -v mandoc >/dev/null 2>&1; then
	echo "1..1"
	echo "ok 1 - mandoc -Tlint man/*.[0-9] # SKIP mandoc is not installed"
	exit 0
fi

echo "1..${#pages[@]}"
n=0
for page in "${pages[@]}"; do
	n=$((n + 1))
	out=$(mandoc -Tlint -W warning "$page" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		echo "ok $n - mandoc -Tlint -W warning $page"
	else
		echo "not ok $n - mandoc -Tlint -W warning $page"
		printf '%s\n' "$out" | sed 's/^/#   /'
		[ "$rc" -eq 0 ] || echo "#   mandoc exit status $rc"
	fi
done
