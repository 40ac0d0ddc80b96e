#!/bin/sh
# I/O failures injected with libfiu (Debian: fiu-utils, libfiu-dev): writes (write, pwrite),
# syncs (fsync, fdatasync) and renames fail with ENOSPC or EIO in the middle of a build, a reindex
# and a compaction (of a built index, and of a reindexed one, whose passages values it moves into
# a new passages store), and at the last sync: the one that makes a new database current. Each run
# must exit 74 with one line naming the error, leave the index at its last commit (as before the
# run, or as after it when the failure came after its commit; healthy; answering searches), and a
# rerun without the fault must complete and equal a clean build: the same stats --json, the same
# sorted dump of every release's id and paragraphs (tests/test_faults --dump), the same top 10 for
# a few queries.
#
# "In the middle" is deterministic: tests/fiu_countdown.c, preloaded next to libfiu's POSIX
# wrappers, fails the failure points from their N-th call on, N the middle of the calls a run
# without a fault makes (and from then on: a full disk stays full). fiu-run launches the real
# binary (.libs/pressindex, not libtool's wrapper script). Under ASan the sanitizer's runtime is
# preloaded first (libfiu's malloc wrapper ahead of it crashes at start), the others after it,
# hence verify_asan_link_order=0. Xapian 1.4's compaction leaks what it allocated when a write
# fails: LeakSanitizer leaves allocations made inside libxapian alone (as tests/test_faults.c does).
. "$(dirname "$0")/lib.sh"
P=$PRESSINDEX
: "${TOP_SRCDIR:=$(dirname "$0")/..}"
DUMP="$(dirname "$P")/../../tests/test_faults"

command -v fiu-run >/dev/null 2>&1 || { echo "fiu-run not found (Debian: fiu-utils): skipped"; exit 77; }
${CC:-cc} -shared -fPIC -o "$TMP/countdown.so" "$TOP_SRCDIR/tests/fiu_countdown.c" -lfiu \
    2>"$TMP/cc.err" || { echo "cannot build the libfiu preload (Debian: libfiu-dev): skipped"; \
    cat "$TMP/cc.err"; exit 77; }
BIN="$(dirname "$P")/.libs/pressindex"
[ -x "$BIN" ] || BIN=$P # not built by libtool as a wrapper and a binary
LIBDIR=$(dirname "${PRESSINDEX_LIB:-$(dirname "$P")/../lib/.libs/libpressindex.so}")
PRELOAD="$TMP/countdown.so"
ASAN_LIB=$(LD_LIBRARY_PATH="$LIBDIR" ldd "$BIN" 2>/dev/null | awk '/libasan/ { print $3 }')
[ -n "$ASAN_LIB" ] && PRELOAD="$ASAN_LIB $PRELOAD"
echo "leak:libxapian.so" >"$TMP/lsan.supp"
[ -x "$DUMP" ] || { echo "FAIL: no $DUMP (make check builds it)"; exit 1; }

# fiu POINTS N ERRNO ARGS...: pressindex ARGS with POINTS failing from their N-th call on; the
# number of calls made goes to $TMP/count.
fiu() {
    points=$1 n=$2 e=$3
    shift 3
    PI_FIU_POINTS=$points PI_FIU_AFTER=$n PI_FIU_ERRNO=$e PI_FIU_COUNT="$TMP/count" \
        LD_LIBRARY_PATH="$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$TMP/lsan.supp:print_suppressions=0" \
        PI_PRELOAD=$PRELOAD fiu-run -x -f "" sh -c 'LD_PRELOAD="$PI_PRELOAD $LD_PRELOAD" exec "$@"' sh "$BIN" "$@"
}

# state INDEX FILE: what "equal" compares, into FILE.
QUERIES='president|"sacred tooth"|develop*|economy NOT trump'
state() {
    {
        "$DUMP" --dump "$1" || echo "test_faults --dump failed: exit $?"
        "$P" --db "$1" stats --json 2>&1
        echo "$QUERIES" | tr '|' '\n' | while IFS= read -r q; do
            echo "search $q"
            "$P" --db "$1" search --json --limit 10 -- "$q" 2>&1
        done
    } >"$2"
}

# ---- the clean builds every rerun must equal, and the states before the faults
mkdir "$TMP/folder"
cp "$FIXTURES/releases/"* "$TMP/folder/"
run "$P" --db "$TMP/synced" reindex "$TMP/folder"; expect_rc 0 "reindex of the fixtures"
# The night's changes: one file changed, one gone, one new.
sed -i 's/Sacred Tooth Relic/Sacred Tooth Relic of Kandy/' "$TMP/folder/lk_pmd_2024-09-23-en-3bba97.txt"
rm "$TMP/folder/lk_pmd_2024-10-01-en-6ef958.txt"
printf 'Title: Harbour\n\nThe harbour reopened on Monday.\n\nShips wait outside.\n' >"$TMP/folder/zz_new.txt"
run "$P" --db "$TMP/clean" index "$TMP/folder"; expect_rc 0 "a clean build"
run "$P" --db "$TMP/clean-reindex" reindex "$TMP/folder"; expect_rc 0 "a clean reindex"
state "$TMP/clean" "$TMP/clean.state"
state "$TMP/clean-reindex" "$TMP/clean-reindex.state"
state "$TMP/synced" "$TMP/synced.state"
# A compaction of the index reindex wrote moves its passages values into a new passages store.
cp -a "$TMP/synced" "$TMP/folded"
run "$P" --db "$TMP/folded" compact; expect_rc 0 "a clean compaction of the reindexed index"
state "$TMP/folded" "$TMP/folded.state"
grep -q '^releases 14 ' "$TMP/clean.state" || fail "the clean build holds 14 releases: $(head -1 "$TMP/clean.state")"

# setup OP: the index $TMP/w as it is before OP. Then "op OP" runs it.
setup() {
    rm -rf "$TMP/w"
    case $1 in
    build) ;;
    reindex) cp -a "$TMP/synced" "$TMP/w" ;;
    compact) cp -a "$TMP/clean" "$TMP/w" ;;
    compact-fold) cp -a "$TMP/synced" "$TMP/w" ;;
    esac
}
args() {
    case $1 in
    build) echo "--db $TMP/w index $TMP/folder" ;;
    reindex) echo "--db $TMP/w reindex $TMP/folder" ;;
    compact | compact-fold) echo "--db $TMP/w compact" ;;
    esac
}
before() { # the state an interrupted OP must leave: its last commit
    case $1 in
    build) echo "$TMP/none.state" ;; # no index yet, or the empty one it created
    reindex) echo "$TMP/synced.state" ;;
    compact) echo "$TMP/clean.state" ;;
    compact-fold) echo "$TMP/synced.state" ;;
    esac
}
after() {
    case $1 in
    reindex) echo "$TMP/clean-reindex.state" ;;
    compact-fold) echo "$TMP/folded.state" ;;
    *) echo "$TMP/clean.state" ;;
    esac
}
mkdir "$TMP/empty"
run "$P" --db "$TMP/empty-index" index "$TMP/empty"
state "$TMP/empty-index" "$TMP/none.state"

runs=0
for op in build reindex compact compact-fold; do
    for point in "posix/io/rw/write,posix/io/rw/pwrite" "posix/io/sync/fsync,posix/io/sync/fdatasync" \
        "posix/io/dir/rename"; do
        what="$op, ${point%%,*}"
        setup "$op"
        # shellcheck disable=SC2046 # the words of the command
        fiu "$point" 0 0 $(args "$op") >/dev/null 2>&1 || fail "$what: the run that counts failed"
        calls=$(cat "$TMP/count")
        if [ "$calls" -lt 1 ]; then
            fail "$what: no call to fail (libfiu's wrappers not in place?)"
            continue
        fi
        positions=$(( (calls + 1) / 2 ))
        case $point in posix/io/sync/*) [ "$calls" -gt 1 ] && positions="$positions $calls" ;; esac
        for n in $positions; do
        for errno in 28 5; do
            case $errno in 28) msg="No space left on device" ;; 5) msg="Input/output error" ;; esac
            setup "$op"
            # shellcheck disable=SC2046
            fiu "$point" "$n" "$errno" $(args "$op") >"$TMP/out" 2>"$TMP/err"
            rc=$?; err=$(cat "$TMP/err")
            runs=$((runs + 1))
            echo "$what, errno $errno, from call $n of $calls: exit $rc: $err"
            expect_rc 74 "$what, errno $errno from call $n of $calls"
            # (Xapian 1.4 gives no errno with the DatabaseCreateError of its version file: "Failed
            # to create iamglass file", which is how the message names it.)
            case $err in *DatabaseCreateError* | *"Failed to create iamglass file"*) ;; *) expect_in "$msg" "$err" "$what, errno $errno: the message names the error" ;; esac
            expect_lines 1 "$err" "$what, errno $errno: one line"
            # The index as of its last commit, healthy, answering.
            state "$TMP/w" "$TMP/w.state"
            if [ "$op" = build ] && grep -q '^none$' "$TMP/w.state"; then
                echo "  left: no index (its creation was cut short)"
            elif cmp -s "$TMP/w.state" "$(before "$op")"; then
                echo "  left: the index as before the run"
            elif cmp -s "$TMP/w.state" "$(after "$op")"; then
                echo "  left: the index as after the run (the failure came after its commit)"
            else
                fail "$what, errno $errno: the index is not at its last commit: $(diff "$TMP/w.state" "$(before "$op")" | head -5)"
            fi
            ok
            if ! grep -q '^none$' "$TMP/w.state"; then
                # Xapian 1.4's Database::check() deletes an object with the wrong size: not ours.
                ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}new_delete_type_mismatch=0" \
                    run "$P" --db "$TMP/w" check
                expect_rc 0 "$what, errno $errno: check"
                run "$P" --db "$TMP/w" search economy; ok
                [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "$what, errno $errno: a search afterwards: exit $rc ($err)"
            fi
            # The rerun completes, and equals a clean build.
            # shellcheck disable=SC2046
            run "$P" $(args "$op"); expect_rc 0 "$what, errno $errno: the rerun"
            state "$TMP/w" "$TMP/w.state"
            ok; cmp -s "$TMP/w.state" "$(after "$op")" ||
                fail "$what, errno $errno: the rerun differs from a clean build: $(diff "$TMP/w.state" "$(after "$op")" | head -5)"
        done
        done
    done
done
echo "$runs runs with I/O failures"
finish
