/*
 * pi-count - the cost and the accuracy of counting (bench/facets.sh): for each query, the default
 * search (the free, rough estimate of the total), the same with the sampled estimate (sample_total:
 * what the command's footer shows), with facets, and with an exact count, interleaved in one process
 * so that machine noise hits the four alike.
 *
 *   pi-count INDEXDIR QUERIES.txt [--warmup W] [--reps R]
 *
 * Prints one line per query: the exact count, the default and the sampled estimates and their
 * errors, the facets' total and its error, and the median microseconds of each kind; then the sums
 * of the medians, their ratios to the default search, and the mean and worst estimate errors.
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

#define KINDS 4 /* 0 default, 1 sampled total, 2 facets, 3 exact */

/* One search of this kind: its time, total and exactness. */
static double one(pressindex *idx, const char *q, int kind, uint64_t *total, int *exact)
{
    pressindex_search_options o;
    pressindex_search_options_init(&o);
    o.query = q;
    o.sample_total = kind == 1;
    o.facets = kind == 2;
    o.exact = kind == 3;
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
    double sum[KINDS] = {0}, err_sum[2] = {0}, err_max[2] = {0}, ferr_sum = 0, ferr_max = 0;
    int nq = 0, over10[2] = {0};
    double *t = malloc((size_t)reps * sizeof *t);
    printf("%-36s %8s %8s %7s %8s %7s %8s %7s %8s %8s %8s %8s\n", "query", "exact", "default", "error",
           "sampled", "error", "facets", "error", "us", "smpl us", "fcts us", "exact us");
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line || *line == '#')
            continue;
        uint64_t total[KINDS];
        int ex[KINDS];
        double med[KINDS];
        for (int w = 0; w < warmup; w++)
            for (int k = 0; k < KINDS; k++)
                one(idx, line, k, &total[k], &ex[k]);
        double all[KINDS][64];
        int r = reps > 64 ? 64 : reps;
        for (int i = 0; i < r; i++)
            for (int k = 0; k < KINDS; k++)
                all[k][i] = one(idx, line, k, &total[k], &ex[k]);
        for (int k = 0; k < KINDS; k++) {
            qsort(all[k], (size_t)r, sizeof all[k][0], cmp_double);
            med[k] = all[k][r / 2];
            sum[k] += med[k];
        }
        double e[3];
        for (int k = 0; k < 3; k++)
            e[k] = total[3] ? ((double)total[k] - (double)total[3]) / (double)total[3] : 0;
        printf("%-36.36s %8llu %8llu%s %+6.1f%% %8llu%s %+6.1f%% %8llu%s %+6.1f%% %8.0f %8.0f %8.0f %8.0f\n",
               line, (unsigned long long)total[3], (unsigned long long)total[0], ex[0] ? "=" : " ",
               100 * e[0], (unsigned long long)total[1], ex[1] ? "=" : " ", 100 * e[1],
               (unsigned long long)total[2], ex[2] ? "=" : " ", 100 * e[2], med[0], med[1], med[2], med[3]);
        nq++;
        for (int k = 0; k < 2; k++) {
            err_sum[k] += fabs(e[k]);
            err_max[k] = fabs(e[k]) > err_max[k] ? fabs(e[k]) : err_max[k];
            over10[k] += fabs(e[k]) > 0.1;
        }
        ferr_sum += fabs(e[2]);
        ferr_max = fabs(e[2]) > ferr_max ? fabs(e[2]) : ferr_max;
    }
    printf("\n%d queries; sums of the median times: default %.1f ms, sampled total %.1f ms, facets %.1f ms, "
           "exact %.1f ms\n", nq, sum[0] / 1e3, sum[1] / 1e3, sum[2] / 1e3, sum[3] / 1e3);
    printf("sampled / default: %.2fx   facets / default: %.2fx   exact / default: %.2fx\n",
           sum[1] / sum[0], sum[2] / sum[0], sum[3] / sum[0]);
    printf("default estimate vs exact: mean |error| %.1f%%, worst %.1f%%, %d over 10%%\n",
           nq ? 100 * err_sum[0] / nq : 0, 100 * err_max[0], over10[0]);
    printf("sampled estimate vs exact: mean |error| %.1f%%, worst %.1f%%, %d over 10%%\n",
           nq ? 100 * err_sum[1] / nq : 0, 100 * err_max[1], over10[1]);
    printf("facets' total vs exact:    mean |error| %.1f%%, worst %.1f%%\n", nq ? 100 * ferr_sum / nq : 0,
           100 * ferr_max);
    free(t);
    fclose(f);
    pressindex_destroy(idx);
    return 0;
}
