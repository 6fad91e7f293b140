/* check_decimal.c: DECIMAL helpers (parse, HALF_UP rescale, overflow, plain rendering,
 * conversion to double) and the civil-time helpers and ISO-8601 parsers. Expected values are
 * hand-computed or taken from ksqlDB's docs and qtt cases (cited per case). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eddy/value.h"
#include "testutil.h"
#include "types/types_internal.h"

#define P18 1000000000000000000LL
/* 10^38 - 1, the largest DECIMAL(38, s) unscaled value. */
#define MAX38 ((__int128)P18 * P18 * 100 - 1)

static const char *dfmt(__int128 u, int scale)
{
    static char buf[4][64];
    static int k;
    char *b = buf[k++ % 4];
    eddy_decimal_format(u, scale, b, 64);
    return b;
}

/* ----------------------------------------------------------------- parse */

START_TEST(test_parse)
{
    static const struct {
        const char *text;
        int rc;
        const char *value; /* rendered with the parsed scale */
        int precision, scale;
    } cases[] = {
        {"-12.340", 0, "-12.340", 5, 3},
        {"1E+3", 0, "1000", 4, 0},      /* negative scale written out */
        {"1.5e-2", 0, "0.015", 4, 3},   /* |v| < 1: precision = scale + 1 */
        {"0.05", 0, "0.05", 3, 2},      /* ksqlDB's DecimalUtil.fromValue: (3, 2) */
        {".005", 0, "0.005", 4, 3},     /* same comment in DecimalUtil: ".005" is (4, 3) */
        {"2.345", 0, "2.345", 4, 3},    /* qtt literals.json "DECIMAL literal" */
        {"0", 0, "0", 1, 0},
        {"0.0", 0, "0.0", 2, 1},
        {"-0.50", 0, "-0.50", 3, 2},
        {"5.", 0, "5", 1, 0},
        {"+7", 0, "7", 1, 0},
        {"007.50", 0, "7.50", 3, 2},    /* leading zeros are not digits of precision */
        {"10.01", 0, "10.01", 4, 2},
        {"12E-1", 0, "1.2", 2, 1},
        {"99999999999999999999999999999999999999", 0,
         "99999999999999999999999999999999999999", 38, 0},
        {"0.12345678901234567890123456789012345678", 0,
         "0.12345678901234567890123456789012345678", 38, 38},
        {"999999999999999999999999999999999999999", EDDY_ERANGE, NULL, 0, 0}, /* 39 digits */
        {"1E+38", EDDY_ERANGE, NULL, 0, 0},
        {"1E-39", EDDY_ERANGE, NULL, 0, 0},
        {"", EDDY_EPARSE, NULL, 0, 0},
        {"-", EDDY_EPARSE, NULL, 0, 0},
        {".", EDDY_EPARSE, NULL, 0, 0},
        {"1.2.3", EDDY_EPARSE, NULL, 0, 0},
        {"abc", EDDY_EPARSE, NULL, 0, 0},
        {"1e", EDDY_EPARSE, NULL, 0, 0},
        {"1e+", EDDY_EPARSE, NULL, 0, 0},
        {" 1", EDDY_EPARSE, NULL, 0, 0},
        {"1 ", EDDY_EPARSE, NULL, 0, 0},
        {"--1", EDDY_EPARSE, NULL, 0, 0},
        {"0x10", EDDY_EPARSE, NULL, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        __int128 u = 12345;
        int p = -1, s = -1;
        int rc = eddy_decimal_parse(cases[i].text, strlen(cases[i].text), &u, &p, &s);
        ck_assert_msg(rc == cases[i].rc, "'%s': rc %d, want %d", cases[i].text, rc,
                      cases[i].rc);
        if (rc)
            continue;
        ck_assert_msg(strcmp(dfmt(u, s), cases[i].value) == 0, "'%s' parsed as %s",
                      cases[i].text, dfmt(u, s));
        ck_assert_msg(p == cases[i].precision && s == cases[i].scale,
                      "'%s': DECIMAL(%d, %d), want (%d, %d)", cases[i].text, p, s,
                      cases[i].precision, cases[i].scale);
    }
    /* Only `len` bytes are read. */
    __int128 u;
    int p, s;
    ck_assert_int_eq(eddy_decimal_parse("12.5xyz", 4, &u, &p, &s), 0);
    ck_assert_str_eq(dfmt(u, s), "12.5");
}
END_TEST

/* --------------------------------------------------------------- rescale */

START_TEST(test_rescale)
{
    static const struct {
        long long u;
        int from, precision, scale, rc;
        long long want;
    } cases[] = {
        {12345, 2, 4, 1, 0, 1235},     /* 123.45 -> 123.5: HALF_UP */
        {-12345, 2, 4, 1, 0, -1235},   /* ties away from zero */
        {12344, 2, 4, 1, 0, 1234},
        {12346, 2, 4, 1, 0, 1235},
        {125, 2, 3, 0, 0, 1},          /* 1.25 -> 1 */
        {150, 2, 3, 0, 0, 2},          /* 1.50 -> 2 */
        {-150, 2, 3, 0, 0, -2},
        {149, 2, 3, 0, 0, 1},
        {5, 1, 1, 0, 0, 1},            /* 0.5 -> 1 */
        {-5, 1, 1, 0, 0, -1},
        {4, 1, 1, 0, 0, 0},
        {1, 0, 3, 2, 0, 100},          /* 1 -> 1.00 */
        {-7, 0, 3, 2, 0, -700},
        {1, 0, 2, 2, EDDY_ERANGE, 0},  /* 1.00 needs 3 digits */
        {999, 1, 2, 0, EDDY_ERANGE, 0}, /* 99.9 rounds to 100 */
        {999, 1, 3, 0, 0, 100},
        {1001, 2, 4, 2, 0, 1001},      /* unchanged */
        {1001, 2, 3, 2, EDDY_ERANGE, 0},
        {0, 5, 1, 0, 0, 0},
        {0, 0, 1, 1, 0, 0},
        {123456789, 9, 3, 2, 0, 12},   /* 0.123456789 -> 0.12 */
        {5, 40, 1, 0, 0, 0},           /* scale beyond 38: rounds to zero */
        {1, 0, 4, 5, EDDY_EINVAL, 0},  /* bad target type */
        {1, 0, 0, 0, EDDY_EINVAL, 0},
        {1, 0, 39, 0, EDDY_EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        __int128 out = 777;
        int rc = eddy_decimal_rescale(cases[i].u, cases[i].from, cases[i].precision,
                                      cases[i].scale, &out);
        ck_assert_msg(rc == cases[i].rc, "case %zu: rc %d want %d", i, rc, cases[i].rc);
        if (!rc)
            ck_assert_msg(out == cases[i].want, "case %zu: got %s want %lld", i,
                          dfmt(out, 0), cases[i].want);
    }
    /* Extremes: 10^38 - 1 fits DECIMAL(38, 0); scaling it up by one digit does not. */
    __int128 out;
    ck_assert_int_eq(eddy_decimal_rescale(MAX38, 0, 38, 0, &out), 0);
    ck_assert(out == MAX38);
    ck_assert_int_eq(eddy_decimal_rescale(MAX38, 0, 38, 1, &out), EDDY_ERANGE);
    ck_assert_int_eq(eddy_decimal_rescale(-MAX38, 0, 38, 38, &out), EDDY_ERANGE);
    ck_assert_int_eq(eddy_decimal_rescale(MAX38, 38, 38, 37, &out), 0); /* 0.99..9 -> 1.00..0 */
    ck_assert_str_eq(dfmt(out, 37), "1.0000000000000000000000000000000000000");
    ck_assert_int_eq(eddy_decimal_rescale(MAX38, 38, 38, 38, &out), 0);
    ck_assert_int_eq(eddy_decimal_rescale(MAX38, 38, 1, 0, &out), 0); /* 0.999.. -> 1 */
    ck_assert(out == 1);
    ck_assert_int_eq(eddy_decimal_rescale(1, 0, 38, 37, &out), 0);
    ck_assert_str_eq(dfmt(out, 37), "1.0000000000000000000000000000000000000");
}
END_TEST

/* ---------------------------------------------------------------- format */

START_TEST(test_format)
{
    static const struct {
        long long u;
        int scale;
        const char *want;
    } cases[] = {
        {-1230, 2, "-12.30"}, {1230, 2, "12.30"}, {5, 3, "0.005"},   {-5, 3, "-0.005"},
        {0, 2, "0.00"},       {0, 0, "0"},        {123, 0, "123"},   {-123, 0, "-123"},
        {1, 1, "0.1"},        {10, 1, "1.0"},     {1501, 2, "15.01"}, {-100, 2, "-1.00"},
        {123456, 10, "0.0000123456"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        ck_assert_str_eq(dfmt(cases[i].u, cases[i].scale), cases[i].want);
    ck_assert_str_eq(dfmt(MAX38, 0), "99999999999999999999999999999999999999");
    ck_assert_str_eq(dfmt(-MAX38, 38), "-0.99999999999999999999999999999999999999");
    ck_assert_str_eq(dfmt(-MAX38, 19), "-9999999999999999999.9999999999999999999");
    /* snprintf's contract */
    char small[5];
    ck_assert_uint_eq(eddy_decimal_format(-1230, 2, small, sizeof small), 6);
    ck_assert_str_eq(small, "-12.");
    ck_assert_uint_eq(eddy_decimal_format(-MAX38, 38, NULL, 0), 41);
    char big[48];
    ck_assert_uint_eq(eddy_decimal_format(-MAX38, 38, big, sizeof big), 41);
}
END_TEST

START_TEST(test_to_double)
{
    ck_assert(eddy_decimal_to_double(1, 1) == 0.1);
    ck_assert(eddy_decimal_to_double(-1001, 2) == -10.01);
    ck_assert(eddy_decimal_to_double(-5, 0) == -5.0);
    ck_assert(eddy_decimal_to_double(0, 7) == 0.0);
    ck_assert(eddy_decimal_to_double(123456, 10) == 0.0000123456);
    /* Beyond 2^53 or 22 digits of scale the conversion still rounds correctly. */
    __int128 big = (__int128)123456789012345LL * 100000000 + 67890123; /* 23 digits */
    ck_assert(eddy_decimal_to_double(big, 3) == 12345678901234567890.123);
    ck_assert(eddy_decimal_to_double(-MAX38, 38) == -0.99999999999999999999999999999999999999);
    ck_assert(eddy_decimal_to_double(MAX38, 0) == 1e38);
    ck_assert(eddy_decimal_to_double(1, 38) == 1e-38);
    ck_assert(eddy_decimal_to_double(9007199254740993LL, 0) == 9007199254740992.0); /* 2^53+1: ties to even */
}
END_TEST

/* CAST(double AS DECIMAL) reads only ~64 digits of the double's exact expansion; it must
 * agree with the same rounding applied to the whole expansion (glibc prints it exactly). */
START_TEST(test_from_double_exact)
{
    uint64_t x = 88172645463325252ull;
    char *buf = malloc(900);
    ck_assert_ptr_nonnull(buf);
    for (int i = 0; i < 40000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double d;
        if (i % 4 == 0) {
            /* near decimal ties: k / 10^j and its neighbours */
            int j = (int)(x % 20);
            d = (double)((x >> 8) % 100000) / pow(10, j) + 0.5 / pow(10, j);
            if (i % 8 == 0)
                d = nextafter(d, (x & 1) ? INFINITY : -INFINITY);
        } else {
            /* any finite double from 1e-45 to 1e40 */
            d = ldexp((double)(x >> 11) / 9007199254740992.0, (int)((x >> 3) % 280) - 150);
        }
        if (x & 2)
            d = -d;
        int p = 1 + (int)((x >> 20) % 38), sc = (int)((x >> 30) % (uint64_t)(p + 1));
        __int128 got = 0, want = 0;
        int rc = eddy_dec_from_double(d, p, sc, &got);
        snprintf(buf, 900, "%.799e", fabs(d));
        char *dig = malloc(801);
        dig[0] = buf[0];
        memcpy(dig + 1, buf + 2, 799);
        int e = atoi(buf + 802);
        int rc2 = d == 0 ? 0 : eddy_dec_from_digits(d < 0, dig, 800, e + 1, p, p, sc, &want);
        free(dig);
        ck_assert_msg(rc == rc2 && (rc || got == want), "%.17g -> DECIMAL(%d, %d): %d %s vs %d %s",
                      d, p, sc, rc, dfmt(got, sc), rc2, dfmt(want, sc));
    }
    free(buf);
}
END_TEST

/* ------------------------------------------------------------------ time */

START_TEST(test_civil)
{
    static const struct {
        int64_t y;
        unsigned m, d;
        int64_t days;
    } cases[] = {
        {1970, 1, 1, 0},       {1969, 12, 31, -1},   {1970, 1, 11, 10}, /* qtt date.json */
        {2000, 3, 1, 11017},   {2020, 1, 1, 18262},  {2017, 1, 1, 17167},
        {2017, 11, 17, 17487}, {2020, 2, 29, 18321}, {1900, 3, 1, -25508},
        {0, 3, 1, -719468},    {1600, 1, 1, -135140},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ck_assert_int_eq(eddy_days_from_civil(cases[i].y, cases[i].m, cases[i].d),
                         cases[i].days);
        int64_t y;
        unsigned m, d;
        eddy_civil_from_days(cases[i].days, &y, &m, &d);
        ck_assert_int_eq(y, cases[i].y);
        ck_assert_uint_eq(m, cases[i].m);
        ck_assert_uint_eq(d, cases[i].d);
    }
    /* Round trip, and consecutive days are consecutive dates. */
    int64_t py = 0;
    unsigned pm = 0, pd = 0;
    for (int64_t days = -800000; days <= 800000; days++) {
        int64_t y;
        unsigned m, d;
        eddy_civil_from_days(days, &y, &m, &d);
        ck_assert(m >= 1 && m <= 12 && d >= 1 && d <= 31);
        if (eddy_days_from_civil(y, m, d) != days)
            ck_abort_msg("round trip fails at day %lld", (long long)days);
        if (days > -800000 && !(d == pd + 1 && m == pm && y == py) &&
            !(d == 1 && ((m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1))))
            ck_abort_msg("day %lld does not follow the previous one", (long long)days);
        py = y;
        pm = m;
        pd = d;
    }
}
END_TEST

#define DAY 86400000LL
/* 2020-01-31T00:00:00Z: 18262 (2020-01-01) + 30 days. */
#define JAN31 ((18262LL + 30) * DAY)
#define HMS(h, m, s) ((((h) * 60LL + (m)) * 60 + (s)) * 1000)

START_TEST(test_parse_timestamp)
{
    static const struct {
        const char *text;
        int rc;
        int64_t ms;
    } cases[] = {
        /* qtt timestamp.json "casting - string to timestamp" */
        {"1970-01-01T00:00:00.010", 0, 10},
        {"1970-01-01T00:00:01", 0, 1000},
        {"foo", EDDY_EPARSE, 0},
        /* partials (select-push-query.md: the rest is padded with zeros) */
        {"2020-01-31", 0, JAN31},
        {"2020-01", 0, (18262LL) * DAY},
        {"2020", 0, 18262LL * DAY},
        {"2020-01-31T10", 0, JAN31 + HMS(10, 0, 0)},
        {"2020-01-31T10:15", 0, JAN31 + HMS(10, 15, 0)},
        {"2020-01-31T10:15:30", 0, JAN31 + HMS(10, 15, 30)},
        {"2020-01-31T10:15:30.123", 0, JAN31 + HMS(10, 15, 30) + 123},
        {"2020-01-31T10:15:30.1", 0, JAN31 + HMS(10, 15, 30) + 100},
        {"2020-01-31T10:15:30.123456789", 0, JAN31 + HMS(10, 15, 30) + 123},
        /* zones convert to UTC (type-coercion.md) */
        {"2020-01-31T10:15:30Z", 0, JAN31 + HMS(10, 15, 30)},
        {"2020-01-31T10:15:30.5Z", 0, JAN31 + HMS(10, 15, 30) + 500},
        {"2020-01-31T10:15:30+01:00", 0, JAN31 + HMS(9, 15, 30)},
        {"2020-01-31T10:15:30+0100", 0, JAN31 + HMS(9, 15, 30)},
        {"2020-01-31T10:15:30+01", 0, JAN31 + HMS(9, 15, 30)},
        {"2020-01-31T10:15:30+1", 0, JAN31 + HMS(9, 15, 30)},
        {"2020-01-31T10:15:30.250+05:30", 0, JAN31 + HMS(4, 45, 30) + 250},
        {"2020-01-31T01:00:00+02:00", 0, JAN31 - HMS(1, 0, 0)},
        {"2020-01-31T23:00-08:00", 0, JAN31 + DAY + HMS(7, 0, 0)},
        {"2020-01-31T10:15:30+01:00:30", 0, JAN31 + HMS(9, 15, 0)},
        {"2020-01-31T10:15:30+18:00", 0, JAN31 - HMS(7, 44, 30)},
        /* select-push-query.md's example: 04:53:45 in Newfoundland (UTC-3:30) */
        {"2017-11-17T04:53:45-0330", 0, 17487LL * DAY + HMS(8, 23, 45)},
        {"1969-12-31T23:59:59.999", 0, -1},
        {"1900-03-01", 0, -25508LL * DAY},
        /* java.time's SMART resolver clamps the day to the month's end */
        {"2021-02-30", 0, (18628LL + 31 + 27) * DAY},
        {"2020-02-29", 0, (18262LL + 31 + 28) * DAY},
        /* errors */
        {"", EDDY_EPARSE, 0},
        {"2020-13-01", EDDY_EPARSE, 0},
        {"2020-00-01", EDDY_EPARSE, 0},
        {"2020-01-32", EDDY_EPARSE, 0},
        {"2020-01-00", EDDY_EPARSE, 0},
        {"2020-1-1", EDDY_EPARSE, 0},
        {"20-01-01", EDDY_EPARSE, 0},
        {"2020-01T10:00", EDDY_EPARSE, 0},  /* with a time the date must be complete */
        {"2020-01-31T", EDDY_EPARSE, 0},
        {"2020-01-31T24:00", EDDY_EPARSE, 0},
        {"2020-01-31T10:60", EDDY_EPARSE, 0},
        {"2020-01-31T10:15:61", EDDY_EPARSE, 0},
        {"2020-01-31T10:15:30.", EDDY_EPARSE, 0},
        {"2020-01-31T10:15:30.1234567890", EDDY_EPARSE, 0},
        {"2020-01-31T10:15:30+19:00", EDDY_EPARSE, 0},
        {"2020-01-31T10:15:30+18:01", EDDY_EPARSE, 0},
        {"2020-01-31T10:15:30+01:0", EDDY_EPARSE, 0},
        {"2020-01-31T10:15:30 ", EDDY_EPARSE, 0},
        {"2020-01-31 10:15:30", EDDY_EPARSE, 0},
        {"2020-01-31t10:15:30", EDDY_EPARSE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t ms = 42;
        int rc = eddy_parse_timestamp(cases[i].text, strlen(cases[i].text), &ms);
        ck_assert_msg(rc == cases[i].rc, "'%s': rc %d want %d", cases[i].text, rc, cases[i].rc);
        if (!rc)
            ck_assert_msg(ms == cases[i].ms, "'%s': %lld want %lld", cases[i].text,
                          (long long)ms, (long long)cases[i].ms);
    }
}
END_TEST

START_TEST(test_parse_date_time)
{
    static const struct {
        const char *text;
        int rc;
        int32_t days;
    } dates[] = {
        /* qtt date.json "casting - string to date" */
        {"1970-01-10", 0, 9}, {"1970-01", 0, 0}, {"1969-12-31", 0, -1}, {"foo", EDDY_EPARSE, 0},
        {"1970", 0, 0}, {"2020-01-31", 0, 18292}, {"2020-02-30", 0, 18321},
        {"2020-01-31T00:00", EDDY_EPARSE, 0}, {"", EDDY_EPARSE, 0}, {"1970-01-1", EDDY_EPARSE, 0},
    };
    for (size_t i = 0; i < sizeof dates / sizeof *dates; i++) {
        int32_t d = 42;
        int rc = eddy_parse_date(dates[i].text, strlen(dates[i].text), &d);
        ck_assert_msg(rc == dates[i].rc, "'%s': rc %d", dates[i].text, rc);
        if (!rc)
            ck_assert_msg(d == dates[i].days, "'%s': %d", dates[i].text, d);
    }
    static const struct {
        const char *text;
        int rc;
        int32_t ms;
    } times[] = {
        /* qtt time.json "casting - string to time" */
        {"00:00:00.010", 0, 10}, {"00:00:01", 0, 1000}, {"00:01", 0, 60000},
        {"foo", EDDY_EPARSE, 0},
        {"23:59:59.999", 0, 86399999}, {"10:15:30.1234", 0, 36930123}, {"10:15", 0, 36900000},
        {"10", EDDY_EPARSE, 0}, {"24:00", EDDY_EPARSE, 0}, {"1:00", EDDY_EPARSE, 0},
        {"10:15:30Z", EDDY_EPARSE, 0}, {"", EDDY_EPARSE, 0}, {"10:15:30.", EDDY_EPARSE, 0},
    };
    for (size_t i = 0; i < sizeof times / sizeof *times; i++) {
        int32_t ms = 42;
        int rc = eddy_parse_time(times[i].text, strlen(times[i].text), &ms);
        ck_assert_msg(rc == times[i].rc, "'%s': rc %d", times[i].text, rc);
        if (!rc)
            ck_assert_msg(ms == times[i].ms, "'%s': %d", times[i].text, ms);
    }
}
END_TEST

static Suite *decimal_suite(void)
{
    Suite *s = suite_create("decimal");
    TCase *tc = tcase_create("decimal");
    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_rescale);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_to_double);
    tcase_add_test(tc, test_from_double_exact);
    suite_add_tcase(s, tc);
    TCase *tt = tcase_create("time");
    tcase_add_test(tt, test_civil);
    tcase_add_test(tt, test_parse_timestamp);
    tcase_add_test(tt, test_parse_date_time);
    suite_add_tcase(s, tt);
    return s;
}

int main(void)
{
    return eddy_test_run(decimal_suite());
}
