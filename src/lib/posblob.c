/*
 * posblob.c - a release's body positions as one value (posblob.h has the format and the why).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "posblob.h"
#include "text.h"

typedef struct pi_posb_ent {
    size_t off;       /* in names */
    unsigned len;
    unsigned hash;
    unsigned count;   /* occurrences */
    unsigned start;   /* first of its positions in grouped */
    int stop;         /* a stopword (its positions go apart: posblob.h), set when sorting */
    const char *s;    /* names.p + off, set when sorting (names no longer moves) */
} pi_posb_ent;

void pi_posb_clear(pi_posb *b)
{
    pi_buf_clear(&b->names);
    if (b->slot && b->nt)
        memset(b->slot, 0, b->nslot * sizeof *b->slot);
    b->nt = 0;
    b->nocc = 0;
}

void pi_posb_free(pi_posb *b)
{
    pi_buf_free(&b->names);
    pi_buf_free(&b->raw);
    pi_buf_free(&b->head);
    free(b->t);
    free(b->slot);
    free(b->occ_t);
    free(b->occ_p);
    free(b->order);
    free(b->grouped);
    memset(b, 0, sizeof *b);
}

static unsigned hash_of(const char *s, size_t n)
{
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The table at twice the terms at least (open addressing stays short). */
static int grow_slots(pi_posb *b)
{
    size_t n = b->nslot ? 2 * b->nslot : 1024;
    unsigned *s = calloc(n, sizeof *s);
    if (!s)
        return -2;
    for (size_t i = 0; i < b->nt; i++) {
        size_t at = b->t[i].hash & (n - 1);
        while (s[at])
            at = (at + 1) & (n - 1);
        s[at] = (unsigned)i + 1;
    }
    free(b->slot);
    b->slot = s;
    b->nslot = n;
    return 0;
}

int pi_posb_add(pi_posb *b, const char *term, size_t len, unsigned pos)
{
    if ((b->nt + 1) * 2 > b->nslot && grow_slots(b) < 0)
        return -2;
    unsigned h = hash_of(term, len);
    size_t at = h & (b->nslot - 1);
    unsigned id;
    for (;;) {
        unsigned s = b->slot[at];
        if (!s) {
            if (b->nt == b->tcap) {
                size_t c = b->tcap ? 2 * b->tcap : 256;
                pi_posb_ent *g = realloc(b->t, c * sizeof *g);
                if (!g)
                    return -2;
                b->t = g;
                b->tcap = c;
            }
            pi_posb_ent *t = &b->t[b->nt];
            t->off = b->names.len;
            t->len = (unsigned)len;
            t->hash = h;
            t->count = 0;
            if (pi_buf_add(&b->names, term, len) < 0)
                return -2;
            id = (unsigned)b->nt++;
            b->slot[at] = id + 1;
            break;
        }
        const pi_posb_ent *t = &b->t[s - 1];
        if (t->hash == h && t->len == len && !memcmp(b->names.p + t->off, term, len)) {
            id = s - 1;
            break;
        }
        at = (at + 1) & (b->nslot - 1);
    }
    if (b->nocc == b->occcap) {
        size_t c = b->occcap ? 2 * b->occcap : 1024;
        unsigned *gt = realloc(b->occ_t, c * sizeof *gt);
        if (!gt)
            return -2;
        b->occ_t = gt;
        unsigned *gp = realloc(b->occ_p, c * sizeof *gp);
        if (!gp)
            return -2;
        b->occ_p = gp;
        b->occcap = c;
    }
    b->occ_t[b->nocc] = id;
    b->occ_p[b->nocc++] = pos;
    b->t[id].count++;
    return 0;
}

static int cmp_term(const void *x, const void *y)
{
    const pi_posb_ent *a = x, *b = y;
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, n);
    return c ? c : (a->len > b->len) - (a->len < b->len);
}

static size_t varint_len(unsigned v)
{
    size_t n = 1;
    while (v > 0x7f) {
        v >>= 7;
        n++;
    }
    return n;
}

/* A term's two lengths in one byte, shared << 4 | rest (both under 15 for all but 1 term in
 * 16,000), a nibble of 15 meaning 15 plus a varint that follows. */
static int add_lengths(pi_buf *raw, unsigned shared, unsigned rest)
{
    unsigned hs = shared < 15 ? shared : 15, hr = rest < 15 ? rest : 15;
    if (pi_buf_addc(raw, (char)(hs << 4 | hr)) < 0 || (hs == 15 && pi_buf_add_varint(raw, shared - 15) < 0) ||
        (hr == 15 && pi_buf_add_varint(raw, rest - 15) < 0))
        return -2;
    return 0;
}

/* The blob of the sorted terms of class `which` (1: stopwords, 0: the others, -1: all) into out. */
static int encode(pi_posb *b, int which, int compress, pi_buf *out)
{
    /* The dictionary into raw, and where each first byte's terms start (there the front coding
     * starts again by itself: nothing is shared with a term of another first byte). */
    pi_buf *raw = &b->raw;
    pi_buf_clear(raw);
    unsigned char gb[256];
    size_t go[256], ng = 0;
    const pi_posb_ent *prev = NULL;
    for (size_t i = 0; i < b->nt; i++) {
        const pi_posb_ent *t = &b->t[i];
        if (which >= 0 && t->stop != which)
            continue;
        unsigned shared = 0;
        if (prev)
            while (shared < t->len && shared < prev->len && t->s[shared] == prev->s[shared])
                shared++;
        if (!prev || prev->s[0] != t->s[0]) {
            gb[ng] = (unsigned char)t->s[0];
            go[ng++] = raw->len;
        }
        const unsigned *g = b->grouped + t->start;
        size_t plen = 0;
        for (unsigned k = 0; k < t->count; k++)
            plen += varint_len(k ? g[k] - g[k - 1] : g[k]);
        if (add_lengths(raw, shared, t->len - shared) < 0 ||
            pi_buf_add(raw, t->s + shared, t->len - shared) < 0 || pi_buf_add_varint(raw, (unsigned)plen) < 0)
            return -2;
        for (unsigned k = 0; k < t->count; k++)
            if (pi_buf_add_varint(raw, k ? g[k] - g[k - 1] : g[k]) < 0)
                return -2;
        prev = t;
    }
    pi_buf *head = compress ? &b->head : out;
    pi_buf_clear(head);
    if (!compress && pi_buf_addc(head, PI_POSB_RAW) < 0)
        return -2;
    if (pi_buf_add_varint(head, (unsigned)ng) < 0)
        return -2;
    for (size_t k = 0; k < ng; k++)
        if (pi_buf_addc(head, (char)gb[k]) < 0 || pi_buf_add_varint(head, (unsigned)(go[k] - (k ? go[k - 1] : 0))) < 0)
            return -2;
    if (pi_buf_add(head, raw->p ? raw->p : "", raw->len) < 0)
        return -2;
    if (!compress)
        return 0;
    uLongf zl = compressBound((uLong)head->len);
    if (pi_buf_reserve(out, zl + 1) < 0)
        return -2;
    out->p[0] = PI_POSB_ZLIB;
    if (compress2((Bytef *)out->p + 1, &zl, (const Bytef *)head->p, (uLong)head->len, 6) != Z_OK)
        return -2;
    out->len = zl + 1;
    out->p[out->len] = '\0';
    return 0;
}

int pi_posb_finish(pi_posb *b, int compress, pi_buf *out, pi_buf *stop)
{
    if (b->nocc > b->gcap) {
        unsigned *g = realloc(b->grouped, b->nocc * sizeof *g);
        if (!g)
            return -2;
        b->grouped = g;
        b->gcap = b->nocc;
    }
    /* Positions grouped by term, each group in position order (occurrences came in it). */
    unsigned at = 0;
    for (size_t i = 0; i < b->nt; i++) {
        b->t[i].start = at;
        at += b->t[i].count;
    }
    for (size_t i = 0; i < b->nt; i++)
        b->t[i].count = 0;
    for (size_t k = 0; k < b->nocc; k++) {
        pi_posb_ent *t = &b->t[b->occ_t[k]];
        b->grouped[t->start + t->count++] = b->occ_p[k];
    }
    for (size_t i = 0; i < b->nt; i++)
        b->t[i].s = b->names.p + b->t[i].off;
    if (b->nt > 1)
        qsort(b->t, b->nt, sizeof *b->t, cmp_term);
    /* The slots name terms by number, and the numbers just changed: the table starts again. */
    if (b->slot)
        memset(b->slot, 0, b->nslot * sizeof *b->slot);
    pi_buf_clear(out);
    if (stop)
        pi_buf_clear(stop);
    size_t nstop = 0;
    for (size_t i = 0; stop && i < b->nt; i++) {
        b->t[i].stop = pi_is_stopword(b->t[i].s, b->t[i].len) != 0;
        nstop += (size_t)b->t[i].stop;
    }
    if (encode(b, stop ? 0 : -1, compress, out) < 0 || (nstop && encode(b, 1, compress, stop) < 0))
        return -2;
    return 0;
}

size_t pi_posb_terms(const pi_posb *b)
{
    return b->nt;
}

const char *pi_posb_term(const pi_posb *b, size_t i, size_t *len, unsigned *wdf)
{
    *len = b->t[i].len;
    *wdf = b->t[i].count;
    return b->t[i].s;
}

/* ---- reading ---- */

/* Reads the first bytes' index; the dictionary follows. */
static int index_of(pi_posr *r, const unsigned char *p, const unsigned char *end)
{
    unsigned ng, off = 0;
    if (pi_varint_get(&p, end, &ng) < 0 || ng > 256)
        return -1;
    for (unsigned k = 0; k < ng; k++) {
        unsigned d;
        if (p >= end)
            return -1;
        r->gb[k] = *p++;
        if (pi_varint_get(&p, end, &d) < 0 || (k && r->gb[k] <= r->gb[k - 1]))
            return -1;
        off += d;
        r->go[k] = off;
    }
    if (ng && r->go[ng - 1] > (size_t)(end - p))
        return -1;
    r->ng = ng;
    r->dict = r->p = p;
    r->end = end;
    return 0;
}

int pi_posr_seek(pi_posr *r, unsigned char byte)
{
    while (r->g < r->ng && r->gb[r->g] < byte)
        r->g++;
    if (r->g >= r->ng)
        return 0;
    r->p = r->dict + r->go[r->g];
    r->pos = NULL;
    r->len = 0;
    return 1;
}

int pi_posr_init(pi_posr *r, const char *blob, size_t len, pi_buf *scratch)
{
    r->pos = NULL;
    r->len = r->plen = 0;
    r->ng = r->g = 0;
    const unsigned char *p = (const unsigned char *)blob;
    if (!len) {
        r->p = r->end = p;
        return 0;
    }
    if (p[0] == PI_POSB_RAW)
        return index_of(r, p + 1, p + len);
    if (p[0] != PI_POSB_ZLIB)
        return -1;
    z_stream st;
    memset(&st, 0, sizeof st);
    pi_buf_clear(scratch);
    if (inflateInit(&st) != Z_OK)
        return -2;
    st.next_in = (Bytef *)p + 1;
    st.avail_in = (uInt)(len - 1);
    int rc = Z_OK;
    while (rc == Z_OK) {
        size_t room = len * 3 > 4096 ? len * 3 : 4096;
        if (pi_buf_reserve(scratch, room) < 0) {
            inflateEnd(&st);
            return -2;
        }
        st.next_out = (Bytef *)scratch->p + scratch->len;
        st.avail_out = (uInt)room;
        rc = inflate(&st, Z_NO_FLUSH);
        scratch->len = (size_t)((char *)st.next_out - scratch->p);
    }
    inflateEnd(&st);
    if (rc != Z_STREAM_END)
        return rc == Z_MEM_ERROR ? -2 : -1;
    return index_of(r, (const unsigned char *)scratch->p, (const unsigned char *)scratch->p + scratch->len);
}

long pi_posr_positions(const pi_posr *r, unsigned *out)
{
    const unsigned char *p = r->pos, *end = r->pos + r->plen;
    unsigned v = 0, d;
    long n = 0;
    while (p < end) {
        if (pi_varint_get(&p, end, &d) < 0 || (n && !d))
            return -1;
        v += d;
        out[n++] = v;
    }
    return n;
}

int pi_pv_split(const char *v, size_t len, const char **map, size_t *mlen, const char **blob, size_t *blen)
{
    const unsigned char *p = (const unsigned char *)v, *end = p + len;
    unsigned ml;
    if (!len || pi_varint_get(&p, end, &ml) < 0 || ml > (size_t)(end - p))
        return -1;
    *map = (const char *)p;
    *mlen = ml;
    *blob = (const char *)p + ml;
    *blen = (size_t)(end - p) - ml;
    return 0;
}

int pi_pv_join(const char *map, size_t mlen, const char *blob, size_t blen, pi_buf *out)
{
    pi_buf_clear(out);
    if (pi_buf_add_varint(out, (unsigned)mlen) < 0 || pi_buf_add(out, map, mlen) < 0 || pi_buf_add(out, blob, blen) < 0)
        return -2;
    return 0;
}
