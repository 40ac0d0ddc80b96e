/*
 * serve-lib - the library side of bench/serve.sh: the searches pressindex serve's /api/search makes,
 * run by N threads in one process, each with its own read-only handle (as serve's workers have).
 *
 *   serve-lib INDEXDIR QUERIES.txt --threads N --searches M [--warmup W] > LAT.tsv
 *
 * Thread t runs M searches: query (t * M + j) mod Q for j = 0..M-1 (bench/serve_load.py's clients
 * take the same ones), with /api/search's options: limit 10, facets on, the sampled total, a 2 s time limit. A timed
 * search covers pressindex_search() and reading every result's fields and highlights and the
 * facets (what the server turns into JSON). W untimed passes over the queries first (default 1).
 * Prints one line per search: thread TAB microseconds TAB status (0 = ok); on stderr, the wall time.
 * Uses only the public header.
 */
#define _POSIX_C_SOURCE 200809L
#include <pressindex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *index_dir;
static char **queries;
static size_t n_queries, searches, warmup = 1;

typedef struct job {
    size_t t;
    double *lat;
    int *status;
} job;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static volatile size_t sink;

static int one(pressindex *idx, const char *q)
{
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = q;
    so.limit = 10;
    so.facets = 1;
    so.sample_total = 1;
    so.time_limit = 2;
    pressindex_results *res = NULL;
    pressindex_status st = pressindex_search(idx, &so, &res);
    if (st != PRESSINDEX_OK)
        return (int)st;
    int exact;
    sink += pressindex_results_total(res, &exact);
    for (size_t i = 0; i < pressindex_results_count(res); i++) {
        const size_t *offs;
        size_t n;
        pressindex_result_highlights(res, i, &offs, &n);
        sink += strlen(pressindex_result_text(res, i)) + strlen(pressindex_result_release(res, i)) +
                strlen(pressindex_result_title(res, i)) + strlen(pressindex_result_date(res, i)) + n;
    }
    for (int f = PRESSINDEX_FACET_SOURCE; f <= PRESSINDEX_FACET_MONTH; f++)
        for (size_t i = 0; i < pressindex_results_facet_count(res, (pressindex_facet)f); i++) {
            uint64_t c;
            sink += strlen(pressindex_results_facet_value(res, (pressindex_facet)f, i, &c)) + c;
        }
    pressindex_results_destroy(res);
    return 0;
}

static void *run(void *arg)
{
    job *j = arg;
    pressindex *idx = NULL;
    if (pressindex_open(index_dir, NULL, &idx) != PRESSINDEX_OK) {
        fprintf(stderr, "serve-lib: %s\n", pressindex_open_error());
        exit(1);
    }
    for (size_t w = 0; w < warmup; w++)
        for (size_t k = 0; k < n_queries; k++)
            one(idx, queries[(j->t + k) % n_queries]);
    for (size_t s = 0; s < searches; s++) {
        double t0 = now_us();
        j->status[s] = one(idx, queries[(j->t * searches + s) % n_queries]);
        j->lat[s] = now_us() - t0;
    }
    pressindex_destroy(idx);
    return NULL;
}

int main(int argc, char **argv)
{
    size_t threads = 8;
    searches = 50;
    if (argc < 3) {
        fprintf(stderr, "usage: serve-lib INDEXDIR QUERIES.txt --threads N --searches M [--warmup W]\n");
        return 64;
    }
    index_dir = argv[1];
    for (int i = 3; i + 1 < argc; i += 2) {
        size_t v = strtoul(argv[i + 1], NULL, 10);
        if (!strcmp(argv[i], "--threads"))
            threads = v;
        else if (!strcmp(argv[i], "--searches"))
            searches = v;
        else if (!strcmp(argv[i], "--warmup"))
            warmup = v;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 66;
    }
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        queries = realloc(queries, (n_queries + 1) * sizeof *queries);
        queries[n_queries++] = strdup(line);
    }
    fclose(f);
    pthread_t *tid = calloc(threads, sizeof *tid);
    job *jobs = calloc(threads, sizeof *jobs);
    for (size_t t = 0; t < threads; t++) {
        jobs[t].t = t;
        jobs[t].lat = calloc(searches, sizeof(double));
        jobs[t].status = calloc(searches, sizeof(int));
    }
    double t0 = now_us();
    for (size_t t = 0; t < threads; t++)
        pthread_create(&tid[t], NULL, run, &jobs[t]);
    for (size_t t = 0; t < threads; t++)
        pthread_join(tid[t], NULL);
    /* The wall time includes each thread's warm-up: bench/serve.sh takes throughput from the
     * HTTP side only, and latencies from both. */
    fprintf(stderr, "wall_s\t%.3f\n", (now_us() - t0) / 1e6);
    for (size_t t = 0; t < threads; t++)
        for (size_t s = 0; s < searches; s++)
            printf("%zu\t%.0f\t%d\n", t, jobs[t].lat[s], jobs[t].status[s]);
    return 0;
}
