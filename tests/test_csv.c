/* test_csv.c - src/cli/csv.c: RFC 4180 fields, table-driven; records read back as written. */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

/* Writes the fields as one record into memory; returns the malloc()ed bytes (NUL-terminated). */
static char *record(const char *const *fields, size_t n, const size_t *lens)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    ck_assert_ptr_nonnull(f);
    for (size_t i = 0; i < n; i++)
        csv_field(f, fields[i], lens ? lens[i] : strlen(fields[i]), i == 0);
    csv_end_record(f);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

typedef struct field_row {
    const char *in;
    const char *out; /* the field as written, then CRLF */
    int quoted;
} field_row;

static const field_row field_rows[] = {
    {"", "\r\n", 0},
    {"plain", "plain\r\n", 0},
    {" spaces kept ", " spaces kept \r\n", 0},
    {"a,b", "\"a,b\"\r\n", 1},
    {"say \"hi\"", "\"say \"\"hi\"\"\"\r\n", 1},
    {"\"", "\"\"\"\"\r\n", 1},
    {"line\nbreak", "\"line\nbreak\"\r\n", 1},
    {"cr\rlf\r\n", "\"cr\rlf\r\n\"\r\n", 1},
    {"Türkiye’s “deal”", "Türkiye’s “deal”\r\n", 0}, /* UTF-8 passes through; curly quotes are text */
    {"'single' ;semicolon\ttab", "'single' ;semicolon\ttab\r\n", 0},
    {"\"\",\"\"", "\"\"\"\"\",\"\"\"\"\"\r\n", 1},
};

START_TEST(test_field)
{
    const field_row *r = &field_rows[_i];
    ck_assert_int_eq(csv_needs_quotes(r->in, strlen(r->in)), r->quoted);
    const char *f[] = {r->in};
    char *got = record(f, 1, NULL);
    ck_assert_str_eq(got, r->out);
    free(got);
}
END_TEST

START_TEST(test_record)
{
    const char *f[] = {"1", "a \"b\", c", "", "x\ny"};
    char *got = record(f, 4, NULL);
    ck_assert_str_eq(got, "1,\"a \"\"b\"\", c\",,\"x\ny\"\r\n");
    free(got);
    /* A field is its bytes, not a C string: the length given is what is written. */
    const char *g[] = {"abc,def"};
    size_t len[] = {3};
    got = record(g, 1, len);
    ck_assert_str_eq(got, "abc\r\n");
    free(got);
    /* NULL is an empty field. */
    char *buf = NULL;
    size_t size = 0;
    FILE *m = open_memstream(&buf, &size);
    csv_string(m, "x", 1);
    csv_string(m, NULL, 0);
    csv_end_record(m);
    fclose(m);
    ck_assert_str_eq(buf, "x,\r\n");
    free(buf);
}
END_TEST

static Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("fields");
    tcase_add_loop_test(tc, test_field, 0, (int)(sizeof field_rows / sizeof field_rows[0]));
    tcase_add_test(tc, test_record);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(csv_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
