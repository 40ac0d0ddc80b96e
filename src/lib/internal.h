/*
 * internal.h - what the modules of libpressindex share: the index handle, the on-disk schema, and
 * the error plumbing. Nothing here is installed.
 */
#ifndef PI_INTERNAL_H
#define PI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "pressindex.h"
#include "xc.h"

/* ---- The on-disk schema (doc/schema.md explains each choice). Bump PI_SCHEMA on any change. ---- */
#define PI_SCHEMA 10
#define PI_META_SCHEMA "pressindex:schema"
#define PI_META_LANG "pressindex:lang"
#define PI_META_RELEASE "R" /* + release key -> pi_release_record */
#define PI_META_SOURCE "K:" /* + folded source name -> the name as first written */
#define PI_META_SEQ "pressindex:seq" /* the last release sequence number written */
/* "1": the database has a passages store (store.h), which must then be there (set by a full
 * build's shards, kept by compaction) */
#define PI_META_STORE "pressindex:store"

/* Term prefixes (Xapian conventions where they fit: D/M/Y dates, S title, K keyword, L language). */
#define PI_P_TITLE "S"
#define PI_P_DAY "D"
#define PI_P_MONTH "M"
#define PI_P_YEAR "Y"
#define PI_P_SOURCE "K"
#define PI_P_LANG "L"
#define PI_P_RELEASE "XR" /* + release key: the release's document (replace/delete at once) */
#define PI_P_TEXTHASH "XH" /* + text hash's first PI_XH_LEN hex digits: how many releases hold this
                             * paragraph text (32 bits: 400,000 whitehouse texts collide in pairs
                             * about 20 times, with one of its 389 boilerplate texts about never;
                             * 8 bytes fewer per term and posting than the whole hash) */
#define PI_XH_LEN 8
#define PI_P_PASSAGES "XP" /* wdf = the release's passages: its collection frequency counts them */

/* Positions left free between two paragraphs of a release: phrases never join paragraphs, and a
 * NEAR window of up to this many words never spans two. */
#define PI_PARA_GAP 64

/* Longer words are not indexed (Xapian's term limit is 245 bytes, with the prefix). */
#define PI_MAX_TERM 100

/* Value slots. */
enum {
    PI_SLOT_DATE = 0,      /* "YYYYMMDD" (sortable), absent when undated */
    PI_SLOT_RELEASE = 1,   /* release key */
    /* 2: the passage map until schema 5; from 6 inside PI_SLOT_POS */
    PI_SLOT_SEQ = 3,       /* the release's index sequence: 16 hex digits, grows with every write */
    PI_SLOT_POS = 4,       /* the passage map and the body words' positions (posblob.h) */
    PI_SLOT_TEXTS = 5,     /* the passages' texts (pi_texts_pack; the document's data until schema 5) */
    PI_SLOT_STOPPOS = 6    /* the body stopwords' positions (posblob.h; in PI_SLOT_POS until schema 6),
                            * absent when the release has none */
};

/* A release id's fixed-length key: hex of a 128-bit digest (ids may exceed Xapian's term limit). */
#define PI_KEY_LEN 32
void pi_release_key(const char *id, char key[PI_KEY_LEN + 1]);
/* Hex of a 64-bit digest of data, for paragraph texts. */
#define PI_HASH_LEN 16
void pi_text_hash(const char *data, size_t len, char out[PI_HASH_LEN + 1]);

/* Hex of a 64-bit digest of a release's whole content (everything that makes its documents; sync.c). */
#define PI_DIGEST_LEN 16
void pi_release_digest(const pressindex_release *r, char out[PI_DIGEST_LEN + 1]);

/* The passage map of a release document (inside value PI_SLOT_POS, posblob.h): per passage, in order, its paragraph
 * number (varint, the difference from the previous one), the word positions it spans (varint), its
 * flags (varint, PI_PF_*) and the 8 bytes of its text hash. Passage k's words sit at positions start..start+words-1; the first
 * starts at 1, each next one PI_PARA_GAP positions after the previous one's end. The document's
 * data holds the passages' texts in the same order, each ended by a NUL. */
typedef struct pi_passage {
    unsigned pno;      /* paragraph number, from 1 */
    unsigned start;    /* first word position */
    unsigned words;    /* word positions it spans (its length) */
    unsigned flags;    /* PI_PF_* */
    uint64_t hash;     /* its text's hash (pi_hash_hex() gives pi_text_hash()'s hex) */
    unsigned hoff;     /* where the hash sits in the map */
} pi_passage;
/* Decodes into *buf (reused, *cap entries allocated) without the hashes (pi_pmap_hash() reads one):
 * the search decodes a map per candidate release and needs few hashes. 0, -1 or -2 as below. */
int pi_pmap_decode_into(const char *map, size_t len, pi_passage **buf, size_t *cap, size_t *n);
uint64_t pi_pmap_hash(const char *map, const pi_passage *ps);
/* The first of the passages ps[0..np) (in position order) that ends after position v: np if none. */
size_t pi_passage_after(const pi_passage *ps, size_t np, unsigned v);
void pi_hash_hex(uint64_t h, char out[PI_HASH_LEN + 1]);
/* Passage flags, known at indexing so that ranking needs no text. */
#define PI_PF_QUESTION 1 /* a reporter's question in a briefing ("Q ..."): pi_is_question() */
int pi_pmap_add(pi_buf *map, unsigned pno_delta, unsigned words, unsigned flags,
                const char hash[PI_HASH_LEN + 1]);
/* Is this paragraph a reporter's question in a briefing transcript: "Q" then a space (often a
 * no-break space), a tab, a colon or a full stop? */
int pi_is_question(const char *t, size_t n);
/* Decodes a map into a malloc()ed array (*n entries); -1 when malformed, -2 out of memory. */
int pi_pmap_decode(const char *map, size_t len, pi_passage **out, size_t *n);
/* A release document's value PI_SLOT_TEXTS holds its passages' texts, each ended by NUL, compressed
 * by us with zstd (a value, not the document's data: Glass runs zlib over every data record, and
 * over texts we compressed that was 5-8% of a build's CPU for nothing): a result needs one passage, and
 * decompressing starts at the block holding it. A release of up to PI_TEXT_BLOCK bytes of text is
 * one zstd frame; a longer one is the byte PI_TEXTS_BLOCKS, a varint count of blocks, per block a
 * varint count of its passages and a varint length, then the blocks, each a frame of passages
 * ending where the block reached PI_TEXT_BLOCK bytes (doc/schema.md: a briefing of 100 KB
 * decompressed whole for a result in its last paragraph). zstd rather than zlib (schema 5 and
 * older, still read): 3.6x faster to compress and 2.7x faster to decompress for 3.6% more bytes
 * (doc/schema.md, "Texts"). A writer keeps its compression context, a reader handle its
 * decompression context (pi_unz), from one release to the next: making one costs more than
 * decompressing a release. pi_texts_pack: 0 or -2 (no memory). pi_texts_unpack decompresses into
 * out the texts from the block holding passage `from` through passage upto (SIZE_MAX: all; from
 * 0: all from the first), *first = the index of out's first text: 0, -1 damaged, -2 no memory. */
#define PI_TEXT_BLOCK 16384
#define PI_TEXTS_BLOCKS 0x01
#define PI_TEXTS_LEVEL 3                          /* zstd's own default */
#define PI_TEXTS_FRAME_MAX ((size_t)1 << 30)     /* a frame saying it holds more is damaged */
typedef struct pi_texts_ctx pi_texts_ctx;
typedef struct pi_unz pi_unz;
void pi_texts_ctx_free(pi_texts_ctx *c);
void pi_unz_free(pi_unz *u);
int pi_texts_pack(pi_texts_ctx **c, const char *texts, size_t len, pi_buf *out);
int pi_texts_unpack(pi_unz **u, const char *z, size_t zlen, size_t from, size_t upto, pi_buf *out, size_t *first);
/* The k-th NUL-ended text of a document's data (NULL past the end); *len its length. */
const char *pi_data_text(const char *data, size_t dlen, size_t k, size_t *len);

/* The release record stored in the metadata under "R"+key: NUL-separated fields. */
typedef struct pi_release_record {
    char *blob; /* owns the strings below */
    const char *id, *date, *title, *source, *url, *lang;
    unsigned passages;
    const char *digest; /* pi_release_digest() of the release as it was handed in ("" if none) */
} pi_release_record;
/* digest: the release's pi_release_digest() as read (before any repair), so that a reindex can
 * tell a release it has no record of from one the index already holds as it is; may be NULL. */
int pi_record_encode(const pressindex_release *r, const char *date, const char *lang,
                     unsigned passages, const char *digest, pi_buf *out);
/* Takes ownership of blob (malloc()ed, len bytes). Returns 0 or -1 if malformed. */
int pi_record_decode(char *blob, size_t len, pi_release_record *rec);
void pi_record_free(pi_release_record *rec);

/* A small cache of stemmers by language, and of stems by word (the hot path of indexing). */
typedef struct pi_stemmer pi_stemmer;
pi_stemmer *pi_stemmer_new(const char *lang); /* NULL for an unknown language or OOM */
void pi_stemmer_free(pi_stemmer *s);
/* Stems a folded word; the result lives until the next call. NULL on error. */
const char *pi_stemmer_stem(pi_stemmer *s, const char *word, size_t n, size_t *outlen);
const char *pi_stemmer_lang(const pi_stemmer *s);
/* Xapian's stemmer name for an ISO code or name ("en" -> "english"); NULL if unknown. */
const char *pi_lang_to_stemmer(const char *lang);
/* 1 when lang is a language pressindex accepts: any ISO 639-1 code, any case, optionally with
 * subtags ("en-US", "pt_BR", "zh-Hant"); a stemmer name of pi_lang_to_stemmer ("english"); or
 * "none" (unstemmed). 0 otherwise, NULL and "" included (callers treat those as "the default"). */
int pi_lang_valid(const char *lang);

/* A list of stemmers by language, created on first use. */
typedef struct pi_stemmers {
    pi_stemmer **list;
    size_t n;
} pi_stemmers;
/* The stemmer for lang (or default_lang when lang is NULL or ""); NULL when out of memory. */
pi_stemmer *pi_stemmers_get(pi_stemmers *s, const char *lang, const char *default_lang);
void pi_stemmers_free(pi_stemmers *s);

/* ---- A writer: turns releases into passage documents in one Xapian database. The index handle
 * has one; a parallel build gives each thread its own, on its own shard. ---- */
typedef struct pi_writer {
    xc_db *db;
    xc_doc *doc;
    pi_stemmers stemmers;
    const char *default_lang;
    pi_buf fold, folded, source, rec, map, data, zdata, posv, stopv, pv; /* scratch, reused */
    struct pi_posb *posb;             /* the release's body positions (posblob.h) */
    pi_texts_ctx *zc;                 /* compressing the texts (NULL before the first) */
    uint64_t pending;                 /* passages since the last commit */
    uint64_t seq;                     /* the last release sequence number given */
    uint64_t batch;                   /* commit after this many */
    int replaced;                     /* the last put replaced a release the index held */
    struct pi_store_run *run;         /* a full build's shard: the passages values go here, not to
                                       * Xapian (store.h; set and closed by build.c) */
    const char *digest;               /* the next put's content digest for its record (set by the
                                       * caller, for one put: pi_release_digest of the release as
                                       * read); NULL: computed from what is written */
} pi_writer;

int pi_writer_init(pi_writer *w, xc_db *db, const char *default_lang, uint64_t batch);
void pi_writer_fini(pi_writer *w); /* frees all but the database */
/* Sequence numbers go on from the last one committed (after opening, or discarding changes). */
xc_status pi_writer_reload_seq(pi_writer *w);
/* Replaces the release r (its date already checked: "YYYY-MM-DD" or ""), committing when a batch
 * is full. Returns XC_OK or the failing status (xc_last_error() has the message). */
xc_status pi_writer_put(pi_writer *w, const pressindex_release *r, const char *date);
xc_status pi_writer_delete(pi_writer *w, const char *id);
xc_status pi_writer_commit(pi_writer *w);

/* Folds every word of text, joined by single spaces: the matching form of a source name. */
int pi_fold_text(const char *text, pi_buf *out);

/* ---- Options structs that grow (doc/compatibility.md): each starts with its size as the caller
 * was compiled. ---- */
/* Writes the defaults in full (sizeof our struct) to the caller's struct of size bytes: only the
 * fields it has, then its size. */
void pi_options_give(void *opts, size_t size, const void *full, size_t full_size);
/* Lays the caller's struct (its own size, which may be older and smaller) over the defaults in full.
 * Returns 0, or -1 when the size was never set (the struct was not made by its _init()). */
int pi_options_take(void *full, size_t full_size, const void *given);

/* ---- The index handle. ---- */
struct pressindex {
    char *path;          /* the index directory */
    xc_db *db;           /* the current Xapian database */
    int writable;
    int lock_fd;         /* the writer lock in the directory, -1 for readers */
    char *lang;          /* default stemming language */
    char *db_target;     /* what "current" pointed to when opened (readers reopen on change) */
    pi_stemmers stemmers; /* for searching */
    pi_writer w;          /* writers only */
    struct pi_store *store; /* db's passages store (store.h), NULL when it has none; db's user */
    uint64_t batch;       /* commit after this many passages */
    pi_buf err;           /* the last error message */
    long err_pos;         /* with a malformed query's message: its byte offset; else -1 */
    int broken;           /* an allocation failed since db was opened: see pi_index_usable() */
    pi_unz *unz;          /* decompressing texts (NULL before the first) */
    struct pi_bpcache *bp; /* a reader's boilerplate answers for db's revision (rank.c), or NULL */
    int made_dir;         /* pressindex_open created the directory */
    int input_missing;    /* a run through this handle found an input missing, or refused its
                           * arguments: an index it created holds nothing worth keeping */
};

/* A reader's boilerplate answers (rank.c), dropped with the database they were read from. */
typedef struct pi_bpcache pi_bpcache;
void pi_bpcache_free(pi_bpcache *c);

/* Sets idx->err (printf-style) and returns st. */
pressindex_status pi_fail(pressindex *idx, pressindex_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Maps an xc_status to ours, recording xc_last_error() with a context prefix. */
pressindex_status pi_fail_xc(pressindex *idx, xc_status xs, const char *context);
/* The same for a failed write: the message blames the index (its path), not what was being
 * written; context says what that was ("adding release ID"). */
pressindex_status pi_fail_write(pressindex *idx, xc_status xs, const char *context);
/* Either, with the error text given (detail) rather than xc_last_error() (another thread's). */
pressindex_status pi_fail_xc_detail(pressindex *idx, xc_status xs, const char *context,
                                    const char *detail, int writing);
pressindex_status pi_status_from_xc(xc_status xs);

/* The stemmer for a language (cached on the handle); falls back to the default language. */
pi_stemmer *pi_index_stemmer(pressindex *idx, const char *lang);

/* Re-opens a reader on the latest commit (following a swapped database). */
pressindex_status pi_index_refresh(pressindex *idx);
/* A read failed: a commit that landed meanwhile is PRESSINDEX_ERR_MODIFIED with no message (the
 * read is retried); so is "corrupt" from a reader when a newer revision exists (Xapian 1.4's glass
 * reader can meet blocks that later commits reused, and calls it corruption). Anything else is
 * named with context. */
pressindex_status pi_read_fail(pressindex *idx, xc_status xs, const char *context);
/* What a read found is inconsistent (a record missing): PRESSINDEX_ERR_MODIFIED when a newer
 * revision exists (a race, as above), else PRESSINDEX_ERR_CORRUPT with the message what. */
pressindex_status pi_read_damaged(pressindex *idx, const char *what);
/* A decoder's failure on what a read gave (-2: no memory, else damaged: pi_read_damaged). */
pressindex_status pi_decode_fail(pressindex *idx, int rc, const char *what);
/* Called before any use of idx->db by an entry point. After an allocation failed (idx->broken,
 * set by pi_fail), Xapian's objects may be left half-updated (a Glass cursor whose block could not
 * be allocated crashes on its next use): the database is closed and opened again. A writer's
 * changes since its last commit go with it, as the failure's message said. */
pressindex_status pi_index_usable(pressindex *idx);
/* Before retry number attempt (from 1) of a read that a commit overtook: pauses a little longer
 * each time, so that a writer committing back to back lets the reader through. PRESSINDEX_OK to go
 * on; _ERR_TIMEOUT past the deadline (pi_clock() seconds; 0: none, then a minute of retries ends
 * in _ERR_MODIFIED). Messages set. */
pressindex_status pi_retry_pause(pressindex *idx, unsigned attempt, double deadline, double limit);

/* "Did you mean": *out = query with its words corrected, as typed (case kept), or NULL when
 * nothing was corrected. A word is replaced by the most frequent index word within two edits: when
 * the search found little (found 0), if the index does not know it; when it found something
 * (found 1), only if that word is in 20 times as many releases (a rare spelling next to a frequent
 * one). Words pq excludes, and words found in another of the index's languages, are left as typed.
 * malloc()ed. A failure to read the index or to allocate is the search's (its status; *out NULL),
 * not "no suggestion". (spell.c) */
struct pi_query;
pressindex_status pi_spell_suggest(pressindex *idx, const char *query, pi_stemmer *stem,
                                   const struct pi_query *pq, int found, char **out);

/* Checks a release's date: writes "YYYY-MM-DD" or "" (undated) to out; returns 1 if it was
 * impossible or unrecognised (the caller reports it; the release is still indexed, undated). */
int pi_release_date(const pressindex_release *r, char out[11]);

struct pi_idset; /* input.h */
/* A full build from empty: releases read by this thread, written by several writer threads onto
 * shards that are then compacted into one database and swapped in. Reads the paths not skipped,
 * counting in *missing those that do not exist. (build.c) */
pressindex_status pi_build_parallel(pressindex *idx, const char *const *paths, size_t n,
                                    const char *skip, const pressindex_index_options *opts,
                                    pressindex_index_summary *sum, struct pi_idset *ids,
                                    size_t *missing);
/* A run's ruling on the release r read from file (line 0 for text), before it is written: 1 to
 * write it (*kind: PI_ID_NEW, or PI_ID_REVISION, which the summary does not count again), 0 when
 * its id clashes with another input's (reported, counted as skipped), -1 when out of memory.
 * Counts its passages and bytes in sum. *tag (if tag is not NULL; when 1 is returned) is the id's
 * word in the set, 0 for a new id, valid until the next claim. (index.c) */
int pi_index_claim(struct pi_idset *ids, pressindex_index_summary *sum,
                   const pressindex_index_options *opts, const pressindex_release *r,
                   const char *file, unsigned long line, int *kind, uint32_t **tag);
/* Writes a compacted merge of the databases srcs into a new database directory of the index and
 * makes it current; the writer is reopened on it and the old databases are removed. (index.c) */
/* dir + "/" + name, malloc()ed; NULL when out of memory. */
char *pi_path_join(const char *dir, const char *name);
/* Compacts srcs into the index's next database and switches to it. runs: a full build's shards'
 * passages values (store.h), one per source; NULL: srcs is the index itself, compacted. */
pressindex_status pi_index_install(pressindex *idx, const char *const *srcs, size_t n,
                                   const char *const *runs);
/* rm -rf path (errors ignored: used on our own temporary databases). */
void pi_index_remove_tree(const char *path);
/* fsync()s the directory dir (its renames on disk): 0, or -1 with errno set. */
int pi_sync_dir(const char *dir);

/* Saved searches (watches.c), beside the databases in the index directory: compaction and
 * rebuilds keep them; a writer removes a leftover temporary file like its own. */
#define PI_WATCHES "watches.json"
#define PI_WATCHES_TMP "watches.json.tmp"
/* A fresh directory path inside the index for a temporary database (malloc()ed). */
char *pi_index_tmp_path(pressindex *idx, const char *what, unsigned k);

#endif
