/* output.c - standard output, checked; terminal presentation: colour only on a terminal,
 * highlights in bold. */
#define _GNU_SOURCE /* fopencookie: glibc and musl */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"

/* Standard output is a stream of our own over file descriptor 1, so that the first failing write
 * keeps its errno: stdio drops a buffer it could not write, and by the time the command ends the
 * reason is gone. After that first failure nothing more is written (what was written is a prefix
 * of the output, never output with a hole in it). */
static int out_errno;
static FILE *out_stdio; /* stdio's own stdout, put back at the end */

static ssize_t out_write(void *cookie, const char *buf, size_t n)
{
    (void)cookie;
    size_t done = 0;
    while (!out_errno && done < n) {
        ssize_t w = write(STDOUT_FILENO, buf + done, n - done);
        if (w > 0)
            done += (size_t)w;
        else if (w < 0 && errno == EINTR)
            continue;
        else
            out_errno = w < 0 ? errno : EIO;
    }
    return (ssize_t)done; /* short: stdio marks the stream's error */
}

void cli_output_open(void)
{
    /* A closed pipe (| head) is an EPIPE to say nothing about, not a signal that kills. */
    signal(SIGPIPE, SIG_IGN);
    cookie_io_functions_t io = {.write = out_write};
    FILE *f = fopencookie(NULL, "w", io);
    if (!f)
        return; /* stdio's stdout, still checked at the end (without the reason, maybe) */
    /* stdio's own choice for descriptor 1: by line on a terminal, by block otherwise. */
    if (setvbuf(f, NULL, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF, BUFSIZ) != 0) {
        fclose(f);
        return;
    }
    out_stdio = stdout;
    stdout = f; /* glibc documents stdout as a variable that may be assigned */
}

int cli_output_close(int rc)
{
    int failed = 0;
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        failed = 1;
        if (!out_errno)
            out_errno = errno;
    }
    if (out_stdio) {
        FILE *f = stdout;
        stdout = out_stdio;
        out_stdio = NULL;
        if (fclose(f) != 0)
            failed = 1;
    }
    if (!failed)
        return rc;
    /* The reader stopped reading (| head): what it did not read is not an error; the command's
     * own status stands, as ripgrep does. */
    if (out_errno == EPIPE)
        return rc;
    if (out_errno)
        cli_error("writing to standard output: %s", strerror(out_errno));
    else
        cli_error("writing to standard output failed");
    return EX_IOERR;
}

int cli_use_colour(FILE *f)
{
    const char *no = getenv("NO_COLOR"); /* https://no-color.org */
    if (no && *no)
        return 0;
    const char *term = getenv("TERM");
    if (term && !strcmp(term, "dumb"))
        return 0;
    /* Our stdout has no descriptor of its own (see above): it writes to 1. */
    return isatty(f == stdout ? STDOUT_FILENO : fileno(f));
}

void cli_print_highlighted(FILE *f, const char *text, size_t len, const size_t *offs, size_t n,
                           int colour)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        size_t s = offs[2 * i], e = offs[2 * i + 1];
        if (s < at || e > len || s > e)
            continue;
        fwrite(text + at, 1, s - at, f);
        if (colour)
            fputs("\033[1m", f);
        fwrite(text + s, 1, e - s, f);
        if (colour)
            fputs("\033[0m", f);
        at = e;
    }
    fwrite(text + at, 1, len - at, f);
}
