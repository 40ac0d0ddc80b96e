/*
 * matcher.h - what a compiled query looks for, in one view that highlighting and ranking share:
 * its stems with their statistics, the wildcard prefixes, the phrases, and which stems count
 * only inside their phrase or only as exclusions.
 */
#ifndef PI_MATCHER_H
#define PI_MATCHER_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "query.h"

typedef struct pi_matcher {
    char **stems;      /* sorted, for bsearch */
    unsigned *wqf;     /* per stem: how often the query names it (Xapian's within-query frequency) */
    uint64_t *df;      /* per stem: passages holding it (for ranking; NULL for highlighting alone) */
    uint64_t docs;     /* passages in the index when the statistics were read */
    size_t n_stems;
    unsigned char *excluded;    /* per stem: searched only to exclude (no evidence) */
    char **prefixes;   /* folded prefixes of the wanted wildcards */
    size_t n_prefixes;
    char **phrases;    /* the wanted phrases, stems joined by ' ' */
    size_t n_phrases;
    unsigned char *phrase_only; /* per stem: typed only inside phrases (quoted, or one token of
                                   several words: "F-16", "中亚"), so highlighted only where
                                   its phrase occurs (NULL: no such stem) */
} pi_matcher;

/* The view of the compiled query q of the tree pq, with the statistics of db (db may be NULL:
 * no statistics). PRESSINDEX_OK, or the failing status with no message (the caller names it). */
xc_status pi_matcher_init(pi_matcher *m, xc_db *db, const xc_query *q, const pi_query *pq);
void pi_matcher_free(pi_matcher *m);
/* The index of stem among m's stems, or -1. */
long pi_matcher_find(const pi_matcher *m, const char *stem);
/* Copies the next word of a phrase (stems joined by ' ') to t and moves *p past it; 0 at the end. */
int pi_phrase_word(const char **p, char t[PI_MAX_TERM + 1]);

#endif
