/* printer.h - how the command writes search results: one interface, one implementation per format
 * (text for people, JSON Lines, CSV), after notmuch's sprinter. The commands say *what* to write
 * (a query's results, one by one, and what is known of the query); a printer says *how*. Another
 * format (an HTTP API's) is one more printer; cli_result_json() is the one JSON shape of a result.
 *
 * Calls, in order: begin; then for each search query_begin, result for each result shown,
 * query_end; then end. Printers write to their FILE and never check it: the command's output is
 * checked as a whole (cli_output_close) and a batch stops at the first failed write (ferror). */
#ifndef PI_CLI_PRINTER_H
#define PI_CLI_PRINTER_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "pressindex.h"

typedef enum cli_format { CLI_FORMAT_TEXT, CLI_FORMAT_JSON, CLI_FORMAT_CSV } cli_format;

/* What is known of one query of a batch (a single search has none: NULL). */
typedef struct cli_query_info {
    unsigned long line; /* its line in the batch file, from 1 */
    const char *query;  /* as written on that line */
    uint64_t passages;  /* matching passages (as search lists them: collapse as asked) */
    uint64_t releases;  /* releases holding them */
    int exact;          /* 1: both counts exact; 0: estimates (cmd_search.c says how) */
} cli_query_info;

typedef struct cli_printer cli_printer;

typedef struct cli_printer_ops {
    void (*begin)(cli_printer *p);                                          /* CSV: the header */
    void (*query_begin)(cli_printer *p, const cli_query_info *q);           /* q NULL: one search */
    void (*result)(cli_printer *p, const pressindex_results *res, size_t i);
    void (*query_end)(cli_printer *p, const cli_query_info *q, const pressindex_results *res);
    void (*end)(cli_printer *p);
} cli_printer_ops;

/* How the results were asked for, as far as their writing depends on it. */
typedef struct cli_printer_config {
    int batch;        /* the batch layout: each query's line, text and counts with its results */
    size_t context;   /* paragraphs of context the search fetched (pressindex_result_context) */
    int full;         /* text: whole paragraphs, not a window around the matches */
    int by_release;   /* text: a result's "collapsed" counts its release's other passages */
} cli_printer_config;

struct cli_printer {
    const cli_printer_ops *ops;
    FILE *out;
    cli_printer_config cfg;
    int colour;       /* text: bold highlights (a terminal, NO_COLOR unset) */
    const cli_query_info *query; /* the current query (NULL: one search) */
    size_t shown;     /* results written for the current query */
    json_t *pending;  /* JSON batch: the current query's object, written at query_end */
};

/* Sets p up for fmt on out. */
void cli_printer_init(cli_printer *p, cli_format fmt, FILE *out, const cli_printer_config *cfg);
/* Frees what the printer holds (it writes nothing). */
void cli_printer_fini(cli_printer *p);
/* One result as a CSV record's columns rank .. text (the `--csv` header's), ended: for writers
 * that put their own columns first (watch run). */
void cli_csv_result(FILE *f, const pressindex_results *res, size_t i);

/* query_begin, result for each of the first max results of res, query_end. */
void cli_print_results(cli_printer *p, const cli_query_info *q, const pressindex_results *res,
                       size_t max);

/* Result i as the JSON object search --json prints: rank, score, release, paragraph, date, title,
 * source, url, lang, text, highlights, collapsed, and with context > 0 before and after. NULL when
 * out of memory. */
json_t *cli_result_json(const pressindex_results *res, size_t i, size_t context);

/* A release (pressindex_get_release's results) as the JSON object show --json prints: id, date,
 * title, source, url, lang, paragraphs [{paragraph, text}]. NULL when out of memory. */
json_t *cli_release_json(const pressindex_results *res);

/* What the index holds as the JSON object stats --json prints: releases, passages, date_min,
 * date_max, sources [{source, passages}], unsourced_passages. *out NULL when the status is not
 * PRESSINDEX_OK (pressindex_last_error(idx) says why) or memory ran out. */
pressindex_status cli_stats_json(pressindex *idx, json_t **out);

/* The window of at most window bytes of text (len bytes) around its first match (offs[0]), cut at
 * spaces: [*from, *to). window 0 or a shorter text: the whole text. Long paragraphs are shown so
 * on a terminal and on the search page. */
void cli_snippet_window(const char *text, size_t len, const size_t *offs, size_t n, size_t window,
                        size_t *from, size_t *to);

/* The implementations (print_text.c, print_json.c, print_csv.c). */
extern const cli_printer_ops cli_text_printer, cli_json_printer, cli_csv_printer;

#endif
