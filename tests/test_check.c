/*
 * test_check.c - pressindex_check() finds what it promises to: each invariant broken on purpose
 * (through the shim, as a crash or a bug would leave it), then checked.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "internal.h"
#include "posblob.h"
#include "pressindex.h"
#include "sync.h"

static char dir[64], path[96];
static unsigned long reported;
static char last[1024];

static void on_problem(void *user, const char *where, unsigned long line, const char *message)
{
    (void)user;
    (void)line;
    reported++;
    snprintf(last, sizeof last, "%s: %s", where, message);
}

static pressindex *make_index(void)
{
    snprintf(dir, sizeof dir, "/tmp/pi-test-check-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/idx", dir);
    pressindex_open_options oo;
    pressindex_open_options_init(&oo);
    oo.writable = 1;
    oo.create = 1;
    pressindex *idx = NULL;
    ck_assert_int_eq(pressindex_open(path, &oo, &idx), PRESSINDEX_OK);
    static const char *const pars[] = {"The walrus census counted a colony.", "It was calm."};
    pressindex_release a = {"census/1", "2025-01-15", "Walrus census", "Arctic Office", NULL, "en", pars, 2};
    pressindex_release b = {"census/2", "2025-01-16", "Walrus again", "Arctic Office", NULL, "en", pars, 1};
    ck_assert_int_eq(pressindex_add_release(idx, &a), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_add_release(idx, &b), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    reported = 0;
    last[0] = '\0';
    return idx;
}

static void cleanup(pressindex *idx)
{
    pressindex_destroy(idx);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(healthy)
{
    pressindex *idx = make_index();
    pressindex_check_stats cs;
    ck_assert_int_eq(pressindex_check(idx, on_problem, NULL, &cs), PRESSINDEX_OK);
    ck_assert_uint_eq(cs.releases, 2);
    ck_assert_uint_eq(cs.passages, 3);
    ck_assert_uint_eq(cs.problems, 0);
    ck_assert_uint_eq(reported, 0);
    cleanup(idx);
}
END_TEST

START_TEST(passages_without_their_record)
{
    pressindex *idx = make_index();
    char key[PI_KEY_LEN + 1], mkey[PI_KEY_LEN + 8];
    pi_release_key("census/1", key);
    snprintf(mkey, sizeof mkey, "%s%s", PI_META_RELEASE, key);
    ck_assert_int_eq(xc_db_set_metadata(idx->db, mkey, "", 0), XC_OK); /* empty: removed */
    ck_assert_int_eq(xc_db_commit(idx->db), XC_OK);
    pressindex_check_stats cs;
    ck_assert_int_eq(pressindex_check(idx, on_problem, NULL, &cs), PRESSINDEX_ERR_CORRUPT);
    ck_assert_uint_eq(cs.problems, 1);
    ck_assert_ptr_nonnull(strstr(last, "2 passages without a release record"));
    cleanup(idx);
}
END_TEST

START_TEST(record_states_other_passages)
{
    pressindex *idx = make_index();
    char key[PI_KEY_LEN + 1], mkey[PI_KEY_LEN + 8];
    pi_release_key("census/2", key);
    snprintf(mkey, sizeof mkey, "%s%s", PI_META_RELEASE, key);
    pressindex_release b = {"census/2", "2025-01-16", "Walrus again", "Arctic Office", NULL, "en", NULL, 0};
    pi_buf rec = {0};
    ck_assert_int_eq(pi_record_encode(&b, "2025-01-16", "en", 5, NULL, &rec), 0);
    ck_assert_int_eq(xc_db_set_metadata(idx->db, mkey, rec.p, rec.len), XC_OK);
    ck_assert_int_eq(xc_db_commit(idx->db), XC_OK);
    pi_buf_free(&rec);
    ck_assert_int_eq(pressindex_check(idx, on_problem, NULL, NULL), PRESSINDEX_ERR_CORRUPT);
    ck_assert_msg(strstr(last, "census/2") && strstr(last, "states 5 passages, the index holds 1"), "%s", last);
    cleanup(idx);
}
END_TEST

START_TEST(damaged_records)
{
    pressindex *idx = make_index();
    char key[PI_KEY_LEN + 1], mkey[PI_KEY_LEN + 8], fkey[PI_FILE_KEY_LEN + 1];
    pi_release_key("census/1", key);
    snprintf(mkey, sizeof mkey, "%s%s", PI_META_RELEASE, key);
    ck_assert_int_eq(xc_db_set_metadata(idx->db, mkey, "garbage", 7), XC_OK);
    pi_file_key("/srv/press", "a.txt", fkey);
    ck_assert_int_eq(xc_db_set_metadata(idx->db, fkey, "PI9", 3), XC_OK);
    ck_assert_int_eq(xc_db_commit(idx->db), XC_OK);
    pressindex_check_stats cs;
    ck_assert_int_eq(pressindex_check(idx, on_problem, NULL, &cs), PRESSINDEX_ERR_CORRUPT);
    /* the release record (its passages still have one, damaged) and the file record */
    ck_assert_uint_eq(cs.problems, 2);
    ck_assert_ptr_nonnull(strstr(last, "source file record is damaged"));
    cleanup(idx);
}
END_TEST

/* Replaces the body positions of census/1's document with value[0..len), its passage map kept
 * (the passages value is map and positions together, posblob.h); whole: the value becomes
 * value[0..len) as it is. */
/* How set_positions_value() writes: the value joined to the release's own passage map, the
 * passages value whole, or the stopwords' positions value. */
enum { POS_BLOB, POS_WHOLE, POS_STOP };

static void set_positions_value(pressindex *idx, const char *value, size_t len, int how)
{
    char key[PI_KEY_LEN + 1], term[PI_KEY_LEN + 8];
    pi_release_key("census/1", key);
    snprintf(term, sizeof term, "%s%s", PI_P_RELEASE, key);
    xc_postlist *pl = NULL;
    unsigned docid = 0;
    xc_doc *doc = NULL;
    ck_assert_int_eq(xc_db_postlist(idx->db, term, strlen(term), &pl), XC_OK);
    ck_assert_int_eq(xc_postlist_next(pl, &docid), 1);
    xc_postlist_free(pl);
    ck_assert_int_eq(xc_db_get_document(idx->db, docid, &doc), XC_OK);
    pi_buf v = {0};
    if (how != POS_BLOB) {
        ck_assert_int_eq(pi_buf_add(&v, value, len), 0);
    } else {
        char *old = NULL;
        size_t olen = 0, mlen, blen;
        const char *map, *blob;
        ck_assert_int_eq(xc_db_value(idx->db, docid, PI_SLOT_POS, &old, &olen), XC_OK);
        ck_assert_int_eq(pi_pv_split(old, olen, &map, &mlen, &blob, &blen), 0);
        ck_assert_uint_gt(mlen, 0);
        ck_assert_int_eq(pi_pv_join(map, mlen, value, len, &v), 0);
        free(old);
    }
    ck_assert_int_eq(xc_doc_set_value(doc, how == POS_STOP ? PI_SLOT_STOPPOS : PI_SLOT_POS, v.p ? v.p : "", v.len), XC_OK);
    pi_buf_free(&v);
    ck_assert_int_eq(xc_db_replace_document(idx->db, docid, doc), XC_OK);
    ck_assert_int_eq(xc_db_commit(idx->db), XC_OK);
    xc_doc_free(doc);
}

/* The passages value (PI_SLOT_POS: the passage map and the body positions) is the only way to a
 * release's passages, and the stopwords' positions value (PI_SLOT_STOPPOS) the only way to its
 * phrases with a stopword: positions damaged, the value lost, positions outside the passages, a
 * map that does not fit, a word in the other value than a search looks in, each is reported
 * against the release, once. */
START_TEST(damaged_positions)
{
    static const char *const want[] = {"does not decode", "no passages value", "outside its passages",
                                       "passage map does not fit", "positions value holds a stopword",
                                       "stopwords' positions value holds a word that is not a stopword",
                                       "stopwords' positions value is damaged"};
    for (int v = 0; v < 7; v++) {
        pressindex *idx = make_index();
        pi_posb b = {0};
        pi_buf blob = {0};
        if (v == 0 || v == 6) {
            ck_assert_int_eq(pi_buf_add(&blob, "\x00\x01z\x05", 4), 0); /* index past the end */
        } else if (v == 4 || v == 5) {
            /* a stopword among the words, a word among the stopwords (finish() without its
             * stopwords' blob keeps them together) */
            const char *w = v == 4 ? "the" : "walrus";
            ck_assert_int_eq(pi_posb_add(&b, w, strlen(w), 2), 0);
            ck_assert_int_eq(pi_posb_finish(&b, 0, &blob, NULL), 0);
        } else if (v == 2) {
            /* "walrus" at position 40: the first passage spans 1-6, the second starts at 71 */
            ck_assert_int_eq(pi_posb_add(&b, "walrus", 6, 2), 0);
            ck_assert_int_eq(pi_posb_add(&b, "walrus", 6, 40), 0);
            ck_assert_int_eq(pi_posb_finish(&b, 0, &blob, NULL), 0);
        }
        if (v == 3) /* a map's length past the value's end */
            ck_assert_int_eq(pi_buf_add(&blob, "\x7f\x01\x02", 3), 0);
        set_positions_value(idx, blob.p ? blob.p : "", blob.len,
                            v == 1 || v == 3 ? POS_WHOLE : v >= 5 ? POS_STOP : POS_BLOB);
        pressindex_check_stats cs;
        ck_assert_int_eq(pressindex_check(idx, on_problem, NULL, &cs), PRESSINDEX_ERR_CORRUPT);
        ck_assert_uint_eq(cs.problems, 1);
        ck_assert_msg(strstr(last, "census/1") && strstr(last, want[v]), "%d: %s", v, last);
        pi_posb_free(&b);
        pi_buf_free(&blob);
        cleanup(idx);
    }
}
END_TEST

/* Bytes scribbled over the postings table: Xapian's own check finds it. */
START_TEST(scribbled_database)
{
    pressindex *idx = make_index();
    char file[256];
    snprintf(file, sizeof file, "%s/%s/postlist.glass", path, idx->db_target);
    int fd = open(file, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    off_t size = lseek(fd, 0, SEEK_END);
    char junk[4096];
    memset(junk, 0x5A, sizeof junk);
    for (off_t at = 0; at < size; at += (off_t)sizeof junk) /* every block: whichever is live */
        ck_assert_int_eq(pwrite(fd, junk, sizeof junk, at), (ssize_t)sizeof junk);
    close(fd);
    pressindex *rd = NULL;
    pressindex_status st = pressindex_open(path, NULL, &rd);
    if (st == PRESSINDEX_OK) {
        ck_assert_int_eq(pressindex_check(rd, on_problem, NULL, NULL), PRESSINDEX_ERR_CORRUPT);
        ck_assert_msg(strstr(last, "Xapian's check"), "%s", last);
        pressindex_destroy(rd);
    } else {
        ck_assert_int_eq(st, PRESSINDEX_ERR_CORRUPT); /* refused at open: as good */
    }
    cleanup(idx);
}
END_TEST

/* The stored texts (schema 6: zstd frames): every passage back as written, from one frame or from
 * blocks; an older index's zlib stream still read; a damaged frame is "damaged" (-1), never a
 * crash or an allocation of the size it claims. */
START_TEST(texts_round_trip)
{
    pi_texts_ctx *zc = NULL;
    pi_unz *unz = NULL;
    pi_buf texts = {0}, z = {0}, out = {0};
    size_t first = 0, len = 0;
    for (int long_one = 0; long_one < 2; long_one++) {
        pi_buf_clear(&texts);
        size_t n = long_one ? 400 : 3;
        for (size_t k = 0; k < n; k++) /* 400 x ~90 bytes: three blocks of 16 KB */
            ck_assert_int_eq(pi_buf_printf(&texts, "Paragraph %zu of the walrus census, counted on the ice "
                                           "floes north of the station.", k) < 0 || pi_buf_addc(&texts, '\0') < 0, 0);
        ck_assert_int_eq(pi_texts_pack(&zc, texts.p, texts.len, &z), 0);
        ck_assert(z.len < texts.len);
        ck_assert_int_eq((unsigned char)z.p[0] == PI_TEXTS_BLOCKS, long_one);
        for (size_t k = 0; k < n; k++) {
            ck_assert_int_eq(pi_texts_unpack(&unz, z.p, z.len, k, k, &out, &first), 0);
            ck_assert(first <= k);
            const char *t = pi_data_text(out.p, out.len, k - first, &len);
            const char *want = pi_data_text(texts.p, texts.len, k, &(size_t){0});
            ck_assert_ptr_nonnull(t);
            ck_assert_uint_eq(len, strlen(want));
            ck_assert(!memcmp(t, want, len));
        }
        ck_assert_int_eq(pi_texts_unpack(&unz, z.p, z.len, 0, SIZE_MAX, &out, &first), 0);
        ck_assert_uint_eq(out.len, texts.len);
        ck_assert(!memcmp(out.p, texts.p, texts.len));
    }
    /* A schema-5 release: one zlib stream. */
    uLongf zl = compressBound(60);
    char old[128];
    ck_assert_int_eq(compress2((Bytef *)old, &zl, (const Bytef *)"First.\0Second paragraph.\0", 26, 6), Z_OK);
    ck_assert_int_eq(pi_texts_unpack(&unz, old, zl, 1, 1, &out, &first), 0);
    ck_assert_str_eq(pi_data_text(out.p, out.len, 1 - first, &len), "Second paragraph.");
    /* Damaged: a frame cut short, a frame with one byte of its text changed (its checksum tells),
     * a frame whose size field says 1 TB. */
    ck_assert_int_eq(pi_texts_pack(&zc, "Walrus.", 8, &z), 0);
    ck_assert_int_eq(pi_texts_unpack(&unz, z.p, z.len - 3, 0, 0, &out, &first), -1);
    size_t at = 0;
    while (at + 6 <= z.len && memcmp(z.p + at, "Walrus", 6))
        at++;
    ck_assert_uint_lt(at + 6, z.len + 1); /* too short to compress: stored as written */
    z.p[at] = 'B';
    ck_assert_int_eq(pi_texts_unpack(&unz, z.p, z.len, 0, 0, &out, &first), -1);
    char big[32] = {(char)0x28, (char)0xB5, 0x2F, (char)0xFD, (char)0xE0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0};
    ck_assert_int_eq(pi_texts_unpack(&unz, big, 17, 0, 0, &out, &first), -1);
    pi_texts_ctx_free(zc);
    pi_unz_free(unz);
    pi_buf_free(&texts);
    pi_buf_free(&z);
    pi_buf_free(&out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("check");
    TCase *tc = tcase_create("invariants");
    tcase_add_test(tc, healthy);
    tcase_add_test(tc, passages_without_their_record);
    tcase_add_test(tc, record_states_other_passages);
    tcase_add_test(tc, damaged_records);
    tcase_add_test(tc, damaged_positions);
    tcase_add_test(tc, scribbled_database);
    tcase_add_test(tc, texts_round_trip);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
