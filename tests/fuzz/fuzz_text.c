/*
 * fuzz_text.c - the text release format (parse_text.c), given a whole file's bytes as the reader
 * gives them. One input is one file: it yields one release or is skipped with a problem, never
 * both, and whatever it yields holds fuzz_check_release's promises.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "input.h"

#define NAME "fuzz.txt"

static int on_release(void *ctx, const pressindex_release *r, const char *file, unsigned long line)
{
    (void)ctx;
    (void)line;
    if (strcmp(r->id, NAME) != 0 || strcmp(file, NAME) != 0)
        fuzz_fail("a text release's id is \"%s\", not its name", r->id);
    fuzz_check_release(r);
    for (size_t i = 0; i < r->n_paragraphs; i++) {
        const char *p = r->paragraphs[i];
        size_t n = strlen(p);
        /* Paragraphs are trimmed and split at blank lines. */
        if (strchr(" \t\n\r\f\v", p[0]) || strchr(" \t\n\r\f\v", p[n - 1]))
            fuzz_fail("paragraph %zu is not trimmed", i + 1);
        if (strstr(p, "\n\n"))
            fuzz_fail("paragraph %zu holds a blank line", i + 1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in;
    fuzz_input_init(&in, NAME, data, size);
    pi_input_options o;
    memset(&o, 0, sizeof o);
    o.format = PRESSINDEX_FORMAT_TEXT;
    o.on_release = on_release;
    o.on_problem = fuzz_check_problem;
    o.problem_user = &in;
    pi_input_stats st;
    if (pi_input_read_buffer((const char *)data, size, NAME, &o, &st) != 0)
        fuzz_fail("pi_input_read_buffer stopped on its own");
    if (st.releases + st.skipped != 1)
        fuzz_fail("one text file gave %llu releases and %llu skipped",
                  (unsigned long long)st.releases, (unsigned long long)st.skipped);
    if (st.problems < st.skipped)
        fuzz_fail("skipped without a problem");
    return 0;
}
