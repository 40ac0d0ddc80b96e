#include "config.h"
/*
 * input.c - bytes in: files, folders and standard input, plain or gzip (zlib reads both), format
 * detection, bounded reading (a text file whole up to 64 MiB, JSON Lines line by line), problem
 * reporting and UTF-8 repair. The formats themselves are parsed in parse_text.c and parse_jsonl.c.
 */
#include "input.h"
#include "buf.h"
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include <zlib.h>

#define CHUNK ((size_t)1 << 20) /* bytes asked of gzread at a time */

/* ---------------------------------------------------------------------------------------------- */
/* Problems and delivery                                                                           */

void pi_input_problem(pi_reader *r, const char *file, unsigned long line, int skipped,
                      const char *fmt, ...)
{
    r->stats->problems++;
    if (skipped)
        r->stats->skipped++;
    if (!r->opts->on_problem)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* One line: never let a newline from the data through. */
    for (char *c = msg; *c; c++)
        if (*c == '\n' || *c == '\r')
            *c = ' ';
    r->opts->on_problem(r->opts->problem_user, file, line, msg);
}

int pi_input_no_memory(pi_reader *r)
{
    r->stats->no_memory = 1;
    return 1;
}

int pi_input_deliver(pi_reader *r, const pressindex_release *rel, const char *file,
                     unsigned long line)
{
    r->stats->releases++;
    if (!r->opts->on_release)
        return 0;
    return r->opts->on_release(r->opts->ctx, rel, file, line);
}

int pi_input_reserve_paras(pi_reader *r, size_t n)
{
    if (n <= r->paras_cap)
        return 0;
    size_t cap = r->paras_cap ? r->paras_cap : 64;
    while (cap < n)
        cap *= 2;
    const char **p = realloc(r->paras, cap * sizeof *p);
    if (!p)
        return -1;
    r->paras = p;
    r->paras_cap = cap;
    return 0;
}

void pi_input_utf8_problem(pi_reader *r, const char *file, unsigned long line, long replaced)
{
    char msg[64];
    pi_input_problem(r, file, line, 0, "%s", pi_msg_utf8(msg, sizeof msg, replaced));
}

const char *pi_msg_utf8(char *buf, size_t n, long replaced)
{
    snprintf(buf, n, "invalid UTF-8 (%ld sequence%s replaced by U+FFFD)", replaced,
             replaced == 1 ? "" : "s");
    return buf;
}

const char *pi_msg_nul(char *buf, size_t n, long replaced)
{
    if (replaced == 1)
        snprintf(buf, n, "a NUL character replaced by a space");
    else
        snprintf(buf, n, "%ld NUL characters replaced by spaces", replaced);
    return buf;
}

const char *pi_msg_lang(char *buf, size_t n, const char *lang)
{
    /* At most 40 bytes of it, cut on a character boundary, on one line. */
    char shown[41];
    size_t k = strlen(lang);
    if (k > 40)
        k = pi_utf8_valid_prefix(lang, 40);
    memcpy(shown, lang, k);
    shown[k] = '\0';
    for (char *c = shown; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
    snprintf(buf, n, "unknown language \"%s%s\" (not an ISO 639-1 code), indexed in the default "
             "language", shown, k < strlen(lang) ? "..." : "");
    return buf;
}

/* ---------------------------------------------------------------------------------------------- */
/* Repairing a release handed to the library                                                       */

/* A repaired copy of s in *copy when s is not valid UTF-8 (else *copy stays NULL); adds the
 * replacements to *total. -1 when out of memory. */
static int repair_string(const char *s, char **copy, long *total)
{
    *copy = NULL;
    if (!s)
        return 0;
    size_t n = strlen(s);
    if (pi_utf8_valid_prefix(s, n) == n)
        return 0;
    long k = pi_utf8_sanitize(s, n, copy, NULL);
    if (k < 0)
        return -1;
    *total += k;
    return 0;
}

void pi_repaired_free(pi_repaired *r)
{
    for (size_t i = 0; i < 6; i++)
        free(r->owned[i]);
    if (r->paras)
        for (size_t i = 0; i < r->rel.n_paragraphs; i++)
            free(r->paras[i]);
    free(r->paras);
    free(r->plist);
    memset(r, 0, sizeof *r);
}

int pi_release_repair(const pressindex_release *in, pi_repaired *out)
{
    memset(out, 0, sizeof *out);
    out->rel = *in;
    const char **fields[6] = {&out->rel.id,     &out->rel.date, &out->rel.title,
                              &out->rel.source, &out->rel.url,  &out->rel.lang};
    for (size_t i = 0; i < 6; i++) {
        if (repair_string(*fields[i], &out->owned[i], &out->utf8) < 0)
            goto oom;
        if (out->owned[i])
            *fields[i] = out->owned[i];
    }
    for (size_t i = 0; i < in->n_paragraphs; i++) {
        char *copy;
        if (repair_string(in->paragraphs[i], &copy, &out->utf8) < 0)
            goto oom;
        if (!copy)
            continue;
        if (!out->paras) {
            out->paras = calloc(in->n_paragraphs, sizeof *out->paras);
            out->plist = malloc(in->n_paragraphs * sizeof *out->plist);
            if (!out->paras || !out->plist) {
                free(copy);
                goto oom;
            }
            memcpy(out->plist, in->paragraphs, in->n_paragraphs * sizeof *out->plist);
            out->rel.paragraphs = out->plist;
        }
        out->paras[i] = copy;
        out->plist[i] = copy;
    }
    /* The same rule as the readers: an unknown language is no language (the default applies). */
    if (out->rel.lang && *out->rel.lang && !pi_lang_valid(out->rel.lang)) {
        out->bad_lang = out->rel.lang;
        out->rel.lang = NULL;
    }
    return 0;
oom:
    pi_repaired_free(out);
    return -1;
}

/* ---------------------------------------------------------------------------------------------- */
/* UTF-8                                                                                           */

/* Length of the valid sequence at s (n > 0 bytes available), or 0 when it is invalid; *skip is
 * then the length of its maximal subpart, which one U+FFFD replaces (Unicode's recommended
 * practice: a truncated sequence is one replacement, a stray byte is one). */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *skip)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    if (c < 0x80)
        return 1;
    if (c < 0xC2) {
        *skip = 1;
        return 0;
    }
    if (c < 0xE0) {
        need = 1;
    } else if (c < 0xF0) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c < 0xF5) {
        need = 3;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* nothing past U+10FFFF */
    } else {
        *skip = 1;
        return 0;
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *skip = i;
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

size_t pi_utf8_clip(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    /* s[max] is the first byte left out: while it continues a character, that character goes too. */
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

size_t pi_utf8_valid_prefix(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        /* ASCII runs 8 bytes at a time. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= n)
            break;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t skip;
        size_t k = utf8_seq(s + i, n - i, &skip);
        if (!k)
            return i;
        i += k;
    }
    return n;
}

long pi_utf8_sanitize(const char *text, size_t len, char **out, size_t *outlen)
{
    /* Each replacement is at most 3 bytes for at least 1 byte of input. */
    if (len > ((size_t)-1 - 1) / 3)
        return -1;
    char *o = malloc(len * 3 + 1);
    if (!o)
        return -1;
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, j = 0;
    long replaced = 0;
    while (i < len) {
        size_t valid = pi_utf8_valid_prefix((const char *)s + i, len - i);
        memcpy(o + j, s + i, valid);
        i += valid;
        j += valid;
        if (i >= len)
            break;
        size_t skip = 1;
        (void)utf8_seq(s + i, len - i, &skip);
        i += skip;
        memcpy(o + j, "\xEF\xBF\xBD", 3);
        j += 3;
        replaced++;
    }
    o[j] = '\0';
    char *shrunk = realloc(o, j + 1);
    *out = shrunk ? shrunk : o;
    if (outlen)
        *outlen = j;
    return replaced;
}

/* ---------------------------------------------------------------------------------------------- */
/* Reading a file                                                                                  */

typedef struct src {
    gzFile gz;
    char *buf;
    size_t pos, len;
    int eof;
    int zerr;       /* at the end: Z_OK, Z_BUF_ERROR (truncated), Z_ERRNO or another zlib error */
    int sys_errno;  /* with Z_ERRNO */
    char zmsg[160]; /* zlib's message for other errors */
} src;

/* Reads the next chunk into s->buf; returns its length, 0 at the end (or on an error: s->zerr). */
static size_t src_fill(src *s)
{
    s->pos = s->len = 0;
    if (s->eof)
        return 0;
    int n = gzread(s->gz, s->buf, (unsigned)CHUNK);
    if (n > 0) {
        s->len = (size_t)n;
        return s->len;
    }
    s->eof = 1;
    int e = Z_OK;
    const char *m = gzerror(s->gz, &e);
    s->zerr = e;
    if (e == Z_ERRNO)
        s->sys_errno = errno;
    /* gzerror() puts the "path: " (here "<fd:N>: ") in front of zlib's own words. */
    if (m && m[0] == '<') {
        const char *colon = strstr(m, ">: ");
        if (colon)
            m = colon + 3;
    }
    snprintf(s->zmsg, sizeof s->zmsg, "%s", m ? m : "");
    return 0;
}

/* A lower-case-first copy of strerror(e) in buf. */
static const char *errtext(int e, char *buf, size_t n)
{
    snprintf(buf, n, "%s", strerror(e));
    if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
        buf[0] = (char)(buf[0] - 'A' + 'a');
    return buf;
}

/* Reports the end of a source when it was not a clean end of file. Returns 1 if reported. */
static int report_src_error(pi_reader *r, src *s, const char *file, unsigned long after_line,
                            int skipped_text)
{
    char eb[128];
    if (s->zerr == Z_OK || s->zerr == Z_STREAM_END)
        return 0;
    if (skipped_text) {
        if (s->zerr == Z_BUF_ERROR)
            pi_input_problem(r, file, 0, 1, "truncated gzip: unexpected end of data, skipped");
        else if (s->zerr == Z_ERRNO)
            pi_input_problem(r, file, 0, 1, "read error: %s, skipped",
                             errtext(s->sys_errno, eb, sizeof eb));
        else
            pi_input_problem(r, file, 0, 1, "corrupt gzip (%s), skipped", s->zmsg);
        return 1;
    }
    if (s->zerr == Z_BUF_ERROR)
        pi_input_problem(r, file, 0, 0, "truncated gzip: unexpected end of data after line %lu",
                         after_line);
    else if (s->zerr == Z_ERRNO)
        pi_input_problem(r, file, 0, 1, "read error after line %lu: %s, rest of file skipped",
                         after_line, errtext(s->sys_errno, eb, sizeof eb));
    else
        pi_input_problem(r, file, 0, 1, "corrupt gzip (%s) after line %lu, rest of file skipped",
                         s->zmsg, after_line);
    return 1;
}

static int read_text(pi_reader *r, src *s, const char *file, const char *id)
{
    pi_buf b = {0};
    int too_big = 0;
    if (pi_buf_add(&b, s->buf + s->pos, s->len - s->pos) < 0)
        goto oom;
    while (!s->eof) {
        if (b.len > PI_INPUT_MAX_TEXT) {
            too_big = 1;
            break;
        }
        if (pi_buf_reserve(&b, CHUNK) < 0)
            goto oom;
        int n = gzread(s->gz, b.p + b.len, (unsigned)CHUNK);
        if (n > 0) {
            b.len += (size_t)n;
            b.p[b.len] = '\0';
            continue;
        }
        /* Let src_fill record the end (it reads nothing more: the stream is at its end). */
        src_fill(s);
    }
    if (too_big || b.len > PI_INPUT_MAX_TEXT) {
        pi_buf_free(&b);
        pi_input_problem(r, file, 0, 1, "file is larger than 64 MiB, skipped");
        return 0;
    }
    if (report_src_error(r, s, file, 0, 1)) {
        pi_buf_free(&b);
        return 0;
    }
    if (pi_buf_reserve(&b, 1) < 0) /* b.p exists even for an empty file */
        goto oom;
    char content_id[32];
    if (!id) {
        /* Standard input has no name: an id from its bytes, so that two different pipes never
         * replace each other and the same text piped again replaces itself. */
        snprintf(content_id, sizeof content_id, "stdin-%016llx",
                 (unsigned long long)XXH3_64bits(b.p, b.len));
        id = content_id;
    }
    int rc = pi_parse_text(r, file, id, b.p, b.len);
    pi_buf_free(&b);
    return rc;
oom:
    pi_buf_free(&b);
    return pi_input_no_memory(r);
}

/* A JSON Lines file that gave neither a release nor a problem held nothing but blank lines: named
 * like an empty text file (DECISIONS, "Empty inputs"), not passed over in silence. */
static void jsonl_empty_check(pi_reader *r, const char *file, uint64_t seen_before)
{
    if (!r->stats->no_memory && r->stats->releases + r->stats->problems == seen_before)
        pi_input_problem(r, file, 0, 1, "empty file, skipped");
}

static int read_jsonl(pi_reader *r, src *s, const char *file)
{
    const uint64_t seen_before = r->stats->releases + r->stats->problems;
    pi_buf acc = {0};
    unsigned long line = 0;  /* complete lines seen */
    int discarding = 0;      /* inside a line over the limit */
    int partial = 0;         /* bytes of an unfinished line are pending (in acc or discarded) */
    int rc = 0;

    for (;;) {
        if (s->pos >= s->len && !src_fill(s))
            break;
        char *p = s->buf + s->pos, *end = s->buf + s->len;
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            partial = 1;
            if (!discarding) {
                if (acc.len + (size_t)(end - p) > PI_INPUT_MAX_LINE) {
                    discarding = 1;
                    pi_buf_free(&acc);
                    pi_input_problem(r, file, line + 1, 1, "line is longer than 64 MiB, skipped");
                } else if (pi_buf_add(&acc, p, (size_t)(end - p)) < 0) {
                    rc = pi_input_no_memory(r);
                    goto done;
                }
            }
            s->pos = s->len;
            continue;
        }
        line++;
        s->pos = (size_t)(nl + 1 - s->buf);
        partial = 0;
        if (discarding) {
            discarding = 0;
            continue;
        }
        if (acc.len == 0) {
            rc = pi_parse_jsonl_line(r, file, line, p, (size_t)(nl - p));
        } else {
            if (acc.len + (size_t)(nl - p) > PI_INPUT_MAX_LINE) {
                pi_buf_free(&acc);
                pi_input_problem(r, file, line, 1, "line is longer than 64 MiB, skipped");
                continue;
            }
            if (pi_buf_add(&acc, p, (size_t)(nl - p)) < 0) {
                rc = pi_input_no_memory(r);
                goto done;
            }
            rc = pi_parse_jsonl_line(r, file, line, acc.p, acc.len);
            pi_buf_clear(&acc);
        }
        if (rc)
            goto done;
    }
    if (s->zerr != Z_OK && s->zerr != Z_STREAM_END) {
        /* The unfinished last line is cut short: it is dropped with the one report. */
        report_src_error(r, s, file, line, 0);
        if (partial && !discarding && s->zerr == Z_BUF_ERROR) {
            size_t i = 0;
            while (i < acc.len && (acc.p[i] == ' ' || acc.p[i] == '\t' || acc.p[i] == '\r'))
                i++;
            if (i < acc.len)
                r->stats->skipped++;
        }
    } else if (partial && !discarding && acc.len) {
        rc = pi_parse_jsonl_line(r, file, line + 1, acc.p, acc.len);
    }
    if (rc == 0)
        jsonl_empty_check(r, file, seen_before);
done:
    pi_buf_free(&acc);
    return rc;
}

/* The format a file name says, or AUTO when it says nothing. */
static pressindex_format format_by_name(const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    size_t n = strlen(base);
    if (n > 3 && strcasecmp(base + n - 3, ".gz") == 0)
        n -= 3;
    static const char *const jsonl[] = {".jsonl", ".ndjson", ".json"};
    for (size_t i = 0; i < sizeof jsonl / sizeof *jsonl; i++) {
        size_t k = strlen(jsonl[i]);
        if (n > k && strncasecmp(base + n - k, jsonl[i], k) == 0)
            return PRESSINDEX_FORMAT_JSONL;
    }
    if (n > 4 && strncasecmp(base + n - 4, ".txt", 4) == 0)
        return PRESSINDEX_FORMAT_TEXT;
    return PRESSINDEX_FORMAT_AUTO;
}

/* The format: the caller's, else the name's, else by content (the first non-blank byte after a
 * BOM is '{' for JSON Lines). name may be NULL (stdin). */
static pressindex_format detect_format(pressindex_format fmt, const char *name, const char *head,
                                       size_t len)
{
    if (fmt == PRESSINDEX_FORMAT_AUTO && name)
        fmt = format_by_name(name);
    if (fmt != PRESSINDEX_FORMAT_AUTO)
        return fmt;
    size_t i = len >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n' ||
                       head[i] == '\f' || head[i] == '\v'))
        i++;
    return i < len && head[i] == '{' ? PRESSINDEX_FORMAT_JSONL : PRESSINDEX_FORMAT_TEXT;
}

/* Reads an open descriptor (closed here). Returns 0 or a stop value from a callback. */
static int read_fd(pi_reader *r, int fd, const char *file, const char *id)
{
    src s;
    memset(&s, 0, sizeof s);
    s.gz = gzdopen(fd, "rb");
    s.buf = malloc(CHUNK);
    if (!s.gz || !s.buf) {
        if (s.gz)
            gzclose(s.gz);
        else
            close(fd);
        free(s.buf);
        return pi_input_no_memory(r);
    }
    gzbuffer(s.gz, 256 * 1024);
    r->stats->files++;

    src_fill(&s);
    pressindex_format fmt = detect_format(r->opts->format, strcmp(file, "-") ? file : NULL,
                                          s.buf, s.len);
    int rc;
    if (fmt == PRESSINDEX_FORMAT_JSONL)
        rc = read_jsonl(r, &s, file);
    else
        rc = read_text(r, &s, file, id);
    gzclose(s.gz);
    free(s.buf);
    if (!rc && r->opts->on_file_done)
        rc = r->opts->on_file_done(r->opts->ctx, file);
    return rc;
}

/* Opens and reads one file. Returns 0 or a stop value; *failed is set when it cannot be opened
 * (reported; skipped counts it when count_skip). */
static int read_path(pi_reader *r, const char *file, const char *id, int count_skip, int *failed)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    *failed = 0;
    if (fd < 0) {
        *failed = 1;
        char eb[128];
        if (count_skip)
            pi_input_problem(r, file, 0, 1, "cannot open: %s, skipped", errtext(errno, eb, sizeof eb));
        else
            pi_input_problem(r, file, 0, 0, "%s", errtext(errno, eb, sizeof eb));
        return 0;
    }
    return read_fd(r, fd, file, id);
}

/* ---------------------------------------------------------------------------------------------- */
/* Folders                                                                                         */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

static int ignored_name(const char *name)
{
    return name[0] == '.' || ends_with(name, "~") || ends_with(name, ".swp") ||
           ends_with(name, ".tmp") || ends_with(name, ".part");
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of the open folder d that are not ignored, sorted by strcmp (malloc()ed array of
 * malloc()ed names in *out, count in *n). Returns 0, -1 when out of memory (what was read is
 * kept), or an errno value when the listing stopped early. */
static int read_names(DIR *d, char ***out, size_t *n)
{
    char **names = NULL;
    size_t cap = 0;
    int rc = 0;
    struct dirent *e;
    *n = 0;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (ignored_name(e->d_name))
            continue;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 32;
            char **nn = realloc(names, nc * sizeof *nn);
            if (!nn) {
                rc = -1;
                break;
            }
            names = nn;
            cap = nc;
        }
        if (!(names[*n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        (*n)++;
        errno = 0;
    }
    if (rc == 0 && errno)
        rc = errno;
    if (*n)
        qsort(names, *n, sizeof *names, cmp_names);
    *out = names;
    return rc;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* What can go wrong while walking a folder, for the walker's owner to judge. */
typedef enum walk_trouble {
    WALK_OPEN,      /* the folder cannot be opened: it is skipped */
    WALK_PARTIAL,   /* only part of it could be listed (err: errno, or ENOMEM) */
    WALK_NOMEM,     /* no memory for an entry's path: that entry (name) is skipped */
    WALK_LINK       /* a symbolic link not followed (dir: its path; err as pi_input_link_problem) */
} walk_trouble;

const char *pi_input_link_problem(int err, char *buf, size_t n)
{
    char eb[128];
    switch (err) {
    case EISDIR:
        /* Never followed: a link could make a folder's releases appear twice, or loop. */
        snprintf(buf, n, "symbolic link to a folder, not followed (give the folder as an argument "
                         "of its own), skipped");
        break;
    case ENOENT:
        snprintf(buf, n, "broken symbolic link (its target does not exist), skipped");
        break;
    case EINVAL:
        snprintf(buf, n, "symbolic link to something that is not a file, skipped");
        break;
    default:
        snprintf(buf, n, "symbolic link that cannot be followed (%s), skipped", errtext(err, eb, sizeof eb));
    }
    return buf;
}

/* One walk for reading (index) and for listing (reindex): the same order, ignore rules and symlink
 * rules, so the two can never disagree on what a folder holds. */
typedef struct walker {
    /* A regular file (or a symlink to one): path, id relative to the walk's root, its stat. */
    int (*on_file)(struct walker *w, const char *path, const char *rel, const struct stat *st);
    /* Returns 1 to skip the rest of this folder (only asked for WALK_PARTIAL), else 0. */
    int (*on_trouble)(struct walker *w, walk_trouble t, const char *dir, const char *rel, int err,
                      const char *name);
} walker;

/* An entry's status: looked up in its open folder d (one path component for the kernel to resolve,
 * not the whole path for every file of a large folder), or by path when d is NULL. */
static int stat_entry(DIR *d, const char *path, const char *name, struct stat *st, int follow)
{
    if (d)
        return fstatat(dirfd(d), name, st, follow ? 0 : AT_SYMLINK_NOFOLLOW);
    return follow ? stat(path, st) : lstat(path, st);
}

static int walk_dir(walker *w, const char *dir, const char *rel)
{
    DIR *d = opendir(dir);
    if (!d) {
        w->on_trouble(w, WALK_OPEN, dir, rel, errno, NULL);
        return 0;
    }
    char **names = NULL;
    size_t n = 0;
    int lr = read_names(d, &names, &n);
    if (lr != 0 && w->on_trouble(w, WALK_PARTIAL, dir, rel, lr < 0 ? ENOMEM : lr, NULL)) {
        closedir(d);
        free_names(names, n);
        return 0;
    }
    int rc = 0;
    size_t dlen = strlen(dir);
    int slash = dlen > 0 && dir[dlen - 1] == '/';
    pi_buf path = {0}, id = {0};
    for (size_t i = 0; i < n && !rc; i++) {
        pi_buf_clear(&path);
        pi_buf_clear(&id);
        if (pi_buf_printf(&path, "%s%s%s", dir, slash ? "" : "/", names[i]) < 0 ||
            pi_buf_printf(&id, "%s%s", rel, names[i]) < 0) {
            if (w->on_trouble(w, WALK_NOMEM, dir, rel, ENOMEM, names[i]))
                break;
            continue;
        }
        struct stat st;
        if (stat_entry(d, path.p, names[i], &st, 0) < 0)
            continue; /* vanished meanwhile */
        if (S_ISDIR(st.st_mode)) {
            if (pi_buf_addc(&id, '/') < 0) {
                if (w->on_trouble(w, WALK_NOMEM, dir, rel, ENOMEM, names[i]))
                    break;
                continue;
            }
            /* Not one descriptor held per level of a deep tree: the folder is opened again
             * after its subfolder (or its entries are named by path if it cannot be). */
            if (d) {
                closedir(d);
                d = NULL;
            }
            rc = walk_dir(w, path.p, id.p);
            if (!rc && i + 1 < n)
                d = opendir(dir);
        } else if (S_ISLNK(st.st_mode)) {
            /* Symbolic links are followed to files only (never to folders: no loops); any other
             * is named, not passed over. */
            int err = stat_entry(d, path.p, names[i], &st, 1) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR
                      : !S_ISREG(st.st_mode) ? EINVAL : 0;
            if (!err)
                rc = w->on_file(w, path.p, id.p, &st);
            else
                w->on_trouble(w, WALK_LINK, path.p, id.p, err, names[i]);
        } else if (S_ISREG(st.st_mode)) {
            rc = w->on_file(w, path.p, id.p, &st);
        }
    }
    if (d)
        closedir(d);
    pi_buf_free(&path);
    pi_buf_free(&id);
    free_names(names, n);
    return rc;
}

/* Reading: each file is read; troubles are reported as problems and the walk goes on. */
typedef struct reading {
    walker w;
    pi_reader *r;
} reading;

static int reading_file(walker *w, const char *path, const char *rel, const struct stat *st)
{
    (void)st;
    int failed;
    pi_reader *r = ((reading *)w)->r;
    if (r->stats->no_memory)
        return 1; /* a listing ran out of memory: stop */
    return read_path(r, path, rel, 1, &failed);
}

static int reading_trouble(walker *w, walk_trouble t, const char *dir, const char *rel, int err,
                           const char *name)
{
    (void)rel;
    pi_reader *r = ((reading *)w)->r;
    char eb[128];
    if (t == WALK_OPEN)
        pi_input_problem(r, dir, 0, 1, "cannot open folder: %s, skipped", errtext(err, eb, sizeof eb));
    else if (t == WALK_PARTIAL && err != ENOMEM)
        pi_input_problem(r, dir, 0, 0, "cannot list folder entirely: %s", errtext(err, eb, sizeof eb));
    else if (t == WALK_LINK)
        pi_input_problem(r, dir, 0, 1, "%s", pi_input_link_problem(err, eb, sizeof eb));
    else
        return pi_input_no_memory(r); /* (name) */
    return 0; /* index what can be read */
}

/* Walks dir (its display path) whose entries get ids rel + name. Returns 0 or a stop value. */
static int walk(pi_reader *r, const char *dir, const char *rel)
{
    reading rd = {{reading_file, reading_trouble}, r};
    return walk_dir(&rd.w, dir, rel);
}

/* Listing (pi_input_list): any trouble makes the folder unknown, never "empty". */
typedef struct listing {
    walker w;
    pi_list_fn on_file;
    pi_list_error_fn on_error;
    void *ctx;
} listing;

static int listing_file(walker *w, const char *path, const char *rel, const struct stat *st)
{
    listing *l = (listing *)w;
    return l->on_file(l->ctx, path, rel, st);
}

static int listing_trouble(walker *w, walk_trouble t, const char *dir, const char *rel, int err,
                           const char *name)
{
    (void)name;
    listing *l = (listing *)w;
    if (l->on_error)
        l->on_error(l->ctx, dir, rel, err);
    /* A partial listing must not pass for the whole folder; after no memory, stop this folder. */
    return t != WALK_OPEN && t != WALK_LINK;
}

int pi_input_list(const char *dir, pi_list_fn on_file, pi_list_error_fn on_error, void *ctx)
{
    struct stat st;
    if (!dir || !on_file) {
        errno = EINVAL;
        return -1;
    }
    if (stat(dir, &st) < 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    closedir(d);
    listing l = {{listing_file, listing_trouble}, on_file, on_error, ctx};
    return walk_dir(&l.w, dir, "");
}

/* ---------------------------------------------------------------------------------------------- */
/* Folder arguments                                                                                */

char *pi_folder_key_path(const char *path)
{
    pi_buf in = {0}, out = {0};
    char cwd[PATH_MAX];
    if (path[0] != '/') {
        if (!getcwd(cwd, sizeof cwd))
            snprintf(cwd, sizeof cwd, ".");
        if (pi_buf_printf(&in, "%s/", cwd) < 0)
            goto oom;
    }
    if (pi_buf_adds(&in, path) < 0 || pi_buf_reserve(&out, in.len + 1) < 0)
        goto oom;
    /* Components one by one: "" and "." dropped, ".." takes the last one off (lexically: a
     * folder argument names the same records however it was spelt). */
    for (char *s = in.p; *s;) {
        char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 2 && s[0] == '.' && s[1] == '.') {
            char *slash = strrchr(out.p ? out.p : "", '/');
            if (slash)
                out.len = (size_t)(slash - out.p);
            out.p[out.len] = '\0';
        } else if (n && !(n == 1 && s[0] == '.')) {
            pi_buf_addc(&out, '/');
            pi_buf_add(&out, s, n);
        }
        s += n;
        while (*s == '/')
            s++;
    }
    if (out.len == 0)
        pi_buf_addc(&out, '/');
    pi_buf_free(&in);
    return pi_buf_steal(&out);
oom:
    pi_buf_free(&in);
    pi_buf_free(&out);
    return NULL;
}

char *pi_folder_name(const char *path)
{
    char *abs = pi_folder_key_path(path);
    if (!abs)
        return NULL;
    /* "/" has no last component: "" makes its files' ids their absolute paths ("/srv/x.txt"). */
    const char *last = strrchr(abs, '/') + 1;
    memmove(abs, last, strlen(last) + 1);
    return abs;
}

/* ---------------------------------------------------------------------------------------------- */

int pi_input_read(const char *path, const pi_input_options *opts, pi_input_stats *stats)
{
    pi_input_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    pi_reader r = {opts, stats, NULL, 0};
    int rc;

    if (!path || !opts)
        return -1;
    if (strcmp(path, "-") == 0) {
        int fd = dup(STDIN_FILENO);
        if (fd < 0) {
            char eb[128];
            pi_input_problem(&r, "-", 0, 0, "%s", errtext(errno, eb, sizeof eb));
            return -1;
        }
        rc = read_fd(&r, fd, "-", opts->file_id && *opts->file_id ? opts->file_id : NULL);
    } else {
        struct stat st;
        if (stat(path, &st) < 0) {
            char eb[128];
            pi_input_problem(&r, path, 0, 0, "%s", errtext(errno, eb, sizeof eb));
            return -1;
        }
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(path);
            if (!d) {
                char eb[128];
                pi_input_problem(&r, path, 0, 0, "%s", errtext(errno, eb, sizeof eb));
                return -1;
            }
            closedir(d);
            /* Ids start with the folder's own name, so that two sources' folders never give
             * one id (DECISIONS "Ids"). */
            char *name = pi_folder_name(path);
            pi_buf prefix = {0};
            if (!name || pi_buf_printf(&prefix, "%s/", name) < 0) {
                free(name);
                free(r.paras);
                return pi_input_no_memory(&r);
            }
            free(name);
            rc = walk(&r, path, prefix.p);
            pi_buf_free(&prefix);
        } else {
            /* A file given directly (a pipe or a device too): its base name is the id, unless
             * the caller says which id it has under its folder. */
            const char *base = strrchr(path, '/');
            base = base && base[1] ? base + 1 : path;
            if (opts->file_id && *opts->file_id)
                base = opts->file_id;
            int failed;
            rc = read_path(&r, path, base, 0, &failed);
            if (failed)
                rc = -1;
        }
    }
    free(r.paras);
    return rc;
}

/* ---------------------------------------------------------------------------------------------- */

int pi_input_read_buffer(const char *data, size_t len, const char *name, const pi_input_options *opts,
                         pi_input_stats *stats)
{
    pi_input_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    pi_reader r = {opts, stats, NULL, 0};
    int rc = 0;
    stats->files = 1;
    pressindex_format fmt = detect_format(opts->format, name, data, len);
    if (len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b) {
        pi_input_problem(&r, name, 0, 1, "gzip data in a buffer: decompress it first, skipped");
        return 0;
    }
    if (fmt == PRESSINDEX_FORMAT_TEXT) {
        if (len > PI_INPUT_MAX_TEXT) {
            pi_input_problem(&r, name, 0, 1, "text over %zu MB, skipped", PI_INPUT_MAX_TEXT >> 20);
            return 0;
        }
        char *copy = malloc(len + 1); /* parsed in place */
        if (!copy)
            return pi_input_no_memory(&r);
        memcpy(copy, data, len);
        copy[len] = '\0';
        rc = pi_parse_text(&r, name, name, copy, len);
        free(copy);
    } else {
        const uint64_t seen_before = r.stats->releases + r.stats->problems;
        unsigned long line = 0;
        size_t start = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        for (size_t at = start; at < len && rc == 0;) {
            const char *nl = memchr(data + at, '\n', len - at);
            size_t end = nl ? (size_t)(nl - data) : len, n = end - at;
            if (n && data[at + n - 1] == '\r')
                n--;
            rc = pi_parse_jsonl_line(&r, name, ++line, data + at, n);
            at = end + 1;
        }
        if (rc == 0)
            jsonl_empty_check(&r, name, seen_before);
    }
    free(r.paras);
    return rc;
}
