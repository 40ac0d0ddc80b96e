#!/bin/sh
# The search page in headless Chromium (tests/serve_browser.py). Skipped (77) only when Debian's
# chromium, chromium-driver or python3-selenium is missing (CI installs them: .ci/packages), and
# under the sanitizers (DECISIONS: browser tests run in the plain pass). The screenshot is kept as
# tests/serve-screenshot.png in the build tree.
set -eu
: "${PRESSINDEX:?} ${FIXTURES:?} ${TOP_SRCDIR:?}"
PY=${SERVE_PYTHON:-/usr/bin/python3}
for f in /usr/bin/chromium /usr/bin/chromedriver; do
    [ -x "$f" ] || { echo "SKIP: $f not found (apt-get install chromium chromium-driver)"; exit 77; }
done
"$PY" -c 'import selenium' 2>/dev/null || { echo "SKIP: $PY has no selenium (apt-get install python3-selenium)"; exit 77; }
bin=$(dirname "$PRESSINDEX")/.libs/$(basename "$PRESSINDEX")
[ -x "$bin" ] || bin=$PRESSINDEX
if nm "$bin" 2>/dev/null | grep -q __asan_init; then
    echo "SKIP: built with the sanitizers; the browser test runs in the plain build (DECISIONS)"
    exit 77
fi
SERVE_TMP=$(mktemp -d /tmp/pi-browser-XXXXXX)
trap 'rm -rf "$SERVE_TMP"' EXIT
SCREENSHOT=${SCREENSHOT:-$PWD/tests/serve-screenshot.png}
mkdir -p "$(dirname "$SCREENSHOT")"
export PRESSINDEX FIXTURES SERVE_TMP SCREENSHOT PYTHONDONTWRITEBYTECODE=1
HOME=$SERVE_TMP "$PY" "$TOP_SRCDIR/tests/serve_browser.py"
