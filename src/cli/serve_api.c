/* serve_api.c - the endpoints of pressindex serve: /api/search, /api/search.csv, /api/release,
 * /api/stats, /api/health, and the page (/, /app.js, /app.css). JSON shapes are the command's
 * (printer.c): a result is search --json's object plus snippet_html, a release is show --json's,
 * the stats are stats --json's; the CSV is search --csv's printer. Every parameter is checked
 * before any work: a bad one is a 400 that says which and why. */
#define _GNU_SOURCE /* open_memstream */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "printer.h"
#include "serve.h"

/* The page, compiled in (src/cli/page/, turned into C strings by src/cli/embed.sh). */
extern const char serve_page_html[], serve_page_js[], serve_page_css[];
extern const size_t serve_page_html_len, serve_page_js_len, serve_page_css_len;

unsigned serve_http_status(pressindex_status st)
{
    switch (st) {
    case PRESSINDEX_OK: return 200;
    case PRESSINDEX_ERR_BAD_QUERY:
    case PRESSINDEX_ERR_LIMIT:
    case PRESSINDEX_ERR_INVALID_ARGUMENT: return 400;
    case PRESSINDEX_ERR_NOT_FOUND: return 404;
    /* The index is there but cannot answer now (a writer's swap, damage an operator must mend,
     * a search past its budget): try again later. */
    case PRESSINDEX_ERR_LOCKED:
    case PRESSINDEX_ERR_CORRUPT:
    case PRESSINDEX_ERR_VERSION:
    case PRESSINDEX_ERR_MODIFIED:
    case PRESSINDEX_ERR_IO:
    case PRESSINDEX_ERR_NO_MEMORY:
    case PRESSINDEX_ERR_TIMEOUT: return 503;
    default: return 500;
    }
}

static void set_body(serve_reply *out, unsigned status, const char *type, char *body, size_t len)
{
    out->status = status;
    out->type = type;
    out->body = body;
    out->len = len;
    out->body_static = 0;
}

/* Out of memory while answering: a fixed reply needs none. */
static void no_memory(serve_reply *out)
{
    static const char msg[] = "{\"error\":{\"status\":503,\"message\":\"out of memory\"}}";
    set_body(out, 503, "application/json", (char *)msg, sizeof msg - 1);
    out->body_static = 1;
}

/* Takes o (NULL: out of memory). */
static void reply_json(serve_reply *out, unsigned status, json_t *o)
{
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!s) {
        no_memory(out);
        return;
    }
    set_body(out, status, "application/json", s, strlen(s));
}

static void error_at(serve_reply *out, unsigned status, const char *message, long position)
{
    char *m = serve_utf8_repair(message, strlen(message));
    json_t *e = m ? json_pack("{sI ss}", "status", (json_int_t)status, "message", m) : NULL;
    free(m);
    if (e && position >= 0)
        json_object_set_new(e, "position", json_integer(position));
    reply_json(out, status, e ? json_pack("{so}", "error", e) : NULL);
}

void serve_error(serve_reply *out, unsigned status, const char *message)
{
    error_at(out, status, message, -1);
}

static void errorf(serve_reply *out, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void errorf(serve_reply *out, unsigned status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    serve_error(out, status, msg);
}

/* A library failure on idx: its message, its status; a malformed query's position. */
static void library_error(serve_reply *out, pressindex *idx, pressindex_status st)
{
    /* A damaged or vanished database may be a replaced one: the next request opens it afresh. */
    int reopen = st == PRESSINDEX_ERR_CORRUPT || st == PRESSINDEX_ERR_IO || st == PRESSINDEX_ERR_VERSION ||
                 st == PRESSINDEX_ERR_NOT_FOUND;
    error_at(out, serve_http_status(st), pressindex_last_error(idx),
             st == PRESSINDEX_ERR_BAD_QUERY ? pressindex_last_error_position(idx) : -1);
    if (reopen && st != PRESSINDEX_ERR_NOT_FOUND)
        serve_worker_reset();
}

static pressindex *worker_index(const serve_config *cfg, serve_reply *out)
{
    pressindex_status st;
    const char *msg;
    pressindex *idx = serve_worker_index(cfg, &st, &msg);
    if (!idx)
        errorf(out, 503, "the index cannot be opened: %s", msg);
    return idx;
}

/* ---- parameters */

typedef enum { P_STR, P_SIZE, P_WEIGHT, P_BOOL, P_SORT } ptype;

typedef struct pspec {
    const char *name;
    ptype type;
    size_t max;          /* P_SIZE: the largest value */
} pspec;

/* The search's parameters: the command's long option names with '_' (DECISIONS round 2). */
static const pspec search_params[] = {
    {"q", P_STR, 0},          {"since", P_STR, 0},       {"until", P_STR, 0},
    {"source", P_STR, 0},     {"lang", P_STR, 0},        {"sort", P_SORT, 0},
    {"limit", P_SIZE, SERVE_MAX_CSV_LIMIT},              {"offset", P_SIZE, SERVE_MAX_OFFSET},
    {"by_release", P_BOOL, 0}, {"collapse", P_BOOL, 0},  {"context", P_SIZE, SERVE_MAX_CONTEXT},
    {"facets", P_BOOL, 0},    {"exact", P_BOOL, 0},
    {"release_weight", P_WEIGHT, 0}, {"adjacency_weight", P_WEIGHT, 0},
    {"title_weight", P_WEIGHT, 0},   {"boilerplate_weight", P_WEIGHT, 0},
    {"neighbour_weight", P_WEIGHT, 0}, {"question_weight", P_WEIGHT, 0},
    {"bm25_k1", P_WEIGHT, 0},        {"bm25_b", P_WEIGHT, 0},
    {"rerank_depth", P_SIZE, SERVE_MAX_RERANK},
};
static const pspec release_params[] = {{"id", P_STR, 0}};

/* Each parameter once, each known, each value a valid UTF-8 string with no NUL, within bounds.
 * Returns 0, or -1 with the 400 reply made. */
static int check_params(const serve_request *rq, const pspec *spec, size_t n_spec, serve_reply *out)
{
    for (size_t i = 0; i < rq->n_params; i++) {
        const serve_param *p = &rq->params[i];
        size_t k;
        for (k = 0; k < n_spec; k++)
            if (strlen(spec[k].name) == p->key_len && !memcmp(spec[k].name, p->key, p->key_len))
                break;
        if (k == n_spec) {
            /* The key is quoted only when it is printable ASCII and short: it may be anything. */
            int printable = p->key_len <= 40;
            for (size_t c = 0; printable && c < p->key_len; c++)
                printable = p->key[c] > 0x20 && p->key[c] < 0x7F;
            if (printable)
                errorf(out, 400, "unknown parameter \"%.*s\" (see pressindex(1), SERVE)", (int)p->key_len, p->key);
            else
                serve_error(out, 400, "unknown parameter (see pressindex(1), SERVE)");
            return -1;
        }
        for (size_t j = 0; j < i; j++)
            if (rq->params[j].key_len == p->key_len && !memcmp(rq->params[j].key, p->key, p->key_len)) {
                errorf(out, 400, "parameter %s given twice", spec[k].name);
                return -1;
            }
        if (!p->value) {
            errorf(out, 400, "parameter %s has no value (%s=...)", spec[k].name, spec[k].name);
            return -1;
        }
        if (p->value_len > SERVE_MAX_VALUE) {
            errorf(out, 400, "parameter %s is %zu bytes long: at most %d", spec[k].name, p->value_len,
                   SERVE_MAX_VALUE);
            return -1;
        }
        /* serve.c decodes %00 as C0 80 (a NUL would end the string unseen) */
        if (memchr(p->value, '\0', p->value_len) || memmem(p->value, p->value_len, "\xC0\x80", 2)) {
            errorf(out, 400, "parameter %s holds a NUL character", spec[k].name);
            return -1;
        }
        if (!serve_utf8_valid(p->value, p->value_len)) {
            errorf(out, 400, "parameter %s is not valid UTF-8 (percent-encode UTF-8 bytes)", spec[k].name);
            return -1;
        }
    }
    return 0;
}

static const char *param(const serve_request *rq, const char *name)
{
    for (size_t i = 0; i < rq->n_params; i++)
        if (strlen(name) == rq->params[i].key_len && !memcmp(name, rq->params[i].key, rq->params[i].key_len))
            return rq->params[i].value; /* NUL-terminated: the server's copy (serve.c) */
    return NULL;
}

static int parse_size(const char *s, size_t max, size_t *out)
{
    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
        return -1;
    unsigned long v = strtoul(s, NULL, 10);
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_bool(const char *s, int *out)
{
    if (!strcmp(s, "1") || !strcmp(s, "true"))
        *out = 1;
    else if (!strcmp(s, "0") || !strcmp(s, "false"))
        *out = 0;
    else
        return -1;
    return 0;
}

/* The search options from the parameters; *facets whether to count them. Returns 0 or -1 (400
 * made). max_limit: the page's or the download's. */
static int search_options(const serve_request *rq, pressindex_search_options *so, int *facets,
                          size_t max_limit, serve_reply *out)
{
    if (check_params(rq, search_params, sizeof search_params / sizeof *search_params, out) < 0)
        return -1;
    pressindex_search_options_init(so);
    *facets = 1;
    so->query = param(rq, "q");
    so->since = param(rq, "since");
    so->until = param(rq, "until");
    so->source = param(rq, "source");
    so->lang = param(rq, "lang");
    if (so->lang && !*so->lang)
        so->lang = NULL;
    if (so->since && !*so->since)
        so->since = NULL; /* an empty form field: no bound */
    if (so->until && !*so->until)
        so->until = NULL;
    for (size_t i = 0; i < rq->n_params; i++) {
        const serve_param *p = &rq->params[i];
        const pspec *s = NULL;
        for (size_t k = 0; k < sizeof search_params / sizeof *search_params; k++)
            if (strlen(search_params[k].name) == p->key_len && !memcmp(search_params[k].name, p->key, p->key_len))
                s = &search_params[k];
        const char *v = p->value;
        if (s->type == P_SIZE) {
            size_t max = !strcmp(s->name, "limit") ? max_limit : s->max, n;
            if (parse_size(v, max, &n) < 0) {
                errorf(out, 400, "parameter %s is a whole number from 0 to %zu, not \"%.40s\"", s->name, max, v);
                return -1;
            }
            if (!strcmp(s->name, "limit"))
                so->limit = n;
            else if (!strcmp(s->name, "offset"))
                so->offset = n;
            else if (!strcmp(s->name, "context"))
                so->context = n;
            else
                so->rerank_depth = n;
        } else if (s->type == P_BOOL) {
            int b;
            if (parse_bool(v, &b) < 0) {
                errorf(out, 400, "parameter %s is 0 or 1 (or false or true), not \"%.40s\"", s->name, v);
                return -1;
            }
            if (!strcmp(s->name, "by_release"))
                so->by_release = b;
            else if (!strcmp(s->name, "collapse"))
                so->collapse = b;
            else if (!strcmp(s->name, "exact"))
                so->exact = b;
            else
                *facets = b;
        } else if (s->type == P_SORT) {
            if (!strcmp(v, "relevance"))
                so->sort = PRESSINDEX_SORT_RELEVANCE;
            else if (!strcmp(v, "date"))
                so->sort = PRESSINDEX_SORT_DATE;
            else {
                errorf(out, 400, "parameter sort is relevance or date, not \"%.40s\"", v);
                return -1;
            }
        } else if (s->type == P_WEIGHT) {
            char *end;
            errno = 0;
            double w = strtod(v, &end);
            int b = !strcmp(s->name, "bm25_b");
            if (!*v || *end || errno || !(w >= 0) || isinf(w) || (b && w > 1)) {
                errorf(out, 400, b ? "parameter %s is a number from 0 to 1, not \"%.40s\""
                                   : "parameter %s is a finite number >= 0, not \"%.40s\"", s->name, v);
                return -1;
            }
            double *to = !strcmp(s->name, "release_weight") ? &so->release_weight
                       : !strcmp(s->name, "adjacency_weight") ? &so->adjacency_weight
                       : !strcmp(s->name, "title_weight") ? &so->title_weight
                       : !strcmp(s->name, "boilerplate_weight") ? &so->boilerplate_weight
                       : !strcmp(s->name, "neighbour_weight") ? &so->neighbour_weight
                       : !strcmp(s->name, "question_weight") ? &so->question_weight
                       : !strcmp(s->name, "bm25_k1") ? &so->bm25_k1 : &so->bm25_b;
            *to = w;
        }
    }
    if (!so->query)
        so->query = "";
    /* As the command says: nothing to search and nothing to filter by is a slip, not "nothing". */
    if (!cli_query_has_word(so->query) && !cli_search_has_filter(so)) {
        serve_error(out, 400, *so->query ? "the query has no word to search (only spaces and punctuation)"
                                         : "no query: give q (or a filter: since, until, source)");
        return -1;
    }
    return 0;
}

static char *snippet(const pressindex_results *res, size_t i)
{
    const char *text = pressindex_result_text(res, i);
    const size_t *offs;
    size_t n, from, to, len = strlen(text);
    pressindex_result_highlights(res, i, &offs, &n);
    cli_snippet_window(text, len, offs, n, SERVE_SNIPPET_BYTES, &from, &to);
    return serve_snippet_html(text, len, from, to, offs, n);
}

/* {"source": [{"value", "count"}], "month": [...], "exact": bool}: what the page's chart draws. */
static json_t *facets_json(const pressindex_results *res)
{
    static const struct {
        const char *name;
        pressindex_facet facet;
    } which[] = {{"source", PRESSINDEX_FACET_SOURCE}, {"month", PRESSINDEX_FACET_MONTH}};
    json_t *f = json_object();
    for (size_t k = 0; f && k < sizeof which / sizeof *which; k++) {
        json_t *a = json_array();
        size_t n = pressindex_results_facet_count(res, which[k].facet);
        for (size_t i = 0; a && i < n; i++) {
            uint64_t count = 0;
            const char *v = pressindex_results_facet_value(res, which[k].facet, i, &count);
            if (v && json_array_append_new(a, json_pack("{ss sI}", "value", v, "count", (json_int_t)count)) < 0) {
                json_decref(a);
                a = NULL;
            }
        }
        if (!a || json_object_set_new(f, which[k].name, a) < 0) {
            json_decref(f);
            f = NULL;
        }
    }
    if (f && json_object_set_new(f, "exact", json_boolean(pressindex_results_facets_exact(res))) < 0) {
        json_decref(f);
        f = NULL;
    }
    return f;
}

static int run_search(const serve_config *cfg, pressindex_search_options *so, serve_reply *out,
                      pressindex **idx_out, pressindex_results **res)
{
    pressindex *idx = worker_index(cfg, out);
    if (!idx)
        return -1;
    so->time_limit = cfg->time_limit;
    pressindex_status st = pressindex_search(idx, so, res);
    if (st != PRESSINDEX_OK) {
        library_error(out, idx, st);
        return -1;
    }
    *idx_out = idx;
    return 0;
}

static void api_search(const serve_config *cfg, const serve_request *rq, serve_reply *out)
{
    pressindex_search_options so;
    int facets;
    if (search_options(rq, &so, &facets, SERVE_MAX_LIMIT, out) < 0)
        return;
    so.facets = facets; /* DECISIONS round 2: on every /api/search unless facets=0 */
    so.sample_total = 1; /* the page shows the total to a reader: the estimate within 10% */
    pressindex *idx;
    pressindex_results *res = NULL;
    if (run_search(cfg, &so, out, &idx, &res) < 0)
        return;
    json_t *results = json_array();
    size_t n = pressindex_results_count(res);
    int oom = !results;
    for (size_t i = 0; !oom && i < n; i++) {
        json_t *r = cli_result_json(res, i, so.context);
        char *html = r ? snippet(res, i) : NULL;
        oom = !html || json_object_set_new(r, "snippet_html", json_string(html)) < 0 ||
              json_array_append_new(results, r) < 0;
        if (!html)
            json_decref(r);
        free(html);
    }
    const char *sugg = pressindex_results_suggestion(res);
    int exact = 0;
    uint64_t total = pressindex_results_total(res, &exact);
    json_t *o = oom ? NULL
                    : json_pack("{ss sI sb so sI sI so}", "query", so.query,
                                "total", (json_int_t)total, "exact", exact,
                                "suggestion", *sugg ? json_string(sugg) : json_null(),
                                "offset", (json_int_t)so.offset, "limit", (json_int_t)so.limit,
                                "results", json_incref(results));
    if (o && facets) {
        json_t *f = facets_json(res);
        if (!f || json_object_set_new(o, "facets", f) < 0) {
            json_decref(o);
            o = NULL;
        }
    }
    json_decref(results);
    pressindex_results_destroy(res);
    reply_json(out, 200, o);
}

static void api_search_csv(const serve_config *cfg, const serve_request *rq, serve_reply *out)
{
    pressindex_search_options so;
    int facets;
    if (search_options(rq, &so, &facets, SERVE_MAX_CSV_LIMIT, out) < 0)
        return;
    pressindex *idx;
    pressindex_results *res = NULL;
    if (run_search(cfg, &so, out, &idx, &res) < 0)
        return;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        pressindex_results_destroy(res);
        no_memory(out);
        return;
    }
    /* The command's CSV printer: the same columns and quoting as search --csv. */
    cli_printer p;
    cli_printer_config pc = {0};
    cli_printer_init(&p, CLI_FORMAT_CSV, f, &pc);
    p.ops->begin(&p);
    cli_print_results(&p, NULL, res, pressindex_results_count(res));
    p.ops->end(&p);
    cli_printer_fini(&p);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        free(buf);
        pressindex_results_destroy(res);
        no_memory(out);
        return;
    }
    pressindex_results_destroy(res);
    set_body(out, 200, "text/csv; charset=utf-8", buf, len);
    out->disposition = "attachment; filename=\"pressindex-search.csv\"";
}

static void api_release(const serve_config *cfg, const serve_request *rq, serve_reply *out)
{
    if (check_params(rq, release_params, 1, out) < 0)
        return;
    const char *id = param(rq, "id");
    if (!id || !*id) {
        serve_error(out, 400, "no release id: give id");
        return;
    }
    pressindex *idx = worker_index(cfg, out);
    if (!idx)
        return;
    pressindex_results *res = NULL;
    pressindex_status st = pressindex_get_release(idx, id, &res);
    if (st != PRESSINDEX_OK) {
        library_error(out, idx, st);
        return;
    }
    json_t *o = cli_release_json(res);
    pressindex_results_destroy(res);
    reply_json(out, 200, o);
}

static void api_stats(const serve_config *cfg, const serve_request *rq, serve_reply *out)
{
    if (check_params(rq, NULL, 0, out) < 0)
        return;
    pressindex *idx = worker_index(cfg, out);
    if (!idx)
        return;
    json_t *o;
    pressindex_status st = cli_stats_json(idx, &o);
    if (st != PRESSINDEX_OK) {
        library_error(out, idx, st);
        return;
    }
    reply_json(out, 200, o);
}

/* Healthy = this worker can read the index now (a load balancer's probe). */
static void api_health(const serve_config *cfg, const serve_request *rq, serve_reply *out)
{
    if (check_params(rq, NULL, 0, out) < 0)
        return;
    pressindex *idx = worker_index(cfg, out);
    if (!idx)
        return;
    pressindex_stats stats;
    pressindex_status st = pressindex_get_stats(idx, &stats);
    if (st != PRESSINDEX_OK) {
        library_error(out, idx, st);
        return;
    }
    reply_json(out, 200, json_pack("{ss ss sI sI}", "status", "ok", "version", pressindex_version(),
                                   "releases", (json_int_t)stats.releases,
                                   "passages", (json_int_t)stats.passages));
}

static void page(serve_reply *out, const char *type, const char *body, size_t len)
{
    set_body(out, 200, type, (char *)body, len);
    out->body_static = 1;
    out->page = 1;
}

void serve_handle(const serve_config *cfg, const serve_request *rq, serve_reply *out)
{
    memset(out, 0, sizeof *out);
    const char *path = rq->path;
    if (!strcmp(path, "/api/search"))
        api_search(cfg, rq, out);
    else if (!strcmp(path, "/api/search.csv"))
        api_search_csv(cfg, rq, out);
    else if (!strcmp(path, "/api/release"))
        api_release(cfg, rq, out);
    else if (!strcmp(path, "/api/stats"))
        api_stats(cfg, rq, out);
    else if (!strcmp(path, "/api/health"))
        api_health(cfg, rq, out);
    else if (!strcmp(path, "/") || !strcmp(path, "/index.html"))
        page(out, "text/html; charset=utf-8", serve_page_html, serve_page_html_len);
    else if (!strcmp(path, "/app.js"))
        page(out, "text/javascript; charset=utf-8", serve_page_js, serve_page_js_len);
    else if (!strcmp(path, "/app.css"))
        page(out, "text/css; charset=utf-8", serve_page_css, serve_page_css_len);
    else
        serve_error(out, 404, "no such page or endpoint (the API: /api/search, /api/search.csv, "
                              "/api/release, /api/stats, /api/health)");
}
