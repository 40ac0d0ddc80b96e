/*
 * match.c - Xapian's match: the compiled query run with BM25, collapsing and the sort, giving the
 * candidate passages in Xapian's order; the rerank window's documents are read here once (release,
 * paragraph number, text hash, text) for the ranking and the results.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searcher.h"

/* Reads the window's document i of ms into c. */
static xc_status read_window(xc_mset *ms, unsigned i, pi_cand *c, int *oom)
{
    xc_doc *doc = NULL;
    const char *v, *text;
    size_t vl, tl;
    xc_status xs = xc_mset_document(ms, i, &doc);
    if (xs == XC_OK && (xs = xc_doc_get_value(doc, PI_SLOT_RELEASE, &v, &vl)) == XC_OK)
        snprintf(c->key, sizeof c->key, "%.*s", (int)vl, v);
    if (xs == XC_OK && (xs = xc_doc_get_value(doc, PI_SLOT_PARAGRAPH, &v, &vl)) == XC_OK)
        c->pno = (unsigned)strtoul(v, NULL, 10);
    if (xs == XC_OK && (xs = xc_doc_get_value(doc, PI_SLOT_TEXTHASH, &v, &vl)) == XC_OK)
        snprintf(c->hash, sizeof c->hash, "%.*s", (int)vl, v);
    /* Last: the text stays valid only until the next read from doc. */
    if (xs == XC_OK && (xs = xc_doc_get_data(doc, &text, &tl)) == XC_OK) {
        if (!(c->text = strndup(text, tl)))
            *oom = 1;
        c->tlen = tl;
    }
    xc_doc_free(doc);
    return xs;
}

pressindex_status pi_match(pi_search *s)
{
    const pressindex_search_options *o = s->o;
    pressindex *idx = s->idx;
    xc_enquire *enq = NULL;
    xc_mset *ms = NULL;
    int relevance = o->sort == PRESSINDEX_SORT_RELEVANCE, oom = 0;
    size_t want = o->offset + o->limit;
    /* The ranking judges a fixed window from the top, whatever the page: page 2 must continue
     * page 1 whatever the limit. Without it, Xapian pages itself. */
    size_t window = s->rerank && want < o->rerank_depth ? o->rerank_depth : want;
    xc_status xs = xc_enquire_new(idx->db, &enq);
    if (xs == XC_OK)
        xs = xc_enquire_set_query(enq, s->q);
    /* k2 = 0, k3 = 1, min_normlen = 0.5: Xapian's defaults. */
    if (xs == XC_OK)
        xs = xc_enquire_set_bm25(enq, o->bm25_k1, 0, 1, o->bm25_b, 0.5);
    if (xs == XC_OK && (o->by_release || o->collapse))
        xs = xc_enquire_set_collapse_key(enq, o->by_release ? PI_SLOT_RELEASE : PI_SLOT_TEXTHASH, 1);
    if (xs == XC_OK && !relevance)
        xs = xc_enquire_set_sort_by_value_then_relevance(enq, PI_SLOT_DATE, 1);
    if (xs == XC_OK)
        xs = xc_enquire_get_mset(enq, s->rerank ? 0 : (unsigned)o->offset,
                                 (unsigned)(s->rerank ? window : o->limit), 0, &ms);
    if (xs == XC_OK)
        xs = pi_matcher_init(&s->m, idx->db, s->q, s->pq);
    unsigned size = xs == XC_OK ? xc_mset_size(ms) : 0;
    if (xs == XC_OK) {
        s->estimated = xc_mset_matches_estimated(ms);
        if (!(s->c = calloc(size ? size : 1, sizeof *s->c)))
            oom = 1;
    }
    s->nw = s->rerank ? (size < o->rerank_depth ? size : o->rerank_depth) : 0;
    for (unsigned i = 0; xs == XC_OK && !oom && i < size; i++) {
        pi_cand *c = &s->c[i];
        s->n = i + 1;
        xs = xc_mset_item(ms, i, &c->docid, &c->weight, &c->collapsed);
        c->order = i;
        if (xs == XC_OK && i < s->nw)
            xs = read_window(ms, i, c, &oom);
    }
    xc_mset_free(ms);
    xc_enquire_free(enq);
    if (xs != XC_OK)
        return pi_read_fail(idx, xs, "searching");
    return oom ? pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory") : PRESSINDEX_OK;
}
