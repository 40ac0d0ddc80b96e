/* snippet.c - highlighting the matched words on the original text. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "snippet.h"
#include "text.h"

static int cmp_key(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(char *const *)elem);
}

static int matches(const pi_matcher *m, pi_stemmer *stem, const char *folded, size_t n)
{
    for (size_t i = 0; i < m->n_prefixes; i++) {
        size_t pl = strlen(m->prefixes[i]);
        if (pl <= n && memcmp(folded, m->prefixes[i], pl) == 0)
            return 1;
    }
    if (!m->n_stems)
        return 0;
    size_t sl;
    const char *st = pi_stemmer_stem(stem, folded, n, &sl);
    return st && bsearch(st, m->stems, m->n_stems, sizeof *m->stems, cmp_key) != NULL;
}

int pi_highlight(const pi_matcher *m, pi_stemmer *stem, const char *text, size_t len,
                 size_t **offs, size_t *n)
{
    pi_buf f = {0};
    size_t at = 0, s, e, cap = *n;
    int rc = 0;
    while (pi_word_next(text, len, &at, &s, &e)) {
        int fl = pi_fold_word(text + s, e - s, &f);
        if (fl < 0) {
            rc = -1;
            break;
        }
        if (fl == 0 || !matches(m, stem, f.p, (size_t)fl))
            continue;
        if (*n + 2 > cap) {
            cap = cap ? cap * 2 : 16;
            size_t *g = realloc(*offs, cap * sizeof *g);
            if (!g) {
                rc = -1;
                break;
            }
            *offs = g;
        }
        (*offs)[(*n)++] = s;
        (*offs)[(*n)++] = e;
    }
    pi_buf_free(&f);
    return rc;
}
