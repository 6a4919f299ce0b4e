#!/bin/bash
# The mkfs safety gate against users the kernel keeps no holder link for, and
# against data libblkid cannot name, on loop devices over sparse files in a
# temp directory (never an existing disk; all detached on exit):
#  - no-loop: a loop device at offset 1 MiB of the target, formatted and
#    mounted; one at offset 0 (where the signature check fires too) with
#    --force; one over a deleted file on a lazily unmounted filesystem of the
#    target (only LOOP_GET_STATUS64 still knows what it reads);
#  - not-open: a process holding the disk node, or a partition node, open;
#  - blank: an XFS left inside a partition after wipefs -a, ext4 and XFS
#    with the first superblock sector zeroed, a tar stream on the raw disk;
#    a fresh sparse image and a discarded one pass;
#  - onboard goes through the same gate.
# Every refusal: exit 3, the user named, the image's SHA-256 unchanged; --force
# overrides the blank and signature checks only.
. "$(dirname "$0")/../lib.sh"
need_root "mkfs gate system tests"
for p in losetup mkfs.xfs mkfs.ext4 sfdisk partx wipefs blkdiscard tar openssl blockdev; do
	command -v $p >/dev/null || { t_fail "$p installed"; t_done; }
done
REF="--raid6 15 --spare 1 --chunk 64k"
tmp=$(mktemp -d /tmp/mp-gate.XXXXXX)
loops=() pids=()
cleanup() {
	local m l p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for m in $(awk -v t="$tmp" 'index($2, t) == 1 {print $2}' /proc/self/mounts | sort -r); do umount -l "$m"; done
	# users first: a loop over another loop keeps it busy
	for ((i = ${#loops[@]} - 1; i >= 0; i--)); do losetup -d "${loops[i]}" 2>/dev/null; done
	rm -f "${nodes[@]}"
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$TOP/tests/fixtures/loopdev.sh"
# loop_on ARGS...: INNER, a loop device made by losetup ARGS, detached on exit.
loop_on() { INNER=$(losetup -f --show "$@") || { t_fail "losetup $*"; t_done; }; loops+=("$INNER"); }
# part1: the kernel's partition 1 of $LOOP and its node (made here when no udev
# makes it; removed on exit).
nodes=()
part1() {
	local d
	partx -u "$LOOP" 2>/dev/null || partx -a "$LOOP" 2>/dev/null
	for _ in $(seq 50); do [ -b "${LOOP}p1" ] && return; [ -e "/sys/class/block/${NAME}p1/dev" ] && break; sleep 0.1; done
	d=$(cat "/sys/class/block/${NAME}p1/dev") && mknod "${LOOP}p1" b "${d%:*}" "${d#*:}" && nodes+=("${LOOP}p1") ||
		{ t_fail "partition node ${LOOP}p1"; t_done; }
}
# t_passes NAME CHECK DETAIL-REGEX COMMAND...: exit 0 and the check's detail matches.
t_passes() {
	local name=$1 check=$2 re=$3 out rc; shift 3
	out=$("$@" 2>&1); rc=$?
	[ $rc = 0 ] && grep -Eq "^$check +yes +$re" <<<"$out" && t_ok "$name" || t_fail "$name" "rc=$rc" "$out"
}

# --- no-loop ------------------------------------------------------------------------------
new_loop 1G
loop_on -o 1M "$LOOP"; inner=$INNER
mkfs.xfs -q -f "$inner" && mkdir -p "$tmp/m" && mount "$inner" "$tmp/m" || t_fail "mount a loop at offset 1 MiB"
t_untouched "loop at offset 1 MiB, mounted: refused even with --force" \
	"refused: no-loop: $(basename "$inner") is backed by $NAME from offset 1048576" "$MP" mkfs $REF --force --yes "$LOOP"
umount "$tmp/m"
t_untouched "loop at offset 1 MiB, not mounted: still refused" \
	"refused: no-loop: $(basename "$inner") is backed by $NAME from offset 1048576" "$MP" mkfs $REF --force --yes "$LOOP"
losetup -d "$inner"
# what was mounted through the loop is what the blank check finds now
t_untouched "the XFS left at 1 MiB is found" \
	"refused: blank: XFS superblock (4 allocation groups of 65472 4096-byte blocks) at offset 1048576" \
	"$MP" mkfs $REF --yes "$LOOP"

new_loop 1G
mkfs.xfs -q -f -L inner "$LOOP"
loop_on "$LOOP"; inner=$INNER
out=$("$MP" mkfs $REF --force --yes -J "$LOOP" 2>&1 >"$tmp/json"); rc=$?
python3 -c '
import json, sys
c = {x["name"]: x for x in json.load(open(sys.argv[1]))["checks"]}
assert c["no-signatures"]["ok"] and c["no-signatures"]["forced"], c["no-signatures"]
assert not c["no-loop"]["ok"] and not c["no-loop"]["forced"], c["no-loop"]
' "$tmp/json" && [ $rc = 3 ] && grep -q "refused: no-loop: $(basename "$inner") is backed by $NAME from offset 0" <<<"$out" &&
	t_ok "loop at offset 0 with --force: the signature is forced, the loop is not" ||
	t_fail "loop at offset 0 with --force" "rc=$rc" "$out" "$(cat "$tmp/json")"
t_untouched "loop at offset 0, --force" "refused: no-loop: $(basename "$inner")" \
	"$MP" mkfs $REF --force --yes "$LOOP"
losetup -d "$inner"

# a loop over a file on the target's filesystem, the file deleted and the
# filesystem lazily unmounted: nothing is mounted, no path names the target
new_loop 1G
mkfs.xfs -q -f "$LOOP" && mkdir -p "$tmp/lazy" && mount "$LOOP" "$tmp/lazy" && truncate -s 64M "$tmp/lazy/disk.img"
loop_on "$tmp/lazy/disk.img"; inner=$INNER
rm "$tmp/lazy/disk.img"
umount -l "$tmp/lazy"
t_untouched "loop over a deleted file on the target's filesystem: refused with --force" \
	"refused: no-loop: $(basename "$inner") is backed by /disk.img (deleted), a file on $NAME's filesystem" \
	"$MP" mkfs $REF --force --yes "$LOOP"
losetup -d "$inner"

# the target a partition, the loop over its sectors of the whole disk (no
# holder, no claim: neither the partition nor its stack shows it)
new_loop 1G
echo 'label: gpt
start=2048, size=1048576
start=1050624' | sfdisk -q "$LOOP" >/dev/null 2>&1
part1
loop_on -o 1M --sizelimit 512M "$LOOP"; inner=$INNER
mkfs.xfs -q -f "$inner" && mount "$inner" "$tmp/m" || t_fail "mount a loop over partition 1's sectors"
t_refused "partition target, a loop over its sectors of the disk, mounted: refused with --force" \
	"refused: no-loop: $(basename "$inner") is backed by $NAME (the disk of ${NAME}p1) from offset 1048576" \
	"$MP" mkfs $REF --force --yes "${LOOP}p1"
umount "$tmp/m"
t_untouched "partition target, the loop over its sectors of the disk unmounted: still refused" \
	"refused: no-loop: $(basename "$inner") is backed by $NAME (the disk of ${NAME}p1)" "$MP" mkfs $REF --force --yes "${LOOP}p1"
losetup -d "$inner"
loop_on -o 600M "$LOOP"; inner=$INNER
t_passes "partition target, a loop over other sectors of the disk: passes" no-loop \
	"no loop device is backed by ${NAME}p1, its partitions or holders, or by its sectors of the disk" "$MP" mkfs $REF --force -n "${LOOP}p1"
losetup -d "$inner"

# a loop device made while the confirmation prompt waits: the gate runs again
# after the answer, under the lock, before anything is written
new_loop 1G
before=$(image_sum)
python3 - "$MP" "$LOOP" "$NAME" "$tmp/prompt" <<'PY' >"$tmp/prompt.out" 2>&1
import os, pty, subprocess, sys
mp, dev, name, inner_file = sys.argv[1:5]
pid, fd = pty.fork()
if pid == 0:
    os.execv(mp, [mp, "mkfs", "--raid6", "15", "--spare", "1", "--chunk", "64k", dev])
buf = b""
while b"to go on:" not in buf:
    buf += os.read(fd, 4096)
inner = subprocess.check_output(["losetup", "-f", "--show", "-o", "1M", dev]).decode().strip()
open(inner_file, "w").write(inner)
os.write(fd, (name + "\n").encode())
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    buf += d
_, st = os.waitpid(pid, 0)
sys.stdout.write(buf.decode(errors="replace"))
print("exit=%d" % os.waitstatus_to_exitcode(st))
PY
[ -s "$tmp/prompt" ] && loops+=("$(cat "$tmp/prompt")")
grep -q "^exit=3" "$tmp/prompt.out" && grep -q "refused: no-loop: $(basename "$(cat "$tmp/prompt")") is backed by $NAME from offset 1048576" "$tmp/prompt.out" &&
	[ "$(image_sum)" = "$before" ] && t_ok "a loop made while the prompt waits: refused after the answer, image unchanged" ||
	t_fail "a loop made while the prompt waits" "$(cat "$tmp/prompt.out")"
losetup -d "$(cat "$tmp/prompt")"

# --- not-open -------------------------------------------------------------------------------
new_loop 1G
sleep 1000 <>"$LOOP" & pids+=($!)
sleep 0.2
t_untouched "a process holding the node open: refused with --force, PID and command named" \
	"refused: not-open: process ${pids[-1]} (sleep) has $NAME open" "$MP" mkfs $REF --force --yes "$LOOP"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null
echo 'label: gpt
start=2048, type=linux' | sfdisk -q "$LOOP" >/dev/null 2>&1
part1
exec 7<"${LOOP}p1"
t_untouched "this shell holding a partition node open: refused with --force" \
	"refused: not-open: process $$ (bash) has ${NAME}p1 open" "$MP" mkfs $REF --force --yes "$LOOP"
exec 7<&-

sleep 1000 <"$LOOP" & pids+=($!)
sleep 0.2
before=$(image_sum)
t_refused "a process holding the disk of the target partition open: refused with --force" \
	"refused: not-open: process ${pids[-1]} (sleep) has $NAME (the disk of ${NAME}p1) open" "$MP" mkfs $REF --force --yes "${LOOP}p1"
[ "$(image_sum)" = "$before" ] && t_ok "disk held open: image unchanged" || t_fail "disk held open: image unchanged"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null

# --- blank ----------------------------------------------------------------------------------
new_loop 1G
t_passes "a fresh sparse image is blank" blank "[0-9]+ samples \(93.1 MiB of 1 GiB\) read as zeros" "$MP" mkfs $REF -n "$LOOP"

# 1. the partition table wiped, the XFS inside the old partition intact
echo 'label: gpt
start=2048, type=linux' | sfdisk -q "$LOOP" >/dev/null 2>&1
part1
mkfs.xfs -q -f -L old "${LOOP}p1" || t_fail "mkfs.xfs on the partition"
wipefs -q -a "$LOOP" >/dev/null 2>&1; partx -d "$LOOP" 2>/dev/null
[ -z "$(blkid -p "$LOOP")" ] && t_ok "wipefs -a: libblkid sees nothing" || t_fail "wipefs -a: libblkid sees nothing" "$(blkid -p "$LOOP")"
t_untouched "blank: XFS inside a wiped partition table" \
	"refused: blank: XFS superblock (4 allocation groups of 65408 4096-byte blocks) at offset 1048576: the filesystem of a partition whose table was wiped?" \
	"$MP" mkfs $REF --yes "$LOOP"

# 2. ext4, first superblock sector zeroed: a backup superblock names it
new_loop 1G
mkfs.ext4 -q -F "$LOOP" && dd if=/dev/zero of="$LOOP" bs=512 seek=2 count=1 conv=fsync status=none
[ -z "$(blkid -p "$LOOP")" ] && t_ok "ext4 without its first superblock: libblkid sees nothing" || t_fail "ext4: libblkid sees nothing" "$(blkid -p "$LOOP")"
t_untouched "blank: ext4 with the first superblock sector zeroed" \
	"refused: blank: ext2/3/4 backup superblock (block group 1, 4096-byte blocks) at offset 134217728: a filesystem whose first superblock was wiped" \
	"$MP" mkfs $REF --yes "$LOOP"

# 3. XFS, first superblock sector zeroed: the superblock of AG 1 names it
new_loop 1G
mkfs.xfs -q -f "$LOOP" && dd if=/dev/zero of="$LOOP" bs=512 count=1 conv=fsync status=none
[ -z "$(blkid -p "$LOOP")" ] && t_ok "XFS without its first superblock: libblkid sees nothing" || t_fail "XFS: libblkid sees nothing" "$(blkid -p "$LOOP")"
t_untouched "blank: XFS with the first superblock sector zeroed" \
	"refused: blank: XFS allocation-group superblock (AG 1 of 4, 4096-byte blocks) at offset 268435456: a filesystem whose first superblock was wiped" \
	"$MP" mkfs $REF --yes "$LOOP"

# 4. a tar stream on the raw disk
new_loop 1G
tar -C "$TOP" -cf - man | dd of="$LOOP" bs=1M conv=fsync status=none
[ -z "$(blkid -p "$LOOP")" ] && t_ok "tar stream: libblkid sees nothing" || t_fail "tar stream: libblkid sees nothing" "$(blkid -p "$LOOP")"
t_untouched "blank: a tar stream on the raw disk" "refused: blank: tar archive header (member \"man/\") at offset 0: raw data written to the disk" \
	"$MP" mkfs $REF --yes "$LOOP"
# unnamed bytes: a fast-initialised LUN with old data
dd if=/dev/zero of="$LOOP" bs=1M count=1 conv=fsync status=none
dd if=/dev/urandom of="$LOOP" bs=4096 count=1 seek=1 conv=fsync status=none
t_untouched "blank: unrecognised data" "refused: blank: unrecognised data at offset 4096 (" "$MP" mkfs $REF --yes "$LOOP"
out=$("$MP" mkfs $REF --force --yes "$LOOP" 2>&1); rc=$?
[ $rc = 0 ] && grep -q '^blank .*overwritten because of --force' <<<"$out" && t_ok "--force overrides the blank check" ||
	t_fail "--force overrides the blank check" "rc=$rc" "$out"
blkdiscard -f "$LOOP" 2>/dev/null
t_passes "a discarded image is blank again" blank "[0-9]+ samples .* read as zeros" "$MP" mkfs $REF -n "$LOOP"

# --- onboard: the same gate -------------------------------------------------------------------
new_loop 2G
loop_on -o 1M "$LOOP"; inner=$INNER
sed -e "s|/tmp/mirrorprov-demo|$tmp/ob|g" "$TOP/examples/demo.conf" >"$tmp/host.conf"
before=$(image_sum)
out=$(MIRRORPROV_PROFILE_DIR=$TOP/examples/demo-profiles "$MP" onboard -c "$tmp/host.conf" --image "$IMG" \
	--prefix "$tmp/ob" --yes --force 2>&1); rc=$?
[ $rc = 3 ] && grep -q "^mkfs *blocked *refused: no-loop: $(basename "$inner") is backed by $NAME from offset 1048576$" <<<"$out" &&
	[ "$(image_sum)" = "$before" ] && t_ok "onboard --force: blocked by the loop at 1 MiB, image unchanged" ||
	t_fail "onboard --force: blocked by the loop at 1 MiB" "rc=$rc" "$out"
t_done
