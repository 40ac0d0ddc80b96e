/* cmd_check.c - pressindex check: is the index healthy? (pressindex_check(); exit 0 or 74) */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: pressindex check [--db PATH] [--json]\n"
               "Checks the index: Xapian's consistency check of its database, then pressindex's own\n"
               "invariants (release records and their passages, source file records, the schema).\n"
               "Repairs nothing. Silent when healthy (a summary on a terminal); each problem on a line.\n"
               "  --json   one JSON object: status, healthy, releases, passages, files, problems [{where,\n"
               "           problem}], error\n"
               "Exit status: 0 healthy, 74 problems found (rebuild from the sources: pressindex(1),\n"
               "\"check\"), 66 no index, 69 another schema, 75 locked.\n");
}

typedef struct found {
    json_t *list;
    int json;
} found;

static void on_problem(void *user, const char *where, unsigned long line, const char *message)
{
    (void)line;
    found *f = user;
    if (f->json)
        json_array_append_new(f->list, json_pack("{ss ss}", "where", where ? where : "",
                                                 "problem", message ? message : ""));
    else
        printf("%s: %s\n", where ? where : "", message ? message : "");
}

int cmd_check(int argc, char **argv)
{
    char *db;
    int json;
    int early = cli_db_json_args(argc, argv, "check", usage, &db, &json);
    if (early >= 0)
        return early;
    pressindex *idx = NULL;
    int rc = cli_open(db, 0, -1, &idx);
    if (rc) {
        if (json) {
            json_t *o = json_pack("{si sb ss}", "status", rc, "healthy", 0, "error", pressindex_open_error());
            char *txt = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
            if (txt)
                puts(txt);
            free(txt);
            json_decref(o);
        }
        free(db);
        return rc;
    }
    found f = {json_array(), json};
    pressindex_check_stats cs;
    pressindex_status st = pressindex_check(idx, on_problem, &f, &cs);
    rc = st == PRESSINDEX_OK ? EX_OK : cli_exit_status(st);
    if (json) {
        json_t *o = json_pack("{si sb sI sI sI so so}", "status", rc, "healthy", st == PRESSINDEX_OK,
                              "releases", (json_int_t)cs.releases, "passages", (json_int_t)cs.passages,
                              "files", (json_int_t)cs.files, "problems", json_incref(f.list),
                              "error", st == PRESSINDEX_OK ? json_null()
                                                           : json_string(pressindex_last_error(idx)));
        char *txt = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (txt)
            puts(txt);
        free(txt);
        json_decref(o);
    } else if (st != PRESSINDEX_OK) {
        cli_error("%s%s", pressindex_last_error(idx),
                  st == PRESSINDEX_ERR_CORRUPT ? ": rebuild it from the sources (see pressindex(1), check)" : "");
    } else if (isatty(STDOUT_FILENO)) {
        printf("healthy: %llu releases, %llu passages, %llu source files\n",
               (unsigned long long)cs.releases, (unsigned long long)cs.passages,
               (unsigned long long)cs.files);
    }
    json_decref(f.list);
    pressindex_destroy(idx);
    free(db);
    return rc;
}
