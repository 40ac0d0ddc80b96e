/*
 * text.h - words and folding: the one definition of "a word" and of "the same word" that indexing,
 * query parsing and highlighting all share (so highlight offsets always agree with the index).
 */
#ifndef PI_TEXT_H
#define PI_TEXT_H

#include <stddef.h>

#include "buf.h"

/*
 * Finds the next word in text[0..len) at or after *pos. A word is a maximal run of word characters
 * (Unicode letters, marks and digits), where an apostrophe (' U+2019 U+02BC U+2018) between two
 * word characters belongs to the word ("Tokayev’s", "o'clock"). Anything else separates words
 * (hyphens, dots and commas too: "Kazakh-Turkish" and "5.1" are two words each). Invalid UTF-8
 * bytes separate words. In scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar)
 * each character with its combining marks is a word of its own ("中国" is two words: the query
 * side splits alike and searches them as a phrase). Returns 1 with [*start, *end) the word's byte span and *pos moved past it,
 * or 0 when there is no further word.
 */
int pi_word_next(const char *text, size_t len, size_t *pos, size_t *start, size_t *end);

/*
 * Folds one word (as found by pi_word_next) to its matching form, replacing b's content:
 * Unicode case folding, compatibility decomposition with diacritics removed ("Erdoğan" ->
 * "erdogan", "Atatürk" -> "ataturk", "TÜRKİYE" -> "turkiye"), Turkic dotless/dotted i both to "i"
 * ("Işık" -> "isik"), apostrophes dropped ("o'clock" -> "oclock"), "ß" -> "ss"; a possessive
 * "'s" and an "s" after a digit are dropped ("Xi’s" -> "xi", "16s" -> "16", "1990s" -> "1990").
 * ASCII words take a fast path. Returns the folded length, or -1 when out of memory.
 */
int pi_fold_word(const char *word, size_t n, pi_buf *b);

/* Is this folded word an English stopword (dropped from unquoted queries)? */
int pi_is_stopword(const char *folded, size_t n);
/* Does a stopword start with prefix[0..n)? (A wildcard then also looks among the stopwords.) */
int pi_stopword_prefixed(const char *prefix, size_t n);

#endif
