/*
 * fuzz_query.c - the query language: parsed into a tree (query.c), built into a Xapian query
 * through the shim (compile.c, against the fixture index), described, viewed by the matcher and
 * corrected by "did you mean" (spell.c), as a search does. The input is the query as typed.
 *
 * A malformed query is refused with the position of the fault; a query that parses compiles;
 * each word of the tree is the typed text at its offsets (the suggestion is spliced at them),
 * in the order typed; a suggestion is a query that parses.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "fuzz.h"
#include "matcher.h"
#include "query.h"
#include "text.h"

static pressindex *idx;
static pi_stemmer *stem;
static char *tr_codes[] = {"tr"};
static pi_qlang langs[1]; /* another language of the index, as a search without --lang has */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    idx = fuzz_index();
    if (!(stem = pi_index_stemmer(idx, "en")) || !(langs[0].stem = pi_index_stemmer(idx, "tr")))
        fuzz_fail("no English or Turkish stemmer");
    langs[0].codes = tr_codes;
    langs[0].n_codes = 1;
    return 0;
}

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

typedef struct walk {
    const char *text;
    size_t len, last_start;
    pi_buf fold;
} walk;

static void check_node(walk *w, const pi_qnode *n)
{
    if (n->n_words && n->n_kids)
        fuzz_fail("node at %zu has words and kids", n->pos);
    if (n->kind == PI_Q_NOT ? n->n_kids != 2 || !n->kids[1]
                            : n->kind >= PI_Q_SEQ && n->n_kids == 0)
        fuzz_fail("operator at %zu without its operands", n->pos);
    if (n->kind < PI_Q_SEQ && n->n_words == 0)
        fuzz_fail("leaf at %zu without words", n->pos);
    for (size_t i = 0; i < n->n_kids; i++)
        if (n->kids[i])
            check_node(w, n->kids[i]);
        else if (!(n->kind == PI_Q_NOT && i == 0))
            fuzz_fail("operator at %zu with a missing operand", n->pos);
}

static int check_leaf(const pi_query *q, const pi_qnode *leaf, void *ctx)
{
    (void)q;
    walk *w = ctx;
    for (size_t i = 0; i < leaf->n_words; i++) {
        const pi_qword *qw = &leaf->words[i];
        if (qw->start >= qw->end || qw->end > w->len || qw->start < w->last_start)
            fuzz_fail("word %zu..%zu out of place (query of %zu bytes, last word at %zu)", qw->start,
                      qw->end, w->len, w->last_start);
        w->last_start = qw->start;
        int fl = pi_fold_word(w->text + qw->start, qw->end - qw->start, &w->fold);
        if (fl <= 0 || strlen(qw->folded) != (size_t)fl || memcmp(qw->folded, w->fold.p, (size_t)fl))
            fuzz_fail("word %zu..%zu is \"%s\", not what was typed there", qw->start, qw->end,
                      qw->folded);
        if (!fuzz_utf8(qw->stem, strlen(qw->stem)) || !fuzz_utf8(qw->folded, strlen(qw->folded)))
            fuzz_fail("word %zu..%zu is not valid UTF-8", qw->start, qw->end);
    }
    return 0;
}

static void check_parsed(const char *text, const pi_query *q)
{
    walk w = {text, strlen(text), 0, {0}};
    if (q->root)
        check_node(&w, q->root);
    pi_query_leaves(q, check_leaf, &w);
    pi_buf_free(&w.fold);
    for (size_t i = 0; i < q->n_dates; i++) {
        const pi_date_range *r = &q->dates[i];
        if ((!r->lo[0] && !r->hi[0]) || (r->lo[0] && !pi_date_bound_valid(r->lo, strlen(r->lo))) ||
            (r->hi[0] && !pi_date_bound_valid(r->hi, strlen(r->hi))))
            fuzz_fail("date range \"%s..%s\" kept", r->lo, r->hi);
    }
    for (size_t i = 0; i < q->n_sources; i++)
        if (!*q->sources[i].folded)
            fuzz_fail("empty source kept");
    pi_buf d = {0};
    if (pi_query_describe(q, &d) < 0 || !fuzz_utf8(d.p, d.len))
        fuzz_fail("description failed or not UTF-8");
    pi_buf_free(&d);
}

static void check_built(const char *text, const pi_query *q)
{
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    xc_query *xq = NULL, *adj = NULL;
    pressindex_status st = pi_compile(idx, q, &so, &xq);
    if (st != PRESSINDEX_OK)
        fuzz_fail("a parsed query does not compile (status %d): %s", (int)st, pressindex_last_error(idx));
    char *desc = xc_query_describe(xq);
    if (!desc)
        fuzz_fail("no description: %s", xc_last_error());
    free(desc);
    if (pi_compile_adjacency(idx, q, 1.0, &adj) != PRESSINDEX_OK)
        fuzz_fail("the adjacency phrase does not compile: %s", pressindex_last_error(idx));
    xc_query_free(adj);
    pi_matcher m;
    if (pi_matcher_init(&m, idx->db, xq, q) != XC_OK)
        fuzz_fail("matcher: %s", xc_last_error());
    for (size_t i = 1; i < m.n_stems; i++)
        if (strcmp(m.stems[i - 1], m.stems[i]) >= 0)
            fuzz_fail("matcher stems not sorted and unique: \"%s\", \"%s\"", m.stems[i - 1], m.stems[i]);
    for (size_t i = 0; i < m.n_stems; i++)
        if (pi_matcher_find(&m, m.stems[i]) != (long)i)
            fuzz_fail("matcher does not find its own stem \"%s\"", m.stems[i]);
    pi_matcher_free(&m);
    xc_query_free(xq);

    char *fix = NULL;
    if (pi_spell_suggest(idx, text, stem, q, (int)(strlen(text) & 1), &fix) != PRESSINDEX_OK)
        fuzz_fail("suggesting for \"%s\" failed: %s", text, pressindex_last_error(idx));
    if (fix) {
        pi_query again;
        pi_buf err = {0};
        /* The typed text around the corrections is kept as it is, invalid UTF-8 included. */
        if (fuzz_utf8(text, strlen(text)) && !fuzz_utf8(fix, strlen(fix)))
            fuzz_fail("suggestion is not valid UTF-8");
        if (pi_query_parse(fix, stem, &again, &err) != PRESSINDEX_OK)
            fuzz_fail("suggestion \"%s\" for \"%s\" does not parse: %s", fix, text, err.p);
        pi_query_free(&again);
        pi_buf_free(&err);
        free(fix);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!idx)
        LLVMFuzzerInitialize(NULL, NULL);
    if (memchr(data, '\0', size))
        return 0; /* a query is a C string */
    char *text = strndup((const char *)data, size);
    if (!text)
        fuzz_fail("out of memory");
    pi_query q;
    pi_buf err = {0};
    pressindex_status st = pi_query_parse(text, stem, &q, &err);
    if (st == PRESSINDEX_ERR_BAD_QUERY) {
        static const char head[] = "malformed query at character ";
        char *end;
        unsigned long at = strncmp(err.p, head, sizeof head - 1) ? 0
                         : strtoul(err.p + sizeof head - 1, &end, 10);
        if (at < 1 || at > code_points(text) + 1)
            fuzz_fail("message \"%s\" for a query of %zu characters", err.p, code_points(text));
        if (strpbrk(err.p, "\n\r") || !fuzz_utf8(err.p, err.len))
            fuzz_fail("message not one line of UTF-8");
    } else if (st != PRESSINDEX_OK) {
        fuzz_fail("pi_query_parse returned %d", (int)st);
    } else {
        check_parsed(text, &q);
        size_t terms = pi_query_terms(&q);
        if (pi_query_expand(&q, text, stem, langs, 1) != PRESSINDEX_OK)
            fuzz_fail("pi_query_expand failed");
        if (pi_query_terms(&q) != terms)
            fuzz_fail("the other forms of the words counted as typed words");
        check_built(text, &q);
    }
    pi_query_free(&q);
    pi_buf_free(&err);
    free(text);
    return 0;
}
