#!/bin/bash
# mkfs and mount end to end on loop devices made from sparse files in a temp
# directory (never an existing disk): the reference case whole-LUN and with
# --partition, every refusal with the image's SHA-256 unchanged, dry runs,
# fstab editing, and mkfs.xfs missing, failing or killed.
. "$(dirname "$0")/../lib.sh"
need_root "mkfs/mount system tests"
for p in losetup mkfs.xfs xfs_info sfdisk mkfs.ext4 mkswap swapon openssl blockdev script wipefs blkdiscard; do
	command -v $p >/dev/null || { t_fail "$p installed"; t_done; }
done
REF="--raid6 15 --spare 1 --chunk 64k"
tmp=$(mktemp -d /tmp/mp-mkfs.XXXXXX)
loops=()
cleanup() {
	local m l
	for m in $(awk -v t="$tmp" 'index($2, t) == 1 {print $2}' /proc/self/mounts | sort -r); do umount "$m"; done
	for l in "${loops[@]}"; do swapoff "$l" 2>/dev/null; swapoff "${l}p1" 2>/dev/null; losetup -d "$l"; done
	rm -rf "$tmp"
}
trap cleanup EXIT

. "$TOP/tests/fixtures/loopdev.sh"

# --- reference case, whole LUN ---
new_loop 1G
before=$(image_sum "$LOOP" "$IMG")
out=$("$MP" mkfs $REF --label mirror -n "$LOOP" 2>&1); rc=$?
[ $rc = 0 ] && [ "$(image_sum "$LOOP" "$IMG")" = "$before" ] && t_ok "dry run leaves the image byte-identical" ||
	t_fail "dry run leaves the image byte-identical" "rc=$rc" "$out"
out=$("$MP" mkfs $REF --label mirror --yes "$LOOP" 2>&1); rc=$?
if [ $rc = 0 ] && printf '%s' "$out" | grep -q 'verified: superblock of .* has sunit=16 swidth=208 blks'; then
	t_ok "mkfs whole LUN"; else t_fail "mkfs whole LUN" "rc=$rc" "$out"; fi
printf '%s' "$out" | grep -q "run:       mkfs.xfs -f -d su=64k,sw=13 -L mirror $LOOP" && t_ok "plan shows the mkfs argv" ||
	t_fail "plan shows the mkfs argv" "$out"
out=$("$MP" mount --fstab "$tmp/fstab" "$LOOP" "$tmp/whole" $REF 2>&1); rc=$?
[ $rc = 0 ] && t_ok "mount whole LUN" || t_fail "mount whole LUN" "rc=$rc" "$out"
printf '%s' "$out" | grep -q 'live geometry: sunit=16 swidth=208 blks (su 64 KiB, sw 13)' && t_ok "mount reads the live geometry" ||
	t_fail "mount reads the live geometry" "$out"
xfs_info "$tmp/whole" | grep -q 'sunit=16 *swidth=208 blks' && t_ok "xfs_info: sunit=16 swidth=208 blks (whole LUN)" ||
	t_fail "xfs_info: sunit=16 swidth=208 blks (whole LUN)" "$(xfs_info "$tmp/whole")"
grep -q " $tmp/whole xfs .*noatime.*logbsize=256k" /proc/self/mounts && t_ok "mounted with noatime,logbsize=256k" ||
	t_fail "mounted with noatime,logbsize=256k" "$(grep "$tmp/whole" /proc/self/mounts)"
t_untouched "refused: mounted (even with --force)" "refused: not-mounted: $(basename "$LOOP") is mounted on $tmp/whole" \
	"$MP" mkfs $REF --force --yes "$LOOP"
umount "$tmp/whole"
t_untouched "refused: holds XFS" "refused: no-signatures: found xfs at offset 0 (label \"mirror\")" "$MP" mkfs $REF --yes "$LOOP"

# --- reference case, --partition ---
new_loop 1G
json=$("$MP" mkfs $REF --label mirror --partition -n -J "$LOOP" 2>/dev/null)
if printf '%s' "$json" | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p["partition"]["start_sector"] == 26624, p["partition"]
assert (p["partition"]["end_sector"] + 1) % 1664 == 0
assert p["geometry"]["sw"] == 13 and p["geometry"]["su_bytes"] == 65536
assert p["mkfs_argv"] == ["mkfs.xfs", "-f", "-d", "su=64k,sw=13", "-L", "mirror", p["target"]]
assert p["device"]["path"] and p["target"].endswith("p1")
assert [c["name"] for c in p["checks"]] == ["block-device", "not-mounted", "no-holders", "no-loop", "not-open", "not-system-disk", "wwid", "no-signatures", "blank", "aligned", "exclusive"]
assert all(c["ok"] for c in p["checks"])
'; then t_ok "-J plan: partition at sector 26624, ends on a full stripe, argv, checks in order"
else t_fail "-J plan: partition at sector 26624, ends on a full stripe, argv, checks in order" "$json"; fi
out=$("$MP" mkfs $REF --label mirror --partition --yes "$LOOP" 2>&1); rc=$?
[ $rc = 0 ] && t_ok "mkfs --partition" || t_fail "mkfs --partition" "rc=$rc" "$out"
start=$(cat /sys/class/block/"$(basename "$LOOP")p1"/start 2>/dev/null)
[ "$start" = 26624 ] && t_ok "partition starts at sector 26624" || t_fail "partition starts at sector 26624" "start=$start"
sfdisk -d "$LOOP" 2>/dev/null | grep -q 'start= *26624, .*type=0FC63DAF-8483-4772-8E79-3D69D8477DE4' && t_ok "GPT written (sfdisk agrees)" ||
	t_fail "GPT written (sfdisk agrees)" "$(sfdisk -d "$LOOP" 2>&1)"
out=$("$MP" mount --fstab "$tmp/fstab2" "${LOOP}p1" "$tmp/part" 2>&1); rc=$?
[ $rc = 0 ] && t_ok "mount the partition" || t_fail "mount the partition" "rc=$rc" "$out"
xfs_info "$tmp/part" | grep -q 'sunit=16 *swidth=208 blks' && t_ok "xfs_info: sunit=16 swidth=208 blks (partition)" ||
	t_fail "xfs_info: sunit=16 swidth=208 blks (partition)"
t_untouched "refused: a partition is mounted" "refused: not-mounted: $(basename "$LOOP")p1 is mounted on $tmp/part" \
	"$MP" mkfs $REF --yes --force "$LOOP"
umount "$tmp/part"
t_error "--partition on a partition is bad usage" 2 "--partition needs a whole disk" "$MP" mkfs $REF --partition -n "${LOOP}p1"
t_untouched "refused: GPT with an XFS partition" "refused: no-signatures: found gpt at offset 512" "$MP" mkfs $REF --yes "$LOOP"

# --- refusals on small images ---
new_loop 64M
t_untouched "refused: no terminal and no --yes" "refused: confirm: no terminal to confirm on; pass --yes" \
	"$MP" mkfs $REF "$LOOP" </dev/null
t_untouched "refused: WWID mismatch (a loop device has none)" "refused: wwid: $(basename "$LOOP") reports no WWID, expected naa.600d02310009a3e15c2e8f1d7a4b3c90" \
	"$MP" mkfs $REF --yes --expect-wwid naa.600d02310009a3e15c2e8f1d7a4b3c90 "$LOOP"
# on a terminal (script(1) gives one) the device name must be typed
# (what the terminal shows goes to stderr)
on_tty() { local answer=$1 pre=$2; shift 2; (sleep 0.5; $pre; echo "$answer") | script -qec "$*" /dev/null >&2; }
t_untouched "refused: wrong name typed on the terminal" "refused: confirm: 'loopX' is not $(basename "$LOOP")" \
	on_tty loopX : "$MP" mkfs $REF "$LOOP"
# what changes while the prompt waits is caught by the gate re-run under the lock
out=$(on_tty "$(basename "$LOOP")" "mkfs.ext4 -q -F $LOOP" "$MP" mkfs $REF "$LOOP" 2>&1); rc=$?
[ $rc = 3 ] && printf '%s' "$out" | grep -q 'refused: no-signatures: found ext4' && t_ok "terminal: checks run again after the prompt" ||
	t_fail "terminal: checks run again after the prompt" "rc=$rc" "$out"
wipefs -q -a "$LOOP"
before=$(image_sum "$LOOP" "$IMG")
"$MP" mkfs $REF --partition -n "$LOOP" >/dev/null 2>&1
[ "$(image_sum "$LOOP" "$IMG")" = "$before" ] && t_ok "dry run --partition leaves the image byte-identical" ||
	t_fail "dry run --partition leaves the image byte-identical"
mkfs.ext4 -q -F "$LOOP" >/dev/null 2>&1
t_untouched "refused: holds ext4" "refused: no-signatures: found ext4 at offset 1080" "$MP" mkfs $REF --yes "$LOOP"

new_loop 64M
echo 'label: gpt' | sfdisk -q "$LOOP" >/dev/null 2>&1
t_untouched "refused: holds only a GPT" "refused: no-signatures: found gpt at offset 512" "$MP" mkfs $REF --yes "$LOOP"
# wipe the PMBR and the primary GPT: only the backup at the end is left
dd if=/dev/zero of="$LOOP" bs=512 count=34 conv=fsync status=none
t_untouched "refused: holds only a backup GPT at the end" "refused: no-signatures: found gpt at offset 67108352" \
	"$MP" mkfs $REF --yes "$LOOP"

new_loop 64M
mkswap -q "$LOOP" >/dev/null && swapon "$LOOP"
t_untouched "refused: in use as swap" "refused: not-mounted: $(basename "$LOOP") is in use as swap" "$MP" mkfs $REF --yes --force "$LOOP"
swapoff "$LOOP"
t_untouched "refused: unreadable mount table counts as mounted" "refused: not-mounted: cannot read the mount table" \
	env MIRRORPROV_MOUNTINFO=/nonexistent "$MP" mkfs $REF --yes --force "$LOOP"

# --- mkfs.xfs missing, failing, killed, lying ---
new_loop 1G
out=$(on_tty "$(basename "$LOOP")" : "$MP" mkfs $REF "$LOOP" 2>&1); rc=$?
[ $rc = 0 ] && printf '%s' "$out" | grep -q 'verified: superblock' && t_ok "terminal: typing the device name formats" ||
	t_fail "terminal: typing the device name formats" "rc=$rc" "$out"
# wipefs leaves the XFS allocation groups, which the blank check finds: discard all
blkdiscard -f "$LOOP" 2>/dev/null
mkdir -p "$tmp/bin"
before=$(image_sum "$LOOP" "$IMG")
out=$(PATH=/nonexistent "$MP" mkfs $REF --yes --partition "$LOOP" 2>&1 >/dev/null); rc=$?
[ $rc = 1 ] && printf '%s' "$out" | grep -q 'mkfs.xfs not found in PATH (install xfsprogs); nothing was written' &&
	[ "$(image_sum "$LOOP" "$IMG")" = "$before" ] && t_ok "mkfs.xfs missing: exit 1, nothing written" ||
	t_fail "mkfs.xfs missing: exit 1, nothing written" "rc=$rc" "$out"
printf '#!/bin/sh\necho "mkfs.xfs: simulated failure on $*" >&2\nexit 1\n' >"$tmp/bin/mkfs.xfs"; chmod +x "$tmp/bin/mkfs.xfs"
out=$(PATH=$tmp/bin:$PATH "$MP" mkfs $REF --yes "$LOOP" 2>&1 >/dev/null); rc=$?
[ $rc = 1 ] && printf '%s' "$out" | grep -q "mkfs.xfs: simulated failure on -f -d su=64k,sw=13 $LOOP" &&
	printf '%s' "$out" | grep -q 'mkfs.xfs failed with exit code 1' && t_ok "mkfs.xfs failing: its stderr shown, exit 1" ||
	t_fail "mkfs.xfs failing: its stderr shown, exit 1" "rc=$rc" "$out"
printf '#!/bin/sh\nkill -9 $$\n' >"$tmp/bin/mkfs.xfs"
out=$(PATH=$tmp/bin:$PATH "$MP" mkfs $REF --yes "$LOOP" 2>&1 >/dev/null); rc=$?
[ $rc = 1 ] && printf '%s' "$out" | grep -q 'mkfs.xfs was killed by signal 9' && t_ok "mkfs.xfs killed: exit 1" ||
	t_fail "mkfs.xfs killed: exit 1" "rc=$rc" "$out"
real=$(command -v mkfs.xfs)
printf '#!/bin/sh\necho "mkfs.xfs: Specified data stripe width 1792 is not the same as the volume stripe width 1664" >&2\nexec %s "$@"\n' "$real" >"$tmp/bin/mkfs.xfs"
out=$(PATH=$tmp/bin:$PATH "$MP" mkfs $REF --yes "$LOOP" 2>&1 >/dev/null); rc=$?
[ $rc = 0 ] && printf '%s' "$out" | grep -q 'warning: mkfs.xfs: Specified data stripe width 1792 is not the same' &&
	t_ok "mkfs.xfs warnings are shown" || t_fail "mkfs.xfs warnings are shown" "rc=$rc" "$out"
# a mkfs.xfs that formats with another stripe: the superblock check catches it
printf '#!/bin/sh\nfor a; do last=$a; done\nexec %s -f -d su=64k,sw=14 "$last"\n' "$real" >"$tmp/bin/mkfs.xfs"
out=$(PATH=$tmp/bin:$PATH "$MP" mkfs $REF --yes --force "$LOOP" 2>&1 >/dev/null); rc=$?
[ $rc = 1 ] && printf '%s' "$out" | grep -q 'does not match the plan: filesystem has sunit=16 swidth=224' &&
	t_ok "superblock mismatch is an error" || t_fail "superblock mismatch is an error" "rc=$rc" "$out"

# --- mount and the fstab ---
new_loop 1G
"$MP" mkfs $REF --label data --yes "$LOOP" >/dev/null 2>&1 || t_fail "mkfs for the mount tests"
uuid=$(blkid -p -o value -s UUID "$LOOP")
fstab=$tmp/fstab.m mnt=$tmp/srv/mirror
cp "$GOLDEN/mount/fstab.in" "$fstab"
expect() { sed "s/@UUID@/$uuid/; s#@MNT@#$mnt#; s/@OPTS@/$1/" "$GOLDEN/mount/fstab.out"; }
"$MP" mount -n --fstab "$fstab" "$LOOP" "$mnt" >/dev/null 2>&1; rc=$?
[ $rc = 0 ] && [ ! -e "$mnt" ] && cmp -s "$fstab" "$GOLDEN/mount/fstab.in" && ! grep -q " $mnt " /proc/self/mounts &&
	t_ok "mount --dry-run changes nothing" || t_fail "mount --dry-run changes nothing" "rc=$rc"
out=$("$MP" mount --fstab "$fstab" "$LOOP" "$mnt" 2>&1); rc=$?
[ $rc = 0 ] && grep -q " $mnt xfs " /proc/self/mounts && t_ok "mount creates the mount point and mounts" ||
	t_fail "mount creates the mount point and mounts" "rc=$rc" "$out"
cmp -s "$fstab" <(expect 'noatime,logbsize=256k') && t_ok "fstab: fixture kept byte for byte, one line added (golden)" ||
	t_fail "fstab: fixture kept byte for byte, one line added (golden)" "$(diff <(expect 'noatime,logbsize=256k') "$fstab")"
cmp -s "$fstab~" "$GOLDEN/mount/fstab.in" && t_ok "fstab: previous file kept as backup" || t_fail "fstab: previous file kept as backup"
stamp=$(stat -c '%i %Y %s' "$fstab")
out=$("$MP" mount --fstab "$fstab" "$LOOP" "$mnt" $REF 2>&1); rc=$?
[ $rc = 0 ] && printf '%s' "$out" | grep -q 'nothing to change' && [ "$(stat -c '%i %Y %s' "$fstab")" = "$stamp" ] &&
	t_ok "mount again: no-op, fstab not rewritten" || t_fail "mount again: no-op, fstab not rewritten" "rc=$rc" "$out"
out=$("$MP" mount -J --fstab "$fstab" "$LOOP" "$mnt" 2>/dev/null)
printf '%s' "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["result"]["changed"] is False and d["fstab"]["verdict"] == "unchanged"
assert d["result"]["live_geometry"]["sunit_blocks"] == 16 and d["result"]["live_geometry"]["swidth_blocks"] == 208
' && t_ok "mount -J: unchanged, live geometry 16/208" || t_fail "mount -J: unchanged, live geometry 16/208" "$out"
t_refused "mount: differing fstab entry refused" "refused: fstab: $fstab line 13 says UUID=$uuid $mnt xfs noatime,logbsize=256k 0 0" 	"$MP" mount -o noatime,logbsize=128k --fstab "$fstab" "$LOOP" "$mnt"
[ "$(stat -c '%i %Y %s' "$fstab")" = "$stamp" ] && t_ok "fstab untouched after the refusal" || t_fail "fstab untouched after the refusal"
t_refused "mount: sunit= needs --force" "refused: options: sunit= rewrites the stripe unit" 	"$MP" mount -o noatime,sunit=128,swidth=1664 --no-fstab "$LOOP" "$mnt"
t_refused "mount: other geometry refused" "refused: geometry: filesystem has sunit=16 swidth=208 blocks" 	"$MP" mount --fstab "$fstab" --raid6 16 --chunk 64k "$LOOP" "$mnt"
err=$("$MP" mount -n --no-fstab -o noatime,attr2 "$LOOP" "$mnt" 2>&1 >/dev/null); rc=$?
[ $rc = 0 ] && printf '%s' "$err" | grep -q "warning: mount option 'attr2' is deprecated" && t_ok "mount: deprecated option warns" ||
	t_fail "mount: deprecated option warns" "rc=$rc" "$err"
t_refused "mount: another device on the mount point" "refused: mount-point: $mnt is already a mount point of $LOOP" 	"$MP" mount --no-fstab "${loops[0]}" "$mnt"
out=$("$MP" mount --force -o noatime,logbsize=128k --fstab "$fstab" "$LOOP" "$mnt" 2>&1); rc=$?
[ $rc = 0 ] && cmp -s "$fstab" <(expect 'noatime,logbsize=128k') && t_ok "mount --force replaces the entry in place" ||
	t_fail "mount --force replaces the entry in place" "rc=$rc" "$out" "$(diff <(expect 'noatime,logbsize=128k') "$fstab")"
umount "$mnt"
out=$("$MP" mount -o noatime,logbsize=128k --fstab "$fstab" "$LOOP" "$mnt" 2>&1); rc=$?
[ $rc = 0 ] && grep -q " $mnt xfs .*logbsize=128k" /proc/self/mounts && printf '%s' "$out" | grep -q "fstab $fstab: unchanged" &&
	t_ok "mount after umount: mounts, fstab unchanged" || t_fail "mount after umount: mounts, fstab unchanged" "rc=$rc" "$out"
umount "$mnt"
# an fstab that is a symlink: its target is replaced atomically, the link stays
mv "$fstab" "$tmp/fstab.real" && ln -s fstab.real "$fstab"
out=$("$MP" mount --force -o noatime,logbsize=64k --fstab "$fstab" "$LOOP" "$mnt" 2>&1); rc=$?
[ $rc = 0 ] && [ "$(readlink "$fstab")" = fstab.real ] && cmp -s "$tmp/fstab.real" <(expect 'noatime,logbsize=64k') &&
	cmp -s "$tmp/fstab.real~" <(expect 'noatime,logbsize=128k') &&
	t_ok "mount --fstab LINK: the link kept, its target replaced (backup beside it)" ||
	t_fail "mount --fstab LINK" "rc=$rc" "$out" "$(ls -l "$tmp" | grep fstab)"
umount "$mnt"
t_done
