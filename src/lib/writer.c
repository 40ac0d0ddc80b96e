/*
 * writer.c - a release becomes passage documents: words folded and stemmed with positions, the
 * title's stems, boolean terms for filters, values for sorting and collapsing, the original text as
 * data, and the release's metadata stored once in the database metadata.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "text.h"

/* Longer "words" (base64, hashes) are not searchable text, and Xapian refuses terms over 245 bytes. */

int pi_writer_init(pi_writer *w, xc_db *db, const char *default_lang, uint64_t batch)
{
    memset(w, 0, sizeof *w);
    w->db = db;
    w->default_lang = default_lang;
    w->batch = batch;
    return xc_doc_new(&w->doc) == XC_OK ? 0 : -1;
}

void pi_writer_fini(pi_writer *w)
{
    xc_doc_free(w->doc);
    w->doc = NULL;
    pi_stemmers_free(&w->stemmers);
    pi_buf_free(&w->fold);
    pi_buf_free(&w->folded);
    pi_buf_free(&w->source);
    pi_buf_free(&w->rec);
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

/* Adds the stems of text to the document with prefix, from position pos; appends the folded
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
        size_t sl;
        const char *st = (size_t)n <= PI_MAX_TERM ? pi_stemmer_stem(stem, w->fold.p, (size_t)n, &sl) : NULL;
        if (st && sl > 0 && sl <= PI_MAX_TERM) {
            memcpy(term + plen, st, sl);
            if ((*xs = xc_doc_add_posting(w->doc, term, plen + sl, pos)) != XC_OK)
                return 0;
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

/* A passage a release already has in the index. */
typedef struct old_passage {
    unsigned pno, docid;
    char *text;
    int keep;
} old_passage;

static void free_old(old_passage *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(o[i].text);
    free(o);
}

static old_passage *find_old(old_passage *o, size_t n, unsigned pno)
{
    for (size_t i = 0; i < n; i++)
        if (o[i].pno == pno)
            return &o[i];
    return NULL;
}

static int same_str(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/*
 * When a release is written again with the same metadata (the nightly reindex of a release that
 * gained or lost a paragraph), its unchanged paragraphs keep their documents: re-adding all of them
 * made an edit cost as much as a new release. Sets *same and loads the passages in that case.
 */
static xc_status load_old(pi_writer *w, const char *key, const char *rterm, size_t rlen,
                          const pressindex_release *r, const char *date, const char *lang,
                          old_passage **out, size_t *n, int *same)
{
    char mkey[PI_KEY_LEN + 8], *blob = NULL;
    size_t blen = 0;
    snprintf(mkey, sizeof mkey, "%s%s", PI_META_RELEASE, key);
    xc_status xs = xc_db_get_metadata(w->db, mkey, &blob, &blen);
    pi_release_record rec;
    w->replaced = xs == XC_OK && blob;
    if (xs != XC_OK || !blob || pi_record_decode(blob, blen, &rec) < 0) {
        free(blob);
        return xs;
    }
    *same = same_str(rec.id, r->id) && same_str(rec.date, date) && same_str(rec.title, r->title) &&
            same_str(rec.source, r->source) && same_str(rec.url, r->url) && same_str(rec.lang, lang);
    pi_record_free(&rec);
    if (!*same)
        return XC_OK;
    xc_postlist *pl = NULL;
    if ((xs = xc_db_postlist(w->db, rterm, rlen, &pl)) != XC_OK)
        return xs;
    unsigned id;
    size_t cap = 0;
    int more;
    while ((more = xc_postlist_next(pl, &id)) > 0) {
        xc_doc *d = NULL;
        const char *v, *data;
        size_t vl, dl;
        if ((xs = xc_db_get_document(w->db, id, &d)) != XC_OK)
            break;
        if (*n == cap) {
            old_passage *g = realloc(*out, (cap = cap ? 2 * cap : 32) * sizeof *g);
            if (!g) {
                xc_doc_free(d);
                xs = XC_ERR_NO_MEMORY;
                break;
            }
            *out = g;
        }
        old_passage *o = &(*out)[*n];
        memset(o, 0, sizeof *o);
        o->docid = id;
        if ((xs = xc_doc_get_value(d, PI_SLOT_PARAGRAPH, &v, &vl)) == XC_OK)
            o->pno = (unsigned)strtoul(v, NULL, 10);
        if (xs == XC_OK && (xs = xc_doc_get_data(d, &data, &dl)) == XC_OK && !(o->text = strndup(data, dl)))
            xs = XC_ERR_NO_MEMORY;
        xc_doc_free(d);
        if (xs != XC_OK)
            break;
        (*n)++;
    }
    xc_postlist_free(pl);
    if (xs == XC_OK && more < 0)
        xs = xc_last_status();
    if (xs != XC_OK) {
        free_old(*out, *n);
        *out = NULL;
        *n = 0;
        *same = 0;
    }
    return xs;
}

xc_status pi_writer_put(pi_writer *w, const pressindex_release *r, const char *date)
{
    const char *lang = r->lang && *r->lang ? r->lang : w->default_lang;
    pi_stemmer *stem = pi_stemmers_get(&w->stemmers, lang, w->default_lang);
    if (!stem)
        return XC_ERR_NO_MEMORY;
    char key[PI_KEY_LEN + 1], rterm[PI_KEY_LEN + 8];
    size_t rlen;
    release_term(r->id, key, rterm, &rlen);
    old_passage *old = NULL;
    size_t n_old = 0;
    int same = 0;
    xc_status xs = load_old(w, key, rterm, rlen, r, date, lang, &old, &n_old, &same);
    if (xs == XC_OK && !same)
        xs = xc_db_delete_documents_by_term(w->db, rterm, rlen);
    if (xs != XC_OK) {
        free_old(old, n_old);
        return xs;
    }

    char ymd[9] = "", ym[7] = "", y[5] = "";
    if (date[0]) {
        snprintf(ymd, sizeof ymd, "%.4s%.2s%.2s", date, date + 5, date + 8);
        snprintf(ym, sizeof ym, "%.6s", ymd);
        snprintf(y, sizeof y, "%.4s", ymd);
    }
    if (pi_fold_text(r->source ? r->source : "", &w->source) < 0) {
        xs = XC_ERR_NO_MEMORY;
        goto out;
    }

    unsigned passages = 0;
    for (size_t i = 0; i < r->n_paragraphs; i++) {
        const char *text = r->paragraphs[i];
        if (!text || !*text)
            continue;
        old_passage *o = same ? find_old(old, n_old, (unsigned)(i + 1)) : NULL;
        if (o && !strcmp(o->text, text)) {
            o->keep = 1; /* the same paragraph in the same place: its document stands */
            passages++;
            continue;
        }
        size_t len = strlen(text);
        if ((xs = xc_doc_clear(w->doc)) != XC_OK)
            goto out;
        pi_buf_clear(&w->folded);
        if (add_words(w, stem, text, len, "", 1, &w->folded, &xs) == 0)
            goto out;
        /* The title goes with the release's first passage only (its lead): title: searches find
         * the release there, and the ranking reads titles from the release record. On every
         * passage it cost a fifth of the build time and a sixth of the index. */
        if (passages == 0 && r->title && *r->title &&
            add_words(w, stem, r->title, strlen(r->title), PI_P_TITLE, 1, NULL, &xs) == 0)
            goto out;
        char hash[PI_HASH_LEN + 1], pno[16];
        pi_text_hash(w->folded.p ? w->folded.p : "", w->folded.len, hash);
        int pl = snprintf(pno, sizeof pno, "%zu", i + 1);
        xc_doc *d = w->doc;
        if ((xs = xc_doc_add_boolean_term(d, rterm, rlen)) != XC_OK ||
            (xs = add_bool(d, PI_P_TEXTHASH, hash)) != XC_OK ||
            (xs = add_bool(d, PI_P_LANG, lang)) != XC_OK ||
            (w->source.len && (xs = add_bool(d, PI_P_SOURCE, w->source.p)) != XC_OK) ||
            (ymd[0] && ((xs = add_bool(d, PI_P_DAY, ymd)) != XC_OK ||
                        (xs = add_bool(d, PI_P_MONTH, ym)) != XC_OK ||
                        (xs = add_bool(d, PI_P_YEAR, y)) != XC_OK ||
                        (xs = xc_doc_set_value(d, PI_SLOT_DATE, ymd, 8)) != XC_OK)) ||
            (xs = xc_doc_set_value(d, PI_SLOT_RELEASE, key, PI_KEY_LEN)) != XC_OK ||
            (xs = xc_doc_set_value(d, PI_SLOT_TEXTHASH, hash, PI_HASH_LEN)) != XC_OK ||
            (xs = xc_doc_set_value(d, PI_SLOT_PARAGRAPH, pno, (size_t)pl)) != XC_OK ||
            (xs = xc_doc_set_data(d, text, len)) != XC_OK ||
            (xs = xc_db_add_document(w->db, d, NULL)) != XC_OK)
            goto out;
        passages++;
    }
    /* What the release no longer has (or has changed) goes. */
    for (size_t k = 0; k < n_old; k++)
        if (!old[k].keep && (xs = xc_db_delete_document(w->db, old[k].docid)) != XC_OK)
            goto out;
    free_old(old, n_old);
    old = NULL;

    /* The source's name as written, for listing sources (the term holds only its folded form). */
    if (w->source.len && w->source.len < 200 && r->source) {
        char skey[256];
        snprintf(skey, sizeof skey, "%s%s", PI_META_SOURCE, w->source.p);
        if ((xs = xc_db_set_metadata(w->db, skey, r->source, strlen(r->source))) != XC_OK)
            return xs;
    }
    char mkey[PI_KEY_LEN + 8];
    snprintf(mkey, sizeof mkey, "%s%s", PI_META_RELEASE, key);
    char own[PI_DIGEST_LEN + 1];
    if (!w->digest)
        pi_release_digest(r, own);
    if (pi_record_encode(r, date, lang, passages, w->digest ? w->digest : own, &w->rec) < 0)
        return XC_ERR_NO_MEMORY;
    if ((xs = xc_db_set_metadata(w->db, mkey, w->rec.p, w->rec.len)) != XC_OK)
        return xs;
    w->pending += passages ? passages : 1;
    return w->pending >= w->batch ? pi_writer_commit(w) : XC_OK;
out:
    free_old(old, n_old);
    return xs;
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
    xc_status xs = xc_db_commit(w->db);
    if (xs == XC_OK)
        w->pending = 0;
    return xs;
}
