#!/bin/sh
# End-to-end: the real pressindex binary on the fixtures.
. "$(dirname "$0")/lib.sh"
P=$PRESSINDEX

# ---- help and version
run "$P" --help; expect_rc 0 "--help"; expect_in "Exit status" "$out" "--help lists exit codes"
run "$P" --version; expect_rc 0 "--version"; expect_in "pressindex" "$out" "--version"
run "$P" search --help; expect_rc 0 "search --help"; expect_in "NEAR" "$out" "search --help documents the query language"
run "$P"; expect_rc 64 "no command"
run "$P" frobnicate; expect_rc 64 "unknown command"
run "$P" index; expect_rc 64 "index without a path"

# ---- a missing index: one line, 66
run "$P" search Turkic; expect_rc 66 "search without an index"; expect_lines 1 "$err" "missing index message"
run "$P" stats; expect_rc 66 "stats without an index"

# ---- index the good fixtures: quiet success
run "$P" index "$FIXTURES/releases"; expect_rc 0 "index fixtures"
ok; [ -z "$out$err" ] || fail "index is not quiet on success: $out $err"
run "$P" stats --json; expect_rc 0 "stats --json"
releases=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["releases"])')
ok; [ "$releases" -ge 1 ] || fail "stats: $out"
# Every passage is counted once: under its source, or as unsourced (the seed has no source).
printf '%s' "$out" | python3 -c 'import json,sys; o=json.load(sys.stdin); n=sum(s["passages"] for s in o["sources"]); assert o["unsourced_passages"] > 0 and n + o["unsourced_passages"] == o["passages"], o' \
    || fail "stats: sources and unsourced passages do not add up: $out"
ok

# ---- the Quick start query: the seed's two paragraphs, dated 2025-07-30, on top
for q in '"Organization of Turkic States"' 'Organization of Turkic States'; do
    run "$P" search --json "$q"; expect_rc 0 "search $q"
    top2=$(printf '%s\n' "$out" | head -2 | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print(r["release"], r["paragraph"], r["date"])')
    expect_in "000_7a5d2ef6bf956f73.txt 9 2025-07-30" "$top2" "top 2 of $q"
    expect_in "000_7a5d2ef6bf956f73.txt 17 2025-07-30" "$top2" "top 2 of $q"
done

# ---- JSON: every object parses, offsets are the matched words of text
run "$P" search --json --limit 20 'Erdogan OR Türkiye OR "Turkic States"'; expect_rc 0 "json search"
printf '%s\n' "$out" | python3 -c '
import json, sys, unicodedata
n = 0
for line in sys.stdin:
    r = json.loads(line)
    for k in ("rank", "score", "release", "paragraph", "date", "title", "source", "url", "text", "highlights"):
        assert k in r, k
    assert r["paragraph"] >= 1
    b = r["text"].encode()
    assert r["highlights"], r
    for s, e in r["highlights"]:
        w = b[s:e].decode()
        f = unicodedata.normalize("NFKD", w.casefold()).encode("ascii", "ignore").decode()
        assert f.startswith(("erdogan", "turki", "state")), (w, f)
    n += 1
assert n >= 3, n
' || fail "JSON output or its highlight offsets"
ok

# ---- piped output is plain; matched words are there
run "$P" search 'Erdogan'; expect_rc 0 "plain search"
ok; case "$out" in *"$(printf '\033')"*) fail "escape codes in piped output" ;; esac
expect_in "Erdoğan" "$out" "original text shown"
expect_in "2025-07-30" "$out" "date shown"

# ---- folding on the seed's own text: each query finds the paragraph holding the form on the right
for pair in "Atatürk|Ataturk" "TÜRKİYE|Türkiye" "Turkiye|Türkiye" "erdogan|Erdoğan" "\"Tokayev's contribution\"|Tokayev’s contribution" \
            "Alimoglu|Alimoğlu" "HÜSEYIN|Hüseyin" "\"countrys GDP\"|country's GDP"; do
    q=${pair%%|*}; want=${pair#*|}
    run "$P" search --limit 1 --no-collapse "$q"; expect_rc 0 "folding: $q"; expect_in "$want" "$out" "folding: $q"
done

# ---- nothing found: 1, malformed query: 64 with the position
run "$P" search 'zzqxv'; expect_rc 1 "no result"
run "$P" search '"Organization of Turkic'; expect_rc 64 "unbalanced quote"
expect_lines 1 "$err" "malformed query message"; expect_in "character 1" "$err" "position given"
run "$P" search 'trade AND'; expect_rc 64 "dangling operator"
run "$P" search 'date:2025-13'; expect_rc 64 "bad date"
run "$P" search --since 2025-02-30 Turkic; expect_rc 64 "bad --since"
run "$P" search --question-weight -1 Turkic; expect_rc 64 "negative --question-weight"
# Issue 8's acceptance test through the command: both seed airport paragraphs in the top 3, and
# --context-weight 0 (the paragraph alone) ranks the seed's paragraphs by their own words only.
run "$P" search --json --limit 3 Tokayev Erdogan airport; expect_rc 0 "airport search"
expect_in '"paragraph":19' "$out" "airport: #19 in the top 3"
expect_in '"paragraph":20' "$out" "airport: #20 (the two presidents at the airport) in the top 3"
run "$P" search --json --limit 3 --context-weight 0 --neighbour-weight 0 Tokayev Erdogan airport
expect_rc 0 "airport search, paragraph alone"
expect_in '"paragraph":19' "$out" "airport, paragraph alone: #19 in the top 3"
expect_not_in '"paragraph":20' "$out" "airport, paragraph alone: #20 needs its context"
run "$P" search --limit x Turkic; expect_rc 64 "bad --limit"
run "$P" search --title-weight nan Turkic; expect_rc 64 "NaN weight"
run "$P" search --bm25-b 2 Turkic; expect_rc 64 "BM25 b above 1"

# ---- options come first: a query word may start with '-' (it excludes), "--" allows a leading one
run "$P" search Turkic -Erdogan; expect_rc 0 "search Turkic -Erdogan"
expect_not_in "Erdoğan" "$out" "an excluded word after the first query word"
run "$P" search -- -Erdogan -Photo; expect_rc 0 "excluded words only, after --"
expect_not_in "Erdoğan" "$out" "excluded words only: none of them in the results"
run "$P" search 'Turkic -(Erdogan OR Tokayev)'; expect_rc 0 "'-' before a bracket"
expect_not_in "Erdoğan" "$out" "'-(...)' excludes"
run "$P" search --by-release Turkic; expect_rc 0 "by release"
expect_in "(+1 more in this release)" "$out" "by release: the others are the release's, not identical"
run "$P" search '"Organization of Turkic States" Atatürk'; expect_in "3 matching paragraphs" "$out" "plural"; expect_not_in "about 3 matching" "$out" "an exact count (every matching release was read) is not called an estimate"
run "$P" search Atatürk; NL='
'; expect_in "${NL}1 matching paragraph" "$out" "singular (not 'paragraphs', not 'about')"
expect_not_in "1 matching paragraphs" "$out" "singular, not plural"
run "$P" search Turkic --json; expect_rc 64 "an option after the query"
expect_in "options come first" "$err" "says why"
run "$P" search Turkic -n 3; expect_rc 64 "a short option after the query"
run "$P" search --source -- Turkic --json; expect_rc 64 "an option's argument '--' is not the end of the options"
run "$P" search -- Turkic -n 3; expect_rc 0 "after --, '-n' is a query word"
run "$P" search 'Erdogn -Tokayevv'; expect_rc 1 "misspelt, with an excluded unknown word"
expect_not_in "tokayev" "$err" "no correction offered for an excluded word"

# ---- what the query tree lifted (issue 13): each was refused, or found nothing, before
count() { printf '%s\n' "$out" | grep -c '^{'; }
run "$P" search --json --limit 50 --no-collapse 'Tokayev -(Atatürk) Erdogan'; expect_rc 0 "-( ) in the middle"
ok; [ "$(count)" -ge 3 ] || fail "-( ) in the middle: $(count) results"
expect_not_in "Atatürk" "$out" "-( ) in the middle excludes"
run "$P" search --json --limit 50 --no-collapse '+(Atatürk OR Ankara) Tokayev'; expect_rc 0 "+( )"
ok; [ "$(count)" -ge 2 ] || fail "+( ): $(count) results"
printf '%s\n' "$out" | python3 -c '
import json, sys
for line in sys.stdin:
    t = json.loads(line)["text"]
    assert "Atatürk" in t or "Ataturk" in t or "Ankara" in t, t
' || fail "+( ): every result holds Atatürk or Ankara"
ok
run "$P" search --json --limit 50 'title:(Envoys OR Ambassador)'; expect_rc 0 "title:( )"
expect_in "Envoys" "$out" "title:( ) finds the first title"; expect_in "Ambassador" "$out" "title:( ) finds the second"
run "$P" search --json --limit 50 'title:Ambass*'; expect_rc 0 "title wildcard"
expect_in "Ambassador Julie" "$out" "title:Ambass* finds the Ambassador title"
run "$P" search --json --limit 50 'Erdogan NEAR "Kassym-Jomart"'; expect_rc 0 "NEAR with a phrase"
expect_in '"paragraph":15' "$out" "NEAR with a phrase: #15"
run "$P" search --json --limit 50 'Kassym-Jomart NEAR/3 Erdogan'; expect_rc 0 "NEAR with a hyphenated word"
expect_in '"paragraph":15' "$out" "NEAR/3 with a hyphenated word: #15 (5 words apart)"
expect_not_in '"paragraph":23' "$out" "NEAR/3: #23's words are further apart"
run "$P" search --json 'Turkic -source:"The White House" -date:2024'; expect_rc 0 "signed filters"
expect_in '"paragraph":9' "$out" "signed filters keep the seed"
run "$P" search 'Turkic -date:2025'; expect_rc 1 "an excluded date range leaves nothing"
for q in 'president NOT source:"The White House"' 'president -(source:"The White House")'; do
    run "$P" search --json --limit 50 "$q"; expect_rc 0 "$q"
    expect_not_in '"source":"The White House"' "$out" "$q: a filter in an excluded part excludes"
    expect_in '"source":"Presidential Media Division, Sri Lanka"' "$out" "$q: the other sources stay"
done

# ---- bounded searches (issue 15): a pasted page is refused at once (64), a search past its time
# limit fails (75) with no results, and messages quote at most 80 characters of the query
page=$(python3 -c 'print(" ".join(["walrus"] * 14000))')
run "$P" search -- "$page"; expect_rc 64 "a 14,000-word query"
expect_lines 1 "$err" "one line for a query past its bounds"
ok; [ ${#err} -lt 300 ] || fail "the message quotes the whole query (${#err} bytes)"
run "$P" search --max-query-bytes 0 --max-query-terms 700 -- "$(python3 -c 'print(" ".join(["walrus"] * 600))')"
expect_rc 1 "bounds raised: the same kind of query is searched"
ok; [ ${#err} -lt 300 ] || fail "'nothing found' quotes the whole query (${#err} bytes)"
run "$P" search --max-wildcard-expansion 1 'Tur*'; expect_rc 64 "a wildcard past its bound"
expect_in "type more of the word" "$err" "a wildcard past its bound says what to do"
run "$P" search --time-limit 0.000001 Turkic; expect_rc 75 "past the time limit"
ok; [ -z "$out" ] || fail "past the time limit: partial results printed: $out"
run "$P" search --time-limit 60 Turkic; expect_rc 0 "within the time limit"
run "$P" search --time-limit -1 Turkic; expect_rc 64 "a negative time limit"

# ---- check (issue 15): healthy is silent and 0; a damaged database is 74, named, in text and JSON
run "$P" check; expect_rc 0 "check a healthy index"
ok; [ -z "$out$err" ] || fail "check is not quiet when healthy (not a terminal): $out $err"
run "$P" check --json; expect_rc 0 "check --json"
printf '%s' "$out" | python3 -c 'import json,sys; o=json.load(sys.stdin); assert o["status"] == 0 and o["healthy"] and o["error"] is None and o["releases"] >= 10 and o["passages"] >= 60 and o["problems"] == [], o' \
    || fail "check --json on a healthy index: $out"
ok
cp -r "$PRESSINDEX_DB" "$TMP/damaged"
for f in "$TMP"/damaged/db.*/postlist.glass; do
    python3 -c 'import os,sys; f=sys.argv[1]; open(f, "r+b").write(b"Z" * os.path.getsize(f))' "$f"
done
run "$P" --db "$TMP/damaged" check; expect_rc 74 "check a damaged index"
ok; [ -n "$err" ] || fail "check of a damaged index says nothing"
run "$P" --db "$TMP/damaged" check --json; expect_rc 74 "check --json of a damaged index"
printf '%s' "$out" | python3 -c 'import json,sys; o=json.load(sys.stdin); assert o["status"] == 74 and not o["healthy"] and o["error"], o' \
    || fail "check --json of a damaged index: $out"
ok

# ---- nothing to search is a usage error (one line), unless a filter lists what it lets through;
# an operator's empty operand is malformed; bounds
run "$P" search ''; expect_rc 64 "empty query"; expect_lines 1 "$err" "empty query: one line"
expect_in "no word to search" "$err" "empty query: says why"
run "$P" search '"" -'; expect_rc 64 "punctuation-only query"; expect_lines 1 "$err" "punctuation-only: one line"
run "$P" search '“…” — 🙂'; expect_rc 64 "Unicode punctuation and emoji only"
run "$P" search --source 'The White House' ''; expect_rc 0 "an empty query with a filter lists the source"
run "$P" search 'source:"The White House"'; expect_rc 0 "a filter alone in the query"
run "$P" search 'Turkic AND —'; expect_rc 64 "operand with no word"; expect_in "character" "$err" "its position"
run "$P" search -C 1000 Turkic; expect_rc 64 "context too large"
run "$P" search --limit 4294967296 Turkic; expect_rc 64 "limit too large"
run "$P" search --lang xx Turkic; expect_rc 64 "unknown language"
run "$P" --db "$TMP/none" delete some-id; expect_rc 66 "delete on a missing index"
ok; [ ! -e "$TMP/none" ] || fail "delete created an index"
run "$P" search 'Erdgan'; expect_rc 1 "misspelt"; expect_in "did you mean: Erdogan" "$err" "did you mean, in the case typed"

# ---- options
run "$P" search --count Türkiye; expect_rc 0 "--count"; ok; [ "$out" -ge 2 ] 2>/dev/null || fail "--count: $out"
run "$P" search --since 2025-07 --until 2025-07-31 Turkic; expect_rc 0 "--since/--until"
run "$P" search --until 2020 Turkic; expect_rc 1 "--until before everything"

# ---- a locked index: a second writer gives up after --lock-timeout with 75
if command -v flock >/dev/null 2>&1; then
    flock "$PRESSINDEX_DB/lock" sleep 3 &
    sleep 0.5
    run "$P" index --lock-timeout 0.5 "$FIXTURES/releases"; expect_rc 75 "locked index"
    expect_in "locked" "$err" "locked message"; expect_lines 1 "$err" "locked message is one line"
    # readers are not blocked
    run "$P" search Turkic; expect_rc 0 "search while locked"
    wait
fi

# ---- re-indexing the same files replaces them: counts do not change
run "$P" stats --json; before=$out
run "$P" index "$FIXTURES/releases"; expect_rc 0 "re-index"
run "$P" stats --json; ok; [ "$out" = "$before" ] || fail "re-index changed counts: $before -> $out"

# ---- a missing input path: 66, good inputs still indexed
run "$P" index "$FIXTURES/releases" "$FIXTURES/no-such-file"; expect_rc 66 "missing input"
expect_in "no-such-file" "$err" "missing input named"

# ---- bad input: each problem one line naming the file (and line), good releases kept, exit 65
export PRESSINDEX_DB="$TMP/bad"
run "$P" index "$FIXTURES/bad"; expect_rc 65 "bad fixtures"
for f in empty.txt header_only.txt impossible_date_2024-02-30.txt impossible_date_2025-13-45.txt \
         invalid_utf8.jsonl invalid_utf8.txt malformed.jsonl nul_bytes.txt nul_in_line.jsonl \
         truncated.jsonl.gz whitespace_only.txt; do
    expect_in "bad/$f" "$err" "problem named for $f"
done
expect_in "malformed.jsonl:4:" "$err" "JSON Lines problems carry the line"
expect_in "skipped" "$err" "summary says what was skipped"
ok; [ -z "$out" ] || fail "index wrote to stdout: $out"
# the releases with impossible dates are there, undated: no wrong date stored
run "$P" search --json --limit 50 'date'; dates=$(printf '%s\n' "$out" | python3 -c '
import json, sys
print(sorted({str(json.loads(l)["date"]) for l in sys.stdin}))')
ok; case "$dates" in *2024-02-30*|*2025-13-45*) fail "impossible date stored: $dates" ;; esac
run "$P" stats --json; expect_rc 0 "stats after bad input"
n=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["releases"])')
ok; [ "$n" -ge 5 ] || fail "good releases among bad input not indexed: $out"
# a single enormous paragraph is kept whole, reported, and searchable
python3 -c '
import sys
words = " ".join("word%d" % (i % 5000) for i in range(200000))
sys.stdout.write("Title: Enormous\n\nA first paragraph.\n\n" + words + " zebraword\n")' >"$TMP/huge.txt"
run "$P" index "$TMP/huge.txt"; expect_rc 65 "enormous paragraph"; expect_in "huge.txt" "$err" "enormous paragraph named"
run "$P" search --count zebraword; expect_rc 0 "enormous paragraph indexed"

# ---- input validation (issue 15): NULs and unknown languages are repaired, not skipped; any
# ISO 639-1 code is a language. nul_bytes.txt and nul_in_line.jsonl used to be skipped whole.
export PRESSINDEX_DB="$TMP/repairs"
run "$P" index "$FIXTURES/bad"; expect_rc 65 "bad fixtures, repaired"
expect_in "bad/nul_bytes.txt:7: 16 NUL characters replaced by spaces" "$err" "NUL bytes in text repaired"
expect_in "bad/nul_in_line.jsonl:2: a NUL character replaced by a space" "$err" "NUL byte in JSON repaired"
expect_in "bad/nul_escape.jsonl:1: a NUL character replaced by a space" "$err" "\\u0000 repaired"
expect_in "bad/unknown_lang.txt:4: unknown language \"klingon\"" "$err" "unknown language named"
expect_not_in "JSON_ALLOW_NUL" "$err" "no parser internals"
run "$P" search --json cassowary; expect_rc 0 "release with \\u0000 indexed"
expect_in '"text":"The ministry announced a grant for cassowary conservation."' "$out" "NUL became a space"
run "$P" show --json bad/nul_bytes.txt; expect_rc 0 "text with NUL bytes indexed"
expect_in '"paragraph":2' "$out" "its paragraphs shown"
run "$P" show --json bad/unknown_lang.txt; expect_rc 0 "release in an unknown language indexed"
expect_in '"lang":"en"' "$out" "unknown language replaced by the default"
run "$P" search --lang en warbler; expect_rc 0 "stemmed in the default language"
for l in zh ja ko kk uk pt-BR; do
    run "$P" search --lang "$l" warbler; ok; [ "$rc" -le 1 ] || fail "--lang $l refused: $rc $err"
done
run "$P" search --lang klingon warbler; expect_rc 64 "--lang klingon refused"
expect_in "klingon" "$err" "refused language named"
printf 'Lang: zh\n\nDelegations hosts talks.\n' >"$TMP/zh.txt"
run "$P" index "$TMP/zh.txt"; expect_rc 0 "zh is a language"
run "$P" search --lang zh --count hosts; expect_rc 0 "zh words searchable unstemmed"
ok; [ "$out" = 1 ] || fail "zh count: $out"
run "$P" search --lang zh host; expect_rc 1 "zh words are not stemmed"

# ---- a query nested deeper than the stack allows is malformed, not a crash (found while fuzzing
# the query language, doc/fuzzing.md): 20,000 brackets around one word crashed the command
deep=$(python3 -c 'import sys; sys.stdout.write("(" * 20000 + "x" + ")" * 20000)')
run "$P" search --max-query-bytes 100000 "$deep"; expect_rc 64 "20,000 nested brackets"
expect_in "at character 101: brackets nested more than 100 deep" "$err" "nesting limit named"

# ---- identity that cannot collide (issue 15): no release ever replaces another silently
stats_rp() { "$P" stats --json | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["releases"], o["passages"])'; }
C=$TMP/clash; mkdir -p "$C/a" "$C/b" "$C/x/a"
printf 'Title: A\n\nAlpha one.\n' >"$C/a/release-001.txt"; printf 'Title: B\n\nBeta two.\n' >"$C/b/release-001.txt"
# two files given directly with one name: was "2 indexed", 1 in stats, exit 0
export PRESSINDEX_DB="$TMP/clash-direct"
run "$P" index "$C/a/release-001.txt" "$C/b/release-001.txt"; expect_rc 65 "two files, one name"
expect_in "$C/b/release-001.txt: id \"release-001.txt\" was already given by $C/a/release-001.txt" "$err" "both places named"
expect_in "1 releases (1 added, 0 replaced)" "$err" "the summary counts what is there"
ok; [ "$(stats_rp)" = "1 1" ] || fail "two files, one name: stats $(stats_rp)"
run "$P" show release-001.txt; expect_in "Alpha one." "$out" "the first is kept"
# the same folders: ids with their names, all kept
export PRESSINDEX_DB="$TMP/clash-folders"
run "$P" index "$C/a" "$C/b"; expect_rc 0 "two folders' release-001.txt"; ok; [ "$(stats_rp)" = "2 2" ] || fail "two folders: stats $(stats_rp)"
run "$P" index -v "$C/a" "$C/b"; expect_rc 0 "the same again"; expect_in "2 releases (0 added, 2 replaced)" "$err" "a second run replaces, and says so"
run "$P" --db "$TMP/clash-64" index "$C/a" "$C/x/a"; expect_rc 64 "two folders named a"
expect_lines 1 "$err" "two folders named a: one line"; expect_in "$C/x/a" "$err" "two folders named a: both named"
ok; [ ! -e "$TMP/clash-64" ] || fail "two folders named a: an index was left behind"
# a JSON Lines file repeating an id: a revision, counted once (was "3 added", 2 held)
printf '%s\n' '{"id": "r1", "paragraphs": ["one", "uno"]}' '{"id": "r2", "paragraphs": ["two"]}' \
    '{"id": "r1", "paragraphs": ["one, revised"]}' >"$C/r.jsonl"
export PRESSINDEX_DB="$TMP/clash-revision"
run "$P" index -v "$C/r.jsonl"; expect_rc 0 "a revision in one file"
expect_in "2 releases (2 added, 0 replaced), 2 passages" "$err" "a revision counted once"
ok; [ "$(stats_rp)" = "2 2" ] || fail "revision: stats $(stats_rp)"
run "$P" show r1; expect_in "one, revised" "$out" "the last line wins"
# the same id from another JSON Lines file, or from a text file: the first kept, both named, 65
printf '%s\n' '{"id": "x", "paragraphs": ["ex"]}' '{"id": "r2", "paragraphs": ["two again"]}' >"$C/s.jsonl"
printf '%s\n' '{"id": "release-001.txt", "paragraphs": ["json one"]}' >"$C/t.jsonl"
export PRESSINDEX_DB="$TMP/clash-jsonl"
run "$P" index "$C/r.jsonl" "$C/s.jsonl" "$C/a/release-001.txt" "$C/t.jsonl"; expect_rc 65 "ids clash across inputs"
expect_in "$C/s.jsonl:2: id \"r2\" was already given by $C/r.jsonl:2" "$err" "JSON Lines clash: both lines named"
expect_in "$C/t.jsonl:1: id \"release-001.txt\" was already given by $C/a/release-001.txt" "$err" "JSON and text clash named"
ok; [ "$(stats_rp)" = "4 4" ] || fail "clash: stats $(stats_rp)"
run "$P" show r2; expect_not_in "two again" "$out" "the first r2 kept"
# standard input: --id, else an id from the content (was "-" for every pipe)
export PRESSINDEX_DB="$TMP/stdin-ids"
printf 'Title: S\n\nFirst pipe.\n' | "$P" index - 2>"$TMP/err1"; r1=$?
printf 'Title: T\n\nSecond pipe.\n' | "$P" index - 2>>"$TMP/err1"; r2=$?
ok; [ "$r1$r2" = "00" ] || fail "stdin: $r1 $r2 $(cat "$TMP/err1")"
ok; [ "$(stats_rp)" = "2 2" ] || fail "two pipes: stats $(stats_rp)"
run "$P" search --json pipe; expect_in '"release":"stdin-' "$out" "content id"
printf 'Title: S\n\nFirst pipe.\n' | "$P" index -v - 2>"$TMP/err1"
ok; grep -q "0 added, 1 replaced" "$TMP/err1" || fail "the same text again: $(cat "$TMP/err1")"
printf 'Title: U\n\nThird pipe.\n' | "$P" index --id akorda/statement-7 - 2>"$TMP/err1"
run "$P" show akorda/statement-7; expect_rc 0 "--id names stdin's release"; expect_in "Third pipe." "$out" "--id's release"
run "$P" index --id x "$C/r.jsonl"; expect_rc 64 "--id without -"

# ---- issue 16: every language, the forms a reporter types, did you mean, the terminal
export PRESSINDEX_DB="$TMP/world"
run "$P" index "$FIXTURES/world"; expect_rc 0 "index the multilingual fixtures"
hits() { printf '%s\n' "$out" | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line); b = r["text"].encode()
    print(r["release"].split("/")[-1].split("_")[0], "".join("[%s]" % b[s:e].decode() for s, e in r["highlights"]))'; }
for row in "Erdogan|tr [Erdoğan]" "переговоры|ru [переговоров]" "中亚|zh [中][亚]" "首脳会談|ja [首][脳][会][談]" \
           "Xi|en [Xi’s]" "F-16|en [F][16s]" "F16|en [F][16s]" "F-16|en [F16]" "F16s|en [F16]"; do
    q=${row%%|*}; want=${row#*|}
    run "$P" search --json --no-collapse --limit 20 "$q"; expect_rc 0 "every language: $q"
    expect_in "$want" "$(hits)" "every language: $q finds and highlights $want"
done
run "$P" search --lang en Erdogan; expect_rc 1 "--lang en: English stems only"
# the text output: the URL, the id on its own line, a paragraph's line breaks indented
run "$P" search Xi; expect_rc 0 "text output"
expect_in "https://www.defense.gov/News/Releases/Release/Article/4200000/readout-allied-defense-ministers/" "$out" "the URL shown"
expect_in "1. 2025-06-02  Department of Defense  score" "$out" "date, source and score first"
expect_in "$(printf '\n   world/en_defense_2025-06-02.txt #3\n')" "$out" "the id and paragraph on a line of their own"
expect_in "$(printf 'communication.\n   Ministers noted')" "$out" "a paragraph's own line break keeps the indentation"
# a filter that matches nothing is named
run "$P" search --source 'Ministry of Nothing' Erdogan; expect_rc 1 "unknown source"
expect_in 'nothing found for: Erdogan (no release has the source "Ministry of Nothing")' "$err" "the unknown source named"
printf '%s\n' '{"id": "u1", "paragraphs": ["An undated statement on trade."]}' >"$TMP/undated.jsonl"
export PRESSINDEX_DB="$TMP/undated"
run "$P" index "$TMP/undated.jsonl"; expect_rc 0 "index an undated release"
run "$P" search --since 2024-01-01 trade; expect_rc 1 "--since over undated releases"
expect_in "nothing found for: trade (no dated release since 2024-01-01)" "$err" "--since named"
run "$P" search --since 2024-01-01 zzqxv; expect_rc 1 "nothing found, filter named though the word is unknown"
# did you mean with results, in the case typed
export PRESSINDEX_DB="$TMP/spelling"
run "$P" index "$FIXTURES/spelling"; expect_rc 0 "index the spelling fixture"
for row in "Kamala Haris|Kamala Harris" "Presdient Biden semicondutor|President Biden semiconductor" \
           "presdient biden|president biden"; do
    q=${row%%|*}; want=${row#*|}
    run "$P" search --limit 1 "$q"; expect_rc 0 "did you mean: $q has results"
    expect_in "did you mean: $want" "$err" "did you mean: $q"
done
run "$P" search --limit 1 Kamala Harris; expect_rc 0 "a right query"; expect_not_in "did you mean" "$err" "no suggestion for a right query"

finish
