#!/bin/bash
# The man page renders without warnings, and documents every verb of the table;
# every verb answers --help with its synopsis.
. "$(dirname "$0")/../lib.sh"
MAN=$TOP/man/mirrorprov.8

warn=$(groff -mandoc -ww -z "$MAN" 2>&1)
[ -z "$warn" ] && t_ok "man page renders without warnings" || t_fail "man page renders without warnings" "$warn"
if [ -f "$TOP/man/mirrorprov.conf.5" ]; then
	warn=$(groff -mandoc -ww -z "$TOP/man/mirrorprov.conf.5" 2>&1)
	[ -z "$warn" ] && t_ok "mirrorprov.conf.5 renders" || t_fail "mirrorprov.conf.5 renders" "$warn"
fi

# Long URLs in 80 columns: line-breaking warnings are cosmetic, any other is not.
warn=$(groff -mandoc -t -ww -z -Tutf8 "$TOP/man/mirrorprov-profiles.7" 2>&1 | grep -vE "can't break line|cannot adjust line")
[ -z "$warn" ] && t_ok "mirrorprov-profiles.7 renders" || t_fail "mirrorprov-profiles.7 renders" "$warn"
out=$(MIRRORPROV_PROFILE_DIR=$TOP/profiles python3 "$TOP/man/profiles-table.py" "$MP" "$TOP/man/mirrorprov-profiles.7" --check 2>&1) &&
	t_ok "mirrorprov-profiles.7 holds the shipped profiles' rules (make man-profiles)" || t_fail "mirrorprov-profiles.7 is stale" "$out"

verbs=$("$MP" help | awk '/^Verbs:/{v=1;next} v&&/^  [a-z]/{print $1}')
[ -n "$verbs" ] && t_ok "help lists verbs" || t_fail "help lists verbs"
for v in $verbs; do
	grep -q "^\.SS $v\$" "$MAN" && t_ok "man page has verb $v" || t_fail "man page has verb $v"
	[ "$v" = help ] && continue
	out=$("$MP" "$v" --help 2>&1); rc=$?
	if [ $rc = 0 ] && printf '%s' "$out" | grep -q "mirrorprov $v"; then t_ok "$v --help"; else t_fail "$v --help" "rc=$rc"; fi
done
t_done
