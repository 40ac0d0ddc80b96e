/*
 * watches.c - the saved searches of an index (the command's `watch`), kept as one JSON document
 * in the index directory (watches.json), beside the databases: compaction and rebuilds swap
 * databases and leave it alone. The library keeps the document whole and does not interpret it
 * beyond checking that it is a JSON object; the command owns its shape (doc/pressindex.1).
 * A write replaces it atomically (a temporary file, fsync, rename, the directory fsync'd) and
 * only under the writer lock, so that two writers never interleave.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Saved searches are small: a bigger file is not ours (or is damaged). */
#define MAX_WATCHES_BYTES (16 * 1024 * 1024)

static char *watches_path(const pressindex *idx, const char *name)
{
    size_t n = strlen(idx->path) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", idx->path, name);
    return p;
}

pressindex_status pressindex_watches_read(pressindex *idx, char **json)
{
    if (json)
        *json = NULL;
    if (!idx || !json)
        return idx ? pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no place for the saved searches given")
                   : PRESSINDEX_ERR_INVALID_ARGUMENT;
    char *path = watches_path(idx, PI_WATCHES);
    if (!path)
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        pressindex_status st = e == ENOENT ? PRESSINDEX_OK
                             : pi_fail(idx, PRESSINDEX_ERR_IO, "cannot read %s: %s", path, strerror(e));
        free(path);
        return st;
    }
    pi_buf b = {0};
    char chunk[8192];
    size_t got;
    int oom = 0;
    while (!oom && b.len <= MAX_WATCHES_BYTES && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
        oom = pi_buf_add(&b, chunk, got) < 0;
    int rerr = ferror(f);
    fclose(f);
    pressindex_status st = PRESSINDEX_OK;
    json_error_t je;
    json_t *doc = NULL;
    if (oom)
        st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    else if (rerr)
        st = pi_fail(idx, PRESSINDEX_ERR_IO, "cannot read %s", path);
    else if (b.len > MAX_WATCHES_BYTES)
        st = pi_fail(idx, PRESSINDEX_ERR_CORRUPT, "%s is over %d MiB: not saved searches", path,
                     MAX_WATCHES_BYTES >> 20);
    else if (!(doc = json_loadb(b.p ? b.p : "", b.len, 0, &je)) || !json_is_object(doc))
        st = pi_fail(idx, PRESSINDEX_ERR_CORRUPT,
                     "%s is damaged (%s, line %d): the saved searches cannot be read; repair it or "
                     "move it away (the index itself is not affected)", path,
                     doc ? "not a JSON object" : je.text, doc ? 1 : je.line);
    json_decref(doc);
    if (st == PRESSINDEX_OK)
        *json = b.p ? b.p : strdup("{}");
    else
        pi_buf_free(&b);
    if (st == PRESSINDEX_OK && !*json)
        st = pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    free(path);
    return st;
}

pressindex_status pressindex_watches_write(pressindex *idx, const char *json)
{
    if (!idx || !json)
        return idx ? pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "no saved searches given")
                   : PRESSINDEX_ERR_INVALID_ARGUMENT;
    if (!idx->writable)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT,
                       "the index was opened read-only: saved searches are written under the writer lock");
    json_error_t je;
    json_t *doc = json_loads(json, 0, &je);
    int object = json_is_object(doc);
    json_decref(doc);
    if (!object)
        return pi_fail(idx, PRESSINDEX_ERR_INVALID_ARGUMENT, "saved searches must be a JSON object");
    size_t len = strlen(json);
    if (len > MAX_WATCHES_BYTES)
        return pi_fail(idx, PRESSINDEX_ERR_LIMIT, "saved searches of %zu bytes: at most %d MiB", len,
                       MAX_WATCHES_BYTES >> 20);
    char *tmp = watches_path(idx, PI_WATCHES_TMP), *path = watches_path(idx, PI_WATCHES);
    if (!tmp || !path) {
        free(tmp);
        free(path);
        return pi_fail(idx, PRESSINDEX_ERR_NO_MEMORY, "out of memory");
    }
    pressindex_status st = PRESSINDEX_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t done = 0;
    while (fd >= 0 && done < len) {
        ssize_t w = write(fd, json + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    /* On disk before it takes the name, and the name on disk before success is reported. */
    if (fd < 0 || done < len || fsync(fd) < 0 || close(fd) < 0 || (fd = -1, rename(tmp, path) < 0) ||
        pi_sync_dir(idx->path) < 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        unlink(tmp);
        st = pi_fail(idx, PRESSINDEX_ERR_IO,
                     "cannot write the saved searches %s: %s", path, strerror(e));
    }
    free(tmp);
    free(path);
    return st;
}
