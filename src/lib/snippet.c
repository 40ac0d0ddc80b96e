/* snippet.c - highlighting the matched words on the original text. A word too long to be indexed
 * (over PI_MAX_TERM once folded) is never highlighted: it matched nothing. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snippet.h"
#include "text.h"

static int cmp_key(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(char *const *)elem);
}

/* 1: the word matches on its own (a wildcard prefix, or a query stem typed outside quotes); 2: its
 * stem is the query's only inside a phrase, so it counts only where the phrase occurs; 0: no; -1:
 * out of memory (a highlight silently missing would pass for a word that does not match). The
 * stem is copied to *st when st is given. */
static int matches(const pi_matcher *m, pi_stemmer *stem, const char *folded, size_t n, char **st)
{
    for (size_t i = 0; i < m->n_prefixes; i++) {
        size_t pl = strlen(m->prefixes[i]);
        if (pl <= n && memcmp(folded, m->prefixes[i], pl) == 0)
            return 1;
    }
    if (!m->n_stems && !st)
        return 0;
    size_t sl;
    const char *s = pi_stemmer_stem(stem, folded, n, &sl);
    if (!s || (st && !(*st = strndup(s, sl))))
        return -1;
    char *const *found = m->n_stems ? bsearch(s, m->stems, m->n_stems, sizeof *m->stems, cmp_key) : NULL;
    if (!found)
        return 0;
    return m->phrase_only && m->phrase_only[found - m->stems] ? 2 : 1;
}

static int add_word(size_t **offs, size_t *n, size_t *cap, size_t s, size_t e)
{
    if (*n + 2 > *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        size_t *g = realloc(*offs, c * sizeof *g);
        if (!g)
            return -1;
        *offs = g;
        *cap = c;
    }
    (*offs)[(*n)++] = s;
    (*offs)[(*n)++] = e;
    return 0;
}

typedef struct word {
    size_t s, e;
    char *stem;
    int hit;
} word;

/* Does the phrase (stems joined by ' ') start at w[i]? */
static size_t phrase_at(const word *w, size_t nw, size_t i, const char *phrase)
{
    size_t k = 0;
    while (*phrase) {
        size_t l = strcspn(phrase, " ");
        if (i + k >= nw || !w[i + k].stem || strlen(w[i + k].stem) != l ||
            memcmp(w[i + k].stem, phrase, l))
            return 0;
        k++;
        phrase += l + (phrase[l] == ' ');
    }
    return k;
}

int pi_highlight(const pi_matcher *m, pi_stemmer *stem, const char *text, size_t len,
                 size_t **offs, size_t *n)
{
    pi_buf f = {0};
    size_t at = 0, s, e, cap = *n;
    int rc = 0;
    if (!m->phrase_only) {
        while (rc == 0 && pi_word_next(text, len, &at, &s, &e)) {
            int fl = pi_fold_word(text + s, e - s, &f), hit = 0;
            /* A word too long to be indexed (writer.c) matches nothing. */
            if (fl > 0 && fl <= PI_MAX_TERM)
                hit = matches(m, stem, f.p, (size_t)fl, NULL);
            if (fl < 0 || hit < 0)
                rc = -1;
            else if (hit)
                rc = add_word(offs, n, &cap, s, e);
        }
        pi_buf_free(&f);
        return rc;
    }
    /* With phrases: the paragraph's words and stems first, then each phrase's occurrences. */
    word *w = NULL;
    size_t nw = 0, wcap = 0;
    while (rc == 0 && pi_word_next(text, len, &at, &s, &e)) {
        int fl = pi_fold_word(text + s, e - s, &f);
        if (fl < 0) {
            rc = -1;
            break;
        }
        if (fl == 0)
            continue;
        if (nw == wcap) {
            wcap = wcap ? 2 * wcap : 64;
            word *g = realloc(w, wcap * sizeof *g);
            if (!g) {
                rc = -1;
                break;
            }
            w = g;
        }
        w[nw] = (word){s, e, NULL, 0};
        if (fl <= PI_MAX_TERM) { /* else not indexed (writer.c): it matches nothing, in its place */
            int hit = matches(m, stem, f.p, (size_t)fl, &w[nw].stem);
            w[nw].hit = hit == 1;
            if (hit < 0)
                rc = -1;
        }
        nw++;
    }
    for (size_t p = 0; rc == 0 && p < m->n_phrases; p++)
        for (size_t i = 0, k; i < nw; i++)
            if ((k = phrase_at(w, nw, i, m->phrases[p])) > 0)
                for (size_t j = i; j < i + k; j++)
                    w[j].hit = 1;
    for (size_t i = 0; i < nw; i++) {
        if (rc == 0 && w[i].hit)
            rc = add_word(offs, n, &cap, w[i].s, w[i].e);
        free(w[i].stem);
    }
    free(w);
    pi_buf_free(&f);
    return rc;
}
