/*
 * writer.c - a release becomes one Xapian document: its paragraphs' words folded and stemmed with
 * positions (a gap between paragraphs), the title's stems, boolean terms for filters, the passage
 * map and the sequence number in values, the paragraphs' texts as data, and the release's record
 * stored once in the database metadata.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "store.h"
#include "posblob.h"
#include "text.h"

/* Longer "words" (base64, hashes) are not searchable text, and Xapian refuses terms over 245 bytes. */

int pi_writer_init(pi_writer *w, xc_db *db, const char *default_lang, uint64_t batch)
{
    memset(w, 0, sizeof *w);
    w->db = db;
    w->default_lang = default_lang;
    w->batch = batch;
    if (db && pi_writer_reload_seq(w) != XC_OK)
        return -1;
    return xc_doc_new(&w->doc) == XC_OK ? 0 : -1;
}

xc_status pi_writer_reload_seq(pi_writer *w)
{
    char *seq = NULL;
    xc_status xs = xc_db_get_metadata(w->db, PI_META_SEQ, &seq, NULL);
    if (xs == XC_OK)
        w->seq = seq ? strtoull(seq, NULL, 16) : 0;
    free(seq);
    return xs;
}

void pi_writer_fini(pi_writer *w)
{
    xc_doc_free(w->doc);
    w->doc = NULL;
    pi_store_run_close(w->run); /* what matters was flushed by the last commit */
    w->run = NULL;
    pi_stemmers_free(&w->stemmers);
    pi_buf_free(&w->fold);
    pi_buf_free(&w->folded);
    pi_buf_free(&w->source);
    pi_buf_free(&w->rec);
    pi_buf_free(&w->map);
    pi_buf_free(&w->data);
    pi_buf_free(&w->zdata);
    pi_buf_free(&w->posv);
    pi_buf_free(&w->stopv);
    pi_buf_free(&w->pv);
    pi_texts_ctx_free(w->zc);
    w->zc = NULL;
    if (w->posb) {
        pi_posb_free(w->posb);
        free(w->posb);
        w->posb = NULL;
    }
}

/* Folds every word of text and joins them with single spaces (the matching form of a name). */
int pi_fold_text(const char *text, pi_buf *out)
{
    pi_buf w = {0};
    size_t pos = 0, s, e, len = strlen(text);
    int rc = 0;
    pi_buf_clear(out);
    while (rc == 0 && pi_word_next(text, len, &pos, &s, &e)) {
        if (pi_fold_word(text + s, e - s, &w) < 0 || (out->len && pi_buf_addc(out, ' ') < 0) ||
            pi_buf_add(out, w.p, w.len) < 0)
            rc = -1;
    }
    if (rc == 0 && !out->p)
        rc = pi_buf_reserve(out, 0);
    pi_buf_free(&w);
    return rc;
}

/* Adds the stems of text from position pos: with prefix (title words) to the document with their
 * positions, without (body words) to the release's positions blob (posblob.h). Appends the folded
 * words to folded (if not NULL) separated by spaces. Returns the next free position, 0 on error. */
static unsigned add_words(pi_writer *w, pi_stemmer *stem, const char *text, size_t len,
                          const char *prefix, unsigned pos, pi_buf *folded, xc_status *xs)
{
    size_t at = 0, s, e, plen = strlen(prefix);
    char term[PI_MAX_TERM + 8];
    memcpy(term, prefix, plen);
    while (pi_word_next(text, len, &at, &s, &e)) {
        int n = pi_fold_word(text + s, e - s, &w->fold);
        if (n < 0) {
            *xs = XC_ERR_NO_MEMORY;
            return 0;
        }
        if (n == 0)
            continue;
        if (folded && ((folded->len && pi_buf_addc(folded, ' ') < 0) ||
                       pi_buf_add(folded, w->fold.p, (size_t)n) < 0)) {
            *xs = XC_ERR_NO_MEMORY;
            return 0;
        }
        size_t sl = 0;
        const char *st = NULL;
        /* A word too long to be a term is left out; a stemmer that fails (out of memory inside
         * Xapian) fails the release: skipping its word silently lost a term from the index (the
         * allocation sweep's index-new, allocation 871 on two writer threads). */
        if ((size_t)n <= PI_MAX_TERM && !(st = pi_stemmer_stem(stem, w->fold.p, (size_t)n, &sl))) {
            *xs = xc_last_status() != XC_OK ? xc_last_status() : XC_ERR_NO_MEMORY;
            return 0;
        }
        if (st && sl > 0 && sl <= PI_MAX_TERM) {
            if (!plen) {
                if (pi_posb_add(w->posb, st, sl, pos) < 0) {
                    *xs = XC_ERR_NO_MEMORY;
                    return 0;
                }
            } else {
                memcpy(term + plen, st, sl);
                if ((*xs = xc_doc_add_posting(w->doc, term, plen + sl, pos)) != XC_OK)
                    return 0;
            }
        }
        pos++; /* an overlong word still takes its place, so phrases do not jump over it */
    }
    return pos;
}

static xc_status add_bool(xc_doc *doc, const char *prefix, const char *value)
{
    char term[256];
    int n = snprintf(term, sizeof term, "%s%s", prefix, value);
    if (n <= 0 || (size_t)n >= 246)
        return XC_OK; /* too long for a term: the value stays in the data, unfiltered */
    return xc_doc_add_boolean_term(doc, term, (size_t)n);
}

static void release_term(const char *id, char key[PI_KEY_LEN + 1], char term[PI_KEY_LEN + 8], size_t *len)
{
    pi_release_key(id, key);
    *len = (size_t)snprintf(term, PI_KEY_LEN + 8, "%s%s", PI_P_RELEASE, key);
}

/* The document of the release with this XR term, or 0 when there is none. */
static xc_status release_docid(xc_db *db, const char *rterm, size_t rlen, unsigned *docid)
{
    xc_postlist *pl = NULL;
    *docid = 0;
    xc_status xs = xc_db_postlist(db, rterm, rlen, &pl);
    if (xs == XC_OK && xc_postlist_next(pl, docid) < 0)
        xs = xc_last_status();
    xc_postlist_free(pl);
    return xs;
}

/* Is the release stored exactly as it would be written now (record, passage map and texts)? The
 * nightly reindex of a changed file writes its unchanged releases again: they keep their document
 * and their sequence number (nothing new to report to a saved search). */
static xc_status unchanged(pi_writer *w, const char *key, const char *rterm, size_t rlen, int *same)
{
    char mkey[PI_KEY_LEN + 8], *blob = NULL, *pv = NULL, *data = NULL;
    size_t blen = 0, pvlen = 0, dlen = 0;
    unsigned docid = 0;
    snprintf(mkey, sizeof mkey, "%s%s", PI_META_RELEASE, key);
    xc_status xs = xc_db_get_metadata(w->db, mkey, &blob, &blen);
    w->replaced = xs == XC_OK && blob;
    *same = xs == XC_OK && blob && blen == w->rec.len && !memcmp(blob, w->rec.p, blen);
    if (*same && w->map.len) {
        /* Failures are failures (out of memory must not pass for "changed"). A build's shard
         * keeps its passages values and texts in its run, not in Xapian: there the same record
         * (its content digest), from this pressindex, makes the same map and texts. */
        if (w->run)
            ;
        else if ((xs = release_docid(w->db, rterm, rlen, &docid)) == XC_OK && docid &&
                 (xs = pi_db_value(w->db, docid, PI_SLOT_POS, &pv, &pvlen)) == XC_OK &&
                 (xs = pi_db_value(w->db, docid, PI_SLOT_TEXTS, &data, &dlen)) == XC_OK) {
            const char *map, *pos;
            size_t mlen, plen;
            *same = pi_pv_split(pv, pvlen, &map, &mlen, &pos, &plen) == 0 &&
                    mlen == w->map.len && !memcmp(map, w->map.p, mlen) &&
                    dlen == w->zdata.len && !memcmp(data, w->zdata.p, dlen);
        } else
            *same = 0;
    }
    free(blob);
    free(pv);
    free(data);
    return xs;
}

/* Writes the release's document d. A document the passages store holds is never replaced in
 * place (its record there would go stale, store.h): a new version of it is a new document. */
static xc_status put_document(pi_writer *w, const char *rterm, size_t rlen, xc_doc *d, unsigned *docid)
{
    if (xc_db_user(w->db)) {
        unsigned old = 0;
        xc_status xs = release_docid(w->db, rterm, rlen, &old);
        if (xs != XC_OK)
            return xs;
        if (old && pi_db_stored(w->db, old)) {
            if ((xs = xc_db_delete_documents_by_term(w->db, rterm, rlen)) != XC_OK)
                return xs;
            return xc_db_add_document(w->db, d, docid);
        }
    }
    return xc_db_replace_document_by_term(w->db, rterm, rlen, d, docid);
}

static xc_status run_failed(int rc)
{
    char msg[256];
    snprintf(msg, sizeof msg, "cannot write the build's passages values: %s", strerror(errno));
    return rc == -2 ? xc_set_error(XC_ERR_NO_MEMORY, "out of memory") : xc_set_error(XC_ERR_IO, msg);
}

static void seq_hex(uint64_t seq, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)seq);
}

/*
 * One Xapian document per release (doc/schema.md): the paragraphs' stems (their positions in a
 * value, each paragraph PI_PARA_GAP positions after the previous one); the passage map (paragraph numbers,
 * lengths, text hashes) in a value; the texts as the data. Passages are found and scored inside
 * the release from positions at search time (passage.c).
 */
xc_status pi_writer_put(pi_writer *w, const pressindex_release *r, const char *date)
{
    const char *lang = r->lang && *r->lang ? r->lang : w->default_lang;
    pi_stemmer *stem = pi_stemmers_get(&w->stemmers, lang, w->default_lang);
    if (!stem)
        return XC_ERR_NO_MEMORY;
    char key[PI_KEY_LEN + 1], rterm[PI_KEY_LEN + 8];
    size_t rlen;
    release_term(r->id, key, rterm, &rlen);
    xc_status xs = XC_OK;

    char ymd[9] = "", ym[7] = "", y[5] = "";
    if (date[0]) {
        snprintf(ymd, sizeof ymd, "%.4s%.2s%.2s", date, date + 5, date + 8);
        snprintf(ym, sizeof ym, "%.6s", ymd);
        snprintf(y, sizeof y, "%.4s", ymd);
    }
    if (pi_fold_text(r->source ? r->source : "", &w->source) < 0)
        return XC_ERR_NO_MEMORY;
    if ((xs = xc_doc_clear(w->doc)) != XC_OK)
        return xs;
    xc_doc *d = w->doc;
    if (!w->posb && !(w->posb = calloc(1, sizeof *w->posb)))
        return XC_ERR_NO_MEMORY;
    pi_posb_clear(w->posb);
    pi_buf_clear(&w->map);
    pi_buf_clear(&w->data);
    unsigned passages = 0, pos = 1, prev = 0, docid = 0;
    for (size_t i = 0; i < r->n_paragraphs; i++) {
        const char *text = r->paragraphs[i];
        if (!text || !*text)
            continue;
        size_t len = strlen(text);
        pi_buf_clear(&w->folded);
        unsigned end = add_words(w, stem, text, len, "", pos, &w->folded, &xs);
        if (end == 0)
            return xs;
        char hash[PI_HASH_LEN + 1];
        pi_text_hash(w->folded.p ? w->folded.p : "", w->folded.len, hash);
        unsigned flags = pi_is_question(text, len) ? PI_PF_QUESTION : 0;
        if (pi_pmap_add(&w->map, (unsigned)(i + 1) - prev, end - pos, flags, hash) < 0 ||
            pi_buf_add(&w->data, text, len + 1) < 0)
            return XC_ERR_NO_MEMORY;
        char xh[PI_XH_LEN + 1];
        snprintf(xh, sizeof xh, "%.*s", PI_XH_LEN, hash);
        if ((xs = add_bool(d, PI_P_TEXTHASH, xh)) != XC_OK)
            return xs;
        prev = (unsigned)(i + 1);
        pos = end + PI_PARA_GAP;
        passages++;
    }
    char own[PI_DIGEST_LEN + 1];
    if (!w->digest)
        pi_release_digest(r, own);
    if (pi_record_encode(r, date, lang, passages, w->digest ? w->digest : own, &w->rec) < 0)
        return XC_ERR_NO_MEMORY;
    if (passages && pi_texts_pack(&w->zc, w->data.p, w->data.len, &w->zdata) < 0)
        return XC_ERR_NO_MEMORY;
    int same = 0;
    if ((xs = unchanged(w, key, rterm, rlen, &same)) != XC_OK || same)
        return xs;
    if (passages == 0) {
        /* No text: the release is its record alone, as before. */
        if ((xs = xc_db_delete_documents_by_term(w->db, rterm, rlen)) != XC_OK)
            return xs;
    } else {
        char seq[17];
        seq_hex(++w->seq, seq);
        /* Body words without positions (their wdf keeps BM25 over releases as it was): the
         * positions go to one value, the stopwords' to another (posblob.h). */
        if (pi_posb_finish(w->posb, PI_POSB_COMPRESS, &w->posv, &w->stopv) < 0 ||
            pi_pv_join(w->map.p, w->map.len, w->posv.p, w->posv.len, &w->pv) < 0)
            return XC_ERR_NO_MEMORY;
        for (size_t i = 0; i < pi_posb_terms(w->posb); i++) {
            size_t tl;
            unsigned wdf;
            const char *t = pi_posb_term(w->posb, i, &tl, &wdf);
            if ((xs = xc_doc_add_term(d, t, tl, wdf)) != XC_OK)
                return xs;
        }
        if ((r->title && *r->title &&
             add_words(w, stem, r->title, strlen(r->title), PI_P_TITLE, 1, NULL, &xs) == 0) ||
            (xs = xc_doc_add_boolean_term(d, rterm, rlen)) != XC_OK ||
            (xs = xc_doc_add_term(d, PI_P_PASSAGES, strlen(PI_P_PASSAGES), passages)) != XC_OK ||
            (xs = add_bool(d, PI_P_LANG, lang)) != XC_OK ||
            (w->source.len && (xs = add_bool(d, PI_P_SOURCE, w->source.p)) != XC_OK) ||
            (ymd[0] && ((xs = add_bool(d, PI_P_DAY, ymd)) != XC_OK ||
                        (xs = add_bool(d, PI_P_MONTH, ym)) != XC_OK ||
                        (xs = add_bool(d, PI_P_YEAR, y)) != XC_OK ||
                        (xs = xc_doc_set_value(d, PI_SLOT_DATE, ymd, 8)) != XC_OK)) ||
            (xs = xc_doc_set_value(d, PI_SLOT_RELEASE, key, PI_KEY_LEN)) != XC_OK ||
            (xs = xc_doc_set_value(d, PI_SLOT_SEQ, seq, 16)) != XC_OK ||
            (!w->run && (xs = xc_doc_set_value(d, PI_SLOT_POS, w->pv.p, w->pv.len)) != XC_OK) ||
            (!w->run && w->stopv.len &&
             (xs = xc_doc_set_value(d, PI_SLOT_STOPPOS, w->stopv.p, w->stopv.len)) != XC_OK) ||
            (!w->run && (xs = xc_doc_set_value(d, PI_SLOT_TEXTS, w->zdata.p, w->zdata.len)) != XC_OK) ||
            (xs = put_document(w, rterm, rlen, d, &docid)) != XC_OK)
            return xs ? xs : XC_ERR_OTHER;
        /* A build's shard: the passages values, texts and record go to its run, for the store
         * (build.c). */
        pi_store_rec sr = {{w->pv.p, w->stopv.p, w->zdata.p, w->rec.p},
                           {w->pv.len, w->stopv.len, w->zdata.len, w->rec.len}};
        int rc;
        if (w->run && (rc = pi_store_run_add(w->run, docid, &sr)) < 0)
            return run_failed(rc);
    }

    /* The source's name as written, for listing sources (the term holds only its folded form). */
    if (w->source.len && w->source.len < 200 && r->source) {
        char skey[256];
        snprintf(skey, sizeof skey, "%s%s", PI_META_SOURCE, w->source.p);
        if ((xs = xc_db_set_metadata(w->db, skey, r->source, strlen(r->source))) != XC_OK)
            return xs;
    }
    char mkey[PI_KEY_LEN + 8];
    snprintf(mkey, sizeof mkey, "%s%s", PI_META_RELEASE, key);
    if ((xs = xc_db_set_metadata(w->db, mkey, w->rec.p, w->rec.len)) != XC_OK)
        return xs;
    w->pending += passages ? passages : 1;
    return w->pending >= w->batch ? pi_writer_commit(w) : XC_OK;
}

xc_status pi_writer_delete(pi_writer *w, const char *id)
{
    char key[PI_KEY_LEN + 1], term[PI_KEY_LEN + 8];
    size_t n;
    release_term(id, key, term, &n);
    xc_status xs = xc_db_delete_documents_by_term(w->db, term, n);
    if (xs == XC_OK) {
        snprintf(term, sizeof term, "%s%s", PI_META_RELEASE, key);
        xs = xc_db_set_metadata(w->db, term, "", 0);
    }
    if (xs == XC_OK)
        w->pending++;
    return xs;
}

xc_status pi_writer_commit(pi_writer *w)
{
    char seq[17];
    seq_hex(w->seq, seq);
    xc_status xs = w->seq ? xc_db_set_metadata(w->db, PI_META_SEQ, seq, 16) : XC_OK;
    int rc;
    if (xs == XC_OK && w->run && (rc = pi_store_run_flush(w->run)) < 0)
        xs = run_failed(rc);
    if (xs == XC_OK)
        xs = xc_db_commit(w->db);
    if (xs == XC_OK)
        w->pending = 0;
    return xs;
}
