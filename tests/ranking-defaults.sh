#!/bin/sh
# The ranking defaults in doc/ranking.md's table are the library's: `pressindex search --help`
# prints them from pressindex_search_options_init() (src/lib/rank.c's table), and every row of the
# doc must say the same, and every ranking option of the help must have a row.
set -u
srcdir=${TOP_SRCDIR:-.}
PRESSINDEX=${PRESSINDEX:-./src/cli/pressindex}
help=$("$PRESSINDEX" search --help) || { echo "FAIL: pressindex search --help"; exit 1; }
fails=0 rows=0
# Rows: | `--option` | `field` | value |
rows_text=$(sed -n '/^## Defaults/,/^## /p' "$srcdir/doc/ranking.md" | grep '^| `--')
[ -n "$rows_text" ] || { echo "FAIL: no defaults table in doc/ranking.md"; exit 1; }
while IFS='|' read -r _ opt _ value _; do
    opt=$(echo "$opt" | tr -d ' `')
    value=$(echo "$value" | tr -d ' ')
    rows=$((rows + 1))
    # The help line of the option (or the bm25 pair), and its "default ..." figure.
    case $opt in
        --bm25-k1) got=$(echo "$help" | sed -n 's/.*--bm25-k1 K.*(default \([0-9.]*\) and .*/\1/p') ;;
        --bm25-b) got=$(echo "$help" | sed -n 's/.*--bm25-b B.*(default [0-9.]* and \([0-9.]*\)).*/\1/p') ;;
        *) got=$(echo "$help" | grep -A1 -- "$opt " | tr '\n' ' ' | grep -o '(default [0-9.]*' | head -1 | cut -d' ' -f2) ;;
    esac
    if [ "$got" != "$value" ]; then
        echo "FAIL: doc/ranking.md says $opt = $value, the library's default is '${got}'"
        fails=$((fails + 1))
    fi
done <<ROWS
$rows_text
ROWS
for opt in $(echo "$help" | sed -n '/^Ranking/,/--bm25/p' | grep -o -- '--[a-z0-9-]*' | grep -v context-weight | sort -u); do
    echo "$rows_text" | grep -q -- "\`$opt\`" || { echo "FAIL: $opt has no row in doc/ranking.md"; fails=$((fails + 1)); }
done
echo "$rows rows checked, $fails failures"
[ $fails -eq 0 ]
