#!/bin/bash
# What a program that handles data from the network gets when mirrorprov (run
# as root, from a root shell on a terminal) starts it as mirror.user: a
# stand-in rsync first in PATH reports its ids, environment, descriptors and
# terminal.  It must be the mirror user with that user's groups only; keep
# none of root's environment but PATH and the locale (no HOME of root, no
# secret exported in the admin's shell); hold no descriptor the caller had
# open (a root-only file here); and have no controlling terminal: it can
# neither open /dev/tty nor push keystrokes into root's shell with TIOCSTI on
# the terminal it writes its progress to.
. "$(dirname "$0")/../lib.sh"
need_root "privilege drop (a mirror user, a terminal)"
. "$TOP/tests/fixtures/upstream.sh"
for p in script python3; do command -v $p >/dev/null || { t_fail "$p installed"; t_done; }; done

tmp=$(mktemp -d)
chmod 755 "$tmp"
cleanup() { mirror_user_del; rm -rf "$tmp"; }
trap cleanup EXIT
# fedora as a plain rsync profile: that method writes its progress to the
# terminal itself, the case where TIOCSTI could reach root's shell.
mkdir -p "$tmp/profiles" && cp "$TOP"/profiles/*.conf "$tmp/profiles/"
sed -i -e '/^filelist[a-z_]* = /d' -e 's/^method = "filelist";/method = "rsync";/' "$tmp/profiles/fedora.conf"
export MIRRORPROV_PROFILE_DIR=$tmp/profiles STATE_DIRECTORY=$tmp/state   # the mirror user keeps its sync state there
mirror_user_add "$tmp" || { t_fail "mirror user"; t_done; }
mkdir -p "$tmp/bin" "$tmp/report" "$tmp/root" && chmod 777 "$tmp/report"
echo "root only" >"$tmp/rootonly" && chmod 600 "$tmp/rootonly"
cat >"$tmp/bin/rsync" <<PY
#!/usr/bin/python3
import fcntl, os, termios
r = ["uid %d %d %d" % os.getresuid(), "gid %d %d %d" % os.getresgid(),
     "groups " + " ".join(map(str, sorted(os.getgroups())))]
r += ["env " + k + "=" + v for k, v in sorted(os.environ.items())]
for f in os.listdir("/proc/self/fd"):
    try:
        r.append("fd %s %s" % (f, os.readlink("/proc/self/fd/" + f)) if int(f) > 2 else "")
    except OSError:
        pass   # the listing's own descriptor, closed meanwhile
try:
    os.open("/dev/tty", os.O_RDWR); r.append("tty open")
except OSError as e:
    r.append("tty " + e.strerror)
try:
    fcntl.ioctl(1, termios.TIOCSTI, b"#"); r.append("tiocsti done")
except OSError as e:
    r.append("tiocsti " + e.strerror)
open("$tmp/report/rsync", "w").write("\n".join(r) + "\n")
PY
chmod 755 "$tmp/bin/rsync"
cat >"$tmp/host.conf" <<CONF
host: { name = "mirror.test"; site = "Test"; admin_email = "admin@mirror.test"; country = "DE";
  bandwidth_mbit = 1000; urls: { http = "http://mirror.test/"; }; };
mirror: { root = "$tmp/root"; user = "$MUSER"; profiles = [ "fedora" ]; };
CONF

# on a terminal (script(1) gives the command one), from a shell with a secret
# exported and a root-only file open on descriptor 9
script -qec "env PATH='$tmp/bin:$PATH' HOME=/root MP_TEST_SECRET=s3cret XDG_RUNTIME_DIR=/run/user/0 \
	'$MP' sync -c '$tmp/host.conf' fedora --upstream rsync://127.0.0.1:9/fedora/ 9<'$tmp/rootonly'" /dev/null \
	>"$tmp/out" 2>&1 </dev/null
rep=$tmp/report/rsync
[ -s "$rep" ] || { t_fail "the stand-in rsync ran" "$(cat "$tmp/out")"; t_done; }
uid=$(id -u "$MUSER") gid=$(id -g "$MUSER")
grep -qx "uid $uid $uid $uid" "$rep" && grep -qx "gid $gid $gid $gid" "$rep" &&
	t_ok "real, effective and saved uid and gid are the mirror user's" || t_fail "ids" "$(cat "$rep")"
grep -qx "groups $(id -G "$MUSER" | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')" "$rep" &&
	t_ok "supplementary groups: the mirror user's only (root's dropped)" || t_fail "groups" "$(grep groups "$rep")"
grep -qx "env HOME=$tmp/home" "$rep" && grep -qx "env USER=$MUSER" "$rep" &&
	t_ok "HOME and USER are the mirror user's" || t_fail "HOME/USER" "$(grep env "$rep")"
! grep -qE "MP_TEST_SECRET|XDG_RUNTIME_DIR|=/root$" "$rep" &&
	t_ok "nothing else of root's environment (the exported secret, XDG_RUNTIME_DIR, HOME)" || t_fail "environment scrubbed" "$(grep env "$rep")"
grep -q "^env PATH=$tmp/bin:" "$rep" && t_ok "PATH kept" || t_fail "PATH kept" "$(grep env "$rep")"
! grep -q "^fd " "$rep" && t_ok "no descriptor of the caller's beyond 0-2 (the root-only file on 9)" ||
	t_fail "inherited descriptors" "$(grep '^fd' "$rep")"
grep -qx "tty No such device or address" "$rep" && t_ok "no controlling terminal: /dev/tty cannot be opened" ||
	t_fail "controlling terminal" "$(grep tty "$rep")"
grep -qx "tiocsti Operation not permitted" "$rep" && t_ok "TIOCSTI into root's terminal is refused" ||
	t_fail "TIOCSTI" "$(grep tiocsti "$rep")" "$(cat "$tmp/out")"
t_done
