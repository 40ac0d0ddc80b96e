#!/bin/sh
# Regenerates configure and Makefile.in; these are never committed.
set -e
cd "$(dirname "$0")"
autoreconf --install --force --warnings=all
