#!/bin/sh
# End-to-end: the passages store (src/lib/store.h). A full build writes its releases' passages
# values to one mapped file beside the database; releases written later keep theirs in Xapian.
# Either way a search must find and rank the same passages, and nothing is lost when a built
# release changes, goes, or the index is compacted.
. "$(dirname "$0")/lib.sh"
P=$PRESSINDEX
A="$TMP/built" B="$TMP/serial"

# ---- the same fixtures built on every core in many shards (the store) and one by one (Xapian)
run env PRESSINDEX_SHARD_PASSAGES=1 "$P" --db "$A" index "$FIXTURES/releases"; expect_rc 0 "build"
run env PRESSINDEX_THREADS=1 "$P" --db "$B" index "$FIXTURES/releases"; expect_rc 0 "serial index"
ok; [ -s "$A/current/passages.pis" ] || fail "the build wrote no passages store"
ok; [ ! -e "$B/current/passages.pis" ] || fail "a serial index has a passages store"
run "$P" --db "$A" check; expect_rc 0 "check of the built index"

# Results as a set: ties may come in another order (the two number their documents otherwise).
results() { # db query...
    db=$1
    shift
    "$P" --db "$db" search --json --limit 50 "$@" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.startswith("{")]
for r in sorted(rows, key=lambda r: (-round(r["score"], 6), r["release"], r["paragraph"])):
    print(round(r["score"], 6), r["release"], r["paragraph"], r["text"][:40], r["highlights"])'
}
for q in '"Organization of Turkic States"' 'Turkic States cooperation' 'Tokayev NEAR/8 Erdogan' \
         'cooperat* Astana' '"the Head of State"' 'title:Sri' 'Tokayev -Ankara' 'Astana OR Ankara' 'Sri Lanka'; do
    a=$(results "$A" "$q") b=$(results "$B" "$q")
    ok; [ -n "$a" ] || fail "no results for $q"
    ok; [ "$a" = "$b" ] || fail "store and Xapian differ for $q: $a --- $b"
done
a=$(results "$A" --by-release Kazakhstan) b=$(results "$B" --by-release Kazakhstan)
ok; [ "$a" = "$b" ] || fail "store and Xapian differ for --by-release"
run "$P" --db "$A" show --json 'releases/000_7a5d2ef6bf956f73.txt'; expect_rc 0 "show from the store"
expect_in "Organization of Turkic States" "$out" "show reads the passage map from the store"
run "$P" --db "$A" search --context 1 --json Tokayev; expect_rc 0 "search --context from the store"
expect_in '"before":[{"paragraph"' "$out" "--context reads the neighbours' texts"

# ---- a built release that changes becomes a new document; its old words are gone
W="$TMP/src"
cp -r "$FIXTURES/releases" "$W"
f=$(grep -l "Organization of Turkic States" "$W"/*.txt | head -1)
C="$TMP/changed"
run "$P" --db "$C" index "$W"; expect_rc 0 "build of a copy"
before=$(ls -l "$C/current/passages.pis" | awk '{print $5}')
sed 's/Organization of Turkic States/Organisation of Zanzibarian Lighthouses/' "$f" > "$TMP/f" && cat "$TMP/f" > "$f"
run "$P" --db "$C" index "$W"; expect_rc 0 "the changed release written again"
run "$P" --db "$C" search --json '"Zanzibarian Lighthouses"'; expect_rc 0 "search the new words"
expect_in '"paragraph"' "$out" "the changed release's new words are found"
run "$P" --db "$C" search --json '"Organization of Turkic States"'
ok; printf '%s\n' "$out" | grep -q "$(basename "$f")" && fail "the changed release's old words still found"
run "$P" --db "$C" check; expect_rc 0 "check after a built release changed"

# ---- compaction keeps what is found and drops the store's records of the documents gone
q='"Zanzibarian Lighthouses" OR Astana OR Kazakhstan'
a=$(results "$C" "$q")
run "$P" --db "$C" compact; expect_rc 0 "compact"
b=$(results "$C" "$q")
ok; [ "$a" = "$b" ] || fail "compaction changed the results: $a --- $b"
after=$(ls -l "$C/current/passages.pis" | awk '{print $5}')
ok; [ "$after" -lt "$before" ] || fail "compaction kept the replaced release's record ($before -> $after bytes)"
run "$P" --db "$C" check; expect_rc 0 "check after compaction"

# ---- a store that is missing or damaged is refused, never searched around
cp "$A/current/passages.pis" "$TMP/keep"
rm "$A/current/passages.pis"
run "$P" --db "$A" search Astana; expect_rc 74 "search without its passages store"
expect_in "passages store" "$err" "the refusal names the store"
cp "$TMP/keep" "$A/current/passages.pis"
# One byte of its table (the file's last bytes) changed.
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[-3]^=0x55; open(p,"wb").write(b)' "$A/current/passages.pis"
run "$P" --db "$A" search Astana; expect_rc 74 "search with a damaged store table"
expect_in "damaged" "$err" "the refusal says damaged"
cp "$TMP/keep" "$A/current/passages.pis"
# One byte of a record: searches read what decodes; check says the store is damaged.
python3 -c 'import sys; p=sys.argv[1]; b=bytearray(open(p,"rb").read()); b[200]^=0x55; open(p,"wb").write(b)' "$A/current/passages.pis"
run "$P" --db "$A" check; expect_rc 74 "check of a damaged record"
expect_in "passages store is damaged" "$out$err" "check names the store"
cp "$TMP/keep" "$A/current/passages.pis"
run "$P" --db "$A" check; expect_rc 0 "check of the store restored"

finish
