/* cmd_reindex.c - pressindex reindex FOLDER...: keep an index in step with folders (the nightly
 * job). Quiet on success; one line per problem; the exit status tells the operator what to do. */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: pressindex reindex [OPTIONS] FOLDER...\n"
            "Brings the index to exactly what the folders hold now: new releases are added, changed\n"
            "ones replaced, and those whose file is gone (or whose id left a JSON Lines file) deleted.\n"
            "Only the files that changed since the last reindex are read. Ids are those of\n"
            "pressindex index, so an index built with it is taken over without duplicates.\n"
            "Hidden files and leftovers (*~, .#*, *.swp, *.tmp, *.part) are ignored.\n"
            "\n"
            "Options:\n"
            "  --db PATH            the index (created if missing)\n"
            "  --dry-run            print what would be added, changed and deleted; change nothing\n"
            "  --allow-deletions    delete even when a folder is missing, unreadable or empty, or\n"
            "                       when more than half of a folder's releases would go\n"
            "  --compact            rewrite the index compactly afterwards (searches go on)\n"
            "  --lock-timeout SECS  wait this long for another writer (default 30), then exit 75\n"
            "  -v, --verbose        print a summary on stderr\n"
            "  --json               print the summary as one JSON object on stdout, a failed\n"
            "                       run's too: status (the exit status) and error (or null) say how\n"
            "                       it ended (pressindex(1), REINDEX SUMMARY)\n"
            "  -h, --help           show this help\n"
            "\n"
            "Exit status: 0 done; 65 some input was skipped or repaired, or deletions were refused\n"
            "(everything else was done; one line on stderr says what); 66 a folder does not exist;\n"
            "75 the index is locked by another writer (try again later); 74 I/O error (or the output\n"
            "could not be written).\n");
}

typedef struct ctx {
    int dry_run, json;
    json_t *changes; /* dry run with --json: the changes go into the summary */
} ctx;

static void on_problem(void *user, const char *file, unsigned long line, const char *msg)
{
    (void)user;
    if (line)
        fprintf(stderr, "%s: %s:%lu: %s\n", cli_prog, file, line, msg);
    else
        fprintf(stderr, "%s: %s: %s\n", cli_prog, file, msg);
}

static const char *kind_name(pressindex_change k)
{
    return k == PRESSINDEX_CHANGE_ADDED ? "added" : k == PRESSINDEX_CHANGE_CHANGED ? "changed" : "deleted";
}

static void on_change(void *user, pressindex_change kind, const char *id, const char *file)
{
    ctx *c = user;
    if (!c->dry_run)
        return;
    if (c->changes)
        json_array_append_new(c->changes, json_pack("{s:s, s:s, s:s}", "change", kind_name(kind),
                                                     "id", id, "file", file));
    else
        printf("%s\t%s\t%s\n", kind_name(kind), id, file);
}

static int parse_opts(int argc, char **argv, char **db, ctx *c, pressindex_reindex_options *ro,
                      int *verbose, int *compact, double *lock_timeout)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"dry-run", no_argument, NULL, 'n'},
        {"allow-deletions", no_argument, NULL, 'A'},
        {"compact", no_argument, NULL, 'C'},
        {"lock-timeout", required_argument, NULL, 'l'},
        {"verbose", no_argument, NULL, 'v'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int o;
    while ((o = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (o) {
        case 'd': free(*db); *db = strdup(optarg); break;
        case 'n': ro->dry_run = c->dry_run = 1; break;
        case 'A': ro->allow_deletions = 1; break;
        case 'C': *compact = 1; break;
        case 'v': *verbose = 1; break;
        case 'j': c->json = 1; break;
        case 'l': {
            char *end;
            *lock_timeout = strtod(optarg, &end);
            if (*end || *lock_timeout < 0) {
                cli_error("--lock-timeout wants a number of seconds, not '%s'", optarg);
                return EX_USAGE;
            }
            break;
        }
        case 'h': usage(stdout); return -1;
        default: usage(stderr); return EX_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("reindex: no FOLDER given (see pressindex reindex --help)");
        return EX_USAGE;
    }
    if (*compact && c->dry_run) {
        cli_error("reindex: --compact and --dry-run do not go together");
        return EX_USAGE;
    }
    return 0;
}

/* --json: one object for every run that got past its arguments, a failed one too, so that a log
 * of nightly runs never holds a zero summary that reads as a quiet night: status is the exit
 * status, error the message (null when there is none). */
static void print_json(ctx *c, int status, const char *error, const pressindex_reindex_stats *st)
{
    json_t *o = json_pack("{s:i, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:b}",
                          "status", status, "error", error ? json_string(error) : json_null(),
                          "added", (json_int_t)st->added, "changed", (json_int_t)st->changed,
                          "deleted", (json_int_t)st->deleted, "unchanged", (json_int_t)st->unchanged,
                          "skipped", (json_int_t)st->skipped, "problems", (json_int_t)st->problems,
                          "files", (json_int_t)st->files, "files_read", (json_int_t)st->files_read,
                          "refused", (json_int_t)st->refused, "seconds", st->seconds,
                          "dry_run", c->dry_run);
    if (o && c->changes)
        json_object_set_new(o, "changes", c->changes);
    else
        json_decref(c->changes);
    c->changes = NULL;
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4)) : NULL;
    if (text)
        printf("%s\n", text);
    else
        cli_error("reindex: out of memory for the --json summary");
    free(text);
    json_decref(o);
}

int cmd_reindex(int argc, char **argv)
{
    char *db = NULL;
    ctx c = {0, 0, NULL};
    int verbose = 0, compact = 0;
    double lock_timeout = -1;
    pressindex_reindex_options ro;
    pressindex_reindex_options_init(&ro);
    int rc = parse_opts(argc, argv, &db, &c, &ro, &verbose, &compact, &lock_timeout);
    if (rc) {
        free(db);
        return rc < 0 ? EX_OK : rc;
    }
    if (!db)
        db = cli_default_db();
    pressindex_reindex_stats st = {0};
    pressindex *idx = NULL;
    /* A dry run reads only: it neither waits for nor blocks a writer. */
    if ((rc = cli_open(db, !c.dry_run, lock_timeout, &idx)) != 0) {
        if (c.json)
            print_json(&c, rc, pressindex_open_error(), &st);
        free(db);
        return rc;
    }
    ro.on_problem = on_problem;
    ro.on_change = on_change;
    ro.user = &c;
    if (c.dry_run && c.json)
        c.changes = json_array();

    pressindex_status s = pressindex_reindex(idx, (const char *const *)argv + optind,
                                             (size_t)(argc - optind), &ro, &st);
    /* The message for stderr and --json; kept, as the library's is overwritten by the next call. */
    char *error = NULL;
    /* Problems in the input were said one per line as they came; NOT_FOUND likewise. */
    int done = s == PRESSINDEX_OK || s == PRESSINDEX_ERR_DATA || s == PRESSINDEX_ERR_NOT_FOUND;
    if (s == PRESSINDEX_ERR_DATA && st.refused) {
        const char *m = pressindex_last_error(idx), *hint = "; pass --allow-deletions if that is intended";
        if ((error = malloc(strlen(m) + strlen(hint) + 1)) != NULL)
            strcat(strcpy(error, m), hint);
        cli_error("%s", error ? error : m);
    } else if (s != PRESSINDEX_OK) {
        error = strdup(pressindex_last_error(idx));
        if (!done)
            cli_error("%s", pressindex_last_error(idx));
    }
    if (done && compact) {
        /* Bad input does not stop the rest of the job: the compaction is part of it. */
        pressindex_status cs = pressindex_compact(idx);
        if (cs != PRESSINDEX_OK) {
            cli_error("%s", pressindex_last_error(idx));
            free(error);
            error = strdup(pressindex_last_error(idx));
            s = cs;
        }
    }
    rc = cli_exit_status(s);
    if (c.json)
        print_json(&c, rc, error ? error : s != PRESSINDEX_OK ? "out of memory" : NULL, &st);
    if (verbose)
        fprintf(stderr, "%s: reindex%s: %llu added, %llu changed, %llu deleted, %llu unchanged, "
                        "%llu skipped (%llu files, %llu read) in %.2f s\n", cli_prog,
                c.dry_run ? " (dry run)" : "", (unsigned long long)st.added,
                (unsigned long long)st.changed, (unsigned long long)st.deleted,
                (unsigned long long)st.unchanged, (unsigned long long)st.skipped,
                (unsigned long long)st.files, (unsigned long long)st.files_read, st.seconds);
    free(error);
    pressindex_destroy(idx);
    free(db);
    return rc;
}

int cmd_compact(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"lock-timeout", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *db = NULL;
    double lock_timeout = -1;
    int o;
    while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (o) {
        case 'd': free(db); db = strdup(optarg); break;
        case 'l': {
            char *end;
            lock_timeout = strtod(optarg, &end);
            if (*end || lock_timeout < 0) {
                cli_error("--lock-timeout wants a number of seconds, not '%s'", optarg);
                free(db);
                return EX_USAGE;
            }
            break;
        }
        case 'h':
            printf("Usage: pressindex compact [--db PATH] [--lock-timeout SECS]\n"
                   "Rewrites the index compactly and swaps it in atomically; searches go on meanwhile.\n");
            free(db);
            return EX_OK;
        default: free(db); return EX_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("compact: unexpected argument '%s'", argv[optind]);
        free(db);
        return EX_USAGE;
    }
    if (!db)
        db = cli_default_db();
    pressindex_open_options oo;
    pressindex_open_options_init(&oo);
    oo.writable = 1; /* not create: compacting nothing is a mistake worth saying */
    if (lock_timeout >= 0)
        oo.lock_timeout = lock_timeout;
    pressindex *idx = NULL;
    pressindex_status s = pressindex_open(db, &oo, &idx);
    if (s != PRESSINDEX_OK) {
        cli_error("%s", pressindex_open_error());
    } else if ((s = pressindex_compact(idx)) != PRESSINDEX_OK) {
        cli_error("%s", pressindex_last_error(idx));
    }
    pressindex_destroy(idx);
    free(db);
    return cli_exit_status(s);
}
