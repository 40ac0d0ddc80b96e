/*
 * fuzz_store.c - the passages store's file as found on disk (src/lib/store.h), and the values in
 * it: the input is the whole file. Opening refuses what does not hold together, saying why; what
 * opens reads every record the same way twice (a first read is a pread, a later one the mapping)
 * and within its bounds, and each record's passages value and stopwords' positions decode or are
 * refused (posblob.h, the passage map), its texts unpack or are refused (text.h) and its release
 * record decodes or is refused, without reading past them.
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
static pi_unz *unz; /* kept from one input to the next, as a reader handle keeps it */

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
        pi_store_rec r;
        int got = pi_store_get(s, x.d[i], &r);
        if (got == 0)
            fuzz_fail("docid %u listed but not found", x.d[i]);
        if (got < 0) {
            if (pi_store_get(s, x.d[i], &r) >= 0)
                fuzz_fail("docid %u: damaged once, not twice", x.d[i]);
            continue;
        }
        /* Each part copied to a buffer of its own size: reading past a part is ASan's to see. */
        char *part[PI_STORE_PARTS];
        size_t len[PI_STORE_PARTS];
        for (int j = 0; j < PI_STORE_PARTS; j++) {
            len[j] = r.l[j];
            if (!(part[j] = malloc(len[j] + 1)))
                fuzz_fail("out of memory");
            memcpy(part[j], r.v[j], len[j]);
            part[j][len[j]] = '\0';
        }
        for (int k = 0; k < 5; k++) { /* past the first reads (copies): the mapping */
            pi_store_rec again;
            if (pi_store_get(s, x.d[i], &again) != 1)
                fuzz_fail("docid %u reads otherwise the second time", x.d[i]);
            for (int j = 0; j < PI_STORE_PARTS; j++)
                if (again.l[j] != len[j] || memcmp(again.v[j], part[j], len[j]))
                    fuzz_fail("docid %u's part %d reads otherwise the second time", x.d[i], j);
        }
        const char *map, *blob;
        size_t mlen, blen;
        if (pi_pv_split(part[PI_PART_POS], len[PI_PART_POS], &map, &mlen, &blob, &blen) == 0) {
            pi_passage *ps = NULL;
            size_t np = 0;
            if (pi_pmap_decode(map, mlen, &ps, &np) == 0)
                free(ps);
            decode_blob(blob, blen, &scratch);
        }
        decode_blob(part[PI_PART_STOPPOS], len[PI_PART_STOPPOS], &scratch);
        pi_buf texts = {0};
        size_t tfirst = 0;
        if (pi_texts_unpack(&unz, part[PI_PART_TEXTS], len[PI_PART_TEXTS], 0, SIZE_MAX, &texts,
                            &tfirst) == 0) {
            size_t tl, total = 0, k = 0;
            const char *t;
            while ((t = pi_data_text(texts.p, texts.len, k++, &tl)) != NULL)
                if ((total += tl + 1) > texts.len + 1)
                    fuzz_fail("docid %u: texts read past their end", x.d[i]);
        }
        pi_buf_free(&texts);
        pi_release_record rec;
        char *rb = part[PI_PART_RECORD];
        part[PI_PART_RECORD] = NULL;
        (void)pi_record_decode(rb, len[PI_PART_RECORD], &rec); /* takes rb */
        pi_record_free(&rec);
        for (int j = 0; j < PI_STORE_PARTS; j++)
            free(part[j]);
    }
    (void)pi_store_verify(s);
    free(x.d);
    pi_buf_free(&scratch);
    pi_store_close(s);
    return 0;
}
