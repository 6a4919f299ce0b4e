#!/bin/bash
# mirrorprov mkfs (whole LUN) against the bare mkfs.xfs it wraps, on a 64 GiB
# sparse loop image: the median of the paired time ratios must be <= 1.05.
# Needs root (loop devices); the image lives in a temp dir and is always detached.
set -u
cd "$(dirname "$0")/.."
MP=${MP:-$PWD/build/mirrorprov}
PAIRS=${PAIRS:-9}
LIMIT=1.05
if [ "$(id -u)" != 0 ]; then echo "bench_mkfs: SKIP (needs root for loop devices)"; exit 0; fi
tmp=$(mktemp -d /tmp/mp-bench.XXXXXX)
loop=
trap '[ -n "$loop" ] && losetup -d "$loop"; rm -rf "$tmp"' EXIT
truncate -s 64G "$tmp/img"
loop=$(losetup -f --show "$tmp/img") || exit 1

now() { date +%s%N; }
# Both start from a blank device (wiped outside the timing), so mirrorprov
# runs its full gate without --force; sync first so the previous run's
# writeback does not land in this one's time.
blank() { wipefs -q -a "$loop"; sync; }
run_bare() { blank; local t=$(now); mkfs.xfs -f -d su=64k,sw=13 "$loop" >/dev/null 2>&1 || exit 1; echo $(( $(now) - t )); }
run_mp() {
	blank; local t=$(now)
	"$MP" mkfs --raid6 15 --spare 1 --chunk 64k --yes "$loop" >/dev/null 2>&1 || { echo "mirrorprov mkfs failed" >&2; exit 1; }
	echo $(( $(now) - t ))
}
run_bare >/dev/null; run_mp >/dev/null   # warm the caches
ratios=() diffs=()
for i in $(seq "$PAIRS"); do
	# alternate which goes first, so drift does not favour one side
	if [ $((i % 2)) = 1 ]; then b=$(run_bare); m=$(run_mp); else m=$(run_mp); b=$(run_bare); fi
	r=$(awk -v m="$m" -v b="$b" 'BEGIN { printf "%.4f", m / b }')
	ratios+=("$r")
	diffs+=("$(( (m - b) / 1000 ))")
	printf 'pair %d: mkfs.xfs %7.1f ms, mirrorprov mkfs %7.1f ms, ratio %s\n' "$i" "$(awk -v x="$b" 'BEGIN{print x/1e6}')" \
		"$(awk -v x="$m" 'BEGIN{print x/1e6}')" "$r"
done
median_of() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
echo "bench_mkfs: median added time $(printf '%s\n' "${diffs[@]}" | median_of) us per run"
median=$(printf '%s\n' "${ratios[@]}" | median_of)
echo "bench_mkfs: median ratio mirrorprov mkfs / mkfs.xfs over $PAIRS pairs (64 GiB sparse loop): $median (limit $LIMIT)"
awk -v m="$median" -v l="$LIMIT" 'BEGIN { exit !(m <= l) }'
