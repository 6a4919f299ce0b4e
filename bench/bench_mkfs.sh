#!/bin/bash
# mirrorprov mkfs (whole LUN) against the bare mkfs.xfs it wraps, on a 64 GiB
# sparse loop image.  The blank check's sample reads (~95 MiB, issue 11) are
# timed on their own in each pair (bench/blank_scan, as the gate reads) and
# shown beside mkfs.xfs's time; the median of the paired ratios without them
# must be <= 1.05, with them it is printed.  (On a sparse loop mkfs.xfs writes
# almost nothing, so any reading check is large beside it; bench_blank.sh has
# the 50 TiB figure.)
# Needs root (loop devices); the image lives in a temp dir and is always detached.
set -u
cd "$(dirname "$0")/.."
MP=${MP:-$PWD/build/mirrorprov}
SCAN=${SCAN:-$PWD/build/bench/blank_scan}
PAIRS=${PAIRS:-9}
LIMIT=1.05
if [ "$(id -u)" != 0 ]; then echo "bench_mkfs: SKIP (needs root for loop devices)"; exit 0; fi
tmp=$(mktemp -d /tmp/mp-bench.XXXXXX)
loop=
trap '[ -n "$loop" ] && losetup -d "$loop"; rm -rf "$tmp"' EXIT
truncate -s 64G "$tmp/img"
loop=$(losetup -f --show "$tmp/img") || exit 1

now() { date +%s%N; }
# Both start from the previous run's filesystem wiped by wipefs (outside the
# timing), as before the blank check; that check now finds the allocation
# groups wipefs leaves, so mirrorprov runs with --force, which changes the
# verdict only: every check, the blank check's reads included, still runs.
# Sync first so the previous run's writeback does not land in this one's time.
blank() { wipefs -q -a "$loop"; sync; }
run_bare() { blank; local t=$(now); mkfs.xfs -f -d su=64k,sw=13 "$loop" >/dev/null 2>&1 || exit 1; echo $(( $(now) - t )); }
run_mp() {
	blank; local t=$(now)
	"$MP" mkfs --raid6 15 --spare 1 --chunk 64k --force --yes "$loop" >/dev/null 2>&1 || { echo "mirrorprov mkfs failed" >&2; exit 1; }
	echo $(( $(now) - t ))
}
# the blank check's reads on the device as mirrorprov meets it, in ns
run_scan() { blank; local w; w=$("$SCAN" "$loop" 1 | cut -d' ' -f1) || exit 1; awk -v w="$w" 'BEGIN { printf "%d", w * 1e6 }'; }
[ -x "$SCAN" ] || { echo "bench_mkfs: $SCAN missing (make build/bench/blank_scan)"; exit 1; }
run_bare >/dev/null; run_mp >/dev/null   # warm the caches
ratios=() full=() diffs=() scans=()
for i in $(seq "$PAIRS"); do
	# alternate which goes first, so drift does not favour one side
	if [ $((i % 2)) = 1 ]; then b=$(run_bare); m=$(run_mp); else m=$(run_mp); b=$(run_bare); fi
	s=$(run_scan)
	r=$(awk -v m="$m" -v b="$b" -v s="$s" 'BEGIN { printf "%.4f", (m - s) / b }')
	ratios+=("$r")
	full+=("$(awk -v m="$m" -v b="$b" 'BEGIN { printf "%.4f", m / b }')")
	diffs+=("$(( (m - b) / 1000 ))")
	scans+=("$(( s / 1000 ))")
	printf 'pair %d: mkfs.xfs %7.1f ms, mirrorprov mkfs %7.1f ms, of which blank check %6.1f ms; ratio %s without the check, %s with\n' \
		"$i" "$(awk -v x="$b" 'BEGIN{print x/1e6}')" "$(awk -v x="$m" 'BEGIN{print x/1e6}')" \
		"$(awk -v x="$s" 'BEGIN{print x/1e6}')" "$r" "${full[-1]}"
done
median_of() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "bench_mkfs: median added time $(printf '%s\n' "${diffs[@]}" | median_of) us per run, of which the blank check $(printf '%s\n' "${scans[@]}" | median_of) us"
echo "bench_mkfs: median ratio with the blank check $(printf '%s\n' "${full[@]}" | median_of)"
median=$(printf '%s\n' "${ratios[@]}" | median_of)
echo "bench_mkfs: median ratio mirrorprov mkfs (without the blank check's reads) / mkfs.xfs over $PAIRS pairs (64 GiB sparse loop): $median (limit $LIMIT)"
awk -v m="$median" -v l="$LIMIT" 'BEGIN { exit !(m <= l) }'
