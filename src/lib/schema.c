/* schema.c - the fixed-length keys and the stored release record of the on-disk schema. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

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
