#!/usr/bin/env bash
# Regenerates the FINDINGS list of man/netdoctor.1 from core/findings.def
# (one table feeds the code, `netdoctor list`, and this page).  Run after
# adding a finding; tests/check/findings.sh runs it with --check, which
# fails when the page is stale instead of rewriting it.
set -eu
cd "$(dirname "$0")/.."
page=man/netdoctor.1
items=$(sed -nE '/^ND_FINDING\(/{N;s/^ND_FINDING\([A-Z_0-9]+, "([^"]+)",[^\n]*\n *"([^"]*)",.*/.It Sy \1\n\2./p}' core/findings.def)
awk -v items="$items" '
	/^\.\\" BEGIN FINDINGS/ { print; print items; skip = 1; next }
	/^\.\\" END FINDINGS/ { skip = 0 }
	!skip { print }
' "$page" >"$page.new"
if [ "${1:-}" = --check ]; then
	rc=0
	cmp -s "$page" "$page.new" || rc=1
	rm -f "$page.new"
	exit $rc
fi
mv "$page.new" "$page"
