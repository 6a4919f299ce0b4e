#!/bin/bash
# Bash completion (contrib/bash-completion/mirrorprov) through bash-completion's
# own machinery: `complete -p` names the function, which is called as readline
# would (COMP_WORDS/COMP_CWORD) for verbs, each verb's options (read from its
# --help), profile names, block devices and files.
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
export MIRRORPROV_PROFILE_DIR=$TOP/profiles
BC=/usr/share/bash-completion/bash_completion
[ -f "$BC" ] || { t_fail "bash-completion installed" "$BC missing (make deps)"; t_done; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/confdir/sub"
touch "$tmp/confdir/host.conf" "$tmp/confdir/other.conf"

# comp WORD...: the sorted completions of the last WORD, one line.
cat >"$tmp/comp.bash" <<'EOS'
source "$BC"
source "$TOP/contrib/bash-completion/mirrorprov"
complete -p mirrorprov >"$TMPD/complete-p"
comp() {
	COMP_WORDS=("$MP" "$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"; COMP_LINE=${COMP_LINE// = /=}; COMP_LINE=${COMP_LINE% =}
	[[ ${COMP_WORDS[COMP_CWORD]} == = ]] && COMP_LINE+="="
	COMP_POINT=${#COMP_LINE}; COMPREPLY=()
	_mirrorprov "$MP" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'; echo
}
EOS
comp() {
	BC=$BC TOP=$TOP MP=$MP TMPD=$tmp bash --norc -c 'source "$TMPD/comp.bash"; comp "$@"' comp "$@" 2>&1
}

# t_comp NAME EXPECTED WORD...: the completions are exactly EXPECTED.
t_comp() {
	local name=$1 want=$2 got; shift 2
	got=$(comp "$@")
	[ "$got" = "$want" ] && t_ok "$name" || t_fail "$name" "got:  $got" "want: $want"
}
# t_comp_has NAME 'WORD…' WORD...: the completions include each of WORD….
t_comp_has() {
	local name=$1 want=$2 got w miss=(); shift 2
	got=" $(comp "$@") "
	for w in $want; do [[ $got == *" $w "* ]] || miss+=("$w"); done
	[ ${#miss[@]} = 0 ] && t_ok "$name" || t_fail "$name" "missing: ${miss[*]}" "got: $got"
}

comp "" >/dev/null
grep -qx 'complete -F _mirrorprov mirrorprov' "$tmp/complete-p" && t_ok "complete -p: _mirrorprov" ||
	t_fail "complete -p: _mirrorprov" "$(cat "$tmp/complete-p")"

profiles=$(ls profiles/*.conf | sed 's|.*/||; s|\.conf$||' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
[ "$(wc -w <<<"$profiles")" = 14 ] || t_fail "14 profiles in the tree" "$profiles"
verbs=$("$MP" --help | awk '/^Verbs:/{on=1; next} on&&/^$/{exit} on{print $1}' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')

t_comp "verbs" "--help --version $verbs" ""
t_comp "verbs by prefix" "geometry" ge
t_comp "sync: the 14 profiles" "$profiles" sync ""
t_comp "sync after -c FILE: still the profile" "$profiles" sync -c /etc/hosts ""
t_comp "sync: nothing after the profile" "" sync fedora ""
t_comp "profiles: show" "show" profiles ""
t_comp "profiles show: the 14 profiles" "$profiles" profiles show ""
t_comp "profiles show f…" "fedora fedora-archive fedora-secondary" profiles show f
t_comp "--profile: the 14 profiles" "$profiles" layout --profile ""
# readline splits "--profile=fe" at COMP_WORDBREAKS: "--profile" "=" "fe"
t_comp "--profile=: the 14 profiles" "$profiles" check --profile =
t_comp "--profile=fe…" "fedora fedora-archive fedora-secondary" check --profile = fe
t_comp "--profile LIST: after a comma" "fedora,ubuntu fedora,ubuntu-releases" layout -p fedora,ub
t_comp "an option's argument is no option" "" sync --upstream ""
t_comp "help: the verbs" "$verbs" help ""

# Every option of every verb's --help, as printed there.
for v in $verbs; do
	[ "$v" = help ] && continue
	want=$("$MP" "$v" --help | grep -E '^[[:blank:]]+-' | sed -E 's/^[[:blank:]]+//; s/  .*//' |
		grep -oE -- '--[a-z0-9][-a-z0-9]*' | LC_ALL=C sort -u | tr '\n' ' ' | sed 's/ $//')
	[ -n "$want" ] || t_fail "$v --help has options" "none found"
	t_comp "$v: the options of its --help" "$want" "$v" -
done
t_comp_has "mkfs: geometry, safety and output options" \
	"--raid6 --raid60 --level --disks --chunk --spare --label --partition --expect-wwid --dry-run --force --yes --json --help" mkfs -
t_comp_has "layout: its options" "--config --root --profile --prefix --dry-run --json" layout --
t_comp "sync --t…" "--timeout" sync --t

# Block devices: what lsblk lists, for mkfs, mount and --device.  Other
# tests on the machine attach and detach loop devices meanwhile: the devices
# listed before and after must be offered, and only block devices.
t_devices() {
	local name=$1 before got after d bad=(); shift
	before=$(lsblk -pnro NAME | sort)
	got=$(comp "$@")
	after=$(lsblk -pnro NAME | sort)
	for d in $got; do [ -b "$d" ] || bad+=("$d"); done
	[ ${#bad[@]} = 0 ] || { t_fail "$name" "not block devices: ${bad[*]}"; return; }
	t_comp_has "$name" "$(comm -12 <(echo "$before") <(echo "$after") | tr '\n' ' ')" "$@"
}
if [ -n "$(lsblk -pnro NAME)" ]; then
	t_devices "mkfs: block devices" mkfs --raid6 15 ""
	t_devices "mount: block devices first" mount ""
	t_devices "geometry --device: block devices" geometry --raid6 15 --device ""
fi
t_comp "mount: then a directory" "$tmp/confdir/sub" mount /dev/sdz "$tmp/confdir/s"

# Files for -c.
t_comp "-c: files" "$tmp/confdir/host.conf" layout -c "$tmp/confdir/h"
t_comp "--config: files and directories" "$tmp/confdir/host.conf $tmp/confdir/other.conf $tmp/confdir/sub" \
	onboard --config "$tmp/confdir/"
t_done
