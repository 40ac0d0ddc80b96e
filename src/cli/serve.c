/* serve.c - pressindex serve: the HTTP server, on libmicrohttpd. A fixed pool of worker threads
 * (MHD's thread pool) answers the connections; each worker keeps its own read-only index handle,
 * so searches run in parallel without sharing one (pressindex.h, Threads), and each search sees the
 * index's latest commit or compaction by itself (the library reopens a reader whose database was
 * swapped). Requests are bounded before any work (serve.h); the endpoints are serve_api.c's.
 * SIGTERM or SIGINT: stop accepting, let the requests in progress finish, exit 0. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "serve.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define MAX_THREADS 64
#define CONNECTION_TIMEOUT 30      /* seconds of silence before a connection is dropped */
#define CONNECTIONS_PER_THREAD 32  /* open connections, all workers together: threads x this */
#define CONNECTION_MEMORY (32 * 1024) /* per connection: request line and headers must fit */
#define SHUTDOWN_GRACE 10          /* seconds the requests in progress get to finish */

/* ---- one index handle per worker thread */

static pthread_key_t worker_key;

static void worker_destroy(void *idx)
{
    pressindex_destroy(idx);
}

pressindex *serve_worker_index(const serve_config *cfg, pressindex_status *st, const char **msg)
{
    pressindex *idx = pthread_getspecific(worker_key);
    if (idx)
        return idx;
    *st = pressindex_open(cfg->db, NULL, &idx);
    if (*st != PRESSINDEX_OK) {
        *msg = pressindex_open_error();
        return NULL;
    }
    if (pthread_setspecific(worker_key, idx) != 0) {
        pressindex_destroy(idx);
        *st = PRESSINDEX_ERR_NO_MEMORY;
        *msg = "out of memory";
        return NULL;
    }
    return idx;
}

void serve_worker_reset(void)
{
    pressindex *idx = pthread_getspecific(worker_key);
    pthread_setspecific(worker_key, NULL);
    pressindex_destroy(idx);
}

/* ---- requests */

typedef struct params {
    serve_param p[SERVE_MAX_PARAMS];
    size_t n;
    size_t bytes;    /* keys and values, decoded */
    int too_many;
} params;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                               const char *value, size_t value_size)
{
    (void)kind;
    params *ps = cls;
    ps->bytes += key_size + 1 + value_size + 1;
    if (ps->n == SERVE_MAX_PARAMS) {
        ps->too_many = 1;
        return MHD_NO;
    }
    ps->p[ps->n++] = (serve_param){key, value, key_size, value ? value_size : 0};
    return MHD_YES;
}

static void add_headers(struct MHD_Response *r, const serve_reply *rep)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rep->type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, rep->page ? "no-cache" : "no-store");
    if (rep->disposition)
        MHD_add_response_header(r, "Content-Disposition", rep->disposition);
    /* The page runs only its own script and style, talks only to this server, and is never framed:
     * were a release's text ever to slip through as markup, it could still run nothing. */
    MHD_add_response_header(r, "Content-Security-Policy",
                            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                            "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
}

static enum MHD_Result send_reply(struct MHD_Connection *c, serve_reply *rep, const char *method,
                                  const char *url)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        rep->len, rep->body, rep->body_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
    if (!r) {
        if (!rep->body_static)
            free(rep->body);
        return MHD_NO;
    }
    add_headers(r, rep);
    if (rep->status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, "Allow", "GET, HEAD");
    /* The operator sees what went wrong on the server's side; quiet otherwise. */
    if (rep->status >= 500)
        fprintf(stderr, "%s: %s %.200s: %u %.*s\n", cli_prog, method, url, rep->status,
                (int)(rep->len < 300 ? rep->len : 300), rep->body);
    enum MHD_Result ret = MHD_queue_response(c, rep->status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Requests being answered: shutdown waits for them. */
static _Atomic int in_flight;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)req_cls;
    const serve_config *cfg = cls;
    serve_reply rep = {0};
    if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
        /* Read-only: nothing here changes the index, whatever the method. */
        serve_error(&rep, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD: the server is read-only");
        return send_reply(c, &rep, method, url);
    }
    params ps = {0};
    MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect, &ps);
    size_t url_len = strlen(url);
    if (url_len + ps.bytes > SERVE_MAX_TARGET)
        serve_error(&rep, MHD_HTTP_URI_TOO_LONG, "the request is too long: at most 8192 bytes of path and parameters");
    else if (ps.too_many)
        serve_error(&rep, MHD_HTTP_BAD_REQUEST, "too many parameters: at most 32");
    else {
        serve_request rq = {method, url, ps.p, ps.n};
        in_flight++;
        serve_handle(cfg, &rq, &rep);
        enum MHD_Result r = send_reply(c, &rep, method, url);
        in_flight--;
        return r;
    }
    return send_reply(c, &rep, method, url);
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Percent-decoding of the path and of each parameter, in place (MHD has turned '+' into spaces
 * in the parameters already). MHD's own would decode %00 into a NUL that silently ends the C
 * string ("/api/search%00x" would read as "/api/search"); here it becomes C0 80, the overlong
 * form of NUL, which is no valid UTF-8: a parameter holding it is refused (serve_api.c), a path
 * holding it matches no endpoint. A '%' not followed by two hex digits stays as it is. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    char *w = s;
    for (const char *r = s; *r;) {
        int hi = r[0] == '%' ? hex(r[1]) : -1, lo = hi >= 0 ? hex(r[2]) : -1;
        if (lo < 0) {
            *w++ = *r++;
            continue;
        }
        int v = hi * 16 + lo;
        if (v) {
            *w++ = (char)v;
        } else {
            *w++ = (char)0xC0;
            *w++ = (char)0x80;
        }
        r += 3;
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* MHD's own messages (it answers a request line or headers past the connection's memory with 414
 * or 431 by itself), under our name. */
static int log_quiet; /* while starting: our own message says why it failed ("port 0" would mislead) */

static void on_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (log_quiet)
        return;
    fprintf(stderr, "%s: serve: ", cli_prog);
    vfprintf(stderr, fmt, ap);
}

/* ---- the command */

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: pressindex serve [--db PATH] [--listen ADDR:PORT] [OPTIONS]\n"
            "Serves the index read-only over HTTP: a search page at / and a JSON API under /api/\n"
            "(search, search.csv, release, stats, health; pressindex(1), SERVE).\n"
            "\n"
            "  --db PATH           the index\n"
            "  --listen ADDR:PORT  where to listen (default " DEFAULT_LISTEN "; [::1]:PORT for IPv6;\n"
            "                      port 0: any free port). Only a loopback address keeps the index\n"
            "                      to this machine: any other lets everyone who can reach it search\n"
            "  --threads N         worker threads, each with its own index handle (default: the\n"
            "                      number of processors, at least 2)\n"
            "  --time-limit S      seconds a search may take before it is answered 503 (default %g;\n"
            "                      0: none)\n"
            "  -h, --help          show this help\n"
            "\n"
            "The first line on standard output is the address it listens on (http://ADDR:PORT/).\n"
            "SIGTERM or SIGINT stops it cleanly (requests in progress finish): exit 0.\n"
            "Exit status: 0 stopped by a signal, 64 usage error, 66 no index, 69 cannot listen\n"
            "there (address in use, or not this machine's), 71 out of resources.\n",
            SERVE_DEFAULT_TIME_LIMIT);
}

/* ADDR:PORT, [V6ADDR]:PORT or PORT alone (loopback). Returns 0, or -1. */
static int parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len, int *v6)
{
    char host[256];
    const char *colon = strrchr(s, ':');
    const char *port_s = colon ? colon + 1 : s;
    if (colon) {
        size_t hl = (size_t)(colon - s);
        if (hl >= sizeof host)
            return -1;
        memcpy(host, s, hl);
        host[hl] = '\0';
    } else
        strcpy(host, "127.0.0.1");
    if (!*port_s || strspn(port_s, "0123456789") != strlen(port_s) || strlen(port_s) > 5)
        return -1;
    unsigned long port = strtoul(port_s, NULL, 10);
    if (port > 65535)
        return -1;
    memset(ss, 0, sizeof *ss);
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((unsigned short)port);
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
            return -1;
        *len = sizeof *a;
        *v6 = 1;
        return 0;
    }
    struct sockaddr_in *a = (struct sockaddr_in *)ss;
    a->sin_family = AF_INET;
    a->sin_port = htons((unsigned short)port);
    if (!strcmp(host, "localhost"))
        strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
        return -1;
    *len = sizeof *a;
    *v6 = 0;
    return 0;
}

static int is_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
    return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 2 ? 2 : n > 16 ? 16 : (int)n;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},
        {"time-limit", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char *db = NULL;
    const char *listen_at = DEFAULT_LISTEN;
    int threads = default_threads(), c, rc = -1;
    serve_config cfg = {NULL, SERVE_DEFAULT_TIME_LIMIT};
    while (rc < 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'd': free(db); db = strdup(optarg); break;
        case 'l': listen_at = optarg; break;
        case 't': {
            long n = strtol(optarg, &end, 10);
            if (*end || end == optarg || n < 1 || n > MAX_THREADS) {
                cli_error("--threads wants a number from 1 to %d, not '%s'", MAX_THREADS, optarg);
                rc = EX_USAGE;
            }
            threads = (int)n;
            break;
        }
        case 'T':
            cfg.time_limit = strtod(optarg, &end);
            if (*end || end == optarg || !(cfg.time_limit >= 0) || isinf(cfg.time_limit)) {
                cli_error("--time-limit wants seconds (a number >= 0; 0: none), not '%s'", optarg);
                rc = EX_USAGE;
            }
            break;
        case 'h': usage(stdout); rc = EX_OK; break;
        default: usage(stderr); rc = EX_USAGE; break;
        }
    }
    if (rc < 0 && optind < argc) {
        cli_error("serve: unexpected argument '%s'", argv[optind]);
        rc = EX_USAGE;
    }
    struct sockaddr_storage addr;
    socklen_t addr_len;
    int v6 = 0;
    if (rc < 0 && parse_listen(listen_at, &addr, &addr_len, &v6) < 0) {
        cli_error("--listen wants ADDR:PORT (127.0.0.1:8080, [::1]:8080; port 0: any free one), not '%s'",
                  listen_at);
        rc = EX_USAGE;
    }
    if (rc >= 0) {
        free(db);
        return rc;
    }
    if (!db)
        db = cli_default_db();
    cfg.db = db;
    /* Open it once now: a wrong path or an old index is said at once, not on the first request. */
    pressindex *probe = NULL;
    if ((rc = cli_open(db, 0, -1, &probe)) != 0) {
        free(db);
        return rc;
    }
    pressindex_destroy(probe);

    /* The signals are taken by sigwait() below: blocked before the workers start, so that they
     * inherit the mask and never run a handler in the middle of a search. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (pthread_key_create(&worker_key, worker_destroy) != 0) {
        cli_error("serve: out of resources (thread key)");
        free(db);
        return EX_OSERR;
    }
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
    log_quiet = 1;
    errno = 0;
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, &cfg,
        MHD_OPTION_EXTERNAL_LOGGER, on_log, NULL, /* first: MHD logs the options after it */
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)(threads * CONNECTIONS_PER_THREAD),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
        MHD_OPTION_END);
    int start_errno = errno;
    log_quiet = 0;
    if (!d) {
        errno = start_errno;
        cli_error("serve: cannot listen on %s: %s", listen_at,
                  errno ? strerror(errno) : "address in use or not this machine's");
        pthread_key_delete(worker_key);
        free(db);
        return EX_UNAVAILABLE;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : 0;
    char host[INET6_ADDRSTRLEN];
    if (v6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&addr)->sin6_addr, host, sizeof host);
    else
        inet_ntop(AF_INET, &((struct sockaddr_in *)&addr)->sin_addr, host, sizeof host);
    printf(v6 ? "http://[%s]:%u/\n" : "http://%s:%u/\n", host, port);
    fflush(stdout);
    if (!is_loopback(&addr))
        fprintf(stderr, "%s: serve: listening on %s, not a loopback address: whoever can reach it can "
                        "search the index\n", cli_prog, listen_at);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    /* Stop accepting; the requests in progress finish (each within its time budget) and their
     * replies go out; idle keep-alive connections are not waited for. */
    MHD_socket lsock = MHD_quiesce_daemon(d);
    for (int waited = 0; in_flight > 0 && waited < SHUTDOWN_GRACE * 20; waited++)
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    MHD_stop_daemon(d); /* joins the workers: their handles are destroyed as they exit */
    if (lsock != MHD_INVALID_SOCKET)
        close(lsock);
    pthread_key_delete(worker_key);
    free(db);
    return EX_OK;
}
