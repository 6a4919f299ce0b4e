#!/bin/bash
# `make demo`: mirrorprov onboard on a rehearsal image, no hardware needed.
# A local rsync daemon serves the bundled upstream sample (tests/fixtures/upstream);
# onboard runs with examples/demo.conf (RAID6 15+1, 64 KiB chunk; a Fedora-like
# and a Debian-like profile; the MirrorManager registration sheet) on a sparse
# image attached to a loop device; then the result is shown: the device, the
# XFS geometry, the modules served, and check passing over http, https and
# rsync on loopback.  Everything it set up is undone on exit unless KEEP=1.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
MP=${MP:-$TOP/build/mirrorprov}
[ "$(id -u)" = 0 ] || { echo "make demo: run as root (it attaches a loop device and mounts it)" >&2; exit 1; }
. "$TOP/tests/fixtures/upstream.sh"
. "$TOP/tests/fixtures/serve.sh"

D=$(mktemp -d /tmp/mirrorprov-demo.XXXXXX)
chmod 755 "$D"   # nginx and rsyncd serve as nobody
export STATE_DIRECTORY=$D/state   # the history sync and check append to, not the host's
cleanup() {
	local rc=$?
	if [ "${KEEP:-0}" = 1 ]; then
		echo; echo "KEEP=1: left in place: $D (mounted on $D/srv/mirror, daemons running)"
		return
	fi
	serve_stop
	upstream_stop
	mirror_user_del
	release_dir "$D"
	rm -rf "$D"
	echo; echo "demo: cleaned up (unmounted, loop device detached, daemons stopped, $D removed)"
	exit $rc
}
trap cleanup EXIT
set -e
step() { printf '\n=== %s\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "a local upstream: rsync daemon on 127.0.0.1 serving tests/fixtures/upstream"
upstream_start "$D"
echo "rsync://127.0.0.1:$UPSTREAM_PORT/ (modules fedora, debian)"
demo_setup "$D"
serve_start "$D"
echo "nginx on 127.0.0.1:$HTTP_PORT (http) and :$HTTPS_PORT (https, self-signed), rsyncd on :$RSYNC_PORT"

step "the plan first (-n changes nothing)"
ONBOARD=("$MP" onboard -c "$D/demo.conf" --image "$D/lun.img" --image-size 2G --prefix "$D/prefix"
	--ca "$D/tls/cert.pem" --sync)
run "${ONBOARD[@]}" -n

step "onboard: image -> loop device -> XFS -> mount + fstab -> layout -> first sync -> check -> register"
start=$(date +%s%N)
run "${ONBOARD[@]}" --yes
ms=$((($(date +%s%N) - start) / 1000000))
printf '(onboard took %d.%03d s)\n' $((ms / 1000)) $((ms % 1000))

step "a second run changes nothing"
run "${ONBOARD[@]}" --yes

step "the device (raid-inspect style facts)"
LOOP=$(losetup --associated "$D/lun.img" --noheadings --output NAME)
run lsblk -o NAME,SIZE,MIN-IO,OPT-IO,FSTYPE,LABEL,MOUNTPOINT "$LOOP"
run "$MP" geometry --raid6 15 --spare 1 --chunk 64k

step "the filesystem"
run xfs_info "$D/srv/mirror"
run cat "$D/prefix/etc/fstab"

step "the served modules (the rsyncd.conf onboard wrote)"
run rsync "rsync://127.0.0.1:$RSYNC_PORT/"

step "nginx now runs the site onboard wrote (listen ports moved to loopback)"
serve_swap_site "$D"
run curl -sS --cacert "$D/tls/cert.pem" -o /dev/null -w '%{http_code} %{url_effective}\n' \
	"https://127.0.0.1:$HTTPS_PORT/fedora/fullfiletimelist-fedora"

step "check passes over http, https and rsync"
run "$MP" check -c "$D/demo.conf" --ca "$D/tls/cert.pem" --full

step "status: how fresh each profile is (from the history the sync and the checks wrote)"
run "$MP" status -c "$D/demo.conf"
echo; echo "demo: passed"
