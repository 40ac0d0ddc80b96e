/* csv.h - RFC 4180 records: fields separated by commas, records ended by CRLF, a field quoted when
 * it holds '"', ',', CR or LF (and then each '"' doubled). Bytes pass through unchanged: UTF-8 in,
 * UTF-8 out. No dependency on the rest of the command (tests/test_csv.c builds it alone). */
#ifndef PI_CLI_CSV_H
#define PI_CLI_CSV_H

#include <stddef.h>
#include <stdio.h>

/* Does this field need quotes? (RFC 4180 2.6; a leading or trailing space is kept as it is.) */
int csv_needs_quotes(const char *s, size_t n);

/* Writes s[0..n) as one field, quoted if needed; first = 0 puts the comma before it. */
void csv_field(FILE *f, const char *s, size_t n, int first);
/* The same for a NUL-terminated string (NULL: an empty field). */
void csv_string(FILE *f, const char *s, int first);
/* Ends the record: CRLF, as RFC 4180 2.1 says (Python's csv and spreadsheets read it). */
void csv_end_record(FILE *f);

#endif
