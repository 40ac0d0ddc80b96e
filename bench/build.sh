#!/usr/bin/env bash
# bench/build.sh - indexing benchmark: pressindex against xapian-ref (Xapian defaults) in the same run.
#
# usage: bench/build.sh [--peers] [--scale N] [--scale-ref] [--keep-scaled] [CORPUS]   (default whitehouse)
#
#   1. prep.py CORPUS/releases.jsonl.gz -> passages.tsv + stats.json              (untimed, reused)
#   2. xapian-ref index (defaults) of passages.tsv        (wall, peak RSS, index bytes as left)
#   3. pressindex index of releases.jsonl.gz (JSON parsing and gunzip timed) into a fresh directory
#   4. a table: passages/s, MB of text/s, peak RSS MB, index MB, and pressindex/xapian-ref ratios
#      (throughput ratio = ref time / our time: > 1 means pressindex is faster;
#       RSS and size ratios = ours / ref: < 1 means pressindex is smaller)
#   --peers      also fts5-ref and lucene-ref (for orientation; not in the ratios)
#   --scale N    then a corpus N times as large (every release repeated N times, copies 1..N-1 with
#                ids suffixed #copyK, written as a temporary jsonl.gz) indexed by pressindex:
#                peak RSS at 1x and Nx (it should stay flat). The Nx index is deleted afterwards
#                unless --keep-scaled. --scale-ref also builds xapian-ref at Nx (very slow: ~25 min at 10x).
#
# Outputs under bench/out/CORPUS/: prep/, xapian-ref.db, pressindex.db (reused by search.sh),
# build-*.time (/usr/bin/time -v reports), build-*.log, build.txt (the table).
# MB = 10^6 bytes throughout. Peak RSS is GNU time's "Maximum resident set size" of the command.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

PEERS_TOO=0 SCALE=0 SCALE_REF=0 KEEP_SCALED=0 CORPUS=whitehouse
while [ $# -gt 0 ]; do
    case $1 in
        --peers) PEERS_TOO=1 ;;
        --scale) SCALE=$2; shift ;;
        --scale=*) SCALE=${1#--scale=} ;;
        --scale-ref) SCALE_REF=1 ;;
        --keep-scaled) KEEP_SCALED=1 ;;
        -h|--help) sed -n '2,/^source/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) CORPUS=$1 ;;
    esac
    shift
done

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
# row NAME SCALE PASSAGES TEXT_BYTES WALL RSS_KB INDEX_BYTES
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$ROWS"; }

build_peer() {   # build_peer NAME DBDIR
    local name=$1 db=$2
    rm -rf "$db"; sync
    log "$name index $CORPUS ($PASSAGES passages)"
    timed "$W/build-$name" -- "$PEERS/$name" index "$db" "$W/prep/passages.tsv" \
        || die "$name index failed: see $W/build-$name.log"
    row "$name" 1 "$PASSAGES" "$TEXT_BYTES" "$T_WALL" "$T_RSS_KB" "$(du -sb "$db" | cut -f1)"
}

build_pi() {     # build_pi NAME DBDIR INPUT SCALE
    local name=$1 db=$2 input=$3 scale=$4 rc=0
    rm -rf "$db"; sync
    log "pressindex index $input (x$scale)"
    timed "$W/build-$name" -- env LD_LIBRARY_PATH="$PI_LIBDIR" "$PI_BIN" --db "$db" index "$input" || rc=$?
    # 65 = some input was skipped or repaired (the rest is indexed): report it, do not fail
    [ $rc -eq 0 ] || [ $rc -eq 65 ] || die "pressindex index failed ($rc): see $W/build-$name.log"
    [ $rc -eq 0 ] || log "note: pressindex index exited 65 (input problems): see $W/build-$name.log"
    row "$name" "$scale" "$((PASSAGES * scale))" "$((TEXT_BYTES * scale))" "$T_WALL" "$T_RSS_KB" \
        "$(du -sb "$db" | cut -f1)"
}

build_peer xapian-ref "$W/xapian-ref.db"
build_pi pressindex "$W/pressindex.db" "$SRC" 1
if [ $PEERS_TOO = 1 ]; then
    build_peer fts5-ref "$W/fts5-ref.db"
    build_peer lucene-ref "$W/lucene-ref.db"
fi

if [ "$SCALE" -gt 1 ]; then
    SW=$OUT/$CORPUS-x$SCALE
    mkdir -p "$SW"
    log "writing the x$SCALE corpus (untimed)"
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
    build_pi "pressindex-x$SCALE" "$SW/pressindex.db" "$SW/releases.jsonl.gz" "$SCALE"
    if [ $SCALE_REF = 1 ]; then
        python3 "$SHARED/peers/prep.py" "$SW/releases.jsonl.gz" "$SW/prep" >/dev/null
        rm -rf "$SW/xapian-ref.db"; sync
        log "xapian-ref index x$SCALE (slow)"
        timed "$W/build-xapian-ref-x$SCALE" -- "$PEERS/xapian-ref" index "$SW/xapian-ref.db" "$SW/prep/passages.tsv" \
            || die "xapian-ref x$SCALE failed"
        row "xapian-ref-x$SCALE" "$SCALE" "$((PASSAGES * SCALE))" "$((TEXT_BYTES * SCALE))" "$T_WALL" "$T_RSS_KB" \
            "$(du -sb "$SW/xapian-ref.db" | cut -f1)"
        rm -rf "$SW/prep"
        [ $KEEP_SCALED = 1 ] || rm -rf "$SW/xapian-ref.db"
    fi
    rm -f "$SW/releases.jsonl.gz"
    [ $KEEP_SCALED = 1 ] || rm -rf "$SW/pressindex.db"
fi

python3 - "$ROWS" "$CORPUS" "$RELEASES" "$PASSAGES" "$TEXT_BYTES" <<'EOF' | tee "$W/build.txt"
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
corpus, rel, pas, tb = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
R = {}
print(f"build bench: {corpus} ({rel:,} releases, {pas:,} passages, {tb/1e6:.1f} MB of text); MB = 10^6 bytes")
print()
print(f"{'engine':<18} {'scale':>5} {'build s':>9} {'passages/s':>11} {'MB text/s':>10} {'peak RSS MB':>12} {'index MB':>9}")
for name, scale, p, b, wall, rss, size in rows:
    scale, p, b, wall, rss, size = int(scale), int(p), int(b), float(wall), int(rss), int(size)
    R[name] = (wall, rss * 1024 / 1e6, size / 1e6, scale)
    print(f"{name:<18} {str(scale)+'x':>5} {wall:>9.2f} {p/wall:>11,.0f} {b/1e6/wall:>10.2f} "
          f"{rss*1024/1e6:>12.1f} {size/1e6:>9.1f}")
print()
if "pressindex" in R and "xapian-ref" in R:
    o, r = R["pressindex"], R["xapian-ref"]
    print("pressindex / xapian-ref (same run):")
    print(f"  throughput ratio (ref time / our time): {r[0]/o[0]:.2f}x   (> 1: pressindex faster)")
    print(f"  peak RSS ratio (ours / ref):            {o[1]/r[1]:.2f}")
    print(f"  index size ratio (ours / ref):          {o[2]/r[2]:.2f}")
for name, v in R.items():
    if name.startswith("pressindex-x") and "pressindex" in R:
        one = R["pressindex"]
        print()
        print(f"scale: pressindex peak RSS {one[1]:.1f} MB at 1x, {v[1]:.1f} MB at {v[3]}x "
              f"(ratio {v[1]/one[1]:.2f}); build time {v[0]/one[0]:.1f}x for {v[3]}x the data; "
              f"index {one[2]:.1f} MB -> {v[2]:.1f} MB")
    if name.startswith("xapian-ref-x") and "xapian-ref" in R:
        one = R["xapian-ref"]
        print(f"scale: xapian-ref peak RSS {one[1]:.1f} MB at 1x, {v[1]:.1f} MB at {v[3]}x; "
              f"build time {v[0]/one[0]:.1f}x")
EOF
