#!/bin/sh
# pressindex serve's HTTP API (tests/serve_api.py): a real server on an ephemeral loopback port and
# a real HTTP client. Runs in the plain build and under the sanitizers (the server is C; the
# client only talks to it), where each request may take up to 10 s instead of 1 s (DECISIONS).
set -eu
: "${PRESSINDEX:?} ${FIXTURES:?} ${TOP_SRCDIR:?}"
PY=${SERVE_PYTHON:-/usr/bin/python3}
SERVE_TMP=$(mktemp -d /tmp/pi-serve-XXXXXX)
trap 'rm -rf "$SERVE_TMP"' EXIT
SERVE_SLOW=
bin=$(dirname "$PRESSINDEX")/.libs/$(basename "$PRESSINDEX")
[ -x "$bin" ] || bin=$PRESSINDEX
if nm "$bin" 2>/dev/null | grep -q __asan_init; then SERVE_SLOW=1; fi
# The server is a program of its own (pressindex-serve, run by `pressindex serve`): the command
# that every search starts must not load libmicrohttpd (and the TLS stack it brings).
if readelf -d "$bin" | grep NEEDED | grep -q microhttpd; then
    echo "FAIL: $bin links libmicrohttpd: every command pays for loading it" >&2
    exit 1
fi
[ -x "$(dirname "$bin")/pressindex-serve" ] || { echo "FAIL: no pressindex-serve beside $bin" >&2; exit 1; }
export PRESSINDEX FIXTURES SERVE_TMP SERVE_SLOW PYTHONDONTWRITEBYTECODE=1
exec "$PY" "$TOP_SRCDIR/tests/serve_api.py"
