/* test_sync.c - pressindex_reindex() on temporary folders: what it adds, replaces, deletes, leaves
 * alone and refuses, and the file records it keeps (sync.h). */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "internal.h"
#include "pressindex.h"
#include "sync.h"

static char tmpdir[256];
static char dbpath[300];
static char folder[300];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pi-test-sync-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(dbpath, sizeof dbpath, "%s/index", tmpdir);
    snprintf(folder, sizeof folder, "%s/releases", tmpdir);
    ck_assert_int_eq(mkdir(folder, 0777), 0);
}

static void teardown(void)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Writes folder/rel (making its subfolders), with an mtime of `age` seconds ago so that a rewrite
 * within the same clock tick still looks changed. */
static void put(const char *rel, const char *text, int age)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", folder, rel);
    for (char *s = path + strlen(folder) + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(path, 0777);
            *s = '/';
        }
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    struct timeval tv[2];
    gettimeofday(&tv[0], NULL);
    tv[0].tv_sec -= age;
    tv[1] = tv[0];
    ck_assert_int_eq(utimes(path, tv), 0);
}

static void rm(const char *rel)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", folder, rel);
    ck_assert_int_eq(unlink(path), 0);
}

static pressindex *open_writer(void)
{
    pressindex_open_options o;
    pressindex_open_options_init(&o);
    o.writable = 1;
    o.create = 1;
    o.lock_timeout = 0;
    pressindex *idx = NULL;
    ck_assert_msg(pressindex_open(dbpath, &o, &idx) == PRESSINDEX_OK, "open: %s", pressindex_open_error());
    return idx;
}

typedef struct seen {
    int problems;
    unsigned long last_line;
    char changes[2048]; /* "+id ~id -id " in order */
} seen;

static void on_problem(void *user, const char *file, unsigned long line, const char *msg)
{
    (void)file;
    (void)msg;
    seen *s = user;
    s->problems++;
    s->last_line = line;
}

static void on_change(void *user, pressindex_change kind, const char *id, const char *file)
{
    (void)file;
    seen *s = user;
    size_t n = strlen(s->changes);
    snprintf(s->changes + n, sizeof s->changes - n, "%c%s ",
             kind == PRESSINDEX_CHANGE_ADDED ? '+' : kind == PRESSINDEX_CHANGE_CHANGED ? '~' : '-', id);
}

static seen last;

/* One reindex of the folder in a fresh writer, as the nightly job does. */
static pressindex_status run(int dry_run, int allow, pressindex_reindex_stats *st)
{
    pressindex *idx = open_writer();
    pressindex_reindex_options o;
    pressindex_reindex_options_init(&o);
    o.dry_run = dry_run;
    o.allow_deletions = allow;
    o.on_problem = on_problem;
    o.on_change = on_change;
    memset(&last, 0, sizeof last);
    o.user = &last;
    const char *folders[] = {folder};
    pressindex_status s = pressindex_reindex(idx, folders, 1, &o, st);
    pressindex_destroy(idx);
    return s;
}

static void counts(uint64_t releases, uint64_t passages)
{
    pressindex *idx = NULL;
    ck_assert_int_eq(pressindex_open(dbpath, NULL, &idx), PRESSINDEX_OK);
    pressindex_stats s;
    ck_assert_int_eq(pressindex_get_stats(idx, &s), PRESSINDEX_OK);
    pressindex_destroy(idx);
    ck_assert_uint_eq(s.releases, releases);
    ck_assert_uint_eq(s.passages, passages);
}

#define EXPECT(st, a, c, d, u)                                                                     \
    do {                                                                                           \
        ck_assert_uint_eq((st).added, a);                                                          \
        ck_assert_uint_eq((st).changed, c);                                                        \
        ck_assert_uint_eq((st).deleted, d);                                                        \
        ck_assert_uint_eq((st).unchanged, u);                                                      \
    } while (0)

/* ---------------------------------------------------------------------------------------------- */

static const struct {
    const char *in, *out;
} paths[] = {
    {"/a/b", "/a/b"},       {"/a/b/", "/a/b"},   {"/a//b/./c", "/a/b/c"},
    {"/a/b/../c", "/a/c"},  {"/", "/"},          {"/..", "/"},
};

START_TEST(folder_key_paths)
{
    char *k = pi_folder_key_path(paths[_i].in);
    ck_assert_str_eq(k, paths[_i].out);
    free(k);
}
END_TEST

START_TEST(relative_folder_is_made_absolute)
{
    char cwd[512];
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    char *k = pi_folder_key_path("./x/");
    char want[600];
    snprintf(want, sizeof want, "%s/x", strcmp(cwd, "/") ? cwd : "");
    ck_assert_str_eq(k, want);
    free(k);
}
END_TEST

START_TEST(file_record_round_trip)
{
    char entries[2 * PI_ENTRY_LEN + 1];
    memset(entries, 'a', PI_ENTRY_LEN);
    memset(entries + PI_ENTRY_LEN, 'b', PI_ENTRY_LEN);
    pi_file_record fr = {NULL, 1234, 1700000000123456789LL, 0xfeedface12345678ULL, "/x/y", "sub/z.txt",
                         entries, 2};
    pi_buf b = {0};
    ck_assert_int_eq(pi_file_record_encode(&fr, &b), 0);
    size_t len = b.len;
    pi_file_record back;
    ck_assert_int_eq(pi_file_record_decode(pi_buf_steal(&b), len, &back), 0);
    ck_assert_uint_eq(back.size, 1234);
    ck_assert(back.mtime_ns == 1700000000123456789LL);
    ck_assert(back.checksum == 0xfeedface12345678ULL);
    ck_assert_str_eq(back.folder, "/x/y");
    ck_assert_str_eq(back.rel, "sub/z.txt");
    ck_assert_uint_eq(back.n, 2);
    ck_assert_int_eq(memcmp(back.entries, entries, 2 * PI_ENTRY_LEN), 0);
    free(back.blob);
    /* Not a record: refused, not misread. */
    char *junk = malloc(4);
    memcpy(junk, "R1\0x", 4);
    pi_file_record bad;
    ck_assert_int_eq(pi_file_record_decode(junk, 4, &bad), -1);
    free(junk);
}
END_TEST

START_TEST(release_digest_sees_every_field)
{
    const char *p1[] = {"one", "two"}, *p2[] = {"one", "two!"}, *p3[] = {"onetwo", ""};
    pressindex_release a = {"id", "2024-01-01", "T", NULL, NULL, NULL, p1, 2};
    pressindex_release b = a, c = a, d = a;
    b.paragraphs = p2;
    c.paragraphs = p3;
    d.title = "T2";
    char da[PI_DIGEST_LEN + 1], db[PI_DIGEST_LEN + 1], dc[PI_DIGEST_LEN + 1], dd[PI_DIGEST_LEN + 1];
    pi_release_digest(&a, da);
    pi_release_digest(&b, db);
    pi_release_digest(&c, dc);
    pi_release_digest(&d, dd);
    ck_assert_str_ne(da, db);
    ck_assert_str_ne(da, dc);
    ck_assert_str_ne(da, dd);
}
END_TEST

/* ---------------------------------------------------------------------------------------------- */

START_TEST(add_change_touch_delete)
{
    pressindex_reindex_stats st;
    put("a.txt", "Title: A\n\nAlpha one.\n\nAlpha two.\n", 100);
    put("sub/b.txt", "Beta.\n", 100);
    put("c.txt", "Gamma.\n", 100);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 3, 0, 0, 0);
    ck_assert_uint_eq(st.files, 3);
    ck_assert_uint_eq(st.files_read, 3);
    counts(3, 4);

    /* Nothing changed: nothing read. */
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 0, 0, 3);
    ck_assert_uint_eq(st.files_read, 0);

    /* Touched, same bytes: checksummed, not re-indexed. */
    put("a.txt", "Title: A\n\nAlpha one.\n\nAlpha two.\n", 50);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 0, 0, 3);
    ck_assert_uint_eq(st.files_read, 0);

    /* Changed: replaced, passages follow. */
    put("a.txt", "Title: A\n\nAlpha one, revised.\n", 40);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 1, 0, 2);
    ck_assert_str_eq(last.changes, "~releases/a.txt ");
    counts(3, 3);

    /* Renamed: one deleted, one added. */
    char from[600], to[600];
    snprintf(from, sizeof from, "%s/sub/b.txt", folder);
    snprintf(to, sizeof to, "%s/sub/b2.txt", folder);
    ck_assert_int_eq(rename(from, to), 0);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 1, 0, 1, 2);
    ck_assert_str_eq(last.changes, "+releases/sub/b2.txt -releases/sub/b.txt ");
    counts(3, 3);

    /* Deleted. */
    rm("c.txt");
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 0, 1, 2);
    counts(2, 2);
}
END_TEST

START_TEST(jsonl_append_reads_only_new_releases)
{
    pressindex_reindex_stats st;
    char text[8192] = "";
    for (int i = 0; i < 20; i++) {
        size_t n = strlen(text);
        snprintf(text + n, sizeof text - n, "{\"id\": \"r%d\", \"paragraphs\": [\"release %d\", \"more\"]}\n", i, i);
    }
    put("all.jsonl", text, 100);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 20, 0, 0, 0);
    for (int i = 20; i < 25; i++) {
        size_t n = strlen(text);
        snprintf(text + n, sizeof text - n, "{\"id\": \"r%d\", \"paragraphs\": [\"release %d\"]}\n", i, i);
    }
    put("all.jsonl", text, 50);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 5, 0, 0, 20);
    counts(25, 45);

    /* One id leaves the file, one release changes. */
    char *r3 = strstr(text, "{\"id\": \"r3\"");
    char *end = strchr(r3, '\n') + 1;
    memmove(r3, end, strlen(end) + 1);
    char *r7 = strstr(text, "release 7");
    r7[8] = '8';
    put("all.jsonl", text, 40);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 1, 1, 23);
    ck_assert_str_eq(last.changes, "~r7 -r3 ");
    counts(24, 43);
}
END_TEST

START_TEST(takes_over_an_index_built_by_index)
{
    put("a.txt", "Alpha.\n", 100);
    put("sub/b.txt", "Beta.\n\nMore beta.\n", 100);
    pressindex *idx = open_writer();
    ck_assert_int_eq(pressindex_index_path(idx, folder, NULL, NULL), PRESSINDEX_OK);
    pressindex_destroy(idx);
    counts(2, 3);
    pressindex_reindex_stats st;
    /* The same ids, and the index's records know the content: nothing to do (was 2 "added",
     * each release written again). */
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 0, 0, 2);
    ck_assert_str_eq(last.changes, "");
    counts(2, 3);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 0, 0, 2);

    /* What changed since index ran is replaced, and counted so. */
    put("a.txt", "Alpha, revised.\n", 50);
    idx = open_writer();
    ck_assert_int_eq(pressindex_delete_release(idx, "releases/sub/b.txt"), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_index_path(idx, folder, NULL, NULL), PRESSINDEX_OK);
    pressindex_destroy(idx);
    put("a.txt", "Alpha, revised again.\n", 40);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 1, 0, 1);
    ck_assert_str_eq(last.changes, "~releases/a.txt ");
}
END_TEST

/* Issue 15: within one reindex, no release replaces another silently. */
START_TEST(ids_never_collide)
{
    pressindex_reindex_stats st;
    /* A JSON Lines file repeating an id: a revision, the last line wins, counted once. */
    put("a.jsonl", "{\"id\": \"r1\", \"paragraphs\": [\"one\", \"uno\"]}\n"
                   "{\"id\": \"r2\", \"paragraphs\": [\"two\"]}\n"
                   "{\"id\": \"r1\", \"paragraphs\": [\"one revised\"]}\n", 100);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 2, 0, 0, 0);
    counts(2, 2);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 0, 0, 2);

    /* Another file giving r2: the first kept, both
     * named, every run until someone looks. */
    put("b.jsonl", "{\"id\": \"r2\", \"paragraphs\": [\"clash\"]}\n"
                   "{\"id\": \"r3\", \"paragraphs\": [\"three\"]}\n", 100);
    for (int night = 0; night < 2; night++) {
        ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_ERR_DATA);
        ck_assert_int_eq(last.problems, 1);
        ck_assert_uint_eq(last.last_line, 1);
        ck_assert_uint_eq(st.skipped, 1);
        ck_assert_uint_eq(st.added, night ? 0 : 1);
        counts(3, 3);
    }
    pressindex *idx = NULL;
    ck_assert_int_eq(pressindex_open(dbpath, NULL, &idx), PRESSINDEX_OK);
    pressindex_results *res = NULL;
    ck_assert_int_eq(pressindex_get_release(idx, "r2", &res), PRESSINDEX_OK);
    ck_assert_str_eq(pressindex_result_text(res, 0), "two");
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
    /* Mended: quiet again, and r2 stays a.jsonl's. */
    put("b.jsonl", "{\"id\": \"r3\", \"paragraphs\": [\"three\"]}\n", 50);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 0, 0, 3);
    counts(3, 3);

    /* Two folders of one name would give one id to two files: refused before anything. */
    char other[400], same[400];
    snprintf(other, sizeof other, "%s/x", tmpdir);
    snprintf(same, sizeof same, "%s/x/releases", tmpdir);
    ck_assert_int_eq(mkdir(other, 0777), 0);
    ck_assert_int_eq(mkdir(same, 0777), 0);
    idx = open_writer();
    const char *folders[] = {folder, same};
    ck_assert_int_eq(pressindex_reindex(idx, folders, 2, NULL, &st), PRESSINDEX_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(pressindex_last_error(idx), "both named \"releases\""));
    pressindex_destroy(idx);
    counts(3, 3);
}
END_TEST

START_TEST(jsonl_moved_to_another_file_is_kept)
{
    pressindex_reindex_stats st;
    const char *text = "{\"id\": \"x1\", \"paragraphs\": [\"one\"]}\n{\"id\": \"x2\", \"paragraphs\": [\"two\"]}\n";
    put("a.jsonl", text, 100);
    put("z.txt", "Zed.\n", 100);
    put("y.txt", "Why.\n", 100);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    char from[600], to[600];
    snprintf(from, sizeof from, "%s/a.jsonl", folder);
    snprintf(to, sizeof to, "%s/b.jsonl", folder);
    ck_assert_int_eq(rename(from, to), 0);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    ck_assert_uint_eq(st.deleted, 0);
    counts(4, 4);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 0, 0, 4);
}
END_TEST

START_TEST(bad_input_is_named_and_skipped)
{
    pressindex_reindex_stats st;
    put("a.jsonl", "{\"id\": \"ok1\", \"paragraphs\": [\"fine\"]}\nnot json\n"
                   "{\"id\": \"ok2\", \"date\": \"2024-02-30\", \"paragraphs\": [\"bad date\"]}\n", 100);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_ERR_DATA);
    ck_assert_int_eq(last.problems, 2);
    ck_assert_uint_eq(last.last_line, 3);
    ck_assert_uint_eq(st.added, 2);
    counts(2, 2);
    /* Recorded all the same: nothing is read again until the file changes. */
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 0, 0, 2);
}
END_TEST

START_TEST(dry_run_changes_nothing)
{
    pressindex_reindex_stats st;
    put("a.txt", "Alpha.\n", 100);
    put("b.txt", "Beta.\n", 100);
    put("c.txt", "Gamma.\n", 100);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    put("a.txt", "Alpha changed.\n", 50);
    put("d.txt", "Delta.\n", 50);
    rm("b.txt");
    /* On a read-only handle, which is all a dry run needs. */
    pressindex *idx = NULL;
    ck_assert_int_eq(pressindex_open(dbpath, NULL, &idx), PRESSINDEX_OK);
    pressindex_reindex_options o;
    pressindex_reindex_options_init(&o);
    o.dry_run = 1;
    o.on_change = on_change;
    memset(&last, 0, sizeof last);
    o.user = &last;
    const char *folders[] = {folder};
    ck_assert_int_eq(pressindex_reindex(idx, folders, 1, &o, &st), PRESSINDEX_OK);
    EXPECT(st, 1, 1, 1, 1);
    ck_assert_str_eq(last.changes, "~releases/a.txt +releases/d.txt -releases/b.txt ");
    o.dry_run = 0;
    ck_assert_int_eq(pressindex_reindex(idx, folders, 1, &o, &st), PRESSINDEX_ERR_INVALID_ARGUMENT);
    pressindex_destroy(idx);
    counts(3, 3);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 1, 1, 1, 1);
}
END_TEST

START_TEST(refuses_to_empty_a_folder)
{
    pressindex_reindex_stats st;
    put("a.txt", "Alpha.\n", 100);
    put("b.txt", "Beta.\n", 100);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    rm("a.txt");
    rm("b.txt");
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_ERR_DATA);
    ck_assert_uint_eq(st.deleted, 0);
    ck_assert_uint_eq(st.refused, 2);
    counts(2, 2);
    /* The folder itself gone: refused too, one message. */
    ck_assert_int_eq(rmdir(folder), 0);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_ERR_DATA);
    ck_assert_int_eq(last.problems, 0);
    counts(2, 2);
    ck_assert_int_eq(mkdir(folder, 0777), 0);
    ck_assert_int_eq(run(0, 1, &st), PRESSINDEX_OK);
    ck_assert_uint_eq(st.deleted, 2);
    counts(0, 0);
    /* Nothing recorded any more: an empty folder is just empty. */
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
}
END_TEST

START_TEST(refuses_to_delete_more_than_half)
{
    pressindex_reindex_stats st;
    put("a.txt", "Alpha.\n", 100);
    put("b.txt", "Beta.\n", 100);
    put("c.txt", "Gamma.\n", 100);
    put("d.txt", "Delta.\n", 100);
    put("e.txt", "Epsilon.\n", 100);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    rm("a.txt");
    rm("b.txt");
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK); /* 2 of 5: fine */
    counts(3, 3);
    rm("c.txt");
    rm("d.txt");
    rm("e.txt");
    put("f.txt", "Phi.\n", 50);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_ERR_DATA); /* 3 of 3 */
    ck_assert_uint_eq(st.added, 1);                         /* the rest is done */
    ck_assert_uint_eq(st.refused, 3);
    counts(4, 4);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_ERR_DATA); /* every night until someone looks */
    ck_assert_int_eq(run(0, 1, &st), PRESSINDEX_OK);
    ck_assert_uint_eq(st.deleted, 3);
    counts(1, 1);
}
END_TEST

START_TEST(missing_folder_never_recorded_is_not_found)
{
    pressindex_reindex_stats st;
    put("a.txt", "Alpha.\n", 100);
    pressindex *idx = open_writer();
    char nowhere[400];
    snprintf(nowhere, sizeof nowhere, "%s/nowhere", tmpdir);
    const char *folders[] = {folder, nowhere};
    ck_assert_int_eq(pressindex_reindex(idx, folders, 2, NULL, &st), PRESSINDEX_ERR_NOT_FOUND);
    ck_assert_uint_eq(st.added, 1); /* the good folder is indexed */
    pressindex_destroy(idx);
    counts(1, 1);
}
END_TEST

START_TEST(interrupted_run_is_finished_without_duplicates)
{
    pressindex_reindex_stats st;
    put("a.txt", "Alpha.\n\nAlpha two.\n", 100);
    put("b.jsonl", "{\"id\": \"j1\", \"paragraphs\": [\"one\"]}\n{\"id\": \"j2\", \"paragraphs\": [\"two\"]}\n", 100);
    /* What a crash leaves: releases committed, no file records. */
    pressindex *idx = open_writer();
    const char *pa[] = {"Alpha.", "Alpha two."};
    pressindex_release a = {"releases/a.txt", NULL, NULL, NULL, NULL, NULL, pa, 2};
    ck_assert_int_eq(pressindex_add_release(idx, &a), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    /* ... and work after the last commit, lost with the process. */
    const char *pj[] = {"uncommitted"};
    pressindex_release j = {"j1", NULL, NULL, NULL, NULL, NULL, pj, 1};
    ck_assert_int_eq(pressindex_add_release(idx, &j), PRESSINDEX_OK);
    pressindex_destroy(idx);
    counts(1, 2);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    counts(3, 4);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 0, 0, 3);
}
END_TEST

START_TEST(hidden_files_and_leftovers_are_ignored)
{
    pressindex_reindex_stats st;
    put("a.txt", "Alpha.\n", 100);
    put(".hidden.txt", "Hidden.\n", 100);
    put("b.txt.part", "Partial.\n", 100);
    put("c.txt~", "Backup.\n", 100);
    put(".#d.txt", "Lock.\n", 100);
    put("e.swp", "Swap.\n", 100);
    put("f.tmp", "Tmp.\n", 100);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    ck_assert_uint_eq(st.files, 1);
    counts(1, 1);
}
END_TEST

static void delete_by_hand(const char *id)
{
    pressindex *idx = open_writer();
    ck_assert_int_eq(pressindex_delete_release(idx, id), PRESSINDEX_OK);
    ck_assert_int_eq(pressindex_commit(idx), PRESSINDEX_OK);
    pressindex_destroy(idx);
}

/* The folder is the truth: a release deleted by hand while its file still holds it comes back,
 * counted as added, whether its file is unchanged, touched or changed. */
START_TEST(release_deleted_by_hand_is_restored)
{
    pressindex_reindex_stats st;
    put("a.txt", "Alpha.\n", 100);
    put("b.txt", "Beta.\n", 100);
    put("c.jsonl", "{\"id\": \"j1\", \"paragraphs\": [\"one\"]}\n{\"id\": \"j2\", \"paragraphs\": [\"two\"]}\n", 100);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 4, 0, 0, 0);

    delete_by_hand("releases/a.txt");
    delete_by_hand("j2");
    counts(2, 2);
    ck_assert_int_eq(run(1, 0, &st), PRESSINDEX_OK); /* a dry run says so, and changes nothing */
    EXPECT(st, 2, 0, 0, 2);
    counts(2, 2);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 2, 0, 0, 2);
    ck_assert_str_eq(last.changes, "+releases/a.txt +j2 ");
    counts(4, 4);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 0, 0, 4);
    ck_assert_uint_eq(st.files_read, 0);

    /* In a file that changed otherwise: the unchanged release deleted by hand comes back too. */
    delete_by_hand("j1");
    put("c.jsonl", "{\"id\": \"j1\", \"paragraphs\": [\"one\"]}\n{\"id\": \"j2\", \"paragraphs\": [\"two!\"]}\n", 50);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_OK);
    EXPECT(st, 1, 1, 0, 2);
    counts(4, 4);
}
END_TEST

/* A symbolic link in a folder that is not followed is named; a release indexed through a link that
 * now dangles is left as indexed (its file is unknown, not gone). */
START_TEST(links_not_followed_are_named)
{
    pressindex_reindex_stats st;
    char target[600], link[600];
    snprintf(target, sizeof target, "%s/elsewhere.txt", tmpdir);
    FILE *f = fopen(target, "w");
    ck_assert_ptr_nonnull(f);
    fputs("Elsewhere.\n", f);
    fclose(f);
    put("a.txt", "Alpha.\n", 100);
    snprintf(link, sizeof link, "%s/linked.txt", folder);
    ck_assert_int_eq(symlink(target, link), 0);
    snprintf(link, sizeof link, "%s/folderlink", folder);
    ck_assert_int_eq(symlink(tmpdir, link), 0);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_ERR_DATA);
    ck_assert_int_eq(last.problems, 1); /* the link to a folder */
    EXPECT(st, 2, 0, 0, 0);
    counts(2, 2);

    ck_assert_int_eq(unlink(target), 0);
    ck_assert_int_eq(run(0, 0, &st), PRESSINDEX_ERR_DATA);
    ck_assert_int_eq(last.problems, 2);
    EXPECT(st, 0, 0, 0, 1);
    counts(2, 2);
}
END_TEST

START_TEST(single_file_argument_gets_its_name_as_id)
{
    pressindex_reindex_stats st;
    put("one.txt", "One.\n", 100);
    char file[400];
    snprintf(file, sizeof file, "%s/one.txt", folder);
    pressindex *idx = open_writer();
    const char *args[] = {file};
    pressindex_reindex_options o;
    pressindex_reindex_options_init(&o);
    o.on_change = on_change;
    memset(&last, 0, sizeof last);
    o.user = &last;
    ck_assert_int_eq(pressindex_reindex(idx, args, 1, &o, &st), PRESSINDEX_OK);
    ck_assert_str_eq(last.changes, "+one.txt ");
    ck_assert_int_eq(pressindex_reindex(idx, args, 1, &o, &st), PRESSINDEX_OK);
    EXPECT(st, 0, 0, 0, 1);
    pressindex_destroy(idx);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sync");
    TCase *tc = tcase_create("records");
    tcase_add_loop_test(tc, folder_key_paths, 0, sizeof paths / sizeof paths[0]);
    tcase_add_test(tc, relative_folder_is_made_absolute);
    tcase_add_test(tc, file_record_round_trip);
    tcase_add_test(tc, release_digest_sees_every_field);
    suite_add_tcase(s, tc);
    tc = tcase_create("reindex");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, add_change_touch_delete);
    tcase_add_test(tc, jsonl_append_reads_only_new_releases);
    tcase_add_test(tc, takes_over_an_index_built_by_index);
    tcase_add_test(tc, ids_never_collide);
    tcase_add_test(tc, jsonl_moved_to_another_file_is_kept);
    tcase_add_test(tc, bad_input_is_named_and_skipped);
    tcase_add_test(tc, dry_run_changes_nothing);
    tcase_add_test(tc, refuses_to_empty_a_folder);
    tcase_add_test(tc, refuses_to_delete_more_than_half);
    tcase_add_test(tc, missing_folder_never_recorded_is_not_found);
    tcase_add_test(tc, interrupted_run_is_finished_without_duplicates);
    tcase_add_test(tc, hidden_files_and_leftovers_are_ignored);
    tcase_add_test(tc, single_file_argument_gets_its_name_as_id);
    tcase_add_test(tc, release_deleted_by_hand_is_restored);
    tcase_add_test(tc, links_not_followed_are_named);
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
