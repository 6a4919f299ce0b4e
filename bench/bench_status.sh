#!/bin/bash
# Speed and memory target of `mirrorprov status`: a year of history for the 14
# shipped profiles, one sync record per profile every 15 minutes (490,560
# records, as the writer lays them out), one URL check per profile a day;
# nectar's last month all failures.  Targets: under 200 ms and 64 MiB peak RSS
# for the table, the same run with --prometheus, and --html (30 days of
# plots).  The machine is shared: the CPU time of the best run is printed
# beside its wall time.  Peer: what admins write by hand, a Python json-lines reader of the
# whole file keeping the last record per profile (best of 5 each, warm cache).
# The history is kept in build/bench/ between runs.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
WORK=$TOP/build/bench/status
export STATE_DIRECTORY=$WORK/state MIRRORPROV_PROFILE_DIR=$TOP/profiles
H=$STATE_DIRECTORY/history.jsonl
mkdir -p "$STATE_DIRECTORY" "$WORK/root"
PROFILES=$(ls profiles/*.conf | xargs -n1 basename | sed 's/\.conf$//' | paste -sd,)
make -s build/mirrorprov

if [ ! -f "$WORK/.complete" ]; then
	echo "writing a year of history for $(tr ',' '\n' <<<"$PROFILES" | wc -l) profiles to $H ..."
	python3 - "$H" "$PROFILES" <<'EOF'
import json, sys, time, random
path, names = sys.argv[1], sys.argv[2].split(",")
random.seed(1)
now = int(time.time()) // 900 * 900
start = now - 365 * 86400
with open(path, "w") as f:
    for t in range(start, now, 900):
        for i, p in enumerate(names):
            dur = random.randint(20, 900)
            ok = not (i == 0 and t > now - 30 * 86400)
            rec = {"type": "sync", "profile": p, "time": t + i, "start": t + i - dur, "result": "ok" if ok else "failed"}
            if not ok:
                rec.update(exit_code=10, message="rsync: failed to connect to upstream (111): Connection refused")
            rec.update(files=random.randint(0, 500), bytes=random.randint(0, 1 << 32), tree_bytes=(1 << 40) + t)
            if ok:
                rec["upstream_marker"] = {"path": "fullfiletimelist-" + p, "sha256": "%064x" % random.getrandbits(256),
                                          "time": t - 3600, "time_from": "mtime"}
                rec["lag_seconds"] = 3600 + i
            rec.update(fs_used_bytes=(40 << 40) + t, fs_size_bytes=100 << 40)
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")
            if t % 86400 == 0:
                urls = [{"url": "%s://mirror.example.edu/%s" % (s, p), "result": "pass", "files": 20, "markers": 1, "failed": 0}
                        for s in ("http", "https", "rsync")]
                f.write(json.dumps({"type": "check", "profile": p, "time": t + 60, "start": t + 30, "result": "pass",
                                    "urls": urls}, separators=(",", ":")) + "\n")
EOF
	touch "$WORK/.complete"
fi
records=$(wc -l <"$H")
size=$(du -m "$H" | cut -f1)

best() { sort -n | head -1; }
measure() {   # measure LABEL ARGS...: best of 5 wall seconds, the CPU seconds and peak RSS of that run
	local label=$1 t m u s bt=9 bm=0 bc=0; shift
	for _ in 1 2 3 4 5; do
		/usr/bin/time -f '%e %M %U %S' -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || [ $? = 4 ] ||
			{ cat "$WORK/err"; exit 1; }
		read -r t m u s < <(tail -1 "$WORK/time")   # after time's "Command exited with non-zero status 4"
		if awk -v a="$t" -v b="$bt" 'BEGIN { exit !(a < b) }'; then bt=$t bm=$m bc=$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }'); fi
	done
	echo "$label: ${bt}s wall (${bc}s CPU), peak RSS $((bm / 1024)) MiB"
	eval "${label//[^a-z]/_}_t=$bt ${label//[^a-z]/_}_m=$bm"
}
S=(build/mirrorprov status --root "$WORK/root" -p "$PROFILES")
measure "status" "${S[@]}"
measure "status prometheus" "${S[@]}" --prometheus "$WORK/mirrorprov.prom"
measure "status html" "${S[@]}" --html "$WORK/html"
measure "python peer" python3 -c '
import json, sys
last = {}
for line in open(sys.argv[1]):
    try:
        r = json.loads(line)
    except ValueError:
        continue
    last[(r["profile"], r["type"], r.get("result") == "ok")] = r
print(len(last))' "$H"
ratio=$(awk -v a="$python_peer_t" -v b="$status_t" 'BEGIN { printf "%.0f", a / (b > 0.001 ? b : 0.001) }')
echo "status over $records records ($size MiB): table ${status_t}s / $((status_m / 1024)) MiB," \
	"--prometheus ${status_prometheus_t}s / $((status_prometheus_m / 1024)) MiB," \
	"--html ${status_html_t}s / $((status_html_m / 1024)) MiB; python peer ${python_peer_t}s; ratio ${ratio}x" \
	"(target < 0.2 s and < 64 MiB each)"
for v in "$status_t $status_m" "$status_prometheus_t $status_prometheus_m" "$status_html_t $status_html_m"; do
	set -- $v
	awk -v t="$1" -v m="$2" 'BEGIN { exit !(t < 0.2 && m < 65536) }' || exit 1
done
