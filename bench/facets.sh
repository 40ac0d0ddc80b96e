#!/usr/bin/env bash
# bench/facets.sh - what counting costs and how close the estimates are: each query of the list run
# three ways in one process, interleaved (bench/pi-count): the default search (an estimated total),
# with --facets, and with an exact count; per query the exact count, the default estimate and the
# facets' total with their errors, and the median times; then facets/default and exact/default (the
# ratio of the sums of the medians; issue 16's aim for facets: <= 1.5x) and the estimates' errors.
#
# usage: bench/facets.sh [--reps R] [--queries FILE] [CORPUS]      (default whitehouse, 5 reps)
#
#   index:   bench/out/CORPUS/pressindex.db (built here, untimed, when missing)
#   outputs: bench/out/CORPUS/facets.txt
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

REPS=5 CORPUS=whitehouse QUERIES=
while [ $# -gt 0 ]; do
    case $1 in
        --reps) REPS=$2; shift ;;
        --queries) QUERIES=$2; shift ;;
        -h|--help) sed -n '2,/^source/p' "$0" | sed '/^# shellcheck /d; $d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) CORPUS=$1 ;;
    esac
    shift
done
QUERIES=${QUERIES:-$BENCH/queries-$CORPUS.txt}
[ -f "$QUERIES" ] || die "no query list $QUERIES"
ensure_built
W=$OUT/$CORPUS
mkdir -p "$W"
if [ ! -e "$W/pressindex.db" ]; then
    log "building $W/pressindex.db (untimed)"
    pressindex --db "$W/pressindex.db" index "$CORPORA/$CORPUS/releases.jsonl.gz" >"$W/index-pressindex.log" 2>&1 \
        || [ $? -eq 65 ] || die "pressindex index failed: see $W/index-pressindex.log"
fi
PI_COUNT=$OUT/pi-count
if [ ! -x "$PI_COUNT" ] || [ "$BENCH/pi-count.c" -nt "$PI_COUNT" ] || [ "$REPO/include/pressindex.h" -nt "$PI_COUNT" ]; then
    ${CC:-cc} -O2 -Wall -I "$REPO/include" "$BENCH/pi-count.c" -o "$PI_COUNT" -lm \
        -L "$PI_LIBDIR" -lpressindex -Wl,-rpath,"$PI_LIBDIR" || die "compiling pi-count failed"
fi
log "load: $(uptime)"
"$PI_COUNT" "$W/pressindex.db" "$QUERIES" --reps "$REPS" | tee "$W/facets.txt"
