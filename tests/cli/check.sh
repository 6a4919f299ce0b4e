#!/bin/bash
# `mirrorprov check` input errors and a run against ports where nothing listens
# (the daemon-backed checks are in tests/system/check.sh).
. "$(dirname "$0")/../lib.sh"
export MIRRORPROV_PROFILE_DIR=$TOP/profiles
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/pub/epel"; echo x >"$T/pub/epel/fullfiletimelist-epel"
conf() {
	cat >"$1" <<EOF
host: { name = "mirror.example.edu"; site = "Example University"; admin_email = "a@example.edu";
  country = "DE"; bandwidth_mbit = 1000; urls: { http = "$2"; rsync = "rsync://127.0.0.1:1/"; }; };
mirror: { root = "$T/pub"; profiles = [ "epel" ]; };
EOF
}
conf "$T/h.conf" "http://127.0.0.1:1/"
t_error "bad --sample" 2 "--sample 'x' is not a whole number" "$MP" check -c "$T/h.conf" --sample x
t_error "bad --timeout" 2 "--timeout '0' is not a whole number from 1 to 3600" "$MP" check -c "$T/h.conf" --timeout 0
t_error "unknown column" 2 "unknown column 'NOPE'" "$MP" check -c "$T/h.conf" -o NOPE
t_error "unknown profile" 2 "unknown profile 'nope'" "$MP" check -c "$T/h.conf" --profile nope
t_error "stray argument" 2 "unexpected argument 'x'" "$MP" check -c "$T/h.conf" x
conf "$T/ftp.conf" "ftp://127.0.0.1/"
t_error "ftp:// refused" 2 "ftp" "$MP" check -c "$T/ftp.conf"

out=$("$MP" check -c "$T/h.conf" -J --timeout 2 2>"$T/err"); rc=$?
if [ $rc = 1 ] && printf '%s' "$out" | python3 -c '
import json, sys
rows = json.load(sys.stdin)["checks"]
assert [r["url"] for r in rows] == ["http://127.0.0.1:1/epel", "rsync://127.0.0.1:1/epel"], rows
assert all(r["result"] == "FAIL" and r["first_failure"].startswith("base URL: ") for r in rows), rows
assert isinstance(rows[0]["files"], int) and isinstance(rows[0]["failed"], int)'; then
	t_ok "nothing listening: each URL fails at its base, exit 1"
else t_fail "nothing listening: each URL fails at its base, exit 1" "rc=$rc" "$out" "$(cat "$T/err")"; fi
out=$("$MP" check -c "$T/h.conf" -o URL,RESULT --timeout 2 2>/dev/null)
[ "$(printf '%s\n' "$out" | head -1 | tr -s ' ')" = "URL RESULT" ] && t_ok "-o selects columns" || t_fail "-o selects columns" "$out"
t_done
