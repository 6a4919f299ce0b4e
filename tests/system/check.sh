#!/bin/bash
# `mirrorprov check` against a real nginx (http and https with a test CA) and a
# real rsync daemon on 127.0.0.1 serving a copy of a laid-out tree; then a stale
# repomd.xml, a missing file, a wrong size, an untrusted certificate and a URL
# that times out, each reported as its own failure; `register` refuses to
# register a host whose checks fail.  Daemons are always stopped.
. "$(dirname "$0")/../lib.sh"
need_root "check against nginx and rsyncd"
export MIRRORPROV_PROFILE_DIR=$TOP/profiles
T=$(mktemp -d); chmod 755 "$T"
PIDS=()
cleanup() {
	[ -f "$T/nginx.pid" ] && kill "$(cat "$T/nginx.pid")" 2>/dev/null
	[ -f "$T/rsyncd.pid" ] && kill "$(cat "$T/rsyncd.pid")" 2>/dev/null
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	sleep 0.2; rm -rf "$T"
}
trap cleanup EXIT
BP=$(free_port)

# the local tree (the truth) and the served copy
L=$T/pub/fedora
mkdir -p "$L/linux/releases/40/Everything/x86_64/os/Packages/a" "$L/linux/updates/40/Everything/x86_64/repodata"
for i in 1 2 3 4 5; do head -c $((i * 1000)) /dev/urandom >"$L/linux/releases/40/Everything/x86_64/os/Packages/a/a-$i.rpm"; done
echo "file list" >"$L/fullfiletimelist-fedora"
head -c 5000 /dev/urandom >"$L/linux/updates/40/Everything/x86_64/repodata/repomd.xml"
echo "name with space" >"$L/linux/releases/40/Everything/x86_64/os/Packages/a/b c.rpm"
mkdir -p "$T/srv"; cp -a "$L" "$T/srv/"; chmod -R a+rX "$T/pub" "$T/srv"

# a test CA and a certificate for 127.0.0.1
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mirrorprov-test-ca -keyout "$T/ca.key" -out "$T/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$T/ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 2 -extfile "$T/ext" -out "$T/srv.pem" 2>/dev/null
serve_tree "$T" "$T/srv.pem" "$T/srv.key" || { t_fail "nginx and rsyncd start" "$(cat "$T/serve.err")"; t_done; }
# a port that accepts connections and never answers
python3 -c 'import socket,time,sys; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(16); time.sleep(600)' "$BP" &
PIDS+=($!)

conf() {   # conf FILE HTTP HTTPS RSYNC
	cat >"$1" <<EOF
host: { name = "mirror.example.edu"; site = "Example University"; admin_email = "a@example.edu";
  country = "DE"; bandwidth_mbit = 1000;
  urls: { http = "$2"; https = "$3"; rsync = "$4"; }; };
mirror: { root = "$T/pub"; profiles = [ "fedora" ]; };
backend: { type = "mirrorbits"; program = "$TOP/tests/standins/mirrorbits"; };
EOF
}
conf "$T/ok.conf" "http://127.0.0.1:$HP/" "https://127.0.0.1:$SP/" "rsync://127.0.0.1:$RP/"

# check_rows NAME EXPECTED_RC PY_ASSERT ARGS...: runs check -J and asserts on the rows
check_rows() {
	local name=$1 want=$2 assert=$3 rc; shift 3
	"$MP" check "$@" -J >"$T/out" 2>"$T/err"; rc=$?
	if [ "$rc" != "$want" ]; then t_fail "$name" "exit $rc, expected $want" "$(cat "$T/out" "$T/err")"; return; fi
	if python3 -c "import json,sys; rows=json.load(open(sys.argv[1]))['checks']; by={r['url'].split(':')[0]: r for r in rows}; $assert" "$T/out" 2>"$T/py"; then
		t_ok "$name"; else t_fail "$name" "$(cat "$T/py")" "$(cat "$T/out")"; fi
}

check_rows "all pass: http, https (--ca), rsync, --full" 0 \
	'assert len(rows) == 3 and all(r["result"] == "pass" and r["files"] == 8 and r["markers"] == 2 and r["failed"] == 0 for r in rows), rows' \
	-c "$T/ok.conf" --ca "$T/ca.pem" --full
check_rows "all pass with a sample" 0 'assert all(r["result"] == "pass" and 1 <= r["files"] <= 3 for r in rows), rows' \
	-c "$T/ok.conf" --ca "$T/ca.pem" --sample 3
"$MP" check -c "$T/ok.conf" --ca "$T/ca.pem" >"$T/out" 2>&1 && grep -q "^PROFILE" "$T/out" && grep -q "pass" "$T/out" &&
	t_ok "human table" || t_fail "human table" "$(cat "$T/out")"
# The rsync client talks to the network: never as root (mirror.user, here absent: nobody).
mkdir -p "$T/bin" && printf '#!/bin/sh
id -un >>%s/rsync-users
PATH=${PATH#*:} exec rsync "$@"
' "$T" >"$T/bin/rsync"
chmod 755 "$T/bin" "$T/bin/rsync" && : >"$T/rsync-users" && chmod 666 "$T/rsync-users"
PATH=$T/bin:$PATH "$MP" check -c "$T/ok.conf" --ca "$T/ca.pem" >/dev/null 2>&1
[ -s "$T/rsync-users" ] && [ "$(sort -u "$T/rsync-users")" = nobody ] &&
	t_ok "check runs rsync as nobody when mirror.user does not exist, never as root" ||
	t_fail "check's rsync user" "$(sort -u "$T/rsync-users")"

check_rows "untrusted certificate: https fails alone" 1 \
	'assert by["https"]["result"] == "FAIL" and "certificate" in by["https"]["first_failure"] and by["http"]["result"] == "pass" and by["rsync"]["result"] == "pass", rows' \
	-c "$T/ok.conf" --full

REPOMD=linux/updates/40/Everything/x86_64/repodata/repomd.xml
cp "$T/srv/fedora/$REPOMD" "$T/repomd.keep"; head -c 5000 /dev/urandom >"$T/srv/fedora/$REPOMD"
check_rows "stale repomd.xml on the server" 1 \
	'assert all(r["result"] == "FAIL" and r["failed"] == 1 and "repomd.xml: differs from the local copy" in r["first_failure"] for r in rows), rows' \
	-c "$T/ok.conf" --ca "$T/ca.pem" --full
cp "$T/repomd.keep" "$T/srv/fedora/$REPOMD"

PKG=linux/releases/40/Everything/x86_64/os/Packages/a
mv "$T/srv/fedora/$PKG/a-3.rpm" "$T/a-3.keep"
check_rows "missing file" 1 \
	'assert by["http"]["first_failure"].endswith("a-3.rpm: HTTP 404") and by["https"]["first_failure"].endswith("a-3.rpm: HTTP 404") and by["rsync"]["first_failure"].endswith("a-3.rpm: missing") and all(r["failed"] == 1 for r in rows), rows' \
	-c "$T/ok.conf" --ca "$T/ca.pem" --full
mv "$T/a-3.keep" "$T/srv/fedora/$PKG/a-3.rpm"

echo extra >>"$T/srv/fedora/$PKG/a-2.rpm"
check_rows "wrong size" 1 \
	'assert all(r["failed"] == 1 and "a-2.rpm: size 2006, local 2000" in r["first_failure"] for r in rows), rows' \
	-c "$T/ok.conf" --ca "$T/ca.pem" --full
truncate -s 2000 "$T/srv/fedora/$PKG/a-2.rpm"

conf "$T/slow.conf" "http://127.0.0.1:$BP/" "https://127.0.0.1:$SP/" "rsync://127.0.0.1:$RP/"
start=$(date +%s)
check_rows "URL that times out" 1 \
	'assert by["http"]["result"] == "FAIL" and "timed out" in by["http"]["first_failure"].lower() and by["https"]["result"] == "pass", rows' \
	-c "$T/slow.conf" --ca "$T/ca.pem" --timeout 2
[ $(( $(date +%s) - start )) -lt 20 ] && t_ok "timeout is bounded" || t_fail "timeout is bounded"

conf "$T/norsync.conf" "http://127.0.0.1:$HP/" "https://127.0.0.1:$SP/" "rsync://127.0.0.1:$BP/"
check_rows "rsync URL that times out" 1 'assert by["rsync"]["result"] == "FAIL" and by["http"]["result"] == "pass", rows' \
	-c "$T/norsync.conf" --ca "$T/ca.pem" --timeout 2

conf "$T/badmod.conf" "http://127.0.0.1:$HP/nonexistent/" "https://127.0.0.1:$SP/" "rsync://127.0.0.1:$RP/"
sed -i 's|rsync = "rsync://127.0.0.1:[0-9]*/"|rsync = "rsync://127.0.0.1:'"$RP"'/nomodule/"|' "$T/badmod.conf"
check_rows "unknown rsync module, missing http path" 1 \
	'assert "rsync exit" in by["rsync"]["first_failure"] and "base URL: HTTP 404" == by["http"]["first_failure"], rows' \
	-c "$T/badmod.conf" --ca "$T/ca.pem"

# A marker in the (mirror user's) local tree that is a FIFO: named, never waited on.
mv "$L/fullfiletimelist-fedora" "$T/marker.keep" && mkfifo "$L/fullfiletimelist-fedora"
start=$(date +%s)
check_rows "a FIFO in place of a local marker: named, no hang" 1 \
	'assert all(r["result"] == "FAIL" and "fullfiletimelist-fedora" in r["first_failure"] for r in rows), rows' \
	-c "$T/ok.conf" --ca "$T/ca.pem" --timeout 5
[ $(( $(date +%s) - start )) -lt 30 ] && t_ok "the FIFO does not stall the check" || t_fail "the FIFO stalls the check"
rm "$L/fullfiletimelist-fedora" && mv "$T/marker.keep" "$L/fullfiletimelist-fedora"

# register runs the checks first and registers nothing when they fail
export STANDIN_LOG=$T/bits
echo extra >>"$T/srv/fedora/$PKG/a-2.rpm"
"$MP" register -c "$T/ok.conf" --profile fedora --ca "$T/ca.pem" --full >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 1 ] && grep -q "URL checks failed, nothing registered" "$T/err" && [ ! -e "$T/bits.argv" ] &&
	t_ok "register refuses when the checks fail" || t_fail "register refuses when the checks fail" "rc=$rc" "$(cat "$T/err")"
truncate -s 2000 "$T/srv/fedora/$PKG/a-2.rpm"
"$MP" register -c "$T/ok.conf" --profile fedora --ca "$T/ca.pem" --full >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q "^add$" "$T/bits.argv" && t_ok "register after passing checks" || t_fail "register after passing checks" "rc=$rc" "$(cat "$T/err")"
t_done
