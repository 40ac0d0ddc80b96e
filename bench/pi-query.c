/*
 * pi-query - pressindex's side of the query benchmarks, with the interface of the reference programs
 * in ../shared/peers (xapian-ref, fts5-ref, lucene-ref):
 *
 *   pi-query query INDEXDIR QUERIES.txt [--warmup W] [--reps R] [--lat LAT.tsv] [--top TOP.tsv] [--k N]
 *                  [--release-weight W] [--lat-nocontext LAT2.tsv]
 *   pi-query one INDEXDIR 'QUERY' [--k N]
 *
 * QUERIES.txt: one query a line; empty lines and lines starting with '#' are skipped (query numbers
 * count the kept lines from 1, as the peers do). Every query is passed as-is to pressindex_search()
 * with the default options (limit = k, default 10). W untimed passes (at least 1; the first one
 * writes TOP), then R timed passes. A timed call covers pressindex_search() and reading every result's
 * text, id, paragraph and score, like the peers' parse + match + reading the top documents.
 *
 *   LAT.tsv: query-no TAB pass TAB microseconds
 *   TOP.tsv: query-no TAB rank TAB pid TAB score TAB text head (first 100 characters)
 *            pid = release id '#' 0-based paragraph index, as prep.py's pids.
 *
 * Uses only the public header. Compiled by the bench scripts:
 *   cc -O2 -I include bench/pi-query.c -L src/lib/.libs -lpressindex -Wl,-rpath,src/lib/.libs
 */
#define _POSIX_C_SOURCE 200809L
#include <pressindex.h>

/* --release-weight W: the ranking option issue 8 measures (negative = the library default).
 * --lat-nocontext F: each timed search is followed by the same search without the release's
 * context (release and neighbour weights 0), timed into F: the cost of context ranking, measured
 * interleaved in one process so that machine noise hits both alike. */
static double release_weight = -1;
static int no_context;


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* The first n characters (UTF-8) of s, tabs and newlines made spaces, into buf (size >= 4n + 1). */
static void head(const char *s, size_t n, char *buf)
{
    size_t chars = 0, o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; ++p) {
        if ((*p & 0xC0) != 0x80) {
            if (chars == n) break;
            ++chars;
        }
        buf[o++] = (*p == '\t' || *p == '\n' || *p == '\r') ? ' ' : (char)*p;
    }
    buf[o] = '\0';
}

typedef struct hit {
    const char *release, *text;
    unsigned paragraph;
    double score;
} hit;

/* One search; fills hits (up to k) and returns how many, or -1 on error (message in *err). */
static long run(pressindex *idx, const char *q, size_t k, hit *hits, pressindex_results **res,
                const char **err)
{
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    if (release_weight >= 0)
        so.release_weight = release_weight;
    if (no_context)
        so.release_weight = so.neighbour_weight = 0;
    so.query = q;
    so.limit = k;
    pressindex_status st = pressindex_search(idx, &so, res);
    if (st != PRESSINDEX_OK) {
        *res = NULL;
        *err = pressindex_last_error(idx);
        if (!*err || !**err) *err = pressindex_status_to_string(st);
        return -1;
    }
    size_t n = pressindex_results_count(*res);
    if (n > k) n = k;
    for (size_t i = 0; i < n; ++i) {
        hits[i].text = pressindex_result_text(*res, i);
        hits[i].release = pressindex_result_release(*res, i);
        hits[i].paragraph = pressindex_result_paragraph(*res, i);
        hits[i].score = pressindex_result_score(*res, i);
    }
    return (long)n;
}

static void print_hit(FILE *f, const char *prefix, size_t rank, const hit *h)
{
    char buf[4 * 100 + 1];
    head(h->text, 100, buf);
    fprintf(f, "%s%zu\t%s#%u\t%.6f\t%s\n", prefix, rank, h->release,
            h->paragraph > 0 ? h->paragraph - 1 : 0, h->score, buf);
}

static char **read_queries(const char *path, size_t *nq)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char **qs = NULL, *line = NULL;
    size_t cap = 0, n = 0, lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' || line[len - 1] == ' '))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#') continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nqs = realloc(qs, cap * sizeof *qs);
            if (!nqs) { perror("realloc"); exit(1); }
            qs = nqs;
        }
        qs[n++] = strdup(line);
    }
    free(line);
    fclose(f);
    *nq = n;
    return qs;
}

static int usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s query INDEXDIR QUERIES.txt [--warmup W] [--reps R] [--lat F] [--top F] [--k N]\n"
            "       %s one INDEXDIR 'QUERY' [--k N]\n", argv0, argv0);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 4) return usage(argv[0]);
    const char *mode = argv[1], *dir = argv[2], *arg = argv[3];
    const char *latf = NULL, *topf = NULL, *latnf = NULL;
    int warmup = 1, reps = 5;
    size_t k = 10;
    for (int i = 4; i < argc; ++i) {
        if (!strcmp(argv[i], "--warmup") && i + 1 < argc) warmup = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--lat") && i + 1 < argc) latf = argv[++i];
        else if (!strcmp(argv[i], "--top") && i + 1 < argc) topf = argv[++i];
        else if (!strcmp(argv[i], "--k") && i + 1 < argc) k = (size_t)atol(argv[++i]);
        else if (!strcmp(argv[i], "--release-weight") && i + 1 < argc) release_weight = atof(argv[++i]);
        else if (!strcmp(argv[i], "--lat-nocontext") && i + 1 < argc) latnf = argv[++i];
        else { fprintf(stderr, "unknown argument %s\n", argv[i]); return 2; }
    }
    if (k == 0) k = 10;

    pressindex *idx = NULL;
    if (pressindex_open(dir, NULL, &idx) != PRESSINDEX_OK) {
        fprintf(stderr, "pi-query: cannot open %s: %s\n", dir, pressindex_open_error());
        return 1;
    }
    hit *hits = calloc(k, sizeof *hits);
    if (!hits) { perror("calloc"); return 1; }
    int rc = 0;

    if (!strcmp(mode, "one")) {
        pressindex_results *res;
        const char *err = NULL;
        long n = run(idx, arg, k, hits, &res, &err);
        if (n < 0) {
            fprintf(stderr, "query error: %s\n", err);
            rc = 1;
        }
        for (long r = 0; r < n; ++r) print_hit(stdout, "", (size_t)r + 1, &hits[r]);
        pressindex_results_destroy(res);
    } else if (!strcmp(mode, "query")) {
        size_t nq = 0;
        char **qs = read_queries(arg, &nq);
        if (!qs && nq == 0) {
            FILE *probe = fopen(arg, "r");
            if (!probe) { perror(arg); return 1; }
            fclose(probe);
        }
        FILE *top = topf ? fopen(topf, "w") : NULL;
        FILE *lat = latf ? fopen(latf, "w") : NULL;
        FILE *latn = latnf ? fopen(latnf, "w") : NULL;
        if ((topf && !top) || (latf && !lat) || (latnf && !latn)) { perror("output file"); return 1; }
        if (warmup < 1) warmup = 1;
        for (int pass = 0; pass < warmup + reps; ++pass) {
            for (size_t i = 0; i < nq; ++i) {
                pressindex_results *res;
                const char *err = NULL;
                double t0 = now_us();
                long n = run(idx, qs[i], k, hits, &res, &err);
                double dt = now_us() - t0;
                if (pass == 0) {
                    if (n < 0) fprintf(stderr, "q%zu: query error: %s\n", i + 1, err);
                    if (top) {
                        char prefix[32];
                        snprintf(prefix, sizeof prefix, "%zu\t", i + 1);
                        for (long r = 0; r < n; ++r) print_hit(top, prefix, (size_t)r + 1, &hits[r]);
                    }
                } else if (lat && pass >= warmup) {
                    fprintf(lat, "%zu\t%d\t%.1f\n", i + 1, pass - warmup + 1, dt);
                }
                pressindex_results_destroy(res);
                if (latn) {
                    no_context = 1;
                    t0 = now_us();
                    n = run(idx, qs[i], k, hits, &res, &err);
                    dt = now_us() - t0;
                    no_context = 0;
                    if (pass >= warmup)
                        fprintf(latn, "%zu\t%d\t%.1f\n", i + 1, pass - warmup + 1, dt);
                    pressindex_results_destroy(res);
                }
            }
        }
        if (top) fclose(top);
        if (lat) fclose(lat);
        if (latn) fclose(latn);
        for (size_t i = 0; i < nq; ++i) free(qs[i]);
        free(qs);
    } else {
        rc = usage(argv[0]);
    }
    free(hits);
    pressindex_destroy(idx);
    return rc;
}
