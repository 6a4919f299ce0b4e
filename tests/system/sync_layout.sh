#!/bin/bash
# layout + sync end to end on 127.0.0.1: a real rsync daemon serves the fake
# upstream; `layout --prefix` writes rsyncd/nginx/systemd files; `sync` pulls
# (rsync and two-stage); a second rsync daemon runs the generated rsyncd.conf;
# nginx runs the generated site over http and https; the units pass
# systemd-analyze verify.  Every daemon is stopped on exit.
. "$(dirname "$0")/../lib.sh"
need_root "sync/layout system test"
. "$TOP/tests/fixtures/upstream.sh"

tmp=$(mktemp -d)
chmod 755 "$tmp"   # the generated daemons drop to nobody/www-data
GEN_PID= NGINX_PID=
cleanup() {
	upstream_stop
	mirror_user_del
	[ -n "$GEN_PID" ] && kill "$GEN_PID" 2>/dev/null && wait "$GEN_PID" 2>/dev/null
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export MIRRORPROV_PROFILE_DIR=$TOP/profiles STATE_DIRECTORY=$tmp/state
UP=$TOP/tests/fixtures/upstream
root=$tmp/root prefix=$tmp/prefix

mirror_user_add "$tmp" || { t_fail "mirror user"; t_done; }
upstream_start "$tmp" && t_ok "upstream rsync daemon on 127.0.0.1:$UPSTREAM_PORT" || { t_fail "upstream rsync daemon"; t_done; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 \
	-subj /CN=mirror.test >/dev/null 2>&1
cat >"$tmp/host.conf" <<EOF
host: { name = "mirror.test"; site = "Test"; admin_email = "admin@mirror.test"; country = "DE";
  bandwidth_mbit = 1000; urls: { http = "http://mirror.test/"; https = "https://mirror.test/"; }; };
mirror: { root = "$root"; user = "$MUSER"; profiles = [ "fedora", "ubuntu" ];
  tls_certificate = "$tmp/cert.pem"; tls_key = "$tmp/key.pem"; };
profile: { fedora: { upstream = "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/"; }; };
EOF
L=("$MP" layout -c "$tmp/host.conf" --prefix "$prefix" --binary "$MP")

# --- layout -------------------------------------------------------------------
out=$("${L[@]}" 2>&1); rc=$?
[ $rc = 0 ] && [ -d "$root/fedora" ] && [ -d "$root/ubuntu" ] && [ -f "$prefix/etc/rsyncd.conf" ] &&
	[ "$(readlink "$prefix/etc/nginx/sites-enabled/mirrorprov")" = ../sites-available/mirrorprov ] &&
	t_ok "layout creates tree and files" || t_fail "layout creates tree and files" "rc=$rc" "$out"
case $out in *"need about"*"free"*) t_ok "layout warns about free space";; *) t_fail "layout warns about free space" "$out";; esac
out=$("${L[@]}" 2>/dev/null)
[ "$out" = "no changes" ] && t_ok "second layout: no changes" || t_fail "second layout: no changes" "$out"
out=$("${L[@]}" -n 2>/dev/null)
[ "$(tail -1 <<<"$out")" = "no changes" ] && t_ok "layout -n on a laid-out prefix: nothing to change" || t_fail "layout -n: nothing" "$out"
grep -qx "fedora pulls from rsync://127.0.0.1:$UPSTREAM_PORT/fedora/ ($tmp/host.conf profile.fedora.upstream)" <<<"$out" &&
	grep -qx "ubuntu pulls from rsync://rsync.archive.ubuntu.com/ubuntu/ (profile default)" <<<"$out" &&
	t_ok "layout -n shows where each profile pulls from" || t_fail "layout -n upstreams" "$out"
stamp=$(stat -c %Y.%i "$prefix/etc/rsyncd.conf")
sed -i 's/^timeout = 600/timeout = 1/' "$prefix/etc/rsyncd.conf"
out=$("${L[@]}" -n 2>/dev/null)
case $out in *"-timeout = 1"*"+timeout = 600"*) t_ok "layout -n shows a unified diff";; *) t_fail "layout -n diff" "$out";; esac
grep -q '^timeout = 1' "$prefix/etc/rsyncd.conf" && t_ok "layout -n writes nothing" || t_fail "layout -n writes nothing"
"${L[@]}" >/dev/null 2>&1
[ -f "$prefix/etc/rsyncd.conf~" ] && grep -q '^timeout = 600' "$prefix/etc/rsyncd.conf" &&
	t_ok "layout repairs rsyncd.conf, keeps a backup" || t_fail "layout repairs rsyncd.conf"
unset stamp

# --- sync: rsync method --------------------------------------------------------
S=("$MP" sync -c "$tmp/host.conf")
out=$("${S[@]}" fedora --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/" 2>&1); rc=$?
[ $rc = 0 ] && t_ok "sync fedora" || t_fail "sync fedora" "rc=$rc" "$out"
case $out in "fedora: complete: 3 files ("*" 13 directories, 0 links transferred; 0 deleted; 1 checksums verified; "*) t_ok "sync summary line (method filelist)";; *) t_fail "sync summary line" "$out";; esac
diff -r "$UP/fedora" "$root/fedora" >/dev/null && t_ok "fedora tree identical to upstream" || t_fail "fedora tree identical"
others=$(find "$root/fedora" ! -user "$MUSER" | head -3)
[ -z "$others" ] && t_ok "the tree belongs to mirror.user" || t_fail "the tree belongs to mirror.user" "$others"

# The lock: a second run while one holds the directory is refused at once.
flock --no-fork "$root/fedora" sleep 5 &
lockpid=$!
sleep 0.3
t_error "concurrent sync refused by the lock" 1 "another sync of fedora is running" \
	"${S[@]}" fedora --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/"
kill $lockpid 2>/dev/null; wait $lockpid 2>/dev/null

t_error "unknown upstream module" 1 "rsync exited with 5" \
	"${S[@]}" fedora --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/nosuch/"
t_error "missing file list" 1 "fullfiletimelist-fedora is missing upstream" \
	"${S[@]}" fedora --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/debian/"
sed "s/user = \"$MUSER\"/user = \"nosuchuser\"/" "$tmp/host.conf" >"$tmp/nouser.conf"
t_error "as root, a missing mirror.user is refused, naming the key" 2 "mirror.user 'nosuchuser' does not exist" \
	"$MP" sync -c "$tmp/nouser.conf" fedora --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/"
sed "s/user = \"$MUSER\"/user = \"root\"/" "$tmp/host.conf" >"$tmp/rootuser.conf"
t_error "mirror.user root is refused" 2 "mirror.user 'root' is root" \
	"$MP" sync -c "$tmp/rootuser.conf" fedora --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/"
t_error "ftp upstream refused" 2 "ftp:// is not accepted" "${S[@]}" fedora --upstream "ftp://127.0.0.1/fedora/"
"${S[@]}" fedora --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/" >/dev/null 2>&1
diff -r "$UP/fedora" "$root/fedora" >/dev/null && t_ok "a good sync repairs the tree" || t_fail "a good sync repairs the tree"
# As the generated timers run it (User=mirror.user): not root, so it syncs as itself.
user_copy "$tmp/as-user"
out=$(setpriv --reuid="$MUSER" --regid="$MUSER" --init-groups env MIRRORPROV_PROFILE_DIR="$UPROFILES" \
	"$UMP" sync -c "$tmp/host.conf" fedora \
	--upstream "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/" 2>&1); rc=$?
[ $rc = 0 ] && [ -z "$(find "$root/fedora" ! -user "$MUSER")" ] && t_ok "sync run as mirror.user itself" ||
	t_fail "sync run as mirror.user itself" "rc=$rc" "$out"

# --- sync: two-stage -------------------------------------------------------------
: >"$tmp/upstream-rsyncd.log"
out=$("${S[@]}" ubuntu --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/debian/" -J 2>&1); rc=$?
[ $rc = 0 ] && t_ok "sync ubuntu (two-stage)" || t_fail "sync ubuntu (two-stage)" "rc=$rc" "$out"
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["complete"] and d["stages"]==2 and d["trace"]=="project/trace/mirror.test"' \
	<<<"$out" && t_ok "two-stage JSON result" || t_fail "two-stage JSON result" "$out"
diff -r -x mirror.test "$UP/debian" "$root/ubuntu" >/dev/null && t_ok "archive identical to upstream" || t_fail "archive identical"
head -1 "$root/ubuntu/project/trace/mirror.test" | grep -q 'UTC' && [ "$(stat -c %U "$root/ubuntu/project/trace/mirror.test")" = "$MUSER" ] &&
	t_ok "trace file written, by mirror.user" || t_fail "trace file written"
# The upstream's transfer log: first connection sends the pool, second the index files.
log=$tmp/upstream-rsyncd.log
pkg=$(grep -n 'send .*pool/main/h/hello/hello_2.10-3_amd64.deb' "$log" | cut -d: -f1)
idx=$(grep -n 'send .*dists/stable/main/binary-amd64/Packages' "$log" | cut -d: -f1)
rel=$(grep -n 'send .*dists/stable/InRelease' "$log" | cut -d: -f1)
pids=$(grep -o '\[[0-9]*\] send' "$log" | sort -u | wc -l)
if [ -n "$pkg" ] && [ -n "$idx" ] && [ -n "$rel" ] && [ "$pkg" -lt "$idx" ] && [ "$pkg" -lt "$rel" ] && [ "$pids" = 2 ]; then
	t_ok "two-stage: index files arrive after the packages they name"
else
	t_fail "two-stage order" "pkg=$pkg idx=$idx rel=$rel connections=$pids" "$(cat "$log")"
fi
out=$("$MP" sync -c "$tmp/host.conf" -n ubuntu 2>&1)
[ "$(grep -c '^rsync ' <<<"$out")" = 2 ] && grep -q "exclude=Packages\*" <<<"$(head -1 <<<"$out")" &&
	! grep -q -- '--delete' <<<"$(head -1 <<<"$out")" && grep -q -- '--delete-after' <<<"$(tail -1 <<<"$out")" &&
	t_ok "sync -n shows both stages" || t_fail "sync -n shows both stages" "$out"

# --- sync: ftpsync (Debian's own tool, configured from the profile) -----------------
out=$("${S[@]}" debian --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/debian/" 2>&1); rc=$?
[ $rc = 0 ] && t_ok "sync debian via ftpsync" || t_fail "sync debian via ftpsync" "rc=$rc" "$out"
grep -q "^MIRRORNAME='mirror.test'$" "$tmp/home/.config/ftpsync/ftpsync.conf" &&
	grep -q "^TO='$root/debian/'$" "$tmp/home/.config/ftpsync/ftpsync.conf" &&
	t_ok "ftpsync.conf (ftpsync's name for the main archive) written from the profile" || t_fail "ftpsync.conf"
diff -r -x trace "$UP/debian" "$root/debian" >/dev/null && [ -f "$root/debian/project/trace/mirror.test" ] &&
	t_ok "ftpsync mirrored the archive and wrote its trace" || t_fail "ftpsync result"

# --- the generated rsyncd.conf serves the tree ------------------------------------
generated_rsyncd_start "$tmp" "$prefix"
# Module lines are "NAME<tab>COMMENT" (--no-motd would hide the list too).
mods=$(rsync "rsync://127.0.0.1:$GEN_PORT/" | awk -F'\t' 'NF==2{sub(/ +$/,"",$1); print $1}' | sort | tr '\n' ' ')
[ "$mods" = "fedora ubuntu " ] && t_ok "generated rsyncd lists exactly the profile modules" || t_fail "generated rsyncd modules" "$mods"
f=linux/updates/40/Everything/x86_64/repodata/repomd.xml
rsync --no-motd "rsync://127.0.0.1:$GEN_PORT/fedora/$f" "$tmp/pulled.xml" 2>&1 &&
	cmp -s "$tmp/pulled.xml" "$UP/fedora/$f" && t_ok "client pulls a file identical to upstream" || t_fail "client pull"
rsync "rsync://127.0.0.1:$GEN_PORT/" 2>/dev/null | grep -q "mirror.test: public mirror" &&
	t_ok "generated motd is shown" || t_fail "generated motd is shown"

# --- nginx runs the generated site ---------------------------------------------------
HP=$(free_port) SP=$(free_port)
sed -e "s/listen 80;/listen 127.0.0.1:$HP;/" -e "s/listen 443 ssl;/listen 127.0.0.1:$SP ssl;/" \
	-e '/listen \[::\]/d' "$prefix/etc/nginx/sites-available/mirrorprov" >"$tmp/site.conf"
nginx_conf "$tmp" "$prefix/etc/nginx/sites-available/mirrorprov" "daemon off;" >"$tmp/nginx-as-generated.conf"
nginx_conf "$tmp" "$tmp/site.conf" "daemon off;" >"$tmp/nginx.conf"
out=$(nginx -t -c "$tmp/nginx-as-generated.conf" 2>&1) && t_ok "nginx -t accepts the generated site" || t_fail "nginx -t" "$out"
nginx -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" 2>/dev/null &
NGINX_PID=$!
wait_port "$HP" && wait_port "$SP"
rpm=linux/releases/40/Everything/x86_64/os/Packages/h/hello-2.12-1.fc40.x86_64.rpm
curl -sf "http://127.0.0.1:$HP/fedora/$rpm" -o "$tmp/http.rpm"
curl -sfk "https://127.0.0.1:$SP/fedora/$rpm" -o "$tmp/https.rpm"
cmp -s "$tmp/http.rpm" "$UP/fedora/$rpm" && cmp -s "$tmp/https.rpm" "$UP/fedora/$rpm" &&
	t_ok "the same file over http and https" || t_fail "same file over http and https"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/fedora/")
[ "$code" = 200 ] && t_ok "http: directory index, no redirect" || t_fail "http index" "$code"
code=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$SP/ubuntu/")
[ "$code" = 200 ] && t_ok "https: directory index, no redirect" || t_fail "https index" "$code"
for u in "fedora/$f" ubuntu/dists/stable/InRelease ubuntu/dists/stable/main/binary-amd64/Packages fedora/fullfiletimelist-fedora; do
	h=$(curl -skI "https://127.0.0.1:$SP/$u" | tr -d '\r')
	grep -qi '^cache-control: no-cache, must-revalidate' <<<"$h" && t_ok "no-cache header on $u" || t_fail "no-cache on $u" "$h"
done
h=$(curl -sI "http://127.0.0.1:$HP/fedora/$rpm" | tr -d '\r')
! grep -qi '^cache-control' <<<"$h" && t_ok "packages are cacheable" || t_fail "packages are cacheable" "$h"
mkdir -p "$root/fedora/.~tmp~" && echo partial >"$root/fedora/.~tmp~/x"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HP/fedora/.~tmp~/x")
[ "$code" = 404 ] && t_ok "partial .~tmp~ files are not served" || t_fail "partial files hidden" "$code"

# --- systemd -------------------------------------------------------------------------
# The installed templates (as `make install` writes them, running $MP) and the
# drop-ins layout wrote, in systemd's search path: each profile's units are
# instances mirrorprov-sync@NAME of the templates.
units=$tmp/units
mkdir -p "$units"
for u in "$TOP"/contrib/systemd/*; do sed "s|@SBINDIR@/mirrorprov|$MP|" "$u" >"$units/${u##*/}"; done
export SYSTEMD_UNIT_PATH=$prefix/etc/systemd/system:$units:
out=$(systemd-analyze verify --man=no mirrorprov-sync@fedora.service mirrorprov-sync@fedora.timer \
	mirrorprov-sync@ubuntu.service mirrorprov-sync@ubuntu.timer 2>&1)
[ -z "$out" ] && t_ok "systemd-analyze verify accepts the instances with their drop-ins" || t_fail "systemd-analyze verify" "$out"
out=$(systemd-analyze verify --man=no mirrorprov-sync@nodropin.service mirrorprov-sync@nodropin.timer 2>&1)
[ -z "$out" ] && t_ok "systemd-analyze verify accepts the bare templates" || t_fail "verify bare templates" "$out"
# The drop-in is read: a broken ExecStart= in it is what verify reports.
cp -r "$prefix/etc/systemd/system/mirrorprov-sync@fedora.service.d" "$units/mirrorprov-sync@broken.service.d"
sed -i 's|^ExecStart=/.*|ExecStart=/nonexistent/mirrorprov sync broken|' "$units/mirrorprov-sync@broken.service.d/layout.conf"
out=$(systemd-analyze verify --man=no mirrorprov-sync@broken.service 2>&1)
grep -q '/nonexistent/mirrorprov is not executable' <<<"$out" && t_ok "the instance's drop-in is what systemd reads" ||
	t_fail "drop-in read by systemd" "$out"
unset SYSTEMD_UNIT_PATH
grep -q "^ExecStart=$MP sync -c $tmp/host.conf fedora\$" "$prefix/etc/systemd/system/mirrorprov-sync@fedora.service.d/layout.conf" &&
	grep -qx 'RandomizedDelaySec=1200' "$prefix/etc/systemd/system/mirrorprov-sync@fedora.timer.d/schedule.conf" &&
	grep -qx "OnCalendar=$("$MP" profiles show fedora -J | python3 -c 'import json,sys; print(json.load(sys.stdin)["schedule"])')" \
		"$prefix/etc/systemd/system/mirrorprov-sync@fedora.timer.d/schedule.conf" &&
	t_ok "drop-ins: mirrorprov sync NAME, the profile's schedule and delay" || t_fail "drop-in contents"

# Enabling an instance (what --enable runs, offline here) puts every sync in
# timers.target, which is what `systemctl list-timers 'mirrorprov-sync@*'` lists.
sys=$tmp/sysroot
mkdir -p "$sys/lib/systemd/system" "$sys/etc/systemd"
cp "$units"/mirrorprov-sync@.* "$sys/lib/systemd/system/"
cp -r "$prefix/etc/systemd/system" "$sys/etc/systemd/"
out=$(systemctl --root="$sys" enable mirrorprov-sync@fedora.timer mirrorprov-sync@ubuntu.timer 2>&1)
[ "$(readlink "$sys/etc/systemd/system/timers.target.wants/mirrorprov-sync@fedora.timer")" = /lib/systemd/system/mirrorprov-sync@.timer ] &&
	[ -L "$sys/etc/systemd/system/timers.target.wants/mirrorprov-sync@ubuntu.timer" ] &&
	t_ok "systemctl enable mirrorprov-sync@NAME.timer: instances of the template in timers.target" ||
	t_fail "systemctl enable of the instances" "$out"

# layout enables nothing unless asked, and says what to run; --enable runs it
# (systemctl recorded by a stand-in: no systemd runs here).
bin=$tmp/bin
mkdir -p "$bin"
ln -s "$TOP/tests/standins/record-argv" "$bin/systemctl"
L2=("$MP" layout -c "$tmp/host.conf" --binary "$MP")
out=$(PATH=$bin:$PATH STANDIN_LOG=$tmp/sc "${L2[@]}" -n 2>&1 >/dev/null)
[ ! -e "$tmp/sc.argv" ] && grep -qF 'to start the syncs: systemctl daemon-reload; systemctl enable --now mirrorprov-sync@fedora.timer mirrorprov-sync@ubuntu.timer' <<<"$out" &&
	t_ok "layout without --enable: runs no systemctl, says what to run" || t_fail "layout without --enable" "$out" "$(cat "$tmp/sc.argv" 2>/dev/null)"
out=$(PATH=$bin:$PATH STANDIN_LOG=$tmp/sc "${L2[@]}" -n --enable 2>&1 >/dev/null)
[ ! -e "$tmp/sc.argv" ] && grep -qF 'would start the syncs: systemctl daemon-reload; systemctl enable --now' <<<"$out" &&
	t_ok "layout -n --enable: runs no systemctl" || t_fail "layout -n --enable" "$out"
t_done
