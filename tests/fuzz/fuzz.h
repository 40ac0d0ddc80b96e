/*
 * fuzz.h - what the libFuzzer targets of tests/fuzz share (doc/fuzzing.md). Each target defines
 * LLVMFuzzerTestOneInput; built with --enable-fuzzing it links libFuzzer's main, otherwise
 * replay.c's, which runs saved inputs (the seeds and tests/fuzz/regressions) under make check.
 *
 * A target fails by abort() with a message on stderr: libFuzzer, ASan and the replay all report
 * that as a crash with the input that caused it.
 */
#ifndef PI_FUZZ_H
#define PI_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Prints "fuzz: <message>" and aborts. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Is s[0..n) valid UTF-8? */
int fuzz_utf8(const char *s, size_t n);

/* Checks what every reader of a release relies on (doc/fuzzing.md, "What the targets check"):
 * an id, valid UTF-8 everywhere, a checked date, at least one non-empty paragraph. */
void fuzz_check_release(const pressindex_release *r);

/* One input as a file of lines; the user of fuzz_check_problem. */
typedef struct fuzz_input {
    const char *name;
    unsigned long lines;
} fuzz_input;
void fuzz_input_init(fuzz_input *in, const char *name, const uint8_t *data, size_t size);

/* A pressindex_problem_fn (user: a fuzz_input): a problem is one line of valid UTF-8 (problems
 * reach terminals, logs and other languages' strings) naming the file and, when given, one of its
 * lines. */
void fuzz_check_problem(void *user, const char *file, unsigned long line, const char *msg);

/* A read-only index of fixtures/releases, built on first use in a temporary folder (in TMPDIR)
 * that is removed at exit, not after a crash (the query and highlighting targets compile against
 * it). Aborts on failure. */
pressindex *fuzz_index(void);

#endif
