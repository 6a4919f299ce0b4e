#!/bin/bash
# `mirrorprov layout --prefix` (no root needed) and `mirrorprov sync -n`: the
# generated files against golden copies (temp paths replaced by @TMP@), the
# plan/diff output, and input errors.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
export MIRRORPROV_PROFILE_DIR=profiles
tmp=$(mktemp -d)
export STATE_DIRECTORY=$tmp/state   # file-list syncs keep their lists there
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/host.conf" <<EOF
host: { name = "mirror.example.edu"; site = "Example"; admin_email = "admin@example.edu"; country = "DE";
  bandwidth_mbit = 10000; max_connections = 50; urls: { https = "https://mirror.example.edu/"; }; };
mirror: { root = "$tmp/root"; profiles = [ "fedora", "epel", "rpmfusion", "debian", "ubuntu" ];
  tls_certificate = "/etc/ssl/mirror.pem"; tls_key = "/etc/ssl/mirror.key"; };
profile: {
  fedora: { upstream = "rsync://tier1.example.net/fedora-enchilada/"; };
  epel:   { upstream = "rsync://tier1.example.net/fedora-epel/"; };
  debian: { upstream = "rsync://debian.example.net/debian/"; };
};
EOF
L=("$MP" layout -c "$tmp/host.conf" --prefix "$tmp/p" --binary /usr/sbin/mirrorprov)
# run CMD...: stdout with the temp directory replaced by @TMP@, stderr dropped.
run() { "$@" 2>/dev/null | sed "s|$tmp|@TMP@|g"; return "${PIPESTATUS[0]}"; }

t_golden "layout -n on an empty prefix" layout/plan-empty.txt 0 run "${L[@]}" -n
[ ! -e "$tmp/p" ] && [ ! -e "$tmp/root" ] && t_ok "layout -n writes nothing" || t_fail "layout -n writes nothing"
t_golden "layout applies" layout/apply.txt 0 run "${L[@]}"
for f in etc/rsyncd.conf etc/mirrorprov/rsyncd.motd etc/nginx/sites-available/mirrorprov \
	etc/systemd/system/mirrorprov-sync@fedora.service.d/layout.conf \
	etc/systemd/system/mirrorprov-sync@fedora.timer.d/schedule.conf \
	etc/systemd/system/mirrorprov-sync@ubuntu.timer.d/schedule.conf; do
	g=$(basename "$f")
	[[ $f == *.d/* ]] && g=$(basename "$(dirname "$f")" .d).$g   # UNIT.DROPIN
	t_golden "generated $f" "layout/$g" 0 run cat "$tmp/p/$f"
done
ls "$tmp/p/etc/systemd/system" | grep -qv '^mirrorprov-sync@[a-z-]*\.\(service\|timer\)\.d$' &&
	t_fail "layout writes only drop-ins of the installed templates" "$(ls "$tmp/p/etc/systemd/system")" ||
	t_ok "layout writes only drop-ins of the installed templates"
t_golden "layout again: no changes" layout/no-changes.txt 0 "${L[@]}"
t_golden "layout -n -J" layout/plan.json 0 run "${L[@]}" -n -J
"${L[@]}" --profile fedora >/dev/null 2>&1
grep -q '^\[epel\]' "$tmp/p/etc/rsyncd.conf" && t_fail "--profile narrows the modules" ||
	t_ok "--profile narrows the modules"

# Without a host configuration: --root and --profile are enough.
out=$("$MP" layout --root "$tmp/r2" --profile ubuntu --prefix "$tmp/p2" 2>&1)
grep -q 'ExecStart=.* sync --root '"$tmp"'/r2 ubuntu$' "$tmp/p2/etc/systemd/system/mirrorprov-sync@ubuntu.service.d/layout.conf" &&
	! grep -q ssl "$tmp/p2/etc/nginx/sites-available/mirrorprov" &&
	t_ok "layout with --root only: HTTP only, units pass --root" || t_fail "layout with --root only" "$out"

# Debian asks that debian-security not be mirrored: the plan says so.
printf 'mirror: { root = "%s/r3"; };\nprofile: { debian-security: { upstream = "rsync://debian.example.net/debian-security/"; }; };\n' \
	"$tmp" >"$tmp/ds.conf"
out=$("$MP" layout -c "$tmp/ds.conf" --profile debian-security --prefix "$tmp/p3" -n 2>&1)
grep -q "warning: debian-security: Debian recommends that debian-security not be mirrored" <<<"$out" &&
	grep -q "^debian-security pulls from rsync://debian.example.net/debian-security/ ($tmp/ds.conf profile.debian-security.upstream)$" <<<"$out" &&
	t_ok "the debian-security plan says Debian recommends not mirroring it" || t_fail "debian-security advice" "$out"

# A relative -c is resolved as every verb does: the units name the absolute file.
out=$(cd "$tmp" && MIRRORPROV_PROFILE_DIR=$TOP/profiles "$MP" layout -c host.conf --prefix "$tmp/p3" --binary /usr/sbin/mirrorprov 2>&1); rc=$?
[ $rc = 0 ] && grep -q "^ExecStart=/usr/sbin/mirrorprov sync -c $tmp/host.conf fedora$" \
	"$tmp/p3/etc/systemd/system/mirrorprov-sync@fedora.service.d/layout.conf" &&
	t_ok "layout -c RELATIVE: resolved, the units name the absolute path" || t_fail "layout -c RELATIVE" "rc=$rc" "$out"

# -n writes nothing: the commands name the default state directory (tests/lib.sh sets another)
SN=(env -u STATE_DIRECTORY "$MP" sync -c "$tmp/host.conf" -n)
t_golden "sync -n rocky" layout/sync-n-rocky.txt 0 run "${SN[@]}" rocky
t_golden "sync -n ubuntu (two stages)" layout/sync-n-ubuntu.txt 0 run "${SN[@]}" ubuntu \
	--upstream rsync://127.0.0.1:8873/debian
t_golden "sync -n debian (ftpsync)" layout/sync-n-debian.txt 0 run "${SN[@]}" debian

t_error "layout: --enable with --prefix" 2 "--enable starts the timers of this system; not with --prefix" \
	"${L[@]}" --enable

echo 'mirorr: { root = "/x"; };' >"$tmp/bad.conf"
t_error "layout: host.conf without mirror section" 2 "/dev/null: missing section 'mirror'" "$MP" layout -c /dev/null --profile fedora
t_error "layout: relative prefix" 2 "--prefix 'rel' must be an absolute path" "$MP" layout --root /srv/x --prefix rel
t_error "layout: relative root" 2 "--root 'srv' must be an absolute path" "$MP" layout --root srv --profile fedora
t_error "layout: unknown profile" 2 "unknown profile 'nosuch'" "${L[@]}" --profile fedora,nosuch
t_error "layout: broken host.conf" 2 "bad.conf:1: unknown key 'mirorr'" "$MP" layout -c "$tmp/bad.conf"
t_error "layout: missing host.conf" 2 "/nonexistent.conf: No such file" "$MP" layout -c /nonexistent.conf
t_error "layout: empty profile name" 2 "name '' is empty" "$MP" layout --root "$tmp/r3" --prefix "$tmp/p3" --profile ""
t_error "layout: stray argument" 2 "unexpected argument 'x'" "$MP" layout --root /srv x
t_error "sync: no name" 2 "no profile name given" "$MP" sync --root /srv
t_error "sync: two names" 2 "one profile name" "$MP" sync --root /srv fedora epel
t_error "sync: ftp upstream" 2 "ftp:// is not accepted" "$MP" sync --root /srv --upstream ftp://x/y/ fedora
t_error "sync: upstream without module" 2 "names no rsync module" "$MP" sync --root /srv --upstream rsync://x/ fedora
t_error "sync: bad timeout" 2 "--timeout '5 min' is not a duration" "$MP" sync --root /srv --timeout "5 min" fedora
t_error "sync: unknown profile" 2 "unknown profile 'nosuch'" "$MP" sync --root "$tmp/root" nosuch
t_error "sync: missing root is not created" 1 "does not exist (filesystem not mounted?)" \
	"$MP" sync --root "$tmp/unmounted" --upstream rsync://127.0.0.1:1/fedora/ fedora
[ ! -e "$tmp/unmounted" ] && t_ok "sync created nothing" || t_fail "sync created nothing"
# as root the sync runs as mirror.user: one of this run's own
if [ "$(id -u)" = 0 ]; then
	. "$TOP/tests/fixtures/upstream.sh"
	chmod 755 "$tmp"
	mirror_user_add "$tmp" && trap 'mirror_user_del; rm -rf "$tmp"' EXIT
fi
printf 'mirror: { root = "%s"; user = "%s"; };\n' "$tmp/root" "${MUSER:-$(id -un)}" >"$tmp/sync.conf"
t_error "sync: unreachable upstream" 1 "rsync exited with" "$MP" sync -c "$tmp/sync.conf" --timeout 5s \
	--upstream rsync://127.0.0.1:1/fedora/ fedora
t_done
