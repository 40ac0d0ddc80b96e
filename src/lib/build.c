/*
 * build.c - the full build of an empty index on every core: this thread reads and parses the input,
 * writer threads each turn their share of the releases into documents on a shard of their own, and
 * the shards are merged by Xapian's compaction into one database that replaces the empty one in a
 * single rename. A release always goes to the same shard (by its id), so a release given twice is
 * replaced there exactly as a serial build would; a crash leaves the empty index as it was (the
 * shards, build.*, and a compaction under way, compact.*, are removed by the next writer).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "input.h"
#include "internal.h"

#define MAX_WORKERS 4
#define QUEUE_LEN 64 /* releases in flight per writer: bounds memory whatever the input */

/* A release copied into one allocation, so it outlives the reader's callback. */
typedef struct item {
    pressindex_release r;
    char date[11];
    uint64_t seq; /* its sequence number, given in reading order across the writers */
    char digest[PI_DIGEST_LEN + 1]; /* of the release as read, for its record */
} item;

typedef struct worker {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    item *q[QUEUE_LEN];
    size_t head, count;
    int done;            /* no more items will come */
    int failed;          /* set by the worker; read by the reader to stop early */
    xc_status xs;
    char what[160];      /* what failed: the context of the message */
    char err[512];       /* Xapian's text, taken in this thread */
    char *path;          /* the shard */
    xc_db *db;
    pi_writer w;
    const char *lang;
    uint64_t batch;
    double cpu;          /* this thread's CPU seconds, for PRESSINDEX_TIMING */
} worker;

/* PRESSINDEX_TIMING=1: where a build's time goes, on stderr (wall and CPU seconds by phase). */
static double now(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int timing(void)
{
    const char *e = getenv("PRESSINDEX_TIMING");
    return e && *e && *e != '0';
}

typedef struct build {
    pressindex *idx;
    const pressindex_index_options *opts;
    pressindex_index_summary *stats;
    pi_idset *ids;
    worker *workers;
    size_t n;
    int stop;
    uint64_t seq;  /* the last sequence number given */
} build;

static item *item_copy(const pressindex_release *r, const char date[11])
{
    const char *s[] = {r->id, r->title, r->source, r->url, r->lang};
    size_t size = sizeof(item) + r->n_paragraphs * sizeof(char *);
    for (size_t i = 0; i < 5; i++)
        size += s[i] ? strlen(s[i]) + 1 : 0;
    for (size_t i = 0; i < r->n_paragraphs; i++)
        size += r->paragraphs[i] ? strlen(r->paragraphs[i]) + 1 : 0;
    item *it = malloc(size);
    if (!it)
        return NULL;
    memset(it, 0, sizeof *it);
    char **paras = (char **)(it + 1);
    char *at = (char *)(paras + r->n_paragraphs);
    const char **dst[] = {&it->r.id, &it->r.title, &it->r.source, &it->r.url, &it->r.lang};
    for (size_t i = 0; i < 5; i++) {
        if (!s[i])
            continue;
        size_t n = strlen(s[i]) + 1;
        *dst[i] = memcpy(at, s[i], n);
        at += n;
    }
    for (size_t i = 0; i < r->n_paragraphs; i++) {
        paras[i] = NULL;
        if (!r->paragraphs[i])
            continue;
        size_t n = strlen(r->paragraphs[i]) + 1;
        paras[i] = memcpy(at, r->paragraphs[i], n);
        at += n;
    }
    it->r.paragraphs = (const char *const *)paras;
    it->r.n_paragraphs = r->n_paragraphs;
    memcpy(it->date, date, 11);
    pi_release_digest(r, it->digest);
    return it;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->count && !w->done)
            pthread_cond_wait(&w->not_empty, &w->mu);
        if (!w->count) {
            pthread_mutex_unlock(&w->mu);
            break;
        }
        item *it = w->q[w->head];
        w->head = (w->head + 1) % QUEUE_LEN;
        w->count--;
        int failed = w->failed;
        pthread_cond_signal(&w->not_full);
        pthread_mutex_unlock(&w->mu);
        if (!failed) {
            w->w.seq = it->seq - 1; /* pi_writer_put gives the next one */
            w->w.digest = it->digest;
            xc_status xs = pi_writer_put(&w->w, &it->r, it->date);
            w->w.digest = NULL;
            if (xs != XC_OK) {
                pthread_mutex_lock(&w->mu);
                w->failed = 1;
                w->xs = xs;
                snprintf(w->what, sizeof w->what, "adding release %.120s", it->r.id);
                snprintf(w->err, sizeof w->err, "%s", xc_last_error());
                pthread_mutex_unlock(&w->mu);
            }
        }
        free(it); /* after a failure the queue is drained so the reader never blocks */
    }
    if (!w->failed) {
        xc_status xs = pi_writer_commit(&w->w);
        if (xs != XC_OK) {
            w->failed = 1;
            w->xs = xs;
            snprintf(w->what, sizeof w->what, "committing a shard of the build");
            snprintf(w->err, sizeof w->err, "%s", xc_last_error());
        }
    }
    w->cpu = now(CLOCK_THREAD_CPUTIME_ID);
    return NULL;
}

static int push(worker *w, item *it)
{
    pthread_mutex_lock(&w->mu);
    while (w->count == QUEUE_LEN)
        pthread_cond_wait(&w->not_full, &w->mu);
    w->q[(w->head + w->count) % QUEUE_LEN] = it;
    w->count++;
    int failed = w->failed;
    pthread_cond_signal(&w->not_empty);
    pthread_mutex_unlock(&w->mu);
    return failed;
}

static int on_release(void *ctx, const pressindex_release *r, const char *file, unsigned long line)
{
    build *b = ctx;
    if (!r->id || !*r->id)
        return 0; /* the reader never delivers one; kept for safety */
    /* Ruled on here, in the one reading thread: a revision goes to the same shard as its first
     * version (by id) and replaces it there, in order. */
    int kind, k = pi_index_claim(b->ids, b->stats, b->opts, r, file, line, &kind);
    if (k < 0) {
        b->stop = 1;
        return 1;
    }
    if (k == 0)
        return 0;
    char date[11];
    if (pi_release_date(r, date)) {
        b->stats->problems++;
        if (b->opts->on_problem) {
            char msg[256];
            snprintf(msg, sizeof msg, "unrecognised date \"%.64s\", indexed undated", r->date);
            b->opts->on_problem(b->opts->user, file, line, msg);
        }
    }
    item *it = item_copy(r, date);
    if (!it) {
        b->stop = 1;
        return 1;
    }
    it->seq = ++b->seq;
    worker *w = &b->workers[XXH3_64bits(r->id, strlen(r->id)) % b->n];
    if (push(w, it))
        return 1; /* that writer failed: stop reading, the error is reported below */
    if (kind != PI_ID_NEW)
        return 0;
    b->stats->releases++;
    b->stats->added++; /* the index was empty */
    if (b->opts->on_progress && b->stats->releases % 256 == 0)
        b->opts->on_progress(b->opts->user, b->stats->releases, b->stats->passages, b->stats->bytes);
    return 0;
}

static size_t worker_count(void)
{
    const char *e = getenv("PRESSINDEX_THREADS");
    long n = e && *e ? strtol(e, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : (size_t)n;
}

static xc_status shard_open(pressindex *idx, worker *w)
{
    xc_status xs = xc_db_open(w->path, XC_DB_CREATE_OR_OPEN, &w->db);
    char v[16];
    snprintf(v, sizeof v, "%d", PI_SCHEMA);
    if (xs == XC_OK)
        xs = xc_db_set_metadata(w->db, PI_META_SCHEMA, v, strlen(v));
    if (xs == XC_OK)
        xs = xc_db_set_metadata(w->db, PI_META_LANG, idx->lang, strlen(idx->lang));
    if (xs == XC_OK && pi_writer_init(&w->w, w->db, idx->lang, w->batch) < 0)
        xs = XC_ERR_NO_MEMORY;
    return xs;
}

pressindex_status pi_build_parallel(pressindex *idx, const char *const *paths, size_t n_paths,
                                    const char *skip, const pressindex_index_options *opts,
                                    pressindex_index_summary *stats, pi_idset *ids, size_t *missing)
{
    size_t n = worker_count();
    worker *ws = calloc(n, sizeof *ws);
    if (!ws)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    build b = {idx, opts, stats, ids, ws, 0, 0, idx->w.seq};
    pressindex_status st = PRESSINDEX_OK;
    xc_status xs = XC_OK;
    for (size_t i = 0; i < n && xs == XC_OK; i++) {
        worker *w = &ws[i];
        /* The batches of all writers share the memory one serial writer would use. */
        w->batch = idx->batch / n ? idx->batch / n : 1;
        w->path = pi_index_tmp_path(idx, "build", (unsigned)i);
        if (!w->path) {
            xs = XC_ERR_NO_MEMORY;
            break;
        }
        if ((xs = shard_open(idx, w)) != XC_OK)
            break;
        pthread_mutex_init(&w->mu, NULL);
        pthread_cond_init(&w->not_empty, NULL);
        pthread_cond_init(&w->not_full, NULL);
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            pthread_mutex_destroy(&w->mu);
            pthread_cond_destroy(&w->not_empty);
            pthread_cond_destroy(&w->not_full);
            xs = XC_ERR_OTHER;
            break;
        }
        b.n = i + 1;
    }
    double t0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID), r0 = now(CLOCK_THREAD_CPUTIME_ID);
    if (xs != XC_OK) {
        st = pi_fail_write(idx, xs, "starting the build");
    } else {
        for (size_t i = 0; i < n_paths && !b.stop; i++) {
            if (skip[i])
                continue;
            pi_input_options io = pi_index_input_options(opts, paths[i], on_release, &b);
            pi_input_stats is = {0};
            pi_idset_next_input(ids);
            int rc = pi_input_read(paths[i], &io, &is);
            stats->files += is.files;
            stats->skipped += is.skipped;
            stats->problems += is.problems;
            b.stop |= is.no_memory; /* reported below, as a writer's own lack of memory is */
            if (rc < 0)
                (*missing)++;
            else if (rc)
                break; /* a writer failed: reported below */
        }
    }
    double t1 = now(CLOCK_MONOTONIC), r1 = now(CLOCK_THREAD_CPUTIME_ID);
    for (size_t i = 0; i < b.n; i++) {
        pthread_mutex_lock(&ws[i].mu);
        ws[i].done = 1;
        pthread_cond_signal(&ws[i].not_empty);
        pthread_mutex_unlock(&ws[i].mu);
    }
    for (size_t i = 0; i < b.n; i++) {
        pthread_join(ws[i].thread, NULL);
        pthread_mutex_destroy(&ws[i].mu);
        pthread_cond_destroy(&ws[i].not_empty);
        pthread_cond_destroy(&ws[i].not_full);
        if (st == PRESSINDEX_OK && ws[i].failed)
            st = pi_fail_xc_detail(idx, ws[i].xs, ws[i].what, ws[i].err, 1);
    }
    if (st == PRESSINDEX_OK && b.stop)
        st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    const char *srcs[MAX_WORKERS];
    for (size_t i = 0; i < n; i++) {
        pi_writer_fini(&ws[i].w);
        xc_db_free(ws[i].db); /* closes the shard so compaction can read it whole */
        srcs[i] = ws[i].path;
    }
    double t2 = now(CLOCK_MONOTONIC), c2 = now(CLOCK_PROCESS_CPUTIME_ID);
    if (st == PRESSINDEX_OK && stats->releases > 0)
        st = pi_index_install(idx, srcs, b.n);
    if (timing()) {
        double t3 = now(CLOCK_MONOTONIC), c3 = now(CLOCK_PROCESS_CPUTIME_ID);
        fprintf(stderr, "timing: read+write %.2f s wall (reader %.2f s CPU), writers done %.2f s later, "
                "CPU %.2f s; compaction of %zu shards %.2f s wall, %.2f s CPU\n", t1 - t0, r1 - r0,
                t2 - t1, c2 - c0, b.n, t3 - t2, c3 - c2);
        for (size_t i = 0; i < b.n; i++)
            fprintf(stderr, "timing: writer %zu %.2f s CPU\n", i, ws[i].cpu);
    }
    /* Compaction keeps one shard's last sequence number: the build's own goes in. */
    if (st == PRESSINDEX_OK && stats->releases > 0) {
        idx->w.seq = b.seq;
        xc_status cs = pi_writer_commit(&idx->w);
        if (cs != XC_OK)
            st = pi_fail_write(idx, cs, "committing the build");
    }
    for (size_t i = 0; i < n; i++) {
        if (ws[i].path)
            pi_index_remove_tree(ws[i].path);
        free(ws[i].path);
    }
    free(ws);
    return st;
}
