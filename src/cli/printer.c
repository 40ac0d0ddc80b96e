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

json_t *cli_release_json(const pressindex_results *res)
{
    const char *date = pressindex_result_date(res, 0), *url = pressindex_result_url(res, 0);
    json_t *paras = json_array();
    for (size_t i = 0; i < pressindex_results_count(res); i++)
        json_array_append_new(paras, json_pack("{sI ss}", "paragraph",
                                               (json_int_t)pressindex_result_paragraph(res, i),
                                               "text", pressindex_result_text(res, i)));
    return json_pack("{ss so ss ss so ss so}", "id", pressindex_result_release(res, 0),
                     "date", *date ? json_string(date) : json_null(),
                     "title", pressindex_result_title(res, 0),
                     "source", pressindex_result_source(res, 0),
                     "url", *url ? json_string(url) : json_null(),
                     "lang", pressindex_result_lang(res, 0), "paragraphs", paras);
}

static void add_source(void *user, const char *source, uint64_t passages)
{
    json_array_append_new((json_t *)user, json_pack("{ss sI}", "source", source, "passages", (json_int_t)passages));
}

pressindex_status cli_stats_json(pressindex *idx, json_t **out)
{
    *out = NULL;
    pressindex_stats st;
    pressindex_status s = pressindex_get_stats(idx, &st);
    if (s != PRESSINDEX_OK)
        return s;
    json_t *sources = json_array();
    if ((s = pressindex_get_sources(idx, add_source, sources)) != PRESSINDEX_OK) {
        json_decref(sources);
        return s;
    }
    /* Passages of releases with no source: the named sources' counts would otherwise not add up. */
    uint64_t named = 0;
    size_t i;
    json_t *v;
    json_array_foreach(sources, i, v)
        named += (uint64_t)json_integer_value(json_object_get(v, "passages"));
    *out = json_pack("{sI sI so so so sI}", "releases", (json_int_t)st.releases,
                     "passages", (json_int_t)st.passages,
                     "date_min", st.date_min[0] ? json_string(st.date_min) : json_null(),
                     "date_max", st.date_max[0] ? json_string(st.date_max) : json_null(),
                     "sources", sources,
                     "unsourced_passages", (json_int_t)(st.passages > named ? st.passages - named : 0));
    return PRESSINDEX_OK;
}

void cli_snippet_window(const char *text, size_t len, const size_t *offs, size_t n, size_t window,
                        size_t *from, size_t *to)
{
    *from = 0;
    *to = len;
    if (!window || len <= window)
        return;
    size_t centre = n ? offs[0] : 0;
    *from = centre > window / 3 ? centre - window / 3 : 0;
    *to = *from + window < len ? *from + window : len;
    while (*from > 0 && text[*from - 1] != ' ')
        (*from)++; /* forward to a word start (never splits a UTF-8 sequence: ' ' is ASCII) */
    while (*to < len && text[*to] != ' ')
        (*to)++;
}
