/*
 * build.c - the full build of an empty index on every core: this thread reads and parses the input,
 * writer threads each turn their share of the releases into documents on a shard of their own, and
 * the shards are merged by Xapian's compaction into one database that replaces the empty one in a
 * single rename; a crash leaves the empty index as it was (the shards, build.*, and a compaction
 * under way, compact.*, are removed by the next writer).
 *
 * Shards are bounded: a writer moves on to a fresh shard when its current one holds shard_passages,
 * and the one compaction at the end merges them all. A Xapian database's flushes cost more as its
 * B-trees grow (two unbounded shards made the 10x build 13x the 1x writer time, its system time
 * 34x); a merge of many sources is linear. A release always goes to the same writer (by its id)
 * and a revision to the shard that holds its first version (the id set remembers it), where it
 * replaces that version exactly as a serial build would. A revision whose shard is already closed
 * waits in its writer's list, bounded, and is written into that shard when the list fills up and at
 * the end, before the compaction.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "input.h"
#include "internal.h"
#include "store.h"

#define MAX_WORKERS 4
#define QUEUE_LEN 64 /* releases in flight per writer: bounds memory whatever the input */
#define LATE_LEN 64  /* revisions of closed shards held per writer (memory as QUEUE_LEN's) */
/* Measured on whitehouse (doc/schema.md, "The full build"): a writer's CPU time per passage grows
 * with its shard (whitehouse's two writers: 11.3 s in 25,000-passage shards, 11.9 s in 50,000,
 * 13.6 s in 200,000; no less below 25,000) while merging more shards costs little (one pass: 19
 * shards 0.50 s of CPU, 10 shards 0.46 s); PRESSINDEX_SHARD_PASSAGES sets it (the tests start a
 * shard at every release). The bound doubles every SHARD_DOUBLING shards of a writer, so that the
 * merge, which opens every shard at once (some three files each), meets tens of shards, not
 * thousands: 19 at 1x, 87 at 10x (none over 100,000 passages), about 200 at 100x. */
#define SHARD_PASSAGES 25000
#define SHARD_DOUBLING 16

/* A release copied into one allocation, so it outlives the reader's callback. */
typedef struct item {
    pressindex_release r;
    char date[11];
    uint64_t seq; /* its sequence number, given in reading order across the writers */
    unsigned gen; /* the writer's shard it goes to: a later one than the writer's current opens it */
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
    pressindex *idx;
    unsigned k;          /* this writer's number */
    unsigned gen;        /* its current shard (the shards before it are closed) */
    char *path;          /* the current shard */
    xc_db *db;
    pi_writer w;
    uint64_t batch;
    item *late[LATE_LEN]; /* revisions of closed shards, in reading order */
    size_t n_late;
    /* The reader's own: the shard it sends new releases to and their passages there. */
    unsigned rgen;
    uint64_t rload;
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
    uint64_t shard_passages;
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

static char *shard_path(worker *w, unsigned gen)
{
    return pi_index_tmp_path(w->idx, "build", gen * MAX_WORKERS + w->k);
}

/* The shard's passages values (store.h), in its directory: the compaction leaves them out, and
 * they become the new database's passages store (pi_index_install). */
#define RUN_NAME "passages.run"

static char *run_path(const char *shard)
{
    return pi_path_join(shard, RUN_NAME);
}

/* Opens the writer's shard gen: a new one (create), or a closed one again. */
static xc_status shard_open(worker *w, unsigned gen, xc_db **db, pi_writer *pw, int create)
{
    char *path = shard_path(w, gen);
    if (!path)
        return XC_ERR_NO_MEMORY;
    pressindex *idx = w->idx;
    /* No fsync for a shard: a crash discards every shard anyway, and the compaction that merges
     * them writes and syncs the database that counts. */
    int mode = (create ? XC_DB_CREATE_OR_OPEN : XC_DB_OPEN) | XC_DB_NO_SYNC;
    xc_status xs = xc_db_open(path, mode, db);
    char v[16];
    snprintf(v, sizeof v, "%d", PI_SCHEMA);
    if (xs == XC_OK && create)
        xs = xc_db_set_metadata(*db, PI_META_SCHEMA, v, strlen(v));
    if (xs == XC_OK && create)
        xs = xc_db_set_metadata(*db, PI_META_LANG, idx->lang, strlen(idx->lang));
    if (xs == XC_OK && create)
        xs = xc_db_set_metadata(*db, PI_META_STORE, "1", 1);
    if (xs == XC_OK && pi_writer_init(pw, *db, idx->lang, w->batch) < 0)
        xs = XC_ERR_NO_MEMORY;
    char *rp = xs == XC_OK ? run_path(path) : NULL;
    int rc = xs != XC_OK ? 0 : rp ? pi_store_run_open(rp, &pw->run) : -2;
    if (rc < 0)
        xs = rc == -2 ? xc_set_error(XC_ERR_NO_MEMORY, "out of memory")
                      : xc_set_error(XC_ERR_IO, strerror(errno));
    free(rp);
    if (create) {
        free(w->path);
        w->path = path;
    } else {
        free(path);
    }
    return xs;
}

/* Commits the current shard and closes it, so that it can be reopened or compacted. */
static xc_status shard_close(worker *w)
{
    xc_status xs = w->db ? pi_writer_commit(&w->w) : XC_OK;
    pi_writer_fini(&w->w);
    xc_db_free(w->db);
    w->db = NULL;
    return xs;
}

/* Records the writer's failure: what it was doing (to the release id, if not NULL). */
static void fail(worker *w, xc_status xs, const char *what, const char *id)
{
    pthread_mutex_lock(&w->mu);
    w->failed = 1;
    w->xs = xs;
    snprintf(w->what, sizeof w->what, "%s%s%.120s", what, id ? " " : "", id ? id : "");
    snprintf(w->err, sizeof w->err, "%s", xc_last_error());
    pthread_mutex_unlock(&w->mu);
}

static xc_status put(pi_writer *pw, item *it)
{
    pw->seq = it->seq - 1; /* pi_writer_put gives the next one */
    pw->digest = it->digest;
    xc_status xs = pi_writer_put(pw, &it->r, it->date);
    pw->digest = NULL;
    return xs;
}

static int late_order(const void *a, const void *b)
{
    const item *x = *(item *const *)a, *y = *(item *const *)b;
    if (x->gen != y->gen)
        return x->gen < y->gen ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Writes the waiting revisions into the closed shards that hold their first versions, one shard
 * open at a time, each revision in reading order within its shard. */
static int write_late(worker *w)
{
    qsort(w->late, w->n_late, sizeof *w->late, late_order);
    unsigned cur = w->gen;
    int ok = !w->failed;
    xc_db *db = NULL;
    pi_writer pw = {0};
    for (size_t i = 0; i < w->n_late && ok; i++) {
        item *it = w->late[i];
        xc_status xs = XC_OK;
        if (!db || it->gen != cur) {
            if (db && (xs = pi_writer_commit(&pw)) != XC_OK) {
                fail(w, xs, "committing a shard of the build", NULL);
                ok = 0;
                break;
            }
            pi_writer_fini(&pw);
            xc_db_free(db);
            db = NULL;
            cur = it->gen;
            xs = shard_open(w, cur, &db, &pw, 0);
            if (xs != XC_OK) {
                fail(w, xs, "reopening a shard of the build for", it->r.id);
                ok = 0;
                break;
            }
        }
        if ((xs = put(&pw, it)) != XC_OK) {
            fail(w, xs, "adding release", it->r.id);
            ok = 0;
        }
    }
    if (db && ok) {
        xc_status xs = pi_writer_commit(&pw);
        if (xs != XC_OK) {
            fail(w, xs, "committing a shard of the build", NULL);
            ok = 0;
        }
    }
    pi_writer_fini(&pw);
    xc_db_free(db);
    for (size_t i = 0; i < w->n_late; i++)
        free(w->late[i]);
    w->n_late = 0;
    return ok;
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
        if (!failed && it->gen < w->gen) {
            w->late[w->n_late++] = it;
            if (w->n_late == LATE_LEN)
                write_late(w);
            continue;
        }
        if (!failed && it->gen > w->gen) {
            xc_status xs = shard_close(w);
            w->gen = it->gen;
            if (xs != XC_OK)
                fail(w, xs, "committing a shard of the build", NULL);
            else if ((xs = shard_open(w, w->gen, &w->db, &w->w, 1)) != XC_OK)
                fail(w, xs, "starting a shard of the build", NULL);
            failed = w->failed;
        }
        if (!failed) {
            xc_status xs = put(&w->w, it);
            if (xs != XC_OK)
                fail(w, xs, "adding release", it->r.id);
        }
        free(it); /* after a failure the queue is drained so the reader never blocks */
    }
    /* The current shard first: the late revisions may reopen any shard, this one too. */
    xc_status xs = shard_close(w);
    if (xs != XC_OK && !w->failed)
        fail(w, xs, "committing a shard of the build", NULL);
    write_late(w); /* after a failure, only frees them */
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
    int kind;
    uint32_t *tag;
    int k = pi_index_claim(b->ids, b->stats, b->opts, r, file, line, &kind, &tag);
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
    if (kind == PI_ID_NEW) {
        /* A new release may start the writer's next shard; a revision goes where its first
         * version went. */
        uint64_t passages = 0;
        for (size_t i = 0; i < r->n_paragraphs; i++)
            passages += r->paragraphs[i] && *r->paragraphs[i];
        /* Every SHARD_DOUBLING shards of a writer the bound doubles (see there). */
        unsigned doubling = w->rgen / SHARD_DOUBLING;
        uint64_t bound = b->shard_passages << (doubling < 16 ? doubling : 16);
        if (w->rload && w->rload + passages > bound) {
            w->rgen++;
            w->rload = 0;
        }
        w->rload += passages ? passages : 1;
        *tag = w->rgen;
    }
    it->gen = *tag;
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

static uint64_t shard_passages(void)
{
    const char *e = getenv("PRESSINDEX_SHARD_PASSAGES");
    long long n = e && *e ? strtoll(e, NULL, 10) : 0;
    return n > 0 ? (uint64_t)n : SHARD_PASSAGES;
}

pressindex_status pi_build_parallel(pressindex *idx, const char *const *paths, size_t n_paths,
                                    const char *skip, const pressindex_index_options *opts,
                                    pressindex_index_summary *stats, pi_idset *ids, size_t *missing)
{
    size_t n = worker_count();
    worker *ws = calloc(n, sizeof *ws);
    if (!ws)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    build b = {idx, shard_passages(), opts, stats, ids, ws, 0, 0, idx->w.seq};
    pressindex_status st = PRESSINDEX_OK;
    xc_status xs = XC_OK;
    for (size_t i = 0; i < n && xs == XC_OK; i++) {
        worker *w = &ws[i];
        /* The batches of all writers share the memory one serial writer would use. */
        w->batch = idx->batch / n ? idx->batch / n : 1;
        w->idx = idx;
        w->k = (unsigned)i;
        if ((xs = shard_open(w, 0, &w->db, &w->w, 1)) != XC_OK)
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
    /* Every shard, in order: each writer's from its first to its last. */
    size_t n_srcs = 0;
    for (size_t i = 0; i < n; i++) {
        pi_writer_fini(&ws[i].w); /* a writer that was never started: its shard is removed */
        xc_db_free(ws[i].db);
        n_srcs += ws[i].path ? ws[i].gen + 1 : 0;
    }
    char **srcs = calloc(n_srcs ? n_srcs : 1, sizeof *srcs);
    char **runs = calloc(n_srcs ? n_srcs : 1, sizeof *runs);
    size_t got = 0;
    for (size_t i = 0; i < n && srcs && runs; i++)
        for (unsigned g = 0; ws[i].path && g <= ws[i].gen; g++)
            if ((srcs[got] = shard_path(&ws[i], g)) && (runs[got] = run_path(srcs[got])))
                got++;
            else
                free(srcs[got]);
    if (st == PRESSINDEX_OK && got < n_srcs)
        st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    double t2 = now(CLOCK_MONOTONIC), c2 = now(CLOCK_PROCESS_CPUTIME_ID);
    if (st == PRESSINDEX_OK && stats->releases > 0)
        st = pi_index_install(idx, (const char *const *)srcs, got, (const char *const *)runs);
    if (timing()) {
        double t3 = now(CLOCK_MONOTONIC), c3 = now(CLOCK_PROCESS_CPUTIME_ID);
        fprintf(stderr, "timing: read+write %.2f s wall (reader %.2f s CPU), writers done %.2f s later, "
                "CPU %.2f s; compaction of %zu shards %.2f s wall, %.2f s CPU\n", t1 - t0, r1 - r0,
                t2 - t1, c2 - c0, got, t3 - t2, c3 - c2);
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
    /* The shards a failed start or a lack of memory left unnamed are the next writer's leftovers. */
    for (size_t i = 0; i < got; i++) {
        pi_index_remove_tree(srcs[i]);
        free(srcs[i]);
        free(runs[i]);
    }
    free(srcs);
    free(runs);
    for (size_t i = 0; i < n; i++)
        free(ws[i].path);
    free(ws);
    return st;
}
