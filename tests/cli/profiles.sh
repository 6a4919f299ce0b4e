#!/bin/bash
# `mirrorprov profiles`: the shipped list and one profile, human and JSON; broken
# profiles are reported as FILE:LINE.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
export MIRRORPROV_PROFILE_DIR=profiles

t_golden "profiles list" profiles/list.txt 0 "$MP" profiles
t_golden "profiles list json" profiles/list.json 0 "$MP" profiles -J
t_golden "profiles columns" profiles/columns.txt 0 "$MP" profiles -o NAME,CATEGORIES,UPSTREAM
t_golden "profiles show fedora" profiles/show-fedora.txt 0 "$MP" profiles show fedora
t_golden "profiles show rpmfusion json" profiles/show-rpmfusion.json 0 "$MP" profiles show rpmfusion -J
n=$("$MP" profiles -J | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["profiles"]))')
[ "$n" = 14 ] && t_ok "14 shipped profiles" || t_fail "14 shipped profiles" "$n"

# Every shipped profile shows its sources: each fact names source numbers or
# UNVERIFIED, each source a URL and the day it was checked; -J the same.
for name in $("$MP" profiles -o NAME | tail -n +2); do
	out=$("$MP" profiles show "$name" 2>&1); rc=$?
	facts=$(sed -n '/^facts and their sources:$/,/^$/p' <<<"$out" | sed '1d;$d')
	if [ $rc = 0 ] && [ -n "$facts" ] && ! grep -vE '^  [a-z_]+ +(\[[0-9]+\]( \[[0-9]+\])*)?( UNVERIFIED)?$' <<<"$facts" >/dev/null &&
		! grep -qE '^  [a-z_]+ *$' <<<"$facts" &&
		grep -qE '^  \[1\] https://[^ ]+ \(checked 20[0-9]{2}-[0-9]{2}-[0-9]{2}\)$' <<<"$out"; then
		t_ok "profiles show $name lists every fact's sources"
	else
		t_fail "profiles show $name lists every fact's sources" "rc=$rc" "$out"
	fi
	"$MP" profiles show "$name" -J | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p["sources"] and all(s["url"].startswith("https://") and s["checked"] and s["supports"] for s in p["sources"])
assert all(f["sources"] or f["unverified"] for f in p["facts"].values()), p["facts"]
assert set(p["facts"]) >= {"pull", "method", "schedule", "size"}
' && t_ok "profiles show $name -J: sources and facts" || t_fail "profiles show $name -J: sources and facts"
done

t_error "unknown profile" 2 "unknown profile 'nosuch'" "$MP" profiles show nosuch
t_error "unsafe profile name" 2 "name '../x'" "$MP" profiles show ../x
t_error "unknown column" 2 "unknown column 'SPEED'" "$MP" profiles -o NAME,SPEED
t_error "unknown subcommand" 2 "unknown subcommand 'list'" "$MP" profiles list
t_error "show without name" 2 "exactly one profile name" "$MP" profiles show

bad=tests/fixtures/profiles-bad
export MIRRORPROV_PROFILE_DIR=$bad
while read -r file msg; do
	t_error "broken profile $file" 2 "$bad/$file.conf:$msg" "$MP" profiles show "$file" \
		
done <<CASES
unknown-key 9: unknown key 'colour'
missing-module 1: missing required key 'module'
unsafe-module 3: module: 'x]y' may contain only
dotdot-directory 4: directory: '../etc' contains '.' or '..'
absolute-directory 4: directory: '/etc' must be relative
escaping-category 10: path: 'a/../../b' contains '.' or '..'
syntax-error 3: syntax error
CASES
t_error "listing stops at the first broken profile" 2 "$bad/absolute-directory.conf:4:" "$MP" profiles
export MIRRORPROV_PROFILE_DIR=/nonexistent
t_error "no profiles: says where it looked" 1 "no profiles found (looked in /nonexistent)" "$MP" profiles
t_error "no profiles, JSON: the same" 1 "no profiles found (looked in /nonexistent)" "$MP" profiles -J
unset MIRRORPROV_PROFILE_DIR

# An uninstalled build reads its own tree's profiles (SRC/build/mirrorprov ->
# SRC/profiles); a copy of the binary outside a source tree does not.
tree=$(mktemp -d)
mkdir -p "$tree/src/build" "$tree/src/profiles" "$tree/bin"
touch "$tree/src/Makefile"
cp profiles/fedora.conf profiles/debian.conf "$tree/src/profiles/"
cp "$MP" "$tree/src/build/mirrorprov"; cp "$MP" "$tree/bin/mirrorprov"
out=$("$tree/src/build/mirrorprov" profiles -o NAME,FILE 2>&1)
if grep -q "^debian *$tree/src/profiles/debian.conf" <<<"$out" && grep -q "^fedora *$tree/src/profiles/fedora.conf" <<<"$out"; then
	t_ok "uninstalled build: profiles of its source tree"
else t_fail "uninstalled build: profiles of its source tree" "$out"; fi
n=$("$MP" profiles -o NAME 2>/dev/null | tail -n +2 | wc -l)
[ "$n" = 14 ] && t_ok "the build in the checkout: its 14 profiles" || t_fail "the build in the checkout: 14 profiles" "$n"
if [ ! -d /etc/mirrorprov/profiles ] && [ ! -d /usr/local/share/mirrorprov/profiles ]; then
	t_error "outside a source tree: none found, where it looked" 1 \
		"no profiles found (looked in /etc/mirrorprov/profiles, /usr/local/share/mirrorprov/profiles)" "$tree/bin/mirrorprov" profiles
fi
rm -rf "$tree"
t_done
