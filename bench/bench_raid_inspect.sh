#!/bin/bash
# raid-inspect on a big synthetic SAN (N LUNs x 4 paths over 2 HBAs, one
# multipath map per LUN, written by tests/fixtures/umockdev/sanfixture.py as
# many small umockdev files).  Each testbed is loaded once and every run is
# timed inside it, so loading is not counted.  Targets, at 1024 LUNs:
#   raid-inspect -J no slower than lsblk -J -O (ratio of medians <= 1.0),
#   peak RSS < 32 MiB, and 1024 vs 256 LUNs time ratio <= 4.5 (linear).
# Time is the CPU time (user + system) of the command, median of RUNS runs
# (default 3): wall time is printed too but depends on what else the machine
# is doing.
set -eu
cd "$(dirname "$0")/.."
MP=$(realpath "${MP:-build/mirrorprov}")
RUNS=${RUNS:-3}
# umockdev builds its testbed under TMPDIR: keep thousands of small files in RAM.
[ -w /dev/shm ] && export TMPDIR=/dev/shm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints "cpu_mirrorprov cpu_lsblk wall_mirrorprov wall_lsblk peak_rss_kib"
# (medians, seconds) for a testbed of $1 LUNs.  GNU time measures each run:
# it forks from a small process, so the peak RSS is the command's own.
measure() {
	local n=$1 args=()
	python3 tests/fixtures/umockdev/sanfixture.py san "$work/san$n" "$n" 4
	for f in "$work/san$n"/*.umockdev; do args+=(-d "$f"); done
	umockdev-run "${args[@]}" -- sh -c '
		for i in $(seq "$1"); do
			/usr/bin/time -a -o "$2/mine" -f "%U %S %e %M" "$3" raid-inspect -J >"$2/out" || exit 1
			/usr/bin/time -a -o "$2/lsblk" -f "%U %S %e %M" lsblk -J -O >/dev/null || exit 1
		done' sh "$RUNS" "$work/san$n" "$MP" || { echo "raid-inspect or lsblk failed" >&2; exit 1; }
	[ "$(grep -c '"wwid"' "$work/san$n/out")" = "$n" ] || { echo "raid-inspect did not list $n LUNs" >&2; exit 1; }
	python3 - "$work/san$n" <<'PY'
import statistics, sys
def runs(name):
    return [list(map(float, l.split())) for l in open(sys.argv[1] + "/" + name) if l[:1].isdigit()]
mine, lsblk = runs("mine"), runs("lsblk")
cpu = lambda v: statistics.median(r[0] + r[1] for r in v)
wall = lambda v: statistics.median(r[2] for r in v)
print("%.3f %.3f %.3f %.3f %d" % (cpu(mine), cpu(lsblk), wall(mine), wall(lsblk), max(r[3] for r in mine)))
PY
}

read -r small small_lsblk small_wall small_lsblk_wall _ < <(measure 256)
read -r big big_lsblk big_wall big_lsblk_wall rss < <(measure 1024)
ok=0
check() {   # check DESCRIPTION VALUE OP LIMIT
	if awk -v v="$2" -v l="$4" "BEGIN{exit !(v $3 l)}"; then echo "ok   $1: $2 (target $3 $4)"
	else echo "FAIL $1: $2 (target $3 $4)"; ok=1; fi
}
echo "256 LUNs x 4 paths:  raid-inspect -J ${small}s CPU (${small_wall}s wall)," \
	"lsblk -J -O ${small_lsblk}s CPU (${small_lsblk_wall}s wall), median of $RUNS"
echo "1024 LUNs x 4 paths: raid-inspect -J ${big}s CPU (${big_wall}s wall)," \
	"lsblk -J -O ${big_lsblk}s CPU (${big_lsblk_wall}s wall), median of $RUNS"
check "raid-inspect/lsblk time at 1024 LUNs" "$(awk -v a="$big" -v b="$big_lsblk" 'BEGIN{printf "%.2f", a/b}')" '<=' 1.0
check "peak RSS at 1024 LUNs (MiB)" "$(awk -v r="$rss" 'BEGIN{printf "%.1f", r/1024}')" '<' 32
check "time 1024/256 LUNs" "$(awk -v a="$big" -v b="$small" 'BEGIN{printf "%.2f", a/b}')" '<=' 4.5
exit $ok
