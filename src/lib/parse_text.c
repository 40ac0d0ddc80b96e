#include "config.h"
/*
 * parse_text.c - the text format: an optional UTF-8 BOM; CRLF or LF; an optional header, either
 * the seed's inline form ("date 2025-07-30 First paragraph...") or "Key: value" lines (Date, Title,
 * Source, URL, Lang; any case) ended by a blank line; then paragraphs separated by blank lines.
 * The whole file is in memory (at most 64 MiB) and is cut into strings in place.
 */
#include "input.h"
#include "internal.h"

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

/* Binary, not text with stray NULs: control characters (tab, line and page breaks aside; a run of
 * NULs counts once) are more than 1 in 20 of its bytes, and at least 8. UTF-16 text and images,
 * archives or PDFs named .txt are far above that; text in which a transfer left a hole of NULs, or
 * an editor a few, is far below. */
static int is_binary(const char *data, size_t len)
{
    size_t controls = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c == 0 && i > 0 && data[i - 1] == 0)
            continue;
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v')
            controls++;
    }
    return controls >= 8 && controls > len / 20;
}

int pi_parse_text(pi_reader *r, const char *file, const char *id, char *data, size_t len)
{
    char *owned = NULL, *id_copy = NULL;
    int rc = 0;
    data[len] = '\0';

    char *nul = memchr(data, '\0', len);
    if (nul) {
        if (is_binary(data, len)) {
            pi_input_problem(r, file, 0, 1, "binary file (NUL bytes), skipped");
            return 0;
        }
        /* A few NULs in text are a broken transfer or editor, not a format: the words around
         * them are kept (a space keeps the words on either side apart). */
        unsigned long nul_line = 1 + count_lines(data, (size_t)(nul - data));
        long n = 0;
        for (; nul; nul = memchr(nul, '\0', len - (size_t)(nul - data))) {
            *nul = ' ';
            n++;
        }
        char msg[64];
        pi_input_problem(r, file, nul_line, 0, "%s", pi_msg_nul(msg, sizeof msg, n));
    }
    size_t bad = pi_utf8_valid_prefix(data, len);
    if (bad < len) {
        unsigned long bad_line = 1 + count_lines(data, bad);
        size_t outlen;
        long n = pi_utf8_sanitize(data, len, &owned, &outlen);
        if (n < 0)
            return pi_input_no_memory(r);
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
    unsigned long lang_line = 0;

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
            } else if (key == K_LANG) {
                lang_line = lineno;
            }
            if (key != K_DATE && key != K_OTHER) {
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
                        rc = pi_input_no_memory(r);
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
    /* The id comes from the file name, which need not be UTF-8: repaired as the library repairs
     * an id, so that what reindex records is the id the release is stored under. */
    size_t idlen = strlen(id);
    if (pi_utf8_valid_prefix(id, idlen) < idlen) {
        long k = pi_utf8_sanitize(id, idlen, &id_copy, NULL);
        if (k < 0) {
            rc = pi_input_no_memory(r);
            goto out;
        }
        char msg[64];
        pi_input_problem(r, file, 0, 0, "file name: %s", pi_msg_utf8(msg, sizeof msg, k));
        rel.id = id_copy;
    }
    if (rel.lang && !pi_lang_valid(rel.lang)) {
        char msg[160];
        pi_input_problem(r, file, lang_line, 0, "%s", pi_msg_lang(msg, sizeof msg, rel.lang));
        rel.lang = NULL;
    }
    rel.paragraphs = r->paras;
    rel.n_paragraphs = np;
    rc = pi_input_deliver(r, &rel, file, 0);
out:
    free(id_copy);
    free(owned);
    return rc;
}
