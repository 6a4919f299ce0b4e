#!/bin/bash
# The backend password: a known secret in backend.password_file, then every
# verb (each verb of `mirrorprov help` in its dry-run and JSON forms, and real
# runs of layout, sync, check and register against stand-ins on 127.0.0.1).
# The secret appears in no stdout, stderr, JSON, generated file or argv of a
# spawned program (a recording wrapper in PATH for each external tool); it
# does reach the three places that need it (the XML-RPC checkin, mirrorbits'
# stdin, MirrorCache's Authorization header).  A password file that group or
# others may read, or that another user owns, is refused before anything is sent.
. "$(dirname "$0")/../lib.sh"
export MIRRORPROV_PROFILE_DIR=$TOP/profiles
T=$(mktemp -d)
export STATE_DIRECTORY=$T/state   # file-list syncs keep their lists there
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
SECRET="mp-canary-$$-Zq9v"
printf '%s\n' "$SECRET" >"$T/secret"; chmod 600 "$T/secret"

# Every external program mirrorprov may run records its argv, then runs the real one.
mkdir -p "$T/bin"
for prog in rsync ftpsync nginx systemctl useradd mkfs.xfs mount umount wipefs xfs_info udevadm curl; do
	# the log's path written in: a program run as the mirror user gets none of our environment
	cat >"$T/bin/$prog" <<SH
#!/bin/sh
printf '%s\\n' "\$0" "\$@" >>"$T/argv"
PATH=\${PATH#*:} exec "\$(basename "\$0")" "\$@"
SH
	chmod +x "$T/bin/$prog"
done
export ARGV_LOG=$T/argv PATH=$T/bin:$PATH STANDIN_LOG=$T/bits
: >"$ARGV_LOG"
# as root the rsync client runs as an unprivileged user: it must reach the wrappers and the log
chmod 755 "$T" "$T/bin" && chmod 666 "$ARGV_LOG"

mkdir -p "$T/pub/fedora/linux/releases/40" "$T/pub/almalinux/9"
cat >"$T/db.json" <<JSON
{"sites": [{"name": "Example University", "password": "$SECRET",
  "hosts": [{"name": "mirror.example.edu", "private": true,
             "categories": {"Fedora Linux": {"dirs": ["", "releases", "releases/40"]}}}]}]}
JSON
start_standin "$T/mm.port" python3 "$TOP/tests/standins/mm_xmlrpc.py" "$T/mm.port" "$T/db.json" "$T/mm.record"
MM=$PORT
start_standin "$T/mc.port" python3 "$TOP/tests/standins/http_record.py" "$T/mc.port" "$T/mc.record"
MC=$PORT

conf() {   # conf FILE TYPE URL
	cat >"$1" <<CONF
host: { name = "mirror.example.edu"; site = "Example University"; admin_email = "a@example.edu";
  country = "DE"; bandwidth_mbit = 1000; private = true;
  urls: { http = "http://127.0.0.1:1/"; rsync = "rsync://127.0.0.1:1/"; }; };
mirror: { root = "$T/pub"; profiles = [ "fedora", "almalinux" ]; };
backend: { type = "$2"; url = "$3"; password_file = "$T/secret";
  program = "$TOP/tests/standins/mirrorbits"; rpc = "localhost:3390"; };
CONF
}
conf "$T/mm.conf" mirrormanager "http://127.0.0.1:$MM/xmlrpc"
conf "$T/bits.conf" mirrorbits "http://127.0.0.1:1/"
conf "$T/mc.conf" mirrorcache "http://127.0.0.1:$MC/"

n=0
run() {   # run ARGS...: mirrorprov with its output kept in $T/out.N / $T/err.N
	n=$((n + 1))
	(cd "$T" && "$MP" "$@" >"$T/out.$n" 2>"$T/err.$n")
}
for verb in $("$MP" help | awk '/^Verbs:/{v=1;next} v&&/^  [a-z]/{print $1}'); do
	[ "$verb" = help ] && continue
	run "$verb" -c "$T/mm.conf" -n
	run "$verb" -c "$T/mm.conf" -n -J
	run "$verb" --help
done
run layout -c "$T/mm.conf" --prefix "$T/prefix" --binary /usr/sbin/mirrorprov
run layout -c "$T/mm.conf" --prefix "$T/prefix" -J
run sync -c "$T/mm.conf" --timeout 5s fedora   # file-list syncs retry an unreachable upstream
run check -c "$T/mm.conf" --timeout 2 --sample 2 -J
run profiles -J
run register -c "$T/mm.conf" --no-send -J
run register -c "$T/mm.conf" --no-send
run register -c "$T/mm.conf" --skip-check
grep -q "checked in successful" "$T/out.$n" && t_ok "checkin with the password succeeds" ||
	t_fail "checkin with the password succeeds" "$(cat "$T/out.$n" "$T/err.$n")"
run register -c "$T/mm.conf" --skip-check -J
run register -c "$T/bits.conf" --skip-check --profile almalinux
grep -qxF "$SECRET" "$T/bits.stdin" 2>/dev/null && t_ok "mirrorbits gets the password on stdin" ||
	t_fail "mirrorbits gets the password on stdin" "$(cat "$T/err.$n")"
run register -c "$T/mc.conf" --skip-check --profile fedora
grep -qF "Bearer $SECRET" "$T/mc.record" 2>/dev/null && t_ok "MirrorCache gets it as a Bearer token" ||
	t_fail "MirrorCache gets it as a Bearer token" "$(cat "$T/err.$n")"

leaks=$(grep -lF -- "$SECRET" "$T"/out.* "$T"/err.* "$ARGV_LOG" "$T/bits.argv" 2>/dev/null)
[ -z "$leaks" ] && t_ok "secret in no output, JSON or argv ($n runs)" || t_fail "secret in no output, JSON or argv" $leaks
leaks=$(grep -rlF -- "$SECRET" "$T/prefix" "$T/pub" 2>/dev/null)
[ -z "$leaks" ] && t_ok "secret in no generated file" || t_fail "secret in no generated file" $leaks
[ -s "$ARGV_LOG" ] && t_ok "spawned programs were recorded" || t_fail "spawned programs were recorded"
python3 - "$T/mc.record" "$SECRET" <<'PY' && t_ok "MirrorCache body without the password" || t_fail "MirrorCache body without the password"
import json, sys
for line in open(sys.argv[1]):
    assert sys.argv[2] not in json.dumps(json.loads(line)["body"])
PY

# Readable by group or others, or owned by someone else: refused before sending.
for mode in 640 604 660; do
	chmod "$mode" "$T/secret"
	for c in mm bits mc; do
		t_error "password file mode $mode refused ($c)" 2 "chmod 600" "$MP" register -c "$T/$c.conf" --skip-check \
			--profile "$([ $c = bits ] && echo almalinux || echo fedora)"
	done
done
chmod 600 "$T/secret"
if [ "$(id -u)" = 0 ]; then
	chown nobody "$T/secret"
	t_error "password file owned by another user refused" 2 "chmod 600" "$MP" register -c "$T/mm.conf" --skip-check
	chown 0 "$T/secret"
fi
# Empty, or an empty first line: refused, naming the file, before anything is sent.
cp -p "$T/secret" "$T/secret.good"
for content in '' '\n' '\nsecond-line\n' '  \t\n'; do
	printf "$content" >"$T/secret"
	for c in mm bits mc; do
		t_error "password file '$content' refused ($c)" 2 "password file $T/secret is empty or its first line is empty" \
			"$MP" register -c "$T/$c.conf" --skip-check --profile "$([ $c = bits ] && echo almalinux || echo fedora)"
	done
done
mv "$T/secret.good" "$T/secret"
t_done
