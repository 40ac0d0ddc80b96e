/*
 * ids.c - the ids one indexing run has given out, so that no release replaces another silently
 * (DECISIONS "Ids", round 2): a later line of the same JSON Lines file with an earlier line's id is
 * a revision (the last wins, counted once); the same id from another input of the run is a clash
 * (the first kept, both named).
 *
 * Memory: a fixed-size slot per release (its 128-bit id digest, where it came from, its passages,
 * the caller's tag)
 * and the name of each file that gave a release, for naming the first place of a clash.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "input.h"

struct pi_idslot {
    unsigned char key[16];
    uint32_t file; /* 1 + index in the run's files; 0: empty slot */
    uint32_t line;
    uint32_t passages;
    uint32_t tag;
};

static size_t home(const pi_idset *s, const unsigned char *key)
{
    uint64_t h;
    memcpy(&h, key, sizeof h);
    return (size_t)h & (s->cap - 1);
}

static int grow(pi_idset *s)
{
    size_t nc = s->cap ? s->cap * 2 : 1024;
    struct pi_idslot *ns = calloc(nc, sizeof *ns);
    if (!ns)
        return -1;
    pi_idset g = *s;
    g.slots = ns;
    g.cap = nc;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i].file) {
            size_t j = home(&g, s->slots[i].key);
            while (ns[j].file)
                j = (j + 1) & (nc - 1);
            ns[j] = s->slots[i];
        }
    free(s->slots);
    *s = g;
    return 0;
}

/* The name of file number k (from 1). */
static const char *file_name(const pi_idset *s, uint32_t k)
{
    size_t off;
    memcpy(&off, s->offsets.p + (size_t)(k - 1) * sizeof off, sizeof off);
    return s->names.p + off;
}

void pi_idset_next_input(pi_idset *s)
{
    s->in_file = 0;
}

int pi_idset_claim(pi_idset *s, const char *id, const char *file, unsigned long line,
                   unsigned passages, pi_idclaim *out)
{
    memset(out, 0, sizeof *out);
    /* A release from another file than the last one's starts a file of the run. */
    if (!s->in_file || strcmp(file_name(s, s->n_files), file) != 0) {
        size_t off = s->names.len;
        if (pi_buf_add(&s->names, file, strlen(file) + 1) < 0 ||
            pi_buf_add(&s->offsets, &off, sizeof off) < 0)
            return -1;
        s->n_files++;
        s->in_file = 1;
    }
    if ((s->n + 1) * 4 >= s->cap * 3 && grow(s) < 0)
        return -1;
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(id, strlen(id)));
    size_t i = home(s, c.digest);
    for (; s->slots[i].file; i = (i + 1) & (s->cap - 1)) {
        struct pi_idslot *sl = &s->slots[i];
        if (memcmp(sl->key, c.digest, sizeof sl->key) != 0)
            continue;
        if (sl->file == s->n_files) {
            out->kind = PI_ID_REVISION;
            out->prev_passages = sl->passages;
            sl->passages = passages;
            sl->line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
            out->tag = &sl->tag;
        } else {
            out->kind = PI_ID_CLASH;
            out->first_file = file_name(s, sl->file);
            out->first_line = sl->line;
        }
        return 0;
    }
    struct pi_idslot *sl = &s->slots[i];
    memcpy(sl->key, c.digest, sizeof sl->key);
    sl->file = s->n_files;
    sl->line = line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
    sl->passages = passages;
    sl->tag = 0;
    s->n++;
    out->tag = &sl->tag;
    out->kind = PI_ID_NEW;
    return 0;
}

const char *pi_msg_clash(char *buf, size_t n, const char *id, const pi_idclaim *c)
{
    char line[32] = "";
    if (c->first_line)
        snprintf(line, sizeof line, ":%lu", c->first_line);
    snprintf(buf, n, "id \"%.200s\" was already given by %.400s%s: that one kept, this one skipped",
             id, c->first_file, line);
    return buf;
}

void pi_idset_free(pi_idset *s)
{
    free(s->slots);
    pi_buf_free(&s->names);
    pi_buf_free(&s->offsets);
    memset(s, 0, sizeof *s);
}
