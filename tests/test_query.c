/*
 * test_query.c - the query language's tree (query.c) and its Xapian query (compile.c),
 * table-driven: each row is a query as typed and the tree it must parse to, or the Xapian query
 * it must compile to, or the character where it is malformed.
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compile.h"
#include "query.h"

static pi_stemmer *stem;

static void setup(void)
{
    stem = pi_stemmer_new("en");
    ck_assert_ptr_nonnull(stem);
}

static void teardown(void)
{
    pi_stemmer_free(stem);
}

static char *tree_of(const char *text, pressindex_status *st)
{
    pi_query q;
    pi_buf err = {0}, out = {0};
    *st = pi_query_parse(text, stem, &q, &err);
    if (*st == PRESSINDEX_OK)
        ck_assert_int_eq(pi_query_describe(&q, &out), 0);
    else
        pi_buf_adds(&out, err.p);
    pi_query_free(&q);
    pi_buf_free(&err);
    return pi_buf_steal(&out);
}

/* ---------------------------------------------------------------- the tree */

static const struct { const char *query, *tree; } tree_rows[] = {
    {"trade", "(word \"trade\")"},
    {"Trade turnover", "(seq (word \"trade\") (word \"turnov\"))"},
    {"\"Organization of Turkic States\"", "(phrase \"organ\" \"of\" \"turkic\" \"state\")"},
    {"Erdogan F-16", "(seq (word \"erdogan\") (phrase \"f\" \"16\"))"},
    {"secur*", "(wildcard \"secur\" \"secur*\")"},
    {"security*", "(wildcard \"secur\" \"security*\")"},
    /* Precedence as Xapian's: OR loosest, then XOR, AND/NOT, side by side, NEAR tightest. */
    {"a b AND c d", "(and (seq (word \"a\") (word \"b\")) (seq (word \"c\") (word \"d\")))"},
    {"x OR y AND z", "(or (word \"x\") (and (word \"y\") (word \"z\")))"},
    {"x XOR y OR z", "(or (xor (word \"x\") (word \"y\")) (word \"z\"))"},
    {"x AND y AND z", "(and (word \"x\") (word \"y\") (word \"z\"))"},
    {"x NOT y", "(not (word \"x\") (word \"y\"))"},
    {"x AND NOT y", "(not (word \"x\") (word \"y\"))"},
    {"NOT y", "(not all (word \"y\"))"},
    {"+x y -z", "(seq (+word \"x\") (word \"y\") (-word \"z\"))"},
    {"-China", "(seq (-word \"china\"))"},
    /* Lifted: -( ... ) anywhere, +( ... ), title:( ... ), title:Erd*, NEAR of phrases. */
    {"Tokayev -(Turkic) Erdogan", "(seq (word \"tokayev\") (-word \"turkic\") (word \"erdogan\"))"},
    {"+(China OR Mexico) tariffs", "(seq (+or (word \"china\") (word \"mexico\")) (word \"tariff\"))"},
    {"title:(trade talks)", "(seq (word:title \"trade\") (word:title \"talk\"))"},
    {"title:Erd*", "(wildcard:title \"erd\" \"erd*\")"},
    {"Erdogan NEAR F-16", "(near/12 (word \"erdogan\") (phrase \"f\" \"16\"))"},
    {"Tokayev NEAR/3 \"Recep Tayyip\"", "(near/5 (word \"tokayev\") (phrase \"recep\" \"tayyip\"))"},
    {"x NEAR y z", "(seq (near/11 (word \"x\") (word \"y\")) (word \"z\"))"},
    /* Beside a stopword, NEAR is the English word (a query typed in capitals). */
    {"DRIFTS NEAR THE EQUATOR", "(seq (word \"drift\") (word \"near\") (word \"the\") (word \"equat\"))"},
    {"drifts NEAR/2 the", "(near/3 (word \"drift\") (word \"the\"))"},
    {"drifts NEAR/10 the", "(near/11 (word \"drift\") (word \"the\"))"},
    /* A chain takes its widest NEAR/n, a plain NEAR counting only when none is typed (Xapian). */
    {"x NEAR/3 y NEAR/5 z", "(near/7 (word \"x\") (word \"y\") (word \"z\"))"},
    {"x NEAR/20 y NEAR z", "(near/22 (word \"x\") (word \"y\") (word \"z\"))"},
    /* Filters apply to the whole query; a sign excludes. */
    {"Turkic date:2025 source:Akorda", "(word \"turkic\") date:2025..2025 source:akorda"},
    {"Turkic -source:\"Prime Minister\" -date:2024-01..", "(word \"turkic\") -date:2024-01.. -source:prime minister"},
    {"source:Akorda", "nothing source:akorda"},
    /* A filter inside an excluded part excludes (and twice excluded, includes). */
    {"x NOT source:Akorda", "(word \"x\") -source:akorda"},
    {"x -(date:2024)", "(word \"x\") -date:2024..2024"},
    {"x -(-source:Akorda)", "(word \"x\") source:akorda"},
    {"NOT source:Akorda", "nothing -source:akorda"},
    {"-Turkic ,", "(seq (-word \"turkic\"))"},
    {"\"\" trade", "(word \"trade\")"},
};

START_TEST(trees)
{
    pressindex_status st;
    char *t = tree_of(tree_rows[_i].query, &st);
    ck_assert_msg(st == PRESSINDEX_OK, "%s: %s", tree_rows[_i].query, t);
    ck_assert_msg(strcmp(t, tree_rows[_i].tree) == 0, "%s:\n  got  %s\n  want %s", tree_rows[_i].query,
                  t, tree_rows[_i].tree);
    free(t);
}
END_TEST

/* ---------------------------------------------------------------- other forms (pi_query_expand) */

/* Typed as in the first column, expanded with Turkish and Russian as the index's other languages:
 * a word or phrase stands for the OR of itself and its forms; each language's form is marked
 * with its code (matched in its releases only); excluded words keep their forms under the sign. */
static const struct { const char *query, *tree; } expand_rows[] = {
    {"F-16", "(or (phrase \"f\" \"16\") (word \"f16\"))"},
    {"F16s", "(or (word \"f16\") (phrase \"f\" \"16\"))"},
    {"\"F-16\"", "(phrase \"f\" \"16\")"},           /* quoted: as typed */
    {"F 16", "(seq (word \"f\") (word \"16\"))"},    /* two tokens: two words */
    {"COVID-19 vaccines", "(seq (or (phrase \"covid\" \"19\") (phrase@tr \"covidi\" \"19\") (word \"covid19\")) "
                          "(or (word \"vaccin\") "
                          "(word@tr \"vaccines\") (word@ru \"vaccines\")))"},
    {"переговоры", "(or (word \"переговоры\") (word@ru \"переговор\"))"},
    {"Erdogan -переговоры", "(seq (or (word \"erdogan\") (word@tr \"erdoga\")) (-or (word \"переговоры\") "
                           "(word@ru \"переговор\")))"},
    {"Xi’s", "(word \"xi\")"},
    /* NEAR spans its operands: one NEAR per language where an operand stems otherwise. */
    {"Erdogan NEAR переговоры", "(or (near/11 (word \"erdogan\") (word \"переговоры\")) (near/11@tr (word@tr "
                                "\"erdoga\") (word@tr \"переговоры\")) (near/11@ru (word@ru \"erdogan\") "
                                "(word@ru \"переговор\")))"},
    {"2024 NEAR 2025", "(near/11 (word \"2024\") (word \"2025\"))"}, /* the same stems everywhere */
    {"中国", "(phrase \"中\" \"国\")"},
};

START_TEST(expanded)
{
    pi_stemmer *tr = pi_stemmer_new("tr"), *ru = pi_stemmer_new("ru");
    char *trc[] = {"tr"}, *ruc[] = {"ru"};
    pi_qlang langs[] = {{tr, trc, 1}, {ru, ruc, 1}};
    pi_query q;
    pi_buf err = {0}, out = {0};
    const char *text = expand_rows[_i].query;
    ck_assert_int_eq(pi_query_parse(text, stem, &q, &err), PRESSINDEX_OK);
    size_t terms = pi_query_terms(&q);
    ck_assert_int_eq(pi_query_expand(&q, text, stem, langs, 2), PRESSINDEX_OK);
    ck_assert_uint_eq(pi_query_terms(&q), terms); /* the forms are not typed words: no limit spent */
    ck_assert_int_eq(pi_query_describe(&q, &out), 0);
    ck_assert_msg(strcmp(out.p, expand_rows[_i].tree) == 0, "%s:\n  got  %s\n  want %s", text, out.p,
                  expand_rows[_i].tree);
    pi_query_free(&q);
    pi_buf_free(&err);
    pi_buf_free(&out);
    pi_stemmer_free(tr);
    pi_stemmer_free(ru);
}
END_TEST

/* ---------------------------------------------------------------- malformed queries */

static const struct { const char *query; size_t at; } bad_rows[] = {
    {"\"Organization of Turkic", 1},
    {"(trade OR tariffs", 1},
    {"trade)", 6},
    {"trade AND", 7},
    {"OR trade", 1},
    {"trade AND OR tariffs", 7},
    {"title:", 1},
    {"date:2025-13", 1},
    {"date:2025-07..2025-01", 1},
    {"NOT", 1},
    {"trade NOT NOT x", 7},
    {"()", 1},
    {"Kaz* NEAR Turkic", 6},
    {"(a OR b) NEAR c", 10},
    {"x NEAR (y OR z)", 3},
    {"x NEAR -y", 3},
    {"a NEAR/x b", 3},
    {"a NEAR/0 b", 3},
    {"a AND ...", 3},
    {"source:\".\" x", 1},
};

START_TEST(malformed)
{
    pressindex_status st;
    char *t = tree_of(bad_rows[_i].query, &st);
    ck_assert_msg(st == PRESSINDEX_ERR_BAD_QUERY, "%s parsed: %s", bad_rows[_i].query, t);
    char want[64];
    snprintf(want, sizeof want, "at character %zu:", bad_rows[_i].at);
    ck_assert_msg(strstr(t, want) != NULL, "%s: %s (want %s)", bad_rows[_i].query, t, want);
    free(t);
}
END_TEST

/* The parser and every walk of the tree recurse: a query nested deeper than the stack allows
 * crashed the command (20,000 brackets around one word, 40 KB; 35,000 NOTs in a row). Found
 * while fuzzing the query language. Up to PI_QUERY_MAX_DEPTH levels parse; one more is refused
 * where it starts. */
/* head, n units, tail, n closers */
static char *repeat(const char *head, const char *unit, size_t n, const char *tail, const char *close)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), cl = strlen(close);
    char *s = malloc(hl + n * (ul + cl) + tl + 1), *w = s;
    ck_assert_ptr_nonnull(s);
    memcpy(w, head, hl);
    w += hl;
    for (size_t i = 0; i < n; i++, w += ul)
        memcpy(w, unit, ul);
    memcpy(w, tail, tl);
    w += tl;
    for (size_t i = 0; i < n; i++, w += cl)
        memcpy(w, close, cl);
    *w = '\0';
    return s;
}

#define D PI_QUERY_MAX_DEPTH
static const struct {
    const char *head, *unit, *tail, *close;
    size_t n;
    size_t at; /* where it is refused; 0: it parses */
} deep_rows[] = {
    {"", "(", "x", ")", D, 0},
    {"", "(", "x", ")", D + 1, D + 1},           /* the bracket too many */
    {"", "(", "x", ")", 20000, D + 1},
    {"", "-(", "x", ")", 20000, 2 * D + 1},
    {"x", " NOT y", "", "", D - 1, 0},            /* D levels: D - 1 NOTs over x */
    {"x", " NOT y", "", "", D, 6 * D - 3},        /* the NOT too many */
    {"x", " NOT y", "", "", 40000, 6 * D - 3},
    {"x", " NOT y AND z", "", "", 20000, 12 * (D / 2) - 3},
    {"", "(a OR ", "b", ")", D - 1, 0},
    {"", "(a OR ", "b", ")", D, 4},               /* the outermost OR, built last */
};
#undef D

START_TEST(nesting)
{
    char *q = repeat(deep_rows[_i].head, deep_rows[_i].unit, deep_rows[_i].n, deep_rows[_i].tail,
                     deep_rows[_i].close);
    pressindex_status st;
    char *t = tree_of(q, &st);
    if (deep_rows[_i].at == 0) {
        ck_assert_msg(st == PRESSINDEX_OK, "%.40s... (%zu): %.200s", q, deep_rows[_i].n, t);
    } else {
        char want[64];
        snprintf(want, sizeof want, "at character %zu:", deep_rows[_i].at);
        ck_assert_msg(st == PRESSINDEX_ERR_BAD_QUERY && strstr(t, want) && strstr(t, "deep"),
                      "%.40s... (%zu): %.200s (want %s)", q, deep_rows[_i].n, t, want);
    }
    free(t);
    free(q);
}
END_TEST

/* ---------------------------------------------------------------- stopwords */

static const struct { const char *query; const char *searched; } stop_rows[] = {
    {"the trade of Turkic", "trade turkic"},   /* plain stopwords go when more is searched */
    {"the who", "the who"},                    /* unless nothing else is */
    {"\"Organization of Turkic States\"", "organ of turkic state"},
    {"+the trade", "the trade"},               /* a sign keeps a stopword */
    {"the AND trade", "the trade"},            /* so does an operator */
    {"state-of-the-art", "state of the art"},  /* a hyphenated word is a phrase: all its words */
    {"the \"Sri Lanka\"", "sri lanka"},          /* a phrase is something else to search */
    {"the title:president", "presid"},          /* so is a title word */
};

static int searched_words(const pi_query *q, const pi_qnode *leaf, void *ctx)
{
    pi_buf *b = ctx;
    for (size_t i = 0; i < leaf->n_words; i++)
        if (pi_qword_searched(q, leaf, &leaf->words[i])) {
            if (b->len)
                pi_buf_addc(b, ' ');
            pi_buf_adds(b, leaf->words[i].stem);
        }
    return 0;
}

START_TEST(stopwords)
{
    pi_query q;
    pi_buf err = {0}, out = {0};
    ck_assert_int_eq(pi_query_parse(stop_rows[_i].query, stem, &q, &err), PRESSINDEX_OK);
    pi_query_leaves(&q, searched_words, &out);
    ck_assert_msg(out.p && strcmp(out.p, stop_rows[_i].searched) == 0, "%s: searched \"%s\", want \"%s\"",
                  stop_rows[_i].query, out.p ? out.p : "", stop_rows[_i].searched);
    pi_query_free(&q);
    pi_buf_free(&out);
    pi_buf_free(&err);
}
END_TEST

START_TEST(exclusions)
{
    pi_query q;
    pi_buf err = {0};
    ck_assert_int_eq(pi_query_parse("summit -(China OR \"trade war\") NOT Mexico", stem, &q, &err),
                     PRESSINDEX_OK);
    ck_assert(!pi_query_excludes(&q, "summit", 6));
    ck_assert(pi_query_excludes(&q, "china", 5));
    ck_assert(pi_query_excludes(&q, "war", 3));
    ck_assert(pi_query_excludes(&q, "mexico", 6));
    pi_query_free(&q);
    pi_buf_free(&err);
}
END_TEST

/* ---------------------------------------------------------------- compiled for Xapian */

/* The shapes are those of Xapian's QueryParser for the same structure (positions aside). */
static const struct { const char *query, *xapian; } compile_rows[] = {
    {"trade turnover", "Query((trade OR turnov))"},
    {"+a b -c", "Query(((a AND_MAYBE b) AND_NOT c))"},
    {"-China", "Query((<alldocuments> AND_NOT china))"},
    {"x \"a b\" y", "Query((x OR (a PHRASE 2 b) OR y))"},
    {"Kazakh-Turkish", "Query((kazakh PHRASE 2 turkish))"},
    {"x NEAR/3 y NEAR z", "Query((x NEAR 5 y NEAR 5 z))"},
    {"x XOR y", "Query((x XOR y))"},
    {"security*", "Query((WILDCARD SYNONYM security OR secur))"},
    {"title:\"a b\"", "Query((Sa PHRASE 2 Sb))"},
    {"title:Erd*", "Query(WILDCARD SYNONYM Serd)"},
    {"Tokayev -(Turkic) Erdogan", "Query(((tokayev OR erdogan) AND_NOT turkic))"},
    {"+(China OR Mexico) tariffs", "Query(((china OR mexico) AND_MAYBE tariff))"},
    {"Erdogan NEAR F-16", "Query(((erdogan NEAR 12 f NEAR 12 16) FILTER (f PHRASE 2 16)))"},
    /* A NOT whose left side was only stopwords takes nothing, not everything. */
    {"president OR (the of) NOT lanka", "Query(presid)"},
    {"NOT lanka", "Query((<alldocuments> AND_NOT lanka))"},
};

/* The query's Xapian form (pi_compile, or pi_compile_releases when releases), positions aside:
 * "a@1" is "a". In an empty index of its own. Free the result. */
static char *described(const char *query, int releases)
{
    char dir[] = "/tmp/pi-test-query-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/idx", dir);
    pressindex_open_options oo;
    pressindex_open_options_init(&oo);
    oo.create = 1;
    oo.writable = 1;
    pressindex *idx = NULL;
    ck_assert_int_eq(pressindex_open(path, &oo, &idx), PRESSINDEX_OK);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    pi_query q;
    pi_buf err = {0};
    ck_assert_int_eq(pi_query_parse(query, stem, &q, &err), PRESSINDEX_OK);
    xc_query *xq = NULL;
    ck_assert_int_eq(releases ? pi_compile_releases(idx, &q, &so, &xq) : pi_compile(idx, &q, &so, &xq),
                     PRESSINDEX_OK);
    char *d = xc_query_describe(xq), *w = d;
    for (const char *r = d; *r;) {
        if (*r == '@')
            for (r++; *r >= '0' && *r <= '9'; r++)
                ;
        else
            *w++ = *r++;
    }
    *w = '\0';
    xc_query_free(xq);
    pi_query_free(&q);
    pi_buf_free(&err);
    pressindex_destroy(idx);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    return d;
}

START_TEST(compiled)
{
    char *d = described(compile_rows[_i].query, 0);
    ck_assert_msg(strcmp(d, compile_rows[_i].xapian) == 0, "%s:\n  got  %s\n  want %s",
                  compile_rows[_i].query, d, compile_rows[_i].xapian);
    free(d);
}
END_TEST

/* The releases' query (one document per release, passage.c checks the rest): a body phrase is
 * the AND of its words without the stopwords that nearly every release holds, unless it has no
 * other word; a title phrase stays a phrase, stopwords and all. */
static const struct {
    const char *query, *xapian;
} release_rows[] = {
    {"\"the President of the United States\"", "Query((presid AND unit AND state))"},
    {"\"Organization of Turkic States\" Astana",
     "Query(((organ AND turkic AND state) OR astana))"},
    {"\"to be or not\"", "Query(not)"},
    {"\"of the\"", "Query((of AND the))"},
    {"title:\"the Head of State\"", "Query((Sthe PHRASE 4 Shead PHRASE 4 Sof PHRASE 4 Sstate))"},
};

START_TEST(releases_compiled)
{
    char *d = described(release_rows[_i].query, 1);
    ck_assert_msg(strcmp(d, release_rows[_i].xapian) == 0, "%s:\n  got  %s\n  want %s",
                  release_rows[_i].query, d, release_rows[_i].xapian);
    free(d);
}
END_TEST

/* A phrase inside NEAR is searched as NEAR's words and again as a phrase: at the same query
 * positions, so each word counts once (its within-query frequency, which the ranking reads). */
START_TEST(near_phrase_words_count_once)
{
    char dir[] = "/tmp/pi-test-query-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/idx", dir);
    pressindex_open_options oo;
    pressindex_open_options_init(&oo);
    oo.create = 1;
    oo.writable = 1;
    pressindex *idx = NULL;
    ck_assert_int_eq(pressindex_open(path, &oo, &idx), PRESSINDEX_OK);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    pi_query q;
    pi_buf err = {0};
    ck_assert_int_eq(pi_query_parse("\"Sri Lanka\" NEAR president", stem, &q, &err), PRESSINDEX_OK);
    xc_query *xq = NULL;
    ck_assert_int_eq(pi_compile(idx, &q, &so, &xq), PRESSINDEX_OK);
    xc_keylist *kl = NULL;
    ck_assert_int_eq(xc_query_terms(xq, 0, &kl), XC_OK);
    const char *t;
    size_t n;
    int sri = 0, all = 0;
    while (xc_keylist_next(kl, &t, &n) > 0) {
        all++;
        sri += n == 3 && !memcmp(t, "sri", 3);
    }
    xc_keylist_free(kl);
    ck_assert_int_eq(sri, 1);
    ck_assert_int_eq(all, 3);
    xc_query_free(xq);
    pi_query_free(&q);
    pi_buf_free(&err);
    pressindex_destroy(idx);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A date bound is read within its length: the query's "date:2024..2025" passes a bound that the
 * rest of the query follows (found by fuzzing: the year was read with atoi, past the bound). */
static const struct { const char *s; size_t n; int valid; } bound_rows[] = {
    {"2025", 4, 1},
    {"00005", 4, 0},        /* year 0000; the 5 after it is not the bound's */
    {"0000-01", 7, 0},
    {"2024-02-29", 10, 1},
    {"2023-02-29", 10, 0},
    {"0001..2025", 4, 1},
    {"00001..2025", 4, 0},
};

START_TEST(date_bounds)
{
    size_t n = bound_rows[_i].n;
    ck_assert_msg(pi_date_bound_valid(bound_rows[_i].s, n) == bound_rows[_i].valid, "\"%.*s\"",
                  (int)n, bound_rows[_i].s);
    /* A copy of exactly n bytes: under ASan, a read past it fails too. */
    char *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    memcpy(b, bound_rows[_i].s, n);
    ck_assert_msg(pi_date_bound_valid(b, n) == bound_rows[_i].valid, "\"%.*s\"", (int)n, b);
    free(b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("query");
    TCase *tc = tcase_create("tree");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, trees, 0, sizeof tree_rows / sizeof tree_rows[0]);
    tcase_add_loop_test(tc, malformed, 0, sizeof bad_rows / sizeof bad_rows[0]);
    tcase_add_loop_test(tc, nesting, 0, sizeof deep_rows / sizeof deep_rows[0]);
    tcase_add_loop_test(tc, stopwords, 0, sizeof stop_rows / sizeof stop_rows[0]);
    tcase_add_test(tc, exclusions);
    tcase_add_loop_test(tc, expanded, 0, sizeof expand_rows / sizeof expand_rows[0]);
    tcase_add_loop_test(tc, date_bounds, 0, sizeof bound_rows / sizeof bound_rows[0]);
    suite_add_tcase(s, tc);
    TCase *tcc = tcase_create("compile");
    tcase_add_checked_fixture(tcc, setup, teardown);
    tcase_add_loop_test(tcc, compiled, 0, sizeof compile_rows / sizeof compile_rows[0]);
    tcase_add_test(tcc, near_phrase_words_count_once);
    tcase_add_loop_test(tcc, releases_compiled, 0, sizeof release_rows / sizeof release_rows[0]);
    suite_add_tcase(s, tcc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
