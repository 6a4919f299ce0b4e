#!/bin/bash
# `mirrorprov register` with one backend instance per project (issue 14 §5):
# a host with fedora + epel + rpmfusion + rocky checks in once with each of
# three MirrorManager stand-ins (tests/standins/mm_xmlrpc.py records every
# checkin it decodes), each getting only its categories and its password.
# The profiles are the shipped ones with their MirrorManager URLs pointed at
# the stand-ins; host.conf declares the three instances by URL with their
# password files.  A profile host.conf sends elsewhere goes there; an unknown
# instance name is a FILE:LINE error; manual channels print their sheets in
# the same run, one per instance.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT

# a tree with every category's top directory
for d in fedora/linux/releases/40 epel/9/Everything rpmfusion/free/fedora/releases rpmfusion/free/el \
	rpmfusion/nonfree/fedora rpmfusion/nonfree/el/updates rocky/9/BaseOS; do mkdir -p "$T/pub/$d"; done

# one stand-in per MirrorManager instance: its own site password and categories
declare -A SECRET PORTS
standin() {   # standin NAME CATEGORY...
	local name=$1 cats="" c; shift
	SECRET[$name]="pw-$name-$$-$RANDOM"
	printf '%s\n' "${SECRET[$name]}" >"$T/$name.secret"; chmod 600 "$T/$name.secret"
	for c in "$@"; do cats+="${cats:+, }\"$c\": {\"dirs\": [\"\"]}"; done
	cat >"$T/$name.db" <<JSON
{"sites": [{"name": "Example University", "password": "${SECRET[$name]}",
  "hosts": [{"name": "mirror.example.edu", "private": true, "categories": {$cats}}]}]}
JSON
	start_standin "$T/$name.port" python3 "$TOP/tests/standins/mm_xmlrpc.py" "$T/$name.port" "$T/$name.db" "$T/$name.record"
	PORTS[$name]=$PORT
	: >>"$T/$name.record"
}
standin fedora "Fedora Linux" "Fedora EPEL" "Rocky Linux"
standin rpmfusion "RPMFUSION free Fedora" "RPMFUSION free EL" "RPMFUSION nonfree Fedora" "RPMFUSION nonfree EL"
standin rocky "Rocky Linux"

# the shipped profiles, each MirrorManager instance's URL pointed at its stand-in
mkdir "$T/profiles"
for f in "$TOP"/profiles/*.conf; do
	sed -e "/^backend = /s|https://mirrormanager.fedoraproject.org/|http://127.0.0.1:${PORTS[fedora]}/|" \
		-e "/^backend = /s|https://mirrors.rpmfusion.org/mm/|http://127.0.0.1:${PORTS[rpmfusion]}/mm/|" \
		-e "/^backend = /s|https://mirrors.rockylinux.org/mirrormanager/|http://127.0.0.1:${PORTS[rocky]}/mirrormanager/|" \
		"$f" >"$T/profiles/${f##*/}"
done
export MIRRORPROV_PROFILE_DIR=$T/profiles
for s in fedora rpmfusion rocky; do
	grep -q "url = \"http://127.0.0.1:${PORTS[$s]}/" "$T/profiles/$s.conf" || t_fail "profile $s names its stand-in" "$(grep backend "$T/profiles/$s.conf")"
done

# conf FILE PROFILES [PROFILE-GROUP]: a private host with the three instances,
# declared by the XML-RPC URLs of the profiles' defaults
conf() {
	cat >"$1" <<CONF
host: {
  name = "mirror.example.edu"; site = "Example University"; admin_email = "mirror-admin@example.edu";
  country = "DE"; bandwidth_mbit = 10000; private = true;
  urls: { https = "https://mirror.example.edu/"; rsync = "rsync://mirror.example.edu/"; };
};
mirror: { root = "$T/pub"; profiles = [ $2 ]; };
backends: {
  fedora-mm: { type = "mirrormanager"; url = "http://127.0.0.1:${PORTS[fedora]}/xmlrpc";
               password_file = "$T/fedora.secret"; timeout = "30s"; };
  rpmfusion-mm: { type = "mirrormanager"; url = "http://127.0.0.1:${PORTS[rpmfusion]}/mm/xmlrpc";
                  password_file = "$T/rpmfusion.secret"; };
  rocky-mm: { type = "mirrormanager"; url = "http://127.0.0.1:${PORTS[rocky]}/mirrormanager/xmlrpc";
              password_file = "$T/rocky.secret"; };
};
profile: { ${3:-} };
CONF
}
ALL='"fedora", "epel", "rpmfusion", "rocky"'

# sections NAME: the categories of each checkin NAME's stand-in recorded, one line each
sections() {
	python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    print(",".join(sorted(k for k in d if k not in ("version", "global", "site", "host", "stats"))))' "$T/$1.record"
}
# entries FILE: -J's stream of objects (one per instance) as one JSON array in FILE.list
entries() {
	python3 -c 'import json,sys
text, dec, out, i = open(sys.argv[1]).read(), json.JSONDecoder(), [], 0
while i < len(text):
    while i < len(text) and text[i].isspace():
        i += 1
    if i < len(text):
        o, i = dec.raw_decode(text, i)
        out.append(o)
json.dump(out, open(sys.argv[1] + ".list", "w"))' "$1" 2>/dev/null || echo '[]' >"$1.list"
}
# passwords NAME: the site passwords NAME's stand-in received
passwords() { python3 -c 'import json,sys; [print(json.loads(l)["site"]["password"]) for l in open(sys.argv[1])]' "$T/$1.record"; }

conf "$T/host.conf" "$ALL"
"$MP" register -c "$T/host.conf" --skip-check >"$T/out" 2>"$T/err"; rc=$?
got="fedora=[$(sections fedora)] rpmfusion=[$(sections rpmfusion)] rocky=[$(sections rocky)]"
want="fedora=[fedora epel,fedora linux] rpmfusion=[rpmfusion free el,rpmfusion free fedora,rpmfusion nonfree el,rpmfusion nonfree fedora] rocky=[rocky linux]"
[ $rc = 0 ] && [ "$got" = "$want" ] && t_ok "three MirrorManager instances: one checkin each, only its categories" ||
	t_fail "three MirrorManager instances: one checkin each, only its categories" "rc=$rc" "got  $got" "want $want" "$(cat "$T/out" "$T/err")"
n=$(grep -c "checked in successful" "$T/out")
[ "$n" = 3 ] && grep -q "^== rpmfusion-mm: mirrormanager at http://127.0.0.1:${PORTS[rpmfusion]}/mm/xmlrpc, profiles rpmfusion$" "$T/out" &&
	t_ok "each instance's reply shown under its name" || t_fail "each instance's reply shown under its name" "$(cat "$T/out")"

# each stand-in got its own password and no other's; none reached the terminal
bad=""
for s in fedora rpmfusion rocky; do
	[ "$(passwords $s)" = "${SECRET[$s]}" ] || bad+=" $s:wrong-password"
	for o in fedora rpmfusion rocky; do
		[ $o = $s ] || ! grep -qF -- "${SECRET[$o]}" "$T/$s.record" || bad+=" $s-got-$o"
	done
done
for o in fedora rpmfusion rocky; do ! grep -qF -- "${SECRET[$o]}" "$T/out" "$T/err" || bad+=" terminal-has-$o"; done
[ -z "$bad" ] && t_ok "the password of one instance never reaches another" || t_fail "the password of one instance never reaches another" "$bad"

# -J: one entry per instance with its profiles, what was sent, the result
"$MP" register -c "$T/host.conf" --skip-check -J >"$T/out" 2>"$T/err"; rc=$?
entries "$T/out"
python3 - "$T/out.list" <<'PY' >"$T/cmp" 2>&1 && [ $rc = 0 ] && t_ok "-J: one entry per instance (profiles, categories sent, reply)" || t_fail "-J: one entry per instance (profiles, categories sent, reply)" "rc=$rc" "$(cat "$T/cmp" "$T/err")"
import json, sys
entries = json.load(open(sys.argv[1]))
got = {e["instance"]: (e["backend"], e["profiles"], e["categories"], e["ok"], "checked in successful" in e["reply"]) for e in entries}
assert got == {
    "fedora-mm": ("mirrormanager", ["fedora", "epel"], ["Fedora Linux", "Fedora EPEL"], True, True),
    "rpmfusion-mm": ("mirrormanager", ["rpmfusion"], ["RPMFUSION free Fedora", "RPMFUSION free EL", "RPMFUSION nonfree Fedora", "RPMFUSION nonfree EL"], True, True),
    "rocky-mm": ("mirrormanager", ["rocky"], ["Rocky Linux"], True, True)}, got
assert len(entries) == 3
PY

# --profile limits the run to the instances of those profiles
for s in fedora rpmfusion rocky; do wc -l <"$T/$s.record" >"$T/$s.before"; done
"$MP" register -c "$T/host.conf" --skip-check --profile rpmfusion >"$T/out" 2>"$T/err"; rc=$?
d="$(($(wc -l <"$T/fedora.record") - $(cat "$T/fedora.before"))) $(($(wc -l <"$T/rpmfusion.record") - $(cat "$T/rpmfusion.before"))) $(($(wc -l <"$T/rocky.record") - $(cat "$T/rocky.before")))"
[ $rc = 0 ] && [ "$d" = "0 1 0" ] && t_ok "--profile rpmfusion: RPM Fusion's instance only" || t_fail "--profile rpmfusion: RPM Fusion's instance only" "rc=$rc new checkins $d" "$(cat "$T/err")"

# a profile mapped to another instance goes there (rocky -> Fedora's stand-in)
conf "$T/mapped.conf" "$ALL" 'rocky: { backend = "fedora-mm"; };'
for s in fedora rocky; do wc -l <"$T/$s.record" >"$T/$s.before"; done
"$MP" register -c "$T/mapped.conf" --skip-check --profile rocky >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && [ "$(wc -l <"$T/rocky.record")" = "$(cat "$T/rocky.before")" ] &&
	[ "$(sections fedora | tail -1)" = "rocky linux" ] && [ "$(passwords fedora | tail -1)" = "${SECRET[fedora]}" ] &&
	t_ok "a profile mapped to another instance checks in there, with that instance's password" ||
	t_fail "a profile mapped to another instance checks in there, with that instance's password" "rc=$rc" "$(sections fedora | tail -1)" "$(cat "$T/err")"

# an unknown instance name: FILE:LINE and the key, exit 2, nothing sent
conf "$T/unknown.conf" "$ALL" 'rocky: { backend = "rocky-staging"; };'
line=$(grep -n 'rocky-staging' "$T/unknown.conf" | cut -d: -f1)
for s in fedora rpmfusion rocky; do wc -l <"$T/$s.record" >"$T/$s.before"; done
t_error "unknown instance name: FILE:LINE, the key, exit 2" 2 \
	"$T/unknown.conf:$line: profile.rocky.backend: unknown backend instance 'rocky-staging'" "$MP" register -c "$T/unknown.conf" --skip-check
n=0; for s in fedora rpmfusion rocky; do [ "$(wc -l <"$T/$s.record")" = "$(cat "$T/$s.before")" ] || n=$((n + 1)); done
[ $n = 0 ] && t_ok "unknown instance name: nothing sent" || t_fail "unknown instance name: nothing sent" "$n stand-ins got a checkin"

# a host.conf instance named "default" would shadow the backend group
sed 's/^  rocky-mm:/  default:/' "$T/host.conf" >"$T/default.conf"
line=$(grep -n '^  default:' "$T/default.conf" | cut -d: -f1)
t_error "instance name 'default' is reserved" 2 "$T/default.conf:$line: backends: name 'default' is reserved" \
	"$MP" register -c "$T/default.conf" --skip-check
# a profile's default instance the host declares no password for: one line, exit 2, nothing sent
cat >"$T/nopw.conf" <<CONF
host: { name = "mirror.example.edu"; site = "Example University"; admin_email = "mirror-admin@example.edu";
  country = "DE"; bandwidth_mbit = 10000; private = true; urls: { https = "https://mirror.example.edu/"; }; };
mirror: { root = "$T/pub"; profiles = [ "rocky" ]; };
CONF
t_error "private host, no instance declared: the password is asked for" 2 \
	"mirrormanager at http://127.0.0.1:${PORTS[rocky]}/mirrormanager/ needs a password: declare the instance in backends" \
	"$MP" register -c "$T/nopw.conf" --skip-check

# an old single-backend host.conf: every profile of its type goes to that one backend, as before
cat >"$T/old.conf" <<CONF
host: { name = "mirror.example.edu"; site = "Example University"; admin_email = "mirror-admin@example.edu";
  country = "DE"; bandwidth_mbit = 10000; private = true; urls: { https = "https://mirror.example.edu/"; }; };
mirror: { root = "$T/pub"; profiles = [ "fedora", "rocky", "debian" ]; };
backend: { type = "mirrormanager"; url = "http://127.0.0.1:${PORTS[fedora]}/xmlrpc"; password_file = "$T/fedora.secret"; };
CONF
wc -l <"$T/rocky.record" >"$T/rocky.before"
"$MP" register -c "$T/old.conf" --skip-check >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && [ "$(sections fedora | tail -1)" = "fedora linux,rocky linux" ] && ! grep -q "^==" "$T/out" &&
	[ "$(wc -l <"$T/rocky.record")" = "$(cat "$T/rocky.before")" ] && [ ! -s "$T/err" ] &&
	t_ok "single backend group: one checkin with every profile of its type, output as before" ||
	t_fail "single backend group: one checkin with every profile of its type, output as before" "rc=$rc" "$(sections fedora | tail -1)" "$(cat "$T/out" "$T/err")"

# beside named instances the backend group is one instance: RPM Fusion's profile, whose
# instance host.conf does not declare, is not checked in at Fedora's with Fedora's password
cat >"$T/mixed.conf" <<CONF
host: { name = "mirror.example.edu"; site = "Example University"; admin_email = "mirror-admin@example.edu";
  country = "DE"; bandwidth_mbit = 10000; private = true; urls: { https = "https://mirror.example.edu/"; }; };
mirror: { root = "$T/pub"; profiles = [ "fedora", "rocky", "rpmfusion" ]; };
backend: { type = "mirrormanager"; url = "http://127.0.0.1:${PORTS[fedora]}/xmlrpc"; password_file = "$T/fedora.secret"; };
backends: { rocky-mm: { type = "mirrormanager"; url = "http://127.0.0.1:${PORTS[rocky]}/mirrormanager/xmlrpc";
                        password_file = "$T/rocky.secret"; }; };
CONF
for s in fedora rpmfusion rocky; do wc -l <"$T/$s.record" >"$T/$s.before"; done
t_error "a password is never borrowed from another instance of the same type" 2 \
	"mirrormanager at http://127.0.0.1:${PORTS[rpmfusion]}/mm/ needs a password" "$MP" register -c "$T/mixed.conf" --skip-check
n=0; for s in fedora rpmfusion rocky; do [ "$(wc -l <"$T/$s.record")" = "$(cat "$T/$s.before")" ] || n=$((n + 1)); done
[ $n = 0 ] && t_ok "an instance without its password: nothing sent to any instance" || t_fail "an instance without its password: nothing sent to any instance" "$n stand-ins got a checkin"
sed -i 's/, "rpmfusion"//' "$T/mixed.conf"
"$MP" register -c "$T/mixed.conf" --skip-check >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && [ "$(sections fedora | tail -1)" = "fedora linux" ] && [ "$(sections rocky | tail -1)" = "rocky linux" ] &&
	[ "$(passwords rocky | tail -1)" = "${SECRET[rocky]}" ] && t_ok "backend group and backends together: each profile at its own" ||
	t_fail "backend group and backends together: each profile at its own" "rc=$rc" "$(cat "$T/out" "$T/err")"

# a public host with every project: one document per instance, in one run
cat >"$T/public.conf" <<CONF
host: { name = "mirror.example.edu"; site = "Example University"; admin_email = "mirror-admin@example.edu";
  country = "DE"; bandwidth_mbit = 10000; location = "Heidelberg, Baden-Wuerttemberg"; addresses = [ "192.0.2.10" ];
  urls: { https = "https://mirror.example.edu/"; rsync = "rsync://mirror.example.edu/"; }; };
mirror: { root = "$T/pub"; profiles = [ "fedora", "epel", "centos-stream", "rpmfusion", "rocky", "almalinux", "debian",
  "ubuntu", "ubuntu-releases", "archlinux", "opensuse" ]; };
CONF
"$MP" register -c "$T/public.conf" -J >"$T/out" 2>"$T/err"; rc=$?
entries "$T/out"
python3 - "$T/out.list" "${PORTS[fedora]}" <<'PY' >"$T/cmp" 2>&1 && [ $rc = 0 ] && t_ok "public host: a sheet per manual instance (MirrorManager x3, AlmaLinux, Debian, Launchpad, Arch, MirrorCache)" || t_fail "public host: a sheet per manual instance (MirrorManager x3, AlmaLinux, Debian, Launchpad, Arch, MirrorCache)" "rc=$rc" "$(cat "$T/cmp" "$T/err")"
import json, sys
entries = json.load(open(sys.argv[1]))
got = {(e["backend"], e["url"]): (e["profiles"], [d["kind"] for d in e["documents"]], e["declared"]) for e in entries}
fed = "http://127.0.0.1:%s/" % sys.argv[2]
want = {
    ("mirrormanager", fed): (["fedora", "epel", "centos-stream"], ["registration-sheet"], "profile"),
    ("almalinux", "https://github.com/AlmaLinux/mirrors"): (["almalinux"], ["mirrors.d-yaml"], "profile"),
    ("debian", "https://www.debian.org/mirror/submit"): (["debian"], ["masterlist-stanza"], "profile"),
    ("launchpad", "https://launchpad.net/ubuntu/+newmirror"): (["ubuntu", "ubuntu-releases"], ["launchpad-sheet"], "profile"),
    ("archlinux", "https://gitlab.archlinux.org/archlinux/infrastructure/-/issues"): (["archlinux"], ["mirror-request"], "profile"),
    ("mirrorcache", "https://mirrorcache.opensuse.org/"): (["opensuse"], ["server-sheet"], "profile"),
}
for k, v in want.items():
    assert got.get(k) == v, (k, got.get(k), v)
mm = [e for e in entries if e["backend"] == "mirrormanager"]
assert len(mm) == 3 and len(entries) == 8, [(e["instance"], e["profiles"]) for e in entries]
sheet = [e for e in mm if e["profiles"] == ["rpmfusion"]][0]["documents"][0]["text"]
assert "RPMFUSION nonfree EL" in sheet and "Fedora Linux" not in sheet, sheet
assert "Rocky Linux" not in sheet
lp = [e for e in entries if e["backend"] == "launchpad"][0]["documents"][0]["text"]
assert "Content:               Archive" in lp and "Content:               CD Image" in lp, lp
PY
"$MP" register -c "$T/public.conf" --profile ubuntu,archlinux >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 0 ] && grep -q "^== launchpad.net: launchpad at https://launchpad.net/ubuntu/+newmirror, profiles ubuntu$" "$T/out" &&
	grep -q "^  Rsync URL: *rsync://mirror.example.edu/archlinux$" "$T/out" && grep -q "^  192.0.2.10$" "$T/out" &&
	t_ok "--profile ubuntu,archlinux: the Launchpad sheet and the Arch request" || t_fail "--profile ubuntu,archlinux: the Launchpad sheet and the Arch request" "rc=$rc" "$(cat "$T/out" "$T/err")"
t_done
