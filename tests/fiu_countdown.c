/*
 * fiu_countdown.c - a preload library for tests/faults-io.sh, next to libfiu's: the failure points
 * named in PI_FIU_POINTS (comma-separated, e.g. "posix/io/rw/write,posix/io/rw/pwrite") fail from
 * their PI_FIU_AFTER-th call on (all of them counted together; 0: never, only count), with errno
 * PI_FIU_ERRNO (libfiu's failinfo). At exit the number of calls goes to the file PI_FIU_COUNT.
 *
 * libfiu fails a point always or at random; a count makes "in the middle of a build" the same
 * place on every run. It must come first in LD_PRELOAD: its constructor then runs after those of
 * libfiu's preloads, whose wrappers (of malloc too) must be ready before libfiu is called.
 */
#include <fiu-control.h>
#include <fiu.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_long calls;
static long after;

static int countdown(const char *name, int *failnum, void **failinfo, unsigned *flags)
{
    (void)name;
    (void)failnum;
    (void)failinfo;
    (void)flags;
    long n = atomic_fetch_add(&calls, 1) + 1;
    return after > 0 && n >= after;
}

__attribute__((constructor)) static void countdown_init(void)
{
    const char *points = getenv("PI_FIU_POINTS"), *n = getenv("PI_FIU_AFTER");
    const char *e = getenv("PI_FIU_ERRNO");
    if (!points || !n)
        return;
    after = strtol(n, NULL, 10);
    fiu_init(0);
    char name[256];
    for (const char *p = points; *p;) {
        size_t len = strcspn(p, ",");
        if (len > 0 && len < sizeof name) {
            memcpy(name, p, len);
            name[len] = '\0';
            fiu_enable_external(name, 1, (void *)(long)(e ? atoi(e) : 5), 0, countdown);
        }
        p += len + (p[len] == ',');
    }
}

__attribute__((destructor)) static void countdown_fini(void)
{
    const char *path = getenv("PI_FIU_COUNT");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f) {
        fprintf(f, "%ld\n", (long)atomic_load(&calls));
        fclose(f);
    }
}
