/*
 * search_fixtures.c - libpressindex from the outside: index a folder, search it, handle errors.
 *
 * Uses nothing but the installed header. Build against an installed library with
 *
 *     cc -o search_fixtures search_fixtures.c $(pkg-config --cflags --libs pressindex)
 *
 * and run it on a folder of releases (the project's fixtures/releases):
 *
 *     ./search_fixtures fixtures/releases
 *
 * (Without an argument it indexes $FIXTURES/releases, which is how `make check` runs it.)
 *
 * It builds an index in a fresh temporary directory, searches it for the phrase
 * "Organization of Turkic States" and prints each passage with the matched words in [brackets].
 * Then it provokes the three failures an embedding application must expect - a path that holds no
 * index, an index whose writer lock is taken, a malformed query - and shows that each one arrives
 * as a status code with a readable message. Exit status: 0 when everything behaved as expected.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700 /* mkdtemp, nftw */
#endif

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pressindex.h>

static int failures = 0;

/* Compare a status with the one we provoked, and say so. */
static void expect(const char *what, pressindex_status got, pressindex_status want, const char *msg)
{
    printf("%s: %s (%d)%s%s\n", what, pressindex_status_to_string(got), (int)got,
           msg && *msg ? ": " : "", msg ? msg : "");
    if (got != want) {
        printf("  UNEXPECTED: wanted %s (%d)\n", pressindex_status_to_string(want), (int)want);
        failures++;
    }
}

/* A problem in the input (a skipped or salvaged file): the library reports it here, never on stderr. */
static void on_problem(void *user, const char *file, unsigned long line, const char *message)
{
    (void)user;
    fprintf(stderr, "input problem: %s:%lu: %s\n", file, line, message);
}

/* Prints text with every highlighted byte range [start, end) wrapped in brackets. */
static void print_highlighted(const char *text, const size_t *offsets, size_t n)
{
    size_t at = 0;
    for (size_t k = 0; k < n; k++) {
        size_t start = offsets[2 * k], end = offsets[2 * k + 1];
        printf("%.*s[%.*s]", (int)(start - at), text + at, (int)(end - start), text + start);
        at = end;
    }
    printf("%s\n", text + at);
}

/* Searches idx and prints the results; returns the number printed, or -1 on failure. */
static long search_and_print(pressindex *idx, const char *query)
{
    pressindex_search_options so;
    pressindex_search_options_init(&so); /* always first: later versions may add fields */
    so.query = query;
    so.limit = 5;

    pressindex_results *res = NULL;
    pressindex_status st = pressindex_search(idx, &so, &res);
    if (st != PRESSINDEX_OK) {
        printf("search failed: %s: %s\n", pressindex_status_to_string(st), pressindex_last_error(idx));
        return -1;
    }
    size_t n = pressindex_results_count(res);
    printf("search %s: %zu shown of about %llu passages\n", query, n,
           (unsigned long long)pressindex_results_estimated(res));
    for (size_t i = 0; i < n; i++) {
        const char *date = pressindex_result_date(res, i);
        printf("#%zu  %s  %s  paragraph %u  score %.3f\n    ", pressindex_result_rank(res, i),
               *date ? date : "(undated)", pressindex_result_release(res, i),
               pressindex_result_paragraph(res, i), pressindex_result_score(res, i));
        const size_t *offsets;
        size_t n_hl;
        pressindex_result_highlights(res, i, &offsets, &n_hl);
        print_highlighted(pressindex_result_text(res, i), offsets, n_hl);
    }
    /* Every string above belongs to res: this frees them all. */
    pressindex_results_destroy(res);
    return (long)n;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

int main(int argc, char **argv)
{
    /* The folder to index: the argument, else the fixtures `make check` names in $FIXTURES. */
    char folder[4096];
    const char *fixtures = getenv("FIXTURES");
    if (argc == 2)
        snprintf(folder, sizeof folder, "%s", argv[1]);
    else if (argc == 1 && fixtures && *fixtures)
        snprintf(folder, sizeof folder, "%s/releases", fixtures);
    else {
        fprintf(stderr, "usage: %s FOLDER-OF-RELEASES\n", argv[0]);
        return 2;
    }
    printf("libpressindex %s (header %s)\n", pressindex_version(), PRESSINDEX_VERSION_STRING);

    /* A scratch directory; the index is a directory inside it that pressindex creates. */
    const char *tmp = getenv("TMPDIR");
    char dir[4096], path[4200], missing[4200];
    snprintf(dir, sizeof dir, "%s/pressindex-example-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(path, sizeof path, "%s/index", dir);
    snprintf(missing, sizeof missing, "%s/no-index-here", dir);

    /* ---- 1. Build: a writable handle, created on first use. */
    pressindex_open_options oo;
    pressindex_open_options_init(&oo);
    oo.writable = 1;
    oo.create = 1;
    pressindex *writer = NULL;
    pressindex_status st = pressindex_open(path, &oo, &writer);
    if (st != PRESSINDEX_OK) {
        /* No handle to ask: the message of a failed open is thread-local. */
        printf("cannot create the index: %s: %s\n", pressindex_status_to_string(st),
               pressindex_open_error());
        failures++;
        goto out;
    }

    pressindex_index_options io;
    pressindex_index_options_init(&io);
    io.on_problem = on_problem;
    pressindex_index_stats stats = {0};
    st = pressindex_index_path(writer, folder, &io, &stats); /* commits when done */
    printf("indexed %llu files: %llu releases, %llu passages\n", (unsigned long long)stats.files,
           (unsigned long long)stats.releases, (unsigned long long)stats.passages);
    if (st == PRESSINDEX_ERR_DATA) {
        /* Some input was skipped or salvaged; every good release is in the index all the same. */
        printf("some input had problems: %s\n", pressindex_last_error(writer));
    } else if (st != PRESSINDEX_OK) {
        printf("indexing failed: %s: %s\n", pressindex_status_to_string(st),
               pressindex_last_error(writer));
        failures++;
        pressindex_destroy(writer);
        goto out;
    }

    /* ---- 2. Search with a read-only handle: readers are never blocked by the writer. */
    pressindex *reader = NULL;
    st = pressindex_open(path, NULL, &reader);
    if (st != PRESSINDEX_OK) {
        printf("cannot open the index: %s: %s\n", pressindex_status_to_string(st),
               pressindex_open_error());
        failures++;
        pressindex_destroy(writer);
        goto out;
    }
    if (search_and_print(reader, "\"Organization of Turkic States\"") < 1)
        failures++;

    /* ---- 3. Errors, each told apart by its status code. */
    printf("\nerror handling:\n");

    /* A path without an index, opened read-only: PRESSINDEX_ERR_NOT_FOUND, and *out stays NULL. */
    pressindex *none = NULL;
    st = pressindex_open(missing, NULL, &none);
    expect("open a missing index", st, PRESSINDEX_ERR_NOT_FOUND, pressindex_open_error());
    pressindex_destroy(none); /* NULL is ignored: safe either way */

    /* A second writer while the first holds the lock. A lock_timeout of 0 means "do not wait". */
    pressindex_open_options lo;
    pressindex_open_options_init(&lo);
    lo.writable = 1;
    lo.lock_timeout = 0;
    pressindex *second = NULL;
    st = pressindex_open(path, &lo, &second);
    expect("open a second writer", st, PRESSINDEX_ERR_LOCKED, pressindex_open_error());
    pressindex_destroy(second);

    /* Closing the first writer releases the lock (commit first: uncommitted changes are dropped). */
    pressindex_destroy(writer);

    /* An unbalanced quote: PRESSINDEX_ERR_BAD_QUERY, with the position in the handle's message. */
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    so.query = "\"Organization of Turkic";
    pressindex_results *res = NULL;
    st = pressindex_search(reader, &so, &res);
    expect("search a malformed query", st, PRESSINDEX_ERR_BAD_QUERY, pressindex_last_error(reader));
    pressindex_results_destroy(res); /* NULL after a failure; destroying NULL is allowed */

    pressindex_destroy(reader);

out:
    /* The index is ours to delete: pressindex keeps no files open once its handles are gone. */
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    printf("\n%s\n", failures ? "SOME CHECKS FAILED" : "all as expected");
    return failures ? 1 : 0;
}
