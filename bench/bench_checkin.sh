#!/bin/bash
# Speed target of `mirrorprov register` (mirrormanager checkin): building the
# payload base64url(bz2(JSON)) for a tree of 100,000 directories must be at least
# 10x faster than report_mirror's Python os.walk loop, with an identical decoded
# result.  Best of 5 runs each, warm cache.  BENCH_DIRS / BENCH_FILES (files per
# leaf directory) change the tree; it is kept in build/bench/ between runs.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
DIRS=${BENCH_DIRS:-100000}
FILES=${BENCH_FILES:-16}
WORK=$TOP/build/bench
TREE=$WORK/tree-$DIRS-$FILES
mkdir -p "$WORK"

# the driver links the same objects as build/mirrorprov
make -s build/bench/checkin_payload
if [ ! -f "$TREE/.complete" ]; then
	rm -rf "$TREE"
	echo "creating $DIRS directories, $FILES files per leaf in $TREE ..."
	python3 bench/mktree.py "$TREE" "$DIRS" "$FILES"
	touch "$TREE/.complete"
fi

best() { sort -n | head -1; }
c_times=() py_times=()
for i in 1 2 3 4 5; do
	c_times+=("$("$WORK/checkin_payload" "$TREE" "$WORK/c.b64" 2>"$WORK/c.split")")
	py_times+=("$(python3 bench/checkin_baseline.py "$TREE" "$WORK/py.b64")")
done
c=$(printf '%s\n' "${c_times[@]}" | best)
py=$(printf '%s\n' "${py_times[@]}" | best)
cat "$WORK/c.split"
python3 bench/checkin_compare.py "$WORK/c.b64" "$WORK/py.b64"
ratio=$(awk -v a="$py" -v b="$c" 'BEGIN { printf "%.1f", a / b }')
echo "checkin payload, $DIRS dirs ($FILES files per leaf): mirrorprov ${c}s (runs ${c_times[*]}), python os.walk ${py}s (runs ${py_times[*]}), ratio ${ratio}x (target >= 10x)"
awk -v r="$ratio" 'BEGIN { exit !(r >= 10) }'
