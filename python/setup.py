# The compiled part (cffi, API mode, out of line): pressindex_build.py finds pressindex.h and
# libpressindex through pkg-config, or PRESSINDEX_INCLUDE_DIR / PRESSINDEX_LIB_DIR.
from setuptools import setup

setup(packages=["pressindex"], cffi_modules=["pressindex_build.py:ffibuilder"])
