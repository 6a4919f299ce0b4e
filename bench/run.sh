#!/bin/bash
# `make bench`: speed and memory targets, one script per target in bench/.
set -u
cd "$(dirname "$0")/.."
rc=0
for b in bench/bench_*.sh; do
	[ -f "$b" ] || continue
	echo "== $b"
	bash "$b" || rc=1
done
exit $rc
