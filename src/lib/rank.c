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
#include "store.h"
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
        char *blob = NULL;
        size_t blen;
        xc_status xs = pi_db_record(idx->db, c[i].docid, c[i].key, &blob, &blen);
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
        if (!stem) { /* a language's first release in this search: its stemmer could not be made */
            st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
            break;
        }
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

/* A reader handle's boilerplate answers by text hash, for one revision of its database: a long-
 * lived reader (serve, a newsroom tool) meets the same boilerplate paragraphs in search after
 * search, and each answer is a term frequency read from Xapian's B-tree (5% of a warm search on
 * whitehouse, measured with the answers held in memory). An answer holds until a commit: the
 * revision read (xc_db_revision()) and the threshold are checked on every lookup; a swapped
 * database (compaction, rebuild) drops the cache with the database (pi_index: drop_db()). A
 * writer's handle, whose uncommitted writes move the counts, asks Xapian every time. */
#define BP_MAX 65536 /* entries; when full the cache starts again (bounded memory) */

struct pi_bpcache {
    uint64_t rev, threshold;
    size_t used, cap;  /* cap a power of two, at most twice the entries */
    uint64_t *slot;    /* 0 empty, else BP_USED | yes << 32 | the hash's 32 bits */
};
#define BP_USED ((uint64_t)1 << 33)

void pi_bpcache_free(pi_bpcache *c)
{
    if (c)
        free(c->slot);
    free(c);
}

static uint32_t hash32(const char *hash)
{
    uint32_t v = 0;
    for (int i = 0; i < PI_XH_LEN && hash[i]; i++)
        v = v << 4 | (uint32_t)(hash[i] <= '9' ? hash[i] - '0' : (hash[i] | 0x20) - 'a' + 10);
    return v;
}

/* The cache's slot for h32: its entry, or the empty slot where it goes; NULL with no cache. */
static uint64_t *bp_slot(pi_bpcache *c, uint32_t h32)
{
    if (!c || !c->cap)
        return NULL;
    size_t mask = c->cap - 1, i = (size_t)(h32 * 2654435761u) & mask;
    while (c->slot[i] && (uint32_t)c->slot[i] != h32)
        i = (i + 1) & mask;
    return &c->slot[i];
}

/* The handle's cache, emptied when the database moved on: NULL (no caching) for a writer's
 * handle or when memory is short (the answer is then Xapian's, as always). */
static pi_bpcache *bp_cache(pressindex *idx, uint64_t threshold)
{
    uint64_t rev = 0;
    if (idx->writable || xc_db_revision(idx->db, &rev) != XC_OK)
        return NULL;
    pi_bpcache *c = idx->bp;
    if (!c && !(c = idx->bp = calloc(1, sizeof *c)))
        return NULL;
    if (!c->cap || c->rev != rev || c->threshold != threshold || c->used >= BP_MAX) {
        size_t cap = 1024;
        if (c->cap && c->used >= BP_MAX)
            cap = c->cap;
        free(c->slot);
        c->slot = calloc(cap, sizeof *c->slot);
        c->cap = c->slot ? cap : 0;
        c->used = 0;
        c->rev = rev;
        c->threshold = threshold;
    } else if (2 * (c->used + 1) > c->cap) { /* at most half full */
        uint64_t *old = c->slot;
        size_t oldcap = c->cap;
        if (!(c->slot = calloc(2 * oldcap, sizeof *c->slot))) {
            c->slot = old;
            return NULL;
        }
        c->cap = 2 * oldcap;
        for (size_t i = 0; i < oldcap; i++)
            if (old[i])
                *bp_slot(c, (uint32_t)old[i]) = old[i];
        free(old);
    }
    return c->cap ? c : NULL;
}

/* Is this paragraph text boilerplate: held by a noticeable share of the releases (at least 3, and
 * 1 in 1,000)? Relative to the corpus size, so that a corpus copied ten times does not make every
 * paragraph boilerplate. The XH term of a text is on every release holding it. */
static xc_status is_boilerplate(pressindex *idx, const char *hash, uint64_t releases, int *yes)
{
    uint64_t threshold = releases / 1000 > 3 ? releases / 1000 : 3;
    uint32_t h32 = hash32(hash);
    pi_bpcache *c = bp_cache(idx, threshold);
    uint64_t *slot = bp_slot(c, h32);
    if (slot && *slot) {
        *yes = (int)(*slot >> 32 & 1);
        return XC_OK;
    }
    char term[PI_HASH_LEN + 8];
    snprintf(term, sizeof term, "%s%.*s", PI_P_TEXTHASH, PI_XH_LEN, hash);
    uint64_t tf = 0;
    *yes = 0;
    /* A failure is the search's: after a bad_alloc inside Xapian its database must not be used
     * again before it is reopened (taking it for "not boilerplate" went on and crashed). */
    xc_status xs = xc_db_termfreq(idx->db, term, strlen(term), &tf);
    *yes = xs == XC_OK && tf >= threshold;
    if (xs == XC_OK && slot) {
        *slot = BP_USED | (uint64_t)*yes << 32 | h32;
        c->used++;
    }
    return xs;
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

/*
 * The paragraph before: the IDF share of the query's words that the paragraph is missing and the
 * paragraph just before it holds (press releases leave the subject to the previous paragraph;
 * briefings put it in the question). passage.c gave every candidate the stems it and its
 * predecessor hold. The release's own evidence is Xapian's BM25 of its document, read with the
 * match (the release and its title as one document).
 */
static void neighbours(pi_search *s)
{
    const pi_matcher *m = &s->m;
    double total = 0;
    for (size_t k = 0; k < m->n_stems && k < 64; k++)
        if (!m->excluded[k])
            total += log_idf(m->docs, m->df[k]);
    for (size_t i = 0; total > 0 && i < s->nw; i++) {
        pi_cand *c = &s->c[i];
        if (!c->has_before)
            continue;
        for (size_t k = 0; k < m->n_stems && k < 64; k++) {
            uint64_t bit = (uint64_t)1 << k;
            if (!m->excluded[k] && !(c->has & bit) && (c->bef & bit))
                c->before += log_idf(m->docs, m->df[k]) / total;
        }
    }
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

/* A window candidate's text hash, for the boilerplate lookups in term order. */
typedef struct hashed {
    const char *hash;
    pi_cand *c;
} hashed;

static int cmp_hashed(const void *a, const void *b)
{
    return strcmp(((const hashed *)a)->hash, ((const hashed *)b)->hash);
}

/* The window's own factors: boilerplate and questions demoted. The texts' XH terms are looked
 * up in byte order, each once: Xapian's cursor goes down to the term after the last, and a block
 * it holds already is not read again (20 lookups in the window's order were ~3 block reads
 * each). */
static pressindex_status factors(pi_search *s)
{
    const pressindex_search_options *o = s->o;
    uint64_t releases = s->releases;
    hashed *h = s->nw ? malloc(s->nw * sizeof *h) : NULL;
    size_t n = 0;
    if (s->nw && !h)
        return pi_fail(s->idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < s->nw; i++) {
        pi_cand *c = &s->c[i];
        c->factor = 1;
        if (o->question_weight != 1.0 && (c->flags & PI_PF_QUESTION))
            c->factor *= o->question_weight;
        if (o->boilerplate_weight != 1.0 && c->hash[0])
            h[n++] = (hashed){c->hash, c};
    }
    qsort(h, n, sizeof *h, cmp_hashed);
    int boiler = 0;
    for (size_t k = 0; k < n; k++) {
        if (!k || strcmp(h[k].hash, h[k - 1].hash)) {
            xc_status xs = is_boilerplate(s->idx, h[k].hash, releases, &boiler);
            if (xs != XC_OK) {
                free(h);
                return pi_read_fail(s->idx, xs, "ranking");
            }
        }
        if (boiler)
            h[k].c->factor *= o->boilerplate_weight;
    }
    free(h);
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
        for (size_t i = 0; st == PRESSINDEX_OK && i < s->nw; i++)
            s->c[i].weight *= s->c[i].factor;
        if (st == PRESSINDEX_OK && o->title_weight > 0 && (st = pi_search_in_time(s)) == PRESSINDEX_OK) {
            if (!(s->recs = calloc(s->nw, sizeof *s->recs)))
                st = pi_fail(s->idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
            else
                st = title_shares(s);
        }
        if (st == PRESSINDEX_OK && o->neighbour_weight > 0)
            neighbours(s);
        if (o->release_weight <= 0)
            for (size_t i = 0; i < s->nw; i++)
                s->c[i].release = 0;
    }
    if (st == PRESSINDEX_OK)
        rerank(o, s->c, s->nw, s->n);
    return st;
}
