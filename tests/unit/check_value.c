/* check_value.c: values: deep copy, total order, key equality and hashing (consistency), the
 * string rendering (Java's Double.toString included) and CAST, checked against ksqlDB's docs
 * (scalar-functions.md CAST table) and qtt cases (file and case cited per row). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eddy/value.h"
#include "testutil.h"

static eddy_arena *A;

static void setup(void) { A = eddy_arena_new(0); }
static void teardown(void) { eddy_arena_destroy(A); }

static eddy_value S(const char *s) { return eddy_string(s, (uint32_t)strlen(s)); }
static eddy_value D(long long unscaled, int p, int s) { return eddy_decimal(unscaled, p, s); }

/* An ARRAY or STRUCT of n items (arena). */
static eddy_value items(eddy_type_id t, int n, ...)
{
    eddy_value v = {0};
    v.type = (uint8_t)t;
    v.len = (uint32_t)n;
    v.u.items = eddy_arena_alloc(A, (size_t)(n ? n : 1) * sizeof(eddy_value));
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        v.u.items[i] = va_arg(ap, eddy_value);
    va_end(ap);
    return v;
}
#define ARR(...) items(EDDY_TYPE_ARRAY, __VA_ARGS__)
#define STRUCTV(...) items(EDDY_TYPE_STRUCT, __VA_ARGS__)

/* A MAP of n entries: key0, value0, key1, value1, ... */
static eddy_value MAPV(int n, ...)
{
    eddy_value v = {0};
    v.type = EDDY_TYPE_MAP;
    v.len = (uint32_t)n;
    v.u.items = eddy_arena_alloc(A, (size_t)(n ? 2 * n : 1) * sizeof(eddy_value));
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < 2 * n; i++)
        v.u.items[i] = va_arg(ap, eddy_value);
    va_end(ap);
    return v;
}

static const eddy_type *st(int n, const char *a, const eddy_type *ta, const char *b,
                           const eddy_type *tb)
{
    eddy_field f[2] = {{a, ta}, {b, tb}};
    return eddy_type_struct((uint32_t)n, f);
}

/* The rendering of v (typed when t is not NULL), in the arena. */
static const char *R(const eddy_value *v, const eddy_type *t)
{
    eddy_buf b = {0};
    ck_assert_int_eq(eddy_value_format_typed(&b, v, t), 0);
    char *s = eddy_arena_strndup(A, b.data ? b.data : "", b.len);
    eddy_buf_free(&b);
    return s;
}

static int sign(int c) { return (c > 0) - (c < 0); }

/* ------------------------------------------------------------------ copy */

START_TEST(test_copy)
{
    char s1[] = "hello", b1[] = {0, 1, 2};
    eddy_value inner = ARR(2, eddy_string(s1, 5), eddy_null(EDDY_TYPE_STRING));
    eddy_value m = MAPV(1, eddy_string(s1, 3), eddy_bytes(b1, 3));
    eddy_value v = STRUCTV(4, inner, m, eddy_int(7), D(-1230, 4, 2));
    eddy_arena *other = eddy_arena_new(0);
    eddy_value c;
    ck_assert_int_eq(eddy_value_copy(other, &v, &c), 0);
    ck_assert(eddy_value_equal(&v, &c));
    ck_assert_ptr_ne(c.u.items, v.u.items);
    ck_assert_ptr_ne(c.u.items[0].u.items[0].u.str, s1);
    /* The copy does not see later changes of the original's memory. */
    s1[0] = 'J';
    b1[0] = 9;
    ck_assert(!eddy_value_equal(&v, &c));
    ck_assert_str_eq(R(&c.u.items[0], NULL), "[hello, null]");
    ck_assert_int_eq(c.u.items[1].u.items[1].u.str[0], 0);
    ck_assert(c.u.items[3].u.dec == -1230 && c.u.items[3].precision == 4 &&
              c.u.items[3].scale == 2);
    ck_assert_uint_gt(eddy_arena_used(other), 0);
    eddy_arena_destroy(other);

    eddy_value n = eddy_null(EDDY_TYPE_ARRAY), e = eddy_string("", 0), z = ARR(0);
    ck_assert_int_eq(eddy_value_copy(A, &n, &c), 0);
    ck_assert(c.is_null && c.type == EDDY_TYPE_ARRAY);
    ck_assert_int_eq(eddy_value_copy(A, &e, &c), 0);
    ck_assert(c.type == EDDY_TYPE_STRING && c.len == 0);
    ck_assert_int_eq(eddy_value_copy(A, &z, &c), 0);
    ck_assert(c.type == EDDY_TYPE_ARRAY && c.len == 0);
}
END_TEST

/* ----------------------------------------------------------------- order */

START_TEST(test_compare)
{
    struct {
        eddy_value a, b;
        int want;
    } cases[] = {
        /* NULL first, NULLs equal whatever their tags */
        {eddy_null(EDDY_TYPE_INT), eddy_int(INT32_MIN), -1},
        {eddy_null(EDDY_TYPE_INT), eddy_null(EDDY_TYPE_STRING), 0},
        {{0}, eddy_null(EDDY_TYPE_INT), 0},
        {S(""), {0}, 1},
        /* numbers across types, by value */
        {eddy_int(1), eddy_bigint(2), -1},
        {eddy_bigint(INT64_MAX), eddy_int(INT32_MAX), 1},
        {eddy_int(1), D(100, 3, 2), 0},
        {D(1001, 4, 2), D(10012, 5, 3), -1}, /* decimal.json "less than - differing scale" */
        {D(1001, 4, 2), D(10010, 5, 3), 0},
        {D(-1001, 4, 2), D(-10012, 5, 3), 1},
        {D(-1, 4, 2), D(1, 4, 3), -1},
        {D(5, 2, 1), eddy_double(0.5), 0},
        {D(24, 3, 2), eddy_double(0.25), -1},
        {D(1, 2, 1), eddy_double(0.1), -1}, /* the double 0.1 is 0.1000000000000000055.. */
        {D(-1, 2, 1), eddy_double(-0.1), 1},
        {eddy_double(1.5), eddy_int(1), 1},
        {eddy_double(-1.5), eddy_bigint(-1), -1},
        {eddy_double(-1.5), eddy_bigint(-2), 1},
        {eddy_bigint(INT64_MAX), eddy_double(9223372036854775808.0), -1}, /* 2^63 */
        {eddy_bigint(9007199254740993LL), eddy_double(9007199254740992.0), 1},
        {eddy_double(1e37), eddy_decimal((__int128)10000000000000000000ull * 1000000000000000000ull, 38, 0), -1},
        {eddy_double(1e-40), D(1, 38, 38), -1},
        {eddy_double(-1e-40), D(0, 38, 38), -1},
        {eddy_double(1e300), D(-1, 38, 0), 1},
        {eddy_double(-INFINITY), eddy_bigint(INT64_MIN), -1},
        {eddy_double(NAN), eddy_double(INFINITY), 1},
        {eddy_double(NAN), eddy_bigint(INT64_MAX), 1},
        {eddy_double(NAN), eddy_double(NAN), 0},
        {eddy_double(-0.0), eddy_double(0.0), -1}, /* Java's Double.compare */
        {eddy_double(-0.0), eddy_int(0), -1},
        {eddy_double(0.0), eddy_int(0), 0},
        {eddy_double(0.0), D(0, 5, 2), 0},
        /* strings and bytes bytewise, shorter first */
        {S("a"), S("b"), -1},
        {S("ab"), S("a"), 1},
        {S(""), S("a"), -1},
        {S("abc"), S("abc"), 0},
        {S("\xc3\xa9"), S("z"), 1},
        {eddy_bytes("\x01", 1), eddy_bytes("\x01\x00", 2), -1},
        {eddy_bool(false), eddy_bool(true), -1},
        /* DATE against TIMESTAMP as midnight (qtt date.json "greater than - DATE TIMESTAMP") */
        {eddy_date(10), eddy_timestamp(300), 1},
        {eddy_date(10), eddy_timestamp(864000000), 0},
        {eddy_date(10), eddy_timestamp(864000005), -1},
        {eddy_date(10), eddy_timestamp(863999999), 1},
        {eddy_date(-1), eddy_date(0), -1},
        {eddy_time(10), eddy_time(12), -1},
        {eddy_timestamp(10), eddy_timestamp(10), 0},
        /* different kinds order by kind */
        {eddy_bool(true), eddy_int(0), -1},
        {S("x"), eddy_date(0), -1},
        {eddy_int(5), S("1"), -1},
        /* containers */
        {ARR(2, eddy_int(1), eddy_int(2)), ARR(2, eddy_int(1), eddy_int(3)), -1},
        {ARR(2, eddy_int(1), eddy_int(2)), ARR(3, eddy_int(1), eddy_int(2), eddy_int(0)), -1},
        {ARR(0), ARR(1, eddy_int(1)), -1},
        {ARR(1, eddy_null(EDDY_TYPE_INT)), ARR(1, eddy_int(1)), -1},
        {ARR(1, D(10, 3, 1)), ARR(1, D(100, 4, 2)), 0},
        {STRUCTV(2, eddy_int(1), S("b")), STRUCTV(2, eddy_int(1), S("a")), 1},
        {MAPV(2, S("a"), eddy_int(1), S("b"), eddy_int(2)),
         MAPV(2, S("b"), eddy_int(2), S("a"), eddy_int(1)), 0},
        {MAPV(2, S("a"), eddy_int(1), S("b"), eddy_int(2)),
         MAPV(2, S("b"), eddy_int(2), S("a"), eddy_int(3)), -1},
        {MAPV(1, S("a"), eddy_int(9)), MAPV(2, S("a"), eddy_int(1), S("b"), eddy_int(2)), -1},
        {MAPV(2, S("c"), eddy_int(0), S("a"), eddy_int(1)),
         MAPV(2, S("b"), eddy_int(0), S("a"), eddy_int(1)), 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int c = sign(eddy_value_compare(&cases[i].a, &cases[i].b));
        int r = sign(eddy_value_compare(&cases[i].b, &cases[i].a));
        ck_assert_msg(c == cases[i].want && r == -cases[i].want,
                      "case %zu: compare(%s, %s) = %d (reverse %d), want %d", i,
                      R(&cases[i].a, NULL), R(&cases[i].b, NULL), c, r, cases[i].want);
    }
}
END_TEST

/* Every pair and triple of a pool of values: antisymmetry, transitivity, and
 * equal => compare == 0 and equal hashes. */
START_TEST(test_order_properties)
{
    eddy_value pool[] = {
        eddy_null(EDDY_TYPE_INT), eddy_null(EDDY_TYPE_STRING), eddy_bool(false), eddy_bool(true),
        eddy_int(-1), eddy_int(0), eddy_int(1), eddy_int(INT32_MAX), eddy_bigint(0),
        eddy_bigint(1), eddy_bigint(INT64_MIN), eddy_bigint(INT64_MAX),
        eddy_bigint(9007199254740993LL), D(0, 4, 2), D(100, 4, 2), D(10, 3, 1), D(-5, 2, 1),
        D(1, 2, 1), D(25, 3, 2), eddy_double(0.0), eddy_double(-0.0), eddy_double(1.0),
        eddy_double(0.1), eddy_double(0.25), eddy_double(-0.5), eddy_double(NAN),
        eddy_double(INFINITY), eddy_double(-INFINITY), eddy_double(9007199254740992.0),
        eddy_double(9223372036854775808.0), S(""), S("a"), S("ab"), S("b"),
        eddy_bytes("a", 1), eddy_date(0), eddy_date(1), eddy_timestamp(0),
        eddy_timestamp(86400000), eddy_timestamp(-1), eddy_time(0), eddy_time(5),
        ARR(0), ARR(1, eddy_int(1)), ARR(1, D(10, 3, 1)), ARR(2, eddy_int(1), eddy_int(2)),
        MAPV(1, S("a"), eddy_int(1)), MAPV(2, S("a"), eddy_int(1), S("b"), eddy_int(2)),
        MAPV(2, S("b"), eddy_int(2), S("a"), eddy_int(1)), STRUCTV(1, eddy_int(1)),
        STRUCTV(2, eddy_int(1), eddy_null(EDDY_TYPE_STRING)),
    };
    size_t n = sizeof pool / sizeof *pool;
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(eddy_value_compare(&pool[i], &pool[i]) == 0, "reflexive %zu", i);
        ck_assert_msg(eddy_value_equal(&pool[i], &pool[i]), "equal to itself %zu", i);
        for (size_t j = 0; j < n; j++) {
            int c = sign(eddy_value_compare(&pool[i], &pool[j]));
            ck_assert_msg(c == -sign(eddy_value_compare(&pool[j], &pool[i])),
                          "antisymmetry %zu %zu", i, j);
            if (eddy_value_equal(&pool[i], &pool[j])) {
                ck_assert_msg(c == 0, "equal but compare != 0: %zu %zu", i, j);
                ck_assert_msg(eddy_value_hash(&pool[i], 7) == eddy_value_hash(&pool[j], 7),
                              "equal but hashes differ: %zu %zu", i, j);
            }
            for (size_t k = 0; k < n; k++) {
                int c2 = sign(eddy_value_compare(&pool[j], &pool[k]));
                int c3 = sign(eddy_value_compare(&pool[i], &pool[k]));
                if (c <= 0 && c2 <= 0 && !(c3 <= 0))
                    ck_abort_msg("transitivity: %zu <= %zu <= %zu but not %zu <= %zu", i, j,
                                 k, i, k);
            }
        }
    }
}
END_TEST

START_TEST(test_equal_hash)
{
    struct {
        eddy_value a, b;
        bool equal;
    } cases[] = {
        {D(10, 3, 1), D(100, 4, 2), true}, /* 1.0 == 1.00 */
        {D(-10, 3, 1), D(-1000, 5, 3), true},
        {D(0, 3, 1), D(0, 5, 4), true},
        {D(1001, 4, 2), D(1001, 4, 2), true},
        {D(1001, 4, 2), D(1201, 4, 2), false}, /* decimal.json "equal - decimal decimal" */
        {D(10, 3, 1), D(1, 3, 1), false},
        {eddy_null(EDDY_TYPE_INT), eddy_null(EDDY_TYPE_INT), true},
        {eddy_null(EDDY_TYPE_INT), eddy_null(EDDY_TYPE_STRING), true},
        {eddy_null(EDDY_TYPE_INT), eddy_int(0), false},
        /* different type ids are never equal keys (compare still says 0) */
        {eddy_int(1), eddy_bigint(1), false},
        {eddy_int(1), D(1, 1, 0), false},
        {eddy_date(10), eddy_timestamp(864000000), false},
        {S("a"), eddy_bytes("a", 1), false},
        {eddy_double(NAN), eddy_double(-NAN), true},
        {eddy_double(0.0), eddy_double(-0.0), false},
        {eddy_double(0.1), eddy_double(0.1), true},
        {S("abc"), S("abc"), true},
        {S("abc"), S("abd"), false},
        {S(""), eddy_string(NULL, 0), true},
        {eddy_timestamp(10), eddy_timestamp(10), true}, /* timestamp.json "equal" */
        {eddy_timestamp(10), eddy_timestamp(100), false},
        {eddy_time(10), eddy_time(10), true},
        {ARR(2, D(10, 3, 1), S("x")), ARR(2, D(1, 2, 0), S("x")), true},
        {ARR(1, eddy_int(1)), ARR(2, eddy_int(1), eddy_int(1)), false},
        {MAPV(2, S("a"), eddy_int(1), S("b"), eddy_int(2)),
         MAPV(2, S("b"), eddy_int(2), S("a"), eddy_int(1)), true},
        {MAPV(2, S("a"), eddy_int(1), S("b"), eddy_int(2)),
         MAPV(2, S("a"), eddy_int(2), S("b"), eddy_int(1)), false},
        {STRUCTV(2, eddy_null(EDDY_TYPE_INT), S("x")), STRUCTV(2, eddy_null(EDDY_TYPE_INT), S("x")), true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ck_assert_msg(eddy_value_equal(&cases[i].a, &cases[i].b) == cases[i].equal &&
                          eddy_value_equal(&cases[i].b, &cases[i].a) == cases[i].equal,
                      "case %zu", i);
        if (cases[i].equal) {
            for (uint64_t seed = 0; seed < 3; seed++)
                ck_assert_msg(eddy_value_hash(&cases[i].a, seed) ==
                                  eddy_value_hash(&cases[i].b, seed),
                              "case %zu: equal values, different hashes", i);
            ck_assert_msg(eddy_value_compare(&cases[i].a, &cases[i].b) == 0, "case %zu", i);
        }
    }
    /* The seed changes the hash; distinct small keys do not collide. */
    eddy_value v = S("key");
    ck_assert(eddy_value_hash(&v, 1) != eddy_value_hash(&v, 2));
    uint64_t h[1000];
    for (int i = 0; i < 1000; i++) {
        eddy_value x = eddy_int(i);
        h[i] = eddy_value_hash(&x, 0);
        for (int j = 0; j < i; j++)
            ck_assert_msg(h[i] != h[j], "INT %d and %d collide", i, j);
    }
    char buf[16];
    uint64_t low = 0;
    for (int i = 0; i < 4096; i++) {
        snprintf(buf, sizeof buf, "k%d", i);
        eddy_value x = S(buf);
        low |= 1ull << (eddy_value_hash(&x, 0) & 63); /* the low bits spread */
    }
    ck_assert(low == UINT64_MAX);
}
END_TEST

/* ------------------------------------------------------------- rendering */

START_TEST(test_double_tostring)
{
    static const struct {
        double d;
        const char *want;
    } cases[] = {
        {0.1, "0.1"},
        {1.0, "1.0"},
        {100.0, "100.0"},
        {1.0E7, "1.0E7"},
        {1.2345678E7, "1.2345678E7"},
        {1.0E-4, "1.0E-4"},
        {0.001, "0.001"},
        {-0.0, "-0.0"},
        {0.0, "0.0"},
        {NAN, "NaN"},
        {INFINITY, "Infinity"},
        {-INFINITY, "-Infinity"},
        {9999999.0, "9999999.0"},
        {1.0E10, "1.0E10"},
        {123456.789, "123456.789"},
        {0.1 + 0.2, "0.30000000000000004"},
        {1e21, "1.0E21"},
        {1e-3 * 0.5, "5.0E-4"},
        {-12.5, "-12.5"},
        {10.3, "10.3"},  /* qtt cast.json "no op" */
        {3.1, "3.1"},    /* qtt table-functions.json */
        {15.11, "15.11"},
        /* qtt literals.json "DOUBLE literal min/max" */
        {4.9E-324, "4.9E-324"},
        {-4.9E-324, "-4.9E-324"},
        {2.2250738585072014E-308, "2.2250738585072014E-308"},
        {1.7976931348623157E308, "1.7976931348623157E308"},
        {-1.7976931348623157E308, "-1.7976931348623157E308"},
        {2e-323, "2.0E-323"}, /* one digit would do: the closest two-digit decimal */
        {1.0 / 3, "0.3333333333333333"},
        {2.0 / 3, "0.6666666666666666"},
        {100.0 / 3, "33.333333333333336"},
        {1e23, "1.0E23"},
        {9007199254740993.0, "9.007199254740992E15"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        eddy_value v = eddy_double(cases[i].d);
        ck_assert_str_eq(R(&v, NULL), cases[i].want);
    }
}
END_TEST

START_TEST(test_format)
{
    const eddy_type *sf = st(2, "F0", eddy_type_int(), "f1", eddy_type_int());
    struct {
        eddy_value v;
        const eddy_type *t;
        const char *want;
    } cases[] = {
        {eddy_bool(true), NULL, "true"},
        {eddy_bool(false), NULL, "false"},
        {eddy_int(-1), NULL, "-1"}, /* cast.json "integer to string" */
        {eddy_int(INT32_MIN), NULL, "-2147483648"},
        {eddy_bigint(2147483648LL), NULL, "2147483648"}, /* cast.json array<bigint> */
        {eddy_bigint(INT64_MIN), NULL, "-9223372036854775808"},
        {D(1234560000000LL, 20, 10), NULL, "123.4560000000"}, /* table-functions.json */
        {D(-5, 4, 3), NULL, "-0.005"},
        {D(1, 10, 9), NULL, "0.000000001"}, /* plain at the top level */
        {S("foo"), NULL, "foo"},
        {eddy_bytes("\x01\x02\x03", 3), NULL, "AQID"},
        {eddy_bytes("", 0), NULL, ""},
        {eddy_date(10), NULL, "1970-01-11"},  /* date.json "casting - date to string" */
        {eddy_date(-1), NULL, "1969-12-31"},
        {eddy_date(18292), NULL, "2020-01-31"},
        {eddy_date(-719528), NULL, "0000-01-01"},
        {eddy_date(2932897), NULL, "+10000-01-01"},
        {eddy_time(5000), NULL, "00:00:05"}, /* time.json "casting - time to string" */
        {eddy_time(0), NULL, "00:00:00"},
        {eddy_time(10), NULL, "00:00:00.010"},
        {eddy_time(86399999), NULL, "23:59:59.999"},
        {eddy_timestamp(10), NULL, "1970-01-01T00:00:00.010"}, /* timestamp.json */
        {eddy_timestamp(4), NULL, "1970-01-01T00:00:00.004"},
        {eddy_timestamp(0), NULL, "1970-01-01T00:00:00.000"},
        {eddy_timestamp(-1), NULL, "1969-12-31T23:59:59.999"},
        {eddy_timestamp(1580462130123LL), NULL, "2020-01-31T09:15:30.123"},
        {eddy_null(EDDY_TYPE_INT), NULL, "null"},
        {{0}, NULL, "null"},
        {ARR(2, eddy_int(1), eddy_int(3)), NULL, "[1, 3]"}, /* cast.json "array to string" */
        {ARR(0), NULL, "[]"},
        {ARR(3, S("a"), eddy_null(EDDY_TYPE_STRING), S("")), NULL, "[a, null, ]"},
        {ARR(2, ARR(1, eddy_int(1)), ARR(0)), NULL, "[[1], []]"},
        {MAPV(1, S("this"), eddy_int(1)), NULL, "{this=1}"}, /* cast.json "map to string" */
        {MAPV(2, S("a"), eddy_int(1), S("b"), eddy_null(EDDY_TYPE_INT)), NULL, "{a=1, b=null}"},
        {MAPV(0), NULL, "{}"},
        /* cast.json "struct to string" */
        {STRUCTV(2, eddy_int(1), eddy_int(3)), sf, "Struct{F0=1,f1=3}"},
        /* Connect's Struct.toString leaves null fields out */
        {STRUCTV(2, eddy_null(EDDY_TYPE_INT), eddy_int(3)), sf, "Struct{f1=3}"},
        {STRUCTV(2, eddy_null(EDDY_TYPE_INT), eddy_null(EDDY_TYPE_INT)), sf, "Struct{}"},
        /* table-functions.json: "Struct{A=bar}" */
        {STRUCTV(1, S("bar")), st(1, "A", eddy_type_string(), NULL, NULL), "Struct{A=bar}"},
        /* without the type, fields print as positions */
        {STRUCTV(2, eddy_int(1), eddy_int(3)), NULL, "Struct{0=1,1=3}"},
        /* nested values render as Java objects' toString */
        {ARR(2, eddy_double(1.0), eddy_double(1e7)), NULL, "[1.0, 1.0E7]"},
        {ARR(3, D(1, 10, 7), D(0, 10, 7), D(123, 10, 9)), NULL, "[1E-7, 0E-7, 1.23E-7]"},
        {ARR(2, D(1, 10, 6), D(-12300, 6, 2)), NULL, "[0.000001, -123.00]"},
        {ARR(2, eddy_timestamp(10), eddy_timestamp(0)), NULL,
         "[1970-01-01 00:00:00.01, 1970-01-01 00:00:00.0]"},
        {ARR(2, eddy_time(5010), eddy_date(10)), NULL, "[00:00:05, 1970-01-11]"},
        {ARR(1, STRUCTV(1, S("bar"))), eddy_type_array(st(1, "A", eddy_type_string(), NULL, NULL)),
         "[Struct{A=bar}]"},
        {MAPV(1, S("k"), STRUCTV(2, eddy_bool(true), ARR(1, eddy_int(2)))),
         eddy_type_map(eddy_type_string(),
                       st(2, "X", eddy_type_boolean(), "Y", eddy_type_array(eddy_type_int()))),
         "{k=Struct{X=true,Y=[2]}}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ck_assert_msg(strcmp(R(&cases[i].v, cases[i].t), cases[i].want) == 0,
                      "case %zu: '%s', want '%s'", i, R(&cases[i].v, cases[i].t),
                      cases[i].want);
    /* The untyped entry point is the typed one without a type; it appends. */
    eddy_buf b = {0};
    eddy_value v = eddy_int(4);
    ck_assert_int_eq(eddy_buf_puts(&b, "x="), 0);
    ck_assert_int_eq(eddy_value_format(&b, &v), 0);
    ck_assert_str_eq(eddy_buf_cstr(&b), "x=4");
    eddy_buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------------ cast */

typedef struct cast_case {
    const char *what;
    eddy_value in;
    const eddy_type *from; /* NULL: untyped cast */
    const eddy_type *to;
    int rc;
    eddy_value want; /* compared with eddy_value_equal when rc == 0 */
} cast_case;

static void run_casts(const cast_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const cast_case *c = &cases[i];
        eddy_value out;
        memset(&out, 0x5a, sizeof out);
        char err[EDDY_ERRSTR_SIZE] = "";
        int rc = c->from ? eddy_value_cast_typed(A, &c->in, c->from, c->to, &out, err, sizeof err)
                         : eddy_value_cast(A, &c->in, c->to, &out, err, sizeof err);
        ck_assert_msg(rc == c->rc, "%s (case %zu): rc %d (%s), want %d", c->what, i, rc, err,
                      c->rc);
        if (rc) {
            ck_assert_msg(err[0], "%s: no message", c->what);
            continue;
        }
        ck_assert_msg(out.type == c->to->id, "%s: type %d", c->what, out.type);
        ck_assert_msg(eddy_value_equal(&out, &c->want), "%s: got '%s', want '%s'", c->what,
                      R(&out, c->to), R(&c->want, c->to));
        if (c->to->id == EDDY_TYPE_DECIMAL)
            ck_assert_msg(out.precision == c->to->precision && out.scale == c->to->scale,
                          "%s: DECIMAL(%d, %d)", c->what, out.precision, out.scale);
    }
}

START_TEST(test_cast_qtt)
{
    const eddy_type *I = eddy_type_int(), *B = eddy_type_bigint(), *Str = eddy_type_string(),
                    *Dbl = eddy_type_double(), *D21 = eddy_type_decimal(2, 1);
    const eddy_type *AI = eddy_type_array(I), *AB = eddy_type_array(B),
                    *AS = eddy_type_array(Str);
    cast_case cases[] = {
        {"cast.json 1 array to array same schema", ARR(2, eddy_int(1), eddy_int(3)), NULL, AI,
         0, ARR(2, eddy_int(1), eddy_int(3))},
        {"cast.json 2 array<bigint> to array<int>",
         ARR(3, eddy_bigint(1), eddy_bigint(3), eddy_bigint(2147483648LL)), NULL, AI, 0,
         ARR(3, eddy_int(1), eddy_int(3), eddy_int(INT32_MIN))},
        {"cast.json 3 array<bigint> to array<string>",
         ARR(3, eddy_bigint(1), eddy_bigint(3), eddy_bigint(2147483648LL)), AB, AS, 0,
         ARR(3, S("1"), S("3"), S("2147483648"))},
        {"cast.json 4 array<array<bigint>> to array<array<string>>",
         ARR(2, ARR(3, eddy_bigint(1), eddy_bigint(3), eddy_bigint(2147483648LL)),
             ARR(3, eddy_bigint(-1), eddy_bigint(-3), eddy_bigint(-2147483648LL))),
         NULL, eddy_type_array(AS), 0,
         ARR(2, ARR(3, S("1"), S("3"), S("2147483648")),
             ARR(3, S("-1"), S("-3"), S("-2147483648")))},
        {"cast.json 5 non-map to map", S("x"), NULL, eddy_type_map(Str, I), EDDY_ETYPE, {0}},
        {"cast.json 7 map to map same schema", MAPV(1, S("this"), eddy_int(1)), NULL,
         eddy_type_map(Str, I), 0, MAPV(1, S("this"), eddy_int(1))},
        {"cast.json 8 map<string, map<string, string>> to map<string, map<string, int>>",
         MAPV(1, S("k1"), MAPV(1, S("k2"), S("10"))), NULL,
         eddy_type_map(Str, eddy_type_map(Str, I)), 0,
         MAPV(1, S("k1"), MAPV(1, S("k2"), eddy_int(10)))},
        {"cast.json 9 non-struct to struct", S("x"), NULL, st(2, "F0", Str, "F1", I),
         EDDY_ETYPE, {0}},
        {"cast.json 10 struct to string", STRUCTV(2, eddy_int(1), eddy_int(3)),
         st(2, "F0", I, "f1", I), Str, 0, S("Struct{F0=1,f1=3}")},
        {"cast.json 11 struct to struct same schema", STRUCTV(2, eddy_int(1), eddy_int(3)),
         st(2, "F0", I, "f1", I), st(2, "F0", I, "f1", I), 0,
         STRUCTV(2, eddy_int(1), eddy_int(3))},
        {"cast.json 13 no op BOOLEAN", eddy_bool(true), NULL, eddy_type_boolean(), 0,
         eddy_bool(true)},
        {"cast.json 13 no op DOUBLE", eddy_double(10.3), NULL, Dbl, 0, eddy_double(10.3)},
        {"cast.json 13 no op STRING", S("bob"), NULL, Str, 0, S("bob")},
        {"cast.json 16 integer to decimal 1", eddy_int(1), NULL, D21, 0, D(10, 2, 1)},
        {"cast.json 16 integer to decimal 0", eddy_int(0), NULL, D21, 0, D(0, 2, 1)},
        {"cast.json 16 integer to decimal -1", eddy_int(-1), NULL, D21, 0, D(-10, 2, 1)},
        {"cast.json 16 integer to decimal 10", eddy_int(10), NULL, D21, EDDY_ERANGE, {0}},
        {"cast.json 17 double to decimal 0.1", eddy_double(0.1), NULL, D21, 0, D(1, 2, 1)},
        {"cast.json 17 double to decimal 1.1", eddy_double(1.1), NULL, D21, 0, D(11, 2, 1)},
        {"cast.json 17 double to decimal 0.0", eddy_double(0.0), NULL, D21, 0, D(0, 2, 1)},
        {"cast.json 17 double to decimal 0.99", eddy_double(0.99), NULL, D21, 0, D(10, 2, 1)},
        {"cast.json 17 double to decimal 0.01", eddy_double(0.01), NULL, D21, 0, D(0, 2, 1)},
        {"cast.json 18 integer to bigint", eddy_int(-1), NULL, B, 0, eddy_bigint(-1)},
        {"cast.json 19 integer to string", eddy_int(-1), NULL, Str, 0, S("-1")},
        {"cast.json 20 double to int", eddy_double(3.3 - 2.1), NULL, I, 0, eddy_int(1)},
        {"timestamp.json 12 timestamp to string", eddy_timestamp(10), NULL, Str, 0,
         S("1970-01-01T00:00:00.010")},
        {"timestamp.json 13 'foo'", S("foo"), NULL, eddy_type_timestamp(), EDDY_EPARSE, {0}},
        {"timestamp.json 13 with ms", S("1970-01-01T00:00:00.010"), NULL,
         eddy_type_timestamp(), 0, eddy_timestamp(10)},
        {"timestamp.json 13 seconds", S("1970-01-01T00:00:01"), NULL, eddy_type_timestamp(), 0,
         eddy_timestamp(1000)},
        {"date.json 3 date to string", eddy_date(10), NULL, Str, 0, S("1970-01-11")},
        {"date.json 3 date to string -1", eddy_date(-1), NULL, Str, 0, S("1969-12-31")},
        {"date.json 4 'foo'", S("foo"), NULL, eddy_type_date(), EDDY_EPARSE, {0}},
        {"date.json 4 1970-01-10", S("1970-01-10"), NULL, eddy_type_date(), 0, eddy_date(9)},
        {"date.json 4 1970-01", S("1970-01"), NULL, eddy_type_date(), 0, eddy_date(0)},
        {"date.json 4 1969-12-31", S("1969-12-31"), NULL, eddy_type_date(), 0, eddy_date(-1)},
        {"date.json 5 5000", eddy_timestamp(5000), NULL, eddy_type_date(), 0, eddy_date(0)},
        {"date.json 5 -2000", eddy_timestamp(-2000), NULL, eddy_type_date(), 0, eddy_date(-1)},
        {"date.json 5 86400100", eddy_timestamp(86400100), NULL, eddy_type_date(), 0,
         eddy_date(1)},
        {"time.json 3 time to string", eddy_time(5000), NULL, Str, 0, S("00:00:05")},
        {"time.json 4 'foo'", S("foo"), NULL, eddy_type_time(), EDDY_EPARSE, {0}},
        {"time.json 4 00:00:00.010", S("00:00:00.010"), NULL, eddy_type_time(), 0,
         eddy_time(10)},
        {"time.json 4 00:00:01", S("00:00:01"), NULL, eddy_type_time(), 0, eddy_time(1000)},
        {"time.json 4 00:01", S("00:01"), NULL, eddy_type_time(), 0, eddy_time(60000)},
    };
    run_casts(cases, sizeof cases / sizeof *cases);

    /* Messages as ksqlDB words them (cast.json 5 and 9). */
    char err[EDDY_ERRSTR_SIZE];
    eddy_value in = S("x"), out;
    ck_assert_int_eq(eddy_value_cast(A, &in, eddy_type_map(Str, I), &out, err, sizeof err),
                     EDDY_ETYPE);
    ck_assert_str_eq(err, "Cast of STRING to MAP<STRING, INTEGER> is not supported");
    ck_assert_int_eq(eddy_value_cast(A, &in, st(2, "F0", Str, "F1", I), &out, err, sizeof err),
                     EDDY_ETYPE);
    ck_assert_str_eq(err, "Cast of STRING to STRUCT<`F0` STRING, `F1` INTEGER> is not supported");
    /* errstr may be NULL */
    ck_assert_int_eq(eddy_value_cast(A, &in, I, &out, NULL, 0), EDDY_EPARSE);
}
END_TEST

START_TEST(test_cast_nulls)
{
    /* cast.json 14 "of nulls": CAST(null AS <type>) is a NULL of that type. */
    const eddy_type *types[] = {
        eddy_type_boolean(), eddy_type_int(), eddy_type_bigint(), eddy_type_double(),
        eddy_type_string(), eddy_type_array(eddy_type_int()),
        eddy_type_map(eddy_type_string(), eddy_type_int()),
        st(1, "F0", eddy_type_int(), NULL, NULL), eddy_type_decimal(7, 3), eddy_type_date(),
        eddy_type_time(), eddy_type_timestamp(), eddy_type_bytes(),
    };
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        eddy_value untyped = {0}, out;
        untyped.is_null = 1;
        ck_assert_int_eq(eddy_value_cast(A, &untyped, types[i], &out, NULL, 0), 0);
        ck_assert(out.is_null && out.type == types[i]->id);
        if (types[i]->id == EDDY_TYPE_DECIMAL)
            ck_assert(out.precision == 7 && out.scale == 3);
        eddy_value typed = eddy_null(EDDY_TYPE_STRING);
        int rc = eddy_value_cast(A, &typed, types[i], &out, NULL, 0);
        if (types[i]->id == EDDY_TYPE_ARRAY || types[i]->id == EDDY_TYPE_MAP ||
            types[i]->id == EDDY_TYPE_STRUCT || types[i]->id == EDDY_TYPE_BYTES) {
            ck_assert_int_eq(rc, EDDY_ETYPE); /* not a defined cast, even for NULL */
        } else {
            ck_assert_int_eq(rc, 0);
            ck_assert(out.is_null && out.type == types[i]->id);
        }
    }
    /* NULL items stay NULL, typed with the element type. */
    eddy_value in = ARR(2, eddy_null(EDDY_TYPE_BIGINT), eddy_bigint(5)), out;
    ck_assert_int_eq(eddy_value_cast(A, &in, eddy_type_array(eddy_type_string()), &out, NULL, 0),
                     0);
    ck_assert(out.u.items[0].is_null && out.u.items[0].type == EDDY_TYPE_STRING);
    ck_assert_str_eq(R(&out, NULL), "[null, 5]");
}
END_TEST

START_TEST(test_cast_numbers)
{
    const eddy_type *I = eddy_type_int(), *B = eddy_type_bigint(), *Dbl = eddy_type_double();
    const eddy_type *D21 = eddy_type_decimal(2, 1), *D42 = eddy_type_decimal(4, 2);
    cast_case cases[] = {
        /* Java's (int)/(long) of a double: toward zero, saturating, NaN is 0 */
        {"-3.9 -> INT", eddy_double(-3.9), NULL, I, 0, eddy_int(-3)},
        {"3.9 -> BIGINT", eddy_double(3.9), NULL, B, 0, eddy_bigint(3)},
        {"1e20 -> INT", eddy_double(1e20), NULL, I, 0, eddy_int(INT32_MAX)},
        {"-1e20 -> INT", eddy_double(-1e20), NULL, I, 0, eddy_int(INT32_MIN)},
        {"1e20 -> BIGINT", eddy_double(1e20), NULL, B, 0, eddy_bigint(INT64_MAX)},
        {"-inf -> BIGINT", eddy_double(-INFINITY), NULL, B, 0, eddy_bigint(INT64_MIN)},
        {"NaN -> INT", eddy_double(NAN), NULL, I, 0, eddy_int(0)},
        /* Long.intValue(): low 32 bits */
        {"BIGINT 2^32+5 -> INT", eddy_bigint(4294967301LL), NULL, I, 0, eddy_int(5)},
        {"BIGINT -2147483649 -> INT", eddy_bigint(-2147483649LL), NULL, I, 0,
         eddy_int(INT32_MAX)},
        /* BigDecimal.intValue()/longValue(): fraction dropped, low bits kept */
        {"-12.75 -> INT", D(-1275, 4, 2), NULL, I, 0, eddy_int(-12)},
        {"12.75 -> BIGINT", D(1275, 4, 2), NULL, B, 0, eddy_bigint(12)},
        {"2147483648.5 -> INT", D(21474836485LL, 11, 1), NULL, I, 0, eddy_int(INT32_MIN)},
        {"-0.5 -> INT", D(-5, 1, 1), NULL, I, 0, eddy_int(0)},
        {"INT -> DOUBLE", eddy_int(-7), NULL, Dbl, 0, eddy_double(-7.0)},
        {"BIGINT 2^53+1 -> DOUBLE", eddy_bigint(9007199254740993LL), NULL, Dbl, 0,
         eddy_double(9007199254740992.0)},
        {"10.01 -> DOUBLE", D(1001, 4, 2), NULL, Dbl, 0, eddy_double(10.01)},
        /* to DECIMAL: new BigDecimal(x) must be < 10^(p-s), then setScale HALF_UP */
        {"INT 99 -> DECIMAL(4,2)", eddy_int(99), NULL, D42, 0, D(9900, 4, 2)},
        {"INT -100 -> DECIMAL(4,2)", eddy_int(-100), NULL, D42, EDDY_ERANGE, {0}},
        {"BIGINT max -> DECIMAL(19,0)", eddy_bigint(INT64_MAX), NULL, eddy_type_decimal(19, 0),
         0, eddy_decimal(INT64_MAX, 19, 0)},
        {"BIGINT max -> DECIMAL(18,0)", eddy_bigint(INT64_MAX), NULL, eddy_type_decimal(18, 0),
         EDDY_ERANGE, {0}},
        {"INT 0 -> DECIMAL(2,2)", eddy_int(0), NULL, eddy_type_decimal(2, 2), 0, D(0, 2, 2)},
        {"INT 1 -> DECIMAL(2,2)", eddy_int(1), NULL, eddy_type_decimal(2, 2), EDDY_ERANGE, {0}},
        /* DOUBLE -> DECIMAL: MathContext(p) rounding of the exact binary value, then scale */
        {"-0.99 -> DECIMAL(2,1)", eddy_double(-0.99), NULL, D21, 0, D(-10, 2, 1)},
        {"9.94 -> DECIMAL(2,1)", eddy_double(9.94), NULL, D21, 0, D(99, 2, 1)},
        {"9.96 -> DECIMAL(2,1)", eddy_double(9.96), NULL, D21, EDDY_ERANGE, {0}},
        {"10.0 -> DECIMAL(2,1)", eddy_double(10.0), NULL, D21, EDDY_ERANGE, {0}},
        /* 0.1499999999999999944.. -> 2 digits: 0.15 -> scale 1: 0.2 */
        {"0.15 -> DECIMAL(2,1)", eddy_double(0.15), NULL, D21, 0, D(2, 2, 1)},
        /* 1.149999999999999911.. -> 2 digits: 1.1 */
        {"1.15 -> DECIMAL(2,1)", eddy_double(1.15), NULL, D21, 0, D(11, 2, 1)},
        {"2.5 -> DECIMAL(1,0)", eddy_double(2.5), NULL, eddy_type_decimal(1, 0), 0, D(3, 1, 0)},
        {"-2.5 -> DECIMAL(1,0)", eddy_double(-2.5), NULL, eddy_type_decimal(1, 0), 0,
         D(-3, 1, 0)},
        {"123.456 -> DECIMAL(5,2)", eddy_double(123.456), NULL, eddy_type_decimal(5, 2), 0,
         D(12346, 5, 2)},
        {"1e-300 -> DECIMAL(2,1)", eddy_double(1e-300), NULL, D21, 0, D(0, 2, 1)},
        {"1e-40 -> DECIMAL(38,38)", eddy_double(1e-40), NULL, eddy_type_decimal(38, 38), 0,
         D(0, 38, 38)},
        {"1e300 -> DECIMAL(38,0)", eddy_double(1e300), NULL, eddy_type_decimal(38, 0),
         EDDY_ERANGE, {0}},
        {"NaN -> DECIMAL", eddy_double(NAN), NULL, D21, EDDY_ERANGE, {0}},
        {"inf -> DECIMAL", eddy_double(INFINITY), NULL, D21, EDDY_ERANGE, {0}},
        /* 2^63 exactly, with ten zeros of scale */
        {"2^63 -> DECIMAL(38,10)", eddy_double(9223372036854775808.0), NULL,
         eddy_type_decimal(38, 10), 0,
         eddy_decimal((__int128)INT64_MAX * 10000000000LL + 10000000000LL, 38, 10)},
        /* DECIMAL -> DECIMAL */
        {"12.35 -> DECIMAL(3,1)", D(1235, 4, 2), NULL, eddy_type_decimal(3, 1), 0,
         D(124, 3, 1)},
        {"-12.35 -> DECIMAL(3,1)", D(-1235, 4, 2), NULL, eddy_type_decimal(3, 1), 0,
         D(-124, 3, 1)},
        {"99.99 -> DECIMAL(3,1)", D(9999, 4, 2), NULL, eddy_type_decimal(3, 1), EDDY_ERANGE,
         {0}},
        {"12.3 -> DECIMAL(2,1)", D(123, 3, 1), NULL, D21, EDDY_ERANGE, {0}},
        {"1.5 -> DECIMAL(10,5)", D(15, 2, 1), NULL, eddy_type_decimal(10, 5), 0,
         D(150000, 10, 5)},
        {"same DECIMAL", D(1001, 4, 2), NULL, D42, 0, D(1001, 4, 2)},
        {"INT -> INT", eddy_int(5), NULL, I, 0, eddy_int(5)},
    };
    run_casts(cases, sizeof cases / sizeof *cases);
}
END_TEST

START_TEST(test_cast_strings)
{
    const eddy_type *I = eddy_type_int(), *B = eddy_type_bigint(), *Dbl = eddy_type_double(),
                    *Bo = eddy_type_boolean(), *Str = eddy_type_string(),
                    *D42 = eddy_type_decimal(4, 2);
    cast_case cases[] = {
        /* BOOLEAN: "true" in any case is true, anything else false (scalar-functions.md) */
        {"'true'", S("true"), NULL, Bo, 0, eddy_bool(true)},
        {"'TRUE'", S("TRUE"), NULL, Bo, 0, eddy_bool(true)},
        {"'True'", S("True"), NULL, Bo, 0, eddy_bool(true)},
        {"'yes'", S("yes"), NULL, Bo, 0, eddy_bool(false)},
        {"'t'", S("t"), NULL, Bo, 0, eddy_bool(false)},
        {"'false'", S("false"), NULL, Bo, 0, eddy_bool(false)},
        {"'truex'", S("truex"), NULL, Bo, 0, eddy_bool(false)},
        {"''", S(""), NULL, Bo, 0, eddy_bool(false)},
        /* Integer.parseInt / Long.parseLong of the trimmed text */
        {"'42'", S("42"), NULL, I, 0, eddy_int(42)},
        {"' 42 '", S(" 42 "), NULL, I, 0, eddy_int(42)},
        {"'+5'", S("+5"), NULL, I, 0, eddy_int(5)},
        {"'-2147483648'", S("-2147483648"), NULL, I, 0, eddy_int(INT32_MIN)},
        {"'2147483647'", S("2147483647"), NULL, I, 0, eddy_int(INT32_MAX)},
        {"'2147483648'", S("2147483648"), NULL, I, EDDY_ERANGE, {0}},
        {"'-2147483649'", S("-2147483649"), NULL, I, EDDY_ERANGE, {0}},
        {"'1.0' -> INT", S("1.0"), NULL, I, EDDY_EPARSE, {0}},
        {"'' -> INT", S(""), NULL, I, EDDY_EPARSE, {0}},
        {"'-' -> INT", S("-"), NULL, I, EDDY_EPARSE, {0}},
        {"'1e3' -> INT", S("1e3"), NULL, I, EDDY_EPARSE, {0}},
        {"'9223372036854775807'", S("9223372036854775807"), NULL, B, 0, eddy_bigint(INT64_MAX)},
        {"'-9223372036854775808'", S("-9223372036854775808"), NULL, B, 0,
         eddy_bigint(INT64_MIN)},
        {"'9223372036854775808'", S("9223372036854775808"), NULL, B, EDDY_ERANGE, {0}},
        {"'99999999999999999999'", S("99999999999999999999"), NULL, B, EDDY_ERANGE, {0}},
        /* Double.parseDouble */
        {"'1.5'", S("1.5"), NULL, Dbl, 0, eddy_double(1.5)},
        {"' 1e3 '", S(" 1e3 "), NULL, Dbl, 0, eddy_double(1000.0)},
        {"'-.5'", S("-.5"), NULL, Dbl, 0, eddy_double(-0.5)},
        {"'5.'", S("5."), NULL, Dbl, 0, eddy_double(5.0)},
        {"'1.5f'", S("1.5f"), NULL, Dbl, 0, eddy_double(1.5)},
        {"'2D'", S("2D"), NULL, Dbl, 0, eddy_double(2.0)},
        {"'NaN'", S("NaN"), NULL, Dbl, 0, eddy_double(NAN)},
        {"'-Infinity'", S("-Infinity"), NULL, Dbl, 0, eddy_double(-INFINITY)},
        {"'4.9E-324'", S("4.9E-324"), NULL, Dbl, 0, eddy_double(4.9E-324)},
        {"'1e400'", S("1e400"), NULL, Dbl, EDDY_ERANGE, {0}},
        {"'abc'", S("abc"), NULL, Dbl, EDDY_EPARSE, {0}},
        {"'0x10'", S("0x10"), NULL, Dbl, EDDY_EPARSE, {0}},
        {"'1e'", S("1e"), NULL, Dbl, EDDY_EPARSE, {0}},
        {"'inf'", S("inf"), NULL, Dbl, EDDY_EPARSE, {0}},
        {"'nan'", S("nan"), NULL, Dbl, EDDY_EPARSE, {0}},
        {"'.'", S("."), NULL, Dbl, EDDY_EPARSE, {0}},
        /* new BigDecimal(text), overflow check, HALF_UP */
        {"'12.345' -> DECIMAL(4,2)", S("12.345"), NULL, D42, 0, D(1235, 4, 2)},
        {"'-12.345' -> DECIMAL(4,2)", S("-12.345"), NULL, D42, 0, D(-1235, 4, 2)},
        {"' 1.5 ' -> DECIMAL(4,2)", S(" 1.5 "), NULL, D42, 0, D(150, 4, 2)},
        {"'1E1' -> DECIMAL(4,2)", S("1E1"), NULL, D42, 0, D(1000, 4, 2)},
        {"'123.4' -> DECIMAL(4,2)", S("123.4"), NULL, D42, EDDY_ERANGE, {0}},
        {"'99.999' -> DECIMAL(4,2)", S("99.999"), NULL, D42, EDDY_ERANGE, {0}},
        {"'abc' -> DECIMAL", S("abc"), NULL, D42, EDDY_EPARSE, {0}},
        {"many digits -> DECIMAL(5,4)", S("1.2345678901234567890123456789012345678901234"),
         NULL, eddy_type_decimal(5, 4), 0, D(12346, 5, 4)},
        {"tiny -> DECIMAL(3,2)", S("0.0000000000000000000000000000000000000000005"), NULL,
         eddy_type_decimal(3, 2), 0, D(0, 3, 2)},
        /* anything but BYTES to STRING */
        {"BOOLEAN -> STRING", eddy_bool(false), NULL, Str, 0, S("false")},
        {"DOUBLE -> STRING", eddy_double(1e7), NULL, Str, 0, S("1.0E7")},
        {"DECIMAL -> STRING", D(-1230, 4, 2), NULL, Str, 0, S("-12.30")},
        {"DECIMAL(10,9) -> STRING plain", D(1, 10, 9), NULL, Str, 0, S("0.000000001")},
        {"ARRAY -> STRING", ARR(2, eddy_int(1), eddy_int(3)), NULL, Str, 0, S("[1, 3]")},
        {"MAP -> STRING", MAPV(1, S("this"), eddy_int(1)), NULL, Str, 0, S("{this=1}")},
        {"BYTES -> STRING", eddy_bytes("a", 1), NULL, Str, EDDY_ETYPE, {0}},
    };
    run_casts(cases, sizeof cases / sizeof *cases);
}
END_TEST

START_TEST(test_cast_temporal)
{
    const eddy_type *Ts = eddy_type_timestamp(), *Dt = eddy_type_date(), *Tm = eddy_type_time();
    cast_case cases[] = {
        {"DATE -> TIMESTAMP", eddy_date(10), NULL, Ts, 0, eddy_timestamp(864000000)},
        {"DATE -1 -> TIMESTAMP", eddy_date(-1), NULL, Ts, 0, eddy_timestamp(-86400000)},
        {"TIMESTAMP -> TIME", eddy_timestamp(86400100), NULL, Tm, 0, eddy_time(100)},
        {"TIMESTAMP -1 -> TIME", eddy_timestamp(-1), NULL, Tm, 0, eddy_time(86399999)},
        {"TIMESTAMP -86400000 -> DATE", eddy_timestamp(-86400000), NULL, Dt, 0, eddy_date(-1)},
        {"TIMESTAMP -86400001 -> DATE", eddy_timestamp(-86400001), NULL, Dt, 0, eddy_date(-2)},
        {"zone", S("2020-01-31T10:15:30+01:00"), NULL, Ts, 0,
         eddy_timestamp(18292LL * 86400000 + ((9 * 60 + 15) * 60 + 30) * 1000)},
        {"trimmed", S(" 2020-01-31 "), NULL, Dt, 0, eddy_date(18292)},
        {"time trimmed", S("\t10:15\n"), NULL, Tm, 0, eddy_time(36900000)},
        {"TIME -> TIME", eddy_time(5), NULL, Tm, 0, eddy_time(5)},
        {"TIME -> STRING ms", eddy_time(36930123), NULL, eddy_type_string(), 0,
         S("10:15:30.123")},
        {"DATE -> DATE", eddy_date(5), NULL, Dt, 0, eddy_date(5)},
        {"TIMESTAMP -> TIMESTAMP", eddy_timestamp(5), NULL, Ts, 0, eddy_timestamp(5)},
    };
    run_casts(cases, sizeof cases / sizeof *cases);
}
END_TEST

START_TEST(test_cast_containers)
{
    const eddy_type *I = eddy_type_int(), *Str = eddy_type_string(), *B = eddy_type_bigint();
    const eddy_type *from = st(2, "A", I, "B", Str);
    cast_case cases[] = {
        /* STRUCT -> STRUCT by name (scalar-functions.md: only target fields are copied, the
         * others are NULL, names are case-sensitive) */
        {"struct by name", STRUCTV(2, eddy_int(1), S("x")), from, st(2, "B", Str, "A", B), 0,
         STRUCTV(2, S("x"), eddy_bigint(1))},
        {"struct missing field", STRUCTV(2, eddy_int(1), S("x")), from,
         st(2, "A", Str, "C", I), 0, STRUCTV(2, S("1"), eddy_null(EDDY_TYPE_INT))},
        {"struct case-sensitive", STRUCTV(2, eddy_int(1), S("x")), from,
         st(1, "a", I, NULL, NULL), 0, STRUCTV(1, eddy_null(EDDY_TYPE_INT))},
        {"struct bad field", STRUCTV(2, eddy_int(1), S("x")), from,
         st(1, "B", I, NULL, NULL), EDDY_EPARSE, {0}},
        {"struct untyped positional", STRUCTV(2, eddy_int(1), S("7")), NULL,
         st(2, "A", B, "B", I), 0, STRUCTV(2, eddy_bigint(1), eddy_int(7))},
        {"struct untyped count mismatch", STRUCTV(2, eddy_int(1), S("7")), NULL,
         st(1, "A", B, NULL, NULL), EDDY_ETYPE, {0}},
        {"array of structs to string", ARR(1, STRUCTV(2, eddy_int(1), S("x"))),
         eddy_type_array(from), Str, 0, S("[Struct{A=1,B=x}]")},
        {"array element fails", ARR(2, S("1"), S("x")), NULL, eddy_type_array(I), EDDY_EPARSE,
         {0}},
        {"map keys cast", MAPV(2, eddy_int(1), S("a"), eddy_int(2), S("b")), NULL,
         eddy_type_map(Str, Str), 0, MAPV(2, S("1"), S("a"), S("2"), S("b"))},
        {"empty array", ARR(0), NULL, eddy_type_array(Str), 0, ARR(0)},
        {"array -> map", ARR(0), NULL, eddy_type_map(Str, Str), EDDY_ETYPE, {0}},
        {"map -> array", MAPV(0), NULL, eddy_type_array(Str), EDDY_ETYPE, {0}},
        {"struct -> array", STRUCTV(0), NULL, eddy_type_array(Str), EDDY_ETYPE, {0}},
    };
    run_casts(cases, sizeof cases / sizeof *cases);
}
END_TEST

/* Every (from, to) pair of kinds against scalar-functions.md's CAST table. */
START_TEST(test_cast_matrix)
{
    enum { BO, IN, BI, DE, DO, ST, BY, DA, TI, TS, AR, MA, SR, N };
    eddy_value samples[N] = {
        eddy_bool(true), eddy_int(1), eddy_bigint(1), D(10, 2, 1), eddy_double(1.0), S("1"),
        eddy_bytes("a", 1), eddy_date(1), eddy_time(1), eddy_timestamp(1),
        ARR(1, eddy_int(1)), MAPV(1, S("a"), eddy_int(1)), STRUCTV(1, eddy_int(1)),
    };
    const eddy_type *types[N] = {
        eddy_type_boolean(), eddy_type_int(), eddy_type_bigint(), eddy_type_decimal(5, 2),
        eddy_type_double(), eddy_type_string(), eddy_type_bytes(), eddy_type_date(),
        eddy_type_time(), eddy_type_timestamp(), eddy_type_array(eddy_type_string()),
        eddy_type_map(eddy_type_string(), eddy_type_string()),
        st(1, "F", eddy_type_string(), NULL, NULL),
    };
    /* 1: defined. Rows: from; columns: to. */
    static const char defined[N][N] = {
        /*        BO IN BI DE DO ST BY DA TI TS AR MA SR */
        /* BO */ {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0},
        /* IN */ {0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0},
        /* BI */ {0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0},
        /* DE */ {0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0},
        /* DO */ {0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0},
        /* ST */ {1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0},
        /* BY */ {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0},
        /* DA */ {0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0, 0},
        /* TI */ {0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0},
        /* TS */ {0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0},
        /* AR */ {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0},
        /* MA */ {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0},
        /* SR */ {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1},
    };
    for (int f = 0; f < N; f++)
        for (int t = 0; t < N; t++) {
            eddy_value out;
            char err[EDDY_ERRSTR_SIZE] = "";
            int rc = eddy_value_cast(A, &samples[f], types[t], &out, err, sizeof err);
            /* '1' parses as every scalar but DATE/TIME/TIMESTAMP */
            bool parse_fail = f == ST && (t == DA || t == TI || t == TS);
            int want = !defined[f][t] ? EDDY_ETYPE : parse_fail ? EDDY_EPARSE : 0;
            ck_assert_msg(rc == want, "cast %d -> %d: rc %d (%s), want %d", f, t, rc, err,
                          want);
            if (!rc)
                ck_assert_int_eq(out.type, types[t]->id);
            if (rc == EDDY_ETYPE)
                ck_assert_msg(strstr(err, "is not supported"), "%s", err);
        }
}
END_TEST

static Suite *value_suite(void)
{
    Suite *s = suite_create("value");
    TCase *tc = tcase_create("value");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_copy);
    tcase_add_test(tc, test_compare);
    tcase_add_test(tc, test_order_properties);
    tcase_add_test(tc, test_equal_hash);
    tcase_add_test(tc, test_double_tostring);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_cast_qtt);
    tcase_add_test(tc, test_cast_nulls);
    tcase_add_test(tc, test_cast_numbers);
    tcase_add_test(tc, test_cast_strings);
    tcase_add_test(tc, test_cast_temporal);
    tcase_add_test(tc, test_cast_containers);
    tcase_add_test(tc, test_cast_matrix);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return eddy_test_run(value_suite());
}
