/* printer.c - the output printer's common part: choosing one, and the JSON shape of a result. */
#include "config.h"

#include <string.h>

#include "cli.h"
#include "printer.h"

void cli_printer_init(cli_printer *p, cli_format fmt, FILE *out, const cli_printer_config *cfg)
{
    memset(p, 0, sizeof *p);
    p->ops = fmt == CLI_FORMAT_JSON ? &cli_json_printer : fmt == CLI_FORMAT_CSV ? &cli_csv_printer
                                                                                : &cli_text_printer;
    p->out = out;
    p->cfg = *cfg;
    p->colour = fmt == CLI_FORMAT_TEXT && cli_use_colour(out);
}

void cli_printer_fini(cli_printer *p)
{
    json_decref(p->pending);
    p->pending = NULL;
}

void cli_print_results(cli_printer *p, const cli_query_info *q, const pressindex_results *res,
                       size_t max)
{
    size_t n = pressindex_results_count(res);
    p->shown = 0;
    p->query = q;
    p->ops->query_begin(p, q);
    for (size_t i = 0; i < n && i < max; i++) {
        p->ops->result(p, res, i);
        p->shown++;
    }
    p->ops->query_end(p, q, res);
    p->query = NULL;
}

json_t *cli_result_json(const pressindex_results *res, size_t i, size_t context)
{
    const size_t *offs;
    size_t n;
    pressindex_result_highlights(res, i, &offs, &n);
    json_t *hl = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(hl, json_pack("[II]", (json_int_t)offs[2 * k], (json_int_t)offs[2 * k + 1]));
    const char *date = pressindex_result_date(res, i);
    const char *url = pressindex_result_url(res, i);
    json_t *o = json_pack("{sI sf ss sI so ss ss so ss ss so sI}",
                          "rank", (json_int_t)pressindex_result_rank(res, i),
                          "score", pressindex_result_score(res, i),
                          "release", pressindex_result_release(res, i),
                          "paragraph", (json_int_t)pressindex_result_paragraph(res, i),
                          "date", *date ? json_string(date) : json_null(),
                          "title", pressindex_result_title(res, i),
                          "source", pressindex_result_source(res, i),
                          "url", *url ? json_string(url) : json_null(),
                          "lang", pressindex_result_lang(res, i),
                          "text", pressindex_result_text(res, i),
                          "highlights", hl,
                          "collapsed", (json_int_t)pressindex_result_collapsed(res, i));
    if (o && context) {
        json_t *before = json_array(), *after = json_array();
        for (long d = -(long)context; d <= (long)context; d++) {
            unsigned p;
            const char *t = d ? pressindex_result_context(res, i, d, &p) : NULL;
            if (t)
                json_array_append_new(d < 0 ? before : after, json_pack("{sI ss}", "paragraph", (json_int_t)p, "text", t));
        }
        json_object_set_new(o, "before", before);
        json_object_set_new(o, "after", after);
    }
    return o;
}
