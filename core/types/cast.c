/* cast.c: ksqlDB's CAST between values (CastEvaluator and DecimalUtil semantics). */
#include "types_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MS_PER_DAY 86400000LL

/* Which casts ksqlDB defines (scalar-functions.md, CAST): anything but BYTES to STRING;
 * STRING to the scalars it can parse; numbers among themselves; TIMESTAMP to DATE/TIME, DATE
 * to TIMESTAMP; containers to containers of the same kind; and every type to itself. */
static bool cast_defined(int from, int to)
{
    if (from == to)
        return true;
    bool fnum = from == EDDY_TYPE_INT || from == EDDY_TYPE_BIGINT ||
                from == EDDY_TYPE_DECIMAL || from == EDDY_TYPE_DOUBLE;
    bool tnum = to == EDDY_TYPE_INT || to == EDDY_TYPE_BIGINT || to == EDDY_TYPE_DECIMAL ||
                to == EDDY_TYPE_DOUBLE;
    if (to == EDDY_TYPE_STRING)
        return from != EDDY_TYPE_BYTES;
    if (from == EDDY_TYPE_STRING)
        return tnum || to == EDDY_TYPE_BOOLEAN || to == EDDY_TYPE_DATE ||
               to == EDDY_TYPE_TIME || to == EDDY_TYPE_TIMESTAMP;
    if (fnum && tnum)
        return true;
    if (from == EDDY_TYPE_TIMESTAMP)
        return to == EDDY_TYPE_DATE || to == EDDY_TYPE_TIME;
    if (from == EDDY_TYPE_DATE)
        return to == EDDY_TYPE_TIMESTAMP;
    return false;
}

static eddy_value null_of(const eddy_type *t)
{
    eddy_value v = eddy_null(t->id);
    if (t->id == EDDY_TYPE_DECIMAL) {
        v.precision = t->precision;
        v.scale = t->scale;
    }
    return v;
}

/* Java's String.trim: drops every char <= ' ' at both ends. */
static void trim(const char **s, size_t *n)
{
    while (*n && (unsigned char)(*s)[0] <= ' ') {
        (*s)++;
        (*n)--;
    }
    while (*n && (unsigned char)(*s)[*n - 1] <= ' ')
        (*n)--;
}

/* Integer.parseInt / Long.parseLong: [+-]digits, nothing else. */
static int parse_integer(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == n)
        return EDDY_EPARSE;
    uint64_t limit = neg ? (uint64_t)0 - (uint64_t)min : (uint64_t)max, v = 0;
    bool over = false;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return EDDY_EPARSE;
        unsigned dgt = (unsigned)(s[i] - '0');
        if (v > (limit - dgt) / 10)
            over = true;
        else
            v = v * 10 + dgt;
    }
    if (over)
        return EDDY_ERANGE;
    *out = neg ? (int64_t)((uint64_t)0 - v) : (int64_t)v;
    return 0;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Double.parseDouble's decimal grammar: [+-](NaN|Infinity|digits[.digits]|.digits)
 * [(e|E)[+-]digits][f|F|d|D]; hexadecimal floats are not accepted. A finite text too large
 * for a double is EDDY_ERANGE. */
static int parse_double(const char *s, size_t n, double *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (n - i == 3 && memcmp(s + i, "NaN", 3) == 0) {
        *out = NAN;
        return 0;
    }
    if (n - i == 8 && memcmp(s + i, "Infinity", 8) == 0) {
        *out = neg ? -INFINITY : INFINITY;
        return 0;
    }
    size_t nd = 0;
    for (; i < n && is_digit(s[i]); i++)
        nd++;
    if (i < n && s[i] == '.')
        for (i++; i < n && is_digit(s[i]); i++)
            nd++;
    if (!nd)
        return EDDY_EPARSE;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return EDDY_EPARSE;
        while (i < n && is_digit(s[i]))
            i++;
    }
    size_t end = i;
    if (i < n && strchr("fFdD", s[i]))
        i++;
    if (i != n)
        return EDDY_EPARSE;
    char small[128], *tmp = small;
    if (end >= sizeof small && !(tmp = malloc(end + 1)))
        return EDDY_ENOMEM;
    memcpy(tmp, s, end);
    tmp[end] = '\0';
    double d = strtod(tmp, NULL);
    if (tmp != small)
        free(tmp);
    if (isinf(d))
        return EDDY_ERANGE;
    *out = d;
    return 0;
}

/* Java's (int)/(long) conversion of a double: truncation toward zero, saturating, NaN -> 0. */
static int64_t double_to_long(double d, int64_t min, int64_t max)
{
    if (isnan(d))
        return 0;
    if (d <= (double)min)
        return min;
    if (d >= (double)max)
        return max;
    return (int64_t)d;
}

static int err_unsupported(const eddy_value *in, const eddy_type *from, const eddy_type *to,
                           char *errstr, size_t errsize)
{
    char f[256], t[256];
    if (from)
        eddy_type_format(from, f, sizeof f);
    else
        snprintf(f, sizeof f, "%s", eddy_type_id_name((eddy_type_id)in->type));
    eddy_type_format(to, t, sizeof t);
    return eddy_seterr(errstr, errsize, EDDY_ETYPE, "Cast of %s to %s is not supported", f, t);
}

static int err_value(int rc, const eddy_value *in, const eddy_type *to, char *errstr,
                     size_t errsize)
{
    char t[256];
    eddy_type_format(to, t, sizeof t);
    eddy_buf b = {0};
    eddy_value_format(&b, in);
    const char *txt = eddy_buf_cstr(&b);
    rc = eddy_seterr(errstr, errsize, rc, "Cannot cast '%.200s' to %s: %s", txt ? txt : "",
                     t, rc == EDDY_ERANGE ? "value out of range" : "malformed text");
    eddy_buf_free(&b);
    return rc;
}

static int cast_rec(eddy_arena *arena, const eddy_value *in, const eddy_type *from,
                    const eddy_type *to, eddy_value *out, char *errstr, size_t errsize);

static int cast_string(eddy_arena *arena, const eddy_value *in, const eddy_type *from,
                       eddy_value *out)
{
    if (in->type == EDDY_TYPE_STRING) {
        *out = *in;
        return 0;
    }
    eddy_buf b = {0};
    int rc = eddy_value_format_typed(&b, in, from);
    if (rc) {
        eddy_buf_free(&b);
        return rc;
    }
    char *p = eddy_arena_alloc(arena, b.len ? b.len : 1);
    if (!p) {
        eddy_buf_free(&b);
        return EDDY_ENOMEM;
    }
    if (b.len)
        memcpy(p, b.data, b.len);
    *out = eddy_string(p, (uint32_t)b.len);
    eddy_buf_free(&b);
    return 0;
}

/* Scalar conversions; `in` is not NULL and the cast is defined. */
static int cast_scalar(const eddy_value *in, const eddy_type *to, eddy_value *out)
{
    const char *s = in->u.str;
    size_t n = in->len;
    if (in->type == EDDY_TYPE_STRING)
        trim(&s, &n);
    int rc = 0;
    switch (to->id) {
    case EDDY_TYPE_BOOLEAN:
        /* Boolean.parseBoolean: "true" in any case; anything else is false. */
        *out = in->type == EDDY_TYPE_BOOLEAN
                   ? *in
                   : eddy_bool(n == 4 && strncasecmp(s, "true", 4) == 0);
        return 0;
    case EDDY_TYPE_INT:
    case EDDY_TYPE_BIGINT: {
        bool is_int = to->id == EDDY_TYPE_INT;
        int64_t v = 0;
        switch (in->type) {
        case EDDY_TYPE_INT: v = in->u.i32; break;
        case EDDY_TYPE_BIGINT: v = in->u.i64; break;
        case EDDY_TYPE_DOUBLE:
            v = is_int ? double_to_long(in->u.f64, INT32_MIN, INT32_MAX)
                       : double_to_long(in->u.f64, INT64_MIN, INT64_MAX);
            break;
        case EDDY_TYPE_DECIMAL:
            /* BigDecimal.intValue()/longValue(): drop the fraction, keep the low bits. */
            v = (int64_t)(uint64_t)(unsigned __int128)(in->u.dec / eddy_dec_pow10[in->scale]);
            break;
        case EDDY_TYPE_STRING:
            rc = is_int ? parse_integer(s, n, INT32_MIN, INT32_MAX, &v)
                        : parse_integer(s, n, INT64_MIN, INT64_MAX, &v);
            if (rc)
                return rc;
            break;
        }
        /* Long.intValue() keeps the low 32 bits (qtt cast.json: 2147483648 -> -2147483648). */
        *out = is_int ? eddy_int((int32_t)(uint32_t)(uint64_t)v) : eddy_bigint(v);
        return 0;
    }
    case EDDY_TYPE_DOUBLE: {
        double d = 0;
        switch (in->type) {
        case EDDY_TYPE_INT: d = in->u.i32; break;
        case EDDY_TYPE_BIGINT: d = (double)in->u.i64; break;
        case EDDY_TYPE_DOUBLE: d = in->u.f64; break;
        case EDDY_TYPE_DECIMAL: d = eddy_decimal_to_double(in->u.dec, in->scale); break;
        case EDDY_TYPE_STRING:
            if ((rc = parse_double(s, n, &d)))
                return rc;
            break;
        }
        *out = eddy_double(d);
        return 0;
    }
    case EDDY_TYPE_DECIMAL: {
        int p = to->precision, sc = to->scale;
        __int128 u = 0;
        switch (in->type) {
        case EDDY_TYPE_INT:
        case EDDY_TYPE_BIGINT: {
            /* new BigDecimal(long) must be < 10^(p - s); the scale then adds zeros. */
            __int128 x = in->type == EDDY_TYPE_INT ? in->u.i32 : in->u.i64;
            if ((x < 0 ? -x : x) >= eddy_dec_pow10[p - sc])
                return EDDY_ERANGE;
            u = x * eddy_dec_pow10[sc];
            break;
        }
        case EDDY_TYPE_DOUBLE:
            if ((rc = eddy_dec_from_double(in->u.f64, p, sc, &u)))
                return rc;
            break;
        case EDDY_TYPE_DECIMAL: {
            if (in->precision == p && in->scale == sc) {
                u = in->u.dec;
                break;
            }
            /* ensureMax on the source value, then setScale(HALF_UP). */
            int lim = p - sc + in->scale;
            __int128 a = in->u.dec < 0 ? -in->u.dec : in->u.dec;
            if (lim <= EDDY_DECIMAL_MAX_PRECISION && a >= eddy_dec_pow10[lim])
                return EDDY_ERANGE;
            if ((rc = eddy_decimal_rescale(in->u.dec, in->scale, p, sc, &u)))
                return rc;
            break;
        }
        case EDDY_TYPE_STRING:
            if ((rc = eddy_dec_from_string(s, n, p, sc, &u)))
                return rc;
            break;
        }
        *out = eddy_decimal(u, p, sc);
        return 0;
    }
    case EDDY_TYPE_DATE:
        if (in->type == EDDY_TYPE_TIMESTAMP) {
            int64_t q = in->u.ts / MS_PER_DAY;
            if (in->u.ts % MS_PER_DAY < 0)
                q--;
            *out = eddy_date((int32_t)q);
        } else if (in->type == EDDY_TYPE_STRING) {
            int32_t d;
            if ((rc = eddy_parse_date(s, n, &d)))
                return rc;
            *out = eddy_date(d);
        } else {
            *out = *in;
        }
        return 0;
    case EDDY_TYPE_TIME:
        if (in->type == EDDY_TYPE_TIMESTAMP) {
            int64_t r = in->u.ts % MS_PER_DAY;
            *out = eddy_time((int32_t)(r < 0 ? r + MS_PER_DAY : r));
        } else if (in->type == EDDY_TYPE_STRING) {
            int32_t t;
            if ((rc = eddy_parse_time(s, n, &t)))
                return rc;
            *out = eddy_time(t);
        } else {
            *out = *in;
        }
        return 0;
    case EDDY_TYPE_TIMESTAMP:
        if (in->type == EDDY_TYPE_DATE) {
            *out = eddy_timestamp((int64_t)in->u.date * MS_PER_DAY);
        } else if (in->type == EDDY_TYPE_STRING) {
            int64_t ts;
            if ((rc = eddy_parse_timestamp(s, n, &ts)))
                return rc;
            *out = eddy_timestamp(ts);
        } else {
            *out = *in;
        }
        return 0;
    default:
        *out = *in; /* BYTES to BYTES */
        return 0;
    }
}

static int cast_items(eddy_arena *arena, const eddy_value *in, const eddy_type *from,
                      const eddy_type *to, eddy_value *out, char *errstr, size_t errsize)
{
    uint32_t n = in->len, nitems;
    if (from && from->id == EDDY_TYPE_STRUCT && from->nfields != n)
        from = NULL; /* the type does not describe this value: ignore it */
    const eddy_type *fkey = from ? from->key : NULL, *felem = from ? from->elem : NULL;
    if (to->id == EDDY_TYPE_STRUCT) {
        /* Fields are matched by name (case-sensitive) when the source type is known, and
         * target fields missing from the source are NULL; without it, by position. */
        if (!from && n != to->nfields)
            return err_unsupported(in, from, to, errstr, errsize);
        nitems = to->nfields;
    } else {
        nitems = to->id == EDDY_TYPE_MAP ? 2 * n : n;
    }
    eddy_value *items = NULL;
    if (nitems && !(items = eddy_arena_alloc(arena, nitems * sizeof *items)))
        return EDDY_ENOMEM;
    int rc = 0;
    for (uint32_t i = 0; i < nitems && !rc; i++) {
        switch (to->id) {
        case EDDY_TYPE_ARRAY:
            rc = cast_rec(arena, &in->u.items[i], felem, to->elem, &items[i], errstr, errsize);
            break;
        case EDDY_TYPE_MAP:
            rc = cast_rec(arena, &in->u.items[i], i % 2 ? felem : fkey,
                          i % 2 ? to->elem : to->key, &items[i], errstr, errsize);
            break;
        default: {
            const eddy_type *ft = to->fields[i].type;
            int j = from ? eddy_type_field_index(from, to->fields[i].name) : (int)i;
            if (j < 0)
                items[i] = null_of(ft);
            else
                rc = cast_rec(arena, &in->u.items[j], from ? from->fields[j].type : NULL, ft,
                              &items[i], errstr, errsize);
        }
        }
    }
    if (rc)
        return rc;
    *out = *in;
    out->type = (uint8_t)to->id;
    out->len = to->id == EDDY_TYPE_STRUCT ? to->nfields : n;
    out->u.items = items;
    return 0;
}

static int cast_rec(eddy_arena *arena, const eddy_value *in, const eddy_type *from,
                    const eddy_type *to, eddy_value *out, char *errstr, size_t errsize)
{
    if (!to)
        return eddy_seterr(errstr, errsize, EDDY_EINVAL, "cast: no target type");
    if (from && from->id != in->type)
        from = NULL;
    if (in->type != 0 && !cast_defined(in->type, to->id))
        return err_unsupported(in, from, to, errstr, errsize);
    if (in->is_null || in->type == 0) {
        *out = null_of(to);
        return 0;
    }
    switch (to->id) {
    case EDDY_TYPE_STRING: {
        int rc = cast_string(arena, in, from, out);
        return rc ? eddy_seterr(errstr, errsize, rc, "cast: out of memory") : 0;
    }
    case EDDY_TYPE_ARRAY:
    case EDDY_TYPE_MAP:
    case EDDY_TYPE_STRUCT:
        return cast_items(arena, in, from, to, out, errstr, errsize);
    default: {
        int rc = cast_scalar(in, to, out);
        return rc ? err_value(rc, in, to, errstr, errsize) : 0;
    }
    }
}

int eddy_value_cast(eddy_arena *arena, const eddy_value *in, const eddy_type *to,
                    eddy_value *out, char *errstr, size_t errstr_size)
{
    return cast_rec(arena, in, NULL, to, out, errstr, errstr_size);
}

int eddy_value_cast_typed(eddy_arena *arena, const eddy_value *in, const eddy_type *from,
                          const eddy_type *to, eddy_value *out, char *errstr,
                          size_t errstr_size)
{
    return cast_rec(arena, in, from, to, out, errstr, errstr_size);
}
