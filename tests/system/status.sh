#!/bin/bash
# `mirrorprov status` end to end on 127.0.0.1: a real rsync daemon serves the
# fake upstream; sync and check append to the history; the generated nginx
# site and rsyncd serve the tree and the status page.  Shown: the history
# after syncs and checks (one valid JSON object per line, owned by
# mirror.user); status rows and exit codes for fresh, failed, stale and never
# synced profiles; corrupt and torn history lines skipped with a warning;
# promtool check metrics on the textfile; the page in headless Chromium from
# the real nginx (DOM rows per profile, a screenshot kept in
# build/test-artifacts/), tidy -e, and hostile history text escaped;
# propagation against an upstream that moved on: current, behind by the
# trace's difference, different (a marker without a time), recorded.
. "$(dirname "$0")/../lib.sh"
need_root "status system test"
. "$TOP/tests/fixtures/upstream.sh"

tmp=$(mktemp -d)
chmod 755 "$tmp"   # the generated daemons drop to nobody/www-data
GEN_PID= NGINX_PID= NEW_PID=
cleanup() {
	upstream_stop
	[ -n "$NEW_PID" ] && kill "$NEW_PID" 2>/dev/null && wait "$NEW_PID" 2>/dev/null
	[ -n "$GEN_PID" ] && kill "$GEN_PID" 2>/dev/null && wait "$GEN_PID" 2>/dev/null
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export MIRRORPROV_PROFILE_DIR=$TOP/profiles STATE_DIRECTORY=$tmp/state
H=$STATE_DIRECTORY/history.jsonl
root=$tmp/root prefix=$tmp/prefix
ART=$TOP/build/test-artifacts
mkdir -p "$ART"

upstream_start "$tmp" || { t_fail "upstream rsync daemon"; t_done; }
HP=$(free_port) SP=$(free_port) GP=$(free_port)
# a test CA and a certificate for 127.0.0.1: the https URL is checked and compared too
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mirrorprov-test-ca -keyout "$tmp/ca.key" -out "$tmp/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$tmp/srv.key" -out "$tmp/srv.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$tmp/ext"
openssl x509 -req -in "$tmp/srv.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial -days 2 -extfile "$tmp/ext" \
	-out "$tmp/srv.pem" 2>/dev/null
cat >"$tmp/host.conf" <<EOF
host: { name = "mirror.test"; site = "Test"; admin_email = "admin@mirror.test"; country = "DE"; bandwidth_mbit = 1000;
  urls: { http = "http://127.0.0.1:$HP/"; https = "https://127.0.0.1:$SP/"; rsync = "rsync://127.0.0.1:$GP/"; }; };
mirror: { root = "$root"; user = "nobody"; profiles = [ "fedora", "ubuntu", "epel", "rpmfusion" ];
  tls_certificate = "$tmp/srv.pem"; tls_key = "$tmp/srv.key";
  status_path = "/status/"; prometheus_file = "$tmp/node/mirrorprov.prom"; };profile: { fedora: { upstream = "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/"; };
  ubuntu: { upstream = "rsync://127.0.0.1:$UPSTREAM_PORT/debian/"; };
  epel: { upstream = "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/"; };
  rpmfusion: { upstream = "rsync://127.0.0.1:$UPSTREAM_PORT/fedora/"; }; };
EOF
mkdir -p "$tmp/node" && chown nobody "$tmp/node"   # the timers run sync as mirror.user: it writes the textfile
"$MP" layout -c "$tmp/host.conf" --prefix "$prefix" --binary "$MP" >/dev/null 2>&1 ||
	{ t_fail "layout"; t_done; }
S=("$MP" sync -c "$tmp/host.conf")
ST=("$MP" status -c "$tmp/host.conf")
PR=("$MP" status -c "$tmp/host.conf" --propagation --ca "$tmp/ca.pem")
UPF=rsync://127.0.0.1:$UPSTREAM_PORT/fedora/ UPD=rsync://127.0.0.1:$UPSTREAM_PORT/debian/

# --- history after syncs ---------------------------------------------------------------
"${S[@]}" fedora --upstream "$UPF" >/dev/null 2>&1 && "${S[@]}" ubuntu --upstream "$UPD" >/dev/null 2>&1 &&
	t_ok "sync fedora and ubuntu" || t_fail "sync fedora and ubuntu"
"${S[@]}" ubuntu --upstream "rsync://127.0.0.1:$UPSTREAM_PORT/nosuch/" >/dev/null 2>&1
python3 - "$H" "$TOP/tests/fixtures/upstream" <<'EOF' && t_ok "history: one record per run, head first, markers and lag" || t_fail "history records" "$(cat "$H")"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert [(r["type"], r["profile"], r["result"]) for r in recs] == [("sync", "fedora", "ok"), ("sync", "ubuntu", "ok"), ("sync", "ubuntu", "failed")], recs
assert all(list(r)[:3] == ["type", "profile", "time"] for r in recs)
f, u, bad = recs
# fedora is a file-list profile: its list is its marker, with upstream's time (rsync -t kept it)
assert f["files"] >= 4 and f["tree_bytes"] > 0 and f["upstream_marker"]["path"] == "fullfiletimelist-fedora" and len(f["upstream_marker"]["sha256"]) == 64
assert f["poll"] == "changed" and f["upstream_marker"]["time_from"] == "mtime" and f["lag_seconds"] == f["time"] - f["upstream_marker"]["time"], f
import os
assert f["upstream_marker"]["time"] == int(os.stat(sys.argv[2] + "/fedora/fullfiletimelist-fedora").st_mtime), f
# ubuntu: the upstream's trace (master, a date inside) against the host's own trace
assert u["upstream_marker"]["time_from"] == "content" and u["local_marker"]["path"] == "project/trace/mirror.test", u
assert u["lag_seconds"] == u["local_marker"]["time"] - u["upstream_marker"]["time"] >= 0, u
assert bad["exit_code"] == 5 and "message" in bad and "upstream_marker" not in bad, bad
assert all(r["fs_size_bytes"] >= r["fs_used_bytes"] > 0 for r in recs)
EOF
[ "$(stat -c '%U %a' "$H")" = "nobody 644" ] && t_ok "history belongs to mirror.user, mode 644" ||
	t_fail "history owner" "$(stat -c '%U %a' "$H")"
[ "$(stat -c '%U' "$STATE_DIRECTORY/status" "$STATE_DIRECTORY/status/index.html" | sort -u)" = nobody ] &&
	t_ok "the page root wrote belongs to mirror.user" || t_fail "page owner" "$(ls -la "$STATE_DIRECTORY/status")"
# the timers run sync as mirror.user: it appends to the history and replaces the page
n=$(wc -l <"$H")
user_copy "$tmp/as-user"
su -s /bin/sh nobody -c "STATE_DIRECTORY=$STATE_DIRECTORY MIRRORPROV_PROFILE_DIR=$UPROFILES $UMP sync -c $tmp/host.conf fedora --upstream rsync://127.0.0.1:$UPSTREAM_PORT/nosuch/" >/dev/null 2>"$tmp/err"
[ "$(wc -l <"$H")" = $((n + 1)) ] && [ "$(stat -c %U "$STATE_DIRECTORY/status/index.html")" = nobody ] &&
	! grep -qE "history|status not written" "$tmp/err" && t_ok "sync as mirror.user appends and rewrites the page" ||
	t_fail "sync as mirror.user" "$(cat "$tmp/err")"
sed -i '$d' "$H"   # that run failed on purpose: the rows below expect the earlier ones

# --- the generated rsyncd and nginx serve the tree and the page; check records ---------
rsync --daemon --no-detach --address=127.0.0.1 --port="$GP" --config="$prefix/etc/rsyncd.conf" \
	--log-file="$tmp/gen-rsyncd.log" --dparam="lockfile=$tmp/gen.lock" \
	--dparam="motdfile=$prefix/etc/mirrorprov/rsyncd.motd" &
GEN_PID=$!
sed -e "s/listen 80;/listen 127.0.0.1:$HP;/" -e "s/listen 443 ssl;/listen 127.0.0.1:$SP ssl;/" -e '/listen \[::\]/d' \
	"$prefix/etc/nginx/sites-available/mirrorprov" >"$tmp/site.conf"
grep -q "location ^~ /status/ {" "$tmp/site.conf" && grep -q "alias $STATE_DIRECTORY/status/;" "$tmp/site.conf" &&
	t_ok "generated nginx site serves the page at status_path" || t_fail "nginx status location" "$(cat "$tmp/site.conf")"
nginx_conf "$tmp" "$tmp/site.conf" "daemon off;" >"$tmp/nginx.conf"
nginx -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" 2>/dev/null &
NGINX_PID=$!
wait_port "$HP" && wait_port "$SP" && wait_port "$GP"
"$MP" check -c "$tmp/host.conf" -p fedora,ubuntu --ca "$tmp/ca.pem" >/dev/null 2>&1
python3 - "$H" "$HP" "$GP" <<'EOF' && t_ok "history: one check record per profile with each URL" || t_fail "check records" "$(tail -2 "$H")"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])][-2:]
assert [(r["type"], r["profile"]) for r in recs] == [("check", "fedora"), ("check", "ubuntu")], recs
for r in recs:
    assert [u["url"].split(":")[0] for u in r["urls"]] == ["http", "https", "rsync"], r
    assert r["result"] == "pass" and all(u["result"] == "pass" for u in r["urls"]), r
EOF

out=$("$MP" status -c "$tmp/host.conf" --propagation -p fedora --upstream "$UPF" 2>/dev/null); rc=$?
[ $rc = 1 ] && grep -qE '^fedora +https://.* different .*certificate' <<<"$out" && grep -qE '^fedora +http://.* current' <<<"$out" &&
	t_ok "propagation: an untrusted certificate makes https different, never current" || t_fail "propagation untrusted" "rc=$rc" "$out"

# --- status rows and exit codes ------------------------------------------------------------
# epel: one success three days ago (its threshold: 2 x 1 h (hourly) + 6 h (timeout) = 8 h); rpmfusion never ran.
old=$(( $(date +%s) - 3 * 86400 ))
printf '{"type":"sync","profile":"epel","time":%d,"start":%d,"result":"ok","files":1,"bytes":1}\n' "$old" $((old - 60)) >>"$H"
row() { python3 -c "import json,sys; d=json.load(sys.stdin); p={x['profile']: x for x in d['profiles']}; $1"; }
out=$("${ST[@]}" -p fedora -J 2>"$tmp/err"); rc=$?
[ $rc = 0 ] && row 'f=p["fedora"]; assert not f["stale"] and f["last_result"] == "ok" and f["age_seconds"] < 600 and f["tree_bytes"] > 0 and [c["result"] for c in f["checks"]] == ["pass"] * 3, f' <<<"$out" &&
	t_ok "status: fresh profile exits 0" || t_fail "status fresh" "rc=$rc" "$out" "$(cat "$tmp/err")"
out=$("${ST[@]}" -p ubuntu -J 2>"$tmp/err"); rc=$?
[ $rc = 0 ] && row 'u=p["ubuntu"]; assert not u["stale"] and u["last_result"] == "failed" and "code 5" in u["last_message"] and u["last_success"] and u["upstream_lag_seconds"] is not None, u' <<<"$out" &&
	t_ok "status: a failed run within the threshold is shown, exit 0" || t_fail "status failed" "rc=$rc" "$out"
out=$("${ST[@]}" -p epel -J 2>"$tmp/err"); rc=$?
[ $rc = 4 ] && row 'e=p["epel"]; assert e["stale"] and e["age_seconds"] >= 3 * 86400 and e["stale_after_seconds"] == 28800, e' <<<"$out" &&
	t_ok "status: stale profile exits 4" || t_fail "status stale" "rc=$rc" "$out"
out=$("${ST[@]}" 2>"$tmp/err"); rc=$?
[ $rc = 4 ] && grep -qE '^fedora +fresh ' <<<"$out" && grep -qE '^ubuntu +fresh .* failed ' <<<"$out" &&
	grep -qE '^epel +STALE ' <<<"$out" && grep -qE '^rpmfusion +STALE +- +- +never ran ' <<<"$out" &&
	t_ok "status table: a row per profile, exit 4 with any stale" || t_fail "status table" "rc=$rc" "$out"

# --- corrupt and torn lines -----------------------------------------------------------------
printf 'not json at all\n{"type":"sync","profile":"../x","time":1}\n{"type":"sync","profile":"fedora","time":' >>"$H"
out=$("${ST[@]}" -p fedora 2>"$tmp/err"); rc=$?
[ $rc = 0 ] && grep -q "3 corrupt lines skipped" "$tmp/err" && grep -qE '^fedora +fresh' <<<"$out" &&
	t_ok "corrupt lines: skipped with a warning, never fatal" || t_fail "corrupt lines" "rc=$rc" "$(cat "$tmp/err")" "$out"
"${S[@]}" fedora --upstream "$UPF" >/dev/null 2>&1
tail -1 "$H" | python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); assert r["profile"] == "fedora" and r["result"] == "ok"' &&
	[ "$(grep -c '^{"type":"sync","profile":"fedora","time":[0-9]*$' "$H")" = 1 ] &&
	t_ok "a torn last line is ended before the next record" || t_fail "torn line" "$(tail -3 "$H")"
# a run that finds upstream unchanged (the poll): nothing pulled, the tree size of the last pull still shown
# (--upstream: fedora alone; epel, a file-list profile too, has no list upstream here)
"${S[@]}" fedora --upstream "$UPF" >/dev/null 2>&1
lag=$(grep '"profile":"fedora"' "$H" | grep '"lag_seconds"' | tail -1 | python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["lag_seconds"])')
tail -1 "$H" | python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); assert r["poll"] == "unchanged" and "tree_bytes" not in r and "lag_seconds" not in r and r["upstream_marker"], r' &&
	"${ST[@]}" -p fedora -J 2>/dev/null | row 'f=p["fedora"]; assert f["tree_bytes"] > 0 and f["last_result"] == "ok" and f["age_seconds"] < 5 and f["upstream_lag_seconds"] == '"$lag"', f' &&
	t_ok "a run the poll skipped (file list unchanged) is a success now, tree size and lag from the last pull" || t_fail "skipped run" "$(tail -1 "$H")"

# --- Prometheus ------------------------------------------------------------------------------
[ -s "$tmp/node/mirrorprov.prom" ] && t_ok "sync wrote mirror.prometheus_file" || t_fail "prometheus file after sync"
sed "s|prometheus_file = \"[^\"]*\"|prometheus_file = \"$tmp/nonexistent/m.prom\"|" "$tmp/host.conf" >"$tmp/host2.conf"
"$MP" sync -c "$tmp/host2.conf" fedora --upstream "$UPF" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 0 ] && grep -q "warning: status not written ($tmp/nonexistent/m.prom: No such file or directory)" "$tmp/err" &&
	t_ok "an unwritable textfile is a warning: the sync succeeded" || t_fail "textfile failure after sync" "rc=$rc" "$(cat "$tmp/err")"
"${ST[@]}" --prometheus "$tmp/m.prom" >/dev/null 2>&1
if command -v promtool >/dev/null; then
	out=$(promtool check metrics <"$tmp/m.prom" 2>&1) && t_ok "promtool check metrics accepts the textfile" ||
		t_fail "promtool check metrics" "$out"
else
	echo "not ok - promtool check metrics # promtool missing (make deps installs prometheus)"; T_FAILED=1
fi
grep -q "^mirrorprov_check_up{profile=\"fedora\",url=\"http://127.0.0.1:$HP/fedora\"} 1$" "$tmp/m.prom" &&
	grep -q '^mirrorprov_stale{profile="epel"} 1$' "$tmp/m.prom" &&
	grep -q '^mirrorprov_sync_last_success_timestamp_seconds{profile="ubuntu"} [0-9]' "$tmp/m.prom" &&
	grep -q '^mirrorprov_history_corrupt_lines 3$' "$tmp/m.prom" &&
	t_ok "textfile values: check_up per URL, stale, last success" || t_fail "textfile values" "$(cat "$tmp/m.prom")"

# --- propagation ------------------------------------------------------------------------------
out=$("${PR[@]}" -p fedora --upstream "$UPF" -J 2>"$tmp/err"); rc=$?
[ $rc = 0 ] && python3 -c 'import json,sys; rows=json.load(sys.stdin)["propagation"]; assert [(r["url"].split(":")[0], r["state"]) for r in rows] == [("http", "current"), ("https", "current"), ("rsync", "current")], rows' <<<"$out" &&
	t_ok "propagation: http, https and rsync serve what upstream serves" || t_fail "propagation current" "rc=$rc" "$out" "$(cat "$tmp/err")"
# upstream moves on: a new master trace (one hour later) and a new file list
cp -a "$TOP/tests/fixtures/upstream" "$tmp/newup"
sed -i '1s/.*/Mon Nov 25 17:00:00 UTC 2024/' "$tmp/newup/debian/project/trace/master"
echo "changed" >>"$tmp/newup/fedora/fullfiletimelist-fedora"
NP=$(free_port)
printf 'use chroot = no\nuid = nobody\ngid = nogroup\nread only = yes\n[debian]\n\tpath = %s\n[fedora]\n\tpath = %s\n' \
	"$tmp/newup/debian" "$tmp/newup/fedora" >"$tmp/new-rsyncd.conf"
chmod -R a+rX "$tmp/newup"
rsync --daemon --no-detach --address=127.0.0.1 --port="$NP" --config="$tmp/new-rsyncd.conf" &
NEW_PID=$!
wait_port "$NP"
out=$("${PR[@]}" -p ubuntu --upstream "rsync://127.0.0.1:$NP/debian/" 2>"$tmp/err"); rc=$?
[ $rc = 1 ] && [ "$(grep -c "behind by 1 h " <<<"$out")" = 3 ] && grep -q "project/trace/master differs (older)" <<<"$out" &&
	t_ok "propagation: behind by the traces' difference" || t_fail "propagation behind" "rc=$rc" "$out" "$(cat "$tmp/err")"
out=$("${PR[@]}" -p fedora --upstream "rsync://127.0.0.1:$NP/fedora/" 2>"$tmp/err"); rc=$?
[ $rc = 1 ] && [ "$(grep -cE '^fedora +[a-z]+://127.0.0.1:[0-9]+/fedora +different +fullfiletimelist-fedora differs' <<<"$out")" = 3 ] &&
	t_ok "propagation: a marker without a time that differs is different" || t_fail "propagation different" "rc=$rc" "$out"
tail -1 "$H" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
assert r["type"] == "propagation" and r["profile"] == "fedora", r
assert r["upstream"]["url"].endswith("/fedora") and len(r["upstream"]["markers"][0]["sha256"]) == 64, r
assert [u["state"] for u in r["urls"]] == ["different"] * 3, r' &&
	t_ok "propagation recorded in the history" || t_fail "propagation record" "$(tail -1 "$H")"
out=$("${ST[@]}" -p ubuntu -J 2>/dev/null)
python3 -c 'import json,sys; u=json.load(sys.stdin)["profiles"][0]; assert [p["state"] for p in u["propagation"]] == ["behind"] * 3 and u["propagation"][0]["behind_seconds"] == 3600, u' <<<"$out" &&
	t_ok "status shows the last propagation per URL" || t_fail "status propagation" "$out"
grep -q '^mirrorprov_propagation_current{profile="ubuntu",url="rsync://127.0.0.1:'"$GP"'/ubuntu"} 0$' "$tmp/node/mirrorprov.prom" &&
	t_ok "propagation in the textfile" || t_fail "propagation in the textfile" "$(grep propagation "$tmp/node/mirrorprov.prom")"

# --- root never writes or chowns through a link planted in mirror.user's state ----------------
mv "$H" "$H.saved"; echo root-only >"$tmp/victim"; chmod 600 "$tmp/victim"; ln "$tmp/victim" "$H"
"${S[@]}" fedora --upstream "$UPF" >/dev/null 2>"$tmp/err"
[ "$(stat -c '%U %a' "$tmp/victim")" = "root 600" ] && [ "$(cat "$tmp/victim")" = root-only ] &&
	grep -q "this run is not in the history .*Operation not permitted" "$tmp/err" &&
	t_ok "a history file hard-linked to root's file: neither appended to nor given away" || t_fail "hard-linked history" "$(cat "$tmp/err")"
rm -f "$H"; ln -s "$tmp/victim" "$H"
"${S[@]}" fedora --upstream "$UPF" >/dev/null 2>"$tmp/err"
[ "$(stat -c '%U %a' "$tmp/victim")" = "root 600" ] && [ "$(cat "$tmp/victim")" = root-only ] &&
	t_ok "a history file that is a link: not followed" || t_fail "symlinked history" "$(cat "$tmp/err")"
rm -f "$H"; mv "$H.saved" "$H"
# the textfile's directory is mirror.user's, and so is the state directory under the units:
# a link planted as the textfile or as the page's directory leads nowhere root writes
mkdir -p "$tmp/victim-dir"; mv "$STATE_DIRECTORY/status" "$tmp/status.saved"
ln -s "$tmp/victim-dir" "$STATE_DIRECTORY/status"
su -s /bin/sh nobody -c "ln -sfn '$tmp/victim' '$tmp/node/mirrorprov.prom'"
"${S[@]}" fedora --upstream "$UPF" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc = 0 ] && [ "$(stat -c '%U %a' "$tmp/victim" "$tmp/victim-dir" | sort -u | tr '\n' ' ')" = "root 600 root 755 " ] &&
	[ "$(cat "$tmp/victim")" = root-only ] && [ ! -e "$tmp/victim-dir/index.html" ] && grep -q "status not written" "$tmp/err" &&
	t_ok "links planted as the textfile and the page's directory: root writes and chowns nothing behind them" ||
	t_fail "planted output links" "rc=$rc" "$(cat "$tmp/err")" "$(ls -la "$tmp/victim" "$tmp/victim-dir")"
rm -f "$STATE_DIRECTORY/status" "$tmp/node/mirrorprov.prom"; mv "$tmp/status.saved" "$STATE_DIRECTORY/status"

# --- the page -----------------------------------------------------------------------------------
printf '{"type":"sync","profile":"rpmfusion","time":%d,"start":%d,"result":"failed","message":"<script>alert(1)</script> & \\u001b[31m"}\n' \
	"$(date +%s)" "$(date +%s)" >>"$H"
"${S[@]}" fedora --upstream "$UPF" >/dev/null 2>&1   # regenerates the page
curl -sf "http://127.0.0.1:$HP/status/" -o "$tmp/page.html" && grep -q "<title>Mirror status: mirror.test</title>" "$tmp/page.html" &&
	t_ok "nginx serves the page sync regenerated" || t_fail "page served" "$(tail -3 "$tmp/nginx-error.log")"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt; &amp; ' "$tmp/page.html" && ! grep -q '<script' "$tmp/page.html" &&
	! grep -q $'\e' "$tmp/page.html" && t_ok "history text is escaped in the page" || t_fail "escaping" "$(grep -n alert "$tmp/page.html")"
out=$("${ST[@]}" -p rpmfusion 2>/dev/null)
grep -qF '<script>alert(1)</script> & \x1b[31m' <<<"$out" && ! grep -q $'\e' <<<"$out" &&
	t_ok "history text reaches the terminal escaped" || t_fail "terminal escaping" "$(cat -v <<<"$out")"
grep -qE 'src=|href="(https?:)?//|<link|@import|url\(' "$tmp/page.html" && t_fail "page is self-contained" ||
	t_ok "page is self-contained (no external asset)"
if command -v tidy >/dev/null; then
	out=$(tidy -e -q "$tmp/page.html" 2>&1); rc=$?
	[ $rc = 0 ] && t_ok "tidy -e: no errors, no warnings" || t_fail "tidy -e" "rc=$rc" "$out"
else
	echo "not ok - tidy -e # tidy missing (make deps installs it)"; T_FAILED=1
fi
if command -v chromium >/dev/null; then
	C=(timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
		--disable-background-networking --disable-component-update --disable-sync --user-data-dir="$tmp/chromium")
	"${C[@]}" --dump-dom "http://127.0.0.1:$HP/status/" >"$tmp/dom.html" 2>"$tmp/chromium.err"
	python3 - "$tmp/dom.html" <<'EOF' && t_ok "Chromium's DOM holds a table row per profile and the plots" || t_fail "Chromium DOM" "$(head -c 2000 "$tmp/dom.html")" "$(tail -5 "$tmp/chromium.err")"
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.rows = []; self.stack = []; self.svg = 0; self.script = 0; self.cur = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table" and a.get("id") == "freshness": self.cur = []
        if tag == "th" and a.get("scope") == "row" and self.cur is not None: self.stack.append("")
        if tag == "svg": self.svg += 1; assert a.get("role") == "img" and a.get("aria-label"), a
        if tag == "script": self.script += 1
    def handle_endtag(self, tag):
        if tag == "th" and self.stack and self.cur is not None: self.cur.append(self.stack.pop().strip())
        if tag == "table" and self.cur is not None: self.rows = self.cur; self.cur = None
    def handle_data(self, d):
        if self.stack: self.stack[-1] += d
p = P(); p.feed(open(sys.argv[1]).read())
assert p.rows == ["fedora", "ubuntu", "epel", "rpmfusion"], p.rows
assert p.svg == 12 and p.script == 0, (p.svg, p.script)
EOF
	for w in 1200 390; do
		"${C[@]}" --window-size="$w,2400" --hide-scrollbars --screenshot="$ART/status-page-$w.png" \
			"http://127.0.0.1:$HP/status/" >/dev/null 2>&1
	done
	[ -s "$ART/status-page-1200.png" ] && [ -s "$ART/status-page-390.png" ] &&
		t_ok "screenshots (desktop, phone) in build/test-artifacts/" || t_fail "screenshots"
else
	echo "not ok - status page in Chromium # chromium missing (make deps installs it)"; T_FAILED=1
fi
t_done
