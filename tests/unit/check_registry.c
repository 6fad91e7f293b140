/* check_registry.c: the function registry (core/expr/registry.c) and the built-in scalar
 * functions. Expected values come from scalar-functions.md and the QTT files named next to
 * each table (substring.json, concat.json, initcap.json, string-lpad-rpad.json, instr.json,
 * replace.json, split.json, math.json, greatest.json, least.json, null.json). */
#include "testutil.h"
#include "eddy/udf.h"
#include "expr/expr.h"
#include "sql/parser.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------- registry API */

static int fn_const_one(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                        const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    (void)argv;
    *out = eddy_int(1);
    return 0;
}

static int agg_init(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc)
{
    (void)ctx;
    (void)f;
    *acc = eddy_bigint(0);
    return 0;
}

static int agg_add(eddy_func_ctx *ctx, const eddy_function *f, eddy_value *acc, int argc,
                   const eddy_value *argv)
{
    (void)ctx;
    (void)f;
    (void)argc;
    (void)argv;
    acc->u.i64++;
    return 0;
}

static int agg_result(eddy_func_ctx *ctx, const eddy_function *f, const eddy_value *acc,
                      eddy_value *out)
{
    (void)ctx;
    (void)f;
    *out = *acc;
    return 0;
}

static int tbl_fn(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                  eddy_value **rows, uint32_t *nrows)
{
    (void)ctx;
    (void)f;
    (void)argc;
    *rows = argv[0].u.items;
    *nrows = argv[0].len;
    return 0;
}

static const char *type_str(const eddy_type *t)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    if (!t)
        return "(null)";
    eddy_type_format(t, buf[k], sizeof buf[k]);
    return buf[k];
}

START_TEST(test_registry_add_resolve)
{
    eddy_registry *r = eddy_registry_new();
    char err[1024];
    eddy_function f = {.name = "my_fn", .kind = EDDY_FUNC_SCALAR,
                       .signature = "(STRING s, INT n) -> STRING", .scalar = fn_const_one,
                       .source = "test.lua"};
    ck_assert_int_eq(eddy_registry_add(r, &f, false, err, sizeof err), 0);
    /* same parameter types: EEXIST unless replacing */
    f.signature = "(STRING, INTEGER) -> INTEGER";
    ck_assert_int_eq(eddy_registry_add(r, &f, false, err, sizeof err), EDDY_EEXIST);
    ck_assert_int_eq(eddy_registry_add(r, &f, true, err, sizeof err), 0);
    f.signature = "(ARRAY<T> list, T x) -> T";
    ck_assert_int_eq(eddy_registry_add(r, &f, false, err, sizeof err), 0);
    f.signature = "(DOUBLE... xs) -> DOUBLE";
    ck_assert_int_eq(eddy_registry_add(r, &f, false, err, sizeof err), 0);

    /* bad signatures */
    f.signature = "STRING -> STRING";
    ck_assert_int_eq(eddy_registry_add(r, &f, false, err, sizeof err), EDDY_EINVAL);
    ck_assert_msg(strstr(err, "bad signature") != NULL, "%s", err);
    f.signature = "(STRING...,INT) -> INT";
    ck_assert_int_eq(eddy_registry_add(r, &f, false, err, sizeof err), EDDY_EINVAL);
    f.signature = "(ARRAY<INT) -> INT";
    ck_assert_int_eq(eddy_registry_add(r, &f, false, err, sizeof err), EDDY_EINVAL);
    ck_assert_msg(strstr(err, "Expecting '>'") != NULL, "%s", err);

    eddy_func_binding b;
    const eddy_type *argt[4];
    /* exact match, case-insensitive name; the replacement overload is the one found */
    argt[0] = eddy_type_string();
    argt[1] = eddy_type_int();
    ck_assert_int_eq(eddy_registry_resolve(r, "MY_FN", EDDY_FUNC_SCALAR, 2, argt, &b, err,
                                           sizeof err), 0);
    ck_assert_str_eq(type_str(b.ret), "INTEGER");
    ck_assert_str_eq(b.fn->name, "MY_FN");
    /* type variables: ARRAY<T>, T with (ARRAY<BIGINT>, INT): T = BIGINT, INT coerced */
    argt[0] = eddy_type_array(eddy_type_bigint());
    argt[1] = eddy_type_int();
    ck_assert_int_eq(eddy_registry_resolve(r, "my_fn", EDDY_FUNC_SCALAR, 2, argt, &b, err,
                                           sizeof err), 0);
    ck_assert_str_eq(type_str(b.ret), "BIGINT");
    ck_assert_str_eq(type_str(b.param[1]), "BIGINT");
    /* variadic DOUBLE... with implicit widening of INT and BIGINT, and zero arguments */
    argt[0] = eddy_type_int();
    argt[1] = eddy_type_bigint();
    argt[2] = NULL; /* an untyped NULL fits */
    ck_assert_int_eq(eddy_registry_resolve(r, "my_fn", EDDY_FUNC_SCALAR, 3, argt, &b, err,
                                           sizeof err), 0);
    ck_assert_str_eq(type_str(b.param[0]), "DOUBLE");
    ck_assert_str_eq(type_str(b.param[2]), "DOUBLE");
    ck_assert_int_eq(eddy_registry_resolve(r, "my_fn", EDDY_FUNC_SCALAR, 0, argt, &b, err,
                                           sizeof err), 0);
    ck_assert_str_eq(type_str(b.ret), "DOUBLE");
    /* no overload: the message lists the alternatives */
    argt[0] = eddy_type_boolean();
    ck_assert_int_eq(eddy_registry_resolve(r, "my_fn", EDDY_FUNC_SCALAR, 1, argt, &b, err,
                                           sizeof err), EDDY_ETYPE);
    ck_assert_str_eq(err, "Function 'my_fn' does not accept parameters (BOOLEAN).\n"
                          "Valid alternatives are:\n"
                          "my_fn(STRING, INTEGER)\n"
                          "my_fn(ARRAY<T> list, T x)\n"
                          "my_fn(DOUBLE... xs)");
    ck_assert_int_eq(eddy_registry_resolve(r, "nope", EDDY_FUNC_SCALAR, 1, argt, &b, err,
                                           sizeof err), EDDY_ENOTFOUND);
    ck_assert_str_eq(err, "Can't find any functions with the name 'NOPE'");

    /* remove by source (UDF reload) */
    ck_assert_int_eq(eddy_registry_remove_source(r, "test.lua"), 3);
    ck_assert_int_eq(eddy_registry_resolve(r, "my_fn", EDDY_FUNC_SCALAR, 0, argt, &b, err,
                                           sizeof err), EDDY_ENOTFOUND);
    eddy_registry_destroy(r);
    eddy_registry_destroy(NULL);
}
END_TEST

START_TEST(test_registry_aggregate_table)
{
    eddy_registry *r = eddy_registry_new();
    char err[512];
    eddy_function f = {.name = "MY_COUNT", .kind = EDDY_FUNC_AGGREGATE,
                       .signature = "(T) -> BIGINT AS BIGINT",
                       .aggregate = {.init = agg_init, .add = agg_add, .result = agg_result}};
    ck_assert_int_eq(eddy_registry_add(r, &f, false, err, sizeof err), 0);
    /* an aggregate needs its accumulator type */
    f.signature = "(INT, INT) -> BIGINT";
    ck_assert_int_eq(eddy_registry_add(r, &f, false, err, sizeof err), EDDY_EINVAL);
    ck_assert_msg(strstr(err, "AS <accumulator type>") != NULL, "%s", err);
    /* missing callbacks */
    eddy_function g = {.name = "T1", .kind = EDDY_FUNC_TABLE, .signature = "(ARRAY<T>) -> T"};
    ck_assert_int_eq(eddy_registry_add(r, &g, false, err, sizeof err), EDDY_EINVAL);
    g.table = tbl_fn;
    ck_assert_int_eq(eddy_registry_add(r, &g, false, err, sizeof err), 0);

    eddy_func_binding b;
    const eddy_type *argt[1] = {eddy_type_string()};
    ck_assert_int_eq(eddy_registry_resolve(r, "my_count", EDDY_FUNC_AGGREGATE, 1, argt, &b,
                                           err, sizeof err), 0);
    ck_assert_str_eq(type_str(b.ret), "BIGINT");
    ck_assert_str_eq(type_str(b.agg), "BIGINT");
    /* the kind must match */
    ck_assert_int_eq(eddy_registry_resolve(r, "my_count", EDDY_FUNC_SCALAR, 1, argt, &b, err,
                                           sizeof err), EDDY_ENOTFOUND);
    argt[0] = eddy_type_array(eddy_type_double());
    ck_assert_int_eq(eddy_registry_resolve(r, "t1", EDDY_FUNC_TABLE, 1, argt, &b, err,
                                           sizeof err), 0);
    ck_assert_str_eq(type_str(b.ret), "DOUBLE");

    /* an aggregate in a scalar expression is refused at bind time */
    eddy_schema *s;
    ck_assert_int_eq(eddy_columns_parse("X INT", &s, err, sizeof err), 0);
    eddy_scope sc = {.schema = s, .registry = r};
    eddy_expr *e;
    ck_assert_int_eq(eddy_expr_compile("MY_COUNT(X)", &sc, &e, err, sizeof err), EDDY_EINVAL);
    ck_assert_str_eq(err, "line 1:1: Aggregate function 'MY_COUNT' is not allowed here: "
                          "MY_COUNT(X)");
    eddy_schema_release(s);
    eddy_registry_destroy(r);
}
END_TEST

static void count_cb(const eddy_function *f, void *opaque)
{
    int *n = opaque;
    if (strcmp(f->name, "SUBSTRING") == 0)
        (*n)++;
}

START_TEST(test_registry_default)
{
    eddy_registry *r = eddy_registry_default();
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_eq(r, eddy_registry_default());
    int n = 0;
    eddy_registry_foreach(r, count_cb, &n);
    ck_assert_int_eq(n, 4); /* (STRING, INT), (STRING, INT, INT), and the BYTES twins */
}
END_TEST

/* ---------------------------------------------------- built-ins by SQL */

static eddy_schema *schema;
static eddy_value cols[8];
static eddy_record rec;

static void setup(void)
{
    char err[256];
    ck_assert_int_eq(eddy_columns_parse("I INT, L BIGINT, D DOUBLE, S STRING, N INT, NS STRING, "
                                        "DEC DECIMAL(9,2), DEC2 DECIMAL(7,6)",
                                        &schema, err, sizeof err), 0);
    cols[0] = eddy_int(-1);
    cols[1] = eddy_bigint(2);
    cols[2] = eddy_double(-3.0);
    cols[3] = eddy_string("some_string", 11);
    cols[4] = eddy_null(EDDY_TYPE_INT);
    cols[5] = eddy_null(EDDY_TYPE_STRING);
    cols[6] = eddy_decimal(123456789, 9, 2);   /* 1234567.89 */
    cols[7] = eddy_decimal(123456, 7, 6);      /* 0.123456 */
    memset(&rec, 0, sizeof rec);
    rec.cols = cols;
}

static void teardown(void)
{
    eddy_schema_release(schema);
}

static const char *run(const char *text)
{
    static char out[2048];
    char err[1024] = "";
    eddy_scope sc = {.schema = schema};
    eddy_expr *e;
    if (eddy_expr_compile(text, &sc, &e, err, sizeof err) != 0) {
        snprintf(out, sizeof out, "ERR %s", err);
        return out;
    }
    eddy_arena *a = eddy_arena_new(0);
    eddy_eval_ctx ctx = {.arena = a, .errstr = err, .errstr_size = sizeof err};
    eddy_value v;
    int rc = eddy_expr_eval(e, &rec, &ctx, &v);
    if (rc) {
        snprintf(out, sizeof out, "EVALERR %s", err);
    } else {
        eddy_buf b = {0};
        eddy_value_format(&b, &v);
        snprintf(out, sizeof out, "%s %s", type_str(eddy_expr_type(e)), eddy_buf_cstr(&b));
        eddy_buf_free(&b);
    }
    eddy_arena_destroy(a);
    eddy_expr_destroy(e);
    return out;
}

static const struct {
    const char *in, *want;
} calls[] = {
    /* substring.json: SUBSTRING(source, 6, 3), (source, 6), NULL arguments, pos 0 */
    {"SUBSTRING('some_string', 6, 3)", "STRING str"},
    {"SUBSTRING('another', 6, 3)", "STRING er"},
    {"SUBSTRING('short', 6, 3)", "STRING "},
    {"SUBSTRING(S, 6)", "STRING string"},
    {"SUBSTRING(CAST(null AS STRING), 1)", "STRING null"},
    {"SUBSTRING(S, null)", "STRING null"},
    {"SUBSTRING(S, 6, null)", "STRING null"},
    {"SUBSTRING('some string', 0, 2)", "STRING so"},
    {"SUBSTRING('stream', 1, 4)", "STRING stre"},  /* scalar-functions.md */
    {"SUBSTRING('stream', -3)", "STRING eam"},
    {"SUBSTRING('stream', -3, 2)", "STRING ea"},
    {"SUBSTRING('stream', -10, 2)", "STRING st"},
    {"SUBSTRING('zb', 2)", "STRING b"},            /* between.json */
    /* concat.json */
    {"CONCAT('prefix-', S, '-postfix')", "STRING prefix-some_string-postfix"},
    {"CONCAT('''', CONCAT(S, ''''))", "STRING 'some_string'"},
    {"CONCAT(NS, 'a', NULL)", "STRING a"},
    {"CONCAT_WS('SEP', 'foo', 'bar', 'baz', NULL, 'literal')",
     "STRING fooSEPbarSEPbazSEPliteral"},
    {"CONCAT_WS('SEP', NS, NS, NS, NULL, 'literal')", "STRING literal"},
    {"CONCAT_WS(NS, 'foo', 'bar')", "STRING null"},
    {"CONCAT_WS(', ', 'apple', 'banana', NULL, 'date')", "STRING apple, banana, date"},
    /* UCASE / LCASE / LEN / TRIM */
    {"UCASE('ab c1')", "STRING AB C1"},
    {"LCASE('AB C1')", "STRING ab c1"},
    {"UCASE('\xc3\xa9t\xc3\xa9')", "STRING \xc3\x89T\xc3\x89"},
    {"LEN(S)", "INTEGER 11"},
    {"LEN('')", "INTEGER 0"},
    {"LEN('\xc3\xa9t\xc3\xa9')", "INTEGER 3"},
    {"TRIM('  a b  ')", "STRING a b"},
    {"LTRIM('  a  ')", "STRING a  "},
    {"RTRIM('  a  ')", "STRING   a"},
    /* replace.json "Extract escaped JSON" and Java's String.replace */
    {"REPLACE('a.b.c', '.', '--')", "STRING a--b--c"},
    {"REPLACE('aaa', 'aa', 'b')", "STRING ba"},
    {"REPLACE('ab', '', '-')", "STRING -a-b-"},
    {"REPLACE(REPLACE(REPLACE('{\"text\": \"{\\\"w\\\": 10}\"}', '\"text\": \"{', "
     "'\"text\": {'), '\\\"', '\"'), '\"}', '}')",
     "STRING {\"text\": {\"w\": 10}}"},
    /* instr.json and scalar-functions.md */
    {"INSTR('corporate floor', 'or')", "INTEGER 2"},
    {"INSTR('should I stay or should I go', 'or')", "INTEGER 15"},
    {"INSTR('short', 'or')", "INTEGER 3"},
    {"INSTR('no substring', 'or')", "INTEGER 0"},
    {"INSTR('corporate floor', 'or', 4, 2)", "INTEGER 14"},
    {"INSTR('CORPORATE FLOOR', 'OR', 3)", "INTEGER 5"},
    {"INSTR('CORPORATE FLOOR', 'OR', 3, 2)", "INTEGER 14"},
    {"INSTR('CORPORATE FLOOR', 'OR', -3)", "INTEGER 5"},
    {"INSTR('CORPORATE FLOOR', 'OR', -3, 2)", "INTEGER 2"},
    {"INSTR('CORPORATE FLOOR', 'MISSING')", "INTEGER 0"},
    /* string-lpad-rpad.json */
    {"LPAD('foo', 7, 'Bar')", "STRING BarBfoo"},
    {"LPAD('foo', 5, 'Bar')", "STRING Bafoo"},
    {"LPAD('foo', 2, 'Bar')", "STRING fo"},
    {"LPAD('foo', -1, 'Bar')", "STRING null"},
    {"LPAD('foo', 5, NS)", "STRING null"},
    {"LPAD('foo', N, 'Bar')", "STRING null"},
    {"LPAD('foo', 7, '')", "STRING null"},
    {"LPAD('', 7, 'Bar')", "STRING BarBarB"},
    {"LPAD('123', 5, '0')", "STRING 00123"},
    {"RPAD('foo', 7, 'Bar')", "STRING fooBarB"},
    {"RPAD('foo', 5, 'Bar')", "STRING fooBa"},
    {"RPAD('foo', 2, 'Bar')", "STRING fo"},
    {"RPAD('foo', -1, 'Bar')", "STRING null"},
    {"RPAD('', 7, 'Bar')", "STRING BarBarB"},
    /* initcap.json */
    {"INITCAP(S)", "STRING Some_string"},
    {"INITCAP('the   Quick br0wn fOx')", "STRING The   Quick Br0wn Fox"},
    {"INITCAP(NS)", "STRING null"},
    /* split.json */
    {"SPLIT('a.b.c', '.')", "ARRAY<STRING> [a, b, c]"},
    {"SPLIT('.abc.', '.')", "ARRAY<STRING> [, abc, ]"},
    {"SPLIT('..a..', '.')", "ARRAY<STRING> [, , a, , ]"},
    {"SPLIT('abc', '.')", "ARRAY<STRING> [abc]"},
    {"SPLIT('', '.')", "ARRAY<STRING> []"},
    {"SPLIT('a$$b.c', '$$')", "ARRAY<STRING> [a, b.c]"},
    {"SPLIT('a.b', '')", "ARRAY<STRING> [a, ., b]"},
    {"SPLIT('', '')", "ARRAY<STRING> []"},
    /* math.json: abs, sqrt, power, round, log */
    {"ABS(I)", "INTEGER 1"},
    {"ABS(L)", "BIGINT 2"},
    {"ABS(D)", "DOUBLE 3.0"},
    {"ABS(-3.2)", "DECIMAL(2, 1) 3.2"},
    {"SQRT(I)", "DOUBLE NaN"},
    {"SQRT(L)", "DOUBLE 1.4142135623730951"},
    {"SQRT(3.0E0)", "DOUBLE 1.7320508075688772"},
    {"POWER(15, -1)", "DOUBLE 0.06666666666666667"},
    {"POWER(15, 13)", "DOUBLE 1.946195068359375E15"},
    {"POWER(0, 0)", "DOUBLE 1.0"},
    {"POWER(-15, 2)", "DOUBLE 225.0"},
    {"ROUND(1.5E0)", "BIGINT 2"},
    {"ROUND(-1.5E0)", "BIGINT -1"},
    {"ROUND(-1.7E0)", "BIGINT -2"},
    {"ROUND(12345.678E0, 2)", "DOUBLE 12345.68"},
    {"ROUND(-12345.678E0, 1)", "DOUBLE -12345.7"},
    {"ROUND(12345.678E0, -1)", "DOUBLE 12350.0"},
    {"ROUND(-12345.678E0, -2)", "DOUBLE -12300.0"},
    {"ROUND(-1.5E0, 0)", "DOUBLE -1.0"},
    {"ROUND(1.2E0, -1)", "DOUBLE 0.0"},
    {"ROUND(1.234567E0, 10)", "DOUBLE 1.234567"},
    {"ROUND(111E0, -2)", "DOUBLE 100.0"},
    {"ROUND(DEC)", "DECIMAL(8, 0) 1234568"},
    {"ROUND(DEC, 1)", "DECIMAL(9, 2) 1234567.90"},
    {"ROUND(-2.5)", "DECIMAL(2, 0) -2"},
    {"ROUND(2.5)", "DECIMAL(2, 0) 3"},
    /* TRUNC: toward zero, ROUND's overloads (scalar-functions.md: TRUNC(12345.67, -3) is
     * 12000; math.json "trunc - decimal" / "trunc - integer") */
    {"TRUNC(-1.7E0)", "BIGINT -1"},
    {"TRUNC(1.7E0)", "BIGINT 1"},
    {"TRUNC(I)", "INTEGER -1"},
    {"TRUNC(12345.678E0, 2)", "DOUBLE 12345.67"},
    {"TRUNC(-12345.678E0, -2)", "DOUBLE -12300.0"},
    {"TRUNC(1.2E0, -1)", "DOUBLE 0.0"},
    {"TRUNC(12345.67, -3)", "DECIMAL(7, 2) 12000.00"},
    {"TRUNC(DEC)", "DECIMAL(8, 0) 1234567"},
    {"TRUNC(DEC, 1)", "DECIMAL(9, 2) 1234567.80"},
    {"TRUNC(-2.5)", "DECIMAL(2, 0) -2"},
    {"TRUNC(L)", "BIGINT 2"},
    {"LOG(13)", "DOUBLE 2.5649493574615367"}, /* math.json: ln, whatever the doc says */
    {"LOG(15, 13)", "DOUBLE 0.9471572411831843"},
    {"LOG(15, 0)", "DOUBLE -Infinity"},
    {"LOG(-15, 13)", "DOUBLE NaN"},
    {"LOG(1, 13)", "DOUBLE NaN"},
    /* FLOOR / CEIL / SIGN */
    {"FLOOR(-1.5E0)", "DOUBLE -2.0"},
    {"CEIL(-1.5E0)", "DOUBLE -1.0"},
    {"FLOOR(I)", "INTEGER -1"},
    {"FLOOR(-9.5)", "DECIMAL(2, 0) -10"},
    {"CEIL(9.25)", "DECIMAL(2, 0) 10"},
    {"SIGN(D)", "INTEGER -1"},
    {"SIGN(L)", "INTEGER 1"},
    {"SIGN(0.0)", "INTEGER 0"},
    {"SIGN(N)", "INTEGER null"},
    {"RANDOM() < 1.0", "BOOLEAN true"},
    {"RANDOM() >= 0.0", "BOOLEAN true"},
    /* greatest.json / least.json */
    {"GREATEST(2147483647, -2147483648, N, null, 5)", "INTEGER 2147483647"},
    {"LEAST(2147483647, -2147483648, N, null, 5)", "INTEGER -2147483648"},
    {"GREATEST(DEC, DEC2)", "DECIMAL(13, 6) 1234567.890000"},
    {"LEAST(DEC, DEC2)", "DECIMAL(13, 6) 0.123456"},
    {"LEAST(I, L, DEC, D, null)", "DOUBLE -3.0"},
    {"GREATEST('a', 'b', NS)", "STRING b"},
    {"GREATEST(CAST('09:00:00' AS TIME), '09:16:00')", "TIME 09:16:00"},
    {"LEAST(N, N)", "INTEGER null"},
    /* null.json: COALESCE, IFNULL, NULLIF */
    {"COALESCE(N, NULL, 3)", "INTEGER 3"},
    {"COALESCE(NS, 'x')", "STRING x"},
    {"IFNULL(N, 10)", "INTEGER 10"},
    {"IFNULL(I, 10)", "INTEGER -1"},
    {"IFNULL(L, 10)", "BIGINT 2"},
    {"IFNULL(NS, 'x')", "STRING x"},
    {"NULLIF(I, -1)", "INTEGER null"},
    {"NULLIF(I, 10)", "INTEGER -1"},
    {"NULLIF(S, 'x')", "STRING some_string"},
    {"NULLIF(NS, 'x')", "STRING null"},
    {"NULLIF(ARRAY[1, 2, 3], ARRAY[1, 2, 3])", "ARRAY<INTEGER> null"},
};

START_TEST(test_call_table)
{
    const char *got = run(calls[_i].in);
    ck_assert_msg(strcmp(got, calls[_i].want) == 0, "case %d: %s\n got:  %s\n want: %s", _i,
                  calls[_i].in, got, calls[_i].want);
}
END_TEST

/* Resolution errors, as ksqlDB words them. */
static const struct {
    const char *in, *want;
} bad_calls[] = {
    /* greatest.json, least.json */
    {"GREATEST(I, L)", "ERR line 1:1: Function 'greatest' cannot be resolved due to ambiguous "
                       "method parameters (INTEGER, BIGINT)."},
    {"LEAST(null, null, null, null)", "ERR line 1:1: Function 'least' cannot be resolved due "
                                      "to ambiguous method parameters (null, null, null, null)."},
    {"LEAST(I, L, DEC)", "ERR line 1:1: Function 'least' cannot be resolved due to ambiguous "
                         "method parameters (INTEGER, BIGINT, DECIMAL(9, 2))."},
    {"GREATEST(S, I)", NULL},
    {"GREATEST()", NULL},
    /* null.json "coalesce - no params" */
    {"COALESCE()", NULL},
    {"WONT_FIND_ME()", "ERR line 1:1: Can't find any functions with the name 'WONT_FIND_ME'"},
    {"LPAD('a', 'b', 'c')", NULL},
    {"SUBSTRING(I, 1)", NULL},
};

START_TEST(test_bad_call_table)
{
    const char *got = run(bad_calls[_i].in);
    if (bad_calls[_i].want) {
        ck_assert_msg(strcmp(got, bad_calls[_i].want) == 0, "case %d: %s\n got:  %s\n want: %s",
                      _i, bad_calls[_i].in, got, bad_calls[_i].want);
        return;
    }
    /* "Function 'greatest' does not accept parameters (STRING, INTEGER)." and friends */
    char name[64];
    const char *p = strchr(bad_calls[_i].in, '(');
    snprintf(name, sizeof name, "%.*s", (int)(p - bad_calls[_i].in), bad_calls[_i].in);
    ck_assert_msg(strstr(got, "does not accept parameters (") != NULL, "%s: %s",
                  bad_calls[_i].in, got);
    ck_assert_msg(strstr(got, "Valid alternatives are:") != NULL, "%s", got);
}
END_TEST

START_TEST(test_bad_call_messages)
{
    ck_assert_str_eq(run("GREATEST(S, I)"),
                     "ERR line 1:1: Function 'greatest' does not accept parameters (STRING, "
                     "INTEGER).\nValid alternatives are:\n"
                     "greatest(INTEGER val, INTEGER... vals)\n"
                     "greatest(BIGINT val, BIGINT... vals)\n"
                     "greatest(DOUBLE val, DOUBLE... vals)\n"
                     "greatest(DECIMAL val, DECIMAL... vals)\n"
                     "greatest(STRING val, STRING... vals)\n"
                     "greatest(BYTES val, BYTES... vals)\n"
                     "greatest(DATE val, DATE... vals)\n"
                     "greatest(TIME val, TIME... vals)\n"
                     "greatest(TIMESTAMP val, TIMESTAMP... vals)");
    /* null.json "coalesce - no params", greatest.json "test no parameters" */
    static const char *const prefixes[][2] = {
        {"COALESCE()", "ERR line 1:1: Function 'COALESCE' does not accept parameters ()"},
        {"GREATEST()", "ERR line 1:1: Function 'greatest' does not accept parameters ()."},
        {"GREATEST(*)", "ERR line 1:1: Function 'greatest' does not accept parameters ()."},
    };
    for (size_t i = 0; i < 3; i++) {
        const char *got = run(prefixes[i][0]);
        ck_assert_msg(strncmp(got, prefixes[i][1], strlen(prefixes[i][1])) == 0, "%s", got);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("registry");
    TCase *api = tcase_create("api");
    tcase_add_test(api, test_registry_add_resolve);
    tcase_add_test(api, test_registry_aggregate_table);
    tcase_add_test(api, test_registry_default);
    suite_add_tcase(s, api);
    TCase *tc = tcase_create("builtins");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_call_table, 0, (int)(sizeof calls / sizeof calls[0]));
    tcase_add_loop_test(tc, test_bad_call_table, 0, (int)(sizeof bad_calls / sizeof bad_calls[0]));
    tcase_add_test(tc, test_bad_call_messages);
    suite_add_tcase(s, tc);
    return eddy_test_run(s);
}
