#!/bin/bash
# File names a mirror really carries and a crawler must get right: non-ASCII
# UTF-8, invalid UTF-8, a newline, leading blanks, '\#', '%', '$(...)', quotes
# and '?'/'#'.  `mirrorprov check --full` (C locale, where rsync escapes every
# byte above 0x7f) finds every one of them with its size over http (nginx) and
# rsync (rsyncd) on 127.0.0.1.  Daemons are always stopped.
. "$(dirname "$0")/../lib.sh"
need_root "hostile file names over nginx and rsyncd"
command -v nginx >/dev/null && command -v rsync >/dev/null || { t_fail "nginx and rsync installed"; t_done; }
export MIRRORPROV_PROFILE_DIR=$TOP/profiles LC_ALL=C
T=$(mktemp -d); chmod 755 "$T"
cleanup() {
	[ -f "$T/nginx.pid" ] && kill "$(cat "$T/nginx.pid")" 2>/dev/null
	[ -f "$T/rsyncd.pid" ] && kill "$(cat "$T/rsyncd.pid")" 2>/dev/null
	sleep 0.2; rm -rf "$T"
}
trap cleanup EXIT

L=$T/pub/fedora
D=linux/releases/40/Everything/x86_64/os/Packages/h
mkdir -p "$L/$D" "$L/linux/updates/40/Everything/x86_64/repodata"
echo "file list" >"$L/fullfiletimelist-fedora"
echo "<repomd/>" >"$L/linux/updates/40/Everything/x86_64/repodata/repomd.xml"
i=0
for name in $'caf\xc3\xa9.rpm' $'bad\xff.rpm' $'new\nline.rpm' '  lead.rpm' 'lit\#012.rpm' 'back\slash.rpm' \
	'100%.rpm' '$(id).rpm' "quo'te\".rpm" 'q?x#y.rpm' 'sp ace.rpm' $'tab\there.rpm'; do
	i=$((i + 1)); head -c $((i * 100)) /dev/urandom >"$L/$D/$name"
done
mkdir -p "$T/srv"; cp -a "$L" "$T/srv/"; chmod -R a+rX "$T/pub" "$T/srv"

serve_tree "$T" || { t_fail "nginx and rsyncd start" "$(cat "$T/serve.err")"; t_done; }

cat >"$T/host.conf" <<EOF
host: { name = "mirror.example.edu"; site = "Example University"; admin_email = "a@example.edu";
  country = "DE"; bandwidth_mbit = 1000;
  urls: { http = "http://127.0.0.1:$HP/"; rsync = "rsync://127.0.0.1:$RP/"; }; };
mirror: { root = "$T/pub"; profiles = [ "fedora" ]; };
EOF
# rows SCHEMES_PY_ASSERT: check --full -J, then the assertion on rows (by scheme)
rows() {
	"$MP" check -c "$T/host.conf" --full -J >"$T/out" 2>"$T/err"
	python3 -c "import json,sys; rows=json.load(open(sys.argv[1]))['checks']; by={r['url'].split(':')[0]: r for r in rows}; $1" \
		"$T/out" 2>"$T/py"
}
for scheme in http rsync; do
	rows "r = by['$scheme']; assert r['result'] == 'pass' and r['files'] == $((i + 2)) and r['failed'] == 0, r" &&
		t_ok "$scheme: every hostile name found with its size" ||
		t_fail "$scheme: every hostile name found with its size" "$(cat "$T/py" "$T/err")"
done
# a changed size behind a hostile name is still seen
truncate -s 1 "$T/srv/fedora/$D/"$'caf\xc3\xa9.rpm'
rows "assert all(r['result'] == 'FAIL' and r['failed'] == 1 and 'size' in r['first_failure'] for r in rows), rows" &&
	t_ok "a wrong size behind a non-ASCII name fails both" ||
	t_fail "a wrong size behind a non-ASCII name fails both" "$(cat "$T/py" "$T/err")"
# a missing file with a name that is not UTF-8: the JSON stays valid UTF-8 and
# names it in Python's surrogateescape spelling (\udcff)
truncate -s 1 "$T/pub/fedora/$D/"$'caf\xc3\xa9.rpm'
rm "$T/srv/fedora/$D/"$'bad\xff.rpm'
rows "assert all(r['result'] == 'FAIL' and r['first_failure'].encode('utf-8', 'surrogateescape').startswith(
	b'linux/releases/40/Everything/x86_64/os/Packages/h/bad\\xff.rpm: ') for r in rows), rows" &&
	t_ok "JSON names a non-UTF-8 file name as \\udcff" || t_fail "JSON names a non-UTF-8 file name as \\udcff" "$(cat "$T/py" "$T/err")"
t_done
