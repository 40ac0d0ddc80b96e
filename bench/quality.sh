#!/usr/bin/env bash
# bench/quality.sh - ranking quality on the judged collections: pressindex against plain Xapian BM25.
#
# usage: bench/quality.sh [--k N] [--rebuild] [--peers] [COLLECTION...]
#        (default: time cranfield cisi medline npl lisa adi)
#
# For each collection: pressindex indexes its releases.jsonl.gz (always rebuilt: the collections are
# small and the index must match the code); xapian-ref (defaults: the plain Xapian BM25 baseline)
# indexes prep.py's passages.tsv (reused unless --rebuild). Every query of queries.tsv, reduced to
# words by bench/ireval.py (DECISIONS.md "Measuring"), runs through bench/pi-query and
# `xapian-ref query` with the top N passages (--k, default 100); bench/ireval.py reduces each list
# to distinct releases and computes nDCG@10 (gain 1) and MAP (top 100 distinct releases) over the
# queries with a relevant document. --peers adds lucene-ref and fts5-ref columns (nDCG@10 only).
#
# Prints a table: collection, judged queries, nDCG@10 pressindex / baseline / delta, MAP both, and
# the mean over the collections. "issue" = the plain-Xapian figure of the issue, for orientation.
# A second table gives nDCG@10 over the distinct releases of the top 10 passages only: that is how
# the issue's figures were measured (the baseline then matches them to 3 decimals); the first table
# ranks 10 distinct releases and is a little higher where releases have several passages.
# A query the engine rejects (error on stderr, counted in the table) scores 0.
# Outputs under bench/out/quality/COLLECTION/; the table also in bench/out/quality/quality.txt.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

K=100 REBUILD=0 PEERS_TOO=0 COLLS=()
while [ $# -gt 0 ]; do
    case $1 in
        --k) K=$2; shift ;;
        --rebuild) REBUILD=1 ;;
        --peers) PEERS_TOO=1 ;;
        -h|--help) sed -n '2,/^source/p' "$0" | sed '/^# shellcheck /d; $d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) COLLS+=("$1") ;;
    esac
    shift
done
[ ${#COLLS[@]} -gt 0 ] || COLLS=(time cranfield cisi medline npl lisa adi)
ensure_pi_query
ensure_peers
Q=$OUT/quality
mkdir -p "$Q"
RES=$Q/results.tsv
: >"$RES"
EVAL=$BENCH/ireval.py

for c in "${COLLS[@]}"; do
    D=$CORPORA/$c
    { [ -f "$D/queries.tsv" ] && [ -f "$D/qrels.txt" ]; } || die "$c: no queries.tsv/qrels.txt in $D"
    W=$Q/$c
    mkdir -p "$W"
    log "$c: indexing"
    prep "$D/releases.jsonl.gz" "$W/prep"
    rm -rf "$W/pressindex.db"
    rc=0
    pressindex --db "$W/pressindex.db" index "$D/releases.jsonl.gz" >"$W/index-pressindex.log" 2>&1 || rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 65 ] || die "$c: pressindex index failed: see $W/index-pressindex.log"
    ENGS="xapian-ref"
    [ $PEERS_TOO = 0 ] || ENGS="$ENGS lucene-ref fts5-ref"
    for e in $ENGS; do
        if [ $REBUILD = 1 ] || [ ! -e "$W/$e.db" ] || [ "$W/prep/passages.tsv" -nt "$W/$e.db" ]; then
            rm -rf "$W/$e.db"
            "$PEERS/$e" index "$W/$e.db" "$W/prep/passages.tsv" >"$W/index-$e.log" 2>&1 \
                || die "$c: $e index failed: see $W/index-$e.log"
        fi
    done
    python3 "$EVAL" reduce "$D/queries.tsv" "$W/queries.txt" "$W/queries.qids" 2>"$W/reduce.log" || die "reduce failed"
    log "$c: $(wc -l <"$W/queries.txt") queries"
    "$PI_QUERY" query "$W/pressindex.db" "$W/queries.txt" --warmup 1 --reps 0 --k "$K" \
        --top "$W/top-pressindex.tsv" 2>"$W/query-pressindex.err" || die "$c: pi-query failed"
    for e in $ENGS; do
        "$PEERS/$e" query "$W/$e.db" "$W/queries.txt" --warmup 1 --reps 0 --k "$K" \
            --top "$W/top-$e.tsv" 2>"$W/query-$e.err" || die "$c: $e query failed"
    done
    for e in pressindex $ENGS; do
        printf '%s\t%s\t%s\t%s\n' "$c" "$e" \
            "$(python3 "$EVAL" eval "$D/qrels.txt" "$W/queries.qids" "$W/top-$e.tsv" --json)" \
            "$(grep -c 'error' "$W/query-$e.err" || true)" >>"$RES"
    done
done

python3 - "$RES" "$K" <<'EOF' | tee "$Q/quality.txt"
import json, sys
ISSUE = {"time": .659, "npl": .378, "lisa": .333, "cisi": .332, "cranfield": .316, "medline": .661, "adi": .374}
R, order = {}, []
for line in open(sys.argv[1]):
    c, e, js, errs = line.rstrip("\n").split("\t")
    R[(c, e)] = dict(json.loads(js), errors=int(errs))
    if c not in order:
        order.append(c)
peers = [e for e in ("lucene-ref", "fts5-ref") if any((c, e) in R for c in order)]
print(f"quality bench: nDCG@10 (gain 1) and MAP (top 100 distinct releases, from the top {sys.argv[2]} passages);")
print("baseline = xapian-ref (plain Xapian BM25, defaults); queries reduced to words; distinct releases")
print()
head = (f"{'collection':<10} {'q':>4} {'nDCG pi':>8} {'nDCG base':>9} {'delta':>7} {'issue':>6} "
        f"{'MAP pi':>7} {'MAP base':>8} {'delta':>7}")
head += "".join(f" {('nDCG ' + p.split('-')[0]):>12}" for p in peers)
print(head)
sums = {}
for c in order:
    p, b = R[(c, "pressindex")], R[(c, "xapian-ref")]
    vals = [p["ndcg10"], b["ndcg10"], p["ndcg10"] - b["ndcg10"], p["map"], b["map"], p["map"] - b["map"]]
    vals += [R[(c, e)]["ndcg10"] for e in peers]
    for i, v in enumerate(vals):
        sums[i] = sums.get(i, 0) + v
    iss = f"{ISSUE[c]:.3f}" if c in ISSUE else "-"
    line = (f"{c:<10} {p['queries']:>4} {vals[0]:>8.3f} {vals[1]:>9.3f} {vals[2]:>+7.3f} {iss:>6} "
            f"{vals[3]:>7.3f} {vals[4]:>8.3f} {vals[5]:>+7.3f}")
    line += "".join(f" {v:>12.3f}" for v in vals[6:])
    notes = [f"{e}: {R[(c, e)]['errors']} query errors" for e in ["pressindex", "xapian-ref"] + peers
             if R[(c, e)]["errors"]]
    print(line + ("   (" + "; ".join(notes) + ")" if notes else ""))
n = len(order)
m = [sums[i] / n for i in range(len(sums))]
iss = [ISSUE[c] for c in order if c in ISSUE]
issm = f"{sum(iss)/len(iss):.3f}" if len(iss) == n else "-"
line = (f"{'mean':<10} {'':>4} {m[0]:>8.3f} {m[1]:>9.3f} {m[2]:>+7.3f} {issm:>6} "
        f"{m[3]:>7.3f} {m[4]:>8.3f} {m[5]:>+7.3f}")
line += "".join(f" {v:>12.3f}" for v in m[6:])
print(line)
below = [c for c in order if R[(c, "pressindex")]["ndcg10"] < R[(c, "xapian-ref")]["ndcg10"]]
print()
print("pressindex below the baseline on: " + (", ".join(below) if below else "none"))
print()
print("nDCG@10 as the issue's figures were measured: distinct releases of the top 10 passages only")
print(f"{'collection':<10} {'nDCG pi':>8} {'nDCG base':>9} {'delta':>7} {'issue':>6}")
t = [0.0, 0.0]
for c in order:
    p, b = R[(c, "pressindex")]["ndcg10_p10"], R[(c, "xapian-ref")]["ndcg10_p10"]
    t[0] += p; t[1] += b
    print(f"{c:<10} {p:>8.3f} {b:>9.3f} {p-b:>+7.3f} {(f'{ISSUE[c]:.3f}' if c in ISSUE else '-'):>6}")
print(f"{'mean':<10} {t[0]/n:>8.3f} {t[1]/n:>9.3f} {(t[0]-t[1])/n:>+7.3f} {issm:>6}")
EOF
