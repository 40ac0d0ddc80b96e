/*
 * match.c - the match (schema 3: one document per release). Xapian ranks the releases that the
 * relaxed query finds (BM25 over releases with a low b, the date sort, the filters); inside the
 * best of them, passage.c finds the passages that satisfy the query alone and weighs them with
 * BM25 over passages, and weighs each release as one document for the ranking's release evidence. The passages are then ordered (by weight, or by date then weight), collapsed
 * (identical paragraphs, or one per release) and counted; the rerank window's release keys are
 * read here for the ranking (no text: what the ranking needs of a text, whether it is a reporter's
 * question, is a flag of the passage map).
 *
 * Releases are taken in batches: the first holds PRESSINDEX_CANDIDATES releases for a relevance
 * sort (default 100: the best passages sit in the best releases, and a release outside them
 * rarely holds one of the first twenty; doc/core-v2-status.md measures it), the page's size for a
 * date sort; more batches follow, each twice the last, until the page is full or no release is
 * left. By relevance, a later batch's passages follow the earlier ones' (so that more results
 * never reorder the first).
 * The total counts matching passages (every one, also those collapsed into a result). It is exact
 * when every matching release was looked at; else it is estimated here from the releases looked at
 * (free, rough), or, when the options ask (sample_total), by count.c from the first batch (kept as
 * the estimate's head) and a sample of the other matching releases.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passage.h"
#include "searcher.h"

#define DEFAULT_CANDIDATES 100

/* BM25's b for finding the candidate releases (not for ranking them): a long release (a briefing
 * of 200 paragraphs) is as likely as a short one to hold the best passage, and b = 0.5 left it out.
 * Dev set: .765 at 0.5, .773 at 0.2 and 0.1, .772 at 0 (doc/core-v2-status.md). */
#define RELEASE_B 0.2

static size_t candidates(void)
{
    const char *e = getenv("PRESSINDEX_CANDIDATES");
    long n = e && *e ? strtol(e, NULL, 10) : 0;
    return n > 0 ? (size_t)n : DEFAULT_CANDIDATES;
}

/* A passage found, with its release's rank and weight. */
typedef struct found {
    pi_pmatch pm;
    unsigned docid;
    size_t rorder;
    double rweight;
    unsigned tier;    /* the batch of releases it came from */
} found;

/* Batch by batch, then by weight: a bigger page (which reads more batches) never changes the
 * first results, and page 2 continues page 1 whatever the limit. */
static int cmp_relevance(const void *a, const void *b)
{
    const found *x = a, *y = b;
    if (x->tier != y->tier)
        return x->tier < y->tier ? -1 : 1;
    if (x->pm.weight != y->pm.weight)
        return x->pm.weight < y->pm.weight ? 1 : -1;
    if (x->rorder != y->rorder)
        return x->rorder < y->rorder ? -1 : 1;
    return x->pm.pno < y->pm.pno ? -1 : x->pm.pno > y->pm.pno;
}

static int cmp_date(const void *a, const void *b)
{
    const found *x = a, *y = b;
    if (x->rorder != y->rorder)
        return x->rorder < y->rorder ? -1 : 1;
    if (x->pm.weight != y->pm.weight)
        return x->pm.weight < y->pm.weight ? 1 : -1;
    return x->pm.pno < y->pm.pno ? -1 : x->pm.pno > y->pm.pno;
}

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

/* A passage kept (the first of its key in the order), with the count of the others. */
typedef struct kept {
    const found *f;
    uint64_t others;
} kept;

static int cmp_found(int relevance, const found *a, const found *b)
{
    return relevance ? cmp_relevance(a, b) : cmp_date(a, b);
}

static int cmp_kept_relevance(const void *a, const void *b)
{
    return cmp_relevance(((const kept *)a)->f, ((const kept *)b)->f);
}

static int cmp_kept_date(const void *a, const void *b)
{
    return cmp_date(((const kept *)a)->f, ((const kept *)b)->f);
}

/* The heap of the `need` best kept so far, the worst at its root. */
static void sift_down(int relevance, kept *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && cmp_found(relevance, h[l].f, h[w].f) > 0)
            w = l;
        if (r < n && cmp_found(relevance, h[r].f, h[w].f) > 0)
            w = r;
        if (w == i)
            return;
        kept t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static void sift_up(int relevance, kept *h, size_t i)
{
    while (i && cmp_found(relevance, h[(i - 1) / 2].f, h[i].f) < 0) {
        kept t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

/* Collapses f into s->c, in order: the first passage of each key (release, or text hash) kept,
 * with the count of the others; only the `need` first are kept, the only ones a page or the
 * ranking reads (a common word's thousands of passages were sorted whole before: 5% of a
 * search's instructions). */
static pressindex_status finish(pi_search *s, found *f, size_t nf, int relevance, size_t need)
{
    const pressindex_search_options *o = s->o;
    free(s->c);
    s->c = NULL;
    s->n = 0;
    int by = o->by_release ? 1 : o->collapse ? 2 : 0;
    size_t tsize = 1;
    while (tsize < 2 * nf)
        tsize <<= 1;
    uint64_t *keys = by ? calloc(tsize, sizeof *keys) : NULL;
    size_t *slot = by ? malloc(tsize * sizeof *slot) : NULL;
    kept *all = malloc((nf ? nf : 1) * sizeof *all);
    if (!all || (by && (!keys || !slot))) {
        free(keys);
        free(slot);
        free(all);
        return pi_fail(s->idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    }
    size_t nk = 0;
    for (size_t i = 0; i < nf; i++) {
        const found *x = &f[i];
        if (by) {
            /* Key 0 marks a free slot: keys are made non-zero. */
            uint64_t k = by == 1 ? (uint64_t)x->docid : x->pm.hash;
            k = k ? k : 1;
            size_t h = (size_t)mix(k) & (tsize - 1);
            while (keys[h] && keys[h] != k)
                h = (h + 1) & (tsize - 1);
            if (keys[h]) {
                kept *y = &all[slot[h]];
                y->others++;
                if (cmp_found(relevance, x, y->f) < 0)
                    y->f = x;
                continue;
            }
            keys[h] = k;
            slot[h] = nk;
        }
        all[nk++] = (kept){x, 0};
    }
    free(keys);
    free(slot);
    /* The need best, by a heap over the kept, then in order. */
    size_t nh = nk;
    if (need < nk) {
        nh = 0;
        for (size_t i = 0; i < nk; i++) {
            if (nh < need) {
                all[nh] = all[i];
                sift_up(relevance, all, nh++);
            } else if (nh && cmp_found(relevance, all[i].f, all[0].f) < 0) {
                all[0] = all[i];
                sift_down(relevance, all, nh, 0);
            }
        }
    }
    if (nh)
        qsort(all, nh, sizeof *all, relevance ? cmp_kept_relevance : cmp_kept_date);
    s->c = calloc(nh ? nh : 1, sizeof *s->c);
    if (!s->c) {
        free(all);
        return pi_fail(s->idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    }
    for (size_t i = 0; i < nh; i++) {
        const found *x = all[i].f;
        pi_cand *c = &s->c[i];
        c->docid = x->docid;
        c->pidx = x->pm.pidx;
        c->pno = x->pm.pno;
        c->weight = x->pm.weight;
        c->has = x->pm.has;
        c->bef = x->pm.before;
        c->has_before = x->pm.has_before;
        c->flags = x->pm.flags;
        c->collapsed = all[i].others;
        pi_hash_hex(x->pm.hash, c->hash);
        c->release = x->rweight;
        c->rorder = x->rorder;
        c->order = i;
    }
    s->n = nh;
    free(all);
    return PRESSINDEX_OK;
}

/* The window's release keys (for the ranking's release records), read as one walk along the
 * value stream in docid order rather than a lookup per candidate. */
typedef struct wslot {
    unsigned docid;
    size_t cand;
} wslot;

typedef struct wkeys {
    pi_cand *c;
    const wslot *by_docid; /* the window's candidates in docid order */
    const size_t *first;   /* the i-th distinct docid's first place in by_docid */
    size_t n;
} wkeys;

static int cmp_wslot(const void *a, const void *b)
{
    unsigned x = ((const wslot *)a)->docid, y = ((const wslot *)b)->docid;
    return x < y ? -1 : x > y;
}

static xc_status got_key(void *ctx, size_t i, const char *v, size_t len)
{
    wkeys *w = ctx;
    /* Every candidate of that release (several passages of one release may be in the window). */
    for (size_t k = w->first[i]; k < w->n && w->by_docid[k].docid == w->by_docid[w->first[i]].docid; k++) {
        pi_cand *c = &w->c[w->by_docid[k].cand];
        snprintf(c->key, sizeof c->key, "%.*s", (int)len, v);
    }
    return XC_OK;
}

static xc_status read_window(pi_search *s)
{
    size_t n = s->nw, nu = 0;
    if (!n)
        return XC_OK;
    wslot *by = malloc(n * sizeof *by);
    size_t *first = malloc(n * sizeof *first);
    unsigned *ids = malloc(n * sizeof *ids);
    xc_status xs = by && first && ids ? XC_OK : XC_ERR_NO_MEMORY;
    for (size_t i = 0; xs == XC_OK && i < n; i++)
        by[i] = (wslot){s->c[i].docid, i};
    if (xs == XC_OK)
        qsort(by, n, sizeof *by, cmp_wslot);
    for (size_t i = 0; xs == XC_OK && i < n; i++)
        if (!nu || ids[nu - 1] != by[i].docid) {
            first[nu] = i;
            ids[nu++] = by[i].docid;
        }
    wkeys w = {s->c, by, first, n};
    if (xs == XC_OK)
        xs = xc_db_values(s->idx->db, PI_SLOT_RELEASE, ids, nu, got_key, &w);
    free(by);
    free(first);
    free(ids);
    return xs;
}

pressindex_status pi_match(pi_search *s)
{
    const pressindex_search_options *o = s->o;
    pressindex *idx = s->idx;
    xc_enquire *enq = NULL;
    int relevance = o->sort == PRESSINDEX_SORT_RELEVANCE;
    size_t want = o->offset + o->limit;
    /* The ranking judges a fixed window from the top, whatever the page. */
    size_t need = s->rerank && want < o->rerank_depth ? o->rerank_depth : want;
    xc_status xs = xc_enquire_new(idx->db, &enq);
    if (xs == XC_OK)
        xs = xc_enquire_set_query(enq, s->rq);
    /* k2 = 0, k3 = 1, min_normlen = 0.5: Xapian's defaults. */
    if (xs == XC_OK)
        xs = xc_enquire_set_bm25(enq, o->bm25_k1, 0, 1, RELEASE_B, 0.5);
    if (xs == XC_OK && !relevance)
        xs = xc_enquire_set_sort_by_value_then_relevance(enq, PI_SLOT_DATE, 1);
    if (xs == XC_OK)
        xs = pi_matcher_init(&s->m, idx->db, s->q, s->pq);
    if (xs == XC_OK)
        xs = pi_plan_new(idx->db, s->pq, &s->m, s->q, o->bm25_k1, o->bm25_b,
                         relevance ? o->adjacency_weight : 0, &s->plan);
    /* The ranking's IDF shares are over passages, as the passage weights are: the passages
     * counted by XP, a word's passages estimated by its occurrences (passage.c). */
    if (xs == XC_OK) {
        s->releases = s->m.docs;
        s->m.docs = pi_plan_passages(s->plan);
    }
    for (size_t k = 0; xs == XC_OK && s->m.df && k < s->m.n_stems; k++)
        xs = pi_plan_df(s->plan, s->m.stems[k], &s->m.df[k]);
    size_t batch = relevance ? candidates() : want;
    if (batch < 1)
        batch = 1;
    unsigned tier = 0;
    size_t first = 0, nf = 0, fcap = 0, npm = 0, pmcap = 0;
    found *f = NULL;
    pi_pmatch *pm = NULL;
    int exhausted = 0;
    uint64_t est_releases = 0;
    pressindex_status st = PRESSINDEX_OK;
    while (xs == XC_OK && st == PRESSINDEX_OK && !exhausted) {
        xc_mset *ms = NULL;
        if ((xs = xc_enquire_get_mset(enq, (unsigned)first, (unsigned)batch, 0, &ms)) != XC_OK)
            break;
        unsigned size = xc_mset_size(ms);
        est_releases = xc_mset_matches_estimated(ms);
        unsigned *ids = calloc(size ? size : 1, sizeof *ids);
        if (!ids)
            xs = XC_ERR_NO_MEMORY;
        for (unsigned i = 0; xs == XC_OK && i < size; i++) {
            uint64_t cc;
            double w;
            xs = xc_mset_item(ms, i, &ids[i], &w, &cc);
        }
        if (xs == XC_OK && (st = pi_search_in_time(s)) == PRESSINDEX_OK)
            xs = pi_plan_prefetch(s->plan, ids, size);
        for (unsigned i = 0; xs == XC_OK && i < size; i++) {
            unsigned docid = ids[i];
            npm = 0;
            /* Passage scoring is where a hostile query spends its time: the deadline is checked
             * every few releases. */
            if (i % 16 == 15 && (st = pi_search_in_time(s)) != PRESSINDEX_OK)
                break;
            if ((xs = pi_plan_release(s->plan, docid, &pm, &npm, &pmcap)) != XC_OK)
                break;
            if (nf + npm > fcap) {
                size_t c2 = fcap ? 2 * fcap : 256;
                while (c2 < nf + npm)
                    c2 *= 2;
                found *g = realloc(f, c2 * sizeof *g);
                if (!g) {
                    xs = XC_ERR_NO_MEMORY;
                    break;
                }
                f = g;
                fcap = c2;
            }
            for (size_t k = 0; k < npm; k++)
                f[nf++] = (found){pm[k], docid, first + i, pm[k].release, tier};
        }
        if (xs == XC_OK && st == PRESSINDEX_OK && !tier && relevance && size) {
            /* The head of the total's estimate (count.c): every page reads it. */
            if ((s->head = calloc(size, sizeof *s->head))) {
                for (unsigned i = 0; i < size; i++)
                    s->head[i].docid = ids[i];
                for (size_t k = 0; k < nf; k++)
                    s->head[f[k].rorder].passages++; /* rorder: the release's place in ids */
                s->nhead = size;
                s->head_passages = nf;
            } else
                xs = XC_ERR_NO_MEMORY;
        }
        xc_mset_free(ms);
        free(ids);
        if (xs != XC_OK || st != PRESSINDEX_OK)
            break;
        first += size;
        exhausted = size < batch;
        if ((st = finish(s, f, nf, relevance, need)) != PRESSINDEX_OK)
            break;
        if (s->n >= need)
            break;
        st = pi_search_in_time(s);
        batch *= 2;
        tier++;
    }
    if (xs == XC_OK && st == PRESSINDEX_OK) {
        s->matched = nf;
        s->exhausted = exhausted || !first;
        /* Else count.c estimates it. */
        s->total = nf;
        s->total_exact = s->exhausted;
        if (!s->exhausted && first < est_releases) {
            /* The quick estimate (count.c makes the sampled one when asked): the releases not
             * looked at hold about as many matching passages each as the weaker half of those
             * looked at (the best releases hold the most). */
            size_t half = first / 2, tail = 0;
            for (size_t i = 0; i < nf; i++)
                tail += f[i].rorder >= half;
            double rate = (double)tail / (double)(first - half);
            s->total = nf + (uint64_t)(rate * (double)(est_releases - first) + 0.5);
        }
        s->nw = s->rerank ? (s->n < o->rerank_depth ? s->n : o->rerank_depth) : 0;
        xs = read_window(s);
    }
    free(f);
    free(pm);
    xc_enquire_free(enq);
    if (xs != XC_OK)
        return pi_read_fail(idx, xs, "searching");
    return st;
}
