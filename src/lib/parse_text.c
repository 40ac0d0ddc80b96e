#include "config.h"
/*
 * parse_text.c - the text format: an optional UTF-8 BOM; CRLF or LF; an optional header, either
 * the seed's inline form ("date 2025-07-30 First paragraph...") or "Key: value" lines (Date, Title,
 * Source, URL, Lang; any case) ended by a blank line; then paragraphs separated by blank lines.
 * The whole file is in memory (at most 64 MiB) and is cut into strings in place.
 */
#include "input.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_blank(const char *a, const char *b)
{
    for (; a < b; a++)
        if (!is_ws(*a))
            return 0;
    return 1;
}

static char *eol_of(char *p, char *end)
{
    char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl : end;
}

static unsigned long count_lines(const char *p, size_t n)
{
    unsigned long k = 0;
    const char *end = p + n;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        k++;
        p++;
    }
    return k;
}

/* Removes the CR of every CRLF, in place; returns the new length. */
static size_t drop_crlf(char *data, size_t len)
{
    char *cr = memchr(data, '\r', len);
    if (!cr)
        return len;
    size_t w = (size_t)(cr - data);
    for (size_t i = w; i < len; i++) {
        if (data[i] == '\r' && i + 1 < len && data[i + 1] == '\n')
            continue;
        data[w++] = data[i];
    }
    data[w] = '\0';
    return w;
}

enum { K_NONE, K_DATE, K_TITLE, K_SOURCE, K_URL, K_LANG, K_OTHER };

/* Parses "Key: value" in [p, eol). Returns K_NONE when the line is not of that form, K_OTHER for
 * an unknown key; *v and *ve are the trimmed value. */
static int header_line(char *p, char *eol, char **v, char **ve)
{
    char *k = p;
    while (k < eol && (*k == ' ' || *k == '\t'))
        k++;
    char *ks = k;
    if (k >= eol || !((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z')))
        return K_NONE;
    while (k < eol && ((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
                       (*k >= '0' && *k <= '9') || *k == '-' || *k == '_'))
        k++;
    size_t klen = (size_t)(k - ks);
    if (klen > 32)
        return K_NONE;
    char *c = k;
    while (c < eol && (*c == ' ' || *c == '\t'))
        c++;
    if (c >= eol || *c != ':')
        return K_NONE;
    c++;
    while (c < eol && is_ws(*c))
        c++;
    char *e = eol;
    while (e > c && is_ws(e[-1]))
        e--;
    *v = c;
    *ve = e;
    static const struct {
        const char *name;
        int key;
    } keys[] = {{"date", K_DATE},   {"title", K_TITLE}, {"source", K_SOURCE},
                {"url", K_URL},     {"lang", K_LANG},   {"language", K_LANG}};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strlen(keys[i].name) == klen && strncasecmp(ks, keys[i].name, klen) == 0)
            return keys[i].key;
    return K_OTHER;
}

/* The end of the date after the inline "date" token at p (same line), or NULL when what follows
 * is not a date (then there is no header). *rc gets pi_date_parse's result. */
static char *inline_date(char *p, char *eol, char out[11], int *rc)
{
    char *q = p;
    while (q < eol && (*q == ' ' || *q == '\t'))
        q++;
    char *t = q;
    /* One token ("2025-07-30"), else up to three ("July 30, 2025", "30 July 2025"). */
    for (int words = 1; words <= 3; words++) {
        while (t < eol && (*t == ' ' || *t == '\t'))
            t++;
        while (t < eol && !is_ws(*t))
            t++;
        if (words == 2)
            continue;
        if (t > q) {
            *rc = pi_date_parse(q, (size_t)(t - q), out);
            if (*rc != 0)
                return t;
        }
    }
    return NULL;
}

int pi_parse_text(pi_reader *r, const char *file, const char *id, char *data, size_t len)
{
    char *owned = NULL;
    int rc = 0;
    data[len] = '\0';

    if (memchr(data, '\0', len)) {
        pi_input_problem(r, file, 0, 1, "binary file (NUL bytes), skipped");
        return 0;
    }
    size_t bad = pi_utf8_valid_prefix(data, len);
    if (bad < len) {
        unsigned long bad_line = 1 + count_lines(data, bad);
        size_t outlen;
        long n = pi_utf8_sanitize(data, len, &owned, &outlen);
        if (n < 0) {
            pi_input_problem(r, file, 0, 1, "out of memory, skipped");
            return 0;
        }
        pi_input_utf8_problem(r, file, bad_line, n);
        data = owned;
        len = outlen;
    }
    len = drop_crlf(data, len);

    char *p = data, *end = data + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    unsigned long lineno = 1;
    /* Leading blank lines. */
    for (;;) {
        char *eol = eol_of(p, end);
        if (eol == end || !is_blank(p, eol))
            break;
        p = eol + 1;
        lineno++;
    }

    pressindex_release rel;
    memset(&rel, 0, sizeof rel);
    rel.id = id;
    char date[11] = "";
    const char *date_text = NULL;
    size_t date_len = 0;
    unsigned long date_line = 0;
    int date_rc = 0;

    char *eol = eol_of(p, end);
    char *tok = p;
    while (tok < eol && (*tok == ' ' || *tok == '\t'))
        tok++;
    char *v, *ve;
    if (eol - tok > 5 && strncasecmp(tok, "date", 4) == 0 && (tok[4] == ' ' || tok[4] == '\t')) {
        /* The seed's inline form: the rest of the line is the first paragraph's text. */
        char *body = inline_date(tok + 4, eol, date, &date_rc);
        if (body) {
            date_text = tok + 4;
            while (*date_text == ' ' || *date_text == '\t')
                date_text++;
            date_len = (size_t)(body - date_text);
            date_line = lineno;
            p = body;
        }
    } else if (header_line(p, eol, &v, &ve) > K_NONE && header_line(p, eol, &v, &ve) != K_OTHER) {
        /* "Key: value" lines up to a blank line (or a line that is not one). */
        while (p < end) {
            eol = eol_of(p, end);
            if (is_blank(p, eol)) {
                p = eol < end ? eol + 1 : end;
                lineno++;
                break;
            }
            int key = header_line(p, eol, &v, &ve);
            if (key == K_NONE)
                break;
            if (key == K_DATE) {
                date_text = v;
                date_len = (size_t)(ve - v);
                date_line = lineno;
            } else if (key != K_OTHER) {
                *ve = '\0';
                const char *val = v < ve ? v : NULL;
                if (key == K_TITLE)
                    rel.title = val;
                else if (key == K_SOURCE)
                    rel.source = val;
                else if (key == K_URL)
                    rel.url = val;
                else
                    rel.lang = val;
            }
            p = eol < end ? eol + 1 : end;
            lineno++;
        }
        if (date_text && date_len)
            date_rc = pi_date_parse(date_text, date_len, date);
    }
    if (date_text && date_len) {
        if (date_rc == 1)
            rel.date = date;
        else if (date_rc < 0)
            pi_input_problem(r, file, date_line, 0, "impossible date %.*s, indexed undated",
                             (int)pi_utf8_clip(date_text, date_len, 60), date_text);
        else
            pi_input_problem(r, file, date_line, 0, "unrecognised date \"%.*s\", indexed undated",
                             (int)pi_utf8_clip(date_text, date_len, 60), date_text);
    }

    /* Paragraphs. */
    size_t np = 0;
    char *ps = NULL; /* start of the current paragraph */
    char *pe = NULL; /* end of its last non-blank line */
    unsigned long ps_line = 0;
    for (;;) {
        int at_end = p >= end;
        eol = at_end ? end : eol_of(p, end);
        if (at_end || is_blank(p, eol)) {
            if (ps) {
                while (ps < pe && is_ws(*ps))
                    ps++;
                while (pe > ps && is_ws(pe[-1]))
                    pe--;
                if (pe > ps) {
                    *pe = '\0';
                    if (pi_input_reserve_paras(r, np + 1) < 0) {
                        pi_input_problem(r, file, 0, 1, "out of memory, skipped");
                        goto out;
                    }
                    r->paras[np++] = ps;
                    size_t plen = (size_t)(pe - ps);
                    if (plen > PI_INPUT_BIG_PARAGRAPH)
                        pi_input_problem(r, file, ps_line, 0, "paragraph %zu is %.1f MB (kept)", np,
                                         (double)plen / (1024.0 * 1024.0));
                }
                ps = NULL;
            }
            if (at_end)
                break;
        } else {
            if (!ps) {
                ps = p;
                ps_line = lineno;
            }
            pe = eol;
        }
        if (eol >= end)
            p = end;
        else
            p = eol + 1;
        lineno++;
    }

    if (np == 0) {
        pi_input_problem(r, file, 0, 1, "empty file, skipped");
        goto out;
    }
    rel.paragraphs = r->paras;
    rel.n_paragraphs = np;
    rc = pi_input_deliver(r, &rel, file, 0);
out:
    free(owned);
    return rc;
}
