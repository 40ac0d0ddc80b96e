#!/bin/sh
# End-to-end: the reporter's workflow on the command line (issue 16): search --csv, read back with
# Python's own parsers, and the edges of a result list (an empty query, a page past the end).
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

# ---- the edges of a result list
run "$P" search ''; expect_rc 64 "an empty query"; expect_lines 1 "$err" "an empty query: one line"
run "$P" search ' ?! '; expect_rc 64 "a query of punctuation"
run "$P" search --offset 1000 Turkic; expect_rc 1 "a page past the end"
expect_in "no results past the first 1000" "$err" "a page past the end says so"
expect_lines 1 "$err" "a page past the end: one line"
run "$P" search --json --offset 1000 Turkic; expect_rc 1 "a page past the end, --json"
ok; [ -z "$out" ] || fail "a page past the end printed: $out"
run "$P" search --offset 1 Turkic; expect_rc 0 "the second result's page"

finish
