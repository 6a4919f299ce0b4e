#!/bin/bash
# Hostile peers on 127.0.0.1: a server that accepts and never answers, one that
# trickles a byte a second, and (for the verbs that read replies) one that
# sends 100 MB.  Every network operation ends within its timeout, with one
# error line, and memory stays bounded.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/fixtures/upstream.sh"
tmp=$(mktemp -d)
chmod 755 "$tmp"   # as root the sync runs as the mirror user
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; mirror_user_del; rm -rf "$tmp"; }
trap cleanup EXIT

# serve MODE: starts a hostile server, sets PORT
serve() { start_standin "$tmp/$1.port" python3 "$TOP/tests/standins/hostile_server.py" "$tmp/$1.port" "$1"; }

# within NAME SECONDS EXPECTED_RC COMMAND...: the command ends in time with that exit code
within() {
	local name=$1 limit=$2 want=$3 start rc out; shift 3
	start=$(date +%s)
	out=$(timeout -k 5 $((limit * 3)) "$@" 2>&1 >/dev/null); rc=$?
	local took=$(($(date +%s) - start))
	if [ "$rc" = "$want" ] && [ "$took" -le "$limit" ]; then t_ok "$name (${took}s)"
	else t_fail "$name" "exit $rc (want $want) after ${took}s (limit ${limit}s)" "$out"; fi
}

export MIRRORPROV_PROFILE_DIR=$TOP/profiles STATE_DIRECTORY=$tmp/state   # poll markers stay in the test
mkdir -p "$tmp/root"
[ "$(id -u)" = 0 ] && { mirror_user_add "$tmp" || t_fail "mirror user"; }
printf 'mirror: { root = "%s"; user = "%s"; };\n' "$tmp/root" "${MUSER:-$(id -un)}" >"$tmp/sync.conf"
for mode in hang trickle; do
	serve $mode
	within "sync: rsync upstream that ${mode}s is given up at --timeout" 30 1 \
		"$MP" sync -c "$tmp/sync.conf" --upstream "rsync://127.0.0.1:$PORT/fedora/" --timeout 5s fedora
done
# check: every URL scheme of a host whose server misbehaves; --timeout 3
L=$tmp/pub/fedora
mkdir -p "$L/linux/releases/40/Everything/x86_64/os/Packages/a" "$L/linux/updates/40/Everything/x86_64/repodata"
echo "file list" >"$L/fullfiletimelist-fedora"
echo "<repomd/>" >"$L/linux/updates/40/Everything/x86_64/repodata/repomd.xml"
for i in 1 2 3; do head -c 1000 /dev/urandom >"$L/linux/releases/40/Everything/x86_64/os/Packages/a/a-$i.rpm"; done
# hostconf FILE URLS BACKEND
hostconf() {
	cat >"$1" <<EOF
host: { name = "mirror.example.edu"; site = "Example University"; admin_email = "a@example.edu";
  country = "DE"; bandwidth_mbit = 1000; private = true; urls: { $2 }; };
mirror: { root = "$tmp/pub"; profiles = [ "fedora" ]; };
backend: { $3 };
EOF
}
for mode in hang trickle huge endless; do
	serve $mode
	hostconf "$tmp/$mode.conf" "http = \"http://127.0.0.1:$PORT/\"; rsync = \"rsync://127.0.0.1:$PORT/\";" \
		'type = "mirrormanager";'
	within "check: a server in mode '$mode' fails within the timeouts" 60 1 \
		"$MP" check -c "$tmp/$mode.conf" --timeout 3 --sample 3
done

# register: replies of 100 MB are refused at the 1 MiB bound (HTTP_REPLY_MAX) with bounded memory
printf 'secret\n' >"$tmp/secret"; chmod 600 "$tmp/secret"
serve xmlrpc
hostconf "$tmp/mm.conf" "http = \"http://127.0.0.1:1/\";" \
	"type = \"mirrormanager\"; url = \"http://127.0.0.1:$PORT/xmlrpc\"; password_file = \"$tmp/secret\";"
within "register: a 100 MB XML-RPC reply is refused" 60 1 \
	/usr/bin/time -f %M -o "$tmp/rss" "$MP" register -c "$tmp/mm.conf" --skip-check
rss=$(tail -1 "$tmp/rss")
[ "${rss:-0}" -gt 0 ] && [ "$rss" -lt 131072 ] && t_ok "register: peak RSS ${rss} KiB < 128 MiB" ||
	t_fail "register: peak RSS ${rss} KiB < 128 MiB"
err=$("$MP" register -c "$tmp/mm.conf" --skip-check 2>&1 >/dev/null)
grep -q "larger than 1048576 bytes" <<<"$err" && t_ok "register: the error names the bound" ||
	t_fail "register: the error names the bound" "$err"
# register: a MirrorManager that takes longer than backend.timeout (a first checkin of a large
# tree): the message says it may still be working and how to confirm; a terminal sees the wait.
serve hang
hostconf "$tmp/slow.conf" "http = \"http://127.0.0.1:1/\";" \
	"type = \"mirrormanager\"; url = \"http://127.0.0.1:$PORT/xmlrpc\"; password_file = \"$tmp/secret\"; timeout = \"3s\";"
within "register: a reply slower than backend.timeout is given up at it" 10 1 "$MP" register -c "$tmp/slow.conf" --skip-check
err=$("$MP" register -c "$tmp/slow.conf" --skip-check 2>&1 >/dev/null)
grep -q "no reply from http://127.0.0.1:$PORT/xmlrpc within 3 s (backend.timeout); MirrorManager may still be processing it" <<<"$err" &&
	grep -q 'Last Checked In' <<<"$err" && [ "$(wc -l <<<"$err")" = 1 ] &&
	t_ok "register: the timeout says the server may still be processing, and how to confirm" ||
	t_fail "register: timeout message" "$err"
script -qec "$MP register -c $tmp/slow.conf --skip-check" /dev/null >"$tmp/tty" 2>&1
grep -q 'waiting for the checkin reply: 2 s of at most 3 s (backend.timeout)' "$tmp/tty" &&
	t_ok "register on a terminal: elapsed time shown while waiting" || t_fail "elapsed time on a terminal" "$(cat -A "$tmp/tty")"
! grep -q 'waiting for' <<<"$err" && t_ok "register without a terminal: no progress line" || t_fail "no progress without a tty" "$err"
serve huge
hostconf "$tmp/mc.conf" "http = \"http://127.0.0.1:1/\";" \
	"type = \"mirrorcache\"; url = \"http://127.0.0.1:$PORT/\"; password_file = \"$tmp/secret\";"
within "register: a 100 MB MirrorCache reply is refused" 60 1 "$MP" register -c "$tmp/mc.conf" --skip-check \
	--profile fedora
t_done
