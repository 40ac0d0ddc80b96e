/*
 * rank.c - the ranking signals over the rerank window, and the final order. Every default and
 * bound of the ranking options is in rank_params below: the library's defaults, its checks and
 * the command's help all read it, and doc/ranking.md's table is tested against it. A new signal
 * is one row there, one field of pi_cand and one stage in pi_rank().
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "searcher.h"
#include "text.h"

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const pi_cand *)a)->key, ((const pi_cand *)b)->key);
}


static int cmp_order(const void *a, const void *b)
{
    const pi_cand *x = a, *y = b;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_score(const void *a, const void *b)
{
    const pi_cand *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* A word's plain IDF over passages, log(N / df); 0 for a word in no or every passage. It weighs
 * the shares (title, paragraph before): only the balance between the query's words matters. */
static double log_idf(uint64_t docs, uint64_t df)
{
    return df && docs > df ? log((double)docs / (double)df) : 0;
}

/* For each candidate, the IDF-weighted share of the query's words that its release's title holds:
 * a title match counts for something, but never makes a passage match on its own. Titles come
 * from the release records (read once per release), stemmed as the index stems them. A filter,
 * a phrase or an operator does not change what a title is evidence of; excluded words are no
 * evidence. A wildcard's prefix expansions are not known here and have no share (the typed
 * word's own stem, searched with it, has). */
static pressindex_status title_shares(pi_search *s)
{
    pressindex *idx = s->idx;
    const pi_matcher *m = &s->m;
    pi_cand *c = s->c;
    size_t n = s->nw;
    pi_release_record *recs = s->recs;
    size_t *nrecs = &s->nrecs;
    if (!m->n_stems)
        return PRESSINDEX_OK;
    double *idf = calloc(m->n_stems, sizeof *idf), total = 0;
    if (!idf)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    for (size_t k = 0; k < m->n_stems; k++)
        if (!m->excluded[k])
            total += idf[k] = log_idf(m->docs, m->df[k]);
    qsort(c, n, sizeof *c, cmp_key);
    char *seen = calloc(m->n_stems, 1);
    pi_buf f = {0};
    pressindex_status st = seen ? PRESSINDEX_OK : pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    for (size_t i = 0, j; st == PRESSINDEX_OK && total > 0 && i < n; i = j) {
        for (j = i; j < n && !strcmp(c[j].key, c[i].key); j++)
            ;
        char mkey[PI_KEY_LEN + 8], *blob = NULL;
        size_t blen;
        snprintf(mkey, sizeof mkey, "%s%s", PI_META_RELEASE, c[i].key);
        xc_status xs = xc_db_get_metadata(idx->db, mkey, &blob, &blen);
        if (xs != XC_OK) {
            st = pi_read_fail(idx, xs, "reading titles");
            break;
        }
        /* Kept for the results (fill_hit), which would otherwise read it again. */
        pi_release_record *rec = &recs[*nrecs];
        if (!blob || pi_record_decode(blob, blen, rec) < 0) {
            free(blob);
            continue;
        }
        (*nrecs)++;
        pi_stemmer *stem = pi_index_stemmer(idx, rec->lang);
        memset(seen, 0, m->n_stems);
        size_t at = 0, ws, we, tl = strlen(rec->title);
        while (stem && pi_word_next(rec->title, tl, &at, &ws, &we)) {
            int fl = pi_fold_word(rec->title + ws, we - ws, &f);
            size_t sl;
            const char *ts = fl > 0 ? pi_stemmer_stem(stem, f.p, (size_t)fl, &sl) : NULL;
            long k = ts ? pi_matcher_find(m, ts) : -1;
            if (k >= 0)
                seen[k] = 1;
        }
        double share = 0;
        for (size_t k = 0; k < m->n_stems; k++)
            share += seen[k] ? idf[k] : 0;
        for (size_t k = i; k < j; k++) {
            c[k].title = share / total;
            c[k].rec = rec;
        }
    }
    pi_buf_free(&f);
    free(seen);
    free(idf);
    return st;
}

/* Is this paragraph text boilerplate: seen in a noticeable share of the corpus (at least 3 times,
 * and in 1 of every 30,000 passages: about 1 release in 1,000)? Relative to the corpus size, so
 * that a corpus copied ten times does not make every paragraph boilerplate. */
static int is_boilerplate(pressindex *idx, const char *hash, uint64_t passages)
{
    char term[PI_HASH_LEN + 8];
    snprintf(term, sizeof term, "%s%s", PI_P_TEXTHASH, hash);
    uint64_t tf = 0;
    if (xc_db_termfreq(idx->db, term, strlen(term), &tf) != XC_OK)
        return 0;
    uint64_t threshold = passages / 30000 > 3 ? passages / 30000 : 3;
    return tf >= threshold;
}

/* Is this paragraph a reporter's question in a briefing transcript: "Q" then a space (often a
 * no-break space), a tab, a colon or a full stop? A question names the subject without answering
 * it; the answer is the paragraph after it. */
static int is_question(const char *t, size_t n)
{
    size_t i = 0;
    while (i < n && (t[i] == ' ' || t[i] == '\t'))
        i++;
    if (i + 1 >= n || t[i] != 'Q')
        return 0;
    unsigned char c = (unsigned char)t[i + 1];
    return c == ' ' || c == '\t' || c == ':' || c == '.' ||
           (c == 0xC2 && i + 2 < n && (unsigned char)t[i + 2] == 0xA0); /* U+00A0 */
}

/*
 * Passage score = weight / best weight + title_weight x title share
 *                 + neighbour_weight x paragraph-before share
 *                 + release_weight x release BM25 / best release BM25,
 * where weight is Xapian's BM25 of the passage (phrases counted by occurrence, boilerplate and
 * questions already scaled down, adjacency added). Normalising by the best of the window puts the
 * passage's and the release's evidence on one scale whatever the query's length: a paragraph that
 * leaves its subject to the rest of its release still ranks when the release is about the query.
 *
 * Only the window, c[0..nw) (the rerank_depth best passages by Xapian's weight), is reranked; the
 * passages after it follow the whole window in Xapian's order. A wider window for a bigger page
 * would let deeper passages climb into the first ten: page 2 must continue page 1 whatever the
 * limit (Elasticsearch's rescore documentation asks for a constant window while paging).
 */
static void rerank(const pressindex_search_options *o, pi_cand *c, size_t nw, size_t n)
{
    if (!n)
        return;
    double wmax = 0;
    for (size_t i = 0; i < (nw ? nw : n); i++)
        if (c[i].weight > wmax)
            wmax = c[i].weight;
    qsort(c + nw, n - nw, sizeof *c, cmp_order);
    if (wmax <= 0) { /* a purely boolean query: Xapian's order stands */
        for (size_t i = 0; i < n; i++)
            c[i].score = 0;
        qsort(c, nw, sizeof *c, cmp_order);
        return;
    }
    for (size_t i = 0; i < nw; i++)
        c[i].score = c[i].weight / wmax + o->title_weight * c[i].title;
    for (size_t i = 0; i < nw; i++)
        c[i].score += o->neighbour_weight * c[i].before;
    if (o->release_weight > 0) {
        double rmax = 0;
        for (size_t i = 0; i < nw; i++)
            if (c[i].release > rmax)
                rmax = c[i].release;
        for (size_t i = 0; rmax > 0 && i < nw; i++)
            c[i].score += o->release_weight * c[i].release / rmax;
    }
    qsort(c, nw, sizeof *c, cmp_score);
    /* After the window, Xapian's order: scored by their own weight on the window's scale, scaled
     * down (all by one factor, so their differences still show) where the first would outscore
     * the window's last: a score list that goes up again would read as a bug. */
    if (nw < n) {
        double first = c[nw].weight / wmax, scale = 1;
        if (nw && first > c[nw - 1].score && first > 0)
            scale = c[nw - 1].score / first;
        for (size_t i = nw; i < n; i++)
            c[i].score = c[i].weight / wmax * scale;
    }
}

static int cmp_docid(const void *a, const void *b)
{
    const pi_cand *x = a, *y = b;
    return x->docid < y->docid ? -1 : x->docid > y->docid;
}

/* BM25's term weight as Xapian computes it (BM25Weight, no relevance set): the usual
 * log((N - n + 0.5) / (n + 0.5)), with the ratio under 2 (a word in over a third of the documents)
 * squeezed to stay positive. */
static double bm25_termweight(uint64_t docs, uint64_t df)
{
    if (!df)
        return 0;
    double tw = ((double)docs - (double)df + 0.5) / ((double)df + 0.5);
    if (tw < 2)
        tw = tw * 0.5 + 1;
    return log(tw);
}

/* Reads a term's wdf (and, with dl, the document's length) for each of count records in docid
 * order (base, elem bytes apart, each starting with its unsigned docid), skipping through the
 * term's postings once; 0 where the document does not hold it. Results go to wdf[i * stride]. */
static xc_status sweep_postings(xc_db *db, const char *term, size_t len, const void *base,
                                size_t count, size_t elem, unsigned *wdf, size_t stride,
                                unsigned *dl)
{
    xc_postlist *pl = NULL;
    xc_status xs = xc_db_postlist(db, term, len, &pl);
    unsigned at = 0;
    int on = 1;
    for (size_t i = 0; xs == XC_OK && on > 0 && i < count; i++) {
        unsigned id = *(const unsigned *)((const char *)base + i * elem);
        if (at < id)
            on = xc_postlist_skip_to(pl, id, &at);
        if (on > 0 && at == id)
            xs = xc_postlist_get(pl, &wdf[i * stride], dl ? &dl[i] : NULL);
    }
    if (xs == XC_OK && on < 0)
        xs = xc_last_status();
    xc_postlist_free(pl);
    return xs;
}

/* How many times each of the query's phrases occurs in a passage's text (tokenized, folded and
 * stemmed as the index does). NULL when out of memory. */
static unsigned *phrase_counts(const pi_matcher *m, pi_stemmer *stem, const char *text, size_t len)
{
    unsigned *pf = calloc(m->n_phrases, sizeof *pf);
    if (!pf || !stem)
        return pf;
    /* The stems of the passage, one after the other, each followed by a space. */
    pi_buf f = {0}, all = {0};
    size_t at = 0, ws, we;
    int ok = pi_buf_addc(&all, ' ') == 0;
    while (ok && pi_word_next(text, len, &at, &ws, &we)) {
        int n = pi_fold_word(text + ws, we - ws, &f);
        size_t sl;
        const char *st = n > 0 ? pi_stemmer_stem(stem, f.p, (size_t)n, &sl) : NULL;
        if (n < 0 || (n > 0 && !st))
            ok = 0;
        else if (st)
            ok = pi_buf_add(&all, st, sl) == 0 && pi_buf_addc(&all, ' ') == 0;
    }
    for (size_t p = 0; ok && p < m->n_phrases; p++) {
        pi_buf needle = {0};
        ok = pi_buf_addc(&needle, ' ') == 0 && pi_buf_adds(&needle, m->phrases[p]) == 0 &&
             pi_buf_addc(&needle, ' ') == 0;
        for (const char *h = all.p; ok && (h = strstr(h, needle.p)) != NULL; h++)
            pf[p]++;
        pi_buf_free(&needle);
    }
    pi_buf_free(&f);
    pi_buf_free(&all);
    if (!ok) {
        free(pf);
        return NULL;
    }
    return pf;
}

/*
 * Phrases are scored by how often the phrase occurs, not its words: Xapian weights a phrase as
 * the sum of its words' BM25, so a passage saying "Quad" five times and "Quad Leaders Summit" once
 * outranks a short one about the summit. Each phrase word's part of Xapian's weight is recomputed
 * (Xapian's BM25 formula, same statistics) with the phrase's frequency in place of the word's, as
 * FTS5's bm25() and Lucene's phrase queries count phrase occurrences. Words that the query uses
 * more than once are left as Xapian weighted them.
 */
static pressindex_status phrase_frequency(pi_search *s)
{
    pressindex *idx = s->idx;
    const pressindex_search_options *o = s->o;
    const pi_matcher *m = &s->m;
    pi_cand *c = s->c;
    size_t n = s->nw;
    double avg = 0;
    xc_status xs = xc_db_avlength(idx->db, &avg);
    qsort(c, n, sizeof *c, cmp_docid);
    unsigned *wdf = calloc(n, sizeof *wdf), *dl = calloc(n, sizeof *dl);
    if (xs == XC_OK && (!wdf || !dl))
        xs = XC_ERR_NO_MEMORY;
    for (size_t p = 0; xs == XC_OK && p < m->n_phrases; p++) {
        const char *w = m->phrases[p];
        char t[PI_MAX_TERM + 1];
        while (xs == XC_OK && pi_phrase_word(&w, t)) {
            /* Used once in the whole query? (Xapian's within-query frequency) */
            long at = pi_matcher_find(m, t);
            if (at < 0 || m->wqf[at] != 1 || !m->df[at])
                continue;
            double tw = bm25_termweight(m->docs, m->df[at]) * (o->bm25_k1 + 1);
            for (size_t i = 0; i < n; i++)
                wdf[i] = dl[i] = 0;
            if ((xs = sweep_postings(idx->db, t, strlen(t), c, n, sizeof *c, wdf, 1, dl)) != XC_OK)
                break;
            for (size_t i = 0; xs == XC_OK && i < n; i++) {
                /* No phrase found in the text (the passage matched another part of the query, or
                 * an excluded phrase): Xapian gave the phrase nothing, so nothing to correct. */
                if (!wdf[i] || !c[i].pf || !c[i].pf[p] || avg <= 0)
                    continue;
                double normlen = (double)dl[i] / avg;
                if (normlen < 0.5)
                    normlen = 0.5;
                double k = o->bm25_k1 * (normlen * o->bm25_b + 1 - o->bm25_b);
                double pf = c[i].pf[p] < wdf[i] ? c[i].pf[p] : wdf[i];
                c[i].weight += tw * (pf / (k + pf) - wdf[i] / (k + wdf[i]));
                if (c[i].weight < 0)
                    c[i].weight = 0;
            }
        }
    }
    free(wdf);
    free(dl);
    if (xs != XC_OK)
        return pi_read_fail(idx, xs, "scoring phrases");
    return PRESSINDEX_OK;
}

/* Adds to each candidate the weight of the adjacency phrase where it holds: the phrase is matched
 * only among the passages of the candidates' releases, so its positions are read for a few
 * thousand passages at most, whatever the query's words. */
static pressindex_status adjacency(pressindex *idx, const xc_query *adj, pi_cand *c, size_t n)
{
    xc_query *any = NULL, *f = NULL;
    xc_enquire *enq = NULL;
    xc_mset *ms = NULL;
    xc_status xs = XC_OK;
    qsort(c, n, sizeof *c, cmp_key);
    char term[PI_KEY_LEN + 8];
    xc_query **rel = calloc(n ? n : 1, sizeof *rel);
    size_t nrel = 0;
    if (!rel)
        xs = XC_ERR_NO_MEMORY;
    for (size_t i = 0; xs == XC_OK && i < n; i++) {
        if (i && !strcmp(c[i].key, c[i - 1].key))
            continue;
        snprintf(term, sizeof term, "%s%s", PI_P_RELEASE, c[i].key);
        if ((xs = xc_query_term(term, strlen(term), &rel[nrel])) == XC_OK)
            nrel++;
    }
    if (xs == XC_OK)
        xs = xc_query_combine(XC_OP_OR, rel, nrel, 0, &any);
    for (size_t i = 0; rel && i < nrel; i++)
        xc_query_free(rel[i]);
    free(rel);
    if (xs == XC_OK) {
        xc_query *subs[2] = {(xc_query *)adj, any};
        xs = xc_query_combine(XC_OP_FILTER, subs, 2, 0, &f);
    }
    if (xs == XC_OK)
        xs = xc_enquire_new(idx->db, &enq);
    if (xs == XC_OK)
        xs = xc_enquire_set_query(enq, f);
    if (xs == XC_OK)
        xs = xc_enquire_get_mset(enq, 0, 100000, 0, &ms);
    qsort(c, n, sizeof *c, cmp_docid);
    for (unsigned i = 0; xs == XC_OK && i < xc_mset_size(ms); i++) {
        pi_cand key = {0};
        double w;
        uint64_t cc;
        if ((xs = xc_mset_item(ms, i, &key.docid, &w, &cc)) != XC_OK)
            break;
        pi_cand *found = bsearch(&key, c, n, sizeof *c, cmp_docid);
        if (found)
            found->weight += w;
    }
    xc_mset_free(ms);
    xc_enquire_free(enq);
    xc_query_free(f);
    xc_query_free(any);
    if (xs != XC_OK)
        return pi_read_fail(idx, xs, "searching");
    return PRESSINDEX_OK;
}

/* A (docid, release) pair: the passages of the candidates' releases, in docid order. */
typedef struct rel_post {
    unsigned docid;
    unsigned rel;
} rel_post;

static int cmp_rel_post(const void *a, const void *b)
{
    const rel_post *x = a, *y = b;
    return x->docid < y->docid ? -1 : x->docid > y->docid;
}


/*
 * Evidence from the rest of each candidate's release, read from the postings of all its passages
 * (each query word's postings skipped through once, in docid order):
 *  - release: the BM25 of the whole release as if it were one document: a word's frequency is the
 *    sum over its passages and its title, the length the sum of theirs. Term weights are those
 *    Xapian gives the passage query (IDF over passages, repeated words counted as Xapian counts
 *    them); lengths are normalised by the candidate releases' mean: the score is only compared
 *    among them (divided by the best), and the corpus's release count would cost a scan.
 *  - before: the IDF share of the query's words that the paragraph is missing and the paragraph
 *    just before it holds. Press releases leave the subject to the previous paragraph ("The two
 *    presidents held brief conversation at the airport."), briefings put it in the question.
 */
static pressindex_status release_evidence(pi_search *s)
{
    pressindex *idx = s->idx;
    const pressindex_search_options *o = s->o;
    const pi_matcher *m = &s->m;
    pi_cand *c = s->c;
    size_t n = s->nw;
    size_t ns = m->n_stems;
    if (!ns || !n)
        return PRESSINDEX_OK;
    qsort(c, n, sizeof *c, cmp_key);
    size_t nrel = 0;
    for (size_t i = 0; i < n; i++)
        if (!i || strcmp(c[i].key, c[i - 1].key))
            nrel++;
    size_t *first = calloc(nrel, sizeof *first);
    double *len = calloc(nrel, sizeof *len), *idf = calloc(ns, sizeof *idf);
    double *rtf = calloc(nrel * ns, sizeof *rtf);
    rel_post *post = NULL;
    unsigned *wdf = NULL;
    size_t np = 0, cap = 0;
    xc_status xs = first && len && idf && rtf ? XC_OK : XC_ERR_NO_MEMORY;
    char term[PI_KEY_LEN + 8];
    for (size_t i = 0, r = 0; xs == XC_OK && i < n; i++) {
        if (i && !strcmp(c[i].key, c[i - 1].key))
            continue;
        first[r] = i;
        snprintf(term, sizeof term, "%s%s", PI_P_RELEASE, c[i].key);
        xc_postlist *pl = NULL;
        unsigned id, dl;
        int more = 0;
        if ((xs = xc_db_postlist(idx->db, term, strlen(term), &pl)) == XC_OK) {
            while ((more = xc_postlist_next(pl, &id)) > 0) {
                if ((xs = xc_postlist_get(pl, NULL, &dl)) != XC_OK)
                    break;
                if (np == cap) {
                    cap = cap ? 2 * cap : 256;
                    rel_post *g = realloc(post, cap * sizeof *g);
                    if (!g) {
                        xs = XC_ERR_NO_MEMORY;
                        break;
                    }
                    post = g;
                }
                post[np].docid = id;
                post[np++].rel = (unsigned)r;
                len[r] += dl;
            }
            if (xs == XC_OK && more < 0)
                xs = xc_last_status();
        }
        xc_postlist_free(pl);
        r++;
    }
    if (xs == XC_OK && np) {
        qsort(post, np, sizeof *post, cmp_rel_post);
        if (!(wdf = calloc(np * ns, sizeof *wdf)))
            xs = XC_ERR_NO_MEMORY;
    }
    unsigned *twdf = xs == XC_OK && np ? calloc(np, sizeof *twdf) : NULL;
    if (xs == XC_OK && np && !twdf)
        xs = XC_ERR_NO_MEMORY;
    double total = 0;
    pressindex_status late = PRESSINDEX_OK;
    for (size_t k = 0; xs == XC_OK && np && k < ns && late == PRESSINDEX_OK; k++) {
        if (m->excluded[k] || !m->df[k] || (late = pi_search_in_time(s)) != PRESSINDEX_OK)
            continue;
        total += idf[k] = log_idf(m->docs, m->df[k]);
        if ((xs = sweep_postings(idx->db, m->stems[k], strlen(m->stems[k]), post, np, sizeof *post,
                                 wdf + k, ns, NULL)) != XC_OK)
            break;
        /* The title is part of the release: its words are on the first passage, prefixed. */
        char st[PI_MAX_TERM + 8];
        int sl = snprintf(st, sizeof st, "%s%s", PI_P_TITLE, m->stems[k]);
        memset(twdf, 0, np * sizeof *twdf);
        if (sl > 0 && (size_t)sl < sizeof st &&
            (xs = sweep_postings(idx->db, st, (size_t)sl, post, np, sizeof *post, twdf, 1, NULL)) != XC_OK)
            break;
        for (size_t j = 0; j < np; j++)
            rtf[post[j].rel * ns + k] += wdf[j * ns + k] + twdf[j];
    }
    free(twdf);
    double avg = 0;
    for (size_t r = 0; xs == XC_OK && r < nrel; r++)
        avg += len[r] / (double)nrel;

    /* Query words as Xapian weighs them in the passage query: its IDF, and a word typed twice
     * counts as two leaves each with the query-frequency factor of BM25 (k3 = 1). */
    double *qw = calloc(ns, sizeof *qw);
    if (xs == XC_OK && !qw)
        xs = XC_ERR_NO_MEMORY;
    for (size_t k = 0; xs == XC_OK && k < ns; k++) {
        double wqf = m->wqf[k] ? m->wqf[k] : 1;
        qw[k] = m->excluded[k]
                    ? 0
                    : bm25_termweight(m->docs, m->df[k]) * wqf * 2 * wqf / (1 + wqf);
    }
    for (size_t r = 0; xs == XC_OK && np && r < nrel; r++) {
        double norm = o->bm25_k1 * (1 - o->bm25_b + (avg > 0 ? o->bm25_b * len[r] / avg : 0));
        double score = 0;
        for (size_t k = 0; k < ns; k++) {
            double f = rtf[r * ns + k];
            score += f > 0 ? qw[k] * f * (o->bm25_k1 + 1) / (f + norm) : 0;
        }
        for (size_t i = first[r]; i < n && !strcmp(c[i].key, c[first[r]].key); i++)
            c[i].release = score;
    }
    /* The paragraph before: the previous docid of the same release, if it is numbered one less
     * (a release rewritten in part can leave its paragraphs out of docid order: then no evidence). */
    for (size_t i = 0; xs == XC_OK && np && total > 0 && o->neighbour_weight > 0 && i < n; i++) {
        rel_post key = {c[i].docid, 0};
        rel_post *me = bsearch(&key, post, np, sizeof *post, cmp_rel_post);
        if (!me || me == post || me[-1].docid + 1 != me->docid || me[-1].rel != me->rel || c[i].pno < 2)
            continue;
        xc_doc *doc = NULL;
        const char *v;
        size_t vl;
        if ((xs = xc_db_get_document(idx->db, me[-1].docid, &doc)) != XC_OK)
            break;
        int adjacent = xc_doc_get_value(doc, PI_SLOT_PARAGRAPH, &v, &vl) == XC_OK &&
                       strtoul(v, NULL, 10) + 1 == c[i].pno;
        xc_doc_free(doc);
        size_t j = (size_t)(me - post);
        for (size_t k = 0; adjacent && k < ns; k++)
            if (!wdf[j * ns + k] && wdf[(j - 1) * ns + k])
                c[i].before += idf[k] / total;
    }
    free(idf);
    free(rtf);
    free(qw);
    free(wdf);
    free(post);
    free(first);
    free(len);
    if (xs != XC_OK)
        return pi_read_fail(idx, xs, "scoring releases");
    if (late != PRESSINDEX_OK)
        return late;
    return PRESSINDEX_OK;
}

/* ---- the options' table, and the stages in order ---- */

/* The ranking options: name (as in the struct and the API), default, upper bound. doc/ranking.md
 * explains and measures each default; tests/ranking-defaults.sh holds the doc to this table. */
static const struct rank_param {
    const char *name;
    size_t offset;
    double def, max;
} rank_params[] = {
    /* The whole release's BM25, normalised by the window's best. */
    {"release_weight", offsetof(pressindex_search_options, release_weight), PRESSINDEX_DEFAULT_RELEASE_WEIGHT, HUGE_VAL},
    /* The typed words side by side and in order. Off: it never raised a judged figure, and it
     * lowered date-filtered ones. */
    {"adjacency_weight", offsetof(pressindex_search_options, adjacency_weight), 0.0, HUGE_VAL},
    /* The share of the query's words (by IDF) found in the release's title. */
    {"title_weight", offsetof(pressindex_search_options, title_weight), 0.5, HUGE_VAL},
    /* The score factor of a paragraph whose text recurs in many releases. */
    {"boilerplate_weight", offsetof(pressindex_search_options, boilerplate_weight), 0.1, HUGE_VAL},
    /* The share of the query's words only the paragraph before holds. */
    {"neighbour_weight", offsetof(pressindex_search_options, neighbour_weight), 0.3, HUGE_VAL},
    /* The score factor of a reporter's question in a briefing ("Q ..."). */
    {"question_weight", offsetof(pressindex_search_options, question_weight), 0.7, HUGE_VAL},
    {"bm25_k1", offsetof(pressindex_search_options, bm25_k1), PRESSINDEX_DEFAULT_BM25_K1, HUGE_VAL},
    {"bm25_b", offsetof(pressindex_search_options, bm25_b), PRESSINDEX_DEFAULT_BM25_B, 1},
};

static double *param(pressindex_search_options *o, size_t i)
{
    return (double *)((char *)o + rank_params[i].offset);
}

void pi_rank_defaults(pressindex_search_options *o)
{
    for (size_t i = 0; i < sizeof rank_params / sizeof rank_params[0]; i++)
        *param(o, i) = rank_params[i].def;
    o->rerank_depth = PRESSINDEX_DEFAULT_RERANK_DEPTH;
}

pressindex_status pi_rank_check(pressindex *idx, const pressindex_search_options *o)
{
    /* A NaN weight would make every score NaN and the order arbitrary, silently. */
    for (size_t i = 0; i < sizeof rank_params / sizeof rank_params[0]; i++) {
        double v = *param((pressindex_search_options *)o, i), max = rank_params[i].max;
        if (!(v >= 0 && v <= max && isfinite(v)))
            return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "%s is %g: a finite number >= 0%s",
                           rank_params[i].name, v, max == 1 ? " and <= 1" : "");
    }
    return PRESSINDEX_OK;
}

static int wanted_phrase(const pi_query *pq, const pi_qnode *leaf, void *ctx)
{
    (void)pq;
    (void)ctx;
    return leaf->kind == PI_Q_PHRASE && leaf->quoted && !leaf->excluded && leaf->field == PI_QF_TEXT;
}

int pi_rank_wanted(const pressindex_search_options *o, const pi_query *pq, int adjacency)
{
    return o->sort == PRESSINDEX_SORT_RELEVANCE &&
           (o->release_weight > 0 || o->boilerplate_weight != 1.0 || o->question_weight != 1.0 ||
            o->title_weight > 0 || o->neighbour_weight > 0 || adjacency ||
            pi_query_leaves(pq, wanted_phrase, NULL));
}

/* The window's own factors: boilerplate and questions demoted, phrases counted in the text. */
static pressindex_status factors(pi_search *s)
{
    const pressindex_search_options *o = s->o;
    uint64_t passages = s->m.docs;
    for (size_t i = 0; i < s->nw; i++) {
        pi_cand *c = &s->c[i];
        c->factor = 1;
        if (o->boilerplate_weight != 1.0 && c->hash[0] && is_boilerplate(s->idx, c->hash, passages))
            c->factor *= o->boilerplate_weight;
        if (o->question_weight != 1.0 && c->text && is_question(c->text, c->tlen))
            c->factor *= o->question_weight;
        if (s->m.n_phrases && !(c->pf = phrase_counts(&s->m, s->stem, c->text ? c->text : "", c->tlen)))
            return pi_fail(s->idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    }
    return PRESSINDEX_OK;
}

pressindex_status pi_rank(pi_search *s)
{
    const pressindex_search_options *o = s->o;
    pressindex_status st = PRESSINDEX_OK;
    if (!s->rerank) {
        for (size_t i = 0; i < s->n; i++)
            s->c[i].score = s->c[i].weight;
        return PRESSINDEX_OK;
    }
    /* Each stage reads postings or documents: the time limit is checked between them. */
    if (s->nw) {
        st = factors(s);
        if (st == PRESSINDEX_OK && s->m.n_phrases && (st = pi_search_in_time(s)) == PRESSINDEX_OK)
            st = phrase_frequency(s);
        for (size_t i = 0; st == PRESSINDEX_OK && i < s->nw; i++)
            s->c[i].weight *= s->c[i].factor;
        if (st == PRESSINDEX_OK && s->adj && (st = pi_search_in_time(s)) == PRESSINDEX_OK)
            st = adjacency(s->idx, s->adj, s->c, s->nw);
        if (st == PRESSINDEX_OK && o->title_weight > 0 && (st = pi_search_in_time(s)) == PRESSINDEX_OK) {
            if (!(s->recs = calloc(s->nw, sizeof *s->recs)))
                st = pi_fail(s->idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
            else
                st = title_shares(s);
        }
        if (st == PRESSINDEX_OK && (o->release_weight > 0 || o->neighbour_weight > 0) &&
            (st = pi_search_in_time(s)) == PRESSINDEX_OK)
            st = release_evidence(s);
    }
    if (st == PRESSINDEX_OK)
        rerank(o, s->c, s->nw, s->n);
    return st;
}
