/*
 * sync.h - the reindex engine's part of the on-disk schema: what the index knows about each source
 * file of a folder argument, stored in the Xapian user metadata next to the releases it describes
 * (doc/schema.md). Shared with the tests.
 */
#ifndef PI_SYNC_H
#define PI_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "input.h"
#include "internal.h"

/* "F" + key of the folder argument + key of the file's path relative to it (pi_release_key of
 * each: paths may be longer than Xapian's 245-byte key limit). All files of one folder argument
 * share the prefix "F" + its key, so they are listed with one metadata key scan. */
#define PI_META_FILE "F"
#define PI_FILE_KEY_LEN (1 + 2 * PI_KEY_LEN)

/* A release as a file record lists it: its key and the digest of its whole content. */
#define PI_ENTRY_LEN (PI_KEY_LEN + PI_DIGEST_LEN)

/* The record of one source file. Encoded as "PI1", size, mtime (ns), checksum, folder, rel, each
 * NUL-terminated, then the entries: n * PI_ENTRY_LEN bytes of hex, no separators. */
typedef struct pi_file_record {
    char *blob; /* owns folder, rel and entries when decoded */
    uint64_t size;
    int64_t mtime_ns;
    uint64_t checksum;
    const char *folder, *rel;
    const char *entries;
    size_t n;
} pi_file_record;

/* The metadata key of (folder, rel) in key[PI_FILE_KEY_LEN + 1]. */
void pi_file_key(const char *folder, const char *rel, char key[PI_FILE_KEY_LEN + 1]);
int pi_file_record_encode(const pi_file_record *fr, pi_buf *out);
/* Takes ownership of blob (len bytes). Returns 0, or -1 when it is not a file record. */
int pi_file_record_decode(char *blob, size_t len, pi_file_record *fr);

#endif
