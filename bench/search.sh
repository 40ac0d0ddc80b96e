#!/usr/bin/env bash
# bench/search.sh - query latency benchmark: pressindex against xapian-ref in the same run.
#
# usage: bench/search.sh [--rebuild] [--peers] [--cold-runs N] [--queries FILE] [CORPUS]  (default whitehouse)
#
#   indexes: bench/out/CORPUS/{pressindex,xapian-ref}.db as bench/build.sh leaves them (built here,
#            untimed, when missing or with --rebuild)
#   queries: bench/queries-CORPUS.txt (one a line, syntax both engines accept)
#   warm:    one process per engine runs every query 3 times untimed, then 5 timed passes
#            (bench/pi-query for pressindex, `xapian-ref query` for the reference; --peers adds
#            lucene-ref with a 10-pass warm-up); median and p95 over all timed searches, and the ratio
#            pressindex / xapian-ref (< 1: pressindex faster)
#   context: the same queries with and without context ranking (release + neighbour evidence),
#            interleaved in one pi-query process; p95 ratio (issue 8 target <= 1.2x)
#   cold:    whole processes with the index in the page cache (every command run once first):
#            median of N (default 20) runs of `pressindex search QUERY` against `xapian-ref one`, the
#            queries taken in turn from the list; ratio (target <= 2x). `pi-query one` is shown too
#            (library open + search without the command's start-up and output).
#
# Outputs under bench/out/CORPUS/: lat-*.tsv, top-*.tsv, search.txt (the table).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

REBUILD=0 PEERS_TOO=0 COLD_RUNS=20 CORPUS=whitehouse QUERIES=
while [ $# -gt 0 ]; do
    case $1 in
        --rebuild) REBUILD=1 ;;
        --peers) PEERS_TOO=1 ;;
        --cold-runs) COLD_RUNS=$2; shift ;;
        --queries) QUERIES=$2; shift ;;
        -h|--help) sed -n '2,/^source/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) CORPUS=$1 ;;
    esac
    shift
done
QUERIES=${QUERIES:-$BENCH/queries-$CORPUS.txt}
[ -f "$QUERIES" ] || die "no query list $QUERIES (write one, or pass --queries FILE)"
SRC=$CORPORA/$CORPUS/releases.jsonl.gz
W=$OUT/$CORPUS
mkdir -p "$W"
ensure_pi_query
ensure_peers

build_if_needed() {   # build_if_needed ENGINE DBDIR
    local eng=$1 db=$2 rc=0
    if [ $REBUILD = 1 ] || [ ! -d "$db" ]; then
        rm -rf "$db"
        log "building $db (untimed; bench/build.sh times builds)"
        if [ "$eng" = pressindex ]; then
            pressindex --db "$db" index "$SRC" >"$W/index-$eng.log" 2>&1 || rc=$?
            [ $rc -eq 0 ] || [ $rc -eq 65 ] || die "pressindex index failed: see $W/index-$eng.log"
        else
            prep "$SRC" "$W/prep"
            "$PEERS/$eng" index "$db" "$W/prep/passages.tsv" >"$W/index-$eng.log" 2>&1 \
                || die "$eng index failed: see $W/index-$eng.log"
        fi
    fi
}

build_if_needed pressindex "$W/pressindex.db"
build_if_needed xapian-ref "$W/xapian-ref.db"
[ $PEERS_TOO = 0 ] || build_if_needed lucene-ref "$W/lucene-ref.db"

NQ=$(grep -cv '^\(#.*\)\{0,1\}$' "$QUERIES" || true)
log "warm latency: $NQ queries, warm-up 3, 5 timed passes"
"$PI_QUERY" query "$W/pressindex.db" "$QUERIES" --warmup 3 --reps 5 \
    --lat "$W/lat-pressindex.tsv" --top "$W/top-pressindex.tsv" 2>"$W/query-pressindex.err" \
    || die "pi-query failed: see $W/query-pressindex.err"
"$PEERS/xapian-ref" query "$W/xapian-ref.db" "$QUERIES" --warmup 3 --reps 5 \
    --lat "$W/lat-xapian-ref.tsv" --top "$W/top-xapian-ref.tsv" 2>"$W/query-xapian-ref.err" \
    || die "xapian-ref query failed: see $W/query-xapian-ref.err"
# Issue 8: the cost of context ranking (release and neighbour evidence), each search timed with
# and without it, interleaved in one process.
log "context ranking: $NQ queries with and without the release's context, interleaved"
"$PI_QUERY" query "$W/pressindex.db" "$QUERIES" --warmup 3 --reps 5 \
    --lat "$W/lat-context.tsv" --lat-nocontext "$W/lat-nocontext.tsv" 2>"$W/query-context.err" \
    || die "pi-query (context) failed: see $W/query-context.err"
ENGINES="pressindex xapian-ref"
if [ $PEERS_TOO = 1 ]; then
    "$PEERS/lucene-ref" query "$W/lucene-ref.db" "$QUERIES" --warmup 10 --reps 5 \
        --lat "$W/lat-lucene-ref.tsv" --top "$W/top-lucene-ref.tsv" 2>"$W/query-lucene-ref.err" \
        || die "lucene-ref query failed: see $W/query-lucene-ref.err"
    ENGINES="$ENGINES lucene-ref"
fi

log "cold whole-process runs: $COLD_RUNS each"
python3 - "$QUERIES" "$COLD_RUNS" "$W/cold.tsv" "$PI_BIN" "$PI_LIBDIR" "$W/pressindex.db" \
    "$PEERS/xapian-ref" "$W/xapian-ref.db" "$PI_QUERY" <<'EOF'
import os, subprocess, sys, time
qfile, runs, outf, pi_bin, pi_lib, pi_db, xr, xr_db, piq = sys.argv[1:]
runs = int(runs)
qs = [l.rstrip("\r\n ") for l in open(qfile, encoding="utf-8")]
qs = [q for q in qs if q and not q.startswith("#")]
env = dict(os.environ, LD_LIBRARY_PATH=pi_lib)
cmds = {
    "pressindex search": lambda q: [pi_bin, "--db", pi_db, "search", q],
    "xapian-ref one": lambda q: [xr, "one", xr_db, q],
    "pi-query one": lambda q: [piq, "one", pi_db, q],
}
def run(argv):
    t0 = time.perf_counter()
    p = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        sys.exit(f"{argv[0]} exited {p.returncode} on {argv[-1]!r}")
    return dt
for name, mk in cmds.items():      # page cache: every index read once first
    run(mk(qs[0]))
with open(outf, "w") as out:
    for i in range(runs):
        q = qs[i % len(qs)]
        for name, mk in cmds.items():   # interleaved, so that machine noise hits all alike
            out.write(f"{name}\t{i+1}\t{run(mk(q)):.6f}\n")
EOF

# shellcheck disable=SC2086  # ENGINES: one argument per engine
python3 - "$W" "$NQ" "$CORPUS" "${QUERIES#"$REPO"/}" "$QUERIES" $ENGINES <<'EOF' | tee "$W/search.txt"
import statistics, sys
W, nq, corpus, qname, engines = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[6:]
qpath = sys.argv[5]
def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    f = int(k)
    return xs[f] + (xs[min(f + 1, len(xs) - 1)] - xs[f]) * (k - f)
print(f"search bench: {corpus}, {nq} queries ({qname}), warm-up 3 (lucene 10), 5 timed passes")
print()
print(f"{'warm, one process':<20} {'searches':>8} {'median ms':>10} {'p95 ms':>8} {'mean ms':>8} {'max ms':>8} {'no hits':>8} {'errors':>7}")
S = {}
for e in engines:
    lat = [float(l.split("\t")[2]) / 1000 for l in open(f"{W}/lat-{e}.tsv") if l.strip()]
    hit = {l.split("\t")[0] for l in open(f"{W}/top-{e}.tsv") if l.strip()}
    errs = sum(1 for l in open(f"{W}/query-{e}.err") if "error" in l)
    S[e] = (statistics.median(lat), pct(lat, 95))
    print(f"{e:<20} {len(lat):>8} {S[e][0]:>10.3f} {S[e][1]:>8.3f} {statistics.mean(lat):>8.3f} "
          f"{max(lat):>8.2f} {nq - len(hit):>8} {errs:>7}")
o, r = S["pressindex"], S["xapian-ref"]
print(f"ratio pressindex / xapian-ref: median {o[0]/r[0]:.2f}, p95 {o[1]/r[1]:.2f}   (< 1: pressindex faster)")
qs = [l.rstrip("\r\n ") for l in open(qpath, encoding="utf-8")]
qs = [q for q in qs if q and not q.startswith("#")]
def per_query(e):
    d = {}
    for l in open(f"{W}/lat-{e}.tsv"):
        if l.strip():
            q, _, t = l.split("\t")
            d.setdefault(int(q), []).append(float(t) / 1000)
    return {q: statistics.median(v) for q, v in d.items()}
pq, rq = per_query("pressindex"), per_query("xapian-ref")
print()
print("slowest queries for pressindex (median ms of 5 passes):")
print(f"{'pressindex':>10} {'xapian-ref':>10} {'ratio':>6}  query")
for q in sorted(pq, key=lambda q: -pq[q])[:8]:
    print(f"{pq[q]:>10.2f} {rq.get(q, float('nan')):>10.2f} {pq[q]/rq[q] if rq.get(q) else float('nan'):>6.1f}  {qs[q-1]}")
print()
C = {}
for l in open(f"{W}/cold.tsv"):
    name, _, t = l.rstrip("\n").split("\t")
    C.setdefault(name, []).append(float(t) * 1000)
print(f"{'cold, whole process':<20} {'runs':>8} {'median ms':>10} {'p95 ms':>8} {'min ms':>8}")
for name, ts in C.items():
    print(f"{name:<20} {len(ts):>8} {statistics.median(ts):>10.2f} {pct(ts, 95):>8.2f} {min(ts):>8.2f}")
ratio = statistics.median(C["pressindex search"]) / statistics.median(C["xapian-ref one"])
print(f"ratio pressindex search / xapian-ref one: {ratio:.2f}x   (target <= 2x: {'met' if ratio <= 2 else 'NOT met'})")
print()
K = {}
for e in ("context", "nocontext"):
    K[e] = [float(l.split("\t")[2]) / 1000 for l in open(f"{W}/lat-{e}.tsv") if l.strip()]
print(f"{'context ranking':<20} {'searches':>8} {'median ms':>10} {'p95 ms':>8}")
for e, name in (("context", "with (default)"), ("nocontext", "without")):
    print(f"{name:<20} {len(K[e]):>8} {statistics.median(K[e]):>10.3f} {pct(K[e], 95):>8.3f}")
kr = pct(K["context"], 95) / pct(K["nocontext"], 95)
print(f"ratio p95 with / without: {kr:.2f}x   (issue 8 target <= 1.2x: {'met' if kr <= 1.2 else 'NOT met'})")
EOF
