/*
 * search.c - query text + options -> ranked passages: Xapian query built from the checked query,
 * filters (dates as boolean terms, sources), BM25, collapsing of identical paragraphs or of
 * releases, paging, and each result's metadata and highlights.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "query.h"
#include "snippet.h"
#include "text.h"

/* Defaults of the ranking options; doc/ranking.md has the measurements behind them.
 * Adjacency: the typed words side by side and in order, a phrase scored over the rerank window, its
 * weight scaled by this. Off: it never raised a judged figure, and it lowered date-filtered ones.
 * Title: the share of the query's words (by IDF) found in the release's title, scaled by this.
 * Boilerplate: the score factor of a paragraph whose text recurs in many releases. */
#define DEFAULT_ADJACENCY_WEIGHT 0.0
#define DEFAULT_TITLE_WEIGHT 0.5
#define DEFAULT_BOILERPLATE_WEIGHT 0.1
#define DEFAULT_NEIGHBOUR_WEIGHT 0.3
#define DEFAULT_QUESTION_WEIGHT 0.7
/* Reopen-and-retry rounds when a commit lands while we read (DatabaseModifiedError). */
#define MAX_RETRIES 10

typedef struct hit {
    char *text;
    char *release, *date, *title, *source, *url, *lang;
    unsigned paragraph;
    double score;
    size_t rank;
    uint64_t collapsed;
    size_t *hl;
    size_t n_hl;
    char **ctx;         /* n_ctx = 2 * context + 1 entries: paragraph number + d at [d + context] */
    size_t n_ctx;
} hit;

struct pressindex_results {
    hit *hits;
    size_t n;
    uint64_t estimated;
    size_t context;
    char *suggestion;
};

void pressindex_search_options_init(pressindex_search_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->limit = 10;
    opts->collapse = 1;
    opts->release_weight = PRESSINDEX_DEFAULT_RELEASE_WEIGHT;
    opts->adjacency_weight = DEFAULT_ADJACENCY_WEIGHT;
    opts->title_weight = DEFAULT_TITLE_WEIGHT;
    opts->boilerplate_weight = DEFAULT_BOILERPLATE_WEIGHT;
    opts->rerank_depth = PRESSINDEX_DEFAULT_RERANK_DEPTH;
    opts->neighbour_weight = DEFAULT_NEIGHBOUR_WEIGHT;
    opts->question_weight = DEFAULT_QUESTION_WEIGHT;
    opts->bm25_k1 = PRESSINDEX_DEFAULT_BM25_K1;
    opts->bm25_b = PRESSINDEX_DEFAULT_BM25_B;
}

/* A read failed. A commit that landed meanwhile (PRESSINDEX_ERR_MODIFIED) is retried by
 * pressindex_search() against the new revision, so it records no message; anything else does. */
static pressindex_status read_fail(pressindex *idx, xc_status xs, const char *context)
{
    return xs == XC_ERR_MODIFIED ? PRESSINDEX_ERR_MODIFIED : pi_fail_xc(idx, xs, context);
}

/* ---- building the Xapian query ---- */

static xc_status combine2(int op, xc_query *a, xc_query *b, xc_query **out)
{
    xc_query *subs[2] = {a, b};
    return xc_query_combine(op, subs, 2, 0, out);
}

/* Replaces *q by (*q op other), freeing both inputs. */
static xc_status fold_in(int op, xc_query **q, xc_query *other)
{
    xc_query *r = NULL;
    xc_status xs = combine2(op, *q, other, &r);
    xc_query_free(*q);
    xc_query_free(other);
    *q = r;
    return xs;
}

static void year_bounds(pressindex *idx, int *lo, int *hi)
{
    char *a = NULL, *b = NULL;
    *lo = 1900;
    *hi = 2100;
    if (xc_db_value_bounds(idx->db, PI_SLOT_DATE, &a, &b) == XC_OK) {
        /* Values are YYYYMMDD: the year is the first four digits. */
        if (a && strlen(a) == 8)
            *lo = (int)strtol((char[5]){a[0], a[1], a[2], a[3], '\0'}, NULL, 10);
        if (b && strlen(b) == 8)
            *hi = (int)strtol((char[5]){b[0], b[1], b[2], b[3], '\0'}, NULL, 10);
    }
    free(a);
    free(b);
}

static pressindex_status build_query(pressindex *idx, const pressindex_search_options *o,
                                     pi_query *pq, xc_query **out, xc_query **adj)
{
    xc_status xs = XC_OK;
    xc_query *q = NULL;
    xc_qp *qp = NULL;
    *out = NULL;

    if (pq->text.len) {
        if ((xs = xc_qp_new(&qp)) != XC_OK || (xs = xc_qp_set_database(qp, idx->db)) != XC_OK ||
            (xs = xc_qp_add_prefix(qp, "title", PI_P_TITLE)) != XC_OK)
            goto fail;
        xs = xc_qp_parse(qp, pq->text.p, XC_QP_BOOLEAN | XC_QP_PHRASE | XC_QP_LOVEHATE |
                                         XC_QP_WILDCARD | XC_QP_PURE_NOT, &q);
        xc_qp_free(qp);
        qp = NULL;
        if (xs != XC_OK)
            goto fail;
        if (adj && !pq->structured && pq->n_words >= 2 && o->adjacency_weight > 0) {
            /* Scored only over the rerank window (see adjacency()): as a Xapian AND_MAYBE over the
             * whole index it made queries with stopwords 100x slower (positions of "the"). */
            xc_query **terms = calloc(pq->n_words, sizeof *terms);
            xc_query *phrase = NULL;
            size_t made = 0;
            xs = terms ? XC_OK : XC_ERR_NO_MEMORY;
            for (; xs == XC_OK && made < pq->n_words; made++)
                xs = xc_query_term(pq->words[made], strlen(pq->words[made]), &terms[made]);
            if (xs == XC_OK)
                xs = xc_query_combine(XC_OP_PHRASE, terms, pq->n_words, 0, &phrase);
            if (xs == XC_OK)
                xs = xc_query_scale(phrase, o->adjacency_weight, adj);
            for (size_t i = 0; i < made; i++)
                xc_query_free(terms[i]);
            free(terms);
            xc_query_free(phrase);
            if (xs != XC_OK)
                goto fail;
        }
    } else if (!pq->n_dates && !pq->n_sources && !(o->source && *o->source) && !o->since && !o->until) {
        /* Nothing searchable ("", punctuation, emoji) and no filter: nothing matches, rather than
         * everything. */
        xs = xc_query_combine(XC_OP_OR, NULL, 0, 0, &q);
        if (xs != XC_OK)
            goto fail;
    } else if ((xs = xc_query_match_all(&q)) != XC_OK) {
        goto fail;
    }

    /* Filters. Dates are boolean Y/M/D terms: a value range costs a scan of every passage. */
    int ylo, yhi;
    year_bounds(idx, &ylo, &yhi);
    pi_date_range extra = {{0}, {0}};
    if (o->since)
        snprintf(extra.lo, sizeof extra.lo, "%s", o->since);
    if (o->until)
        snprintf(extra.hi, sizeof extra.hi, "%s", o->until);
    for (size_t i = 0; i <= pq->n_dates; i++) {
        const pi_date_range *r = i < pq->n_dates ? &pq->dates[i] : &extra;
        if (!r->lo[0] && !r->hi[0])
            continue;
        xc_query *f = NULL;
        xs = xc_query_date_range(r->lo[0] ? r->lo : NULL, r->hi[0] ? r->hi : NULL, PI_P_YEAR,
                                 PI_P_MONTH, PI_P_DAY, ylo, yhi, &f);
        if (xs == XC_ERR_INVALID) {
            xc_query_free(q);
            return pi_fail(idx, PRESSINDEX_ERR_BAD_QUERY, "bad date range %s..%s", r->lo, r->hi);
        }
        if (xs != XC_OK || (xs = fold_in(XC_OP_FILTER, &q, f)) != XC_OK)
            goto fail;
    }
    if (pq->n_sources || (o->source && *o->source)) {
        xc_query *any = NULL;
        pi_buf folded = {0}, term = {0};
        for (size_t i = 0; xs == XC_OK && i <= pq->n_sources; i++) {
            const char *name = i < pq->n_sources ? pq->sources[i] : NULL;
            if (!name) {
                if (!o->source || !*o->source)
                    break;
                if (pi_fold_text(o->source, &folded) < 0) {
                    xs = XC_ERR_NO_MEMORY;
                    break;
                }
                name = folded.p;
            }
            xc_query *t = NULL;
            pi_buf_clear(&term);
            if (pi_buf_printf(&term, "%s%s", PI_P_SOURCE, name) < 0)
                xs = XC_ERR_NO_MEMORY;
            else if ((xs = xc_query_term(term.p, term.len, &t)) == XC_OK)
                xs = any ? fold_in(XC_OP_OR, &any, t) : (any = t, XC_OK);
        }
        pi_buf_free(&folded);
        pi_buf_free(&term);
        if (xs != XC_OK || (xs = fold_in(XC_OP_FILTER, &q, any)) != XC_OK)
            goto fail;
    }
    *out = q;
    return PRESSINDEX_OK;
fail:
    xc_qp_free(qp);
    xc_query_free(q);
    if (adj) {
        xc_query_free(*adj);
        *adj = NULL;
    }
    if (xs == XC_ERR_BAD_QUERY)
        return pi_fail(idx, PRESSINDEX_ERR_BAD_QUERY, "malformed query: %s", xc_last_error());
    return pi_fail_xc(idx, xs, "searching");
}

/* The stems to highlight: the query's unprefixed terms (index stems are lower case; prefixes are
 * capitals). */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The matcher's index of a stem, or -1. */
static long stem_index(const pi_matcher *m, const char *stem)
{
    char **found = m->n_stems ? bsearch(&stem, m->stems, m->n_stems, sizeof *m->stems, cmp_str) : NULL;
    return found ? (long)(found - m->stems) : -1;
}

/* Copies the next word of a phrase (stems joined by ' ') to t and moves *p past it; 0 at the end. */
static int phrase_word(const char **p, char t[256])
{
    if (!**p)
        return 0;
    size_t wl = strcspn(*p, " ");
    snprintf(t, 256, "%.*s", (int)wl, *p);
    *p += wl + ((*p)[wl] == ' ');
    return 1;
}

/* Sets flag[k] for each of the matcher's stems that is a word of phrase. */
static void mark_words(const pi_matcher *m, const char *phrase, char *flag)
{
    char t[256];
    while (phrase_word(&phrase, t)) {
        long k = stem_index(m, t);
        if (k >= 0)
            flag[k] = 1;
    }
}

/* The query's stems for highlighting and ranking, with their within-query frequencies and the
 * index statistics the ranking uses (read once here, not by each rule). */
static xc_status make_matcher(xc_db *db, const xc_query *q, const pi_query *pq, pi_matcher *m)
{
    xc_keylist *kl = NULL;
    xc_status xs = xc_query_terms(q, 1, &kl);
    if (xs != XC_OK)
        return xs;
    const char *t;
    size_t n;
    int more;
    size_t cap = 0;
    while ((more = xc_keylist_next(kl, &t, &n)) > 0) {
        if (!n || (t[0] >= 'A' && t[0] <= 'Z'))
            continue;
        if (m->n_stems == cap) {
            cap = cap ? 2 * cap : 8;
            char **g = realloc(m->stems, cap * sizeof *g);
            if (!g) {
                xs = XC_ERR_NO_MEMORY;
                break;
            }
            m->stems = g;
        }
        if (!(m->stems[m->n_stems] = strndup(t, n))) {
            xs = XC_ERR_NO_MEMORY;
            break;
        }
        m->n_stems++;
    }
    xc_keylist_free(kl);
    if (more < 0 && xs == XC_OK)
        xs = xc_last_status();
    if (m->n_stems)
        qsort(m->stems, m->n_stems, sizeof *m->stems, cmp_str);
    /* Within-query frequencies, counted over every occurrence of each stem. */
    if (xs == XC_OK && m->n_stems && !(m->wqf = calloc(m->n_stems, sizeof *m->wqf)))
        xs = XC_ERR_NO_MEMORY;
    if (xs == XC_OK && m->n_stems && (xs = xc_query_terms(q, 0, &kl)) == XC_OK) {
        char key[256];
        while ((more = xc_keylist_next(kl, &t, &n)) > 0) {
            if (n >= sizeof key)
                continue;
            memcpy(key, t, n);
            key[n] = '\0';
            long k = stem_index(m, key);
            if (k >= 0)
                m->wqf[k]++;
        }
        xc_keylist_free(kl);
        if (more < 0)
            xs = xc_last_status();
    }
    if (xs == XC_OK)
        xs = xc_db_doccount(db, &m->docs);
    if (xs == XC_OK && m->n_stems && !(m->df = calloc(m->n_stems, sizeof *m->df)))
        xs = XC_ERR_NO_MEMORY;
    for (size_t k = 0; xs == XC_OK && k < m->n_stems; k++)
        xs = xc_db_termfreq(db, m->stems[k], strlen(m->stems[k]), &m->df[k]);
    m->prefixes = pq->wildcards;
    m->n_prefixes = pq->n_wildcards;
    m->phrases = pq->phrases;
    m->n_phrases = pq->n_phrases;
    /* "the President of the United States" in quotes: a lone "president" is not what was asked. */
    if (xs == XC_OK && pq->n_phrases && m->n_stems && !(m->phrase_only = calloc(m->n_stems, 1)))
        xs = XC_ERR_NO_MEMORY;
    for (size_t p = 0; xs == XC_OK && p < pq->n_phrases && m->n_stems; p++)
        mark_words(m, pq->phrases[p], (char *)m->phrase_only);
    for (size_t w = 0; m->phrase_only && w < pq->n_loose; w++) {
        long k = stem_index(m, pq->loose[w]);
        if (k >= 0)
            m->phrase_only[k] = 0;
    }
    return xs;
}

static void matcher_free(pi_matcher *m)
{
    for (size_t i = 0; i < m->n_stems; i++)
        free(m->stems[i]);
    free(m->stems);
    free(m->wqf);
    free(m->df);
    free(m->phrase_only);
}

/* ---- reading the hits ---- */

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

static pressindex_status fetch_context(pressindex *idx, const char *key, size_t context, hit *h);

/* Reads passage docid into h: text, paragraph, its release's metadata, highlights (m may be NULL). */
/* A passage already read for the rerank window: its text, paragraph number and release key. */
typedef struct known_passage {
    const char *text;
    size_t len;
    unsigned pno;
    const char *key;
    const pi_release_record *rec; /* NULL: read it */
} known_passage;

/* Fills a hit from the passage's document and its release's record, or from what the rerank window
 * already read of them (known: its text, or its rec, may be NULL): each read costs a B-tree lookup
 * and inflating the data. */
static pressindex_status fill_hit(pressindex *idx, unsigned docid, const pi_matcher *m, hit *h,
                                  const known_passage *known)
{
    char mkey[PI_KEY_LEN + 8];
    size_t dlen;
    xc_status xs = XC_OK;
    if (known && known->text) {
        dlen = known->len;
        if (!(h->text = strndup(known->text, known->len)))
            return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        h->paragraph = known->pno;
        snprintf(mkey, sizeof mkey, "%s%s", PI_META_RELEASE, known->key);
    } else {
        xc_doc *doc = NULL;
        if ((xs = xc_db_get_document(idx->db, docid, &doc)) != XC_OK)
            return read_fail(idx, xs, "reading a result");
        const char *data, *key, *pno;
        size_t klen, plen;
        if ((xs = xc_doc_get_data(doc, &data, &dlen)) != XC_OK ||
            !(h->text = strndup(data, dlen)) ||
            (xs = xc_doc_get_value(doc, PI_SLOT_PARAGRAPH, &pno, &plen)) != XC_OK) {
            xc_doc_free(doc);
            return xs != XC_OK ? read_fail(idx, xs, "reading a result")
                               : pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        }
        h->paragraph = (unsigned)strtoul(pno, NULL, 10);
        if ((xs = xc_doc_get_value(doc, PI_SLOT_RELEASE, &key, &klen)) == XC_OK)
            snprintf(mkey, sizeof mkey, "%s%.*s", PI_META_RELEASE, (int)klen, key);
        xc_doc_free(doc);
    }
    pi_release_record own;
    const pi_release_record *rec = known ? known->rec : NULL;
    if (!rec) {
        char *blob = NULL;
        size_t blen = 0;
        if (xs == XC_OK)
            xs = xc_db_get_metadata(idx->db, mkey, &blob, &blen);
        if (xs != XC_OK)
            return read_fail(idx, xs, "reading a result's release");
        if (!blob || pi_record_decode(blob, blen, &own) < 0) {
            free(blob);
            return pi_fail(idx, PRESSINDEX_ERR_CORRUPT, "a passage's release record is missing or damaged");
        }
        rec = &own;
    }
    h->release = dup_or_empty(rec->id);
    h->date = dup_or_empty(rec->date);
    h->title = dup_or_empty(rec->title);
    h->source = dup_or_empty(rec->source);
    h->url = dup_or_empty(rec->url);
    h->lang = dup_or_empty(rec->lang);
    if (rec == &own)
        pi_record_free(&own);
    if (!h->release || !h->date || !h->title || !h->source || !h->url || !h->lang)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    if (m) {
        pi_stemmer *stem = pi_index_stemmer(idx, h->lang);
        if (!stem || pi_highlight(m, stem, h->text, dlen, &h->hl, &h->n_hl) < 0)
            return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    }
    return PRESSINDEX_OK;
}

static void hit_free(hit *h)
{
    free(h->text);
    free(h->release);
    free(h->date);
    free(h->title);
    free(h->source);
    free(h->url);
    free(h->lang);
    free(h->hl);
    for (size_t i = 0; i < h->n_ctx; i++)
        free(h->ctx[i]);
    free(h->ctx);
}

void pressindex_results_destroy(pressindex_results *res)
{
    if (!res)
        return;
    for (size_t i = 0; i < res->n; i++)
        hit_free(&res->hits[i]);
    free(res->hits);
    free(res->suggestion);
    free(res);
}

/* A candidate of the rerank window. */
typedef struct cand {
    unsigned docid;
    double weight;    /* Xapian's BM25, phrase-corrected, demoted, with the adjacency boost */
    double title;     /* share of the query's weight found in the release's title, 0..1 */
    unsigned pno;     /* paragraph number */
    double release;   /* BM25 of the whole release (release_evidence) */
    double before;    /* IDF share of the query's words only the paragraph before holds */
    double factor;    /* boilerplate and question demotion, applied after the phrase correction */
    const pi_release_record *rec; /* the release's record, when title_shares() read it */
    unsigned *pf;     /* occurrences of each of the query's phrases (phrase queries only) */
    char *text;       /* the passage's text, when the window read it (reused for the results) */
    size_t tlen;
    double score;     /* the final score (rerank()) */
    uint64_t collapsed;
    char key[PI_KEY_LEN + 1];
    size_t order;     /* Xapian's rank, to keep sorts stable */
} cand;

static int cmp_key_cand(const void *a, const void *b)
{
    return strcmp(((const cand *)a)->key, ((const cand *)b)->key);
}


static int cmp_order(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_score(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* A word's plain IDF over passages, log(N / df); 0 for a word in no or every passage. It weighs
 * the shares (title, paragraph before): only the balance between the query's words matters. */
static double log_idf(uint64_t docs, uint64_t df)
{
    return df && docs > df ? log((double)docs / (double)df) : 0;
}

/* For each candidate, the IDF-weighted share of the query's words that its release's title holds:
 * a title match counts for something, but never makes a passage match on its own. Titles come
 * from the release records (read once per release), stemmed as the index stems them. A filter,
 * a phrase or an operator does not change what a title is evidence of; excluded words are no
 * evidence. A wildcard's prefix expansions are not known here and have no share (the typed
 * word's own stem, searched with it, has). */
static pressindex_status title_shares(pressindex *idx, const pi_query *pq, const pi_matcher *m,
                                     cand *c, size_t n, pi_release_record *recs, size_t *nrecs)
{
    if (!m->n_stems)
        return PRESSINDEX_OK;
    double *idf = calloc(m->n_stems, sizeof *idf), total = 0;
    if (!idf)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    for (size_t k = 0; k < m->n_stems; k++)
        if (!pi_query_excludes(pq, m->stems[k], strlen(m->stems[k])))
            total += idf[k] = log_idf(m->docs, m->df[k]);
    qsort(c, n, sizeof *c, cmp_key_cand);
    char *seen = calloc(m->n_stems, 1);
    pi_buf f = {0};
    pressindex_status st = seen ? PRESSINDEX_OK : pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    for (size_t i = 0, j; st == PRESSINDEX_OK && total > 0 && i < n; i = j) {
        for (j = i; j < n && !strcmp(c[j].key, c[i].key); j++)
            ;
        char mkey[PI_KEY_LEN + 8], *blob = NULL;
        size_t blen;
        snprintf(mkey, sizeof mkey, "%s%s", PI_META_RELEASE, c[i].key);
        xc_status xs = xc_db_get_metadata(idx->db, mkey, &blob, &blen);
        if (xs != XC_OK) {
            st = read_fail(idx, xs, "reading titles");
            break;
        }
        /* Kept for the results (fill_hit), which would otherwise read it again. */
        pi_release_record *rec = &recs[*nrecs];
        if (!blob || pi_record_decode(blob, blen, rec) < 0) {
            free(blob);
            continue;
        }
        (*nrecs)++;
        pi_stemmer *stem = pi_index_stemmer(idx, rec->lang);
        memset(seen, 0, m->n_stems);
        size_t at = 0, ws, we, tl = strlen(rec->title);
        while (stem && pi_word_next(rec->title, tl, &at, &ws, &we)) {
            int fl = pi_fold_word(rec->title + ws, we - ws, &f);
            size_t sl;
            const char *s = fl > 0 ? pi_stemmer_stem(stem, f.p, (size_t)fl, &sl) : NULL;
            long k = s ? stem_index(m, s) : -1;
            if (k >= 0)
                seen[k] = 1;
        }
        double share = 0;
        for (size_t k = 0; k < m->n_stems; k++)
            share += seen[k] ? idf[k] : 0;
        for (size_t k = i; k < j; k++) {
            c[k].title = share / total;
            c[k].rec = rec;
        }
    }
    pi_buf_free(&f);
    free(seen);
    free(idf);
    return st;
}

/* Is this paragraph text boilerplate: seen in a noticeable share of the corpus (at least 3 times,
 * and in 1 of every 30,000 passages: about 1 release in 1,000)? Relative to the corpus size, so
 * that a corpus copied ten times does not make every paragraph boilerplate. */
static int is_boilerplate(pressindex *idx, const char *hash, uint64_t passages)
{
    char term[PI_HASH_LEN + 8];
    snprintf(term, sizeof term, "%s%s", PI_P_TEXTHASH, hash);
    uint64_t tf = 0;
    if (xc_db_termfreq(idx->db, term, strlen(term), &tf) != XC_OK)
        return 0;
    uint64_t threshold = passages / 30000 > 3 ? passages / 30000 : 3;
    return tf >= threshold;
}

/* Is this paragraph a reporter's question in a briefing transcript: "Q" then a space (often a
 * no-break space), a tab, a colon or a full stop? A question names the subject without answering
 * it; the answer is the paragraph after it. */
static int is_question(const char *t, size_t n)
{
    size_t i = 0;
    while (i < n && (t[i] == ' ' || t[i] == '\t'))
        i++;
    if (i + 1 >= n || t[i] != 'Q')
        return 0;
    unsigned char c = (unsigned char)t[i + 1];
    return c == ' ' || c == '\t' || c == ':' || c == '.' ||
           (c == 0xC2 && i + 2 < n && (unsigned char)t[i + 2] == 0xA0); /* U+00A0 */
}

/*
 * Passage score = weight / best weight + title_weight x title share
 *                 + neighbour_weight x paragraph-before share
 *                 + release_weight x release BM25 / best release BM25,
 * where weight is Xapian's BM25 of the passage (phrases counted by occurrence, boilerplate and
 * questions already scaled down, adjacency added). Normalising by the best of the window puts the
 * passage's and the release's evidence on one scale whatever the query's length: a paragraph that
 * leaves its subject to the rest of its release still ranks when the release is about the query.
 *
 * Only the window, c[0..nw) (the rerank_depth best passages by Xapian's weight), is reranked; the
 * passages after it follow the whole window in Xapian's order. A wider window for a bigger page
 * would let deeper passages climb into the first ten: page 2 must continue page 1 whatever the
 * limit (Elasticsearch's rescore documentation asks for a constant window while paging).
 */
static void rerank(const pressindex_search_options *o, cand *c, size_t nw, size_t n)
{
    if (!n)
        return;
    double wmax = 0;
    for (size_t i = 0; i < (nw ? nw : n); i++)
        if (c[i].weight > wmax)
            wmax = c[i].weight;
    qsort(c + nw, n - nw, sizeof *c, cmp_order);
    if (wmax <= 0) { /* a purely boolean query: Xapian's order stands */
        for (size_t i = 0; i < n; i++)
            c[i].score = 0;
        qsort(c, nw, sizeof *c, cmp_order);
        return;
    }
    for (size_t i = 0; i < nw; i++)
        c[i].score = c[i].weight / wmax + o->title_weight * c[i].title;
    for (size_t i = 0; i < nw; i++)
        c[i].score += o->neighbour_weight * c[i].before;
    if (o->release_weight > 0) {
        double rmax = 0;
        for (size_t i = 0; i < nw; i++)
            if (c[i].release > rmax)
                rmax = c[i].release;
        for (size_t i = 0; rmax > 0 && i < nw; i++)
            c[i].score += o->release_weight * c[i].release / rmax;
    }
    qsort(c, nw, sizeof *c, cmp_score);
    /* After the window, Xapian's order: scored by their own weight on the window's scale, scaled
     * down (all by one factor, so their differences still show) where the first would outscore
     * the window's last: a score list that goes up again would read as a bug. */
    if (nw < n) {
        double first = c[nw].weight / wmax, scale = 1;
        if (nw && first > c[nw - 1].score && first > 0)
            scale = c[nw - 1].score / first;
        for (size_t i = nw; i < n; i++)
            c[i].score = c[i].weight / wmax * scale;
    }
}

static int cmp_docid(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    return x->docid < y->docid ? -1 : x->docid > y->docid;
}

/* BM25's term weight as Xapian computes it (BM25Weight, no relevance set): the usual
 * log((N - n + 0.5) / (n + 0.5)), with the ratio under 2 (a word in over a third of the documents)
 * squeezed to stay positive. */
static double bm25_termweight(uint64_t docs, uint64_t df)
{
    if (!df)
        return 0;
    double tw = ((double)docs - (double)df + 0.5) / ((double)df + 0.5);
    if (tw < 2)
        tw = tw * 0.5 + 1;
    return log(tw);
}

/* Reads a term's wdf (and, with dl, the document's length) for each of count records in docid
 * order (base, elem bytes apart, each starting with its unsigned docid), skipping through the
 * term's postings once; 0 where the document does not hold it. Results go to wdf[i * stride]. */
static xc_status sweep_postings(xc_db *db, const char *term, size_t len, const void *base,
                                size_t count, size_t elem, unsigned *wdf, size_t stride,
                                unsigned *dl)
{
    xc_postlist *pl = NULL;
    xc_status xs = xc_db_postlist(db, term, len, &pl);
    unsigned at = 0;
    int on = 1;
    for (size_t i = 0; xs == XC_OK && on > 0 && i < count; i++) {
        unsigned id = *(const unsigned *)((const char *)base + i * elem);
        if (at < id)
            on = xc_postlist_skip_to(pl, id, &at);
        if (on > 0 && at == id)
            xs = xc_postlist_get(pl, &wdf[i * stride], dl ? &dl[i] : NULL);
    }
    if (xs == XC_OK && on < 0)
        xs = xc_last_status();
    xc_postlist_free(pl);
    return xs;
}

/* How many times each of the query's phrases occurs in a passage's text (tokenized, folded and
 * stemmed as the index does). NULL when out of memory. */
static unsigned *phrase_counts(const pi_query *pq, pi_stemmer *stem, const char *text, size_t len)
{
    unsigned *pf = calloc(pq->n_phrases, sizeof *pf);
    if (!pf || !stem)
        return pf;
    /* The stems of the passage, one after the other, each followed by a space. */
    pi_buf f = {0}, all = {0};
    size_t at = 0, ws, we;
    int ok = pi_buf_addc(&all, ' ') == 0;
    while (ok && pi_word_next(text, len, &at, &ws, &we)) {
        int n = pi_fold_word(text + ws, we - ws, &f);
        size_t sl;
        const char *st = n > 0 ? pi_stemmer_stem(stem, f.p, (size_t)n, &sl) : NULL;
        if (n < 0 || (n > 0 && !st))
            ok = 0;
        else if (st)
            ok = pi_buf_add(&all, st, sl) == 0 && pi_buf_addc(&all, ' ') == 0;
    }
    for (size_t p = 0; ok && p < pq->n_phrases; p++) {
        pi_buf needle = {0};
        ok = pi_buf_addc(&needle, ' ') == 0 && pi_buf_adds(&needle, pq->phrases[p]) == 0 &&
             pi_buf_addc(&needle, ' ') == 0;
        for (const char *h = all.p; ok && (h = strstr(h, needle.p)) != NULL; h++)
            pf[p]++;
        pi_buf_free(&needle);
    }
    pi_buf_free(&f);
    pi_buf_free(&all);
    if (!ok) {
        free(pf);
        return NULL;
    }
    return pf;
}

/*
 * Phrases are scored by how often the phrase occurs, not its words: Xapian weights a phrase as
 * the sum of its words' BM25, so a passage saying "Quad" five times and "Quad Leaders Summit" once
 * outranks a short one about the summit. Each phrase word's part of Xapian's weight is recomputed
 * (Xapian's BM25 formula, same statistics) with the phrase's frequency in place of the word's, as
 * FTS5's bm25() and Lucene's phrase queries count phrase occurrences. Words that the query uses
 * more than once are left as Xapian weighted them.
 */
static pressindex_status phrase_frequency(pressindex *idx, const pressindex_search_options *o,
                                          const pi_query *pq, const pi_matcher *m, cand *c,
                                          size_t n)
{
    double avg = 0;
    xc_status xs = xc_db_avlength(idx->db, &avg);
    qsort(c, n, sizeof *c, cmp_docid);
    unsigned *wdf = calloc(n, sizeof *wdf), *dl = calloc(n, sizeof *dl);
    if (xs == XC_OK && (!wdf || !dl))
        xs = XC_ERR_NO_MEMORY;
    for (size_t p = 0; xs == XC_OK && p < pq->n_phrases; p++) {
        const char *w = pq->phrases[p];
        char t[256];
        while (xs == XC_OK && phrase_word(&w, t)) {
            /* Used once in the whole query? (Xapian's within-query frequency) */
            long at = stem_index(m, t);
            if (at < 0 || m->wqf[at] != 1 || !m->df[at])
                continue;
            double tw = bm25_termweight(m->docs, m->df[at]) * (o->bm25_k1 + 1);
            for (size_t i = 0; i < n; i++)
                wdf[i] = dl[i] = 0;
            if ((xs = sweep_postings(idx->db, t, strlen(t), c, n, sizeof *c, wdf, 1, dl)) != XC_OK)
                break;
            for (size_t i = 0; xs == XC_OK && i < n; i++) {
                /* No phrase found in the text (the passage matched another part of the query, or
                 * an excluded phrase): Xapian gave the phrase nothing, so nothing to correct. */
                if (!wdf[i] || !c[i].pf || !c[i].pf[p] || avg <= 0)
                    continue;
                double normlen = (double)dl[i] / avg;
                if (normlen < 0.5)
                    normlen = 0.5;
                double k = o->bm25_k1 * (normlen * o->bm25_b + 1 - o->bm25_b);
                double pf = c[i].pf[p] < wdf[i] ? c[i].pf[p] : wdf[i];
                c[i].weight += tw * (pf / (k + pf) - wdf[i] / (k + wdf[i]));
                if (c[i].weight < 0)
                    c[i].weight = 0;
            }
        }
    }
    free(wdf);
    free(dl);
    if (xs != XC_OK)
        return read_fail(idx, xs, "scoring phrases");
    return PRESSINDEX_OK;
}

/* Adds to each candidate the weight of the adjacency phrase where it holds: the phrase is matched
 * only among the passages of the candidates' releases, so its positions are read for a few
 * thousand passages at most, whatever the query's words. */
static pressindex_status adjacency(pressindex *idx, const xc_query *adj, cand *c, size_t n)
{
    xc_query *any = NULL, *f = NULL;
    xc_enquire *enq = NULL;
    xc_mset *ms = NULL;
    xc_status xs = XC_OK;
    qsort(c, n, sizeof *c, cmp_key_cand);
    char term[PI_KEY_LEN + 8];
    for (size_t i = 0; xs == XC_OK && i < n; i++) {
        if (i && !strcmp(c[i].key, c[i - 1].key))
            continue;
        snprintf(term, sizeof term, "%s%s", PI_P_RELEASE, c[i].key);
        xc_query *t = NULL;
        if ((xs = xc_query_term(term, strlen(term), &t)) == XC_OK)
            xs = any ? fold_in(XC_OP_OR, &any, t) : (any = t, XC_OK);
    }
    if (xs == XC_OK) {
        xc_query *subs[2] = {(xc_query *)adj, any};
        xs = xc_query_combine(XC_OP_FILTER, subs, 2, 0, &f);
    }
    if (xs == XC_OK)
        xs = xc_enquire_new(idx->db, &enq);
    if (xs == XC_OK)
        xs = xc_enquire_set_query(enq, f);
    if (xs == XC_OK)
        xs = xc_enquire_get_mset(enq, 0, 100000, 0, &ms);
    qsort(c, n, sizeof *c, cmp_docid);
    for (unsigned i = 0; xs == XC_OK && i < xc_mset_size(ms); i++) {
        cand key = {0};
        double w;
        uint64_t cc;
        if ((xs = xc_mset_item(ms, i, &key.docid, &w, &cc)) != XC_OK)
            break;
        cand *found = bsearch(&key, c, n, sizeof *c, cmp_docid);
        if (found)
            found->weight += w;
    }
    xc_mset_free(ms);
    xc_enquire_free(enq);
    xc_query_free(f);
    xc_query_free(any);
    if (xs != XC_OK)
        return read_fail(idx, xs, "searching");
    return PRESSINDEX_OK;
}

/* A (docid, release) pair: the passages of the candidates' releases, in docid order. */
typedef struct rel_post {
    unsigned docid;
    unsigned rel;
} rel_post;

static int cmp_rel_post(const void *a, const void *b)
{
    const rel_post *x = a, *y = b;
    return x->docid < y->docid ? -1 : x->docid > y->docid;
}


/*
 * Evidence from the rest of each candidate's release, read from the postings of all its passages
 * (each query word's postings skipped through once, in docid order):
 *  - release: the BM25 of the whole release as if it were one document: a word's frequency is the
 *    sum over its passages and its title, the length the sum of theirs. Term weights are those
 *    Xapian gives the passage query (IDF over passages, repeated words counted as Xapian counts
 *    them); lengths are normalised by the candidate releases' mean: the score is only compared
 *    among them (divided by the best), and the corpus's release count would cost a scan.
 *  - before: the IDF share of the query's words that the paragraph is missing and the paragraph
 *    just before it holds. Press releases leave the subject to the previous paragraph ("The two
 *    presidents held brief conversation at the airport."), briefings put it in the question.
 */
static pressindex_status release_evidence(pressindex *idx, const pressindex_search_options *o,
                                          const pi_query *pq, const pi_matcher *m, cand *c, size_t n)
{
    size_t ns = m->n_stems;
    if (!ns || !n)
        return PRESSINDEX_OK;
    qsort(c, n, sizeof *c, cmp_key_cand);
    size_t nrel = 0;
    for (size_t i = 0; i < n; i++)
        if (!i || strcmp(c[i].key, c[i - 1].key))
            nrel++;
    size_t *first = calloc(nrel, sizeof *first);
    double *len = calloc(nrel, sizeof *len), *idf = calloc(ns, sizeof *idf);
    double *rtf = calloc(nrel * ns, sizeof *rtf);
    rel_post *post = NULL;
    unsigned *wdf = NULL;
    size_t np = 0, cap = 0;
    xc_status xs = first && len && idf && rtf ? XC_OK : XC_ERR_NO_MEMORY;
    char term[PI_KEY_LEN + 8];
    for (size_t i = 0, r = 0; xs == XC_OK && i < n; i++) {
        if (i && !strcmp(c[i].key, c[i - 1].key))
            continue;
        first[r] = i;
        snprintf(term, sizeof term, "%s%s", PI_P_RELEASE, c[i].key);
        xc_postlist *pl = NULL;
        unsigned id, dl;
        int more = 0;
        if ((xs = xc_db_postlist(idx->db, term, strlen(term), &pl)) == XC_OK) {
            while ((more = xc_postlist_next(pl, &id)) > 0) {
                if ((xs = xc_postlist_get(pl, NULL, &dl)) != XC_OK)
                    break;
                if (np == cap) {
                    cap = cap ? 2 * cap : 256;
                    rel_post *g = realloc(post, cap * sizeof *g);
                    if (!g) {
                        xs = XC_ERR_NO_MEMORY;
                        break;
                    }
                    post = g;
                }
                post[np].docid = id;
                post[np++].rel = (unsigned)r;
                len[r] += dl;
            }
            if (xs == XC_OK && more < 0)
                xs = xc_last_status();
        }
        xc_postlist_free(pl);
        r++;
    }
    if (xs == XC_OK && np) {
        qsort(post, np, sizeof *post, cmp_rel_post);
        if (!(wdf = calloc(np * ns, sizeof *wdf)))
            xs = XC_ERR_NO_MEMORY;
    }
    unsigned *twdf = xs == XC_OK && np ? calloc(np, sizeof *twdf) : NULL;
    if (xs == XC_OK && np && !twdf)
        xs = XC_ERR_NO_MEMORY;
    double total = 0;
    for (size_t k = 0; xs == XC_OK && np && k < ns; k++) {
        if (pi_query_excludes(pq, m->stems[k], strlen(m->stems[k])) || !m->df[k])
            continue;
        total += idf[k] = log_idf(m->docs, m->df[k]);
        if ((xs = sweep_postings(idx->db, m->stems[k], strlen(m->stems[k]), post, np, sizeof *post,
                                 wdf + k, ns, NULL)) != XC_OK)
            break;
        /* The title is part of the release: its words are on the first passage, prefixed. */
        char st[256];
        int sl = snprintf(st, sizeof st, "%s%s", PI_P_TITLE, m->stems[k]);
        memset(twdf, 0, np * sizeof *twdf);
        if (sl > 0 && (size_t)sl < sizeof st &&
            (xs = sweep_postings(idx->db, st, (size_t)sl, post, np, sizeof *post, twdf, 1, NULL)) != XC_OK)
            break;
        for (size_t j = 0; j < np; j++)
            rtf[post[j].rel * ns + k] += wdf[j * ns + k] + twdf[j];
    }
    free(twdf);
    double avg = 0;
    for (size_t r = 0; r < nrel; r++)
        avg += len[r] / (double)nrel;

    /* Query words as Xapian weighs them in the passage query: its IDF, and a word typed twice
     * counts as two leaves each with the query-frequency factor of BM25 (k3 = 1). */
    double *qw = calloc(ns, sizeof *qw);
    if (xs == XC_OK && !qw)
        xs = XC_ERR_NO_MEMORY;
    for (size_t k = 0; xs == XC_OK && k < ns; k++) {
        double wqf = m->wqf[k] ? m->wqf[k] : 1;
        qw[k] = pi_query_excludes(pq, m->stems[k], strlen(m->stems[k]))
                    ? 0
                    : bm25_termweight(m->docs, m->df[k]) * wqf * 2 * wqf / (1 + wqf);
    }
    for (size_t r = 0; xs == XC_OK && np && r < nrel; r++) {
        double norm = o->bm25_k1 * (1 - o->bm25_b + (avg > 0 ? o->bm25_b * len[r] / avg : 0));
        double score = 0;
        for (size_t k = 0; k < ns; k++) {
            double f = rtf[r * ns + k];
            score += f > 0 ? qw[k] * f * (o->bm25_k1 + 1) / (f + norm) : 0;
        }
        for (size_t i = first[r]; i < n && !strcmp(c[i].key, c[first[r]].key); i++)
            c[i].release = score;
    }
    /* The paragraph before: the previous docid of the same release, if it is numbered one less
     * (a release rewritten in part can leave its paragraphs out of docid order: then no evidence). */
    for (size_t i = 0; xs == XC_OK && np && total > 0 && o->neighbour_weight > 0 && i < n; i++) {
        rel_post key = {c[i].docid, 0};
        rel_post *me = bsearch(&key, post, np, sizeof *post, cmp_rel_post);
        if (!me || me == post || me[-1].docid + 1 != me->docid || me[-1].rel != me->rel || c[i].pno < 2)
            continue;
        xc_doc *doc = NULL;
        const char *v;
        size_t vl;
        if ((xs = xc_db_get_document(idx->db, me[-1].docid, &doc)) != XC_OK)
            break;
        int adjacent = xc_doc_get_value(doc, PI_SLOT_PARAGRAPH, &v, &vl) == XC_OK &&
                       strtoul(v, NULL, 10) + 1 == c[i].pno;
        xc_doc_free(doc);
        size_t j = (size_t)(me - post);
        for (size_t k = 0; adjacent && k < ns; k++)
            if (!wdf[j * ns + k] && wdf[(j - 1) * ns + k])
                c[i].before += idf[k] / total;
    }
    free(idf);
    free(rtf);
    free(qw);
    free(wdf);
    free(post);
    free(first);
    free(len);
    if (xs != XC_OK)
        return read_fail(idx, xs, "scoring releases");
    return PRESSINDEX_OK;
}

/* One attempt against the current revision; PRESSINDEX_ERR_MODIFIED is retried by the caller. */
static pressindex_status run_once(pressindex *idx, const pressindex_search_options *o, pi_query *pq,
                                  pressindex_results *res)
{
    xc_query *q = NULL;
    xc_enquire *enq = NULL;
    xc_mset *ms = NULL;
    pi_matcher m = {0};
    cand *c = NULL;
    pi_release_record *recs = NULL; /* the window's release records (title_shares) */
    size_t nrecs = 0;
    xc_query *adj = NULL;
    int relevance = o->sort == PRESSINDEX_SORT_RELEVANCE;
    pi_stemmer *stem = pi_index_stemmer(idx, o->lang);
    unsigned size = 0;
    pressindex_status st = build_query(idx, o, pq, &q, relevance ? &adj : NULL);
    if (st != PRESSINDEX_OK)
        return st;
    int rerank_on = relevance && (o->release_weight > 0 || o->boilerplate_weight != 1.0 ||
                                  o->question_weight != 1.0 || pq->n_phrases ||
                                  o->title_weight > 0 || o->neighbour_weight > 0 || adj);
    size_t want = o->offset + o->limit;
    size_t window = rerank_on && want < o->rerank_depth ? o->rerank_depth : want;
    xc_status xs = xc_enquire_new(idx->db, &enq);
    if (xs == XC_OK)
        xs = xc_enquire_set_query(enq, q);
    /* k2 = 0, k3 = 1, min_normlen = 0.5: Xapian's defaults. */
    if (xs == XC_OK)
        xs = xc_enquire_set_bm25(enq, o->bm25_k1, 0, 1, o->bm25_b, 0.5);
    if (xs == XC_OK && (o->by_release || o->collapse))
        xs = xc_enquire_set_collapse_key(enq, o->by_release ? PI_SLOT_RELEASE : PI_SLOT_TEXTHASH, 1);
    if (xs == XC_OK && !relevance)
        xs = xc_enquire_set_sort_by_value_then_relevance(enq, PI_SLOT_DATE, 1);
    if (xs == XC_OK)
        xs = xc_enquire_get_mset(enq, rerank_on ? 0 : (unsigned)o->offset,
                                 (unsigned)(rerank_on ? window : o->limit), 0, &ms);
    if (xs == XC_OK)
        xs = make_matcher(idx->db, q, pq, &m);
    if (xs != XC_OK)
        goto xfail;
    res->estimated = xc_mset_matches_estimated(ms);
    res->context = o->context;
    size = xc_mset_size(ms);
    c = calloc(size ? size : 1, sizeof *c);
    if (!c) {
        st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        goto out;
    }
    uint64_t passages = m.docs;
    size_t nw = rerank_on ? (size < o->rerank_depth ? size : o->rerank_depth) : 0;
    for (unsigned i = 0; i < size; i++) {
        xc_doc *doc = NULL;
        const char *v;
        size_t vl;
        if ((xs = xc_mset_item(ms, i, &c[i].docid, &c[i].weight, &c[i].collapsed)) != XC_OK)
            goto xfail;
        c[i].order = i;
        if (i >= nw)
            continue;
        if ((xs = xc_mset_document(ms, i, &doc)) != XC_OK)
            goto xfail;
        const char *text = NULL;
        size_t tl = 0;
        if ((xs = xc_doc_get_value(doc, PI_SLOT_RELEASE, &v, &vl)) == XC_OK)
            snprintf(c[i].key, sizeof c[i].key, "%.*s", (int)vl, v);
        if (xs == XC_OK && (xs = xc_doc_get_value(doc, PI_SLOT_PARAGRAPH, &v, &vl)) == XC_OK)
            c[i].pno = (unsigned)strtoul(v, NULL, 10);
        c[i].factor = 1;
        if (xs == XC_OK && o->boilerplate_weight != 1.0 &&
            (xs = xc_doc_get_value(doc, PI_SLOT_TEXTHASH, &v, &vl)) == XC_OK) {
            char hash[PI_HASH_LEN + 1];
            snprintf(hash, sizeof hash, "%.*s", (int)vl, v);
            if (is_boilerplate(idx, hash, passages))
                c[i].factor *= o->boilerplate_weight;
        }
        /* Last: the text stays valid only until the next read from doc. */
        if (xs == XC_OK && (o->question_weight != 1.0 || pq->n_phrases))
            xs = xc_doc_get_data(doc, &text, &tl);
        if (xs != XC_OK) { /* a commit landed meanwhile (retried) or a real error */
            xc_doc_free(doc);
            goto xfail;
        }
        if (text && !(c[i].text = strndup(text, tl))) {
            xc_doc_free(doc);
            st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
            goto out;
        }
        c[i].tlen = tl;
        if (o->question_weight != 1.0 && is_question(text, tl))
            c[i].factor *= o->question_weight;
        if (pq->n_phrases && !(c[i].pf = phrase_counts(pq, stem, text, tl))) {
            xc_doc_free(doc);
            st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
            goto out;
        }
        xc_doc_free(doc);
    }
    if (pq->n_phrases && nw && (st = phrase_frequency(idx, o, pq, &m, c, nw)) != PRESSINDEX_OK)
        goto out;
    for (size_t i = 0; i < nw; i++)
        c[i].weight *= c[i].factor;
    if (adj && nw && (st = adjacency(idx, adj, c, nw)) != PRESSINDEX_OK)
        goto out;
    if (o->title_weight > 0 && nw) {
        if (!(recs = calloc(nw, sizeof *recs))) {
            st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
            goto out;
        }
        if ((st = title_shares(idx, pq, &m, c, nw, recs, &nrecs)) != PRESSINDEX_OK)
            goto out;
    }
    if ((o->release_weight > 0 || o->neighbour_weight > 0) && nw &&
        (st = release_evidence(idx, o, pq, &m, c, nw)) != PRESSINDEX_OK)
        goto out;
    size_t first = 0, count = size;
    if (rerank_on) {
        rerank(o, c, nw, size);
        first = o->offset < size ? o->offset : size;
        count = size - first < o->limit ? size - first : o->limit;
    } else {
        for (size_t i = 0; i < size; i++)
            c[i].score = c[i].weight;
    }
    res->hits = calloc(count ? count : 1, sizeof *res->hits);
    if (!res->hits) {
        st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        hit *h = &res->hits[i];
        const cand *ci = &c[first + i];
        h->score = ci->score;
        h->collapsed = ci->collapsed;
        h->rank = o->offset + i + 1;
        res->n = i + 1;
        known_passage kp = {ci->text, ci->tlen, ci->pno, ci->key, ci->rec};
        if ((st = fill_hit(idx, ci->docid, &m, h, &kp)) != PRESSINDEX_OK)
            goto out;
        if (o->context) {
            char key[PI_KEY_LEN + 1];
            pi_release_key(h->release, key);
            if ((st = fetch_context(idx, key, o->context, h)) != PRESSINDEX_OK)
                goto out;
        }
    }
    goto out;
xfail:
    st = read_fail(idx, xs, "searching");
out:
    for (unsigned i = 0; c && i < size; i++) {
        free(c[i].pf);
        free(c[i].text);
    }
    free(c);
    for (size_t i = 0; i < nrecs; i++)
        pi_record_free(&recs[i]);
    free(recs);
    matcher_free(&m);
    xc_mset_free(ms);
    xc_enquire_free(enq);
    xc_query_free(q);
    xc_query_free(adj);
    return st;
}

/* Every passage of the release with this key, by paragraph number: docids in *ids, their numbers
 * in *pnos. */
static pressindex_status release_passages(pressindex *idx, const char *key, unsigned **ids,
                                          unsigned **pnos, size_t *n)
{
    char term[PI_KEY_LEN + 8];
    snprintf(term, sizeof term, "%s%s", PI_P_RELEASE, key);
    xc_postlist *pl = NULL;
    xc_status xs = xc_db_postlist(idx->db, term, strlen(term), &pl);
    *ids = NULL;
    *pnos = NULL;
    *n = 0;
    size_t cap = 0;
    unsigned id;
    int more;
    while (xs == XC_OK && (more = xc_postlist_next(pl, &id)) > 0) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 32;
            unsigned *a = realloc(*ids, cap * sizeof *a), *b = a ? realloc(*pnos, cap * sizeof *b) : NULL;
            if (a)
                *ids = a;
            if (b)
                *pnos = b;
            if (!a || !b) {
                xs = XC_ERR_NO_MEMORY;
                break;
            }
        }
        xc_doc *doc = NULL;
        const char *v;
        size_t vl;
        if ((xs = xc_db_get_document(idx->db, id, &doc)) != XC_OK)
            break;
        xs = xc_doc_get_value(doc, PI_SLOT_PARAGRAPH, &v, &vl);
        (*ids)[*n] = id;
        (*pnos)[*n] = xs == XC_OK ? (unsigned)strtoul(v, NULL, 10) : 0;
        xc_doc_free(doc);
        (*n)++;
    }
    xc_postlist_free(pl);
    if (xs == XC_OK && more < 0)
        xs = xc_last_status();
    if (xs != XC_OK) {
        free(*ids);
        free(*pnos);
        *ids = *pnos = NULL;
        *n = 0;
        return read_fail(idx, xs, "reading a release");
    }
    return PRESSINDEX_OK;
}

static pressindex_status fetch_context(pressindex *idx, const char *key, size_t context, hit *h)
{
    unsigned *ids, *pnos;
    size_t n;
    pressindex_status st = release_passages(idx, key, &ids, &pnos, &n);
    if (st != PRESSINDEX_OK)
        return st;
    h->ctx = calloc(2 * context + 1, sizeof *h->ctx);
    if (!h->ctx)
        st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    else
        h->n_ctx = 2 * context + 1;
    for (size_t i = 0; st == PRESSINDEX_OK && i < n; i++) {
        long d = (long)pnos[i] - (long)h->paragraph;
        if (d == 0 || d < -(long)context || d > (long)context)
            continue;
        hit tmp = {0};
        st = fill_hit(idx, ids[i], NULL, &tmp, NULL);
        h->ctx[d + (long)context] = tmp.text;
        tmp.text = NULL;
        hit_free(&tmp);
    }
    free(ids);
    free(pnos);
    return st;
}

static int cmp_paragraph(const void *a, const void *b)
{
    const hit *x = a, *y = b;
    return x->paragraph < y->paragraph ? -1 : x->paragraph > y->paragraph;
}

pressindex_status pressindex_get_release(pressindex *idx, const char *id, pressindex_results **out)
{
    if (out)
        *out = NULL;
    if (!idx || !id || !out)
        return idx ? pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no release id given")
                   : PRESSINDEX_ERR_INVALID_ARGUMENT;
    char key[PI_KEY_LEN + 1];
    pi_release_key(id, key);
    pressindex_status st = PRESSINDEX_ERR_MODIFIED;
    pressindex_results *res = NULL;
    for (int attempt = 0; attempt < MAX_RETRIES && st == PRESSINDEX_ERR_MODIFIED; attempt++) {
        if ((attempt || !idx->writable) && (st = pi_index_refresh(idx)) != PRESSINDEX_OK) {
            if (st == PRESSINDEX_ERR_MODIFIED)
                continue;
            break;
        }
        pressindex_results_destroy(res);
        res = NULL;
        unsigned *ids = NULL, *pnos = NULL;
        size_t n = 0;
        res = calloc(1, sizeof *res);
        if (!res)
            return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        if ((st = release_passages(idx, key, &ids, &pnos, &n)) != PRESSINDEX_OK)
            continue;
        if (n == 0) {
            free(ids);
            free(pnos);
            pressindex_results_destroy(res);
            return pi_fail(idx, PRESSINDEX_ERR_NOT_FOUND, "no release with id %s", id);
        }
        res->hits = calloc(n, sizeof *res->hits);
        if (!res->hits)
            st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        for (size_t i = 0; st == PRESSINDEX_OK && i < n; i++) {
            res->n = i + 1;
            st = fill_hit(idx, ids[i], NULL, &res->hits[i], NULL);
        }
        free(ids);
        free(pnos);
        if (st == PRESSINDEX_OK) {
            qsort(res->hits, res->n, sizeof *res->hits, cmp_paragraph);
            for (size_t i = 0; i < res->n; i++)
                res->hits[i].rank = i + 1;
            res->estimated = res->n;
        }
    }
    if (st != PRESSINDEX_OK) {
        pressindex_results_destroy(res);
        return st == PRESSINDEX_ERR_MODIFIED ? pi_fail(idx, st, "the index kept changing; try again") : st;
    }
    *out = res;
    return PRESSINDEX_OK;
}

pressindex_status pressindex_search(pressindex *idx, const pressindex_search_options *o,
                                    pressindex_results **out)
{
    if (out)
        *out = NULL;
    if (!idx || !o || !out || !o->query)
        return idx ? pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no query given")
                   : PRESSINDEX_ERR_INVALID_ARGUMENT;
    if (o->context > PRESSINDEX_MAX_CONTEXT)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "context of %zu paragraphs: at most %d",
                       o->context, PRESSINDEX_MAX_CONTEXT);
    if (o->limit > PRESSINDEX_MAX_LIMIT || o->offset > PRESSINDEX_MAX_LIMIT)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "limit and offset are at most %d",
                       PRESSINDEX_MAX_LIMIT);
    /* A NaN weight would make every score NaN and the order arbitrary, silently. */
    const struct { const char *name; double v, max; } w[] = {
        {"release_weight", o->release_weight, HUGE_VAL},
        {"adjacency_weight", o->adjacency_weight, HUGE_VAL},
        {"title_weight", o->title_weight, HUGE_VAL},
        {"boilerplate_weight", o->boilerplate_weight, HUGE_VAL},
        {"neighbour_weight", o->neighbour_weight, HUGE_VAL},
        {"question_weight", o->question_weight, HUGE_VAL},
        {"bm25_k1", o->bm25_k1, HUGE_VAL},
        {"bm25_b", o->bm25_b, 1},
    };
    for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
        if (!(w[i].v >= 0 && w[i].v <= w[i].max && isfinite(w[i].v)))
            return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "%s is %g: a finite number >= 0%s",
                           w[i].name, w[i].v, w[i].max == 1 ? " and <= 1" : "");
    if (o->lang && *o->lang && !pi_lang_to_stemmer(o->lang) && strcmp(o->lang, "none") != 0)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT,
                       "no stemmer for language \"%s\" (ISO codes such as en, tr, ru, or \"none\")",
                       o->lang);
    if ((o->since && !pi_date_bound_valid(o->since, strlen(o->since))) ||
        (o->until && !pi_date_bound_valid(o->until, strlen(o->until))))
        return pi_fail(idx, PRESSINDEX_ERR_BAD_QUERY,
                       "bad date \"%s\" (use YYYY, YYYY-MM or YYYY-MM-DD)",
                       o->since && !pi_date_bound_valid(o->since, strlen(o->since)) ? o->since : o->until);
    if (o->since && o->until && strncmp(o->since, o->until, 10) > 0 &&
        strncmp(o->until, o->since, strlen(o->until)) != 0)
        return pi_fail(idx, PRESSINDEX_ERR_BAD_QUERY, "the date range ends (%s) before it starts (%s)",
                       o->until, o->since);
    pi_stemmer *stem = pi_index_stemmer(idx, o->lang);
    if (!stem)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");

    pi_query pq;
    pi_buf err = {0};
    int prc = pi_query_parse(o->query, stem, &pq, &err);
    if (prc < 0) {
        pressindex_status st = prc == -1 ? pi_fail(idx, PRESSINDEX_ERR_BAD_QUERY, "%s", err.p)
                                         : pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
        pi_buf_free(&err);
        pi_query_free(&pq);
        return st;
    }
    pi_buf_free(&err);

    pressindex_status st = PRESSINDEX_ERR_MODIFIED;
    pressindex_results *res = NULL;
    for (int attempt = 0; attempt < MAX_RETRIES && st == PRESSINDEX_ERR_MODIFIED; attempt++) {
        /* A reader answers from the latest commit (and follows a compaction's swap); a writer
         * committing meanwhile is caught up with on the next round. */
        if ((attempt || !idx->writable) && (st = pi_index_refresh(idx)) != PRESSINDEX_OK) {
            if (st == PRESSINDEX_ERR_MODIFIED)
                continue;
            break;
        }
        pressindex_results_destroy(res);
        res = calloc(1, sizeof *res);
        if (!res) {
            st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
            break;
        }
        st = run_once(idx, o, &pq, res);
    }
    if (st == PRESSINDEX_OK && res->estimated < 3)
        res->suggestion = pi_spell_suggest(idx, o->query, stem, &pq);
    pi_query_free(&pq);
    if (st == PRESSINDEX_ERR_MODIFIED)
        pi_fail(idx, st, "the index kept changing during the search; try again");
    if (st != PRESSINDEX_OK) {
        pressindex_results_destroy(res);
        return st;
    }
    *out = res;
    return PRESSINDEX_OK;
}

/* ---- accessors ---- */

size_t pressindex_results_count(const pressindex_results *res)
{
    return res ? res->n : 0;
}

uint64_t pressindex_results_estimated(const pressindex_results *res)
{
    return res ? res->estimated : 0;
}

static const hit *at(const pressindex_results *res, size_t i)
{
    return res && i < res->n ? &res->hits[i] : NULL;
}

#define STR_ACCESSOR(name, field)                                                  \
    const char *pressindex_result_##name(const pressindex_results *res, size_t i)  \
    {                                                                              \
        const hit *h = at(res, i);                                                 \
        return h && h->field ? h->field : "";                                      \
    }
STR_ACCESSOR(text, text)
STR_ACCESSOR(release, release)
STR_ACCESSOR(date, date)
STR_ACCESSOR(title, title)
STR_ACCESSOR(source, source)
STR_ACCESSOR(url, url)
STR_ACCESSOR(lang, lang)

unsigned pressindex_result_paragraph(const pressindex_results *res, size_t i)
{
    const hit *h = at(res, i);
    return h ? h->paragraph : 0;
}

double pressindex_result_score(const pressindex_results *res, size_t i)
{
    const hit *h = at(res, i);
    return h ? h->score : 0.0;
}

size_t pressindex_result_rank(const pressindex_results *res, size_t i)
{
    const hit *h = at(res, i);
    return h ? h->rank : 0;
}

uint64_t pressindex_result_collapsed(const pressindex_results *res, size_t i)
{
    const hit *h = at(res, i);
    return h ? h->collapsed : 0;
}

void pressindex_result_highlights(const pressindex_results *res, size_t i, const size_t **offsets,
                                  size_t *n)
{
    const hit *h = at(res, i);
    if (offsets)
        *offsets = h ? h->hl : NULL;
    if (n)
        *n = h ? h->n_hl / 2 : 0;
}

const char *pressindex_result_context(const pressindex_results *res, size_t i, long d,
                                      unsigned *paragraph)
{
    const hit *h = at(res, i);
    if (!h || !h->ctx || d == 0 || d < -(long)res->context || d > (long)res->context)
        return NULL;
    const char *t = h->ctx[d + (long)res->context];
    if (t && paragraph)
        *paragraph = (unsigned)((long)h->paragraph + d);
    return t;
}

const char *pressindex_results_suggestion(const pressindex_results *res)
{
    return res && res->suggestion ? res->suggestion : "";
}
