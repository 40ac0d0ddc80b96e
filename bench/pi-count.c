/*
 * pi-count - the cost and the accuracy of counting (bench/facets.sh): for each query, the default
 * search (an estimated total), the same with facets, and the same with an exact count, interleaved
 * in one process so that machine noise hits the three alike.
 *
 *   pi-count INDEXDIR QUERIES.txt [--warmup W] [--reps R]
 *
 * Prints one line per query: the exact count, the default estimate and its error, the facets'
 * total and its error, and the median microseconds of each kind; then the sums of the medians and
 * the ratios facets/default and exact/default, and the mean and worst estimate errors.
 * Uses only the public header. Compiled by bench/facets.sh:
 *   cc -O2 -I include bench/pi-count.c -L src/lib/.libs -lpressindex -Wl,-rpath,src/lib/.libs
 */
#define _POSIX_C_SOURCE 200809L
#include <pressindex.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One search of this kind (0 default, 1 facets, 2 exact): its time, total and exactness. */
static double one(pressindex *idx, const char *q, int kind, uint64_t *total, int *exact)
{
    pressindex_search_options o;
    pressindex_search_options_init(&o);
    o.query = q;
    o.facets = kind == 1;
    o.exact = kind == 2;
    pressindex_results *res = NULL;
    double t0 = now_us();
    pressindex_status st = pressindex_search(idx, &o, &res);
    for (size_t i = 0; st == PRESSINDEX_OK && i < pressindex_results_count(res); i++)
        (void)pressindex_result_text(res, i);
    double t = now_us() - t0;
    if (st != PRESSINDEX_OK) {
        fprintf(stderr, "pi-count: %s: %s\n", q, pressindex_last_error(idx));
        exit(1);
    }
    *total = pressindex_results_total(res, exact);
    pressindex_results_destroy(res);
    return t;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: pi-count INDEXDIR QUERIES.txt [--warmup W] [--reps R]\n");
        return 64;
    }
    int warmup = 1, reps = 5;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--warmup"))
            warmup = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--reps"))
            reps = atoi(argv[i + 1]);
    }
    if (reps < 1)
        reps = 1;
    pressindex *idx = NULL;
    if (pressindex_open(argv[1], NULL, &idx) != PRESSINDEX_OK) {
        fprintf(stderr, "pi-count: %s\n", pressindex_open_error());
        return 66;
    }
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 66;
    }
    char line[16384];
    double sum[3] = {0, 0, 0}, err_sum = 0, err_max = 0, ferr_sum = 0, ferr_max = 0;
    int nq = 0, over10 = 0;
    double *t = malloc((size_t)reps * sizeof *t);
    printf("%-40s %8s %8s %7s %8s %7s %9s %9s %9s\n", "query", "exact", "estimate", "error", "facets",
           "error", "us", "facets us", "exact us");
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line || *line == '#')
            continue;
        uint64_t total[3];
        int ex[3];
        double med[3];
        for (int w = 0; w < warmup; w++)
            for (int k = 0; k < 3; k++)
                one(idx, line, k, &total[k], &ex[k]);
        double all[3][64];
        int r = reps > 64 ? 64 : reps;
        for (int i = 0; i < r; i++)
            for (int k = 0; k < 3; k++)
                all[k][i] = one(idx, line, k, &total[k], &ex[k]);
        for (int k = 0; k < 3; k++) {
            qsort(all[k], (size_t)r, sizeof all[k][0], cmp_double);
            med[k] = all[k][r / 2];
            sum[k] += med[k];
        }
        double e = total[2] ? ((double)total[0] - (double)total[2]) / (double)total[2] : 0;
        double fe = total[2] ? ((double)total[1] - (double)total[2]) / (double)total[2] : 0;
        printf("%-40.40s %8llu %8llu%s %+6.1f%% %8llu%s %+6.1f%% %9.0f %9.0f %9.0f\n", line,
               (unsigned long long)total[2], (unsigned long long)total[0], ex[0] ? "=" : " ", 100 * e,
               (unsigned long long)total[1], ex[1] ? "=" : " ", 100 * fe, med[0], med[1], med[2]);
        nq++;
        err_sum += fabs(e);
        ferr_sum += fabs(fe);
        err_max = fabs(e) > err_max ? fabs(e) : err_max;
        ferr_max = fabs(fe) > ferr_max ? fabs(fe) : ferr_max;
        over10 += fabs(e) > 0.1;
    }
    printf("\n%d queries; sums of the median times: default %.1f ms, facets %.1f ms, exact %.1f ms\n", nq,
           sum[0] / 1e3, sum[1] / 1e3, sum[2] / 1e3);
    printf("facets / default: %.2fx   exact / default: %.2fx\n", sum[1] / sum[0], sum[2] / sum[0]);
    printf("default estimate vs exact: mean |error| %.1f%%, worst %.1f%%, %d over 10%%\n",
           nq ? 100 * err_sum / nq : 0, 100 * err_max, over10);
    printf("facets' total vs exact:    mean |error| %.1f%%, worst %.1f%%\n", nq ? 100 * ferr_sum / nq : 0,
           100 * ferr_max);
    free(t);
    fclose(f);
    pressindex_destroy(idx);
    return 0;
}
