/* facets.h - search --facets as text, and the --meta line of --json (facets.c). */
#ifndef PI_CLI_FACETS_H
#define PI_CLI_FACETS_H

#include <jansson.h>
#include <stdio.h>

#include "pressindex.h"

/* The facets of res (asked with the facets option) as text: by source, by year, by month; with
 * chart, the months as a bar chart (a terminal). */
void cli_print_facets_text(FILE *f, const pressindex_results *res, int chart);
/* {"meta": {"total": N, "exact": bool, "suggestion": string or null[, "facets": {"exact": bool,
 * "source": [{"value", "count"}...], "year": [...], "month": [...]}]}}; NULL when out of memory. */
json_t *cli_meta_json(const pressindex_results *res, int facets);

#endif
