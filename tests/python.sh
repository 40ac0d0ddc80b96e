#!/bin/sh
# The Python binding's pytest suite (python/tests) against the just-built library: the compiled
# module of $PYTHON_BUILD (make check's python/.built) and libpressindex from $LIB_BUILD, never an
# installed one (test_loads_the_build_tree checks it). Skipped (77) when the library carries ASan:
# an instrumented library cannot be loaded into an uninstrumented interpreter (configure already
# turns the binding off under --enable-sanitizers; DECISIONS runs Python tests in the plain pass).
set -eu
: "${PYTHON:?} ${PYTHON_BUILD:?} ${LIB_BUILD:?} ${TOP_SRCDIR:?}"
if nm -D "$LIB_BUILD/libpressindex.so" 2>/dev/null | grep -q __asan_init; then
    echo "libpressindex is built with AddressSanitizer: the Python tests run in the plain build"
    exit 77
fi
PYTHONPATH=$PYTHON_BUILD${PYTHONPATH:+:$PYTHONPATH}
LD_LIBRARY_PATH=$LIB_BUILD${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
PYTHONDONTWRITEBYTECODE=1
export PYTHONPATH LD_LIBRARY_PATH PYTHONDONTWRITEBYTECODE
cd "$PYTHON_BUILD"
exec "$PYTHON" -m pytest -q -p no:cacheprovider -W error::pytest.PytestUnraisableExceptionWarning \
    "$TOP_SRCDIR/python/tests"
