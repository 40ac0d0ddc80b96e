/* csv.c - RFC 4180 fields and records (csv.h). */
#include "config.h"

#include <string.h>

#include "csv.h"

int csv_needs_quotes(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '"' || s[i] == ',' || s[i] == '\r' || s[i] == '\n')
            return 1;
    return 0;
}

void csv_field(FILE *f, const char *s, size_t n, int first)
{
    if (!first)
        putc(',', f);
    if (!csv_needs_quotes(s, n)) {
        fwrite(s, 1, n, f);
        return;
    }
    putc('"', f);
    /* Runs between quotes in one write each; every '"' doubled. A paragraph's own line breaks
     * stay as they are (inside quotes, RFC 4180 2.6): the text reads back byte for byte. */
    size_t at = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '"') {
            fwrite(s + at, 1, i + 1 - at, f);
            putc('"', f);
            at = i + 1;
        }
    fwrite(s + at, 1, n - at, f);
    putc('"', f);
}

void csv_string(FILE *f, const char *s, int first)
{
    csv_field(f, s ? s : "", s ? strlen(s) : 0, first);
}

void csv_end_record(FILE *f)
{
    fputs("\r\n", f);
}
