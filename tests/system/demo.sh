#!/bin/bash
# `make demo` passes on this machine (as on a clean clone) and leaves nothing behind.
. "$(dirname "$0")/../lib.sh"
need_root "make demo"
before=$(losetup --noheadings --list --output BACK-FILE | grep -c mirrorprov-demo)
out=$(make -C "$TOP" demo 2>&1); rc=$?
[ $rc = 0 ] && grep -q '^demo: passed$' <<<"$out" && t_ok "make demo passes" || t_fail "make demo passes" "rc=$rc" "$(tail -30 <<<"$out")"
grep -q '^no changes$' <<<"$out" && t_ok "demo: the second onboard changes nothing" || t_fail "demo: second run"
after=$(losetup --noheadings --list --output BACK-FILE | grep -c mirrorprov-demo)
[ "$after" = "$before" ] && ! grep -q mirrorprov-demo /proc/self/mounts && t_ok "demo: undone (no mount, no loop device)" ||
	t_fail "demo: undone" "$(grep mirrorprov-demo /proc/self/mounts)"
t_done
