/*
 * test_xc.c - Check tests of the C binding of Xapian (src/xapian-c/xc.h).
 *
 * Every test runs in its own temporary directory (mkdtemp under /tmp, created and removed by a
 * checked fixture, so it also works with CK_FORK=no).
 */
#include "xc.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                     */

#define OK(expr)                                                                              \
    do {                                                                                      \
        xc_status st_ = (expr);                                                               \
        ck_assert_msg(st_ == XC_OK, "%s: %s (%s)", #expr, xc_status_name(st_),                \
                      xc_last_error());                                                       \
    } while (0)

#define FAILS(expr, status)                                                                   \
    do {                                                                                      \
        xc_status st_ = (expr);                                                               \
        ck_assert_msg(st_ == (status), "%s: expected %s, got %s (%s)", #expr,                 \
                      xc_status_name(status), xc_status_name(st_), xc_last_error());          \
        ck_assert_msg(xc_last_error()[0] != '\0', "empty xc_last_error()");                  \
    } while (0)

static char tmpdir[64];

static void rm_rf(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0) {
        return;
    }
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                    continue;
                }
                char sub[4096];
                snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
                rm_rf(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void setup(void)
{
    strcpy(tmpdir, "/tmp/test_xc.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
    rm_rf(tmpdir);
}

/* A path inside the test's directory (static buffer rotation: up to 4 live at once). */
static const char *tpath(const char *name)
{
    static char bufs[4][256];
    static int n;
    char *b = bufs[n++ % 4];
    snprintf(b, 256, "%s/%s", tmpdir, name);
    return b;
}

static xc_db *open_db(const char *path, int mode)
{
    xc_db *db = NULL;
    OK(xc_db_open(path, mode, &db));
    ck_assert_ptr_nonnull(db);
    return db;
}

/* Adds a document with unique id term "Q<id>", the space-separated words as positional terms
 * (positions from 1), and optional data. Returns its docid. */
static unsigned add_text_doc(xc_db *db, const char *id, const char *words, const char *data)
{
    xc_doc *doc = NULL;
    OK(xc_doc_new(&doc));
    char uid[64];
    snprintf(uid, sizeof uid, "Q%s", id);
    OK(xc_doc_add_boolean_term(doc, uid, strlen(uid)));
    unsigned pos = 1;
    const char *p = words;
    while (p && *p) {
        const char *sp = strchr(p, ' ');
        size_t len = sp ? (size_t)(sp - p) : strlen(p);
        if (len > 0) {
            OK(xc_doc_add_posting(doc, p, len, pos++));
        }
        p = sp ? sp + 1 : p + len;
    }
    if (data) {
        OK(xc_doc_set_data(doc, data, strlen(data)));
    }
    unsigned docid = 0;
    OK(xc_db_replace_document_by_term(db, uid, strlen(uid), doc, &docid));
    xc_doc_free(doc);
    return docid;
}

static uint64_t doccount(xc_db *db)
{
    uint64_t n = 0;
    OK(xc_db_doccount(db, &n));
    return n;
}

/* The set of matching docids (all < 64) as a bit mask. */
static uint64_t match_mask(xc_db *db, const xc_query *q)
{
    xc_enquire *enq = NULL;
    xc_mset *ms = NULL;
    OK(xc_enquire_new(db, &enq));
    OK(xc_enquire_set_query(enq, q));
    OK(xc_enquire_get_mset(enq, 0, 1000, 1000, &ms));
    uint64_t mask = 0;
    for (unsigned i = 0; i < xc_mset_size(ms); i++) {
        unsigned id = 0;
        OK(xc_mset_item(ms, i, &id, NULL, NULL));
        ck_assert_uint_lt(id, 64);
        mask |= UINT64_C(1) << id;
    }
    xc_mset_free(ms);
    xc_enquire_free(enq);
    return mask;
}

#define BIT(n) (UINT64_C(1) << (n))

static int count_query_terms(const xc_query *q)
{
    xc_keylist *kl = NULL;
    OK(xc_query_terms(q, 1, &kl));
    int n = 0, r;
    const char *t;
    size_t len;
    while ((r = xc_keylist_next(kl, &t, &len)) == 1) {
        n++;
    }
    ck_assert_int_eq(r, 0);
    xc_keylist_free(kl);
    return n;
}

/* Collects a keylist into one string, items separated by ','. */
static void keylist_join(xc_keylist *kl, char *buf, size_t size)
{
    const char *k;
    size_t len;
    int r;
    buf[0] = '\0';
    while ((r = xc_keylist_next(kl, &k, &len)) == 1) {
        if (buf[0]) {
            strncat(buf, ",", size - strlen(buf) - 1);
        }
        strncat(buf, k, size - strlen(buf) - 1);
    }
    ck_assert_int_eq(r, 0);
    /* At the end it stays at the end. */
    ck_assert_int_eq(xc_keylist_next(kl, &k, &len), 0);
}

static int term_exists(xc_db *db, const char *term)
{
    int e = -1;
    OK(xc_db_term_exists(db, term, strlen(term), &e));
    return e;
}

/* ------------------------------------------------------------------------------------------ */
/* Status                                                                                      */

START_TEST(test_status_names)
{
    for (int a = XC_OK; a <= XC_ERR_OTHER; a++) {
        const char *na = xc_status_name((xc_status)a);
        ck_assert_ptr_nonnull(na);
        ck_assert_str_ne(na, "unknown status");
        for (int b = a + 1; b <= XC_ERR_OTHER; b++) {
            ck_assert_str_ne(na, xc_status_name((xc_status)b));
        }
    }
    ck_assert_ptr_nonnull(xc_last_error());
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Databases                                                                                   */

START_TEST(test_create_add_commit_reopen)
{
    const char *path = tpath("db");
    xc_db *w = open_db(path, XC_DB_CREATE);
    ck_assert_int_eq(xc_db_is_writable(w), 1);
    ck_assert_uint_eq(add_text_doc(w, "a", "alpha beta", "data-a"), 1);
    ck_assert_uint_eq(add_text_doc(w, "b", "beta gamma", "data-b"), 2);
    ck_assert_uint_eq(add_text_doc(w, "c", "gamma delta", NULL), 3);
    ck_assert_uint_eq(doccount(w), 3); /* the writer sees its own pending changes */
    OK(xc_db_commit(w));

    xc_db *r = open_db(path, XC_DB_READ);
    ck_assert_int_eq(xc_db_is_writable(r), 0);
    ck_assert_uint_eq(doccount(r), 3);
    uint64_t tf = 0;
    OK(xc_db_termfreq(r, "beta", 4, &tf));
    ck_assert_uint_eq(tf, 2);
    ck_assert_int_eq(term_exists(r, "delta"), 1);
    ck_assert_int_eq(term_exists(r, "epsilon"), 0);
    double avlen = 0;
    OK(xc_db_avlength(r, &avlen));
    ck_assert_double_eq_tol(avlen, 2.0, 1e-9); /* boolean id terms carry no wdf */

    /* A reader cannot write. */
    xc_doc *doc = NULL;
    OK(xc_doc_new(&doc));
    unsigned id = 99;
    FAILS(xc_db_add_document(r, doc, &id), XC_ERR_INVALID);
    ck_assert_uint_eq(id, 0);
    FAILS(xc_db_commit(r), XC_ERR_INVALID);
    xc_doc_free(doc);

    /* Stored data. */
    xc_doc *got = NULL;
    OK(xc_db_get_document(r, 1, &got));
    const char *data;
    size_t len;
    OK(xc_doc_get_data(got, &data, &len));
    ck_assert_uint_eq(len, 6);
    ck_assert_mem_eq(data, "data-a", 6);
    xc_doc_free(got);
    got = (xc_doc *)1;
    FAILS(xc_db_get_document(r, 42, &got), XC_ERR_DOC_NOT_FOUND);
    ck_assert_ptr_null(got);

    /* Nothing new: reopen finds no change. */
    int changed = -1;
    OK(xc_db_reopen(r, &changed));
    ck_assert_int_eq(changed, 0);

    /* The revision a handle reads: a writer's pending change does not move it, a commit does,
     * and a reader follows it on reopen. */
    uint64_t rev0 = 0, rev = 0;
    OK(xc_db_revision(r, &rev0));
    add_text_doc(w, "d", "delta", NULL);
    OK(xc_db_revision(w, &rev));
    ck_assert_uint_eq(rev, rev0);
    OK(xc_db_commit(w));
    OK(xc_db_revision(w, &rev));
    ck_assert_uint_gt(rev, rev0);
    ck_assert_uint_eq(doccount(r), 3); /* the reader is at its snapshot */
    OK(xc_db_revision(r, &rev));
    ck_assert_uint_eq(rev, rev0);
    OK(xc_db_reopen(r, &changed));
    ck_assert_int_eq(changed, 1);
    ck_assert_uint_eq(doccount(r), 4);
    OK(xc_db_revision(r, &rev));
    ck_assert_uint_gt(rev, rev0);

    xc_db_free(r);
    xc_db_free(w);

    /* Reopened writer sees everything; DB_CREATE on an existing database fails. */
    w = open_db(path, XC_DB_OPEN);
    ck_assert_uint_eq(doccount(w), 4);
    xc_db_free(w);
    xc_db *none = (xc_db *)1;
    xc_status st = xc_db_open(path, XC_DB_CREATE, &none);
    ck_assert_int_ne(st, XC_OK);
    ck_assert_ptr_null(none);
    FAILS(xc_db_open(tpath("missing"), XC_DB_OPEN, &none), XC_ERR_NOT_FOUND);
    FAILS(xc_db_open(path, 17, &none), XC_ERR_INVALID);

    xc_db_free(NULL); /* ignored */
}
END_TEST

START_TEST(test_replace_delete_by_term)
{
    xc_db *w = open_db(tpath("db"), XC_DB_CREATE_OR_OPEN);
    unsigned a = add_text_doc(w, "a", "old text", NULL);
    unsigned b = add_text_doc(w, "b", "other text", NULL);
    ck_assert_uint_ne(a, b);
    /* Replacing by unique term keeps the docid and the count. */
    ck_assert_uint_eq(add_text_doc(w, "a", "new text", NULL), a);
    ck_assert_uint_eq(doccount(w), 2);
    OK(xc_db_commit(w));
    ck_assert_int_eq(term_exists(w, "old"), 0);
    ck_assert_int_eq(term_exists(w, "new"), 1);

    /* Replace by docid. */
    xc_doc *doc = NULL;
    OK(xc_doc_new(&doc));
    OK(xc_doc_add_boolean_term(doc, "Qb", 2));
    OK(xc_doc_add_term(doc, "replaced", 8, 1));
    OK(xc_db_replace_document(w, b, doc));
    ck_assert_int_eq(term_exists(w, "other"), 0);
    ck_assert_int_eq(term_exists(w, "replaced"), 1);
    xc_doc_free(doc);

    OK(xc_db_delete_documents_by_term(w, "Qa", 2));
    ck_assert_uint_eq(doccount(w), 1);
    OK(xc_db_delete_documents_by_term(w, "Qnone", 5)); /* none is not an error */
    OK(xc_db_delete_document(w, b));
    ck_assert_uint_eq(doccount(w), 0);
    FAILS(xc_db_delete_document(w, b), XC_ERR_DOC_NOT_FOUND);
    OK(xc_db_commit(w));
    xc_db_free(w);
}
END_TEST

START_TEST(test_uncommitted_discarded)
{
    const char *path = tpath("db");
    xc_db *w = open_db(path, XC_DB_CREATE);
    add_text_doc(w, "kept", "kept", NULL);
    OK(xc_db_set_metadata(w, "k1", "v1", 2));
    OK(xc_db_commit(w));
    add_text_doc(w, "lost", "lost", NULL);
    OK(xc_db_set_metadata(w, "k2", "v2", 2));
    ck_assert_uint_eq(doccount(w), 2);
    xc_db_free(w); /* must not commit */

    w = open_db(path, XC_DB_OPEN);
    ck_assert_uint_eq(doccount(w), 1);
    ck_assert_int_eq(term_exists(w, "Qkept"), 1);
    ck_assert_int_eq(term_exists(w, "Qlost"), 0);
    char *v = NULL;
    size_t vlen = 0;
    OK(xc_db_get_metadata(w, "k2", &v, &vlen));
    ck_assert_ptr_null(v);

    /* xc_db_cancel discards too, and the writer goes on working. */
    add_text_doc(w, "cancelled", "x", NULL);
    ck_assert_uint_eq(doccount(w), 2);
    OK(xc_db_cancel(w));
    ck_assert_uint_eq(doccount(w), 1);
    add_text_doc(w, "second", "y", NULL);
    OK(xc_db_commit(w));
    xc_db_free(w);

    xc_db *r = open_db(path, XC_DB_READ);
    ck_assert_uint_eq(doccount(r), 2);
    ck_assert_int_eq(term_exists(r, "Qcancelled"), 0);
    ck_assert_int_eq(term_exists(r, "Qsecond"), 1);
    xc_db_free(r);
}
END_TEST

/* A build's shards are written without fsync (XC_DB_NO_SYNC): what they commit is there for the
 * merge to read, like any writer's; a mode it does not know is refused. */
START_TEST(test_no_sync_writer)
{
    const char *path = tpath("db");
    xc_db *w = open_db(path, XC_DB_CREATE | XC_DB_NO_SYNC);
    ck_assert_int_eq(xc_db_is_writable(w), 1);
    add_text_doc(w, "one", "one", NULL);
    OK(xc_db_commit(w));
    xc_db_free(w);
    w = open_db(path, XC_DB_OPEN | XC_DB_NO_SYNC);
    add_text_doc(w, "two", "two", NULL);
    OK(xc_db_commit(w));
    xc_db_free(w);
    xc_db *r = open_db(path, XC_DB_READ);
    ck_assert_uint_eq(doccount(r), 2);
    ck_assert_int_eq(term_exists(r, "Qtwo"), 1);
    xc_db_free(r);
    xc_db *bad = NULL;
    ck_assert_int_eq(xc_db_open(path, 0x200 | XC_DB_OPEN, &bad), XC_ERR_INVALID);
    ck_assert_ptr_null(bad);
}
END_TEST

START_TEST(test_metadata)
{
    const char *path = tpath("db");
    xc_db *w = open_db(path, XC_DB_CREATE);
    OK(xc_db_set_metadata(w, "cfg:b", "2", 1));
    OK(xc_db_set_metadata(w, "cfg:a", "1", 1));
    OK(xc_db_set_metadata(w, "other", "o", 1));
    OK(xc_db_set_metadata(w, "bin", "a\0b", 3));
    OK(xc_db_set_metadata(w, "gone", "x", 1));
    OK(xc_db_set_metadata(w, "gone", "", 0)); /* empty deletes */
    OK(xc_db_commit(w));

    xc_db *r = open_db(path, XC_DB_READ);
    char *v = NULL;
    size_t vlen = 0;
    OK(xc_db_get_metadata(r, "cfg:a", &v, &vlen));
    ck_assert_str_eq(v, "1");
    ck_assert_uint_eq(vlen, 1);
    free(v);
    OK(xc_db_get_metadata(r, "bin", &v, &vlen));
    ck_assert_uint_eq(vlen, 3);
    ck_assert_mem_eq(v, "a\0b", 4); /* NUL-terminated too */
    free(v);
    OK(xc_db_get_metadata(r, "gone", &v, &vlen));
    ck_assert_ptr_null(v);
    ck_assert_uint_eq(vlen, 0);
    FAILS(xc_db_set_metadata(r, "k", "v", 1), XC_ERR_INVALID);

    static const struct {
        const char *prefix;
        const char *expect;
    } cases[] = {
        {"cfg:", "cfg:a,cfg:b"},
        {"", "bin,cfg:a,cfg:b,other"},
        {"o", "other"},
        {"zzz", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        xc_keylist *kl = NULL;
        OK(xc_db_metadata_keys(r, cases[i].prefix, &kl));
        char buf[256];
        keylist_join(kl, buf, sizeof buf);
        ck_assert_msg(strcmp(buf, cases[i].expect) == 0, "prefix '%s': got '%s', want '%s'",
                      cases[i].prefix, buf, cases[i].expect);
        xc_keylist_free(kl);
    }
    xc_keylist_free(NULL);
    xc_db_free(r);
    xc_db_free(w);
}
END_TEST

START_TEST(test_values_and_bounds)
{
    xc_db *w = open_db(tpath("db"), XC_DB_CREATE);
    static const char *const dates[] = {"20250301", "20240115", "20251231", "20240601"};
    for (unsigned i = 0; i < 4; i++) {
        xc_doc *doc = NULL;
        OK(xc_doc_new(&doc));
        OK(xc_doc_add_term(doc, "x", 1, 1));
        OK(xc_doc_set_value(doc, 0, dates[i], 8));
        unsigned id;
        OK(xc_db_add_document(w, doc, &id));
        ck_assert_uint_eq(id, i + 1);
        xc_doc_free(doc);
    }
    OK(xc_db_commit(w));
    char *lo = NULL, *hi = NULL;
    OK(xc_db_value_bounds(w, 0, &lo, &hi));
    ck_assert_str_eq(lo, "20240115");
    ck_assert_str_eq(hi, "20251231");
    free(lo);
    free(hi);
    OK(xc_db_value_bounds(w, 7, &lo, &hi)); /* empty slot */
    ck_assert_str_eq(lo, "");
    ck_assert_str_eq(hi, "");
    free(lo);
    free(hi);

    xc_doc *got = NULL;
    OK(xc_db_get_document(w, 3, &got));
    const char *v;
    size_t vlen;
    OK(xc_doc_get_value(got, 0, &v, &vlen));
    ck_assert_uint_eq(vlen, 8);
    ck_assert_mem_eq(v, "20251231", 8);
    OK(xc_doc_get_value(got, 5, &v, &vlen));
    ck_assert_uint_eq(vlen, 0);
    xc_doc_free(got);

    static const struct {
        const char *lo, *hi;
        uint64_t mask;
    } cases[] = {
        {"20240101", "20241231", BIT(2) | BIT(4)},
        {"20250301", NULL, BIT(1) | BIT(3)},
        {NULL, "20240601", BIT(2) | BIT(4)},
        {NULL, NULL, BIT(1) | BIT(2) | BIT(3) | BIT(4)},
        {"2026", "2027", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        xc_query *q = NULL;
        OK(xc_query_value_range(0, cases[i].lo, cases[i].hi, &q));
        ck_assert_msg(match_mask(w, q) == cases[i].mask, "value range case %zu", i);
        xc_query_free(q);
    }
    xc_db_free(w);
}
END_TEST

START_TEST(test_doc_clear)
{
    xc_doc *doc = NULL;
    OK(xc_doc_new(&doc));
    OK(xc_doc_add_term(doc, "t", 1, 1));
    OK(xc_doc_set_value(doc, 1, "v", 1));
    OK(xc_doc_set_data(doc, "d", 1));
    OK(xc_doc_clear(doc));
    const char *s;
    size_t len = 9;
    OK(xc_doc_get_data(doc, &s, &len));
    ck_assert_uint_eq(len, 0);
    OK(xc_doc_get_value(doc, 1, &s, &len));
    ck_assert_uint_eq(len, 0);
    xc_db *w = open_db(tpath("db"), XC_DB_CREATE);
    OK(xc_doc_add_term(doc, "u", 1, 1));
    unsigned id;
    OK(xc_db_add_document(w, doc, &id));
    ck_assert_int_eq(term_exists(w, "t"), 0);
    ck_assert_int_eq(term_exists(w, "u"), 1);
    xc_doc_free(doc);
    xc_db_free(w);
}
END_TEST

/* The terms starting with prefix, listed, are want (comma-separated). */
static void assert_allterms(xc_db *db, const char *prefix, const char *want)
{
    xc_keylist *kl = NULL;
    char buf[256];
    OK(xc_db_allterms(db, prefix, &kl));
    keylist_join(kl, buf, sizeof buf);
    ck_assert_str_eq(buf, want);
    xc_keylist_free(kl);
}

START_TEST(test_postlist_allterms)
{
    xc_db *w = open_db(tpath("db"), XC_DB_CREATE);
    add_text_doc(w, "1", "apple apricot", NULL);
    add_text_doc(w, "2", "banana", NULL);
    add_text_doc(w, "3", "apple avocado", NULL);
    OK(xc_db_commit(w));

    xc_postlist *pl = NULL;
    OK(xc_db_postlist(w, "apple", 5, &pl));
    unsigned id, ids[8], n = 0;
    int r;
    while ((r = xc_postlist_next(pl, &id)) == 1 && n < 8) {
        ids[n++] = id;
    }
    ck_assert_int_eq(r, 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(ids[0], 1);
    ck_assert_uint_eq(ids[1], 3);
    ck_assert_int_eq(xc_postlist_next(pl, &id), 0);
    xc_postlist_free(pl);
    OK(xc_db_postlist(w, "nothing", 7, &pl));
    ck_assert_int_eq(xc_postlist_next(pl, &id), 0);
    ck_assert_int_eq(xc_postlist_skip_to(pl, 1, &id), 0);
    xc_postlist_free(pl);

    /* skip_to lands on the first posting at or after the target, never goes back; get reads
     * the posting's wdf and its document's length. */
    add_text_doc(w, "4", "apple apple pie", NULL);
    OK(xc_db_commit(w));
    OK(xc_db_postlist(w, "apple", 5, &pl));
    ck_assert_int_eq(xc_postlist_skip_to(pl, 2, &id), 1);
    ck_assert_uint_eq(id, 3);
    unsigned wdf = 0, len = 0;
    OK(xc_postlist_get(pl, &wdf, &len));
    ck_assert_uint_eq(wdf, 1);
    ck_assert_uint_eq(len, 2);
    ck_assert_int_eq(xc_postlist_skip_to(pl, 1, &id), 1);
    ck_assert_uint_eq(id, 3);
    ck_assert_int_eq(xc_postlist_skip_to(pl, 4, &id), 1);
    OK(xc_postlist_get(pl, &wdf, &len));
    ck_assert_uint_eq(wdf, 2);
    ck_assert_uint_eq(len, 3);
    ck_assert_int_eq(xc_postlist_skip_to(pl, 5, &id), 0);
    ck_assert_int_eq(xc_postlist_get(pl, &wdf, &len), XC_ERR_INVALID);
    xc_postlist_free(pl);

    assert_allterms(w, "a", "apple,apricot,avocado");
    assert_allterms(w, "Q", "Q1,Q2,Q3,Q4");

    /* A term whose postings fill many chunks, then its neighbours in byte order: the listing
     * steps from a term to the next without walking its chunks, and misses none. */
    for (int i = 0; i < 3000; i++) {
        char doc_id[16];
        snprintf(doc_id, sizeof doc_id, "m%d", i);
        add_text_doc(w, doc_id, i % 1000 ? "apple" : "apple apple0", NULL);
    }
    add_text_doc(w, "n1", "applf applea", NULL);
    OK(xc_db_commit(w));
    uint64_t tf = 0;
    OK(xc_db_termfreq(w, "apple", 5, &tf));
    ck_assert_uint_eq(tf, 3003);
    assert_allterms(w, "appl", "apple,apple0,applea,applf");
    assert_allterms(w, "apple", "apple,apple0,applea");
    xc_db_free(w);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Queries                                                                                     */

/* Documents for the positional tests. */
static xc_db *phrase_db(void)
{
    xc_db *w = open_db(tpath("db"), XC_DB_CREATE);
    add_text_doc(w, "1", "the quick brown fox jumps", NULL);        /* 1 */
    add_text_doc(w, "2", "brown quick fox", NULL);                  /* 2 */
    add_text_doc(w, "3", "quick and then much later a brown fox", NULL); /* 3 */
    add_text_doc(w, "4", "a lazy dog", NULL);                       /* 4 */
    OK(xc_db_commit(w));
    return w;
}

static xc_query *terms_query(int op, unsigned window, const char *const *terms)
{
    xc_query *subs[8] = {NULL};
    size_t n = 0;
    for (; n < 8 && terms[n]; n++) {
        OK(xc_query_term(terms[n], strlen(terms[n]), &subs[n]));
    }
    xc_query *q = NULL;
    OK(xc_query_combine(op, subs, n, window, &q));
    for (size_t i = 0; i < n; i++) {
        xc_query_free(subs[i]);
    }
    return q;
}

START_TEST(test_query_operators)
{
    xc_db *w = phrase_db();
    static const struct {
        int op;
        unsigned window;
        const char *terms[4];
        uint64_t mask;
    } cases[] = {
        {XC_OP_PHRASE, 0, {"quick", "brown", NULL}, BIT(1)},
        {XC_OP_PHRASE, 0, {"brown", "fox", NULL}, BIT(1) | BIT(3)},
        {XC_OP_PHRASE, 0, {"brown", "quick", NULL}, BIT(2)},
        {XC_OP_NEAR, 2, {"quick", "fox", NULL}, BIT(2)},
        {XC_OP_NEAR, 3, {"quick", "fox", NULL}, BIT(1) | BIT(2)},
        {XC_OP_NEAR, 10, {"quick", "fox", NULL}, BIT(1) | BIT(2) | BIT(3)},
        {XC_OP_AND, 0, {"quick", "fox", NULL}, BIT(1) | BIT(2) | BIT(3)},
        {XC_OP_OR, 0, {"jumps", "dog", NULL}, BIT(1) | BIT(4)},
        {XC_OP_AND_NOT, 0, {"fox", "jumps", NULL}, BIT(2) | BIT(3)},
        {XC_OP_AND_MAYBE, 0, {"fox", "dog", NULL}, BIT(1) | BIT(2) | BIT(3)},
        {XC_OP_FILTER, 0, {"fox", "Q2", NULL}, BIT(2)},
        {XC_OP_SYNONYM, 0, {"dog", "jumps", NULL}, BIT(1) | BIT(4)},
        {XC_OP_ELITE_SET, 0, {"dog", "jumps", NULL}, BIT(1) | BIT(4)},
        {XC_OP_MAX, 0, {"dog", "lazy", NULL}, BIT(4)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        xc_query *q = terms_query(cases[i].op, cases[i].window, cases[i].terms);
        uint64_t got = match_mask(w, q);
        char *desc = xc_query_describe(q);
        ck_assert_msg(got == cases[i].mask, "case %zu (%s): got %#llx want %#llx", i, desc,
                      (unsigned long long)got, (unsigned long long)cases[i].mask);
        free(desc);
        xc_query_free(q);
    }

    /* Boolean filter with a weightless term: weights come from the ranked part only. */
    xc_query *fox = NULL, *id2 = NULL, *s = NULL, *f = NULL;
    OK(xc_query_term("fox", 3, &fox));
    OK(xc_query_term("Q2", 2, &id2));
    OK(xc_query_scale(id2, 0, &s));
    xc_query *pair[2] = {fox, s};
    OK(xc_query_combine(XC_OP_AND, pair, 2, 0, &f));
    ck_assert_uint_eq(match_mask(w, f), BIT(2));
    xc_query_free(f);
    xc_query_free(s);
    xc_query_free(id2);
    xc_query_free(fox);

    /* Match all; unknown operator. */
    xc_query *all = NULL;
    OK(xc_query_match_all(&all));
    ck_assert_uint_eq(match_mask(w, all), BIT(1) | BIT(2) | BIT(3) | BIT(4));
    ck_assert_int_eq(xc_query_is_empty(all), 0);
    xc_query *bad = (xc_query *)1;
    FAILS(xc_query_combine(99, &all, 1, 0, &bad), XC_ERR_INVALID);
    ck_assert_ptr_null(bad);
    xc_query_free(all);
    xc_db_free(w);
}
END_TEST

START_TEST(test_wildcard)
{
    xc_db *w = open_db(tpath("db"), XC_DB_CREATE);
    add_text_doc(w, "1", "press pressure", NULL);
    add_text_doc(w, "2", "pressing", NULL);
    add_text_doc(w, "3", "impress", NULL);
    add_text_doc(w, "4", "pressure pressure", NULL);
    OK(xc_db_commit(w));
    xc_query *q = NULL;
    OK(xc_query_wildcard("press", 0, &q));
    ck_assert_uint_eq(match_mask(w, q), BIT(1) | BIT(2) | BIT(4));
    xc_query_free(q);
    /* Limit 1: only the most frequent expansion ("pressure", in 2 documents). */
    OK(xc_query_wildcard("press", 1, &q));
    ck_assert_uint_eq(match_mask(w, q), BIT(1) | BIT(4));
    xc_query_free(q);
    OK(xc_query_wildcard("zzz", 0, &q));
    ck_assert_uint_eq(match_mask(w, q), 0);
    xc_query_free(q);
    xc_db_free(w);
}
END_TEST

START_TEST(test_query_describe_terms)
{
    static const char *const t[] = {"b", "a", "b", "c", NULL};
    xc_query *q = terms_query(XC_OP_OR, 0, t);
    char *d = xc_query_describe(q);
    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(strstr(d, "OR"));
    free(d);
    xc_keylist *kl = NULL;
    OK(xc_query_terms(q, 1, &kl));
    char buf[64];
    keylist_join(kl, buf, sizeof buf);
    ck_assert_str_eq(buf, "a,b,c"); /* unique terms (Xapian gives them in term order) */
    xc_keylist_free(kl);
    xc_query_free(q);
    /* Every occurrence: a word the QueryParser saw twice comes twice (its within-query frequency),
     * a phrase's words too. */
    xc_qp *qp = NULL;
    OK(xc_qp_new(&qp));
    OK(xc_qp_parse(qp, "b a \"b c\" b", XC_QP_DEFAULT, &q));
    OK(xc_query_terms(q, 0, &kl));
    keylist_join(kl, buf, sizeof buf);
    ck_assert_str_eq(buf, "b,a,b,c,b");
    xc_keylist_free(kl);
    xc_query_free(q);
    xc_qp_free(qp);
    ck_assert_int_eq(xc_query_is_empty(NULL), 1);
    ck_assert_ptr_null(xc_query_describe(NULL));
    ck_assert_str_ne(xc_last_error(), "");
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* QueryParser                                                                                 */

static uint64_t parse_mask(xc_db *db, xc_qp *qp, const char *text, unsigned flags)
{
    xc_query *q = NULL;
    xc_status st = xc_qp_parse(qp, text, flags, &q);
    ck_assert_msg(st == XC_OK, "parse '%s': %s (%s)", text, xc_status_name(st), xc_last_error());
    uint64_t m = match_mask(db, q);
    xc_query_free(q);
    return m;
}

START_TEST(test_queryparser)
{
    xc_db *w = open_db(tpath("db"), XC_DB_CREATE);
    /* Title terms with prefix S, a boolean site filter with prefix H. */
    static const struct {
        const char *id, *body, *title, *site;
    } docs[] = {
        {"1", "the annual report of the company", "Sannual Sreport", "Hexample.com"},
        {"2", "report on the annual meeting", "Smeeting", "Hexample.org"},
        {"3", "company news", "Snews", "Hexample.com"},
    };
    for (size_t i = 0; i < 3; i++) {
        xc_doc *doc = NULL;
        OK(xc_doc_new(&doc));
        xc_termgen *tg = NULL;
        OK(xc_termgen_new(&tg));
        OK(xc_termgen_set_document(tg, doc));
        OK(xc_termgen_index_text(tg, docs[i].body, strlen(docs[i].body), NULL));
        xc_termgen_free(tg);
        const char *p = docs[i].title;
        while (*p) {
            size_t len = strcspn(p, " ");
            OK(xc_doc_add_term(doc, p, len, 1));
            p += len + (p[len] == ' ');
        }
        OK(xc_doc_add_boolean_term(doc, docs[i].site, strlen(docs[i].site)));
        unsigned id;
        OK(xc_db_add_document(w, doc, &id));
        xc_doc_free(doc);
    }
    OK(xc_db_commit(w));

    xc_qp *qp = NULL;
    OK(xc_qp_new(&qp));
    OK(xc_qp_add_prefix(qp, "title", "S"));
    OK(xc_qp_add_boolean_prefix(qp, "site", "H"));
    static const char *const stop[] = {"the", "of", "on", NULL};
    OK(xc_qp_set_stopwords(qp, stop));
    OK(xc_qp_set_database(qp, w));

    static const struct {
        const char *text;
        unsigned flags;
        uint64_t mask;
    } cases[] = {
        {"report", XC_QP_DEFAULT, BIT(1) | BIT(2)},
        {"title:report", XC_QP_DEFAULT, BIT(1)},
        {"title:meeting OR title:news", XC_QP_DEFAULT, BIT(2) | BIT(3)},
        {"report site:example.com", XC_QP_DEFAULT, BIT(1)},
        {"site:example.com", XC_QP_DEFAULT, BIT(1) | BIT(3)},
        {"\"annual report\"", XC_QP_DEFAULT, BIT(1)},
        {"\"report on the annual\"", XC_QP_DEFAULT, BIT(2)}, /* stopwords kept in phrases */
        {"\"annual meeting\"", XC_QP_DEFAULT, BIT(2)},
        {"report AND company", XC_QP_DEFAULT, BIT(1)},
        {"report -meeting", XC_QP_DEFAULT, BIT(1)},
        {"annual NOT meeting", XC_QP_DEFAULT, BIT(1)},
        /* Xapian keeps stopwords when the query has nothing else, drops them otherwise. */
        {"the", XC_QP_DEFAULT, BIT(1) | BIT(2)},
        {"the news", XC_QP_DEFAULT, BIT(3)},
        {"news of the", XC_QP_DEFAULT, BIT(3)},
        {"comp*", XC_QP_DEFAULT | XC_QP_WILDCARD, BIT(1) | BIT(3)},
        {"NOT news", XC_QP_DEFAULT | XC_QP_PURE_NOT, BIT(1) | BIT(2)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t got = parse_mask(w, qp, cases[i].text, cases[i].flags);
        ck_assert_msg(got == cases[i].mask, "'%s': got %#llx want %#llx", cases[i].text,
                      (unsigned long long)got, (unsigned long long)cases[i].mask);
    }

    /* Default operator AND. */
    ck_assert_uint_eq(parse_mask(w, qp, "annual company", XC_QP_DEFAULT), BIT(1) | BIT(2) | BIT(3));
    OK(xc_qp_set_default_op(qp, XC_OP_AND));
    ck_assert_uint_eq(parse_mask(w, qp, "annual company", XC_QP_DEFAULT), BIT(1));
    FAILS(xc_qp_set_default_op(qp, XC_OP_PHRASE), XC_ERR_INVALID);

    /* Malformed queries: what Xapian 1.4 really rejects (unbalanced brackets and quotes are
     * accepted and closed implicitly). */
    static const char *const bad[] = {"foo AND", "AND foo", "foo NOT", "foo OR OR bar"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        xc_query *q = (xc_query *)1;
        FAILS(xc_qp_parse(qp, bad[i], XC_QP_DEFAULT, &q), XC_ERR_BAD_QUERY);
        ck_assert_ptr_null(q);
        ck_assert_ptr_nonnull(strstr(xc_last_error(), "QueryParserError"));
    }
    xc_query *q = NULL;
    OK(xc_qp_parse(qp, "(foo", XC_QP_DEFAULT, &q));
    xc_query_free(q);

    xc_qp_free(qp);
    xc_db_free(w);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Dates                                                                                       */

static const char *const date_docs[] = {
    "2023-12-31", /* 1 */
    "2024-01-15", /* 2 */
    "2024-02-29", /* 3 */
    "2024-12-31", /* 4 */
    "2025-01-01", /* 5 */
    "2025-03-03", /* 6 */
    "2025-03-04", /* 7 */
    "2025-06-30", /* 8 */
    "2025-07-01", /* 9 */
    "2025-07-15", /* 10 */
    "2025-07-31", /* 11 */
    "2025-08-01", /* 12 */
};
#define N_DATE_DOCS (sizeof date_docs / sizeof date_docs[0])

static xc_db *date_db(void)
{
    xc_db *w = open_db(tpath("db"), XC_DB_CREATE);
    for (size_t i = 0; i < N_DATE_DOCS; i++) {
        const char *d = date_docs[i];
        char y[8], m[16], day[16];
        snprintf(y, sizeof y, "Y%.4s", d);
        snprintf(m, sizeof m, "M%.4s%.2s", d, d + 5);
        snprintf(day, sizeof day, "D%.4s%.2s%.2s", d, d + 5, d + 8);
        xc_doc *doc = NULL;
        OK(xc_doc_new(&doc));
        OK(xc_doc_add_term(doc, "news", 4, 1));
        OK(xc_doc_add_boolean_term(doc, y, strlen(y)));
        OK(xc_doc_add_boolean_term(doc, m, strlen(m)));
        OK(xc_doc_add_boolean_term(doc, day, strlen(day)));
        unsigned id;
        OK(xc_db_add_document(w, doc, &id));
        ck_assert_uint_eq(id, i + 1);
        xc_doc_free(doc);
    }
    OK(xc_db_commit(w));
    return w;
}

#define RANGE(a, b) ((((UINT64_C(1) << ((b) + 1)) - 1)) & ~((UINT64_C(1) << (a)) - 1))

START_TEST(test_date_range_parser)
{
    xc_db *w = date_db();
    xc_qp *qp = NULL;
    OK(xc_qp_new(&qp));
    OK(xc_qp_add_date_range(qp, "date", "Y", "M", "D", 2020, 2026));

    static const struct {
        const char *text;
        xc_status st;
        uint64_t mask;
        int nterms; /* terms in the cover, -1: not checked */
    } cases[] = {
        {"date:2025-07", XC_OK, RANGE(9, 11), 1},
        {"date:2025-07-01..2025-07-31", XC_OK, RANGE(9, 11), 1},
        {"date:2025-07..2025-07", XC_OK, RANGE(9, 11), 1},
        {"date:2025-01-01..", XC_OK, RANGE(5, 12), 2},  /* Y2025 Y2026 */
        {"date:..2024", XC_OK, RANGE(1, 4), 5},         /* Y2020..Y2024 */
        {"date:2024", XC_OK, RANGE(2, 4), 1},
        {"date:2024-02-29", XC_OK, BIT(3), 1},
        {"date:2024-02-29..2024-02-29", XC_OK, BIT(3), 1},
        {"date:2025-03-03", XC_OK, BIT(6), 1},
        {"date:2024-01-15..2025-03-03", XC_OK, RANGE(2, 6), 17 + 11 + 2 + 3},
        {"date:2023-12-31..2024", XC_OK, RANGE(1, 4), 2},
        {"date:2024-02..2025-06", XC_OK, RANGE(3, 8), 11 + 6},
        {"date:2025-06-30..2025-07-01", XC_OK, BIT(8) | BIT(9), 2},
        {"date:..", XC_OK, RANGE(1, 12), 7},
        {"date:2025-02-29", XC_ERR_BAD_QUERY, 0, -1},
        {"date:2025-02-29..2025-03-01", XC_ERR_BAD_QUERY, 0, -1},
        {"date:2025-13-01", XC_ERR_BAD_QUERY, 0, -1},
        {"date:2025-13-01..2025-12-31", XC_ERR_BAD_QUERY, 0, -1},
        {"date:2025-04-31", XC_ERR_BAD_QUERY, 0, -1},
        {"date:2025..2024", XC_ERR_BAD_QUERY, 0, -1},
        {"date:2025-07-02..2025-07-01", XC_ERR_BAD_QUERY, 0, -1},
        {"date:july..august", XC_ERR_BAD_QUERY, 0, -1},
        {"date:25-07-01", XC_ERR_BAD_QUERY, 0, -1},
        {"date:2025-7", XC_ERR_BAD_QUERY, 0, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        xc_query *q = NULL;
        xc_status st = xc_qp_parse(qp, cases[i].text, XC_QP_DEFAULT, &q);
        ck_assert_msg(st == cases[i].st, "'%s': got %s (%s), want %s", cases[i].text,
                      xc_status_name(st), xc_last_error(), xc_status_name(cases[i].st));
        if (st != XC_OK) {
            ck_assert_ptr_null(q);
            continue;
        }
        uint64_t got = match_mask(w, q);
        char *desc = xc_query_describe(q);
        ck_assert_msg(got == cases[i].mask, "'%s' (%s): got %#llx want %#llx", cases[i].text,
                      desc, (unsigned long long)got, (unsigned long long)cases[i].mask);
        if (cases[i].nterms >= 0) {
            int n = count_query_terms(q);
            ck_assert_msg(n == cases[i].nterms, "'%s' (%s): %d terms, want %d", cases[i].text,
                          desc, n, cases[i].nterms);
        }
        free(desc);
        xc_query_free(q);
    }

    /* Combined with text, the date is a filter: weights are those of the text alone. */
    xc_enquire *enq = NULL;
    xc_mset *ms = NULL;
    xc_query *q = NULL, *plain = NULL;
    OK(xc_qp_parse(qp, "news date:2025-07", XC_QP_DEFAULT, &q));
    OK(xc_qp_parse(qp, "news", XC_QP_DEFAULT, &plain));
    ck_assert_uint_eq(match_mask(w, q), RANGE(9, 11));
    double wd = 0, wp = 0;
    OK(xc_enquire_new(w, &enq));
    OK(xc_enquire_set_query(enq, q));
    OK(xc_enquire_get_mset(enq, 0, 10, 0, &ms));
    OK(xc_mset_item(ms, 0, NULL, &wd, NULL));
    xc_mset_free(ms);
    OK(xc_enquire_set_query(enq, plain));
    OK(xc_enquire_get_mset(enq, 0, 10, 0, &ms));
    OK(xc_mset_item(ms, 0, NULL, &wp, NULL));
    xc_mset_free(ms);
    ck_assert_double_eq_tol(wd, wp, 1e-9);
    xc_enquire_free(enq);
    xc_query_free(q);
    xc_query_free(plain);

    xc_qp_free(qp);
    xc_db_free(w);
}
END_TEST

START_TEST(test_date_range_direct)
{
    xc_db *w = date_db();
    static const struct {
        const char *lo, *hi;
        xc_status st;
        uint64_t mask;
        int nterms;
    } cases[] = {
        {"2024-01-15", "2025-03-03", XC_OK, RANGE(2, 6), 33},
        {"2025-07", "2025-07", XC_OK, RANGE(9, 11), 1},
        {"2025-07-01", NULL, XC_OK, RANGE(9, 12), 6 + 1}, /* Jul..Dec 2025 + Y2026 */
        {NULL, "2024-01-31", XC_OK, BIT(1) | BIT(2), 4 + 1}, /* Y2020..Y2023 + M202401 */
        {NULL, NULL, XC_OK, RANGE(1, 12), 7},
        {"2000", "2001", XC_OK, 0, 0}, /* explicit ends outside [min,max] are fine: nothing */
        /* A range wider than the index's years covers only those years: not 9,999 terms. */
        {"0001", "9999", XC_OK, RANGE(1, 12), 7},
        {"0001-01-02", "2021-03-04", XC_OK, 0, 1 + 2 + 4}, /* Y2020, 2 months, 4 days */
        {NULL, "2010", XC_OK, 0, 0},   /* open end beyond the years: matches nothing */
        {"2024-02-30", NULL, XC_ERR_INVALID, 0, -1},
        {"2100-02-29", NULL, XC_ERR_INVALID, 0, -1}, /* not a leap year */
        {"2000-02-29", "2000-02-29", XC_OK, 0, 0},   /* a leap year (outside the years: nothing) */
        {"2025-12-31", "2025-01-01", XC_ERR_INVALID, 0, -1},
        {"2025-00", NULL, XC_ERR_INVALID, 0, -1},
        {"", "2025", XC_OK, RANGE(1, 12), 6}, /* "" is an open end too */
        {"2025-07-01x", NULL, XC_ERR_INVALID, 0, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        xc_query *q = (xc_query *)1;
        xc_status st = xc_query_date_range(cases[i].lo, cases[i].hi, "Y", "M", "D", 2020, 2026,
                                           &q);
        ck_assert_msg(st == cases[i].st, "case %zu: got %s (%s)", i, xc_status_name(st),
                      xc_last_error());
        if (st != XC_OK) {
            ck_assert_ptr_null(q);
            continue;
        }
        ck_assert_msg(match_mask(w, q) == cases[i].mask, "case %zu: mask", i);
        int n = count_query_terms(q);
        ck_assert_msg(n == cases[i].nterms, "case %zu: %d terms, want %d", i, n, cases[i].nterms);
        xc_query_free(q);
    }

    /* The exact terms of a small cover, in order. */
    xc_query *q = NULL;
    OK(xc_query_date_range("2024-11-30", "2025-01-02", "y", "m", "d", 1900, 2100, &q));
    xc_keylist *kl = NULL;
    OK(xc_query_terms(q, 1, &kl));
    char buf[256];
    keylist_join(kl, buf, sizeof buf);
    ck_assert_str_eq(buf, "d20241130,d20250101,d20250102,m202412");
    xc_keylist_free(kl);
    xc_query_free(q);
    xc_db_free(w);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Searching                                                                                   */


START_TEST(test_match_docids_and_value_stream)
{
    xc_db *w = open_db(tpath("db"), XC_DB_CREATE);
    /* Docs 1..30: "even" on the even ones, a date value on every third (from doc 3). */
    for (unsigned i = 1; i <= 30; i++) {
        xc_doc *doc = NULL;
        OK(xc_doc_new(&doc));
        OK(xc_doc_add_term(doc, "all", 3, 1));
        if (i % 2 == 0)
            OK(xc_doc_add_term(doc, "even", 4, 1));
        if (i % 3 == 0) {
            char v[16];
            snprintf(v, sizeof v, "202401%02u", i);
            OK(xc_doc_set_value(doc, 0, v, 8));
        }
        unsigned id;
        OK(xc_db_add_document(w, doc, &id));
        xc_doc_free(doc);
    }
    OK(xc_db_commit(w));
    static const char *const t[] = {"even", NULL};
    xc_query *q = terms_query(XC_OP_OR, 0, t);
    unsigned ids[40];
    size_t n = 0;
    OK(xc_db_match_docids(w, q, ids, 40, &n));
    ck_assert_uint_eq(n, 15);
    for (size_t i = 0; i < n; i++)
        ck_assert_uint_eq(ids[i], 2 * (i + 1)); /* every match, in docid order */
    /* Room for fewer: the first ones, and how many there are. */
    OK(xc_db_match_docids(w, q, ids, 4, &n));
    ck_assert_uint_eq(n, 15);
    ck_assert_uint_eq(ids[3], 8);
    xc_query_free(q);

    const unsigned want[] = {2, 3, 9, 10, 30};
    char out[5 * 8];
    OK(xc_db_values_fixed(w, 0, want, 5, 8, out));
    ck_assert_mem_eq(out + 0 * 8, "\0\0\0\0\0\0\0\0", 8);   /* no value */
    ck_assert_mem_eq(out + 1 * 8, "20240103", 8);
    ck_assert_mem_eq(out + 2 * 8, "20240109", 8);
    ck_assert_mem_eq(out + 3 * 8, "\0\0\0\0\0\0\0\0", 8);
    ck_assert_mem_eq(out + 4 * 8, "20240130", 8);
    /* Cut at the width asked. */
    char cut[2 * 4];
    OK(xc_db_values_fixed(w, 0, want + 1, 2, 4, cut));
    ck_assert_mem_eq(cut, "20242024", 8);
    OK(xc_db_values_fixed(w, 0, NULL, 0, 8, NULL));
    xc_db_free(w);
}
END_TEST

/* A term's wdf in chosen documents, 0 where it is absent, in one walk. */
START_TEST(test_wdfs)
{
    xc_db *w = open_db(tpath("db"), XC_DB_CREATE);
    add_text_doc(w, "1", "harbor news", NULL);                 /* 1 */
    add_text_doc(w, "2", "nothing here", NULL);                /* 2 */
    add_text_doc(w, "3", "harbor harbor harbor", NULL);        /* 3 */
    add_text_doc(w, "4", "more harbor and harbor", NULL);      /* 4 */
    add_text_doc(w, "5", "harbor", NULL);                      /* 5 */
    OK(xc_db_commit(w));
    const unsigned want[] = {2, 3, 5, 9};
    unsigned out[4] = {7, 7, 7, 7};
    OK(xc_db_wdfs(w, "harbor", 6, want, 4, out));
    ck_assert_uint_eq(out[0], 0); /* does not hold it */
    ck_assert_uint_eq(out[1], 3);
    ck_assert_uint_eq(out[2], 1);
    ck_assert_uint_eq(out[3], 0); /* past the last document */
    const unsigned all[] = {1, 4};
    OK(xc_db_wdfs(w, "harbor", 6, all, 2, out));
    ck_assert_uint_eq(out[0], 1);
    ck_assert_uint_eq(out[1], 2);
    OK(xc_db_wdfs(w, "absent", 6, want, 4, out));
    for (int i = 0; i < 4; i++)
        ck_assert_uint_eq(out[i], 0);
    OK(xc_db_wdfs(w, "harbor", 6, NULL, 0, NULL));
    xc_db_free(w);
}
END_TEST

START_TEST(test_bm25_ranking)
{
    xc_db *w = open_db(tpath("db"), XC_DB_CREATE);
    add_text_doc(w, "1", "merger talks continue with other things said today", NULL);
    add_text_doc(w, "2", "merger merger merger announced", NULL);
    add_text_doc(w, "3", "quarterly results", NULL);
    add_text_doc(w, "4", "merger", NULL);
    OK(xc_db_commit(w));
    static const char *const t[] = {"merger", NULL};
    xc_query *q = terms_query(XC_OP_OR, 0, t);
    xc_enquire *enq = NULL;
    OK(xc_enquire_new(w, &enq));
    OK(xc_enquire_set_query(enq, q));
    OK(xc_enquire_set_bm25(enq, 1.2, 0, 1, 0.75, 0.5));
    xc_mset *ms = NULL;
    OK(xc_enquire_get_mset(enq, 0, 10, 10, &ms));
    ck_assert_uint_eq(xc_mset_size(ms), 3);
    ck_assert_uint_eq(xc_mset_matches_estimated(ms), 3);
    ck_assert_uint_eq(xc_mset_matches_lower_bound(ms), 3);
    unsigned ids[3];
    double wt[3];
    for (unsigned i = 0; i < 3; i++) {
        OK(xc_mset_item(ms, i, &ids[i], &wt[i], NULL));
        ck_assert(wt[i] > 0);
        if (i > 0) {
            ck_assert(wt[i] <= wt[i - 1]);
        }
    }
    /* More occurrences in a short document first; the long document with one occurrence last. */
    ck_assert_uint_eq(ids[0], 2);
    ck_assert_uint_eq(ids[2], 1);
    xc_doc *doc = NULL;
    OK(xc_mset_document(ms, 0, &doc));
    const char *v;
    size_t len;
    OK(xc_doc_get_data(doc, &v, &len));
    xc_doc_free(doc);
    unsigned id;
    FAILS(xc_mset_item(ms, 3, &id, NULL, NULL), XC_ERR_INVALID);
    FAILS(xc_mset_document(ms, 7, &doc), XC_ERR_INVALID);
    xc_mset_free(ms);

    /* Paging: first = 1. */
    OK(xc_enquire_get_mset(enq, 1, 1, 0, &ms));
    ck_assert_uint_eq(xc_mset_size(ms), 1);
    OK(xc_mset_item(ms, 0, &id, NULL, NULL));
    ck_assert_uint_eq(id, ids[1]);
    xc_mset_free(ms);

    xc_enquire_free(enq);
    xc_query_free(q);
    xc_db_free(w);
}
END_TEST

static void doc_with_values(xc_db *w, const char *sortval, const char *group)
{
    xc_doc *doc = NULL;
    OK(xc_doc_new(&doc));
    OK(xc_doc_add_term(doc, "item", 4, 1));
    OK(xc_doc_set_value(doc, 0, sortval, strlen(sortval)));
    OK(xc_doc_set_value(doc, 1, group, strlen(group)));
    unsigned id;
    OK(xc_db_add_document(w, doc, &id));
    xc_doc_free(doc);
}

START_TEST(test_sort_and_collapse)
{
    xc_db *w = open_db(tpath("db"), XC_DB_CREATE);
    doc_with_values(w, "20250102", "x"); /* 1 */
    doc_with_values(w, "20250101", "x"); /* 2 */
    doc_with_values(w, "20250104", "y"); /* 3 */
    doc_with_values(w, "20250103", "x"); /* 4 */
    OK(xc_db_commit(w));
    xc_query *q = NULL;
    OK(xc_query_term("item", 4, &q));
    xc_enquire *enq = NULL;
    OK(xc_enquire_new(w, &enq));
    OK(xc_enquire_set_query(enq, q));

    static const struct {
        int reverse;
        unsigned order[4];
    } cases[] = {
        {0, {2, 1, 4, 3}},
        {1, {3, 4, 1, 2}},
    };
    for (size_t c = 0; c < 2; c++) {
        OK(xc_enquire_set_sort_by_value_then_relevance(enq, 0, cases[c].reverse));
        xc_mset *ms = NULL;
        OK(xc_enquire_get_mset(enq, 0, 10, 0, &ms));
        ck_assert_uint_eq(xc_mset_size(ms), 4);
        for (unsigned i = 0; i < 4; i++) {
            unsigned id;
            OK(xc_mset_item(ms, i, &id, NULL, NULL));
            ck_assert_msg(id == cases[c].order[i], "reverse=%d pos %u: %u", cases[c].reverse, i,
                          id);
        }
        xc_mset_free(ms);
    }
    OK(xc_enquire_set_sort_by_relevance(enq));

    /* Collapse on slot 1, newest first: one "x" (doc 4, standing for 2 others) and one "y". */
    OK(xc_enquire_set_sort_by_value_then_relevance(enq, 0, 1));
    OK(xc_enquire_set_collapse_key(enq, 1, 1));
    xc_mset *ms = NULL;
    OK(xc_enquire_get_mset(enq, 0, 10, 100, &ms));
    ck_assert_uint_eq(xc_mset_size(ms), 2);
    unsigned id;
    uint64_t cc;
    OK(xc_mset_item(ms, 0, &id, NULL, &cc));
    ck_assert_uint_eq(id, 3);
    ck_assert_uint_eq(cc, 0);
    OK(xc_mset_item(ms, 1, &id, NULL, &cc));
    ck_assert_uint_eq(id, 4);
    ck_assert_uint_eq(cc, 2);
    xc_mset_free(ms);
    /* 0 turns collapsing off. */
    OK(xc_enquire_set_collapse_key(enq, 1, 0));
    OK(xc_enquire_get_mset(enq, 0, 10, 0, &ms));
    ck_assert_uint_eq(xc_mset_size(ms), 4);
    xc_mset_free(ms);

    xc_enquire_free(enq);
    xc_query_free(q);
    xc_db_free(w);
}
END_TEST

START_TEST(test_spelling)
{
    const char *path = tpath("db");
    xc_db *w = open_db(path, XC_DB_CREATE);
    add_text_doc(w, "1", "release", NULL);
    OK(xc_db_add_spelling(w, "release", 7, 5));
    OK(xc_db_add_spelling(w, "relapse", 7, 1));
    OK(xc_db_add_spelling(w, "quarterly", 9, 1));
    OK(xc_db_commit(w));
    xc_db *r = open_db(path, XC_DB_READ);
    char *s = NULL;
    OK(xc_db_spelling_suggestion(r, "relase", 2, &s));
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "release");
    free(s);
    OK(xc_db_spelling_suggestion(r, "release", 2, &s)); /* already correct */
    ck_assert_ptr_null(s);
    OK(xc_db_spelling_suggestion(r, "xyzzyplugh", 2, &s));
    ck_assert_ptr_null(s);

    xc_qp *qp = NULL;
    OK(xc_qp_new(&qp));
    OK(xc_qp_set_database(qp, r));
    xc_query *q = NULL;
    OK(xc_qp_parse(qp, "quartrly relase", XC_QP_DEFAULT | XC_QP_SPELLING, &q));
    xc_query_free(q);
    OK(xc_qp_corrected(qp, &s));
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(s, "quarterly release");
    free(s);
    OK(xc_qp_parse(qp, "release", XC_QP_DEFAULT | XC_QP_SPELLING, &q));
    xc_query_free(q);
    OK(xc_qp_corrected(qp, &s));
    ck_assert_ptr_null(s);
    xc_qp_free(qp);

    /* Removing the spelling entry removes the suggestion. */
    OK(xc_db_remove_spelling(w, "release", 7, 5));
    OK(xc_db_remove_spelling(w, "relapse", 7, 1));
    OK(xc_db_commit(w));
    int changed;
    OK(xc_db_reopen(r, &changed));
    OK(xc_db_spelling_suggestion(r, "relase", 2, &s));
    ck_assert_ptr_null(s);
    xc_db_free(r);
    xc_db_free(w);
}
END_TEST

START_TEST(test_compact)
{
    const char *a = tpath("a"), *b = tpath("b");
    xc_db *w = open_db(a, XC_DB_CREATE);
    for (int i = 0; i < 50; i++) {
        char id[16];
        snprintf(id, sizeof id, "a%d", i);
        add_text_doc(w, id, "some text to compact", NULL);
    }
    OK(xc_db_set_metadata(w, "k", "v", 1));
    OK(xc_db_commit(w));
    xc_db_free(w);
    w = open_db(b, XC_DB_CREATE);
    add_text_doc(w, "b0", "other text", NULL);
    OK(xc_db_commit(w));
    xc_db_free(w);

    static const struct {
        const char *dest;
        int n;
        int multipass;
        uint64_t docs;
    } cases[] = {
        {"c1", 1, 0, 50},
        {"c2", 2, 1, 51},
    };
    for (size_t i = 0; i < 2; i++) {
        const char *srcs[2] = {a, b};
        const char *dest = tpath(cases[i].dest);
        OK(xc_compact(srcs, (size_t)cases[i].n, dest, cases[i].multipass, 0));
        xc_db *r = open_db(dest, XC_DB_READ);
        ck_assert_uint_eq(doccount(r), cases[i].docs);
        ck_assert_int_eq(term_exists(r, "compact"), 1);
        xc_db_free(r);
    }
    /* The compacted copy is a normal database: it can be written. */
    w = open_db(tpath("c1"), XC_DB_OPEN);
    add_text_doc(w, "new", "x", NULL);
    OK(xc_db_commit(w));
    ck_assert_uint_eq(doccount(w), 51);
    xc_db_free(w);

    const char *missing[1] = {tpath("missing")};
    FAILS(xc_compact(missing, 1, tpath("c3"), 0, 0), XC_ERR_NOT_FOUND);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Stemming and term generation                                                                */

START_TEST(test_stem)
{
    static const struct {
        const char *lang, *a, *b; /* a and b stem alike */
    } same[] = {
        {"english", "cooperation", "cooperate"},
        {"en", "running", "runs"},
        {"turkish", "kitaplar", "kitap"},
        {"tr", "evler", "ev"},
        {"german", "Häuser", "Häusern"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        xc_stem *st = NULL;
        OK(xc_stem_new(same[i].lang, &st));
        const char *s;
        size_t len;
        OK(xc_stem_word(st, same[i].a, strlen(same[i].a), &s, &len));
        char first[64];
        snprintf(first, sizeof first, "%.*s", (int)len, s);
        OK(xc_stem_word(st, same[i].b, strlen(same[i].b), &s, &len));
        ck_assert_msg(strlen(first) == len && memcmp(first, s, len) == 0,
                      "%s: '%s' -> '%s' but '%s' -> '%.*s'", same[i].lang, same[i].a, first,
                      same[i].b, (int)len, s);
        xc_stem_free(st);
    }
    xc_stem *st = NULL;
    OK(xc_stem_new("none", &st));
    const char *s;
    size_t len;
    OK(xc_stem_word(st, "cooperation", 11, &s, &len));
    ck_assert_uint_eq(len, 11);
    ck_assert_mem_eq(s, "cooperation", 11);
    xc_stem_free(st);

    st = (xc_stem *)1;
    FAILS(xc_stem_new("klingon", &st), XC_ERR_INVALID);
    ck_assert_ptr_null(st);
    ck_assert_ptr_nonnull(strstr(xc_last_error(), "InvalidArgumentError"));

    const char *langs = xc_stem_languages();
    ck_assert_ptr_nonnull(strstr(langs, "english"));
    ck_assert_ptr_nonnull(strstr(langs, "turkish"));
    ck_assert_ptr_eq(langs, xc_stem_languages());
}
END_TEST

START_TEST(test_termgen)
{
    xc_db *w = open_db(tpath("db"), XC_DB_CREATE);
    xc_stem *en = NULL;
    OK(xc_stem_new("english", &en));
    xc_termgen *tg = NULL;
    OK(xc_termgen_new(&tg));
    OK(xc_termgen_set_stemmer(tg, en, XC_STEM_SOME));
    FAILS(xc_termgen_set_stemmer(tg, en, 42), XC_ERR_INVALID);

    xc_doc *doc = NULL;
    OK(xc_doc_new(&doc));
    OK(xc_termgen_set_document(tg, doc));
    const char *title = "Cooperation Agreement Signed";
    const char *body = "The companies announced a new agreement.";
    OK(xc_termgen_index_text(tg, title, strlen(title), "S"));
    OK(xc_termgen_increase_termpos(tg, 100));
    OK(xc_termgen_index_text(tg, body, strlen(body), NULL));
    unsigned id;
    OK(xc_db_add_document(w, doc, &id));
    xc_doc_free(doc);

    /* STEM_NONE into a second document. */
    OK(xc_doc_new(&doc));
    OK(xc_termgen_set_document(tg, doc));
    OK(xc_termgen_set_stemmer(tg, NULL, XC_STEM_NONE));
    OK(xc_termgen_index_text(tg, "cooperation", 11, NULL));
    OK(xc_db_add_document(w, doc, &id));
    xc_doc_free(doc);
    OK(xc_db_commit(w));

    static const struct {
        const char *term;
        int exists;
    } cases[] = {
        {"Scooperation", 1}, {"ZScooper", 1}, {"Sagreement", 1}, {"ZSagreement", 1},
        {"companies", 1},    {"Zcompani", 1}, {"the", 1},        {"cooperation", 1},
        {"Zcooper", 0},      {"Cooperation", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_msg(term_exists(w, cases[i].term) == cases[i].exists, "term '%s'",
                      cases[i].term);
    }

    /* Positions: a phrase within the body matches, across the gap it does not. */
    xc_qp *qp = NULL;
    OK(xc_qp_new(&qp));
    OK(xc_qp_set_stemmer(qp, en, XC_STEM_SOME));
    OK(xc_qp_add_prefix(qp, "title", "S"));
    ck_assert_uint_eq(parse_mask(w, qp, "\"new agreement\"", XC_QP_DEFAULT), BIT(1));
    ck_assert_uint_eq(parse_mask(w, qp, "\"a new\"", XC_QP_DEFAULT), BIT(1));
    ck_assert_uint_eq(parse_mask(w, qp, "title:cooperate", XC_QP_DEFAULT), BIT(1));
    ck_assert_uint_eq(parse_mask(w, qp, "announcing", XC_QP_DEFAULT), BIT(1));
    ck_assert_uint_eq(parse_mask(w, qp, "cooperation", XC_QP_DEFAULT), 0); /* Zcooper */
    FAILS(xc_qp_set_stemmer(qp, en, -1), XC_ERR_INVALID);
    OK(xc_qp_set_stemmer(qp, NULL, XC_STEM_NONE));
    ck_assert_uint_eq(parse_mask(w, qp, "cooperation", XC_QP_DEFAULT), BIT(2));
    xc_qp_free(qp);

    xc_termgen_free(tg);
    xc_stem_free(en);
    xc_db_free(w);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* Error paths                                                                                 */

START_TEST(test_missing_db)
{
    xc_db *db = (xc_db *)1;
    FAILS(xc_db_open(tpath("nope"), XC_DB_READ, &db), XC_ERR_NOT_FOUND);
    ck_assert_ptr_null(db);
    ck_assert_ptr_nonnull(strstr(xc_last_error(), "Database"));
    ck_assert_uint_gt(strlen(xc_last_error()), 20);
}
END_TEST

/* Opens path as a writer in a child process and returns the child's status (the child reports
 * through a pipe, not its exit code, which valgrind may replace). Xapian's lock is per process
 * (fcntl), so a second writer is only faithfully tested from another process. */
static xc_status open_writer_in_child(const char *path, char *msg, size_t msgsize)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(fds[0]);
        xc_db *w2 = NULL;
        xc_status st = xc_db_open(path, XC_DB_OPEN, &w2);
        char buf[512];
        int n = snprintf(buf, sizeof buf, "%d %s", (int)st, st == XC_OK ? "" : xc_last_error());
        if (write(fds[1], buf, (size_t)n) != n) {
            _exit(2);
        }
        xc_db_free(w2);
        _exit(0);
    }
    close(fds[1]);
    char buf[512];
    ssize_t n, total = 0;
    while ((n = read(fds[0], buf + total, sizeof buf - 1 - (size_t)total)) > 0) {
        total += n;
    }
    close(fds[0]);
    buf[total] = '\0';
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(total > 0, "no report from the child");
    int st = -1, off = 0;
    ck_assert_int_eq(sscanf(buf, "%d %n", &st, &off), 1);
    snprintf(msg, msgsize, "%s", buf + off);
    return (xc_status)st;
}

START_TEST(test_locked_db)
{
    const char *path = tpath("db");
    xc_db *w = open_db(path, XC_DB_CREATE);
    char msg[512];
    xc_status st = open_writer_in_child(path, msg, sizeof msg);
    ck_assert_msg(st == XC_ERR_LOCKED, "second writer: %s (%s)", xc_status_name(st), msg);
    ck_assert_ptr_nonnull(strstr(msg, "DatabaseLockError"));
    /* A reader is not blocked by the writer. */
    xc_db *r = open_db(path, XC_DB_READ);
    xc_db_free(r);
    xc_db_free(w);
    /* Once the writer is gone, another can open it. */
    st = open_writer_in_child(path, msg, sizeof msg);
    ck_assert_msg(st == XC_OK, "writer after close: %s (%s)", xc_status_name(st), msg);
}
END_TEST

/* Overwrites len bytes of a file from offset (len 0: to the end) with a garbage pattern. */
static void scribble(const char *file, off_t offset, off_t len)
{
    int fd = open(file, O_RDWR);
    ck_assert_msg(fd >= 0, "open %s: %s", file, strerror(errno));
    struct stat sb;
    ck_assert_int_eq(fstat(fd, &sb), 0);
    ck_assert_int_gt(sb.st_size, offset);
    off_t end = len ? offset + len : sb.st_size;
    ck_assert_int_le(end, sb.st_size);
    char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++) {
        junk[i] = (char)(0xA5 ^ (i * 7));
    }
    for (off_t pos = offset; pos < end; pos += (off_t)sizeof junk) {
        size_t n = (size_t)(end - pos) < sizeof junk ? (size_t)(end - pos) : sizeof junk;
        ck_assert_int_eq(pwrite(fd, junk, n, pos), (ssize_t)n);
    }
    close(fd);
}

static void copy_dir_files(const char *from, const char *to)
{
    ck_assert_int_eq(mkdir(to, 0700), 0);
    static const char *const files[] = {"iamglass", "postlist.glass", "termlist.glass",
                                        "docdata.glass", "position.glass", NULL};
    for (size_t i = 0; files[i]; i++) {
        char src[512], dst[512];
        snprintf(src, sizeof src, "%s/%s", from, files[i]);
        snprintf(dst, sizeof dst, "%s/%s", to, files[i]);
        FILE *in = fopen(src, "rb");
        if (!in) {
            continue; /* tables Xapian did not create */
        }
        FILE *out = fopen(dst, "wb");
        ck_assert_ptr_nonnull(out);
        char buf[8192];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
            ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
        }
        fclose(in);
        fclose(out);
    }
}

/* What Xapian 1.4 (glass) really does with damaged files:
 *  - a damaged root block (a small table is a single block, so any garbage over it) is detected
 *    when the database is opened: DatabaseCorruptError ("dir_end invalid in block 0");
 *  - a damaged leaf block of a bigger table goes unnoticed until it is read:
 *    DatabaseCorruptError from the read (here: the document data);
 *  - a garbage version file (iamglass) is refused at open, also as DatabaseCorruptError
 *    (accepted here as XC_ERR_VERSION too, since both mean "cannot use this database"). */
START_TEST(test_corrupt_db)
{
    const char *path = tpath("db");
    xc_db *w = open_db(path, XC_DB_CREATE);
    unsigned seed = 12345;
    for (int i = 0; i < 300; i++) {
        char id[16], data[2000];
        snprintf(id, sizeof id, "%d", i);
        for (size_t k = 0; k < sizeof data; k++) { /* incompressible, to span many blocks */
            seed = seed * 1103515245u + 12345u;
            data[k] = (char)('a' + (seed >> 16) % 26);
        }
        data[sizeof data - 1] = '\0';
        add_text_doc(w, id, "corruption test document text with several words", data);
    }
    OK(xc_db_commit(w));
    xc_db_free(w);

    char file[512];
    struct stat sb;
    snprintf(file, sizeof file, "%s/docdata.glass", path);
    ck_assert_int_eq(stat(file, &sb), 0);
    ck_assert_int_gt(sb.st_size, 8 * 8192);

    /* 1. Garbage over the whole posting table (one block: the root): refused at open. */
    const char *p1 = tpath("post");
    copy_dir_files(path, p1);
    snprintf(file, sizeof file, "%s/postlist.glass", p1);
    scribble(file, 0, 0);
    xc_db *db = (xc_db *)1;
    FAILS(xc_db_open(p1, XC_DB_READ, &db), XC_ERR_CORRUPT);
    ck_assert_ptr_null(db);
    ck_assert_ptr_nonnull(strstr(xc_last_error(), "DatabaseCorruptError"));
    FAILS(xc_db_open(p1, XC_DB_OPEN, &db), XC_ERR_CORRUPT);

    /* 2. Garbage over the first (leaf) block of the document data: opening and searching work,
     * reading the data of a document in that block fails. */
    const char *p2 = tpath("data");
    copy_dir_files(path, p2);
    snprintf(file, sizeof file, "%s/docdata.glass", p2);
    scribble(file, 0, 8192);
    xc_db *r = open_db(p2, XC_DB_READ);
    xc_status first_err = XC_OK;
    for (unsigned id = 1; id <= 300 && first_err == XC_OK; id++) {
        xc_doc *doc = NULL;
        xc_status st = xc_db_get_document(r, id, &doc);
        if (st == XC_OK) {
            const char *d;
            size_t len;
            st = xc_doc_get_data(doc, &d, &len);
            xc_doc_free(doc);
        }
        first_err = st;
    }
    ck_assert_msg(first_err == XC_ERR_CORRUPT, "docdata: %s (%s)", xc_status_name(first_err),
                  xc_last_error());
    xc_db_free(r);

    /* 3. Garbage in the version file. */
    const char *p3 = tpath("version");
    copy_dir_files(path, p3);
    snprintf(file, sizeof file, "%s/iamglass", p3);
    scribble(file, 0, 0);
    xc_status st = xc_db_open(p3, XC_DB_READ, &db);
    ck_assert_ptr_null(db);
    ck_assert_msg(st == XC_ERR_CORRUPT || st == XC_ERR_VERSION, "iamglass: %s (%s)",
                  xc_status_name(st), xc_last_error());
}
END_TEST

START_TEST(test_null_handling)
{
    /* Frees ignore NULL; NULL handles are XC_ERR_INVALID rather than crashes. */
    xc_doc_free(NULL);
    xc_stem_free(NULL);
    xc_termgen_free(NULL);
    xc_query_free(NULL);
    xc_qp_free(NULL);
    xc_enquire_free(NULL);
    xc_mset_free(NULL);
    xc_postlist_free(NULL);
    uint64_t n;
    FAILS(xc_db_doccount(NULL, &n), XC_ERR_INVALID);
    FAILS(xc_doc_add_term(NULL, "x", 1, 1), XC_ERR_INVALID);
    ck_assert_uint_eq(xc_mset_size(NULL), 0);
    ck_assert_int_eq(xc_db_is_writable(NULL), 0);
    ck_assert_int_eq(xc_keylist_next(NULL, NULL, NULL), -1);
    ck_assert_int_eq(xc_postlist_next(NULL, NULL), -1);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */

static Suite *xc_suite(void)
{
    Suite *s = suite_create("xc");
    struct {
        const char *name;
        const TTest *test;
    } tests[] = {
        {"status", test_status_names},
        {"db", test_create_add_commit_reopen},
        {"replace_delete", test_replace_delete_by_term},
        {"uncommitted", test_uncommitted_discarded},
        {"no_sync", test_no_sync_writer},
        {"metadata", test_metadata},
        {"values", test_values_and_bounds},
        {"doc_clear", test_doc_clear},
        {"postlist_allterms", test_postlist_allterms},
        {"operators", test_query_operators},
        {"wildcard", test_wildcard},
        {"describe_terms", test_query_describe_terms},
        {"queryparser", test_queryparser},
        {"date_parser", test_date_range_parser},
        {"date_direct", test_date_range_direct},
        {"bm25", test_bm25_ranking},
        {"match_docids_value_stream", test_match_docids_and_value_stream},
        {"wdfs", test_wdfs},
        {"sort_collapse", test_sort_and_collapse},
        {"spelling", test_spelling},
        {"compact", test_compact},
        {"stem", test_stem},
        {"termgen", test_termgen},
        {"missing_db", test_missing_db},
        {"locked_db", test_locked_db},
        {"corrupt_db", test_corrupt_db},
        {"null", test_null_handling},
    };
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        TCase *tc = tcase_create(tests[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, tests[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(xc_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
