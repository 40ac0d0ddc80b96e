#!/bin/sh
# End-to-end: pressindex reindex, the nightly job, on real files in a temporary folder: exact counts
# after each kind of change, refusals, dry run, locking, readers during a reindex, and SIGKILL at
# several points followed by a reindex that must match a clean build exactly.
. "$(dirname "$0")/lib.sh"
P=$PRESSINDEX
F=$TMP/releases
mkdir -p "$F/sub"

# An mtime in the past, so that a rewrite in the same clock tick still looks changed.
past() { touch -d "@$(( $(date +%s) - $1 ))" "$2"; }
# summary FIELDS...: the named fields of the last --json summary, space-separated
summary() { printf '%s' "$out" | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
print(" ".join(str(o[k]) for k in sys.argv[1:]))' "$@"; }
expect_summary() { # "added changed deleted unchanged" description
    ok; got=$(summary added changed deleted unchanged)
    [ "$got" = "$1" ] || fail "$2: added/changed/deleted/unchanged = $got, expected $1 ($out; $err)"
}
expect_counts() { # releases passages description
    local s; s=$("$P" stats --json | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["releases"], o["passages"])')
    ok; [ "$s" = "$1 $2" ] || fail "$3: stats $s, expected $1 $2"
}
reindex() { run "$P" reindex --json "$@" "$F"; }

# ---- first run: everything added, silent without --json
printf 'Title: Alpha\nDate: 2024-05-01\n\nAlpha one.\n\nAlpha two.\n' >"$F/a.txt"
printf 'Beta.\n' >"$F/sub/b.txt"
printf '%s\n' '{"id": "j1", "paragraphs": ["one"]}' '{"id": "j2", "paragraphs": ["two", "deux"]}' \
    '{"id": "j3", "paragraphs": ["three"]}' >"$F/c.jsonl"
printf 'leftover\n' >"$F/d.txt.part"; printf 'hidden\n' >"$F/.e.txt"
for f in "$F/a.txt" "$F/sub/b.txt" "$F/c.jsonl"; do past 100 "$f"; done
run "$P" reindex "$F"; expect_rc 0 "first reindex"
ok; [ -z "$out$err" ] || fail "reindex is not quiet on success: $out $err"
expect_counts 5 7 "first reindex"

# ---- nothing changed: nothing read
reindex; expect_rc 0 "no change"; expect_summary "0 0 0 5" "no change"
ok; [ "$(summary files files_read)" = "3 0" ] || fail "no change read files: $out"

# ---- touched, same bytes: not re-indexed
touch "$F/a.txt"
reindex; expect_rc 0 "touch"; expect_summary "0 0 0 5" "touched file"
ok; [ "$(summary files_read)" = "0" ] || fail "touched file re-read: $out"

# ---- changed
printf 'Title: Alpha\nDate: 2024-05-01\n\nAlpha one, revised.\n' >"$F/a.txt"
reindex; expect_rc 0 "change"; expect_summary "0 1 0 4" "changed file"; expect_counts 5 6 "changed file"

# ---- renamed: the old id goes, the new comes
mv "$F/sub/b.txt" "$F/sub/b2.txt"
reindex; expect_rc 0 "rename"; expect_summary "1 0 1 4" "renamed file"; expect_counts 5 6 "renamed file"
run "$P" search --json Beta; expect_in '"releases/sub/b2.txt"' "$out" "renamed file under its new id"

# ---- JSON Lines appended to: only the new lines
printf '%s\n' '{"id": "j4", "paragraphs": ["four"]}' '{"id": "j5", "paragraphs": ["five", "fuenf"]}' >>"$F/c.jsonl"
reindex; expect_rc 0 "append"; expect_summary "2 0 0 5" "appended JSON Lines"; expect_counts 7 9 "appended"

# ---- an id leaves the JSON Lines file
grep -v '"j2"' "$F/c.jsonl" >"$F/c.new"; past 50 "$F/c.new"; mv "$F/c.new" "$F/c.jsonl"
reindex; expect_rc 0 "id removed"; expect_summary "0 0 1 6" "id left the file"; expect_counts 6 7 "id left"

# ---- deleted
rm "$F/a.txt"
reindex; expect_rc 0 "delete"; expect_summary "0 0 1 5" "deleted file"; expect_counts 5 6 "deleted file"

# ---- --verbose: the summary on stderr; --dry-run: one line per change on stdout, nothing changed
run "$P" reindex --verbose "$F"; expect_rc 0 "--verbose"; expect_in "unchanged" "$err" "--verbose summary"
expect_lines 1 "$err" "--verbose is one line"
printf 'New.\n' >"$F/n.txt"; rm "$F/sub/b2.txt"
run "$P" reindex --dry-run "$F"; expect_rc 0 "dry run"; expect_lines 2 "$out" "dry run lines"
expect_in "added	releases/n.txt" "$out" "dry run: added"; expect_in "deleted	releases/sub/b2.txt" "$out" "dry run: deleted"
expect_counts 5 6 "dry run changed nothing"
run "$P" reindex --dry-run --json "$F"; expect_rc 0 "dry run json"; expect_lines 1 "$out" "dry run --json is one object"
expect_in '"changes"' "$out" "dry run --json lists the changes"
reindex; expect_summary "1 0 1 4" "after the dry run"

# ---- the same ids as pressindex index: no duplicates when taking over
export PRESSINDEX_DB="$TMP/taken"
run "$P" index "$F"; expect_rc 0 "index before reindex"
run "$P" stats --json; before=$(summary releases passages)
reindex; expect_rc 0 "reindex after index"; expect_counts $before "reindex took over index"
expect_summary "0 0 0 $(echo $before | cut -d' ' -f1)" "index then reindex: nothing changed"

# ---- refusals: a folder emptied or gone while the index holds its releases; half deleted
export PRESSINDEX_DB="$TMP/refuse"
G=$TMP/refuse-folder; mkdir -p "$G"
for i in 1 2 3 4; do printf 'Release %s.\n' $i >"$G/r$i.txt"; done
run "$P" reindex "$G"; expect_rc 0 "refusal setup"
mv "$G" "$G.away"
run "$P" reindex "$G"; expect_rc 65 "folder gone"; expect_lines 1 "$err" "refusal is one line"
expect_in "allow-deletions" "$err" "refusal says how to proceed"; expect_counts 4 4 "nothing deleted"
mkdir "$G"
run "$P" reindex "$G"; expect_rc 65 "folder empty"; expect_lines 1 "$err" "empty refusal is one line"
rmdir "$G"; mv "$G.away" "$G"; rm "$G/r1.txt" "$G/r2.txt" "$G/r3.txt"
run "$P" reindex "$G"; expect_rc 65 "more than half"; expect_in "half" "$err" "says more than half"
expect_counts 4 4 "more than half: nothing deleted"
run "$P" reindex --allow-deletions "$G"; expect_rc 0 "--allow-deletions"; expect_counts 1 1 "allowed"
run "$P" reindex "$G" "$TMP/never-there"; expect_rc 66 "missing folder never indexed"
expect_in "never-there" "$err" "missing folder named"

# ---- bad input: named with its line, skipped, the rest indexed, 65
export PRESSINDEX_DB="$TMP/bad"
B=$TMP/bad-folder; mkdir -p "$B"
printf '%s\n' '{"id": "g1", "paragraphs": ["good"]}' 'not json' '{"id": "g2", "paragraphs": ["good too"]}' >"$B/x.jsonl"
printf 'Fine.\n' >"$B/ok.txt"
run "$P" reindex "$B"; expect_rc 65 "bad input"; expect_in "x.jsonl:2:" "$err" "bad line named"
expect_counts 3 3 "good releases indexed"

# ---- generated releases for the harder tests: N text files + a JSON Lines file
gen() { # folder n
    python3 - "$1" "$2" <<'EOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d, exist_ok=True)
for i in range(n):
    sub = os.path.join(d, "g%02d" % (i % 10))
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "r%04d.txt" % i), "w") as f:
        f.write("Title: Release %d\nDate: 2024-%02d-%02d\n\n" % (i, i % 12 + 1, i % 28 + 1))
        for p in range(1 + i % 5):
            f.write("Commonword paragraph %d of release %d about topic%d and more words here.\n\n" % (p, i, i % 17))
with open(os.path.join(d, "bulk.jsonl"), "w") as f:
    for i in range(n):
        f.write('{"id": "bulk-%d", "date": "2023-01-%02d", "paragraphs": ["Commonword bulk %d", "second %d commonword"]}\n' % (i, i % 28 + 1, i, i))
EOF
}
# dump: every passage as (release, paragraph), sorted, plus the stats
dump() {
    "$P" stats --json | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["releases"], o["passages"])'
    "$P" search --json --no-collapse --limit 100000 commonword | python3 -c '
import json, sys
print("\n".join(sorted("%s %s" % (json.loads(l)["release"], json.loads(l)["paragraph"]) for l in sys.stdin)))'
}
R=$TMP/gen; gen "$R" 300
# The changes an incremental crash test makes: 20 changed, 20 removed, 20 added, JSON Lines cut.
mutate() {
    python3 - "$1" <<'EOF'
import os, sys
d = sys.argv[1]
for i in range(0, 40, 2):
    p = os.path.join(d, "g%02d" % (i % 10), "r%04d.txt" % i)
    with open(p, "a") as f:
        f.write("Commonword appended paragraph.\n")
for i in range(1, 41, 2):
    os.remove(os.path.join(d, "g%02d" % (i % 10), "r%04d.txt" % i))
for i in range(1000, 1020):
    with open(os.path.join(d, "g%02d" % (i % 10), "r%04d.txt" % i), "w") as f:
        f.write("Commonword new release %d.\n" % i)
lines = open(os.path.join(d, "bulk.jsonl")).read().splitlines(True)
open(os.path.join(d, "bulk.jsonl"), "w").write("".join(lines[:250]))
EOF
}
# The mutated copy and the working copies keep the folder's name: it is part of the ids.
mkdir -p "$TMP/m" "$TMP/w"; cp -r "$R" "$TMP/m/gen"; mutate "$TMP/m/gen"

export PRESSINDEX_DB="$TMP/clean"
run "$P" reindex "$R"; expect_rc 0 "clean build"; dump >"$TMP/clean.dump"
export PRESSINDEX_DB="$TMP/clean2"
run "$P" reindex "$TMP/m/gen"; expect_rc 0 "clean build 2"; dump >"$TMP/clean2.dump"

# ---- SIGKILL at several points of a full build and of an incremental run
interrupted=0
for delays in 0.03:0.005 0.1:0.02 0.2:0.035 0.3:0.05; do
    delay=${delays%:*}; inc_delay=${delays#*:}
    export PRESSINDEX_DB="$TMP/crash-$delay"
    PRESSINDEX_BATCH=5 "$P" reindex "$R" 2>/dev/null &
    pid=$!
    # The delays count from the index's creation, not from the start of the process: on a loaded
    # machine (or under ASan) a process can take longer than every delay just to start.
    i=0; while [ $i -lt 2000 ] && [ ! -e "$PRESSINDEX_DB/current" ] && kill -0 $pid 2>/dev/null; do
        sleep 0.01; i=$((i + 1))
    done
    sleep "$delay"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    if [ -e "$PRESSINDEX_DB/current" ]; then
        run "$P" stats --json; expect_rc 0 "index opens after kill at $delay s"
        [ "$(summary releases passages)" = "$(head -1 "$TMP/clean.dump")" ] || interrupted=$((interrupted + 1))
        run "$P" search commonword; ok; [ "$rc" -le 1 ] || fail "search after kill at $delay s: $rc $err"
    fi
    run "$P" reindex "$R"; expect_rc 0 "reindex after kill at $delay s"
    dump >"$TMP/crash.dump"
    ok; cmp -s "$TMP/clean.dump" "$TMP/crash.dump" || fail "build killed at $delay s then finished differs from a clean build: $(diff "$TMP/clean.dump" "$TMP/crash.dump" | head -5)"

    # an incremental run killed part-way: the folder built, then changed
    export PRESSINDEX_DB="$TMP/inc-$delay"
    rm -rf "$TMP/w/gen"; cp -r "$R" "$TMP/w/gen"
    run "$P" reindex "$TMP/w/gen"; mutate "$TMP/w/gen"
    PRESSINDEX_BATCH=2 "$P" reindex "$TMP/w/gen" 2>/dev/null &
    pid=$!; sleep "$inc_delay"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    run "$P" search commonword; ok; [ "$rc" -le 1 ] || fail "search after incremental kill at $delay s: $rc $err"
    run "$P" reindex "$TMP/w/gen"; expect_rc 0 "incremental reindex after kill"
    dump >"$TMP/crash2.dump"
    ok; cmp -s "$TMP/clean2.dump" "$TMP/crash2.dump" || fail "incremental run killed at $inc_delay s then finished differs: $(diff "$TMP/clean2.dump" "$TMP/crash2.dump" | head -5)"
    run "$P" reindex --json "$TMP/w/gen"; expect_summary "0 0 0 $(head -1 "$TMP/clean2.dump" | cut -d' ' -f1)" "nothing left to do after the crash"
done
# The kills must have hit running builds, or the test proves nothing.
echo "kills that interrupted a build: $interrupted of 4"
ok; [ $interrupted -ge 2 ] || fail "only $interrupted of 4 kills interrupted a build: make the builds longer"

# ---- readers during a reindex: no search fails
export PRESSINDEX_DB="$TMP/readers"
run "$P" reindex "$TMP/m/gen"; expect_rc 0 "readers setup"
rm -rf "$TMP/gen3"; cp -r "$R" "$TMP/gen3"
: >"$TMP/search-failures"; : >"$TMP/searches"
(
    end=$(( $(date +%s) + 30 ))
    while [ ! -e "$TMP/stop" ] && [ "$(date +%s)" -lt "$end" ]; do
        "$P" search --limit 3 commonword >/dev/null 2>"$TMP/search-err"; r=$?
        [ $r -le 1 ] || { echo "rc $r: $(cat "$TMP/search-err")" >>"$TMP/search-failures"; }
        echo x >>"$TMP/searches"
    done
) &
loop=$!
# The index goes from one folder's state to the other and back until the searches have run
# alongside (a quick machine could finish both reindexes before the loop's first searches).
: >"$TMP/reindex-err"; r1=0; r2=0; round=0
while [ $round -lt 10 ] && [ $r1 -eq 0 ] && [ $r2 -eq 0 ]; do
    PRESSINDEX_BATCH=300 "$P" reindex --allow-deletions "$TMP/gen3" 2>>"$TMP/reindex-err"; r1=$?
    PRESSINDEX_BATCH=300 "$P" reindex --allow-deletions "$TMP/m/gen" 2>>"$TMP/reindex-err"; r2=$?
    round=$((round + 1))
    [ "$(wc -l <"$TMP/searches")" -lt 3 ] || break
done
touch "$TMP/stop"; wait $loop
ok; [ $r1 -eq 0 ] && [ $r2 -eq 0 ] || fail "reindex with readers: $r1 $r2 $(cat "$TMP/reindex-err")"
ok; [ ! -s "$TMP/search-failures" ] || fail "searches failed during a reindex: $(head -3 "$TMP/search-failures")"
ok; [ "$(wc -l <"$TMP/searches")" -ge 3 ] || fail "the search loop hardly ran"

# ---- two writers: the second waits --lock-timeout, then 75 with a clear message
export PRESSINDEX_DB="$TMP/writers"
rm -rf "$TMP/gen4"; cp -r "$R" "$TMP/gen4"
"$P" reindex "$TMP/gen4" 2>/dev/null
# A real first writer that holds the lock as long as we like: an index reading a FIFO.
mkfifo "$TMP/fifo"
"$P" index --format jsonl - <"$TMP/fifo" 2>/dev/null &
first=$!
exec 3>"$TMP/fifo"
i=0; while [ $i -lt 250 ] && flock -n "$PRESSINDEX_DB/lock" true 2>/dev/null; do sleep 0.02; i=$((i + 1)); done
run "$P" reindex --lock-timeout 0.2 "$TMP/gen4"; expect_rc 75 "second writer"
expect_in "locked by another writer" "$err" "second writer's message"; expect_lines 1 "$err" "one line"
# (One release, or the first writer's input would be an empty file: exit 65.)
printf '{"id":"held","paragraphs":["The lock was held."]}\n' >&3
exec 3>&-
wait $first; r=$?; ok; [ $r -eq 0 ] || fail "first writer failed: $r"
flock "$PRESSINDEX_DB/lock" sleep 2 &
holder=$!; sleep 0.3
run "$P" reindex --lock-timeout 0.5 "$TMP/gen4"; expect_rc 75 "writer behind a held lock"
expect_in "locked by another writer" "$err" "held lock message"
run "$P" search --limit 1 commonword; expect_rc 0 "reader not blocked by the writer lock"
wait $holder

# ---- compact: same answers afterwards; reindex --compact
export PRESSINDEX_DB="$TMP/clean"
run "$P" compact; expect_rc 0 "compact"
dump >"$TMP/compacted.dump"; ok; cmp -s "$TMP/clean.dump" "$TMP/compacted.dump" || fail "compact changed the index"
run "$P" reindex --compact "$R"; expect_rc 0 "reindex --compact"
dump >"$TMP/compacted.dump"; ok; cmp -s "$TMP/clean.dump" "$TMP/compacted.dump" || fail "reindex --compact changed the index"


# ==== Issue 15: the index and its directory defend themselves. Failures of the index are named as
# such (never blamed on the input); a damaged directory is refused by every command with a message
# that names the problem and the repair, and nothing in it is created over or deleted; inputs are
# never passed over without a line; the folder is the truth for reindex. Each check below failed on
# the code before it, unless it says otherwise.
D=$TMP/dirs; mkdir -p "$D/src"
for i in 1 2 3; do printf 'Dirtest release %s.\n' $i >"$D/src/d$i.txt"; done
reindex() { run "$P" reindex --json "$@"; }

# ---- a corrupt database: "damaged" and the way back, Xapian's class names left out
export PRESSINDEX_DB="$D/bad"
reindex "$D/src"; expect_rc 0 "corrupt: setup"
# every block of the postings table (whichever is live)
python3 -c 'import os, sys; f = open(sys.argv[1], "r+b"); f.write(b"\x5a" * os.path.getsize(sys.argv[1]))' "$D/bad/db.1/postlist.glass"
for c in "stats" "search dirtest" "reindex $D/src"; do
    # shellcheck disable=SC2086
    run "$P" $c; expect_rc 74 "corrupt: $c"; expect_in "is damaged" "$err" "corrupt: $c says damaged"
    expect_in "rebuild it from its sources" "$err" "corrupt: $c says how to recover"
    expect_not_in "CorruptError" "$err" "corrupt: $c without Xapian's class names"
done

# ---- a write that fails (here past a file size limit; a full disk alike) blames the index
export PRESSINDEX_DB="$D/full"
python3 -c '
import os, sys
d = sys.argv[1]; os.makedirs(d, exist_ok=True)
for i in range(200):
    open(os.path.join(d, "f%03d.txt" % i), "w").write(" ".join("word%d" % (j * 7 + i) for j in range(300)) + "\n")
' "$D/many"
for c in index reindex; do
    rm -rf "$D/full"
    run sh -c 'trap "" XFSZ; ulimit -f 64; exec "$@"' sh "$P" $c "$D/many"
    expect_rc 74 "write failure: $c"; expect_in "cannot write to the index at $D/full" "$err" "write failure: $c blames the index"
    expect_not_in "$D/many:" "$err" "write failure: $c does not blame the input"
    expect_not_in "DatabaseError" "$err" "write failure: $c without Xapian's class names"
done

# a fresh index of $D/src in $D/idx, to be damaged by hand
fresh() { rm -rf "$D/idx"; run "$P" --db "$D/idx" reindex "$D/src"; expect_rc 0 "$1: setup"; }
# every command, one by one: each must exit $1 with $2 in its message
every() { # rc needle what
    for c in "stats" "search dirtest" "show d1.txt" "index $D/src" "reindex $D/src" "delete d1.txt" "compact"; do
        # shellcheck disable=SC2086
        run "$P" --db "$D/idx" $c; expect_rc "$1" "$3: $c"; expect_in "$2" "$err" "$3: $c names it"
        expect_lines 1 "$err" "$3: $c says it in one line"
        expect_not_in "rm -r" "$err" "$3: $c never says to delete the directory"
    done
}
intact() { # releases what: the database is untouched once repaired
    run "$P" --db "$D/idx" stats --json; expect_rc 0 "$2: opens once repaired"
    ok; [ "$(summary releases)" = "$1" ] || fail "$2: $(summary releases) releases after repair, expected $1"
}

# ---- "current" missing: was a silent rebuild over db.1 (exit 0, the index wiped)
fresh "missing current"; rm "$D/idx/current"
every 74 "current" "missing current"; expect_in "ln -s db.1" "$err" "missing current: the repair"
ok; [ -d "$D/idx/db.1" ] && [ ! -e "$D/idx/current" ] || fail "missing current: the directory was changed: $(ls "$D/idx")"
ln -s db.1 "$D/idx/current"; intact 3 "missing current"

# ---- "current" dangling: was exit 66 with "build one with" (and Xapian's words)
fresh "dangling current"; ln -sfn db.9 "$D/idx/current"
every 74 "db.9" "dangling current"; expect_in "ln -sfn db.1" "$err" "dangling current: the repair"
expect_not_in "DatabaseNotFoundError" "$err" "dangling current: no Xapian internals"
ln -sfn db.1 "$D/idx/current"; intact 3 "dangling current"

# ---- "current" naming a folder that holds no database (a half-made build): was 66 "build one"
fresh "half-made database"; mkdir "$D/idx/db.4"; ln -sfn db.4 "$D/idx/current"
every 74 "holds no database" "half-made database"
ln -sfn db.1 "$D/idx/current"; rmdir "$D/idx/db.4"; intact 3 "half-made database"

# ---- a database "current" does not name: was deleted by the next writer without a word
fresh "unknown db"; cp -r "$D/idx/db.1" "$D/idx/db.7"
every 74 "db.7" "unknown db"
ok; [ -d "$D/idx/db.7" ] || fail "unknown db: db.7 was deleted"
mv "$D/idx/db.7" "$D/db.7.saved"; intact 3 "unknown db"

# ---- leftovers of a crashed build or compaction: a reader passes over them, a writer removes
# them, and a database that current.tmp names (a swap that did not finish) is one of them (the
# code before removed them too, but left current.tmp)
fresh "leftovers"; mkdir "$D/idx/build.999.0" "$D/idx/compact.999.0"
cp -r "$D/idx/db.1" "$D/idx/db.2"; ln -s db.2 "$D/idx/current.tmp"
run "$P" --db "$D/idx" stats; expect_rc 0 "leftovers: a reader opens"
run "$P" --db "$D/idx" reindex "$D/src"; expect_rc 0 "leftovers: a writer opens"
ok; [ "$(ls "$D/idx" | tr '\n' ' ')" = "current db.1 lock " ] || fail "leftovers not removed: $(ls "$D/idx")"
intact 3 "leftovers"

# ---- a new --db and an input that does not exist: 66, and no empty index left behind
run "$P" --db "$D/new" reindex "$D/never-there"; expect_rc 66 "new index, missing folder"
ok; [ ! -e "$D/new" ] || fail "an empty index was left behind: $(ls -a "$D/new")"
run "$P" --db "$D/new" index "$D/never-there"; expect_rc 66 "new index, missing file"
ok; [ ! -e "$D/new" ] || fail "index left an empty index behind: $(ls -a "$D/new")"
run "$P" --db "$D/new" index "$D/never-there" "$D/src"; expect_rc 66 "new index, one input missing"
run "$P" --db "$D/new" stats --json; expect_rc 0 "what was found is kept"

# ---- symbolic links in a folder: each named in one line, exit 65; a link to a folder is not
# followed; a file that was indexed through a link that now dangles is left as indexed
L=$TMP/links; mkdir -p "$L/src" "$L/elsewhere"
printf 'Linked file.\n' >"$L/elsewhere/t.txt"; printf 'Plain file.\n' >"$L/src/plain.txt"
ln -s ../elsewhere "$L/src/folderlink"; ln -s ../elsewhere/t.txt "$L/src/filelink.txt"
export PRESSINDEX_DB="$L/idx"
reindex "$L/src"; expect_rc 65 "link to a folder"; expect_in "folderlink: symbolic link to a folder" "$err" "link to a folder named"
expect_lines 1 "$err" "one line for the link to a folder"; expect_counts 2 2 "link to a folder: files indexed"
rm "$L/elsewhere/t.txt"
reindex "$L/src"; expect_rc 65 "dangling link"; expect_in "filelink.txt: broken symbolic link" "$err" "dangling link named"
expect_counts 2 2 "a dangling link's release is left as indexed"
run "$P" --db "$L/idx2" index "$L/src"; expect_rc 65 "index: links"
expect_in "filelink.txt: broken symbolic link" "$err" "index: dangling link named"
expect_in "folderlink: symbolic link to a folder" "$err" "index: link to a folder named"

# ---- a release deleted by hand comes back with the next reindex (the folder is the truth)
export PRESSINDEX_DB="$D/hand"
reindex "$D/src"; expect_rc 0 "hand delete: setup"
run "$P" delete src/d2.txt; expect_rc 0 "delete by hand"; expect_counts 2 2 "deleted by hand"
reindex "$D/src"; expect_rc 0 "restore"; expect_summary "1 0 0 2" "hand-deleted release restored"
expect_counts 3 3 "restored"
reindex "$D/src"; expect_summary "0 0 0 3" "then nothing to do"

# ---- ids (issue 15): a text file's id starts with its folder's name, so two sources' folders never
# give one id (both held release-001.txt: one release was silently lost, and later runs said
# "2 unchanged"); "." and ".." are resolved as text; two folders of one name are a usage error
I=$TMP/ids; mkdir -p "$I/a/sub" "$I/b" "$I/x/b"
printf 'Title: A\n\nAlpha one.\n' >"$I/a/release-001.txt"; printf 'Title: B\n\nBeta two.\n' >"$I/b/release-001.txt"
cp "$I/a/release-001.txt" "$I/a/sub/x.txt"; printf 'Other b.\n' >"$I/x/b/r.txt"
export PRESSINDEX_DB="$I/idx"
run "$P" reindex --json "$I/a" "$I/b"; expect_rc 0 "two folders' release-001.txt"
expect_summary "3 0 0 0" "two folders' release-001.txt: all added"; expect_counts 3 3 "two folders' release-001.txt"
run "$P" show b/release-001.txt; expect_rc 0 "id with the folder's name"; expect_in "Beta two." "$out" "b's release"
run "$P" reindex --json "$I/a" "$I/b"; expect_rc 0 "second run"; expect_summary "0 0 0 3" "second run: unchanged"
PA=$(cd "$(dirname "$P")" && pwd)/$(basename "$P")
run sh -c 'cd "$1/a" && exec "$2" reindex --json . ../b/' sh "$I" "$PA"; expect_rc 0 "folders spelt . and ../b/"
expect_summary "0 0 0 3" "the same folders spelt otherwise: the same ids"
run "$P" reindex --json "$I/b" "$I/x/b"; expect_rc 64 "two folders named b"
expect_lines 1 "$err" "two folders named b: one line"; expect_in '"b"' "$err" "two folders named b: the name"
expect_in "$I/x/b" "$err" "two folders named b: both named"; expect_counts 3 3 "two folders named b: nothing changed"

finish
