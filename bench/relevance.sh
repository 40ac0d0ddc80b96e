#!/usr/bin/env bash
# bench/relevance.sh - relevance of pressindex's ranking: the judged press-release development set,
# then the judged IR collections (issue 8, point 2).
#
# usage: bench/relevance.sh [--rebuild] [--no-ir] [--per-query] [--ir-quality]
#
# 1. Indexes the development corpus (../shared/relevance-dev/README.md): whitehouse + lk_pmd + the
#    seed, in one `pressindex index` into bench/out/relevance/index (reused unless --rebuild, or
#    rebuilt when it was written by another version of pressindex).
# 2. Runs the 24 queries of relevance-dev/queries.tsv through the real search path,
#    `pressindex search --json --limit 20` with the default options (collapse on) plus
#    $PRESSINDEX_SEARCH_OPTS, into bench/out/relevance/run.tsv (qid, pid, rank).
# 3. bench/releval.py prints nDCG@10, P@10 and judged@10 per query kind (`all` first) next to the
#    reference engines' nDCG@10 (computed by the same code from relevance-dev/runs/, checked against
#    the README's table); --per-query adds each query's nDCG@10 and the best reference's.
# 4. Unless --no-ir: nDCG@10 of the IR collections (TIME, NPL, LISA, CISI, Cranfield, MEDLINE, ADI)
#    next to the best peer and plain-Xapian figures of the issues, measured by `releval.py ir`
#    through the same `pressindex search` (and $PRESSINDEX_SEARCH_OPTS) as the dev set: indexes
#    under bench/out/relevance/ir/NAME, reused unless --rebuild. --ir-quality measures them with
#    bench/quality.sh instead (library defaults only; its own query preparation and indexes, so
#    its figures differ by up to .01 per collection; it also prints MAP and plain Xapian measured
#    in the same run).
#
# Environment:
#   PRESSINDEX_SHARED       the shared folder (default: $REPO/../shared)
#   PRESSINDEX_SEARCH_OPTS  extra `pressindex search` options (word-split), e.g. "--context-weight 0":
#                           vary the ranking without rebuilding the index
#   PRESSINDEX_BIN, PRESSINDEX_LIBDIR  measure a copied build (a pressindex binary and the folder
#                           of its libpressindex.so) instead of the build tree's
#   PRESSINDEX_PEERS        the reference programs for quality.sh (default: bench/out/peers)
# Everything printed is also written to bench/out/relevance/relevance.txt. Build first (make -j2);
# the script runs make only when the binary is missing. Never part of `make check`.
set -eu -o pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
SHARED=${PRESSINDEX_SHARED:-$REPO/../shared}
SHARED=$(cd "$SHARED" && pwd)
DEV=$SHARED/relevance-dev
CORPORA=$SHARED/corpus
OUT=$BENCH/out/relevance
EVAL=$BENCH/releval.py

log() { printf '%s\n' "$*" >&2; }
die() { printf 'relevance: %s\n' "$*" >&2; exit 1; }

REBUILD=0 IR=1 PER_QUERY=() IR_OWN=1
while [ $# -gt 0 ]; do
    case $1 in
        --rebuild) REBUILD=1 ;;
        --no-ir) IR=0 ;;
        --per-query) PER_QUERY=(--per-query) ;;
        --ir-own) IR_OWN=1 ;;
        --ir-quality) IR_OWN=0 ;;
        -h|--help) sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument $1 (see --help)" ;;
    esac
    shift
done

for f in queries.tsv qrels.txt kinds.tsv seed.jsonl; do
    [ -f "$DEV/$f" ] || die "no $DEV/$f (set PRESSINDEX_SHARED)"
done
INPUTS=("$CORPORA/whitehouse/releases.jsonl.gz" "$CORPORA/lk_pmd/releases.jsonl.gz" "$DEV/seed.jsonl")
for f in "${INPUTS[@]}"; do [ -f "$f" ] || die "no $f"; done
mkdir -p "$OUT"

# The built binary itself (not libtool's wrapper script) against the build tree's library.
PI_BIN=${PRESSINDEX_BIN:-$REPO/src/cli/.libs/pressindex}
[ -x "$PI_BIN" ] || PI_BIN=$REPO/src/cli/pressindex
if [ ! -x "$PI_BIN" ]; then
    log "building pressindex (make -j2)"
    make -C "$REPO" -j2 >"$OUT/make.log" 2>&1 || die "make failed: see $OUT/make.log"
    PI_BIN=$REPO/src/cli/.libs/pressindex
    [ -x "$PI_BIN" ] || PI_BIN=$REPO/src/cli/pressindex
    [ -x "$PI_BIN" ] || die "no pressindex binary after make"
fi
export LD_LIBRARY_PATH=${PRESSINDEX_LIBDIR:-$REPO/src/lib/.libs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
pressindex() { "$PI_BIN" "$@"; }

START=$(date +%s)
IDX=$OUT/index
build_dev_index() {
    log "indexing the development corpus into $IDX (1-2 min)"
    rm -rf "$IDX" "$OUT/index.ok"
    local t0 rc=0
    t0=$(date +%s)
    pressindex --db "$IDX" index "${INPUTS[@]}" >"$OUT/index.log" 2>&1 || rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 65 ] || die "pressindex index failed (exit $rc): see $OUT/index.log"
    echo "$(($(date +%s) - t0))" >"$OUT/index.ok"
}
if [ $REBUILD = 1 ] || [ ! -f "$OUT/index.ok" ] || ! pressindex --db "$IDX" stats >/dev/null 2>&1; then
    build_dev_index
fi

run_dev() { python3 "$EVAL" search-dev --pi "$PI_BIN" --db "$IDX" --queries "$DEV/queries.tsv" \
    --out "$OUT/run.tsv" --limit 20; }
rc=0
run_dev || rc=$?
if [ $rc -eq 69 ]; then          # EX_UNAVAILABLE: the index was written by another version
    build_dev_index
    rc=0
    run_dev || rc=$?
fi
[ $rc -eq 0 ] || die "searching the development set failed"

{
    echo "pressindex relevance, $(date -u '+%Y-%m-%d %H:%M UTC'), $(pressindex --version 2>/dev/null | head -1)"
    echo "dev index ${IDX#"$REPO"/}: $(pressindex --db "$IDX" stats 2>/dev/null \
        | awk '$1=="releases"||$1=="passages"{printf "%s%s %s", n++ ? ", " : "", $2, $1}')"
    echo
    python3 "$EVAL" dev --dev "$DEV" --run "$OUT/run.tsv" "${PER_QUERY[@]}"
} | tee "$OUT/relevance.txt"

if [ $IR = 1 ]; then
    echo | tee -a "$OUT/relevance.txt"
    QS=$BENCH/quality.sh
    USED_QS=0
    if [ $IR_OWN = 0 ] && [ -z "${PRESSINDEX_SEARCH_OPTS:-}" ] && [ -f "$QS" ] \
        && grep -q -- '--k' "$QS" && grep -q 'results.tsv' "$QS"; then
        # quality.sh's outputs in our own folder; the reference programs where the other benches keep them.
        QOUT=$OUT/quality
        mkdir -p "$QOUT"
        log "IR collections: bench/quality.sh (log: $QOUT/quality.log)"
        if BENCH_OUT=$QOUT PRESSINDEX_PEERS=${PRESSINDEX_PEERS:-$BENCH/out/peers} bash "$QS" --k 100 \
            >"$QOUT/quality.log" 2>&1 && [ -s "$QOUT/quality/results.tsv" ]; then
            python3 "$EVAL" ir-table --quality "$QOUT/quality/results.tsv" | tee -a "$OUT/relevance.txt" \
                && USED_QS=1
        else
            log "bench/quality.sh failed (see $QOUT/quality.log): measuring with releval.py ir instead"
        fi
    fi
    if [ $USED_QS = 0 ]; then
        R=()
        [ $REBUILD = 0 ] || R=(--rebuild)
        python3 "$EVAL" ir --pi "$PI_BIN" --corpus "$CORPORA" --work "$OUT/ir" "${R[@]}" \
            | tee -a "$OUT/relevance.txt"
    fi
fi
{
    echo
    echo "took $(($(date +%s) - START)) s; output in ${OUT#"$REPO"/}/relevance.txt"
} | tee -a "$OUT/relevance.txt"
exit 0
