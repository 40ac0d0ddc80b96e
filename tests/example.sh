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

# ---- A static link with the flags pressindex.pc gives (pkg-config --static): libpressindex.a alone
# in the library directory, so -lpressindex cannot pick the shared library, whose own dependencies
# would hide what the static one lacks (the C++ runtime of the Xapian shim, libm).
: "${PKG_CONFIG:=pkg-config}"
: "${PC_DIR:=$(dirname "$0")/..}"
: "${STATIC_LIB:=$PC_DIR/src/lib/.libs/libpressindex.a}"
: "${EXAMPLE_SRC:=$(dirname "$0")/../examples/search_fixtures.c}"
if [ -f "$STATIC_LIB" ] && command -v "$PKG_CONFIG" >/dev/null; then
    mkdir "$TMP/static"
    ln -s "$STATIC_LIB" "$TMP/static/libpressindex.a"
    flags=$(PKG_CONFIG_PATH="$PC_DIR" "$PKG_CONFIG" --define-variable=libdir="$TMP/static" \
        --define-variable=includedir="$(dirname "$EXAMPLE_SRC")/../include" --static --cflags --libs pressindex)
    ok; case "$flags" in *-lstdc++*-lm*) ;; *) fail "pkg-config --static --libs lacks -lstdc++ -lm: $flags" ;; esac
    # shellcheck disable=SC2086 # the flags are words
    run $CC ${EXAMPLE_CFLAGS:-} -o "$TMP/static/example" "$EXAMPLE_SRC" $flags ${EXAMPLE_LDFLAGS:-}
    expect_rc 0 "link the example statically with pkg-config --static flags ($flags)"
    if [ "$rc" -eq 0 ]; then
        run "$TMP/static/example" "$FIXTURES/releases"
        expect_rc 0 "the statically linked example (stdout: $out)"
        expect_in "all as expected" "$out" "the statically linked example's own verdict"
        run ldd "$TMP/static/example"
        expect_not_in "libpressindex" "$out" "the static example does not load libpressindex.so"
    fi
else
    echo "static link check skipped: no $STATIC_LIB (--disable-static) or no $PKG_CONFIG"
fi
finish
