#include "config.h"
#include "text.h"

#include <string.h>

/*
 * English stopwords in their folded form (lowercase, no apostrophes: "don't" -> "dont"). Dropped
 * from unquoted queries only. Function words only: words of quantity, direction and negation ("up",
 * "down", "more", "no", "over") carry meaning in reporters' questions ("why did gas prices go up",
 * "how many people signed up") and measurably ranked better kept (doc/ranking.md). Deliberately absent, because they collide with words people search
 * for: "us" (U.S.), "may" (the month), "id", "ill", "well", "wed", "shell", "wont", and no single
 * letters but "a" and "i" ("U.S." is the words "u" "s"). "who" is present although it is also
 * W.H.O.; a quoted query still finds it.
 *
 * Must stay sorted in byte order (LC_ALL=C sort): it is binary-searched (tests/test_text.c checks
 * every entry is found).
 */
#define MAX_STOPWORD_LEN 10

typedef struct stopword {
    char s[MAX_STOPWORD_LEN + 1];
    unsigned char n;
} stopword;

#define W(w) { w, sizeof(w) - 1 }

static const stopword stopwords[] = {
    W("a"), W("am"), W("an"), W("and"), W("are"), W("arent"), W("as"), W("at"), W("be"), W("been"),
    W("being"), W("but"), W("by"), W("can"), W("cant"), W("could"), W("couldnt"), W("did"),
    W("didnt"), W("do"), W("does"), W("doesnt"), W("doing"), W("dont"), W("for"), W("from"),
    W("had"), W("hadnt"), W("has"), W("hasnt"), W("have"), W("havent"), W("having"), W("he"),
    W("her"), W("here"), W("hers"), W("herself"), W("him"), W("himself"), W("his"), W("how"),
    W("i"), W("if"), W("im"), W("in"), W("into"), W("is"), W("isnt"), W("it"), W("its"),
    W("itself"), W("ive"), W("me"), W("my"), W("myself"), W("of"), W("on"), W("or"), W("our"),
    W("ours"), W("ourselves"), W("she"), W("should"), W("shouldnt"), W("so"), W("than"), W("that"),
    W("thats"), W("the"), W("their"), W("theirs"), W("them"), W("themselves"), W("then"),
    W("there"), W("theres"), W("these"), W("they"), W("theyre"), W("theyve"), W("this"), W("those"),
    W("to"), W("was"), W("wasnt"), W("we"), W("were"), W("werent"), W("weve"), W("what"),
    W("whats"), W("when"), W("where"), W("which"), W("while"), W("who"), W("whom"), W("whose"),
    W("why"), W("will"), W("with"), W("would"), W("wouldnt"), W("you"), W("your"), W("youre"),
    W("yours"), W("yourself"), W("yourselves"), W("youve"),
};

#define N_STOPWORDS (sizeof stopwords / sizeof stopwords[0])

int pi_is_stopword(const char *folded, size_t n)
{
    if (!folded || n == 0 || n > MAX_STOPWORD_LEN)
        return 0;
    /* Hot on indexing and query paths: an inlined binary search, no strlen, no callbacks. */
    size_t lo = 0, hi = N_STOPWORDS;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const stopword *w = &stopwords[mid];
        int c = (unsigned char)folded[0] - (unsigned char)w->s[0];
        if (c == 0) {
            size_t m = n < w->n ? n : w->n;
            c = memcmp(folded, w->s, m);
            if (c == 0)
                c = (n > w->n) - (n < w->n);
        }
        if (c == 0)
            return 1;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

int pi_stopword_prefixed(const char *prefix, size_t n)
{
    if (!prefix)
        return 0;
    for (size_t i = 0; i < N_STOPWORDS; i++)
        if (stopwords[i].n >= n && !memcmp(stopwords[i].s, prefix, n))
            return 1;
    return 0;
}
