/* schema.c - the fixed-length keys and the stored release record of the on-disk schema. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "internal.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

void pi_release_key(const char *id, char key[PI_KEY_LEN + 1])
{
    /* 128 bits: collisions among millions of ids are out of reach, unlike with 64. */
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(id, strlen(id)));
    hex(c.digest, sizeof c.digest, key);
}

void pi_text_hash(const char *data, size_t len, char out[PI_HASH_LEN + 1])
{
    XXH64_canonical_t c;
    XXH64_canonicalFromHash(&c, XXH3_64bits(data, len));
    hex(c.digest, sizeof c.digest, out);
}

/* Fields in order: id, date, title, source, url, lang, passages, digest; each NUL-terminated.
 * Strings cannot hold NUL (they are C strings), so NUL is a safe separator. */
int pi_record_encode(const pressindex_release *r, const char *date, const char *lang,
                     unsigned passages, const char *digest, pi_buf *out)
{
    const char *f[6] = {r->id, date, r->title, r->source, r->url, lang};
    pi_buf_clear(out);
    for (size_t i = 0; i < 6; i++)
        if (pi_buf_add(out, f[i] ? f[i] : "", strlen(f[i] ? f[i] : "") + 1) < 0)
            return -1;
    if (pi_buf_printf(out, "%u", passages) < 0 || pi_buf_addc(out, '\0') < 0)
        return -1;
    return pi_buf_adds(out, digest ? digest : "");
}

int pi_record_decode(char *blob, size_t len, pi_release_record *rec)
{
    const char **f[6] = {&rec->id, &rec->date, &rec->title, &rec->source, &rec->url, &rec->lang};
    size_t at = 0;
    memset(rec, 0, sizeof *rec);
    rec->blob = blob;
    for (size_t i = 0; i < 6; i++) {
        const char *end = memchr(blob + at, '\0', len - at);
        if (!end || at >= len)
            return -1;
        *f[i] = blob + at;
        at = (size_t)(end - blob) + 1;
    }
    /* get_metadata NUL-terminates the blob, so the count parses safely. */
    rec->passages = (unsigned)strtoul(blob + at, NULL, 10);
    const char *end = memchr(blob + at, '\0', len - at);
    rec->digest = end && (size_t)(end - blob) < len ? end + 1 : "";
    return 0;
}

void pi_record_free(pi_release_record *rec)
{
    free(rec->blob);
    rec->blob = NULL;
}

static int unhex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int pi_is_question(const char *t, size_t n)
{
    size_t i = 0;
    while (i < n && (t[i] == ' ' || t[i] == '\t'))
        i++;
    if (i + 1 >= n || t[i] != 'Q')
        return 0;
    unsigned char c = (unsigned char)t[i + 1];
    return c == ' ' || c == '\t' || c == ':' || c == '.' ||
           (c == 0xC2 && i + 2 < n && (unsigned char)t[i + 2] == 0xA0); /* U+00A0 */
}

int pi_pmap_add(pi_buf *map, unsigned pno_delta, unsigned words, unsigned flags,
                const char hash[PI_HASH_LEN + 1])
{
    unsigned char raw[PI_HASH_LEN / 2];
    for (size_t i = 0; i < sizeof raw; i++)
        raw[i] = (unsigned char)(unhex(hash[2 * i]) << 4 | unhex(hash[2 * i + 1]));
    if (pi_buf_add_varint(map, pno_delta) < 0 || pi_buf_add_varint(map, words) < 0 || pi_buf_add_varint(map, flags) < 0)
        return -1;
    return pi_buf_add(map, (const char *)raw, sizeof raw);
}

size_t pi_passage_after(const pi_passage *ps, size_t np, unsigned v)
{
    size_t lo = 0, hi = np;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ps[mid].start + ps[mid].words <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int pi_pmap_decode_into(const char *map, size_t len, pi_passage **buf, size_t *cap, size_t *n)
{
    const unsigned char *p = (const unsigned char *)map, *end = p + len;
    size_t k = 0;
    unsigned pno = 0, pos = 1;
    *n = 0;
    while (p < end) {
        unsigned d, w, fl;
        if (pi_varint_get(&p, end, &d) < 0 || pi_varint_get(&p, end, &w) < 0 || pi_varint_get(&p, end, &fl) < 0 ||
            end - p < PI_HASH_LEN / 2)
            return -1;
        if (k == *cap) {
            size_t c2 = *cap ? 2 * *cap : 16;
            pi_passage *g = realloc(*buf, c2 * sizeof *g);
            if (!g)
                return -2;
            *buf = g;
            *cap = c2;
        }
        pi_passage *a = &(*buf)[k];
        pno += d;
        a->pno = pno;
        a->start = pos;
        a->words = w;
        a->flags = fl;
        a->hoff = (unsigned)(p - (const unsigned char *)map);
        a->hash = 0;
        p += PI_HASH_LEN / 2;
        pos += w + PI_PARA_GAP;
        k++;
    }
    *n = k;
    return 0;
}

uint64_t pi_pmap_hash(const char *map, const pi_passage *ps)
{
    const unsigned char *p = (const unsigned char *)map + ps->hoff;
    uint64_t h = 0;
    for (size_t b = 0; b < PI_HASH_LEN / 2; b++)
        h = h << 8 | p[b];
    return h;
}

int pi_pmap_decode(const char *map, size_t len, pi_passage **out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    int rc = pi_pmap_decode_into(map, len, out, &cap, n);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    for (size_t k = 0; k < *n; k++)
        (*out)[k].hash = pi_pmap_hash(map, &(*out)[k]);
    return 0;
}

void pi_hash_hex(uint64_t h, char out[PI_HASH_LEN + 1])
{
    unsigned char raw[PI_HASH_LEN / 2];
    for (size_t b = 0; b < sizeof raw; b++)
        raw[b] = (unsigned char)(h >> (8 * (sizeof raw - 1 - b)));
    hex(raw, sizeof raw, out);
}

const char *pi_data_text(const char *data, size_t dlen, size_t k, size_t *len)
{
    size_t at = 0;
    for (size_t i = 0; i < k && at < dlen; i++) {
        const char *z = memchr(data + at, '\0', dlen - at);
        if (!z)
            return NULL;
        at = (size_t)(z - data) + 1;
    }
    if (at >= dlen)
        return NULL;
    const char *z = memchr(data + at, '\0', dlen - at);
    *len = z ? (size_t)(z - (data + at)) : dlen - at;
    return data + at;
}

/* Inflates one zlib stream (schema 5 and older) into out (appended), stopping once `want` more
 * NUL-ended texts are whole (SIZE_MAX: the whole stream). 0, -1 damaged, -2 no memory. */
static int inflate_texts(const char *z, size_t zlen, size_t want, pi_buf *out)
{
    z_stream st;
    memset(&st, 0, sizeof st);
    if (inflateInit(&st) != Z_OK)
        return -2;
    st.next_in = (Bytef *)z;
    st.avail_in = (uInt)zlen;
    size_t nuls = 0, scanned = out->len;
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (pi_buf_reserve(out, 4096) < 0) {
            inflateEnd(&st);
            return -2;
        }
        st.next_out = (Bytef *)out->p + out->len;
        st.avail_out = 4096;
        rc = inflate(&st, Z_NO_FLUSH);
        out->len = (size_t)((char *)st.next_out - out->p);
        out->p[out->len] = '\0';
        /* Stop once the last text wanted is whole: the rest is not needed. */
        while (scanned < out->len && nuls < want) {
            const char *nul = memchr(out->p + scanned, '\0', out->len - scanned);
            if (!nul) {
                scanned = out->len;
                break;
            }
            scanned = (size_t)(nul - out->p) + 1;
            nuls++;
        }
        if (nuls >= want)
            break;
        if (rc == Z_BUF_ERROR && st.avail_in == 0)
            break;
    }
    inflateEnd(&st);
    if (rc == Z_MEM_ERROR)
        return -2;
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
        return -1;
    return 0;
}

void pi_texts_ctx_free(pi_texts_ctx *c)
{
    ZSTD_freeCCtx((ZSTD_CCtx *)c);
}

void pi_unz_free(pi_unz *u)
{
    ZSTD_freeDCtx((ZSTD_DCtx *)u);
}

/* One zstd frame of src[0..len) appended to out. 0 or -2. */
static int frame_add(pi_texts_ctx **c, const char *src, size_t len, pi_buf *out)
{
    if (!*c) {
        ZSTD_CCtx *z = ZSTD_createCCtx();
        /* The frame's checksum (4 bytes) makes damaged texts an error, never shown as text. */
        if (!z || ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_compressionLevel, PI_TEXTS_LEVEL)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(z, ZSTD_c_checksumFlag, 1))) {
            ZSTD_freeCCtx(z);
            return -2;
        }
        *c = (pi_texts_ctx *)z;
    }
    size_t bound = ZSTD_compressBound(len);
    if (pi_buf_reserve(out, bound) < 0)
        return -2;
    size_t n = ZSTD_compress2((ZSTD_CCtx *)*c, out->p + out->len, bound, src, len);
    if (ZSTD_isError(n))
        return -2; /* with a bound-sized output, only an allocation inside zstd fails */
    out->len += n;
    return 0;
}

/* Decompresses one frame (a zstd one, or an older index's zlib stream) appended to out, stopping
 * after `want` more texts where that saves work (zlib). 0, -1 damaged, -2 no memory. */
static int unpack_frame(pi_unz **u, const char *z, size_t zlen, size_t want, pi_buf *out)
{
    const unsigned char *m = (const unsigned char *)z;
    if (zlen < 4 || ((uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24) != ZSTD_MAGICNUMBER)
        return inflate_texts(z, zlen, want, out);
    /* The frame says its size (the writer's one-shot compression records it); a damaged one may
     * say anything, so no more than a block can hold is believed. */
    unsigned long long n = ZSTD_getFrameContentSize(z, zlen);
    if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN || n > PI_TEXTS_FRAME_MAX)
        return -1;
    if (!*u && !(*u = (pi_unz *)ZSTD_createDCtx()))
        return -2;
    if (pi_buf_reserve(out, (size_t)n + 1) < 0)
        return -2;
    size_t got = ZSTD_decompressDCtx((ZSTD_DCtx *)*u, out->p + out->len, (size_t)n, z, zlen);
    if (ZSTD_isError(got))
        return ZSTD_getErrorCode(got) == ZSTD_error_memory_allocation ? -2 : -1;
    if (got != n)
        return -1;
    out->len += (size_t)n;
    out->p[out->len] = '\0';
    return 0;
}

int pi_texts_pack(pi_texts_ctx **c, const char *texts, size_t len, pi_buf *out)
{
    pi_buf_clear(out);
    if (len <= PI_TEXT_BLOCK) /* one frame */
        return frame_add(c, texts, len, out);
    /* Blocks end after the passage that brings them to PI_TEXT_BLOCK bytes; the header (counts
     * and lengths) goes into out, the frames into z, then z after the header. */
    pi_buf z = {0}, head = {0};
    size_t nb = 0;
    int bad = 0;
    for (size_t at = 0, start = 0, n = 0; !bad && at < len;) {
        const char *nul = memchr(texts + at, '\0', len - at);
        at = nul ? (size_t)(nul - texts) + 1 : len;
        n++;
        if (at - start < PI_TEXT_BLOCK && at < len)
            continue;
        size_t was = z.len;
        bad = frame_add(c, texts + start, at - start, &z) < 0 ||
              pi_buf_add_varint(&head, (unsigned)n) < 0 || pi_buf_add_varint(&head, (unsigned)(z.len - was)) < 0;
        if (!bad)
            nb++;
        start = at;
        n = 0;
    }
    bad = bad || pi_buf_addc(out, PI_TEXTS_BLOCKS) < 0 || pi_buf_add_varint(out, (unsigned)nb) < 0 ||
          pi_buf_add(out, head.p, head.len) < 0 || pi_buf_add(out, z.p, z.len) < 0;
    pi_buf_free(&z);
    pi_buf_free(&head);
    return bad ? -2 : 0;
}

int pi_texts_unpack(pi_unz **u, const char *z, size_t zlen, size_t from, size_t upto, pi_buf *out, size_t *first)
{
    pi_buf_clear(out);
    *first = 0;
    if (upto < from)
        upto = from;
    if (!zlen || (unsigned char)z[0] != PI_TEXTS_BLOCKS) /* one frame */
        return zlen ? unpack_frame(u, z, zlen, upto == SIZE_MAX ? SIZE_MAX : upto + 1, out) : 0;
    const unsigned char *p = (const unsigned char *)z + 1, *end = (const unsigned char *)z + zlen;
    unsigned nb;
    if (pi_varint_get(&p, end, &nb) < 0 || nb > zlen)
        return -1;
    /* The header first (block sizes), then the blocks from the one holding `from`. */
    const unsigned char *h = p;
    size_t hlen = 0;
    for (unsigned b = 0; b < nb; b++) {
        unsigned n, zl;
        if (pi_varint_get(&p, end, &n) < 0 || pi_varint_get(&p, end, &zl) < 0 || !n)
            return -1;
        hlen += zl;
    }
    if (hlen > (size_t)(end - p))
        return -1;
    const char *blk = (const char *)p;
    size_t pass = 0; /* the first passage of block b */
    int started = 0;
    for (unsigned b = 0; b < nb && pass <= upto; b++) {
        unsigned n = 1, zl = 0; /* read above: they decode */
        pi_varint_get(&h, end, &n);
        pi_varint_get(&h, end, &zl);
        if (!started && from < pass + n) {
            started = 1;
            *first = pass;
        }
        if (started) {
            size_t want = upto - pass < n - 1 ? upto - pass + 1 : SIZE_MAX;
            int rc = unpack_frame(u, blk, zl, want, out);
            if (rc < 0)
                return rc;
        }
        pass += n;
        blk += zl;
    }
    return 0;
}
