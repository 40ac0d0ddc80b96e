#include "config.h"
#include "text.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/*
 * Character classes of the tokenizer. A word is a maximal run of WORD characters; an APOS
 * character continues a word only when a WORD character follows it (the word must already have
 * started, so a leading apostrophe is never part of a word and a trailing one never is either).
 */
enum { SEP = 0, WORD = 1, APOS = 2, SPLIT = 3, MARK = 4 };

/* ASCII: letters and digits are WORD, '\'' is APOS, everything else (and bytes >= 0x80 here) SEP. */
static const unsigned char ascii_class[256] = {
    /* 0x00 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x10 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x20 */ 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0,
    /* 0x30 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    /* 0x40 */ 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x50 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    /* 0x60 */ 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    /* 0x70 */ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
    /* 0x80 - 0xFF: all 0 (implicitly) */
};

static int is_apostrophe(utf8proc_int32_t cp)
{
    return cp == 0x27 || cp == 0x2019 || cp == 0x02BC || cp == 0x2018;
}

/*
 * Scripts written without spaces between words: Chinese (Han), Japanese (kana and Han), Thai, Lao,
 * Khmer, Myanmar. No dictionary tells their words apart, so each character (with the marks that
 * follow it) is a word of its own, at its own position: a word of two characters is then searched
 * as the phrase of its characters (the query side splits alike), which finds it inside any longer
 * run, and highlights land on its characters.
 */
static int is_split_script(utf8proc_int32_t cp)
{
    return (cp >= 0x0E00 && cp <= 0x0EFF) ||   /* Thai, Lao */
           (cp >= 0x1000 && cp <= 0x109F) ||   /* Myanmar */
           (cp >= 0x1780 && cp <= 0x17FF) ||   /* Khmer */
           (cp >= 0x3040 && cp <= 0x30FF) ||   /* Hiragana, Katakana */
           (cp >= 0x31F0 && cp <= 0x31FF) ||   /* Katakana phonetic extensions */
           (cp >= 0x3400 && cp <= 0x4DBF) ||   /* CJK extension A */
           (cp >= 0x4E00 && cp <= 0x9FFF) ||   /* CJK unified ideographs */
           (cp >= 0xF900 && cp <= 0xFAFF) ||   /* CJK compatibility ideographs */
           (cp >= 0xFF66 && cp <= 0xFF9F) ||   /* half-width Katakana */
           (cp >= 0x20000 && cp <= 0x3134F);   /* CJK extensions B.. */
}

static int cp_class(utf8proc_int32_t cp)
{
    /* U+02BC is a letter (Lm) to Unicode, but it is one of our apostrophes: treat it like ' so
     * that leading/trailing ones are not part of words, exactly like the others. */
    if (is_apostrophe(cp))
        return APOS;
    utf8proc_category_t cat = utf8proc_category(cp);
    /* L* (Lu Ll Lt Lm Lo), M* (Mn Mc Me), N* (Nd Nl No) are contiguous: 1..11. */
    if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_NO)
        return SEP;
    if (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME)
        return MARK;
    return cp >= 0x0E00 && is_split_script(cp) ? SPLIT : WORD;
}

/* Classifies the character at s[i] (i < len); returns its length in bytes (>= 1). Invalid UTF-8
 * is one separator byte. */
static size_t char_at(const unsigned char *s, size_t len, size_t i, int *cls)
{
    unsigned char c = s[i];
    if (c < 0x80) {
        *cls = ascii_class[c];
        return 1;
    }
    size_t avail = len - i;
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(s + i, (utf8proc_ssize_t)(avail < 4 ? avail : 4), &cp);
    if (n <= 0 || cp < 0) {
        *cls = SEP;
        return 1;
    }
    *cls = cp_class(cp);
    return (size_t)n;
}

int pi_word_next(const char *text, size_t len, size_t *pos, size_t *start, size_t *end)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = *pos;
    int cls;

    if (!text || i >= len)
        return 0;

    /* Skip separators. */
    for (;;) {
        if (i >= len) {
            *pos = len;
            return 0;
        }
        unsigned char c = s[i];
        if (c < 0x80) {
            if (ascii_class[c] == WORD)
                break;
            i++;
            continue;
        }
        size_t n = char_at(s, len, i, &cls);
        if (cls == WORD || cls == MARK)
            break;
        if (cls == SPLIT) {
            /* One character and its marks. */
            size_t b = i;
            i += n;
            while (i < len && (n = char_at(s, len, i, &cls)) && cls == MARK)
                i += n;
            *start = b;
            *end = i;
            *pos = i;
            return 1;
        }
        i += n;
    }

    size_t b = i;
    for (;;) {
        while (i < len && ascii_class[s[i]] == WORD)
            i++;
        if (i >= len)
            break;
        size_t n = char_at(s, len, i, &cls);
        if (cls == WORD || cls == MARK) {
            i += n;
            continue;
        }
        if (cls == APOS && i + n < len) {
            int cls2;
            size_t n2 = char_at(s, len, i + n, &cls2);
            if (cls2 == WORD) {
                i += n + n2;
                continue;
            }
        }
        break;
    }
    *start = b;
    *end = i;
    *pos = i;
    return 1;
}

/* ---- Folding ---- */

static int fold_word(const char *word, size_t n, pi_buf *b);

#define FOLD_OPTS                                                                                 \
    ((utf8proc_option_t)(UTF8PROC_CASEFOLD | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |              \
                         UTF8PROC_STRIPMARK | UTF8PROC_IGNORE))

/* A growable array of code points that starts on the caller's stack. */
typedef struct cpvec {
    utf8proc_int32_t *p;
    size_t n, cap;
    int heap;
} cpvec;

static int cpvec_grow(cpvec *v, size_t need)
{
    size_t cap = v->cap;
    while (cap < need) {
        if (cap > SIZE_MAX / 2 / sizeof(utf8proc_int32_t))
            return -1;
        cap *= 2;
    }
    utf8proc_int32_t *p;
    if (v->heap) {
        p = realloc(v->p, cap * sizeof *p);
    } else {
        p = malloc(cap * sizeof *p);
        if (p && v->n)
            memcpy(p, v->p, v->n * sizeof *p);
    }
    if (!p)
        return -1;
    v->p = p;
    v->cap = cap;
    v->heap = 1;
    return 0;
}

static int cpvec_push(cpvec *v, utf8proc_int32_t cp)
{
    if (v->n == v->cap && cpvec_grow(v, v->n + 1) < 0)
        return -1;
    v->p[v->n++] = cp;
    return 0;
}

/* Appends the fold of one non-special code point. */
static int fold_cp(cpvec *v, utf8proc_int32_t cp)
{
    for (;;) {
        int boundclass = 0;
        utf8proc_ssize_t r = utf8proc_decompose_char(cp, v->p + v->n, (utf8proc_ssize_t)(v->cap - v->n),
                                                     FOLD_OPTS, &boundclass);
        if (r < 0)
            return 0; /* cannot happen for a valid code point; drop it */
        if ((size_t)r <= v->cap - v->n) {
            v->n += (size_t)r;
            return 0;
        }
        if (cpvec_grow(v, v->n + (size_t)r) < 0)
            return -1;
    }
}

static int fold_slow(const unsigned char *s, size_t n, pi_buf *b)
{
    utf8proc_int32_t stackbuf[128];
    cpvec v = { stackbuf, 0, sizeof stackbuf / sizeof stackbuf[0], 0 };
    int rc = -1;
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            if (c == '\'')
                continue;
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c + ('a' - 'A'));
            if (cpvec_push(&v, c) < 0)
                goto out;
            continue;
        }
        utf8proc_int32_t cp;
        size_t avail = n - i;
        utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(avail < 4 ? avail : 4), &cp);
        if (k <= 0 || cp < 0) {
            i++; /* invalid byte: dropped */
            continue;
        }
        i += (size_t)k;
        if (cp == 0x0130 || cp == 0x0131) { /* Turkic İ and ı */
            if (cpvec_push(&v, 'i') < 0)
                goto out;
            continue;
        }
        if (fold_cp(&v, cp) < 0)
            goto out;
    }

    /* Apostrophes may also come out of decompositions (U+0149 -> U+02BC n, U+FF07 -> '). */
    size_t w = 0;
    for (size_t r = 0; r < v.n; r++)
        if (!is_apostrophe(v.p[r]))
            v.p[w++] = v.p[r];
    v.n = w;

    /* Recompose what stripping marks left composable (Hangul jamo back into syllables). */
    if (v.n) {
        utf8proc_ssize_t m = utf8proc_normalize_utf32(v.p, (utf8proc_ssize_t)v.n, UTF8PROC_COMPOSE);
        if (m < 0)
            goto out;
        v.n = (size_t)m;
    }

    if (v.n > (size_t)INT_MAX / 4 || pi_buf_reserve(b, v.n * 4) < 0)
        goto out;
    for (size_t r = 0; r < v.n; r++)
        b->len += (size_t)utf8proc_encode_char(v.p[r], (utf8proc_uint8_t *)b->p + b->len);
    b->p[b->len] = '\0';
    rc = (int)b->len;
out:
    if (v.heap)
        free(v.p);
    if (rc < 0)
        pi_buf_clear(b);
    return rc;
}

/* Does the word end in a possessive "'s" (any of the apostrophes)? */
static int possessive(const unsigned char *s, size_t n)
{
    if (n < 3 || (s[n - 1] != 's' && s[n - 1] != 'S'))
        return 0;
    if (s[n - 2] == '\'')
        return 1;
    /* U+2019 and U+2018 are E2 80 99 / E2 80 98, U+02BC is CA BC. */
    return (n >= 5 && s[n - 4] == 0xE2 && s[n - 3] == 0x80 && (s[n - 2] == 0x99 || s[n - 2] == 0x98)) ||
           (n >= 4 && s[n - 3] == 0xCA && s[n - 2] == 0xBC);
}

/*
 * What a reporter expects to match the bare word: a possessive ("Xi’s" is Xi, whose "xis" no
 * stemmer undoes) and a plural after digits ("F-16s", "1990s": "16s" and "1990s" are the numbers).
 * Both sides fold alike, so "F-16s" typed also finds "F-16".
 */
static void fold_suffixes(const unsigned char *word, size_t n, pi_buf *b)
{
    if (b->len >= 2 && possessive(word, n) && b->p[b->len - 1] == 's')
        b->p[--b->len] = '\0';
    /* Every such "s" ("16ss"): folding a folded word changes nothing. */
    size_t k = b->len;
    while (k > 1 && b->p[k - 1] == 's')
        k--;
    if (k < b->len && b->p[k - 1] >= '0' && b->p[k - 1] <= '9') {
        b->len = k;
        b->p[k] = '\0';
    }
}

int pi_fold_word(const char *word, size_t n, pi_buf *b)
{
    int r = fold_word(word, n, b);
    if (r > 0) {
        fold_suffixes((const unsigned char *)word, n, b);
        r = (int)b->len;
    }
    return r;
}

static int fold_word(const char *word, size_t n, pi_buf *b)
{
    const unsigned char *s = (const unsigned char *)word;
    pi_buf_clear(b);
    if (n > (size_t)INT_MAX / 4 || pi_buf_reserve(b, n) < 0)
        return -1;
    char *out = b->p;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c >= 0x80) {
            /* Not ASCII: redo the whole word on the Unicode path. */
            b->p[0] = '\0';
            return fold_slow(s, n, b);
        }
        if (c == '\'')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + ('a' - 'A'));
        out[o++] = (char)c;
    }
    out[o] = '\0';
    b->len = o;
    return (int)o;
}
