/* check_types.c: interned types (identity, validation, thread safety), ksqlDB's DESCRIBE
 * spelling, implicit coercion and common types (type-coercion.md, data-types.md). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eddy/value.h"
#include "testutil.h"

static const eddy_type *T_INT, *T_BIGINT, *T_DOUBLE, *T_STRING, *T_BOOL, *T_BYTES, *T_DATE,
    *T_TIME, *T_TS;

static void setup(void)
{
    T_INT = eddy_type_int();
    T_BIGINT = eddy_type_bigint();
    T_DOUBLE = eddy_type_double();
    T_STRING = eddy_type_string();
    T_BOOL = eddy_type_boolean();
    T_BYTES = eddy_type_bytes();
    T_DATE = eddy_type_date();
    T_TIME = eddy_type_time();
    T_TS = eddy_type_timestamp();
}

static const eddy_type *dec(int p, int s) { return eddy_type_decimal(p, s); }

static const eddy_type *st2(const char *a, const eddy_type *ta, const char *b,
                            const eddy_type *tb)
{
    eddy_field f[2] = {{a, ta}, {b, tb}};
    return eddy_type_struct(b ? 2 : 1, f);
}

static const char *fmt(const eddy_type *t)
{
    static char buf[8][256];
    static int k;
    char *b = buf[k++ % 8];
    eddy_type_format(t, b, 256);
    return b;
}

/* ------------------------------------------------------------- interning */

START_TEST(test_primitives)
{
    static const struct {
        eddy_type_id id;
        const char *name;
    } cases[] = {
        {EDDY_TYPE_BOOLEAN, "BOOLEAN"}, {EDDY_TYPE_INT, "INTEGER"},
        {EDDY_TYPE_BIGINT, "BIGINT"},   {EDDY_TYPE_DOUBLE, "DOUBLE"},
        {EDDY_TYPE_STRING, "STRING"},   {EDDY_TYPE_BYTES, "BYTES"},
        {EDDY_TYPE_DATE, "DATE"},       {EDDY_TYPE_TIME, "TIME"},
        {EDDY_TYPE_TIMESTAMP, "TIMESTAMP"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const eddy_type *t = eddy_type_primitive(cases[i].id);
        ck_assert_ptr_nonnull(t);
        ck_assert_int_eq(t->id, cases[i].id);
        ck_assert_ptr_eq(t, eddy_type_primitive(cases[i].id));
        ck_assert_str_eq(fmt(t), cases[i].name);
        ck_assert_str_eq(eddy_type_id_name(cases[i].id), cases[i].name);
    }
    ck_assert_ptr_eq(eddy_type_primitive(EDDY_TYPE_INT), T_INT);
    ck_assert_ptr_eq(eddy_type_primitive(EDDY_TYPE_TIMESTAMP), T_TS);
    ck_assert_ptr_null(eddy_type_primitive(EDDY_TYPE_DECIMAL));
    ck_assert_ptr_null(eddy_type_primitive(EDDY_TYPE_ARRAY));
    ck_assert_ptr_null(eddy_type_primitive(EDDY_TYPE_MAP));
    ck_assert_ptr_null(eddy_type_primitive(EDDY_TYPE_STRUCT));
    ck_assert_ptr_null(eddy_type_primitive((eddy_type_id)0));
    ck_assert_ptr_null(eddy_type_primitive((eddy_type_id)99));
    ck_assert_str_eq(eddy_type_id_name(EDDY_TYPE_DECIMAL), "DECIMAL");
    ck_assert_str_eq(eddy_type_id_name(EDDY_TYPE_ARRAY), "ARRAY");
    ck_assert_str_eq(eddy_type_id_name(EDDY_TYPE_MAP), "MAP");
    ck_assert_str_eq(eddy_type_id_name(EDDY_TYPE_STRUCT), "STRUCT");
}
END_TEST

START_TEST(test_interning)
{
    ck_assert_ptr_eq(dec(4, 2), dec(4, 2));
    ck_assert_ptr_ne(dec(4, 2), dec(4, 1));
    ck_assert_ptr_ne(dec(4, 2), dec(5, 2));
    const eddy_type *d = dec(4, 2);
    ck_assert_int_eq(d->id, EDDY_TYPE_DECIMAL);
    ck_assert_int_eq(d->precision, 4);
    ck_assert_int_eq(d->scale, 2);

    ck_assert_ptr_eq(eddy_type_array(T_STRING), eddy_type_array(T_STRING));
    ck_assert_ptr_ne(eddy_type_array(T_STRING), eddy_type_array(T_INT));
    ck_assert_ptr_eq(eddy_type_array(T_STRING)->elem, T_STRING);
    ck_assert_ptr_eq(eddy_type_array(eddy_type_array(dec(10, 3))),
                     eddy_type_array(eddy_type_array(dec(10, 3))));
    ck_assert_ptr_eq(eddy_type_map(T_STRING, T_INT), eddy_type_map(T_STRING, T_INT));
    ck_assert_ptr_ne(eddy_type_map(T_STRING, T_INT), eddy_type_map(T_INT, T_STRING));
    ck_assert_ptr_eq(eddy_type_map(T_STRING, T_INT)->key, T_STRING);
    ck_assert_ptr_eq(eddy_type_map(T_STRING, T_INT)->elem, T_INT);

    /* Field names come from different buffers: same struct, and the names are interned. */
    char n1[] = "A", n2[] = "A";
    const eddy_type *s1 = st2(n1, T_INT, "B", T_STRING);
    const eddy_type *s2 = st2(n2, T_INT, "B", T_STRING);
    ck_assert_ptr_eq(s1, s2);
    ck_assert_ptr_ne(s1->fields[0].name, n1);
    n1[0] = 'Z'; /* the type kept its own copy */
    ck_assert_str_eq(s1->fields[0].name, "A");
    const eddy_type *s3 = st2("A", T_BIGINT, "C", T_INT);
    ck_assert_ptr_eq(s3->fields[0].name, s1->fields[0].name);
    ck_assert_ptr_ne(st2("A", T_INT, "B", T_STRING), st2("B", T_STRING, "A", T_INT));
    ck_assert_ptr_ne(st2("A", T_INT, "B", T_STRING), st2("a", T_INT, "B", T_STRING));
    ck_assert_ptr_ne(st2("A", T_INT, NULL, NULL), st2("A", T_BIGINT, NULL, NULL));
    ck_assert_uint_eq(s1->nfields, 2);
    ck_assert_ptr_eq(s1->fields[1].type, T_STRING);

    const eddy_type *e1 = eddy_type_struct(0, NULL);
    ck_assert_ptr_nonnull(e1);
    ck_assert_ptr_eq(e1, eddy_type_struct(0, NULL));
    ck_assert_ptr_ne(e1, eddy_type_array(e1));
}
END_TEST

START_TEST(test_invalid)
{
    static const int bad[][2] = {{0, 0}, {39, 0}, {4, 5}, {4, -1}, {-1, 0}, {100, 2}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(dec(bad[i][0], bad[i][1]) == NULL, "DECIMAL(%d,%d)", bad[i][0], bad[i][1]);
    ck_assert_ptr_nonnull(dec(1, 0));
    ck_assert_ptr_nonnull(dec(1, 1));
    ck_assert_ptr_nonnull(dec(38, 0));
    ck_assert_ptr_nonnull(dec(38, 38));
    ck_assert_ptr_null(eddy_type_array(NULL));
    ck_assert_ptr_null(eddy_type_map(NULL, T_INT));
    ck_assert_ptr_null(eddy_type_map(T_STRING, NULL));
    ck_assert_ptr_null(st2("A", T_INT, "A", T_STRING)); /* duplicate name */
    ck_assert_ptr_null(st2("A", NULL, NULL, NULL));
    ck_assert_ptr_null(eddy_type_struct(2, NULL));
    eddy_field f[1] = {{NULL, T_INT}};
    ck_assert_ptr_null(eddy_type_struct(1, f));
}
END_TEST

static const eddy_type *thread_results[8][200];

static void *build_many(void *arg)
{
    intptr_t k = (intptr_t)arg;
    for (int i = 0; i < 200; i++) {
        int p = 1 + i % 38;
        char name[16];
        snprintf(name, sizeof name, "F%d", i);
        eddy_field f[2] = {{name, dec(p, p / 2)}, {"X", eddy_type_array(dec(p, 0))}};
        thread_results[k][i] = eddy_type_map(T_STRING, eddy_type_struct(2, f));
    }
    return NULL;
}

START_TEST(test_threads)
{
    pthread_t th[8];
    for (intptr_t k = 0; k < 8; k++)
        ck_assert_int_eq(pthread_create(&th[k], NULL, build_many, (void *)k), 0);
    for (int k = 0; k < 8; k++)
        pthread_join(th[k], NULL);
    for (int i = 0; i < 200; i++) {
        ck_assert_ptr_nonnull(thread_results[0][i]);
        for (int k = 1; k < 8; k++)
            ck_assert_ptr_eq(thread_results[k][i], thread_results[0][i]);
    }
    ck_assert_ptr_ne(thread_results[0][0], thread_results[0][1]);
}
END_TEST

START_TEST(test_shutdown)
{
    const eddy_type *a = eddy_type_array(st2("A", dec(4, 2), NULL, NULL));
    ck_assert_str_eq(fmt(a), "ARRAY<STRUCT<`A` DECIMAL(4, 2)>>");
    eddy_types_shutdown();
    eddy_types_shutdown(); /* twice is harmless */
    /* Primitives survive; composites can be built again. */
    ck_assert_ptr_eq(eddy_type_int(), T_INT);
    a = eddy_type_array(st2("A", dec(4, 2), NULL, NULL));
    ck_assert_str_eq(fmt(a), "ARRAY<STRUCT<`A` DECIMAL(4, 2)>>");
    eddy_types_shutdown();
}
END_TEST

/* ------------------------------------------------------------ formatting */

START_TEST(test_format)
{
    /* ksqlDB's SqlType.toString as DESCRIBE prints it. */
    eddy_field inner[2] = {{"F1", T_INT}, {"F2", eddy_type_map(T_STRING, eddy_type_array(dec(19, 0)))}};
    struct {
        const eddy_type *t;
        const char *want;
    } cases[] = {
        {dec(4, 2), "DECIMAL(4, 2)"},
        {dec(38, 0), "DECIMAL(38, 0)"},
        {eddy_type_array(T_STRING), "ARRAY<STRING>"},
        {eddy_type_map(T_STRING, T_INT), "MAP<STRING, INTEGER>"},
        {st2("A", T_INT, "B", T_STRING), "STRUCT<`A` INTEGER, `B` STRING>"},
        {st2("foo", T_BOOL, "FOO", T_BYTES), "STRUCT<`foo` BOOLEAN, `FOO` BYTES>"},
        {st2("a`b", T_DATE, NULL, NULL), "STRUCT<`a``b` DATE>"},
        {eddy_type_struct(0, NULL), "STRUCT<>"},
        {eddy_type_array(eddy_type_struct(2, inner)),
         "ARRAY<STRUCT<`F1` INTEGER, `F2` MAP<STRING, ARRAY<DECIMAL(19, 0)>>>>"},
        {eddy_type_map(T_STRING, eddy_type_map(T_STRING, T_TS)),
         "MAP<STRING, MAP<STRING, TIMESTAMP>>"},
        {st2("TIME", T_TIME, "DATE", T_DATE), "STRUCT<`TIME` TIME, `DATE` DATE>"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ck_assert_str_eq(fmt(cases[i].t), cases[i].want);
}
END_TEST

START_TEST(test_format_truncation)
{
    const eddy_type *t = eddy_type_map(T_STRING, T_INT); /* "MAP<STRING, INTEGER>": 20 */
    char buf[8];
    memset(buf, 'x', sizeof buf);
    ck_assert_uint_eq(eddy_type_format(t, buf, sizeof buf), 20);
    ck_assert_str_eq(buf, "MAP<STR");
    ck_assert_uint_eq(eddy_type_format(t, NULL, 0), 20);
    char exact[21];
    ck_assert_uint_eq(eddy_type_format(t, exact, sizeof exact), 20);
    ck_assert_str_eq(exact, "MAP<STRING, INTEGER>");
}
END_TEST

START_TEST(test_numeric_and_fields)
{
    ck_assert(eddy_type_is_numeric(T_INT));
    ck_assert(eddy_type_is_numeric(T_BIGINT));
    ck_assert(eddy_type_is_numeric(T_DOUBLE));
    ck_assert(eddy_type_is_numeric(dec(4, 2)));
    ck_assert(!eddy_type_is_numeric(T_STRING));
    ck_assert(!eddy_type_is_numeric(T_BOOL));
    ck_assert(!eddy_type_is_numeric(T_TS));
    ck_assert(!eddy_type_is_numeric(eddy_type_array(T_INT)));
    ck_assert(!eddy_type_is_numeric(NULL));

    const eddy_type *s = st2("FOO", T_STRING, "foo", T_INT);
    ck_assert_int_eq(eddy_type_field_index(s, "FOO"), 0);
    ck_assert_int_eq(eddy_type_field_index(s, "foo"), 1);
    ck_assert_int_eq(eddy_type_field_index(s, "Foo"), -1);
    ck_assert_int_eq(eddy_type_field_index(T_INT, "FOO"), -1);
}
END_TEST

/* ------------------------------------------------------------- coercion */

START_TEST(test_coercible)
{
    struct {
        const eddy_type *from, *to;
        bool want;
    } cases[] = {
        /* "INT -> BIGINT -> DECIMAL -> DOUBLE" widening, never narrowing */
        {T_INT, T_INT, true},
        {T_INT, T_BIGINT, true},
        {T_INT, T_DOUBLE, true},
        {T_BIGINT, T_DOUBLE, true},
        {dec(4, 2), T_DOUBLE, true},
        {T_BIGINT, T_INT, false},
        {T_DOUBLE, T_BIGINT, false},
        {T_DOUBLE, dec(38, 10), false},
        {dec(4, 2), T_INT, false},
        {dec(4, 2), T_BIGINT, false},
        /* integers to DECIMAL: INT is DECIMAL(10, 0), BIGINT DECIMAL(19, 0) */
        {T_INT, dec(10, 0), true},
        {T_INT, dec(12, 2), true},
        {T_INT, dec(9, 0), false},
        {T_INT, dec(11, 2), false},
        {T_BIGINT, dec(19, 0), true},
        {T_BIGINT, dec(18, 0), false},
        {T_BIGINT, dec(38, 19), true},
        /* DECIMAL to DECIMAL: no integer and no fractional digit lost */
        {dec(4, 2), dec(4, 2), true},
        {dec(4, 2), dec(5, 3), true},
        {dec(4, 2), dec(5, 2), true},
        {dec(4, 2), dec(5, 1), false},
        {dec(4, 2), dec(4, 3), false},
        {dec(4, 2), dec(3, 2), false},
        /* other types only to themselves */
        {T_STRING, T_STRING, true},
        {T_STRING, T_INT, false},
        {T_INT, T_STRING, false},
        {T_BOOL, T_STRING, false},
        {T_BOOL, T_INT, false},
        {T_BYTES, T_STRING, false},
        {T_DATE, T_TS, false},
        {T_TS, T_DATE, false},
        {T_TIME, T_TS, false},
        /* containers, element-wise */
        {eddy_type_array(T_INT), eddy_type_array(T_BIGINT), true},
        {eddy_type_array(T_BIGINT), eddy_type_array(T_INT), false},
        {eddy_type_array(T_INT), eddy_type_array(eddy_type_array(T_INT)), false},
        {eddy_type_array(T_INT), T_INT, false},
        {eddy_type_map(T_STRING, T_INT), eddy_type_map(T_STRING, T_DOUBLE), true},
        {eddy_type_map(T_STRING, T_DOUBLE), eddy_type_map(T_STRING, T_INT), false},
        {eddy_type_map(T_INT, T_INT), eddy_type_map(T_BIGINT, T_INT), true},
        {eddy_type_map(T_STRING, T_INT), eddy_type_array(T_INT), false},
        /* structs: fields present in both must coerce */
        {st2("A", T_INT, "B", T_STRING), st2("A", T_BIGINT, "C", T_INT), true},
        {st2("A", T_INT, NULL, NULL), st2("A", T_INT, "B", T_STRING), true},
        {st2("A", T_INT, "B", T_STRING), st2("A", T_INT, NULL, NULL), true},
        {st2("A", T_STRING, NULL, NULL), st2("A", T_INT, NULL, NULL), false},
        {st2("A", T_BIGINT, NULL, NULL), st2("A", T_INT, NULL, NULL), false},
        {st2("A", T_BIGINT, NULL, NULL), st2("a", T_INT, NULL, NULL), true},
        {eddy_type_array(st2("A", T_INT, NULL, NULL)), eddy_type_array(st2("A", T_DOUBLE, NULL, NULL)), true},
        {NULL, T_INT, false},
        {T_INT, NULL, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ck_assert_msg(eddy_type_coercible(cases[i].from, cases[i].to) == cases[i].want,
                      "case %zu: %s -> %s should be %d", i, fmt(cases[i].from),
                      fmt(cases[i].to), cases[i].want);
}
END_TEST

START_TEST(test_common)
{
    struct {
        const eddy_type *a, *b, *want;
    } cases[] = {
        {T_INT, T_INT, T_INT},
        {T_INT, T_BIGINT, T_BIGINT},
        {T_BIGINT, T_INT, T_BIGINT},
        {T_INT, T_DOUBLE, T_DOUBLE},
        {T_BIGINT, T_DOUBLE, T_DOUBLE},
        {dec(4, 2), T_DOUBLE, T_DOUBLE},
        {T_DOUBLE, dec(4, 2), T_DOUBLE},
        /* DECIMAL(p,s) with INT: DECIMAL(max(p-s, 10) + s, s); BIGINT: 19 digits */
        {dec(4, 2), T_INT, dec(12, 2)},
        {T_INT, dec(4, 2), dec(12, 2)},
        {dec(4, 2), T_BIGINT, dec(21, 2)},
        {dec(20, 1), T_INT, dec(20, 1)},
        {dec(38, 30), T_BIGINT, dec(38, 30)}, /* 19 + 30 capped at 38 */
        /* DECIMAL(max(p1-s1, p2-s2) + max(s1, s2), max(s1, s2)) */
        {dec(4, 2), dec(5, 3), dec(5, 3)},
        {dec(4, 2), dec(4, 3), dec(5, 3)},
        {dec(10, 0), dec(5, 5), dec(15, 5)},
        {dec(10, 0), dec(38, 30), dec(38, 30)},
        {dec(4, 2), dec(4, 2), dec(4, 2)},
        {T_STRING, T_STRING, T_STRING},
        {T_STRING, T_INT, NULL},
        {T_BOOL, T_STRING, NULL},
        {T_BYTES, T_STRING, NULL},
        {T_TIME, T_TS, NULL},
        {T_DATE, T_TS, T_TS},
        {T_TS, T_DATE, T_TS},
        {NULL, T_INT, T_INT},
        {T_STRING, NULL, T_STRING},
        {eddy_type_array(T_INT), eddy_type_array(T_DOUBLE), eddy_type_array(T_DOUBLE)},
        {eddy_type_array(T_INT), eddy_type_array(T_STRING), NULL},
        {eddy_type_array(T_INT), T_INT, NULL},
        {eddy_type_map(T_STRING, T_INT), eddy_type_map(T_STRING, dec(4, 2)),
         eddy_type_map(T_STRING, dec(12, 2))},
        {eddy_type_map(T_STRING, T_INT), eddy_type_map(T_STRING, T_STRING), NULL},
        /* structs: the superset of the fields, shared ones at their common type */
        {st2("A", T_INT, "B", T_STRING), st2("C", T_DOUBLE, "A", T_BIGINT), NULL /* below */},
        {st2("A", T_STRING, NULL, NULL), st2("A", T_INT, NULL, NULL), NULL},
    };
    eddy_field sup[3] = {{"A", T_BIGINT}, {"B", T_STRING}, {"C", T_DOUBLE}};
    cases[sizeof cases / sizeof *cases - 2].want = eddy_type_struct(3, sup);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const eddy_type *got = eddy_type_common(cases[i].a, cases[i].b);
        ck_assert_msg(got == cases[i].want, "case %zu: common(%s, %s) = %s, want %s", i,
                      fmt(cases[i].a), fmt(cases[i].b), fmt(got), fmt(cases[i].want));
    }
}
END_TEST

START_TEST(test_as_decimal)
{
    ck_assert_ptr_eq(eddy_type_as_decimal(T_INT), dec(10, 0));
    ck_assert_ptr_eq(eddy_type_as_decimal(T_BIGINT), dec(19, 0));
    ck_assert_ptr_eq(eddy_type_as_decimal(dec(7, 3)), dec(7, 3));
    ck_assert_ptr_null(eddy_type_as_decimal(T_DOUBLE));
    ck_assert_ptr_null(eddy_type_as_decimal(T_STRING));
    ck_assert_ptr_null(eddy_type_as_decimal(NULL));
}
END_TEST

static Suite *types_suite(void)
{
    Suite *s = suite_create("types");
    TCase *tc = tcase_create("types");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_primitives);
    tcase_add_test(tc, test_interning);
    tcase_add_test(tc, test_invalid);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_shutdown);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_format_truncation);
    tcase_add_test(tc, test_numeric_and_fields);
    tcase_add_test(tc, test_coercible);
    tcase_add_test(tc, test_common);
    tcase_add_test(tc, test_as_decimal);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return eddy_test_run(types_suite());
}
