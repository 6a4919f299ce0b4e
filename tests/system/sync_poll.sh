#!/bin/bash
# Poll before pulling, and the upstream rules of the real profiles, against a
# real rsync daemon on 127.0.0.1 whose transfer log shows every file it sends:
#  - a profile whose project allows no default upstream (Arch, Fedora, Debian)
#    is refused with exit 2 naming the host.conf key, by sync and layout;
#  - Arch: lastsync arrives from upstream byte for byte (never written here);
#    with lastupdate unchanged a second sync transfers nothing but the markers
#    (lastupdate, polled, and lastsync, copied as syncrepo does), and says so;
#    a changed lastupdate runs in full; --full forces a run;
#  - Debian: ftpsync-cron's rule: while upstream's project/trace/HOST is
#    unchanged, ftpsync is not run.
. "$(dirname "$0")/../lib.sh"
need_root "sync poll system test"
. "$TOP/tests/fixtures/upstream.sh"

tmp=$(mktemp -d)
chmod 755 "$tmp"   # the sync drops to the mirror user
cleanup() { upstream_stop; mirror_user_del; rm -rf "$tmp"; }
trap cleanup EXIT
mirror_user_add "$tmp" || { t_fail "mirror user"; t_done; }
export MIRRORPROV_PROFILE_DIR=$TOP/profiles STATE_DIRECTORY=$tmp/state
up=$tmp/up root=$tmp/root log=$tmp/upstream-rsyncd.log
mkdir -p "$root"

# A tier-1-like Arch tree: lastupdate/lastsync as archlinux.org writes them, and
# /other, which a mirror leaves out.
mkdir -p "$up/archlinux/core/os/x86_64" "$up/archlinux/other"
echo 1764590000 >"$up/archlinux/lastupdate"
echo 1764590100 >"$up/archlinux/lastsync"
echo "core db" >"$up/archlinux/core/os/x86_64/core.db"
echo "pkg 1" >"$up/archlinux/core/os/x86_64/hello-1-1-x86_64.pkg.tar.zst"
echo "not mirrored" >"$up/archlinux/other/big.iso"
# A Debian site whose own trace (project/trace/127.0.0.1) ftpsync-cron compares.
cp -a "$TOP/tests/fixtures/upstream/debian" "$up/debian"
printf 'Mon Dec  1 10:00:00 UTC 2026\nArchive serial: 2026120101\n' >"$up/debian/project/trace/127.0.0.1"

upstream_start "$tmp" "$up" && t_ok "upstream rsync daemon on 127.0.0.1:$UPSTREAM_PORT" || { t_fail "upstream"; t_done; }
U=rsync://127.0.0.1:$UPSTREAM_PORT
base() {
	cat <<EOF
host: { name = "mirror.test"; site = "Test"; admin_email = "admin@mirror.test"; country = "DE";
  bandwidth_mbit = 1000; urls: { http = "http://mirror.test/"; }; };
mirror: { root = "$root"; user = "$MUSER"; profiles = [ "archlinux", "debian" ]; };
EOF
}
base >"$tmp/none.conf"
{ base; echo "profile: { archlinux: { upstream = \"$U/archlinux/\"; }; debian: { upstream = \"$U/debian/\"; }; };"; } >"$tmp/host.conf"

# --- no permitted default, no override: refused before anything happens -------------
t_error "sync archlinux without profile.archlinux.upstream: exit 2" 2 \
	"set profile.archlinux.upstream in the host configuration (mirrors to pull from: https://archlinux.org/mirrors/tier/1/)" \
	"$MP" sync -c "$tmp/none.conf" archlinux
t_error "sync debian without profile.debian.upstream: exit 2" 2 "asks for a real site, not a DNS rotation; set profile.debian.upstream" \
	"$MP" sync -c "$tmp/none.conf" debian
t_error "layout refuses to plan without the upstream" 2 "profile.archlinux.upstream" \
	"$MP" layout -c "$tmp/none.conf" --prefix "$tmp/prefix" -n
[ ! -e "$root/archlinux" ] && [ ! -e "$tmp/state" ] && t_ok "a refusal changes nothing" || t_fail "a refusal changes nothing"
out=$("$MP" sync -c "$tmp/none.conf" --upstream "$U/archlinux/" -n archlinux 2>&1)
grep -q -- "--relative .*$U/archlinux/./lastupdate $U/archlinux/./lastsync $tmp/state/sync/archlinux/poll.new/" <<<"$out" &&
	t_ok "sync -n shows the poll (lastupdate, lastsync) before the run" || t_fail "sync -n poll" "$out"

# --- Arch -------------------------------------------------------------------------------
S=("$MP" sync -c "$tmp/host.conf")
out=$("${S[@]}" archlinux 2>&1); rc=$?
[ $rc = 0 ] && t_ok "first sync of archlinux" || t_fail "first sync of archlinux" "rc=$rc" "$out"
cmp -s "$up/archlinux/lastsync" "$root/archlinux/lastsync" && cmp -s "$up/archlinux/lastupdate" "$root/archlinux/lastupdate" &&
	t_ok "lastsync and lastupdate arrive from upstream byte for byte" || t_fail "lastsync from upstream"
[ -f "$root/archlinux/core/os/x86_64/hello-1-1-x86_64.pkg.tar.zst" ] && [ ! -e "$root/archlinux/other" ] &&
	t_ok "the tree arrives, /other stays upstream" || t_fail "arch tree"
cmp -s "$up/archlinux/lastupdate" "$tmp/state/sync/archlinux/poll/lastupdate" &&
	t_ok "the polled marker is kept in the state directory after success" || t_fail "marker kept"
[ "$(stat -c %U "$tmp/state/sync/archlinux/poll/lastupdate")" = "$MUSER" ] &&
	t_ok "the marker was fetched as the mirror user" || t_fail "marker fetched as the mirror user" "$(ls -ln "$tmp/state/sync/archlinux/poll")"

# Upstream synced again from tier 0 without changes: a new lastsync, the same lastupdate.
echo 1764593700 >"$up/archlinux/lastsync"
: >"$log"
out=$("${S[@]}" archlinux 2>&1); rc=$?
[ $rc = 0 ] && grep -q "^archlinux: upstream unchanged since .* UTC (last successful sync); nothing to do (--full forces a run)$" <<<"$out" &&
	t_ok "unchanged lastupdate: skipped, exit 0" || t_fail "unchanged lastupdate skipped" "rc=$rc" "$out"
sent=$(grep -o 'send [^ ]* \[[^]]*\] archlinux ([0-9]*) [^ ]*' "$log" | awk '{print $NF}' | sort | tr '\n' ' ')
[ "$sent" = "lastsync lastupdate " ] && [ "$(grep -c ' send ' "$log")" = 2 ] &&
	t_ok "the upstream sent nothing but lastupdate and lastsync (transfer log)" || t_fail "only the markers sent" "$sent" "$(cat "$log")"
cmp -s "$up/archlinux/lastsync" "$root/archlinux/lastsync" && [ "$(stat -c %U "$root/archlinux/lastsync")" = "$MUSER" ] &&
	t_ok "a skipped run still copies upstream's new lastsync (as syncrepo does), as the mirror user" || t_fail "lastsync refreshed"
grep -q '^[0-9]* unchanged$' "$tmp/state/sync/archlinux/last-poll" && t_ok "the poll is recorded" || t_fail "poll recorded"
out=$("${S[@]}" archlinux -J 2>/dev/null)
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["skipped"] and d["poll"]=="unchanged" and d["complete"] and d["unchanged_since"]>0' \
	<<<"$out" && t_ok "-J: skipped, poll unchanged" || t_fail "-J skipped" "$out"

# A new package upstream: lastupdate changes, the full run brings it.
echo "pkg 2" >"$up/archlinux/core/os/x86_64/hello-2-1-x86_64.pkg.tar.zst"
echo 1764597300 >"$up/archlinux/lastupdate"
# its own time: within the second of the first write, rsync's quick check
# (same size, same mtime) would keep the old copy
touch -d @1764597300 "$up/archlinux/lastupdate"
: >"$log"
out=$("${S[@]}" archlinux 2>&1); rc=$?
[ $rc = 0 ] && [ -f "$root/archlinux/core/os/x86_64/hello-2-1-x86_64.pkg.tar.zst" ] &&
	cmp -s "$up/archlinux/lastupdate" "$root/archlinux/lastupdate" && grep -q "send .*hello-2-1" "$log" &&
	t_ok "changed lastupdate: full run" || t_fail "changed lastupdate: full run" "$out"
out=$("${S[@]}" archlinux --full -J 2>/dev/null)
python3 -c 'import json,sys; d=json.load(sys.stdin); assert not d["skipped"] and d["poll"]=="forced" and d["complete"]' \
	<<<"$out" && t_ok "--full runs although upstream is unchanged" || t_fail "--full" "$out"

# A failed run forgets the kept markers: the next run is full, not skipped.
out=$("${S[@]}" archlinux --upstream "$U/nosuch/" 2>&1)
[ ! -e "$tmp/state/sync/archlinux/poll" ] && t_ok "a failed run forgets the kept markers" || t_fail "failed run forgets" "$out"
out=$("${S[@]}" archlinux 2>&1)
grep -q "archlinux: complete" <<<"$out" && t_ok "after a failure the next run is full" || t_fail "full after failure" "$out"

# --- Debian: ftpsync-cron's rule --------------------------------------------------------
out=$("${S[@]}" debian 2>&1); rc=$?
[ $rc = 0 ] && [ -f "$root/debian/project/trace/mirror.test" ] && [ -f "$tmp/home/.config/ftpsync/ftpsync.conf" ] &&
	t_ok "first sync of debian (ftpsync, ftpsync.conf)" || t_fail "first debian sync" "rc=$rc" "$out"
stamp=$(stat -c %Y.%s "$root/debian/project/trace/mirror.test")
sleep 1.1
: >"$log"
out=$("${S[@]}" debian 2>&1); rc=$?
[ $rc = 0 ] && grep -q "^debian: upstream unchanged since" <<<"$out" &&
	[ "$(stat -c %Y.%s "$root/debian/project/trace/mirror.test")" = "$stamp" ] &&
	t_ok "unchanged upstream trace: ftpsync not run" || t_fail "debian unchanged trace skips" "rc=$rc" "$out"
sent=$(grep -c ' send ' "$log")
grep -q 'send .*project/trace/127.0.0.1' "$log" && [ "$sent" = 1 ] &&
	t_ok "the upstream sent only its trace file" || t_fail "debian: only the trace sent" "$(cat "$log")"
printf 'Mon Dec  1 16:00:00 UTC 2026\nArchive serial: 2026120102\n' >"$up/debian/project/trace/127.0.0.1"
out=$("${S[@]}" debian 2>&1); rc=$?
[ $rc = 0 ] && grep -q "debian: complete" <<<"$out" && [ "$(stat -c %Y.%s "$root/debian/project/trace/mirror.test")" != "$stamp" ] &&
	t_ok "a new upstream trace: ftpsync runs" || t_fail "debian changed trace runs" "rc=$rc" "$out"
# The state directory is the mirror user's: what the user plants there (a link
# in place of last-poll, of a kept marker) leads nowhere a sync as root writes,
# deletes or reads.
st=$tmp/state/sync/archlinux
echo victim >"$tmp/victim" && chmod 644 "$tmp/victim"
mkdir -p "$tmp/victim-dir" && echo keep >"$tmp/victim-dir/keep"
ln -sfn "$tmp/victim" "$st/last-poll" && chown -h "$MUSER:" "$st/last-poll"
rm -rf "$st/poll" && ln -s "$tmp/victim-dir" "$st/poll" && chown -h "$MUSER:" "$st/poll"
"${S[@]}" archlinux >/dev/null 2>&1
[ "$(cat "$tmp/victim")" = victim ] && [ "$(stat -c %U "$tmp/victim")" = root ] &&
	t_ok "a link planted as last-poll: root's sync does not write through it" || t_fail "last-poll link followed" "$(ls -l "$tmp/victim"; cat "$tmp/victim")"
[ -f "$tmp/victim-dir/keep" ] && [ "$(stat -c %U "$tmp/victim-dir")" = root ] &&
	t_ok "a link planted as the kept markers: nothing behind it removed or chowned" || t_fail "poll link followed" "$(ls -la "$tmp/victim-dir")"
t_done
