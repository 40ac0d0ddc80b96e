/*
 * query.c - the query language, lexed and parsed once into a tree (see query.h and pressindex(1)).
 *
 * Grammar, with Xapian's QueryParser precedence (OR binds loosest, NEAR tightest):
 *   or   := xor (OR xor)*          xor := and (XOR and)*
 *   and  := seq ((AND | AND NOT | NOT) seq)*      -- a leading NOT: every passage but ...
 *   seq  := item+                                 -- side by side; '+' required, '-' excluded
 *   item := [+|-] near      near := primary (NEAR[/n] primary)*
 *   primary := word | word* | "phrase" | ( or ) | title:value | title:( or ) | source:v | date:v
 * Operators are recognised only in capitals, so a reporter's lower-case "not" stays a word.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "text.h"

typedef enum {
    T_WORD, T_PHRASE, T_LPAREN, T_RPAREN, T_AND, T_OR, T_XOR, T_NEAR, T_NOT, T_FIELD, T_END
} tok_kind;

typedef enum { F_NONE, F_TITLE, F_SOURCE, F_DATE } field_kind;

typedef struct tok {
    tok_kind kind;
    size_t start, end;   /* byte span in the query (a phrase, a field value: inside the quotes) */
    size_t pos;          /* where the token starts, sign included, for messages */
    char sign;           /* '+', '-' or 0 */
    int wildcard;        /* a word (or field value) ending in '*': end excludes the '*' */
    field_kind field;    /* T_FIELD */
    int value_quoted;    /* T_FIELD: the value was quoted */
    int value_group;     /* T_FIELD: title:( ... ), the bracket is the next token */
    unsigned near;       /* T_NEAR: NEAR/n's n, 0 for a plain NEAR (Xapian's 10) */
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

/* A malformed query's message and where it is: the byte offset goes to the caller
 * (pressindex_last_error_position), the 1-based character position into the message. */
typedef struct qerr {
    pi_buf *msg;
    long at;     /* byte offset of the malformed spot; -1 until one is found */
} qerr;

static pressindex_status fail(qerr *err, const char *q, size_t off, const char *what)
{
    err->at = (long)off;
    pi_buf_clear(err->msg);
    pi_buf_printf(err->msg, "malformed query at character %zu: %s", charpos(q, off), what);
    return PRESSINDEX_ERR_BAD_QUERY;
}

/* Finds the closing quote from s+i; returns its byte offset or (size_t)-1. */
static size_t find_close(const char *s, size_t i, size_t n)
{
    size_t ql;
    for (; i < n; i++)
        if (is_open_quote((const unsigned char *)s + i, &ql))
            return i;
    return (size_t)-1;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static field_kind field_of(const char *s, size_t n)
{
    static const struct { const char *name; field_kind f; } fields[] = {
        {"title", F_TITLE}, {"source", F_SOURCE}, {"date", F_DATE}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (n == strlen(fields[i].name) && strncasecmp(s, fields[i].name, n) == 0)
            return fields[i].f;
    return F_NONE;
}

/* The operator a bare run spells, or T_WORD. */
static pressindex_status operator_of(const char *q, size_t s, size_t len, tok *k, qerr *err)
{
    k->kind = T_WORD;
    if (k->sign)
        return PRESSINDEX_OK; /* "+AND" is the word "and" */
    if (len == 3 && !memcmp(q + s, "AND", 3))
        k->kind = T_AND;
    else if (len == 2 && !memcmp(q + s, "OR", 2))
        k->kind = T_OR;
    else if (len == 3 && !memcmp(q + s, "XOR", 3))
        k->kind = T_XOR;
    else if (len == 3 && !memcmp(q + s, "NOT", 3))
        k->kind = T_NOT;
    else if (len == 4 && !memcmp(q + s, "NEAR", 4)) {
        k->kind = T_NEAR;
    } else if (len >= 5 && !memcmp(q + s, "NEAR/", 5)) {
        /* "NEAR/x" or "NEAR/": a mistyped window, not the words "near" and "x". */
        if (len == 5 || len > 9 || strspn(q + s + 5, "0123456789") != len - 5)
            return fail(err, q, s, "NEAR/ wants a number of words (NEAR/5)");
        k->kind = T_NEAR;
        k->near = (unsigned)strtoul(q + s + 5, NULL, 10);
        if (k->near == 0)
            return fail(err, q, s, "NEAR/ wants a number of words (NEAR/5)");
    }
    return PRESSINDEX_OK;
}

/* Splits the query into tokens, ended by T_END. */
static pressindex_status lex(const char *q, tok **out, size_t *count_out, qerr *err)
{
    size_t n = strlen(q), i = 0, cap = 16, count = 0;
    pressindex_status st = PRESSINDEX_OK;
    tok *t = malloc(cap * sizeof *t);
    if (!t)
        return PRESSINDEX_ERR_NO_MEMORY;
    for (;;) {
        while (i < n && is_space((unsigned char)q[i]))
            i++;
        if (count + 1 >= cap) {
            tok *g = realloc(t, (cap *= 2) * sizeof *t);
            if (!g) {
                st = PRESSINDEX_ERR_NO_MEMORY;
                break;
            }
            t = g;
        }
        tok *k = &t[count];
        memset(k, 0, sizeof *k);
        k->pos = i;
        if (i >= n) {
            k->kind = T_END;
            count++;
            break;
        }
        size_t ql;
        if (q[i] == '+' || q[i] == '-') {
            /* A lone dash is punctuation ("Kazakhstan - Turkey"), not an operator. */
            if (i + 1 >= n || is_space((unsigned char)q[i + 1]) || q[i + 1] == ')') {
                i++;
                continue;
            }
            k->sign = q[i++];
        }
        if (q[i] == '(' || q[i] == ')') {
            k->kind = q[i] == '(' ? T_LPAREN : T_RPAREN;
            k->start = i;
            k->end = ++i;
            count++;
            continue;
        }
        if (is_open_quote((const unsigned char *)q + i, &ql)) {
            size_t close = find_close(q, i + ql, n);
            if (close == (size_t)-1) {
                st = fail(err, q, i, "unbalanced quote");
                break;
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
        const char *colon = memchr(q + s, ':', i - s);
        field_kind f = colon ? field_of(q + s, (size_t)(colon - (q + s))) : F_NONE;
        if (f != F_NONE) {
            k->kind = T_FIELD;
            k->field = f;
            k->start = (size_t)(colon - q) + 1;
            if (k->start == i) {
                /* The value is a quoted phrase right after the colon, or title's bracket. */
                if (i < n && is_open_quote((const unsigned char *)q + i, &ql)) {
                    size_t close = find_close(q, i + ql, n);
                    if (close == (size_t)-1) {
                        st = fail(err, q, i, "unbalanced quote");
                        break;
                    }
                    k->start = i + ql;
                    k->end = close;
                    k->value_quoted = 1;
                    size_t v = k->start;
                    while (v < k->end && is_space((unsigned char)q[v]))
                        v++;
                    if (v == k->end) { /* date:"" would otherwise match every date */
                        st = fail(err, q, s, "field with no value");
                        break;
                    }
                    is_open_quote((const unsigned char *)q + close, &ql);
                    i = close + ql;
                } else if (i < n && q[i] == '(' && f == F_TITLE) {
                    k->value_group = 1;
                } else {
                    st = fail(err, q, s, "field with no value");
                    break;
                }
            }
            if (!k->value_quoted && !k->value_group && k->end - k->start > 1 && q[k->end - 1] == '*') {
                k->wildcard = 1;
                k->end--;
            }
            count++;
            continue;
        }
        if ((st = operator_of(q, s, i - s, k, err)) != PRESSINDEX_OK)
            break;
        if (k->kind == T_WORD && i - s > 1 && q[i - 1] == '*') {
            k->wildcard = 1;
            k->end = i - 1;
        }
        count++;
    }
    if (st != PRESSINDEX_OK) {
        free(t);
        return st;
    }
    *out = t;
    *count_out = count;
    return PRESSINDEX_OK;
}

/* Is token k one plain word that is a stopword? */
static int stopword_token(const char *q, const tok *k, pi_buf *fold)
{
    size_t at = k->start, ws, we;
    if (k->kind != T_WORD || k->sign || k->wildcard || !pi_word_next(q, k->end, &at, &ws, &we) ||
        pi_word_next(q, k->end, &at, &(size_t){0}, &(size_t){0}))
        return 0;
    int n = pi_fold_word(q + ws, we - ws, fold);
    return n > 0 && pi_is_stopword(fold->p, (size_t)n);
}

/* NEAR next to a stopword ("drifts NEAR THE equator", typed in capitals) is the English word:
 * as an operator it would bind a word to "the", which every passage holds. */
static void demote_near(const char *q, tok *t, size_t n, pi_buf *fold)
{
    for (size_t i = 1; i + 1 < n; i++)
        if (t[i].kind == T_NEAR && t[i].near == 0 &&
            (stopword_token(q, &t[i - 1], fold) || stopword_token(q, &t[i + 1], fold)))
            t[i].kind = T_WORD;
}

/* ---- the tree ---- */

typedef struct parser {
    const char *q;
    tok *t;
    size_t at;
    pi_stemmer *stem;
    pi_query *out;
    qerr *err;
    pi_buf fold;
    unsigned brackets;    /* open around the current token */
    pressindex_status st; /* sticky: once set, every step returns at once */
} parser;

/* What a rule parsed: a node, or nothing to search (present but NULL: filters, punctuation or
 * empty quotes; empty says which, for operators that need a word). */
typedef struct parsed {
    pi_qnode *node;
    int present;
    int empty;   /* present, no node, and not only filters */
} parsed;

static void node_free(pi_qnode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_words; i++) {
        free(n->words[i].folded);
        free(n->words[i].stem);
    }
    free(n->words);
    for (size_t i = 0; i < n->n_kids; i++)
        node_free(n->kids[i]);
    free(n->kids);
    free(n);
}

static pi_qnode *node_new(parser *p, pi_qkind kind, size_t pos)
{
    if (p->st != PRESSINDEX_OK)
        return NULL;
    pi_qnode *n = calloc(1, sizeof *n);
    if (!n)
        p->st = PRESSINDEX_ERR_NO_MEMORY;
    else {
        n->kind = kind;
        n->pos = pos;
        n->depth = 1;
    }
    return n;
}

#define PI_STR_(x) #x
#define PI_STR(x) PI_STR_(x)

static void check_depth(parser *p, const pi_qnode *n)
{
    if (n->depth > PI_QUERY_MAX_DEPTH && p->st == PRESSINDEX_OK)
        p->st = fail(p->err, p->q, n->pos,
                     "operators nested more than " PI_STR(PI_QUERY_MAX_DEPTH) " deep");
}

/* n holds kid now: n is one level deeper than it, and no deeper than the limit. A sequence is
 * checked when it is kept (seq() unwraps one of a single item). */
static void deepen(parser *p, pi_qnode *n, const pi_qnode *kid)
{
    if (kid && kid->depth + 1 > n->depth)
        n->depth = kid->depth + 1;
    if (n->kind != PI_Q_SEQ)
        check_depth(p, n);
}

/* Appends kid to n (kid may be NULL: nothing to add). Frees kid on failure. */
static void add_kid(parser *p, pi_qnode *n, pi_qnode *kid)
{
    if (!kid)
        return;
    pi_qnode **g = p->st == PRESSINDEX_OK && n ? realloc(n->kids, (n->n_kids + 1) * sizeof *g) : NULL;
    if (!g) {
        if (p->st == PRESSINDEX_OK)
            p->st = PRESSINDEX_ERR_NO_MEMORY;
        node_free(kid);
        return;
    }
    n->kids = g;
    n->kids[n->n_kids++] = kid;
    deepen(p, n, kid);
}

/* The words of q[s..e), folded and stemmed, appended to leaf n. */
static void add_words(parser *p, pi_qnode *n, size_t s, size_t e)
{
    size_t at = s, ws, we;
    while (p->st == PRESSINDEX_OK && pi_word_next(p->q, e, &at, &ws, &we)) {
        int fl = pi_fold_word(p->q + ws, we - ws, &p->fold);
        if (fl < 0) {
            p->st = PRESSINDEX_ERR_NO_MEMORY;
            break;
        }
        if (fl == 0)
            continue;
        size_t sl;
        const char *st = pi_stemmer_stem(p->stem, p->fold.p, (size_t)fl, &sl);
        pi_qword *g = st ? realloc(n->words, (n->n_words + 1) * sizeof *g) : NULL;
        if (!g) {
            p->st = PRESSINDEX_ERR_NO_MEMORY;
            break;
        }
        n->words = g;
        pi_qword *w = &n->words[n->n_words];
        w->start = ws;
        w->end = we;
        w->stop = pi_is_stopword(p->fold.p, (size_t)fl);
        w->folded = strndup(p->fold.p, (size_t)fl);
        w->stem = strndup(st, sl);
        n->n_words++;
        if (!w->folded || !w->stem)
            p->st = PRESSINDEX_ERR_NO_MEMORY;
    }
}

/* A leaf for the text q[s..e): one word, a wildcard, or the words of a phrase. NULL when the text
 * holds no word (punctuation, empty quotes). */
static pi_qnode *leaf(parser *p, size_t s, size_t e, size_t pos, int quoted, int wildcard,
                      pi_qfield field)
{
    pi_qnode *n = node_new(p, PI_Q_WORD, pos);
    if (!n)
        return NULL;
    n->field = field;
    add_words(p, n, s, e);
    if (p->st != PRESSINDEX_OK || n->n_words == 0) {
        node_free(n);
        return NULL;
    }
    /* Only a single word takes a trailing '*': "U.S*" searches its words as typed. */
    if (wildcard && n->n_words == 1 && n->words[0].start == s && n->words[0].end == e)
        n->kind = PI_Q_WILDCARD;
    else if (quoted || n->n_words > 1)
        n->kind = PI_Q_PHRASE;
    n->quoted = quoted;
    if (quoted || n->kind == PI_Q_WILDCARD || field == PI_QF_TITLE)
        p->out->structured = 1;
    return n;
}

/* Compares bounds as the ranges they start: "2025" < "2025-01-02". Returns lo <= hi. */
static int range_ordered(const char *lo, const char *hi)
{
    if (!*lo || !*hi)
        return 1;
    size_t n = strlen(lo) < strlen(hi) ? strlen(lo) : strlen(hi);
    return strncmp(lo, hi, n) <= 0;
}

static void add_date(parser *p, const tok *k)
{
    const char *q = p->q, *v = q + k->start;
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
    if (dots && lo_n == 0 && hi_n == 0) {
        p->st = fail(p->err, q, k->pos, "date range with no dates");
        return;
    }
    if ((lo_n && !pi_date_bound_valid(v, lo_n)) || (hi_n && !pi_date_bound_valid(hi, hi_n))) {
        p->st = fail(p->err, q, k->pos, "bad date (use YYYY, YYYY-MM or YYYY-MM-DD, as in "
                                        "date:2025-07 or date:2025-01-01..2025-06-30)");
        return;
    }
    pi_date_range r;
    memset(&r, 0, sizeof r);
    memcpy(r.lo, v, lo_n);
    memcpy(r.hi, hi, hi_n);
    r.excluded = k->sign == '-';
    if (!range_ordered(r.lo, r.hi)) {
        p->st = fail(p->err, q, k->pos, "date range ends before it starts");
        return;
    }
    pi_date_range *g = realloc(p->out->dates, (p->out->n_dates + 1) * sizeof *g);
    if (!g) {
        p->st = PRESSINDEX_ERR_NO_MEMORY;
        return;
    }
    p->out->dates = g;
    p->out->dates[p->out->n_dates++] = r;
}

static void add_source(parser *p, const tok *k)
{
    pi_buf f = {0};
    char *v = strndup(p->q + k->start, k->end - k->start);
    if (!v || pi_fold_text(v, &f) < 0)
        p->st = PRESSINDEX_ERR_NO_MEMORY;
    else if (!f.len) /* source:"." names no source: nothing would match, silently */
        p->st = fail(p->err, p->q, k->pos, "field with no value");
    free(v);
    pi_source *g = p->st == PRESSINDEX_OK ? realloc(p->out->sources, (p->out->n_sources + 1) * sizeof *g) : NULL;
    if (g) {
        p->out->sources = g;
        g[p->out->n_sources].folded = pi_buf_steal(&f);
        g[p->out->n_sources].excluded = k->sign == '-';
        if (g[p->out->n_sources].folded)
            p->out->n_sources++;
        else
            p->st = PRESSINDEX_ERR_NO_MEMORY;
    } else if (p->st == PRESSINDEX_OK) {
        p->st = PRESSINDEX_ERR_NO_MEMORY;
    }
    pi_buf_free(&f);
}

static parsed parse_or(parser *p, pi_qfield field);

/* The filters written inside an excluded part ("x NOT source:A", "-(date:2024)") exclude: the ones
 * added since dates[d0] and sources[s0] are turned round. */
static void negate_filters(parser *p, size_t d0, size_t s0)
{
    for (size_t i = d0; i < p->out->n_dates; i++)
        p->out->dates[i].excluded = !p->out->dates[i].excluded;
    for (size_t i = s0; i < p->out->n_sources; i++)
        p->out->sources[i].excluded = !p->out->sources[i].excluded;
}

static const tok *cur(const parser *p)
{
    return &p->t[p->at];
}

static int starts_operand(const tok *k)
{
    return k->kind == T_WORD || k->kind == T_PHRASE || k->kind == T_LPAREN || k->kind == T_FIELD;
}

static parsed primary(parser *p, pi_qfield field)
{
    parsed r = {NULL, 1, 0};
    const tok *k = cur(p);
    switch (k->kind) {
    case T_WORD:
    case T_PHRASE:
        p->at++;
        r.node = leaf(p, k->start, k->end, k->pos, k->kind == T_PHRASE, k->wildcard, field);
        r.empty = !r.node;
        return r;
    case T_FIELD:
        p->at++;
        if (k->field == F_DATE) {
            add_date(p, k);
        } else if (k->field == F_SOURCE) {
            add_source(p, k);
        } else if (k->value_group) {
            p->out->structured = 1;
            r = primary(p, PI_QF_TITLE); /* the bracket that follows */
        } else {
            r.node = leaf(p, k->start, k->end, k->pos, k->value_quoted, k->wildcard, PI_QF_TITLE);
            p->out->structured = 1;
            r.empty = !r.node;
        }
        return r;
    case T_LPAREN: {
        size_t open = k->pos;
        p->at++;
        p->out->structured = 1;
        if (cur(p)->kind == T_RPAREN) {
            p->st = fail(p->err, p->q, open, "empty brackets");
            return r;
        }
        if (p->brackets == PI_QUERY_MAX_DEPTH) {
            p->st = fail(p->err, p->q, open,
                         "brackets nested more than " PI_STR(PI_QUERY_MAX_DEPTH) " deep");
            return r;
        }
        p->brackets++;
        r = parse_or(p, field);
        p->brackets--;
        if (p->st != PRESSINDEX_OK)
            return r;
        if (cur(p)->kind != T_RPAREN) {
            node_free(r.node);
            r.node = NULL;
            p->st = cur(p)->kind == T_END ? fail(p->err, p->q, open, "'(' without ')'")
                                          : fail(p->err, p->q, cur(p)->pos, "unexpected operator");
            return r;
        }
        p->at++;
        return r;
    }
    default:
        r.present = 0;
        return r;
    }
}

/* One NEAR operand: a word or phrase (a hyphenated word is one), nothing else. */
static int near_operand(const tok *k, const pi_qnode *n)
{
    return !k->sign && !k->wildcard && (k->kind == T_WORD || k->kind == T_PHRASE) &&
           n && (n->kind == PI_Q_WORD || n->kind == PI_Q_PHRASE);
}

static parsed near(parser *p, pi_qfield field)
{
    const tok *first = cur(p);
    parsed r = primary(p, field);
    if (p->st != PRESSINDEX_OK || cur(p)->kind != T_NEAR)
        return r;
    static const char *const what = "NEAR takes words and phrases (not wildcards, brackets, "
                                    "fields, NOT or signed words)";
    if (!near_operand(first, r.node)) {
        p->st = r.present && !r.empty ? fail(p->err, p->q, cur(p)->pos, what)
                                      : fail(p->err, p->q, cur(p)->pos, r.present
                                             ? "an operator's operand has no word to search"
                                             : "operator with no operand before it");
        node_free(r.node);
        r.node = NULL;
        return r;
    }
    pi_qnode *n = node_new(p, PI_Q_NEAR, r.node->pos);
    p->out->structured = 1;
    unsigned gap = 0, words = 0;
    words += (unsigned)r.node->n_words;
    add_kid(p, n, r.node);
    while (p->st == PRESSINDEX_OK && cur(p)->kind == T_NEAR) {
        const tok *op = cur(p);
        if (op->near > gap) /* a chain takes its widest NEAR/n, as Xapian's parser */
            gap = op->near;
        p->at++;
        const tok *k = cur(p);
        if (!starts_operand(k) && k->kind != T_NOT) {
            p->st = fail(p->err, p->q, op->pos, "operator with no operand after it");
            break;
        }
        if (k->sign && (k->kind == T_LPAREN)) {
            p->st = fail(p->err, p->q, op->pos, what);
            break;
        }
        parsed o = primary(p, field);
        if (p->st != PRESSINDEX_OK)
            break;
        if (!o.node || !near_operand(k, o.node)) {
            p->st = fail(p->err, p->q, op->pos, o.empty ? "an operator's operand has no word to search" : what);
            node_free(o.node);
            break;
        }
        words += (unsigned)o.node->n_words;
        add_kid(p, n, o.node);
    }
    if (p->st != PRESSINDEX_OK) {
        node_free(n);
        r.node = NULL;
        return r;
    }
    /* Xapian's window spans the words: NEAR/n between k words is n + k - 1 positions; a plain
     * NEAR is NEAR/10. */
    n->window = (gap ? gap : 10) + words - 1;
    r.node = n;
    return r;
}

static parsed seq(parser *p, pi_qfield field)
{
    parsed r = {NULL, 0, 0};
    pi_qnode *s = NULL;
    size_t items = 0, pos = cur(p)->pos;
    int empty = 0;
    while (p->st == PRESSINDEX_OK && starts_operand(cur(p))) {
        char sign = cur(p)->sign;
        if (cur(p)->kind == T_FIELD && cur(p)->field != F_TITLE)
            sign = 0; /* a filter's sign is the filter's (-source:x) */
        if (sign)
            p->out->structured = 1;
        size_t d0 = p->out->n_dates, s0 = p->out->n_sources;
        parsed it = near(p, field);
        if (sign == '-')
            negate_filters(p, d0, s0);
        if (p->st != PRESSINDEX_OK) {
            node_free(it.node);
            break;
        }
        items++;
        empty |= it.empty;
        if (!it.node)
            continue;
        it.node->sign = sign;
        if (!s && !(s = node_new(p, PI_Q_SEQ, pos))) {
            node_free(it.node);
            break;
        }
        add_kid(p, s, it.node);
    }
    if (p->st != PRESSINDEX_OK) {
        node_free(s);
        return r;
    }
    r.present = items > 0;
    r.empty = r.present && !s && empty;
    /* One unsigned item needs no sequence around it. */
    if (s && s->n_kids == 1 && !s->kids[0]->sign) {
        r.node = s->kids[0];
        s->n_kids = 0;
        node_free(s);
    } else if (s && (check_depth(p, s), p->st != PRESSINDEX_OK)) {
        node_free(s);
    } else {
        r.node = s;
    }
    return r;
}

static pi_qnode *binary(parser *p, pi_qkind kind, pi_qnode *a, pi_qnode *b, size_t pos)
{
    /* a AND b AND c is one AND of three. */
    if (a && a->kind == kind && kind != PI_Q_NOT) {
        add_kid(p, a, b);
        return a;
    }
    pi_qnode *n = node_new(p, kind, pos);
    if (!n) {
        node_free(a);
        node_free(b);
        return NULL;
    }
    if (kind == PI_Q_NOT) {
        /* kids[0] may be NULL: every passage but kids[1]. */
        n->kids = calloc(2, sizeof *n->kids);
        if (!n->kids) {
            p->st = PRESSINDEX_ERR_NO_MEMORY;
            node_free(a);
            node_free(b);
            node_free(n);
            return NULL;
        }
        n->kids[0] = a;
        n->kids[1] = b;
        n->n_kids = 2;
        deepen(p, n, a);
        deepen(p, n, b);
        return n;
    }
    add_kid(p, n, a);
    add_kid(p, n, b);
    return n;
}

/* The operand after a binary operator at op. */
static parsed right_operand(parser *p, const tok *op, parsed (*rule)(parser *, pi_qfield),
                            pi_qfield field)
{
    if (!starts_operand(cur(p)) && cur(p)->kind != T_NOT) {
        p->st = fail(p->err, p->q, op->pos, op->kind == T_NOT ? "NOT with no operand after it"
                                                             : "operator with no operand after it");
        return (parsed){NULL, 0, 0};
    }
    if (op->kind == T_NOT && cur(p)->kind == T_NOT) {
        p->st = fail(p->err, p->q, op->pos, "NOT with no operand after it");
        return (parsed){NULL, 0, 0};
    }
    parsed r = rule(p, field);
    if (p->st == PRESSINDEX_OK && r.empty)
        p->st = fail(p->err, p->q, op->pos, "an operator's operand has no word to search");
    return r;
}

static parsed and_(parser *p, pi_qfield field)
{
    parsed l = {NULL, 0, 0};
    if (cur(p)->kind != T_NOT) {
        l = seq(p, field);
        if (p->st != PRESSINDEX_OK)
            return l;
    }
    while (p->st == PRESSINDEX_OK && (cur(p)->kind == T_AND || cur(p)->kind == T_NOT)) {
        const tok *op = cur(p);
        pi_qkind kind = op->kind == T_NOT ? PI_Q_NOT : PI_Q_AND;
        if (op->kind == T_AND && !l.present) {
            p->st = fail(p->err, p->q, op->pos, "operator with no operand before it");
            break;
        }
        if (l.empty) {
            p->st = fail(p->err, p->q, op->pos, "an operator's operand has no word to search");
            break;
        }
        p->at++;
        if (op->kind == T_AND && cur(p)->kind == T_NOT) { /* AND NOT */
            kind = PI_Q_NOT;
            op = cur(p);
            p->at++;
        }
        p->out->structured = 1;
        size_t d0 = p->out->n_dates, s0 = p->out->n_sources;
        parsed r = right_operand(p, op, seq, field);
        if (kind == PI_Q_NOT)
            negate_filters(p, d0, s0);
        if (p->st != PRESSINDEX_OK) {
            node_free(r.node);
            break;
        }
        if (kind == PI_Q_NOT && !r.node) {
            /* NOT of filters only: they were turned round (negate_filters), nothing else to do */
        } else if (kind == PI_Q_NOT || (l.node && r.node)) {
            l.node = binary(p, kind, l.node, r.node, op->pos);
        } else if (!l.node) {
            l.node = r.node;
        }
        l.present = 1;
        l.empty = 0;
    }
    if (p->st != PRESSINDEX_OK) {
        node_free(l.node);
        l.node = NULL;
    }
    return l;
}

/* A left-associative chain of one operator over the rule below it. */
static parsed chain(parser *p, pi_qfield field, tok_kind op_kind, pi_qkind kind,
                    parsed (*rule)(parser *, pi_qfield))
{
    parsed l = rule(p, field);
    while (p->st == PRESSINDEX_OK && cur(p)->kind == op_kind) {
        const tok *op = cur(p);
        if (!l.present) {
            p->st = fail(p->err, p->q, op->pos, "operator with no operand before it");
            break;
        }
        if (l.empty) {
            p->st = fail(p->err, p->q, op->pos, "an operator's operand has no word to search");
            break;
        }
        p->at++;
        p->out->structured = 1;
        parsed r = right_operand(p, op, rule, field);
        if (p->st != PRESSINDEX_OK) {
            node_free(r.node);
            break;
        }
        if (l.node && r.node)
            l.node = binary(p, kind, l.node, r.node, op->pos);
        else if (!l.node)
            l.node = r.node;
    }
    if (p->st != PRESSINDEX_OK) {
        node_free(l.node);
        l.node = NULL;
    }
    return l;
}

static parsed xor_(parser *p, pi_qfield field)
{
    return chain(p, field, T_XOR, PI_Q_XOR, and_);
}

static parsed parse_or(parser *p, pi_qfield field)
{
    return chain(p, field, T_OR, PI_Q_OR, xor_);
}

/* Marks what is excluded (under '-' or a NOT's right side) and which leaves operators lean on. */
static void mark(pi_qnode *n, int excluded)
{
    if (!n)
        return;
    n->excluded = excluded;
    for (size_t i = 0; i < n->n_kids; i++) {
        pi_qnode *k = n->kids[i];
        if (!k)
            continue;
        if (n->kind != PI_Q_SEQ)
            k->operand = k->n_words > 0; /* a leaf an operator leans on */
        mark(k, excluded || (n->kind == PI_Q_SEQ && k->sign == '-') || (n->kind == PI_Q_NOT && i == 1));
    }
}

/* Is there a wanted plain word that is not a stopword? Then plain stopwords are left out. */
static int has_content(const pi_qnode *n)
{
    if (!n || n->excluded)
        return 0;
    /* A word, a phrase, a title: any leaf with a word that is not a stopword. */
    for (size_t i = 0; i < n->n_words; i++)
        if (!n->words[i].stop)
            return 1;
    for (size_t i = 0; i < n->n_kids; i++)
        if (has_content(n->kids[i]))
            return 1;
    return 0;
}

static void require_all(const pi_query *q, pi_qnode *n)
{
    if (!n)
        return;
    switch (n->kind) {
    case PI_Q_SEQ:
        for (size_t i = 0; i < n->n_kids; i++) {
            pi_qnode *kid = n->kids[i];
            if (kid->sign == '-')
                continue; /* an exclusion stays one */
            /* A stopword the query leaves out stays out (a sign would bring it in). */
            int dropped = kid->kind == PI_Q_WORD && kid->n_words == 1 &&
                          !pi_qword_searched(q, kid, &kid->words[0]);
            if (!kid->sign && !dropped)
                kid->sign = '+';
            require_all(q, kid);
        }
        return;
    case PI_Q_AND:
        for (size_t i = 0; i < n->n_kids; i++)
            require_all(q, n->kids[i]);
        return;
    case PI_Q_NOT:
        require_all(q, n->kids[0]); /* what it takes away from stays optional-free too */
        return;
    default:
        return; /* OR and XOR groups, NEAR and leaves: as typed */
    }
}

void pi_query_require_all(pi_query *q)
{
    require_all(q, q->root);
}

int pi_qword_searched(const pi_query *q, const pi_qnode *leaf, const pi_qword *w)
{
    /* The adjacency phrase keeps stopwords ("Organization of Turkic States" is adjacent only with
     * its "of"), and so do phrases, hyphenated words, titles and what an operator leans on. */
    return !(q->drop_stopwords && w->stop && leaf->kind == PI_Q_WORD && leaf->field == PI_QF_TEXT &&
             !leaf->sign && !leaf->operand);
}

pressindex_status pi_query_parse(const char *text, pi_stemmer *stem, pi_query *out, pi_buf *err)
{
    memset(out, 0, sizeof *out);
    out->error_at = -1;
    qerr e = {err, -1};
    parser p = {text, NULL, 0, stem, out, &e, {0}, 0, PRESSINDEX_OK};
    size_t n = 0;
    if ((p.st = lex(text, &p.t, &n, &e)) != PRESSINDEX_OK) {
        out->error_at = p.st == PRESSINDEX_ERR_BAD_QUERY ? e.at : -1;
        return p.st;
    }
    demote_near(text, p.t, n, &p.fold);
    parsed r = parse_or(&p, PI_QF_TEXT);
    if (p.st == PRESSINDEX_OK && cur(&p)->kind != T_END) {
        const tok *k = cur(&p);
        p.st = k->kind == T_RPAREN ? fail(&e, text, k->pos, "')' without '('")
             : k->kind == T_NOT ? fail(&e, text, k->pos, "NOT with no operand after it")
                                : fail(&e, text, k->pos, "operator with no operand before it");
        node_free(r.node);
        r.node = NULL;
    }
    pi_buf_free(&p.fold);
    free(p.t);
    if (p.st != PRESSINDEX_OK) {
        node_free(r.node);
        out->error_at = p.st == PRESSINDEX_ERR_BAD_QUERY ? e.at : -1;
        return p.st;
    }
    out->root = r.node;
    mark(out->root, 0);
    out->drop_stopwords = has_content(out->root);
    return PRESSINDEX_OK;
}

void pi_query_free(pi_query *q)
{
    node_free(q->root);
    free(q->dates);
    for (size_t i = 0; i < q->n_sources; i++)
        free(q->sources[i].folded);
    free(q->sources);
    memset(q, 0, sizeof *q);
}

static int walk(const pi_query *q, const pi_qnode *n, pi_qleaf_fn fn, void *ctx)
{
    if (!n)
        return 0;
    if (n->n_words)
        return fn(q, n, ctx);
    for (size_t i = 0; i < n->n_kids; i++) {
        int r = walk(q, n->kids[i], fn, ctx);
        if (r)
            return r;
    }
    return 0;
}

int pi_query_leaves(const pi_query *q, pi_qleaf_fn fn, void *ctx)
{
    return q ? walk(q, q->root, fn, ctx) : 0;
}

static int count_words(const pi_query *q, const pi_qnode *leaf, void *ctx)
{
    if (leaf->alt)
        return 0;
    for (size_t i = 0; i < leaf->n_words; i++)
        *(size_t *)ctx += (size_t)pi_qword_searched(q, leaf, &leaf->words[i]);
    return 0;
}

size_t pi_query_terms(const pi_query *q)
{
    size_t n = 0;
    pi_query_leaves(q, count_words, &n);
    return n;
}

typedef struct stem_key {
    const char *stem;
    size_t len;
} stem_key;

static int excluded_leaf_has(const pi_query *q, const pi_qnode *leaf, void *ctx)
{
    (void)q;
    const stem_key *k = ctx;
    if (!leaf->excluded || leaf->field != PI_QF_TEXT)
        return 0;
    for (size_t i = 0; i < leaf->n_words; i++)
        if (strlen(leaf->words[i].stem) == k->len && !memcmp(leaf->words[i].stem, k->stem, k->len))
            return 1;
    return 0;
}

int pi_query_excludes(const pi_query *q, const char *stem, size_t len)
{
    stem_key k = {stem, len};
    return pi_query_leaves(q, excluded_leaf_has, &k);
}

/* ---- other forms of the typed words (pi_query_expand) */

typedef struct expander {
    const char *text;
    pi_stemmer *primary;  /* the query's language */
    const pi_qlang *langs;
    size_t n_langs;
    pressindex_status st;
} expander;

static int all_of(const char *s, int digits)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (digits ? !(*s >= '0' && *s <= '9') : !(*s >= 'a' && *s <= 'z'))
            return 0;
    return 1;
}

/* A copy of leaf's frame (kind, field, flags) with no words, marked as another form. */
static pi_qnode *alt_new(const pi_qnode *leaf, pi_qkind kind)
{
    pi_qnode *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->kind = kind;
    a->field = leaf->field;
    a->quoted = leaf->quoted;
    a->excluded = leaf->excluded;
    a->operand = 1;
    a->pos = leaf->pos;
    a->depth = 1;
    a->alt = 1;
    return a;
}

static int alt_word(pi_qnode *a, const pi_qword *like, const char *folded, size_t fl, pi_stemmer *stem)
{
    size_t sl;
    const char *st = pi_stemmer_stem(stem, folded, fl, &sl);
    pi_qword *g = st ? realloc(a->words, (a->n_words + 1) * sizeof *g) : NULL;
    if (!g)
        return -1;
    a->words = g;
    pi_qword *w = &g[a->n_words];
    memset(w, 0, sizeof *w);
    w->start = like->start;
    w->end = like->end;
    w->folded = strndup(folded, fl);
    w->stem = strndup(st, sl);
    a->n_words++;
    return w->folded && w->stem ? 0 : -1;
}

/* Appends alt to the list (freeing it on failure); duplicates of what is there are dropped. */
static int alt_push(pi_qnode ***list, size_t *n, pi_qnode *a, const pi_qnode *leaf)
{
    if (!a)
        return -1;
    const pi_qnode *same[] = {leaf};
    for (size_t i = 0; i <= *n; i++) {
        const pi_qnode *o = i < *n ? (*list)[i] : same[0];
        if (o->kind != a->kind || o->n_words != a->n_words || (o->lang && a->lang && o->lang != a->lang))
            continue;
        size_t k = 0;
        while (k < a->n_words && !strcmp(o->words[k].stem, a->words[k].stem))
            k++;
        if (k == a->n_words && (!o->lang || o->lang == a->lang)) {
            node_free(a); /* nothing new: the typed leaf or an earlier form finds it */
            return 0;
        }
    }
    pi_qnode **g = realloc(*list, (*n + 1) * sizeof *g);
    if (!g) {
        node_free(a);
        return -1;
    }
    *list = g;
    g[(*n)++] = a;
    return 0;
}

/* The other forms of leaf, appended to list. */
static int leaf_alts(expander *x, const pi_qnode *leaf, pi_qnode ***list, size_t *n)
{
    /* In the index's other languages, the whole leaf (a phrase stays in one language). */
    for (size_t l = 0; l < x->n_langs; l++) {
        pi_qnode *a = alt_new(leaf, leaf->kind);
        for (size_t i = 0; a && i < leaf->n_words; i++)
            if (alt_word(a, &leaf->words[i], leaf->words[i].folded, strlen(leaf->words[i].folded),
                         x->langs[l].stem) < 0) {
                node_free(a);
                a = NULL;
            }
        if (a)
            a->lang = &x->langs[l];
        if (alt_push(list, n, a, leaf) < 0)
            return -1;
    }
    if (leaf->quoted)
        return 0;
    /* "F-16" (two words of one token, letters then digits, joined by one hyphen) also as "F16". */
    if (leaf->kind == PI_Q_PHRASE && leaf->n_words == 2 && all_of(leaf->words[0].folded, 0) &&
        all_of(leaf->words[1].folded, 1) && leaf->words[1].start == leaf->words[0].end + 1 &&
        x->text[leaf->words[0].end] == '-') {
        pi_buf j = {0};
        pi_qnode *a = alt_new(leaf, PI_Q_WORD);
        int rc = pi_buf_printf(&j, "%s%s", leaf->words[0].folded, leaf->words[1].folded);
        if (a && rc == 0 && alt_word(a, &leaf->words[0], j.p, j.len, x->primary) < 0) {
            node_free(a);
            a = NULL;
        }
        pi_buf_free(&j);
        if (alt_push(list, n, a, leaf) < 0)
            return -1;
    }
    /* "F16" (letters then digits) also as the phrase "F 16". */
    if (leaf->kind == PI_Q_WORD && leaf->n_words == 1) {
        const char *f = leaf->words[0].folded;
        size_t k = strspn(f, "abcdefghijklmnopqrstuvwxyz");
        if (k && f[k] && all_of(f + k, 1)) {
            pi_qnode *a = alt_new(leaf, PI_Q_PHRASE);
            if (a && (alt_word(a, &leaf->words[0], f, k, x->primary) < 0 ||
                      alt_word(a, &leaf->words[0], f + k, strlen(f + k), x->primary) < 0)) {
                node_free(a);
                a = NULL;
            }
            if (alt_push(list, n, a, leaf) < 0)
                return -1;
        }
    }
    return 0;
}

/* NEAR spans its operands' words, so it is looked for in one language at a time: in each other
 * language where an operand stems otherwise, the NEAR of those stems (its operands' spellings stay
 * as typed). */
static int near_alts(expander *x, const pi_qnode *n, pi_qnode ***list, size_t *count)
{
    for (size_t l = 0; l < x->n_langs; l++) {
        pi_qnode *a = alt_new(n, PI_Q_NEAR);
        int differs = 0;
        if (a && !(a->kids = calloc(n->n_kids ? n->n_kids : 1, sizeof *a->kids))) {
            node_free(a);
            a = NULL;
        }
        for (size_t i = 0; a && i < n->n_kids; i++) {
            const pi_qnode *kid = n->kids[i];
            pi_qnode *k = alt_new(kid, kid->kind);
            for (size_t w = 0; k && w < kid->n_words; w++) {
                if (alt_word(k, &kid->words[w], kid->words[w].folded, strlen(kid->words[w].folded),
                             x->langs[l].stem) < 0) {
                    node_free(k);
                    k = NULL;
                } else {
                    differs |= strcmp(k->words[w].stem, kid->words[w].stem) != 0;
                }
            }
            if (!k) {
                node_free(a);
                a = NULL;
                break;
            }
            k->lang = &x->langs[l];
            a->kids[a->n_kids++] = k;
        }
        if (!a)
            return -1;
        a->window = n->window;
        a->lang = &x->langs[l];
        a->depth = n->depth;
        if (!differs) {
            node_free(a);
            continue;
        }
        pi_qnode **g = realloc(*list, (*count + 1) * sizeof *g);
        if (!g) {
            node_free(a);
            return -1;
        }
        *list = g;
        g[(*count)++] = a;
    }
    return 0;
}

static void expand(expander *x, const pi_query *q, pi_qnode **slot, unsigned depth)
{
    pi_qnode *n = *slot;
    if (!n || x->st != PRESSINDEX_OK || depth > PI_QUERY_MAX_DEPTH + 1)
        return;
    if (n->kind != PI_Q_WORD && n->kind != PI_Q_PHRASE && n->kind != PI_Q_NEAR) {
        for (size_t i = 0; i < n->n_kids; i++)
            expand(x, q, &n->kids[i], depth + 1);
        return;
    }
    /* A stopword left out of the search has no other form to search either. */
    if (n->kind == PI_Q_WORD && !pi_qword_searched(q, n, &n->words[0]))
        return;
    pi_qnode **alts = NULL;
    size_t k = 0;
    pi_qnode *or = NULL, **kids = NULL;
    int rc = n->kind == PI_Q_NEAR ? near_alts(x, n, &alts, &k) : leaf_alts(x, n, &alts, &k);
    if (rc < 0 || (k && (!(or = calloc(1, sizeof *or)) || !(kids = calloc(k + 1, sizeof *kids))))) {
        for (size_t i = 0; i < k; i++)
            node_free(alts[i]);
        free(alts);
        free(or);
        x->st = PRESSINDEX_ERR_NO_MEMORY;
        return;
    }
    if (!k) {
        free(alts);
        return;
    }
    or->kind = PI_Q_OR;
    or->sign = n->sign;
    or->field = n->field;
    or->excluded = n->excluded;
    or->operand = n->operand;
    or->pos = n->pos;
    or->depth = n->depth + 1;
    kids[0] = n;
    memcpy(kids + 1, alts, k * sizeof *kids);
    free(alts);
    or->kids = kids;
    or->n_kids = k + 1;
    n->sign = 0;
    n->operand = n->kind == PI_Q_NEAR ? n->operand : 1; /* under an OR: what it searches stays searched */
    n->wrap = or;
    *slot = or;
}

pressindex_status pi_query_expand(pi_query *q, const char *text, pi_stemmer *primary,
                                  const pi_qlang *langs, size_t n)
{
    expander x = {text, primary, langs, n, PRESSINDEX_OK};
    expand(&x, q, &q->root, 0);
    return x.st;
}

static int describe(const pi_qnode *n, pi_buf *b)
{
    static const char *const names[] = {"word", "phrase", "wildcard", "seq", "and", "or", "xor", "not", "near"};
    if (!n)
        return pi_buf_adds(b, "all");
    int rc = pi_buf_addc(b, '(');
    if (n->sign)
        rc |= pi_buf_addc(b, n->sign);
    rc |= pi_buf_adds(b, names[n->kind]);
    if (n->field == PI_QF_TITLE)
        rc |= pi_buf_adds(b, ":title");
    if (n->lang && n->kind != PI_Q_NEAR)
        rc |= pi_buf_printf(b, "@%s", n->lang->codes[0]);
    if (n->kind == PI_Q_NEAR)
        rc |= pi_buf_printf(b, "/%u%s%s", n->window, n->lang ? "@" : "", n->lang ? n->lang->codes[0] : "");
    for (size_t i = 0; i < n->n_words; i++)
        rc |= pi_buf_printf(b, " \"%s\"", n->words[i].stem);
    if (n->kind == PI_Q_WILDCARD)
        rc |= pi_buf_printf(b, " \"%s*\"", n->words[0].folded);
    for (size_t i = 0; i < n->n_kids; i++) {
        rc |= pi_buf_addc(b, ' ');
        rc |= describe(n->kids[i], b);
    }
    return rc | pi_buf_addc(b, ')');
}

int pi_query_describe(const pi_query *q, pi_buf *out)
{
    int rc = q->root ? describe(q->root, out) : pi_buf_adds(out, "nothing");
    for (size_t i = 0; i < q->n_dates; i++)
        rc |= pi_buf_printf(out, " %sdate:%s..%s", q->dates[i].excluded ? "-" : "", q->dates[i].lo,
                            q->dates[i].hi);
    for (size_t i = 0; i < q->n_sources; i++)
        rc |= pi_buf_printf(out, " %ssource:%s", q->sources[i].excluded ? "-" : "", q->sources[i].folded);
    return rc ? -1 : 0;
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
    /* The year from its four digits: s need not end after the bound (atoi read past it). */
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
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
