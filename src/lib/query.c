/*
 * query.c - lexing, checking and rewriting the query language (see query.h and pressindex(1)).
 *
 * Grammar, loosely:  query := item*  ;  item := [+|-] (word | "phrase" | field:value | ( query ))
 * with the binary operators AND, OR, XOR, NEAR, NEAR/n and the prefix/infix NOT between items.
 * Operators are recognised only in capitals, so a reporter's lower-case "not" stays a word.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "text.h"

typedef enum { T_WORD, T_PHRASE, T_LPAREN, T_RPAREN, T_BINOP, T_NOT, T_FIELD } tok_kind;

typedef struct tok {
    tok_kind kind;
    size_t start, end;   /* byte span in the query (for a phrase: inside the quotes) */
    size_t pos;          /* where the token starts, for messages */
    char sign;           /* '+', '-' or 0 */
    int wildcard;        /* word ending in '*' (end excludes the '*') */
    char field[8];       /* T_FIELD: "title", "source", "date" */
    int value_phrase;    /* T_FIELD: the value was quoted */
    int minus_group;     /* T_NOT written as '-' before a bracket: "-(China OR Mexico)" */
} tok;

static int is_open_quote(const unsigned char *s, size_t *len)
{
    if (s[0] == '"') { *len = 1; return 1; }
    /* “ and ” (U+201C, U+201D): pasted from documents */
    if (s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0x9C || s[2] == 0x9D)) { *len = 3; return 1; }
    return 0;
}

/* Character position (1-based, in code points) of byte offset off, for messages. */
static size_t charpos(const char *s, size_t off)
{
    size_t n = 1;
    for (size_t i = 0; i < off && s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

static int fail(pi_buf *err, const char *q, size_t off, const char *what)
{
    pi_buf_clear(err);
    pi_buf_printf(err, "malformed query at character %zu: %s", charpos(q, off), what);
    return -1;
}

static const char *const fields[] = {"title", "source", "date"};

/* Finds the closing quote from s+i; returns its byte offset or (size_t)-1. */
static size_t find_close(const char *s, size_t i, size_t n)
{
    while (i < n) {
        size_t ql;
        if (is_open_quote((const unsigned char *)s + i, &ql))
            return i;
        i++;
    }
    return (size_t)-1;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Splits the query into tokens. Returns the count, -1 on a lexical error (err set), -2 on OOM. */
static long lex(const char *q, tok **out, pi_buf *err)
{
    size_t n = strlen(q), i = 0, cap = 16, count = 0;
    tok *t = malloc(cap * sizeof *t);
    if (!t)
        return -2;
    while (i < n) {
        if (is_space((unsigned char)q[i])) {
            i++;
            continue;
        }
        if (count + 1 >= cap) {
            tok *g = realloc(t, (cap *= 2) * sizeof *t);
            if (!g) {
                free(t);
                return -2;
            }
            t = g;
        }
        tok *k = &t[count];
        memset(k, 0, sizeof *k);
        k->pos = i;
        size_t ql;
        if (q[i] == '(' || q[i] == ')') {
            k->kind = q[i] == '(' ? T_LPAREN : T_RPAREN;
            k->start = i;
            k->end = ++i;
            count++;
            continue;
        }
        if ((q[i] == '+' || q[i] == '-') && i + 1 < n && !is_space((unsigned char)q[i + 1]) &&
            q[i + 1] != ')') {
            k->sign = q[i++];
            /* Xapian's love/hate signs take words and phrases only: "-(a OR b)" is NOT ( ... ),
             * and "+( ... )" has no such reading. */
            if (q[i] == '(' && k->sign == '+') {
                free(t);
                return fail(err, q, i - 1, "'+' before a bracket (for a group that must match, "
                                           "use AND ( ... ))");
            }
            if (q[i] == '(') {
                k->kind = T_NOT;
                k->sign = 0;
                k->minus_group = 1;
                k->start = i - 1;
                k->end = i;
                count++;
                continue;
            }
        } else if (q[i] == '+' || q[i] == '-') {
            /* A lone dash is punctuation ("Kazakhstan - Turkey"), not an operator. */
            i++;
            continue;
        }
        if (is_open_quote((const unsigned char *)q + i, &ql)) {
            size_t close = find_close(q, i + ql, n);
            if (close == (size_t)-1) {
                free(t);
                return fail(err, q, i, "unbalanced quote");
            }
            k->kind = T_PHRASE;
            k->start = i + ql;
            k->end = close;
            is_open_quote((const unsigned char *)q + close, &ql);
            i = close + ql;
            count++;
            continue;
        }
        /* A run up to whitespace, a bracket or a quote. */
        size_t s = i;
        while (i < n && !is_space((unsigned char)q[i]) && q[i] != '(' && q[i] != ')' &&
               !is_open_quote((const unsigned char *)q + i, &ql))
            i++;
        k->start = s;
        k->end = i;
        size_t len = i - s;
        const char *colon = memchr(q + s, ':', len);
        int isfield = 0;
        if (colon && !k->sign) {
            size_t fl = (size_t)(colon - (q + s));
            for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
                if (fl == strlen(fields[f]) && strncasecmp(q + s, fields[f], fl) == 0) {
                    isfield = 1;
                    strcpy(k->field, fields[f]);
                }
        }
        if (isfield) {
            k->kind = T_FIELD;
            k->start = (size_t)(colon - q) + 1;
            if (k->start == i) {
                /* The value may be a quoted phrase right after the colon. */
                if (i < n && is_open_quote((const unsigned char *)q + i, &ql)) {
                    size_t close = find_close(q, i + ql, n);
                    if (close == (size_t)-1) {
                        free(t);
                        return fail(err, q, i, "unbalanced quote");
                    }
                    k->start = i + ql;
                    k->end = close;
                    k->value_phrase = 1;
                    size_t v = k->start;
                    while (v < k->end && is_space((unsigned char)q[v]))
                        v++;
                    if (v == k->end) { /* date:"" would otherwise match every date */
                        free(t);
                        return fail(err, q, s, "field with no value");
                    }
                    is_open_quote((const unsigned char *)q + close, &ql);
                    i = close + ql;
                } else {
                    free(t);
                    return fail(err, q, s, "field with no value");
                }
            }
            count++;
            continue;
        }
        if (!k->sign && (len == 3 && !memcmp(q + s, "AND", 3))) k->kind = T_BINOP;
        else if (!k->sign && len == 2 && !memcmp(q + s, "OR", 2)) k->kind = T_BINOP;
        else if (!k->sign && len == 3 && !memcmp(q + s, "XOR", 3)) k->kind = T_BINOP;
        else if (!k->sign && len >= 4 && !memcmp(q + s, "NEAR", 4) &&
                 (len == 4 || (q[s + 4] == '/' && len > 5 &&
                               strspn(q + s + 5, "0123456789") == len - 5)))
            k->kind = T_BINOP;
        else if (!k->sign && len >= 5 && !memcmp(q + s, "NEAR/", 5)) {
            /* "NEAR/x" or "NEAR/": a mistyped window, not the words "near" and "x". */
            free(t);
            return fail(err, q, s, "NEAR/ wants a number of words (NEAR/5)");
        } else if (!k->sign && len == 3 && !memcmp(q + s, "NOT", 3)) k->kind = T_NOT;
        else {
            k->kind = T_WORD;
            if (len > 1 && q[i - 1] == '*') {
                k->wildcard = 1;
                k->end = i - 1;
            }
        }
        count++;
    }
    *out = t;
    return (long)count;
}

static int is_near(const tok *k)
{
    return k && k->kind == T_BINOP && k->end - k->start >= 4;
}

/* One plain word: all that Xapian's NEAR takes (not a phrase, a wildcard, "Kassym-Jomart" or
 * "U.S.", which are phrases to it). */
static int near_operand(const char *q, const tok *k)
{
    size_t at, ws, we;
    if (!k || k->sign || k->wildcard || k->kind != T_WORD)
        return 0;
    at = k->start;
    if (!pi_word_next(q, k->end, &at, &ws, &we))
        return 0;
    return !pi_word_next(q, k->end, &at, &ws, &we);
}

static int operand_start(const tok *k)
{
    return k->kind == T_WORD || k->kind == T_PHRASE || k->kind == T_LPAREN || k->kind == T_FIELD ||
           k->kind == T_NOT;
}

/* Operators need operands on both sides; brackets must balance. */
static int check(const char *q, const tok *t, size_t n, pi_buf *err)
{
    long depth = 0;
    size_t last_open = 0;
    for (size_t i = 0; i < n; i++) {
        const tok *k = &t[i];
        const tok *next = i + 1 < n ? &t[i + 1] : NULL;
        const tok *prev = i ? &t[i - 1] : NULL;
        switch (k->kind) {
        case T_LPAREN:
            depth++;
            last_open = k->pos;
            if (next && next->kind == T_RPAREN)
                return fail(err, q, k->pos, "empty brackets");
            break;
        case T_RPAREN:
            if (--depth < 0)
                return fail(err, q, k->pos, "')' without '('");
            break;
        case T_BINOP:
            if (!prev || prev->kind == T_LPAREN || prev->kind == T_BINOP || prev->kind == T_NOT)
                return fail(err, q, k->pos, "operator with no operand before it");
            if (!next || !operand_start(next))
                return fail(err, q, k->pos, "operator with no operand after it");
            /* Xapian's NEAR takes words and phrases; given anything else it silently re-reads
             * the whole query without its operators. */
            if (is_near(k) && (!near_operand(q, prev) || !near_operand(q, next)))
                return fail(err, q, k->pos, "NEAR takes single words (not phrases, wildcards, "
                                            "brackets, NOT or signed words)");
            break;
        case T_NOT:
            if (!next || !operand_start(next) || next->kind == T_NOT)
                return fail(err, q, k->pos, "NOT with no operand after it");
            if (k->minus_group) {
                /* Xapian's NOT takes everything after it: "-(a) b" would exclude b too. */
                long d = 0;
                size_t j = i + 1;
                for (; j < n; j++) {
                    d += t[j].kind == T_LPAREN ? 1 : t[j].kind == T_RPAREN ? -1 : 0;
                    if (d == 0)
                        break;
                }
                for (j++; j < n && t[j].kind == T_FIELD && strcmp(t[j].field, "title"); j++)
                    ; /* date: and source: are filters, not part of Xapian's query */
                if (j < n && t[j].kind != T_RPAREN)
                    return fail(err, q, k->pos, "-( ... ) must come last in its bracket or query");
            }
            break;
        default:
            break;
        }
    }
    if (depth > 0)
        return fail(err, q, last_open, "'(' without ')'");
    return 0;
}

int pi_query_excludes(const pi_query *q, const char *stem, size_t len)
{
    for (size_t i = 0; q && i < q->n_excluded; i++)
        if (strlen(q->excluded[i]) == len && !memcmp(q->excluded[i], stem, len))
            return 1;
    return 0;
}

int pi_date_bound_valid(const char *s, size_t n)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (n != 4 && n != 7 && n != 10)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int want_dash = i == 4 || i == 7;
        if (want_dash ? s[i] != '-' : !isdigit((unsigned char)s[i]))
            return 0;
    }
    int y = atoi(s);
    if (y < 1)
        return 0;
    if (n == 4)
        return 1;
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    if (m < 1 || m > 12)
        return 0;
    if (n == 7)
        return 1;
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d >= 1 && d <= mdays[m - 1] && !(m == 2 && d == 29 && !leap);
}

/* Compares bounds as the ranges they start: "2025" < "2025-01-02". Returns lo <= hi. */
static int range_ordered(const char *lo, const char *hi)
{
    if (!*lo || !*hi)
        return 1;
    size_t n = strlen(lo) < strlen(hi) ? strlen(lo) : strlen(hi);
    return strncmp(lo, hi, n) <= 0;
}

static int parse_date(const char *q, const tok *k, pi_query *out, pi_buf *err)
{
    const char *v = q + k->start;
    size_t n = k->end - k->start;
    const char *dots = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if (v[i] == '.' && v[i + 1] == '.') {
            dots = v + i;
            break;
        }
    size_t lo_n = dots ? (size_t)(dots - v) : n;
    const char *hi = dots ? dots + 2 : v;
    size_t hi_n = dots ? n - lo_n - 2 : n;
    if (dots && lo_n == 0 && hi_n == 0)
        return fail(err, q, k->pos, "date range with no dates");
    if ((lo_n && !pi_date_bound_valid(v, lo_n)) || (hi_n && !pi_date_bound_valid(hi, hi_n)))
        return fail(err, q, k->pos, "bad date (use YYYY, YYYY-MM or YYYY-MM-DD, as in date:2025-07 or date:2025-01-01..2025-06-30)");
    pi_date_range r;
    memset(&r, 0, sizeof r);
    memcpy(r.lo, v, lo_n);
    memcpy(r.hi, hi, hi_n);
    if (!range_ordered(r.lo, r.hi))
        return fail(err, q, k->pos, "date range ends before it starts");
    pi_date_range *g = realloc(out->dates, (out->n_dates + 1) * sizeof *g);
    if (!g)
        return -2;
    out->dates = g;
    out->dates[out->n_dates++] = r;
    return 0;
}

static int push_str(char ***list, size_t *n, const char *s, size_t len)
{
    char **g = realloc(*list, (*n + 1) * sizeof *g);
    if (!g)
        return -2;
    *list = g;
    if (!(g[*n] = strndup(s, len)))
        return -2;
    (*n)++;
    return 0;
}

/* Emits the stems of the words in q[s..e) separated by sep into out. Returns the number of words
 * emitted (stopwords dropped when drop_stop and not all of them are stopwords), or -2 on OOM. */
static long emit_words(const char *q, size_t s, size_t e, pi_stemmer *stem, char sep,
                       int drop_stop, pi_query *out, int record)
{
    pi_buf f = {0};
    size_t at = s, ws, we;
    long emitted = 0;
    while (pi_word_next(q, e, &at, &ws, &we)) {
        int n = pi_fold_word(q + ws, we - ws, &f);
        if (n < 0)
            goto oom;
        if (n == 0)
            continue;
        size_t sl;
        const char *st = pi_stemmer_stem(stem, f.p, (size_t)n, &sl);
        if (!st)
            goto oom;
        /* The adjacency phrase keeps stopwords: "Organization of Turkic States" is adjacent only
         * with its "of". */
        if (record && push_str(&out->words, &out->n_words, st, sl) < 0)
            goto oom;
        if (drop_stop && pi_is_stopword(f.p, (size_t)n))
            continue;
        if (emitted && pi_buf_addc(&out->text, sep) < 0)
            goto oom;
        if (pi_buf_add(&out->text, st, sl) < 0)
            goto oom;
        emitted++;
    }
    pi_buf_free(&f);
    return emitted;
oom:
    pi_buf_free(&f);
    return -2;
}

enum { AS_EXCLUDED, AS_PHRASE, AS_LOOSE };

/* Records the stems of the words of q[s..e): as one phrase (joined by spaces) in out->phrases, or
 * each one in out->excluded or out->loose. 0 or -2 on OOM. */
static int record_stems(const char *q, size_t s, size_t e, pi_stemmer *stem, pi_query *out,
                        int as)
{
    int as_phrase = as == AS_PHRASE;
    char ***list = as == AS_LOOSE ? &out->loose : &out->excluded;
    size_t *count = as == AS_LOOSE ? &out->n_loose : &out->n_excluded;
    pi_buf f = {0}, p = {0};
    size_t at = s, ws, we;
    int rc = 0;
    while (rc == 0 && pi_word_next(q, e, &at, &ws, &we)) {
        int n = pi_fold_word(q + ws, we - ws, &f);
        size_t sl;
        const char *st = n > 0 ? pi_stemmer_stem(stem, f.p, (size_t)n, &sl) : NULL;
        if (n < 0 || (n > 0 && !st))
            rc = -2;
        else if (st && !as_phrase && push_str(list, count, st, sl) < 0)
            rc = -2;
        else if (st && as_phrase && ((p.len && pi_buf_addc(&p, ' ') < 0) || pi_buf_add(&p, st, sl) < 0))
            rc = -2;
    }
    if (rc == 0 && p.len && push_str(&out->phrases, &out->n_phrases, p.p, p.len) < 0)
        rc = -2;
    pi_buf_free(&f);
    pi_buf_free(&p);
    return rc;
}

/* Does q[s..e) hold a word at all (punctuation and empty quotes do not)? */
static int has_word(const char *q, size_t s, size_t e)
{
    size_t at = s, ws, we;
    return pi_word_next(q, e, &at, &ws, &we);
}

/* Does q[s..e) hold any word that is not a stopword? */
static int has_content(const char *q, size_t s, size_t e)
{
    pi_buf f = {0};
    size_t at = s, ws, we;
    int found = 0;
    while (!found && pi_word_next(q, e, &at, &ws, &we)) {
        int n = pi_fold_word(q + ws, we - ws, &f);
        found = n > 0 && !pi_is_stopword(f.p, (size_t)n);
    }
    pi_buf_free(&f);
    return found;
}

int pi_query_parse(const char *q, pi_stemmer *stem, pi_query *out, pi_buf *err)
{
    memset(out, 0, sizeof *out);
    tok *t = NULL;
    char *neg = NULL, *ex = NULL;
    long n = lex(q, &t, err);
    if (n < 0)
        return (int)n;
    int rc = check(q, t, (size_t)n, err);
    if (rc < 0)
        goto done;

    rc = -2;
    /* Which items are excluded: after NOT, with '-', or inside a bracket that is. The ranking
     * must not count an excluded word as evidence (release, neighbour, phrase frequency). */
    neg = calloc((size_t)n + 1, 1);
    ex = calloc((size_t)n + 1, 1);
    if (!neg || !ex || pi_buf_reserve(&out->text, 64) < 0)
        goto done;
    for (long i = 0, depth = 0; i < n; i++) {
        ex[i] = (char)((depth && neg[depth - 1]) || (i && t[i - 1].kind == T_NOT) || t[i].sign == '-');
        if (t[i].kind == T_LPAREN)
            neg[depth++] = ex[i];
        else if (t[i].kind == T_RPAREN && depth)
            depth--;
    }

    /* Stopwords go only when something else is left to search and no operator leans on them. */
    int any_content = 0;
    for (long i = 0; i < n; i++)
        if (!ex[i] && t[i].kind == T_WORD && has_content(q, t[i].start, t[i].end))
            any_content = 1;
    /* A query of excluded words only ("-China"): Xapian would read a lone hate term as a word, so
     * its signs become NOT ("NOT china"), which matches everything else. Wanted = something
     * left to search once stopwords, punctuation and empty quotes are gone. */
    int any_wanted = 0;
    for (long i = 0; i < n; i++)
        if (!ex[i] && (t[i].kind == T_WORD || t[i].kind == T_PHRASE ||
                       (t[i].kind == T_FIELD && !strcmp(t[i].field, "title"))) &&
            (t[i].kind == T_WORD && any_content ? has_content(q, t[i].start, t[i].end)
                                                : has_word(q, t[i].start, t[i].end)))
            any_wanted = 1;

    for (long i = 0; i < n; i++) {
        tok *k = &t[i];
        const tok *prev = i ? &t[i - 1] : NULL, *next = i + 1 < n ? &t[i + 1] : NULL;
        int excluded = ex[i];
        if (excluded && (k->kind == T_WORD || k->kind == T_PHRASE) && !k->wildcard &&
            record_stems(q, k->start, k->end, stem, out, AS_EXCLUDED) < 0)
            goto done;
        int near_op = (prev && (prev->kind == T_BINOP || prev->kind == T_NOT)) ||
                      (next && next->kind == T_BINOP);
        size_t mark = out->text.len;
        if (out->text.len && pi_buf_addc(&out->text, ' ') < 0)
            goto done;
        size_t after_space = out->text.len;
        if (k->sign) {
            out->structured = 1;
            if (k->sign == '-' && !any_wanted ? pi_buf_adds(&out->text, "NOT ") < 0
                                              : pi_buf_addc(&out->text, k->sign) < 0)
                goto done;
        }
        long w;
        switch (k->kind) {
        case T_LPAREN: case T_RPAREN: case T_BINOP: case T_NOT:
            out->structured = 1;
            if (k->minus_group ? pi_buf_adds(&out->text, "NOT") < 0
                               : pi_buf_add(&out->text, q + k->start, k->end - k->start) < 0)
                goto done;
            break;
        case T_PHRASE:
            out->structured = 1;
            if (pi_buf_addc(&out->text, '"') < 0)
                goto done;
            if ((w = emit_words(q, k->start, k->end, stem, ' ', 0, out, 0)) < 0 ||
                pi_buf_addc(&out->text, '"') < 0)
                goto done;
            if (w == 0) /* "" or punctuation only: nothing to search */
                out->text.len = mark;
            else if (!excluded && record_stems(q, k->start, k->end, stem, out, AS_PHRASE) < 0)
                goto done;
            break;
        case T_FIELD:
            /* Filters (date, source) leave the words as typed: only title: is structure. */
            if (!strcmp(k->field, "date")) {
                out->text.len = mark;
                if ((rc = parse_date(q, k, out, err)) < 0)
                    goto done;
                rc = -2;
            } else if (!strcmp(k->field, "source")) {
                pi_buf f = {0};
                char *v = strndup(q + k->start, k->end - k->start);
                int ok = v && pi_fold_text(v, &f) == 0;
                free(v);
                if (ok && !f.len) { /* source:"." names no source: nothing would match, silently */
                    pi_buf_free(&f);
                    rc = fail(err, q, k->pos, "field with no value");
                    goto done;
                }
                ok = ok && push_str(&out->sources, &out->n_sources, f.p, f.len) == 0;
                pi_buf_free(&f);
                out->text.len = mark;
                if (!ok)
                    goto done;
            } else { /* title */
                out->structured = 1;
                if (pi_buf_adds(&out->text, "title:") < 0 ||
                    (k->value_phrase && pi_buf_addc(&out->text, '"') < 0))
                    goto done;
                if ((w = emit_words(q, k->start, k->end, stem, k->value_phrase ? ' ' : '-', 0, out, 0)) < 0 ||
                    (k->value_phrase && pi_buf_addc(&out->text, '"') < 0))
                    goto done;
                if (w == 0)
                    out->text.len = mark;
            }
            break;
        case T_WORD:
            if (k->wildcard) {
                pi_buf f = {0};
                size_t at = k->start, ws, we;
                int ok = 1;
                /* Only a single word can take a trailing '*'; "U.S*" searches its words as typed. */
                if (pi_word_next(q, k->end, &at, &ws, &we) && we == k->end && ws == k->start) {
                    ok = pi_fold_word(q + ws, we - ws, &f) >= 0 &&
                         push_str(&out->wildcards, &out->n_wildcards, f.p, f.len) == 0;
                    /* The index holds stems: "security*" expands over terms starting "security",
                     * which misses "security" itself (stem "secur"). The word's own stem goes
                     * with it, so a wildcard finds at least what the word finds (check() keeps
                     * wildcards away from NEAR). A '+' takes one term: the stem is required and
                     * the prefix's other words only add weight. */
                    size_t sl = 0;
                    const char *st = ok && f.len ? pi_stemmer_stem(stem, f.p, f.len, &sl) : NULL;
                    int alt = st && (sl != f.len || memcmp(st, f.p, sl));
                    if (ok && alt && k->sign == '+') {
                        ok = pi_buf_add(&out->text, st, sl) == 0 && pi_buf_addc(&out->text, ' ') == 0;
                        alt = 0;
                    }
                    if (alt && excluded && push_str(&out->excluded, &out->n_excluded, st, sl) < 0)
                        ok = 0;
                    if (ok && alt && !k->sign)
                        ok = pi_buf_addc(&out->text, '(') == 0;
                    ok = ok && pi_buf_add(&out->text, f.p, f.len) == 0 && pi_buf_addc(&out->text, '*') == 0;
                    if (ok && alt)
                        ok = pi_buf_adds(&out->text, !k->sign ? " OR " : any_wanted ? " -" : " NOT ") == 0 &&
                             pi_buf_add(&out->text, st, sl) == 0 &&
                             (k->sign || pi_buf_addc(&out->text, ')') == 0);
                    out->structured = 1;
                    pi_buf_free(&f);
                    if (!ok)
                        goto done;
                    break;
                }
                pi_buf_free(&f);
            }
            /* One typed token may hold several words ("Kazakh-Turkish", "U.S."): joined by
             * hyphens they make the QueryParser search them as a phrase. */
            w = emit_words(q, k->start, k->end, stem, '-',
                           any_content && !k->sign && !near_op, out, !k->sign && !near_op);
            if (w < 0 || (!excluded && record_stems(q, k->start, k->end, stem, out, AS_LOOSE) < 0))
                goto done;
            if (w == 0 && near_op) {
                rc = fail(err, q, k->pos, "an operator's operand has no word to search");
                goto done;
            }
            if (w == 0)
                out->text.len = mark;
            break;
        }
        if (out->text.len == after_space && mark != out->text.len)
            out->text.len = mark; /* nothing but the space: undo it */
        out->text.p[out->text.len] = '\0';
    }
    rc = 0;
done:
    free(neg);
    free(ex);
    free(t);
    return rc;
}

static void free_list(char **l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(l[i]);
    free(l);
}

void pi_query_free(pi_query *q)
{
    pi_buf_free(&q->text);
    free(q->dates);
    free_list(q->sources, q->n_sources);
    free_list(q->words, q->n_words);
    free_list(q->phrases, q->n_phrases);
    free_list(q->excluded, q->n_excluded);
    free_list(q->wildcards, q->n_wildcards);
    free_list(q->loose, q->n_loose);
    memset(q, 0, sizeof *q);
}
