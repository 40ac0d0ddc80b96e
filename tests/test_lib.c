/* test_lib.c - libpressindex through its public API (plus a peek at the schema for version tests). */
#include "config.h"

#include <check.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "input.h"
#include "internal.h"
#include "posblob.h"
#include "pressindex.h"
#include "text.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "fixtures"
#endif

typedef struct pi_test_buf {
    char s[4096];
    size_t len;
} pi_test_buf;

static char tmpdir[256];
static char dbpath[300];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pi-test-lib-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/index", tmpdir);
}

static void teardown(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static pressindex *open_writer(void)
{
    pressindex_open_options o;
    pressindex_open_options_init(&o);
    o.writable = 1;
    o.create = 1;
    o.lock_timeout = 0;
    pressindex *idx = NULL;
    pressindex_status st = pressindex_open(dbpath, &o, &idx);
    ck_assert_msg(st == PRESSINDEX_OK, "open writer: %s", pressindex_open_error());
    return idx;
}

static pressindex *open_reader(void)
{
    pressindex *idx = NULL;
    pressindex_status st = pressindex_open(dbpath, NULL, &idx);
    ck_assert_msg(st == PRESSINDEX_OK, "open reader: %s", pressindex_open_error());
    return idx;
}

static const char *const akorda_pars[] = {
    "Kassym-Jomart Tokayev met Recep Tayyip Erdoğan in Ankara.",
    "Photo credit: Akorda",
    "The presidents discussed the Organization of Turkic States and trade turnover.",
    "Tokayev’s visit ended with a ceremony at the Işık University.",
};
static const char *const other_pars[] = {
    "The States of the organization met; Turkic languages were discussed.",
    "Photo credit: Akorda",
    "TÜRKİYE and Kazakhstan cooperate on transport.",
};

static void add_two(pressindex *idx)
{
    pressindex_release a = {"akorda/1", "2025-07-30", "Tokayev visits Türkiye", "Akorda",
                            "https://akorda.kz/1", "en", akorda_pars, 4};
    pressindex_release b = {"akorda/2", "2024-03-05", "Turkic cooperation", "Akorda", NULL, NULL,
                            other_pars, 3};
    ck_assert_int_eq(pressindex_add_release(idx, &a), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_add_release(idx, &b), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
}

static pressindex_results *search_with(pressindex *idx, pressindex_search_options *so)
{
    pressindex_results *res = NULL;
    pressindex_status st = pressindex_search(idx, so, &res);
    ck_assert_msg(st == PRESSINDEX_OK, "search %s: %s", so->query, pressindex_last_error(idx));
    return res;
}

/* With the default options. */
static pressindex_results *search(pressindex *idx, const char *q)
{
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = q;
    return search_with(idx, &so);
}

/* Adds the releases and commits them. */
static void add_committed(pressindex *idx, const pressindex_release *rs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(pressindex_add_release(idx, &rs[i]), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
}

/* ---- opening ---- */

START_TEST(missing_index_is_not_found)
{
    pressindex *idx = (pressindex *)1;
    ck_assert_int_eq(pressindex_open(dbpath, NULL, &idx), PRESSINDEX_ERR_NOT_FOUND);
    ck_assert_ptr_null(idx);
    ck_assert_ptr_nonnull(strstr(pressindex_open_error(), dbpath));
}
END_TEST

START_TEST(second_writer_is_locked)
{
    pressindex *w = open_writer();
    pressindex_open_options o;
    pressindex_open_options_init(&o);
    o.writable = 1;
    o.lock_timeout = 0.3;
    pressindex *w2 = NULL;
    ck_assert_int_eq(pressindex_open(dbpath, &o, &w2), PRESSINDEX_ERR_LOCKED);
    ck_assert_ptr_nonnull(strstr(pressindex_open_error(), "locked"));
    /* Readers are never blocked by the writer. */
    pressindex *r = open_reader();
    pressindex_destroy(r);
    pressindex_destroy(w);
    /* Released on destroy. */
    ck_assert_int_eq(pressindex_open(dbpath, &o, &w2), PRESSINDEX_OK);
    pressindex_destroy(w2);
}
END_TEST

START_TEST(newer_schema_is_refused)
{
    pressindex_destroy(open_writer());
    char path[400];
    snprintf(path, sizeof path, "%s/current", dbpath);
    xc_db *db = NULL;
    ck_assert_int_eq(xc_db_open(path, XC_DB_OPEN, &db), XC_OK);
    ck_assert_int_eq(xc_db_set_metadata(db, PI_META_SCHEMA, "99", 2), XC_OK);
    ck_assert_int_eq(xc_db_commit(db), XC_OK);
    xc_db_free(db);
    pressindex *idx = NULL;
    ck_assert_int_eq(pressindex_open(dbpath, NULL, &idx), PRESSINDEX_ERR_VERSION);
    ck_assert_ptr_nonnull(strstr(pressindex_open_error(), "newer"));
}
END_TEST

/* An index of the first schema (text ids without their folder's name) is not read with the ids
 * of the second: the open says how to rebuild it, and nothing in it is changed. */
START_TEST(older_schema_asks_for_a_rebuild)
{
    pressindex_destroy(open_writer());
    char path[400];
    snprintf(path, sizeof path, "%s/current", dbpath);
    xc_db *db = NULL;
    ck_assert_int_eq(xc_db_open(path, XC_DB_OPEN, &db), XC_OK);
    ck_assert_int_eq(xc_db_set_metadata(db, PI_META_SCHEMA, "1", 1), XC_OK);
    ck_assert_int_eq(xc_db_commit(db), XC_OK);
    xc_db_free(db);
    pressindex_open_options o;
    pressindex_open_options_init(&o);
    o.writable = 1;
    for (int writable = 0; writable < 2; writable++) {
        pressindex *idx = NULL;
        ck_assert_int_eq(pressindex_open(dbpath, writable ? &o : NULL, &idx), PRESSINDEX_ERR_VERSION);
        ck_assert_ptr_null(idx);
        ck_assert_ptr_nonnull(strstr(pressindex_open_error(), "older index schema (1, this pressindex needs 10)"));
        ck_assert_ptr_nonnull(strstr(pressindex_open_error(), "rebuild it from its sources"));
    }
}
END_TEST

/* The value PI_SLOT_SEQ of the release id's document (schema 3): "" when it has none. */
static void release_seq(pressindex *idx, const char *id, char out[32])
{
    char key[PI_KEY_LEN + 1], term[PI_KEY_LEN + 8];
    pi_release_key(id, key);
    snprintf(term, sizeof term, "%s%s", PI_P_RELEASE, key);
    xc_postlist *pl = NULL;
    unsigned docid = 0;
    out[0] = '\0';
    ck_assert_int_eq(xc_db_postlist(idx->db, term, strlen(term), &pl), XC_OK);
    if (xc_postlist_next(pl, &docid) > 0) {
        char *v = NULL;
        size_t n = 0;
        ck_assert_int_eq(xc_db_value(idx->db, docid, PI_SLOT_SEQ, &v, &n), XC_OK);
        snprintf(out, 32, "%.*s", (int)n, v);
        free(v);
    }
    xc_postlist_free(pl);
}

START_TEST(release_sequence_grows)
{
    pressindex *idx = open_writer();
    add_two(idx);
    char a1[32], b1[32], a2[32], b2[32], a3[32];
    release_seq(idx, "akorda/1", a1);
    release_seq(idx, "akorda/2", b1);
    ck_assert_uint_eq(strlen(a1), 16);
    ck_assert_str_lt(a1, b1); /* written in that order: fixed-width hex sorts as numbers */
    /* The same release again: nothing new, its number stays. */
    add_two(idx);
    release_seq(idx, "akorda/1", a2);
    release_seq(idx, "akorda/2", b2);
    ck_assert_str_eq(a1, a2);
    ck_assert_str_eq(b1, b2);
    /* Changed: a new number, after every other, and it survives reopening. */
    pressindex_release a = {"akorda/1", "2025-07-30", "Tokayev visits Türkiye", "Akorda",
                            "https://akorda.kz/1", "en", other_pars, 3};
    ck_assert_int_eq(pressindex_add_release(idx, &a), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    pressindex_destroy(idx);
    idx = open_writer();
    release_seq(idx, "akorda/1", a3);
    ck_assert_str_gt(a3, b1);
    pressindex_release c = {"akorda/3", NULL, NULL, NULL, NULL, NULL, other_pars, 3};
    ck_assert_int_eq(pressindex_add_release(idx, &c), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    char c1[32];
    release_seq(idx, "akorda/3", c1);
    ck_assert_str_gt(c1, a3);
    pressindex_destroy(idx);
}
END_TEST

START_TEST(foreign_directory_is_left_alone)
{
    char f[400];
    ck_assert_int_eq(mkdir(dbpath, 0777), 0);
    snprintf(f, sizeof f, "%s/notes.txt", dbpath);
    FILE *fp = fopen(f, "w");
    ck_assert_ptr_nonnull(fp);
    fclose(fp);
    pressindex_open_options o;
    pressindex_open_options_init(&o);
    o.writable = o.create = 1;
    pressindex *idx = NULL;
    ck_assert_int_eq(pressindex_open(dbpath, &o, &idx), PRESSINDEX_ERR_NOT_FOUND);
    ck_assert_int_eq(access(f, F_OK), 0);
}
END_TEST

/* Damage done by hand to a healthy index (a shell command run in its directory), and what the
 * refusal must say. */
typedef struct damage {
    const char *shell, *says;
} damage;
static const damage damages[] = {
    {"rm current", "its pointer to the live database (current) is missing, but it holds db.1"},
    {"ln -sfn db.9 current", "its pointer current names db.9, which is not there"},
    {"rm current && touch current", "current is not a link to one of its databases"},
    {"mkdir db.4 && ln -sfn db.4 current", "current names db.4, which holds no database"},
    {"cp -r db.1 db.7", "holds db.7, a database that its pointer current (db.1) does not name"},
};

/* Every file and folder under the index, with sizes and link targets: "nothing was changed". */
static char *tree(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "cd '%s' && find . -printf '%%p %%y %%s %%l\\n' | sort", dbpath);
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    pclose(f);
    return strdup(buf);
}

START_TEST(damaged_directory_is_refused)
{
    const damage *d = &damages[_i];
    pressindex *idx = open_writer();
    add_two(idx);
    pressindex_destroy(idx);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "cd '%s' && %s", dbpath, d->shell);
    ck_assert_int_eq(system(cmd), 0);
    char *before = tree();
    pressindex_open_options o;
    pressindex_open_options_init(&o);
    for (int writer = 0; writer < 2; writer++) {
        o.writable = o.create = writer;
        o.lock_timeout = 0;
        idx = NULL;
        ck_assert_int_eq(pressindex_open(dbpath, &o, &idx), PRESSINDEX_ERR_CORRUPT);
        ck_assert_ptr_null(idx);
        const char *msg = pressindex_open_error();
        ck_assert_msg(strstr(msg, d->says), "%s: %s", d->shell, msg);
        ck_assert_msg(strstr(msg, "Repair: "), "%s: no repair in: %s", d->shell, msg);
        ck_assert_msg(!strstr(msg, "remove the directory") && !strstr(msg, "rm -r"), "%s", msg);
    }
    char *after = tree();
    ck_assert_str_eq(before, after);
    free(before);
    free(after);
}
END_TEST

/* A reader holds a shared lock for the moment it looks at the directory: a writer with a
 * lock_timeout of 0 still gets past one. */
START_TEST(a_reader_looking_does_not_lock_out_a_writer)
{
    pressindex_destroy(open_writer());
    char lp[400];
    snprintf(lp, sizeof lp, "%s/lock", dbpath);
    int ready[2];
    ck_assert_int_eq(pipe(ready), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open(lp, O_RDONLY);
        if (fd < 0 || flock(fd, LOCK_SH) != 0)
            _exit(1);
        if (write(ready[1], "x", 1) != 1)
            _exit(1);
        usleep(5000);
        /* Released as a reader releases it, not at _exit: under valgrind a child's exit takes
         * far longer than the writer's few retries. */
        close(fd);
        _exit(0);
    }
    char c;
    ck_assert_int_eq(read(ready[0], &c, 1), 1);
    pressindex *w = open_writer();
    pressindex_destroy(w);
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(ready[0]);
    close(ready[1]);
}
END_TEST

/* A run that found none of its inputs leaves no index that it created (the command:
 * pressindex --db NEW reindex /wrong/path); an index created on purpose, or that was there, stays. */
START_TEST(created_index_is_taken_back_when_nothing_was_found)
{
    pressindex *idx = open_writer();
    pressindex_index_stats st;
    ck_assert_int_eq(pressindex_index_path(idx, "/nonexistent/pi-test", NULL, &st), PRESSINDEX_ERR_NOT_FOUND);
    pressindex_destroy(idx);
    ck_assert_int_eq(access(dbpath, F_OK), -1);

    const char *folders[] = {"/nonexistent/pi-test"};
    idx = open_writer();
    ck_assert_int_eq(pressindex_reindex(idx, folders, 1, NULL, NULL), PRESSINDEX_ERR_NOT_FOUND);
    pressindex_destroy(idx);
    ck_assert_int_eq(access(dbpath, F_OK), -1);

    pressindex_destroy(open_writer());
    ck_assert_int_eq(access(dbpath, F_OK), 0);
    idx = open_writer();
    ck_assert_int_eq(pressindex_index_path(idx, "/nonexistent/pi-test", NULL, &st), PRESSINDEX_ERR_NOT_FOUND);
    pressindex_destroy(idx);
    ck_assert_int_eq(access(dbpath, F_OK), 0);
}
END_TEST

/* A release's positions value (posblob.h) reads back as written: terms in byte order whatever
 * the order they came in, each with its own positions (multi-byte ones too), plain or zlib; the
 * first-byte index jumps to the first term of a byte; a cut value is damage, not fewer terms; the
 * builder is reused from release to release. */
START_TEST(positions_value_round_trip)
{
    pi_posb b = {0};
    pi_buf v = {0}, scratch = {0};
    for (int z = 0; z < 2; z++) {
        pi_posb_clear(&b);
        static const struct {
            const char *t;
            unsigned pos;
        } occ[] = {{"walrus", 1}, {"census", 2}, {"walru", 3}, {"walrus", 4}, {"arctic", 200},
                   {"census", 70000}, {"walrus", 70001}};
        for (size_t i = 0; i < sizeof occ / sizeof *occ; i++)
            ck_assert_int_eq(pi_posb_add(&b, occ[i].t, strlen(occ[i].t), occ[i].pos), 0);
        ck_assert_int_eq(pi_posb_finish(&b, z, &v, NULL), 0);
        ck_assert_int_eq((unsigned char)v.p[0], z ? PI_POSB_ZLIB : PI_POSB_RAW);
        /* The terms for Xapian: in byte order, with their occurrences as wdf. */
        static const char *const terms[] = {"arctic", "census", "walru", "walrus"};
        static const unsigned wdf[] = {1, 2, 1, 3};
        ck_assert_uint_eq(pi_posb_terms(&b), 4);
        for (size_t i = 0; i < 4; i++) {
            size_t len;
            unsigned w;
            const char *t = pi_posb_term(&b, i, &len, &w);
            ck_assert_uint_eq(len, strlen(terms[i]));
            ck_assert(!memcmp(t, terms[i], len));
            ck_assert_uint_eq(w, wdf[i]);
        }
        static const unsigned want[4][3] = {{200}, {2, 70000}, {3}, {1, 4, 70001}};
        pi_posr r;
        unsigned pos[8];
        ck_assert_int_eq(pi_posr_init(&r, v.p, v.len, &scratch), 0);
        for (size_t i = 0; i < 4; i++) {
            ck_assert_int_eq(pi_posr_next(&r), 1);
            ck_assert_str_eq(r.term, terms[i]);
            long n = pi_posr_positions(&r, pos);
            ck_assert_int_eq(n, wdf[i]);
            for (long k = 0; k < n; k++)
                ck_assert_uint_eq(pos[k], want[i][k]);
        }
        ck_assert_int_eq(pi_posr_next(&r), 0);
        /* Jumps: to "walru" (the first w), then past the last first byte. */
        ck_assert_int_eq(pi_posr_init(&r, v.p, v.len, &scratch), 0);
        ck_assert_int_eq(pi_posr_seek(&r, 'd'), 1);
        ck_assert_int_eq(pi_posr_next(&r), 1);
        ck_assert_str_eq(r.term, "walru");
        ck_assert_int_eq(pi_posr_seek(&r, 'x'), 0);
        if (!z) {
            /* Damage is told from an end: an unknown format, an index pointing past the end, a
             * term sharing more than the one before has, positions cut short. */
            static const char *const bad[] = {"\x07", "\x00\x01w\x40", "\x00\x00\x31w\x00",
                                              "\x00\x00\x01w\x02\x81", "\x00\x00\xf1\xff\xff\xff\xff\x0fw\x00",
                                              "\x00\x00\x0f"};
            static const size_t badlen[] = {1, 4, 5, 6, 10, 3};
            for (size_t i = 0; i < 6; i++) {
                int rc = pi_posr_init(&r, bad[i], badlen[i], &scratch);
                while (rc == 0 && (rc = pi_posr_next(&r)) > 0)
                    rc = pi_posr_positions(&r, pos) < 0 ? -1 : 0;
                ck_assert_msg(rc < 0, "damaged value %zu read as whole", i);
            }
        }
    }
    /* Lengths of 15 and more (schema 8 packs both in a byte below 15): a long word, then one sharing
     * 20 bytes with it. */
    pi_posb_clear(&b);
    static const char *const longw[] = {"internationalization", "internationalizations", "intern"};
    for (unsigned i = 0; i < 3; i++)
        ck_assert_int_eq(pi_posb_add(&b, longw[i], strlen(longw[i]), 10 * i + 1), 0);
    ck_assert_int_eq(pi_posb_finish(&b, 0, &v, NULL), 0);
    {
        pi_posr r;
        unsigned pos[2];
        static const unsigned order[] = {2, 0, 1};
        ck_assert_int_eq(pi_posr_init(&r, v.p, v.len, &scratch), 0);
        for (unsigned i = 0; i < 3; i++) {
            ck_assert_int_eq(pi_posr_next(&r), 1);
            ck_assert_str_eq(r.term, longw[order[i]]);
            ck_assert_int_eq(pi_posr_positions(&r, pos), 1);
            ck_assert_uint_eq(pos[0], 10 * order[i] + 1);
        }
        ck_assert_int_eq(pi_posr_next(&r), 0);
    }
    /* Stopwords apart (schema 7): "the" and "do" (also the stem of "doing") in their own blob, in
     * byte order, the other words alone in the first; the terms for Xapian are all of them. */
    pi_buf st = {0};
    pi_posb_clear(&b);
    static const char *const words[] = {"the", "walrus", "do", "doe", "the"};
    for (unsigned i = 0; i < 5; i++)
        ck_assert_int_eq(pi_posb_add(&b, words[i], strlen(words[i]), i + 1), 0);
    ck_assert_int_eq(pi_posb_finish(&b, 0, &v, &st), 0);
    ck_assert_uint_eq(pi_posb_terms(&b), 4);
    static const char *const in_v[] = {"doe", "walrus"}, *const in_st[] = {"do", "the"};
    static const unsigned first[2][2] = {{4, 2}, {3, 1}}, count[2][2] = {{1, 1}, {1, 2}};
    for (int k = 0; k < 2; k++) {
        pi_posr r;
        unsigned pos[8];
        const pi_buf *blob = k ? &st : &v;
        ck_assert_int_eq(pi_posr_init(&r, blob->p, blob->len, &scratch), 0);
        for (int i = 0; i < 2; i++) {
            ck_assert_int_eq(pi_posr_next(&r), 1);
            ck_assert_str_eq(r.term, (k ? in_st : in_v)[i]);
            ck_assert_int_eq(pi_posr_positions(&r, pos), count[k][i]);
            ck_assert_uint_eq(pos[0], first[k][i]);
            if (count[k][i] == 2)
                ck_assert_uint_eq(pos[1], 5);
        }
        ck_assert_int_eq(pi_posr_next(&r), 0);
    }
    /* A release without stopwords has none to store. */
    pi_posb_clear(&b);
    ck_assert_int_eq(pi_posb_add(&b, "walrus", 6, 1), 0);
    ck_assert_int_eq(pi_posb_finish(&b, 0, &v, &st), 0);
    ck_assert_uint_eq(st.len, 0);
    pi_buf_free(&st);
    pi_posb_free(&b);
    pi_buf_free(&v);
    pi_buf_free(&scratch);
}
END_TEST

START_TEST(status_strings)
{
    for (int s = 0; s <= PRESSINDEX_STATUS_LAST; s++)
        ck_assert_ptr_nonnull(pressindex_status_to_string((pressindex_status)s));
    ck_assert_str_eq(pressindex_status_to_string(PRESSINDEX_OK), "success");
    ck_assert_str_eq(pressindex_status_to_string((pressindex_status)12345), "unknown status");
    ck_assert_str_eq(pressindex_version(), PACKAGE_VERSION);
    ck_assert_str_eq(PRESSINDEX_VERSION_STRING, PACKAGE_VERSION);
}
END_TEST

/* ---- writing ---- */

START_TEST(add_search_and_metadata)
{
    pressindex *idx = open_writer();
    add_two(idx);
    pressindex_destroy(idx);
    idx = open_reader();
    pressindex_stats st;
    ck_assert_int_eq(pressindex_get_stats(idx, &st), PRESSINDEX_OK);
    ck_assert_uint_eq(st.releases, 2);
    ck_assert_uint_eq(st.passages, 7);
    ck_assert_str_eq(st.date_min, "2024-03-05");
    ck_assert_str_eq(st.date_max, "2025-07-30");

    pressindex_results *res = search(idx, "\"Organization of Turkic States\"");
    ck_assert_uint_eq(pressindex_results_count(res), 1);
    ck_assert_str_eq(pressindex_result_release(res, 0), "akorda/1");
    ck_assert_uint_eq(pressindex_result_paragraph(res, 0), 3);
    ck_assert_str_eq(pressindex_result_date(res, 0), "2025-07-30");
    ck_assert_str_eq(pressindex_result_title(res, 0), "Tokayev visits Türkiye");
    ck_assert_str_eq(pressindex_result_source(res, 0), "Akorda");
    ck_assert_str_eq(pressindex_result_url(res, 0), "https://akorda.kz/1");
    ck_assert_str_eq(pressindex_result_text(res, 0), akorda_pars[2]);
    ck_assert_uint_eq(pressindex_result_rank(res, 0), 1);
    ck_assert(pressindex_result_score(res, 0) > 0);
    /* Highlights point at the words of the phrase in the original text. */
    const size_t *offs;
    size_t n;
    pressindex_result_highlights(res, 0, &offs, &n);
    ck_assert_uint_eq(n, 4);
    const char *text = pressindex_result_text(res, 0);
    ck_assert_int_eq(strncmp(text + offs[0], "Organization", offs[1] - offs[0]), 0);
    ck_assert_int_eq(strncmp(text + offs[6], "States", offs[7] - offs[6]), 0);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

static void count_problem(void *user, const char *file, unsigned long line, const char *msg)
{
    (void)file;
    (void)msg;
    ck_assert_uint_eq(line, 2);
    (*(int *)user)++;
}

static void put_file(const char *rel, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", tmpdir, rel);
    for (char *c = path + strlen(tmpdir) + 1; *c; c++)
        if (*c == '/') {
            *c = '\0';
            mkdir(path, 0777);
            *c = '/';
        }
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void count_any_problem(void *user, const char *file, unsigned long line, const char *msg)
{
    (void)file;
    (void)line;
    (void)msg;
    (*(int *)user)++;
}

/* Issue 15: one run never lets a release replace another silently. A JSON Lines file repeating an
 * id revises it (counted once); another input giving it is a clash (the first kept); a later run
 * replaces, and the summary says so. */
START_TEST(index_paths_ids_never_collide)
{
    put_file("src/r.jsonl", "{\"id\": \"r1\", \"paragraphs\": [\"one\", \"uno\"]}\n"
                            "{\"id\": \"r2\", \"paragraphs\": [\"two\"]}\n"
                            "{\"id\": \"r1\", \"paragraphs\": [\"one revised\"]}\n");
    put_file("src/s.jsonl", "{\"id\": \"r2\", \"paragraphs\": [\"clash\"]}\n");
    put_file("a/release-001.txt", "Alpha.\n");
    put_file("b/release-001.txt", "Beta.\n");
    char p[4][600];
    snprintf(p[0], sizeof p[0], "%s/src/r.jsonl", tmpdir);
    snprintf(p[1], sizeof p[1], "%s/src/s.jsonl", tmpdir);
    snprintf(p[2], sizeof p[2], "%s/a/release-001.txt", tmpdir);
    snprintf(p[3], sizeof p[3], "%s/b/release-001.txt", tmpdir);
    const char *paths[] = {p[0], p[1], p[2], p[3]};
    pressindex_index_options o;
    pressindex_index_options_init(&o);
    int problems = 0;
    o.on_problem = count_any_problem;
    o.user = &problems;
    for (int serial = 0; serial < 2; serial++) { /* the parallel build of an empty index, then not */
        pressindex *idx = open_writer();
        if (serial) {
            const char *pr[] = {"x"};
            pressindex_release other = {"other", NULL, NULL, NULL, NULL, NULL, pr, 1};
            ck_assert_int_eq(pressindex_add_release(idx, &other), PRESSINDEX_OK);
        }
        pressindex_index_summary sum;
        pressindex_index_summary_init(&sum);
        problems = 0;
        ck_assert_int_eq(pressindex_index_paths(idx, paths, 4, &o, &sum), PRESSINDEX_ERR_DATA);
        ck_assert_int_eq(problems, 2); /* s.jsonl's r2, b's release-001.txt */
        ck_assert_uint_eq(sum.releases, 3);
        ck_assert_uint_eq(sum.added, 3);
        ck_assert_uint_eq(sum.replaced, 0);
        ck_assert_uint_eq(sum.passages, 3);
        ck_assert_uint_eq(sum.skipped, 2);
        pressindex_stats st;
        ck_assert_int_eq(pressindex_get_stats(idx, &st), PRESSINDEX_OK);
        ck_assert_uint_eq(st.releases, 3 + (unsigned)serial);
        ck_assert_uint_eq(st.passages, 3 + (unsigned)serial);
        pressindex_results *res = search(idx, "alpha OR beta OR clash OR uno");
        ck_assert_uint_eq(pressindex_results_count(res), 1);
        ck_assert_str_eq(pressindex_result_text(res, 0), "Alpha.");
        pressindex_results_destroy(res);
        /* Again: every id replaces its release, counted as replaced. */
        ck_assert_int_eq(pressindex_index_paths(idx, paths, 1, &o, &sum), PRESSINDEX_OK);
        ck_assert_uint_eq(sum.added, 0);
        ck_assert_uint_eq(sum.replaced, 2);
        pressindex_destroy(idx);
        char cmd[700];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dbpath);
        ck_assert_int_eq(system(cmd), 0);
    }
    /* Two folders of one name: refused before anything is read. */
    char x[2][600];
    snprintf(x[0], sizeof x[0], "%s/a", tmpdir);
    snprintf(x[1], sizeof x[1], "%s/src/../b/../a/", tmpdir);
    put_file("z/a/q.txt", "Q.\n");
    pressindex *idx = open_writer();
    const char *same[] = {x[0], x[1]};
    ck_assert_int_eq(pressindex_index_paths(idx, same, 2, NULL, NULL), PRESSINDEX_OK); /* one folder */
    snprintf(x[1], sizeof x[1], "%s/z/a", tmpdir);
    ck_assert_int_eq(pressindex_index_paths(idx, same, 2, NULL, NULL), PRESSINDEX_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(pressindex_last_error(idx), "both named \"a\""));
    pressindex_destroy(idx);
}
END_TEST

/* A release's texts as stored (every passage, in order), its sequence number, or "-" when the
 * index does not have it. */
static void release_state(pressindex *idx, const char *id, char *out, size_t n)
{
    pressindex_results *res = NULL;
    if (pressindex_get_release(idx, id, &res) != PRESSINDEX_OK || !res) {
        snprintf(out, n, "-");
        pressindex_results_destroy(res);
        return;
    }
    size_t at = 0;
    for (size_t i = 0; i < pressindex_results_count(res) && at < n; i++)
        at += (size_t)snprintf(out + at, n - at, "%s|", pressindex_result_text(res, i));
    pressindex_results_destroy(res);
}

/* The parallel build moves each writer on to a fresh shard when its current one is full (here
 * after every passage): a revision of a release whose shard is closed by then must still replace
 * it, as a serial build does. More revisions than a writer holds back at once (64), a release given
 * again unchanged (its sequence number stays), one revised twice. The
 * parallel build must leave what the serial one leaves: the same releases with the same texts,
 * in the same order of sequence numbers. */
START_TEST(parallel_build_revisions_across_shards)
{
    enum { N = 200, REVISED = 160 }; /* about 80 revisions a writer: more than it holds back */
    char path[600];
    snprintf(path, sizeof path, "%s/src/rev.jsonl", tmpdir);
    put_file("src/rev.jsonl", "");
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < N; i++)
        fprintf(f, "{\"id\": \"r%03d\", \"paragraphs\": [\"original text of release %d\"]}\n", i, i);
    for (int i = 0; i < REVISED; i++)
        fprintf(f, "{\"id\": \"r%03d\", \"paragraphs\": [\"revised text of release %d\", \"more\"]}\n", i, i);
    fprintf(f, "{\"id\": \"r170\", \"paragraphs\": [\"original text of release 170\"]}\n");
    fprintf(f, "{\"id\": \"r171\", \"paragraphs\": [\"a first revision\"]}\n");
    fprintf(f, "{\"id\": \"r171\", \"paragraphs\": [\"a second revision\"]}\n");
    /* The last release read: its writer's current shard still holds it. */
    fprintf(f, "{\"id\": \"r199\", \"paragraphs\": [\"the last one revised\"]}\n");
    fclose(f);
    const char *paths[] = {path};
    static char state[2][N][200];
    static char order[2][N][32];
    uint64_t releases[2], passages[2];
    setenv("PRESSINDEX_SHARD_PASSAGES", "1", 1);
    for (int parallel = 0; parallel < 2; parallel++) {
        setenv("PRESSINDEX_THREADS", parallel ? "2" : "1", 1);
        pressindex *idx = open_writer();
        pressindex_index_summary sum;
        pressindex_index_summary_init(&sum);
        pressindex_status st = pressindex_index_paths(idx, paths, 1, NULL, &sum);
        ck_assert_msg(st == PRESSINDEX_OK, "%s", pressindex_last_error(idx));
        ck_assert_uint_eq(sum.releases, N);
        pressindex_stats stats;
        ck_assert_int_eq(pressindex_get_stats(idx, &stats), PRESSINDEX_OK);
        releases[parallel] = stats.releases;
        passages[parallel] = stats.passages;
        for (int i = 0; i < N; i++) {
            char id[16], seq[32];
            snprintf(id, sizeof id, "r%03d", i);
            release_state(idx, id, state[parallel][i], sizeof state[parallel][i]);
            release_seq(idx, id, seq);
            /* The ids in the order of their sequence numbers (fixed-width hex), after sorting. */
            snprintf(order[parallel][i], sizeof order[parallel][i], "%s %s", seq, id);
        }
        qsort(order[parallel], N, sizeof order[parallel][0], (int (*)(const void *, const void *))strcmp);
        /* Exactly one document per release with text: a superseded version left in another shard
         * would be a second one. */
        pressindex_search_options so;
        pressindex_search_options_init(&so);
        so.query = "original";
        so.exact = 1;
        pressindex_results *res = search_with(idx, &so);
        ck_assert_uint_eq(pressindex_results_total(res, NULL), N - REVISED - 2);
        pressindex_results_destroy(res);
        pressindex_destroy(idx);
        char cmd[700];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dbpath);
        ck_assert_int_eq(system(cmd), 0);
    }
    unsetenv("PRESSINDEX_SHARD_PASSAGES");
    unsetenv("PRESSINDEX_THREADS");
    ck_assert_uint_eq(releases[1], releases[0]);
    ck_assert_uint_eq(passages[1], passages[0]);
    ck_assert_uint_eq(passages[1], 2 * REVISED + (N - REVISED));
    for (int i = 0; i < N; i++) {
        ck_assert_str_eq(state[1][i], state[0][i]);
        /* The sequence numbers themselves differ (the parallel build numbers in reading order);
         * the ids' order by them must not. */
        ck_assert_str_eq(strchr(order[1][i], ' '), strchr(order[0][i], ' '));
    }
    ck_assert_str_eq(state[1][0], "revised text of release 0|more|");
    ck_assert_str_eq(state[1][171], "a second revision|");
    ck_assert_str_eq(state[1][170], "original text of release 170|");
    ck_assert_str_eq(state[1][199], "the last one revised|");
}
END_TEST

START_TEST(index_from_memory)
{
    pressindex *idx = open_writer();
    static const char text[] = "Date: July 30, 2025\nTitle: A title\n\nFirst paragraph about zebras.\n\nSecond one.\n";
    pressindex_index_stats st;
    ck_assert_int_eq(pressindex_index_buffer(idx, text, strlen(text), "mem/one.txt", NULL, &st), PRESSINDEX_OK);
    ck_assert_uint_eq(st.releases, 1);
    ck_assert_uint_eq(st.passages, 2);
    static const char jsonl[] =
        "{\"id\": \"j1\", \"date\": \"2024-01-02\", \"paragraphs\": [\"Giraffes in memory.\"]}\n"
        "not json\n"
        "{\"id\": \"j2\", \"paragraphs\": [\"Okapis too.\"]}\n";
    pressindex_index_options o;
    pressindex_index_options_init(&o);
    int problems = 0;
    o.on_problem = count_problem;
    o.user = &problems;
    ck_assert_int_eq(pressindex_index_buffer(idx, jsonl, strlen(jsonl), "mem.jsonl", &o, &st), PRESSINDEX_ERR_DATA);
    ck_assert_uint_eq(st.releases, 2);
    ck_assert_uint_eq(st.skipped, 1);
    ck_assert_int_eq(problems, 1);
    pressindex_results *res = search(idx, "zebras");
    ck_assert_uint_eq(pressindex_results_count(res), 1);
    ck_assert_str_eq(pressindex_result_release(res, 0), "mem/one.txt");
    ck_assert_str_eq(pressindex_result_date(res, 0), "2025-07-30");
    pressindex_results_destroy(res);
    res = search(idx, "okapis OR giraffes");
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

START_TEST(replace_and_delete)
{
    pressindex *idx = open_writer();
    add_two(idx);
    static const char *const one[] = {"Only one paragraph now."};
    pressindex_release a = {"akorda/1", "2025-07-31", NULL, NULL, NULL, NULL, one, 1};
    ck_assert_int_eq(pressindex_add_release(idx, &a), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    pressindex_stats st;
    ck_assert_int_eq(pressindex_get_stats(idx, &st), PRESSINDEX_OK);
    ck_assert_uint_eq(st.releases, 2);
    ck_assert_uint_eq(st.passages, 4);
    ck_assert_int_eq(pressindex_delete_release(idx, "akorda/2"), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_delete_release(idx, "no/such/release"), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_get_stats(idx, &st), PRESSINDEX_OK);
    ck_assert_uint_eq(st.releases, 1);
    ck_assert_uint_eq(st.passages, 1);
    pressindex_destroy(idx);
}
END_TEST

START_TEST(edit_keeps_unchanged_paragraphs)
{
    pressindex *idx = open_writer();
    add_two(idx);
    /* Same metadata, one paragraph changed, one appended: the result is exactly the new text. */
    static const char *const edited[] = {
        "Kassym-Jomart Tokayev met Recep Tayyip Erdoğan in Ankara.",
        "Photo credit: Akorda",
        "The presidents discussed the Organization of Turkic States and zebra crossings.",
        "Tokayev’s visit ended with a ceremony at the Işık University.",
        "An appended paragraph about giraffes.",
    };
    pressindex_release a = {"akorda/1", "2025-07-30", "Tokayev visits Türkiye", "Akorda",
                            "https://akorda.kz/1", "en", edited, 5};
    ck_assert_int_eq(pressindex_add_release(idx, &a), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    pressindex_stats st;
    ck_assert_int_eq(pressindex_get_stats(idx, &st), PRESSINDEX_OK);
    ck_assert_uint_eq(st.passages, 8);
    pressindex_results *res = NULL;
    ck_assert_int_eq(pressindex_get_release(idx, "akorda/1", &res), PRESSINDEX_OK);
    ck_assert_uint_eq(pressindex_results_count(res), 5);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(pressindex_result_paragraph(res, i), i + 1);
        ck_assert_str_eq(pressindex_result_text(res, i), edited[i]);
    }
    pressindex_results_destroy(res);
    res = search(idx, "turnover");
    ck_assert_uint_eq(pressindex_results_count(res), 0);
    pressindex_results_destroy(res);
    res = search(idx, "giraffes");
    ck_assert_uint_eq(pressindex_results_count(res), 1);
    pressindex_results_destroy(res);
    /* A paragraph dropped from the end goes too. */
    a.n_paragraphs = 2;
    ck_assert_int_eq(pressindex_add_release(idx, &a), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_get_stats(idx, &st), PRESSINDEX_OK);
    ck_assert_uint_eq(st.passages, 5);
    pressindex_destroy(idx);
}
END_TEST

/* A release longer than one texts block (schema 5: its texts stored as blocks of about 16 KB that
 * inflate apart): show gives every paragraph as written, and a search for any paragraph gives its
 * text and its neighbours, also across block boundaries. */
START_TEST(long_release_texts_in_blocks)
{
    enum { N = 90 };
    static char bufs[N][700];
    const char *pars[N];
    char word[N][8];
    for (int k = 0; k < N; k++) {
        snprintf(word[k], sizeof word[k], "zq%c%cx", 'a' + k / 26, 'a' + k % 26);
        int at = snprintf(bufs[k], sizeof bufs[k], "Paragraph %d holds %s", k + 1, word[k]);
        /* Text that compresses: a block then holds some 16 KB of it. */
        while (at < 600)
            at += snprintf(bufs[k] + at, sizeof bufs[k] - (size_t)at, " and the words of paragraph %d", k + 1);
        pars[k] = bufs[k];
    }
    pressindex *idx = open_writer();
    pressindex_release r = {"long/1", "2025-08-01", "A long briefing", "Akorda", NULL, "en", pars, N};
    add_committed(idx, &r, 1);
    pressindex_results *res = NULL;
    ck_assert_int_eq(pressindex_get_release(idx, "long/1", &res), PRESSINDEX_OK);
    ck_assert_uint_eq(pressindex_results_count(res), N);
    for (size_t i = 0; i < N; i++)
        ck_assert_str_eq(pressindex_result_text(res, i), pars[i]);
    pressindex_results_destroy(res);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.context = 2;
    for (int k = 0; k < N; k++) {
        so.query = word[k];
        res = search_with(idx, &so);
        ck_assert_uint_eq(pressindex_results_count(res), 1);
        ck_assert_str_eq(pressindex_result_text(res, 0), pars[k]);
        for (long d = -2; d <= 2; d++) {
            if (!d)
                continue;
            unsigned pno = 0;
            const char *t = pressindex_result_context(res, 0, d, &pno);
            if (k + d < 0 || k + d >= N)
                ck_assert_ptr_null(t);
            else {
                ck_assert_ptr_nonnull(t);
                ck_assert_str_eq(t, pars[k + d]);
                ck_assert_uint_eq(pno, (unsigned)(k + d + 1));
            }
        }
        pressindex_results_destroy(res);
    }
    pressindex_destroy(idx);
}
END_TEST

START_TEST(uncommitted_changes_are_discarded)
{
    pressindex *idx = open_writer();
    add_two(idx);
    static const char *const one[] = {"Never committed."};
    pressindex_release c = {"akorda/3", NULL, NULL, NULL, NULL, NULL, one, 1};
    ck_assert_int_eq(pressindex_add_release(idx, &c), PRESSINDEX_OK);
    pressindex_destroy(idx);
    idx = open_reader();
    pressindex_stats st;
    ck_assert_int_eq(pressindex_get_stats(idx, &st), PRESSINDEX_OK);
    ck_assert_uint_eq(st.releases, 2);
    ck_assert_uint_eq(st.passages, 7);
    pressindex_destroy(idx);
}
END_TEST

START_TEST(impossible_date_is_stored_undated)
{
    pressindex *idx = open_writer();
    static const char *const one[] = {"A release with a bad date."};
    pressindex_release r = {"bad/date", "2024-02-30", NULL, NULL, NULL, NULL, one, 1};
    ck_assert_int_eq(pressindex_add_release(idx, &r), PRESSINDEX_ERR_DATA);
    ck_assert_ptr_nonnull(strstr(pressindex_last_error(idx), "2024-02-30"));
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    pressindex_results *res = search(idx, "bad date");
    ck_assert_uint_eq(pressindex_results_count(res), 1);
    ck_assert_str_eq(pressindex_result_date(res, 0), "");
    pressindex_results_destroy(res);
    pressindex_release noid = {NULL, NULL, NULL, NULL, NULL, NULL, one, 1};
    ck_assert_int_eq(pressindex_add_release(idx, &noid), PRESSINDEX_ERR_INVALID_ARGUMENT);
    pressindex_destroy(idx);
}
END_TEST

START_TEST(reader_cannot_write)
{
    pressindex_destroy(open_writer());
    pressindex *idx = open_reader();
    static const char *const one[] = {"x"};
    pressindex_release r = {"x", NULL, NULL, NULL, NULL, NULL, one, 1};
    ck_assert_int_eq(pressindex_add_release(idx, &r), PRESSINDEX_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_ERR_INVALID_ARGUMENT);
    pressindex_destroy(idx);
}
END_TEST

/* ---- searching ---- */

/* Folding: each query must find the paragraph of the given release and number. */
static const struct {
    const char *query, *release;
    unsigned paragraph;
} fold_rows[] = {
    {"Erdogan", "akorda/1", 1},
    {"ERDOĞAN", "akorda/1", 1},
    {"Isik", "akorda/1", 4},
    {"IŞIK", "akorda/1", 4},
    {"Tokayev's visit", "akorda/1", 4},
    {"\"Tokayev's visit\"", "akorda/1", 4},
    {"Turkiye", "akorda/2", 3},
    {"türkiye kazakhstan", "akorda/2", 3},
    {"cooperation transport", "akorda/2", 3}, /* stemming: cooperate */
    {"Kassym-Jomart", "akorda/1", 1},
    {"Kazakh*", "akorda/2", 3},
};

START_TEST(folding_and_stemming)
{
    pressindex *idx = open_writer();
    add_two(idx);
    pressindex_results *res = search(idx, fold_rows[_i].query);
    ck_assert_msg(pressindex_results_count(res) >= 1, "%s: nothing found", fold_rows[_i].query);
    ck_assert_str_eq(pressindex_result_release(res, 0), fold_rows[_i].release);
    ck_assert_uint_eq(pressindex_result_paragraph(res, 0), fold_rows[_i].paragraph);
    size_t n;
    const size_t *offs;
    pressindex_result_highlights(res, 0, &offs, &n);
    ck_assert_msg(n >= 1, "%s: no highlight", fold_rows[_i].query);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* DECISIONS.md, "What a passage match is": a passage matches when it alone satisfies the query's
 * words and operators; title: applies to its release. Schema 3 keeps a release in one document, so
 * these are decided inside it (passage.c), and must come out as they did paragraph by paragraph. */
static const struct {
    const char *query;
    const char *expect; /* "release#paragraph ..." sorted, or "" */
} alone_rows[] = {
    /* Words in two paragraphs of one release: no paragraph holds both. */
    {"Erdogan AND ceremony", ""},
    {"+Erdogan +ceremony", ""},
    {"\"Erdogan ceremony\"", ""},
    {"Erdogan NEAR ceremony", ""},
    /* An exclusion in another paragraph does not exclude this one. */
    {"Tokayev -ceremony", "akorda/1#1"},
    {"Tokayev NOT Ankara", "akorda/1#4"},
    {"Erdogan XOR ceremony", "akorda/1#1 akorda/1#4"},
    /* The title is the release's: it excludes every paragraph, and filters every paragraph. */
    {"Tokayev -title:visits", ""},
    {"title:visits AND ceremony", "akorda/1#4"},
    {"title:cooperation AND Photo", "akorda/2#2"},
    /* Matched by the title alone (OR), a release gives its lead. */
    {"title:visits ceremony", "akorda/1#1 akorda/1#4"},
    {"title:cooperation OR Photo", "akorda/1#2 akorda/2#1 akorda/2#2"},
};

START_TEST(passage_alone_satisfies)
{
    pressindex *idx = open_writer();
    add_two(idx);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = alone_rows[_i].query;
    so.collapse = 0;
    so.limit = 100;
    pressindex_results *res = search_with(idx, &so);
    char got[512] = "";
    const char *ids[32];
    unsigned pnos[32];
    size_t n = pressindex_results_count(res);
    for (size_t i = 0; i < n && i < 32; i++) {
        ids[i] = pressindex_result_release(res, i);
        pnos[i] = pressindex_result_paragraph(res, i);
    }
    /* sorted by release, then paragraph */
    for (size_t i = 1; i < n && i < 32; i++)
        for (size_t j = i; j > 0 && (strcmp(ids[j - 1], ids[j]) > 0 ||
                                     (!strcmp(ids[j - 1], ids[j]) && pnos[j - 1] > pnos[j])); j--) {
            const char *ts = ids[j];
            unsigned tp = pnos[j];
            ids[j] = ids[j - 1];
            pnos[j] = pnos[j - 1];
            ids[j - 1] = ts;
            pnos[j - 1] = tp;
        }
    for (size_t i = 0; i < n && i < 32; i++)
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s#%u", i ? " " : "", ids[i], pnos[i]);
    ck_assert_msg(!strcmp(got, alone_rows[_i].expect), "%s: got \"%s\", expected \"%s\"",
                  alone_rows[_i].query, got, alone_rows[_i].expect);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

START_TEST(title_weight_counts)
{
    pressindex *idx = open_writer();
    add_two(idx);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "Turkic";
    so.title_weight = 0;
    so.release_weight = 0;
    pressindex_results *res = NULL;
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    double plain = pressindex_result_score(res, 0);
    pressindex_results_destroy(res);
    /* akorda/2's title is "Turkic cooperation": its passage gains a whole title_weight. */
    so.title_weight = 2;
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
    ck_assert_str_eq(pressindex_result_release(res, 0), "akorda/2");
    ck_assert(pressindex_result_score(res, 0) > plain);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* The highlighter and the index must split words the same way: every word the tokenizer finds in
 * a seed paragraph, searched as typed, finds that paragraph, highlighted exactly at that word. */
START_TEST(tokenizer_agrees_with_index)
{
    pressindex *idx = open_writer();
    ck_assert_int_eq(pressindex_index_path(idx, FIXTURES_DIR "/releases/000_7a5d2ef6bf956f73.txt", NULL, NULL),
                     PRESSINDEX_OK);
    pressindex_results *rel = NULL;
    ck_assert_int_eq(pressindex_get_release(idx, "000_7a5d2ef6bf956f73.txt", &rel), PRESSINDEX_OK);
    size_t checked = 0;
    for (size_t p = 0; p < pressindex_results_count(rel); p++) {
        const char *text = pressindex_result_text(rel, p);
        unsigned pno = pressindex_result_paragraph(rel, p);
        size_t len = strlen(text), at = 0, ws, we;
        while (pi_word_next(text, len, &at, &ws, &we)) {
            char q[256];
            if (we - ws + 3 > sizeof q)
                continue;
            snprintf(q, sizeof q, "\"%.*s\"", (int)(we - ws), text + ws);
            pressindex_search_options so;
            pressindex_search_options_init(&so);
            so.query = q;
            so.collapse = 0;
            so.limit = 100;
            pressindex_results *res = NULL;
            ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
            int found = 0;
            for (size_t i = 0; i < pressindex_results_count(res) && !found; i++) {
                if (pressindex_result_paragraph(res, i) != pno)
                    continue;
                const size_t *offs;
                size_t n;
                pressindex_result_highlights(res, i, &offs, &n);
                for (size_t k = 0; k < n; k++)
                    found |= offs[2 * k] == ws && offs[2 * k + 1] == we;
            }
            ck_assert_msg(found, "word %s of paragraph %u not found or not highlighted there", q, pno);
            pressindex_results_destroy(res);
            checked++;
        }
    }
    ck_assert_uint_ge(checked, 500);
    pressindex_results_destroy(rel);
    pressindex_destroy(idx);
}
END_TEST

/* A word longer than PI_MAX_TERM once folded is not indexed, so it matches nothing and is never
 * highlighted, typed in quotes or not, even when its stem is short enough to be a term (found by
 * fuzzing: a quoted 130-letter word was highlighted in a paragraph found by another word). */
START_TEST(overlong_words_not_highlighted)
{
    char lng[PI_MAX_TERM + 32], ing[PI_MAX_TERM + 8], para[3 * PI_MAX_TERM], q[3 * PI_MAX_TERM];
    memset(lng, 'z', PI_MAX_TERM + 30);
    lng[PI_MAX_TERM + 30] = '\0';
    memset(ing, 'a', PI_MAX_TERM - 2); /* 101 letters, stem "aaa...a" of 98 */
    memcpy(ing + PI_MAX_TERM - 2, "ing", 4);
    snprintf(para, sizeof para, "The summit %s and %s ended.", lng, ing);
    const char *pars[] = {para};
    pressindex_release r = {"long/1", NULL, NULL, NULL, NULL, NULL, pars, 1};
    pressindex *idx = open_writer();
    add_committed(idx, &r, 1);
    const char *forms[] = {"summit \"%s\"", "summit %s"};
    for (size_t f = 0; f < 2; f++)
        for (size_t w = 0; w < 2; w++) {
            snprintf(q, sizeof q, forms[f], w ? ing : lng);
            pressindex_results *res = search(idx, q);
            ck_assert_uint_eq(pressindex_results_count(res), 1);
            const size_t *offs;
            size_t n;
            pressindex_result_highlights(res, 0, &offs, &n);
            ck_assert_msg(n == 1 && offs[1] - offs[0] == 6, "%.40s...: %zu words highlighted", q, n);
            pressindex_results_destroy(res);
        }
    pressindex_destroy(idx);
}
END_TEST

/* The words of a quoted phrase are highlighted where the phrase is, not wherever one of them
 * appears; words typed outside quotes are highlighted everywhere. */
START_TEST(phrase_words_highlighted_as_the_phrase)
{
    pressindex *idx = open_writer();
    add_two(idx);
    static const struct {
        const char *query, *release;
        unsigned paragraph;
        const char *want; /* the highlighted words, joined by '|' */
    } rows[] = {
        {"\"Turkic States\" OR discussed", "akorda/1", 3, "discussed|Turkic|States"},
        {"\"Turkic States\" OR discussed", "akorda/2", 1, "discussed"},
        {"\"Turkic States\" OR discussed OR Turkic", "akorda/2", 1, "Turkic|discussed"},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        pressindex_results *res = search(idx, rows[r].query);
        int seen = 0;
        for (size_t i = 0; i < pressindex_results_count(res); i++) {
            if (strcmp(pressindex_result_release(res, i), rows[r].release) ||
                pressindex_result_paragraph(res, i) != rows[r].paragraph)
                continue;
            seen = 1;
            const char *text = pressindex_result_text(res, i);
            const size_t *offs;
            size_t n;
            pressindex_result_highlights(res, i, &offs, &n);
            char got[256] = "";
            for (size_t k = 0; k < n; k++) /* n words, 2 offsets each */
                snprintf(got + strlen(got), sizeof got - strlen(got), "%s%.*s", k ? "|" : "",
                         (int)(offs[2 * k + 1] - offs[2 * k]), text + offs[2 * k]);
            ck_assert_msg(!strcmp(got, rows[r].want), "%s on %s #%u: highlighted %s, want %s",
                          rows[r].query, rows[r].release, rows[r].paragraph, got, rows[r].want);
        }
        ck_assert_msg(seen, "%s: %s #%u not found", rows[r].query, rows[r].release, rows[r].paragraph);
        pressindex_results_destroy(res);
    }
    pressindex_destroy(idx);
}
END_TEST

START_TEST(did_you_mean)
{
    pressindex *idx = open_writer();
    add_two(idx);
    pressindex_results *res = search(idx, "Erdgan Ankra");
    ck_assert_uint_eq(pressindex_results_count(res), 0);
    ck_assert_str_eq(pressindex_results_suggestion(res), "Erdogan Ankara"); /* as typed: capitals */
    pressindex_results_destroy(res);
    /* An excluded word the index lacks is excluded already: left as typed, wherever it is. */
    const char *excl[][2] = {{"Erdgan -Ankra", "Erdogan -Ankra"},
                             {"Erdgan -(Ankra OR Tokayv)", "Erdogan -(Ankra OR Tokayv)"},
                             {"erdgan NOT (Ankra)", "erdogan NOT (Ankra)"},
                             {"ERDGAN -\"Ankra met\"", "ERDOGAN -\"Ankra met\""}};
    for (size_t i = 0; i < sizeof excl / sizeof excl[0]; i++) {
        res = search(idx, excl[i][0]);
        ck_assert_str_eq(pressindex_results_suggestion(res), excl[i][1]);
        pressindex_results_destroy(res);
    }
    /* Known words: no suggestion. */
    res = search(idx, "Erdogan");
    ck_assert_str_eq(pressindex_results_suggestion(res), "");
    pressindex_results_destroy(res);
    /* A correction that spells a field before its ':' would make a query that does not parse
     * ("title:" has no value): no suggestion then (found by fuzzing). */
    const char *const fields[] = {"The title and the date were given at the end."};
    pressindex_release c = {"akorda/3", NULL, NULL, NULL, NULL, NULL, fields, 1};
    add_committed(idx, &c, 1);
    const char *colon[][2] = {{"erdgan titel", "erdogan title"}, /* a word: corrected */
                              {"Erdgan titel:", ""},
                              {"datte: Erdgan", ""}};
    for (size_t i = 0; i < sizeof colon / sizeof colon[0]; i++) {
        res = search(idx, colon[i][0]);
        ck_assert_msg(!strcmp(pressindex_results_suggestion(res), colon[i][1]), "%s: suggested \"%s\"",
                      colon[i][0], pressindex_results_suggestion(res));
        pressindex_results_destroy(res);
    }
    pressindex_destroy(idx);
}
END_TEST

static pressindex_results *search_uncollapsed(pressindex *idx, const char *q, const char *lang)
{
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = q;
    so.lang = lang;
    so.collapse = 0;
    return search_with(idx, &so);
}

/* The release ids and paragraphs of res, "id#n id#n ...", and the highlighted bytes of each. */
static void describe_hits(const pressindex_results *res, pi_test_buf *ids, pi_test_buf *hl)
{
    ids->len = hl->len = 0;
    ids->s[0] = hl->s[0] = '\0';
    for (size_t i = 0; i < pressindex_results_count(res); i++) {
        ids->len += (size_t)snprintf(ids->s + ids->len, sizeof ids->s - ids->len, "%s%s#%u", i ? " " : "",
                                     pressindex_result_release(res, i), pressindex_result_paragraph(res, i));
        const size_t *offs;
        size_t n;
        const char *text = pressindex_result_text(res, i);
        pressindex_result_highlights(res, i, &offs, &n);
        for (size_t k = 0; k < n; k++)
            hl->len += (size_t)snprintf(hl->s + hl->len, sizeof hl->s - hl->len, "[%.*s]",
                                        (int)(offs[2 * k + 1] - offs[2 * k]), text + offs[2 * k]);
        hl->len += (size_t)snprintf(hl->s + hl->len, sizeof hl->s - hl->len, "|");
    }
}

/* Issue 16, every language: without a language, each word is also looked up as each of the
 * index's languages stems it (in that language's releases); scripts without spaces are split
 * into characters. The multilingual fixtures, searched. */
START_TEST(every_language_is_searched)
{
    pressindex *idx = open_writer();
    ck_assert_int_eq(pressindex_index_path(idx, FIXTURES_DIR "/world", NULL, NULL), PRESSINDEX_OK);
    static const struct { const char *query, *lang, *hits, *highlights; } rows[] = {
        /* Turkish: the Turkish stemmer's forms of the name (its English stem finds none). */
        {"Erdogan", NULL, "world/tr_iletisim_2025-03-12.txt#4 world/tr_iletisim_2025-03-12.txt#2 "
                          "world/tr_iletisim_2025-03-12.txt#1", "[Erdoğan]|[Erdoğan'ın]|[Erdoğan]|"},
        {"Erdogan", "en", "", ""},
        /* Russian: any case of the word finds its other cases. */
        {"переговоры", NULL, "world/ru_kremlin_2025-02-18.txt#3 world/ru_kremlin_2025-02-18.txt#2 "
                             "world/ru_kremlin_2025-02-18.txt#1", "[переговоров]|[переговоров]|[переговоры]|"},
        {"переговоры", "en", "", ""},
        /* NEAR in one language at a time: the Russian stems of both operands. */
        {"переговоры NEAR Казахстан", NULL, "world/ru_kremlin_2025-02-18.txt#1", "[переговоры][Казахстан]|"},
        {"переговоры NEAR Казахстан", "en", "", ""},
        /* Chinese: a word of two characters inside a run; highlights on its characters. */
        {"中亚", NULL, "world/zh_xinhua_2025-05-20.txt#3", "[中][亚]|"},
        {"习近平 会谈", NULL, NULL, NULL},
        /* Japanese: kanji and katakana. */
        {"首脳会談", NULL, "world/ja_kantei_2025-04-08.txt#1", "[首][脳][会][談]|"},
        {"カザフスタン 大統領", NULL, NULL, NULL},
    };
    pi_test_buf ids, hl;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        pressindex_results *res = search_uncollapsed(idx, rows[r].query, rows[r].lang);
        describe_hits(res, &ids, &hl);
        if (!rows[r].hits)
            ck_assert_msg(pressindex_results_count(res) > 0, "%s: nothing found", rows[r].query);
        else
            ck_assert_msg(!strcmp(ids.s, rows[r].hits) && !strcmp(hl.s, rows[r].highlights),
                          "%s (lang %s):\n  got  %s  %s\n  want %s  %s", rows[r].query,
                          rows[r].lang ? rows[r].lang : "none", ids.s, hl.s, rows[r].hits, rows[r].highlights);
        pressindex_results_destroy(res);
    }
    /* Each language's form matches that language's releases only: the Turkish stem of "summitler"
     * is "summit", an English release's word; with --lang tr (one language, any release) it
     * finds the English release too. */
    static const char *const en[] = {"The summit opened in Astana on Monday."};
    static const char *const tr[] = {"Liderler summitler için Astana'da toplandı."};
    pressindex_release rs[] = {{"lang/en", NULL, NULL, NULL, NULL, "en", en, 1},
                               {"lang/tr", NULL, NULL, NULL, NULL, "tr", tr, 1}};
    add_committed(idx, rs, 2);
    pressindex_results *res = search_uncollapsed(idx, "summitler", NULL);
    describe_hits(res, &ids, &hl);
    ck_assert_str_eq(ids.s, "lang/tr#1");
    pressindex_results_destroy(res);
    res = search_uncollapsed(idx, "summitler", "tr");
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* Issue 16, matches a reporter expects: a possessive is the name, a plural after digits the
 * number, and F-16 and F16 are one another. */
START_TEST(reporter_forms_match)
{
    pressindex *idx = open_writer();
    ck_assert_int_eq(pressindex_index_path(idx, FIXTURES_DIR "/world/en_defense_2025-06-02.txt", NULL, NULL),
                     PRESSINDEX_OK);
    static const struct { const char *query, *hits, *highlights; } rows[] = {
        {"Xi", "en_defense_2025-06-02.txt#3", "[Xi’s]|"},
        {"Xi's", "en_defense_2025-06-02.txt#3", "[Xi’s]|"},
        {"F-16", "en_defense_2025-06-02.txt#1 en_defense_2025-06-02.txt#2", "[F][16s]|[F16]|"},
        {"F16", "en_defense_2025-06-02.txt#1 en_defense_2025-06-02.txt#2", "[F][16s]|[F16]|"},
        {"F-16s", "en_defense_2025-06-02.txt#1 en_defense_2025-06-02.txt#2", "[F][16s]|[F16]|"},
        {"\"F-16\"", "en_defense_2025-06-02.txt#1", "[F][16s]|"}, /* quoted: as typed */
        {"1990", "en_defense_2025-06-02.txt#3", "[1990s]|"},
    };
    pi_test_buf ids, hl;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        pressindex_results *res = search_uncollapsed(idx, rows[r].query, NULL);
        describe_hits(res, &ids, &hl);
        ck_assert_msg(!strcmp(ids.s, rows[r].hits) && !strcmp(hl.s, rows[r].highlights),
                      "%s:\n  got  %s  %s\n  want %s  %s", rows[r].query, ids.s, hl.s, rows[r].hits,
                      rows[r].highlights);
        pressindex_results_destroy(res);
    }
    pressindex_destroy(idx);
}
END_TEST

/* Issue 16, did you mean when it matters: fixtures/spelling holds 25 briefings with "Harris" and
 * "president" and one with the typos "Haris" and "presdient". Results exist for each query, and
 * the suggestion is written in the case typed. */
START_TEST(did_you_mean_with_results)
{
    pressindex *idx = open_writer();
    ck_assert_int_eq(pressindex_index_path(idx, FIXTURES_DIR "/spelling", NULL, NULL), PRESSINDEX_OK);
    static const char *const rows[][2] = {
        {"Kamala Haris", "Kamala Harris"},
        {"Presdient Biden semicondutor", "President Biden semiconductor"},
        {"presdient biden", "president biden"},
        {"HARIS", "HARRIS"},
        {"presdient", "president"}, /* one passage found: fewer than 3, the same rule */
        {"Kamala Harris semiconductor", ""}, /* right: nothing to say */
        {"Haris leaders -Arizona", "Harris leaders -Arizona"},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        pressindex_results *res = search(idx, rows[r][0]);
        ck_assert_msg(pressindex_results_count(res) > 0, "%s: nothing found", rows[r][0]);
        ck_assert_msg(!strcmp(pressindex_results_suggestion(res), rows[r][1]), "%s: suggested \"%s\", want \"%s\"",
                      rows[r][0], pressindex_results_suggestion(res), rows[r][1]);
        pressindex_results_destroy(res);
    }
    pressindex_destroy(idx);
    /* A rare word next to one less than 20 times as frequent is not corrected: 10 releases with
     * "Harris", 1 with "Haris" (a name of its own, say). */
    teardown();
    setup();
    idx = open_writer();
    static const char *const harris[] = {"Vice President Harris spoke in Atlanta."};
    static const char *const haris[] = {"Minister Haris Silajdzic met the delegation."};
    for (int i = 0; i < 10; i++) {
        char id[16];
        snprintf(id, sizeof id, "h/%d", i);
        pressindex_release r = {id, NULL, NULL, NULL, NULL, NULL, harris, 1};
        ck_assert_int_eq(pressindex_add_release(idx, &r), PRESSINDEX_OK);
    }
    pressindex_release one = {"h/haris", NULL, NULL, NULL, NULL, NULL, haris, 1};
    add_committed(idx, &one, 1);
    pressindex_results *res = search(idx, "Haris delegation");
    ck_assert_uint_gt(pressindex_results_count(res), 0);
    ck_assert_str_eq(pressindex_results_suggestion(res), "");
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* Query-language features on the two releases: each row, the releases/paragraphs expected. */
static const struct {
    const char *query;
    size_t count;
} lang_rows[] = {
    {"Erdogan AND Ankara", 1},                 /* akorda/1 #1 */
    {"Turkic NOT Organization", 0},            /* both Turkic paragraphs mention organization */
    {"Turkic -transport", 2},
    {"+Kazakhstan transport", 1},
    {"(Tokayev OR Kazakhstan) AND transport", 1},
    {"Tokayev NEAR ceremony", 1},
    {"Tokayev NEAR/2 ceremony", 0},            /* 4 words apart */
    {"presidents NEAR/10 trade", 1},
    {"presidents NEAR/3 trade", 0},
    {"title:cooperation", 1},                  /* a title is found on its release's first passage */
    {"title:\"Tokayev visits\"", 1},
    {"title:\"visits Tokayev\"", 0},
    {"source:Akorda Turkic", 2},
    {"source:\"Someone Else\" Turkic", 0},
    {"Kaz*", 1},
    {"presidents*", 1},                        /* the index holds "presid": the word's stem too */
    {"cooperation*", 1},                       /* "cooperate" shares the stem "cooper" */
    {"Turkic -presidents*", 1},
    {"+presidents* Turkic", 1},
    {"NOT Turkic", 5},
    {"-Turkic", 5},                            /* excluded words only: everything else */
    {"-Turkic -Photo", 3},
    {"Turkic -(transport OR organization)", 0}, /* '-' before a bracket is NOT */
    {"-Turkic the", 1},                        /* nothing else to search: the stopword stays */
    {"-Turkic ,", 5},                          /* punctuation is not something to search */
    {"Tokayev -(Turkic) date:2025", 2},        /* a filter may follow -( ) */
    {"Turkic XOR presidents", 1},
    /* Limits the query tree lifted (issue 13): each was refused or found nothing before. */
    {"Tokayev -(Turkic) Erdogan", 2},          /* -( ) anywhere: akorda/1 #1 and #4 */
    {"-(transport) Kazakhstan Turkic", 2},     /* even first: akorda/1 #3, akorda/2 #1 */
    {"+(Kazakhstan OR Ankara) Tokayev", 2},    /* +( ): akorda/1 #1, akorda/2 #3 */
    {"+(Kazakhstan OR Ankara) +Tokayev", 1},
    {"title:(cooperation Tokayev)", 2},        /* title:( ): both releases' first passages */
    {"title:(visits AND cooperation)", 0},
    {"title:Tok*", 1},                         /* title wildcards */
    {"title:Turk*", 2},                        /* "turkiy" and "turkic" */
    {"Tokayev NEAR \"Recep Tayyip\"", 1},      /* NEAR takes phrases */
    {"Erdogan NEAR/1 \"Recep Tayyip\"", 1},
    {"ceremony NEAR \"Recep Tayyip\"", 0},
    {"Kassym-Jomart NEAR Erdogan", 1},         /* and hyphenated words */
    {"Kassym-Jomart NEAR ceremony", 0},
    {"Tokayev NEAR ceremony Ankara", 2},       /* NEAR beside other words: akorda/1 #4, #1 */
    {"Turkic -source:Akorda", 0},              /* signed filters exclude */
    {"Turkic -date:2025", 1},                  /* akorda/2 #1, of 2024 */
};

START_TEST(query_language)
{
    pressindex *idx = open_writer();
    add_two(idx);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = lang_rows[_i].query;
    so.collapse = 0;
    so.limit = 100;
    pressindex_results *res = NULL;
    ck_assert_msg(pressindex_search(idx, &so, &res) == PRESSINDEX_OK, "%s: %s", so.query,
                  pressindex_last_error(idx));
    ck_assert_msg(pressindex_results_count(res) == lang_rows[_i].count, "%s: %zu results, expected %zu",
                  so.query, pressindex_results_count(res), lang_rows[_i].count);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

static const char *const bad_queries[] = {
    "\"Organization of Turkic", "(trade OR tariffs", "trade)", "trade AND", "OR trade",
    "trade AND OR tariffs", "title:", "date:2025-13", "date:2024-02-30", "date:2025-07..2025-01",
    "date:..", "NOT", "trade NOT", "()",
    "date:\"\"", "source:\"  \"", "title:\"\"", "source:\".\" Turkic",
    "Turkic NEAR -(Erdogan)", "-Turkic NEAR Erdogan",
    "Kaz* NEAR Turkic", "(Tokayev OR Erdogan) NEAR ceremony", "Tokayev NEAR/x ceremony",
    "Tokayev NEAR/ ceremony",
};

START_TEST(malformed_queries)
{
    pressindex *idx = open_writer();
    add_two(idx);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = bad_queries[_i];
    pressindex_results *res = (pressindex_results *)1;
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_ERR_BAD_QUERY);
    ck_assert_ptr_null(res);
    ck_assert_msg(strstr(pressindex_last_error(idx), "character") != NULL, "%s: %s", bad_queries[_i],
                  pressindex_last_error(idx));
    /* The position and the message name the same place: byte offset -> 1-based character. */
    long at = pressindex_last_error_position(idx);
    ck_assert_msg(at >= 0 && (size_t)at <= strlen(so.query), "%s: position %ld", so.query, at);
    size_t chars = 1;
    for (long b = 0; b < at; b++)
        chars += ((unsigned char)so.query[b] & 0xC0) != 0x80;
    char want[64];
    snprintf(want, sizeof want, "at character %zu:", chars);
    ck_assert_msg(strstr(pressindex_last_error(idx), want) != NULL, "%s: position %ld, message %s",
                  so.query, at, pressindex_last_error(idx));
    pressindex_destroy(idx);
}
END_TEST

/* Where a malformed query is malformed, as a byte offset (multi-byte characters before it). */
static const struct {
    const char *query;
    long at;
} position_rows[] = {
    {"\"Organization of Turkic", 0},
    {"trade)", 5},
    {"Erdoğan AND", 9},          /* ğ is 2 bytes: character 9, byte 9 */
    {"Türk “Organization of", 6}, /* the curly quote, after the 2-byte ü */
    {"Tokayev NEAR/x ceremony", 8},
    {"(trade OR tariffs", 0},
};

START_TEST(malformed_query_position)
{
    pressindex *idx = open_writer();
    add_two(idx);
    ck_assert_int_eq(pressindex_last_error_position(idx), -1);
    ck_assert_int_eq(pressindex_last_error_position(NULL), -1);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    pressindex_results *res = NULL;
    so.query = position_rows[_i].query;
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_ERR_BAD_QUERY);
    ck_assert_msg(pressindex_last_error_position(idx) == position_rows[_i].at, "%s: %ld, expected %ld (%s)",
                  so.query, pressindex_last_error_position(idx), position_rows[_i].at,
                  pressindex_last_error(idx));
    /* Any other outcome forgets it: a good search, a bad option (no place in the query). */
    so.query = "Turkic";
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
    pressindex_results_destroy(res);
    ck_assert_int_eq(pressindex_last_error_position(idx), -1);
    so.query = position_rows[_i].query;
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_ERR_BAD_QUERY);
    so.query = "Turkic";
    so.since = "2025-13";
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_ERR_BAD_QUERY);
    ck_assert_int_eq(pressindex_last_error_position(idx), -1);
    pressindex_destroy(idx);
}
END_TEST

/* Totals and facets of a search that matches nothing (serve asks for facets on every search). */
START_TEST(facets_of_nothing)
{
    pressindex *idx = open_writer();
    add_two(idx);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "zzqqxxnothing";
    so.facets = 1;
    so.exact = _i;
    pressindex_results *res = NULL;
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
    int exact = -1;
    ck_assert_uint_eq(pressindex_results_total(res, &exact), 0);
    for (int f = PRESSINDEX_FACET_SOURCE; f <= PRESSINDEX_FACET_YEAR; f++)
        ck_assert_uint_eq(pressindex_results_facet_count(res, (pressindex_facet)f), 0);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

START_TEST(filters_sorting_collapse)
{
    pressindex *idx = open_writer();
    add_two(idx);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    pressindex_results *res;

    /* Date filters: query syntax and options. */
    const char *dated[] = {"Turkic date:2025", "Turkic date:2025-07", "Turkic date:2025-07-30",
                           "Turkic date:2025-07-01..2025-07-31", "Turkic date:2025-01..",
                           "Turkic date:2024-03-06.."};
    for (size_t i = 0; i < sizeof dated / sizeof *dated; i++) {
        res = search(idx, dated[i]);
        ck_assert_msg(pressindex_results_count(res) == 1, "%s", dated[i]);
        ck_assert_str_eq(pressindex_result_release(res, 0), "akorda/1");
        pressindex_results_destroy(res);
    }
    so.query = "Turkic";
    so.until = "2024";
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
    ck_assert_uint_eq(pressindex_results_count(res), 1);
    ck_assert_str_eq(pressindex_result_release(res, 0), "akorda/2");
    pressindex_results_destroy(res);
    so.until = NULL;
    so.since = "2025-07-31";
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
    ck_assert_uint_eq(pressindex_results_count(res), 0);
    pressindex_results_destroy(res);
    so.since = "2025-99";
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_ERR_BAD_QUERY);
    so.since = NULL;

    /* Sources. */
    so.source = "akorda";
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    pressindex_results_destroy(res);
    so.source = "Somebody Else";
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
    ck_assert_uint_eq(pressindex_results_count(res), 0);
    pressindex_results_destroy(res);
    so.source = NULL;

    /* Sort by date: newest first. */
    so.query = "Turkic OR Kazakhstan OR Akorda";
    so.sort = PRESSINDEX_SORT_DATE;
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
    ck_assert_uint_ge(pressindex_results_count(res), 3);
    for (size_t i = 1; i < pressindex_results_count(res); i++)
        ck_assert(strcmp(pressindex_result_date(res, i - 1), pressindex_result_date(res, i)) >= 0);
    pressindex_results_destroy(res);
    so.sort = PRESSINDEX_SORT_RELEVANCE;

    /* Identical paragraphs collapse into one, with a count; --no-collapse shows each. */
    so.query = "\"photo credit\"";
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
    ck_assert_uint_eq(pressindex_results_count(res), 1);
    ck_assert_uint_eq(pressindex_result_collapsed(res, 0), 1);
    pressindex_results_destroy(res);
    so.collapse = 0;
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    pressindex_results_destroy(res);

    /* By release: one passage per release. */
    so.query = "Turkic OR Akorda OR Tokayev";
    so.by_release = 1;
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    ck_assert_str_ne(pressindex_result_release(res, 0), pressindex_result_release(res, 1));
    pressindex_results_destroy(res);
    so.by_release = 0;

    /* Paging: offset and limit, ranks continue. */
    so.query = "Turkic OR Akorda OR Tokayev OR Kazakhstan";
    so.limit = 2;
    so.offset = 1;
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_OK);
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    ck_assert_uint_eq(pressindex_result_rank(res, 0), 2);
    ck_assert_uint_ge(pressindex_results_estimated(res), 3);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

START_TEST(phrase_keeps_stopwords_and_order)
{
    pressindex *idx = open_writer();
    add_two(idx);
    /* akorda/2 #1 has "States of the organization" and "Turkic": not the phrase. */
    pressindex_results *res = search(idx, "\"Organization of Turkic States\"");
    ck_assert_uint_eq(pressindex_results_count(res), 1);
    pressindex_results_destroy(res);
    res = search(idx, "\"States Turkic of Organization\"");
    ck_assert_uint_eq(pressindex_results_count(res), 0);
    pressindex_results_destroy(res);
    /* Without quotes and with adjacency asked for (issue 4; off by default), the in-order
     * paragraph still ranks first. */
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "Organization of Turkic States";
    so.adjacency_weight = 1;
    res = search_with(idx, &so);
    ck_assert_uint_ge(pressindex_results_count(res), 2);
    ck_assert_str_eq(pressindex_result_release(res, 0), "akorda/1");
    ck_assert_uint_eq(pressindex_result_paragraph(res, 0), 3);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

START_TEST(index_fixture_folder)
{
    pressindex *idx = open_writer();
    pressindex_index_stats st;
    pressindex_status s = pressindex_index_path(idx, FIXTURES_DIR "/releases", NULL, &st);
    ck_assert_msg(s == PRESSINDEX_OK, "%s", pressindex_last_error(idx));
    ck_assert_uint_ge(st.releases, 1);
    ck_assert_uint_eq(st.skipped, 0);
    pressindex_results *res = search(idx, "\"Organization of Turkic States\"");
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    for (size_t i = 0; i < 2; i++) {
        ck_assert_str_eq(pressindex_result_date(res, i), "2025-07-30");
        ck_assert_str_eq(pressindex_result_release(res, i), "releases/000_7a5d2ef6bf956f73.txt");
    }
    pressindex_results_destroy(res);
    /* The seed's two airport paragraphs (issue 8's acceptance test, default options): #20 names
     * no one, its evidence is in #19 before it. */
    res = search(idx, "Tokayev Erdogan airport");
    int found19 = 0, found20 = 0;
    for (size_t i = 0; i < 3 && i < pressindex_results_count(res); i++) {
        found19 |= pressindex_result_paragraph(res, i) == 19;
        found20 |= pressindex_result_paragraph(res, i) == 20;
    }
    ck_assert_msg(found19 && found20, "airport paragraphs not both in the top 3");
    pressindex_results_destroy(res);
    /* Indexing the same folder again replaces, never duplicates. */
    pressindex_stats before, after;
    ck_assert_int_eq(pressindex_get_stats(idx, &before), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_index_path(idx, FIXTURES_DIR "/releases", NULL, NULL), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_get_stats(idx, &after), PRESSINDEX_OK);
    ck_assert_uint_eq(before.releases, after.releases);
    ck_assert_uint_eq(before.passages, after.passages);
    ck_assert_int_eq(pressindex_index_path(idx, FIXTURES_DIR "/no-such-thing", NULL, NULL),
                     PRESSINDEX_ERR_NOT_FOUND);
    pressindex_destroy(idx);
}
END_TEST

/* ---- ranking (issue 8): each rule tested with it on and off, so the test can fail ---- */

/* Releases whose words make the collection statistics ordinary (IDF of the test words > 0). */
static void add_filler(pressindex *idx)
{
    static const char *const fill[] = {
        "The weather was mild and the harvest came in early this year.",
        "Officials opened a new library with reading rooms and a garden.",
        "A railway line between the two cities will be finished in spring.",
        "The museum showed paintings from the nineteenth century.",
    };
    char id[32];
    for (int i = 0; i < 12; i++) {
        snprintf(id, sizeof id, "filler/%d", i);
        pressindex_release r = {id, "2024-01-01", "", "Filler", NULL, "en", fill, 4};
        ck_assert_int_eq(pressindex_add_release(idx, &r), PRESSINDEX_OK);
    }
}


/* A quoted phrase counts occurrences of the phrase, not of its words: the paragraph about the
 * summit beats one that says "Quad" six times and names the summit once in passing. */
START_TEST(phrase_scored_by_its_frequency)
{
    pressindex *idx = open_writer();
    add_filler(idx);
    static const char *const busy[] = {
        "Quad partners, Quad countries and the Quad Fellowship: the Quad network, launched at the "
        "Quad Leaders Summit, now counts Quad alumni in every city of the region.",
    };
    static const char *const about[] = {
        /* The phrase first: its count must come from the text as stored, whole. */
        "Quad Leaders Summit: India will host the next one in the autumn, with talks on ports.",
    };
    pressindex_release a = {"r/busy", "2024-05-01", "", "Test", NULL, "en", busy, 1};
    pressindex_release b = {"r/about", "2024-05-02", "", "Test", NULL, "en", about, 1};
    ck_assert_int_eq(pressindex_add_release(idx, &a), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_add_release(idx, &b), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "\"Quad Leaders Summit\"";
    pressindex_results *res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    ck_assert_str_eq(pressindex_result_release(res, 0), "r/about");
    pressindex_results_destroy(res);
    /* Counted by words (the same words unquoted, no phrase), the busy paragraph wins. */
    so.query = "Quad Leaders Summit";
    so.adjacency_weight = 0;
    res = search_with(idx, &so);
    ck_assert_str_eq(pressindex_result_release(res, 0), "r/busy");
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* A reporter's question ("Q" and a no-break space, as the White House transcripts write it) ranks
 * below the answer that follows it. */
START_TEST(question_ranks_below_its_answer)
{
    pressindex *idx = open_writer();
    add_filler(idx);
    static const char *const briefing[] = {
        "MS. PSAKI:  Good afternoon, everyone.",
        "Q\u00a0\u00a0\u00a0 On the baby formula shortage: when will parents find formula on the "
        "shelves again?",
        "MS. PSAKI:  The baby formula shortage is easing: two plants reopened this week.",
    };
    pressindex_release r = {"wh/briefing", "2022-05-12", "Press Briefing", "The White House", NULL,
                            "en", briefing, 3};
    ck_assert_int_eq(pressindex_add_release(idx, &r), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "baby formula shortage";
    pressindex_results *res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    ck_assert_uint_eq(pressindex_result_paragraph(res, 0), 3);
    pressindex_results_destroy(res);
    so.question_weight = 1; /* no demotion: the short question outranks the answer */
    res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_result_paragraph(res, 0), 2);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* The release is part of a paragraph's evidence: of two identical paragraphs, the one whose
 * release is about the query ranks first; with weight 0 both score exactly alike. */
START_TEST(release_evidence_and_weight_zero)
{
    pressindex *idx = open_writer();
    add_filler(idx);
    static const char *const about[] = {
        "The ministers signed the agreement in the capital.",
        "The grain corridor through the Black Sea keeps grain exports moving.",
        "Grain exports reached record levels through the Black Sea ports.",
    };
    static const char *const passing[] = {
        "The ministers signed the agreement in the capital.",
        "The orchestra played in the evening and the guests left late.",
        "Grain exports were mentioned once at the dinner.",
    };
    pressindex_release a = {"r/about", "2024-05-01", "", "Test", NULL, "en", about, 3};
    pressindex_release b = {"r/passing", "2024-05-01", "", "Test", NULL, "en", passing, 3};
    ck_assert_int_eq(pressindex_add_release(idx, &b), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_add_release(idx, &a), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "ministers signed agreement grain";
    so.collapse = 0;
    so.neighbour_weight = 0;
    so.limit = 20;
    pressindex_results *res = search_with(idx, &so);
    /* The two "ministers signed" paragraphs: r/about's first. */
    size_t first_about = 99, first_passing = 99;
    for (size_t i = 0; i < pressindex_results_count(res); i++) {
        if (pressindex_result_paragraph(res, i) != 1)
            continue;
        if (!strcmp(pressindex_result_release(res, i), "r/about") && first_about == 99)
            first_about = i;
        if (!strcmp(pressindex_result_release(res, i), "r/passing") && first_passing == 99)
            first_passing = i;
    }
    ck_assert_uint_lt(first_about, first_passing);
    ck_assert(pressindex_result_score(res, first_about) > pressindex_result_score(res, first_passing));
    pressindex_results_destroy(res);
    so.release_weight = 0;
    res = search_with(idx, &so);
    double sa = -1, sp = -1;
    for (size_t i = 0; i < pressindex_results_count(res); i++)
        if (pressindex_result_paragraph(res, i) == 1)
            *(!strcmp(pressindex_result_release(res, i), "r/about") ? &sa : &sp) =
                pressindex_result_score(res, i);
    ck_assert(sa >= 0 && sp >= 0);
    ck_assert(sa == sp); /* the paragraph alone: its release adds nothing */
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* A paragraph lacking the query's words that the paragraph before it holds gets them as evidence:
 * the seed's "The two presidents held brief conversation at the airport." (#20, after #19). */
START_TEST(paragraph_before_lends_its_words)
{
    pressindex *idx = open_writer();
    ck_assert_int_eq(pressindex_index_path(idx, FIXTURES_DIR "/releases", NULL, NULL), PRESSINDEX_OK);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "Tokayev Erdogan airport";
    for (int on = 1; on >= 0; on--) {
        so.neighbour_weight = on ? 0.3 : 0;
        pressindex_results *res = search_with(idx, &so);
        int found19 = 0, found20 = 0;
        for (size_t i = 0; i < 3 && i < pressindex_results_count(res); i++) {
            found19 |= pressindex_result_paragraph(res, i) == 19;
            found20 |= pressindex_result_paragraph(res, i) == 20;
        }
        ck_assert_msg(found19, "#19 not in the top 3");
        ck_assert_msg(on ? found20 : !found20, "#20 %s the top 3 with neighbour weight %g",
                      on ? "not in" : "in", so.neighbour_weight);
        pressindex_results_destroy(res);
    }
    pressindex_destroy(idx);
}
END_TEST

/* A release's title is evidence whatever else the query holds: a date or source filter, a phrase
 * or an operator does not switch it off, and an excluded word in a title counts for nothing. */
START_TEST(title_counts_in_structured_queries)
{
    pressindex *idx = open_writer();
    add_filler(idx);
    static const char *const par[] = {"The envoys discussed trade turnover at length."};
    static const char *const clerk[] = {"The clerk filed the notes."};
    pressindex_release rs[] = {
        {"r/titled", "2024-06-01", "Turnover figures", "Test", NULL, "en", par, 1},
        {"r/other", "2024-06-01", "Monthly notes", "Test", NULL, "en", par, 1},
        {"r/clerk", "2024-06-01", "", "Test", NULL, "en", clerk, 1}, /* "notes" in some passage */
    };
    add_committed(idx, rs, sizeof rs / sizeof rs[0]);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.collapse = 0;        /* the two paragraphs are the same text */
    so.release_weight = 0;  /* the release's BM25 also reads titles: the title share alone here */
    so.neighbour_weight = 0;
    const char *queries[] = {"turnover", "turnover date:2024..2025", "turnover source:Test",
                             "\"trade turnover\"", "+turnover envoys", "turnover OR tariffs"};
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        so.query = queries[q];
        pressindex_results *res = search_with(idx, &so);
        ck_assert_uint_eq(pressindex_results_count(res), 2);
        ck_assert_msg(!strcmp(pressindex_result_release(res, 0), "r/titled") &&
                          pressindex_result_score(res, 0) > pressindex_result_score(res, 1) + 1e-9,
                      "%s: the title did not count", queries[q]);
        pressindex_results_destroy(res);
    }
    /* "notes" is only in r/other's title, and excluded: the two rank alike. */
    so.query = "envoys NOT notes";
    pressindex_results *res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    ck_assert_msg(fabs(pressindex_result_score(res, 0) - pressindex_result_score(res, 1)) < 1e-9,
                  "an excluded word in a title counted: %g vs %g", pressindex_result_score(res, 0),
                  pressindex_result_score(res, 1));
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* Issue 4's adjacency boost, off by default (doc/ranking.md): asked for, the words typed side by
 * side and in order lift the paragraph that has them so, with or without a date filter, and not
 * when the query is a phrase or uses an operator. */
START_TEST(adjacency_when_asked)
{
    pressindex *idx = open_writer();
    add_filler(idx);
    static const char *const near[] = {"The envoys said trade turnover grew fast."};
    static const char *const apart[] = {"The envoys said turnover grew, trade fast."};
    pressindex_release rs[] = {
        {"r/near", "2024-06-01", "", "Test", NULL, "en", near, 1},
        {"r/apart", "2024-06-01", "", "Test", NULL, "en", apart, 1},
    };
    add_committed(idx, rs, sizeof rs / sizeof rs[0]);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    ck_assert(so.adjacency_weight == 0);
    const char *queries[] = {"trade turnover", "trade turnover date:2024..2025"};
    for (size_t q = 0; q < 2; q++) {
        so.query = queries[q];
        for (int on = 0; on < 2; on++) {
            so.adjacency_weight = on;
            pressindex_results *res = search_with(idx, &so);
            ck_assert_uint_eq(pressindex_results_count(res), 2);
            double d = pressindex_result_score(res, 0) - pressindex_result_score(res, 1);
            if (on)
                ck_assert_msg(!strcmp(pressindex_result_release(res, 0), "r/near") && d > 1e-9,
                              "%s: adjacency did not count", queries[q]);
            else
                ck_assert_msg(fabs(d) < 1e-9, "%s: word order counted with adjacency off",
                              queries[q]);
            pressindex_results_destroy(res);
        }
    }
    /* An operator or a phrase: the words typed are not one sequence. */
    const char *not_sequences[] = {"trade OR turnover", "\"trade\" turnover"};
    so.adjacency_weight = 1;
    for (size_t q = 0; q < 2; q++) {
        so.query = not_sequences[q];
        pressindex_results *res = search_with(idx, &so);
        ck_assert_uint_eq(pressindex_results_count(res), 2);
        ck_assert_msg(fabs(pressindex_result_score(res, 0) - pressindex_result_score(res, 1)) < 1e-9,
                      "%s: word order counted", not_sequences[q]);
        pressindex_results_destroy(res);
    }
    pressindex_destroy(idx);
}
END_TEST

/* Paging continues where the last page stopped, whatever the page size: only the rerank window
 * (the rerank_depth best passages by Xapian's weight) is reranked, so asking for more results
 * cannot let deeper passages climb into the first ones. Scores never go up down the list. */
START_TEST(pages_continue_each_other)
{
    pressindex *idx = open_writer();
    ck_assert_int_eq(pressindex_index_path(idx, FIXTURES_DIR "/releases", NULL, NULL), PRESSINDEX_OK);
    static const size_t depths[] = {4, PRESSINDEX_DEFAULT_RERANK_DEPTH};
    const char *queries[] = {"President Sri Lanka", "President date:2024..2025", "Tokayev Erdogan airport"};
    for (size_t d = 0; d < 2; d++) {
        for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
            pressindex_search_options so;
            pressindex_search_options_init(&so);
            so.query = queries[q];
            so.rerank_depth = depths[d];
            so.limit = 30;
            pressindex_results *all = search_with(idx, &so);
            size_t n = pressindex_results_count(all);
            /* The last query has fewer results than the default window: all reranked. */
            ck_assert_msg(n > depths[d] || q == 2, "%s: too few results (%zu) to page past the window",
                          queries[q], n);
            for (size_t i = 1; i < n; i++)
                ck_assert(pressindex_result_score(all, i) <= pressindex_result_score(all, i - 1));
            so.limit = 3;
            for (so.offset = 0; so.offset < n; so.offset += so.limit) {
                pressindex_results *page = search_with(idx, &so);
                for (size_t i = 0; i < pressindex_results_count(page); i++) {
                    size_t at = so.offset + i;
                    ck_assert_msg(!strcmp(pressindex_result_release(page, i),
                                          pressindex_result_release(all, at)) &&
                                      pressindex_result_paragraph(page, i) ==
                                          pressindex_result_paragraph(all, at),
                                  "%s, depth %zu: result %zu differs on a page of 3", queries[q],
                                  depths[d], at + 1);
                }
                pressindex_results_destroy(page);
            }
            pressindex_results_destroy(all);
        }
    }
    pressindex_destroy(idx);
}
END_TEST

/* A NaN or infinite weight would make every score NaN and the order arbitrary: refused, as is a
 * BM25 b outside 0..1. */
/* An options struct from a program built against an older header is a prefix of today's: the
 * library reads only that prefix and gives the later fields their defaults, and _init() writes
 * no byte past it. A struct no _init() made is refused. */
START_TEST(options_grow_without_breaking_callers)
{
    pressindex *idx = open_writer();
    add_two(idx);
    size_t older = offsetof(pressindex_search_options, question_weight);
    union {
        pressindex_search_options so;
        unsigned char bytes[sizeof(pressindex_search_options)];
    } u;
    memset(u.bytes, 0xAB, sizeof u.bytes);
    pressindex_search_options_init_sized(&u.so, older);
    ck_assert_uint_eq(u.so.size, older);
    for (size_t i = older; i < sizeof u.bytes; i++)
        ck_assert_msg(u.bytes[i] == 0xAB, "_init_sized() wrote byte %zu past the caller's %zu", i, older);
    u.so.query = "Turkic";
    /* The garbage where the older program has no field is not read (0xAB... is no valid weight). */
    pressindex_results *res = NULL;
    ck_assert_msg(pressindex_search(idx, &u.so, &res) == PRESSINDEX_OK, "%s", pressindex_last_error(idx));
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    pressindex_results_destroy(res);
    /* The same garbage in a field the program does know is refused. */
    pressindex_search_options_init(&u.so);
    u.so.query = "Turkic";
    memset(&u.so.question_weight, 0xFF, sizeof u.so.question_weight); /* a NaN */
    ck_assert_int_eq(pressindex_search(idx, &u.so, &res), PRESSINDEX_ERR_INVALID_ARGUMENT);
    /* Not made by _init(): size 0. */
    pressindex_search_options raw;
    memset(&raw, 0, sizeof raw);
    raw.query = "Turkic";
    raw.limit = 10;
    ck_assert_int_eq(pressindex_search(idx, &raw, &res), PRESSINDEX_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(pressindex_last_error(idx), "pressindex_search_options_init"));
    pressindex_destroy(idx);
}
END_TEST

/* Bounds on a query (issue 15): refused at once with PRESSINDEX_ERR_LIMIT, quoting at most 80
 * characters of it; a search past its time limit fails with PRESSINDEX_ERR_TIMEOUT, no results. */
static pressindex_status bounded(pressindex *idx, const char *query, size_t bytes, size_t terms,
                                 size_t wildcard, double seconds)
{
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = query;
    so.max_query_bytes = bytes;
    so.max_query_terms = terms;
    so.max_wildcard_expansion = wildcard;
    so.time_limit = seconds;
    pressindex_results *res = (pressindex_results *)1;
    pressindex_status st = pressindex_search(idx, &so, &res);
    if (st != PRESSINDEX_OK)
        ck_assert_ptr_null(res);
    pressindex_results_destroy(st == PRESSINDEX_OK ? res : NULL);
    return st;
}

START_TEST(queries_are_bounded)
{
    pressindex *idx = open_writer();
    add_two(idx);
    ck_assert_int_eq(bounded(idx, "Turkic cooperation", 10, 0, 0, 0), PRESSINDEX_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(pressindex_last_error(idx), "at most 10"));
    ck_assert_int_eq(bounded(idx, "Turkic cooperation", 18, 0, 0, 0), PRESSINDEX_OK);
    /* Every word searched counts: excluded ones, and a phrase's. */
    ck_assert_int_eq(bounded(idx, "Turkic -transport Photo", 0, 2, 0, 0), PRESSINDEX_ERR_LIMIT);
    ck_assert_int_eq(bounded(idx, "\"Organization of Turkic States\"", 0, 3, 0, 0), PRESSINDEX_ERR_LIMIT);
    ck_assert_int_eq(bounded(idx, "\"Organization of Turkic States\"", 0, 4, 0, 0), PRESSINDEX_OK);
    /* "Tur*": turkic, turkiy (Türkiye) and turnov (turnover) in the index. */
    ck_assert_int_eq(bounded(idx, "Tur*", 0, 0, 2, 0), PRESSINDEX_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(pressindex_last_error(idx), "tur*"));
    ck_assert_int_eq(bounded(idx, "Tur*", 0, 0, 3, 0), PRESSINDEX_OK);
    ck_assert_int_eq(bounded(idx, "title:Tur*", 0, 0, 1, 0), PRESSINDEX_ERR_LIMIT);
    /* The defaults let a long question through and stop a pasted page. */
    char big[20000];
    size_t at = 0;
    while (at + 8 < sizeof big) {
        memcpy(big + at, "walrus ", 7);
        at += 7;
    }
    big[at] = '\0';
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    ck_assert_int_eq(bounded(idx, big, so.max_query_bytes, so.max_query_terms, so.max_wildcard_expansion, 0),
                     PRESSINDEX_ERR_LIMIT);
    ck_assert_uint_lt(strlen(pressindex_last_error(idx)), 200); /* 80 characters of the query */
    big[7 * 600] = '\0';
    ck_assert_int_eq(bounded(idx, big, so.max_query_bytes, so.max_query_terms, 0, 0), PRESSINDEX_ERR_LIMIT);
    ck_assert_ptr_nonnull(strstr(pressindex_last_error(idx), "600 words"));
    big[7 * 200] = '\0';
    ck_assert_int_eq(bounded(idx, big, so.max_query_bytes, so.max_query_terms, 0, 0), PRESSINDEX_OK);
    /* Time: a limit already past fails, no results; a negative or NaN one is refused. */
    ck_assert_int_eq(bounded(idx, "Turkic", 0, 0, 0, 1e-9), PRESSINDEX_ERR_TIMEOUT);
    ck_assert_int_eq(bounded(idx, "Turkic", 0, 0, 0, 60), PRESSINDEX_OK);
    ck_assert_int_eq(bounded(idx, "Turkic", 0, 0, 0, -1), PRESSINDEX_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(bounded(idx, "Turkic", 0, 0, 0, NAN), PRESSINDEX_ERR_INVALID_ARGUMENT);
    pressindex_destroy(idx);
}
END_TEST

START_TEST(impossible_weights_are_refused)
{
    pressindex *idx = open_writer();
    add_two(idx);
    pressindex_search_options so;
    double *fields[] = {&so.release_weight, &so.title_weight, &so.question_weight, &so.bm25_k1,
                        &so.bm25_b};
    const double bad[] = {NAN, INFINITY, -1};
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++)
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            pressindex_search_options_init(&so);
            so.query = "Turkic";
            *fields[f] = bad[b];
            pressindex_results *res = NULL;
            ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_ERR_INVALID_ARGUMENT);
            ck_assert_ptr_null(res);
        }
    pressindex_search_options_init(&so);
    so.query = "Turkic";
    so.bm25_b = 1.5;
    pressindex_results *res = NULL;
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_ERR_INVALID_ARGUMENT);
    so.bm25_b = 1;
    res = search_with(idx, &so);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* Excluded words are no evidence: "summit NOT quad" must not favour the release that talks of the
 * Quad elsewhere (its extra length even counts against it), and a phrase that a passage does not
 * hold takes nothing from the words it matched otherwise. */
START_TEST(excluded_and_unmatched_words_are_no_evidence)
{
    pressindex *idx = open_writer();
    add_filler(idx);
    static const char *const quad[] = {
        "The summit opened in the morning with a short speech.",
        "Quad partners, Quad members and the Quad network met the Quad envoys.",
        "Quad Quad Quad: the Quad leaders spoke of the Quad again.",
    };
    static const char *const plain[] = {
        "The summit opened in the evening with a short speech.",
    };
    static const char *const mix[] = {
        "The summit opened at noon; the Quad sent its leaders.",
        "The Quad leaders spoke first.",
    };
    static const char *const gulf[] = {
        "The summit opened at dusk; the Gulf sent its rulers.",
    };
    pressindex_release rs[] = {
        {"r/quad", "2024-05-01", "", "Test", NULL, "en", quad, 3},
        {"r/plain", "2024-05-01", "", "Test", NULL, "en", plain, 1},
        {"r/mix", "2024-05-01", "", "Test", NULL, "en", mix, 2},
        {"r/gulf", "2024-05-01", "", "Test", NULL, "en", gulf, 1},
    };
    add_committed(idx, rs, sizeof rs / sizeof rs[0]);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.limit = 20;
    const char *nots[] = {"summit NOT quad", "summit -quad", "summit NOT (envoys OR quad)"};
    for (size_t q = 0; q < 3; q++) {
        so.query = nots[q];
        pressindex_results *res = search_with(idx, &so);
        size_t at_quad = 99, at_plain = 99;
        for (size_t i = 0; i < pressindex_results_count(res); i++) {
            if (!strcmp(pressindex_result_release(res, i), "r/quad"))
                at_quad = i;
            if (!strcmp(pressindex_result_release(res, i), "r/plain"))
                at_plain = i;
        }
        ck_assert_msg(at_plain < at_quad, "%s: the excluded word favoured r/quad", nots[q]);
        pressindex_results_destroy(res);
    }
    /* r/mix's first paragraph holds "Quad" and "leaders" but not the phrase: it matches through
     * "summit" alone, and the phrase must take nothing from that. */
    so.query = "\"Quad leaders\" OR summit";
    pressindex_results *res = search_with(idx, &so);
    double sm = -1, sg = -1;
    for (size_t i = 0; i < pressindex_results_count(res); i++) {
        if (pressindex_result_paragraph(res, i) != 1)
            continue;
        if (!strcmp(pressindex_result_release(res, i), "r/mix"))
            sm = pressindex_result_score(res, i);
        if (!strcmp(pressindex_result_release(res, i), "r/gulf"))
            sg = pressindex_result_score(res, i);
    }
    ck_assert(sm >= 0 && sg >= 0);
    ck_assert_msg(sm >= sg, "the unmatched phrase took weight: %g < %g", sm, sg);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* ---- what the library is given is validated as the file reader validates it ---- */

static void write_text_file(const char *name, const char *data)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, strlen(data), f), strlen(data));
    ck_assert_int_eq(fclose(f), 0);
}

static pressindex_results *get_release(pressindex *idx, const char *id)
{
    pressindex_results *res = NULL;
    ck_assert_msg(pressindex_get_release(idx, id, &res) == PRESSINDEX_OK, "%s: %s", id,
                  pressindex_last_error(idx));
    return res;
}

/* Without collapsing: the releases compared here hold the same paragraphs. */

/* Both releases hold the same title, language and paragraphs, all valid UTF-8. */
static void assert_stored_alike(pressindex *idx, const char *a, const char *b)
{
    pressindex_results *ra = get_release(idx, a), *rb = get_release(idx, b);
    ck_assert_uint_eq(pressindex_results_count(ra), pressindex_results_count(rb));
    ck_assert_str_eq(pressindex_result_title(ra, 0), pressindex_result_title(rb, 0));
    ck_assert_str_eq(pressindex_result_lang(ra, 0), pressindex_result_lang(rb, 0));
    for (size_t i = 0; i < pressindex_results_count(ra); i++) {
        const char *t = pressindex_result_text(ra, i);
        ck_assert_str_eq(t, pressindex_result_text(rb, i));
        ck_assert_uint_eq(pi_utf8_valid_prefix(t, strlen(t)), strlen(t));
    }
    const char *title = pressindex_result_title(ra, 0);
    ck_assert_uint_eq(pi_utf8_valid_prefix(title, strlen(title)), strlen(title));
    pressindex_results_destroy(ra);
    pressindex_results_destroy(rb);
}

static void collect_problem(void *user, const char *file, unsigned long line, const char *msg)
{
    (void)file;
    (void)line;
    pi_buf *b = user;
    ck_assert_int_eq(pi_buf_printf(b, "%s\n", msg), 0);
}

/* Invalid UTF-8: the file reader replaces it with U+FFFD and says so; the library did store the
 * bytes (its words unsearchable, its text unprintable as JSON) and returned OK. */
START_TEST(invalid_utf8_repaired_alike)
{
    write_text_file("latin1.txt", "Title: Caf\xE9 opening\n\nThe caf\xE9 opened near the okapis.\n\n"
                                  "Second \xFF\xFE paragraph.\n");
    static const char *const paras[] = {"The caf\xE9 opened near the okapis.", "Second \xFF\xFE paragraph."};
    pressindex_release r = {"lib/latin1", NULL, "Caf\xE9 opening", NULL, NULL, NULL, paras, 2};
    pressindex *idx = open_writer();
    char path[400];
    snprintf(path, sizeof path, "%s/latin1.txt", tmpdir);
    pi_buf probs = {0};
    pressindex_index_options io;
    pressindex_index_options_init(&io);
    io.on_problem = collect_problem;
    io.user = &probs;
    ck_assert_int_eq(pressindex_index_path(idx, path, &io, NULL), PRESSINDEX_ERR_DATA);
    ck_assert_str_eq(probs.p, "invalid UTF-8 (4 sequences replaced by U+FFFD)\n");
    ck_assert_int_eq(pressindex_add_release(idx, &r), PRESSINDEX_ERR_DATA);
    ck_assert_str_eq(pressindex_last_error(idx),
                     "release lib/latin1: invalid UTF-8 (4 sequences replaced by U+FFFD)");
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    assert_stored_alike(idx, "latin1.txt", "lib/latin1");
    pressindex_results *res = search_uncollapsed(idx, "okapis", NULL);
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    pressindex_results_destroy(res);
    /* The id is repaired too, as in a JSON Lines file. */
    pressindex_release bad_id = {"lib/caf\xE9", NULL, NULL, NULL, NULL, NULL, paras, 1};
    ck_assert_int_eq(pressindex_add_release(idx, &bad_id), PRESSINDEX_ERR_DATA);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    pressindex_results_destroy(get_release(idx, "lib/caf\xEF\xBF\xBD"));
    pi_buf_free(&probs);
    pressindex_destroy(idx);
}
END_TEST

/* An unknown language: the default one, one problem, PRESSINDEX_ERR_DATA, in files and here. */
START_TEST(unknown_language_repaired_alike)
{
    write_text_file("klingon.txt", "Title: Qapla\nLang: klingon\n\nThe warriors gathered at dawn.\n");
    static const char *const paras[] = {"The warriors gathered at dawn."};
    pressindex_release r = {"lib/klingon", NULL, "Qapla", NULL, NULL, "klingon", paras, 1};
    pressindex *idx = open_writer();
    char path[400];
    snprintf(path, sizeof path, "%s/klingon.txt", tmpdir);
    pi_buf probs = {0};
    pressindex_index_options io;
    pressindex_index_options_init(&io);
    io.on_problem = collect_problem;
    io.user = &probs;
    ck_assert_int_eq(pressindex_index_path(idx, path, &io, NULL), PRESSINDEX_ERR_DATA);
    ck_assert_str_eq(probs.p, "unknown language \"klingon\" (not an ISO 639-1 code), indexed in the "
                              "default language\n");
    ck_assert_int_eq(pressindex_add_release(idx, &r), PRESSINDEX_ERR_DATA);
    ck_assert_str_eq(pressindex_last_error(idx), "release lib/klingon: unknown language \"klingon\" "
                                                 "(not an ISO 639-1 code), indexed in the default language");
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    assert_stored_alike(idx, "klingon.txt", "lib/klingon");
    pressindex_results *res = get_release(idx, "lib/klingon");
    ck_assert_str_eq(pressindex_result_lang(res, 0), "en");
    pressindex_results_destroy(res);
    /* Stemmed in English, the default: "gather" finds "gathered". */
    res = search_uncollapsed(idx, "gather", NULL);
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    pressindex_results_destroy(res);
    /* Several repairs: one message names each. */
    static const char *const bad[] = {"Caf\xE9."};
    pressindex_release both = {"lib/both", "2024-02-30", NULL, NULL, NULL, "tlh", bad, 1};
    ck_assert_int_eq(pressindex_add_release(idx, &both), PRESSINDEX_ERR_DATA);
    ck_assert_str_eq(pressindex_last_error(idx),
                     "release lib/both: invalid UTF-8 (1 sequence replaced by U+FFFD); unknown language "
                     "\"tlh\" (not an ISO 639-1 code), indexed in the default language; impossible or "
                     "unrecognised date \"2024-02-30\", indexed undated");
    pi_buf_free(&probs);
    pressindex_destroy(idx);
}
END_TEST

/* Any ISO 639-1 code is a language: Xapian 1.4 has no stemmer for these, so their words are
 * indexed and searched unstemmed. */
START_TEST(iso_code_without_stemmer_is_unstemmed)
{
    static const char *const codes[] = {"zh", "ja", "ko", "kk", "uk", "zh-Hant"};
    pressindex *idx = open_writer();
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        static const char *const paras[] = {"Delegations hosts talks."};
        char id[32];
        snprintf(id, sizeof id, "iso/%s", codes[i]);
        pressindex_release r = {id, NULL, NULL, NULL, NULL, codes[i], paras, 1};
        ck_assert_msg(pressindex_add_release(idx, &r) == PRESSINDEX_OK, "%s: %s", codes[i],
                      pressindex_last_error(idx));
    }
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++) {
        pressindex_results *res = search_uncollapsed(idx, "hosts", codes[i]);
        ck_assert_uint_eq(pressindex_results_count(res), sizeof codes / sizeof *codes);
        pressindex_results_destroy(res);
        res = search_uncollapsed(idx, "host", codes[i]); /* unstemmed: the singular is another word */
        ck_assert_uint_eq(pressindex_results_count(res), 0);
        pressindex_results_destroy(res);
    }
    pressindex_results *kk = get_release(idx, "iso/kk");
    ck_assert_str_eq(pressindex_result_lang(kk, 0), "kk");
    pressindex_results_destroy(kk);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "hosts";
    so.lang = "klingon";
    pressindex_results *res = NULL;
    ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(pressindex_last_error(idx), "klingon"));
    pressindex_destroy(idx);
}
END_TEST

/* An enum is any int to a C caller: a value the library does not know is refused, naming the
 * field, not taken for another one. */
START_TEST(out_of_range_enums_are_refused)
{
    pressindex *idx = open_writer();
    add_two(idx);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "Turkic";
    const int sorts[] = {7, -1, 2};
    for (size_t i = 0; i < sizeof sorts / sizeof *sorts; i++) {
        so.sort = (pressindex_sort)sorts[i];
        pressindex_results *res = NULL;
        ck_assert_int_eq(pressindex_search(idx, &so, &res), PRESSINDEX_ERR_INVALID_ARGUMENT);
        ck_assert_ptr_null(res);
        ck_assert_ptr_nonnull(strstr(pressindex_last_error(idx), "sort"));
    }
    so.sort = PRESSINDEX_SORT_DATE;
    pressindex_results_destroy(search_with(idx, &so));

    write_text_file("one.txt", "A release about giraffes.\n");
    char path[400];
    snprintf(path, sizeof path, "%s/one.txt", tmpdir);
    pressindex_index_options io;
    pressindex_index_options_init(&io);
    const int formats[] = {99, -1, 3};
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++) {
        io.format = (pressindex_format)formats[i];
        pressindex_index_stats st;
        ck_assert_int_eq(pressindex_index_path(idx, path, &io, &st), PRESSINDEX_ERR_INVALID_ARGUMENT);
        ck_assert_ptr_nonnull(strstr(pressindex_last_error(idx), "format"));
        ck_assert_int_eq(pressindex_index_buffer(idx, "x", 1, "x.txt", &io, &st),
                         PRESSINDEX_ERR_INVALID_ARGUMENT);
        ck_assert_ptr_nonnull(strstr(pressindex_last_error(idx), "format"));
    }
    pressindex_results *res = search(idx, "giraffes");
    ck_assert_uint_eq(pressindex_results_count(res), 0); /* nothing was read */
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* A \u0000 in valid JSON is a NUL that C strings cannot hold: it becomes a space, the release is
 * kept and its words found; it used to drop the release with jansson's words for it. */
START_TEST(json_nul_escape_is_repaired)
{
    static const char jsonl[] =
        "{\"id\": \"n1\", \"paragraphs\": [\"The ministry\\u0000announced a cassowary survey.\"]}\n"
        "{\"id\": \"n2\", \"paragraphs\": [\"Another line.\"]}\n";
    pressindex *idx = open_writer();
    pi_buf probs = {0};
    pressindex_index_options io;
    pressindex_index_options_init(&io);
    io.on_problem = collect_problem;
    io.user = &probs;
    pressindex_index_stats st;
    ck_assert_int_eq(pressindex_index_buffer(idx, jsonl, strlen(jsonl), "n.jsonl", &io, &st),
                     PRESSINDEX_ERR_DATA);
    ck_assert_uint_eq(st.releases, 2);
    ck_assert_uint_eq(st.skipped, 0);
    ck_assert_str_eq(probs.p, "a NUL character replaced by a space\n");
    pressindex_results *res = search(idx, "announced");
    ck_assert_uint_eq(pressindex_results_count(res), 1);
    ck_assert_str_eq(pressindex_result_text(res, 0), "The ministry announced a cassowary survey.");
    pressindex_results_destroy(res);
    pi_buf_free(&probs);
    pressindex_destroy(idx);
}
END_TEST


/* ---- totals, facets, saved searches' sequence, all words ---- */

/* COUNT_N releases whose matching passages are known: release i holds (i % 5) + 1 paragraphs with
 * "harbor" (each its own text, so that nothing collapses across releases) and two without; its
 * source is Alpha, Beta or none (i % 3), its date 2024-MM-15 with MM = i % 12 + 1, undated when
 * i % 7 == 0. More releases than the search's first batch (100) and the facets' sample (400). */
#define COUNT_N 450

static unsigned count_harbor(unsigned i)
{
    return i % 5 + 1;
}

static void add_counted(pressindex *idx)
{
    for (unsigned i = 0; i < COUNT_N; i++) {
        char id[32], date[16], *pars[7];
        unsigned np = 0;
        for (unsigned k = 0; k < count_harbor(i); k++) {
            pars[np] = malloc(96);
            snprintf(pars[np++], 96, "The harbor of town %u saw ship number %u arrive.", i, k);
        }
        pars[np] = malloc(96);
        snprintf(pars[np++], 96, "Filler paragraph %u about the weather.", i);
        pars[np] = malloc(96);
        snprintf(pars[np++], 96, "Closing words %u of the mayor.", i);
        snprintf(id, sizeof id, "count/%u", i);
        snprintf(date, sizeof date, "2024-%02u-15", i % 12 + 1);
        pressindex_release r = {id, i % 7 ? date : NULL, "Port news", i % 3 == 0 ? "Alpha" : i % 3 == 1 ? "Beta" : NULL,
                                NULL, "en", (const char *const *)pars, np};
        ck_assert_int_eq(pressindex_add_release(idx, &r), PRESSINDEX_OK);
        for (unsigned k = 0; k < np; k++)
            free(pars[k]);
    }
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
}

/* The truth, by source ("" = none), month ("YYYY-MM", "" undated) or year. */
static uint64_t truth(pressindex_facet f, const char *value)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < COUNT_N; i++) {
        char v[16];
        if (f == PRESSINDEX_FACET_SOURCE)
            snprintf(v, sizeof v, "%s", i % 3 == 0 ? "Alpha" : i % 3 == 1 ? "Beta" : "");
        else if (f == PRESSINDEX_FACET_MONTH)
            snprintf(v, sizeof v, "%s", i % 7 ? (char[8]){'2', '0', '2', '4', '-', (char)('0' + (i % 12 + 1) / 10), (char)('0' + (i % 12 + 1) % 10), 0} : "");
        else
            snprintf(v, sizeof v, "%s", i % 7 ? "2024" : "");
        if (!value || !strcmp(v, value))
            n += count_harbor(i);
    }
    return n;
}

/* Each facet adds up to the total; months and years in time order, undated last; sources by
 * decreasing count. */
static void check_facet_shape(const pressindex_results *res, uint64_t total)
{
    for (int f = PRESSINDEX_FACET_SOURCE; f <= PRESSINDEX_FACET_YEAR; f++) {
        size_t n = pressindex_results_facet_count(res, (pressindex_facet)f);
        ck_assert_uint_gt(n, 0);
        uint64_t sum = 0, prev = UINT64_MAX;
        const char *pv = NULL;
        for (size_t i = 0; i < n; i++) {
            uint64_t c = 0;
            const char *v = pressindex_results_facet_value(res, (pressindex_facet)f, i, &c);
            ck_assert_ptr_nonnull(v);
            ck_assert_uint_gt(c, 0);
            sum += c;
            if (f == PRESSINDEX_FACET_SOURCE)
                ck_assert_uint_le(c, prev);
            else if (pv && *v)
                ck_assert_str_gt(v, pv);
            if (pv && f != PRESSINDEX_FACET_SOURCE)
                ck_assert_msg(*pv, "undated comes last");
            prev = c;
            pv = v;
        }
        ck_assert_uint_eq(sum, total);
        ck_assert_ptr_null(pressindex_results_facet_value(res, (pressindex_facet)f, n, NULL));
    }
}

START_TEST(exact_total_and_facets)
{
    pressindex *idx = open_writer();
    add_counted(idx);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "harbor";
    so.exact = 1;
    so.facets = 1;
    pressindex_results *res = search_with(idx, &so);
    int exact = 0;
    ck_assert_uint_eq(pressindex_results_total(res, &exact), truth(PRESSINDEX_FACET_SOURCE, NULL));
    ck_assert_int_eq(exact, 1);
    ck_assert_uint_eq(pressindex_results_estimated(res), truth(PRESSINDEX_FACET_SOURCE, NULL));
    ck_assert_int_eq(pressindex_results_facets_exact(res), 1);
    check_facet_shape(res, truth(PRESSINDEX_FACET_SOURCE, NULL));
    /* Every value's count is the truth. */
    for (int f = PRESSINDEX_FACET_SOURCE; f <= PRESSINDEX_FACET_YEAR; f++)
        for (size_t i = 0; i < pressindex_results_facet_count(res, (pressindex_facet)f); i++) {
            uint64_t c;
            const char *v = pressindex_results_facet_value(res, (pressindex_facet)f, i, &c);
            ck_assert_msg(c == truth((pressindex_facet)f, v), "facet %d %s: %llu, truth %llu", f, v,
                          (unsigned long long)c, (unsigned long long)truth((pressindex_facet)f, v));
        }
    ck_assert_uint_eq(pressindex_results_facet_count(res, PRESSINDEX_FACET_MONTH), 13); /* 12 + undated */
    ck_assert_uint_eq(pressindex_results_facet_count(res, PRESSINDEX_FACET_YEAR), 2);
    ck_assert_uint_eq(pressindex_results_facet_count(res, PRESSINDEX_FACET_SOURCE), 3);
    ck_assert_uint_eq(pressindex_results_facet_count(res, (pressindex_facet)7), 0);
    ck_assert_ptr_null(pressindex_results_facet_value(res, (pressindex_facet)-1, 0, NULL));
    pressindex_results_destroy(res);

    /* Exact without facets: the same total, no facets. */
    so.facets = 0;
    res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_total(res, &exact), truth(PRESSINDEX_FACET_SOURCE, NULL));
    ck_assert_int_eq(exact, 1);
    ck_assert_uint_eq(pressindex_results_facet_count(res, PRESSINDEX_FACET_SOURCE), 0);
    ck_assert_int_eq(pressindex_results_facets_exact(res), 0);
    pressindex_results_destroy(res);

    /* A filter counts what it lets through: one source. */
    so.source = "alpha";
    so.facets = 1;
    res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_total(res, NULL), truth(PRESSINDEX_FACET_SOURCE, "Alpha"));
    ck_assert_uint_eq(pressindex_results_facet_count(res, PRESSINDEX_FACET_SOURCE), 1);
    ck_assert_str_eq(pressindex_results_facet_value(res, PRESSINDEX_FACET_SOURCE, 0, NULL), "Alpha");
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* A phrase of common words, rare past the best releases: 1,200 releases hold both words; the 20
 * best hold the phrase in 20 paragraphs each (the page is full from them), and 6 of the others in
 * 10 each, ranked low among 1,100 and with the fewest occurrences of the words (the sample's
 * quarter counted whole, the releases with the most, misses them). A sample of 100 of those sees
 * none or one of the 6: a total 13% short or 11% over, with no spread in what it saw. The sampled
 * total grows its sample until it is likely within 10%, and a sample that met fewer than three
 * matching releases is not taken at its word: here it grows to every release, so it is exact. */
START_TEST(sparse_phrase_total_is_not_guessed)
{
    pressindex *idx = open_writer();
    for (unsigned i = 0; i < 1200; i++) {
        char id[32], *pars[24];
        unsigned np = 0, top = i % 60 == 0, holds = i % 200 == 77;
        unsigned n = top ? 20 : holds ? 10 : 14;
        for (unsigned k = 0; k < n; k++) {
            pars[np] = malloc(96);
            snprintf(pars[np++], 96, top ? "Ocean harbor, ocean harbor, ocean harbor %u %u." :
                                     holds ? "Ocean harbor number %u, paragraph %u." :
                                             "Ocean wind near the old harbor %u %u.", i, k);
        }
        pars[np] = malloc(96);
        snprintf(pars[np++], 96, "Closing words %u.", i);
        snprintf(id, sizeof id, "sparse/%u", i);
        pressindex_release r = {id, "2024-05-01", "Port news", "Alpha", NULL, "en",
                                (const char *const *)pars, np};
        ck_assert_int_eq(pressindex_add_release(idx, &r), PRESSINDEX_OK);
        for (unsigned k = 0; k < np; k++)
            free(pars[k]);
    }
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "\"ocean harbor\"";
    so.exact = 1;
    pressindex_results *res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_total(res, NULL), 20 * 20 + 6 * 10);
    pressindex_results_destroy(res);
    so.exact = 0;
    so.sample_total = 1;
    res = search_with(idx, &so);
    uint64_t t = pressindex_results_total(res, NULL);
    ck_assert_msg(t >= 414 && t <= 506, "sampled total %llu, truth 460", (unsigned long long)t);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

START_TEST(estimated_totals_are_stable_and_close)
{
    pressindex *idx = open_writer();
    add_counted(idx);
    uint64_t all = truth(PRESSINDEX_FACET_SOURCE, NULL);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "harbor";
    /* The free estimate of a default search: an estimate, at least what was found. */
    pressindex_results *res = search_with(idx, &so);
    int exact = 1;
    uint64_t quick = pressindex_results_total(res, &exact);
    ck_assert_int_eq(exact, 0);
    ck_assert_uint_ge(quick, 10);
    pressindex_results_destroy(res);
    /* sample_total: an estimate, the same on every page, within 10%. */
    so.sample_total = 1;
    res = search_with(idx, &so);
    exact = 1;
    uint64_t first = pressindex_results_total(res, &exact);
    ck_assert_int_eq(exact, 0);
    ck_assert_msg(first >= all * 9 / 10 && first <= all * 11 / 10, "estimate %llu, truth %llu",
                  (unsigned long long)first, (unsigned long long)all);
    pressindex_results_destroy(res);
    so.offset = 50;
    so.limit = 20;
    res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_total(res, NULL), first);
    pressindex_results_destroy(res);
    /* A page that reads to the end of the match counts exactly. */
    so.offset = 0;
    so.limit = 100000;
    so.collapse = 0;
    res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_count(res), all);
    ck_assert_uint_eq(pressindex_results_total(res, &exact), all);
    ck_assert_int_eq(exact, 1);
    pressindex_results_destroy(res);

    /* Facets over more releases than the sample: estimated, each facet adding up to the total,
     * within 10% of the truth; the same on another page. */
    so.limit = 10;
    so.collapse = 1;
    so.facets = 1;
    res = search_with(idx, &so);
    uint64_t ft = pressindex_results_total(res, &exact);
    ck_assert_int_eq(exact, 0);
    ck_assert_int_eq(pressindex_results_facets_exact(res), 0);
    ck_assert_msg(ft >= all * 9 / 10 && ft <= all * 11 / 10, "facets' total %llu, truth %llu",
                  (unsigned long long)ft, (unsigned long long)all);
    check_facet_shape(res, ft);
    uint64_t alpha = 0, c;
    for (size_t i = 0; i < pressindex_results_facet_count(res, PRESSINDEX_FACET_SOURCE); i++)
        if (!strcmp(pressindex_results_facet_value(res, PRESSINDEX_FACET_SOURCE, i, &c), "Alpha"))
            alpha = c;
    uint64_t ta = truth(PRESSINDEX_FACET_SOURCE, "Alpha");
    ck_assert_msg(alpha >= ta * 85 / 100 && alpha <= ta * 115 / 100, "Alpha %llu, truth %llu",
                  (unsigned long long)alpha, (unsigned long long)ta);
    pressindex_results_destroy(res);
    so.offset = 30;
    res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_total(res, NULL), ft);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* Uneven counts (a tenth of the releases say "harbor" in 12 paragraphs, the others in 0-3, by a
 * hash of the number): the facets share out the sampled total's estimate, so a footer says the
 * same total with and without them, within 10% of the truth, each facet adding up to it. */
static unsigned uneven_harbor(unsigned i)
{
    unsigned h = i * 2654435761u;
    h ^= h >> 15;
    return h % 10 == 0 ? 12 : h % 4;
}

START_TEST(facets_share_the_sampled_total)
{
    pressindex *idx = open_writer();
    uint64_t truth_all = 0;
    for (unsigned i = 0; i < 1500; i++) {
        char id[32], date[16], *pars[16];
        unsigned np = 0, k;
        for (k = 0; k < uneven_harbor(i); k++) {
            pars[np] = malloc(96);
            snprintf(pars[np++], 96, "The harbor of town %u saw ship %u arrive.", i, k);
        }
        truth_all += uneven_harbor(i);
        pars[np] = malloc(96);
        snprintf(pars[np++], 96, "The harbor master %u retired.", i); /* every release matches */
        truth_all++;
        pars[np] = malloc(96);
        snprintf(pars[np++], 96, "Closing words %u of the mayor.", i);
        snprintf(id, sizeof id, "uneven/%u", i);
        snprintf(date, sizeof date, "2023-%02u-10", i % 12 + 1);
        pressindex_release r = {id, date, "Port news", i % 2 ? "Alpha" : "Beta", NULL, "en",
                                (const char *const *)pars, np};
        ck_assert_int_eq(pressindex_add_release(idx, &r), PRESSINDEX_OK);
        for (k = 0; k < np; k++)
            free(pars[k]);
    }
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "harbor";
    so.sample_total = 1;
    pressindex_results *res = search_with(idx, &so);
    int exact = 1;
    uint64_t plain = pressindex_results_total(res, &exact);
    pressindex_results_destroy(res);
    so.facets = 1;
    res = search_with(idx, &so);
    int fexact = 1;
    uint64_t faceted = pressindex_results_total(res, &fexact);
    ck_assert_int_eq(exact, 0); /* estimated: 1,400 releases past the head, too many to count */
    ck_assert_int_eq(fexact, 0);
    ck_assert_msg(faceted == plain, "total %llu with facets, %llu without", (unsigned long long)faceted,
                  (unsigned long long)plain);
    ck_assert_msg(plain >= truth_all * 9 / 10 && plain <= truth_all * 11 / 10, "total %llu, truth %llu",
                  (unsigned long long)plain, (unsigned long long)truth_all);
    check_facet_shape(res, faceted);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* A harbour release: its own news line and the boilerplate photo credit. */
static void add_harbour(pressindex *idx, int k)
{
    char id[16], news[64];
    snprintf(id, sizeof id, "harbour/%d", k);
    snprintf(news, sizeof news, "Harbour news number %d about ships and cranes.", k);
    const char *paras[] = {news, "Photo credit: Harbour Authority"};
    pressindex_release r = {id, "2025-01-01", "Harbour news", "Harbour", "https://harbour.example/", "en",
                            paras, 2};
    ck_assert_int_eq(pressindex_add_release(idx, &r), PRESSINDEX_OK);
}

/* The release about the photo credit rules: the words of the boilerplate line in a paragraph of
 * their own. */
static void add_harbour_rules(pressindex *idx)
{
    const char *own[] = {"The harbour authority changed its photo credit rules for the press today, after "
                         "months of debate among its staff and the photographers who work at the port."};
    pressindex_release c = {"harbour/rules", "2025-02-01", "Rules", "Harbour", "https://harbour.example/r", "en",
                            own, 1};
    ck_assert_int_eq(pressindex_add_release(idx, &c), PRESSINDEX_OK);
}

/* A paragraph held by a share of the releases (here 4 of 5, at least 3) is boilerplate: its score is
 * scaled down, so that a paragraph of its own words outranks it; without the factor the short line
 * ranks first. Both looked up in one window (the lookups go in term order, each text once). */
START_TEST(boilerplate_is_demoted)
{
    pressindex *idx = open_writer();
    for (int k = 1; k <= 4; k++)
        add_harbour(idx, k);
    add_harbour_rules(idx);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "photo credit";
    pressindex_results *res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    ck_assert_str_eq(pressindex_result_release(res, 0), "harbour/rules");
    ck_assert_uint_eq(pressindex_result_collapsed(res, 1), 3);
    pressindex_results_destroy(res);
    so.boilerplate_weight = 1;
    res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    ck_assert_str_eq(pressindex_result_text(res, 0), "Photo credit: Harbour Authority");
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

/* A reader keeps its boilerplate answers between searches (rank.c), for one revision only: once
 * a commit makes a paragraph boilerplate, the reader's next search demotes it. */
START_TEST(reader_sees_new_boilerplate)
{
    pressindex *w = open_writer();
    add_harbour(w, 1);
    add_harbour(w, 2);
    add_harbour_rules(w);
    ck_assert_int_eq(pressindex_commit(w), PRESSINDEX_OK);
    pressindex *r = open_reader();
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "photo credit";
    for (int pass = 0; pass < 2; pass++) { /* the second from the reader's answers */
        pressindex_results *res = search_with(r, &so);
        ck_assert_uint_eq(pressindex_results_count(res), 2);
        ck_assert_str_eq(pressindex_result_text(res, 0), "Photo credit: Harbour Authority");
        pressindex_results_destroy(res);
    }
    add_harbour(w, 3);
    add_harbour(w, 4);
    ck_assert_int_eq(pressindex_commit(w), PRESSINDEX_OK);
    pressindex_results *res = search_with(r, &so);
    ck_assert_uint_eq(pressindex_results_count(res), 2);
    ck_assert_str_eq(pressindex_result_release(res, 0), "harbour/rules");
    pressindex_results_destroy(res);
    pressindex_destroy(r);
    pressindex_destroy(w);
}
END_TEST

START_TEST(small_matches_are_exact)
{
    pressindex *idx = open_writer();
    add_two(idx);
    /* "Photo credit: Akorda" is in both releases: one result with a collapsed twin, two passages. */
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "photo credit";
    pressindex_results *res = search_with(idx, &so);
    int exact = 0;
    ck_assert_uint_eq(pressindex_results_count(res), 1);
    ck_assert_uint_eq(pressindex_result_collapsed(res, 0), 1);
    ck_assert_uint_eq(pressindex_results_total(res, &exact), 2);
    ck_assert_int_eq(exact, 1);
    /* No facets asked: none. */
    ck_assert_uint_eq(pressindex_results_facet_count(res, PRESSINDEX_FACET_SOURCE), 0);
    ck_assert_ptr_null(pressindex_results_facet_value(res, PRESSINDEX_FACET_MONTH, 0, NULL));
    ck_assert_int_eq(pressindex_results_facets_exact(res), 0);
    pressindex_results_destroy(res);
    so.facets = 1;
    res = search_with(idx, &so);
    ck_assert_int_eq(pressindex_results_facets_exact(res), 1);
    uint64_t c;
    ck_assert_str_eq(pressindex_results_facet_value(res, PRESSINDEX_FACET_MONTH, 0, &c), "2024-03");
    ck_assert_uint_eq(c, 1);
    ck_assert_str_eq(pressindex_results_facet_value(res, PRESSINDEX_FACET_MONTH, 1, &c), "2025-07");
    ck_assert_uint_eq(c, 1);
    ck_assert_str_eq(pressindex_results_facet_value(res, PRESSINDEX_FACET_SOURCE, 0, &c), "Akorda");
    ck_assert_uint_eq(c, 2);
    pressindex_results_destroy(res);
    /* Nothing found: 0, exact, no facet values. */
    so.query = "zeppelin";
    res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_total(res, &exact), 0);
    ck_assert_int_eq(exact, 1);
    ck_assert_uint_eq(pressindex_results_facet_count(res, PRESSINDEX_FACET_YEAR), 0);
    pressindex_results_destroy(res);
    ck_assert_uint_eq(pressindex_results_total(NULL, &exact), 0);
    ck_assert_uint_eq(pressindex_results_facet_count(NULL, PRESSINDEX_FACET_YEAR), 0);
    ck_assert_uint_eq(pressindex_results_sequence(NULL), 0);
    pressindex_destroy(idx);
}
END_TEST

START_TEST(after_sequence_finds_only_what_came_later)
{
    pressindex *idx = open_writer();
    add_two(idx);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "Turkic";
    pressindex_results *res = search_with(idx, &so);
    uint64_t seq = pressindex_results_sequence(res);
    ck_assert_uint_eq(seq, 2); /* two releases written */
    ck_assert_uint_eq(pressindex_results_total(res, NULL), 2);
    pressindex_results_destroy(res);
    /* Nothing written since. */
    so.after_sequence = seq;
    res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_count(res), 0);
    ck_assert_uint_eq(pressindex_results_sequence(res), seq);
    pressindex_results_destroy(res);
    /* A new release, and an old one changed: both are new to a saved search; an older date does
     * not matter, the order of writing does. */
    static const char *const pars[] = {"Turkic states signed a new transport pact."};
    pressindex_release c = {"akorda/3", "2001-01-01", NULL, NULL, NULL, NULL, pars, 1};
    pressindex_release b = {"akorda/2", "2024-03-05", "Turkic cooperation", "Akorda", NULL, NULL, pars, 1};
    add_committed(idx, &c, 1);
    so.exact = 1;
    so.facets = 1;
    res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_count(res), 1);
    ck_assert_str_eq(pressindex_result_release(res, 0), "akorda/3");
    ck_assert_uint_eq(pressindex_results_total(res, NULL), 1);
    ck_assert_str_eq(pressindex_results_facet_value(res, PRESSINDEX_FACET_YEAR, 0, NULL), "2001");
    uint64_t seq2 = pressindex_results_sequence(res);
    ck_assert_uint_eq(seq2, seq + 1);
    pressindex_results_destroy(res);
    add_committed(idx, &b, 1);
    so.after_sequence = seq2;
    res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_count(res), 1);
    ck_assert_str_eq(pressindex_result_release(res, 0), "akorda/2");
    pressindex_results_destroy(res);
    /* Past the last number: nothing, and no error. */
    so.after_sequence = UINT64_MAX;
    res = search_with(idx, &so);
    ck_assert_uint_eq(pressindex_results_count(res), 0);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

static const struct {
    const char *query;
    size_t plain, all;   /* passages found without and with all_words */
} all_rows[] = {
    {"harbor cranes", 3, 1},                 /* only the passage with both */
    {"harbor cranes night", 3, 0},
    {"harbor OR cranes", 3, 3},              /* an OR group stays one */
    {"harbor (cranes OR night)", 3, 2},      /* the group required as a whole */
    {"harbor -night", 1, 1},                 /* an exclusion stays one */
    {"the harbor", 2, 2},                    /* a stopword left out stays out */
    {"+harbor cranes", 2, 1},
    {"\"harbor cranes\" night", 2, 0},
};

START_TEST(all_words_when_asked)
{
    pressindex *idx = open_writer();
    static const char *const pars[] = {
        "Harbor cranes unloaded the ship.",
        "The harbor was quiet at night.",
        "Cranes flew over the town.",
        "Nothing here.",
    };
    pressindex_release r = {"port/1", "2024-01-01", NULL, NULL, NULL, "en", pars, 4};
    add_committed(idx, &r, 1);
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = all_rows[_i].query;
    so.collapse = 0;
    pressindex_results *res = search_with(idx, &so);
    ck_assert_msg(pressindex_results_count(res) == all_rows[_i].plain, "%s: %zu found", so.query,
                  pressindex_results_count(res));
    pressindex_results_destroy(res);
    so.all_words = 1;
    so.exact = 1;
    res = search_with(idx, &so);
    ck_assert_msg(pressindex_results_count(res) == all_rows[_i].all, "%s --all: %zu found", so.query,
                  pressindex_results_count(res));
    ck_assert_uint_eq(pressindex_results_total(res, NULL), all_rows[_i].all);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST


START_TEST(saved_searches_are_kept_in_the_index)
{
    pressindex *idx = open_writer();
    add_two(idx);
    char *json = (char *)"x";
    ck_assert_int_eq(pressindex_watches_read(idx, &json), PRESSINDEX_OK);
    ck_assert_ptr_null(json); /* none yet */
    ck_assert_int_eq(pressindex_watches_write(idx, "[1]"), PRESSINDEX_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(pressindex_watches_write(idx, "{\"watches\": [}"), PRESSINDEX_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(pressindex_watches_write(idx, "{\"watches\": [{\"name\": \"turkic\"}]}"), PRESSINDEX_OK);
    pressindex_destroy(idx);
    /* A crashed write's leftover: a writer removes it, a reader does not mind it. */
    char p[400];
    snprintf(p, sizeof p, "%s/watches.json.tmp", dbpath);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"half", f);
    fclose(f);
    idx = open_reader();
    ck_assert_int_eq(pressindex_watches_read(idx, &json), PRESSINDEX_OK);
    ck_assert_str_eq(json, "{\"watches\": [{\"name\": \"turkic\"}]}");
    free(json);
    ck_assert_int_eq(pressindex_watches_write(idx, "{}"), PRESSINDEX_ERR_INVALID_ARGUMENT); /* read-only */
    pressindex_destroy(idx);
    idx = open_writer();
    ck_assert_int_eq(access(p, F_OK), -1);
    /* Compaction swaps the database and keeps them. */
    ck_assert_int_eq(pressindex_compact(idx), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_watches_read(idx, &json), PRESSINDEX_OK);
    ck_assert_ptr_nonnull(strstr(json, "turkic"));
    free(json);
    pressindex_destroy(idx);
    /* Damaged: said so, the index itself still opens and searches. */
    snprintf(p, sizeof p, "%s/watches.json", dbpath);
    f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"watches\": ", f);
    fclose(f);
    idx = open_reader();
    ck_assert_int_eq(pressindex_watches_read(idx, &json), PRESSINDEX_ERR_CORRUPT);
    ck_assert_ptr_nonnull(strstr(pressindex_last_error(idx), "watches.json"));
    pressindex_results *res = search(idx, "Turkic");
    ck_assert_uint_gt(pressindex_results_count(res), 0);
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("lib");
    TCase *tc = tcase_create("open");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, missing_index_is_not_found);
    tcase_add_test(tc, second_writer_is_locked);
    tcase_add_test(tc, newer_schema_is_refused);
    tcase_add_test(tc, release_sequence_grows);
    tcase_add_test(tc, older_schema_asks_for_a_rebuild);
    tcase_add_test(tc, foreign_directory_is_left_alone);
    tcase_add_loop_test(tc, damaged_directory_is_refused, 0, sizeof damages / sizeof damages[0]);
    tcase_add_test(tc, a_reader_looking_does_not_lock_out_a_writer);
    tcase_add_test(tc, created_index_is_taken_back_when_nothing_was_found);
    tcase_add_test(tc, status_strings);
    tcase_add_test(tc, positions_value_round_trip);
    suite_add_tcase(s, tc);
    tc = tcase_create("write");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, add_search_and_metadata);
    tcase_add_test(tc, replace_and_delete);
    tcase_add_test(tc, index_from_memory);
    tcase_add_test(tc, index_paths_ids_never_collide);
    tcase_add_test(tc, parallel_build_revisions_across_shards);
    tcase_add_test(tc, uncommitted_changes_are_discarded);
    tcase_add_test(tc, edit_keeps_unchanged_paragraphs);
    tcase_add_test(tc, long_release_texts_in_blocks);
    tcase_add_test(tc, impossible_date_is_stored_undated);
    tcase_add_test(tc, reader_cannot_write);
    tcase_add_test(tc, index_fixture_folder);
    suite_add_tcase(s, tc);
    tc = tcase_create("validate");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, invalid_utf8_repaired_alike);
    tcase_add_test(tc, unknown_language_repaired_alike);
    tcase_add_test(tc, iso_code_without_stemmer_is_unstemmed);
    tcase_add_test(tc, out_of_range_enums_are_refused);
    tcase_add_test(tc, json_nul_escape_is_repaired);
    suite_add_tcase(s, tc);
    tc = tcase_create("search");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, folding_and_stemming, 0, sizeof fold_rows / sizeof fold_rows[0]);
    tcase_add_loop_test(tc, malformed_queries, 0, sizeof bad_queries / sizeof bad_queries[0]);
    tcase_add_loop_test(tc, malformed_query_position, 0, sizeof position_rows / sizeof position_rows[0]);
    tcase_add_loop_test(tc, facets_of_nothing, 0, 2);
    tcase_add_test(tc, filters_sorting_collapse);
    tcase_add_test(tc, phrase_keeps_stopwords_and_order);
    tcase_add_test(tc, did_you_mean);
    tcase_add_test(tc, did_you_mean_with_results);
    tcase_add_test(tc, every_language_is_searched);
    tcase_add_test(tc, reporter_forms_match);
    tcase_add_test(tc, phrase_words_highlighted_as_the_phrase);
    tcase_add_test(tc, overlong_words_not_highlighted);
    tcase_add_test(tc, tokenizer_agrees_with_index);
    tcase_add_test(tc, title_weight_counts);
    tcase_add_loop_test(tc, passage_alone_satisfies, 0, sizeof alone_rows / sizeof alone_rows[0]);
    tcase_add_test(tc, phrase_scored_by_its_frequency);
    tcase_add_test(tc, question_ranks_below_its_answer);
    tcase_add_test(tc, release_evidence_and_weight_zero);
    tcase_add_test(tc, paragraph_before_lends_its_words);
    tcase_add_test(tc, excluded_and_unmatched_words_are_no_evidence);
    tcase_add_test(tc, title_counts_in_structured_queries);
    tcase_add_test(tc, adjacency_when_asked);
    tcase_add_test(tc, pages_continue_each_other);
    tcase_add_test(tc, impossible_weights_are_refused);
    tcase_add_test(tc, options_grow_without_breaking_callers);
    tcase_add_test(tc, queries_are_bounded);
    tcase_add_loop_test(tc, query_language, 0, sizeof lang_rows / sizeof lang_rows[0]);
    suite_add_tcase(s, tc);
    tc = tcase_create("count");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, exact_total_and_facets);
    tcase_add_test(tc, estimated_totals_are_stable_and_close);
    tcase_add_test(tc, sparse_phrase_total_is_not_guessed);
    tcase_add_test(tc, facets_share_the_sampled_total);
    tcase_add_test(tc, small_matches_are_exact);
    tcase_add_test(tc, boilerplate_is_demoted);
    tcase_add_test(tc, reader_sees_new_boilerplate);
    tcase_add_test(tc, after_sequence_finds_only_what_came_later);
    tcase_add_test(tc, saved_searches_are_kept_in_the_index);
    tcase_add_loop_test(tc, all_words_when_asked, 0, sizeof all_rows / sizeof all_rows[0]);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
