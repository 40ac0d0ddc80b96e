/*
 * passage.c - which passages of a candidate release satisfy the query alone, and their BM25,
 * from the positions of the query's terms in the release (passage.h): body words from the
 * release's positions value (posblob.h), title words from Xapian's positions.
 *
 * The evaluation mirrors compile.c node by node, so that a passage matches exactly when the
 * Xapian query of one-document-per-paragraph would have matched it, and weighs it as Xapian's
 * BM25 would (the sum of the weights of the matching leaves), with passage statistics:
 *  - N is the number of passages (the collection frequency of the XP term, whose wdf in each
 *    release is its passage count);
 *  - a word's passage frequency is estimated from what Xapian keeps for free: at most its
 *    occurrences (the collection frequency: a rare word is rarely repeated in a paragraph) and at
 *    most its releases times the mean passages per release (a word repeated in long documents),
 *    at least its releases;
 *  - a passage's length is the positions it spans; the mean length is the index's words over N.
 * Quoted phrases count by occurrence (doc/ranking.md, "phrases are scored by how often the phrase
 * occurs"), as the rank stage did for schema 1.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "passage.h"
#include "posblob.h"
#include "store.h"
#include "text.h"

/* Expansions of a title wildcard looked at in one release. */
#define MAX_EXPANSIONS 1000

typedef struct pterm {
    char *term;       /* the index term (S + stem for titles), or a wildcard's prefix */
    size_t len;
    int wildcard;
    char *alt;        /* a wildcard's typed stem, also matched (NULL: none) */
    char *exp;        /* a title wildcard's words in the index, each NUL-ended (a body wildcard
                       * is matched against each release's own dictionary) */
    size_t nexp;
    int too_many;     /* more than MAX_EXPANSIONS: each release's own title terms are looked through */
    int whole;        /* a title term: it applies to the whole release */
    double tw;        /* BM25 term weight x (k1 + 1) x the within-query frequency factor */
    unsigned wqf;     /* how often the compiled query holds it */
    double rtw;       /* its BM25 term weight over releases (the release's evidence), 0: none */
    long twin;        /* a text word's title term (S + stem), counted with it for the release */
    long mk;          /* the matcher's stem number (presence bits), -1 if none */
    const pi_qlang *lang; /* a word's form in another language: found in its releases only */
    uint64_t cf;
    const unsigned *pos; /* positions in the release at hand (owned by its read-ahead) */
    size_t n;
    size_t rs, re;    /* the passage at hand: pos[rs..re) */
    int needpos;      /* its positions are read (a phrase's or NEAR's word, the adjacency phrase's);
                       * else only how many it has in the release: for a title term (whole), its
                       * wdf in the postings, without a position-table lookup per release (12% of
                       * a search's block reads) */
    int evid;         /* a passage's evaluation reads it (a word searched, a NEAR operand's word, a
                       * wildcard): a passage holding none of these is evaluated as an empty one
                       * (a stopword left out of "the price of gas" is in most passages) */
} pterm;

typedef struct leafmap {
    const pi_qnode *leaf;
    long *ix;         /* per word: its term, -1 not searched, -2 never indexed (too long) */
    /* What a passage's evaluation needs, worked out once: the terms of the words searched (not
     * the stopwords left out), in order, and whether one of them is never indexed. */
    long *sx;
    size_t nsx;
    int never;
} leafmap;

/* A sequence's plain words typed more than once count once, weighted by how often (compile.c's
 * seq_kids()): per kid, its weight factor, 0 for a repeat. Worked out once, not per passage. */
typedef struct seqmap {
    const pi_qnode *seq;
    unsigned *times;
} seqmap;

struct pi_plan {
    xc_db *db;
    const pi_query *pq;
    pterm *t;
    size_t nt;
    leafmap *lm;
    size_t nlm;
    seqmap *sm;
    size_t nsm;
    long *adj;        /* the adjacency phrase's terms, NULL when off */
    size_t nadj;
    double adjw;
    uint64_t passages, releases;
    double avgdl, k1, b;
    double K;         /* the passage at hand's BM25 length factor */
    int titles;       /* the query has title: words */
    int relax;        /* evaluating a whole release: exclusions left out, XOR as OR, NOT as
                       * its left side (what any of its passages could satisfy at most) */
    int needs_all;    /* a passage holding none of the query's words may match (NOT x, filters,
                       * title:): every passage is evaluated */
    double ravg;      /* the mean release length */
    struct pre *pre;  /* the releases read ahead, by docid */
    pi_passage *ps;   /* the passage map at hand (reused) */
    size_t ps_cap;
    size_t npre;
    /* What is looked up in each release's positions blob (main) and in its stopwords' (stop:
     * posblob.h): the body terms, sorted, and apart the body wildcards' prefixes. */
    struct probes {
        struct probe *w, *pfx;
        size_t nw, npfx;
    } main, stop;
    pi_buf scratch;      /* an inflated blob */
    size_t *act;         /* the release at hand's body terms with positions (reused) */
    size_t act_cap;
};

/* A body term (or a wildcard's typed stem) or a wildcard's prefix, and the plan term it fills. */
typedef struct probe {
    const char *s;
    size_t len;
    size_t ti;
} probe;

typedef struct ev {
    int m;            /* -1: no part of the query (compiles to nothing), 0 no, 1 yes */
    double w;
    int text;         /* a word of the passage's own text took part in the match */
} ev;

xc_status pi_plan_df(const pi_plan *p, const char *term, uint64_t *out)
{
    uint64_t cf = 0, df = 0;
    size_t len = strlen(term);
    xc_status xs = xc_db_collfreq(p->db, term, len, &cf);
    if (xs == XC_OK)
        xs = xc_db_termfreq(p->db, term, len, &df);
    /* At least its releases, at most its occurrences and its releases times the mean passages
     * per release. */
    double spread = p->releases ? (double)df * (double)p->passages / (double)p->releases : 0;
    if (spread < (double)cf)
        cf = (uint64_t)(spread + 0.5);
    *out = cf < df ? df : cf;
    return xs;
}

static ev eval(const pi_plan *p, const pi_qnode *n);

const char *pi_plan_text_term(const pi_plan *p, size_t i, size_t *len)
{
    for (size_t k = 0; k < p->nt; k++) {
        const pterm *t = &p->t[k];
        if (t->rtw > 0 && !t->whole && !t->wildcard && i-- == 0) {
            *len = t->len;
            return t->term;
        }
    }
    return NULL;
}

uint64_t pi_plan_passages(const pi_plan *p)
{
    return p->passages;
}

static double bm25_termweight(uint64_t docs, uint64_t df)
{
    if (!df)
        return 0;
    if (df > docs)
        df = docs;
    double tw = ((double)docs - (double)df + 0.5) / ((double)df + 0.5);
    if (tw < 2)
        tw = tw * 0.5 + 1;
    return log(tw);
}

static long add_term(pi_plan *p, const char *term, size_t len, int wildcard, int whole,
                     const pi_qlang *lang, xc_status *xs)
{
    for (size_t i = 0; i < p->nt; i++)
        if (p->t[i].len == len && !memcmp(p->t[i].term, term, len) && p->t[i].wildcard == wildcard &&
            p->t[i].whole == whole && p->t[i].lang == lang)
            return (long)i;
    pterm *g = realloc(p->t, (p->nt + 1) * sizeof *g);
    if (!g) {
        *xs = XC_ERR_NO_MEMORY;
        return -1;
    }
    p->t = g;
    pterm *t = &p->t[p->nt];
    memset(t, 0, sizeof *t);
    t->mk = -1;
    t->twin = -1;
    t->wildcard = wildcard;
    t->whole = whole;
    t->lang = lang;
    t->len = len;
    if (!(t->term = strndup(term, len))) {
        *xs = XC_ERR_NO_MEMORY;
        return -1;
    }
    return (long)p->nt++;
}

static long word_term(pi_plan *p, pi_qfield field, const char *stem, const pi_qlang *lang, xc_status *xs)
{
    char t[PI_MAX_TERM + 8];
    if (strlen(stem) > PI_MAX_TERM)
        return -2;
    int n = snprintf(t, sizeof t, "%s%s", field == PI_QF_TITLE ? PI_P_TITLE : "", stem);
    return add_term(p, t, (size_t)n, 0, field == PI_QF_TITLE, lang, xs);
}

typedef struct plan_ctx {
    pi_plan *p;
    xc_status xs;
} plan_ctx;

static int plan_leaf(const pi_query *pq, const pi_qnode *leaf, void *ctx)
{
    plan_ctx *c = ctx;
    pi_plan *p = c->p;
    leafmap *g = realloc(p->lm, (p->nlm + 1) * sizeof *g);
    if (!g) {
        c->xs = XC_ERR_NO_MEMORY;
        return 1;
    }
    p->lm = g;
    leafmap *lm = &p->lm[p->nlm];
    lm->leaf = leaf;
    lm->sx = NULL;
    lm->nsx = 0;
    lm->never = 0;
    if (!(lm->ix = calloc(leaf->n_words ? 2 * leaf->n_words : 1, sizeof *lm->ix))) {
        c->xs = XC_ERR_NO_MEMORY;
        return 1;
    }
    p->nlm++;
    if (leaf->field == PI_QF_TITLE)
        p->titles = 1;
    if (leaf->kind == PI_Q_WILDCARD) {
        const pi_qword *w = &leaf->words[0];
        char t[PI_MAX_TERM + 8];
        if (strlen(w->folded) > PI_MAX_TERM) {
            lm->ix[0] = -2;
            return 0;
        }
        int n = snprintf(t, sizeof t, "%s%s", leaf->field == PI_QF_TITLE ? PI_P_TITLE : "", w->folded);
        long k = add_term(p, t, (size_t)n, 1, leaf->field == PI_QF_TITLE, NULL, &c->xs);
        lm->ix[0] = k;
        if (k >= 0)
            p->t[k].evid = 1;
        if (k >= 0 && strcmp(w->stem, w->folded) != 0 && strlen(w->stem) <= PI_MAX_TERM) {
            char a[PI_MAX_TERM + 8];
            snprintf(a, sizeof a, "%s%s", leaf->field == PI_QF_TITLE ? PI_P_TITLE : "", w->stem);
            if (!(p->t[k].alt = strdup(a)))
                c->xs = XC_ERR_NO_MEMORY;
        }
        return c->xs != XC_OK;
    }
    /* NEAR uses every word of its operands, searched or not (compile.c's near()). */
    for (size_t i = 0; i < leaf->n_words && c->xs == XC_OK; i++)
        lm->ix[i] = word_term(p, leaf->field, leaf->words[i].stem, leaf->lang, &c->xs);
    if (c->xs != XC_OK)
        return 1; /* the words after the failed one have no term, and p->t may be gone */
    lm->sx = lm->ix + leaf->n_words;
    for (size_t i = 0; i < leaf->n_words && lm->nsx < 64; i++) {
        if (!pi_qword_searched(pq, leaf, &leaf->words[i]))
            continue;
        if (lm->ix[i] == -2)
            lm->never = 1;
        else
            lm->sx[lm->nsx++] = lm->ix[i];
        if (lm->ix[i] >= 0)
            p->t[lm->ix[i]].evid = 1;
    }
    for (size_t i = 0; lm->nsx > 1 && i < lm->nsx; i++)
        if (lm->sx[i] >= 0)
            p->t[lm->sx[i]].needpos = 1;
    return c->xs != XC_OK;
}

static int cmp_leafmap(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const leafmap *)a)->leaf, y = (uintptr_t)((const leafmap *)b)->leaf;
    return x < y ? -1 : x > y;
}

/* The leaf's terms (the maps are sorted by leaf address: a query of 256 words has 256 leaves,
 * looked up for every passage). */
static const leafmap *leaf_of(const pi_plan *p, const pi_qnode *leaf)
{
    /* Inline, not bsearch(): a call through a comparator per probe was 7% of a long query. */
    uintptr_t key = (uintptr_t)leaf;
    size_t lo = 0, hi = p->nlm;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)p->lm[mid].leaf < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->nlm && p->lm[lo].leaf == leaf ? &p->lm[lo] : NULL;
}

/* NEAR reads every word of its operands, searched or not (near() below). */
static void mark_near(pi_plan *p, const pi_qnode *n, unsigned depth)
{
    if (!n || depth > PI_QUERY_MAX_DEPTH + 1)
        return;
    for (size_t i = 0; i < n->n_kids; i++) {
        const pi_qnode *kid = n->kids[i];
        const leafmap *lm = n->kind == PI_Q_NEAR ? leaf_of(p, kid) : NULL;
        for (size_t w = 0; lm && w < kid->n_words; w++)
            if (lm->ix[w] >= 0)
                p->t[lm->ix[w]].evid = p->t[lm->ix[w]].needpos = 1;
        mark_near(p, kid, depth + 1);
    }
}

static int cmp_seqmap(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const seqmap *)a)->seq, y = (uintptr_t)((const seqmap *)b)->seq;
    return x < y ? -1 : x > y;
}

static int plain_word(const pi_plan *p, const pi_qnode *kid)
{
    return kid && kid->kind == PI_Q_WORD && !kid->sign && pi_qword_searched(p->pq, kid, &kid->words[0]);
}

static xc_status plan_seqs(pi_plan *p, const pi_qnode *n, unsigned depth)
{
    if (!n || depth > PI_QUERY_MAX_DEPTH + 1)
        return XC_OK;
    xc_status xs = XC_OK;
    if (n->kind == PI_Q_SEQ) {
        seqmap *g = realloc(p->sm, (p->nsm + 1) * sizeof *g);
        unsigned *times = calloc(n->n_kids ? n->n_kids : 1, sizeof *times);
        if (g)
            p->sm = g;
        if (!g || !times) {
            free(times);
            return XC_ERR_NO_MEMORY;
        }
        p->sm[p->nsm].seq = n;
        p->sm[p->nsm++].times = times;
        /* Repeats found by sorting the plain words by stem: 512 stopwords are 512 kids. */
        size_t *order = calloc(n->n_kids ? n->n_kids : 1, sizeof *order), k = 0;
        if (!order)
            return XC_ERR_NO_MEMORY;
        for (size_t i = 0; i < n->n_kids; i++) {
            times[i] = 1;
            if (plain_word(p, n->kids[i]))
                order[k++] = i;
        }
        /* Insertion by stem, stable by position: small k in practice; n log n is not needed. */
        for (size_t a = 1; a < k; a++) {
            size_t v = order[a], b = a;
            while (b > 0) {
                const pi_qnode *x = n->kids[order[b - 1]], *y = n->kids[v];
                int c = x->field != y->field ? (int)x->field - (int)y->field
                                             : strcmp(x->words[0].stem, y->words[0].stem);
                if (c <= 0)
                    break;
                order[b] = order[b - 1];
                b--;
            }
            order[b] = v;
        }
        for (size_t a = 0; a < k;) {
            size_t b = a + 1;
            while (b < k && n->kids[order[b]]->field == n->kids[order[a]]->field &&
                   !strcmp(n->kids[order[b]]->words[0].stem, n->kids[order[a]]->words[0].stem))
                b++;
            times[order[a]] = (unsigned)(b - a); /* the first typed counts for all */
            for (size_t c = a + 1; c < b; c++)
                times[order[c]] = 0;
            a = b;
        }
        free(order);
    }
    for (size_t i = 0; xs == XC_OK && i < n->n_kids; i++)
        xs = plan_seqs(p, n->kids[i], depth + 1);
    return xs;
}

typedef struct adj_ctx {
    pi_plan *p;
    xc_status xs;
} adj_ctx;

static int adj_leaf(const pi_query *pq, const pi_qnode *leaf, void *ctx)
{
    (void)pq;
    adj_ctx *a = ctx;
    if (leaf->alt)
        return 0; /* the words as typed */
    for (size_t i = 0; i < leaf->n_words && a->xs == XC_OK; i++) {
        long k = word_term(a->p, PI_QF_TEXT, leaf->words[i].stem, NULL, &a->xs);
        long *g = realloc(a->p->adj, (a->p->nadj + 1) * sizeof *g);
        if (!g) {
            a->xs = XC_ERR_NO_MEMORY;
            break;
        }
        a->p->adj = g;
        a->p->adj[a->p->nadj++] = k;
        if (k >= 0)
            a->p->t[k].needpos = 1;
    }
    return a->xs != XC_OK;
}

static int cmp_probe(const void *a, const void *b)
{
    const probe *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void add_probe(struct probes *pr, const char *s, size_t len, size_t i)
{
    pr->w[pr->nw++] = (probe){s, len, i};
}

/* The body terms to find in each release's positions blobs, sorted as the blobs' dictionaries
 * are: words (absent from the index: none), wildcards' typed stems, and apart the wildcards'
 * prefixes; a stopword's in the stopwords' blob, a prefix in both when a stopword has it. */
static xc_status plan_probes(pi_plan *p)
{
    struct probes *m = &p->main, *st = &p->stop;
    m->w = calloc(2 * p->nt + 1, sizeof *m->w);
    m->pfx = calloc(p->nt + 1, sizeof *m->pfx);
    st->w = calloc(2 * p->nt + 1, sizeof *st->w);
    st->pfx = calloc(p->nt + 1, sizeof *st->pfx);
    if (!m->w || !m->pfx || !st->w || !st->pfx)
        return XC_ERR_NO_MEMORY;
    for (size_t i = 0; i < p->nt; i++) {
        const pterm *t = &p->t[i];
        if (t->whole)
            continue;
        if (t->wildcard) {
            m->pfx[m->npfx++] = (probe){t->term, t->len, i};
            if (pi_stopword_prefixed(t->term, t->len))
                st->pfx[st->npfx++] = (probe){t->term, t->len, i};
            if (t->alt)
                add_probe(pi_is_stopword(t->alt, strlen(t->alt)) ? st : m, t->alt, strlen(t->alt), i);
        } else if (t->cf) {
            add_probe(pi_is_stopword(t->term, t->len) ? st : m, t->term, t->len, i);
        }
    }
    if (m->nw > 1)
        qsort(m->w, m->nw, sizeof *m->w, cmp_probe);
    if (st->nw > 1)
        qsort(st->w, st->nw, sizeof *st->w, cmp_probe);
    return XC_OK;
}

xc_status pi_plan_new(xc_db *db, const pi_query *pq, const pi_matcher *m, const xc_query *q,
                      double k1, double b, double adjacency, pi_plan **out)
{
    pi_plan *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p)
        return XC_ERR_NO_MEMORY;
    p->db = db;
    p->pq = pq;
    p->k1 = k1;
    p->b = b;
    plan_ctx c = {p, XC_OK};
    pi_query_leaves(pq, plan_leaf, &c);
    xc_status xs = c.xs;
    if (p->nlm)
        qsort(p->lm, p->nlm, sizeof *p->lm, cmp_leafmap);
    if (xs == XC_OK)
        xs = plan_seqs(p, pq->root, 0);
    if (xs == XC_OK)
        mark_near(p, pq->root, 0);
    if (p->nsm)
        qsort(p->sm, p->nsm, sizeof *p->sm, cmp_seqmap);
    if (xs == XC_OK && adjacency > 0 && !pq->structured && pq->root) {
        adj_ctx a = {p, XC_OK};
        pi_query_leaves(pq, adj_leaf, &a);
        xs = a.xs;
        p->adjw = adjacency;
        if (p->nadj < 2) {
            free(p->adj);
            p->adj = NULL;
            p->nadj = 0;
        }
    }
    /* Statistics: passages, mean passage length, each term's collection frequency. */
    uint64_t docs = 0;
    double avlen = 0;
    if (xs == XC_OK)
        xs = xc_db_collfreq(db, PI_P_PASSAGES, strlen(PI_P_PASSAGES), &p->passages);
    if (xs == XC_OK)
        xs = xc_db_doccount(db, &docs);
    p->releases = docs;
    if (xs == XC_OK)
        xs = xc_db_avlength(db, &avlen);
    if (xs == XC_OK && p->passages)
        p->avgdl = (avlen * (double)docs - (double)p->passages) / (double)p->passages;
    if (p->avgdl <= 0)
        p->avgdl = 1;
    /* Within-query frequencies: how often the compiled query holds each term. */
    xc_keylist *kl = NULL;
    if (xs == XC_OK)
        xs = xc_query_terms(q, 0, &kl);
    unsigned *wqf = xs == XC_OK ? calloc(p->nt ? p->nt : 1, sizeof *wqf) : NULL;
    if (xs == XC_OK && !wqf)
        xs = XC_ERR_NO_MEMORY;
    const char *t;
    size_t tn;
    while (xs == XC_OK && xc_keylist_next(kl, &t, &tn) > 0)
        for (size_t i = 0; i < p->nt; i++)
            if (!p->t[i].wildcard && p->t[i].len == tn && !memcmp(p->t[i].term, t, tn))
                wqf[i]++;
    xc_keylist_free(kl);
    for (size_t i = 0; xs == XC_OK && i < p->nt; i++) {
        pterm *pt = &p->t[i];
        const char *st = pt->wildcard ? pt->alt : pt->term;
        if (st && (xs = pi_plan_df(p, st, &pt->cf)) != XC_OK)
            break; /* (the release's statistic below would overwrite the failure) */
        if (pt->wildcard && !pt->cf)
            pt->cf = p->passages / 100 + 1; /* a prefix's words: no statistic of its own */
        if (pt->whole)
            continue; /* the release's title: evidence of the rank stage, not of the passage */
        pt->wqf = wqf[i];
        double f = wqf[i] ? wqf[i] : 1;
        pt->tw = bm25_termweight(p->passages, pt->cf) * (k1 + 1) * 2 * f / (1 + f);
        if (!pt->wildcard)
            pt->mk = pi_matcher_find(m, pt->term);
        if (pt->mk >= 64)
            pt->mk = -1;
        /* The release's evidence: the query's words, not those it excludes. */
        long k = pt->wildcard ? -1 : pi_matcher_find(m, pt->term);
        if (k >= 0 && !m->excluded[k]) {
            uint64_t rdf = 0;
            if ((xs = xc_db_termfreq(db, pt->term, pt->len, &rdf)) != XC_OK)
                break;
            pt->rtw = bm25_termweight(docs, rdf) * 2 * f / (1 + f);
        }
    }
    /* Each of those words' title term, counted with it in the release (doc/ranking.md: title words
     * in the release's BM25). Added after: new terms have no passage weight. */
    for (size_t i = 0, nt = p->nt; xs == XC_OK && i < nt; i++) {
        if (p->t[i].rtw <= 0)
            continue;
        char st[PI_MAX_TERM + 8];
        int sl = snprintf(st, sizeof st, "%s%s", PI_P_TITLE, p->t[i].term);
        long k = sl > 0 && (size_t)sl < sizeof st ? add_term(p, st, (size_t)sl, 0, 1, p->t[i].lang, &xs) : -1;
        if (k >= 0) {
            p->t[k].mk = -1;
            p->t[k].twin = -1;
            if ((xs = xc_db_collfreq(db, st, (size_t)sl, &p->t[k].cf)) != XC_OK)
                break;
        }
        p->t[i].twin = k;
    }
    p->ravg = avlen > 0 ? avlen : 1;
    /* Can a passage without any of the query's words match? Evaluated once, on an empty one. */
    if (xs == XC_OK) {
        for (size_t i = 0; i < p->nt; i++)
            p->t[i].pos = NULL, p->t[i].n = p->t[i].rs = p->t[i].re = 0;
        p->K = 1;
        p->needs_all = p->titles || !pq->root || eval(p, pq->root).m != 0;
    }
    free(wqf);
    /* A title wildcard's words, listed once for the query (bounded as the compiler bounds them);
     * more than that, and each release's own terms are looked through instead. A body wildcard
     * is looked up in each release's positions blob. */
    for (size_t i = 0; xs == XC_OK && i < p->nt; i++) {
        pterm *pt = &p->t[i];
        if (!pt->wildcard || !pt->whole)
            continue;
        xc_keylist *el = NULL;
        pi_buf all = {0};
        size_t count = 0;
        int more = 0;
        if ((xs = xc_db_allterms(db, pt->term, &el)) != XC_OK)
            break;
        while (count <= MAX_EXPANSIONS && (more = xc_keylist_next(el, &t, &tn)) > 0) {
            if (pi_buf_add(&all, t, tn) < 0 || pi_buf_addc(&all, '\0') < 0) {
                xs = XC_ERR_NO_MEMORY;
                break;
            }
            count++;
        }
        if (xs == XC_OK && more < 0)
            xs = xc_last_status();
        xc_keylist_free(el);
        pt->too_many = count > MAX_EXPANSIONS;
        if (xs == XC_OK && count <= MAX_EXPANSIONS) {
            pt->exp = pi_buf_steal(&all);
            pt->nexp = count;
            if (!pt->exp && count)
                xs = XC_ERR_NO_MEMORY;
        }
        pi_buf_free(&all);
    }
    if (xs == XC_OK)
        xs = plan_probes(p);
    if (xs != XC_OK) {
        pi_plan_free(p);
        return xs;
    }
    *out = p;
    return XC_OK;
}

static void pre_free(pi_plan *p);

void pi_plan_free(pi_plan *p)
{
    if (!p)
        return;
    pre_free(p);
    free(p->ps);
    for (size_t i = 0; i < p->nt; i++) {
        free(p->t[i].term);
        free(p->t[i].alt);
        free(p->t[i].exp);
    }
    free(p->t);
    for (size_t i = 0; i < p->nlm; i++)
        free(p->lm[i].ix);
    free(p->lm);
    for (size_t i = 0; i < p->nsm; i++)
        free(p->sm[i].times);
    free(p->sm);
    free(p->adj);
    free(p->main.w);
    free(p->main.pfx);
    free(p->stop.w);
    free(p->stop.pfx);
    pi_buf_free(&p->scratch);
    free(p->act);
    free(p);
}

/* ---- one release ---- */

static int cmp_uint(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

static xc_status append_positions(pi_plan *p, unsigned docid, const char *term, size_t len,
                                  unsigned **all, size_t *n)
{
    unsigned *pos = NULL;
    size_t k = 0;
    xc_status xs = xc_db_positions(p->db, docid, term, len, &pos, &k);
    if (xs == XC_OK && k) {
        unsigned *g = realloc(*all, (*n + k) * sizeof *g);
        if (!g) {
            xs = XC_ERR_NO_MEMORY;
        } else {
            memcpy(g + *n, pos, k * sizeof *g);
            *all = g;
            *n += k;
        }
    }
    free(pos);
    return xs;
}

/* A wildcard's positions: those of every term of the release that starts with its prefix, and of
 * the typed word's stem. */
static xc_status wildcard_positions(pi_plan *p, unsigned docid, const pterm *t, unsigned **pos,
                                    size_t *n)
{
    char *terms = NULL;
    size_t nterms = 0;
    *pos = NULL;
    *n = 0;
    xc_status xs = xc_db_doc_terms(p->db, docid, t->term, MAX_EXPANSIONS, &terms, &nterms);
    const char *at = terms;
    for (size_t i = 0; xs == XC_OK && i < nterms; i++) {
        size_t l = strlen(at);
        xs = append_positions(p, docid, at, l, pos, n);
        at += l + 1;
    }
    free(terms);
    if (xs == XC_OK && t->alt)
        xs = append_positions(p, docid, t->alt, strlen(t->alt), pos, n);
    if (xs == XC_OK && *n > 1) {
        qsort(*pos, *n, sizeof **pos, cmp_uint);
        size_t k = 1;
        for (size_t i = 1; i < *n; i++)
            if ((*pos)[i] != (*pos)[k - 1])
                (*pos)[k++] = (*pos)[i];
        *n = k;
    }
    return xs;
}

/* A release read ahead: its passage map and each term's positions in it. */
typedef struct pre {
    unsigned docid;
    char *map;
    size_t mlen;
    unsigned **pos;   /* per term */
    size_t *n;
    int none;         /* none of its passages can match (the release as one passage does not) */
    char *langs;      /* its L terms, NUL-ended, once read (langs_read) */
    size_t nlangs;
    int langs_read;
} pre;

static void pre_free(pi_plan *p)
{
    for (size_t d = 0; d < p->npre; d++) {
        free(p->pre[d].map);
        free(p->pre[d].langs);
        for (size_t i = 0; p->pre[d].pos && i < p->nt; i++)
            free(p->pre[d].pos[i]);
        free(p->pre[d].pos);
        free(p->pre[d].n);
    }
    free(p->pre);
    p->pre = NULL;
    p->npre = 0;
}

static int cmp_pre(const void *a, const void *b)
{
    unsigned x = ((const pre *)a)->docid, y = ((const pre *)b)->docid;
    return x < y ? -1 : x > y;
}

static void sort_unique(unsigned *a, size_t *n)
{
    if (*n < 2)
        return;
    qsort(a, *n, sizeof *a, cmp_uint);
    size_t k = 1;
    for (size_t i = 1; i < *n; i++)
        if (a[i] != a[k - 1])
            a[k++] = a[i];
    *n = k;
}

/* Is release r in the language l (one of its codes)? Its L terms are read once. */
static int release_in(pi_plan *p, pre *r, const pi_qlang *l, xc_status *xs)
{
    if (!r->langs_read) {
        *xs = xc_db_doc_terms(p->db, r->docid, PI_P_LANG, 16, &r->langs, &r->nlangs);
        r->langs_read = 1;
    }
    const char *at = r->langs;
    for (size_t i = 0; at && i < r->nlangs; i++) {
        for (size_t k = 0; k < l->n_codes; k++)
            if (!strcmp(at + strlen(PI_P_LANG), l->codes[k]))
                return 1;
        at += strlen(at) + 1;
    }
    return 0;
}

/* Appends word's positions in each release read ahead (p->pre, by docid) to their term i. */
static xc_status merge_postings(pi_plan *p, const char *word, size_t i, size_t n)
{
    xc_postlist *pl = NULL;
    size_t len = strlen(word);
    xc_status xs = xc_db_postlist(p->db, word, len, &pl);
    unsigned at = 0;
    int on = 1;
    for (size_t d = 0; xs == XC_OK && on > 0 && d < n; d++) {
        pre *r = &p->pre[d];
        if (at < r->docid && (on = xc_postlist_skip_to(pl, r->docid, &at)) <= 0)
            break;
        if (at == r->docid)
            xs = append_positions(p, r->docid, word, len, &r->pos[i], &r->n[i]);
    }
    if (xs == XC_OK && on < 0)
        xs = xc_last_status();
    xc_postlist_free(pl);
    return xs;
}

/* Appends the blob's term at hand's positions to term i's in r (a word of one language: only
 * in a release of that language). */
static xc_status take_positions(pi_plan *p, pre *r, size_t i, const pi_posr *rd)
{
    xc_status xs = XC_OK;
    if (p->t[i].lang && (!release_in(p, r, p->t[i].lang, &xs) || xs != XC_OK))
        return xs;
    unsigned *g = realloc(r->pos[i], (r->n[i] + rd->plen + 1) * sizeof *g);
    if (!g)
        return XC_ERR_NO_MEMORY;
    r->pos[i] = g;
    long k = pi_posr_positions(rd, g + r->n[i]);
    if (k < 0)
        return XC_ERR_CORRUPT;
    r->n[i] += (size_t)k;
    return XC_OK;
}

/* Does the term at hand come after every term starting with the prefix? */
static int past_prefix(const pi_posr *rd, const probe *x)
{
    size_t n = rd->len < x->len ? rd->len : x->len;
    return memcmp(rd->term, x->s, n) > 0;
}

/* The positions of the body terms pr in release r, from its blob: its dictionary and the sorted
 * terms merged in one pass (a wildcard: every term with its prefix). */
static xc_status blob_positions(pi_plan *p, const struct probes *pr, pre *r, const char *blob, size_t blen)
{
    pi_posr rd;
    int rc = pi_posr_init(&rd, blob, blen, &p->scratch);
    if (rc < 0)
        return rc == -2 ? XC_ERR_NO_MEMORY : XC_ERR_CORRUPT;
    size_t e = 0;
    xc_status xs = XC_OK;
    int wild = 0;
    if (!pr->npfx) {
        /* Words only: from one looked-for term to the next, over the first bytes' index. */
        rc = pi_posr_next(&rd);
        while (xs == XC_OK && rc > 0 && e < pr->nw) {
            unsigned char want = (unsigned char)pr->w[e].s[0];
            if ((unsigned char)rd.term[0] < want) {
                if ((rc = pi_posr_seek(&rd, want)) > 0)
                    rc = pi_posr_next(&rd);
                continue;
            }
            probe key = {rd.term, rd.len, 0};
            int c = cmp_probe(&pr->w[e], &key);
            if (c < 0) {
                e++;
                continue;
            }
            if (c == 0)
                for (size_t k = e; xs == XC_OK && k < pr->nw && !cmp_probe(&pr->w[k], &key); k++)
                    xs = take_positions(p, r, pr->w[k].ti, &rd);
            rc = pi_posr_next(&rd);
        }
        return xs == XC_OK && rc < 0 ? XC_ERR_CORRUPT : xs;
    }
    while (xs == XC_OK && (rc = pi_posr_next(&rd)) > 0) {
        probe key = {rd.term, rd.len, 0};
        int c = -1;
        while (e < pr->nw && (c = cmp_probe(&pr->w[e], &key)) < 0)
            e++;
        for (size_t k = e; xs == XC_OK && c == 0 && k < pr->nw; k++) {
            if (k > e && cmp_probe(&pr->w[k], &key) != 0)
                break;
            xs = take_positions(p, r, pr->w[k].ti, &rd);
        }
        int left = e < pr->nw;
        for (size_t k = 0; xs == XC_OK && k < pr->npfx; k++) {
            const probe *x = &pr->pfx[k];
            if (rd.len >= x->len && !memcmp(rd.term, x->s, x->len)) {
                xs = take_positions(p, r, x->ti, &rd);
                wild = 1;
                left = 1;
            } else if (!left && !past_prefix(&rd, x)) {
                left = 1;
            }
        }
        if (!left)
            break; /* every term looked for is behind */
    }
    if (xs == XC_OK && rc < 0)
        xs = XC_ERR_CORRUPT;
    /* A wildcard's words merged: one ascending list, as a word's. */
    for (size_t k = 0; xs == XC_OK && wild && k < pr->npfx; k++)
        sort_unique(r->pos[pr->pfx[k].ti], &r->n[pr->pfx[k].ti]);
    return xs;
}

/* Could any passage of r satisfy the query? Not when the release as one passage does not satisfy
 * it relaxed (exclusions, XOR and NOT are what make a passage match where its release would not). */
static int release_may_match(pi_plan *p, const pre *r)
{
    if (!p->pq->root)
        return 1;
    for (size_t i = 0; i < p->nt; i++) {
        pterm *t = &p->t[i];
        t->pos = r->pos[i];
        t->n = r->n[i];
        t->rs = 0;
        t->re = t->n;
    }
    p->K = p->k1; /* weights are not looked at */
    p->relax = 1;
    ev e = eval(p, p->pq->root);
    p->relax = 0;
    return e.m != 0;
}

/* A candidate's passages value: its map kept for evaluating its passages, its body words'
 * positions read. */
static xc_status got_value(void *ctx, size_t i, const char *v, size_t len)
{
    pi_plan *p = ctx;
    pre *r = &p->pre[i];
    const char *map, *blob;
    size_t mlen, blen;
    if (pi_pv_split(v, len, &map, &mlen, &blob, &blen) < 0)
        return XC_ERR_CORRUPT;
    if (!(r->map = malloc(mlen + 1)))
        return XC_ERR_NO_MEMORY;
    memcpy(r->map, map, mlen);
    r->mlen = mlen;
    return p->main.nw || p->main.npfx ? blob_positions(p, &p->main, r, blob, blen) : XC_OK;
}

/* A candidate's stopwords' positions value. */
static xc_status got_stop(void *ctx, size_t i, const char *v, size_t len)
{
    pi_plan *p = ctx;
    return blob_positions(p, &p->stop, &p->pre[i], v, len);
}

xc_status pi_plan_prefetch(pi_plan *p, const unsigned *docids, size_t n)
{
    pre_free(p);
    if (!n)
        return XC_OK;
    if (!(p->pre = calloc(n, sizeof *p->pre)))
        return XC_ERR_NO_MEMORY;
    p->npre = n;
    xc_status xs = XC_OK;
    for (size_t d = 0; d < n; d++) {
        p->pre[d].docid = docids[d];
        p->pre[d].pos = calloc(p->nt ? p->nt : 1, sizeof *p->pre[d].pos);
        p->pre[d].n = calloc(p->nt ? p->nt : 1, sizeof *p->pre[d].n);
        if (!p->pre[d].pos || !p->pre[d].n)
            xs = XC_ERR_NO_MEMORY;
    }
    /* In docid order, term by term: each B-tree is read in key order (terms, then docids), so
     * the blocks on the way are those of the read before. */
    qsort(p->pre, n, sizeof *p->pre, cmp_pre);
    unsigned *ids = xs == XC_OK ? malloc(n * sizeof *ids) : NULL;
    if (xs == XC_OK && !ids)
        xs = XC_ERR_NO_MEMORY;
    for (size_t d = 0; xs == XC_OK && d < n; d++)
        ids[d] = p->pre[d].docid;
    /* Passage maps and body words: from each release's passages value (a value stream, from
     * left to right), one pass over its positions' dictionary. */
    if (xs == XC_OK)
        xs = pi_db_values(p->db, PI_SLOT_POS, ids, n, got_value, p);
    /* The stopwords' positions: only when the query looks for one (a second read per release). */
    if (xs == XC_OK && (p->stop.nw || p->stop.npfx))
        xs = pi_db_values(p->db, PI_SLOT_STOPPOS, ids, n, got_stop, p);
    /* Title words: Xapian's positions. */
    for (size_t i = 0; xs == XC_OK && i < p->nt; i++) {
        const pterm *t = &p->t[i];
        if (!t->whole)
            continue;
        if (t->wildcard && t->too_many) {
            /* Too many words for the prefix: each release's own. */
            for (size_t d = 0; xs == XC_OK && d < n; d++)
                xs = wildcard_positions(p, p->pre[d].docid, t, &p->pre[d].pos[i], &p->pre[d].n[i]);
            continue;
        }
        if (t->wildcard) {
            /* Each of its words (and the typed word's stem) like a term of its own, merged. */
            const char *w = t->exp;
            for (size_t e = 0; xs == XC_OK && e <= t->nexp; e++) {
                const char *word = e < t->nexp ? w : t->alt;
                if (e < t->nexp)
                    w += strlen(w) + 1;
                if (word)
                    xs = merge_postings(p, word, i, n);
            }
            for (size_t d = 0; xs == XC_OK && d < n; d++)
                sort_unique(p->pre[d].pos[i], &p->pre[d].n[i]);
            continue;
        }
        if (!t->cf)
            continue;
        /* The term's postings say which releases hold it (read in chunks of many documents):
         * positions are looked up only there, not probed for in every release. */
        xc_postlist *pl = NULL;
        if ((xs = xc_db_postlist(p->db, t->term, t->len, &pl)) != XC_OK)
            break;
        unsigned at = 0;
        int on = 1;
        for (size_t d = 0; xs == XC_OK && on > 0 && d < n; d++) {
            pre *r = &p->pre[d];
            if (at < r->docid && (on = xc_postlist_skip_to(pl, r->docid, &at)) <= 0)
                break;
            if (at != r->docid || (t->lang && !release_in(p, r, t->lang, &xs)) || xs != XC_OK)
                continue;
            if (t->whole && !t->needpos) {
                unsigned wdf = 0; /* a title's word takes one position each: wdf = positions */
                xs = xc_postlist_get(pl, &wdf, NULL);
                r->n[i] = wdf;
            } else
                xs = xc_db_positions(p->db, r->docid, t->term, t->len, &r->pos[i], &r->n[i]);
        }
        if (xs == XC_OK && on < 0)
            xs = xc_last_status();
        xc_postlist_free(pl);
    }
    /* A release whose positions, taken as one passage, do not satisfy what any passage would
     * need (a phrase of common words, the release query's AND of them, rarely holds): its
     * passages are not evaluated. */
    for (size_t d = 0; xs == XC_OK && d < n; d++)
        p->pre[d].none = !p->needs_all && !release_may_match(p, &p->pre[d]);
    free(ids);
    return xs;
}

/* First index in a[0..n) whose value is >= v. */
static size_t lower(const unsigned *a, size_t n, unsigned v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static double weight(const pi_plan *p, const pterm *t, double tf)
{
    return tf > 0 ? t->tw * tf / (p->K + tf) : 0;
}

static size_t tf_of(const pterm *t)
{
    return t->re - t->rs;
}

/* How many times the terms ix[0..k) occur in order, each after the previous one, within a window
 * of `window` positions (Xapian's OP_PHRASE), in the passage at hand: from each position of the
 * first, the next position of each following term. */
static unsigned phrase_greedy(const pi_plan *p, const long *ix, size_t k, unsigned window)
{
    const pterm *first = &p->t[ix[0]];
    unsigned count = 0;
    for (size_t i = first->rs; i < first->re; i++) {
        unsigned start = first->pos[i], cur = start;
        for (size_t j = 1; j < k; j++) {
            const pterm *t = &p->t[ix[j]];
            size_t at = t->rs + lower(t->pos + t->rs, t->re - t->rs, cur + 1);
            if (at >= t->re)
                return count; /* no later start can do better */
            cur = t->pos[at];
        }
        if (cur - start < window && (count++, p->relax))
            return count; /* a whole release: whether, not how often */
    }
    return count;
}

/* The same count when the window is the phrase's length (k increasing positions spanning fewer
 * than k: side by side): from each position of the rarest term, the others where they must be.
 * "the President of the United States" walks the positions of "president", not of "the". */
static unsigned phrase_count(const pi_plan *p, const long *ix, size_t k, unsigned window)
{
    if (window != k || k > 64 || k < 2)
        return phrase_greedy(p, ix, k, window);
    size_t a = 0, at[64];
    for (size_t j = 0; j < k; j++) {
        const pterm *t = &p->t[ix[j]];
        at[j] = t->rs;
        if (tf_of(t) < tf_of(&p->t[ix[a]]))
            a = j;
    }
    const pterm *anchor = &p->t[ix[a]];
    unsigned count = 0;
    for (size_t i = anchor->rs; i < anchor->re; i++) {
        if (anchor->pos[i] <= a)
            continue; /* the phrase would start before position 1 */
        unsigned start = anchor->pos[i] - (unsigned)a;
        int ok = 1;
        for (size_t j = 0; j < k && ok; j++) {
            if (j == a)
                continue;
            const pterm *t = &p->t[ix[j]];
            unsigned want = start + (unsigned)j;
            /* Starts only grow: each term's cursor only moves forward. */
            at[j] += lower(t->pos + at[j], t->re - at[j], want);
            if (at[j] >= t->re)
                return count;
            ok = t->pos[at[j]] == want;
        }
        if (ok && (count++, p->relax))
            return count;
    }
    return count;
}

/* Are the terms ix[0..k) all within a window of `window` positions, in any order (OP_NEAR)? The
 * smallest span holding one position of each, found by advancing the smallest. */
static int near_holds(const pi_plan *p, const long *ix, size_t k, unsigned window)
{
    size_t at[64];
    if (k > 64)
        k = 64;
    for (size_t j = 0; j < k; j++) {
        const pterm *t = &p->t[ix[j]];
        if (t->rs >= t->re)
            return 0;
        at[j] = t->rs;
    }
    for (;;) {
        unsigned lo = UINT32_MAX, hi = 0;
        size_t jlo = 0;
        for (size_t j = 0; j < k; j++) {
            unsigned v = p->t[ix[j]].pos[at[j]];
            if (v < lo) {
                lo = v;
                jlo = j;
            }
            if (v > hi)
                hi = v;
        }
        if (hi - lo < window)
            return 1;
        if (++at[jlo] >= p->t[ix[jlo]].re)
            return 0;
    }
}

static ev eval(const pi_plan *p, const pi_qnode *n);

static ev leaf(const pi_plan *p, const pi_qnode *n)
{
    const leafmap *lm = leaf_of(p, n);
    ev r = {-1, 0, 0};
    if (!lm)
        return r;
    if (n->kind == PI_Q_WILDCARD) {
        if (lm->ix[0] == -2)
            return (ev){0, 0, 0};
        const pterm *t = &p->t[lm->ix[0]];
        r.m = tf_of(t) > 0;
        r.w = weight(p, t, (double)tf_of(t));
        r.text = r.m && !t->whole;
        return r;
    }
    const long *ix = lm->sx;
    size_t k = lm->nsx;
    if (lm->never)
        return (ev){0, 0, 0};
    if (!k)
        return r;
    if (k == 1) {
        const pterm *t = &p->t[ix[0]];
        r.m = tf_of(t) > 0;
        r.w = weight(p, t, (double)tf_of(t));
        r.text = r.m && !t->whole;
        return r;
    }
    unsigned pf = phrase_count(p, ix, k, (unsigned)k);
    r.m = pf > 0;
    r.text = r.m && !p->t[ix[0]].whole;
    for (size_t i = 0; r.m && i < k; i++) {
        const pterm *t = &p->t[ix[i]];
        double tf = (double)tf_of(t);
        /* Used once in the whole query (Xapian's within-query frequency): the phrase's count. */
        if (n->quoted && t->wqf <= 1 && pf < tf)
            tf = pf;
        r.w += weight(p, t, tf);
    }
    return r;
}

static ev near(const pi_plan *p, const pi_qnode *n)
{
    long ix[64];
    size_t k = 0;
    for (size_t i = 0; i < n->n_kids; i++) {
        const pi_qnode *kid = n->kids[i];
        const leafmap *lm = leaf_of(p, kid);
        for (size_t w = 0; lm && w < kid->n_words && k < 64; w++) {
            if (lm->ix[w] == -2)
                return (ev){0, 0, 0};
            ix[k++] = lm->ix[w];
        }
        /* A phrase operand must also hold as a phrase. */
        if (kid->n_words > 1 && leaf(p, kid).m == 0)
            return (ev){0, 0, 0};
    }
    if (!k)
        return (ev){-1, 0, 0};
    ev r = {0, 0, 0};
    if (k == 1) {
        r.m = tf_of(&p->t[ix[0]]) > 0;
    } else {
        r.m = near_holds(p, ix, k, n->window ? n->window : (unsigned)k);
    }
    for (size_t i = 0; r.m && i < k; i++)
        r.w += weight(p, &p->t[ix[i]], (double)tf_of(&p->t[ix[i]]));
    r.text = r.m && !p->t[ix[0]].whole;
    return r;
}

/* Items side by side: (required AND_MAYBE optional) AND_NOT excluded (compile.c's sequence()). */
static ev sequence(const pi_plan *p, const pi_qnode *n)
{
    int any_req = 0, req_ok = 1, any_opt = 0, opt_ok = 0, any_exc = 0, exc_hit = 0, treq = 0, topt = 0;
    double wreq = 0, wopt = 0;
    seqmap key = {n, NULL};
    const seqmap *sm = p->nsm ? bsearch(&key, p->sm, p->nsm, sizeof *p->sm, cmp_seqmap) : NULL;
    for (size_t i = 0; i < n->n_kids; i++) {
        const pi_qnode *kid = n->kids[i];
        double times = sm ? sm->times[i] : 1;
        if (!times)
            continue;
        ev e = eval(p, kid);
        if (e.m < 0)
            continue;
        if (kid->sign == '+') {
            any_req = 1;
            req_ok &= e.m;
            wreq += e.w * times;
            treq |= e.text;
        } else if (kid->sign == '-') {
            if (p->relax)
                continue;
            any_exc = 1;
            exc_hit |= e.m;
        } else {
            any_opt = 1;
            opt_ok |= e.m;
            if (e.m) {
                wopt += e.w * times;
                topt |= e.text;
            }
        }
    }
    ev r = {-1, 0, 0};
    if (any_req) {
        r.m = req_ok;
        r.w = req_ok ? wreq + wopt : 0;
        r.text = treq | topt;
    } else if (any_opt) {
        r.m = opt_ok;
        r.w = wopt;
        r.text = topt;
    } else if (any_exc) {
        r.m = 1; /* everything but */
    }
    if (any_exc && exc_hit)
        r.m = 0;
    if (r.m == 0)
        r.w = 0;
    return r;
}

static ev eval(const pi_plan *p, const pi_qnode *n)
{
    ev r = {-1, 0, 0};
    if (!n)
        return r;
    switch (n->kind) {
    case PI_Q_WORD:
    case PI_Q_PHRASE:
    case PI_Q_WILDCARD:
        return leaf(p, n);
    case PI_Q_SEQ:
        return sequence(p, n);
    case PI_Q_AND:
    case PI_Q_OR:
    case PI_Q_XOR: {
        int any = 0, all = 1, count = 0, text = 0;
        double w = 0;
        for (size_t i = 0; i < n->n_kids; i++) {
            ev e = eval(p, n->kids[i]);
            if (e.m < 0)
                continue;
            any = 1;
            all &= e.m;
            count += e.m;
            if (e.m) {
                w += e.w;
                text |= e.text;
            }
        }
        if (!any)
            return r;
        r.m = n->kind == PI_Q_AND ? all : n->kind == PI_Q_OR || p->relax ? count > 0 : count % 2;
        r.w = r.m ? w : 0;
        r.text = r.m && text;
        return r;
    }
    case PI_Q_NOT: {
        ev left = n->kids[0] ? eval(p, n->kids[0]) : (ev){1, 0, 0};
        if (left.m < 0 || p->relax)
            return left.m < 0 ? r : left;
        ev right = eval(p, n->kids[1]);
        if (right.m == 1)
            return (ev){0, 0, 0};
        return left;
    }
    case PI_Q_NEAR:
        return near(p, n);
    }
    return r;
}

const char *pi_plan_map(const pi_plan *p, unsigned docid, size_t *len)
{
    pre key = {.docid = docid};
    const pre *r = p && p->npre ? bsearch(&key, p->pre, p->npre, sizeof *p->pre, cmp_pre) : NULL;
    if (!r || !r->map)
        return NULL;
    *len = r->mlen;
    return r->map;
}

xc_status pi_plan_release(pi_plan *p, unsigned docid, pi_pmatch **out, size_t *n, size_t *cap)
{
    pre key = {.docid = docid};
    pre *r = p->npre ? bsearch(&key, p->pre, p->npre, sizeof *p->pre, cmp_pre) : NULL;
    xc_status xs = XC_OK;
    if (!r) {
        /* Not read ahead: alone. */
        if ((xs = pi_plan_prefetch(p, &docid, 1)) != XC_OK)
            return xs;
        r = &p->pre[0];
    }
    if (r->none)
        return XC_OK;
    size_t np = 0;
    int rc = pi_pmap_decode_into(r->map, r->mlen, &p->ps, &p->ps_cap, &np);
    const pi_passage *ps = p->ps;
    if (rc < 0)
        xs = rc == -2 ? XC_ERR_NO_MEMORY : XC_ERR_CORRUPT;
    for (size_t i = 0; i < p->nt; i++) {
        p->t[i].pos = r->pos[i];
        p->t[i].n = r->n[i];
    }
    /* The release's BM25 as one document (its text and title), with the query's weights. */
    double rel = 0, rlen = 0;
    for (size_t j = 0; j < np; j++)
        rlen += ps[j].words;
    double rK = p->k1 * (1 - p->b + p->b * rlen / p->ravg);
    for (size_t i = 0; i < p->nt; i++) {
        const pterm *t = &p->t[i];
        double f = t->rtw > 0 ? (double)t->n + (t->twin >= 0 ? (double)p->t[t->twin].n : 0) : 0;
        rel += f > 0 ? t->rtw * f * (p->k1 + 1) / (f + rK) : 0;
    }
    uint64_t prev_bits = 0;
    unsigned prev_pno = 0;
    /* Passages come in position order: each term's positions are walked once, not searched; only
     * the body terms the release holds are walked (the others stay empty in every passage). */
    if (p->act_cap < p->nt) {
        size_t *g = realloc(p->act, p->nt * sizeof *g);
        if (!g)
            return XC_ERR_NO_MEMORY;
        p->act = g;
        p->act_cap = p->nt;
    }
    size_t nact = 0;
    for (size_t i = 0; i < p->nt; i++) {
        pterm *t = &p->t[i];
        t->rs = 0;
        t->re = t->whole ? t->n : 0;
        if (!t->whole && t->n)
            p->act[nact++] = i;
    }
    for (size_t j = 0; xs == XC_OK && j < np; j++) {
        if (!p->needs_all) {
            /* Straight to the next passage that holds a word of the release's positions: the
             * others cannot match, and their bits (none) are all a later one takes of them. A
             * long briefing's 200 passages were each walked for the few that hold a word. */
            unsigned next = UINT_MAX;
            for (size_t a = 0; a < nact; a++) {
                const pterm *t = &p->t[p->act[a]];
                if (t->re < t->n && t->pos[t->re] < next)
                    next = t->pos[t->re];
            }
            if (next == UINT_MAX)
                break;
            if (ps[j].start + ps[j].words <= next) {
                size_t at = j + 1 + pi_passage_after(ps + j + 1, np - j - 1, next);
                if (at == np)
                    break;
                prev_bits = 0;
                prev_pno = ps[at - 1].pno;
                j = at;
            }
        }
        const pi_passage *ps_j = &ps[j];
        unsigned lo = ps_j->start, hi = ps_j->start + ps_j->words; /* [lo, hi) */
        uint64_t bits = 0;
        int any = 0;
        for (size_t a = 0; a < nact; a++) {
            pterm *t = &p->t[p->act[a]];
            size_t k = t->re;
            while (k < t->n && t->pos[k] < lo)
                k++;
            t->rs = k;
            while (k < t->n && t->pos[k] < hi)
                k++;
            t->re = k;
            if (k > t->rs) {
                any |= t->evid;
                if (t->mk >= 0)
                    bits |= (uint64_t)1 << t->mk;
            }
        }
        if (!any && !p->needs_all) {
            /* None of the query's words: it cannot match (the plan checked the empty passage). */
            prev_bits = bits;
            prev_pno = ps_j->pno;
            continue;
        }
        double normlen = (double)ps_j->words / p->avgdl;
        if (normlen < 0.5)
            normlen = 0.5;
        p->K = p->k1 * (normlen * p->b + 1 - p->b);
        ev e = p->pq->root ? eval(p, p->pq->root) : (ev){-1, 0, 0};
        /* Nothing of the query to search: Xapian found the release through its filters alone. */
        if (e.m < 0)
            e.m = 1;
        /* Matched by the release's title alone (title:x, no word of the passage): the release's
         * first passage, its lead, stands for it, rather than every paragraph it has. */
        if (e.m == 1 && !e.text && p->titles && j > 0)
            e.m = 0;
        if (e.m == 1 && p->adj) {
            unsigned pf = phrase_count(p, p->adj, p->nadj, (unsigned)p->nadj);
            for (size_t i = 0; pf && i < p->nadj; i++)
                e.w += p->adjw * weight(p, &p->t[p->adj[i]], (double)tf_of(&p->t[p->adj[i]]));
        }
        if (e.m == 1) {
            if (*n == *cap) {
                size_t c2 = *cap ? 2 * *cap : 64;
                pi_pmatch *g = realloc(*out, c2 * sizeof *g);
                if (!g) {
                    xs = XC_ERR_NO_MEMORY;
                    break;
                }
                *out = g;
                *cap = c2;
            }
            pi_pmatch *pm = &(*out)[(*n)++];
            pm->pidx = (unsigned)j;
            pm->pno = ps_j->pno;
            pm->weight = e.w;
            pm->release = rel;
            pm->has = bits;
            pm->flags = ps_j->flags;
            pm->has_before = j > 0 && prev_pno + 1 == ps_j->pno;
            pm->before = pm->has_before ? prev_bits : 0;
            pm->hash = pi_pmap_hash(r->map, ps_j);
        }
        prev_bits = bits;
        prev_pno = ps_j->pno;
    }
    return xs;
}
