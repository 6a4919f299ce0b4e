#!/bin/bash
# raid-inspect on a hostile sysfs (umockdev): a 1 MB model string, a 1 MB size
# attribute, escape sequences and non-UTF-8 bytes in the model, an enclosure
# LUN claiming "0x0" as its type.  It finishes, prints valid JSON and a table
# without terminal escapes, with bounded memory (libudev reads at most 4 MiB of
# an attribute), and lists no enclosure.
. "$(dirname "$0")/../lib.sh"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
command -v umockdev-run >/dev/null || { echo "ok - hostile sysfs # SKIP umockdev-run missing"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
FIX=$TOP/tests/fixtures/umockdev/a-fc-single-raid6.umockdev
# the FC LUN (line 298 on) gets the odd model; the SES LUN a type that is not decimal
python3 - "$FIX" "$tmp/odd.umockdev" <<'PY'
import sys
src, dst = sys.argv[1:3]
big, digits = "M" * 1000000, "9" * 1000000
out, seen_model = [], 0
for line in open(src, encoding="utf-8", errors="surrogateescape"):
    if line.startswith("A: model=DS 1000 Series"):
        seen_model += 1
        line = "A: model=%s\\x1b[2J\\xff\\n\n" % big if seen_model == 1 else line
    elif line.startswith("A: type=13"):
        line = "A: type=0x0\\n\n"
    elif line.startswith("A: size=109366476800"):
        line = "A: size=%s\\n\n" % digits
    out.append(line)
open(dst, "w", encoding="utf-8", errors="surrogateescape").writelines(out)
PY
run() { umockdev-run -d "$tmp/odd.umockdev" -- "$MP" raid-inspect "$@"; }
/usr/bin/time -f %M -o "$tmp/rss" umockdev-run -d "$tmp/odd.umockdev" -- "$MP" raid-inspect -J >"$tmp/json" 2>"$tmp/err"; rc=$?
[ "$rc" = 0 ] && python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$tmp/json" 2>/dev/null &&
	t_ok "1 MB attributes: valid JSON" || t_fail "1 MB attributes: valid JSON" "exit $rc" "$(head -c 300 "$tmp/err")"
rss=$(tail -1 "$tmp/rss" 2>/dev/null)
[ "${rss:-0}" -gt 0 ] && [ "$rss" -lt 262144 ] && t_ok "1 MB attributes: peak RSS ${rss} KiB < 256 MiB" || t_fail "1 MB attributes: peak RSS ${rss} KiB"
python3 - "$tmp/json" <<'PY' 2>"$tmp/py" && t_ok "absurd size is unknown, the enclosure is no LUN" || t_fail "absurd size is unknown, the enclosure is no LUN" "$(cat "$tmp/py")"
import json, sys
luns = json.load(open(sys.argv[1]))["luns"]
assert [l["device"] for l in luns] == ["/dev/sdf"], [l["device"] for l in luns]
assert luns[0]["size_bytes"] == 0 and len(luns[0]["model"]) > 1000000, luns[0]["size_bytes"]
PY
run >"$tmp/human" 2>&1
! grep -q $'\e' "$tmp/human" && t_ok "no escape sequence reaches the terminal" || t_fail "no escape sequence reaches the terminal"
# this host's own sysfs (in CI: no FC HBA, so empty lists; the sanitizer build
# once died sorting them)
out=$("$MP" raid-inspect 2>&1); rc=$?
[ $rc = 0 ] && grep -q "FC HBAs (" <<<"$out" && t_ok "this host: raid-inspect runs" ||
	t_fail "this host: raid-inspect runs" "exit $rc" "$out"
t_done
