#include "config.h"
/*
 * date.c - dates as press offices write them ("2025-07-30", "July 30, 2025", "30 July 2025",
 * "Jul. 30, 2025", "Sept. 3, 2025"), normalised to "YYYY-MM-DD".
 */
#include "input.h"

#include <string.h>

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

/* Reads 1..maxd digits at *p (< end) into *v; returns the number of digits read (0: none, or more
 * than maxd digits, which is not a date). */
static int read_num(const char **p, const char *end, int maxd, int *v)
{
    const char *s = *p;
    int n = 0, val = 0;
    while (s < end && is_digit(*s)) {
        if (++n > maxd)
            return 0;
        val = val * 10 + (*s - '0');
        s++;
    }
    *p = s;
    *v = val;
    return n;
}

/* A month name at *p: full English name or abbreviation ("Sept" too), any case, optional '.'.
 * Returns 1..12 and advances *p, or 0. */
static int read_month(const char **p, const char *end)
{
    static const char *const names[12] = {"january", "february", "march",     "april",
                                          "may",     "june",     "july",      "august",
                                          "september", "october", "november", "december"};
    char word[16];
    size_t n = 0;
    const char *s = *p;
    while (s < end && is_alpha(*s)) {
        if (n + 1 >= sizeof word)
            return 0;
        word[n++] = lower(*s++);
    }
    word[n] = '\0';
    if (n < 3)
        return 0;
    int month = 0;
    for (int i = 0; i < 12 && !month; i++) {
        if (strcmp(word, names[i]) == 0)
            month = i + 1;
        else if (n == 3 && strncmp(word, names[i], 3) == 0)
            month = i + 1;
    }
    if (!month && strcmp(word, "sept") == 0)
        month = 9;
    if (!month)
        return 0;
    if (s < end && *s == '.')
        s++;
    *p = s;
    return month;
}

/* Skips an English ordinal suffix after a day number ("1st", "22nd", "3rd", "30th"). */
static void skip_ordinal(const char **p, const char *end)
{
    const char *s = *p;
    if (end - s >= 2) {
        char a = lower(s[0]), b = lower(s[1]);
        if ((a == 's' && b == 't') || (a == 'n' && b == 'd') || (a == 'r' && b == 'd') ||
            (a == 't' && b == 'h')) {
            if (end - s == 2 || !is_alpha(s[2]))
                *p = s + 2;
        }
    }
}

static void skip_spaces(const char **p, const char *end)
{
    while (*p < end && is_space(**p))
        (*p)++;
}

static int finish(int y, int m, int d, char out[11])
{
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    /* y <= 9999 (four digits), 1 <= m <= 12, 1 <= d <= 31 */
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
    return 1;
}

int pi_date_parse(const char *s, size_t n, char out[11])
{
    out[0] = '\0';
    if (!s)
        return 0;
    const char *p = s, *end = s + n;
    skip_spaces(&p, end);
    while (end > p && is_space(end[-1]))
        end--;
    if (p == end)
        return 0;

    int y = 0, m = 0, d = 0;
    if (is_digit(*p)) {
        const char *q = p;
        int nd = read_num(&q, end, 4, &y);
        if (nd == 4 && q < end && *q == '-') {
            /* ISO: YYYY-MM-DD, optionally followed by a time ("T12:00:00Z" or " 12:00"). */
            q++;
            if (!read_num(&q, end, 2, &m) || q >= end || *q != '-')
                return 0;
            q++;
            if (!read_num(&q, end, 2, &d))
                return 0;
            if (q < end) {
                if (*q != 'T' && *q != 't' && !is_space(*q))
                    return 0;
                if (q + 1 >= end || !is_digit(q[1]))
                    return 0;
            }
            return finish(y, m, d, out);
        }
        /* D Month YYYY */
        q = p;
        if (!read_num(&q, end, 2, &d))
            return 0;
        skip_ordinal(&q, end);
        skip_spaces(&q, end);
        m = read_month(&q, end);
        if (!m)
            return 0;
        if (q < end && *q == ',')
            q++;
        skip_spaces(&q, end);
        if (read_num(&q, end, 4, &y) != 4 || q != end)
            return 0;
        return finish(y, m, d, out);
    }
    if (is_alpha(*p)) {
        /* Month D, YYYY */
        const char *q = p;
        m = read_month(&q, end);
        if (!m)
            return 0;
        skip_spaces(&q, end);
        if (!read_num(&q, end, 2, &d))
            return 0;
        skip_ordinal(&q, end);
        if (q < end && *q == ',')
            q++;
        skip_spaces(&q, end);
        if (read_num(&q, end, 4, &y) != 4 || q != end)
            return 0;
        return finish(y, m, d, out);
    }
    return 0;
}
