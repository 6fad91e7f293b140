/* check_serde.c: the record formats JSON, KAFKA, DELIMITED and NONE, for keys and values.
 * Expected outputs come from ksqlDB's qtt cases (cited as file#index, from
 * /work/shared/qtt/query-validation) and serialization.md, or are derived by hand from
 * ksqlDB's rules (Jackson, commons-csv, Kafka's serializers); never from this program's
 * output. cJSON is the oracle of the property test of the JSON reader. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eddy/record.h"
#include "serde/serde.h"
#include "testutil.h"

/* ------------------------------------------------------------ helpers */

/* A test-side reader of column lists: "K STRING KEY, `v` DECIMAL(4,2), S STRUCT<A INT>".
 * Unquoted names are upper-cased as SQL does. */
static const eddy_type *parse_type(const char **pp);

static void skip_sp(const char **pp)
{
    while (**pp == ' ')
        (*pp)++;
}

static void parse_name(const char **pp, char *out, size_t size)
{
    size_t n = 0;
    skip_sp(pp);
    if (**pp == '`') {
        (*pp)++;
        while (**pp && **pp != '`' && n + 1 < size)
            out[n++] = *(*pp)++;
        ck_assert_int_eq(**pp, '`');
        (*pp)++;
    } else {
        for (char c = **pp; (c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                             (c >= 'A' && c <= 'Z')) &&
                            n + 1 < size;
             c = *++(*pp))
            out[n++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    out[n] = '\0';
    ck_assert_msg(n > 0, "name expected at '%s'", *pp);
}

static void expect(const char **pp, char c)
{
    skip_sp(pp);
    ck_assert_msg(**pp == c, "'%c' expected at '%s'", c, *pp);
    (*pp)++;
}

static const eddy_type *parse_type(const char **pp)
{
    char w[64];
    parse_name(pp, w, sizeof w);
    if (!strcmp(w, "BOOLEAN"))
        return eddy_type_boolean();
    if (!strcmp(w, "INT") || !strcmp(w, "INTEGER"))
        return eddy_type_int();
    if (!strcmp(w, "BIGINT"))
        return eddy_type_bigint();
    if (!strcmp(w, "DOUBLE"))
        return eddy_type_double();
    if (!strcmp(w, "STRING") || !strcmp(w, "VARCHAR"))
        return eddy_type_string();
    if (!strcmp(w, "BYTES"))
        return eddy_type_bytes();
    if (!strcmp(w, "DATE"))
        return eddy_type_date();
    if (!strcmp(w, "TIME"))
        return eddy_type_time();
    if (!strcmp(w, "TIMESTAMP"))
        return eddy_type_timestamp();
    if (!strcmp(w, "DECIMAL")) {
        expect(pp, '(');
        int p = (int)strtol(*pp, (char **)pp, 10);
        expect(pp, ',');
        int s = (int)strtol(*pp, (char **)pp, 10);
        expect(pp, ')');
        return eddy_type_decimal(p, s);
    }
    if (!strcmp(w, "ARRAY")) {
        expect(pp, '<');
        const eddy_type *e = parse_type(pp);
        expect(pp, '>');
        return eddy_type_array(e);
    }
    if (!strcmp(w, "MAP")) {
        expect(pp, '<');
        const eddy_type *k = parse_type(pp);
        expect(pp, ',');
        const eddy_type *v = parse_type(pp);
        expect(pp, '>');
        return eddy_type_map(k, v);
    }
    if (!strcmp(w, "STRUCT")) {
        eddy_field f[16];
        char names[16][64];
        uint32_t n = 0;
        expect(pp, '<');
        skip_sp(pp);
        while (**pp != '>') {
            parse_name(pp, names[n], sizeof names[n]);
            f[n].name = names[n];
            f[n].type = parse_type(pp);
            n++;
            skip_sp(pp);
            if (**pp == ',')
                (*pp)++;
            skip_sp(pp);
        }
        (*pp)++;
        return eddy_type_struct(n, f);
    }
    ck_abort_msg("unknown type %s", w);
    return NULL;
}

static eddy_schema *columns(const char *spec)
{
    eddy_schema_builder *b = eddy_schema_builder_new();
    const char *p = spec;
    skip_sp(&p);
    while (*p) {
        char name[64];
        parse_name(&p, name, sizeof name);
        const eddy_type *t = parse_type(&p);
        ck_assert_ptr_nonnull(t);
        skip_sp(&p);
        eddy_column_kind kind = EDDY_COL_VALUE;
        if (!strncmp(p, "KEY", 3)) {
            kind = EDDY_COL_KEY;
            p += 3;
        } else if (!strncmp(p, "HEADERS", 7)) {
            kind = EDDY_COL_HEADERS;
            p += 7;
        }
        ck_assert_int_eq(eddy_schema_builder_add(b, name, t, kind), 0);
        skip_sp(&p);
        if (*p == ',')
            p++;
        skip_sp(&p);
    }
    eddy_schema *s = eddy_schema_build(b);
    ck_assert_ptr_nonnull(s);
    return s;
}

enum { K = EDDY_SERDE_KEY, V = EDDY_SERDE_VALUE, A = EDDY_SERDE_ALL };

/* A serde, or NULL with the message in err. `delim` may be NULL. */
static eddy_serde *mk(const char *fmt, const eddy_schema *sc, int part, int wrap,
                      const char *delim, char *err, size_t errsize)
{
    eddy_serde_opts o = {.format = fmt, .wrap_single = wrap};
    if (delim)
        ck_assert_int_eq(eddy_serde_opts_set(&o, "delimiter", delim, err, errsize), 0);
    eddy_serde *s = NULL;
    int rc = eddy_serde_new(&o, sc, (eddy_serde_part)part, &s, err, errsize);
    if (rc) {
        ck_assert_int_lt(rc, 0);
        ck_assert_ptr_null(s);
    }
    return s;
}

static eddy_serde *mk_ok(const char *fmt, const eddy_schema *sc, int part, int wrap,
                         const char *delim)
{
    char err[EDDY_ERRSTR_SIZE] = "";
    eddy_serde *s = mk(fmt, sc, part, wrap, delim, err, sizeof err);
    ck_assert_msg(s != NULL, "serde %s: %s", fmt, err);
    return s;
}

/* Test-side rendering of a decoded value, independent of the serde's writer:
 * 'str', x'hex' for BYTES, numbers in C, DOUBLE in the shortest %g that reads back. */
static void render(eddy_buf *b, const eddy_type *t, const eddy_value *v)
{
    if (v->is_null) {
        ck_assert_msg(v->type == t->id, "NULL of type %d in a column of type %d", v->type,
                      t->id);
        eddy_buf_puts(b, "null");
        return;
    }
    ck_assert_msg(v->type == t->id, "value of type %d in a column of type %d", v->type, t->id);
    char tmp[64];
    switch (t->id) {
    case EDDY_TYPE_BOOLEAN:
        eddy_buf_puts(b, v->u.b ? "true" : "false");
        break;
    case EDDY_TYPE_INT:
        eddy_buf_printf(b, "%d", v->u.i32);
        break;
    case EDDY_TYPE_DATE:
        eddy_buf_printf(b, "%d", v->u.date);
        break;
    case EDDY_TYPE_TIME:
        eddy_buf_printf(b, "%d", v->u.time);
        break;
    case EDDY_TYPE_BIGINT:
        eddy_buf_printf(b, "%lld", (long long)v->u.i64);
        break;
    case EDDY_TYPE_TIMESTAMP:
        eddy_buf_printf(b, "%lld", (long long)v->u.ts);
        break;
    case EDDY_TYPE_DOUBLE:
        for (int p = 1; p <= 17; p++) {
            snprintf(tmp, sizeof tmp, "%.*g", p, v->u.f64);
            if (strtod(tmp, NULL) == v->u.f64 || isnan(v->u.f64))
                break;
        }
        eddy_buf_puts(b, tmp);
        break;
    case EDDY_TYPE_DECIMAL:
        ck_assert_int_eq(v->scale, t->scale);
        ck_assert_int_eq(v->precision, t->precision);
        eddy_decimal_format(v->u.dec, v->scale, tmp, sizeof tmp);
        eddy_buf_puts(b, tmp);
        break;
    case EDDY_TYPE_STRING:
        eddy_buf_putc(b, '\'');
        eddy_buf_append(b, v->u.str, v->len);
        eddy_buf_putc(b, '\'');
        break;
    case EDDY_TYPE_BYTES:
        eddy_buf_puts(b, "x'");
        for (uint32_t i = 0; i < v->len; i++)
            eddy_buf_printf(b, "%02x", (uint8_t)v->u.str[i]);
        eddy_buf_putc(b, '\'');
        break;
    case EDDY_TYPE_ARRAY:
        eddy_buf_putc(b, '[');
        for (uint32_t i = 0; i < v->len; i++) {
            if (i)
                eddy_buf_puts(b, ", ");
            render(b, t->elem, &v->u.items[i]);
        }
        eddy_buf_putc(b, ']');
        break;
    case EDDY_TYPE_MAP:
        eddy_buf_putc(b, '{');
        for (uint32_t i = 0; i < v->len; i++) {
            if (i)
                eddy_buf_puts(b, ", ");
            render(b, t->key, &v->u.items[2 * i]);
            eddy_buf_putc(b, '=');
            render(b, t->elem, &v->u.items[2 * i + 1]);
        }
        eddy_buf_putc(b, '}');
        break;
    case EDDY_TYPE_STRUCT:
        ck_assert_uint_eq(v->len, t->nfields);
        eddy_buf_putc(b, '{');
        for (uint32_t i = 0; i < v->len; i++) {
            if (i)
                eddy_buf_puts(b, ", ");
            eddy_buf_printf(b, "%s=", t->fields[i].name);
            render(b, t->fields[i].type, &v->u.items[i]);
        }
        eddy_buf_putc(b, '}');
        break;
    default:
        ck_abort_msg("type %d", t->id);
    }
}

static bool in_part(const eddy_column *c, int part)
{
    return part == A || (part == K ? c->kind == EDDY_COL_KEY : c->kind == EDDY_COL_VALUE);
}

/* The part's columns joined with " | ". */
static const char *render_part(eddy_buf *b, const eddy_schema *sc, int part,
                               const eddy_record *r)
{
    eddy_buf_clear(b);
    bool first = true;
    for (uint32_t i = 0; i < sc->ncols; i++) {
        if (!in_part(&sc->cols[i], part))
            continue;
        if (!first)
            eddy_buf_puts(b, " | ");
        first = false;
        render(b, sc->cols[i].type, &r->cols[i]);
    }
    return eddy_buf_cstr(b);
}

/* A record of `sc` whose columns are NULL with garbage payloads (decode must set them). */
typedef struct rec {
    eddy_record r;
    eddy_value cols[32];
} rec;

static void rec_init(rec *x, const eddy_schema *sc)
{
    memset(x, 0, sizeof *x);
    memset(x->cols, 0xa5, sizeof x->cols);
    for (uint32_t i = 0; i < sc->ncols; i++)
        x->cols[i] = eddy_null(sc->cols[i].type->id);
    x->r.cols = x->cols;
}

/* -------------------------------------------- table: decoding cases */

typedef struct dcase {
    const char *src;  /* where the expectation comes from */
    const char *fmt;
    const char *cols;
    int part, wrap;
    const char *delim;
    const char *in;   /* NULL: a Kafka null */
    int inlen;        /* -1: strlen(in) */
    int rc;
    const char *want; /* rendering, or the exact message when rc != 0 */
} dcase;

#define J(src, cols, part, wrap, in, want)                                                  \
    {src, "JSON", cols, part, wrap, NULL, in, -1, 0, want}
#define JE(src, cols, part, wrap, in, rc, want)                                              \
    {src, "JSON", cols, part, wrap, NULL, in, -1, rc, want}
#define D(src, cols, part, delim, in, want)                                                  \
    {src, "DELIMITED", cols, part, -1, delim, in, -1, 0, want}
#define DE(src, cols, part, delim, in, rc, want)                                             \
    {src, "DELIMITED", cols, part, -1, delim, in, -1, rc, want}

#define VAL_PREFIX "Failed to deserialize value: "

static const dcase dcases[] = {
    /* ---- JSON: qtt json.json */
    J("json#0", "K BOOLEAN KEY, V INT", K, -1, "true", "true"),
    J("json#0", "K BOOLEAN KEY, V INT", K, -1, "false", "false"),
    J("json#0", "K BOOLEAN KEY, V INT", K, -1, NULL, "null"),
    J("json#1", "V BOOLEAN", V, 0, "true", "true"),
    J("json#3", "K INT KEY, V INT", K, -1, "33", "33"),
    J("json#5", "K BIGINT KEY, V INT", K, -1, "998877665544332211", "998877665544332211"),
    J("json#6", "V BIGINT", V, 0, "10827272222", "10827272222"),
    J("json#7", "K DOUBLE KEY, V INT", K, -1, "654.321", "654.321"),
    J("json#8", "V DOUBLE", V, 0, "1234.589", "1234.589"),
    J("json#9", "K STRING KEY, V INT", K, -1, "\"Hey\"", "'Hey'"),
    J("json#11", "V DECIMAL(4,2)", V, 0, "10.1", "10.10"),
    J("json#12", "V DECIMAL(4,2)", V, -1, "{\"V\": 99.99}", "99.99"),
    J("json#13", "K ARRAY<DOUBLE> KEY, V INT", K, -1, "[10.1]", "[10.1]"),
    J("json#17", "V MAP<STRING, DOUBLE>", V, 0, "{\"a\": 45.67}", "{'a'=45.67}"),
    J("json#19", "K STRUCT<F DOUBLE> KEY, V INT", K, -1, "{\"f\": 45.67}", "{F=45.67}"),
    J("json#20", "V STRUCT<A DOUBLE>", V, 0, "{\"a\": 45.67}", "{A=45.67}"),
    J("json#22", "FOO ARRAY<STRING>", V, 0, "[\"a\", \"b\", null]", "['a', 'b', null]"),
    J("json#23", "FOO ARRAY<STRING>", V, 0, "[1, 2, 3]", "['1', '2', '3']"),
    J("json#24", "FOO ARRAY<STRING>", V, 1, "{\"FOO\": null}", "null"),
    J("json#25", "FOO MAP<STRING, INT>", V, 0, "{\"a\": 1, \"b\": 2, \"c\": null}",
      "{'a'=1, 'b'=2, 'c'=null}"),
    J("json#26", "FOO MAP<STRING, INT>", V, 1, "{\"FOO\": {\"a\": 1, \"b\": 2, \"c\": 3}}",
      "{'a'=1, 'b'=2, 'c'=3}"),
    J("json#36", "V INT", V, -1, "{\"V\": 0}", "0"),
    /* serialization.md: "age" given as a string, ID as lower-case "id" */
    J("docs", "ID BIGINT, NAME STRING, AGE INT", V, -1,
      "{\n  \"id\": 120,\n  \"name\": \"bob\",\n  \"age\": \"49\"\n}", "120 | 'bob' | 49"),
    J("docs", "ID BIGINT", V, 0, "10", "10"),
    J("docs decimals", "N DECIMAL(15,14), S DECIMAL(15,14)", V, -1,
      "{\"n\": 1.12345678912345, \"s\": \"1.12345678912345\"}",
      "1.12345678912345 | 1.12345678912345"),
    J("docs timestamp", "VALUE TIMESTAMP", V, -1, "{\"value\": 1}", "1"),
    J("docs time", "VALUE TIME", V, -1, "{\"value\": 1000}", "1000"),
    J("docs date", "VALUE DATE", V, -1, "{\"value\": 2}", "2"),
    J("docs bytes", "VALUE BYTES", V, -1, "{\"value\": \"YWJj\"}", "x'616263'"),
    J("bytes#1", "ID STRING KEY, B BYTES", V, -1, "{\"B\": \"dmFyaWF0aW9ucw==\"}",
      "x'766172696174696f6e73'"),
    J("bytes#4", "ID STRING KEY, S STRUCT<B BYTES>, A ARRAY<BYTES>, M MAP<STRING, BYTES>", V, -1,
      "{\"S\": {\"B\": \"ew==\"}, \"A\": [\"ew==\", \"ew==\"], \"M\": {\"B\": \"ew==\"}}",
      "{B=x'7b'} | [x'7b', x'7b'] | {'B'=x'7b'}"),
    J("time#1", "ID STRING KEY, TIME TIME", V, -1, "{\"time\": 10}", "10"),
    J("timestamp#2", "ID STRING KEY, TIME TIMESTAMP", V, -1, "{\"time\": 10}", "10"),
    J("key-schemas#10", "K STRING KEY, KEY STRING, ID BIGINT", V, -1,
      "{\"key\": \"a\", \"id\": 1}", "'a' | 1"),
    J("key-schemas#0", "K STRING KEY, ID BIGINT", K, -1, "\"\"", "''"),
    /* group-by#20: "2" into INT, the struct field "Town" matches TOWN */
    J("group-by#20", "F1 INT KEY, F2 INT, ADDRESS STRUCT<STREET STRING, TOWN STRING>", V, -1,
      "{\"f2\": \"2\", \"ADDRESS\": {\"STREET\": \"1st Street\", \"Town\": \"Oxford\"}}",
      "2 | {STREET='1st Street', TOWN='Oxford'}"),
    /* math#21: -1.7 into INTEGER is -1 (Jackson's intValue truncates) */
    J("math#21", "K STRING KEY, V INTEGER", V, -1, "{\"v\": -1.7}", "-1"),
    /* simple-struct#1: an object into VARCHAR is its compact JSON text */
    J("simple-struct#1", "ITEMID VARCHAR", V, -1,
      "{\"ITEMID\": {\"ITEMID\": 6, \"CATEGORY\": {\"ID\": 2, \"NAME\": \"Food\"}, "
      "\"NAME\": \"Item_6\"}}",
      "'{\"ITEMID\":6,\"CATEGORY\":{\"ID\":2,\"NAME\":\"Food\"},\"NAME\":\"Item_6\"}'"),
    /* avro#38 reads a nested object into VARCHAR the same way */
    J("avro#38", "`id` VARCHAR, `transaction` VARCHAR", V, -1,
      "{\"id\": \"1\", \"transaction\": {\"num_shares\": 50000, \"amount\": 50044568, "
      "\"txn_ts\": \"2020-11-18 02:31:43\"}}",
      "'1' | '{\"num_shares\":50000,\"amount\":50044568,\"txn_ts\":\"2020-11-18 02:31:43\"}'"),

    /* ---- JSON: field matching (exact first, then upper-cased JSON names; missing NULL) */
    J("rule", "A INT, B INT", V, -1, "{}", "null | null"),
    J("rule", "A INT, B INT", V, -1, "{\"b\": 2, \"x\": [1, {\"y\": null}], \"z\": \"q\"}",
      "null | 2"),
    J("rule: exact over case-insensitive", "FOO INT", V, -1, "{\"foo\": 1, \"FOO\": 2}", "2"),
    J("rule: exact over case-insensitive", "FOO INT", V, -1, "{\"FOO\": 2, \"foo\": 1}", "2"),
    J("rule: first case-insensitive", "FOO INT", V, -1, "{\"Foo\": 1, \"fOO\": 2}", "1"),
    J("rule: last exact duplicate (Jackson)", "FOO INT", V, -1, "{\"FOO\": 1, \"FOO\": 2}", "2"),
    J("rule: quoted lower-case column", "`foo` INT", V, -1, "{\"FOO\": 1}", "null"),
    J("rule: quoted lower-case column", "`foo` INT", V, -1, "{\"foo\": 1}", "1"),
    J("rule: one name, two columns", "`foo` INT, FOO STRING", V, -1, "{\"foo\": 5}", "5 | '5'"),
    J("rule: a superseded bad value", "FOO INT", V, -1, "{\"foo\": \"x\", \"FOO\": 3}", "3"),
    J("rule: map duplicate (last wins, first place)", "M MAP<STRING, INT>", V, -1,
      "{\"M\": {\"a\": 1, \"b\": 2, \"a\": 3}}", "{'a'=3, 'b'=2}"),
    J("rule: large map", "M MAP<STRING, INT>", V, 0,
      "{\"k0\":0,\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8,"
      "\"k9\":9,\"k10\":10,\"k3\":33,\"k11\":11,\"k12\":12,\"k13\":13,\"k14\":14,\"k15\":15,"
      "\"k16\":16,\"k17\":17,\"k16\":-16}",
      "{'k0'=0, 'k1'=1, 'k2'=2, 'k3'=33, 'k4'=4, 'k5'=5, 'k6'=6, 'k7'=7, 'k8'=8, 'k9'=9, "
      "'k10'=10, 'k11'=11, 'k12'=12, 'k13'=13, 'k14'=14, 'k15'=15, 'k16'=-16, 'k17'=17}"),
    J("rule: escaped names", "RATING_ID INT", V, -1, "{\"r\\u0061ting_id\": 7}", "7"),
    J("rule: UTF-8 BOM", "A INT", V, -1, "\xEF\xBB\xBF{\"a\":1}", "1"),
    J("rule: whitespace", "A ARRAY<INT>", V, -1, " \t\r\n{ \"a\" :\n[ 1 , 2 ] } \n", "[1, 2]"),
    J("rule: JSON null value is a tombstone", "A INT", V, -1, "null", "null"),
    J("rule: unwrapped key null", "K STRING KEY", K, -1, "null", "null"),
    J("rule: ALL part", "K STRING KEY, V INT", A, -1, "{\"k\": \"x\", \"v\": 1}", "'x' | 1"),
    J("rule: multi-column key is wrapped", "K1 STRING KEY, K2 INT KEY, V INT", K, -1,
      "{\"K1\": \"foo\", \"K2\": 2}", "'foo' | 2"),

    /* ---- JSON: strings and escapes */
    J("escapes", "S STRING", V, 0, "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"",
      "'a\"b\\c/d\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80'"),
    J("raw UTF-8", "S STRING", V, 0, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
      "'\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80'"),
    J("long string", "S STRING", V, 0,
      "\"0123456789abcdef0123456789abcdef0123456789\\nabcdef0123456789abcdef\"",
      "'0123456789abcdef0123456789abcdef0123456789\nabcdef0123456789abcdef'"),

    /* ---- JSON: coercions into STRING (Jackson's asText, floats read as BigDecimal) */
    J("coerce", "S STRING", V, 0, "1.50", "'1.50'"),
    J("coerce", "S STRING", V, 0, "1e10", "'1E+10'"),
    J("coerce", "S STRING", V, 0, "1.5e-7", "'1.5E-7'"),
    J("coerce", "S STRING", V, 0, "0.000001", "'0.000001'"),
    J("coerce", "S STRING", V, 0, "0.0000001", "'1E-7'"),
    J("coerce", "S STRING", V, 0, "-0", "'0'"),
    J("coerce", "S STRING", V, 0, "-0.0", "'0.0'"),
    J("coerce", "S STRING", V, 0, "123.456e1", "'1234.56'"),
    J("coerce", "S STRING", V, 0, "12345678901234567890123", "'12345678901234567890123'"),
    J("coerce", "S STRING", V, 0, "true", "'true'"),
    J("coerce", "S STRING", V, 0, "[1, \"a\", [true, null], {\"k\": \"v\"}]",
      "'[1, a, [true, null], {\"k\":\"v\"}]'"),
    J("coerce", "S STRING", V, 0, "{\"a\": [1, 2.50, \"x\\\"y\"], \"b\": {}}",
      "'{\"a\":[1,2.50,\"x\\\"y\"],\"b\":{}}'"),

    /* ---- JSON: numbers into INT, BIGINT, DOUBLE */
    J("coerce", "I INT", V, 0, "\"+10\"", "10"),
    J("coerce", "I INT", V, 0, "-2147483648", "-2147483648"),
    J("coerce", "I INT", V, 0, "2147483647", "2147483647"),
    J("coerce", "I INT", V, 0, "1e3", "1000"),
    J("coerce", "I INT", V, 0, "1.9e1", "19"),
    J("coerce", "I INT", V, 0, "2.5", "2"),
    J("coerce", "I INT", V, 0, "-0.5", "0"),
    J("coerce", "I BIGINT", V, 0, "9223372036854775807", "9223372036854775807"),
    J("coerce", "I BIGINT", V, 0, "-9223372036854775808", "-9223372036854775808"),
    J("coerce", "I BIGINT", V, 0, "0.12345678901234567890123", "0"),
    J("coerce", "I BIGINT", V, 0, "1.00000000000000000000001", "1"),
    J("coerce", "I BIGINT", V, 0, "12345678901234567.8e2", "1234567890123456780"),
    J("coerce", "I BIGINT", V, 0, "0e999999999", "0"),
    J("coerce", "X DOUBLE", V, 0, "3", "3"),
    J("coerce", "X DOUBLE", V, 0, "\"1.5\"", "1.5"),
    J("coerce", "X DOUBLE", V, 0, "\" 2 \"", "2"),
    J("coerce", "X DOUBLE", V, 0, "\"1d\"", "1"),
    J("coerce", "X DOUBLE", V, 0, "\"0x1p3\"", "8"),
    J("coerce", "X DOUBLE", V, 0, "\"NaN\"", "nan"),
    J("coerce", "X DOUBLE", V, 0, "\"-Infinity\"", "-inf"),
    J("coerce", "X DOUBLE", V, 0, "1e400", "inf"),
    J("coerce", "X DOUBLE", V, 0, "4.9e-324", "5e-324"),
    J("coerce", "X DOUBLE", V, 0, "9007199254740993", "9007199254740992"),
    J("coerce", "X DOUBLE", V, 0, "0.1", "0.1"),
    J("coerce", "X DOUBLE", V, 0, "123456789012345678901234567890", "1.2345678901234568e+29"),
    J("coerce", "X DOUBLE", V, 0, "2.2250738585072011e-308", "2.225073858507201e-308"),
    /* ---- JSON: DECIMAL (ensureFit: the column's scale, without rounding) */
    J("decimal", "D DECIMAL(4,2)", V, 0, "\"10.1\"", "10.10"),
    J("decimal", "D DECIMAL(4,2)", V, 0, "1.50000", "1.50"),
    J("decimal", "D DECIMAL(4,2)", V, 0, "1E1", "10.00"),
    J("decimal", "D DECIMAL(4,2)", V, 0, "-99.99", "-99.99"),
    J("decimal", "D DECIMAL(38,0)", V, 0, "99999999999999999999999999999999999999",
      "99999999999999999999999999999999999999"),
    /* ---- JSON: time types, BYTES */
    J("time", "T TIME", V, 0, "86399999", "86399999"),
    J("time", "T TIME", V, 0, "\"1000\"", "1000"),
    J("date", "D DATE", V, 0, "-10", "-10"),
    J("timestamp", "T TIMESTAMP", V, 0, "\"1519304105213\"", "1519304105213"),
    J("timestamp", "T TIMESTAMP", V, 0, "1.5e3", "1500"),
    J("bytes", "B BYTES", V, 0, "\"YW\"", "x'61'"),
    J("bytes", "B BYTES", V, 0, "\"\"", "x''"),

    /* ---- JSON: errors, with the exact message */
    JE("type", "STARS INT", V, -1, "{\"stars\": \"abc\"}", EDDY_ETYPE,
       VAL_PREFIX "column 'STARS': expected INTEGER, got string \"abc\""),
    JE("type", "STARS INT", V, -1, "{\"stars\": \" 10\"}", EDDY_ETYPE,
       VAL_PREFIX "column 'STARS': expected INTEGER, got string \" 10\""),
    JE("type", "STARS INT", V, -1, "{\"stars\": \"1.5\"}", EDDY_ETYPE,
       VAL_PREFIX "column 'STARS': expected INTEGER, got string \"1.5\""),
    JE("type", "STARS INT", V, -1, "{\"stars\": true}", EDDY_ETYPE,
       VAL_PREFIX "column 'STARS': expected INTEGER, got boolean true"),
    JE("type", "STARS INT", V, -1, "{\"stars\": [1]}", EDDY_ETYPE,
       VAL_PREFIX "column 'STARS': expected INTEGER, got an array"),
    JE("type", "B BOOLEAN", V, -1, "{\"b\": \"true\"}", EDDY_ETYPE,
       VAL_PREFIX "column 'B': expected BOOLEAN, got string \"true\""),
    JE("type", "B BOOLEAN", V, -1, "{\"b\": 1}", EDDY_ETYPE,
       VAL_PREFIX "column 'B': expected BOOLEAN, got number 1"),
    JE("type", "S STRUCT<A INT>", V, -1, "{\"s\": 5}", EDDY_ETYPE,
       VAL_PREFIX "column 'S': expected STRUCT<`A` INTEGER>, got number 5"),
    JE("type", "M MAP<STRING, INT>", V, -1, "{\"m\": [1]}", EDDY_ETYPE,
       VAL_PREFIX "column 'M': expected MAP<STRING, INTEGER>, got an array"),
    JE("type", "A ARRAY<INT>", V, -1, "{\"a\": {}}", EDDY_ETYPE,
       VAL_PREFIX "column 'A': expected ARRAY<INTEGER>, got an object"),
    JE("type", "X DOUBLE", V, -1, "{\"x\": \"abc\"}", EDDY_ETYPE,
       VAL_PREFIX "column 'X': expected DOUBLE, got string \"abc\""),
    JE("type", "T TIMESTAMP", V, -1, "{\"t\": \"2020-01-01\"}", EDDY_ETYPE,
       VAL_PREFIX "column 'T': expected TIMESTAMP, got string \"2020-01-01\""),
    JE("type", "B BYTES", V, -1, "{\"b\": \"YW-_\"}", EDDY_ETYPE,
       VAL_PREFIX "column 'B': expected BYTES, got string \"YW-_\""),
    JE("type", "B BYTES", V, -1, "{\"b\": \"YW=\"}", EDDY_ETYPE,
       VAL_PREFIX "column 'B': expected BYTES, got string \"YW=\""),
    JE("type", "D DECIMAL(4,2)", V, -1, "{\"d\": \"abc\"}", EDDY_ETYPE,
       VAL_PREFIX "column 'D': expected DECIMAL(4, 2), got string \"abc\""),
    JE("path", "S STRUCT<A ARRAY<INT>>", V, -1, "{\"s\": {\"a\": [1, \"x\"]}}", EDDY_ETYPE,
       VAL_PREFIX "column 'S.A[1]': expected INTEGER, got string \"x\""),
    JE("path", "M MAP<STRING, ARRAY<INT>>", V, -1, "{\"m\": {\"k\": [\"x\"]}}", EDDY_ETYPE,
       VAL_PREFIX "column 'M['k'][0]': expected INTEGER, got string \"x\""),
    JE("schema order", "A INT, B INT", V, -1, "{\"b\": \"x\", \"a\": \"y\"}", EDDY_ETYPE,
       VAL_PREFIX "column 'A': expected INTEGER, got string \"y\""),
    JE("unwrapped", "V INT", V, 0, "\"x\"", EDDY_ETYPE,
       VAL_PREFIX "column 'V': expected INTEGER, got string \"x\""),
    JE("wrapped", "V INT", V, -1, "[1]", EDDY_ETYPE,
       VAL_PREFIX "expected a JSON object, got an array"),
    JE("wrapped", "V INT", V, -1, "5", EDDY_ETYPE,
       VAL_PREFIX "expected a JSON object, got a number"),
    JE("key", "K INT KEY", K, -1, "\"x\"", EDDY_ETYPE,
       "Failed to deserialize key: column 'K': expected INTEGER, got string \"x\""),
    JE("range", "STARS INT", V, -1, "{\"stars\": 3000000000}", EDDY_ERANGE,
       VAL_PREFIX "column 'STARS': value 3000000000 is out of range for INTEGER"),
    JE("range", "STARS INT", V, -1, "{\"stars\": \"2147483648\"}", EDDY_ERANGE,
       VAL_PREFIX "column 'STARS': value 2147483648 is out of range for INTEGER"),
    JE("range", "STARS INT", V, -1, "{\"stars\": 1e10}", EDDY_ERANGE,
       VAL_PREFIX "column 'STARS': value 1e10 is out of range for INTEGER"),
    JE("range", "N BIGINT", V, -1, "{\"n\": 9223372036854775808}", EDDY_ERANGE,
       VAL_PREFIX "column 'N': value 9223372036854775808 is out of range for BIGINT"),
    JE("range", "N BIGINT", V, -1, "{\"n\": -12345678901234567890.5}", EDDY_ERANGE,
       VAL_PREFIX "column 'N': value -12345678901234567890.5 is out of range for BIGINT"),
    JE("range", "T TIME", V, -1, "{\"t\": 86400000}", EDDY_ERANGE,
       VAL_PREFIX "column 'T': value 86400000 is out of range for TIME"),
    JE("range", "T TIME", V, -1, "{\"t\": -1}", EDDY_ERANGE,
       VAL_PREFIX "column 'T': value -1 is out of range for TIME"),
    JE("range", "D DATE", V, -1, "{\"d\": 2147483648}", EDDY_ERANGE,
       VAL_PREFIX "column 'D': value 2147483648 is out of range for DATE"),
    JE("ensureFit", "D DECIMAL(4,2)", V, -1, "{\"d\": 1.555}", EDDY_ERANGE,
       VAL_PREFIX "column 'D': Cannot fit decimal '1.555' into DECIMAL(4, 2) without rounding. "
                  "(Requires 4,3)"),
    JE("ensureFit", "D DECIMAL(4,2)", V, -1, "{\"d\": 100}", EDDY_ERANGE,
       VAL_PREFIX "column 'D': Cannot fit decimal '100' into DECIMAL(4, 2) without rounding. "
                  "(Requires 3,0)"),
    JE("ensureFit", "D DECIMAL(4,2)", V, -1, "{\"d\": \"-0.001\"}", EDDY_ERANGE,
       VAL_PREFIX "column 'D': Cannot fit decimal '-0.001' into DECIMAL(4, 2) without "
                  "rounding. (Requires 3,3)"),
    /* malformed JSON: reported before any conversion problem */
    JE("syntax first", "STARS INT", V, -1, "{\"stars\": \"abc\", \"x\": }", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 22: unexpected character '}' (a value expected)"),
    JE("syntax", "A INT", V, -1, "{\"a\":}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 5: unexpected character '}' (a value expected)"),
    JE("syntax", "A INT", V, -1, "{\"a\":1", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 6: unexpected end of input ('}' or ',' expected)"),
    JE("syntax", "A INT", V, -1, "{\"a\":1,}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 7: unexpected character '}' (a field name expected)"),
    JE("syntax", "A INT", V, -1, "{\"a\" 1}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 5: unexpected character '1' (':' expected)"),
    JE("syntax", "A STRING", V, -1, "{\"a\":\"x", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 5: unterminated string"),
    JE("syntax", "A STRING", V, -1, "{\"a\":\"\\q\"}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 6: invalid escape sequence '\\q'"),
    JE("syntax", "A STRING", V, -1, "{\"a\":\"\\u12\"}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 6: invalid \\u escape (4 hex digits expected)"),
    JE("syntax", "A STRING", V, -1, "{\"a\":\"\\udc00\"}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 6: invalid \\u escape: lone low surrogate \\uDC00"),
    JE("syntax", "A STRING", V, -1, "{\"a\":\"\\ud800x\"}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 6: invalid \\u escape: high surrogate \\uD800 not "
                  "followed by a low surrogate"),
    JE("syntax", "A STRING", V, -1, "{\"a\":\"x\ny\"}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 7: unescaped control character (code 10) in string"),
    JE("syntax", "A STRING", V, -1, "{\"a\":\"\xff\"}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 6: invalid UTF-8 in string"),
    JE("syntax", "A STRING", V, -1, "{\"a\":\"\xc0\xaf\"}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 6: invalid UTF-8 in string"),
    JE("syntax", "A STRING", V, -1, "{\"a\":\"\xed\xa0\x80\"}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 6: invalid UTF-8 in string"),
    JE("syntax", "A INT", V, -1, "{\"a\":01}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 5: invalid number: leading zeros are not allowed"),
    JE("syntax", "A DOUBLE", V, -1, "{\"a\":1.}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 7: invalid number: a digit must follow the decimal "
                  "point"),
    JE("syntax", "A DOUBLE", V, -1, "{\"a\":1e}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 7: invalid number: a digit must follow the exponent "
                  "mark"),
    JE("syntax", "A INT", V, -1, "{\"a\":-}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 6: unexpected character '}' in a number (a digit "
                  "expected)"),
    JE("syntax", "A INT", V, -1, "{\"a\":+1}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 5: unexpected character '+' (a value expected)"),
    JE("syntax", "A BOOLEAN", V, -1, "{\"a\":tru}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 5: unrecognized token 'tru': was expecting a JSON "
                  "value"),
    JE("syntax", "A DOUBLE", V, -1, "{\"a\":NaN}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 5: unexpected character 'N' (a value expected)"),
    JE("syntax", "A INT", V, -1, "{\"a\":1} x", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 8: unexpected data after the JSON value"),
    JE("syntax", "A INT", V, -1, "{\"a\":1}{}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 7: unexpected data after the JSON value"),
    JE("syntax", "A ARRAY<INT>", V, -1, "{\"a\":[1 2]}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 8: unexpected character '2' (']' or ',' expected)"),
    JE("syntax", "A INT", V, -1, "{\"b\":[1,]}", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 8: unexpected character ']' (a value expected)"),
    JE("syntax", "A INT", V, -1, "", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 0: unexpected end of input (a value expected)"),
    JE("syntax", "A INT", V, -1, "nul", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 0: unrecognized token 'nul': was expecting a JSON "
                  "value"),
    JE("syntax", "V INT", V, 0, "1 2", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 2: unexpected data after the JSON value"),
    JE("syntax", "V INT", V, 0, "\"x\" 2", EDDY_EPARSE,
       VAL_PREFIX "invalid JSON at offset 4: unexpected data after the JSON value"),

    /* ---- DELIMITED: qtt delimited.json */
    D("delimited#0", "K STRING KEY, V INT", K, NULL, "Hey", "'Hey'"),
    D("delimited#0", "K STRING KEY, V INT", K, NULL, "\"You\"", "'You'"),
    D("delimited#0", "K STRING KEY, V INT", K, NULL, NULL, "null"),
    D("delimited#1", "K DECIMAL(6,4) KEY, V INT", K, NULL, "12.3650", "12.3650"),
    D("delimited#1", "K DECIMAL(6,4) KEY, V INT", K, NULL, "\"12.0\"", "12.0000"),
    D("delimited#2", "K1 STRING KEY, K2 STRING KEY, V INT", K, NULL, "foo,bar", "'foo' | 'bar'"),
    D("delimited#2", "K1 STRING KEY, K2 STRING KEY, V INT", K, NULL, "\"foo\",\"bar\"",
      "'foo' | 'bar'"),
    D("delimited#3", "K1 STRING KEY, K2 STRING KEY, V INT, V2 INT", K, ";", "foo,bar;baz",
      "'foo,bar' | 'baz'"),
    D("delimited#3", "K1 STRING KEY, K2 STRING KEY, V INT, V2 INT", V, "-", "0-1", "0 | 1"),
    D("delimited#9", "K STRING KEY, FOO INT", V, NULL, "10", "10"),
    D("delimited#11", "K STRING KEY, ID BIGINT, NAME VARCHAR, VALUE INTEGER", V, NULL,
      "0,zero,0", "0 | 'zero' | 0"),
    D("delimited#13", "K STRING KEY, ID BIGINT, NAME VARCHAR, VALUE INTEGER", V, "|",
      "100|100|500", "100 | '100' | 500"),
    D("delimited#15", "K STRING KEY, ID BIGINT, NAME VARCHAR, VALUE INTEGER", V, "SPACE",
      "0 zero 0", "0 | 'zero' | 0"),
    D("delimited#16", "K STRING KEY, ID BIGINT, NAME VARCHAR, VALUE INTEGER", V, "TAB",
      "0\tzero\t0", "0 | 'zero' | 0"),
    D("delimited#20", "ID STRING KEY, V DECIMAL(33, 16)", V, NULL,
      "12345678987654321.2345678987654321", "12345678987654321.2345678987654321"),
    D("delimited#20", "ID STRING KEY, V DECIMAL(33, 16)", V, NULL, ".12", "0.1200000000000000"),
    D("delimited#20", "ID STRING KEY, V DECIMAL(33, 16)", V, NULL, "\"-12345.12\"",
      "-12345.1200000000000000"),
    D("date#0", "ID STRING KEY, DATE DATE", V, NULL, "-10", "-10"),
    D("timestamp#0", "ID STRING KEY, TIME TIMESTAMP", V, NULL, "10", "10"),
    D("bytes#0", "ID STRING KEY, B BYTES", V, NULL, "dmFyaWF0aW9ucw==", "x'766172696174696f6e73'"),
    /* ---- DELIMITED: commons-csv's reader and ksqlDB's field parsers */
    D("csv", "A STRING, B INT, C STRING", V, NULL, "a,,c", "'a' | null | 'c'"),
    D("csv", "A STRING, B STRING", V, NULL, "\"\",x", "null | 'x'"),
    D("csv", "A STRING, B STRING", V, NULL, "a,", "'a' | null"),
    D("csv", "A STRING, B STRING", V, NULL, "\"a,b\",\"c\"\"d\"", "'a,b' | 'c\"d'"),
    D("csv", "A STRING, B STRING", V, NULL, "\"a\" ,b", "'a' | 'b'"),
    D("csv", "A STRING, B STRING", V, NULL, " a , b ", "' a ' | ' b '"),
    D("csv", "A STRING, B STRING", V, NULL, "a\"b,c", "'a\"b' | 'c'"),
    D("csv", "A STRING, B STRING", V, NULL, "\"line\nbreak\",x", "'line\nbreak' | 'x'"),
    D("csv: first record only", "A STRING, B STRING", V, NULL, "a,b\r\nc,d,e", "'a' | 'b'"),
    D("csv: empty lines skipped", "A STRING, B STRING", V, NULL, "\r\n\na,b\n", "'a' | 'b'"),
    D("csv: Boolean.parseBoolean", "A BOOLEAN, B BOOLEAN, C BOOLEAN", V, NULL, "TRUE,yes,false",
      "true | false | false"),
    D("csv: Double.parseDouble", "A DOUBLE, B DOUBLE, C DOUBLE", V, NULL, "1.5, 2 ,NaN",
      "1.5 | 2 | nan"),
    D("csv", "A TIME, B BIGINT", V, NULL, "+1000,-5", "1000 | -5"),
    D("csv: invalid UTF-8 replaced", "A STRING", V, NULL, "a\xff" "b", "'a\xef\xbf\xbd" "b'"),
    D("csv: ALL part", "K STRING KEY, V INT", A, NULL, "x,1", "'x' | 1"),
    DE("csv", "A STRING, B STRING, C STRING", V, NULL, "1,2", EDDY_EPARSE,
       VAL_PREFIX "Column count mismatch on deserialization. expected: 3, got: 2"),
    DE("csv", "A STRING", V, NULL, "1,2", EDDY_EPARSE,
       VAL_PREFIX "Column count mismatch on deserialization. expected: 1, got: 2"),
    DE("csv", "A STRING", V, NULL, "", EDDY_EPARSE, VAL_PREFIX "No fields in record"),
    DE("csv", "A STRING", V, NULL, "\r\n", EDDY_EPARSE, VAL_PREFIX "No fields in record"),
    DE("csv", "A STRING, B STRING", V, NULL, "\"abc,d", EDDY_EPARSE,
       VAL_PREFIX "invalid delimited data at offset 0: EOF reached before encapsulated token "
                  "finished"),
    DE("csv", "A STRING, B STRING", V, NULL, "\"a\"b,c", EDDY_EPARSE,
       VAL_PREFIX "invalid delimited data at offset 3: invalid char between encapsulated token "
                  "and delimiter"),
    DE("csv: later records must parse", "A STRING", V, NULL, "a\n\"b", EDDY_EPARSE,
       VAL_PREFIX "invalid delimited data at offset 2: EOF reached before encapsulated token "
                  "finished"),
    DE("csv", "A INT", V, NULL, "abc", EDDY_ETYPE,
       VAL_PREFIX "column 'A': expected INTEGER, got \"abc\""),
    DE("csv", "A INT", V, NULL, "2147483648", EDDY_ERANGE,
       VAL_PREFIX "column 'A': value \"2147483648\" is out of range for INTEGER"),
    DE("csv", "A DOUBLE", V, NULL, "1,5", EDDY_EPARSE,
       VAL_PREFIX "Column count mismatch on deserialization. expected: 1, got: 2"),
    DE("csv", "A DOUBLE", V, NULL, "1.5x", EDDY_ETYPE,
       VAL_PREFIX "column 'A': expected DOUBLE, got \"1.5x\""),
    DE("csv", "A DECIMAL(4,2)", V, NULL, "1.234", EDDY_ERANGE,
       VAL_PREFIX "column 'A': Cannot fit decimal '1.234' into DECIMAL(4, 2) without rounding. "
                  "(Requires 4,3)"),
    DE("csv", "A BYTES", V, NULL, "!!", EDDY_ETYPE,
       VAL_PREFIX "column 'A': expected base64 BYTES, got \"!!\""),
};

static void run_dcase(const dcase *c)
{
    eddy_schema *sc = columns(c->cols);
    char err[EDDY_ERRSTR_SIZE] = "";
    eddy_serde *s = mk(c->fmt, sc, c->part, c->wrap, c->delim, err, sizeof err);
    ck_assert_msg(s != NULL, "%s: serde: %s", c->src, err);
    eddy_arena *arena = eddy_arena_new(0);
    rec x;
    rec_init(&x, sc);
    size_t len = c->in ? (c->inlen >= 0 ? (size_t)c->inlen : strlen(c->in)) : 0;
    /* a copy of exactly len bytes, so that ASan sees any read past the end */
    uint8_t *in = c->in ? malloc(len ? len : 1) : NULL;
    if (in)
        memcpy(in, c->in, len);
    int rc = eddy_serde_decode(s, in, len, &x.r, arena, err, sizeof err);
    eddy_buf b = {0};
    if (c->rc) {
        ck_assert_msg(rc == c->rc, "%s: %s: rc %d (%s), want %d", c->src, c->in, rc,
                      rc ? err : render_part(&b, sc, c->part, &x.r), c->rc);
        ck_assert_msg(strcmp(err, c->want) == 0, "%s: %s:\n got: %s\nwant: %s", c->src, c->in,
                      err, c->want);
    } else {
        ck_assert_msg(rc == 0, "%s: %s: %s", c->src, c->in ? c->in : "(null)", err);
        const char *got = render_part(&b, sc, c->part, &x.r);
        ck_assert_msg(strcmp(got, c->want) == 0, "%s: %s:\n got: %s\nwant: %s", c->src,
                      c->in ? c->in : "(null)", got, c->want);
    }
    free(in);
    eddy_buf_free(&b);
    eddy_arena_destroy(arena);
    eddy_serde_destroy(s);
    eddy_schema_release(sc);
}

START_TEST(decode_table)
{
    run_dcase(&dcases[_i]);
}
END_TEST

/* ------------------------------------------- table: decode then encode */

typedef struct ecase {
    const char *src;
    const char *cols;
    int part;
    const char *in_fmt;
    int in_wrap;
    const char *in_delim;
    const char *in; /* NULL: a Kafka null */
    const char *out_fmt;
    int out_wrap;
    const char *out_delim;
    const char *want; /* NULL: EDDY_SERDE_NULL */
} ecase;

static const ecase ecases[] = {
    /* ---- JSON: qtt outputs, written compactly as Jackson does */
    {"json#0", "K BOOLEAN KEY, V INT", K, "JSON", -1, NULL, "true", "JSON", -1, NULL, "true"},
    {"json#0", "K BOOLEAN KEY, V INT", K, "JSON", -1, NULL, NULL, "JSON", -1, NULL, NULL},
    {"json#1", "V BOOLEAN", V, "JSON", 0, NULL, "true", "JSON", -1, NULL, "{\"V\":true}"},
    {"json#1", "V BOOLEAN", V, "JSON", 0, NULL, NULL, "JSON", -1, NULL, NULL},
    {"json#2", "V BOOLEAN", V, "JSON", -1, NULL, "{\"V\": false}", "JSON", 0, NULL, "false"},
    {"json#4", "V INT", V, "JSON", -1, NULL, "{\"V\": 123}", "JSON", 0, NULL, "123"},
    {"json#5", "K BIGINT KEY, V INT", K, "JSON", -1, NULL, "998877665544332211", "JSON", -1,
     NULL, "998877665544332211"},
    {"json#7", "K DOUBLE KEY, V INT", K, "JSON", -1, NULL, "654.321", "JSON", -1, NULL,
     "654.321"},
    {"json#9", "K STRING KEY, V INT", K, "JSON", -1, NULL, "\"Hey\"", "JSON", -1, NULL,
     "\"Hey\""},
    {"json#10", "V STRING", V, "JSON", -1, NULL, "{\"V\": \"world\"}", "JSON", 0, NULL,
     "\"world\""},
    {"json#12", "V DECIMAL(4,2)", V, "JSON", -1, NULL, "{\"V\": 99.99}", "JSON", 0, NULL,
     "99.99"},
    /* the scale is kept: DECIMAL(4,2) 10.1 is written 10.10 */
    {"decimal scale", "V DECIMAL(4,2)", V, "JSON", 0, NULL, "10.1", "JSON", -1, NULL,
     "{\"V\":10.10}"},
    {"json#13", "K ARRAY<DOUBLE> KEY, V INT", K, "JSON", -1, NULL, "[10.1]", "JSON", -1, NULL,
     "[10.1]"},
    {"json#18", "V MAP<STRING, DOUBLE>", V, "JSON", -1, NULL, "{\"V\": {\"b\": 76.54}}", "JSON",
     0, NULL, "{\"b\":76.54}"},
    {"json#19", "K STRUCT<F DOUBLE> KEY, V INT", K, "JSON", -1, NULL, "{\"f\": 45.67}", "JSON",
     -1, NULL, "{\"F\":45.67}"},
    {"json#20", "V STRUCT<A DOUBLE>", V, "JSON", 0, NULL, "{\"a\": 45.67}", "JSON", -1, NULL,
     "{\"V\":{\"A\":45.67}}"},
    {"json#21", "V STRUCT<A DOUBLE>", V, "JSON", -1, NULL, "{\"V\": {\"a\": 76.54}}", "JSON", 0,
     NULL, "{\"A\":76.54}"},
    {"json#22", "FOO ARRAY<STRING>", V, "JSON", 0, NULL, "[\"a\", \"b\", null]", "JSON", -1,
     NULL, "{\"FOO\":[\"a\",\"b\",null]}"},
    {"json#23", "FOO ARRAY<STRING>", V, "JSON", 0, NULL, "[1, 2, 3]", "JSON", -1, NULL,
     "{\"FOO\":[\"1\",\"2\",\"3\"]}"},
    {"json#24", "FOO ARRAY<STRING>", V, "JSON", 1, NULL, "{\"FOO\": null}", "JSON", 1, NULL,
     "{\"FOO\":null}"},
    {"json#25", "FOO MAP<STRING, INT>", V, "JSON", 0, NULL, "{\"a\": 1, \"b\": 2, \"c\": null}",
     "JSON", -1, NULL, "{\"FOO\":{\"a\":1,\"b\":2,\"c\":null}}"},
    {"json#27", "K STRING KEY, FOO BOOLEAN", V, "JSON", -1, NULL, "{\"FOO\": true}", "JSON", 0,
     NULL, "true"},
    {"json#27", "K STRING KEY, FOO BOOLEAN", V, "JSON", -1, NULL, "{\"FOO\": null}", "JSON", 0,
     NULL, NULL},
    {"json#27", "K STRING KEY, FOO BOOLEAN", V, "JSON", -1, NULL, NULL, "JSON", 0, NULL, NULL},
    {"json#28", "K STRING KEY, FOO BOOLEAN", V, "JSON", -1, NULL, "{\"FOO\": null}", "JSON", 1,
     NULL, "{\"FOO\":null}"},
    {"json#28", "K STRING KEY, FOO BOOLEAN", V, "JSON", -1, NULL, NULL, "JSON", 1, NULL, NULL},
    {"json#29", "FOO ARRAY<BIGINT>", V, "JSON", -1, NULL, "{\"FOO\": [12, 34, null]}", "JSON",
     0, NULL, "[12,34,null]"},
    {"json#29", "FOO ARRAY<BIGINT>", V, "JSON", -1, NULL, "{\"FOO\": null}", "JSON", 0, NULL,
     NULL},
    {"json#31", "FOO MAP<STRING, DOUBLE>", V, "JSON", -1, NULL,
     "{\"FOO\": {\"a\": 1.1, \"b\": 2.2, \"c\": 3.456}}", "JSON", 0, NULL,
     "{\"a\":1.1,\"b\":2.2,\"c\":3.456}"},
    {"json#33", "FOO STRUCT<F0 INT>", V, "JSON", -1, NULL, "{\"FOO\": {\"F0\": null}}", "JSON",
     0, NULL, "{\"F0\":null}"},
    {"json#34", "FOO STRUCT<F0 INT>", V, "JSON", -1, NULL, "{\"FOO\": {\"F0\": 1}}", "JSON", 1,
     NULL, "{\"FOO\":{\"F0\":1}}"},
    {"serdes#4", "FOO STRUCT<F1 STRING>", V, "JSON", 0, NULL, "{\"F1\": \"bar\"}", "JSON", 0,
     NULL, "{\"F1\":\"bar\"}"},
    {"key-schemas#5", "K DOUBLE KEY, ID BIGINT", K, "JSON", -1, NULL, "3.0", "JSON", -1, NULL,
     "3.0"},
    {"key-schemas#10", "K STRING KEY, KEY STRING, ID BIGINT", V, "JSON", -1, NULL,
     "{\"key\": \"a\", \"id\": 1}", "JSON", -1, NULL, "{\"KEY\":\"a\",\"ID\":1}"},
    {"key-schemas#21", "K VARCHAR KEY, V1 VARCHAR", V, "JSON", -1, NULL, "{\"v1\": \"foo\"}",
     "JSON", -1, NULL, "{\"V1\":\"foo\"}"},
    {"time#1", "ID STRING KEY, TIME TIME", V, "JSON", -1, NULL, "{\"time\": 10}", "JSON", -1,
     NULL, "{\"TIME\":10}"},
    {"timestamp#2", "ID STRING KEY, TIME TIMESTAMP", V, "JSON", -1, NULL, "{\"time\": 10}",
     "JSON", -1, NULL, "{\"TIME\":10}"},
    {"docs date", "VALUE DATE", V, "JSON", -1, NULL, "{\"value\": 2}", "JSON", -1, NULL,
     "{\"VALUE\":2}"},
    {"bytes#1", "ID STRING KEY, B BYTES", V, "JSON", -1, NULL, "{\"B\": \"dmFyaWF0aW9ucw==\"}",
     "JSON", -1, NULL, "{\"B\":\"dmFyaWF0aW9ucw==\"}"},
    {"simple-struct#1", "ITEMID VARCHAR", V, "JSON", -1, NULL,
     "{\"ITEMID\": {\"ITEMID\": 6, \"CATEGORY\": {\"ID\": 2, \"NAME\": \"Food\"}, \"NAME\": "
     "\"Item_6\"}}",
     "JSON", -1, NULL,
     "{\"ITEMID\":\"{\\\"ITEMID\\\":6,\\\"CATEGORY\\\":{\\\"ID\\\":2,\\\"NAME\\\":\\\"Food\\\"},"
     "\\\"NAME\\\":\\\"Item_6\\\"}\"}"},
    {"none#3", "ID INT KEY, FOO INT", V, "JSON", -1, NULL, "{\"FOO\": 10}", "JSON", -1, NULL,
     "{\"FOO\":10}"},
    /* Jackson's escapes: \" \\ \b \f \n \r \t short, other controls \u00XX, '/' and UTF-8 raw */
    {"jackson", "S STRING", V, "JSON", 0, NULL,
     "\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\\u00e9\\ud83d\\ude00\"", "JSON", 0,
     NULL, "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001F\x7f\xc3\xa9\xf0\x9f\x98\x80\""},
    {"jackson: quoted names", "`a\"b` INT", V, "JSON", -1, NULL, "{\"a\\\"b\": 1}", "JSON", -1,
     NULL, "{\"a\\\"b\":1}"},
    /* Java's Double.toString; NaN and Infinity quoted (QUOTE_NON_NUMERIC_NUMBERS) */
    {"Double.toString", "X ARRAY<DOUBLE>", V, "JSON", 0, NULL,
     "[1, 1e10, 0.001, 0.0001, 1e7, 9999999, -0.0, 123456.5, 1e-300]", "JSON", 0, NULL,
     "[1.0,1.0E10,0.001,1.0E-4,1.0E7,9999999.0,-0.0,123456.5,1.0E-300]"},
    {"Double.toString", "X ARRAY<DOUBLE>", V, "JSON", 0, NULL,
     "[\"NaN\", \"Infinity\", \"-Infinity\"]", "JSON", 0, NULL,
     "[\"NaN\",\"Infinity\",\"-Infinity\"]"},
    {"all types", "B BOOLEAN, I INT, L BIGINT, D DECIMAL(5,3), S STRING, Y BYTES, DT DATE, "
                  "TM TIME, TS TIMESTAMP, A ARRAY<INT>, M MAP<STRING, BOOLEAN>, "
                  "ST STRUCT<X INT, `y` STRING>",
     V, "JSON", -1, NULL,
     "{\"b\":false,\"i\":-7,\"l\":-9223372036854775808,\"d\":-1.5,\"s\":\"\",\"y\":\"AAE=\","
     "\"dt\":-1,\"tm\":0,\"ts\":-5,\"a\":[],\"m\":{},\"st\":{\"x\":1,\"y\":\"q\"}}",
     "JSON", -1, NULL,
     "{\"B\":false,\"I\":-7,\"L\":-9223372036854775808,\"D\":-1.500,\"S\":\"\",\"Y\":\"AAE=\","
     "\"DT\":-1,\"TM\":0,\"TS\":-5,\"A\":[],\"M\":{},\"ST\":{\"X\":1,\"y\":\"q\"}}"},
    {"ALL part", "K STRING KEY, V INT", A, "JSON", -1, NULL, "{\"v\": 1, \"k\": \"x\"}", "JSON",
     -1, NULL, "{\"K\":\"x\",\"V\":1}"},
    {"multi-column key", "K1 STRING KEY, K2 INT KEY, V INT", K, "JSON", -1, NULL,
     "{\"k2\": 2, \"k1\": \"a\"}", "JSON", -1, NULL, "{\"K1\":\"a\",\"K2\":2}"},

    /* ---- DELIMITED: qtt delimited.json and friends */
    {"delimited#0", "K STRING KEY, V INT", K, "DELIMITED", -1, NULL, "\"You\"", "DELIMITED", -1,
     NULL, "You"},
    {"delimited#0", "K STRING KEY, V INT", K, "DELIMITED", -1, NULL, NULL, "DELIMITED", -1,
     NULL, NULL},
    {"delimited#1", "K DECIMAL(6,4) KEY, V INT", K, "DELIMITED", -1, NULL, "\"12.0\"",
     "DELIMITED", -1, NULL, "12.0000"},
    {"delimited#2", "K1 STRING KEY, K2 STRING KEY, V INT", K, "DELIMITED", -1, NULL,
     "\"foo\",\"bar\"", "JSON", -1, NULL, "{\"K1\":\"foo\",\"K2\":\"bar\"}"},
    {"delimited#3", "K1 STRING KEY, K2 STRING KEY, V INT, V2 INT", K, "DELIMITED", -1, ";",
     "foo,bar;baz", "JSON", -1, NULL, "{\"K1\":\"foo,bar\",\"K2\":\"baz\"}"},
    {"delimited#3", "K1 STRING KEY, K2 STRING KEY, V INT, V2 INT", V, "DELIMITED", -1, "-",
     "0-1", "DELIMITED", -1, "-", "0-1"},
    {"delimited#11", "K STRING KEY, ID BIGINT, NAME VARCHAR, VALUE INTEGER", V, "DELIMITED", -1,
     NULL, "0,zero,0", "DELIMITED", -1, NULL, "0,zero,0"},
    {"delimited#13", "K STRING KEY, ID BIGINT, NAME VARCHAR, VALUE INTEGER", V, "DELIMITED", -1,
     "|", "0|100|100", "DELIMITED", -1, "|", "0|100|100"},
    {"delimited#14", "K STRING KEY, ID BIGINT, NAME VARCHAR, VALUE INTEGER", V, "DELIMITED", -1,
     "|", "100|100|500", "DELIMITED", -1, "$", "100$100$500"},
    {"delimited#15", "K STRING KEY, ID BIGINT, NAME VARCHAR, VALUE INTEGER", V, "DELIMITED", -1,
     "SPACE", "0 zero 0", "DELIMITED", -1, "SPACE", "0 zero 0"},
    {"delimited#16", "K STRING KEY, ID BIGINT, NAME VARCHAR, VALUE INTEGER", V, "DELIMITED", -1,
     "TAB", "100\t100\t100", "DELIMITED", -1, "TAB", "100\t100\t100"},
    {"delimited#20", "ID STRING KEY, V DECIMAL(33, 16)", V, "DELIMITED", -1, NULL,
     "12345678987654321.2345678987654321", "DELIMITED", -1, NULL,
     "12345678987654321.2345678987654321"},
    {"delimited#20", "ID STRING KEY, V DECIMAL(33, 16)", V, "DELIMITED", -1, NULL, ".12",
     "DELIMITED", -1, NULL, "0.1200000000000000"},
    {"delimited#20", "ID STRING KEY, V DECIMAL(33, 16)", V, "DELIMITED", -1, NULL, "-12345.12",
     "DELIMITED", -1, NULL, "\"-12345.1200000000000000\""},
    {"delimited#20", "ID STRING KEY, V DECIMAL(33, 16)", V, "DELIMITED", -1, NULL,
     "\"-12345.12\"", "DELIMITED", -1, NULL, "\"-12345.1200000000000000\""},
    {"delimited#20", "ID STRING KEY, V DECIMAL(33, 16)", V, "DELIMITED", -1, NULL, "0",
     "DELIMITED", -1, NULL, "0.0000000000000000"},
    {"date#0", "ID STRING KEY, DATE DATE", V, "DELIMITED", -1, NULL, "10", "DELIMITED", -1, NULL,
     "10"},
    {"date#0", "ID STRING KEY, DATE DATE", V, "DELIMITED", -1, NULL, "-10", "DELIMITED", -1,
     NULL, "\"-10\""},
    {"timestamp#0", "ID STRING KEY, TIME TIMESTAMP", V, "DELIMITED", -1, NULL, "10", "DELIMITED",
     -1, NULL, "10"},
    {"bytes#0", "ID STRING KEY, B BYTES", V, "DELIMITED", -1, NULL, "dmFyaWF0aW9ucw==",
     "DELIMITED", -1, NULL, "dmFyaWF0aW9ucw=="},
    {"decimal#13", "ID STRING KEY, DEC DECIMAL(4,2)", V, "DELIMITED", -1, NULL, "0.05",
     "DELIMITED", -1, NULL, "0.05"},
    /* commons-csv 1.4 MINIMAL quoting */
    {"csv quoting", "A STRING, B STRING, C STRING, D STRING, E STRING", V, "JSON", -1, NULL,
     "{\"a\":\"x,y\",\"b\":\"q\\\"q\",\"c\":\" lead\",\"d\":\"trail \",\"e\":\"-x\"}",
     "DELIMITED", -1, NULL, "\"x,y\",\"q\"\"q\",\" lead\",\"trail \",-x"},
    {"csv quoting", "A STRING, B STRING, C STRING", V, "JSON", -1, NULL,
     "{\"a\":\"\",\"b\":\"\",\"c\":\"#x\"}", "DELIMITED", -1, NULL, "\"\",,\"#x\""},
    {"csv quoting", "A STRING, B STRING", V, "JSON", -1, NULL,
     "{\"a\":\"_x\",\"b\":\"line\\nbreak\"}", "DELIMITED", -1, NULL, "\"_x\",\"line\nbreak\""},
    {"csv quoting", "A STRING, B STRING", V, "JSON", -1, NULL, "{\"a\":\"x y\",\"b\":\"x y\"}",
     "DELIMITED", -1, "SPACE", "\"x y\" \"x y\""},
    {"csv nulls", "A STRING, B INT, C STRING", V, "JSON", -1, NULL, "{\"b\":null}", "DELIMITED",
     -1, NULL, ",,"},
    {"csv nulls: a single NULL column is an empty value", "A INT", V, "JSON", -1, NULL,
     "{\"a\":null}", "DELIMITED", -1, NULL, ""},
    {"csv types", "B BOOLEAN, X DOUBLE, Y DOUBLE, T TIME, Y2 BYTES", V, "JSON", -1, NULL,
     "{\"b\":true,\"x\":1e10,\"y\":0.5,\"t\":1000,\"y2\":\"AAE=\"}", "DELIMITED", -1, NULL,
     "true,1.0E10,0.5,1000,AAE="},

    /* ---- KAFKA: qtt kafka.json (bytes as Kafka's serializers write them) */
    {"kafka#3", "K STRING KEY, FOO STRING", V, "JSON", -1, NULL, "{\"FOO\": \"bar\"}", "KAFKA", -1,
     NULL, "bar"},
    {"kafka#3", "K STRING KEY, FOO STRING", V, "KAFKA", -1, NULL, "bar", "JSON", -1, NULL,
     "{\"FOO\":\"bar\"}"},
    {"key-schemas#0", "K STRING KEY, ID BIGINT", K, "KAFKA", -1, NULL, "", "KAFKA", -1, NULL, ""},
    {"key-schemas#0", "K STRING KEY, ID BIGINT", K, "KAFKA", -1, NULL, NULL, "KAFKA", -1, NULL,
     NULL},
    {"formats#8", "K STRING KEY, FOO INT", K, "KAFKA", -1, NULL, "hello", "JSON", -1, NULL,
     "\"hello\""},
    {"kafka: invalid UTF-8 read as Java does", "K STRING KEY", K, "KAFKA", -1, NULL,
     "a\xff\xe2\x82z", "JSON", -1, NULL, "\"a\xef\xbf\xbd\xef\xbf\xbdz\""},
    {"none#2", "FOO INT", V, "JSON", -1, NULL, "{\"FOO\": 10}", "JSON", -1, NULL,
     "{\"FOO\":10}"},
};

static void run_ecase(const ecase *c)
{
    eddy_schema *sc = columns(c->cols);
    eddy_serde *in = mk_ok(c->in_fmt, sc, c->part, c->in_wrap, c->in_delim);
    eddy_serde *out = mk_ok(c->out_fmt, sc, c->part, c->out_wrap, c->out_delim);
    eddy_arena *arena = eddy_arena_new(0);
    char err[EDDY_ERRSTR_SIZE] = "";
    rec x;
    rec_init(&x, sc);
    int rc = eddy_serde_decode(in, (const uint8_t *)c->in, c->in ? strlen(c->in) : 0, &x.r,
                               arena, err, sizeof err);
    ck_assert_msg(rc == 0, "%s: decode %s: %s", c->src, c->in, err);
    eddy_buf b = {0};
    eddy_buf_puts(&b, "prefix:"); /* encode appends */
    rc = eddy_serde_encode(out, &x.r, &b, err, sizeof err);
    if (!c->want) {
        ck_assert_msg(rc == EDDY_SERDE_NULL, "%s: %s: rc %d, want a Kafka null", c->src, c->in,
                      rc);
        ck_assert_uint_eq(b.len, 7);
    } else {
        ck_assert_msg(rc == 0, "%s: encode: rc %d %s", c->src, rc, err);
        const char *got = eddy_buf_cstr(&b) + 7;
        ck_assert_msg(b.len - 7 == strlen(c->want) && memcmp(got, c->want, b.len - 7) == 0,
                      "%s: %s:\n got: %s\nwant: %s", c->src, c->in, got, c->want);
    }
    eddy_buf_free(&b);
    eddy_arena_destroy(arena);
    eddy_serde_destroy(in);
    eddy_serde_destroy(out);
    eddy_schema_release(sc);
}

START_TEST(encode_table)
{
    run_ecase(&ecases[_i]);
}
END_TEST

/* ----------------------------------------------- table: serde_new checks */

typedef struct ncase {
    const char *src;
    const char *fmt;
    const char *cols;
    int part, wrap;
    const char *delim;
    const char *want; /* NULL: accepted */
} ncase;

static const ncase ncases[] = {
    {"formats#2", "FOO", "V STRING", V, -1, NULL, "Unknown format: FOO"},
    {"avro", "avro", "V STRING", V, -1, NULL,
     "Format 'AVRO' is not supported by eddy (supported: JSON, KAFKA, DELIMITED, NONE)"},
    {"case-insensitive", "json", "V STRING", V, -1, NULL, NULL},
    {"serdes#1", "JSON", "K STRING KEY, F0 STRING, F1 STRING", V, 1, NULL,
     "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas"},
    {"serdes#2", "JSON", "K STRING KEY, F0 STRING, F1 STRING", V, 0, NULL,
     "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas"},
    {"json#15", "JSON", "K MAP<INT, DOUBLE> KEY, FOO INT", K, -1, NULL,
     "Map keys, including types that contain maps, are not supported as they may lead to "
     "unexpected behavior due to inconsistent serialization. Key column name: `K`. Column type: "
     "MAP<INTEGER, DOUBLE>. See https://github.com/confluentinc/ksql/issues/6621 for more."},
    {"json#16", "JSON", "K STRING KEY, `KSQL_COL_0` STRUCT<F MAP<STRING, STRING>> KEY", K, -1,
     NULL,
     "Map keys, including types that contain maps, are not supported as they may lead to "
     "unexpected behavior due to inconsistent serialization. Key column name: `KSQL_COL_0`. "
     "Column type: STRUCT<`F` MAP<STRING, STRING>>. See "
     "https://github.com/confluentinc/ksql/issues/6621 for more."},
    {"json#35", "JSON", "FOO MAP<INT, DOUBLE>", V, -1, NULL,
     "JSON only supports MAP types with STRING keys"},
    {"json#35 nested", "JSON", "FOO ARRAY<STRUCT<M MAP<BIGINT, INT>>>", V, -1, NULL,
     "JSON only supports MAP types with STRING keys"},
    {"delimited#4", "DELIMITED", "K ARRAY<DOUBLE> KEY, V INT", K, -1, NULL,
     "Key format does not support schema.\nformat: DELIMITED\nschema: Persistence{columns=[`K` "
     "ARRAY<DOUBLE> KEY], features=[]}\nreason: The 'DELIMITED' format does not support type "
     "'ARRAY', column: `K`"},
    {"delimited#5", "DELIMITED", "K MAP<STRING, DOUBLE> KEY, V INT", K, -1, NULL,
     "Map keys, including types that contain maps, are not supported as they may lead to "
     "unexpected behavior due to inconsistent serialization. Key column name: `K`. Column type: "
     "MAP<STRING, DOUBLE>. See https://github.com/confluentinc/ksql/issues/6621 for more."},
    {"delimited#18", "DELIMITED", "FOO MAP<INT, DOUBLE>", V, -1, NULL,
     "Value format does not support schema.\nformat: DELIMITED\nschema: Persistence{columns=["
     "`FOO` MAP<INTEGER, DOUBLE>], features=[]}\nreason: The 'DELIMITED' format does not support "
     "type 'MAP', column: `FOO`"},
    {"delimited#19", "DELIMITED", "FOO STRUCT<F1 DOUBLE>", V, -1, NULL,
     "Value format does not support schema.\nformat: DELIMITED\nschema: Persistence{columns=["
     "`FOO` STRUCT<`F1` DOUBLE>], features=[]}\nreason: The 'DELIMITED' format does not support "
     "type 'STRUCT', column: `FOO`"},
    {"delimited#10", "DELIMITED", "K STRING KEY, FOO INT", V, 1, NULL,
     "Format 'DELIMITED' does not support 'WRAP_SINGLE_VALUE' set to 'true'."},
    {"delimited: unwrapped", "DELIMITED", "K STRING KEY, FOO INT", V, 0, NULL, NULL},
    {"delimited#17", "JSON", "V STRING", V, -1, "|",
     "JSON does not support the following configs: [delimiter]"},
    {"kafka#0", "KAFKA", "K STRING KEY, FOO INT", V, 1, NULL,
     "Format 'KAFKA' does not support 'WRAP_SINGLE_VALUE' set to 'true'."},
    {"kafka#1", "KAFKA", "K STRING KEY, FOO INT", V, 0, NULL, NULL},
    {"kafka#6", "KAFKA", "FOO ARRAY<INT>", V, -1, NULL,
     "Value format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[`FOO` "
     "ARRAY<INTEGER>], features=[]}\nreason: The 'KAFKA' format does not support type 'ARRAY'"},
    {"kafka#8", "KAFKA", "FOO STRUCT<F1 DOUBLE>", V, -1, NULL,
     "Value format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[`FOO` "
     "STRUCT<`F1` DOUBLE>], features=[]}\nreason: The 'KAFKA' format does not support type "
     "'STRUCT'"},
    {"key-schemas#6", "KAFKA", "K BOOLEAN KEY, ID BIGINT", K, -1, NULL,
     "Key format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[`K` "
     "BOOLEAN KEY], features=[]}\nreason: The 'KAFKA' format does not support type 'BOOLEAN'"},
    {"key-schemas#7", "KAFKA", "K DECIMAL(21,19) KEY, ID BIGINT", K, -1, NULL,
     "Key format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[`K` "
     "DECIMAL(21, 19) KEY], features=[]}\nreason: The 'KAFKA' format does not support type "
     "'DECIMAL'"},
    {"multi-col-keys", "KAFKA", "ID INT KEY, AGE INT KEY, V INT", K, -1, NULL,
     "Key format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[`ID` "
     "INTEGER KEY, `AGE` INTEGER KEY], features=[]}\nreason: The 'KAFKA' format only supports a "
     "single field. Got: [`ID` INTEGER KEY, `AGE` INTEGER KEY]"},
    {"qtt", "KAFKA", "V0 INT, V1 STRING", V, -1, NULL,
     "Value format does not support schema.\nformat: KAFKA\nschema: Persistence{columns=[`V0` "
     "INTEGER, `V1` STRING], features=[]}\nreason: The 'KAFKA' format only supports a single "
     "field. Got: [`V0` INTEGER, `V1` STRING]"},
    {"kafka: keyless", "KAFKA", "FOO INT", K, -1, NULL, NULL},
    {"kafka: BYTES", "KAFKA", "K BYTES KEY", K, -1, NULL, NULL},
    {"none#0", "NONE", "K STRING KEY, FOO INT", K, -1, NULL,
     "The 'NONE' format can only be used when no columns are defined. Got: [`K` STRING KEY]"},
    {"none#1", "NONE", "FOO INT", V, -1, NULL,
     "The 'NONE' format can only be used when no columns are defined. Got: [`FOO` INTEGER]"},
    {"none#2", "NONE", "FOO INT", K, -1, NULL, NULL},
    {"headers are neither key nor value", "NONE", "H ARRAY<STRUCT<KEY STRING, VALUE BYTES>> "
                                                  "HEADERS, V INT", K, -1, NULL, NULL},
};

START_TEST(new_table)
{
    const ncase *c = &ncases[_i];
    eddy_schema *sc = columns(c->cols);
    char err[EDDY_ERRSTR_SIZE] = "";
    eddy_serde *s = mk(c->fmt, sc, c->part, c->wrap, c->delim, err, sizeof err);
    if (c->want) {
        ck_assert_msg(s == NULL, "%s: accepted", c->src);
        ck_assert_msg(strcmp(err, c->want) == 0, "%s:\n got: %s\nwant: %s", c->src, err,
                      c->want);
    } else {
        ck_assert_msg(s != NULL, "%s: %s", c->src, err);
    }
    eddy_serde_destroy(s);
    eddy_schema_release(sc);
}
END_TEST

START_TEST(options)
{
    char err[EDDY_ERRSTR_SIZE];
    eddy_serde_opts o = {.format = "DELIMITED", .wrap_single = -1};
    ck_assert_int_eq(eddy_serde_opts_set(&o, "delimiter", "TAB", err, sizeof err), 0);
    ck_assert_int_eq(o.delimiter, '\t');
    ck_assert_int_eq(eddy_serde_opts_set(&o, "DELIMITER", "space", err, sizeof err), 0);
    ck_assert_int_eq(o.delimiter, ' ');
    ck_assert_int_eq(eddy_serde_opts_set(&o, "delimiter", "|", err, sizeof err), 0);
    ck_assert_int_eq(o.delimiter, '|');
    ck_assert_int_eq(eddy_serde_opts_set(&o, "delimiter", "PIPE", err, sizeof err), 0);
    ck_assert_int_eq(o.delimiter, '|');
    /* delimited#12 */
    ck_assert_int_eq(eddy_serde_opts_set(&o, "delimiter", " ", err, sizeof err), EDDY_EINVAL);
    ck_assert_str_eq(err, "Configuration DELIMITER is invalid: Delimiter cannot be empty, if you "
                          "meant to have a tab or space for delimiter, please use the special "
                          "values 'TAB' or 'SPACE'\nExample valid value: ';'");
    ck_assert_int_eq(eddy_serde_opts_set(&o, "delimiter", "", err, sizeof err), EDDY_EINVAL);
    ck_assert_int_eq(eddy_serde_opts_set(&o, "delimiter", "ab", err, sizeof err), EDDY_EINVAL);
    ck_assert_str_eq(err, "Invalid delimiter value: 'ab'. Delimiter must be a single character "
                          "or TAB or SPACE");
    ck_assert_int_eq(eddy_serde_opts_set(&o, "delimiter", "\xe2\x98\xba", err, sizeof err),
                     EDDY_EINVAL);
    ck_assert_str_eq(err, "Invalid delimiter value: '\xe2\x98\xba'. eddy supports only delimiters "
                          "of one ASCII character, TAB or SPACE");
    ck_assert_int_eq(eddy_serde_opts_set(&o, "delimiter", "\"", err, sizeof err), EDDY_EINVAL);
    ck_assert_str_eq(err, "The quoteChar character and the delimiter cannot be the same ('\"')");
    ck_assert_int_eq(o.delimiter, '|'); /* unchanged by failures */
    ck_assert_int_eq(eddy_serde_opts_set(&o, "wrap_single_value", "FALSE", err, sizeof err), 0);
    ck_assert_int_eq(o.wrap_single, 0);
    ck_assert_int_eq(eddy_serde_opts_set(&o, "wrap_single_value", "true", err, sizeof err), 0);
    ck_assert_int_eq(o.wrap_single, 1);
    ck_assert_int_eq(eddy_serde_opts_set(&o, "wrap_single_value", "yes", err, sizeof err),
                     EDDY_EINVAL);
    ck_assert_str_eq(err, "Invalid value 'yes' for WRAP_SINGLE_VALUE: expected true or false");
    ck_assert_int_eq(eddy_serde_opts_set(&o, "colour", "red", err, sizeof err), EDDY_EINVAL);
    ck_assert_str_eq(err, "Unknown serde option 'colour' (known: wrap_single_value, delimiter)");

    eddy_schema *sc = columns("V INT");
    eddy_serde *s = NULL;
    eddy_serde_opts none = {.wrap_single = -1};
    ck_assert_int_eq(eddy_serde_new(&none, sc, EDDY_SERDE_VALUE, &s, err, sizeof err),
                     EDDY_EINVAL);
    ck_assert_ptr_null(s);
    eddy_serde_opts bad = {.format = "JSON", .wrap_single = 7};
    ck_assert_int_eq(eddy_serde_new(&bad, sc, EDDY_SERDE_VALUE, &s, err, sizeof err),
                     EDDY_EINVAL);
    s = mk_ok("kafka", sc, V, -1, NULL);
    ck_assert_str_eq(eddy_serde_format_name(s), "KAFKA");
    eddy_serde_destroy(s);
    eddy_serde_destroy(NULL);
    eddy_schema_release(sc);
}
END_TEST

/* --------------------------------------------------------------- KAFKA */

static void check_kafka(const char *cols, const char *json, const uint8_t *bytes, size_t n)
{
    eddy_schema *sc = columns(cols);
    eddy_serde *js = mk_ok("JSON", sc, K, -1, NULL);
    eddy_serde *ks = mk_ok("KAFKA", sc, K, -1, NULL);
    eddy_arena *arena = eddy_arena_new(0);
    char err[EDDY_ERRSTR_SIZE];
    rec x, y;
    rec_init(&x, sc);
    rec_init(&y, sc);
    ck_assert_int_eq(
        eddy_serde_decode(js, (const uint8_t *)json, strlen(json), &x.r, arena, err, sizeof err),
        0);
    eddy_buf b = {0};
    ck_assert_int_eq(eddy_serde_encode(ks, &x.r, &b, err, sizeof err), 0);
    ck_assert_uint_eq(b.len, n);
    ck_assert_msg(memcmp(b.data, bytes, n) == 0, "%s: bytes differ", json);
    /* and back */
    uint8_t *copy = malloc(n ? n : 1);
    memcpy(copy, bytes, n);
    ck_assert_int_eq(eddy_serde_decode(ks, copy, n, &y.r, arena, err, sizeof err), 0);
    ck_assert(eddy_value_equal(&x.r.cols[0], &y.r.cols[0]));
    free(copy);
    eddy_buf_free(&b);
    eddy_arena_destroy(arena);
    eddy_serde_destroy(js);
    eddy_serde_destroy(ks);
    eddy_schema_release(sc);
}

START_TEST(kafka_bytes)
{
    /* Kafka's IntegerSerializer, LongSerializer, DoubleSerializer: big-endian */
    check_kafka("K INT KEY", "1", (const uint8_t *)"\0\0\0\1", 4);
    check_kafka("K INT KEY", "-2", (const uint8_t *)"\xff\xff\xff\xfe", 4);
    check_kafka("K BIGINT KEY", "2", (const uint8_t *)"\0\0\0\0\0\0\0\2", 8);
    check_kafka("K BIGINT KEY", "-9223372036854775808", (const uint8_t *)"\x80\0\0\0\0\0\0\0", 8);
    check_kafka("K DOUBLE KEY", "2.2", (const uint8_t *)"\x40\x01\x99\x99\x99\x99\x99\x9a", 8);
    check_kafka("K DOUBLE KEY", "-0.0", (const uint8_t *)"\x80\0\0\0\0\0\0\0", 8);
    check_kafka("K STRING KEY", "\"bar\xc3\xa9\"", (const uint8_t *)"bar\xc3\xa9", 5);
    check_kafka("K STRING KEY", "\"\"", (const uint8_t *)"", 0);
    check_kafka("K BYTES KEY", "\"AAH/\"", (const uint8_t *)"\0\1\xff", 3);

    /* Kafka's deserializers refuse other sizes */
    eddy_schema *sc = columns("K INT KEY, V BIGINT, X DOUBLE");
    eddy_serde *ks = mk_ok("KAFKA", sc, K, -1, NULL);
    char err[EDDY_ERRSTR_SIZE];
    rec x;
    rec_init(&x, sc);
    eddy_arena *arena = eddy_arena_new(0);
    ck_assert_int_eq(eddy_serde_decode(ks, (const uint8_t *)"abc", 3, &x.r, arena, err,
                                       sizeof err),
                     EDDY_EPARSE);
    ck_assert_str_eq(err, "Failed to deserialize key: column 'K': Size of data received by "
                          "IntegerDeserializer is not 4 (got 3 bytes)");
    ck_assert_ptr_eq(x.r.raw_key, (const uint8_t *)"abc") ; /* kept for the processing log */
    eddy_serde_destroy(ks);
    eddy_schema_release(sc);
    eddy_arena_destroy(arena);
}
END_TEST

START_TEST(kafka_sizes)
{
    static const struct {
        const char *cols;
        const char *msg;
    } c[] = {
        {"V BIGINT", "Failed to deserialize value: column 'V': Size of data received by "
                     "LongDeserializer is not 8 (got 3 bytes)"},
        {"V DOUBLE", "Failed to deserialize value: column 'V': Size of data received by "
                     "Deserializer is not 8 (got 3 bytes)"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        eddy_schema *sc = columns(c[i].cols);
        eddy_serde *ks = mk_ok("KAFKA", sc, V, -1, NULL);
        char err[EDDY_ERRSTR_SIZE];
        rec x;
        rec_init(&x, sc);
        eddy_arena *arena = eddy_arena_new(0);
        ck_assert_int_eq(eddy_serde_decode(ks, (const uint8_t *)"abc", 3, &x.r, arena, err,
                                           sizeof err),
                         EDDY_EPARSE);
        ck_assert_str_eq(err, c[i].msg);
        eddy_serde_destroy(ks);
        eddy_schema_release(sc);
        eddy_arena_destroy(arena);
    }
}
END_TEST

/* ------------------------------------------------ nulls and tombstones */

START_TEST(tombstones_and_nulls)
{
    eddy_schema *sc = columns("K STRING KEY, A INT, B STRING");
    char err[EDDY_ERRSTR_SIZE];
    eddy_arena *arena = eddy_arena_new(0);
    static const char *const fmts[] = {"JSON", "DELIMITED"};
    for (int f = 0; f < 2; f++) {
        eddy_serde *vs = mk_ok(fmts[f], sc, V, -1, NULL);
        eddy_serde *ks = mk_ok(fmts[f], sc, K, -1, NULL);
        rec x;
        rec_init(&x, sc);
        /* a Kafka null value: the value columns NULL and the record a tombstone */
        ck_assert_int_eq(eddy_serde_decode(vs, NULL, 0, &x.r, arena, err, sizeof err), 0);
        ck_assert_uint_eq(x.r.flags & EDDY_REC_TOMBSTONE, EDDY_REC_TOMBSTONE);
        ck_assert(x.cols[1].is_null && x.cols[2].is_null);
        eddy_buf b = {0};
        ck_assert_int_eq(eddy_serde_encode(vs, &x.r, &b, err, sizeof err), EDDY_SERDE_NULL);
        ck_assert_uint_eq(b.len, 0);
        /* a null key: no tombstone, the key column NULL and the key marked absent, encoded
         * as a Kafka null */
        x.r.flags = 0;
        ck_assert_int_eq(eddy_serde_decode(ks, NULL, 0, &x.r, arena, err, sizeof err), 0);
        ck_assert_uint_eq(x.r.flags, EDDY_REC_NULL_KEY);
        ck_assert(x.cols[0].is_null);
        ck_assert_int_eq(eddy_serde_encode(ks, &x.r, &b, err, sizeof err), EDDY_SERDE_NULL);
        /* a value again clears the tombstone */
        x.r.flags = EDDY_REC_TOMBSTONE;
        const char *v = f ? "1,x" : "{\"A\":1,\"B\":\"x\"}";
        ck_assert_int_eq(eddy_serde_decode(vs, (const uint8_t *)v, strlen(v), &x.r, arena, err,
                                           sizeof err),
                         0);
        ck_assert_uint_eq(x.r.flags, 0);
        ck_assert_ptr_eq(x.r.raw_value, (const uint8_t *)v);
        ck_assert_uint_eq(x.r.raw_value_len, strlen(v));
        ck_assert_int_eq(eddy_serde_encode(vs, &x.r, &b, err, sizeof err), 0);
        ck_assert_uint_eq(b.len, strlen(v));
        ck_assert(memcmp(b.data, v, b.len) == 0);
        eddy_buf_free(&b);
        eddy_serde_destroy(vs);
        eddy_serde_destroy(ks);
    }
    /* JSON `null` as a value is a tombstone too */
    eddy_serde *vs = mk_ok("JSON", sc, V, -1, NULL);
    rec x;
    rec_init(&x, sc);
    ck_assert_int_eq(eddy_serde_decode(vs, (const uint8_t *)" null ", 6, &x.r, arena, err,
                                       sizeof err),
                     0);
    ck_assert_uint_eq(x.r.flags, EDDY_REC_TOMBSTONE);
    eddy_serde_destroy(vs);
    /* NONE: bytes ignored (none#5), nothing written */
    eddy_schema *kl = columns("FOO INT");
    eddy_serde *ns = mk_ok("NONE", kl, K, -1, NULL);
    rec y;
    rec_init(&y, kl);
    ck_assert_int_eq(eddy_serde_decode(ns, (const uint8_t *)"data that should be ignored", 27,
                                       &y.r, arena, err, sizeof err),
                     0);
    eddy_buf b = {0};
    ck_assert_int_eq(eddy_serde_encode(ns, &y.r, &b, err, sizeof err), EDDY_SERDE_NULL);
    eddy_serde_destroy(ns);
    /* a keyless stream's KAFKA key (none#2): ignored, written as a null key */
    ns = mk_ok("KAFKA", kl, K, -1, NULL);
    ck_assert_int_eq(eddy_serde_decode(ns, (const uint8_t *)"ignored", 7, &y.r, arena, err,
                                       sizeof err),
                     0);
    ck_assert_int_eq(eddy_serde_encode(ns, &y.r, &b, err, sizeof err), EDDY_SERDE_NULL);
    ck_assert_uint_eq(b.len, 0);
    eddy_serde_destroy(ns);
    eddy_buf_free(&b);
    eddy_schema_release(kl);
    eddy_schema_release(sc);
    eddy_arena_destroy(arena);
}
END_TEST

/* ---------------------------------------------- errors: every truncation */

START_TEST(json_truncations)
{
    eddy_schema *sc =
        columns("A INT, B STRING, C ARRAY<DOUBLE>, D MAP<STRING, BOOLEAN>, E STRUCT<X BIGINT>, "
                "F DECIMAL(6,2), G BYTES, H STRING");
    eddy_serde *s = mk_ok("JSON", sc, V, -1, NULL);
    const char *doc = "{\"a\": -12, \"b\": \"x\\u00e9\\n\\ud83d\\ude00y\", \"c\": [1.5e3, -0.25],"
                      " \"d\": {\"t\": true, \"f\": false, \"n\": null}, \"e\": {\"x\": 9},"
                      " \"f\": 12.30, \"g\": \"AAE=\", \"h\": {\"q\": [1, {}]}}";
    size_t n = strlen(doc);
    eddy_arena *arena = eddy_arena_new(0);
    char err[EDDY_ERRSTR_SIZE];
    rec x;
    rec_init(&x, sc);
    ck_assert_int_eq(eddy_serde_decode(s, (const uint8_t *)doc, n, &x.r, arena, err, sizeof err),
                     0);
    for (size_t len = 0; len < n; len++) {
        uint8_t *p = malloc(len ? len : 1); /* exact size: ASan catches overreads */
        memcpy(p, doc, len);
        rec_init(&x, sc);
        int rc = eddy_serde_decode(s, p, len, &x.r, arena, err, sizeof err);
        ck_assert_msg(rc == EDDY_EPARSE, "prefix %zu accepted (rc %d)", len, rc);
        ck_assert_msg(strstr(err, "invalid JSON at offset") != NULL, "%s", err);
        size_t off = strtoul(strstr(err, "offset ") + 7, NULL, 10);
        ck_assert_msg(off <= len, "offset %zu past the end %zu: %s", off, len, err);
        free(p);
        eddy_arena_reset(arena);
    }
    eddy_arena_destroy(arena);
    eddy_serde_destroy(s);
    eddy_schema_release(sc);
}
END_TEST

START_TEST(json_depth)
{
    eddy_schema *sc = columns("S STRING, X INT");
    eddy_serde *s = mk_ok("JSON", sc, V, -1, NULL);
    eddy_arena *arena = eddy_arena_new(0);
    char err[EDDY_ERRSTR_SIZE];
    for (int field = 0; field < 2; field++) {
        /* 999 arrays inside the record's object: 1000 levels, the limit; one more is not */
        for (int extra = 0; extra < 2; extra++) {
            int depth = 999 + extra;
            eddy_buf b = {0};
            eddy_buf_puts(&b, field ? "{\"x\":1,\"skipped\":" : "{\"s\":");
            for (int i = 0; i < depth; i++)
                eddy_buf_putc(&b, '[');
            for (int i = 0; i < depth; i++)
                eddy_buf_putc(&b, ']');
            eddy_buf_putc(&b, '}');
            rec x;
            rec_init(&x, sc);
            int rc = eddy_serde_decode(s, (const uint8_t *)b.data, b.len, &x.r, arena, err,
                                       sizeof err);
            if (extra) {
                ck_assert_int_eq(rc, EDDY_EPARSE);
                ck_assert_msg(strstr(err, "nesting depth exceeds the maximum allowed (1000)"),
                              "%s", err);
            } else {
                ck_assert_msg(rc == 0, "%s", err);
            }
            eddy_buf_free(&b);
        }
    }
    /* a hostile depth in a skipped field costs no C stack */
    eddy_buf b = {0};
    eddy_buf_puts(&b, "{\"zz\":");
    for (int i = 0; i < 100000; i++)
        eddy_buf_putc(&b, '[');
    rec x;
    rec_init(&x, sc);
    ck_assert_int_eq(
        eddy_serde_decode(s, (const uint8_t *)b.data, b.len, &x.r, arena, err, sizeof err),
        EDDY_EPARSE);
    eddy_buf_free(&b);
    eddy_arena_destroy(arena);
    eddy_serde_destroy(s);
    eddy_schema_release(sc);
}
END_TEST

/* ------------------------------------- strings point into the input */

START_TEST(zero_copy_strings)
{
    eddy_schema *sc = columns("A STRING, B STRING, C ARRAY<STRING>");
    eddy_serde *s = mk_ok("JSON", sc, V, -1, NULL);
    eddy_arena *arena = eddy_arena_new(0);
    char err[EDDY_ERRSTR_SIZE];
    const char *doc = "{\"a\":\"plain\",\"b\":\"esc\\n\",\"c\":[\"x\",\"y\"]}";
    rec x;
    rec_init(&x, sc);
    size_t before = eddy_arena_used(arena);
    ck_assert_int_eq(
        eddy_serde_decode(s, (const uint8_t *)doc, strlen(doc), &x.r, arena, err, sizeof err),
        0);
    ck_assert_ptr_eq(x.cols[0].u.str, doc + 6); /* a view of the input */
    ck_assert(x.cols[1].u.str < doc || x.cols[1].u.str > doc + strlen(doc)); /* unescaped */
    ck_assert_ptr_eq(x.cols[2].u.items[1].u.str, doc + 35);
    ck_assert_uint_gt(eddy_arena_used(arena), before); /* the escaped one, the array */
    /* the hot path: no arena use at all for flat records without escapes */
    eddy_schema *flat = columns("ID BIGINT, N INT, S STRING");
    eddy_serde *fs = mk_ok("JSON", flat, V, -1, NULL);
    eddy_arena_reset(arena);
    const char *line = "{\"id\":1,\"n\":2,\"s\":\"text\"}";
    rec y;
    rec_init(&y, flat);
    ck_assert_int_eq(
        eddy_serde_decode(fs, (const uint8_t *)line, strlen(line), &y.r, arena, err, sizeof err),
        0);
    ck_assert_uint_eq(eddy_arena_used(arena), 0);
    eddy_serde_destroy(fs);
    eddy_schema_release(flat);
    eddy_arena_destroy(arena);
    eddy_serde_destroy(s);
    eddy_schema_release(sc);
}
END_TEST

/* --------------------------------------------- round trips, all types */

START_TEST(round_trips)
{
    static const char *const docs[] = {
        ("{\"B\":true,\"I\":-2147483648,\"L\":9223372036854775807,\"X\":0.1,\"D\":-0.05,"
         "\"S\":\"\\u0000\\u001f\\\"\\\\\xf0\x9f\x98\x80\",\"Y\":\"/+8=\",\"DT\":19000,"
         "\"TM\":86399999,\"TS\":-1,\"A\":[[1,null],[]],\"M\":{\"\":null,\"k\":{\"Q\":[true]}},"
         "\"ST\":{\"F\":1.5E300,\"G\":[\"x\"]}}"),
        ("{\"B\":null,\"I\":null,\"L\":null,\"X\":null,\"D\":null,\"S\":null,\"Y\":null,"
         "\"DT\":null,\"TM\":null,\"TS\":null,\"A\":null,\"M\":null,\"ST\":null}"),
        "{\"X\":\"NaN\",\"ST\":{\"F\":\"-Infinity\",\"G\":null},\"A\":[[]],\"M\":{}}",
        "{\"X\":4.9E-324,\"D\":999.99}",
    };
    eddy_schema *sc = columns("B BOOLEAN, I INT, L BIGINT, X DOUBLE, D DECIMAL(5,2), S STRING, "
                              "Y BYTES, DT DATE, TM TIME, TS TIMESTAMP, A ARRAY<ARRAY<INT>>, "
                              "M MAP<STRING, STRUCT<Q ARRAY<BOOLEAN>>>, "
                              "ST STRUCT<F DOUBLE, G ARRAY<STRING>>");
    eddy_serde *s = mk_ok("JSON", sc, V, -1, NULL);
    eddy_arena *arena = eddy_arena_new(0);
    char err[EDDY_ERRSTR_SIZE];
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        rec x, y;
        rec_init(&x, sc);
        rec_init(&y, sc);
        ck_assert_msg(eddy_serde_decode(s, (const uint8_t *)docs[i], strlen(docs[i]), &x.r,
                                        arena, err, sizeof err) == 0,
                      "%zu: %s", i, err);
        eddy_buf b = {0};
        ck_assert_int_eq(eddy_serde_encode(s, &x.r, &b, err, sizeof err), 0);
        ck_assert_int_eq(eddy_serde_decode(s, (const uint8_t *)b.data, b.len, &y.r, arena, err,
                                           sizeof err),
                         0);
        for (uint32_t c = 0; c < sc->ncols; c++) {
            bool nan = x.cols[c].type == EDDY_TYPE_DOUBLE && !x.cols[c].is_null &&
                       isnan(x.cols[c].u.f64);
            ck_assert_msg(nan ? isnan(y.cols[c].u.f64)
                              : eddy_value_equal(&x.cols[c], &y.cols[c]),
                          "doc %zu column %s differs after %s", i, sc->cols[c].name,
                          eddy_buf_cstr(&b));
        }
        /* the first document, written by hand the way ksqlDB writes it */
        if (i == 0)
            ck_assert_str_eq(
                eddy_buf_cstr(&b),
                "{\"B\":true,\"I\":-2147483648,\"L\":9223372036854775807,\"X\":0.1,\"D\":-0.05,"
                "\"S\":\"\\u0000\\u001F\\\"\\\\\xf0\x9f\x98\x80\",\"Y\":\"/+8=\",\"DT\":19000,"
                "\"TM\":86399999,\"TS\":-1,\"A\":[[1,null],[]],\"M\":{\"\":null,\"k\":{\"Q\":"
                "[true]}},\"ST\":{\"F\":1.5E300,\"G\":[\"x\"]}}");
        eddy_buf_free(&b);
    }
    eddy_arena_destroy(arena);
    eddy_serde_destroy(s);
    eddy_schema_release(sc);
}
END_TEST

START_TEST(encode_errors)
{
    eddy_schema *sc = columns("D DECIMAL(4,2), S STRUCT<A INT>");
    eddy_serde *s = mk_ok("JSON", sc, V, -1, NULL);
    eddy_schema *dsc = columns("D DECIMAL(4,2)");
    eddy_serde *d = mk_ok("DELIMITED", dsc, V, -1, NULL);
    char err[EDDY_ERRSTR_SIZE];
    rec x;
    rec_init(&x, sc);
    /* a DECIMAL value that does not fit its column */
    x.cols[0] = eddy_decimal(123456, 6, 3);
    eddy_buf b = {0};
    eddy_buf_puts(&b, "keep");
    ck_assert_int_eq(eddy_serde_encode(s, &x.r, &b, err, sizeof err), EDDY_ERANGE);
    ck_assert_str_eq(err, "Failed to serialize value: column 'D': decimal does not fit "
                          "DECIMAL(4, 2)");
    ck_assert_uint_eq(b.len, 4); /* nothing appended */
    ck_assert_int_eq(eddy_serde_encode(d, &x.r, &b, err, sizeof err), EDDY_ERANGE);
    ck_assert_uint_eq(b.len, 4);
    /* a value of another scale is rescaled exactly */
    x.cols[0] = eddy_decimal(15, 3, 1);
    ck_assert_int_eq(eddy_serde_encode(d, &x.r, &b, err, sizeof err), 0);
    ck_assert_str_eq(eddy_buf_cstr(&b), "keep1.50");
    /* a STRUCT value with the wrong number of fields */
    x.cols[0] = eddy_null(EDDY_TYPE_DECIMAL);
    eddy_value items[2] = {eddy_int(1), eddy_int(2)};
    x.cols[1].type = EDDY_TYPE_STRUCT;
    x.cols[1].is_null = 0;
    x.cols[1].len = 2;
    x.cols[1].u.items = items;
    b.len = 4;
    ck_assert_int_eq(eddy_serde_encode(s, &x.r, &b, err, sizeof err), EDDY_EINTERNAL);
    ck_assert_str_eq(err, "Failed to serialize value: column 'S': a STRUCT value does not match "
                          "the column type STRUCT<`A` INTEGER>");
    ck_assert_uint_eq(b.len, 4);
    eddy_buf_free(&b);
    eddy_schema_release(dsc);
    eddy_serde_destroy(s);
    eddy_serde_destroy(d);
    eddy_schema_release(sc);
}
END_TEST

/* Empty STRING/BYTES values may carry a NULL pointer (eddy_string(NULL, 0)). */
START_TEST(empty_values_without_pointers)
{
    eddy_schema *sc = columns("S STRING, Y BYTES");
    eddy_schema *one = columns("S STRING");
    static const char *const fmts[] = {"JSON", "DELIMITED"};
    static const char *const want[] = {"{\"S\":\"\",\"Y\":\"\"}", "\"\","};
    char err[EDDY_ERRSTR_SIZE];
    rec x;
    rec_init(&x, sc);
    x.cols[0] = eddy_string(NULL, 0);
    x.cols[1] = eddy_bytes(NULL, 0);
    for (int f = 0; f < 2; f++) {
        eddy_serde *s = mk_ok(fmts[f], sc, V, -1, NULL);
        eddy_buf b = {0};
        ck_assert_int_eq(eddy_serde_encode(s, &x.r, &b, err, sizeof err), 0);
        ck_assert_str_eq(eddy_buf_cstr(&b), want[f]);
        eddy_buf_free(&b);
        eddy_serde_destroy(s);
    }
    eddy_serde *k = mk_ok("KAFKA", one, V, -1, NULL);
    eddy_buf b = {0};
    ck_assert_int_eq(eddy_serde_encode(k, &x.r, &b, err, sizeof err), 0);
    ck_assert_uint_eq(b.len, 0);
    eddy_buf_free(&b);
    eddy_serde_destroy(k);
    eddy_schema_release(one);
    eddy_schema_release(sc);
}
END_TEST

/* ------------------------------------------ property test: cJSON oracle */

typedef struct gen {
    uint64_t s;
} gen;

static uint32_t rnd(gen *g)
{
    g->s = g->s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(g->s >> 33);
}

static void gen_ws(gen *g, eddy_buf *b)
{
    static const char ws[] = " \t\r\n";
    while (rnd(g) % 4 == 0)
        eddy_buf_putc(b, ws[rnd(g) % 4]);
}

static void gen_string(gen *g, eddy_buf *b)
{
    static const char *const pieces[] = {
        "a", "Z", " ", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0041",
        "\\u00e9", "\\u20ac", "\\ud83d\\ude00", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
        "\\u001f", "~", "0123456789abcdefghij", "'",
    };
    eddy_buf_putc(b, '"');
    int n = (int)(rnd(g) % 8);
    for (int i = 0; i < n; i++)
        eddy_buf_puts(b, pieces[rnd(g) % (sizeof pieces / sizeof pieces[0])]);
    eddy_buf_putc(b, '"');
}

static void gen_int(gen *g, eddy_buf *b)
{
    int digits = 1 + (int)(rnd(g) % 18);
    if (rnd(g) % 2)
        eddy_buf_putc(b, '-');
    eddy_buf_putc(b, (char)('1' + rnd(g) % 9));
    for (int i = 1; i < digits; i++)
        eddy_buf_putc(b, (char)('0' + rnd(g) % 10));
}

static void gen_float(gen *g, eddy_buf *b)
{
    bool is_float = false;
    if (rnd(g) % 2)
        eddy_buf_putc(b, '-');
    if (rnd(g) % 3 == 0)
        eddy_buf_putc(b, '0');
    else {
        int d = 1 + (int)(rnd(g) % 20);
        eddy_buf_putc(b, (char)('1' + rnd(g) % 9));
        for (int i = 1; i < d; i++)
            eddy_buf_putc(b, (char)('0' + rnd(g) % 10));
    }
    if (rnd(g) % 4) {
        eddy_buf_putc(b, '.');
        int d = 1 + (int)(rnd(g) % 20);
        for (int i = 0; i < d; i++)
            eddy_buf_putc(b, (char)('0' + rnd(g) % 10));
        is_float = true;
    }
    if (rnd(g) % 2) {
        eddy_buf_putc(b, rnd(g) % 2 ? 'e' : 'E');
        static const char *const sg[] = {"", "+", "-"};
        eddy_buf_puts(b, sg[rnd(g) % 3]);
        eddy_buf_printf(b, "%u", rnd(g) % 330);
        is_float = true;
    }
    if (!is_float)
        eddy_buf_puts(b, ".5");
}

/* Writes a JSON value and returns a type that reads it; `kind` -1 picks one. */
static const eddy_type *gen_value(gen *g, eddy_buf *b, int depth, int kind);

static const eddy_type *gen_object(gen *g, eddy_buf *b, int depth, bool as_map)
{
    int n = (int)(rnd(g) % 5);
    eddy_field f[8];
    char names[8][16];
    int ekind = (int)(rnd(g) % 5);
    const eddy_type *vt = NULL;
    eddy_buf_putc(b, '{');
    for (int i = 0; i < n; i++) {
        if (i)
            eddy_buf_putc(b, ',');
        gen_ws(g, b);
        /* names unique even upper-cased: a letter plus the index */
        snprintf(names[i], sizeof names[i], "%c%d", (char)((rnd(g) % 2 ? 'a' : 'A') + i), i);
        eddy_buf_printf(b, "\"%s\"", names[i]);
        gen_ws(g, b);
        eddy_buf_putc(b, ':');
        gen_ws(g, b);
        const eddy_type *t = gen_value(g, b, depth + 1, as_map ? ekind : -1);
        if (as_map)
            vt = t;
        for (char *c = names[i]; *c; c++)
            *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
        f[i].name = names[i];
        f[i].type = t;
        gen_ws(g, b);
    }
    eddy_buf_putc(b, '}');
    if (as_map)
        return eddy_type_map(eddy_type_string(), vt ? vt : eddy_type_int());
    return eddy_type_struct((uint32_t)n, f);
}

static const eddy_type *gen_value(gen *g, eddy_buf *b, int depth, int kind)
{
    if (kind < 0)
        kind = (int)(rnd(g) % (depth > 3 ? 5 : 8));
    switch (kind) {
    case 0:
        gen_int(g, b);
        return eddy_type_bigint();
    case 1:
        gen_float(g, b);
        return eddy_type_double();
    case 2:
        gen_string(g, b);
        return eddy_type_string();
    case 3:
        eddy_buf_puts(b, rnd(g) % 2 ? "true" : "false");
        return eddy_type_boolean();
    case 4:
        eddy_buf_puts(b, "null");
        return eddy_type_string();
    case 5: { /* an array of one primitive kind */
        int n = (int)(rnd(g) % 5), ek = (int)(rnd(g) % 4);
        eddy_buf_putc(b, '[');
        for (int i = 0; i < n; i++) {
            if (i)
                eddy_buf_putc(b, ',');
            gen_ws(g, b);
            if (rnd(g) % 6 == 0)
                eddy_buf_puts(b, "null");
            else
                gen_value(g, b, depth + 1, ek);
            gen_ws(g, b);
        }
        eddy_buf_putc(b, ']');
        static const eddy_type *(*const ets[])(void) = {eddy_type_bigint, eddy_type_double,
                                                        eddy_type_string, eddy_type_boolean};
        return eddy_type_array(ets[ek]());
    }
    case 6:
        return gen_object(g, b, depth, false);
    default:
        return gen_object(g, b, depth, true);
    }
}

static void same(const eddy_type *t, const eddy_value *v, const cJSON *j, const char *doc)
{
    if (cJSON_IsNull(j)) {
        ck_assert_msg(v->is_null, "null expected in %s", doc);
        return;
    }
    ck_assert_msg(!v->is_null, "a NULL where cJSON has a value in %s", doc);
    switch (t->id) {
    case EDDY_TYPE_BIGINT:
        ck_assert_msg(cJSON_IsNumber(j) && (double)v->u.i64 == j->valuedouble,
                      "%lld vs %.17g in %s", (long long)v->u.i64, j->valuedouble, doc);
        break;
    case EDDY_TYPE_DOUBLE:
        ck_assert_msg(cJSON_IsNumber(j) && memcmp(&v->u.f64, &j->valuedouble, 8) == 0,
                      "%.17g vs %.17g in %s", v->u.f64, j->valuedouble, doc);
        break;
    case EDDY_TYPE_STRING:
        ck_assert_msg(cJSON_IsString(j) && strlen(j->valuestring) == v->len &&
                          memcmp(j->valuestring, v->u.str, v->len) == 0,
                      "string differs in %s", doc);
        break;
    case EDDY_TYPE_BOOLEAN:
        ck_assert_msg(cJSON_IsBool(j) && (bool)cJSON_IsTrue(j) == v->u.b, "bool in %s", doc);
        break;
    case EDDY_TYPE_ARRAY: {
        ck_assert_msg(cJSON_IsArray(j) && cJSON_GetArraySize(j) == (int)v->len, "array in %s",
                      doc);
        const cJSON *e = j->child;
        for (uint32_t i = 0; i < v->len; i++, e = e->next)
            same(t->elem, &v->u.items[i], e, doc);
        break;
    }
    case EDDY_TYPE_MAP: {
        ck_assert_msg(cJSON_IsObject(j) && cJSON_GetArraySize(j) == (int)v->len, "map in %s",
                      doc);
        const cJSON *e = j->child;
        for (uint32_t i = 0; i < v->len; i++, e = e->next) {
            ck_assert(strlen(e->string) == v->u.items[2 * i].len &&
                      memcmp(e->string, v->u.items[2 * i].u.str, v->u.items[2 * i].len) == 0);
            same(t->elem, &v->u.items[2 * i + 1], e, doc);
        }
        break;
    }
    case EDDY_TYPE_STRUCT: {
        ck_assert_msg(cJSON_IsObject(j), "struct in %s", doc);
        for (uint32_t i = 0; i < t->nfields; i++) {
            const cJSON *e = cJSON_GetObjectItem(j, t->fields[i].name); /* case-insensitive */
            ck_assert_ptr_nonnull(e);
            same(t->fields[i].type, &v->u.items[i], e, doc);
        }
        break;
    }
    default:
        ck_abort_msg("type %d", t->id);
    }
}

START_TEST(property_cjson_oracle)
{
    gen g = {.s = 20240601};
    eddy_arena *arena = eddy_arena_new(0);
    char err[EDDY_ERRSTR_SIZE];
    int checked = 0;
    for (int iter = 0; iter < 600; iter++) {
        eddy_buf doc = {0};
        gen_ws(&g, &doc);
        const eddy_type *t = gen_object(&g, &doc, 0, false);
        gen_ws(&g, &doc);
        const char *text = eddy_buf_cstr(&doc);
        /* the record's columns are the object's fields */
        eddy_schema_builder *sb = eddy_schema_builder_new();
        for (uint32_t i = 0; i < t->nfields; i++)
            eddy_schema_builder_add(sb, t->fields[i].name, t->fields[i].type, EDDY_COL_VALUE);
        eddy_schema *sc = eddy_schema_build(sb);
        eddy_serde *s = mk_ok("JSON", sc, V, -1, NULL);
        cJSON *j = cJSON_ParseWithOpts(text, NULL, 1);
        ck_assert_msg(j != NULL, "cJSON rejects %s", text);
        rec x;
        rec_init(&x, sc);
        uint8_t *copy = malloc(doc.len);
        memcpy(copy, doc.data, doc.len);
        int rc = eddy_serde_decode(s, copy, doc.len, &x.r, arena, err, sizeof err);
        ck_assert_msg(rc == 0, "%s: %s", text, err);
        eddy_value whole = {.type = EDDY_TYPE_STRUCT, .len = t->nfields, .u.items = x.cols};
        same(t, &whole, j, text);
        /* and with the whole object read as a single STRUCT column (unwrapped) */
        eddy_schema_builder *sb2 = eddy_schema_builder_new();
        eddy_schema_builder_add(sb2, "R", t, EDDY_COL_VALUE);
        eddy_schema *sc2 = eddy_schema_build(sb2);
        eddy_serde *s2 = mk_ok("JSON", sc2, V, 0, NULL);
        rec y;
        rec_init(&y, sc2);
        ck_assert_int_eq(eddy_serde_decode(s2, copy, doc.len, &y.r, arena, err, sizeof err), 0);
        same(t, &y.cols[0], j, text);
        /* every strict prefix is malformed for both */
        for (size_t len = 0; len + 1 < doc.len; len += 1 + len / 4) {
            char *pre = strndup(text, len);
            cJSON *pj = cJSON_ParseWithOpts(pre, NULL, 1);
            rec_init(&y, sc2);
            int prc = eddy_serde_decode(s2, (const uint8_t *)pre, len, &y.r, arena, err,
                                        sizeof err);
            bool ws_only_tail = true; /* the prefix may only lack trailing blanks */
            for (size_t k = len; k < doc.len; k++)
                ws_only_tail = ws_only_tail && strchr(" \t\r\n", text[k]);
            ck_assert_msg((pj != NULL) == (prc == 0), "prefix %zu of %s: cJSON %s, eddy %d (%s)",
                          len, text, pj ? "ok" : "error", prc, err);
            ck_assert(ws_only_tail || prc == EDDY_EPARSE);
            cJSON_Delete(pj);
            free(pre);
        }
        checked++;
        free(copy);
        cJSON_Delete(j);
        eddy_serde_destroy(s);
        eddy_serde_destroy(s2);
        eddy_schema_release(sc);
        eddy_schema_release(sc2);
        eddy_buf_free(&doc);
        eddy_arena_reset(arena);
    }
    ck_assert_int_eq(checked, 600);
    eddy_arena_destroy(arena);
}
END_TEST

/* Edge documents: eddy's reader (any value read as an unwrapped STRING) and cJSON agree on
 * which are JSON, except where cJSON is more lenient than Jackson (listed apart). */
START_TEST(property_cjson_edges)
{
    static const char *const agree[] = {
        "{}", "[]", "\"\"", "0", "-0", "-0.0e-0", "1E5", "1e+5", "[1,[2,[3]]]", " {\"a\" : [ ] } ",
        "{\"a\":1,}", "{\"a\" 1}", "[1 2]", "[1,]", "[,1]", "{,}", "\"\\u12\"", "\"\\x\"",
        "{\"a\":1}}", "tru", "nul", "-", "--1", "1e", "1e+", "\"\\ud83d\\ude00\"", "\"\\udc00\"",
        "\"\\ud800x\"", "\"\\ud800\\u0041\"", "[", "]", "{", "\"abc", "{\"a\"}", "{1:2}",
        "[true,false,null]", "[truex]", "\"\\/\"", "", " ", "[1]x", "1.5e-400", "1e400x",
        "{\"\":\"\"}", "[\"\\t\"]", "123456789012345678901234567890",
    };
    static const char *const only_cjson[] = {
        "01", "1.", "[.5]", "\"a\nb\"", "\"\xff\"", "\"\xc0\xaf\"", "+1",
    };
    eddy_schema *sc = columns("S STRING");
    eddy_serde *s = mk_ok("JSON", sc, V, 0, NULL);
    eddy_arena *arena = eddy_arena_new(0);
    char err[EDDY_ERRSTR_SIZE];
    for (size_t i = 0; i < sizeof agree / sizeof agree[0]; i++) {
        rec x;
        rec_init(&x, sc);
        size_t n = strlen(agree[i]);
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, agree[i], n);
        int rc = eddy_serde_decode(s, p, n, &x.r, arena, err, sizeof err);
        cJSON *j = cJSON_ParseWithOpts(agree[i], NULL, 1);
        ck_assert_msg((j != NULL) == (rc == 0), "'%s': cJSON %s, eddy %s", agree[i],
                      j ? "accepts" : "rejects", rc ? err : "accepts");
        cJSON_Delete(j);
        free(p);
    }
    for (size_t i = 0; i < sizeof only_cjson / sizeof only_cjson[0]; i++) {
        rec x;
        rec_init(&x, sc);
        int rc = eddy_serde_decode(s, (const uint8_t *)only_cjson[i], strlen(only_cjson[i]), &x.r,
                                   arena, err, sizeof err);
        ck_assert_msg(rc == EDDY_EPARSE, "'%s' accepted", only_cjson[i]);
    }
    eddy_arena_destroy(arena);
    eddy_serde_destroy(s);
    eddy_schema_release(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("serde");
    TCase *tc = tcase_create("tables");
    tcase_add_loop_test(tc, decode_table, 0, (int)(sizeof dcases / sizeof dcases[0]));
    tcase_add_loop_test(tc, encode_table, 0, (int)(sizeof ecases / sizeof ecases[0]));
    tcase_add_loop_test(tc, new_table, 0, (int)(sizeof ncases / sizeof ncases[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("core");
    tcase_add_test(tc, options);
    tcase_add_test(tc, kafka_bytes);
    tcase_add_test(tc, kafka_sizes);
    tcase_add_test(tc, tombstones_and_nulls);
    tcase_add_test(tc, json_truncations);
    tcase_add_test(tc, json_depth);
    tcase_add_test(tc, zero_copy_strings);
    tcase_add_test(tc, round_trips);
    tcase_add_test(tc, encode_errors);
    tcase_add_test(tc, empty_values_without_pointers);
    suite_add_tcase(s, tc);
    tc = tcase_create("property");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, property_cjson_oracle);
    tcase_add_test(tc, property_cjson_edges);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return eddy_test_run(suite());
}
