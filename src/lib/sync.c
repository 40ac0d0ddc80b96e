/*
 * sync.c - pressindex_reindex(): keeps an index in step with folders of source files, doing only
 * the work that changed.
 *
 * The index holds one record per source file (sync.h): size, mtime, checksum and the (key, content
 * digest) of each release read from it. A run
 *   1. loads the records of its folder arguments and lists the folders (stat only);
 *   2. leaves alone the files whose size and mtime match their record, checksums those whose size
 *      matches but mtime does not (a touch: the record gets the new mtime), and reads the rest,
 *      re-indexing only the releases whose digest is not in the file's record;
 *   3. deletes the releases that left a file, then those of files that are gone.
 * A file's record is written right after its last release, and only after the releases that left
 * it are deleted, so a commit (a batch's or the last) never holds a record that claims more than
 * is in the index: a crash leaves at worst a file unrecorded or recorded as before, and the next
 * run reads it again, replacing its releases by id.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "input.h"
#include "internal.h"
#include "sync.h"

/* ---------------------------------------------------------------------------------------------- */
/* Records                                                                                         */

void pi_file_key(const char *folder, const char *rel, char key[PI_FILE_KEY_LEN + 1])
{
    memcpy(key, PI_META_FILE, 1);
    pi_release_key(folder, key + 1);
    pi_release_key(rel, key + 1 + PI_KEY_LEN);
}

int pi_file_record_encode(const pi_file_record *fr, pi_buf *out)
{
    pi_buf_clear(out);
    if (pi_buf_printf(out, "PI1%c%llu%c%lld%c%016llx%c", 0, (unsigned long long)fr->size, 0,
                      (long long)fr->mtime_ns, 0, (unsigned long long)fr->checksum, 0) < 0 ||
        pi_buf_add(out, fr->folder, strlen(fr->folder) + 1) < 0 ||
        pi_buf_add(out, fr->rel, strlen(fr->rel) + 1) < 0 ||
        pi_buf_add(out, fr->entries, fr->n * PI_ENTRY_LEN) < 0)
        return -1;
    return 0;
}

int pi_file_record_decode(char *blob, size_t len, pi_file_record *fr)
{
    const char *f[6];
    size_t at = 0;
    memset(fr, 0, sizeof *fr);
    fr->blob = blob;
    for (size_t i = 0; i < 6; i++) {
        const char *end = at < len ? memchr(blob + at, '\0', len - at) : NULL;
        if (!end)
            return -1;
        f[i] = blob + at;
        at = (size_t)(end - blob) + 1;
    }
    if (strcmp(f[0], "PI1") != 0 || (len - at) % PI_ENTRY_LEN != 0)
        return -1;
    fr->size = strtoull(f[1], NULL, 10);
    fr->mtime_ns = strtoll(f[2], NULL, 10);
    fr->checksum = strtoull(f[3], NULL, 16);
    fr->folder = f[4];
    fr->rel = f[5];
    fr->entries = blob + at;
    fr->n = (len - at) / PI_ENTRY_LEN;
    return 0;
}

void pi_release_digest(const pressindex_release *r, char out[PI_DIGEST_LEN + 1])
{
    /* NUL ends every field: strings cannot hold one, so no two releases hash the same bytes. */
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    const char *f[6] = {r->id, r->date, r->title, r->source, r->url, r->lang};
    for (size_t i = 0; i < 6; i++)
        XXH3_64bits_update(&st, f[i] ? f[i] : "", strlen(f[i] ? f[i] : "") + 1);
    for (size_t i = 0; i < r->n_paragraphs; i++) {
        const char *p = r->paragraphs[i] ? r->paragraphs[i] : "";
        XXH3_64bits_update(&st, p, strlen(p) + 1);
    }
    snprintf(out, PI_DIGEST_LEN + 1, "%016llx", (unsigned long long)XXH3_64bits_digest(&st));
}

/* ---------------------------------------------------------------------------------------------- */
/* A set of fixed-length keys with a small value: open addressing, linear probing. A slot is its
 * value, a used flag and the key, klen bytes (not the longest key's: the sets of release keys
 * are half the size, and a nightly run fills three sets as large as the index). */

typedef struct kslot {
    uint32_t val;
    uint8_t used;
    char key[]; /* klen bytes */
} kslot;
#define KS_SLOT(k) (sizeof(kslot) + (((k)->klen + 7) & ~(size_t)7))
typedef struct kset {
    unsigned char *s;
    size_t cap, n, klen;
} kset;

static kslot *ks_at(const kset *k, size_t i)
{
    return (kslot *)(void *)(k->s + i * KS_SLOT(k));
}

static size_t ks_home(const kset *k, const char *key)
{
    return (size_t)XXH3_64bits(key, k->klen) & (k->cap - 1);
}

static kslot *ks_find(const kset *k, const char *key)
{
    if (!k->cap)
        return NULL;
    for (size_t i = ks_home(k, key);; i = (i + 1) & (k->cap - 1)) {
        kslot *s = ks_at(k, i);
        if (!s->used)
            return NULL;
        if (memcmp(s->key, key, k->klen) == 0)
            return s;
    }
}

/* Room for n keys without growing. -1 when out of memory. */
static int ks_reserve(kset *k, size_t n)
{
    if ((n + 1) * 4 < k->cap * 3)
        return 0;
    size_t nc = k->cap ? k->cap : 256;
    while ((n + 1) * 4 >= nc * 3)
        nc *= 2;
    kset grown = {calloc(nc, KS_SLOT(k)), nc, 0, k->klen};
    if (!grown.s)
        return -1;
    for (size_t i = 0; i < k->cap; i++) {
        kslot *from = ks_at(k, i);
        if (!from->used)
            continue;
        size_t j = ks_home(&grown, from->key);
        while (ks_at(&grown, j)->used)
            j = (j + 1) & (nc - 1);
        memcpy(ks_at(&grown, j), from, KS_SLOT(k));
        grown.n++;
    }
    free(k->s);
    *k = grown;
    return 0;
}

/* The slot of key, created (val 0) when new. NULL when out of memory. */
static kslot *ks_put(kset *k, const char *key)
{
    if (ks_reserve(k, k->n + 1) < 0)
        return NULL;
    size_t i = ks_home(k, key);
    kslot *s;
    for (; (s = ks_at(k, i))->used; i = (i + 1) & (k->cap - 1))
        if (memcmp(s->key, key, k->klen) == 0)
            return s;
    memcpy(s->key, key, k->klen);
    s->used = 1;
    s->val = 0;
    k->n++;
    return s;
}

static void ks_clear(kset *k)
{
    if (k->s && k->n)
        memset(k->s, 0, k->cap * KS_SLOT(k));
    k->n = 0;
}

static void ks_free(kset *k)
{
    free(k->s);
    k->s = NULL;
    k->cap = k->n = 0;
}

/* ---------------------------------------------------------------------------------------------- */
/* A run                                                                                           */

enum { F_DIR, F_FILE, F_MISSING, F_UNREADABLE };
#define LIVE_DELETED UINT32_MAX
#define LIVE_UNKNOWN (UINT32_MAX - 1)

typedef struct folder {
    const char *arg;   /* as given: display and file paths */
    char *key_path;    /* absolute: what the records name */
    char *name;        /* its last component: the folder part of its files' ids */
    char key[PI_KEY_LEN + 1];
    int kind;
    int err;           /* errno when not F_DIR/F_FILE */
    int dup;           /* the same folder as an earlier argument */
    uint64_t recorded; /* releases listed in its records */
    uint64_t files;    /* files found now */
    uint64_t to_delete; /* deletions known before reading (files gone) */
    uint64_t deleted;  /* deletions done or planned */
    int refused;       /* deletions refused for the whole folder */
    char **bad_dirs;   /* rel prefixes ("sub/") of subfolders that could not be listed */
    size_t n_bad;
} folder;

typedef struct rec {
    pi_file_record fr;
    char key[PI_FILE_KEY_LEN + 1];
    size_t folder;
    int seen;          /* found by the listing */
} rec;

typedef struct found {
    char *path, *rel;
    size_t folder;
    uint64_t size;
    int64_t mtime_ns;
    size_t rec;        /* index in recs, or SIZE_MAX */
    int unchanged;     /* matches its record: nothing to read */
} found;

typedef struct sync_run {
    pressindex *idx;
    const pressindex_reindex_options *o;
    pressindex_reindex_stats *st;
    folder *folders;
    size_t n_folders;
    rec *recs;
    size_t n_recs, cap_recs;
    kset rec_by_key;   /* file key (64 hex) -> index in recs */
    kset old_keys;     /* release keys in any loaded record -> how many records list it */
    kset live;         /* release keys some file holds now: never deleted; the value says which
                        * (1 + index in found; LIVE_UNKNOWN: a file not found this time;
                        * LIVE_DELETED: none, deleted in this run) */
    found *found;
    size_t n_found, cap_found;
    size_t cur_folder; /* while listing */
    /* The file being read. */
    const found *file;
    const rec *file_rec;
    kset file_old;     /* release key -> 1 + index of the entry in the file's old record */
    kset file_new;     /* release key -> 1 + index of its entry in entries */
    int file_clash;    /* the file gave an id another file holds */
    pi_buf entries;    /* the new entries */
    pi_buf scratch;
    pi_buf file_id;    /* the id of the text file being read */
    int file_done;
    pressindex_status fatal;
    pi_buf deferred;   /* keys that left a file but another file's record lists: decided at the
                        * end, when what every file holds is known (key, then index in found) */
    pi_buf refusal;    /* the first refusal message */
    uint64_t refusals;
} sync_run;

static pressindex_status oom(sync_run *r)
{
    return pi_fail(r->idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
}

static void problem(sync_run *r, const char *file, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void problem(sync_run *r, const char *file, unsigned long line, const char *fmt, ...)
{
    r->st->problems++;
    if (!r->o->on_problem)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->o->on_problem(r->o->user, file, line, msg);
}

static void refuse(sync_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refuse(sync_run *r, const char *fmt, ...)
{
    r->refusals++;
    if (r->refusal.len)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pi_buf_adds(&r->refusal, msg);
}

/* Loads the records of folder i. */
static pressindex_status load_records(sync_run *r, size_t fi)
{
    char prefix[1 + PI_KEY_LEN + 1];
    snprintf(prefix, sizeof prefix, "%s%s", PI_META_FILE, r->folders[fi].key);
    xc_keylist *kl = NULL;
    xc_status xs = xc_db_metadata_keys(r->idx->db, prefix, &kl);
    if (xs != XC_OK)
        return pi_fail_xc(r->idx, xs, "reading the file records");
    const char *k;
    size_t kn;
    int more;
    char key[PI_FILE_KEY_LEN + 1];
    pressindex_status ret = PRESSINDEX_OK;
    while ((more = xc_keylist_next(kl, &k, &kn)) > 0) {
        if (kn != PI_FILE_KEY_LEN)
            continue;
        memcpy(key, k, kn);
        key[kn] = '\0';
        char *blob = NULL;
        size_t blen = 0;
        if ((xs = xc_db_get_metadata(r->idx->db, key, &blob, &blen)) != XC_OK) {
            ret = pi_fail_xc(r->idx, xs, "reading the file records");
            break;
        }
        if (!blob)
            continue;
        if (r->n_recs == r->cap_recs) {
            size_t nc = r->cap_recs ? r->cap_recs * 2 : 256;
            rec *nr = realloc(r->recs, nc * sizeof *nr);
            if (!nr) {
                free(blob);
                ret = oom(r);
                break;
            }
            r->recs = nr;
            r->cap_recs = nc;
        }
        rec *rc = &r->recs[r->n_recs];
        memset(rc, 0, sizeof *rc);
        if (pi_file_record_decode(blob, blen, &rc->fr) < 0) {
            free(blob); /* not ours (a later schema would have said so): ignored */
            continue;
        }
        memcpy(rc->key, key, sizeof key);
        rc->folder = fi;
        kslot *s = ks_put(&r->rec_by_key, key + 1);
        if (!s) {
            free(blob);
            ret = oom(r);
            break;
        }
        s->val = (uint32_t)r->n_recs;
        r->n_recs++;
        r->folders[fi].recorded += rc->fr.n;
        for (size_t j = 0; j < rc->fr.n; j++) {
            kslot *ks = ks_put(&r->old_keys, rc->fr.entries + j * PI_ENTRY_LEN);
            if (!ks) {
                ret = oom(r);
                break;
            }
            ks->val++;
        }
        if (ret != PRESSINDEX_OK)
            break;
    }
    if (more < 0 && ret == PRESSINDEX_OK)
        ret = pi_fail_xc(r->idx, xc_last_status(), "reading the file records");
    xc_keylist_free(kl);
    return ret;
}

static int add_found(sync_run *r, const char *path, const char *rel, const struct stat *sb)
{
    if (r->n_found == r->cap_found) {
        size_t nc = r->cap_found ? r->cap_found * 2 : 1024;
        found *nf = realloc(r->found, nc * sizeof *nf);
        if (!nf)
            return -1;
        r->found = nf;
        r->cap_found = nc;
    }
    found *f = &r->found[r->n_found];
    f->path = strdup(path);
    f->rel = strdup(rel);
    if (!f->path || !f->rel) {
        free(f->path);
        free(f->rel);
        return -1;
    }
    f->folder = r->cur_folder;
    f->size = (uint64_t)sb->st_size;
    f->mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
    f->rec = SIZE_MAX;
    f->unchanged = 0;
    r->n_found++;
    r->folders[r->cur_folder].files++;
    return 0;
}

static int on_listed(void *ctx, const char *path, const char *rel, const struct stat *sb)
{
    return add_found(ctx, path, rel, sb) < 0 ? -2 : 0;
}

static void on_list_error(void *ctx, const char *path, const char *rel, int err)
{
    sync_run *r = ctx;
    folder *f = &r->folders[r->cur_folder];
    /* Out of memory, the run stops: the folder is fine, and what it holds must not pass for gone
     * for want of a bad_dirs entry. */
    if (err == ENOMEM) {
        if (r->fatal == PRESSINDEX_OK)
            r->fatal = oom(r);
        return;
    }
    size_t rl = strlen(rel);
    if (rl && rel[rl - 1] != '/') {
        /* A symbolic link not followed: named; a file it led to before is left as indexed. */
        char msg[256];
        problem(r, path, 0, "%s", pi_input_link_problem(err, msg, sizeof msg));
        r->st->skipped++;
    } else {
        problem(r, path, 0, "cannot list folder: %s; what it held is left as indexed", strerror(err));
    }
    char **nb = realloc(f->bad_dirs, (f->n_bad + 1) * sizeof *nb);
    if (nb)
        f->bad_dirs = nb;
    if (!nb || !(nb[f->n_bad] = strdup(rel))) {
        if (r->fatal == PRESSINDEX_OK)
            r->fatal = oom(r);
        return;
    }
    f->n_bad++;
}

/* Under a subfolder that could not be listed ("sub/"), or a link not followed (exactly). */
static int under_bad_dir(const folder *f, const char *rel)
{
    for (size_t i = 0; i < f->n_bad; i++) {
        size_t n = strlen(f->bad_dirs[i]);
        if (n && f->bad_dirs[i][n - 1] != '/' ? strcmp(rel, f->bad_dirs[i]) == 0
                                               : strncmp(rel, f->bad_dirs[i], n) == 0)
            return 1;
    }
    return 0;
}

/* XXH3 of a file's bytes; -1 when it cannot be read. */
static int file_checksum(const char *path, uint64_t *out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    XXH3_state_t st;
    XXH3_64bits_reset(&st);
    static _Thread_local char buf[1 << 16];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        XXH3_64bits_update(&st, buf, (size_t)n);
    close(fd);
    if (n < 0)
        return -1;
    *out = XXH3_64bits_digest(&st);
    return 0;
}

static void change(sync_run *r, pressindex_change kind, const char *id, const char *file)
{
    if (r->o->on_change)
        r->o->on_change(r->o->user, kind, id, file);
}

/* Deletes the release with key (hex) unless a file holds it now. 1 if deleted, 0 if not (gone
 * already, or live), -1 on a failure of the index (recorded in r->fatal). */
static int delete_key(sync_run *r, const char *key, const char *file)
{
    if (ks_find(&r->live, key))
        return 0;
    kslot *s = ks_put(&r->live, key); /* once: two gone files may both list it */
    if (!s) {
        r->fatal = oom(r);
        return -1;
    }
    s->val = LIVE_DELETED; /* a file read later may still claim it */
    char mkey[1 + PI_KEY_LEN + 1];
    snprintf(mkey, sizeof mkey, "%s%.*s", PI_META_RELEASE, PI_KEY_LEN, key);
    char *blob = NULL;
    size_t blen = 0;
    xc_status xs = xc_db_get_metadata(r->idx->db, mkey, &blob, &blen);
    if (xs != XC_OK) {
        r->fatal = pi_fail_xc(r->idx, xs, "reading a release record");
        return -1;
    }
    if (!blob)
        return 0; /* deleted by an earlier run that did not get to commit the file's record */
    pi_release_record rr;
    if (pi_record_decode(blob, blen, &rr) < 0) {
        pi_record_free(&rr);
        return 0;
    }
    change(r, PRESSINDEX_CHANGE_DELETED, rr.id, file);
    if (!r->o->dry_run) {
        pressindex_status ps = pressindex_delete_release(r->idx, rr.id);
        if (ps != PRESSINDEX_OK) {
            pi_record_free(&rr);
            r->fatal = ps;
            return -1;
        }
    }
    pi_record_free(&rr);
    r->st->deleted++;
    return 1;
}

/* The releases of a record that stay as they are (its file unchanged, or unknown this time),
 * held by the file found[owner - 1] (owner 0: a file not found this time). */
static pressindex_status keep_live(sync_run *r, const rec *rc, size_t owner)
{
    for (size_t j = 0; j < rc->fr.n; j++) {
        kslot *s = ks_put(&r->live, rc->fr.entries + j * PI_ENTRY_LEN);
        if (!s)
            return oom(r);
        if (s->val == 0 || s->val == LIVE_DELETED || s->val == LIVE_UNKNOWN)
            s->val = owner ? (uint32_t)owner : LIVE_UNKNOWN;
    }
    return PRESSINDEX_OK;
}

/* Whether the index holds the release with key (hex): 1 (its content digest in dig, "" when its
 * record has none) or 0, -1 on a failure of the index (recorded in r->fatal). */
static int release_present(sync_run *r, const char *key, char dig[PI_DIGEST_LEN + 1])
{
    char mkey[1 + PI_KEY_LEN + 1];
    snprintf(mkey, sizeof mkey, "%s%.*s", PI_META_RELEASE, PI_KEY_LEN, key);
    char *blob = NULL;
    size_t blen = 0;
    dig[0] = '\0';
    xc_status xs = xc_db_get_metadata(r->idx->db, mkey, &blob, &blen);
    if (xs != XC_OK) {
        r->fatal = pi_fail_xc(r->idx, xs, "reading a release record");
        return -1;
    }
    if (!blob)
        return 0;
    pi_release_record rr;
    if (pi_record_decode(blob, blen, &rr) == 0)
        snprintf(dig, PI_DIGEST_LEN + 1, "%s", rr.digest);
    pi_record_free(&rr);
    return 1;
}

/* ---- Reading one file ---- */

static int on_release(void *ctx, const pressindex_release *rel, const char *file, unsigned long line)
{
    sync_run *r = ctx;
    char key[PI_KEY_LEN + 1], dig[PI_DIGEST_LEN + 1], held[PI_DIGEST_LEN + 1];
    pi_release_key(rel->id, key);
    pi_release_digest(rel, dig);
    uint32_t me = (uint32_t)(r->file - r->found) + 1;
    kslot *owner = ks_put(&r->live, key);
    if (!owner) {
        r->fatal = oom(r);
        return 1;
    }
    if (owner->val && owner->val != LIVE_DELETED && owner->val != me) {
        /* Another file holds this id (unchanged ones first, then those read earlier in this run):
         * the first kept, both named (DECISIONS "Ids"). The file is read again every run, so that
         * the clash is told every night until someone looks. */
        pi_idclaim c = {PI_ID_CLASH, 0, owner->val != LIVE_UNKNOWN ? r->found[owner->val - 1].path
                                                                   : "another file of the folders", 0, NULL};
        char msg[768];
        problem(r, file, line, "%s", pi_msg_clash(msg, sizeof msg, rel->id, &c));
        r->st->skipped++;
        r->file_clash = 1;
        return 0;
    }
    owner->val = me;
    /* A later line of the same JSON Lines file with an earlier line's id revises it: its entry
     * takes the new digest, and it is not counted again. */
    kslot *mine = ks_find(&r->file_new, key);
    int revision = mine != NULL;
    if (!mine) {
        if (!(mine = ks_put(&r->file_new, key)) || pi_buf_add(&r->entries, key, PI_KEY_LEN) < 0 ||
            pi_buf_add(&r->entries, dig, PI_DIGEST_LEN) < 0) {
            r->fatal = oom(r);
            return 1;
        }
        mine->val = (uint32_t)(r->entries.len / PI_ENTRY_LEN);
    } else {
        char *entry = r->entries.p + (size_t)(mine->val - 1) * PI_ENTRY_LEN;
        if (memcmp(entry + PI_KEY_LEN, dig, PI_DIGEST_LEN) == 0)
            return 0; /* the same again */
        memcpy(entry + PI_KEY_LEN, dig, PI_DIGEST_LEN);
    }
    kslot *s = revision ? NULL : ks_find(&r->file_old, key);
    int same = s && memcmp(r->file_rec->fr.entries + (size_t)(s->val - 1) * PI_ENTRY_LEN + PI_KEY_LEN,
                           dig, PI_DIGEST_LEN) == 0;
    int present = release_present(r, key, held);
    if (present < 0)
        return 1;
    /* Unchanged: as its file's record lists it, or as the index holds it (written by pressindex
     * index, or by a run that did not get to record its file). */
    if (!revision && present && (same || strcmp(held, dig) == 0)) {
        r->st->unchanged++;
        return 0;
    }
    /* A release the index does not hold is added, whatever its file's record said: deleted by
     * hand while its file still holds it, the folder is the truth (doc/cron.md). */
    pressindex_change kind = present ? PRESSINDEX_CHANGE_CHANGED : PRESSINDEX_CHANGE_ADDED;
    if (!r->o->dry_run) {
        pressindex_status ps = pressindex_add_release(r->idx, rel);
        if (ps == PRESSINDEX_ERR_DATA) {
            problem(r, file, line, "%s", pressindex_last_error(r->idx));
        } else if (ps != PRESSINDEX_OK) {
            r->fatal = ps;
            return 1;
        }
    } else if (rel->date && *rel->date) {
        char d[11];
        if (pi_date_parse(rel->date, strlen(rel->date), d) <= 0)
            problem(r, file, line, "release %s: bad date \"%s\", would be indexed undated", rel->id,
                    rel->date);
    }
    if (revision)
        return 0;
    change(r, kind, rel->id, file);
    if (kind == PRESSINDEX_CHANGE_ADDED)
        r->st->added++;
    else
        r->st->changed++;
    return 0;
}

static int on_file_done(void *ctx, const char *file)
{
    (void)file;
    ((sync_run *)ctx)->file_done = 1;
    return 0;
}

/* Writes the record of the file just read. */
static pressindex_status write_record(sync_run *r, const found *f, uint64_t checksum,
                                      const char *entries, size_t n)
{
    if (r->o->dry_run)
        return PRESSINDEX_OK;
    const folder *fo = &r->folders[f->folder];
    /* A file that gave a clashing id is recorded with a size no file has: it is read again
     * next time, and its clash told again, until someone looks. */
    uint64_t size = r->file_clash && f == r->file ? UINT64_MAX : f->size;
    pi_file_record fr = {NULL, size, f->mtime_ns, checksum, fo->key_path, f->rel, entries, n};
    char key[PI_FILE_KEY_LEN + 1];
    pi_file_key(fo->key_path, f->rel, key);
    if (pi_file_record_encode(&fr, &r->scratch) < 0)
        return oom(r);
    xc_status xs = xc_db_set_metadata(r->idx->db, key, r->scratch.p, r->scratch.len);
    return xs == XC_OK ? PRESSINDEX_OK : pi_fail_write(r->idx, xs, "writing a file record");
}

/* Reads a new or changed file: its releases not already indexed as they are now go in, those that
 * left it go out, then its record. */
static pressindex_status read_file(sync_run *r, const found *f)
{
    const rec *old = f->rec != SIZE_MAX ? &r->recs[f->rec] : NULL;
    folder *fo = &r->folders[f->folder];
    uint64_t sum = 0;
    if (file_checksum(f->path, &sum) < 0) {
        /* Gone or unreadable since the listing: as if not found (read again next time). */
        problem(r, f->path, 0, "cannot read: %s, skipped", strerror(errno));
        r->st->skipped++;
        return old ? keep_live(r, old, (size_t)(f - r->found) + 1) : PRESSINDEX_OK;
    }
    r->st->files_read++;
    r->file = f;
    r->file_rec = old;
    r->file_done = 0;
    ks_clear(&r->file_old);
    ks_clear(&r->file_new);
    r->file_clash = 0;
    pi_buf_clear(&r->entries);
    if (old)
        for (size_t j = 0; j < old->fr.n; j++) {
            kslot *s = ks_put(&r->file_old, old->fr.entries + j * PI_ENTRY_LEN);
            if (!s)
                return oom(r);
            s->val = (uint32_t)j + 1;
        }
    /* The id a walk of the folder gives the file (pi_input_read), or a single file's name. */
    pi_buf_clear(&r->file_id);
    if (fo->kind == F_DIR ? pi_buf_printf(&r->file_id, "%s/%s", fo->name, f->rel) < 0
                          : pi_buf_adds(&r->file_id, f->rel) < 0)
        return oom(r);
    pi_input_options io = {
        .format = PRESSINDEX_FORMAT_AUTO,
        .on_problem = r->o->on_problem,
        .on_release = on_release,
        .ctx = r,
        .problem_user = r->o->user,
        .on_file_done = on_file_done,
        .file_id = r->file_id.p,
    };
    pi_input_stats is;
    int rc = pi_input_read(f->path, &io, &is);
    r->st->problems += is.problems;
    r->st->skipped += is.skipped;
    if (r->fatal != PRESSINDEX_OK)
        return r->fatal;
    if (is.no_memory)
        return oom(r);
    if (rc != 0 || !r->file_done) /* could not be opened after all: its record stays */
        return old ? keep_live(r, old, (size_t)(f - r->found) + 1) : PRESSINDEX_OK;

    /* The releases that left the file: those of the old record that it no longer lists. */
    size_t n_new = r->entries.len / PI_ENTRY_LEN;
    kset now = {NULL, 0, 0, PI_KEY_LEN};
    uint64_t leaving = 0;
    if (old && old->fr.n) {
        for (size_t j = 0; j < n_new; j++)
            if (!ks_put(&now, r->entries.p + j * PI_ENTRY_LEN)) {
                ks_free(&now);
                return oom(r);
            }
        for (size_t j = 0; j < old->fr.n; j++)
            if (!ks_find(&now, old->fr.entries + j * PI_ENTRY_LEN))
                leaving++;
    }
    if (leaving && !r->o->allow_deletions &&
        ((fo->refused ? 0 : fo->to_delete) + fo->deleted + leaving) * 2 > fo->recorded) {
        /* Not deleted, and the old record stays: the file is read again next time and the
         * refusal repeats until someone looks (or passes allow_deletions). */
        refuse(r, "%s: refusing to delete %llu release(s) that left %s: with the other deletions "
                  "that is more than half of the %llu recorded under the folder",
               fo->arg, (unsigned long long)leaving, f->path, (unsigned long long)fo->recorded);
        r->st->refused += leaving;
        ks_free(&now);
        return keep_live(r, old, (size_t)(f - r->found) + 1);
    }
    if (leaving) {
        size_t fi = (size_t)(f - r->found);
        for (size_t j = 0; j < old->fr.n && r->fatal == PRESSINDEX_OK; j++) {
            const char *k = old->fr.entries + j * PI_ENTRY_LEN;
            if (ks_find(&now, k))
                continue;
            const kslot *c = ks_find(&r->old_keys, k);
            if (c && c->val > 1) {
                /* Another file lists it too (an id in two files), and may not have been read
                 * yet: deleting it now could lose the release it holds unchanged. */
                if (pi_buf_add(&r->deferred, k, PI_KEY_LEN) < 0 ||
                    pi_buf_add(&r->deferred, &fi, sizeof fi) < 0)
                    r->fatal = oom(r);
                continue;
            }
            if (delete_key(r, k, f->path) > 0)
                fo->deleted++;
        }
    }
    ks_free(&now);
    if (r->fatal != PRESSINDEX_OK)
        return r->fatal;
    return write_record(r, f, sum, r->entries.p ? r->entries.p : "", n_new);
}

/* A release of an unchanged file: its key, and the file. */
typedef struct listed {
    const char *key;
    size_t found;
} listed;

static int cmp_listed(const void *a, const void *b)
{
    return memcmp(((const listed *)a)->key, ((const listed *)b)->key, PI_KEY_LEN);
}

/* A release record's key (after its prefix, kn bytes) against a release key, in Xapian's order. */
static int cmp_record_key(const char *k, size_t kn, const char *key)
{
    int c = memcmp(k, key, kn < PI_KEY_LEN ? kn : PI_KEY_LEN);
    return c ? c : kn < PI_KEY_LEN ? -1 : kn > PI_KEY_LEN ? 1 : 0;
}

/* Marks as changed the files whose record lists a release the index no longer holds: deleted by
 * hand (pressindex delete) while the file still holds it. Reading the file restores it, since the
 * folder is the truth. One pass over the release records, in key order, merged with the sorted
 * keys of the unchanged files' releases: a night on which nothing changed stays cheap. */
static pressindex_status find_hand_deleted(sync_run *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_found; i++)
        if (r->found[i].unchanged)
            n += r->recs[r->found[i].rec].fr.n;
    if (!n)
        return PRESSINDEX_OK;
    listed *ls = malloc(n * sizeof *ls);
    if (!ls)
        return oom(r);
    n = 0;
    for (size_t i = 0; i < r->n_found; i++) {
        if (!r->found[i].unchanged)
            continue;
        const pi_file_record *fr = &r->recs[r->found[i].rec].fr;
        for (size_t j = 0; j < fr->n; j++)
            ls[n++] = (listed){fr->entries + j * PI_ENTRY_LEN, i};
    }
    qsort(ls, n, sizeof *ls, cmp_listed);
    xc_keylist *kl = NULL;
    xc_status xs = xc_db_metadata_keys(r->idx->db, PI_META_RELEASE, &kl);
    if (xs != XC_OK) {
        free(ls);
        return pi_fail_xc(r->idx, xs, "reading the release records");
    }
    const size_t pl = strlen(PI_META_RELEASE);
    const char *k = NULL;
    size_t kn = 0;
    int more = xc_keylist_next(kl, &k, &kn);
    for (size_t i = 0; i < n && more >= 0; i++) {
        int c = -1;
        while (more > 0 && (c = cmp_record_key(k + pl, kn - pl, ls[i].key)) < 0)
            more = xc_keylist_next(kl, &k, &kn);
        if (more == 0 || c != 0)
            r->found[ls[i].found].unchanged = 0;
    }
    xc_keylist_free(kl);
    free(ls);
    if (more < 0)
        return pi_fail_xc(r->idx, xc_last_status(), "reading the release records");
    return PRESSINDEX_OK;
}

/* ---- The run ---- */

static pressindex_status reindex(sync_run *r, const char *const *args)
{
    pressindex_status ps;
    pressindex_reindex_stats *st = r->st;
    int missing = 0;

    /* The sets sized once for an index's worth of keys, not grown (and paged in) step by step. */
    uint64_t docs = 0;
    if (xc_db_doccount(r->idx->db, &docs) == XC_OK && docs &&
        (ks_reserve(&r->rec_by_key, (size_t)docs) < 0 || ks_reserve(&r->old_keys, (size_t)docs) < 0 ||
         ks_reserve(&r->live, (size_t)docs) < 0))
        return oom(r);

    /* 1. The folders and their records. Two folders of one name would give their files the
     * same ids: refused before anything is read (the same folder twice is just the same). */
    for (size_t i = 0; i < r->n_folders; i++) {
        folder *f = &r->folders[i];
        f->arg = args[i];
        if (!(f->key_path = pi_folder_key_path(args[i])) || !(f->name = pi_folder_name(args[i])))
            return oom(r);
        pi_release_key(f->key_path, f->key);
        for (size_t j = 0; j < i && !f->dup; j++) {
            if (strcmp(r->folders[j].key_path, f->key_path) == 0)
                f->dup = 1;
            else if (strcmp(r->folders[j].name, f->name) == 0) {
                r->idx->input_missing = 1; /* an index made for this run is not kept */
                return pi_fail(r->idx, PRESSINDEX_ERR_INVALID_ARGUMENT,
                               "%s and %s are both named \"%s\": their files would have the same ids "
                               "(give folders of different names, or their parent); nothing was "
                               "changed", r->folders[j].arg, f->arg, f->name);
            }
        }
    }
    for (size_t i = 0; i < r->n_folders; i++) {
        folder *f = &r->folders[i];
        if (f->dup)
            continue;
        struct stat sb;
        if (stat(args[i], &sb) < 0)
        {
            f->err = errno;
            f->kind = errno == ENOENT || errno == ENOTDIR ? F_MISSING : F_UNREADABLE;
        }
        else
            f->kind = S_ISDIR(sb.st_mode) ? F_DIR : F_FILE;
        if ((ps = load_records(r, i)) != PRESSINDEX_OK)
            return ps;
    }

    /* 2. What the folders hold now. */
    for (size_t i = 0; i < r->n_folders; i++) {
        folder *f = &r->folders[i];
        if (f->dup)
            continue;
        r->cur_folder = i;
        if (f->kind == F_DIR) {
            int rc = pi_input_list(args[i], on_listed, on_list_error, r);
            if (rc == -2)
                return oom(r);
            if (r->fatal != PRESSINDEX_OK)
                return r->fatal;
            if (rc < 0) {
                f->err = errno;
                f->kind = F_UNREADABLE;
            }
        } else if (f->kind == F_FILE) {
            struct stat sb;
            const char *base = strrchr(args[i], '/');
            base = base && base[1] ? base + 1 : args[i];
            if (stat(args[i], &sb) < 0) {
                f->err = errno;
                f->kind = F_MISSING;
            } else if (add_found(r, args[i], base, &sb) < 0)
                return oom(r);
        }
    }
    st->files = r->n_found;

    /* 3. Unchanged files: same size and mtime, or same bytes (touched). */
    for (size_t i = 0; i < r->n_found; i++) {
        found *f = &r->found[i];
        char key[PI_FILE_KEY_LEN + 1];
        pi_file_key(r->folders[f->folder].key_path, f->rel, key);
        kslot *s = ks_find(&r->rec_by_key, key + 1);
        if (!s)
            continue;
        rec *rc = &r->recs[s->val];
        f->rec = s->val;
        rc->seen = 1;
        int same = rc->fr.size == f->size && rc->fr.mtime_ns == f->mtime_ns;
        if (!same && rc->fr.size == f->size) {
            uint64_t sum;
            if (file_checksum(f->path, &sum) == 0 && sum == rc->fr.checksum) {
                same = 1;
                /* Next time size and mtime will do. */
                ps = write_record(r, f, sum, rc->fr.entries, rc->fr.n);
                if (ps != PRESSINDEX_OK)
                    return ps;
            }
        }
        f->unchanged = same;
    }
    /* Unless one of their releases was deleted by hand since: then the file is read again. */
    if ((ps = find_hand_deleted(r)) != PRESSINDEX_OK)
        return ps;
    for (size_t i = 0; i < r->n_found; i++) {
        const found *f = &r->found[i];
        if (!f->unchanged)
            continue;
        st->unchanged += r->recs[f->rec].fr.n;
        if ((ps = keep_live(r, &r->recs[f->rec], i + 1)) != PRESSINDEX_OK)
            return ps;
    }
    /* Records of files not found: gone, unless their folder could not be read. */
    for (size_t i = 0; i < r->n_recs; i++) {
        rec *rc = &r->recs[i];
        folder *fo = &r->folders[rc->folder];
        if (rc->seen)
            continue;
        if (under_bad_dir(fo, rc->fr.rel)) {
            rc->seen = 1; /* unknown, not gone: kept */
            if ((ps = keep_live(r, rc, 0)) != PRESSINDEX_OK)
                return ps;
            continue;
        }
        fo->to_delete += rc->fr.n;
    }
    for (size_t i = 0; i < r->n_folders; i++) {
        folder *f = &r->folders[i];
        if (f->dup || f->recorded == 0 || r->o->allow_deletions)
            continue;
        const char *why = f->kind == F_MISSING ? "is missing"
                          : f->kind == F_UNREADABLE ? "cannot be read"
                          : f->files == 0 ? "is empty" : NULL;
        if (why) {
            refuse(r, "%s %s but the index holds %llu release(s) from it: refusing to delete them",
                   f->arg, why, (unsigned long long)f->recorded);
            f->refused = 1;
        } else if (f->to_delete * 2 > f->recorded) {
            refuse(r, "%s: refusing to delete %llu of the %llu release(s) recorded under it "
                      "(more than half)", f->arg, (unsigned long long)f->to_delete,
                   (unsigned long long)f->recorded);
            f->refused = 1;
        }
    }
    /* A folder argument that is not there is an input not found, unless that was a refusal
     * (which says it in its one line). */
    for (size_t i = 0; i < r->n_folders; i++) {
        const folder *f = &r->folders[i];
        if (f->dup || f->refused || (f->kind != F_MISSING && f->kind != F_UNREADABLE))
            continue;
        char eb[128];
        snprintf(eb, sizeof eb, "%s", strerror(f->err));
        if (eb[0] >= 'A' && eb[0] <= 'Z' && !(eb[1] >= 'A' && eb[1] <= 'Z'))
            eb[0] = (char)(eb[0] - 'A' + 'a');
        problem(r, f->arg, 0, "%s", eb);
        missing++;
    }

    /* 4. New and changed files, in listing order. */
    for (size_t i = 0; i < r->n_found; i++) {
        found *f = &r->found[i];
        if (f->unchanged)
            continue;
        if ((ps = read_file(r, f)) != PRESSINDEX_OK)
            return ps;
    }

    /* 5. Releases that left a file, listed by another. Then files gone: their releases (those no
     * file holds now), then their records. */
    for (size_t at = 0; at < r->deferred.len; at += PI_KEY_LEN + sizeof(size_t)) {
        size_t fi;
        memcpy(&fi, r->deferred.p + at + PI_KEY_LEN, sizeof fi);
        if (delete_key(r, r->deferred.p + at, r->found[fi].path) > 0)
            r->folders[r->found[fi].folder].deleted++;
        if (r->fatal != PRESSINDEX_OK)
            return r->fatal;
    }
    for (size_t i = 0; i < r->n_recs; i++) {
        rec *rc = &r->recs[i];
        folder *fo = &r->folders[rc->folder];
        if (rc->seen)
            continue;
        if (fo->refused) {
            st->refused += rc->fr.n;
            continue;
        }
        /* The file as the listing would have named it. */
        pi_buf pb = {0};
        if (fo->kind != F_FILE)
            pi_buf_printf(&pb, "%s%s%s", fo->arg, fo->arg[strlen(fo->arg) - 1] == '/' ? "" : "/",
                          rc->fr.rel);
        const char *path = pb.p ? pb.p : fo->arg;
        for (size_t j = 0; j < rc->fr.n && r->fatal == PRESSINDEX_OK; j++)
            if (delete_key(r, rc->fr.entries + j * PI_ENTRY_LEN, path) > 0)
                fo->deleted++;
        pi_buf_free(&pb);
        if (r->fatal != PRESSINDEX_OK)
            return r->fatal;
        if (!r->o->dry_run) {
            xc_status xs = xc_db_set_metadata(r->idx->db, rc->key, "", 0);
            if (xs != XC_OK)
                return pi_fail_write(r->idx, xs, "removing a file record");
        }
    }

    if (!r->o->dry_run && (ps = pressindex_commit(r->idx)) != PRESSINDEX_OK)
        return ps;
    if (missing) {
        r->idx->input_missing = 1;
        return pi_fail(r->idx, PRESSINDEX_ERR_NOT_FOUND, "%d folder argument(s) not found", missing);
    }
    if (r->refusals)
        return pi_fail(r->idx, PRESSINDEX_ERR_DATA, "%s%s", r->refusal.p,
                       r->refusals > 1 ? " (and more refusals)" : "");
    if (st->problems || st->skipped)
        return pi_fail(r->idx, PRESSINDEX_ERR_DATA, "%llu problem(s) in the input, %llu skipped",
                       (unsigned long long)st->problems, (unsigned long long)st->skipped);
    return PRESSINDEX_OK;
}

static void reindex_defaults(pressindex_reindex_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
}

void pressindex_reindex_options_init_sized(pressindex_reindex_options *opts, size_t size)
{
    pressindex_reindex_options full;
    reindex_defaults(&full);
    pi_options_give(opts, size, &full, sizeof full);
}

pressindex_status pressindex_reindex(pressindex *idx, const char *const *folders, size_t n,
                                     const pressindex_reindex_options *opts,
                                     pressindex_reindex_stats *stats)
{
    pressindex_reindex_options defaults;
    pressindex_reindex_stats local;
    if (!idx)
        return PRESSINDEX_ERR_INVALID_ARGUMENT;
    if (!folders || n == 0)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "reindex: no folder given");
    for (size_t i = 0; i < n; i++)
        if (!folders[i] || !*folders[i])
            return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "reindex: an empty folder name");
    reindex_defaults(&defaults);
    if (opts && pi_options_take(&defaults, sizeof defaults, opts) < 0)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT,
                       "options not made by pressindex_reindex_options_init()");
    opts = &defaults;
    if (!idx->writable && !opts->dry_run)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "the index was opened read-only");
    pressindex_status us = pi_index_usable(idx);
    if (us != PRESSINDEX_OK)
        return us;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    sync_run r;
    memset(&r, 0, sizeof r);
    r.idx = idx;
    r.o = opts;
    r.st = stats;
    r.n_folders = n;
    r.rec_by_key.klen = 2 * PI_KEY_LEN;
    r.old_keys.klen = r.live.klen = r.file_old.klen = r.file_new.klen = PI_KEY_LEN;
    pressindex_status ps;
    if (!(r.folders = calloc(n, sizeof *r.folders)))
        ps = oom(&r);
    else
        ps = reindex(&r, folders);

    for (size_t i = 0; r.folders && i < n; i++) {
        free(r.folders[i].key_path);
        free(r.folders[i].name);
        for (size_t j = 0; j < r.folders[i].n_bad; j++)
            free(r.folders[i].bad_dirs[j]);
        free(r.folders[i].bad_dirs);
    }
    free(r.folders);
    for (size_t i = 0; i < r.n_recs; i++)
        free(r.recs[i].fr.blob);
    free(r.recs);
    for (size_t i = 0; i < r.n_found; i++) {
        free(r.found[i].path);
        free(r.found[i].rel);
    }
    free(r.found);
    ks_free(&r.rec_by_key);
    ks_free(&r.old_keys);
    ks_free(&r.live);
    ks_free(&r.file_old);
    ks_free(&r.file_new);
    pi_buf_free(&r.entries);
    pi_buf_free(&r.scratch);
    pi_buf_free(&r.file_id);
    pi_buf_free(&r.refusal);
    pi_buf_free(&r.deferred);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    stats->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return ps;
}
