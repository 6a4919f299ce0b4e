#!/bin/bash
# onboard's input checks and the Ansible module mode's answers to bad input
# (no root, no device touched).
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$MP" onboard --help | grep -q 'mirrorprov onboard \[-c HOST.conf\]' && t_ok "onboard --help" || t_fail "onboard --help"
t_error "--image-size needs --image" 2 "--image-size needs --image" "$MP" onboard --image-size 1G
t_error "bad --image-size" 2 "--image-size '1' is not a size" "$MP" onboard --image "$T/img" --image-size 1
t_error "relative --prefix" 2 "--prefix 'rel'" "$MP" onboard --prefix rel
t_error "unexpected argument" 2 "unexpected argument 'x'" "$MP" onboard x
t_error "missing configuration" 2 "$T/none.conf" "$MP" onboard -c "$T/none.conf" -n
sed 's/^  device = /  devcie = /' "$TOP/examples/host.conf" >"$T/typo.conf"
line=$(grep -n devcie "$T/typo.conf" | cut -d: -f1)
t_error "unknown key names FILE:LINE" 2 "$T/typo.conf:$line: unknown key 'devcie'" "$MP" onboard -c "$T/typo.conf" -n
# Fedora, EPEL and Debian allow no default upstream: without host.conf's
# profile.NAME.upstream there is no plan.
sed '/^profile: {/,/^};/d' "$TOP/examples/host.conf" >"$T/noup.conf"
t_error "no plan without a permitted upstream" 2 "set profile.fedora.upstream in the host configuration" \
	env MIRRORPROV_PROFILE_DIR="$TOP/profiles" "$MP" onboard -c "$T/noup.conf" -n
# the module mode: argv[0] selects it; one JSON object, failed, never a crash
ln -s "$MP" "$T/mirrorprov_onboard"
ln -s "$MP" "$T/AnsiballZ_mirrorprov_onboard"
out=$("$T/mirrorprov_onboard" 2>/dev/null); rc=$?
[ $rc = 1 ] && python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["failed"] and not d["changed"] and d["steps"] == []' <<<"$out" &&
	t_ok "module without arguments file: failed JSON" || t_fail "module without arguments file" "$out"
echo '{"config": "'"$T"'/typo.conf", "_ansible_check_mode": true}' >"$T/args"
out=$("$T/AnsiballZ_mirrorprov_onboard" "$T/args" 2>/dev/null)
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["failed"] and "unknown key" in d["msg"], d' <<<"$out" &&
	t_ok "module as Ansible names it: the config error in msg" || t_fail "module config error" "$out"
echo '{"sync": "maybe"}' >"$T/args"
out=$("$T/mirrorprov_onboard" "$T/args" 2>/dev/null)
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["failed"] and d["msg"] == "unsupported parameter or wrong type: sync", d' <<<"$out" &&
	t_ok "module: a wrong type is refused" || t_fail "module wrong type" "$out"
t_done
