#!/bin/bash
# Runs every test and ends with "N passed, N failed" (non-zero exit when
# anything failed):
#  - cmocka unit tests: the normal build under valgrind (--leak-check=full, any
#    report fails), and the ASan/UBSan build;
#  - tests/cli/*.sh against both binaries;
#  - tests/system/*.sh against both binaries, unless a script has a line
#    "# mp-test: no-asan REASON" (then the normal binary only);
#  - the libFuzzer targets in build-fuzz/ for FUZZ_SECONDS each (tests/fuzz/run.sh);
#  - first, the layer order of the #include lines (tests/layers.sh) and its self-test,
#    and no function in cli/ over 60 lines (tests/funclen.sh, universal-ctags);
# UBSan reports are written to files (log_path) and any report fails the test
# that produced it, whatever its exit code; so does an ASan report in a test's
# output.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
export TOP
pass=0 fail=0 failed_names=()
log=$(mktemp)
san=$(mktemp -d)
STATE_DIRECTORY=$(mktemp -d); export STATE_DIRECTORY   # the history of every sync and check the tests run
trap 'rm -rf "$log" "$log.vg" "$san" "$STATE_DIRECTORY"' EXIT
# No log_path for ASan: with it the ASan binary dies at start-up under
# umockdev's LD_PRELOAD (raid-inspect tests).  ASan errors and leaks still end
# the program with a non-zero exit, which the tests check.
export ASAN_OPTIONS="detect_leaks=1"
export UBSAN_OPTIONS="print_stacktrace=1:log_path=$san/ubsan"
export LSAN_OPTIONS="suppressions=$TOP/tests/sanitizer/lsan.supp:print_suppressions=0"

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

# Appends a "not ok" line to $log for each sanitizer report written meanwhile.
sanitizer_reports() {
	local f
	for f in "$san"/*; do
		[ -f "$f" ] || continue
		echo "not ok - $1: sanitizer report"
		grep -E 'ERROR|SUMMARY|runtime error' "$f" | head -5 | sed 's/^/# /'
		rm -f "$f"
	done >>"$log"
	if grep -qE '^==[0-9]+==ERROR: (Address|Leak)Sanitizer' "$log"; then
		echo "not ok - $1: sanitizer report in its output" >>"$log"
	fi
}

run_unit() {
	local bin=$1 rc vg=() how="" vglog=$log.vg
	case $bin in build/*) vg=(valgrind -q --error-exitcode=1 --leak-check=full
		--suppressions="$TOP/tests/sanitizer/valgrind.supp" --log-file="$vglog") how=" (valgrind)";; esac
	CMOCKA_MESSAGE_OUTPUT=TAP "${vg[@]}" "$bin" >"$log" 2>&1; rc=$?
	sanitizer_reports "$bin"
	if [ ${#vg[@]} -gt 0 ] && [ -s "$vglog" ]; then
		{ echo "not ok - $bin: valgrind report"; head -20 "$vglog" | sed 's/^/# /'; } >>"$log"
	fi
	rm -f "$vglog"
	echo "== $bin$how: $(grep -cE '^ok ' "$log") passed"
	count "$rc" "$bin"
}

run_shell() {
	local script=$1 mp=$2 rc
	MP=$mp timeout 1200 bash "$script" >"$log" 2>&1; rc=$?
	sanitizer_reports "$script"
	echo "== $script ($(basename "$(dirname "$mp")")): $(grep -cE '^ok ' "$log") passed"
	count "$rc" "$script ($mp)"
}

{ bash tests/layers.sh; r1=$?; bash tests/layers.sh --self-test; r2=$?; [ $r1 = 0 ] && [ $r2 = 0 ]; } >"$log" 2>&1; rc=$?
echo "== tests/layers.sh: $(grep -cE '^ok ' "$log") passed"
count "$rc" "tests/layers.sh"

bash tests/funclen.sh --max 60 cli >"$log" 2>&1; rc=$?
echo "== tests/funclen.sh: $(grep -cE '^ok ' "$log") passed"
count "$rc" "tests/funclen.sh"

for b in build/tests/test_* build-asan/tests/test_*; do
	[ -x "$b" ] && run_unit "$b"
done
for t in tests/cli/*.sh; do
	run_shell "$t" "$TOP/build/mirrorprov"
	run_shell "$t" "$TOP/build-asan/mirrorprov"
done
for t in tests/system/*.sh; do
	[ -f "$t" ] || continue
	run_shell "$t" "$TOP/build/mirrorprov"
	grep -q '^# mp-test: no-asan' "$t" || run_shell "$t" "$TOP/build-asan/mirrorprov"
done
if [ -d build-fuzz/fuzz ]; then
	tests/fuzz/run.sh >"$log" 2>&1; rc=$?
	cat "$log"
	count "$rc" "tests/fuzz/run.sh"
fi
[ ${#failed_names[@]} -gt 0 ] && printf 'failed: %s\n' "${failed_names[@]}"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
