#!/bin/sh
# The public header stands alone: it compiles as strict C99 and as C++11 (with C linkage for every
# function), and the command is built with an include path that reaches no lib-internal header.
. "$(dirname "$0")/lib.sh"
: "${HEADER:=$(dirname "$0")/../include/pressindex.h}"
: "${CC:=cc}"
: "${CXX:=c++}"
: "${MAKEFILE:=Makefile}"
incdir=$(dirname "$HEADER")
srcdir=$incdir/..

# ---- C99, pedantic, every warning an error.
printf '#include <pressindex.h>\nint main(void) { return pressindex_version() == 0; }\n' >"$TMP/probe.c"
run $CC -std=c99 -pedantic -Wall -Wextra -Werror -Wstrict-prototypes -fsyntax-only -I"$incdir" "$TMP/probe.c"
expect_rc 0 "the header as C99 ($err)"
# And on its own, as the first include: no hidden dependency on another header.
printf '#include <pressindex.h>\nstatic pressindex_release r;\nsize_t f(void);\nsize_t f(void) { return r.n_paragraphs; }\n' >"$TMP/alone.c"
run $CC -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only -I"$incdir" "$TMP/alone.c"
expect_rc 0 "the header alone as C99 ($err)"

# ---- C++11: compiles, and the functions keep C linkage (unmangled references).
printf '#include <pressindex.h>\nint main() { pressindex_open_options o; pressindex_open_options_init(&o); return pressindex_version() == nullptr; }\n' >"$TMP/probe.cc"
run $CXX -std=c++11 -fsyntax-only -Wall -Werror -I"$incdir" "$TMP/probe.cc"
expect_rc 0 "the header as C++11 ($err)"
run $CXX -std=c++11 -Wall -Werror -I"$incdir" -c "$TMP/probe.cc" -o "$TMP/probe.o"
expect_rc 0 "compile the C++ probe ($err)"
run nm "$TMP/probe.o"
expect_in " U pressindex_version" "$out" "C linkage of pressindex_version from C++"
expect_in " U pressindex_open_options_init" "$out" "C linkage of pressindex_open_options_init from C++"

# ---- The command's compile flags reach no lib-internal header.
# The flags as the Makefile defines them: nothing from src/lib or src/xapian-c.
line=$(grep '^src_cli_pressindex_CPPFLAGS' "$MAKEFILE")
ok; [ -n "$line" ] || fail "src_cli_pressindex_CPPFLAGS not found in $MAKEFILE"
ok; case "$line" in *src/lib*|*xapian-c*) fail "the CLI's include path reaches the library's internals: $line" ;; esac
# And in effect: with the flags the command is compiled with, no internal header can be included;
# with the library's own flags they can (so the probe proves something).
for h in "$srcdir"/src/lib/*.h "$srcdir"/src/xapian-c/*.h; do
    name=$(basename "$h")
    printf '#include "%s"\n' "$name" >"$TMP/internal.c"
    # shellcheck disable=SC2086
    run $CC -E $CLI_CPPFLAGS "$TMP/internal.c"
    ok; [ "$rc" -ne 0 ] || fail "the CLI's flags ($CLI_CPPFLAGS) reach $name"
done
if [ -n "${LIB_CPPFLAGS:-}" ]; then
    printf '#include "internal.h"\n' >"$TMP/internal.c"
    # shellcheck disable=SC2086
    run $CC -E $LIB_CPPFLAGS "$TMP/internal.c"
    expect_rc 0 "the library's own flags reach internal.h (control: $err)"
fi
# The command's sources include only system headers, its own headers, config.h and pressindex.h.
for f in "$srcdir"/src/cli/*.c "$srcdir"/src/cli/*.h; do
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        ok
        case "$inc" in
        config.h|pressindex.h) ;;
        */*) fail "$(basename "$f") includes \"$inc\" (a path outside src/cli)" ;;
        *) [ -f "$srcdir/src/cli/$inc" ] || fail "$(basename "$f") includes \"$inc\", not a header of src/cli" ;;
        esac
    done
done

# ---- pressindex(3) has every function of the header in its synopsis, and renders without warnings.
man3=$srcdir/doc/pressindex.3
for f in $(grep -oE '\bpressindex_[a-z0-9_]+\(' "$HEADER" | tr -d '(' | sort -u); do
    ok; grep -q "^\.BI .*$f(" "$man3" || fail "doc/pressindex.3: no synopsis line for $f()"
done
# Its EXAMPLE compiles.
awk '/^\.EX/ {n++; next} /^\.EE/ {if (n == 1) exit} n == 1' "$man3" | sed 's/\\e/\\/g; s/\\-/-/g' >"$TMP/man_example.c"
ok; grep -q 'pressindex_search' "$TMP/man_example.c" || fail "no EXAMPLE program found in doc/pressindex.3"
run $CC -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only -I"$incdir" "$TMP/man_example.c"
expect_rc 0 "the EXAMPLE of pressindex(3) compiles ($err)"
if command -v groff >/dev/null 2>&1; then
    run groff -ww -man -z "$man3"
    ok; [ "$rc" -eq 0 ] && [ -z "$err" ] || fail "groff -ww -man warns on doc/pressindex.3: $err"
    # pressindex(1) too, on a terminal (man's device): its other scripts are \[uXXXX] escapes.
    run groff -ww -man -Tutf8 -z "$srcdir/doc/pressindex.1"
    ok; [ "$rc" -eq 0 ] && [ -z "$err" ] || fail "groff -ww -man warns on doc/pressindex.1: $err"
fi
finish
