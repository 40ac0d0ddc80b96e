/*
 * index.c - the index directory (lock, pointer to the current database, schema version) and the
 * writing side: release -> passages -> Xapian documents, replaced and deleted by release, committed
 * in batches.
 *
 * Layout of an index directory:
 *   lock      the writer lock (flock); lives here so it survives database swaps
 *   current   a symlink to the live database, replaced atomically with rename() on swaps
 *   db.N/     Xapian (glass) databases
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "input.h"
#include "internal.h"
#include "store.h"
#include "text.h"

#define DEFAULT_BATCH 10000

static _Thread_local char open_error[1024];

const char *pressindex_open_error(void)
{
    return open_error;
}

static void open_defaults(pressindex_open_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->lock_timeout = 30.0;
    o->lang = "en";
}

void pressindex_open_options_init_sized(pressindex_open_options *opts, size_t size)
{
    pressindex_open_options full;
    open_defaults(&full);
    pi_options_give(opts, size, &full, sizeof full);
}

static void index_defaults(pressindex_index_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
    o->format = PRESSINDEX_FORMAT_AUTO;
}

void pressindex_index_options_init_sized(pressindex_index_options *opts, size_t size)
{
    pressindex_index_options full;
    index_defaults(&full);
    pi_options_give(opts, size, &full, sizeof full);
}

char *pi_path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* Takes the writer lock, waiting up to timeout seconds. Returns the fd or -1 (errno EWOULDBLOCK
 * when another writer holds it). */
static int lock_take(const char *dir, double timeout)
{
    char *lp = pi_path_join(dir, "lock");
    if (!lp)
        return -1;
    int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(lp);
    if (fd < 0)
        return -1;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int attempt = 0;; attempt++) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return fd;
        if (errno != EWOULDBLOCK && errno != EINTR)
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double waited = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
        /* A reader opening holds a shared lock for the moment it looks at the directory
         * (check_dir): a few quick retries see past it, whatever the timeout. */
        if (waited >= timeout && attempt >= 5) {
            errno = EWOULDBLOCK;
            break;
        }
        struct timespec nap = {0, (attempt < 5 ? 2 : 100) * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}

/* ---------------------------------------------------------------------------------------------- */
/* The directory                                                                                   */

/* "db." and digits only: the names pressindex gives its databases. */
static int is_db_name(const char *n)
{
    if (strncmp(n, "db.", 3) != 0 || !n[3])
        return 0;
    for (const char *s = n + 3; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* Where the symbolic link dir/name points, when that is one of our database names (malloc()ed);
 * NULL otherwise, with *kind 0 (no such entry), 1 (a link to something else) or 2 (not a link),
 * and errno ENOMEM when memory ran out before it could tell (ENOENT otherwise): out of memory must
 * not pass for a missing pointer, which would be damage. */
static char *link_target(const char *dir, const char *name, int *kind)
{
    *kind = 0;
    char *p = pi_path_join(dir, name);
    if (!p) {
        errno = ENOMEM;
        return NULL;
    }
    char buf[PATH_MAX];
    ssize_t n = readlink(p, buf, sizeof buf - 1);
    int e = errno;
    free(p);
    if (n < 0) {
        *kind = e == EINVAL ? 2 : 0;
        errno = e == ENOMEM ? ENOMEM : ENOENT;
        return NULL;
    }
    buf[n] = '\0';
    *kind = 1;
    if (!is_db_name(buf)) {
        errno = ENOENT;
        return NULL;
    }
    return strdup(buf); /* errno ENOMEM when it fails */
}

/* What "current" points to (malloc()ed), or NULL (errno as link_target's). */
static char *current_target(const char *dir)
{
    int kind;
    return link_target(dir, "current", &kind);
}

/* 1 when dir/name is a directory, 0 when not, -1 out of memory. */
static int is_dir_at(const char *dir, const char *name)
{
    char *p = pi_path_join(dir, name);
    if (!p)
        return -1;
    struct stat sb;
    int r = stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
    free(p);
    return r;
}

/* Makes the database built at tmp (a path in dir) the current one, named name, in renames that
 * leave every crash recognisable: "current.tmp" names the database before it takes its name, so a
 * database that a crash leaves under that name with "current" not yet switched is known to be ours
 * (remove_leftovers), and a database name that already exists is never written over. */
static int swap_in(const char *dir, const char *tmp, const char *name)
{
    char *ct = pi_path_join(dir, "current.tmp");
    char *cur = pi_path_join(dir, "current");
    char *dest = pi_path_join(dir, name);
    int rc = -1, e = ENOMEM;
    if (ct && cur && dest) {
        unlink(ct);
        if (symlink(name, ct) != 0) {
            e = errno;
        } else if (rename(tmp, dest) != 0) {
            e = errno == EEXIST ? ENOTEMPTY : errno;
            unlink(ct);
        } else if (rename(ct, cur) != 0) {
            e = errno;
            /* Back to a leftover's name; if even that fails, current.tmp still says it is ours. */
            if (rename(dest, tmp) == 0)
                unlink(ct);
        } else {
            rc = 0;
        }
    }
    free(ct);
    free(cur);
    free(dest);
    if (rc < 0)
        errno = e;
    return rc;
}

/* fsync()s the directory dir: its renames on disk. 0, or -1 with errno set. */
static int sync_dir(const char *dir)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    int rc = fsync(dfd), e = errno;
    close(dfd);
    errno = e;
    return rc;
}

int pi_sync_dir(const char *dir)
{
    return sync_dir(dir);
}

static pressindex_status open_current(pressindex *idx);
static pressindex_status need_writer(pressindex *idx);

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

void pi_index_remove_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* With the writer lock held, what a crashed writer left: build.* (shards, a first database),
 * compact.* (a compaction, a retired database), and a database that "current.tmp" names but
 * "current" does not (a swap that did not finish). Readers that opened a retired database keep
 * their open files (POSIX), so removing it does not disturb them. Nothing else is touched. */
static void remove_leftovers(pressindex *idx)
{
    int kind;
    char *unfinished = link_target(idx->path, "current.tmp", &kind);
    /* Out of memory, the name current.tmp points to is unknown: current.tmp stays, so that the
     * next writer still knows the database it names for a leftover. */
    if (!unfinished && kind == 1 && errno == ENOMEM)
        kind = 0;
    DIR *d = opendir(idx->path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            const char *n = e->d_name;
            int ours = !strncmp(n, "build.", 6) || !strncmp(n, "compact.", 8) ||
                       !strcmp(n, PI_WATCHES_TMP) ||
                       (unfinished && !strcmp(n, unfinished) &&
                        !(idx->db_target && !strcmp(n, idx->db_target)));
            if (ours) {
                char *p = pi_path_join(idx->path, n);
                if (p)
                    pi_index_remove_tree(p);
                free(p);
            }
        }
        closedir(d);
    }
    if (kind) {
        char *ct = pi_path_join(idx->path, "current.tmp");
        if (ct)
            unlink(ct);
        free(ct);
    }
    free(unfinished);
}

/* "Is a writer at work in dir?" for a reader: 1 when one holds the lock (its build, compaction or
 * swap may be half-way, which is not damage), 0 when none does; then *fd holds a shared lock that
 * keeps one from starting until it is closed. Unknown (no lock file we can open) counts as 1. */
static int writer_active(const char *dir, int *fd)
{
    *fd = -1;
    char *lp = pi_path_join(dir, "lock");
    int f = lp ? open(lp, O_RDONLY | O_CLOEXEC) : -1;
    free(lp);
    if (f < 0)
        return 1;
    if (flock(f, LOCK_SH | LOCK_NB) != 0) {
        close(f);
        return 1;
    }
    *fd = f;
    return 0;
}

/* A directory a writer may lock: ours (a lock or a pointer in it) or empty. */
static int looks_ours(const char *dir)
{
    int kind;
    free(link_target(dir, "current", &kind));
    if (kind)
        return 1;
    char *lp = pi_path_join(dir, "lock");
    int has_lock = lp && access(lp, F_OK) == 0;
    free(lp);
    if (has_lock)
        return 1;
    DIR *d = opendir(dir);
    if (!d)
        return 1; /* the lock's own error will say why */
    struct dirent *e;
    int empty = 1;
    while (empty && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = 0;
    closedir(d);
    return empty;
}

static const char rebuild_hint[] =
    "rebuild it from its sources into a new index (pressindex --db NEW reindex FOLDER..., or "
    "index PATH...) and use that one";

/* How an index directory stands, before anything in it is opened or changed:
 *   PRESSINDEX_OK             a "current" that names a database, and no other database (a reader
 *                             passes over what a working writer may have half-made);
 *   PRESSINDEX_ERR_NOT_FOUND  no database at all: *fresh says whether it may become one (nothing
 *                             in it but what pressindex makes), else the message is set;
 *   PRESSINDEX_ERR_CORRUPT    damaged: "current" missing while databases are there, dangling, or
 *                             not a link to a database. The message names what and how to repair
 *                             it; nothing is touched.
 * A database "current" does not name is left in stray_out (refused by the caller: stray_refusal). */
static pressindex_status look_at_dir(pressindex *idx, int *fresh, char stray_out[256],
                                     int strays_matter)
{
    const char *dir = idx->path;
    *fresh = 0;
    stray_out[0] = '\0';
    int kind, ckind;
    char *target = link_target(dir, "current", &kind);
    int oom = !target && errno == ENOMEM;
    char *unfinished = link_target(dir, "current.tmp", &ckind);
    oom |= !unfinished && errno == ENOMEM;
    char stray[256] = "", newest[256] = "";
    unsigned long newest_n = 0, n_dbs = 0;
    int foreign = 0;
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            const char *n = e->d_name;
            if (is_db_name(n)) {
                if (target && !strcmp(n, target))
                    continue;
                if (unfinished && !strcmp(n, unfinished))
                    continue; /* a swap that did not finish: a leftover */
                n_dbs++;
                unsigned long g = strtoul(n + 3, NULL, 10);
                if (g >= newest_n) {
                    newest_n = g;
                    snprintf(newest, sizeof newest, "%s", n);
                }
                if (!stray[0] || strcmp(n, stray) < 0)
                    snprintf(stray, sizeof stray, "%s", n);
            } else if (strcmp(n, ".") && strcmp(n, "..") && strcmp(n, "lock") && strcmp(n, "current") &&
                       strcmp(n, "current.tmp") && strncmp(n, "build.", 6) && strncmp(n, "compact.", 8) &&
                       strcmp(n, PI_WATCHES) && strcmp(n, PI_WATCHES_TMP)) {
                foreign = 1;
            }
        }
        closedir(d);
    } else if (errno == ENOMEM) {
        oom = 1;
    }

    int target_is_dir = target ? is_dir_at(dir, target) : 0;
    if (target_is_dir < 0)
        oom = 1;
    pressindex_status st = PRESSINDEX_OK;
    if (oom) {
        st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    } else if (kind == 0 && n_dbs) {
        st = pi_fail(idx, PRESSINDEX_ERR_CORRUPT,
                     "%s is damaged: its pointer to the live database (current) is missing, but it "
                     "holds %s%s; nothing was changed. Repair: ln -s %s %s/current (the newest "
                     "database), or %s", dir, stray, n_dbs > 1 ? " and other databases" : "",
                     newest, dir, rebuild_hint);
    } else if (kind == 0) {
        *fresh = !foreign;
        st = foreign ? pi_fail(idx, PRESSINDEX_ERR_NOT_FOUND,
                               "%s exists and is not a pressindex index: not touching it", dir)
                     : pi_fail(idx, PRESSINDEX_ERR_NOT_FOUND,
                               "%s is not a pressindex index (no database in it)", dir);
    } else if (!target) {
        if (n_dbs)
            st = pi_fail(idx, PRESSINDEX_ERR_CORRUPT,
                         "%s is damaged: current is not a link to one of its databases (db.N); "
                         "nothing was changed. Repair: rm %s/current && ln -s %s %s/current (the "
                         "newest database it holds), or %s", dir, dir, newest, dir, rebuild_hint);
        else
            st = pi_fail(idx, PRESSINDEX_ERR_CORRUPT,
                         "%s is damaged: current is not a link to one of its databases (db.N), and "
                         "it holds none; nothing was changed. Repair: %s", dir, rebuild_hint);
    } else if (!target_is_dir) {
        if (n_dbs)
            st = pi_fail(idx, PRESSINDEX_ERR_CORRUPT,
                         "%s is damaged: its pointer current names %s, which is not there; nothing "
                         "was changed. Repair: ln -sfn %s %s/current (the newest database it holds), "
                         "or %s", dir, target, newest, dir, rebuild_hint);
        else
            st = pi_fail(idx, PRESSINDEX_ERR_CORRUPT,
                         "%s is damaged: its pointer current names %s, which is not there, and it "
                         "holds no other database; nothing was changed. Repair: %s", dir, target,
                         rebuild_hint);
    } else if (n_dbs && strays_matter) {
        /* Told once the database current names has opened: if that one is damaged, that is
         * what a repair must start from. */
        snprintf(stray_out, 256, "%s", stray);
    }
    free(target);
    free(unfinished);
    return st;
}

static pressindex_status check_dir(pressindex *idx, int *fresh, char stray_out[256])
{
    /* A writer holds the lock; a reader takes it shared while it looks, unless a writer is at
     * work: then what it sees may be a swap half-way (current read, then the database it named
     * retired), so damage is looked at again before it is believed, and strays are not looked for. */
    int lock_fd = -1;
    int settled = idx->writable || !writer_active(idx->path, &lock_fd);
    pressindex_status st;
    for (int attempt = 0;; attempt++) {
        st = look_at_dir(idx, fresh, stray_out, settled);
        if (st != PRESSINDEX_ERR_CORRUPT || settled || attempt == 5)
            break;
        struct timespec nap = {0, 2 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    if (lock_fd >= 0)
        close(lock_fd);
    return st;
}

static pressindex_status stray_refusal(pressindex *idx, const char *stray)
{
    const char *dir = idx->path, *target = idx->db_target;
    return pi_fail(idx, PRESSINDEX_ERR_CORRUPT,
                   "%s holds %s, a database that its pointer current (%s) does not name; nothing was "
                   "changed. Repair: move %s out of %s to go on with %s, or point current at it "
                   "(ln -sfn %s %s/current) and move %s out", dir, stray, target, stray, dir, target,
                   stray, dir, target);
}

char *pi_index_tmp_path(pressindex *idx, const char *what, unsigned k)
{
    char name[64];
    snprintf(name, sizeof name, "%s.%ld.%u", what, (long)getpid(), k);
    return pi_path_join(idx->path, name);
}

/* fsync()s every file of the database directory dir, then dir: Xapian's compaction does not
 * report a sync that failed, and the new database must be on disk before "current" names it.
 * Returns 0, or -1 with errno set. */
static int sync_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) < 0)
            rc = -1;
        if (fd >= 0) {
            int err = errno;
            close(fd);
            errno = err;
        }
    }
    if (rc == 0 && fsync(dirfd(d)) < 0)
        rc = -1;
    int err = errno;
    closedir(d);
    errno = err;
    return rc;
}

/* Lets go of the database and its passages store. */
static void drop_db(pressindex *idx)
{
    xc_db_free(idx->db);
    pi_store_close(idx->store);
    pi_bpcache_free(idx->bp);
    idx->db = idx->w.db = NULL;
    idx->store = NULL;
    idx->bp = NULL;
}

/* What a build's store copy learns of a source: where its documents went, and its first and last
 * release keys, for the check after the compaction. */
typedef struct src_ends {
    unsigned first, last; /* the source's first and last docids, before the offset */
    unsigned off;
    char *key[2];         /* their release keys, as the source holds them */
    size_t len[2];
} src_ends;

typedef struct store_job {
    const char *const *srcs, *const *runs;
    size_t n;
    pi_store_writer *sw;
    src_ends *ends;       /* n of them; first == 0 for a source without documents */
    atomic_int stop;      /* the compaction failed: the copy is of no use */
    xc_status xs;
    char msg[300];        /* xs's message (xc_ errors are the thread's own) */
} store_job;

static void job_fail(store_job *j, xc_status xs, const char *msg)
{
    j->xs = xs;
    snprintf(j->msg, sizeof j->msg, "%s", msg);
}

/* The build's passages store, written from its runs while Xapian compacts its shards: the two
 * are independent, since the compaction numbers source i's documents after the previous sources'
 * (Database::compact(), renumbering), so each run's docids only move by the sum of the sources'
 * before it. On two cores the merge then takes the longer of the two, not their sum (10x
 * whitehouse: 4.7 s of compaction, 5.1 s of store). The renumbering is checked, not trusted:
 * once the compaction is done, the first and last document of every source must carry the same
 * release key in the compacted database (check_ends). */
static void *store_from_runs(void *arg)
{
    store_job *j = arg;
    unsigned tot = 0;
    for (size_t i = 0; i < j->n && j->xs == XC_OK && !atomic_load(&j->stop); i++) {
        xc_db *src = NULL;
        unsigned *ids = NULL;
        size_t k = 0;
        xc_status xs = xc_db_open(j->srcs[i], XC_DB_READ, &src);
        if (xs == XC_OK)
            xs = xc_db_docids(src, &ids, &k);
        src_ends *e = &j->ends[i];
        if (xs == XC_OK && k) {
            tot -= ids[0] - 1;
            e->off = tot;
            tot += ids[k - 1];
            e->first = ids[0];
            e->last = ids[k - 1];
        }
        for (int t = 0; t < 2 && xs == XC_OK && k; t++)
            xs = xc_db_value(src, t ? e->last : e->first, PI_SLOT_RELEASE, &e->key[t], &e->len[t]);
        if (xs != XC_OK)
            job_fail(j, xs, xc_last_error());
        int rc = xs == XC_OK && k ? pi_store_run_copy(j->runs[i], ids, k, e->off, j->sw) : 0;
        if (rc == -2) {
            job_fail(j, XC_ERR_NO_MEMORY, "out of memory");
        } else if (rc < 0) {
            char msg[300];
            snprintf(msg, sizeof msg, "the build's passages values (%s): %s", j->runs[i],
                     rc == -1 ? "damaged" : strerror(errno));
            job_fail(j, rc == -1 ? XC_ERR_CORRUPT : XC_ERR_IO, msg);
        }
        xc_db_free(src);
        free(ids);
    }
    return NULL;
}

/* Whether the compacted database out numbered the sources' documents as the store did. */
static xc_status check_ends(const store_job *j, xc_db *out)
{
    xc_status xs = XC_OK;
    for (size_t i = 0; i < j->n && xs == XC_OK; i++)
        for (int t = 0; t < 2 && xs == XC_OK && j->ends[i].first; t++) {
            const src_ends *e = &j->ends[i];
            char *b = NULL;
            size_t bl = 0;
            xs = xc_db_value(out, (t ? e->last : e->first) + e->off, PI_SLOT_RELEASE, &b, &bl);
            if (xs == XC_OK && (bl != e->len[t] || memcmp(e->key[t], b, bl)))
                xs = xc_set_error(XC_ERR_OTHER, "the compaction numbered the build's documents "
                                  "otherwise than expected (the passages store cannot follow it)");
            free(b);
        }
    return xs;
}

static xc_status store_failed(int rc)
{
    return rc == -2 ? xc_set_error(XC_ERR_NO_MEMORY, "out of memory")
                    : xc_set_error(rc == -1 ? XC_ERR_CORRUPT : XC_ERR_IO, strerror(errno));
}

/* Moves the passages store from database directory from into to (same file system). */
static xc_status move_store(const char *from, const char *to)
{
    pi_buf a = {0}, b = {0};
    xc_status xs = XC_OK;
    if (pi_buf_printf(&a, "%s/%s", from, PI_STORE_FILE) < 0 ||
        pi_buf_printf(&b, "%s/%s", to, PI_STORE_FILE) < 0)
        xs = xc_set_error(XC_ERR_NO_MEMORY, "out of memory");
    else if (rename(a.p, b.p) != 0)
        xs = xc_set_error(XC_ERR_IO, strerror(errno));
    pi_buf_free(&a);
    pi_buf_free(&b);
    return xs;
}

/* The build's shards compacted into tmp, and its passages store beside them (when its shards kept
 * their values in runs), written in stage (a leftover's name) at the same time, then moved in. */
static xc_status compact_build(const char *const *srcs, size_t n, const char *const *runs,
                               const char *tmp, const char *stage)
{
    store_job j = {.srcs = srcs, .runs = runs, .n = n, .xs = XC_OK};
    pi_index_remove_tree(stage);
    int rc = 0;
    if (!(j.ends = calloc(n ? n : 1, sizeof *j.ends)))
        rc = -2;
    else if (mkdir(stage, 0755) != 0)
        rc = errno == ENOMEM ? -2 : -3;
    else
        rc = pi_store_writer_open(stage, &j.sw);
    if (rc < 0) {
        xc_status xs = store_failed(rc); /* before the clean-up changes errno */
        pi_store_writer_abort(j.sw);
        free(j.ends);
        pi_index_remove_tree(stage);
        return xs;
    }
    atomic_init(&j.stop, 0);
    pthread_t th;
    int threaded = pthread_create(&th, NULL, store_from_runs, &j) == 0;
    xc_status xs = xc_compact(srcs, n, tmp, 0, 0);
    if (xs != XC_OK)
        atomic_store(&j.stop, 1);
    if (threaded)
        pthread_join(th, NULL);
    else if (xs == XC_OK)
        store_from_runs(&j);
    /* The store belongs to the database when the shards said they kept one (they all do). */
    xc_db *out = NULL;
    char *flag = NULL, uuid[37];
    size_t fl = 0;
    if (xs == XC_OK)
        xs = xc_db_open(tmp, XC_DB_READ, &out);
    if (xs == XC_OK)
        xs = xc_db_get_metadata(out, PI_META_STORE, &flag, &fl);
    int has = xs == XC_OK && flag && fl;
    free(flag);
    if (has && j.xs != XC_OK)
        xs = xc_set_error(j.xs, j.msg);
    if (xs == XC_OK && has)
        xs = xc_db_uuid(out, uuid);
    if (xs == XC_OK && has)
        xs = check_ends(&j, out);
    xc_db_free(out);
    if (xs == XC_OK && has) {
        rc = pi_store_writer_finish(j.sw, uuid);
        xs = rc < 0 ? store_failed(rc) : move_store(stage, tmp);
    } else {
        pi_store_writer_abort(j.sw);
    }
    for (size_t i = 0; i < n; i++) {
        free(j.ends[i].key[0]);
        free(j.ends[i].key[1]);
    }
    free(j.ends);
    pi_index_remove_tree(stage);
    return xs;
}

/* A compaction of the index, its first output tmp: the passages values and texts Xapian holds (the
 * releases written since the last build or compaction) move into the store, with a copy of their
 * release records, beside the store's own records of the documents still there, their documents
 * rewritten without them. *moved says how many. */
static xc_status fold_into_store(pi_store *old, const char *tmp, pi_store_writer *sw, size_t *moved,
                                 size_t *held)
{
    static const unsigned slots[] = {PI_SLOT_POS, PI_SLOT_STOPPOS, PI_SLOT_TEXTS};
    xc_db *db = NULL;
    unsigned *ids = NULL;
    size_t k = 0;
    *moved = *held = 0;
    xc_status xs = xc_db_open(tmp, XC_DB_OPEN, &db);
    if (xs == XC_OK)
        xs = xc_db_docids(db, &ids, &k);
    for (size_t i = 0; xs == XC_OK && i < k; i++) {
        pi_store_rec r = {{0}, {0}};
        char *x[PI_STORE_PARTS] = {0}, *key = NULL;
        size_t klen = 0;
        int got = pi_store_get(old, ids[i], &r), rc = 0;
        if (got < 0) {
            xs = xc_set_error(XC_ERR_CORRUPT, "the passages store's record of a release is damaged");
            break;
        }
        for (int j = 0; !got && xs == XC_OK && j < 3 && (j == 0 || r.l[0]); j++)
            if ((xs = xc_db_value(db, ids[i], slots[j], &x[j], &r.l[j])) == XC_OK)
                r.v[j] = x[j];
        if (!got && xs == XC_OK && r.l[0] &&
            (xs = xc_db_value(db, ids[i], PI_SLOT_RELEASE, &key, &klen)) == XC_OK) {
            char mkey[PI_KEY_LEN + 8];
            snprintf(mkey, sizeof mkey, "%s%.*s", PI_META_RELEASE, (int)klen, key);
            if ((xs = xc_db_get_metadata(db, mkey, &x[PI_PART_RECORD], &r.l[PI_PART_RECORD])) == XC_OK)
                r.v[PI_PART_RECORD] = x[PI_PART_RECORD];
            /* Fetched and given back with only its values changed: Xapian rewrites the values
             * alone, not the document's postings. */
            xc_doc *d = NULL;
            if (xs == XC_OK && (xs = xc_db_get_document(db, ids[i], &d)) == XC_OK)
                for (int j = 0; j < 3 && xs == XC_OK; j++)
                    xs = xc_doc_set_value(d, slots[j], "", 0);
            if (xs == XC_OK && (xs = xc_db_replace_document(db, ids[i], d)) == XC_OK) {
                rc = pi_store_writer_add(sw, ids[i], &r);
                ++*moved;
            }
            xc_doc_free(d);
        } else if (got) {
            rc = pi_store_writer_add(sw, ids[i], &r);
        }
        *held += (got || r.l[0]) && xs == XC_OK && rc == 0;
        for (int j = 0; j < PI_STORE_PARTS; j++)
            free(x[j]);
        free(key);
        if (xs == XC_OK && rc < 0)
            xs = rc == -2 ? xc_set_error(XC_ERR_NO_MEMORY, "out of memory")
                          : xc_set_error(XC_ERR_IO, strerror(errno));
    }
    free(ids);
    if (xs == XC_OK && *held && !old)
        xs = xc_db_set_metadata(db, PI_META_STORE, "1", 1);
    if (xs == XC_OK)
        xs = xc_db_commit(db);
    xc_db_free(db);
    return xs;
}

/* A compaction of the index (src) into tmp, its docids kept: first into a leftover's name, where
 * the passages values Xapian holds fold into the store; when some did, compacted again (their
 * documents were rewritten), the store moved along. The store then names tmp's database. */
static xc_status compact_folding(pressindex *idx, const char *src, const char *tmp)
{
    char *first = pi_index_tmp_path(idx, "compact", 2);
    if (!first)
        return xc_set_error(XC_ERR_NO_MEMORY, "out of memory");
    pi_index_remove_tree(first);
    pi_store_writer *sw = NULL;
    size_t moved = 0, held = 0;
    xc_status xs = xc_compact(&src, 1, first, 0, 1);
    int rc = xs == XC_OK ? pi_store_writer_open(first, &sw) : 0;
    if (rc < 0)
        xs = store_failed(rc);
    if (xs == XC_OK)
        xs = fold_into_store(idx->store, first, sw, &moved, &held);
    int keep = xs == XC_OK && (held || idx->store);
    if (keep && (rc = pi_store_writer_finish(sw, "")) < 0)
        xs = store_failed(rc);
    else if (!keep)
        pi_store_writer_abort(sw);
    if (xs == XC_OK && moved) {
        xs = xc_compact((const char *const *)&first, 1, tmp, 0, 1);
        if (xs == XC_OK && keep)
            xs = move_store(first, tmp);
        pi_index_remove_tree(first);
    } else if (xs == XC_OK && rename(first, tmp) != 0) {
        xs = xc_set_error(XC_ERR_IO, strerror(errno));
    }
    if (xs != XC_OK)
        pi_index_remove_tree(first);
    free(first);
    /* The store names its database. */
    xc_db *db = NULL;
    char uuid[37];
    pi_buf p = {0};
    if (xs == XC_OK && keep && (xs = xc_db_open(tmp, XC_DB_READ, &db)) == XC_OK &&
        (xs = xc_db_uuid(db, uuid)) == XC_OK) {
        if (pi_buf_printf(&p, "%s/%s", tmp, PI_STORE_FILE) < 0)
            xs = xc_set_error(XC_ERR_NO_MEMORY, "out of memory");
        else if ((rc = pi_store_restamp(p.p, uuid)) < 0)
            xs = store_failed(rc);
    }
    pi_buf_free(&p);
    xc_db_free(db);
    return xs;
}

pressindex_status pi_index_install(pressindex *idx, const char *const *srcs, size_t n,
                                   const char *const *runs)
{
    unsigned gen = 1;
    if (idx->db_target && !strncmp(idx->db_target, "db.", 3))
        gen = (unsigned)strtoul(idx->db_target + 3, NULL, 10) + 1;
    char name[32];
    snprintf(name, sizeof name, "db.%u", gen);
    /* Compacted under a leftover's name: a crash part-way leaves nothing that looks like a
     * database. */
    char *tmp = pi_index_tmp_path(idx, "compact", 0);
    char *old = idx->db_target ? pi_path_join(idx->path, idx->db_target) : NULL;
    char *retired = pi_index_tmp_path(idx, "compact", 1);
    if (!tmp || !retired || (idx->db_target && !old)) {
        free(tmp);
        free(old);
        free(retired);
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    }
    pi_index_remove_tree(tmp); /* this process's own, if an earlier attempt failed */
    /* One pass: on the build's many shards Xapian's multipass merge took 1.6x the CPU time (24
     * shards of whitehouse: 1.9 s against 1.2 s). */
    /* A compaction of the index keeps its docids: its passages store's records stay theirs. */
    char *stage = runs ? pi_index_tmp_path(idx, "compact", 3) : NULL;
    xc_status xs = !runs ? compact_folding(idx, srcs[0], tmp)
                 : stage ? compact_build(srcs, n, runs, tmp, stage)
                         : xc_set_error(XC_ERR_NO_MEMORY, "out of memory");
    free(stage);
    pressindex_status st = PRESSINDEX_OK;
    if (xs != XC_OK) {
        /* A source that cannot be opened here is this run's own (a shard, or the database just
         * read): out of file descriptors, say, never an input that is missing. */
        if (xs == XC_ERR_NOT_FOUND)
            xs = XC_ERR_IO;
        st = pi_fail_write(idx, xs, "compacting the index");
    } else if (sync_tree(tmp) < 0) {
        /* Xapian's compaction does not report a sync that failed; the new database must be on
         * disk before "current" names it. */
        st = pi_fail(idx, errno == ENOMEM ? PRESSINDEX_ERR_NO_MEMORY : PRESSINDEX_ERR_IO,
                     "cannot write to the index at %s (the new database, to disk): %s", idx->path,
                     strerror(errno));
    } else if (swap_in(idx->path, tmp, name) < 0) {
        /* The one atomic step failed: readers and writers go on with the old database. */
        st = pi_fail(idx, errno == ENOMEM ? PRESSINDEX_ERR_NO_MEMORY : PRESSINDEX_ERR_IO,
                     "cannot write to the index at %s (switching to the new database %s): %s",
                     idx->path, name, strerror(errno));
    }
    if (st != PRESSINDEX_OK) {
        pi_index_remove_tree(tmp);
        free(tmp);
        free(old);
        free(retired);
        return st;
    }
    /* The switch must be on disk before the old database goes, or a power cut could leave
     * "current" naming a removed directory. When that cannot be made sure, the old one is kept
     * (under a leftover's name, for the next writer to remove) and the caller hears of it. */
    int synced = sync_dir(idx->path) == 0, sync_err = errno;
    /* The database "current" named before this swap is retired under a leftover's name, so
     * that a crash while it is removed leaves nothing a later run would have to guess about. */
    const char *gone = old && rename(old, retired) == 0 ? retired : old;
    drop_db(idx); /* the writer's hold on the old database */
    st = open_current(idx);
    if (st == PRESSINDEX_OK && !synced)
        st = pi_fail(idx, PRESSINDEX_ERR_IO, "cannot write to the index at %s (switched to the new "
                     "database %s, but cannot write the switch to disk): %s", idx->path, name,
                     strerror(sync_err));
    else if (gone)
        pi_index_remove_tree(gone);
    free(tmp);
    free(old);
    free(retired);
    return st;
}

pressindex_status pressindex_compact(pressindex *idx)
{
    pressindex_status st = need_writer(idx);
    if (st != PRESSINDEX_OK)
        return st;
    /* What is committed is what gets compacted: pending changes would be lost with the old one. */
    if ((st = pressindex_commit(idx)) != PRESSINDEX_OK)
        return st;
    char *cur = pi_path_join(idx->path, "current");
    if (!cur)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    const char *srcs[1] = {cur};
    st = pi_index_install(idx, srcs, 1, NULL);
    free(cur);
    return st;
}

static pressindex_status check_schema(pressindex *idx)
{
    char *v = NULL;
    size_t n = 0;
    xc_status xs = xc_db_get_metadata(idx->db, PI_META_SCHEMA, &v, &n);
    if (xs != XC_OK)
        return pi_fail_xc(idx, xs, "reading the schema version");
    long schema = v ? strtol(v, NULL, 10) : 0;
    free(v);
    if (schema > PI_SCHEMA)
        return pi_fail(idx, PRESSINDEX_ERR_VERSION,
                       "%s was written by a newer pressindex (index schema %ld, this one reads %d): "
                       "upgrade pressindex", idx->path, schema, PI_SCHEMA);
    if (schema < PI_SCHEMA)
        return pi_fail(idx, PRESSINDEX_ERR_VERSION,
                       "%s has an older index schema (%ld, this pressindex needs %d): %s",
                       idx->path, schema, PI_SCHEMA, rebuild_hint);
    char *lang = NULL;
    if (xc_db_get_metadata(idx->db, PI_META_LANG, &lang, &n) == XC_OK && lang && *lang) {
        free(idx->lang);
        idx->lang = lang;
        idx->w.default_lang = lang; /* the writer borrows it */
    } else {
        free(lang);
    }
    return PRESSINDEX_OK;
}

/* Makes the first database of a fresh directory: built under a leftover's name, then swapped in
 * as db.1, so that a crash part-way never leaves a database without its pointer. */
static pressindex_status create_db(pressindex *idx)
{
    char *tmp = pi_index_tmp_path(idx, "build", 999);
    if (!tmp)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    pi_index_remove_tree(tmp);
    xc_db *db = NULL;
    xc_status xs = xc_db_open(tmp, XC_DB_CREATE_OR_OPEN, &db);
    char v[16];
    snprintf(v, sizeof v, "%d", PI_SCHEMA);
    if (xs == XC_OK && (xs = xc_db_set_metadata(db, PI_META_SCHEMA, v, strlen(v))) == XC_OK &&
        (xs = xc_db_set_metadata(db, PI_META_LANG, idx->lang, strlen(idx->lang))) == XC_OK)
        xs = xc_db_commit(db);
    xc_db_free(db);
    pressindex_status st = PRESSINDEX_OK;
    if (xs != XC_OK)
        st = pi_fail_write(idx, xs, "creating the index database");
    else if (swap_in(idx->path, tmp, "db.1") < 0)
        st = pi_fail(idx, errno == ENOMEM ? PRESSINDEX_ERR_NO_MEMORY : PRESSINDEX_ERR_IO,
                     "cannot write to the index at %s (creating its database pointer): %s",
                     idx->path, strerror(errno));
    else
        (void)sync_dir(idx->path); /* an empty database: nothing to lose if this one fails */
    if (st != PRESSINDEX_OK)
        pi_index_remove_tree(tmp);
    free(tmp);
    return st;
}

/* The database's passages store (store.h), when its metadata says it has one. */
static pressindex_status open_store(pressindex *idx)
{
    char *flag = NULL, uuid[37], msg[256];
    size_t fl = 0;
    xc_status xs = xc_db_get_metadata(idx->db, PI_META_STORE, &flag, &fl);
    int has = xs == XC_OK && flag && fl;
    free(flag);
    if (xs == XC_OK && has)
        xs = xc_db_uuid(idx->db, uuid);
    if (xs != XC_OK)
        return xs == XC_ERR_MODIFIED ? PRESSINDEX_ERR_MODIFIED : pi_fail_xc(idx, xs, "opening it");
    if (!has)
        return PRESSINDEX_OK;
    char *dir = pi_path_join(idx->path, idx->db_target);
    if (!dir)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    pi_store *s = NULL;
    int rc = pi_store_open(dir, uuid, &s, msg, sizeof msg);
    free(dir);
    if (rc == 0 && !s) {
        rc = -1;
        snprintf(msg, sizeof msg, "its passages store (%s) is missing", PI_STORE_FILE);
    }
    if (rc == -1) {
        /* "current" may have moved on between reading it and opening its database: not damage. */
        char *now = current_target(idx->path);
        int moved = now && strcmp(now, idx->db_target) != 0;
        free(now);
        if (moved)
            return PRESSINDEX_ERR_MODIFIED;
        return pi_fail(idx, PRESSINDEX_ERR_CORRUPT, "%s is damaged: %s; nothing was changed. "
                       "Repair: %s", idx->path, msg, rebuild_hint);
    }
    if (rc == -2)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    if (rc < 0)
        return pi_fail(idx, PRESSINDEX_ERR_IO, "%s: cannot read its passages store: %s", idx->path,
                       strerror(errno));
    idx->store = s;
    xc_db_set_user(idx->db, s);
    return PRESSINDEX_OK;
}

static pressindex_status open_current_once(pressindex *idx)
{
    free(idx->db_target);
    idx->db_target = current_target(idx->path);
    if (!idx->db_target && errno == ENOMEM)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    if (!idx->db_target)
        return pi_fail(idx, PRESSINDEX_ERR_NOT_FOUND, "%s is not a pressindex index (no database in it)",
                       idx->path);
    char *cp = pi_path_join(idx->path, "current");
    if (!cp)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    /* Xapian's writable open leaves a lock file in a folder that holds no database: look first
     * (our databases are glass; its version file names it). */
    char *vp = pi_path_join(cp, "iamglass");
    if (!vp) {
        free(cp);
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    }
    int has_db = access(vp, F_OK) == 0;
    free(vp);
    xc_db *db = NULL;
    xc_status xs = has_db ? xc_db_open(cp, idx->writable ? XC_DB_OPEN : XC_DB_READ, &db)
                          : XC_ERR_NOT_FOUND;
    free(cp);
    if (xs == XC_ERR_NOT_FOUND)
        return pi_fail(idx, PRESSINDEX_ERR_CORRUPT,
                       "%s is damaged: its pointer current names %s, which holds no database (a "
                       "half-made build or an emptied folder); nothing was changed. Repair: %s",
                       idx->path, idx->db_target, rebuild_hint);
    if (xs == XC_ERR_CORRUPT)
        return pi_fail_xc(idx, xs, "opening it");
    if (xs != XC_OK)
        return pi_fail(idx, pi_status_from_xc(xs), "%s: cannot open the index: %s", idx->path,
                       xc_last_error());
    drop_db(idx);
    idx->db = db;
    idx->w.db = db;
    pressindex_status st = check_schema(idx);
    return st == PRESSINDEX_OK ? open_store(idx) : st;
}

/* A reader opening while a writer commits quickly can find the revision it opened already
 * recycled (DatabaseModifiedError, or a "corrupt" block that a later commit reused): opening again
 * gets the newest one. Damage that is really there stays after ten tries. */
static pressindex_status open_current(pressindex *idx)
{
    /* A commit replaces the version file (a new inode): if it stayed the same through every try,
     * no writer was racing us and "modified" was the damage speaking. */
    struct stat before = {0}, after = {0};
    char *cp = pi_path_join(idx->path, "current/iamglass");
    int seen = cp && stat(cp, &before) == 0;
    pressindex_status st = PRESSINDEX_ERR_MODIFIED;
    for (int attempt = 0; attempt < 10 && (st == PRESSINDEX_ERR_MODIFIED ||
                                           (st == PRESSINDEX_ERR_CORRUPT && attempt && !idx->writable));
         attempt++)
        st = open_current_once(idx);
    if (st == PRESSINDEX_ERR_MODIFIED && seen && stat(cp, &after) == 0 &&
        before.st_ino == after.st_ino && before.st_mtime == after.st_mtime &&
        before.st_size == after.st_size)
        st = pi_fail(idx, PRESSINDEX_ERR_CORRUPT,
                     "%s is damaged: its database cannot be read (Xapian keeps saying a revision "
                     "was discarded while nothing writes to it). Repair: %s", idx->path, rebuild_hint);
    free(cp);
    return st;
}

pressindex_status pressindex_open(const char *path, const pressindex_open_options *opts,
                                  pressindex **out)
{
    pressindex_open_options defaults;
    pressindex_status st;
    open_error[0] = '\0';
    if (out)
        *out = NULL;
    if (!path || !*path || !out) {
        snprintf(open_error, sizeof open_error, "pressindex_open: no path or no handle given");
        return PRESSINDEX_ERR_INVALID_ARGUMENT;
    }
    open_defaults(&defaults);
    if (opts && pi_options_take(&defaults, sizeof defaults, opts) < 0) {
        snprintf(open_error, sizeof open_error,
                 "pressindex_open: options not made by pressindex_open_options_init()");
        return PRESSINDEX_ERR_INVALID_ARGUMENT;
    }
    opts = &defaults;
    pressindex *idx = calloc(1, sizeof *idx);
    if (!idx) {
        snprintf(open_error, sizeof open_error, "out of memory");
        return PRESSINDEX_ERR_NO_MEMORY;
    }
    idx->lock_fd = -1;
    idx->err_pos = -1;
    idx->writable = opts->writable != 0;
    idx->batch = DEFAULT_BATCH;
    idx->path = strdup(path);
    idx->lang = strdup(opts->lang && *opts->lang ? opts->lang : "en");
    if (!idx->path || !idx->lang) {
        st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        goto fail;
    }
    const char *batch = getenv("PRESSINDEX_BATCH");
    if (batch && strtoull(batch, NULL, 10) > 0)
        idx->batch = strtoull(batch, NULL, 10);

    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (!(idx->writable && opts->create)) {
            st = pi_fail(idx, PRESSINDEX_ERR_NOT_FOUND, "no index at %s", path);
            goto fail;
        }
        if (mkdir(path, 0777) == 0)
            idx->made_dir = 1;
        else if (errno != EEXIST) {
            st = pi_fail(idx, PRESSINDEX_ERR_IO, "cannot create %s: %s", path, strerror(errno));
            goto fail;
        }
    } else if (!S_ISDIR(sb.st_mode)) {
        st = pi_fail(idx, PRESSINDEX_ERR_NOT_FOUND, "%s is not a pressindex index (not a directory)", path);
        goto fail;
    }

    if (idx->writable) {
        /* Someone else's folder does not even get a lock file. */
        if (!idx->made_dir && !looks_ours(path)) {
            st = pi_fail(idx, PRESSINDEX_ERR_NOT_FOUND,
                         "%s exists and is not a pressindex index: not touching it", path);
            goto fail;
        }
        idx->lock_fd = lock_take(path, opts->lock_timeout);
        if (idx->lock_fd < 0) {
            if (errno == EWOULDBLOCK)
                st = pi_fail(idx, PRESSINDEX_ERR_LOCKED,
                             "%s is locked by another writer (waited %g s); try again later", path,
                             opts->lock_timeout);
            else if (errno == ENOMEM)
                st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
            else
                st = pi_fail(idx, PRESSINDEX_ERR_IO, "%s: cannot take the writer lock: %s", path,
                             strerror(errno));
            goto fail;
        }
        xc_fatal_write_path(path);
    }
    int fresh = 0;
    char stray[256];
    st = check_dir(idx, &fresh, stray);
    if (st == PRESSINDEX_ERR_NOT_FOUND && fresh && idx->writable && opts->create) {
        remove_leftovers(idx); /* of a creation that did not finish */
        st = create_db(idx);
    }
    if (st != PRESSINDEX_OK)
        goto fail;
    if ((st = open_current(idx)) != PRESSINDEX_OK)
        goto fail;
    if (stray[0]) {
        st = stray_refusal(idx, stray);
        goto fail;
    }
    if (idx->writable)
        remove_leftovers(idx);
    if (idx->writable && pi_writer_init(&idx->w, idx->db, idx->lang, idx->batch) < 0) {
        st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        goto fail;
    }
    *out = idx;
    return PRESSINDEX_OK;

fail:
    snprintf(open_error, sizeof open_error, "%s", pressindex_last_error(idx));
    pressindex_destroy(idx);
    return st;
}

/* Nothing but what creating it wrote: no passage, no metadata but the schema and the language. */
static int holds_nothing(pressindex *idx)
{
    uint64_t docs = 1;
    xc_keylist *kl = NULL;
    if (!idx->db || xc_db_doccount(idx->db, &docs) != XC_OK || docs ||
        xc_db_metadata_keys(idx->db, "", &kl) != XC_OK)
        return 0;
    const char *k;
    size_t kn;
    int more, other = 0;
    while (!other && (more = xc_keylist_next(kl, &k, &kn)) > 0)
        other = !(kn == strlen(PI_META_SCHEMA) && !memcmp(k, PI_META_SCHEMA, kn)) &&
                !(kn == strlen(PI_META_LANG) && !memcmp(k, PI_META_LANG, kn));
    xc_keylist_free(kl);
    return !other && more == 0;
}

/* Takes back what pressindex_open made, entry by entry: the folder itself goes only if nothing
 * else has appeared in it. */
static void unmake_dir(pressindex *idx)
{
    const char *names[] = {idx->db_target, "current", "current.tmp", "lock"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *p = names[i] ? pi_path_join(idx->path, names[i]) : NULL;
        if (p && i == 0)
            pi_index_remove_tree(p);
        else if (p)
            unlink(p);
        free(p);
    }
    rmdir(idx->path);
}

void pressindex_destroy(pressindex *idx)
{
    if (!idx)
        return;
    /* An index created by this handle for a run that found none of its inputs is no index:
     * `pressindex --db NEW reindex /wrong/path` leaves nothing to be mistaken for one. */
    int unmake = idx->made_dir && idx->input_missing && idx->lock_fd >= 0 && holds_nothing(idx);
    pi_writer_fini(&idx->w);
    drop_db(idx); /* a writer's uncommitted changes are discarded here */
    if (unmake)
        unmake_dir(idx);
    if (idx->lock_fd >= 0)
        close(idx->lock_fd); /* releases the flock */
    pi_stemmers_free(&idx->stemmers);
    pi_unz_free(idx->unz);
    free(idx->path);
    free(idx->lang);
    free(idx->db_target);
    pi_buf_free(&idx->err);
    free(idx);
}

pressindex_status pi_index_usable(pressindex *idx)
{
    if (!idx->broken)
        return PRESSINDEX_OK;
    if (idx->writable) {
        drop_db(idx); /* a writer's lock on it must go before it is opened again */
        idx->w.pending = 0;
    }
    idx->broken = 0;
    pressindex_status st = open_current(idx);
    if (st == PRESSINDEX_OK && idx->writable) {
        xc_status xs = pi_writer_reload_seq(&idx->w); /* the discarded writes' numbers go too */
        if (xs != XC_OK)
            st = pi_fail_xc(idx, xs, "reopening the index");
    }
    if (st != PRESSINDEX_OK)
        idx->broken = 1; /* (no database now, for a writer): try again next time */
    return st;
}

pressindex_status pi_index_refresh(pressindex *idx)
{
    pressindex_status st = pi_index_usable(idx);
    if (st != PRESSINDEX_OK || !idx->db)
        return st;
    char *target = current_target(idx->path);
    int swapped = target && idx->db_target && strcmp(target, idx->db_target) != 0;
    free(target);
    if (swapped)
        return open_current(idx);
    int changed = 0;
    xc_status xs = xc_db_reopen(idx->db, &changed);
    /* (Corrupt: a reopen racing commits can meet recycled blocks too; a fresh open tells.) */
    if (xs == XC_ERR_MODIFIED || xs == XC_ERR_CORRUPT)
        return open_current(idx);
    return xs == XC_OK ? PRESSINDEX_OK : pi_fail_xc(idx, xs, "reopening the index");
}

/* A reader's revision is no longer the newest: reopened onto the newest, 1; else 0. */
static int moved_on(pressindex *idx)
{
    int changed = 0;
    return xc_db_reopen(idx->db, &changed) == XC_OK && changed;
}

pressindex_status pi_read_fail(pressindex *idx, xc_status xs, const char *context)
{
    if (xs == XC_ERR_MODIFIED)
        return PRESSINDEX_ERR_MODIFIED;
    if (xs == XC_ERR_CORRUPT && !idx->writable) {
        /* Readers racing a writer that commits back to back see this ("Expected block 2 to be
         * level 1, not 0") about once in a few thousand reads: the revision they read was
         * recycled under them. A newer revision says it was that race; none says damage. */
        char detail[512];
        snprintf(detail, sizeof detail, "%s", xc_last_error());
        if (moved_on(idx))
            return PRESSINDEX_ERR_MODIFIED;
        return pi_fail_xc_detail(idx, xs, context, detail, 0);
    }
    return pi_fail_xc(idx, xs, context);
}

pressindex_status pi_read_damaged(pressindex *idx, const char *what)
{
    /* A recycled revision can also read as a key that is not there, without an error. */
    if (!idx->writable && moved_on(idx))
        return PRESSINDEX_ERR_MODIFIED;
    return pi_fail(idx, PRESSINDEX_ERR_CORRUPT, "%s", what);
}

pressindex_status pi_decode_fail(pressindex *idx, int rc, const char *what)
{
    return rc == -2 ? pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory") : pi_read_damaged(idx, what);
}

pressindex_status pi_retry_pause(pressindex *idx, unsigned attempt, double deadline, double limit)
{
    /* The first retries go at once (a commit landed once); then 1, 2, 4 ... 50 ms apart, about a
     * minute in all: a reader outlasts a writer committing back to back. */
    enum { AT_ONCE = 3, MAX_MS = 50, MAX_ATTEMPTS = AT_ONCE + 7 + 1200 };
    if (attempt >= MAX_ATTEMPTS)
        return pi_fail(idx, PRESSINDEX_ERR_MODIFIED, "the index kept changing during the read; try again");
    if (attempt > AT_ONCE) {
        unsigned shift = attempt - AT_ONCE - 1 < 6 ? attempt - AT_ONCE - 1 : 6, ms = 1u << shift;
        struct timespec ts = {0, (long)(ms < MAX_MS ? ms : MAX_MS) * 1000000L};
        nanosleep(&ts, NULL);
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (deadline > 0 && (double)now.tv_sec + (double)now.tv_nsec / 1e9 > deadline)
        return pi_fail(idx, PRESSINDEX_ERR_TIMEOUT,
                       "the search took longer than its time limit (%g s) while the index kept "
                       "changing: try again later", limit);
    return PRESSINDEX_OK;
}

pi_stemmer *pi_index_stemmer(pressindex *idx, const char *lang)
{
    return pi_stemmers_get(&idx->stemmers, lang, idx->lang);
}

/* ---------------------------------------------------------------------------------------------- */
/* Writing                                                                                         */

static pressindex_status need_writer(pressindex *idx)
{
    if (!idx)
        return PRESSINDEX_ERR_INVALID_ARGUMENT;
    if (!idx->writable)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "the index was opened read-only");
    return pi_index_usable(idx);
}

int pi_release_date(const pressindex_release *r, char out[11])
{
    out[0] = '\0';
    if (!r->date || !*r->date)
        return 0;
    if (pi_date_parse(r->date, strlen(r->date), out) <= 0) {
        out[0] = '\0';
        return 1;
    }
    return 0;
}

pressindex_status pressindex_add_release(pressindex *idx, const pressindex_release *r)
{
    pressindex_status st = need_writer(idx);
    if (st != PRESSINDEX_OK)
        return st;
    if (!r || !r->id || !*r->id)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "a release needs a non-empty id");
    if (r->n_paragraphs && !r->paragraphs)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "release %s: no paragraphs array", r->id);
    /* What the readers repair in files is repaired here alike, so that a release is stored the
     * same whichever way it came in: text that is not UTF-8 would be unsearchable and unprintable
     * as JSON, and an unknown language would be a language of its own. */
    pi_repaired fix;
    /* The record keeps the digest of the release as handed in: what a reindex computes from the
     * file, so that it can take over a release that pressindex index wrote, unchanged. */
    char digest[PI_DIGEST_LEN + 1];
    pi_release_digest(r, digest);
    if (pi_release_repair(r, &fix) < 0)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    r = &fix.rel;
    char date[11];
    int bad_date = pi_release_date(r, date);
    idx->w.digest = digest;
    xc_status xs = pi_writer_put(&idx->w, r, date);
    idx->w.digest = NULL;
    if (xs != XC_OK) {
        char what[160];
        snprintf(what, sizeof what, "adding release %.120s", r->id);
        st = pi_fail_write(idx, xs, what);
        pi_repaired_free(&fix);
        return st;
    }
    /* One message naming every repair, in the readers' words. */
    pi_buf msg = {0};
    char part[160];
    int rc = 0;
    if (fix.utf8)
        rc |= pi_buf_printf(&msg, "; %s", pi_msg_utf8(part, sizeof part, fix.utf8));
    if (fix.bad_lang)
        rc |= pi_buf_printf(&msg, "; %s", pi_msg_lang(part, sizeof part, fix.bad_lang));
    if (bad_date)
        rc |= pi_buf_printf(&msg, "; impossible or unrecognised date \"%.60s\", indexed undated",
                            r->date);
    st = PRESSINDEX_OK;
    if (rc < 0)
        st = pi_fail(idx, PRESSINDEX_ERR_DATA, "release %s: repaired (out of memory for the details)",
                     r->id);
    else if (msg.len)
        st = pi_fail(idx, PRESSINDEX_ERR_DATA, "release %s: %s", r->id, msg.p + 2);
    pi_buf_free(&msg);
    pi_repaired_free(&fix);
    return st;
}

pressindex_status pressindex_delete_release(pressindex *idx, const char *id)
{
    pressindex_status st = need_writer(idx);
    if (st != PRESSINDEX_OK)
        return st;
    if (!id || !*id)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no release id given");
    xc_status xs = pi_writer_delete(&idx->w, id);
    if (xs == XC_OK)
        return PRESSINDEX_OK;
    char what[160];
    snprintf(what, sizeof what, "deleting release %.120s", id);
    return pi_fail_write(idx, xs, what);
}

pressindex_status pressindex_commit(pressindex *idx)
{
    pressindex_status st = need_writer(idx);
    if (st != PRESSINDEX_OK)
        return st;
    xc_status xs = pi_writer_commit(&idx->w);
    return xs == XC_OK ? PRESSINDEX_OK : pi_fail_write(idx, xs, "committing");
}

/* ---------------------------------------------------------------------------------------------- */
/* Indexing files                                                                                  */

typedef struct run {
    pressindex *idx;
    const pressindex_index_options *opts;
    pressindex_index_summary *sum;
    pi_idset ids;
    pressindex_status fatal;
} run;

void pressindex_index_summary_init_sized(pressindex_index_summary *s, size_t size)
{
    pressindex_index_summary full;
    memset(&full, 0, sizeof full);
    full.size = sizeof full;
    pi_options_give(s, size, &full, sizeof full);
}

int pi_index_claim(pi_idset *ids, pressindex_index_summary *sum, const pressindex_index_options *opts,
                   const pressindex_release *r, const char *file, unsigned long line, int *kind,
                   uint32_t **tag)
{
    unsigned passages = 0;
    uint64_t bytes = 0;
    for (size_t i = 0; i < r->n_paragraphs; i++)
        if (r->paragraphs[i] && *r->paragraphs[i]) {
            passages++;
            bytes += strlen(r->paragraphs[i]);
        }
    pi_idclaim c;
    if (pi_idset_claim(ids, r->id, file, line, passages, &c) < 0)
        return -1;
    *kind = c.kind;
    if (tag)
        *tag = c.tag;
    if (c.kind == PI_ID_CLASH) {
        char msg[768];
        sum->problems++;
        sum->skipped++;
        if (opts->on_problem)
            opts->on_problem(opts->user, file, line, pi_msg_clash(msg, sizeof msg, r->id, &c));
        return 0;
    }
    /* A revision's passages take the place of its earlier version's. */
    sum->passages += passages;
    if (c.kind == PI_ID_REVISION)
        sum->passages -= c.prev_passages;
    sum->bytes += bytes;
    return 1;
}

static int on_release(void *ctx, const pressindex_release *r, const char *file, unsigned long line)
{
    run *ru = ctx;
    int kind;
    int k = pi_index_claim(&ru->ids, ru->sum, ru->opts, r, file, line, &kind, NULL);
    if (k < 0) {
        ru->fatal = pi_fail(ru->idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        return 1;
    }
    if (k == 0)
        return 0;
    pressindex_status st = pressindex_add_release(ru->idx, r);
    if (st == PRESSINDEX_ERR_DATA) {
        ru->sum->problems++;
        if (ru->opts->on_problem)
            ru->opts->on_problem(ru->opts->user, file, line, pressindex_last_error(ru->idx));
    } else if (st != PRESSINDEX_OK) {
        ru->fatal = st; /* the index itself failed: stop, the caller reports it */
        return 1;
    }
    if (kind == PI_ID_NEW) {
        ru->sum->releases++;
        if (ru->idx->w.replaced)
            ru->sum->replaced++;
        else
            ru->sum->added++;
    }
    if (ru->opts->on_progress && kind == PI_ID_NEW && ru->sum->releases % 256 == 0)
        ru->opts->on_progress(ru->opts->user, ru->sum->releases, ru->sum->passages, ru->sum->bytes);
    return 0;
}

/* An enum from a caller is any int: one this library does not know is refused, never guessed. */
static pressindex_status check_index_options(pressindex *idx, const pressindex_index_options *o)
{
    if (o->format != PRESSINDEX_FORMAT_AUTO && o->format != PRESSINDEX_FORMAT_TEXT &&
        o->format != PRESSINDEX_FORMAT_JSONL)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT,
                       "pressindex_index_options.format is %d: not a pressindex_format",
                       (int)o->format);
    return PRESSINDEX_OK;
}

/* Which paths to read: a path given twice (however spelt) is read once, and two folders of one
 * name, whose files would share their ids, are refused before anything is read. skip[i] is set
 * for the repeats. */
static pressindex_status plan_paths(pressindex *idx, const char *const *paths, size_t n, char *skip)
{
    char **keys = calloc(n ? n : 1, sizeof *keys), **names = calloc(n ? n : 1, sizeof *names);
    pressindex_status st = keys && names ? PRESSINDEX_OK
                                         : pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    for (size_t i = 0; i < n && st == PRESSINDEX_OK; i++) {
        if (strcmp(paths[i], "-") == 0)
            continue;
        struct stat sb;
        if (!(keys[i] = pi_folder_key_path(paths[i])) ||
            (stat(paths[i], &sb) == 0 && S_ISDIR(sb.st_mode) && !(names[i] = pi_folder_name(paths[i])))) {
            st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
            break;
        }
        for (size_t j = 0; j < i && !skip[i]; j++) {
            if (keys[j] && strcmp(keys[j], keys[i]) == 0)
                skip[i] = 1;
            else if (names[i] && names[j] && strcmp(names[i], names[j]) == 0) {
                idx->input_missing = 1; /* an index made for this run is not kept */
                st = pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT,
                             "%s and %s are both named \"%s\": their files would have the same ids "
                             "(give folders of different names, or their parent); nothing was "
                             "indexed", paths[j], paths[i], names[i]);
            }
        }
    }
    for (size_t i = 0; keys && names && i < n; i++) {
        free(keys[i]);
        free(names[i]);
    }
    free(keys);
    free(names);
    return st;
}

/* The options and summary a caller handed in, checked, with the defaults behind them. */
static pressindex_status take_index_options(pressindex *idx, const pressindex_index_options *opts,
                                            pressindex_index_options *full)
{
    index_defaults(full);
    if (opts && pi_options_take(full, sizeof *full, opts) < 0)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT,
                       "options not made by pressindex_index_options_init()");
    return check_index_options(idx, full);
}

static void summary_to_stats(const pressindex_index_summary *s, pressindex_index_stats *st)
{
    if (!st)
        return;
    st->files = s->files;
    st->releases = s->releases;
    st->passages = s->passages;
    st->bytes = s->bytes;
    st->skipped = s->skipped;
    st->problems = s->problems;
}

/* The run over paths (already planned); the status of its input ("missing" counted). */
static pressindex_status index_run(pressindex *idx, const char *const *paths, size_t n,
                                   const char *skip, const pressindex_index_options *opts,
                                   pressindex_index_summary *sum, size_t *missing)
{
    pressindex_status st;
    /* An empty index is built on every core; otherwise releases replace others one by one. */
    uint64_t docs = 0;
    pressindex_stats have;
    run ru = {idx, opts, sum, {0}, PRESSINDEX_OK};
    /* Which way is decided, not fallen into: a read that fails (out of memory) is the run's
     * failure, never a serial build instead (its index has no passages store). */
    int empty = 0;
    if (idx->w.pending == 0) {
        xc_status xs = xc_db_doccount(idx->db, &docs);
        if (xs != XC_OK)
            return pi_fail_xc(idx, xs, "reading the index");
        if (docs == 0 && (st = pressindex_get_stats(idx, &have)) != PRESSINDEX_OK)
            return st;
        empty = docs == 0 && have.releases == 0;
    }
    if (empty && !(getenv("PRESSINDEX_THREADS") && atoi(getenv("PRESSINDEX_THREADS")) == 1)) {
        st = pi_build_parallel(idx, paths, n, skip, opts, sum, &ru.ids, missing);
        pi_idset_free(&ru.ids);
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        if (skip[i])
            continue;
        pi_input_options io = pi_index_input_options(opts, paths[i], on_release, &ru);
        pi_input_stats is = {0};
        pi_idset_next_input(&ru.ids);
        int rc = pi_input_read(paths[i], &io, &is);
        sum->files += is.files;
        sum->skipped += is.skipped;
        sum->problems += is.problems;
        if (ru.fatal != PRESSINDEX_OK)
            break;
        if (is.no_memory) {
            ru.fatal = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "%s: out of memory", paths[i]);
            break;
        }
        if (rc < 0)
            (*missing)++;
    }
    pi_idset_free(&ru.ids);
    if (ru.fatal != PRESSINDEX_OK)
        return ru.fatal; /* message already on the handle; uncommitted work is discarded */
    return pressindex_commit(idx);
}

pressindex_status pressindex_index_paths(pressindex *idx, const char *const *paths, size_t n,
                                         const pressindex_index_options *opts,
                                         pressindex_index_summary *summary)
{
    pressindex_index_options defaults;
    pressindex_status st = need_writer(idx);
    if (st != PRESSINDEX_OK)
        return st;
    if ((!paths && n) || (summary && summary->size < sizeof(size_t)))
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no paths, or a summary not made by "
                                                             "pressindex_index_summary_init()");
    for (size_t i = 0; i < n; i++)
        if (!paths[i] || !*paths[i])
            return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no path given");
    if ((st = take_index_options(idx, opts, &defaults)) != PRESSINDEX_OK)
        return st;
    opts = &defaults;
    char *skip = calloc(n ? n : 1, 1);
    if (!skip)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    pressindex_index_summary sum;
    pressindex_index_summary_init(&sum);
    size_t missing = 0;
    if ((st = plan_paths(idx, paths, n, skip)) == PRESSINDEX_OK)
        st = index_run(idx, paths, n, skip, opts, &sum, &missing);
    if (summary)
        pi_options_give(summary, summary->size, &sum, sizeof sum);
    if (st == PRESSINDEX_OK && opts->on_progress)
        opts->on_progress(opts->user, sum.releases, sum.passages, sum.bytes);
    const char *first_missing = NULL;
    for (size_t i = 0; st == PRESSINDEX_OK && missing && i < n && !first_missing; i++) {
        struct stat sb;
        if (!skip[i] && strcmp(paths[i], "-") && stat(paths[i], &sb) < 0)
            first_missing = paths[i];
    }
    free(skip);
    if (st != PRESSINDEX_OK)
        return st;
    if (missing) {
        idx->input_missing = 1;
        if (missing == 1 && first_missing)
            return pi_fail(idx, PRESSINDEX_ERR_NOT_FOUND, "%s: no such file or directory", first_missing);
        return pi_fail(idx, PRESSINDEX_ERR_NOT_FOUND, "%zu inputs not found", missing);
    }
    if (sum.problems || sum.skipped)
        return pi_fail(idx, PRESSINDEX_ERR_DATA, "%s: %llu problem(s) in the input, %llu skipped",
                       n == 1 ? paths[0] : "the inputs", (unsigned long long)sum.problems,
                       (unsigned long long)sum.skipped);
    return PRESSINDEX_OK;
}

pressindex_status pressindex_index_path(pressindex *idx, const char *path,
                                        const pressindex_index_options *opts,
                                        pressindex_index_stats *stats)
{
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (idx && !path)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no path given");
    pressindex_index_summary sum;
    pressindex_index_summary_init(&sum);
    pressindex_status st = pressindex_index_paths(idx, &path, 1, opts, &sum);
    summary_to_stats(&sum, stats);
    return st;
}

pressindex_status pressindex_index_buffer(pressindex *idx, const char *data, size_t len,
                                          const char *name, const pressindex_index_options *opts,
                                          pressindex_index_stats *stats)
{
    pressindex_index_options defaults;
    pressindex_status st = need_writer(idx);
    if (st != PRESSINDEX_OK)
        return st;
    if ((!data && len) || !name || !*name)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no data or no name given");
    if ((st = take_index_options(idx, opts, &defaults)) != PRESSINDEX_OK)
        return st;
    opts = &defaults;
    if (stats)
        memset(stats, 0, sizeof *stats);
    pressindex_index_summary sum;
    pressindex_index_summary_init(&sum);
    run ru = {idx, opts, &sum, {0}, PRESSINDEX_OK};
    pi_input_options io = {
        .format = opts->format,
        .on_problem = opts->on_problem,
        .on_release = on_release,
        .ctx = &ru,
        .problem_user = opts->user,
    };
    pi_input_stats is = {0};
    pi_input_read_buffer(data ? data : "", len, name, &io, &is);
    pi_idset_free(&ru.ids);
    sum.files = is.files;
    sum.skipped += is.skipped;
    sum.problems += is.problems;
    summary_to_stats(&sum, stats);
    if (ru.fatal != PRESSINDEX_OK)
        return ru.fatal;
    if (is.no_memory)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "%s: out of memory", name);
    if ((st = pressindex_commit(idx)) != PRESSINDEX_OK)
        return st;
    if (sum.problems || sum.skipped)
        return pi_fail(idx, PRESSINDEX_ERR_DATA, "%s: %llu problem(s) in the input, %llu skipped", name,
                       (unsigned long long)sum.problems, (unsigned long long)sum.skipped);
    return PRESSINDEX_OK;
}

/* ---------------------------------------------------------------------------------------------- */
/* Statistics                                                                                      */

static pressindex_status stats_once(pressindex *idx, pressindex_stats *stats)
{
    if (!idx || !stats)
        return PRESSINDEX_ERR_INVALID_ARGUMENT;
    memset(stats, 0, sizeof *stats);
    /* One document per release: the XP term's wdf in each is its passage count. */
    xc_status xs = xc_db_collfreq(idx->db, PI_P_PASSAGES, strlen(PI_P_PASSAGES), &stats->passages);
    xc_keylist *kl = NULL;
    if (xs == XC_OK)
        xs = xc_db_metadata_keys(idx->db, PI_META_RELEASE, &kl);
    if (xs != XC_OK)
        return pi_read_fail(idx, xs, "reading statistics");
    const char *k;
    size_t kn;
    int more;
    while ((more = xc_keylist_next(kl, &k, &kn)) > 0)
        stats->releases++;
    xc_keylist_free(kl);
    if (more < 0)
        return pi_read_fail(idx, xc_last_status(), "reading statistics");
    char *lo = NULL, *hi = NULL;
    if ((xs = xc_db_value_bounds(idx->db, PI_SLOT_DATE, &lo, &hi)) != XC_OK)
        return pi_read_fail(idx, xs, "reading statistics");
    if (lo && strlen(lo) == 8)
        snprintf(stats->date_min, sizeof stats->date_min, "%.4s-%.2s-%.2s", lo, lo + 4, lo + 6);
    if (hi && strlen(hi) == 8)
        snprintf(stats->date_max, sizeof stats->date_max, "%.4s-%.2s-%.2s", hi, hi + 4, hi + 6);
    free(lo);
    free(hi);
    return PRESSINDEX_OK;
}

/* The passages of the releases holding term: the XP term's wdf in each (its passage count), read
 * by skipping through XP's postings along term's. */
static xc_status source_passages(xc_db *db, const char *term, size_t len, uint64_t *out)
{
    xc_postlist *pl = NULL, *xp = NULL;
    *out = 0;
    xc_status xs = xc_db_postlist(db, term, len, &pl);
    if (xs == XC_OK)
        xs = xc_db_postlist(db, PI_P_PASSAGES, strlen(PI_P_PASSAGES), &xp);
    unsigned id, at = 0, wdf;
    int more = 0, on = 1;
    while (xs == XC_OK && on > 0 && (more = xc_postlist_next(pl, &id)) > 0) {
        if (at < id)
            on = xc_postlist_skip_to(xp, id, &at);
        if (on > 0 && at == id && (xs = xc_postlist_get(xp, &wdf, NULL)) == XC_OK)
            *out += wdf;
    }
    if (xs == XC_OK && (more < 0 || on < 0))
        xs = xc_last_status();
    xc_postlist_free(pl);
    xc_postlist_free(xp);
    return xs;
}

pressindex_status pressindex_get_sources(pressindex *idx, pressindex_source_fn fn, void *user)
{
    if (!idx || !fn)
        return idx ? pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no callback given")
                   : PRESSINDEX_ERR_INVALID_ARGUMENT;
    pressindex_status st = idx->writable ? pi_index_usable(idx) : pi_index_refresh(idx);
    if (st != PRESSINDEX_OK)
        return st; /* the message is on the handle */
    xc_keylist *kl = NULL;
    xc_status xs = xc_db_metadata_keys(idx->db, PI_META_SOURCE, &kl);
    if (xs != XC_OK)
        return pi_fail_xc(idx, xs, "listing sources");
    const char *k;
    size_t kn;
    int more;
    pi_buf term = {0};
    while (xs == XC_OK && (more = xc_keylist_next(kl, &k, &kn)) > 0) {
        size_t pl = strlen(PI_META_SOURCE);
        char *key = strndup(k, kn), *name = NULL;
        size_t nl = 0;
        uint64_t passages = 0;
        pi_buf_clear(&term);
        if (!key || pi_buf_printf(&term, "%s%s", PI_P_SOURCE, key + pl) < 0)
            xs = XC_ERR_NO_MEMORY;
        if (xs == XC_OK)
            xs = source_passages(idx->db, term.p, term.len, &passages);
        if (xs == XC_OK)
            xs = xc_db_get_metadata(idx->db, key, &name, &nl);
        /* Sources whose releases were all deleted keep their name record: skip them. */
        if (xs == XC_OK && passages && name)
            fn(user, name, passages);
        free(name);
        free(key);
    }
    xc_keylist_free(kl);
    pi_buf_free(&term);
    if (xs == XC_OK && more < 0)
        xs = xc_last_status();
    return xs == XC_OK ? PRESSINDEX_OK : pi_fail_xc(idx, xs, "listing sources");
}

pressindex_status pressindex_get_stats(pressindex *idx, pressindex_stats *stats)
{
    if (idx) {
        pressindex_status st = idx->writable ? pi_index_usable(idx) : pi_index_refresh(idx);
        if (st != PRESSINDEX_OK)
            return st; /* the message is on the handle */
    }
    pressindex_status st = stats_once(idx, stats);
    /* A commit landed while we read: catch up and read again. */
    for (unsigned attempt = 1; st == PRESSINDEX_ERR_MODIFIED; attempt++) {
        if ((st = pi_retry_pause(idx, attempt, 0, 0)) != PRESSINDEX_OK)
            break;
        if ((st = pi_index_refresh(idx)) == PRESSINDEX_OK)
            st = stats_once(idx, stats);
    }
    return st;
}
