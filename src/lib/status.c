/* status.c - status codes, error messages and the version. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

const char *pressindex_version(void)
{
    return PACKAGE_VERSION;
}

const char *pressindex_status_to_string(pressindex_status status)
{
    switch (status) {
    case PRESSINDEX_OK: return "success";
    case PRESSINDEX_ERR_NOT_FOUND: return "not found";
    case PRESSINDEX_ERR_LOCKED: return "index locked by another writer";
    case PRESSINDEX_ERR_CORRUPT: return "index corrupt";
    case PRESSINDEX_ERR_VERSION: return "index version mismatch";
    case PRESSINDEX_ERR_BAD_QUERY: return "malformed query";
    case PRESSINDEX_ERR_DATA: return "input data error";
    case PRESSINDEX_ERR_INVALID_ARGUMENT: return "invalid argument";
    case PRESSINDEX_ERR_MODIFIED: return "index modified during the operation";
    case PRESSINDEX_ERR_IO: return "input/output error";
    case PRESSINDEX_ERR_NO_MEMORY: return "out of memory";
    case PRESSINDEX_ERR_INTERNAL: return "internal error";
    case PRESSINDEX_ERR_LIMIT: return "query past its limits";
    case PRESSINDEX_ERR_TIMEOUT: return "search past its time limit";
    case PRESSINDEX_STATUS_LAST: break;
    }
    return "unknown status";
}

const char *pressindex_last_error(const pressindex *idx)
{
    return idx && idx->err.p ? idx->err.p : "";
}

long pressindex_last_error_position(const pressindex *idx)
{
    return idx ? idx->err_pos : -1;
}

pressindex_status pi_fail(pressindex *idx, pressindex_status st, const char *fmt, ...)
{
    if (!idx)
        return st;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pi_buf_clear(&idx->err);
    idx->err_pos = -1; /* a malformed query's search sets it after this message */
    /* If even the message cannot be stored, the status still tells the caller what happened. */
    (void)pi_buf_adds(&idx->err, msg);
    if (st == PRESSINDEX_ERR_NO_MEMORY) {
        idx->broken = 1;
        if (idx->writable)
            (void)pi_buf_adds(&idx->err, " (the changes since the last commit are discarded)");
    }
    return st;
}

pressindex_status pi_status_from_xc(xc_status xs)
{
    switch (xs) {
    case XC_OK: return PRESSINDEX_OK;
    case XC_ERR_LOCKED: return PRESSINDEX_ERR_LOCKED;
    case XC_ERR_MODIFIED: return PRESSINDEX_ERR_MODIFIED;
    case XC_ERR_CORRUPT: return PRESSINDEX_ERR_CORRUPT;
    case XC_ERR_NOT_FOUND: return PRESSINDEX_ERR_NOT_FOUND;
    case XC_ERR_VERSION: return PRESSINDEX_ERR_VERSION;
    case XC_ERR_BAD_QUERY: return PRESSINDEX_ERR_BAD_QUERY;
    case XC_ERR_INVALID: return PRESSINDEX_ERR_INVALID_ARGUMENT;
    case XC_ERR_DOC_NOT_FOUND: return PRESSINDEX_ERR_CORRUPT;
    case XC_ERR_IO: return PRESSINDEX_ERR_IO;
    case XC_ERR_NO_MEMORY: return PRESSINDEX_ERR_NO_MEMORY;
    case XC_ERR_OTHER: break;
    }
    return PRESSINDEX_ERR_INTERNAL;
}

/* Xapian's text without its exception class ("DatabaseCorruptError: "): a detail for people. */
static const char *plain_detail(const char *msg)
{
    const char *colon = msg ? strstr(msg, "Error: ") : NULL;
    if (!colon || memchr(msg, ' ', (size_t)(colon - msg)))
        return msg ? msg : "";
    return colon + 7;
}

pressindex_status pi_fail_xc_detail(pressindex *idx, xc_status xs, const char *context,
                                    const char *detail, int writing)
{
    pressindex_status st = pi_status_from_xc(xs);
    if (!idx)
        return st;
    const char *d = plain_detail(detail);
    /* Corruption is named as such, with the way back; Xapian's words are only the detail. */
    if (st == PRESSINDEX_ERR_CORRUPT && xs == XC_ERR_CORRUPT)
        return pi_fail(idx, st, "%s is damaged (%s: %s). Repair: rebuild it "
                       "from its sources into a new index (pressindex --db NEW reindex FOLDER..., or "
                       "index PATH...) and use that one", idx->path, context, d);
    /* A failed write is the index's (a full disk, an I/O error), never the input's. A writer's
     * reads count: Xapian writes out changed blocks when a read needs room for others, so a
     * full disk can surface in a lookup. */
    if ((writing || idx->writable) && st == PRESSINDEX_ERR_IO)
        return pi_fail(idx, st, "cannot write to the index at %s (%s): %s; it keeps what was "
                       "committed before", idx->path, context, d);
    return pi_fail(idx, st, "%s: %s", context, detail ? detail : "");
}

pressindex_status pi_fail_xc(pressindex *idx, xc_status xs, const char *context)
{
    return pi_fail_xc_detail(idx, xs, context, xc_last_error(), 0);
}

pressindex_status pi_fail_write(pressindex *idx, xc_status xs, const char *context)
{
    return pi_fail_xc_detail(idx, xs, context, xc_last_error(), 1);
}

void pi_options_give(void *opts, size_t size, const void *full, size_t full_size)
{
    if (!opts || size < sizeof(size_t))
        return;
    memcpy(opts, full, size < full_size ? size : full_size);
    /* A newer program's fields this library does not know: zero, not left uninitialised. */
    if (size > full_size)
        memset((char *)opts + full_size, 0, size - full_size);
    *(size_t *)opts = size;
}

int pi_options_take(void *full, size_t full_size, const void *given)
{
    size_t size = *(const size_t *)given;
    if (size < sizeof(size_t))
        return -1;
    /* An older program's struct is a prefix of ours; a newer one's fields past ours are unknown
     * here and left out. */
    memcpy(full, given, size < full_size ? size : full_size);
    *(size_t *)full = full_size;
    return 0;
}
