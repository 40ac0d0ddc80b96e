/* cmd_index.c - pressindex index PATH...: add releases from files, folders or stdin. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: pressindex index [OPTIONS] PATH...\n"
            "Adds the releases in PATH (files, folders searched recursively, or - for stdin) to the index.\n"
            "A release already in the index (same id) is replaced: that is how updates arrive.\n"
            "\n"
            "Formats (detected from the name and content; .gz files are decompressed):\n"
            "  text    optional header (\"date 2025-07-30\" inline, or Date:/Title:/Source:/URL:/Lang: lines\n"
            "          ended by a blank line), then paragraphs separated by blank lines;\n"
            "          id = the folder's name, a slash and the path under it (akorda/2025/r-001.txt\n"
            "          for /srv/press/akorda); a file given directly: its name; stdin: --id, else\n"
            "          stdin- and 16 hex digits of a hash of the text\n"
            "  jsonl   one JSON object per line: id, date, title, source, url, lang, paragraphs;\n"
            "          a later line with an earlier line's id revises it (the last one counts)\n"
            "\n"
            "Two inputs of one run with the same id: the first is kept, the other named and skipped\n"
            "(exit 65). Two folders of the same name (x/akorda y/akorda) are refused (exit 64).\n"
            "\n"
            "Options:\n"
            "  --db PATH            the index (created if missing)\n"
            "  --format FORMAT      auto (default), text or jsonl\n"
            "  --id ID              the id of the text release read from standard input (-)\n"
            "  --lock-timeout SECS  wait this long for another writer (default 30), then exit 75\n"
            "  -v, --verbose        print a summary at the end\n"
            "  -h, --help           show this help\n"
            "\n"
            "Each problem in the input is one line on stderr (file, line, what); good releases are\n"
            "indexed all the same and the exit status is then 65. Quiet on success.\n");
}

typedef struct ctx {
    int tty;
    time_t start;
    time_t last;
} ctx;

static void on_problem(void *user, const char *file, unsigned long line, const char *msg)
{
    ctx *c = user;
    if (c->tty)
        fputs("\r\033[K", stderr); /* clear the progress line first */
    if (line)
        fprintf(stderr, "%s: %s:%lu: %s\n", cli_prog, file, line, msg);
    else
        fprintf(stderr, "%s: %s: %s\n", cli_prog, file, msg);
}

static void on_progress(void *user, uint64_t releases, uint64_t passages, uint64_t bytes)
{
    ctx *c = user;
    time_t now = time(NULL);
    if (!c->tty || now == c->last)
        return;
    c->last = now;
    double secs = difftime(now, c->start);
    fprintf(stderr, "\r\033[Kindexing: %llu releases, %llu passages, %.1f MB",
            (unsigned long long)releases, (unsigned long long)passages, (double)bytes / 1e6);
    if (secs > 0)
        fprintf(stderr, ", %.0f passages/s", (double)passages / secs);
}

int cmd_index(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"format", required_argument, NULL, 'f'},
        {"id", required_argument, NULL, 'i'},
        {"lock-timeout", required_argument, NULL, 'l'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *db = NULL;
    int verbose = 0, c;
    double lock_timeout = -1;
    pressindex_index_options io;
    pressindex_index_options_init(&io);
    while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            free(db);
            db = strdup(optarg);
            break;
        case 'f':
            if (!strcmp(optarg, "auto"))
                io.format = PRESSINDEX_FORMAT_AUTO;
            else if (!strcmp(optarg, "text"))
                io.format = PRESSINDEX_FORMAT_TEXT;
            else if (!strcmp(optarg, "jsonl"))
                io.format = PRESSINDEX_FORMAT_JSONL;
            else {
                cli_error("unknown format '%s' (auto, text or jsonl)", optarg);
                free(db);
                return EX_USAGE;
            }
            break;
        case 'i':
            if (!*optarg) {
                cli_error("--id wants a non-empty id");
                free(db);
                return EX_USAGE;
            }
            io.id = optarg;
            break;
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
        case 'v':
            verbose = 1;
            break;
        case 'h':
            usage(stdout);
            free(db);
            return EX_OK;
        default:
            usage(stderr);
            free(db);
            return EX_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("index: no PATH given (see pressindex index --help)");
        free(db);
        return EX_USAGE;
    }
    int stdin_given = 0;
    for (int i = optind; i < argc; i++)
        stdin_given |= !strcmp(argv[i], "-");
    if (io.id && !stdin_given) {
        cli_error("index: --id names the release read from standard input: give - as a PATH");
        free(db);
        return EX_USAGE;
    }
    if (!db)
        db = cli_default_db();
    pressindex *idx = NULL;
    int rc = cli_open(db, 1, lock_timeout, &idx);
    if (rc) {
        free(db);
        return rc;
    }
    ctx cx = {isatty(STDERR_FILENO), time(NULL), 0};
    io.on_problem = on_problem;
    io.on_progress = on_progress;
    io.user = &cx;

    /* One run: ids are checked across all the paths (DECISIONS "Ids"). */
    pressindex_index_summary total;
    pressindex_index_summary_init(&total);
    int missing = 0, data = 0, fatal = 0;
    pressindex_status s = pressindex_index_paths(idx, (const char *const *)argv + optind,
                                                 (size_t)(argc - optind), &io, &total);
    if (s == PRESSINDEX_ERR_NOT_FOUND)
        missing = 1; /* already reported through on_problem */
    else if (s == PRESSINDEX_ERR_DATA)
        data = 1;
    else if (s != PRESSINDEX_OK) {
        if (cx.tty)
            fputs("\r\033[K", stderr);
        /* A failure of the index names the index itself: the input is not to blame. */
        cli_error("%s", pressindex_last_error(idx));
        fatal = cli_exit_status(s);
    }
    if (cx.tty)
        fputs("\r\033[K", stderr);
    double secs = difftime(time(NULL), cx.start);
    if (verbose || data || missing)
        fprintf(stderr, "%s: %llu releases (%llu added, %llu replaced), %llu passages indexed from "
                        "%llu files; %llu skipped, %llu problems (%.0f s)\n", cli_prog,
                (unsigned long long)total.releases, (unsigned long long)total.added,
                (unsigned long long)total.replaced, (unsigned long long)total.passages,
                (unsigned long long)total.files, (unsigned long long)total.skipped,
                (unsigned long long)total.problems, secs);
    pressindex_destroy(idx);
    free(db);
    if (fatal)
        return fatal;
    return missing ? EX_NOINPUT : data ? EX_DATAERR : EX_OK;
}
