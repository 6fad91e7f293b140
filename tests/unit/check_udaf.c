/* check_udaf.c: the built-in aggregate functions (core/expr/builtins_agg.c), resolved through
 * the default registry and folded row by row. Expected values are transcribed from the QTT
 * files named next to each test (every output row of a QTT case is one intermediate
 * result), or computed by hand where said. Each step copies the accumulator out of the
 * call's arena and destroys that arena, as a state store would, so that a result pointing
 * at freed memory shows under the sanitizers. */
#include "testutil.h"
#include "eddy/udf.h"
#include "expr/builtins.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ harness */

typedef struct agg {
    eddy_func_binding b;
    eddy_arena *arena; /* the per-call arena (ctx->arena) */
    eddy_arena *store; /* where the accumulator is kept between calls */
    eddy_func_ctx ctx;
    char err[512];
    eddy_value acc;
    char shown[4096];
} agg;

static const char *type_str(const eddy_type *t)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    if (!t)
        return "(null)";
    eddy_type_format(t, buf[k], sizeof buf[k]);
    return buf[k];
}

static int resolve(const char *name, int argc, const eddy_type *const *argt,
                   eddy_func_binding *b, char *err, size_t errsz)
{
    return eddy_registry_resolve(NULL, name, EDDY_FUNC_AGGREGATE, argc, argt, b, err, errsz);
}

/* The state store's part: keep a deep copy of the accumulator, drop the call's arena. */
static void keep(agg *a)
{
    eddy_arena *store = eddy_arena_new(0);
    eddy_value kept;
    ck_assert_ptr_nonnull(store);
    ck_assert_int_eq(eddy_value_copy(store, &a->acc, &kept), 0);
    eddy_arena_destroy(a->store);
    a->store = store;
    a->acc = kept;
    eddy_arena_destroy(a->arena);
    a->arena = eddy_arena_new(0);
    a->ctx.arena = a->arena;
}

static void agg_open(agg *a, const char *name, int argc, const eddy_type *const *argt)
{
    memset(a, 0, sizeof *a);
    char err[2048];
    int rc = resolve(name, argc, argt, &a->b, err, sizeof err);
    ck_assert_msg(rc == 0, "%s: %s", name, err);
    ck_assert_int_eq(a->b.fn->kind, EDDY_FUNC_AGGREGATE);
    a->arena = eddy_arena_new(0);
    a->ctx.arena = a->arena;
    a->ctx.errstr = a->err;
    a->ctx.errstr_size = sizeof a->err;
    ck_assert_int_eq(a->b.fn->aggregate.init(&a->ctx, a->b.fn, &a->acc), 0);
    keep(a);
}

static void agg_close(agg *a)
{
    eddy_arena_destroy(a->arena);
    eddy_arena_destroy(a->store);
    a->arena = a->store = NULL;
}

static int try_add(agg *a, int argc, const eddy_value *argv)
{
    int rc = a->b.fn->aggregate.add(&a->ctx, a->b.fn, &a->acc, argc, argv);
    if (rc == 0)
        keep(a);
    return rc;
}

static void add(agg *a, int argc, const eddy_value *argv)
{
    int rc = try_add(a, argc, argv);
    ck_assert_msg(rc == 0, "add: %s", a->err);
}

static void undo(agg *a, int argc, const eddy_value *argv)
{
    ck_assert_ptr_nonnull(a->b.fn->aggregate.undo);
    int rc = a->b.fn->aggregate.undo(&a->ctx, a->b.fn, &a->acc, argc, argv);
    ck_assert_msg(rc == 0, "undo: %s", a->err);
    keep(a);
}

/* a.acc = merge(a.acc, o.acc) */
static void merge(agg *a, const agg *o)
{
    ck_assert_ptr_nonnull(a->b.fn->aggregate.merge);
    int rc = a->b.fn->aggregate.merge(&a->ctx, a->b.fn, &a->acc, &o->acc);
    ck_assert_msg(rc == 0, "merge: %s", a->err);
    keep(a);
}

static eddy_value result(agg *a)
{
    eddy_value out;
    int rc = a->b.fn->aggregate.result(&a->ctx, a->b.fn, &a->acc, &out);
    ck_assert_msg(rc == 0, "result: %s", a->err);
    return out;
}

/* The result rendered as ksqlDB prints values ("[1, 2]", "{a=1}", "Struct{A=1}"). */
static const char *show(agg *a)
{
    eddy_value v = result(a);
    eddy_buf b = {0};
    ck_assert_int_eq(eddy_value_format_typed(&b, &v, a->b.ret), 0);
    snprintf(a->shown, sizeof a->shown, "%s", eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    return a->shown;
}

static double result_double(agg *a)
{
    eddy_value v = result(a);
    ck_assert_int_eq(v.type, EDDY_TYPE_DOUBLE);
    ck_assert(!v.is_null);
    return v.u.f64;
}

#define ADD1(a, v) do { eddy_value _v[1] = {v}; add((a), 1, _v); } while (0)
#define UNDO1(a, v) do { eddy_value _v[1] = {v}; undo((a), 1, _v); } while (0)
#define ADD2(a, v, w) do { eddy_value _v[2] = {v, w}; add((a), 2, _v); } while (0)
#define ADD3(a, v, w, x) do { eddy_value _v[3] = {v, w, x}; add((a), 3, _v); } while (0)
#define SHOW_EQ(a, s) ck_assert_str_eq(show(a), s)

static eddy_value str(const char *s)
{
    return eddy_string(s, (uint32_t)strlen(s));
}

static eddy_value dec(const char *s)
{
    __int128 u;
    int p, sc;
    ck_assert_int_eq(eddy_decimal_parse(s, strlen(s), &u, &p, &sc), 0);
    return eddy_decimal(u, p, sc);
}

/* A DECIMAL value as coerced to DECIMAL(p, s). */
static eddy_value decp(const char *s, int p, int sc)
{
    eddy_value v = dec(s);
    __int128 u;
    ck_assert_int_eq(eddy_decimal_rescale(v.u.dec, v.scale, p, sc, &u), 0);
    return eddy_decimal(u, p, sc);
}

static void check_types(const char *name, int argc, const eddy_type *const *argt,
                        const char *ret, const char *acc)
{
    eddy_func_binding b;
    char err[2048];
    int rc = resolve(name, argc, argt, &b, err, sizeof err);
    ck_assert_msg(rc == 0, "%s: %s", name, err);
    ck_assert_str_eq(type_str(b.ret), ret);
    ck_assert_str_eq(type_str(b.agg), acc);
}

static void check_rejects(const char *name, int argc, const eddy_type *const *argt,
                          const char *msg_prefix)
{
    eddy_func_binding b;
    char err[4096];
    int rc = resolve(name, argc, argt, &b, err, sizeof err);
    ck_assert_int_eq(rc, EDDY_ETYPE);
    ck_assert_msg(strncmp(err, msg_prefix, strlen(msg_prefix)) == 0, "got: %s", err);
}

/* ---------------------------------------------------------------- COUNT */

START_TEST(test_count_types)
{
    check_types("COUNT", 0, NULL, "BIGINT", "BIGINT");
    const eddy_type *s[] = {eddy_type_string()};
    check_types("count", 1, s, "BIGINT", "BIGINT");
    const eddy_type *arr[] = {eddy_type_array(eddy_type_int())};
    check_types("COUNT", 1, arr, "BIGINT", "BIGINT");
}
END_TEST

/* count.json "should count back to zero": COUNT() over a table, the same key added twice
 * then removed twice: 1, 2, 1, 0. */
START_TEST(test_count_star_table)
{
    agg a;
    agg_open(&a, "COUNT", 0, NULL);
    SHOW_EQ(&a, "0");
    add(&a, 0, NULL);
    SHOW_EQ(&a, "1");
    add(&a, 0, NULL);
    SHOW_EQ(&a, "2");
    undo(&a, 0, NULL);
    SHOW_EQ(&a, "1");
    undo(&a, 0, NULL);
    SHOW_EQ(&a, "0");
    agg_close(&a);
}
END_TEST

/* count.json "count table": COUNT(1) grouped by NAME; row 0 bob -> john moves it out of
 * bob's group (undo): bob 1, bob 0. COUNT(col) skips NULLs (aggregate-functions.md). */
START_TEST(test_count_col)
{
    const eddy_type *t[] = {eddy_type_int()};
    agg a;
    agg_open(&a, "COUNT", 1, t);
    ADD1(&a, eddy_int(1));
    SHOW_EQ(&a, "1");
    UNDO1(&a, eddy_int(1));
    SHOW_EQ(&a, "0");
    ADD1(&a, eddy_int(7));
    ADD1(&a, eddy_null(EDDY_TYPE_INT));
    ADD1(&a, eddy_int(8));
    SHOW_EQ(&a, "2");
    UNDO1(&a, eddy_null(EDDY_TYPE_INT));
    SHOW_EQ(&a, "2");
    agg o;
    agg_open(&o, "COUNT", 1, t);
    ADD1(&o, eddy_int(3));
    merge(&a, &o);
    SHOW_EQ(&a, "3");
    agg_close(&a);
    agg_close(&o);
}
END_TEST

/* ------------------------------------------------------------------ SUM */

START_TEST(test_sum_types)
{
    const eddy_type *i[] = {eddy_type_int()}, *l[] = {eddy_type_bigint()},
                    *d[] = {eddy_type_double()}, *x[] = {eddy_type_decimal(6, 2)};
    check_types("SUM", 1, i, "INTEGER", "INTEGER");
    check_types("SUM", 1, l, "BIGINT", "BIGINT");
    check_types("SUM", 1, d, "DOUBLE", "DOUBLE");
    check_types("SUM", 1, x, "DECIMAL(6, 2)", "DECIMAL(6, 2)");
    const eddy_type *s[] = {eddy_type_string()};
    check_rejects("SUM", 1, s,
                  "Function 'SUM' does not accept parameters (STRING).\n"
                  "Valid alternatives are:\nSUM(INTEGER col1)\nSUM(BIGINT col1)\n"
                  "SUM(DOUBLE col1)\nSUM(DECIMAL col1)");
}
END_TEST

/* sum.json "sum int": key 0: 0, 100 -> 0, 100; key 100: 500, 100 -> 500, 600. */
START_TEST(test_sum_int)
{
    const eddy_type *t[] = {eddy_type_int()};
    agg k0, k100;
    agg_open(&k0, "SUM", 1, t);
    agg_open(&k100, "SUM", 1, t);
    ADD1(&k0, eddy_int(0));
    SHOW_EQ(&k0, "0");
    ADD1(&k0, eddy_int(100));
    SHOW_EQ(&k0, "100");
    ADD1(&k100, eddy_int(500));
    SHOW_EQ(&k100, "500");
    ADD1(&k100, eddy_int(100));
    SHOW_EQ(&k100, "600");
    eddy_value r = result(&k100);
    ck_assert_int_eq(r.type, EDDY_TYPE_INT);
    /* NULLs are skipped; table undo subtracts */
    ADD1(&k100, eddy_null(EDDY_TYPE_INT));
    SHOW_EQ(&k100, "600");
    UNDO1(&k100, eddy_int(500));
    SHOW_EQ(&k100, "100");
    merge(&k0, &k100);
    SHOW_EQ(&k0, "200");
    /* Java's Integer::sum wraps */
    ADD1(&k0, eddy_int(2147483647));
    SHOW_EQ(&k0, "-2147483449");
    agg_close(&k0);
    agg_close(&k100);
}
END_TEST

/* SUM of only NULLs is the initial 0 (ksqlDB's sum starts at zero), not NULL. */
START_TEST(test_sum_nulls)
{
    const eddy_type *t[] = {eddy_type_bigint()};
    agg a;
    agg_open(&a, "SUM", 1, t);
    ADD1(&a, eddy_null(EDDY_TYPE_BIGINT));
    eddy_value r = result(&a);
    ck_assert(!r.is_null);
    ck_assert_int_eq(r.type, EDDY_TYPE_BIGINT);
    ck_assert_int_eq(r.u.i64, 0);
    agg_close(&a);
}
END_TEST

/* sum.json "sum long" and "sum double". */
START_TEST(test_sum_bigint_double)
{
    const eddy_type *l[] = {eddy_type_bigint()}, *d[] = {eddy_type_double()};
    agg a;
    agg_open(&a, "SUM", 1, l);
    ADD1(&a, eddy_bigint(2147483648LL));
    SHOW_EQ(&a, "2147483648");
    ADD1(&a, eddy_bigint(100));
    SHOW_EQ(&a, "2147483748");
    agg_close(&a);

    agg k0, k100;
    agg_open(&k0, "SUM", 1, d);
    agg_open(&k100, "SUM", 1, d);
    ADD1(&k0, eddy_double(5.4));
    ck_assert_double_eq(result_double(&k0), 5.4);
    ADD1(&k0, eddy_double(100.1));
    ck_assert_double_eq(result_double(&k0), 105.5);
    ADD1(&k100, eddy_double(500.9));
    ck_assert_double_eq(result_double(&k100), 500.9);
    ADD1(&k100, eddy_double(300.8));
    ck_assert_double_eq(result_double(&k100), 801.7);
    agg_close(&k0);
    agg_close(&k100);
}
END_TEST

/* SUM_LIST (ksqlDB's ListSumUdaf; sum.json "sum list of ints into a single int"): the
 * elements of every list are summed, NULL elements and NULL lists add nothing, INT wraps as
 * SUM's does, undo subtracts a whole list, and STRING lists are refused. */
START_TEST(test_sum_list)
{
    const eddy_type *t[] = {eddy_type_array(eddy_type_int())};
    check_types("SUM_LIST", 1, t, "INTEGER", "INTEGER");
    const eddy_type *d[] = {eddy_type_array(eddy_type_double())};
    check_types("SUM_LIST", 1, d, "DOUBLE", "DOUBLE");
    const eddy_type *s[] = {eddy_type_array(eddy_type_string())};
    check_rejects("SUM_LIST", 1, s, "Function 'SUM_LIST' does not accept parameters");

    agg a;
    agg_open(&a, "SUM_LIST", 1, t);
    eddy_value l1[] = {eddy_int(1), eddy_int(2)};
    eddy_value l2[] = {eddy_int(10), eddy_null(EDDY_TYPE_INT), eddy_int(20)};
    eddy_value v1 = {.type = EDDY_TYPE_ARRAY, .len = 2, .u.items = l1};
    eddy_value v2 = {.type = EDDY_TYPE_ARRAY, .len = 3, .u.items = l2};
    ADD1(&a, v1);
    SHOW_EQ(&a, "3");
    ADD1(&a, v2);
    SHOW_EQ(&a, "33");
    ADD1(&a, eddy_null(EDDY_TYPE_ARRAY));
    SHOW_EQ(&a, "33");
    UNDO1(&a, v1);
    SHOW_EQ(&a, "30");
    eddy_value big[] = {eddy_int(2147483647), eddy_int(1)};
    eddy_value vb = {.type = EDDY_TYPE_ARRAY, .len = 2, .u.items = big};
    ADD1(&a, vb);
    SHOW_EQ(&a, "-2147483618");
    agg_close(&a);
}
END_TEST

/* sum.json "sum decimal should not overflow with cast to higher precision" (DECIMAL(6,2))
 * and "... should overflow with cast to lower precision" (DECIMAL(3,1): 50.9 + 50.8 fails
 * with "Numeric field overflow"). */
START_TEST(test_sum_decimal)
{
    const eddy_type *t[] = {eddy_type_decimal(6, 2)};
    agg k0, k100;
    agg_open(&k0, "SUM", 1, t);
    agg_open(&k100, "SUM", 1, t);
    ADD1(&k0, decp("5.4", 6, 2));
    SHOW_EQ(&k0, "5.40");
    ADD1(&k0, decp("100.1", 6, 2));
    SHOW_EQ(&k0, "105.50");
    ADD1(&k100, decp("500.9", 6, 2));
    SHOW_EQ(&k100, "500.90");
    ADD1(&k100, decp("300.8", 6, 2));
    SHOW_EQ(&k100, "801.70");
    ADD1(&k100, decp("400.8", 6, 2));
    SHOW_EQ(&k100, "1202.50");
    eddy_value r = result(&k100);
    ck_assert_int_eq(r.precision, 6);
    ck_assert_int_eq(r.scale, 2);
    UNDO1(&k100, decp("500.9", 6, 2));
    SHOW_EQ(&k100, "701.60");
    merge(&k100, &k0);
    SHOW_EQ(&k100, "807.10");
    agg_close(&k0);
    agg_close(&k100);

    /* an empty DECIMAL sum is 0; merging it changes nothing, merging into it adopts the
     * other side's scale */
    agg e;
    agg_open(&e, "SUM", 1, t);
    SHOW_EQ(&e, "0");
    ADD1(&e, eddy_null(EDDY_TYPE_DECIMAL));
    SHOW_EQ(&e, "0");
    agg_open(&k0, "SUM", 1, t);
    ADD1(&k0, decp("1.5", 6, 2));
    merge(&k0, &e);
    SHOW_EQ(&k0, "1.50");
    merge(&e, &k0);
    SHOW_EQ(&e, "1.50");
    UNDO1(&e, decp("1.5", 6, 2));
    SHOW_EQ(&e, "0.00");
    agg_close(&e);
    agg_close(&k0);

    const eddy_type *t3[] = {eddy_type_decimal(3, 1)};
    agg a, b;
    agg_open(&a, "SUM", 1, t3);
    ADD1(&a, decp("5.4", 3, 1));
    SHOW_EQ(&a, "5.4");
    ADD1(&a, decp("10.1", 3, 1));
    SHOW_EQ(&a, "15.5");
    agg_open(&b, "SUM", 1, t3);
    ADD1(&b, decp("50.9", 3, 1));
    SHOW_EQ(&b, "50.9");
    eddy_value v[1] = {decp("50.8", 3, 1)};
    ck_assert_int_eq(try_add(&b, 1, v), EDDY_EFUNC);
    ck_assert_str_eq(b.err, "Numeric field overflow");
    agg_close(&a);
    agg_close(&b);
}
END_TEST

/* ------------------------------------------------------------------ AVG */

START_TEST(test_avg_types)
{
    const eddy_type *i[] = {eddy_type_int()}, *l[] = {eddy_type_bigint()},
                    *d[] = {eddy_type_double()}, *x[] = {eddy_type_decimal(4, 2)};
    check_types("AVG", 1, i, "DOUBLE", "STRUCT<`SUM` INTEGER, `COUNT` BIGINT>");
    check_types("AVG", 1, l, "DOUBLE", "STRUCT<`SUM` BIGINT, `COUNT` BIGINT>");
    check_types("AVG", 1, d, "DOUBLE", "STRUCT<`SUM` DOUBLE, `COUNT` BIGINT>");
    /* DECIMAL widens to DOUBLE (type-coercion.md) */
    check_types("AVG", 1, x, "DOUBLE", "STRUCT<`SUM` DOUBLE, `COUNT` BIGINT>");
    const eddy_type *s[] = {eddy_type_boolean()};
    check_rejects("AVG", 1, s, "Function 'AVG' does not accept parameters (BOOLEAN).");
}
END_TEST

/* average-udaf.json "average double", both keys, including alice's trailing NULL. */
START_TEST(test_avg_double)
{
    const eddy_type *t[] = {eddy_type_double()};
    agg alice, bob;
    agg_open(&alice, "AVG", 1, t);
    agg_open(&bob, "AVG", 1, t);
    ADD1(&alice, eddy_double(-1.8));
    ck_assert_double_eq(result_double(&alice), -1.8);
    ADD1(&bob, eddy_double(2.3));
    ck_assert_double_eq(result_double(&bob), 2.3);
    ADD1(&alice, eddy_double(9223372036854.775));
    ck_assert_double_eq(result_double(&alice), 4611686018426.487);
    ADD1(&alice, eddy_double(100.2));
    ck_assert_double_eq(result_double(&alice), 3074457345651.058);
    ADD1(&bob, eddy_double(-200000.6));
    ck_assert_double_eq(result_double(&bob), -99999.15000000001);
    ADD1(&bob, eddy_double(0));
    ck_assert_double_eq(result_double(&bob), -66666.1);
    ADD1(&alice, eddy_null(EDDY_TYPE_DOUBLE));
    ck_assert_double_eq(result_double(&alice), 3074457345651.058);
    agg_close(&alice);
    agg_close(&bob);
}
END_TEST

/* AVG(INT) by hand: 1, 2, 4 -> 7/3; undo 4 -> 1.5; merge with {10} -> 13/3; nothing -> 0.0
 * (ksqlDB's AverageUdaf maps a zero count to 0.0). */
START_TEST(test_avg_int)
{
    const eddy_type *t[] = {eddy_type_int()};
    agg a, o;
    agg_open(&a, "AVG", 1, t);
    ck_assert_double_eq(result_double(&a), 0.0);
    ADD1(&a, eddy_int(1));
    ADD1(&a, eddy_int(2));
    ADD1(&a, eddy_int(4));
    ck_assert_double_eq(result_double(&a), 7.0 / 3.0);
    UNDO1(&a, eddy_int(4));
    ck_assert_double_eq(result_double(&a), 1.5);
    agg_open(&o, "AVG", 1, t);
    ADD1(&o, eddy_int(10));
    merge(&a, &o);
    ck_assert_double_eq(result_double(&a), 13.0 / 3.0);
    SHOW_EQ(&o, "10.0");
    agg_close(&a);
    agg_close(&o);
}
END_TEST

/* ------------------------------------------------------------ MIN / MAX */

START_TEST(test_min_max_types)
{
    static const struct {
        const eddy_type *(*t)(void);
        const char *name;
    } ts[] = {{eddy_type_int, "INTEGER"}, {eddy_type_bigint, "BIGINT"},
              {eddy_type_double, "DOUBLE"}, {eddy_type_string, "STRING"},
              {eddy_type_bytes, "BYTES"}, {eddy_type_date, "DATE"}, {eddy_type_time, "TIME"},
              {eddy_type_timestamp, "TIMESTAMP"}};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        const eddy_type *t[] = {ts[i].t()};
        check_types("MIN", 1, t, ts[i].name, ts[i].name);
        check_types("MAX", 1, t, ts[i].name, ts[i].name);
    }
    const eddy_type *d[] = {eddy_type_decimal(4, 2)};
    check_types("MIN", 1, d, "DECIMAL(4, 2)", "DECIMAL(4, 2)");
    const eddy_type *b[] = {eddy_type_boolean()};
    check_rejects("MAX", 1, b, "Function 'MAX' does not accept parameters (BOOLEAN).");
    /* stream-only in ksqlDB: no undo */
    const eddy_type *i[] = {eddy_type_int()};
    agg a;
    agg_open(&a, "MIN", 1, i);
    ck_assert_ptr_null(a.b.fn->aggregate.undo);
    agg_close(&a);
}
END_TEST

/* min-group-by.json "min integer group by": key 1: NULL -> NULL; key 0: -2147483647, 5,
 * NULL, 2000, 100 -> -2147483647 throughout; key 100: 100, 6, 300 -> 100, 6, 6. */
START_TEST(test_min_int)
{
    const eddy_type *t[] = {eddy_type_int()};
    agg k1, k0, k100;
    agg_open(&k1, "MIN", 1, t);
    agg_open(&k0, "MIN", 1, t);
    agg_open(&k100, "MIN", 1, t);
    ADD1(&k1, eddy_null(EDDY_TYPE_INT));
    eddy_value r = result(&k1);
    ck_assert(r.is_null);
    ck_assert_int_eq(r.type, EDDY_TYPE_INT);
    ADD1(&k0, eddy_int(-2147483647));
    SHOW_EQ(&k0, "-2147483647");
    ADD1(&k0, eddy_int(5));
    SHOW_EQ(&k0, "-2147483647");
    ADD1(&k0, eddy_null(EDDY_TYPE_INT));
    SHOW_EQ(&k0, "-2147483647");
    ADD1(&k100, eddy_int(100));
    SHOW_EQ(&k100, "100");
    ADD1(&k100, eddy_int(6));
    SHOW_EQ(&k100, "6");
    ADD1(&k100, eddy_int(300));
    SHOW_EQ(&k100, "6");
    ADD1(&k0, eddy_int(2000));
    SHOW_EQ(&k0, "-2147483647");
    ADD1(&k0, eddy_int(100));
    SHOW_EQ(&k0, "-2147483647");
    /* session merge: the smaller of the two; an empty side changes nothing */
    merge(&k100, &k1);
    SHOW_EQ(&k100, "6");
    merge(&k1, &k100);
    SHOW_EQ(&k1, "6");
    merge(&k100, &k0);
    SHOW_EQ(&k100, "-2147483647");
    agg_close(&k1);
    agg_close(&k0);
    agg_close(&k100);
}
END_TEST

/* min-group-by.json "min decimal group by" (DECIMAL(4,2)) and "min double group by". */
START_TEST(test_min_decimal_double)
{
    const eddy_type *t[] = {eddy_type_decimal(4, 2)};
    agg k0, k100;
    agg_open(&k0, "MIN", 1, t);
    agg_open(&k100, "MIN", 1, t);
    ADD1(&k0, decp("21.79", 4, 2));
    SHOW_EQ(&k0, "21.79");
    ADD1(&k0, decp("1.10", 4, 2));
    SHOW_EQ(&k0, "1.10");
    ADD1(&k0, eddy_null(EDDY_TYPE_DECIMAL));
    SHOW_EQ(&k0, "1.10");
    ADD1(&k100, decp("10.10", 4, 2));
    ADD1(&k100, decp("06.40", 4, 2));
    ADD1(&k100, decp("30.80", 4, 2));
    SHOW_EQ(&k100, "6.40");
    ADD1(&k0, decp("-01.79", 4, 2));
    SHOW_EQ(&k0, "-1.79");
    ADD1(&k0, decp("10.11", 4, 2));
    SHOW_EQ(&k0, "-1.79");
    agg_close(&k0);
    agg_close(&k100);

    const eddy_type *d[] = {eddy_type_double()};
    agg a;
    agg_open(&a, "MIN", 1, d);
    ADD1(&a, eddy_double(1.7976931348623157e308));
    ck_assert_double_eq(result_double(&a), 1.7976931348623157e308);
    ADD1(&a, eddy_double(5.1));
    ck_assert_double_eq(result_double(&a), 5.1);
    ADD1(&a, eddy_null(EDDY_TYPE_DOUBLE));
    ADD1(&a, eddy_double(-1.7976931348623157e308));
    ck_assert_double_eq(result_double(&a), -1.7976931348623157e308);
    ADD1(&a, eddy_double(100.11));
    ck_assert_double_eq(result_double(&a), -1.7976931348623157e308);
    agg_close(&a);
}
END_TEST

/* max-group-by.json "max string group by": key 0: NULL, B, A, NULL, F, D ->
 * NULL, B, B, B, F, F; key 100: E, C, G -> E, E, G. */
START_TEST(test_max_string)
{
    const eddy_type *t[] = {eddy_type_string()};
    agg k0, k100;
    agg_open(&k0, "MAX", 1, t);
    agg_open(&k100, "MAX", 1, t);
    ADD1(&k0, eddy_null(EDDY_TYPE_STRING));
    SHOW_EQ(&k0, "null");
    ADD1(&k0, str("B"));
    SHOW_EQ(&k0, "B");
    ADD1(&k0, str("A"));
    SHOW_EQ(&k0, "B");
    ADD1(&k0, eddy_null(EDDY_TYPE_STRING));
    SHOW_EQ(&k0, "B");
    ADD1(&k100, str("E"));
    SHOW_EQ(&k100, "E");
    ADD1(&k100, str("C"));
    SHOW_EQ(&k100, "E");
    ADD1(&k100, str("G"));
    SHOW_EQ(&k100, "G");
    ADD1(&k0, str("F"));
    SHOW_EQ(&k0, "F");
    ADD1(&k0, str("D"));
    SHOW_EQ(&k0, "F");
    merge(&k0, &k100);
    SHOW_EQ(&k0, "G");
    agg_close(&k0);
    agg_close(&k100);
}
END_TEST

/* max-group-by.json "max timestamp group by valid after 7.2.0" and "max bytes group by"
 * (QUI= is "B", QQ== "A", ... as base64). */
START_TEST(test_max_timestamp_bytes)
{
    const eddy_type *t[] = {eddy_type_timestamp()};
    agg k0;
    agg_open(&k0, "MAX", 1, t);
    ADD1(&k0, eddy_null(EDDY_TYPE_TIMESTAMP));
    ck_assert(result(&k0).is_null);
    ADD1(&k0, eddy_timestamp(-1));
    ck_assert_int_eq(result(&k0).u.ts, -1);
    ADD1(&k0, eddy_timestamp(50));
    ck_assert_int_eq(result(&k0).u.ts, 50);
    ADD1(&k0, eddy_null(EDDY_TYPE_TIMESTAMP));
    ADD1(&k0, eddy_timestamp(1010));
    ADD1(&k0, eddy_timestamp(100));
    ck_assert_int_eq(result(&k0).u.ts, 1010);
    ck_assert_int_eq(result(&k0).type, EDDY_TYPE_TIMESTAMP);
    agg_close(&k0);

    const eddy_type *b[] = {eddy_type_bytes()};
    agg a;
    agg_open(&a, "MAX", 1, b);
    ADD1(&a, eddy_bytes("B", 1));
    ADD1(&a, eddy_bytes("A", 1));
    SHOW_EQ(&a, "Qg==");
    ADD1(&a, eddy_bytes("F", 1));
    ADD1(&a, eddy_bytes("D", 1));
    SHOW_EQ(&a, "Rg==");
    agg_close(&a);
}
END_TEST

/* ------------------------------------------------ COLLECT_LIST / COLLECT_SET */

START_TEST(test_collect_types)
{
    eddy_field fs[] = {{"A", eddy_type_string()}, {"B", eddy_type_bigint()}};
    const eddy_type *st[] = {eddy_type_struct(2, fs)};
    check_types("COLLECT_LIST", 1, st, "ARRAY<STRUCT<`A` STRING, `B` BIGINT>>",
                "ARRAY<STRUCT<`A` STRING, `B` BIGINT>>");
    const eddy_type *i[] = {eddy_type_int()};
    check_types("COLLECT_SET", 1, i, "ARRAY<INTEGER>", "ARRAY<INTEGER>");
    const eddy_type *ii[] = {eddy_type_int(), eddy_type_int()};
    check_rejects("COLLECT_LIST", 2, ii,
                  "Function 'COLLECT_LIST' does not accept parameters (INTEGER, INTEGER).");
}
END_TEST

/* collect-list.json "collect_list string": key 100: baz, baz, foo, NULL (NULLs are kept). */
START_TEST(test_collect_list_stream)
{
    const eddy_type *t[] = {eddy_type_string()};
    agg k0, k100;
    agg_open(&k0, "COLLECT_LIST", 1, t);
    agg_open(&k100, "COLLECT_LIST", 1, t);
    SHOW_EQ(&k0, "[]");
    ADD1(&k0, str("foo"));
    SHOW_EQ(&k0, "[foo]");
    ADD1(&k100, str("baz"));
    SHOW_EQ(&k100, "[baz]");
    ADD1(&k0, str("bar"));
    SHOW_EQ(&k0, "[foo, bar]");
    ADD1(&k100, str("baz"));
    SHOW_EQ(&k100, "[baz, baz]");
    ADD1(&k100, str("foo"));
    SHOW_EQ(&k100, "[baz, baz, foo]");
    ADD1(&k100, eddy_null(EDDY_TYPE_STRING));
    SHOW_EQ(&k100, "[baz, baz, foo, null]");
    /* session merge: concatenation */
    merge(&k0, &k100);
    SHOW_EQ(&k0, "[foo, bar, baz, baz, foo, null]");
    /* undo removes the last occurrence (CollectListUdaf.undo) */
    UNDO1(&k0, str("foo"));
    SHOW_EQ(&k0, "[foo, bar, baz, baz, null]");
    UNDO1(&k0, str("absent"));
    SHOW_EQ(&k0, "[foo, bar, baz, baz, null]");
    agg_close(&k0);
    agg_close(&k100);
}
END_TEST

/* attr.json: "invalid attr" ("1" then "2": NULL), "invalid attr with nulls as first entry"
 * (NULL then "2": NULL) and "table attr with tombstones" (two "1" rows, both deleted, then
 * "2" and "3", then "3" deleted: 1, 1, NULL... 2, NULL, 2). */
START_TEST(test_attr)
{
    const eddy_type *t[] = {eddy_type_string()};
    check_types("ATTR", 1, t, "STRING", "ARRAY<STRING>");
    agg a, b, c;
    agg_open(&a, "ATTR", 1, t);
    ADD1(&a, str("1"));
    SHOW_EQ(&a, "1");
    ADD1(&a, str("2"));
    SHOW_EQ(&a, "null");
    agg_open(&b, "ATTR", 1, t);
    ADD1(&b, eddy_null(EDDY_TYPE_STRING));
    SHOW_EQ(&b, "null");
    ADD1(&b, str("2"));
    SHOW_EQ(&b, "null");
    agg_open(&c, "ATTR", 1, t);
    ADD1(&c, str("1"));
    ADD1(&c, str("1"));
    SHOW_EQ(&c, "1");
    UNDO1(&c, str("1"));
    SHOW_EQ(&c, "1");
    UNDO1(&c, str("1"));
    SHOW_EQ(&c, "null"); /* no rows left */
    ADD1(&c, str("2"));
    SHOW_EQ(&c, "2");
    ADD1(&c, str("3"));
    SHOW_EQ(&c, "null");
    UNDO1(&c, str("3"));
    SHOW_EQ(&c, "2");
    agg_close(&a);
    agg_close(&b);
    agg_close(&c);
}
END_TEST

/* collect-list.json "collect_list int table": the table row for key 0 changes 0 -> 100,
 * i.e. undo 0 then add 100: [0], [100]. */
START_TEST(test_collect_list_table)
{
    const eddy_type *t[] = {eddy_type_int()};
    agg a;
    agg_open(&a, "COLLECT_LIST", 1, t);
    ADD1(&a, eddy_int(0));
    SHOW_EQ(&a, "[0]");
    UNDO1(&a, eddy_int(0));
    ADD1(&a, eddy_int(100));
    SHOW_EQ(&a, "[100]");
    agg_close(&a);
}
END_TEST

/* collect-list.json "collect_list struct": structs collected as they are. */
START_TEST(test_collect_list_struct)
{
    eddy_field fs[] = {{"A", eddy_type_string()}, {"B", eddy_type_bigint()}};
    const eddy_type *t[] = {eddy_type_struct(2, fs)};
    agg a;
    agg_open(&a, "COLLECT_LIST", 1, t);
    eddy_value f1[2] = {str("Record0"), eddy_bigint(1)}, f2[2] = {str("Record1"),
                                                                  eddy_bigint(100)};
    eddy_value s1 = {.type = EDDY_TYPE_STRUCT, .len = 2, .u.items = f1};
    eddy_value s2 = {.type = EDDY_TYPE_STRUCT, .len = 2, .u.items = f2};
    ADD1(&a, s1);
    ADD1(&a, s2);
    eddy_value r = result(&a);
    ck_assert_int_eq(r.len, 2);
    ck_assert(eddy_value_equal(&r.u.items[0], &s1));
    ck_assert(eddy_value_equal(&r.u.items[1], &s2));
    /* deep copies: the accumulator does not point at the caller's fields */
    ck_assert_ptr_ne(r.u.items[0].u.items, f1);
    agg_close(&a);
}
END_TEST

/* collect-set.json "collect_set string" and "collect_set decimal" (NULL kept once). */
START_TEST(test_collect_set)
{
    const eddy_type *t[] = {eddy_type_string()};
    agg k100;
    agg_open(&k100, "COLLECT_SET", 1, t);
    ck_assert_ptr_null(k100.b.fn->aggregate.undo);
    ADD1(&k100, str("baz"));
    SHOW_EQ(&k100, "[baz]");
    ADD1(&k100, str("baz"));
    SHOW_EQ(&k100, "[baz]");
    ADD1(&k100, str("foo"));
    SHOW_EQ(&k100, "[baz, foo]");
    ADD1(&k100, eddy_null(EDDY_TYPE_STRING));
    SHOW_EQ(&k100, "[baz, foo, null]");
    agg o;
    agg_open(&o, "COLLECT_SET", 1, t);
    ADD1(&o, str("foo"));
    ADD1(&o, str("qux"));
    merge(&k100, &o);
    SHOW_EQ(&k100, "[baz, foo, null, qux]");
    agg_close(&k100);
    agg_close(&o);

    const eddy_type *d[] = {eddy_type_decimal(4, 1)};
    agg a;
    agg_open(&a, "COLLECT_SET", 1, d);
    ADD1(&a, decp("500.9", 4, 1));
    ADD1(&a, decp("300.8", 4, 1));
    SHOW_EQ(&a, "[500.9, 300.8]");
    ADD1(&a, eddy_null(EDDY_TYPE_DECIMAL));
    SHOW_EQ(&a, "[500.9, 300.8, null]");
    ADD1(&a, decp("300.8", 4, 1));
    ADD1(&a, eddy_null(EDDY_TYPE_DECIMAL));
    SHOW_EQ(&a, "[500.9, 300.8, null]");
    agg_close(&a);
}
END_TEST

/* collect-set.json "collect_set maps": {Record0=100, Record2=2} and the same map with its
 * entries the other way round are one element. */
START_TEST(test_collect_set_maps)
{
    const eddy_type *t[] = {eddy_type_map(eddy_type_string(), eddy_type_bigint())};
    agg a;
    agg_open(&a, "COLLECT_SET", 1, t);
    eddy_value m1i[4] = {str("Record0"), eddy_bigint(100), str("Record2"), eddy_bigint(2)};
    eddy_value m2i[4] = {str("Record2"), eddy_bigint(2), str("Record0"), eddy_bigint(100)};
    eddy_value m1 = {.type = EDDY_TYPE_MAP, .len = 2, .u.items = m1i};
    eddy_value m2 = {.type = EDDY_TYPE_MAP, .len = 2, .u.items = m2i};
    ADD1(&a, m1);
    SHOW_EQ(&a, "[{Record0=100, Record2=2}]");
    ADD1(&a, m2);
    SHOW_EQ(&a, "[{Record0=100, Record2=2}]");
    agg_close(&a);
}
END_TEST

/* ------------------------------------------------------- COUNT_DISTINCT */

/* count-distinct.json "count distinct": foo: one, two, one, two, NULL -> 1, 2, 2, 2, 2. */
START_TEST(test_count_distinct)
{
    const eddy_type *t[] = {eddy_type_string()};
    check_types("COUNT_DISTINCT", 1, t, "BIGINT", "BYTES");
    agg foo, bar;
    agg_open(&foo, "COUNT_DISTINCT", 1, t);
    agg_open(&bar, "COUNT_DISTINCT", 1, t);
    SHOW_EQ(&foo, "0");
    ADD1(&foo, str("one"));
    SHOW_EQ(&foo, "1");
    ADD1(&foo, str("two"));
    SHOW_EQ(&foo, "2");
    ADD1(&foo, str("one"));
    SHOW_EQ(&foo, "2");
    ADD1(&foo, str("two"));
    SHOW_EQ(&foo, "2");
    ADD1(&bar, str("one"));
    SHOW_EQ(&bar, "1");
    ADD1(&foo, eddy_null(EDDY_TYPE_STRING));
    SHOW_EQ(&foo, "2");
    ADD1(&bar, str("three"));
    merge(&foo, &bar);
    SHOW_EQ(&foo, "3");
    agg_close(&foo);
    agg_close(&bar);
}
END_TEST

/* Approximation: 20000 distinct BIGINTs (each twice) within 5%; merging two halves gives
 * the same estimate as one pass. */
START_TEST(test_count_distinct_large)
{
    const eddy_type *t[] = {eddy_type_bigint()};
    agg all, lo, hi;
    agg_open(&all, "COUNT_DISTINCT", 1, t);
    agg_open(&lo, "COUNT_DISTINCT", 1, t);
    agg_open(&hi, "COUNT_DISTINCT", 1, t);
    for (int rep = 0; rep < 2; rep++)
        for (int64_t i = 0; i < 20000; i++) {
            ADD1(&all, eddy_bigint(i * 7919));
            ADD1(i < 10000 ? &lo : &hi, eddy_bigint(i * 7919));
        }
    int64_t n = result(&all).u.i64;
    ck_assert_msg(llabs(n - 20000) < 1000, "estimate %lld", (long long)n);
    merge(&lo, &hi);
    ck_assert_int_eq(result(&lo).u.i64, n);
    agg_close(&all);
    agg_close(&lo);
    agg_close(&hi);
}
END_TEST

/* ------------------------------------------ EARLIEST_BY_OFFSET / LATEST_BY_OFFSET */

START_TEST(test_offset_types)
{
    const eddy_type *i[] = {eddy_type_int()};
    check_types("EARLIEST_BY_OFFSET", 1, i, "INTEGER", "STRUCT<`SEQ` BIGINT, `VAL` INTEGER>");
    const eddy_type *ib[] = {eddy_type_int(), eddy_type_boolean()};
    check_types("LATEST_BY_OFFSET", 2, ib, "INTEGER", "STRUCT<`SEQ` BIGINT, `VAL` INTEGER>");
    const eddy_type *in[] = {eddy_type_string(), eddy_type_int()};
    check_types("LATEST_BY_OFFSET", 2, in, "ARRAY<STRING>",
                "STRUCT<`N` INTEGER, `ITEMS` ARRAY<STRUCT<`SEQ` BIGINT, `VAL` STRING>>>");
    const eddy_type *inb[] = {eddy_type_decimal(3, 2), eddy_type_int(), eddy_type_boolean()};
    check_types("EARLIEST_BY_OFFSET", 3, inb, "ARRAY<DECIMAL(3, 2)>",
                "STRUCT<`N` INTEGER, `ITEMS` ARRAY<STRUCT<`SEQ` BIGINT, `VAL` DECIMAL(3, 2)>>>");
    const eddy_type *m[] = {eddy_type_map(eddy_type_string(), eddy_type_double())};
    check_types("EARLIEST_BY_OFFSET", 1, m, "MAP<STRING, DOUBLE>",
                "STRUCT<`SEQ` BIGINT, `VAL` MAP<STRING, DOUBLE>>");
    const eddy_type *bad[] = {eddy_type_int(), eddy_type_string()};
    check_rejects("EARLIEST_BY_OFFSET", 2, bad,
                  "Function 'EARLIEST_BY_OFFSET' does not accept parameters (INTEGER, STRING)."
                  "\nValid alternatives are:\nEARLIEST_BY_OFFSET(BOOLEAN val)\n"
                  "EARLIEST_BY_OFFSET(BOOLEAN val, BOOLEAN ignoreNulls)\n"
                  "EARLIEST_BY_OFFSET(BOOLEAN val, INTEGER earliestN)\n");
}
END_TEST

/* earliest-offset-udaf.json: "nulls later - single - nulls ignored" (12, NULL, 13 -> 12),
 * "null first - single - ignoring nulls" (NULL, 13 -> NULL, 13), "earliest by offset with
 * all nulls", "earliest by offset with decimals" (3.40). */
START_TEST(test_earliest_single)
{
    const eddy_type *i[] = {eddy_type_int()}, *ib[] = {eddy_type_int(), eddy_type_boolean()};
    agg a;
    agg_open(&a, "EARLIEST_BY_OFFSET", 1, i);
    ck_assert_ptr_null(a.b.fn->aggregate.undo);
    ADD1(&a, eddy_int(12));
    SHOW_EQ(&a, "12");
    ADD1(&a, eddy_null(EDDY_TYPE_INT));
    SHOW_EQ(&a, "12");
    ADD1(&a, eddy_int(13));
    SHOW_EQ(&a, "12");
    agg_close(&a);

    agg_open(&a, "EARLIEST_BY_OFFSET", 2, ib);
    ADD2(&a, eddy_null(EDDY_TYPE_INT), eddy_bool(true));
    eddy_value r = result(&a);
    ck_assert(r.is_null);
    ck_assert_int_eq(r.type, EDDY_TYPE_INT);
    ADD2(&a, eddy_int(13), eddy_bool(true));
    SHOW_EQ(&a, "13");
    agg_close(&a);

    /* "null later - single - nulls not ignored": 12, NULL, 13 -> 12 */
    agg_open(&a, "EARLIEST_BY_OFFSET", 2, ib);
    ADD2(&a, eddy_int(12), eddy_bool(false));
    ADD2(&a, eddy_null(EDDY_TYPE_INT), eddy_bool(false));
    ADD2(&a, eddy_int(13), eddy_bool(false));
    SHOW_EQ(&a, "12");
    agg_close(&a);

    agg_open(&a, "EARLIEST_BY_OFFSET", 1, i);
    ADD1(&a, eddy_null(EDDY_TYPE_INT));
    ADD1(&a, eddy_null(EDDY_TYPE_INT));
    SHOW_EQ(&a, "null");
    agg_close(&a);

    const eddy_type *d[] = {eddy_type_decimal(3, 2), eddy_type_boolean()};
    agg_open(&a, "EARLIEST_BY_OFFSET", 2, d);
    ADD2(&a, decp("3.4", 3, 2), eddy_bool(true));
    SHOW_EQ(&a, "3.40");
    ADD2(&a, decp("8.9", 3, 2), eddy_bool(true));
    SHOW_EQ(&a, "3.40");
    agg_close(&a);
}
END_TEST

/* earliest-offset-udaf.json: "null first - multiple - ignoring nulls" (NULL, 13 -> [], [13]),
 * "null first - multiple - not ignoring nulls" ([null], [null, 13]),
 * "nulls later - multiple - nulls ignored" ([12], [12], [12, 13]),
 * "null later - multiple - nulls not ignored" ([12], [12, null], [12, null]),
 * "earliest n by offset with all nulls" ([], []). */
START_TEST(test_earliest_n)
{
    const eddy_type *in[] = {eddy_type_int(), eddy_type_int()},
                    *inb[] = {eddy_type_int(), eddy_type_int(), eddy_type_boolean()};
    agg a;
    agg_open(&a, "EARLIEST_BY_OFFSET", 2, in);
    ADD2(&a, eddy_null(EDDY_TYPE_INT), eddy_int(2));
    SHOW_EQ(&a, "[]");
    ADD2(&a, eddy_int(13), eddy_int(2));
    SHOW_EQ(&a, "[13]");
    agg_close(&a);

    agg_open(&a, "EARLIEST_BY_OFFSET", 3, inb);
    ADD3(&a, eddy_null(EDDY_TYPE_INT), eddy_int(2), eddy_bool(false));
    SHOW_EQ(&a, "[null]");
    ADD3(&a, eddy_int(13), eddy_int(2), eddy_bool(false));
    SHOW_EQ(&a, "[null, 13]");
    agg_close(&a);

    agg_open(&a, "EARLIEST_BY_OFFSET", 2, in);
    ADD2(&a, eddy_int(12), eddy_int(2));
    SHOW_EQ(&a, "[12]");
    ADD2(&a, eddy_null(EDDY_TYPE_INT), eddy_int(2));
    SHOW_EQ(&a, "[12]");
    ADD2(&a, eddy_int(13), eddy_int(2));
    SHOW_EQ(&a, "[12, 13]");
    ADD2(&a, eddy_int(14), eddy_int(2));
    SHOW_EQ(&a, "[12, 13]");
    agg_close(&a);

    agg_open(&a, "EARLIEST_BY_OFFSET", 3, inb);
    ADD3(&a, eddy_int(12), eddy_int(2), eddy_bool(false));
    SHOW_EQ(&a, "[12]");
    ADD3(&a, eddy_null(EDDY_TYPE_INT), eddy_int(2), eddy_bool(false));
    SHOW_EQ(&a, "[12, null]");
    ADD3(&a, eddy_int(13), eddy_int(2), eddy_bool(false));
    SHOW_EQ(&a, "[12, null]");
    agg_close(&a);

    agg_open(&a, "EARLIEST_BY_OFFSET", 2, in);
    ADD2(&a, eddy_null(EDDY_TYPE_INT), eddy_int(2));
    ADD2(&a, eddy_null(EDDY_TYPE_INT), eddy_int(2));
    SHOW_EQ(&a, "[]");
    /* N must be positive */
    eddy_value v[2] = {eddy_int(1), eddy_int(0)};
    ck_assert_int_eq(try_add(&a, 2, v), EDDY_EFUNC);
    ck_assert_str_eq(a.err, "EARLIEST_BY_OFFSET: earliestN must be 1 or greater");
    agg_close(&a);
}
END_TEST

/* latest-offset-udaf.json: "nulls not ignored - single" (12, NULL, 13 -> 12, null, 13),
 * "latest by offset with all nulls", "nulls ignored - multiple" ([12], [12], [12, 13]),
 * "latest n by offset" (strings foo, bar -> [foo], [foo, bar]), "latest n by offset with
 * nulls" ([12], [12]). */
START_TEST(test_latest)
{
    const eddy_type *i[] = {eddy_type_int()}, *ib[] = {eddy_type_int(), eddy_type_boolean()};
    agg a;
    agg_open(&a, "LATEST_BY_OFFSET", 2, ib);
    ADD2(&a, eddy_int(12), eddy_bool(false));
    SHOW_EQ(&a, "12");
    ADD2(&a, eddy_null(EDDY_TYPE_INT), eddy_bool(false));
    SHOW_EQ(&a, "null");
    ADD2(&a, eddy_int(13), eddy_bool(false));
    SHOW_EQ(&a, "13");
    agg_close(&a);

    agg_open(&a, "LATEST_BY_OFFSET", 1, i);
    ADD1(&a, eddy_int(12));
    ADD1(&a, eddy_null(EDDY_TYPE_INT));
    SHOW_EQ(&a, "12");
    agg_close(&a);

    agg_open(&a, "LATEST_BY_OFFSET", 1, i);
    ADD1(&a, eddy_null(EDDY_TYPE_INT));
    ADD1(&a, eddy_null(EDDY_TYPE_INT));
    SHOW_EQ(&a, "null");
    agg_close(&a);

    const eddy_type *inb[] = {eddy_type_int(), eddy_type_int(), eddy_type_boolean()};
    agg_open(&a, "LATEST_BY_OFFSET", 3, inb);
    ADD3(&a, eddy_int(12), eddy_int(2), eddy_bool(true));
    SHOW_EQ(&a, "[12]");
    ADD3(&a, eddy_null(EDDY_TYPE_INT), eddy_int(2), eddy_bool(true));
    SHOW_EQ(&a, "[12]");
    ADD3(&a, eddy_int(13), eddy_int(2), eddy_bool(true));
    SHOW_EQ(&a, "[12, 13]");
    ADD3(&a, eddy_int(14), eddy_int(2), eddy_bool(true));
    SHOW_EQ(&a, "[13, 14]");
    agg_close(&a);

    const eddy_type *sn[] = {eddy_type_string(), eddy_type_int()};
    agg_open(&a, "LATEST_BY_OFFSET", 2, sn);
    ADD2(&a, str("foo"), eddy_int(2));
    SHOW_EQ(&a, "[foo]");
    ADD2(&a, str("bar"), eddy_int(2));
    SHOW_EQ(&a, "[foo, bar]");
    agg_close(&a);

    /* count.json "auto-incrementing id": LATEST_BY_OFFSET(value) 12, 8367, 764 */
    agg_open(&a, "LATEST_BY_OFFSET", 1, i);
    ADD1(&a, eddy_int(12));
    SHOW_EQ(&a, "12");
    ADD1(&a, eddy_int(8367));
    SHOW_EQ(&a, "8367");
    ADD1(&a, eddy_int(764));
    SHOW_EQ(&a, "764");
    agg_close(&a);
}
END_TEST

/* The "merging session windows" cases of both files. Kafka Streams merges a late record's
 * session with the existing ones: agg = init; agg = merge(agg, s) for each session in
 * time order; then add(record). Sessions: A (t=0) and B (t=1500), the late record at 700,
 * processed after both. */
static void session_case(const char *name, int argc, const eddy_type *const *argt,
                         const eddy_value *va, const eddy_value *vb, const eddy_value *late,
                         const char *sa, const char *sb, const char *merged)
{
    agg A, B, M;
    agg_open(&A, name, argc, argt);
    agg_open(&B, name, argc, argt);
    agg_open(&M, name, argc, argt);
    add(&A, argc, va);
    ck_assert_str_eq(show(&A), sa);
    add(&B, argc, vb);
    ck_assert_str_eq(show(&B), sb);
    merge(&M, &A);
    merge(&M, &B);
    add(&M, argc, late);
    ck_assert_str_eq(show(&M), merged);
    agg_close(&A);
    agg_close(&B);
    agg_close(&M);
}

START_TEST(test_offset_session_merge)
{
    const eddy_type *i[] = {eddy_type_int()}, *ib[] = {eddy_type_int(), eddy_type_boolean()},
                    *inb[] = {eddy_type_int(), eddy_type_int(), eddy_type_boolean()};
    eddy_value n = eddy_null(EDDY_TYPE_INT), f = eddy_bool(false), two = eddy_int(2);
    /* earliest "merging session windows": 1, 3, late 2 -> 1 */
    session_case("EARLIEST_BY_OFFSET", 1, i, (eddy_value[]){eddy_int(1)},
                 (eddy_value[]){eddy_int(3)}, (eddy_value[]){eddy_int(2)}, "1", "3", "1");
    /* earliest "- with nulls not ignored": NULL, 1, late NULL -> null */
    session_case("EARLIEST_BY_OFFSET", 2, ib, (eddy_value[]){n, f},
                 (eddy_value[]){eddy_int(1), f}, (eddy_value[]){n, f}, "null", "1", "null");
    /* earliest "- with nulls not ignored - N": [null], [1], late NULL -> [null, 1] */
    session_case("EARLIEST_BY_OFFSET", 3, inb, (eddy_value[]){n, two, f},
                 (eddy_value[]){eddy_int(1), two, f}, (eddy_value[]){n, two, f}, "[null]",
                 "[1]", "[null, 1]");
    /* earliest "- all nulls - N": [null], [null] -> [null, null] */
    session_case("EARLIEST_BY_OFFSET", 3, inb, (eddy_value[]){n, two, f},
                 (eddy_value[]){n, two, f}, (eddy_value[]){n, two, f}, "[null]", "[null]",
                 "[null, null]");
    /* latest "merging session windows": 1, 3, late 2 -> 2 */
    session_case("LATEST_BY_OFFSET", 1, i, (eddy_value[]){eddy_int(1)},
                 (eddy_value[]){eddy_int(3)}, (eddy_value[]){eddy_int(2)}, "1", "3", "2");
    /* latest "- with nulls not ignored": 1, NULL, late 2 -> 2 */
    session_case("LATEST_BY_OFFSET", 2, ib, (eddy_value[]){eddy_int(1), f},
                 (eddy_value[]){n, f}, (eddy_value[]){eddy_int(2), f}, "1", "null", "2");
    /* latest "- with nulls not ignored - N": [1], [null], late 2 -> [null, 2] */
    session_case("LATEST_BY_OFFSET", 3, inb, (eddy_value[]){eddy_int(1), two, f},
                 (eddy_value[]){n, two, f}, (eddy_value[]){eddy_int(2), two, f}, "[1]",
                 "[null]", "[null, 2]");
    /* latest "- all nulls - N" */
    session_case("LATEST_BY_OFFSET", 3, inb, (eddy_value[]){n, two, f},
                 (eddy_value[]){n, two, f}, (eddy_value[]){n, two, f}, "[null]", "[null]",
                 "[null, null]");

    /* latest "- with nulls not ignored when merging": session {1}, late NULL -> null */
    agg A, M;
    agg_open(&A, "LATEST_BY_OFFSET", 2, ib);
    agg_open(&M, "LATEST_BY_OFFSET", 2, ib);
    ADD2(&A, eddy_int(1), f);
    merge(&M, &A);
    SHOW_EQ(&M, "1");
    ADD2(&M, n, f);
    SHOW_EQ(&M, "null");
    agg_close(&A);
    agg_close(&M);

    /* by hand: merge keeps the SEQ order whatever the merge order; N cuts the result */
    agg a, b;
    const eddy_type *in[] = {eddy_type_int(), eddy_type_int()};
    agg_open(&a, "LATEST_BY_OFFSET", 2, in);
    agg_open(&b, "LATEST_BY_OFFSET", 2, in);
    ADD2(&a, eddy_int(1), eddy_int(3));
    ADD2(&b, eddy_int(2), eddy_int(3));
    ADD2(&a, eddy_int(3), eddy_int(3));
    ADD2(&b, eddy_int(4), eddy_int(3));
    merge(&b, &a);
    SHOW_EQ(&b, "[2, 3, 4]");
    agg_close(&a);
    agg_close(&b);
}
END_TEST

/* -------------------------------------------------- TOPK / TOPKDISTINCT */

START_TEST(test_topk_types)
{
    const eddy_type *dk[] = {eddy_type_double(), eddy_type_int()};
    check_types("TOPK", 2, dk, "ARRAY<DOUBLE>", "STRUCT<`K` INTEGER, `VALS` ARRAY<DOUBLE>>");
    const eddy_type *isk[] = {eddy_type_int(), eddy_type_string(), eddy_type_int()};
    check_types("TOPK", 3, isk, "ARRAY<STRUCT<`sort_col` INTEGER, `col0` STRING>>",
                "STRUCT<`K` INTEGER, `VALS` ARRAY<STRUCT<`sort_col` INTEGER, `col0` STRING>>>");
    const eddy_type *s3[] = {eddy_type_string(), eddy_type_bigint(), eddy_type_boolean(),
                             eddy_type_int()};
    check_types("TOPK", 4, s3,
                "ARRAY<STRUCT<`sort_col` STRING, `col0` BIGINT, `col1` BOOLEAN>>",
                "STRUCT<`K` INTEGER, `VALS` ARRAY<STRUCT<`sort_col` STRING, `col0` BIGINT, "
                "`col1` BOOLEAN>>>");
    const eddy_type *xk[] = {eddy_type_decimal(2, 1), eddy_type_int()};
    check_types("TOPKDISTINCT", 2, xk, "ARRAY<DECIMAL(2, 1)>",
                "STRUCT<`K` INTEGER, `VALS` ARRAY<DECIMAL(2, 1)>>");
    const eddy_type *bk[] = {eddy_type_boolean(), eddy_type_int()};
    check_rejects("TOPK", 2, bk,
                  "Function 'TOPK' does not accept parameters (BOOLEAN, INTEGER).\n"
                  "Valid alternatives are:\nTOPK(T col1, INTEGER k)\nTOPK(...)");
    const eddy_type *ks[] = {eddy_type_int(), eddy_type_string()};
    check_rejects("TOPKDISTINCT", 2, ks,
                  "Function 'TOPKDISTINCT' does not accept parameters (INTEGER, STRING).");
    const eddy_type *isk3[] = {eddy_type_int(), eddy_type_string(), eddy_type_int()};
    check_rejects("TOPKDISTINCT", 3, isk3, "Function 'TOPKDISTINCT' does not accept");
}
END_TEST

/* topk-group-by.json "topk double" (k = 3) and "topk string". */
START_TEST(test_topk)
{
    const eddy_type *dk[] = {eddy_type_double(), eddy_type_int()};
    eddy_value k = eddy_int(3);
    agg a;
    agg_open(&a, "TOPK", 2, dk);
    ADD2(&a, eddy_double(2147483648.9), k);
    SHOW_EQ(&a, "[2.1474836489E9]");
    ADD2(&a, eddy_double(100.5), k);
    SHOW_EQ(&a, "[2.1474836489E9, 100.5]");
    ADD2(&a, eddy_double(99.9), k);
    SHOW_EQ(&a, "[2.1474836489E9, 100.5, 99.9]");
    ADD2(&a, eddy_double(7.3), k);
    SHOW_EQ(&a, "[2.1474836489E9, 100.5, 99.9]");
    ADD2(&a, eddy_double(100.5), k);
    SHOW_EQ(&a, "[2.1474836489E9, 100.5, 100.5]");
    ADD2(&a, eddy_null(EDDY_TYPE_DOUBLE), k);
    SHOW_EQ(&a, "[2.1474836489E9, 100.5, 100.5]");
    agg_close(&a);

    const eddy_type *sk[] = {eddy_type_string(), eddy_type_int()};
    agg_open(&a, "TOPK", 2, sk);
    ADD2(&a, str("a"), k);
    SHOW_EQ(&a, "[a]");
    ADD2(&a, str("b"), k);
    SHOW_EQ(&a, "[b, a]");
    ADD2(&a, str("c"), k);
    SHOW_EQ(&a, "[c, b, a]");
    ADD2(&a, str("b"), k);
    SHOW_EQ(&a, "[c, b, b]");
    ADD2(&a, str("d"), k);
    SHOW_EQ(&a, "[d, c, b]");
    /* merge: the top k of both */
    agg o;
    agg_open(&o, "TOPK", 2, sk);
    ADD2(&o, str("bb"), k);
    ADD2(&o, str("e"), k);
    merge(&a, &o);
    SHOW_EQ(&a, "[e, d, c]");
    eddy_value bad[2] = {str("x"), eddy_int(0)};
    ck_assert_int_eq(try_add(&a, 2, bad), EDDY_EFUNC);
    ck_assert_str_eq(a.err, "TOPK: k must be 1 or greater");
    agg_close(&a);
    agg_close(&o);
}
END_TEST

/* tumbling-windows.json "topk tumbling": TOPK(value, 2) over 0, 100, 10 in one window:
 * [0], [100, 0], [100, 10]; udaf.json "support more than one literal param":
 * EARLIEST_BY_OFFSET(F0, 2, true) over 1 -> [1]. */
START_TEST(test_topk_k2_and_literals)
{
    const eddy_type *ik[] = {eddy_type_int(), eddy_type_int()};
    eddy_value k = eddy_int(2);
    agg a;
    agg_open(&a, "TOPK", 2, ik);
    ADD2(&a, eddy_int(0), k);
    SHOW_EQ(&a, "[0]");
    ADD2(&a, eddy_int(100), k);
    SHOW_EQ(&a, "[100, 0]");
    ADD2(&a, eddy_int(10), k);
    SHOW_EQ(&a, "[100, 10]");
    agg_close(&a);

    const eddy_type *inb[] = {eddy_type_int(), eddy_type_int(), eddy_type_boolean()};
    agg_open(&a, "EARLIEST_BY_OFFSET", 3, inb);
    ADD3(&a, eddy_int(1), k, eddy_bool(true));
    SHOW_EQ(&a, "[1]");
    agg_close(&a);
}
END_TEST

/* topk-group-by.json "topk integer struct": TOPK(value, name, 3); a NULL sort value is
 * skipped, a NULL other column kept, ties keep arrival order. */
START_TEST(test_topk_struct)
{
    const eddy_type *t[] = {eddy_type_int(), eddy_type_string(), eddy_type_int()};
    eddy_value k = eddy_int(3);
    agg a;
    agg_open(&a, "TOPK", 3, t);
    ADD3(&a, eddy_int(0), str("zero"), k);
    SHOW_EQ(&a, "[Struct{sort_col=0,col0=zero}]");
    ADD3(&a, eddy_int(100), str("one"), k);
    SHOW_EQ(&a, "[Struct{sort_col=100,col0=one}, Struct{sort_col=0,col0=zero}]");
    ADD3(&a, eddy_int(99), str("two"), k);
    SHOW_EQ(&a, "[Struct{sort_col=100,col0=one}, Struct{sort_col=99,col0=two}, "
                "Struct{sort_col=0,col0=zero}]");
    ADD3(&a, eddy_null(EDDY_TYPE_INT), str("three"), k);
    SHOW_EQ(&a, "[Struct{sort_col=100,col0=one}, Struct{sort_col=99,col0=two}, "
                "Struct{sort_col=0,col0=zero}]");
    ADD3(&a, eddy_int(100), eddy_null(EDDY_TYPE_STRING), k);
    SHOW_EQ(&a, "[Struct{sort_col=100,col0=one}, Struct{sort_col=100}, "
                "Struct{sort_col=99,col0=two}]");
    eddy_value r = result(&a);
    ck_assert(r.u.items[1].u.items[1].is_null);
    agg_close(&a);

    /* "topk string struct": a/zero, NULL/one (skipped), c/two, b/three, d/NULL */
    const eddy_type *s[] = {eddy_type_string(), eddy_type_string(), eddy_type_int()};
    agg_open(&a, "TOPK", 3, s);
    ADD3(&a, str("a"), str("zero"), k);
    ADD3(&a, eddy_null(EDDY_TYPE_STRING), str("one"), k);
    SHOW_EQ(&a, "[Struct{sort_col=a,col0=zero}]");
    ADD3(&a, str("c"), str("two"), k);
    ADD3(&a, str("b"), str("three"), k);
    SHOW_EQ(&a, "[Struct{sort_col=c,col0=two}, Struct{sort_col=b,col0=three}, "
                "Struct{sort_col=a,col0=zero}]");
    ADD3(&a, str("d"), eddy_null(EDDY_TYPE_STRING), k);
    SHOW_EQ(&a, "[Struct{sort_col=d}, Struct{sort_col=c,col0=two}, "
                "Struct{sort_col=b,col0=three}]");
    agg_close(&a);
}
END_TEST

/* topk-distinct.json "topk distinct string", "topk distinct decimal", "topk distinct date". */
START_TEST(test_topkdistinct)
{
    eddy_value k = eddy_int(3);
    const eddy_type *sk[] = {eddy_type_string(), eddy_type_int()};
    agg a;
    agg_open(&a, "TOPKDISTINCT", 2, sk);
    ADD2(&a, str("a"), k);
    SHOW_EQ(&a, "[a]");
    ADD2(&a, str("b"), k);
    SHOW_EQ(&a, "[b, a]");
    ADD2(&a, str("c"), k);
    SHOW_EQ(&a, "[c, b, a]");
    ADD2(&a, str("b"), k);
    SHOW_EQ(&a, "[c, b, a]");
    ADD2(&a, str("d"), k);
    SHOW_EQ(&a, "[d, c, b]");
    agg o;
    agg_open(&o, "TOPKDISTINCT", 2, sk);
    ADD2(&o, str("d"), k);
    ADD2(&o, str("c"), k);
    ADD2(&o, str("a"), k);
    merge(&a, &o);
    SHOW_EQ(&a, "[d, c, b]");
    agg_close(&a);
    agg_close(&o);

    const eddy_type *xk[] = {eddy_type_decimal(2, 1), eddy_type_int()};
    agg_open(&a, "TOPKDISTINCT", 2, xk);
    ADD2(&a, decp("9.8", 2, 1), k);
    SHOW_EQ(&a, "[9.8]");
    ADD2(&a, decp("8.9", 2, 1), k);
    SHOW_EQ(&a, "[9.8, 8.9]");
    ADD2(&a, eddy_null(EDDY_TYPE_DECIMAL), k);
    SHOW_EQ(&a, "[9.8, 8.9]");
    ADD2(&a, decp("7.8", 2, 1), k);
    SHOW_EQ(&a, "[9.8, 8.9, 7.8]");
    ADD2(&a, decp("6.5", 2, 1), k);
    SHOW_EQ(&a, "[9.8, 8.9, 7.8]");
    ADD2(&a, decp("9.9", 2, 1), k);
    SHOW_EQ(&a, "[9.9, 9.8, 8.9]");
    agg_close(&a);

    const eddy_type *dk[] = {eddy_type_date(), eddy_type_int()};
    agg_open(&a, "TOPKDISTINCT", 2, dk);
    ADD2(&a, eddy_date(0), k);
    ADD2(&a, eddy_date(100), k);
    ADD2(&a, eddy_date(99), k);
    ADD2(&a, eddy_null(EDDY_TYPE_DATE), k);
    ADD2(&a, eddy_date(-7), k);
    ADD2(&a, eddy_date(100), k);
    eddy_value r = result(&a);
    ck_assert_int_eq(r.len, 3);
    ck_assert_int_eq(r.u.items[0].u.date, 100);
    ck_assert_int_eq(r.u.items[1].u.date, 99);
    ck_assert_int_eq(r.u.items[2].u.date, 0);
    agg_close(&a);
}
END_TEST

/* ------------------------------------------------------------- HISTOGRAM */

START_TEST(test_histogram_types)
{
    const eddy_type *s[] = {eddy_type_string()};
    check_types("HISTOGRAM", 1, s, "MAP<STRING, BIGINT>", "MAP<STRING, BIGINT>");
    const eddy_type *i[] = {eddy_type_int()};
    check_rejects("HISTOGRAM", 1, i,
                  "Function 'HISTOGRAM' does not accept parameters (INTEGER).\n"
                  "Valid alternatives are:\nHISTOGRAM(STRING col1)");
}
END_TEST

/* histogram.json "histogram string". */
START_TEST(test_histogram_stream)
{
    const eddy_type *s[] = {eddy_type_string()};
    agg k0, k100;
    agg_open(&k0, "HISTOGRAM", 1, s);
    agg_open(&k100, "HISTOGRAM", 1, s);
    ADD1(&k0, str("foo"));
    SHOW_EQ(&k0, "{foo=1}");
    ADD1(&k100, str("baz"));
    SHOW_EQ(&k100, "{baz=1}");
    ADD1(&k0, str("bar"));
    SHOW_EQ(&k0, "{foo=1, bar=1}");
    ADD1(&k100, str("baz"));
    SHOW_EQ(&k100, "{baz=2}");
    ADD1(&k100, str("foo"));
    SHOW_EQ(&k100, "{baz=2, foo=1}");
    ADD1(&k100, eddy_null(EDDY_TYPE_STRING));
    SHOW_EQ(&k100, "{baz=2, foo=1}");
    merge(&k0, &k100);
    SHOW_EQ(&k0, "{foo=2, bar=1, baz=2}");
    agg_close(&k0);
    agg_close(&k100);
}
END_TEST

/* histogram.json "histogram on a table": bob moves from east to west (undo in east), then
 * is deleted (undo in west). */
START_TEST(test_histogram_table)
{
    const eddy_type *s[] = {eddy_type_string()};
    agg east, west;
    agg_open(&east, "HISTOGRAM", 1, s);
    agg_open(&west, "HISTOGRAM", 1, s);
    ADD1(&east, str("alice"));
    SHOW_EQ(&east, "{alice=1}");
    ADD1(&east, str("bob"));
    SHOW_EQ(&east, "{alice=1, bob=1}");
    ADD1(&west, str("carol"));
    SHOW_EQ(&west, "{carol=1}");
    ADD1(&west, str("dave"));
    SHOW_EQ(&west, "{carol=1, dave=1}");
    UNDO1(&east, str("bob"));
    SHOW_EQ(&east, "{alice=1}");
    ADD1(&west, str("bob"));
    SHOW_EQ(&west, "{carol=1, dave=1, bob=1}");
    UNDO1(&west, str("bob"));
    SHOW_EQ(&west, "{carol=1, dave=1}");
    agg_close(&east);
    agg_close(&west);
}
END_TEST

/* At most 1000 distinct values; known ones keep counting. */
START_TEST(test_histogram_limit)
{
    const eddy_type *s[] = {eddy_type_string()};
    agg a;
    agg_open(&a, "HISTOGRAM", 1, s);
    char buf[16];
    for (int i = 0; i < 1001; i++) {
        snprintf(buf, sizeof buf, "v%d", i);
        ADD1(&a, str(buf));
    }
    ADD1(&a, str("v0"));
    eddy_value r = result(&a);
    ck_assert_int_eq(r.len, 1000);
    ck_assert_int_eq(r.u.items[1].u.i64, 2);
    agg_close(&a);
}
END_TEST

/* ------------------------------------------------ STDDEV_SAMP / STDDEV_SAMPLE */

START_TEST(test_stddev_types)
{
    const eddy_type *i[] = {eddy_type_int()}, *d[] = {eddy_type_double()},
                    *x[] = {eddy_type_decimal(5, 2)};
    check_types("STDDEV_SAMP", 1, i, "DOUBLE",
                "STRUCT<`SUM` INTEGER, `COUNT` BIGINT, `M2` DOUBLE>");
    check_types("STDDEV_SAMPLE", 1, d, "DOUBLE",
                "STRUCT<`SUM` DOUBLE, `COUNT` BIGINT, `M2` DOUBLE>");
    check_types("STDDEV_SAMPLE", 1, x, "DOUBLE",
                "STRUCT<`SUM` DOUBLE, `COUNT` BIGINT, `M2` DOUBLE>");
    const eddy_type *s[] = {eddy_type_string()};
    check_rejects("STDDEV_SAMP", 1, s,
                  "Function 'STDDEV_SAMP' does not accept parameters (STRING).");
}
END_TEST

/* standarddeviation.json "stddev_sample int": key 0: 0, 10, 7, 6; key 100: 50, 10, 3, NULL. */
START_TEST(test_stddev_sample_int)
{
    const eddy_type *t[] = {eddy_type_int()};
    agg k0, k100;
    agg_open(&k0, "STDDEV_SAMPLE", 1, t);
    agg_open(&k100, "STDDEV_SAMPLE", 1, t);
    ADD1(&k0, eddy_int(0));
    ck_assert_double_eq(result_double(&k0), 0);
    ADD1(&k0, eddy_int(10));
    ck_assert_double_eq(result_double(&k0), 7.0710678118654755);
    ADD1(&k100, eddy_int(50));
    ck_assert_double_eq(result_double(&k100), 0);
    ADD1(&k100, eddy_int(10));
    ck_assert_double_eq(result_double(&k100), 28.284271247461902);
    ADD1(&k0, eddy_int(7));
    ck_assert_double_eq(result_double(&k0), 5.131601439446884);
    ADD1(&k100, eddy_int(3));
    ck_assert_double_eq(result_double(&k100), 25.357444666211933);
    ADD1(&k100, eddy_null(EDDY_TYPE_INT));
    ck_assert_double_eq(result_double(&k100), 25.357444666211933);
    ADD1(&k0, eddy_int(6));
    ck_assert_double_eq(result_double(&k0), 4.193248541803041);
    /* undo walks back: 0, 10, 7 */
    UNDO1(&k0, eddy_int(6));
    ck_assert_double_eq_tol(result_double(&k0), 5.131601439446884, 1e-12);
    UNDO1(&k0, eddy_int(7));
    UNDO1(&k0, eddy_int(10));
    ck_assert_double_eq(result_double(&k0), 0);
    UNDO1(&k0, eddy_int(0));
    ck_assert_double_eq(result_double(&k0), 0);
    agg_close(&k0);
    agg_close(&k100);
}
END_TEST

/* standarddeviation.json "stddev_samp long" and "stddev_samp double map" (the variance). */
START_TEST(test_stddev_samp)
{
    const eddy_type *l[] = {eddy_type_bigint()};
    agg k0, k100;
    agg_open(&k0, "STDDEV_SAMP", 1, l);
    agg_open(&k100, "STDDEV_SAMP", 1, l);
    ADD1(&k0, eddy_bigint(2147483648LL));
    ck_assert_double_eq(result_double(&k0), 0);
    ADD1(&k0, eddy_bigint(100));
    ck_assert_double_eq(result_double(&k0), 2305842794465334300.0);
    ADD1(&k100, eddy_bigint(500));
    ADD1(&k100, eddy_bigint(100));
    ck_assert_double_eq(result_double(&k100), 80000);
    ADD1(&k0, eddy_bigint(-2));
    ck_assert_double_eq(result_double(&k0), 1537228602658000400.0);
    ADD1(&k100, eddy_bigint(0));
    ck_assert_double_eq(result_double(&k100), 70000);
    ADD1(&k100, eddy_bigint(-6));
    ck_assert_double_eq(result_double(&k100), 57275.666666666664);
    ADD1(&k0, eddy_null(EDDY_TYPE_BIGINT));
    ck_assert_double_eq(result_double(&k0), 1537228602658000400.0);
    agg_close(&k0);
    agg_close(&k100);

    const eddy_type *d[] = {eddy_type_double()};
    agg a;
    agg_open(&a, "STDDEV_SAMP", 1, d);
    static const double in[] = {10, 12, 13, 14, 16};
    static const double out[] = {0, 2, 2.333333333333333, 2.9166666666666665, 5};
    for (int i = 0; i < 5; i++) {
        ADD1(&a, eddy_double(in[i]));
        ck_assert_double_eq(result_double(&a), out[i]);
    }
    agg_close(&a);
}
END_TEST

/* standarddeviation.json "stddev_samp double": key 0 -1.8, 2.3, 100.2; key 100 large. */
START_TEST(test_stddev_samp_double)
{
    const eddy_type *d[] = {eddy_type_double()};
    agg k0, k100;
    agg_open(&k0, "STDDEV_SAMP", 1, d);
    agg_open(&k100, "STDDEV_SAMP", 1, d);
    ADD1(&k0, eddy_double(-1.8));
    ADD1(&k0, eddy_double(2.3));
    ck_assert_double_eq(result_double(&k0), 8.405);
    ADD1(&k100, eddy_double(9223372036854.775));
    ADD1(&k100, eddy_double(300.8));
    ck_assert_double_eq(result_double(&k100), 4.253529586234292e25);
    ADD1(&k0, eddy_double(100.2));
    ck_assert_double_eq(result_double(&k0), 3334.2033333333347);
    ADD1(&k100, eddy_double(-200000.6));
    ck_assert_double_eq(result_double(&k100), 2.835686452404674e25);
    ADD1(&k100, eddy_double(0));
    ck_assert_double_eq(result_double(&k100), 2.1267648239542927e25);
    agg_close(&k0);
    agg_close(&k100);
}
END_TEST

/* Merge (Chan et al.) agrees with one pass, by hand: {1, 2} + {3, 4, 10}. */
START_TEST(test_stddev_merge)
{
    const eddy_type *d[] = {eddy_type_double()};
    agg a, b, all;
    agg_open(&a, "STDDEV_SAMP", 1, d);
    agg_open(&b, "STDDEV_SAMP", 1, d);
    agg_open(&all, "STDDEV_SAMP", 1, d);
    static const double v[] = {1, 2, 3, 4, 10};
    for (int i = 0; i < 5; i++) {
        ADD1(i < 2 ? &a : &b, eddy_double(v[i]));
        ADD1(&all, eddy_double(v[i]));
    }
    merge(&a, &b);
    /* mean 4, squared deviations 9 + 4 + 1 + 0 + 36 = 50, / 4 */
    ck_assert_double_eq_tol(result_double(&a), 12.5, 1e-12);
    ck_assert_double_eq_tol(result_double(&all), 12.5, 1e-12);
    agg e;
    agg_open(&e, "STDDEV_SAMP", 1, d);
    merge(&e, &a);
    ck_assert_double_eq_tol(result_double(&e), 12.5, 1e-12);
    agg_close(&a);
    agg_close(&b);
    agg_close(&all);
    agg_close(&e);
}
END_TEST

/* ---------------------------------------------------------- CORRELATION */

START_TEST(test_correlation_types)
{
    const eddy_type *dd[] = {eddy_type_double(), eddy_type_double()};
    const char *acc = "STRUCT<`X_SUM` DOUBLE, `Y_SUM` DOUBLE, `X_SQUARED_SUM` DOUBLE, "
                      "`Y_SQUARED_SUM` DOUBLE, `XY_SUM` DOUBLE, `COUNT` BIGINT>";
    check_types("CORRELATION", 2, dd, "DOUBLE", acc);
    const eddy_type *ii[] = {eddy_type_int(), eddy_type_int()};
    eddy_func_binding b;
    char err[512];
    ck_assert_int_eq(resolve("CORRELATION", 2, ii, &b, err, sizeof err), 0);
    ck_assert_ptr_eq(b.param[0], eddy_type_double()); /* INT args widen */
    const eddy_type *one[] = {eddy_type_double()};
    check_rejects("CORRELATION", 1, one,
                  "Function 'CORRELATION' does not accept parameters (DOUBLE).\n"
                  "Valid alternatives are:\nCORRELATION(DOUBLE x, DOUBLE y)");
}
END_TEST

static void corr_add2(agg *a, double x, bool xnull, double y, bool ynull)
{
    eddy_value v[2] = {xnull ? eddy_null(EDDY_TYPE_DOUBLE) : eddy_double(x),
                       ynull ? eddy_null(EDDY_TYPE_DOUBLE) : eddy_double(y)};
    add(a, 2, v);
}

/* correlation-udaf.json "correlation double" and "correlation int" (INT values arrive as
 * DOUBLE: the resolved parameter type). */
START_TEST(test_correlation)
{
    const eddy_type *dd[] = {eddy_type_double(), eddy_type_double()};
    agg alice, bob;
    agg_open(&alice, "CORRELATION", 2, dd);
    agg_open(&bob, "CORRELATION", 2, dd);
    ck_assert(isnan(result_double(&alice)));
    corr_add2(&alice, 1.5, false, 8, false);
    ck_assert(isnan(result_double(&alice)));
    corr_add2(&bob, -3.5, false, -2, false);
    ck_assert(isnan(result_double(&bob)));
    corr_add2(&alice, -1, false, -2, false);
    ck_assert_double_eq(result_double(&alice), 1);
    corr_add2(&alice, -4.5, false, -1, false);
    ck_assert_double_eq(result_double(&alice), 0.7580764521133173);
    corr_add2(&bob, 13.1, false, 0, true);
    ck_assert(isnan(result_double(&bob)));
    corr_add2(&bob, 3, false, 11, false);
    ck_assert_double_eq(result_double(&bob), 1);
    corr_add2(&alice, 0, true, -6, false);
    ck_assert_double_eq(result_double(&alice), 0.7580764521133173);
    /* undo the last real row: back to two points */
    eddy_value v[2] = {eddy_double(-4.5), eddy_double(-1)};
    undo(&alice, 2, v);
    ck_assert_double_eq(result_double(&alice), 1);
    agg_close(&alice);
    agg_close(&bob);

    agg a, m1, m2;
    agg_open(&a, "CORRELATION", 2, dd);
    corr_add2(&a, 1, false, 8, false);
    corr_add2(&a, -1, false, -2, false);
    corr_add2(&a, -4, false, -1, false);
    ck_assert_double_eq(result_double(&a), 0.7455284088780169);
    /* merge {(1, 8)} with {(-1, -2), (-4, -1)} */
    agg_open(&m1, "CORRELATION", 2, dd);
    agg_open(&m2, "CORRELATION", 2, dd);
    corr_add2(&m1, 1, false, 8, false);
    corr_add2(&m2, -1, false, -2, false);
    corr_add2(&m2, -4, false, -1, false);
    merge(&m1, &m2);
    ck_assert_double_eq_tol(result_double(&m1), 0.7455284088780169, 1e-12);
    agg_close(&a);
    agg_close(&m1);
    agg_close(&m2);
}
END_TEST

/* ---------------------------------------------------------- registry */

static void count_aggs(const eddy_function *f, void *opaque)
{
    if (f->kind == EDDY_FUNC_AGGREGATE)
        ++*(int *)opaque;
}

START_TEST(test_registry)
{
    int n = 0;
    eddy_registry_foreach(eddy_registry_default(), count_aggs, &n);
    ck_assert_int_ge(n, 100);
    static const char *names[] = {"COUNT", "SUM", "AVG", "MIN", "MAX", "COLLECT_LIST",
                                  "COLLECT_SET", "COUNT_DISTINCT", "EARLIEST_BY_OFFSET",
                                  "LATEST_BY_OFFSET", "TOPK", "TOPKDISTINCT", "HISTOGRAM",
                                  "STDDEV_SAMP", "STDDEV_SAMPLE", "CORRELATION"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_int_eq(eddy_registry_kind_of(eddy_registry_default(), names[i]),
                         EDDY_FUNC_AGGREGATE);
    eddy_func_binding b;
    char err[256];
    ck_assert_int_eq(resolve("NO_SUCH_AGG", 0, NULL, &b, err, sizeof err), EDDY_ENOTFOUND);
    ck_assert_str_eq(err, "Can't find any functions with the name 'NO_SUCH_AGG'");
    /* aggregates are not scalars */
    const eddy_type *i[] = {eddy_type_int()};
    ck_assert_int_eq(eddy_registry_resolve(NULL, "SUM", EDDY_FUNC_SCALAR, 1, i, &b, err,
                                           sizeof err), EDDY_ENOTFOUND);
}
END_TEST

static Suite *agg_suite(void)
{
    Suite *s = suite_create("udaf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_count_types);
    tcase_add_test(tc, test_count_star_table);
    tcase_add_test(tc, test_count_col);
    tcase_add_test(tc, test_sum_types);
    tcase_add_test(tc, test_sum_int);
    tcase_add_test(tc, test_sum_nulls);
    tcase_add_test(tc, test_sum_bigint_double);
    tcase_add_test(tc, test_sum_decimal);
    tcase_add_test(tc, test_sum_list);
    tcase_add_test(tc, test_avg_types);
    tcase_add_test(tc, test_avg_double);
    tcase_add_test(tc, test_avg_int);
    tcase_add_test(tc, test_min_max_types);
    tcase_add_test(tc, test_min_int);
    tcase_add_test(tc, test_min_decimal_double);
    tcase_add_test(tc, test_max_string);
    tcase_add_test(tc, test_max_timestamp_bytes);
    tcase_add_test(tc, test_collect_types);
    tcase_add_test(tc, test_collect_list_stream);
    tcase_add_test(tc, test_collect_list_table);
    tcase_add_test(tc, test_attr);
    tcase_add_test(tc, test_collect_list_struct);
    tcase_add_test(tc, test_collect_set);
    tcase_add_test(tc, test_collect_set_maps);
    tcase_add_test(tc, test_count_distinct);
    tcase_add_test(tc, test_count_distinct_large);
    tcase_add_test(tc, test_offset_types);
    tcase_add_test(tc, test_earliest_single);
    tcase_add_test(tc, test_earliest_n);
    tcase_add_test(tc, test_latest);
    tcase_add_test(tc, test_offset_session_merge);
    tcase_add_test(tc, test_topk_types);
    tcase_add_test(tc, test_topk);
    tcase_add_test(tc, test_topk_struct);
    tcase_add_test(tc, test_topk_k2_and_literals);
    tcase_add_test(tc, test_topkdistinct);
    tcase_add_test(tc, test_histogram_types);
    tcase_add_test(tc, test_histogram_stream);
    tcase_add_test(tc, test_histogram_table);
    tcase_add_test(tc, test_histogram_limit);
    tcase_add_test(tc, test_stddev_types);
    tcase_add_test(tc, test_stddev_sample_int);
    tcase_add_test(tc, test_stddev_samp);
    tcase_add_test(tc, test_stddev_samp_double);
    tcase_add_test(tc, test_stddev_merge);
    tcase_add_test(tc, test_correlation_types);
    tcase_add_test(tc, test_correlation);
    tcase_add_test(tc, test_registry);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return eddy_test_run(agg_suite());
}
