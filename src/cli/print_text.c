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

/* Writes text[0..len) with its highlights (offsets into it), each of the text's own line breaks
 * followed by indent so that a paragraph of several lines stays under its result. */
static void put_text(FILE *f, const char *text, size_t len, const size_t *offs, size_t n, int colour,
                     const char *indent)
{
    size_t at = 0, h = 0;
    int bold = 0;
    while (at < len) {
        /* Highlights are sorted and do not overlap; a broken one is skipped, as in output.c. */
        while (!bold && h < n && (offs[2 * h] < at || offs[2 * h + 1] > len || offs[2 * h] > offs[2 * h + 1]))
            h++;
        if (!bold && h < n && offs[2 * h] == at && offs[2 * h + 1] > at) {
            if (colour)
                fputs("\033[1m", f);
            bold = 1;
        }
        if (bold && at == offs[2 * h + 1]) {
            if (colour)
                fputs("\033[0m", f);
            bold = 0;
            h++;
            continue;
        }
        char c = text[at++];
        if (c == '\r' && at < len && text[at] == '\n')
            continue; /* CRLF: one line break */
        if (c == '\n' || c == '\r') {
            if (bold && colour)
                fputs("\033[0m", f); /* no bold indent */
            putc('\n', f);
            fputs(indent, f);
            if (bold && colour)
                fputs("\033[1m", f);
            continue;
        }
        putc(c, f);
    }
    if (bold && colour)
        fputs("\033[0m", f);
}

/* Writes text, or the window of at most window bytes around its first match, with its matches;
 * its line breaks are followed by indent. */
static void print_window(FILE *f, const char *text, const size_t *offs, size_t n, int colour,
                         size_t window, const char *indent)
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
    put_text(f, text + from, to - from, shifted, shifted ? m : 0, colour, indent);
    free(shifted);
    if (to < len)
        fputs(" …", f);
}

/* ---- one search */

/* A result is a block: rank, date, source and score first (they fit any terminal), then the
 * title, the release's id and paragraph (ids can be long paths: on a line of their own, whole, to
 * copy into `pressindex show`), its URL, and the text, each indented under the rank. */
#define TEXT_INDENT "   "

static void context_line(FILE *f, const pressindex_results *res, size_t i, long d)
{
    unsigned pno;
    const char *t = pressindex_result_context(res, i, d, &pno);
    if (!t)
        return;
    fprintf(f, TEXT_INDENT "[#%u] ", pno);
    put_text(f, t, strlen(t), NULL, 0, 0, TEXT_INDENT "     ");
    putc('\n', f);
}

static void search_result(cli_printer *p, const pressindex_results *res, size_t i)
{
    FILE *f = p->out;
    int colour = p->colour;
    size_t context = p->cfg.context;
    const char *date = pressindex_result_date(res, i);
    const char *source = pressindex_result_source(res, i);
    const char *title = pressindex_result_title(res, i);
    const char *url = pressindex_result_url(res, i);
    fprintf(f, "%s%zu.%s %s", colour ? "\033[1m" : "", pressindex_result_rank(res, i),
            colour ? "\033[0m" : "", *date ? date : "(undated)");
    if (*source)
        fprintf(f, "  %s", source);
    fprintf(f, "  score %.3f", pressindex_result_score(res, i));
    /* By release, what collapsed are the release's other matching paragraphs. */
    if (pressindex_result_collapsed(res, i))
        fprintf(f, p->cfg.by_release ? "  (+%llu more in this release)" : "  (+%llu identical)",
                (unsigned long long)pressindex_result_collapsed(res, i));
    putc('\n', f);
    if (*title) {
        fputs(TEXT_INDENT, f);
        put_text(f, title, strlen(title), NULL, 0, 0, TEXT_INDENT);
        putc('\n', f);
    }
    fprintf(f, TEXT_INDENT "%s #%u\n", pressindex_result_release(res, i), pressindex_result_paragraph(res, i));
    if (*url)
        fprintf(f, TEXT_INDENT "%s\n", url);
    for (long d = -(long)context; d < 0; d++)
        context_line(f, res, i, d);
    const size_t *offs;
    size_t n;
    pressindex_result_highlights(res, i, &offs, &n);
    fputs(context ? TEXT_INDENT ">> " : TEXT_INDENT, f);
    print_window(f, pressindex_result_text(res, i), offs, n, colour,
                 p->cfg.full || context ? 0 : SNIPPET_BYTES, context ? TEXT_INDENT "   " : TEXT_INDENT);
    putc('\n', f);
    for (long d = 1; d <= (long)context; d++)
        context_line(f, res, i, d);
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
    print_window(f, flat ? flat : text, offs, n, p->colour, BATCH_SNIPPET_BYTES, "");
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
