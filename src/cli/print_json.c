/* print_json.c - JSON Lines: one object per result (a search), or one object per query with its
 * results inside (a batch: line, query, passages, releases, exact, results). */
#include "config.h"

#include <stdlib.h>

#include "printer.h"

static void put_line(FILE *f, json_t *o)
{
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (s) {
        fputs(s, f);
        putc('\n', f);
    }
    free(s);
}

static void begin(cli_printer *p)
{
    (void)p;
}

static void query_begin(cli_printer *p, const cli_query_info *q)
{
    if (!p->cfg.batch || !q)
        return;
    json_decref(p->pending);
    p->pending = json_pack("{sI ss sI sI sb s[]}", "line", (json_int_t)q->line, "query", q->query,
                           "passages", (json_int_t)q->passages, "releases", (json_int_t)q->releases,
                           "exact", q->exact, "results");
}

static void result(cli_printer *p, const pressindex_results *res, size_t i)
{
    json_t *o = cli_result_json(res, i, p->cfg.context);
    if (p->cfg.batch) /* inside the query's object (none when out of memory: nothing) */
        json_array_append_new(json_object_get(p->pending, "results"), o);
    else {
        put_line(p->out, o);
        json_decref(o);
    }
}

static void query_end(cli_printer *p, const cli_query_info *q, const pressindex_results *res)
{
    (void)q;
    (void)res;
    if (p->pending) {
        put_line(p->out, p->pending);
        json_decref(p->pending);
        p->pending = NULL;
    }
}

static void end(cli_printer *p)
{
    (void)p;
}

const cli_printer_ops cli_json_printer = {begin, query_begin, result, query_end, end};
