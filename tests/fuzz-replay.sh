#!/bin/sh
# fuzz-replay.sh - each fuzz target (tests/fuzz), built with an ordinary main, runs once over its
# seeds and every saved crash in tests/fuzz/regressions/: what the fuzzer found stays fixed, with
# no clang needed (doc/fuzzing.md). Under --enable-sanitizers this runs under ASan and UBSan.
. "$(dirname "$0")/lib.sh"
: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${FUZZ_BIN:=tests/fuzz}"
export PI_FUZZ_FIXTURES="$FIXTURES"
export TMPDIR="$TMP" # the query and highlighting targets' fixture index, even after a crash

TOP_SRCDIR=$TOP_SRCDIR FIXTURES=$FIXTURES "$TOP_SRCDIR/tests/fuzz/seeds.sh" "$TMP/seeds"
rc=$?
ok; [ "$rc" -eq 0 ] || fail "seeds.sh failed"
for t in text jsonl date query highlight store; do
    run "$FUZZ_BIN/replay-$t" "$TMP/seeds/$t" "$TOP_SRCDIR/tests/fuzz/regressions/$t"
    expect_rc 0 "replay of the $t target's seeds and regressions"
    n=$(printf '%s' "$out" | sed -n 's/ inputs replayed//p')
    ok; [ "${n:-0}" -gt 0 ] || fail "$t: no input replayed ($out)"
done
finish
