/* format.c: ksqlDB's string rendering of values (CAST(x AS STRING)), Java's Double.toString
 * included. */
#include "types_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------- Double.toString */

size_t eddy_double_to_java(double d, char *buf)
{
    if (isnan(d))
        return (size_t)snprintf(buf, 32, "NaN");
    if (isinf(d))
        return (size_t)snprintf(buf, 32, d < 0 ? "-Infinity" : "Infinity");
    if (d == 0)
        return (size_t)snprintf(buf, 32, signbit(d) ? "-0.0" : "0.0");

    /* The shortest digit string that reads back as d; when a single digit does, Java picks
     * the two-digit decimal closest to d (4.9E-324, not 5.0E-324). */
    char tmp[40];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    if (prec == 1)
        snprintf(tmp, sizeof tmp, "%.1e", d);

    /* tmp: [-]d[.ddd]e(+|-)xx */
    char dig[24];
    int nd = 0;
    const char *p = tmp;
    bool neg = *p == '-';
    if (neg)
        p++;
    for (; *p && *p != 'e'; p++)
        if (*p != '.')
            dig[nd++] = *p;
    int e10 = atoi(p + 1);
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;

    size_t len = 0;
    if (neg)
        buf[len++] = '-';
    if (e10 >= -3 && e10 < 7) {
        if (e10 >= 0) {
            for (int i = 0; i <= e10; i++)
                buf[len++] = i < nd ? dig[i] : '0';
            buf[len++] = '.';
            if (nd > e10 + 1)
                for (int i = e10 + 1; i < nd; i++)
                    buf[len++] = dig[i];
            else
                buf[len++] = '0';
        } else {
            buf[len++] = '0';
            buf[len++] = '.';
            for (int i = 0; i < -e10 - 1; i++)
                buf[len++] = '0';
            for (int i = 0; i < nd; i++)
                buf[len++] = dig[i];
        }
        buf[len] = '\0';
    } else {
        buf[len++] = dig[0];
        buf[len++] = '.';
        if (nd > 1)
            for (int i = 1; i < nd; i++)
                buf[len++] = dig[i];
        else
            buf[len++] = '0';
        len += (size_t)snprintf(buf + len, 32 - len, "E%d", e10);
    }
    return len;
}

/* ---------------------------------------------------------------- values */

/* Top-level renderings follow ksqlDB's CAST(x AS STRING); values nested in an ARRAY, MAP or
 * STRUCT render as the Java objects ksqlDB holds would (List/Map toString, Connect's
 * Struct.toString, BigDecimal.toString, java.sql.Date/Time/Timestamp.toString in a UTC
 * JVM). BYTES render as base64 everywhere (ksqlDB refuses CAST of BYTES to STRING). */
static int fmt(eddy_buf *b, const eddy_value *v, const eddy_type *t, bool nested);

static int fmt_date(eddy_buf *b, int64_t days)
{
    int64_t y;
    unsigned m, d;
    eddy_civil_from_days(days, &y, &m, &d);
    /* java.time.LocalDate.toString: 4-digit years, a sign beyond 9999 or below 0. */
    if (y > 9999)
        return eddy_buf_printf(b, "+%lld-%02u-%02u", (long long)y, m, d);
    if (y < 0)
        return eddy_buf_printf(b, "-%04lld-%02u-%02u", (long long)-y, m, d);
    return eddy_buf_printf(b, "%04lld-%02u-%02u", (long long)y, m, d);
}

static int fmt_time(eddy_buf *b, int64_t ms, bool with_ms)
{
    int rc = eddy_buf_printf(b, "%02d:%02d:%02d", (int)(ms / 3600000), (int)(ms / 60000 % 60),
                             (int)(ms / 1000 % 60));
    if (!rc && with_ms)
        rc = eddy_buf_printf(b, ".%03d", (int)(ms % 1000));
    return rc;
}

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int fmt_timestamp(eddy_buf *b, int64_t ts, bool nested)
{
    int64_t days = floordiv(ts, 86400000);
    int64_t ms = ts - days * 86400000;
    int rc = fmt_date(b, days);
    if (rc)
        return rc;
    if (eddy_buf_putc(b, nested ? ' ' : 'T') || fmt_time(b, ms, !nested))
        return EDDY_ENOMEM;
    if (nested) {
        /* java.sql.Timestamp.toString: nanoseconds without trailing zeros, ".0" at least. */
        int frac = (int)(ms % 1000);
        if (frac == 0)
            return eddy_buf_puts(b, ".0");
        char f[12];
        snprintf(f, sizeof f, "%03d", frac);
        int n = 3;
        while (f[n - 1] == '0')
            n--;
        f[n] = '\0';
        return eddy_buf_printf(b, ".%s", f);
    }
    return 0;
}

static int fmt(eddy_buf *b, const eddy_value *v, const eddy_type *t, bool nested)
{
    char tmp[96];
    if (v->is_null || v->type == 0)
        return eddy_buf_puts(b, "null");
    if (t && t->id != v->type)
        t = NULL; /* the type does not describe this value: ignore it */
    switch (v->type) {
    case EDDY_TYPE_BOOLEAN:
        return eddy_buf_puts(b, v->u.b ? "true" : "false");
    case EDDY_TYPE_INT:
        return eddy_buf_printf(b, "%d", v->u.i32);
    case EDDY_TYPE_BIGINT:
        return eddy_buf_printf(b, "%lld", (long long)v->u.i64);
    case EDDY_TYPE_DOUBLE:
        eddy_double_to_java(v->u.f64, tmp);
        return eddy_buf_puts(b, tmp);
    case EDDY_TYPE_DECIMAL:
        if (nested)
            eddy_decimal_to_java(v->u.dec, v->scale, tmp);
        else
            eddy_decimal_format(v->u.dec, v->scale, tmp, sizeof tmp);
        return eddy_buf_puts(b, tmp);
    case EDDY_TYPE_STRING:
        return eddy_buf_append(b, v->u.str, v->len);
    case EDDY_TYPE_BYTES:
        return eddy_base64_encode(b, v->u.str, v->len);
    case EDDY_TYPE_DATE:
        return fmt_date(b, v->u.date);
    case EDDY_TYPE_TIME:
        return fmt_time(b, v->u.time, !nested && v->u.time % 1000 != 0);
    case EDDY_TYPE_TIMESTAMP:
        return fmt_timestamp(b, v->u.ts, nested);
    case EDDY_TYPE_ARRAY:
        if (eddy_buf_putc(b, '['))
            return EDDY_ENOMEM;
        for (uint32_t i = 0; i < v->len; i++) {
            if ((i && eddy_buf_puts(b, ", ")) ||
                fmt(b, &v->u.items[i], t ? t->elem : NULL, true))
                return EDDY_ENOMEM;
        }
        return eddy_buf_putc(b, ']');
    case EDDY_TYPE_MAP:
        if (eddy_buf_putc(b, '{'))
            return EDDY_ENOMEM;
        for (uint32_t i = 0; i < v->len; i++) {
            if ((i && eddy_buf_puts(b, ", ")) ||
                fmt(b, &v->u.items[2 * i], t ? t->key : NULL, true) || eddy_buf_putc(b, '=') ||
                fmt(b, &v->u.items[2 * i + 1], t ? t->elem : NULL, true))
                return EDDY_ENOMEM;
        }
        return eddy_buf_putc(b, '}');
    case EDDY_TYPE_STRUCT: {
        /* Kafka Connect's Struct.toString: null fields are left out, no spaces. Without the
         * type the field names are unknown: they print as their positions. */
        if (t && t->nfields != v->len)
            t = NULL;
        if (eddy_buf_puts(b, "Struct{"))
            return EDDY_ENOMEM;
        bool first = true;
        for (uint32_t i = 0; i < v->len; i++) {
            const eddy_value *f = &v->u.items[i];
            if (f->is_null || f->type == 0)
                continue;
            if (!first && eddy_buf_putc(b, ','))
                return EDDY_ENOMEM;
            first = false;
            int rc = t ? eddy_buf_printf(b, "%s=", t->fields[i].name)
                       : eddy_buf_printf(b, "%u=", i);
            if (rc || fmt(b, f, t ? t->fields[i].type : NULL, true))
                return EDDY_ENOMEM;
        }
        return eddy_buf_putc(b, '}');
    }
    default:
        return eddy_buf_puts(b, "null");
    }
}

int eddy_value_format(eddy_buf *buf, const eddy_value *v)
{
    return fmt(buf, v, NULL, false);
}

int eddy_value_format_typed(eddy_buf *buf, const eddy_value *v, const eddy_type *t)
{
    return fmt(buf, v, t, false);
}
