/* decimal.c: exact DECIMAL arithmetic helpers on a 128-bit unscaled value (parse, rescale with
 * HALF_UP rounding, plain and Java renderings, conversions from doubles and strings). */
#include "types_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P19 ((__int128)10000000000000000000ull)

const __int128 eddy_dec_pow10[EDDY_DECIMAL_MAX_PRECISION + 1] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
    1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
    100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
    1000000000000000000ull, P19, P19 * 10, P19 * 100, P19 * 1000, P19 * 10000, P19 * 100000,
    P19 * 1000000, P19 * 10000000, P19 * 100000000, P19 * 1000000000, P19 * 10000000000ull,
    P19 * 100000000000ull, P19 * 1000000000000ull, P19 * 10000000000000ull,
    P19 * 100000000000000ull, P19 * 1000000000000000ull, P19 * 10000000000000000ull,
    P19 * 100000000000000000ull, P19 * 1000000000000000000ull, P19 * P19,
};

int eddy_dec_ndigits(unsigned __int128 u)
{
    int n = 1;
    while (n <= EDDY_DECIMAL_MAX_PRECISION && u >= (unsigned __int128)eddy_dec_pow10[n])
        n++;
    return n;
}

static unsigned __int128 uabs(__int128 v)
{
    return v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
}

/* ---------------------------------------------------------------- parse */

/* A number as Java's BigDecimal(String) reads it: [+-] digits [. digits] [(e|E) [+-] digits],
 * at least one digit in the mantissa, nothing else. Only the first significant digits are
 * kept: the callers need at most 39 of them (38 digits and a rounding digit). */
typedef struct numtext {
    bool neg;
    char dig[64];
    int nkept;   /* significant digits kept in dig (at most sizeof dig) */
    int nsig;    /* significant digits in the text (leading zeros excluded) */
    int e10;     /* value = 0.dig x 10^e10 */
    int nfrac;   /* digits after the point, as written */
    long exp;    /* explicit exponent */
} numtext;

static int scan_number(const char *s, size_t len, numtext *nt)
{
    size_t i = 0;
    memset(nt, 0, sizeof *nt);
    if (i < len && (s[i] == '+' || s[i] == '-'))
        nt->neg = s[i++] == '-';
    int ndig = 0, nint_sig = 0, lead_frac_zeros = 0;
    bool seen_sig = false;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        ndig++;
        if (s[i] != '0' || seen_sig) {
            seen_sig = true;
            nint_sig++;
            if (nt->nkept < (int)sizeof nt->dig)
                nt->dig[nt->nkept++] = s[i];
            nt->nsig++;
        }
    }
    if (i < len && s[i] == '.') {
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            ndig++;
            nt->nfrac++;
            if (s[i] != '0' || seen_sig) {
                seen_sig = true;
                if (nt->nkept < (int)sizeof nt->dig)
                    nt->dig[nt->nkept++] = s[i];
                nt->nsig++;
            } else {
                lead_frac_zeros++;
            }
        }
    }
    if (!ndig)
        return EDDY_EPARSE;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i >= len || s[i] < '0' || s[i] > '9')
            return EDDY_EPARSE;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            nt->exp = nt->exp * 10 + (s[i] - '0');
            if (nt->exp > 100000000L)
                return EDDY_ERANGE;
        }
        if (eneg)
            nt->exp = -nt->exp;
    }
    if (i != len)
        return EDDY_EPARSE;
    if (nt->nsig == 0)
        nt->e10 = 0;
    else
        nt->e10 = (int)((nint_sig ? nint_sig : -lead_frac_zeros) + nt->exp);
    return 0;
}

int eddy_decimal_parse(const char *s, size_t len, __int128 *unscaled, int *precision, int *scale)
{
    numtext nt;
    int rc = scan_number(s, len, &nt);
    if (rc)
        return rc;
    if (nt.nsig > EDDY_DECIMAL_MAX_PRECISION)
        return EDDY_ERANGE;
    long sc = nt.nfrac - nt.exp;
    unsigned __int128 u = 0;
    for (int i = 0; i < nt.nkept; i++)
        u = u * 10 + (unsigned)(nt.dig[i] - '0');
    if (sc < 0) {
        /* A negative scale ("1E+3") is written out: DECIMAL has no negative scale. */
        if (u && (-sc > EDDY_DECIMAL_MAX_PRECISION ||
                  eddy_dec_ndigits(u) - sc > EDDY_DECIMAL_MAX_PRECISION))
            return EDDY_ERANGE;
        if (u)
            u *= (unsigned __int128)eddy_dec_pow10[-sc];
        sc = 0;
    }
    if (sc > EDDY_DECIMAL_MAX_PRECISION)
        return EDDY_ERANGE;
    int nd = eddy_dec_ndigits(u);
    /* ksqlDB's DecimalUtil.fromValue: in (-1, 1) the precision is scale + 1 ("0.05" is
     * DECIMAL(3, 2)), elsewhere the digit count. */
    int p = nd <= sc ? (int)sc + 1 : nd;
    if (p > EDDY_DECIMAL_MAX_PRECISION)
        p = EDDY_DECIMAL_MAX_PRECISION;
    *unscaled = nt.neg ? -(__int128)u : (__int128)u;
    *precision = p;
    *scale = (int)sc;
    return 0;
}

/* --------------------------------------------------------------- rescale */

/* u / 10^k rounded HALF_UP (ties away from zero), k >= 1. */
static __int128 div_pow10_half_up(__int128 u, int k)
{
    if (k > EDDY_DECIMAL_MAX_PRECISION)
        return 0; /* |u| < 2^127 < 10^39 / 2 */
    __int128 d = eddy_dec_pow10[k];
    __int128 q = u / d, r = u % d;
    unsigned __int128 ar = uabs(r);
    if (ar >= (unsigned __int128)d - ar)
        q += u < 0 ? -1 : 1;
    return q;
}

int eddy_decimal_rescale(__int128 unscaled, int from_scale, int precision, int scale,
                         __int128 *out)
{
    if (precision < 1 || precision > EDDY_DECIMAL_MAX_PRECISION || scale < 0 ||
        scale > precision)
        return EDDY_EINVAL;
    __int128 r;
    int diff = scale - from_scale;
    if (diff >= 0) {
        /* |u| * 10^diff < 10^precision, checked before multiplying (no int128 overflow). */
        if (unscaled != 0 && (diff > precision ||
                              uabs(unscaled) >= (unsigned __int128)eddy_dec_pow10[precision - diff]))
            return EDDY_ERANGE;
        r = unscaled == 0 ? 0 : unscaled * eddy_dec_pow10[diff];
    } else {
        r = div_pow10_half_up(unscaled, -diff);
    }
    if (uabs(r) >= (unsigned __int128)eddy_dec_pow10[precision])
        return EDDY_ERANGE;
    *out = r;
    return 0;
}

/* --------------------------------------------------------------- format */

/* Digits of |u| into `d` (no NUL), returns the count. */
static int utoa128(unsigned __int128 u, char *d)
{
    char tmp[48];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    for (int i = 0; i < n; i++)
        d[i] = tmp[n - 1 - i];
    return n;
}

size_t eddy_decimal_format(__int128 unscaled, int scale, char *buf, size_t size)
{
    char out[128];
    char dig[48];
    size_t len = 0;
    int n = utoa128(uabs(unscaled), dig);
    if (unscaled < 0)
        out[len++] = '-';
    if (scale <= 0) {
        memcpy(out + len, dig, (size_t)n);
        len += (size_t)n;
        if (unscaled != 0)
            for (int i = 0; i < -scale && len < sizeof out - 1; i++)
                out[len++] = '0';
    } else if (n > scale) {
        memcpy(out + len, dig, (size_t)(n - scale));
        len += (size_t)(n - scale);
        out[len++] = '.';
        memcpy(out + len, dig + n - scale, (size_t)scale);
        len += (size_t)scale;
    } else {
        out[len++] = '0';
        out[len++] = '.';
        for (int i = 0; i < scale - n; i++)
            out[len++] = '0';
        memcpy(out + len, dig, (size_t)n);
        len += (size_t)n;
    }
    if (size) {
        size_t c = len < size ? len : size - 1;
        memcpy(buf, out, c);
        buf[c] = '\0';
    }
    return len;
}

size_t eddy_decimal_to_java(__int128 unscaled, int scale, char *buf)
{
    char dig[48];
    int n = utoa128(uabs(unscaled), dig);
    long adjusted = -(long)scale + (n - 1);
    if (scale >= 0 && adjusted >= -6)
        return eddy_decimal_format(unscaled, scale, buf, 64);
    size_t len = 0;
    if (unscaled < 0)
        buf[len++] = '-';
    buf[len++] = dig[0];
    if (n > 1) {
        buf[len++] = '.';
        memcpy(buf + len, dig + 1, (size_t)(n - 1));
        len += (size_t)(n - 1);
    }
    len += (size_t)snprintf(buf + len, 64 - len, "E%s%ld", adjusted > 0 ? "+" : "", adjusted);
    return len;
}

double eddy_decimal_to_double(__int128 unscaled, int scale)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    unsigned __int128 a = uabs(unscaled);
    /* Both operands exact: one IEEE division rounds correctly. */
    if (a < ((unsigned __int128)1 << 53) && scale >= 0 && scale <= 22)
        return (double)(int64_t)unscaled / p10[scale];
    char tmp[96];
    char dig[48];
    int nd = utoa128(a, dig);
    size_t n = 0;
    if (unscaled < 0)
        tmp[n++] = '-';
    memcpy(tmp + n, dig, (size_t)nd);
    n += (size_t)nd;
    snprintf(tmp + n, sizeof tmp - n, "e%d", -scale);
    return strtod(tmp, NULL);
}

/* ------------------------------------------------------------- from text */

int eddy_dec_from_digits(bool neg, const char *digits, int n, int e10, int mc_precision,
                         int precision, int scale, __int128 *out)
{
    if (precision < 1 || precision > EDDY_DECIMAL_MAX_PRECISION || scale < 0 ||
        scale > precision)
        return EDDY_EINVAL;
    char d[80];
    /* Drop leading zeros (they carry no value), keep at most sizeof d - 1 digits: only the
     * first precision + 1 ever influence the result. */
    while (n > 0 && *digits == '0') {
        digits++;
        n--;
        e10--;
    }
    if (n == 0) {
        *out = 0;
        return 0;
    }
    if (n > (int)sizeof d - 1)
        n = (int)sizeof d - 1;
    memcpy(d, digits, (size_t)n);

    /* MathContext(mc_precision), HALF_UP. */
    if (mc_precision > 0 && n > mc_precision) {
        bool up = d[mc_precision] >= '5';
        n = mc_precision;
        if (up) {
            int i = n - 1;
            while (i >= 0 && d[i] == '9')
                d[i--] = '0';
            if (i >= 0) {
                d[i]++;
            } else { /* 99.9 -> 100: one more integer digit */
                memmove(d + 1, d, (size_t)n - 1);
                d[0] = '1';
                e10++;
            }
        }
    }
    /* ensureMax: the leading digit sits at 10^(e10-1). */
    if (e10 - 1 >= precision - scale)
        return EDDY_ERANGE;
    /* setScale(scale, HALF_UP): keep the digits down to 10^-scale. */
    int keep = e10 + scale; /* number of leading digits at positions >= 10^-scale */
    unsigned __int128 u = 0;
    if (keep >= n) {
        for (int i = 0; i < n; i++)
            u = u * 10 + (unsigned)(d[i] - '0');
        u *= (unsigned __int128)eddy_dec_pow10[keep - n]; /* keep - n <= precision */
    } else if (keep >= 0) {
        for (int i = 0; i < keep; i++)
            u = u * 10 + (unsigned)(d[i] - '0');
        if (d[keep] >= '5')
            u++;
    } /* keep < 0: the first dropped digit is an implicit 0: rounds to 0 */
    if (u >= (unsigned __int128)eddy_dec_pow10[precision])
        return EDDY_ERANGE;
    *out = neg ? -(__int128)u : (__int128)u;
    return 0;
}

int eddy_dec_from_double(double v, int precision, int scale, __int128 *out)
{
    if (isnan(v) || isinf(v))
        return EDDY_ERANGE;
    if (v == 0) {
        *out = 0;
        return 0;
    }
    /* glibc prints the exact binary value rounded to N digits. Only digit precision + 1
     * matters (HALF_UP), and a carry out of the N-th digit could change it only by turning
     * the digits between into zeros. So the N-digit print is trusted when the exact
     * expansion has at most N significant digits, or when those digits are not all zero;
     * otherwise the whole exact expansion is printed (a double has at most 767 digits). */
    enum { N = 64 };
    char small[N + 16], *buf = small, *big = NULL;
    int n = N;
    snprintf(small, sizeof small, "%.*e", N - 1, fabs(v));
    int e2;
    double m = frexp(fabs(v), &e2);
    uint64_t M = (uint64_t)ldexp(m, 53);
    int E = e2 - 53;
    while (!(M & 1)) {
        M >>= 1;
        E++;
    }
    bool exact = E >= 0 ? fabs(v) < 1e60 : 17 + (int)ceil(-E * 0.69897000433601886) <= N;
    if (!exact) {
        bool zeros = true;
        for (int i = precision + 2; i <= N; i++) /* digit k (1-based, k >= 2) is at [k] */
            if (small[i] != '0')
                zeros = false;
        if (zeros) {
            n = 800;
            if (!(big = malloc(n + 16)))
                return EDDY_ENOMEM;
            snprintf(big, (size_t)n + 16, "%.*e", n - 1, fabs(v));
            buf = big;
        }
    }
    int e = atoi(buf + n + 2); /* "d.<n-1 digits>e<exp>" */
    char stackdig[N], *dig = n == N ? stackdig : big; /* in place: digits move left by one */
    dig[0] = buf[0];
    memmove(dig + 1, buf + 2, (size_t)n - 1);
    int rc = eddy_dec_from_digits(v < 0, dig, n, e + 1, precision, precision, scale, out);
    free(big);
    return rc;
}

int eddy_dec_from_string(const char *s, size_t len, int precision, int scale, __int128 *out)
{
    numtext nt;
    int rc = scan_number(s, len, &nt);
    if (rc)
        return rc;
    return eddy_dec_from_digits(nt.neg, nt.dig, nt.nkept, nt.e10, 0, precision, scale, out);
}
