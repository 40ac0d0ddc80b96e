/*
 * snippet.h - which words of an original paragraph matched the query, as byte offsets into it, found
 * with the very tokenizer, folding and stemming that indexed it.
 */
#ifndef PI_SNIPPET_H
#define PI_SNIPPET_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"
#include "matcher.h"

/* Appends the [start, end) byte offsets of the matching words of text to *offs (2 per word; *n
 * counts offsets, not words). Returns 0 or -1 when out of memory. */
int pi_highlight(const pi_matcher *m, pi_stemmer *stem, const char *text, size_t len,
                 size_t **offs, size_t *n);

#endif
