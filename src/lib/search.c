/*
 * search.c - query text + options -> ranked passages: the options checked, the query parsed once
 * into its tree, then compiled, matched, ranked and turned into results (searcher.h says which
 * module does what) against one revision of the index, retried when a commit lands meanwhile.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compile.h"
#include "passage.h"
#include "searcher.h"
#include "store.h"

static void search_defaults(pressindex_search_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->limit = 10;
    o->collapse = 1;
    o->max_query_bytes = PRESSINDEX_DEFAULT_MAX_QUERY_BYTES;
    o->max_query_terms = PRESSINDEX_DEFAULT_MAX_QUERY_TERMS;
    o->max_wildcard_expansion = PRESSINDEX_DEFAULT_MAX_WILDCARD_EXPANSION;
    pi_rank_defaults(o);
}

void pressindex_search_options_init_sized(pressindex_search_options *opts, size_t size)
{
    pressindex_search_options full;
    search_defaults(&full);
    pi_options_give(opts, size, &full, sizeof full);
}

double pi_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

pressindex_status pi_deadline_check(pressindex *idx, double deadline, double limit)
{
    if (deadline > 0 && pi_clock() > deadline)
        return pi_fail(idx, PRESSINDEX_ERR_TIMEOUT,
                       "the search took longer than its time limit (%g s): try a narrower query, "
                       "or again later", limit);
    return PRESSINDEX_OK;
}

pressindex_status pi_search_in_time(pi_search *s)
{
    return pi_deadline_check(s->idx, s->deadline, s->o->time_limit);
}

void pi_search_fini(pi_search *s)
{
    free(s->c);
    for (size_t i = 0; i < s->nrecs; i++)
        pi_record_free(&s->recs[i]);
    free(s->recs);
    pi_matcher_free(&s->m);
    xc_query_free(s->q);
    xc_query_free(s->rq);
    pi_plan_free(s->plan);
    pi_counts_free(&s->counts);
    free(s->head);
    memset(s, 0, sizeof *s);
}

/* The last release sequence number given in this revision (what a saved search stores). */
static pressindex_status index_sequence(pressindex *idx, uint64_t *out)
{
    char *v = NULL;
    xc_status xs = xc_db_get_metadata(idx->db, PI_META_SEQ, &v, NULL);
    *out = xs == XC_OK && v ? strtoull(v, NULL, 16) : 0;
    free(v);
    return xs == XC_OK ? PRESSINDEX_OK : pi_read_fail(idx, xs, "reading the index sequence");
}

/* One attempt against the current revision; PRESSINDEX_ERR_MODIFIED is retried by the caller. */
static pressindex_status run_once(pressindex *idx, const pressindex_search_options *o,
                                  const pi_query *pq, double deadline, pressindex_results *res)
{
    pi_search s = {0};
    pi_store_new_search(idx->store);
    s.idx = idx;
    s.o = o;
    s.pq = pq;
    s.deadline = deadline;
    s.stem = pi_index_stemmer(idx, o->lang);
    pressindex_status st = s.stem ? pi_compile(idx, pq, o, &s.q)
                                  : pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    if (st == PRESSINDEX_OK)
        st = pi_compile_releases(idx, pq, o, &s.rq);
    s.rerank = pi_rank_wanted(o, pq, o->adjacency_weight > 0 && !pq->structured);
    if (st == PRESSINDEX_OK)
        st = index_sequence(idx, &s.sequence);
    if (st == PRESSINDEX_OK)
        st = pi_match(&s);
    if (st == PRESSINDEX_OK)
        st = o->exact || o->facets ? pi_count(&s) : o->sample_total ? pi_estimate(&s) : st;
    if (st == PRESSINDEX_OK)
        st = pi_search_in_time(&s);
    if (st == PRESSINDEX_OK)
        st = pi_rank(&s);
    if (st == PRESSINDEX_OK) {
        /* Passages are found from the top: the page is cut here. */
        size_t first = o->offset < s.n ? o->offset : s.n;
        size_t count = s.n - first < o->limit ? s.n - first : o->limit;
        st = pi_results_fill(&s, first, count, res);
    }
    pi_search_fini(&s);
    return st;
}

/* Checks what the options ask for before any work. */
static pressindex_status check_options(pressindex *idx, const pressindex_search_options *o)
{
    if (o->context > PRESSINDEX_MAX_CONTEXT)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "context of %zu paragraphs: at most %d",
                       o->context, PRESSINDEX_MAX_CONTEXT);
    if (o->limit > PRESSINDEX_MAX_LIMIT || o->offset > PRESSINDEX_MAX_LIMIT)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "limit and offset are at most %d",
                       PRESSINDEX_MAX_LIMIT);
    pressindex_status st = pi_rank_check(idx, o);
    if (st != PRESSINDEX_OK)
        return st;
    if (!(o->time_limit >= 0 && isfinite(o->time_limit)))
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "time_limit is %g: a finite number of "
                       "seconds >= 0 (0: no limit)", o->time_limit);
    if (o->sort != PRESSINDEX_SORT_RELEVANCE && o->sort != PRESSINDEX_SORT_DATE)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT,
                       "pressindex_search_options.sort is %d: not a pressindex_sort", (int)o->sort);
    /* Any ISO 639-1 code: those Xapian cannot stem search unstemmed, as their releases are indexed. */
    if (o->lang && *o->lang && !pi_lang_valid(o->lang))
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT,
                       "unknown language \"%.40s\" (an ISO 639-1 code such as en, tr, ru, zh, or "
                       "\"none\")", o->lang);
    int since_ok = !o->since || pi_date_bound_valid(o->since, strlen(o->since));
    int until_ok = !o->until || pi_date_bound_valid(o->until, strlen(o->until));
    if (!since_ok || !until_ok)
        return pi_fail(idx, PRESSINDEX_ERR_BAD_QUERY, "bad date \"%s\" (use YYYY, YYYY-MM or YYYY-MM-DD)",
                       !since_ok ? o->since : o->until);
    if (o->since && o->until && strncmp(o->since, o->until, 10) > 0 &&
        strncmp(o->until, o->since, strlen(o->until)) != 0)
        return pi_fail(idx, PRESSINDEX_ERR_BAD_QUERY, "the date range ends (%s) before it starts (%s)",
                       o->until, o->since);
    return PRESSINDEX_OK;
}

/* The index's languages other than the query's, by stemmer (releases tagged "tr" and "tr-TR" are
 * one language to a stemmer): the L terms name them. */
static void langs_free(pi_qlang *l, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < l[i].n_codes; k++)
            free(l[i].codes[k]);
        free(l[i].codes);
    }
    free(l);
}

static const char *stemmer_name(const char *code)
{
    const char *name = pi_lang_to_stemmer(code);
    return name ? name : "none";
}

static pressindex_status index_langs(pressindex *idx, const char *query_lang, pi_qlang **out, size_t *nout)
{
    *out = NULL;
    *nout = 0;
    xc_keylist *kl = NULL;
    xc_status xs = xc_db_allterms(idx->db, PI_P_LANG, &kl);
    if (xs != XC_OK)
        return pi_read_fail(idx, xs, "listing the index's languages");
    pi_qlang *l = NULL;
    size_t n = 0;
    const char *t;
    size_t tn;
    int more, failed = 0;
    const char *mine = stemmer_name(query_lang);
    while (!failed && (more = xc_keylist_next(kl, &t, &tn)) > 0) {
        char code[64];
        if (tn <= strlen(PI_P_LANG) || tn - strlen(PI_P_LANG) >= sizeof code)
            continue;
        snprintf(code, sizeof code, "%.*s", (int)(tn - strlen(PI_P_LANG)), t + strlen(PI_P_LANG));
        const char *name = stemmer_name(code);
        if (!strcmp(name, mine))
            continue;
        size_t i = 0;
        while (i < n && strcmp(stemmer_name(l[i].codes[0]), name))
            i++;
        if (i == n) {
            pi_qlang *g = realloc(l, (n + 1) * sizeof *g);
            pi_stemmer *st = g ? pi_index_stemmer(idx, code) : NULL;
            if (g)
                l = g;
            if (!st) {
                failed = 1;
                break;
            }
            l[n++] = (pi_qlang){st, NULL, 0};
        }
        char **codes = realloc(l[i].codes, (l[i].n_codes + 1) * sizeof *codes);
        char *c = codes ? strdup(code) : NULL;
        if (codes)
            l[i].codes = codes;
        if (!c) {
            failed = 1;
            break;
        }
        codes[l[i].n_codes++] = c;
    }
    if (!failed && more < 0)
        xs = xc_last_status();
    xc_keylist_free(kl);
    if (failed || xs != XC_OK) {
        langs_free(l, n);
        return failed ? pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory")
                      : pi_read_fail(idx, xs, "listing the index's languages");
    }
    *out = l;
    *nout = n;
    return PRESSINDEX_OK;
}

pressindex_status pressindex_search(pressindex *idx, const pressindex_search_options *given,
                                    pressindex_results **out)
{
    if (out)
        *out = NULL;
    if (idx)
        idx->err_pos = -1;
    if (!idx || !given || !out)
        return idx ? pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no query given")
                   : PRESSINDEX_ERR_INVALID_ARGUMENT;
    /* From here on, the whole struct as this library knows it. */
    pressindex_search_options full;
    const pressindex_search_options *o = &full;
    search_defaults(&full);
    if (pi_options_take(&full, sizeof full, given) < 0)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT,
                       "options not made by pressindex_search_options_init()");
    if (!o->query)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no query given");
    pressindex_status st = check_options(idx, o);
    if (st != PRESSINDEX_OK)
        return st;
    /* Bounds before any work: a web front end on the library must not be one request from
     * unavailable. */
    size_t bytes = strlen(o->query);
    if (o->max_query_bytes && bytes > o->max_query_bytes)
        return pi_fail(idx, PRESSINDEX_ERR_LIMIT, "the query is %zu bytes long: at most %zu (\"%.80s...\")",
                       bytes, o->max_query_bytes, o->query);
    double deadline = o->time_limit > 0 ? pi_clock() + o->time_limit : 0;
    pi_stemmer *stem = pi_index_stemmer(idx, o->lang);
    if (!stem)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");

    pi_query pq;
    pi_buf err = {0};
    st = pi_query_parse(o->query, stem, &pq, &err);
    if (st != PRESSINDEX_OK) {
        st = st == PRESSINDEX_ERR_BAD_QUERY ? pi_fail(idx, st, "%s", err.p)
                                            : pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        if (st == PRESSINDEX_ERR_BAD_QUERY)
            idx->err_pos = pq.error_at;
        pi_buf_free(&err);
        pi_query_free(&pq);
        return st;
    }
    pi_buf_free(&err);
    if (o->all_words)
        pi_query_require_all(&pq); /* on the words as typed: their other forms follow */
    /* Each release was stemmed in its own language: without --lang, the query's words are also
     * searched as each of the index's other languages stems them (in that language's releases). */
    pi_qlang *langs = NULL;
    size_t n_langs = 0;
    if (!(o->lang && *o->lang) && (st = pi_index_usable(idx)) == PRESSINDEX_OK) {
        /* A writer committing back to back can recycle the revision under the listing, as under
         * the search itself: the same patient retries (one was not enough under valgrind). */
        for (unsigned attempt = 1;; attempt++) {
            st = index_langs(idx, idx->lang, &langs, &n_langs);
            if (st != PRESSINDEX_ERR_MODIFIED)
                break;
            if ((st = pi_retry_pause(idx, attempt, deadline, o->time_limit)) != PRESSINDEX_OK)
                break;
            if ((st = pi_index_refresh(idx)) != PRESSINDEX_OK && st != PRESSINDEX_ERR_MODIFIED)
                break;
        }
    }
    if (st == PRESSINDEX_OK && (st = pi_query_expand(&pq, o->query, stem, langs, n_langs)) != PRESSINDEX_OK)
        st = pi_fail(idx, st, "out of memory");
    if (st != PRESSINDEX_OK) {
        pi_query_free(&pq);
        langs_free(langs, n_langs);
        return st;
    }
    size_t terms = pi_query_terms(&pq);
    if (o->max_query_terms && terms > o->max_query_terms) {
        pi_query_free(&pq);
        langs_free(langs, n_langs);
        return pi_fail(idx, PRESSINDEX_ERR_LIMIT, "the query searches %zu words: at most %zu (\"%.80s%s\")",
                       terms, o->max_query_terms, o->query, bytes > 80 ? "..." : "");
    }

    st = PRESSINDEX_ERR_MODIFIED;
    pressindex_results *res = NULL;
    for (unsigned attempt = 0; st == PRESSINDEX_ERR_MODIFIED; attempt++) {
        /* A reader answers from the latest commit (and follows a compaction's swap); a writer
         * committing meanwhile is caught up with on the next round, after a pause that grows. */
        if (attempt && (st = pi_retry_pause(idx, attempt, deadline, o->time_limit)) != PRESSINDEX_OK)
            break;
        if ((attempt || !idx->writable || idx->broken) && (st = pi_index_refresh(idx)) != PRESSINDEX_OK) {
            if (st == PRESSINDEX_ERR_MODIFIED)
                continue;
            break;
        }
        pressindex_results_destroy(res);
        if (!(res = pi_results_new())) {
            st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
            break;
        }
        st = run_once(idx, o, &pq, deadline, res);
        /* "Did you mean" scans the vocabulary: only within the time left. With results, only for a
         * rare word next to a far more frequent one (spell.c). It reads the same revision as the
         * search: one recycled under it is retried with the search. */
        char *suggestion = NULL;
        if (st == PRESSINDEX_OK && (st = pi_deadline_check(idx, deadline, o->time_limit)) == PRESSINDEX_OK &&
            (st = pi_spell_suggest(idx, o->query, stem, &pq, pressindex_results_estimated(res) >= 3,
                                   &suggestion)) == PRESSINDEX_OK)
            pi_results_set_suggestion(res, suggestion);
    }
    pi_query_free(&pq);
    langs_free(langs, n_langs);
    if (st != PRESSINDEX_OK) {
        pressindex_results_destroy(res);
        return st;
    }
    *out = res;
    return PRESSINDEX_OK;
}
