/*
 * results.c - the results object: a page of ranked passages with their releases' metadata, the
 * matched words' offsets, and neighbouring paragraphs; the accessors; and a release's passages for
 * show (pressindex_get_release).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passage.h"
#include "posblob.h"
#include "store.h"
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
    uint64_t total;
    int exact;
    pi_counts counts;   /* the facets (count.c), when asked */
    uint64_t sequence;
    size_t context;
    char *suggestion;
};

/* ---- reading the hits ---- */

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

/* A release document as read: its passage map and texts. */
typedef struct rdoc {
    unsigned docid;
    pi_passage *ps;
    size_t np;
    char *z;          /* the texts as stored (compressed) */
    size_t zlen;
    pi_buf t;         /* the texts inflated last: passages tfirst .. tupto */
    size_t tfirst, tupto;
    char key[PI_KEY_LEN + 1];
} rdoc;

static void rdoc_free(rdoc *d)
{
    free(d->ps);
    free(d->z);
    pi_buf_free(&d->t);
    memset(d, 0, sizeof *d);
}

/* The text of passage k (*t NULL when the texts hold none): d->t is made to hold it, inflated from
 * the start of its block and no further than k. */
static pressindex_status rdoc_text(pressindex *idx, rdoc *d, size_t k, const char **t, size_t *len)
{
    *t = NULL;
    if (!(d->t.p && d->t.len && d->tfirst <= k && k <= d->tupto)) {
        int rc = pi_texts_unpack(&idx->unz, d->z, d->zlen, k, k, &d->t, &d->tfirst);
        if (rc < 0)
            return pi_decode_fail(idx, rc, "a release's texts are damaged");
        d->tupto = k;
    }
    if (k >= d->tfirst)
        *t = pi_data_text(d->t.p, d->t.len, k - d->tfirst, len);
    return PRESSINDEX_OK;
}

/* Reads release document docid into d: its passage map (known_map when the search read it
 * already: the passages value is the largest read of a result), release key (known_key, the
 * same) and stored texts. */
static pressindex_status rdoc_read(pressindex *idx, unsigned docid, rdoc *d, const char *known_map,
                                   size_t known_mlen, const char *known_key)
{
    char *v = NULL, *key = NULL;
    size_t vlen = 0, klen = 0;
    memset(d, 0, sizeof *d);
    d->docid = docid;
    xc_status xs = known_map ? XC_OK : pi_db_value(idx->db, docid, PI_SLOT_POS, &v, &vlen);
    if (xs == XC_OK && !known_key)
        xs = xc_db_value(idx->db, docid, PI_SLOT_RELEASE, &key, &klen);
    if (xs == XC_OK)
        xs = pi_db_value(idx->db, docid, PI_SLOT_TEXTS, &d->z, &d->zlen);
    if (xs == XC_OK)
        snprintf(d->key, sizeof d->key, "%.*s", known_key ? PI_KEY_LEN : (int)klen, known_key ? known_key : key);
    const char *m = known_map, *pos;
    size_t ml = known_mlen, plen;
    int bad = xs != XC_OK ? 0 : !known_map && pi_pv_split(v, vlen, &m, &ml, &pos, &plen) < 0 ? -1
                                                                                        : pi_pmap_decode(m, ml, &d->ps, &d->np);
    free(v);
    free(key);
    if (xs != XC_OK || bad) {
        rdoc_free(d);
        return xs != XC_OK ? pi_read_fail(idx, xs, "reading a release")
                           : pi_decode_fail(idx, bad, "a release's passage map is damaged");
    }
    return PRESSINDEX_OK;
}

static pressindex_status fetch_context(pressindex *idx, rdoc *d, size_t context, hit *h);

/* What the rerank window already read of a passage (its text and release), or NULLs. */
typedef struct known_passage {
    const char *text;
    size_t len;
    const char *key;
    const pi_release_record *rec; /* NULL: read it */
} known_passage;

/* Fills a hit from passage pidx of the release document d (its text, paragraph number, its
 * release's record) or from what the window read; highlights when m is given. */
static pressindex_status fill_hit(pressindex *idx, rdoc *d, unsigned pidx, const pi_matcher *m,
                                  hit *h, const known_passage *known)
{
    size_t dlen = 0;
    const char *t = known && known->text ? known->text : NULL;
    if (t)
        dlen = known->len;
    else {
        pressindex_status st = rdoc_text(idx, d, pidx, &t, &dlen);
        if (st != PRESSINDEX_OK)
            return st;
        if (!t)
            return pi_read_damaged(idx, "a release's texts do not match its passage map");
    }
    if (!(h->text = strndup(t, dlen)))
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    h->paragraph = pidx < d->np ? d->ps[pidx].pno : 0;
    pi_release_record own;
    const pi_release_record *rec = known ? known->rec : NULL;
    if (!rec) {
        char *blob = NULL;
        size_t blen = 0;
        xc_status xs = pi_db_record(idx->db, d->docid, known && known->key ? known->key : d->key,
                                    &blob, &blen);
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
    pi_counts_free(&res->counts);
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
    if (s->counts.done) {
        res->total = s->counts.total;
        res->exact = s->counts.exact;
    } else {
        res->total = s->total;
        res->exact = s->total_exact;
    }
    res->sequence = s->sequence;
    pi_counts_free(&res->counts);
    res->counts = s->counts; /* moved: the search no longer owns it */
    memset(&s->counts, 0, sizeof s->counts);
    res->context = s->o->context;
    res->hits = calloc(count ? count : 1, sizeof *res->hits);
    if (!res->hits)
        return pi_fail(s->idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    /* Each release read once for the page (several of its passages may be on it). */
    rdoc *docs = calloc(count ? count : 1, sizeof *docs);
    size_t nd = 0;
    if (!docs)
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
        rdoc *d = NULL;
        for (size_t k = 0; k < nd && !d; k++)
            if (docs[k].docid == ci->docid)
                d = &docs[k];
        if (!d) {
            size_t ml = 0;
            const char *map = pi_plan_map(s->plan, ci->docid, &ml);
            if ((st = rdoc_read(s->idx, ci->docid, &docs[nd], map, ml, ci->key[0] ? ci->key : NULL)) != PRESSINDEX_OK)
                break;
            d = &docs[nd++];
        }
        known_passage kp = {NULL, 0, ci->key[0] ? ci->key : NULL, ci->rec};
        st = fill_hit(s->idx, d, ci->pidx, &s->m, h, &kp);
        if (st == PRESSINDEX_OK && s->o->context)
            st = fetch_context(s->idx, d, s->o->context, h);
    }
    for (size_t k = 0; k < nd; k++)
        rdoc_free(&docs[k]);
    free(docs);
    return st;
}

/* The document of the release with this key: *docid 0 when there is none. */
static pressindex_status release_doc(pressindex *idx, const char *key, unsigned *docid)
{
    char term[PI_KEY_LEN + 8];
    snprintf(term, sizeof term, "%s%s", PI_P_RELEASE, key);
    xc_postlist *pl = NULL;
    *docid = 0;
    xc_status xs = xc_db_postlist(idx->db, term, strlen(term), &pl);
    if (xs == XC_OK && xc_postlist_next(pl, docid) < 0)
        xs = xc_last_status();
    xc_postlist_free(pl);
    return xs == XC_OK ? PRESSINDEX_OK : pi_read_fail(idx, xs, "reading a release");
}

static pressindex_status fetch_context(pressindex *idx, rdoc *d, size_t context, hit *h)
{
    h->ctx = calloc(2 * context + 1, sizeof *h->ctx);
    if (!h->ctx)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    h->n_ctx = 2 * context + 1;
    for (size_t i = 0; i < d->np; i++) {
        long dd = (long)d->ps[i].pno - (long)h->paragraph;
        if (dd == 0 || dd < -(long)context || dd > (long)context)
            continue;
        size_t len = 0;
        const char *t;
        pressindex_status st = rdoc_text(idx, d, i, &t, &len);
        if (st != PRESSINDEX_OK)
            return st;
        if (t && !(h->ctx[dd + (long)context] = strndup(t, len)))
            return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    }
    return PRESSINDEX_OK;
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
        res = calloc(1, sizeof *res);
        if (!res)
            return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        unsigned docid = 0;
        if ((st = release_doc(idx, key, &docid)) != PRESSINDEX_OK)
            continue;
        if (!docid) {
            pressindex_results_destroy(res);
            return pi_fail(idx, PRESSINDEX_ERR_NOT_FOUND, "no release with id %s", id);
        }
        rdoc d;
        if ((st = rdoc_read(idx, docid, &d, NULL, 0, NULL)) != PRESSINDEX_OK)
            continue;
        res->hits = calloc(d.np ? d.np : 1, sizeof *res->hits);
        if (!res->hits)
            st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        for (size_t i = 0; st == PRESSINDEX_OK && i < d.np; i++) {
            res->n = i + 1;
            st = fill_hit(idx, &d, (unsigned)i, NULL, &res->hits[i], NULL);
            res->hits[i].rank = i + 1;
        }
        res->total = res->n;
        res->exact = 1;
        rdoc_free(&d);
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
    return res ? res->total : 0;
}

uint64_t pressindex_results_total(const pressindex_results *res, int *exact)
{
    if (exact)
        *exact = res ? res->exact : 0;
    return res ? res->total : 0;
}

size_t pressindex_results_facet_count(const pressindex_results *res, pressindex_facet facet)
{
    if (!res || (unsigned)facet >= PI_FACETS)
        return 0;
    return res->counts.nf[facet];
}

const char *pressindex_results_facet_value(const pressindex_results *res, pressindex_facet facet,
                                           size_t i, uint64_t *count)
{
    if (count)
        *count = 0;
    if (!res || (unsigned)facet >= PI_FACETS || i >= res->counts.nf[facet])
        return NULL;
    if (count)
        *count = res->counts.f[facet][i].count;
    return res->counts.f[facet][i].value;
}

int pressindex_results_facets_exact(const pressindex_results *res)
{
    return res && res->counts.facets ? res->counts.facets_exact : 0;
}

uint64_t pressindex_results_sequence(const pressindex_results *res)
{
    return res ? res->sequence : 0;
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
