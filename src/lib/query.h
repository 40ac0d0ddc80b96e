/*
 * query.h - the query language parsed once into a tree (see pressindex(1), "Query language").
 *
 * Words are folded and stemmed here with the functions indexing uses, so every leaf holds index
 * terms. compile.c turns the tree into a Xapian query through the shim; highlighting, ranking and
 * "did you mean" walk the same tree. Date and source clauses are filters on the whole query and
 * are kept beside the tree. Malformed queries are rejected here with the character position.
 */
#ifndef PI_QUERY_H
#define PI_QUERY_H

#include <stddef.h>

#include "buf.h"
#include "internal.h"

typedef enum pi_qkind {
    PI_Q_WORD,     /* one word */
    PI_Q_PHRASE,   /* words in order: a quoted phrase, or one typed token of several ("F-16") */
    PI_Q_WILDCARD, /* a folded prefix ("secur" for secur*); words[0] also holds the typed word's stem */
    PI_Q_SEQ,      /* items side by side: each kid's sign says required (+), excluded (-) or neither */
    PI_Q_AND,
    PI_Q_OR,
    PI_Q_XOR,
    PI_Q_NOT,      /* kids[0] but not kids[1]; kids[0] NULL: every passage but kids[1] */
    PI_Q_NEAR      /* kids within window words of each other */
} pi_qkind;

typedef enum pi_qfield { PI_QF_TEXT, PI_QF_TITLE } pi_qfield;

/* A word as typed, folded and stemmed. */
typedef struct pi_qword {
    char *folded;
    char *stem;
    size_t start, end; /* its bytes in the typed query */
    int stop;          /* a stopword */
} pi_qword;

/* How deep a query may nest, in brackets and in the tree (a run of NOTs nests one level each):
 * the parser and every walk of the tree recurse, and a deeper query is refused as malformed
 * rather than run out of stack. */
#define PI_QUERY_MAX_DEPTH 100

/* One language of the index for the query's words (pi_query_expand): its stemmer and the codes
 * its releases were tagged with (the index's L terms, "tr", "tr-TR"), by which its words are
 * matched only in its own releases. Owned by the caller. */
typedef struct pi_qlang {
    pi_stemmer *stem;
    char **codes;
    size_t n_codes;
} pi_qlang;

typedef struct pi_qnode {
    pi_qkind kind;
    char sign;          /* under a PI_Q_SEQ: '+', '-' or 0 */
    pi_qfield field;    /* leaves: the passage's text or its release's title */
    int quoted;         /* PI_Q_PHRASE: typed in quotes (not one hyphenated token) */
    int excluded;       /* under a '-' or the right of a NOT: no evidence for a passage */
    int operand;        /* a leaf an operator leans on: its stopwords stay */
    unsigned window;    /* PI_Q_NEAR: Xapian's window (NEAR/n between k leaves: n + k - 1) */
    size_t pos;         /* where it starts in the typed query (bytes), for messages */
    pi_qword *words;    /* leaves */
    size_t n_words;
    struct pi_qnode **kids; /* inner nodes */
    size_t n_kids;
    unsigned depth;     /* levels from here to its deepest leaf (a leaf: 1) */
    /* pi_query_expand: a typed leaf with other forms becomes an OR of itself and them. */
    int alt;            /* a leaf that is another form of a typed one (not typed itself) */
    const pi_qlang *lang; /* an alt in another language: matches only releases in it (NULL: any) */
    struct pi_qnode *wrap; /* a typed leaf or NEAR with alts: the OR holding it (kids[0]) and them */
} pi_qnode;

typedef struct pi_date_range {
    char lo[11], hi[11]; /* "YYYY", "YYYY-MM" or "YYYY-MM-DD"; "" for an open end */
    int excluded;        /* -date:...: passages outside the range */
} pi_date_range;

typedef struct pi_source {
    char *folded;        /* the folded source name */
    int excluded;        /* -source:...: every other source */
} pi_source;

typedef struct pi_query {
    pi_qnode *root;       /* NULL: nothing to search (only filters, punctuation or stopwords gone) */
    int drop_stopwords;   /* plain stopwords are left out: the query holds other words */
    int structured;       /* operators, phrases, signs, wildcards or title: (not date:/source:) */
    pi_date_range *dates; /* every range holds (AND) */
    size_t n_dates;
    pi_source *sources;   /* wanted sources: any of them (OR); excluded ones: none of them */
    size_t n_sources;
    long error_at;        /* after PRESSINDEX_ERR_BAD_QUERY: the malformed spot's byte offset in
                             the text (-1 otherwise) */
} pi_query;

/* Parses text with the stemmer stem. Returns PRESSINDEX_OK, PRESSINDEX_ERR_BAD_QUERY (message in
 * err, with the 1-based character position) or PRESSINDEX_ERR_NO_MEMORY. q must be freed with
 * pi_query_free() either way. */
pressindex_status pi_query_parse(const char *text, pi_stemmer *stem, pi_query *q, pi_buf *err);
void pi_query_free(pi_query *q);

/*
 * Adds the other forms of the words typed in text (parsed into q with the stemmer primary): each
 * typed word, phrase or NEAR then stands for the OR of itself and them (each form marked alt, a
 * language's with its lang):
 *  - in each of langs[0..n) whose stems differ from the query's, the word, the phrase, or the NEAR
 *    of its operands stemmed in that language (the index's other languages: each release was
 *    stemmed in its own), matched in that language's releases only;
 *  - a letters-and-digits name in its other spelling: "F-16" also as "F16", "F16" also as
 *    "F 16" (the phrase), as reporters and releases write either (not quoted, not under NEAR).
 * PRESSINDEX_OK or PRESSINDEX_ERR_NO_MEMORY (q is left whole either way, to be freed).
 */
pressindex_status pi_query_expand(pi_query *q, const char *text, pi_stemmer *primary,
                                  const pi_qlang *langs, size_t n);

/* How many words the query searches: every typed leaf's words but the stopwords left out, excluded
 * and title words included (pi_query_expand's other forms are not counted). */
size_t pi_query_terms(const pi_query *q);

/* --all: every item of a sequence outside OR/XOR groups and exclusions becomes required ('+'),
 * but the stopwords the query leaves out; compile.c and passage.c then require them alike. */
void pi_query_require_all(pi_query *q);

/* Does the leaf take part in the Xapian query? (A plain stopword does not when drop_stopwords.) */
int pi_qword_searched(const pi_query *q, const pi_qnode *leaf, const pi_qword *w);

/* Calls fn for every leaf in query order; stops early when fn returns non-zero and returns that. */
typedef int (*pi_qleaf_fn)(const pi_query *q, const pi_qnode *leaf, void *ctx);
int pi_query_leaves(const pi_query *q, pi_qleaf_fn fn, void *ctx);

/* Is this stem searched only in an excluded part of the query (-x, NOT x, -( ... ))? It is no
 * evidence for a passage, its title or its release, and no word to correct. A word also wanted
 * elsewhere ("summit -\"summit meeting\"") counts as excluded: rare, and erring on the side of
 * the exclusion. */
int pi_query_excludes(const pi_query *q, const char *stem, size_t len);

/* The tree as an S-expression, for tests and debugging: (or (word "trade") (phrase "f" "16")). */
int pi_query_describe(const pi_query *q, pi_buf *out);

/* Validates a date bound "YYYY", "YYYY-MM" or "YYYY-MM-DD" (a real calendar date). 1 if valid. */
int pi_date_bound_valid(const char *s, size_t n);

#endif
