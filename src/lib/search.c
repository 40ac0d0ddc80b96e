/*
 * search.c - query text + options -> ranked passages: Xapian query built from the checked query,
 * filters (dates as boolean terms, sources), BM25, collapsing of identical paragraphs or of
 * releases, paging, and each result's metadata and highlights.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "query.h"
#include "snippet.h"

/* How much a passage holding the query words side by side, in order, gains over one where they
 * are scattered (a phrase query added with AND_MAYBE, its weight scaled by this). */
#define ADJACENCY_WEIGHT 1.0
/* Reopen-and-retry rounds when a commit lands while we read (DatabaseModifiedError). */
#define MAX_RETRIES 5

typedef struct hit {
    char *text;
    char *release, *date, *title, *source, *url, *lang;
    unsigned paragraph;
    double score;
    size_t rank;
    uint64_t collapsed;
    size_t *hl;
    size_t n_hl;
} hit;

struct pressindex_results {
    hit *hits;
    size_t n;
    uint64_t estimated;
};

void pressindex_search_options_init(pressindex_search_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->limit = 10;
    opts->collapse = 1;
}

/* ---- building the Xapian query ---- */

static xc_status combine2(int op, xc_query *a, xc_query *b, xc_query **out)
{
    xc_query *subs[2] = {a, b};
    return xc_query_combine(op, subs, 2, 0, out);
}

/* Replaces *q by (*q op other), freeing both inputs. */
static xc_status fold_in(int op, xc_query **q, xc_query *other)
{
    xc_query *r = NULL;
    xc_status xs = combine2(op, *q, other, &r);
    xc_query_free(*q);
    xc_query_free(other);
    *q = r;
    return xs;
}

static void year_bounds(pressindex *idx, int *lo, int *hi)
{
    char *a = NULL, *b = NULL;
    *lo = 1900;
    *hi = 2100;
    if (xc_db_value_bounds(idx->db, PI_SLOT_DATE, &a, &b) == XC_OK) {
        /* Values are YYYYMMDD: the year is the first four digits. */
        if (a && strlen(a) == 8)
            *lo = (int)strtol((char[5]){a[0], a[1], a[2], a[3], '\0'}, NULL, 10);
        if (b && strlen(b) == 8)
            *hi = (int)strtol((char[5]){b[0], b[1], b[2], b[3], '\0'}, NULL, 10);
    }
    free(a);
    free(b);
}

static pressindex_status build_query(pressindex *idx, const pressindex_search_options *o,
                                     pi_query *pq, xc_query **out)
{
    xc_status xs = XC_OK;
    xc_query *q = NULL;
    xc_qp *qp = NULL;
    *out = NULL;

    if (pq->text.len) {
        if ((xs = xc_qp_new(&qp)) != XC_OK || (xs = xc_qp_set_database(qp, idx->db)) != XC_OK ||
            (xs = xc_qp_add_prefix(qp, "title", PI_P_TITLE)) != XC_OK)
            goto fail;
        xs = xc_qp_parse(qp, pq->text.p, XC_QP_BOOLEAN | XC_QP_PHRASE | XC_QP_LOVEHATE |
                                         XC_QP_WILDCARD | XC_QP_PURE_NOT, &q);
        xc_qp_free(qp);
        qp = NULL;
        if (xs != XC_OK)
            goto fail;
        if (!pq->structured && pq->n_words >= 2 && ADJACENCY_WEIGHT > 0) {
            xc_query **terms = calloc(pq->n_words, sizeof *terms);
            xc_query *phrase = NULL, *scaled = NULL;
            size_t made = 0;
            xs = terms ? XC_OK : XC_ERR_NO_MEMORY;
            for (; xs == XC_OK && made < pq->n_words; made++)
                xs = xc_query_term(pq->words[made], strlen(pq->words[made]), &terms[made]);
            if (xs == XC_OK)
                xs = xc_query_combine(XC_OP_PHRASE, terms, pq->n_words, 0, &phrase);
            if (xs == XC_OK)
                xs = xc_query_scale(phrase, ADJACENCY_WEIGHT, &scaled);
            for (size_t i = 0; i < made; i++)
                xc_query_free(terms[i]);
            free(terms);
            xc_query_free(phrase);
            if (xs == XC_OK)
                xs = fold_in(XC_OP_AND_MAYBE, &q, scaled);
            if (xs != XC_OK)
                goto fail;
        }
    } else if ((xs = xc_query_match_all(&q)) != XC_OK) {
        goto fail;
    }

    /* Filters. Dates are boolean Y/M/D terms: a value range costs a scan of every passage. */
    int ylo, yhi;
    year_bounds(idx, &ylo, &yhi);
    pi_date_range extra = {{0}, {0}};
    if (o->since)
        snprintf(extra.lo, sizeof extra.lo, "%s", o->since);
    if (o->until)
        snprintf(extra.hi, sizeof extra.hi, "%s", o->until);
    for (size_t i = 0; i <= pq->n_dates; i++) {
        const pi_date_range *r = i < pq->n_dates ? &pq->dates[i] : &extra;
        if (!r->lo[0] && !r->hi[0])
            continue;
        xc_query *f = NULL;
        xs = xc_query_date_range(r->lo[0] ? r->lo : NULL, r->hi[0] ? r->hi : NULL, PI_P_YEAR,
                                 PI_P_MONTH, PI_P_DAY, ylo, yhi, &f);
        if (xs == XC_ERR_INVALID) {
            xc_query_free(q);
            return pi_fail(idx, PRESSINDEX_ERR_BAD_QUERY, "bad date range %s..%s", r->lo, r->hi);
        }
        if (xs != XC_OK || (xs = fold_in(XC_OP_FILTER, &q, f)) != XC_OK)
            goto fail;
    }
    if (pq->n_sources || (o->source && *o->source)) {
        xc_query *any = NULL;
        pi_buf folded = {0}, term = {0};
        for (size_t i = 0; xs == XC_OK && i <= pq->n_sources; i++) {
            const char *name = i < pq->n_sources ? pq->sources[i] : NULL;
            if (!name) {
                if (!o->source || !*o->source)
                    break;
                if (pi_fold_text(o->source, &folded) < 0) {
                    xs = XC_ERR_NO_MEMORY;
                    break;
                }
                name = folded.p;
            }
            xc_query *t = NULL;
            pi_buf_clear(&term);
            if (pi_buf_printf(&term, "%s%s", PI_P_SOURCE, name) < 0)
                xs = XC_ERR_NO_MEMORY;
            else if ((xs = xc_query_term(term.p, term.len, &t)) == XC_OK)
                xs = any ? fold_in(XC_OP_OR, &any, t) : (any = t, XC_OK);
        }
        pi_buf_free(&folded);
        pi_buf_free(&term);
        if (xs != XC_OK || (xs = fold_in(XC_OP_FILTER, &q, any)) != XC_OK)
            goto fail;
    }
    *out = q;
    return PRESSINDEX_OK;
fail:
    xc_qp_free(qp);
    xc_query_free(q);
    if (xs == XC_ERR_BAD_QUERY)
        return pi_fail(idx, PRESSINDEX_ERR_BAD_QUERY, "malformed query: %s", xc_last_error());
    return pi_fail_xc(idx, xs, "searching");
}

/* The stems to highlight: the query's unprefixed terms (index stems are lower case; prefixes are
 * capitals). */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static xc_status make_matcher(const xc_query *q, const pi_query *pq, pi_matcher *m)
{
    xc_keylist *kl = NULL;
    xc_status xs = xc_query_terms(q, &kl);
    if (xs != XC_OK)
        return xs;
    const char *t;
    size_t n;
    int more;
    size_t cap = 0;
    while ((more = xc_keylist_next(kl, &t, &n)) > 0) {
        if (!n || (t[0] >= 'A' && t[0] <= 'Z'))
            continue;
        if (m->n_stems == cap) {
            cap = cap ? 2 * cap : 8;
            char **g = realloc(m->stems, cap * sizeof *g);
            if (!g) {
                xs = XC_ERR_NO_MEMORY;
                break;
            }
            m->stems = g;
        }
        if (!(m->stems[m->n_stems] = strndup(t, n))) {
            xs = XC_ERR_NO_MEMORY;
            break;
        }
        m->n_stems++;
    }
    xc_keylist_free(kl);
    if (more < 0 && xs == XC_OK)
        xs = XC_ERR_OTHER;
    if (m->n_stems)
        qsort(m->stems, m->n_stems, sizeof *m->stems, cmp_str);
    m->prefixes = pq->wildcards;
    m->n_prefixes = pq->n_wildcards;
    return xs;
}

static void matcher_free(pi_matcher *m)
{
    for (size_t i = 0; i < m->n_stems; i++)
        free(m->stems[i]);
    free(m->stems);
}

/* ---- reading the hits ---- */

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static pressindex_status fill_hit(pressindex *idx, xc_mset *ms, unsigned i, const pi_matcher *m,
                                  size_t rank, hit *h)
{
    unsigned docid;
    xc_doc *doc = NULL;
    xc_status xs = xc_mset_item(ms, i, &docid, &h->score, &h->collapsed);
    if (xs == XC_OK)
        xs = xc_mset_document(ms, i, &doc);
    if (xs != XC_OK)
        return pi_fail_xc(idx, xs, "reading a result");
    const char *data, *key, *pno;
    size_t dlen, klen, plen;
    if ((xs = xc_doc_get_data(doc, &data, &dlen)) != XC_OK ||
        !(h->text = strndup(data, dlen)) ||
        (xs = xc_doc_get_value(doc, PI_SLOT_PARAGRAPH, &pno, &plen)) != XC_OK) {
        xc_doc_free(doc);
        return xs != XC_OK ? pi_fail_xc(idx, xs, "reading a result")
                           : pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    }
    h->paragraph = (unsigned)strtoul(pno, NULL, 10);
    h->rank = rank;
    char mkey[PI_KEY_LEN + 8];
    if ((xs = xc_doc_get_value(doc, PI_SLOT_RELEASE, &key, &klen)) == XC_OK)
        snprintf(mkey, sizeof mkey, "%s%.*s", PI_META_RELEASE, (int)klen, key);
    xc_doc_free(doc);
    char *blob = NULL;
    size_t blen = 0;
    if (xs == XC_OK)
        xs = xc_db_get_metadata(idx->db, mkey, &blob, &blen);
    if (xs != XC_OK)
        return pi_fail_xc(idx, xs, "reading a result's release");
    pi_release_record rec;
    if (!blob || pi_record_decode(blob, blen, &rec) < 0) {
        free(blob);
        return pi_fail(idx, PRESSINDEX_ERR_CORRUPT, "a passage's release record is missing or damaged");
    }
    h->release = dup_or_empty(rec.id);
    h->date = dup_or_empty(rec.date);
    h->title = dup_or_empty(rec.title);
    h->source = dup_or_empty(rec.source);
    h->url = dup_or_empty(rec.url);
    h->lang = dup_or_empty(rec.lang);
    pi_record_free(&rec);
    if (!h->release || !h->date || !h->title || !h->source || !h->url || !h->lang)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    pi_stemmer *stem = pi_index_stemmer(idx, h->lang);
    if (!stem || pi_highlight(m, stem, h->text, dlen, &h->hl, &h->n_hl) < 0)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
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
}

void pressindex_results_destroy(pressindex_results *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->n; i++)
        hit_free(&res->hits[i]);
    free(res->hits);
    free(res);
}

/* One attempt against the current revision; XC_ERR_MODIFIED is retried by the caller. */
static pressindex_status run_once(pressindex *idx, const pressindex_search_options *o, pi_query *pq,
                                  pressindex_results *res)
{
    xc_query *q = NULL;
    xc_enquire *enq = NULL;
    xc_mset *ms = NULL;
    pi_matcher m = {0};
    pressindex_status st = build_query(idx, o, pq, &q);
    if (st != PRESSINDEX_OK)
        return st;
    xc_status xs = xc_enquire_new(idx->db, &enq);
    if (xs == XC_OK)
        xs = xc_enquire_set_query(enq, q);
    if (xs == XC_OK && (o->by_release || o->collapse))
        xs = xc_enquire_set_collapse_key(enq, o->by_release ? PI_SLOT_RELEASE : PI_SLOT_TEXTHASH, 1);
    if (xs == XC_OK && o->sort == PRESSINDEX_SORT_DATE)
        xs = xc_enquire_set_sort_by_value_then_relevance(enq, PI_SLOT_DATE, 1);
    if (xs == XC_OK)
        xs = xc_enquire_get_mset(enq, (unsigned)o->offset, (unsigned)o->limit, 0, &ms);
    if (xs == XC_OK)
        xs = make_matcher(q, pq, &m);
    if (xs != XC_OK) {
        st = xs == XC_ERR_MODIFIED ? PRESSINDEX_ERR_MODIFIED : pi_fail_xc(idx, xs, "searching");
        goto out;
    }
    res->estimated = xc_mset_matches_estimated(ms);
    unsigned size = xc_mset_size(ms);
    res->hits = calloc(size ? size : 1, sizeof *res->hits);
    if (!res->hits) {
        st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        goto out;
    }
    for (unsigned i = 0; i < size; i++) {
        st = fill_hit(idx, ms, i, &m, o->offset + i + 1, &res->hits[i]);
        res->n = i + 1;
        if (st != PRESSINDEX_OK)
            goto out;
    }
out:
    matcher_free(&m);
    xc_mset_free(ms);
    xc_enquire_free(enq);
    xc_query_free(q);
    return st;
}

pressindex_status pressindex_search(pressindex *idx, const pressindex_search_options *o,
                                    pressindex_results **out)
{
    if (out)
        *out = NULL;
    if (!idx || !o || !out || !o->query)
        return idx ? pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no query given")
                   : PRESSINDEX_ERR_INVALID_ARGUMENT;
    if ((o->since && !pi_date_bound_valid(o->since, strlen(o->since))) ||
        (o->until && !pi_date_bound_valid(o->until, strlen(o->until))))
        return pi_fail(idx, PRESSINDEX_ERR_BAD_QUERY,
                       "bad date \"%s\" (use YYYY, YYYY-MM or YYYY-MM-DD)",
                       o->since && !pi_date_bound_valid(o->since, strlen(o->since)) ? o->since : o->until);
    if (o->since && o->until && strncmp(o->since, o->until, 10) > 0 &&
        strncmp(o->until, o->since, strlen(o->until)) != 0)
        return pi_fail(idx, PRESSINDEX_ERR_BAD_QUERY, "the date range ends (%s) before it starts (%s)",
                       o->until, o->since);
    pi_stemmer *stem = pi_index_stemmer(idx, o->lang);
    if (!stem)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");

    pi_query pq;
    pi_buf err = {0};
    int prc = pi_query_parse(o->query, stem, &pq, &err);
    if (prc < 0) {
        pressindex_status st = prc == -1 ? pi_fail(idx, PRESSINDEX_ERR_BAD_QUERY, "%s", err.p)
                                         : pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        pi_buf_free(&err);
        pi_query_free(&pq);
        return st;
    }
    pi_buf_free(&err);

    pressindex_status st = PRESSINDEX_ERR_MODIFIED;
    pressindex_results *res = NULL;
    for (int attempt = 0; attempt < MAX_RETRIES && st == PRESSINDEX_ERR_MODIFIED; attempt++) {
        if (attempt && (st = pi_index_refresh(idx)) != PRESSINDEX_OK)
            break;
        pressindex_results_destroy(res);
        res = calloc(1, sizeof *res);
        if (!res) {
            st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
            break;
        }
        st = run_once(idx, o, &pq, res);
    }
    pi_query_free(&pq);
    if (st == PRESSINDEX_ERR_MODIFIED)
        pi_fail(idx, st, "the index kept changing during the search; try again");
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
