#include "config.h"
/*
 * parse_jsonl.c - one JSON Lines record: {"id", "date", "title", "source", "url", "lang",
 * "paragraphs"}, unknown keys ignored. A record without a string id or an array of paragraphs is
 * skipped; a wrongly typed optional field is ignored; bad UTF-8 and NULs (bytes or \u0000) are
 * repaired first, as in text files (jansson would refuse the line; C strings cannot hold a NUL).
 */
#include "input.h"
#include "internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
    default:
        return "null";
    }
}

/* An optional string field: NULL when absent or null; reported and NULL when of another type. */
static const char *opt_string(pi_reader *r, const char *file, unsigned long line, json_t *root,
                              const char *key)
{
    json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    pi_input_problem(r, file, line, 0, "\"%s\" is %s, not a string, ignored", key, type_name(v));
    return NULL;
}

/* A NUL byte, or the escape \u0000, which JSON allows in a string and C strings cannot hold. */
static int has_nul(const char *s, size_t n)
{
    if (memchr(s, '\0', n))
        return 1;
    const char *p = s, *end = s + n;
    while ((p = memchr(p, '\\', (size_t)(end - p))) != NULL && end - p >= 6) {
        if (memcmp(p, "\\u0000", 6) == 0)
            return 1;
        p++;
    }
    return 0;
}

/*
 * Replaces every NUL in the line s (NUL-terminated at n) by a space, in place, as the text reader
 * does: a NUL byte becomes ' ' (whitespace between tokens, a space inside a string) and the escape
 * \u0000 inside a string becomes \u0020, so columns stay where they were. An escaped backslash is
 * not the start of an escape ("\\u0000" is text). Returns how many were replaced.
 */
static long replace_nuls(char *s, size_t n)
{
    long k = 0;
    int in_string = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\0') {
            s[i] = ' ';
            k++;
        } else if (!in_string) {
            in_string = s[i] == '"';
        } else if (s[i] == '"') {
            in_string = 0;
        } else if (s[i] == '\\' && i + 1 < n) {
            if (n - i >= 6 && memcmp(s + i, "\\u0000", 6) == 0) {
                memcpy(s + i + 2, "0020", 4);
                k++;
                i += 5;
            } else if (s[i + 1] != '\0') {
                i++; /* the escaped character: a quote or a backslash that is text */
            }
        }
    }
    return k;
}

int pi_parse_jsonl_line(pi_reader *r, const char *file, unsigned long line, const char *text,
                        size_t len)
{
    if (line == 1 && len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\f' ||
                       text[i] == '\v'))
        i++;
    if (i == len)
        return 0; /* blank line */
    char *owned = NULL;
    long replaced = 0, nuls = 0;
    if (pi_utf8_valid_prefix(text, len) < len) {
        size_t outlen;
        replaced = pi_utf8_sanitize(text, len, &owned, &outlen);
        if (replaced < 0)
            return pi_input_no_memory(r);
        text = owned;
        len = outlen;
    }
    if (has_nul(text, len)) {
        if (!owned) {
            if (!(owned = malloc(len + 1)))
                return pi_input_no_memory(r);
            memcpy(owned, text, len);
            owned[len] = '\0';
            text = owned;
        }
        nuls = replace_nuls(owned, len);
    }

    int rc = 0;
    json_error_t err;
    json_t *root = json_loadb(text, len, JSON_DECODE_ANY, &err);
    if (!root) {
        /* jansson quotes the text it stopped in, which may end inside a character. */
        char *why = NULL;
        size_t wl;
        if (pi_utf8_sanitize(err.text, strlen(err.text), &why, &wl) < 0)
            why = NULL;
        pi_input_problem(r, file, line, 1, "not valid JSON (%s at column %d), skipped",
                         why ? why : "malformed", err.column);
        free(why);
        goto out;
    }
    if (!json_is_object(root)) {
        pi_input_problem(r, file, line, 1, "not a JSON object (%s), skipped", type_name(root));
        goto out;
    }
    json_t *jid = json_object_get(root, "id");
    if (!jid) {
        pi_input_problem(r, file, line, 1, "no \"id\", skipped");
        goto out;
    }
    if (!json_is_string(jid)) {
        pi_input_problem(r, file, line, 1, "\"id\" is %s, not a string, skipped", type_name(jid));
        goto out;
    }
    if (json_string_length(jid) == 0) {
        pi_input_problem(r, file, line, 1, "empty \"id\", skipped");
        goto out;
    }
    json_t *jp = json_object_get(root, "paragraphs");
    if (!jp) {
        pi_input_problem(r, file, line, 1, "no \"paragraphs\", skipped");
        goto out;
    }
    if (!json_is_array(jp)) {
        pi_input_problem(r, file, line, 1, "\"paragraphs\" is %s, not an array, skipped",
                         type_name(jp));
        goto out;
    }
    if (nuls > 0) {
        char msg[64];
        pi_input_problem(r, file, line, 0, "%s", pi_msg_nul(msg, sizeof msg, nuls));
    }
    if (replaced > 0)
        pi_input_utf8_problem(r, file, line, replaced);

    pressindex_release rel;
    memset(&rel, 0, sizeof rel);
    rel.id = json_string_value(jid);
    rel.title = opt_string(r, file, line, root, "title");
    rel.source = opt_string(r, file, line, root, "source");
    rel.url = opt_string(r, file, line, root, "url");
    rel.lang = opt_string(r, file, line, root, "lang");
    if (rel.lang && *rel.lang && !pi_lang_valid(rel.lang)) {
        char msg[160];
        pi_input_problem(r, file, line, 0, "%s", pi_msg_lang(msg, sizeof msg, rel.lang));
        rel.lang = NULL;
    }

    char date[11];
    json_t *jd = json_object_get(root, "date");
    if (jd && json_is_string(jd)) {
        const char *ds = json_string_value(jd);
        size_t dl = json_string_length(jd);
        int drc = dl ? pi_date_parse(ds, dl, date) : 0;
        if (drc == 1)
            rel.date = date;
        else if (drc < 0)
            pi_input_problem(r, file, line, 0, "impossible date %.*s, indexed undated",
                             (int)pi_utf8_clip(ds, dl, 60), ds);
        else if (dl)
            pi_input_problem(r, file, line, 0, "unrecognised date \"%.*s\", indexed undated",
                             (int)pi_utf8_clip(ds, dl, 60), ds);
    } else if (jd && !json_is_null(jd)) {
        pi_input_problem(r, file, line, 0, "\"date\" is %s, not a string, indexed undated",
                         type_name(jd));
    }

    size_t n = json_array_size(jp), np = 0;
    if (pi_input_reserve_paras(r, n ? n : 1) < 0) {
        rc = pi_input_no_memory(r);
        goto out;
    }
    for (size_t k = 0; k < n; k++) {
        json_t *e = json_array_get(jp, k);
        if (!json_is_string(e)) {
            pi_input_problem(r, file, line, 0, "paragraph %zu is %s, not a string, dropped", k + 1,
                             type_name(e));
            continue;
        }
        size_t plen = json_string_length(e);
        if (plen == 0)
            continue;
        if (plen > PI_INPUT_BIG_PARAGRAPH)
            pi_input_problem(r, file, line, 0, "paragraph %zu is %.1f MB (kept)", k + 1,
                             (double)plen / (1024.0 * 1024.0));
        r->paras[np++] = json_string_value(e);
    }
    if (np == 0) {
        pi_input_problem(r, file, line, 1, "no paragraphs, skipped");
        goto out;
    }
    rel.paragraphs = r->paras;
    rel.n_paragraphs = np;
    rc = pi_input_deliver(r, &rel, file, line);
out:
    json_decref(root);
    free(owned);
    return rc;
}
