/* jsondom.h: a small read-only JSON DOM that keeps every number's source text (its lexeme),
 * so callers can tell 12.30 from 12.3 and 1 from 1.0, and keeps object members in document
 * order (duplicates included). Strict RFC 8259 input; strings are decoded to UTF-8. */
#ifndef EDDY_JSONDOM_H
#define EDDY_JSONDOM_H

#include "eddy/common.h"
#include "eddy/arena.h"

typedef enum eddy_json_type {
    EDDY_JSON_NULL,
    EDDY_JSON_FALSE,
    EDDY_JSON_TRUE,
    EDDY_JSON_NUMBER,
    EDDY_JSON_STRING,
    EDDY_JSON_ARRAY,
    EDDY_JSON_OBJECT
} eddy_json_type;

/* A node. Every pointer in it (str, key, child, next) is owned by the document it came from
 * and lives until eddy_json_doc_destroy(). */
typedef struct eddy_json eddy_json;
struct eddy_json {
    eddy_json_type type;
    /* NUMBER: the lexeme exactly as written ("12.30", "-0", "1E3"); STRING: the decoded text
     * (NUL-terminated; `len` counts bytes and may include "\u0000"). NULL otherwise. */
    const char *str;
    size_t len;
    /* Member name when this node is an object member (decoded, NUL-terminated), else NULL. */
    const char *key;
    size_t key_len;
    /* ARRAY/OBJECT: first element or member, and how many there are. */
    eddy_json *child;
    size_t count;
    eddy_json *next; /* next sibling in the parent array/object, or NULL */
};

typedef struct eddy_json_doc eddy_json_doc;

/* Parses `len` bytes of `text` (one JSON value, surrounded by optional whitespace). On
 * success *out owns the tree (free with eddy_json_doc_destroy). On failure returns
 * EDDY_EPARSE (EDDY_ENOMEM) and writes "LINE:COL: what" into errstr. Nesting deeper than
 * 512 levels is refused. The text is not referenced after the call. */
int eddy_json_parse(const char *text, size_t len, eddy_json_doc **out, char *errstr,
                    size_t errstr_size);
void eddy_json_doc_destroy(eddy_json_doc *d); /* accepts NULL */
const eddy_json *eddy_json_doc_root(const eddy_json_doc *d);
/* The arena the document allocates from: callers may build extra nodes in it (they then live
 * as long as the document). */
eddy_arena *eddy_json_doc_arena(eddy_json_doc *d);

/* First member of object `o` named `key` (NULL when `o` is NULL, not an object, or has none). */
const eddy_json *eddy_json_get(const eddy_json *o, const char *key);
/* Element `i` of array `a` (NULL when out of range or not an array). */
const eddy_json *eddy_json_at(const eddy_json *a, size_t i);
/* The string of a STRING node, else NULL. */
const char *eddy_json_string(const eddy_json *v);
/* True for a NUMBER whose lexeme has no fraction and no exponent ("12", "-0"). */
bool eddy_json_is_integer(const eddy_json *v);
/* The NUMBER as a double (strtod of the lexeme); 0 for other nodes. */
double eddy_json_number(const eddy_json *v);
/* Name of a type ("null", "number", "object" ...). */
const char *eddy_json_type_name(eddy_json_type t);

/* Appends compact JSON for `v` to `out`: numbers as their lexeme, strings re-escaped, members
 * in document order. NULL `v` writes "null". Returns 0 or EDDY_ENOMEM. */
int eddy_json_write(const eddy_json *v, eddy_buf *out);
/* Appends `s` (`len` bytes) as a JSON string literal with quotes. */
int eddy_json_write_string(eddy_buf *out, const char *s, size_t len);

#endif
