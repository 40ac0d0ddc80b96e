/*
 * store.c - the passages store (store.h): a full build's passages, stopwords and texts values and
 * release records in one mapped file beside the Xapian database.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "internal.h"
#include "store.h"

static const char MAGIC[8] = {'P', 'I', 'P', 'S', 'T', 'O', 'R', 'E'};
#define STORE_VERSION 2
#define HDR_CRC_AT 84 /* the header's CRC-32 of itself (bytes before) and the table */

struct pi_store {
    int fd;                     /* for the first read of each record (pi_store_get) */
    unsigned char *reads;       /* per docid, the search that first read it, or MAPPED; NULL: all
                                 * mapped */
    unsigned char search;       /* this handle's current search, 1..MAPPED - 1, cycling */
    unsigned char *buf;         /* the record read at hand */
    size_t cap;
    const unsigned char *map;
    size_t size;
    unsigned first, n;
    const unsigned char *table; /* n + 1 little-endian u64 */
    const unsigned char *recs;
    uint64_t rlen;
    uint32_t rcrc;
    size_t held;
};

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

/* crc32() takes a uInt length: big buffers in pieces. */
static uint32_t crc_of(uint32_t crc, const unsigned char *p, uint64_t n)
{
    while (n) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        crc = (uint32_t)crc32(crc, p, k);
        p += k;
        n -= k;
    }
    return crc;
}

#define DAMAGED(...) (snprintf(msg, msglen, __VA_ARGS__), -1)

static int validate(pi_store *s, const char *uuid, char *msg, size_t msglen)
{
    const unsigned char *h = s->map;
    if (s->size < PI_STORE_HEADER || memcmp(h, MAGIC, sizeof MAGIC))
        return DAMAGED("its passages store (%s) is not one", PI_STORE_FILE);
    if (get32(h + 8) != STORE_VERSION)
        return DAMAGED("its passages store (%s) has version %u, this pressindex reads %u",
                       PI_STORE_FILE, (unsigned)get32(h + 8), STORE_VERSION);
    s->first = get32(h + 12);
    s->n = get32(h + 16);
    uint64_t tat = get64(h + 24);
    s->rlen = get64(h + 32);
    s->rcrc = get32(h + 80);
    if (uuid && strncmp((const char *)h + 40, uuid, PI_STORE_UUID_LEN))
        return DAMAGED("its passages store (%s) belongs to another database", PI_STORE_FILE);
    if (tat != PI_STORE_HEADER + s->rlen || tat > s->size ||
        (s->size - tat) / 8 != (uint64_t)s->n + 1 || (s->size - tat) % 8)
        return DAMAGED("its passages store (%s) is damaged (its size does not add up: %zu bytes)",
                       PI_STORE_FILE, s->size);
    s->table = s->map + tat;
    s->recs = s->map + PI_STORE_HEADER;
    uint32_t crc = crc_of(0, h, HDR_CRC_AT);
    crc = crc_of(crc, s->table, ((uint64_t)s->n + 1) * 8);
    if (crc != get32(h + HDR_CRC_AT))
        return DAMAGED("its passages store (%s) is damaged (its table's checksum does not match)",
                       PI_STORE_FILE);
    uint64_t prev = 0;
    for (uint64_t i = 0; i <= s->n; i++) {
        uint64_t o = get64(s->table + 8 * i);
        if (o < prev || o > s->rlen || (i == s->n && o != s->rlen))
            return DAMAGED("its passages store (%s) is damaged (its table is out of order at "
                           "entry %llu)", PI_STORE_FILE, (unsigned long long)i);
        s->held += i && o > prev;
        prev = o;
    }
    return 0;
}

int pi_store_open(const char *dbdir, const char *uuid, pi_store **out, char *msg, size_t msglen)
{
    *out = NULL;
    char *path = pi_path_join(dbdir, PI_STORE_FILE);
    if (!path)
        return -2;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return errno == ENOENT ? 0 : -3;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -3;
    }
    pi_store *s = calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return -2;
    }
    s->size = (size_t)st.st_size;
    void *m = s->size ? mmap(NULL, s->size, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    int e = errno;
    if (m == MAP_FAILED && s->size) {
        close(fd);
        free(s);
        errno = e;
        return e == ENOMEM ? -2 : -3;
    }
    s->fd = fd;
    s->map = m == MAP_FAILED ? NULL : m;
    if (!s->map) {
        close(fd);
        free(s);
        snprintf(msg, msglen, "its passages store (%s) is empty", PI_STORE_FILE);
        return -1;
    }
    if (validate(s, uuid, msg, msglen) < 0) {
        pi_store_close(s);
        return -1;
    }
    /* Without the marks every read is a mapped one: slower to start, never wrong. (calloc:
     * the pages of the marks a process never touches are never made.) */
    s->reads = calloc((size_t)s->n + 1, 1);
    s->search = 1;
    *out = s;
    return 0;
}

void pi_store_close(pi_store *s)
{
    if (!s)
        return;
    if (s->map)
        munmap((void *)s->map, s->size);
    close(s->fd);
    free(s->reads);
    free(s->buf);
    free(s);
}

/* Record i's bytes [*a, *b) in the records, or 0 when it has none. */
static int locate(const pi_store *s, unsigned docid, uint64_t *a, uint64_t *b)
{
    if (!s || docid < s->first || docid - s->first >= s->n)
        return 0;
    const unsigned char *t = s->table + 8 * (uint64_t)(docid - s->first);
    *a = get64(t);
    *b = get64(t + 8);
    return *a != *b;
}

int pi_store_has(const pi_store *s, unsigned docid)
{
    uint64_t a, b;
    return locate(s, docid, &a, &b);
}

/* A record's reads in the first search that reads it through this store (this handle) are
 * pread()s, its reads in any later search memory reads: touching a mapped page the first time is a
 * page fault, and on this project's machines (a paravirtualised kernel) one costs several times a
 * read of the same bytes (doc/schema.md, "Schema 9"). A one-shot search reads a record up to four
 * times (its match, the total's estimate, which samples the same releases, the ranking window's
 * release record, the page's texts), all pread()s; a long-lived handle's later searches read what
 * it has read before from the mapping, where a page faults once and is then memory. */
#define MAPPED 255

void pi_store_new_search(pi_store *s)
{
    if (s)
        s->search = s->search >= MAPPED - 1 ? 1 : s->search + 1;
}

static const unsigned char *first_read(pi_store *s, unsigned docid, uint64_t a, uint64_t b)
{
    size_t i = docid - s->first, n = (size_t)(b - a);
    if (!s->reads || s->reads[i] == MAPPED)
        return NULL;
    if (!s->reads[i]) {
        s->reads[i] = s->search;
    } else if (s->reads[i] != s->search) {
        /* (A record last read 254 searches ago may be taken for this search's: one more read.) */
        s->reads[i] = MAPPED;
        return NULL;
    }
    if (n > s->cap) {
        unsigned char *g = realloc(s->buf, n);
        if (!g)
            return NULL;
        s->buf = g;
        s->cap = n;
    }
    for (size_t got = 0; got < n;) {
        ssize_t k = pread(s->fd, s->buf + got, n - got, (off_t)(PI_STORE_HEADER + a + got));
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return NULL; /* the mapping then */
        got += (size_t)k;
    }
    return s->buf;
}

int pi_store_get(pi_store *s, unsigned docid, pi_store_rec *r)
{
    uint64_t a, b;
    if (!locate(s, docid, &a, &b))
        return 0;
    const unsigned char *p = first_read(s, docid, a, b);
    if (!p)
        p = s->recs + a;
    const unsigned char *end = p + (b - a);
    unsigned n[PI_STORE_PARTS - 1];
    size_t sum = 0;
    for (int i = 0; i < PI_STORE_PARTS - 1; i++) {
        if (pi_varint_get(&p, end, &n[i]) < 0)
            return -1;
        sum += n[i];
    }
    if ((size_t)(end - p) < sum)
        return -1;
    for (int i = 0; i < PI_STORE_PARTS; i++) {
        r->v[i] = (const char *)p;
        r->l[i] = i < PI_STORE_PARTS - 1 ? n[i] : (size_t)(end - p);
        p += r->l[i];
    }
    return 1;
}

int pi_store_each(const pi_store *s, int (*fn)(void *ctx, unsigned docid), void *ctx)
{
    for (unsigned i = 0; s && i < s->n; i++)
        if (get64(s->table + 8 * (uint64_t)i) != get64(s->table + 8 * (uint64_t)i + 8)) {
            int rc = fn(ctx, s->first + i);
            if (rc)
                return rc;
        }
    return 0;
}

int pi_store_verify(const pi_store *s)
{
    return !s || crc_of(0, s->recs, s->rlen) == s->rcrc ? 0 : -1;
}

size_t pi_store_records(const pi_store *s)
{
    return s ? s->held : 0;
}

/* ---- Writing ---- */

struct pi_store_writer {
    char *tmp, *path;
    FILE *f;
    uint64_t at;       /* records' bytes so far */
    uint32_t crc;
    unsigned first, last;
    uint64_t *t;       /* offsets of docids first..last, then the end */
    size_t cap;
    int any;
};

int pi_store_writer_open(const char *dbdir, pi_store_writer **out)
{
    *out = NULL;
    pi_store_writer *w = calloc(1, sizeof *w);
    if (!w || !(w->path = pi_path_join(dbdir, PI_STORE_FILE)) ||
        !(w->tmp = pi_path_join(dbdir, PI_STORE_FILE ".tmp"))) {
        if (w)
            free(w->path);
        free(w);
        return -2;
    }
    w->f = fopen(w->tmp, "wbe");
    static const unsigned char zero[PI_STORE_HEADER];
    if (!w->f || fwrite(zero, 1, sizeof zero, w->f) != sizeof zero) {
        int e = errno;
        pi_store_writer_abort(w);
        errno = e;
        return e == ENOMEM ? -2 : -3;
    }
    *out = w;
    return 0;
}

static int w_write(pi_store_writer *w, const void *p, size_t n)
{
    if (n && fwrite(p, 1, n, w->f) != n)
        return errno == ENOMEM ? -2 : -3;
    w->crc = crc_of(w->crc, p, n);
    w->at += n;
    return 0;
}

int pi_store_writer_add(pi_store_writer *w, unsigned docid, const pi_store_rec *r)
{
    int big = 0;
    for (int i = 0; i < PI_STORE_PARTS; i++)
        big |= r->l[i] > 0xffffffffu;
    if (!docid || (w->any && docid <= w->last) || big) {
        errno = EINVAL;
        return -1;
    }
    if (!w->any)
        w->first = w->last = docid;
    /* The table's entries up to this docid: the docids between hold nothing. */
    size_t need = (size_t)(docid - w->first) + 2;
    if (need > w->cap) {
        size_t cap = w->cap ? w->cap : 1024;
        while (cap < need)
            cap *= 2;
        uint64_t *t = realloc(w->t, cap * sizeof *t);
        if (!t)
            return -2;
        w->t = t;
        w->cap = cap;
    }
    for (unsigned d = w->any ? w->last + 1 : docid; d <= docid; d++)
        w->t[d - w->first] = w->at;
    w->any = 1;
    w->last = docid;
    unsigned char vb[5 * (PI_STORE_PARTS - 1)];
    size_t k = 0;
    for (int i = 0; i < PI_STORE_PARTS - 1; i++) {
        unsigned v = (unsigned)r->l[i];
        do {
            vb[k++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
            v >>= 7;
        } while (v);
    }
    int rc = w_write(w, vb, k);
    for (int i = 0; i < PI_STORE_PARTS && rc == 0; i++)
        rc = w_write(w, r->v[i], r->l[i]);
    if (rc < 0)
        return rc;
    w->t[docid - w->first + 1] = w->at;
    return 0;
}

void pi_store_writer_abort(pi_store_writer *w)
{
    if (!w)
        return;
    if (w->f)
        fclose(w->f);
    if (w->tmp)
        unlink(w->tmp);
    free(w->tmp);
    free(w->path);
    free(w->t);
    free(w);
}

int pi_store_writer_finish(pi_store_writer *w, const char *uuid)
{
    /* No record: an empty store (the database has one; it holds nothing). */
    size_t n = w->any ? (size_t)(w->last - w->first) + 1 : 0;
    if (!w->any && !(w->t = calloc(1, sizeof *w->t)))
        return pi_store_writer_abort(w), -2;
    unsigned char h[PI_STORE_HEADER] = {0};
    memcpy(h, MAGIC, sizeof MAGIC);
    put32(h + 8, STORE_VERSION);
    put32(h + 12, w->first);
    put32(h + 16, (uint32_t)n);
    put64(h + 24, PI_STORE_HEADER + w->at);
    put64(h + 32, w->at);
    memcpy(h + 40, uuid, strnlen(uuid, PI_STORE_UUID_LEN));
    put32(h + 80, w->crc);
    /* The table, little-endian, in pieces; its CRC follows the header's bytes. */
    uint32_t crc = crc_of(0, h, HDR_CRC_AT);
    unsigned char buf[8 * 512];
    int rc = 0;
    for (size_t i = 0; i <= n && rc == 0; i += 512) {
        size_t k = n + 1 - i < 512 ? n + 1 - i : 512;
        for (size_t j = 0; j < k; j++)
            put64(buf + 8 * j, w->t[i + j]);
        crc = crc_of(crc, buf, 8 * k);
        if (fwrite(buf, 8, k, w->f) != k)
            rc = errno == ENOMEM ? -2 : -3;
    }
    put32(h + HDR_CRC_AT, crc);
    if (rc == 0 && (fflush(w->f) != 0 || pwrite(fileno(w->f), h, sizeof h, 0) != (ssize_t)sizeof h ||
                    fsync(fileno(w->f)) != 0))
        rc = errno == ENOMEM ? -2 : -3;
    int e = errno;
    if (fclose(w->f) != 0 && rc == 0) {
        rc = -3;
        e = errno;
    }
    w->f = NULL;
    if (rc == 0 && rename(w->tmp, w->path) != 0) {
        rc = -3;
        e = errno;
    }
    pi_store_writer_abort(w); /* frees; the temporary is gone (renamed) or removed */
    errno = e;
    return rc;
}

static int read_at(int fd, void *p, size_t n, off_t at);

int pi_store_restamp(const char *path, const char *uuid)
{
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return -3;
    unsigned char h[PI_STORE_HEADER], buf[8 * 512];
    int rc = read_at(fd, h, sizeof h, 0);
    uint64_t tat = rc == 0 ? get64(h + 24) : 0, left = rc == 0 ? ((uint64_t)get32(h + 16) + 1) * 8 : 0;
    if (rc == 0 && memcmp(h, MAGIC, sizeof MAGIC)) {
        errno = EINVAL;
        rc = -1;
    }
    memcpy(h + 40, uuid, strnlen(uuid, PI_STORE_UUID_LEN));
    uint32_t crc = crc_of(0, h, HDR_CRC_AT);
    while (rc == 0 && left) {
        size_t k = left < sizeof buf ? (size_t)left : sizeof buf;
        if ((rc = read_at(fd, buf, k, (off_t)tat)) == 0) {
            crc = crc_of(crc, buf, k);
            tat += k;
            left -= k;
        }
    }
    put32(h + HDR_CRC_AT, crc);
    if (rc == 0 && (pwrite(fd, h, sizeof h, 0) != (ssize_t)sizeof h || fsync(fd) != 0))
        rc = -3;
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* ---- A build's runs ---- */

struct pi_store_run {
    FILE *f;
};

int pi_store_run_open(const char *path, pi_store_run **out)
{
    *out = NULL;
    pi_store_run *r = calloc(1, sizeof *r);
    if (!r)
        return -2;
    if (!(r->f = fopen(path, "abe"))) {
        int e = errno;
        free(r);
        errno = e;
        return e == ENOMEM ? -2 : -3;
    }
    *out = r;
    return 0;
}

/* A run's record: u32 docid, the parts' u32 lengths, their bytes. */
#define RUN_HEAD (4 * (1 + PI_STORE_PARTS))

int pi_store_run_add(pi_store_run *r, unsigned docid, const pi_store_rec *rec)
{
    unsigned char h[RUN_HEAD];
    put32(h, docid);
    for (int i = 0; i < PI_STORE_PARTS; i++) {
        if (rec->l[i] > 0xffffffffu) {
            errno = EINVAL;
            return -1;
        }
        put32(h + 4 + 4 * i, (uint32_t)rec->l[i]);
    }
    if (fwrite(h, 1, sizeof h, r->f) != sizeof h)
        return errno == ENOMEM ? -2 : -3;
    for (int i = 0; i < PI_STORE_PARTS; i++)
        if (rec->l[i] && fwrite(rec->v[i], 1, rec->l[i], r->f) != rec->l[i])
            return errno == ENOMEM ? -2 : -3;
    return 0;
}

int pi_store_run_flush(pi_store_run *r)
{
    return fflush(r->f) == 0 ? 0 : errno == ENOMEM ? -2 : -3;
}

void pi_store_run_close(pi_store_run *r)
{
    if (!r)
        return;
    fclose(r->f);
    free(r);
}

static int read_at(int fd, void *p, size_t n, off_t at)
{
    while (n) {
        ssize_t k = pread(fd, p, n, at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EINVAL; /* shorter than its records say: damaged */
            return k == 0 ? -1 : -3;
        }
        p = (char *)p + k;
        n -= (size_t)k;
        at += k;
    }
    return 0;
}

int pi_store_run_copy(const char *path, const unsigned *docids, size_t n, unsigned offset,
                      pi_store_writer *w)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return n ? -3 : 0;
    unsigned maxd = n ? docids[n - 1] : 0;
    off_t *at = calloc((size_t)maxd + 1, sizeof *at); /* 1 + the offset of docid's last record */
    char *buf = NULL;
    size_t cap = 0;
    int rc = at ? 0 : -2;
    /* Where each docid's last record is. */
    unsigned char h[RUN_HEAD];
    off_t pos = 0;
    struct stat st;
    if (rc == 0 && fstat(fd, &st) < 0)
        rc = -3;
    while (rc == 0 && pos < st.st_size) {
        if ((rc = read_at(fd, h, sizeof h, pos)) < 0)
            break;
        unsigned d = get32(h);
        uint64_t len = 0;
        for (int j = 0; j < PI_STORE_PARTS; j++)
            len += get32(h + 4 + 4 * j);
        if (d <= maxd)
            at[d] = pos + 1;
        pos += (off_t)(sizeof h + len);
    }
    if (rc == 0 && pos != st.st_size) {
        errno = EINVAL;
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!at[docids[i]]) {
            errno = EINVAL;
            rc = -1;
            break;
        }
        off_t p = at[docids[i]] - 1;
        if ((rc = read_at(fd, h, sizeof h, p)) < 0)
            break;
        pi_store_rec rec;
        size_t len = 0;
        for (int j = 0; j < PI_STORE_PARTS; j++)
            len += rec.l[j] = get32(h + 4 + 4 * j);
        if (len > cap) {
            char *b = realloc(buf, len);
            if (!b) {
                rc = -2;
                break;
            }
            buf = b;
            cap = len;
        }
        if ((rc = read_at(fd, buf, len, p + (off_t)sizeof h)) < 0)
            break;
        for (size_t j = 0, off = 0; j < PI_STORE_PARTS; off += rec.l[j++])
            rec.v[j] = buf + off;
        rc = pi_store_writer_add(w, docids[i] + offset, &rec);
    }
    int e = errno;
    free(at);
    free(buf);
    close(fd);
    errno = e;
    return rc;
}

/* ---- Values: the store's, else Xapian's ---- */

/* The record's part holding slot's value, or -1 when the store holds no such value. */
static int part_of(unsigned slot)
{
    return slot == PI_SLOT_POS ? PI_PART_POS : slot == PI_SLOT_STOPPOS ? PI_PART_STOPPOS
         : slot == PI_SLOT_TEXTS ? PI_PART_TEXTS : -1;
}

static int stored_part(pi_store *s, unsigned docid, int part, const char **v, size_t *l,
                       xc_status *xs)
{
    pi_store_rec r;
    int got = pi_store_get(s, docid, &r);
    if (got < 0) {
        char msg[128];
        snprintf(msg, sizeof msg, "the passages store's record of document %u is damaged", docid);
        *xs = xc_set_error(XC_ERR_CORRUPT, msg);
        return -1;
    }
    if (got) {
        *v = r.v[part];
        *l = r.l[part];
    }
    return got;
}

static int in_store(unsigned slot)
{
    return part_of(slot) >= 0;
}

xc_status pi_db_value(xc_db *db, unsigned docid, unsigned slot, char **out, size_t *len)
{
    pi_store *s = xc_db_user(db);
    const char *v;
    size_t l = 0;
    xc_status xs = XC_OK;
    int got = s && in_store(slot) ? stored_part(s, docid, part_of(slot), &v, &l, &xs) : 0;
    if (got < 0)
        return xs;
    if (!got)
        return xc_db_value(db, docid, slot, out, len);
    if (!(*out = malloc(l + 1)))
        return xc_set_error(XC_ERR_NO_MEMORY, "out of memory");
    if (l)
        memcpy(*out, v, l);
    (*out)[l] = '\0';
    if (len)
        *len = l;
    return XC_OK;
}

/* Xapian's values for the docids the store does not hold: their callbacks keep the caller's
 * indexes. */
typedef struct rest {
    size_t *ix;
    xc_value_fn fn;
    void *ctx;
} rest;

static xc_status rest_value(void *ctx, size_t i, const char *v, size_t len)
{
    rest *r = ctx;
    return r->fn(r->ctx, r->ix[i], v, len);
}

xc_status pi_db_values(xc_db *db, unsigned slot, const unsigned *docids, size_t n, xc_value_fn fn,
                       void *ctx)
{
    pi_store *s = xc_db_user(db);
    if (!s || !in_store(slot))
        return xc_db_values(db, slot, docids, n, fn, ctx);
    unsigned *ids = malloc((n ? n : 1) * sizeof *ids);
    size_t *ix = malloc((n ? n : 1) * sizeof *ix), k = 0;
    xc_status xs = ids && ix ? XC_OK : xc_set_error(XC_ERR_NO_MEMORY, "out of memory");
    for (size_t i = 0; xs == XC_OK && i < n; i++) {
        const char *v;
        size_t l = 0;
        int got = stored_part(s, docids[i], part_of(slot), &v, &l, &xs);
        if (got > 0 && l)
            xs = fn(ctx, i, v, l);
        else if (got == 0) {
            ids[k] = docids[i];
            ix[k++] = i;
        }
    }
    rest r = {ix, fn, ctx};
    if (xs == XC_OK && k)
        xs = xc_db_values(db, slot, ids, k, rest_value, &r);
    free(ids);
    free(ix);
    return xs;
}

int pi_db_stored(xc_db *db, unsigned docid)
{
    return pi_store_has(xc_db_user(db), docid);
}

xc_status pi_db_record(xc_db *db, unsigned docid, const char *key, char **blob, size_t *len)
{
    pi_store *s = xc_db_user(db);
    const char *v;
    size_t l = 0;
    xc_status xs = XC_OK;
    *blob = NULL;
    int got = s ? stored_part(s, docid, PI_PART_RECORD, &v, &l, &xs) : 0;
    if (got < 0)
        return xs;
    if (!got || !l) { /* not the store's (or written before it held records): the metadata's */
        char mkey[PI_KEY_LEN + 8];
        snprintf(mkey, sizeof mkey, "%s%s", PI_META_RELEASE, key);
        return xc_db_get_metadata(db, mkey, blob, len);
    }
    if (!(*blob = malloc(l + 1))) /* NUL-terminated, as Xapian's metadata (pi_record_decode) */
        return xc_set_error(XC_ERR_NO_MEMORY, "out of memory");
    memcpy(*blob, v, l);
    (*blob)[l] = '\0';
    *len = l;
    return XC_OK;
}
