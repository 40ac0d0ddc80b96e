#!/bin/sh
# seeds.sh OUT - writes the seed inputs of each fuzz target to OUT/<target>/, from fixtures/
# (releases and bad inputs), the bench's queries and the query rows of tests/test_query.c.
# Used by tests/fuzz.sh (make fuzz) and tests/fuzz-replay.sh (make check). doc/fuzzing.md.
set -eu
out=$1
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fx=${FIXTURES:-$top/fixtures}
for t in text jsonl date query highlight; do
    rm -rf "${out:?}/$t"
    mkdir -p "$out/$t"
done

# Each line of a file to its own seed (small seeds mutate best). $1 file, $2 folder, $3 name prefix.
split_lines() {
    awk -v dir="$2" -v p="$3" 'NF { f = sprintf("%s/%s-%03d", dir, p, NR); printf "%s", $0 > f; close(f) }' "$1"
}

# text: every text file, good and bad, whole.
for f in "$fx"/releases/*.txt "$fx"/bad/*.txt; do
    cp "$f" "$out/text/$(basename "$f")"
done

# jsonl: every JSON Lines file whole (gzip'd ones decompressed, a truncated one as far as it
# goes), and each of its lines alone.
for f in "$fx"/releases/*.jsonl "$fx"/bad/*.jsonl "$fx"/releases/*.jsonl.gz "$fx"/bad/*.jsonl.gz; do
    [ -f "$f" ] || continue
    b=$(basename "$f" .gz)
    case "$f" in
    *.gz) gzip -dc "$f" >"$out/jsonl/$b" 2>/dev/null || true ;;
    *) cp "$f" "$out/jsonl/$b" ;;
    esac
    split_lines "$out/jsonl/$b" "$out/jsonl" "${b%.jsonl}-line"
done

# date: the dates the fixtures hold, the forms date.c reads, and query date bounds and ranges.
{
    sed -n 's/^[Dd]ate:[[:space:]]*//p; s/^date \([^ ]*\) .*/\1/p' "$fx"/releases/*.txt "$fx"/bad/*.txt | tr -d '\r'
    cat "$out"/jsonl/*.jsonl | grep -ao '"date": *"[^"]*"' | sed 's/.*: *"//; s/"$//'
    cat <<'DATES'
2025-07-30
July 30, 2025
30 July 2025
Jul. 30, 2025
Sept. 3, 2025
1st March 2024
December 22nd, 2024
2025-07-30T12:00:00Z
2025-07-30 12:00
2024-02-29
2023-02-29
2025-13-45
0001-01-01
9999-12-31
2025
2025-07
2024..2025
2024-01..2024-06-30
..2025-07
2025-02..
DATES
} | sort -u | split_lines /dev/stdin "$out/date" date

# query: the bench's queries and the unit tests' query rows (first string of each row).
{
    grep -v '^#' "$top/bench/queries-whitehouse.txt"
    sed -n 's/^ *{"\(\([^"\\]\|\\.\)*\)", .*/\1/p' "$top/tests/test_query.c" | sed 's/\\"/"/g; s/\\\\/\\/g'
} | sort -u | split_lines /dev/stdin "$out/query" query

# highlight: each query, a newline, and a fixture paragraph holding one of its words when there
# is one (else the seed's first paragraph).
paras="$out/paragraphs"
for f in "$fx"/releases/*.txt; do
    tr -d '\r' <"$f" | awk 'length($0) > 80'
done >"$paras"
n=0
for q in "$out"/query/*; do
    n=$((n + 1))
    line=$(cat "$q")
    word=$(printf '%s\n' "$line" | tr -c 'A-Za-z\n' ' ' | tr ' ' '\n' | awk 'length($0) > 3' | head -1)
    para=$( { [ -n "$word" ] && grep -i -m1 -F -- "$word" "$paras"; } || head -1 "$paras")
    printf '%s\n%s\n' "$line" "$para" >"$out/highlight/highlight-$(printf %03d $n)"
done
rm -f "$paras"
