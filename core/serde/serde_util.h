/* serde_util.h: internals of serde/ shared by its formats: the serde object, UTF-8 checks,
 * Java-compatible number grammars, decimals fitted as ksqlDB does, and message helpers.
 * Not a public header: only core/serde/ includes it. */
#ifndef EDDY_SERDE_UTIL_H
#define EDDY_SERDE_UTIL_H

#include "serde/serde.h"

enum {
    EDDY_SERDE_FMT_JSON = 1,
    EDDY_SERDE_FMT_KAFKA,
    EDDY_SERDE_FMT_DELIMITED,
    EDDY_SERDE_FMT_NONE
};

typedef struct eddy_jplan eddy_jplan; /* serde_json.c */

struct eddy_serde {
    int fmt;                   /* EDDY_SERDE_FMT_* */
    eddy_serde_part part;
    const eddy_schema *schema; /* retained */
    uint32_t ncols;            /* columns of the part */
    uint32_t *cols;            /* their indexes in schema->cols */
    bool wrapped;              /* JSON: an object of the columns, else the bare value */
    char delim;                /* DELIMITED */
    const char *what;          /* "key", "value" or "record", for messages */
    eddy_arena *mem;           /* owns `cols` and the format's tables */
    /* JSON */
    const eddy_jplan *jplan;   /* how to read the part (names, hash tables, child plans) */
    const char **jprefix;      /* "\"NAME\":" per column, for the writer */
    uint32_t *jprefix_len;
};

/* Largest nesting of JSON arrays/objects accepted (Jackson's default limit). */
#define EDDY_SERDE_MAX_DEPTH 1000

/* ------------------------------------------------------------ UTF-8 */

/* Length (2..4) of the well-formed UTF-8 sequence at p (p[0] >= 0x80), or 0 when it is not
 * (overlong forms, surrogates and code points past U+10FFFF are not). */
size_t eddy_serde_utf8_len(const uint8_t *p, const uint8_t *end);
/* `s`/`n` as Java's new String(bytes, UTF_8) sees it: a view of the input when it is valid
 * UTF-8, else a copy in `arena` where each ill-formed sequence became U+FFFD. */
int eddy_serde_utf8_sanitize(eddy_arena *arena, const char *s, size_t n, const char **out,
                             size_t *outlen);

/* ---------------------------------------------------------- numbers */

/* Writes the decimal digits of v (no NUL); returns the length (at most 20). */
size_t eddy_serde_fmt_i64(char *dst, int64_t v);
/* Java's Long.parseLong grammar ([+-]?[0-9]+, nothing else) with the result checked against
 * [min, max]: 0, EDDY_EPARSE (not a number) or EDDY_ERANGE. */
int eddy_serde_parse_long(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);
/* Java's Double.parseDouble: surrounding chars <= ' ' trimmed, NaN, Infinity, a decimal or
 * hexadecimal float with an optional f/F/d/D suffix. Correctly rounded. 0 or EDDY_EPARSE. */
int eddy_serde_parse_double(const char *s, size_t n, double *out);
/* strtod of a text already known to be a decimal number, in the C locale. */
double eddy_serde_strtod(const char *s, size_t n);
/* Java's new BigDecimal(String) grammar: [+-]?(digits[.digits?]|.digits)([eE][+-]?digits)?,
 * read exactly by eddy_decimal_parse. Fills unscaled/scale (a positive exponent is applied:
 * "1E+3" is 1000, scale 0) and BigDecimal's precision (digits of the unscaled value).
 * EDDY_EPARSE on bad text, EDDY_ERANGE when more than 38 digits would be needed. */
int eddy_serde_parse_bigdecimal(const char *s, size_t n, __int128 *unscaled, int *scale,
                                int *precision);
/* ksqlDB's DecimalUtil.ensureFit: the value at the scale of `t` without rounding and below
 * 10^(p-s). On failure returns EDDY_ERANGE and writes ksqlDB's message ("Cannot fit decimal
 * '1.234' into DECIMAL(3, 2) without rounding. (Requires 4,3)") to msg. */
int eddy_serde_decimal_fit(__int128 unscaled, int scale, int precision, const eddy_type *t,
                           __int128 *out, char *msg, size_t msg_size);
/* The text of a JSON number as Jackson's node.asText() gives it for ksqlDB's reader (floats
 * read as BigDecimal): integers as written ("-0" is "0"), others as BigDecimal.toString()
 * ("1.50", "1E+10", "1.5E-7"). `s` is a valid JSON number. Appends to out. */
int eddy_serde_json_number_text(eddy_buf *out, const char *s, size_t n);

/* ---------------------------------------------------------- messages */

/* A short printable rendering of `s` for messages: quoted, escaped, cut at 40 bytes. */
void eddy_serde_snippet(char *dst, size_t size, const char *s, size_t n);
/* "[`A` INTEGER, `B` STRING KEY]" for the columns `idx` of `schema`. */
int eddy_serde_format_columns(eddy_buf *out, const eddy_schema *schema, const uint32_t *idx,
                              uint32_t n);
/* The type's SQL spelling into a fixed buffer (cut when too long). */
const char *eddy_serde_type_name(const eddy_type *t, char *buf, size_t size);

/* ------------------------------------------------------ value stores */

/* Direct stores into a value. Assigning the inline constructors' results (value.h) builds the
 * value on the stack with byte stores and copies it with 16-byte loads, which stalls store
 * forwarding: it cost half of the JSON reader's time. */
static inline void sv_head(eddy_value *v, eddy_type_id t, uint32_t len)
{
    v->type = (uint8_t)t;
    v->is_null = 0;
    v->precision = 0;
    v->scale = 0;
    v->len = len;
}
static inline void sv_null(eddy_value *v, eddy_type_id t)
{
    sv_head(v, t, 0);
    v->is_null = 1;
    v->u.dec = 0;
}
static inline void sv_i32(eddy_value *v, eddy_type_id t, int32_t x)
{
    sv_head(v, t, 0);
    v->u.dec = 0;
    v->u.i32 = x;
}
static inline void sv_i64(eddy_value *v, eddy_type_id t, int64_t x)
{
    sv_head(v, t, 0);
    v->u.dec = 0;
    v->u.i64 = x;
}
static inline void sv_f64(eddy_value *v, double x)
{
    sv_head(v, EDDY_TYPE_DOUBLE, 0);
    v->u.dec = 0;
    v->u.f64 = x;
}
static inline void sv_bool(eddy_value *v, bool x)
{
    sv_head(v, EDDY_TYPE_BOOLEAN, 0);
    v->u.dec = 0;
    v->u.b = x;
}
static inline void sv_str(eddy_value *v, eddy_type_id t, const void *s, size_t n)
{
    sv_head(v, t, (uint32_t)n);
    v->u.dec = 0;
    v->u.str = (const char *)s;
}
static inline void sv_dec(eddy_value *v, __int128 u, int precision, int scale)
{
    sv_head(v, EDDY_TYPE_DECIMAL, 0);
    v->precision = (uint8_t)precision;
    v->scale = (uint8_t)scale;
    v->u.dec = u;
}

#endif
