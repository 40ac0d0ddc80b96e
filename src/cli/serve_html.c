/* serve_html.c - text for the web: UTF-8 checks and HTML escaping (serve.h). Release titles and
 * paragraphs are untrusted: a release can hold "<script>" or an onerror attribute, and only what
 * passes through serve_html_escape() reaches the page as markup. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "serve.h"

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len;
    unsigned long c;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2, c = s[0] & 0x1Fu;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, c = s[0] & 0x0Fu;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, c = s[0] & 0x07u;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        c = c << 6 | (s[k] & 0x3Fu);
    }
    if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) || c > 0x10FFFF ||
        (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    return len;
}

int serve_utf8_valid(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(u + i, n - i);
        if (!l)
            return 0;
        i += l;
    }
    return 1;
}

char *serve_utf8_repair(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t l = utf8_seq(u + i, n - i);
        if (l) {
            memcpy(out + i, s + i, l);
            i += l;
        } else
            out[i++] = '?';
    }
    out[n] = '\0';
    return out;
}

static int append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (!*buf || *len + n + 1 > *cap) {
        size_t want = *cap ? *cap : 256;
        while (want < *len + n + 1)
            want *= 2;
        char *b = realloc(*buf, want);
        if (!b) {
            free(*buf);
            *buf = NULL;
            return -1;
        }
        *buf = b;
        *cap = want;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return 0;
}

int serve_html_escape(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = NULL;
        switch (s[i]) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&#39;"; break;
        default: continue;
        }
        if (append(buf, len, cap, s + at, i - at) < 0 || append(buf, len, cap, e, strlen(e)) < 0)
            return -1;
        at = i + 1;
    }
    return append(buf, len, cap, s + at, n - at);
}

char *serve_snippet_html(const char *text, size_t len, size_t from, size_t to, const size_t *offs,
                         size_t n)
{
    char *buf = NULL;
    size_t blen = 0, cap = 0;
    if (to > len)
        to = len;
    if (from > to)
        from = to;
    int bad = append(&buf, &blen, &cap, from ? "… " : "", from ? strlen("… ") : 0) < 0;
    size_t at = from;
    for (size_t k = 0; !bad && k < n; k++) {
        size_t s = offs[2 * k], e = offs[2 * k + 1];
        if (s < at || e > to || s >= e)
            continue;
        bad = serve_html_escape(&buf, &blen, &cap, text + at, s - at) < 0 ||
              append(&buf, &blen, &cap, "<mark>", 6) < 0 ||
              serve_html_escape(&buf, &blen, &cap, text + s, e - s) < 0 ||
              append(&buf, &blen, &cap, "</mark>", 7) < 0;
        at = e;
    }
    if (!bad)
        bad = serve_html_escape(&buf, &blen, &cap, text + at, to - at) < 0 ||
              (to < len && append(&buf, &blen, &cap, " …", strlen(" …")) < 0);
    return bad ? NULL : buf;
}
