# Shared helpers for the shell tests.  Each test prints TAP-like lines:
# "ok - NAME" or "not ok - NAME", with diagnostics as "# ..." lines.
# MP is the mirrorprov binary under test; TOP the source tree.

set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
MP=${MP:-$TOP/build/mirrorprov}
GOLDEN=$TOP/tests/golden
T_FAILED=0
# sync and check append to the history in the state directory: never the
# host's own /var/lib/mirrorprov from a test (tests/run.sh sets one for all).
if [ -z "${STATE_DIRECTORY:-}" ]; then STATE_DIRECTORY=$(mktemp -d /tmp/mirrorprov-state.XXXXXX); export STATE_DIRECTORY; fi
. "$TOP/tests/fixtures/nginx.sh"

t_ok()   { echo "ok - $1"; }
t_fail() { echo "not ok - $1"; shift; for l in "$@"; do echo "# $l"; done; T_FAILED=1; }

# t_check NAME COMMAND...: passes when COMMAND succeeds.
t_check() {
	local name=$1; shift
	if "$@" >/dev/null 2>&1; then t_ok "$name"; else t_fail "$name" "failed: $*"; fi
}

# t_golden NAME FILE EXPECTED_RC COMMAND...: stdout must equal tests/golden/FILE
# (UPDATE_GOLDEN=1 rewrites it), and the exit code must be EXPECTED_RC.
t_golden() {
	local name=$1 file=$GOLDEN/$2 want=$3 rc out; shift 3
	out=$("$@" 2>/dev/null); rc=$?
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then mkdir -p "$(dirname "$file")"; printf '%s\n' "$out" >"$file"; fi
	if [ "$rc" != "$want" ]; then t_fail "$name" "exit $rc, expected $want"; return; fi
	if ! diff -u "$file" <(printf '%s\n' "$out") >/tmp/mp-golden.$$ 2>&1; then
		t_fail "$name" "$(sed 's/^/  /' /tmp/mp-golden.$$ | head -40)"
	else
		t_ok "$name"
	fi
	rm -f /tmp/mp-golden.$$
}

# t_error NAME EXPECTED_RC 'stderr substring' COMMAND...: fails with that code,
# prints one line on stderr containing the substring, nothing on stdout.
t_error() {
	local name=$1 want=$2 msg=$3 rc out err; shift 3
	err=$(mktemp)
	out=$("$@" 2>"$err"); rc=$?
	if [ "$rc" != "$want" ]; then t_fail "$name" "exit $rc, expected $want" "$(cat "$err")"
	elif [ -n "$out" ]; then t_fail "$name" "stdout not empty: $out"
	elif ! grep -qF -- "$msg" "$err"; then t_fail "$name" "stderr lacks '$msg'" "$(cat "$err")"
	elif [ "$(grep -vc 'warning:' "$err")" != 1 ]; then t_fail "$name" "error is not one line" "$(cat "$err")"
	else t_ok "$name"; fi
	rm -f "$err"
}

# t_refused NAME 'stderr substring' COMMAND...: a safety refusal: exit 3 and the
# one-line reason on stderr (the plan may be on stdout).
t_refused() {
	local name=$1 msg=$2 rc err; shift 2
	err=$(mktemp)
	"$@" >/dev/null 2>"$err"; rc=$?
	if [ "$rc" != 3 ]; then t_fail "$name" "exit $rc, expected 3" "$(cat "$err")"
	elif ! grep -qF -- "$msg" "$err"; then t_fail "$name" "stderr lacks '$msg'" "$(cat "$err")"
	else t_ok "$name"; fi
	rm -f "$err"
}

t_done() { exit $T_FAILED; }

need_root() {
	if [ "$(id -u)" != 0 ]; then echo "ok - $1 # SKIP not root"; exit 0; fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# serve_tree DIR [CERT KEY]: nginx serving DIR/srv on 127.0.0.1:$HP (and https on
# $SP with CERT/KEY) and an rsync daemon on $RP whose module "fedora" is
# DIR/srv/fedora, both as nobody, pid files DIR/nginx.pid and DIR/rsyncd.pid
# (kill them on exit).  Fails with the reason in DIR/serve.err.
serve_tree() {
	local d=$1 tls=""
	HP=$(free_port); SP=$(free_port); RP=$(free_port)
	[ -n "${2:-}" ] && tls="listen 127.0.0.1:$SP ssl; ssl_certificate $2; ssl_certificate_key $3;"
	cat >"$d/site.conf" <<EOF
server {
	listen 127.0.0.1:$HP;
	$tls
	root $d/srv;
	autoindex on;
}
EOF
	nginx_conf "$d" "$d/site.conf" "user nobody nogroup;" >"$d/nginx.conf"
	cat >"$d/rsyncd.conf" <<EOF
pid file = $d/rsyncd.pid
port = $RP
address = 127.0.0.1
use chroot = no
uid = nobody
gid = nogroup
[fedora]
path = $d/srv/fedora
read only = yes
EOF
	nginx -c "$d/nginx.conf" -e "$d/nginx-error.log" 2>"$d/serve.err" && rsync --daemon --config="$d/rsyncd.conf" 2>>"$d/serve.err" ||
		return 1
	for _ in $(seq 50); do [ -s "$d/nginx.pid" ] && [ -s "$d/rsyncd.pid" ] && return 0; sleep 0.1; done
	echo "no pid files" >>"$d/serve.err"
	return 1
}

# start_standin PORTFILE CMD...: runs a stand-in server in the background (its
# pid added to the caller's PIDS, to kill on exit), waits until it has written
# its port to PORTFILE, and sets PORT.
start_standin() {
	local portfile=$1; shift
	"$@" & PIDS+=($!)
	for _ in $(seq 100); do [ -s "$portfile" ] && break; sleep 0.05; done
	PORT=$(cat "$portfile" 2>/dev/null)
}

# umock_sized FIXTURE CMD...: runs CMD in the umockdev testbed FIXTURE with each
# block device node made a sparse file of the size sysfs gives it (all zeros,
# like a freshly initialised LUN), so what reads the device (libblkid, the
# blank check) sees all of it; UMOCK_SETUP, if set, then runs in the testbed
# ($UMOCKDEV_DIR/dev/NAME is the node's file).  The testbed lives on /dev/shm:
# tmpfs takes a sparse 50 TiB file where ext4 stops at 16 TiB.
umock_sized() {
	local f=$1; shift
	TMPDIR=${UMOCK_TMPDIR:-/dev/shm} umockdev-run -d "$f" -- sh -c '
		for s in /sys/class/block/*/size; do
			n=${s%/size}; n=${n##*/}
			[ -f "$UMOCKDEV_DIR/dev/$n" ] && truncate -s $(( $(cat "$s") * 512 )) "$UMOCKDEV_DIR/dev/$n"
		done
		eval "${UMOCK_SETUP:-}"
		exec "$@"' sh "$@"
}

# user_copy DIR: copies $MP and the profiles into DIR (readable by all) for a
# command run as another user, since the checkout may sit in /root (mode 0700);
# sets UMP and UPROFILES.
user_copy() {
	mkdir -p "$1/profiles" && cp "$MP" "$1/mirrorprov" && cp "$MIRRORPROV_PROFILE_DIR"/*.conf "$1/profiles/" &&
		chmod -R a+rX "$1"
	UMP=$1/mirrorprov UPROFILES=$1/profiles
}
