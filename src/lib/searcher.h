/*
 * searcher.h - one search, in stages that each own a concern:
 *   search.c   options checked, the query parsed, the stages run against one revision (retried
 *              when a commit lands meanwhile), "did you mean";
 *   compile.c  the query tree to a Xapian query;
 *   match.c    Xapian's match: the candidate passages, the rerank window's documents read;
 *   rank.c     the ranking signals over the window and the final order (its defaults table);
 *   results.c  the results object: metadata, highlights, context, accessors; show's release.
 */
#ifndef PI_SEARCHER_H
#define PI_SEARCHER_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "matcher.h"
#include "query.h"

/* A matched passage. */
typedef struct pi_cand {
    unsigned docid;
    double weight;    /* Xapian's BM25, phrase-corrected, demoted, with the adjacency boost */
    uint64_t collapsed;
    size_t order;     /* Xapian's rank, to keep sorts stable */
    /* Read for the rerank window only: */
    unsigned pno;     /* paragraph number */
    char key[PI_KEY_LEN + 1];   /* its release */
    char hash[PI_HASH_LEN + 1]; /* its text's hash */
    char *text;       /* its text (reused for the results) */
    size_t tlen;
    /* Ranking evidence (rank.c): */
    double title;     /* share of the query's weight found in the release's title, 0..1 */
    double release;   /* BM25 of the whole release */
    double before;    /* IDF share of the query's words only the paragraph before holds */
    double factor;    /* boilerplate and question demotion, applied after the phrase correction */
    unsigned *pf;     /* occurrences of each of the query's phrases (phrase queries only) */
    const pi_release_record *rec; /* the release's record, once read (owned by the search) */
    double score;     /* the final score */
} pi_cand;

/* One search against one revision of the index: what the stages share. */
typedef struct pi_search {
    pressindex *idx;
    const pressindex_search_options *o;
    const pi_query *pq;
    pi_stemmer *stem;     /* the query's language */
    xc_query *q;          /* the compiled query */
    xc_query *adj;        /* the adjacency phrase, or NULL */
    pi_matcher m;
    int rerank;           /* the ranking signals are on (relevance order and some weight set) */
    pi_cand *c;           /* matched passages: Xapian's order, then the final one */
    size_t n;
    size_t nw;            /* the rerank window: c[0..nw) was read and is reranked */
    uint64_t estimated;   /* Xapian's estimate of the matching passages */
    pi_release_record *recs; /* release records read for the window */
    size_t nrecs;
    double deadline;      /* pi_clock() past which the search gives up (0: never) */
} pi_search;

/* Seconds on a monotonic clock. */
double pi_clock(void);
/* PRESSINDEX_ERR_TIMEOUT (named) once the search is past its deadline, else PRESSINDEX_OK: checked
 * between the steps of a search (Xapian's match itself cannot be stopped). */
pressindex_status pi_search_in_time(pi_search *s);
pressindex_status pi_deadline_check(pressindex *idx, double deadline, double limit);

/* match.c: runs the query, fills s->c (s->n entries, the window's documents read). */
pressindex_status pi_match(pi_search *s);

/* rank.c */
/* Are the ranking signals on for these options (and an adjacency phrase)? */
int pi_rank_wanted(const pressindex_search_options *o, const pi_query *pq, int adjacency);
/* Sets the ranking options to their defaults. */
void pi_rank_defaults(pressindex_search_options *o);
/* Checks the ranking options (finite, in range); PRESSINDEX_OK or _ERR_INVALID_ARGUMENT (named). */
pressindex_status pi_rank_check(pressindex *idx, const pressindex_search_options *o);
/* The window's evidence and the final order of s->c. */
pressindex_status pi_rank(pi_search *s);

/* results.c: the page [first, first + count) of s->c as results. */
pressindex_status pi_results_fill(pi_search *s, size_t first, size_t count, pressindex_results *res);
pressindex_results *pi_results_new(void);
void pi_results_set_suggestion(pressindex_results *res, char *suggestion);

void pi_search_fini(pi_search *s);

#endif
