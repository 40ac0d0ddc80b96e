/*
 * store.h - the passages store: the passages and stopwords values (PI_SLOT_POS, PI_SLOT_STOPPOS)
 * of the releases a full build or a compaction wrote, in one read-only file beside the Xapian
 * database (PI_STORE_FILE in its directory), mapped into memory.
 *
 * Why: a warm search reads its ~100 candidate releases' passages values (~10 KB each) before it
 * scores a passage, then the release records of its ranking window and the texts of its page. From Xapian's B-tree that is some 2.6 `pread`s of 8 KB blocks per candidate,
 * ~270 system calls a search and the largest single cost of one (doc/schema.md, "Schema 9"); from
 * a mapping it is a memory read. Xapian has no mapped reads, so the values a full build writes
 * move here, with the texts (PI_SLOT_TEXTS) and a copy of the release record (metadata "R"+key),
 * and only they: releases written later (index, reindex, add) keep theirs in Xapian.
 *
 * The rule that makes it consistent: a docid the store holds is the store's. A writer never
 * replaces such a document in place (a changed release becomes a new document, writer.c), so the
 * store's record of a live docid is never stale (nor its copy of the release record, which the
 * writer only rewrites with a new document); the records of deleted documents are garbage until
 * the next compaction rewrites the store without them.
 *
 * The file, little-endian:
 *   header (PI_STORE_HEADER bytes): magic "PIPSTORE", u32 version 2, u32 first docid, u32 docids
 *     in the table (n), u32 0, u64 where the table starts (after the records), u64 records' bytes,
 *     the Xapian database's UUID (36 bytes, then 4 zero bytes: the store belongs to that database
 *     alone), u32 CRC-32 of the records, u32 CRC-32 of the header's bytes before it and the table,
 *     zeros to the end;
 *   the records from byte PI_STORE_HEADER: per docid held, its PI_STORE_PARTS parts' lengths but
 *     the last's (varints), then the parts' bytes in pi_store_part order (the last: the rest);
 *   the table: n + 1 u64 offsets into the records; docid first + i is records [t[i], t[i+1]),
 *     none when they are equal.
 * Opening checks the header, the table's CRC and that the table only grows and ends at the
 * records' end; the records' CRC is for `pressindex check` (a damaged record otherwise shows as
 * a value that does not decode, as a damaged Xapian value does).
 */
#ifndef PI_STORE_H
#define PI_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "xc.h"

#define PI_STORE_FILE "passages.pis"
#define PI_STORE_HEADER 96
#define PI_STORE_UUID_LEN 36

typedef struct pi_store pi_store;

/* A record's parts, in the file's order: the passages value, the stopwords' positions, the
 * texts, the release record (pi_record_encode()). Version 1 held the first two. */
typedef enum pi_store_part {
    PI_PART_POS,
    PI_PART_STOPPOS,
    PI_PART_TEXTS,
    PI_PART_RECORD,
    PI_STORE_PARTS
} pi_store_part;

typedef struct pi_store_rec {
    const char *v[PI_STORE_PARTS];
    size_t l[PI_STORE_PARTS]; /* 0: none */
} pi_store_rec;

/* Opens the store of the database in dbdir, which must belong to the database of that UUID (NULL:
 * any database's, for the fuzzer).
 * Returns 0 (*out NULL when the database has no store), -1 damaged or not this database's (msg
 * says what), -2 out of memory, -3 an I/O error (errno set). */
int pi_store_open(const char *dbdir, const char *uuid, pi_store **out, char *msg, size_t msglen);
void pi_store_close(pi_store *s);

/* docid's record: 1 (*r set), 0 not in the store, -1 a damaged record. The bytes stay valid
 * until the next pi_store_get() on s (a record's first reads are a copy: store.c). */
int pi_store_get(pi_store *s, unsigned docid, pi_store_rec *r);
/* A new search through s begins: the records earlier ones read are read from the mapping. */
void pi_store_new_search(pi_store *s);
/* Does the store hold a record of docid? (No read.) */
int pi_store_has(const pi_store *s, unsigned docid);
/* The docids the store holds a record for, ascending: calls fn for each until it returns non-0
 * (returned). */
int pi_store_each(const pi_store *s, int (*fn)(void *ctx, unsigned docid), void *ctx);
/* The records' CRC as stored against the records as read: 0 equal, -1 not. */
int pi_store_verify(const pi_store *s);
size_t pi_store_records(const pi_store *s);

/* A release's value in PI_SLOT_POS, PI_SLOT_STOPPOS or PI_SLOT_TEXTS (any other slot: Xapian's): the store's
 * when the database's store (xc_db_user(db)) holds docid, else Xapian's; as xc_db_value() and
 * xc_db_values() (a value the release does not have: "", and no call). A damaged record is
 * XC_ERR_CORRUPT. */
xc_status pi_db_value(xc_db *db, unsigned docid, unsigned slot, char **out, size_t *len);
xc_status pi_db_values(xc_db *db, unsigned slot, const unsigned *docids, size_t n, xc_value_fn fn,
                       void *ctx);
/* Does the database's store hold docid (the writer's question: such a document is never
 * replaced in place)? */
int pi_db_stored(xc_db *db, unsigned docid);
/* The release record of docid, whose release key is key: the store's copy when it holds docid,
 * else the metadata's ("R"+key). *blob NULL when there is none; XC_ERR_CORRUPT a damaged store
 * record. */
xc_status pi_db_record(xc_db *db, unsigned docid, const char *key, char **blob, size_t *len);

/* ---- Writing: records in ascending docid order into dir/PI_STORE_FILE.tmp, then renamed. ---- */
typedef struct pi_store_writer pi_store_writer;
/* Returns 0, -2 out of memory, -3 I/O (errno). */
int pi_store_writer_open(const char *dbdir, pi_store_writer **out);
int pi_store_writer_add(pi_store_writer *w, unsigned docid, const pi_store_rec *r);
/* Writes the table and header, syncs the file and renames it to PI_STORE_FILE; frees w. With no
 * record added, an empty store. */
int pi_store_writer_finish(pi_store_writer *w, const char *uuid);
void pi_store_writer_abort(pi_store_writer *w);
/* The store file at path now belongs to the database of uuid (its header rewritten and synced): a
 * compaction's store, written beside its first output, moved beside its second. 0, -1 damaged,
 * -3 I/O (errno). */
int pi_store_restamp(const char *path, const char *uuid);

/* ---- A shard's records during a full build (build.c): appended as documents are written, a
 * later record of the same docid replacing an earlier one. ---- */
typedef struct pi_store_run pi_store_run;
int pi_store_run_open(const char *path, pi_store_run **out);
int pi_store_run_add(pi_store_run *r, unsigned docid, const pi_store_rec *rec);
int pi_store_run_flush(pi_store_run *r);
void pi_store_run_close(pi_store_run *r);
/* Adds the run's last record of every docid in docids (ascending) to w, as docid + offset.
 * Returns 0, -1 a docid without a record or a damaged run (errno EINVAL), -2, -3. */
int pi_store_run_copy(const char *path, const unsigned *docids, size_t n, unsigned offset,
                      pi_store_writer *w);

#endif
