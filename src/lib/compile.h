/*
 * compile.h - the query tree (query.h) becomes a Xapian query (the shim's xc_query).
 */
#ifndef PI_COMPILE_H
#define PI_COMPILE_H

#include "internal.h"
#include "query.h"

/* The query pq with its filters and the options' (source, since, until), as one Xapian query.
 * A query with nothing to search matches nothing, or everything its filters let through.
 * PRESSINDEX_OK, _ERR_BAD_QUERY or the shim's failure (idx's message set). */
pressindex_status pi_compile(pressindex *idx, const pi_query *pq, const pressindex_search_options *o,
                             xc_query **out);
/* The same relaxed, for finding the candidate releases (one document per release): a passage
 * must satisfy the query alone, so a release that holds an excluded word in another paragraph, or
 * both sides of an XOR in two paragraphs, may still hold a matching passage. Exclusions are left
 * out and XOR is OR; body phrases and NEAR are AND of their words, since Xapian holds no body
 * positions (the positions blob does, value PI_SLOT_POS), a phrase's stopwords left out when it
 * has another word; passage.c then decides passage by passage. The filters stay (they apply to
 * the release). */
pressindex_status pi_compile_releases(pressindex *idx, const pi_query *pq,
                                      const pressindex_search_options *o, xc_query **out);

/* The adjacency phrase of an unstructured query of two words or more (its words side by side and
 * in order, weight scaled), or *out NULL when there is none. */
pressindex_status pi_compile_adjacency(pressindex *idx, const pi_query *pq, double weight,
                                       xc_query **out);

#endif
