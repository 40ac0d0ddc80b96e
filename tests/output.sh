#!/bin/sh
# End-to-end: what the command writes reaches its reader, or it says so. A write error on standard
# output (a full disk: /dev/full) is one line on stderr and exit 74, whatever the command and even
# when the error shows only at the last flush; a reader that closes the pipe early (| head -1) gets
# a quiet exit with the command's own status. And reindex --json writes one object with status and
# error on every exit, a failed run's too.
. "$(dirname "$0")/lib.sh"
P=$PRESSINDEX

"$P" index "$FIXTURES/releases" >/dev/null 2>&1 || { echo "cannot index the fixtures"; exit 1; }
id=releases/000_7a5d2ef6bf956f73.txt

# ---- a full disk: every command that prints, large output and small (caught only at exit)
if [ -w /dev/full ]; then
    mkdir "$TMP/folder"; cp "$FIXTURES/releases/"* "$TMP/folder/"
    "$P" --db "$TMP/synced" reindex "$TMP/folder" >/dev/null 2>&1
    # A dry run prints its changes: one new file.
    cp -R "$TMP/folder" "$TMP/changed"; printf 'Title: New\n\nA new release.\n' >"$TMP/changed/new.txt"
    for cmd in "--help" "--version" "search --help" "search --json Turkic" "search Turkic" \
        "search --json --limit 60 the" "search --count Turkic" "stats" "stats --json" "show $id" \
        "show --json $id" "reindex --help" "--db $TMP/synced reindex --json $TMP/folder" \
        "--db $TMP/synced reindex --dry-run $TMP/changed"; do
        # shellcheck disable=SC2086 # the words of the command
        "$P" $cmd >/dev/full 2>"$TMP/err"
        rc=$?; err=$(cat "$TMP/err")
        expect_rc 74 "pressindex $cmd >/dev/full"
        expect_in "pressindex: writing to standard output: No space left on device" "$err" \
            "pressindex $cmd >/dev/full names the problem"
        expect_lines 1 "$err" "pressindex $cmd >/dev/full: one line"
    done
    # The same commands to a file that takes them: no message, their own status.
    run "$P" --db "$TMP/synced" reindex --json "$TMP/folder"; expect_rc 0 "reindex --json to a file"
    ok; [ -z "$err" ] || fail "reindex --json to a file wrote to stderr: $err"
else
    echo "no writable /dev/full: the write error checks are skipped"
fi

# ---- a reader that stops early: many results into | head -1, more than a pipe holds
python3 -c '
import json
for i in range(1500):
    words = " ".join("filler%d" % ((i * 7 + k) % 300) for k in range(40))
    print(json.dumps({"id": "r%d" % i, "title": "Harvest %d" % i,
                      "paragraphs": ["The harvest report %d: %s." % (i, words),
                                    "Second paragraph on the harvest, %s." % words]}))' >"$TMP/many.jsonl"
run "$P" --db "$TMP/many" index "$TMP/many.jsonl"; expect_rc 0 "index 1500 releases"
for fmt in --json --full; do
    { "$P" --db "$TMP/many" search $fmt --limit 3000 harvest 2>"$TMP/err"; echo $? >"$TMP/rc"; } |
        head -1 >"$TMP/out"
    rc=$(cat "$TMP/rc"); err=$(cat "$TMP/err")
    expect_rc 0 "search $fmt | head -1: the search's own status (not SIGPIPE's 141)"
    ok; [ -z "$err" ] || fail "search $fmt | head -1 is not quiet: $err"
    expect_lines 1 "$(cat "$TMP/out")" "search $fmt | head -1 printed its line"
done
# The same search in full is well over a pipe's 64 KiB, so the early close above was felt.
n=$("$P" --db "$TMP/many" search --json --limit 3000 harvest | wc -c)
ok; [ "$n" -gt 200000 ] || fail "the piped search is too small to fill a pipe: $n bytes"

# ---- reindex --json: one object with status and error, whatever the exit
# check STATUS ERROR_PATTERN DESCRIPTION: the object in $out (one line), its status and error
check_json() {
    expect_lines 1 "$out" "$3: one line"
    got=$(printf '%s' "$out" | python3 -c '
import json, sys
o = json.loads(sys.stdin.read())
for k in ("added", "changed", "deleted", "unchanged", "skipped", "problems", "files", "files_read",
          "refused", "seconds", "dry_run"):
    assert k in o, k
print(o["status"], "null" if o["error"] is None else o["error"])' 2>&1)
    case "$got" in
    "$1 "$2) ok ;;
    *) ok; fail "$3: status and error are '$got', expected '$1 $2' ($out)" ;;
    esac
}
D=$TMP/r
run "$P" --db "$D" reindex --json "$TMP/folder"; expect_rc 0 "reindex --json"
check_json 0 null "a successful reindex --json"
run "$P" --db "$D" reindex --json "$TMP/no-such-folder"; expect_rc 66 "reindex --json of a missing folder"
check_json 66 "*not found*" "reindex --json of a missing folder"
mkdir "$TMP/bad"; cp "$FIXTURES/bad/malformed.jsonl" "$TMP/bad/"
run "$P" --db "$D" reindex --json "$TMP/bad"; expect_rc 65 "reindex --json of bad input"
check_json 65 "*problem*" "reindex --json of bad input"
if command -v flock >/dev/null 2>&1; then
    flock "$D/lock" sleep 1.5 &
    i=0; while [ $i -lt 250 ] && flock -n "$D/lock" true 2>/dev/null; do sleep 0.02; i=$((i + 1)); done
    run "$P" --db "$D" reindex --json --lock-timeout 0.2 "$TMP/folder"
    expect_rc 75 "reindex --json behind another writer"
    check_json 75 "*locked by another writer*" "reindex --json behind another writer"
    expect_lines 1 "$err" "reindex --json behind another writer: one line on stderr"
    wait
fi
# A database that cannot be opened: 74, said in the object (not an all-zero quiet night).
cp -R "$D" "$TMP/corrupt"
for f in "$TMP/corrupt"/db.*/iamglass; do printf 'not a revision file\n' >"$f"; done
run "$P" --db "$TMP/corrupt" reindex --json "$TMP/folder"; expect_rc 74 "reindex --json of a corrupt index"
check_json 74 "?*" "reindex --json of a corrupt index"
# A dry run's object keeps its changes and has the status and error too.
run "$P" --db "$D" reindex --json --dry-run "$TMP/folder"; expect_rc 0 "reindex --json --dry-run"
check_json 0 null "reindex --json --dry-run"
expect_in '"changes":' "$out" "a dry run's changes"

finish
