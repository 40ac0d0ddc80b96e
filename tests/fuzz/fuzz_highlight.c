/*
 * fuzz_highlight.c - highlighting (snippet.c): the words of a paragraph that a query matches, as
 * byte offsets, with the matcher (matcher.c) a search builds. The input is the query, a newline,
 * then the paragraph.
 *
 * Each highlight is one whole word of the paragraph as the tokenizer finds it, in order, without
 * overlaps, and one the query looks for: a stem of its terms or phrases, or a wildcard's prefix,
 * of a word short enough to be indexed (writer.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "fuzz.h"
#include "matcher.h"
#include "query.h"
#include "snippet.h"
#include "text.h"

static pressindex *idx;
static pi_stemmer *stem;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    idx = fuzz_index();
    if (!(stem = pi_index_stemmer(idx, "en")))
        fuzz_fail("no English stemmer");
    return 0;
}

/* Is the folded word one the matcher looks for? */
static int wanted(const pi_matcher *m, const char *folded, size_t n)
{
    for (size_t i = 0; i < m->n_prefixes; i++)
        if (strlen(m->prefixes[i]) <= n && !memcmp(folded, m->prefixes[i], strlen(m->prefixes[i])))
            return 1;
    size_t sl;
    const char *s = pi_stemmer_stem(stem, folded, n, &sl);
    if (!s)
        fuzz_fail("stemmer failed");
    char *st = strndup(s, sl);
    int found = st && pi_matcher_find(m, st) >= 0;
    for (size_t p = 0; st && !found && p < m->n_phrases; p++) {
        const char *w = m->phrases[p];
        char word[PI_MAX_TERM + 1];
        while (!found && pi_phrase_word(&w, word))
            found = strcmp(word, st) == 0;
    }
    free(st);
    return found;
}

static void check_highlights(const pi_matcher *m, const char *text, size_t len, const size_t *offs,
                             size_t n)
{
    if (n % 2)
        fuzz_fail("odd number of offsets (%zu)", n);
    pi_buf f = {0};
    size_t at = 0, s, e, k = 0;
    while (k < n && pi_word_next(text, len, &at, &s, &e)) {
        if (offs[k] > s)
            continue; /* a word not highlighted */
        if (offs[k] != s || offs[k + 1] != e)
            fuzz_fail("highlight %zu..%zu is not the word %zu..%zu", offs[k], offs[k + 1], s, e);
        int fl = pi_fold_word(text + s, e - s, &f);
        if (fl <= 0 || fl > PI_MAX_TERM || !wanted(m, f.p, (size_t)fl))
            fuzz_fail("highlight %zu..%zu (\"%.*s\") is no word the query looks for", s, e,
                      (int)(e - s), text + s);
        k += 2;
    }
    if (k < n)
        fuzz_fail("highlight %zu..%zu is not a word of the paragraph (%zu bytes)", offs[k],
                  offs[k + 1], len);
    pi_buf_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!idx)
        LLVMFuzzerInitialize(NULL, NULL);
    const char *nl = memchr(data, '\n', size);
    if (!nl || memchr(data, '\0', (size_t)(nl - (const char *)data)))
        return 0;
    char *query = strndup((const char *)data, (size_t)(nl - (const char *)data));
    const char *text = nl + 1;
    size_t len = size - (size_t)(nl - (const char *)data) - 1;
    if (!query)
        fuzz_fail("out of memory");
    pi_query q;
    pi_buf err = {0};
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    xc_query *xq = NULL;
    if (pi_query_parse(query, stem, &q, &err) == PRESSINDEX_OK && pi_compile(idx, &q, &so, &xq) == PRESSINDEX_OK) {
        pi_matcher m;
        if (pi_matcher_init(&m, idx->db, xq, &q) != XC_OK)
            fuzz_fail("matcher: %s", xc_last_error());
        size_t *offs = NULL, n = 0;
        if (pi_highlight(&m, stem, text, len, &offs, &n) < 0)
            fuzz_fail("pi_highlight failed");
        check_highlights(&m, text, len, offs, n);
        free(offs);
        pi_matcher_free(&m);
    }
    xc_query_free(xq);
    pi_query_free(&q);
    pi_buf_free(&err);
    free(query);
    return 0;
}
