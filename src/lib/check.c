/*
 * check.c - pressindex check: Xapian's consistency check of the current database, then the
 * invariants pressindex keeps between its documents and its metadata (doc/schema.md).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store.h"
#include "posblob.h"
#include "sync.h"
#include "text.h"

typedef struct checker {
    pressindex *idx;
    pressindex_problem_fn fn;
    void *user;
    pressindex_check_stats *stats;
    pi_buf msg;
} checker;

static void problem(checker *c, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(checker *c, const char *where, const char *fmt, ...)
{
    va_list ap;
    char buf[1024];
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    c->stats->problems++;
    if (c->fn)
        c->fn(c->user, where, 0, buf);
}

/* Is position v inside one of the passages ps[0..np) (in position order)? */
static int in_passage(const pi_passage *ps, size_t np, unsigned v)
{
    size_t at = pi_passage_after(ps, np, v);
    return at < np && ps[at].start <= v;
}

/* What is wrong with a blob of the release's body positions (posblob.h: in value PI_SLOT_POS, or
 * the stopwords' in PI_SLOT_STOPPOS when stop), NULL if nothing: the blob decodes, its terms come
 * in byte order and belong in it, each term's positions ascend inside the release's passages;
 * *total counts them. */
static const char *positions_problem(const char *blob, size_t blen, int stop, const pi_passage *ps,
                                     size_t np, uint64_t *total, xc_status *xs)
{
#define PROBLEM(what) (stop ? "the release's stopwords' positions value " what : "the release's positions value " what)
    pi_buf scratch = {0};
    const char *what = NULL;
    pi_posr r;
    unsigned *pos = NULL;
    char prev[PI_MAX_TERM + 1] = "";
    size_t prevlen = 0;
    uint64_t seen = 0;
    int rc = blen ? pi_posr_init(&r, blob, blen, &scratch) : 0;
    if (!blen && !stop)
        what = "the release has no positions value: none of its passages can be found";
    else if (!blen)
        return NULL; /* no stopwords */
    else if (rc == -2)
        *xs = XC_ERR_NO_MEMORY;
    else if (rc < 0)
        what = PROBLEM("is damaged (it does not decode)");
    while (!what && *xs == XC_OK && (rc = pi_posr_next(&r)) > 0) {
        size_t n = prevlen < r.len ? prevlen : r.len;
        int c = memcmp(prev, r.term, n);
        if (seen && (c > 0 || (c == 0 && prevlen >= r.len))) {
            what = PROBLEM("lists its words out of order");
            break;
        }
        if ((pi_is_stopword(r.term, r.len) != 0) != stop) {
            what = stop ? PROBLEM("holds a word that is not a stopword") : PROBLEM("holds a stopword");
            break;
        }
        memcpy(prev, r.term, r.len);
        prevlen = r.len;
        unsigned *g = realloc(pos, (r.plen + 1) * sizeof *g);
        if (!g) {
            *xs = XC_ERR_NO_MEMORY;
            break;
        }
        pos = g;
        long k = pi_posr_positions(&r, pos);
        if (k <= 0) {
            what = PROBLEM("is damaged (a word without ascending positions)");
            break;
        }
        for (long i = 0; i < k && !what; i++)
            if (!in_passage(ps, np, pos[i]))
                what = PROBLEM("puts a word outside its passages");
        seen += (uint64_t)k;
    }
    if (!what && *xs == XC_OK && rc < 0)
        what = PROBLEM("is damaged (it does not decode)");
    *total += seen;
    free(pos);
    pi_buf_free(&scratch);
    return what;
#undef PROBLEM
}

/* The passages of the release whose document holds the XR term: its passage map's entries (0
 * when there is no document); *docs the documents holding the term (1 at most when healthy);
 * *posprob what is wrong with its positions (NULL: nothing, or no document). */
static xc_status release_passages(xc_db *db, const char *term, size_t len, uint64_t *n, uint64_t *docs,
                                  const char **posprob)
{
    *n = 0;
    if (posprob)
        *posprob = NULL;
    xc_status xs = xc_db_termfreq(db, term, len, docs);
    xc_postlist *pl = NULL;
    unsigned docid = 0, doclen = 0;
    if (xs == XC_OK && *docs && (xs = xc_db_postlist(db, term, len, &pl)) == XC_OK) {
        int got = xc_postlist_next(pl, &docid);
        if (got < 0)
            xs = xc_last_status();
        else if (got > 0)
            xs = xc_postlist_get(pl, NULL, &doclen);
    }
    xc_postlist_free(pl);
    char *v = NULL, *sv = NULL;
    const char *map, *blob;
    size_t vlen = 0, mlen = 0, blen = 0, np = 0, svlen = 0;
    pi_passage *ps = NULL;
    int rc = 0;
    if (xs == XC_OK && docid && (xs = pi_db_value(db, docid, PI_SLOT_POS, &v, &vlen)) == XC_OK) {
        if (pi_pv_split(v, vlen, &map, &mlen, &blob, &blen) < 0) {
            if (posprob)
                *posprob = vlen ? "the release's passages value is damaged (its passage map does not fit)"
                                : "the release has no passages value: none of its passages can be found";
        } else if ((rc = pi_pmap_decode(map, mlen, &ps, &np)) == 0) {
            *n = np;
            /* The words' positions are no more than the document's length leaves (its length
             * also counts the title's words and the XP term's wdf, the passages). */
            uint64_t total = 0;
            if (posprob && np && !(*posprob = positions_problem(blob, blen, 0, ps, np, &total, &xs)) &&
                xs == XC_OK && (xs = pi_db_value(db, docid, PI_SLOT_STOPPOS, &sv, &svlen)) == XC_OK &&
                !(*posprob = positions_problem(sv, svlen, 1, ps, np, &total, &xs)) && xs == XC_OK &&
                total + np > doclen)
                *posprob = "the release's positions values hold more words than its document";
        }
    }
    if (rc == -2)
        xs = XC_ERR_NO_MEMORY;
    free(v);
    free(sv);
    free(ps);
    return xs;
}

/* Every release record states its passages; a release's passages are in the passage map of the
 * one document that holds its "XR" term. Both directions: a record without passages, passages
 * without a record. */
static xc_status releases(checker *c)
{
    xc_keylist *kl = NULL;
    xc_status xs = xc_db_metadata_keys(c->idx->db, PI_META_RELEASE, &kl);
    const char *k;
    size_t kn;
    int more = 0;
    while (xs == XC_OK && (more = xc_keylist_next(kl, &k, &kn)) > 0) {
        if (kn != 1 + PI_KEY_LEN)
            continue; /* not a release record's key (R + 32 hex) */
        char key[PI_KEY_LEN + 8], term[PI_KEY_LEN + 16], *blob = NULL;
        size_t blen = 0;
        uint64_t n = 0, docs = 0;
        snprintf(key, sizeof key, "%.*s", (int)kn, k);
        snprintf(term, sizeof term, "%s%s", PI_P_RELEASE, key + 1);
        pi_release_record rec;
        if ((xs = xc_db_get_metadata(c->idx->db, key, &blob, &blen)) != XC_OK)
            break;
        if (!blob || pi_record_decode(blob, blen, &rec) < 0) {
            free(blob);
            problem(c, key, "a release record is damaged (it does not decode)");
            continue;
        }
        c->stats->releases++;
        const char *posprob = NULL;
        if ((xs = release_passages(c->idx->db, term, strlen(term), &n, &docs, &posprob)) != XC_OK) {
            pi_record_free(&rec);
            break;
        }
        if (docs > 1)
            problem(c, rec.id, "the release has %llu documents", (unsigned long long)docs);
        else if (n == 0 && posprob)
            ; /* the value holding its passages is lost or damaged: posprob says so below */
        else if (n == 0)
            problem(c, rec.id, "release record without passages (it states %u)", rec.passages);
        else if (n != rec.passages)
            problem(c, rec.id, "the release record states %u passages, the index holds %llu",
                    rec.passages, (unsigned long long)n);
        if (posprob)
            problem(c, rec.id, "%s", posprob);
        pi_record_free(&rec);
    }
    xc_keylist_free(kl);
    if (xs == XC_OK && more < 0)
        xs = xc_last_status();
    if (xs != XC_OK)
        return xs;
    /* Passages whose release has no record: search could not show their release. */
    if ((xs = xc_db_allterms(c->idx->db, PI_P_RELEASE, &kl)) != XC_OK)
        return xs;
    while (xs == XC_OK && (more = xc_keylist_next(kl, &k, &kn)) > 0) {
        char mkey[PI_KEY_LEN + 8];
        if (kn != strlen(PI_P_RELEASE) + PI_KEY_LEN)
            continue;
        snprintf(mkey, sizeof mkey, "%s%.*s", PI_META_RELEASE, PI_KEY_LEN, k + strlen(PI_P_RELEASE));
        char *blob = NULL;
        size_t blen = 0;
        uint64_t n = 0, docs = 0;
        if ((xs = xc_db_get_metadata(c->idx->db, mkey, &blob, &blen)) == XC_OK &&
            (xs = release_passages(c->idx->db, k, kn, &n, &docs, NULL)) == XC_OK) {
            c->stats->passages += n;
            if (!blob)
                problem(c, mkey + 1, "%llu passages without a release record",
                        (unsigned long long)n);
        }
        free(blob);
    }
    xc_keylist_free(kl);
    if (xs == XC_OK && more < 0)
        xs = xc_last_status();
    return xs;
}

/* Every source file record (what reindex knows of a file) reads back. */
static xc_status files(checker *c)
{
    xc_keylist *kl = NULL;
    xc_status xs = xc_db_metadata_keys(c->idx->db, PI_META_FILE, &kl);
    const char *k;
    size_t kn;
    int more = 0;
    while (xs == XC_OK && (more = xc_keylist_next(kl, &k, &kn)) > 0) {
        if (kn != PI_FILE_KEY_LEN)
            continue;
        char key[PI_FILE_KEY_LEN + 1], *blob = NULL;
        size_t blen = 0;
        snprintf(key, sizeof key, "%.*s", (int)kn, k);
        if ((xs = xc_db_get_metadata(c->idx->db, key, &blob, &blen)) != XC_OK)
            break;
        pi_file_record fr;
        if (!blob || pi_file_record_decode(blob, blen, &fr) < 0) {
            free(blob);
            problem(c, key, "a source file record is damaged (reindex will read that file again)");
            continue;
        }
        c->stats->files++;
        free(fr.blob);
    }
    xc_keylist_free(kl);
    if (xs == XC_OK && more < 0)
        xs = xc_last_status();
    return xs;
}

/* The passages store (store.h): its records read back as written, a document it holds has no
 * passages value or texts in Xapian too (which of the two would be the release's?), and its copy
 * of a live release's record is the metadata's. Each release's own values were read through it
 * above. */
static int collect(void *ctx, unsigned docid)
{
    unsigned **at = ctx;
    *(*at)++ = docid;
    return 0;
}

static xc_status in_xapian_too(void *ctx, size_t i, const char *v, size_t len)
{
    (void)i, (void)v, (void)len;
    ++*(size_t *)ctx;
    return XC_OK;
}

typedef struct record_check {
    checker *c;
    const unsigned *ids;
    size_t differ;
} record_check;

static xc_status same_record(void *ctx, size_t i, const char *key, size_t klen)
{
    record_check *rc = ctx;
    pi_store_rec r;
    if (pi_store_get(rc->c->idx->store, rc->ids[i], &r) != 1 || !r.l[PI_PART_RECORD])
        return XC_OK; /* a damaged record is the checksum's and the values' problem */
    char mkey[PI_KEY_LEN + 8], *blob = NULL;
    size_t blen = 0;
    snprintf(mkey, sizeof mkey, "%s%.*s", PI_META_RELEASE, (int)klen, key);
    xc_status xs = xc_db_get_metadata(rc->c->idx->db, mkey, &blob, &blen);
    if (xs == XC_OK &&
        !(blob && blen == r.l[PI_PART_RECORD] && !memcmp(blob, r.v[PI_PART_RECORD], blen)))
        rc->differ++;
    free(blob);
    return xs;
}

static xc_status store(checker *c)
{
    const pi_store *s = c->idx->store;
    if (!s)
        return XC_OK;
    if (pi_store_verify(s) < 0)
        problem(c, PI_STORE_FILE, "the passages store is damaged (its records' checksum does not "
                "match what they were written as)");
    size_t n = pi_store_records(s);
    unsigned *ids = malloc((n ? n : 1) * sizeof *ids), *at = ids;
    if (!ids)
        return XC_ERR_NO_MEMORY;
    pi_store_each(s, collect, &at);
    size_t both = 0, texts = 0, k = (size_t)(at - ids);
    record_check rc = {c, ids, 0};
    xc_status xs = xc_db_values(c->idx->db, PI_SLOT_POS, ids, k, in_xapian_too, &both);
    if (xs == XC_OK)
        xs = xc_db_values(c->idx->db, PI_SLOT_TEXTS, ids, k, in_xapian_too, &texts);
    if (xs == XC_OK)
        xs = xc_db_values(c->idx->db, PI_SLOT_RELEASE, ids, k, same_record, &rc);
    free(ids);
    if (xs == XC_OK && both)
        problem(c, PI_STORE_FILE, "%zu documents have passages values both in the passages store "
                "and in Xapian", both);
    if (xs == XC_OK && texts)
        problem(c, PI_STORE_FILE, "%zu documents have texts both in the passages store and in "
                "Xapian", texts);
    if (xs == XC_OK && rc.differ)
        problem(c, PI_STORE_FILE, "%zu releases' records in the passages store differ from "
                "their records in the index", rc.differ);
    return xs;
}

pressindex_status pressindex_check(pressindex *idx, pressindex_problem_fn on_problem, void *user,
                                   pressindex_check_stats *stats)
{
    pressindex_check_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!idx)
        return PRESSINDEX_ERR_INVALID_ARGUMENT;
    checker c = {idx, on_problem, user, stats, {0}};
    if (!idx->writable || idx->broken) {
        pressindex_status st = pi_index_refresh(idx);
        if (st != PRESSINDEX_OK)
            return st;
    }
    /* Xapian's check first: if its tables are damaged, the invariants cannot be read. */
    char *dbpath = NULL, *report = NULL;
    uint64_t errors = 0;
    pi_buf path = {0};
    if (!idx->db_target || pi_buf_printf(&path, "%s/%s", idx->path, idx->db_target) < 0)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    dbpath = pi_buf_steal(&path);
    xc_status xs = xc_db_check(dbpath, &errors, &report);
    if (xs == XC_ERR_CORRUPT || xs == XC_ERR_IO) {
        problem(&c, dbpath, "Xapian's check cannot read the database: %s", xc_last_error());
        xs = XC_OK;
        errors = 1;
    } else if (xs == XC_OK && errors) {
        /* Its report names the table and block: a detail for whoever repairs it. */
        const char *last = report ? report : "";
        for (const char *p = last; *p; p++)
            if (*p == '\n' && p[1])
                last = p + 1;
        problem(&c, dbpath, "Xapian's check found %llu error%s (last: %.200s)",
                (unsigned long long)errors, errors == 1 ? "" : "s", last);
    }
    free(report);
    free(dbpath);
    if (xs == XC_OK && !errors)
        xs = releases(&c);
    if (xs == XC_OK && !errors)
        xs = files(&c);
    if (xs == XC_OK && !errors)
        xs = store(&c);
    pi_buf_free(&c.msg);
    if (xs != XC_OK)
        return xs == XC_ERR_MODIFIED ? pi_fail(idx, PRESSINDEX_ERR_MODIFIED, "the index changed during "
                                                                             "the check: run it again")
                                     : pi_fail_xc(idx, xs, "checking the index");
    if (stats->problems)
        return pi_fail(idx, PRESSINDEX_ERR_CORRUPT, "the index has %llu problem%s",
                       (unsigned long long)stats->problems, stats->problems == 1 ? "" : "s");
    return PRESSINDEX_OK;
}
