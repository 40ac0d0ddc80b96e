#!/usr/bin/env bash
# bench/build.sh - indexing benchmark: pressindex against the reference engines, in the same run.
#
# usage: bench/build.sh [--peers] [--scale N] [--scale-ref] [--delete-scaled] [CORPUS]  (default whitehouse)
#
#   1. prep.py CORPUS/releases.jsonl.gz -> passages.tsv + stats.json              (untimed, reused)
#   2. xapian-ref index (Xapian defaults: the plain-Xapian baseline) of passages.tsv
#   3. pressindex index of releases.jsonl.gz (its gunzip and JSON parsing timed) into a fresh directory
#   --peers      also fts5-ref and lucene-ref (Lucene: the reference the speed and size targets are
#                ratios to) at 1x
#   --scale N    then the corpus N times over (every release repeated N times, copies 1..N-1 with ids
#                suffixed #copyK, a temporary jsonl.gz, and prep.py's passages.tsv of it, both untimed):
#                pressindex and lucene-ref built on that same Nx corpus (and lucene-ref at 1x too, even
#                without --peers). The Nx indexes are kept under bench/out/CORPUS-xN/ (pressindex.db,
#                lucene-ref.db: GBs at 10x) for `bench/search.sh --scale N`; the temporary corpus is deleted.
#   --scale-ref  also xapian-ref at Nx (very slow: 30-35 min and 8 GB at 10x on whitehouse)
#   --delete-scaled  delete the Nx indexes at the end (search.sh --scale N then has nothing to run on)
#
# Every build: wall time, peak RSS of the whole process tree (bench/treerss.py: the sampled sum over
# the command and its descendants, at least the largest process's own high-water mark) and index size
# as the build leaves it (du -sb). Prints one table of every build (passages/s, MB of text/s, peak RSS,
# index MB, index size / prep.py's text_bytes), then pressindex / reference ratios from this run for
# every reference built at the same scale (build time, peak RSS, index size; < 1: pressindex faster or
# smaller), then with --scale each engine at Nx against itself at 1x (build time Nx/1x, peak RSS at 1x
# and Nx, index size).
#
# Outputs under bench/out/CORPUS/: prep/, xapian-ref.db, pressindex.db, fts5-ref.db and lucene-ref.db
# (reused by search.sh), build-*.time (treerss.py reports), build-*.log, build.txt (the tables); under
# bench/out/CORPUS-xN/: the Nx indexes and their build-*.time/.log. MB = 10^6 bytes throughout.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

PEERS_TOO=0 SCALE=0 SCALE_REF=0 DELETE_SCALED=0 CORPUS=whitehouse
while [ $# -gt 0 ]; do
    case $1 in
        --peers) PEERS_TOO=1 ;;
        --scale) [ $# -ge 2 ] || die "--scale needs a number"; SCALE=$2; shift ;;
        --scale=*) SCALE=${1#--scale=} ;;
        --scale-ref) SCALE_REF=1 ;;
        --delete-scaled) DELETE_SCALED=1 ;;
        --keep-scaled) ;;   # the default now (kept for old command lines)
        -h|--help) sed -n '2,/^source/p' "$0" | sed '/^# shellcheck /d; $d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) CORPUS=$1 ;;
    esac
    shift
done
case $SCALE in ''|*[!0-9]*) die "--scale wants a whole number, not '$SCALE'" ;; esac
[ "$SCALE" -ne 1 ] || SCALE=0
[ $SCALE_REF = 0 ] || [ "$SCALE" -gt 1 ] || die "--scale-ref needs --scale N (N > 1)"

SRC=$CORPORA/$CORPUS/releases.jsonl.gz
[ -f "$SRC" ] || die "no corpus $SRC"
ensure_built
ensure_peers
W=$OUT/$CORPUS
mkdir -p "$W"
prep "$SRC" "$W/prep"
read -r PASSAGES TEXT_BYTES RELEASES < <(python3 -c '
import json,sys; s=json.load(open(sys.argv[1])); print(s["passages"], s["text_bytes"], s["releases"])' "$W/prep/stats.json")

ROWS=$W/build.rows
: >"$ROWS"
# row ENGINE SCALE PASSAGES TEXT_BYTES WALL RSS_KB INDEX_BYTES
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$ROWS"; }

# build ENGINE SCALE DIR : ENGINE's index DIR/ENGINE.db of the corpus at SCALE (1x: $SRC and
# $W/prep; Nx: DIR/releases.jsonl.gz and DIR/prep), timed into DIR/build-ENGINE.{time,log}.
build() {
    local eng=$1 scale=$2 dir=$3 rc=0 src=$SRC tsv=$W/prep/passages.tsv p=$PASSAGES b=$TEXT_BYTES
    if [ "$scale" -gt 1 ]; then
        src=$dir/releases.jsonl.gz tsv=$dir/prep/passages.tsv
        read -r p b < <(python3 -c '
import json,sys; s=json.load(open(sys.argv[1])); print(s["passages"], s["text_bytes"])' "$dir/prep/stats.json")
    fi
    local db=$dir/$eng.db
    rm -rf "$db"; sync
    if [ "$eng" = pressindex ]; then
        log "pressindex index $src (${scale}x)"
        timed "$dir/build-$eng" -- env LD_LIBRARY_PATH="$PI_LIBDIR" "$PI_BIN" --db "$db" index "$src" || rc=$?
        # 65 = some input was skipped or repaired (the rest is indexed): report it, do not fail
        [ $rc -eq 0 ] || [ $rc -eq 65 ] || die "pressindex index failed ($rc): see $dir/build-$eng.log"
        [ $rc -eq 0 ] || log "note: pressindex index exited 65 (input problems): see $dir/build-$eng.log"
    else
        log "$eng index $tsv (${scale}x, $p passages)"
        timed "$dir/build-$eng" -- "$PEERS/$eng" index "$db" "$tsv" \
            || die "$eng index failed: see $dir/build-$eng.log"
    fi
    row "$eng" "$scale" "$p" "$b" "$T_WALL" "$T_RSS_KB" "$(du -sb "$db" | cut -f1)"
}

build xapian-ref 1 "$W"
build pressindex 1 "$W"
[ $PEERS_TOO = 0 ] || build fts5-ref 1 "$W"
if [ $PEERS_TOO = 1 ] || [ "$SCALE" -gt 1 ]; then
    build lucene-ref 1 "$W"
fi

if [ "$SCALE" -gt 1 ]; then
    SW=$OUT/$CORPUS-x$SCALE
    mkdir -p "$SW"
    rm -rf "$SW/prep"
    log "writing the ${SCALE}x corpus and its passages.tsv (untimed)"
    python3 - "$SRC" "$SW/releases.jsonl.gz" "$SCALE" <<'EOF'
import gzip, json, sys
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
with gzip.open(src, "rt", encoding="utf-8") as f:
    lines = [l for l in f if l.strip()]
with gzip.open(dst, "wt", encoding="utf-8", compresslevel=1) as out:
    for k in range(n):
        for l in lines:
            if k == 0:
                out.write(l if l.endswith("\n") else l + "\n")
                continue
            r = json.loads(l)
            r["id"] = f'{r["id"]}#copy{k}'
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
EOF
    # prep.py on the Nx corpus itself, so that lucene-ref's pids are the Nx release ids (id#copyK#para)
    python3 "$SHARED/peers/prep.py" "$SW/releases.jsonl.gz" "$SW/prep" >/dev/null
    build pressindex "$SCALE" "$SW"
    build lucene-ref "$SCALE" "$SW"
    [ $SCALE_REF = 0 ] || build xapian-ref "$SCALE" "$SW"
    rm -rf "$SW/releases.jsonl.gz" "$SW/prep"
    if [ $DELETE_SCALED = 1 ]; then
        rm -rf "$SW"/*.db
    else
        log "kept the ${SCALE}x indexes in $SW (for bench/search.sh --scale $SCALE; $(du -sh "$SW" | cut -f1))"
    fi
fi

python3 - "$ROWS" "$CORPUS" "$RELEASES" "$PASSAGES" "$TEXT_BYTES" <<'EOF' | tee "$W/build.txt"
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
corpus, rel, pas, tb = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
R = {}   # (engine, scale) -> dict
print(f"build bench: {corpus} ({rel:,} releases, {pas:,} passages, {tb/1e6:.1f} MB of text); "
      f"one run; MB = 10^6 bytes")
print()
print(f"{'engine':<12} {'scale':>5} {'build s':>9} {'passages/s':>11} {'MB text/s':>10} "
      f"{'peak RSS MB':>12} {'index MB':>9} {'size/text':>10}")
for eng, scale, p, b, wall, rss, size in rows:
    scale, p, b, wall, rss, size = int(scale), int(p), int(b), float(wall), int(rss), int(size)
    v = R[eng, scale] = dict(wall=wall, rss=rss * 1024 / 1e6, size=size / 1e6, st=size / b)
    print(f"{eng:<12} {str(scale)+'x':>5} {wall:>9.2f} {p/wall:>11,.0f} {b/1e6/wall:>10.2f} "
          f"{v['rss']:>12.1f} {v['size']:>9.1f} {v['st']:>10.2f}")
print("(peak RSS: the whole process tree, sampled; size/text: index bytes / prep.py's text_bytes)")

scales = sorted({s for _, s in R})
refs = [(e, s) for s in scales for e in ("lucene-ref", "xapian-ref", "fts5-ref")
        if (e, s) in R and ("pressindex", s) in R]
if refs:
    print()
    print("pressindex / reference, same run (< 1: pressindex faster or smaller):")
    print(f"{'reference':<12} {'scale':>5} {'build time':>11} {'peak RSS':>9} {'index size':>11}"
          f"   size/text pressindex, reference")
    for e, s in refs:
        o, r = R["pressindex", s], R[e, s]
        print(f"{e:<12} {str(s)+'x':>5} {o['wall']/r['wall']:>11.2f} {o['rss']/r['rss']:>9.2f} "
              f"{o['size']/r['size']:>11.2f}   {o['st']:.2f}, {r['st']:.2f}")
    print("(build time ratio = our time / ref time, the inverse of the throughput ratio)")

big = [s for s in scales if s > 1]
for n in big:
    pairs = [e for e in ("pressindex", "lucene-ref", "xapian-ref") if (e, 1) in R and (e, n) in R]
    if not pairs:
        continue
    print()
    print(f"{n}x against 1x, same run (build time linear in the data = {n:.1f}x; "
          f"peak RSS should stay flat):")
    print(f"{'engine':<12} {'build time':>10}   {'peak RSS MB 1x -> '+str(n)+'x':<26} "
          f"{'index MB 1x -> '+str(n)+'x':<22} size/text")
    for e in pairs:
        a, z = R[e, 1], R[e, n]
        rss = f"{a['rss']:.1f} -> {z['rss']:.1f} ({z['rss']/a['rss']:.2f})"
        size = f"{a['size']:.1f} -> {z['size']:.1f}"
        print(f"{e:<12} {z['wall']/a['wall']:>9.1f}x   {rss:<26} {size:<22} "
              f"{a['st']:.2f} -> {z['st']:.2f}")
EOF
