/* serde_util.c: UTF-8, Java-compatible number grammars and ksqlDB's decimal fitting, shared
 * by the formats of serde/. */
#define _GNU_SOURCE /* strtod_l, newlocale */
#include "serde_util.h"

#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ UTF-8 */

size_t eddy_serde_utf8_len(const uint8_t *p, const uint8_t *end)
{
    uint8_t c = p[0];
    size_t avail = (size_t)(end - p);
    if (c < 0xC2)
        return 0; /* continuation byte, or overlong 2-byte lead */
    if (c < 0xE0) {
        if (avail < 2 || (p[1] & 0xC0) != 0x80)
            return 0;
        return 2;
    }
    if (c < 0xF0) {
        if (avail < 3)
            return 0;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80)
            return 0;
        return 3;
    }
    if (c < 0xF5) {
        if (avail < 4)
            return 0;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
        if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        return 4;
    }
    return 0;
}

/* How many bytes an ill-formed sequence at p spans (its maximal valid prefix, at least 1):
 * each such span becomes one U+FFFD, as Java's decoder does. */
static size_t utf8_bad_len(const uint8_t *p, const uint8_t *end)
{
    uint8_t c = p[0];
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c < 0xE0)
        need = 2;
    else if (c >= 0xE0 && c < 0xF0) {
        need = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c < 0xF5) {
        need = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 1;
    size_t i = 1;
    if (p + i < end && p[i] >= lo && p[i] <= hi) {
        i++;
        while (i < need && p + i < end && (p[i] & 0xC0) == 0x80)
            i++;
    }
    return i;
}

int eddy_serde_utf8_sanitize(eddy_arena *arena, const char *s, size_t n, const char **out,
                             size_t *outlen)
{
    const uint8_t *p = (const uint8_t *)s, *end = p + n;
    size_t bad = 0;
    while (p < end) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t l = eddy_serde_utf8_len(p, end);
        if (l) {
            p += l;
            continue;
        }
        bad++;
        p += utf8_bad_len(p, end);
    }
    if (!bad) {
        *out = s;
        *outlen = n;
        return 0;
    }
    char *d = eddy_arena_alloc(arena, n + bad * 3 + 1);
    if (!d)
        return EDDY_ENOMEM;
    size_t o = 0;
    p = (const uint8_t *)s;
    while (p < end) {
        if (*p < 0x80) {
            d[o++] = (char)*p++;
            continue;
        }
        size_t l = eddy_serde_utf8_len(p, end);
        if (l) {
            memcpy(d + o, p, l);
            o += l;
            p += l;
            continue;
        }
        d[o++] = (char)0xEF;
        d[o++] = (char)0xBF;
        d[o++] = (char)0xBD;
        p += utf8_bad_len(p, end);
    }
    d[o] = '\0';
    *out = d;
    *outlen = o;
    return 0;
}

/* ---------------------------------------------------------- numbers */

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

size_t eddy_serde_fmt_i64(char *dst, int64_t v)
{
    char tmp[24];
    char *e = tmp + sizeof tmp, *q = e;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    while (u >= 100) {
        unsigned r = (unsigned)(u % 100);
        u /= 100;
        q -= 2;
        memcpy(q, digit_pairs + 2 * r, 2);
    }
    if (u >= 10) {
        q -= 2;
        memcpy(q, digit_pairs + 2 * u, 2);
    } else
        *--q = (char)('0' + u);
    if (v < 0)
        *--q = '-';
    size_t len = (size_t)(e - q);
    memcpy(dst, q, len);
    return len;
}

int eddy_serde_parse_long(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (n && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n)
        return EDDY_EPARSE;
    unsigned __int128 acc = 0;
    bool big = false;
    for (; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            return EDDY_EPARSE;
        if (!big) {
            acc = acc * 10 + d;
            if (acc > ((unsigned __int128)1 << 64))
                big = true;
        }
    }
    if (big)
        return EDDY_ERANGE;
    __int128 v = neg ? -(__int128)acc : (__int128)acc;
    if (v < min || v > max)
        return EDDY_ERANGE;
    *out = (int64_t)v;
    return 0;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

double eddy_serde_strtod(const char *s, size_t n)
{
    char small[128];
    char *buf = small;
    if (n >= sizeof small) {
        buf = malloc(n + 1);
        if (!buf)
            return 0.0; /* cannot happen in practice; numbers this long are rare */
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    pthread_once(&c_locale_once, c_locale_init);
    double d = c_locale ? strtod_l(buf, NULL, c_locale) : strtod(buf, NULL);
    if (buf != small)
        free(buf);
    return d;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int eddy_serde_parse_double(const char *s, size_t n, double *out)
{
    while (n && (unsigned char)s[0] <= ' ') {
        s++;
        n--;
    }
    while (n && (unsigned char)s[n - 1] <= ' ')
        n--;
    if (!n)
        return EDDY_EPARSE;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i++;
    }
    if (n - i == 3 && memcmp(s + i, "NaN", 3) == 0) {
        *out = __builtin_nan("");
        return 0;
    }
    if (n - i == 8 && memcmp(s + i, "Infinity", 8) == 0) {
        *out = neg ? -__builtin_inf() : __builtin_inf();
        return 0;
    }
    size_t end = n;
    if (end > i && strchr("fFdD", s[end - 1]))
        end--;
    size_t j = i, digits = 0;
    if (end - j > 2 && s[j] == '0' && (s[j + 1] == 'x' || s[j + 1] == 'X')) {
        j += 2;
        while (j < end && is_hex(s[j])) {
            j++;
            digits++;
        }
        if (j < end && s[j] == '.') {
            j++;
            while (j < end && is_hex(s[j])) {
                j++;
                digits++;
            }
        }
        if (!digits || j >= end || (s[j] != 'p' && s[j] != 'P'))
            return EDDY_EPARSE;
        j++;
    } else {
        while (j < end && is_digit(s[j])) {
            j++;
            digits++;
        }
        if (j < end && s[j] == '.') {
            j++;
            while (j < end && is_digit(s[j])) {
                j++;
                digits++;
            }
        }
        if (!digits)
            return EDDY_EPARSE;
        if (j == end) {
            *out = eddy_serde_strtod(s, end);
            return 0;
        }
        if (s[j] != 'e' && s[j] != 'E')
            return EDDY_EPARSE;
        j++;
    }
    /* exponent */
    if (j < end && (s[j] == '+' || s[j] == '-'))
        j++;
    size_t ed = 0;
    while (j < end && is_digit(s[j])) {
        j++;
        ed++;
    }
    if (!ed || j != end)
        return EDDY_EPARSE;
    *out = eddy_serde_strtod(s, end);
    return 0;
}

int eddy_serde_parse_bigdecimal(const char *s, size_t n, __int128 *unscaled, int *scale,
                                int *precision)
{
    /* eddy_decimal_parse reads Java's BigDecimal grammar exactly (no whitespace) */
    int p;
    int rc = eddy_decimal_parse(s, n, unscaled, &p, scale);
    if (rc)
        return rc == EDDY_ERANGE ? EDDY_ERANGE : EDDY_EPARSE;
    /* BigDecimal.precision(): the digits of the unscaled value */
    unsigned __int128 u = *unscaled < 0 ? -(unsigned __int128)*unscaled
                                        : (unsigned __int128)*unscaled;
    int d = 1;
    while (u >= 10) {
        u /= 10;
        d++;
    }
    *precision = d;
    return 0;
}

static __int128 pow10_i128(int n)
{
    __int128 r = 1;
    while (n-- > 0)
        r *= 10;
    return r;
}

int eddy_serde_decimal_fit(__int128 unscaled, int scale, int precision, const eddy_type *t,
                           __int128 *out, char *msg, size_t msg_size)
{
    __int128 u = unscaled;
    int s = scale;
    bool ok = true;
    if (s > t->scale) {
        __int128 div = pow10_i128(s - t->scale);
        if (u % div != 0)
            ok = false;
        else
            u /= div;
    } else if (s < t->scale) {
        int up = t->scale - s;
        if (up > EDDY_DECIMAL_MAX_PRECISION)
            ok = u == 0;
        else {
            __int128 mul = pow10_i128(up);
            __int128 lim = pow10_i128(EDDY_DECIMAL_MAX_PRECISION);
            if (u > lim / mul || u < -(lim / mul))
                ok = false;
            else
                u *= mul;
        }
    }
    if (ok) {
        __int128 max = pow10_i128(t->precision);
        if (u >= max || u <= -max)
            ok = false;
    }
    if (ok) {
        *out = u;
        return 0;
    }
    char txt[64];
    if (scale >= 0)
        eddy_decimal_format(unscaled, scale, txt, sizeof txt);
    else {
        size_t l = eddy_decimal_format(unscaled, 0, txt, sizeof txt);
        for (int k = 0; k < -scale && l + 1 < sizeof txt; k++)
            txt[l++] = '0';
        txt[l] = '\0';
    }
    snprintf(msg, msg_size,
             "Cannot fit decimal '%s' into DECIMAL(%d, %d) without rounding. (Requires %d,%d)",
             txt, t->precision, t->scale, precision > scale ? precision : scale, scale);
    return EDDY_ERANGE;
}

int eddy_serde_json_number_text(eddy_buf *out, const char *s, size_t n)
{
    size_t i = 0;
    bool neg = s[0] == '-';
    if (neg)
        i++;
    const char *ip = s + i;
    size_t ni = 0;
    while (i < n && is_digit(s[i])) {
        i++;
        ni++;
    }
    const char *fp = s + i;
    size_t nf = 0;
    if (i < n && s[i] == '.') {
        i++;
        fp = s + i;
        while (i < n && is_digit(s[i])) {
            i++;
            nf++;
        }
    }
    bool has_exp = i < n;
    int64_t exp = 0;
    if (has_exp) {
        i++; /* e/E */
        bool eneg = false;
        if (s[i] == '+' || s[i] == '-') {
            eneg = s[i] == '-';
            i++;
        }
        for (; i < n; i++)
            if (exp < 4000000000LL)
                exp = exp * 10 + (s[i] - '0');
        if (eneg)
            exp = -exp;
    }
    if (nf == 0 && !has_exp) { /* an integer node: its digits */
        if (ni == 1 && ip[0] == '0')
            return eddy_buf_putc(out, '0');
        return eddy_buf_append(out, s, n);
    }
    /* BigDecimal: coefficient = digits without leading zeros, scale = nf - exp */
    size_t nd = ni + nf, k = 0;
    while (k < nd && (k < ni ? ip[k] : fp[k - ni]) == '0')
        k++;
    bool zero = k == nd;
    if (zero)
        k = nd - 1; /* coefficient "0" */
    size_t clen = nd - k;
    int64_t scale = (int64_t)nf - exp;
    int64_t adjusted = -scale + (int64_t)(clen - 1);
    /* sign, "0.", up to 6 padding zeros, a point, "E+" and 20 exponent digits */
    int rc = eddy_buf_reserve(out, clen + 40);
    if (rc)
        return rc;
    char *d = out->data + out->len;
#define CDIG(j) ((k + (j)) < ni ? ip[k + (j)] : fp[k + (j) - ni])
    if (neg && !zero)
        *d++ = '-';
    if (scale == 0) {
        for (size_t j = 0; j < clen; j++)
            *d++ = CDIG(j);
    } else if (scale > 0 && adjusted >= -6) {
        int64_t pad = scale - (int64_t)clen;
        if (pad >= 0) {
            *d++ = '0';
            *d++ = '.';
            for (; pad > 0; pad--)
                *d++ = '0';
            for (size_t j = 0; j < clen; j++)
                *d++ = CDIG(j);
        } else {
            size_t ilen = (size_t)(-pad);
            for (size_t j = 0; j < ilen; j++)
                *d++ = CDIG(j);
            *d++ = '.';
            for (size_t j = ilen; j < clen; j++)
                *d++ = CDIG(j);
        }
    } else {
        *d++ = CDIG(0);
        if (clen > 1) {
            *d++ = '.';
            for (size_t j = 1; j < clen; j++)
                *d++ = CDIG(j);
        }
        if (adjusted != 0) {
            *d++ = 'E';
            if (adjusted > 0)
                *d++ = '+';
            d += eddy_serde_fmt_i64(d, adjusted);
        }
    }
#undef CDIG
    out->len = (size_t)(d - out->data);
    return 0;
}

/* ---------------------------------------------------------- messages */

void eddy_serde_snippet(char *dst, size_t size, const char *s, size_t n)
{
    size_t o = 0;
    if (size < 8) {
        if (size)
            dst[0] = '\0';
        return;
    }
    dst[o++] = '"';
    size_t i = 0;
    for (; i < n && o + 8 < size && i < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            dst[o++] = '\\';
            dst[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(dst + o, size - o, "\\x%02x", c);
        else
            dst[o++] = (char)c;
    }
    if (i < n && o + 5 < size) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o++] = '"';
    dst[o] = '\0';
}

const char *eddy_serde_type_name(const eddy_type *t, char *buf, size_t size)
{
    eddy_type_format(t, buf, size);
    return buf;
}

int eddy_serde_format_columns(eddy_buf *out, const eddy_schema *schema, const uint32_t *idx,
                              uint32_t n)
{
    int rc = eddy_buf_putc(out, '[');
    for (uint32_t i = 0; i < n && !rc; i++) {
        const eddy_column *c = &schema->cols[idx[i]];
        char tb[256];
        rc = eddy_buf_printf(out, "%s`%s` %s%s", i ? ", " : "", c->name,
                             eddy_serde_type_name(c->type, tb, sizeof tb),
                             c->kind == EDDY_COL_KEY       ? " KEY"
                             : c->kind == EDDY_COL_HEADERS ? " HEADERS"
                                                           : "");
    }
    return rc ? rc : eddy_buf_putc(out, ']');
}
