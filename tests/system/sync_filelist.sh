#!/bin/bash
# sync, method filelist, against a real rsync daemon on 127.0.0.1 serving a
# fake "buffet" master module with two modules (fedora, epel) whose
# fullfiletimelist-* are written by tests/fixtures/mkfilelist.py (the format of
# Fedora's create-filelist).  What the daemon sent is read from its transfer log.
. "$(dirname "$0")/../lib.sh"
need_root "file-list sync system test"
. "$TOP/tests/fixtures/upstream.sh"

tmp=$(mktemp -d)
DPID= SPID=
cleanup() {
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
	[ -n "$DPID" ] && kill "$DPID" 2>/dev/null && wait "$DPID" 2>/dev/null
	mirror_user_del
	rm -rf "$tmp"
}
trap cleanup EXIT
chmod 755 "$tmp"   # rsync runs as mirror.user, a user of this run
mirror_user_add "$tmp" || { t_fail "mirror user"; t_done; }
up=$tmp/up root=$tmp/root log=$tmp/rsyncd.log
mkdir -p "$up/fedora/linux/releases/40/Packages" "$up/fedora/linux/updates/40/repodata" "$up/epel/9/Packages" "$root"
export STATE_DIRECTORY=$tmp/state MIRRORPROV_PROFILE_DIR=$tmp/profiles
for i in $(seq 1 30); do
	head -c $((1000 + i)) /dev/urandom >"$up/fedora/linux/releases/40/Packages/pkg-$i.rpm"
	head -c $((500 + i)) /dev/urandom >"$up/epel/9/Packages/e-$i.rpm"
done
echo '<repomd/>' >"$up/fedora/linux/updates/40/repodata/repomd.xml"
ln -s releases/40 "$up/fedora/linux/current"
echo full >"$up/fedora/fullfilelist"; echo img >"$up/fedora/imagelist-fedora"
echo full >"$up/epel/fullfilelist"; echo img >"$up/epel/imagelist-epel"

lists() {   # regenerate both modules' lists (create-filelist -s: the lists leave themselves out)
	local m
	for m in fedora epel; do
		python3 "$TOP/tests/fixtures/mkfilelist.py" "$up/$m" "$up/$m/fullfiletimelist-$m" \
			--skip fullfilelist --skip "imagelist-$m" --checksum repomd.xml \
			--digest SHA1 --digest MD5 --digest SHA256 --digest SHA512 "$@"
	done
}
lists

port=$(free_port)
cat >"$tmp/rsyncd.conf" <<EOF
use chroot = no
uid = root
gid = root
read only = yes
transfer logging = yes
log format = SENT %f %l
log file = $log
[buffet]
	path = $up
EOF
rsync --daemon --no-detach --address=127.0.0.1 --port="$port" --config="$tmp/rsyncd.conf" &
DPID=$!
wait_port "$port" && t_ok "upstream rsync daemon" || { t_fail "upstream rsync daemon"; t_done; }

mkdir "$tmp/profiles"
profile() {   # profile NAME [EXTRA RSYNC OPTION]
	cat >"$tmp/profiles/$1.conf" <<EOF
description = "Test $1";
upstream = [ "rsync://127.0.0.1:$port/buffet/$1/" ];
module = "$1";
directory = "$1";
method = "filelist";
filelist = "fullfiletimelist-$1";
filelist_extra = [ "fullfilelist", "imagelist-$1" ];
rsync_options = [ "-aSH", "--filter=R .~tmp~", "--delete-delay", "--delay-updates"${2:+, \"$2\"} ];
schedule = "hourly";
size = "1G";
pull = "public";
unverified = [ "upstream", "pull", "method", "rsync_options", "schedule", "size" ];
EOF
}
profile fedora; profile epel
cat >"$tmp/host.conf" <<EOF
mirror: { root = "$root"; user = "$MUSER"; profiles = [ "fedora", "epel" ]; };
EOF
S=("$MP" sync -c "$tmp/host.conf")
sent() { grep -o 'SENT [^ ]*' "$log" | sed 's/^SENT //' | sort; }
tree() { (cd "$root" && find . -printf '%p %y %s %i %T@\n' | sort); }
same_tree() { diff -r --no-dereference "$up/$1" "$root/$1" >/dev/null; }

# --- first sync of an empty mirror ---------------------------------------------------
out=$("${S[@]}" epel 2>&1); rc=$?
[ $rc = 0 ] && same_tree fedora && same_tree epel && t_ok "first sync: both modules, one run (named: epel)" ||
	t_fail "first sync" "rc=$rc" "$out" "$(diff -r "$up" "$root" | head)"
case $out in "epel,fedora: complete: 61 files"*) t_ok "first sync: one-line summary";; *) t_fail "first sync summary" "$out";; esac
[ "$(readlink "$root/fedora/linux/current")" = releases/40 ] && t_ok "symlink kept" || t_fail "symlink kept"
# (the *-from lists rsync reads are written by the sync itself, as root here)
others=$(find "$root/fedora" "$root/epel" "$STATE_DIRECTORY/filelist" ! -user "$MUSER" ! -name '*-from*' | head -3)
[ -z "$others" ] && t_ok "tree, lists and state belong to mirror.user (rsync ran as it)" || t_fail "owned by mirror.user" "$others"

rec=$STATE_DIRECTORY/filelist/$(sed 's|^/||; s|/|-|g' <<<"$root")/last-run
grep -q '^start=' "$rec" && grep -q '^transfer_files=61$' "$rec" &&
	t_ok "last-run record holds counts" || t_fail "last-run record" "$(ls -R "$STATE_DIRECTORY")"

# --- an unchanged upstream: the lists only -------------------------------------------
: >"$log"
out=$("${S[@]}" fedora 2>&1); rc=$?
case "$rc $out" in "0 epel,fedora: upstream unchanged"*|"0 fedora,epel: upstream unchanged"*) t_ok "unchanged lists: upstream unchanged";;
	*) t_fail "unchanged lists" "rc=$rc" "$out";; esac
extra=$(sent | grep -v '/fullfiletimelist-')
[ -z "$extra" ] && t_ok "unchanged upstream: the daemon sent nothing but lists" || t_fail "unchanged: nothing but lists" "$extra"

# --- a change of one file --------------------------------------------------------------
# Entries newer than the last run's start minus quick-fedora-mirror's 5 s margin
# are transferred again (rsync skips them when equal): let the first ones age.
sleep 6
head -c 4000 /dev/urandom >"$up/fedora/linux/releases/40/Packages/pkg-7.rpm"
lists
: >"$log"
out=$("${S[@]}" fedora 2>&1); rc=$?
got=$(sent | grep -v -e '/fullfiletimelist-' -e '/fullfilelist$' -e '/imagelist-' -e '/$')
[ $rc = 0 ] && same_tree fedora && [ "$got" = "fedora/linux/releases/40/Packages/pkg-7.rpm" ] &&
	t_ok "one changed file: only it is transferred" || t_fail "one changed file" "rc=$rc" "$out" "sent: $got"

# --- sync -n / -J: counts and first entries, no transfer --------------------------------
sleep 1
head -c 3000 /dev/urandom >"$up/epel/9/Packages/e-3.rpm"
lists
before=$(tree)
out=$("${S[@]}" -n fedora 2>&1); rc=$?
case $out in *"epel: "*"transfer 1 files"*"transfer 9/Packages/e-3.rpm"*) t_ok "dry run: counts and first entries";;
	*) t_fail "dry run output" "rc=$rc" "$out";; esac
json=$("${S[@]}" -n -J fedora 2>/dev/null)
echo "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
m = {x["profile"]: x for x in d["modules"]}
assert d["dry_run"] and not d["complete"], d
assert m["epel"]["transfer"]["files"] == 1 and m["epel"]["transfer"]["first"] == ["9/Packages/e-3.rpm"], m["epel"]
assert m["epel"]["delete"]["files"] == 0' && t_ok "dry run -J: JSON plan" || t_fail "dry run -J" "$json"
[ "$before" = "$(tree)" ] && t_ok "dry run changes nothing" || t_fail "dry run changes nothing"

# --- a new hard link between two modules arrives as a hard link ------------------------
sleep 1
ln "$up/fedora/linux/releases/40/Packages/pkg-9.rpm" "$up/epel/9/Packages/shared.rpm"
lists
out=$("${S[@]}" fedora 2>&1); rc=$?
[ $rc = 0 ] && [ "$(stat -c %i "$root/fedora/linux/releases/40/Packages/pkg-9.rpm")" = "$(stat -c %i "$root/epel/9/Packages/shared.rpm")" ] &&
	t_ok "new hard link between modules arrives as a hard link" || t_fail "hard link between modules" "rc=$rc" "$out"

# --- a file removed upstream is removed locally after the transfer ----------------------
sleep 1
rm "$up/fedora/linux/releases/40/Packages/pkg-2.rpm"
rm -r "$up/fedora/linux/updates/40/repodata"
lists
out=$("${S[@]}" fedora 2>&1); rc=$?
[ $rc = 0 ] && [ ! -e "$root/fedora/linux/releases/40/Packages/pkg-2.rpm" ] && [ ! -e "$root/fedora/linux/updates/40/repodata" ] &&
	same_tree fedora && t_ok "files and directories removed upstream are removed" || t_fail "removal" "rc=$rc" "$out"
mkdir -p "$up/fedora/linux/updates/40/repodata"; echo '<repomd/>' >"$up/fedora/linux/updates/40/repodata/repomd.xml"
lists; "${S[@]}" fedora >/dev/null 2>&1

# --- a truncated list changes nothing ---------------------------------------------------
sleep 1
head -c 2222 /dev/urandom >"$up/fedora/linux/releases/40/Packages/pkg-8.rpm"
rm "$up/fedora/linux/releases/40/Packages/pkg-5.rpm"
lists --no-end
before=$(tree); blist=$(md5sum <"$root/fedora/fullfiletimelist-fedora")
t_error "a list without [End] is refused" 1 "no [End]: the list is truncated" "${S[@]}" fedora
[ "$before" = "$(tree)" ] && [ "$blist" = "$(md5sum <"$root/fedora/fullfiletimelist-fedora")" ] &&
	t_ok "truncated list: nothing changed" || t_fail "truncated list: nothing changed"

# --- a list that would delete 50 % is refused --------------------------------------------
lists
mkdir -p "$tmp/moved"; mv "$up"/epel/9/Packages/e-1[0-9].rpm "$up"/epel/9/Packages/e-2*.rpm "$tmp/moved/"
lists
before=$(tree)
t_refused "a list deleting ~60 % of a module is refused" "the list looks truncated" "${S[@]}" fedora
[ "$before" = "$(tree)" ] && t_ok "refused list: nothing changed (no transfer either)" || t_fail "refused: nothing changed"
mv "$tmp/moved/"* "$up/epel/9/Packages/"; lists
out=$("${S[@]}" fedora 2>&1); rc=$?
[ $rc = 0 ] && same_tree fedora && same_tree epel && t_ok "after the refusals a good list syncs" || t_fail "good list after refusals" "rc=$rc" "$out"

# --- a corrupted local copy with the same size and time is fetched again ---------------
f=$root/fedora/linux/updates/40/repodata/repomd.xml
t=$(stat -c %Y "$f"); echo '<REPOMD/>' >"$f"; touch -d "@$t" "$f"
sleep 1; echo new >"$up/fedora/linux/releases/40/Packages/new.rpm"; lists
json=$("${S[@]}" -J fedora 2>/dev/null); rc=$?
[ $rc = 0 ] && cmp -s "$f" "$up/fedora/linux/updates/40/repodata/repomd.xml" &&
	[ "$(echo "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["refetched"])')" = 1 ] &&
	t_ok "checksum mismatch (SHA512 trusted) is fetched again" || t_fail "checksum refetch" "rc=$rc" "$json"

# --- an interrupted transfer is completed by the next run --------------------------------
sleep 1
head -c $((6 * 1024 * 1024)) /dev/urandom >"$up/epel/9/Packages/big.rpm"
lists
profile epel --bwlimit=1m; profile fedora --bwlimit=1m
"${S[@]}" epel >"$tmp/int.out" 2>&1 &
SPID=$!
rpid=
for _ in $(seq 100); do
	rpid=$(pgrep -P "$SPID" -x rsync | head -1)
	[ -n "$rpid" ] && grep -q 'transfer-from' "/proc/$rpid/cmdline" 2>/dev/null && break
	rpid=; sleep 0.1
done
sleep 1
[ -n "$rpid" ] && kill -KILL "$rpid"
wait "$SPID"; rc=$?; SPID=
[ -n "$rpid" ] && [ $rc = 1 ] && ! cmp -s "$up/epel/9/Packages/big.rpm" "$root/epel/9/Packages/big.rpm" &&
	t_ok "killed transfer: the run fails, the file is incomplete" || t_fail "killed transfer" "rpid=$rpid rc=$rc" "$(cat "$tmp/int.out")"
profile epel; profile fedora
out=$("${S[@]}" epel 2>&1); rc=$?
[ $rc = 0 ] && same_tree epel && t_ok "the next run completes the interrupted transfer" || t_fail "next run completes" "rc=$rc" "$out"

# --- list format version and a hostile list ----------------------------------------------
sleep 1; echo x >"$up/epel/9/Packages/v.rpm"
lists --version 4
t_error "a list of format version 4 is refused" 1 "version 4 is newer" "${S[@]}" fedora
lists
printf '1700000000\tf\t5\t../../etc/passwd\n' >"$tmp/evil"
sed -i "/^\[Files\]/r $tmp/evil" "$up/fedora/fullfiletimelist-fedora"
before=$(tree)
t_error "a list with '..' is refused" 1 "'.' or '..' in path" "${S[@]}" fedora
[ "$before" = "$(tree)" ] && t_ok "hostile list: nothing changed" || t_fail "hostile list: nothing changed"

# --- a hostile list: a link, then a path through it (evil -> OUTSIDE, evil/passwd) --------
# OUTSIDE is the mirror user's (as its ~/.ssh would be): rsync runs as that user.
lists
mkdir -p "$tmp/outside" && echo original >"$tmp/outside/passwd" && chown -R "$MUSER" "$tmp/outside"
ino=$(stat -c %i "$tmp/outside/passwd")
ln -s "$tmp/outside" "$up/fedora/evil"
sleep 1; lists
printf '%s\tf\t9\tevil/passwd\n' "$(date +%s)" >"$tmp/evil"
sed -i "/^\[Files\]/r $tmp/evil" "$up/fedora/fullfiletimelist-fedora"
# (the daemon will not send a path through a link: rsync exits 23, retried until the timeout)
out=$("${S[@]}" fedora --timeout 20s 2>&1); rc=$?
[ "$(cat "$tmp/outside/passwd")" = original ] && [ "$(stat -c %i "$tmp/outside/passwd")" = "$ino" ] &&
	[ ! -L "$root/fedora/evil" ] && t_ok "a path through a listed link never leaves the tree (--safe-links, no link followed)" ||
	t_fail "path through a listed link" "rc=$rc" "$out" "$(ls -la "$root/fedora" "$tmp/outside")"
# the planted local link: a delete set through a symlinked directory deletes nothing outside
rm -f "$up/fedora/evil"; rm -rf "$root/fedora/evil"; ln -s "$tmp/outside" "$root/fedora/evil"
sleep 1; echo new >"$up/fedora/linux/new.rpm"; lists
out=$("${S[@]}" fedora 2>&1); rc=$?
[ -e "$tmp/outside/passwd" ] && [ ! -e "$root/fedora/evil" ] && t_ok "a local link the list no longer holds is removed, never followed" ||
	t_fail "delete through a link" "rc=$rc" "$out"
# a FIFO where the list gives a checksum: the verification (as root) does not wait for ever
rm -f "$root/fedora/linux/updates/40/repodata/repomd.xml" && mkfifo "$root/fedora/linux/updates/40/repodata/repomd.xml"
chown -h "$MUSER" "$root/fedora/linux/updates/40/repodata/repomd.xml"
out=$(timeout 120 "${S[@]}" fedora --full 2>&1); rc=$?
[ $rc != 124 ] && t_ok "a FIFO where the list gives a checksum does not hold the run (rc=$rc)" || t_fail "FIFO in the tree" "$out"
rm -f "$root/fedora/linux/updates/40/repodata/repomd.xml"
out=$("${S[@]}" fedora --full 2>&1); rc=$?
[ $rc = 0 ] && same_tree fedora && t_ok "--full: the file-list run plans every module again and repairs the tree" || t_fail "--full repairs" "rc=$rc" "$out"

# --- each module's run in the history; --full forces the file-list method ----------------
python3 - "$STATE_DIRECTORY/history.jsonl" <<'PY' && t_ok "history: a record per module and run, poll verdict, files, tree size" || t_fail "filelist history" "$(tail -4 "$STATE_DIRECTORY/history.jsonl")"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
syncs = [r for r in recs if r["type"] == "sync"]
assert {r["profile"] for r in syncs} == {"fedora", "epel"}, syncs
last = {r["profile"]: r for r in syncs}
assert last["fedora"]["poll"] == "forced" and last["fedora"]["result"] == "ok" and last["fedora"]["tree_bytes"] > 30000, last
assert any(r["poll"] == "unchanged" and r["result"] == "ok" and "tree_bytes" not in r for r in syncs), syncs
assert any(r["result"] != "ok" and r.get("message") for r in syncs), syncs
PY

# --- the MirrorManager checkin of a private host after a sync that changed something --------
PIDS=()
SECRET=s3cr3t-$$
printf '%s\n' "$SECRET" >"$tmp/secret"; chmod 600 "$tmp/secret"
cat >"$tmp/db.json" <<JSON
{"sites": [{"name": "Test Site", "password": "$SECRET",
  "hosts": [{"name": "mirror.test", "private": true,
             "categories": {"Fedora Linux": {"dirs": ["", "releases", "releases/40"]}}}]}]}
JSON
start_standin "$tmp/mm.port" python3 "$TOP/tests/standins/mm_xmlrpc.py" "$tmp/mm.port" "$tmp/db.json" "$tmp/mm.record"
MMPID=${PIDS[0]:-}
sed -i 's|^size = "1G";|size = "1G";\nbackend = { type = "mirrormanager"; };\ncategories = ( { name = "Fedora Linux"; path = "linux"; } );|; s|^unverified = \[|unverified = [ "backend", "categories",|' \
	"$tmp/profiles/fedora.conf"
cat >"$tmp/private.conf" <<EOF
host: { name = "mirror.test"; site = "Test Site"; admin_email = "admin@mirror.test"; country = "DE";
  bandwidth_mbit = 1000; private = true; urls: { http = "http://mirror.test/"; }; };
mirror: { root = "$root"; user = "$MUSER"; profiles = [ "fedora", "epel" ]; };
backend: { type = "mirrormanager"; url = "http://127.0.0.1:$PORT/xmlrpc"; password_file = "$tmp/secret"; };
EOF
sleep 1; echo newer >"$up/fedora/linux/releases/40/Packages/checkin.rpm"; lists
out=$("$MP" sync -c "$tmp/private.conf" epel 2>&1); rc=$?
[ $rc = 0 ] && grep -qi 'fedora linux' "$tmp/mm.record" 2>/dev/null && grep -q 'releases/40' "$tmp/mm.record" &&
	t_ok "private host: MirrorManager checkin of the changed module after the sync" ||
	t_fail "checkin after sync" "rc=$rc" "$out" "$(head -c 400 "$tmp/mm.record" 2>/dev/null)"
: >"$tmp/mm.record"
out=$("$MP" sync -c "$tmp/private.conf" epel 2>&1); rc=$?
[ $rc = 0 ] && [ ! -s "$tmp/mm.record" ] && t_ok "unchanged upstream: no checkin" || t_fail "unchanged: no checkin" "rc=$rc" "$out"
# only named instances (backends): the instance that registers fedora checks in
sed -e 's|^backend: {|backends: { fedora-mm: {|; s|"; };$|"; }; };\nprofile: { fedora: { backend = "fedora-mm"; }; };|' \
	"$tmp/private.conf" >"$tmp/instances.conf"
sleep 1; echo newest >"$up/fedora/linux/releases/40/Packages/checkin.rpm"; lists
out=$("$MP" sync -c "$tmp/instances.conf" epel 2>&1); rc=$?
[ $rc = 0 ] && grep -qi 'fedora linux' "$tmp/mm.record" 2>/dev/null &&
	t_ok "backends only: the instance registering fedora checks in after the sync" ||
	t_fail "backends only: checkin after sync" "rc=$rc" "$out" "$(cat "$tmp/instances.conf")"
[ -n "$MMPID" ] && kill "$MMPID" 2>/dev/null && wait "$MMPID" 2>/dev/null

t_done
