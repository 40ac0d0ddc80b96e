/* batch.c - pressindex search --batch FILE: one query per line, each searched with the command's
 * options; its counts and best passages written through the output printer. The file is read a
 * line at a time into a fixed buffer: memory does not grow with the file. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "printer.h"

/* Reads one line (without its '\n') into buf, at most cap bytes. Returns 1 for a line, 0 at the
 * end of the file, -1 on a read error. *too_long: the line had more than cap bytes (the rest was
 * read and dropped); *nul: it held a NUL byte. */
static int read_line(FILE *f, char *buf, size_t cap, size_t *len, int *too_long, int *nul)
{
    size_t n = 0;
    int c, any = 0;
    *too_long = *nul = 0;
    while ((c = getc(f)) != EOF) {
        any = 1;
        if (c == '\n')
            break;
        if (c == '\0')
            *nul = 1;
        if (n < cap)
            buf[n++] = (char)c;
        else
            *too_long = 1;
    }
    buf[n] = '\0';
    *len = n;
    if (c == EOF && ferror(f))
        return -1;
    return any;
}

/* Is s valid UTF-8 (no overlong forms, surrogates or code points past U+10FFFF)? */
static int valid_utf8(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned c = *s;
        int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (!len || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4))
            return 0;
        for (int k = 1; k < len; k++)
            if ((s[k] & 0xC0) != 0x80)
                return 0;
        if ((len == 3 && c == 0xE0 && s[1] < 0xA0) || (len == 3 && c == 0xED && s[1] >= 0xA0) ||
            (len == 4 && c == 0xF0 && s[1] < 0x90) || (len == 4 && c == 0xF4 && s[1] >= 0x90))
            return 0;
        s += len;
    }
    return 1;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* --time-limit is the query's, over all the searches it takes: each gets what is left of it. When
 * nothing is, the smallest limit, so that the library says "past the time limit" in its words. */
static void time_left(pressindex_search_options *o, const pressindex_search_options *so, double start)
{
    if (so->time_limit > 0) {
        double left = so->time_limit - (now() - start);
        o->time_limit = left > 1e-9 ? left : 1e-9;
    }
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The releases among the passages of res: its distinct release ids (at most
 * CLI_BATCH_EXACT_UP_TO of them: sorted in place of a hash). -1 when out of memory. */
static int distinct_releases(const pressindex_results *res, uint64_t *out)
{
    size_t n = pressindex_results_count(res);
    const char **ids = malloc((n ? n : 1) * sizeof *ids);
    if (!ids)
        return -1;
    for (size_t i = 0; i < n; i++)
        ids[i] = pressindex_result_release(res, i);
    qsort(ids, n, sizeof *ids, cmp_str);
    uint64_t d = 0;
    for (size_t i = 0; i < n; i++)
        d += !i || strcmp(ids[i - 1], ids[i]) != 0;
    free(ids);
    *out = d;
    return 0;
}

static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
    return v < lo ? lo : v > hi && hi >= lo ? hi : v;
}

/* Counts the query's passages and releases into q. The library's total is an estimate (Xapian's,
 * from what its match looked at) and it has no count of releases, so: up to
 * CLI_BATCH_EXACT_UP_TO matching passages are all fetched and counted, and their releases are the
 * distinct ids among them: both exact. Past it, both are estimates (q->exact = 0): the passages
 * the library's estimate for that deep search, the releases its estimate for the same search
 * collapsed by release (limit 0: no passage fetched), each kept within what is certain (at least
 * what was fetched and distinct, at most what the index holds, releases at most passages).
 * *all keeps the first search's results when they can stand for the query's own (run_query). */
static pressindex_status count_query(pressindex *idx, const pressindex_search_options *so,
                                     const pressindex_stats *held, double start,
                                     cli_query_info *q, pressindex_results **all)
{
    pressindex_search_options o = *so;
    o.offset = 0;
    o.limit = CLI_BATCH_EXACT_UP_TO;
    o.context = 0;
    o.by_release = 0;
    o.sample_total = 1; /* a figure a reporter reads: the estimate within 10% */
    pressindex_results *res = NULL, *rel = NULL;
    pressindex_status st = pressindex_search(idx, &o, &res);
    if (st != PRESSINDEX_OK)
        return st;
    uint64_t n = pressindex_results_count(res), distinct;
    if (distinct_releases(res, &distinct) < 0) {
        pressindex_results_destroy(res);
        return PRESSINDEX_ERR_NO_MEMORY;
    }
    q->exact = n < CLI_BATCH_EXACT_UP_TO;
    q->passages = n;
    q->releases = distinct;
    if (!q->exact) {
        q->passages = clamp(pressindex_results_estimated(res), n, held->passages);
        /* The library's total counts passages: the releases are the by-release results, listed
         * up to the same bound, else scaled from the passages' share of distinct releases. */
        o.by_release = 1;
        time_left(&o, so, start);
        if ((st = pressindex_search(idx, &o, &rel)) != PRESSINDEX_OK) {
            pressindex_results_destroy(res);
            return st;
        }
        uint64_t most = held->releases < q->passages ? held->releases : q->passages;
        uint64_t listed = pressindex_results_count(rel);
        q->releases = listed < CLI_BATCH_EXACT_UP_TO
                          ? listed
                          : clamp((uint64_t)((double)q->passages * (double)distinct / (double)n), listed, most);
        pressindex_results_destroy(rel);
    }
    *all = res;
    return PRESSINDEX_OK;
}

/* One query: counts, results, printed. Returns the library's status (the caller reports). */
static pressindex_status run_query(pressindex *idx, const pressindex_search_options *so,
                                   const pressindex_stats *held, cli_query_info *q, cli_printer *p)
{
    double start = now();
    pressindex_search_options o = *so;
    o.query = q->query;
    pressindex_results *all = NULL, *res = NULL;
    pressindex_status st = count_query(idx, &o, held, start, q, &all);
    if (st != PRESSINDEX_OK)
        return st;
    /* The counting search's first passages are this search's when it asks for nothing else: the
     * library ranks a fixed window from the top whatever the limit, so that pages continue each
     * other. Otherwise (an offset, by release, context), a search of its own. */
    int reuse = !o.offset && !o.by_release && !o.context && o.limit <= CLI_BATCH_EXACT_UP_TO;
    time_left(&o, so, start);
    if (!reuse && o.limit && (st = pressindex_search(idx, &o, &res)) != PRESSINDEX_OK) {
        pressindex_results_destroy(all);
        return st;
    }
    cli_print_results(p, q, reuse ? all : res, o.limit);
    pressindex_results_destroy(all);
    pressindex_results_destroy(res);
    return PRESSINDEX_OK;
}

int cli_batch_run(pressindex *idx, const pressindex_search_options *so, const char *file,
                  cli_printer *p)
{
    int from_stdin = !strcmp(file, "-");
    const char *name = from_stdin ? "(standard input)" : file;
    FILE *f = from_stdin ? stdin : fopen(file, "r");
    if (!f) {
        int e = errno;
        cli_error("%s: %s", file, strerror(e));
        return e == ENOENT || e == ENOTDIR ? EX_NOINPUT : EX_IOERR;
    }
    struct stat sb;
    if (!from_stdin && fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        cli_error("%s: a folder, not a file of queries", file);
        fclose(f);
        return EX_NOINPUT;
    }
    char *buf = malloc(CLI_BATCH_MAX_LINE + 1);
    if (!buf) {
        if (!from_stdin)
            fclose(f);
        cli_error("out of memory");
        return EX_OSERR;
    }
    /* What the index holds: the ceiling of the estimated counts. */
    pressindex_stats held;
    pressindex_status hs = pressindex_get_stats(idx, &held);
    if (hs != PRESSINDEX_OK) {
        cli_error("%s", pressindex_last_error(idx));
        free(buf);
        if (!from_stdin)
            fclose(f);
        return cli_exit_status(hs);
    }
    int malformed = 0, late = 0, found = 0, stop = 0, rc = -1, r;
    unsigned long line = 0;
    size_t len;
    int too_long, nul;
    p->ops->begin(p);
    while (rc < 0 && !stop && (r = read_line(f, buf, CLI_BATCH_MAX_LINE, &len, &too_long, &nul)) != 0) {
        if (r < 0) {
            cli_error("reading %s: %s", name, strerror(errno));
            rc = EX_IOERR;
            break;
        }
        line++;
        char *s = buf;
        if (line == 1 && !strncmp(s, "\xEF\xBB\xBF", 3))
            s += 3; /* a byte order mark, as some editors write */
        while (is_blank(*s))
            s++;
        char *e = s + strlen(s);
        while (e > s && is_blank(e[-1]))
            *--e = '\0';
        if (too_long) {
            cli_error("%s:%lu: a line of more than %d bytes: skipped", name, line, CLI_BATCH_MAX_LINE);
            malformed = 1;
            continue;
        }
        if (nul) { /* before the blank test: the string ends at the NUL */
            cli_error("%s:%lu: a NUL byte in the line: skipped", name, line);
            malformed = 1;
            continue;
        }
        if (!*s || *s == '#')
            continue;
        if (!valid_utf8(s)) {
            cli_error("%s:%lu: not UTF-8 (save the file as UTF-8): skipped", name, line);
            malformed = 1;
            continue;
        }
        if (!cli_query_has_word(s) && !cli_search_has_filter(so)) {
            cli_error("%s:%lu: the query has no word to search", name, line);
            malformed = 1;
            continue;
        }
        cli_query_info q = {.line = line, .query = s};
        pressindex_status st = run_query(idx, so, &held, &q, p);
        switch (st) {
        case PRESSINDEX_OK:
            found |= q.passages > 0;
            break;
        case PRESSINDEX_ERR_BAD_QUERY: case PRESSINDEX_ERR_LIMIT:
            /* The line's fault: say which, go on with the others. */
            cli_error("%s:%lu: %s", name, line, pressindex_last_error(idx));
            malformed = 1;
            break;
        case PRESSINDEX_ERR_TIMEOUT:
            cli_error("%s:%lu: %s", name, line, pressindex_last_error(idx));
            late = 1;
            break;
        default: /* the index's or the machine's: the next line would fail alike */
            cli_error("%s", st == PRESSINDEX_ERR_NO_MEMORY ? "out of memory" : pressindex_last_error(idx));
            rc = cli_exit_status(st);
            break;
        }
        /* Nobody reads any more (a full disk, a closed pipe): the rest would be lost work.
         * cli_output_close() says why (74), or stays quiet for a pipe (the status so far). */
        stop = ferror(p->out);
    }
    p->ops->end(p);
    free(buf);
    if (!from_stdin)
        fclose(f);
    if (rc >= 0)
        return rc;
    return malformed ? EX_DATAERR : late ? EX_TEMPFAIL : found ? EXIT_FOUND : EXIT_NOTHING;
}
