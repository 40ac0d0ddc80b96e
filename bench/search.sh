#!/usr/bin/env bash
# bench/search.sh - query latency benchmark: pressindex against the reference engines, in the same run.
#
# usage: bench/search.sh [--rebuild] [--peers] [--scale N] [--cold-runs N] [--queries FILE] [CORPUS]
#                                                                                   (default whitehouse)
#
#   indexes: bench/out/CORPUS/{pressindex,xapian-ref,lucene-ref}.db as bench/build.sh leaves them
#            (built here, untimed, when missing or with --rebuild)
#   --peers: adds lucene-ref (the reference the speed targets are ratios to) and fts5-ref (1x only)
#   --scale N: runs on bench/build.sh --scale N's indexes in bench/out/CORPUS-xN/ instead (never built
#            here: run `bench/build.sh --scale N CORPUS` first); lucene-ref is always in at Nx, and
#            xapian-ref only when `bench/build.sh --scale N --scale-ref` left its Nx index there
#   queries: bench/queries-CORPUS.txt (one a line, syntax every engine accepts)
#   warm:    each engine's index files read once (into the page cache), then
#            one process per engine runs every query 3 times untimed (lucene-ref 10, for the JVM), then
#            5 timed passes (bench/pi-query for pressindex, `PEER query` for the references); median and
#            p95 over all timed searches, and the ratios pressindex / lucene-ref and pressindex /
#            xapian-ref (< 1: pressindex faster); the slowest queries side by side
#   context: the same queries with and without context ranking (release + neighbour evidence),
#            interleaved in one pi-query process; p95 ratio (issue 8 target <= 1.2x)
#   cold:    whole processes with the index in the page cache (every command run once first):
#            median of N (default 20) runs of `pressindex search QUERY` against `xapian-ref one` (ratio,
#            target <= 2x) and, with lucene-ref, `lucene-ref one` (its JVM start-up included), the
#            queries taken in turn from the list, the commands interleaved. `pi-query one` is shown too
#            (library open + search without the command's start-up and output).
#
# Outputs under bench/out/CORPUS/ (bench/out/CORPUS-xN/ with --scale): lat-*.tsv, top-*.tsv, cold.tsv,
# search.txt (the tables).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

REBUILD=0 PEERS_TOO=0 SCALE=1 COLD_RUNS=20 CORPUS=whitehouse QUERIES=
while [ $# -gt 0 ]; do
    case $1 in
        --rebuild) REBUILD=1 ;;
        --peers) PEERS_TOO=1 ;;
        --scale) [ $# -ge 2 ] || die "--scale needs a number"; SCALE=$2; shift ;;
        --scale=*) SCALE=${1#--scale=} ;;
        --cold-runs) COLD_RUNS=$2; shift ;;
        --queries) QUERIES=$2; shift ;;
        -h|--help) sed -n '2,/^source/p' "$0" | sed '/^# shellcheck /d; $d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) CORPUS=$1 ;;
    esac
    shift
done
case $SCALE in ''|*[!0-9]*|0) die "--scale wants a whole number > 0, not '$SCALE'" ;; esac
QUERIES=${QUERIES:-$BENCH/queries-$CORPUS.txt}
[ -f "$QUERIES" ] || die "no query list $QUERIES (write one, or pass --queries FILE)"
SRC=$CORPORA/$CORPUS/releases.jsonl.gz
ensure_pi_query
ensure_peers

ENGINES="pressindex"   # warm order: pressindex first, then the references
if [ "$SCALE" -eq 1 ]; then
    W=$OUT/$CORPUS
    mkdir -p "$W"
    build_if_needed() {   # build_if_needed ENGINE : W/ENGINE.db, untimed
        local eng=$1 db=$W/$1.db rc=0
        if [ $REBUILD = 1 ] || [ ! -e "$db" ]; then
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
    build_if_needed pressindex
    if [ $PEERS_TOO = 1 ]; then
        build_if_needed lucene-ref
        ENGINES="$ENGINES lucene-ref"
    fi
    build_if_needed xapian-ref
    ENGINES="$ENGINES xapian-ref"
    if [ $PEERS_TOO = 1 ]; then
        build_if_needed fts5-ref
        ENGINES="$ENGINES fts5-ref"
    fi
else
    W=$OUT/$CORPUS-x$SCALE
    [ $REBUILD = 0 ] || die "--rebuild does not build ${SCALE}x indexes: run bench/build.sh --scale $SCALE $CORPUS"
    for eng in pressindex lucene-ref; do
        [ -e "$W/$eng.db" ] || die "no ${SCALE}x index $W/$eng.db: run \`bench/build.sh --scale $SCALE $CORPUS\` first (add --peers for the 1x peers, --scale-ref for xapian-ref at ${SCALE}x)"
    done
    ENGINES="$ENGINES lucene-ref"
    if [ -e "$W/xapian-ref.db" ]; then
        ENGINES="$ENGINES xapian-ref"
    else
        log "note: no ${SCALE}x xapian-ref index (bench/build.sh --scale $SCALE --scale-ref $CORPUS builds it, slowly): no xapian-ref figures"
    fi
fi
has() { case " $ENGINES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

NQ=$(grep -cv '^\(#.*\)\{0,1\}$' "$QUERIES" || true)
log "warm latency (${SCALE}x): $NQ queries, warm-up 3 (lucene-ref 10), 5 timed passes: $ENGINES"
# Warm means the index in the page cache: each engine's index files are read through just before
# its passes. The warm-up queries alone left it to chance at 10x, where this machine's page cache
# (capped near 4-6 GB) had just been swept by xapian-ref's 8 GB index or a build: pressindex, first
# in line, then read blocks from disk (a run's mean 6.6 ms against a median of 4.0).
cache_index() { find "$1" -type f -exec cat {} + >/dev/null; }
for eng in $ENGINES; do
    warmup=3
    [ "$eng" != lucene-ref ] || warmup=10
    prog=$PEERS/$eng
    [ "$eng" != pressindex ] || prog=$PI_QUERY
    cache_index "$W/$eng.db"
    "$prog" query "$W/$eng.db" "$QUERIES" --warmup $warmup --reps 5 \
        --lat "$W/lat-$eng.tsv" --top "$W/top-$eng.tsv" 2>"$W/query-$eng.err" \
        || die "$eng query failed: see $W/query-$eng.err"
done
# Issue 8: the cost of context ranking (release and neighbour evidence), each search timed with
# and without it, interleaved in one process.
log "context ranking: $NQ queries with and without the release's context, interleaved"
cache_index "$W/pressindex.db"
"$PI_QUERY" query "$W/pressindex.db" "$QUERIES" --warmup 3 --reps 5 \
    --lat "$W/lat-context.tsv" --lat-nocontext "$W/lat-nocontext.tsv" 2>"$W/query-context.err" \
    || die "pi-query (context) failed: see $W/query-context.err"

XR=- LR=-
! has xapian-ref || XR=$PEERS/xapian-ref
! has lucene-ref || LR=$PEERS/lucene-ref
log "cold whole-process runs: $COLD_RUNS each"
python3 - "$QUERIES" "$COLD_RUNS" "$W/cold.tsv" "$PI_BIN" "$PI_LIBDIR" "$W" "$PI_QUERY" "$XR" "$LR" <<'EOF'
import os, subprocess, sys, time
qfile, runs, outf, pi_bin, pi_lib, W, piq, xr, lr = sys.argv[1:]
runs = int(runs)
qs = [l.rstrip("\r\n ") for l in open(qfile, encoding="utf-8")]
qs = [q for q in qs if q and not q.startswith("#")]
env = dict(os.environ, LD_LIBRARY_PATH=pi_lib)
cmds = {"pressindex search": lambda q: [pi_bin, "--db", f"{W}/pressindex.db", "search", q]}
if xr != "-":
    cmds["xapian-ref one"] = lambda q: [xr, "one", f"{W}/xapian-ref.db", q]
if lr != "-":
    cmds["lucene-ref one"] = lambda q: [lr, "one", f"{W}/lucene-ref.db", q]
cmds["pi-query one"] = lambda q: [piq, "one", f"{W}/pressindex.db", q]
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
python3 - "$W" "${W#"$REPO"/}" "$NQ" "$CORPUS" "$SCALE" "${QUERIES#"$REPO"/}" "$QUERIES" $ENGINES \
    <<'EOF' | tee "$W/search.txt"
import statistics, sys
W, wname, nq, corpus, scale, qname, qpath = sys.argv[1:8]
nq, scale, engines = int(nq), int(scale), sys.argv[8:]
refs = [e for e in ("lucene-ref", "xapian-ref", "fts5-ref") if e in engines]
def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    f = int(k)
    return xs[f] + (xs[min(f + 1, len(xs) - 1)] - xs[f]) * (k - f)
def ratio(a, b):
    return f"{a / b:.2f}" if b else "n/a"
print(f"search bench: {corpus} at {scale}x ({wname}), {nq} queries ({qname}), warm-up 3 (lucene-ref 10), "
      f"5 timed passes; one run")
print()
print(f"{'warm, one process':<20} {'searches':>8} {'median ms':>10} {'p95 ms':>8} {'mean ms':>8} {'max ms':>8} {'no hits':>8} {'errors':>7}")
S = {}
for e in engines:
    lat = [float(l.split("\t")[2]) / 1000 for l in open(f"{W}/lat-{e}.tsv") if l.strip()]
    hit = {l.split("\t")[0] for l in open(f"{W}/top-{e}.tsv") if l.strip()}
    errs = sum(1 for l in open(f"{W}/query-{e}.err") if "error" in l.lower())
    S[e] = (statistics.median(lat), pct(lat, 95))
    print(f"{e:<20} {len(lat):>8} {S[e][0]:>10.3f} {S[e][1]:>8.3f} {statistics.mean(lat):>8.3f} "
          f"{max(lat):>8.2f} {nq - len(hit):>8} {errs:>7}")
o = S["pressindex"]
for r in refs:
    print(f"ratio pressindex / {r + ':':<11} median {ratio(o[0], S[r][0])}, p95 {ratio(o[1], S[r][1])}"
          f"   (< 1: pressindex faster)")
qs = [l.rstrip("\r\n ") for l in open(qpath, encoding="utf-8")]
qs = [q for q in qs if q and not q.startswith("#")]
def per_query(e):
    d = {}
    for l in open(f"{W}/lat-{e}.tsv"):
        if l.strip():
            q, _, t = l.split("\t")
            d.setdefault(int(q), []).append(float(t) / 1000)
    return {q: statistics.median(v) for q, v in d.items()}
P = {e: per_query(e) for e in ["pressindex"] + refs}
side = [r for r in ("lucene-ref", "xapian-ref") if r in refs]
print()
print("slowest queries for pressindex (median ms of 5 passes; ratio = pressindex / reference):")
print(f"{'pressindex':>10} " + " ".join(f"{r:>10} {'ratio':>6}" for r in side) + "  query")
pq = P["pressindex"]
for q in sorted(pq, key=lambda q: -pq[q])[:8]:
    cells = []
    for r in side:
        t = P[r].get(q)
        cells.append(f"{t if t is not None else float('nan'):>10.2f} {pq[q]/t if t else float('nan'):>6.1f}")
    print(f"{pq[q]:>10.2f} " + " ".join(cells) + f"  {qs[q-1]}")
print()
C = {}
for l in open(f"{W}/cold.tsv"):
    name, _, t = l.rstrip("\n").split("\t")
    C.setdefault(name, []).append(float(t) * 1000)
print(f"{'cold, whole process':<20} {'runs':>8} {'median ms':>10} {'p95 ms':>8} {'min ms':>8}")
for name, ts in C.items():
    print(f"{name:<20} {len(ts):>8} {statistics.median(ts):>10.2f} {pct(ts, 95):>8.2f} {min(ts):>8.2f}")
pc = statistics.median(C["pressindex search"])
if "xapian-ref one" in C:
    r = pc / statistics.median(C["xapian-ref one"])
    print(f"ratio pressindex search / xapian-ref one: {r:.2f}x   (target <= 2x: {'met' if r <= 2 else 'NOT met'})")
else:
    print(f"ratio pressindex search / xapian-ref one: n/a (no {scale}x xapian-ref index: "
          f"bench/build.sh --scale {scale} --scale-ref builds it)")
if "lucene-ref one" in C:
    r = pc / statistics.median(C["lucene-ref one"])
    print(f"ratio pressindex search / lucene-ref one: {r:.2f}x   (lucene-ref one includes a JVM start-up)")
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
