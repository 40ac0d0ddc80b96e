/* buf.h - a growable byte buffer, the one string builder of libpressindex. */
#ifndef PI_BUF_H
#define PI_BUF_H

#include <stddef.h>

/* Always NUL-terminated when p != NULL; len excludes the NUL. Zero-initialise to start. */
typedef struct pi_buf {
    char *p;
    size_t len;
    size_t cap;
} pi_buf;

/* Each returns 0, or -1 when out of memory (the buffer is then unchanged). */
int pi_buf_reserve(pi_buf *b, size_t extra);
int pi_buf_add(pi_buf *b, const void *data, size_t n);
int pi_buf_addc(pi_buf *b, char c);
int pi_buf_adds(pi_buf *b, const char *s);
int pi_buf_printf(pi_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pi_buf_clear(pi_buf *b); /* len = 0, memory kept */
void pi_buf_free(pi_buf *b);
/* Hands the string over (caller free()s); the buffer is empty afterwards. Never NULL unless OOM. */
char *pi_buf_steal(pi_buf *b);

/* Unsigned LEB128 varints, as the passage map and the positions value store them: 7 bits a byte,
 * low first, the high bit set on every byte but the last. */
int pi_buf_add_varint(pi_buf *b, unsigned v);
/* Reads one from *p (before end), advancing *p: 0, or -1 when it runs past end or past 32 bits.
 * Inline: a search decodes some 300 dictionary entries of each candidate release. */
static inline int pi_varint_get(const unsigned char **p, const unsigned char *end, unsigned *v)
{
    if (*p < end && **p < 0x80) {
        *v = *(*p)++;
        return 0;
    }
    unsigned x = 0;
    for (int shift = 0; *p < end && shift < 35; shift += 7) {
        unsigned char c = *(*p)++;
        x |= (unsigned)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

#endif
