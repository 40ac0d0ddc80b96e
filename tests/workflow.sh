#!/bin/sh
# End-to-end: the reporter's workflow on the command line (issue 16): search --csv, search --batch
# (table, CSV, JSON; from a file or standard input), and the edges of a result list (an empty
# query, a page past the end). CSV and JSON are read back with Python's own parsers.
. "$(dirname "$0")/lib.sh"
P=$PRESSINDEX

"$P" index "$FIXTURES/releases" >/dev/null 2>&1 || { echo "cannot index the fixtures"; exit 1; }
# A release whose title and text hold what CSV must quote: quotes, commas, line breaks.
cat >"$TMP/tricky.jsonl" <<'JSONL'
{"id": "tricky-1", "date": "2024-05-06", "source": "Desk, \"Quotes\" & Co", "title": "Zebracorn deal: \"yes\", then\nno", "url": "https://example.org/a,b?q=\"x\"", "paragraphs": ["The zebracorn accord, said the minister, is \"final\".\nA second line, after a line break.", "Zebracorn again, plainly."]}
JSONL
run "$P" index "$TMP/tricky.jsonl"; expect_rc 0 "index the tricky release"

# csv_check CSV_FILE JSON_FILE: the CSV's header, and each row equals the JSON result of its rank.
csv_matches_json() {
    python3 - "$1" "$2" <<'PY'
import csv, json, sys
raw = open(sys.argv[1], "rb").read()
assert raw.endswith(b"\r\n"), "records end with CRLF"
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
want = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert rows[0] == ["rank", "score", "date", "source", "title", "url", "release", "paragraph", "text"], rows[0]
assert len(rows) - 1 == len(want), (len(rows) - 1, len(want))
for row, j in zip(rows[1:], want):
    assert int(row[0]) == j["rank"] and row[6] == j["release"] and int(row[7]) == j["paragraph"], (row, j)
    assert abs(float(row[1]) - j["score"]) < 0.0006, (row[1], j["score"])
    assert row[2] == (j["date"] or "") and row[5] == (j["url"] or ""), row
    assert row[3] == j["source"] and row[4] == j["title"] and row[8] == j["text"], row
print(len(rows) - 1)
PY
}

# ---- search --csv: RFC 4180, one row per result, the same results as --json
run "$P" search --csv --limit 20 'Erdogan OR zebracorn OR Turkic'; expect_rc 0 "search --csv"
cp "$TMP/out" "$TMP/s.csv"
"$P" search --json --limit 20 'Erdogan OR zebracorn OR Turkic' >"$TMP/s.jsonl"
n=$(csv_matches_json "$TMP/s.csv" "$TMP/s.jsonl" 2>&1); ok
case "$n" in [1-9]*) ;; *) fail "search --csv does not read back as the --json results: $n" ;; esac
# The tricky release: every field round-trips, quotes, commas and line breaks included.
run "$P" search --csv zebracorn; expect_rc 0 "search --csv zebracorn"
printf '%s' "$out" >"$TMP/z.csv"
python3 - "$TMP/z.csv" <<'PY' || fail "quoted CSV fields do not round-trip"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
assert len(rows) == 2, rows
r = [x for x in rows if x["paragraph"] == "1"][0]
assert r["title"] == 'Zebracorn deal: "yes", then\nno', repr(r["title"])
assert r["source"] == 'Desk, "Quotes" & Co', repr(r["source"])
assert r["url"] == 'https://example.org/a,b?q="x"', repr(r["url"])
assert r["text"] == 'The zebracorn accord, said the minister, is "final".\nA second line, after a line break.', repr(r["text"])
assert r["release"] == "tricky-1" and r["date"] == "2024-05-06", r
PY
ok
# Nothing found: the header alone, exit 1, and nothing on stderr (a script reads the status).
run "$P" search --csv zzqxv; expect_rc 1 "search --csv, nothing found"
ok; [ "$out" = "$(printf 'rank,score,date,source,title,url,release,paragraph,text\r')" ] || fail "search --csv of nothing: $out"
ok; [ -z "$err" ] || fail "search --csv of nothing wrote to stderr: $err"
# One format at a time.
run "$P" search --csv --json Turkic; expect_rc 64 "--csv with --json"; expect_lines 1 "$err" "--csv --json: one line"
run "$P" search --json --csv Turkic; expect_rc 64 "--json with --csv"

# show --csv: a release through the same printer, one row per paragraph.
run "$P" show --csv tricky-1; expect_rc 0 "show --csv"
printf '%s' "$out" >"$TMP/show.csv"
"$P" show --json tricky-1 >"$TMP/show.json"
python3 - "$TMP/show.csv" "$TMP/show.json" <<'PY' || fail "show --csv does not read back as show --json"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="", encoding="utf-8")))
rel = json.load(open(sys.argv[2]))
assert [(int(r["paragraph"]), r["text"]) for r in rows] == [(p["paragraph"], p["text"]) for p in rel["paragraphs"]], rows
for r in rows:
    assert (r["release"], r["title"], r["source"], r["url"], r["date"]) == \
        (rel["id"], rel["title"], rel["source"], rel["url"], rel["date"]), r
PY
ok
run "$P" show --csv --json tricky-1; expect_rc 64 "show --csv --json"

# ---- the edges of a result list
run "$P" search ''; expect_rc 64 "an empty query"; expect_lines 1 "$err" "an empty query: one line"
run "$P" search ' ?! '; expect_rc 64 "a query of punctuation"
run "$P" search --offset 1000 Turkic; expect_rc 1 "a page past the end"
expect_in "no results past the first 1000" "$err" "a page past the end says so"
expect_lines 1 "$err" "a page past the end: one line"
run "$P" search --json --offset 1000 Turkic; expect_rc 1 "a page past the end, --json"
ok; [ -z "$out" ] || fail "a page past the end printed: $out"
run "$P" search --offset 1 Turkic; expect_rc 0 "the second result's page"

# ---- search --batch: three queries (one malformed), comments and blank lines skipped
printf '# reporters'"'"' list\nTurkic\n\n"unbalanced\n  zzqxv  \nErdogan OR zebracorn\n"zebracorn accord", minister\r\n' >"$TMP/q.txt"
run "$P" search --batch "$TMP/q.txt"; expect_rc 65 "batch with a malformed line"
expect_in "$TMP/q.txt:4: malformed query" "$err" "the malformed line is named with its number"
expect_lines 1 "$err" "batch: one line for the malformed query"
expect_in "LINE" "$out" "batch table header"
for row in "Turkic" "zzqxv" "Erdogan OR zebracorn"; do
    expect_in "$row" "$out" "batch table answers: $row"
done
# The counts: those of the whole result list (exact below the bound).
"$P" search --json --limit 1000 'Erdogan OR zebracorn' >"$TMP/all.jsonl"
want=$(python3 -c '
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1])]
print(len(rs), len({r["release"] for r in rs}))' "$TMP/all.jsonl")
# JSON: one object per query, its results those of search --json with the batch limit.
run "$P" search --json --batch "$TMP/q.txt"; expect_rc 65 "batch --json"
printf '%s\n' "$out" >"$TMP/b.jsonl"
"$P" search --json --limit 3 Turkic >"$TMP/t.jsonl"
"$P" search --json --limit 3 'Erdogan OR zebracorn' >"$TMP/e.jsonl"
got=$(python3 - "$TMP/b.jsonl" "$TMP/t.jsonl" "$TMP/e.jsonl" <<'PY' 2>&1
import json, sys
qs = [json.loads(l) for l in open(sys.argv[1])]
assert [q["line"] for q in qs] == [2, 5, 6, 7], qs
# A query holding quotes and a comma (for the CSV below), its CRLF line end dropped.
assert [q["query"] for q in qs] == ["Turkic", "zzqxv", "Erdogan OR zebracorn", '"zebracorn accord", minister'], qs
for q in qs:
    assert set(q) == {"line", "query", "passages", "releases", "exact", "results"}, q.keys()
    assert q["exact"] is True and len(q["results"]) <= 3, q
assert qs[1]["passages"] == 0 and qs[1]["releases"] == 0 and qs[1]["results"] == [], qs[1]
for q, f in ((qs[0], sys.argv[2]), (qs[2], sys.argv[3])):
    assert q["results"] == [json.loads(l) for l in open(f)], (q["results"], f)
print(qs[2]["passages"], qs[2]["releases"])
PY
)
ok; [ "$got" = "$want" ] || fail "batch --json: counts '$got', expected '$want' (passages releases)"
# Past the bound of exact counts (1000 passages): estimates, said so, within what is certain.
python3 -c '
import json
for i in range(1100):
    print(json.dumps({"id": "h%d" % i, "paragraphs": ["The harvest report %d." % i, "Harvest figures, %d tonnes." % i]}))' >"$TMP/harvest.jsonl"
"$P" --db "$TMP/harvest" index "$TMP/harvest.jsonl" >/dev/null 2>&1
printf 'harvest\n"report 17"\n' >"$TMP/h.txt"
run "$P" --db "$TMP/harvest" search --json --batch "$TMP/h.txt"; expect_rc 0 "batch past the exact bound"
printf '%s\n' "$out" | python3 -c '
import json, sys
big, small = [json.loads(l) for l in sys.stdin]
assert big["exact"] is False and 1000 <= big["passages"] <= 2200, big
assert 1 <= big["releases"] <= min(big["passages"], 1100), big
assert len(big["results"]) == 3, big
assert small["exact"] is True and small["passages"] >= 1 and small["releases"] >= 1, small
' || fail "batch counts past the bound: $out"
ok
run "$P" --db "$TMP/harvest" search --batch "$TMP/h.txt"; expect_in "~" "$out" "an estimate is marked in the table"
# CSV: one row per query and passage, a row for the query without results.
run "$P" search --csv --batch "$TMP/q.txt"; expect_rc 65 "batch --csv"
printf '%s' "$out" >"$TMP/b.csv"
python3 - "$TMP/b.csv" "$TMP/b.jsonl" <<'PY' || fail "batch --csv does not read back as batch --json"
import csv, json, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
assert rows[0] == ["line", "query", "passages", "releases", "exact", "rank", "score", "date", "source",
                   "title", "url", "release", "paragraph", "text"], rows[0]
want = []
for q in map(json.loads, open(sys.argv[2])):
    head = [str(q["line"]), q["query"], str(q["passages"]), str(q["releases"]), "true"]
    if not q["results"]:
        want.append(head + [""] * 9)
    for r in q["results"]:
        want.append(head + [str(r["rank"]), "%.3f" % r["score"], r["date"] or "", r["source"], r["title"],
                            r["url"] or "", r["release"], str(r["paragraph"]), r["text"]])
assert rows[1:] == want, (rows[1:], want)
PY
ok
# Standard input, and the options of one search (here --by-release and --limit) for every query.
printf 'Erdogan OR zebracorn\nTurkic\n' | "$P" search --json --by-release --limit 2 --batch - >"$TMP/out" 2>"$TMP/err"
rc=$?; err=$(cat "$TMP/err")
expect_rc 0 "batch from standard input"
"$P" search --json --by-release --limit 2 'Erdogan OR zebracorn' >"$TMP/br.jsonl"
python3 - "$TMP/out" "$TMP/br.jsonl" <<'PY' || fail "batch from stdin with --by-release"
import json, sys
qs = [json.loads(l) for l in open(sys.argv[1])]
assert [q["line"] for q in qs] == [1, 2], qs
assert qs[0]["results"] == [json.loads(l) for l in open(sys.argv[2])], qs[0]["results"]
assert len({r["release"] for r in qs[0]["results"]}) == len(qs[0]["results"]) == 2, qs[0]
PY
ok
# Nothing found by any query: 1; a file that is not there: 66; a query on the command line too: 64.
printf 'zzqxv\nqqzzv\n' >"$TMP/none.txt"
run "$P" search --batch "$TMP/none.txt"; expect_rc 1 "batch where nothing is found"
run "$P" search --batch "$TMP/no-such-file"; expect_rc 66 "batch of a missing file"; expect_lines 1 "$err" "missing batch file: one line"
run "$P" search --batch "$TMP/q.txt" Turkic; expect_rc 64 "--batch with a query"
# --count: the counts alone.
run "$P" search --count --json --batch "$TMP/none.txt"; expect_rc 1 "batch --count"
# An over-long line is refused with its number, memory bounded; the other lines run.
python3 -c 'print("Turkic"); print("trade " * 20000); print("Erdogan")' >"$TMP/long.txt"
run "$P" search --batch "$TMP/long.txt"; expect_rc 65 "batch with an over-long line"
expect_in "long.txt:2: a line of more than 65536 bytes" "$err" "the over-long line is named"
expect_in "Erdogan" "$out" "the line after the over-long one runs"
# A line that is not UTF-8 (a list saved in a legacy code page) is named, not searched as mojibake.
printf 'Turkic\nErdo\347an\n' >"$TMP/latin.txt"
run "$P" search --json --batch "$TMP/latin.txt"; expect_rc 65 "batch with a line not in UTF-8"
expect_in "latin.txt:2: not UTF-8" "$err" "the line not in UTF-8 is named"
printf '%s\n' "$out" | python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin]' \
    || fail "batch --json with a line not in UTF-8: $out"
ok
# A NUL byte, even at the start of a line (the line is not blank for it), is named.
printf 'Turkic\n\000abc\n' >"$TMP/nul.txt"
run "$P" search --batch "$TMP/nul.txt"; expect_rc 65 "batch with a NUL byte"
expect_in "nul.txt:2: a NUL byte" "$err" "the line with a NUL byte is named"
# A folder is no file of queries: 66. --time-limit is each query's: past it, named, 75 at the end.
run "$P" search --batch "$TMP"; expect_rc 66 "batch of a folder"
printf 'Turkic\ntrade\n' >"$TMP/two.txt"
run "$P" search --time-limit 0.000000001 --batch "$TMP/two.txt"; expect_rc 75 "batch past the time limit"
expect_in "two.txt:2: " "$err" "every query past the time limit is named"
# A line of punctuation: no word to search, named, the batch goes on.
printf '...\nTurkic\n' >"$TMP/punct.txt"
run "$P" search --batch "$TMP/punct.txt"; expect_rc 65 "batch with a line of punctuation"
expect_in "punct.txt:1: the query has no word to search" "$err" "the punctuation line is named"
expect_in "Turkic" "$out" "the line after it runs"

# ---- output checked: a full disk is 74, a closed pipe quiet
if [ -w /dev/full ]; then
    for cmd in "search --csv Turkic" "search --batch $TMP/q.txt" "search --csv --batch $TMP/q.txt" \
        "search --json --batch $TMP/q.txt"; do
        # shellcheck disable=SC2086 # the words of the command
        "$P" $cmd >/dev/full 2>"$TMP/err"
        rc=$?; err=$(cat "$TMP/err")
        expect_rc 74 "pressindex $cmd >/dev/full"
        expect_in "writing to standard output: No space left on device" "$err" "pressindex $cmd >/dev/full says so"
    done
else
    echo "no writable /dev/full: the write error checks are skipped"
fi
python3 -c '
for i in range(3000):
    print("Turkic OR Erdogan OR trade OR cooperation")' >"$TMP/many.txt"
{ "$P" search --batch "$TMP/many.txt" 2>"$TMP/err"; echo $? >"$TMP/rc"; } | head -1 >/dev/null
rc=$(cat "$TMP/rc"); err=$(cat "$TMP/err")
expect_rc 0 "batch | head -1: the batch's own status"
ok; [ -z "$err" ] || fail "batch | head -1 is not quiet: $err"

finish
