/*
 * fuzz_store.c - the passages store's file as found on disk (src/lib/store.h), and the values in
 * it: the input is the whole file. Opening refuses what does not hold together, saying why; what
 * opens reads every record the same way twice (a first read is a pread, a later one the mapping)
 * and within its bounds, and each record's passages value and stopwords' positions decode or are
 * refused (posblob.h, the passage map) without reading past them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "posblob.h"
#include "store.h"

static char dir[4096];

static void remove_dir(void)
{
    if (dir[0])
        pi_index_remove_tree(dir);
}

static void decode_blob(const char *blob, size_t len, pi_buf *scratch)
{
    pi_posr r;
    if (pi_posr_init(&r, blob, len, scratch) < 0)
        return;
    int rc;
    while ((rc = pi_posr_next(&r)) > 0) {
        unsigned *pos = malloc((r.plen + 1) * sizeof *pos);
        if (!pos)
            fuzz_fail("out of memory");
        long n = pi_posr_positions(&r, pos);
        if (n > (long)r.plen)
            fuzz_fail("%ld positions from %zu bytes", n, r.plen);
        for (long i = 1; i < n; i++)
            if (pos[i] < pos[i - 1])
                fuzz_fail("positions go down");
        free(pos);
    }
}

typedef struct ids {
    unsigned *d;
    size_t n, cap;
} ids;

static int collect(void *ctx, unsigned docid)
{
    ids *x = ctx;
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 64;
        unsigned *g = realloc(x->d, cap * sizeof *g);
        if (!g)
            fuzz_fail("out of memory");
        x->d = g;
        x->cap = cap;
    }
    x->d[x->n++] = docid;
    return x->n >= 4096; /* enough of a large table */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/pi-fuzz-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(dir))
            fuzz_fail("cannot make a temporary folder");
        atexit(remove_dir);
    }
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, PI_STORE_FILE);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
        fuzz_fail("cannot write the input to %s", path);
    pi_store *s = NULL;
    char msg[256] = "";
    int rc = pi_store_open(dir, NULL, &s, msg, sizeof msg);
    if (rc == -1 && !msg[0])
        fuzz_fail("a store refused without a word");
    if (rc != 0 || !s)
        return 0;
    ids x = {0};
    pi_store_each(s, collect, &x);
    if (x.n > pi_store_records(s))
        fuzz_fail("%zu records listed, %zu held", x.n, pi_store_records(s));
    pi_buf scratch = {0};
    for (size_t i = 0; i < x.n; i++) {
        const char *v4, *v6;
        size_t l4, l6;
        int got = pi_store_get(s, x.d[i], &v4, &l4, &v6, &l6);
        if (got == 0)
            fuzz_fail("docid %u listed but not found", x.d[i]);
        if (got < 0) {
            if (pi_store_get(s, x.d[i], &v4, &l4, &v6, &l6) >= 0)
                fuzz_fail("docid %u: damaged once, not twice", x.d[i]);
            continue;
        }
        char *copy = malloc(l4 + l6 + 1);
        if (!copy)
            fuzz_fail("out of memory");
        memcpy(copy, v4, l4);
        memcpy(copy + l4, v6, l6);
        const char *w4, *w6;
        size_t m4, m6;
        if (pi_store_get(s, x.d[i], &w4, &m4, &w6, &m6) != 1 || m4 != l4 || m6 != l6 ||
            memcmp(w4, copy, l4) || memcmp(w6, copy + l4, l6))
            fuzz_fail("docid %u reads otherwise the second time", x.d[i]);
        const char *map, *blob;
        size_t mlen, blen;
        if (pi_pv_split(copy, l4, &map, &mlen, &blob, &blen) == 0) {
            pi_passage *ps = NULL;
            size_t np = 0;
            if (pi_pmap_decode(map, mlen, &ps, &np) == 0)
                free(ps);
            decode_blob(blob, blen, &scratch);
        }
        decode_blob(copy + l4, l6, &scratch);
        free(copy);
    }
    (void)pi_store_verify(s);
    free(x.d);
    pi_buf_free(&scratch);
    pi_store_close(s);
    return 0;
}
