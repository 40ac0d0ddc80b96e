/* common.c - the checks and the fixture index the fuzz targets share (fuzz.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "input.h"
#include "query.h"

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

int fuzz_utf8(const char *s, size_t n)
{
    return pi_utf8_valid_prefix(s, n) == n;
}

static void check_field(const char *what, const char *s)
{
    if (s && !fuzz_utf8(s, strlen(s)))
        fuzz_fail("release %s is not valid UTF-8", what);
}

void fuzz_check_release(const pressindex_release *r)
{
    if (!r->id || !*r->id)
        fuzz_fail("release without an id");
    check_field("id", r->id);
    check_field("title", r->title);
    check_field("source", r->source);
    check_field("url", r->url);
    check_field("lang", r->lang);
    /* A delivered date was checked by the reader: the indexer must take it as it is. */
    if (r->date) {
        char again[11];
        if (strlen(r->date) != 10 || !pi_date_bound_valid(r->date, 10))
            fuzz_fail("release date \"%s\" is not a checked YYYY-MM-DD", r->date);
        if (pi_release_date(r, again) != 0 || strcmp(again, r->date) != 0)
            fuzz_fail("release date \"%s\" not taken as it is by pi_release_date", r->date);
    }
    if (r->n_paragraphs == 0 || !r->paragraphs)
        fuzz_fail("release %s delivered without paragraphs", r->id);
    for (size_t i = 0; i < r->n_paragraphs; i++) {
        if (!r->paragraphs[i] || !*r->paragraphs[i])
            fuzz_fail("paragraph %zu of %zu is empty", i + 1, r->n_paragraphs);
        check_field("paragraph", r->paragraphs[i]);
    }
    /* The stored record gives back what was written. */
    pi_buf b = {0};
    if (pi_record_encode(r, r->date, r->lang, (unsigned)r->n_paragraphs, NULL, &b) < 0)
        fuzz_fail("pi_record_encode failed");
    pi_release_record rec;
    size_t len = b.len;
    char *blob = pi_buf_steal(&b);
    if (pi_record_decode(blob, len, &rec) < 0)
        fuzz_fail("a record just encoded does not decode");
    if (strcmp(rec.id, r->id) || strcmp(rec.title, r->title ? r->title : "") ||
        strcmp(rec.date, r->date ? r->date : "") || rec.passages != r->n_paragraphs)
        fuzz_fail("the record of %s decodes to other values", r->id);
    pi_record_free(&rec);
}

void fuzz_input_init(fuzz_input *in, const char *name, const uint8_t *data, size_t size)
{
    in->name = name;
    in->lines = 1;
    for (size_t i = 0; i < size; i++)
        in->lines += data[i] == '\n';
}

void fuzz_check_problem(void *user, const char *file, unsigned long line, const char *msg)
{
    const fuzz_input *in = user;
    if (strcmp(file, in->name) != 0)
        fuzz_fail("problem names the file \"%s\", not \"%s\"", file, in->name);
    if (line > in->lines)
        fuzz_fail("problem at line %lu of a %lu-line input: %s", line, in->lines, msg);
    if (!*msg || strpbrk(msg, "\n\r"))
        fuzz_fail("problem message empty or not one line: \"%s\"", msg);
    if (!fuzz_utf8(msg, strlen(msg)))
        fuzz_fail("problem message is not valid UTF-8: \"%s\"", msg);
}

/* ---- the fixture index ---- */

static char index_dir[4096];
static pressindex *index_handle;

static void remove_index(void)
{
    pressindex_destroy(index_handle);
    index_handle = NULL;
    if (index_dir[0])
        pi_index_remove_tree(index_dir);
}

pressindex *fuzz_index(void)
{
    if (index_handle)
        return index_handle;
    const char *fixtures = getenv("PI_FUZZ_FIXTURES");
    if (!fixtures || !*fixtures)
        fixtures = FIXTURES_DIR;
    const char *tmp = getenv("TMPDIR");
    snprintf(index_dir, sizeof index_dir, "%s/pi-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(index_dir))
        fuzz_fail("cannot make a temporary folder for the fixture index");
    atexit(remove_index);
    char path[4200], releases[4096];
    snprintf(path, sizeof path, "%s/idx", index_dir);
    snprintf(releases, sizeof releases, "%s/releases", fixtures);
    pressindex_open_options oo;
    pressindex_open_options_init(&oo);
    oo.writable = 1;
    oo.create = 1;
    pressindex *w = NULL;
    pressindex_index_options io;
    pressindex_index_options_init(&io);
    pressindex_index_stats st;
    if (pressindex_open(path, &oo, &w) != PRESSINDEX_OK)
        fuzz_fail("cannot create the fixture index: %s", pressindex_open_error());
    if (pressindex_index_path(w, releases, &io, &st) != PRESSINDEX_OK || st.releases == 0)
        fuzz_fail("cannot index %s (PI_FUZZ_FIXTURES names the fixtures folder): %s", releases,
                  pressindex_last_error(w));
    if (pressindex_commit(w) != PRESSINDEX_OK)
        fuzz_fail("cannot commit the fixture index: %s", pressindex_last_error(w));
    pressindex_destroy(w);
    if (pressindex_open(path, NULL, &index_handle) != PRESSINDEX_OK)
        fuzz_fail("cannot open the fixture index: %s", pressindex_open_error());
    return index_handle;
}
