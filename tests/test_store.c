/*
 * test_store.c - the passages store's file (src/lib/store.h): what is written reads back by docid,
 * what is not there is not found, damage and another database's store are refused, and a build's
 * runs give the last record of each document at the docids the compaction moved it to. A record
 * has four parts (passages value, stopwords, texts, release record); any may be empty.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

static const char UUID[] = "0123abcd-4567-89ef-0123-456789abcdef";
static const char OTHER[] = "ffffffff-4567-89ef-0123-456789abcdef";
static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/pi-test-store-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static char *file_path(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static pi_store *open_ok(const char *uuid)
{
    pi_store *s = NULL;
    char msg[256] = "";
    ck_assert_msg(pi_store_open(dir, uuid, &s, msg, sizeof msg) == 0, "%s", msg);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* A record of four C strings. */
static pi_store_rec rec4(const char *pos, const char *stop, const char *texts, const char *record)
{
    pi_store_rec r = {{pos, stop, texts, record},
                      {strlen(pos), strlen(stop), strlen(texts), strlen(record)}};
    return r;
}

static void expect_record(pi_store *s, unsigned docid, const char *pos, const char *stop,
                          const char *texts, const char *record)
{
    pi_store_rec r, want = rec4(pos, stop, texts, record);
    ck_assert_int_eq(pi_store_get(s, docid, &r), 1);
    for (int i = 0; i < PI_STORE_PARTS; i++) {
        ck_assert_uint_eq(r.l[i], want.l[i]);
        ck_assert_int_eq(memcmp(r.v[i], want.v[i], r.l[i]), 0);
    }
}

static int absent(pi_store *s, unsigned docid)
{
    pi_store_rec r;
    return pi_store_get(s, docid, &r) == 0;
}

static int add(pi_store_writer *w, unsigned docid, const char *pos, const char *stop,
               const char *texts, const char *record)
{
    pi_store_rec r = rec4(pos, stop, texts, record);
    return pi_store_writer_add(w, docid, &r);
}

static int run_add(pi_store_run *run, unsigned docid, const char *pos, const char *stop,
                   const char *texts, const char *record)
{
    pi_store_rec r = rec4(pos, stop, texts, record);
    return pi_store_run_add(run, docid, &r);
}

static int gather(void *ctx, unsigned docid)
{
    unsigned **at = ctx;
    *(*at)++ = docid;
    return 0;
}

/* Three records with gaps between and around them; one without stopwords, texts or record; a
 * long one. */
static void write_three(void)
{
    pi_store_writer *w = NULL;
    ck_assert_int_eq(pi_store_writer_open(dir, &w), 0);
    static char big[70000];
    memset(big, 'x', sizeof big - 1);
    ck_assert_int_eq(add(w, 3, "map+pos", "stop", "texts", "id"), 0);
    ck_assert_int_eq(add(w, 5, "five", "", "", ""), 0);
    ck_assert_int_eq(add(w, 9, big, "s", big, "r"), 0);
    ck_assert_int_eq(pi_store_writer_finish(w, UUID), 0);
    ck_assert_int_eq(access(file_path(PI_STORE_FILE ".tmp"), F_OK), -1); /* renamed */
}

START_TEST(round_trip)
{
    make_dir();
    pi_store *s = NULL;
    char msg[256];
    ck_assert_int_eq(pi_store_open(dir, UUID, &s, msg, sizeof msg), 0); /* no file: no store */
    ck_assert_ptr_null(s);
    write_three();
    s = open_ok(UUID);
    expect_record(s, 3, "map+pos", "stop", "texts", "id");
    expect_record(s, 5, "five", "", "", "");
    pi_store_rec r;
    ck_assert_int_eq(pi_store_get(s, 9, &r), 1);
    for (int i = 0; i < PI_STORE_PARTS; i += 2) {
        ck_assert_uint_eq(r.l[i], 69999);
        ck_assert_int_eq(r.v[i][0], 'x');
        ck_assert_int_eq(r.v[i][r.l[i] - 1], 'x');
    }
    ck_assert_uint_eq(r.l[PI_PART_STOPPOS], 1);
    ck_assert_int_eq(r.v[PI_PART_STOPPOS][0], 's');
    ck_assert_uint_eq(r.l[PI_PART_RECORD], 1);
    ck_assert_int_eq(r.v[PI_PART_RECORD][0], 'r');
    /* Within the search that first reads them, records are copies, in one buffer (3's and 5's
     * maps start after the same three bytes of lengths); read in a later search, they come from
     * the mapping: apart, and where they were. The same bytes either way. */
    ck_assert_int_eq(pi_store_get(s, 3, &r), 1);
    const char *copy3 = r.v[PI_PART_POS];
    ck_assert_int_eq(pi_store_get(s, 5, &r), 1);
    ck_assert_ptr_eq(r.v[PI_PART_POS], copy3);
    pi_store_new_search(s);
    ck_assert_int_eq(pi_store_get(s, 3, &r), 1);
    const char *mapped3 = r.v[PI_PART_POS];
    ck_assert_int_eq(pi_store_get(s, 5, &r), 1);
    ck_assert_ptr_ne(r.v[PI_PART_POS], mapped3);
    ck_assert_int_eq(pi_store_get(s, 3, &r), 1);
    ck_assert_ptr_eq(r.v[PI_PART_POS], mapped3);
    for (int k = 0; k < 3; k++) {
        expect_record(s, 3, "map+pos", "stop", "texts", "id");
        expect_record(s, 5, "five", "", "", "");
    }
    for (unsigned d = 0; d < 12; d++)
        if (d != 3 && d != 5 && d != 9)
            ck_assert_msg(absent(s, d), "docid %u found", d);
    ck_assert_uint_eq(pi_store_records(s), 3);
    unsigned ids[4], *at = ids;
    ck_assert_int_eq(pi_store_each(s, gather, &at), 0);
    ck_assert_int_eq(at - ids, 3);
    ck_assert_uint_eq(ids[0], 3);
    ck_assert_uint_eq(ids[1], 5);
    ck_assert_uint_eq(ids[2], 9);
    ck_assert_int_eq(pi_store_verify(s), 0);
    pi_store_close(s);
    /* Another database's store is not this one's. */
    s = NULL;
    ck_assert_int_eq(pi_store_open(dir, OTHER, &s, msg, sizeof msg), -1);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(msg, "another database"));
    remove_dir();
}
END_TEST

START_TEST(empty_store)
{
    make_dir();
    pi_store_writer *w = NULL;
    ck_assert_int_eq(pi_store_writer_open(dir, &w), 0);
    ck_assert_int_eq(pi_store_writer_finish(w, UUID), 0);
    pi_store *s = open_ok(UUID);
    ck_assert_uint_eq(pi_store_records(s), 0);
    ck_assert(absent(s, 1));
    ck_assert_int_eq(pi_store_verify(s), 0);
    pi_store_close(s);
    remove_dir();
}
END_TEST

START_TEST(writer_refuses_disorder)
{
    make_dir();
    pi_store_writer *w = NULL;
    ck_assert_int_eq(pi_store_writer_open(dir, &w), 0);
    ck_assert_int_eq(add(w, 5, "a", "", "", ""), 0);
    errno = 0;
    ck_assert_int_eq(add(w, 5, "b", "", "", ""), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(add(w, 4, "b", "", "", ""), -1);
    ck_assert_int_eq(add(w, 0, "b", "", "", ""), -1);
    pi_store_writer_abort(w); /* leaves nothing */
    ck_assert_int_eq(access(file_path(PI_STORE_FILE ".tmp"), F_OK), -1);
    ck_assert_int_eq(access(file_path(PI_STORE_FILE), F_OK), -1);
    remove_dir();
}
END_TEST

static void flip(long at_from_end, long at, unsigned char mask)
{
    FILE *f = fopen(file_path(PI_STORE_FILE), "r+b");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, at_from_end ? -at_from_end : at, at_from_end ? SEEK_END : SEEK_SET), 0);
    int c = fgetc(f);
    ck_assert_int_ne(c, EOF);
    ck_assert_int_eq(fseek(f, -1, SEEK_CUR), 0);
    fputc(c ^ mask, f);
    fclose(f);
}

static int open_fails(const char *want)
{
    pi_store *s = NULL;
    char msg[256] = "";
    int rc = pi_store_open(dir, UUID, &s, msg, sizeof msg);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(msg, want), "message: %s", msg);
    return rc;
}

START_TEST(damage_refused)
{
    make_dir();
    /* A byte of the table, of the header, the magic, the file cut short: refused on opening. */
    write_three();
    flip(5, 0, 0x10);
    ck_assert_int_eq(open_fails("checksum"), -1);
    write_three();
    flip(0, 14, 0x01); /* the first docid */
    ck_assert_int_eq(open_fails("damaged"), -1);
    write_three();
    flip(0, 0, 0x20);
    ck_assert_int_eq(open_fails("is not one"), -1);
    write_three();
    ck_assert_int_eq(truncate(file_path(PI_STORE_FILE), 150), 0);
    ck_assert_int_eq(open_fails("size does not add up"), -1);
    write_three();
    ck_assert_int_eq(truncate(file_path(PI_STORE_FILE), 0), 0);
    ck_assert_int_eq(open_fails("empty"), -1);
    /* A record's bytes: opened (the table is whole), the records' checksum tells; a record whose
     * length runs past its end reads as damaged. */
    write_three();
    flip(0, PI_STORE_HEADER + 2, 0x01);
    pi_store *s = open_ok(UUID);
    ck_assert_int_eq(pi_store_verify(s), -1);
    pi_store_close(s);
    write_three();
    flip(0, PI_STORE_HEADER, 0x70); /* docid 3's length 7 -> 119 */
    s = open_ok(UUID);
    pi_store_rec r;
    ck_assert_int_eq(pi_store_get(s, 3, &r), -1);
    expect_record(s, 5, "five", "", "", "");
    pi_store_close(s);
    remove_dir();
}
END_TEST

START_TEST(runs_give_the_last_record)
{
    make_dir();
    pi_store_run *r = NULL;
    ck_assert_int_eq(pi_store_run_open(file_path("a.run"), &r), 0);
    ck_assert_int_eq(run_add(r, 1, "one", "", "t1", "r1"), 0);
    ck_assert_int_eq(run_add(r, 2, "two", "st", "t2", "r2"), 0);
    ck_assert_int_eq(run_add(r, 1, "ONE", "x", "T1", "R1"), 0); /* a revision */
    ck_assert_int_eq(pi_store_run_flush(r), 0);
    pi_store_run_close(r);
    /* Reopened (a closed shard's late revisions): appended. */
    ck_assert_int_eq(pi_store_run_open(file_path("a.run"), &r), 0);
    ck_assert_int_eq(run_add(r, 3, "three", "", "t3", ""), 0);
    pi_store_run_close(r);
    pi_store_writer *w = NULL;
    ck_assert_int_eq(pi_store_writer_open(dir, &w), 0);
    /* Document 2 is gone from the shard (deleted): only 1 and 3 are copied, moved by 10. */
    const unsigned live[] = {1, 3};
    ck_assert_int_eq(pi_store_run_copy(file_path("a.run"), live, 2, 10, w), 0);
    ck_assert_int_eq(pi_store_writer_finish(w, UUID), 0);
    pi_store *s = open_ok(UUID);
    expect_record(s, 11, "ONE", "x", "T1", "R1");
    expect_record(s, 13, "three", "", "t3", "");
    ck_assert(absent(s, 12));
    ck_assert(absent(s, 1));
    pi_store_close(s);
    /* A live document without a record, a run cut short: errors, not a store with holes. */
    ck_assert_int_eq(pi_store_writer_open(dir, &w), 0);
    const unsigned more[] = {1, 4};
    errno = 0;
    ck_assert_int_eq(pi_store_run_copy(file_path("a.run"), more, 2, 0, w), -1);
    ck_assert_int_eq(errno, EINVAL);
    pi_store_writer_abort(w);
    ck_assert_int_eq(truncate(file_path("a.run"), 20), 0);
    ck_assert_int_eq(pi_store_writer_open(dir, &w), 0);
    ck_assert_int_eq(pi_store_run_copy(file_path("a.run"), live, 2, 0, w), -1);
    pi_store_writer_abort(w);
    remove_dir();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("file");
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, empty_store);
    tcase_add_test(tc, writer_refuses_disorder);
    tcase_add_test(tc, damage_refused);
    tcase_add_test(tc, runs_give_the_last_record);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
