/* builtins_string.c: ksqlDB's string functions (scalar-functions.md, "Strings"): UCASE, LCASE,
 * CONCAT, CONCAT_WS, SUBSTRING, LEN, TRIM, LTRIM, RTRIM, REPLACE, INSTR, LPAD, RPAD, INITCAP,
 * SPLIT. Positions count characters (code points), as Java does for text outside the
 * supplementary planes; LEN counts UTF-16 units like Java's String.length(). */
#define _GNU_SOURCE
#include "expr/builtins.h"

#include <locale.h>
#include <pthread.h>
#include <string.h>
#include <wctype.h>

/* ---------------------------------------------------------------- UTF-8 */

static size_t u8len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Byte offset of the character at index `ci` (clamped to the end). */
static uint32_t u8_offset(const char *s, uint32_t len, int64_t ci)
{
    uint32_t o = 0;
    while (ci-- > 0 && o < len) {
        o += (uint32_t)u8len((unsigned char)s[o]);
        if (o > len)
            o = len;
    }
    return o;
}

static int64_t u8_count(const char *s, uint32_t len)
{
    int64_t n = 0;
    for (uint32_t o = 0; o < len; o += (uint32_t)u8len((unsigned char)s[o]))
        n++;
    return n;
}

static uint32_t u8_decode(const char *s, uint32_t len, uint32_t *o)
{
    unsigned char c = (unsigned char)s[*o];
    size_t n = u8len(c);
    if (*o + n > len) {
        (*o)++;
        return 0xFFFD;
    }
    uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | ((unsigned char)s[*o + i] & 0x3F);
    *o += (uint32_t)n;
    return cp;
}

static uint32_t u8_encode(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static uint32_t case_map(uint32_t cp, bool upper)
{
    if (cp < 0x80)
        return upper ? (cp >= 'a' && cp <= 'z' ? cp - 32 : cp)
                     : (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    locale_t utf8_locale = eddy_builtins_utf8_locale();
    if (!utf8_locale)
        return cp;
    return (uint32_t)(upper ? towupper_l((wint_t)cp, utf8_locale)
                            : towlower_l((wint_t)cp, utf8_locale));
}

static bool is_space(uint32_t cp)
{
    /* Java's Character.isWhitespace for the characters that occur in practice */
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == 0x0B ||
           (cp >= 0x1C && cp <= 0x1F);
}

static char *alloc(eddy_func_ctx *ctx, size_t n)
{
    return eddy_arena_alloc(ctx->arena, n ? n : 1);
}

#define NOMEM(ctx) eddy_func_fail((ctx), "out of memory")

static eddy_value same_kind(const eddy_value *like, const char *p, uint32_t len)
{
    return like->type == EDDY_TYPE_BYTES ? eddy_bytes(p, len) : eddy_string(p, len);
}

/* --------------------------------------------------------------- functions */

static int change_case(eddy_func_ctx *ctx, const eddy_value *v, bool upper, eddy_value *out)
{
    char *p = alloc(ctx, (size_t)v->len * 2 + 1); /* case mapping may change the length */
    if (!p)
        return NOMEM(ctx);
    uint32_t o = 0, w = 0;
    while (o < v->len) {
        uint32_t cp = u8_decode(v->u.str, v->len, &o);
        w += u8_encode(case_map(cp, upper), p + w);
    }
    *out = eddy_string(p, w);
    return 0;
}

static int fn_ucase(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                    eddy_value *out)
{
    (void)f;
    (void)argc;
    return change_case(ctx, &argv[0], true, out);
}

static int fn_lcase(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                    eddy_value *out)
{
    (void)f;
    (void)argc;
    return change_case(ctx, &argv[0], false, out);
}

/* CONCAT: NULL inputs count as empty. */
static int fn_concat(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                     const eddy_value *argv, eddy_value *out)
{
    (void)f;
    size_t len = 0;
    for (int i = 0; i < argc; i++)
        if (!argv[i].is_null)
            len += argv[i].len;
    char *p = alloc(ctx, len + 1);
    if (!p)
        return NOMEM(ctx);
    size_t o = 0;
    for (int i = 0; i < argc; i++)
        if (!argv[i].is_null && argv[i].len) {
            memcpy(p + o, argv[i].u.str, argv[i].len);
            o += argv[i].len;
        }
    p[o] = '\0';
    eddy_value like = {.type = argc ? argv[0].type : EDDY_TYPE_STRING};
    *out = same_kind(&like, p, (uint32_t)o);
    return 0;
}

/* CONCAT_WS: NULL separator gives NULL; NULL items are skipped. */
static int fn_concat_ws(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                        const eddy_value *argv, eddy_value *out)
{
    (void)f;
    if (argv[0].is_null) {
        *out = eddy_null(argv[0].type);
        return 0;
    }
    size_t len = 0;
    for (int i = 1; i < argc; i++)
        if (!argv[i].is_null)
            len += argv[i].len + argv[0].len;
    char *p = alloc(ctx, len + 1);
    if (!p)
        return NOMEM(ctx);
    size_t o = 0;
    bool first = true;
    for (int i = 1; i < argc; i++) {
        if (argv[i].is_null)
            continue;
        if (!first && argv[0].len) {
            memcpy(p + o, argv[0].u.str, argv[0].len);
            o += argv[0].len;
        }
        first = false;
        if (argv[i].len) {
            memcpy(p + o, argv[i].u.str, argv[i].len);
            o += argv[i].len;
        }
    }
    p[o] = '\0';
    *out = same_kind(&argv[0], p, (uint32_t)o);
    return 0;
}

/* SUBSTRING(str, pos [, len]): ksqlDB's Substring: 1-based; a negative pos counts from the
 * end; pos 0 is taken as 1; positions beyond the ends are clamped. */
static int fn_substring(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                        const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)ctx;
    const eddy_value *s = &argv[0];
    bool bytes = s->type == EDDY_TYPE_BYTES;
    int64_t n = bytes ? s->len : u8_count(s->u.str, s->len);
    int64_t pos = argv[1].u.i32;
    int64_t start = pos < 0 ? (n + pos > 0 ? n + pos : 0)
                            : (pos - 1 < n ? (pos - 1 > 0 ? pos - 1 : 0) : n);
    int64_t end = n;
    if (argc > 2) {
        int64_t len = argv[2].u.i32;
        end = start + len < n ? start + len : n;
        if (end < start)
            end = start;
    }
    uint32_t bo = bytes ? (uint32_t)start : u8_offset(s->u.str, s->len, start);
    uint32_t eo = bytes ? (uint32_t)end : u8_offset(s->u.str, s->len, end);
    *out = same_kind(s, s->u.str + bo, eo - bo);
    return 0;
}

static int fn_len(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                  eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    if (argv[0].type == EDDY_TYPE_BYTES) {
        *out = eddy_int((int32_t)argv[0].len);
        return 0;
    }
    /* Java's String.length(): UTF-16 units, 2 for characters beyond U+FFFF */
    int32_t n = 0;
    for (uint32_t o = 0; o < argv[0].len;) {
        size_t l = u8len((unsigned char)argv[0].u.str[o]);
        n += l == 4 ? 2 : 1;
        o += (uint32_t)l;
    }
    *out = eddy_int(n);
    return 0;
}

/* TRIM is Java's String.trim(): every character <= ' ' at either end. */
static int trim_impl(const eddy_value *v, bool left, bool right, eddy_value *out)
{
    uint32_t b = 0, e = v->len;
    while (left && b < e && (unsigned char)v->u.str[b] <= ' ')
        b++;
    while (right && e > b && (unsigned char)v->u.str[e - 1] <= ' ')
        e--;
    *out = eddy_string(v->u.str + b, e - b);
    return 0;
}

static int fn_trim(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                   eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    return trim_impl(&argv[0], true, true, out);
}

static int fn_ltrim(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                    const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    return trim_impl(&argv[0], true, false, out);
}

static int fn_rtrim(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                    const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    return trim_impl(&argv[0], false, true, out);
}

static const char *find(const char *h, size_t hl, const char *n, size_t nl)
{
    if (nl == 0)
        return h;
    if (nl > hl)
        return NULL;
    return memmem(h, hl, n, nl);
}

/* REPLACE: Java's String.replace(target, replacement); an empty target inserts the
 * replacement before every character and at the end. */
static int fn_replace(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                      const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    const eddy_value *s = &argv[0], *t = &argv[1], *r = &argv[2];
    if (t->len == 0) {
        int64_t n = u8_count(s->u.str, s->len);
        size_t len = s->len + (size_t)(n + 1) * r->len;
        char *p = alloc(ctx, len + 1);
        if (!p)
            return NOMEM(ctx);
        size_t o = 0;
        for (uint32_t i = 0; i <= s->len;) {
            memcpy(p + o, r->u.str, r->len);
            o += r->len;
            if (i == s->len)
                break;
            size_t l = u8len((unsigned char)s->u.str[i]);
            if (i + l > s->len)
                l = s->len - i;
            memcpy(p + o, s->u.str + i, l);
            o += l;
            i += (uint32_t)l;
        }
        *out = eddy_string(p, (uint32_t)o);
        return 0;
    }
    size_t count = 0;
    for (const char *q = s->u.str, *end = s->u.str + s->len;
         (q = find(q, (size_t)(end - q), t->u.str, t->len)); q += t->len)
        count++;
    if (count == 0) {
        *out = *s;
        return 0;
    }
    size_t len = s->len + count * r->len - count * t->len;
    char *p = alloc(ctx, len + 1);
    if (!p)
        return NOMEM(ctx);
    size_t o = 0;
    const char *q = s->u.str, *end = s->u.str + s->len;
    for (;;) {
        const char *m = find(q, (size_t)(end - q), t->u.str, t->len);
        if (!m)
            break;
        memcpy(p + o, q, (size_t)(m - q));
        o += (size_t)(m - q);
        memcpy(p + o, r->u.str, r->len);
        o += r->len;
        q = m + t->len;
    }
    memcpy(p + o, q, (size_t)(end - q));
    o += (size_t)(end - q);
    *out = eddy_string(p, (uint32_t)o);
    return 0;
}

/* INSTR(str, sub [, position [, occurrence]]): 1-based character position of the n-th
 * occurrence searching forward from `position`, or backward from the end when it is
 * negative; 0 when not found. */
static int fn_instr(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                    const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    const eddy_value *s = &argv[0], *sub = &argv[1];
    int64_t position = argc > 2 ? argv[2].u.i32 : 1;
    int64_t occurrence = argc > 3 ? argv[3].u.i32 : 1;
    int64_t n = u8_count(s->u.str, s->len), m = u8_count(sub->u.str, sub->len);
    *out = eddy_int(0);
    if (occurrence <= 0 || position == 0)
        return 0;
    /* character index -> byte offset table would allocate; walk instead */
    int64_t found = 0;
    if (position > 0) {
        for (int64_t ci = position - 1; ci + m <= n; ci++) {
            uint32_t bo = u8_offset(s->u.str, s->len, ci);
            if (bo + sub->len <= s->len && memcmp(s->u.str + bo, sub->u.str, sub->len) == 0 &&
                ++found == occurrence) {
                *out = eddy_int((int32_t)(ci + 1));
                return 0;
            }
        }
    } else {
        for (int64_t ci = n + position; ci >= 0; ci--) {
            if (ci + m > n)
                continue;
            uint32_t bo = u8_offset(s->u.str, s->len, ci);
            if (bo + sub->len <= s->len && memcmp(s->u.str + bo, sub->u.str, sub->len) == 0 &&
                ++found == occurrence) {
                *out = eddy_int((int32_t)(ci + 1));
                return 0;
            }
        }
    }
    return 0;
}

/* LPAD/RPAD(input, length, padding): NULL for a negative length or an empty padding;
 * truncates an input longer than `length`. */
static int pad(eddy_func_ctx *ctx, const eddy_value *argv, bool left, eddy_value *out)
{
    const eddy_value *s = &argv[0], *p = &argv[2];
    int64_t target = argv[1].u.i32;
    bool bytes = s->type == EDDY_TYPE_BYTES;
    if (target < 0 || p->len == 0) {
        *out = eddy_null(s->type);
        return 0;
    }
    int64_t n = bytes ? s->len : u8_count(s->u.str, s->len);
    if (n >= target) {
        uint32_t e = bytes ? (uint32_t)target : u8_offset(s->u.str, s->len, target);
        *out = same_kind(s, s->u.str, e);
        return 0;
    }
    int64_t need = target - n; /* characters of padding */
    int64_t pn = bytes ? p->len : u8_count(p->u.str, p->len);
    size_t maxlen = s->len + (size_t)need * 4 + 1;
    char *buf = alloc(ctx, maxlen);
    if (!buf)
        return NOMEM(ctx);
    size_t o = 0;
    if (!left) {
        memcpy(buf, s->u.str, s->len);
        o = s->len;
    }
    while (need > 0) {
        int64_t take = need < pn ? need : pn;
        uint32_t bl = bytes ? (uint32_t)take : u8_offset(p->u.str, p->len, take);
        memcpy(buf + o, p->u.str, bl);
        o += bl;
        need -= take;
    }
    if (left) {
        memcpy(buf + o, s->u.str, s->len);
        o += s->len;
    }
    *out = same_kind(s, buf, (uint32_t)o);
    return 0;
}

static int fn_lpad(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                   eddy_value *out)
{
    (void)f;
    (void)argc;
    return pad(ctx, argv, true, out);
}

static int fn_rpad(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                   eddy_value *out)
{
    (void)f;
    (void)argc;
    return pad(ctx, argv, false, out);
}

/* INITCAP: first letter of each whitespace-delimited word upper case, the rest lower. */
static int fn_initcap(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                      const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    const eddy_value *v = &argv[0];
    char *p = alloc(ctx, (size_t)v->len * 2 + 1);
    if (!p)
        return NOMEM(ctx);
    uint32_t o = 0, w = 0;
    bool word_start = true;
    while (o < v->len) {
        uint32_t cp = u8_decode(v->u.str, v->len, &o);
        if (is_space(cp)) {
            w += u8_encode(cp, p + w);
            word_start = true;
            continue;
        }
        w += u8_encode(case_map(cp, word_start), p + w);
        word_start = false;
    }
    *out = eddy_string(p, w);
    return 0;
}

/* SPLIT(str, delim): every piece kept (empty ones too); an empty delimiter splits into
 * characters (bytes for BYTES). */
static int fn_split(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                    const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    const eddy_value *s = &argv[0], *d = &argv[1];
    bool bytes = s->type == EDDY_TYPE_BYTES;
    uint32_t count;
    if (d->len == 0) {
        count = s->len == 0 ? 1 : (uint32_t)(bytes ? s->len : u8_count(s->u.str, s->len));
    } else {
        count = 1;
        for (const char *q = s->u.str, *end = s->u.str + s->len;
             (q = find(q, (size_t)(end - q), d->u.str, d->len)); q += d->len)
            count++;
    }
    eddy_value *items = eddy_arena_alloc(ctx->arena, count * sizeof *items);
    if (!items)
        return NOMEM(ctx);
    uint32_t k = 0;
    if (d->len == 0) {
        if (s->len == 0) {
            items[k++] = same_kind(s, s->u.str, 0);
        } else {
            for (uint32_t o = 0; o < s->len && k < count;) {
                uint32_t l = bytes ? 1 : (uint32_t)u8len((unsigned char)s->u.str[o]);
                if (o + l > s->len)
                    l = s->len - o;
                items[k++] = same_kind(s, s->u.str + o, l);
                o += l;
            }
        }
    } else {
        const char *q = s->u.str, *end = s->u.str + s->len;
        for (;;) {
            const char *m = find(q, (size_t)(end - q), d->u.str, d->len);
            if (!m)
                break;
            items[k++] = same_kind(s, q, (uint32_t)(m - q));
            q = m + d->len;
        }
        items[k++] = same_kind(s, q, (uint32_t)(end - q));
    }
    eddy_value v = {0};
    v.type = EDDY_TYPE_ARRAY;
    v.len = k;
    v.u.items = items;
    *out = v;
    return 0;
}

/* ------------------------------------------------------------ registration */

typedef struct def {
    const char *name, *sig, *desc;
    eddy_scalar_fn fn;
    bool calls_on_null;
} def;

static const def defs[] = {
    {"ucase", "(STRING input) -> STRING", "Converts a string to upper case.", fn_ucase, false},
    {"lcase", "(STRING input) -> STRING", "Converts a string to lower case.", fn_lcase, false},
    {"concat", "(STRING... inputs) -> STRING", "Concatenates strings; NULLs count as empty.",
     fn_concat, true},
    {"concat", "(BYTES... inputs) -> BYTES", "Concatenates bytes; NULLs count as empty.",
     fn_concat, true},
    {"concat_ws", "(STRING separator, STRING... inputs) -> STRING",
     "Concatenates with a separator, skipping NULLs.", fn_concat_ws, true},
    {"concat_ws", "(BYTES separator, BYTES... inputs) -> BYTES",
     "Concatenates with a separator, skipping NULLs.", fn_concat_ws, true},
    {"substring", "(STRING str, INTEGER pos) -> STRING", "The characters from pos (1-based).",
     fn_substring, false},
    {"substring", "(STRING str, INTEGER pos, INTEGER length) -> STRING",
     "length characters from pos (1-based).", fn_substring, false},
    {"substring", "(BYTES bytes, INTEGER pos) -> BYTES", "The bytes from pos (1-based).",
     fn_substring, false},
    {"substring", "(BYTES bytes, INTEGER pos, INTEGER length) -> BYTES",
     "length bytes from pos (1-based).", fn_substring, false},
    {"len", "(STRING input) -> INTEGER", "Length of a string.", fn_len, false},
    {"len", "(BYTES input) -> INTEGER", "Number of bytes.", fn_len, false},
    {"trim", "(STRING input) -> STRING", "Removes leading and trailing spaces.", fn_trim, false},
    {"ltrim", "(STRING input) -> STRING", "Removes leading spaces.", fn_ltrim, false},
    {"rtrim", "(STRING input) -> STRING", "Removes trailing spaces.", fn_rtrim, false},
    {"replace", "(STRING str, STRING target, STRING replacement) -> STRING",
     "Replaces every occurrence of target.", fn_replace, false},
    {"instr", "(STRING str, STRING substring) -> INTEGER", "Position of substring (1-based).",
     fn_instr, false},
    {"instr", "(STRING str, STRING substring, INTEGER position) -> INTEGER",
     "Position of substring searching from position.", fn_instr, false},
    {"instr", "(STRING str, STRING substring, INTEGER position, INTEGER occurrence) -> INTEGER",
     "Position of the n-th occurrence of substring.", fn_instr, false},
    {"lpad", "(STRING input, INTEGER length, STRING padding) -> STRING", "Pads on the left.",
     fn_lpad, false},
    {"lpad", "(BYTES input, INTEGER length, BYTES padding) -> BYTES", "Pads on the left.",
     fn_lpad, false},
    {"rpad", "(STRING input, INTEGER length, STRING padding) -> STRING", "Pads on the right.",
     fn_rpad, false},
    {"rpad", "(BYTES input, INTEGER length, BYTES padding) -> BYTES", "Pads on the right.",
     fn_rpad, false},
    {"initcap", "(STRING input) -> STRING", "Capitalizes the first letter of each word.",
     fn_initcap, false},
    {"split", "(STRING input, STRING delimiter) -> ARRAY<STRING>", "Splits a string.",
     fn_split, false},
    {"split", "(BYTES input, BYTES delimiter) -> ARRAY<BYTES>", "Splits bytes.", fn_split,
     false},
};

int eddy_builtins_string_register(eddy_registry *r)
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
    return 0;
}
