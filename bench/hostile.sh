#!/usr/bin/env bash
# bench/hostile.sh - how long hostile queries take: what a web front end on the library would be
# sent to make it unavailable (issue 15). Each runs as a whole `pressindex search` process with the
# default bounds; a refused query (exit 64) is answered at once, which is the point.
#
# usage: bench/hostile.sh [--rebuild] [CORPUS]   (default whitehouse)
#
#   index:  bench/out/CORPUS/pressindex.db as bench/build.sh leaves it (built here when missing)
#   prints: per query its exit status and the median wall time of 3 runs, the worst, and the ratio
#           of the worst to an ordinary query ("national security") timed in the same run.
#           DECISIONS.md's target: every hostile query answers in under 1 s on whitehouse.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

REBUILD=0 CORPUS=whitehouse
while [ $# -gt 0 ]; do
    case $1 in
        --rebuild) REBUILD=1 ;;
        -h|--help) sed -n '2,/^source/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) CORPUS=$1 ;;
    esac
    shift
done
ensure_built
W=$OUT/$CORPUS
DB=$W/pressindex.db
mkdir -p "$W"
if [ $REBUILD = 1 ] || [ ! -d "$DB" ]; then
    rm -rf "$DB"
    log "building $DB (untimed)"
    rc=0; pressindex --db "$DB" index "$CORPORA/$CORPUS/releases.jsonl.gz" >"$W/index-hostile.log" 2>&1 || rc=$?
    [ $rc -eq 0 ] || [ $rc -eq 65 ] || die "pressindex index failed: see $W/index-hostile.log"
fi

# The queries, written to files (some are 100 KB): name<TAB>file
Q=$W/hostile
rm -rf "$Q"
mkdir -p "$Q"
python3 - "$Q" "$CORPORA/$CORPUS/releases.jsonl.gz" <<'PY'
import collections, gzip, json, os, random, re, sys
d = sys.argv[1]
# The corpus's 256 most frequent words (from its first 2,000 releases): the costliest query the
# bounds let through, every word's postings long and distinct.
freq = collections.Counter()
with gzip.open(sys.argv[2], "rt") as f:
    for i, line in enumerate(f):
        if i >= 2000:
            break
        r = json.loads(line)
        for p in r.get("paragraphs") or [r.get("text", "")]:
            freq.update(w.lower() for w in re.findall(r"[A-Za-z]+", p or ""))
random.seed(15)
common = ("president administration united states american people government federal national "
          "security health economy workers families support program act law house secretary "
          "department state public new year million billion plan energy care tax trade").split()
def put(name, text):
    open(os.path.join(d, name), "w").write(text)
put("ordinary", "national security")
put("page-105KB", " ".join(random.choice(common) for _ in range(14000)))
put("phrase-12000", '"' + " ".join(random.choice(common) for _ in range(12000)) + '"')
put("or-512-common", " ".join(random.choice(common) for _ in range(512)))
put("or-256-frequent", " ".join(w for w, _ in freq.most_common(256)))
put("stopwords-512", " ".join(random.choice(["the", "of", "and", "to", "in", "a"]) for _ in range(512)))
put("phrase-500-common", '"' + " ".join(random.choice(common) for _ in range(500)) + '"')
put("near-chain", " NEAR ".join(random.choice(common) for _ in range(40)))
put("wildcard-a", "a*")
put("wildcard-pre", "pre*")
put("many-wildcards", " ".join(w[:3] + "*" for w in common))
put("nested-brackets", "(" * 200 + "president" + ")" * 200)
put("not-everything", "NOT president NOT security NOT economy")
put("date-0001-9999", "president date:0001..9999")
PY

median3() {  # median3 FILE -> "status seconds"
    local f=$1 t rc times=()
    for _ in 1 2 3; do
        local t0 t1
        t0=$(date +%s.%N)
        rc=0; pressindex --db "$DB" search --limit 10 -- "$(cat "$f")" >/dev/null 2>&1 || rc=$?
        t1=$(date +%s.%N)
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
    done
    t=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
    echo "$rc $t"
}

read -r _ ORD < <(median3 "$Q/ordinary")
printf 'hostile queries on %s, %s, one run (whole processes, median of 3)\n\n' "$CORPUS" "$(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-20s %6s %10s %9s\n' query exit seconds "x ordinary"
WORST=0 WORST_Q=
for f in "$Q"/*; do
    name=$(basename "$f")
    [ "$name" = ordinary ] && continue
    read -r rc t < <(median3 "$f")
    printf '%-20s %6s %10s %9.1f\n' "$name" "$rc" "$t" "$(awk -v a="$t" -v b="$ORD" 'BEGIN { print a / b }')"
    if awk -v a="$t" -v b="$WORST" 'BEGIN { exit !(a > b) }'; then WORST=$t WORST_Q=$name; fi
done
printf '%-20s %6s %10s\n' ordinary 0 "$ORD"
printf '\nworst: %s s (%s); target: under 1 s: %s\n' "$WORST" "$WORST_Q" \
    "$(awk -v a="$WORST" 'BEGIN { print (a < 1 ? "met" : "NOT met") }')"
