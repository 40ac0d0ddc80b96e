/*
 * fuzz_date.c - dates: a release's date as press offices write it (date.c's pi_date_parse, and
 * pi_release_date, which the indexer trusts), and a query's date bounds (query.c's
 * pi_date_bound_valid) with the Y/M/D terms the shim builds for a range (xc_query_date_range).
 * The input is one date, or a range "A..B".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "input.h"
#include "query.h"

/* A normalised date parses to itself. */
static void check_normalised(const char *out)
{
    char again[11];
    if (strlen(out) != 10 || !pi_date_bound_valid(out, 10))
        fuzz_fail("pi_date_parse gave \"%s\", not a real YYYY-MM-DD", out);
    if (pi_date_parse(out, 10, again) != 1 || strcmp(again, out) != 0)
        fuzz_fail("\"%s\" does not parse to itself", out);
}

static void check_release_date(const char *data, size_t size, int rc, const char *out)
{
    if (memchr(data, '\0', size))
        return; /* a release's fields are C strings */
    char *s = strndup(data, size), got[11];
    if (!s)
        fuzz_fail("out of memory");
    pressindex_release r;
    memset(&r, 0, sizeof r);
    r.date = s;
    int bad = pi_release_date(&r, got);
    if (rc == 1 ? (bad || strcmp(got, out) != 0) : (got[0] || bad != (size > 0)))
        fuzz_fail("pi_release_date(\"%s\") gave %d \"%s\", pi_date_parse %d \"%s\"", s, bad, got, rc,
                  rc == 1 ? out : "");
    free(s);
}

/* A range of valid, ordered bounds builds; the terms cover it with at most a year per year and
 * the months and days at either end. */
static void check_range(const char *data, size_t size)
{
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < size; i++)
        if (data[i] == '.' && data[i + 1] == '.') {
            dots = data + i;
            break;
        }
    if (!dots || memchr(data, '\0', size))
        return;
    char *lo = strndup(data, (size_t)(dots - data));
    char *hi = strndup(dots + 2, size - (size_t)(dots - data) - 2);
    if (!lo || !hi)
        fuzz_fail("out of memory");
    int lo_ok = !*lo || pi_date_bound_valid(lo, strlen(lo));
    int hi_ok = !*hi || pi_date_bound_valid(hi, strlen(hi));
    size_t common = strlen(lo) < strlen(hi) ? strlen(lo) : strlen(hi);
    int ordered = !*lo || !*hi || strncmp(lo, hi, common) <= 0;
    static const int bounds[][2] = {{1900, 2100}, {2024, 2025}};
    for (size_t b = 0; b < sizeof bounds / sizeof *bounds; b++) {
        xc_query *q = NULL;
        xc_status xs = xc_query_date_range(*lo ? lo : NULL, *hi ? hi : NULL, "Y", "M", "D",
                                           bounds[b][0], bounds[b][1], &q);
        if (lo_ok && hi_ok && ordered && (*lo || *hi) && xs != XC_OK)
            fuzz_fail("valid range \"%s..%s\" refused: %s", lo, hi, xc_last_error());
        if (xs == XC_OK && lo_ok && hi_ok) {
            xc_keylist *kl = NULL;
            if (xc_query_terms(q, 1, &kl) != XC_OK)
                fuzz_fail("terms of a date range: %s", xc_last_error());
            const char *t;
            size_t n, terms = 0;
            while (xc_keylist_next(kl, &t, &n) > 0)
                terms++;
            xc_keylist_free(kl);
            int ylo = *lo ? atoi(lo) : bounds[b][0], yhi = *hi ? atoi(hi) : bounds[b][1];
            size_t most = (ylo <= yhi ? (size_t)(yhi - ylo + 1) : 0) + 2 * 11 + 2 * 30;
            if (terms > most)
                fuzz_fail("range \"%s..%s\" took %zu terms (at most %zu)", lo, hi, terms, most);
        }
        xc_query_free(q);
    }
    free(lo);
    free(hi);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char out[11];
    int rc = pi_date_parse(s, size, out);
    if (rc < -1 || rc > 1)
        fuzz_fail("pi_date_parse returned %d", rc);
    if (rc == 1)
        check_normalised(out);
    check_release_date(s, size, rc, out);
    if (pi_date_bound_valid(s, size) && size == 10) {
        char day[11];
        if (pi_date_parse(s, size, day) != 1 || memcmp(day, s, 10) != 0)
            fuzz_fail("query bound \"%.10s\" is not a release date", s);
    }
    check_range(s, size);
    return 0;
}
