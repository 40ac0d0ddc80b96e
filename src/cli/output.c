/* output.c - terminal presentation: colour only on a terminal, highlights in bold. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_use_colour(FILE *f)
{
    const char *no = getenv("NO_COLOR"); /* https://no-color.org */
    if (no && *no)
        return 0;
    const char *term = getenv("TERM");
    if (term && !strcmp(term, "dumb"))
        return 0;
    return isatty(fileno(f));
}

void cli_print_highlighted(FILE *f, const char *text, size_t len, const size_t *offs, size_t n,
                           int colour)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = offs[2 * i], e = offs[2 * i + 1];
        if (s < at || e > len || s > e)
            continue;
        fwrite(text + at, 1, s - at, f);
        if (colour)
            fputs("\033[1m", f);
        fwrite(text + s, 1, e - s, f);
        if (colour)
            fputs("\033[0m", f);
        at = e;
    }
    fwrite(text + at, 1, len - at, f);
}
