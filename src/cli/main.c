/* main.c - the pressindex command: subcommand dispatch, --help, --version, shared helpers. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"

const char *cli_prog = "pressindex";

#if defined PI_SERVE && !defined PI_SERVE_PROGRAM
/* The server is a program of its own, pressindex-serve, run in this process's place with the same
 * arguments: only it loads libmicrohttpd and the TLS libraries that come with it, which took 3 of
 * every 4 cycles of the dynamic loader's work at every start of a search (measured: 5.5 M cycles
 * against 0.5 M without them). It is looked for beside this program first (the build tree, a
 * relocated install), then where make install puts it. */
static int run_serve_program(char **argv)
{
    char self[PATH_MAX], path[PATH_MAX + 32];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char *slash = n > 0 ? (self[n] = '\0', strrchr(self, '/')) : NULL;
    if (slash) {
        snprintf(path, sizeof path, "%.*s/pressindex-serve", (int)(slash - self), self);
        if (access(path, X_OK) == 0)
            execv(path, argv);
    }
    snprintf(path, sizeof path, "%s/pressindex-serve", PI_LIBEXECDIR);
    execv(path, argv);
    cli_error("serve: cannot run %s: %s (make install puts it there)", path, strerror(errno));
    return EX_UNAVAILABLE;
}
#endif

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: pressindex [--db PATH] COMMAND [OPTIONS] [ARGS]\n"
            "Full-text search of press releases, paragraph by paragraph.\n"
            "\n"
            "Commands:\n"
            "  index PATH...      add releases from files or folders (text or JSON Lines, .gz too; - = stdin)\n"
            "  search QUERY...    find the paragraphs that answer QUERY (pressindex search --help)\n"
            "  stats              what the index holds (releases, passages, dates)\n"
            "  reindex FOLDER...  bring the index in step with folders: only what changed (nightly job)\n"
            "  compact            rewrite the index compactly, swapped in while searches go on\n"
            "  show ID            a release's metadata and paragraphs\n"
            "  delete ID...       remove releases\n"
            "  check              is the index healthy? (Xapian's check and pressindex's invariants)\n"
            "  serve              a search page and a JSON API over HTTP, read-only (pressindex serve --help)\n"
            "  watch add|list|rm|run   saved searches: what is new since they last ran (cron)\n"
            "\n"
            "Options:\n"
            "  --db PATH          the index directory (default: $PRESSINDEX_DB, else\n"
            "                     $XDG_DATA_HOME/pressindex, else ~/.local/share/pressindex)\n"
            "  -h, --help         show this help (COMMAND --help: that command's help)\n"
            "  -V, --version      show the version\n"
            "\n"
            "Exit status:\n"
            "  0   success (search: something was found)\n"
            "  1   search found nothing\n"
            "  64  usage error or malformed query (EX_USAGE)\n"
            "  65  input data errors: some input was skipped or repaired; the rest was indexed (EX_DATAERR)\n"
            "  66  the index or an input path does not exist (EX_NOINPUT)\n"
            "  69  the index was written by another version of pressindex (EX_UNAVAILABLE)\n"
            "  70  internal error (EX_SOFTWARE)\n"
            "  71  out of memory (EX_OSERR)\n"
            "  74  I/O error or corrupt index, or the output could not be written (EX_IOERR)\n"
            "  75  the index is locked by another writer: try again later (EX_TEMPFAIL)\n"
            "A closed pipe (| head) is not an error: quiet, and the status the command would have had.\n");
}

char *cli_default_db(void)
{
    const char *e = getenv("PRESSINDEX_DB");
    if (e && *e)
        return strdup(e);
    char buf[4096];
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg)
        snprintf(buf, sizeof buf, "%s/pressindex", xdg);
    else
        snprintf(buf, sizeof buf, "%s/.local/share/pressindex", home && *home ? home : ".");
    return strdup(buf);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", cli_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_exit_status(pressindex_status st)
{
    switch (st) {
    case PRESSINDEX_OK: return EX_OK;
    case PRESSINDEX_ERR_NOT_FOUND: return EX_NOINPUT;
    case PRESSINDEX_ERR_LOCKED: return EX_TEMPFAIL;
    case PRESSINDEX_ERR_CORRUPT: return EX_IOERR;
    case PRESSINDEX_ERR_VERSION: return EX_UNAVAILABLE;
    case PRESSINDEX_ERR_BAD_QUERY: return EX_USAGE;
    case PRESSINDEX_ERR_DATA: return EX_DATAERR;
    case PRESSINDEX_ERR_INVALID_ARGUMENT: return EX_USAGE;
    case PRESSINDEX_ERR_MODIFIED: return EX_TEMPFAIL;
    case PRESSINDEX_ERR_IO: return EX_IOERR;
    case PRESSINDEX_ERR_NO_MEMORY: return EX_OSERR;
    case PRESSINDEX_ERR_LIMIT: return EX_USAGE;
    case PRESSINDEX_ERR_TIMEOUT: return EX_TEMPFAIL;
    default: return EX_SOFTWARE;
    }
}

/* mkdir -p of the index's parent, so the default location works on a fresh account. */
static void make_parents(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return;
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0777);
            *s = '/';
        }
    free(p);
}

int cli_db_json_args(int argc, char **argv, const char *name, void (*print_usage)(FILE *), char **db,
                     int *json)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, rc = -1;
    *db = NULL;
    *json = 0;
    while (rc < 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'd': free(*db); *db = strdup(optarg); break;
        case 'j': *json = 1; break;
        case 'h': print_usage(stdout); rc = EX_OK; break;
        default: print_usage(stderr); rc = EX_USAGE; break;
        }
    }
    if (rc < 0 && optind < argc) {
        cli_error("%s: unexpected argument '%s'", name, argv[optind]);
        rc = EX_USAGE;
    }
    if (rc < 0 && !*db)
        *db = cli_default_db();
    if (rc >= 0) {
        free(*db);
        *db = NULL;
    }
    return rc;
}

int cli_open(const char *db, int writable, double lock_timeout, pressindex **out)
{
    pressindex_open_options o;
    pressindex_open_options_init(&o);
    o.writable = writable;
    o.create = writable;
    if (lock_timeout >= 0)
        o.lock_timeout = lock_timeout;
    if (writable)
        make_parents(db);
    pressindex_status st = pressindex_open(db, &o, out);
    if (st != PRESSINDEX_OK) {
        if (st == PRESSINDEX_ERR_NOT_FOUND && !writable)
            cli_error("%s (build one with: pressindex --db %s index PATH...)", pressindex_open_error(), db);
        else
            cli_error("%s", pressindex_open_error());
        return cli_exit_status(st);
    }
    return 0;
}

/* The global --db may come before the command; a command's own --db overrides it. */
static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c;
    /* '+': stop at the command name; its options are its own. */
    while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (setenv("PRESSINDEX_DB", optarg, 1) != 0) {
                cli_error("cannot set the index path: %s", strerror(errno));
                return EX_OSERR;
            }
            break;
        case 'h':
            usage(stdout);
            return EX_OK;
        case 'V':
            printf("pressindex %s (library %s)\n", PACKAGE_VERSION, pressindex_version());
            return EX_OK;
        default:
            usage(stderr);
            return EX_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return EX_USAGE;
    }
    const char *cmd = argv[optind];
    int sub_argc = argc - optind;
    char **sub_argv = argv + optind;
    optind = 0; /* reset getopt for the subcommand (glibc: 0 re-initialises) */
    if (!strcmp(cmd, "index"))
        return cmd_index(sub_argc, sub_argv);
    if (!strcmp(cmd, "search"))
        return cmd_search(sub_argc, sub_argv);
    if (!strcmp(cmd, "stats"))
        return cmd_stats(sub_argc, sub_argv);
    if (!strcmp(cmd, "reindex"))
        return cmd_reindex(sub_argc, sub_argv);
    if (!strcmp(cmd, "compact"))
        return cmd_compact(sub_argc, sub_argv);
    if (!strcmp(cmd, "show"))
        return cmd_show(sub_argc, sub_argv);
    if (!strcmp(cmd, "delete"))
        return cmd_delete(sub_argc, sub_argv);
    if (!strcmp(cmd, "check"))
        return cmd_check(sub_argc, sub_argv);
    if (!strcmp(cmd, "serve")) {
#if defined PI_SERVE_PROGRAM
        return cmd_serve(sub_argc, sub_argv);
#elif defined PI_SERVE
        return run_serve_program(argv);
#else
        cli_error("serve: this pressindex was built without it (--disable-serve, or configure found no "
                  "libmicrohttpd: apt-get install libmicrohttpd-dev, then configure and make again)");
        return EX_UNAVAILABLE;
#endif
    }
    if (!strcmp(cmd, "watch"))
        return cmd_watch(sub_argc, sub_argv);
    if (!strcmp(cmd, "help")) {
        usage(stdout);
        return EX_OK;
    }
    cli_error("unknown command '%s' (see pressindex --help)", cmd);
    return EX_USAGE;
}

/* A full build merges all its shards at once, some three files open for each (tens of shards for
 * whitehouse ten times over, a few hundred for archives a hundred times larger): the soft limit on
 * open files, often 1,024, is raised to the hard one, as servers do. The library does not touch
 * the process's limits; a merge that runs out of descriptors fails with its reason. */
static void raise_open_files(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

int main(int argc, char **argv)
{
    raise_open_files();
    cli_output_open();
    return cli_output_close(run(argc, argv));
}
