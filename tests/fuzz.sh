#!/bin/sh
# fuzz.sh - runs each libFuzzer target of tests/fuzz for FUZZ_SECONDS (default 30), one after the
# other, from the seeds (tests/fuzz/seeds.sh), the saved crashes (tests/fuzz/regressions/) and
# what earlier runs found (the corpus, kept in FUZZ_DIR). Prints one line per target (executions
# per second, executions, coverage) and fails when a target crashed, leaks, or takes over
# FUZZ_TIMEOUT seconds (default 10) on one input; its input is then in FUZZ_DIR/crashes/.
# Runs of different targets may go on at the same time.
# Run by make fuzz in a build configured with --enable-fuzzing (doc/fuzzing.md).
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${FUZZ_BIN:-$PWD/tests/fuzz}
secs=${FUZZ_SECONDS:-30}
timeout=${FUZZ_TIMEOUT:-10}
targets=${FUZZ_TARGETS:-text jsonl date query highlight store}
work=${FUZZ_DIR:-$bin/work}
export FIXTURES="${FIXTURES:-$top/fixtures}" PI_FUZZ_FIXTURES="${FIXTURES:-$top/fixtures}"
# The library's allocations and leaks are checked per input; UBSan stops at the first finding.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

for t in $targets; do
    [ -x "$bin/fuzz-$t" ] || { echo "fuzz.sh: no target $bin/fuzz-$t (configure --enable-fuzzing, then make fuzz)" >&2; exit 1; }
done
mkdir -p "$work/crashes" || exit 1
# Seeds are made afresh in a folder of this run's own, so that runs of other targets can go on
# at the same time (each target keeps its own corpus and logs).
seeds=$(mktemp -d /tmp/pi-fuzz-seeds-XXXXXX) || exit 1
trap 'rm -rf "$seeds"' EXIT
TOP_SRCDIR=$top "$top/tests/fuzz/seeds.sh" "$seeds" || exit 1

# A stack of 1 MB, a thread's size rather than a main program's 8 MB: recursion that only a very
# long input would take deeper than 8 MB (20,000 nested brackets) shows within libFuzzer's 4 KB.
ulimit -s "${FUZZ_STACK_KB:-1024}" || exit 1

failed=0
printf '%-10s %9s %12s %7s  %s\n' target exec/s executions cov result
for t in $targets; do
    mkdir -p "$work/corpus/$t"
    # The target's fixture index goes here: one left by a crash goes with the next run.
    rm -rf "$work/tmp/$t" && mkdir -p "$work/tmp/$t" || exit 1
    dict=
    [ -f "$top/tests/fuzz/$t.dict" ] && dict="-dict=$top/tests/fuzz/$t.dict"
    log="$work/$t.log"
    # The first folder receives what this run finds; the others are read only.
    # shellcheck disable=SC2086
    TMPDIR="$work/tmp/$t" "$bin/fuzz-$t" -max_total_time="$secs" -timeout="$timeout" -print_final_stats=1 \
        -artifact_prefix="$work/crashes/$t-" $dict \
        "$work/corpus/$t" "$seeds/$t" "$top/tests/fuzz/regressions/$t" >"$log" 2>&1
    rc=$?
    execs=$(LC_ALL=C sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(LC_ALL=C sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
    if [ "$rc" -eq 0 ]; then
        result=ok
    else
        failed=1
        result="FAILED (exit $rc): $(grep -a -m1 -E 'ERROR|fuzz: |runtime error|Timeout|leak' "$log" | cut -c1-160)"
        art=$(ls "$work/crashes/$t-"* 2>/dev/null | tail -1)
        [ -n "$art" ] && result="$result; input: $art"
    fi
    printf '%-10s %9s %12s %7s  %s\n' "$t" "${rate:-?}" "${execs:-?}" "${cov:-?}" "$result"
done
[ "$failed" -eq 0 ] || echo "fuzz.sh: see $work/<target>.log; replay an input with tests/fuzz/fuzz-<target> FILE, minimise with -minimize_crash=1 -runs=10000 FILE" >&2
exit "$failed"
