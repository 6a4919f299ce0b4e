#!/bin/bash
# `make demo` passes on this machine (as on a clean clone) and leaves nothing behind.
. "$(dirname "$0")/../lib.sh"
need_root "make demo"
out=$(make -C "$TOP" demo 2>&1); rc=$?
[ $rc = 0 ] && grep -q '^demo: passed$' <<<"$out" && t_ok "make demo passes" || t_fail "make demo passes" "rc=$rc" "$(tail -30 <<<"$out")"
grep -q '^no changes$' <<<"$out" && t_ok "demo: the second onboard changes nothing" || t_fail "demo: second run"
# This demo's own directory (others may run a demo on the same machine meanwhile).
dir=$(sed -n 's|^demo: cleaned up (.* \(/tmp/mirrorprov-demo\.[A-Za-z0-9]*\) removed)$|\1|p' <<<"$out")
if [ -n "$dir" ] && ! losetup --noheadings --list --output BACK-FILE | grep -qF "$dir/" &&
	! grep -qF " $dir/" /proc/self/mounts && [ ! -e "$dir" ]; then
	t_ok "demo: undone (no mount, no loop device, no directory)"
else
	t_fail "demo: undone" "dir '$dir'" "$(grep -F "$dir" /proc/self/mounts)" "$(losetup -l | grep -F "$dir")"
fi
t_done
