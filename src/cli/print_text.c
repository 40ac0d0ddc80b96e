/* print_text.c - results for people: a search's ranked paragraphs with their metadata, matches in
 * bold on a terminal, and the footer; a batch as a table, one row per query (line, counts, query)
 * with its best passages under it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "printer.h"

/* Long paragraphs are shown as a window around their first matches, cut at word boundaries. */
#define SNIPPET_BYTES 480
/* In a batch's table, shorter: a glance at why the passage matched. */
#define BATCH_SNIPPET_BYTES 200

/* Writes text, or the window of at most window bytes around its first match, with its matches. */
static void print_window(FILE *f, const char *text, const size_t *offs, size_t n, int colour,
                         size_t window)
{
    size_t len = strlen(text), from, to;
    cli_snippet_window(text, len, offs, n, window, &from, &to);
    if (from)
        fputs("… ", f);
    /* Highlights are offsets into the whole text: shift them into the window. */
    size_t *shifted = malloc((n ? n : 1) * 2 * sizeof *shifted), m = 0;
    for (size_t k = 0; shifted && k < n; k++)
        if (offs[2 * k] >= from && offs[2 * k + 1] <= to) {
            shifted[2 * m] = offs[2 * k] - from;
            shifted[2 * m + 1] = offs[2 * k + 1] - from;
            m++;
        }
    cli_print_highlighted(f, text + from, to - from, shifted, shifted ? m : 0, colour);
    free(shifted);
    if (to < len)
        fputs(" …", f);
}

/* ---- one search */

static void search_result(cli_printer *p, const pressindex_results *res, size_t i)
{
    FILE *f = p->out;
    int colour = p->colour;
    size_t context = p->cfg.context;
    const char *date = pressindex_result_date(res, i);
    const char *source = pressindex_result_source(res, i);
    const char *title = pressindex_result_title(res, i);
    fprintf(f, "%s%zu.%s %s  %s #%u  score %.3f", colour ? "\033[1m" : "", pressindex_result_rank(res, i),
            colour ? "\033[0m" : "", *date ? date : "(undated)", pressindex_result_release(res, i),
            pressindex_result_paragraph(res, i), pressindex_result_score(res, i));
    if (*source)
        fprintf(f, "  %s", source);
    /* By release, what collapsed are the release's other matching paragraphs. */
    if (pressindex_result_collapsed(res, i))
        fprintf(f, p->cfg.by_release ? "  (+%llu more in this release)" : "  (+%llu identical)",
                (unsigned long long)pressindex_result_collapsed(res, i));
    putc('\n', f);
    if (*title)
        fprintf(f, "   %s\n", title);
    for (long d = -(long)context; d < 0; d++) {
        unsigned pno;
        const char *t = pressindex_result_context(res, i, d, &pno);
        if (t)
            fprintf(f, "   [#%u] %s\n", pno, t);
    }
    const size_t *offs;
    size_t n;
    pressindex_result_highlights(res, i, &offs, &n);
    fputs(context ? "   >> " : "   ", f);
    print_window(f, pressindex_result_text(res, i), offs, n, colour,
                 p->cfg.full || context ? 0 : SNIPPET_BYTES);
    putc('\n', f);
    for (long d = 1; d <= (long)context; d++) {
        unsigned pno;
        const char *t = pressindex_result_context(res, i, d, &pno);
        if (t)
            fprintf(f, "   [#%u] %s\n", pno, t);
    }
    putc('\n', f);
}

/* ---- a batch: the table */

/* A count, "~" before an estimate. */
static void count_cell(char *buf, size_t size, uint64_t n, int exact)
{
    snprintf(buf, size, "%s%llu", exact ? "" : "~", (unsigned long long)n);
}

static void batch_header(cli_printer *p)
{
    fprintf(p->out, "%6s  %9s  %9s  %s\n", "LINE", "PASSAGES", "RELEASES", "QUERY");
}

static void batch_query(cli_printer *p, const cli_query_info *q)
{
    char pass[32], rel[32];
    count_cell(pass, sizeof pass, q->passages, q->exact);
    count_cell(rel, sizeof rel, q->releases, q->exact);
    fprintf(p->out, "%6lu  %9s  %9s  %s\n", q->line, pass, rel, q->query);
}

/* Under the query column: rank, date, release and paragraph, source; then the title and a window
 * of the text on one line each (a paragraph's own line breaks would break the table). */
#define INDENT "                              "

static void print_one_line(FILE *f, const char *s)
{
    for (; *s; s++)
        putc(*s == '\n' || *s == '\r' || *s == '\t' ? ' ' : *s, f);
}

static void batch_result(cli_printer *p, const pressindex_results *res, size_t i)
{
    FILE *f = p->out;
    const char *date = pressindex_result_date(res, i);
    const char *source = pressindex_result_source(res, i);
    const char *title = pressindex_result_title(res, i);
    fprintf(f, INDENT "%zu. %s  %s #%u", pressindex_result_rank(res, i), *date ? date : "(undated)",
            pressindex_result_release(res, i), pressindex_result_paragraph(res, i));
    if (*source)
        fprintf(f, "  %s", source);
    putc('\n', f);
    if (*title) {
        fputs(INDENT "   ", f);
        print_one_line(f, title);
        putc('\n', f);
    }
    const char *text = pressindex_result_text(res, i);
    const size_t *offs;
    size_t n;
    pressindex_result_highlights(res, i, &offs, &n);
    /* The window printed through a one-line filter would split highlights: copy, then flatten. */
    char *flat = strdup(text);
    if (flat)
        for (char *c = flat; *c; c++)
            if (*c == '\n' || *c == '\r' || *c == '\t')
                *c = ' ';
    fputs(INDENT "   ", f);
    print_window(f, flat ? flat : text, offs, n, p->colour, BATCH_SNIPPET_BYTES);
    putc('\n', f);
    free(flat);
}

/* ---- the printer */

static void begin(cli_printer *p)
{
    if (p->cfg.batch)
        batch_header(p);
}

static void query_begin(cli_printer *p, const cli_query_info *q)
{
    if (p->cfg.batch && q)
        batch_query(p, q);
}

static void result(cli_printer *p, const pressindex_results *res, size_t i)
{
    if (p->cfg.batch)
        batch_result(p, res, i);
    else
        search_result(p, res, i);
}

static void query_end(cli_printer *p, const cli_query_info *q, const pressindex_results *res)
{
    (void)q;
    if (p->cfg.batch) {
        if (p->shown)
            putc('\n', p->out);
        return;
    }
    if (!p->shown)
        return; /* "nothing found" is the command's, on stderr */
    int exact = 0;
    unsigned long long total = pressindex_results_total(res, &exact);
    fprintf(p->out, "%s%llu matching paragraph%s\n", exact ? "" : "about ", total, total == 1 ? "" : "s");
}

static void end(cli_printer *p)
{
    (void)p;
}

const cli_printer_ops cli_text_printer = {begin, query_begin, result, query_end, end};
