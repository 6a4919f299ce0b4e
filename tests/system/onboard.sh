#!/bin/bash
# onboard end to end on loop images made from sparse files in a temp directory:
# without and with --sync against the local upstream, second runs with no
# changes, -n writing nothing, -J, and the blocked paths (another filesystem,
# WWID not found, unknown key, unknown profile).  Daemons stopped, mounts
# unmounted, loop devices detached on exit.
. "$(dirname "$0")/../lib.sh"
need_root "onboard on loop images"
. "$TOP/tests/fixtures/upstream.sh"
. "$TOP/tests/fixtures/serve.sh"
serve_env mp-onboard && t_ok "upstream, nginx and rsyncd on loopback" || { t_fail "daemons"; t_done; }
OB=("$MP" onboard -c "$D/demo.conf" --image "$D/lun.img" --image-size 2G --prefix "$D/prefix" --ca "$D/tls/cert.pem")
states() { python3 -c 'import json,sys; print(" ".join(s["name"]+"="+s["state"] for s in json.load(sys.stdin)["steps"]))'; }
# everything onboard may write, as one digest
state_sum() {
	{ [ -e "$D/lun.img" ] && openssl dgst -sha256 -r "$D/lun.img"
	  find "$D/prefix" -type f -print0 | sort -z | xargs -0r openssl dgst -sha256 -r
	  losetup --list --noheadings --output BACK-FILE | grep -c "$D" ; } 2>/dev/null | openssl dgst -sha256 -r
}

# --- -n writes nothing -----------------------------------------------------------------
before=$(state_sum)
out=$("${OB[@]}" -n -J 2>"$D/err"); rc=$?
[ $rc = 0 ] && [ "$(states <<<"$out")" = "device=change geometry=done mkfs=change mount=change layout=change sync=done check=done register=done" ] &&
	t_ok "-n -J on no image: the plan" || t_fail "-n -J on no image" "rc=$rc" "$out" "$(cat "$D/err")"
[ "$(state_sum)" = "$before" ] && [ ! -e "$D/lun.img" ] && t_ok "-n: no image created, nothing written" || t_fail "-n writes nothing"
truncate -s 2G "$D/lun.img"
before=$(state_sum)
out=$("${OB[@]}" -n 2>&1); rc=$?
[ $rc = 0 ] && grep -q '^mkfs *change *mkfs.xfs -f -d su=64k,sw=13 -L mirror /dev/loop' <<<"$out" &&
	t_ok "-n on a fresh image: mkfs planned with su=64k,sw=13" || t_fail "-n on a fresh image" "rc=$rc" "$out"
[ "$(state_sum)" = "$before" ] && [ ! -e "$D/prefix/etc/fstab" ] && ! mountpoint -q "$D/srv/mirror" &&
	t_ok "-n: image hash, fstab, config files unchanged; no loop device left" || t_fail "-n writes nothing (fresh image)"
t_refused "no terminal and no --yes: refused before anything is written" "pass --yes" "${OB[@]}" </dev/null
[ "$(state_sum)" = "$before" ] && t_ok "refused: nothing written" || t_fail "refused: nothing written"

# --- without --sync ----------------------------------------------------------------------
start=$(date +%s%N)
out=$("${OB[@]}" --yes 2>&1); rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ $rc = 0 ] && grep -q '^onboard: complete$' <<<"$out" && t_ok "onboard on an image (${ms} ms)" || t_fail "onboard on an image" "rc=$rc" "$out"
xfs_info "$D/srv/mirror" | grep -q 'sunit=16 *swidth=208 blks' && t_ok "mounted XFS has sunit=16 swidth=208" ||
	t_fail "xfs geometry" "$(xfs_info "$D/srv/mirror" 2>&1)"
grep -q "^UUID=.* $D/srv/mirror xfs noatime,logbsize=256k 0 0$" "$D/prefix/etc/fstab" && t_ok "fstab entry under --prefix" ||
	t_fail "fstab entry" "$(cat "$D/prefix/etc/fstab")"
[ -f "$D/prefix/etc/nginx/sites-available/mirrorprov" ] && [ -f "$D/prefix/etc/systemd/system/mirrorprov-sync@fedora.timer.d/schedule.conf" ] &&
	grep -q '^\[debian\]' "$D/prefix/etc/rsyncd.conf" && [ -d "$D/srv/mirror/pub/fedora" ] && t_ok "layout written" || t_fail "layout written"
grep -q "^ExecStart=.* sync -c $D/demo.conf fedora$" "$D/prefix/etc/systemd/system/mirrorprov-sync@fedora.service.d/layout.conf" &&
	t_ok "sync units name the absolute host configuration" || t_fail "units name the config"
out=$("${OB[@]}" --yes 2>&1); rc=$?
[ $rc = 0 ] && [ "$(tail -1 <<<"$out")" = "no changes" ] && ! grep -q ' change ' <<<"$out" &&
	t_ok "second run: every step done, no changes" || t_fail "second run: no changes" "rc=$rc" "$out"
grep -q '^check *done *deferred until the first sync' <<<"$out" && t_ok "without --sync, check and register wait for the first sync" ||
	t_fail "check deferred" "$out"

# --- with --sync ---------------------------------------------------------------------------
start=$(date +%s%N)
out=$("${OB[@]}" --yes --sync 2>&1); rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ $rc = 0 ] && grep -q '^fedora: synced from rsync://127.0.0.1' <<<"$out" && grep -q 'MirrorManager registration sheet' <<<"$out" &&
	t_ok "--sync: first sync, check and registration sheet (${ms} ms)" || t_fail "--sync" "rc=$rc" "$out"
diff -r "$TOP/tests/fixtures/upstream/fedora" "$D/srv/mirror/pub/fedora" >/dev/null && t_ok "fedora tree identical to upstream" ||
	t_fail "fedora tree"
[ -f "$D/srv/mirror/pub/debian/project/trace/127.0.0.1" ] && t_ok "debian trace file written" || t_fail "debian trace"
out=$("${OB[@]}" --yes --sync -J 2>"$D/err"); rc=$?
[ $rc = 0 ] && [ "$(states <<<"$out")" = "device=done geometry=done mkfs=done mount=done layout=done sync=done check=done register=done" ] &&
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["changed"] is False and all(set(s)=={"name","state","detail"} for s in d["steps"])' <<<"$out" &&
	t_ok "completed server: -J all done, changed false" || t_fail "completed server -J" "rc=$rc" "$out" "$(cat "$D/err")"
out=$("${OB[@]}" --yes --sync 2>&1); rc=$?
[ $rc = 0 ] && [ "$(tail -1 <<<"$out")" = "no changes" ] && grep -q '^check *done *6 URLs pass' <<<"$out" &&
	t_ok "completed server re-run: no changes, checks pass" || t_fail "completed server re-run" "rc=$rc" "$out"
# only named instances (backends, no backend group): the register step plans
# what `register` would, one registration per instance
sed -e '/^backend: {/,/^};/c\backends: { mm: { type = "mirrormanager"; url = "https://mirrormanager.example.org/xmlrpc"; }; };' \
	-e '$a profile: { fedora: { backend = "mm"; }; };' "$D/demo.conf" >"$D/backends.conf"
out=$("$MP" onboard -c "$D/backends.conf" --image "$D/lun.img" --prefix "$D/prefix" --ca "$D/tls/cert.pem" -n 2>&1); rc=$?
[ $rc = 0 ] && grep -q '^register *change *print the mirrormanager registration document (the submission is manual): fedora; print the debian registration document (the submission is manual): debian$' <<<"$out" &&
	t_ok "backends only: register planned per instance" || t_fail "backends only: register per instance" "rc=$rc" "$out"

# --- blocked paths -------------------------------------------------------------------------
mkdir -p "$D/b"
sed -e "s|$D/srv/mirror|$D/b/mnt|g" "$D/demo.conf" >"$D/b/host.conf"
truncate -s 1G "$D/b/ext4.img"
mkfs.ext4 -q -F "$D/b/ext4.img"
sum=$(openssl dgst -sha256 -r "$D/b/ext4.img")
B=("$MP" onboard -c "$D/b/host.conf" --image "$D/b/ext4.img" --prefix "$D/b/prefix" --yes)
out=$("${B[@]}" 2>"$D/err"); rc=$?
[ $rc = 3 ] && grep -q '^mkfs *blocked *refused: no-signatures: found ext4' <<<"$out" &&
	grep -q 'blocked: mkfs: refused: no-signatures' "$D/err" && t_ok "device holds ext4: blocked, exit 3" ||
	t_fail "ext4 blocked" "rc=$rc" "$out" "$(cat "$D/err")"
[ "$(openssl dgst -sha256 -r "$D/b/ext4.img")" = "$sum" ] && [ ! -e "$D/b/prefix/etc/fstab" ] &&
	[ -z "$(losetup --associated "$D/b/ext4.img")" ] && t_ok "blocked: image unchanged, nothing written, no loop left" ||
	t_fail "blocked: nothing written"
out=$("${B[@]}" --force -n 2>&1); rc=$?
[ $rc = 0 ] && grep -q '^mkfs *change *mkfs.xfs -f' <<<"$out" && t_ok "--force: the ext4 image would be formatted" ||
	t_fail "--force plans mkfs" "rc=$rc" "$out"
sed -e 's|^  device = .*|  device = "naa.600d0231000a1b2c3d4e5f60718293ff";|' "$D/b/host.conf" >"$D/b/wwid.conf"
t_refused "WWID not found: blocked" "blocked: device: no LUN has WWID naa.600d0231000a1b2c3d4e5f60718293ff" \
	"$MP" onboard -c "$D/b/wwid.conf" --prefix "$D/b/prefix" --yes
sed -e 's|^  label = "mirror";|  label = "mirror";\n  lable = "typo";|' "$D/b/host.conf" >"$D/b/typo.conf"
line=$(grep -n lable "$D/b/typo.conf" | cut -d: -f1)
t_error "unknown key: FILE:LINE" 2 "$D/b/typo.conf:$line: unknown key 'lable'" \
	"$MP" onboard -c "$D/b/typo.conf" --image "$D/b/ext4.img" --prefix "$D/b/prefix" -n
sed -e 's|profiles = \[ "fedora", "debian" \];|profiles = [ "fedora", "nosuch" ];|' "$D/demo.conf" >"$D/b/prof.conf"
out=$("$MP" onboard -c "$D/b/prof.conf" --image "$D/lun.img" --prefix "$D/b/prefix" -n 2>"$D/err"); rc=$?
[ $rc = 3 ] && grep -q "^layout *blocked *unknown profile 'nosuch'" <<<"$out" && grep -q "blocked: layout: unknown profile 'nosuch'" "$D/err" &&
	t_ok "unknown profile: blocked" || t_fail "unknown profile" "rc=$rc" "$out" "$(cat "$D/err")"
t_error "--image-size needs --image" 2 "--image-size needs --image" "$MP" onboard --image-size 1G
t_error "bad --image-size" 2 "--image-size 'x'" "$MP" onboard --image "$D/x" --image-size x
t_done
