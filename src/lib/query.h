/*
 * query.h - the query language, checked and rewritten before Xapian sees it.
 *
 * Words are folded and stemmed here with the same functions indexing uses, so Xapian's QueryParser
 * (run without a stemmer) only ever sees index terms, operators and structure. Date and source
 * clauses become filters. Malformed queries are rejected here with the character position.
 */
#ifndef PI_QUERY_H
#define PI_QUERY_H

#include <stddef.h>

#include "buf.h"
#include "internal.h"

typedef struct pi_date_range {
    char lo[11], hi[11]; /* "YYYY", "YYYY-MM" or "YYYY-MM-DD"; "" for an open end */
} pi_date_range;

typedef struct pi_query {
    pi_buf text;            /* for Xapian's QueryParser: stems, operators, phrases, title: */
    pi_date_range *dates;   /* every range must hold (AND) */
    size_t n_dates;
    char **sources;         /* folded source names; any of them (OR) */
    size_t n_sources;
    char **words;           /* stems of the plain unquoted words in order, stopwords too (adjacency) */
    size_t n_words;
    char **phrases;         /* quoted phrases searched for (not excluded): stems joined by ' ' */
    size_t n_phrases;
    char **excluded;        /* stems of excluded words and phrases (-x, NOT x, NOT ( ... )) */
    size_t n_excluded;
    char **wildcards;       /* folded prefixes of wildcard words (for highlighting) */
    size_t n_wildcards;
    char **loose;           /* stems of wanted words typed outside quotes (for highlighting: a word
                               only in a phrase is highlighted only as the phrase) */
    size_t n_loose;
    int structured;         /* operators, phrases, +/-, wildcards or title: (not date:/source:) */
} pi_query;

/* Parses text. Returns 0, -1 for a malformed query (message in err, with the 1-based character
 * position), or -2 when out of memory. q must be freed with pi_query_free() either way. */
int pi_query_parse(const char *text, pi_stemmer *stem, pi_query *q, pi_buf *err);
void pi_query_free(pi_query *q);

/* Is this stem in an excluded part of the query (-x, NOT x, NOT ( ... ), -( ... ))? Its postings
 * are read with the others, but it is no evidence for a passage, its title or its release, and no
 * word to correct. A word also typed outside the excluded part ("summit -\"summit meeting\"")
 * counts as excluded: rare, and erring on the side of the exclusion. */
int pi_query_excludes(const pi_query *q, const char *stem, size_t len);

/* Validates a date bound "YYYY", "YYYY-MM" or "YYYY-MM-DD" (a real calendar date). 1 if valid. */
int pi_date_bound_valid(const char *s, size_t n);

#endif
