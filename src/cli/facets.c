/* facets.c - what search --facets and --meta add to a search's output: the matching paragraphs by
 * source, year and month as text (with, on a terminal, a bar per month: the mentions over time),
 * and the --meta line of --json ({"meta": {...}}, the last line). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "facets.h"

/* The widest bar of the month chart, in characters. */
#define BAR_WIDTH 50

static void print_counts(FILE *f, const char *title, const pressindex_results *res,
                         pressindex_facet facet, const char *none)
{
    size_t n = pressindex_results_facet_count(res, facet), width = strlen(none);
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(pressindex_results_facet_value(res, facet, i, NULL));
        width = l > width ? l : width;
    }
    fprintf(f, "%s\n", title);
    for (size_t i = 0; i < n; i++) {
        uint64_t c;
        const char *v = pressindex_results_facet_value(res, facet, i, &c);
        fprintf(f, "  %-*s %10llu\n", (int)width, *v ? v : none, (unsigned long long)c);
    }
}

/* Months in time order, each with a bar scaled to the busiest month (undated left out of the
 * chart, counted in its line). Months with no match between two that have some are shown empty:
 * a gap in the coverage is part of the picture. */
static void print_chart(FILE *f, const pressindex_results *res)
{
    size_t n = pressindex_results_facet_count(res, PRESSINDEX_FACET_MONTH);
    uint64_t most = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t c;
        const char *v = pressindex_results_facet_value(res, PRESSINDEX_FACET_MONTH, i, &c);
        if (*v && c > most)
            most = c;
    }
    fputs("Matches by month:\n", f);
    long prev = -1;
    for (size_t i = 0; i < n; i++) {
        uint64_t c;
        const char *v = pressindex_results_facet_value(res, PRESSINDEX_FACET_MONTH, i, &c);
        int vy = 0, vm = 0;
        long k = *v && sscanf(v, "%4d-%2d", &vy, &vm) == 2 ? (long)vy * 12 + vm - 1 : -1;
        for (long g = prev + 1; prev >= 0 && k >= 0 && g < k; g++)
            fprintf(f, "  %04ld-%02ld %10d\n", g / 12, g % 12 + 1, 0);
        if (k >= 0)
            prev = k;
        size_t bar = most && *v ? (size_t)((c * BAR_WIDTH + most - 1) / most) : 0;
        fprintf(f, "  %-7s %10llu ", *v ? v : "undated", (unsigned long long)c);
        for (size_t j = 0; j < bar; j++)
            fputs("\u2588", f);
        putc('\n', f);
    }
}

void cli_print_facets_text(FILE *f, const pressindex_results *res, int chart)
{
    int exact = pressindex_results_facets_exact(res);
    fprintf(f, "\nParagraphs by facet%s:\n", exact ? "" : " (estimated from a sample of the matching releases)");
    print_counts(f, "By source:", res, PRESSINDEX_FACET_SOURCE, "(none)");
    print_counts(f, "By year:", res, PRESSINDEX_FACET_YEAR, "undated");
    if (chart)
        print_chart(f, res);
    else
        print_counts(f, "By month:", res, PRESSINDEX_FACET_MONTH, "undated");
}

static json_t *facet_json(const pressindex_results *res, pressindex_facet facet)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < pressindex_results_facet_count(res, facet); i++) {
        uint64_t c;
        const char *v = pressindex_results_facet_value(res, facet, i, &c);
        json_array_append_new(a, json_pack("{ss sI}", "value", v, "count", (json_int_t)c));
    }
    return a;
}

json_t *cli_meta_json(const pressindex_results *res, int facets)
{
    int exact = 0;
    uint64_t total = pressindex_results_total(res, &exact);
    const char *sug = pressindex_results_suggestion(res);
    json_t *m = json_pack("{sI sb so}", "total", (json_int_t)total, "exact", exact, "suggestion",
                          *sug ? json_string(sug) : json_null());
    if (m && facets)
        json_object_set_new(m, "facets",
                            json_pack("{sb so so so}", "exact", pressindex_results_facets_exact(res),
                                      "source", facet_json(res, PRESSINDEX_FACET_SOURCE),
                                      "year", facet_json(res, PRESSINDEX_FACET_YEAR),
                                      "month", facet_json(res, PRESSINDEX_FACET_MONTH)));
    json_t *o = m ? json_pack("{so}", "meta", m) : NULL;
    return o;
}
