#!/usr/bin/env bash
# bench/python.sh - a search through the Python binding against the same search through the C
# library, as a ratio measured in one run (issue 18's target: at most 1.2x).
#
#   bench/python.sh [--corpus NAME] [--queries FILE] [--rounds N] [--reps R]
#
# The C side is bench/pi-query (as bench/search.sh times it: pressindex_search() and reading each
# result's text, id, paragraph and score); the Python side, bench/python_bench.py, times
# Index.search() and reading the same four fields of each Hit. The two run in turn, N rounds of
# R timed passes each (defaults 5 and 3), so that a change of machine load hits both; each query's
# median over all passes is compared. Default corpus: fixtures/releases with a built-in query
# list (a tiny index: the binding's fixed cost is at its largest share); --corpus NAME indexes
# ../shared/corpus/NAME/releases.jsonl.gz (cisi: ~1 min on 2 cores) and takes its queries.tsv.
# Needs a build with the binding (./configure finds Python with cffi; make check or
# make python/.built). Never part of make check.
set -eu
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
ensure_pi_query
PY=${PYTHON:-/usr/bin/python3}
ls "$REPO"/python/pressindex/_pressindex*.so >/dev/null 2>&1 || make -C "$REPO" python/.built >/dev/null \
    || die "the binding is not built: configure with Python (cffi), then make python/.built"
PYTHONPATH=$REPO/python${PYTHONPATH:+:$PYTHONPATH} LD_LIBRARY_PATH=$PI_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
    exec "$PY" "$BENCH/python_bench.py" --pi-query "$PI_QUERY" --out "$OUT/python" \
    --fixtures "$REPO/fixtures/releases" --corpora "$CORPORA" "$@"
