/*
 * spell.c - "did you mean": a query word the index does not know is replaced by the most frequent
 * index term within two edits of it. The vocabulary is the index's own terms (no separate spelling
 * table to build, keep in step on deletions, or store), scanned only under the word's first letter
 * and only when a search found little. The words are the query tree's, each replaced where it
 * was typed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "query.h"
#include "store.h"
#include "text.h"

#include <utf8proc.h>

#define MAX_WORD 48

/* Optimal string alignment distance, stopping early past limit. */
static unsigned edit_distance(const char *a, size_t n, const char *b, size_t m, unsigned limit)
{
    if (n > MAX_WORD || m > MAX_WORD || (n > m ? n - m : m - n) > limit)
        return limit + 1;
    unsigned d[MAX_WORD + 1][MAX_WORD + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        unsigned row_min = limit + 1;
        for (size_t j = 1; j <= m; j++) {
            unsigned cost = a[i - 1] != b[j - 1];
            unsigned v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
            if (v < row_min)
                row_min = v;
        }
        if (row_min > limit)
            return limit + 1;
    }
    return d[n][m];
}

/* A correction must be this many times as frequent as the word typed when the search found
 * something: a rare word next to a frequent one ("Haris" in 2 releases, "Harris" in 900) is a typo
 * a reporter wants to hear about; a rare name that is right ("Jinping") has no such neighbour. */
#define SPELL_RATIO 20
/* A known word in fewer releases than this may be a repeated typo, worth the first-letters check. */
#define PREFIX_MAX_TF 5

/* The best known term within limit edits of a word (typed as w, stemmed ws) found in at least
 * min_freq releases and starting with the word's first lead bytes (1 or 2), or NULL. malloc()ed.
 * Terms are stems, so the distance is the smallest of the word's, its stem's ("visting" is 3 edits
 * from "visit", its stem "vist" one) and, when prefix_ok and then with *by_prefix set, its first
 * letters' ("presdient" is 4 edits from "presid", its first six letters one: the surface word
 * decides then). prefix_ok is for words the index does not know or knows from a few releases
 * (PREFIX_MAX_TF: a typo repeated): for a word in hundreds ("justin", and the stem "just") the
 * surface check scanned 20 releases' texts to find nothing, two thirds of that search's time. */
static char *correct(xc_db *db, const char *w, size_t n, const char *ws, size_t wsn, unsigned limit,
                     uint64_t min_freq, size_t lead, int prefix_ok, int *by_prefix, xc_status *xs)
{
    char prefix[3] = {w[0], lead > 1 && n > 1 ? w[1] : '\0', '\0'};
    xc_keylist *kl = NULL;
    *by_prefix = 0;
    if ((*xs = xc_db_allterms(db, prefix, &kl)) != XC_OK)
        return NULL;
    char *best = NULL;
    unsigned best_d = limit + 1;
    uint64_t best_f = 0;
    int best_prefix = 0;
    const char *t;
    size_t tn;
    int more;
    while ((more = xc_keylist_next(kl, &t, &tn)) > 0) {
        unsigned d = edit_distance(w, n, t, tn, limit), d2 = edit_distance(ws, wsn, t, tn, limit);
        int pre = 0;
        if (d2 < d)
            d = d2;
        if (d > limit && prefix_ok && tn >= 4 && tn < n && edit_distance(w, tn, t, tn, limit) <= 1) {
            d = limit; /* the weakest kind of match: checked on the surface word */
            pre = 1;
        }
        if (d > limit)
            continue;
        uint64_t f = 0;
        if ((*xs = xc_db_termfreq(db, t, tn, &f)) != XC_OK)
            break;
        if (f < min_freq)
            continue;
        /* Closer wins, unless the other is SPELL_RATIO times as frequent: "presdient" is one edit
         * from "presidente" (a Spanish word of a few releases) and two from "president". */
        int better = !best || (d == best_d ? f > best_f
                               : d < best_d ? f * SPELL_RATIO >= best_f : f >= best_f * SPELL_RATIO);
        if (better) {
            char *c = strndup(t, tn);
            if (!c) {
                *xs = XC_ERR_NO_MEMORY;
                break;
            }
            free(best);
            best = c;
            best_d = d;
            best_f = f;
            best_prefix = pre;
        }
    }
    if (*xs == XC_OK && more < 0)
        *xs = xc_last_status();
    xc_keylist_free(kl);
    if (*xs != XC_OK) {
        free(best);
        return NULL;
    }
    *by_prefix = best && best_prefix;
    return best;
}

/* The index holds stems ("presid"); a reader wants a word ("president"). The passages holding the
 * stem show which words it came from: the one closest to what was typed (and at most max_d edits
 * from it) wins: *out, the folded word (malloc()ed), or NULL. A word is stemmed only when it
 * would be closer than the best so far: stemming every word of 20 releases to find none within
 * one edit of "justin" for the stem "just" was two thirds of that search's instructions. */
static pressindex_status surface_form(pressindex *idx, pi_stemmer *stem, const char *term, const char *typed,
                                      size_t typed_len, unsigned max_d, char **out)
{
    xc_postlist *pl = NULL;
    unsigned docid, best_d = max_d + 1;
    char *word = NULL;
    size_t tl = strlen(term);
    xc_status xs = xc_db_postlist(idx->db, term, tl, &pl);
    int rc = 0, on = 0;
    pi_buf f = {0};
    *out = NULL;
    for (int docs = 0; xs == XC_OK && !rc && docs < 20 && best_d > 0 && (on = xc_postlist_next(pl, &docid)) > 0;
         docs++) {
        char *z = NULL;
        const char *data;
        size_t len, zlen = 0;
        pi_buf texts = {0};
        size_t first;
        if ((xs = pi_db_value(idx->db, docid, PI_SLOT_TEXTS, &z, &zlen)) == XC_OK &&
            (rc = pi_texts_unpack(&idx->unz, z, zlen, 0, SIZE_MAX, &texts, &first)) == 0 && texts.p) {
            data = texts.p; /* a release's texts, NUL-separated (schema 3) */
            len = texts.len;
            size_t at = 0, s, e;
            while (pi_word_next(data, len, &at, &s, &e)) {
                int n = pi_fold_word(data + s, e - s, &f);
                if (n < 0) {
                    rc = -2;
                    break;
                }
                if (n == 0)
                    continue;
                unsigned d = edit_distance(typed, typed_len, f.p, (size_t)n, best_d - 1);
                if (d >= best_d)
                    continue;
                size_t sl;
                const char *st = pi_stemmer_stem(stem, f.p, (size_t)n, &sl);
                if (!st) {
                    rc = -2; /* the stemmer's allocation failed */
                    break;
                }
                if (sl != tl || memcmp(st, term, sl))
                    continue;
                char *w = strndup(f.p, (size_t)n);
                if (!w) {
                    rc = -2;
                    break;
                }
                free(word);
                word = w;
                best_d = d;
            }
        }
        pi_buf_free(&texts);
        free(z);
    }
    if (xs == XC_OK && on < 0)
        xs = xc_last_status();
    pi_buf_free(&f);
    xc_postlist_free(pl);
    if (xs != XC_OK || rc) {
        free(word);
        return xs != XC_OK ? pi_read_fail(idx, xs, "suggesting a spelling")
                           : pi_decode_fail(idx, rc, "a release's texts are damaged");
    }
    *out = word;
    return PRESSINDEX_OK;
}

/* The correction written as the word was typed: "Presdient" -> "President", "HARIS" -> "HARRIS",
 * "presdient" -> "president" (folded words are lower case). malloc()ed, NULL when out of memory. */
static char *as_typed(const char *typed, size_t n, const char *word)
{
    utf8proc_int32_t first = 0, cp;
    size_t upper = 0, letters = 0;
    for (size_t i = 0; i < n;) {
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)typed + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0)
            break;
        if (!i)
            first = cp;
        if (utf8proc_isupper(cp))
            upper++;
        if (utf8proc_islower(cp) || utf8proc_isupper(cp))
            letters++;
        i += (size_t)k;
    }
    int all = letters > 1 && upper == letters, cap = first && utf8proc_isupper(first);
    pi_buf out = {0};
    size_t len = strlen(word);
    int rc = pi_buf_reserve(&out, len * 2 + 4);
    for (size_t i = 0; rc == 0 && i < len;) {
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)word + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0) {
            rc = pi_buf_addc(&out, word[i++]);
            continue;
        }
        if (all || (cap && i == 0))
            cp = utf8proc_toupper(cp);
        utf8proc_uint8_t enc[4];
        rc = pi_buf_add(&out, (const char *)enc, (size_t)utf8proc_encode_char(cp, enc));
        i += (size_t)k;
    }
    if (rc < 0) {
        pi_buf_free(&out);
        return NULL;
    }
    return pi_buf_steal(&out);
}

/* Each correction scans the vocabulary under a letter: a pasted paragraph of unknown words would
 * cost one scan each. A reporter's typo is in the first few words that need one. */
#define MAX_CORRECTIONS 8

typedef struct suggest_ctx {
    pressindex *idx;
    int found;          /* the search found results: only corrections SPELL_RATIO times as frequent */
    uint64_t releases;  /* in the index */
    unsigned tried;
    pi_stemmer *stem;
    const char *query;
    pi_buf out;
    size_t copied;
    int changed;
    pressindex_status st; /* the first failure: it ends the walk and is the search's */
} suggest_ctx;

/* Are all the words of leaf in the index? (A failed lookup: c->st, and "no".) */
static int all_known(suggest_ctx *c, const pi_qnode *leaf)
{
    for (size_t i = 0; i < leaf->n_words; i++) {
        uint64_t tf = 0;
        xc_status xs = xc_db_termfreq(c->idx->db, leaf->words[i].stem, strlen(leaf->words[i].stem), &tf);
        if (xs != XC_OK) {
            c->st = pi_read_fail(c->idx, xs, "suggesting a spelling");
            return 0;
        }
        if (!tf)
            return 0;
    }
    return 1;
}

/* Does another form of the leaf (another language's stems, the other spelling of "F-16") find
 * all its words? Then the leaf is no typo. near: the NEAR holding the leaf as its kid k, if any
 * (its forms are NEARs of the same operands in other languages). */
static int known_elsewhere(suggest_ctx *c, const pi_qnode *leaf, const pi_qnode *near, size_t k)
{
    for (size_t a = 1; c->st == PRESSINDEX_OK && leaf->wrap && a < leaf->wrap->n_kids; a++)
        if (all_known(c, leaf->wrap->kids[a]))
            return 1;
    for (size_t a = 1; c->st == PRESSINDEX_OK && near && near->wrap && a < near->wrap->n_kids; a++) {
        const pi_qnode *other = near->wrap->kids[a];
        if (k < other->n_kids && all_known(c, other->kids[k]))
            return 1;
    }
    return 0;
}

/* Corrects each word of a wanted leaf that the index does not know, in the typed query. */
static int suggest_leaf(const pi_query *pq, const pi_qnode *leaf, const pi_qnode *near, size_t k, void *ctx)
{
    suggest_ctx *c = ctx;
    /* An excluded word the index lacks is excluded already: "-China" is not "-chung". A wildcard
     * is a prefix, not a word. */
    if (leaf->excluded || leaf->kind == PI_Q_WILDCARD || leaf->alt || known_elsewhere(c, leaf, near, k))
        return c->st != PRESSINDEX_OK;
    for (size_t i = 0; i < leaf->n_words; i++) {
        const pi_qword *w = &leaf->words[i];
        size_t n = strlen(w->folded);
        uint64_t tf = 0;
        if (n <= 2 || n > MAX_WORD || (w->folded[0] >= '0' && w->folded[0] <= '9') ||
            pi_query_excludes(pq, w->stem, strlen(w->stem)))
            continue;
        xc_status xs = xc_db_termfreq(c->idx->db, w->stem, strlen(w->stem), &tf);
        if (xs != XC_OK) {
            c->st = pi_read_fail(c->idx, xs, "suggesting a spelling");
            return 1;
        }
        /* An unknown word, when the search found little, gets the best known one. Otherwise a
         * word gets a correction only when one is far more frequent (and none can be when the word
         * is in more than 1 in SPELL_RATIO releases: no scan then). */
        uint64_t need = tf ? tf * SPELL_RATIO : c->found ? SPELL_RATIO : 1;
        if (need > c->releases)
            continue;
        if (++c->tried > MAX_CORRECTIONS)
            return 1;
        /* A word the index knows is a typo of one edit ("Haris", "presdient"), not two: "Justin"
         * is no "just". */
        unsigned limit = tf || n <= 4 ? 1 : 2;
        int by_prefix = 0;
        /* When the search found something, a correction is a courtesy on every search: the terms
         * under the word's first two letters are scanned (a tenth of those under one; a typo in
         * the first two letters goes unseen then). */
        char *best = correct(c->idx->db, w->folded, n, w->stem, strlen(w->stem), limit, need,
                             need > 1 ? 2 : 1, tf < PREFIX_MAX_TF, &by_prefix, &xs);
        if (xs != XC_OK) {
            c->st = pi_read_fail(c->idx, xs, "suggesting a spelling");
            return 1;
        }
        if (!best)
            continue;
        char *word = NULL;
        if ((c->st = surface_form(c->idx, c->stem, best, w->folded, n, by_prefix ? limit : MAX_WORD, &word)) !=
            PRESSINDEX_OK) {
            free(best);
            return 1;
        }
        if (by_prefix && (!word || edit_distance(w->folded, n, word, strlen(word), limit) > limit)) {
            free(word); /* its first letters only: the word itself is not that close */
            free(best);
            continue;
        }
        if (word) {
            free(best);
            best = word;
        }
        char *shown = as_typed(c->query + w->start, w->end - w->start, best);
        if (!shown || pi_buf_add(&c->out, c->query + c->copied, w->start - c->copied) < 0 ||
            pi_buf_adds(&c->out, shown) < 0)
            c->st = pi_fail(c->idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        free(shown);
        c->copied = w->end;
        c->changed = 1;
        free(best);
        if (c->st != PRESSINDEX_OK)
            return 1;
    }
    return 0;
}

/* The leaves in query order (as pi_query_leaves), each with the NEAR holding it, if any. */
static int suggest_walk(const pi_query *pq, const pi_qnode *n, const pi_qnode *near, size_t k,
                        unsigned depth, suggest_ctx *c)
{
    if (!n || depth > PI_QUERY_MAX_DEPTH + 1)
        return 0;
    if (n->n_words)
        return suggest_leaf(pq, n, near, k, c);
    for (size_t i = 0; i < n->n_kids; i++) {
        int r = suggest_walk(pq, n->kids[i], n->kind == PI_Q_NEAR ? n : NULL, i, depth + 1, c);
        if (r)
            return r;
    }
    return 0;
}

pressindex_status pi_spell_suggest(pressindex *idx, const char *query, pi_stemmer *stem, const pi_query *pq,
                                   int found, char **out)
{
    suggest_ctx c = {idx, found, 0, 0, stem, query, {0}, 0, 0, PRESSINDEX_OK};
    *out = NULL;
    xc_status xs = xc_db_doccount(idx->db, &c.releases);
    if (xs != XC_OK)
        return pi_read_fail(idx, xs, "suggesting a spelling");
    suggest_walk(pq, pq->root, NULL, 0, 0, &c);
    if (c.st == PRESSINDEX_OK && c.changed && pi_buf_adds(&c.out, query + c.copied) < 0)
        c.st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    if (c.st != PRESSINDEX_OK || !c.changed) {
        pi_buf_free(&c.out);
        return c.st;
    }
    /* A suggestion is a query to run: a correction that spells a field before its ':' ("titel:"
     * as "title:", which has no value) makes one that does not parse, and is no suggestion. */
    char *s = pi_buf_steal(&c.out);
    pi_query again;
    memset(&again, 0, sizeof again);
    pi_buf err = {0};
    pressindex_status pst = s ? pi_query_parse(s, stem, &again, &err) : PRESSINDEX_ERR_NO_MEMORY;
    pi_query_free(&again);
    pi_buf_free(&err);
    if (pst == PRESSINDEX_ERR_NO_MEMORY) {
        free(s);
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    }
    if (pst != PRESSINDEX_OK) {
        free(s);
        return PRESSINDEX_OK;
    }
    *out = s;
    return PRESSINDEX_OK;
}
