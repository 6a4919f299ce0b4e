#!/bin/bash
# Runs every test (cmocka unit tests in the normal and the sanitizer build, and
# the shell tests in tests/cli against both binaries) and ends with
# "N passed, N failed".  Exit status is non-zero when anything failed.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
export TOP
pass=0 fail=0 failed_names=()
log=$(mktemp)

count() {   # count TAP lines of the output in $log
	local p f
	p=$(grep -cE '^ok ' "$log"); f=$(grep -cE '^not ok ' "$log")
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$f" -gt 0 ] || [ "$1" != 0 ]; then
		grep -E '^(not ok|#)' "$log" | head -60
		failed_names+=("$2")
		[ "$f" = 0 ] && fail=$((fail + 1)) && echo "not ok - $2 exited $1"
	fi
}

run_unit() {
	local bin=$1 rc
	CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1 "$bin" >"$log" 2>&1; rc=$?
	echo "== $bin: $(grep -cE '^ok ' "$log") passed"
	count "$rc" "$bin"
}

run_shell() {
	local script=$1 mp=$2 rc
	MP=$mp timeout 1200 bash "$script" >"$log" 2>&1; rc=$?
	echo "== $script ($(basename "$(dirname "$mp")")): $(grep -cE '^ok ' "$log") passed"
	count "$rc" "$script ($mp)"
}

for b in build/tests/test_* build-asan/tests/test_*; do
	[ -x "$b" ] && run_unit "$b"
done
for t in tests/cli/*.sh; do
	run_shell "$t" "$TOP/build/mirrorprov"
	run_shell "$t" "$TOP/build-asan/mirrorprov"
done
for t in tests/system/*.sh; do
	[ -f "$t" ] && run_shell "$t" "$TOP/build/mirrorprov"
done
rm -f "$log"
[ ${#failed_names[@]} -gt 0 ] && printf 'failed: %s\n' "${failed_names[@]}"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
