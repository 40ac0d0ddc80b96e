#!/usr/bin/env bash
# bench/serve.sh - pressindex serve under load, loopback only: N concurrent HTTP clients x M searches
# over a corpus (default whitehouse), against the same searches through the library in N threads of
# one process (one handle each), in one run; then the same HTTP load while a reindex and while a
# compaction run on the served index. Never part of make check.
#
# usage: bench/serve.sh [--rebuild] [--clients N] [--searches M] [--queries FILE] [CORPUS]
#
#   index:   bench/out/CORPUS/serve/index, kept by `reindex` of bench/out/CORPUS/serve/src/ (a copy of
#            the corpus file; built here, untimed, when missing or with --rebuild: ~1-2 min on whitehouse)
#   queries: bench/queries-CORPUS.txt; client (thread) t takes query (t*M + j) mod Q
#   lib:     bench/serve-lib (pressindex_search with /api/search's options: limit 10, facets, 2 s budget;
#            every result's fields read) in N threads, one read-only handle each
#   http:    bench/serve_load.py: N clients on keep-alive connections to `pressindex serve --threads N`
#   rounds:  lib, http, lib, http (alone; the latencies of both rounds pooled), then 1 thread / 1 client
#            alone, then the HTTP load while `reindex` replaces 5% of the releases (the corpus file
#            swapped for a copy with every 20th release's first paragraph changed, or back), then while
#            `compact` runs. Each client goes round its M searches until the writer is done.
#   prints:  per round: requests, errors, throughput (requests/s), p50/p95/p99 (ms); the ratio of
#            HTTP p95 to library p95 at N (target <= 2); errors (target 0, during reindex and compaction
#            included). Also in bench/out/CORPUS/serve/serve.txt.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

REBUILD=0 CLIENTS=8 SEARCHES=50 CORPUS=whitehouse QUERIES=
while [ $# -gt 0 ]; do
    case $1 in
        --rebuild) REBUILD=1 ;;
        --clients) CLIENTS=$2; shift ;;
        --searches) SEARCHES=$2; shift ;;
        --queries) QUERIES=$2; shift ;;
        -h|--help) sed -n '2,/^source/p' "$0" | sed '/^# shellcheck /d; $d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) CORPUS=$1 ;;
    esac
    shift
done
QUERIES=${QUERIES:-$BENCH/queries-$CORPUS.txt}
[ -f "$QUERIES" ] || die "no query list $QUERIES"
SRC=$CORPORA/$CORPUS/releases.jsonl.gz
[ -f "$SRC" ] || die "no corpus $SRC"
ensure_built
pressindex serve --help >/dev/null 2>&1 || die "this build has no serve (apt-get install libmicrohttpd-dev, configure, make)"
LIBDRV=$OUT/serve-lib
if [ ! -x "$LIBDRV" ] || [ "$BENCH/serve-lib.c" -nt "$LIBDRV" ] || [ "$REPO/include/pressindex.h" -nt "$LIBDRV" ]; then
    ${CC:-cc} -O2 -Wall -pthread -I "$REPO/include" "$BENCH/serve-lib.c" -o "$LIBDRV" \
        -L "$PI_LIBDIR" -lpressindex -Wl,-rpath,"$PI_LIBDIR" || die "compiling serve-lib failed"
fi

W=$OUT/$CORPUS/serve
mkdir -p "$W/src"
FILE=$W/src/$CORPUS.jsonl.gz
if [ $REBUILD = 1 ] || [ ! -s "$W/original.jsonl.gz" ]; then
    cp "$SRC" "$W/original.jsonl.gz"
    log "writing $W/changed.jsonl.gz (every 20th release's first paragraph changed)"
    python3 - "$W/original.jsonl.gz" "$W/changed.jsonl.gz" <<'EOF'
import gzip, json, sys
with gzip.open(sys.argv[1], "rt", encoding="utf-8") as f, gzip.open(sys.argv[2], "wt", encoding="utf-8", compresslevel=1) as g:
    for n, line in enumerate(f):
        if n % 20 == 0 and line.strip():
            r = json.loads(line)
            if r.get("paragraphs"):
                r["paragraphs"][0] = str(r["paragraphs"][0]) + " (Updated by the serve bench.)"
            line = json.dumps(r, ensure_ascii=False) + "\n"
        g.write(line)
EOF
fi
if [ $REBUILD = 1 ] || [ ! -e "$W/index" ]; then
    rm -rf "$W/index"
    cp "$W/original.jsonl.gz" "$FILE"
    log "building $W/index (untimed): reindex $W/src"
    rc=0
    pressindex --db "$W/index" reindex "$W/src" >"$W/build.log" 2>&1 || rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 65 ] || die "reindex failed: see $W/build.log"
fi

SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; true; }
trap cleanup EXIT
LD_LIBRARY_PATH=$PI_LIBDIR "$PI_BIN" --db "$W/index" serve --listen 127.0.0.1:0 --threads "$CLIENTS" \
    >"$W/serve.out" 2>"$W/serve.err" &
SERVER_PID=$!
for _ in $(seq 100); do [ -s "$W/serve.out" ] && break; sleep 0.1; done
URL=$(head -1 "$W/serve.out")
case $URL in http://127.0.0.1:*) ;; *) die "the server did not start: $(cat "$W/serve.err")" ;; esac
log "serving $W/index at $URL ($CLIENTS workers); $(uptime)"

lib() { # lib NAME THREADS
    "$LIBDRV" "$W/index" "$QUERIES" --threads "$2" --searches "$SEARCHES" >"$W/$1.tsv" 2>"$W/$1.err" \
        || die "serve-lib failed: $(cat "$W/$1.err")"
}
http() { # http NAME CLIENTS [--while-pid PID]
    local name=$1 n=$2; shift 2
    python3 "$BENCH/serve_load.py" "$URL" "$QUERIES" --clients "$n" --searches "$SEARCHES" --lat "$W/$name.lat" "$@" \
        >"$W/$name.json" || die "serve_load.py failed"
}
log "round 1: library, $CLIENTS threads"; lib lib-a "$CLIENTS"
log "round 1: HTTP, $CLIENTS clients"; http http-a "$CLIENTS"
log "round 2: library"; lib lib-b "$CLIENTS"
log "round 2: HTTP"; http http-b "$CLIENTS"
log "1 thread / 1 client"; lib lib-1 1; http http-1 1

# The nightly job while the server answers: a reindex that replaces every 20th release (the file
# swapped for the changed copy, or back), then a compaction.
if cmp -s "$FILE" "$W/original.jsonl.gz"; then cp "$W/changed.jsonl.gz" "$FILE"; else cp "$W/original.jsonl.gz" "$FILE"; fi
log "HTTP during reindex"
t0=$(date +%s.%N)
( pressindex --db "$W/index" reindex --json "$W/src" >"$W/reindex.json" 2>"$W/reindex.err" ) &
WPID=$!
http http-reindex "$CLIENTS" --while-pid "$WPID"
rc=0; wait "$WPID" || rc=$?
REINDEX_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')
[ $rc -eq 0 ] || [ $rc -eq 65 ] || die "reindex failed ($rc): $(cat "$W/reindex.err")"
log "HTTP during compaction"
t0=$(date +%s.%N)
( pressindex --db "$W/index" compact >"$W/compact.log" 2>&1 ) &
WPID=$!
http http-compact "$CLIENTS" --while-pid "$WPID"
wait "$WPID" || die "compact failed: $(cat "$W/compact.log")"
COMPACT_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')

kill -TERM "$SERVER_PID"
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=
[ $rc -eq 0 ] || die "the server exited $rc on SIGTERM"

python3 - "$W" "$CLIENTS" "$SEARCHES" "$REINDEX_S" "$COMPACT_S" <<'EOF' | tee "$W/serve.txt"
import json, sys
w, n, m, reindex_s, compact_s = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
def pct(xs, p):
    xs = sorted(xs); k = min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1)); return xs[k]
def lib(*names):
    lat, err = [], 0
    for name in names:
        for line in open(f"{w}/{name}.tsv"):
            t, us, st = line.split("\t")
            lat.append(float(us) / 1000); err += st.strip() != "0"
    return lat, err
def http(*names):
    lat, err, thr = [], 0, []
    for name in names:
        lat += [float(x) for x in open(f"{w}/{name}.lat")]
        j = json.load(open(f"{w}/{name}.json")); err += j["errors"]; thr.append(j["throughput"])
        for s in j["error_samples"]:
            print("  error:", s)
    return lat, err, sum(thr) / len(thr)
rows = []
def row(label, lat, err, thr=None):
    rows.append((label, len(lat), err, "" if thr is None else f"{thr:.1f}", pct(lat, 50), pct(lat, 95), pct(lat, 99)))
libN, libNerr = lib("lib-a", "lib-b")
httpN, httpNerr, thrN = http("http-a", "http-b")
lib1, lib1err = lib("lib-1")
http1, http1err, thr1 = http("http-1")
hr, hrerr, thrr = http("http-reindex")
hc, hcerr, thrc = http("http-compact")
row(f"library, {n} threads", libN, libNerr)
row(f"HTTP, {n} clients", httpN, httpNerr, thrN)
row("library, 1 thread", lib1, lib1err)
row("HTTP, 1 client", http1, http1err, thr1)
row(f"HTTP, {n} clients, during reindex ({reindex_s:.0f} s)", hr, hrerr, thrr)
row(f"HTTP, {n} clients, during compaction ({compact_s:.0f} s)", hc, hcerr, thrc)
print(f"{'round':48} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
for r in rows:
    print(f"{r[0]:48} {r[1]:8d} {r[2]:6d} {r[3]:>7} {r[4]:8.1f} {r[5]:8.1f} {r[6]:8.1f}")
ratio = pct(httpN, 95) / pct(libN, 95)
print(f"p95 HTTP / library at {n}: {ratio:.2f} (target <= 2)   at 1: {pct(http1, 95) / pct(lib1, 95):.2f}")
print(f"failed requests: {httpNerr + http1err + hrerr + hcerr} of {len(httpN) + len(http1) + len(hr) + len(hc)} "
      f"(during reindex {hrerr}, during compaction {hcerr}; target 0); library errors {libNerr + lib1err}")
EOF
log "reindex: $(cat "$W/reindex.json")"
