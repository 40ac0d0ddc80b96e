#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "text.h"

/* ---------------------------------------------------------------- tokenizer */

typedef struct span {
    size_t start, end;
    const char *word; /* the expected bytes text[start..end) */
} span;

#define MAXW 8

typedef struct tok_row {
    const char *text;
    size_t len; /* 0: strlen(text) */
    span words[MAXW];
    size_t nwords;
} tok_row;

/* Byte offsets: "ü" "ğ" "ı" "ʼ" NBSP are 2 bytes; "’" "‘" "“" "”" "—" are 3; Cyrillic 2 each. */
static const tok_row tok_rows[] = {
    { "Türkiye’s achievements", 0, { { 0, 12, "Türkiye’s" }, { 13, 25, "achievements" } }, 2 },
    { "Kazakh-Turkish", 0, { { 0, 6, "Kazakh" }, { 7, 14, "Turkish" } }, 2 },
    { "GDP grew 5.1% in 2023",
      0,
      { { 0, 3, "GDP" }, { 4, 8, "grew" }, { 9, 10, "5" }, { 11, 12, "1" }, { 14, 16, "in" },
        { 17, 21, "2023" } },
      6 },
    { "$300 billion", 0, { { 1, 4, "300" }, { 5, 12, "billion" } }, 2 },
    { "“Thanks,” he said", 0, { { 3, 9, "Thanks" }, { 14, 16, "he" }, { 17, 21, "said" } }, 3 },
    { "no\xC2\xA0" "break", 0, { { 0, 2, "no" }, { 4, 9, "break" } }, 2 },
    { "war—peace", 0, { { 0, 3, "war" }, { 6, 11, "peace" } }, 2 },
    { "ab\xFF" "cd", 0, { { 0, 2, "ab" }, { 3, 5, "cd" } }, 2 },
    { "the States' role", 0, { { 0, 3, "the" }, { 4, 10, "States" }, { 12, 16, "role" } }, 3 },
    { "'tis", 0, { { 1, 4, "tis" } }, 1 },
    { "’s", 0, { { 3, 4, "s" } }, 1 },
    { "U.S. policy", 0, { { 0, 1, "U" }, { 2, 3, "S" }, { 5, 11, "policy" } }, 3 },
    { "o'clock", 0, { { 0, 7, "o'clock" } }, 1 },
    { "rock 'n' roll", 0, { { 0, 4, "rock" }, { 6, 7, "n" }, { 9, 13, "roll" } }, 3 },
    { "x''y", 0, { { 0, 1, "x" }, { 3, 4, "y" } }, 2 },
    { "Tokayevʼs ‘quote’", 0, { { 0, 10, "Tokayevʼs" }, { 14, 19, "quote" } }, 2 },
    { "Statesʼ", 0, { { 0, 6, "States" } }, 1 },
    { "snake_case/path", 0, { { 0, 5, "snake" }, { 6, 10, "case" }, { 11, 15, "path" } }, 3 },
    { "", 0, { { 0, 0, NULL } }, 0 },
    { "  ... -- ’’ ' ", 0, { { 0, 0, NULL } }, 0 },
    { "cafe\xCC\x81 bar", 0, { { 0, 6, "cafe\xCC\x81" }, { 7, 10, "bar" } }, 2 }, /* NFD: mark in word */
    { "abc\xC3", 0, { { 0, 3, "abc" } }, 1 },                                   /* truncated at end */
    { "\xC0\xAFx", 0, { { 2, 3, "x" } }, 1 },                                    /* overlong */
    { "a\xED\xA0\x80" "b", 0, { { 0, 1, "a" }, { 4, 5, "b" } }, 2 },             /* surrogate */
    { "a'\xFF" "b", 0, { { 0, 1, "a" }, { 3, 4, "b" } }, 2 },                    /* ' then invalid */
    { "Москва-2024", 0, { { 0, 12, "Москва" }, { 13, 17, "2024" } }, 2 },
    { "Kassym-Jomart Tokayev", 0, { { 0, 6, "Kassym" }, { 7, 13, "Jomart" }, { 14, 21, "Tokayev" } }, 3 },
    { "ＡＢＣ ﬁnance", 0, { { 0, 9, "ＡＢＣ" }, { 10, 18, "ﬁnance" } }, 2 },
    { "m² ½", 0, { { 0, 3, "m²" }, { 4, 6, "½" } }, 2 }, /* N* (No) are word characters */
    { "a\0b", 3, { { 0, 1, "a" }, { 2, 3, "b" } }, 2 },   /* NUL is a separator, not an end */
    { "end'", 0, { { 0, 3, "end" } }, 1 },
    /* Scripts without spaces: a character (with its marks) each; Han, kana, Thai. */
    { "中国经济", 0, { { 0, 3, "中" }, { 3, 6, "国" }, { 6, 9, "经" }, { 9, 12, "济" } }, 4 },
    { "习近平。F-16", 0,
      { { 0, 3, "习" }, { 3, 6, "近" }, { 6, 9, "平" }, { 12, 13, "F" }, { 14, 16, "16" } }, 5 },
    { "APEC会议", 0, { { 0, 4, "APEC" }, { 4, 7, "会" }, { 7, 10, "议" } }, 3 },
    { "タワー", 0, { { 0, 3, "タ" }, { 3, 6, "ワ" }, { 6, 9, "ー" } }, 3 },
    { "กิน", 0, { { 0, 6, "กิ" }, { 6, 9, "น" } }, 2 },
    { "한국어 말", 0, { { 0, 9, "한국어" }, { 10, 13, "말" } }, 2 }, /* Hangul has spaces */
};

START_TEST(test_tokenize_table)
{
    const tok_row *r = &tok_rows[_i];
    size_t len = r->len ? r->len : strlen(r->text);
    size_t pos = 0, s = 0, e = 0, k = 0;
    while (pi_word_next(r->text, len, &pos, &s, &e)) {
        ck_assert_msg(k < r->nwords, "row %d (%s): extra word at %zu..%zu", _i, r->text, s, e);
        ck_assert_msg(s == r->words[k].start && e == r->words[k].end,
                      "row %d (%s) word %zu: got %zu..%zu, want %zu..%zu", _i, r->text, k, s, e,
                      r->words[k].start, r->words[k].end);
        ck_assert_uint_eq(e - s, strlen(r->words[k].word));
        ck_assert(memcmp(r->text + s, r->words[k].word, e - s) == 0);
        ck_assert_uint_eq(pos, e);
        k++;
    }
    ck_assert_msg(k == r->nwords, "row %d (%s): %zu words, want %zu", _i, r->text, k, r->nwords);
}
END_TEST

START_TEST(test_tokenize_edges)
{
    size_t pos = 0, s = 99, e = 99;
    ck_assert_int_eq(pi_word_next(NULL, 0, &pos, &s, &e), 0);
    ck_assert_int_eq(pi_word_next("", 0, &pos, &s, &e), 0);
    pos = 10;
    ck_assert_int_eq(pi_word_next("abc", 3, &pos, &s, &e), 0); /* pos past the end */
    pos = 3;
    ck_assert_int_eq(pi_word_next("abc", 3, &pos, &s, &e), 0);
    /* Starting in the middle of a word yields the rest of it (callers resume at *pos). */
    pos = 1;
    ck_assert_int_eq(pi_word_next("abc def", 7, &pos, &s, &e), 1);
    ck_assert_uint_eq(s, 1);
    ck_assert_uint_eq(e, 3);
    /* len is honoured: no reading past it. */
    pos = 0;
    ck_assert_int_eq(pi_word_next("abcdef", 2, &pos, &s, &e), 1);
    ck_assert_uint_eq(e, 2);
    /* A multibyte character cut by len is invalid, hence a separator. */
    pos = 0;
    ck_assert_int_eq(pi_word_next("ab\xC3\xBC", 3, &pos, &s, &e), 1);
    ck_assert_uint_eq(e, 2);
    ck_assert_int_eq(pi_word_next("ab\xC3\xBC", 3, &pos, &s, &e), 0);
}
END_TEST

/* ---------------------------------------------------------------- folding */

typedef struct fold_row {
    const char *in, *out;
} fold_row;

static const fold_row fold_rows[] = {
    { "Erdoğan", "erdogan" },
    { "Türkiye", "turkiye" },
    { "TÜRKİYE", "turkiye" },
    { "Atatürk", "ataturk" },
    { "Işık", "isik" },
    { "IŞIK", "isik" },
    { "Tokayev’s", "tokayev" },
    { "Tokayev's", "tokayev" },
    { "Tokayevʼs", "tokayev" },
    { "Tokayev‘s", "tokayev" },
    { "Xi’s", "xi" },
    { "Xi's", "xi" },
    { "16s", "16" },
    { "1990s", "1990" },
    { "F16s", "f16" },
    { "16ss", "16" },
    { "bus", "bus" }, /* an "s" of the word itself stays */
    { "s", "s" },
    { "Straße", "strasse" },
    { "STRASSE", "strasse" },
    { "ÇAĞRI", "cagri" },
    { "Ş", "s" },
    { "Kassym", "kassym" },
    { "Jomart", "jomart" },
    { "2024", "2024" },
    { "COVID19", "covid19" },
    { "ﬁnance", "finance" },
    { "ＡＢＣ", "abc" },
    { "Москва", "москва" },
    { "МОСКВА", "москва" },
    { "Αθήνα", "αθηνα" },
    { "Ἀθῆναι", "αθηναι" },
    { "Οδυσσεύς", "οδυσσευσ" }, /* final sigma folds to sigma */
    { "café", "cafe" },
    { "cafe\xCC\x81", "cafe" }, /* NFD input */
    { "Ñandú", "nandu" },
    { "Łódź", "łodz" }, /* ł has no decomposition: only case folded */
    { "O'Brien", "obrien" },
    { "m²", "m2" },
    { "㎒", "mhz" },
    { "ŉ", "n" }, /* compat decomposition yields ʼn: the apostrophe goes too */
    { "한국어", "한국어" },
    { "\xE1\x84\x92\xE1\x85\xA1\xE1\x86\xAB", "한" }, /* conjoining jamo recompose */
    { "already", "already" },
    { "MiXeD", "mixed" },
    { "", "" },
    { "'", "" },
    { "\xCC\x81", "" }, /* a lone mark folds to nothing */
    { "ab\xFF" "cd", "abcd" }, /* invalid bytes dropped (never produced by pi_word_next) */
};

START_TEST(test_fold_table)
{
    const fold_row *r = &fold_rows[_i];
    pi_buf b = { 0 };
    pi_buf_adds(&b, "previous content");
    int n = pi_fold_word(r->in, strlen(r->in), &b);
    ck_assert_msg(n >= 0, "fold(%s) failed", r->in);
    ck_assert_msg(strcmp(b.p, r->out) == 0, "fold(%s) = \"%s\", want \"%s\"", r->in, b.p, r->out);
    ck_assert_int_eq(n, (int)strlen(r->out));
    ck_assert_uint_eq(b.len, strlen(r->out));
    pi_buf_free(&b);
}
END_TEST

static void assert_valid_utf8(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        ck_assert_msg(k > 0, "invalid UTF-8 at %zu", i);
        i += (size_t)k;
    }
}

static void assert_idempotent(const char *w, size_t n)
{
    pi_buf a = { 0 }, b = { 0 };
    ck_assert_int_ge(pi_fold_word(w, n, &a), 0);
    assert_valid_utf8(a.p, a.len);
    ck_assert_int_ge(pi_fold_word(a.p, a.len, &b), 0);
    ck_assert_msg(a.len == b.len && memcmp(a.p, b.p, a.len) == 0, "fold not idempotent: %.*s -> %s -> %s",
                  (int)n, w, a.p, b.p);
    pi_buf_free(&a);
    pi_buf_free(&b);
}

static const char sample_text[] =
    "President Erdoğan of Türkiye and President Kassym-Jomart Tokayev of Kazakhstan met in "
    "Astana on 5.1% growth; “Thanks,” said Işık — TÜRKİYE’S İSTANBUL, Straße, Ångström, "
    "Ελλάδα ΑΘΗΝΑ, Москва ЁЛКА, Україна, 北京, 東京, 한국어, हिन्दी, العربية, עברית, "
    "ﬁnance ＡＢＣ ①②③ Ⅻ ǅemal ǈ ß ẞ ſ ﬀ ﬃ ﬆ µ Å K Ω ŉ ΐ ΰ ᾳ ᾼ Ǆ ǉ ㎒ ㎏ ½ m² x⁵ "
    "Dvořák Šárka Ørsted Æsir Þór Łódź naïve coöperate résumé façade jalapeño";

START_TEST(test_fold_idempotent)
{
    size_t len = strlen(sample_text), pos = 0, s, e, k = 0;
    while (pi_word_next(sample_text, len, &pos, &s, &e)) {
        assert_idempotent(sample_text + s, e - s);
        k++;
    }
    ck_assert_uint_gt(k, 60);
    for (size_t i = 0; i < sizeof fold_rows / sizeof fold_rows[0]; i++)
        assert_idempotent(fold_rows[i].in, strlen(fold_rows[i].in));
}
END_TEST

START_TEST(test_fold_long_word)
{
    /* Longer than any internal stack buffer, on both paths. */
    pi_buf b = { 0 }, want = { 0 };
    for (int i = 0; i < 3000; i++)
        pi_buf_adds(&b, "Ü");
    for (int i = 0; i < 3000; i++)
        pi_buf_adds(&want, "u");
    pi_buf out = { 0 };
    ck_assert_int_eq(pi_fold_word(b.p, b.len, &out), 3000);
    ck_assert_str_eq(out.p, want.p);
    /* "ﷺ" (U+FDFA) expands to 18 code points each. */
    pi_buf_clear(&b);
    for (int i = 0; i < 500; i++)
        pi_buf_adds(&b, "\xEF\xB7\xBA");
    ck_assert_int_gt(pi_fold_word(b.p, b.len, &out), 500 * 18);
    assert_idempotent(b.p, b.len);
    pi_buf_clear(&b);
    for (int i = 0; i < 5000; i++)
        pi_buf_addc(&b, (char)('A' + i % 26));
    ck_assert_int_eq(pi_fold_word(b.p, b.len, &out), 5000);
    ck_assert_int_eq(out.p[0], 'a');
    ck_assert_int_eq(out.p[4999], 'a' + 4999 % 26);
    pi_buf_free(&b);
    pi_buf_free(&want);
    pi_buf_free(&out);
}
END_TEST

/* Index side and query side must agree: folding every word of a text, whatever its spelling. */
START_TEST(test_fold_variants_agree)
{
    static const char *const groups[][4] = {
        { "Türkiye", "TURKIYE", "turkiye", "TÜRKİYE" },
        { "Tokayev’s", "Tokayev's", "TOKAYEV", "tokayevʼs" }, /* the possessive is the name */
        { "Işık", "ISIK", "ışık", "İŞİK" },
        { "Straße", "STRASSE", "strasse", "STRAẞE" },
        { "ﬁnance", "Finance", "ＦＩＮＡＮＣＥ", "FİNANCE" },
    };
    pi_buf a = { 0 }, b = { 0 };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        ck_assert_int_ge(pi_fold_word(groups[g][0], strlen(groups[g][0]), &a), 0);
        for (int i = 1; i < 4; i++) {
            ck_assert_int_ge(pi_fold_word(groups[g][i], strlen(groups[g][i]), &b), 0);
            ck_assert_msg(strcmp(a.p, b.p) == 0, "%s -> %s but %s -> %s", groups[g][0], a.p, groups[g][i], b.p);
        }
    }
    pi_buf_free(&a);
    pi_buf_free(&b);
}
END_TEST

/* ---------------------------------------------------------------- stopwords */

/* The whole list, as in src/lib/stopwords.c: each must be found (catches a mis-sorted table). */
static const char all_stopwords[] =
    "a am an and are arent as at be been being but by can cant could couldnt did didnt do does "
    "doesnt doing dont for from had hadnt has hasnt have havent having he her here hers "
    "herself him himself his how i if im in into is isnt it its itself ive me my myself of on "
    "or our ours ourselves she should shouldnt so than that thats the their theirs them "
    "themselves then there theres these they theyre theyve this those to was wasnt we were "
    "werent weve what whats when where which while who whom whose why will with would wouldnt "
    "you your youre yours yourself yourselves youve ";

static int stop(const char *s)
{
    return pi_is_stopword(s, strlen(s));
}

START_TEST(test_stopwords)
{
    static const char *const yes[] = { "a",    "an",   "and",  "are",  "as",   "at",   "be",         "by",
                                       "for",  "from", "has",  "he",   "in",   "is",   "it",         "its",
                                       "of",   "on",   "that", "the",  "to",   "was",  "were",       "will",
                                       "with", "what", "why",  "how",  "who",  "did",  "do",         "does",
                                       "dont", "i",    "we",   "our",  "they", "this", "yourselves", "youve" };
    static const char *const no[] = { "",      "us",     "may",  "tax",   "thee", "th",    "b",  "s",
                                      "trade", "turkiye", "wont", "zebra", "aa",   "youvex", "0", "yourselvesx" };
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        ck_assert_msg(stop(yes[i]), "%s should be a stopword", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        ck_assert_msg(!stop(no[i]), "%s should not be a stopword", no[i]);
    size_t count = 0;
    for (const char *p = all_stopwords; *p;) {
        const char *q = strchr(p, ' ');
        ck_assert_msg(pi_is_stopword(p, (size_t)(q - p)), "%.*s should be a stopword", (int)(q - p), p);
        count++;
        p = q + 1;
    }
    ck_assert_uint_ge(count, 80);
    ck_assert_uint_le(count, 170);
    /* Only folded words are looked up: "The" is not, its fold is. */
    ck_assert(!stop("The"));
    pi_buf b = { 0 };
    pi_fold_word("The", 3, &b);
    ck_assert(pi_is_stopword(b.p, b.len));
    pi_fold_word("DON’T", strlen("DON’T"), &b);
    ck_assert(pi_is_stopword(b.p, b.len));
    pi_buf_free(&b);
    /* The length is honoured (not NUL-terminated input). */
    ck_assert(pi_is_stopword("andrew", 3));
    ck_assert(!pi_is_stopword("andrew", 6));
    ck_assert(pi_is_stopword("then", 3));
    ck_assert(pi_is_stopword("then", 4));
    ck_assert(!pi_is_stopword(NULL, 0));
}
END_TEST

/* ---------------------------------------------------------------- fuzz */

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static const char *const pieces[] = {
    "a", "Z", "7", " ", ".", "-", "'", "’", "‘", "ʼ", "ü", "İ", "ı", "ß", "Д", "ж", "\xCC\x81", "—",
    "\xC2\xA0", "ﬁ", "한", "\xE1\x84\x92", "ŉ", "ﷺ", "½", "\xFF", "\xC3", "\xE2\x80", "\xF0\x9F\x98",
    "\xF0\x9F\x98\x80", "\xED\xA0\x80", "\xC0\xAF", "\x80", "\0", "\n", "_",
};

static void check_text(const char *t, size_t len, pi_buf *fb)
{
    size_t pos = 0, s, e, prev_end = 0, iters = 0;
    while (pi_word_next(t, len, &pos, &s, &e)) {
        ck_assert_uint_le(++iters, len);
        ck_assert_uint_lt(s, e);
        ck_assert_uint_le(e, len);
        ck_assert_uint_ge(s, prev_end);
        ck_assert_uint_eq(pos, e);
        ck_assert_int_ne(t[s], '\'');
        ck_assert_int_ne(t[e - 1], '\'');
        prev_end = e;
        ck_assert_int_ge(pi_fold_word(t + s, e - s, fb), 0);
        ck_assert_uint_eq(strlen(fb->p), fb->len);
        if (rnd() % 8 == 0)
            assert_idempotent(t + s, e - s);
    }
}

START_TEST(test_fuzz)
{
    rng_state = 0x9E3779B97F4A7C15ULL;
    pi_buf t = { 0 }, fb = { 0 };
    for (int it = 0; it < 10000; it++) {
        pi_buf_clear(&t);
        size_t n = rnd() % 48;
        if (it % 2) { /* raw random bytes */
            for (size_t i = 0; i < n; i++)
                pi_buf_addc(&t, (char)(rnd() & 0xFF));
        } else { /* random pieces, biased towards the interesting ones */
            for (size_t i = 0; i < n; i++) {
                const char *p = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
                pi_buf_add(&t, p, *p ? strlen(p) : 1);
            }
        }
        /* A malloc'd copy of exactly len bytes, so that reading past it is caught by ASan/valgrind. */
        char *copy = malloc(t.len ? t.len : 1);
        ck_assert_ptr_nonnull(copy);
        if (t.len)
            memcpy(copy, t.p, t.len);
        check_text(copy, t.len, &fb);
        free(copy);
    }
    pi_buf_free(&t);
    pi_buf_free(&fb);
}
END_TEST

static Suite *text_suite(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("tokenize");
    tcase_add_loop_test(tc, test_tokenize_table, 0, (int)(sizeof tok_rows / sizeof tok_rows[0]));
    tcase_add_test(tc, test_tokenize_edges);
    suite_add_tcase(s, tc);

    tc = tcase_create("fold");
    tcase_add_loop_test(tc, test_fold_table, 0, (int)(sizeof fold_rows / sizeof fold_rows[0]));
    tcase_add_test(tc, test_fold_idempotent);
    tcase_add_test(tc, test_fold_long_word);
    tcase_add_test(tc, test_fold_variants_agree);
    suite_add_tcase(s, tc);

    tc = tcase_create("stopwords");
    tcase_add_test(tc, test_stopwords);
    suite_add_tcase(s, tc);

    tc = tcase_create("fuzz");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_fuzz);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(text_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
