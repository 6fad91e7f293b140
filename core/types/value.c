/* value.c: deep copy, total order, key equality and hashing of values (the join and group-by
 * hot path: nothing here allocates). */
#include "types_internal.h"

#include <math.h>
#include <string.h>

/* ------------------------------------------------------------------ copy */

static int copy_rec(eddy_arena *a, const eddy_value *v, eddy_value *out)
{
    *out = *v;
    if (v->is_null || v->type == 0) {
        memset(&out->u, 0, sizeof out->u);
        return 0;
    }
    switch (v->type) {
    case EDDY_TYPE_STRING:
    case EDDY_TYPE_BYTES: {
        char *p = eddy_arena_alloc(a, v->len ? v->len : 1);
        if (!p)
            return EDDY_ENOMEM;
        if (v->len)
            memcpy(p, v->u.str, v->len);
        out->u.str = p;
        return 0;
    }
    case EDDY_TYPE_ARRAY:
    case EDDY_TYPE_STRUCT:
    case EDDY_TYPE_MAP: {
        size_t n = v->type == EDDY_TYPE_MAP ? 2 * (size_t)v->len : v->len;
        if (!n) {
            out->u.items = NULL;
            return 0;
        }
        eddy_value *items = eddy_arena_alloc(a, n * sizeof *items);
        if (!items)
            return EDDY_ENOMEM;
        for (size_t i = 0; i < n; i++) {
            int rc = copy_rec(a, &v->u.items[i], &items[i]);
            if (rc)
                return rc;
        }
        out->u.items = items;
        return 0;
    }
    default:
        return 0;
    }
}

int eddy_value_copy(eddy_arena *arena, const eddy_value *v, eddy_value *out)
{
    return copy_rec(arena, v, out);
}

/* ----------------------------------------------------- exact number order */

/* A tiny unsigned big integer: enough bits (384) to compare a double's fraction with a
 * DECIMAL's exactly. */
typedef struct big {
    uint64_t w[6];
} big;

static void big_set(big *b, unsigned __int128 v)
{
    memset(b, 0, sizeof *b);
    b->w[0] = (uint64_t)v;
    b->w[1] = (uint64_t)(v >> 64);
}

static void big_mul(big *b, uint64_t m)
{
    unsigned __int128 carry = 0;
    for (int i = 0; i < 6; i++) {
        unsigned __int128 t = (unsigned __int128)b->w[i] * m + carry;
        b->w[i] = (uint64_t)t;
        carry = t >> 64;
    }
}

static void big_shl(big *b, int k)
{
    int words = k / 64, bits = k % 64;
    for (int i = 5; i >= 0; i--) {
        uint64_t hi = i - words >= 0 ? b->w[i - words] : 0;
        uint64_t lo = i - words - 1 >= 0 ? b->w[i - words - 1] : 0;
        b->w[i] = bits ? (hi << bits) | (lo >> (64 - bits)) : hi;
    }
}

static int big_cmp(const big *a, const big *b)
{
    for (int i = 5; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

static int sgn128(__int128 v) { return (v > 0) - (v < 0); }

static unsigned __int128 abs128(__int128 v)
{
    return v < 0 ? -(unsigned __int128)v : (unsigned __int128)v;
}

/* u1 / 10^s1 against u2 / 10^s2, exactly. */
static int cmp_dec(__int128 u1, int s1, __int128 u2, int s2)
{
    if (s1 == s2)
        return (u1 > u2) - (u1 < u2);
    int g1 = sgn128(u1), g2 = sgn128(u2);
    if (g1 != g2)
        return g1 < g2 ? -1 : 1;
    /* Same sign: integer parts first (truncation is monotonic), then the fractions at the
     * larger scale, which cannot overflow (|r| < 10^s <= 10^38). */
    __int128 q1 = u1 / eddy_dec_pow10[s1], r1 = u1 % eddy_dec_pow10[s1];
    __int128 q2 = u2 / eddy_dec_pow10[s2], r2 = u2 % eddy_dec_pow10[s2];
    if (q1 != q2)
        return q1 < q2 ? -1 : 1;
    int s = s1 > s2 ? s1 : s2;
    __int128 f1 = r1 * eddy_dec_pow10[s - s1], f2 = r2 * eddy_dec_pow10[s - s2];
    return (f1 > f2) - (f1 < f2);
}

/* A finite double `f` with |f| < 1 against r / 10^s with |r| < 10^s, exactly. */
static int cmp_frac(double f, __int128 r, int s)
{
    int gf = (f > 0) - (f < 0), gr = sgn128(r);
    if (gf != gr || gf == 0)
        return gf < gr ? -1 : gf > gr;
    double af = fabs(f);
    unsigned __int128 ar = abs128(r);
    int res;
    /* |r| / 10^s >= 10^-38 > 2^-127 */
    if (af < 0x1p-127) {
        res = -1;
    } else {
        int e;
        double m = frexp(af, &e); /* af = m * 2^e, 0.5 <= m < 1, e >= -126 */
        uint64_t F = (uint64_t)ldexp(m, 53);
        int k = 53 - e; /* af = F / 2^k, k <= 179 */
        big lhs, rhs;
        big_set(&lhs, F);
        for (int i = 0; i < s; i++)
            big_mul(&lhs, 10); /* F * 10^s < 2^180 */
        big_set(&rhs, ar);
        big_shl(&rhs, k); /* |r| * 2^k < 2^306 */
        res = big_cmp(&lhs, &rhs);
    }
    return gf > 0 ? res : -res;
}

/* A double against u / 10^s, exactly. NaN is above every number (Java's Double.compare) and
 * -0.0 sits just below zero, as it does among doubles, so the order stays transitive. */
static int cmp_double_dec(double d, __int128 u, int s)
{
    if (isnan(d))
        return 1;
    if (d >= 0x1p127)
        return 1;
    if (d <= -0x1p127)
        return -1;
    __int128 t = (__int128)d; /* truncation, exact below 2^127 */
    __int128 q = u / eddy_dec_pow10[s], r = u % eddy_dec_pow10[s];
    if (t != q)
        return t < q ? -1 : 1;
    int c = cmp_frac(d - (double)t, r, s);
    if (c == 0 && d == 0 && signbit(d))
        return -1;
    return c;
}

static int64_t double_bits(double d)
{
    int64_t b;
    if (isnan(d))
        return 0x7ff8000000000000LL; /* Java's canonical NaN */
    memcpy(&b, &d, 8);
    return b;
}

/* Java's Double.compare: -0.0 < 0.0, NaN equal to itself and above +Infinity. */
static int cmp_double(double x, double y)
{
    if (x < y)
        return -1;
    if (x > y)
        return 1;
    int64_t bx = double_bits(x), by = double_bits(y);
    return (bx > by) - (bx < by);
}

/* An exact number as unscaled/scale; false for DOUBLE. */
static bool exact_of(const eddy_value *v, __int128 *u, int *s)
{
    switch (v->type) {
    case EDDY_TYPE_INT: *u = v->u.i32; *s = 0; return true;
    case EDDY_TYPE_BIGINT: *u = v->u.i64; *s = 0; return true;
    case EDDY_TYPE_DECIMAL: *u = v->u.dec; *s = v->scale; return true;
    default: return false;
    }
}

static int cmp_number(const eddy_value *a, const eddy_value *b)
{
    if (a->type == EDDY_TYPE_INT && b->type == EDDY_TYPE_INT)
        return (a->u.i32 > b->u.i32) - (a->u.i32 < b->u.i32);
    if (a->type == EDDY_TYPE_BIGINT && b->type == EDDY_TYPE_BIGINT)
        return (a->u.i64 > b->u.i64) - (a->u.i64 < b->u.i64);
    __int128 ua, ub;
    int sa, sb;
    bool ea = exact_of(a, &ua, &sa), eb = exact_of(b, &ub, &sb);
    if (ea && eb)
        return cmp_dec(ua, sa, ub, sb);
    if (!ea && !eb)
        return cmp_double(a->u.f64, b->u.f64);
    if (!ea)
        return cmp_double_dec(a->u.f64, ub, sb);
    return -cmp_double_dec(b->u.f64, ua, sa);
}

/* ------------------------------------------------------------ total order */

/* Values of different kinds order by kind; numbers form one kind, so do DATE and TIMESTAMP
 * (a DATE is the timestamp of its midnight, as in ksqlDB's comparisons). */
static int kind_of(int type)
{
    switch (type) {
    case EDDY_TYPE_BOOLEAN: return 1;
    case EDDY_TYPE_INT:
    case EDDY_TYPE_BIGINT:
    case EDDY_TYPE_DECIMAL:
    case EDDY_TYPE_DOUBLE: return 2;
    case EDDY_TYPE_STRING: return 3;
    case EDDY_TYPE_BYTES: return 4;
    case EDDY_TYPE_DATE:
    case EDDY_TYPE_TIMESTAMP: return 5;
    case EDDY_TYPE_TIME: return 6;
    case EDDY_TYPE_ARRAY: return 7;
    case EDDY_TYPE_MAP: return 8;
    case EDDY_TYPE_STRUCT: return 9;
    default: return 10 + type;
    }
}

static int cmp_bytes(const char *a, uint32_t la, const char *b, uint32_t lb)
{
    uint32_t n = la < lb ? la : lb;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c < 0 ? -1 : 1;
    return (la > lb) - (la < lb);
}

static int64_t ms_of(const eddy_value *v)
{
    return v->type == EDDY_TYPE_DATE ? (int64_t)v->u.date * 86400000LL : v->u.ts;
}

/* Index of the entry of map `m` whose key is the smallest one above `prev` (NULL: the
 * smallest of all), or -1. Maps compare as their entries sorted by key, so the order does
 * not depend on insertion order (as equality does not); O(n^2), no allocation. */
static int next_key(const eddy_value *m, const eddy_value *prev)
{
    int best = -1;
    for (uint32_t i = 0; i < m->len; i++) {
        const eddy_value *k = &m->u.items[2 * i];
        if (prev && eddy_value_compare(k, prev) <= 0)
            continue;
        if (best < 0 || eddy_value_compare(k, &m->u.items[2 * best]) < 0)
            best = (int)i;
    }
    return best;
}

static int cmp_map(const eddy_value *a, const eddy_value *b)
{
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    const eddy_value *pa = NULL, *pb = NULL;
    for (uint32_t n = 0; n < a->len; n++) {
        int ia = next_key(a, pa), ib = next_key(b, pb);
        if (ia < 0 || ib < 0)
            return (ia >= 0) - (ib >= 0);
        pa = &a->u.items[2 * ia];
        pb = &b->u.items[2 * ib];
        int c = eddy_value_compare(pa, pb);
        if (!c)
            c = eddy_value_compare(pa + 1, pb + 1);
        if (c)
            return c;
    }
    return 0;
}

int eddy_value_compare(const eddy_value *a, const eddy_value *b)
{
    bool na = a->is_null || a->type == 0, nb = b->is_null || b->type == 0;
    if (na || nb)
        return nb - na;
    if (a->type != b->type) {
        int ka = kind_of(a->type), kb = kind_of(b->type);
        if (ka != kb)
            return ka < kb ? -1 : 1;
    }
    switch (a->type) {
    case EDDY_TYPE_BOOLEAN:
        return (a->u.b > b->u.b) - (a->u.b < b->u.b);
    case EDDY_TYPE_INT:
    case EDDY_TYPE_BIGINT:
    case EDDY_TYPE_DECIMAL:
    case EDDY_TYPE_DOUBLE:
        return cmp_number(a, b);
    case EDDY_TYPE_STRING:
    case EDDY_TYPE_BYTES:
        return cmp_bytes(a->u.str, a->len, b->u.str, b->len);
    case EDDY_TYPE_DATE:
    case EDDY_TYPE_TIMESTAMP: {
        int64_t x = ms_of(a), y = ms_of(b);
        return (x > y) - (x < y);
    }
    case EDDY_TYPE_TIME:
        return (a->u.time > b->u.time) - (a->u.time < b->u.time);
    case EDDY_TYPE_ARRAY:
    case EDDY_TYPE_STRUCT: {
        uint32_t n = a->len < b->len ? a->len : b->len;
        for (uint32_t i = 0; i < n; i++) {
            int c = eddy_value_compare(&a->u.items[i], &b->u.items[i]);
            if (c)
                return c;
        }
        return (a->len > b->len) - (a->len < b->len);
    }
    case EDDY_TYPE_MAP:
        return cmp_map(a, b);
    default:
        return 0;
    }
}

/* --------------------------------------------------------------- equality */

/* Key equality: NULL equals NULL (whatever its tag); otherwise the type ids must match
 * (ksqlDB never compares keys of different types: a join or GROUP BY sees one key type),
 * DECIMALs compare by value whatever their scales (1.0 == 1.00), DOUBLEs as Java's
 * Double.equals (NaN == NaN, -0.0 != 0.0), maps as sets of entries. */
bool eddy_value_equal(const eddy_value *a, const eddy_value *b)
{
    bool na = a->is_null || a->type == 0, nb = b->is_null || b->type == 0;
    if (na || nb)
        return na && nb;
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case EDDY_TYPE_BOOLEAN: return a->u.b == b->u.b;
    case EDDY_TYPE_INT: return a->u.i32 == b->u.i32;
    case EDDY_TYPE_BIGINT: return a->u.i64 == b->u.i64;
    case EDDY_TYPE_DOUBLE: return double_bits(a->u.f64) == double_bits(b->u.f64);
    case EDDY_TYPE_DECIMAL:
        return a->scale == b->scale ? a->u.dec == b->u.dec
                                    : cmp_dec(a->u.dec, a->scale, b->u.dec, b->scale) == 0;
    case EDDY_TYPE_STRING:
    case EDDY_TYPE_BYTES:
        return a->len == b->len && (a->len == 0 || memcmp(a->u.str, b->u.str, a->len) == 0);
    case EDDY_TYPE_DATE: return a->u.date == b->u.date;
    case EDDY_TYPE_TIME: return a->u.time == b->u.time;
    case EDDY_TYPE_TIMESTAMP: return a->u.ts == b->u.ts;
    case EDDY_TYPE_ARRAY:
    case EDDY_TYPE_STRUCT:
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++)
            if (!eddy_value_equal(&a->u.items[i], &b->u.items[i]))
                return false;
        return true;
    case EDDY_TYPE_MAP:
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++) {
            const eddy_value *k = &a->u.items[2 * i];
            uint32_t j = 0;
            while (j < b->len && !eddy_value_equal(k, &b->u.items[2 * j]))
                j++;
            if (j == b->len || !eddy_value_equal(k + 1, &b->u.items[2 * j + 1]))
                return false;
        }
        return true;
    default:
        return true;
    }
}

/* ------------------------------------------------------------------ hash */

static inline uint64_t fmix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ull;
    k ^= k >> 33;
    return k;
}

static inline uint64_t mix(uint64_t h, uint64_t x)
{
    return fmix(h ^ (x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2)));
}

static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    h ^= n * 0x9e3779b97f4a7c15ull;
    while (n >= 8) {
        uint64_t k;
        memcpy(&k, s, 8);
        h = (h ^ fmix(k)) * 0x87c37b91114253d5ull;
        h = (h << 27) | (h >> 37);
        s += 8;
        n -= 8;
    }
    uint64_t k = 0;
    if (n)
        memcpy(&k, s, n);
    return fmix(h ^ k ^ ((uint64_t)n << 56));
}

uint64_t eddy_value_hash(const eddy_value *v, uint64_t seed)
{
    if (v->is_null || v->type == 0)
        return mix(seed, 0x4e554c4cull);
    uint64_t h = mix(seed, v->type);
    switch (v->type) {
    case EDDY_TYPE_BOOLEAN: return mix(h, v->u.b);
    case EDDY_TYPE_INT: return mix(h, (uint64_t)(int64_t)v->u.i32);
    case EDDY_TYPE_BIGINT: return mix(h, (uint64_t)v->u.i64);
    case EDDY_TYPE_DOUBLE: return mix(h, (uint64_t)double_bits(v->u.f64));
    case EDDY_TYPE_DECIMAL: {
        /* Equal decimals of different scales must hash equal: strip trailing zeros. */
        __int128 u = v->u.dec;
        int s = v->scale;
        if (u == 0) {
            s = 0;
        } else if (u >= INT64_MIN && u <= INT64_MAX) {
            int64_t x = (int64_t)u;
            while (s > 0 && x % 10 == 0) {
                x /= 10;
                s--;
            }
            u = x;
        } else {
            while (s > 0 && u % 10 == 0) {
                u /= 10;
                s--;
            }
        }
        h = mix(h, (uint64_t)u);
        h = mix(h, (uint64_t)((unsigned __int128)u >> 64));
        return mix(h, (uint64_t)s);
    }
    case EDDY_TYPE_STRING:
    case EDDY_TYPE_BYTES: return hash_bytes(v->u.str, v->len, h);
    case EDDY_TYPE_DATE: return mix(h, (uint64_t)(int64_t)v->u.date);
    case EDDY_TYPE_TIME: return mix(h, (uint64_t)(int64_t)v->u.time);
    case EDDY_TYPE_TIMESTAMP: return mix(h, (uint64_t)v->u.ts);
    case EDDY_TYPE_ARRAY:
    case EDDY_TYPE_STRUCT:
        h = mix(h, v->len);
        for (uint32_t i = 0; i < v->len; i++)
            h = mix(h, eddy_value_hash(&v->u.items[i], seed));
        return h;
    case EDDY_TYPE_MAP: {
        /* Order-independent: a sum of entry hashes. */
        uint64_t sum = 0;
        for (uint32_t i = 0; i < v->len; i++)
            sum += mix(eddy_value_hash(&v->u.items[2 * i], seed),
                       eddy_value_hash(&v->u.items[2 * i + 1], seed));
        return mix(mix(h, v->len), sum);
    }
    default:
        return h;
    }
}
