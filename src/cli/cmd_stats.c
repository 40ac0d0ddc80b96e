/* cmd_stats.c - pressindex stats: what the index holds. */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "cli.h"

static void add_source(void *user, const char *source, uint64_t passages)
{
    json_array_append_new((json_t *)user, json_pack("{ss sI}", "source", source, "passages", (json_int_t)passages));
}

/* Passages of releases with no source: the named sources' counts would otherwise not add up. */
static uint64_t unsourced(const pressindex_stats *st, json_t *sources)
{
    uint64_t named = 0;
    size_t i;
    json_t *v;
    json_array_foreach(sources, i, v)
        named += (uint64_t)json_integer_value(json_object_get(v, "passages"));
    return st->passages > named ? st->passages - named : 0;
}

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
    pressindex_stats st;
    pressindex_status s = pressindex_get_stats(idx, &st);
    if (s != PRESSINDEX_OK) {
        cli_error("%s", pressindex_last_error(idx));
        rc = cli_exit_status(s);
    } else {
        json_t *sources = json_array();
        if ((s = pressindex_get_sources(idx, add_source, sources)) != PRESSINDEX_OK) {
            cli_error("%s", pressindex_last_error(idx));
            rc = cli_exit_status(s);
        } else if (json) {
            json_t *o = json_pack("{sI sI so so so sI}", "releases", (json_int_t)st.releases,
                                  "passages", (json_int_t)st.passages,
                                  "date_min", st.date_min[0] ? json_string(st.date_min) : json_null(),
                                  "date_max", st.date_max[0] ? json_string(st.date_max) : json_null(),
                                  "sources", json_incref(sources),
                                  "unsourced_passages", (json_int_t)unsourced(&st, sources));
            char *txt = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
            if (txt)
                puts(txt);
            free(txt);
            json_decref(o);
        } else {
            printf("releases  %llu\npassages  %llu\n", (unsigned long long)st.releases,
                   (unsigned long long)st.passages);
            if (st.date_min[0])
                printf("dates     %s .. %s\n", st.date_min, st.date_max);
            size_t i;
            json_t *v;
            json_array_foreach(sources, i, v)
                printf("source    %s (%lld passages)\n", json_string_value(json_object_get(v, "source")),
                       (long long)json_integer_value(json_object_get(v, "passages")));
            uint64_t none = unsourced(&st, sources);
            if (none)
                printf("source    (none) (%llu passages)\n", (unsigned long long)none);
        }
        json_decref(sources);
    }
    pressindex_destroy(idx);
    free(db);
    return rc;
}
