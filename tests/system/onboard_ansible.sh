#!/bin/bash
# mirrorprov as an Ansible binary module, through contrib/ansible's role with
# Debian's ansible-core on localhost (connection local) against an image: the
# first run changes, the second does not, a check-mode run on a fresh image
# reports a change and leaves the image byte-identical.  Then the module alone:
# one JSON object for bad input, an inline configuration.
. "$(dirname "$0")/../lib.sh"
need_root "ansible-playbook against an image"
command -v ansible-playbook >/dev/null || { t_fail "ansible-playbook installed"; t_done; }
. "$TOP/tests/fixtures/upstream.sh"
. "$TOP/tests/fixtures/serve.sh"
serve_env mp-ansible || { t_fail "daemons"; t_done; }

# the module is the binary under test
mkdir -p "$D/library"
ln -s "$MP" "$D/library/mirrorprov_onboard"
[ "$(readlink "$TOP/contrib/ansible/library/mirrorprov_onboard")" = ../../../build/mirrorprov ] &&
	t_ok "contrib/ansible/library/mirrorprov_onboard links to the built binary" || t_fail "contrib module link"
playbook() {   # playbook CONFIG
	cat <<EOF
- hosts: localhost
  connection: local
  gather_facts: false
  roles:
    - role: mirrorprov
      vars:
        mirrorprov_install_packages: false
        mirrorprov_config: $1
        mirrorprov_image: "{{ image }}"
        mirrorprov_image_size: 1G
        mirrorprov_sync: true
        mirrorprov_prefix: "{{ prefix }}"
        mirrorprov_ca: $D/tls/cert.pem
EOF
}
playbook "$D/demo.conf" >"$D/play.yml"
export ANSIBLE_LIBRARY=$D/library ANSIBLE_ROLES_PATH=$TOP/contrib/ansible/roles ANSIBLE_STDOUT_CALLBACK=mp_json \
	ANSIBLE_CALLBACK_PLUGINS=$TOP/tests/fixtures/ansible \
	ANSIBLE_LOCAL_TEMP=$D/ansible-local ANSIBLE_REMOTE_TEMP=$D/ansible-remote ANSIBLE_NOCOLOR=1 \
	ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_LOCALHOST_WARNING=False
# play ARGS...: runs the playbook; prints "changed failed msg" of the module's task
play() {
	ansible-playbook -i localhost, "$D/play.yml" "$@" >"$D/play.json" 2>"$D/play.err"
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for t in d["plays"][0]["tasks"]:
    if "Onboard" in t["task"]["name"]:
        r = t["hosts"]["localhost"]
        print(str(r.get("changed")).lower(), str(r.get("failed", False)).lower(), r.get("msg", ""))
' "$D/play.json" 2>&1
}
start=$(date +%s%N)
res=$(play -e image="$D/lun.img" -e prefix="$D/prefix")
ms=$((($(date +%s%N) - start) / 1000000))
[ "$res" = "true false onboarded" ] && t_ok "first run: changed (${ms} ms)" ||
	t_fail "first run: changed" "$res" "$(tail -c 3000 "$D/play.json")" "$(cat "$D/play.err")"
xfs_info "$D/srv/mirror" 2>/dev/null | grep -q 'sunit=16 *swidth=208 blks' && [ -f "$D/srv/mirror/pub/fedora/fullfiletimelist-fedora" ] &&
	t_ok "the image is formatted, mounted and synced" || t_fail "onboarded state"
res=$(play -e image="$D/lun.img" -e prefix="$D/prefix")
[ "$res" = "false false no changes" ] && t_ok "second run: unchanged" || t_fail "second run: unchanged" "$res" "$(cat "$D/play.err")"

mkdir -p "$D/fresh"
truncate -s 1G "$D/fresh/lun.img"
sum=$(openssl dgst -sha256 -r "$D/fresh/lun.img")
sed -e "s|$D/srv/mirror|$D/fresh/mnt|g" "$D/demo.conf" >"$D/fresh.conf"
playbook "$D/fresh.conf" >"$D/play.yml"
res=$(play -e image="$D/fresh/lun.img" -e prefix="$D/fresh/prefix" --check)
[ "$res" = "true false changes planned (check mode)" ] && t_ok "check mode on a fresh image: changed" ||
	t_fail "check mode: changed" "$res" "$(cat "$D/play.err")"
[ "$(openssl dgst -sha256 -r "$D/fresh/lun.img")" = "$sum" ] && [ ! -e "$D/fresh/prefix" ] &&
	[ -z "$(losetup --associated "$D/fresh/lun.img")" ] && t_ok "check mode: image byte-identical, nothing written" ||
	t_fail "check mode wrote something"

# the module alone: exactly one JSON object whatever the input
M=$D/library/mirrorprov_onboard
one_json() {   # one_json NAME PY_ASSERT ARGS...
	local name=$1 assert=$2 out; shift 2
	out=$("$M" "$@" 2>"$D/m.err")
	if python3 -c "import json,sys; s=sys.stdin.read(); d=json.loads(s); assert s.count('\n') == 1, s; $assert" <<<"$out" 2>"$D/py"; then
		t_ok "$name"; else t_fail "$name" "$out" "$(cat "$D/py" "$D/m.err")"; fi
}
one_json "module: no arguments file" 'assert d["failed"] and "no argument file" in d["msg"]'
echo '{not json' >"$D/bad.json"
one_json "module: arguments not JSON" 'assert d["failed"] and "JSON object" in d["msg"]' "$D/bad.json"
echo '{"config": "'"$D"'/demo.conf", "colour": "red"}' >"$D/unknown.json"
one_json "module: unknown parameter" 'assert d["failed"] and d["msg"] == "unsupported parameter or wrong type: colour"' "$D/unknown.json"
echo '{"config": "'"$D"'/nosuch.conf", "_ansible_check_mode": true}' >"$D/missing.json"
one_json "module: missing config: failed with the message" 'assert d["failed"] and "nosuch.conf" in d["msg"] and not d["changed"]' "$D/missing.json"
python3 -c '
import json, sys
d = sys.argv[1]
print(json.dumps({"config": {
    "host": {"name": "127.0.0.1", "site": "Inline", "admin_email": "a@example.org", "country": "DE", "bandwidth_mbit": 100,
             "urls": {"http": "http://127.0.0.1:1/"}},
    "storage": {"device": "naa.600d0231000a1b2c3d4e5f60718293aa", "raid": {"level": "raid6", "disks": 15, "spares": 1, "chunk": "64k"},
                "mountpoint": d + "/inline/mnt"},
    "mirror": {"root": d + "/inline/mnt/pub", "profiles": ["fedora"]}},
    "image": d + "/inline/lun.img", "image_size": "1G", "prefix": d + "/inline/prefix", "_ansible_check_mode": True}))
' "$D" >"$D/inline.json"
one_json "module: inline configuration object, check mode" \
	'assert not d["failed"] and d["changed"] and [s["name"] for s in d["steps"]] == ["device","geometry","mkfs","mount","layout","sync","check","register"] and d["steps"][0]["state"] == "change"' \
	"$D/inline.json"
[ ! -e "$D/inline" ] && t_ok "module check mode wrote nothing" || t_fail "module check mode wrote nothing"
t_done
