#!/bin/bash
# Printed plans echo outside text: a device path given as a symlink whose name
# carries an escape sequence, a filesystem label written by someone else, the
# mount point.  Each reaches the terminal as \xNN, never raw (issue 11 §4).
# A loop device over a sparse image made here, detached on exit.
. "$(dirname "$0")/../lib.sh"
need_root "plans on a loop device"
tmp=$(mktemp -d)
LOOP=
cleanup() { [ -n "$LOOP" ] && losetup -d "$LOOP"; rm -rf "$tmp"; }
trap cleanup EXIT
truncate -s 512M "$tmp/img"
LOOP=$(losetup --find --show "$tmp/img") || { t_fail "loop device"; t_done; }
link=$tmp/$'dev\e[5mX'
ln -s "$LOOP" "$link"

# no_raw NAME FILE: FILE has no ESC byte and no C1 CSI, and shows want as \xNN
no_raw() {
	if grep -q $'\e\|\xc2\x9b' "$2"; then t_fail "$1" "$(cat -A "$2" | head -20)"
	elif ! grep -qF "$3" "$2"; then t_fail "$1" "lacks '$3'" "$(cat -A "$2" | head -20)"
	else t_ok "$1"; fi
}

"$MP" mkfs -n --raid6 15 --chunk 64k "$link" >"$tmp/out" 2>&1
no_raw "mkfs -n: the device path in the plan is escaped" "$tmp/out" 'dev\x1b[5mX'
"$MP" mkfs --raid6 15 --chunk 64k "$link" </dev/null >"$tmp/out" 2>&1
no_raw "mkfs without --yes: the refusal is escaped" "$tmp/out" 'dev\x1b[5mX'
mkfs.xfs -q -f -L $'a\e[2Jb' "$LOOP" || t_fail "mkfs.xfs with a hostile label"
"$MP" mount -n --no-fstab "$link" "$tmp/mnt" >"$tmp/out" 2>&1
no_raw "mount -n: label and device path in the plan are escaped" "$tmp/out" 'label a\x1b[2Jb'
grep -qF 'dev\x1b[5mX' "$tmp/out" && t_ok "mount -n: the device path too" || t_fail "mount -n device path" "$(cat -A "$tmp/out")"
"$MP" mount -n --no-fstab "$link" "$tmp/"$'mnt\e[31m' >"$tmp/out" 2>&1
no_raw "mount -n: a mount point with an escape is refused, escaped" "$tmp/out" ''
t_done
