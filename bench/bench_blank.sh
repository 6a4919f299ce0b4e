#!/bin/bash
# What the blank check adds to mkfs, beside mkfs.xfs's own time in the same
# run: on a 64 GiB sparse loop device and on a 50 TiB one (a sparse file on a
# tmpfs mounted here: tmpfs takes 50 TiB of apparent size where ext4 stops at
# 16 TiB).  The check reads ~95 MiB of samples (O_DIRECT) whatever the size;
# the figures are the median wall and CPU time of 5 runs.  A sparse loop reads
# holes, so this is the check's own cost, not a disk array's seeks (63 random
# 1 MiB reads: well under a second on spinning disks).
# Needs root (loop devices); images in a temp dir, always detached.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
SCAN=$PWD/$BUILD/bench/blank_scan
if [ "$(id -u)" != 0 ]; then echo "bench_blank: SKIP (needs root for loop devices)"; exit 0; fi
[ -x "$SCAN" ] || { echo "bench_blank: $SCAN missing (make $BUILD/bench/blank_scan)"; exit 1; }
tmp=$(mktemp -d /tmp/mp-bench-blank.XXXXXX)
loop=
cleanup() { [ -n "$loop" ] && losetup -d "$loop"; mountpoint -q "$tmp/shm" && umount "$tmp/shm"; rm -rf "$tmp"; }
trap cleanup EXIT
now() { date +%s%N; }
ms() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e6 }'; }

# bench SIZE FILE: mkfs.xfs's time, then the check on the blank device
bench() {
	local size=$1 img=$2 t m out
	truncate -s "$size" "$img"
	loop=$(losetup -f --show "$img") || exit 1
	out=$("$SCAN" "$loop") || exit 1                  # blank: the check as mkfs meets it
	t=$(now); mkfs.xfs -f -d su=64k,sw=13 "$loop" >/dev/null 2>&1 || { echo "mkfs.xfs failed"; exit 1; }; m=$(( $(now) - t ))
	read -r wall cpu samples bytes verdict <<<"$out"
	printf 'bench_blank: %-4s mkfs.xfs %8s ms; blank check %6s ms (CPU %s ms; %s reads, %s MiB, %s) = %s%% of mkfs.xfs\n' \
		"$size" "$(ms $m)" "$wall" "$cpu" "$samples" "$((bytes >> 20))" "$verdict" \
		"$(awk -v c="$wall" -v m="$m" 'BEGIN { printf "%.1f", 100 * c / (m / 1e6) }')"
	[ "$verdict" = blank ] || { echo "bench_blank: a fresh sparse image is not blank"; exit 1; }
	losetup -d "$loop"; loop=
	rm -f "$img"
}
# the issue's 50 TiB umockdev LUN: its node a sparse file of the LUN's size
# (tests/lib.sh umock_sized); the whole mkfs plan, blank check included
umock_plan() {
	local fix=$PWD/tests/fixtures/umockdev/a-fc-single-raid6.umockdev t out times=()
	command -v umockdev-run >/dev/null || { echo "bench_blank: umockdev LUN: SKIP (no umockdev-run)"; return; }
	for _ in 1 2 3 4 5; do
		t=$(now)
		out=$(TOP=$PWD bash -c '. tests/lib.sh; umock_sized "$1" "$2" mkfs --raid6 16 --chunk 256k -n /dev/sdf' sh "$fix" "$PWD/$BUILD/mirrorprov") ||
			{ echo "bench_blank: mkfs -n on the umockdev LUN failed"; exit 1; }
		times+=($(( $(now) - t )))
	done
	printf 'bench_blank: 50.9 TiB umockdev LUN: mirrorprov mkfs -n (umockdev-run, every check) %s ms median; %s\n' \
		"$(ms "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)")" "$(grep -o 'blank .*' <<<"$out" | tr -s ' ')"
}
bench 64G "$tmp/img"
mkdir -p "$tmp/shm" && mount -t tmpfs -o size=8G,mode=0700 tmpfs "$tmp/shm" || exit 1
bench 50T "$tmp/shm/img"
umock_plan
