/* jsondom.c: a strict recursive-descent JSON parser into an arena-backed DOM that keeps number
 * lexemes (see jsondom.h). */
#include "util/jsondom.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 512

struct eddy_json_doc {
    eddy_arena *arena;
    eddy_json *root;
};

typedef struct parser {
    const char *s, *end, *p;
    eddy_arena *arena;
    eddy_buf tmp; /* scratch for decoding strings */
    char *errstr;
    size_t errstr_size;
    int depth;
} parser;

static int fail(parser *ps, const char *at, const char *what)
{
    int line = 1, col = 1;
    for (const char *q = ps->s; q < at && q < ps->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return eddy_seterr(ps->errstr, ps->errstr_size, EDDY_EPARSE, "%d:%d: %s", line, col, what);
}

static void skip_ws(parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static eddy_json *new_node(parser *ps, eddy_json_type t)
{
    eddy_json *n = eddy_arena_calloc(ps->arena, 1, sizeof *n);
    if (n)
        n->type = t;
    return n;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static int put_utf8(eddy_buf *b, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return eddy_buf_append(b, u, n);
}

/* At the opening quote; decodes into the arena. */
static int parse_string(parser *ps, const char **out, size_t *outlen)
{
    const char *start = ps->p;
    ps->p++;
    eddy_buf_clear(&ps->tmp);
    for (;;) {
        if (ps->p >= ps->end)
            return fail(ps, start, "unterminated string");
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') {
            ps->p++;
            break;
        }
        if (c < 0x20)
            return fail(ps, ps->p, "control character in string");
        if (c != '\\') {
            const char *q = ps->p;
            while (q < ps->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
                q++;
            if (eddy_buf_append(&ps->tmp, ps->p, (size_t)(q - ps->p)))
                return EDDY_ENOMEM;
            ps->p = q;
            continue;
        }
        if (ps->p + 1 >= ps->end)
            return fail(ps, start, "unterminated string");
        char e = ps->p[1];
        char simple = 0;
        switch (e) {
        case '"': simple = '"'; break;
        case '\\': simple = '\\'; break;
        case '/': simple = '/'; break;
        case 'b': simple = '\b'; break;
        case 'f': simple = '\f'; break;
        case 'n': simple = '\n'; break;
        case 'r': simple = '\r'; break;
        case 't': simple = '\t'; break;
        case 'u': break;
        default: return fail(ps, ps->p, "invalid escape in string");
        }
        if (simple) {
            if (eddy_buf_putc(&ps->tmp, simple))
                return EDDY_ENOMEM;
            ps->p += 2;
            continue;
        }
        unsigned cp;
        if (ps->end - ps->p < 6 || hex4(ps->p + 2, &cp))
            return fail(ps, ps->p, "invalid \\u escape in string");
        const char *esc = ps->p;
        ps->p += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            unsigned lo;
            if (ps->end - ps->p < 6 || ps->p[0] != '\\' || ps->p[1] != 'u' ||
                hex4(ps->p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                return fail(ps, esc, "unpaired surrogate in string");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            ps->p += 6;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return fail(ps, esc, "unpaired surrogate in string");
        }
        if (put_utf8(&ps->tmp, cp))
            return EDDY_ENOMEM;
    }
    char *s = eddy_arena_strndup(ps->arena, ps->tmp.data ? ps->tmp.data : "", ps->tmp.len);
    if (!s)
        return EDDY_ENOMEM;
    *out = s;
    *outlen = ps->tmp.len;
    return 0;
}

static bool is_digit(const parser *ps, const char *q)
{
    return q < ps->end && *q >= '0' && *q <= '9';
}

static int parse_number(parser *ps, eddy_json **out)
{
    const char *start = ps->p, *q = ps->p;
    if (q < ps->end && *q == '-')
        q++;
    if (!is_digit(ps, q))
        return fail(ps, start, "invalid number");
    if (*q == '0') {
        q++;
        if (is_digit(ps, q))
            return fail(ps, start, "invalid number (leading zero)");
    } else {
        while (is_digit(ps, q))
            q++;
    }
    if (q < ps->end && *q == '.') {
        q++;
        if (!is_digit(ps, q))
            return fail(ps, start, "invalid number (digit expected after '.')");
        while (is_digit(ps, q))
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        if (!is_digit(ps, q))
            return fail(ps, start, "invalid number (digit expected in exponent)");
        while (is_digit(ps, q))
            q++;
    }
    eddy_json *n = new_node(ps, EDDY_JSON_NUMBER);
    if (!n || !(n->str = eddy_arena_strndup(ps->arena, start, (size_t)(q - start))))
        return EDDY_ENOMEM;
    n->len = (size_t)(q - start);
    ps->p = q;
    *out = n;
    return 0;
}

static int parse_value(parser *ps, eddy_json **out);

static int parse_container(parser *ps, eddy_json **out, bool object)
{
    const char *open = ps->p;
    if (++ps->depth > MAX_DEPTH)
        return fail(ps, open, "nesting too deep");
    eddy_json *n = new_node(ps, object ? EDDY_JSON_OBJECT : EDDY_JSON_ARRAY);
    if (!n)
        return EDDY_ENOMEM;
    eddy_json **tail = &n->child;
    char close = object ? '}' : ']';
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        *out = n;
        return 0;
    }
    for (;;) {
        const char *key = NULL;
        size_t key_len = 0;
        int rc;
        skip_ws(ps);
        if (object) {
            if (ps->p >= ps->end || *ps->p != '"')
                return fail(ps, ps->p, ps->p >= ps->end ? "unterminated object"
                                                        : "member name expected");
            if ((rc = parse_string(ps, &key, &key_len)))
                return rc;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return fail(ps, ps->p, "':' expected after member name");
            ps->p++;
        }
        eddy_json *v;
        if ((rc = parse_value(ps, &v)))
            return rc;
        v->key = key;
        v->key_len = key_len;
        *tail = v;
        tail = &v->next;
        n->count++;
        skip_ws(ps);
        if (ps->p >= ps->end)
            return fail(ps, open, object ? "unterminated object" : "unterminated array");
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == close) {
            ps->p++;
            break;
        }
        return fail(ps, ps->p, object ? "',' or '}' expected" : "',' or ']' expected");
    }
    ps->depth--;
    *out = n;
    return 0;
}

static int parse_literal(parser *ps, const char *word, eddy_json_type t, eddy_json **out)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, ps->p, "invalid literal");
    ps->p += n;
    return (*out = new_node(ps, t)) ? 0 : EDDY_ENOMEM;
}

static int parse_value(parser *ps, eddy_json **out)
{
    skip_ws(ps);
    if (ps->p >= ps->end)
        return fail(ps, ps->p, "value expected, found end of input");
    switch (*ps->p) {
    case '{': return parse_container(ps, out, true);
    case '[': return parse_container(ps, out, false);
    case 'n': return parse_literal(ps, "null", EDDY_JSON_NULL, out);
    case 't': return parse_literal(ps, "true", EDDY_JSON_TRUE, out);
    case 'f': return parse_literal(ps, "false", EDDY_JSON_FALSE, out);
    case '"': {
        eddy_json *n = new_node(ps, EDDY_JSON_STRING);
        if (!n)
            return EDDY_ENOMEM;
        int rc = parse_string(ps, &n->str, &n->len);
        *out = n;
        return rc;
    }
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return parse_number(ps, out);
        return fail(ps, ps->p, "unexpected character");
    }
}

int eddy_json_parse(const char *text, size_t len, eddy_json_doc **out, char *errstr,
                    size_t errstr_size)
{
    *out = NULL;
    eddy_json_doc *d = calloc(1, sizeof *d);
    if (!d || !(d->arena = eddy_arena_new(0))) {
        free(d);
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    }
    parser ps = {.s = text, .end = text + len, .p = text, .arena = d->arena,
                 .errstr = errstr, .errstr_size = errstr_size};
    int rc = parse_value(&ps, &d->root);
    if (rc == 0) {
        skip_ws(&ps);
        if (ps.p < ps.end)
            rc = fail(&ps, ps.p, "unexpected text after the JSON value");
    }
    eddy_buf_free(&ps.tmp);
    if (rc) {
        if (rc == EDDY_ENOMEM)
            eddy_seterr(errstr, errstr_size, rc, "out of memory");
        eddy_json_doc_destroy(d);
        return rc;
    }
    *out = d;
    return 0;
}

void eddy_json_doc_destroy(eddy_json_doc *d)
{
    if (!d)
        return;
    eddy_arena_destroy(d->arena);
    free(d);
}

const eddy_json *eddy_json_doc_root(const eddy_json_doc *d)
{
    return d ? d->root : NULL;
}

eddy_arena *eddy_json_doc_arena(eddy_json_doc *d)
{
    return d->arena;
}

const eddy_json *eddy_json_get(const eddy_json *o, const char *key)
{
    if (!o || o->type != EDDY_JSON_OBJECT)
        return NULL;
    for (const eddy_json *m = o->child; m; m = m->next)
        if (strcmp(m->key, key) == 0)
            return m;
    return NULL;
}

const eddy_json *eddy_json_at(const eddy_json *a, size_t i)
{
    if (!a || a->type != EDDY_JSON_ARRAY)
        return NULL;
    const eddy_json *e = a->child;
    while (e && i--)
        e = e->next;
    return e;
}

const char *eddy_json_string(const eddy_json *v)
{
    return v && v->type == EDDY_JSON_STRING ? v->str : NULL;
}

bool eddy_json_is_integer(const eddy_json *v)
{
    return v && v->type == EDDY_JSON_NUMBER && !strpbrk(v->str, ".eE");
}

double eddy_json_number(const eddy_json *v)
{
    return v && v->type == EDDY_JSON_NUMBER ? strtod(v->str, NULL) : 0.0;
}

const char *eddy_json_type_name(eddy_json_type t)
{
    static const char *const names[] = {"null", "false", "true", "number",
                                        "string", "array", "object"};
    return t <= EDDY_JSON_OBJECT ? names[t] : "?";
}

int eddy_json_write_string(eddy_buf *out, const char *s, size_t len)
{
    int rc = eddy_buf_putc(out, '"');
    for (size_t i = 0; i < len && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': rc = eddy_buf_puts(out, "\\\""); break;
        case '\\': rc = eddy_buf_puts(out, "\\\\"); break;
        case '\n': rc = eddy_buf_puts(out, "\\n"); break;
        case '\r': rc = eddy_buf_puts(out, "\\r"); break;
        case '\t': rc = eddy_buf_puts(out, "\\t"); break;
        case '\b': rc = eddy_buf_puts(out, "\\b"); break;
        case '\f': rc = eddy_buf_puts(out, "\\f"); break;
        default:
            rc = c < 0x20 ? eddy_buf_printf(out, "\\u%04x", c) : eddy_buf_putc(out, (char)c);
        }
    }
    return rc ? rc : eddy_buf_putc(out, '"');
}

int eddy_json_write(const eddy_json *v, eddy_buf *out)
{
    if (!v)
        return eddy_buf_puts(out, "null");
    switch (v->type) {
    case EDDY_JSON_NULL: return eddy_buf_puts(out, "null");
    case EDDY_JSON_TRUE: return eddy_buf_puts(out, "true");
    case EDDY_JSON_FALSE: return eddy_buf_puts(out, "false");
    case EDDY_JSON_NUMBER: return eddy_buf_append(out, v->str, v->len);
    case EDDY_JSON_STRING: return eddy_json_write_string(out, v->str, v->len);
    case EDDY_JSON_ARRAY:
    case EDDY_JSON_OBJECT: {
        bool obj = v->type == EDDY_JSON_OBJECT;
        int rc = eddy_buf_putc(out, obj ? '{' : '[');
        for (const eddy_json *e = v->child; e && rc == 0; e = e->next) {
            if (e != v->child)
                rc = eddy_buf_putc(out, ',');
            if (rc == 0 && obj) {
                rc = eddy_json_write_string(out, e->key, e->key_len);
                if (rc == 0)
                    rc = eddy_buf_putc(out, ':');
            }
            if (rc == 0)
                rc = eddy_json_write(e, out);
        }
        return rc ? rc : eddy_buf_putc(out, obj ? '}' : ']');
    }
    }
    return EDDY_EINTERNAL;
}
