#!/bin/bash
# Runs every libFuzzer target in build-fuzz/fuzz/ (or those named) for
# FUZZ_SECONDS each, several at once (FUZZ_JOBS, default nproc), and prints one
# TAP line per target: "ok - fuzz NAME (E execs, C edges)".  Any crash, leak,
# timeout or sanitizer report is "not ok" with the reproducer's path.
# The seeds in tests/fuzz/corpus/NAME/ (valid samples, edge cases and past
# crashes) are run first on every run and never modified; new inputs go to a
# scratch corpus, kept in build-fuzz/corpus/NAME/ when FUZZ_KEEP=1 (make fuzz).
# Figures are also written to build-fuzz/fuzz-stats.tsv.  NAME.dict is used as
# the target's dictionary, NAME.options adds libFuzzer flags.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$TOP/build-fuzz/fuzz
OUT=$TOP/build-fuzz
SECONDS_EACH=${FUZZ_SECONDS:-60}
JOBS=${FUZZ_JOBS:-$(nproc)}

targets=("$@")
if [ ${#targets[@]} = 0 ]; then
	for b in "$BIN"/fuzz_*; do [ -x "$b" ] && targets+=("$(basename "$b")"); done
fi
if [ ${#targets[@]} = 0 ]; then
	echo "not ok - fuzz: no targets in $BIN (make fuzz-build)"
	exit 1
fi

export LSAN_OPTIONS="suppressions=$TOP/tests/sanitizer/lsan.supp:print_suppressions=0"
scratch=$OUT/run.$$
mkdir -p "$scratch"
export FUZZ_TMPDIR=$scratch   # the targets' input files (tests/fuzz/fuzz.h)
trap 'rm -rf "$scratch"' EXIT

run_one() {
	local t=$1 seeds=$TOP/tests/fuzz/corpus/$1 work art log flags=()
	if [ "${FUZZ_KEEP:-0}" = 1 ]; then work=$OUT/corpus/$t; else work=$scratch/corpus-$t; fi
	art=$OUT/artifacts/$t/
	log=$OUT/logs/$t.log
	mkdir -p "$work" "$art" "$(dirname "$log")" "$seeds"
	[ -f "$TOP/tests/fuzz/$t.dict" ] && flags=(-dict="$TOP/tests/fuzz/$t.dict")
	# FUZZ_SEED: a fixed mutation sequence, so a CI run can be replayed.
	[ -n "${FUZZ_SEED:-}" ] && flags+=(-seed="$FUZZ_SEED")
	# NAME.options: extra libFuzzer flags, one a line, each with its reason.
	[ -f "$TOP/tests/fuzz/$t.options" ] && flags+=($(grep -v '^#' "$TOP/tests/fuzz/$t.options"))
	# -close_fd_mask=3: the target's own stdout/stderr (verb output, error
	# lines) go to /dev/null; libFuzzer and sanitizer reports still reach the log.
	timeout -k 10 $((SECONDS_EACH + 120)) "$BIN/$t" -max_total_time="$SECONDS_EACH" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 -close_fd_mask=3 -artifact_prefix="$art" \
		"${flags[@]}" "$work" "$seeds" >"$log" 2>&1
	echo $? >"$scratch/$t.rc"
}

running=0
for t in "${targets[@]}"; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait

fail=0
for t in "${targets[@]}"; do
	log=$OUT/logs/$t.log rc=$(cat "$scratch/$t.rc" 2>/dev/null || echo 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	edges=$(grep -ao 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	report=$(grep -aE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|ERROR: libFuzzer|deadly signal' "$log" | head -5)
	if [ "$rc" = 0 ] && [ -z "$report" ] && [ -n "$execs" ]; then
		echo "ok - fuzz ${t#fuzz_} (${execs} execs, ${edges:-0} edges)"
		printf '%s\t%s\t%s\t%s\n' "$t" "$SECONDS_EACH" "$execs" "${edges:-0}" >>"$scratch/stats"
	else
		echo "not ok - fuzz ${t#fuzz_} (exit $rc, log $log)"
		printf '%s\n' "$report" | sed 's/^/# /'
		grep -aE 'Test unit written' "$log" | head -1 | sed 's/^/# /'
		fail=1
	fi
done
{ printf 'target\tseconds\texecs\tedges\n'; cat "$scratch/stats" 2>/dev/null; } >"$OUT/fuzz-stats.tsv"
exit $fail
