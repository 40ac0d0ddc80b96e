/*
 * xc.h - a C binding of the part of Xapian that pressindex uses.
 *
 * Generic: knows nothing of press releases. Implemented in xc.cc, the only C++ of the product; every
 * entry point catches every exception and turns it into an xc_status, keeping the message, which
 * xc_last_error() returns (thread-local, valid until the next failing xc_ call in the same thread).
 *
 * Conventions: functions returning xc_status put results in out-parameters; on failure the
 * out-parameters are left NULL/0. Objects are created by *_new / *_open and released by *_free
 * (NULL is ignored). Strings handed back through `const char **` + `size_t *` point into storage owned
 * by the object they came from and stay valid until the next call on that object or its free.
 * Strings handed back as `char *` are malloc()ed and the caller free()s them.
 * Terms and strings are byte strings (UTF-8 by convention) with explicit lengths unless noted.
 */
#ifndef XC_H
#define XC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum xc_status {
    XC_OK = 0,
    XC_ERR_LOCKED,       /* Xapian::DatabaseLockError: another writer has the database */
    XC_ERR_MODIFIED,     /* Xapian::DatabaseModifiedError: reopen (xc_db_reopen) and retry */
    XC_ERR_CORRUPT,      /* Xapian::DatabaseCorruptError */
    XC_ERR_NOT_FOUND,    /* Xapian::DatabaseNotFoundError, DatabaseOpeningError: no database there */
    XC_ERR_VERSION,      /* Xapian::DatabaseVersionError: format too old or too new */
    XC_ERR_BAD_QUERY,    /* Xapian::QueryParserError */
    XC_ERR_INVALID,      /* InvalidArgumentError, InvalidOperationError, UnimplementedError, RangeError */
    XC_ERR_DOC_NOT_FOUND,/* Xapian::DocNotFoundError */
    XC_ERR_IO,           /* any other Xapian::DatabaseError (I/O, closed) */
    XC_ERR_NO_MEMORY,    /* std::bad_alloc */
    XC_ERR_OTHER         /* any other exception */
} xc_status;

/* Short name of a status ("locked", "modified", ...). Static string. */
const char *xc_status_name(xc_status st);
/* Message of the last failure in this thread: the exception's class and message. Never NULL. */
const char *xc_last_error(void);
/* For the C layer's own failures reported through this API's channel: sets what xc_last_error()
 * and xc_last_status() return, and returns st. */
xc_status xc_set_error(xc_status st, const char *msg);
/* The status of the last failing xc_ call in this thread: for the iterators that return -1, so
 * that a DatabaseModifiedError met while iterating can be retried like any other. */
xc_status xc_last_status(void);

/* ------------------------------------------------------------------------------------------ */
/* Databases                                                                                   */

typedef struct xc_db xc_db;

enum {
    XC_DB_READ = 0,          /* read-only Xapian::Database */
    XC_DB_CREATE_OR_OPEN = 1,/* WritableDatabase, DB_CREATE_OR_OPEN */
    XC_DB_CREATE = 2,        /* WritableDatabase, DB_CREATE (fails if it exists) */
    XC_DB_OPEN = 3,          /* WritableDatabase, DB_OPEN (fails if missing) */
    /* Or'ed with a writable mode: commits do not fsync (Xapian's DB_NO_SYNC). Only for a
     * database that nothing relies on after a crash: a full build's shards, which the compaction
     * (synced) replaces and the next writer removes. */
    XC_DB_NO_SYNC = 0x100
};

/* Opens the database at path in the given mode. Writable modes take Xapian's own lock, failing at
 * once with XC_ERR_LOCKED if another writer has it. */
xc_status xc_db_open(const char *path, int mode, xc_db **out);
/* A writer of the index at path is at work: should Xapian end the process from inside a write
 * (Xapian 1.4 can: a value chunk written from a destructor, xc.cc), the process says on stderr
 * that it cannot write to the index at path, with Xapian's words, and exits with 74 (EX_IOERR)
 * instead of aborting. The last path given is named. */
void xc_fatal_write_path(const char *path);
/* Closes (a writer's pending changes are NOT committed: call xc_db_commit first) and frees. */
void xc_db_free(xc_db *db);
int xc_db_is_writable(const xc_db *db);
/* Reader: catch up with the latest commit. *changed = 1 if a newer revision was found. */
xc_status xc_db_reopen(xc_db *db, int *changed);
xc_status xc_db_commit(xc_db *db);
/* Writer: discard every change since the last commit. */
xc_status xc_db_cancel(xc_db *db);

xc_status xc_db_doccount(xc_db *db, uint64_t *out);
/* The database's UUID (Database::get_uuid(): 36 characters, made when it was created, kept by
 * commits; a compaction's output has its own), NUL-ended, in out. */
xc_status xc_db_uuid(xc_db *db, char out[37]);
/* The revision the handle reads (Database::get_revision(); a writer's uncommitted changes do not
 * move it). */
xc_status xc_db_revision(xc_db *db, uint64_t *rev);
/* Every document's id, ascending (the all-documents posting list): *out malloc()ed, *n of them. */
xc_status xc_db_docids(xc_db *db, unsigned **out, size_t *n);
/* A pointer the caller keeps with the handle (the C layer's own state for this database); NULL
 * until set. Never touched here. */
void xc_db_set_user(xc_db *db, void *user);
void *xc_db_user(const xc_db *db);
/* Xapian's consistency check of the database at path (Database::check): the number of errors it
 * found in *errors and what it printed in *report (malloc()ed). A database it cannot even open is
 * XC_ERR_CORRUPT or XC_ERR_NOT_FOUND, as for xc_db_open(). */
xc_status xc_db_check(const char *path, uint64_t *errors, char **report);
xc_status xc_db_avlength(xc_db *db, double *out);
xc_status xc_db_termfreq(xc_db *db, const char *term, size_t len, uint64_t *out);
xc_status xc_db_term_exists(xc_db *db, const char *term, size_t len, int *out);
/* Lowest/highest value in a slot over all documents ("" if none). malloc()ed, caller frees. */
xc_status xc_db_value_bounds(xc_db *db, unsigned slot, char **lower, char **upper);

/* Total occurrences of term in the database (Xapian's collection frequency). */
xc_status xc_db_collfreq(xc_db *db, const char *term, size_t len, uint64_t *out);
/* The positions of term in document docid, ascending, in *pos (malloc()ed, NULL when none) and
 * their number in *n: an absent term or document gives none. */
xc_status xc_db_positions(xc_db *db, unsigned docid, const char *term, size_t len, unsigned **pos,
                          size_t *n);
/* The terms of document docid starting with prefix, each NUL-terminated one after the other in
 * *out (malloc()ed, NULL when none), *n of them. At most max (0: no bound). */
xc_status xc_db_doc_terms(xc_db *db, unsigned docid, const char *prefix, size_t max, char **out,
                          size_t *n);
/* The value in slot of document docid, without checking the document exists (malloc()ed and
 * NUL-terminated; "" when unset), its length in *len. */
xc_status xc_db_value(xc_db *db, unsigned docid, unsigned slot, char **out, size_t *len);
/* The values in slot of documents docids[0..n) (ascending), read as one stream from left to right
 * (Glass keeps a slot's values in chunks of many documents): fn(ctx, i, value, len) for each
 * docids[i] that has one, the value valid during the call only. fn returns XC_OK to go on, or a
 * status that stops and is returned. */
typedef xc_status (*xc_value_fn)(void *ctx, size_t i, const char *value, size_t len);
xc_status xc_db_values(xc_db *db, unsigned slot, const unsigned *docids, size_t n, xc_value_fn fn,
                       void *ctx);
/* The data of document docid (malloc()ed and NUL-terminated), its length in *len. */
xc_status xc_db_data(xc_db *db, unsigned docid, char **out, size_t *len);

/* User metadata (committed together with documents). An empty value deletes the key. */
xc_status xc_db_set_metadata(xc_db *db, const char *key, const char *value, size_t vlen);
/* *value is malloc()ed and NUL-terminated (even if the value holds NULs), NULL if no such key. */
xc_status xc_db_get_metadata(xc_db *db, const char *key, char **value, size_t *vlen);

/* Iterates the metadata keys starting with prefix, in byte order. */
typedef struct xc_keylist xc_keylist;
xc_status xc_db_metadata_keys(xc_db *db, const char *prefix, xc_keylist **out);
/* Next key: 1 and *key and *len set (valid until the next call), 0 at the end, -1 on error (see xc_last_error). */
int xc_keylist_next(xc_keylist *kl, const char **key, size_t *len);
void xc_keylist_free(xc_keylist *kl);

/* Iterates the terms starting with prefix, in byte order (allterms). Same protocol as keylists. */
xc_status xc_db_allterms(xc_db *db, const char *prefix, xc_keylist **out);

/* Document ids of the postings of a term (ascending). Same iteration protocol, with docids. */
typedef struct xc_postlist xc_postlist;
xc_status xc_db_postlist(xc_db *db, const char *term, size_t len, xc_postlist **out);
int xc_postlist_next(xc_postlist *pl, unsigned *docid);
void xc_postlist_free(xc_postlist *pl);
/* Moves to the first posting at or after target (never backwards): 1 and *docid, 0 at the end,
 * -1 on error (xc_last_error). */
int xc_postlist_skip_to(xc_postlist *pl, unsigned target, unsigned *docid);
/* The current posting's within-document frequency and its document's length. */
xc_status xc_postlist_get(xc_postlist *pl, unsigned *wdf, unsigned *doclen);


/* ------------------------------------------------------------------------------------------ */
/* Documents                                                                                   */

typedef struct xc_doc xc_doc;

xc_status xc_doc_new(xc_doc **out);
void xc_doc_free(xc_doc *doc);
/* A term with a position (positions start at 1) and wdf increment 1. */
xc_status xc_doc_add_posting(xc_doc *doc, const char *term, size_t len, unsigned pos);
/* A term without position; wdfinc 1 for ranked terms. */
xc_status xc_doc_add_term(xc_doc *doc, const char *term, size_t len, unsigned wdfinc);
/* A boolean term: no wdf, no position (filters, unique ids). */
xc_status xc_doc_add_boolean_term(xc_doc *doc, const char *term, size_t len);
xc_status xc_doc_set_value(xc_doc *doc, unsigned slot, const char *value, size_t len);
xc_status xc_doc_set_data(xc_doc *doc, const char *data, size_t len);
/* Removes every term, value and data (reuse of a document object). */
xc_status xc_doc_clear(xc_doc *doc);

/* Reading a stored document. */
xc_status xc_db_get_document(xc_db *db, unsigned docid, xc_doc **out);
/* *data points into doc, valid until the next call on doc. */
xc_status xc_doc_get_data(xc_doc *doc, const char **data, size_t *len);
xc_status xc_doc_get_value(xc_doc *doc, unsigned slot, const char **value, size_t *len);

xc_status xc_db_add_document(xc_db *db, xc_doc *doc, unsigned *docid);
/* Replaces the documents indexed by unique_term with doc (adds it if there were none). */
xc_status xc_db_replace_document_by_term(xc_db *db, const char *term, size_t len, xc_doc *doc,
                                         unsigned *docid);
xc_status xc_db_replace_document(xc_db *db, unsigned docid, xc_doc *doc);
xc_status xc_db_delete_document(xc_db *db, unsigned docid);
/* Deletes every document indexed by term (none is not an error). */
xc_status xc_db_delete_documents_by_term(xc_db *db, const char *term, size_t len);

/* Spelling data (for "did you mean"). */
xc_status xc_db_add_spelling(xc_db *db, const char *word, size_t len, unsigned freqinc);
xc_status xc_db_remove_spelling(xc_db *db, const char *word, size_t len, unsigned freqdec);
/* The most likely correction of word (malloc()ed), or NULL if none within max_edit_distance. */
xc_status xc_db_spelling_suggestion(xc_db *db, const char *word, unsigned max_edit_distance,
                                    char **out);

/* ------------------------------------------------------------------------------------------ */
/* Stemming and term generation                                                                */

typedef struct xc_stem xc_stem;

/* language: a Xapian stemmer name or ISO code ("english", "en", "turkish", "none"). Unknown
 * languages are XC_ERR_INVALID. */
xc_status xc_stem_new(const char *language, xc_stem **out);
void xc_stem_free(xc_stem *stem);
/* Stems word into *out (points into stem, valid until the next call on it). */
xc_status xc_stem_word(xc_stem *stem, const char *word, size_t len, const char **out, size_t *outlen);
/* Space-separated list of the languages this Xapian can stem. Static string. */
const char *xc_stem_languages(void);

/* Xapian's TermGenerator, for callers that want Xapian's own tokenisation (the reference path). */
typedef struct xc_termgen xc_termgen;
enum { XC_STEM_NONE = 0, XC_STEM_SOME = 1, XC_STEM_ALL = 2, XC_STEM_ALL_Z = 3 };
xc_status xc_termgen_new(xc_termgen **out);
void xc_termgen_free(xc_termgen *tg);
/* stem may be NULL (no stemming). The stemmer must outlive its use here. */
xc_status xc_termgen_set_stemmer(xc_termgen *tg, xc_stem *stem, int strategy);
/* Subsequent text goes into doc (which must outlive its use here). */
xc_status xc_termgen_set_document(xc_termgen *tg, xc_doc *doc);
xc_status xc_termgen_index_text(xc_termgen *tg, const char *text, size_t len, const char *prefix);
/* Leaves a gap in positions (between paragraphs, say). */
xc_status xc_termgen_increase_termpos(xc_termgen *tg, unsigned delta);

/* ------------------------------------------------------------------------------------------ */
/* Queries                                                                                     */

typedef struct xc_query xc_query;

/* Every constructor returns a new query the caller frees; inputs are not consumed. */
enum {
    XC_OP_AND = 0, XC_OP_OR, XC_OP_AND_NOT, XC_OP_AND_MAYBE, XC_OP_FILTER, XC_OP_NEAR, XC_OP_PHRASE,
    XC_OP_SYNONYM, XC_OP_ELITE_SET, XC_OP_MAX, XC_OP_XOR
};
xc_status xc_query_term(const char *term, size_t len, xc_query **out);
/* A term at a position in the query (1, 2, ...): the same term at several positions is listed
 * once per position by xc_query_terms(), as the QueryParser's terms are (within-query frequency). */
xc_status xc_query_term_at(const char *term, size_t len, unsigned pos, xc_query **out);
/* Matches every document. */
xc_status xc_query_match_all(xc_query **out);
/* Combines n subqueries with op; window for NEAR/PHRASE (0 = number of subqueries). */
xc_status xc_query_combine(int op, xc_query *const *subs, size_t n, unsigned window, xc_query **out);
/* Scales the weight of q by factor (0 makes it purely boolean). */
xc_status xc_query_scale(const xc_query *q, double factor, xc_query **out);
/* Terms starting with prefix, OR'ed (OP_WILDCARD); at most max_expansion terms (0 = no limit). */
xc_status xc_query_wildcard(const char *prefix, unsigned max_expansion, xc_query **out);
/* Documents whose value in slot lies in [lo, hi] (string order); lo or hi may be NULL (open). */
xc_status xc_query_value_range(unsigned slot, const char *lo, const char *hi, xc_query **out);
int xc_query_is_empty(const xc_query *q);
/* Xapian's description of the query (malloc()ed), for debugging and tests. */
char *xc_query_describe(const xc_query *q);
void xc_query_free(xc_query *q);

/* The terms of a query: with unique, each distinct term once (for highlighting); otherwise every
 * occurrence, in query order (a word the QueryParser saw twice comes twice: its within-query
 * frequency). */
xc_status xc_query_terms(const xc_query *q, int unique, xc_keylist **out);

/* Xapian's QueryParser. */
typedef struct xc_qp xc_qp;
enum {
    XC_QP_BOOLEAN = 1, XC_QP_PHRASE = 2, XC_QP_LOVEHATE = 4, XC_QP_WILDCARD = 8, XC_QP_PURE_NOT = 16,
    XC_QP_DEFAULT = 1 | 2 | 4   /* Xapian's FLAG_DEFAULT */
};
xc_status xc_qp_new(xc_qp **out);
void xc_qp_free(xc_qp *qp);
/* stem may be NULL. The stemmer must outlive the parser's use of it. */
xc_status xc_qp_set_stemmer(xc_qp *qp, xc_stem *stem, int strategy);
/* Database for wildcard expansion and spelling (must outlive the parser's use of it). */
xc_status xc_qp_set_database(xc_qp *qp, xc_db *db);
/* Default operator between words: XC_OP_OR (default) or XC_OP_AND. */
xc_status xc_qp_set_default_op(xc_qp *qp, int op);
/* field:words searches terms with prefix (free text); boolean: field:value filters on prefix+value. */
xc_status xc_qp_add_prefix(xc_qp *qp, const char *field, const char *prefix);
xc_status xc_qp_add_boolean_prefix(xc_qp *qp, const char *field, const char *prefix);
/* Stopwords dropped outside phrases (a NULL-terminated list; copied). */
xc_status xc_qp_set_stopwords(xc_qp *qp, const char *const *words);
/*
 * A date range processor: field:A..B (A or B may be empty for an open end) where each end is
 * YYYY, YYYY-MM or YYYY-MM-DD (a month or year as upper bound means its last day). Matches the
 * documents carrying boolean terms <year_prefix>YYYY, <month_prefix>YYYYMM or <day_prefix>YYYYMMDD,
 * with the fewest terms that cover the range exactly (years inside it, then months, then days).
 * Open ends are bounded by [min_year, max_year]. A malformed or reversed range is XC_ERR_BAD_QUERY
 * from xc_qp_parse. The result carries no weight (a filter).
 */
xc_status xc_qp_add_date_range(xc_qp *qp, const char *field, const char *year_prefix,
                               const char *month_prefix, const char *day_prefix, int min_year,
                               int max_year);
xc_status xc_qp_parse(xc_qp *qp, const char *text, unsigned flags, xc_query **out);
/* The spelling correction of the last parse (requires XC_QP_SPELLING in flags); NULL if none. */
enum { XC_QP_SPELLING = 32 };
xc_status xc_qp_corrected(xc_qp *qp, char **out);

/* Builds the Y/M/D term query of a date range directly (same rules as above); lo/hi "YYYY",
 * "YYYY-MM", "YYYY-MM-DD" or NULL for open. XC_ERR_INVALID for malformed or reversed ranges. */
xc_status xc_query_date_range(const char *lo, const char *hi, const char *year_prefix,
                              const char *month_prefix, const char *day_prefix, int min_year,
                              int max_year, xc_query **out);

/* ------------------------------------------------------------------------------------------ */
/* Searching                                                                                   */

typedef struct xc_enquire xc_enquire;
typedef struct xc_mset xc_mset;

xc_status xc_enquire_new(xc_db *db, xc_enquire **out);
void xc_enquire_free(xc_enquire *enq);
xc_status xc_enquire_set_query(xc_enquire *enq, const xc_query *q);
/* BM25 with parameters (Xapian defaults: k1 1, k2 0, k3 1, b 0.5, min_normlen 0.5). */
xc_status xc_enquire_set_bm25(xc_enquire *enq, double k1, double k2, double k3, double b,
                              double min_normlen);
/* Sort by value slot (descending if reverse), ties by relevance. */
xc_status xc_enquire_set_sort_by_value_then_relevance(xc_enquire *enq, unsigned slot, int reverse);
xc_status xc_enquire_set_sort_by_relevance(xc_enquire *enq);
/* At most collapse_max documents per distinct value of slot (0 turns collapsing off). */
xc_status xc_enquire_set_collapse_key(xc_enquire *enq, unsigned slot, unsigned collapse_max);
/* Ranks first, then maxitems (checkatleast: see Xapian::Enquire::get_mset). */
xc_status xc_enquire_get_mset(xc_enquire *enq, unsigned first, unsigned maxitems,
                              unsigned checkatleast, xc_mset **out);

unsigned xc_mset_size(const xc_mset *ms);
uint64_t xc_mset_matches_estimated(const xc_mset *ms);
uint64_t xc_mset_matches_lower_bound(const xc_mset *ms);
/* Item i of the mset (0-based). */
xc_status xc_mset_item(xc_mset *ms, unsigned i, unsigned *docid, double *weight,
                       uint64_t *collapse_count);
/* The stored document of item i (freed by the caller). */
xc_status xc_mset_document(xc_mset *ms, unsigned i, xc_doc **out);
void xc_mset_free(xc_mset *ms);

/* The values in slot of the documents docids[0..n) (increasing), read through the slot's value
 * stream (far cheaper than a document each): each copied into out[i * width ..] and cut at width
 * bytes, NUL-padded ("" when unset). */
xc_status xc_db_values_fixed(xc_db *db, unsigned slot, const unsigned *docids, size_t n,
                             size_t width, char *out);

/* The wdf of term in each of the documents docids[0..n) (increasing) into out[i]: 0 where the
 * document does not hold it (and for a boolean term, whose wdf is 0: not a presence test). One walk of the term's postings (what counting's per-release
 * figures need: a call per posting crossed the shim thousands of times). */
xc_status xc_db_wdfs(xc_db *db, const char *term, size_t len, const unsigned *docids, size_t n,
                     unsigned *out);

/* Every document matching q, in increasing docid order, unweighted (what counting walks): the
 * first max of them in out[0..max), and in *n how many there are (more than max: out is cut). */
xc_status xc_db_match_docids(xc_db *db, const xc_query *q, unsigned *out, size_t max, size_t *n);

/* ------------------------------------------------------------------------------------------ */
/* Compaction                                                                                  */

/* Writes a compacted copy of the databases in sources (merged into one) to dest. Document ids
 * are renumbered as Xapian does (each source's used range moved to follow the previous one's),
 * or with keep_docids kept (the sources' ranges must not overlap). */
xc_status xc_compact(const char *const *sources, size_t n, const char *dest, int multipass,
                     int keep_docids);

#ifdef __cplusplus
}
#endif

#endif /* XC_H */
