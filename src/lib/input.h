/*
 * input.h - bytes in: files, folders, standard input, plain or gzip (through zlib), in the text and
 * JSON Lines formats, turned into releases. Problems are reported through a callback and never stop
 * the reading of other releases.
 */
#ifndef PI_INPUT_H
#define PI_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "pressindex.h"

/* Receives each release read. Returns 0 to go on, non-zero to stop the whole read (that value is
 * then returned by pi_input_read). The release and its strings live only during the call. */
typedef int (*pi_release_fn)(void *ctx, const pressindex_release *release, const char *file,
                             unsigned long line);

/* Called once per input file as it is finished (for the reindex's per-file records). */
typedef int (*pi_file_done_fn)(void *ctx, const char *file);

typedef struct pi_input_options {
    pressindex_format format;
    pressindex_problem_fn on_problem; /* file, line (0 if none), one-line message */
    pi_release_fn on_release;
    void *ctx;                        /* passed to on_release; user of on_problem is problem_user */
    void *problem_user;
    pi_file_done_fn on_file_done;     /* may be NULL; gets ctx; called after each file read to its
                                       * end (problems or not; not for files that cannot be opened);
                                       * non-zero stops the read like on_release */
    const char *file_id;              /* may be NULL; a text file given directly (not a folder), or
                                       * standard input, gets this id instead of its base name (or
                                       * content id), so that reading one file of a folder on its own
                                       * gives it the id a walk of the folder does */
} pi_input_options;

/* How an indexing run reads one of its paths: the caller's format and problem callback, its own
 * on_release(ctx), and the --id of standard input. */
static inline pi_input_options pi_index_input_options(const pressindex_index_options *opts,
                                                      const char *path, pi_release_fn on_release,
                                                      void *ctx)
{
    return (pi_input_options){
        .format = opts->format,
        .on_problem = opts->on_problem,
        .on_release = on_release,
        .ctx = ctx,
        .problem_user = opts->user,
        .file_id = strcmp(path, "-") == 0 ? opts->id : NULL,
    };
}

typedef struct pi_input_stats {
    uint64_t files;
    uint64_t releases;  /* handed to on_release */
    uint64_t skipped;   /* releases or files dropped */
    uint64_t problems;  /* every problem reported, salvaged ones included */
    int no_memory;      /* an allocation failed: the read stopped there, and the caller fails with
                         * PRESSINDEX_ERR_NO_MEMORY (what was read may be incomplete) */
} pi_input_stats;

/*
 * Reads path: a file, a folder (recursively; entries in strcmp order; hidden files and leftovers
 * "*~", ".#*", "*.swp", "*.tmp", "*.part" ignored), or "-" for stdin. The release id of a text
 * file is the folder's name (pi_folder_name), "/" and its path relative to the folder
 * ("akorda/2025/r.txt"); a file given directly: its base name, or opts->file_id; stdin: file_id,
 * else "stdin-" and 16 hex digits of a hash of its bytes (the same text, the same id).
 * Returns 0 when done (problems or not: see stats), -1 if path does not exist or cannot be opened
 * (reported through on_problem too), or the non-zero value an on_release returned.
 * stats may be NULL; it is zeroed first. Format AUTO: ".jsonl", ".ndjson", ".json" (optionally
 * ".gz") are JSON Lines, ".txt" is text, anything else (and stdin) JSON Lines when its first
 * non-blank byte is '{'. Gzip is recognised by its magic bytes, whatever the name. Symbolic links
 * in folders are followed to files only; any other is a problem (skipped).
 */
int pi_input_read(const char *path, const pi_input_options *opts, pi_input_stats *stats);

/* One file found by pi_input_list: its path (the folder argument joined with rel), its path
 * relative to the folder argument (the id a walk gives a text file), and its stat (of the target
 * for a symbolic link). Returns 0 to go on, non-zero to stop the listing. */
typedef int (*pi_list_fn)(void *ctx, const char *path, const char *rel, const struct stat *st);
/* Called for a folder under the argument that cannot be listed (rel ends with '/'; "" for the
 * argument itself), with errno's value: what was under it is unknown, not gone. Also called for a
 * symbolic link that is not followed (rel is the link's own, not ending with '/'; err as
 * pi_input_link_problem() takes it). May be NULL. */
typedef void (*pi_list_error_fn)(void *ctx, const char *path, const char *rel, int err);

/* The one problem line for a symbolic link in a folder that is not followed, in buf: err is EISDIR
 * (to a folder), EINVAL (to something that is not a file) or why stat() failed (ENOENT: broken). */
const char *pi_input_link_problem(int err, char *buf, size_t n);

/*
 * Lists the files pi_input_read would read under the folder dir, in the same order and with the
 * same rules (hidden files and leftovers ignored, symbolic links followed to files only), without
 * opening them. Returns 0 when done, -1 if dir cannot be opened as a folder (errno set), or the
 * non-zero value a callback returned.
 */
int pi_input_list(const char *dir, pi_list_fn on_file, pi_list_error_fn on_error, void *ctx);

/* The absolute, lexically normalised form of a folder argument (malloc()ed; NULL when out of
 * memory): "." and ".." resolved as text, never through a symbolic link, so that an argument names
 * the same folder however it was spelt, whatever the working directory of the run. */
char *pi_folder_key_path(const char *path);
/* The last component of pi_folder_key_path(path) (malloc()ed; NULL when out of memory): the folder
 * part of the ids of the text files under it. "" for "/". */
char *pi_folder_name(const char *path);

/* Reads releases from memory (text or JSON Lines, not gzip), name standing for a file name in
 * messages and as a text release's id. Returns 0, or the non-zero value an on_release returned. */
int pi_input_read_buffer(const char *data, size_t len, const char *name, const pi_input_options *opts,
                         pi_input_stats *stats);

/*
 * Parses a date as press offices write it: "2025-07-30", "July 30, 2025", "30 July 2025",
 * "Jul. 30, 2025" (month names in English, any case). Writes "YYYY-MM-DD" to out[11].
 * Returns 1 for a valid date, 0 for text that is not a date, -1 for a date that cannot exist
 * (2025-13-45, 2024-02-30).
 */
int pi_date_parse(const char *s, size_t n, char out[11]);

/*
 * Copies text with every invalid UTF-8 sequence replaced by U+FFFD into a new malloc()ed,
 * NUL-terminated string *out. Returns the number of replacements, or -1 when out of memory.
 */
long pi_utf8_sanitize(const char *text, size_t len, char **out, size_t *outlen);

/* ---------------------------------------------------------------------------------------------- */
/* The ids of one indexing run (ids.c): a JSON Lines file repeating an id revises it, another input
 * giving it clashes (DECISIONS "Ids"). Zero-initialised; pi_idset_free() after use.              */

typedef struct pi_idset {
    struct pi_idslot *slots;
    size_t cap, n;
    pi_buf names, offsets; /* the files that gave releases: names, and each one's offset */
    uint32_t n_files;
    int in_file;           /* the last release's file is still being read */
} pi_idset;

enum { PI_ID_NEW, PI_ID_REVISION, PI_ID_CLASH };
typedef struct pi_idclaim {
    int kind;
    unsigned prev_passages;  /* REVISION: the passages of the version it replaces */
    const char *first_file;  /* CLASH: where the id came first (lives as long as the set) */
    unsigned long first_line; /* 0 for a text file */
    uint32_t *tag;           /* NEW, REVISION: the caller's word kept with the id (0 when new),
                              * valid until the next claim: the parallel build's shard of it */
} pi_idclaim;

/* The next release read comes from another input (a new argument), even under the same name. */
void pi_idset_next_input(pi_idset *s);
/* Claims id for the release with passages non-empty paragraphs read from file (line: 0 for text):
 * NEW, REVISION (the same file gave it before) or CLASH (another file did: that one stands) in
 * *out. 0, or -1 when out of memory. */
int pi_idset_claim(pi_idset *s, const char *id, const char *file, unsigned long line,
                   unsigned passages, pi_idclaim *out);
/* The one-line problem message of a clash, in buf. */
const char *pi_msg_clash(char *buf, size_t n, const char *id, const pi_idclaim *c);
void pi_idset_free(pi_idset *s);

/* ---------------------------------------------------------------------------------------------- */
/* Internal: shared by input.c (files, folders, gzip), parse_text.c and parse_jsonl.c.             */

#define PI_INPUT_MAX_TEXT ((size_t)64 << 20)     /* a text file bigger than this is skipped */
#define PI_INPUT_MAX_LINE ((size_t)64 << 20)     /* a JSON line longer than this is skipped */
#define PI_INPUT_BIG_PARAGRAPH ((size_t)1 << 20) /* a paragraph bigger than this is reported */

typedef struct pi_reader {
    const pi_input_options *opts;
    pi_input_stats *stats;
    const char **paras; /* scratch array of paragraph pointers, reused across releases */
    size_t paras_cap;
} pi_reader;

/* Reports a problem (counted in stats->problems, and in stats->skipped when skipped is non-zero). */
void pi_input_problem(pi_reader *r, const char *file, unsigned long line, int skipped,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Out of memory while reading: not a problem of the input, and nothing may be skipped for it
 * (a lost release would pass for a bad one). Sets stats->no_memory; returns the stop value. */
int pi_input_no_memory(pi_reader *r);

/* Hands a release to on_release (counted in stats->releases); returns its value. */
int pi_input_deliver(pi_reader *r, const pressindex_release *rel, const char *file,
                     unsigned long line);

/* Makes r->paras hold at least n pointers. 0, or -1 when out of memory. */
int pi_input_reserve_paras(pi_reader *r, size_t n);

/* Length of the longest valid UTF-8 prefix of s (n when all of s is valid). */
size_t pi_utf8_valid_prefix(const char *s, size_t n);

/* The length of s[0..n) cut to at most max bytes without cutting a UTF-8 character in two (s is
 * valid UTF-8): for quoting input in problem messages ("%.*s"). */
size_t pi_utf8_clip(const char *s, size_t n, size_t max);

/* "1 sequence" / "N sequences": the invalid UTF-8 problem message, shared by both formats. */
void pi_input_utf8_problem(pi_reader *r, const char *file, unsigned long line, long replaced);

/* ---------------------------------------------------------------------------------------------- */
/* Repairs shared by the readers and pressindex_add_release(): a release is stored the same and     */
/* reported in the same words whichever way it came in.                                             */

/* The messages (without file, line or release id), written to buf. */
const char *pi_msg_utf8(char *buf, size_t n, long replaced);
const char *pi_msg_nul(char *buf, size_t n, long replaced);
const char *pi_msg_lang(char *buf, size_t n, const char *lang);

/* The release a caller handed in, as it is to be stored: invalid UTF-8 in any string replaced by
 * U+FFFD, an unknown language (see pi_lang_valid) dropped so that the default applies. */
typedef struct pi_repaired {
    pressindex_release rel; /* what to store: the caller's strings, or repaired copies */
    long utf8;              /* invalid UTF-8 sequences replaced, over all its strings */
    const char *bad_lang;   /* the unknown language dropped (repaired), or NULL */
    char *owned[6];         /* the repaired copies of id, date, title, source, url, lang */
    char **paras;           /* repaired copies of paragraphs (NULL where none was needed) */
    const char **plist;     /* rel.paragraphs when a paragraph was repaired */
} pi_repaired;

/* Fills *out from *in. Returns 0, or -1 when out of memory (*out then holds nothing to free).
 * Free with pi_repaired_free() after a 0. */
int pi_release_repair(const pressindex_release *in, pi_repaired *out);
void pi_repaired_free(pi_repaired *r);

/* Parses one whole text file (data[len] must be writable: the buffer holds len + 1 bytes; it is
 * modified in place) and delivers its release with the given id. Returns 0, or what on_release
 * returned when non-zero. */
int pi_parse_text(pi_reader *r, const char *file, const char *id, char *data, size_t len);

/* Parses one JSON line (line is its 1-based number; no newline in text) and delivers its release.
 * Blank lines are ignored. Returns 0, or what on_release returned when non-zero. */
int pi_parse_jsonl_line(pi_reader *r, const char *file, unsigned long line, const char *text,
                        size_t len);

#endif
