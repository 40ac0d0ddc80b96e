/*
 * posblob.h - the positions of a release's body words, one value per release (PI_SLOT_POS).
 *
 * Xapian keeps a position-table entry per distinct (word, document): for a release document that
 * is a 12-13 byte key for ~1.4 bytes of positions, and a B-tree lookup per query word per
 * candidate at search time. Instead the writer gives Xapian the body words without positions
 * (only their wdf, so BM25 over releases is unchanged) and stores here, per release:
 *
 *   format byte (PI_POSB_RAW, or PI_POSB_ZLIB: the rest is one zlib stream of the raw form)
 *   varint  G, the distinct first bytes of the terms, then G times: that byte, and (varint) where
 *           its first term starts in the dictionary, as the difference from the previous one's
 *   the dictionary: per distinct body term, in byte order:
 *     byte    bytes shared with the previous term << 4 | bytes of the rest (schema 8; two varints
 *             before, a byte a term more: 7% of the bytes a search read), a nibble of 15 meaning
 *             15 plus a varint that follows (the shared one's first)
 *             then the rest's bytes
 *     varint  byte length of the positions that follow (a reader skips them undecoded)
 *     varints the positions ascending: the first, then the differences
 *
 * A search walks the dictionary once per candidate release, merged with its own sorted terms
 * (passage.c), jumping to the first byte of the next term it looks for (a term starting a first
 * byte shares nothing with the one before: the front coding starts again there by itself).
 *
 * Since schema 7 the stopwords' terms (a term for which pi_is_stopword() holds: "the", "of", but
 * also "do", the stem of "doing"; a function of the term alone, so reader and writer agree
 * without knowing the release's words) have a blob of their own in value PI_SLOT_STOPPOS. They
 * are a fifth of the bytes a search read from its candidates' values (doc/schema.md), and only a
 * phrase, NEAR or the adjacency of typed words with a stopword among them needs their positions.
 */
#ifndef PI_POSBLOB_H
#define PI_POSBLOB_H

#include <stddef.h>

#include "buf.h"
#include "internal.h"

#define PI_POSB_RAW 0
#define PI_POSB_ZLIB 1
/* What the writer makes (both are read). */
#ifndef PI_POSB_COMPRESS
#define PI_POSB_COMPRESS 0
#endif

/* ---- A release's passages value (PI_SLOT_POS, schema 6): varint the passage map's length, the map
 * (internal.h, pi_passage), then the positions blob above (empty for a release without body
 * words). One value, so that a search reads one B-tree entry per candidate release, not two: the
 * map is ~8% of the value, and a second value stream cost about as many block reads as a fifth of
 * the search's (doc/schema.md). ---- */
/* Splits v: 0, or -1 when the map's length does not fit. */
int pi_pv_split(const char *v, size_t len, const char **map, size_t *mlen, const char **blob, size_t *blen);
/* out = map and blob joined (replaced). 0 or -2 (memory). */
int pi_pv_join(const char *map, size_t mlen, const char *blob, size_t blen, pi_buf *out);

/* ---- writing: terms and positions come in position order; the blob is made at the end ---- */
typedef struct pi_posb {
    pi_buf names;        /* the distinct terms' bytes */
    struct pi_posb_ent *t;
    size_t nt, tcap;
    unsigned *slot;      /* open-addressed table of term numbers + 1 (0: empty) */
    size_t nslot;
    unsigned *occ_t, *occ_p; /* occurrences: term number, position */
    size_t nocc, occcap;
    unsigned *order;     /* term numbers in byte order, after pi_posb_finish() */
    unsigned *grouped;   /* positions grouped by term */
    size_t gcap;
    pi_buf raw, head;    /* scratch */
} pi_posb;

void pi_posb_clear(pi_posb *b); /* empty, memory kept */
void pi_posb_free(pi_posb *b);
/* One occurrence of term (len <= PI_MAX_TERM) at pos; positions never go down. 0 or -2 (memory). */
int pi_posb_add(pi_posb *b, const char *term, size_t len, unsigned pos);
/* The blob into out (replaced), zlib-compressed when compress. With stop (not NULL), the
 * stopwords' terms (pi_is_stopword() of the term) go to a blob of their own there instead, empty
 * (len 0) when the release has none. 0 or -2 (memory). */
int pi_posb_finish(pi_posb *b, int compress, pi_buf *out, pi_buf *stop);
/* After pi_posb_finish(): the i-th term in byte order (not NUL-ended), its length and occurrences. */
size_t pi_posb_terms(const pi_posb *b);
const char *pi_posb_term(const pi_posb *b, size_t i, size_t *len, unsigned *wdf);

/* ---- reading ---- */
typedef struct pi_posr {
    const unsigned char *p, *end, *dict;
    unsigned char gb[256];      /* the first bytes' index */
    size_t go[256];
    unsigned ng, g;
    char term[PI_MAX_TERM + 1]; /* the term at hand, NUL-ended */
    size_t len;
    const unsigned char *pos;   /* its positions, encoded */
    size_t plen;                /* their bytes: at most that many positions */
} pi_posr;

/* Starts reading blob; a compressed one is inflated into scratch (reused). 0, -1 damaged, -2
 * memory. An empty blob (a release without body words) has no terms. */
int pi_posr_init(pi_posr *r, const char *blob, size_t len, pi_buf *scratch);
/* The next term: 1, 0 at the end, -1 damaged. Inline: a search walks some 300 terms of each
 * candidate release's dictionary. */
static inline int pi_posr_next(pi_posr *r)
{
    if (r->pos)
        r->p = r->pos + r->plen;
    if (r->p >= r->end)
        return 0;
    unsigned h = *r->p++, shared = h >> 4, rest = h & 15, more, plen;
    if (shared == 15) {
        if (pi_varint_get(&r->p, r->end, &more) < 0 || more > PI_MAX_TERM)
            return -1;
        shared += more;
    }
    if (rest == 15) {
        if (pi_varint_get(&r->p, r->end, &more) < 0 || more > PI_MAX_TERM)
            return -1;
        rest += more;
    }
    if (shared > r->len || (size_t)shared + rest > PI_MAX_TERM || (size_t)(r->end - r->p) < rest)
        return -1;
    for (unsigned i = 0; i < rest; i++)
        r->term[shared + i] = (char)r->p[i];
    r->len = (size_t)shared + rest;
    r->term[r->len] = '\0';
    r->p += rest;
    if (pi_varint_get(&r->p, r->end, &plen) < 0 || (size_t)(r->end - r->p) < plen)
        return -1;
    r->pos = r->p;
    r->plen = plen;
    return 1;
}
/* Moves to the first term whose first byte is byte or more (never back): 1, or 0 past the end. */
int pi_posr_seek(pi_posr *r, unsigned char byte);
/* The term at hand's positions into out (room for r->plen), ascending; their number, or -1
 * damaged. */
long pi_posr_positions(const pi_posr *r, unsigned *out);

#endif
