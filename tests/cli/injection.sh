#!/bin/bash
# Injection: spaces, quotes, ';', '$()', backquotes, newlines, '%' and
# non-UTF-8 bytes in profile names, module names, directories, upstream URLs,
# descriptions, excludes, host configuration values and path options are
# either refused with one clear error line (exit 2, nothing written) or reach
# rsync as one intact argument (recorded by a stand-in rsync) and the
# generated files as text that keeps its meaning.
. "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
P=$tmp/profiles
mkdir -p "$P" "$tmp/root" "$tmp/bin"
export MIRRORPROV_PROFILE_DIR=$P STATE_DIRECTORY=$tmp/state   # poll markers stay in the test

# profile NAME [KEY VALUE]...: fedora.conf, made public with a default upstream,
# with each KEY's line replaced by "KEY = VALUE;" (VALUE in libconfig syntax).
profile() {
	python3 - "$TOP/profiles/fedora.conf" "$P/$1.conf" "${@:2}" <<'PY'
import re, sys
src, dst, kv = sys.argv[1], sys.argv[2], sys.argv[3:]
text = open(src, encoding="utf-8").read()
# The rsync method's arguments are the subject here, not the file-list method's.
text = re.sub(r"(?m)^filelist\w* = .*\n", "", text).replace('method = "filelist";', 'method = "rsync";')
# Fedora allows no default upstream; these tests need one.
text = text.replace('pull = "tier1";', 'pull = "public";\nupstream = [ "rsync://127.0.0.1/m/" ];')
text = text.replace("unverified = [", 'unverified = [ "upstream",')
for k, v in zip(kv[::2], kv[1::2]):
    text = re.sub(r"(?m)^%s = .*$" % re.escape(k), lambda m: "%s = %s;" % (k, v), text)
open(dst, "wb").write(text.encode("utf-8", "surrogateescape"))
PY
}

# Hostile values as libconfig string literals, by class.
declare -A HOSTILE=(
	[space]='"a b"' [squote]="\"a'b\"" [dquote]='"a\"b"' [semicolon]='"a;b"' [subst]='"$(id)"'
	[backquote]='"`id`"' [newline]='"a\nb"' [percent]='"a%hb"' [nonutf8]='"a\xffb"'
)

# Every class in every name-like profile field: refused at its line.
for key in module directory description; do
	for class in "${!HOSTILE[@]}"; do
		rm -f "$P"/*.conf
		profile fedora "$key" "${HOSTILE[$class]}"
		# text may hold blanks and '%' (it reaches comments and descriptions as is)
		case $key/$class in description/space|description/squote) continue;; esac
		t_error "profile $key with $class is refused" 2 "fedora.conf:" \
			"$MP" layout --root "$tmp/root" --profile fedora --prefix "$tmp/pre"
		[ -e "$tmp/pre" ] && t_fail "nothing written for $key with $class"
	done
done
for class in space squote dquote semicolon newline backquote nonutf8; do
	rm -f "$P"/*.conf
	profile fedora upstream "[ \"rsync://127.0.0.1/m/\" ]"
	sed -i "s|\"rsync://127.0.0.1/m/\"|\"rsync://127.0.0.1/m/${HOSTILE[$class]:1:-1}/\"|" "$P/fedora.conf"
	t_error "upstream URL with $class is refused" 2 "fedora.conf:" "$MP" sync --root "$tmp/root" -n fedora
done

# Profile names come from file names and --profile lists.
rm -f "$P"/*.conf
profile fedora
for name in 'a b' "a'b" 'a;b' '$(id)' $'a\nb' 'a%h' $'a\xffb' '../fedora'; do
	t_error "profile name $(printf %q "$name") is refused" 2 "name '" \
		"$MP" layout --root "$tmp/root" --profile "fedora,$name" --prefix "$tmp/pre"
done
cp "$P/fedora.conf" "$P/a b.conf"
t_error "a profile file with a blank in its name is refused" 2 "name 'a b' may contain only" "$MP" profiles
rm -f "$P/a b.conf"

# Accepted but special: '$()' and '%' in the upstream URL, a blank and '%' in
# excludes.  rsync gets each as one argument (a stand-in records its argv).
# (the log's path written in: a program run as the mirror user gets none of our environment)
cat >"$tmp/bin/rsync" <<SH
#!/bin/sh
for a in "\$@"; do printf '%s\\0' "\$a"; done >"$tmp/argv"
SH
chmod +x "$tmp/bin/rsync"
profile fedora upstream '[ "rsync://127.0.0.1/m/$(touch CANARY)x%h/" ]' excludes '[ "with blank", "100%", "*.iso" ]'
sed -i 's|\$(touch CANARY)|$(id)|' "$P/fedora.conf"
# as root the sync runs rsync as mirror.user: one of this run's own, who may write the log
if [ "$(id -u)" = 0 ]; then
	. "$TOP/tests/fixtures/upstream.sh"
	chmod 755 "$tmp"
	mirror_user_add "$tmp" && trap 'mirror_user_del; rm -rf "$tmp"' EXIT
	touch "$tmp/argv" && chown "$MUSER" "$tmp/argv"
fi
printf 'mirror: { root = "%s"; user = "%s"; };\n' "$tmp/root" "${MUSER:-$(id -un)}" >"$tmp/sync.conf"
(cd "$tmp" && PATH=$tmp/bin:$PATH "$MP" sync -c "$tmp/sync.conf" fedora >/dev/null 2>&1)
args=$(tr '\0' '\n' <"$tmp/argv" 2>/dev/null)
for want in 'rsync://127.0.0.1/m/$(id)x%h/' '--exclude=with blank' '--exclude=100%' '--exclude=*.iso'; do
	grep -qxF -- "$want" <<<"$args" && t_ok "rsync gets '$want' as one argument" ||
		t_fail "rsync gets '$want' as one argument" "$args"
done
[ ! -e "$tmp/CANARY" ] && [ ! -e "$tmp/id" ] && t_ok "nothing was run by a shell" || t_fail "nothing was run by a shell"
out=$("$MP" sync --root "$tmp/root" -n fedora 2>&1)
grep -qF "'rsync://127.0.0.1/m/\$(id)x%h/' " <<<"$out" && grep -qF "'--exclude=with blank'" <<<"$out" &&
	t_ok "sync -n quotes what it prints" || t_fail "sync -n quotes what it prints" "$out"
# rsyncd.conf splits exclude lists at blanks and expands %VAR%: refused there.
t_error "layout refuses an exclude with a blank" 2 "unsafe for the generated files" \
	"$MP" layout --root "$tmp/root" --profile fedora --prefix "$tmp/pre"
profile fedora excludes '[ "%RSYNC_USER_NAME%" ]'
t_error "layout refuses an exclude with %VAR%" 2 "unsafe for the generated files" \
	"$MP" layout --root "$tmp/root" --profile fedora --prefix "$tmp/pre"
[ ! -e "$tmp/pre" ] && t_ok "refused layouts wrote nothing" || t_fail "refused layouts wrote nothing"
# ftpsync expands EXCLUDE unquoted: a blank would make a second rsync argument.
cp "$TOP/profiles/debian.conf" "$P/debian.conf"
sed -i 's|^excludes = .*|excludes = [ "x /etc/" ];|' "$P/debian.conf"
grep -q '^excludes = \[ "x /etc/" \]' "$P/debian.conf" || echo 'excludes = [ "x /etc/" ];' >>"$P/debian.conf"
t_error "ftpsync profile with a blank in an exclude is refused" 2 "which ftpsync would split" \
	"$MP" sync --root "$tmp/root" -n debian

# Host configuration values and path options.
hostconf() {
	printf 'mirror: { root = "%s/root"; profiles = [ "fedora" ]; %s };\n' "$tmp" "$1" >"$tmp/host.conf"
}
profile fedora
for class in "${!HOSTILE[@]}"; do
	hostconf "user = ${HOSTILE[$class]};"
	t_error "host.conf mirror.user with $class is refused" 2 "host.conf:1: mirror.user:" \
		"$MP" layout -c "$tmp/host.conf" --prefix "$tmp/pre"
	hostconf "tls_certificate = \"/etc/ssl/${HOSTILE[$class]:1:-1}\"; tls_key = \"/etc/ssl/k\";"
	t_error "host.conf path with $class is refused" 2 "host.conf:1: mirror.tls_certificate:" \
		"$MP" layout -c "$tmp/host.conf" --prefix "$tmp/pre"
done
for root in "$tmp/a b" "$tmp/a;b" "$tmp/\$(id)" $'/srv/a\nb' "$tmp/a%h" $'/srv/\xff'; do
	t_error "--root $(printf %q "$root") is refused" 2 "--root" "$MP" layout --root "$root" --profile fedora \
		--prefix "$tmp/pre"
done
[ ! -e "$tmp/pre" ] && t_ok "nothing written under the prefix" || t_fail "nothing written under the prefix"
t_done
