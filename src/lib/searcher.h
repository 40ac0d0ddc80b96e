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

/* A matched passage: paragraph pidx of the release document docid. */
typedef struct pi_cand {
    unsigned docid;   /* its release's document */
    unsigned pidx;    /* its index in the release's passage map (and texts) */
    double weight;    /* BM25 over passages (phrases by occurrence, adjacency), then demoted */
    uint64_t collapsed;
    size_t order;     /* rank before the rerank, to keep sorts stable */
    size_t rorder;    /* its release's rank in Xapian's order */
    unsigned pno;     /* paragraph number */
    char hash[PI_HASH_LEN + 1]; /* its text's hash */
    uint64_t has;     /* the matcher's stems it holds (bits) */
    uint64_t bef;     /* the same of the paragraph just before */
    int has_before;   /* there is a paragraph just before */
    unsigned flags;   /* PI_PF_* */
    /* Read for the rerank window only: */
    char key[PI_KEY_LEN + 1];   /* its release */
    /* Ranking evidence (rank.c): */
    double title;     /* share of the query's weight found in the release's title, 0..1 */
    double release;   /* the release's BM25 (Xapian's weight of its document) */
    double before;    /* IDF share of the query's words only the paragraph before holds */
    double factor;    /* boilerplate and question demotion */
    const pi_release_record *rec; /* the release's record, once read (owned by the search) */
    double score;     /* the final score */
} pi_cand;

/* A facet's values and their counts (count.c). */
typedef struct pi_facet_value {
    char *value;
    uint64_t count;
} pi_facet_value;

#define PI_FACETS 3 /* source, month, year: pressindex_facet's values */

/* What count.c counted: the total and the facets (owned; moved into the results). */
/* A release of the first batch and its matching passages (count.c builds on them). */
typedef struct pi_head {
    unsigned docid;
    unsigned passages;
} pi_head;

typedef struct pi_counts {
    int done;             /* counted: total and exact below hold */
    uint64_t total;
    int exact;
    int facets;           /* facets were counted */
    int facets_exact;
    pi_facet_value *f[PI_FACETS];
    size_t nf[PI_FACETS];
} pi_counts;

void pi_counts_free(pi_counts *c);

/* One search against one revision of the index: what the stages share. */
typedef struct pi_search {
    pressindex *idx;
    const pressindex_search_options *o;
    const pi_query *pq;
    pi_stemmer *stem;     /* the query's language */
    xc_query *q;          /* the compiled query (what a passage must satisfy) */
    xc_query *rq;         /* the same relaxed for releases: what finds the candidates */
    struct pi_plan *plan; /* passages inside releases (passage.c) */
    pi_matcher m;
    int rerank;           /* the ranking signals are on (relevance order and some weight set) */
    pi_cand *c;           /* matched passages: Xapian's order, then the final one */
    size_t n;
    size_t nw;            /* the rerank window: c[0..nw) was read and is reranked */
    uint64_t total;       /* the matching passages (every one, collapsed or not): exact or estimated */
    int total_exact;
    uint64_t matched;     /* the matching passages found in the releases looked at */
    int exhausted;        /* every matching release was looked at */
    pi_counts counts;     /* count.c: an exact total and the facets, when asked */
    pi_head *head;        /* a relevance sort's first batch of releases (every page reads it) */
    size_t nhead;
    uint64_t head_passages; /* their matching passages */
    uint64_t sequence;    /* the index's last release sequence number */
    uint64_t releases;    /* releases in the index (documents) */
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

/* match.c: runs the query over releases and finds their matching passages; fills s->c (s->n
 * entries from the top, in order, collapsed; the window's release keys read). */
pressindex_status pi_match(pi_search *s);

/* count.c: when the options ask (exact, facets), every matching release is listed and its
 * passages checked (all of them, or an even sample for estimated facets); fills s->counts. */
pressindex_status pi_count(pi_search *s);
/* count.c: the estimated total of a search whose match was not read to its end (s->exhausted 0)
 * and which asked for no count: s->total and s->total_exact. */
pressindex_status pi_estimate(pi_search *s);

/* rank.c */
/* Are the ranking signals on for these options (and an adjacency weight)? */
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
