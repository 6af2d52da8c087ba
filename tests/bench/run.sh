#!/usr/bin/env bash
# `make bench`: every tests/bench/bench_*.sh, or those matching $BENCH.
# Benchmarks print figures side by side with the named peer tools; they
# never assert wall-clock thresholds (the machine is shared and noisy).
set -u
cd "$(dirname "$0")"
rc=0
for b in bench_*.sh; do
	[[ -n ${BENCH:-} && ! $b =~ $BENCH ]] && continue
	echo "######## $b"
	bash "$b" || rc=1
	echo
done
exit $rc
