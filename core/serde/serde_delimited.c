/* serde_delimited.c: ksqlDB's DELIMITED format: the first CSV record of the bytes, one field
 * per column (an empty field is NULL), parsed as ksqlDB's KsqlDelimitedDeserializer does;
 * written with commons-csv's MINIMAL quoting. */
#include "serde_delimited.h"

#include <stdio.h>
#include <string.h>

int eddy_serde_delimited_check(const eddy_serde *s, char *reason, size_t reason_size)
{
    for (uint32_t i = 0; i < s->ncols; i++) {
        const eddy_column *c = &s->schema->cols[s->cols[i]];
        eddy_type_id id = c->type->id;
        if (id == EDDY_TYPE_ARRAY || id == EDDY_TYPE_MAP || id == EDDY_TYPE_STRUCT) {
            snprintf(reason, reason_size,
                     "The 'DELIMITED' format does not support type '%s', column: `%s`",
                     eddy_type_id_name(id), c->name);
            return EDDY_EINVAL;
        }
    }
    return 0;
}

/* ------------------------------------------------------------ reading */

typedef struct field {
    const uint8_t *s;
    size_t n;
    bool dq; /* quoted, with doubled quotes inside */
} field;

/* Java's Character.isWhitespace on ASCII, which commons-csv skips after a closing quote. */
static bool java_space(uint8_t c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
}

/* Reads one record from *pp as commons-csv's lexer does (CSVFormat.DEFAULT with the given
 * delimiter: quote '"', no escape, empty lines ignored). Stores up to `max` fields, counts
 * all in *nf (0: no record left). On a malformed record returns EDDY_EPARSE with `why` and
 * *errat set. */
static int csv_record(const uint8_t **pp, const uint8_t *end, uint8_t delim, field *f,
                      uint32_t max, uint32_t *nf, const char **why, const uint8_t **errat)
{
    const uint8_t *p = *pp;
    uint32_t n = 0;
    while (p < end && (*p == '\r' || *p == '\n'))
        p++; /* empty lines */
    if (p >= end) {
        *nf = 0;
        *pp = p;
        return 0;
    }
    for (;;) {
        const uint8_t *s = p, *e;
        bool dq = false, eol = false, eof = false;
        if (p >= end) { /* after a delimiter: an empty last field */
            e = p;
            eof = true;
        } else if (*p == delim) {
            e = p++;
        } else if (*p == '\r' || *p == '\n') {
            e = p;
            eol = true;
        } else if (*p == '"') {
            const uint8_t *q = p + 1;
            s = q;
            for (;;) {
                if (q >= end) {
                    *why = "EOF reached before encapsulated token finished";
                    *errat = p;
                    return EDDY_EPARSE;
                }
                if (*q == '"') {
                    if (q + 1 < end && q[1] == '"') {
                        dq = true;
                        q += 2;
                        continue;
                    }
                    break;
                }
                q++;
            }
            e = q++;
            for (;;) {
                if (q >= end) {
                    eof = true;
                    break;
                }
                if (*q == delim) {
                    q++;
                    break;
                }
                if (*q == '\r' || *q == '\n') {
                    eol = true;
                    break;
                }
                if (!java_space(*q)) {
                    *why = "invalid char between encapsulated token and delimiter";
                    *errat = q;
                    return EDDY_EPARSE;
                }
                q++;
            }
            p = q;
        } else {
            while (p < end && *p != delim && *p != '\r' && *p != '\n')
                p++;
            e = p;
            if (p >= end)
                eof = true;
            else if (*p == delim)
                p++;
            else
                eol = true;
        }
        if (n < max) {
            f[n].s = s;
            f[n].n = (size_t)(e - s);
            f[n].dq = dq;
        }
        n++;
        if (eol) {
            if (*p == '\r' && p + 1 < end && p[1] == '\n')
                p++;
            p++;
            break;
        }
        if (eof)
            break;
    }
    *nf = n;
    *pp = p;
    return 0;
}

#define TIME_MAX_MS 86399999

static int field_error(const eddy_serde *s, const eddy_column *col, int code, const char *why,
                       const field *fl, char *errstr, size_t errstr_size)
{
    char sn[80], tb[128];
    eddy_serde_snippet(sn, sizeof sn, (const char *)fl->s, fl->n);
    if (code == EDDY_ERANGE)
        return eddy_seterr(errstr, errstr_size, code,
                           "Failed to deserialize %s: column '%s': value %s is out of range "
                           "for %s",
                           s->what, col->name, sn, eddy_serde_type_name(col->type, tb, sizeof tb));
    return eddy_seterr(errstr, errstr_size, code,
                       "Failed to deserialize %s: column '%s': %s%s, got %s", s->what, col->name,
                       why ? why : "expected ", why ? "" : eddy_serde_type_name(col->type, tb,
                                                                                sizeof tb),
                       sn);
}

static int parse_field(const eddy_serde *s, const eddy_column *col, field *fl, eddy_value *v,
                       eddy_arena *arena, char *errstr, size_t errstr_size)
{
    const eddy_type *t = col->type;
    if (fl->n == 0) {
        sv_null(v, t->id);
        return 0;
    }
    if (fl->dq) { /* undouble the quotes */
        uint8_t *d = eddy_arena_alloc(arena, fl->n + 1);
        if (!d)
            return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM,
                               "Failed to deserialize %s: out of memory", s->what);
        size_t o = 0;
        for (size_t i = 0; i < fl->n; i++) {
            d[o++] = fl->s[i];
            if (fl->s[i] == '"')
                i++;
        }
        d[o] = '\0';
        fl->s = d;
        fl->n = o;
        fl->dq = false;
    }
    const char *str = (const char *)fl->s;
    size_t n = fl->n;
    int64_t i64;
    int rc;
    switch (t->id) {
    case EDDY_TYPE_STRING: {
        const char *o;
        size_t on;
        if (eddy_serde_utf8_sanitize(arena, str, n, &o, &on))
            return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM,
                               "Failed to deserialize %s: out of memory", s->what);
        sv_str(v, EDDY_TYPE_STRING, o, on);
        return 0;
    }
    case EDDY_TYPE_BOOLEAN: /* Boolean.parseBoolean: anything but "true" is false */
        sv_bool(v, n == 4 && strncasecmp(str, "true", 4) == 0);
        return 0;
    case EDDY_TYPE_INT:
    case EDDY_TYPE_DATE:
        rc = eddy_serde_parse_long(str, n, INT32_MIN, INT32_MAX, &i64);
        break;
    case EDDY_TYPE_TIME:
        rc = eddy_serde_parse_long(str, n, 0, TIME_MAX_MS, &i64);
        break;
    case EDDY_TYPE_BIGINT:
    case EDDY_TYPE_TIMESTAMP:
        rc = eddy_serde_parse_long(str, n, INT64_MIN, INT64_MAX, &i64);
        break;
    case EDDY_TYPE_DOUBLE: {
        double d;
        if (eddy_serde_parse_double(str, n, &d))
            return field_error(s, col, EDDY_ETYPE, NULL, fl, errstr, errstr_size);
        sv_f64(v, d);
        return 0;
    }
    case EDDY_TYPE_DECIMAL: {
        __int128 u, fit;
        int scale, prec;
        rc = eddy_serde_parse_bigdecimal(str, n, &u, &scale, &prec);
        if (rc == EDDY_EPARSE)
            return field_error(s, col, EDDY_ETYPE, NULL, fl, errstr, errstr_size);
        char msg[200];
        if (rc) {
            char tb[64];
            snprintf(msg, sizeof msg, "Cannot fit decimal '%.*s' into %s without rounding",
                     (int)(n > 60 ? 60 : n), str, eddy_serde_type_name(t, tb, sizeof tb));
        } else
            rc = eddy_serde_decimal_fit(u, scale, prec, t, &fit, msg, sizeof msg);
        if (rc)
            return eddy_seterr(errstr, errstr_size, EDDY_ERANGE,
                               "Failed to deserialize %s: column '%s': %s", s->what, col->name,
                               msg);
        sv_dec(v, fit, t->precision, t->scale);
        return 0;
    }
    case EDDY_TYPE_BYTES: {
        size_t pad = 0;
        while (pad < n && str[n - 1 - pad] == '=')
            pad++;
        bool ok = pad <= 2 && (!pad || n % 4 == 0);
        for (size_t k = 0; ok && k < n - pad; k++)
            ok = str[k] != '-' && str[k] != '_';
        uint8_t *d = NULL;
        size_t dl = 0;
        rc = ok ? eddy_base64_decode(arena, str, n, &d, &dl) : EDDY_EPARSE;
        if (rc == EDDY_ENOMEM)
            return eddy_seterr(errstr, errstr_size, rc, "Failed to deserialize %s: out of memory",
                               s->what);
        if (rc)
            return field_error(s, col, EDDY_ETYPE, "expected base64 BYTES", fl, errstr,
                               errstr_size);
        sv_str(v, EDDY_TYPE_BYTES, d, dl);
        return 0;
    }
    default:
        return eddy_seterr(errstr, errstr_size, EDDY_EINTERNAL,
                           "Failed to deserialize %s: column '%s': type not supported",
                           s->what, col->name);
    }
    if (rc)
        return field_error(s, col, rc == EDDY_ERANGE ? EDDY_ERANGE : EDDY_ETYPE, NULL, fl,
                           errstr, errstr_size);
    switch (t->id) {
    case EDDY_TYPE_INT: sv_i32(v, EDDY_TYPE_INT, (int32_t)i64); break;
    case EDDY_TYPE_DATE: sv_i32(v, EDDY_TYPE_DATE, (int32_t)i64); break;
    case EDDY_TYPE_TIME: sv_i32(v, EDDY_TYPE_TIME, (int32_t)i64); break;
    case EDDY_TYPE_BIGINT: sv_i64(v, EDDY_TYPE_BIGINT, i64); break;
    default: sv_i64(v, EDDY_TYPE_TIMESTAMP, i64); break;
    }
    return 0;
}

int eddy_serde_delimited_decode(const eddy_serde *s, const uint8_t *buf, size_t len,
                                eddy_record *rec, eddy_arena *arena, char *errstr,
                                size_t errstr_size)
{
    field local[32];
    field *f = local;
    uint32_t max = s->ncols;
    if (max > 32) {
        f = eddy_arena_alloc(arena, sizeof *f * max);
        if (!f)
            return eddy_seterr(errstr, errstr_size, EDDY_ENOMEM,
                               "Failed to deserialize %s: out of memory", s->what);
    }
    const uint8_t *p = buf, *end = buf + len, *errat = NULL;
    const char *why = NULL;
    uint32_t nf = 0;
    int rc = csv_record(&p, end, (uint8_t)s->delim, f, max, &nf, &why, &errat);
    /* commons-csv reads every record before ksqlDB takes the first: later ones must parse */
    while (!rc && p < end) {
        uint32_t more;
        rc = csv_record(&p, end, (uint8_t)s->delim, NULL, 0, &more, &why, &errat);
        if (!more)
            break;
    }
    if (rc)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE,
                           "Failed to deserialize %s: invalid delimited data at offset %zu: %s",
                           s->what, (size_t)(errat - buf), why);
    if (nf == 0)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE,
                           "Failed to deserialize %s: No fields in record", s->what);
    if (nf != s->ncols)
        return eddy_seterr(errstr, errstr_size, EDDY_EPARSE,
                           "Failed to deserialize %s: Column count mismatch on deserialization. "
                           "expected: %u, got: %u",
                           s->what, s->ncols, nf);
    for (uint32_t i = 0; i < s->ncols; i++) {
        uint32_t ci = s->cols[i];
        if ((rc = parse_field(s, &s->schema->cols[ci], &f[i], &rec->cols[ci], arena, errstr,
                              errstr_size)))
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------ writing */

static bool is_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* commons-csv 1.4, QuoteMode.MINIMAL: an empty first field, a first field not starting with
 * a letter or digit, any field starting with a char <= '#', containing CR, LF, the quote or
 * the delimiter, or ending with a char <= ' '. (ksqlDB's outputs show "-10" quoted first.) */
static bool needs_quotes(const uint8_t *t, size_t n, bool first, uint8_t delim)
{
    if (n == 0)
        return first;
    if (first && !is_alnum(t[0]))
        return true;
    if (t[0] <= '#')
        return true;
    for (size_t i = 0; i < n; i++)
        if (t[i] == '\n' || t[i] == '\r' || t[i] == '"' || t[i] == delim)
            return true;
    return t[n - 1] <= ' ';
}

static int field_text(eddy_buf *out, const eddy_type *t, const eddy_value *v)
{
    char tmp[64];
    size_t n;
    switch (v->type) {
    case EDDY_TYPE_BOOLEAN:
        return eddy_buf_puts(out, v->u.b ? "true" : "false");
    case EDDY_TYPE_INT:
        n = eddy_serde_fmt_i64(tmp, v->u.i32);
        break;
    case EDDY_TYPE_BIGINT:
        n = eddy_serde_fmt_i64(tmp, v->u.i64);
        break;
    case EDDY_TYPE_DATE:
        n = eddy_serde_fmt_i64(tmp, v->u.date);
        break;
    case EDDY_TYPE_TIME:
        n = eddy_serde_fmt_i64(tmp, v->u.time);
        break;
    case EDDY_TYPE_TIMESTAMP:
        n = eddy_serde_fmt_i64(tmp, v->u.ts);
        break;
    case EDDY_TYPE_DOUBLE:
        return eddy_value_format(out, v);
    case EDDY_TYPE_DECIMAL: {
        __int128 u = v->u.dec;
        int scale = v->scale;
        if (t->id == EDDY_TYPE_DECIMAL && t->scale != v->scale) {
            if (eddy_decimal_rescale(v->u.dec, v->scale, t->precision, t->scale, &u))
                return EDDY_ERANGE;
            scale = t->scale;
        }
        n = eddy_decimal_format(u, scale, tmp, sizeof tmp);
        break;
    }
    case EDDY_TYPE_STRING:
        return eddy_buf_append(out, v->u.str, v->len);
    case EDDY_TYPE_BYTES:
        return eddy_base64_encode(out, v->u.str, v->len);
    default:
        return EDDY_EINTERNAL;
    }
    return eddy_buf_append(out, tmp, n);
}

int eddy_serde_delimited_encode(const eddy_serde *s, const eddy_record *rec, eddy_buf *out,
                                char *errstr, size_t errstr_size)
{
    size_t start = out->len;
    uint8_t delim = (uint8_t)s->delim;
    for (uint32_t i = 0; i < s->ncols; i++) {
        uint32_t ci = s->cols[i];
        const eddy_value *v = &rec->cols[ci];
        int rc = i ? eddy_buf_putc(out, (char)delim) : 0;
        if (!rc && !(v->is_null || v->type == 0)) { /* NULL: an empty field, never quoted */
            size_t fs = out->len;
            rc = field_text(out, s->schema->cols[ci].type, v);
            if (!rc) {
                const uint8_t *t = (const uint8_t *)out->data + fs;
                size_t n = out->len - fs;
                if (needs_quotes(t, n, i == 0, delim)) {
                    size_t q = 0;
                    for (size_t k = 0; k < n; k++)
                        q += t[k] == '"';
                    if (!(rc = eddy_buf_reserve(out, n + q + 2))) {
                        char *d = out->data + fs;
                        size_t w = n + q + 1; /* index of the closing quote */
                        d[w--] = '"';
                        for (size_t r = n; r-- > 0;) {
                            d[w--] = d[r];
                            if (d[r] == '"')
                                d[w--] = '"';
                        }
                        d[0] = '"';
                        out->len = fs + n + q + 2;
                    }
                }
            }
        }
        if (rc) {
            out->len = start;
            char tb[128];
            if (rc == EDDY_ERANGE)
                return eddy_seterr(errstr, errstr_size, rc,
                                   "Failed to serialize %s: column '%s': decimal does not fit %s",
                                   s->what, s->schema->cols[ci].name,
                                   eddy_serde_type_name(s->schema->cols[ci].type, tb, sizeof tb));
            if (rc == EDDY_EINTERNAL)
                return eddy_seterr(errstr, errstr_size, rc,
                                   "Failed to serialize %s: column '%s': a %s value cannot be "
                                   "written in the DELIMITED format",
                                   s->what, s->schema->cols[ci].name,
                                   eddy_type_id_name((eddy_type_id)v->type));
            return eddy_seterr(errstr, errstr_size, rc, "Failed to serialize %s: out of memory",
                               s->what);
        }
    }
    return 0;
}
