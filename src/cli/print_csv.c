/* print_csv.c - CSV (RFC 4180, csv.c): a header row, then one row per passage. A batch's rows start
 * with the query's line, text and counts, and a query without results still has its row (the
 * passage's columns empty), so that every line of the batch file is accounted for. */
#include "config.h"

#include "csv.h"
#include "printer.h"

static const char batch_columns[] = "line,query,passages,releases,exact,";
static const char result_columns[] = "rank,score,date,source,title,url,release,paragraph,text";
#define RESULT_COLUMNS 9

static void begin(cli_printer *p)
{
    if (p->cfg.batch)
        fputs(batch_columns, p->out);
    fputs(result_columns, p->out);
    csv_end_record(p->out);
}

static void query_begin(cli_printer *p, const cli_query_info *q)
{
    (void)p;
    (void)q;
}

/* A batch row's leading columns, the comma after them included. */
static void query_columns(cli_printer *p, const cli_query_info *q)
{
    fprintf(p->out, "%lu", q->line);
    csv_string(p->out, q->query, 0);
    fprintf(p->out, ",%llu,%llu,%s,", (unsigned long long)q->passages,
            (unsigned long long)q->releases, q->exact ? "true" : "false");
}

static void result(cli_printer *p, const pressindex_results *res, size_t i)
{
    FILE *f = p->out;
    if (p->cfg.batch && p->query)
        query_columns(p, p->query);
    cli_csv_result(f, res, i);
}

void cli_csv_result(FILE *f, const pressindex_results *res, size_t i)
{
    /* The score as the terminal shows it: enough to sort by, the same on every platform. */
    fprintf(f, "%zu,%.3f", pressindex_result_rank(res, i), pressindex_result_score(res, i));
    csv_string(f, pressindex_result_date(res, i), 0);
    csv_string(f, pressindex_result_source(res, i), 0);
    csv_string(f, pressindex_result_title(res, i), 0);
    csv_string(f, pressindex_result_url(res, i), 0);
    csv_string(f, pressindex_result_release(res, i), 0);
    fprintf(f, ",%u", pressindex_result_paragraph(res, i));
    csv_string(f, pressindex_result_text(res, i), 0);
    csv_end_record(f);
}

static void query_end(cli_printer *p, const cli_query_info *q, const pressindex_results *res)
{
    (void)res;
    if (p->cfg.batch && q && !p->shown) {
        query_columns(p, q);
        for (int k = 1; k < RESULT_COLUMNS; k++)
            putc(',', p->out); /* the passage's columns, empty */
        csv_end_record(p->out);
    }
}

static void end(cli_printer *p)
{
    (void)p;
}

const cli_printer_ops cli_csv_printer = {begin, query_begin, result, query_end, end};
