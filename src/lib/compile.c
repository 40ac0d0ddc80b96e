/*
 * compile.c - the query tree becomes a Xapian query, built through the shim node by node (no
 * query text for Xapian's QueryParser to read again), with the date and source filters.
 *
 * The shapes are those Xapian's QueryParser gives the same structure, so BM25 weighs them alike:
 * items side by side are (required AND_MAYBE optional) AND_NOT excluded, a phrase is OP_PHRASE
 * over its words, NEAR/n over k words is OP_NEAR with window n + k - 1.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "text.h"

/* The compiler's state: the status (sticky: once set, every step returns at once) and the next
 * query position (a word typed twice is two positions: Xapian's within-query frequency). */
typedef struct cc {
    xc_status xs;
    unsigned pos;
    xc_db *db;             /* for counting a wildcard's words */
    size_t max_expansion;  /* 0: no bound */
    const char *too_wide;  /* the first wildcard over it (its folded prefix) */
    int relax;             /* for releases: no exclusions, XOR as OR, body phrases and NEAR as
                            * AND (see pi_compile_releases) */
} cc;

/* Combines the non-NULL queries of subs with op (freeing them): NULL when there are none, the
 * one itself when there is one. */
static xc_query *combine(int op, xc_query **subs, size_t n, unsigned window, cc *c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (subs[i])
            subs[k++] = subs[i];
    if (c->xs != XC_OK || k == 0) {
        for (size_t i = 0; i < k; i++)
            xc_query_free(subs[i]);
        return NULL;
    }
    if (k == 1 && op != XC_OP_PHRASE && op != XC_OP_NEAR)
        return subs[0];
    xc_query *out = NULL;
    c->xs = xc_query_combine(op, subs, k, window, &out);
    for (size_t i = 0; i < k; i++)
        xc_query_free(subs[i]);
    return out;
}

static xc_query *combine2(int op, xc_query *a, xc_query *b, cc *c)
{
    xc_query *subs[2] = {a, b};
    return combine(op, subs, 2, 0, c);
}

static xc_query *term(pi_qfield field, const char *word, cc *c)
{
    char t[PI_MAX_TERM + 8];
    xc_query *q = NULL;
    if (c->xs != XC_OK)
        return NULL;
    int n = snprintf(t, sizeof t, "%s%s", field == PI_QF_TITLE ? PI_P_TITLE : "", word);
    if (strlen(word) > PI_MAX_TERM || n < 0 || (size_t)n >= sizeof t)
        c->xs = xc_query_combine(XC_OP_OR, NULL, 0, 0, &q); /* never indexed: matches nothing */
    else
        c->xs = xc_query_term_at(t, (size_t)n, ++c->pos, &q);
    return q;
}

static xc_query *match_all(cc *c)
{
    xc_query *q = NULL;
    if (c->xs == XC_OK)
        c->xs = xc_query_match_all(&q);
    return q;
}

static xc_query *node(const pi_query *pq, const pi_qnode *n, cc *c);

/* The releases of a language (a form of a word in it is looked for there only). */
static xc_query *lang_filter(const pi_qlang *l, cc *c)
{
    xc_query *any = NULL;
    for (size_t i = 0; i < l->n_codes && c->xs == XC_OK; i++) {
        char t[80];
        xc_query *q = NULL;
        int n = snprintf(t, sizeof t, "%s%s", PI_P_LANG, l->codes[i]);
        if (n > 0 && (size_t)n < sizeof t)
            c->xs = xc_query_term(t, (size_t)n, &q);
        any = any ? combine2(XC_OP_OR, any, q, c) : q;
    }
    return any;
}

/* Does the prefix stand for more index words than the bound? Counted before any matching (a
 * one-letter prefix can stand for a tenth of the vocabulary). */
static int over_bound(cc *c, const char *prefix)
{
    if (!c->max_expansion || !c->db)
        return 0;
    xc_keylist *kl = NULL;
    if ((c->xs = xc_db_allterms(c->db, prefix, &kl)) != XC_OK)
        return 0;
    const char *t;
    size_t n, count = 0;
    int more;
    while (count <= c->max_expansion && (more = xc_keylist_next(kl, &t, &n)) > 0)
        count++;
    xc_keylist_free(kl);
    return count > c->max_expansion;
}

/* The kids of n, compiled, in a new array (n->n_kids entries, NULL where nothing). */
static xc_query **kids(const pi_query *pq, const pi_qnode *n, cc *c)
{
    xc_query **k = calloc(n->n_kids ? n->n_kids : 1, sizeof *k);
    if (!k)
        c->xs = XC_ERR_NO_MEMORY;
    for (size_t i = 0; k && i < n->n_kids && c->xs == XC_OK; i++)
        k[i] = node(pq, n->kids[i], c);
    return k;
}

/* The leaf's words as terms (those searched). */
static xc_query **leaf_terms(const pi_query *pq, const pi_qnode *n, size_t *count, cc *c)
{
    /* A body phrase's words for finding releases (an AND) leave out its stopwords when it has
     * another word. A release without "the" or "of" cannot hold "the President of the United
     * States" anyway, but nearly every release has them: they narrowed nothing and cost 45% of
     * the match of such a phrase (three more posting lists of every release, scored). passage.c
     * checks the phrase, stopwords and all, in the releases found. Query positions advance as if
     * they were there. */
    int skip_stop = 0;
    if (c->relax && n->kind == PI_Q_PHRASE && n->field != PI_QF_TITLE)
        for (size_t i = 0; i < n->n_words; i++)
            skip_stop |= !n->words[i].stop;
    xc_query **t = calloc(n->n_words, sizeof *t);
    *count = 0;
    if (!t)
        c->xs = XC_ERR_NO_MEMORY;
    for (size_t i = 0; t && i < n->n_words && c->xs == XC_OK; i++) {
        if (skip_stop && n->words[i].stop)
            c->pos++;
        else if (pi_qword_searched(pq, n, &n->words[i]))
            t[(*count)++] = term(n->field, n->words[i].stem, c);
    }
    return t;
}

/* NEAR over words and phrases: Xapian's OP_NEAR takes terms only, so it spans every word of its
 * operands (the window widened by the extra words) and each phrase must also hold as a phrase
 * in the passage. */
static xc_query *near(const pi_query *pq, const pi_qnode *n, cc *c)
{
    size_t total = 0, phrases = 0;
    for (size_t i = 0; i < n->n_kids; i++) {
        total += n->kids[i]->n_words;
        phrases += n->kids[i]->n_words > 1;
    }
    xc_query **t = calloc(total, sizeof *t), **ph = calloc(phrases ? phrases : 1, sizeof *ph);
    size_t nt = 0, np = 0;
    if (!t || !ph)
        c->xs = XC_ERR_NO_MEMORY;
    for (size_t i = 0; t && ph && i < n->n_kids && c->xs == XC_OK; i++) {
        const pi_qnode *k = n->kids[i];
        unsigned first = c->pos;
        for (size_t w = 0; w < k->n_words; w++)
            t[nt++] = term(k->field, k->words[w].stem, c);
        if (k->n_words > 1) {
            /* The phrase's words are the NEAR's, at the same query positions: counted once. */
            unsigned after = c->pos;
            c->pos = first;
            ph[np++] = node(pq, k, c);
            c->pos = after;
        }
    }
    xc_query *q = NULL;
    if (t && ph) {
        q = combine(XC_OP_NEAR, t, nt, n->window, c);
        if (np)
            q = combine2(XC_OP_FILTER, q, combine(XC_OP_AND, ph, np, 0, c), c);
    }
    free(t);
    free(ph);
    return q;
}

static int near_has_body(const pi_qnode *n)
{
    for (size_t i = 0; i < n->n_kids; i++)
        if (n->kids[i]->field != PI_QF_TITLE)
            return 1;
    return 0;
}

/* Items side by side: (required AND_MAYBE optional) AND_NOT excluded, as Xapian's love/hate. */
/* Is kid a plain optional word of a sequence (the same word typed again adds its weight again)? */
static int plain_word(const pi_query *pq, const pi_qnode *kid)
{
    return kid && kid->kind == PI_Q_WORD && !kid->sign && pi_qword_searched(pq, kid, &kid->words[0]);
}

/* The kids of a sequence, compiled; a plain word typed k times is one term weighted k times.
 * Xapian sums an OR's weights, so that is the same score as k terms, but matched once: 512
 * stopwords took 7 s as 512 postings lists over every passage. */
static xc_query **seq_kids(const pi_query *pq, const pi_qnode *n, cc *c)
{
    xc_query **k = calloc(n->n_kids ? n->n_kids : 1, sizeof *k);
    if (!k)
        c->xs = XC_ERR_NO_MEMORY;
    for (size_t i = 0; k && i < n->n_kids && c->xs == XC_OK; i++) {
        const pi_qnode *kid = n->kids[i];
        if (!plain_word(pq, kid)) {
            k[i] = node(pq, kid, c);
            continue;
        }
        unsigned times = 0;
        int seen = 0;
        for (size_t j = 0; j < n->n_kids && !seen; j++)
            if (plain_word(pq, n->kids[j]) && n->kids[j]->field == kid->field &&
                !strcmp(n->kids[j]->words[0].stem, kid->words[0].stem)) {
                seen = j < i; /* compiled at its first occurrence */
                times++;
            }
        if (seen)
            continue;
        k[i] = node(pq, kid, c);
        if (times > 1 && k[i] && c->xs == XC_OK) {
            xc_query *scaled = NULL;
            c->xs = xc_query_scale(k[i], (double)times, &scaled);
            xc_query_free(k[i]);
            k[i] = scaled;
        }
    }
    return k;
}

static xc_query *sequence(const pi_query *pq, const pi_qnode *n, cc *c)
{
    xc_query **k = seq_kids(pq, n, c), **part[3];
    size_t count[3] = {0, 0, 0};
    for (int s = 0; s < 3; s++)
        if (!(part[s] = calloc(n->n_kids, sizeof **part)))
            c->xs = XC_ERR_NO_MEMORY;
    for (size_t i = 0; k && i < n->n_kids; i++) {
        int s = n->kids[i]->sign == '+' ? 0 : n->kids[i]->sign == '-' ? 2 : 1;
        if (part[s] && k[i])
            part[s][count[s]++] = k[i];
        else
            xc_query_free(k[i]);
    }
    free(k);
    xc_query *req = part[0] ? combine(XC_OP_AND, part[0], count[0], 0, c) : NULL;
    xc_query *opt = part[1] ? combine(XC_OP_OR, part[1], count[1], 0, c) : NULL;
    xc_query *exc = part[2] ? combine(XC_OP_OR, part[2], count[2], 0, c) : NULL;
    for (int s = 0; s < 3; s++)
        free(part[s]);
    xc_query *q = req ? (opt ? combine2(XC_OP_AND_MAYBE, req, opt, c) : req) : opt;
    if (exc && c->relax) {
        /* For releases: what is excluded may sit in another paragraph. */
        xc_query_free(exc);
        return q ? q : match_all(c);
    }
    if (exc)
        q = combine2(XC_OP_AND_NOT, q ? q : match_all(c), exc, c);
    return q;
}

static xc_query *node(const pi_query *pq, const pi_qnode *n, cc *c)
{
    if (!n || c->xs != XC_OK)
        return NULL;
    static const int ops[] = {[PI_Q_AND] = XC_OP_AND, [PI_Q_OR] = XC_OP_OR, [PI_Q_XOR] = XC_OP_XOR};
    size_t count;
    xc_query **k, *q = NULL;
    switch (n->kind) {
    case PI_Q_WORD:
    case PI_Q_PHRASE:
        k = leaf_terms(pq, n, &count, c);
        /* For releases, a body phrase is its words: Xapian has no body positions (they are in
         * the positions blob, and passage.c checks the phrase in each paragraph). */
        q = k ? combine(count < 2 ? XC_OP_OR
                        : c->relax && n->field != PI_QF_TITLE ? XC_OP_AND : XC_OP_PHRASE,
                        k, count, 0, c)
              : NULL;
        free(k);
        return n->lang && q ? combine2(XC_OP_FILTER, q, lang_filter(n->lang, c), c) : q;
    case PI_Q_WILDCARD: {
        /* The index holds stems: "security*" expands over terms starting "security", which
         * misses "security" itself (stem "secur"). The typed word's stem goes with it, so a
         * wildcard finds at least what the word finds. */
        const pi_qword *w = &n->words[0];
        char t[PI_MAX_TERM + 8];
        snprintf(t, sizeof t, "%s%.*s", n->field == PI_QF_TITLE ? PI_P_TITLE : "", PI_MAX_TERM, w->folded);
        if (c->xs == XC_OK && strlen(w->folded) > PI_MAX_TERM) /* no indexed word is that long */
            c->xs = xc_query_combine(XC_OP_OR, NULL, 0, 0, &q);
        else if (c->xs == XC_OK && !c->too_wide && over_bound(c, t))
            c->too_wide = w->folded;
        else if (c->xs == XC_OK)
            c->xs = xc_query_wildcard(t, 0, &q);
        if (strcmp(w->stem, w->folded) != 0)
            q = combine2(XC_OP_OR, q, term(n->field, w->stem, c), c);
        return q;
    }
    case PI_Q_SEQ:
        return sequence(pq, n, c);
    case PI_Q_AND:
    case PI_Q_OR:
    case PI_Q_XOR:
        k = kids(pq, n, c);
        q = k ? combine(c->relax && n->kind == PI_Q_XOR ? XC_OP_OR : ops[n->kind], k, n->n_kids, 0, c)
              : NULL;
        free(k);
        return q;
    case PI_Q_NOT: {
        /* Only a NOT with nothing written before it is "everything but": a left side whose words
         * were all dropped (stopwords) leaves nothing to take anything from. */
        xc_query *left = n->kids[0] ? node(pq, n->kids[0], c) : match_all(c);
        if (!left || c->relax)
            return left;
        xc_query *right = node(pq, n->kids[1], c);
        return right ? combine2(XC_OP_AND_NOT, left, right, c) : left;
    }
    case PI_Q_NEAR:
        if (c->relax && near_has_body(n)) {
            /* For releases, NEAR is its operands (passage.c checks the window). */
            k = kids(pq, n, c);
            q = k ? combine(XC_OP_AND, k, n->n_kids, 0, c) : NULL;
            free(k);
        } else {
            q = near(pq, n, c);
        }
        return n->lang && q ? combine2(XC_OP_FILTER, q, lang_filter(n->lang, c), c) : q;
    }
    return NULL;
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

static xc_query *source_term(const char *folded, cc *c)
{
    pi_buf t = {0};
    xc_query *q = NULL;
    if (c->xs == XC_OK && pi_buf_printf(&t, "%s%s", PI_P_SOURCE, folded) < 0)
        c->xs = XC_ERR_NO_MEMORY;
    if (c->xs == XC_OK)
        c->xs = xc_query_term(t.p, t.len, &q);
    pi_buf_free(&t);
    return q;
}

/* Applies the date and source filters of the query and the options to q. */
static pressindex_status filters(pressindex *idx, const pi_query *pq, const pressindex_search_options *o,
                                 xc_query **q, cc *c)
{
    /* Dates are boolean Y/M/D terms: a value range costs a scan of every passage. */
    int ylo, yhi;
    year_bounds(idx, &ylo, &yhi);
    pi_date_range extra = {{0}, {0}, 0};
    if (o->since)
        snprintf(extra.lo, sizeof extra.lo, "%s", o->since);
    if (o->until)
        snprintf(extra.hi, sizeof extra.hi, "%s", o->until);
    for (size_t i = 0; i <= pq->n_dates && c->xs == XC_OK; i++) {
        const pi_date_range *r = i < pq->n_dates ? &pq->dates[i] : &extra;
        if (!r->lo[0] && !r->hi[0])
            continue;
        xc_query *f = NULL;
        c->xs = xc_query_date_range(r->lo[0] ? r->lo : NULL, r->hi[0] ? r->hi : NULL, PI_P_YEAR,
                                  PI_P_MONTH, PI_P_DAY, ylo, yhi, &f);
        if (c->xs == XC_ERR_INVALID) {
            c->xs = XC_OK;
            return pi_fail(idx, PRESSINDEX_ERR_BAD_QUERY, "bad date range %s..%s", r->lo, r->hi);
        }
        *q = combine2(r->excluded ? XC_OP_AND_NOT : XC_OP_FILTER, *q, f, c);
    }
    xc_query *any = NULL, *none = NULL;
    for (size_t i = 0; i < pq->n_sources && c->xs == XC_OK; i++) {
        xc_query **to = pq->sources[i].excluded ? &none : &any;
        xc_query *t = source_term(pq->sources[i].folded, c);
        *to = *to ? combine2(XC_OP_OR, *to, t, c) : t;
    }
    if (o->source && *o->source && c->xs == XC_OK) {
        pi_buf folded = {0};
        if (pi_fold_text(o->source, &folded) < 0)
            c->xs = XC_ERR_NO_MEMORY;
        xc_query *t = source_term(folded.p ? folded.p : "", c);
        any = any ? combine2(XC_OP_OR, any, t, c) : t;
        pi_buf_free(&folded);
    }
    if (any)
        *q = combine2(XC_OP_FILTER, *q, any, c);
    if (none)
        *q = combine2(XC_OP_AND_NOT, *q, none, c);
    if (o->after_sequence && c->xs == XC_OK) {
        /* Sequence values are 16 lower-case hex digits (writer.c): their order is the numbers'. */
        char lo[17];
        xc_query *f = NULL;
        if (o->after_sequence == UINT64_MAX)
            c->xs = xc_query_combine(XC_OP_OR, NULL, 0, 0, &f); /* nothing is written after it */
        else {
            snprintf(lo, sizeof lo, "%016llx", (unsigned long long)(o->after_sequence + 1));
            c->xs = xc_query_value_range(PI_SLOT_SEQ, lo, NULL, &f);
        }
        *q = combine2(XC_OP_FILTER, *q, f, c);
    }
    return PRESSINDEX_OK;
}

static int has_filter(const pi_query *pq, const pressindex_search_options *o)
{
    return pq->n_dates || pq->n_sources || (o->source && *o->source) || o->since || o->until;
}

static pressindex_status compile(pressindex *idx, const pi_query *pq, const pressindex_search_options *o,
                                 int relax, xc_query **out)
{
    cc c = {XC_OK, 0, idx->db, o->max_wildcard_expansion, NULL, relax};
    *out = NULL;
    xc_query *q = node(pq, pq->root, &c);
    if (c.too_wide) {
        xc_query_free(q);
        return pi_fail(idx, PRESSINDEX_ERR_LIMIT,
                       "the wildcard %.80s* stands for more than %zu words of the index: "
                       "type more of the word", c.too_wide, o->max_wildcard_expansion);
    }
    if (!q && c.xs == XC_OK) {
        /* Nothing searchable ("", punctuation, emoji): with a filter, everything it lets through;
         * without, nothing rather than everything. */
        if (has_filter(pq, o))
            q = match_all(&c);
        else
            c.xs = xc_query_combine(XC_OP_OR, NULL, 0, 0, &q);
    }
    pressindex_status st = c.xs == XC_OK ? filters(idx, pq, o, &q, &c) : PRESSINDEX_OK;
    if (st == PRESSINDEX_OK && c.xs != XC_OK)
        st = pi_fail_xc(idx, c.xs, "searching");
    if (st != PRESSINDEX_OK) {
        xc_query_free(q);
        return st;
    }
    *out = q;
    return PRESSINDEX_OK;
}

pressindex_status pi_compile(pressindex *idx, const pi_query *pq, const pressindex_search_options *o,
                             xc_query **out)
{
    return compile(idx, pq, o, 0, out);
}

pressindex_status pi_compile_releases(pressindex *idx, const pi_query *pq,
                                      const pressindex_search_options *o, xc_query **out)
{
    return compile(idx, pq, o, 1, out);
}

typedef struct adj_words {
    const char **stems;
    size_t n, cap;
    int ok;
} adj_words;

static int collect_words(const pi_query *pq, const pi_qnode *leaf, void *ctx)
{
    (void)pq;
    adj_words *a = ctx;
    if (leaf->alt)
        return 0; /* the words as typed */
    for (size_t i = 0; i < leaf->n_words; i++) {
        if (a->n == a->cap) {
            a->cap = a->cap ? 2 * a->cap : 8;
            const char **g = realloc(a->stems, a->cap * sizeof *g);
            if (!g) {
                a->ok = 0;
                return 1;
            }
            a->stems = g;
        }
        a->stems[a->n++] = leaf->words[i].stem;
    }
    return 0;
}

pressindex_status pi_compile_adjacency(pressindex *idx, const pi_query *pq, double weight,
                                       xc_query **out)
{
    *out = NULL;
    if (pq->structured || weight <= 0 || !pq->root)
        return PRESSINDEX_OK;
    /* The typed words in order, stopwords too: "Organization of Turkic States" is adjacent only
     * with its "of". */
    adj_words a = {NULL, 0, 0, 1};
    pi_query_leaves(pq, collect_words, &a);
    cc c = {a.ok ? XC_OK : XC_ERR_NO_MEMORY, 0, NULL, 0, NULL, 0};
    if (c.xs == XC_OK && a.n >= 2) {
        xc_query **t = calloc(a.n, sizeof *t);
        if (!t)
            c.xs = XC_ERR_NO_MEMORY;
        for (size_t i = 0; t && i < a.n; i++)
            t[i] = term(PI_QF_TEXT, a.stems[i], &c);
        xc_query *phrase = t ? combine(XC_OP_PHRASE, t, a.n, 0, &c) : NULL;
        free(t);
        if (phrase && c.xs == XC_OK)
            c.xs = xc_query_scale(phrase, weight, out);
        xc_query_free(phrase);
    }
    free(a.stems);
    return c.xs == XC_OK ? PRESSINDEX_OK : pi_fail_xc(idx, c.xs, "searching");
}
