/* test_threads.c - the threading rules of pressindex.h, exercised: one writer thread commits over
 * and over while reader threads, each with its own read-only handle, search in a loop. No search
 * may fail because of a concurrent commit (the library reopens and retries on Xapian's
 * DatabaseModifiedError), a reader never sees the index go back in time, and every reader sees the
 * writer's last commit once it is done. Public API only. Also run under helgrind
 * (make check-helgrind) and, in a -fsanitize=thread build, under ThreadSanitizer. */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pressindex.h"

#define N_READERS 3
#define N_COMMITS 30
#define MAX_READERS 8
#define PER_COMMIT 2 /* releases added by each commit */

/* One run's shape: the default test, or the stress test's. */
static int n_readers = N_READERS, n_commits = N_COMMITS;
static long commit_pause_ms = -1; /* -1: PI_COMMIT_PAUSE_MS or 25 */

static char tmpdir[256];
static char dbpath[300];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pi-test-threads-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/index", tmpdir);
}

static void teardown(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* What the threads share: the writer's "done" flag, under a mutex (helgrind and TSan both follow it). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int writer_done;

static int is_done(void)
{
    pthread_mutex_lock(&lock);
    int d = writer_done;
    pthread_mutex_unlock(&lock);
    return d;
}

/* Where each thread is, for the watchdog (under the same mutex): a round that takes minutes
 * instead of seconds says which thread stopped moving before Check's timeout kills it. */
static struct {
    int commits, round_over;
    unsigned long searches[MAX_READERS];
    int searching[MAX_READERS];
} progress;

static void note_progress(int *field, int value)
{
    pthread_mutex_lock(&lock);
    *field = value;
    pthread_mutex_unlock(&lock);
}

static void *watchdog(void *arg)
{
    (void)arg;
    for (int s = 1;; s++) {
        sleep(1);
        pthread_mutex_lock(&lock);
        int over = progress.round_over;
        if (!over && s % 60 == 0) {
            fprintf(stderr, "watchdog: %d s into the round: %d commits", s, progress.commits);
            for (int i = 0; i < n_readers; i++)
                fprintf(stderr, "; reader %d: %lu searches%s", i, progress.searches[i],
                        progress.searching[i] ? ", in a search" : "");
            fprintf(stderr, "\n");
        }
        pthread_mutex_unlock(&lock);
        if (over)
            return NULL;
    }
}

/* Each thread reports through its own struct; the main thread asserts after joining (Check's
 * assertions are not to be called from other threads). */
typedef struct worker {
    pressindex *idx;       /* the writer's handle, opened by the main thread */
    int id;
    int failed;            /* first failure: status and message */
    pressindex_status status;
    char message[512];
    unsigned long searches;
    uint64_t first_seen, last_seen; /* releases matched on the first and the final search */
    int went_back;         /* a search saw fewer releases than an earlier one */
} worker;

static void record(worker *w, pressindex_status st, const char *what, const char *msg)
{
    if (w->failed)
        return;
    w->failed = 1;
    w->status = st;
    snprintf(w->message, sizeof w->message, "%s: %s: %s", what, pressindex_status_to_string(st),
             msg ? msg : "");
}

static void add_release(pressindex *idx, worker *w, int n)
{
    char id[32], title[64], p1[160], p2[160];
    snprintf(id, sizeof id, "thread/%03d", n);
    snprintf(title, sizeof title, "Walrus census number %d", n);
    snprintf(p1, sizeof p1, "The walrus census of the northern coast counted colony %d today.", n);
    snprintf(p2, sizeof p2, "Observers described the colony as calm and well fed.");
    const char *pars[] = {p1, p2};
    pressindex_release r = {id, "2025-01-15", title, "Arctic Office", NULL, "en", pars, 2};
    pressindex_status st = pressindex_add_release(idx, &r);
    if (st != PRESSINDEX_OK)
        record(w, st, "add", pressindex_last_error(idx));
}

/* The writer: N_COMMITS commits of PER_COMMIT new releases each. */
static void *writer_main(void *arg)
{
    worker *w = arg;
    /* The pace of commits. By default 40 a second: far faster than any real writer (which commits
     * in batches), and with readers searching all along, commits land during their searches.
     * PI_COMMIT_PAUSE_MS=0 commits back to back (about one a millisecond), as a stress test; slow
     * tools (helgrind) ask for a longer pause, as their readers are that much slower. */
    const char *pause = getenv("PI_COMMIT_PAUSE_MS");
    long pause_ms = commit_pause_ms >= 0 ? commit_pause_ms : pause && *pause ? atol(pause) : 25;
    for (int c = 0; c < n_commits && !w->failed; c++) {
        if (c && pause_ms > 0)
            usleep((useconds_t)pause_ms * 1000);
        for (int k = 0; k < PER_COMMIT; k++)
            add_release(w->idx, w, 1 + c * PER_COMMIT + k);
        pressindex_status st = pressindex_commit(w->idx);
        if (st != PRESSINDEX_OK)
            record(w, st, "commit", pressindex_last_error(w->idx));
        note_progress(&progress.commits, c + 1);
    }
    pthread_mutex_lock(&lock);
    writer_done = 1;
    pthread_mutex_unlock(&lock);
    return NULL;
}

/* One search through the reader's handle; returns the number of matching releases, or -1. */
static long one_search(worker *w)
{
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "walrus colony";
    so.by_release = 1;
    so.limit = 200;
    pressindex_results *res = NULL;
    pressindex_status st = pressindex_search(w->idx, &so, &res);
    w->searches++;
    if (st != PRESSINDEX_OK) {
        record(w, st, "search", pressindex_last_error(w->idx));
        return -1;
    }
    size_t n = pressindex_results_count(res);
    /* Read every result through the accessors, as an application would. */
    for (size_t i = 0; i < n; i++) {
        const size_t *off;
        size_t nh;
        pressindex_result_highlights(res, i, &off, &nh);
        if (strncmp(pressindex_result_release(res, i), "thread/", 7) != 0 ||
            strstr(pressindex_result_text(res, i), "walrus") == NULL || nh == 0)
            record(w, PRESSINDEX_OK, "result", pressindex_result_release(res, i));
    }
    pressindex_results_destroy(res);
    return (long)n;
}

static void *reader_main(void *arg)
{
    worker *w = arg;
    /* Its own handle, opened in its own thread. */
    pressindex_status st = pressindex_open(dbpath, NULL, &w->idx);
    if (st != PRESSINDEX_OK) {
        record(w, st, "open", pressindex_open_error());
        return NULL;
    }
    long prev = 0;
    int first = 1;
    while (!w->failed) {
        int done = is_done(); /* read before searching: a search after done sees the last commit */
        note_progress(&progress.searching[w->id], 1);
        long n = one_search(w);
        pthread_mutex_lock(&lock);
        progress.searching[w->id] = 0;
        progress.searches[w->id]++;
        pthread_mutex_unlock(&lock);
        if (n < 0)
            break;
        if (first)
            w->first_seen = (uint64_t)n;
        first = 0;
        if (n < prev)
            w->went_back = 1;
        prev = n;
        w->last_seen = (uint64_t)n;
        if (w->searches % 8 == 0) {
            pressindex_stats stats;
            if ((st = pressindex_get_stats(w->idx, &stats)) != PRESSINDEX_OK)
                record(w, st, "stats", pressindex_last_error(w->idx));
        }
        if (done)
            break;
    }
    pressindex_destroy(w->idx);
    w->idx = NULL;
    return NULL;
}

/* One round: n_readers readers search while the writer makes n_commits commits. */
static void run_round(void)
{
    /* The index exists (with one release) before the readers open it. */
    pressindex_open_options o;
    pressindex_open_options_init(&o);
    o.writable = 1;
    o.create = 1;
    o.lock_timeout = 0;
    worker wr = {0};
    ck_assert_msg(pressindex_open(dbpath, &o, &wr.idx) == PRESSINDEX_OK, "%s", pressindex_open_error());
    add_release(wr.idx, &wr, 0);
    ck_assert_int_eq(pressindex_commit(wr.idx), PRESSINDEX_OK);
    ck_assert_msg(!wr.failed, "%s", wr.message);

    writer_done = 0;
    memset(&progress, 0, sizeof progress);
    worker rd[MAX_READERS];
    memset(rd, 0, sizeof rd);
    pthread_t rt[MAX_READERS], wt, dog;
    ck_assert_int_eq(pthread_create(&dog, NULL, watchdog, NULL), 0);
    for (int i = 0; i < n_readers; i++) {
        rd[i].id = i;
        ck_assert_int_eq(pthread_create(&rt[i], NULL, reader_main, &rd[i]), 0);
    }
    ck_assert_int_eq(pthread_create(&wt, NULL, writer_main, &wr), 0);
    ck_assert_int_eq(pthread_join(wt, NULL), 0);
    for (int i = 0; i < n_readers; i++)
        ck_assert_int_eq(pthread_join(rt[i], NULL), 0);
    note_progress(&progress.round_over, 1);
    ck_assert_int_eq(pthread_join(dog, NULL), 0);

    ck_assert_msg(!wr.failed, "writer: %s", wr.message);
    pressindex_destroy(wr.idx);
    const uint64_t total = 1 + (uint64_t)n_commits * PER_COMMIT;
    for (int i = 0; i < n_readers; i++) {
        ck_assert_msg(!rd[i].failed, "reader %d after %lu searches: %s", i, rd[i].searches,
                      rd[i].message);
        ck_assert_msg(!rd[i].went_back, "reader %d saw the index go back to an older state", i);
        ck_assert_msg(rd[i].last_seen == total, "reader %d: %llu releases at the end, expected %llu",
                      i, (unsigned long long)rd[i].last_seen, (unsigned long long)total);
        ck_assert_uint_ge(rd[i].first_seen, 1);
        printf("reader %d: %lu searches, %llu releases on the first, %llu on the last\n", i,
               rd[i].searches, (unsigned long long)rd[i].first_seen,
               (unsigned long long)rd[i].last_seen);
    }
}

START_TEST(readers_search_while_writer_commits)
{
    n_readers = N_READERS;
    n_commits = N_COMMITS;
    commit_pause_ms = -1;
    run_round();
}
END_TEST

/* Issue 15's stress: 4 readers while a writer commits 60 times back to back. A commit can
 * overtake a reader's search many times over; the search must still answer (it retries with
 * growing pauses), never report PRESSINDEX_ERR_MODIFIED. PI_STRESS_ROUNDS rounds (default 1;
 * make check-stress runs 20; 0 skips, for helgrind). */
START_TEST(readers_outlast_back_to_back_commits)
{
    const char *r = getenv("PI_STRESS_ROUNDS");
    int rounds = r && *r ? atoi(r) : 1;
    n_readers = 4;
    n_commits = 60;
    commit_pause_ms = 0;
    for (int round = 0; round < rounds; round++) {
        run_round();
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dbpath);
        ck_assert_int_eq(system(cmd), 0);
    }
}
END_TEST

/* The thread-local message of a failed open belongs to the thread that failed. */
static void *fail_open(void *arg)
{
    pressindex *idx = NULL;
    pressindex_status st = pressindex_open((const char *)arg, NULL, &idx);
    return (void *)(st == PRESSINDEX_ERR_NOT_FOUND && !idx && strstr(pressindex_open_error(), "nowhere-b")
                        ? "ok" : NULL);
}

START_TEST(open_error_is_per_thread)
{
    char a[400], b[400];
    snprintf(a, sizeof a, "%s/nowhere-a", tmpdir);
    snprintf(b, sizeof b, "%s/nowhere-b", tmpdir);
    pressindex *idx = NULL;
    ck_assert_int_eq(pressindex_open(a, NULL, &idx), PRESSINDEX_ERR_NOT_FOUND);
    pthread_t t;
    void *ret = NULL;
    ck_assert_int_eq(pthread_create(&t, NULL, fail_open, b), 0);
    ck_assert_int_eq(pthread_join(t, &ret), 0);
    ck_assert_ptr_nonnull(ret);
    /* This thread's message is still about its own failure. */
    ck_assert_ptr_nonnull(strstr(pressindex_open_error(), "nowhere-a"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("concurrency");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 300); /* generous: the same test runs under helgrind and valgrind */
    tcase_add_test(tc, readers_search_while_writer_commits);
    tcase_add_test(tc, readers_outlast_back_to_back_commits);
    tcase_add_test(tc, open_error_is_per_thread);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
