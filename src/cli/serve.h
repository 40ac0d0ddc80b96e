/* serve.h - pressindex serve: the HTTP server (serve.c, on libmicrohttpd) hands each request to the
 * endpoints (serve_api.c) as a path and its decoded query parameters, and sends back the reply
 * they fill in. The endpoints know nothing of HTTP connections; the server knows nothing of
 * searching. The pure text helpers (serve_html.c) have no dependency at all (tests/test_serve.c). */
#ifndef PI_CLI_SERVE_H
#define PI_CLI_SERVE_H

#include <stddef.h>

#include "pressindex.h"

/* Bounds of a request, refused at once (doc/pressindex.1, SERVE). */
#define SERVE_MAX_TARGET 8192   /* bytes of the path and the decoded parameters: past it, 414 */
#define SERVE_MAX_PARAMS 32     /* parameters in one request: past it, 400 */
#define SERVE_MAX_VALUE 4096    /* bytes of one parameter's value: past it, 400 */
#define SERVE_MAX_LIMIT 100     /* results per page of /api/search */
#define SERVE_MAX_CSV_LIMIT 10000 /* rows of /api/search.csv */
#define SERVE_MAX_OFFSET 10000  /* how deep paging goes */
#define SERVE_MAX_CONTEXT 10    /* paragraphs of context around a result */
#define SERVE_MAX_RERANK 1000   /* rerank_depth */
#define SERVE_DEFAULT_TIME_LIMIT 2.0 /* seconds a search may take (DECISIONS round 2): past it, 503 */
#define SERVE_SNIPPET_BYTES 480 /* snippet_html: a window of long paragraphs, as the terminal shows */

typedef struct serve_param {
    const char *key, *value; /* value NULL for "?key" without '=' */
    size_t key_len, value_len;
} serve_param;

typedef struct serve_request {
    const char *method;      /* "GET" or "HEAD" (others never reach the endpoints) */
    const char *path;        /* decoded, without the query string */
    const serve_param *params;
    size_t n_params;
} serve_request;

typedef struct serve_reply {
    unsigned status;         /* HTTP status */
    const char *type;        /* Content-Type */
    const char *disposition; /* Content-Disposition, or NULL */
    char *body;              /* malloc()ed, or static when body_static */
    size_t len;
    int body_static;
    int page;                /* the HTML page or its script or style: its own security headers */
} serve_reply;

/* What every worker shares: set once before the server starts, read-only after. */
typedef struct serve_config {
    const char *db;          /* the index directory */
    double time_limit;       /* per search, seconds (0: none) */
} serve_config;

/* The index handle of the calling worker thread, opened on its first request and kept for the
 * worker's life: NULL when it cannot be opened (then *st and *msg say why). */
pressindex *serve_worker_index(const serve_config *cfg, pressindex_status *st, const char **msg);
/* Drops the calling worker's handle after a failure that a fresh open may mend (a damaged or
 * replaced database): the next request opens the index again. */
void serve_worker_reset(void);

/* Answers one request (serve_api.c). */
void serve_handle(const serve_config *cfg, const serve_request *rq, serve_reply *out);
/* An error reply: {"error": {"status": N, "message": "..."}}, message repaired to valid UTF-8. */
void serve_error(serve_reply *out, unsigned status, const char *message);
/* The HTTP status for a library status. */
unsigned serve_http_status(pressindex_status st);

/* ---- serve_html.c: pure helpers */

/* Is s[0..n) valid UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF)? */
int serve_utf8_valid(const char *s, size_t n);
/* A malloc()ed copy of s[0..n) with each byte that is not part of valid UTF-8 replaced by '?':
 * for messages that quote a query cut at a byte count. NULL when out of memory. */
char *serve_utf8_repair(const char *s, size_t n);
/* Appends to *buf (malloc()ed, *len bytes, *cap allocated) s[0..n) escaped for HTML text and
 * attribute values (& < > " '). Returns 0, or -1 when out of memory (*buf then freed, NULL). */
int serve_html_escape(char **buf, size_t *len, size_t *cap, const char *s, size_t n);
/* text[from..to) of a passage of len bytes as HTML: escaped, each [start, end) highlight of offs
 * (2 * n byte offsets into the whole text, in order) inside <mark>...</mark>, with "… " before
 * and " …" after where the window cuts the text (cli_snippet_window chooses it). Highlights that
 * overlap, run backwards or leave the window are left out. malloc()ed; NULL when out of memory. */
char *serve_snippet_html(const char *text, size_t len, size_t from, size_t to, const size_t *offs,
                         size_t n);

#endif
