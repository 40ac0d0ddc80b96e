/*
 * pressindex.h - the public API of libpressindex, a full-text search engine for press releases.
 *
 * This is the only installed header; it is the documentation of the API.
 *
 * Model
 *   An *index* is a directory that pressindex owns. A *release* is a press release: an id, optional
 *   metadata (date, title, source, url, language) and its paragraphs. Every paragraph is a *passage*:
 *   the unit that search ranks and returns.
 *
 * Ownership and lifetime
 *   Handles are opaque. Every pressindex_*_open/_search/... that hands back a handle is paired with a
 *   pressindex_*_destroy. Strings returned by accessors belong to the handle they came from and stay
 *   valid until that handle is destroyed (or, for pressindex_last_error(), until the next call on the
 *   same handle). Strings passed in are copied when needed; the caller keeps ownership.
 *
 * Errors
 *   Every fallible function returns a pressindex_status; PRESSINDEX_OK (0) is success. A readable
 *   message for the last failure on an index handle is pressindex_last_error(). No C++ exception,
 *   abort() or exit() ever reaches the caller; running out of memory is PRESSINDEX_ERR_NO_MEMORY
 *   (and a writer's changes since its last commit are then discarded: pressindex(3)).
 *
 * Threads
 *   A handle (index or results) is used by one thread at a time. Any number of read-only index handles
 *   may be used in parallel, in any threads or processes; one writable handle per index at a time (the
 *   writer lock enforces it across processes). Readers never block and are never blocked by the writer:
 *   they see the last committed state.
 */
#ifndef PRESSINDEX_H
#define PRESSINDEX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PRESSINDEX_VERSION_MAJOR 0
#define PRESSINDEX_VERSION_MINOR 1
#define PRESSINDEX_VERSION_PATCH 0
#define PRESSINDEX_VERSION_STRING "0.1.0"

/* The version of the library actually linked (may differ from the header's macros). Static string. */
const char *pressindex_version(void);

/* ---------------------------------------------------------------------------------------------- */
/* Status codes. Values are stable: new codes are only ever added before PRESSINDEX_STATUS_LAST.    */

typedef enum pressindex_status {
    PRESSINDEX_OK = 0,
    PRESSINDEX_ERR_NOT_FOUND,        /* the index or an input path does not exist or cannot be opened */
    PRESSINDEX_ERR_LOCKED,           /* another writer holds the index lock (after the lock timeout) */
    PRESSINDEX_ERR_CORRUPT,          /* the index is damaged */
    PRESSINDEX_ERR_VERSION,          /* the index was written by another (older or newer) schema */
    PRESSINDEX_ERR_BAD_QUERY,        /* the query is malformed; the message says where */
    PRESSINDEX_ERR_DATA,             /* input data had problems: something was skipped or salvaged */
    PRESSINDEX_ERR_INVALID_ARGUMENT, /* a NULL or out-of-range argument, or a read-only handle written */
    PRESSINDEX_ERR_MODIFIED,         /* the index changed under a reader too often to answer */
    PRESSINDEX_ERR_IO,               /* reading or writing files failed */
    PRESSINDEX_ERR_NO_MEMORY,        /* an allocation failed */
    PRESSINDEX_ERR_INTERNAL,         /* anything else (a bug: please report the message) */
    PRESSINDEX_ERR_LIMIT,            /* a query past its size limits (bytes, terms, wildcard words) */
    PRESSINDEX_ERR_TIMEOUT,          /* a search past its time limit: try a narrower query later */
    PRESSINDEX_STATUS_LAST
} pressindex_status;

/* A short English description of a status. Static string; never NULL (unknown values included). */
const char *pressindex_status_to_string(pressindex_status status);

/* ---------------------------------------------------------------------------------------------- */
/* Releases                                                                                        */

/* A press release in memory, as the caller hands it to pressindex_add_release(). Plain struct: the
 * caller owns every string. Strings are UTF-8 and NUL-terminated; optional ones may be NULL or "". */
typedef struct pressindex_release {
    const char *id;                /* required, unique: adding an existing id replaces that release */
    const char *date;              /* "YYYY-MM-DD" or NULL for an undated release */
    const char *title;
    const char *source;            /* the publisher, e.g. "Akorda" */
    const char *url;
    const char *lang;              /* any ISO 639-1 code ("en", "en-US", "zh": stemmed where Xapian
                                      can, else unstemmed), a stemmer name, or "none"; NULL = index
                                      default; anything else is repaired (see add_release) */
    const char *const *paragraphs; /* n_paragraphs strings; each non-empty one becomes a passage */
    size_t n_paragraphs;
} pressindex_release;

/* ---------------------------------------------------------------------------------------------- */
/* Opening an index                                                                                */

typedef struct pressindex pressindex;

typedef struct pressindex_open_options {
    size_t size;         /* set by _init(): the struct's size as this program was compiled */
    int writable;        /* 0: read-only (default); 1: take the writer lock */
    int create;          /* with writable: create the index if it does not exist */
    double lock_timeout; /* seconds a writer waits for the lock before PRESSINDEX_ERR_LOCKED (default 30) */
    const char *lang;    /* default stemming language of releases without one (default "en") */
} pressindex_open_options;

/* Options structs grow at the end (doc/compatibility.md): each _init() macro fills *opts with the
 * defaults and records in opts->size the size this program was compiled with, so that a newer
 * library reads only the fields the program knows and takes the defaults for the rest. Always call
 * it first; a struct whose size is not set is refused with PRESSINDEX_ERR_INVALID_ARGUMENT. The
 * _sized() functions are what the macros call (for bindings: pass the struct's size). */
void pressindex_open_options_init_sized(pressindex_open_options *opts, size_t size);
#define pressindex_open_options_init(opts) pressindex_open_options_init_sized((opts), sizeof *(opts))

/* Opens the index directory at path (opts may be NULL for read-only defaults).
 * On success *out is a new handle the caller destroys with pressindex_destroy().
 * On failure *out is NULL and, if details are wanted, pressindex_open_error() gives the message.
 * Returns PRESSINDEX_OK, _ERR_NOT_FOUND (no index there and not creating), _ERR_LOCKED, _ERR_CORRUPT,
 * _ERR_VERSION, _ERR_IO, _ERR_NO_MEMORY, _ERR_INVALID_ARGUMENT, _ERR_INTERNAL. */
pressindex_status pressindex_open(const char *path, const pressindex_open_options *opts,
                                  pressindex **out);

/* The message of the last pressindex_open() failure in this thread ("" if none). Thread-local. */
const char *pressindex_open_error(void);

/* The message of the last failure on this handle ("" if none). Valid until the next call on it. */
const char *pressindex_last_error(const pressindex *idx);

/* After PRESSINDEX_ERR_BAD_QUERY from pressindex_search() on this handle: the 0-based byte offset in
 * the query where it is malformed (the message says "malformed query at character N", N counting
 * characters from 1). -1 after any other outcome of a search, after any other failure on the
 * handle, and for a malformed query whose fault has no place in the query text (a bad since or
 * until option, or NULL idx). */
long pressindex_last_error_position(const pressindex *idx);

/* Closes the index. A writer's uncommitted changes are discarded (commit first to keep them) and
 * the writer lock is released. NULL is ignored. */
void pressindex_destroy(pressindex *idx);

/* ---------------------------------------------------------------------------------------------- */
/* Writing                                                                                         */

/* Adds a release, replacing every passage of a release with the same id. Not visible to searches
 * until pressindex_commit(). The release is validated and repaired as the file readers repair
 * theirs (pressindex(3), INPUT REPAIRS): invalid UTF-8 in any string becomes U+FFFD, an unknown
 * language the index default, an impossible date none. Then the release *is* added and the call
 * returns PRESSINDEX_ERR_DATA, the message naming each repair in the readers' words.
 * Returns PRESSINDEX_OK, _ERR_DATA, _ERR_INVALID_ARGUMENT (no id, read-only handle), _ERR_IO,
 * _ERR_CORRUPT, _ERR_NO_MEMORY, _ERR_INTERNAL. */
pressindex_status pressindex_add_release(pressindex *idx, const pressindex_release *release);

/* Deletes the release with this id and all its passages. Deleting an unknown id is not an error.
 * Returns PRESSINDEX_OK, _ERR_INVALID_ARGUMENT, _ERR_IO, _ERR_CORRUPT, _ERR_NO_MEMORY, _ERR_INTERNAL. */
pressindex_status pressindex_delete_release(pressindex *idx, const char *id);

/* Makes every change since the last commit durable and visible, atomically: a crash at any moment
 * leaves the index as of the last successful commit. Writers also commit on their own in batches
 * while indexing large inputs. Returns PRESSINDEX_OK, _ERR_INVALID_ARGUMENT, _ERR_IO,
 * _ERR_NO_MEMORY, _ERR_INTERNAL. */
pressindex_status pressindex_commit(pressindex *idx);

/* Rewrites the index's database compactly (smaller, faster to search) and swaps it in atomically;
 * searches go on meanwhile and see the new database on their next search. Commits pending changes
 * first. Takes about as long as reading the whole index once. Returns PRESSINDEX_OK,
 * _ERR_INVALID_ARGUMENT (read-only handle), _ERR_IO, _ERR_CORRUPT, _ERR_NO_MEMORY, _ERR_INTERNAL. */
pressindex_status pressindex_compact(pressindex *idx);

/* Input formats for pressindex_index_path(). */
typedef enum pressindex_format {
    PRESSINDEX_FORMAT_AUTO = 0, /* from the file name and content */
    PRESSINDEX_FORMAT_TEXT,     /* optional header (date/title/source/url/lang), blank-line paragraphs */
    PRESSINDEX_FORMAT_JSONL     /* one JSON object per line: id, date, title, source, url, lang, paragraphs */
} pressindex_format;

/* Called for each problem found in the input: file (never NULL), line (0 when not applicable), and a
 * one-line message. The run goes on after it. */
typedef void (*pressindex_problem_fn)(void *user, const char *file, unsigned long line,
                                      const char *message);

/* Called now and then while indexing, with counts so far. */
typedef void (*pressindex_progress_fn)(void *user, uint64_t releases, uint64_t passages,
                                       uint64_t bytes);

typedef struct pressindex_index_options {
    size_t size;         /* set by _init(): the struct's size as this program was compiled */
    pressindex_format format;        /* default PRESSINDEX_FORMAT_AUTO; another value is
                                        PRESSINDEX_ERR_INVALID_ARGUMENT */
    pressindex_problem_fn on_problem; /* may be NULL */
    pressindex_progress_fn on_progress; /* may be NULL */
    void *user;                      /* passed to the callbacks */
    const char *id;                  /* the id of a text release read from standard input ("-");
                                        NULL (default): "stdin-" and 16 hex digits of a hash of its
                                        bytes, so that two different texts never share an id */
} pressindex_index_options;

void pressindex_index_options_init_sized(pressindex_index_options *opts, size_t size);
#define pressindex_index_options_init(opts) pressindex_index_options_init_sized((opts), sizeof *(opts))

typedef struct pressindex_index_stats {
    uint64_t files;     /* input files read */
    uint64_t releases;  /* releases added or replaced (a revision in its own JSON Lines file counts
                           once; pressindex_index_summary tells added from replaced) */
    uint64_t passages;  /* passages indexed */
    uint64_t bytes;     /* bytes of paragraph text indexed */
    uint64_t skipped;   /* releases or files skipped because unreadable or malformed */
    uint64_t problems;  /* problems reported (skipped, and salvaged ones such as bad UTF-8) */
} pressindex_index_stats;

/*
 * Ids. A JSON Lines release's id is its "id". A text file's id is the name of the folder argument it
 * was found under (its last path component once "." and ".." are resolved as text, never through a
 * symbolic link; "" for "/"), a slash, and its path under that folder: "akorda/2025/r-001.txt" for
 * the folder /srv/press/akorda, however it was spelt. A text file given directly: its file name.
 * Standard input's text: opts->id, else "stdin-" and 16 hex digits of a hash of its bytes.
 *
 * Within one run (one call), no release replaces another silently: a later line of the same JSON
 * Lines file with an earlier line's id is a revision (the last line wins, counted once); the same
 * id from another input of the run (another file, or another path) is a data problem: the first is
 * kept, the other skipped, and one problem names both places. Across runs an id replaces its
 * release: that is how updates arrive (counted as replaced).
 */

/* Indexes a file or a folder (recursively, in byte order of names; hidden files and transfer
 * leftovers ignored), or standard input for "-", as pressindex_index_paths() does one path.
 * stats may be NULL. Returns PRESSINDEX_OK; _ERR_DATA when any input was skipped or salvaged (all
 * good releases are indexed all the same); _ERR_NOT_FOUND when path does not exist; _ERR_IO,
 * _ERR_NO_MEMORY, _ERR_INVALID_ARGUMENT, _ERR_INTERNAL. */
pressindex_status pressindex_index_path(pressindex *idx, const char *path,
                                        const pressindex_index_options *opts,
                                        pressindex_index_stats *stats);

/* What a run of pressindex_index_paths() did. It grows at the end like the options structs
 * (doc/compatibility.md): fill it with its _init() macro first; the library writes
 * only the fields the program was compiled with. */
typedef struct pressindex_index_summary {
    size_t size;        /* set by _init(): the struct's size as this program was compiled */
    uint64_t files;     /* input files read */
    uint64_t releases;  /* added + replaced: what the run holds, each id once */
    uint64_t added;     /* releases whose id the index did not hold */
    uint64_t replaced;  /* releases whose id the index held before the run: replaced */
    uint64_t passages;  /* passages indexed (a revision's count replaces its earlier one's) */
    uint64_t bytes;     /* bytes of paragraph text read */
    uint64_t skipped;   /* releases or files skipped: unreadable, malformed, or an id clash */
    uint64_t problems;  /* problems reported (skipped, and salvaged ones such as bad UTF-8) */
} pressindex_index_summary;

void pressindex_index_summary_init_sized(pressindex_index_summary *s, size_t size);
#define pressindex_index_summary_init(s) pressindex_index_summary_init_sized((s), sizeof *(s))

/* Indexes the n paths as one run (the ids and clashes described above span all of them). Two
 * folder arguments whose names are the same (x/akorda and y/akorda) would give their files the same
 * ids: refused before anything is read, PRESSINDEX_ERR_INVALID_ARGUMENT (the same path twice is
 * read once). A path that does not exist is reported through on_problem and the others are
 * indexed. Commits in batches and at the end. summary may be NULL. Returns PRESSINDEX_OK; _ERR_DATA
 * when any input was skipped, salvaged, or clashed (all good releases are indexed all the same);
 * _ERR_NOT_FOUND when a path does not exist (before _ERR_DATA: the others are indexed); _ERR_IO,
 * _ERR_NO_MEMORY, _ERR_INVALID_ARGUMENT, _ERR_INTERNAL. */
pressindex_status pressindex_index_paths(pressindex *idx, const char *const *paths, size_t n,
                                         const pressindex_index_options *opts,
                                         pressindex_index_summary *summary);

/* Indexes releases held in memory: data[0..len) in the text or JSON Lines format (not gzip), with
 * name standing for the file name in problem messages and as a text release's id (JSON Lines: a
 * repeated id is a revision, as in a file). Commits at the end. stats may be NULL. Returns PRESSINDEX_OK; _ERR_DATA when anything was skipped or repaired
 * (all good releases are indexed); _ERR_INVALID_ARGUMENT, _ERR_IO, _ERR_NO_MEMORY, _ERR_INTERNAL. */
pressindex_status pressindex_index_buffer(pressindex *idx, const char *data, size_t len,
                                          const char *name, const pressindex_index_options *opts,
                                          pressindex_index_stats *stats);

/* ---------------------------------------------------------------------------------------------- */
/* Searching                                                                                       */

typedef enum pressindex_sort {
    PRESSINDEX_SORT_RELEVANCE = 0,
    PRESSINDEX_SORT_DATE          /* newest first, then relevance */
} pressindex_sort;

typedef struct pressindex_search_options {
    size_t size;         /* set by _init(): the struct's size as this program was compiled */
    const char *query;   /* the query text (see pressindex(1) for the language); required */
    const char *since;   /* "YYYY", "YYYY-MM" or "YYYY-MM-DD": only passages dated on or after; NULL */
    const char *until;   /* same, on or before (a month or year means its last day); NULL */
    const char *source;  /* only releases from this source (case and diacritics ignored); NULL */
    const char *lang;    /* stemming language of the query, as a release's lang; NULL = the
                            index default; an unknown one is PRESSINDEX_ERR_INVALID_ARGUMENT */
    pressindex_sort sort;   /* another value is PRESSINDEX_ERR_INVALID_ARGUMENT */
    size_t offset;       /* results to skip (paging) */
    size_t limit;        /* results to return (default 10) */
    int by_release;      /* 1: only the best passage of each release */
    int collapse;        /* 1 (default): identical paragraphs collapse into one, with a count */
    size_t context;      /* fetch this many paragraphs before and after each result (default 0) */
    /* Ranking (doc/ranking.md has the measurements behind the defaults). */
    double release_weight;   /* weight of the release's evidence in a passage's score; 0 = the
                                paragraph alone (default PRESSINDEX_DEFAULT_RELEASE_WEIGHT) */
    double adjacency_weight; /* boost of the query words side by side and in order, for plain-word
                                queries: no phrases, operators, +/-, wildcards (default 0: off) */
    double title_weight;     /* weight of query words found in the release's title */
    double boilerplate_weight; /* factor applied to the score of boilerplate paragraphs (text found
                                  in many releases); 1 = no demotion */
    double neighbour_weight; /* weight of the query's words that a paragraph lacks and the
                                paragraph just before it holds (their IDF share): a paragraph that
                                follows up on a matching one ("The two presidents held brief
                                conversation at the airport.") or answers a reporter's question */
    double bm25_k1, bm25_b;  /* BM25's term-frequency saturation and length normalisation
                                (defaults PRESSINDEX_DEFAULT_BM25_K1 / _B) */
    size_t rerank_depth; /* how many best passages the release evidence, adjacency and boilerplate
                            are judged over (default PRESSINDEX_DEFAULT_RERANK_DEPTH; deeper is
                            slower); the passages after them keep Xapian's order, whatever the
                            offset and limit, so that pages continue each other */
    double question_weight; /* factor applied to the score of a reporter's question in a briefing
                               transcript (a paragraph starting "Q "): it names the subject, the
                               answer after it is what a search is for; 1 = no demotion */
    /* Bounds (a search is refused at once past them, PRESSINDEX_ERR_LIMIT; 0 = no bound): */
    size_t max_query_bytes;  /* the query's length (default PRESSINDEX_DEFAULT_MAX_QUERY_BYTES) */
    size_t max_query_terms;  /* words searched: excluded ones and phrases' words count, stopwords
                                left out do not (default PRESSINDEX_DEFAULT_MAX_QUERY_TERMS) */
    size_t max_wildcard_expansion; /* index words one wildcard may stand for
                                      (default PRESSINDEX_DEFAULT_MAX_WILDCARD_EXPANSION) */
    double time_limit;       /* seconds a search may take, checked between its steps (Xapian's own
                                match cannot be stopped: the bounds above keep it short); past it,
                                PRESSINDEX_ERR_TIMEOUT and no results. 0 (default): no limit */
    /* Added in round 2 (defaults 0): */
    int exact;               /* 1: count every matching passage, so that pressindex_results_total()
                                is exact (slower on common words: every matching release's
                                paragraphs are checked) */
    int facets;              /* 1: also count the matching passages by source, month and year
                                (pressindex_results_facet_count()); exact when exact is set or few
                                releases match, else estimated from an even sample of them */
    int all_words;           /* 1: every word outside OR groups and exclusions must be in the
                                passage (stopwords left out of the query stay left out) */
    uint64_t after_sequence; /* only passages of releases written after this index sequence number
                                (saved searches: see pressindex_results_sequence()); 0 = all */
    int sample_total;        /* 1: estimate the total from an even sample of the matching releases
                                besides those the page read (within 10% on whitehouse: doc/ranking.md
                                "Totals"; about 1.5x a default search's work). 0 (default): from the
                                releases the page read alone, at no extra cost but rougher (the
                                best releases hold the most matches: it can be off several times on
                                common words). Exact either way when the page read every matching
                                release; what a program shows to a reader should ask for 1 */
} pressindex_search_options;

void pressindex_search_options_init_sized(pressindex_search_options *opts, size_t size);
#define pressindex_search_options_init(opts) pressindex_search_options_init_sized((opts), sizeof *(opts))

#define PRESSINDEX_DEFAULT_RELEASE_WEIGHT 0.3
#define PRESSINDEX_MAX_CONTEXT 100      /* larger context: PRESSINDEX_ERR_INVALID_ARGUMENT */
#define PRESSINDEX_MAX_LIMIT 100000000  /* larger limit or offset: PRESSINDEX_ERR_INVALID_ARGUMENT */
#define PRESSINDEX_DEFAULT_RERANK_DEPTH 20
#define PRESSINDEX_DEFAULT_BM25_K1 1.0
#define PRESSINDEX_DEFAULT_BM25_B 0.5
#define PRESSINDEX_DEFAULT_MAX_QUERY_BYTES 16384
#define PRESSINDEX_DEFAULT_MAX_QUERY_TERMS 256
#define PRESSINDEX_DEFAULT_MAX_WILDCARD_EXPANSION 1024

typedef struct pressindex_results pressindex_results;

/* Runs a search. On success *out holds the results (possibly none), to destroy with
 * pressindex_results_destroy(). Returns PRESSINDEX_OK, _ERR_BAD_QUERY (message gives the position),
 * _ERR_LIMIT (the query is past a bound of the options), _ERR_TIMEOUT (past time_limit),
 * _ERR_INVALID_ARGUMENT, _ERR_MODIFIED (only past time_limit, or after a minute of commits landing
 * during every attempt), _ERR_CORRUPT, _ERR_IO, _ERR_NO_MEMORY, _ERR_INTERNAL. Messages quote at
 * most the first 80 characters of the query. */
pressindex_status pressindex_search(pressindex *idx, const pressindex_search_options *opts,
                                    pressindex_results **out);

/* Number of results held (at most the limit). */
size_t pressindex_results_count(const pressindex_results *res);
/* Number of matching passages in the whole index (before paging), as pressindex_results_total()
 * without the flag. */
uint64_t pressindex_results_estimated(const pressindex_results *res);

/* Number of matching passages in the whole index (before paging; every passage counts, also those
 * collapsed into a result: the results' 1 + collapsed counts add up to it over all pages). *exact
 * (if not NULL) is set to 1 when the figure is an exact count, 0 when it is an estimate: with the
 * option sample_total, within 10% of the exact figure on whitehouse-size archives (doc/ranking.md
 * "Totals") and the same figure on every page of the same search, except that a page which reads
 * to the end of the match counts exactly; without it, a rough figure from the releases the page
 * read (it can change from page to page). */
uint64_t pressindex_results_total(const pressindex_results *res, int *exact);

typedef enum pressindex_facet {
    PRESSINDEX_FACET_SOURCE = 0,   /* the release's source ("" when it has none) */
    PRESSINDEX_FACET_MONTH,        /* "YYYY-MM" of the release's date ("" when undated) */
    PRESSINDEX_FACET_YEAR          /* "YYYY" ("" when undated) */
} pressindex_facet;

/* Number of values of a facet: 0 when the search did not ask for facets (or nothing matched);
 * an unknown facet gives 0. Each facet's counts add up to pressindex_results_total(). */
size_t pressindex_results_facet_count(const pressindex_results *res, pressindex_facet facet);
/* Value i of a facet and, in *count (if not NULL), its number of matching passages. Sources in
 * decreasing count (ties by name); months and years in time order, undated last. NULL when i is
 * out of range. Owned by res. */
const char *pressindex_results_facet_value(const pressindex_results *res, pressindex_facet facet,
                                           size_t i, uint64_t *count);
/* 1 when the facets' counts are exact; 0 when they are estimates (scaled from the passages of an
 * even sample of the matching releases) or were not asked for. */
int pressindex_results_facets_exact(const pressindex_results *res);
/* The index's sequence number when the search ran (the highest release sequence in the index):
 * a saved search stores it and passes it later as after_sequence. */
uint64_t pressindex_results_sequence(const pressindex_results *res);

/* Saved searches (pressindex watch): one JSON object kept in the index directory (watches.json),
 * which compaction and rebuilds keep. The library checks only that it is a JSON object; the
 * command's shape is in pressindex(1).
 * pressindex_watches_read(): *json is the document (malloc()ed: free() it), or NULL when there is
 * none. Returns PRESSINDEX_OK, _ERR_CORRUPT (not a JSON object: the message says where),
 * _ERR_IO, _ERR_NO_MEMORY, _ERR_INVALID_ARGUMENT.
 * pressindex_watches_write(): replaces the document atomically (the old one or the new one, never
 * a mixture, also after a crash); needs a writable handle (the writer lock). Returns
 * PRESSINDEX_OK, _ERR_INVALID_ARGUMENT (read-only handle, not a JSON object), _ERR_LIMIT (over
 * 16 MiB), _ERR_IO, _ERR_NO_MEMORY. */
pressindex_status pressindex_watches_read(pressindex *idx, char **json);
pressindex_status pressindex_watches_write(pressindex *idx, const char *json);

/* "Did you mean": the query with its likely typos replaced by the closest words of the index,
 * written as they were typed ("Presdient" -> "President", "presdient" -> "president"); else "".
 * A word is corrected when the search found fewer than 3 passages and the index does not know it,
 * or (whatever the search found) when a word within one edit of it (two for an unknown word) and
 * with the same first two letters is in at least 20 times as many releases ("Kamala Haris" ->
 * "Kamala Harris" though Haris matches).
 * Excluded words, and words found in another of the index's languages, are never corrected.
 * Owned by res. */
const char *pressindex_results_suggestion(const pressindex_results *res);

/* Accessors for result i (0 <= i < count). Strings are owned by res; "" when absent. */
const char *pressindex_result_text(const pressindex_results *res, size_t i);    /* original paragraph */
const char *pressindex_result_release(const pressindex_results *res, size_t i); /* release id */
unsigned pressindex_result_paragraph(const pressindex_results *res, size_t i);  /* from 1 */
const char *pressindex_result_date(const pressindex_results *res, size_t i);    /* "YYYY-MM-DD" or "" */
const char *pressindex_result_title(const pressindex_results *res, size_t i);
const char *pressindex_result_source(const pressindex_results *res, size_t i);
const char *pressindex_result_url(const pressindex_results *res, size_t i);
const char *pressindex_result_lang(const pressindex_results *res, size_t i);
double pressindex_result_score(const pressindex_results *res, size_t i);
/* 1-based rank over the whole result list (offset included). */
size_t pressindex_result_rank(const pressindex_results *res, size_t i);
/* How many other passages were collapsed into this one (0 if none): with the same text, or with
 * by_release the release's other matching passages. Xapian's estimate from the passages it
 * examined: a longer result list can show a larger count. */
uint64_t pressindex_result_collapsed(const pressindex_results *res, size_t i);
/* The matched words of the text as [start, end) byte offsets: *offsets holds 2 * *n values. */
void pressindex_result_highlights(const pressindex_results *res, size_t i, const size_t **offsets,
                                  size_t *n);

/* The paragraph at distance d (-context..context, not 0) from result i in its release, when the
 * search asked for context: its text, and its number in *paragraph. NULL when there is none (the
 * release starts or ends first). Owned by res. */
const char *pressindex_result_context(const pressindex_results *res, size_t i, long d,
                                      unsigned *paragraph);

void pressindex_results_destroy(pressindex_results *res);

/* Every passage of the release with this id, in paragraph order, as results (score 0, no
 * highlights), with the release's metadata. Returns PRESSINDEX_OK, _ERR_NOT_FOUND (no such
 * release), _ERR_INVALID_ARGUMENT, _ERR_MODIFIED, _ERR_CORRUPT, _ERR_IO, _ERR_NO_MEMORY. */
pressindex_status pressindex_get_release(pressindex *idx, const char *id, pressindex_results **out);

/* ---------------------------------------------------------------------------------------------- */
/* Statistics                                                                                      */

typedef struct pressindex_stats {
    uint64_t releases;
    uint64_t passages;
    char date_min[11]; /* "YYYY-MM-DD", or "" when nothing is dated */
    char date_max[11];
} pressindex_stats;

/* Called once per source (publisher) in the index, in order of its folded name: the name as first
 * written and the number of passages from it. */
typedef void (*pressindex_source_fn)(void *user, const char *source, uint64_t passages);

/* Lists the sources. Returns PRESSINDEX_OK, _ERR_INVALID_ARGUMENT, _ERR_MODIFIED, _ERR_CORRUPT,
 * _ERR_IO, _ERR_INTERNAL. */
pressindex_status pressindex_get_sources(pressindex *idx, pressindex_source_fn fn, void *user);

/* Fills *stats. Returns PRESSINDEX_OK, _ERR_INVALID_ARGUMENT, _ERR_MODIFIED, _ERR_CORRUPT, _ERR_IO,
 * _ERR_INTERNAL. */
pressindex_status pressindex_get_stats(pressindex *idx, pressindex_stats *stats);

/* What pressindex_check() looked at. */
typedef struct pressindex_check_stats {
    uint64_t releases;  /* release records */
    uint64_t passages;  /* passage documents */
    uint64_t files;     /* source file records (reindex) */
    uint64_t problems;  /* problems reported */
} pressindex_check_stats;

/* Checks the index: Xapian's own consistency check of its current database (Database::check),
 * then pressindex's invariants: the schema, every release record has its passages and every
 * passage a release record, with the count the record states, and every source file record reads
 * back. Each problem goes to on_problem (may be NULL) with the database path or the release id as
 * its file, line 0. Read-only: it repairs nothing (pressindex(1), "check", says how to recover).
 * Returns PRESSINDEX_OK when healthy, PRESSINDEX_ERR_CORRUPT when it found a problem, or the status
 * that stopped it (_ERR_INVALID_ARGUMENT, _ERR_MODIFIED, _ERR_IO, _ERR_NO_MEMORY, _ERR_INTERNAL). */
pressindex_status pressindex_check(pressindex *idx, pressindex_problem_fn on_problem, void *user,
                                   pressindex_check_stats *stats);

/* ---------------------------------------------------------------------------------------------- */
/* Keeping an index in step with folders                                                           */

/* What pressindex_reindex() does (or, dry run, would do) to one release. */
typedef enum pressindex_change {
    PRESSINDEX_CHANGE_ADDED = 1,  /* a release new to the folders */
    PRESSINDEX_CHANGE_CHANGED,    /* a release whose content changed: replaced */
    PRESSINDEX_CHANGE_DELETED     /* a release whose file is gone or no longer holds its id */
} pressindex_change;

/* Called for each release added, changed or deleted: its id and the file it comes from (for a
 * deletion, the file it came from). Strings live only during the call. */
typedef void (*pressindex_change_fn)(void *user, pressindex_change kind, const char *id,
                                     const char *file);

typedef struct pressindex_reindex_options {
    size_t size;         /* set by _init(): the struct's size as this program was compiled */
    int dry_run;                      /* 1: decide and report (on_change) but change nothing */
    int allow_deletions;              /* 1: lift the safety refusals described below */
    pressindex_problem_fn on_problem; /* bad input, as in pressindex_index_path(); may be NULL */
    pressindex_change_fn on_change;   /* may be NULL */
    void *user;                       /* passed to the callbacks */
} pressindex_reindex_options;

void pressindex_reindex_options_init_sized(pressindex_reindex_options *opts, size_t size);
#define pressindex_reindex_options_init(opts) pressindex_reindex_options_init_sized((opts), sizeof *(opts))

typedef struct pressindex_reindex_stats {
    uint64_t added;     /* releases added */
    uint64_t changed;   /* releases replaced: the index held their id with other content */
    uint64_t deleted;   /* releases deleted */
    uint64_t unchanged; /* releases left as they were */
    uint64_t skipped;   /* releases or files skipped because unreadable or malformed */
    uint64_t problems;  /* problems reported (skipped, and salvaged ones such as bad UTF-8) */
    uint64_t files;     /* files found in the folders */
    uint64_t files_read; /* of which read again (new, or changed since the last reindex) */
    uint64_t refused;   /* releases not deleted because a safety rule refused it */
    double seconds;     /* wall-clock time of the run */
} pressindex_reindex_stats;

/*
 * Brings the index to exactly what the folders hold now: releases new to them are added, changed
 * ones replaced, and those whose file is gone (or whose id left a JSON Lines file) deleted. Ids are
 * those pressindex_index_path() gives (see "Ids" above), so an index built by
 * pressindex_index_path() of the same folders is taken over without duplicates, and a release it
 * holds as its file holds it now is unchanged (others count as changed: replaced). Two folders of
 * one name are refused (_ERR_INVALID_ARGUMENT). A later line of a JSON Lines file with an earlier
 * line's id revises it (counted once); an id another file holds is a problem naming both, skipped
 * (_ERR_DATA), and the file is read again on every run until the clash is mended.
 * A folder argument may also be a single file.
 *
 * What the index knows of each source file (size, modification time, checksum, and the digest of
 * each of its releases) is stored in the index and committed with the file's last release: files
 * whose size and time are unchanged are not read at all, files whose content is the same (touched)
 * are only checksummed, and a file that gained releases re-indexes just those. The run commits in
 * batches and at the end; after a crash at any point the index is as of its last commit and the
 * next run finishes the job, with no duplicates.
 *
 * Only releases recorded by an earlier reindex of the same folder arguments are ever deleted. Unless
 * opts->allow_deletions, deletions are refused (the rest of the run goes on; stats->refused counts
 * them; the message says why) when a folder argument is missing, unreadable or empty while the
 * index holds releases from it, or when the run would delete more than half of the releases
 * recorded under a folder argument. A subfolder that cannot be listed keeps its releases.
 *
 * idx must be writable unless opts->dry_run. opts and stats may be NULL.
 * Returns PRESSINDEX_OK; _ERR_DATA when input was skipped or salvaged, or deletions were refused
 * (everything else was done); _ERR_NOT_FOUND when a folder argument does not exist (and no
 * releases were recorded from it: that is a refusal); _ERR_INVALID_ARGUMENT (no folders, a
 * read-only handle without dry_run, two folders of one name); _ERR_IO, _ERR_CORRUPT,
 * _ERR_NO_MEMORY, _ERR_INTERNAL (the index failed: the run stops, work since the last commit is
 * discarded).
 */
pressindex_status pressindex_reindex(pressindex *idx, const char *const *folders, size_t n,
                                     const pressindex_reindex_options *opts,
                                     pressindex_reindex_stats *stats);

#ifdef __cplusplus
}
#endif

#endif /* PRESSINDEX_H */
