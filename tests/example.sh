#!/bin/sh
# The example program (examples/search_fixtures.c, built against the build tree): it indexes the
# fixtures, finds the seed release, and gets the expected status for each provoked error.
. "$(dirname "$0")/lib.sh"
: "${EXAMPLE:=$(dirname "$0")/../examples/search_fixtures}"

run "$EXAMPLE" "$FIXTURES/releases"
expect_rc 0 "example program (stdout: $out)"
expect_in "000_7a5d2ef6bf956f73.txt" "$out" "the seed release is found"
expect_in "[Organization] [of] [Turkic] [States]" "$out" "the phrase is highlighted"
expect_in "open a missing index: not found" "$out" "missing index reported"
expect_in "open a second writer: index locked" "$out" "second writer reported"
expect_in "search a malformed query: malformed query" "$out" "malformed query reported"
expect_in "all as expected" "$out" "the example's own verdict"
ok; [ -z "$err" ] || fail "the example wrote to stderr: $err"

# Misuse: no folder and no FIXTURES in the environment is a usage error, not a crash.
run env FIXTURES= "$EXAMPLE"
expect_rc 2 "example without a folder"
finish
