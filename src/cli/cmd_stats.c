/* cmd_stats.c - pressindex stats: what the index holds. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"
#include "printer.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: pressindex stats [--db PATH] [--json]\n"
               "Prints the number of releases and passages and the range of dates in the index.\n"
               "  --json   one JSON object: releases, passages, date_min, date_max, sources [{source, passages}],\n"
               "           unsourced_passages\n");
}

int cmd_stats(int argc, char **argv)
{
    char *db;
    int json;
    int early = cli_db_json_args(argc, argv, "stats", usage, &db, &json);
    if (early >= 0)
        return early;
    pressindex *idx = NULL;
    int rc = cli_open(db, 0, -1, &idx);
    if (rc) {
        free(db);
        return rc;
    }
    json_t *o = NULL;
    pressindex_status s = cli_stats_json(idx, &o);
    if (s != PRESSINDEX_OK) {
        cli_error("%s", pressindex_last_error(idx));
        rc = cli_exit_status(s);
    } else if (!o) {
        cli_error("out of memory");
        rc = EX_OSERR;
    } else if (json) {
        char *txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (txt)
            puts(txt);
        free(txt);
    } else {
        printf("releases  %lld\npassages  %lld\n", (long long)json_integer_value(json_object_get(o, "releases")),
               (long long)json_integer_value(json_object_get(o, "passages")));
        if (json_is_string(json_object_get(o, "date_min")))
            printf("dates     %s .. %s\n", json_string_value(json_object_get(o, "date_min")),
                   json_string_value(json_object_get(o, "date_max")));
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(o, "sources"), i, v)
            printf("source    %s (%lld passages)\n", json_string_value(json_object_get(v, "source")),
                   (long long)json_integer_value(json_object_get(v, "passages")));
        long long none = json_integer_value(json_object_get(o, "unsourced_passages"));
        if (none)
            printf("source    (none) (%lld passages)\n", none);
    }
    json_decref(o);
    pressindex_destroy(idx);
    free(db);
    return rc;
}
