/* builtins_misc.c: ksqlDB's remaining scalar functions (scalar-functions.md): CHR, ENCODE,
 * TO_BYTES, FROM_BYTES, INT/BIGINT/DOUBLE_FROM_BYTES, MD5, UUID, the MASK family, the URL_*
 * functions (java.net.URI's reading of a URL), REGEXP_EXTRACT, REGEXP_EXTRACT_ALL,
 * REGEXP_REPLACE, REGEXP_SPLIT_TO_ARRAY (POSIX extended regular expressions with Java's \d,
 * \w... translated; see regex_prepare for what is refused) and GEO_DISTANCE. */
#define _GNU_SOURCE
#include "expr/builtins.h"

#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <wctype.h>

#define NOMEM(ctx) eddy_func_fail((ctx), "out of memory")

/* Per-thread scratch buffer: results are built here, then copied into ctx->arena, so a call
 * does not malloc once the buffer has grown to its working size. */
static _Thread_local eddy_buf scratch;
static void scratch_begin(void);

static int scratch_result(eddy_func_ctx *ctx, eddy_value *out)
{
    return eddy_builtins_string_result(ctx, &scratch, out);
}

/* ---------------------------------------------------------------- UTF-8 */

static size_t u8len(unsigned char c)
{
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static uint32_t u8_decode(const char *s, uint32_t len, uint32_t *o)
{
    unsigned char c = (unsigned char)s[*o];
    size_t n = u8len(c);
    if (*o + n > len) {
        (*o)++;
        return 0xFFFD;
    }
    uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | ((unsigned char)s[*o + i] & 0x3F);
    *o += (uint32_t)n;
    return cp;
}

static int put_cp(eddy_buf *b, uint32_t cp)
{
    char o[4];
    size_t n;
    if (cp < 0x80) {
        o[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        o[0] = (char)(0xF0 | cp >> 18);
        o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    return eddy_buf_append(b, o, n);
}

/* Length of the valid UTF-8 sequence at s[i], 0 when malformed (Java's decoder then writes
 * one U+FFFD per bad byte here). */
static size_t u8_valid(const unsigned char *s, size_t n, size_t i)
{
    unsigned char c = s[i];
    if (c < 0x80)
        return 1;
    size_t l = c >= 0xC2 && c < 0xE0   ? 2
               : c >= 0xE0 && c < 0xF0 ? 3
               : c >= 0xF0 && c < 0xF5 ? 4
                                       : 0;
    if (!l || i + l > n)
        return 0;
    for (size_t k = 1; k < l; k++)
        if ((s[i + k] & 0xC0) != 0x80)
            return 0;
    if (l == 3 && ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0)))
        return 0;
    if (l == 4 && ((c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90)))
        return 0;
    return l;
}

/* ------------------------------------------------------------------- CHR */

static int chr_result(eddy_func_ctx *ctx, int64_t cp, eddy_value *out)
{
    /* Character.toChars rejects values beyond U+10FFFF; lone surrogates have no UTF-8 form */
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
        *out = eddy_null(EDDY_TYPE_STRING);
        return 0;
    }
    scratch_begin();
    if (put_cp(&scratch, (uint32_t)cp))
        return NOMEM(ctx);
    return scratch_result(ctx, out);
}

static int fn_chr_int(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                      const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    return chr_result(ctx, argv[0].u.i32, out);
}

/* CHR('\u004b'): a backslash, 'u' and hexadecimal digits; NULL otherwise. */
static int fn_chr_str(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                      const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    const eddy_value *s = &argv[0];
    *out = eddy_null(EDDY_TYPE_STRING);
    if (s->len < 6 || s->len > 10 || s->u.str[0] != '\\' || s->u.str[1] != 'u')
        return 0;
    int64_t cp = 0;
    for (uint32_t i = 2; i < s->len; i++) {
        char c = s->u.str[i];
        int h = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (h < 0)
            return 0;
        cp = cp * 16 + h;
    }
    return chr_result(ctx, cp, out);
}

/* ---------------------------------------------------------------- ENCODE */

enum { ENC_HEX, ENC_UTF8, ENC_ASCII, ENC_BASE64, ENC_BAD };

static int encoding_of(const eddy_value *v)
{
    static const char *const names[] = {"hex", "utf8", "ascii", "base64"};
    for (int i = 0; i < 4; i++)
        if (strlen(names[i]) == v->len && strncasecmp(names[i], v->u.str, v->len) == 0)
            return i;
    return ENC_BAD;
}

static int hexdig(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Hex text as ksqlDB reads it: "0x..." (an odd digit count gets a leading 0), "X'...'" or
 * plain digits (even count). Returns false when it is not hex. */
static bool hex_decode(eddy_func_ctx *ctx, const char *s, uint32_t n, uint8_t **out,
                       size_t *outlen)
{
    bool pad = false;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        n -= 2;
        pad = true;
    } else if (n >= 2 && (s[0] == 'x' || s[0] == 'X') && s[1] == '\'') {
        if (n < 3 || s[n - 1] != '\'')
            return false;
        s += 2;
        n -= 3;
    }
    if (n % 2 && !pad)
        return false;
    size_t bytes = (n + 1) / 2;
    uint8_t *b = eddy_arena_alloc(ctx->arena, bytes ? bytes : 1);
    if (!b)
        return false;
    size_t k = 0;
    uint32_t i = 0;
    if (n % 2) {
        int h = hexdig(s[0]);
        if (h < 0)
            return false;
        b[k++] = (uint8_t)h;
        i = 1;
    }
    for (; i < n; i += 2) {
        int h = hexdig(s[i]), l = hexdig(s[i + 1]);
        if (h < 0 || l < 0)
            return false;
        b[k++] = (uint8_t)(h << 4 | l);
    }
    *out = b;
    *outlen = k;
    return true;
}

/* Text -> bytes under an encoding: hex digits, UTF-8 text, ASCII text where other characters
 * become '?', base64. 1: decoded; 0: the text is malformed; <0: out of memory. */
static int text_to_bytes(eddy_func_ctx *ctx, const eddy_value *s, int enc, uint8_t **bytes,
                         size_t *n)
{
    *n = 0;
    switch (enc) {
    case ENC_HEX:
        return hex_decode(ctx, s->u.str, s->len, bytes, n) ? 1 : 0;
    case ENC_UTF8:
        *bytes = (uint8_t *)s->u.str;
        *n = s->len;
        return 1;
    case ENC_ASCII:
        *bytes = eddy_arena_alloc(ctx->arena, s->len ? s->len : 1);
        if (!*bytes)
            return NOMEM(ctx);
        for (uint32_t o = 0; o < s->len;) {
            uint32_t cp = u8_decode(s->u.str, s->len, &o);
            (*bytes)[(*n)++] = cp < 0x80 ? (uint8_t)cp : '?';
        }
        return 1;
    default:
        return eddy_base64_decode(ctx->arena, s->u.str, s->len, bytes, n) == 0 ? 1 : 0;
    }
}

/* Bytes -> text: hex (upper or lower case), UTF-8 or ASCII text with U+FFFD for bytes that
 * do not decode, base64. */
static int bytes_to_text(eddy_func_ctx *ctx, const uint8_t *bytes, size_t n, int enc,
                         bool upper_hex, eddy_value *out)
{
    scratch_begin();
    int rc = 0;
    switch (enc) {
    case ENC_HEX:
        for (size_t i = 0; !rc && i < n; i++)
            rc = eddy_buf_printf(&scratch, upper_hex ? "%02X" : "%02x", bytes[i]);
        break;
    case ENC_BASE64:
        rc = eddy_base64_encode(&scratch, bytes, n);
        break;
    default:
        for (size_t i = 0; !rc && i < n;) {
            size_t l = enc == ENC_ASCII ? (bytes[i] < 0x80) : u8_valid(bytes, n, i);
            if (l == 0) {
                rc = put_cp(&scratch, 0xFFFD);
                i++;
            } else {
                rc = eddy_buf_append(&scratch, bytes + i, l);
                i += l;
            }
        }
        break;
    }
    if (rc)
        return NOMEM(ctx);
    return scratch_result(ctx, out);
}

/* ENCODE(str, from, to): str's bytes under `from`, written as `to` (lower-case hex).
 * Malformed input gives NULL, as ksqlDB's Encode. */
static int fn_encode(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                     const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    int from = encoding_of(&argv[1]), to = encoding_of(&argv[2]);
    if (from == ENC_BAD || to == ENC_BAD)
        return eddy_func_fail(ctx, "Supported input and output encodings are: hex, utf8, ascii "
                                   "and base64");
    uint8_t *bytes = NULL;
    size_t n = 0;
    *out = eddy_null(EDDY_TYPE_STRING);
    int rc = text_to_bytes(ctx, &argv[0], from, &bytes, &n);
    if (rc <= 0)
        return rc;
    return bytes_to_text(ctx, bytes, n, to, false, out);
}

/* TO_BYTES(str, encoding): malformed text is an error. */
static int fn_to_bytes(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                       const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    int enc = encoding_of(&argv[1]);
    if (enc == ENC_BAD)
        return eddy_func_fail(ctx, "Supported encoding types are: hex, utf8, ascii and base64");
    uint8_t *bytes = NULL;
    size_t n = 0;
    int rc = text_to_bytes(ctx, &argv[0], enc, &bytes, &n);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return eddy_func_fail(ctx, "TO_BYTES: '%.*s' is not valid %.*s", (int)argv[0].len,
                              argv[0].u.str, (int)argv[1].len, argv[1].u.str);
    *out = eddy_bytes(bytes, (uint32_t)n);
    return 0;
}

/* FROM_BYTES(bytes, encoding): hex is upper case (bytes-and-strings.json). */
static int fn_from_bytes(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                         const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    int enc = encoding_of(&argv[1]);
    if (enc == ENC_BAD)
        return eddy_func_fail(ctx, "Supported encoding types are: hex, utf8, ascii and base64");
    return bytes_to_text(ctx, (const uint8_t *)argv[0].u.str, argv[0].len, enc, true, out);
}

/* INT/BIGINT/DOUBLE_FROM_BYTES(bytes [, 'BIG_ENDIAN'|'LITTLE_ENDIAN']): NULL for a wrong
 * length or an unknown byte order (scalar-functions.md). */
static int number_from_bytes(int argc, const eddy_value *argv, eddy_type_id t, eddy_value *out)
{
    uint32_t want = t == EDDY_TYPE_INT ? 4 : 8;
    bool little = false;
    *out = eddy_null(t);
    if (argc > 1) {
        const eddy_value *o = &argv[1];
        if (o->len == 13 && strncasecmp(o->u.str, "LITTLE_ENDIAN", 13) == 0)
            little = true;
        else if (!(o->len == 10 && strncasecmp(o->u.str, "BIG_ENDIAN", 10) == 0))
            return 0;
    }
    if (argv[0].len != want)
        return 0;
    uint64_t v = 0;
    for (uint32_t i = 0; i < want; i++) {
        uint8_t b = (uint8_t)argv[0].u.str[little ? want - 1 - i : i];
        v = v << 8 | b;
    }
    if (t == EDDY_TYPE_INT) {
        *out = eddy_int((int32_t)(uint32_t)v);
    } else if (t == EDDY_TYPE_BIGINT) {
        *out = eddy_bigint((int64_t)v);
    } else {
        double d;
        memcpy(&d, &v, sizeof d);
        *out = eddy_double(d);
    }
    return 0;
}

#define FROM_BYTES_FN(name, t)                                                           \
    static int name(eddy_func_ctx *ctx, const eddy_function *f, int argc,                \
                    const eddy_value *argv, eddy_value *out)                             \
    {                                                                                    \
        (void)ctx;                                                                       \
        (void)f;                                                                         \
        return number_from_bytes(argc, argv, t, out);                                    \
    }
FROM_BYTES_FN(fn_int_from_bytes, EDDY_TYPE_INT)
FROM_BYTES_FN(fn_bigint_from_bytes, EDDY_TYPE_BIGINT)
FROM_BYTES_FN(fn_double_from_bytes, EDDY_TYPE_DOUBLE)

/* ------------------------------------------------------------------- MD5 */

/* RFC 1321. */
typedef struct md5_ctx {
    uint32_t a, b, c, d;
} md5_ctx;

static uint32_t rol(uint32_t x, int c)
{
    return (x << c) | (x >> (32 - c));
}

static void md5_block(md5_ctx *m, const uint8_t *p)
{
    static const uint32_t K[64] = {
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391};
    static const int R[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                              5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                              4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                              6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    uint32_t w[16];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = m->a, b = m->b, c = m->c, d = m->d;
    for (int i = 0; i < 64; i++) {
        uint32_t fv;
        int g;
        if (i < 16) {
            fv = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            fv = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            fv = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            fv = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        uint32_t t = d;
        d = c;
        c = b;
        b = b + rol(a + fv + K[i] + w[g], R[i]);
        a = t;
    }
    m->a += a;
    m->b += b;
    m->c += c;
    m->d += d;
}

static void md5(const uint8_t *p, size_t n, uint8_t digest[16])
{
    md5_ctx m = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    size_t i = 0;
    for (; i + 64 <= n; i += 64)
        md5_block(&m, p + i);
    uint8_t tail[128] = {0};
    size_t r = n - i;
    memcpy(tail, p + i, r);
    tail[r] = 0x80;
    size_t tl = r + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)n * 8;
    for (int k = 0; k < 8; k++)
        tail[tl - 8 + k] = (uint8_t)(bits >> (8 * k));
    md5_block(&m, tail);
    if (tl == 128)
        md5_block(&m, tail + 64);
    uint32_t v[4] = {m.a, m.b, m.c, m.d};
    for (int k = 0; k < 16; k++)
        digest[k] = (uint8_t)(v[k / 4] >> (8 * (k % 4)));
}

static int fn_md5(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                  const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    uint8_t d[16];
    md5((const uint8_t *)argv[0].u.str, argv[0].len, d);
    char *p = eddy_arena_alloc(ctx->arena, 33);
    if (!p)
        return NOMEM(ctx);
    for (int i = 0; i < 16; i++)
        snprintf(p + 2 * i, 3, "%02x", d[i]);
    *out = eddy_string(p, 32);
    return 0;
}

/* ------------------------------------------------------------------ UUID */

static int uuid_format(eddy_func_ctx *ctx, const uint8_t *b, eddy_value *out)
{
    char *p = eddy_arena_alloc(ctx->arena, 37);
    if (!p)
        return NOMEM(ctx);
    snprintf(p, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    *out = eddy_string(p, 36);
    return 0;
}

/* UUID(): random, version 4 (RFC 4122); UUID(bytes): the first 16 bytes, NULL when fewer. */
static int fn_uuid(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                   const eddy_value *argv, eddy_value *out)
{
    (void)f;
    uint8_t b[16];
    if (argc == 1) {
        if (argv[0].len < 16) {
            *out = eddy_null(EDDY_TYPE_STRING);
            return 0;
        }
        return uuid_format(ctx, (const uint8_t *)argv[0].u.str, out);
    }
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t r = getrandom(b + got, sizeof b - got, 0);
        if (r <= 0)
            return eddy_func_fail(ctx, "UUID: no random bytes available");
        got += (size_t)r;
    }
    b[6] = (uint8_t)((b[6] & 0x0F) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3F) | 0x80);
    return uuid_format(ctx, b, out);
}

/* ------------------------------------------------------------------ MASK */

/* Character.isUpperCase / isLowerCase / isDigit: 0 upper, 1 lower, 2 digit, 3 other. */
static int char_class(uint32_t cp)
{
    if (cp < 0x80)
        return isupper((int)cp) ? 0 : islower((int)cp) ? 1 : isdigit((int)cp) ? 2 : 3;
    locale_t utf8_locale = eddy_builtins_utf8_locale();
    if (!utf8_locale)
        return 3;
    if (iswupper_l((wint_t)cp, utf8_locale))
        return 0;
    if (iswlower_l((wint_t)cp, utf8_locale))
        return 1;
    if (iswdigit_l((wint_t)cp, utf8_locale))
        return 2;
    return 3;
}

#define NO_MASK 0xFFFFFFFFu

/* mode: 0 MASK (all), 1 MASK_KEEP_LEFT, 2 MASK_KEEP_RIGHT, 3 MASK_LEFT, 4 MASK_RIGHT. */
static int mask_impl(eddy_func_ctx *ctx, int argc, const eddy_value *argv, int mode,
                     eddy_value *out)
{
    static const char *const names[] = {"MASK", "MASK_KEEP_LEFT", "MASK_KEEP_RIGHT",
                                        "MASK_LEFT", "MASK_RIGHT"};
    const eddy_value *s = &argv[0];
    int first_mask = mode ? 2 : 1;
    if (s->is_null || (mode && argv[1].is_null)) {
        *out = eddy_null(EDDY_TYPE_STRING);
        return 0;
    }
    int64_t num = mode ? argv[1].u.i32 : 0;
    if (num < 0)
        return eddy_func_fail(ctx, "function %s requires a non-negative number of characters "
                              "not to mask", names[mode]);
    uint32_t masks[4] = {'X', 'x', 'n', '-'};
    if (argc > first_mask)
        for (int i = 0; i < 4; i++) {
            const eddy_value *m = &argv[first_mask + i];
            if (m->is_null) {
                masks[i] = NO_MASK;
            } else if (m->len == 0) {
                return eddy_func_fail(ctx, "%s: a mask character cannot be empty", names[mode]);
            } else {
                uint32_t o = 0;
                masks[i] = u8_decode(m->u.str, m->len, &o);
            }
        }
    int64_t total = 0;
    for (uint32_t o = 0; o < s->len; o += (uint32_t)u8len((unsigned char)s->u.str[o]))
        total++;
    scratch_begin();
    int64_t idx = 0;
    int rc = 0;
    for (uint32_t o = 0; !rc && o < s->len; idx++) {
        uint32_t cp = u8_decode(s->u.str, s->len, &o);
        bool masked;
        switch (mode) {
        case 1: masked = idx >= num; break;
        case 2: masked = idx < total - num; break;
        case 3: masked = idx < num; break;
        case 4: masked = idx >= total - num; break;
        default: masked = true; break;
        }
        uint32_t m = masked ? masks[char_class(cp)] : NO_MASK;
        rc = put_cp(&scratch, m == NO_MASK ? cp : m);
    }
    if (rc)
        return NOMEM(ctx);
    return scratch_result(ctx, out);
}

#define MASK_FN(name, mode)                                                              \
    static int name(eddy_func_ctx *ctx, const eddy_function *f, int argc,                \
                    const eddy_value *argv, eddy_value *out)                             \
    {                                                                                    \
        (void)f;                                                                         \
        return mask_impl(ctx, argc, argv, mode, out);                                    \
    }
MASK_FN(fn_mask, 0)
MASK_FN(fn_mask_keep_left, 1)
MASK_FN(fn_mask_keep_right, 2)
MASK_FN(fn_mask_left, 3)
MASK_FN(fn_mask_right, 4)

/* ------------------------------------------------------------------- URL */

typedef struct url_parts {
    const char *scheme, *host, *path, *query, *fragment;
    uint32_t scheme_len, host_len, path_len, query_len, fragment_len;
    int32_t port; /* -1: none */
} url_parts;

static bool url_char_ok(unsigned char c)
{
    return c > 0x20 && c != 0x7F && !strchr("\"<>\\^`{|}", c);
}

/* java.net.URI's split of a URI reference (RFC 2396): [scheme:][//authority][path][?query]
 * [#fragment]; an opaque URI (scheme: not followed by '/') has no host, path or query.
 * Returns false where URI.create would throw. */
static bool url_parse(const char *s, uint32_t n, url_parts *u)
{
    memset(u, 0, sizeof *u);
    u->port = -1;
    for (uint32_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80 && !url_char_ok(c) && c != '#')
            return false;
        if (c == '%' && (i + 2 >= n || hexdig(s[i + 1]) < 0 || hexdig(s[i + 2]) < 0))
            return false;
    }
    const char *hash = memchr(s, '#', n);
    uint32_t end = n;
    if (hash) {
        end = (uint32_t)(hash - s);
        u->fragment = hash + 1;
        u->fragment_len = n - end - 1;
        if (memchr(u->fragment, '#', u->fragment_len))
            return false;
    }
    uint32_t i = 0;
    if (end && isalpha((unsigned char)s[0])) {
        uint32_t j = 1;
        while (j < end && (isalnum((unsigned char)s[j]) || s[j] == '+' || s[j] == '-' ||
                           s[j] == '.'))
            j++;
        if (j < end && s[j] == ':') {
            u->scheme = s;
            u->scheme_len = j;
            i = j + 1;
            if (i >= end)
                return false; /* "http:" alone: Expected scheme-specific part */
            if (s[i] != '/')
                return true; /* opaque */
        }
    }
    if (i + 1 < end && s[i] == '/' && s[i + 1] == '/') {
        i += 2;
        uint32_t a = i;
        while (i < end && s[i] != '/' && s[i] != '?')
            i++;
        const char *auth = s + a;
        uint32_t al = i - a;
        const char *at = NULL;
        for (uint32_t k = 0; k < al; k++)
            if (auth[k] == '@')
                at = auth + k;
        const char *h = at ? at + 1 : auth;
        uint32_t hl = (uint32_t)(auth + al - h);
        const char *colon = NULL;
        if (hl && h[0] == '[') {
            const char *rb = memchr(h, ']', hl);
            if (!rb)
                return false;
            colon = rb + 1 < h + hl && rb[1] == ':' ? rb + 1 : NULL;
        } else {
            colon = memchr(h, ':', hl);
        }
        uint32_t host_len = colon ? (uint32_t)(colon - h) : hl;
        if (colon) {
            int64_t port = 0;
            for (const char *p = colon + 1; p < h + hl; p++) {
                if (!isdigit((unsigned char)*p))
                    return false;
                port = port * 10 + (*p - '0');
                if (port > 65535 * 10)
                    return false;
            }
            if (colon + 1 < h + hl)
                u->port = (int32_t)port;
        }
        if (host_len) {
            u->host = h;
            u->host_len = host_len;
        }
    }
    uint32_t ps = i;
    while (i < end && s[i] != '?')
        i++;
    u->path = s + ps;
    u->path_len = i - ps;
    if (i < end) {
        u->query = s + i + 1;
        u->query_len = end - i - 1;
    }
    return true;
}

/* URI's getPath()/getQuery()/getFragment() decode %XX escapes. */
static int url_decoded(eddy_func_ctx *ctx, const char *s, uint32_t n, bool plus_space,
                       eddy_value *out)
{
    scratch_begin();
    int rc = 0;
    for (uint32_t i = 0; !rc && i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n)
                return eddy_func_fail(ctx, "URLDecoder: Incomplete trailing escape (%%) pattern");
            int h = hexdig(s[i + 1]), l = hexdig(s[i + 2]);
            if (h < 0 || l < 0)
                return eddy_func_fail(ctx, "URLDecoder: Illegal hex characters in escape (%%) "
                                           "pattern");
            rc = eddy_buf_putc(&scratch, (char)(h << 4 | l));
            i += 2;
        } else {
            rc = eddy_buf_putc(&scratch, plus_space && s[i] == '+' ? ' ' : s[i]);
        }
    }
    if (rc)
        return NOMEM(ctx);
    return scratch_result(ctx, out);
}

static int url_arg(eddy_func_ctx *ctx, const eddy_value *v, url_parts *u)
{
    if (!url_parse(v->u.str, v->len, u))
        return eddy_func_fail(ctx, "URL input has invalid syntax: %.*s", (int)v->len, v->u.str);
    return 0;
}

enum { URL_HOST, URL_PATH, URL_QUERY, URL_FRAGMENT, URL_PROTOCOL };

static int url_part(eddy_func_ctx *ctx, const eddy_value *argv, int which, eddy_value *out)
{
    url_parts u;
    int rc = url_arg(ctx, &argv[0], &u);
    if (rc)
        return rc;
    *out = eddy_null(EDDY_TYPE_STRING);
    switch (which) {
    case URL_HOST:
        if (u.host)
            *out = eddy_string(u.host, u.host_len);
        return 0;
    case URL_PROTOCOL:
        if (u.scheme)
            *out = eddy_string(u.scheme, u.scheme_len);
        return 0;
    case URL_PATH:
        return u.path ? url_decoded(ctx, u.path, u.path_len, false, out) : 0;
    case URL_QUERY:
        return u.query ? url_decoded(ctx, u.query, u.query_len, false, out) : 0;
    default:
        return u.fragment ? url_decoded(ctx, u.fragment, u.fragment_len, false, out) : 0;
    }
}

#define URL_FN(name, which)                                                              \
    static int name(eddy_func_ctx *ctx, const eddy_function *f, int argc,                \
                    const eddy_value *argv, eddy_value *out)                             \
    {                                                                                    \
        (void)f;                                                                         \
        (void)argc;                                                                      \
        return url_part(ctx, argv, which, out);                                          \
    }
URL_FN(fn_url_extract_host, URL_HOST)
URL_FN(fn_url_extract_path, URL_PATH)
URL_FN(fn_url_extract_query, URL_QUERY)
URL_FN(fn_url_extract_fragment, URL_FRAGMENT)
URL_FN(fn_url_extract_protocol, URL_PROTOCOL)

static int fn_url_extract_port(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                               const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    url_parts u;
    int rc = url_arg(ctx, &argv[0], &u);
    if (rc)
        return rc;
    *out = u.port >= 0 && u.host ? eddy_int(u.port) : eddy_null(EDDY_TYPE_INT);
    return 0;
}

/* URL_EXTRACT_PARAMETER(url, name): the value of the first name=value of the (decoded) query;
 * "" for a bare name; NULL when absent. */
static int fn_url_extract_parameter(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                                    const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    eddy_value q;
    int rc = url_part(ctx, argv, URL_QUERY, &q);
    if (rc)
        return rc;
    *out = eddy_null(EDDY_TYPE_STRING);
    if (q.is_null)
        return 0;
    const eddy_value *name = &argv[1];
    uint32_t i = 0;
    while (i <= q.len) {
        uint32_t j = i;
        while (j < q.len && q.u.str[j] != '&')
            j++;
        if (j > i) {
            const char *p = q.u.str + i;
            uint32_t l = j - i;
            const char *eq = memchr(p, '=', l);
            uint32_t kl = eq ? (uint32_t)(eq - p) : l;
            if (kl == name->len && memcmp(p, name->u.str, kl) == 0) {
                *out = eq ? eddy_string(eq + 1, l - kl - 1) : eddy_string("", 0);
                return 0;
            }
        }
        i = j + 1;
    }
    return 0;
}

/* URLEncoder.encode(s, UTF-8): letters, digits and ".-*_" stay, ' ' becomes '+', other bytes
 * %XX (upper case). */
static int fn_url_encode_param(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                               const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    scratch_begin();
    int rc = 0;
    for (uint32_t i = 0; !rc && i < argv[0].len; i++) {
        unsigned char c = (unsigned char)argv[0].u.str[i];
        if (isalnum(c) || c == '.' || c == '-' || c == '*' || c == '_')
            rc = eddy_buf_putc(&scratch, (char)c);
        else if (c == ' ')
            rc = eddy_buf_putc(&scratch, '+');
        else
            rc = eddy_buf_printf(&scratch, "%%%02X", c);
    }
    if (rc)
        return NOMEM(ctx);
    return scratch_result(ctx, out);
}

static int fn_url_decode_param(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                               const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    return url_decoded(ctx, argv[0].u.str, argv[0].len, true, out);
}

/* ----------------------------------------------------------------- REGEXP */

/* Compiled patterns, cached per thread (patterns are nearly always constants). */
#define RX_CACHE 8

typedef struct rx_entry {
    char *pattern;   /* as written (Java syntax) */
    size_t len;
    regex_t re;
    bool used;
    uint64_t stamp;
} rx_entry;

static _Thread_local rx_entry rx_cache[RX_CACHE];
static _Thread_local uint64_t rx_clock;
static _Thread_local char *rx_subject; /* NUL-terminated copy of a regex subject */
static _Thread_local size_t rx_subject_cap;

/* Thread exit releases the scratch memory and the regex cache (see
 * eddy_builtins_at_thread_exit). */
static _Thread_local bool tls_registered;

static void tls_release(void)
{
    eddy_buf_free(&scratch);
    free(rx_subject);
    rx_subject = NULL;
    rx_subject_cap = 0;
    for (int i = 0; i < RX_CACHE; i++)
        if (rx_cache[i].used) {
            regfree(&rx_cache[i].re);
            free(rx_cache[i].pattern);
            rx_cache[i].used = false;
        }
}

static void tls_register(void)
{
    if (!tls_registered) {
        eddy_builtins_at_thread_exit(tls_release);
        tls_registered = true;
    }
}

/* The scratch buffer, emptied, for this thread. */
static void scratch_begin(void)
{
    tls_register();
    eddy_buf_clear(&scratch);
}

/* Java syntax -> POSIX ERE: \d and \D are rewritten; what POSIX would read differently
 * (lazy and possessive quantifiers, (?...) groups and flags, \Q..\E, \p{..}) is refused
 * rather than silently matched otherwise. */
static int regex_prepare(eddy_func_ctx *ctx, const char *p, size_t n, eddy_buf *out)
{
    bool in_class = false;
    int rc = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        char c = p[i];
        if (c == '\\' && i + 1 < n) {
            char e = p[++i];
            const char *put = NULL;
            char lit[2] = {0, 0};
            switch (e) {
            case 'd': put = in_class ? "0-9" : "[0-9]"; break;
            case 'D': put = in_class ? NULL : "[^0-9]"; break;
            case 'w': put = in_class ? "[:alnum:]_" : "\\w"; break;
            case 's': put = in_class ? "[:space:]" : "\\s"; break;
            case 'W': put = in_class ? NULL : "\\W"; break;
            case 'S': put = in_class ? NULL : "\\S"; break;
            case 'b': put = in_class ? NULL : "\\b"; break;
            case 'B': put = in_class ? NULL : "\\B"; break;
            case 't': put = "\t"; break;
            case 'n': put = "\n"; break;
            case 'r': put = "\r"; break;
            case 'f': put = "\f"; break;
            default:
                if (!isalnum((unsigned char)e) && (unsigned char)e < 0x80) {
                    if (in_class) {
                        /* a bracket has no escapes: only what is literal anywhere in it */
                        if (e != ']' && e != '-' && e != '^') {
                            lit[0] = e;
                            put = lit;
                        }
                    } else {
                        rc = eddy_buf_putc(out, '\\');
                        lit[0] = e;
                        put = lit;
                    }
                }
                break;
            }
            if (!put)
                return eddy_func_fail(ctx, "Regular expression '%.*s': \\%c is not supported "
                                      "here (POSIX extended syntax)", (int)n, p, e);
            if (!rc)
                rc = eddy_buf_puts(out, put);
            continue;
        }
        if (in_class) {
            /* a ']' right after '[' or '[^' is a member, not the end */
            bool first = p[i - 1] == '[' || (p[i - 1] == '^' && i > 1 && p[i - 2] == '[');
            if (c == ']' && !first)
                in_class = false;
            if (c == '[') /* Java nests and unites classes; POSIX reads [: [. [= */
                return eddy_func_fail(ctx, "Regular expression '%.*s': '[' inside a class is "
                                      "not supported", (int)n, p);
        } else if (c == '[') {
            in_class = true;
        } else if (c == '(' && i + 1 < n && p[i + 1] == '?') {
            return eddy_func_fail(ctx, "Regular expression '%.*s': (?...) groups and flags are "
                                  "not supported (POSIX extended syntax)", (int)n, p);
        } else if ((c == '*' || c == '+' || c == '?' || c == '}') && i + 1 < n &&
                   (p[i + 1] == '?' || p[i + 1] == '+')) {
            return eddy_func_fail(ctx, "Regular expression '%.*s': lazy and possessive "
                                  "quantifiers are not supported (POSIX extended syntax)",
                                  (int)n, p);
        }
        rc = eddy_buf_putc(out, c);
    }
    return rc ? NOMEM(ctx) : 0;
}

static int regex_get(eddy_func_ctx *ctx, const eddy_value *pat, const regex_t **re)
{
    tls_register();
    rx_entry *victim = &rx_cache[0];
    for (int i = 0; i < RX_CACHE; i++) {
        rx_entry *e = &rx_cache[i];
        if (e->used && e->len == pat->len && memcmp(e->pattern, pat->u.str, pat->len) == 0) {
            e->stamp = ++rx_clock;
            *re = &e->re;
            return 0;
        }
        if (!e->used || (victim->used && e->stamp < victim->stamp))
            victim = e;
    }
    eddy_buf posix = {0};
    int rc = regex_prepare(ctx, pat->u.str, pat->len, &posix);
    if (rc) {
        eddy_buf_free(&posix);
        return rc;
    }
    regex_t tmp;
    int err = regcomp(&tmp, eddy_buf_cstr(&posix), REG_EXTENDED);
    eddy_buf_free(&posix);
    if (err) {
        char msg[128];
        regerror(err, &tmp, msg, sizeof msg);
        return eddy_func_fail(ctx, "Invalid regular expression pattern: %.*s: %s",
                              (int)pat->len, pat->u.str, msg);
    }
    char *copy = malloc(pat->len + 1);
    if (!copy) {
        regfree(&tmp);
        return NOMEM(ctx);
    }
    memcpy(copy, pat->u.str, pat->len);
    copy[pat->len] = '\0';
    if (victim->used) {
        regfree(&victim->re);
        free(victim->pattern);
    }
    victim->pattern = copy;
    victim->len = pat->len;
    victim->re = tmp;
    victim->used = true;
    victim->stamp = ++rx_clock;
    *re = &victim->re;
    return 0;
}

#define MAX_GROUPS 32

/* Finds the next match in s[from, n); 1 found, 0 none. SQL strings are not NUL-terminated:
 * REG_STARTEND bounds glibc's search, but sanitizers (and other libcs) read the subject as a
 * C string, so regexec gets a terminated copy (a per-thread buffer, grown as needed). */
static int rx_find(const regex_t *re, const char *s, uint32_t n, uint32_t from,
                   regmatch_t *m, size_t nm)
{
    tls_register();
    if (rx_subject_cap < (size_t)n + 1) {
        size_t cap = (size_t)n + 1 > 256 ? (size_t)n + 1 : 256;
        char *p = realloc(rx_subject, cap);
        if (!p)
            return 0;
        rx_subject = p;
        rx_subject_cap = cap;
    }
    if (n)
        memcpy(rx_subject, s, n);
    rx_subject[n] = '\0';
    m[0].rm_so = from;
    m[0].rm_eo = n;
    return regexec(re, rx_subject, nm, m, REG_STARTEND | (from ? REG_NOTBOL : 0)) == 0;
}

static int group_arg(eddy_func_ctx *ctx, const regex_t *re, int argc, const eddy_value *argv,
                     int at, size_t *group)
{
    *group = 0;
    if (argc > at) {
        int32_t g = argv[at].u.i32;
        if (g < 0 || (size_t)g > re->re_nsub || g >= MAX_GROUPS)
            return eddy_func_fail(ctx, "No group %d", g);
        *group = (size_t)g;
    }
    return 0;
}

/* REGEXP_EXTRACT(pattern, input [, group]): the first match (or its group); NULL when there
 * is none or the group did not take part. */
static int fn_regexp_extract(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                             const eddy_value *argv, eddy_value *out)
{
    (void)f;
    const regex_t *re;
    size_t g;
    int rc = regex_get(ctx, &argv[0], &re);
    if (!rc)
        rc = group_arg(ctx, re, argc, argv, 2, &g);
    if (rc)
        return rc;
    regmatch_t m[MAX_GROUPS];
    const eddy_value *s = &argv[1];
    *out = eddy_null(EDDY_TYPE_STRING);
    if (rx_find(re, s->u.str, s->len, 0, m, MAX_GROUPS) && m[g].rm_so >= 0)
        *out = eddy_string(s->u.str + m[g].rm_so, (uint32_t)(m[g].rm_eo - m[g].rm_so));
    return 0;
}

/* Next search position after a match: past it, or one character on for an empty match. */
static uint32_t advance(const char *s, uint32_t n, const regmatch_t *m)
{
    uint32_t e = (uint32_t)m[0].rm_eo;
    if (m[0].rm_eo == m[0].rm_so && e < n)
        e += (uint32_t)u8len((unsigned char)s[e]);
    return e > n ? n : e;
}

static int fn_regexp_extract_all(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                                 const eddy_value *argv, eddy_value *out)
{
    (void)f;
    const regex_t *re;
    size_t g;
    int rc = regex_get(ctx, &argv[0], &re);
    if (!rc)
        rc = group_arg(ctx, re, argc, argv, 2, &g);
    if (rc)
        return rc;
    const eddy_value *s = &argv[1];
    regmatch_t m[MAX_GROUPS];
    uint32_t count = 0, cap = 0;
    eddy_value *items = NULL;
    for (uint32_t from = 0; from <= s->len;) {
        if (!rx_find(re, s->u.str, s->len, from, m, MAX_GROUPS))
            break;
        if (count == cap) {
            uint32_t nc = cap ? cap * 2 : 8;
            eddy_value *ni = eddy_arena_alloc(ctx->arena, nc * sizeof *ni);
            if (!ni)
                return NOMEM(ctx);
            if (count)
                memcpy(ni, items, count * sizeof *ni);
            items = ni;
            cap = nc;
        }
        items[count++] = m[g].rm_so >= 0
                             ? eddy_string(s->u.str + m[g].rm_so,
                                           (uint32_t)(m[g].rm_eo - m[g].rm_so))
                             : eddy_null(EDDY_TYPE_STRING);
        if (m[0].rm_eo == m[0].rm_so) {
            if ((uint32_t)m[0].rm_eo >= s->len)
                break;
            from = advance(s->u.str, s->len, m);
        } else {
            from = (uint32_t)m[0].rm_eo;
        }
    }
    *out = (eddy_value){.type = EDDY_TYPE_ARRAY, .len = count, .u.items = items};
    return 0;
}

/* REGEXP_REPLACE(input, regex, replacement): Java's replaceAll; $n in the replacement is
 * group n, \x is x. */
static int fn_regexp_replace(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                             const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    const eddy_value *s = &argv[0], *rep = &argv[2];
    const regex_t *re;
    int rc = regex_get(ctx, &argv[1], &re);
    if (rc)
        return rc;
    scratch_begin();
    regmatch_t m[MAX_GROUPS];
    uint32_t from = 0, copied = 0;
    while (from <= s->len && rx_find(re, s->u.str, s->len, from, m, MAX_GROUPS)) {
        rc = eddy_buf_append(&scratch, s->u.str + copied, (size_t)(m[0].rm_so - copied));
        for (uint32_t i = 0; !rc && i < rep->len; i++) {
            char c = rep->u.str[i];
            if (c == '\\') {
                if (++i >= rep->len)
                    return eddy_func_fail(ctx, "character to be escaped is missing");
                rc = eddy_buf_putc(&scratch, rep->u.str[i]);
            } else if (c == '$') {
                if (i + 1 >= rep->len || !isdigit((unsigned char)rep->u.str[i + 1]))
                    return eddy_func_fail(ctx, "Illegal group reference in replacement '%.*s'",
                                          (int)rep->len, rep->u.str);
                size_t gi = (size_t)(rep->u.str[++i] - '0');
                if (gi > re->re_nsub)
                    return eddy_func_fail(ctx, "No group %zu", gi);
                /* Java takes more digits while the number is still a group */
                while (i + 1 < rep->len && isdigit((unsigned char)rep->u.str[i + 1]) &&
                       gi * 10 + (size_t)(rep->u.str[i + 1] - '0') <= re->re_nsub &&
                       gi * 10 + (size_t)(rep->u.str[i + 1] - '0') < MAX_GROUPS)
                    gi = gi * 10 + (size_t)(rep->u.str[++i] - '0');
                if (m[gi].rm_so >= 0)
                    rc = eddy_buf_append(&scratch, s->u.str + m[gi].rm_so,
                                         (size_t)(m[gi].rm_eo - m[gi].rm_so));
            } else {
                rc = eddy_buf_putc(&scratch, c);
            }
        }
        if (rc)
            return NOMEM(ctx);
        copied = (uint32_t)m[0].rm_eo;
        if (m[0].rm_eo == m[0].rm_so) {
            if ((uint32_t)m[0].rm_eo >= s->len)
                break;
            uint32_t next = advance(s->u.str, s->len, m);
            rc = eddy_buf_append(&scratch, s->u.str + copied, next - copied);
            copied = from = next;
        } else {
            from = (uint32_t)m[0].rm_eo;
        }
        if (rc)
            return NOMEM(ctx);
    }
    if (eddy_buf_append(&scratch, s->u.str + copied, s->len - copied))
        return NOMEM(ctx);
    return scratch_result(ctx, out);
}

/* REGEXP_SPLIT_TO_ARRAY(input, regex): Guava's Splitter.on(pattern): empty pieces are kept;
 * an empty regex splits into characters. */
static int fn_regexp_split_to_array(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                                    const eddy_value *argv, eddy_value *out)
{
    (void)f;
    (void)argc;
    const eddy_value *s = &argv[0];
    uint32_t cap = 8, count = 0;
    eddy_value *items = eddy_arena_alloc(ctx->arena, cap * sizeof *items);
    if (!items)
        return NOMEM(ctx);
#define PUSH(v)                                                                          \
    do {                                                                                 \
        if (count == cap) {                                                              \
            eddy_value *ni = eddy_arena_alloc(ctx->arena, cap * 2 * sizeof *ni);         \
            if (!ni)                                                                     \
                return NOMEM(ctx);                                                       \
            memcpy(ni, items, count * sizeof *ni);                                       \
            items = ni;                                                                  \
            cap *= 2;                                                                    \
        }                                                                                \
        items[count++] = (v);                                                            \
    } while (0)
    if (argv[1].len == 0) {
        for (uint32_t o = 0; o < s->len;) {
            uint32_t l = (uint32_t)u8len((unsigned char)s->u.str[o]);
            if (o + l > s->len)
                l = s->len - o;
            PUSH(eddy_string(s->u.str + o, l));
            o += l;
        }
        if (s->len == 0)
            PUSH(eddy_string(s->u.str, 0));
    } else {
        const regex_t *re;
        int rc = regex_get(ctx, &argv[1], &re);
        if (rc)
            return rc;
        regmatch_t m[1];
        m[0].rm_so = 0;
        m[0].rm_eo = 0;
        if (regexec(re, "", 1, m, 0) == 0)
            return eddy_func_fail(ctx, "REGEXP_SPLIT_TO_ARRAY: a pattern that matches the empty "
                                       "string is not supported: %.*s", (int)argv[1].len,
                                  argv[1].u.str);
        uint32_t start = 0;
        for (uint32_t from = 0; from < s->len && rx_find(re, s->u.str, s->len, from, m, 1);) {
            PUSH(eddy_string(s->u.str + start, (uint32_t)m[0].rm_so - start));
            start = from = (uint32_t)m[0].rm_eo;
        }
        PUSH(eddy_string(s->u.str + start, s->len - start));
    }
#undef PUSH
    *out = (eddy_value){.type = EDDY_TYPE_ARRAY, .len = count, .u.items = items};
    return 0;
}

/* ----------------------------------------------------------- GEO_DISTANCE */

static double to_radians(double deg)
{
    return deg / 180.0 * M_PI; /* as Java 8's Math.toRadians (ksqlDB's results) */
}

/* GEO_DISTANCE(lat1, lon1, lat2, lon2 [, unit]): haversine on a sphere of 6371 km or 3959
 * miles; a NULL unit means km. */
static int fn_geo_distance(eddy_func_ctx *ctx, const eddy_function *f, int argc,
                           const eddy_value *argv, eddy_value *out)
{
    (void)f;
    for (int i = 0; i < 4; i++)
        if (argv[i].is_null) {
            *out = eddy_null(EDDY_TYPE_DOUBLE);
            return 0;
        }
    double lat1 = argv[0].u.f64, lon1 = argv[1].u.f64, lat2 = argv[2].u.f64,
           lon2 = argv[3].u.f64;
    double radius = 6371;
    if (argc > 4 && !argv[4].is_null) {
        static const char *const km[] = {"KM", "KILOMETER", "KILOMETERS", "KILOMETRE",
                                         "KILOMETRES"};
        static const char *const mi[] = {"MI", "MILE", "MILES"};
        const eddy_value *u = &argv[4];
        bool ok = false;
        for (size_t i = 0; i < 5 && !ok; i++)
            ok = strlen(km[i]) == u->len && strncasecmp(km[i], u->u.str, u->len) == 0;
        for (size_t i = 0; i < 3 && !ok; i++)
            if (strlen(mi[i]) == u->len && strncasecmp(mi[i], u->u.str, u->len) == 0) {
                ok = true;
                radius = 3959;
            }
        if (!ok)
            return eddy_func_fail(ctx, "GeoDistance function units parameter must be one of "
                                       "KM, KILOMETER(S), KILOMETRE(S), MI, MILE(S); got: %.*s",
                                  (int)u->len, u->u.str);
    }
    if (lat1 < -90 || lat1 > 90 || lat2 < -90 || lat2 > 90)
        return eddy_func_fail(ctx, "valid latitude values for GeoDistance function are in the "
                                   "range of -90 to 90 decimal degrees, this is %g",
                              lat1 < -90 || lat1 > 90 ? lat1 : lat2);
    if (lon1 < -180 || lon1 > 180 || lon2 < -180 || lon2 > 180)
        return eddy_func_fail(ctx, "valid longitude values for GeoDistance function are in "
                                   "the range of -180 to 180 decimal degrees, this is %g",
                              lon1 < -180 || lon1 > 180 ? lon1 : lon2);
    double dlat = to_radians(lat2 - lat1), dlon = to_radians(lon2 - lon1);
    double s1 = sin(dlat / 2), s2 = sin(dlon / 2);
    double a = s1 * s1 + s2 * s2 * cos(to_radians(lat1)) * cos(to_radians(lat2));
    *out = eddy_double(2 * asin(sqrt(a)) * radius);
    return 0;
}

/* ------------------------------------------------------------ registration */

typedef struct def {
    const char *name, *sig, *desc;
    eddy_scalar_fn fn;
    bool calls_on_null;
} def;

#define MASKS "STRING upper, STRING lower, STRING digit, STRING other"

static const def defs[] = {
    {"chr", "(INTEGER decimalCode) -> STRING", "The character of a Unicode code point.",
     fn_chr_int, false},
    {"chr", "(STRING utfString) -> STRING", "The character of a '\\uXXXX' code.", fn_chr_str,
     false},
    {"encode", "(STRING str, STRING inputEncoding, STRING outputEncoding) -> STRING",
     "Re-encodes a string between hex, utf8, ascii and base64.", fn_encode, false},
    {"to_bytes", "(STRING str, STRING encoding) -> BYTES",
     "The bytes of a string in hex, utf8, ascii or base64.", fn_to_bytes, false},
    {"from_bytes", "(BYTES bytes, STRING encoding) -> STRING",
     "Bytes as a hex, utf8, ascii or base64 string.", fn_from_bytes, false},
    {"int_from_bytes", "(BYTES bytes) -> INTEGER", "A big-endian 4-byte integer.",
     fn_int_from_bytes, false},
    {"int_from_bytes", "(BYTES bytes, STRING byteOrder) -> INTEGER",
     "A 4-byte integer (BIG_ENDIAN or LITTLE_ENDIAN).", fn_int_from_bytes, false},
    {"bigint_from_bytes", "(BYTES bytes) -> BIGINT", "A big-endian 8-byte integer.",
     fn_bigint_from_bytes, false},
    {"bigint_from_bytes", "(BYTES bytes, STRING byteOrder) -> BIGINT",
     "An 8-byte integer (BIG_ENDIAN or LITTLE_ENDIAN).", fn_bigint_from_bytes, false},
    {"double_from_bytes", "(BYTES bytes) -> DOUBLE", "A big-endian IEEE 754 double.",
     fn_double_from_bytes, false},
    {"double_from_bytes", "(BYTES bytes, STRING byteOrder) -> DOUBLE",
     "An IEEE 754 double (BIG_ENDIAN or LITTLE_ENDIAN).", fn_double_from_bytes, false},
    {"md5", "(STRING input) -> STRING", "The hex-encoded MD5 hash of the UTF-8 bytes.", fn_md5,
     false},
    {"uuid", "() -> STRING", "A random (version 4) UUID.", fn_uuid, false},
    {"uuid", "(BYTES bytes) -> STRING", "The UUID of 16 bytes.", fn_uuid, false},
    {"mask", "(STRING input) -> STRING", "Masks upper, lower, digit and other characters.",
     fn_mask, false},
    {"mask", "(STRING input, " MASKS ") -> STRING",
     "Masks with the given characters (NULL: leave that class).", fn_mask, true},
    {"mask_keep_left", "(STRING input, INTEGER numChars) -> STRING",
     "Masks all but the first numChars characters.", fn_mask_keep_left, false},
    {"mask_keep_left", "(STRING input, INTEGER numChars, " MASKS ") -> STRING",
     "Masks all but the first numChars characters.", fn_mask_keep_left, true},
    {"mask_keep_right", "(STRING input, INTEGER numChars) -> STRING",
     "Masks all but the last numChars characters.", fn_mask_keep_right, false},
    {"mask_keep_right", "(STRING input, INTEGER numChars, " MASKS ") -> STRING",
     "Masks all but the last numChars characters.", fn_mask_keep_right, true},
    {"mask_left", "(STRING input, INTEGER numChars) -> STRING",
     "Masks the first numChars characters.", fn_mask_left, false},
    {"mask_left", "(STRING input, INTEGER numChars, " MASKS ") -> STRING",
     "Masks the first numChars characters.", fn_mask_left, true},
    {"mask_right", "(STRING input, INTEGER numChars) -> STRING",
     "Masks the last numChars characters.", fn_mask_right, false},
    {"mask_right", "(STRING input, INTEGER numChars, " MASKS ") -> STRING",
     "Masks the last numChars characters.", fn_mask_right, true},
    {"url_extract_host", "(STRING input) -> STRING", "The host of a URL.", fn_url_extract_host,
     false},
    {"url_extract_path", "(STRING input) -> STRING", "The (decoded) path of a URL.",
     fn_url_extract_path, false},
    {"url_extract_query", "(STRING input) -> STRING", "The (decoded) query of a URL.",
     fn_url_extract_query, false},
    {"url_extract_fragment", "(STRING input) -> STRING", "The (decoded) fragment of a URL.",
     fn_url_extract_fragment, false},
    {"url_extract_protocol", "(STRING input) -> STRING", "The scheme of a URL.",
     fn_url_extract_protocol, false},
    {"url_extract_port", "(STRING input) -> INTEGER", "The port of a URL.",
     fn_url_extract_port, false},
    {"url_extract_parameter", "(STRING input, STRING paramToFind) -> STRING",
     "The value of a query parameter of a URL.", fn_url_extract_parameter, false},
    {"url_encode_param", "(STRING input) -> STRING",
     "Encodes a string for a URL query (application/x-www-form-urlencoded).",
     fn_url_encode_param, false},
    {"url_decode_param", "(STRING input) -> STRING",
     "Decodes an application/x-www-form-urlencoded string.", fn_url_decode_param, false},
    {"regexp_extract", "(STRING pattern, STRING input) -> STRING",
     "The first substring matching a regular expression.", fn_regexp_extract, false},
    {"regexp_extract", "(STRING pattern, STRING input, INTEGER group) -> STRING",
     "A group of the first match of a regular expression.", fn_regexp_extract, false},
    {"regexp_extract_all", "(STRING pattern, STRING input) -> ARRAY<STRING>",
     "Every substring matching a regular expression.", fn_regexp_extract_all, false},
    {"regexp_extract_all", "(STRING pattern, STRING input, INTEGER group) -> ARRAY<STRING>",
     "A group of every match of a regular expression.", fn_regexp_extract_all, false},
    {"regexp_replace", "(STRING str, STRING regex, STRING replacement) -> STRING",
     "Replaces every match of a regular expression.", fn_regexp_replace, false},
    {"regexp_split_to_array", "(STRING str, STRING regex) -> ARRAY<STRING>",
     "Splits a string around the matches of a regular expression.", fn_regexp_split_to_array,
     false},
    {"geo_distance", "(DOUBLE lat1, DOUBLE lon1, DOUBLE lat2, DOUBLE lon2) -> DOUBLE",
     "Great-circle distance in km.", fn_geo_distance, false},
    {"geo_distance",
     "(DOUBLE lat1, DOUBLE lon1, DOUBLE lat2, DOUBLE lon2, STRING units) -> DOUBLE",
     "Great-circle distance in KM or MI (a NULL unit means km).", fn_geo_distance, true},
};

int eddy_builtins_misc_register(eddy_registry *r)
{
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        eddy_function f = {.name = defs[i].name, .kind = EDDY_FUNC_SCALAR,
                           .signature = defs[i].sig, .description = defs[i].desc,
                           .source = "built-in", .calls_on_null = defs[i].calls_on_null,
                           .scalar = defs[i].fn};
        int rc = eddy_registry_add(r, &f, false, NULL, 0);
        if (rc)
            return rc;
    }
    return 0;
}
