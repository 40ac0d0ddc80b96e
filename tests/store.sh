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

# Where a database's passages values and texts are: "A B C D": records of the store (store.h: its
# table's non-empty entries) for documents that are gone, documents whose values are in the store,
# documents whose passages values are in Xapian (value 4), documents whose texts are (value 5).
where() {
    /usr/bin/python3 -c '
import struct, sys, xapian
db = xapian.Database(sys.argv[1])
live = {p.docid for p in db.postlist("")}
b = open(sys.argv[1] + "/passages.pis", "rb").read()
first, n = struct.unpack_from("<II", b, 12)
tat = struct.unpack_from("<Q", b, 24)[0]
t = struct.unpack_from("<%dQ" % (n + 1), b, tat)
held = {first + i for i in range(n) if t[i] != t[i + 1]}
inx = sum(1 for v in db.valuestream(4))
texts = sum(1 for v in db.valuestream(5))
print(len(held - live), len(held & live), inx, texts)' "$1/current"
}

releases() { "$P" --db "$1" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["releases"])'; }

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
sed 's/Organization of Turkic States/Organisation of Zanzibarian Lighthouses/' "$f" > "$TMP/f" && cat "$TMP/f" > "$f"
run "$P" --db "$C" index "$W"; expect_rc 0 "the changed release written again"
run "$P" --db "$C" search --json '"Zanzibarian Lighthouses"'; expect_rc 0 "search the new words"
expect_in '"paragraph"' "$out" "the changed release's new words are found"
expect_in "Organisation of Zanzibarian Lighthouses" "$out" "the changed release's new text is shown"
run "$P" --db "$C" search --json '"Organization of Turkic States"'
ok; printf '%s\n' "$out" | grep -q "$(basename "$f")" && fail "the changed release's old words still found"
run "$P" --db "$C" check; expect_rc 0 "check after a built release changed"
w=$(where "$C")
ok; [ "$w" = "1 $(($(releases "$C") - 1)) 1 1" ] || fail "after the change: $w (the old version's record, the others, the new version in Xapian)"

# ---- compaction keeps what is found and drops the store's records of the documents gone
q='"Zanzibarian Lighthouses" OR Astana OR Kazakhstan'
a=$(results "$C" "$q")
run "$P" --db "$C" compact; expect_rc 0 "compact"
b=$(results "$C" "$q")
ok; [ "$a" = "$b" ] || fail "compaction changed the results: $a --- $b"
w=$(where "$C")
ok; [ "$w" = "0 $(releases "$C") 0 0" ] || fail "after compaction: $w (no record of a gone document, all in the store)"
run "$P" --db "$C" check; expect_rc 0 "check after compaction"

# ---- an index written release by release (as reindex writes) gets its store at compaction: the
# values Xapian held move into it, and the searches find the same
q='"Organization of Turkic States" OR Tokayev OR "Sri Lanka"'
a=$(results "$B" "$q")
run "$P" --db "$B" compact; expect_rc 0 "compact of a serial index"
ok; [ -s "$B/current/passages.pis" ] || fail "compaction left a serial index without a passages store"
b=$(results "$B" "$q")
ok; [ "$a" = "$b" ] || fail "folding the values into the store changed the results: $a --- $b"
run "$P" --db "$B" check; expect_rc 0 "check after the values moved into the store"
w=$(where "$B")
ok; [ "$w" = "0 $(releases "$B") 0 0" ] || fail "after folding a serial index: $w"
# A release written after it keeps its values in Xapian until the next compaction folds them in.
W2="$TMP/src2"
cp -r "$FIXTURES/releases" "$W2"
run env PRESSINDEX_THREADS=1 "$P" --db "$TMP/later" index "$W2"; expect_rc 0 "serial index of a copy"
run "$P" --db "$TMP/later" compact; expect_rc 0 "compact of the copy"
printf 'Date: 2025-08-01\n\nThe lighthouse keepers of Zanzibar met the walrus census office.\n' > "$W2/zz-new.txt"
run "$P" --db "$TMP/later" index "$W2"; expect_rc 0 "a new release after the compaction"
run "$P" --db "$TMP/later" search --json '"walrus census"'; expect_rc 0 "search the new release"
expect_in "zz-new.txt" "$out" "a release written after the compaction is found (its values in Xapian)"
run "$P" --db "$TMP/later" compact; expect_rc 0 "compact folds the new release in"
run "$P" --db "$TMP/later" search --json '"walrus census"'
expect_in "zz-new.txt" "$out" "the new release is found once its values are in the store"
run "$P" --db "$TMP/later" check; expect_rc 0 "check after folding a later release"

# ---- the store's copy of a release record is the index's: a record changed behind its back
# (here by Xapian's own Python binding) is what check reports
cp -r "$A" "$TMP/recs"
/usr/bin/python3 -c '
import sys, xapian
db = xapian.WritableDatabase(sys.argv[1], xapian.DB_OPEN)
k = next(k for k in db.metadata_keys("R") if db.get_metadata(k))
f = db.get_metadata(k).split(b"\0")
f[2] = b"A title the store never saw"
db.set_metadata(k, b"\0".join(f))
db.commit()' "$TMP/recs/current"
run "$P" --db "$TMP/recs" check; expect_rc 74 "check of a record that differs from the store's copy"
expect_in "differ from their records" "$out$err" "check says the store's record differs"

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

# ---- a build whose merge runs out of file descriptors says so (74) and leaves the index empty;
# a low soft limit alone is raised to the hard one by pressindex, and the same build works
F="$TMP/fds"
run sh -c "ulimit -S -n 40; ulimit -H -n 40; PRESSINDEX_SHARD_PASSAGES=1 exec \"\$0\" --db \"\$1\" index \"\$2\"" \
    "$P" "$F" "$FIXTURES/releases"
expect_rc 74 "a build out of file descriptors"
expect_in "Too many open files" "$err" "the build says why it failed"
expect_in "cannot write to the index at $F" "$err" "the failure is the index's, not the input's"
run "$P" --db "$F" stats --json; expect_rc 0 "stats after the failed build"
expect_in '"releases":0' "$out" "the failed build left the index empty"
ok; [ -z "$(ls -d "$F"/build.* "$F"/compact.* 2>/dev/null)" ] || fail "the failed build left shards behind"
run sh -c "ulimit -S -n 40; PRESSINDEX_SHARD_PASSAGES=1 exec \"\$0\" --db \"\$1\" index \"\$2\"" \
    "$P" "$F" "$FIXTURES/releases"
expect_rc 0 "the same build with only the soft limit low"
run "$P" --db "$F" check; expect_rc 0 "check of that build"

finish
