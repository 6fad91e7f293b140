/* serde_json.c: ksqlDB's JSON format: a reader driven by the schema (no document tree, no
 * malloc per record: strings without escapes point into the input) and a writer. */
#include "serde_json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ======================================================= reading plans */

/* How to read a value of one type. For a STRUCT (and for the record of the part's columns,
 * whose `type` is NULL) the field names with a hash table of their upper-cased forms: a JSON
 * name matches a field exactly, or when its upper-cased form equals the field's name. */
struct eddy_jplan {
    eddy_type_id id;
    const eddy_type *type;        /* NULL for the record */
    const eddy_jplan *elem;       /* ARRAY element, MAP value */
    uint32_t n;                   /* fields */
    const char **names;
    uint32_t *lens;
    uint32_t *hash;               /* of the upper-cased name */
    uint8_t *twin;                /* another field has the same upper-cased name */
    const char **lower;           /* the name in lower case, when it has no lower-case
                                     letter of its own (else NULL): the common JSON key */
    const eddy_jplan **kids;      /* per field */
    uint32_t *slots;              /* open addressing: field index + 1, 0 empty */
    uint32_t mask;
};

static inline uint8_t upc(uint8_t c) { return (uint8_t)(c - (((unsigned)(c - 'a') < 26u) << 5)); }

static inline uint32_t name_hash(const uint8_t *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ upc(s[i])) * 16777619u;
    return h;
}

static eddy_jplan *plan_new(eddy_arena *mem, const eddy_type *t);

static int plan_fields(eddy_arena *mem, eddy_jplan *pl, uint32_t n, const char *const *names,
                       const eddy_type *const *types)
{
    pl->n = n;
    pl->names = eddy_arena_calloc(mem, n ? n : 1, sizeof *pl->names);
    pl->lens = eddy_arena_calloc(mem, n ? n : 1, sizeof *pl->lens);
    pl->hash = eddy_arena_calloc(mem, n ? n : 1, sizeof *pl->hash);
    pl->twin = eddy_arena_calloc(mem, n ? n : 1, 1);
    pl->kids = eddy_arena_calloc(mem, n ? n : 1, sizeof *pl->kids);
    pl->lower = eddy_arena_calloc(mem, n ? n : 1, sizeof *pl->lower);
    uint32_t size = 8;
    while (size < 2 * n)
        size *= 2;
    pl->mask = size - 1;
    pl->slots = eddy_arena_calloc(mem, size, sizeof *pl->slots);
    if (!pl->names || !pl->lens || !pl->hash || !pl->twin || !pl->kids || !pl->slots ||
        !pl->lower)
        return EDDY_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        pl->names[i] = names[i];
        pl->lens[i] = (uint32_t)strlen(names[i]);
        bool has_lower = false;
        for (uint32_t k = 0; k < pl->lens[i]; k++)
            has_lower |= names[i][k] >= 'a' && names[i][k] <= 'z';
        if (!has_lower) {
            char *lw = eddy_arena_strndup(mem, names[i], pl->lens[i]);
            if (!lw)
                return EDDY_ENOMEM;
            for (uint32_t k = 0; k < pl->lens[i]; k++)
                if (lw[k] >= 'A' && lw[k] <= 'Z')
                    lw[k] = (char)(lw[k] + 32);
            pl->lower[i] = lw;
        }
        pl->hash[i] = name_hash((const uint8_t *)names[i], pl->lens[i]);
        if (!(pl->kids[i] = plan_new(mem, types[i])))
            return EDDY_ENOMEM;
        uint32_t slot = pl->hash[i] & pl->mask;
        while (pl->slots[slot]) {
            uint32_t j = pl->slots[slot] - 1;
            if (pl->hash[j] == pl->hash[i] && pl->lens[j] == pl->lens[i]) {
                bool same = true;
                for (uint32_t k = 0; k < pl->lens[i] && same; k++)
                    same = upc((uint8_t)names[i][k]) == upc((uint8_t)names[j][k]);
                if (same)
                    pl->twin[i] = pl->twin[j] = 1;
            }
            slot = (slot + 1) & pl->mask;
        }
        pl->slots[slot] = i + 1;
    }
    return 0;
}

static eddy_jplan *plan_new(eddy_arena *mem, const eddy_type *t)
{
    eddy_jplan *pl = eddy_arena_calloc(mem, 1, sizeof *pl);
    if (!pl)
        return NULL;
    pl->id = t->id;
    pl->type = t;
    if (t->id == EDDY_TYPE_ARRAY || t->id == EDDY_TYPE_MAP) {
        if (!(pl->elem = plan_new(mem, t->elem)))
            return NULL;
    } else if (t->id == EDDY_TYPE_STRUCT) {
        const char **names = eddy_arena_calloc(mem, t->nfields ? t->nfields : 1, sizeof *names);
        const eddy_type **types =
            eddy_arena_calloc(mem, t->nfields ? t->nfields : 1, sizeof *types);
        if (!names || !types)
            return NULL;
        for (uint32_t i = 0; i < t->nfields; i++) {
            names[i] = t->fields[i].name;
            types[i] = t->fields[i].type;
        }
        if (plan_fields(mem, pl, t->nfields, names, types))
            return NULL;
    }
    return pl;
}

static bool map_key_ok(const eddy_type *t)
{
    switch (t->id) {
    case EDDY_TYPE_MAP:
        return t->key->id == EDDY_TYPE_STRING && map_key_ok(t->elem);
    case EDDY_TYPE_ARRAY:
        return map_key_ok(t->elem);
    case EDDY_TYPE_STRUCT:
        for (uint32_t i = 0; i < t->nfields; i++)
            if (!map_key_ok(t->fields[i].type))
                return false;
        return true;
    default:
        return true;
    }
}

/* Appends `s` as a JSON string the way Jackson escapes it. */
static int write_string(eddy_buf *b, const char *s, size_t n);

int eddy_serde_json_init(eddy_serde *s, char *errstr, size_t errstr_size)
{
    const eddy_schema *sc = s->schema;
    for (uint32_t i = 0; i < s->ncols; i++)
        if (!map_key_ok(sc->cols[s->cols[i]].type))
            return eddy_seterr(errstr, errstr_size, EDDY_EINVAL,
                               "JSON only supports MAP types with STRING keys");
    eddy_jplan *pl = eddy_arena_calloc(s->mem, 1, sizeof *pl);
    const char **names = eddy_arena_calloc(s->mem, s->ncols + 1, sizeof *names);
    const eddy_type **types = eddy_arena_calloc(s->mem, s->ncols + 1, sizeof *types);
    s->jprefix = eddy_arena_calloc(s->mem, s->ncols + 1, sizeof *s->jprefix);
    s->jprefix_len = eddy_arena_calloc(s->mem, s->ncols + 1, sizeof *s->jprefix_len);
    if (!pl || !names || !types || !s->jprefix || !s->jprefix_len)
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    pl->id = EDDY_TYPE_STRUCT;
    for (uint32_t i = 0; i < s->ncols; i++) {
        const eddy_column *c = &sc->cols[s->cols[i]];
        names[i] = c->name;
        types[i] = c->type;
        eddy_buf b = {0};
        int rc = write_string(&b, c->name, strlen(c->name));
        if (!rc)
            rc = eddy_buf_putc(&b, ':');
        char *p = rc ? NULL : eddy_arena_strndup(s->mem, b.data, b.len);
        s->jprefix_len[i] = (uint32_t)b.len;
        eddy_buf_free(&b);
        if (!p)
            return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
        s->jprefix[i] = p;
    }
    if (plan_fields(s->mem, pl, s->ncols, names, types))
        return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM, "out of memory");
    s->jplan = pl;
    return 0;
}

/* ============================================================ reading */

enum { SEG_NAME = 1, SEG_INDEX, SEG_KEY };
#define MAX_SEGS 24

typedef struct jctx {
    const uint8_t *p, *end, *base;
    eddy_arena *arena;
    int depth;
    /* the last error */
    bool syntax;    /* malformed JSON: reported first, whatever else is wrong */
    size_t off;     /* syntax: byte offset */
    char msg[256];
    uint32_t nseg;  /* path segments pushed while unwinding, innermost first */
    struct {
        uint8_t kind;
        uint32_t len;
        const char *s;
        int64_t idx;
    } seg[MAX_SEGS];
} jctx;

static int jsyntax(jctx *c, const uint8_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int jsyntax(jctx *c, const uint8_t *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->syntax = true;
    c->off = (size_t)(at - c->base);
    return EDDY_EPARSE;
}

/* A value that is well-formed JSON but does not convert to the target type. */
static int jconv(jctx *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int jconv(jctx *c, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    c->syntax = false;
    c->nseg = 0;
    return code;
}

static void seg_push(jctx *c, uint8_t kind, const char *s, size_t len, int64_t idx)
{
    uint32_t i = c->nseg++ % MAX_SEGS;
    c->seg[i].kind = kind;
    c->seg[i].s = s;
    c->seg[i].len = (uint32_t)(len > 64 ? 64 : len);
    c->seg[i].idx = idx;
}

static int jnomem(jctx *c)
{
    snprintf(c->msg, sizeof c->msg, "out of memory");
    c->syntax = true; /* not recoverable */
    c->off = (size_t)(c->p - c->base);
    return EDDY_ENOMEM;
}

/* bytes that need no attention inside a string: 0x20..0x7f but '"' and '\\' */
static const uint8_t plain_char[256] = {
    [0x20] = 1, [0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7f] = 1,
};

static inline const uint8_t *skip_ws(const uint8_t *p, const uint8_t *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

static void char_desc(char *d, size_t size, const uint8_t *p, const uint8_t *end)
{
    if (p >= end)
        snprintf(d, size, "end of input");
    else if (*p >= 0x21 && *p < 0x7f)
        snprintf(d, size, "character '%c'", *p);
    else
        snprintf(d, size, "character (code %u)", *p);
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int read_hex4(const uint8_t *p, const uint8_t *end, unsigned *out)
{
    if (end - p < 4)
        return -1;
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v << 4 | (unsigned)h;
    }
    *out = v;
    return 0;
}

/* Validates one escape at p (p[0] == '\\'); returns its length and the code point. */
static int escape_at(jctx *c, const uint8_t *p, size_t *len, unsigned *cp)
{
    const uint8_t *end = c->end;
    if (p + 1 >= end)
        return jsyntax(c, p, "unterminated string");
    switch (p[1]) {
    case '"': *cp = '"'; break;
    case '\\': *cp = '\\'; break;
    case '/': *cp = '/'; break;
    case 'b': *cp = '\b'; break;
    case 'f': *cp = '\f'; break;
    case 'n': *cp = '\n'; break;
    case 'r': *cp = '\r'; break;
    case 't': *cp = '\t'; break;
    case 'u': {
        unsigned u;
        if (read_hex4(p + 2, end, &u))
            return jsyntax(c, p, "invalid \\u escape (4 hex digits expected)");
        if (u >= 0xDC00 && u <= 0xDFFF)
            return jsyntax(c, p, "invalid \\u escape: lone low surrogate \\u%04X", u);
        if (u >= 0xD800 && u <= 0xDBFF) {
            unsigned lo;
            if (end - p < 12 || p[6] != '\\' || p[7] != 'u' || read_hex4(p + 8, end, &lo) ||
                lo < 0xDC00 || lo > 0xDFFF)
                return jsyntax(c, p, "invalid \\u escape: high surrogate \\u%04X not followed "
                                     "by a low surrogate", u);
            *cp = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            *len = 12;
            return 0;
        }
        *cp = u;
        *len = 6;
        return 0;
    }
    default:
        if (p[1] >= 0x21 && p[1] < 0x7f)
            return jsyntax(c, p, "invalid escape sequence '\\%c'", p[1]);
        return jsyntax(c, p, "invalid escape sequence (code %u after '\\')", p[1]);
    }
    *len = 2;
    return 0;
}

static size_t put_utf8(uint8_t *d, unsigned cp)
{
    if (cp < 0x80) {
        d[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (uint8_t)(0xC0 | cp >> 6);
        d[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (uint8_t)(0xE0 | cp >> 12);
        d[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        d[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (uint8_t)(0xF0 | cp >> 18);
    d[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
    d[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
    d[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* A string with escapes, from `start` (after the opening quote); `p` is at the first
 * backslash. Validates to the closing quote, then unescapes into the arena. */
static int string_slow(jctx *c, const uint8_t *start, const uint8_t *p, const char **s,
                       size_t *n)
{
    const uint8_t *end = c->end;
    for (;;) {
        if (p >= end)
            return jsyntax(c, start - 1, "unterminated string");
        uint8_t ch = *p;
        if (plain_char[ch]) {
            p++;
        } else if (ch == '"') {
            break;
        } else if (ch == '\\') {
            size_t len;
            unsigned cp;
            int rc = escape_at(c, p, &len, &cp);
            if (rc)
                return rc;
            p += len;
        } else if (ch < 0x20) {
            return jsyntax(c, p, "unescaped control character (code %u) in string", ch);
        } else {
            size_t l = eddy_serde_utf8_len(p, end);
            if (!l)
                return jsyntax(c, p, "invalid UTF-8 in string");
            p += l;
        }
    }
    const uint8_t *close = p;
    uint8_t *d = eddy_arena_alloc(c->arena, (size_t)(close - start) + 1);
    if (!d)
        return jnomem(c);
    size_t o = 0;
    for (const uint8_t *q = start; q < close;) {
        if (*q != '\\') {
            d[o++] = *q++;
            continue;
        }
        size_t len;
        unsigned cp;
        escape_at(c, q, &len, &cp); /* already validated */
        o += put_utf8(d + o, cp);
        q += len;
    }
    d[o] = '\0';
    *s = (const char *)d;
    *n = o;
    c->p = close + 1;
    return 0;
}

/* The string whose opening quote is at c->p. Its content is a view of the input when it
 * has no escape, else a copy in the arena. c->p ends past the closing quote. */
static inline __attribute__((always_inline)) int read_string(jctx *c, const char **s,
                                                             size_t *n)
{
    const uint8_t *start = c->p + 1, *p = start, *end = c->end;
    for (;;) {
#ifdef __SSE2__
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)p);
            __m128i m = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))); /* also flags bytes >= 0x80 */
            unsigned mask = (unsigned)_mm_movemask_epi8(m);
            if (mask) {
                p += __builtin_ctz(mask);
                goto special;
            }
            p += 16;
        }
#endif
        while (p < end && plain_char[*p])
            p++;
        if (p >= end)
            return jsyntax(c, start - 1, "unterminated string");
#ifdef __SSE2__
    special:
#endif
        if (*p == '"') {
            *s = (const char *)start;
            *n = (size_t)(p - start);
            c->p = p + 1;
            return 0;
        }
        if (*p == '\\')
            return string_slow(c, start, p, s, n);
        if (*p < 0x20)
            return jsyntax(c, p, "unescaped control character (code %u) in string", *p);
        size_t l = eddy_serde_utf8_len(p, end);
        if (!l)
            return jsyntax(c, p, "invalid UTF-8 in string");
        p += l;
    }
}

typedef struct jnum {
    const char *s;
    uint32_t len;
    bool neg, is_int, big; /* big: more than 19 significant digits */
    uint64_t mant;         /* the significant digits (when !big) */
    int32_t exp10;         /* value = mant * 10^exp10 (when !big) */
} jnum;

#define ISDIG(ch) ((unsigned)((ch) - '0') < 10u)

static inline __attribute__((always_inline)) int read_number(jctx *c, jnum *n)
{
    const uint8_t *p = c->p, *end = c->end, *start = p;
    bool neg = false, big = false, is_int = true;
    uint64_t m = 0;
    int sig = 0;
    int32_t e10 = 0;
    if (*p == '-') {
        neg = true;
        p++;
    }
    if (p >= end)
        return jsyntax(c, p, "unexpected end of input in a number");
    if (!ISDIG(*p)) {
        char d[32];
        char_desc(d, sizeof d, p, end);
        return jsyntax(c, p, "unexpected %s in a number (a digit expected)", d);
    }
    if (*p == '0') {
        p++;
        if (p < end && ISDIG(*p))
            return jsyntax(c, p - 1, "invalid number: leading zeros are not allowed");
    } else {
        while (p < end && ISDIG(*p)) {
            if (sig < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                sig++;
            } else
                big = true;
            p++;
        }
    }
    if (p < end && *p == '.') {
        is_int = false;
        p++;
        if (p >= end || !ISDIG(*p))
            return jsyntax(c, p, "invalid number: a digit must follow the decimal point");
        while (p < end && ISDIG(*p)) {
            if (m == 0 && *p == '0')
                e10--;
            else if (sig < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                sig++;
                e10--;
            } else
                big = true;
            p++;
        }
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        is_int = false;
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p >= end || !ISDIG(*p))
            return jsyntax(c, p, "invalid number: a digit must follow the exponent mark");
        int32_t x = 0;
        while (p < end && ISDIG(*p)) {
            if (x < 100000000)
                x = x * 10 + (*p - '0');
            p++;
        }
        e10 += eneg ? -x : x;
    }
    n->s = (const char *)start;
    n->len = (uint32_t)(p - start);
    n->neg = neg;
    n->is_int = is_int;
    n->big = big;
    n->mant = m;
    n->exp10 = e10;
    c->p = p;
    return 0;
}

/* The number truncated toward zero (Jackson's asLong()/intValue() on a BigDecimal), or
 * EDDY_ERANGE when that needs more than 64 bits. */
static int num_trunc(const jnum *n, int64_t *out)
{
    uint64_t u;
    if (!n->big && (n->is_int || n->exp10 >= -19)) {
        u = n->mant;
        if (n->exp10 > 0) {
            for (int32_t i = 0; i < n->exp10 && u; i++) {
                if (u > UINT64_MAX / 10)
                    return EDDY_ERANGE;
                u *= 10;
            }
        } else {
            for (int32_t i = 0; i < -n->exp10; i++)
                u /= 10;
        }
    } else if (!n->big) {
        u = 0; /* |value| < 1 */
    } else {
        /* more than 19 significant digits: work on the text */
        const char *s = n->s + n->neg, *e = n->s + n->len;
        const char *ip = s;
        while (s < e && ISDIG(*s))
            s++;
        size_t ni = (size_t)(s - ip);
        const char *fp = s;
        size_t nf = 0;
        if (s < e && *s == '.') {
            fp = ++s;
            while (s < e && ISDIG(*s))
                s++;
            nf = (size_t)(s - fp);
        }
        int64_t exp = 0;
        if (s < e) { /* e/E */
            s++;
            bool eneg = false;
            if (*s == '+' || *s == '-')
                eneg = *s++ == '-';
            for (; s < e; s++)
                if (exp < 1000000000)
                    exp = exp * 10 + (*s - '0');
            if (eneg)
                exp = -exp;
        }
        size_t nd = ni + nf, z = 0;
#define NDIG(k) ((k) < ni ? ip[k] : fp[(k) - ni])
        while (z < nd && NDIG(z) == '0')
            z++;
        int64_t point = (int64_t)ni + exp; /* digits left of the point */
        if (z == nd || point <= (int64_t)z) {
            u = 0;
        } else {
            if (point - (int64_t)z > 20)
                return EDDY_ERANGE;
            unsigned __int128 acc = 0;
            for (int64_t k = (int64_t)z; k < point; k++) {
                acc = acc * 10 + (unsigned)((size_t)k < nd ? NDIG((size_t)k) - '0' : 0);
                if (acc > UINT64_MAX)
                    return EDDY_ERANGE;
            }
            u = (uint64_t)acc;
        }
#undef NDIG
    }
    if (n->neg) {
        if (u > (uint64_t)INT64_MAX + 1)
            return EDDY_ERANGE;
        *out = (int64_t)(0 - u);
    } else {
        if (u > (uint64_t)INT64_MAX)
            return EDDY_ERANGE;
        *out = (int64_t)u;
    }
    return 0;
}

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Correctly rounded: exact operands when they allow it (Clinger's fast path), else strtod. */
static double num_double(const jnum *n)
{
    if (!n->big && n->mant <= (1ull << 53) && n->exp10 >= -22 && n->exp10 <= 22) {
        double d = (double)n->mant;
        d = n->exp10 < 0 ? d / pow10_exact[-n->exp10] : d * pow10_exact[n->exp10];
        return n->neg ? -d : d;
    }
    return eddy_serde_strtod(n->s, n->len);
}

static int read_literal(jctx *c, const char *lit, size_t n)
{
    const uint8_t *p = c->p;
    if ((size_t)(c->end - p) < n || memcmp(p, lit, n) != 0) {
        const uint8_t *q = p;
        while (q < c->end && q - p < 32 && ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z'))
            q++;
        if (q == p)
            q++;
        return jsyntax(c, p, "unrecognized token '%.*s': was expecting a JSON value",
                       (int)(q - p), (const char *)p);
    }
    c->p = p + n;
    return 0;
}

/* Skips one value, checking that it is well-formed JSON. Iterative: the depth of what is
 * skipped is bounded by EDDY_SERDE_MAX_DEPTH, not by the C stack. */
static int skip_value(jctx *c)
{
    uint8_t stack[(EDDY_SERDE_MAX_DEPTH + 7) / 8 + 1]; /* bit set: 1 = object */
    int depth = 0, rc;
    const uint8_t *end = c->end;
    const char *s;
    size_t n;
value:
    c->p = skip_ws(c->p, end);
    if (c->p >= end)
        return jsyntax(c, c->p, "unexpected end of input (a value expected)");
    switch (*c->p) {
    case '{':
    case '[': {
        bool obj = *c->p == '{';
        if (c->depth + depth + 1 > EDDY_SERDE_MAX_DEPTH)
            return jsyntax(c, c->p, "document nesting depth exceeds the maximum allowed (%d)",
                           EDDY_SERDE_MAX_DEPTH);
        if (obj)
            stack[depth >> 3] |= (uint8_t)(1u << (depth & 7));
        else
            stack[depth >> 3] &= (uint8_t)~(1u << (depth & 7));
        depth++;
        c->p = skip_ws(c->p + 1, end);
        if (c->p < end && *c->p == (obj ? '}' : ']')) {
            c->p++;
            depth--;
            goto after;
        }
        if (obj)
            goto key;
        goto value;
    }
    case '"':
        if ((rc = read_string(c, &s, &n)))
            return rc;
        goto after;
    case 't':
        if ((rc = read_literal(c, "true", 4)))
            return rc;
        goto after;
    case 'f':
        if ((rc = read_literal(c, "false", 5)))
            return rc;
        goto after;
    case 'n':
        if ((rc = read_literal(c, "null", 4)))
            return rc;
        goto after;
    default:
        if (*c->p == '-' || ISDIG(*c->p)) {
            jnum num = {0};
            if ((rc = read_number(c, &num)))
                return rc;
            goto after;
        } else {
            char d[32];
            char_desc(d, sizeof d, c->p, end);
            return jsyntax(c, c->p, "unexpected %s (a value expected)", d);
        }
    }
key:
    if (c->p >= end || *c->p != '"') {
        char d[32];
        char_desc(d, sizeof d, c->p, end);
        return jsyntax(c, c->p, "unexpected %s (a field name expected)", d);
    }
    if ((rc = read_string(c, &s, &n)))
        return rc;
    c->p = skip_ws(c->p, end);
    if (c->p >= end || *c->p != ':') {
        char d[32];
        char_desc(d, sizeof d, c->p, end);
        return jsyntax(c, c->p, "unexpected %s (':' expected)", d);
    }
    c->p++;
    goto value;
after:
    if (depth == 0)
        return 0;
    c->p = skip_ws(c->p, end);
    {
        bool obj = stack[(depth - 1) >> 3] & (1u << ((depth - 1) & 7));
        if (c->p < end && *c->p == ',') {
            c->p = skip_ws(c->p + 1, end);
            if (obj)
                goto key;
            goto value;
        }
        if (c->p < end && *c->p == (obj ? '}' : ']')) {
            c->p++;
            depth--;
            goto after;
        }
        char d[32];
        char_desc(d, sizeof d, c->p, end);
        return jsyntax(c, c->p, "unexpected %s ('%c' or ',' expected)", d, obj ? '}' : ']');
    }
}

/* --------------------------------------------------- value conversion */

static const char *tname(const eddy_jplan *pl, char *buf, size_t size)
{
    if (!pl->type)
        return "STRUCT";
    return eddy_serde_type_name(pl->type, buf, size);
}

static int type_error(jctx *c, const eddy_jplan *pl, const char *got)
{
    char tb[128];
    return jconv(c, EDDY_ETYPE, "expected %s, got %s", tname(pl, tb, sizeof tb), got);
}

static int string_error(jctx *c, const eddy_jplan *pl, const char *s, size_t n)
{
    char sn[80], got[96];
    eddy_serde_snippet(sn, sizeof sn, s, n);
    snprintf(got, sizeof got, "string %s", sn);
    return type_error(c, pl, got);
}

static int range_error(jctx *c, const eddy_jplan *pl, const char *s, size_t n)
{
    char tb[128];
    return jconv(c, EDDY_ERANGE, "value %.*s is out of range for %s", (int)(n > 60 ? 60 : n), s,
                 tname(pl, tb, sizeof tb));
}

#define TIME_MAX_MS 86399999

static int from_string(jctx *c, const eddy_jplan *pl, const char *s, size_t n, eddy_value *out)
{
    int64_t v;
    int rc;
    switch (pl->id) {
    case EDDY_TYPE_STRING:
        sv_str(out, EDDY_TYPE_STRING, s, n);
        return 0;
    case EDDY_TYPE_BYTES: {
        /* Java's Base64 decoder: the standard alphabet, at most two '=' and only at the end */
        size_t pad = 0;
        while (pad < n && s[n - 1 - pad] == '=')
            pad++;
        bool ok = pad <= 2 && (!pad || n % 4 == 0);
        for (size_t i = 0; ok && i < n - pad; i++)
            ok = s[i] != '-' && s[i] != '_';
        uint8_t *d = NULL;
        size_t dl = 0;
        if (ok && (rc = eddy_base64_decode(c->arena, s, n, &d, &dl)) == EDDY_ENOMEM)
            return jnomem(c);
        if (!ok || rc)
            return string_error(c, pl, s, n);
        sv_str(out, EDDY_TYPE_BYTES, d, dl);
        return 0;
    }
    case EDDY_TYPE_INT:
    case EDDY_TYPE_DATE:
        rc = eddy_serde_parse_long(s, n, INT32_MIN, INT32_MAX, &v);
        break;
    case EDDY_TYPE_TIME:
        rc = eddy_serde_parse_long(s, n, 0, TIME_MAX_MS, &v);
        break;
    case EDDY_TYPE_BIGINT:
    case EDDY_TYPE_TIMESTAMP:
        rc = eddy_serde_parse_long(s, n, INT64_MIN, INT64_MAX, &v);
        break;
    case EDDY_TYPE_DOUBLE: {
        double d;
        if (eddy_serde_parse_double(s, n, &d))
            return string_error(c, pl, s, n);
        sv_f64(out, d);
        return 0;
    }
    case EDDY_TYPE_DECIMAL: {
        __int128 u, fit;
        int scale, prec;
        rc = eddy_serde_parse_bigdecimal(s, n, &u, &scale, &prec);
        if (rc == EDDY_EPARSE)
            return string_error(c, pl, s, n);
        if (rc) {
            char tb[64];
            return jconv(c, EDDY_ERANGE, "Cannot fit decimal '%.*s' into %s without rounding",
                         (int)(n > 60 ? 60 : n), s, tname(pl, tb, sizeof tb));
        }
        char msg[200];
        if (eddy_serde_decimal_fit(u, scale, prec, pl->type, &fit, msg, sizeof msg))
            return jconv(c, EDDY_ERANGE, "%s", msg);
        sv_dec(out, fit, pl->type->precision, pl->type->scale);
        return 0;
    }
    default:
        return string_error(c, pl, s, n);
    }
    if (rc == EDDY_EPARSE)
        return string_error(c, pl, s, n);
    if (rc)
        return range_error(c, pl, s, n);
    switch (pl->id) {
    case EDDY_TYPE_INT: sv_i32(out, EDDY_TYPE_INT, (int32_t)v); break;
    case EDDY_TYPE_DATE: sv_i32(out, EDDY_TYPE_DATE, (int32_t)v); break;
    case EDDY_TYPE_TIME: sv_i32(out, EDDY_TYPE_TIME, (int32_t)v); break;
    case EDDY_TYPE_BIGINT: sv_i64(out, EDDY_TYPE_BIGINT, v); break;
    default: sv_i64(out, EDDY_TYPE_TIMESTAMP, v); break;
    }
    return 0;
}

static inline __attribute__((always_inline)) int from_number(jctx *c, const eddy_jplan *pl,
                                                             const jnum *num, eddy_value *out)
{
    int64_t v;
    switch (pl->id) {
    case EDDY_TYPE_INT:
        if (num->is_int && !num->big) { /* the common case, inline */
            if (num->mant > (uint64_t)INT32_MAX + num->neg)
                return range_error(c, pl, num->s, num->len);
            sv_i32(out, EDDY_TYPE_INT,
                   num->neg ? (int32_t)(0 - (uint32_t)num->mant) : (int32_t)num->mant);
            return 0;
        }
        if (num_trunc(num, &v) || v < INT32_MIN || v > INT32_MAX)
            return range_error(c, pl, num->s, num->len);
        sv_i32(out, EDDY_TYPE_INT, (int32_t)v);
        return 0;
    case EDDY_TYPE_BIGINT:
    case EDDY_TYPE_TIMESTAMP:
        if (num_trunc(num, &v))
            return range_error(c, pl, num->s, num->len);
        sv_i64(out, pl->id, v);
        return 0;
    case EDDY_TYPE_DATE:
        if (num_trunc(num, &v) || v < INT32_MIN || v > INT32_MAX)
            return range_error(c, pl, num->s, num->len);
        sv_i32(out, EDDY_TYPE_DATE, (int32_t)v);
        return 0;
    case EDDY_TYPE_TIME:
        if (num_trunc(num, &v) || v < 0 || v > TIME_MAX_MS)
            return range_error(c, pl, num->s, num->len);
        sv_i32(out, EDDY_TYPE_TIME, (int32_t)v);
        return 0;
    case EDDY_TYPE_DOUBLE:
        sv_f64(out, num_double(num));
        return 0;
    case EDDY_TYPE_DECIMAL: {
        __int128 u, fit;
        int scale, prec;
        int rc = eddy_serde_parse_bigdecimal(num->s, num->len, &u, &scale, &prec);
        if (rc) {
            char tb[64];
            return jconv(c, EDDY_ERANGE, "Cannot fit decimal '%.*s' into %s without rounding",
                         (int)(num->len > 60 ? 60 : num->len), num->s,
                         tname(pl, tb, sizeof tb));
        }
        char msg[200];
        if (eddy_serde_decimal_fit(u, scale, prec, pl->type, &fit, msg, sizeof msg))
            return jconv(c, EDDY_ERANGE, "%s", msg);
        sv_dec(out, fit, pl->type->precision, pl->type->scale);
        return 0;
    }
    case EDDY_TYPE_STRING: {
        if (num->is_int && !(num->len == 2 && num->neg && num->s[1] == '0')) {
            sv_str(out, EDDY_TYPE_STRING, num->s, num->len); /* the digits as written */
            return 0;
        }
        eddy_buf b = {0};
        int rc = eddy_serde_json_number_text(&b, num->s, num->len);
        char *d = rc ? NULL : eddy_arena_strndup(c->arena, b.data ? b.data : "", b.len);
        size_t len = b.len;
        eddy_buf_free(&b);
        if (!d)
            return jnomem(c);
        sv_str(out, EDDY_TYPE_STRING, d, len);
        return 0;
    }
    default: {
        char got[96];
        snprintf(got, sizeof got, "number %.*s", (int)(num->len > 60 ? 60 : num->len), num->s);
        return type_error(c, pl, got);
    }
    }
}

/* ---------------------------------------- containers as STRING (text) */

/* ksqlDB's JSON reader gives a STRING column the JSON text of an object (as Jackson writes
 * it back: compact, numbers as BigDecimal prints them) and, for an array, "[a, b]" where each
 * element is rendered the same way recursively (strings without quotes). */
static int write_string(eddy_buf *b, const char *s, size_t n);

static int text_value(jctx *c, eddy_buf *b, bool list);

static int text_container(jctx *c, eddy_buf *b, bool list)
{
    bool obj = *c->p == '{';
    int rc;
    if (++c->depth > EDDY_SERDE_MAX_DEPTH)
        return jsyntax(c, c->p, "document nesting depth exceeds the maximum allowed (%d)",
                       EDDY_SERDE_MAX_DEPTH);
    if ((rc = eddy_buf_putc(b, obj ? '{' : '[')))
        return jnomem(c);
    c->p = skip_ws(c->p + 1, c->end);
    if (c->p < c->end && *c->p == (obj ? '}' : ']')) {
        c->p++;
        c->depth--;
        return eddy_buf_putc(b, obj ? '}' : ']') ? jnomem(c) : 0;
    }
    for (bool first = true;; first = false) {
        if (!first && eddy_buf_puts(b, obj || !list ? "," : ", "))
            return jnomem(c);
        c->p = skip_ws(c->p, c->end);
        if (obj) {
            const char *k;
            size_t kl;
            if (c->p >= c->end || *c->p != '"') {
                char d[32];
                char_desc(d, sizeof d, c->p, c->end);
                return jsyntax(c, c->p, "unexpected %s (a field name expected)", d);
            }
            if ((rc = read_string(c, &k, &kl)))
                return rc;
            if (write_string(b, k, kl) || eddy_buf_putc(b, ':'))
                return jnomem(c);
            c->p = skip_ws(c->p, c->end);
            if (c->p >= c->end || *c->p != ':') {
                char d[32];
                char_desc(d, sizeof d, c->p, c->end);
                return jsyntax(c, c->p, "unexpected %s (':' expected)", d);
            }
            c->p = skip_ws(c->p + 1, c->end);
        }
        if ((rc = text_value(c, b, obj ? false : list)))
            return rc;
        c->p = skip_ws(c->p, c->end);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == (obj ? '}' : ']')) {
            c->p++;
            break;
        }
        char d[32];
        char_desc(d, sizeof d, c->p, c->end);
        return jsyntax(c, c->p, "unexpected %s ('%c' or ',' expected)", d, obj ? '}' : ']');
    }
    c->depth--;
    return eddy_buf_putc(b, obj ? '}' : ']') ? jnomem(c) : 0;
}

static int text_value(jctx *c, eddy_buf *b, bool list)
{
    int rc;
    if (c->p >= c->end)
        return jsyntax(c, c->p, "unexpected end of input (a value expected)");
    switch (*c->p) {
    case '{':
        return text_container(c, b, false);
    case '[':
        return text_container(c, b, list);
    case '"': {
        const char *s;
        size_t n;
        if ((rc = read_string(c, &s, &n)))
            return rc;
        rc = list ? eddy_buf_append(b, s, n) : write_string(b, s, n);
        return rc ? jnomem(c) : 0;
    }
    case 't':
        if ((rc = read_literal(c, "true", 4)))
            return rc;
        return eddy_buf_puts(b, "true") ? jnomem(c) : 0;
    case 'f':
        if ((rc = read_literal(c, "false", 5)))
            return rc;
        return eddy_buf_puts(b, "false") ? jnomem(c) : 0;
    case 'n':
        if ((rc = read_literal(c, "null", 4)))
            return rc;
        return eddy_buf_puts(b, "null") ? jnomem(c) : 0;
    default:
        if (*c->p == '-' || ISDIG(*c->p)) {
            jnum num = {0};
            if ((rc = read_number(c, &num)))
                return rc;
            return eddy_serde_json_number_text(b, num.s, num.len) ? jnomem(c) : 0;
        } else {
            char d[32];
            char_desc(d, sizeof d, c->p, c->end);
            return jsyntax(c, c->p, "unexpected %s (a value expected)", d);
        }
    }
}

static int read_as_text(jctx *c, eddy_value *out)
{
    eddy_buf b = {0};
    int rc = text_container(c, &b, true);
    if (!rc) {
        char *d = eddy_arena_strndup(c->arena, b.data ? b.data : "", b.len);
        if (!d)
            rc = jnomem(c);
        else
            sv_str(out, EDDY_TYPE_STRING, d, b.len);
    }
    eddy_buf_free(&b);
    return rc;
}

/* ------------------------------------------------- typed containers */

static int read_value(jctx *c, const eddy_jplan *pl, eddy_value *out);

static inline bool recoverable(jctx *c, int rc) { return rc != EDDY_ENOMEM && !c->syntax; }

/* a[0..n) == b[0..n), inline: 8 bytes at a time, the tail as one overlapping load */
static inline bool same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint64_t x, y;
    if (n >= 8) {
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
            memcpy(&x, a + i, 8);
            memcpy(&y, b + i, 8);
            if (x != y)
                return false;
        }
        if (i == n)
            return true;
        memcpy(&x, a + n - 8, 8);
        memcpy(&y, b + n - 8, 8);
        return x == y;
    }
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* 2: the JSON name is the field's; 1: its upper-cased form is; 0: no match. */
static inline __attribute__((always_inline)) int match_rank(const eddy_jplan *pl, uint32_t i,
                                                            const uint8_t *k, size_t kl)
{
    if (pl->lens[i] != kl)
        return 0;
    const uint8_t *nm = (const uint8_t *)pl->names[i];
    if (same_bytes(nm, k, kl))
        return 2;
    if (pl->lower[i] && same_bytes((const uint8_t *)pl->lower[i], k, kl))
        return 1;
    for (size_t j = 0; j < kl; j++)
        if (upc(k[j]) != nm[j])
            return 0;
    return 1;
}

/* Reads the fields of an object (c->p at '{') into vals[map[i]] (map NULL: vals[i]).
 * ksqlDB matches a field by its exact name, else by the JSON name upper-cased; here the
 * first case-insensitive match wins over later ones, an exact match over any, and a later
 * exact duplicate over an earlier one (Jackson keeps the last). Missing fields are NULL,
 * unknown ones skipped. When values fail to convert, the whole object is still read (a
 * syntax error anywhere takes precedence, as Jackson parses before ksqlDB converts) and the
 * first failing field in schema order is reported. c->p ends past the '}' in every case but
 * a syntax error. */
static int read_fields(jctx *c, const eddy_jplan *pl, eddy_value *vals, const uint32_t *map)
{
    uint32_t n = pl->n;
    uint8_t rank_s[64], err_s[64];
    uint32_t off_s[64];
    uint8_t *rank = rank_s, *errf = err_s;
    uint32_t *off = off_s;
    const uint8_t *end = c->end;
    int rc;
    if (n > 64) {
        rank = eddy_arena_alloc(c->arena, 2 * (size_t)n);
        off = eddy_arena_alloc(c->arena, sizeof *off * (size_t)n);
        if (!rank || !off)
            return jnomem(c);
        errf = rank + n;
    }
    memset(rank, 0, n);
    memset(errf, 0, n);
#define V(i) (map ? &vals[map[i]] : &vals[i])
    if (++c->depth > EDDY_SERDE_MAX_DEPTH)
        return jsyntax(c, c->p, "document nesting depth exceeds the maximum allowed (%d)",
                       EDDY_SERDE_MAX_DEPTH);
    c->p = skip_ws(c->p + 1, end);
    bool anyerr = false;
    if (c->p < end && *c->p == '}') {
        c->p++;
        c->depth--;
        for (uint32_t i = 0; i < n; i++)
            sv_null(V(i), pl->kids[i]->id);
        return 0;
    }
    uint32_t pred = 0;
    for (;;) {
        if (c->p >= end || *c->p != '"') {
            char d[32];
            char_desc(d, sizeof d, c->p, end);
            return jsyntax(c, c->p, "unexpected %s (a field name expected)", d);
        }
        const char *ks;
        size_t kl;
        if ((rc = read_string(c, &ks, &kl)))
            return rc;
        const uint8_t *k = (const uint8_t *)ks;
        const uint8_t *p = c->p;
        if (p < end && *p == ':')
            p++;
        else {
            p = skip_ws(p, end);
            if (p >= end || *p != ':') {
                char d[32];
                char_desc(d, sizeof d, p, end);
                return jsyntax(c, p, "unexpected %s (':' expected)", d);
            }
            p++;
        }
        c->p = skip_ws(p, end);

        /* which fields take this value */
        uint32_t win[8];
        uint8_t wrank[8];
        uint32_t nw = 0;
        int r;
        if (pred < n && !pl->twin[pred] && (r = match_rank(pl, pred, k, kl))) {
            win[0] = pred;
            wrank[0] = (uint8_t)r;
            nw = 1;
        } else {
            uint32_t h = name_hash(k, kl);
            for (uint32_t slot = h & pl->mask; pl->slots[slot]; slot = (slot + 1) & pl->mask) {
                uint32_t i = pl->slots[slot] - 1;
                if (pl->hash[i] == h && (r = match_rank(pl, i, k, kl)) && nw < 8) {
                    win[nw] = i;
                    wrank[nw++] = (uint8_t)r;
                    if (!pl->twin[i])
                        break;
                }
            }
        }
        uint32_t keep = 0;
        for (uint32_t j = 0; j < nw; j++) {
            uint32_t i = win[j];
            /* first case-insensitive match, exact over that, last exact duplicate */
            if (rank[i] == 0 || wrank[j] > rank[i] || (wrank[j] == 2 && rank[i] == 2)) {
                win[keep] = i;
                wrank[keep++] = wrank[j];
            }
        }
        nw = keep;
        if (nw)
            pred = win[0] + 1;
        if (nw == 0) {
            if ((rc = skip_value(c)))
                return rc;
        } else {
            const uint8_t *vstart = c->p, *vend = NULL;
            for (uint32_t j = 0; j < nw; j++) {
                uint32_t i = win[j];
                c->p = vstart;
                rc = read_value(c, pl->kids[i], V(i));
                rank[i] = wrank[j];
                off[i] = (uint32_t)(vstart - c->base);
                if (!rc) {
                    errf[i] = 0;
                    vend = c->p;
                } else if (recoverable(c, rc)) {
                    errf[i] = 1;
                    anyerr = true;
                    sv_null(V(i), pl->kids[i]->id);
                } else
                    return rc;
            }
            if (vend)
                c->p = vend;
            else {
                c->p = vstart;
                if ((rc = skip_value(c)))
                    return rc;
            }
        }
        p = c->p;
        if (p < end && *p == ',') {
            c->p = skip_ws(p + 1, end);
            continue;
        }
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            c->p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}') {
            c->p = p + 1;
            break;
        }
        char d[32];
        char_desc(d, sizeof d, p, end);
        return jsyntax(c, p, "unexpected %s ('}' or ',' expected)", d);
    }
    c->depth--;
    for (uint32_t i = 0; i < n; i++) /* missing fields are NULL */
        if (!rank[i])
            sv_null(V(i), pl->kids[i]->id);
    if (!anyerr)
        return 0;
    /* report the first failing field in schema order: convert it again for the message */
    const uint8_t *after = c->p;
    for (uint32_t i = 0; i < n; i++) {
        if (!errf[i])
            continue;
        eddy_value scratch;
        c->p = c->base + off[i];
        rc = read_value(c, pl->kids[i], &scratch);
        c->p = after;
        if (!rc) /* cannot happen: the same bytes fail the same way */
            rc = jconv(c, EDDY_EINTERNAL, "conversion is not deterministic");
        if (recoverable(c, rc))
            seg_push(c, SEG_NAME, pl->names[i], pl->lens[i], 0);
        return rc;
    }
#undef V
    return 0;
}

static int read_array(jctx *c, const eddy_jplan *pl, eddy_value *out)
{
    eddy_value local[16];
    eddy_value *items = local;
    uint32_t n = 0, cap = 16;
    int rc;
    const uint8_t *end = c->end;
    if (++c->depth > EDDY_SERDE_MAX_DEPTH)
        return jsyntax(c, c->p, "document nesting depth exceeds the maximum allowed (%d)",
                       EDDY_SERDE_MAX_DEPTH);
    c->p = skip_ws(c->p + 1, end);
    if (c->p < end && *c->p == ']') {
        c->p++;
    } else {
        for (;;) {
            if (n == cap) {
                eddy_value *bigger = eddy_arena_alloc(c->arena, sizeof *bigger * cap * 2);
                if (!bigger)
                    return jnomem(c);
                memcpy(bigger, items, sizeof *items * n);
                items = bigger;
                cap *= 2;
            }
            if ((rc = read_value(c, pl->elem, &items[n]))) {
                if (recoverable(c, rc))
                    seg_push(c, SEG_INDEX, NULL, 0, n);
                return rc;
            }
            n++;
            c->p = skip_ws(c->p, end);
            if (c->p < end && *c->p == ',') {
                c->p = skip_ws(c->p + 1, end);
                continue;
            }
            if (c->p < end && *c->p == ']') {
                c->p++;
                break;
            }
            char d[32];
            char_desc(d, sizeof d, c->p, end);
            return jsyntax(c, c->p, "unexpected %s (']' or ',' expected)", d);
        }
    }
    c->depth--;
    if (items == local && n) {
        items = eddy_arena_alloc(c->arena, sizeof *items * n);
        if (!items)
            return jnomem(c);
        memcpy(items, local, sizeof *items * n);
    }
    out->type = EDDY_TYPE_ARRAY;
    out->is_null = 0;
    out->len = n;
    out->u.items = n ? items : NULL;
    return 0;
}

/* Finds key `k` among the n keys of kv (key, value, key, value...), -1 if absent. A hash
 * index (idx, 2^bits slots) is used once maps grow past a few entries. */
static int64_t map_find(const eddy_value *kv, uint32_t n, const uint32_t *idx, uint32_t mask,
                        const char *k, size_t kl, uint32_t h)
{
    if (!idx) {
        for (uint32_t i = 0; i < n; i++)
            if (kv[2 * i].len == kl && memcmp(kv[2 * i].u.str, k, kl) == 0)
                return i;
        return -1;
    }
    for (uint32_t s = h & mask; idx[s]; s = (s + 1) & mask) {
        const eddy_value *key = &kv[2 * (idx[s] - 1)];
        if (key->len == kl && memcmp(key->u.str, k, kl) == 0)
            return idx[s] - 1;
    }
    return -1;
}

static uint32_t str_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static int read_map(jctx *c, const eddy_jplan *pl, eddy_value *out)
{
    eddy_value local[16]; /* 8 entries */
    eddy_value *kv = local;
    uint32_t n = 0, cap = 8;
    uint32_t *idx = NULL, mask = 0;
    const uint8_t *end = c->end;
    int rc;
    if (++c->depth > EDDY_SERDE_MAX_DEPTH)
        return jsyntax(c, c->p, "document nesting depth exceeds the maximum allowed (%d)",
                       EDDY_SERDE_MAX_DEPTH);
    c->p = skip_ws(c->p + 1, end);
    if (c->p < end && *c->p == '}') {
        c->p++;
    } else {
        for (;;) {
            if (c->p >= end || *c->p != '"') {
                char d[32];
                char_desc(d, sizeof d, c->p, end);
                return jsyntax(c, c->p, "unexpected %s (a field name expected)", d);
            }
            const char *k;
            size_t kl;
            if ((rc = read_string(c, &k, &kl)))
                return rc;
            c->p = skip_ws(c->p, end);
            if (c->p >= end || *c->p != ':') {
                char d[32];
                char_desc(d, sizeof d, c->p, end);
                return jsyntax(c, c->p, "unexpected %s (':' expected)", d);
            }
            c->p = skip_ws(c->p + 1, end);
            uint32_t h = idx ? str_hash(k, kl) : 0;
            int64_t at = map_find(kv, n, idx, mask, k, kl, h);
            eddy_value v;
            if ((rc = read_value(c, pl->elem, &v))) {
                if (recoverable(c, rc))
                    seg_push(c, SEG_KEY, k, kl, 0);
                return rc;
            }
            if (at >= 0) {
                kv[2 * at + 1] = v; /* Jackson: the last duplicate wins, in the first's place */
            } else {
                if (n == cap) {
                    eddy_value *bigger = eddy_arena_alloc(c->arena, sizeof *bigger * cap * 4);
                    if (!bigger)
                        return jnomem(c);
                    memcpy(bigger, kv, sizeof *kv * 2 * n);
                    kv = bigger;
                    cap *= 2;
                    /* (re)build the hash index */
                    mask = cap * 2 - 1;
                    idx = eddy_arena_calloc(c->arena, mask + 1, sizeof *idx);
                    if (!idx)
                        return jnomem(c);
                    for (uint32_t i = 0; i < n; i++) {
                        uint32_t s = str_hash(kv[2 * i].u.str, kv[2 * i].len) & mask;
                        while (idx[s])
                            s = (s + 1) & mask;
                        idx[s] = i + 1;
                    }
                    h = str_hash(k, kl);
                }
                sv_str(&kv[2 * n], EDDY_TYPE_STRING, k, kl);
                kv[2 * n + 1] = v;
                if (idx) {
                    uint32_t s = h & mask;
                    while (idx[s])
                        s = (s + 1) & mask;
                    idx[s] = n + 1;
                }
                n++;
            }
            c->p = skip_ws(c->p, end);
            if (c->p < end && *c->p == ',') {
                c->p = skip_ws(c->p + 1, end);
                continue;
            }
            if (c->p < end && *c->p == '}') {
                c->p++;
                break;
            }
            char d[32];
            char_desc(d, sizeof d, c->p, end);
            return jsyntax(c, c->p, "unexpected %s ('}' or ',' expected)", d);
        }
    }
    c->depth--;
    if (kv == local && n) {
        kv = eddy_arena_alloc(c->arena, sizeof *kv * 2 * n);
        if (!kv)
            return jnomem(c);
        memcpy(kv, local, sizeof *kv * 2 * n);
    }
    out->type = EDDY_TYPE_MAP;
    out->is_null = 0;
    out->len = n;
    out->u.items = n ? kv : NULL;
    return 0;
}

static int read_struct(jctx *c, const eddy_jplan *pl, eddy_value *out)
{
    eddy_value *items = eddy_arena_alloc(c->arena, sizeof *items * (pl->n ? pl->n : 1));
    if (!items)
        return jnomem(c);
    int rc = read_fields(c, pl, items, NULL);
    if (rc)
        return rc;
    out->type = EDDY_TYPE_STRUCT;
    out->is_null = 0;
    out->len = pl->n;
    out->u.items = items;
    return 0;
}

/* One value of the plan's type at c->p (after whitespace). A conversion error may leave
 * c->p anywhere inside the value: the caller re-reads from the value's start. */
static int read_value(jctx *c, const eddy_jplan *pl, eddy_value *out)
{
    const uint8_t *p = c->p;
    int rc;
    if (p >= c->end)
        return jsyntax(c, p, "unexpected end of input (a value expected)");
    switch (*p) {
    case '"': {
        const char *s;
        size_t n;
        if ((rc = read_string(c, &s, &n)))
            return rc;
        if (pl->id == EDDY_TYPE_STRING) {
            sv_str(out, EDDY_TYPE_STRING, s, n);
            return 0;
        }
        return from_string(c, pl, s, n, out);
    }
    case '-':
    case '0' ... '9': {
        jnum num;
        if ((rc = read_number(c, &num)))
            return rc;
        return from_number(c, pl, &num, out);
    }
    case 't':
    case 'f': {
        bool b = *p == 't';
        if ((rc = read_literal(c, b ? "true" : "false", b ? 4 : 5)))
            return rc;
        if (pl->id == EDDY_TYPE_BOOLEAN)
            sv_bool(out, b);
        else if (pl->id == EDDY_TYPE_STRING)
            sv_str(out, EDDY_TYPE_STRING, b ? "true" : "false", b ? 4 : 5);
        else
            return type_error(c, pl, b ? "boolean true" : "boolean false");
        return 0;
    }
    case 'n':
        if ((rc = read_literal(c, "null", 4)))
            return rc;
        sv_null(out, pl->id);
        return 0;
    case '{':
    case '[': {
        /* containers: on an error the depth is restored, as the caller goes on reading */
        int depth = c->depth;
        if (*p == '{' && pl->id == EDDY_TYPE_STRUCT)
            rc = read_struct(c, pl, out);
        else if (*p == '{' && pl->id == EDDY_TYPE_MAP)
            rc = read_map(c, pl, out);
        else if (*p == '[' && pl->id == EDDY_TYPE_ARRAY)
            rc = read_array(c, pl, out);
        else if (pl->id == EDDY_TYPE_STRING)
            rc = read_as_text(c, out);
        else
            return type_error(c, pl, *p == '{' ? "an object" : "an array");
        c->depth = depth;
        return rc;
    }
    default: {
        char d[32];
        char_desc(d, sizeof d, p, c->end);
        return jsyntax(c, p, "unexpected %s (a value expected)", d);
    }
    }
}

static const char *kind_of(uint8_t ch)
{
    switch (ch) {
    case '"': return "a string";
    case '[': return "an array";
    case 't':
    case 'f': return "a boolean";
    default: return "a number";
    }
}

static int decode_error(const eddy_serde *s, jctx *c, int rc, char *errstr, size_t errstr_size)
{
    if (c->syntax && rc != EDDY_ENOMEM)
        return eddy_seterr(errstr, errstr_size, rc,
                           "Failed to deserialize %s: invalid JSON at offset %zu: %s", s->what,
                           c->off, c->msg);
    if (rc == EDDY_ENOMEM)
        return eddy_seterr(errstr, errstr_size, rc, "Failed to deserialize %s: out of memory",
                           s->what);
    if (!c->nseg)
        return eddy_seterr(errstr, errstr_size, rc, "Failed to deserialize %s: %s", s->what,
                           c->msg);
    char path[512];
    size_t o = 0;
    uint32_t first = c->nseg > MAX_SEGS ? c->nseg - MAX_SEGS : 0;
    for (uint32_t k = c->nseg; k-- > first && o + 80 < sizeof path;) {
        const __typeof__(c->seg[0]) *sg = &c->seg[k % MAX_SEGS];
        if (sg->kind == SEG_NAME)
            o += (size_t)snprintf(path + o, sizeof path - o, "%s%.*s",
                                  k == c->nseg - 1 ? "" : ".", (int)sg->len, sg->s);
        else if (sg->kind == SEG_INDEX)
            o += (size_t)snprintf(path + o, sizeof path - o, "[%lld]", (long long)sg->idx);
        else
            o += (size_t)snprintf(path + o, sizeof path - o, "['%.*s']", (int)sg->len, sg->s);
        if (k == c->nseg - 1 && first)
            o += (size_t)snprintf(path + o, sizeof path - o, "...");
    }
    return eddy_seterr(errstr, errstr_size, rc, "Failed to deserialize %s: column '%s': %s",
                       s->what, path, c->msg);
}

int eddy_serde_json_decode(const eddy_serde *s, const uint8_t *buf, size_t len,
                           eddy_record *rec, eddy_arena *arena, char *errstr,
                           size_t errstr_size)
{
    jctx c;
    c.p = c.base = buf;
    c.end = buf + len;
    c.arena = arena;
    c.depth = 0;
    c.syntax = false;
    c.nseg = 0;
    c.msg[0] = '\0';
    if (len >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
        c.p += 3; /* a UTF-8 byte order mark, as Jackson allows */
    c.p = skip_ws(c.p, c.end);
    const uint8_t *start = c.p;
    int rc;
    if (c.p < c.end && *c.p == 'n') {
        if ((rc = read_literal(&c, "null", 4)))
            return decode_error(s, &c, rc, errstr, errstr_size);
        c.p = skip_ws(c.p, c.end);
        if (c.p != c.end)
            return decode_error(s, &c,
                                jsyntax(&c, c.p, "unexpected data after the JSON value"),
                                errstr, errstr_size);
        for (uint32_t i = 0; i < s->ncols; i++)
            sv_null(&rec->cols[s->cols[i]], s->schema->cols[s->cols[i]].type->id);
        return EDDY_SERDE_NULL;
    }
    if (s->wrapped) {
        if (c.p < c.end && *c.p == '{')
            rc = read_fields(&c, s->jplan, rec->cols, s->cols);
        else {
            rc = skip_value(&c);
            if (!rc)
                rc = jconv(&c, EDDY_ETYPE, "expected a JSON object, got %s", kind_of(*start));
        }
    } else {
        uint32_t col = s->cols[0];
        rc = read_value(&c, s->jplan->kids[0], &rec->cols[col]);
        if (rc && recoverable(&c, rc)) {
            seg_push(&c, SEG_NAME, s->jplan->names[0], s->jplan->lens[0], 0);
            jctx saved = c;
            c.p = start;
            int rc2 = skip_value(&c); /* malformed JSON is reported first */
            if (rc2)
                return decode_error(s, &c, rc2, errstr, errstr_size);
            const uint8_t *after = c.p;
            c = saved;
            c.p = after;
        }
    }
    if (rc && !recoverable(&c, rc))
        return decode_error(s, &c, rc, errstr, errstr_size);
    const uint8_t *p = skip_ws(c.p, c.end);
    if (p != c.end) {
        int rc2 = jsyntax(&c, p, "unexpected data after the JSON value");
        return decode_error(s, &c, rc2, errstr, errstr_size);
    }
    if (rc)
        return decode_error(s, &c, rc, errstr, errstr_size);
    return 0;
}

/* ============================================================ writing */

static inline char *room(eddy_buf *b, size_t n)
{
    if (b->cap - b->len <= n && eddy_buf_reserve(b, n))
        return NULL;
    return b->data + b->len;
}

static int write_string(eddy_buf *b, const char *s, size_t n)
{
    char *d = room(b, n * 6 + 2);
    if (!d)
        return EDDY_ENOMEM;
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    *d++ = '"';
    while (p < end) {
#ifdef __SSE2__
        while (end - p >= 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)p);
            __m128i m = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
            _mm_storeu_si128((__m128i *)d, v);
            unsigned mask = (unsigned)_mm_movemask_epi8(m);
            if (mask) {
                unsigned k = (unsigned)__builtin_ctz(mask);
                p += k;
                d += k;
                goto special;
            }
            p += 16;
            d += 16;
        }
#endif
        {
            const uint8_t *q = p;
            while (q < end && plain_char[*q])
                q++;
            if (q > p) {
                memcpy(d, p, (size_t)(q - p));
                d += q - p;
                p = q;
            }
        }
        if (p >= end)
            break;
#ifdef __SSE2__
    special:
#endif
        {
            uint8_t ch = *p;
            if (ch == '"' || ch == '\\') {
                *d++ = '\\';
                *d++ = (char)ch;
                p++;
            } else if (ch < 0x20) {
                static const char short_esc[32] = {[8] = 'b', [9] = 't', [10] = 'n',
                                                   [12] = 'f', [13] = 'r'};
                *d++ = '\\';
                if (short_esc[ch])
                    *d++ = short_esc[ch];
                else {
                    static const char hex[] = "0123456789ABCDEF";
                    *d++ = 'u';
                    *d++ = '0';
                    *d++ = '0';
                    *d++ = hex[ch >> 4];
                    *d++ = hex[ch & 15];
                }
                p++;
            } else {
                size_t l = eddy_serde_utf8_len(p, end);
                if (l) {
                    memcpy(d, p, l);
                    d += l;
                    p += l;
                } else { /* not UTF-8: what Java would have decoded it to */
                    *d++ = (char)0xEF;
                    *d++ = (char)0xBF;
                    *d++ = (char)0xBD;
                    p++;
                }
            }
        }
    }
    *d++ = '"';
    b->len = (size_t)(d - b->data);
    return 0;
}

typedef struct wctx {
    const char *what; /* "value"... */
    const char *col;
    char *errstr;
    size_t errstr_size;
} wctx;

static int werr(wctx *w, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int werr(wctx *w, int code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return eddy_seterr(w->errstr, w->errstr_size, code, "Failed to serialize %s: column '%s': %s",
                       w->what, w->col, msg);
}

static int write_double(eddy_buf *b, const eddy_value *v)
{
    double d = v->u.f64;
    if (d > -1e7 && d < 1e7 && d == (double)(int64_t)d && (d != 0 || !signbit(d))) {
        /* Java prints integral values below 10^7 as "N.0" */
        char *p = room(b, 24);
        if (!p)
            return EDDY_ENOMEM;
        size_t n = eddy_serde_fmt_i64(p, (int64_t)d);
        p[n] = '.';
        p[n + 1] = '0';
        b->len += n + 2;
        return 0;
    }
    if (isfinite(d))
        return eddy_value_format(b, v);
    /* Jackson quotes the non-numeric numbers */
    int rc = eddy_buf_putc(b, '"');
    if (!rc)
        rc = eddy_value_format(b, v);
    if (!rc)
        rc = eddy_buf_putc(b, '"');
    return rc;
}

static int write_value(eddy_buf *b, const eddy_type *t, const eddy_value *v, wctx *w);

static int write_int(eddy_buf *b, int64_t i)
{
    char *p = room(b, 24);
    if (!p)
        return EDDY_ENOMEM;
    b->len += eddy_serde_fmt_i64(p, i);
    return 0;
}

static int write_value(eddy_buf *b, const eddy_type *t, const eddy_value *v, wctx *w)
{
    char tb[128];
    int rc;
    if (v->is_null || v->type == 0)
        return eddy_buf_append(b, "null", 4);
    switch (v->type) {
    case EDDY_TYPE_BOOLEAN:
        return v->u.b ? eddy_buf_append(b, "true", 4) : eddy_buf_append(b, "false", 5);
    case EDDY_TYPE_INT:
        return write_int(b, v->u.i32);
    case EDDY_TYPE_BIGINT:
        return write_int(b, v->u.i64);
    case EDDY_TYPE_DATE:
        return write_int(b, v->u.date);
    case EDDY_TYPE_TIME:
        return write_int(b, v->u.time);
    case EDDY_TYPE_TIMESTAMP:
        return write_int(b, v->u.ts);
    case EDDY_TYPE_DOUBLE:
        return write_double(b, v);
    case EDDY_TYPE_DECIMAL: {
        __int128 u = v->u.dec;
        int scale = v->scale;
        if (t && t->id == EDDY_TYPE_DECIMAL && t->scale != v->scale) {
            if (eddy_decimal_rescale(v->u.dec, v->scale, t->precision, t->scale, &u))
                return werr(w, EDDY_ERANGE, "decimal does not fit %s",
                            eddy_serde_type_name(t, tb, sizeof tb));
            scale = t->scale;
        }
        char txt[64];
        size_t n = eddy_decimal_format(u, scale, txt, sizeof txt);
        return eddy_buf_append(b, txt, n);
    }
    case EDDY_TYPE_STRING:
        return write_string(b, v->u.str, v->len);
    case EDDY_TYPE_BYTES:
        if ((rc = eddy_buf_putc(b, '"')) || (rc = eddy_base64_encode(b, v->u.str, v->len)))
            return rc;
        return eddy_buf_putc(b, '"');
    case EDDY_TYPE_ARRAY: {
        if (t && t->id != EDDY_TYPE_ARRAY)
            goto mismatch;
        if ((rc = eddy_buf_putc(b, '[')))
            return rc;
        for (uint32_t i = 0; i < v->len; i++) {
            if (i && (rc = eddy_buf_putc(b, ',')))
                return rc;
            if ((rc = write_value(b, t ? t->elem : NULL, &v->u.items[i], w)))
                return rc;
        }
        return eddy_buf_putc(b, ']');
    }
    case EDDY_TYPE_MAP: {
        if (t && t->id != EDDY_TYPE_MAP)
            goto mismatch;
        if ((rc = eddy_buf_putc(b, '{')))
            return rc;
        for (uint32_t i = 0; i < v->len; i++) {
            const eddy_value *k = &v->u.items[2 * i];
            if (i && (rc = eddy_buf_putc(b, ',')))
                return rc;
            if (k->is_null || k->type != EDDY_TYPE_STRING)
                rc = write_string(b, "null", 4);
            else
                rc = write_string(b, k->u.str, k->len);
            if (rc || (rc = eddy_buf_putc(b, ':')))
                return rc;
            if ((rc = write_value(b, t ? t->elem : NULL, &v->u.items[2 * i + 1], w)))
                return rc;
        }
        return eddy_buf_putc(b, '}');
    }
    case EDDY_TYPE_STRUCT: {
        if (!t || t->id != EDDY_TYPE_STRUCT || t->nfields != v->len)
            goto mismatch;
        if ((rc = eddy_buf_putc(b, '{')))
            return rc;
        for (uint32_t i = 0; i < v->len; i++) {
            if (i && (rc = eddy_buf_putc(b, ',')))
                return rc;
            const char *name = t->fields[i].name;
            if ((rc = write_string(b, name, strlen(name))) || (rc = eddy_buf_putc(b, ':')))
                return rc;
            if ((rc = write_value(b, t->fields[i].type, &v->u.items[i], w)))
                return rc;
        }
        return eddy_buf_putc(b, '}');
    }
    default:
        break;
    }
mismatch:
    return werr(w, EDDY_EINTERNAL, "a %s value does not match the column type %s",
                eddy_type_id_name((eddy_type_id)v->type),
                t ? eddy_serde_type_name(t, tb, sizeof tb) : "?");
}

int eddy_serde_json_write_value(eddy_buf *out, const eddy_type *t, const eddy_value *v,
                                const char *what, char *errstr, size_t errstr_size)
{
    wctx w = {.what = "value", .col = what, .errstr = errstr, .errstr_size = errstr_size};
    size_t start = out->len;
    int rc = write_value(out, t, v, &w);
    if (rc) {
        out->len = start;
        if (rc == EDDY_ENOMEM)
            eddy_seterr(errstr, errstr_size, rc, "out of memory");
    }
    return rc;
}

int eddy_serde_json_encode(const eddy_serde *s, const eddy_record *rec, eddy_buf *out,
                           char *errstr, size_t errstr_size)
{
    const eddy_schema *sc = s->schema;
    size_t start = out->len;
    wctx w = {.what = s->what, .errstr = errstr, .errstr_size = errstr_size};
    int rc = 0;
    if (!s->wrapped) {
        const eddy_column *col = &sc->cols[s->cols[0]];
        const eddy_value *v = &rec->cols[s->cols[0]];
        if (v->is_null || v->type == 0)
            return EDDY_SERDE_NULL;
        w.col = col->name;
        rc = write_value(out, col->type, v, &w);
    } else {
        char *d = room(out, 1);
        if (!d)
            rc = EDDY_ENOMEM;
        else {
            *d = '{';
            out->len++;
        }
        for (uint32_t i = 0; i < s->ncols && !rc; i++) {
            uint32_t ci = s->cols[i];
            size_t pl = s->jprefix_len[i];
            d = room(out, pl + 1);
            if (!d) {
                rc = EDDY_ENOMEM;
                break;
            }
            if (i)
                *d++ = ',';
            memcpy(d, s->jprefix[i], pl);
            out->len += pl + (i ? 1 : 0);
            w.col = sc->cols[ci].name;
            rc = write_value(out, sc->cols[ci].type, &rec->cols[ci], &w);
        }
        if (!rc)
            rc = eddy_buf_putc(out, '}');
    }
    if (rc) {
        out->len = start;
        if (rc == EDDY_ENOMEM)
            eddy_seterr(errstr, errstr_size, rc, "Failed to serialize %s: out of memory",
                        s->what);
    }
    return rc;
}
