/*
 * stem.c - stemmers by language, with a cache of stems by word: the vocabulary of a corpus is small
 * next to its word count, and stemming is the dearest step of indexing a word.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>

#include "internal.h"

/* Bounded: the cache grows with the vocabulary up to MAX_SLOTS, then empties itself when full, so
 * memory stays flat whatever the corpus. It starts small: a search stems a handful of words, and
 * allocating (then freeing) the full table would cost a cold search more than the search. */
#define MIN_SLOTS (1u << 10)
#define MAX_SLOTS (1u << 18)

typedef struct entry {
    char *word; /* "word\0stem\0" in one allocation */
    size_t wlen, slen;
} entry;

struct pi_stemmer {
    xc_stem *stem;
    char *lang;
    entry *slots;
    size_t n_slots; /* a power of two */
    size_t used;
};

static const struct { const char *code, *name; } langs[] = {
    {"ar", "arabic"},   {"hy", "armenian"},  {"eu", "basque"},     {"ca", "catalan"},
    {"da", "danish"},   {"nl", "dutch"},     {"en", "english"},    {"fi", "finnish"},
    {"fr", "french"},   {"de", "german"},    {"hu", "hungarian"},  {"id", "indonesian"},
    {"ga", "irish"},    {"it", "italian"},   {"lt", "lithuanian"}, {"ne", "nepali"},
    {"nb", "norwegian"}, {"nn", "norwegian"}, {"no", "norwegian"}, {"pt", "portuguese"},
    {"ro", "romanian"}, {"ru", "russian"},   {"es", "spanish"},    {"sv", "swedish"},
    {"ta", "tamil"},    {"tr", "turkish"},
};

const char *pi_lang_to_stemmer(const char *lang)
{
    if (!lang || !*lang)
        return NULL;
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
        if (strcasecmp(lang, langs[i].code) == 0 || strcasecmp(lang, langs[i].name) == 0)
            return langs[i].name;
    /* Regional variants: "en-US", "pt_BR". */
    if (strlen(lang) > 2 && (lang[2] == '-' || lang[2] == '_')) {
        char two[3] = {lang[0], lang[1], '\0'};
        return pi_lang_to_stemmer(two);
    }
    return NULL;
}

/* Every ISO 639-1 code (the 184 of ISO 639-2's alpha-2 column, as Debian's iso-codes lists
 * them), two letters each, in order. Xapian 1.4 stems only the languages of the table above; the
 * others are valid all the same and indexed unstemmed. */
static const char iso639_1[] =
    "aaabaeafakamanarasavayazbabebgbhbibmbnbobrbscace"
    "chcocrcscucvcydadedvdzeeeleneoeseteufafffifjfofr"
    "fygagdglgngugvhahehihohrhthuhyhziaidieigiiikiois"
    "itiujajvkakgkikjkkklkmknkokrkskukvkwkylalblgliln"
    "loltlulvmgmhmimkmlmnmrmsmtmynanbndnengnlnnnonrnv"
    "nyocojomorospapiplpsptqurmrnrorurwsascsdsesgsisk"
    "slsmsnsosqsrssstsusvswtatetgthtitktltntotrtstttw"
    "tyugukuruzvevivowawoxhyiyozazhzu";

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int ascii_alnum(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int pi_lang_valid(const char *lang)
{
    if (!lang || !lang[0] || !lang[1])
        return 0;
    if (lang[2] && lang[2] != '-' && lang[2] != '_') /* a name: "english", "none" */
        return strcasecmp(lang, "none") == 0 || pi_lang_to_stemmer(lang) != NULL;
    char a = (char)ascii_lower((unsigned char)lang[0]), b = (char)ascii_lower((unsigned char)lang[1]);
    int known = 0;
    for (const char *c = iso639_1; *c && !known; c += 2)
        known = c[0] == a && c[1] == b;
    if (!known)
        return 0;
    /* Subtags as in "zh-Hant-TW" or "pt_BR": each 1 to 8 letters or digits. */
    const char *p = lang + 2;
    while (*p) {
        if (*p != '-' && *p != '_')
            return 0;
        size_t n = 0;
        while (ascii_alnum((unsigned char)p[1 + n]))
            n++;
        if (n < 1 || n > 8)
            return 0;
        p += 1 + n;
    }
    return 1;
}

pi_stemmer *pi_stemmer_new(const char *lang)
{
    const char *name = pi_lang_to_stemmer(lang);
    pi_stemmer *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->lang = strdup(lang ? lang : "");
    s->n_slots = MIN_SLOTS;
    s->slots = calloc(s->n_slots, sizeof *s->slots);
    /* A language Xapian cannot stem is indexed unstemmed (folded words), not refused. */
    if (!s->lang || !s->slots || xc_stem_new(name ? name : "none", &s->stem) != XC_OK) {
        pi_stemmer_free(s);
        return NULL;
    }
    return s;
}

static void cache_clear(pi_stemmer *s)
{
    for (size_t i = 0; i < s->n_slots; i++) {
        free(s->slots[i].word);
        s->slots[i].word = NULL;
    }
    s->used = 0;
}

void pi_stemmer_free(pi_stemmer *s)
{
    if (!s)
        return;
    if (s->slots)
        cache_clear(s);
    free(s->slots);
    xc_stem_free(s->stem);
    free(s->lang);
    free(s);
}

const char *pi_stemmer_lang(const pi_stemmer *s)
{
    return s->lang;
}

/* Doubles the table (rehashing); returns -1 if it cannot. */
static int cache_grow(pi_stemmer *s)
{
    size_t n = s->n_slots * 2;
    entry *grown = calloc(n, sizeof *grown);
    if (!grown)
        return -1;
    for (size_t i = 0; i < s->n_slots; i++) {
        entry *e = &s->slots[i];
        if (!e->word)
            continue;
        size_t j = (size_t)XXH3_64bits(e->word, e->wlen) & (n - 1);
        while (grown[j].word)
            j = (j + 1) & (n - 1);
        grown[j] = *e;
    }
    free(s->slots);
    s->slots = grown;
    s->n_slots = n;
    return 0;
}

const char *pi_stemmer_stem(pi_stemmer *s, const char *word, size_t n, size_t *outlen)
{
    size_t mask = s->n_slots - 1;
    size_t i = (size_t)XXH3_64bits(word, n) & mask;
    while (s->slots[i].word) {
        entry *e = &s->slots[i];
        if (e->wlen == n && memcmp(e->word, word, n) == 0) {
            *outlen = e->slen;
            return e->word + n + 1;
        }
        i = (i + 1) & mask;
    }
    const char *st;
    size_t sl;
    if (xc_stem_word(s->stem, word, n, &st, &sl) != XC_OK)
        return NULL;
    if (s->used >= s->n_slots / 2) {
        if (s->n_slots >= MAX_SLOTS || cache_grow(s) < 0)
            cache_clear(s);
        /* The slot found above may have moved: find an empty one on the new probe path. */
        mask = s->n_slots - 1;
        i = (size_t)XXH3_64bits(word, n) & mask;
        while (s->slots[i].word)
            i = (i + 1) & mask;
    }
    char *w = malloc(n + sl + 2);
    if (!w) { /* No room to cache: still answer. */
        *outlen = sl;
        return st;
    }
    memcpy(w, word, n);
    w[n] = '\0';
    memcpy(w + n + 1, st, sl);
    w[n + 1 + sl] = '\0';
    s->slots[i] = (entry){w, n, sl};
    s->used++;
    *outlen = sl;
    return w + n + 1;
}

pi_stemmer *pi_stemmers_get(pi_stemmers *s, const char *lang, const char *default_lang)
{
    if (!lang || !*lang)
        lang = default_lang;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(pi_stemmer_lang(s->list[i]), lang) == 0)
            return s->list[i];
    pi_stemmer **grown = realloc(s->list, (s->n + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    s->list = grown;
    pi_stemmer *st = pi_stemmer_new(lang);
    if (!st)
        return NULL;
    s->list[s->n++] = st;
    return st;
}

void pi_stemmers_free(pi_stemmers *s)
{
    for (size_t i = 0; i < s->n; i++)
        pi_stemmer_free(s->list[i]);
    free(s->list);
    s->list = NULL;
    s->n = 0;
}
