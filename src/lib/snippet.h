/*
 * snippet.h - which words of an original paragraph matched the query, as byte offsets into it, found
 * with the very tokenizer, folding and stemming that indexed it.
 */
#ifndef PI_SNIPPET_H
#define PI_SNIPPET_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

typedef struct pi_matcher {
    char **stems;      /* sorted, for bsearch */
    unsigned *wqf;     /* per stem: how often the query names it (Xapian's within-query frequency) */
    uint64_t *df;      /* per stem: passages holding it (for ranking; NULL for highlighting alone) */
    uint64_t docs;     /* passages in the index when the statistics were read */
    size_t n_stems;
    char **prefixes;   /* folded wildcard prefixes */
    size_t n_prefixes;
    char **phrases;    /* the query's phrases, stems joined by ' ' (borrowed from the query) */
    size_t n_phrases;
    unsigned char *phrase_only; /* per stem: typed only inside quotes, so highlighted only where
                                   its phrase occurs (NULL: no such stem) */
} pi_matcher;

/* Appends the [start, end) byte offsets of the matching words of text to *offs (2 per word; *n
 * counts offsets, not words). Returns 0 or -1 when out of memory. */
int pi_highlight(const pi_matcher *m, pi_stemmer *stem, const char *text, size_t len,
                 size_t **offs, size_t *n);

#endif
