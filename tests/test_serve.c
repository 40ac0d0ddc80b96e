/* test_serve.c - serve_html.c, the server's text helpers, built alone: UTF-8 checks, HTML escaping
 * and snippet_html. Table-driven. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

static const struct {
    const char *s;
    size_t n; /* 0: strlen */
    int valid;
} utf8_rows[] = {
    {"", 0, 1},
    {"plain ASCII", 0, 1},
    {"Erdo\xC4\x9F" "an T\xC3\xBCrkiye \xE2\x80\x9Cquoted\xE2\x80\x9D \xF0\x9F\x98\x80", 0, 1},
    {"\xFF", 0, 0},                     /* never in UTF-8 */
    {"\xC0\x80", 0, 0},                 /* overlong NUL: serve.c's mark for %00 */
    {"\xC0\xAF", 0, 0},                 /* overlong '/' */
    {"\xE0\x80\xAF", 0, 0},             /* overlong, 3 bytes */
    {"\xED\xA0\x80", 0, 0},             /* a surrogate */
    {"\xF4\x90\x80\x80", 0, 0},         /* past U+10FFFF */
    {"\xE2\x80", 0, 0},                 /* cut short */
    {"a\xC3", 0, 0},
    {"\x80", 0, 0},                     /* a lone continuation byte */
    {"a\0b", 3, 1},                     /* NUL is valid UTF-8: the API refuses it separately */
};

START_TEST(utf8_valid)
{
    size_t n = utf8_rows[_i].n ? utf8_rows[_i].n : strlen(utf8_rows[_i].s);
    ck_assert_int_eq(serve_utf8_valid(utf8_rows[_i].s, n), utf8_rows[_i].valid);
    char *r = serve_utf8_repair(utf8_rows[_i].s, n);
    ck_assert_ptr_nonnull(r);
    ck_assert(serve_utf8_valid(r, n)); /* repaired: valid, same length */
    if (utf8_rows[_i].valid)
        ck_assert(!memcmp(r, utf8_rows[_i].s, n));
    free(r);
}
END_TEST

START_TEST(repair_keeps_good_characters)
{
    const char *in = "T\xC3\xBCrk \xFF\xE2\x80 ok";
    char *r = serve_utf8_repair(in, strlen(in));
    ck_assert_str_eq(r, "T\xC3\xBCrk ??? ok");
    free(r);
}
END_TEST

static const struct {
    const char *in, *out;
} escape_rows[] = {
    {"", ""},
    {"plain", "plain"},
    {"<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"},
    {"<img src=x onerror=\"a()\">", "&lt;img src=x onerror=&quot;a()&quot;&gt;"},
    {"&amp; & &lt;", "&amp;amp; &amp; &amp;lt;"},
    {"T\xC3\xBCrkiye", "T\xC3\xBCrkiye"},
};

START_TEST(html_escape)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    ck_assert_int_eq(serve_html_escape(&buf, &len, &cap, escape_rows[_i].in, strlen(escape_rows[_i].in)), 0);
    ck_assert_str_eq(buf, escape_rows[_i].out);
    ck_assert_uint_eq(len, strlen(escape_rows[_i].out));
    free(buf);
}
END_TEST

static const struct {
    const char *text;
    size_t from, to;      /* to 0: strlen */
    size_t offs[6], n;
    const char *html;
} snippet_rows[] = {
    {"Organization of Turkic States", 0, 0, {0, 12, 16, 22}, 2,
     "<mark>Organization</mark> of <mark>Turkic</mark> States"},
    {"<b>Turkic</b> & co", 0, 0, {3, 9}, 1, "&lt;b&gt;<mark>Turkic</mark>&lt;/b&gt; &amp; co"},
    /* A window: ellipses where the text was cut, highlights outside it left out. */
    {"one two three four", 4, 13, {0, 3, 4, 7}, 2, "… <mark>two</mark> three …"},
    /* Bad highlights: backwards, past the end, overlapping: left out, never out of bounds. */
    {"abc def", 0, 0, {4, 2, 5, 99, 0, 3}, 3, "<mark>abc</mark> def"},
    {"abc def", 0, 0, {0, 5, 4, 7}, 2, "<mark>abc d</mark>ef"},
    {"", 0, 0, {0, 0}, 1, ""},
};

START_TEST(snippet_html)
{
    const char *t = snippet_rows[_i].text;
    size_t len = strlen(t), to = snippet_rows[_i].to ? snippet_rows[_i].to : len;
    char *h = serve_snippet_html(t, len, snippet_rows[_i].from, to, snippet_rows[_i].offs, snippet_rows[_i].n);
    ck_assert_ptr_nonnull(h);
    ck_assert_str_eq(h, snippet_rows[_i].html);
    free(h);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("serve_html");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, utf8_valid, 0, sizeof utf8_rows / sizeof *utf8_rows);
    tcase_add_test(tc, repair_keeps_good_characters);
    tcase_add_loop_test(tc, html_escape, 0, sizeof escape_rows / sizeof *escape_rows);
    tcase_add_loop_test(tc, snippet_html, 0, sizeof snippet_rows / sizeof *snippet_rows);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
