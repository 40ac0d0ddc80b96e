/* matcher.c - the compiled query's terms and the tree's phrases, wildcards and exclusions. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matcher.h"

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

long pi_matcher_find(const pi_matcher *m, const char *stem)
{
    char **found = m->n_stems ? bsearch(&stem, m->stems, m->n_stems, sizeof *m->stems, cmp_str) : NULL;
    return found ? (long)(found - m->stems) : -1;
}

int pi_phrase_word(const char **p, char t[PI_MAX_TERM + 1])
{
    if (!**p)
        return 0;
    size_t wl = strcspn(*p, " ");
    snprintf(t, PI_MAX_TERM + 1, "%.*s", (int)wl, *p);
    *p += wl + ((*p)[wl] == ' ');
    return 1;
}

static int push(char ***list, size_t *n, char *s)
{
    char **g = s ? realloc(*list, (*n + 1) * sizeof *g) : NULL;
    if (!g) {
        free(s);
        return -1;
    }
    *list = g;
    g[(*n)++] = s;
    return 0;
}

typedef struct view_ctx {
    pi_matcher *m;
    int pass;   /* 0: phrases and prefixes; 1: flags per stem */
    int failed;
} view_ctx;

static void flag(pi_matcher *m, unsigned char *flags, const char *stem, unsigned char v)
{
    long k = pi_matcher_find(m, stem);
    if (k >= 0 && flags)
        flags[k] = v;
}

static int view_leaf(const pi_query *pq, const pi_qnode *leaf, void *ctx)
{
    (void)pq;
    view_ctx *v = ctx;
    pi_matcher *m = v->m;
    if (leaf->field != PI_QF_TEXT)
        return 0; /* title words are looked for in titles, not highlighted in the text */
    if (v->pass == 0) {
        if (leaf->excluded)
            return 0;
        if (leaf->kind == PI_Q_WILDCARD && push(&m->prefixes, &m->n_prefixes, strdup(leaf->words[0].folded)) < 0)
            return v->failed = 1;
        /* A phrase, quoted or one token of several words ("F-16", "中亚"), is highlighted where it
         * occurs: not each of its words wherever it stands ("中" of every "中国"). */
        if (leaf->kind == PI_Q_PHRASE) {
            pi_buf p = {0};
            for (size_t i = 0; i < leaf->n_words; i++)
                if ((i && pi_buf_addc(&p, ' ') < 0) || pi_buf_adds(&p, leaf->words[i].stem) < 0)
                    v->failed = 1;
            if (v->failed || push(&m->phrases, &m->n_phrases, pi_buf_steal(&p)) < 0) {
                pi_buf_free(&p);
                return v->failed = 1;
            }
        }
        return 0;
    }
    /* Pass 1, after phrase_only was set for the phrases' words: what is typed outside quotes
     * matches on its own; what is excluded is no evidence. */
    for (size_t i = 0; i < leaf->n_words; i++) {
        if (leaf->excluded)
            flag(m, m->excluded, leaf->words[i].stem, 1);
        else if (leaf->kind != PI_Q_PHRASE)
            flag(m, m->phrase_only, leaf->words[i].stem, 0);
    }
    return 0;
}

static int count_wqf(const pi_query *pq, const pi_qnode *leaf, void *ctx)
{
    pi_matcher *m = ctx;
    if (leaf->field != PI_QF_TEXT)
        return 0;
    for (size_t i = 0; i < leaf->n_words; i++) {
        long k = pi_qword_searched(pq, leaf, &leaf->words[i]) ? pi_matcher_find(m, leaf->words[i].stem) : -1;
        if (k >= 0)
            m->wqf[k]++;
    }
    return 0;
}

xc_status pi_matcher_init(pi_matcher *m, xc_db *db, const xc_query *q, const pi_query *pq)
{
    memset(m, 0, sizeof *m);
    xc_keylist *kl = NULL;
    xc_status xs = xc_query_terms(q, 1, &kl);
    if (xs != XC_OK)
        return xs;
    const char *t;
    size_t n;
    int more;
    size_t cap = 0;
    /* The stems Xapian searches: unprefixed terms (index stems are lower case, prefixes capitals). */
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
        xs = xc_last_status();
    if (m->n_stems)
        qsort(m->stems, m->n_stems, sizeof *m->stems, cmp_str);
    /* Within-query frequencies: how often the tree searches each stem (a word typed twice
     * counts twice; a phrase inside NEAR, searched as its words and as the phrase, once). */
    if (xs == XC_OK && m->n_stems && !(m->wqf = calloc(m->n_stems, sizeof *m->wqf)))
        xs = XC_ERR_NO_MEMORY;
    if (xs == XC_OK && m->n_stems)
        pi_query_leaves(pq, count_wqf, m);
    if (xs == XC_OK && db)
        xs = xc_db_doccount(db, &m->docs);
    if (xs == XC_OK && db && m->n_stems && !(m->df = calloc(m->n_stems, sizeof *m->df)))
        xs = XC_ERR_NO_MEMORY;
    for (size_t k = 0; xs == XC_OK && db && k < m->n_stems; k++)
        xs = xc_db_termfreq(db, m->stems[k], strlen(m->stems[k]), &m->df[k]);
    if (xs != XC_OK)
        return xs;

    view_ctx v = {m, 0, 0};
    pi_query_leaves(pq, view_leaf, &v);
    if (!v.failed && m->n_stems && !(m->excluded = calloc(m->n_stems, 1)))
        v.failed = 1;
    /* "the President of the United States" in quotes: a lone "president" is not what was asked. */
    if (!v.failed && m->n_phrases && m->n_stems && !(m->phrase_only = calloc(m->n_stems, 1)))
        v.failed = 1;
    for (size_t p = 0; !v.failed && p < m->n_phrases && m->phrase_only; p++) {
        const char *w = m->phrases[p];
        char word[PI_MAX_TERM + 1];
        while (pi_phrase_word(&w, word))
            flag(m, m->phrase_only, word, 1);
    }
    v.pass = 1;
    if (!v.failed)
        pi_query_leaves(pq, view_leaf, &v);
    return v.failed ? XC_ERR_NO_MEMORY : XC_OK;
}

static void free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

void pi_matcher_free(pi_matcher *m)
{
    free_list(m->stems, m->n_stems);
    free(m->wqf);
    free(m->df);
    free(m->excluded);
    free_list(m->prefixes, m->n_prefixes);
    free_list(m->phrases, m->n_phrases);
    free(m->phrase_only);
    memset(m, 0, sizeof *m);
}
