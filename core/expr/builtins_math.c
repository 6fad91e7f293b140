/* builtins_math.c: ksqlDB's numeric functions (scalar-functions.md, "Numeric functions"):
 * ABS, CEIL, FLOOR, ROUND, TRUNC, SQRT, POWER, SIGN, RANDOM, EXP, LN, LOG, the trigonometric and
 * hyperbolic functions, RADIANS, DEGREES, PI. Java semantics:
 * Math.abs wraps at the minimum, ROUND rounds half toward positive infinity, TRUNC toward
 * zero (RoundingMode.DOWN) with ROUND's overloads and result types, SQRT of a negative number
 * is NaN. */
#include "expr/builtins.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static __int128 p10(int n)
{
    __int128 p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

static bool dec_fits(__int128 v, int precision)
{
    __int128 lim = p10(precision);
    return v < lim && v > -lim;
}

/* u / 10^drop rounded half toward +infinity (HALF_UP for positives, HALF_DOWN for
 * negatives, as ksqlDB's Round), or toward zero when `trunc` (ksqlDB's Trunc). */
static __int128 scale_down(__int128 u, int drop, bool trunc)
{
    if (drop <= 0)
        return u;
    if (drop > 38)
        return 0;
    __int128 d = p10(drop), q = u / d, r = u % d;
    if (trunc)
        return q; /* C division truncates toward zero */
    if (r < 0)
        r = -r;
    if (u >= 0) {
        if (r * 2 >= d)
            q++;
    } else {
        if (r * 2 > d)
            q--;
    }
    return q;
}

/* ------------------------------------------------------------------- ABS */

static int fn_abs(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                  eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    eddy_value v = argv[0];
    switch (v.type) {
    case EDDY_TYPE_INT: if (v.u.i32 < 0) v.u.i32 = (int32_t)(0u - (uint32_t)v.u.i32); break;
    case EDDY_TYPE_BIGINT: if (v.u.i64 < 0) v.u.i64 = (int64_t)(0u - (uint64_t)v.u.i64); break;
    case EDDY_TYPE_DOUBLE: v.u.f64 = fabs(v.u.f64); break;
    case EDDY_TYPE_DECIMAL: if (v.u.dec < 0) v.u.dec = -v.u.dec; break;
    default: break;
    }
    *out = v;
    return 0;
}

/* ---------------------------------------------------------- FLOOR / CEIL */

/* DECIMAL(p, s) -> DECIMAL(p - s + 1, 0): rounding may add one integer digit (9.5 -> 10). */
static int resolve_dec_to_integral(const eddy_function *f, int argc,
                                   const eddy_type *const *argt, const eddy_type **param,
                                   const eddy_type **ret, const eddy_type **agg, char *errstr,
                                   size_t errstr_size)
{
    (void)f;
    (void)agg;
    (void)errstr;
    (void)errstr_size;
    if (argc != 1 || !argt[0] || argt[0]->id != EDDY_TYPE_DECIMAL)
        return EDDY_ETYPE;
    int p = argt[0]->precision - argt[0]->scale + 1;
    if (p > EDDY_DECIMAL_MAX_PRECISION)
        p = EDDY_DECIMAL_MAX_PRECISION;
    param[0] = argt[0];
    *ret = eddy_type_decimal(p, 0);
    return *ret ? 0 : EDDY_ETYPE;
}

static int floor_ceil(const eddy_value *v, bool ceil_, eddy_value *out, const eddy_function *f)
{
    (void)f;
    switch (v->type) {
    case EDDY_TYPE_DOUBLE:
        *out = eddy_double(ceil_ ? ceil(v->u.f64) : floor(v->u.f64));
        return 0;
    case EDDY_TYPE_DECIMAL: {
        __int128 d = p10(v->scale), q = v->u.dec / d, r = v->u.dec % d;
        if (ceil_ && r > 0)
            q++;
        if (!ceil_ && r < 0)
            q--;
        int p = v->precision - v->scale + 1;
        if (p > EDDY_DECIMAL_MAX_PRECISION)
            p = EDDY_DECIMAL_MAX_PRECISION;
        *out = eddy_decimal(q, p, 0);
        return 0;
    }
    default:
        *out = *v; /* integers are integral */
        return 0;
    }
}

static int fn_floor(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                    const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)argc;
    return floor_ceil(&argv[0], false, out, f);
}

static int fn_ceil(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                   eddy_value *out)
{
    (void)ctx;
    (void)argc;
    return floor_ceil(&argv[0], true, out, f);
}

/* ---------------------------------------------------------- ROUND / TRUNC */

/* Java's (long) cast of a double (Double.longValue): toward zero, NaN is 0, saturating. */
static int64_t java_long(double x)
{
    if (isnan(x))
        return 0;
    if (x >= 9.2233720368547758e18)
        return INT64_MAX;
    if (x <= -9.2233720368547758e18)
        return INT64_MIN;
    return (int64_t)x;
}

/* Java's Math.round(double): floor(x + 0.5) without the double rounding of x + 0.5 (for
 * infinities x - floor(x) is NaN, so they saturate as the cast does). */
static int64_t java_round(double x)
{
    double fl = floor(x);
    return java_long(fl) + (x - fl >= 0.5 ? 1 : 0);
}

/* ROUND(double, places) on the shortest decimal form of the double (BigDecimal.valueOf),
 * half toward +infinity; TRUNC(double, places) toward zero. */
static double round_double_places(double x, int places, bool trunc)
{
    if (!isfinite(x))
        return x;
    char buf[64];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    /* buf: [-]d.ddde[+-]XX */
    bool neg = buf[0] == '-';
    const char *p = buf + (neg ? 1 : 0);
    char digits[32];
    int k = 0;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[k++] = *p;
    int e = atoi(p + 1);
    /* value = D * 10^(e - (k - 1)); fraction digits: scale = k - 1 - e */
    int scale = k - 1 - e;
    if (places >= scale)
        return x;
    int drop = scale - places;
    __int128 D = 0;
    for (int i = 0; i < k; i++)
        D = D * 10 + (digits[i] - '0');
    if (neg)
        D = -D;
    __int128 q = scale_down(D, drop, trunc);
    if (q == 0)
        return 0.0;
    /* q * 10^-places, formatted and re-read for a correctly rounded double */
    char num[80];
    bool qn = q < 0;
    unsigned __int128 uq = qn ? (unsigned __int128)(-q) : (unsigned __int128)q;
    char rev[48];
    int rn = 0;
    while (uq > 0) {
        rev[rn++] = (char)('0' + (int)(uq % 10));
        uq /= 10;
    }
    int o = 0;
    if (qn)
        num[o++] = '-';
    while (rn > 0)
        num[o++] = rev[--rn];
    snprintf(num + o, sizeof num - (size_t)o, "e%d", -places);
    return strtod(num, NULL);
}

/* ROUND and TRUNC share their overloads; `name` words the errors. */
static int round_or_trunc(eddy_func_ctx *ctx, int argc, const eddy_value *argv, eddy_value *out,
                          bool trunc)
{
    const char *name = trunc ? "TRUNC" : "ROUND";
    const eddy_value *v = &argv[0];
    int places = argc > 1 ? argv[1].u.i32 : 0;
    switch (v->type) {
    case EDDY_TYPE_DOUBLE:
        if (argc == 1)
            *out = eddy_bigint(trunc ? java_long(v->u.f64) : java_round(v->u.f64));
        else
            *out = eddy_double(round_double_places(v->u.f64, places, trunc));
        return 0;
    case EDDY_TYPE_DECIMAL: {
        if (argc == 1) {
            int p = v->precision - v->scale + 1;
            if (p > EDDY_DECIMAL_MAX_PRECISION)
                p = EDDY_DECIMAL_MAX_PRECISION;
            *out = eddy_decimal(scale_down(v->u.dec, v->scale, trunc), p, 0);
            return 0;
        }
        /* same type, rounded at `places` */
        int drop = v->scale - places;
        if (drop <= 0) {
            *out = *v;
            return 0;
        }
        __int128 q = scale_down(v->u.dec, drop, trunc);
        __int128 r = drop > 38 ? 0 : q * p10(drop);
        if (!dec_fits(r, v->precision))
            return eddy_func_fail(ctx, "%s: the result does not fit DECIMAL(%d, %d)",
                                  name, v->precision, v->scale);
        *out = eddy_decimal(r, v->precision, v->scale);
        return 0;
    }
    case EDDY_TYPE_BIGINT:
    case EDDY_TYPE_INT: {
        if (argc == 1 || places >= 0) {
            *out = *v;
            return 0;
        }
        __int128 u = v->type == EDDY_TYPE_INT ? v->u.i32 : v->u.i64;
        __int128 q = scale_down(u, -places, trunc) * p10(-places > 38 ? 38 : -places);
        if (v->type == EDDY_TYPE_INT)
            *out = eddy_int((int32_t)q);
        else
            *out = eddy_bigint((int64_t)q);
        return 0;
    }
    default:
        return eddy_func_fail(ctx, "%s: unsupported type", name);
    }
}

static int fn_round(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                    const eddy_value *argv, eddy_value *out)
{
    (void)f;
    return round_or_trunc(ctx, argc, argv, out, false);
}

static int fn_trunc(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                    const eddy_value *argv, eddy_value *out)
{
    (void)f;
    return round_or_trunc(ctx, argc, argv, out, true);
}

/* ------------------------------------------------------ the double family */

static int fn_sqrt(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                   eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    *out = eddy_double(sqrt(argv[0].u.f64));
    return 0;
}

static int fn_power(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                    const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    *out = eddy_double(pow(argv[0].u.f64, argv[1].u.f64));
    return 0;
}

static int fn_exp(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                  eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    *out = eddy_double(exp(argv[0].u.f64));
    return 0;
}

/* One-argument DOUBLE functions with java.lang.Math's semantics (NaN outside the domain). */
#define UNARY_DOUBLE(fname, expr)                                                              \
    static int fname(eddy_func_ctx *ctx, const eddy_function *f, int argc,                    \
                     const eddy_value *argv, eddy_value *out)                                  \
    {                                                                                          \
        (void)ctx;                                                                             \
        (void)f;                                                                               \
        (void)argc;                                                                            \
        double x = argv[0].u.f64;                                                              \
        *out = eddy_double(expr);                                                              \
        return 0;                                                                              \
    }

UNARY_DOUBLE(fn_acos, acos(x))
UNARY_DOUBLE(fn_asin, asin(x))
UNARY_DOUBLE(fn_atan, atan(x))
UNARY_DOUBLE(fn_cos, cos(x))
UNARY_DOUBLE(fn_sin, sin(x))
UNARY_DOUBLE(fn_tan, tan(x))
UNARY_DOUBLE(fn_cot, 1.0 / tan(x))
UNARY_DOUBLE(fn_cosh, cosh(x))
UNARY_DOUBLE(fn_sinh, sinh(x))
UNARY_DOUBLE(fn_tanh, tanh(x))
UNARY_DOUBLE(fn_radians, x / 180.0 * M_PI)
UNARY_DOUBLE(fn_degrees, x * 180.0 / M_PI)

static int fn_atan2(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                    const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    *out = eddy_double(atan2(argv[0].u.f64, argv[1].u.f64));
    return 0;
}

static int fn_pi(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                 eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    (void)argv;
    *out = eddy_double(M_PI);
    return 0;
}

static int fn_ln(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                 eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    *out = eddy_double(log(argv[0].u.f64));
    return 0;
}

/* LOG(base, x) is ln(x) / ln(base), NaN for a base <= 0 or 1 and for a negative x.
 * LOG(x): scalar-functions.md says base 10, but ksqlDB computes the natural logarithm
 * (math.json "log-base-10": LOG(13) = 2.5649493574615367); we follow what ksqlDB does. */
static int fn_log(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                  eddy_value *out)
{
    (void)ctx;
    (void)f;
    if (argc == 1) {
        *out = eddy_double(log(argv[0].u.f64));
        return 0;
    }
    double base = argv[0].u.f64, x = argv[1].u.f64;
    if (base <= 0 || base == 1 || x < 0)
        *out = eddy_double(NAN);
    else
        *out = eddy_double(log(x) / log(base));
    return 0;
}

static int fn_sign(eddy_func_ctx *ctx, const eddy_function *f, int argc, const eddy_value *argv,
                   eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    const eddy_value *v = &argv[0];
    int s = 0;
    switch (v->type) {
    case EDDY_TYPE_INT: s = (v->u.i32 > 0) - (v->u.i32 < 0); break;
    case EDDY_TYPE_BIGINT: s = (v->u.i64 > 0) - (v->u.i64 < 0); break;
    case EDDY_TYPE_DOUBLE: s = (v->u.f64 > 0) - (v->u.f64 < 0); break;
    case EDDY_TYPE_DECIMAL: s = (v->u.dec > 0) - (v->u.dec < 0); break;
    default: break;
    }
    *out = eddy_int(s);
    return 0;
}

/* RANDOM(): a per-thread xorshift64* generator; uniform in [0, 1). */
static int fn_random(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                     const eddy_value *argv, eddy_value *out)
{
    (void)ctx;
    (void)f;
    (void)argc;
    (void)argv;
    static __thread uint64_t state;
    if (state == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        state = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
                ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)&state;
        if (state == 0)
            state = 0x9E3779B97F4A7C15ull;
    }
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    uint64_t r = state * 0x2545F4914F6CDD1Dull;
    *out = eddy_double((double)(r >> 11) * 0x1.0p-53);
    return 0;
}

/* ------------------------------------------------------------ registration */

typedef struct def {
    const char *name, *sig;
    eddy_scalar_fn fn;
    eddy_resolve_fn resolve;
    const char *desc;
} def;

static const def defs[] = {
    {"abs", "(INTEGER x) -> INTEGER", fn_abs, NULL, "Absolute value."},
    {"abs", "(BIGINT x) -> BIGINT", fn_abs, NULL, "Absolute value."},
    {"abs", "(DOUBLE x) -> DOUBLE", fn_abs, NULL, "Absolute value."},
    {"abs", "(DECIMAL x) -> DECIMAL", fn_abs, NULL, "Absolute value."},
    {"ceil", "(INTEGER x) -> INTEGER", fn_ceil, NULL, "Smallest integral value >= x."},
    {"ceil", "(BIGINT x) -> BIGINT", fn_ceil, NULL, "Smallest integral value >= x."},
    {"ceil", "(DOUBLE x) -> DOUBLE", fn_ceil, NULL, "Smallest integral value >= x."},
    {"ceil", NULL, fn_ceil, resolve_dec_to_integral, "Smallest integral value >= x."},
    {"floor", "(INTEGER x) -> INTEGER", fn_floor, NULL, "Largest integral value <= x."},
    {"floor", "(BIGINT x) -> BIGINT", fn_floor, NULL, "Largest integral value <= x."},
    {"floor", "(DOUBLE x) -> DOUBLE", fn_floor, NULL, "Largest integral value <= x."},
    {"floor", NULL, fn_floor, resolve_dec_to_integral, "Largest integral value <= x."},
    {"round", "(INTEGER x) -> INTEGER", fn_round, NULL, "Rounds to an integral value."},
    {"round", "(BIGINT x) -> BIGINT", fn_round, NULL, "Rounds to an integral value."},
    {"round", "(DOUBLE x) -> BIGINT", fn_round, NULL, "Rounds half up to an integral value."},
    {"round", "(DOUBLE x, INTEGER places) -> DOUBLE", fn_round, NULL,
     "Rounds half up to `places` decimal places."},
    {"round", NULL, fn_round, resolve_dec_to_integral, "Rounds half up to an integral value."},
    {"round", "(DECIMAL x, INTEGER places) -> DECIMAL", fn_round, NULL,
     "Rounds half up to `places` decimal places."},
    {"trunc", "(INTEGER x) -> INTEGER", fn_trunc, NULL, "Truncates to an integral value."},
    {"trunc", "(BIGINT x) -> BIGINT", fn_trunc, NULL, "Truncates to an integral value."},
    {"trunc", "(DOUBLE x) -> BIGINT", fn_trunc, NULL,
     "Truncates (rounds toward zero) to an integral value."},
    {"trunc", "(DOUBLE x, INTEGER places) -> DOUBLE", fn_trunc, NULL,
     "Truncates (rounds toward zero) to `places` decimal places; left of the point when "
     "negative."},
    {"trunc", NULL, fn_trunc, resolve_dec_to_integral,
     "Truncates (rounds toward zero) to an integral value."},
    {"trunc", "(DECIMAL x, INTEGER places) -> DECIMAL", fn_trunc, NULL,
     "Truncates (rounds toward zero) to `places` decimal places; left of the point when "
     "negative."},
    {"sqrt", "(DOUBLE x) -> DOUBLE", fn_sqrt, NULL, "Square root."},
    {"power", "(DOUBLE base, DOUBLE exponent) -> DOUBLE", fn_power, NULL, "base^exponent."},
    {"exp", "(DOUBLE x) -> DOUBLE", fn_exp, NULL, "e^x."},
    {"ln", "(DOUBLE x) -> DOUBLE", fn_ln, NULL, "Natural logarithm."},
    {"log", "(DOUBLE x) -> DOUBLE", fn_log, NULL, "Logarithm (natural, as ksqlDB computes it)."},
    {"log", "(DOUBLE base, DOUBLE x) -> DOUBLE", fn_log, NULL, "Logarithm in `base`."},
    {"sign", "(INTEGER x) -> INTEGER", fn_sign, NULL, "-1, 0 or 1."},
    {"sign", "(BIGINT x) -> INTEGER", fn_sign, NULL, "-1, 0 or 1."},
    {"sign", "(DOUBLE x) -> INTEGER", fn_sign, NULL, "-1, 0 or 1."},
    {"sign", "(DECIMAL x) -> INTEGER", fn_sign, NULL, "-1, 0 or 1."},
    {"random", "() -> DOUBLE", fn_random, NULL, "A random DOUBLE in [0, 1)."},
    {"acos", "(DOUBLE x) -> DOUBLE", fn_acos, NULL, "Arc cosine (NaN outside [-1, 1])."},
    {"asin", "(DOUBLE x) -> DOUBLE", fn_asin, NULL, "Arc sine (NaN outside [-1, 1])."},
    {"atan", "(DOUBLE x) -> DOUBLE", fn_atan, NULL, "Arc tangent."},
    {"atan2", "(DOUBLE y, DOUBLE x) -> DOUBLE", fn_atan2, NULL,
     "Angle of the point (x, y) in radians."},
    {"cos", "(DOUBLE x) -> DOUBLE", fn_cos, NULL, "Cosine."},
    {"sin", "(DOUBLE x) -> DOUBLE", fn_sin, NULL, "Sine."},
    {"tan", "(DOUBLE x) -> DOUBLE", fn_tan, NULL, "Tangent."},
    {"cot", "(DOUBLE x) -> DOUBLE", fn_cot, NULL, "Cotangent."},
    {"cosh", "(DOUBLE x) -> DOUBLE", fn_cosh, NULL, "Hyperbolic cosine."},
    {"sinh", "(DOUBLE x) -> DOUBLE", fn_sinh, NULL, "Hyperbolic sine."},
    {"tanh", "(DOUBLE x) -> DOUBLE", fn_tanh, NULL, "Hyperbolic tangent."},
    {"radians", "(DOUBLE x) -> DOUBLE", fn_radians, NULL, "Degrees to radians."},
    {"degrees", "(DOUBLE x) -> DOUBLE", fn_degrees, NULL, "Radians to degrees."},
    {"pi", "() -> DOUBLE", fn_pi, NULL, "The constant pi."},
};

int eddy_builtins_math_register(eddy_registry *r)
{
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        eddy_function f = {.name = defs[i].name, .kind = EDDY_FUNC_SCALAR,
                           .signature = defs[i].sig, .description = defs[i].desc,
                           .source = "built-in", .resolve = defs[i].resolve,
                           .scalar = defs[i].fn};
        int rc = eddy_registry_add(r, &f, false, NULL, 0);
        if (rc)
            return rc;
    }
    return 0;
}
