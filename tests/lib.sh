# lib.sh - helpers for the end-to-end tests (sourced). Each test script runs the real binary.
set -u
: "${PRESSINDEX:=$(dirname "$0")/../src/cli/pressindex}"
: "${FIXTURES:=$(dirname "$0")/../fixtures}"
TMP=$(mktemp -d /tmp/pi-e2e-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export PRESSINDEX_DB="$TMP/index"
export NO_COLOR=
failures=0
tests=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { tests=$((tests + 1)); }

# run CMD...: sets $rc, $out, $err
run() {
    "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    out=$(cat "$TMP/out")
    err=$(cat "$TMP/err")
}

expect_rc() { # expected description
    ok
    [ "$rc" -eq "$1" ] || fail "$2: exit $rc, expected $1 (stderr: $err)"
}
expect_in() { # needle haystack description
    ok
    case "$2" in *"$1"*) ;; *) fail "$3: '$1' not in: $2" ;; esac
}
expect_not_in() { # needle haystack description
    ok
    case "$2" in *"$1"*) fail "$3: '$1' in: $2" ;; esac
}
expect_lines() { # n text description
    ok
    local n
    n=$(printf '%s' "$2" | grep -c '')
    [ "$n" -eq "$1" ] || fail "$3: $n lines, expected $1: $2"
}
finish() {
    echo "$tests checks, $failures failures"
    [ "$failures" -eq 0 ]
}
