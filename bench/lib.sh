# bench/lib.sh - shared helpers of the bench scripts (sourced, not run).
# shellcheck shell=bash
# Never part of `make check`. No absolute machine paths: everything is found from this file's place.
#
# Environment:
#   PRESSINDEX_SHARED  the shared folder (default: $REPO/../shared) with corpus/ and peers/
#   PRESSINDEX_PEERS   where the reference programs are built (default: $REPO/bench/out/peers)
#   BENCH_OUT          outputs (default: $REPO/bench/out, gitignored)

# shellcheck disable=SC2034  # variables used by the scripts that source this file
set -eu

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH/.." && pwd)
SHARED=${PRESSINDEX_SHARED:-$REPO/../shared}
SHARED=$(cd "$SHARED" && pwd)
CORPORA=$SHARED/corpus
OUT=${BENCH_OUT:-$BENCH/out}
PEERS=${PRESSINDEX_PEERS:-$OUT/peers}
mkdir -p "$OUT"

# The real pressindex binary (not libtool's wrapper script, whose shell start-up would be timed too).
# PRESSINDEX_BIN/PRESSINDEX_LIBDIR: measure an installed or copied build instead of the tree.
PI_BIN=${PRESSINDEX_BIN:-$REPO/src/cli/.libs/pressindex}
PI_LIBDIR=${PRESSINDEX_LIBDIR:-$REPO/src/lib/.libs}
PI_QUERY=$OUT/pi-query

log() { printf '%s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# pressindex CMD... : runs the built binary against the build tree's library.
pressindex() { LD_LIBRARY_PATH=$PI_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$PI_BIN" "$@"; }

ensure_built() {
    if [ ! -x "$PI_BIN" ] || [ ! -e "$PI_LIBDIR/libpressindex.so" ]; then
        log "building pressindex (make -j2)"
        make -C "$REPO" -j2 >"$OUT/make.log" 2>&1 || die "make failed: see $OUT/make.log"
    fi
    [ -x "$PI_BIN" ] || die "no $PI_BIN after make"
}

ensure_peers() {
    if [ ! -x "$PEERS/xapian-ref" ] || [ ! -x "$PEERS/fts5-ref" ] || [ ! -x "$PEERS/lucene-ref" ]; then
        log "building the reference programs into $PEERS"
        make -C "$SHARED/peers" OUT="$PEERS" >"$OUT/peers-make.log" 2>&1 \
            || die "building peers failed (apt-get install g++ libxapian-dev libsqlite3-dev default-jdk-headless liblucene8-java): see $OUT/peers-make.log"
    fi
}

ensure_pi_query() {
    ensure_built
    if [ ! -x "$PI_QUERY" ] || [ "$BENCH/pi-query.c" -nt "$PI_QUERY" ] \
        || [ "$REPO/include/pressindex.h" -nt "$PI_QUERY" ]; then
        ${CC:-cc} -O2 -Wall -I "$REPO/include" "$BENCH/pi-query.c" -o "$PI_QUERY" \
            -L "$PI_LIBDIR" -lpressindex -Wl,-rpath,"$PI_LIBDIR" || die "compiling pi-query failed"
    fi
}

# prep CORPUS_GZ DIR : prep.py's passages.tsv + stats.json (untimed), reused when newer than the corpus.
prep() {
    if [ ! -s "$2/passages.tsv" ] || [ ! -s "$2/stats.json" ] || [ "$1" -nt "$2/stats.json" ]; then
        log "prep.py $1"
        python3 "$SHARED/peers/prep.py" "$1" "$2" >/dev/null
    fi
}

# timed NAME -- CMD... : runs CMD under bench/treerss.py; writes $NAME.time (its report: wall_s,
# tree_rss_kb, maxrss_kb), $NAME.log (the command's stdout+stderr); sets T_WALL (s) and T_RSS_KB, the
# peak RSS of the whole process tree (sampled sum over CMD and its descendants, at least the largest
# process's own high-water mark: ../shared/docs/DECISIONS.md, "Measuring"). Returns CMD's exit code.
timed() {
    local name=$1; shift; [ "$1" = "--" ] && shift
    local rc=0
    rm -f "$name.time"
    python3 "$BENCH/treerss.py" "$name.time" -- "$@" >"$name.log" 2>&1 || rc=$?
    [ -s "$name.time" ] || die "no report from treerss.py: see $name.log"
    T_WALL=$(awk -F'\t' '$1 == "wall_s" {print $2}' "$name.time")
    T_RSS_KB=$(awk -F'\t' '$1 == "tree_rss_kb" {print $2}' "$name.time")
    return $rc
}

# Drops nothing from the page cache (we are not allowed to assume root elsewhere): "cold" here means a
# whole new process with the index in the page cache, as DECISIONS.md defines it.
