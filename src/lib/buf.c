#include "config.h"
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pi_buf_reserve(pi_buf *b, size_t extra)
{
    if (b->p && b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        if (cap > ((size_t)-1) / 2)
            return -1;
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    if (!b->p)
        p[0] = '\0';
    b->p = p;
    b->cap = cap;
    return 0;
}

int pi_buf_add(pi_buf *b, const void *data, size_t n)
{
    if (pi_buf_reserve(b, n) < 0)
        return -1;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

int pi_buf_addc(pi_buf *b, char c)
{
    return pi_buf_add(b, &c, 1);
}

int pi_buf_adds(pi_buf *b, const char *s)
{
    return pi_buf_add(b, s, strlen(s));
}

int pi_buf_printf(pi_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || pi_buf_reserve(b, (size_t)n) < 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void pi_buf_clear(pi_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void pi_buf_free(pi_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

char *pi_buf_steal(pi_buf *b)
{
    if (!b->p && pi_buf_reserve(b, 0) < 0)
        return NULL;
    char *p = b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

int pi_buf_add_varint(pi_buf *b, unsigned v)
{
    unsigned char tmp[8];
    size_t n = 0;
    do {
        tmp[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    return pi_buf_add(b, tmp, n);
}
