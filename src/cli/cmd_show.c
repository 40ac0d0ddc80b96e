/* cmd_show.c - pressindex show ID (a release's metadata and paragraphs) and delete ID... */
#include "config.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "printer.h"

/* fmt NULL: the command has one output format (delete: none); else --json or --csv choose. */
static int parse_common(int argc, char **argv, const char *usage_text, cli_format *fmt, char **db)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'd') {
            free(*db);
            *db = strdup(optarg);
        } else if ((c == 'j' || c == 'v') && fmt) {
            cli_format want = c == 'j' ? CLI_FORMAT_JSON : CLI_FORMAT_CSV;
            if (*fmt != CLI_FORMAT_TEXT && *fmt != want) {
                cli_error("--json and --csv together: choose one format");
                return EX_USAGE;
            }
            *fmt = want;
        } else if (c == 'h') {
            fputs(usage_text, stdout);
            return -1;
        } else { /* unknown, or --json or --csv where it means nothing */
            fputs(usage_text, stderr);
            return EX_USAGE;
        }
    }
    if (optind >= argc) {
        fputs(usage_text, stderr);
        return EX_USAGE;
    }
    if (!*db)
        *db = cli_default_db();
    return 0;
}

int cmd_show(int argc, char **argv)
{
    static const char usage_text[] =
        "Usage: pressindex show [--db PATH] [--json | --csv] ID\n"
        "Prints a release: its metadata, then its paragraphs numbered from 1.\n"
        "  --json   one JSON object: id, date, title, source, url, lang, paragraphs [{paragraph, text}]\n"
        "  --csv    CSV with search --csv's columns, one row per paragraph (rank: its order, score 0)\n";
    cli_format fmt = CLI_FORMAT_TEXT;
    char *db = NULL;
    int rc = parse_common(argc, argv, usage_text, &fmt, &db);
    if (rc) {
        free(db);
        return rc < 0 ? EX_OK : rc;
    }
    pressindex *idx = NULL;
    if ((rc = cli_open(db, 0, -1, &idx)) != 0) {
        free(db);
        return rc;
    }
    pressindex_results *res = NULL;
    pressindex_status st = pressindex_get_release(idx, argv[optind], &res);
    if (st != PRESSINDEX_OK) {
        cli_error("%s", pressindex_last_error(idx));
        rc = cli_exit_status(st);
    } else if (fmt == CLI_FORMAT_CSV) {
        /* The search's printer: a release's rows read like a search's, columns and quoting. */
        cli_printer p;
        cli_printer_config pc = {0};
        cli_printer_init(&p, fmt, stdout, &pc);
        p.ops->begin(&p);
        cli_print_results(&p, NULL, res, pressindex_results_count(res));
        p.ops->end(&p);
        cli_printer_fini(&p);
    } else if (fmt == CLI_FORMAT_JSON) {
        json_t *o = cli_release_json(res);
        char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (s)
            puts(s);
        free(s);
        json_decref(o);
    } else {
        printf("id      %s\n", pressindex_result_release(res, 0));
        const char *f[][2] = {{"date", pressindex_result_date(res, 0)},
                              {"title", pressindex_result_title(res, 0)},
                              {"source", pressindex_result_source(res, 0)},
                              {"url", pressindex_result_url(res, 0)},
                              {"lang", pressindex_result_lang(res, 0)}};
        for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
            if (*f[k][1])
                printf("%-7s %s\n", f[k][0], f[k][1]);
        for (size_t i = 0; i < pressindex_results_count(res); i++)
            printf("\n[#%u] %s\n", pressindex_result_paragraph(res, i), pressindex_result_text(res, i));
    }
    pressindex_results_destroy(res);
    pressindex_destroy(idx);
    free(db);
    return rc;
}

int cmd_delete(int argc, char **argv)
{
    static const char usage_text[] =
        "Usage: pressindex delete [--db PATH] ID...\n"
        "Deletes these releases and all their paragraphs (an unknown id is not an error).\n";
    char *db = NULL;
    int rc = parse_common(argc, argv, usage_text, NULL, &db);
    if (rc) {
        free(db);
        return rc < 0 ? EX_OK : rc;
    }
    pressindex *idx = NULL;
    pressindex_open_options oo;
    pressindex_open_options_init(&oo);
    oo.writable = 1; /* no create: deleting from an index that does not exist is an error */
    pressindex_status st = pressindex_open(db, &oo, &idx);
    if (st != PRESSINDEX_OK) {
        cli_error("%s", pressindex_open_error());
        free(db);
        return cli_exit_status(st);
    }
    for (int i = optind; i < argc && st == PRESSINDEX_OK; i++)
        st = pressindex_delete_release(idx, argv[i]);
    if (st == PRESSINDEX_OK)
        st = pressindex_commit(idx);
    if (st != PRESSINDEX_OK) {
        cli_error("%s", pressindex_last_error(idx));
        rc = cli_exit_status(st);
    }
    pressindex_destroy(idx);
    free(db);
    return rc;
}
