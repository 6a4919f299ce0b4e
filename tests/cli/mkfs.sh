#!/bin/bash
# mkfs and mount without root: usage errors, refusals on things that are not
# block devices, and the safety gate on umockdev FC fixtures (multipath path,
# WWID, device I/O hints).  Nothing here writes to any device.
. "$(dirname "$0")/../lib.sh"
FIX=$TOP/tests/fixtures/umockdev
REF="--raid6 15 --spare 1 --chunk 64k"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

t_error "mkfs: no device" 2 "no DEVICE given" "$MP" mkfs $REF
t_error "mkfs: no geometry" 2 "no RAID geometry given" "$MP" mkfs "$tmp/x"
t_error "mkfs: two devices" 2 "unexpected argument 'b'" "$MP" mkfs $REF a b
t_error "mkfs: label too long" 2 "1 to 12 bytes" "$MP" mkfs $REF --label thirteen-char "$tmp/x"
t_error "mkfs: bad chunk" 2 "chunk is not a multiple of 4 KiB" "$MP" mkfs --raid6 15 --chunk 6k "$tmp/x"
t_refused "mkfs: missing device is refused" "refused: block-device" "$MP" mkfs $REF --yes "$tmp/none"
truncate -s 64M "$tmp/file"
sum=$(sha256sum <"$tmp/file")
t_refused "mkfs: regular file is refused" "refused: block-device: $tmp/file is not a block device" \
	"$MP" mkfs $REF --yes -J "$tmp/file"
[ "$(sha256sum <"$tmp/file")" = "$sum" ] && t_ok "mkfs: refused file unchanged" || t_fail "mkfs: refused file unchanged"
"$MP" mkfs --help | grep -q -- '--expect-wwid' && t_ok "mkfs --help" || t_fail "mkfs --help"

t_error "mount: relative mount point" 2 "must be an absolute path" "$MP" mount /dev/null srv/mirror
t_error "mount: one argument" 2 "DEVICE and MOUNTPOINT are required" "$MP" mount /dev/null
t_error "mount: nobarrier refused" 2 "'nobarrier' is removed in Linux 4.19" "$MP" mount -o noatime,nobarrier /dev/null /srv/m
t_error "mount: delaylog refused" 2 "'delaylog' is removed in Linux 4.0" "$MP" mount -o delaylog /dev/null /srv/m
t_error "mount: osyncisdsync refused" 2 "'osyncisdsync' is removed" "$MP" mount -o osyncisdsync /dev/null /srv/m
t_error "mount: malformed options" 2 "malformed" "$MP" mount -o 'noatime,,x' /dev/null /srv/m
t_refused "mount: not a block device" "refused: block-device" "$MP" mount --no-fstab "$tmp/file" "$tmp/m"
[ ! -e "$tmp/m" ] && t_ok "mount: refused, no mount point made" || t_fail "mount: refused, no mount point made"
"$MP" mount --help | grep -q -- '--no-fstab' && t_ok "mount --help" || t_fail "mount --help"

if ! command -v umockdev-run >/dev/null || [ ! -f "$FIX/a-fc-single-raid6.umockdev" ]; then
	echo "ok - umockdev cases # SKIP umockdev or fixtures missing"; t_done
fi
# The sanitizer runtime must come first; umockdev preloads itself.
export ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0
umock() { local f=$1; shift; umock_sized "$FIX/$f.umockdev" "$@"; }
A=a-fc-single-raid6 B=b-fc-multipath-2luns
R16="--raid6 16 --chunk 256k"

# whether every process could be inspected depends on the host (containers, not root)
plan() { set -o pipefail; umock "$@" | sed 's/ (some processes could not be inspected)//'; }
t_golden "mkfs plan on the FC LUN (human)" mkfs/fc-sdf-partition.txt 0 plan $A "$MP" mkfs $R16 --label mirror --partition -n /dev/sdf
t_golden "mkfs plan on the FC LUN (JSON)" mkfs/fc-sdf-partition.json 0 plan $A "$MP" mkfs $R16 --label mirror --partition -n -J /dev/sdf
t_refused "mkfs: multipath path points to the map" "refused: no-holders: sdb is a path of multipath map mpatha: use /dev/mapper/mpatha" \
	umock $B "$MP" mkfs $R16 --yes -J /dev/sdb
t_refused "mkfs: WWID mismatch" "refused: wwid: sdf has WWID naa.600d02310009a3e15c2e8f1d7a4b3c90, expected naa.600d0231000000000000000000000001" \
	umock $A "$MP" mkfs $R16 --yes -J --expect-wwid naa.600d0231000000000000000000000001 /dev/sdf
out=$(umock $A "$MP" mkfs $R16 -n -J --expect-wwid wwn-0x600D02310009A3E15C2E8F1D7A4B3C90 /dev/sdf 2>&1); rc=$?
[ $rc = 0 ] && printf '%s' "$out" | grep -q '"detail": "naa.600d02310009a3e15c2e8f1d7a4b3c90 matches --expect-wwid"' &&
	t_ok "mkfs: WWID match in another spelling" || t_fail "mkfs: WWID match in another spelling" "rc=$rc" "$out"
out=$(umock $B "$MP" mkfs $R16 -n --expect-wwid 3600d02310009a3e15c2e8f1d7a4b3c90 /dev/dm-0 2>&1); rc=$?
[ $rc = 0 ] && t_ok "mkfs: multipath map accepted, WWID from its dm uuid" || t_fail "mkfs: multipath map accepted, WWID from its dm uuid" "$out"
out=$(umock $B "$MP" mkfs $R16 -n -J wwn-0x600D02310009A3E15C2E8F1D7A4B3C90 2>/dev/null); rc=$?
[ $rc = 0 ] && printf '%s' "$out" | grep -q '"target": "/dev/dm-0"' && t_ok "mkfs: a WWID resolves to its multipath map" ||
	t_fail "mkfs: a WWID resolves to its multipath map" "rc=$rc" "$out"
t_refused "mkfs: unknown WWID" "refused: block-device: no device found for naa.600d0231000000000000000000000999" \
	umock $B "$MP" mkfs $R16 --yes naa.600d0231000000000000000000000999
err=$(umock $A "$MP" mkfs --raid6 15 --spare 1 --chunk 64k -n /dev/sdf 2>&1 >/dev/null)
printf '%s' "$err" | grep -q "warning: sdf reports minimum/optimal I/O 262144/3670016 bytes, the plan su 65536, full stripe 851968" &&
	t_ok "mkfs: device hints that differ warn" || t_fail "mkfs: device hints that differ warn" "$err"
err=$(umock $B "$MP" mkfs $R16 -n /dev/sdc 2>&1 >/dev/null)
printf '%s' "$err" | grep -q "warning: sdc reports bogus I/O hints (minimum 512, optimal 33553920 bytes): ignored" &&
	t_ok "mkfs: bogus device hints ignored" || t_fail "mkfs: bogus device hints ignored" "$err"

# The blank check reads its samples from the 50.9 TiB LUN's node (a sparse file
# in the testbed): all zeros pass; one non-zero byte at the middle sample
# (32/64 of the size, 4 KiB aligned) is found, 25 TiB in.
out=$(umock $A "$MP" mkfs $R16 -n -J /dev/sdf 2>/dev/null); rc=$?
[ $rc = 0 ] && printf '%s' "$out" | grep -q '"detail": "[0-9]* samples ([0-9.]* MiB of 50.9 TiB) read as zeros"' &&
	t_ok "mkfs: blank check reads the 50.9 TiB LUN's samples" || t_fail "mkfs: blank check reads the 50.9 TiB LUN's samples" "rc=$rc" "$out"
mid=$(( 109366476800 * 512 / 4096 * 32 / 64 * 4096 ))
UMOCK_SETUP="printf 'old data' | dd of=\$UMOCKDEV_DIR/dev/sdf bs=1 seek=$mid conv=notrunc status=none" \
	t_refused "mkfs: blank: data 25 TiB into the LUN" "refused: blank: unrecognised data at offset $mid (6f 6c 64 20 64 61 74 61" \
	umock $A "$MP" mkfs $R16 --yes /dev/sdf
out=$(UMOCK_SETUP="printf 'old data' | dd of=\$UMOCKDEV_DIR/dev/sdf bs=1 seek=$mid conv=notrunc status=none" \
	umock $A "$MP" mkfs $R16 -n --force /dev/sdf 2>&1); rc=$?
[ $rc = 0 ] && printf '%s' "$out" | grep -q "blank .*unrecognised data at offset $mid .*overwritten because of --force" &&
	t_ok "mkfs: --force overrides the blank check" || t_fail "mkfs: --force overrides the blank check" "rc=$rc" "$out"
# a node that reads shorter than its size is not known to be blank
t_refused "mkfs: blank: a device that ends early" "refused: blank: cannot read samples of /dev/sdf (Input/output error)" \
	umockdev-run -d "$FIX/$A.umockdev" -- "$MP" mkfs $R16 --yes /dev/sdf
t_done
