/*
 * results.c - the results object: a page of ranked passages with their releases' metadata, the
 * matched words' offsets, and neighbouring paragraphs; the accessors; and a release's passages for
 * show (pressindex_get_release).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searcher.h"
#include "snippet.h"

typedef struct hit {
    char *text;
    char *release, *date, *title, *source, *url, *lang;
    unsigned paragraph;
    double score;
    size_t rank;
    uint64_t collapsed;
    size_t *hl;
    size_t n_hl;
    char **ctx;         /* n_ctx = 2 * context + 1 entries: paragraph number + d at [d + context] */
    size_t n_ctx;
} hit;

struct pressindex_results {
    hit *hits;
    size_t n;
    uint64_t estimated;
    size_t context;
    char *suggestion;
};

/* ---- reading the hits ---- */

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static pressindex_status fetch_context(pressindex *idx, const char *key, size_t context, hit *h);

/* Reads passage docid into h: text, paragraph, its release's metadata, highlights (m may be NULL). */
/* A passage already read for the rerank window: its text, paragraph number and release key. */
typedef struct known_passage {
    const char *text;
    size_t len;
    unsigned pno;
    const char *key;
    const pi_release_record *rec; /* NULL: read it */
} known_passage;

/* Fills a hit from the passage's document and its release's record, or from what the rerank window
 * already read of them (known: its text, or its rec, may be NULL): each read costs a B-tree lookup
 * and inflating the data. */
static pressindex_status fill_hit(pressindex *idx, unsigned docid, const pi_matcher *m, hit *h,
                                  const known_passage *known)
{
    char mkey[PI_KEY_LEN + 8];
    size_t dlen;
    xc_status xs = XC_OK;
    if (known && known->text) {
        dlen = known->len;
        if (!(h->text = strndup(known->text, known->len)))
            return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        h->paragraph = known->pno;
        snprintf(mkey, sizeof mkey, "%s%s", PI_META_RELEASE, known->key);
    } else {
        xc_doc *doc = NULL;
        if ((xs = xc_db_get_document(idx->db, docid, &doc)) != XC_OK)
            return pi_read_fail(idx, xs, "reading a result");
        const char *data, *key, *pno;
        size_t klen, plen;
        if ((xs = xc_doc_get_data(doc, &data, &dlen)) != XC_OK ||
            !(h->text = strndup(data, dlen)) ||
            (xs = xc_doc_get_value(doc, PI_SLOT_PARAGRAPH, &pno, &plen)) != XC_OK) {
            xc_doc_free(doc);
            return xs != XC_OK ? pi_read_fail(idx, xs, "reading a result")
                               : pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        }
        h->paragraph = (unsigned)strtoul(pno, NULL, 10);
        if ((xs = xc_doc_get_value(doc, PI_SLOT_RELEASE, &key, &klen)) == XC_OK)
            snprintf(mkey, sizeof mkey, "%s%.*s", PI_META_RELEASE, (int)klen, key);
        xc_doc_free(doc);
    }
    pi_release_record own;
    const pi_release_record *rec = known ? known->rec : NULL;
    if (!rec) {
        char *blob = NULL;
        size_t blen = 0;
        if (xs == XC_OK)
            xs = xc_db_get_metadata(idx->db, mkey, &blob, &blen);
        if (xs != XC_OK)
            return pi_read_fail(idx, xs, "reading a result's release");
        if (!blob || pi_record_decode(blob, blen, &own) < 0) {
            free(blob);
            return pi_read_damaged(idx, "a passage's release record is missing or damaged");
        }
        rec = &own;
    }
    h->release = dup_or_empty(rec->id);
    h->date = dup_or_empty(rec->date);
    h->title = dup_or_empty(rec->title);
    h->source = dup_or_empty(rec->source);
    h->url = dup_or_empty(rec->url);
    h->lang = dup_or_empty(rec->lang);
    if (rec == &own)
        pi_record_free(&own);
    if (!h->release || !h->date || !h->title || !h->source || !h->url || !h->lang)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    if (m) {
        pi_stemmer *stem = pi_index_stemmer(idx, h->lang);
        if (!stem || pi_highlight(m, stem, h->text, dlen, &h->hl, &h->n_hl) < 0)
            return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    }
    return PRESSINDEX_OK;
}

static void hit_free(hit *h)
{
    free(h->text);
    free(h->release);
    free(h->date);
    free(h->title);
    free(h->source);
    free(h->url);
    free(h->lang);
    free(h->hl);
    for (size_t i = 0; i < h->n_ctx; i++)
        free(h->ctx[i]);
    free(h->ctx);
}

void pressindex_results_destroy(pressindex_results *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->n; i++)
        hit_free(&res->hits[i]);
    free(res->hits);
    free(res->suggestion);
    free(res);
}

pressindex_results *pi_results_new(void)
{
    return calloc(1, sizeof(pressindex_results));
}

void pi_results_set_suggestion(pressindex_results *res, char *suggestion)
{
    free(res->suggestion);
    res->suggestion = suggestion;
}

pressindex_status pi_results_fill(pi_search *s, size_t first, size_t count, pressindex_results *res)
{
    pressindex_status st = PRESSINDEX_OK;
    res->estimated = s->estimated;
    res->context = s->o->context;
    res->hits = calloc(count ? count : 1, sizeof *res->hits);
    if (!res->hits)
        return pi_fail(s->idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    for (size_t i = 0; st == PRESSINDEX_OK && i < count; i++) {
        if ((st = pi_search_in_time(s)) != PRESSINDEX_OK)
            break;
        hit *h = &res->hits[i];
        const pi_cand *ci = &s->c[first + i];
        h->score = ci->score;
        h->collapsed = ci->collapsed;
        h->rank = s->o->offset + i + 1;
        res->n = i + 1;
        known_passage kp = {ci->text, ci->tlen, ci->pno, ci->key, ci->rec};
        st = fill_hit(s->idx, ci->docid, &s->m, h, &kp);
        if (st == PRESSINDEX_OK && s->o->context) {
            char key[PI_KEY_LEN + 1];
            pi_release_key(h->release, key);
            st = fetch_context(s->idx, key, s->o->context, h);
        }
    }
    return st;
}

/* Every passage of the release with this key, by paragraph number: docids in *ids, their numbers
 * in *pnos. */
static pressindex_status release_passages(pressindex *idx, const char *key, unsigned **ids,
                                          unsigned **pnos, size_t *n)
{
    char term[PI_KEY_LEN + 8];
    snprintf(term, sizeof term, "%s%s", PI_P_RELEASE, key);
    xc_postlist *pl = NULL;
    xc_status xs = xc_db_postlist(idx->db, term, strlen(term), &pl);
    *ids = NULL;
    *pnos = NULL;
    *n = 0;
    size_t cap = 0;
    unsigned id;
    int more;
    while (xs == XC_OK && (more = xc_postlist_next(pl, &id)) > 0) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 32;
            unsigned *a = realloc(*ids, cap * sizeof *a), *b = a ? realloc(*pnos, cap * sizeof *b) : NULL;
            if (a)
                *ids = a;
            if (b)
                *pnos = b;
            if (!a || !b) {
                xs = XC_ERR_NO_MEMORY;
                break;
            }
        }
        xc_doc *doc = NULL;
        const char *v;
        size_t vl;
        if ((xs = xc_db_get_document(idx->db, id, &doc)) != XC_OK)
            break;
        xs = xc_doc_get_value(doc, PI_SLOT_PARAGRAPH, &v, &vl);
        (*ids)[*n] = id;
        (*pnos)[*n] = xs == XC_OK ? (unsigned)strtoul(v, NULL, 10) : 0;
        xc_doc_free(doc);
        (*n)++;
    }
    xc_postlist_free(pl);
    if (xs == XC_OK && more < 0)
        xs = xc_last_status();
    if (xs != XC_OK) {
        free(*ids);
        free(*pnos);
        *ids = *pnos = NULL;
        *n = 0;
        return pi_read_fail(idx, xs, "reading a release");
    }
    return PRESSINDEX_OK;
}

static pressindex_status fetch_context(pressindex *idx, const char *key, size_t context, hit *h)
{
    unsigned *ids, *pnos;
    size_t n;
    pressindex_status st = release_passages(idx, key, &ids, &pnos, &n);
    if (st != PRESSINDEX_OK)
        return st;
    h->ctx = calloc(2 * context + 1, sizeof *h->ctx);
    if (!h->ctx)
        st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    else
        h->n_ctx = 2 * context + 1;
    for (size_t i = 0; st == PRESSINDEX_OK && i < n; i++) {
        long d = (long)pnos[i] - (long)h->paragraph;
        if (d == 0 || d < -(long)context || d > (long)context)
            continue;
        hit tmp = {0};
        st = fill_hit(idx, ids[i], NULL, &tmp, NULL);
        h->ctx[d + (long)context] = tmp.text;
        tmp.text = NULL;
        hit_free(&tmp);
    }
    free(ids);
    free(pnos);
    return st;
}

static int cmp_paragraph(const void *a, const void *b)
{
    const hit *x = a, *y = b;
    return x->paragraph < y->paragraph ? -1 : x->paragraph > y->paragraph;
}

pressindex_status pressindex_get_release(pressindex *idx, const char *id, pressindex_results **out)
{
    if (out)
        *out = NULL;
    if (!idx || !id || !out)
        return idx ? pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no release id given")
                   : PRESSINDEX_ERR_INVALID_ARGUMENT;
    char key[PI_KEY_LEN + 1];
    pi_release_key(id, key);
    pressindex_status st = PRESSINDEX_ERR_MODIFIED;
    pressindex_results *res = NULL;
    for (unsigned attempt = 0; st == PRESSINDEX_ERR_MODIFIED; attempt++) {
        if (attempt && (st = pi_retry_pause(idx, attempt, 0, 0)) != PRESSINDEX_OK)
            break;
        if ((attempt || !idx->writable || idx->broken) && (st = pi_index_refresh(idx)) != PRESSINDEX_OK) {
            if (st == PRESSINDEX_ERR_MODIFIED)
                continue;
            break;
        }
        pressindex_results_destroy(res);
        res = NULL;
        unsigned *ids = NULL, *pnos = NULL;
        size_t n = 0;
        res = calloc(1, sizeof *res);
        if (!res)
            return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        if ((st = release_passages(idx, key, &ids, &pnos, &n)) != PRESSINDEX_OK)
            continue;
        if (n == 0) {
            free(ids);
            free(pnos);
            pressindex_results_destroy(res);
            return pi_fail(idx, PRESSINDEX_ERR_NOT_FOUND, "no release with id %s", id);
        }
        res->hits = calloc(n, sizeof *res->hits);
        if (!res->hits)
            st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        for (size_t i = 0; st == PRESSINDEX_OK && i < n; i++) {
            res->n = i + 1;
            st = fill_hit(idx, ids[i], NULL, &res->hits[i], NULL);
        }
        free(ids);
        free(pnos);
        if (st == PRESSINDEX_OK) {
            qsort(res->hits, res->n, sizeof *res->hits, cmp_paragraph);
            for (size_t i = 0; i < res->n; i++)
                res->hits[i].rank = i + 1;
            res->estimated = res->n;
        }
    }
    if (st != PRESSINDEX_OK) {
        pressindex_results_destroy(res);
        return st;
    }
    *out = res;
    return PRESSINDEX_OK;
}

/* ---- accessors ---- */

size_t pressindex_results_count(const pressindex_results *res)
{
    return res ? res->n : 0;
}

uint64_t pressindex_results_estimated(const pressindex_results *res)
{
    return res ? res->estimated : 0;
}

static const hit *at(const pressindex_results *res, size_t i)
{
    return res && i < res->n ? &res->hits[i] : NULL;
}

#define STR_ACCESSOR(name, field)                                                  \
    const char *pressindex_result_##name(const pressindex_results *res, size_t i)  \
    {                                                                              \
        const hit *h = at(res, i);                                                 \
        return h && h->field ? h->field : "";                                      \
    }
STR_ACCESSOR(text, text)
STR_ACCESSOR(release, release)
STR_ACCESSOR(date, date)
STR_ACCESSOR(title, title)
STR_ACCESSOR(source, source)
STR_ACCESSOR(url, url)
STR_ACCESSOR(lang, lang)

unsigned pressindex_result_paragraph(const pressindex_results *res, size_t i)
{
    const hit *h = at(res, i);
    return h ? h->paragraph : 0;
}

double pressindex_result_score(const pressindex_results *res, size_t i)
{
    const hit *h = at(res, i);
    return h ? h->score : 0.0;
}

size_t pressindex_result_rank(const pressindex_results *res, size_t i)
{
    const hit *h = at(res, i);
    return h ? h->rank : 0;
}

uint64_t pressindex_result_collapsed(const pressindex_results *res, size_t i)
{
    const hit *h = at(res, i);
    return h ? h->collapsed : 0;
}

void pressindex_result_highlights(const pressindex_results *res, size_t i, const size_t **offsets,
                                  size_t *n)
{
    const hit *h = at(res, i);
    if (offsets)
        *offsets = h ? h->hl : NULL;
    if (n)
        *n = h ? h->n_hl / 2 : 0;
}

const char *pressindex_result_context(const pressindex_results *res, size_t i, long d,
                                      unsigned *paragraph)
{
    const hit *h = at(res, i);
    if (!h || !h->ctx || d == 0 || d < -(long)res->context || d > (long)res->context)
        return NULL;
    const char *t = h->ctx[d + (long)res->context];
    if (t && paragraph)
        *paragraph = (unsigned)((long)h->paragraph + d);
    return t;
}

const char *pressindex_results_suggestion(const pressindex_results *res)
{
    return res && res->suggestion ? res->suggestion : "";
}
