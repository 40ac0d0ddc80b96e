/* cli.h - the pressindex command: shared pieces of its subcommands (public API only). */
#ifndef PI_CLI_H
#define PI_CLI_H

#include <stdio.h>

#include "pressindex.h"

/* Exit statuses (sysexits.h), documented in --help and pressindex(1). */
#define EXIT_FOUND 0
#define EXIT_NOTHING 1

extern const char *cli_prog;

/* The index path: --db, else $PRESSINDEX_DB, else $XDG_DATA_HOME/pressindex, else
 * ~/.local/share/pressindex. Returns a malloc()ed string. */
char *cli_default_db(void);
/* The exit status for a library status. */
int cli_exit_status(pressindex_status st);
/* "pressindex: message" on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The command line of a command that takes only --db PATH, --json and --help (stats, check):
 * *db the index path (malloc()ed), *json the flag. Returns -1 to go on, or the exit status to
 * return with (after --help, or a usage error: printed). */
int cli_db_json_args(int argc, char **argv, const char *name, void (*print_usage)(FILE *), char **db,
                     int *json);
/* Opens the index, printing the error and returning the exit status (0 when opened). */
int cli_open(const char *db, int writable, double lock_timeout, pressindex **out);

/* Standard output, checked: cli_output_open() at the start of main; cli_output_close() at the end
 * flushes, and turns rc into EX_IOERR with one line on stderr if a write to standard output failed
 * (a closed pipe excepted: quiet, rc unchanged). Commands print with stdio as usual. */
void cli_output_open(void);
int cli_output_close(int rc);

/* Output helpers. */
int cli_use_colour(FILE *f);
/* Prints text[0..len) with the given [start, end) pairs in bold when colour is on. */
void cli_print_highlighted(FILE *f, const char *text, size_t len, const size_t *offs, size_t n,
                           int colour);

/* Does the query hold anything to search: a letter or digit of any script, not only spaces,
 * punctuation and symbols (emoji included)? Filters (date:, source:) hold letters: they count. */
int cli_query_has_word(const char *query);
/* Do the options filter by source or date (then a query with no word lists what they let through)? */
int cli_search_has_filter(const pressindex_search_options *so);

/* search --batch (batch.c): a query per line of file ("-": standard input), each searched with the
 * options so (its query replaced), written through printer p. Returns the exit status: 65 if a
 * line was malformed (named on stderr, file:line:), else 75 if one ran out of time, else 0 if a
 * query found something, else 1; a failure of the index or of reading stops it with its own. */
struct cli_printer;
int cli_batch_run(pressindex *idx, const pressindex_search_options *so, const char *file,
                  struct cli_printer *p);
/* A batch shows this many passages per query unless --limit says otherwise. */
#define CLI_BATCH_LIMIT 3
/* A batch's counts are exact when fewer passages than this match (they are all fetched to count
 * them); above it they are the library's estimates. */
#define CLI_BATCH_EXACT_UP_TO 1000
/* The longest line of a batch file (bytes): longer ones are refused (a query is at most 16 KiB by
 * default), and the file is read with this much memory whatever its size. */
#define CLI_BATCH_MAX_LINE 65536

int cmd_index(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_reindex(int argc, char **argv);
int cmd_compact(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_delete(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_serve(int argc, char **argv); /* serve.c, when built with libmicrohttpd */
int cmd_watch(int argc, char **argv);

#endif
