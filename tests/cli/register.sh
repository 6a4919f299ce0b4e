#!/bin/bash
# `mirrorprov register`: MirrorManager checkin against a stand-in XML-RPC server
# (tests/standins/mm_xmlrpc.py), mirrorbits/mb stand-ins that record their argv,
# a MirrorCache stand-in that records the request, and the printed documents
# (registration sheet, Debian stanza, AlmaLinux YAML) as golden outputs.
. "$(dirname "$0")/../lib.sh"
export MIRRORPROV_PROFILE_DIR=$TOP/profiles
T=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
SECRET=s3cret-Pw-$$


# a small Fedora tree: the category "Fedora Linux" is fedora/linux
mkdir -p "$T/pub/fedora/linux/releases/40/Everything/x86_64/os/Packages/a" \
	"$T/pub/fedora/linux/releases/40/Everything/x86_64/os/repodata" \
	"$T/pub/fedora/linux/updates/40/Everything/x86_64/repodata" \
	"$T/pub/fedora/linux/development/rawhide" "$T/pub/fedora/linux/.hidden-but-walked" \
	"$T/pub/debian/dists" "$T/pub/almalinux/9"
touch "$T/pub/fedora/linux/releases/40/Everything/x86_64/os/Packages/a/a-1.rpm"
printf '%s\n' "$SECRET" >"$T/secret"; chmod 600 "$T/secret"

cat >"$T/db.json" <<'JSON'
{"sites": [{"name": "Example University", "password": "SECRET",
  "hosts": [{"name": "mirror.example.edu", "private": true,
             "categories": {"Fedora Linux": {"dirs": ["", "releases", "releases/40", "updates"]}}},
            {"name": "public.example.edu", "private": false,
             "categories": {"Fedora Linux": {"dirs": [""]}}},
            {"name": "nocat.example.edu", "private": true, "categories": {}}]}]}
JSON
sed -i "s/SECRET/$SECRET/" "$T/db.json"
start_standin "$T/mm.port" python3 "$TOP/tests/standins/mm_xmlrpc.py" "$T/mm.port" "$T/db.json" "$T/mm.record"
MMPORT=$PORT

# conf FILE HOST PRIVATE TYPE [URL]: a host configuration
conf() {
	cat >"$1" <<CONF
host: {
  name = "$2"; site = "Example University"; site_url = "https://www.example.edu/";
  admin_email = "mirror-admin@example.edu"; country = "DE"; bandwidth_mbit = 10000;
  max_connections = 100; asn = 553; private = $3;
  urls: { http = "http://$2/"; https = "https://$2/"; rsync = "rsync://$2/"; };
  addresses = [ "192.0.2.10", "2001:db8::10" ];
  location = "Heidelberg, Baden-Wuerttemberg";
};
mirror: { root = "$T/pub"; profiles = [ "fedora", "debian", "almalinux" ]; };
backend: {
  type = "$4"; url = "${5:-http://127.0.0.1:$MMPORT/xmlrpc}"; password_file = "$T/secret";
  program = "$TOP/tests/standins/${6:-mirrorbits}"; rpc = "localhost:3390";
};
profile: { debian: { upstream = "rsync://debian.example.net/debian/"; };
  fedora: { upstream = "rsync://tier1.example.net/fedora-enchilada/"; }; };
CONF
}

# no_secret NAME FILE...: the password appears in none of the files
no_secret() {
	local name=$1; shift
	if grep -qF -- "$SECRET" "$@" 2>/dev/null; then t_fail "$name" "secret found in: $(grep -lF -- "$SECRET" "$@")"; else t_ok "$name"; fi
}

conf "$T/priv.conf" mirror.example.edu true mirrormanager
"$MP" register -c "$T/priv.conf" --skip-check >"$T/out" 2>"$T/err"; rc=$?
if [ $rc = 0 ] && grep -q "^Category Fedora Linux directories updated: 0  added: 4  deleted 0" "$T/out" &&
	grep -q "checked in successful" "$T/out"; then t_ok "checkin of a private host succeeds"
else t_fail "checkin of a private host succeeds" "rc=$rc" "$(cat "$T/out" "$T/err")"; fi
no_secret "checkin: no secret on stdout/stderr" "$T/out" "$T/err"
# the server got the dirtree os.walk builds, and the right sections
python3 - "$T/mm.record" "$T/pub/fedora/linux" "$SECRET" <<'PY' >"$T/cmp" 2>&1 && t_ok "checkin payload: dirtree and sections as report_mirror" || t_fail "checkin payload: dirtree and sections as report_mirror" "$(cat "$T/cmp")"
import json, os, sys
got = json.loads(open(sys.argv[1]).readlines()[-1])
top = sys.argv[2]
want = {os.path.relpath(d, top) if d != top else "": {} for d, _, _ in os.walk(top)}
assert got["version"] == 0, got["version"]
assert got["global"] == {"enabled": "1", "server": got["global"]["server"]}
assert got["site"] == {"enabled": "1", "name": "Example University", "password": sys.argv[3]}
assert got["host"] == {"enabled": "1", "name": "mirror.example.edu"}
assert set(got) == {"version", "global", "site", "host", "stats", "fedora linux"}, set(got)
assert got["fedora linux"]["enabled"] == "1"
assert got["fedora linux"]["dirtree"] == want, (sorted(got["fedora linux"]["dirtree"]), sorted(want))
PY
"$MP" register -c "$T/priv.conf" --skip-check -J >"$T/out" 2>"$T/err"; rc=$?
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is True and d["directories"] == 17 and "updated: 4" in d["reply"], d' "$T/out" 2>/dev/null &&
	[ $rc = 0 ] && t_ok "checkin -J" || t_fail "checkin -J" "rc=$rc" "$(cat "$T/out" "$T/err")"

"$MP" register -c "$T/priv.conf" --no-send >"$T/out" 2>"$T/err"; rc=$?
if [ $rc = 0 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["site"]["password"] == "********" and "releases/40" in d["fedora linux"]["dirtree"]' "$T/out"; then
	t_ok "--no-send prints the config object, password hidden"; else t_fail "--no-send prints the config object, password hidden" "rc=$rc" "$(head -c 600 "$T/out") $(cat "$T/err")"; fi
no_secret "--no-send: no secret" "$T/out" "$T/err"
n=$(wc -l <"$T/mm.record")
[ "$n" = 2 ] && t_ok "--no-send sends nothing" || t_fail "--no-send sends nothing" "$n checkins recorded"

printf 'wrong\n' >"$T/wrong"; chmod 600 "$T/wrong"
sed "s|$T/secret|$T/wrong|" "$T/priv.conf" >"$T/wrong.conf"
t_error "wrong password: MirrorManager's reply shown" 1 \
	"checkin refused by http://127.0.0.1:$MMPORT/xmlrpc: Config file site name or password incorrect." \
	"$MP" register -c "$T/wrong.conf" --skip-check

conf "$T/pub.conf" public.example.edu true mirrormanager
t_error "public host refused by checkin" 1 "Only private mirrors are allowed to use report_mirror." \
	"$MP" register -c "$T/pub.conf" --skip-check

conf "$T/nocat.conf" nocat.example.edu true mirrormanager
"$MP" register -c "$T/nocat.conf" --skip-check >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "category 'Fedora Linux' is not set up for this host" "$T/err" &&
	t_ok "unknown category: checkin succeeds, category reported, exit 1" ||
	t_fail "unknown category: checkin succeeds, category reported, exit 1" "rc=$rc" "$(cat "$T/out" "$T/err")"

conf "$T/down.conf" mirror.example.edu true mirrormanager "http://127.0.0.1:1/xmlrpc"
t_error "server down" 1 "checkin: http://127.0.0.1:1/xmlrpc:" "$MP" register -c "$T/down.conf" --skip-check

before=$(wc -l <"$T/mm.record")
chmod 644 "$T/secret"
t_error "readable password file refused" 2 "may be read by group or others" "$MP" register -c "$T/priv.conf" --skip-check
chmod 600 "$T/secret"
n=$(wc -l <"$T/mm.record")
[ "$n" = "$before" ] && t_ok "refused password file: nothing sent" || t_fail "refused password file: nothing sent" "$n checkins recorded, $before before"

t_error "unknown backend" 2 "unknown backend 'ftpmaster'" "$MP" register -c "$T/priv.conf" --backend ftpmaster
t_error "no profile for backend" 2 "no profile in mirror.profiles registers with mirrorcache" "$MP" register -c "$T/priv.conf" --backend mirrorcache

# mirrorbits: argv exact, password only on stdin
export STANDIN_LOG=$T/bits
conf "$T/bits.conf" mirror.example.edu false mirrorbits
"$MP" register -c "$T/bits.conf" --profile almalinux --skip-check >"$T/out" 2>"$T/err"; rc=$?
printf '%s\n' mirrorbits -h localhost -p 3390 -a add -http https://mirror.example.edu/almalinux \
	-rsync rsync://mirror.example.edu/almalinux -sponsor-name "Example University" \
	-sponsor-url https://www.example.edu/ -admin-email mirror-admin@example.edu mirror.example.edu -- \
	mirrorbits -h localhost -p 3390 -a enable mirror.example.edu -- >"$T/want"
if [ $rc = 0 ] && diff -u "$T/want" "$T/bits.argv" >"$T/diff"; then t_ok "mirrorbits add + enable: exact argv"
else t_fail "mirrorbits add + enable: exact argv" "rc=$rc" "$(cat "$T/diff" "$T/err")"; fi
no_secret "mirrorbits: no secret in argv, stdout, stderr" "$T/bits.argv" "$T/out" "$T/err"
[ "$(sort -u "$T/bits.stdin")" = "$SECRET" ] && t_ok "mirrorbits: password passed on stdin (-a)" || t_fail "mirrorbits: password passed on stdin (-a)"
STANDIN_FAIL=1 "$MP" register -c "$T/bits.conf" --profile almalinux --skip-check >/dev/null 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "mirrorbits add failed with exit code 1" "$T/err" && t_ok "mirrorbits failure: exit 1" || t_fail "mirrorbits failure: exit 1" "rc=$rc" "$(cat "$T/err")"

export STANDIN_LOG=$T/mb
conf "$T/mb.conf" mirror.example.edu false mirrorbrain "" mb
"$MP" register -c "$T/mb.conf" --profile debian --skip-check >"$T/out" 2>"$T/err"; rc=$?
printf '%s\n' mb new mirror.example.edu -H https://mirror.example.edu/debian -R rsync://mirror.example.edu/debian \
	-c de -r eu -e mirror-admin@example.edu --operator-name "Example University" \
	--operator-url https://www.example.edu/ -- >"$T/want"
if [ $rc = 0 ] && diff -u "$T/want" "$T/mb.argv" >"$T/diff"; then t_ok "mb new: exact argv"
else t_fail "mb new: exact argv" "rc=$rc" "$(cat "$T/diff" "$T/err")"; fi
no_secret "mb: no secret in argv, stdout, stderr" "$T/mb.argv" "$T/out" "$T/err"

start_standin "$T/mc.port" python3 "$TOP/tests/standins/http_record.py" "$T/mc.port" "$T/mc.record"
conf "$T/mc.conf" mirror.example.edu false mirrorcache "http://127.0.0.1:$PORT"
"$MP" register -c "$T/mc.conf" --profile almalinux --skip-check >"$T/out" 2>"$T/err"; rc=$?
python3 - "$T/mc.record" "$SECRET" <<'PY' >"$T/cmp" 2>&1 && [ $rc = 0 ] && t_ok "mirrorcache: POST /rest/server with the fields" || t_fail "mirrorcache: POST /rest/server with the fields" "rc=$rc" "$(cat "$T/cmp" "$T/err")"
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["path"] == "/rest/server", r["path"]
assert r["body"] == {"hostname": "mirror.example.edu", "urldir": "/almalinux", "enabled": 1, "country": "de",
                     "region": "eu", "sponsor": "Example University", "sponsor_url": "https://www.example.edu/",
                     "comment": "mirror-admin@example.edu"}, r["body"]
assert r["headers"]["Content-Type"] == "application/json"
assert r["headers"]["Authorization"] == "Bearer " + sys.argv[2]
PY
no_secret "mirrorcache: no secret on stdout/stderr" "$T/out" "$T/err"

# documents a human submits
conf "$T/public.conf" mirror.example.edu false mirrormanager "https://mirrormanager.example.org/xmlrpc"
t_golden "registration sheet (public host)" register/mm-sheet.txt 0 "$MP" register -c "$T/public.conf"
# One default for max_connections (mirrorprov.conf(5)): the sheet and rsyncd.conf agree when it is unset.
sed 's/max_connections = 100; //' "$T/public.conf" >"$T/nomax.conf"
grep -q max_connections "$T/nomax.conf" && t_fail "nomax.conf without the key"
out=$("$MP" register -c "$T/nomax.conf" 2>&1)
grep -qE '^  Max connections: +100$' <<<"$out" && t_ok "sheet: max_connections unset is 100, as documented" ||
	t_fail "sheet: max_connections default" "$(grep -i 'max conn' <<<"$out")"
"$MP" layout -c "$T/nomax.conf" --root "$T/nomax-root" --profile almalinux --prefix "$T/nomax-prefix" >/dev/null 2>&1
grep -qx 'max connections = 100' "$T/nomax-prefix/etc/rsyncd.conf" && t_ok "rsyncd.conf: the same default" ||
	t_fail "rsyncd.conf default" "$(grep -s 'max conn' "$T/nomax-prefix/etc/rsyncd.conf")"
sed 's/max_connections = 100;/max_connections = 0;/' "$T/public.conf" >"$T/max0.conf"
t_error "max_connections = 0 is refused" 2 "max_connections" "$MP" register -c "$T/max0.conf"
t_golden "debian masterlist stanza" register/debian-stanza.txt 0 "$MP" register -c "$T/public.conf" --backend debian
t_golden "almalinux mirrors.d yaml" register/almalinux.yml 0 "$MP" register -c "$T/public.conf" --backend almalinux
t_golden "almalinux yaml -J" register/almalinux.json 0 "$MP" register -c "$T/public.conf" --backend almalinux -J
t_done
