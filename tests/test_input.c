#include "config.h"
/*
 * test_input.c - bytes in: dates, UTF-8 repair, the text and JSON Lines formats, every malformed
 * fixture of fixtures/bad/, folder walking and its ignore rules, standard input, callbacks.
 */
#include "input.h"
#include "internal.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "fixtures"
#endif

/* ---------------------------------------------------------------------------------------------- */
/* A collector of everything the reader hands out                                                  */

#define MAX_RECS 64
#define MAX_PROBS 64

typedef struct rec {
    char *file;
    unsigned long line;
    char *id, *date, *title, *source, *url, *lang;
    char **paras;
    size_t n;
} rec;

typedef struct prob {
    char *file;
    unsigned long line;
    char *msg;
} prob;

typedef struct coll {
    rec recs[MAX_RECS];
    size_t nrec;
    prob probs[MAX_PROBS];
    size_t nprob;
    size_t stop_after; /* 0: never stop */
    int stop_value;
    char *done[MAX_RECS];
    size_t ndone;
} coll;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int on_release(void *ctx, const pressindex_release *r, const char *file, unsigned long line)
{
    coll *c = ctx;
    ck_assert_uint_lt(c->nrec, MAX_RECS);
    ck_assert_ptr_nonnull(r->id);
    rec *x = &c->recs[c->nrec++];
    x->file = strdup(file);
    x->line = line;
    x->id = strdup(r->id);
    x->date = dup_or_null(r->date);
    x->title = dup_or_null(r->title);
    x->source = dup_or_null(r->source);
    x->url = dup_or_null(r->url);
    x->lang = dup_or_null(r->lang);
    x->n = r->n_paragraphs;
    x->paras = calloc(r->n_paragraphs + 1, sizeof *x->paras);
    for (size_t i = 0; i < r->n_paragraphs; i++) {
        ck_assert_ptr_nonnull(r->paragraphs[i]);
        ck_assert_msg(r->paragraphs[i][0] != '\0', "empty paragraph delivered");
        x->paras[i] = strdup(r->paragraphs[i]);
    }
    if (c->stop_after && c->nrec >= c->stop_after)
        return c->stop_value;
    return 0;
}

static void on_problem(void *user, const char *file, unsigned long line, const char *msg)
{
    coll *c = user;
    ck_assert_uint_lt(c->nprob, MAX_PROBS);
    ck_assert_ptr_null(strchr(msg, '\n'));
    ck_assert_msg(!(msg[0] >= 'A' && msg[0] <= 'Z'), "message starts upper case: %s", msg);
    ck_assert_msg(msg[0] && msg[strlen(msg) - 1] != '.', "message ends with a period: %s", msg);
    /* Messages reach terminals, logs and other languages' strings (found by fuzzing). */
    ck_assert_msg(pi_utf8_valid_prefix(msg, strlen(msg)) == strlen(msg), "message not UTF-8: %s", msg);
    prob *p = &c->probs[c->nprob++];
    p->file = strdup(file);
    p->line = line;
    p->msg = strdup(msg);
}

static int on_file_done(void *ctx, const char *file)
{
    coll *c = ctx;
    if (c->ndone < MAX_RECS)
        c->done[c->ndone++] = strdup(file);
    return 0;
}

static void coll_free(coll *c)
{
    for (size_t i = 0; i < c->nrec; i++) {
        rec *x = &c->recs[i];
        free(x->file);
        free(x->id);
        free(x->date);
        free(x->title);
        free(x->source);
        free(x->url);
        free(x->lang);
        for (size_t k = 0; k < x->n; k++)
            free(x->paras[k]);
        free(x->paras);
    }
    for (size_t i = 0; i < c->nprob; i++) {
        free(c->probs[i].file);
        free(c->probs[i].msg);
    }
    for (size_t i = 0; i < c->ndone; i++)
        free(c->done[i]);
    memset(c, 0, sizeof *c);
}

static pi_input_options opts_for(coll *c, pressindex_format fmt)
{
    pi_input_options o;
    memset(&o, 0, sizeof o);
    o.format = fmt;
    o.on_problem = on_problem;
    o.on_release = on_release;
    o.on_file_done = on_file_done;
    o.ctx = c;
    o.problem_user = c;
    return o;
}

static int run(const char *path, pressindex_format fmt, coll *c, pi_input_stats *st)
{
    pi_input_options o = opts_for(c, fmt);
    return pi_input_read(path, &o, st);
}

static const char *fx(const char *rel)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", FIXTURES_DIR, rel);
    return buf[k];
}

/* Parses a text release from a string through pi_parse_text. */
static int parse_text_string(const char *text, coll *c, pi_input_stats *st)
{
    pi_input_options o = opts_for(c, PRESSINDEX_FORMAT_TEXT);
    memset(st, 0, sizeof *st);
    pi_reader r = {&o, st, NULL, 0};
    size_t n = strlen(text);
    char *copy = malloc(n + 1);
    memcpy(copy, text, n + 1);
    int rc = pi_parse_text(&r, "mem.txt", "mem.txt", copy, n);
    free(copy);
    free(r.paras);
    return rc;
}

static int parse_jsonl_string(const char *line, coll *c, pi_input_stats *st)
{
    pi_input_options o = opts_for(c, PRESSINDEX_FORMAT_JSONL);
    memset(st, 0, sizeof *st);
    pi_reader r = {&o, st, NULL, 0};
    int rc = pi_parse_jsonl_line(&r, "mem.jsonl", 7, line, strlen(line));
    free(r.paras);
    return rc;
}

/* A fresh temporary folder (removed with rm_rf). */
static char *make_tmpdir(void)
{
    char tmpl[] = "/tmp/pi_test_input.XXXXXX";
    char *d = mkdtemp(tmpl);
    ck_assert_ptr_nonnull(d);
    return strdup(d);
}

static void rm_rf(const char *dir)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *dir, const char *name, const char *data, size_t n)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void write_str(const char *dir, const char *name, const char *data)
{
    write_file(dir, name, data, strlen(data));
}

/* ---------------------------------------------------------------------------------------------- */
/* Dates                                                                                           */

static const struct {
    const char *in;
    int rc;
    const char *out;
} date_rows[] = {
    {"2025-07-30", 1, "2025-07-30"},
    {"  2025-07-30\n", 1, "2025-07-30"},
    {"2025-7-3", 1, "2025-07-03"},
    {"2025-07-30T10:15:00Z", 1, "2025-07-30"},
    {"July 30, 2025", 1, "2025-07-30"},
    {"july 30 2025", 1, "2025-07-30"},
    {"JULY 30, 2025", 1, "2025-07-30"},
    {"30 July 2025", 1, "2025-07-30"},
    {"30 July, 2025", 1, "2025-07-30"},
    {"Jul 30, 2025", 1, "2025-07-30"},
    {"Jul. 30, 2025", 1, "2025-07-30"},
    {"Sept. 3, 2025", 1, "2025-09-03"},
    {"Sep 3, 2025", 1, "2025-09-03"},
    {"3 Sept. 2025", 1, "2025-09-03"},
    {"May 1, 2024", 1, "2024-05-01"},
    {"December 31st, 1999", 1, "1999-12-31"},
    {"1st January 2000", 1, "2000-01-01"},
    {"2024-02-29", 1, "2024-02-29"},
    {"2000-02-29", 1, "2000-02-29"},
    {"February 29, 2024", 1, "2024-02-29"},
    /* impossible */
    {"2025-13-45", -1, ""},
    {"2024-02-30", -1, ""},
    {"2023-02-29", -1, ""},
    {"1900-02-29", -1, ""},
    {"2025-00-10", -1, ""},
    {"2025-04-31", -1, ""},
    {"2025-01-00", -1, ""},
    {"February 30, 2024", -1, ""},
    {"32 July 2025", -1, ""},
    {"0000-01-01", -1, ""},
    /* not dates */
    {"", 0, ""},
    {"   ", 0, ""},
    {"hello", 0, ""},
    {"date", 0, ""},
    {"2025", 0, ""},
    {"2025-07", 0, ""},
    {"2025/07/30", 0, ""},
    {"20250-07-30", 0, ""},
    {"2025-07-30x", 0, ""},
    {"2025-07-300", 0, ""},
    {"Foo 30, 2025", 0, ""},
    {"Ju 30, 2025", 0, ""},
    {"July 30, 25", 0, ""},
    {"July 2025", 0, ""},
    {"30 July", 0, ""},
    {"July 30, 2025 and more", 0, ""},
    {"The meeting took place", 0, ""},
};

START_TEST(test_date_rows)
{
    char out[11];
    const char *in = date_rows[_i].in;
    int rc = pi_date_parse(in, strlen(in), out);
    ck_assert_msg(rc == date_rows[_i].rc, "\"%s\": rc %d, expected %d", in, rc, date_rows[_i].rc);
    if (rc == 1)
        ck_assert_str_eq(out, date_rows[_i].out);
}
END_TEST

START_TEST(test_date_length_bounded)
{
    char out[11];
    /* Only n bytes are read: the rest of the line is not part of the date. */
    const char *s = "2025-07-30 and the rest";
    ck_assert_int_eq(pi_date_parse(s, 10, out), 1);
    ck_assert_str_eq(out, "2025-07-30");
    ck_assert_int_eq(pi_date_parse(NULL, 0, out), 0);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* UTF-8                                                                                           */

static const struct {
    const char *in;
    size_t len;
    long replaced;
    const char *out;
} utf8_rows[] = {
    {"plain ascii", 11, 0, "plain ascii"},
    {"T\xC3\xBCrkiye \xE2\x80\x99 \xF0\x9F\x98\x80", 17, 0, "T\xC3\xBCrkiye \xE2\x80\x99 \xF0\x9F\x98\x80"},
    {"caf\xE9", 4, 1, "caf\xEF\xBF\xBD"},
    {"a\xFF\xFE" "b", 4, 2, "a\xEF\xBF\xBD\xEF\xBF\xBD" "b"},
    {"cut \xE2\x80", 6, 1, "cut \xEF\xBF\xBD"},          /* truncated at the end */
    {"x\xE2\x80y", 4, 1, "x\xEF\xBF\xBDy"},              /* truncated in the middle: one */
    {"\xC0\xAF", 2, 2, "\xEF\xBF\xBD\xEF\xBF\xBD"},      /* overlong */
    {"\xED\xA0\x80", 3, 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* surrogate */
    {"\xF4\x90\x80\x80", 4, 4,
     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}, /* past U+10FFFF */
    {"\x80", 1, 1, "\xEF\xBF\xBD"},
    {"", 0, 0, ""},
};

START_TEST(test_utf8_rows)
{
    char *out = NULL;
    size_t outlen = 0;
    long n = pi_utf8_sanitize(utf8_rows[_i].in, utf8_rows[_i].len, &out, &outlen);
    ck_assert_int_eq(n, utf8_rows[_i].replaced);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(out, utf8_rows[_i].out);
    ck_assert_uint_eq(outlen, strlen(utf8_rows[_i].out));
    size_t valid = pi_utf8_valid_prefix(utf8_rows[_i].in, utf8_rows[_i].len);
    if (utf8_rows[_i].replaced == 0)
        ck_assert_uint_eq(valid, utf8_rows[_i].len);
    else
        ck_assert_uint_lt(valid, utf8_rows[_i].len);
    /* The output is valid. */
    ck_assert_uint_eq(pi_utf8_valid_prefix(out, outlen), outlen);
    free(out);
}
END_TEST

START_TEST(test_utf8_long_ascii)
{
    /* The 8-bytes-at-a-time path, with the bad byte at every offset. */
    char s[40];
    for (size_t k = 0; k < sizeof s; k++) {
        memset(s, 'a', sizeof s);
        s[k] = (char)0xFF;
        ck_assert_uint_eq(pi_utf8_valid_prefix(s, sizeof s), k);
    }
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Text format, from strings                                                                       */

static const struct {
    const char *name;
    const char *in;
    const char *date; /* NULL: undated */
    const char *title;
    size_t n;
    const char *first;
    const char *last;
    size_t problems;
    const char *problem; /* first problem message, when any */
} text_rows[] = {
    {"inline header", "date 2025-07-30 \"Quoted first.\"\n\nSecond.\n", "2025-07-30", NULL, 2,
     "\"Quoted first.\"", "Second.", 0, NULL},
    {"inline header, leading space and blank lines", "\n \n date 2025-07-30 First.\n\nSecond.",
     "2025-07-30", NULL, 2, "First.", "Second.", 0, NULL},
    {"inline header, long date", "Date July 30, 2025 First words.\n\nSecond.", "2025-07-30",
     NULL, 2, "First words.", "Second.", 0, NULL},
    {"inline header alone on its line", "date 2025-07-30\nFirst line\nsecond line\n\nNext.",
     "2025-07-30", NULL, 2, "First line\nsecond line", "Next.", 0, NULL},
    {"inline word date without a date is text", "date night was a success.\n\nSecond.", NULL,
     NULL, 2, "date night was a success.", "Second.", 0, NULL},
    {"key value header",
     "Date: 2025-07-30\nTitle: A title\nSource: Akorda\nURL: https://x.kz/1\nLang: en\n\nOne.\n\nTwo.\n",
     "2025-07-30", "A title", 2, "One.", "Two.", 0, NULL},
    {"key value header any case, long date, unknown key",
     "TITLE:   Spaced title  \ndate: Sept. 3, 2025\nAuthor: someone\n\nBody.", "2025-09-03",
     "Spaced title", 1, "Body.", "Body.", 0, NULL},
    {"key value header without blank line", "Title: T\nThe body starts here.\n\nMore.", NULL, "T",
     2, "The body starts here.", "More.", 0, NULL},
    {"unknown first key is text", "Washington: the President said.\n\nMore.", NULL, NULL, 2,
     "Washington: the President said.", "More.", 0, NULL},
    {"CRLF", "Date: 2025-01-02\r\nTitle: CRLF\r\n\r\nLine one\r\nline two\r\n\r\nPara two\r\n",
     "2025-01-02", "CRLF", 2, "Line one\nline two", "Para two", 0, NULL},
    {"BOM and CRLF", "\xEF\xBB\xBF" "Title: BOM\r\n\r\nBody.\r\n", NULL, "BOM", 1, "Body.", "Body.",
     0, NULL},
    {"BOM inline", "\xEF\xBB\xBF" "date 2025-07-30 Body.", "2025-07-30", NULL, 1, "Body.",
     "Body.", 0, NULL},
    {"no header: undated, no problem", "Just a paragraph.\n\nAnother one.\n", NULL, NULL, 2,
     "Just a paragraph.", "Another one.", 0, NULL},
    {"multiple and whitespace blank lines", "A.\n\n\n \t \n\n  B.  \n \nC.", NULL, NULL, 3, "A.",
     "C.", 0, NULL},
    {"lines kept with newlines, trimmed", "  first line  \n  second line  \n", NULL, NULL, 1,
     "first line  \n  second line", "first line  \n  second line", 0, NULL},
    {"impossible inline date", "date 2025-13-45 Body.", NULL, NULL, 1, "Body.", "Body.", 1,
     "impossible date 2025-13-45, indexed undated"},
    {"impossible header date", "Date: 2024-02-30\n\nBody.", NULL, NULL, 1, "Body.", "Body.", 1,
     "impossible date 2024-02-30, indexed undated"},
    {"unreadable header date", "Date: tomorrow\n\nBody.", NULL, NULL, 1, "Body.", "Body.", 1,
     "unrecognised date \"tomorrow\", indexed undated"},
    /* A quoted date is cut at 60 bytes, between characters (found by fuzzing: the cut fell
     * inside one and the message was not UTF-8). 7 + 2k bytes: the 27th 'é' straddles byte 60. */
    {"unreadable date cut between characters",
     "Date: 2024-11\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
     "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
     "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\n\nBody.",
     NULL, NULL, 1, "Body.", "Body.", 1,
     "unrecognised date \"2024-11\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
     "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
     "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\", indexed undated"},
    {"empty header date is undated", "Date:\nTitle: X\n\nBody.", NULL, "X", 1, "Body.", "Body.",
     0, NULL},
    {"invalid UTF-8", "Caf\xE9 one.\n\nTwo \xFF\xFE.", NULL, NULL, 2, "Caf\xEF\xBF\xBD one.",
     "Two \xEF\xBF\xBD\xEF\xBF\xBD.", 1, "invalid UTF-8 (3 sequences replaced by U+FFFD)"},
    {"empty", "", NULL, NULL, 0, NULL, NULL, 1, "empty file, skipped"},
    {"only whitespace", " \n\t\r\n  ", NULL, NULL, 0, NULL, NULL, 1, "empty file, skipped"},
    {"header only", "Date: 2025-01-01\nTitle: Nothing\n", NULL, NULL, 0, NULL, NULL, 1,
     "empty file, skipped"},
    {"inline date only", "date 2025-01-01\n", NULL, NULL, 0, NULL, NULL, 1, "empty file, skipped"},
};

START_TEST(test_text_rows)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    ck_assert_int_eq(parse_text_string(text_rows[_i].in, &c, &st), 0);
    ck_assert_msg(c.nprob == text_rows[_i].problems, "%s: %zu problems", text_rows[_i].name,
                  c.nprob);
    ck_assert_uint_eq(st.problems, text_rows[_i].problems);
    if (text_rows[_i].problem)
        ck_assert_str_eq(c.probs[0].msg, text_rows[_i].problem);
    if (text_rows[_i].n == 0) {
        ck_assert_uint_eq(c.nrec, 0);
        ck_assert_uint_eq(st.skipped, 1);
        coll_free(&c);
        return;
    }
    ck_assert_msg(c.nrec == 1, "%s: %zu releases", text_rows[_i].name, c.nrec);
    ck_assert_uint_eq(st.releases, 1);
    ck_assert_uint_eq(st.skipped, 0);
    rec *x = &c.recs[0];
    ck_assert_str_eq(x->id, "mem.txt");
    if (text_rows[_i].date)
        ck_assert_str_eq(x->date, text_rows[_i].date);
    else
        ck_assert_ptr_null(x->date);
    if (text_rows[_i].title)
        ck_assert_str_eq(x->title, text_rows[_i].title);
    else
        ck_assert_ptr_null(x->title);
    ck_assert_msg(x->n == text_rows[_i].n, "%s: %zu paragraphs", text_rows[_i].name, x->n);
    ck_assert_str_eq(x->paras[0], text_rows[_i].first);
    ck_assert_str_eq(x->paras[x->n - 1], text_rows[_i].last);
    coll_free(&c);
}
END_TEST

START_TEST(test_text_header_fields)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    parse_text_string("Date: 2025-07-30\nTitle: T\nSource: Akorda\nurl: https://akorda.kz/x\n"
                      "LANG: ru\n\nBody.\n",
                      &c, &st);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_str_eq(c.recs[0].source, "Akorda");
    ck_assert_str_eq(c.recs[0].url, "https://akorda.kz/x");
    ck_assert_str_eq(c.recs[0].lang, "ru");
    ck_assert_str_eq(c.recs[0].date, "2025-07-30");
    coll_free(&c);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Good fixtures                                                                                   */

START_TEST(test_seed)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    ck_assert_int_eq(run(fx("releases/000_7a5d2ef6bf956f73.txt"), PRESSINDEX_FORMAT_AUTO, &c, &st),
                     0);
    ck_assert_uint_eq(c.nprob, 0);
    ck_assert_uint_eq(c.nrec, 1);
    rec *x = &c.recs[0];
    ck_assert_str_eq(x->id, "000_7a5d2ef6bf956f73.txt");
    ck_assert_str_eq(x->file, fx("releases/000_7a5d2ef6bf956f73.txt"));
    ck_assert_str_eq(x->date, "2025-07-30");
    ck_assert_uint_eq(x->n, 25);
    ck_assert_int_eq(x->paras[0][0], '"');
    ck_assert(strncmp(x->paras[0], "\"Though I have consistently declined", 36) == 0);
    ck_assert_str_eq(x->paras[1], "Photo credit: Akorda");
    ck_assert(strstr(x->paras[24], "18 intergovernmental and interdepartmental documents") != NULL);
    ck_assert_uint_eq(st.files, 1);
    ck_assert_uint_eq(st.releases, 1);
    ck_assert_uint_eq(st.problems, 0);
    ck_assert_uint_eq(c.ndone, 1);
    coll_free(&c);
}
END_TEST

static const struct {
    const char *file;
    const char *date;
    const char *title_start;
    const char *first_start;
    size_t n;
} good_text_rows[] = {
    {"releases/lk_pmd_2024-09-23-en-3bba97.txt", "2024-09-23", "President Visits Kandy",
     "Honourable President Anura Kumara Dissanayake today (23)", 5},
    {"releases/lk_pmd_2024-10-01-en-6ef958.txt", "2024-10-01",
     "President Meets with U.S. Ambassador", "President Anura Kumara Dissanayake met with U.S.", 3},
    {"releases/lk_pmd_2024-10-11-en-4283f6.txt", "2024-10-11", "WFP Assures Continuous Support",
     NULL, 4},
    {"releases/lk_pmd_2024-11-06-en-d89169.txt", "2024-11-06",
     "President Extends Warm Wishes to the US President", NULL, 3},
    {"releases/lk_pmd_2024-09-27-en-2df713_crlf_bom.txt", "2024-09-27",
     "Roads around Fort President\xE2\x80\x99s House", NULL, 4},
};

START_TEST(test_good_text_fixtures)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    ck_assert_int_eq(run(fx(good_text_rows[_i].file), PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    ck_assert_uint_eq(c.nprob, 0);
    ck_assert_uint_eq(c.nrec, 1);
    rec *x = &c.recs[0];
    const char *base = strrchr(good_text_rows[_i].file, '/') + 1;
    ck_assert_str_eq(x->id, base);
    ck_assert_str_eq(x->date, good_text_rows[_i].date);
    ck_assert_ptr_nonnull(x->title);
    ck_assert(strncmp(x->title, good_text_rows[_i].title_start,
                      strlen(good_text_rows[_i].title_start)) == 0);
    ck_assert_str_eq(x->source, "Presidential Media Division, Sri Lanka");
    ck_assert(strncmp(x->url, "https://pmd.gov.lk/news/", 24) == 0);
    ck_assert_str_eq(x->lang, "en");
    ck_assert_uint_eq(x->n, good_text_rows[_i].n);
    if (good_text_rows[_i].first_start)
        ck_assert(strncmp(x->paras[0], good_text_rows[_i].first_start,
                          strlen(good_text_rows[_i].first_start)) == 0);
    for (size_t k = 0; k < x->n; k++)
        ck_assert_ptr_null(strchr(x->paras[k], '\r'));
    ck_assert_ptr_null(strchr(x->url, '\r'));
    coll_free(&c);
}
END_TEST

START_TEST(test_sample_jsonl)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    ck_assert_int_eq(run(fx("releases/sample.jsonl"), PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    ck_assert_uint_eq(c.nprob, 0);
    ck_assert_uint_eq(c.nrec, 5);
    size_t paras = 0;
    for (size_t i = 0; i < c.nrec; i++) {
        ck_assert(strncmp(c.recs[i].id, "whitehouse:", 11) == 0);
        ck_assert_str_eq(c.recs[i].source, "The White House");
        ck_assert_str_eq(c.recs[i].lang, "en");
        ck_assert_uint_eq(strlen(c.recs[i].date), 10);
        ck_assert_uint_eq(c.recs[i].line, i + 1);
        paras += c.recs[i].n;
    }
    ck_assert_uint_eq(paras, 12);
    ck_assert_str_eq(c.recs[0].id, "whitehouse:articles/2025-03/"
                                   "2025-03-25-president-trump-vp-vance-honor-medal-of-honor-recipients");
    ck_assert_str_eq(c.recs[0].date, "2025-03-25");
    coll_free(&c);

    memset(&c, 0, sizeof c);
    ck_assert_int_eq(run(fx("releases/sample2.jsonl.gz"), PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    ck_assert_uint_eq(c.nprob, 0);
    ck_assert_uint_eq(c.nrec, 3);
    ck_assert_str_eq(c.recs[0].id, "lk_pmd:2024-10-25-en-5e2c43");
    ck_assert_str_eq(c.recs[1].id, "lk_pmd:2024-11-25-en-903472");
    ck_assert_str_eq(c.recs[2].id, "lk_pmd:2024-09-25-en-328d6e");
    coll_free(&c);
}
END_TEST

START_TEST(test_releases_folder)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    ck_assert_int_eq(run(fx("releases"), PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    ck_assert_uint_eq(c.nprob, 0);
    ck_assert_uint_eq(st.problems, 0);
    ck_assert_uint_eq(st.skipped, 0);
    ck_assert_uint_eq(st.files, 8);
    ck_assert_uint_eq(st.releases, 1 + 5 + 5 + 3);
    ck_assert_uint_eq(c.nrec, 14);
    /* The folder's own name starts the ids (DECISIONS "Ids", round 2). */
    ck_assert_str_eq(c.recs[0].id, "releases/000_7a5d2ef6bf956f73.txt");
    ck_assert_str_eq(c.recs[1].id, "releases/lk_pmd_2024-09-23-en-3bba97.txt");
    ck_assert_str_eq(c.recs[2].id, "releases/lk_pmd_2024-09-27-en-2df713_crlf_bom.txt");
    ck_assert_str_eq(c.recs[2].file, fx("releases/lk_pmd_2024-09-27-en-2df713_crlf_bom.txt"));
    ck_assert_uint_eq(c.ndone, 8);
    coll_free(&c);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* JSON Lines, from strings                                                                        */

static const struct {
    const char *name;
    const char *line;
    int delivered;
    size_t n;          /* paragraphs when delivered */
    const char *date;  /* when delivered */
    int skipped;
    const char *problem; /* exact message, or a prefix ending in '*', or NULL */
} jsonl_rows[] = {
    {"minimal", "{\"id\":\"a\",\"paragraphs\":[\"p\"]}", 1, 1, NULL, 0, NULL},
    {"full", "{\"id\":\"a\",\"date\":\"2025-07-30\",\"title\":\"T\",\"source\":\"S\",\"url\":\"u\","
             "\"lang\":\"en\",\"paragraphs\":[\"p1\",\"p2\"],\"section\":\"x\",\"topics\":[1]}",
     1, 2, "2025-07-30", 0, NULL},
    {"null optionals", "{\"id\":\"a\",\"date\":null,\"title\":null,\"url\":null,\"paragraphs\":[\"p\"]}",
     1, 1, NULL, 0, NULL},
    {"long date form", "{\"id\":\"a\",\"date\":\"July 30, 2025\",\"paragraphs\":[\"p\"]}", 1, 1,
     "2025-07-30", 0, NULL},
    {"empty date", "{\"id\":\"a\",\"date\":\"\",\"paragraphs\":[\"p\"]}", 1, 1, NULL, 0, NULL},
    {"blank", "   \t\r", 0, 0, NULL, 0, NULL},
    {"empty", "", 0, 0, NULL, 0, NULL},
    {"CRLF ending", "{\"id\":\"a\",\"paragraphs\":[\"p\"]}\r", 1, 1, NULL, 0, NULL},
    {"empty paragraphs dropped silently", "{\"id\":\"a\",\"paragraphs\":[\"\",\"p\",\"\"]}", 1, 1,
     NULL, 0, NULL},
    {"not JSON", "hello", 0, 0, NULL, 1, "not valid JSON (*"},
    {"two objects", "{\"id\":\"a\",\"paragraphs\":[\"p\"]} {}", 0, 0, NULL, 1, "not valid JSON (*"},
    {"string", "\"just a string\"", 0, 0, NULL, 1, "not a JSON object (a string), skipped"},
    {"array", "[1]", 0, 0, NULL, 1, "not a JSON object (an array), skipped"},
    {"no id", "{\"paragraphs\":[\"p\"]}", 0, 0, NULL, 1, "no \"id\", skipped"},
    {"id number", "{\"id\":3,\"paragraphs\":[\"p\"]}", 0, 0, NULL, 1,
     "\"id\" is a number, not a string, skipped"},
    {"id null", "{\"id\":null,\"paragraphs\":[\"p\"]}", 0, 0, NULL, 1,
     "\"id\" is null, not a string, skipped"},
    {"empty id", "{\"id\":\"\",\"paragraphs\":[\"p\"]}", 0, 0, NULL, 1, "empty \"id\", skipped"},
    {"no paragraphs", "{\"id\":\"a\"}", 0, 0, NULL, 1, "no \"paragraphs\", skipped"},
    {"paragraphs string", "{\"id\":\"a\",\"paragraphs\":\"p\"}", 0, 0, NULL, 1,
     "\"paragraphs\" is a string, not an array, skipped"},
    {"paragraphs object", "{\"id\":\"a\",\"paragraphs\":{}}", 0, 0, NULL, 1,
     "\"paragraphs\" is an object, not an array, skipped"},
    {"paragraphs empty", "{\"id\":\"a\",\"paragraphs\":[]}", 0, 0, NULL, 1,
     "no paragraphs, skipped"},
    {"paragraphs all empty", "{\"id\":\"a\",\"paragraphs\":[\"\"]}", 0, 0, NULL, 1,
     "no paragraphs, skipped"},
    {"title number", "{\"id\":\"a\",\"title\":1,\"paragraphs\":[\"p\"]}", 1, 1, NULL, 0,
     "\"title\" is a number, not a string, ignored"},
    {"lang boolean", "{\"id\":\"a\",\"lang\":true,\"paragraphs\":[\"p\"]}", 1, 1, NULL, 0,
     "\"lang\" is a boolean, not a string, ignored"},
    {"date number", "{\"id\":\"a\",\"date\":20250730,\"paragraphs\":[\"p\"]}", 1, 1, NULL, 0,
     "\"date\" is a number, not a string, indexed undated"},
    {"date impossible", "{\"id\":\"a\",\"date\":\"2023-02-29\",\"paragraphs\":[\"p\"]}", 1, 1, NULL,
     0, "impossible date 2023-02-29, indexed undated"},
    {"date unreadable", "{\"id\":\"a\",\"date\":\"soon\",\"paragraphs\":[\"p\"]}", 1, 1, NULL, 0,
     "unrecognised date \"soon\", indexed undated"},
    /* As in text: the quoted date is cut between characters (found by fuzzing). */
    {"date unreadable, cut between characters",
     "{\"id\":\"a\",\"date\":\"2024-11\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
     "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
     "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\",\"paragraphs\":[\"p\"]}",
     1, 1, NULL, 0,
     "unrecognised date \"2024-11\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
     "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
     "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\", indexed undated"},
    {"paragraph not a string", "{\"id\":\"a\",\"paragraphs\":[\"p\",null,\"q\"]}", 1, 2, NULL, 0,
     "paragraph 2 is null, not a string, dropped"},
    {"invalid UTF-8", "{\"id\":\"a\",\"paragraphs\":[\"caf\xE9\"]}", 1, 1, NULL, 0,
     "invalid UTF-8 (1 sequence replaced by U+FFFD)"},
    {"escaped NUL", "{\"id\":\"a\",\"paragraphs\":[\"x\\u0000y\"]}", 1, 1, NULL, 0,
     "a NUL character replaced by a space"},
    {"escaped backslash before u0000 is text", "{\"id\":\"a\",\"paragraphs\":[\"x\\\\u0000y\"]}", 1, 1,
     NULL, 0, NULL},
    {"unknown language", "{\"id\":\"a\",\"lang\":\"klingon\",\"paragraphs\":[\"p\"]}", 1, 1, NULL,
     0, "unknown language \"klingon\" (not an ISO 639-1 code), indexed in the default language"},
    {"ISO code without a stemmer", "{\"id\":\"a\",\"lang\":\"kk\",\"paragraphs\":[\"p\"]}", 1, 1, NULL,
     0, NULL},
    /* jansson quotes the text it stopped in, cut inside the 'é' (found by fuzzing). */
    {"bad escape before a character", "{\"id\":\"a\",\"paragraphs\":[\"\\u0\xC3\xA9\"]}", 0, 0, NULL, 1,
     "not valid JSON (*"},
};

START_TEST(test_jsonl_rows)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    ck_assert_int_eq(parse_jsonl_string(jsonl_rows[_i].line, &c, &st), 0);
    ck_assert_msg(c.nrec == (size_t)jsonl_rows[_i].delivered, "%s: %zu releases",
                  jsonl_rows[_i].name, c.nrec);
    ck_assert_uint_eq(st.skipped, (unsigned)jsonl_rows[_i].skipped);
    const char *want = jsonl_rows[_i].problem;
    if (!want) {
        ck_assert_msg(c.nprob == 0, "%s: unexpected problem %s", jsonl_rows[_i].name,
                      c.nprob ? c.probs[0].msg : "");
    } else {
        ck_assert_msg(c.nprob == 1, "%s: %zu problems", jsonl_rows[_i].name, c.nprob);
        ck_assert_uint_eq(c.probs[0].line, 7);
        ck_assert_str_eq(c.probs[0].file, "mem.jsonl");
        size_t wl = strlen(want);
        if (want[wl - 1] == '*') {
            ck_assert_msg(strncmp(c.probs[0].msg, want, wl - 1) == 0, "%s: %s", jsonl_rows[_i].name,
                          c.probs[0].msg);
            size_t ml = strlen(c.probs[0].msg);
            ck_assert(ml > 9 && strcmp(c.probs[0].msg + ml - 9, ", skipped") == 0);
        } else {
            ck_assert_str_eq(c.probs[0].msg, want);
        }
    }
    if (c.nrec) {
        ck_assert_str_eq(c.recs[0].id, "a");
        ck_assert_uint_eq(c.recs[0].line, 7);
        ck_assert_uint_eq(c.recs[0].n, jsonl_rows[_i].n);
        if (jsonl_rows[_i].date)
            ck_assert_str_eq(c.recs[0].date, jsonl_rows[_i].date);
        else
            ck_assert_ptr_null(c.recs[0].date);
    }
    coll_free(&c);
}
END_TEST

START_TEST(test_jsonl_fields)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    parse_jsonl_string(jsonl_rows[1].line, &c, &st);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_str_eq(c.recs[0].title, "T");
    ck_assert_str_eq(c.recs[0].source, "S");
    ck_assert_str_eq(c.recs[0].url, "u");
    ck_assert_str_eq(c.recs[0].lang, "en");
    ck_assert_str_eq(c.recs[0].paras[0], "p1");
    ck_assert_str_eq(c.recs[0].paras[1], "p2");
    coll_free(&c);

    /* NULs, escaped or raw, become spaces wherever they are; an escaped backslash stays text. */
    memset(&c, 0, sizeof c);
    static const char nuls[] = "{\"id\":\"a\\u0000b\",\"title\":\"t\\u0000\",\"paragraphs\":"
                               "[\"x\\u0000y\", \"raw\0byte\", \"not\\\\u0000one\"]}";
    pi_input_options o = opts_for(&c, PRESSINDEX_FORMAT_JSONL);
    pi_reader r = {&o, &st, NULL, 0};
    memset(&st, 0, sizeof st);
    ck_assert_int_eq(pi_parse_jsonl_line(&r, "mem.jsonl", 1, nuls, sizeof nuls - 1), 0);
    free(r.paras);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_str_eq(c.recs[0].id, "a b");
    ck_assert_str_eq(c.recs[0].title, "t ");
    ck_assert_str_eq(c.recs[0].paras[0], "x y");
    ck_assert_str_eq(c.recs[0].paras[1], "raw byte");
    ck_assert_str_eq(c.recs[0].paras[2], "not\\u0000one");
    ck_assert_uint_eq(c.nprob, 1);
    ck_assert_str_eq(c.probs[0].msg, "4 NUL characters replaced by spaces");
    coll_free(&c);

    /* Invalid UTF-8 repaired inside the string. */
    memset(&c, 0, sizeof c);
    parse_jsonl_string("{\"id\":\"a\",\"paragraphs\":[\"caf\xE9\"]}", &c, &st);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_str_eq(c.recs[0].paras[0], "caf\xEF\xBF\xBD");
    coll_free(&c);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Bad fixtures: the exact problems, what is still delivered                                       */

typedef struct want_prob {
    unsigned long line;
    const char *msg; /* exact, or a prefix ending in '*' */
} want_prob;

static const struct {
    const char *file;
    size_t releases;
    size_t skipped;
    want_prob probs[12];
} bad_rows[] = {
    {"bad/invalid_utf8.txt", 1, 0, {{2, "invalid UTF-8 (2 sequences replaced by U+FFFD)"}}},
    {"bad/nul_bytes.txt", 1, 0, {{7, "16 NUL characters replaced by spaces"}}},
    {"bad/nul_escape.jsonl", 2, 0, {{1, "a NUL character replaced by a space"},
                                    {2, "2 NUL characters replaced by spaces"}}},
    {"bad/unknown_lang.txt", 1, 0,
     {{4, "unknown language \"klingon\" (not an ISO 639-1 code), indexed in the default language"}}},
    {"bad/truncated.jsonl.gz", 3, 1,
     {{0, "truncated gzip: unexpected end of data after line 3"}}},
    {"bad/malformed.jsonl",
     6,
     6,
     {{2, "not valid JSON (*"},
      {3, "not a JSON object (an array), skipped"},
      {4, "no \"id\", skipped"},
      {5, "\"id\" is a number, not a string, skipped"},
      {6, "\"paragraphs\" is a string, not an array, skipped"},
      {7, "\"title\" is a number, not a string, ignored"},
      {8, "impossible date 2024-02-30, indexed undated"},
      {9, "paragraph 2 is a number, not a string, dropped"},
      {13, "not valid JSON (*"}}},
    {"bad/nul_in_line.jsonl", 3, 0, {{2, "a NUL character replaced by a space"}}},
    {"bad/invalid_utf8.jsonl", 2, 0, {{2, "invalid UTF-8 (2 sequences replaced by U+FFFD)"}}},
    {"bad/impossible_date_2025-13-45.txt", 1, 0,
     {{1, "impossible date 2025-13-45, indexed undated"}}},
    {"bad/impossible_date_2024-02-30.txt", 1, 0,
     {{1, "impossible date 2024-02-30, indexed undated"}}},
    {"bad/empty.txt", 0, 1, {{0, "empty file, skipped"}}},
    {"bad/whitespace_only.txt", 0, 1, {{0, "empty file, skipped"}}},
    {"bad/header_only.txt", 0, 1, {{0, "empty file, skipped"}}},
    /* DECISIONS "Empty inputs": a JSON Lines file with no line is named as an empty text is. */
    {"bad/empty.jsonl", 0, 1, {{0, "empty file, skipped"}}},
    {"bad/blank_lines.jsonl", 0, 1, {{0, "empty file, skipped"}}},
};

static size_t count_wanted(const want_prob *w)
{
    size_t n = 0;
    while (n < 12 && w[n].msg)
        n++;
    return n;
}

static void check_probs(const coll *c, const want_prob *w, size_t n, const char *file)
{
    ck_assert_msg(c->nprob == n, "%s: %zu problems, expected %zu (first: %s)", file, c->nprob, n,
                  c->nprob ? c->probs[0].msg : "-");
    for (size_t i = 0; i < n; i++) {
        const prob *p = &c->probs[i];
        size_t wl = strlen(w[i].msg);
        if (w[i].msg[wl - 1] == '*')
            ck_assert_msg(strncmp(p->msg, w[i].msg, wl - 1) == 0, "%s: %s", file, p->msg);
        else
            ck_assert_str_eq(p->msg, w[i].msg);
        ck_assert_msg(p->line == w[i].line, "%s: \"%s\" at line %lu, expected %lu", file, p->msg,
                      p->line, w[i].line);
        ck_assert_str_eq(p->file, file);
    }
}

START_TEST(test_bad_fixtures)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    const char *file = fx(bad_rows[_i].file);
    ck_assert_int_eq(run(file, PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    size_t n = count_wanted(bad_rows[_i].probs);
    check_probs(&c, bad_rows[_i].probs, n, file);
    ck_assert_msg(c.nrec == bad_rows[_i].releases, "%s: %zu releases", file, c.nrec);
    ck_assert_uint_eq(st.releases, bad_rows[_i].releases);
    ck_assert_uint_eq(st.skipped, bad_rows[_i].skipped);
    ck_assert_uint_eq(st.problems, n);
    ck_assert_uint_eq(st.files, 1);
    coll_free(&c);
}
END_TEST

START_TEST(test_bad_details)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;

    /* Malformed lines: the good ones and the salvaged ones, in order, with their lines. */
    run(fx("bad/malformed.jsonl"), PRESSINDEX_FORMAT_AUTO, &c, &st);
    ck_assert_uint_eq(c.nrec, 6);
    static const char *const ids[] = {"lk_pmd:2024-09-24-en-5782c8", "bad:title-number",
                                      "bad:date-impossible", "bad:paragraph-number",
                                      "bad:good-undated", "bad:empty-strings"};
    static const unsigned long lines[] = {1, 7, 8, 9, 11, 12};
    for (size_t i = 0; i < 6; i++) {
        ck_assert_str_eq(c.recs[i].id, ids[i]);
        ck_assert_uint_eq(c.recs[i].line, lines[i]);
    }
    ck_assert_ptr_null(c.recs[1].title);
    ck_assert_str_eq(c.recs[1].date, "2025-01-05");
    ck_assert_ptr_null(c.recs[2].date);
    ck_assert_str_eq(c.recs[2].title, "Impossible date");
    ck_assert_uint_eq(c.recs[3].n, 2);
    ck_assert_str_eq(c.recs[3].paras[1], "The third one too; the second, a number, is dropped.");
    ck_assert_ptr_null(c.recs[4].date);
    ck_assert_uint_eq(c.recs[5].n, 1);
    coll_free(&c);

    /* Truncated gzip: the three complete releases. */
    memset(&c, 0, sizeof c);
    run(fx("bad/truncated.jsonl.gz"), PRESSINDEX_FORMAT_AUTO, &c, &st);
    ck_assert_uint_eq(c.nrec, 3);
    ck_assert_str_eq(c.recs[0].id, "lk_pmd:2024-10-04-en-ce4e50");
    ck_assert_str_eq(c.recs[2].id, "lk_pmd:2024-10-28-en-c9f375");
    ck_assert_uint_eq(c.recs[2].line, 3);
    coll_free(&c);

    /* Repaired text keeps its content. */
    memset(&c, 0, sizeof c);
    run(fx("bad/invalid_utf8.txt"), PRESSINDEX_FORMAT_AUTO, &c, &st);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_ptr_nonnull(strstr(c.recs[0].title, "President\xEF\xBF\xBDs Senior"));
    ck_assert_ptr_nonnull(strstr(c.recs[0].paras[1], "University of Colomb\xEF\xBF\xBD."));
    ck_assert_str_eq(c.recs[0].date, "2024-11-22");
    coll_free(&c);

    /* Impossible dates: undated, the rest kept. */
    memset(&c, 0, sizeof c);
    run(fx("bad/impossible_date_2025-13-45.txt"), PRESSINDEX_FORMAT_AUTO, &c, &st);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_ptr_null(c.recs[0].date);
    ck_assert(strncmp(c.recs[0].paras[0], "President", 9) == 0);
    coll_free(&c);
    memset(&c, 0, sizeof c);
    run(fx("bad/impossible_date_2024-02-30.txt"), PRESSINDEX_FORMAT_AUTO, &c, &st);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_ptr_null(c.recs[0].date);
    ck_assert_str_eq(c.recs[0].title, "Two New Secretaries Appointed to Ministries");
    coll_free(&c);
}
END_TEST

START_TEST(test_bad_folder)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    ck_assert_int_eq(run(fx("bad"), PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    size_t releases = 0, skipped = 0, probs = 0;
    for (size_t i = 0; i < sizeof bad_rows / sizeof *bad_rows; i++) {
        releases += bad_rows[i].releases;
        skipped += bad_rows[i].skipped;
        probs += count_wanted(bad_rows[i].probs);
    }
    ck_assert_uint_eq(st.files, sizeof bad_rows / sizeof *bad_rows);
    ck_assert_uint_eq(st.releases, releases);
    ck_assert_uint_eq(st.skipped, skipped);
    ck_assert_uint_eq(st.problems, probs);
    ck_assert_uint_eq(c.nprob, probs);
    /* Problems come in file order: blank_lines.jsonl is the first file. */
    ck_assert_str_eq(c.probs[0].file, fx("bad/blank_lines.jsonl"));
    coll_free(&c);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Generated at test time: enormous paragraph, oversize file and line                              */

START_TEST(test_enormous_paragraph)
{
    char *dir = make_tmpdir();
    size_t big = 1536 * 1024; /* 1.5 MiB */
    char *data = malloc(big + 256);
    size_t n = 0;
    n += (size_t)sprintf(data, "Title: Enormous\n\nA short one.\n\n");
    for (size_t i = 0; i < big; i++)
        data[n++] = (i % 7 == 6 && i + 1 < big) ? ' ' : (char)('a' + i % 26);
    n += (size_t)sprintf(data + n, "\n\nThe end.\n");
    write_file(dir, "enormous.txt", data, n);

    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    char path[1100];
    snprintf(path, sizeof path, "%s/enormous.txt", dir);
    ck_assert_int_eq(run(path, PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_uint_eq(c.recs[0].n, 3);
    ck_assert_uint_eq(strlen(c.recs[0].paras[1]), big);
    ck_assert_uint_eq(c.nprob, 1);
    ck_assert_str_eq(c.probs[0].msg, "paragraph 2 is 1.5 MB (kept)");
    ck_assert_uint_eq(c.probs[0].line, 5);
    ck_assert_uint_eq(st.skipped, 0);
    coll_free(&c);

    /* The same in JSON Lines. */
    n = 0;
    n += (size_t)sprintf(data, "{\"id\":\"e\",\"paragraphs\":[\"x\",\"");
    for (size_t i = 0; i < big; i++)
        data[n++] = 'y';
    n += (size_t)sprintf(data + n, "\"]}\n");
    write_file(dir, "enormous.jsonl", data, n);
    snprintf(path, sizeof path, "%s/enormous.jsonl", dir);
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(run(path, PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_uint_eq(strlen(c.recs[0].paras[1]), big);
    ck_assert_uint_eq(c.nprob, 1);
    ck_assert_str_eq(c.probs[0].msg, "paragraph 2 is 1.5 MB (kept)");
    ck_assert_uint_eq(c.probs[0].line, 1);
    coll_free(&c);

    free(data);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* Writes a gzip file of a small head, then fill bytes of c, then a tail. */
static void write_gz(const char *path, const char *head, size_t fill, char ch, const char *tail)
{
    gzFile g = gzopen(path, "wb1");
    ck_assert_ptr_nonnull(g);
    gzputs(g, head);
    char block[65536];
    memset(block, ch, sizeof block);
    while (fill) {
        size_t k = fill < sizeof block ? fill : sizeof block;
        ck_assert_int_eq(gzwrite(g, block, (unsigned)k), (int)k);
        fill -= k;
    }
    gzputs(g, tail);
    ck_assert_int_eq(gzclose(g), Z_OK);
}

START_TEST(test_oversize)
{
    char *dir = make_tmpdir();
    char path[1100];
    coll c;
    pi_input_stats st;

    /* A text file over 64 MiB (decompressed): skipped. */
    snprintf(path, sizeof path, "%s/huge.txt.gz", dir);
    write_gz(path, "Title: Huge\n\n", PI_INPUT_MAX_TEXT, 'a', "\n");
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(run(path, PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    ck_assert_uint_eq(c.nrec, 0);
    ck_assert_uint_eq(c.nprob, 1);
    ck_assert_str_eq(c.probs[0].msg, "file is larger than 64 MiB, skipped");
    ck_assert_uint_eq(st.skipped, 1);
    coll_free(&c);

    /* A JSON line over 64 MiB between two good ones: that line skipped. */
    snprintf(path, sizeof path, "%s/huge.jsonl.gz", dir);
    write_gz(path, "{\"id\":\"before\",\"paragraphs\":[\"b\"]}\n{\"id\":\"huge\",\"paragraphs\":[\"",
             PI_INPUT_MAX_LINE, 'z', "\"]}\n{\"id\":\"after\",\"paragraphs\":[\"a\"]}\n");
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(run(path, PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    ck_assert_uint_eq(c.nrec, 2);
    ck_assert_str_eq(c.recs[0].id, "before");
    ck_assert_str_eq(c.recs[1].id, "after");
    ck_assert_uint_eq(c.recs[1].line, 3);
    ck_assert_uint_eq(c.nprob, 1);
    ck_assert_str_eq(c.probs[0].msg, "line is longer than 64 MiB, skipped");
    ck_assert_uint_eq(c.probs[0].line, 2);
    ck_assert_uint_eq(st.skipped, 1);
    coll_free(&c);

    rm_rf(dir);
    free(dir);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Folders, detection, stdin, callbacks                                                            */

START_TEST(test_folder_walk)
{
    char *dir = make_tmpdir();
    char p[1200], q[1200];
    const char *body = "Body.\n";
    static const char *const files[] = {
        "b.txt", "a.txt", "B.txt", "sub-x.txt", ".hidden.txt", "x.txt~", ".#lock.txt", "y.swp",
        "z.tmp", "w.part", "notes", "record.JSON"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        write_str(dir, files[i], body);
    snprintf(p, sizeof p, "%s/sub", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    write_str(p, "c.txt", body);
    write_str(p, "c.txt.part", body);
    snprintf(p, sizeof p, "%s/sub/deeper", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    write_str(p, "d.txt", body);
    snprintf(p, sizeof p, "%s/.git", dir);
    ck_assert_int_eq(mkdir(p, 0755), 0);
    write_str(p, "e.txt", body);
    /* Symbolic links: to a file (followed), to a folder and dangling (each named, skipped). */
    snprintf(p, sizeof p, "%s/link.txt", dir);
    ck_assert_int_eq(symlink("a.txt", p), 0);
    snprintf(p, sizeof p, "%s/linkdir", dir);
    ck_assert_int_eq(symlink("sub", p), 0);
    snprintf(p, sizeof p, "%s/dangling.txt", dir);
    ck_assert_int_eq(symlink("nowhere.txt", p), 0);
    snprintf(p, sizeof p, "%s/fifo", dir);
    ck_assert_int_eq(mkfifo(p, 0644), 0);
    /* JSON Lines by content in a file with no extension; a gzip text file named .txt. */
    write_str(dir, "notes", "\n  {\"id\":\"j1\",\"paragraphs\":[\"x\"]}\n");
    snprintf(p, sizeof p, "%s/zipped.txt", dir);
    write_gz(p, "date 2025-07-30 Zipped body.", 0, ' ', "");

    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    ck_assert_int_eq(run(dir, PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    static const char *const want[] = {"B.txt", "a.txt", "b.txt", "link.txt", "j1", "record.JSON",
                                       "sub/c.txt", "sub/deeper/d.txt", "sub-x.txt", "zipped.txt"};
    size_t nw = sizeof want / sizeof *want;
    ck_assert_uint_eq(c.nprob, 3);
    ck_assert_str_eq(c.probs[0].msg, "broken symbolic link (its target does not exist), skipped");
    ck_assert_str_eq(c.probs[1].msg, "symbolic link to a folder, not followed (give the folder as an "
                                     "argument of its own), skipped");
    snprintf(q, sizeof q, "%s/dangling.txt", dir);
    ck_assert_str_eq(c.probs[0].file, q);
    snprintf(q, sizeof q, "%s/linkdir", dir);
    ck_assert_str_eq(c.probs[1].file, q);
    /* record.JSON is read as JSON Lines: "Body." is not JSON */
    ck_assert_str_eq(c.probs[2].msg, "not valid JSON (invalid token near 'Body' at column 4), skipped");
    ck_assert_uint_eq(c.nrec, nw - 1);
    for (size_t i = 0, k = 0; i < nw; i++) {
        if (strcmp(want[i], "record.JSON") == 0)
            continue;
        /* Text files: the folder's name, then the path under it; JSON Lines: the line's id. */
        if (strcmp(want[i], "j1") == 0)
            snprintf(q, sizeof q, "%s", want[i]);
        else
            snprintf(q, sizeof q, "%s/%s", strrchr(dir, '/') + 1, want[i]);
        ck_assert_str_eq(c.recs[k].id, q);
        k++;
    }
    snprintf(q, sizeof q, "%s/sub/deeper/d.txt", dir);
    ck_assert_str_eq(c.recs[6].file, q);
    ck_assert_str_eq(c.recs[8].date, "2025-07-30");
    ck_assert_str_eq(c.recs[8].paras[0], "Zipped body.");
    ck_assert_uint_eq(st.files, nw);
    ck_assert_uint_eq(c.ndone, nw);
    coll_free(&c);

    /* A trailing slash: the same ids, no double slash in paths. */
    snprintf(p, sizeof p, "%s/sub/", dir);
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(run(p, PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    ck_assert_uint_eq(c.nrec, 2);
    ck_assert_str_eq(c.recs[0].id, "sub/c.txt");
    ck_assert_str_eq(c.recs[1].id, "sub/deeper/d.txt");
    snprintf(q, sizeof q, "%s/sub/c.txt", dir);
    ck_assert_str_eq(c.recs[0].file, q);
    coll_free(&c);

    /* "." and ".." are resolved as text: the folder's name is what the path names, never
     * "." or "..", and a symbolic link on the way is not followed (linkdir/.. is dir). */
    const char *spelt[][2] = {{"sub/deeper/..", "sub/c.txt"}, {"sub/./", "sub/c.txt"},
                              {"linkdir/..", "B.txt"}};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, spelt[i][0]);
        memset(&c, 0, sizeof c);
        ck_assert_int_eq(run(p, PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
        snprintf(q, sizeof q, "%s/%s", strrchr(dir, '/') + 1, spelt[i][1]);
        ck_assert_str_eq(c.recs[0].id, i < 2 ? spelt[i][1] : q);
        coll_free(&c);
    }

    /* A file given directly: its base name. */
    snprintf(p, sizeof p, "%s/sub/deeper/d.txt", dir);
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(run(p, PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_str_eq(c.recs[0].id, "d.txt");
    ck_assert_str_eq(c.recs[0].file, p);
    coll_free(&c);

    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_nonexistent)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    ck_assert_int_eq(run(fx("no/such/path"), PRESSINDEX_FORMAT_AUTO, &c, &st), -1);
    ck_assert_uint_eq(c.nprob, 1);
    ck_assert_str_eq(c.probs[0].file, fx("no/such/path"));
    ck_assert_str_eq(c.probs[0].msg, "no such file or directory");
    ck_assert_uint_eq(c.probs[0].line, 0);
    ck_assert_uint_eq(st.problems, 1);
    ck_assert_uint_eq(c.nrec, 0);
    coll_free(&c);
}
END_TEST

START_TEST(test_unreadable)
{
    if (geteuid() == 0)
        return; /* root reads everything */
    char *dir = make_tmpdir();
    write_str(dir, "a.txt", "A.\n");
    write_str(dir, "b.txt", "B.\n");
    char p[1100];
    snprintf(p, sizeof p, "%s/a.txt", dir);
    ck_assert_int_eq(chmod(p, 0), 0);
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    ck_assert_int_eq(run(dir, PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_uint_eq(c.nprob, 1);
    ck_assert_str_eq(c.probs[0].msg, "cannot open: permission denied, skipped");
    ck_assert_uint_eq(st.skipped, 1);
    coll_free(&c);
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(run(p, PRESSINDEX_FORMAT_AUTO, &c, &st), -1);
    coll_free(&c);
    rm_rf(dir);
    free(dir);
}
END_TEST

START_TEST(test_format_override)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    /* A JSON Lines file read as text: one release, its lines one paragraph. */
    ck_assert_int_eq(run(fx("releases/sample.jsonl"), PRESSINDEX_FORMAT_TEXT, &c, &st), 0);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_str_eq(c.recs[0].id, "sample.jsonl");
    ck_assert_uint_eq(c.recs[0].n, 1);
    coll_free(&c);
    /* A text file read as JSON Lines: every line a problem. */
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(run(fx("bad/impossible_date_2025-13-45.txt"), PRESSINDEX_FORMAT_JSONL, &c, &st),
                     0);
    ck_assert_uint_eq(c.nrec, 0);
    ck_assert_uint_gt(c.nprob, 0);
    ck_assert_uint_eq(c.probs[0].line, 1);
    coll_free(&c);
}
END_TEST

static int read_stdin_from(const char *file, pressindex_format fmt, coll *c, pi_input_stats *st)
{
    int saved = dup(STDIN_FILENO);
    ck_assert_int_ge(saved, 0);
    int fd = open(file, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_ge(dup2(fd, STDIN_FILENO), 0);
    close(fd);
    int rc = run("-", fmt, c, st);
    ck_assert_int_ge(dup2(saved, STDIN_FILENO), 0);
    close(saved);
    return rc;
}

START_TEST(test_stdin)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    ck_assert_int_eq(read_stdin_from(fx("releases/sample2.jsonl.gz"), PRESSINDEX_FORMAT_AUTO, &c, &st),
                     0);
    ck_assert_uint_eq(c.nrec, 3);
    ck_assert_str_eq(c.recs[0].file, "-");
    ck_assert_str_eq(c.recs[0].id, "lk_pmd:2024-10-25-en-5e2c43");
    ck_assert_uint_eq(c.ndone, 1);
    ck_assert_str_eq(c.done[0], "-");
    coll_free(&c);

    memset(&c, 0, sizeof c);
    ck_assert_int_eq(
        read_stdin_from(fx("releases/000_7a5d2ef6bf956f73.txt"), PRESSINDEX_FORMAT_AUTO, &c, &st), 0);
    ck_assert_uint_eq(c.nrec, 1);
    /* Standard input's text: an id from its bytes (was "-" for every pipe). */
    ck_assert_str_eq(c.recs[0].id, "stdin-5426a0eb71e0f998");
    ck_assert_str_eq(c.recs[0].date, "2025-07-30");
    ck_assert_uint_eq(c.recs[0].n, 25);
    coll_free(&c);
}
END_TEST

START_TEST(test_stop_value)
{
    coll c;
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    c.stop_value = 42;
    pi_input_stats st;
    /* Across files of a folder. */
    ck_assert_int_eq(run(fx("releases"), PRESSINDEX_FORMAT_AUTO, &c, &st), 42);
    ck_assert_uint_eq(c.nrec, 2);
    ck_assert_uint_eq(st.releases, 2);
    ck_assert_uint_eq(c.ndone, 1); /* the first file finished, the second not */
    coll_free(&c);

    /* Inside a JSON Lines file, with a negative value. */
    memset(&c, 0, sizeof c);
    c.stop_after = 3;
    c.stop_value = -7;
    ck_assert_int_eq(run(fx("releases/sample.jsonl"), PRESSINDEX_FORMAT_AUTO, &c, &st), -7);
    ck_assert_uint_eq(c.nrec, 3);
    ck_assert_uint_eq(c.ndone, 0);
    coll_free(&c);

    /* -1 from a callback is passed through as well (not taken for "cannot open"). */
    memset(&c, 0, sizeof c);
    c.stop_after = 1;
    c.stop_value = -1;
    ck_assert_int_eq(run(fx("releases"), PRESSINDEX_FORMAT_AUTO, &c, &st), -1);
    ck_assert_uint_eq(c.nrec, 1);
    coll_free(&c);
}
END_TEST

START_TEST(test_null_callbacks)
{
    pi_input_options o;
    memset(&o, 0, sizeof o);
    pi_input_stats st;
    ck_assert_int_eq(pi_input_read(fx("bad"), &o, &st), 0);
    ck_assert_uint_gt(st.problems, 0);
    ck_assert_uint_gt(st.releases, 0);
    ck_assert_int_eq(pi_input_read(fx("releases"), &o, NULL), 0);
    ck_assert_int_eq(pi_input_read(fx("nothing-here"), &o, NULL), -1);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */
/* Repairs: NULs in text, languages, ids from file names (the same repairs as the library's add)    */

/* Parses len bytes of text (NULs allowed) through pi_parse_text with the given id. */
static int parse_text_bytes(const char *text, size_t len, const char *id, coll *c, pi_input_stats *st)
{
    pi_input_options o = opts_for(c, PRESSINDEX_FORMAT_TEXT);
    memset(st, 0, sizeof *st);
    pi_reader r = {&o, st, NULL, 0};
    char *copy = malloc(len + 1);
    memcpy(copy, text, len);
    int rc = pi_parse_text(&r, "mem.txt", id, copy, len);
    free(copy);
    free(r.paras);
    return rc;
}

#define BYTES(s) s, sizeof s - 1
static const struct {
    const char *name;
    const char *in;
    size_t len;
    const char *para;    /* the first paragraph, or NULL when the file is skipped */
    unsigned long line;  /* of the problem */
    const char *problem; /* NULL: none */
} nul_text_rows[] = {
    {"NULs in a word", BYTES("Title: T\n\nbroken\0\0\0transfer.\n"), "broken   transfer.", 3,
     "3 NUL characters replaced by spaces"},
    {"one NUL in the header", BYTES("Title: T\0\n\nbody.\n"), "body.", 1,
     "a NUL character replaced by a space"},
    {"a few scattered in a short file", BYTES("a\0b\0c\0d"), "a b c d", 1,
     "3 NUL characters replaced by spaces"},
    {"UTF-16 is binary", BYTES("H\0e\0l\0l\0o\0 \0w\0o\0r\0l\0d\0,\0 \0h\0i\0!\0"), NULL, 0,
     "binary file (NUL bytes), skipped"},
    {"controls everywhere are binary",
     BYTES("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0"
           "\nIDATx\x9c\x63\0\x01\0\0\x05\0\x01\x0d\x0a\x2d\xb4\0\0\0\0IEND\xae\x42\x60\x82"),
     NULL, 0, "binary file (NUL bytes), skipped"},
    {"no NUL: controls are text", BYTES("\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f words"),
     "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f words", 0, NULL},
};

START_TEST(test_nul_text_rows)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    ck_assert_int_eq(parse_text_bytes(nul_text_rows[_i].in, nul_text_rows[_i].len, "mem.txt", &c, &st), 0);
    if (nul_text_rows[_i].problem) {
        ck_assert_msg(c.nprob == 1, "%s: %zu problems", nul_text_rows[_i].name, c.nprob);
        ck_assert_str_eq(c.probs[0].msg, nul_text_rows[_i].problem);
        ck_assert_uint_eq(c.probs[0].line, nul_text_rows[_i].line);
    } else {
        ck_assert_msg(c.nprob == 0, "%s: %s", nul_text_rows[_i].name, c.probs[0].msg);
    }
    if (nul_text_rows[_i].para) {
        ck_assert_uint_eq(c.nrec, 1);
        ck_assert_uint_eq(st.skipped, 0);
        ck_assert_str_eq(c.recs[0].paras[0], nul_text_rows[_i].para);
    } else {
        ck_assert_uint_eq(c.nrec, 0);
        ck_assert_uint_eq(st.skipped, 1);
    }
    coll_free(&c);
}
END_TEST

/* A hole of NULs as a transfer leaves it (longer than the text) is one run: still text. */
START_TEST(test_nul_hole)
{
    char buf[64 + 4096];
    const char *head = "Title: Hole\n\nBefore the hole ";
    size_t n = strlen(head);
    memcpy(buf, head, n);
    memset(buf + n, 0, 4096);
    memcpy(buf + n + 4096, "after it.", 9);
    n += 4096 + 9;
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    parse_text_bytes(buf, n, "mem.txt", &c, &st);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_uint_eq(c.nprob, 1);
    ck_assert_str_eq(c.probs[0].msg, "4096 NUL characters replaced by spaces");
    ck_assert_uint_eq(c.probs[0].line, 3);
    ck_assert(strncmp(c.recs[0].paras[0], "Before the hole ", 16) == 0);
    ck_assert(strcmp(c.recs[0].paras[0] + strlen(c.recs[0].paras[0]) - 9, "after it.") == 0);
    coll_free(&c);
}
END_TEST

static const struct {
    const char *lang;
    int valid;
} lang_rows[] = {
    {"en", 1}, {"EN", 1}, {"tr", 1}, {"zh", 1}, {"ja", 1}, {"ko", 1}, {"kk", 1}, {"uk", 1},
    {"pt_BR", 1}, {"en-US", 1}, {"zh-Hant-TW", 1}, {"sr-Latn", 1}, {"english", 1}, {"Turkish", 1},
    {"none", 1}, {"klingon", 0}, {"tlh", 0}, {"eng", 0}, {"kaz", 0}, {"xx", 0}, {"qq", 0},
    {"e", 0}, {"", 0}, {"en-", 0}, {"en--US", 0}, {"en-toolongtag", 0}, {"en US", 0},
    {"en-\xC3\xA9", 0}, {"englishh", 0},
};

START_TEST(test_lang_rows)
{
    ck_assert_msg(pi_lang_valid(lang_rows[_i].lang) == lang_rows[_i].valid, "\"%s\"", lang_rows[_i].lang);
}
END_TEST

START_TEST(test_lang_in_text)
{
    static const struct {
        const char *in, *lang, *problem;
    } rows[] = {
        {"Lang: klingon\n\nBody.", NULL,
         "unknown language \"klingon\" (not an ISO 639-1 code), indexed in the default language"},
        {"Title: T\nLanguage: zh\n\nBody.", "zh", NULL},
        {"Lang: pt_BR\n\nBody.", "pt_BR", NULL},
        {"Title: T\nLang: x\n\nBody.", NULL,
         "unknown language \"x\" (not an ISO 639-1 code), indexed in the default language"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        coll c;
        memset(&c, 0, sizeof c);
        pi_input_stats st;
        parse_text_string(rows[i].in, &c, &st);
        ck_assert_uint_eq(c.nrec, 1);
        if (rows[i].lang)
            ck_assert_str_eq(c.recs[0].lang, rows[i].lang);
        else
            ck_assert_ptr_null(c.recs[0].lang);
        ck_assert_uint_eq(c.nprob, rows[i].problem ? 1 : 0);
        if (rows[i].problem) {
            ck_assert_str_eq(c.probs[0].msg, rows[i].problem);
            ck_assert_uint_eq(c.probs[0].line, i == 0 ? 1 : 2);
        }
        coll_free(&c);
    }
}
END_TEST

/* A text release's id is its file name, which need not be UTF-8: repaired as the library repairs
 * an id, so that reindex records the id the release is stored under. */
START_TEST(test_text_id_repaired)
{
    coll c;
    memset(&c, 0, sizeof c);
    pi_input_stats st;
    parse_text_bytes(BYTES("Body."), "caf\xE9.txt", &c, &st);
    ck_assert_uint_eq(c.nrec, 1);
    ck_assert_str_eq(c.recs[0].id, "caf\xEF\xBF\xBD.txt");
    ck_assert_uint_eq(c.nprob, 1);
    ck_assert_str_eq(c.probs[0].msg, "file name: invalid UTF-8 (1 sequence replaced by U+FFFD)");
    coll_free(&c);
}
END_TEST

/* What pressindex_add_release() stores: each string repaired as a reader repairs it. */
START_TEST(test_release_repair)
{
    static const char *const paras[] = {"fine", "caf\xE9", NULL, "\xFF\xFE"};
    pressindex_release in = {"id\xC3", "2025-01-01", "T\xE2\x80", NULL, "u", "klingon", paras, 4};
    pi_repaired fix;
    ck_assert_int_eq(pi_release_repair(&in, &fix), 0);
    ck_assert_int_eq(fix.utf8, 1 + 1 + 1 + 2);
    ck_assert_str_eq(fix.rel.id, "id\xEF\xBF\xBD");
    ck_assert_str_eq(fix.rel.title, "T\xEF\xBF\xBD");
    ck_assert_ptr_eq(fix.rel.date, in.date); /* valid strings are not copied */
    ck_assert_ptr_null(fix.rel.source);
    ck_assert_ptr_null(fix.rel.lang);
    ck_assert_str_eq(fix.bad_lang, "klingon");
    ck_assert_ptr_eq(fix.rel.paragraphs[0], paras[0]);
    ck_assert_str_eq(fix.rel.paragraphs[1], "caf\xEF\xBF\xBD");
    ck_assert_ptr_null(fix.rel.paragraphs[2]);
    ck_assert_str_eq(fix.rel.paragraphs[3], "\xEF\xBF\xBD\xEF\xBF\xBD");
    ck_assert_ptr_eq(in.paragraphs, paras); /* the caller's release is untouched */
    pi_repaired_free(&fix);

    pressindex_release good = {"a", NULL, NULL, NULL, NULL, "zh", paras, 1};
    ck_assert_int_eq(pi_release_repair(&good, &fix), 0);
    ck_assert_int_eq(fix.utf8, 0);
    ck_assert_ptr_null(fix.bad_lang);
    ck_assert_ptr_eq(fix.rel.paragraphs, paras);
    ck_assert_str_eq(fix.rel.lang, "zh");
    pi_repaired_free(&fix);

    char msg[160];
    ck_assert_str_eq(pi_msg_lang(msg, sizeof msg, "a\nb"),
                     "unknown language \"a b\" (not an ISO 639-1 code), indexed in the default language");
    pi_msg_lang(msg, sizeof msg, "0123456789012345678901234567890123456789toolong");
    ck_assert_ptr_nonnull(strstr(msg, "\"0123456789012345678901234567890123456789...\""));
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */

static Suite *input_suite(void)
{
    Suite *s = suite_create("input");
    TCase *tc = tcase_create("date");
    tcase_add_loop_test(tc, test_date_rows, 0, sizeof date_rows / sizeof *date_rows);
    tcase_add_test(tc, test_date_length_bounded);
    suite_add_tcase(s, tc);

    tc = tcase_create("utf8");
    tcase_add_loop_test(tc, test_utf8_rows, 0, sizeof utf8_rows / sizeof *utf8_rows);
    tcase_add_test(tc, test_utf8_long_ascii);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_loop_test(tc, test_text_rows, 0, sizeof text_rows / sizeof *text_rows);
    tcase_add_test(tc, test_text_header_fields);
    tcase_add_test(tc, test_seed);
    tcase_add_loop_test(tc, test_good_text_fixtures, 0,
                        sizeof good_text_rows / sizeof *good_text_rows);
    suite_add_tcase(s, tc);

    tc = tcase_create("jsonl");
    tcase_add_loop_test(tc, test_jsonl_rows, 0, sizeof jsonl_rows / sizeof *jsonl_rows);
    tcase_add_test(tc, test_jsonl_fields);
    tcase_add_test(tc, test_sample_jsonl);
    suite_add_tcase(s, tc);

    tc = tcase_create("repairs");
    tcase_add_loop_test(tc, test_nul_text_rows, 0, sizeof nul_text_rows / sizeof *nul_text_rows);
    tcase_add_test(tc, test_nul_hole);
    tcase_add_loop_test(tc, test_lang_rows, 0, sizeof lang_rows / sizeof *lang_rows);
    tcase_add_test(tc, test_lang_in_text);
    tcase_add_test(tc, test_text_id_repaired);
    tcase_add_test(tc, test_release_repair);
    suite_add_tcase(s, tc);

    tc = tcase_create("bad");
    tcase_add_loop_test(tc, test_bad_fixtures, 0, sizeof bad_rows / sizeof *bad_rows);
    tcase_add_test(tc, test_bad_details);
    tcase_add_test(tc, test_bad_folder);
    tcase_add_test(tc, test_enormous_paragraph);
    suite_add_tcase(s, tc);

    tc = tcase_create("oversize");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_oversize);
    suite_add_tcase(s, tc);

    tc = tcase_create("paths");
    tcase_add_test(tc, test_releases_folder);
    tcase_add_test(tc, test_folder_walk);
    tcase_add_test(tc, test_nonexistent);
    tcase_add_test(tc, test_unreadable);
    tcase_add_test(tc, test_format_override);
    tcase_add_test(tc, test_stdin);
    tcase_add_test(tc, test_stop_value);
    tcase_add_test(tc, test_null_callbacks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(input_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
