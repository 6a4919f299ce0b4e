#!/bin/bash
# `make check-fresh`: the README's commands on a fresh Debian 12, and the package.
#
# 1. A `debootstrap --variant=minbase bookworm` root with make, git and
#    ca-certificates added (built once, kept as a tarball in $FRESH_CACHE; each
#    run unpacks a pristine copy), /dev, /proc and /sys bound in, the checkout's
#    HEAD cloned to /root/mirrorprov: `make demo`, then `make check`, each timed.
# 2. `make deb` in that root; lintian on the package (from the host).
# 3. A second pristine root with man-db and systemd (what a server has): the
#    package's dependencies, then `apt install ./mirrorprov_*.deb`: `mirrorprov
#    profiles` lists the 14 profiles, `man mirrorprov` opens, `--version` is
#    the package version, systemd-analyze verify accepts the units; then the
#    admin's data (host.conf, a mirror tree) is written and `apt purge`
#    must leave exactly that behind.
#
# Differences from a real machine, on purpose: no init runs in a chroot, so a
# policy-rc.d keeps package scripts from starting daemons (nginx would bind the
# host's port 80); downloaded .debs are kept in $FRESH_CACHE/archives between
# runs.  FRESH_STEPS picks steps (default "demo check deb install"); KEEP=1
# leaves the roots in place (unmounted).  Logs: $FRESH_CACHE/logs/.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${FRESH_CACHE:-/var/cache/mirrorprov-fresh}
MIRROR=${FRESH_MIRROR:-http://deb.debian.org/debian}
STEPS=" ${FRESH_STEPS:-demo check deb install} "
BASE=$CACHE/bookworm-minbase.tar
LOGS=$CACHE/logs/$(date +%Y%m%d-%H%M%S)
ROOTS=()

say() { printf '%s\n' "$*"; }
die() { say "fresh-machine: $*" >&2; exit 1; }
step_on() { [[ $STEPS == *" $1 "* ]]; }

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot, loop devices, mounts)"
command -v debootstrap >/dev/null ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
mkdir -p "$CACHE/archives/partial" "$LOGS"

make_base() {
	local b=$CACHE/base.new
	rm -rf --one-file-system "$b"
	say "debootstrap --variant=minbase bookworm (once; cached in $BASE)"
	debootstrap --variant=minbase --include=make,git,ca-certificates bookworm "$b" "$MIRROR" \
		>"$LOGS/debootstrap.log" 2>&1 || die "debootstrap failed: $LOGS/debootstrap.log"
	# The sources of a Debian 12 installation: the release, its updates, security.
	cat >"$b/etc/apt/sources.list" <<-EOF
	deb $MIRROR bookworm main
	deb $MIRROR bookworm-updates main
	deb http://deb.debian.org/debian-security bookworm-security main
	EOF
	rm -rf "$b"/var/cache/apt/archives/*.deb
	tar -C "$b" -cf "$BASE.new" . && mv "$BASE.new" "$BASE"
	rm -rf --one-file-system "$b"
}

# Mount points below ROOT (ROOT included), from the kernel's table.
mounts_below() {
	awk -v r="$1" '$5 == r || index($5, r "/") == 1 {print $5}' /proc/self/mountinfo
}

# Stops what runs in ROOT, unmounts everything below it, detaches the loop
# devices whose backing file is in it, then removes it.
release_root() {
	local r=$1 pid sig f dev
	for sig in TERM KILL; do
		for pid in $(ls /proc | grep -E '^[0-9]+$'); do
			[ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$r" ] && kill -"$sig" "$pid" 2>/dev/null
		done
		[ $sig = TERM ] && sleep 2
	done
	umount -R "$r" 2>/dev/null || umount -R -l "$r" 2>/dev/null || true
	for f in /sys/block/loop*/loop/backing_file; do
		[ -f "$f" ] || continue
		case $(cat "$f" 2>/dev/null) in "$r"/*)
			dev=/dev/$(basename "$(dirname "$(dirname "$f")")")
			losetup -d "$dev" && say "detached $dev (left by a test in $r)";;
		esac
	done
	if [ -n "$(mounts_below "$r")" ]; then
		say "fresh-machine: still mounted below $r, not removed:" >&2; mounts_below "$r" >&2
		return 1
	fi
	if [ "${KEEP:-0}" = 1 ]; then say "KEEP=1: $r left in place"; else rm -rf --one-file-system "$r"; fi
}

cleanup() {
	local r
	for r in "${ROOTS[@]}"; do release_root "$r" || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# new_root NAME: a pristine copy of the base with the host's kernel filesystems.
# ROOT is a mount point of its own (a bind on itself), so `umount -R ROOT`
# also takes whatever the tests mounted below it, whatever its name.
new_root() {
	local r
	r=$(mktemp -d "$CACHE/$1.XXXXXX")
	ROOTS+=("$r")
	mount --bind "$r" "$r" && mount --make-private "$r"
	tar -C "$r" -xpf "$BASE"
	cp /etc/resolv.conf "$r/etc/resolv.conf"
	# What the installer writes and debootstrap does not: the host name resolves
	# (ftpsync runs `hostname -f`).
	printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' "$(hostname)" >"$r/etc/hosts"
	hostname >"$r/etc/hostname"
	printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d" && chmod 755 "$r/usr/sbin/policy-rc.d"
	mount --rbind /dev "$r/dev" && mount --make-rslave "$r/dev"
	mount -t proc proc "$r/proc"
	mount --rbind /sys "$r/sys" && mount --make-rslave "$r/sys"
	mount --bind "$CACHE/archives" "$r/var/cache/apt/archives"
	R=$r
}

# in_root ROOT COMMAND...: as root logs in: a clean environment, its PATH.
in_root() {
	local r=$1; shift
	chroot "$r" /usr/bin/env -i HOME=/root TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# timed NAME ROOT COMMAND: runs a shell command in ROOT, log in $LOGS/NAME.log.
timed() {
	local name=$1 r=$2 cmd=$3 t0 rc=0
	say "== $name: $cmd"
	t0=$(date +%s)
	# In the background: a signal to this script is handled at once (wait
	# returns), and the cleanup stops what still runs in the root.
	in_root "$r" bash -c "$cmd" >"$LOGS/$name.log" 2>&1 &
	wait $! || rc=$?
	TIME=$(( $(date +%s) - t0 ))
	say "   exit $rc after $((TIME / 60)) min $((TIME % 60)) s (log: $LOGS/$name.log)"
	return $rc
}

FAILED=()
fail() { FAILED+=("$1"); say "   FAIL: $1"; }

[ -s "$BASE" ] || make_base
rev=$(git -C "$TOP" rev-parse HEAD)
say "fresh Debian 12 root for $(git -C "$TOP" log -1 --format='%h %s' "$rev")"

if step_on demo || step_on check || step_on deb; then
	new_root build; B=$R
	git clone -q --no-hardlinks "$TOP" "$B/root/mirrorprov"
	git -C "$B/root/mirrorprov" checkout -q "$rev"
	if step_on demo; then
		timed make-demo "$B" 'cd /root/mirrorprov && make demo' || fail "make demo"
		tail -n 4 "$LOGS/make-demo.log" | sed 's/^/   | /'
	fi
	if step_on check; then
		timed make-check "$B" 'cd /root/mirrorprov && make check' || fail "make check"
		grep -E '^(failed: |[0-9]+ passed, [0-9]+ failed)' "$LOGS/make-check.log" | sed 's/^/   | /'
	fi
	if step_on deb; then
		timed make-deb "$B" 'cd /root/mirrorprov && make deb' || fail "make deb"
		cp "$B"/root/mirrorprov/build/mirrorprov_*.deb "$LOGS/" 2>/dev/null || fail "no .deb in build/"
	fi
fi

DEB=$(ls "$LOGS"/mirrorprov_*.deb 2>/dev/null | tail -1 || true)
if step_on install && [ -z "$DEB" ]; then
	# Without the deb step: the package `make deb` built in this checkout.
	DEB=$(ls "$TOP"/build/mirrorprov_*.deb 2>/dev/null | tail -1 || true)
	[ -n "$DEB" ] || die "install: no package (run the deb step or 'make deb')"
fi
if [ -n "$DEB" ] && command -v lintian >/dev/null; then
	say "== lintian $(basename "$DEB")"
	lintian -I --pedantic "$DEB" 2>&1 | tee "$LOGS/lintian.log" | sed 's/^/   | /' || true
	grep -q '^E: ' "$LOGS/lintian.log" && fail "lintian reports errors"
	say "   $(grep -c '^E: ' "$LOGS/lintian.log") errors, $(grep -c '^W: ' "$LOGS/lintian.log") warnings"
fi

if step_on install; then
	new_root install; I=$R
	cp "$DEB" "$I/root/"
	pkg=/root/$(basename "$DEB")
	deps=$(dpkg-deb -f "$DEB" Depends)
	recs=$(dpkg-deb -f "$DEB" Recommends)
	export DEBIAN_FRONTEND=noninteractive
	timed server "$I" "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq man-db systemd bash-completion" ||
		fail "man-db, systemd, bash-completion"
	# The package's dependencies first, so that the comparison below sees the
	# package's own files only.
	timed deps "$I" "DEBIAN_FRONTEND=noninteractive apt-get satisfy -y -qq '$deps${recs:+, $recs}'" || fail "dependencies"
	snapshot() {   # every path of the root except kernel, apt, dpkg and log state
		in_root "$I" find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /run -o -path /tmp \
			-o -path /var/cache -o -path /var/lib/apt -o -path /var/lib/dpkg -o -path /var/log \
			-o -path /root \) -prune -o -print | LC_ALL=C sort
	}
	snapshot >"$LOGS/files-before"
	timed apt-install "$I" "DEBIAN_FRONTEND=noninteractive apt-get install -y $pkg" || fail "apt install ./$(basename "$DEB")"
	in_root "$I" dpkg -L mirrorprov >"$LOGS/dpkg-L" || true
	say "   $(grep -c . "$LOGS/dpkg-L") paths installed"

	n=$(in_root "$I" mirrorprov profiles -o NAME 2>/dev/null | tail -n +2 | grep -c . || true)
	[ "$n" = 14 ] && say "   mirrorprov profiles: 14 profiles" || fail "mirrorprov profiles lists $n profiles, not 14"
	ver=$(in_root "$I" mirrorprov --version 2>&1 || true)
	pver=$(dpkg-deb -f "$DEB" Version)
	[[ $ver == *" $pver" ]] && say "   mirrorprov --version: $ver" || fail "--version says '$ver', the package is $pver"
	if in_root "$I" man mirrorprov 2>&1 | grep -q 'mirrorprov raid-inspect'; then
		say "   man mirrorprov: $(in_root "$I" man mirrorprov 2>/dev/null | wc -l) lines"
	else
		fail "man mirrorprov"
	fi
	in_root "$I" man 5 mirrorprov.conf >/dev/null 2>&1 || fail "man 5 mirrorprov.conf"
	if in_root "$I" systemd-analyze verify mirrorprov-sync@fedora.service mirrorprov-sync@fedora.timer \
		>"$LOGS/verify.log" 2>&1 && ! [ -s "$LOGS/verify.log" ]; then
		say "   systemd-analyze verify mirrorprov-sync@fedora.{service,timer}: clean"
	else
		fail "systemd-analyze verify"; sed 's/^/   | /' "$LOGS/verify.log"
	fi
	comp=$(in_root "$I" bash -c 'source /usr/share/bash-completion/bash_completion
		source /usr/share/bash-completion/completions/mirrorprov
		COMP_WORDS=(mirrorprov sync ""); COMP_CWORD=2; COMP_LINE="mirrorprov sync "; COMP_POINT=16
		_mirrorprov mirrorprov "" sync; echo ${#COMPREPLY[@]}' 2>&1)
	[ "$comp" = 14 ] && say "   bash completion of 'mirrorprov sync ': 14 profiles" || fail "bash completion: '$comp'"

	# What the admin writes: a host.conf and a mirror tree.
	mkdir -p "$I/etc/mirrorprov" "$I/srv/mirror/pub/fedora/linux"
	cp "$TOP/examples/host.conf" "$I/etc/mirrorprov/host.conf"
	echo "a file the mirror holds" >"$I/srv/mirror/pub/fedora/linux/README"
	user_data=$( (cd "$I" && find etc/mirrorprov srv | sed 's|^|/|') | LC_ALL=C sort)
	sums=$(cd "$I" && sha256sum etc/mirrorprov/host.conf srv/mirror/pub/fedora/linux/README)

	timed apt-purge "$I" "DEBIAN_FRONTEND=noninteractive apt-get purge -y mirrorprov" || fail "apt purge"
	snapshot >"$LOGS/files-after"
	left=$(LC_ALL=C comm -13 "$LOGS/files-before" "$LOGS/files-after" | LC_ALL=C comm -23 - <(printf '%s\n' "$user_data"))
	gone=$(LC_ALL=C comm -23 "$LOGS/files-before" "$LOGS/files-after")
	missing=$(LC_ALL=C comm -13 "$LOGS/files-after" <(printf '%s\n' "$user_data"))
	if [ -z "$left$gone$missing" ]; then
		say "   apt purge: no file of the package left; /etc/mirrorprov/host.conf and /srv/mirror kept"
	else
		fail "apt purge"
		[ -z "$left" ] || printf '   left behind:\n%s\n' "$left"
		[ -z "$gone" ] || printf '   removed though not the package'"'"'s:\n%s\n' "$gone"
		[ -z "$missing" ] || printf '   user data removed:\n%s\n' "$missing"
	fi
	(cd "$I" && sha256sum -c --quiet <<<"$sums") || fail "user data changed by apt purge"

	# Installed again, as an admin sets up the syncs: layout --enable.  No init
	# runs in the chroot: SYSTEMD_OFFLINE=1 makes systemctl enable offline and
	# skip daemon-reload and start.
	timed reinstall "$I" "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkg" || fail "apt install again"
	timed layout-enable "$I" "SYSTEMD_OFFLINE=1 mirrorprov layout --root /srv/mirror/pub --profile fedora,debian --enable" ||
		fail "layout --enable"
	grep -v '^create ' "$LOGS/layout-enable.log" | sed 's/^/   | /'
	wants=/etc/systemd/system/timers.target.wants
	if [ "$(readlink "$I$wants/mirrorprov-sync@fedora.timer")" = /lib/systemd/system/mirrorprov-sync@.timer ] &&
		[ -L "$I$wants/mirrorprov-sync@debian.timer" ]; then
		say "   enabled: $(cd "$I$wants" && echo mirrorprov-sync@*) (instances of mirrorprov-sync@.timer)"
	else
		fail "layout --enable: timers not enabled"
	fi
	if [ -f "$I/etc/systemd/system/mirrorprov-sync@fedora.timer.d/schedule.conf" ] &&
		in_root "$I" systemd-analyze verify mirrorprov-sync@fedora.service mirrorprov-sync@fedora.timer \
		>"$LOGS/verify2.log" 2>&1 && ! [ -s "$LOGS/verify2.log" ]; then
		say "   systemd-analyze verify with layout's drop-ins: clean"
	else
		fail "systemd-analyze verify with drop-ins"; sed 's/^/   | /' "$LOGS/verify2.log"
	fi
fi

if [ ${#FAILED[@]} -gt 0 ]; then
	say "fresh-machine: FAILED: $(printf '%s; ' "${FAILED[@]}")"
	exit 1
fi
say "fresh-machine: all passed"
