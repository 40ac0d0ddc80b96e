/*
 * replay.c - a main for the fuzz targets without libFuzzer: runs each input file given (a folder:
 * each file in it) through LLVMFuzzerTestOneInput once, so that make check replays the seeds and
 * every saved crash (tests/fuzz/regressions/) with the normal compiler, under valgrind and ASan
 * too. With no argument, it replays FUZZ_REGRESSIONS, the target's own regressions folder.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* Optional, as for libFuzzer: only the targets with an index to open define it. */
extern int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int replay_file(const char *path, size_t *count)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096, len = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            unsigned char *g = realloc(buf, cap *= 2);
            if (!g) {
                free(buf);
                buf = NULL;
            }
            buf = g;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        fprintf(stderr, "replay: %s: cannot read\n", path);
        free(buf);
        return -1;
    }
    /* A copy of exactly len bytes, so that ASan sees a read past the input. */
    unsigned char *in = malloc(len ? len : 1);
    if (!in) {
        free(buf);
        return -1;
    }
    memcpy(in, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(in, len);
    free(in);
    (*count)++;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay(const char *path, size_t *count)
{
    struct stat st;
    if (stat(path, &st) < 0) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return replay_file(path, count);
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char **g = realloc(names, (n + 1) * sizeof *g);
        if (!g || !(g[n] = strdup(e->d_name))) {
            names = g ? g : names;
            rc = -1;
            break;
        }
        names = g;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names); /* the same order on every machine */
    for (size_t i = 0; i < n; i++) {
        size_t need = strlen(path) + strlen(names[i]) + 2;
        char *p = malloc(need);
        if (!p || (snprintf(p, need, "%s/%s", path, names[i]), replay(p, count) < 0))
            rc = -1;
        free(p);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    static char *const fallback[] = {FUZZ_REGRESSIONS};
    char *const *paths = argc > 1 ? argv + 1 : fallback;
    int n = argc > 1 ? argc - 1 : 1;
    size_t count = 0;
    int rc = 0;
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 0; i < n; i++)
        if (replay(paths[i], &count) < 0)
            rc = 1;
    printf("%zu inputs replayed\n", count);
    return rc;
}
