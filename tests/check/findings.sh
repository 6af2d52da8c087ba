#!/usr/bin/env bash
# Standing checks on the findings table (core/findings.def):
# - every id is documented in man/netdoctor.1 (FINDINGS section);
# - every id whose probe this build has (probes/probes.def, or the engine's
#   own "" ids) is produced by some test under tests/lab or tests/unit:
#   the test must name the id it expects, so an id nobody tests fails here.
set -u
cd "$(dirname "$0")/../.."

ids=$(sed -nE 's/^ND_FINDING\([A-Z_0-9]+, "([^"]+)", "([^"]*)".*/\1 \2/p' core/findings.def)
built=$(sed -nE 's/^PROBE\(([a-z_0-9]+)\)/\1/p' probes/probes.def)
n=1
fail=0
if man/gen-findings.sh --check; then
	echo "ok 1 - man/netdoctor.1 FINDINGS matches core/findings.def"
else
	echo "not ok 1 - man/netdoctor.1 FINDINGS is stale: run man/gen-findings.sh"
	fail=1
fi
while read -r id probe; do
	n=$((n + 1))
	if grep -qF ".It Sy $id" man/netdoctor.1; then
		echo "ok $n - $id is documented in man/netdoctor.1"
	else
		echo "not ok $n - $id is missing from man/netdoctor.1 FINDINGS"
		fail=1
	fi
	if [ -n "$probe" ] && ! grep -qx "$probe" <<<"$built"; then
		continue	# its probe is not built yet: nothing can produce it
	fi
	# Produced only when a target's chain names a probe this build lacks;
	# every scheme's chain is built now, so no input can reach it.
	[ "$id" = probe.unsupported ] && continue
	n=$((n + 1))
	# Quoted, so "tcp.refused" does not match "tcp.refused_foo".
	if grep -rqE "[\"' ]$id[\"' ]|[\"']$id\$|^$id\$" tests/lab tests/unit 2>/dev/null; then
		echo "ok $n - a test expects $id"
	else
		echo "not ok $n - no test under tests/lab or tests/unit expects $id"
		fail=1
	fi
done <<<"$ids"
exit $fail
