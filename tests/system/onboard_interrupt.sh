#!/bin/bash
# onboard killed (SIGKILL, through the test-only MIRRORPROV_ONBOARD_STOP_AFTER)
# right after each step in turn, then run again: the result equals an
# uninterrupted run, and fstab, rsyncd.conf, the nginx site and the units are
# always complete (the old or the new content, never a partial file).
. "$(dirname "$0")/../lib.sh"
need_root "onboard interrupted"
. "$TOP/tests/fixtures/upstream.sh"
. "$TOP/tests/fixtures/serve.sh"
serve_env mp-onboard-int || { t_fail "daemons"; t_done; }
PLACEHOLDER=$(cat "$D/prefix/etc/rsyncd.conf")
OB=("$MP" onboard -c "$D/demo.conf" --image "$D/lun.img" --image-size 1G --prefix "$D/prefix" --ca "$D/tls/cert.pem"
	--yes --sync)

reset() {
	release_dir "$D"
	rm -rf "$D/lun.img" "$D/prefix" "$D/srv"
	mkdir -p "$D/prefix/etc"
	printf '%s\n' "$PLACEHOLDER" >"$D/prefix/etc/rsyncd.conf"
}
# A file as compared: the fstab's UUID differs from run to run.
norm() { sed -E 's/^UUID=[0-9a-f-]+ /UUID=X /' "$1"; }
# Everything the run leaves: configuration files, the tree, the mount, the superblock geometry.
snapshot() {
	(cd "$D/prefix" && find . -type f ! -name '*~' | sort | while read -r f; do echo "== $f"; norm "$f"; done)
	(cd "$D/srv/mirror/pub" && find . | sort && find . -type f ! -path ./debian/project/trace/127.0.0.1 -print0 |
		sort -z | xargs -0 cat | openssl dgst -sha256 -r)
	grep -c " $D/srv/mirror xfs " /proc/self/mounts
	xfs_info "$D/srv/mirror" | grep -o 'sunit=[0-9]* *swidth=[0-9]* blks' | head -1
}

reset
out=$("${OB[@]}" 2>&1) || { t_fail "uninterrupted run" "$out"; t_done; }
snapshot >"$D/want"
mkdir -p "$D/ref"
(cd "$D/prefix" && find . -type f ! -name '*~' | while read -r f; do mkdir -p "$D/ref/$(dirname "$f")"; norm "$f" >"$D/ref/$f"; done)
t_ok "uninterrupted run"

# complete FILE: absent, or the old or the new content in full
complete() {
	local f=$1 rel=${1#"$D/prefix/"}
	[ -e "$f" ] || return 0
	[ "$rel" = etc/rsyncd.conf ] && [ "$(cat "$f")" = "$PLACEHOLDER" ] && return 0
	[ -e "$D/ref/$rel" ] && diff -q <(norm "$f") "$D/ref/$rel" >/dev/null
}

for n in 1 2 3 4 5 6 7 8; do
	reset
	{ MIRRORPROV_ONBOARD_STOP_AFTER=$n "${OB[@]}" >"$D/out" 2>&1; } 2>/dev/null; rc=$?
	[ $rc = 137 ] && t_ok "killed after step $n" || t_fail "killed after step $n" "rc=$rc" "$(tail -5 "$D/out")"
	bad=
	for f in "$D/prefix/etc/fstab" "$D/prefix/etc/rsyncd.conf" "$D/prefix/etc/nginx/sites-available/mirrorprov" \
		"$D"/prefix/etc/systemd/system/*.d/*; do
		complete "$f" || bad="$bad ${f#"$D/prefix/"}"
	done
	[ -z "$bad" ] && t_ok "after step $n: fstab, rsyncd, nginx, units complete" || t_fail "after step $n: partial files:$bad"
	out=$("${OB[@]}" 2>&1); rc=$?
	[ $rc = 0 ] && t_ok "re-run after step $n converges" || t_fail "re-run after step $n" "rc=$rc" "$out"
	snapshot >"$D/got"
	diff -u "$D/want" "$D/got" >"$D/diff" && t_ok "after step $n: same final state as an uninterrupted run" ||
		t_fail "after step $n: final state differs" "$(head -20 "$D/diff")"
	out=$("${OB[@]}" 2>&1)
	[ "$(tail -1 <<<"$out")" = "no changes" ] && t_ok "after step $n: then no changes" || t_fail "after step $n: then no changes" "$out"
done
t_done
