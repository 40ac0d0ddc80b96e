/*
 * test_faults.c - allocation failures injected at every step, as SQLite's faultsim does.
 *
 * The program is linked with -Wl,--wrap=malloc,calloc,realloc,strdup,strndup (Makefile.am), so the
 * allocations of libpressindex's own objects come here first, and with faults_new.cc, whose
 * operator new replaces that of the shim, of Xapian and of libstdc++. Both count, and the N-th
 * allocation of an operation fails (NULL and ENOMEM, or std::bad_alloc). Allocations inside the C
 * libraries we call (jansson, zlib, utf8proc, libc) are not counted.
 *
 * Each operation runs in a child process per N, from pressindex_open() to pressindex_destroy(),
 * until an N past its last allocation: index fixtures/releases into a new index (two writer
 * threads) and into an existing one, index input the readers repair, reindex after a night's
 * changes, compact, add releases one by one going on after failures, search (phrases, NOT,
 * wildcards, context, filters; and every language, on fixtures/world), show, stats, check, and
 * the open of a damaged index (Xapian's error). Each run must:
 *   - return the status of the run without a fault, or PRESSINDEX_ERR_NO_MEMORY;
 *   - when it returns the status of the run without a fault, answer the same (a search that
 *     "recovers" with other results would be a silent error);
 *   - leave the index as it was before or as it is after (a dump of its statistics, metadata,
 *     terms and every release's paragraphs), healthy (pressindex_check), and a rerun without a
 *     fault must complete and give the state after;
 *   - not crash, hang or (under ASan) leak: the child's exit status tells.
 * Crashes and leaks of Xapian's own making are counted apart as "upstream" (see crashed() and
 * __lsan_default_suppressions()).
 *
 * PI_FAULTS=full: every N up to 300, then about 2% apart to the end (make check-faults); else a
 * sample: every N to 20, then about 20% apart (make check). PI_FAULTS_OPS=index-new,search: only
 * those; PI_FAULTS_N=123: only that N, with its child's messages (PI_FAULTS_TRACE=1: where that
 * allocation is; PI_FAULTS_NOFORK=1: in this process, for gdb). PI_FAULTS_JOBS: children at a
 * time (default: the processors). TMPDIR: where the indexes go (default /dev/shm).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <execinfo.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "pressindex.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "fixtures"
#endif

/* ---------------------------------------------------------------------------------------------- */
/* The countdown                                                                                   */

static atomic_int armed;
/* A std::bad_alloc thrown by our operator new to Xapian's own code that no catch block of ours
 * (the shim's) has begun to handle yet: a crash meanwhile happens inside Xapian, unwinding from
 * it (see crashed()). */
static volatile sig_atomic_t in_flight;
static atomic_long calls;   /* allocations counted since armed */
static long fail_at;        /* the allocation (from 1) that fails */

static int trace; /* PI_FAULTS_TRACE: print where the failing allocation is */

/* The test's own bookkeeping while armed (what an operation answered) neither counts nor fails. */
static _Thread_local int paused;
#define UNCOUNTED(stmt) do { paused++; stmt; paused--; } while (0)

int pi_fault_now(void);
int pi_fault_now(void)
{
    if (paused || !atomic_load(&armed) || atomic_fetch_add(&calls, 1) + 1 != fail_at)
        return 0;
    if (trace) {
        void *frames[64];
        int n = backtrace(frames, 64);
        fprintf(stderr, "  allocation %ld fails here:\n", fail_at);
        backtrace_symbols_fd(frames, n, 2);
    }
    return 1;
}

static void arm(long n)
{
    atomic_store(&calls, 0);
    fail_at = n;
    atomic_store(&armed, 1);
}

/* Returns the allocations counted. */
static long disarm(void)
{
    atomic_store(&armed, 0);
    return atomic_load(&calls);
}

void pi_fault_thrown(int in_xapian);
void pi_fault_thrown(int in_xapian)
{
    in_flight = in_xapian;
}

/* The catch blocks of our objects (the shim's) call this first: -Wl,--wrap=__cxa_begin_catch. The
 * catch blocks inside Xapian call the real one through Xapian's own references. */
void *__real___cxa_begin_catch(void *e);
void *__wrap___cxa_begin_catch(void *e);
void *__wrap___cxa_begin_catch(void *e)
{
    in_flight = 0;
    return __real___cxa_begin_catch(e);
}

/* A failing allocation as the C library's: NULL, errno ENOMEM. */
static void *no_memory(void)
{
    errno = ENOMEM;
    return NULL;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

void *__wrap_malloc(size_t n)
{
    return pi_fault_now() ? no_memory() : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return pi_fault_now() ? no_memory() : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    return pi_fault_now() ? no_memory() : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return pi_fault_now() ? no_memory() : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return pi_fault_now() ? no_memory() : __real_strndup(s, n);
}

/* Xapian 1.4 leaks some of its own allocations when an allocation after them throws (the cursor
 * of Database::metadata_keys_begin() when its term list cannot be allocated; parts of compact(),
 * commit_transaction() and get_mset()). Leaks of memory Xapian allocated are left to Xapian;
 * those of our own objects (the shim's included) are not matched and still fail the run. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libxapian.so\n";
}

/* ---------------------------------------------------------------------------------------------- */
/* Helpers                                                                                         */

static char base[256];  /* the test's temporary directory */
static char fold[320];  /* a copy of fixtures/releases that reindex reads, changed after "synced" */
static char runp[320];  /* the index an operation works on */
static pi_buf full_state; /* the dump of the index the read operations read */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "test_faults: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(99);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    fflush(NULL);
    if (system(cmd) != 0)
        die("command failed: %s", cmd);
}

static char *path_in(const char *name)
{
    static char p[8][400];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", base, name);
    return p[k];
}

static char last_msg[1024]; /* the message of the last failure of an operation */

static pressindex *open_index(const char *path, int writable, pressindex_status *st)
{
    pressindex_open_options o;
    pressindex_open_options_init(&o);
    o.writable = writable;
    o.create = writable;
    o.lock_timeout = 0;
    pressindex *idx = NULL;
    *st = pressindex_open(path, &o, &idx);
    if (*st != PRESSINDEX_OK)
        snprintf(last_msg, sizeof last_msg, "%s", pressindex_open_error());
    return idx;
}

/* The status a sequence of calls reports: the first failure. */
static void keep(pressindex *idx, pressindex_status *first, pressindex_status st)
{
    if (*first == PRESSINDEX_OK && st != PRESSINDEX_OK) {
        *first = st;
        snprintf(last_msg, sizeof last_msg, "%s", pressindex_last_error(idx));
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* What an index holds, in one string: equal strings, equal indexes                               */

static void dump_results(pi_buf *out, const pressindex_results *res, size_t context)
{
    pi_buf_printf(out, "count %zu estimated %llu suggestion [%s]\n", pressindex_results_count(res),
                  (unsigned long long)pressindex_results_estimated(res),
                  pressindex_results_suggestion(res));
    for (size_t i = 0; i < pressindex_results_count(res); i++) {
        const size_t *hl;
        size_t n_hl;
        pressindex_result_highlights(res, i, &hl, &n_hl);
        pi_buf_printf(out, "%zu %s #%u %.6g [%s|%s|%s|%s|%s] x%llu\n  %s\n  hl",
                      pressindex_result_rank(res, i), pressindex_result_release(res, i),
                      pressindex_result_paragraph(res, i), pressindex_result_score(res, i),
                      pressindex_result_date(res, i), pressindex_result_title(res, i),
                      pressindex_result_source(res, i), pressindex_result_url(res, i),
                      pressindex_result_lang(res, i),
                      (unsigned long long)pressindex_result_collapsed(res, i),
                      pressindex_result_text(res, i));
        for (size_t j = 0; j < 2 * n_hl; j++)
            pi_buf_printf(out, " %zu", hl[j]);
        pi_buf_adds(out, "\n");
        for (long d = -(long)context; d <= (long)context; d++) {
            unsigned pno = 0;
            const char *t = d ? pressindex_result_context(res, i, d, &pno) : NULL;
            if (t)
                pi_buf_printf(out, "  %+ld #%u %s\n", d, pno, t);
        }
    }
}

static void dump_source(void *user, const char *source, uint64_t passages)
{
    UNCOUNTED(pi_buf_printf(user, "source %s %llu\n", source, (unsigned long long)passages));
}

static int dump_keys(pi_buf *out, xc_db *db, int metadata)
{
    xc_keylist *kl = NULL;
    if ((metadata ? xc_db_metadata_keys(db, "", &kl) : xc_db_allterms(db, "", &kl)) != XC_OK)
        return -1;
    const char *k;
    size_t kn;
    int more;
    while ((more = xc_keylist_next(kl, &k, &kn)) > 0) {
        char *key = strndup(k, kn), *v = NULL;
        size_t vn = 0;
        uint64_t tf = 0;
        if (metadata ? xc_db_get_metadata(db, key, &v, &vn) != XC_OK
                     : xc_db_termfreq(db, k, kn, &tf) != XC_OK)
            more = -1;
        pi_buf_printf(out, "%s %s ", metadata ? "meta" : "term", key);
        if (metadata) {
            for (size_t i = 0; i < vn; i++)
                pi_buf_addc(out, v[i] ? v[i] : '|');
        } else {
            pi_buf_printf(out, "%llu", (unsigned long long)tf);
        }
        pi_buf_addc(out, '\n');
        free(key);
        free(v);
        if (more < 0)
            break;
    }
    xc_keylist_free(kl);
    return more < 0 ? -1 : 0;
}

/* The state of the index at path: "none" when there is no index there; else its statistics,
 * sources, every metadata record, every term with its frequency, and every release's paragraphs.
 * Document ids are left out: a rebuild may number them otherwise. */
static void dump_index(const char *path, pi_buf *out)
{
    pi_buf_clear(out);
    pressindex_status st;
    pressindex *idx = open_index(path, 0, &st);
    if (st == PRESSINDEX_ERR_NOT_FOUND) {
        pi_buf_adds(out, "none\n");
        return;
    }
    if (st != PRESSINDEX_OK) {
        pi_buf_printf(out, "cannot open: %s\n", pressindex_open_error());
        return;
    }
    pressindex_stats s;
    if ((st = pressindex_get_stats(idx, &s)) != PRESSINDEX_OK)
        pi_buf_printf(out, "stats failed: %s\n", pressindex_last_error(idx));
    else
        pi_buf_printf(out, "releases %llu passages %llu dates %s..%s\n",
                      (unsigned long long)s.releases, (unsigned long long)s.passages, s.date_min,
                      s.date_max);
    if (pressindex_get_sources(idx, dump_source, out) != PRESSINDEX_OK)
        pi_buf_printf(out, "sources failed: %s\n", pressindex_last_error(idx));
    if (dump_keys(out, idx->db, 1) < 0 || dump_keys(out, idx->db, 0) < 0)
        pi_buf_printf(out, "listing failed: %s\n", xc_last_error());
    xc_keylist *kl = NULL;
    const char *k;
    size_t kn;
    if (xc_db_metadata_keys(idx->db, PI_META_RELEASE, &kl) == XC_OK) {
        while (xc_keylist_next(kl, &k, &kn) > 0) {
            char key[64], *blob = NULL;
            size_t bn = 0;
            pi_release_record rec;
            if (kn != 1 + PI_KEY_LEN)
                continue;
            snprintf(key, sizeof key, "%.*s", (int)kn, k);
            if (xc_db_get_metadata(idx->db, key, &blob, &bn) != XC_OK || !blob ||
                pi_record_decode(blob, bn, &rec) < 0) {
                pi_buf_printf(out, "release %s: no record\n", key);
                continue;
            }
            pressindex_results *res = NULL;
            st = pressindex_get_release(idx, rec.id, &res);
            pi_buf_printf(out, "release %s: %s\n", rec.id, pressindex_status_to_string(st));
            if (res)
                dump_results(out, res, 0);
            pressindex_results_destroy(res);
            pi_record_free(&rec);
        }
    }
    xc_keylist_free(kl);
    pressindex_destroy(idx);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* test_faults --dump PATH (for tests/faults-io.sh): what "equal to a clean build" compares, in
 * DECISIONS.md's words: the statistics, and every release's id, metadata and paragraphs, sorted by
 * id. "none" when there is no index at PATH. */
static int dump_releases(const char *path)
{
    pressindex_status st;
    pressindex *idx = open_index(path, 0, &st);
    if (st == PRESSINDEX_ERR_NOT_FOUND) {
        printf("none\n");
        return 0;
    }
    pressindex_stats s;
    if (st != PRESSINDEX_OK || (st = pressindex_get_stats(idx, &s)) != PRESSINDEX_OK) {
        fprintf(stderr, "test_faults --dump %s: %s\n", path,
                idx ? pressindex_last_error(idx) : pressindex_open_error());
        pressindex_destroy(idx);
        return 1;
    }
    printf("releases %llu passages %llu dates %s..%s\n", (unsigned long long)s.releases,
           (unsigned long long)s.passages, s.date_min, s.date_max);
    char **ids = NULL;
    size_t n = 0, cap = 0;
    xc_keylist *kl = NULL;
    const char *k;
    size_t kn;
    int rc = 0;
    if (xc_db_metadata_keys(idx->db, PI_META_RELEASE, &kl) != XC_OK)
        rc = 1;
    while (!rc && xc_keylist_next(kl, &k, &kn) > 0) {
        char key[64], *blob = NULL;
        size_t bn = 0;
        pi_release_record rec;
        if (kn != 1 + PI_KEY_LEN)
            continue;
        snprintf(key, sizeof key, "%.*s", (int)kn, k);
        if (xc_db_get_metadata(idx->db, key, &blob, &bn) != XC_OK || !blob ||
            pi_record_decode(blob, bn, &rec) < 0) {
            printf("release record %s: damaged\n", key);
            continue;
        }
        if (n == cap && !(ids = realloc(ids, (cap = cap ? 2 * cap : 64) * sizeof *ids)))
            die("out of memory");
        if (!(ids[n++] = strdup(rec.id)))
            die("out of memory");
        pi_record_free(&rec);
    }
    xc_keylist_free(kl);
    if (n)
        qsort(ids, n, sizeof *ids, cmp_str);
    pi_buf out = {0};
    for (size_t i = 0; i < n; i++) {
        pressindex_results *res = NULL;
        st = pressindex_get_release(idx, ids[i], &res);
        pi_buf_clear(&out);
        if (res)
            dump_results(&out, res, 0);
        printf("release %s: %s\n%s", ids[i], pressindex_status_to_string(st), out.p ? out.p : "");
        pressindex_results_destroy(res);
        free(ids[i]);
    }
    free(ids);
    pi_buf_free(&out);
    pressindex_destroy(idx);
    return rc;
}

static int same(const pi_buf *a, const pi_buf *b)
{
    return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

/* Where two dumps part: the line of a where b differs. */
static void show_difference(const char *what, const pi_buf *a, const pi_buf *b)
{
    size_t i = 0, line = 0;
    while (i < a->len && i < b->len && a->p[i] == b->p[i])
        i++;
    size_t s = i;
    while (s > 0 && a->p[s - 1] != '\n')
        s--;
    for (size_t j = 0; j < s; j++)
        line += a->p[j] == '\n';
    const char *ea = strchr(a->p + s, '\n'), *eb = b->len >= s ? strchr(b->p + s, '\n') : NULL;
    fprintf(stderr, "  %s, line %zu:\n    got:      %.*s\n    expected: %.*s\n", what, line + 1,
            ea ? (int)(ea - (a->p + s)) : 200, a->p + s,
            b->len >= s ? (eb ? (int)(eb - (b->p + s)) : 200) : 0, b->len >= s ? b->p + s : "");
}

/* ---------------------------------------------------------------------------------------------- */
/* The operations                                                                                  */

typedef struct op {
    const char *name;
    /* Makes the state before (in the parent, once per run of the operation). */
    void (*setup)(void);
    /* The work, from open to destroy: its status; what it answers (read operations) in *out. */
    pressindex_status (*run)(pi_buf *out);
    int writes;         /* compare the index before and after; rerun after a failure */
    pi_buf before;      /* the index before it, for writers */
    pi_buf after;       /* and after it */
    pi_buf answer;      /* what a fault-free run answers */
    pressindex_status expected;
    long allocations;   /* of a fault-free run */
    int sampled;        /* the sample's N even in a full sweep (CI's is under 30 minutes) */
} op;

static const char *fixtures = FIXTURES_DIR "/releases";

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

static void rm_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) == 0 && nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        die("cannot remove %s: %s", path, strerror(errno));
}

/* cp -a of an index (folders, files, the "current" symlink), without a shell per run. */
static void copy_tree(const char *from, const char *to)
{
    struct stat sb;
    char a[1024], b[1024], buf[1 << 16];
    if (lstat(from, &sb) < 0)
        die("%s: %s", from, strerror(errno));
    if (S_ISLNK(sb.st_mode)) {
        ssize_t n = readlink(from, a, sizeof a - 1);
        if (n < 0 || (a[n] = '\0', symlink(a, to) < 0))
            die("copying the link %s: %s", from, strerror(errno));
    } else if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(from);
        if (!d || mkdir(to, sb.st_mode & 07777) < 0)
            die("copying the folder %s: %s", from, strerror(errno));
        struct dirent *e;
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(a, sizeof a, "%s/%s", from, e->d_name);
                snprintf(b, sizeof b, "%s/%s", to, e->d_name);
                copy_tree(a, b);
            }
        closedir(d);
    } else {
        int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_EXCL, sb.st_mode & 07777);
        ssize_t n;
        while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)n) != n)
                die("copying %s: %s", from, strerror(errno));
        if (in < 0 || out < 0)
            die("copying %s: %s", from, strerror(errno));
        close(in);
        close(out);
    }
}

static void setup_none(void)
{
    rm_tree(runp);
}

static void setup_copy(const char *from)
{
    rm_tree(runp);
    copy_tree(path_in(from), runp);
}

static void setup_part(void) { setup_copy("part"); }
static void setup_synced(void) { setup_copy("synced"); }
static void setup_full(void) { setup_copy("full"); }

static pressindex_status run_index(pi_buf *out)
{
    (void)out;
    pressindex_status st;
    pressindex *idx = open_index(runp, 1, &st);
    if (st != PRESSINDEX_OK)
        return st;
    pressindex_index_stats s;
    st = pressindex_index_path(idx, fixtures, NULL, &s);
    if (st != PRESSINDEX_OK)
        snprintf(last_msg, sizeof last_msg, "%s", pressindex_last_error(idx));
    pressindex_destroy(idx);
    return st;
}

/* Input the readers repair (NULs in JSON strings, a file name that is not UTF-8): the copies
 * they make must not cost a release when memory runs out. */
static pressindex_status run_index_bad(pi_buf *out)
{
    (void)out;
    pressindex_status st;
    pressindex *idx = open_index(runp, 1, &st);
    if (st != PRESSINDEX_OK)
        return st;
    st = pressindex_index_path(idx, path_in("repaired"), NULL, NULL);
    if (st != PRESSINDEX_OK)
        snprintf(last_msg, sizeof last_msg, "%s", pressindex_last_error(idx));
    pressindex_destroy(idx);
    return st;
}

static pressindex_status run_reindex(pi_buf *out)
{
    pressindex_status st;
    pressindex *idx = open_index(runp, 1, &st);
    if (st != PRESSINDEX_OK)
        return st;
    pressindex_reindex_stats s;
    const char *folders[] = {fold};
    st = pressindex_reindex(idx, folders, 1, NULL, &s);
    if (st != PRESSINDEX_OK)
        snprintf(last_msg, sizeof last_msg, "%s", pressindex_last_error(idx));
    UNCOUNTED(pi_buf_printf(out, "added %llu changed %llu deleted %llu unchanged %llu files %llu read %llu\n",
                  (unsigned long long)s.added, (unsigned long long)s.changed,
                  (unsigned long long)s.deleted, (unsigned long long)s.unchanged,
                  (unsigned long long)s.files, (unsigned long long)s.files_read));
    pressindex_destroy(idx);
    return st;
}

static pressindex_status run_compact(pi_buf *out)
{
    (void)out;
    pressindex_status st;
    pressindex *idx = open_index(runp, 1, &st);
    if (st != PRESSINDEX_OK)
        return st;
    st = pressindex_compact(idx);
    if (st != PRESSINDEX_OK)
        snprintf(last_msg, sizeof last_msg, "%s", pressindex_last_error(idx));
    pressindex_destroy(idx);
    return st;
}

/* A program adding releases one by one that goes on after a failure, then commits: after
 * PRESSINDEX_ERR_NO_MEMORY a writer's changes since its last commit are discarded, so what is
 * committed is exactly the releases added after the last failure (none if the commit failed). */
static const char *const add_pars[][2] = {
    {"The harbour of Colombo reopened to container ships on Monday.", "Cranes were repaired."},
    {"A drought has cut the rice harvest in the north by a third.", "Farmers ask for seed."},
    {"The central bank kept its policy rate unchanged.", "Inflation eased to 2 percent."},
};
static int add_failed;    /* the last add of run_add that failed (1-3), 0 if none; 4: not open */
static int commit_failed; /* and whether its commit failed: then it may have landed or not */
static pi_buf add_states[4]; /* the index when add_failed is 0..3 (and 4: as 3, the index before) */

static pressindex_status add_from(const char *path, int from)
{
    pressindex_status st, first = PRESSINDEX_OK;
    add_failed = 4; /* until it is open: nothing can be committed */
    pressindex *idx = open_index(path, 1, &st);
    if (st != PRESSINDEX_OK)
        return st;
    add_failed = 0;
    for (int i = from; i < 3; i++) {
        char id[32], date[32];
        snprintf(id, sizeof id, "added/%d", i + 1);
        snprintf(date, sizeof date, "2025-01-0%d", i + 1);
        pressindex_release r = {id, date, "Added", "Test", NULL, "en", add_pars[i], 2};
        if ((st = pressindex_add_release(idx, &r)) != PRESSINDEX_OK) {
            add_failed = i + 1;
            keep(idx, &first, st);
        }
    }
    commit_failed = 0;
    if ((st = pressindex_commit(idx)) != PRESSINDEX_OK) {
        commit_failed = 1; /* a commit can fail after its changes are on disk */
        keep(idx, &first, st);
    }
    pressindex_destroy(idx);
    return first;
}

static pressindex_status run_add(pi_buf *out)
{
    (void)out;
    return add_from(runp, 0);
}

/* Read operations work on the full index itself: they must not change it (the dump in the parent
 * at the end says whether they did). */
static pressindex_status run_search(pi_buf *out)
{
    static const struct {
        const char *query;
        size_t context;
        int by_release, date;
        const char *since, *source;
    } qs[] = {
        {"\"sacred tooth\"", 0, 0, 0, NULL, NULL},
        {"president NOT sri", 1, 0, 0, NULL, NULL},
        {"develop*", 0, 1, 0, NULL, NULL},
        {"presidnet visit", 2, 0, 0, NULL, NULL},
        {"economy OR blessings", 0, 0, 1, "2022", "The White House"},
        {"title:president \"Dalada Maligawa\"", 0, 0, 0, NULL, NULL},
    };
    pressindex_status st, first = PRESSINDEX_OK;
    pressindex *idx = open_index(path_in("full"), 0, &st);
    if (st != PRESSINDEX_OK)
        return st;
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        pressindex_search_options o;
        pressindex_search_options_init(&o);
        o.query = qs[i].query;
        o.context = qs[i].context;
        o.by_release = qs[i].by_release;
        o.sort = qs[i].date ? PRESSINDEX_SORT_DATE : PRESSINDEX_SORT_RELEVANCE;
        o.since = qs[i].since;
        o.source = qs[i].source;
        pressindex_results *res = NULL;
        st = pressindex_search(idx, &o, &res);
        keep(idx, &first, st);
        UNCOUNTED(pi_buf_printf(out, "search %s: %s\n", qs[i].query, pressindex_status_to_string(st)));
        if (res)
            UNCOUNTED(dump_results(out, res, qs[i].context));
        pressindex_results_destroy(res);
    }
    pressindex_destroy(idx);
    return first;
}

/* Every language (issue 16): an index of the multilingual fixtures, where each word is also
 * searched as the other languages stem it, in their releases. */
static pressindex_status run_search_world(pi_buf *out)
{
    static const char *const qs[] = {"Erdogan", "переговоры Kazakhstan", "总统", "F-16 Xi", "Presdient Erdogan",
                                     "переговоры NEAR Казахстан"};
    pressindex_status st, first = PRESSINDEX_OK;
    pressindex *idx = open_index(path_in("world"), 0, &st);
    if (st != PRESSINDEX_OK)
        return st;
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        pressindex_search_options o;
        pressindex_search_options_init(&o);
        o.query = qs[i];
        pressindex_results *res = NULL;
        st = pressindex_search(idx, &o, &res);
        keep(idx, &first, st);
        UNCOUNTED(pi_buf_printf(out, "search %s: %s\n", qs[i], pressindex_status_to_string(st)));
        if (res)
            UNCOUNTED(dump_results(out, res, 0));
        pressindex_results_destroy(res);
    }
    pressindex_destroy(idx);
    return first;
}

static pressindex_status run_show(pi_buf *out)
{
    static const char *const ids[] = {
        "lk_pmd_2024-09-23-en-3bba97.txt",
        "whitehouse:legislation/2021-03/2021-03-11-bill-signing-h-r-1319",
        "no such release",
    };
    pressindex_status st, first = PRESSINDEX_OK;
    pressindex *idx = open_index(path_in("full"), 0, &st);
    if (st != PRESSINDEX_OK)
        return st;
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        pressindex_results *res = NULL;
        st = pressindex_get_release(idx, ids[i], &res);
        if (st != PRESSINDEX_ERR_NOT_FOUND)
            keep(idx, &first, st);
        UNCOUNTED(pi_buf_printf(out, "show %s: %s\n", ids[i], pressindex_status_to_string(st)));
        if (res)
            UNCOUNTED(dump_results(out, res, 0));
        pressindex_results_destroy(res);
    }
    pressindex_destroy(idx);
    return first;
}

static pressindex_status run_stats(pi_buf *out)
{
    pressindex_status st, first = PRESSINDEX_OK;
    pressindex *idx = open_index(path_in("full"), 0, &st);
    if (st != PRESSINDEX_OK)
        return st;
    pressindex_stats s;
    st = pressindex_get_stats(idx, &s);
    keep(idx, &first, st);
    if (st == PRESSINDEX_OK)
        UNCOUNTED(pi_buf_printf(out, "releases %llu passages %llu dates %s..%s\n",
                      (unsigned long long)s.releases, (unsigned long long)s.passages, s.date_min,
                      s.date_max));
    pi_buf sources = {0};
    st = pressindex_get_sources(idx, dump_source, &sources);
    keep(idx, &first, st);
    if (st == PRESSINDEX_OK)
        UNCOUNTED(pi_buf_add(out, sources.p ? sources.p : "", sources.len));
    pi_buf_free(&sources);
    pressindex_destroy(idx);
    return first;
}

/* An index whose database Xapian refuses to open (a table cut short): Xapian's error, and the
 * message the shim makes of it, with allocations failing. */
static pressindex_status run_damaged(pi_buf *out)
{
    (void)out;
    pressindex_status st;
    pressindex *idx = open_index(path_in("damaged"), 0, &st);
    pressindex_destroy(idx);
    return st;
}

static pressindex_status run_check(pi_buf *out)
{
    pressindex_status st;
    pressindex *idx = open_index(path_in("full"), 0, &st);
    if (st != PRESSINDEX_OK)
        return st;
    pressindex_check_stats s;
    st = pressindex_check(idx, NULL, NULL, &s);
    if (st != PRESSINDEX_OK)
        snprintf(last_msg, sizeof last_msg, "%s", pressindex_last_error(idx));
    if (st == PRESSINDEX_OK)
        UNCOUNTED(pi_buf_printf(out, "releases %llu passages %llu files %llu\n", (unsigned long long)s.releases,
                      (unsigned long long)s.passages, (unsigned long long)s.files));
    pressindex_destroy(idx);
    return st;
}

static op ops[] = {
    {"index-new", setup_none, run_index, 1, {0}, {0}, {0}, 0, 0, 0},
    {"index-more", setup_part, run_index, 1, {0}, {0}, {0}, 0, 0, 0},
    {"index-bad", setup_part, run_index_bad, 1, {0}, {0}, {0}, 0, 0, 0},
    {"reindex", setup_synced, run_reindex, 1, {0}, {0}, {0}, 0, 0, 0},
    {"compact", setup_full, run_compact, 1, {0}, {0}, {0}, 0, 0, 0},
    /* The index reindex wrote release by release: its compaction moves every passages value
     * from Xapian into a new passages store (doc/schema.md, "Schema 9"). Sampled in a full sweep
     * too: its allocations are mostly the compaction's own, which "compact" sweeps one by one,
     * and one by one it added two minutes to CI's stage under ASan. */
    {"compact-fold", setup_synced, run_compact, 1, {0}, {0}, {0}, 0, 0, 1},
    {"search", NULL, run_search, 0, {0}, {0}, {0}, 0, 0, 0},
    {"search-world", NULL, run_search_world, 0, {0}, {0}, {0}, 0, 0, 0},
    {"show", NULL, run_show, 0, {0}, {0}, {0}, 0, 0, 0},
    {"stats", NULL, run_stats, 0, {0}, {0}, {0}, 0, 0, 0},
    {"add", setup_part, run_add, 1, {0}, {0}, {0}, 0, 0, 0},
    {"check", NULL, run_check, 0, {0}, {0}, {0}, 0, 0, 0},
    {"damaged", NULL, run_damaged, 0, {0}, {0}, {0}, 0, 0, 0},
};

/* ---------------------------------------------------------------------------------------------- */
/* The sweep                                                                                       */

enum { CHILD_FIRED = 0, CHILD_DONE = 10, CHILD_WRONG = 3, CHILD_XAPIAN = 4 };

/* A crash while a std::bad_alloc from our operator new is still unwinding inside Xapian, before
 * any catch block of the shim saw it, is Xapian's own (Xapian 1.4's AndContext::postlist deletes
 * the postlists of a phrase twice when building its filter throws): reported apart, as upstream.
 * Any other crash is ours. */
static void crashed(int sig)
{
    if (in_flight) {
        static const char msg[] = "  crashed inside Xapian, unwinding its std::bad_alloc\n";
        if (write(2, msg, sizeof msg - 1) < 0) {
            /* dying anyway */
        }
        _exit(CHILD_XAPIAN);
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

#if defined(__SANITIZE_ADDRESS__)
static void crashed_sanitizer(void)
{
    crashed(0);
}
#endif

/* In the child: one run with the fail_at-th allocation failing. Exits with CHILD_FIRED or
 * CHILD_DONE when all is well, CHILD_WRONG (and messages) when not. */
static void child(op *o, long n)
{
    alarm(120); /* a hang is a failure too: SIGALRM */
    static const int sigs[] = {SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], crashed);
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_set_death_callback(crashed_sanitizer); /* ASan reports a double free itself */
#endif
    pi_buf answer = {0}, state = {0};
    arm(n);
    pressindex_status st = o->run(&answer);
    long counted = disarm();
    int fired = counted >= n, wrong = 0;
    if (st == PRESSINDEX_ERR_NO_MEMORY && !fired) {
        fprintf(stderr, "  no-memory reported, but no allocation failed\n");
        wrong = 1;
    } else if (st != o->expected && st != PRESSINDEX_ERR_NO_MEMORY) {
        fprintf(stderr, "  status %s (%s), expected %s or %s\n", pressindex_status_to_string(st),
                last_msg, pressindex_status_to_string(o->expected),
                pressindex_status_to_string(PRESSINDEX_ERR_NO_MEMORY));
        wrong = 1;
    } else if (st == o->expected && !o->writes &&
               !same(&answer, &o->answer)) {
        fprintf(stderr, "  status %s, but not the answer of a run without a fault:\n",
                pressindex_status_to_string(st));
        show_difference("answer", &answer, &o->answer);
        wrong = 1;
    }
    if (o->writes) {
        dump_index(runp, &state);
        int is_before = same(&state, &o->before);
        int is_after = same(&state, &o->after);
        /* A new index that failed while being created may be no index or an empty one. */
        if (!is_before && o->setup == setup_none)
            is_before = !strcmp(state.p, "none\n") || !strncmp(state.p, "releases 0 passages 0", 21);
        const pi_buf *added = o->run == run_add ? &add_states[add_failed < 4 ? add_failed : 3] : NULL;
        if (added && commit_failed && same(&state, &add_states[3]))
            added = &add_states[3];
        if (added && !same(&state, added)) {
            fprintf(stderr, "  the last add that failed: %d (0: none), the commit %s: the index does "
                            "not hold exactly the releases added after it\n", add_failed,
                    commit_failed ? "failed" : "succeeded");
            show_difference("index", &state, added);
            wrong = 1;
        } else if (added) {
            /* as it should be */
        } else if (st == o->expected && !is_after) {
            fprintf(stderr, "  status %s, but the index is not as it is after a run without a "
                            "fault\n", pressindex_status_to_string(st));
            show_difference("index", &state, &o->after);
            wrong = 1;
        } else if (!is_before && !is_after) {
            fprintf(stderr, "  the index is neither as before nor as after the operation\n");
            show_difference("index vs before", &state, &o->before);
            show_difference("index vs after", &state, &o->after);
            wrong = 1;
        }
        if (strcmp(state.p, "none\n") != 0) {
            pressindex_status cs;
            pressindex *idx = open_index(runp, 0, &cs);
            if (cs == PRESSINDEX_OK)
                cs = pressindex_check(idx, NULL, NULL, NULL);
            if (cs != PRESSINDEX_OK) {
                fprintf(stderr, "  pressindex_check: %s: %s\n", pressindex_status_to_string(cs),
                        idx ? pressindex_last_error(idx) : pressindex_open_error());
                wrong = 1;
            }
            pressindex_destroy(idx);
        }
        if (st != o->expected) {
            /* What a user does next: run it again. It must complete as if nothing happened. */
            pi_buf again = {0};
            st = o->run(&again);
            dump_index(runp, &state);
            if (st != o->expected || !same(&state, &o->after)) {
                fprintf(stderr, "  the rerun without a fault: status %s (expected %s)\n",
                        pressindex_status_to_string(st), pressindex_status_to_string(o->expected));
                if (st == o->expected)
                    show_difference("index after the rerun", &state, &o->after);
                wrong = 1;
            }
            pi_buf_free(&again);
        }
    }
    pi_buf_free(&answer);
    pi_buf_free(&state);
    exit(wrong ? CHILD_WRONG : fired ? CHILD_FIRED : CHILD_DONE);
}

/* The children run side by side, each on its own copy of the index (runp) and writing its
 * messages to its own file, shown when it went wrong. */
typedef struct slot {
    pid_t pid;
    long n;
    char runp[320];
    char log[320];
} slot;

enum { MAX_JOBS = 8 };

static void start(slot *sl, op *o, long n)
{
    snprintf(runp, sizeof runp, "%s", sl->runp);
    if (o->setup)
        o->setup();
    sl->n = n;
    fflush(NULL);
    if (getenv("PI_FAULTS_NOFORK"))
        child(o, n); /* for a debugger */
    sl->pid = fork();
    if (sl->pid < 0)
        die("fork: %s", strerror(errno));
    if (sl->pid == 0) {
        if (!freopen(sl->log, "w", stderr))
            _exit(99);
        child(o, n);
    }
}

/* What the finished child of sl says: CHILD_FIRED, CHILD_DONE, CHILD_XAPIAN, or -1 after showing
 * what went wrong. *upstream_leaks counts runs where LeakSanitizer matched the Xapian suppression. */
static int finish(slot *sl, op *o, int ws, int verbose, long *upstream_leaks)
{
    int rc = -1;
    if (WIFEXITED(ws) && (WEXITSTATUS(ws) == CHILD_FIRED || WEXITSTATUS(ws) == CHILD_DONE ||
                          WEXITSTATUS(ws) == CHILD_XAPIAN))
        rc = WEXITSTATUS(ws);
    char line[1024];
    FILE *f = fopen(sl->log, "r");
    while (f && fgets(line, sizeof line, f)) {
        if (strstr(line, "Suppressions used:"))
            ++*upstream_leaks;
        if (rc < 0 || verbose)
            fputs(line, stderr);
    }
    if (f)
        fclose(f);
    long n = sl->n;
    sl->pid = 0;
    if (rc == CHILD_XAPIAN)
        fprintf(stderr, "upstream: %s, allocation %ld fails inside Xapian, which crashes before "
                        "its exception reaches the shim (not counted as a failure)\n", o->name, n);
    if (rc >= 0)
        return rc;
    if (WIFSIGNALED(ws))
        fprintf(stderr, "FAIL %s, allocation %ld fails: killed by signal %d (%s)\n", o->name, n,
                WTERMSIG(ws), WTERMSIG(ws) == SIGALRM ? "hung" : strsignal(WTERMSIG(ws)));
    else if (WEXITSTATUS(ws) == CHILD_WRONG)
        fprintf(stderr, "FAIL %s, allocation %ld fails: wrong outcome (above)\n", o->name, n);
    else
        fprintf(stderr, "FAIL %s, allocation %ld fails: exit %d (a sanitizer's report above: an "
                        "error, or LeakSanitizer's leaks)\n", o->name, n, WEXITSTATUS(ws));
    return -1;
}

typedef struct sweep {
    long runs, upstream_leaks;
    int failures, upstream_crashes;
} sweep;

/* Runs o for N = first, next_n(first), ... until an N past its last allocation (or once, for
 * one_n), on jobs children at a time. */
static void run_sweep(op *o, slot *slots, int jobs, long first, int one_n, long (*next)(long),
                      sweep *sw)
{
    long n = first;
    int done = 0, running = 0;
    memset(sw, 0, sizeof *sw);
    for (;;) {
        for (int j = 0; j < jobs && !done && sw->failures < 10; j++) {
            if (slots[j].pid)
                continue;
            start(&slots[j], o, n);
            running++;
            sw->runs++;
            if (one_n)
                done = 1;
            n = next(n);
        }
        if (!running)
            break;
        int ws;
        pid_t pid = wait(&ws);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            die("wait: %s", strerror(errno));
        }
        for (int j = 0; j < jobs; j++) {
            if (slots[j].pid != pid)
                continue;
            running--;
            int rc = finish(&slots[j], o, ws, one_n, &sw->upstream_leaks);
            if (rc == CHILD_DONE)
                done = 1;
            sw->upstream_crashes += rc == CHILD_XAPIAN;
            if (rc < 0 && ++sw->failures == 10)
                fprintf(stderr, "%s: 10 failures, the rest of its sweep skipped\n", o->name);
        }
    }
}

/* Fault-free: the expected status, answer and states of an operation. */
static void baseline(op *o)
{
    if (o->setup)
        o->setup();
    if (o->writes)
        dump_index(runp, &o->before);
    arm(0); /* counting, never failing */
    o->expected = o->run(&o->answer);
    o->allocations = disarm();
    if (o->writes)
        dump_index(runp, &o->after);
    if (o->run == run_damaged ? o->expected == PRESSINDEX_OK
                              : o->expected != PRESSINDEX_OK && o->expected != PRESSINDEX_ERR_DATA)
        die("%s without a fault: %s", o->name, pressindex_status_to_string(o->expected));
}

static int wanted(const char *list, const char *name)
{
    if (!list || !*list)
        return 1;
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)); p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

/* The N after n: full sweeps go one by one to 300, then by about 2%; samples to 20, then by 20%.
 * (300: the full sweep under ASan took 11 of a 28-minute CI run at 400, and CI has 30.) */
static long next_full(long n)
{
    return n < 300 ? n + 1 : n + n / 50;
}

static long next_sample(long n)
{
    return n < 20 ? n + 1 : n + n / 5;
}

static void prepare(void)
{
    pressindex_status st;
    /* full: the fixtures; part: one of their files; synced: a reindex of fold. */
    snprintf(runp, sizeof runp, "%s", path_in("full"));
    setup_none();
    if ((st = run_index(NULL)) != PRESSINDEX_OK)
        die("indexing the fixtures: %s", pressindex_status_to_string(st));
    pressindex *idx = open_index(path_in("part"), 1, &st);
    if (st != PRESSINDEX_OK || (st = pressindex_index_path(idx, FIXTURES_DIR "/releases/sample.jsonl",
                                                           NULL, NULL)) != PRESSINDEX_OK)
        die("indexing sample.jsonl: %s", pressindex_status_to_string(st));
    pressindex_destroy(idx);
    idx = open_index(path_in("world"), 1, &st);
    if (st != PRESSINDEX_OK || (st = pressindex_index_path(idx, FIXTURES_DIR "/world", NULL, NULL)) != PRESSINDEX_OK)
        die("indexing fixtures/world: %s", pressindex_status_to_string(st));
    pressindex_destroy(idx);
    sh("cp -a '%s' '%s'", fixtures, fold);
    snprintf(runp, sizeof runp, "%s", path_in("synced"));
    pi_buf out = {0};
    if ((st = run_reindex(&out)) != PRESSINDEX_OK)
        die("reindexing the fixtures: %s", pressindex_status_to_string(st));
    pi_buf_free(&out);
    /* The night's changes: one file changed, one gone, one new. */
    sh("cd '%s' && sed -i 's/Sacred Tooth Relic/Sacred Tooth Relic of Kandy/' "
       "lk_pmd_2024-09-23-en-3bba97.txt && rm lk_pmd_2024-10-01-en-6ef958.txt && "
       "printf 'Title: A new release\\n\\nThe harbour reopened on Monday.\\n\\nShips wait.\\n' "
       "> zz_new.txt", fold);
    for (int k = 0; k < 4; k++) {
        char name[32];
        snprintf(name, sizeof name, "added.%d", k);
        copy_tree(path_in("part"), path_in(name));
        if (k < 3 && (st = add_from(path_in(name), k)) != PRESSINDEX_OK)
            die("adding releases: %s", pressindex_status_to_string(st));
        dump_index(path_in(name), &add_states[k]);
    }
    /* Few allocations ahead of each repair, so that each falls among the N tried one by one. */
    if (mkdir(path_in("repaired"), 0777) < 0)
        die("mkdir: %s", strerror(errno));
    copy_tree(FIXTURES_DIR "/bad/nul_escape.jsonl", path_in("repaired/a.jsonl"));
    FILE *f = fopen(path_in("repaired/b-caf\xe9.txt"), "w");
    if (!f || fputs("Title: Latin-1 name\n\nThe file name is not UTF-8.\n", f) < 0 || fclose(f))
        die("writing a file with a Latin-1 name");
    copy_tree(path_in("full"), path_in("damaged"));
    char target[256], table[600];
    ssize_t tn = readlink(path_in("damaged/current"), target, sizeof target - 1);
    if (tn < 0)
        die("no current in %s", path_in("damaged"));
    target[tn] = '\0';
    snprintf(table, sizeof table, "%s/%s/postlist.glass", path_in("damaged"), target);
    if (truncate(table, 100) < 0)
        die("truncating %s: %s", table, strerror(errno));
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--dump"))
        return dump_releases(argv[2]);
    trace = getenv("PI_FAULTS_TRACE") != NULL;
    void *f[2];
    backtrace(f, 2); /* loads what backtrace() needs before any allocation can fail */
    const char *mode = getenv("PI_FAULTS"), *only = getenv("PI_FAULTS_OPS"),
               *one_n = getenv("PI_FAULTS_N");
    int full = mode && !strcmp(mode, "full");
    /* Where fsync() costs nothing (tmpfs) unless TMPDIR says otherwise: the sweep is about
     * allocations, and thousands of Xapian commits on a disk take minutes. */
    const char *tmp = getenv("TMPDIR");
    struct stat sb;
    if (!tmp || !*tmp)
        tmp = stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0
                  ? "/dev/shm" : "/tmp";
    snprintf(base, sizeof base, "%s/pi-faults-XXXXXX", tmp);
    if (!mkdtemp(base))
        die("mkdtemp: %s", strerror(errno));
    snprintf(fold, sizeof fold, "%s/fold", base);
    /* The build of a new index on two writer threads whatever the machine: the same work on
     * every machine, and the threads' allocations interleaved as in production. */
    setenv("PRESSINDEX_THREADS", "2", 1);
    prepare();
    dump_index(path_in("full"), &full_state);

    const char *jobs_env = getenv("PI_FAULTS_JOBS");
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = jobs_env && *jobs_env ? atoi(jobs_env) : cpus > 0 ? (int)cpus : 1;
    jobs = jobs < 1 ? 1 : jobs > MAX_JOBS ? MAX_JOBS : jobs;
    slot slots[MAX_JOBS];
    memset(slots, 0, sizeof slots);
    for (int j = 0; j < jobs; j++) {
        snprintf(slots[j].runp, sizeof slots[j].runp, "%s/run.%d", base, j);
        snprintf(slots[j].log, sizeof slots[j].log, "%s/log.%d", base, j);
    }

    int failures = 0;
    struct timespec t0, t1;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        op *o = &ops[i];
        if (!wanted(only, o->name))
            continue;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        snprintf(runp, sizeof runp, "%s", slots[0].runp);
        baseline(o);
        sweep sw;
        run_sweep(o, slots, jobs, one_n ? strtol(one_n, NULL, 10) : 1, one_n != NULL,
                  full && !o->sampled ? next_full : next_sample, &sw);
        /* Read operations must have left the index they read alone. */
        if (!o->writes) {
            pi_buf now = {0};
            dump_index(path_in("full"), &now);
            if (!same(&now, &full_state)) {
                fprintf(stderr, "FAIL %s changed the index it read\n", o->name);
                show_difference("index", &now, &full_state);
                sw.failures++;
            }
            pi_buf_free(&now);
        }
        failures += sw.failures;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        printf("%-10s %s: %ld allocations without a fault; %ld runs with one failing (%s); "
               "%d failure(s); upstream: %d crash(es), %ld run(s) leaking inside Xapian; %.1f s\n",
               o->name, pressindex_status_to_string(o->expected), o->allocations, sw.runs,
               one_n ? "one N" : full && !o->sampled ? "every N to 300, then every 2%" : "a sample", sw.failures,
               sw.upstream_crashes, sw.upstream_leaks,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        fflush(stdout);
        pi_buf_free(&o->before);
        pi_buf_free(&o->after);
        pi_buf_free(&o->answer);
    }
    pi_buf_free(&full_state);
    for (int k = 0; k < 4; k++)
        pi_buf_free(&add_states[k]);
    sh("rm -rf '%s'", base);
    return failures ? 1 : 0;
}
