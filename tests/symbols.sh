#!/bin/sh
# The shared library exports exactly the functions the public header declares, nothing else.
. "$(dirname "$0")/lib.sh"
: "${PRESSINDEX_LIB:=$(dirname "$0")/../src/lib/.libs/libpressindex.so}"
: "${HEADER:=$(dirname "$0")/../include/pressindex.h}"

nm -D --defined-only "$PRESSINDEX_LIB" | awk '$2 ~ /^[TDBRW]$/ {sub(/@.*/, "", $3); print $3}' | sort -u >"$TMP/exported"
# Declarations: an identifier followed by '(' at the start of a prototype.
# (The options' _init() are macros over the exported _init_sized().)
grep -v '^#define' "$HEADER" | grep -oE '\bpressindex_[a-z0-9_]+\(' | tr -d '(' | sort -u >"$TMP/declared"
ok; diff -u "$TMP/declared" "$TMP/exported" >"$TMP/diff" || fail "exported symbols differ from the header: $(cat "$TMP/diff")"
ok; [ -s "$TMP/exported" ] || fail "no exported symbols found in $PRESSINDEX_LIB"
finish
