/*
 * passage.h - passages inside a release document (schema 2: one document per release).
 *
 * Xapian finds candidate releases with a relaxed form of the query (compile.c: exclusions and
 * XOR left out, so that no release holding a matching passage is missed). Inside each candidate,
 * the positions of the query's terms, mapped onto paragraphs by the release's passage map, decide
 * which passages *alone* satisfy the query's words and operators (DECISIONS.md, "What a passage
 * match is"; title: applies to the release) and give each its BM25 over passage statistics.
 */
#ifndef PI_PASSAGE_H
#define PI_PASSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "matcher.h"
#include "query.h"

typedef struct pi_plan pi_plan;

/* One passage of a candidate release that satisfies the query. */
typedef struct pi_pmatch {
    unsigned pidx;     /* its index in the release's passage map */
    unsigned pno;      /* paragraph number */
    double weight;     /* BM25 over passages (phrases counted by occurrence) */
    double release;    /* its release's BM25 as one document (text and title) */
    uint64_t has;      /* bit k: the matcher's stem k (not excluded) is in the passage */
    uint64_t before;   /* the same bits of the paragraph just before (pno - 1), 0 if none */
    int has_before;    /* there is a paragraph pno - 1 */
    unsigned flags;    /* PI_PF_* */
    uint64_t hash;     /* its text's hash */
} pi_pmatch;

/* The plan of a search: the query tree's terms, their statistics and weights. m gives the stems'
 * numbering for the presence bits; q is the exact compiled query (its term occurrences are the
 * within-query frequencies). k1, b: BM25's parameters; adjacency: the weight of the typed words
 * side by side (0: off). PRESSINDEX_OK, or a failing xc status mapped by the caller. */
xc_status pi_plan_new(xc_db *db, const pi_query *pq, const pi_matcher *m, const xc_query *q,
                      double k1, double b, double adjacency, pi_plan **out);
void pi_plan_free(pi_plan *p);
/* The estimate of the passages holding term (a word's passage frequency, for IDF). */
xc_status pi_plan_df(const pi_plan *p, const char *term, uint64_t *out);
/* The i-th word term of the query that is evidence for a passage (not excluded, not a title's,
 * not a wildcard), or NULL past the last; its length in *len. */
const char *pi_plan_text_term(const pi_plan *p, size_t i, size_t *len);
/* Passages in the index (statistics). */
uint64_t pi_plan_passages(const pi_plan *p);

/* Reads ahead the passage maps and positions of the releases docids[0..n) (replacing those read
 * before), in the order that reads each B-tree once from left to right. */
xc_status pi_plan_prefetch(pi_plan *p, const unsigned *docids, size_t n);
/* The matching passages of release docid (read ahead, or read now), appended to *out (*n entries,
 * *cap allocated). */
xc_status pi_plan_release(pi_plan *p, unsigned docid, pi_pmatch **out, size_t *n, size_t *cap);
/* The passage map of a release read by the last prefetch (NULL when it was not): the results
 * take it from here rather than read the release's passages value again. */
const char *pi_plan_map(const pi_plan *p, unsigned docid, size_t *len);

#endif
