/* cmd_watch.c - pressindex watch: saved searches and what entered the index since they last ran.
 *
 *   watch add NAME QUERY... [OPTIONS]   save a search (its first run reports only what is indexed
 *                                       after this)
 *   watch list [--json]                 the saved searches
 *   watch rm NAME                       forget one
 *   watch run [--json|--csv]            each saved search's passages written to the index since its
 *                                       last run (by the index's sequence numbers, not the releases'
 *                                       dates); nothing at all when nothing is new (cron mails only
 *                                       what is printed)
 *
 * The saved searches are one JSON document in the index directory (pressindex_watches_read/_write),
 * read and written under the writer lock:
 *   {"version": 1, "watches": [{"name", "query", "options": {...}, "sequence", "added",
 *    "last_run"}]}
 * "sequence" is the index's sequence number when the search last ran (or was added). */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "csv.h"
#include "printer.h"

#define WATCHES_VERSION 1
/* Passages a run shows per saved search unless it was saved with --limit. */
#define DEFAULT_WATCH_LIMIT 100
/* How long a watch command waits for a writer (a nightly reindex) to finish, in seconds. */
#define WATCH_LOCK_WAIT 60

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: pressindex watch add NAME [OPTIONS] [--] QUERY...\n"
            "       pressindex watch list [--json]\n"
            "       pressindex watch rm NAME\n"
            "       pressindex watch run [--json|--csv]\n"
            "Saved searches, kept in the index directory: `watch run` prints, for each of them, the\n"
            "paragraphs written to the index since it last ran (added or changed releases, whatever\n"
            "their date), and nothing at all when nothing is new: run it after the nightly reindex\n"
            "and let cron mail what it prints (doc/cron.md). The first run after `watch add`\n"
            "reports only what was indexed after it.\n"
            "\n"
            "NAME: letters, digits, '.', '_' and '-' (at most 64). The QUERY is searched as by\n"
            "`pressindex search` (see its --help for the query language).\n"
            "Options of add (as for search): --source NAME, --since DATE, --until DATE, --lang LANG,\n"
            "  --all, --by-release, --no-collapse, --sort relevance|date, -n/--limit N (paragraphs\n"
            "  shown per run, default %d)\n"
            "  --db PATH     the index\n"
            "  --json        list, run: one JSON object per line (run: each result with \"watch\")\n"
            "  --csv         run: CSV with the columns watch,query, then search --csv's\n"
            "  -h, --help    show this help\n"
            "\n"
            "Exit status: 0 done (run: whether or not something was new), 64 usage error or\n"
            "malformed query, 66 no index or no saved search of that name, 74 the saved searches\n"
            "cannot be read or written, 75 the index stayed locked by a writer for %d s.\n",
            DEFAULT_WATCH_LIMIT, WATCH_LOCK_WAIT);
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 64)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

/* Opens an existing index (writable: the lock, waited for) or says why not. */
static int open_index(const char *db, int writable, pressindex **out)
{
    pressindex_open_options o;
    pressindex_open_options_init(&o);
    o.writable = writable;
    o.create = 0;
    o.lock_timeout = WATCH_LOCK_WAIT;
    pressindex_status st = pressindex_open(db, &o, out);
    if (st == PRESSINDEX_OK)
        return 0;
    if (st == PRESSINDEX_ERR_NOT_FOUND)
        cli_error("%s (build one with: pressindex --db %s index PATH...)", pressindex_open_error(), db);
    else
        cli_error("%s", pressindex_open_error());
    return cli_exit_status(st);
}

/* The saved searches (a new document when there are none); NULL after an error (printed). */
static json_t *load(pressindex *idx, int *rc)
{
    char *text = NULL;
    pressindex_status st = pressindex_watches_read(idx, &text);
    if (st != PRESSINDEX_OK) {
        cli_error("%s", pressindex_last_error(idx));
        *rc = cli_exit_status(st);
        return NULL;
    }
    json_t *doc = text ? json_loads(text, 0, NULL) : json_pack("{si s[]}", "version", WATCHES_VERSION, "watches");
    free(text);
    json_t *w = doc ? json_object_get(doc, "watches") : NULL;
    if (!json_is_array(w)) {
        cli_error("the saved searches of this index have no \"watches\" list: not written by this "
                  "version of pressindex");
        json_decref(doc);
        *rc = EX_DATAERR;
        return NULL;
    }
    return doc;
}

static int save(pressindex *idx, json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    if (!text) {
        cli_error("out of memory");
        return EX_OSERR;
    }
    pressindex_status st = pressindex_watches_write(idx, text);
    free(text);
    if (st != PRESSINDEX_OK) {
        cli_error("%s", pressindex_last_error(idx));
        return cli_exit_status(st);
    }
    return EX_OK;
}

static long find(json_t *list, const char *name)
{
    for (size_t i = 0; i < json_array_size(list); i++)
        if (!strcmp(str(json_array_get(list, i), "name"), name))
            return (long)i;
    return -1;
}

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A saved search's options into the search options (strings stay owned by w). */
static void options_of(json_t *w, pressindex_search_options *so)
{
    json_t *o = json_object_get(w, "options");
    const char *s;
    if ((s = json_string_value(json_object_get(o, "source"))))
        so->source = s;
    if ((s = json_string_value(json_object_get(o, "since"))))
        so->since = s;
    if ((s = json_string_value(json_object_get(o, "until"))))
        so->until = s;
    if ((s = json_string_value(json_object_get(o, "lang"))))
        so->lang = s;
    if ((s = json_string_value(json_object_get(o, "sort"))))
        so->sort = !strcmp(s, "date") ? PRESSINDEX_SORT_DATE : PRESSINDEX_SORT_RELEVANCE;
    so->all_words = json_is_true(json_object_get(o, "all"));
    so->by_release = json_is_true(json_object_get(o, "by_release"));
    so->collapse = !json_is_true(json_object_get(o, "no_collapse"));
    json_t *l = json_object_get(o, "limit");
    so->limit = json_is_integer(l) && json_integer_value(l) >= 0 ? (size_t)json_integer_value(l)
                                                                 : DEFAULT_WATCH_LIMIT;
    so->query = json_string_value(json_object_get(w, "query"));
}

static int watch_add(const char *db, int argc, char **argv)
{
    static const struct option opts[] = {
        {"source", required_argument, NULL, 'S'}, {"since", required_argument, NULL, 's'},
        {"until", required_argument, NULL, 'u'},  {"lang", required_argument, NULL, 'L'},
        {"sort", required_argument, NULL, 'O'},   {"limit", required_argument, NULL, 'n'},
        {"all", no_argument, NULL, 'a'},          {"by-release", no_argument, NULL, 'r'},
        {"no-collapse", no_argument, NULL, 'c'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    json_t *o = json_object();
    int c, rc = EX_OK;
    /* Options anywhere (GNU order): "watch add gaza Gaza ceasefire --source X"; a query word that
     * starts with '-' follows --. */
    while (o && (c = getopt_long(argc, argv, "n:h", opts, NULL)) != -1) {
        switch (c) {
        case 'S': json_object_set_new(o, "source", json_string(optarg)); break;
        case 's': json_object_set_new(o, "since", json_string(optarg)); break;
        case 'u': json_object_set_new(o, "until", json_string(optarg)); break;
        case 'L': json_object_set_new(o, "lang", json_string(optarg)); break;
        case 'O':
            if (strcmp(optarg, "relevance") && strcmp(optarg, "date")) {
                cli_error("--sort wants relevance or date, not '%s'", optarg);
                rc = EX_USAGE;
            }
            json_object_set_new(o, "sort", json_string(optarg));
            break;
        case 'n': {
            char *end;
            long long v = strtoll(optarg, &end, 10);
            if (*end || end == optarg || v < 0 || v > PRESSINDEX_MAX_LIMIT) {
                cli_error("--limit wants a number, not '%s'", optarg);
                rc = EX_USAGE;
            }
            json_object_set_new(o, "limit", json_integer(v));
            break;
        }
        case 'a': json_object_set_new(o, "all", json_true()); break;
        case 'r': json_object_set_new(o, "by_release", json_true()); break;
        case 'c': json_object_set_new(o, "no_collapse", json_true()); break;
        case 'h': usage(stdout); json_decref(o); return EX_OK;
        default: rc = EX_USAGE; break;
        }
    }
    if (!o) {
        cli_error("out of memory");
        return EX_OSERR;
    }
    if (rc == EX_OK && optind + 1 >= argc) {
        cli_error("watch add: give a NAME and a QUERY (see pressindex watch --help)");
        rc = EX_USAGE;
    }
    const char *name = rc == EX_OK ? argv[optind] : NULL;
    if (rc == EX_OK && !valid_name(name)) {
        cli_error("watch add: '%.80s' is no name for a saved search: letters, digits, '.', '_' and "
                  "'-', at most 64", name);
        rc = EX_USAGE;
    }
    size_t qlen = 0;
    for (int i = optind + 1; rc == EX_OK && i < argc; i++)
        qlen += strlen(argv[i]) + 1;
    char *query = rc == EX_OK ? calloc(1, qlen + 1) : NULL;
    for (int i = optind + 1; query && i < argc; i++) {
        if (i > optind + 1)
            strcat(query, " ");
        strcat(query, argv[i]);
    }
    if (rc == EX_OK && !query) {
        cli_error("out of memory");
        rc = EX_OSERR;
    }
    if (rc == EX_OK && !cli_query_has_word(query)) {
        cli_error("watch add: the query has no word to search");
        rc = EX_USAGE;
    }
    pressindex *idx = NULL;
    json_t *doc = NULL;
    if (rc == EX_OK)
        rc = open_index(db, 1, &idx);
    if (rc == EX_OK)
        doc = load(idx, &rc);
    json_t *list = doc ? json_object_get(doc, "watches") : NULL;
    if (rc == EX_OK && find(list, name) >= 0) {
        cli_error("watch add: a saved search named %s exists (pressindex watch rm %s first)", name, name);
        rc = EX_USAGE;
    }
    json_t *w = NULL;
    if (rc == EX_OK) {
        w = json_pack("{ss ss sO}", "name", name, "query", query, "options", o);
        /* The search runs once: a malformed query is refused now, not every night, and the
         * index's sequence number now is where its first run starts. */
        pressindex_search_options so;
        pressindex_search_options_init(&so);
        options_of(w, &so);
        so.limit = 0;
        pressindex_results *res = NULL;
        pressindex_status st = pressindex_search(idx, &so, &res);
        if (st != PRESSINDEX_OK) {
            cli_error("watch add: %s", pressindex_last_error(idx));
            rc = cli_exit_status(st);
        } else {
            char added[32];
            now_iso(added);
            json_object_set_new(w, "sequence", json_integer((json_int_t)pressindex_results_sequence(res)));
            json_object_set_new(w, "added", json_string(added));
            json_object_set_new(w, "last_run", json_null());
            json_array_append(list, w);
            rc = save(idx, doc);
        }
        pressindex_results_destroy(res);
    }
    json_decref(w);
    json_decref(doc);
    json_decref(o);
    free(query);
    pressindex_destroy(idx);
    return rc;
}

static int watch_list(const char *db, int json)
{
    pressindex *idx = NULL;
    int rc = open_index(db, 0, &idx);
    json_t *doc = rc == EX_OK ? load(idx, &rc) : NULL;
    json_t *list = doc ? json_object_get(doc, "watches") : NULL;
    for (size_t i = 0; rc == EX_OK && i < json_array_size(list); i++) {
        json_t *w = json_array_get(list, i);
        if (json) {
            char *line = json_dumps(w, JSON_COMPACT | JSON_PRESERVE_ORDER);
            if (line)
                puts(line);
            free(line);
            continue;
        }
        const char *last = json_string_value(json_object_get(w, "last_run"));
        printf("%s\t%s", str(w, "name"), str(w, "query"));
        const char *key;
        json_t *v;
        json_object_foreach(json_object_get(w, "options"), key, v) {
            if (json_is_string(v))
                printf(" --%s %s", key, json_string_value(v));
            else if (json_is_integer(v))
                printf(" --%s %lld", key, (long long)json_integer_value(v));
            else if (json_is_true(v))
                printf(" --%s", !strcmp(key, "by_release") ? "by-release" : !strcmp(key, "no_collapse") ? "no-collapse" : key);
        }
        printf("\t%s\n", last ? last : "(not run yet)");
    }
    json_decref(doc);
    pressindex_destroy(idx);
    return rc;
}

static int watch_rm(const char *db, const char *name)
{
    pressindex *idx = NULL;
    int rc = open_index(db, 1, &idx);
    json_t *doc = rc == EX_OK ? load(idx, &rc) : NULL;
    json_t *list = doc ? json_object_get(doc, "watches") : NULL;
    long at = rc == EX_OK ? find(list, name) : -1;
    if (rc == EX_OK && at < 0) {
        cli_error("watch rm: no saved search named %.80s (pressindex watch list)", name);
        rc = EX_NOINPUT;
    }
    if (rc == EX_OK) {
        json_array_remove(list, (size_t)at);
        rc = save(idx, doc);
    }
    json_decref(doc);
    pressindex_destroy(idx);
    return rc;
}

static void csv_row(const char *name, const char *query, const pressindex_results *res, size_t i)
{
    FILE *f = stdout;
    csv_string(f, name, 1);
    csv_string(f, query, 0);
    fputc(',', f);
    cli_csv_result(f, res, i);
}

static int watch_run(const char *db, cli_format fmt)
{
    pressindex *idx = NULL;
    int rc = open_index(db, 1, &idx);
    json_t *doc = rc == EX_OK ? load(idx, &rc) : NULL;
    json_t *list = doc ? json_object_get(doc, "watches") : NULL;
    int printed = 0;
    char ran[32];
    now_iso(ran);
    for (size_t i = 0; rc == EX_OK && i < json_array_size(list); i++) {
        json_t *w = json_array_get(list, i);
        const char *name = str(w, "name");
        json_t *seq = json_object_get(w, "sequence");
        pressindex_search_options so;
        pressindex_search_options_init(&so);
        options_of(w, &so);
        /* A count to trust in the header; the search covers only the new releases. */
        so.exact = 1;
        so.after_sequence = json_is_integer(seq) ? (uint64_t)json_integer_value(seq) : 0;
        if (!so.query) {
            cli_error("watch run: the saved search %s has no query: skipped (watch rm %s)", name, name);
            rc = EX_DATAERR;
            break;
        }
        pressindex_results *res = NULL;
        pressindex_status st = pressindex_search(idx, &so, &res);
        if (st != PRESSINDEX_OK) {
            cli_error("watch run: %s: %s", name, pressindex_last_error(idx));
            rc = cli_exit_status(st);
            break;
        }
        size_t n = pressindex_results_count(res);
        if (n && fmt == CLI_FORMAT_TEXT) {
            uint64_t total = pressindex_results_total(res, NULL);
            printf("%s== %s: %llu new matching paragraph%s for: %s\n\n", printed ? "\n" : "", name,
                   (unsigned long long)total, total == 1 ? "" : "s", so.query);
            cli_printer p;
            cli_printer_config pc = {.by_release = so.by_release};
            cli_printer_init(&p, CLI_FORMAT_TEXT, stdout, &pc);
            p.ops->begin(&p);
            cli_print_results(&p, NULL, res, n);
            p.ops->end(&p);
            cli_printer_fini(&p);
        } else if (n && fmt == CLI_FORMAT_JSON) {
            for (size_t k = 0; k < n; k++) {
                json_t *o = cli_result_json(res, k, 0);
                json_t *line = json_pack("{ss so}", "watch", name, "result", o);
                char *s = line ? json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
                if (s)
                    puts(s);
                free(s);
                json_decref(line);
            }
        } else if (n) {
            if (!printed) {
                fputs("watch,query,rank,score,date,source,title,url,release,paragraph,text", stdout);
                csv_end_record(stdout);
            }
            for (size_t k = 0; k < n; k++)
                csv_row(name, so.query, res, k);
        }
        printed |= n > 0;
        /* Next time: what is written after this. */
        json_object_set_new(w, "sequence", json_integer((json_int_t)pressindex_results_sequence(res)));
        json_object_set_new(w, "last_run", json_string(ran));
        pressindex_results_destroy(res);
    }
    /* What was found is printed before it is marked as seen: a failed write (a full disk, a closed
     * mail pipe) reports it again next time rather than losing it. */
    if (rc == EX_OK && (fflush(stdout) != 0 || ferror(stdout))) {
        cli_error("watch run: the output could not be written: the saved searches were not advanced");
        rc = EX_IOERR;
    }
    if (rc == EX_OK && json_array_size(list))
        rc = save(idx, doc);
    json_decref(doc);
    pressindex_destroy(idx);
    return rc;
}

int cmd_watch(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EX_USAGE : EX_OK;
    }
    const char *sub = argv[1];
    char *db = NULL;
    int rc = EX_OK;
    if (!strcmp(sub, "add")) {
        /* --db among add's options: taken out first (the search options are add's own). */
        int k = 0;
        char **args = calloc((size_t)argc, sizeof *args);
        if (!args) {
            cli_error("out of memory");
            return EX_OSERR;
        }
        args[k++] = argv[1];
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--"))
                for (; i < argc; i++)
                    args[k++] = argv[i];
            else if (!strcmp(argv[i], "--db") && i + 1 < argc)
                free(db), db = strdup(argv[++i]);
            else if (!strncmp(argv[i], "--db=", 5))
                free(db), db = strdup(argv[i] + 5);
            else
                args[k++] = argv[i];
        }
        if (!db)
            db = cli_default_db();
        optind = 0;
        rc = watch_add(db, k, args);
        free(args);
        free(db);
        return rc;
    }
    int json = 0, csv = 0, c;
    optind = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': free(db); db = strdup(optarg); break;
        case 'j': json = 1; break;
        case 'c': csv = 1; break;
        case 'h': usage(stdout); free(db); return EX_OK;
        default: rc = EX_USAGE; break;
        }
    }
    int nargs = argc - 1 - optind;
    char **args = argv + 1 + optind;
    if (rc == EX_OK && json && csv) {
        cli_error("watch: --json and --csv together: choose one format");
        rc = EX_USAGE;
    }
    if (rc == EX_OK && strcmp(sub, "list") && strcmp(sub, "rm") && strcmp(sub, "run")) {
        cli_error("watch: unknown subcommand '%s' (add, list, rm, run)", sub);
        rc = EX_USAGE;
    }
    if (rc == EX_OK && !strcmp(sub, "rm") && nargs != 1) {
        cli_error("watch rm: give one NAME");
        rc = EX_USAGE;
    } else if (rc == EX_OK && strcmp(sub, "rm") && nargs != 0) {
        cli_error("watch %s: unexpected argument '%s'", sub, args[0]);
        rc = EX_USAGE;
    }
    if (rc == EX_OK && csv && strcmp(sub, "run")) {
        cli_error("watch %s: --csv is for watch run", sub);
        rc = EX_USAGE;
    }
    if (rc == EX_OK && json && !strcmp(sub, "rm")) {
        cli_error("watch rm: no --json (it prints nothing)");
        rc = EX_USAGE;
    }
    if (rc == EX_OK && !db)
        db = cli_default_db();
    if (rc == EX_OK && !strcmp(sub, "list"))
        rc = watch_list(db, json);
    else if (rc == EX_OK && !strcmp(sub, "rm"))
        rc = watch_rm(db, args[0]);
    else if (rc == EX_OK)
        rc = watch_run(db, json ? CLI_FORMAT_JSON : csv ? CLI_FORMAT_CSV : CLI_FORMAT_TEXT);
    free(db);
    return rc;
}
