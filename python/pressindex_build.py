"""cffi builder for pressindex._pressindex: API mode, out of line.

The extension is C compiled against pressindex.h, so struct layouts and enum values come from the
header itself (the declarations below only name what the binding uses; "..." lets the compiler fill
in the rest). The header is found, in order:

  PRESSINDEX_INCLUDE_DIR / PRESSINDEX_LIB_DIR   (the in-tree build: make check sets them)
  pkg-config pressindex                          (an installed libpressindex)

Run by setuptools (``pip install ./python``), or directly by make check:
    python3 pressindex_build.py OUTDIR     builds OUTDIR/pressindex/_pressindex*.so
"""
import os
import shlex
import subprocess
import sys

from cffi import FFI

CDEF = r"""
const char *pressindex_version(void);

typedef enum pressindex_status {
    PRESSINDEX_OK, PRESSINDEX_ERR_NOT_FOUND, PRESSINDEX_ERR_LOCKED, PRESSINDEX_ERR_CORRUPT,
    PRESSINDEX_ERR_VERSION, PRESSINDEX_ERR_BAD_QUERY, PRESSINDEX_ERR_DATA,
    PRESSINDEX_ERR_INVALID_ARGUMENT, PRESSINDEX_ERR_MODIFIED, PRESSINDEX_ERR_IO,
    PRESSINDEX_ERR_NO_MEMORY, PRESSINDEX_ERR_INTERNAL, PRESSINDEX_ERR_LIMIT,
    PRESSINDEX_ERR_TIMEOUT, PRESSINDEX_STATUS_LAST, ...
} pressindex_status;
const char *pressindex_status_to_string(pressindex_status status);

typedef struct pressindex_release {
    const char *id; const char *date; const char *title; const char *source; const char *url;
    const char *lang; const char *const *paragraphs; size_t n_paragraphs;
    ...;
} pressindex_release;

typedef struct pressindex pressindex;
typedef struct pressindex_open_options {
    size_t size; int writable; int create; double lock_timeout; const char *lang;
    ...;
} pressindex_open_options;
void pressindex_open_options_init_sized(pressindex_open_options *opts, size_t size);
pressindex_status pressindex_open(const char *path, const pressindex_open_options *opts,
                                  pressindex **out);
const char *pressindex_open_error(void);
const char *pressindex_last_error(const pressindex *idx);
long pressindex_last_error_position(const pressindex *idx);
void pressindex_destroy(pressindex *idx);

pressindex_status pressindex_add_release(pressindex *idx, const pressindex_release *release);
pressindex_status pressindex_delete_release(pressindex *idx, const char *id);
pressindex_status pressindex_commit(pressindex *idx);
pressindex_status pressindex_compact(pressindex *idx);

typedef enum pressindex_format {
    PRESSINDEX_FORMAT_AUTO, PRESSINDEX_FORMAT_TEXT, PRESSINDEX_FORMAT_JSONL, ...
} pressindex_format;
typedef void (*pressindex_problem_fn)(void *user, const char *file, unsigned long line,
                                      const char *message);
typedef void (*pressindex_progress_fn)(void *user, uint64_t releases, uint64_t passages,
                                       uint64_t bytes);
typedef struct pressindex_index_options {
    size_t size; pressindex_format format; pressindex_problem_fn on_problem;
    pressindex_progress_fn on_progress; void *user; const char *id;
    ...;
} pressindex_index_options;
void pressindex_index_options_init_sized(pressindex_index_options *opts, size_t size);
typedef struct pressindex_index_stats {
    uint64_t files; uint64_t releases; uint64_t passages; uint64_t bytes; uint64_t skipped;
    uint64_t problems;
    ...;
} pressindex_index_stats;
typedef struct pressindex_index_summary {
    size_t size; uint64_t files; uint64_t releases; uint64_t added; uint64_t replaced;
    uint64_t passages; uint64_t bytes; uint64_t skipped; uint64_t problems;
    ...;
} pressindex_index_summary;
void pressindex_index_summary_init_sized(pressindex_index_summary *s, size_t size);
pressindex_status pressindex_index_paths(pressindex *idx, const char *const *paths, size_t n,
                                         const pressindex_index_options *opts,
                                         pressindex_index_summary *summary);
pressindex_status pressindex_index_buffer(pressindex *idx, const char *data, size_t len,
                                          const char *name, const pressindex_index_options *opts,
                                          pressindex_index_stats *stats);

typedef enum pressindex_sort { PRESSINDEX_SORT_RELEVANCE, PRESSINDEX_SORT_DATE, ... } pressindex_sort;
typedef struct pressindex_search_options {
    size_t size; const char *query; const char *since; const char *until; const char *source;
    const char *lang; pressindex_sort sort; size_t offset; size_t limit; int by_release;
    int collapse; size_t context;
    double release_weight; double adjacency_weight; double title_weight; double boilerplate_weight;
    double neighbour_weight; double bm25_k1; double bm25_b; size_t rerank_depth;
    double question_weight;
    size_t max_query_bytes; size_t max_query_terms; size_t max_wildcard_expansion;
    double time_limit;
    int exact; int facets; int all_words; uint64_t after_sequence; int sample_total;
    ...;
} pressindex_search_options;
void pressindex_search_options_init_sized(pressindex_search_options *opts, size_t size);
#define PRESSINDEX_MAX_CONTEXT ...
#define PRESSINDEX_MAX_LIMIT ...

typedef struct pressindex_results pressindex_results;
pressindex_status pressindex_search(pressindex *idx, const pressindex_search_options *opts,
                                    pressindex_results **out);
size_t pressindex_results_count(const pressindex_results *res);
uint64_t pressindex_results_estimated(const pressindex_results *res);
uint64_t pressindex_results_total(const pressindex_results *res, int *exact);
typedef enum pressindex_facet { PRESSINDEX_FACET_SOURCE, PRESSINDEX_FACET_MONTH, PRESSINDEX_FACET_YEAR, ... } pressindex_facet;
size_t pressindex_results_facet_count(const pressindex_results *res, pressindex_facet facet);
const char *pressindex_results_facet_value(const pressindex_results *res, pressindex_facet facet,
                                           size_t i, uint64_t *count);
int pressindex_results_facets_exact(const pressindex_results *res);
uint64_t pressindex_results_sequence(const pressindex_results *res);
const char *pressindex_results_suggestion(const pressindex_results *res);
const char *pressindex_result_context(const pressindex_results *res, size_t i, long d,
                                      unsigned *paragraph);
void pressindex_results_destroy(pressindex_results *res);
pressindex_status pressindex_get_release(pressindex *idx, const char *id, pressindex_results **out);

typedef struct pressindex_stats {
    uint64_t releases; uint64_t passages; char date_min[11]; char date_max[11];
    ...;
} pressindex_stats;
typedef void (*pressindex_source_fn)(void *user, const char *source, uint64_t passages);
pressindex_status pressindex_get_sources(pressindex *idx, pressindex_source_fn fn, void *user);
pressindex_status pressindex_get_stats(pressindex *idx, pressindex_stats *stats);
typedef struct pressindex_check_stats {
    uint64_t releases; uint64_t passages; uint64_t files; uint64_t problems;
    ...;
} pressindex_check_stats;
pressindex_status pressindex_check(pressindex *idx, pressindex_problem_fn on_problem, void *user,
                                   pressindex_check_stats *stats);

typedef enum pressindex_change {
    PRESSINDEX_CHANGE_ADDED, PRESSINDEX_CHANGE_CHANGED, PRESSINDEX_CHANGE_DELETED, ...
} pressindex_change;
typedef void (*pressindex_change_fn)(void *user, pressindex_change kind, const char *id,
                                     const char *file);
typedef struct pressindex_reindex_options {
    size_t size; int dry_run; int allow_deletions; pressindex_problem_fn on_problem;
    pressindex_change_fn on_change; void *user;
    ...;
} pressindex_reindex_options;
void pressindex_reindex_options_init_sized(pressindex_reindex_options *opts, size_t size);
typedef struct pressindex_reindex_stats {
    uint64_t added; uint64_t changed; uint64_t deleted; uint64_t unchanged; uint64_t skipped;
    uint64_t problems; uint64_t files; uint64_t files_read; uint64_t refused; double seconds;
    ...;
} pressindex_reindex_stats;
pressindex_status pressindex_reindex(pressindex *idx, const char *const *folders, size_t n,
                                     const pressindex_reindex_options *opts,
                                     pressindex_reindex_stats *stats);

/* The binding's own helpers (below): a whole result list read in two calls, not fourteen per
 * result (each cffi call, and each field read from a C struct, costs more than the copy). */
size_t pi_py_pack_size(const pressindex_results *res, size_t n, size_t *n_offsets);
void pi_py_pack(const pressindex_results *res, size_t n, char *buf, double *scores, size_t *nums,
                size_t *code_points);

extern "Python" void _pi_problem_cb(void *, const char *, unsigned long, const char *);
extern "Python" void _pi_progress_cb(void *, uint64_t, uint64_t, uint64_t);
extern "Python" void _pi_source_cb(void *, const char *, uint64_t);
extern "Python" void _pi_change_cb(void *, pressindex_change, const char *, const char *);
"""

SOURCE = r"""
#include <string.h>
#include <pressindex.h>

#define PI_PY_FIELDS 7

static const char *pi_py_field(const pressindex_results *res, size_t i, int f)
{
    switch (f) {
    case 0: return pressindex_result_text(res, i);
    case 1: return pressindex_result_release(res, i);
    case 2: return pressindex_result_date(res, i);
    case 3: return pressindex_result_title(res, i);
    case 4: return pressindex_result_source(res, i);
    case 5: return pressindex_result_url(res, i);
    default: return pressindex_result_lang(res, i);
    }
}

/* Bytes pi_py_pack() needs for results 0..n-1 (each string and its NUL), and in *n_offsets the
 * number of highlight offsets of them all. */
static size_t pi_py_pack_size(const pressindex_results *res, size_t n, size_t *n_offsets)
{
    size_t total = 0, offs = 0;
    for (size_t i = 0; i < n; i++) {
        for (int f = 0; f < PI_PY_FIELDS; f++)
            total += strlen(pi_py_field(res, i, f)) + 1;
        const size_t *o;
        size_t k;
        pressindex_result_highlights(res, i, &o, &k);
        offs += 2 * k;
    }
    *n_offsets = offs;
    return total;
}

/* Results 0..n-1 into caller-allocated arrays: buf, each result's text, release, date, title,
 * source, url and lang, each ended by a NUL (Python splits them in one go); scores[i]; nums[4i..]:
 * paragraph, rank, collapsed, number of highlights; code_points: the highlight offsets of each
 * result one after the other, as code-point offsets into its text (Python's str indexes code
 * points, the library gives UTF-8 byte offsets; a code point is a byte that is not 10xxxxxx). */
static void pi_py_pack(const pressindex_results *res, size_t n, char *buf, double *scores,
                       size_t *nums, size_t *code_points)
{
    for (size_t i = 0; i < n; i++) {
        for (int f = 0; f < PI_PY_FIELDS; f++) {
            const char *s = pi_py_field(res, i, f);
            size_t len = strlen(s) + 1;
            memcpy(buf, s, len);
            buf += len;
        }
        scores[i] = pressindex_result_score(res, i);
        const size_t *o;
        size_t k;
        pressindex_result_highlights(res, i, &o, &k);
        nums[4 * i] = pressindex_result_paragraph(res, i);
        nums[4 * i + 1] = pressindex_result_rank(res, i);
        nums[4 * i + 2] = (size_t)pressindex_result_collapsed(res, i);
        nums[4 * i + 3] = k;
        const unsigned char *t = (const unsigned char *)pressindex_result_text(res, i);
        size_t byte = 0, cp = 0;
        for (size_t j = 0; j < 2 * k; j++) {
            if (o[j] < byte)
                byte = cp = 0; /* not ascending: count again from the start */
            for (; byte < o[j] && t[byte]; byte++)
                cp += (t[byte] & 0xC0) != 0x80;
            *code_points++ = cp;
        }
    }
}
"""


def _pkg_config(*args):
    try:
        out = subprocess.run(["pkg-config", *args, "pressindex"], check=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return shlex.split(out)


def _locations():
    """include_dirs, library_dirs, runtime_library_dirs for the extension."""
    inc = os.environ.get("PRESSINDEX_INCLUDE_DIR")
    lib = os.environ.get("PRESSINDEX_LIB_DIR")
    if inc or lib:
        # In-tree: no rpath, make check's LD_LIBRARY_PATH picks the just-built library.
        return [inc] if inc else [], [lib] if lib else [], []
    cflags = _pkg_config("--cflags")
    libs = _pkg_config("--libs-only-L")
    if cflags is None or libs is None:
        raise SystemExit(
            "pressindex: libpressindex not found by pkg-config (pkg-config --cflags pressindex).\n"
            "Install it first (./configure && make && make install, then ldconfig), set\n"
            "PKG_CONFIG_PATH to its lib/pkgconfig, or set PRESSINDEX_INCLUDE_DIR and PRESSINDEX_LIB_DIR.")
    incs = [f[2:] for f in cflags if f.startswith("-I")]
    libdirs = [f[2:] for f in libs if f.startswith("-L")]
    # A prefix outside the loader's default path (/usr/local is in it once ldconfig has run, a
    # temporary prefix is not): record it as the extension's rpath so that it loads all the same.
    system = ("/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/lib/x86_64-linux-gnu")
    rpath = [d for d in libdirs if d.rstrip("/") not in system]
    return incs, libdirs, rpath


def make_ffibuilder():
    incs, libdirs, rpath = _locations()
    ffibuilder = FFI()
    ffibuilder.cdef(CDEF)
    ffibuilder.set_source("pressindex._pressindex", SOURCE, libraries=["pressindex"],
                          include_dirs=incs, library_dirs=libdirs,
                          runtime_library_dirs=rpath)
    return ffibuilder


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: pressindex_build.py OUTDIR")
    make_ffibuilder().compile(tmpdir=sys.argv[1], verbose=False)
else:
    ffibuilder = make_ffibuilder()
