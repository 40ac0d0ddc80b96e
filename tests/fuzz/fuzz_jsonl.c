/*
 * fuzz_jsonl.c - the JSON Lines format (parse_jsonl.c), given a whole file's bytes. Each line
 * yields at most one release, in order, and whatever it yields holds fuzz_check_release's
 * promises; a line is skipped, kept or ignored (blank), never more than one of them.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "input.h"

#define NAME "fuzz.jsonl"

typedef struct state {
    fuzz_input in;
    unsigned long last_line;
} state;

static int on_release(void *ctx, const pressindex_release *r, const char *file, unsigned long line)
{
    state *s = ctx;
    if (strcmp(file, NAME) != 0)
        fuzz_fail("release from the file \"%s\"", file);
    if (line == 0 || line > s->in.lines || line <= s->last_line)
        fuzz_fail("release at line %lu after line %lu, of %lu", line, s->last_line, s->in.lines);
    s->last_line = line;
    fuzz_check_release(r);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    state s;
    memset(&s, 0, sizeof s);
    fuzz_input_init(&s.in, NAME, data, size);
    pi_input_options o;
    memset(&o, 0, sizeof o);
    o.format = PRESSINDEX_FORMAT_JSONL;
    o.on_release = on_release;
    o.ctx = &s;
    o.on_problem = fuzz_check_problem;
    o.problem_user = &s.in;
    pi_input_stats st;
    if (pi_input_read_buffer((const char *)data, size, NAME, &o, &st) != 0)
        fuzz_fail("pi_input_read_buffer stopped on its own");
    if (st.releases + st.skipped > s.in.lines)
        fuzz_fail("%lu lines gave %llu releases and %llu skipped", s.in.lines,
                  (unsigned long long)st.releases, (unsigned long long)st.skipped);
    if (st.problems < st.skipped)
        fuzz_fail("skipped without a problem");
    return 0;
}
