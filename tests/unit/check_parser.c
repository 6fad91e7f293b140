/* check_parser.c: the KSQL parser (core/sql/parser.c): expressions in, the tree printed as
 * ksqlDB's ExpressionFormatter prints it (fully parenthesised, so precedence shows); syntax
 * errors with ksqlDB's "line L:C: Syntax Error" messages; types and column lists. */
#include "testutil.h"
#include "sql/parser.h"

#include <stdio.h>
#include <string.h>

/* Parses `text` as an expression: the formatted tree, or "ERR <message>". */
static const char *parse_fmt(const char *text)
{
    static char out[2048];
    char err[512];
    eddy_arena *a = eddy_arena_new(0);
    eddy_ast *ast;
    if (eddy_sql_parse_expr(text, a, &ast, err, sizeof err) != 0) {
        snprintf(out, sizeof out, "ERR %s", err);
    } else {
        eddy_buf b = {0};
        ck_assert_int_eq(eddy_ast_format(ast, &b), 0);
        snprintf(out, sizeof out, "%s", eddy_buf_cstr(&b));
        eddy_buf_free(&b);
    }
    eddy_arena_destroy(a);
    return out;
}

static const struct {
    const char *in, *want;
} exprs[] = {
    /* precedence: * over +, + over comparison, comparison over NOT, NOT over AND over OR */
    {"STARS < 3", "(STARS < 3)"},
    {"a + b * c - d / e % f", "((A + (B * C)) - ((D / E) % F))"},
    {"a OR b AND NOT c = 1", "(A OR (B AND (NOT (C = 1))))"},
    {"NOT a AND b", "((NOT A) AND B)"},
    {"(a + b) * c", "((A + B) * C)"},
    {"a - b - c", "((A - B) - C)"},
    {"a || b + c", "(A || (B + C))"},
    /* all comparison operators; != prints as <> */
    {"a = 1 OR a <> 2 OR a != 3 OR a < 4 OR a <= 5 OR a > 6 OR a >= 7",
     "(((((((A = 1) OR (A <> 2)) OR (A <> 3)) OR (A < 4)) OR (A <= 5)) OR (A > 6)) OR "
     "(A >= 7))"},
    /* predicates */
    {"x IS NULL", "(X IS NULL)"},
    {"x IS NOT NULL", "(X IS NOT NULL)"},
    {"x IS DISTINCT FROM y", "(X IS DISTINCT FROM Y)"},
    {"x IS NOT DISTINCT FROM 1", "(X IS NOT DISTINCT FROM 1)"},
    {"x BETWEEN 1 AND 2 + 3", "(X BETWEEN 1 AND (2 + 3))"},
    {"x NOT BETWEEN 'a' AND 'b' AND y", "((X NOT BETWEEN 'a' AND 'b') AND Y)"},
    {"x LIKE '%a_'", "(X LIKE '%a_')"},
    {"x NOT LIKE 'a!%' ESCAPE '!'", "(X NOT LIKE 'a!%' ESCAPE '!')"},
    {"x IN (1, 2, y)", "(X IN (1, 2, Y))"},
    {"x NOT IN ('a')", "(X NOT IN ('a'))"},
    /* literals: INT, BIGINT, DECIMAL, DOUBLE (Java's Double.toString), strings, booleans */
    {"12", "12"},
    {"12345678901", "12345678901"},
    {"1.50", "1.50"},
    {"1.5E3", "1500.0"},
    {"'it''s'", "'it''s'"},
    {"TRUE OR false", "(true OR false)"},
    {"NULL", "null"},
    {"-5 - -x", "(-5 - -X)"},
    {"- -x", "- -X"},
    {"+x", "+X"},
    /* literals.json: BIGINT min and max with leading zeros */
    {"-00009223372036854775807", "-9223372036854775807"},
    {"-9223372036854775808", "-9223372036854775808"},
    /* identifiers */
    {"`Mixed Case` + \"dq\"", "(`Mixed Case` + `dq`)"},
    {"s.col", "S.COL"},
    {"`FROM` + `from`", "(`FROM` + `from`)"},
    /* CASE, CAST */
    {"CASE WHEN a < 2 THEN 'small' WHEN a < 4 THEN 'medium' ELSE 'large' END",
     "(CASE WHEN (A < 2) THEN 'small' WHEN (A < 4) THEN 'medium' ELSE 'large' END)"},
    {"CASE a WHEN 1 THEN 'one' END", "(CASE A WHEN 1 THEN 'one' END)"},
    {"CAST(x AS VARCHAR)", "CAST(X AS STRING)"},
    {"CAST(x AS DECIMAL(4,2))", "CAST(X AS DECIMAL(4, 2))"},
    {"CAST(x AS ARRAY<MAP<STRING, STRUCT<a INT, `b` BIGINT>>>)",
     "CAST(X AS ARRAY<MAP<STRING, STRUCT<`A` INTEGER, `b` BIGINT>>>)"},
    /* functions, COUNT(*), lambdas */
    {"substring(name, 1, 2)", "SUBSTRING(NAME, 1, 2)"},
    {"COUNT(*)", "COUNT(*)"},
    {"now()", "NOW()"},
    {"transform(arr, x => x + 1)", "TRANSFORM(ARR, X => (X + 1))"},
    {"reduce(m, 0, (s, k, v) => s + v)", "REDUCE(M, 0, (S, K, V) => (S + V))"},
    /* constructors, subscripts, dereference */
    {"ARRAY[1, 2]", "ARRAY[1, 2]"},
    {"MAP('a' := 1, 'b' := 2)", "MAP('a':=1, 'b':=2)"},
    {"STRUCT(a := 1, `b` := 'x')", "STRUCT(A:=1, `b`:='x')"},
    {"STRUCT()", "STRUCT()"},
    {"arr[1][2]", "ARR[1][2]"},
    {"s->a->b", "S->A->B"},
    {"m['k']->f[1]", "M['k']->F[1]"},
    {"ARRAY[1][1]", "ARRAY[1][1]"},
    /* keywords that are not reserved work as names */
    {"key + map + date", "((KEY + MAP) + DATE)"},
    /* a trailing ';' is fine */
    {"a;", "A"},
    /* comments */
    {"a -- tail\n + /* mid */ b", "(A + B)"},
};

START_TEST(test_expr_table)
{
    const char *got = parse_fmt(exprs[_i].in);
    ck_assert_msg(strcmp(got, exprs[_i].want) == 0, "case %d: %s\n got:  %s\n want: %s", _i,
                  exprs[_i].in, got, exprs[_i].want);
}
END_TEST

/* Syntax errors, as ksqlDB reports them ("line L:C: Syntax Error\n..."). */
static const struct {
    const char *in, *want;
} errors[] = {
    /* a reserved word where an expression or a type belongs (cast.json: "Syntax error at or
     * near 'NULL' at line 2:47" for cast(f0 as NULL)) */
    {"cast(f0 as NULL)", "ERR line 1:12: Syntax Error\nSyntax error at or near 'NULL' at line 1:12"},
    {"a = FROM", "ERR line 1:5: Syntax Error\nSyntax error at or near 'FROM' at line 1:5"},
    /* in.json "empty": ID IN ( ) */
    {"ID IN ( )", "ERR line 1:9: Syntax Error\nno viable alternative at input ')'"},
    {"a +", "ERR line 1:4: Syntax Error\nno viable alternative at input '<EOF>'"},
    {"(a, b)", "ERR line 1:3: Syntax Error\nmissing ')' at ','"},
    {"f(a b)", "ERR line 1:5: Syntax Error\nextraneous input 'b' expecting ')'"},
    {"a b", "ERR line 1:3: Syntax Error\nExpecting <EOF>"},
    {"CASE a x", "ERR line 1:8: Syntax Error\nExpecting 'WHEN'"},
    {"CASE a END", "ERR line 1:8: Syntax Error\nSyntax error at or near 'END' at line 1:8"},
    {"CASE WHEN a THEN b", "ERR line 1:19: Syntax Error\nExpecting {'WHEN', 'ELSE', 'END'}"},
    {"a IS 3", "ERR line 1:6: Syntax Error\nExpecting {'NOT', 'NULL', 'DISTINCT'}"},
    {"a NOT 3", "ERR line 1:7: Syntax Error\nExpecting {'BETWEEN', 'IN', 'LIKE'}"},
    {"x LIKE 'a' ESCAPE 1", "ERR line 1:19: Syntax Error\nExpecting STRING"},
    {"a = 'open", "ERR line 1:5: Syntax Error\ntoken recognition error at: ''open'"},
    {"a # b", "ERR line 1:3: Syntax Error\ntoken recognition error at: '#'"},
    /* literals.json: out of range literals */
    {"9223372036854775808", "ERR line 1:1: Invalid numeric literal: 9223372036854775808"},
    {"x + -9223372036854775809", "ERR line 1:5: Invalid numeric literal: -9223372036854775809"},
    {"1.7976931348623159E308", "ERR line 1:1: Number overflows DOUBLE: 1.7976931348623159E308"},
    {"-1.7976931348623160E308", "ERR line 1:1: Number overflows DOUBLE: -1.7976931348623160E308"},
    {"1abc", "ERR line 1:1: Invalid identifier: identifiers must not start with a digit; "
             "surround the identifier with backquotes: `1ABC`"},
    {"CAST(x AS VARCHAR(KEY))",
     "ERR line 1:19: Syntax Error\nExpecting {'STRING', INTEGER_VALUE}"},
    {"a = b = c", "ERR line 1:7: Syntax Error\nExpecting <EOF>"},
    {"f(x => x, 1)", "ERR line 1:11: Syntax Error\nExpecting {IDENTIFIER, '('}"},
    {"MAP('a' : 1)", "ERR line 1:9: Syntax Error\nExpecting ':='"},
    {"s->1", "ERR line 1:4: Syntax Error\nExpecting IDENTIFIER"},
    {"${v}", "ERR line 1:1: Variable 'v' is not defined"},
};

START_TEST(test_error_table)
{
    const char *got = parse_fmt(errors[_i].in);
    ck_assert_msg(strcmp(got, errors[_i].want) == 0, "case %d: %s\n got:  %s\n want: %s", _i,
                  errors[_i].in, got, errors[_i].want);
}
END_TEST

/* Literal node kinds and values (literals.json, and ksqlDB's DecimalUtil for precision). */
START_TEST(test_literal_types)
{
    static const struct {
        const char *in;
        eddy_ast_kind kind;
        int precision, scale;
    } lits[] = {
        {"12", EDDY_AST_INT, 0, 0},
        {"2147483647", EDDY_AST_INT, 0, 0},
        {"2147483648", EDDY_AST_BIGINT, 0, 0},
        {"-2147483648", EDDY_AST_INT, 0, 0},
        {"12345678901", EDDY_AST_BIGINT, 0, 0},
        {"2.345", EDDY_AST_DECIMAL, 4, 3}, /* literals.json: KSQL_COL_0 DECIMAL(4,3) */
        {"1.5", EDDY_AST_DECIMAL, 2, 1},
        {"0.05", EDDY_AST_DECIMAL, 3, 2},  /* |x| < 1: precision = scale + 1 */
        {"10.00", EDDY_AST_DECIMAL, 4, 2},
        {"1.", EDDY_AST_DECIMAL, 1, 0},
        {".5", EDDY_AST_DECIMAL, 2, 1},
        {"1.5E3", EDDY_AST_DOUBLE, 0, 0},
        {"04.90E-324", EDDY_AST_DOUBLE, 0, 0},
    };
    for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++) {
        eddy_arena *a = eddy_arena_new(0);
        eddy_ast *ast;
        char err[256];
        ck_assert_msg(eddy_sql_parse_expr(lits[i].in, a, &ast, err, sizeof err) == 0, "%s: %s",
                      lits[i].in, err);
        ck_assert_msg(ast->kind == lits[i].kind, "%s: kind %d", lits[i].in, ast->kind);
        if (lits[i].kind == EDDY_AST_DECIMAL) {
            ck_assert_int_eq(ast->value.precision, lits[i].precision);
            ck_assert_int_eq(ast->value.scale, lits[i].scale);
        }
        eddy_arena_destroy(a);
    }
    /* values */
    eddy_arena *a = eddy_arena_new(0);
    eddy_ast *ast;
    ck_assert_int_eq(eddy_sql_parse_expr("-9223372036854775808", a, &ast, NULL, 0), 0);
    ck_assert(ast->value.u.i64 == INT64_MIN);
    ck_assert_int_eq(eddy_sql_parse_expr("-0.05", a, &ast, NULL, 0), 0);
    ck_assert(ast->value.u.dec == -5);
    ck_assert_int_eq(eddy_sql_parse_expr("04.90E-324", a, &ast, NULL, 0), 0);
    ck_assert(ast->value.u.f64 > 0 && ast->value.u.f64 < 1e-323); /* Double.MIN_VALUE */
    eddy_arena_destroy(a);
}
END_TEST

START_TEST(test_positions)
{
    eddy_arena *a = eddy_arena_new(0);
    eddy_ast *ast;
    ck_assert_int_eq(eddy_sql_parse_expr("a +\n  foo(b)", a, &ast, NULL, 0), 0);
    ck_assert_int_eq(ast->kind, EDDY_AST_ARITH);
    ck_assert_int_eq(ast->line, 1);
    ck_assert_int_eq(ast->col, 1);
    ck_assert_int_eq(ast->kids[1]->kind, EDDY_AST_FUNC);
    ck_assert_int_eq(ast->kids[1]->line, 2);
    ck_assert_int_eq(ast->kids[1]->col, 3);
    ck_assert_int_eq(ast->kids[1]->kids[0]->col, 7);
    eddy_arena_destroy(a);
}
END_TEST

START_TEST(test_select_items)
{
    static const struct {
        const char *in, *expr, *alias;
    } items[] = {
        {"stars", "STARS", NULL},
        {"stars AS s", "STARS", "S"},
        {"stars s", "STARS", "S"},
        {"a + 1 AS `Total`", "(A + 1)", "Total"},
        {"COUNT(*) cnt", "COUNT(*)", "CNT"},
    };
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        eddy_arena *a = eddy_arena_new(0);
        eddy_ast *ast;
        const char *alias;
        char err[256];
        ck_assert_msg(eddy_sql_parse_select_item(items[i].in, a, &ast, &alias, err,
                                                 sizeof err) == 0, "%s: %s", items[i].in, err);
        eddy_buf b = {0};
        eddy_ast_format(ast, &b);
        ck_assert_str_eq(eddy_buf_cstr(&b), items[i].expr);
        eddy_buf_free(&b);
        if (items[i].alias)
            ck_assert_str_eq(alias, items[i].alias);
        else
            ck_assert_ptr_null(alias);
        eddy_arena_destroy(a);
    }
    char err[256];
    eddy_arena *a = eddy_arena_new(0);
    eddy_ast *ast;
    const char *alias;
    ck_assert_int_eq(eddy_sql_parse_select_item("a AS FROM", a, &ast, &alias, err, sizeof err),
                     EDDY_EPARSE);
    ck_assert_str_eq(err, "line 1:6: Syntax Error\nSyntax error at or near 'FROM' at line 1:6");
    eddy_arena_destroy(a);
}
END_TEST

/* Types: every type of value.h, as ksqlDB spells them back. */
START_TEST(test_types)
{
    static const struct {
        const char *in, *want;
    } types[] = {
        {"BOOLEAN", "BOOLEAN"}, {"INT", "INTEGER"}, {"integer", "INTEGER"},
        {"BIGINT", "BIGINT"}, {"DOUBLE", "DOUBLE"}, {"STRING", "STRING"},
        {"VARCHAR", "STRING"}, {"VARCHAR(STRING)", "STRING"}, {"varchar(10)", "STRING"},
        {"BYTES", "BYTES"}, {"DATE", "DATE"}, {"TIME", "TIME"}, {"TIMESTAMP", "TIMESTAMP"},
        {"DECIMAL(4, 2)", "DECIMAL(4, 2)"}, {"ARRAY<INT>", "ARRAY<INTEGER>"},
        {"MAP<STRING, ARRAY<DOUBLE>>", "MAP<STRING, ARRAY<DOUBLE>>"},
        {"MAP<INT, DOUBLE>", "MAP<INTEGER, DOUBLE>"},
        {"STRUCT<a INT, `b` STRUCT<c STRING>>", "STRUCT<`A` INTEGER, `b` STRUCT<`C` STRING>>"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        const eddy_type *t;
        char err[256], buf[256];
        ck_assert_msg(eddy_type_parse(types[i].in, &t, err, sizeof err) == 0, "%s: %s",
                      types[i].in, err);
        eddy_type_format(t, buf, sizeof buf);
        ck_assert_msg(strcmp(buf, types[i].want) == 0, "%s -> %s", types[i].in, buf);
    }
    static const struct {
        const char *in, *want;
    } bad[] = {
        {"FOO", "line 1:1: Unknown type: FOO"},
        {"DECIMAL", "line 1:1: DECIMAL requires a precision and a scale: DECIMAL(precision, scale)"},
        {"DECIMAL(2, 3)", "DECIMAL precision must be >= scale: DECIMAL(2,3)"},
        {"DECIMAL(0, 0)", "DECIMAL precision must be >= 1: DECIMAL(0,0)"},
        {"DECIMAL(39, 0)", "DECIMAL precision must be <= 38: DECIMAL(39,0)"},
        {"STRUCT<a INT, A STRING>", "Duplicate field names found in STRUCT"},
        /* null.json: NULL is not a type */
        {"MAP<STRING, NULL>", "line 1:13: Syntax Error\nSyntax error at or near 'NULL' at line 1:13"},
        {"ARRAY<INT", "line 1:10: Syntax Error\nExpecting '>'"},
        {"INT INT", "line 1:5: Syntax Error\nExpecting <EOF>"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const eddy_type *t;
        char err[256];
        ck_assert_int_ne(eddy_type_parse(bad[i].in, &t, err, sizeof err), 0);
        ck_assert_msg(strcmp(err, bad[i].want) == 0, "%s: got %s", bad[i].in, err);
    }
}
END_TEST

START_TEST(test_columns)
{
    eddy_schema *s;
    char err[512];
    ck_assert_int_eq(eddy_columns_parse("ID STRING KEY, stars INT, `Note` VARCHAR, "
                                        "H ARRAY<STRUCT<KEY STRING, VALUE BYTES>> HEADERS, "
                                        "K2 BIGINT PRIMARY KEY",
                                        &s, err, sizeof err), 0);
    ck_assert_uint_eq(s->ncols, 5);
    ck_assert_uint_eq(s->nkey, 2);
    /* key columns first, in order; names as written (upper-cased unless quoted) */
    static const struct {
        const char *name, *type;
        eddy_column_kind kind;
    } want[] = {
        {"ID", "STRING", EDDY_COL_KEY},
        {"K2", "BIGINT", EDDY_COL_KEY},
        {"STARS", "INTEGER", EDDY_COL_VALUE},
        {"Note", "STRING", EDDY_COL_VALUE},
        {"H", "ARRAY<STRUCT<`KEY` STRING, `VALUE` BYTES>>", EDDY_COL_HEADERS},
    };
    for (int i = 0; i < 5; i++) {
        char tb[128];
        ck_assert_str_eq(s->cols[i].name, want[i].name);
        eddy_type_format(s->cols[i].type, tb, sizeof tb);
        ck_assert_str_eq(tb, want[i].type);
        ck_assert_int_eq(s->cols[i].kind, want[i].kind);
    }
    eddy_schema_release(s);

    ck_assert_int_eq(eddy_columns_parse("(A INT)", &s, err, sizeof err), 0);
    ck_assert_uint_eq(s->ncols, 1);
    eddy_schema_release(s);

    static const struct {
        const char *in, *want;
    } bad[] = {
        {"A INT, A STRING", "line 1:8: Duplicate column name: `A`"},
        {"ROWPARTITION INT",
         "line 1:1: 'ROWPARTITION' is a reserved column name. You cannot use it as a name for "
         "a column."},
        {"H BYTES HEADERS",
         "line 1:1: Invalid type for HEADERS column: expected ARRAY<STRUCT<`KEY` STRING, "
         "`VALUE` BYTES>>, got BYTES"},
        /* key-schemas.json: "K INT (KEY)" and "K VARCHAR(STRING) (KEY)" */
        {"K INT (KEY)", "line 1:8: Syntax Error\nExpecting {'STRING', INTEGER_VALUE}"},
        {"K VARCHAR(STRING) (KEY)", "line 1:19: Syntax Error\nExpecting {',', <EOF>}"},
        {"(K VARCHAR(STRING) (KEY))", "line 1:20: Syntax Error\nExpecting {',', ')'}"},
        {"COL0 NULL", "line 1:6: Syntax Error\nSyntax error at or near 'NULL' at line 1:6"},
        {"A INT,", "line 1:7: Syntax Error\nExpecting IDENTIFIER"},
        {"A DECIMAL", "line 1:3: DECIMAL requires a precision and a scale: DECIMAL(precision, "
                      "scale)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_ne(eddy_columns_parse(bad[i].in, &s, err, sizeof err), 0);
        ck_assert_ptr_null(s);
        ck_assert_msg(strcmp(err, bad[i].want) == 0, "%s: got %s", bad[i].in, err);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("parser");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, test_expr_table, 0, (int)(sizeof exprs / sizeof exprs[0]));
    tcase_add_loop_test(tc, test_error_table, 0, (int)(sizeof errors / sizeof errors[0]));
    tcase_add_test(tc, test_literal_types);
    tcase_add_test(tc, test_positions);
    tcase_add_test(tc, test_select_items);
    tcase_add_test(tc, test_types);
    tcase_add_test(tc, test_columns);
    suite_add_tcase(s, tc);
    return eddy_test_run(s);
}
