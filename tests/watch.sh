#!/bin/sh
# End-to-end: counts to trust and saved searches (issue 16, items 1, 2, 5, 6): search --count,
# --meta, --facets (text and JSON), --all; pressindex watch add/list/rm/run over reindexes.
# JSON is read back with Python's parser.
. "$(dirname "$0")/lib.sh"
P=$PRESSINDEX

"$P" index "$FIXTURES/releases" >/dev/null 2>&1 || { echo "cannot index the fixtures"; exit 1; }

# ---- --count: one exact integer, the number of paragraphs a full listing shows
for q in Tokayev 'Kazakhstan OR Sri' '"White House"' 'president -Tokayev' 'date:2024 Sri' 'date:2021..2024 president OR government'; do
    run "$P" search --count "$q"; expect_rc 0 "--count $q"
    count=$out
    case "$count" in ''|*[!0-9]*) fail "--count $q: not one integer: $count"; continue ;; esac
    lines=$("$P" search --json --no-collapse --limit 100000 "$q" | grep -c '')
    ok; [ "$count" -eq "$lines" ] || fail "--count $q says $count, --no-collapse lists $lines paragraphs"
    # Collapsed, each result stands for itself and its collapsed twins: the same paragraphs.
    sum=$("$P" search --json --limit 100000 "$q" | python3 -c '
import json, sys
print(sum(1 + json.loads(l)["collapsed"] for l in sys.stdin))')
    ok; [ "$count" -eq "$sum" ] || fail "--count $q says $count, collapsed results stand for $sum"
done
run "$P" search --count zzyzxnothing; expect_rc 1 "--count of nothing exits 1"; expect_in "0" "$out" "--count of nothing prints 0"

# ---- the footer: exact here (the whole match was read), so no "about"
run "$P" search -n 1 Tokayev; expect_rc 0 "search Tokayev"
expect_in "matching paragraphs" "$out" "footer"; expect_not_in "about " "$(printf '%s' "$out" | tail -n 1)" "an exact total is not an estimate"
# Paging past the end: exit 1, and the total is the same on every page
run "$P" search --json --meta -n 2 Tokayev; t1=$(printf '%s' "$out" | tail -n 1)
run "$P" search --json --meta -n 2 --offset 4 Tokayev; t2=$(printf '%s' "$out" | tail -n 1)
ok; [ "$t1" = "$t2" ] || fail "the meta line changes from page to page: $t1 / $t2"
run "$P" search --offset 1000 Tokayev; expect_rc 1 "a page past the end exits 1"

# ---- --meta: the last line, total and exact, after the results
run "$P" search --json --meta Tokayev; expect_rc 0 "--json --meta"
printf '%s\n' "$out" | python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin]
meta = lines[-1]["meta"]
assert all("meta" not in l for l in lines[:-1]), "meta only on the last line"
assert set(meta) == {"total", "exact", "suggestion"}, meta
assert meta["exact"] is True and meta["total"] == 9, meta
assert meta["suggestion"] is None
' 2>"$TMP/py"; ok; [ -s "$TMP/py" ] && fail "--meta line: $(cat "$TMP/py")"
run "$P" search --json --meta zzyzxnothing; expect_rc 1 "--meta of nothing"
expect_in '{"meta":{"total":0,"exact":true' "$out" "--meta of nothing: a total of 0, still one line"
run "$P" search --meta Tokayev; expect_rc 64 "--meta without --json"
run "$P" search --facets --csv Tokayev; expect_rc 64 "--facets with --csv"

# ---- --facets --json: each facet adds up to the total
for q in Tokayev 'president OR minister OR climate' '"White House"'; do
    run "$P" search --json --facets "$q"; expect_rc 0 "--facets --json $q"
    printf '%s\n' "$out" | tail -n 1 | python3 -c '
import json, sys
m = json.loads(sys.stdin.read())["meta"]
f = m["facets"]
for k in ("source", "year", "month"):
    assert sum(v["count"] for v in f[k]) == m["total"], (k, f[k], m["total"])
    assert all(v["count"] > 0 for v in f[k]), f[k]
months = [v["value"] for v in f["month"] if v["value"]]
assert months == sorted(months), months
assert [v["value"] for v in f["month"]][-1:] != [""] or len(months) < len(f["month"]), "undated last"
counts = [v["count"] for v in f["source"]]
assert counts == sorted(counts, reverse=True), counts
assert f["exact"] is True and m["exact"] is True, m
' 2>"$TMP/py"; ok; [ -s "$TMP/py" ] && fail "--facets --json $q: $(cat "$TMP/py")"
done
# Known values: the White House's releases are all of 2021, Sri Lanka's of 2024.
run "$P" search --json --facets 'source:"The White House" OR source:"Presidential Media Division, Sri Lanka"'
expect_in '{"value":"The White House","count":12}' "$out" "source facet: the White House's paragraphs"
expect_in '{"value":"Presidential Media Division, Sri Lanka","count":29}' "$out" "source facet: Sri Lanka's"
# Text: counts by source, year and month; no bar chart off a terminal
run "$P" search --facets -n 1 Tokayev; expect_rc 0 "--facets text"
expect_in "By source:" "$out" "--facets text: sources"; expect_in "2025-07          9" "$out" "--facets text: the month's count"
expect_not_in "█" "$out" "no bars when not on a terminal"
if command -v script >/dev/null 2>&1; then
    script -qec "$P search --facets -n 1 Tokayev" /dev/null >"$TMP/tty" 2>&1
    ok; grep -q "█" "$TMP/tty" || fail "on a terminal, --facets draws a bar per month: $(cat "$TMP/tty")"
fi

# ---- --all: every word in the paragraph
run "$P" search --json --no-collapse --limit 1000 Tokayev Kazakhstan; any=$(printf '%s\n' "$out" | grep -c '')
run "$P" search --json --no-collapse --limit 1000 --all Tokayev Kazakhstan; expect_rc 0 "--all"
all=$(printf '%s\n' "$out" | grep -c '')
ok; [ "$all" -ge 1 ] && [ "$all" -lt "$any" ] || fail "--all: $all paragraphs of $any with either word"
printf '%s\n' "$out" | python3 -c '
import json, sys
for l in sys.stdin:
    t = json.loads(l)["text"].lower()
    assert "tokayev" in t and "kazakhstan" in t, t
' 2>"$TMP/py"; ok; [ -s "$TMP/py" ] && fail "--all: a paragraph without both words: $(cat "$TMP/py")"
run "$P" search --count --all 'Tokayev OR zzyzxnothing'; c1=$out
run "$P" search --count Tokayev; ok; [ "$c1" = "$out" ] || fail "--all leaves an OR group as it is: $c1 vs $out"

# ---- watch: saved searches over reindexes
W="$TMP/watch-index"
mkdir -p "$TMP/feed"
cat >"$TMP/feed/one.txt" <<'TXT'
Date: 2025-01-02
Title: Port opens
Source: Harbour Office

The new harbor opened to container ships.

Weather was fine.
TXT
run "$P" --db "$W" reindex "$TMP/feed"; expect_rc 0 "reindex the feed"
run "$P" --db "$W" watch add port harbor; expect_rc 0 "watch add"; expect_in "" "$out" "quiet"
ok; [ -z "$out$err" ] || fail "watch add is quiet: $out$err"
run "$P" --db "$W" watch add --source 'harbour office' office ships; expect_rc 0 "watch add with an option first"
run "$P" --db "$W" watch add port harbor; expect_rc 64 "a second watch of the same name"
run "$P" --db "$W" watch add 'no spaces' harbor; expect_rc 64 "a name with a space"
run "$P" --db "$W" watch add bad '"harbor'; expect_rc 64 "a malformed query is refused at once"
expect_in "unbalanced" "$err" "says why"
run "$P" --db "$TMP/none" watch list; expect_rc 66 "no index"
run "$P" --db "$W" watch list; expect_rc 0 "watch list"
expect_in "port	harbor" "$out" "list: name and query"; expect_in "--source harbour office" "$out" "list: the options"
expect_in "(not run yet)" "$out" "list: not run yet"
run "$P" --db "$W" watch list --json
printf '%s\n' "$out" | python3 -c '
import json, sys
w = [json.loads(l) for l in sys.stdin]
assert [x["name"] for x in w] == ["port", "office"], w
assert w[1]["options"] == {"source": "harbour office"}, w[1]
assert all(isinstance(x["sequence"], int) and x["last_run"] is None for x in w), w
' 2>"$TMP/py"; ok; [ -s "$TMP/py" ] && fail "watch list --json: $(cat "$TMP/py")"
ok; [ -f "$W/watches.json" ] || fail "the saved searches are in the index directory"

# The first run reports only what was indexed after watch add: nothing yet, and silently.
run "$P" --db "$W" watch run; expect_rc 0 "first run"
ok; [ -z "$out$err" ] || fail "first run after add: nothing is new, nothing printed: $out$err"

# A release added by the nightly reindex (an OLD date: what counts is when it was indexed).
cat >"$TMP/feed/two.txt" <<'TXT'
Date: 2019-05-06
Title: Archive found
Source: Harbour Office

An old harbor ledger was found in the archive.

The ledger lists ships.
TXT
run "$P" --db "$W" reindex "$TMP/feed"; expect_rc 0 "reindex with a new release"
run "$P" --db "$W" watch run; expect_rc 0 "run after the reindex"
expect_in "== port: 1 new matching paragraph" "$out" "port: the new paragraph, counted"
expect_in "old harbor ledger" "$out" "port: the new release's paragraph"
expect_not_in "container ships" "$out" "port: not the release indexed before watch add"
expect_in "== office: 1 new" "$out" "office: the new release"
expect_in "The ledger lists ships" "$out" "office: its paragraph"
run "$P" --db "$W" watch run; expect_rc 0 "second run"
ok; [ -z "$out$err" ] || fail "a second run with nothing new is silent: $out$err"

# A changed release is new again; JSON and CSV name the saved search.
sed -i 's/An old harbor ledger was found/An old harbor ledger was found again/' "$TMP/feed/two.txt"
run "$P" --db "$W" reindex "$TMP/feed"; expect_rc 0 "reindex a changed release"
run "$P" --db "$W" watch run --json; expect_rc 0 "run --json"
printf '%s\n' "$out" | python3 -c '
import json, sys
r = [json.loads(l) for l in sys.stdin]
assert sorted(x["watch"] for x in r) == ["office", "port"], r
assert all(x["result"]["release"].endswith("two.txt") for x in r), r
' 2>"$TMP/py"; ok; [ -s "$TMP/py" ] && fail "watch run --json: $(cat "$TMP/py")"
sed -i 's/found again/found once more/' "$TMP/feed/two.txt"
run "$P" --db "$W" reindex "$TMP/feed"
run "$P" --db "$W" watch run --csv; expect_rc 0 "run --csv"
printf '%s\n' "$out" | head -n 1 | grep -q '^watch,query,rank,score,date,source,title,url,release,paragraph,text' \
    || fail "watch run --csv: the header: $out"; ok
expect_in "port,harbor,1," "$out" "csv: the watch's row"
run "$P" --db "$W" watch run --csv; ok; [ -z "$out" ] || fail "csv: nothing new, not even a header: $out"

# Compaction swaps the database: the saved searches stay, and readers still open the index.
run "$P" --db "$W" compact; expect_rc 0 "compact"
run "$P" --db "$W" watch list; expect_in "port" "$out" "the saved searches survive compaction"
run "$P" --db "$W" search harbor; expect_rc 0 "search beside watches.json"
run "$P" --db "$W" check; expect_rc 0 "check beside watches.json"

run "$P" --db "$W" watch rm port; expect_rc 0 "watch rm"
run "$P" --db "$W" watch rm port; expect_rc 66 "rm of an unknown name"
run "$P" --db "$W" watch list; expect_not_in "port" "$out" "gone from the list"
run "$P" --db "$W" watch frob; expect_rc 64 "unknown subcommand"
run "$P" --db "$W" watch run --json --csv; expect_rc 64 "two formats"

finish
