/* builtins_json.c: ksqlDB's JSON functions (scalar-functions.md, "Strings" and
 * "Collections"): EXTRACTJSONFIELD, JSON_ARRAY_CONTAINS, JSON_ARRAY_LENGTH, JSON_CONCAT,
 * JSON_KEYS, JSON_RECORDS, JSON_ITEMS, IS_JSON_STRING, TO_JSON_STRING. A small JSON reader
 * builds the tree in ctx->arena (numbers keep their text, as Jackson keeps a long's digits)
 * and a writer prints Jackson's compact JsonNode.toString(). As Jackson's readTree, text
 * after the first JSON value is ignored and blank input is a "missing" value. */
#include "expr/builtins.h"

#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>

#define NOMEM(ctx) eddy_func_fail((ctx), "out of memory")
#define MAX_DEPTH 256

/* Per-thread scratch buffer: results are built here, then copied into ctx->arena, so a call
 * does not malloc once the buffer has grown to its working size. */
static _Thread_local eddy_buf scratch;
static _Thread_local eddy_buf scratch2;

/* Thread exit releases the scratch memory (see eddy_builtins_at_thread_exit). */
static _Thread_local bool tls_registered;

static void tls_release(void)
{
    eddy_buf_free(&scratch);
    eddy_buf_free(&scratch2);
}

/* The scratch buffer, emptied, for this thread. */
static void scratch_begin(void)
{
    if (!tls_registered) {
        eddy_builtins_at_thread_exit(tls_release);
        tls_registered = true;
    }
    eddy_buf_clear(&scratch);
}

static int scratch_result(eddy_func_ctx *ctx, eddy_value *out)
{
    return eddy_builtins_string_result(ctx, &scratch, out);
}

/* ------------------------------------------------------------------ reader */

typedef enum { J_NULL, J_TRUE, J_FALSE, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jnode jnode;
struct jnode {
    jtype type;
    const char *s;   /* J_NUM: the number's text; J_STR: decoded UTF-8 */
    uint32_t len;
    uint32_t n;      /* J_ARR / J_OBJ: items */
    jnode **kids;
    jnode **keys;    /* J_OBJ: J_STR keys, parallel to kids */
};

typedef struct jreader {
    eddy_arena *arena;
    const char *p, *end;
    bool nomem;
} jreader;

static void skip_ws(jreader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static jnode *new_node(jreader *r, jtype t)
{
    jnode *n = eddy_arena_calloc(r->arena, 1, sizeof *n);
    if (!n)
        r->nomem = true;
    else
        n->type = t;
    return n;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static bool read_hex4(jreader *r, uint32_t *v)
{
    if (r->end - r->p < 4)
        return false;
    *v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(r->p[i]);
        if (h < 0)
            return false;
        *v = *v << 4 | (uint32_t)h;
    }
    r->p += 4;
    return true;
}

static uint32_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static jnode *read_string(jreader *r)
{
    r->p++; /* opening quote */
    const char *start = r->p;
    while (r->p < r->end && *r->p != '"') {
        if (*r->p == '\\')
            r->p++;
        else if ((unsigned char)*r->p < 0x20)
            return NULL;
        r->p++;
    }
    if (r->p >= r->end)
        return NULL;
    const char *stop = r->p;
    r->p++;
    jnode *n = new_node(r, J_STR);
    char *o = n ? eddy_arena_alloc(r->arena, (size_t)(stop - start) + 1) : NULL;
    if (!o) {
        r->nomem = true;
        return NULL;
    }
    uint32_t w = 0;
    jreader esc = {.arena = r->arena, .p = start, .end = stop};
    while (esc.p < esc.end) {
        char c = *esc.p++;
        if (c != '\\') {
            o[w++] = c;
            continue;
        }
        c = *esc.p++;
        switch (c) {
        case '"': o[w++] = '"'; break;
        case '\\': o[w++] = '\\'; break;
        case '/': o[w++] = '/'; break;
        case 'b': o[w++] = '\b'; break;
        case 'f': o[w++] = '\f'; break;
        case 'n': o[w++] = '\n'; break;
        case 'r': o[w++] = '\r'; break;
        case 't': o[w++] = '\t'; break;
        case 'u': {
            uint32_t cp, lo;
            if (!read_hex4(&esc, &cp))
                return NULL;
            if (cp >= 0xD800 && cp < 0xDC00 && esc.end - esc.p >= 6 && esc.p[0] == '\\' &&
                esc.p[1] == 'u') {
                jreader save = esc;
                esc.p += 2;
                if (read_hex4(&esc, &lo) && lo >= 0xDC00 && lo < 0xE000)
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else
                    esc = save;
            }
            w += put_utf8(o + w, cp);
            break;
        }
        default:
            return NULL;
        }
    }
    n->s = o;
    n->len = w;
    return n;
}

static jnode *read_number(jreader *r)
{
    const char *s = r->p;
    if (r->p < r->end && *r->p == '-')
        r->p++;
    if (r->p >= r->end || *r->p < '0' || *r->p > '9')
        return NULL;
    if (*r->p == '0')
        r->p++;
    else
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9')
            return NULL;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-'))
            r->p++;
        if (r->p >= r->end || *r->p < '0' || *r->p > '9')
            return NULL;
        while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
            r->p++;
    }
    jnode *n = new_node(r, J_NUM);
    if (n) {
        n->s = s;
        n->len = (uint32_t)(r->p - s);
    }
    return n;
}

static bool read_word(jreader *r, const char *w)
{
    size_t l = strlen(w);
    if ((size_t)(r->end - r->p) < l || memcmp(r->p, w, l) != 0)
        return false;
    r->p += l;
    return true;
}

/* Growable pointer list in the arena (old blocks are abandoned: the arena is per batch). */
static bool push(jreader *r, jnode ***v, uint32_t *n, uint32_t *cap, jnode *x)
{
    if (*n == *cap) {
        uint32_t nc = *cap ? *cap * 2 : 8;
        jnode **nv = eddy_arena_alloc(r->arena, nc * sizeof *nv);
        if (!nv) {
            r->nomem = true;
            return false;
        }
        if (*n)
            memcpy(nv, *v, *n * sizeof *nv);
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = x;
    return true;
}

static jnode *read_value(jreader *r, int depth)
{
    skip_ws(r);
    if (r->p >= r->end || depth > MAX_DEPTH)
        return NULL;
    char c = *r->p;
    if (c == '"')
        return read_string(r);
    if (c == '-' || (c >= '0' && c <= '9'))
        return read_number(r);
    if (c == 't')
        return read_word(r, "true") ? new_node(r, J_TRUE) : NULL;
    if (c == 'f')
        return read_word(r, "false") ? new_node(r, J_FALSE) : NULL;
    if (c == 'n')
        return read_word(r, "null") ? new_node(r, J_NULL) : NULL;
    if (c != '[' && c != '{')
        return NULL;
    bool obj = c == '{';
    jnode *n = new_node(r, obj ? J_OBJ : J_ARR);
    if (!n)
        return NULL;
    r->p++;
    uint32_t cap = 0, kcap = 0, kn = 0;
    skip_ws(r);
    if (r->p < r->end && *r->p == (obj ? '}' : ']')) {
        r->p++;
        return n;
    }
    for (;;) {
        jnode *key = NULL;
        if (obj) {
            skip_ws(r);
            if (r->p >= r->end || *r->p != '"' || !(key = read_string(r)))
                return NULL;
            skip_ws(r);
            if (r->p >= r->end || *r->p != ':')
                return NULL;
            r->p++;
        }
        jnode *v = read_value(r, depth + 1);
        if (!v)
            return NULL;
        bool replaced = false;
        if (obj) /* a repeated key keeps its place and takes the last value (Jackson) */
            for (uint32_t i = 0; i < n->n && !replaced; i++)
                if (n->keys[i]->len == key->len && memcmp(n->keys[i]->s, key->s, key->len) == 0) {
                    n->kids[i] = v;
                    replaced = true;
                }
        if (!replaced) {
            if (!push(r, &n->kids, &n->n, &cap, v))
                return NULL;
            if (obj && !push(r, &n->keys, &kn, &kcap, key))
                return NULL;
        }
        skip_ws(r);
        if (r->p >= r->end)
            return NULL;
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        if (*r->p == (obj ? '}' : ']')) {
            r->p++;
            return n;
        }
        return NULL;
    }
}

enum { JP_OK = 0, JP_MISSING = 1, JP_INVALID = 2, JP_NOMEM = 3 };

/* Parses the first JSON value of `s`; JP_MISSING for blank text. */
static int json_parse(eddy_func_ctx *ctx, const eddy_value *s, jnode **out)
{
    jreader r = {.arena = ctx->arena, .p = s->u.str, .end = s->u.str + s->len};
    skip_ws(&r);
    if (r.p == r.end)
        return JP_MISSING;
    *out = read_value(&r, 0);
    if (r.nomem)
        return JP_NOMEM;
    return *out ? JP_OK : JP_INVALID;
}

/* Parse failures as ksqlDB's UdfJsonMapper reports them. */
static int parse_or_fail(eddy_func_ctx *ctx, const eddy_value *s, jnode **out, bool *missing)
{
    int rc = json_parse(ctx, s, out);
    *missing = rc == JP_MISSING;
    if (rc == JP_NOMEM)
        return NOMEM(ctx);
    if (rc == JP_INVALID)
        return eddy_func_fail(ctx, "Invalid JSON format: %.*s", (int)(s->len > 200 ? 200 : s->len),
                              s->u.str);
    return 0;
}

/* ------------------------------------------------------------------ writer */

static int write_jstring(eddy_buf *b, const char *s, size_t n)
{
    int rc = eddy_buf_putc(b, '"');
    for (size_t i = 0; !rc && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': rc = eddy_buf_puts(b, "\\\""); break;
        case '\\': rc = eddy_buf_puts(b, "\\\\"); break;
        case '\n': rc = eddy_buf_puts(b, "\\n"); break;
        case '\r': rc = eddy_buf_puts(b, "\\r"); break;
        case '\t': rc = eddy_buf_puts(b, "\\t"); break;
        case '\b': rc = eddy_buf_puts(b, "\\b"); break;
        case '\f': rc = eddy_buf_puts(b, "\\f"); break;
        default:
            rc = c < 0x20 ? eddy_buf_printf(b, "\\u%04X", c) : eddy_buf_putc(b, (char)c);
        }
    }
    return rc ? rc : eddy_buf_putc(b, '"');
}

static int write_node(eddy_buf *b, const jnode *n)
{
    int rc = 0;
    switch (n->type) {
    case J_NULL: return eddy_buf_puts(b, "null");
    case J_TRUE: return eddy_buf_puts(b, "true");
    case J_FALSE: return eddy_buf_puts(b, "false");
    case J_NUM: return eddy_buf_append(b, n->s, n->len);
    case J_STR: return write_jstring(b, n->s, n->len);
    case J_ARR:
        rc = eddy_buf_putc(b, '[');
        for (uint32_t i = 0; !rc && i < n->n; i++) {
            if (i)
                rc = eddy_buf_putc(b, ',');
            if (!rc)
                rc = write_node(b, n->kids[i]);
        }
        return rc ? rc : eddy_buf_putc(b, ']');
    case J_OBJ:
        rc = eddy_buf_putc(b, '{');
        for (uint32_t i = 0; !rc && i < n->n; i++) {
            if (i)
                rc = eddy_buf_putc(b, ',');
            if (!rc)
                rc = write_jstring(b, n->keys[i]->s, n->keys[i]->len);
            if (!rc)
                rc = eddy_buf_putc(b, ':');
            if (!rc)
                rc = write_node(b, n->kids[i]);
        }
        return rc ? rc : eddy_buf_putc(b, '}');
    }
    return 0;
}

/* A node as ksqlDB hands it back: a text node's text, otherwise its JSON. */
static int node_text(eddy_func_ctx *ctx, const jnode *n, eddy_value *out)
{
    if (n->type == J_STR) {
        *out = eddy_string(n->s, n->len);
        return 0;
    }
    scratch_begin();
    if (write_node(&scratch, n))
        return NOMEM(ctx);
    return scratch_result(ctx, out);
}

static int node_json(eddy_func_ctx *ctx, const jnode *n, eddy_value *out)
{
    scratch_begin();
    if (write_node(&scratch, n))
        return NOMEM(ctx);
    return scratch_result(ctx, out);
}

/* -------------------------------------------------------- EXTRACTJSONFIELD */

/* A JSONPath as ksqlDB's JsonPathTokenizer reads it: "$" then ".name", "['name']",
 * "[\"name\"]" or "[index]". Returns the number of tokens or -1. */
typedef struct ptok {
    const char *s;
    uint32_t len;
} ptok;

static int path_tokens(const char *p, uint32_t n, ptok *t, int max)
{
    uint32_t i = 0;
    int k = 0;
    if (i < n && p[i] == '$')
        i++;
    while (i < n) {
        if (k == max)
            return -1;
        if (p[i] == '.') {
            uint32_t s = ++i;
            while (i < n && p[i] != '.' && p[i] != '[')
                i++;
            if (i == s)
                return -1;
            t[k++] = (ptok){p + s, i - s};
        } else if (p[i] == '[') {
            i++;
            if (i < n && (p[i] == '\'' || p[i] == '"')) {
                char q = p[i++];
                uint32_t s = i;
                while (i < n && p[i] != q)
                    i++;
                if (i + 1 >= n || p[i + 1] != ']')
                    return -1;
                t[k++] = (ptok){p + s, i - s};
                i += 2;
            } else {
                uint32_t s = i;
                while (i < n && p[i] != ']')
                    i++;
                if (i >= n || i == s)
                    return -1;
                t[k++] = (ptok){p + s, i - s};
                i++;
            }
        } else {
            return -1;
        }
    }
    return k;
}

static int fn_extractjsonfield(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                               const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    ptok tk[64];
    int nt = path_tokens(argv[1].u.str, argv[1].len, tk, 64);
    if (nt < 0)
        return eddy_func_fail(ctx, "Invalid JsonPath: %.*s", (int)argv[1].len, argv[1].u.str);
    jnode *n;
    bool missing;
    int rc = parse_or_fail(ctx, &argv[0], &n, &missing);
    if (rc)
        return rc;
    *out = eddy_null(EDDY_TYPE_STRING);
    if (missing)
        return 0;
    for (int i = 0; i < nt; i++) {
        jnode *next = NULL;
        if (n->type == J_ARR) {
            int64_t idx = 0;
            for (uint32_t j = 0; j < tk[i].len; j++) {
                if (tk[i].s[j] < '0' || tk[i].s[j] > '9' || idx > 100000000)
                    return 0;
                idx = idx * 10 + (tk[i].s[j] - '0');
            }
            if (idx < n->n)
                next = n->kids[idx];
        } else if (n->type == J_OBJ) {
            for (uint32_t j = 0; j < n->n && !next; j++)
                if (n->keys[j]->len == tk[i].len && memcmp(n->keys[j]->s, tk[i].s, tk[i].len) == 0)
                    next = n->kids[j];
        }
        if (!next)
            return 0;
        n = next;
    }
    return node_text(ctx, n, out);
}

/* ----------------------------------------------------------- array helpers */

static int fn_json_array_length(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                                const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    jnode *n;
    bool missing;
    int rc = parse_or_fail(ctx, &argv[0], &n, &missing);
    if (rc)
        return rc;
    *out = !missing && n->type == J_ARR ? eddy_int((int32_t)n->n) : eddy_null(EDDY_TYPE_INT);
    return 0;
}

/* JSON_ARRAY_CONTAINS(json, val): top-level elements of val's JSON kind equal to it (ksqlDB's
 * JsonArrayContains: integers match INT/BIGINT, fractions DOUBLE, text STRING, NULL null);
 * false for a NULL or non-array document, and for text that is not JSON. */
static int fn_json_array_contains(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                                  const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    *out = eddy_bool(false);
    if (argv[0].is_null)
        return 0;
    jnode *n;
    int rc = json_parse(ctx, &argv[0], &n);
    if (rc == JP_NOMEM)
        return NOMEM(ctx);
    if (rc != JP_OK || n->type != J_ARR)
        return 0;
    const eddy_value *v = &argv[1];
    for (uint32_t i = 0; i < n->n; i++) {
        const jnode *e = n->kids[i];
        bool hit = false;
        if (v->is_null) {
            hit = e->type == J_NULL;
        } else if (v->type == EDDY_TYPE_BOOLEAN) {
            hit = (e->type == J_TRUE && v->u.b) || (e->type == J_FALSE && !v->u.b);
        } else if (v->type == EDDY_TYPE_STRING) {
            hit = e->type == J_STR && e->len == v->len && memcmp(e->s, v->u.str, v->len) == 0;
        } else if (e->type == J_NUM) {
            bool integral = !memchr(e->s, '.', e->len) && !memchr(e->s, 'e', e->len) &&
                            !memchr(e->s, 'E', e->len);
            char tmp[64];
            if (e->len >= sizeof tmp)
                continue;
            memcpy(tmp, e->s, e->len);
            tmp[e->len] = '\0';
            if (v->type == EDDY_TYPE_DOUBLE && !integral) {
                hit = strtod(tmp, NULL) == v->u.f64;
            } else if (v->type != EDDY_TYPE_DOUBLE && integral) {
                char *endp;
                long long x = strtoll(tmp, &endp, 10);
                int64_t want = v->type == EDDY_TYPE_INT ? v->u.i32 : v->u.i64;
                hit = *endp == '\0' && x == want &&
                      (v->type != EDDY_TYPE_INT || (x >= INT32_MIN && x <= INT32_MAX));
            }
        }
        if (hit) {
            *out = eddy_bool(true);
            return 0;
        }
    }
    return 0;
}

static int fn_json_keys(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                        const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    jnode *n;
    bool missing;
    int rc = parse_or_fail(ctx, &argv[0], &n, &missing);
    if (rc)
        return rc;
    if (missing || n->type != J_OBJ) {
        *out = eddy_null(EDDY_TYPE_ARRAY);
        return 0;
    }
    eddy_value *items = eddy_arena_alloc(ctx->arena, (n->n ? n->n : 1) * sizeof *items);
    if (!items)
        return NOMEM(ctx);
    for (uint32_t i = 0; i < n->n; i++)
        items[i] = eddy_string(n->keys[i]->s, n->keys[i]->len);
    *out = (eddy_value){.type = EDDY_TYPE_ARRAY, .len = n->n, .u.items = items};
    return 0;
}

static int fn_json_records(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                           const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    jnode *n;
    bool missing;
    int rc = parse_or_fail(ctx, &argv[0], &n, &missing);
    if (rc)
        return rc;
    if (missing || n->type != J_OBJ) {
        *out = eddy_null(EDDY_TYPE_MAP);
        return 0;
    }
    eddy_value *kv = eddy_arena_alloc(ctx->arena, (n->n ? n->n : 1) * 2 * sizeof *kv);
    if (!kv)
        return NOMEM(ctx);
    for (uint32_t i = 0; i < n->n; i++) {
        kv[2 * i] = eddy_string(n->keys[i]->s, n->keys[i]->len);
        if ((rc = node_text(ctx, n->kids[i], &kv[2 * i + 1])))
            return rc;
    }
    *out = (eddy_value){.type = EDDY_TYPE_MAP, .len = n->n, .u.items = kv};
    return 0;
}

static int fn_json_items(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                         const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    jnode *n;
    bool missing;
    int rc = parse_or_fail(ctx, &argv[0], &n, &missing);
    if (rc)
        return rc;
    if (missing || n->type != J_ARR) {
        *out = eddy_null(EDDY_TYPE_ARRAY);
        return 0;
    }
    eddy_value *items = eddy_arena_alloc(ctx->arena, (n->n ? n->n : 1) * sizeof *items);
    if (!items)
        return NOMEM(ctx);
    for (uint32_t i = 0; i < n->n; i++)
        if ((rc = node_json(ctx, n->kids[i], &items[i])))
            return rc;
    *out = (eddy_value){.type = EDDY_TYPE_ARRAY, .len = n->n, .u.items = items};
    return 0;
}

static int fn_is_json_string(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                             const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    jnode *n;
    int rc = argv[0].is_null ? JP_MISSING : json_parse(ctx, &argv[0], &n);
    if (rc == JP_NOMEM)
        return NOMEM(ctx);
    *out = eddy_bool(rc == JP_OK);
    return 0;
}

/* JSON_CONCAT: PostgreSQL's jsonb ||: objects merge (last wins), otherwise arrays concatenate
 * with the other values wrapped; NULL when an input is NULL or not JSON. */
static int fn_json_concat(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                          const eddy_value *argv, eddy_value *out)
{
    (void)f;
    jnode *nodes[64];
    bool all_obj = true;
    *out = eddy_null(EDDY_TYPE_STRING);
    if (argc == 0)
        return 0;
    for (int i = 0; i < argc; i++) {
        int rc = json_parse(ctx, &argv[i], &nodes[i]);
        if (rc == JP_NOMEM)
            return NOMEM(ctx);
        if (rc != JP_OK)
            return 0;
        all_obj &= nodes[i]->type == J_OBJ;
    }
    jreader r = {.arena = ctx->arena};
    jnode *res = new_node(&r, all_obj ? J_OBJ : J_ARR);
    if (!res)
        return NOMEM(ctx);
    uint32_t cap = 0, kcap = 0, kn = 0;
    for (int i = 0; i < argc; i++) {
        jnode *n = nodes[i];
        if (all_obj) {
            for (uint32_t j = 0; j < n->n; j++) {
                bool replaced = false;
                for (uint32_t k = 0; k < res->n && !replaced; k++)
                    if (res->keys[k]->len == n->keys[j]->len &&
                        memcmp(res->keys[k]->s, n->keys[j]->s, n->keys[j]->len) == 0) {
                        res->kids[k] = n->kids[j];
                        replaced = true;
                    }
                if (!replaced && (!push(&r, &res->kids, &res->n, &cap, n->kids[j]) ||
                                  !push(&r, &res->keys, &kn, &kcap, n->keys[j])))
                    return NOMEM(ctx);
            }
        } else if (n->type == J_ARR) {
            for (uint32_t j = 0; j < n->n; j++)
                if (!push(&r, &res->kids, &res->n, &cap, n->kids[j]))
                    return NOMEM(ctx);
        } else if (!push(&r, &res->kids, &res->n, &cap, n)) {
            return NOMEM(ctx);
        }
    }
    return node_json(ctx, res, out);
}

/* ---------------------------------------------------------- TO_JSON_STRING */

static bool has_struct(const eddy_type *t)
{
    if (!t)
        return false;
    if (t->id == EDDY_TYPE_STRUCT)
        return true;
    return (t->id == EDDY_TYPE_ARRAY && has_struct(t->elem)) ||
           (t->id == EDDY_TYPE_MAP && (has_struct(t->key) || has_struct(t->elem)));
}

/* Structs need their field names, which a value does not carry and a scalar function is not
 * given: TO_JSON_STRING refuses types with a STRUCT in them at bind time. */
static int to_json_resolve(const eddy_function *f, int argc, const eddy_type *const *argt,
                           const eddy_type **param, const eddy_type **ret,
                           const eddy_type **agg, char *errstr, size_t errstr_size)
{
    (void)f;
    (void)agg;
    if (argc != 1)
        return eddy_seterr(errstr, errstr_size, EDDY_ETYPE, "TO_JSON_STRING takes one argument");
    if (has_struct(argt[0]))
        return eddy_seterr(errstr, errstr_size, EDDY_ETYPE,
                           "TO_JSON_STRING does not support STRUCT values yet");
    param[0] = argt[0] ? argt[0] : eddy_type_string();
    *ret = eddy_type_string();
    return 0;
}

static int write_value(eddy_buf *b, const eddy_value *v, eddy_buf *tmp)
{
    if (v->is_null)
        return eddy_buf_puts(b, "null");
    switch (v->type) {
    case EDDY_TYPE_BOOLEAN: case EDDY_TYPE_INT: case EDDY_TYPE_BIGINT: case EDDY_TYPE_DOUBLE:
    case EDDY_TYPE_DECIMAL:
        return eddy_value_format(b, v);
    case EDDY_TYPE_STRING:
        return write_jstring(b, v->u.str, v->len);
    case EDDY_TYPE_ARRAY: {
        int rc = eddy_buf_putc(b, '[');
        for (uint32_t i = 0; !rc && i < v->len; i++) {
            if (i)
                rc = eddy_buf_putc(b, ',');
            if (!rc)
                rc = write_value(b, &v->u.items[i], tmp);
        }
        return rc ? rc : eddy_buf_putc(b, ']');
    }
    case EDDY_TYPE_MAP: {
        int rc = eddy_buf_putc(b, '{');
        for (uint32_t i = 0; !rc && i < v->len; i++) {
            const eddy_value *k = &v->u.items[2 * i];
            if (i)
                rc = eddy_buf_putc(b, ',');
            if (!rc) {
                eddy_buf_clear(tmp);
                rc = eddy_value_format(tmp, k);
                if (!rc)
                    rc = write_jstring(b, k->type == EDDY_TYPE_STRING ? k->u.str : tmp->data,
                                       k->type == EDDY_TYPE_STRING ? k->len : tmp->len);
            }
            if (!rc)
                rc = eddy_buf_putc(b, ':');
            if (!rc)
                rc = write_value(b, &v->u.items[2 * i + 1], tmp);
        }
        return rc ? rc : eddy_buf_putc(b, '}');
    }
    default: { /* DATE, TIME, TIMESTAMP, BYTES (base64): their string form, quoted */
        eddy_buf_clear(tmp);
        int rc = eddy_value_format(tmp, v);
        return rc ? rc : write_jstring(b, tmp->data, tmp->len);
    }
    }
}

static int fn_to_json_string(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                             const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    scratch_begin();
    if (write_value(&scratch, &argv[0], &scratch2))
        return NOMEM(ctx);
    return scratch_result(ctx, out);
}

/* ------------------------------------------------------------ registration */

typedef struct def {
    const char *name, *sig, *desc;
    eddy_scalar_fn fn;
    bool calls_on_null;
} def;

static const def defs[] = {
    {"extractjsonfield", "(STRING jsonString, STRING jsonPath) -> STRING",
     "The value at a JSONPath ($.a.b, $['a'][0]) of a JSON document, as a string.",
     fn_extractjsonfield, false},
    {"json_array_length", "(STRING jsonArray) -> INTEGER",
     "The length of a JSON array, NULL for other JSON values.", fn_json_array_length, false},
    {"json_keys", "(STRING jsonObject) -> ARRAY<STRING>", "The top-level keys of a JSON object.",
     fn_json_keys, false},
    {"json_records", "(STRING jsonObject) -> MAP<STRING, STRING>",
     "The top-level entries of a JSON object.", fn_json_records, false},
    {"json_items", "(STRING jsonArray) -> ARRAY<STRING>",
     "The items of a JSON array, as JSON strings.", fn_json_items, false},
    {"is_json_string", "(STRING json) -> BOOLEAN", "Whether the string parses as JSON.",
     fn_is_json_string, true},
    {"json_concat", "(STRING... jsonStrings) -> STRING",
     "Concatenates JSON values (PostgreSQL's jsonb || rules).", fn_json_concat, false},
};

static const char *const contains_types[] = {"BOOLEAN", "INTEGER", "BIGINT", "DOUBLE",
                                             "STRING"};

int eddy_builtins_json_register(eddy_registry *r)
{
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        eddy_function f = {.name = defs[i].name, .kind = EDDY_FUNC_SCALAR,
                           .signature = defs[i].sig, .description = defs[i].desc,
                           .source = "built-in", .calls_on_null = defs[i].calls_on_null,
                           .scalar = defs[i].fn};
        int rc = eddy_registry_add(r, &f, false, NULL, 0);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < sizeof contains_types / sizeof contains_types[0]; i++) {
        char sig[96];
        snprintf(sig, sizeof sig, "(STRING jsonArray, %s val) -> BOOLEAN", contains_types[i]);
        eddy_function f = {.name = "json_array_contains", .kind = EDDY_FUNC_SCALAR,
                           .signature = sig,
                           .description = "Whether a JSON array contains a value.",
                           .source = "built-in", .calls_on_null = true,
                           .scalar = fn_json_array_contains};
        int rc = eddy_registry_add(r, &f, false, NULL, 0);
        if (rc)
            return rc;
    }
    eddy_function t = {.name = "to_json_string", .kind = EDDY_FUNC_SCALAR,
                       .description = "The JSON text of any value (STRUCTs not yet).",
                       .source = "built-in", .calls_on_null = true,
                       .resolve = to_json_resolve, .scalar = fn_to_json_string};
    return eddy_registry_add(r, &t, false, NULL, 0);
}
