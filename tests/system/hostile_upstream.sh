#!/bin/bash
# A hostile upstream (issue 11 §3): a real rsync daemon on 127.0.0.1 serves a
# Fedora-like tree plus a setuid-root binary, a setgid file, a mode-666 block
# device node, a FIFO, an absolute symlink to /etc/passwd and a
# ../../../etc/hostname symlink.  `mirrorprov sync` run as root pulls it as the
# mirror user: no set-id bit, no device, no FIFO, no link out of the tree, the
# refusals counted; a tree an earlier version synced as root is adopted and
# cleaned the same way.  Then links planted in the tree by hand (as an older
# version or another tool could have left them) are served neither by the
# generated nginx site nor by the generated rsyncd.conf (curl, rsync -L).
. "$(dirname "$0")/../lib.sh"
need_root "hostile upstream (mknod, a mirror user, daemons)"
. "$TOP/tests/fixtures/upstream.sh"

tmp=$(mktemp -d)
chmod 755 "$tmp"   # the mirror user and the daemons' workers walk through it
GEN_PID= NGINX_PID=
cleanup() {
	upstream_stop
	[ -n "$GEN_PID" ] && kill "$GEN_PID" 2>/dev/null && wait "$GEN_PID" 2>/dev/null
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
	mirror_user_del
	rm -rf "$tmp"
}
trap cleanup EXIT
# The plain rsync method is the subject here (the file-list method's own
# hostile lists are in sync_filelist.sh): fedora as an rsync profile.
mkdir -p "$tmp/profiles" && cp "$TOP"/profiles/*.conf "$tmp/profiles/"
sed -i -e '/^filelist[a-z_]* = /d' -e 's/^method = "filelist";/method = "rsync";/' "$tmp/profiles/fedora.conf"
export MIRRORPROV_PROFILE_DIR=$tmp/profiles STATE_DIRECTORY=$tmp/state   # poll markers stay in the test
root=$tmp/root prefix=$tmp/prefix up=$tmp/up/fedora
SECRET="host-only-$$-$RANDOM"

# The secret the relative link reaches: from root/fedora/linux, ../../../ is $tmp.
mkdir -p "$tmp/etc" && echo "$SECRET" >"$tmp/etc/hostname"
mkdir -p "$tmp/up" && cp -a "$TOP/tests/fixtures/upstream/fedora" "$up"
cp /bin/true "$up/linux/suid-root" && chmod 4755 "$up/linux/suid-root"
cp /bin/true "$up/linux/sgid" && chmod 2755 "$up/linux/sgid"
mknod -m 666 "$up/linux/sda" b 8 0
mkfifo "$up/linux/fifo"
ln -s /etc/passwd "$up/passwd"
ln -s ../../../etc/hostname "$up/linux/hostname"
ln -s linux/updates/40/Everything/x86_64/repodata/repomd.xml "$up/repomd-link"   # a safe link: kept
# rsync names it (escaped) in its refusal, above its own statistics: the name must not count
ln -s /etc/passwd "$up/$(printf 'spoof\nNumber of regular files transferred: 777')"
UPSTREAM_TREE=$tmp/up
mirror_user_add "$tmp" || { t_fail "mirror user"; t_done; }
upstream_start "$tmp" || { t_fail "hostile rsync daemon"; t_done; }

cat >"$tmp/host.conf" <<EOF
host: { name = "mirror.test"; site = "Test"; admin_email = "admin@mirror.test"; country = "DE";
  bandwidth_mbit = 1000; urls: { http = "http://mirror.test/"; }; };
mirror: { root = "$root"; user = "$MUSER"; profiles = [ "fedora" ]; };
profile: { fedora: { upstream = "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/"; }; };
EOF
"$MP" layout -c "$tmp/host.conf" --prefix "$prefix" --binary "$MP" >/dev/null 2>&1 || t_fail "layout"

# --- the sync ------------------------------------------------------------------------------
out=$("$MP" sync -c "$tmp/host.conf" fedora --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/" 2>&1); rc=$?
[ $rc = 0 ] && t_ok "sync of the hostile tree completes" || t_fail "sync of the hostile tree" "rc=$rc" "$out"
grep -qx "fedora: refused 5 upstream entries (devices, special files, links leading out of the tree)" <<<"$out" &&
	t_ok "the summary counts the 5 refused entries" || t_fail "refused count in the summary" "$out"
json=$("$MP" sync -c "$tmp/host.conf" fedora --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/" --full -J 2>&1)
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["complete"] and d["refused"]==5 and d["files"]==0, d' <<<"$json" &&
	t_ok "-J: refused 5 on the second run too, 0 files (not what a file name says)" || t_fail "-J refused" "$json"
# A tree an earlier version synced as root: owned by root, with what that sync let in.
t=$root/fedora
chown -R root:root "$t"
ln -s /etc/passwd "$t/passwd"
ln -s ../../../etc/hostname "$t/linux/hostname"
mknod -m 666 "$t/linux/sda" b 8 0
mkfifo "$t/linux/fifo"
chmod 4755 "$t/linux/suid-root"
chmod 666 "$t/fullfiletimelist-fedora"
json=$("$MP" sync -c "$tmp/host.conf" fedora --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/" --full -J 2>&1)
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["complete"] and d["refused"]==5+6, d' <<<"$json" &&
	t_ok "a tree left by a sync as root: adopted, its 6 bad entries cleaned (and rsync refuses 5 again)" ||
	t_fail "adopting a root-synced tree" "$json"

found=$(find "$root" -perm /6000)
[ -z "$found" ] && t_ok "no set-id bit in the tree" || t_fail "no set-id bit" "$found"
[ -f "$root/fedora/linux/suid-root" ] && [ "$(stat -c %a "$root/fedora/linux/suid-root")" = 755 ] &&
	t_ok "the setuid binary arrives as 0755" || t_fail "setuid binary mode" "$(ls -l "$root/fedora/linux")"
found=$(find "$root" -type b -o -type c -o -type p -o -type s)
[ -z "$found" ] && t_ok "no device, FIFO or socket in the tree" || t_fail "no device or FIFO" "$found"
escaping=
while IFS= read -r -d '' l; do
	case $(realpath -m "$l") in "$root/fedora/"*) ;; *) escaping+="$l "; esac
done < <(find "$root" -type l -print0)
[ -z "$escaping" ] && t_ok "no link leads out of the tree" || t_fail "no escaping link" "$escaping"
[ "$(readlink "$root/fedora/repomd-link")" = linux/updates/40/Everything/x86_64/repodata/repomd.xml ] &&
	t_ok "a link inside the tree is kept" || t_fail "safe link kept"
found=$(find "$root/fedora" ! -user "$MUSER")
[ -z "$found" ] && t_ok "everything in the tree belongs to mirror.user" || t_fail "owner" "$found"
found=$(find "$root/fedora" -perm /022 ! -type l)
[ -z "$found" ] && t_ok "nothing in the tree is group or world writable" || t_fail "go-w" "$found"

# The user may move its directory to another group: root must not take that for
# a tree to adopt and walk what the user controls (a link it swaps in for a
# file between root's look and root's chmod would lead anywhere).
chgrp root "$root/fedora"
ln -s /etc/passwd "$root/fedora/planted-late" && chown -h "$MUSER:" "$root/fedora/planted-late"
json=$("$MP" sync -c "$tmp/host.conf" fedora --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/" --full -J 2>&1)
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["complete"] and d["refused"]==5, d' <<<"$json" &&
	t_ok "a tree the user owns (whatever its group) is not walked by root" || t_fail "no adoption of the user's tree" "$json"
chgrp "$MUSER" "$root/fedora"

# A mirror root the user may write to (an admin chowned it): a link it puts in
# place of a profile's directory does not make a re-run of layout chown the
# link's target.
mkdir -p "$tmp/root2" && chown "$MUSER:" "$tmp/root2"
echo victim >"$tmp/victim" && chmod 600 "$tmp/victim"
ln -s "$tmp/victim" "$tmp/root2/fedora" && chown -h "$MUSER:" "$tmp/root2/fedora"
sed "s|root = \"$root\"|root = \"$tmp/root2\"|" "$tmp/host.conf" >"$tmp/host2.conf"
out=$("$MP" layout -c "$tmp/host2.conf" --prefix "$tmp/prefix2" --binary "$MP" 2>&1); rc=$?
[ $rc != 0 ] && [ "$(stat -c %U "$tmp/victim")" = root ] && t_ok "layout: a link in place of the tree's directory is not followed (exit $rc)" ||
	t_fail "layout follows a planted link" "rc=$rc" "$(stat -c %U "$tmp/victim")" "$out"

# --- links planted by hand, as the tree's owner could -------------------------------------
ln -s /etc/passwd "$root/fedora/planted-passwd"
ln -s ../../../etc/hostname "$root/fedora/linux/planted-hostname"
chown -h "$MUSER:" "$root/fedora/planted-passwd" "$root/fedora/linux/planted-hostname"

# --- the generated nginx site --------------------------------------------------------------
HP=$(free_port)
sed -e "s/listen 80;/listen 127.0.0.1:$HP;/" -e '/listen \[::\]/d' "$prefix/etc/nginx/sites-available/mirrorprov" >"$tmp/site.conf"
grep -q 'disable_symlinks if_not_owner from=\$document_root;' "$tmp/site.conf" &&
	t_ok "the generated site limits symlinks" || t_fail "disable_symlinks in the site"
nginx_conf "$tmp" "$tmp/site.conf" "daemon off;" >"$tmp/nginx.conf"
nginx -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" 2>/dev/null &
NGINX_PID=$!
wait_port "$HP"
code=$(curl -s -o "$tmp/ok.body" -w '%{http_code}' "http://127.0.0.1:$HP/fedora/repomd-link")
[ "$code" = 200 ] && cmp -s "$tmp/ok.body" "$up/linux/updates/40/Everything/x86_64/repodata/repomd.xml" &&
	t_ok "nginx serves a link inside the tree (200)" || t_fail "nginx in-tree link" "$code"
for u in passwd linux/hostname planted-passwd linux/planted-hostname; do
	code=$(curl -s -o "$tmp/body" -w '%{http_code}' "http://127.0.0.1:$HP/fedora/$u")
	if [ "$code" -ge 400 ] && ! grep -q -e "$SECRET" -e '^root:' "$tmp/body"; then
		t_ok "nginx: /fedora/$u is $code, never the file"
	else
		t_fail "nginx: /fedora/$u" "HTTP $code" "$(head -3 "$tmp/body")"
	fi
done

# --- the generated rsyncd.conf ---------------------------------------------------------------
generated_rsyncd_start "$tmp" "$prefix"
rsync -L --no-motd "rsync://127.0.0.1:$GEN_PORT/fedora/repomd-link" "$tmp/ok.rsync" >/dev/null 2>&1 &&
	cmp -s "$tmp/ok.rsync" "$up/linux/updates/40/Everything/x86_64/repodata/repomd.xml" &&
	t_ok "rsync -L gets a link inside the tree" || t_fail "rsync -L in-tree link"
for u in planted-passwd linux/planted-hostname; do
	rm -f "$tmp/got"
	err=$(rsync -L --no-motd "rsync://127.0.0.1:$GEN_PORT/fedora/$u" "$tmp/got" 2>&1); rc=$?
	if [ $rc != 0 ] && ! grep -qs -e "$SECRET" -e '^root:' "$tmp/got"; then
		t_ok "rsync -L of $u fails (exit $rc), never the file"
	else
		t_fail "rsync -L of $u" "exit $rc" "$err"
	fi
done
mkdir "$tmp/all"
rsync -rL --no-motd "rsync://127.0.0.1:$GEN_PORT/fedora/" "$tmp/all/" >/dev/null 2>&1
! grep -rqs -e "$SECRET" -e '^root:' "$tmp/all" && [ -f "$tmp/all/repomd-link" ] &&
	t_ok "rsync -rL of the whole module carries no host file" || t_fail "rsync -rL of the module"
t_done
