/* cmd_search.c - pressindex search QUERY...: ranked paragraphs, for people or programs (--json,
 * --csv); search --batch FILE runs a file of queries (batch.c). */
#include "config.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "facets.h"
#include "printer.h"

/* -n, -C, -h, or -n5 / -C2: this command's short options, written after the query. */
static int is_short_option(const char *a)
{
    if (a[0] != '-' || !a[1] || !strchr("nCh", a[1]))
        return 0;
    return a[2] == '\0' || (a[1] != 'h' && strspn(a + 2, "0123456789") == strlen(a + 2));
}

static void usage(FILE *f)
{
    /* The ranking defaults are the library's (one table, src/lib/rank.c). */
    pressindex_search_options d;
    pressindex_search_options_init(&d);
    fprintf(f,
            "Usage: pressindex search [OPTIONS] [--] QUERY...\n"
            "       pressindex search [OPTIONS] --batch FILE\n"
            "Prints the paragraphs of the indexed releases that best answer QUERY, best first.\n"
            "Options come first: from the first query word on, every word is the query (a query\n"
            "that starts with '-' follows --: pressindex search -- -China trade).\n"
            "\n"
            "Query language:\n"
            "  words               any of them; passages with more of them, rarer ones, rank higher\n"
            "  \"a phrase\"          exactly these words in this order (stopwords count inside quotes)\n"
            "  +word -word +(a b) -(a b)   must contain / must not contain, anywhere\n"
            "  a AND b, a OR b, a NOT b, NOT a, a XOR b, ( )   operators: in capitals only\n"
            "  a NEAR b, a NEAR/5 b       words or phrases within 10 (or 5) words (F-16 is a phrase)\n"
            "  Kazakh*             words starting with Kazakh (and what Kazakh itself finds)\n"
            "  title:word, title:\"a phrase\", title:(a OR b), title:Erd*   in the release's title\n"
            "  source:Akorda, source:\"The White House\"         from this source (whole name)\n"
            "  date:2025-07-30, date:2025-07, date:2025        that day, month or year\n"
            "  date:2025-01-01..2025-06-30, date:2025-01.., date:..2024   ranges, open ends\n"
            "  -source:NAME, -date:RANGE   every other source or date\n"
            "Case, diacritics and apostrophes do not matter (Erdogan finds Erdoğan, Isik finds Işık);\n"
            "words are stemmed (cooperation finds cooperate).\n"
            "\n"
            "Options:\n"
            "  --db PATH           the index\n"
            "  -n, --limit N       show N results (default 10)\n"
            "      --offset K      skip the first K results (paging)\n"
            "      --since DATE    only releases dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD)\n"
            "      --until DATE    only releases dated on or before DATE\n"
            "      --source NAME   only releases from this source\n"
            "      --sort KEY      relevance (default) or date (newest first)\n"
            "      --by-release    only the best paragraph of each release\n"
            "      --no-collapse   show identical paragraphs (boilerplate) each time\n"
            "      --lang LANG     stem the query in this language (default: the index's, English)\n"
            "  -C, --context N     also print N paragraphs before and after each result\n"
            "      --full          print whole paragraphs (default: long ones as a snippet around\n"
            "                      the matches)\n"
            "Ranking (defaults measured: doc/ranking.md):\n"
            "      --release-weight W      weight of the whole release's BM25 (default %g; 0 = the\n"
            "                              paragraph alone); also --context-weight\n"
            "      --adjacency-weight W    boost of the words side by side and in order (default %g)\n"
            "      --title-weight W        weight of the words in the release's title (default %g)\n"
            "      --boilerplate-weight W  score factor of repeated boilerplate (default %g)\n"
            "      --neighbour-weight W    weight of the query's words found only in the paragraph\n"
            "                              before (default %g)\n"
            "      --question-weight W     score factor of a reporter's question, \"Q ...\" in a\n"
            "                              briefing (default %g; 1 = no demotion)\n"
            "      --rerank-depth N        passages the above are judged over (default %zu)\n"
            "      --bm25-k1 K, --bm25-b B BM25 parameters (default %g and %g)\n"
            "Bounds (a query past them is refused, exit 64; 0 = no bound):\n"
            "      --max-query-bytes N     the query's length (default %zu)\n"
            "      --max-query-terms N     words searched (default %zu)\n"
            "      --max-wildcard-expansion N  index words one wildcard stands for (default %zu)\n"
            "      --time-limit S          give up after S seconds, exit 75 (default: none)\n"
            "      --all           every word outside OR groups and exclusions must be in the\n"
            "                      paragraph (default: paragraphs with some of them rank lower)\n"
            "      --count         print only the number of matching paragraphs (exact: every\n"
            "                      matching release is read, slower on common words)\n"
            "      --facets        also count the matching paragraphs by source, year and month\n"
            "                      (on a terminal, a bar per month: the mentions over time); exact\n"
            "                      when few releases match, else estimated from a sample\n"
            "      --json          one JSON object per result per line (see pressindex(1))\n"
            "      --meta          with --json: a last line {\"meta\": {\"total\", \"exact\",\n"
            "                      \"suggestion\"[, \"facets\"]}} (--facets --json implies it)\n"
            "      --csv           CSV (RFC 4180): a header row, then one row per paragraph:\n"
            "                      rank,score,date,source,title,url,release,paragraph,text\n"
            "      --batch FILE    one query per line of FILE (- = standard input; empty lines\n"
            "                      and lines starting with # are skipped), each with the options\n"
            "                      above: its line, number of matching paragraphs and releases\n"
            "                      (exact up to %d paragraphs, else estimates), and its best\n"
            "                      %d paragraphs (--limit), as a table, --csv or --json\n"
            "  -h, --help          show this help\n"
            "\n"
            "Exit status: 0 found, 1 nothing found (or no results past --offset), 64 malformed query,\n"
            "a query with no word to search, or past a bound, 66 no index, 74 output not written,\n"
            "75 past the time limit. --batch: 65 if a line was malformed (named on stderr with its\n"
            "line number; the other lines still run), else 0 if any query found something, else 1.\n",
            d.release_weight, d.adjacency_weight, d.title_weight, d.boilerplate_weight,
            d.neighbour_weight, d.question_weight, d.rerank_depth, d.bm25_k1, d.bm25_b,
            d.max_query_bytes, d.max_query_terms, d.max_wildcard_expansion, CLI_BATCH_EXACT_UP_TO,
            CLI_BATCH_LIMIT);
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (!*s || *end || s[0] == '-')
        return -1;
    *out = (size_t)v;
    return 0;
}

/* Does the filter of these options alone let any passage through? 1 yes, 0 no, -1 unknown. */
static int filter_matches(pressindex *idx, const pressindex_search_options *so, const char *source,
                          const char *since, const char *until)
{
    pressindex_search_options f = *so;
    f.query = "";
    f.source = source;
    f.since = since;
    f.until = until;
    f.limit = 0;
    f.offset = 0;
    pressindex_results *res = NULL;
    if (pressindex_search(idx, &f, &res) != PRESSINDEX_OK)
        return -1;
    int any = pressindex_results_estimated(res) > 0;
    pressindex_results_destroy(res);
    return any;
}

/* When nothing was found, the option filter that alone lets nothing through, as " (...)" for the
 * "nothing found" line ("" when the filters are not why): a mistyped --source or a --since over
 * undated releases otherwise reads as "no release mentions it". */
static void empty_filter(pressindex *idx, const pressindex_search_options *so, char *why, size_t size)
{
    why[0] = '\0';
    if (!cli_search_has_filter(so))
        return;
    if (so->source && *so->source && filter_matches(idx, so, so->source, NULL, NULL) == 0)
        snprintf(why, size, " (no release has the source \"%.60s\")", so->source);
    else if ((so->since || so->until) && filter_matches(idx, so, NULL, so->since, so->until) == 0)
        snprintf(why, size, " (no dated release %s%s%s%s%s)", so->since ? "since " : "",
                 so->since ? so->since : "", so->since && so->until ? " " : "",
                 so->until ? "until " : "", so->until ? so->until : "");
    else if (filter_matches(idx, so, so->source, so->since, so->until) == 0)
        snprintf(why, size, " (no release of \"%.60s\" in those dates)", so->source);
}

int cmd_search(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"limit", required_argument, NULL, 'n'},
        {"offset", required_argument, NULL, 'o'},
        {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'},
        {"source", required_argument, NULL, 'S'},
        {"sort", required_argument, NULL, 'O'},
        {"by-release", no_argument, NULL, 'r'},
        {"no-collapse", no_argument, NULL, 1005},
        {"lang", required_argument, NULL, 'L'},
        {"count", no_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 1015},
        {"batch", required_argument, NULL, 1016},
        {"facets", no_argument, NULL, 1017},
        {"meta", no_argument, NULL, 1018},
        {"all", no_argument, NULL, 1019},
        {"context", required_argument, NULL, 'C'},
        {"full", no_argument, NULL, 'F'},
        {"release-weight", required_argument, NULL, 1001},
        {"context-weight", required_argument, NULL, 1001}, /* issue 8's name for it */
        {"adjacency-weight", required_argument, NULL, 1002},
        {"title-weight", required_argument, NULL, 1003},
        {"boilerplate-weight", required_argument, NULL, 1004},
        {"rerank-depth", required_argument, NULL, 1006},
        {"neighbour-weight", required_argument, NULL, 1007},
        {"bm25-k1", required_argument, NULL, 1008},
        {"bm25-b", required_argument, NULL, 1009},
        {"question-weight", required_argument, NULL, 1010},
        {"time-limit", required_argument, NULL, 1011},
        {"max-query-bytes", required_argument, NULL, 1012},
        {"max-query-terms", required_argument, NULL, 1013},
        {"max-wildcard-expansion", required_argument, NULL, 1014},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *db = NULL;
    int json = 0, csv = 0, count = 0, limit_given = 0, meta = 0, c, rc = EX_OK;
    const char *batch = NULL;
    pressindex_search_options so;
    pressindex_search_options_init(&so);
    int full = 0;
    /* "+": options stop at the first query word, so "tariffs -China" excludes China instead of
     * being read as -C hina; a query that starts with '-' follows "--". */
    const char *last_arg = NULL; /* "--source --" must not read as the end of the options */
    while ((c = getopt_long(argc, argv, "+n:C:h", opts, NULL)) != -1) {
        last_arg = optarg;
        switch (c) {
        case 'C':
            if (parse_size(optarg, &so.context) < 0) {
                cli_error("--context wants a number, not '%s'", optarg);
                rc = EX_USAGE;
            }
            break;
        case 'F': full = 1; break;
        case 1001: case 1002: case 1003: case 1004: case 1007: case 1008: case 1009: case 1010: {
            double *w = c == 1001 ? &so.release_weight : c == 1002 ? &so.adjacency_weight
                      : c == 1003 ? &so.title_weight : c == 1007 ? &so.neighbour_weight
                      : c == 1008 ? &so.bm25_k1 : c == 1009 ? &so.bm25_b
                      : c == 1010 ? &so.question_weight
                      : &so.boilerplate_weight;
            char *end;
            *w = strtod(optarg, &end);
            if (*end || end == optarg || !(*w >= 0) || isinf(*w) || (c == 1009 && *w > 1)) {
                cli_error(c == 1009 ? "--bm25-b is a number from 0 to 1, not '%s'"
                                    : "a weight is a finite number >= 0, not '%s'", optarg);
                rc = EX_USAGE;
            }
            break;
        }
        case 'd': free(db); db = strdup(optarg); break;
        case 'n':
            if (parse_size(optarg, &so.limit) < 0) {
                cli_error("--limit wants a number, not '%s'", optarg);
                rc = EX_USAGE;
            }
            limit_given = 1;
            break;
        case 'o':
            if (parse_size(optarg, &so.offset) < 0) {
                cli_error("--offset wants a number, not '%s'", optarg);
                rc = EX_USAGE;
            }
            break;
        case 's': so.since = optarg; break;
        case 'u': so.until = optarg; break;
        case 'S': so.source = optarg; break;
        case 'O':
            if (!strcmp(optarg, "relevance"))
                so.sort = PRESSINDEX_SORT_RELEVANCE;
            else if (!strcmp(optarg, "date"))
                so.sort = PRESSINDEX_SORT_DATE;
            else {
                cli_error("--sort wants relevance or date, not '%s'", optarg);
                rc = EX_USAGE;
            }
            break;
        case 'r': so.by_release = 1; break;
        case 1005: so.collapse = 0; break;
        case 1006:
            if (parse_size(optarg, &so.rerank_depth) < 0) {
                cli_error("--rerank-depth wants a number, not '%s'", optarg);
                rc = EX_USAGE;
            }
            break;
        case 1011: {
            char *end;
            so.time_limit = strtod(optarg, &end);
            if (*end || end == optarg || !(so.time_limit >= 0) || isinf(so.time_limit)) {
                cli_error("--time-limit wants seconds (a number >= 0; 0: none), not '%s'", optarg);
                rc = EX_USAGE;
            }
            break;
        }
        case 1012: case 1013: case 1014: {
            size_t *b = c == 1012 ? &so.max_query_bytes : c == 1013 ? &so.max_query_terms
                                                                  : &so.max_wildcard_expansion;
            if (parse_size(optarg, b) < 0) {
                cli_error("%s wants a number (0: no bound), not '%s'", argv[optind - 1], optarg);
                rc = EX_USAGE;
            }
            break;
        }
        case 'L': so.lang = optarg; break;
        case 'c': count = 1; break;
        case 'j': json = 1; break;
        case 1015: csv = 1; break;
        case 1016: batch = optarg; break;
        case 1017: so.facets = 1; break;
        case 1018: meta = 1; break;
        case 1019: so.all_words = 1; break;
        case 'h': usage(stdout); free(db); return EX_OK;
        default: rc = EX_USAGE; break;
        }
    }
    if (rc == EX_OK && json && csv) {
        cli_error("search: --json and --csv together: choose one format");
        rc = EX_USAGE;
    }
    if (rc == EX_OK && meta && !json) {
        cli_error("search: --meta adds a last line to --json: give --json too");
        rc = EX_USAGE;
    }
    if (rc == EX_OK && so.facets && (csv || count || batch)) {
        cli_error("search: --facets goes with the text or --json output of one search (with --json "
                  "the facets are in the last line), not with %s", csv ? "--csv" : count ? "--count" : "--batch");
        rc = EX_USAGE;
    }
    if (rc == EX_OK && batch && optind < argc) {
        cli_error("search: --batch reads its queries from %s: no QUERY on the command line", batch);
        rc = EX_USAGE;
    }
    if (rc == EX_OK && !batch && optind >= argc) {
        cli_error("search: no QUERY given (see pressindex search --help)");
        rc = EX_USAGE;
    }
    /* "search trade --json" would search for "--json" and print text: a script would not notice.
     * Only after an explicit "--" is such a word part of the query. */
    int dashdash = optind > 1 && !strcmp(argv[optind - 1], "--") && argv[optind - 1] != last_arg;
    for (int i = optind; rc == EX_OK && !dashdash && i < argc; i++)
        if ((!strncmp(argv[i], "--", 2) && argv[i][2]) || is_short_option(argv[i])) {
            cli_error("search: option %s after the query: options come first (or put -- before a "
                      "query that holds such a word)", argv[i]);
            rc = EX_USAGE;
        }
    if (rc != EX_OK) {
        free(db);
        return rc;
    }
    cli_format fmt = json ? CLI_FORMAT_JSON : csv ? CLI_FORMAT_CSV : CLI_FORMAT_TEXT;
    if (batch) {
        /* A batch is for a first look at many queries: a few passages each, unless asked. */
        if (!limit_given)
            so.limit = CLI_BATCH_LIMIT;
        if (count)
            so.limit = 0;
        if (!db)
            db = cli_default_db();
        pressindex *idx = NULL;
        if ((rc = cli_open(db, 0, -1, &idx)) == 0) {
            cli_printer p;
            cli_printer_config pc = {.batch = 1, .context = so.context, .full = full, .by_release = so.by_release};
            cli_printer_init(&p, fmt, stdout, &pc);
            rc = cli_batch_run(idx, &so, batch, &p);
            cli_printer_fini(&p);
            pressindex_destroy(idx);
        }
        free(db);
        return rc;
    }
    /* The words of the command line are one query, as typed. */
    size_t qlen = 0;
    for (int i = optind; i < argc; i++)
        qlen += strlen(argv[i]) + 1;
    char *query = malloc(qlen + 1);
    if (!query) {
        cli_error("out of memory");
        free(db);
        return EX_OSERR;
    }
    query[0] = '\0';
    for (int i = optind; i < argc; i++) {
        if (i > optind)
            strcat(query, " ");
        strcat(query, argv[i]);
    }
    /* Nothing to search and nothing to filter by: the library would answer "nothing" (rather than
     * everything), which reads as "no release mentions it". It is a slip of the fingers or of a
     * script's variable: say so. (With a filter, an empty query lists what the filter lets through.) */
    if (!cli_query_has_word(query) && !cli_search_has_filter(&so)) {
        cli_error("search: the query has no word to search%s", *query ? " (only spaces and punctuation)" : "");
        free(query);
        free(db);
        return EX_USAGE;
    }
    so.query = query;
    /* The footer and the meta line show the total: the estimate within 10%, not the free one
     * (JSON lines and CSV alone show none). */
    so.sample_total = !(json || csv) || meta;
    if (count) {
        so.limit = 0;
        so.exact = 1; /* one integer a script relies on: no estimate */
    }

    if (!db)
        db = cli_default_db();
    pressindex *idx = NULL;
    rc = cli_open(db, 0, -1, &idx);
    if (rc == 0) {
        pressindex_results *res = NULL;
        pressindex_status st = pressindex_search(idx, &so, &res);
        if (st != PRESSINDEX_OK) {
            cli_error("%s", pressindex_last_error(idx));
            rc = cli_exit_status(st);
        } else {
            int machine = json || csv || count;
            size_t n = pressindex_results_count(res);
            int exact = 0;
            unsigned long long est = pressindex_results_total(res, &exact);
            if (count) {
                printf("%llu\n", est);
            } else if (n || machine) {
                cli_printer p;
                cli_printer_config pc = {.context = so.context, .full = full, .by_release = so.by_release};
                cli_printer_init(&p, fmt, stdout, &pc);
                p.ops->begin(&p);
                cli_print_results(&p, NULL, res, n);
                p.ops->end(&p);
                cli_printer_fini(&p);
                if (so.facets && !json && n)
                    cli_print_facets_text(stdout, res, isatty(STDOUT_FILENO));
                if (json && (meta || so.facets)) {
                    json_t *m = cli_meta_json(res, so.facets);
                    char *line = m ? json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
                    if (line)
                        puts(line);
                    free(line);
                    json_decref(m);
                }
            }
            /* Found = something shown; a page past the end is as empty as any other result.
             * (--count and --limit 0 show nothing by design: what matches decides.) */
            rc = (so.limit == 0 ? est > 0 : n > 0) ? EXIT_FOUND : EXIT_NOTHING;
            if (!machine && !n && est)
                fprintf(stderr, "%s: no results past the first %llu (%s%llu paragraphs match)\n", cli_prog,
                        (unsigned long long)so.offset, exact ? "" : "about ", est);
            /* A pasted page would fill the terminal: the first 80 characters say which query. */
            else if (rc == EXIT_NOTHING && !machine) {
                char why[160];
                empty_filter(idx, &so, why, sizeof why);
                fprintf(stderr, "%s: nothing found for: %.80s%s%s\n", cli_prog, query,
                        strlen(query) > 80 ? "..." : "", why);
            }
            if (*pressindex_results_suggestion(res) && !machine)
                fprintf(stderr, "%s: did you mean: %.80s%s\n", cli_prog, pressindex_results_suggestion(res),
                        strlen(pressindex_results_suggestion(res)) > 80 ? "..." : "");
        }
        pressindex_results_destroy(res);
        pressindex_destroy(idx);
    }
    free(query);
    free(db);
    return rc;
}

/* Code points that are no word: Latin-1's punctuation and symbols, general punctuation (dashes,
 * curly quotes, ellipsis, zero-width joiners), currency, arrows, mathematical and technical
 * symbols, shapes, dingbats, CJK and full-width punctuation, variation selectors, emoji. A
 * letter or digit anywhere else counts: the library decides what it finds. */
static int is_no_word(unsigned long c)
{
    static const unsigned long ranges[][2] = {
        {0x80, 0xBF},       {0xD7, 0xD7},       {0xF7, 0xF7},       {0x2000, 0x206F},
        {0x20A0, 0x20CF},   {0x2100, 0x214F},   {0x2190, 0x2BFF},   {0x3000, 0x3003},
        {0x3008, 0x3020},   {0xFE00, 0xFE0F},   {0xFE30, 0xFE6F},   {0xFEFF, 0xFEFF},
        {0xFF01, 0xFF0F},   {0xFF1A, 0xFF20},   {0xFF3B, 0xFF40},   {0xFF5B, 0xFF65},
        {0x1F000, 0x1FAFF}, {0xE0000, 0xE007F},
    };
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (c >= ranges[i][0] && c <= ranges[i][1])
            return 1;
    return 0;
}

int cli_query_has_word(const char *query)
{
    const unsigned char *s = (const unsigned char *)query;
    while (*s) {
        if (*s < 0x80) {
            if ((*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z'))
                return 1;
            s++;
            continue;
        }
        /* UTF-8: anything malformed is the library's to judge (it repairs, then searches). */
        int len = *s >= 0xF0 ? 4 : *s >= 0xE0 ? 3 : *s >= 0xC0 ? 2 : 0;
        unsigned long c = len == 4 ? *s & 0x07u : len == 3 ? *s & 0x0Fu : *s & 0x1Fu;
        for (int k = 1; len && k < len; k++) {
            if ((s[k] & 0xC0) != 0x80)
                return 1;
            c = c << 6 | (s[k] & 0x3Fu);
        }
        if (!len || !is_no_word(c))
            return 1;
        s += len;
    }
    return 0;
}

int cli_search_has_filter(const pressindex_search_options *so)
{
    return (so->source && *so->source) || so->since || so->until;
}
