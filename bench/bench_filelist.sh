#!/bin/bash
# Targets of the file-list sync (method filelist, issue 15):
#  1. planning a 1,000,000-entry module with 1 % of the entries changed (parse
#     the new and the old list, compare, look at the local tree, write the
#     transfer set): mirrorprov (build/bench/flplan_bench, the code `sync`
#     runs) against quick-fedora-mirror's own planning on the same data, its
#     real script with rsync stubbed (a stand-in that copies the new list in
#     place and transfers nothing), run with -n; at least 10x faster and
#     under 150 MiB peak memory.  mirrorprov is measured twice: as `sync`
#     runs (stat only in directories changed since the last run) and with
#     every entry stat'ed (--full).  Best of 3, warm cache.
#  2. an unchanged upstream: the bytes rsync receives for a `sync` of the
#     same module served by a local rsync daemon (target: the lists only),
#     against a plain `rsync -aSH` of the module.
# quick-fedora-mirror (zsh, public domain) is not part of mirrorprov: give its
# path as QFM=/path/to/quick-fedora-mirror (from pagure.io/quick-fedora-mirror
# or the GitHub copy pkking/quick-mirror-openeuler); without it part 1 prints
# mirrorprov's figures only and says how to get the comparison.
# BENCH_ENTRIES changes the size; the data is kept in build/bench/ between runs.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
N=${BENCH_ENTRIES:-1000000}
WORK=$TOP/build/bench
D=$WORK/fl-$N
mkdir -p "$WORK"
make -s build/bench/flplan_bench build/mirrorprov

if [ ! -f "$D/.complete" ]; then
	rm -rf "$D"
	echo "creating a $N-entry tree and its lists in $D ..."
	python3 bench/fltree.py "$D" "$N"
	touch "$D/.complete"
fi
# The last successful run started after the tree was written (as in a mirror's life).
since=$(($(stat -c %Z "$D/.complete") + 1))
NEW=$D/up/fedora/fullfiletimelist-fedora OLD=$D/local/fedora/fullfiletimelist-fedora

best() { sort -n | head -1; }
# measure OUT COMMAND...: "SECONDS KIB CPU" of the best of 3 (CPU: user + system
# seconds of the command and its children; steadier than the wall clock on a
# machine other jobs share).
measure() {
	local out=$1 t; shift
	for _ in 1 2 3; do
		/usr/bin/time -f '%e %M %U %S' -o "$WORK/time" "$@" >"$out" 2>&1
		awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$WORK/time"
	done | best
}
read -r mp_s mp_kib mp_cpu <<<"$(measure "$WORK/mp.out" build/bench/flplan_bench "$NEW" "$OLD" "$D/local/fedora" "$since" "$WORK/ff")"
read -r mpf_s mpf_kib mpf_cpu <<<"$(measure "$WORK/mpf.out" build/bench/flplan_bench "$NEW" "$OLD" "$D/local/fedora" "$since" "$WORK/ff" full)"
read -r _ mp_transfer mp_delete <"$WORK/mp.out"
echo "mirrorprov planning, $N entries: ${mp_s}s (${mp_cpu}s CPU), $((mp_kib / 1024)) MiB peak;" \
	"every entry stat'ed: ${mpf_s}s (${mpf_cpu}s CPU), $((mpf_kib / 1024)) MiB; $mp_transfer to transfer, $mp_delete to delete"
rc=0
awk -v k="$mp_kib" -v f="$mpf_kib" 'BEGIN { exit !(k < 150 * 1024 && f < 150 * 1024) }' || { echo "FAIL: over 150 MiB"; rc=1; }

QFM=${QFM:-}
if [ -z "$QFM" ] || [ ! -f "$QFM" ] || ! command -v zsh >/dev/null; then
	echo "SKIP quick-fedora-mirror comparison: set QFM=/path/to/quick-fedora-mirror (zsh script, e.g."
	echo "  git clone https://pagure.io/quick-fedora-mirror) and install zsh"
else
	q=$(mktemp -d)
	trap 'rm -rf "$q"' EXIT
	mkdir "$q/bin"
	# rsync stand-in: --version for the script's check; the list fetch copies the
	# new list in place (a new file, as rsync renames); the transfer does nothing.
	cat >"$q/bin/rsync" <<'SH'
#!/bin/bash
ff=
for a in "$@"; do
	case $a in
	--version) echo "rsync  version 3.2.7  protocol version 31"; exit 0 ;;
	--files-from=*) ff=${a#--files-from=} ;;
	esac
done
dest=${!#}
case $ff in
*filelist-transferlist*)
	while read -r p; do cp "$BENCH_UP/$p" "$dest/$p.new" && mv "$dest/$p.new" "$dest/$p"; done <"$ff" ;;
esac
SH
	chmod +x "$q/bin/rsync"
	cat >"$q/qfm.conf" <<EOF
DESTD=$D/local
TIMEFILE=$q/timefile
REMOTE=rsync://127.0.0.1
MASTERMODULE=buffet
MODULES=(fedora-enchilada)
RSYNC=$q/bin/rsync
VERBOSE=2
EOF
	echo "LASTTIME=$since" >"$q/timefile"
	read -r qfm_s qfm_kib qfm_cpu <<<"$(cd "$q" && BENCH_UP=$D/up measure "$q/qfm.out" zsh "$QFM" -c "$q/qfm.conf" -n)"
	qfm_transfer=$(sed -n 's/^Total to transfer: *\([0-9]*\) paths.*/\1/p' "$q/qfm.out")
	ratio=$(awk -v a="$qfm_s" -v b="$mp_s" 'BEGIN { printf "%.1f", a / b }')
	ratiof=$(awk -v a="$qfm_s" -v b="$mpf_s" 'BEGIN { printf "%.1f", a / b }')
	ratioc=$(awk -v a="$qfm_cpu" -v b="$mp_cpu" 'BEGIN { printf "%.1f", a / b }')
	echo "quick-fedora-mirror planning: ${qfm_s}s (${qfm_cpu}s CPU), $((qfm_kib / 1024)) MiB peak, $qfm_transfer to transfer" \
		"(the list and its 2 extra files included); ratio ${ratio}x wall, ${ratioc}x CPU" \
		"(every entry stat'ed: ${ratiof}x wall), target >= 10x; load average $(cut -d' ' -f1 /proc/loadavg)"
	[ "$qfm_transfer" = $((mp_transfer + 3)) ] || { echo "FAIL: the transfer sets differ"; rc=1; }
	awk -v r="$ratio" 'BEGIN { exit !(r >= 10) }' || rc=1
fi

# --- 2. an unchanged upstream: bytes received -----------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
u=$(mktemp -d)
cat >"$u/rsyncd.conf" <<EOF
use chroot = no
uid = root
gid = root
read only = yes
[buffet]
	path = $D/local
EOF
rsync --daemon --no-detach --address=127.0.0.1 --port="$port" --config="$u/rsyncd.conf" &
dpid=$!
trap 'kill $dpid 2>/dev/null; wait $dpid 2>/dev/null; rm -rf "$u" ${q:+"$q"}' EXIT
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done
mkdir "$u/profiles"
cat >"$u/profiles/fedora.conf" <<EOF
description = "bench";
upstream = [ "rsync://127.0.0.1:$port/buffet/fedora/" ];
module = "fedora";
directory = "fedora";
method = "filelist";
filelist = "fullfiletimelist-fedora";
rsync_options = [ "-aSH", "--delay-updates" ];
schedule = "hourly";
size = "1G";
pull = "public";
unverified = [ "upstream", "pull", "method", "rsync_options", "schedule", "size" ];
EOF
# The state of a successful run that installed the list the tree now serves.
# (named as sync/flsync.c names a root's state: '/' as '-', bytes but [A-Za-z0-9.] as _XX)
st=$u/state/filelist/$(python3 -c 'import sys; r = sys.argv[1].lstrip("/")
print("".join(c if (c.isascii() and c.isalnum()) or (c == "." and i) else "-" if c == "/" else "_%02x" % ord(c) for i, c in enumerate(r)))' "$D/local")
mkdir -p "$st/incoming/fedora" "$st/last"
cp -p "$OLD" "$st/incoming/fedora/"
cp -p "$OLD" "$st/last/fedora.list"
echo "start=$since" >"$st/last-run"
# As the timers run it: as an unprivileged user (nobody here), who owns the state.
as=()
if [ "$(id -u)" = 0 ]; then
	chmod 755 "$u"
	chown -R nobody: "$u/state"
	as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
t0=$(date +%s.%N)
json=$(STATE_DIRECTORY=$u/state MIRRORPROV_PROFILE_DIR=$u/profiles "${as[@]}" "$TOP/build/mirrorprov" sync --root "$D/local" -J fedora)
t1=$(date +%s.%N)
got=$(python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["unchanged"], d; print(d["received_bytes"])' <<<"$json")
plain=$(cd "$u" && { /usr/bin/time -f '%e' rsync -aSH --stats --no-human-readable "rsync://127.0.0.1:$port/buffet/fedora/" "$D/local/fedora/" 2>"$u/t"; } |
	sed -n 's/^Total bytes received: //p')
list=$(stat -c %s "$OLD")
echo "unchanged upstream: mirrorprov sync received $got bytes in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')s" \
	"(the list is $list bytes; rsync's quick check skipped it); a plain rsync -aSH of the module received $plain bytes in $(cat "$u/t")s"
[ "$got" -le "$list" ] || { echo "FAIL: more than the lists"; rc=1; }
exit $rc
